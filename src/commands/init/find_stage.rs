//! Finding the API Gateway stage behind each API Gateway origin, for `cutover init`: `GetRestApi`,
//! else `GetApi`, tells REST from HTTP; the origin path's first segment names the stage (an HTTP
//! API without one uses `$default` when it has that stage); `GetStage` says which deployment it
//! serves and `GetDeployments` lists the ones a rollback could pick. What cannot be read is kept
//! with why, so the file says it in a comment.

use std::collections::BTreeMap;

use super::api_reads::{ApiKind, ApiReads, resource};
use super::classify::{OriginInfo, OriginKind};
use crate::backend::BackendError;
use crate::domain::stage::{StageDeployments, StageRef};

/// The stage of an HTTP API whose origin has no origin path: what `{id}.execute-api...` serves.
pub const DEFAULT_STAGE: &str = "$default";

/// What init found for one API Gateway origin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StageLookup {
    /// The API and its stage, read back: the file names them.
    Found(FoundStage),
    /// Not filled in: the file writes the lines commented, with `why` (one sentence).
    NotFilled {
        api_id: String,
        /// REST or HTTP, when that much was learned.
        kind: Option<ApiKind>,
        /// The stage, when the origin path names one.
        stage: Option<String>,
        why: String,
    },
}

/// An API's stage that exists, with what it serves and what else it could.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FoundStage {
    pub stage: StageRef,
    /// The deployments, newest first, and the current one; or why they could not be listed.
    pub deployments: Result<StageDeployments, String>,
    /// An HTTP stage deploying every change by itself: a rollback is refused until that is off.
    pub auto_deploy: bool,
    /// A REST API's name, which its CloudWatch metrics are keyed by (`api_name` of the route's
    /// `[distribution.route.api_gateway]`).
    pub rest_api_name: Option<String>,
}

/// What was found, by origin id.
pub type Stages = BTreeMap<String, StageLookup>;

/// The stage of every API Gateway origin of `origins`, each read once.
pub async fn find_stages(reads: &dyn ApiReads, origins: &[OriginInfo]) -> Stages {
    let mut found = Stages::new();
    for origin in origins {
        if let OriginKind::ApiGateway { api_id, region } = &origin.kind {
            let lookup = find_stage(reads, region, api_id, origin.stage()).await;
            found.insert(origin.id.clone(), lookup);
        }
    }
    found
}

/// Why a read failed, in the words the file and stderr use: a denial names the IAM action and
/// resource (the error names the call), anything else the resource and the error.
fn failed(resource: &str, error: &BackendError) -> String {
    match error {
        BackendError::AccessDenied(detail) => format!("apigateway:GET on {resource} was denied ({detail})"),
        other => format!("reading {resource}: {other}"),
    }
}

// Long: one decision after another (which API, which stage, its deployments), each with its own sentence.
/// The stage behind one origin on `{api_id}.execute-api.{region}...` whose origin path names `stage`.
pub async fn find_stage(reads: &dyn ApiReads, region: &str, api_id: &str, stage: Option<&str>) -> StageLookup {
    let not_filled = |kind: Option<ApiKind>, why: String| StageLookup::NotFilled {
        api_id: api_id.to_string(),
        kind,
        stage: stage.map(str::to_string),
        why,
    };
    let mut rest_api_name = None;
    let kind = match reads.rest_api_name(region, api_id).await {
        Ok(Some(name)) => {
            rest_api_name = Some(name);
            ApiKind::Rest
        }
        Ok(None) => match reads.http_api_exists(region, api_id).await {
            Ok(true) => ApiKind::Http,
            Ok(false) => {
                return not_filled(
                    None,
                    format!(
                        "{api_id} is neither a REST API (GetRestApi) nor an HTTP API (GetApi) in {region} for these \
                         credentials; if the API lives in another account, run init with that account's profile or \
                         write the stage by hand"
                    ),
                );
            }
            Err(e) => return not_filled(None, failed(&resource(region, ApiKind::Http, api_id, ""), &e)),
        },
        // Denied (or failing) as a REST API, it may still be an HTTP API these credentials can read.
        Err(rest_error) => match reads.http_api_exists(region, api_id).await {
            Ok(true) => ApiKind::Http,
            _ => {
                let why = failed(&resource(region, ApiKind::Rest, api_id, ""), &rest_error);
                return not_filled(None, why);
            }
        },
    };
    let stage_name = match (stage, kind) {
        (Some(stage), _) => stage,
        (None, ApiKind::Http) => DEFAULT_STAGE,
        (None, ApiKind::Rest) => {
            return not_filled(
                Some(kind),
                format!(
                    "{api_id} is a REST API and the origin has no origin path, so it names no stage; set the \
                     origin path to /STAGE or write the stage by hand"
                ),
            );
        }
    };
    let stage_resource = resource(region, kind, api_id, &format!("/stages/{stage_name}"));
    let state = match reads.stage(region, kind, api_id, stage_name).await {
        Ok(Some(state)) => state,
        Ok(None) if stage.is_none() => {
            return not_filled(
                Some(kind),
                format!(
                    "HTTP API {api_id} has no {DEFAULT_STAGE} stage and the origin has no origin path to name \
                     another; write the stage by hand"
                ),
            );
        }
        Ok(None) => return not_filled(Some(kind), format!("API {api_id} has no stage {stage_name:?} (GetStage)")),
        Err(e) => return not_filled(Some(kind), failed(&stage_resource, &e)),
    };
    let deployments = reads.deployments(region, kind, api_id).await.map(|list| {
        let mut deployments = StageDeployments { current: state.deployment_id.clone(), list };
        deployments.sort();
        deployments
    });
    let deployments = deployments.map_err(|e| failed(&resource(region, kind, api_id, "/deployments"), &e));
    let stage = match kind {
        ApiKind::Rest => StageRef::Rest { rest_api_id: api_id.to_string(), stage: stage_name.to_string() },
        ApiKind::Http => StageRef::Http { api_id: api_id.to_string(), stage: stage_name.to_string() },
    };
    StageLookup::Found(FoundStage { stage, deployments, auto_deploy: state.auto_deploy, rest_api_name })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::init::testing::FakeApis;

    fn denied() -> BackendError {
        BackendError::AccessDenied("GetRestApi is not allowed (AccessDeniedException: no)".into())
    }

    #[tokio::test]
    async fn a_rest_api_with_an_origin_path_names_its_stage_and_lists_deployments_newest_first() {
        let apis =
            FakeApis::default().rest("r1", "prod", "d2", &[("d1", "proxy to legacy ELB", 100), ("d2", "v2", 200)]);
        let StageLookup::Found(found) = find_stage(&apis, "eu-west-1", "r1", Some("prod")).await else { panic!() };
        assert_eq!(found.stage, StageRef::Rest { rest_api_id: "r1".into(), stage: "prod".into() });
        let deployments = found.deployments.unwrap();
        assert_eq!(deployments.current, "d2");
        assert_eq!(deployments.list.iter().map(|d| d.id.as_str()).collect::<Vec<_>>(), ["d2", "d1"]);
    }

    #[tokio::test]
    async fn an_http_api_without_an_origin_path_uses_its_default_stage() {
        let apis = FakeApis::default().http("h1", "$default", "d1", &[("d1", "first", 100)]);
        let StageLookup::Found(found) = find_stage(&apis, "eu-west-1", "h1", None).await else { panic!() };
        assert_eq!(found.stage, StageRef::Http { api_id: "h1".into(), stage: "$default".into() });
        let apis = FakeApis::default().http("h1", "live", "d1", &[]);
        let lookup = find_stage(&apis, "eu-west-1", "h1", None).await;
        assert!(matches!(&lookup, StageLookup::NotFilled { why, .. } if why.contains("has no $default stage")));
    }

    #[tokio::test]
    async fn a_denied_read_leaves_the_stage_unfilled_and_says_which_permission() {
        let apis = FakeApis { rest_error: Some(denied()), ..FakeApis::default() };
        let lookup = find_stage(&apis, "eu-west-1", "r1", Some("prod")).await;
        let StageLookup::NotFilled { api_id, kind, stage, why } = lookup else { panic!() };
        assert_eq!((api_id.as_str(), kind, stage.as_deref()), ("r1", None, Some("prod")));
        assert!(
            why.starts_with("apigateway:GET on arn:aws:apigateway:eu-west-1::/restapis/r1 was denied (GetRestApi"),
            "{why}"
        );
    }

    #[tokio::test]
    async fn denied_deployments_still_name_the_stage() {
        let mut apis = FakeApis::default().rest("r1", "prod", "d1", &[]);
        apis.deployments_error = Some(BackendError::AccessDenied("GetDeployments is not allowed (x)".into()));
        let StageLookup::Found(found) = find_stage(&apis, "eu-west-1", "r1", Some("prod")).await else { panic!() };
        let why = found.deployments.unwrap_err();
        assert!(why.contains("on arn:aws:apigateway:eu-west-1::/restapis/r1/deployments was denied"), "{why}");
    }

    #[tokio::test]
    async fn an_id_that_is_neither_kind_or_a_missing_stage_says_why() {
        let lookup = find_stage(&FakeApis::default(), "eu-west-1", "zz", Some("prod")).await;
        assert!(matches!(&lookup, StageLookup::NotFilled { why, .. } if why.contains("neither a REST API")));
        let apis = FakeApis::default().rest("r1", "prod", "d1", &[]);
        let lookup = find_stage(&apis, "eu-west-1", "r1", Some("beta")).await;
        assert!(matches!(&lookup, StageLookup::NotFilled { why, .. } if why.contains("has no stage \"beta\"")));
        let lookup = find_stage(&apis, "eu-west-1", "r1", None).await;
        assert!(matches!(&lookup, StageLookup::NotFilled { why, .. } if why.contains("names no stage")));
    }
}
