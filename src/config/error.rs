//! The one error type of the config module, and the wording of TOML parse errors: every message is a
//! single sentence that names the file, the line and column, and what to change.

use std::io;
use std::ops::Range;

use super::source::{Position, Source};

/// What kind of mistake a [`ConfigError::Invalid`] is, for callers and tests that need more than the
/// message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Problem {
    /// Not valid TOML, or not UTF-8 text.
    Syntax,
    /// A key that the config format does not have.
    UnknownKey,
    /// A key that must be present is not.
    MissingKey,
    /// A value of the wrong type (text where a number belongs, ...).
    WrongType,
    /// A value of the right type that is out of range or malformed.
    BadValue,
    /// The same key, distribution id or route path given twice, or an origin id in both lists.
    Duplicate,
    /// More of something than cutover accepts.
    TooMany,
    /// Something the file must say is not there (no distribution, no origin ids).
    Missing,
    /// An origin id that the live distribution does not have.
    UnknownOrigin,
    /// A route path that is not a cache behavior of the live distribution.
    UnknownPath,
    /// A distribution id that the config does not describe.
    UnknownDistribution,
}

/// Why a config could not be used. Each message is one sentence that says what to fix.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "config file {file} does not exist; create one with `cutover init --distribution ID`, pass \
         --config PATH, or try `cutover demo`"
    )]
    NotFound { file: String },
    #[error("cannot read config file {file}: {source}; check the path and its permissions")]
    Read {
        file: String,
        #[source]
        source: io::Error,
    },
    #[error(
        "config file {file} is larger than 1 MiB; a cutover config is a few kilobytes, so check that \
         --config names the right file"
    )]
    TooLarge { file: String, size: u64 },
    #[error("config file {file}{}: {message}; {fix}", at(.position))]
    Invalid { file: String, position: Option<Position>, kind: Problem, message: String, fix: String },
}

fn at(position: &Option<Position>) -> String {
    position.map(|p| format!(", {p}")).unwrap_or_default()
}

impl ConfigError {
    /// The process exit code for this error: 2 for everything the user can fix by editing the file or
    /// the command line, 1 for I/O failures that are not about the path or its permissions.
    pub fn exit_code(&self) -> u8 {
        match self {
            ConfigError::Read { source, .. } => match source.kind() {
                io::ErrorKind::NotFound | io::ErrorKind::PermissionDenied | io::ErrorKind::IsADirectory => 2,
                _ => 1,
            },
            ConfigError::NotFound { .. } | ConfigError::TooLarge { .. } | ConfigError::Invalid { .. } => 2,
        }
    }

    /// Where in the file the mistake is, when it has a place.
    pub fn position(&self) -> Option<Position> {
        match self {
            ConfigError::Invalid { position, .. } => *position,
            _ => None,
        }
    }

    /// What kind of mistake this is, for [`ConfigError::Invalid`].
    pub fn problem(&self) -> Option<Problem> {
        match self {
            ConfigError::Invalid { kind, .. } => Some(*kind),
            _ => None,
        }
    }

    /// A mistake in the file, placed at the start of `span` when there is one.
    pub(crate) fn invalid(
        source: &Source,
        span: Option<&Range<usize>>,
        kind: Problem,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        ConfigError::Invalid {
            file: source.name.clone(),
            position: span.map(|s| source.position(s)),
            kind,
            message: message.into(),
            fix: fix.into(),
        }
    }

    /// Rewords a TOML (syntax or shape) error as one sentence with a fix.
    pub(crate) fn from_toml(source: &Source, error: &toml::de::Error) -> Self {
        let span = error.span();
        let raw = error.message().trim();
        let raw = raw.lines().next().unwrap_or(raw).trim_end_matches('.');
        let key = span.as_ref().and_then(|s| match raw.starts_with("duplicate key") {
            true => source.key_at(s),
            false => source.key_before(s),
        });
        let (kind, message, fix) = word(raw, key);
        ConfigError::invalid(source, span.as_ref(), kind, message, fix)
    }
}

/// The problem and the fix for one TOML error message.
fn word(raw: &str, key: Option<&str>) -> (Problem, String, String) {
    let readable = friendly_types(raw);
    if let Some(rest) = raw.strip_prefix("unknown field ") {
        let name = backticked(rest).unwrap_or_default();
        let mut fix = "remove it or correct its spelling".to_string();
        if name == "api_name" || name == "api_id" {
            fix.push_str(" (an api_gateway of kind = \"rest\" uses api_name, kind = \"http\" uses api_id)");
        }
        return (Problem::UnknownKey, readable.replacen("unknown field", "unknown key", 1), fix);
    }
    if let Some(rest) = raw.strip_prefix("missing field ") {
        let name = backticked(rest).unwrap_or_default();
        let fix = match name {
            "kind" => "add kind = \"rest\" or kind = \"http\" to this table".to_string(),
            _ => format!("add {name} = ... to this table"),
        };
        return (Problem::MissingKey, format!("this table lacks the key `{name}`"), fix);
    }
    if raw.starts_with("unknown variant") {
        return (Problem::BadValue, readable, "use one of the listed values".to_string());
    }
    if let Some(rest) = readable.strip_prefix("invalid type: ") {
        let message = match key {
            Some(key) => format!("`{key}` has the wrong type: found {rest}"),
            None => format!("wrong type: found {rest}"),
        };
        let fix = match rest.rsplit_once(", expected ") {
            Some((_, expected)) => format!("change it to {expected}"),
            None => "change it to the expected type".to_string(),
        };
        return (Problem::WrongType, message, fix);
    }
    if let Some(rest) = readable.strip_prefix("invalid value: ") {
        let message = match key {
            Some(key) => format!("`{key}` has an invalid value: {rest}"),
            None => format!("invalid value: {rest}"),
        };
        return (Problem::BadValue, message, "change the value".to_string());
    }
    if raw.starts_with("duplicate key") {
        let message = match key {
            Some(key) => format!("`{key}` is set twice"),
            None => "this key is set twice".to_string(),
        };
        return (Problem::Duplicate, message, "remove one of the two".to_string());
    }
    if raw.contains("recurs") {
        return (
            Problem::Syntax,
            "values are nested too deeply".to_string(),
            "a cutover config needs no nesting deeper than a table in a list of tables".to_string(),
        );
    }
    (
        Problem::Syntax,
        format!("this is not valid TOML: {readable}"),
        "fix the syntax here (the book's config page, docs/src/reference/config.md, has a complete example)"
            .to_string(),
    )
}

/// The text between the first pair of backticks.
fn backticked(text: &str) -> Option<&str> {
    let start = text.find('`')? + 1;
    let len = text[start..].find('`')?;
    Some(&text[start..start + len])
}

/// Serde's Rust type names in the words a config author uses.
fn friendly_types(message: &str) -> String {
    [
        ("expected u64", "expected a whole number of 0 or more"),
        ("expected u32", "expected a whole number of 0 or more"),
        ("expected usize", "expected a whole number of 0 or more"),
        ("expected f64", "expected a number"),
        ("expected a sequence", "expected a list"),
        ("expected a map", "expected a table"),
        (" as i128", ""),
    ]
    .iter()
    .fold(message.to_string(), |m, (from, to)| m.replace(from, to))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_user_fixable_error_exits_2() {
        let src = Source::new("c.toml", "x");
        let invalid = ConfigError::invalid(&src, Some(&(0..1)), Problem::UnknownKey, "unknown key `x`", "remove it");
        assert_eq!(invalid.exit_code(), 2);
        assert_eq!(invalid.to_string(), "config file c.toml, line 1, column 1: unknown key `x`; remove it");
        assert_eq!(ConfigError::NotFound { file: "c.toml".into() }.exit_code(), 2);
        assert_eq!(ConfigError::TooLarge { file: "c.toml".into(), size: 5 << 20 }.exit_code(), 2);
        let denied = io::Error::from(io::ErrorKind::PermissionDenied);
        assert_eq!(ConfigError::Read { file: "c.toml".into(), source: denied }.exit_code(), 2);
        let broken = io::Error::other("disk on fire");
        assert_eq!(ConfigError::Read { file: "c.toml".into(), source: broken }.exit_code(), 1);
    }

    #[test]
    fn an_error_without_a_place_names_only_the_file() {
        let src = Source::new("c.toml", "");
        let e = ConfigError::invalid(&src, None, Problem::Missing, "no distribution", "add one");
        assert_eq!(e.to_string(), "config file c.toml: no distribution; add one");
        assert_eq!(e.position(), None);
    }

    #[test]
    fn rust_type_names_do_not_reach_the_user() {
        let (kind, message, _) = word("invalid type: string \"soon\", expected u64", Some("refresh_seconds"));
        assert_eq!(kind, Problem::WrongType);
        assert_eq!(
            message,
            "`refresh_seconds` has the wrong type: found string \"soon\", expected a whole number of 0 or more"
        );
    }
}
