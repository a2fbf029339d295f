//! The router's install and removal, planned: from what exists in the account (the store and its
//! keys, the function and its code, each behavior's viewer-request function) and the behaviors
//! wanted, the ordered steps that install or remove it. Pure: no IO; `backend::aws::router` reads
//! and carries out.
//!
//! A behavior is routed only when three pieces agree: it runs the router's function (as the
//! distribution says), the store's index lists it, and its `route:` record decodes. Install writes
//! the index and a share-0 record for every routed behavior that has no readable one (never
//! touching a record that reads), in one `UpdateKeys` with `IfMatch`, before the function is tested
//! on a request for a routed path, so the test proves the store is wired.
//!
//! Names are derived from the distribution id, so that what cutover made is found again: the store
//! `cutover-<id>`, the function `cutover-router-<id>`. Anything with those names counts as cutover's.

use std::collections::BTreeMap;

use super::{
    INDEX_KEY, IndexPage, MAX_INDEX_PAGES, ROUTE_KEY_PREFIX, ROUTER_JS, RouteRecord, index_entries, index_key,
};

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
    /// What the store holds, read over its data plane.
    pub keys: Keys,
    /// The origins a record names, by behavior path, from the config (the switchable ones).
    pub origins: BTreeMap<String, RecordOrigins>,
    /// The distribution's status when it is not `Deployed` (`InProgress`): its associations are
    /// not yet at every edge.
    pub deploying: Option<String>,
}

/// The store's keys as read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Keys {
    /// No store yet (or it was not read): nothing in it.
    #[default]
    Absent,
    Read {
        etag: String,
        items: BTreeMap<String, String>,
    },
    /// The data plane could not be read: why.
    Unreadable(String),
}

impl Keys {
    /// The items, empty when there is no store; `None` when they could not be read.
    pub fn items(&self) -> Option<BTreeMap<String, String>> {
        match self {
            Keys::Absent => Some(BTreeMap::new()),
            Keys::Read { items, .. } => Some(items.clone()),
            Keys::Unreadable(_) => None,
        }
    }
}

/// What a route's record names: the Lambda origin and the home (the behavior's own origin).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordOrigins {
    pub lambda: String,
    pub home: String,
}

/// A route's record as the function would read it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RecordState {
    Missing,
    /// Present but refused by the record rules: why.
    Unreadable(String),
    Read(RouteRecord),
}

/// The routed path patterns the index lists, read page by page as the function reads them, or
/// why the function would find no route through it.
pub fn index_of(items: &BTreeMap<String, String>) -> Result<Vec<String>, String> {
    let mut key = INDEX_KEY.to_string();
    let mut routes = Vec::new();
    for _ in 0..MAX_INDEX_PAGES {
        let Some(value) = items.get(&key) else {
            return Err(if key == INDEX_KEY {
                "the store has no index".to_string()
            } else {
                format!("index page {key} is missing")
            });
        };
        let page = IndexPage::decode(value).map_err(|e| format!("index page {key} is unreadable: {e}"))?;
        routes.extend(page.routes);
        match page.next {
            Some(next) => key = next,
            None => return Ok(routes),
        }
    }
    Err(format!("the index runs over {MAX_INDEX_PAGES} pages"))
}

/// The record of the behavior at `pattern`, as the function would read it.
pub fn record_of(items: &BTreeMap<String, String>, pattern: &str) -> RecordState {
    match items.get(&format!("{ROUTE_KEY_PREFIX}{pattern}")) {
        None => RecordState::Missing,
        Some(value) => match RouteRecord::decode(value) {
            Ok(record) => RecordState::Read(record),
            Err(error) => RecordState::Unreadable(error.to_string()),
        },
    }
}

/// What one `UpdateKeys` (or a few, 50 keys each) must write so that the store agrees with the
/// behaviors running the router.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeyWrites {
    pub puts: Vec<(String, String)>,
    pub deletes: Vec<String>,
    /// What is written and why, in words.
    pub lines: Vec<String>,
}

impl KeyWrites {
    pub fn is_empty(&self) -> bool {
        self.puts.is_empty() && self.deletes.is_empty()
    }
}

/// The writes that make `items` agree with `routed` (the behaviors that run, or are about to run,
/// the router, in the distribution's order): the index pages that differ, stale pages deleted, a
/// share-0 record for each routed behavior whose record is missing or unreadable (one that reads is
/// never touched, whatever its share), and the records of `removed` behaviors deleted.
pub fn key_writes(
    items: &BTreeMap<String, String>,
    routed: &[String],
    removed: &[String],
    origins: &BTreeMap<String, RecordOrigins>,
) -> Result<KeyWrites, String> {
    let mut writes = KeyWrites::default();
    let pages = index_entries(routed).map_err(|e| e.to_string())?;
    let mut index_changed = false;
    for (key, value) in &pages {
        if items.get(key) != Some(value) {
            writes.puts.push((key.clone(), value.clone()));
            index_changed = true;
        }
    }
    for n in pages.len() + 1..=MAX_INDEX_PAGES + 1 {
        let key = index_key(n);
        if items.contains_key(&key) {
            writes.deletes.push(key);
            index_changed = true;
        }
    }
    if index_changed {
        let listed = if routed.is_empty() { "nothing".to_string() } else { routed.join(", ") };
        writes.lines.push(format!("the index lists {listed}"));
    }
    for pattern in routed {
        let why = match record_of(items, pattern) {
            RecordState::Read(_) => continue,
            RecordState::Missing => "it had none",
            RecordState::Unreadable(_) => "its record was unreadable",
        };
        let Some(origins) = origins.get(pattern) else {
            return Err(format!(
                "{pattern} runs the router but the config names no Lambda origin and home for it, so no record can be written; add it to the config, or take the router off it with `cutover router remove --route {pattern}`"
            ));
        };
        let key = RouteRecord::key(pattern).map_err(|e| e.to_string())?;
        let record = RouteRecord::new(0, &origins.lambda, &origins.home, None)
            .and_then(|r| r.encode())
            .map_err(|e| format!("the record of {pattern}: {e}"))?;
        writes.puts.push((key, record));
        writes
            .lines
            .push(format!("a share-0 record for {pattern} (Lambda {}, home {}): {why}", origins.lambda, origins.home));
    }
    for pattern in removed {
        let key = format!("{ROUTE_KEY_PREFIX}{pattern}");
        if items.contains_key(&key) && !routed.contains(pattern) {
            writes.deletes.push(key);
            writes.lines.push(format!("the record of {pattern} deleted: its behavior no longer runs the router"));
        }
    }
    Ok(writes)
}

/// The behaviors that run the router once `adding` have it and `removing` do not, in the
/// distribution's order.
pub fn routed_after(distribution_id: &str, found: &Found, adding: &[String], removing: &[String]) -> Vec<String> {
    found
        .behaviors
        .iter()
        .filter(|b| {
            let runs = b.viewer_request.as_deref().is_some_and(|arn| is_router_arn(arn, distribution_id));
            (runs || adding.contains(&b.path)) && !removing.contains(&b.path)
        })
        .map(|b| b.path.clone())
        .collect()
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
pub enum InstallStep {
    /// `CreateKeyValueStore`, then `DescribeKeyValueStore` until it is `READY`.
    CreateStore { name: String },
    /// `DescribeKeyValueStore` until a store still provisioning is `READY`.
    WaitForStore { name: String },
    /// `UpdateKeys` with `IfMatch` (re-read and re-planned on a stale ETag): the index lists
    /// `routes` (the behaviors that will run the router), every one of them has a readable record
    /// (share 0 where it had none), and the records of `removed` are deleted.
    WriteKeys { name: String, routes: Vec<String>, removed: Vec<String> },
    /// `CreateFunction`: the embedded code, runtime cloudfront-js-2.0, the store associated.
    CreateFunction { name: String },
    /// `UpdateFunction` (DEVELOPMENT stage), with why.
    UpdateFunction { name: String, why: String },
    /// `TestFunction` on sample viewer-request events, DEVELOPMENT stage: one for a path of the
    /// routed behavior `route`, whose logs must say the function read its record and chose the
    /// origin the record gives.
    TestFunction { name: String, route: Option<String> },
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

impl InstallStep {
    /// A short name for the audit trail and JSON (`create_store`...).
    pub fn kind(&self) -> &'static str {
        match self {
            InstallStep::CreateStore { .. } => "create_store",
            InstallStep::WaitForStore { .. } => "wait_for_store",
            InstallStep::WriteKeys { .. } => "write_keys",
            InstallStep::CreateFunction { .. } => "create_function",
            InstallStep::UpdateFunction { .. } => "update_function",
            InstallStep::TestFunction { .. } => "test_function",
            InstallStep::PublishFunction { .. } => "publish_function",
            InstallStep::Associate { .. } => "associate",
            InstallStep::Dissociate { .. } => "dissociate",
            InstallStep::DeleteFunction { .. } => "delete_function",
            InstallStep::DeleteStore { .. } => "delete_store",
        }
    }

    /// The behaviors a step changes (empty for the others).
    pub fn paths(&self) -> &[String] {
        match self {
            InstallStep::Associate { paths } | InstallStep::Dissociate { paths } => paths,
            InstallStep::WriteKeys { routes, .. } => routes,
            _ => &[],
        }
    }

    /// What the step changes, in words.
    pub fn describe(&self) -> String {
        match self {
            InstallStep::CreateStore { name } => format!("create KeyValueStore {name} and wait until it is READY"),
            InstallStep::WaitForStore { name } => format!("wait until KeyValueStore {name} is READY"),
            InstallStep::CreateFunction { name } => format!(
                "create CloudFront Function {name} (cloudfront-js-2.0, the embedded router.js, {} bytes) with the store associated",
                ROUTER_JS.len()
            ),
            InstallStep::UpdateFunction { name, why } => format!("update CloudFront Function {name}: {why}"),
            InstallStep::WriteKeys { name, routes, removed } => {
                let listed = if routes.is_empty() { "nothing".to_string() } else { routes.join(", ") };
                let mut text = format!(
                    "one UpdateKeys on KeyValueStore {name} (IfMatch): the index lists {listed}, and each has a record (share 0 where it has no readable one; a record that reads is kept)"
                );
                if !removed.is_empty() {
                    text.push_str(&format!("; the records of {} deleted", removed.join(", ")));
                }
                text
            }
            InstallStep::TestFunction { name, route: Some(route) } => {
                format!(
                    "test {name} on sample viewer-request events, one for {route} (its logs must show the record read)"
                )
            }
            InstallStep::TestFunction { name, route: None } => format!("test {name} on sample viewer-request events"),
            InstallStep::PublishFunction { name } => format!("publish {name} (DEVELOPMENT becomes LIVE)"),
            InstallStep::Associate { paths } => format!(
                "one UpdateDistribution: add the router as viewer-request function to {} (takes the usual minutes to deploy)",
                paths.join(", ")
            ),
            InstallStep::Dissociate { paths } => format!(
                "one UpdateDistribution: take the router off {} (takes the usual minutes to deploy)",
                paths.join(", ")
            ),
            InstallStep::DeleteFunction { name } => format!("delete CloudFront Function {name}"),
            InstallStep::DeleteStore { name } => format!("delete KeyValueStore {name}"),
        }
    }
}

/// The steps, or why nothing can be done.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InstallPlan {
    pub steps: Vec<InstallStep>,
    /// Why the plan cannot be carried out; when not empty, nothing may be done.
    pub refused: Vec<String>,
    /// What the operator should know that changes nothing (behaviors already routed...).
    pub notes: Vec<String>,
}

impl InstallPlan {
    pub fn is_noop(&self) -> bool {
        self.steps.is_empty() && self.refused.is_empty()
    }
}

/// The steps that install the router on `wanted` behaviors (path patterns; `*` the default). A
/// behavior whose viewer-request function is someone else's refuses the whole plan: CloudFront
/// allows one function per event type.
// Long: one pass per piece (store, function, behaviors), in install order, each saying why.
pub fn plan_install(distribution_id: &str, found: &Found, wanted: &[String]) -> InstallPlan {
    let store = store_name(distribution_id);
    let function = function_name(distribution_id);
    let mut plan = InstallPlan::default();

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
            plan.steps.push(InstallStep::CreateStore { name: store.clone() });
            store_new = true;
        }
        Some(s) if s.status == "READY" => {}
        Some(s) if s.status == "FAILED" => plan.refused.push(format!(
            "KeyValueStore {store} is FAILED; delete it with `cutover router remove --yes` and install again"
        )),
        Some(_) => plan.steps.push(InstallStep::WaitForStore { name: store.clone() }),
    }

    // The store's keys, before the function is tested: the test reads them.
    let routed = routed_after(distribution_id, found, &to_associate, &[]);
    match found.keys.items() {
        Some(items) if found.store.is_some() && !store_new => match key_writes(&items, &routed, &[], &found.origins) {
            Ok(writes) if writes.is_empty() => {}
            Ok(_) => plan.steps.push(InstallStep::WriteKeys {
                name: store.clone(),
                routes: routed.clone(),
                removed: Vec::new(),
            }),
            Err(why) => plan.refused.push(why),
        },
        // A new store, or keys that could not be read: written (after a fresh read) all the same,
        // once the origins are known for every routed behavior.
        _ => match key_writes(&BTreeMap::new(), &routed, &[], &found.origins) {
            Ok(_) => plan.steps.push(InstallStep::WriteKeys {
                name: store.clone(),
                routes: routed.clone(),
                removed: Vec::new(),
            }),
            Err(why) => plan.refused.push(why),
        },
    }

    let mut publish = false;
    match &found.function {
        None => {
            plan.steps.push(InstallStep::CreateFunction { name: function.clone() });
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
                plan.steps.push(InstallStep::UpdateFunction { name: function.clone(), why });
                publish = true;
            } else if f.live_code.as_deref() != Some(ROUTER_JS) {
                publish = true;
            }
        }
    }
    if publish {
        plan.steps.push(InstallStep::TestFunction { name: function.clone(), route: routed.first().cloned() });
        plan.steps.push(InstallStep::PublishFunction { name: function });
    }
    if !to_associate.is_empty() {
        plan.steps.push(InstallStep::Associate { paths: to_associate });
    }
    if !plan.refused.is_empty() {
        plan.steps.clear();
    }
    plan
}

/// The steps that remove the router: off the `chosen` behaviors (every behavior running it when
/// `None`), then, when no behavior runs it any more, the function and then the store.
pub fn plan_remove(distribution_id: &str, found: &Found, chosen: Option<&[String]>) -> InstallPlan {
    let mut plan = InstallPlan::default();
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
        plan.steps.push(InstallStep::Dissociate { paths: off.clone() });
    }
    if left > 0 {
        // The index follows the associations: the behaviors left, and the removed ones' records go.
        let routed = routed_after(distribution_id, found, &[], &off);
        let needed = match found.keys.items() {
            Some(items) => key_writes(&items, &routed, &off, &found.origins).map_or(true, |w| !w.is_empty()),
            None => true,
        };
        if found.store.is_some() && needed {
            plan.steps.push(InstallStep::WriteKeys { name: store_name(distribution_id), routes: routed, removed: off });
        }
        plan.notes.push(format!(
            "{left} behavior(s) still run the router, so the function and the store stay; remove without --route to remove them too"
        ));
        return plan;
    }
    if found.function.is_some() {
        plan.steps.push(InstallStep::DeleteFunction { name: function_name(distribution_id) });
    }
    if found.store.is_some() {
        plan.steps.push(InstallStep::DeleteStore { name: store_name(distribution_id) });
    }
    plan
}

/// What `cutover router status` says: one line per piece, and whether all is installed and current.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Status {
    pub lines: Vec<String>,
    /// Everything wanted is installed and the function runs the embedded code: for every wanted
    /// behavior, the association, the index and a readable record agree.
    pub complete: bool,
    /// What disagrees, one line each (empty when complete).
    pub problems: Vec<String>,
}

// Long: one line per piece (store, keys, function, each behavior with its three pieces), each
// saying what it found; apart they would each redo the same reads of `found`.
pub fn status(distribution_id: &str, found: &Found, wanted: &[String]) -> Status {
    let store = store_name(distribution_id);
    let function = function_name(distribution_id);
    let mut lines = Vec::new();
    let mut problems = Vec::new();
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
    let items = found.keys.items();
    let index = match (&found.keys, &items) {
        (Keys::Unreadable(why), _) => {
            problems.push(format!(
                "the store's keys could not be read ({why}): nothing is known of the index or the records"
            ));
            None
        }
        (_, Some(items)) if found.store.is_some() => match index_of(items) {
            Ok(routes) => {
                lines.push(format!(
                    "index     lists {}",
                    if routes.is_empty() { "nothing".to_string() } else { routes.join(", ") }
                ));
                Some(routes)
            }
            Err(why) => {
                lines.push(format!("index     {why}"));
                Some(Vec::new())
            }
        },
        _ => Some(Vec::new()),
    };
    for b in &found.behaviors {
        let router = b.viewer_request.as_deref().is_some_and(|arn| is_router_arn(arn, distribution_id));
        let runs = match b.viewer_request.as_deref() {
            Some(_) if router => "runs the router".to_string(),
            Some(arn) => format!("has another viewer-request function ({arn})"),
            None => "no viewer-request function".to_string(),
        };
        let is_wanted = wanted.contains(&b.path);
        let listed = index.as_ref().map(|routes| routes.contains(&b.path));
        let record = items.as_ref().map(|items| record_of(items, &b.path));
        let mut text = runs;
        if router || is_wanted || listed == Some(true) {
            text.push_str(match listed {
                Some(true) => "; the index lists it",
                Some(false) => "; the index does not list it",
                None => "; the index is unknown",
            });
            text.push_str(&match &record {
                Some(RecordState::Read(r)) => format!("; record: {} % to {}", r.share, r.lambda),
                Some(RecordState::Missing) => "; record: missing".to_string(),
                Some(RecordState::Unreadable(why)) => format!("; record: unreadable ({why})"),
                None => "; record: unknown".to_string(),
            });
        }
        let mark = if is_wanted { "wanted" } else { "      " };
        lines.push(format!("behavior  {} [{mark}]: {text}", b.path));
        let path = &b.path;
        if router && listed == Some(false) {
            problems.push(format!("{path} runs the router but the index does not list it: the function leaves its viewers on the behavior's origin"));
        }
        if !router && listed == Some(true) {
            problems.push(format!("the index lists {path} but its behavior does not run the router: no share of it reaches Lambda through the router"));
        }
        if is_wanted && !router {
            problems.push(format!("{path} is wanted but does not run the router"));
        }
        if router || is_wanted {
            match &record {
                Some(RecordState::Missing) => problems.push(format!("{path} has no record in the store")),
                Some(RecordState::Unreadable(why)) => {
                    problems.push(format!("the record of {path} is unreadable ({why})"))
                }
                _ => {}
            }
        }
    }
    if let Some(deploying) = &found.deploying {
        problems.push(format!(
            "the distribution is {deploying}, not Deployed: its behaviors' associations are not at every edge yet; run status again once `cutover status` shows it Deployed"
        ));
    }
    let plan = plan_install(distribution_id, found, wanted);
    let complete = plan.is_noop() && problems.is_empty();
    if !complete && problems.is_empty() {
        problems.push("the store or the function is not installed or not current".to_string());
    }
    Status { lines, complete, problems }
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

    fn origins() -> BTreeMap<String, RecordOrigins> {
        ["/a/*", "/b/*", "*"]
            .iter()
            .map(|p| (p.to_string(), RecordOrigins { lambda: "apigw".into(), home: "legacy".into() }))
            .collect()
    }

    fn fresh() -> Found {
        Found {
            store: None,
            function: None,
            behaviors: behaviors(&[("/a/*", None), ("/b/*", None), ("*", None)]),
            keys: Keys::Absent,
            origins: origins(),
            deploying: None,
        }
    }

    fn record(share: u8) -> String {
        RouteRecord::new(share, "apigw", "legacy", None).unwrap().encode().unwrap()
    }

    /// The keys of a complete install on /a/* and /b/*, /a/* at `share`.
    fn keys(share: u8) -> Keys {
        let mut items: BTreeMap<String, String> =
            index_entries(&["/a/*".to_string(), "/b/*".to_string()]).unwrap().into_iter().collect();
        items.insert("route:/a/*".into(), record(share));
        items.insert("route:/b/*".into(), record(0));
        Keys::Read { etag: "K1".into(), items }
    }

    fn items_of(found: &Found) -> BTreeMap<String, String> {
        found.keys.items().unwrap()
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
            keys: keys(25),
            origins: origins(),
            deploying: None,
        }
    }

    fn wanted() -> Vec<String> {
        vec!["/a/*".into(), "/b/*".into()]
    }

    fn kinds(plan: &InstallPlan) -> Vec<&'static str> {
        plan.steps.iter().map(InstallStep::kind).collect()
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
        assert_eq!(
            kinds(&plan),
            ["create_store", "write_keys", "create_function", "test_function", "publish_function", "associate"]
        );
        assert_eq!(plan.steps[1].paths(), wanted(), "the index lists the behaviors about to run the router");
        assert_eq!(plan.steps[3], InstallStep::TestFunction { name: function_name(ID), route: Some("/a/*".into()) });
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
            ["wait_for_store", "write_keys", "create_function", "test_function", "publish_function", "associate"]
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
        found.keys = Keys::Absent;
        let plan = plan_install(ID, &found, &wanted());
        assert_eq!(
            kinds(&plan),
            ["create_store", "write_keys", "update_function", "test_function", "publish_function"]
        );
        assert!(plan.steps[2].describe().contains("associate store cutover-E123"));
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
        assert_eq!(kinds(&plan), ["dissociate", "write_keys"]);
        assert_eq!(plan.steps[0].paths(), ["/a/*"]);
        assert_eq!(
            plan.steps[1],
            InstallStep::WriteKeys { name: store_name(ID), routes: vec!["/b/*".into()], removed: vec!["/a/*".into()] },
            "the index follows: /b/* alone, and /a/*'s record goes"
        );
        assert!(plan.notes[0].contains("1 behavior(s) still run the router"), "{:?}", plan.notes);
        let all = plan_remove(ID, &complete(), Some(&wanted()));
        assert_eq!(kinds(&all), ["dissociate", "delete_function", "delete_store"]);
    }

    #[test]
    fn install_writes_the_index_and_a_share_0_record_for_each_routed_behavior_that_lacks_one() {
        let empty = BTreeMap::new();
        let writes = key_writes(&empty, &wanted(), &[], &origins()).unwrap();
        let keys: Vec<&str> = writes.puts.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["routes", "route:/a/*", "route:/b/*"]);
        assert_eq!(writes.puts[0].1, r#"{"v":1,"routes":["/a/*","/b/*"]}"#);
        assert_eq!(writes.puts[1].1, record(0));
        assert!(writes.deletes.is_empty());
    }

    #[test]
    fn a_record_that_reads_is_never_lowered_and_an_unreadable_one_is_mended_at_share_0() {
        let mut items = items_of(&complete());
        let writes = key_writes(&items, &wanted(), &[], &origins()).unwrap();
        assert!(writes.is_empty(), "/a/* at 25 % stays: {writes:?}");
        items.insert("route:/a/*".into(), r#"{"v":1,"share":100.0,"lambda":"apigw","home":"legacy"}"#.into());
        let writes = key_writes(&items, &wanted(), &[], &origins()).unwrap();
        assert_eq!(writes.puts, vec![("route:/a/*".to_string(), record(0))]);
        assert!(writes.lines[0].contains("unreadable"), "{:?}", writes.lines);
    }

    #[test]
    fn an_index_that_disagrees_with_the_associations_is_rewritten_and_status_says_so() {
        let mut found = complete();
        let Keys::Read { items, .. } = &mut found.keys else { unreachable!() };
        items.insert("routes".into(), r#"{"v":1,"routes":["/b/*"]}"#.into());
        let plan = plan_install(ID, &found, &wanted());
        assert_eq!(kinds(&plan), ["write_keys"]);
        let said = status(ID, &found, &wanted());
        assert!(!said.complete);
        assert!(
            said.problems.iter().any(|p| p.contains("/a/* runs the router but the index does not list it")),
            "{:?}",
            said.problems
        );
        assert!(
            said.lines.iter().any(|l| l.contains(
                "behavior  /a/* [wanted]: runs the router; the index does not list it; record: 25 % to apigw"
            )),
            "{:?}",
            said.lines
        );
    }

    #[test]
    fn status_names_a_missing_or_unreadable_record_and_an_index_entry_without_association() {
        let mut found = complete();
        let Keys::Read { items, .. } = &mut found.keys else { unreachable!() };
        items.remove("route:/b/*");
        items.insert("routes".into(), r#"{"v":1,"routes":["/a/*","/b/*","*"]}"#.into());
        let said = status(ID, &found, &wanted());
        assert!(!said.complete);
        assert!(said.problems.iter().any(|p| p == "/b/* has no record in the store"), "{:?}", said.problems);
        assert!(said.problems.iter().any(|p| p.contains("the index lists * but its behavior does not run the router")));
        found.keys = Keys::Unreadable("AccessDenied".into());
        let said = status(ID, &found, &wanted());
        assert!(!said.complete && said.problems[0].contains("could not be read (AccessDenied)"), "{:?}", said.problems);
        assert!(status(ID, &complete(), &wanted()).problems.is_empty());
        let mut found = complete();
        found.deploying = Some("InProgress".into());
        let said = status(ID, &found, &wanted());
        assert!(
            !said.complete && said.problems[0].contains("the distribution is InProgress, not Deployed"),
            "{said:?}"
        );
    }

    #[test]
    fn a_behavior_without_known_origins_cannot_get_a_record_and_refuses_the_install() {
        let mut found = fresh();
        found.origins.remove("/b/*");
        let plan = plan_install(ID, &found, &wanted());
        assert!(plan.steps.is_empty());
        assert!(
            plan.refused[0].contains("/b/* runs the router but the config names no Lambda origin"),
            "{:?}",
            plan.refused
        );
    }

    #[test]
    fn adding_a_behavior_rewrites_the_index_in_the_distributions_order() {
        let mut found = complete();
        found.behaviors = behaviors(&[("/a/*", None), ("/b/*", Some(&arn())), ("*", None)]);
        let Keys::Read { items, .. } = &mut found.keys else { unreachable!() };
        items.insert("routes".into(), r#"{"v":1,"routes":["/b/*"]}"#.into());
        let plan = plan_install(ID, &found, &wanted());
        assert_eq!(kinds(&plan), ["write_keys", "associate"]);
        assert_eq!(plan.steps[0].paths(), wanted());
    }
}
