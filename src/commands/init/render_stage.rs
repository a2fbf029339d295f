//! The stage table `cutover init` writes for a route (or once for the distribution): the API and
//! stage API Gateway confirmed, with the stage's recent deployments listed under a commented
//! `fallback_deployment`; or, when they could not be read, the same lines commented with why.

use std::fmt::Write;

use super::api_reads::ApiKind;
use super::find_stage::{FoundStage, StageLookup};
use crate::domain::stage::{StageDeployments, StageRef};
use crate::domain::visible;

/// How many of the stage's deployments the file lists, newest first (the current one is added if older).
pub const LISTED_DEPLOYMENTS: usize = 5;

/// How long a deployment's description may be on its comment line.
const DESCRIPTION_CHARS: usize = 72;

/// A TOML string value, quoted and escaped by the `toml` crate.
fn quoted(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// AWS or init text for inside a comment: control characters escaped, so it stays on its line.
fn comment(text: &str) -> String {
    visible::escape(text).into_owned()
}

/// Writes the stage under `table` (`distribution.stage` or `distribution.route.stage`).
pub fn stage_table(out: &mut String, table: &str, lookup: &StageLookup) {
    match lookup {
        StageLookup::Found(found) => found_table(out, table, found),
        StageLookup::NotFilled { api_id, kind, stage, why } => {
            let _ = writeln!(out, "# Not filled in: {}.", comment(why));
            let _ = writeln!(out, "# [{table}]");
            let key = match kind {
                Some(ApiKind::Rest) => "rest_api_id",
                Some(ApiKind::Http) => "http_api_id",
                // An origin path names a REST API's stage; an HTTP API's is usually `$default`.
                None if stage.is_some() => "rest_api_id",
                None => "http_api_id",
            };
            let _ = writeln!(out, "# {key} = {}", quoted(api_id));
            if kind.is_none() {
                let other = if key == "rest_api_id" { "http_api_id" } else { "rest_api_id" };
                let _ = writeln!(out, "#   (or {other} in its place, if it is the other kind of API)");
            }
            let _ = writeln!(out, "# stage = {}", quoted(stage.as_deref().unwrap_or("STAGE")));
            out.push_str("# fallback_deployment = \"DEPLOYMENT-ID\"\n");
        }
    }
}

fn found_table(out: &mut String, table: &str, found: &FoundStage) {
    out.push_str("# Read from API Gateway: the stage serving the Lambda side, for the stage rollback (D).\n");
    let _ = writeln!(out, "[{table}]");
    let (key, api_id) = match &found.stage {
        StageRef::Rest { rest_api_id, .. } => ("rest_api_id", rest_api_id),
        StageRef::Http { api_id, .. } => ("http_api_id", api_id),
    };
    let _ = writeln!(out, "{key} = {}\nstage = {}", quoted(api_id), quoted(found.stage.stage()));
    if found.auto_deploy {
        out.push_str(
            "# Auto-deploy is on for this stage: D refuses to roll it back until it is turned off (API Gateway\n\
             # would deploy over the rollback at the API's next change).\n",
        );
    }
    out.push_str("# The deployment whose integration proxies to the monolith, offered first by D.\n");
    match &found.deployments {
        Ok(deployments) if deployments.list.is_empty() => out.push_str("# (GetDeployments listed none.)\n"),
        Ok(deployments) => {
            out.push_str("# The stage's recent deployments, newest first (UTC):\n");
            for line in deployment_lines(deployments) {
                let _ = writeln!(out, "#   {line}");
            }
        }
        Err(why) => {
            let _ = writeln!(out, "# Its deployments were not listed: {}.", comment(why));
        }
    }
    out.push_str("# fallback_deployment = \"DEPLOYMENT-ID\"\n");
}

/// Up to [`LISTED_DEPLOYMENTS`] deployments, newest first, then the current one if it is older;
/// the current one marked.
pub fn deployment_lines(deployments: &StageDeployments) -> Vec<String> {
    let newest = deployments.list.iter().take(LISTED_DEPLOYMENTS);
    let older_current = deployments.list.iter().skip(LISTED_DEPLOYMENTS).filter(|d| d.id == deployments.current);
    newest
        .chain(older_current)
        .map(|d| {
            let created = d.created.map_or_else(|| "-".to_string(), |t| t.strftime("%Y-%m-%d %H:%M").to_string());
            let description = visible::cut(&d.description, DESCRIPTION_CHARS);
            let current = if d.id == deployments.current { " (current)" } else { "" };
            format!("{}  {created}  \"{}\"{current}", comment(&d.id), description.escape_debug())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::stage::Deployment;

    fn deployment(id: &str, secs: i64) -> Deployment {
        Deployment {
            id: id.into(),
            description: format!("deploy {id}"),
            created: jiff::Timestamp::from_second(secs).ok(),
        }
    }

    #[test]
    fn five_newest_are_listed_and_an_older_current_one_is_added_marked() {
        let mut deployments = StageDeployments {
            current: "d0".into(),
            list: (0..8).map(|n| deployment(&format!("d{n}"), 1_764_000_000 + n * 3600)).collect(),
        };
        deployments.sort();
        let lines = deployment_lines(&deployments);
        assert_eq!(lines.len(), 6);
        assert_eq!(lines[0], "d7  2025-11-24 23:00  \"deploy d7\"");
        assert!(lines[5].starts_with("d0  ") && lines[5].ends_with("\"deploy d0\" (current)"), "{lines:?}");
    }

    #[test]
    fn a_description_stays_on_its_line() {
        let mut d = deployment("d1", 0);
        d.description = "line one\nline \"two\"".into();
        let lines = deployment_lines(&StageDeployments { current: "x".into(), list: vec![d] });
        assert_eq!(lines, ["d1  1970-01-01 00:00  \"line one\\nline \\\"two\\\"\""]);
    }
}
