//! `[notify]`: where notifications go (a Slack-compatible webhook, an SNS topic) and what they are
//! about (`on = [...]`, issue 23). The webhook's URL may come from an environment variable named
//! by `webhook_url_env`, so that the file holds no secret.

use serde::Deserialize;
use toml::Spanned;

use super::error::{ConfigError, Problem};
use super::source::Source;
use crate::notify::NotifyOn;

/// `[notify]`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Notify {
    /// A Slack-compatible webhook (`{"text": …}` POSTed), http:// or https://.
    #[serde(default)]
    pub webhook_url: Option<Spanned<String>>,
    /// The environment variable that holds the webhook's URL, instead of `webhook_url`.
    #[serde(default)]
    pub webhook_url_env: Option<Spanned<String>>,
    /// An SNS topic to publish to.
    #[serde(default)]
    pub sns_topic_arn: Option<Spanned<String>>,
    /// What to notify of; [`NotifyOn::default_set`] without it.
    #[serde(default)]
    pub on: Option<Spanned<Vec<Spanned<String>>>>,
}

impl Notify {
    /// The events chosen: the names of `on`, or the default.
    pub fn on(&self) -> NotifyOn {
        match &self.on {
            None => NotifyOn::default_set(),
            Some(names) => (names.get_ref().iter())
                .filter_map(|name| NotifyOn::named(name.get_ref()))
                .fold(NotifyOn::NONE, NotifyOn::union),
        }
    }

    /// The webhook's URL: `webhook_url`, or the value of `webhook_url_env` read through `env`;
    /// `Ok(None)` without a webhook. An unset or empty variable, or a value that is not an http(s)
    /// URL, is an error sentence that says what to do.
    pub fn webhook(&self, env: impl Fn(&str) -> Option<String>) -> Result<Option<String>, String> {
        if let Some(url) = &self.webhook_url {
            return Ok(Some(url.get_ref().clone()));
        }
        let Some(name) = &self.webhook_url_env else { return Ok(None) };
        let name = name.get_ref();
        match env(name).map(|v| v.trim().to_string()).filter(|v| !v.is_empty()) {
            None => Err(format!(
                "the environment variable {name} that [notify] webhook_url_env names is not set; export the webhook's \
                 URL as {name}, or remove webhook_url_env"
            )),
            Some(url) if !is_http_url(&url) => Err(format!(
                "the environment variable {name} does not hold an http:// or https:// URL; set it to the webhook's URL"
            )),
            Some(url) => Ok(Some(url)),
        }
    }

    /// The SNS topic, when there is one.
    pub fn sns_topic_arn(&self) -> Option<&str> {
        self.sns_topic_arn.as_ref().map(|arn| arn.get_ref().as_str())
    }
}

/// `http://host…` or `https://host…`, without spaces.
fn is_http_url(url: &str) -> bool {
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
    rest.is_some_and(|rest| !rest.is_empty() && !rest.starts_with('/') && !url.chars().any(char::is_whitespace))
}

/// An environment variable's name as a shell takes it: a letter or `_`, then letters, digits, `_`.
fn is_env_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `arn:aws:sns:REGION:ACCOUNT:NAME` (any partition), with a 12-digit account and a topic name of
/// 1 to 256 letters, digits, `-` and `_` (`.fifo` at the end of a FIFO topic).
pub fn is_sns_topic_arn(arn: &str) -> bool {
    let parts: Vec<&str> = arn.split(':').collect();
    let [prefix, partition, service, region, account, name] = parts.as_slice() else { return false };
    let name = name.strip_suffix(".fifo").unwrap_or(name);
    *prefix == "arn"
        && partition.starts_with("aws")
        && *service == "sns"
        && !region.is_empty()
        && region.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && account.len() == 12
        && account.bytes().all(|b| b.is_ascii_digit())
        && (1..=256).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

// Long: each key's rule in turn, in the order the file is read.
pub(crate) fn check(src: &Source, notify: &Notify) -> Result<(), ConfigError> {
    let invalid = |span: std::ops::Range<usize>, kind, message: String, fix: &str| {
        ConfigError::invalid(src, Some(&span), kind, message, fix)
    };
    if let Some(url) = &notify.webhook_url {
        if !is_http_url(url.get_ref()) {
            return Err(invalid(
                url.span(),
                Problem::BadValue,
                format!("webhook_url \"{}\" in [notify] is not an http:// or https:// URL", url.get_ref()),
                "give the webhook's whole URL, such as https://hooks.slack.com/services/..., or name the environment \
                 variable that holds it with webhook_url_env",
            ));
        }
        if let Some(env) = &notify.webhook_url_env {
            return Err(invalid(
                env.span(),
                Problem::Duplicate,
                "[notify] has both webhook_url and webhook_url_env".into(),
                "keep one: webhook_url_env (the URL in an environment variable) keeps the secret out of the file",
            ));
        }
    }
    if let Some(env) = &notify.webhook_url_env
        && !is_env_name(env.get_ref())
    {
        return Err(invalid(
            env.span(),
            Problem::BadValue,
            format!("webhook_url_env \"{}\" in [notify] is not an environment variable's name", env.get_ref()),
            "name the variable that holds the URL, such as CUTOVER_WEBHOOK (letters, digits and _, not the URL itself)",
        ));
    }
    if let Some(arn) = &notify.sns_topic_arn
        && !is_sns_topic_arn(arn.get_ref())
    {
        return Err(invalid(
            arn.span(),
            Problem::BadValue,
            format!("sns_topic_arn \"{}\" in [notify] is not an SNS topic ARN", arn.get_ref()),
            "give the topic's ARN, such as arn:aws:sns:us-east-1:123456789012:oncall",
        ));
    }
    if let Some(names) = &notify.on {
        for name in names.get_ref() {
            if NotifyOn::named(name.get_ref()).is_none() {
                return Err(invalid(
                    name.span(),
                    Problem::BadValue,
                    format!("\"{}\" in [notify] on is not something cutover notifies of", name.get_ref()),
                    &format!("use some of {}", NotifyOn::every_name().join(", ")),
                ));
            }
        }
        if names.get_ref().is_empty() {
            return Err(invalid(
                names.span(),
                Problem::Missing,
                "[notify] on is empty, so nothing would ever be sent".into(),
                "name what to notify of, such as on = [\"switch\", \"rollback\", \"guard\"], or leave on out for the \
                 default",
            ));
        }
    }
    if notify.webhook_url.is_none() && notify.webhook_url_env.is_none() && notify.sns_topic_arn.is_none() {
        return Err(ConfigError::invalid(
            src,
            None,
            Problem::Missing,
            "[notify] names nowhere to send notifications",
            "add webhook_url_env (or webhook_url) for a Slack-compatible webhook, sns_topic_arn for an SNS topic, or \
             both; or remove [notify]",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::NotifyEvent;

    use crate::config::testing::parse_top as parse;

    fn notify(text: &str) -> Notify {
        parse(text).unwrap().notify.unwrap()
    }

    #[test]
    fn a_webhook_and_a_topic_with_their_events() {
        let n = notify(
            "[notify]\nwebhook_url = \"http://127.0.0.1:9999/hook\"\nsns_topic_arn = \
             \"arn:aws:sns:us-east-1:123456789012:oncall\"\non = [\"switch\", \"rollback\", \"guard\", \"outside_change\"]",
        );
        assert_eq!(n.webhook(|_| None).unwrap().as_deref(), Some("http://127.0.0.1:9999/hook"));
        assert_eq!(n.sns_topic_arn(), Some("arn:aws:sns:us-east-1:123456789012:oncall"));
        assert!(n.on().contains(NotifyEvent::SwitchAccepted) && n.on().contains(NotifyEvent::OutsideChange));
        assert!(!n.on().contains(NotifyEvent::PlanEnd));
        assert!(parse("").unwrap().notify.is_none());
    }

    #[test]
    fn without_on_the_default_is_used() {
        assert_eq!(
            notify("[notify]\nsns_topic_arn = \"arn:aws:sns:eu-west-1:123456789012:x\"").on(),
            NotifyOn::default_set()
        );
    }

    #[test]
    fn the_url_comes_from_the_environment_when_named() {
        let n = notify("[notify]\nwebhook_url_env = \"CUTOVER_WEBHOOK\"");
        let env = |url: &'static str| move |name: &str| (name == "CUTOVER_WEBHOOK").then(|| url.to_string());
        assert_eq!(n.webhook(env("https://hooks.example/x")).unwrap().as_deref(), Some("https://hooks.example/x"));
        assert!(
            n.webhook(|_| None).unwrap_err().contains("CUTOVER_WEBHOOK that [notify] webhook_url_env names is not set")
        );
        assert!(n.webhook(env("hooks.example/x")).unwrap_err().contains("does not hold an http:// or https:// URL"));
    }

    #[test]
    fn mistakes_are_pointed_at_with_a_fix() {
        let e = parse("[notify]\nwebhook_url = \"hooks.slack.com/x\"").unwrap_err();
        assert!(e.contains("line 2, column 15: webhook_url \"hooks.slack.com/x\" in [notify] is not an http"), "{e}");
        let e = parse("[notify]\nwebhook_url = \"https://h/x\"\nwebhook_url_env = \"W\"").unwrap_err();
        assert!(e.contains("line 3, column 19: [notify] has both webhook_url and webhook_url_env; keep one"), "{e}");
        let e = parse("[notify]\nwebhook_url_env = \"https://h/x\"").unwrap_err();
        assert!(e.contains("is not an environment variable's name"), "{e}");
        let e = parse("[notify]\nsns_topic_arn = \"arn:aws:sqs:us-east-1:123456789012:q\"").unwrap_err();
        assert!(e.contains("line 2, column 17: sns_topic_arn") && e.contains("such as arn:aws:sns:"), "{e}");
        let e =
            parse("[notify]\nsns_topic_arn = \"arn:aws:sns:us-east-1:123456789012:x\"\non = [\"switch\", \"deploys\"]")
                .unwrap_err();
        assert!(
            e.contains("line 3, column 17: \"deploys\" in [notify] on is not")
                && e.contains("use some of switch_requested"),
            "{e}"
        );
        let e = parse("[notify]\nsns_topic_arn = \"arn:aws:sns:us-east-1:123456789012:x\"\non = []").unwrap_err();
        assert!(e.contains("on is empty"), "{e}");
        let e = parse("[notify]\non = [\"switch\"]").unwrap_err();
        assert!(e.contains("[notify] names nowhere to send notifications; add webhook_url_env"), "{e}");
        assert!(parse("[notify]\nslack = \"x\"").is_err());
    }

    #[test]
    fn topic_arns() {
        assert!(is_sns_topic_arn("arn:aws:sns:us-east-1:123456789012:oncall"));
        assert!(is_sns_topic_arn("arn:aws-us-gov:sns:us-gov-west-1:123456789012:a_b-c.fifo"));
        assert!(!is_sns_topic_arn("arn:aws:sns:us-east-1:1234:oncall"));
        assert!(!is_sns_topic_arn("arn:aws:sns:us-east-1:123456789012:on call"));
        assert!(!is_sns_topic_arn("arn:aws:sns:us-east-1:123456789012"));
    }
}
