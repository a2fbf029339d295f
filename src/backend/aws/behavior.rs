//! A fetched behavior's policies and the shape of a fetched distribution, read off the SDK's types
//! for the pre-flight and the start-up check. Nothing here writes.

use aws_sdk_cloudfront::types::{
    CacheBehavior, DefaultCacheBehavior, DistributionConfig, EventType, ForwardedValues, FunctionAssociations,
};

use crate::domain::preflight::{BehaviorPolicies, LegacyCacheSettings};

fn policies(
    origin_request_policy_id: Option<&str>,
    cache_policy_id: Option<&str>,
    forwarded_values: Option<&ForwardedValues>,
    default_ttl: Option<i64>,
    max_ttl: Option<i64>,
) -> BehaviorPolicies {
    let present = |id: Option<&str>| id.filter(|id| !id.is_empty()).map(str::to_string);
    let cache_policy_id = present(cache_policy_id);
    // Legacy cache settings apply only to a behavior without a cache policy.
    let legacy = cache_policy_id.is_none().then(|| LegacyCacheSettings {
        headers: forwarded_values.and_then(|f| f.headers()).map(|h| h.items().to_vec()).unwrap_or_default(),
        default_ttl: default_ttl.unwrap_or(86_400),
        max_ttl: max_ttl.unwrap_or(31_536_000),
    });
    BehaviorPolicies { origin_request_policy_id: present(origin_request_policy_id), cache_policy_id, legacy }
}

// Legacy cache settings are deprecated in the SDK, but real behaviors still carry them.
#[allow(deprecated)]
pub fn of_behavior(b: &CacheBehavior) -> BehaviorPolicies {
    policies(b.origin_request_policy_id(), b.cache_policy_id(), b.forwarded_values(), b.default_ttl(), b.max_ttl())
}

#[allow(deprecated)]
pub fn of_default(b: &DefaultCacheBehavior) -> BehaviorPolicies {
    policies(b.origin_request_policy_id(), b.cache_policy_id(), b.forwarded_values(), b.default_ttl(), b.max_ttl())
}

/// The ARN of the viewer-request function on the behavior at `path` (`*` the default), as fetched.
pub fn viewer_request_of(config: &DistributionConfig, path: &str) -> Option<String> {
    let associations: Option<&FunctionAssociations> = if path == "*" {
        config.default_cache_behavior().and_then(|d| d.function_associations())
    } else {
        let behaviors = config.cache_behaviors().and_then(|b| b.items.as_deref()).unwrap_or_default();
        behaviors.iter().find(|b| b.path_pattern() == path).and_then(|b| b.function_associations())
    };
    let items = associations.and_then(|a| a.items.as_deref()).unwrap_or_default();
    items.iter().find(|f| f.event_type == EventType::ViewerRequest).map(|f| f.function_arn.clone())
}

/// What an origin id that is in neither of the config's lists is, in words for "not switchable".
pub fn describe_unlisted(config: &DistributionConfig, origin_id: &str) -> String {
    let origin = config.origins().map(|o| o.items()).unwrap_or_default().iter().find(|o| o.id() == origin_id);
    let what = match origin {
        Some(o) if o.s3_origin_config().is_some() || o.domain_name().contains(".s3.") => "an S3 origin",
        Some(o) if o.domain_name().contains(".mediastore.") => "a MediaStore origin",
        Some(o) if o.vpc_origin_config().is_some() => "a VPC origin the config does not list",
        Some(_) => "an origin listed in neither lambda_origins nor legacy_origins",
        None if config
            .origin_groups()
            .and_then(|g| g.items.as_deref())
            .unwrap_or_default()
            .iter()
            .any(|g| g.id() == origin_id) =>
        {
            "an origin group listed in neither lambda_origins nor legacy_origins"
        }
        None => "an origin the distribution does not define",
    };
    format!("on {origin_id}, {what}: cutover never moves it")
}

/// What is wrong with the distribution's shape: duplicate path patterns (only the first ever
/// matches, so cutover could address the wrong one) and a cache behavior whose path is `*`, which
/// the console would confuse with the default behavior.
pub fn shape_problems(config: &DistributionConfig) -> Vec<String> {
    let behaviors = config.cache_behaviors().and_then(|b| b.items.as_deref()).unwrap_or_default();
    let mut problems = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for b in behaviors {
        if b.path_pattern() == "*" {
            problems.push(
                "a cache behavior other than the default has path pattern *: cutover names the default behavior *, so it leaves that behavior alone; give it another pattern"
                    .to_string(),
            );
        } else if !seen.insert(b.path_pattern()) {
            problems.push(format!(
                "path pattern {} appears in more than one cache behavior: only the first matches requests, and cutover switches only the first",
                b.path_pattern()
            ));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::init::testing::{behavior, distribution, origin};

    #[test]
    fn duplicate_patterns_and_a_second_star_are_reported() {
        let config = distribution(
            &[origin("elb", "a.eu-west-1.elb.amazonaws.com")],
            &[],
            "elb",
            &[behavior("/a/*", "elb"), behavior("*", "elb"), behavior("/a/*", "elb"), behavior("/b/*", "elb")],
        );
        let problems = shape_problems(&config);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("other than the default has path pattern *"), "{problems:?}");
        assert!(problems[1].contains("path pattern /a/* appears in more than one cache behavior"), "{problems:?}");
        let tidy = distribution(&[origin("elb", "a.example.com")], &[], "elb", &[behavior("/a/*", "elb")]);
        assert!(shape_problems(&tidy).is_empty());
    }

    #[test]
    fn an_origin_in_neither_list_says_what_it_is() {
        let config = distribution(&[origin("elb", "a.example.com")], &[], "elb", &[]);
        assert!(describe_unlisted(&config, "elb").contains("listed in neither lambda_origins nor legacy_origins"));
        assert!(describe_unlisted(&config, "gone").contains("does not define"));
        let bucket = distribution(&[origin("s3", "assets.s3.eu-west-1.amazonaws.com")], &[], "s3", &[]);
        assert!(describe_unlisted(&bucket, "s3").contains("an S3 origin"));
    }
}
