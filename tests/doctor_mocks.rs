//! `cutover doctor`'s permission checks against IAM `SimulatePrincipalPolicy` scripted with
//! `aws-smithy-mocks` on the real `aws-sdk-iam` client (moto does not simulate policies): a denied
//! `UpdateDistribution` is ✗ with what to grant, and a simulator the caller may not use makes each
//! write "? not verifiable without a write" and the report's exit code the unverifiable one — on
//! its own, and through the whole run (`doctor::examine`) with STS and CloudFront scripted too.

mod support;

use aws_sdk_iam::Client;
use aws_sdk_iam::config::retry::RetryConfig;
use aws_sdk_iam::operation::get_role::GetRoleOutput;
use aws_sdk_iam::operation::simulate_principal_policy::SimulatePrincipalPolicyOutput;
use aws_sdk_iam::types::{EvaluationResult, PolicyEvaluationDecisionType};
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;
use cutover::cli::DoctorArea;
use cutover::commands::doctor::calls::Caller;
use cutover::commands::doctor::checks::{Outcome, Status, emergency_permissions};
use cutover::commands::doctor::render::{EXIT_UNVERIFIABLE, Report};
use cutover::commands::doctor::{examine, permissions};

const ACCOUNT: &str = "123456789012";

fn caller() -> Caller {
    Caller { arn: format!("arn:aws:sts::{ACCOUNT}:assumed-role/oncall/ana"), account: ACCOUNT.into() }
}

fn decision(action: &str, decision: PolicyEvaluationDecisionType) -> SimulatePrincipalPolicyOutput {
    let result = EvaluationResult::builder().eval_action_name(action).eval_decision(decision).build().unwrap();
    SimulatePrincipalPolicyOutput::builder().evaluation_results(result).build()
}

/// `GetRole` not allowed: the session's role is simulated by its ARN without a path.
fn get_role_refused() -> aws_smithy_mocks::Rule {
    mock!(Client::get_role)
        .then_http_response(|| query_error(403, "AccessDenied", "not authorized to perform: iam:GetRole"))
}

/// IAM's query-protocol error document.
fn query_error(status: u16, code: &str, message: &str) -> HttpResponse {
    let body = format!(
        "<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>r</RequestId></ErrorResponse>"
    );
    HttpResponse::new(StatusCode::try_from(status).unwrap(), SdkBody::from(body))
}

#[tokio::test]
async fn an_implicit_deny_of_update_distribution_is_missing_with_what_to_grant() {
    let role = format!("arn:aws:iam::{ACCOUNT}:role/oncall");
    let expected_role = role.clone();
    let rule = mock!(Client::simulate_principal_policy)
        .match_requests(move |input| input.policy_source_arn() == Some(expected_role.as_str()))
        .then_output(|| decision("cloudfront:UpdateDistribution", PolicyEvaluationDecisionType::ImplicitDeny));
    let iam: Client = mock_client!(aws_sdk_iam, RuleMode::MatchAny, [&rule, &get_role_refused()], |c| c
        .retry_config(RetryConfig::disabled()));
    let wanted = emergency_permissions(ACCOUNT, "E1", None, &[], "eu-west-1");

    let outcomes = permissions::check(&iam, Some(&caller()), &wanted).await;

    assert_eq!(rule.num_calls(), 1, "the session's role is simulated, not the session");
    let [denied] = outcomes.as_slice() else { panic!("{outcomes:#?}") };
    assert_eq!(denied.status, Status::Missing);
    assert!(denied.detail.contains("cloudfront:UpdateDistribution"), "{}", denied.detail);
    assert!(denied.detail.contains("implicitDeny"), "{}", denied.detail);
    assert_eq!(
        denied.fix.as_deref(),
        Some(
            format!("grant cloudfront:UpdateDistribution on arn:aws:cloudfront::{ACCOUNT}:distribution/E1 to {role}")
                .as_str()
        )
    );
    let report = Report::new(vec![Outcome::ready("credentials", "ok").of("E1"), denied.clone().of("E1")], vec![]);
    assert_eq!(report.exit_code(), 1);
    assert!(
        report
            .to_text()
            .contains("  ✗ cloudfront:UpdateDistribution on arn:aws:cloudfront::123456789012:distribution/E1")
    );
}

#[tokio::test]
async fn an_sso_session_is_simulated_as_its_role_with_the_path_get_role_gives() {
    let role =
        format!("arn:aws:iam::{ACCOUNT}:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_oncall_0a1b");
    let (named, expected) = (role.clone(), role.clone());
    let get_role = mock!(Client::get_role)
        .match_requests(|input| input.role_name() == Some("AWSReservedSSO_oncall_0a1b"))
        .then_output(move || GetRoleOutput::builder().role(iam_role(&named)).build());
    let simulate = mock!(Client::simulate_principal_policy)
        .match_requests(move |input| input.policy_source_arn() == Some(expected.as_str()))
        .then_output(|| decision("cloudfront:UpdateDistribution", PolicyEvaluationDecisionType::ImplicitDeny));
    let iam: Client = mock_client!(aws_sdk_iam, RuleMode::MatchAny, [&get_role, &simulate], |c| c
        .retry_config(RetryConfig::disabled()));
    let wanted = emergency_permissions(ACCOUNT, "E1", None, &[], "eu-west-1");
    let session = Caller {
        arn: format!("arn:aws:sts::{ACCOUNT}:assumed-role/AWSReservedSSO_oncall_0a1b/ana"),
        account: ACCOUNT.into(),
    };

    let outcomes = permissions::check(&iam, Some(&session), &wanted).await;

    assert_eq!((get_role.num_calls(), simulate.num_calls()), (1, 1), "{outcomes:#?}");
    let [denied] = outcomes.as_slice() else { panic!("{outcomes:#?}") };
    assert_eq!(denied.status, Status::Missing, "{denied:#?}");
    assert!(denied.fix.as_deref().is_some_and(|fix| fix.ends_with(&format!("to {role}"))), "{denied:#?}");
}

fn iam_role(arn: &str) -> aws_sdk_iam::types::Role {
    let name = arn.rsplit('/').next().unwrap();
    let path = &arn[arn.find(":role").unwrap() + 5..arn.len() - name.len()];
    let created = aws_smithy_types::DateTime::from_secs(0);
    aws_sdk_iam::types::Role::builder()
        .path(path)
        .role_name(name)
        .role_id("AROAEXAMPLE")
        .arn(arn)
        .create_date(created)
        .build()
        .unwrap()
}

#[tokio::test]
async fn an_allowed_write_is_ready() {
    let rule = mock!(Client::simulate_principal_policy)
        .then_output(|| decision("cloudfront:UpdateDistribution", PolicyEvaluationDecisionType::Allowed));
    let iam: Client = mock_client!(aws_sdk_iam, RuleMode::MatchAny, [&rule, &get_role_refused()], |c| c
        .retry_config(RetryConfig::disabled()));
    let wanted = emergency_permissions(ACCOUNT, "E1", None, &[], "eu-west-1");
    let outcomes = permissions::check(&iam, Some(&caller()), &wanted).await;
    assert_eq!(outcomes.iter().map(|o| o.status).collect::<Vec<_>>(), [Status::Ready]);
}

#[tokio::test]
async fn a_simulator_the_caller_may_not_use_leaves_every_write_not_verifiable() {
    let rule = mock!(Client::simulate_principal_policy).then_http_response(|| {
        query_error(403, "AccessDenied", "not authorized to perform: iam:SimulatePrincipalPolicy")
    });
    let iam: Client = mock_client!(aws_sdk_iam, RuleMode::MatchAny, [&rule, &get_role_refused()], |c| c
        .retry_config(RetryConfig::disabled()));
    let wanted = emergency_permissions(
        ACCOUNT,
        "E1",
        Some("arn:aws:cloudfront::123456789012:key-value-store/k"),
        &[],
        "eu-west-1",
    );

    let outcomes = permissions::check(&iam, Some(&caller()), &wanted).await;

    assert_eq!(outcomes.len(), 2, "{outcomes:#?}");
    for outcome in &outcomes {
        assert_eq!(outcome.status, Status::Unverifiable, "{outcome:#?}");
        assert!(outcome.detail.contains("not verifiable without a write"), "{}", outcome.detail);
        assert!(outcome.fix.as_deref().is_some_and(|f| f.contains("iam:SimulatePrincipalPolicy")), "{outcome:#?}");
    }
    let mut checks = vec![Outcome::ready("credentials", "ok").of("E1")];
    checks.extend(outcomes.into_iter().map(|o| o.of("E1")));
    let report = Report::new(checks, vec![]);
    assert_eq!(report.exit_code(), EXIT_UNVERIFIABLE);
    assert!(report.to_text().contains("  ? cloudfront-keyvaluestore:UpdateKeys"), "{}", report.to_text());
}

#[tokio::test]
async fn an_unknown_caller_cannot_be_simulated_and_nothing_is_asked() {
    let rule = mock!(Client::simulate_principal_policy)
        .then_output(|| decision("cloudfront:UpdateDistribution", PolicyEvaluationDecisionType::Allowed));
    let iam: Client = mock_client!(aws_sdk_iam, RuleMode::MatchAny, [&rule, &get_role_refused()], |c| c
        .retry_config(RetryConfig::disabled()));
    let wanted = emergency_permissions(ACCOUNT, "E1", None, &[], "eu-west-1");
    let outcomes = permissions::check(&iam, None, &wanted).await;
    assert_eq!(outcomes.iter().map(|o| o.status).collect::<Vec<_>>(), [Status::Unverifiable]);
    let fix = outcomes[0].fix.as_deref().unwrap_or_default();
    assert!(fix.contains("credentials check above"), "the fix is the credentials, not IAM: {fix}");
    let root = Caller { arn: format!("arn:aws:iam::{ACCOUNT}:root"), account: ACCOUNT.into() };
    let outcomes = permissions::check(&iam, Some(&root), &wanted).await;
    assert_eq!(outcomes.iter().map(|o| o.status).collect::<Vec<_>>(), [Status::Unverifiable]);
    assert_eq!(rule.num_calls(), 0);
}

/// The whole run for distribution `E1` with only credentials, the distribution and the permissions
/// checked: STS says an assumed role, CloudFront gives the config, IAM answers with `iam`.
async fn whole_run(iam: Client) -> cutover::commands::doctor::render::Report {
    let sts_rule = mock!(aws_sdk_sts::Client::get_caller_identity).then_output(|| {
        aws_sdk_sts::operation::get_caller_identity::GetCallerIdentityOutput::builder()
            .arn(format!("arn:aws:sts::{ACCOUNT}:assumed-role/oncall/ana"))
            .account(ACCOUNT)
            .build()
    });
    let cloudfront_rule = mock!(aws_sdk_cloudfront::Client::get_distribution_config).then_output(|| {
        aws_sdk_cloudfront::operation::get_distribution_config::GetDistributionConfigOutput::builder()
            .distribution_config(support::emulators::distribution_config("ref", &[("/api/*", "apigw")]))
            .e_tag("E1TAG")
            .build()
    });
    let mut clients = support::emulators::unreachable_clients();
    clients.sts = mock_client!(aws_sdk_sts, RuleMode::MatchAny, [&sts_rule]);
    clients.cloudfront = mock_client!(aws_sdk_cloudfront, RuleMode::MatchAny, [&cloudfront_rule]);
    clients.iam = iam;
    let config = cutover::config::parse(
        "[[distribution]]\nid = \"E1\"\nlambda_origins = [\"apigw\"]\nlegacy_origins = [\"legacy\"]\n",
        "doctor.toml",
    )
    .unwrap();
    let skip = [
        DoctorArea::Metrics,
        DoctorArea::LambdaLimits,
        DoctorArea::Router,
        DoctorArea::Stages,
        DoctorArea::EdgeLogs,
        DoctorArea::Journal,
    ];
    examine(&config, &clients, &["E1".to_string()], &skip).await
}

#[tokio::test]
async fn the_whole_run_exits_1_on_a_denied_write_and_3_when_the_simulator_is_refused() {
    let deny = mock!(Client::simulate_principal_policy)
        .then_output(|| decision("cloudfront:UpdateDistribution", PolicyEvaluationDecisionType::ImplicitDeny));
    let iam: Client = mock_client!(aws_sdk_iam, RuleMode::MatchAny, [&deny, &get_role_refused()], |c| c
        .retry_config(RetryConfig::disabled()));
    let denied = whole_run(iam).await;
    let statuses: Vec<(&str, Status)> = denied.checks.iter().map(|c| (c.check, c.status)).collect();
    assert_eq!(
        statuses,
        [("credentials", Status::Ready), ("distribution", Status::Ready), ("permission", Status::Missing)],
        "{}",
        denied.to_text()
    );
    assert_eq!(denied.exit_code(), 1);
    assert!(denied.to_text().contains("fix: grant cloudfront:UpdateDistribution on arn:aws:cloudfront::123456789012:distribution/E1 to arn:aws:iam::123456789012:role/oncall"), "{}", denied.to_text());

    let refuse = mock!(Client::simulate_principal_policy).then_http_response(|| {
        query_error(403, "AccessDenied", "not authorized to perform: iam:SimulatePrincipalPolicy")
    });
    let iam: Client = mock_client!(aws_sdk_iam, RuleMode::MatchAny, [&refuse, &get_role_refused()], |c| c
        .retry_config(RetryConfig::disabled()));
    let unknown = whole_run(iam).await;
    assert_eq!(unknown.exit_code(), EXIT_UNVERIFIABLE, "{}", unknown.to_text());
    assert!(unknown.to_text().contains("  ? cloudfront:UpdateDistribution on arn:aws:cloudfront::123456789012:distribution/E1 (R, s, rollback-all and switch): not verifiable without a write"), "{}", unknown.to_text());
    assert_eq!(unknown.summary.skipped, ["metrics", "lambda-limits", "router", "stages", "edge-logs", "journal"]);
}

#[test]
fn doctor_refuses_the_demo_world_as_a_usage_error() {
    let home = support::pty::TempDir::new("cutover-doctor-demo");
    let config = home.path().join("cutover.toml");
    let out = support::binary::run_cutover_bare(home.path(), &config, &["doctor", "--demo"], &[]);
    assert_eq!(support::binary::code(&out), 2);
    assert!(support::binary::stderr(&out).contains("drop --demo"), "{}", support::binary::stderr(&out));
}
