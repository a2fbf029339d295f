//! What `status` says of each configured API Gateway stage: the deployment it serves (and whether
//! that is the fallback), or that it could not be read, and the routes behind it — so a runbook
//! sees a stage rollback in effect without `stage ROUTE --list`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use crate::app::model::state::State;
use crate::domain::visible;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StageStatus {
    /// `REST abc123/prod`.
    pub stage: String,
    /// The deployment it serves; `null` when it could not be read.
    pub serving: Option<String>,
    pub description: Option<String>,
    /// Whether it serves the configured fallback (the proxy to the monolith).
    pub fallback: bool,
    /// The routes whose Lambda side it serves.
    pub routes: Vec<String>,
}

/// Every stage the config names, once, with the routes behind it, in the order of their labels.
pub fn of(state: &State) -> Vec<StageStatus> {
    let mut stages: BTreeMap<String, StageStatus> = BTreeMap::new();
    for (path, route_stage) in &state.policy.stages {
        let serving = state.learned.stage_serving.get(&route_stage.stage);
        let entry = stages.entry(route_stage.stage.label()).or_insert_with(|| StageStatus {
            stage: route_stage.stage.label(),
            serving: serving.map(|s| s.current.clone()),
            description: serving.and_then(|s| s.current()).map(|d| d.description.clone()),
            fallback: serving.is_some_and(|s| route_stage.fallback_deployment.as_deref() == Some(s.current.as_str())),
            routes: Vec::new(),
        });
        entry.routes.push(path.clone());
    }
    let mut stages: Vec<StageStatus> = stages.into_values().collect();
    for stage in &mut stages {
        stage.routes.sort();
    }
    stages
}

/// `stage REST abc123/prod serves d0 (proxy to monolith), the fallback · 8 routes behind it`.
pub fn write_text(stages: &[StageStatus], out: &mut String) {
    for s in stages {
        let label = visible::escape(&s.stage);
        let behind = match s.routes.as_slice() {
            [one] => visible::escape(one).into_owned(),
            many => format!("{} routes", many.len()),
        };
        let _ = match &s.serving {
            Some(serving) => {
                let description =
                    s.description.as_deref().map(|d| format!(" ({})", visible::escape(d))).unwrap_or_default();
                let fallback = if s.fallback { ", the fallback" } else { "" };
                writeln!(
                    out,
                    "stage {label} serves {}{description}{fallback} · {behind} behind it",
                    visible::escape(serving)
                )
            }
            None => writeln!(out, "stage {label} could not be read · {behind} behind it"),
        };
    }
}
