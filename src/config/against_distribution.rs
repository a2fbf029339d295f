//! Checking a loaded config against what the live distribution really has, before the UI starts.
//! (What the file must satisfy on its own is `within_file.rs`, checked while loading.)

use super::error::{ConfigError, Problem};
use super::types::Config;

/// How many existing ids or paths an error lists before it says "and N more".
const LISTED: usize = 20;

/// Checks the config's part for `distribution_id` against the live distribution: every origin id in
/// `lambda_origins` and `legacy_origins` must be one of `topology_origins`, and every route path one of
/// `topology_paths` (the default behavior is `*`). The first mismatch is reported with its line and
/// column and the ids or paths that do exist.
pub fn validate_against(
    config: &Config,
    distribution_id: &str,
    topology_origins: &[String],
    topology_paths: &[String],
) -> Result<(), ConfigError> {
    let src = &config.source;
    let Some(distribution) = config.distribution(distribution_id) else {
        let configured: Vec<&str> = config.distributions.iter().map(|d| d.id.get_ref().as_str()).collect();
        return Err(ConfigError::invalid(
            src,
            None,
            Problem::UnknownDistribution,
            format!("it does not describe distribution {distribution_id} (it describes {})", listing(&configured)),
            format!("add a [[distribution]] table with id = \"{distribution_id}\" or pick one of those"),
        ));
    };
    let id = distribution.id.get_ref();
    for (key, list) in
        [("lambda_origins", &distribution.lambda_origins), ("legacy_origins", &distribution.legacy_origins)]
    {
        for origin in list {
            if !topology_origins.iter().any(|o| o == origin.get_ref()) {
                let existing: Vec<&str> = topology_origins.iter().map(String::as_str).collect();
                return Err(ConfigError::invalid(
                    src,
                    Some(&origin.span()),
                    Problem::UnknownOrigin,
                    format!(
                        "origin id `{}` in {key} is not an origin of distribution {id}, whose origins are {}",
                        origin.get_ref(),
                        listing(&existing)
                    ),
                    "use one of those ids",
                ));
            }
        }
    }
    for route in &distribution.routes {
        let path = &route.path;
        if !topology_paths.iter().any(|p| p == path.get_ref()) {
            let existing: Vec<&str> = topology_paths.iter().map(String::as_str).collect();
            return Err(ConfigError::invalid(
                src,
                Some(&path.span()),
                Problem::UnknownPath,
                format!(
                    "distribution {id} has no cache behavior with path pattern {}; its path patterns are {}",
                    path.get_ref(),
                    listing(&existing)
                ),
                "correct the path to one of those (\"*\" is the default behavior) or remove the route",
            ));
        }
    }
    Ok(())
}

/// `` `a`, `b` and `c` ``, at most [`LISTED`] of them, or "none".
fn listing(items: &[&str]) -> String {
    if items.is_empty() {
        return "none".to_string();
    }
    let shown: Vec<String> = items.iter().take(LISTED).map(|i| format!("`{i}`")).collect();
    let rest = items.len() - shown.len();
    match (rest, shown.as_slice()) {
        (0, [one]) => one.clone(),
        (0, [init @ .., last]) => format!("{} and {last}", init.join(", ")),
        _ => format!("{} and {rest} more", shown.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse;
    use crate::config::testing::with;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    fn config() -> Config {
        parse(&with("[[distribution.route]]\npath = \"/user/*\"\n[[distribution.route]]\npath = \"*\"\n"), "c.toml")
            .unwrap()
    }

    #[test]
    fn a_config_matching_the_distribution_passes() {
        let origins = strings(&["apigw", "elb", "spare"]);
        let paths = strings(&["/user/*", "/other/*", "*"]);
        validate_against(&config(), "E1", &origins, &paths).unwrap();
    }

    #[test]
    fn an_unknown_origin_id_is_named_with_its_position_and_the_real_ones() {
        let e = validate_against(&config(), "E1", &strings(&["apigw", "legacy-elb"]), &strings(&["/user/*", "*"]))
            .unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert_eq!(e.problem(), Some(Problem::UnknownOrigin));
        assert_eq!(
            e.to_string(),
            "config file c.toml, line 4, column 19: origin id `elb` in legacy_origins is not an origin of \
             distribution E1, whose origins are `apigw` and `legacy-elb`; use one of those ids"
        );
    }

    #[test]
    fn an_unknown_path_is_named_with_its_position_and_the_real_ones() {
        let e = validate_against(&config(), "E1", &strings(&["apigw", "elb"]), &strings(&["/users/*", "/a", "*"]))
            .unwrap_err();
        assert_eq!(e.problem(), Some(Problem::UnknownPath));
        assert_eq!(
            e.to_string(),
            "config file c.toml, line 6, column 8: distribution E1 has no cache behavior with path pattern \
             /user/*; its path patterns are `/users/*`, `/a` and `*`; correct the path to one of those (\"*\" \
             is the default behavior) or remove the route"
        );
    }

    #[test]
    fn an_unconfigured_distribution_is_reported() {
        let e = validate_against(&config(), "E9", &[], &[]).unwrap_err();
        assert_eq!(e.problem(), Some(Problem::UnknownDistribution));
        assert!(e.to_string().contains("does not describe distribution E9 (it describes `E1`)"), "{e}");
    }

    #[test]
    fn long_lists_are_cut() {
        let many: Vec<String> = (0..25).map(|i| format!("o{i}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        let text = listing(&many);
        assert!(text.ends_with("`o19` and 5 more"), "{text}");
        assert_eq!(listing(&[]), "none");
    }
}
