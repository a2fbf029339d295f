//! The checks `[distribution.edge_logs]` must pass on its own: a Kinesis stream ARN, a real-time
//! log configuration ARN, fields cutover can read, a sampling rate CloudFront takes (1 to 100) and
//! an edge window in range. Each failure points at the offending value.

use toml::Spanned;

use super::error::{ConfigError, Problem};
use super::source::Source;
use super::types::EdgeLogs;
use crate::domain::edge_log::Layout;
use crate::edge_logs::install::stream_name_of;

/// Allowed `sampling_percent`: CloudFront's own range.
pub(crate) const SAMPLING_PERCENT: std::ops::RangeInclusive<u64> = 1..=100;
/// Allowed `edge_window_secs`.
pub(crate) const EDGE_WINDOW_SECS: std::ops::RangeInclusive<u64> = 5..=60;

/// Whether `arn` is a real-time log configuration's (`arn:PARTITION:cloudfront::ACCOUNT:realtime-log-config/NAME`).
fn is_log_config_arn(arn: &str) -> bool {
    let Some(rest) = arn.strip_prefix("arn:") else { return false };
    let parts: Vec<&str> = rest.splitn(5, ':').collect();
    let [partition, service, region, account, resource] = parts.as_slice() else { return false };
    let name = resource.strip_prefix("realtime-log-config/").unwrap_or_default();
    matches!(*partition, "aws" | "aws-cn" | "aws-us-gov")
        && *service == "cloudfront"
        && region.is_empty()
        && account.len() == 12
        && account.bytes().all(|b| b.is_ascii_digit())
        && !name.is_empty()
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"_-".contains(&b))
}

fn bad<T>(src: &Source, value: &Spanned<T>, message: impl Into<String>, fix: impl Into<String>) -> ConfigError {
    ConfigError::invalid(src, Some(&value.span()), Problem::BadValue, message, fix)
}

// Long: one rule per key, in the file's order.
pub(crate) fn check(src: &Source, edge_logs: &EdgeLogs) -> Result<(), ConfigError> {
    let stream = &edge_logs.stream_arn;
    if stream_name_of(stream.get_ref()).is_none() {
        return Err(bad(
            src,
            stream,
            format!("stream_arn \"{}\" in [distribution.edge_logs] is not a Kinesis stream ARN", stream.get_ref()),
            "write arn:aws:kinesis:REGION:ACCOUNT:stream/NAME, such as arn:aws:kinesis:us-east-1:123456789012:stream/cutover-edge-E2ABCDEF12345",
        ));
    }
    if let Some(arn) = &edge_logs.realtime_log_config_arn
        && !is_log_config_arn(arn.get_ref())
    {
        return Err(bad(
            src,
            arn,
            format!("realtime_log_config_arn \"{}\" is not a real-time log configuration's ARN", arn.get_ref()),
            "copy it from `aws cloudfront list-realtime-log-configs`: arn:aws:cloudfront::ACCOUNT:realtime-log-config/NAME",
        ));
    }
    if let Some(fields) = &edge_logs.fields {
        if let Some(arn) = &edge_logs.realtime_log_config_arn {
            return Err(bad(
                src,
                fields,
                "fields is for the configuration cutover makes, and realtime_log_config_arn adopts one",
                format!("remove fields: the fields of {} are read from it", arn.get_ref()),
            ));
        }
        let names = fields.get_ref();
        for (n, field) in names.iter().enumerate() {
            let name = field.get_ref();
            if name.is_empty() || !name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
                return Err(bad(
                    src,
                    field,
                    format!("\"{name}\" in fields is not a real-time log field name"),
                    "write CloudFront's names, such as \"sc-status\" or \"time-taken\"",
                ));
            }
            if names[..n].iter().any(|f| f.get_ref() == name) {
                return Err(bad(src, field, format!("\"{name}\" is in fields twice"), "list each field once"));
            }
        }
        let missing = Layout::new(names.iter().map(|f| f.get_ref().as_str())).missing();
        if !missing.is_empty() {
            let missing: Vec<&str> = missing.iter().map(|f| f.name()).collect();
            return Err(bad(
                src,
                fields,
                format!("fields lacks {}, which cutover reads", missing.join(", ")),
                "add them, or remove fields to get the six cutover reads in their default order",
            ));
        }
    }
    if let Some(sampling) = &edge_logs.sampling_percent
        && !SAMPLING_PERCENT.contains(sampling.get_ref())
    {
        return Err(bad(
            src,
            sampling,
            format!("sampling_percent is {}, outside 1 to 100", sampling.get_ref()),
            "set the percentage of requests CloudFront logs, from 1 to 100 (100 logs every request)",
        ));
    }
    if let Some(window) = &edge_logs.edge_window_secs
        && !EDGE_WINDOW_SECS.contains(window.get_ref())
    {
        return Err(bad(
            src,
            window,
            format!("edge_window_secs is {}, outside 5 to 60", window.get_ref()),
            "set the seconds of edge numbers a decision looks at, from 5 to 60 (default 30); longer spans are CloudWatch's minutes",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::config::testing::{error, with};

    const STREAM: &str = "stream_arn = \"arn:aws:kinesis:us-east-1:123456789012:stream/cutover-edge-E1\"\n";

    fn table(extra: &str) -> String {
        with(&format!("[distribution.edge_logs]\n{STREAM}{extra}"))
    }

    #[test]
    fn the_defaults_are_the_six_fields_every_request_and_thirty_seconds() {
        let config = crate::config::parse(&table(""), "c").unwrap();
        let settings = config.edge_logs_of("E1").unwrap();
        let read: Vec<&str> = crate::domain::edge_log::Field::READ.iter().map(|f| f.name()).collect();
        assert_eq!(settings.fields, read);
        assert_eq!((settings.sampling_percent, settings.window.as_secs()), (100, 30));
        assert_eq!(settings.realtime_log_config_arn, None);
        assert!(crate::config::parse(&with(""), "c").unwrap().edge_logs_of("E1").is_none());
        let config = crate::config::parse(&table("sampling_percent = 5\nedge_window_secs = 10\n"), "c").unwrap();
        let settings = config.edge_logs_of("E1").unwrap();
        assert_eq!((settings.sampling_percent, settings.window.as_secs()), (5, 10));
    }

    #[test]
    fn bad_values_are_pointed_at() {
        let e = error(&with("[distribution.edge_logs]\nstream_arn = \"arn:aws:sqs:us-east-1:1:q\"\n"));
        assert!(e.contains("line 6, column 14: stream_arn \"arn:aws:sqs:us-east-1:1:q\""), "{e}");
        let e = error(&table("realtime_log_config_arn = \"cutover\"\n"));
        assert!(e.contains("line 7, column 27: realtime_log_config_arn \"cutover\" is not"), "{e}");
        let e = error(&table("sampling_percent = 0\n"));
        assert!(e.contains("line 7, column 20: sampling_percent is 0, outside 1 to 100"), "{e}");
        assert!(error(&table("sampling_percent = 101\n")).contains("outside 1 to 100"));
        assert!(error(&table("edge_window_secs = 4\n")).contains("edge_window_secs is 4, outside 5 to 60"));
        let e = error(&table("fields = [\"timestamp\", \"sc-status\"]\n"));
        assert!(
            e.contains(
                "fields lacks time-taken, x-edge-location, x-edge-detailed-result-type, cache-behavior-path-pattern"
            ),
            "{e}"
        );
        assert!(error(&table("fields = [\"Timestamp\"]\n")).contains("is not a real-time log field name"));
        assert!(
            error(&table("fields = [\"timestamp\", \"timestamp\"]\n")).contains("\"timestamp\" is in fields twice")
        );
        let adopt = "realtime_log_config_arn = \"arn:aws:cloudfront::123456789012:realtime-log-config/team\"\n";
        assert!(error(&table(&format!("{adopt}fields = [\"timestamp\"]\n"))).contains("remove fields"));
        assert!(error(&table("colour = 1\n")).contains("colour"));
    }

    #[test]
    fn fields_in_another_order_with_more_are_taken() {
        let fields = "fields = [\"cache-behavior-path-pattern\", \"c-ip\", \"timestamp\", \"sc-status\", \"time-taken\", \"x-edge-location\", \"x-edge-detailed-result-type\"]\n";
        let config = crate::config::parse(&table(fields), "c").unwrap();
        assert_eq!(config.edge_logs_of("E1").unwrap().fields[1], "c-ip");
        let adopt = "realtime_log_config_arn = \"arn:aws:cloudfront::123456789012:realtime-log-config/team\"\n";
        let config = crate::config::parse(&table(adopt), "c").unwrap();
        assert!(config.edge_logs_of("E1").unwrap().realtime_log_config_arn.unwrap().ends_with("/team"));
    }
}
