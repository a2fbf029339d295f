//! An API Gateway stage and its deployments, for the stage rollback: which API and stage a route's
//! Lambda side is served by, the deployments it could serve, and which one it serves now.

use jiff::Timestamp;

/// Which API and which of its stages.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StageRef {
    /// A REST API (API Gateway v1).
    Rest { rest_api_id: String, stage: String },
    /// An HTTP API (API Gateway v2).
    Http { api_id: String, stage: String },
}

impl StageRef {
    /// The API's id, REST or HTTP.
    pub fn api_id(&self) -> &str {
        match self {
            StageRef::Rest { rest_api_id, .. } => rest_api_id,
            StageRef::Http { api_id, .. } => api_id,
        }
    }

    /// The stage's name.
    pub fn stage(&self) -> &str {
        match self {
            StageRef::Rest { stage, .. } | StageRef::Http { stage, .. } => stage,
        }
    }

    /// `REST abc123/prod` or `HTTP xyz789/prod`, for the log and the screen.
    pub fn label(&self) -> String {
        let kind = match self {
            StageRef::Rest { .. } => "REST",
            StageRef::Http { .. } => "HTTP",
        };
        format!("{kind} {}/{}", self.api_id(), self.stage())
    }
}

/// A route's stage as the config names it, and the deployment to fall back to (the one whose
/// integration proxies to the monolith), if it names one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteStage {
    pub stage: StageRef,
    pub fallback_deployment: Option<String>,
}

/// One deployment of an API: a frozen copy of its routes and integrations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deployment {
    pub id: String,
    /// The description given when it was made (may be empty).
    pub description: String,
    pub created: Option<Timestamp>,
}

/// A stage's deployments, newest first, and the one the stage serves now.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StageDeployments {
    pub current: String,
    pub list: Vec<Deployment>,
}

impl StageDeployments {
    /// Newest first; those without a date last, by id.
    pub fn sort(&mut self) {
        self.list.sort_by(|a, b| b.created.cmp(&a.created).then_with(|| a.id.cmp(&b.id)));
    }

    /// The deployment the stage serves, if it is listed.
    pub fn current(&self) -> Option<&Deployment> {
        self.list.iter().find(|d| d.id == self.current)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deployments_sort_newest_first_and_name_the_current_one() {
        let at = |s: &str| Some(s.parse::<Timestamp>().unwrap());
        let mut d = StageDeployments {
            current: "b".into(),
            list: vec![
                Deployment { id: "a".into(), description: "old".into(), created: at("2026-01-01T00:00:00Z") },
                Deployment { id: "c".into(), description: String::new(), created: None },
                Deployment { id: "b".into(), description: "new".into(), created: at("2026-02-01T00:00:00Z") },
            ],
        };
        d.sort();
        assert_eq!(d.list.iter().map(|d| d.id.as_str()).collect::<Vec<_>>(), ["b", "a", "c"]);
        assert_eq!(d.current().unwrap().description, "new");
        let rest = StageRef::Rest { rest_api_id: "r1".into(), stage: "prod".into() };
        assert_eq!(rest.label(), "REST r1/prod");
    }
}
