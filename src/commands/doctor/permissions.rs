//! Whether the caller may make the writes an incident needs, asked of IAM's policy simulator
//! (`SimulatePrincipalPolicy`) without making any of them. When the simulator itself is refused or
//! fails, each write is "not verifiable without a write": unknown, never ready.

use aws_sdk_iam::types::PolicyEvaluationDecisionType;

use super::calls::Caller;
use super::checks::{CHECK_TIMEOUT, NOT_VERIFIABLE, Outcome, Permission, principal_of};
use crate::backend::aws::errors::from_sdk;
use crate::domain::visible;

/// Each of `wanted` for `caller` (unknown when STS could not say), simulated side by side.
pub async fn check(iam: &aws_sdk_iam::Client, caller: Option<&Caller>, wanted: &[Permission]) -> Vec<Outcome> {
    let principal = match caller.map(|c| principal_of(&c.arn)) {
        Some(Ok(principal)) => principal,
        Some(Err(why)) => return wanted.iter().map(|p| unverifiable(p, &why, None)).collect(),
        // Nothing to simulate without knowing who: the credentials line above says why, and is the fix.
        None => return wanted.iter().map(caller_unknown).collect(),
    };
    let principal = with_path(iam, principal).await;
    let calls = wanted.iter().map(|permission| simulate(iam, &principal, permission));
    futures::future::join_all(calls).await
}

/// A role's ARN with its path. A session's ARN leaves the path out, and IAM simulates no role by
/// an ARN without it: every IAM Identity Center (SSO) role lives under
/// `/aws-reserved/sso.amazonaws.com/`. `GetRole` (a read) gives the whole ARN; when it is not allowed
/// or fails, the ARN without a path is tried (right for a role that has none).
async fn with_path(iam: &aws_sdk_iam::Client, principal: String) -> String {
    let Some((_, name)) = principal.split_once(":role/") else { return principal };
    match tokio::time::timeout(CHECK_TIMEOUT, iam.get_role().role_name(name).send()).await {
        Ok(Ok(answer)) => answer.role().map_or(principal, |role| role.arn().to_string()),
        _ => principal,
    }
}

/// One permission: IAM's decision for `principal`, `action` on `resource`.
pub async fn simulate(iam: &aws_sdk_iam::Client, principal: &str, permission: &Permission) -> Outcome {
    let call = iam
        .simulate_principal_policy()
        .policy_source_arn(principal)
        .action_names(permission.action)
        .resource_arns(&permission.resource)
        .send();
    let answer = match tokio::time::timeout(CHECK_TIMEOUT, call).await {
        Err(_) => return unverifiable(permission, "SimulatePrincipalPolicy did not answer", Some(principal)),
        Ok(Err(error)) => {
            let error = from_sdk("SimulatePrincipalPolicy", error);
            return unverifiable(permission, &error.to_string(), Some(principal));
        }
        Ok(Ok(answer)) => answer,
    };
    let what = format!("{} on {} ({})", permission.action, visible::escape(&permission.resource), permission.used_by);
    let decisions: Vec<&PolicyEvaluationDecisionType> =
        answer.evaluation_results().iter().map(|r| r.eval_decision()).collect();
    match decisions.as_slice() {
        [] => unverifiable(permission, "SimulatePrincipalPolicy gave no decision", Some(principal)),
        all if all.iter().all(|d| **d == PolicyEvaluationDecisionType::Allowed) => {
            Outcome::ready("permission", format!("{what}: allowed"))
        }
        all => {
            let denied =
                all.iter().find(|d| ***d != PolicyEvaluationDecisionType::Allowed).map_or("denied", |d| d.as_str());
            Outcome::missing(
                "permission",
                format!("{what}: {denied}"),
                format!("grant {} on {} to {principal}", permission.action, permission.resource),
            )
        }
    }
}

/// `permission` could not be simulated, as STS did not say who the caller is.
fn caller_unknown(permission: &Permission) -> Outcome {
    let outcome = unverifiable(permission, "the caller is not known", None);
    Outcome { fix: Some("make the credentials check above pass; then this can be simulated".to_string()), ..outcome }
}

/// `permission` could not be simulated, for `why`.
fn unverifiable(permission: &Permission, why: &str, principal: Option<&str>) -> Outcome {
    let on = principal.map_or_else(|| "your principal".to_string(), str::to_string);
    Outcome::unverifiable(
        "permission",
        format!(
            "{} on {} ({}): {NOT_VERIFIABLE} ({})",
            permission.action,
            visible::escape(&permission.resource),
            permission.used_by,
            visible::escape(why)
        ),
        format!("grant iam:SimulatePrincipalPolicy on {on} so cutover doctor can check it without a write"),
    )
}
