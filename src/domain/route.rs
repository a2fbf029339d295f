//! Routes and targets: which side serves a route, the pair of origins it moves between, the
//! distribution's topology as read, and one route's move.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::preflight::{BehaviorPolicies, PolicyBook};

/// Who serves a route: the new Lambda functions or the old origin (ELB / EC2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Target {
    Lambda,
    Origin,
}

impl Target {
    pub fn other(self) -> Self {
        match self {
            Target::Lambda => Target::Origin,
            Target::Origin => Target::Lambda,
        }
    }

    /// A symbol so that the target never rides on colour alone.
    pub fn symbol(self) -> &'static str {
        match self {
            Target::Lambda => "λ",
            Target::Origin => "◼",
        }
    }

    pub fn word(self) -> &'static str {
        match self {
            Target::Lambda => "Lambda",
            Target::Origin => "origin",
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.symbol(), self.word())
    }
}

/// CloudFront's view of a distribution's rollout of its latest config.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DeployStatus {
    Deployed,
    InProgress,
}

impl fmt::Display for DeployStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DeployStatus::Deployed => "Deployed",
            DeployStatus::InProgress => "InProgress",
        })
    }
}

/// What `status` says of a route nothing moves (an S3 origin, a route the config pins).
pub const NOT_SWITCHABLE: &str = "⊘ not switchable";
/// The same in the route table's narrow target column; the detail pane's title gives the reason.
pub const NOT_SWITCHABLE_SHORT: &str = "⊘ fixed";

/// The two origins a route moves between: the Lambda origin it goes to and the legacy origin it
/// goes back to (its home), with the origin request policy to attach on each side when the config
/// names one.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OriginPair {
    pub lambda: String,
    pub legacy: String,
    pub lambda_request_policy: Option<String>,
    pub legacy_request_policy: Option<String>,
}

impl OriginPair {
    pub fn origin(&self, target: Target) -> &str {
        match target {
            Target::Lambda => &self.lambda,
            Target::Origin => &self.legacy,
        }
    }

    pub fn request_policy(&self, target: Target) -> Option<&str> {
        match target {
            Target::Lambda => self.lambda_request_policy.as_deref(),
            Target::Origin => self.legacy_request_policy.as_deref(),
        }
    }
}

/// One route: a cache behavior (or the default behavior, path `*`) and the origin it sends to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteInfo {
    pub path: String,
    pub origin_id: String,
    /// Which side serves it now; `None` when its origin is neither a Lambda nor a legacy origin
    /// (an S3 bucket, an origin group mixing both, an origin the config does not list).
    pub target: Option<Target>,
    /// Where the route moves, or why nothing ever moves it.
    pub pair: Result<OriginPair, String>,
    /// The behavior's policies as fetched, for the compatibility pre-flight.
    pub behavior: BehaviorPolicies,
    /// The ARN of the behavior's viewer-request function as fetched, if it has one (the router's,
    /// when it runs the router).
    pub viewer_request: Option<String>,
}

/// The side a route is on and its pair, when it can be switched; else why not.
pub fn switchable<'a>(
    target: Option<Target>,
    pair: &'a Result<OriginPair, String>,
    origin_id: &str,
) -> Result<(Target, &'a OriginPair), String> {
    let pair = pair.as_ref().map_err(Clone::clone)?;
    let target = target.ok_or_else(|| format!("its origin {origin_id} is neither Lambda nor legacy"))?;
    Ok((target, pair))
}

impl RouteInfo {
    /// The side it is on and its pair, when it can be switched.
    pub fn switchable(&self) -> Result<(Target, &OriginPair), String> {
        switchable(self.target, &self.pair, &self.origin_id)
    }

    /// Why it cannot be switched, if it cannot.
    pub fn not_switchable(&self) -> Option<String> {
        self.switchable().err()
    }
}

/// What the console knows about a distribution's routing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Topology {
    pub distribution_id: String,
    pub status: DeployStatus,
    pub etag: String,
    /// Routes in CloudFront precedence order; the default behavior `*` comes last.
    pub routes: Vec<RouteInfo>,
    /// Custom policies the behaviors name, as read, for the pre-flight.
    pub policies: PolicyBook,
    /// What is wrong with the distribution's shape (duplicate path patterns...), said at start-up.
    pub problems: Vec<String>,
}

impl Topology {
    pub fn route(&self, path: &str) -> Option<&RouteInfo> {
        self.routes.iter().find(|r| r.path == path)
    }
}

/// A route read back somewhere other than where it was asked: the route, and the origin it is on
/// now (`None` when the distribution no longer has it).
pub type Misplaced = (String, Option<String>);

/// What a distribution says after a write, read again: its deploy status and the origin each route
/// targets now, under the names the topology gives the routes. A switch is done only when this
/// agrees with what was asked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadBack {
    pub status: DeployStatus,
    /// (route, origin id), every route of the distribution.
    pub origins: Vec<(String, String)>,
}

impl ReadBack {
    /// What a topology says, as a read-back.
    pub fn of(topology: &Topology) -> Self {
        let origins = topology.routes.iter().map(|r| (r.path.clone(), r.origin_id.clone())).collect();
        ReadBack { status: topology.status, origins }
    }

    /// The origin `path` targets now, or `None` when the distribution has no such route.
    pub fn origin_of(&self, path: &str) -> Option<&str> {
        self.origins.iter().find(|(p, _)| p == path).map(|(_, origin)| origin.as_str())
    }

    /// Each of `changes` that is not where it was asked to be: (route, the origin it is on now, or
    /// `None` when it is gone).
    pub fn not_as_asked<'a>(
        &self,
        changes: impl IntoIterator<Item = &'a RouteChange>,
    ) -> Vec<(String, Option<String>)> {
        changes
            .into_iter()
            .filter_map(|c| match self.origin_of(&c.path) {
                Some(origin) if origin == c.to_origin_id => None,
                found => Some((c.path.clone(), found.map(str::to_string))),
            })
            .collect()
    }
}

/// One route's move, as the operator saw it: from the origin id it had, to the one it should get.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteChange {
    pub path: String,
    pub from_origin_id: String,
    pub to_origin_id: String,
    /// The side it moves to.
    pub to: Target,
    /// The origin request policy attached in the same update: (the one it had, the new one).
    pub request_policy: Option<(Option<String>, String)>,
    /// Set when the operator overrode the pre-flight on purpose: why.
    pub override_reason: Option<String>,
}

impl RouteChange {
    /// A plain move of `path` from one origin to another on side `to`: no policy swap, no override.
    pub fn new(path: &str, from_origin_id: &str, to_origin_id: &str, to: Target) -> Self {
        RouteChange {
            path: path.to_string(),
            from_origin_id: from_origin_id.to_string(),
            to_origin_id: to_origin_id.to_string(),
            to,
            request_policy: None,
            override_reason: None,
        }
    }

    /// `/admin/* λ Lambda (apigw-prod) → ◼ origin (legacy-elb-2)`, and the policy swap if any.
    pub fn describe(&self) -> String {
        let mut text = format!(
            "{} {} ({}) → {} ({})",
            self.path,
            self.to.other(),
            self.from_origin_id,
            self.to,
            self.to_origin_id
        );
        if let Some((from, to)) = &self.request_policy {
            text.push_str(&format!(", origin request policy {} → {to}", from.as_deref().unwrap_or("none")));
        }
        text
    }
}
