//! A distribution shaped like many real ones, over the real REST-XML wire against moto, driven by the
//! real binary: static files on an S3 origin behind three behaviors (listed first, so the busiest
//! and first origin is the bucket), two ELB origins (the monolith and an admin app), one API Gateway
//! origin, and a behavior whose origin request policy forwards the viewer's Host header.
//!
//! `init` must never put the bucket in a switchable list and must give each route its own home; a
//! route switched to Lambda and back returns to its own ELB; `rollback-all` sends routes born on
//! Lambda to the default behavior's origin and never touches the S3 routes; the Host-forwarding
//! switch is refused with exit 2; with a per-target policy swap, exactly two fields change.

mod support;

use std::path::PathBuf;
use std::process::Output;

use aws_sdk_cloudfront::types::DistributionConfig;
use cutover::backend::ControlPlane;
use cutover::backend::aws::{CloudFrontControlPlane, DistributionSpec};
use serde_json::Value;
use support::binary::{code, run_cutover, stderr, stdout};
use support::emulators::clients;
use support::messy::{self, ALL_VIEWER, ALL_VIEWER_EXCEPT_HOST, APIGW, ELB, ELB_2, S3, behavior, custom};
use support::pty::TempDir;

const REGION: &str = "eu-west-1";
/// The messy distribution: created in moto under a unique caller reference; returns its id.
async fn create_messy(test: &str) -> String {
    let behaviors = vec![
        behavior("/static/*", S3, None),
        behavior("/images/*", S3, None),
        behavior("/assets/*", S3, None),
        behavior("/admin/*", ELB_2, Some(ALL_VIEWER_EXCEPT_HOST)),
        behavior("/user/*", APIGW, Some(ALL_VIEWER_EXCEPT_HOST)),
        behavior("/checkout/*", ELB, Some(ALL_VIEWER)),
    ];
    let cloudfront = &clients(REGION).cloudfront;
    messy::create(cloudfront, &format!("messy-{test}"), "static, two monoliths and Lambda", messy::origins(), behaviors)
        .await
}

/// A home, the config `cutover init` wrote for `id` in it, and the file's text.
fn init(id: &str) -> (TempDir, PathBuf, String) {
    let home = TempDir::new("cutover-messy");
    let config = home.path().join("cutover.toml");
    let out = run_cutover(REGION, home.path(), &config, &["init", "--distribution", id], &[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = std::fs::read_to_string(&config).unwrap();
    (home, config, text)
}

async fn distribution(id: &str) -> DistributionConfig {
    let plane = CloudFrontControlPlane::new(clients(REGION).cloudfront, DistributionSpec::with_lists(id, &[], &[]));
    plane.get_config(id).await.unwrap().0
}

async fn origin_of(id: &str, path: &str) -> String {
    CloudFrontControlPlane::origin_of(&distribution(id).await, path).unwrap()
}

fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(output)))
}

fn route<'a>(status: &'a Value, path: &str) -> &'a Value {
    let routes = status["distributions"][0]["routes"].as_array().unwrap();
    routes.iter().find(|r| r["path"] == path).unwrap_or_else(|| panic!("no {path} in {status}"))
}

/// The route table of `path` in the config text: from its `path = ` line to the next table.
fn table<'a>(text: &'a str, path: &str) -> &'a str {
    let start = text.find(&format!("path = \"{path}\"\n")).unwrap_or_else(|| panic!("no {path}:\n{text}"));
    let end = text[start..].find("[[distribution.route]]").map_or(text.len(), |end| start + end);
    &text[start..end]
}

#[tokio::test(flavor = "multi_thread")]
async fn init_never_lists_the_bucket_and_gives_every_route_its_home() {
    let id = create_messy("init").await;
    let (_home, _config, text) = init(&id);
    assert!(text.contains("lambda_origins = [\"apigw-prod\"]\n"), "{text}");
    assert!(text.contains("legacy_origins = [\"legacy-elb\", \"legacy-elb-2\"]\n"), "{text}");
    assert!(text.contains("S3 and MediaStore origins (and groups with one): in neither list"), "{text}");
    let admin = table(&text, "/admin/*");
    assert!(admin.contains("legacy_origin = \"legacy-elb-2\"\nlambda_origin = \"apigw-prod\"\n"), "{admin}");
    // Born on Lambda: its home is the default behavior's origin.
    let user = table(&text, "/user/*");
    assert!(user.contains("legacy_origin = \"legacy-elb\"\nlambda_origin = \"apigw-prod\"\n"), "{user}");
    for path in ["/static/*", "/images/*", "/assets/*"] {
        let bucket = table(&text, path);
        assert!(bucket.contains("Not switchable") && !bucket.contains("legacy_origin ="), "{bucket}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_route_goes_back_to_its_own_elb_and_rollback_all_leaves_the_bucket_alone() {
    let id = create_messy("homes").await;
    let (home, config, _) = init(&id);
    let run = |args: &[&str]| tokio::task::block_in_place(|| run_cutover(REGION, home.path(), &config, args, &[]));

    let to_lambda = run(&["switch", "/admin/*", "--to", "lambda", "--yes"]);
    assert_eq!(code(&to_lambda), 0);
    assert!(stdout(&to_lambda).contains("/admin/* ◼ origin (legacy-elb-2) → λ Lambda (apigw-prod)"));
    assert_eq!(origin_of(&id, "/admin/*").await, APIGW);
    let back = run(&["switch", "/admin/*", "--to", "origin", "--yes"]);
    assert_eq!(code(&back), 0);
    assert!(stdout(&back).contains("/admin/* λ Lambda (apigw-prod) → ◼ origin (legacy-elb-2)"));
    assert_eq!(origin_of(&id, "/admin/*").await, ELB_2, "home is the admin ELB, not the first legacy origin");

    assert_eq!(code(&run(&["switch", "/admin/*", "--to", "lambda", "--yes"])), 0);
    let before = distribution(&id).await;
    let rolled = run(&["rollback-all", "--yes"]);
    assert_eq!(code(&rolled), 0);
    let said = format!("{}{}", stdout(&rolled), stderr(&rolled));
    assert!(said.contains("/admin/* λ Lambda (apigw-prod) → ◼ origin (legacy-elb-2)"), "{said}");
    assert!(said.contains("/user/* λ Lambda (apigw-prod) → ◼ origin (legacy-elb)"), "{said}");
    let after = distribution(&id).await;
    assert_eq!(origin_of(&id, "/admin/*").await, ELB_2);
    assert_eq!(origin_of(&id, "/user/*").await, ELB, "born on Lambda: back to the default behavior's origin");
    for path in ["/static/*", "/images/*", "/assets/*"] {
        assert_eq!(origin_of(&id, path).await, S3, "{path}");
    }
    // Only the two target origins changed.
    let mut expected = before.clone();
    for b in expected.cache_behaviors.as_mut().unwrap().items.as_mut().unwrap() {
        if b.path_pattern == "/admin/*" {
            b.target_origin_id = ELB_2.into();
        }
        if b.path_pattern == "/user/*" {
            b.target_origin_id = ELB.into();
        }
    }
    assert_eq!(after, expected);

    let status = run(&["status", "--json"]);
    let status = json(&status);
    let bucket = route(&status, "/static/*");
    assert_eq!(bucket["switchable"], false, "{bucket}");
    assert_eq!(bucket["target"], Value::Null, "{bucket}");
    assert!(bucket["why_not_switchable"].as_str().unwrap().contains("an S3 origin"), "{bucket}");
    assert_eq!(route(&status, "/admin/*")["legacy_origin"], ELB_2);
    assert_eq!(route(&status, "/user/*")["switchable"], true);
    let text = stdout(&run(&["status"]));
    assert!(text.contains("not switchable: /static/* on static-s3, an S3 origin"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_switch_that_would_send_host_to_api_gateway_is_refused_and_a_policy_swap_changes_exactly_two_fields() {
    let id = create_messy("host").await;
    let (home, config, text) = init(&id);
    let run = |args: &[&str]| tokio::task::block_in_place(|| run_cutover(REGION, home.path(), &config, args, &[]));
    let before = distribution(&id).await;

    let refused = run(&["switch", "/checkout/*", "--to", "lambda", "--yes"]);
    assert_eq!(code(&refused), 2);
    let said = stderr(&refused);
    assert!(said.contains("would send the viewer's Host header to Lambda (origin request policy AllViewer)"), "{said}");
    assert!(said.contains("AllViewerExceptHostHeader"), "the fix is named: {said}");
    assert_eq!(distribution(&id).await, before, "nothing was written");

    // The operator names the policy Lambda needs for this route: the switch swaps it in the same update.
    let swap = format!("lambda_origin_request_policy = \"{ALL_VIEWER_EXCEPT_HOST}\"\n");
    let with_swap = text.replacen("path = \"/checkout/*\"\n", &format!("path = \"/checkout/*\"\n{swap}"), 1);
    std::fs::write(&config, with_swap).unwrap();
    let switched = run(&["switch", "/checkout/*", "--to", "lambda", "--yes"]);
    assert_eq!(code(&switched), 0);
    assert!(
        stderr(&switched).contains(&format!("origin request policy {ALL_VIEWER} → {ALL_VIEWER_EXCEPT_HOST}")),
        "the dialog names the swap"
    );
    let mut expected = before.clone();
    for b in expected.cache_behaviors.as_mut().unwrap().items.as_mut().unwrap() {
        if b.path_pattern == "/checkout/*" {
            b.target_origin_id = APIGW.into();
            b.origin_request_policy_id = Some(ALL_VIEWER_EXCEPT_HOST.into());
        }
    }
    assert_eq!(distribution(&id).await, expected, "TargetOriginId and OriginRequestPolicyId, nothing else");

    let log = run(&["log", "--json"]);
    let records = stdout(&log);
    assert!(records.contains("\"request_policy_after\":\"b689b0a8-53d0-40ab-baf2-68738e2966ac\""), "{records}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_switch_itself_checks_the_behavior_as_fetched_whatever_the_dialog_saw() {
    use cutover::backend::BackendError;
    use cutover::backend::switch::switch_routes;
    use cutover::domain::{RouteChange, Target};

    let id = create_messy("fetched").await;
    let spec = DistributionSpec::with_lists(&id, &[APIGW], &[ELB, ELB_2]);
    let plane = CloudFrontControlPlane::new(clients(REGION).cloudfront, spec);
    let before = distribution(&id).await;
    let change = |request_policy: Option<(Option<String>, String)>, override_reason: Option<&str>| RouteChange {
        path: "/checkout/*".into(),
        from_origin_id: ELB.into(),
        to_origin_id: APIGW.into(),
        to: Target::Lambda,
        request_policy,
        override_reason: override_reason.map(str::to_string),
    };

    // A change built from a stale view: the behavior as fetched forwards Host.
    let blocked = switch_routes(&plane, &id, &[change(None, None)], |_| {}).await.unwrap_err();
    assert!(matches!(&blocked, BackendError::Blocked(why) if why[0].contains("AllViewer")), "{blocked}");
    // A custom policy that cannot be read (moto has none) is never passed silently.
    let custom = Some((Some(ALL_VIEWER.to_string()), "00000000-1111-2222-3333-444444444444".to_string()));
    let unread = switch_routes(&plane, &id, &[change(custom, None)], |_| {}).await.unwrap_err();
    assert!(unread.to_string().contains("the Host check of /checkout/* could not be made"), "{unread}");
    assert_eq!(distribution(&id).await, before, "nothing was written");

    // Overridden on purpose, it goes: only the target origin changes.
    switch_routes(&plane, &id, &[change(None, Some("custom domain in front of the API"))], |_| {}).await.unwrap();
    assert_eq!(origin_of(&id, "/checkout/*").await, APIGW);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_route_on_lambda_without_a_named_home_says_where_it_will_go_back_to() {
    let id = create_messy("guess").await;
    let home = TempDir::new("cutover-messy");
    let config = home.path().join("cutover.toml");
    let text = format!(
        "[[distribution]]\nid = \"{id}\"\nlambda_origins = [\"{APIGW}\"]\nlegacy_origins = [\"{ELB}\", \"{ELB_2}\"]\n"
    );
    std::fs::write(&config, text).unwrap();
    let out = tokio::task::block_in_place(|| {
        run_cutover(REGION, home.path(), &config, &["switch", "/user/*", "--to", "origin", "--yes"], &[])
    });
    assert_eq!(code(&out), 0);
    let said = stderr(&out);
    assert!(said.contains("/user/*  names no legacy_origin: it goes back to legacy-elb, the first of"), "{said}");
    assert!(!said.contains("/admin/*  names no legacy_origin"), "a route on a legacy origin keeps it: {said}");
    assert_eq!(origin_of(&id, "/user/*").await, ELB);
}

/// A distribution with a non-default cache behavior whose path pattern is `*`, on Lambda, beside
/// `/user/*` on Lambda and the default `*` on the monolith; returns its id.
async fn create_with_a_second_star(test: &str) -> String {
    let origins = vec![
        custom(ELB, "monolith-123.eu-west-1.elb.amazonaws.com"),
        custom(APIGW, "abc123defg.execute-api.eu-west-1.amazonaws.com"),
    ];
    let behaviors = vec![behavior("/user/*", APIGW, None), behavior("*", APIGW, None)];
    let cloudfront = &clients(REGION).cloudfront;
    messy::create(cloudfront, &format!("star-{test}"), "a second * on Lambda", origins, behaviors).await
}

/// The target of the non-default `*` behavior in moto, read with the SDK alone.
async fn second_star_origin(id: &str) -> String {
    let config = distribution(id).await;
    let behaviors = config.cache_behaviors.unwrap().items.unwrap();
    behaviors.iter().find(|b| b.path_pattern == "*").unwrap().target_origin_id.clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_non_default_star_on_lambda_is_never_claimed_moved_and_rollback_all_exits_2_naming_it() {
    let id = create_with_a_second_star("rollback").await;
    let home = TempDir::new("cutover-messy-star");
    let config = home.path().join("cutover.toml");
    std::fs::write(
        &config,
        format!("[[distribution]]\nid = \"{id}\"\nlambda_origins = [\"{APIGW}\"]\nlegacy_origins = [\"{ELB}\"]\n"),
    )
    .unwrap();
    let run = |args: &[&str]| tokio::task::block_in_place(|| run_cutover(REGION, home.path(), &config, args, &[]));
    const STAR: &str = "* (cache behavior 2)";

    // status names it apart from the default behavior, on Lambda, and why nothing moves it.
    let status = json(&run(&["status", "--json"]));
    let star = route(&status, STAR);
    assert_eq!((star["target"].as_str(), star["switchable"].as_bool()), (Some("lambda"), Some(false)), "{star}");
    assert!(star["why_not_switchable"].as_str().unwrap().contains("cutover's name for the default behavior"), "{star}");
    assert_eq!(route(&status, "*")["target"], "origin", "the default behavior keeps the name *");

    // Switching it by either name moves nothing.
    let by_label = run(&["switch", STAR, "--to", "origin", "--yes"]);
    assert_eq!(code(&by_label), 2);
    assert!(stderr(&by_label).contains("not switchable"), "{}", stderr(&by_label));
    let by_star = run(&["switch", "*", "--to", "origin", "--yes"]);
    assert_eq!(code(&by_star), 0);
    assert!(stdout(&by_star).contains("* on ") && stdout(&by_star).contains("already targets"), "the default behavior");
    assert_eq!(second_star_origin(&id).await, APIGW);

    // rollback-all moves what it can, leaves the second * on Lambda, says so, and exits 2.
    let rolled = run(&["rollback-all", "--yes"]);
    let (out, err) = (stdout(&rolled), stderr(&rolled));
    assert_eq!(code(&rolled), 2, "{out}{err}");
    assert!(out.contains("/user/*"), "the movable route went back: {out}");
    assert!(!err.contains("move   * "), "never in the move list: {err}");
    assert!(err.contains(&format!("left as it is: {STAR} stays on λ Lambda ({APIGW})")), "in the dialog: {err}");
    let last = err.lines().last().unwrap();
    assert!(
        last.contains(&format!("{STAR} stays on λ Lambda ({APIGW}): cache behavior 2 has path pattern *")),
        "{last}"
    );
    assert!(last.ends_with("then check with `cutover status`"), "{last}");
    assert_eq!(origin_of(&id, "/user/*").await, ELB);
    assert_eq!(second_star_origin(&id).await, APIGW, "still on Lambda, as said");
    assert_eq!(origin_of(&id, "*").await, ELB, "the default behavior as it was");

    // The trail records the /user/* move, and no move of any *.
    let trail = cutover::audit::read_trail(&home.path().join("state/cutover/audit.jsonl")).unwrap();
    let star_moves: Vec<_> = trail.records().filter(|r| r.routes.iter().any(|p| p.starts_with('*'))).collect();
    assert!(star_moves.is_empty(), "{star_moves:?}");
    assert!(trail.records().any(|r| r.kind == cutover::audit::RecordKind::SwitchDeployed && r.routes == ["/user/*"]));

    // init on such a distribution writes a config that loads, and never makes the second * movable.
    let (init_home, init_config, text) = init(&id);
    let from_init =
        tokio::task::block_in_place(|| run_cutover(REGION, init_home.path(), &init_config, &["status", "--json"], &[]));
    assert_ne!(code(&from_init), 2, "init's config loads:\n{text}");
    assert_eq!(route(&json(&from_init), STAR)["switchable"], false, "{text}");

    // Again, with nothing movable left: still exit 2, still naming it.
    let again = run(&["rollback-all", "--yes"]);
    assert_eq!(code(&again), 2);
    assert!(stdout(&again).contains("no route cutover can move is on Lambda"), "{}", stdout(&again));
    assert!(stderr(&again).contains(&format!("{STAR} stays on λ Lambda")), "{}", stderr(&again));
}

/// `doctor` on the messy distribution with the config `init` wrote for it: it reads the distribution
/// (S3 routes, two ELBs, the policies) and changes nothing; of its routes it names the four movable
/// ones as having no numbers of their own (init leaves their metric sources commented), never the
/// three on the bucket.
#[tokio::test(flavor = "multi_thread")]
async fn doctor_reads_the_messy_distribution_names_its_routes_without_numbers_and_changes_nothing() {
    let id = create_messy("doctor").await;
    let (home, config, text) = init(&id);
    let before = distribution(&id).await;

    let args = ["doctor", "--skip", "lambda-limits,permissions"];
    let out = tokio::task::block_in_place(|| run_cutover(REGION, home.path(), &config, &args, &[]));

    let report = stdout(&out);
    assert!(
        report.contains(&format!("✓ GetDistributionConfig of {id}: 6 cache behaviors and the default")),
        "{report}"
    );
    let missing: Vec<&str> = report.lines().filter(|l| l.trim_start().starts_with('✗')).collect();
    assert_eq!(
        missing,
        [
            "  ✗ 4 of 4 movable route(s) with no numbers of their own (the distribution's totals only): /admin/*, /user/*, /checkout/*, *"
        ],
        "{report}\n{text}"
    );
    assert_eq!(code(&out), 1, "{report}\n{}", stderr(&out));
    assert_eq!(distribution(&id).await, before, "doctor never writes");
}
