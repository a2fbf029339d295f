//! What the config file says about one distribution, reduced to what the AWS backend needs: which
//! origin ids count as Lambda and as legacy, and each route's pair of origins.

use std::collections::HashMap;

use crate::config::{Config, Distribution};
use crate::domain::{OriginPair, Target};

/// A distribution id, its two lists of origin ids, and what the config says per route.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DistributionSpec {
    pub id: String,
    /// Never empty in a loaded config; the default Lambda origin is the first.
    pub lambda_origins: Vec<String>,
    /// Never empty in a loaded config; the default home is the first.
    pub legacy_origins: Vec<String>,
    /// Routes the config names, by path.
    pub routes: HashMap<String, RouteSpec>,
    pub lambda_request_policy: Option<String>,
    pub legacy_request_policy: Option<String>,
}

/// One `[[distribution.route]]`'s say on where the route moves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteSpec {
    pub lambda_origin: Option<String>,
    pub legacy_origin: Option<String>,
    pub switchable: bool,
    pub lambda_request_policy: Option<String>,
    pub legacy_request_policy: Option<String>,
}

impl DistributionSpec {
    pub fn from_config(distribution: &Distribution) -> Self {
        let ids = |list: &[toml::Spanned<String>]| list.iter().map(|o| o.get_ref().clone()).collect();
        let text = |value: &Option<toml::Spanned<String>>| value.as_ref().map(|v| v.get_ref().clone());
        let routes = distribution
            .routes
            .iter()
            .map(|r| {
                let spec = RouteSpec {
                    lambda_origin: text(&r.lambda_origin),
                    legacy_origin: text(&r.legacy_origin),
                    switchable: r.switchable,
                    lambda_request_policy: text(&r.lambda_origin_request_policy),
                    legacy_request_policy: text(&r.legacy_origin_request_policy),
                };
                (r.path.get_ref().clone(), spec)
            })
            .collect();
        DistributionSpec {
            id: distribution.id.get_ref().clone(),
            lambda_origins: ids(&distribution.lambda_origins),
            legacy_origins: ids(&distribution.legacy_origins),
            routes,
            lambda_request_policy: text(&distribution.lambda_origin_request_policy),
            legacy_request_policy: text(&distribution.legacy_origin_request_policy),
        }
    }

    /// The spec of `id` in `config`, if the config describes it.
    pub fn find(config: &Config, id: &str) -> Option<Self> {
        config.distribution(id).map(Self::from_config)
    }

    /// A spec with only the two lists, as older configs and tests give it.
    pub fn with_lists(id: &str, lambda: &[&str], legacy: &[&str]) -> Self {
        let ids = |list: &[&str]| list.iter().map(|s| s.to_string()).collect();
        DistributionSpec {
            id: id.to_string(),
            lambda_origins: ids(lambda),
            legacy_origins: ids(legacy),
            ..Default::default()
        }
    }

    /// Whether the config names the home (`legacy_origin`) of the route at `path`.
    pub fn names_home(&self, path: &str) -> bool {
        self.routes.get(path).is_some_and(|r| r.legacy_origin.is_some())
    }

    pub fn target_of(&self, origin_id: &str) -> Option<Target> {
        if self.lambda_origins.iter().any(|o| o == origin_id) {
            Some(Target::Lambda)
        } else if self.legacy_origins.iter().any(|o| o == origin_id) {
            Some(Target::Origin)
        } else {
            None
        }
    }

    /// Where the route at `path`, now on `current`, moves: the route's own origins, else the one it is
    /// on for its side, else the first of the distribution's list. `Err` says why nothing moves it.
    pub fn pair_for(&self, path: &str, current: &str) -> Result<OriginPair, String> {
        let own = self.routes.get(path);
        if own.is_some_and(|r| !r.switchable) {
            return Err("the config sets switchable = false: name its legacy_origin, then remove that line".into());
        }
        let side = |target: Target, named: Option<&String>, list: &[String]| -> Result<String, String> {
            if let Some(named) = named {
                return Ok(named.clone());
            }
            if self.target_of(current) == Some(target) {
                return Ok(current.to_string());
            }
            list.first().cloned().ok_or_else(|| format!("the config lists no {} origin", target.word()))
        };
        let policy = |route: Option<&String>, distribution: &Option<String>| route.or(distribution.as_ref()).cloned();
        Ok(OriginPair {
            lambda: side(Target::Lambda, own.and_then(|r| r.lambda_origin.as_ref()), &self.lambda_origins)?,
            legacy: side(Target::Origin, own.and_then(|r| r.legacy_origin.as_ref()), &self.legacy_origins)?,
            lambda_request_policy: policy(
                own.and_then(|r| r.lambda_request_policy.as_ref()),
                &self.lambda_request_policy,
            ),
            legacy_request_policy: policy(
                own.and_then(|r| r.legacy_request_policy.as_ref()),
                &self.legacy_request_policy,
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> DistributionSpec {
        let mut spec = DistributionSpec::with_lists("E1", &["apigw"], &["elb-1", "elb-2"]);
        let route = |legacy: Option<&str>, switchable| RouteSpec {
            lambda_origin: None,
            legacy_origin: legacy.map(str::to_string),
            switchable,
            lambda_request_policy: None,
            legacy_request_policy: None,
        };
        spec.routes.insert("/admin/*".into(), route(Some("elb-2"), true));
        spec.routes.insert("/odd/*".into(), route(None, false));
        spec
    }

    #[test]
    fn a_route_goes_back_to_its_own_home() {
        let spec = spec();
        assert_eq!(spec.pair_for("/admin/*", "apigw").unwrap().legacy, "elb-2");
        // Without a key, a route on a legacy origin keeps it as its home...
        assert_eq!(spec.pair_for("/other/*", "elb-2").unwrap().legacy, "elb-2");
        // ...and one on Lambda falls back to the first of the list.
        assert_eq!(spec.pair_for("/other/*", "apigw").unwrap().legacy, "elb-1");
        assert_eq!(spec.pair_for("/other/*", "elb-2").unwrap().lambda, "apigw");
        assert!(spec.pair_for("/odd/*", "apigw").unwrap_err().contains("switchable = false"));
    }
}
