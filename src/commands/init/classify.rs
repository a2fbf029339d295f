//! Which origins of a distribution serve Lambda and which are the legacy origin, judged by their domain
//! names, and in which order `cutover init` lists them.

use aws_sdk_cloudfront::types::DistributionConfig;

use crate::backend::aws::control_plane::routes_of;

/// What an origin's domain name says it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OriginKind {
    /// `{api_id}.execute-api.{region}.amazonaws.com`: an API Gateway REST or HTTP API.
    ApiGateway { api_id: String, region: String },
    /// `{url_id}.lambda-url.{region}.on.aws`: a Lambda function URL.
    FunctionUrl { region: String },
    /// An S3 bucket (an `S3OriginConfig`, or an `.s3.` domain) or a MediaStore container: static
    /// files, never the legacy API. Routes on it are not switchable.
    Storage,
    /// Anything else served over HTTP: a load balancer, an EC2 host, another CDN...
    Other,
}

impl OriginKind {
    pub fn is_lambda(&self) -> bool {
        matches!(self, OriginKind::ApiGateway { .. } | OriginKind::FunctionUrl { .. })
    }

    pub fn class(&self) -> Class {
        match self {
            OriginKind::ApiGateway { .. } | OriginKind::FunctionUrl { .. } => Class::Lambda,
            OriginKind::Storage => Class::Neither,
            OriginKind::Other => Class::Legacy,
        }
    }

    /// The AWS region the domain names, for Lambda origins.
    pub fn region(&self) -> Option<&str> {
        match self {
            OriginKind::ApiGateway { region, .. } | OriginKind::FunctionUrl { region } => Some(region),
            OriginKind::Storage | OriginKind::Other => None,
        }
    }
}

/// Reads an origin's domain name. Case and a trailing dot do not matter.
pub fn kind_of_domain(domain: &str) -> OriginKind {
    let domain = domain.trim().trim_end_matches('.').to_ascii_lowercase();
    let labels: Vec<&str> = domain.split('.').collect();
    let filled = |labels: &[&str]| labels.iter().all(|l| !l.is_empty());
    match labels.as_slice() {
        [api_id, "execute-api", region, "amazonaws", "com", rest @ ..]
            if (rest.is_empty() || rest == ["cn"]) && filled(&[api_id, region]) =>
        {
            OriginKind::ApiGateway { api_id: api_id.to_string(), region: region.to_string() }
        }
        [url_id, "lambda-url", region, "on", "aws"] if filled(&[url_id, region]) => {
            OriginKind::FunctionUrl { region: region.to_string() }
        }
        _ if labels.iter().any(|l| *l == "s3" || l.starts_with("s3-website") || *l == "mediastore") => {
            OriginKind::Storage
        }
        _ => OriginKind::Other,
    }
}

/// Which of cutover's two lists an origin or origin group belongs in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    Lambda,
    Legacy,
    /// An origin group whose members are Lambda and legacy origins both: in neither list.
    Mixed,
    /// S3 or MediaStore, or a group with such a member: in neither list, never switched.
    Neither,
}

/// One origin of the distribution.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OriginInfo {
    pub id: String,
    pub domain: String,
    /// The origin path, such as `/prod`; empty when there is none.
    pub origin_path: String,
    pub kind: OriginKind,
}

impl OriginInfo {
    /// The API Gateway stage the origin path names (`/prod` → `prod`), if any.
    pub fn stage(&self) -> Option<&str> {
        let stage = self.origin_path.trim_start_matches('/').split('/').next().unwrap_or_default();
        (!stage.is_empty()).then_some(stage)
    }
}

/// One origin group: its members, in order (the first is the primary).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupInfo {
    pub id: String,
    pub members: Vec<String>,
    pub class: Class,
}

/// A distribution's origins and origin groups, classed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Classified {
    pub origins: Vec<OriginInfo>,
    pub groups: Vec<GroupInfo>,
    /// Origin and group ids for `lambda_origins`, the one switched routes go to first.
    pub lambda: Vec<String>,
    /// Origin and group ids for `legacy_origins`, the one routes switched back go to first.
    pub legacy: Vec<String>,
    /// Groups in neither list.
    pub mixed: Vec<String>,
    /// S3 and MediaStore origins, and groups with one among their members: in neither list.
    pub storage: Vec<String>,
}

impl Classified {
    pub fn origin(&self, id: &str) -> Option<&OriginInfo> {
        self.origins.iter().find(|o| o.id == id)
    }

    pub fn group(&self, id: &str) -> Option<&GroupInfo> {
        self.groups.iter().find(|g| g.id == id)
    }

    /// The class of an origin or group id; `None` for ids the distribution does not define.
    pub fn class_of(&self, id: &str) -> Option<Class> {
        if let Some(origin) = self.origin(id) {
            return Some(origin.kind.class());
        }
        self.group(id).map(|g| g.class)
    }

    /// The Lambda origin behind an id: the origin itself, or a group's first Lambda member.
    pub fn lambda_origin_behind(&self, id: &str) -> Option<&OriginInfo> {
        match self.origin(id) {
            Some(origin) => origin.kind.is_lambda().then_some(origin),
            None => self.group(id)?.members.iter().filter_map(|m| self.origin(m)).find(|o| o.kind.is_lambda()),
        }
    }
}

/// Classes every origin by its domain, and every origin group by its members: a group of Lambda origins
/// is Lambda, a group of legacy origins is legacy (a failover pair of load balancers is still "the
/// origin"), and a group that mixes the two is in neither list, since switching a route to or from it
/// would not move it between Lambda and the origin.
///
/// Each list is ordered by how many routes target the id, most first, then origins before groups, then
/// as the distribution lists them: the first id is where the console switches routes to, and the id
/// most routes already use is the likeliest right answer.
pub fn classify(config: &DistributionConfig) -> Classified {
    let origins: Vec<OriginInfo> = config
        .origins()
        .map(|o| o.items())
        .unwrap_or_default()
        .iter()
        .map(|o| OriginInfo {
            id: o.id().to_string(),
            domain: o.domain_name().to_string(),
            origin_path: o.origin_path().unwrap_or_default().to_string(),
            kind: if o.s3_origin_config().is_some() { OriginKind::Storage } else { kind_of_domain(o.domain_name()) },
        })
        .collect();
    let class_of_member =
        |member: &str| origins.iter().find(|o| o.id == member).map_or(Class::Legacy, |o| o.kind.class());
    let groups: Vec<GroupInfo> = config
        .origin_groups()
        .and_then(|g| g.items.as_deref())
        .unwrap_or_default()
        .iter()
        .map(|g| {
            let members: Vec<String> =
                g.members().map(|m| m.items()).unwrap_or_default().iter().map(|m| m.origin_id().to_string()).collect();
            let classes: Vec<Class> = members.iter().map(|m| class_of_member(m)).collect();
            let class = if classes.contains(&Class::Neither) {
                Class::Neither
            } else if classes.iter().all(|c| *c == Class::Legacy) {
                Class::Legacy
            } else if classes.iter().all(|c| *c == Class::Lambda) {
                Class::Lambda
            } else {
                Class::Mixed
            };
            GroupInfo { id: g.id().to_string(), members, class }
        })
        .collect();

    let routes = routes_of(config);
    let uses = |id: &str| routes.iter().filter(|(_, origin)| origin == id).count();
    let mut ids: Vec<(String, Class)> = origins
        .iter()
        .map(|o| (o.id.clone(), o.kind.class()))
        .chain(groups.iter().map(|g| (g.id.clone(), g.class)))
        .collect();
    // Stable: ties keep origins before groups, each in the distribution's order.
    ids.sort_by_key(|(id, _)| std::cmp::Reverse(uses(id)));
    let of = |class: Class| ids.iter().filter(|(_, c)| *c == class).map(|(id, _)| id.clone()).collect();
    Classified {
        lambda: of(Class::Lambda),
        legacy: of(Class::Legacy),
        mixed: of(Class::Mixed),
        storage: of(Class::Neither),
        origins,
        groups,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::init::testing::{behavior, distribution, group, origin};

    #[test]
    fn api_gateway_and_function_url_domains_are_lambda() {
        assert_eq!(
            kind_of_domain("a1b2c3.execute-api.eu-west-1.amazonaws.com"),
            OriginKind::ApiGateway { api_id: "a1b2c3".into(), region: "eu-west-1".into() }
        );
        assert_eq!(
            kind_of_domain("A1B2C3.Execute-API.cn-north-1.amazonaws.com.cn."),
            OriginKind::ApiGateway { api_id: "a1b2c3".into(), region: "cn-north-1".into() }
        );
        assert_eq!(
            kind_of_domain("abcdefghij.lambda-url.us-east-2.on.aws"),
            OriginKind::FunctionUrl { region: "us-east-2".into() }
        );
        assert_eq!(kind_of_domain("abcdefghij.lambda-url.us-east-2.on.aws").region(), Some("us-east-2"));
    }

    #[test]
    fn look_alikes_are_not_lambda() {
        for domain in [
            "legacy-123.eu-west-1.elb.amazonaws.com",
            "execute-api.eu-west-1.amazonaws.com",
            ".execute-api.eu-west-1.amazonaws.com",
            "a.execute-api.eu-west-1.amazonaws.com.evil.example",
            "a.b.execute-api.eu-west-1.amazonaws.com",
            "api.example.com",
            "x.lambda-url.eu-west-1.on.aws.example",
            "",
        ] {
            assert_eq!(kind_of_domain(domain), OriginKind::Other, "{domain}");
        }
    }

    #[test]
    fn buckets_and_media_stores_are_storage_never_legacy() {
        for domain in [
            "bucket.s3.amazonaws.com",
            "bucket.s3.eu-west-1.amazonaws.com",
            "bucket.s3-website-eu-west-1.amazonaws.com",
            "abc.data.mediastore.eu-west-1.amazonaws.com",
        ] {
            assert_eq!(kind_of_domain(domain), OriginKind::Storage, "{domain}");
            assert_eq!(kind_of_domain(domain).class(), Class::Neither, "{domain}");
        }
        let config = distribution(
            &[origin("s3", "assets.s3.amazonaws.com"), origin("elb", "a.eu-west-1.elb.amazonaws.com")],
            &[group("with-bucket", &["elb", "s3"])],
            "s3",
            &[behavior("/a", "s3"), behavior("/b", "s3"), behavior("/api/*", "elb")],
        );
        let c = classify(&config);
        assert_eq!(c.legacy, ["elb"], "the busiest origin is a bucket, and still not legacy");
        assert_eq!(c.storage, ["s3", "with-bucket"]);
    }

    #[test]
    fn the_stage_comes_from_the_origin_path() {
        let info = |path: &str| OriginInfo {
            id: "a".into(),
            domain: "d".into(),
            origin_path: path.into(),
            kind: OriginKind::Other,
        };
        assert_eq!(info("/prod").stage(), Some("prod"));
        assert_eq!(info("/v1/extra").stage(), Some("v1"));
        assert_eq!(info("").stage(), None);
        assert_eq!(info("/").stage(), None);
    }

    #[test]
    fn groups_follow_their_members_and_lists_put_the_busiest_first() {
        let config = distribution(
            &[
                origin("elb-a", "a.eu-west-1.elb.amazonaws.com"),
                origin("apigw", "x1.execute-api.eu-west-1.amazonaws.com"),
                origin("elb-b", "b.eu-west-1.elb.amazonaws.com"),
                origin("fn", "u1.lambda-url.eu-west-1.on.aws"),
            ],
            &[
                group("elbs", &["elb-a", "elb-b"]),
                group("mixed", &["apigw", "elb-a"]),
                group("lambdas", &["apigw", "fn"]),
            ],
            "elb-a",
            &[behavior("/a", "elb-b"), behavior("/b", "elb-b"), behavior("/c", "fn"), behavior("/d", "elbs")],
        );
        let c = classify(&config);
        assert_eq!(c.lambda, ["fn", "apigw", "lambdas"]);
        assert_eq!(c.legacy, ["elb-b", "elb-a", "elbs"]);
        assert_eq!(c.mixed, ["mixed"]);
        assert_eq!(c.class_of("mixed"), Some(Class::Mixed));
        assert_eq!(c.class_of("nope"), None);
        assert_eq!(c.lambda_origin_behind("lambdas").map(|o| o.id.as_str()), Some("apigw"));
        assert_eq!(c.lambda_origin_behind("mixed").map(|o| o.id.as_str()), Some("apigw"));
        assert_eq!(c.lambda_origin_behind("elbs"), None);
    }
}
