//! Small distribution configs for the init module's tests.

use aws_sdk_cloudfront::types::{
    CacheBehavior, CacheBehaviors, CustomOriginConfig, DefaultCacheBehavior, DistributionConfig, Origin, OriginGroup,
    OriginGroupFailoverCriteria, OriginGroupMember, OriginGroupMembers, OriginGroups, OriginProtocolPolicy, Origins,
    StatusCodes, ViewerProtocolPolicy,
};

pub(crate) fn origin(id: &str, domain: &str) -> Origin {
    Origin::builder()
        .id(id)
        .domain_name(domain)
        .custom_origin_config(
            CustomOriginConfig::builder()
                .http_port(80)
                .https_port(443)
                .origin_protocol_policy(OriginProtocolPolicy::HttpsOnly)
                .build()
                .unwrap(),
        )
        .build()
        .unwrap()
}

pub(crate) fn group(id: &str, members: &[&str]) -> OriginGroup {
    let members = members.iter().map(|m| OriginGroupMember::builder().origin_id(*m).build().unwrap()).collect();
    let codes = StatusCodes::builder().quantity(1).items(502).build().unwrap();
    OriginGroup::builder()
        .id(id)
        .failover_criteria(OriginGroupFailoverCriteria::builder().status_codes(codes).build())
        .members(OriginGroupMembers::builder().quantity(2).set_items(Some(members)).build().unwrap())
        .build()
        .unwrap()
}

pub(crate) fn behavior(path: &str, origin_id: &str) -> CacheBehavior {
    CacheBehavior::builder()
        .path_pattern(path)
        .target_origin_id(origin_id)
        .viewer_protocol_policy(ViewerProtocolPolicy::RedirectToHttps)
        .build()
        .unwrap()
}

/// A distribution with these origins, groups and behaviors, whose default behavior targets `default`.
pub(crate) fn distribution(
    origins: &[Origin],
    groups: &[OriginGroup],
    default: &str,
    behaviors: &[CacheBehavior],
) -> DistributionConfig {
    let mut builder = DistributionConfig::builder()
        .caller_reference("test")
        .comment("test distribution")
        .enabled(true)
        .origins(Origins::builder().quantity(origins.len() as i32).set_items(Some(origins.to_vec())).build().unwrap())
        .default_cache_behavior(
            DefaultCacheBehavior::builder()
                .target_origin_id(default)
                .viewer_protocol_policy(ViewerProtocolPolicy::RedirectToHttps)
                .build()
                .unwrap(),
        );
    if !groups.is_empty() {
        builder = builder.origin_groups(
            OriginGroups::builder().quantity(groups.len() as i32).set_items(Some(groups.to_vec())).build().unwrap(),
        );
    }
    if !behaviors.is_empty() {
        builder = builder.cache_behaviors(
            CacheBehaviors::builder()
                .quantity(behaviors.len() as i32)
                .set_items(Some(behaviors.to_vec()))
                .build()
                .unwrap(),
        );
    }
    builder.build().unwrap()
}
