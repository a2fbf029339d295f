//! The compatibility pre-flight of a switch, from the behavior as fetched: does the viewer's `Host`
//! header reach a Lambda-side origin (API Gateway and Lambda function URLs answer 403 to it), and
//! how long can cached responses of the old backend keep being served after the switch.
//!
//! Pure: the policies a behavior names are looked up in the managed tables below or in a
//! [`PolicyBook`] of custom policies the backend has read (`GetOriginRequestPolicy`,
//! `GetCachePolicy`). A policy that could not be read makes the check say so; it never passes.

use std::collections::HashMap;
use std::fmt;

use super::Target;

/// AWS's managed origin request policy for API Gateway and function URL origins.
pub const ALL_VIEWER_EXCEPT_HOST_HEADER: &str = "b689b0a8-53d0-40ab-baf2-68738e2966ac";

/// What a cache behavior says about the requests it sends to its origin and what it caches.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BehaviorPolicies {
    pub origin_request_policy_id: Option<String>,
    pub cache_policy_id: Option<String>,
    /// Legacy cache settings (`ForwardedValues` and TTLs), on behaviors without a cache policy.
    pub legacy: Option<LegacyCacheSettings>,
}

/// A behavior's legacy `ForwardedValues` headers and its TTLs, in seconds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LegacyCacheSettings {
    pub headers: Vec<String>,
    pub default_ttl: i64,
    pub max_ttl: i64,
}

/// Which kind of policy an id names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PolicyKind {
    OriginRequest,
    Cache,
}

impl fmt::Display for PolicyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PolicyKind::OriginRequest => "origin request policy",
            PolicyKind::Cache => "cache policy",
        })
    }
}

/// What the check needs of one policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyFacts {
    pub name: String,
    /// Whether requests to the origin carry the viewer's `Host` header: listed, or all viewer
    /// headers. A cache policy forwards every header of its cache key.
    pub forwards_host: bool,
    /// Default and maximum TTL, for cache policies.
    pub ttls: Option<(i64, i64)>,
}

/// Custom policies by (kind, id): what was read, or why it could not be.
pub type PolicyBook = HashMap<(PolicyKind, String), Result<PolicyFacts, String>>;

/// The managed policies cutover knows by id (AWS publishes their ids and settings).
pub fn managed(kind: PolicyKind, id: &str) -> Option<PolicyFacts> {
    let facts = |name: &str, forwards_host: bool, ttls: Option<(i64, i64)>| {
        Some(PolicyFacts { name: name.to_string(), forwards_host, ttls })
    };
    const YEAR: i64 = 31_536_000;
    match (kind, id) {
        (PolicyKind::OriginRequest, "216adef6-5c7f-47e4-b989-5492eafa07d3") => facts("AllViewer", true, None),
        (PolicyKind::OriginRequest, "33f36d7e-f396-46d9-90e0-52428a34d9dc") => {
            facts("AllViewerAndCloudFrontHeaders-2022-06", true, None)
        }
        (PolicyKind::OriginRequest, "bf0718e1-ba1e-49d1-88b1-f726733018ae") => facts("HostHeaderOnly", true, None),
        (PolicyKind::OriginRequest, ALL_VIEWER_EXCEPT_HOST_HEADER) => facts("AllViewerExceptHostHeader", false, None),
        (PolicyKind::OriginRequest, "59781a5b-3903-41f3-afcb-af62929ccde1") => facts("CORS-CustomOrigin", false, None),
        (PolicyKind::OriginRequest, "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf") => facts("CORS-S3Origin", false, None),
        (PolicyKind::OriginRequest, "775133bc-15f2-49f9-abea-afb2e0bf67d2") => {
            facts("Elemental-MediaTailor-PersonalizedManifests", false, None)
        }
        (PolicyKind::OriginRequest, "acba4595-bd28-49b8-b9fe-13317c0390fa") => {
            facts("UserAgentRefererHeaders", false, None)
        }
        (PolicyKind::Cache, "658327ea-f89d-4fab-a63d-7e88639e58f6") => {
            facts("CachingOptimized", false, Some((86_400, YEAR)))
        }
        (PolicyKind::Cache, "b2884449-e4de-46a7-ac36-70bc7f1ddd6d") => {
            facts("CachingOptimizedForUncompressedObjects", false, Some((86_400, YEAR)))
        }
        (PolicyKind::Cache, "4135ea2d-6df8-44a3-9df3-4b5a84be39ad") => facts("CachingDisabled", false, Some((0, 0))),
        (PolicyKind::Cache, "2e54312d-136d-493c-8eb9-b001f22f67d2") => facts("Amplify", true, Some((2, 600))),
        (PolicyKind::Cache, "08627262-05a9-4f76-9ded-b50ca2e3a84f") => {
            facts("Elemental-MediaPackage", false, Some((86_400, YEAR)))
        }
        (PolicyKind::Cache, "83da9c7e-98b4-4e11-a168-04f0df8e2c65") => {
            facts("UseOriginCacheControlHeaders", true, Some((0, YEAR)))
        }
        (PolicyKind::Cache, "4cc15a8a-d715-48a4-82b8-cc0b614638fe") => {
            facts("UseOriginCacheControlHeaders-QueryStrings", true, Some((0, YEAR)))
        }
        _ => None,
    }
}

/// The custom policies a behavior names (after an optional origin request policy swap): the ones
/// the backend must read for [`check`].
pub fn custom_policies(behavior: &BehaviorPolicies, swap_to: Option<&str>) -> Vec<(PolicyKind, String)> {
    let request = swap_to.or(behavior.origin_request_policy_id.as_deref());
    [(PolicyKind::OriginRequest, request), (PolicyKind::Cache, behavior.cache_policy_id.as_deref())]
        .into_iter()
        .filter_map(|(kind, id)| id.filter(|id| managed(kind, id).is_none()).map(|id| (kind, id.to_string())))
        .collect()
}

/// What the pre-flight found for one route's move.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Findings {
    /// Reasons the switch would break the route, each naming the cause and the fix.
    pub blocks: Vec<String>,
    /// Facts worth knowing that do not stop the switch (cached responses of the old backend).
    pub notes: Vec<String>,
}

impl Findings {
    pub fn is_blocked(&self) -> bool {
        !self.blocks.is_empty()
    }
}

/// The pre-flight of moving a route whose behavior is `behavior` to `to`; `swap_to` is the origin
/// request policy the switch attaches in the same update, when the config names one.
pub fn check(
    path: &str,
    behavior: &BehaviorPolicies,
    swap_to: Option<&str>,
    to: Target,
    book: &PolicyBook,
) -> Findings {
    let mut findings = Findings::default();
    if swap_to.is_some() && behavior.legacy.is_some() {
        findings.blocks.push(format!(
            "{path} uses legacy cache settings (ForwardedValues): CloudFront takes an origin request policy only with a cache policy. Fix: give the behavior a cache policy, or remove the policy swap from the config"
        ));
    }
    let cache = behavior.cache_policy_id.as_deref().map(|id| (id, lookup(book, PolicyKind::Cache, id)));
    if to == Target::Lambda {
        let request_policy = swap_to.or(behavior.origin_request_policy_id.as_deref());
        findings.blocks.extend(host_blocks(path, behavior, request_policy, cache.as_ref(), book));
    }
    let ttls = match (&cache, &behavior.legacy) {
        (Some((_, Ok(facts))), _) => facts.ttls,
        (None, Some(legacy)) => Some((legacy.default_ttl, legacy.max_ttl)),
        _ => None,
    };
    if let Some((default, max)) = ttls.filter(|(d, m)| *d > 0 || *m > 0) {
        let from = to.other();
        findings.notes.push(format!(
            "{path}: edges may keep serving {from}'s cached responses for up to {} after the switch (default TTL; up to {} where it sent Cache-Control)",
            seconds(default),
            seconds(max)
        ));
    }
    findings
}

/// A policy's facts: managed ones from the table, custom ones from the book; never a guess.
fn lookup(book: &PolicyBook, kind: PolicyKind, id: &str) -> Result<PolicyFacts, String> {
    if let Some(facts) = managed(kind, id) {
        return Ok(facts);
    }
    match book.get(&(kind, id.to_string())) {
        Some(Ok(facts)) => Ok(facts.clone()),
        Some(Err(why)) => Err(why.clone()),
        None => Err(format!("{kind} {id} has not been read")),
    }
}

/// Every way the viewer's Host header would reach a Lambda-side origin, or could not be ruled out.
fn host_blocks(
    path: &str,
    behavior: &BehaviorPolicies,
    request_policy: Option<&str>,
    cache: Option<&(&str, Result<PolicyFacts, String>)>,
    book: &PolicyBook,
) -> Vec<String> {
    let fix = format!(
        "Fix: attach AllViewerExceptHostHeader ({ALL_VIEWER_EXCEPT_HOST_HEADER}) to the behavior, or name it as lambda_origin_request_policy in the config so the switch swaps it"
    );
    let refuses = "API Gateway and Lambda function URLs answer 403 to it";
    let mut blocks = Vec::new();
    if let Some(id) = request_policy {
        match lookup(book, PolicyKind::OriginRequest, id) {
            Ok(facts) if facts.forwards_host => blocks.push(format!(
                "{path} would send the viewer's Host header to Lambda (origin request policy {}): {refuses}. {fix}",
                facts.name
            )),
            Ok(_) => {}
            Err(why) => blocks.push(format!(
                "the Host check of {path} could not be made: {why}; cannot tell whether the origin request policy forwards Host (API Gateway answers 403 if it does)"
            )),
        }
    }
    match cache {
        Some((_, Ok(facts))) if facts.forwards_host => blocks.push(format!(
            "{path} would send the viewer's Host header to Lambda (cache policy {} has Host in its cache key, and CloudFront forwards cache-key headers): {refuses}. Fix: use a cache policy without Host",
            facts.name
        )),
        Some((id, Err(why))) => blocks.push(format!(
            "the Host check of {path} could not be made: {why}; cannot tell whether cache policy {id} forwards Host"
        )),
        _ => {}
    }
    if let Some(legacy) = &behavior.legacy
        && let Some(header) = legacy.headers.iter().find(|h| h.eq_ignore_ascii_case("host") || *h == "*")
    {
        let what = if header == "*" { "all headers, Host among them" } else { "Host" };
        blocks.push(format!(
            "{path} would send the viewer's Host header to Lambda (legacy ForwardedValues forwards {what}): {refuses}. {fix}"
        ));
    }
    blocks
}

fn seconds(secs: i64) -> String {
    match secs {
        s if s >= 86_400 && s % 86_400 == 0 => format!("{}d", s / 86_400),
        s if s >= 3600 && s % 3600 == 0 => format!("{}h", s / 3600),
        s if s >= 60 && s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_request_policy(id: &str) -> BehaviorPolicies {
        BehaviorPolicies {
            origin_request_policy_id: Some(id.into()),
            cache_policy_id: Some("4135ea2d-6df8-44a3-9df3-4b5a84be39ad".into()),
            legacy: None,
        }
    }

    fn legacy(headers: &[&str]) -> BehaviorPolicies {
        BehaviorPolicies {
            legacy: Some(LegacyCacheSettings {
                headers: headers.iter().map(|h| h.to_string()).collect(),
                default_ttl: 0,
                max_ttl: 0,
            }),
            ..Default::default()
        }
    }

    const FORWARDING: [(&str, &str); 3] = [
        ("216adef6-5c7f-47e4-b989-5492eafa07d3", "AllViewer"),
        ("33f36d7e-f396-46d9-90e0-52428a34d9dc", "AllViewerAndCloudFrontHeaders-2022-06"),
        ("bf0718e1-ba1e-49d1-88b1-f726733018ae", "HostHeaderOnly"),
    ];
    const NOT_FORWARDING: [&str; 5] = [
        ALL_VIEWER_EXCEPT_HOST_HEADER,
        "59781a5b-3903-41f3-afcb-af62929ccde1",
        "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf",
        "775133bc-15f2-49f9-abea-afb2e0bf67d2",
        "acba4595-bd28-49b8-b9fe-13317c0390fa",
    ];

    #[test]
    fn managed_request_policies_that_forward_host_block_a_move_to_lambda_and_name_the_fix() {
        for (id, name) in FORWARDING {
            let findings = check("/a/*", &with_request_policy(id), None, Target::Lambda, &PolicyBook::new());
            assert_eq!(findings.blocks.len(), 1, "{name}");
            assert!(findings.blocks[0].contains(name), "{}", findings.blocks[0]);
            assert!(findings.blocks[0].contains("AllViewerExceptHostHeader"), "{}", findings.blocks[0]);
            // Going back to the origin is never blocked by Host.
            assert!(!check("/a/*", &with_request_policy(id), None, Target::Origin, &PolicyBook::new()).is_blocked());
        }
    }

    #[test]
    fn managed_request_policies_without_host_pass() {
        for id in NOT_FORWARDING {
            let findings = check("/a/*", &with_request_policy(id), None, Target::Lambda, &PolicyBook::new());
            assert_eq!(findings, Findings::default(), "{id}");
        }
    }

    #[test]
    fn a_swap_to_a_policy_without_host_clears_the_block() {
        let behavior = with_request_policy(FORWARDING[0].0);
        let swapped = check("/a/*", &behavior, Some(ALL_VIEWER_EXCEPT_HOST_HEADER), Target::Lambda, &PolicyBook::new());
        assert!(!swapped.is_blocked(), "{swapped:?}");
    }

    #[test]
    fn managed_cache_policies_with_host_in_the_key_block() {
        for (id, forwards) in [
            ("2e54312d-136d-493c-8eb9-b001f22f67d2", true),
            ("83da9c7e-98b4-4e11-a168-04f0df8e2c65", true),
            ("4cc15a8a-d715-48a4-82b8-cc0b614638fe", true),
            ("658327ea-f89d-4fab-a63d-7e88639e58f6", false),
            ("b2884449-e4de-46a7-ac36-70bc7f1ddd6d", false),
            ("4135ea2d-6df8-44a3-9df3-4b5a84be39ad", false),
            ("08627262-05a9-4f76-9ded-b50ca2e3a84f", false),
        ] {
            let behavior = BehaviorPolicies { cache_policy_id: Some(id.into()), ..Default::default() };
            let findings = check("/a/*", &behavior, None, Target::Lambda, &PolicyBook::new());
            assert_eq!(findings.is_blocked(), forwards, "{id}: {findings:?}");
        }
    }

    #[test]
    fn legacy_forwarded_host_or_star_blocks_and_other_headers_do_not() {
        for headers in [&["Host"][..], &["host"], &["*"], &["Accept", "Host"]] {
            assert!(
                check("/a/*", &legacy(headers), None, Target::Lambda, &PolicyBook::new()).is_blocked(),
                "{headers:?}"
            );
        }
        for headers in [&[][..], &["Accept"], &["Authorization", "X-Host"]] {
            assert!(
                !check("/a/*", &legacy(headers), None, Target::Lambda, &PolicyBook::new()).is_blocked(),
                "{headers:?}"
            );
        }
    }

    #[test]
    fn custom_policies_are_read_from_the_book_and_an_unread_one_never_passes() {
        let custom = "11111111-2222-3333-4444-555555555555";
        let behavior = BehaviorPolicies { origin_request_policy_id: Some(custom.into()), ..Default::default() };
        assert_eq!(custom_policies(&behavior, None), [(PolicyKind::OriginRequest, custom.to_string())]);
        let mut book = PolicyBook::new();
        let unread = check("/a/*", &behavior, None, Target::Lambda, &book);
        assert!(unread.blocks[0].contains("could not be made"), "{unread:?}");
        book.insert((PolicyKind::OriginRequest, custom.into()), Err("AccessDenied".into()));
        let denied = check("/a/*", &behavior, None, Target::Lambda, &book);
        assert!(denied.blocks[0].contains("AccessDenied"), "{denied:?}");
        let facts = |forwards_host| PolicyFacts { name: "api-headers".into(), forwards_host, ttls: None };
        book.insert((PolicyKind::OriginRequest, custom.into()), Ok(facts(true)));
        assert!(check("/a/*", &behavior, None, Target::Lambda, &book).blocks[0].contains("api-headers"));
        book.insert((PolicyKind::OriginRequest, custom.into()), Ok(facts(false)));
        assert!(!check("/a/*", &behavior, None, Target::Lambda, &book).is_blocked());
    }

    #[test]
    fn cached_responses_are_noted_with_their_ttls() {
        let cached = BehaviorPolicies {
            cache_policy_id: Some("658327ea-f89d-4fab-a63d-7e88639e58f6".into()),
            ..Default::default()
        };
        let findings = check("/a/*", &cached, None, Target::Origin, &PolicyBook::new());
        assert!(!findings.is_blocked());
        assert_eq!(findings.notes.len(), 1);
        assert!(findings.notes[0].contains("λ Lambda's cached responses for up to 1d"), "{}", findings.notes[0]);
        let uncached = with_request_policy(ALL_VIEWER_EXCEPT_HOST_HEADER);
        assert!(check("/a/*", &uncached, None, Target::Origin, &PolicyBook::new()).notes.is_empty());
        let mut legacy = legacy(&[]);
        legacy.legacy.as_mut().unwrap().default_ttl = 300;
        assert!(check("/a/*", &legacy, None, Target::Lambda, &PolicyBook::new()).notes[0].contains("up to 5m"));
    }

    #[test]
    fn a_swap_on_legacy_cache_settings_is_blocked() {
        let findings =
            check("/a/*", &legacy(&[]), Some(ALL_VIEWER_EXCEPT_HOST_HEADER), Target::Lambda, &PolicyBook::new());
        assert!(findings.blocks[0].contains("legacy cache settings"), "{findings:?}");
    }
}
