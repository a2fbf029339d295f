//! Distributions shaped like real ones, created in moto: static files on an S3 origin, two ELB
//! origins (the monolith and an admin app), API Gateway, behaviors with the managed policies real
//! teams set up for the old backend (one forwarding the viewer's Host). Shared by the tests that
//! change AWS on a messy topology (`messy_moto`, `router_moto`).

use aws_sdk_cloudfront::types::{
    CacheBehavior, CacheBehaviors, CustomOriginConfig, DefaultCacheBehavior, DistributionConfig, Origin,
    OriginProtocolPolicy, Origins, S3OriginConfig, ViewerProtocolPolicy,
};

pub const S3: &str = "static-s3";
pub const ELB: &str = "legacy-elb";
pub const ELB_2: &str = "legacy-elb-2";
pub const APIGW: &str = "apigw-prod";
/// Managed origin request policy AllViewer: forwards the viewer's Host, which API Gateway refuses.
pub const ALL_VIEWER: &str = "216adef6-5c7f-47e4-b989-5492eafa07d3";
pub const ALL_VIEWER_EXCEPT_HOST: &str = "b689b0a8-53d0-40ab-baf2-68738e2966ac";
pub const CACHING_DISABLED: &str = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad";

/// A custom (HTTPS-only) origin: an ELB or API Gateway.
pub fn custom(id: &str, domain: &str) -> Origin {
    let config = CustomOriginConfig::builder()
        .http_port(80)
        .https_port(443)
        .origin_protocol_policy(OriginProtocolPolicy::HttpsOnly)
        .build()
        .unwrap();
    Origin::builder().id(id).domain_name(domain).custom_origin_config(config).build().unwrap()
}

/// The S3 origin [`S3`], a bucket of static files.
pub fn bucket() -> Origin {
    Origin::builder()
        .id(S3)
        .domain_name("assets-bucket.s3.eu-west-1.amazonaws.com")
        .s3_origin_config(S3OriginConfig::builder().origin_access_identity("").build())
        .build()
        .unwrap()
}

/// The four origins of a messy distribution: the bucket, both ELBs, API Gateway.
pub fn origins() -> Vec<Origin> {
    vec![
        bucket(),
        custom(ELB, "monolith-123.eu-west-1.elb.amazonaws.com"),
        custom(ELB_2, "admin-456.eu-west-1.elb.amazonaws.com"),
        custom(APIGW, "abc123defg.execute-api.eu-west-1.amazonaws.com"),
    ]
}

/// A behavior with caching off and, optionally, an origin request policy.
pub fn behavior(path: &str, origin: &str, request_policy: Option<&str>) -> CacheBehavior {
    CacheBehavior::builder()
        .path_pattern(path)
        .target_origin_id(origin)
        .viewer_protocol_policy(ViewerProtocolPolicy::RedirectToHttps)
        .cache_policy_id(CACHING_DISABLED)
        .set_origin_request_policy_id(request_policy.map(str::to_string))
        .build()
        .unwrap()
}

/// Create the distribution in moto, its default behavior on [`ELB`], under a caller reference made
/// unique from `reference` (moto keeps distributions for as long as it runs); its id.
pub async fn create(
    cloudfront: &aws_sdk_cloudfront::Client,
    reference: &str,
    comment: &str,
    origins: Vec<Origin>,
    behaviors: Vec<CacheBehavior>,
) -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let config = DistributionConfig::builder()
        .caller_reference(format!("cutover-{reference}-{}-{nanos}", std::process::id()))
        .comment(comment)
        .enabled(true)
        .origins(Origins::builder().quantity(origins.len() as i32).set_items(Some(origins)).build().unwrap())
        .default_cache_behavior(
            DefaultCacheBehavior::builder()
                .target_origin_id(ELB)
                .viewer_protocol_policy(ViewerProtocolPolicy::RedirectToHttps)
                .cache_policy_id(CACHING_DISABLED)
                .build()
                .unwrap(),
        )
        .cache_behaviors(
            CacheBehaviors::builder().quantity(behaviors.len() as i32).set_items(Some(behaviors)).build().unwrap(),
        )
        .build()
        .unwrap();
    cloudfront.create_distribution().distribution_config(config).send().await.unwrap().distribution.unwrap().id.clone()
}
