//! Which movable routes would show no numbers of their own in an incident: a route the console can
//! switch whose config names no metric source (Lambda function, API Gateway, ALB target group) on a
//! distribution without edge logs shows only the distribution's totals, so a responder cannot tell
//! it is the sick one. Routes that never move (S3, MediaStore, mixed origin groups) are left out.

use super::checks::Outcome;
use crate::config::Config;

/// The check's line for `distribution_id`, given its behaviors as (path pattern, target origin id),
/// the default behavior as `*`: ✓ when every movable route has numbers, else ✗ naming them.
pub fn route_numbers(config: &Config, distribution_id: &str, behaviors: &[(String, String)]) -> Option<Outcome> {
    let distribution = config.distribution(distribution_id)?;
    let movable_origin = |origin: &str| {
        distribution.lambda_origins.iter().chain(&distribution.legacy_origins).any(|o| o.get_ref() == origin)
    };
    let route = |path: &str| distribution.routes.iter().find(|r| r.path.get_ref() == path);
    let movable: Vec<&str> = behaviors
        .iter()
        .filter(|(path, origin)| movable_origin(origin) && route(path).is_none_or(|r| r.switchable))
        .map(|(path, _)| path.as_str())
        .collect();
    if movable.is_empty() {
        return None;
    }
    if config.edge_logs_of(distribution_id).is_some() {
        return Some(Outcome::ready(
            "route_numbers",
            format!("numbers of every movable route: edge logs ({})", movable.len()),
        ));
    }
    let without: Vec<&str> = movable
        .iter()
        .copied()
        .filter(|path| {
            route(path).is_none_or(|r| r.lambda_function.is_none() && r.api_gateway.is_none() && r.alb.is_none())
        })
        .collect();
    Some(match without.as_slice() {
        [] => Outcome::ready(
            "route_numbers",
            format!("numbers of every movable route: a metric source each ({})", movable.len()),
        ),
        _ => Outcome::missing(
            "route_numbers",
            format!(
                "{} of {} movable route(s) with no numbers of their own (the distribution's totals only): {}",
                without.len(),
                movable.len(),
                without.join(", ")
            ),
            format!(
                "name each one's lambda_function or [distribution.route.api_gateway] in {} (init wrote them as \
                 commented hints), or set up edge logs for every route at once (cutover edge-logs install)",
                config.file_name()
            ),
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::doctor::checks::Status;
    use crate::config::parse;

    fn behaviors() -> Vec<(String, String)> {
        [("/static/*", "static-s3"), ("/user/*", "apigw"), ("/orders/*", "elb"), ("*", "elb")]
            .map(|(p, o)| (p.to_string(), o.to_string()))
            .to_vec()
    }

    fn config(extra: &str) -> Config {
        let text =
            format!("[[distribution]]\nid = \"E1\"\nlambda_origins = [\"apigw\"]\nlegacy_origins = [\"elb\"]\n{extra}");
        parse(&text, "cutover.toml").unwrap()
    }

    #[test]
    fn movable_routes_without_a_source_are_named_and_s3_routes_are_not() {
        let config = config("[[distribution.route]]\npath = \"/user/*\"\nlambda_function = \"user\"\n");
        let outcome = route_numbers(&config, "E1", &behaviors()).unwrap();
        assert_eq!(outcome.status, Status::Missing, "{outcome:#?}");
        assert!(
            outcome.detail.contains("2 of 3 movable route(s)") && outcome.detail.ends_with("/orders/*, *"),
            "{}",
            outcome.detail
        );
        assert!(!outcome.detail.contains("/static/*"));
        assert!(outcome.fix.unwrap().contains("cutover edge-logs install"));
    }

    #[test]
    fn edge_logs_give_every_route_numbers() {
        let stream = "arn:aws:kinesis:us-east-1:123456789012:stream/edge";
        let config = config(&format!("[distribution.edge_logs]\nstream_arn = \"{stream}\"\n"));
        assert_eq!(route_numbers(&config, "E1", &behaviors()).unwrap().status, Status::Ready);
    }

    #[test]
    fn a_route_that_never_moves_needs_no_numbers_of_its_own() {
        let config = config(
            "[[distribution.route]]\npath = \"/orders/*\"\nswitchable = false\n\
             [[distribution.route]]\npath = \"*\"\n[distribution.route.alb]\nload_balancer = \"app/l/1\"\ntarget_group = \"targetgroup/t/1\"\n\
             [[distribution.route]]\npath = \"/user/*\"\nlambda_function = \"user\"\n",
        );
        let outcome = route_numbers(&config, "E1", &behaviors()).unwrap();
        assert_eq!(outcome.status, Status::Ready, "{outcome:#?}");
        assert!(outcome.detail.contains("(2)"), "{}", outcome.detail);
    }
}
