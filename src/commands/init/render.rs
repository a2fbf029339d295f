//! The starter config for one distribution, as TOML text with comments. Pure: the same
//! `DistributionConfig` always gives the same text.

use std::fmt::Write;

use aws_sdk_cloudfront::types::DistributionConfig;

use super::classify::{Class, Classified, OriginInfo, OriginKind, classify};
use super::find_stage::{FoundStage, StageLookup, Stages};
use super::render_stage::stage_table;
use crate::backend::aws::control_plane::{routes_of, unaddressable};
use crate::domain::stage::StageRef;

/// What [`render`] wrote, for the summary and the warnings `cutover init` prints.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Starter {
    /// The config file's text.
    pub text: String,
    /// How many `[[distribution.route]]` tables it has: every cache behavior and the default `*`.
    pub routes: usize,
    pub lambda_origins: Vec<String>,
    pub legacy_origins: Vec<String>,
    /// Origin groups in neither list.
    pub unclassified: Vec<String>,
    /// The API Gateway stages written for the routes, as `REST abc123/prod`, each once.
    pub stages: Vec<String>,
    /// Problems the user must look at, each one sentence; the file says the same in comments.
    pub warnings: Vec<String>,
}

/// A TOML string value, quoted and escaped by the `toml` crate.
fn quoted(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// A TOML array of strings on one line.
fn list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| quoted(i)).collect();
    format!("[{}]", quoted.join(", "))
}

/// Text for inside a comment: quoted, with every control character escaped so that it stays on its line.
fn shown(text: &str) -> String {
    format!("\"{}\"", text.escape_debug())
}

// Long: writes the file top to bottom; each block is a few lines, and the function's order is the file's.
/// Renders the starter config for distribution `id` whose live config is `config`, with the stages
/// API Gateway told of its API Gateway origins (none, when it was not asked).
pub fn render(id: &str, config: &DistributionConfig, stages: &Stages) -> Starter {
    let classified = classify(config);
    let routes = routes_of(config);
    let mut warnings = Vec::new();
    let mut out = String::new();

    let name = match config.comment() {
        "" => String::new(),
        comment => format!(" ({})", shown(comment)),
    };
    let _ =
        writeln!(out, "# cutover config for CloudFront distribution {}{name}, written by `cutover init`.", shown(id));
    out.push_str(
        "# Before the first run: check which origins count as Lambda and which as the legacy origin, fill in the\n\
         # commented metric sources under each route (and uncomment them), then run `cutover`.\n\
         # The book's config reference (docs/src/reference/config.md) explains every key.\n\n",
    );
    region_line(&mut out, &classified);
    out.push_str(
        "# Defaults, for reference:\n\
         # refresh_seconds = 60\n\
         # latency_statistic = \"p99\"\n\
         # concurrency_limit = 1000\n\
         # read_only = false\n\n",
    );

    let _ = writeln!(out, "[[distribution]]\nid = {}", quoted(id));
    out.push_str(
        "# Origin groups count as what their members are (a failover pair of load balancers is the legacy\n\
         # origin); a group that mixes Lambda and other origins is in neither list.\n\
         # Origins whose domain is API Gateway (*.execute-api.REGION.amazonaws.com) or a Lambda function URL\n\
         # (*.lambda-url.REGION.on.aws), and groups of only those. A route switched to Lambda goes to the\n\
         # first; they are ordered by how many routes use them.\n",
    );
    describe_origins(&mut out, &classified, &classified.lambda);
    if classified.lambda.is_empty() {
        let warning = format!(
            "no origin of distribution {id} looks like API Gateway or a Lambda function URL, so lambda_origins is \
             empty and cutover will not start until you put your Lambda origin's id in it (add that origin to the \
             distribution first if it has none)"
        );
        let _ = writeln!(out, "# WARNING: {}.", warning.escape_debug());
        warnings.push(warning);
    }
    let _ = writeln!(out, "lambda_origins = {}", list(&classified.lambda));
    out.push_str(
        "# Every other origin served over HTTP (ELB, EC2...), and origin groups of only those: legacy origins.\n\
         # Each route names its own home below; one that does not goes back to the first. S3 and MediaStore\n\
         # origins are in neither list: their routes are shown and never moved.\n",
    );
    describe_origins(&mut out, &classified, &classified.legacy);
    if classified.legacy.is_empty() {
        let warning = format!(
            "every origin of distribution {id} looks like Lambda, so legacy_origins is empty and cutover will not \
             start until you put the id of the origin that routes switch back to in it"
        );
        let _ = writeln!(out, "# WARNING: {}.", warning.escape_debug());
        warnings.push(warning);
    }
    let _ = writeln!(out, "legacy_origins = {}", list(&classified.legacy));
    if !classified.lambda.is_empty() {
        // The key lines are indented so that they stay comments to the tests that uncomment placeholders.
        let _ = writeln!(
            out,
            "# By hand: an API Gateway domain names its region, never its account. If a Lambda origin's API or\n\
             # functions live in another AWS account than this distribution, name that account, how to read it\n\
             # (a profile and/or a role to assume) and its origins (the book, \"Lambda in other accounts\"):\n\
             # [distribution.lambda_accounts.NAME]\n\
             #   role_arn = \"arn:aws:iam::ACCOUNT-ID:role/ROLE-NAME\"\n\
             #   lambda_origins = [{}]",
            quoted(&classified.lambda[0])
        );
    }
    if !classified.mixed.is_empty() {
        out.push_str(
            "# These origin groups mix Lambda and other origins, so they are in neither list: the console shows\n\
             # their routes but cannot switch them. Add a group to one list if that is what it is.\n",
        );
        describe_origins(&mut out, &classified, &classified.mixed);
        let mixed: Vec<String> = classified.mixed.iter().map(|m| format!("`{m}`")).collect();
        warnings.push(format!(
            "origin group{} {} mix{} Lambda and other origins, so routes that target {} are shown but not switchable",
            if mixed.len() == 1 { "" } else { "s" },
            mixed.join(", "),
            if mixed.len() == 1 { "es" } else { "" },
            if mixed.len() == 1 { "it" } else { "them" },
        ));
    }

    if !classified.storage.is_empty() {
        out.push_str("# S3 and MediaStore origins (and groups with one): in neither list, their routes never move.\n");
        describe_origins(&mut out, &classified, &classified.storage);
    }
    let behaviors = config.cache_behaviors().and_then(|b| b.items.as_deref()).unwrap_or_default();
    let route_stages: Vec<Option<(&str, &StageLookup)>> = (routes.iter().enumerate())
        .filter(|(index, _)| unaddressable(behaviors, *index).is_none())
        .map(|(_, (_, origin_id))| {
            let origin = lambda_side(&classified, origin_id)?;
            Some((origin.id.as_str(), stages.get(&origin.id)?))
        })
        .collect();
    warnings.extend(stage_warnings(&route_stages));
    let shared = shared_stage(&route_stages);
    if let Some(lookup) = shared {
        out.push_str(
            "\n# Every route's Lambda side is served by this API Gateway stage (a route's own stage table\n\
             # would override it).\n",
        );
        stage_table(&mut out, "distribution.stage", lookup);
    }
    out.push_str(
        "\n# One table per cache behavior, in CloudFront's order; \"*\" is the default behavior. The metric\n\
         # sources below are placeholders: cutover cannot tell from CloudFront which function, API or target\n\
         # group serves a route. Without them the route still shows and switches, with distribution-wide\n\
         # numbers only.\n",
    );
    let default_origin = config.default_cache_behavior().map(|d| d.target_origin_id());
    let own_stages = if shared.is_some() { &Stages::new() } else { stages };
    for (index, (path, origin_id)) in routes.iter().enumerate() {
        // A behavior its pattern cannot name gets no table: the config would name another behavior.
        if let Some(why) = unaddressable(behaviors, index) {
            let _ = writeln!(
                out,
                "\n# No table for cache behavior {} (on {}): {}.",
                index + 1,
                shown(origin_id),
                why.escape_debug()
            );
            warnings.push(why);
            continue;
        }
        warnings.extend(route(&mut out, &classified, path, origin_id, default_origin, (own_stages, stages)));
    }

    Starter {
        text: out,
        routes: routes.len(),
        lambda_origins: classified.lambda.clone(),
        legacy_origins: classified.legacy.clone(),
        unclassified: classified.mixed.clone(),
        stages: stage_labels(&route_stages),
        warnings,
    }
}

/// `region = "..."` when every Lambda origin's domain names the same region, else a commented placeholder.
fn region_line(out: &mut String, classified: &Classified) {
    let mut regions: Vec<&str> = classified.origins.iter().filter_map(|o| o.kind.region()).collect();
    regions.sort_unstable();
    regions.dedup();
    out.push_str("# Region of the Lambda, API Gateway and ALB metrics (CloudFront's own are always in us-east-1).\n");
    match regions.as_slice() {
        [region] => {
            let _ = writeln!(out, "# Taken from the Lambda origins' domains.\nregion = {}\n", quoted(region));
        }
        [] => out.push_str("# Without it, --region or the AWS default region is used.\n# region = \"REGION\"\n\n"),
        several => {
            let shown: Vec<String> = several.iter().map(|r| shown(r)).collect();
            let _ = writeln!(
                out,
                "# The Lambda origins are in several regions ({}); cutover reads metrics from one.\n\
                 # region = \"REGION\"\n",
                shown.join(", ")
            );
        }
    }
}

/// The Lambda origin whose API serves a route's Lambda side: the one it targets now, else the one a
/// switch sends it to; none for a route that never moves.
fn lambda_side<'a>(classified: &'a Classified, origin_id: &str) -> Option<&'a OriginInfo> {
    if matches!(classified.class_of(origin_id), Some(Class::Mixed | Class::Neither) | None) {
        return None;
    }
    classified
        .lambda_origin_behind(origin_id)
        .or_else(|| classified.lambda.first().and_then(|first| classified.lambda_origin_behind(first)))
}

/// The stage every route shares, when each has one: the same origin's, or the same stage read
/// from API Gateway behind two origins.
fn shared_stage<'a>(route_stages: &[Option<(&str, &'a StageLookup)>]) -> Option<&'a StageLookup> {
    let (first_origin, first) = route_stages.first().copied().flatten()?;
    let same = |lookup: &Option<(&str, &StageLookup)>| match (lookup, first) {
        (Some((origin, _)), _) if *origin == first_origin => true,
        (Some((_, StageLookup::Found(found))), StageLookup::Found(first)) => found.stage == first.stage,
        _ => false,
    };
    route_stages.iter().all(same).then_some(first)
}

/// The stages read from API Gateway that the routes use, each once, sorted.
fn stage_labels(route_stages: &[Option<(&str, &StageLookup)>]) -> Vec<String> {
    let mut labels: Vec<String> = (route_stages.iter().flatten())
        .filter_map(|(_, lookup)| match lookup {
            StageLookup::Found(found) => Some(found.stage.label()),
            StageLookup::NotFilled { .. } => None,
        })
        .collect();
    labels.sort_unstable();
    labels.dedup();
    labels
}

/// One warning per origin whose stage the routes need and init could not fill in, or whose
/// deployments it could not list.
fn stage_warnings(route_stages: &[Option<(&str, &StageLookup)>]) -> Vec<String> {
    let mut origins: Vec<(&str, &StageLookup)> = route_stages.iter().flatten().copied().collect();
    origins.sort_by_key(|(origin, _)| *origin);
    origins.dedup_by_key(|(origin, _)| *origin);
    (origins.into_iter())
        .filter_map(|(origin, lookup)| match lookup {
            StageLookup::NotFilled { why, .. } => {
                Some(format!("the stage of origin `{origin}` was not filled in (written commented): {why}"))
            }
            StageLookup::Found(found) => found
                .deployments
                .as_ref()
                .err()
                .map(|why| format!("the deployments of stage {} were not listed: {why}", found.stage.label())),
        })
        .collect()
}

/// One comment line per id: what the origin or group is.
fn describe_origins(out: &mut String, classified: &Classified, ids: &[String]) {
    for id in ids {
        let what = if let Some(origin) = classified.origin(id) {
            let kind = match &origin.kind {
                OriginKind::ApiGateway { api_id, .. } => format!(" (API Gateway, API id {})", shown(api_id)),
                OriginKind::FunctionUrl { .. } => " (Lambda function URL)".to_string(),
                OriginKind::Storage => " (S3 or MediaStore)".to_string(),
                OriginKind::Other => String::new(),
            };
            format!("{}{kind}", shown(&format!("{}{}", origin.domain, origin.origin_path)))
        } else if let Some(group) = classified.group(id) {
            let members: Vec<String> = group.members.iter().map(|m| shown(m)).collect();
            format!("origin group of {} (the first is the primary)", members.join(", "))
        } else {
            "not defined by the distribution".to_string()
        };
        let _ = writeln!(out, "#   {}: {what}", shown(id));
    }
}

/// Where a route moves, as init can tell it: the pair of origins, or why it cannot tell.
enum Home<'a> {
    /// The route's legacy origin and the Lambda origin it goes to.
    Pair { legacy: &'a str, lambda: Option<&'a str> },
    /// On Lambda, and the default behavior's origin is not a legacy origin: ask the operator.
    Unknown,
    /// On an origin of neither class: never switched.
    Never,
}

/// A route on a legacy origin keeps it as its home; one on Lambda gets the default behavior's
/// origin when that is a legacy origin; otherwise init cannot tell.
fn home_of<'a>(classified: &'a Classified, origin_id: &'a str, default_origin: Option<&'a str>) -> Home<'a> {
    let first_lambda = classified.lambda.first().map(String::as_str);
    match classified.class_of(origin_id) {
        Some(Class::Legacy) => Home::Pair { legacy: origin_id, lambda: first_lambda },
        Some(Class::Lambda) => match default_origin.filter(|d| classified.class_of(d) == Some(Class::Legacy)) {
            Some(legacy) => Home::Pair { legacy, lambda: Some(origin_id) },
            None => Home::Unknown,
        },
        Some(Class::Mixed | Class::Neither) | None => Home::Never,
    }
}

// Long: one route table top to bottom, in the order the file shows it.
/// One `[[distribution.route]]` table: its home, then commented metric placeholders (`found`: every
/// stage init read, for the API's kind and name), then its own stage table from `own_stages` (empty
/// when the distribution's one stage table covers every route).
fn route(
    out: &mut String,
    classified: &Classified,
    path: &str,
    origin_id: &str,
    default_origin: Option<&str>,
    (own_stages, found): (&Stages, &Stages),
) -> Option<String> {
    let class = match classified.class_of(origin_id) {
        Some(Class::Lambda) => "Lambda",
        Some(Class::Legacy) => "legacy origin",
        Some(Class::Mixed) => "mixed origin group, not switchable",
        Some(Class::Neither) => "S3 or MediaStore, not switchable",
        None => "unknown origin",
    };
    let _ = writeln!(out, "\n[[distribution.route]]\npath = {}", quoted(path));
    let _ = writeln!(out, "# Now served by {} ({class}).", shown(origin_id));
    let mut warning = None;
    match home_of(classified, origin_id, default_origin) {
        Home::Pair { legacy, lambda } => {
            out.push_str("# Its home, where a rollback sends it, and the Lambda origin a switch sends it to.\n");
            let _ = writeln!(out, "legacy_origin = {}", quoted(legacy));
            match lambda {
                Some(lambda) => {
                    let _ = writeln!(out, "lambda_origin = {}", quoted(lambda));
                }
                None => out.push_str("# lambda_origin = \"LAMBDA-ORIGIN-ID\"\n"),
            }
        }
        Home::Unknown => {
            out.push_str(
                "# cutover cannot tell which legacy origin this route came from (the default behavior is not on one):\n\
                 # name it, then delete the switchable line.\n",
            );
            let _ = writeln!(
                out,
                "# legacy_origin = \"LEGACY-ORIGIN-ID\"\nlambda_origin = {}\nswitchable = false",
                quoted(origin_id)
            );
            warning = Some(format!(
                "route {} is on Lambda and cutover cannot tell its legacy origin: it stays unswitchable until you set its legacy_origin and remove `switchable = false`",
                path.escape_debug()
            ));
        }
        Home::Never => out.push_str("# Not switchable: cutover shows it and never moves it.\n"),
    }
    // The Lambda origin whose API or function the route uses on the Lambda side: the one it targets now,
    // else the one a switch would send it to.
    let lambda = classified
        .lambda_origin_behind(origin_id)
        .or_else(|| classified.lambda.first().and_then(|first| classified.lambda_origin_behind(first)));
    out.push_str("# Lambda side: the function serving the route (AWS/Lambda metrics)...\n");
    out.push_str("# lambda_function = \"FUNCTION-NAME\"\n");
    out.push_str("# ...and/or its API Gateway stage, resource and method (detailed metrics must be on).\n");
    let lambda_side = lambda_side(classified, origin_id);
    match lambda_side.and_then(|origin| found.get(&origin.id)) {
        Some(StageLookup::Found(stage)) => api_gateway_found(out, stage, path),
        _ => api_gateway(out, lambda, path),
    }
    out.push_str(
        "# Legacy side, only if this route has an ALB target group of its own:\n\
         # [distribution.route.alb]\n\
         # load_balancer = \"app/NAME/ID\"\n\
         # target_group = \"targetgroup/NAME/ID\"\n",
    );
    if let Some(lookup) = lambda_side.and_then(|origin| own_stages.get(&origin.id)) {
        stage_table(out, "distribution.route.stage", lookup);
    }
    warning
}

/// The commented `api_gateway` table of an API init read from API Gateway: its kind, its name (REST)
/// or id (HTTP) and its stage are known; the resource and method stay a guess from the path.
fn api_gateway_found(out: &mut String, found: &FoundStage, path: &str) {
    out.push_str("# [distribution.route.api_gateway]   # the API and its stage as API Gateway said\n");
    match &found.stage {
        StageRef::Rest { rest_api_id, stage } => {
            let name = found.rest_api_name.as_deref().unwrap_or("API-NAME");
            let _ = writeln!(
                out,
                "# kind = \"rest\"\n# api_name = {}   # REST API {}\n# stage = {}",
                quoted_for_comment(name),
                shown(rest_api_id),
                quoted_for_comment(stage)
            );
        }
        StageRef::Http { api_id, stage } => {
            let _ = writeln!(
                out,
                "# kind = \"http\"\n# api_id = {}\n# stage = {}",
                quoted_for_comment(api_id),
                quoted_for_comment(stage)
            );
        }
    }
    let _ = writeln!(out, "# resource = {}\n# method = \"ANY\"", quoted_for_comment(&resource_hint(path)));
}

/// The commented `api_gateway` table, with what the Lambda origin's domain and path tell: an origin
/// path (`/prod`) names a stage, as REST APIs need; no origin path suggests an HTTP API's `$default` stage.
fn api_gateway(out: &mut String, lambda: Option<&OriginInfo>, path: &str) {
    let (api_id, stage) = match lambda {
        Some(OriginInfo { kind: OriginKind::ApiGateway { api_id, .. }, .. }) => {
            (Some(api_id.as_str()), lambda.and_then(OriginInfo::stage))
        }
        _ => (None, None),
    };
    out.push_str("# [distribution.route.api_gateway]\n");
    match (api_id, stage) {
        (Some(api_id), Some(stage)) => {
            let _ = writeln!(
                out,
                "#   (API {} with stage {} from the origin's domain and path; for a REST API, \
                 `aws apigateway get-rest-api --rest-api-id {}` shows its name)",
                shown(api_id),
                shown(stage),
                api_id.escape_debug()
            );
            let _ = writeln!(
                out,
                "# kind = \"rest\"\n# api_name = \"API-NAME\"\n# stage = {}\n\
                 #   (for an HTTP API: kind = \"http\" and api_id = {} in place of api_name)",
                quoted_for_comment(stage),
                quoted_for_comment(api_id)
            );
        }
        (Some(api_id), None) => {
            let _ = writeln!(
                out,
                "#   (API {} from the origin's domain; no origin path, so likely an HTTP API on its $default stage)",
                shown(api_id)
            );
            let _ = writeln!(
                out,
                "# kind = \"http\"\n# api_id = {}\n# stage = \"$default\"\n\
                 #   (for a REST API: kind = \"rest\" and api_name = \"API-NAME\" in place of api_id)",
                quoted_for_comment(api_id)
            );
        }
        _ => out.push_str(
            "# kind = \"http\"\n# api_id = \"API-ID\"\n# stage = \"STAGE\"\n\
             #   (for a REST API: kind = \"rest\" and api_name = \"API-NAME\" in place of api_id)\n",
        ),
    }
    let _ = writeln!(out, "# resource = {}\n# method = \"ANY\"", quoted_for_comment(&resource_hint(path)));
}

/// A guess at the API Gateway resource behind a path pattern: `/user/*` → `/user/{proxy+}`, `*` →
/// `/{proxy+}`, a plain path as it is; patterns with other wildcards get a placeholder.
fn resource_hint(path: &str) -> String {
    let prefix = path.strip_suffix('*').map(|p| p.trim_end_matches('/'));
    match prefix {
        Some(prefix) if !prefix.contains(['*', '?']) => {
            let prefix = prefix.trim_start_matches('/');
            if prefix.is_empty() { "/{proxy+}".to_string() } else { format!("/{prefix}/{{proxy+}}") }
        }
        None if !path.contains(['*', '?']) => format!("/{}", path.trim_start_matches('/')),
        _ => "/RESOURCE".to_string(),
    }
}

/// A TOML string for a commented-out line, so that uncommenting it gives the value; falls back to the
/// escaped form when the `toml` crate would need several lines.
fn quoted_for_comment(text: &str) -> String {
    let value = quoted(text);
    if value.contains(['\n', '\r']) { shown(text) } else { value }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::BackendError;
    use crate::backend::aws::control_plane::origin_ids_of;
    use crate::commands::init::find_stage::find_stages;
    use crate::commands::init::testing::FakeApis;
    use crate::commands::init::testing::{behavior, distribution, group, origin};
    use crate::config::{Problem, parse, validate_against};

    fn rich() -> DistributionConfig {
        distribution(
            &[
                origin("legacy-elb", "legacy-123.eu-west-1.elb.amazonaws.com"),
                origin("apigw", "a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com"),
                origin("backup-elb", "backup-9.eu-west-1.elb.amazonaws.com"),
            ],
            &[group("legacy-group", &["legacy-elb", "backup-elb"])],
            "legacy-elb",
            &[
                behavior("/user/*", "apigw"),
                behavior("/orders/*", "legacy-group"),
                behavior("/static/*.js", "legacy-elb"),
            ],
        )
    }

    fn paths(config: &DistributionConfig) -> Vec<String> {
        routes_of(config).into_iter().map(|(path, _)| path).collect()
    }

    /// The text with every commented-out `key = value` and `[distribution.route.*]` line uncommented.
    fn uncommented(text: &str) -> String {
        let is_key = |rest: &str| {
            rest.split_once(" = ")
                .is_some_and(|(key, _)| !key.is_empty() && key.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
        };
        text.lines()
            .map(|line| match line.strip_prefix("# ") {
                Some(rest)
                    if rest.starts_with("[distribution.route.") || rest == "[distribution.stage]" || is_key(rest) =>
                {
                    rest
                }
                _ => line,
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn every_behavior_becomes_a_route_and_the_file_loads_and_validates() {
        let config = rich();
        let starter = render("E2ABC", &config, &Stages::new());
        assert_eq!(starter.routes, 4);
        assert_eq!(starter.lambda_origins, ["apigw"]);
        assert_eq!(starter.legacy_origins, ["legacy-elb", "legacy-group", "backup-elb"]);
        assert!(starter.unclassified.is_empty() && starter.warnings.is_empty(), "{starter:?}");

        let loaded = parse(&starter.text, "cutover.toml").unwrap();
        assert_eq!(loaded.region(), Some("eu-west-1"));
        let d = loaded.distribution("E2ABC").unwrap();
        let routes: Vec<&str> = d.routes.iter().map(|r| r.path.get_ref().as_str()).collect();
        assert_eq!(routes, ["/user/*", "/orders/*", "/static/*.js", "*"]);
        assert!(d.routes.iter().all(|r| r.lambda_function.is_none() && r.api_gateway.is_none() && r.alb.is_none()));
        validate_against(&loaded, "E2ABC", &origin_ids_of(&config), &paths(&config)).unwrap();
    }

    #[test]
    fn the_file_says_the_account_of_a_lambda_origin_is_for_the_user_to_name() {
        let starter = render("E2ABC", &rich(), &Stages::new());
        assert!(starter.text.contains("an API Gateway domain names its region, never its account"), "{}", starter.text);
        let example = starter
            .text
            .lines()
            .skip_while(|l| !l.starts_with("# [distribution.lambda_accounts.NAME]"))
            .take(3)
            .map(|l| l.trim_start_matches('#').trim())
            .collect::<Vec<_>>()
            .join("\n")
            .replace("ACCOUNT-ID", "123456789012")
            .replace("ROLE-NAME", "cutover-read");
        let text = format!("{}\n{example}\n", starter.text.split("\n# One table per cache behavior").next().unwrap());
        let loaded = parse(&text, "cutover.toml").unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(loaded.distribution("E2ABC").unwrap().lambda_accounts.len(), 1);
    }

    #[test]
    fn the_placeholders_are_valid_once_uncommented() {
        let starter = render("E2ABC", &rich(), &Stages::new());
        let text = uncommented(&starter.text);
        let loaded = parse(&text, "cutover.toml").unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(loaded.refresh_interval().as_secs(), 60);
        let route = loaded.distribution("E2ABC").unwrap().route("/user/*").unwrap();
        assert_eq!(route.lambda_function.as_deref(), Some("FUNCTION-NAME"));
        match &route.api_gateway {
            Some(crate::config::ApiGateway::Http { api_id, stage, .. }) => {
                assert_eq!((api_id.as_str(), stage.as_str()), ("a1b2c3d4e5", "$default"));
            }
            other => panic!("{other:?}"),
        }
        assert!(route.alb.is_some());
    }

    #[test]
    fn an_origin_path_suggests_a_rest_api_and_its_stage() {
        let mut config = rich();
        let origins = config.origins.as_mut().unwrap();
        origins.items[1].origin_path = Some("/prod".into());
        let starter = render("E2ABC", &config, &Stages::new());
        assert!(starter.text.contains("# kind = \"rest\"\n# api_name = \"API-NAME\"\n# stage = \"prod\"\n"));
        assert!(starter.text.contains("get-rest-api --rest-api-id a1b2c3d4e5"));
        let loaded = parse(&uncommented(&starter.text), "c.toml").unwrap();
        let route = loaded.distribution("E2ABC").unwrap().route("*").unwrap().clone();
        assert!(
            matches!(route.api_gateway, Some(crate::config::ApiGateway::Rest { ref stage, .. }) if stage == "prod")
        );
    }

    #[test]
    fn odd_paths_and_ids_are_quoted() {
        let config = distribution(
            &[
                origin("elb \"main\"\n# injected = 1", "legacy.example.com"),
                origin("fn'url\\", "u1.lambda-url.us-east-2.on.aws"),
            ],
            &[],
            "elb \"main\"\n# injected = 1",
            &[behavior("/it's/\"q\"/*", "fn'url\\"), behavior("/tab\there", "fn'url\\"), behavior("/ü/ß*", "fn'url\\")],
        );
        let starter = render("E\"1\n", &config, &Stages::new());
        let loaded = parse(&starter.text, "c.toml").unwrap_or_else(|e| panic!("{e}\n{}", starter.text));
        assert_eq!(loaded.region(), Some("us-east-2"));
        let d = loaded.distribution("E\"1\n").unwrap();
        assert_eq!(d.lambda_origins[0].get_ref(), "fn'url\\");
        assert_eq!(d.legacy_origins[0].get_ref(), "elb \"main\"\n# injected = 1");
        validate_against(&loaded, "E\"1\n", &origin_ids_of(&config), &paths(&config)).unwrap();
        // Nothing from the distribution escapes its comment or value onto a line of its own.
        assert!(!starter.text.lines().any(|l| l.starts_with("injected")), "{}", starter.text);
        parse(&uncommented(&starter.text), "c.toml").unwrap();
    }

    #[test]
    fn without_a_lambda_origin_the_file_says_so_and_loading_names_the_fix() {
        let config = distribution(
            &[origin("elb", "legacy.eu-west-1.elb.amazonaws.com"), origin("s3", "bucket.s3.amazonaws.com")],
            &[],
            "elb",
            &[behavior("/assets/*", "s3")],
        );
        let starter = render("E1", &config, &Stages::new());
        assert_eq!(starter.warnings.len(), 1, "{:?}", starter.warnings);
        assert!(starter.warnings[0].contains("lambda_origins is empty"), "{:?}", starter.warnings);
        assert!(starter.text.contains("# WARNING: no origin of distribution E1 looks like API Gateway"));
        assert!(starter.text.contains("lambda_origins = []\n"));
        assert!(starter.text.contains("# region = \"REGION\""));
        let e = parse(&starter.text, "cutover.toml").unwrap_err();
        assert_eq!(e.problem(), Some(Problem::Missing));
        assert!(e.to_string().contains("distribution E1 has no lambda_origins; add lambda_origins = ["), "{e}");
    }

    #[test]
    fn without_a_legacy_origin_the_file_says_so() {
        let config = distribution(&[origin("fn", "u1.lambda-url.us-east-2.on.aws")], &[], "fn", &[]);
        let starter = render("E1", &config, &Stages::new());
        assert!(starter.warnings[0].contains("legacy_origins is empty"), "{:?}", starter.warnings);
        let e = parse(&starter.text, "cutover.toml").unwrap_err();
        assert!(e.to_string().contains("has no legacy_origins"), "{e}");
    }

    #[test]
    fn a_mixed_group_is_in_neither_list_and_its_routes_are_marked() {
        let config = distribution(
            &[
                origin("elb", "legacy.eu-west-1.elb.amazonaws.com"),
                origin("apigw", "x.execute-api.eu-west-1.amazonaws.com"),
            ],
            &[group("failover", &["apigw", "elb"])],
            "elb",
            &[behavior("/api/*", "failover")],
        );
        let starter = render("E1", &config, &Stages::new());
        assert_eq!(starter.unclassified, ["failover"]);
        assert_eq!(
            starter.warnings,
            ["origin group `failover` mixes Lambda and other origins, so routes that target it are shown but not \
                 switchable"]
        );
        assert!(starter.text.contains("# Now served by \"failover\" (mixed origin group, not switchable)."));
        let loaded = parse(&starter.text, "c.toml").unwrap();
        validate_against(&loaded, "E1", &origin_ids_of(&config), &paths(&config)).unwrap();
    }

    #[test]
    fn lambda_origins_in_several_regions_leave_the_region_to_the_user() {
        let config = distribution(
            &[
                origin("elb", "legacy.example.com"),
                origin("a", "x.execute-api.eu-west-1.amazonaws.com"),
                origin("b", "y.lambda-url.us-east-1.on.aws"),
            ],
            &[],
            "elb",
            &[],
        );
        let starter = render("E1", &config, &Stages::new());
        assert!(starter.text.contains("several regions (\"eu-west-1\", \"us-east-1\")"), "{}", starter.text);
        assert_eq!(parse(&starter.text, "c.toml").unwrap().region(), None);
    }

    #[test]
    fn the_resource_is_guessed_from_the_path_pattern() {
        assert_eq!(resource_hint("*"), "/{proxy+}");
        assert_eq!(resource_hint("/*"), "/{proxy+}");
        assert_eq!(resource_hint("/user/*"), "/user/{proxy+}");
        assert_eq!(resource_hint("api/v1*"), "/api/v1/{proxy+}");
        assert_eq!(resource_hint("/health"), "/health");
        assert_eq!(resource_hint("/img/*.png"), "/RESOURCE");
        assert_eq!(resource_hint("/a?c"), "/RESOURCE");
        let starter = render("E2ABC", &rich(), &Stages::new());
        assert!(starter.text.contains("path = \"/user/*\"\n"));
        assert!(starter.text.contains("# resource = \"/user/{proxy+}\"\n"), "{}", starter.text);
    }

    /// `rich()` with its API Gateway origin on `/prod`, and the stages `apis` answers for it.
    async fn rich_with_stage(apis: &FakeApis) -> (DistributionConfig, Stages) {
        let mut config = rich();
        config.origins.as_mut().unwrap().items[1].origin_path = Some("/prod".into());
        let stages = find_stages(apis, &classify(&config).origins).await;
        (config, stages)
    }

    fn deployed() -> FakeApis {
        FakeApis::default().rest(
            "a1b2c3d4e5",
            "prod",
            "def456",
            &[("abc123", "proxy to legacy ELB", 1_764_511_320), ("def456", "orders on Lambda", 1_764_321_000)],
        )
    }

    #[tokio::test]
    async fn a_stage_every_route_shares_is_written_once_with_its_deployments() {
        let (config, stages) = rich_with_stage(&deployed()).await;
        let starter = render("E2ABC", &config, &stages);
        assert!(starter.warnings.is_empty(), "{:?}", starter.warnings);
        assert_eq!(starter.stages, ["REST a1b2c3d4e5/prod"]);
        let text = &starter.text;
        assert_eq!(text.matches("[distribution.stage]").count(), 1, "{text}");
        assert!(!text.contains("[distribution.route.stage]"), "{text}");
        assert!(
            text.contains(
                "[distribution.stage]\nrest_api_id = \"a1b2c3d4e5\"\nstage = \"prod\"\n\
                 # The deployment whose integration proxies to the monolith, offered first by D.\n\
                 # The stage's recent deployments, newest first (UTC):\n\
                 #   abc123  2025-11-30 14:02  \"proxy to legacy ELB\"\n\
                 #   def456  2025-11-28 09:10  \"orders on Lambda\" (current)\n\
                 # fallback_deployment = \"DEPLOYMENT-ID\"\n"
            ),
            "{text}"
        );
        let loaded = parse(text, "c.toml").unwrap_or_else(|e| panic!("{e}\n{text}"));
        let found = loaded.stages_of("E2ABC", &paths(&config));
        assert_eq!(found.len(), 4);
        assert!(found.values().all(|s| s.stage.label() == "REST a1b2c3d4e5/prod" && s.fallback_deployment.is_none()));
        validate_against(&loaded, "E2ABC", &origin_ids_of(&config), &paths(&config)).unwrap();
        let loaded = parse(&uncommented(text), "c.toml").unwrap_or_else(|e| panic!("{e}\n{text}"));
        let found = loaded.stages_of("E2ABC", &["*".to_string()]);
        assert_eq!(found["*"].fallback_deployment.as_deref(), Some("DEPLOYMENT-ID"));
        // The metric hint names the API as API Gateway did: a REST API by its name, which its
        // CloudWatch metrics are keyed by.
        assert!(text.contains("# kind = \"rest\"\n# api_name = \"a1b2c3d4e5-api\"   # REST API"), "{text}");
        match &loaded.distribution("E2ABC").unwrap().route("*").unwrap().api_gateway {
            Some(crate::config::ApiGateway::Rest { api_name, stage, .. }) => {
                assert_eq!((api_name.as_str(), stage.as_str()), ("a1b2c3d4e5-api", "prod"));
            }
            other => panic!("{other:?}\n{text}"),
        }
    }

    #[tokio::test]
    async fn a_route_that_never_moves_gets_no_stage_so_the_others_get_their_own() {
        let (mut config, stages) = rich_with_stage(&deployed()).await;
        config.origins.as_mut().unwrap().items.push(origin("s3", "assets.s3.amazonaws.com"));
        let behaviors = config.cache_behaviors.as_mut().unwrap();
        behaviors.items.as_mut().unwrap().push(behavior("/assets/*", "s3"));
        behaviors.quantity += 1;
        let starter = render("E2ABC", &config, &stages);
        assert!(!starter.text.contains("[distribution.stage]"), "{}", starter.text);
        assert_eq!(starter.text.matches("\n[distribution.route.stage]\n").count(), 4, "{}", starter.text);
        let loaded = parse(&starter.text, "c.toml").unwrap();
        let found = loaded.stages_of("E2ABC", &paths(&config));
        assert_eq!(found.len(), 4);
        assert!(!found.contains_key("/assets/*"));
        parse(&uncommented(&starter.text), "c.toml").unwrap_or_else(|e| panic!("{e}\n{}", starter.text));
    }

    #[tokio::test]
    async fn a_denied_read_writes_the_stage_commented_with_why_and_warns() {
        let denied = BackendError::AccessDenied("GetRestApi is not allowed (AccessDeniedException: nope)".into());
        let apis = FakeApis { rest_error: Some(denied), ..FakeApis::default() };
        let (config, stages) = rich_with_stage(&apis).await;
        let starter = render("E2ABC", &config, &stages);
        let why = "apigateway:GET on arn:aws:apigateway:eu-west-1::/restapis/a1b2c3d4e5 was denied \
                   (GetRestApi is not allowed (AccessDeniedException: nope))";
        assert_eq!(
            starter.warnings,
            [format!("the stage of origin `apigw` was not filled in (written commented): {why}")]
        );
        assert!(
            starter.text.contains(&format!(
                "# Not filled in: {why}.\n# [distribution.stage]\n# rest_api_id = \"a1b2c3d4e5\"\n\
                 #   (or http_api_id in its place, if it is the other kind of API)\n# stage = \"prod\"\n"
            )),
            "{}",
            starter.text
        );
        let loaded = parse(&starter.text, "c.toml").unwrap();
        assert!(loaded.stages_of("E2ABC", &paths(&config)).is_empty());
        let loaded = parse(&uncommented(&starter.text), "c.toml").unwrap_or_else(|e| panic!("{e}\n{}", starter.text));
        assert_eq!(loaded.stages_of("E2ABC", &paths(&config)).len(), 4);
    }

    #[test]
    fn rendering_is_deterministic() {
        assert_eq!(render("E2ABC", &rich(), &Stages::new()), render("E2ABC", &rich(), &Stages::new()));
    }
}
