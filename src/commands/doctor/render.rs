//! `cutover doctor`'s report: every check's outcome as a line (or a JSON object), a summary, and
//! the exit code that sums them up.

use serde::Serialize;

use super::checks::{Outcome, Status};
use crate::domain::visible;

/// The exit code when nothing is missing but something could not be verified: not 0 (unknown is
/// never healthy), not 1 (nothing is known to be missing), not 2 (clap's, for usage errors); 3, as
/// `status`, `probe` and `router status` say "read, and not all well".
pub const EXIT_UNVERIFIABLE: u8 = 3;

/// Version of the JSON document's shape.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Report {
    pub schema_version: u32,
    pub checks: Vec<Outcome>,
    pub summary: Summary,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub ready: usize,
    pub missing: usize,
    pub unverifiable: usize,
    /// The areas `--skip` left out, by the names it takes.
    pub skipped: Vec<&'static str>,
    pub exit_code: u8,
}

impl Report {
    pub fn new(checks: Vec<Outcome>, skipped: Vec<&'static str>) -> Self {
        let count = |status| checks.iter().filter(|c| c.status == status).count();
        let (ready, missing, unverifiable) =
            (count(Status::Ready), count(Status::Missing), count(Status::Unverifiable));
        let exit_code = exit_code(missing, unverifiable, checks.is_empty());
        Report {
            schema_version: SCHEMA_VERSION,
            summary: Summary { ready, missing, unverifiable, skipped, exit_code },
            checks,
        }
    }

    pub fn exit_code(&self) -> u8 {
        self.summary.exit_code
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a doctor's report is plain data")
    }

    /// One block per distribution: a line per check, its mark first, and for ✗ and ? the fix
    /// under it; then the summary. Text from AWS is made visible before it gets here.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let mut current: Option<&str> = None;
        for check in &self.checks {
            if current != Some(check.distribution.as_str()) {
                if current.is_some() {
                    out.push('\n');
                }
                out.push_str(&format!("distribution {}\n", visible::escape(&check.distribution)));
                current = Some(&check.distribution);
            }
            out.push_str(&format!("  {} {}\n", check.status.mark(), visible::escape_keeping_lines(&check.detail)));
            if let Some(fix) = &check.fix {
                out.push_str(&format!("      fix: {}\n", visible::escape_keeping_lines(fix)));
            }
        }
        let summary = &self.summary;
        out.push_str(&format!(
            "\n{} ready, {} missing, {} not verifiable",
            summary.ready, summary.missing, summary.unverifiable
        ));
        if !summary.skipped.is_empty() {
            out.push_str(&format!("; skipped: {}", summary.skipped.join(", ")));
        }
        let verdict = match summary.exit_code {
            0 => "ready for an incident",
            1 => "something an incident would need is missing",
            _ => "nothing missing, but not everything could be verified",
        };
        out.push_str(&format!(" — {verdict} (exit {})\n", summary.exit_code));
        out
    }
}

/// 1 when anything is missing, else 3 when anything could not be verified (or nothing was
/// checked at all), else 0.
pub fn exit_code(missing: usize, unverifiable: usize, nothing_checked: bool) -> u8 {
    if missing > 0 {
        1
    } else if unverifiable > 0 || nothing_checked {
        EXIT_UNVERIFIABLE
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> Report {
        Report::new(
            vec![
                Outcome::ready("credentials", "credentials: arn:aws:iam::1:user/ana (account 1)").of("E1"),
                Outcome::missing("metrics", "metrics /a: no data", "check the names").of("E1"),
                Outcome::unverifiable(
                    "permission",
                    "cloudfront:UpdateDistribution: ? not verifiable without a write",
                    "grant iam:SimulatePrincipalPolicy",
                )
                .of("E2"),
            ],
            vec!["lambda-limits"],
        )
    }

    #[test]
    fn the_exit_code_is_missing_first_then_unknown_then_ready() {
        assert_eq!(exit_code(1, 1, false), 1);
        assert_eq!(exit_code(0, 1, false), EXIT_UNVERIFIABLE);
        assert_eq!(exit_code(0, 0, true), EXIT_UNVERIFIABLE, "nothing checked is not healthy");
        assert_eq!(exit_code(0, 0, false), 0);
    }

    #[test]
    fn each_check_is_a_line_with_its_mark_and_the_fix_under_it() {
        let text = report().to_text();
        assert!(text.starts_with("distribution E1\n  ✓ credentials: arn:aws:iam::1:user/ana (account 1)\n"), "{text}");
        assert!(text.contains("  ✗ metrics /a: no data\n      fix: check the names\n"), "{text}");
        assert!(text.contains("\ndistribution E2\n  ? cloudfront:UpdateDistribution"), "{text}");
        assert!(text.ends_with("1 ready, 1 missing, 1 not verifiable; skipped: lambda-limits — something an incident would need is missing (exit 1)\n"), "{text}");
    }

    #[test]
    fn the_json_has_one_object_per_check_and_a_summary_with_stable_names() {
        let json: serde_json::Value = serde_json::from_str(&report().to_json()).unwrap();
        let first = &json["checks"][0];
        assert_eq!(first["distribution"], "E1");
        assert_eq!(first["check"], "credentials");
        assert_eq!(first["status"], "ready");
        assert_eq!(first["fix"], serde_json::Value::Null);
        assert_eq!(json["checks"][1]["status"], "missing");
        assert_eq!(json["checks"][2]["status"], "unverifiable");
        assert_eq!(json["summary"]["exit_code"], 1);
        assert_eq!(json["summary"]["skipped"][0], "lambda-limits");
        assert_eq!(json["schema_version"], 1);
    }
}
