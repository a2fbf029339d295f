use std::fmt;

use serde::{Deserialize, Serialize};

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

/// One route: a cache behavior (or the default behavior, path `*`) and the origin it sends to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteInfo {
    pub path: String,
    pub origin_id: String,
    pub target: Target,
}

/// What the console knows about a distribution's routing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Topology {
    pub distribution_id: String,
    pub status: DeployStatus,
    pub etag: String,
    /// Routes in CloudFront precedence order; the default behavior `*` comes last.
    pub routes: Vec<RouteInfo>,
    /// The origin id a route is pointed at when it is switched to Lambda.
    pub lambda_origin_id: String,
    /// The origin id a route is pointed at when it is switched to the origin.
    pub legacy_origin_id: String,
}

impl Topology {
    pub fn origin_id_for(&self, target: Target) -> &str {
        match target {
            Target::Lambda => &self.lambda_origin_id,
            Target::Origin => &self.legacy_origin_id,
        }
    }

    pub fn route(&self, path: &str) -> Option<&RouteInfo> {
        self.routes.iter().find(|r| r.path == path)
    }
}

/// One route's move, as the operator saw it: from the origin id it had, to the one it should get.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteChange {
    pub path: String,
    pub from_origin_id: String,
    pub to_origin_id: String,
}
