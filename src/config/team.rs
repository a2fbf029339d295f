//! `[team]`: the shared journal on CloudWatch Logs (issue 23). Its one key, `log_group`, must be a
//! name CloudWatch Logs takes; without it each distribution's journal is `/cutover/<id>`.

use serde::Deserialize;
use toml::Spanned;

use super::error::{ConfigError, Problem};
use super::source::Source;

/// `[team]`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Team {
    /// The log group every run sends its records to and reads others' from. Default
    /// `/cutover/<distribution id>`, one per distribution; one group named here is shared by every
    /// distribution of the file (each entry names its distribution).
    #[serde(default)]
    pub log_group: Option<Spanned<String>>,
}

impl Team {
    /// The log group of `distribution_id`'s journal.
    pub fn log_group_of(&self, distribution_id: &str) -> String {
        match &self.log_group {
            Some(group) => group.get_ref().clone(),
            None => default_log_group(distribution_id),
        }
    }
}

/// `/cutover/<distribution id>`.
pub fn default_log_group(distribution_id: &str) -> String {
    format!("/cutover/{distribution_id}")
}

/// CloudWatch Logs' rule for a group name: 1 to 512 of `A-Z a-z 0-9 _ - / . #`.
fn is_log_group_name(name: &str) -> bool {
    (1..=512).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"_-/.#".contains(&b))
}

pub(crate) fn check(src: &Source, team: &Team) -> Result<(), ConfigError> {
    if let Some(group) = &team.log_group
        && !is_log_group_name(group.get_ref())
    {
        return Err(ConfigError::invalid(
            src,
            Some(&group.span()),
            Problem::BadValue,
            format!("log_group \"{}\" in [team] is not a CloudWatch Logs log group name", group.get_ref()),
            "use 1 to 512 letters, digits and _ - / . #, such as /cutover/E2ABCDEF12345 (or leave it out for that default)",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::config::testing::parse_top as parse;

    #[test]
    fn the_log_group_defaults_to_one_per_distribution() {
        let config = parse("[team]").unwrap();
        assert_eq!(config.team_log_group_of("E1").as_deref(), Some("/cutover/E1"));
        let config = parse("[team]\nlog_group = \"/oncall/journal\"").unwrap();
        assert_eq!(config.team_log_group_of("E1").as_deref(), Some("/oncall/journal"));
        assert_eq!(parse("").unwrap().team_log_group_of("E1"), None);
    }

    #[test]
    fn a_bad_log_group_is_pointed_at() {
        let e = parse("[team]\nlog_group = \"team journal\"").unwrap_err();
        assert!(e.contains("line 2, column 13: log_group \"team journal\" in [team] is not"), "{e}");
        assert!(parse("[team]\nlog_group = \"\"").is_err());
        assert!(parse("[team]\ngroup = \"x\"").is_err());
    }
}
