//! The router's install and removal, planned: from what exists in the account (the store, the
//! function and its code, each behavior's viewer-request function) and the behaviors wanted, the
//! ordered steps that install or remove it. Pure: no IO; `backend::aws::router` reads and carries out.
//!
//! Names are derived from the distribution id, so that what cutover made is found again: the store
//! `cutover-<id>`, the function `cutover-router-<id>`. Anything with those names counts as cutover's.

use super::ROUTER_JS;

/// The path cutover gives the default behavior.
pub const DEFAULT_PATH: &str = "*";

/// The KeyValueStore's name for a distribution.
pub fn store_name(distribution_id: &str) -> String {
    format!("cutover-{distribution_id}")
}

/// The CloudFront Function's name for a distribution.
pub fn function_name(distribution_id: &str) -> String {
    format!("cutover-router-{distribution_id}")
}

/// Whether a function ARN (`arn:aws:cloudfront::ACCOUNT:function/NAME`) is the router's.
pub fn is_router_arn(arn: &str, distribution_id: &str) -> bool {
    arn.ends_with(&format!(":function/{}", function_name(distribution_id)))
}

/// What exists in the account, as read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Found {
    pub store: Option<FoundStore>,
    pub function: Option<FoundFunction>,
    /// Every behavior in the distribution's order, the default behavior (`*`) last.
    pub behaviors: Vec<FoundBehavior>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FoundStore {
    pub arn: String,
    /// `READY`, `PROVISIONING` or `FAILED`, as CloudFront says it.
    pub status: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FoundFunction {
    pub arn: String,
    /// The code of the DEVELOPMENT stage (what the next publish would make live).
    pub development_code: String,
    /// The code of the LIVE stage, `None` when it was never published.
    pub live_code: Option<String>,
    /// The stores associated with it (at most one).
    pub store_arns: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FoundBehavior {
    pub path: String,
    /// The ARN of the behavior's viewer-request function, if it has one.
    pub viewer_request: Option<String>,
}

/// One change to AWS, in the order it must happen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// `CreateKeyValueStore`, then `DescribeKeyValueStore` until it is `READY`.
    CreateStore { name: String },
    /// `DescribeKeyValueStore` until a store still provisioning is `READY`.
    WaitForStore { name: String },
    /// `CreateFunction`: the embedded code, runtime cloudfront-js-2.0, the store associated.
    CreateFunction { name: String },
    /// `UpdateFunction` (DEVELOPMENT stage), with why.
    UpdateFunction { name: String, why: String },
    /// `TestFunction` on sample viewer-request events, DEVELOPMENT stage.
    TestFunction { name: String },
    /// `PublishFunction`: DEVELOPMENT becomes LIVE (and every behavior using it runs the new code).
    PublishFunction { name: String },
    /// One `UpdateDistribution` adding the function (LIVE) as viewer-request to these behaviors.
    Associate { paths: Vec<String> },
    /// One `UpdateDistribution` taking the router's association off these behaviors.
    Dissociate { paths: Vec<String> },
    /// `DeleteFunction`.
    DeleteFunction { name: String },
    /// `DeleteKeyValueStore`.
    DeleteStore { name: String },
}

impl Step {
    /// A short name for the audit trail and JSON (`create_store`...).
    pub fn kind(&self) -> &'static str {
        match self {
            Step::CreateStore { .. } => "create_store",
            Step::WaitForStore { .. } => "wait_for_store",
            Step::CreateFunction { .. } => "create_function",
            Step::UpdateFunction { .. } => "update_function",
            Step::TestFunction { .. } => "test_function",
            Step::PublishFunction { .. } => "publish_function",
            Step::Associate { .. } => "associate",
            Step::Dissociate { .. } => "dissociate",
            Step::DeleteFunction { .. } => "delete_function",
            Step::DeleteStore { .. } => "delete_store",
        }
    }

    /// The behaviors a step changes (empty for the others).
    pub fn paths(&self) -> &[String] {
        match self {
            Step::Associate { paths } | Step::Dissociate { paths } => paths,
            _ => &[],
        }
    }

    /// What the step changes, in words.
    pub fn describe(&self) -> String {
        match self {
            Step::CreateStore { name } => format!("create KeyValueStore {name} and wait until it is READY"),
            Step::WaitForStore { name } => format!("wait until KeyValueStore {name} is READY"),
            Step::CreateFunction { name } => format!(
                "create CloudFront Function {name} (cloudfront-js-2.0, the embedded router.js, {} bytes) with the store associated",
                ROUTER_JS.len()
            ),
            Step::UpdateFunction { name, why } => format!("update CloudFront Function {name}: {why}"),
            Step::TestFunction { name } => format!("test {name} on sample viewer-request events"),
            Step::PublishFunction { name } => format!("publish {name} (DEVELOPMENT becomes LIVE)"),
            Step::Associate { paths } => format!(
                "one UpdateDistribution: add the router as viewer-request function to {} (takes the usual minutes to deploy)",
                paths.join(", ")
            ),
            Step::Dissociate { paths } => format!(
                "one UpdateDistribution: take the router off {} (takes the usual minutes to deploy)",
                paths.join(", ")
            ),
            Step::DeleteFunction { name } => format!("delete CloudFront Function {name}"),
            Step::DeleteStore { name } => format!("delete KeyValueStore {name}"),
        }
    }
}

/// The steps, or why nothing can be done.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    pub steps: Vec<Step>,
    /// Why the plan cannot be carried out; when not empty, nothing may be done.
    pub refused: Vec<String>,
    /// What the operator should know that changes nothing (behaviors already routed...).
    pub notes: Vec<String>,
}

impl Plan {
    pub fn is_noop(&self) -> bool {
        self.steps.is_empty() && self.refused.is_empty()
    }
}

/// The steps that install the router on `wanted` behaviors (path patterns; `*` the default). A
/// behavior whose viewer-request function is someone else's refuses the whole plan: CloudFront
/// allows one function per event type.
// Long: one pass per piece (store, function, behaviors), in install order, each saying why.
pub fn plan_install(distribution_id: &str, found: &Found, wanted: &[String]) -> Plan {
    let store = store_name(distribution_id);
    let function = function_name(distribution_id);
    let mut plan = Plan::default();

    let mut to_associate = Vec::new();
    for path in wanted {
        match found.behaviors.iter().find(|b| &b.path == path) {
            None => plan.refused.push(format!(
                "the distribution has no behavior with path pattern {path}; its patterns are {}",
                found.behaviors.iter().map(|b| b.path.as_str()).collect::<Vec<_>>().join(", ")
            )),
            Some(FoundBehavior { viewer_request: Some(arn), .. }) if is_router_arn(arn, distribution_id) => {
                plan.notes.push(format!("{path} already runs the router"));
            }
            Some(FoundBehavior { viewer_request: Some(arn), .. }) => plan.refused.push(format!(
                "{path} already has a viewer-request function ({arn}) and CloudFront allows one per event type; leave {path} out (--route) or remove that function from it"
            )),
            Some(_) => {
                if !to_associate.contains(path) {
                    to_associate.push(path.clone());
                }
            }
        }
    }
    if wanted.is_empty() {
        plan.refused.push(
            "no behavior to route: the config names no switchable route on this distribution; choose some with --route PATTERN"
                .to_string(),
        );
    }

    let mut store_new = false;
    match &found.store {
        None => {
            plan.steps.push(Step::CreateStore { name: store.clone() });
            store_new = true;
        }
        Some(s) if s.status == "READY" => {}
        Some(s) if s.status == "FAILED" => plan.refused.push(format!(
            "KeyValueStore {store} is FAILED; delete it with `cutover router remove --yes` and install again"
        )),
        Some(_) => plan.steps.push(Step::WaitForStore { name: store.clone() }),
    }

    let mut publish = false;
    match &found.function {
        None => {
            plan.steps.push(Step::CreateFunction { name: function.clone() });
            publish = true;
        }
        Some(f) => {
            let store_ok = !store_new && found.store.as_ref().is_some_and(|s| f.store_arns == [s.arn.clone()]);
            let why = match (f.development_code == ROUTER_JS, store_ok) {
                (true, true) => None,
                (false, true) => Some("its code differs from the embedded router.js".to_string()),
                (true, false) => Some(format!("associate store {store}")),
                (false, false) => Some(format!("the embedded router.js, and associate store {store}")),
            };
            if let Some(why) = why {
                plan.steps.push(Step::UpdateFunction { name: function.clone(), why });
                publish = true;
            } else if f.live_code.as_deref() != Some(ROUTER_JS) {
                publish = true;
            }
        }
    }
    if publish {
        plan.steps.push(Step::TestFunction { name: function.clone() });
        plan.steps.push(Step::PublishFunction { name: function });
    }
    if !to_associate.is_empty() {
        plan.steps.push(Step::Associate { paths: to_associate });
    }
    if !plan.refused.is_empty() {
        plan.steps.clear();
    }
    plan
}

/// The steps that remove the router: off the `chosen` behaviors (every behavior running it when
/// `None`), then, when no behavior runs it any more, the function and then the store.
pub fn plan_remove(distribution_id: &str, found: &Found, chosen: Option<&[String]>) -> Plan {
    let mut plan = Plan::default();
    let running: Vec<&FoundBehavior> = found
        .behaviors
        .iter()
        .filter(|b| b.viewer_request.as_deref().is_some_and(|arn| is_router_arn(arn, distribution_id)))
        .collect();
    let off: Vec<String> = match chosen {
        None => running.iter().map(|b| b.path.clone()).collect(),
        Some(chosen) => {
            for path in chosen {
                if !running.iter().any(|b| &b.path == path) {
                    plan.notes.push(format!("{path} does not run the router"));
                }
            }
            running.iter().filter(|b| chosen.contains(&b.path)).map(|b| b.path.clone()).collect()
        }
    };
    let left = running.len() - off.len();
    if !off.is_empty() {
        plan.steps.push(Step::Dissociate { paths: off });
    }
    if left > 0 {
        plan.notes.push(format!(
            "{left} behavior(s) still run the router, so the function and the store stay; remove without --route to remove them too"
        ));
        return plan;
    }
    if found.function.is_some() {
        plan.steps.push(Step::DeleteFunction { name: function_name(distribution_id) });
    }
    if found.store.is_some() {
        plan.steps.push(Step::DeleteStore { name: store_name(distribution_id) });
    }
    plan
}

/// What `cutover router status` says: one line per piece, and whether all is installed and current.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Status {
    pub lines: Vec<String>,
    /// Everything wanted is installed and the function runs the embedded code.
    pub complete: bool,
}

pub fn status(distribution_id: &str, found: &Found, wanted: &[String]) -> Status {
    let store = store_name(distribution_id);
    let function = function_name(distribution_id);
    let mut lines = Vec::new();
    lines.push(match &found.store {
        Some(s) => format!("store     {store}: {}", s.status),
        None => format!("store     {store}: absent"),
    });
    lines.push(match &found.function {
        None => format!("function  {function}: absent"),
        Some(f) => {
            let development = if f.development_code == ROUTER_JS { "matches" } else { "differs from" };
            let live = match f.live_code.as_deref() {
                None => "never published".to_string(),
                Some(code) if code == ROUTER_JS => "LIVE matches the embedded router.js".to_string(),
                Some(_) => "LIVE differs from the embedded router.js".to_string(),
            };
            format!("function  {function}: {live}; DEVELOPMENT {development} it")
        }
    });
    for b in &found.behaviors {
        let runs = match b.viewer_request.as_deref() {
            Some(arn) if is_router_arn(arn, distribution_id) => "runs the router".to_string(),
            Some(arn) => format!("has another viewer-request function ({arn})"),
            None => "no viewer-request function".to_string(),
        };
        let mark = if wanted.contains(&b.path) { "wanted" } else { "      " };
        lines.push(format!("behavior  {} [{mark}]: {runs}", b.path));
    }
    let complete = plan_install(distribution_id, found, wanted).is_noop();
    Status { lines, complete }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "E123";
    const STORE_ARN: &str = "arn:aws:cloudfront::111122223333:key-value-store/abc";

    fn arn() -> String {
        format!("arn:aws:cloudfront::111122223333:function/{}", function_name(ID))
    }

    fn behaviors(on: &[(&str, Option<&str>)]) -> Vec<FoundBehavior> {
        on.iter().map(|(p, f)| FoundBehavior { path: p.to_string(), viewer_request: f.map(str::to_string) }).collect()
    }

    fn fresh() -> Found {
        Found { store: None, function: None, behaviors: behaviors(&[("/a/*", None), ("/b/*", None), ("*", None)]) }
    }

    fn complete() -> Found {
        let ours = arn();
        Found {
            store: Some(FoundStore { arn: STORE_ARN.into(), status: "READY".into() }),
            function: Some(FoundFunction {
                arn: arn(),
                development_code: ROUTER_JS.into(),
                live_code: Some(ROUTER_JS.into()),
                store_arns: vec![STORE_ARN.into()],
            }),
            behaviors: behaviors(&[("/a/*", Some(&ours)), ("/b/*", Some(&ours)), ("*", None)]),
        }
    }

    fn wanted() -> Vec<String> {
        vec!["/a/*".into(), "/b/*".into()]
    }

    fn kinds(plan: &Plan) -> Vec<&'static str> {
        plan.steps.iter().map(Step::kind).collect()
    }

    #[test]
    fn names_are_derived_from_the_distribution_and_recognised_in_arns() {
        assert_eq!((store_name(ID), function_name(ID)), ("cutover-E123".into(), "cutover-router-E123".into()));
        assert!(is_router_arn(&arn(), ID));
        assert!(!is_router_arn("arn:aws:cloudfront::1:function/cutover-router-E1234", ID));
        assert!(!is_router_arn("arn:aws:cloudfront::1:function/other", ID));
    }

    #[test]
    fn a_fresh_install_creates_tests_publishes_then_associates_once() {
        let plan = plan_install(ID, &fresh(), &wanted());
        assert_eq!(kinds(&plan), ["create_store", "create_function", "test_function", "publish_function", "associate"]);
        assert_eq!(plan.steps.last().unwrap().paths(), wanted());
        assert!(plan.refused.is_empty() && plan.notes.is_empty());
    }

    #[test]
    fn a_complete_install_plans_nothing() {
        let plan = plan_install(ID, &complete(), &wanted());
        assert!(plan.is_noop(), "{plan:?}");
        assert_eq!(plan.notes.len(), 2);
        assert!(status(ID, &complete(), &wanted()).complete);
    }

    #[test]
    fn a_partial_install_does_only_what_is_missing() {
        // The store exists; the function was created but never published; nothing associated.
        let mut found = complete();
        found.function.as_mut().unwrap().live_code = None;
        found.behaviors = behaviors(&[("/a/*", Some(&arn())), ("/b/*", None), ("*", None)]);
        let plan = plan_install(ID, &found, &wanted());
        assert_eq!(kinds(&plan), ["test_function", "publish_function", "associate"]);
        assert_eq!(plan.steps[2].paths(), ["/b/*"]);
        assert!(!status(ID, &found, &wanted()).complete);

        // Only the store exists, still provisioning.
        let mut found = fresh();
        found.store = Some(FoundStore { arn: STORE_ARN.into(), status: "PROVISIONING".into() });
        assert_eq!(
            kinds(&plan_install(ID, &found, &wanted())),
            ["wait_for_store", "create_function", "test_function", "publish_function", "associate"]
        );
    }

    #[test]
    fn drifted_code_is_updated_tested_and_published_and_nothing_else() {
        let mut found = complete();
        let f = found.function.as_mut().unwrap();
        f.development_code = "// edited by hand".into();
        f.live_code = Some("// edited by hand".into());
        let plan = plan_install(ID, &found, &wanted());
        assert_eq!(kinds(&plan), ["update_function", "test_function", "publish_function"]);
        assert!(plan.steps[0].describe().contains("code differs"), "{}", plan.steps[0].describe());
        let text = status(ID, &found, &wanted());
        assert!(!text.complete);
        assert!(text.lines[1].contains("LIVE differs"), "{:?}", text.lines);
    }

    #[test]
    fn a_function_without_its_store_is_reassociated() {
        let mut found = complete();
        found.store = None;
        let plan = plan_install(ID, &found, &wanted());
        assert_eq!(kinds(&plan), ["create_store", "update_function", "test_function", "publish_function"]);
        assert!(plan.steps[1].describe().contains("associate store cutover-E123"));
    }

    #[test]
    fn a_foreign_viewer_request_function_refuses_the_whole_install() {
        let mut found = fresh();
        found.behaviors[1].viewer_request = Some("arn:aws:cloudfront::1:function/auth".into());
        let plan = plan_install(ID, &found, &wanted());
        assert!(plan.steps.is_empty(), "nothing is created when any behavior is refused: {plan:?}");
        assert_eq!(plan.refused.len(), 1);
        assert!(plan.refused[0].contains("/b/* already has a viewer-request function"), "{:?}", plan.refused);
        assert!(plan.refused[0].contains("one per event type"));
        // Leaving it out works.
        let plan = plan_install(ID, &found, &["/a/*".to_string()]);
        assert_eq!(plan.steps.last().unwrap().paths(), ["/a/*"]);
    }

    #[test]
    fn unknown_routes_and_no_routes_are_refused() {
        let plan = plan_install(ID, &fresh(), &["/nope/*".to_string()]);
        assert!(plan.steps.is_empty() && plan.refused[0].contains("no behavior with path pattern /nope/*"));
        let plan = plan_install(ID, &fresh(), &[]);
        assert!(plan.refused[0].contains("--route"), "{:?}", plan.refused);
    }

    #[test]
    fn a_failed_store_is_refused_with_what_to_do() {
        let mut found = fresh();
        found.store = Some(FoundStore { arn: STORE_ARN.into(), status: "FAILED".into() });
        let plan = plan_install(ID, &found, &wanted());
        assert!(plan.steps.is_empty() && plan.refused[0].contains("router remove"), "{plan:?}");
    }

    #[test]
    fn remove_undoes_in_reverse_order_and_only_what_is_ours() {
        let mut found = complete();
        found.behaviors[2].viewer_request = Some("arn:aws:cloudfront::1:function/auth".into());
        let plan = plan_remove(ID, &found, None);
        assert_eq!(kinds(&plan), ["dissociate", "delete_function", "delete_store"]);
        assert_eq!(plan.steps[0].paths(), wanted(), "the foreign function on * stays");

        let nothing = plan_remove(ID, &fresh(), None);
        assert!(nothing.is_noop(), "{nothing:?}");

        // Only the function left over: it goes, no association update.
        let mut half = fresh();
        half.function = complete().function;
        assert_eq!(kinds(&plan_remove(ID, &half, None)), ["delete_function"]);
    }

    #[test]
    fn removing_some_routes_keeps_the_function_and_store_for_the_others() {
        let plan = plan_remove(ID, &complete(), Some(&["/a/*".to_string()]));
        assert_eq!(kinds(&plan), ["dissociate"]);
        assert_eq!(plan.steps[0].paths(), ["/a/*"]);
        assert!(plan.notes[0].contains("1 behavior(s) still run the router"), "{:?}", plan.notes);
        let all = plan_remove(ID, &complete(), Some(&wanted()));
        assert_eq!(kinds(&all), ["dissociate", "delete_function", "delete_store"]);
    }
}
