//! The checks a config must pass on its own while loading, beyond its TOML shape: ranges, duplicates,
//! limits. Each failure points at the offending value. (What it must match in the live distribution
//! is `against_distribution.rs`.)

use std::collections::HashMap;

use toml::Spanned;

use super::error::{ConfigError, Problem};
use super::source::Source;
use crate::domain::plan::RolloutPlan;
use crate::domain::probe::{ProbeMethod, refused_header};

use super::types::{
    Config, Distribution, MarkerHeader, Probe, ProbeMarkers, Probes, Stage, ThresholdOverrides, role_arn_account,
};

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
/// Allowed `[probes]` values.
pub(crate) const PROBE_EVERY_SECS: std::ops::RangeInclusive<u64> = 1..=300;
pub(crate) const PROBE_FOR_SECS: std::ops::RangeInclusive<u64> = 10..=3600;
pub(crate) const PROBE_TIMEOUT_SECS: std::ops::RangeInclusive<u64> = 1..=30;
pub(crate) const PROBE_MAX_PER_MINUTE: std::ops::RangeInclusive<u64> = 1..=120;
/// The longest probe path cutover sends.
pub(crate) const MAX_PROBE_PATH_CHARS: usize = 2048;

// Long: the file-wide rules one after another, in the order their errors are reported.
pub(crate) fn check(config: &Config) -> Result<(), ConfigError> {
    let src = &config.source;
    if let Some(team) = &config.team {
        super::team::check(src, team)?;
    }
    if let Some(notify) = &config.notify {
        super::notify::check(src, notify)?;
    }
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
    if let Some(region) = &config.region
        && !is_region(region.get_ref())
    {
        return Err(bad(src, region, format!("region {:?} is not an AWS region name", region.get_ref()), REGION_FIX));
    }
    check_thresholds(src, &config.thresholds, "[thresholds]")?;
    check_probe_pace(src, &config.probes)?;
    check_plans(config)?;

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

/// Every plan in `[plans]` parses, and every plan a distribution or route names exists.
fn check_plans(config: &Config) -> Result<(), ConfigError> {
    let src = &config.source;
    for (name, text) in &config.plans {
        if let Err(why) = RolloutPlan::parse(name, text.get_ref()) {
            return Err(bad(
                src,
                text,
                format!("rollout plan {name:?} in [plans] does not read: {why}"),
                "write its steps as a share and a hold of at most 7 days each, rising to 100%: \"1% 10m, 5% 10m, 25% 15m, 50% 15m, 100%\"",
            ));
        }
    }
    let named =
        config.distributions.iter().flat_map(|d| d.plan.iter().chain(d.routes.iter().filter_map(|r| r.plan.as_ref())));
    for name in named {
        if let Err(why) = config.plan(name.get_ref()) {
            return Err(bad(src, name, why, "name a plan of [plans], or \"default\""));
        }
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
        if let Some(account) = &route.account
            && !distribution.lambda_accounts.contains_key(account.get_ref())
        {
            return Err(bad(
                src,
                account,
                format!(
                    "route {}: account `{}` is not in the distribution's lambda_accounts",
                    path.get_ref(),
                    account.get_ref()
                ),
                account_fix(distribution),
            ));
        }
        check_thresholds(src, &route.thresholds, &format!("the thresholds of route {}", path.get_ref()))?;
        if let Some(probe) = &route.probe {
            check_probe(src, probe, path.get_ref())?;
        }
        if let Some(stage) = &route.stage {
            check_stage(src, stage, &format!("route {}", path.get_ref()))?;
        }
    }
    if let Some(stage) = &distribution.stage {
        check_stage(src, stage, &format!("distribution {}", id.get_ref()))?;
    }
    check_markers(src, &distribution.probe_markers)?;
    if let Some(edge_logs) = &distribution.edge_logs {
        super::edge_logs::check(src, edge_logs)?;
    }
    check_accounts(src, distribution)
}

/// What to write instead of an unknown account name.
fn account_fix(distribution: &Distribution) -> String {
    if distribution.lambda_accounts.is_empty() {
        "add a [distribution.lambda_accounts.NAME] table for it, or remove account to read the route with the \
         distribution's credentials"
            .to_string()
    } else {
        let names: Vec<&str> = distribution.lambda_accounts.keys().map(String::as_str).collect();
        format!("name one of {}, or add a [distribution.lambda_accounts.NAME] table for it", names.join(", "))
    }
}

/// Each `[distribution.lambda_accounts.NAME]`: a usable name, a role ARN of the right shape, an
/// external id only with a role, a region and limit that make sense, and Lambda origins of the
/// distribution's that no other account claims.
// Long: one rule after another for each account, in the order their errors are reported.
fn check_accounts(src: &Source, distribution: &Distribution) -> Result<(), ConfigError> {
    let mut claimed: HashMap<&str, &str> = HashMap::new();
    for (name, account) in &distribution.lambda_accounts {
        let table = format!("[distribution.lambda_accounts.{name}]");
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_".contains(&b)) {
            return Err(ConfigError::invalid(
                src,
                None,
                Problem::BadValue,
                format!(
                    "distribution {}: the account name {name:?} is not letters, digits, - and _",
                    distribution.id.get_ref()
                ),
                "name the account with letters, digits, - and _ (such as \"payments\")",
            ));
        }
        if let Some(arn) = &account.role_arn
            && role_arn_account(arn.get_ref()).is_none()
        {
            return Err(bad(
                src,
                arn,
                format!("role_arn {:?} in {table} is not an IAM role ARN", arn.get_ref()),
                "write it as arn:aws:iam::<12-digit account id>:role/<role name>, as IAM shows it",
            ));
        }
        if let Some(external_id) = &account.external_id {
            if account.role_arn.is_none() {
                return Err(bad(
                    src,
                    external_id,
                    format!("{table} has an external_id but no role_arn"),
                    "add the role_arn the external id is for, or remove external_id",
                ));
            }
            let len = external_id.get_ref().chars().count();
            if !(2..=1224).contains(&len) {
                return Err(bad(
                    src,
                    external_id,
                    format!("the external_id in {table} is {len} characters long, outside 2 to 1224"),
                    "copy the external id the role's trust policy names",
                ));
            }
        }
        if let Some(profile) = &account.profile
            && !is_profile_name(profile.get_ref())
        {
            return Err(bad(
                src,
                profile,
                format!("profile {:?} in {table} is empty or has spaces or control characters", profile.get_ref()),
                "write the profile name as the AWS CLI takes it (aws configure list-profiles), or remove the key",
            ));
        }
        if let Some(region) = &account.region
            && !is_region(region.get_ref())
        {
            return Err(bad(
                src,
                region,
                format!("region {:?} in {table} is not an AWS region name", region.get_ref()),
                REGION_FIX,
            ));
        }
        if let Some(limit) = &account.concurrency_limit
            && !CONCURRENCY_LIMIT.contains(limit.get_ref())
        {
            return Err(bad(
                src,
                limit,
                format!("concurrency_limit in {table} is {}, outside 1 to 1000000", limit.get_ref()),
                "set it to the account's Lambda concurrency limit (1000 unless AWS raised it)",
            ));
        }
        if account.profile.is_none() && account.role_arn.is_none() {
            return Err(ConfigError::invalid(
                src,
                None,
                Problem::Missing,
                format!(
                    "{table} has neither profile nor role_arn, so it would be read as the distribution's own account"
                ),
                "add profile = \"...\" or role_arn = \"arn:aws:iam::ACCOUNT:role/NAME\" to the table",
            ));
        }
        for origin in &account.lambda_origins {
            if !distribution.lambda_origins.iter().any(|o| o.get_ref() == origin.get_ref()) {
                return Err(bad(
                    src,
                    origin,
                    format!(
                        "lambda origin `{}` of {table} is not in the distribution's lambda_origins",
                        origin.get_ref()
                    ),
                    "name one of lambda_origins, or add the origin to lambda_origins if it really is one",
                ));
            }
            if let Some(first) = claimed.insert(origin.get_ref(), name) {
                return Err(ConfigError::invalid(
                    src,
                    Some(&origin.span()),
                    Problem::Duplicate,
                    format!("lambda origin `{}` is in both lambda_accounts {first} and {name}", origin.get_ref()),
                    "keep it in the account its API Gateway or functions live in",
                ));
            }
        }
    }
    Ok(())
}

// Long: the four `[probes]` numbers, each with its range and its reason, then how they fit together.
fn check_probe_pace(src: &Source, probes: &Probes) -> Result<(), ConfigError> {
    for (value, range, key, fix) in [
        (
            &probes.every_secs,
            &PROBE_EVERY_SECS,
            "every_secs",
            "set it to the seconds between two probes of a route, from 1 to 300 (5 is plenty)",
        ),
        (
            &probes.for_secs,
            &PROBE_FOR_SECS,
            "for_secs",
            "set it to how long a route is probed after a switch, from 10 to 3600 seconds",
        ),
        (
            &probes.timeout_secs,
            &PROBE_TIMEOUT_SECS,
            "timeout_secs",
            "set it to how long one probe waits for an answer, from 1 to 30 seconds",
        ),
        (
            &probes.max_per_minute,
            &PROBE_MAX_PER_MINUTE,
            "max_per_minute",
            "set it to the most probes a distribution may send in a minute, from 1 to 120",
        ),
    ] {
        if !range.contains(value.get_ref()) {
            return Err(bad(
                src,
                value,
                format!("{key} in [probes] is {}, outside {} to {}", value.get_ref(), range.start(), range.end()),
                fix,
            ));
        }
    }
    let (every, timeout) = (*probes.every_secs.get_ref(), *probes.timeout_secs.get_ref());
    if timeout > every {
        return Err(bad(
            src,
            &probes.timeout_secs,
            format!("timeout_secs in [probes] is {timeout}, longer than every_secs ({every})"),
            "make a probe give up before the next one of the same route goes: timeout_secs at most every_secs",
        ));
    }
    let per_minute = 60 / every;
    let cap = *probes.max_per_minute.get_ref();
    if per_minute > cap {
        return Err(bad(
            src,
            &probes.every_secs,
            format!(
                "every_secs = {every} in [probes] sends {per_minute} probes a minute for one route, more than \
                 max_per_minute ({cap})"
            ),
            format!("probe less often (every_secs of at least {}) or raise max_per_minute", 60_u64.div_ceil(cap)),
        ));
    }
    Ok(())
}

// Long: one rule per key of a probe table, in the table's order, each with its own fix.
fn check_probe(src: &Source, probe: &Probe, route: &str) -> Result<(), ConfigError> {
    let path = &probe.path;
    let text = path.get_ref();
    let problem = if !text.starts_with('/') {
        Some("does not start with /")
    } else if text.chars().count() > MAX_PROBE_PATH_CHARS {
        Some("is longer than 2048 characters")
    } else if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        Some("has a space or a control character")
    } else if text.contains('*') {
        Some("is a pattern, not a path")
    } else {
        None
    };
    if let Some(problem) = problem {
        return Err(bad(
            src,
            path,
            format!("the probe of route {route}: path \"{text}\" {problem}"),
            "write the path a probe requests, starting with /, such as \"/orders/health\"",
        ));
    }
    if let Some(method) = &probe.method
        && ProbeMethod::parse(method.get_ref()).is_none()
    {
        return Err(bad(
            src,
            method,
            format!("the probe of route {route}: method \"{}\" is not GET or HEAD", method.get_ref()),
            "use \"GET\" or \"HEAD\": a probe never changes anything",
        ));
    }
    if let Some(status) = &probe.expect_status
        && !(100..=599).contains(status.get_ref())
    {
        return Err(bad(
            src,
            status,
            format!("the probe of route {route}: expect_status {} is not an HTTP status", status.get_ref()),
            "set it to the status a healthy answer has, from 100 to 599 (200 by default)",
        ));
    }
    let mut seen: HashMap<String, &str> = HashMap::new();
    for (name, value) in &probe.headers {
        let lower = name.get_ref().to_ascii_lowercase();
        if !is_token(name.get_ref()) {
            return Err(bad(
                src,
                name,
                format!("the probe of route {route}: \"{}\" is not a header name", name.get_ref()),
                "use letters, digits and - in header names, such as \"accept\"",
            ));
        }
        // HTTP header names have no case: `Accept` and `accept` are one header, sent twice.
        if let Some(first) = seen.insert(lower, name.get_ref()) {
            return Err(bad(
                src,
                name,
                format!("the probe of route {route} sets the header {first} twice (as {first} and {})", name.get_ref()),
                "keep one of them: header names are the same whatever their case",
            ));
        }
        if let Some(fix) = refused_header(name.get_ref(), value.get_ref()) {
            return Err(bad(
                src,
                name,
                format!("the probe of route {route} may not set the header {}", name.get_ref()),
                fix,
            ));
        }
        if value.get_ref().chars().any(char::is_control) {
            return Err(bad(
                src,
                value,
                format!("the probe of route {route}: the value of header {} has a control character", name.get_ref()),
                "write the value on one line, without control characters",
            ));
        }
    }
    if let Some(host) = &probe.host
        && !is_host(host.get_ref())
    {
        return Err(bad(
            src,
            host,
            format!("the probe of route {route}: host \"{}\" is not a host name", host.get_ref()),
            "write the distribution's alias or its *.cloudfront.net name, without https:// or a path",
        ));
    }
    if let Some(base) = &probe.base_url
        && !is_base_url(base.get_ref())
    {
        return Err(bad(
            src,
            base,
            format!("the probe of route {route}: base_url \"{}\" is not http(s)://HOST[:PORT]", base.get_ref()),
            "write a scheme and a host only, such as \"http://127.0.0.1:8080\", or remove it to send to https://HOST",
        ));
    }
    Ok(())
}

/// A stage table names one API, REST or HTTP, and every id in it is a plain token.
fn check_stage(src: &Source, stage: &Stage, owner: &str) -> Result<(), ConfigError> {
    let fix = "write rest_api_id = \"...\" for a REST API or http_api_id = \"...\" for an HTTP API, not both";
    match (&stage.rest_api_id, &stage.http_api_id) {
        (None, None) => {
            return Err(bad(src, &stage.stage, format!("the stage of {owner} names no API"), fix));
        }
        (Some(_), Some(http)) => {
            return Err(bad(src, http, format!("the stage of {owner} names a REST API and an HTTP API"), fix));
        }
        _ => {}
    }
    let ids = [&stage.rest_api_id, &stage.http_api_id, &stage.fallback_deployment].into_iter().flatten();
    for id in ids.chain([&stage.stage]) {
        let text = id.get_ref();
        // Stage names may start with `$` (`$default`); ids are letters and digits.
        let plain = text.strip_prefix('$').unwrap_or(text);
        if plain.is_empty() || !plain.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
            return Err(bad(
                src,
                id,
                format!("`{text}` in the stage of {owner} is not an API Gateway id or stage name"),
                "copy it from the API Gateway console or `aws apigateway get-stages`: letters, digits, - and _",
            ));
        }
    }
    Ok(())
}

fn check_markers(src: &Source, markers: &ProbeMarkers) -> Result<(), ConfigError> {
    for (marker, side) in [(&markers.lambda, "lambda"), (&markers.origin, "origin")] {
        let Some(MarkerHeader { header, value }) = marker else { continue };
        if !is_token(header.get_ref().trim()) {
            return Err(bad(
                src,
                header,
                format!("probe_markers.{side}: \"{}\" is not a header name", header.get_ref()),
                "name the response header that side adds, such as \"x-served-by\"",
            ));
        }
        if value.get_ref().trim().is_empty() || value.get_ref().chars().any(char::is_control) {
            return Err(bad(
                src,
                value,
                format!("probe_markers.{side}: the value of {} is empty or has a control character", header.get_ref()),
                "write the value that side sends in it, such as \"monolith\"",
            ));
        }
    }
    if let (Some(lambda), Some(origin)) = (&markers.lambda, &markers.origin)
        && lambda.header.get_ref().trim().eq_ignore_ascii_case(origin.header.get_ref().trim())
        && lambda.value.get_ref().trim().eq_ignore_ascii_case(origin.value.get_ref().trim())
    {
        return Err(bad(
            src,
            &origin.value,
            "probe_markers.lambda and probe_markers.origin are the same header and value",
            "give each side a value of its own, or a header of its own",
        ));
    }
    Ok(())
}

/// What to do about a `region` that is not a region name.
const REGION_FIX: &str =
    "write the region's code as AWS names it, such as \"eu-west-1\" or \"us-gov-west-1\", or remove the key";

/// An AWS region's code: lower-case letters, digits and inner `-`, starting with letters and
/// holding at least one `-` (`eu-west-1`, `us-gov-west-1`, `cn-north-1`), at most 50 characters.
/// Nothing else reaches an endpoint's host name or a terminal from there.
pub fn is_region(text: &str) -> bool {
    text.len() <= 50
        && text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && text.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
        && text.contains('-')
        && !text.ends_with('-')
        && !text.contains("--")
}

/// A profile name the AWS CLI can take: not empty, no spaces, no control or format characters.
fn is_profile_name(text: &str) -> bool {
    !text.is_empty() && !text.chars().any(|c| c.is_whitespace() || crate::domain::visible::is_invisible(c))
}

/// An HTTP token (RFC 9110): a header name.
fn is_token(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// A DNS name or an IP address, with an optional `:port`.
fn is_host(text: &str) -> bool {
    let (name, port) = match text.rsplit_once(':') {
        Some((name, port)) => (name, Some(port)),
        None => (text, None),
    };
    let name_ok = !name.is_empty()
        && name.len() <= 253
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
        && !name.starts_with(['.', '-']);
    name_ok && port.is_none_or(|p| p.parse::<u16>().is_ok_and(|p| p > 0))
}

/// `http://` or `https://`, a host, maybe a port, maybe a final `/`: nothing more.
fn is_base_url(text: &str) -> bool {
    let Some(rest) = text.strip_prefix("https://").or_else(|| text.strip_prefix("http://")) else { return false };
    is_host(rest.strip_suffix('/').unwrap_or(rest))
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
pub(crate) fn bad<T>(
    src: &Source,
    value: &Spanned<T>,
    message: impl Into<String>,
    fix: impl Into<String>,
) -> ConfigError {
    ConfigError::invalid(src, Some(&value.span()), Problem::BadValue, message, fix)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::testing::{error, with};

    #[test]
    fn the_files_region_and_an_accounts_region_must_be_region_names() {
        for ok in ["eu-west-1", "us-east-1", "us-gov-west-1", "cn-northwest-1", "ap-southeast-4", "eu-isoe-west-1"] {
            assert!(is_region(ok), "{ok}");
        }
        for bad in ["", "eu west 1", "EU-WEST-1", "eu-west-1\u{1b}[2J", "eu-west-1 ", "euwest", "-eu-1", "eu-", "eu--1"]
        {
            assert!(!is_region(bad), "{bad:?}");
        }
        assert!(!is_region(&format!("eu-{}", "x".repeat(60))));
        let text = format!("region = \"eu west 1\"\n{}", with(""));
        let e = error(&text);
        assert!(e.contains("line 1, column 10: region \"eu west 1\" is not an AWS region name"), "{e}");
        assert!(e.contains("such as \"eu-west-1\""), "{e}");
        let e = error(&format!("region = \"eu-west-1\\u001b[31m\"\n{}", with("")));
        assert!(e.contains("line 1, column 10") && e.contains("is not an AWS region name"), "{e}");
        let ok = crate::config::parse(&format!("region = \"eu-central-1\"\n{}", with("")), "c.toml").unwrap();
        assert_eq!(ok.region(), Some("eu-central-1"));
    }

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
    fn a_plan_holding_longer_than_a_week_is_pointed_at() {
        for hold in ["70000000h", "5124095576030431h", "5124095576030432h", "169h"] {
            let e = error(&format!("[plans]\nslow = \"1% {hold}, 100%\"\n{}", with("")));
            assert!(e.contains("line 2, column 8: rollout plan \"slow\" in [plans] does not read"), "{e}");
            assert!(e.contains("holds longer than 7 days") && e.contains("at most 7 days each"), "{e}");
        }
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
    fn lambda_accounts_are_checked_and_routes_find_theirs() {
        let account = "[distribution.lambda_accounts.payments]\nrole_arn = \"arn:aws:iam::210987654321:role/cutover-read\"\n\
                       external_id = \"ext-1\"\nregion = \"eu-central-1\"\nlambda_origins = [\"apigw\"]\n";
        let config =
            crate::config::parse(&with(&format!("{account}[[distribution.route]]\npath = \"/a\"\n")), "c.toml")
                .unwrap();
        let d = config.distribution("E1").unwrap();
        assert_eq!(d.account_of("/a"), Some("payments"), "by its Lambda origin");
        assert_eq!(d.account_of("/not-listed"), Some("payments"), "by the first Lambda origin");
        assert_eq!(d.lambda_accounts["payments"].account_id(), Some("210987654321"));

        let bad_arn = account.replace("arn:aws:iam::210987654321:role/cutover-read", "arn:aws:iam::2109:role/x");
        let e = error(&with(&bad_arn));
        assert!(e.contains("line 6, column 12: role_arn \"arn:aws:iam::2109:role/x\" in [distribution.lambda_accounts.payments] is not an IAM role ARN"), "{e}");
        let e = error(&with("[[distribution.route]]\npath = \"/a\"\naccount = \"nope\"\n"));
        assert!(
            e.contains("line 7, column 11: route /a: account `nope` is not in the distribution's lambda_accounts"),
            "{e}"
        );
        let e = error(&with(&format!("{account}[[distribution.route]]\npath = \"/a\"\naccount = \"nope\"\n")));
        assert!(e.contains("name one of payments"), "{e}");
        let e = error(&with("[distribution.lambda_accounts.x]\nexternal_id = \"abc\"\nprofile = \"p\"\n"));
        assert!(
            e.contains("line 6, column 15: [distribution.lambda_accounts.x] has an external_id but no role_arn"),
            "{e}"
        );
        let e = error(&with("[distribution.lambda_accounts.x]\nregion = \"eu-west-1\"\n"));
        assert!(e.contains("has neither profile nor role_arn"), "{e}");
        let e = error(&with("[distribution.lambda_accounts.x]\nprofile = \"p\"\nregion = \"eu west 1\"\n"));
        assert!(
            e.contains(
                "line 7, column 10: region \"eu west 1\" in [distribution.lambda_accounts.x] is not an AWS region name"
            ),
            "{e}"
        );
        let e = error(&with("[distribution.lambda_accounts.x]\nprofile = \"p\"\nregion = \"eu-west-1\\u001b[2J\"\n"));
        assert!(e.contains("line 7, column 10") && e.contains("is not an AWS region name"), "{e}");
        let e = error(&with("[distribution.lambda_accounts.x]\nprofile = \"p\\u001b]52\"\n"));
        assert!(e.contains("line 6, column 11") && e.contains("control characters"), "{e}");
        let e = error(&with("[distribution.lambda_accounts.x]\nprofile = \"p\"\nlambda_origins = [\"elb\"]\n"));
        assert!(
            e.contains(
                "lambda origin `elb` of [distribution.lambda_accounts.x] is not in the distribution's lambda_origins"
            ),
            "{e}"
        );
        let e = error(&with(
            "[distribution.lambda_accounts.x]\nprofile = \"p\"\nlambda_origins = [\"apigw\"]\n\
             [distribution.lambda_accounts.y]\nprofile = \"q\"\nlambda_origins = [\"apigw\"]\n",
        ));
        assert!(e.contains("lambda origin `apigw` is in both lambda_accounts x and y"), "{e}");
        let e = error(&with("[distribution.lambda_accounts.x]\nprofile = \"p\"\nconcurrency_limit = 0\n"));
        assert!(e.contains("concurrency_limit in [distribution.lambda_accounts.x] is 0"), "{e}");
    }

    #[test]
    fn role_arns() {
        assert_eq!(role_arn_account("arn:aws:iam::123456789012:role/cutover-read"), Some("123456789012"));
        assert_eq!(role_arn_account("arn:aws-cn:iam::123456789012:role/path/to/r"), Some("123456789012"));
        for bad in [
            "",
            "arn:aws:iam::123456789012:user/x",
            "arn:aws:iam::12345678901:role/x",
            "arn:aws:sts::123456789012:role/x",
            "arn:aws:iam::123456789012:role/",
            "arn:aws:iam:eu-west-1:123456789012:role/x",
            "arn:foo:iam::123456789012:role/x",
            "arn:aws:iam::123456789012:role/a b",
        ] {
            assert_eq!(role_arn_account(bad), None, "{bad}");
        }
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

    #[test]
    fn a_stage_names_one_api_and_plain_ids() {
        let stage =
            |table: &str| with(&format!("[[distribution.route]]\npath = \"/a\"\n[distribution.route.stage]\n{table}"));
        let ok =
            crate::config::parse(&stage("rest_api_id = \"r1\"\nstage = \"prod\"\nfallback_deployment = \"d0\"\n"), "c");
        let config = ok.unwrap();
        let stages = config.stages_of("E1", &["/a".to_string(), "/b".to_string()]);
        assert_eq!(stages.len(), 1);
        assert_eq!(stages["/a"].fallback_deployment.as_deref(), Some("d0"));
        let e = error(&stage("stage = \"prod\"\n"));
        assert!(e.contains("line 8, column 9: the stage of route /a names no API"), "{e}");
        let e = error(&stage("rest_api_id = \"r1\"\nhttp_api_id = \"h1\"\nstage = \"prod\"\n"));
        assert!(e.contains("line 9, column 15: the stage of route /a names a REST API and an HTTP API"), "{e}");
        let e = error(&stage("http_api_id = \"h1\"\nstage = \"pr od\"\n"));
        assert!(e.contains("`pr od` in the stage of route /a is not an API Gateway id or stage name"), "{e}");
        let shared = with("[distribution.stage]\nhttp_api_id = \"h1\"\nstage = \"$default\"\n");
        let config = crate::config::parse(&shared, "c").unwrap();
        let stages = config.stages_of("E1", &["/b".to_string()]);
        assert_eq!(
            stages["/b"].stage,
            crate::domain::stage::StageRef::Http { api_id: "h1".into(), stage: "$default".into() }
        );
    }

    fn probe(table: &str) -> String {
        with(&format!("[[distribution.route]]\npath = \"/orders/*\"\n[distribution.route.probe]\n{table}"))
    }

    #[test]
    fn a_probe_gets_its_defaults_and_the_distribution_host() {
        let c = crate::config::parse(&probe("path = \"/orders/health\"\n"), "c.toml").unwrap();
        assert_eq!(c.probe_settings(), crate::domain::probe::ProbeSettings::default());
        let spec = c.probe_spec("E1", "/orders/*", Some("d111.cloudfront.net")).unwrap().unwrap();
        assert_eq!(spec.url(), "https://d111.cloudfront.net/orders/health");
        assert_eq!(
            (spec.host.as_str(), spec.method, spec.expect_status),
            ("d111.cloudfront.net", ProbeMethod::Get, 200)
        );
        assert!(spec.headers.is_empty() && spec.markers == crate::domain::probe::Markers::default());
        let e = c.probe_spec("E1", "/orders/*", None).unwrap_err();
        assert!(e.contains("names no host") && e.contains("c.toml"), "{e}");
        assert_eq!(c.probe_spec("E1", "/other/*", None), Ok(None));
        assert_eq!(c.probe_spec("E9", "/orders/*", None), Ok(None));
        assert!(c.distribution("E1").unwrap().probes_need_viewer_host());
    }

    #[test]
    fn a_probe_with_everything_set_is_sent_as_written() {
        let text = format!(
            "[probes]\nevery_secs = 10\nfor_secs = 60\ntimeout_secs = 2\nmax_per_minute = 12\n{}",
            with(
                "[distribution.probe_markers]\nlambda = { header = \"x-served-by\", value = \"lambda\" }\norigin = { header = \"x-served-by\", value = \"monolith\" }\n\
                 [[distribution.route]]\npath = \"/orders/*\"\n[distribution.route.probe]\npath = \"/orders/health\"\nmethod = \"head\"\n\
                 expect_status = 204\nhost = \"api.example.com\"\nbase_url = \"http://127.0.0.1:8080/\"\nheaders = { accept = \"application/json\", x-probe = \"cutover\" }\n"
            )
        );
        let c = crate::config::parse(&text, "c.toml").unwrap();
        let settings = c.probe_settings();
        assert_eq!((settings.every.as_secs(), settings.follow_for.as_secs()), (10, 60));
        assert_eq!((settings.timeout.as_secs(), settings.max_per_minute), (2, 12));
        let spec = c.probe_spec("E1", "/orders/*", None).unwrap().unwrap();
        assert_eq!(spec.url(), "http://127.0.0.1:8080/orders/health");
        assert_eq!((spec.host.as_str(), spec.method, spec.expect_status), ("api.example.com", ProbeMethod::Head, 204));
        assert_eq!(spec.headers, [("accept".into(), "application/json".into()), ("x-probe".into(), "cutover".into())]);
        assert_eq!(spec.markers.origin.as_ref().unwrap().value, "monolith");
        assert_eq!(spec.markers.lambda.as_ref().unwrap().header, "x-served-by");
        assert!(!c.distribution("E1").unwrap().probes_need_viewer_host());
    }

    #[test]
    fn bad_probes_are_pointed_at() {
        let e = error(&probe("path = \"orders/health\"\n"));
        assert!(
            e.contains("line 8, column 8: the probe of route /orders/*: path \"orders/health\" does not start with /"),
            "{e}"
        );
        assert!(error(&probe("path = \"/orders/*\"\n")).contains("is a pattern, not a path"));
        assert!(error(&probe("path = \"/a b\"\n")).contains("a space or a control character"));
        let e = error(&probe("path = \"/h\"\nmethod = \"POST\"\n"));
        assert!(e.contains("line 9, column 10") && e.contains("\"POST\" is not GET or HEAD"), "{e}");
        let e = error(&probe("path = \"/h\"\nexpect_status = 42\n"));
        assert!(e.contains("expect_status 42 is not an HTTP status"), "{e}");
        let e = error(&probe("path = \"/h\"\nheaders = { Host = \"x\" }\n"));
        assert!(e.contains("may not set the header Host") && e.contains("set host = "), "{e}");
        let e = error(&probe("path = \"/h\"\nheaders = { authorization = \"AWS4-HMAC-SHA256 Credential=...\" }\n"));
        assert!(e.contains("probes carry no AWS credentials"), "{e}");
        assert!(
            error(&probe("path = \"/h\"\nheaders = { x-amz-security-token = \"t\" }\n")).contains("no AWS credentials")
        );
        assert!(
            crate::config::parse(&probe("path = \"/h\"\nheaders = { authorization = \"Bearer t\" }\n"), "c").is_ok()
        );
        for (name, value) in [
            ("Authorization", "AWS4-HMAC-SHA256 Credential=..."),
            ("authorization", "aws4-hmac-sha256 Credential=..."),
            ("AUTHORIZATION", "AWS4-HMAC-SHA256 Credential=..."),
            ("X-Amz-Security-Token", "t"),
            ("X-AMZ-DATE", "20260101T000000Z"),
        ] {
            let e = error(&probe(&format!("path = \"/h\"\nheaders = {{ {name} = \"{value}\" }}\n")));
            assert!(e.contains(&format!("may not set the header {name}")) && e.contains("no AWS credentials"), "{e}");
        }
        let e = error(&probe("path = \"/h\"\nheaders = { Accept = \"a\", accept = \"b\" }\n"));
        assert!(e.contains("sets the header Accept twice") && e.contains("line 9"), "{e}");
        assert!(error(&probe("path = \"/h\"\nheaders = { \"a b\" = \"x\" }\n")).contains("is not a header name"));
        assert!(error(&probe("path = \"/h\"\nheaders = { a = \"x\\ny\" }\n")).contains("control character"));
        let e = error(&probe("path = \"/h\"\nhost = \"https://api.example.com\"\n"));
        assert!(e.contains("is not a host name") && e.contains("without https://"), "{e}");
        let e = error(&probe("path = \"/h\"\nbase_url = \"ftp://x\"\n"));
        assert!(e.contains("is not http(s)://HOST[:PORT]"), "{e}");
        assert!(error(&probe("path = \"/h\"\nbase_url = \"http://x/api\"\n")).contains("base_url"));
        assert!(
            crate::config::parse(&probe("path = \"/h\"\nbase_url = \"http://127.0.0.1:9\"\nhost = \"a.b:443\"\n"), "c")
                .is_ok()
        );
        let e = error(&probe("path = \"/h\"\npaht = \"/x\"\n"));
        assert!(e.contains("unknown key `paht`"), "{e}");
    }

    #[test]
    fn probe_pace_and_markers_are_checked() {
        let e = error(&format!("[probes]\nevery_secs = 0\n{}", with("")));
        assert!(e.contains("line 2, column 14: every_secs in [probes] is 0, outside 1 to 300"), "{e}");
        let e = error(&format!("[probes]\nfor_secs = 5\n{}", with("")));
        assert!(e.contains("for_secs in [probes] is 5, outside 10 to 3600"), "{e}");
        let e = error(&format!("[probes]\ntimeout_secs = 60\n{}", with("")));
        assert!(e.contains("timeout_secs in [probes] is 60, outside 1 to 30"), "{e}");
        let e = error(&format!("[probes]\nmax_per_minute = 1000\n{}", with("")));
        assert!(e.contains("max_per_minute in [probes] is 1000, outside 1 to 120"), "{e}");
        let e = error(&format!("[probes]\nevery_secs = 2\ntimeout_secs = 3\n{}", with("")));
        assert!(e.contains("line 3, column 16: timeout_secs in [probes] is 3, longer than every_secs (2)"), "{e}");
        let e = error(&format!("[probes]\nevery_secs = 1\ntimeout_secs = 1\n{}", with("")));
        assert!(e.contains("sends 60 probes a minute for one route, more than max_per_minute (30)"), "{e}");
        assert!(e.contains("every_secs of at least 2"), "{e}");

        let e = error(&with("[distribution.probe_markers]\nlambda = { header = \"x served\", value = \"l\" }\n"));
        assert!(e.contains("line 6, column 21: probe_markers.lambda: \"x served\" is not a header name"), "{e}");
        let e = error(&with("[distribution.probe_markers]\norigin = { header = \"x-served-by\", value = \" \" }\n"));
        assert!(e.contains("probe_markers.origin: the value of x-served-by is empty"), "{e}");
        let e = error(&with(
            "[distribution.probe_markers]\nlambda = { header = \"x-s\", value = \"a\" }\norigin = { header = \"X-S\", value = \"A\" }\n",
        ));
        assert!(e.contains("are the same header and value"), "{e}");
        let e = error(&with("[distribution.probe_markers]\nlambda = { header = \"x-s\" }\n"));
        assert!(e.contains("`value`"), "{e}");
    }
}
