//! The checks a config must pass on its own while loading, beyond its TOML shape: ranges, duplicates,
//! limits. Each failure points at the offending value. (What it must match in the live distribution
//! is `against_distribution.rs`.)

use std::collections::HashMap;

use toml::Spanned;

use super::error::{ConfigError, Problem};
use super::source::Source;
use super::types::{Config, Distribution, ThresholdOverrides};

/// The largest config file cutover reads. Real ones are a few kilobytes.
pub const MAX_FILE_BYTES: u64 = 1 << 20;

/// The most `[[distribution.route]]` tables one distribution may have.
pub const MAX_ROUTES_PER_DISTRIBUTION: usize = 1000;

/// Allowed `refresh_seconds`.
pub(crate) const REFRESH_SECONDS: std::ops::RangeInclusive<u64> = 10..=3600;
/// Allowed `concurrency_limit`.
pub(crate) const CONCURRENCY_LIMIT: std::ops::RangeInclusive<u64> = 1..=1_000_000;
/// Allowed `traffic_moved_pct`: below half, the old side would still carry most of the traffic.
pub(crate) const TRAFFIC_MOVED_PCT: std::ops::RangeInclusive<u64> = 50..=100;
/// Allowed `traffic_moved_warn_minutes`.
pub(crate) const TRAFFIC_MOVED_WARN_MINUTES: std::ops::RangeInclusive<u64> = 1..=120;
/// Allowed `periods`.
pub(crate) const PERIODS: std::ops::RangeInclusive<usize> = 1..=60;
/// CloudFront's longest path pattern.
pub(crate) const MAX_PATH_CHARS: usize = 255;
/// The CloudWatch statistics other than percentiles that make sense for latency.
pub(crate) const NAMED_STATISTICS: [&str; 5] = ["Average", "Maximum", "Minimum", "Sum", "SampleCount"];

// Long: the file-wide rules one after another, in the order their errors are reported.
pub(crate) fn check(config: &Config) -> Result<(), ConfigError> {
    let src = &config.source;
    let refresh = &config.refresh_seconds;
    if !REFRESH_SECONDS.contains(refresh.get_ref()) {
        return Err(bad(
            src,
            refresh,
            format!("refresh_seconds is {}, outside 10 to 3600", refresh.get_ref()),
            "set it to the seconds between refreshes, from 10 to 3600 (60 matches CloudWatch's one-minute data)",
        ));
    }
    let statistic = &config.latency_statistic;
    if !is_latency_statistic(statistic.get_ref()) {
        return Err(bad(
            src,
            statistic,
            format!("latency_statistic \"{}\" is not a CloudWatch statistic cutover can use", statistic.get_ref()),
            "use a percentile above p0 and below p100 such as \"p99\" or \"p99.9\", or one of Average, Maximum, \
             Minimum, Sum, SampleCount",
        ));
    }
    let limit = &config.concurrency_limit;
    if !CONCURRENCY_LIMIT.contains(limit.get_ref()) {
        return Err(bad(
            src,
            limit,
            format!("concurrency_limit is {}, outside 1 to 1000000", limit.get_ref()),
            "set it to the account's Lambda concurrency limit (1000 unless AWS raised it)",
        ));
    }
    let moved = &config.traffic_moved_pct;
    if !TRAFFIC_MOVED_PCT.contains(moved.get_ref()) {
        return Err(bad(
            src,
            moved,
            format!("traffic_moved_pct is {}, outside 50 to 100", moved.get_ref()),
            "set it to the share of a route's requests, in percent, the new side must carry (95 by default)",
        ));
    }
    let warn = &config.traffic_moved_warn_minutes;
    if !TRAFFIC_MOVED_WARN_MINUTES.contains(warn.get_ref()) {
        return Err(bad(
            src,
            warn,
            format!("traffic_moved_warn_minutes is {}, outside 1 to 120", warn.get_ref()),
            "set it to the minutes a switch's traffic may take to move before cutover warns (10 by default)",
        ));
    }
    check_thresholds(src, &config.thresholds, "[thresholds]")?;

    if config.distributions.is_empty() {
        return Err(ConfigError::invalid(
            src,
            None,
            Problem::Missing,
            "it names no distribution",
            "add a [[distribution]] table with id, lambda_origins and legacy_origins, or let `cutover init \
             --distribution ID` write one",
        ));
    }
    let mut ids: HashMap<&str, &Spanned<String>> = HashMap::new();
    for distribution in &config.distributions {
        let id = &distribution.id;
        if id.get_ref().trim().is_empty() {
            return Err(bad(
                src,
                id,
                "a distribution's id is empty",
                "write the CloudFront distribution id, such as \"E2ABCDEF12345\"",
            ));
        }
        if let Some(first) = ids.insert(id.get_ref(), id) {
            return Err(ConfigError::invalid(
                src,
                Some(&id.span()),
                Problem::Duplicate,
                format!("distribution {} is described twice (first at {})", id.get_ref(), src.position(&first.span())),
                "merge the two [[distribution]] tables into one",
            ));
        }
        check_distribution(src, distribution)?;
    }
    Ok(())
}

// Long: each distribution rule is a few lines, checked and reported in the file's order.
fn check_distribution(src: &Source, distribution: &Distribution) -> Result<(), ConfigError> {
    let id = &distribution.id;
    for (list, what) in [
        (
            &distribution.lambda_origins,
            ("lambda_origins", "the origins that serve Lambda (API Gateway, function URLs)"),
        ),
        (&distribution.legacy_origins, ("legacy_origins", "the legacy origins (ELB, EC2, ...)")),
    ] {
        let (key, meaning) = what;
        if list.is_empty() {
            return Err(ConfigError::invalid(
                src,
                Some(&id.span()),
                Problem::Missing,
                format!("distribution {} has no {key}", id.get_ref()),
                format!(
                    "add {key} = [\"<origin id>\", ...] to its table, naming {meaning}; the first is where switched routes go"
                ),
            ));
        }
    }
    let mut origins: HashMap<&str, (&Spanned<String>, &str)> = HashMap::new();
    for (list, key) in
        [(&distribution.lambda_origins, "lambda_origins"), (&distribution.legacy_origins, "legacy_origins")]
    {
        for origin in list {
            if origin.get_ref().is_empty() {
                return Err(bad(
                    src,
                    origin,
                    format!("an origin id in {key} is empty"),
                    "write the origin's id as CloudFront shows it",
                ));
            }
            if let Some((first, first_key)) = origins.insert(origin.get_ref(), (origin, key)) {
                let (message, fix) = if first_key == key {
                    (
                        format!("origin id `{}` is listed twice in {key}", origin.get_ref()),
                        "remove one of the two".to_string(),
                    )
                } else {
                    (
                        format!(
                            "origin id `{}` is in both lambda_origins (at {}) and legacy_origins",
                            origin.get_ref(),
                            src.position(&first.span())
                        ),
                        "keep it only in the list for what that origin serves".to_string(),
                    )
                };
                return Err(ConfigError::invalid(src, Some(&origin.span()), Problem::Duplicate, message, fix));
            }
        }
    }

    if let Some(extra) = distribution.routes.get(MAX_ROUTES_PER_DISTRIBUTION) {
        return Err(ConfigError::invalid(
            src,
            Some(&extra.path.span()),
            Problem::TooMany,
            format!(
                "distribution {} has {} routes, more than the {MAX_ROUTES_PER_DISTRIBUTION} cutover accepts",
                id.get_ref(),
                distribution.routes.len()
            ),
            "list only the distribution's cache behaviors, once each",
        ));
    }
    let mut paths: HashMap<&str, &Spanned<String>> = HashMap::new();
    for route in &distribution.routes {
        let path = &route.path;
        let chars = path.get_ref().chars().count();
        if chars == 0 {
            return Err(bad(
                src,
                path,
                "a route's path is empty",
                "write the cache behavior's path pattern, such as \"/user/*\", or \"*\" for the default behavior",
            ));
        }
        if chars > MAX_PATH_CHARS {
            return Err(bad(
                src,
                path,
                format!("a route's path is {chars} characters long, more than CloudFront's {MAX_PATH_CHARS}"),
                "copy the path pattern exactly as the cache behavior has it",
            ));
        }
        if let Some(first) = paths.insert(path.get_ref(), path) {
            return Err(ConfigError::invalid(
                src,
                Some(&path.span()),
                Problem::Duplicate,
                format!(
                    "route {} of distribution {} is listed twice (first at {})",
                    path.get_ref(),
                    id.get_ref(),
                    src.position(&first.span())
                ),
                "merge the two [[distribution.route]] tables into one",
            ));
        }
        for (key, own, list, list_key) in [
            ("lambda_origin", &route.lambda_origin, &distribution.lambda_origins, "lambda_origins"),
            ("legacy_origin", &route.legacy_origin, &distribution.legacy_origins, "legacy_origins"),
        ] {
            if let Some(origin) = own
                && !list.iter().any(|o| o.get_ref() == origin.get_ref())
            {
                return Err(bad(
                    src,
                    origin,
                    format!(
                        "route {}: {key} `{}` is not in the distribution's {list_key}",
                        path.get_ref(),
                        origin.get_ref()
                    ),
                    format!("name one of {list_key}, or add the origin to {list_key} if it really is one"),
                ));
            }
        }
        check_thresholds(src, &route.thresholds, &format!("the thresholds of route {}", path.get_ref()))?;
    }
    Ok(())
}

fn check_thresholds(src: &Source, t: &ThresholdOverrides, scope: &str) -> Result<(), ConfigError> {
    for (name, value) in [
        ("error_rate_pct", &t.error_rate_pct),
        ("latency_ms", &t.latency_ms),
        ("throttles_per_min", &t.throttles_per_min),
    ] {
        if let Some(value) = value
            && !(value.get_ref().is_finite() && *value.get_ref() >= 0.0)
        {
            return Err(bad(
                src,
                value,
                format!("{name} in {scope} is {}, not a number of 0 or more", value.get_ref()),
                format!("set {name} to a finite number of 0 or more, or remove it to use the wider default"),
            ));
        }
    }
    if let Some(periods) = &t.periods
        && !PERIODS.contains(periods.get_ref())
    {
        return Err(bad(
            src,
            periods,
            format!("periods in {scope} is {}, outside 1 to 60", periods.get_ref()),
            "set it to how many consecutive one-minute periods a threshold must be crossed before alerting, 1 to 60",
        ));
    }
    Ok(())
}

/// `p` followed by a number above 0 and below 100 (`p99`, `p99.9`), or a named statistic.
pub(crate) fn is_latency_statistic(text: &str) -> bool {
    if NAMED_STATISTICS.contains(&text) {
        return true;
    }
    let Some(number) = text.strip_prefix('p') else { return false };
    let (whole, fraction) = number.split_once('.').unwrap_or((number, "0"));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    digits(whole) && digits(fraction) && number.parse::<f64>().is_ok_and(|p| p > 0.0 && p < 100.0)
}

/// A value of the right type but out of range or malformed, pointed at.
fn bad<T>(src: &Source, value: &Spanned<T>, message: impl Into<String>, fix: impl Into<String>) -> ConfigError {
    ConfigError::invalid(src, Some(&value.span()), Problem::BadValue, message, fix)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::testing::{error, with};

    #[test]
    fn latency_statistics() {
        for ok in
            ["p99", "p95", "p99.9", "p50", "p0.1", "p99.99", "Average", "Maximum", "Minimum", "Sum", "SampleCount"]
        {
            assert!(is_latency_statistic(ok), "{ok}");
        }
        for bad in
            ["", "p", "p0", "p100", "p100.0", "p-1", "p99.", "p.9", "P99", "p9e1", "average", "tm99", "p 99", "p+5"]
        {
            assert!(!is_latency_statistic(bad), "{bad}");
        }
    }

    #[test]
    fn out_of_range_settings_are_pointed_at() {
        let e = error(&format!("traffic_moved_pct = 40\n{}", with("")));
        assert!(e.contains("line 1, column 21: traffic_moved_pct is 40, outside 50 to 100"), "{e}");
        let e = error(&format!("traffic_moved_warn_minutes = 0\n{}", with("")));
        assert!(e.contains("traffic_moved_warn_minutes is 0, outside 1 to 120"), "{e}");
        let e = error(&format!("refresh_seconds = 5\n{}", with("")));
        assert!(e.contains("line 1, column 19: refresh_seconds is 5, outside 10 to 3600"), "{e}");
        assert!(error(&format!("refresh_seconds = 3601\n{}", with(""))).contains("3601"));
        let e = error(&format!("latency_statistic = \"p100\"\n{}", with("")));
        assert!(e.contains("line 1, column 21") && e.contains("\"p99.9\""), "{e}");
        let e = error(&format!("concurrency_limit = 0\n{}", with("")));
        assert!(e.contains("line 1, column 21: concurrency_limit is 0"), "{e}");
        assert!(error(&format!("concurrency_limit = 1000001\n{}", with(""))).contains("outside 1 to 1000000"));
    }

    #[test]
    fn bad_thresholds_are_pointed_at() {
        let e = error(&format!("[thresholds]\nerror_rate_pct = -1.0\n{}", with("")));
        assert!(e.contains("line 2, column 18: error_rate_pct in [thresholds] is -1"), "{e}");
        let e = error(&format!("[thresholds]\nlatency_ms = nan\n{}", with("")));
        assert!(e.contains("latency_ms in [thresholds] is NaN"), "{e}");
        let e = error(&format!("[thresholds]\nthrottles_per_min = inf\n{}", with("")));
        assert!(e.contains("throttles_per_min") && e.contains("finite"), "{e}");
        let e = error(&format!("[thresholds]\nperiods = 0\n{}", with("")));
        assert!(e.contains("line 2, column 11: periods in [thresholds] is 0, outside 1 to 60"), "{e}");
        let e = error(&with("[[distribution.route]]\npath = \"/a\"\n[distribution.route.thresholds]\nperiods = 61\n"));
        assert!(e.contains("line 8, column 11: periods in the thresholds of route /a is 61"), "{e}");
    }

    #[test]
    fn a_config_needs_a_distribution_with_both_kinds_of_origin() {
        let e = error("refresh_seconds = 60\n");
        assert_eq!(
            e,
            "config file cutover.toml: it names no distribution; add a [[distribution]] table with id, \
             lambda_origins and legacy_origins, or let `cutover init --distribution ID` write one"
        );
        let e = error("[[distribution]]\nid = \"E1\"\nlegacy_origins = [\"elb\"]\n");
        assert!(e.contains("line 2, column 6: distribution E1 has no lambda_origins; add lambda_origins = ["), "{e}");
        let e = error("[[distribution]]\nid = \"E1\"\nlambda_origins = [\"a\"]\nlegacy_origins = []\n");
        assert!(e.contains("distribution E1 has no legacy_origins"), "{e}");
        let e = error("[[distribution]]\nid = \"\"\nlambda_origins = [\"a\"]\nlegacy_origins = [\"b\"]\n");
        assert!(e.contains("id is empty"), "{e}");
    }

    #[test]
    fn an_origin_in_both_lists_is_refused() {
        let e =
            error("[[distribution]]\nid = \"E1\"\nlambda_origins = [\"a\", \"b\"]\nlegacy_origins = [\"c\", \"b\"]\n");
        assert!(
            e.contains(
                "line 4, column 24: origin id `b` is in both lambda_origins (at line 3, column 24) and legacy_origins"
            ),
            "{e}"
        );
        let e = error("[[distribution]]\nid = \"E1\"\nlambda_origins = [\"a\", \"a\"]\nlegacy_origins = [\"c\"]\n");
        assert!(e.contains("`a` is listed twice in lambda_origins"), "{e}");
    }

    #[test]
    fn duplicate_routes_and_distributions_are_refused() {
        let e = error(&with("[[distribution.route]]\npath = \"/a\"\n[[distribution.route]]\npath = \"/a\"\n"));
        assert!(
            e.contains("line 8, column 8: route /a of distribution E1 is listed twice (first at line 6, column 8)"),
            "{e}"
        );
        let twice = format!("{}{}", with(""), with(""));
        let e = error(&twice);
        assert!(e.contains("line 6, column 6: distribution E1 is described twice (first at line 2, column 6)"), "{e}");
    }

    #[test]
    fn a_route_home_must_be_in_its_list() {
        let e = error(&with("[[distribution.route]]\npath = \"/a\"\nlegacy_origin = \"apigw\"\n"));
        assert!(e.contains("route /a: legacy_origin `apigw` is not in the distribution's legacy_origins"), "{e}");
        let e = error(&with("[[distribution.route]]\npath = \"/a\"\nlambda_origin = \"nope\"\n"));
        assert!(e.contains("lambda_origin `nope` is not in the distribution's lambda_origins"), "{e}");
    }

    #[test]
    fn empty_and_overlong_paths_are_refused() {
        let e = error(&with("[[distribution.route]]\npath = \"\"\n"));
        assert!(e.contains("line 6, column 8: a route's path is empty"), "{e}");
        let long = format!("/{}", "x".repeat(255));
        let e = error(&with(&format!("[[distribution.route]]\npath = \"{long}\"\n")));
        assert!(e.contains("256 characters long, more than CloudFront's 255"), "{e}");
        let just = format!("/{}", "é".repeat(254));
        assert!(crate::config::parse(&with(&format!("[[distribution.route]]\npath = \"{just}\"\n")), "c").is_ok());
    }
}
