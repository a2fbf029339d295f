//! What the config file says about one distribution, reduced to what the AWS backend needs.

use crate::config::{Config, Distribution};
use crate::domain::Target;

/// A distribution id and which of its origin ids count as Lambda and as the legacy origin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DistributionSpec {
    pub id: String,
    /// Never empty in a loaded config; a route switched to Lambda goes to the first.
    pub lambda_origins: Vec<String>,
    /// Never empty in a loaded config; a route switched back goes to the first.
    pub legacy_origins: Vec<String>,
}

impl DistributionSpec {
    pub fn from_config(distribution: &Distribution) -> Self {
        let ids = |list: &[toml::Spanned<String>]| list.iter().map(|o| o.get_ref().clone()).collect();
        DistributionSpec {
            id: distribution.id.get_ref().clone(),
            lambda_origins: ids(&distribution.lambda_origins),
            legacy_origins: ids(&distribution.legacy_origins),
        }
    }

    /// The spec of `id` in `config`, if the config describes it.
    pub fn find(config: &Config, id: &str) -> Option<Self> {
        config.distribution(id).map(Self::from_config)
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

    /// Where a route goes when switched to `target`.
    pub fn origin_for(&self, target: Target) -> &str {
        let list = match target {
            Target::Lambda => &self.lambda_origins,
            Target::Origin => &self.legacy_origins,
        };
        list.first().map_or("", String::as_str)
    }
}
