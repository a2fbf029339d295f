//! `cutover log [--since 2h] [--route PATH] [--distribution ID] [--json] [--stats]`: print the
//! audit trail, or each switch's time to mitigate.
//!
//! Records go to standard output, oldest first: a table by default, or with `--json` the JSON
//! lines as they are in the audit file (one object per line, see [`crate::audit::record`]), any C1
//! control or format character in them written as a JSON `\u` escape: the same JSON.
//! With `--stats`, the switches instead ([`crate::audit::stats`]): a table of each switch's stages
//! and one of each stage's count, median, 90th percentile and maximum, or with `--json` one object.
//! Skipped lines are reported on standard error. A pipe closed early (`| head`) is not an error.
//!
//! The trail is text anyone with write access to the file (or a crafted AWS string recorded in
//! it) could fill: the table shows control and format characters as escapes, each cell on its own
//! line.

use std::io::{self, ErrorKind, Write};
use std::path::{Path, PathBuf};

use jiff::Timestamp;

use crate::audit::AuditError;
use crate::audit::describe::{self, millis_short};
use crate::audit::since::since_timestamp;
use crate::audit::stats::{Span, Spans, Stats, SwitchStats, Switches, VIA_BEHAVIOR, VIA_ROUTER, VIA_STAGE};
use crate::audit::{AuditRecord, Filter, LineWarning, TrailLine, scan_trail};
use crate::audit::{default_demo_path, default_path};
use crate::cli::LogArgs;
use crate::domain::visible;

/// Print the trail of the audit file at `path` (the one in the state directory when `None`) to
/// standard output. An error here means exit status 1.
pub fn run(args: &LogArgs, path: Option<&Path>) -> Result<(), AuditError> {
    let path: PathBuf = match path {
        Some(path) => path.to_path_buf(),
        None if args.demo => default_demo_path().ok_or(AuditError::NoStateDir)?,
        None => default_path().ok_or(AuditError::NoStateDir)?,
    };
    let result = run_with(args, &path, Timestamp::now(), &mut io::stdout().lock(), &mut io::stderr().lock());
    match result {
        Err(AuditError::Output(e)) if e.kind() == ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// [`run`] with the clock and the outputs given.
pub fn run_with(
    args: &LogArgs,
    path: &Path,
    now: Timestamp,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<(), AuditError> {
    let filter = Filter {
        since: args.since.map(|ago| since_timestamp(now, ago)),
        // "Since 10m ago" ends now: never a record from the future.
        until: args.since.map(|_| now),
        route: args.route.clone(),
        distribution: args.distribution.clone(),
    };
    if args.stats {
        return print_stats(args, &filter, path, out, err);
    }
    // The file is read a line at a time: JSON lines go out as they are read, and the table keeps
    // only the cells of the records it shows (it needs them all to size its columns).
    let (mut found, mut later) = (0usize, 0usize);
    let after_now = |record: &crate::audit::AuditRecord| {
        filter.until.is_some_and(|until| record.time > until)
            && Filter { until: None, ..filter.clone() }.matches(record)
    };
    let mut rows: Vec<[String; 9]> = Vec::new();
    scan_trail(path, |line| {
        match line {
            TrailLine::Warning(warning) => warn(err, path, &warning)?,
            TrailLine::Entry(entry) if filter.matches(&entry.record) => {
                found += 1;
                if args.json {
                    // Lines from older versions may hold C1 controls or bidi overrides raw.
                    writeln!(out, "{}", visible::escape_in_json(&entry.raw)).map_err(AuditError::Output)?;
                } else {
                    rows.push(record_row(&entry.record));
                }
            }
            TrailLine::Entry(entry) if after_now(&entry.record) => later += 1,
            TrailLine::Entry(_) => {}
        }
        Ok(())
    })?;
    if later > 0 {
        let note = format!("{later} record(s) stamped after now (a demo's simulated clock runs ahead) are not shown");
        writeln!(err, "{note}").map_err(AuditError::Output)?;
    }
    if found == 0 {
        // With --json, standard output stays valid (empty) JSON Lines.
        let to: &mut dyn Write = if args.json { err } else { out };
        let nothing = nothing_found("no audit records", args, &filter, path);
        writeln!(to, "{}", visible::escape(&nothing)).map_err(AuditError::Output)?;
        return Ok(());
    }
    if !args.json {
        write_table(out, &HEADER, &rows).map_err(AuditError::Output)?;
    }
    out.flush().map_err(AuditError::Output)
}

/// A skipped line, on standard error.
fn warn(err: &mut dyn Write, path: &Path, warning: &LineWarning) -> Result<(), AuditError> {
    let line = format!("warning: {}: {warning}", path.display());
    writeln!(err, "{}", visible::escape(&line)).map_err(AuditError::Output)
}

/// `--stats`: the switches of the records `filter` keeps by route and distribution, those
/// requested since `filter.since` whole, as two tables or one JSON object.
fn print_stats(
    args: &LogArgs,
    filter: &Filter,
    path: &Path,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<(), AuditError> {
    // A switch's later records may fall after `since` and its request before: it is kept or left
    // out whole, by its request time.
    let records = Filter { since: None, ..filter.clone() };
    let mut switches = Switches::default();
    scan_trail(path, |line| {
        match line {
            TrailLine::Warning(warning) => warn(err, path, &warning)?,
            TrailLine::Entry(entry) if records.matches(&entry.record) => switches.add(&entry.record),
            TrailLine::Entry(_) => {}
        }
        Ok(())
    })?;
    let stats = switches.finish(filter.since);
    if stats.switches.is_empty() {
        // With --json, standard output still gets its one object, with no switches.
        let to: &mut dyn Write = if args.json { err } else { out };
        let nothing = nothing_found("no switches", args, filter, path);
        writeln!(to, "{}", visible::escape(&nothing)).map_err(AuditError::Output)?;
        if !args.json {
            return out.flush().map_err(AuditError::Output);
        }
    }
    if args.json {
        let json = serde_json::to_string_pretty(&stats).expect("the stats are plain data");
        // Routes and distribution ids from the trail may hold C1 controls or bidi overrides.
        writeln!(out, "{}", visible::escape_in_json(&json)).map_err(AuditError::Output)?;
    } else {
        write_stats(out, &stats).map_err(AuditError::Output)?;
    }
    out.flush().map_err(AuditError::Output)
}

const SWITCH_HEADER: [&str; 12] = [
    "REQUESTED (UTC)",
    "MODE",
    "DISTRIBUTION",
    "ROUTES",
    "MOVE",
    "VIA",
    "OUTCOME",
    "ACCEPTED",
    "EDGE",
    "TRAFFIC MOVED",
    "VIEWERS OK",
    "DEPLOYED",
];

const STAGE_HEADER: [&str; 5] = ["STAGE", "SWITCHES", "MEDIAN", "P90", "MAX"];

/// A duration for the tables: `820ms`, `3.4s`, `1m 40s`; `—` when it was not recorded.
fn duration(ms: Option<u64>) -> String {
    ms.map_or_else(|| "—".to_string(), millis_short)
}

/// A switch's cells, each escaped.
fn switch_row(s: &SwitchStats) -> [String; 12] {
    [
        s.requested_at.map_or_else(|| "—".to_string(), |at| at.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()),
        s.mode.as_str().to_string(),
        s.distribution.clone(),
        if s.routes.is_empty() { "-".to_string() } else { s.routes.join(", ") },
        describe::between(s.from, s.to),
        s.via.to_string(),
        s.outcome.to_string(),
        duration(s.request_to_accepted_ms),
        duration(s.edge_ms),
        duration(s.traffic_moved_ms),
        duration(s.viewers_healthy_ms),
        duration(s.request_to_deployed_ms),
    ]
    .map(|cell| visible::escape(&cell).into_owned())
}

fn stage_row(name: &str, stage: &Span) -> [String; 5] {
    [
        name.to_string(),
        stage.count.to_string(),
        duration(stage.median_ms),
        duration(stage.p90_ms),
        duration(stage.max_ms),
    ]
}

/// The switches, then the stages, then how to read them. Switches read from the team's journal
/// have an `OPERATOR` column, after the request's time.
pub(crate) fn write_stats(out: &mut dyn Write, stats: &Stats) -> io::Result<()> {
    if stats.switches.iter().any(|s| s.by.is_some()) {
        let mut header = SWITCH_HEADER.to_vec();
        header.insert(1, "OPERATOR");
        let switches: Vec<Vec<String>> = stats
            .switches
            .iter()
            .map(|s| {
                let mut row = switch_row(s).to_vec();
                row.insert(1, visible::escape(s.by.as_deref().unwrap_or("—")).into_owned());
                row
            })
            .collect();
        write_table(out, &header, &switches)?;
    } else {
        let switches: Vec<[String; 12]> = stats.switches.iter().map(switch_row).collect();
        write_table(out, &SWITCH_HEADER, &switches)?;
    }
    writeln!(out)?;
    // Several kinds of move: each its own table, since their stages differ by minutes.
    let kinds = [
        (VIA_BEHAVIOR, "By behavior (UpdateDistribution):", &stats.spans_by_behavior),
        (VIA_ROUTER, "By router (its KeyValueStore):", &stats.spans_by_router),
        (VIA_STAGE, "By API Gateway stage (UpdateStage):", &stats.spans_by_stage),
    ];
    let present: Vec<_> =
        kinds.into_iter().filter(|(via, _, _)| stats.switches.iter().any(|s| s.via == *via)).collect();
    let tables: Vec<(Option<&str>, &Spans)> = if present.len() > 1 {
        present.into_iter().map(|(_, title, stages)| (Some(title), stages)).collect()
    } else {
        vec![(None, &stats.spans)]
    };
    for (title, stages) in tables {
        if let Some(title) = title {
            writeln!(out, "{title}")?;
        }
        let rows = [
            stage_row("request → accepted", &stages.request_to_accepted),
            stage_row("request → first edge probe on the new side", &stages.edge),
            stage_row("request → traffic moved", &stages.traffic_moved),
            stage_row("request → viewers healthy (edge logs)", &stages.viewers_healthy),
            stage_row("request → Deployed", &stages.request_to_deployed),
        ];
        write_table(out, &STAGE_HEADER, &rows)?;
        writeln!(out)?;
    }
    writeln!(out, "Every duration runs from the request; — marks a stage the trail did not record.")?;
    writeln!(out, "Percentiles are nearest-rank over the switches that recorded the stage:")?;
    writeln!(out, "the p-th of n is the ⌈p·n/100⌉-th shortest (an even count's median is the lower middle one).")
}

pub(crate) const HEADER: [&str; 9] =
    ["TIME (UTC)", "MODE", "KIND", "DISTRIBUTION", "ROUTES", "MOVE", "OUTCOME", "WHO", "DETAILS"];

/// A record's cells, each escaped: a newline or ESC inside a field stays inside its cell.
pub(crate) fn record_row(r: &AuditRecord) -> [String; 9] {
    [
        r.time.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        r.environment.as_str().to_string(),
        r.kind.as_str().to_string(),
        r.distribution.clone(),
        describe::routes(r),
        describe::targets(r),
        r.outcome.map_or("-", |o| o.as_str()).to_string(),
        describe::who(r),
        describe::details(r),
    ]
    .map(|cell| visible::escape(&cell).into_owned())
}

/// Columns padded to their widest cell, two spaces apart; the last column is not padded.
pub(crate) fn write_table<R: AsRef<[String]>>(out: &mut dyn Write, header: &[&str], rows: &[R]) -> io::Result<()> {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row.as_ref()) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let header: Vec<String> = header.iter().map(|h| h.to_string()).collect();
    for cells in std::iter::once(header.as_slice()).chain(rows.iter().map(AsRef::as_ref)) {
        let mut line = String::new();
        for (i, (cell, &width)) in cells.iter().zip(&widths).enumerate() {
            if i > 0 {
                line.push_str("  ");
            }
            line.push_str(cell);
            if i + 1 < cells.len() {
                line.extend(std::iter::repeat_n(' ', width - cell.chars().count()));
            }
        }
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

/// `nothing` (`no audit records`, `no switches`), and where they were looked for.
fn nothing_found(nothing: &str, args: &LogArgs, filter: &Filter, path: &Path) -> String {
    let mut text = String::from(nothing);
    if let Some(route) = &filter.route {
        text.push_str(&format!(" for route {route}"));
    }
    if let Some(distribution) = &filter.distribution {
        text.push_str(&format!(" of distribution {distribution}"));
    }
    match (args.since, filter.since) {
        (Some(ago), Some(since)) => {
            text.push_str(&format!(" since {} ({ago:#} ago)", since.strftime("%Y-%m-%dT%H:%M:%SZ")));
        }
        _ => text.push_str(&format!(" in {}", path.display())),
    }
    text
}

#[cfg(test)]
mod tests {
    use clap::Parser;
    use jiff::SignedDuration;

    use super::*;
    use crate::audit::file::AuditLog;
    use crate::audit::record::{AuditRecord, Environment, Outcome, RecordKind};
    use crate::audit::testing::TempDir;
    use crate::domain::Target;

    /// `cutover`'s own command line has `--distribution` as a global flag; main copies it over.
    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        log: LogArgs,
        #[arg(long)]
        distribution: Option<String>,
        #[arg(long)]
        demo: bool,
    }

    fn args(argv: &[&str]) -> LogArgs {
        let cli = Cli::try_parse_from(std::iter::once("log").chain(argv.iter().copied())).unwrap();
        LogArgs { distribution: cli.distribution, demo: cli.demo, ..cli.log }
    }

    fn now() -> Timestamp {
        "2025-03-01T05:00:00Z".parse().unwrap()
    }

    /// A trail: a deployed switch at 01:00, a breach and an automatic rollback at 04:30, a failure
    /// on another distribution at 04:45, and a torn last line.
    fn trail(tmp: &TempDir) -> PathBuf {
        let path = tmp.path().join("audit.jsonl");
        let log = AuditLog::at(&path);
        let at = |t: &str, kind, dist: &str, route: &str| {
            AuditRecord::new(t.parse().unwrap(), kind, Environment::Live, "ana", dist).with_routes([route])
        };
        log.append(
            &at("2025-03-01T01:00:00Z", RecordKind::SwitchDeployed, "E1", "/api/orders/*")
                .with_targets(Target::Origin, Target::Lambda)
                .with_outcome(Outcome::Deployed)
                .with_etags(Some("A"), Some("B"))
                .with_durations(Some(std::time::Duration::from_millis(820)), Some(std::time::Duration::from_secs(184))),
        )
        .unwrap();
        log.append(
            &at("2025-03-01T04:30:00Z", RecordKind::GuardBreach, "E1", "/api/orders/*")
                .with_message("5xx 12.4% > 5% for 3 periods"),
        )
        .unwrap();
        log.append(
            &at("2025-03-01T04:30:01Z", RecordKind::AutoRollback, "E1", "/api/orders/*")
                .with_targets(Target::Lambda, Target::Origin)
                .with_outcome(Outcome::Accepted),
        )
        .unwrap();
        log.append(
            &at("2025-03-01T04:45:00Z", RecordKind::SwitchFailed, "E2", "/api/users")
                .with_targets(Target::Origin, Target::Lambda)
                .with_outcome(Outcome::Failed)
                .with_error("PreconditionFailed: the ETag changed"),
        )
        .unwrap();
        let mut f = std::fs::OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(br#"{"time":"2025-03-01T04:50:00Z","kind":"swi"#).unwrap();
        path
    }

    fn run_capture(argv: &[&str], path: &Path) -> (Result<(), AuditError>, String, String) {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let result = run_with(&args(argv), path, now(), &mut out, &mut err);
        (result, String::from_utf8(out).unwrap(), String::from_utf8(err).unwrap())
    }

    #[test]
    fn parses_its_arguments() {
        assert_eq!(args(&[]), LogArgs::default());
        let a = args(&["--since", "2h", "--route", "/api/orders/*", "--distribution", "E1", "--json"]);
        assert_eq!(a.since, Some(SignedDuration::from_hours(2)));
        assert_eq!(a.route.as_deref(), Some("/api/orders/*"));
        assert_eq!(a.distribution.as_deref(), Some("E1"));
        assert!(a.json);
        assert!(Cli::try_parse_from(["log", "--since", "soon"]).is_err());
    }

    #[test]
    fn since_ends_now_and_says_how_many_records_a_demo_clock_stamped_later() {
        let tmp = TempDir::new("cmd-future");
        let path = tmp.path().join("audit-demo.jsonl");
        let log = AuditLog::at(&path);
        for (t, kind) in [
            ("2025-03-01T04:55:00Z", RecordKind::SwitchRequested),
            ("2025-03-01T05:20:00Z", RecordKind::SwitchDeployed),
        ] {
            let record =
                AuditRecord::new(t.parse().unwrap(), kind, Environment::Demo, "ana", "EDEMO").with_routes(["/a/*"]);
            log.append(&record).unwrap();
        }
        let (result, out, err) = run_capture(&["--since", "10m"], &path);
        result.unwrap();
        assert!(out.contains("demo  switch_requested") && !out.contains("switch_deployed"), "{out}");
        assert!(err.contains("1 record(s) stamped after now"), "{err}");
        // Without a window, every record is shown, the mode in its own column.
        let (_, all, _) = run_capture(&[], &path);
        assert!(all.contains("demo  switch_deployed"), "{all}");
        assert!(args(&["--demo"]).demo);
    }

    #[test]
    fn prints_a_table_oldest_first_and_warns_about_the_torn_line() {
        let tmp = TempDir::new("cmd-table");
        let path = trail(&tmp);
        let (result, out, err) = run_capture(&[], &path);
        result.unwrap();
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 5, "{out}");
        assert!(lines[0].starts_with("TIME (UTC)            MODE  KIND"), "{out}");
        assert!(lines[1].starts_with("2025-03-01T01:00:00Z  live  switch_deployed  E1"), "{out}");
        assert!(lines[1].contains("◼ origin → λ Lambda") && lines[1].contains("deployed"), "{out}");
        assert!(lines[1].ends_with("accepted 820ms, deployed 3m 04s · etag A → B"), "{out}");
        assert!(lines[2].contains("guard_breach") && lines[2].ends_with("5xx 12.4% > 5% for 3 periods"), "{out}");
        assert!(
            lines[4].contains("switch_failed") && lines[4].ends_with("error: PreconditionFailed: the ETag changed")
        );
        // Columns line up, counted in characters (the arrows and target symbols are one wide).
        let column = |l: &str, at: usize| l.chars().skip(at).collect::<String>();
        let outcome_at = lines[0].find("OUTCOME").unwrap();
        let outcomes: Vec<String> =
            lines[1..].iter().map(|l| column(l, outcome_at).split(' ').next().unwrap().to_string()).collect();
        assert_eq!(outcomes, ["deployed", "-", "accepted", "failed"], "{out}");
        assert_eq!(err, format!("warning: {}: line 5 skipped: {}\n", path.display(), err_reason(&err)));
    }

    fn err_reason(err: &str) -> String {
        err.split_once("skipped: ").unwrap().1.trim_end().to_string()
    }

    #[test]
    fn json_prints_the_file_lines_as_they_are() {
        let tmp = TempDir::new("cmd-json");
        let path = trail(&tmp);
        let (result, out, err) = run_capture(&["--json", "--since", "1h"], &path);
        result.unwrap();
        let file = std::fs::read_to_string(&path).unwrap();
        let expected: Vec<&str> = file.lines().skip(1).take(3).collect();
        assert_eq!(out.lines().collect::<Vec<_>>(), expected);
        for line in out.lines() {
            serde_json::from_str::<serde_json::Value>(line).unwrap();
        }
        assert!(err.contains("line 5 skipped"), "{err}");
    }

    #[test]
    fn filters_by_since_route_and_distribution() {
        let tmp = TempDir::new("cmd-filter");
        let path = trail(&tmp);
        let kinds = |argv: &[&str]| {
            let (result, out, _) = run_capture(&[argv, &["--json"]].concat(), &path);
            result.unwrap();
            out.lines().map(|l| serde_json::from_str::<AuditRecord>(l).unwrap().kind.as_str()).collect::<Vec<_>>()
        };
        assert_eq!(kinds(&["--since", "30m"]), ["guard_breach", "auto_rollback", "switch_failed"]);
        assert_eq!(kinds(&["--route", "/api/orders/*"]), ["switch_deployed", "guard_breach", "auto_rollback"]);
        assert_eq!(kinds(&["--distribution", "E2"]), ["switch_failed"]);
        assert_eq!(kinds(&["--since", "10m", "--route", "/api/orders/*"]), Vec::<&str>::new());
    }

    #[test]
    fn says_so_when_nothing_matches_and_succeeds() {
        let tmp = TempDir::new("cmd-empty");
        let path = trail(&tmp);
        let (result, out, _) = run_capture(&["--since", "2m"], &path);
        result.unwrap();
        assert_eq!(out, "no audit records since 2025-03-01T04:58:00Z (2m ago)\n");

        let (result, out, err) = run_capture(&["--since", "2m", "--route", "/x", "--json"], &path);
        result.unwrap();
        assert_eq!(out, "");
        assert!(err.ends_with("no audit records for route /x since 2025-03-01T04:58:00Z (2m ago)\n"), "{err}");

        let missing = tmp.path().join("never.jsonl");
        let (result, out, err) = run_capture(&[], &missing);
        result.unwrap();
        assert_eq!(out, format!("no audit records in {}\n", missing.display()));
        assert_eq!(err, "");
    }

    #[test]
    fn an_unreadable_file_is_an_error() {
        let tmp = TempDir::new("cmd-error");
        let (result, _, _) = run_capture(&[], tmp.path());
        assert!(matches!(result, Err(AuditError::Read { .. })));
    }

    #[test]
    fn a_line_too_long_for_a_record_is_a_warning_and_the_rest_is_printed() {
        let tmp = TempDir::new("cmd-long");
        let path = trail(&tmp);
        let mut text = std::fs::read_to_string(&path).unwrap();
        text.insert_str(0, &format!("{}\n", "x".repeat(crate::audit::read::MAX_LINE_BYTES + 1)));
        std::fs::write(&path, text).unwrap();
        let (result, out, err) = run_capture(&["--json"], &path);
        result.unwrap();
        assert_eq!(out.lines().count(), 4, "{out}");
        let warnings: Vec<&str> = err.lines().map(|l| l.rsplit_once(": line ").unwrap().1).collect();
        assert_eq!(warnings[0], "1 skipped: longer than 1 MiB, not read");
        assert!(warnings[1].starts_with("6 skipped: "), "{err}");
    }

    /// A trail of three switches: on E1 `/api/orders/*` at 01:00 (accepted in 820ms, edge 1m 37s,
    /// traffic 1m 40s, deployed 3m 10s after the request), `/api/users` at 04:00 refused, and on E2
    /// `/api/cart` at 04:40, written by an older cutover (no `requested_at`), deployed 2m after.
    fn stats_trail(tmp: &TempDir) -> PathBuf {
        let path = tmp.path().join("audit.jsonl");
        let log = AuditLog::at(&path);
        let at = |t: &str, kind, dist: &str, route: &str| {
            AuditRecord::new(t.parse().unwrap(), kind, Environment::Live, "ana", dist)
                .with_routes([route])
                .with_targets(Target::Lambda, Target::Origin)
        };
        let orders = |t: &str, kind| {
            at(t, kind, "E1", "/api/orders/*").with_requested_at("2025-03-01T01:00:00Z".parse().unwrap())
        };
        let ms = std::time::Duration::from_millis;
        let records = [
            orders("2025-03-01T01:00:00Z", RecordKind::SwitchRequested),
            orders("2025-03-01T01:00:00.820Z", RecordKind::SwitchAccepted).with_durations(Some(ms(820)), None),
            AuditRecord { edge_ms: Some(97_000), ..orders("2025-03-01T01:01:37Z", RecordKind::EdgeMoved) },
            AuditRecord { traffic_moved_ms: Some(100_000), ..orders("2025-03-01T01:01:40Z", RecordKind::TrafficMoved) },
            orders("2025-03-01T01:03:10Z", RecordKind::SwitchDeployed).with_durations(Some(ms(820)), Some(ms(189_180))),
            at("2025-03-01T04:00:00Z", RecordKind::SwitchRequested, "E1", "/api/users")
                .with_requested_at("2025-03-01T04:00:00Z".parse().unwrap()),
            at("2025-03-01T04:00:01Z", RecordKind::SwitchFailed, "E1", "/api/users")
                .with_requested_at("2025-03-01T04:00:00Z".parse().unwrap())
                .with_error("AccessDenied"),
            at("2025-03-01T04:40:00Z", RecordKind::SwitchRequested, "E2", "/api/cart"),
            at("2025-03-01T04:40:02Z", RecordKind::SwitchAccepted, "E2", "/api/cart")
                .with_durations(Some(ms(2_000)), None),
            at("2025-03-01T04:42:00Z", RecordKind::SwitchDeployed, "E2", "/api/cart")
                .with_durations(Some(ms(2_000)), Some(ms(118_000))),
            at("2025-03-01T04:43:00Z", RecordKind::GuardBreach, "E2", "/api/cart"),
        ];
        records.iter().for_each(|r| log.append(r).unwrap());
        path
    }

    #[test]
    fn stats_are_a_table_of_switches_and_one_of_stages() {
        let tmp = TempDir::new("cmd-stats");
        let path = stats_trail(&tmp);
        assert!(args(&["--stats"]).stats);
        let (result, out, err) = run_capture(&["--stats"], &path);
        result.unwrap();
        assert_eq!(err, "");
        let lines: Vec<&str> = out.lines().collect();
        let words = |l: &str| l.split("  ").map(str::trim).filter(|w| !w.is_empty()).collect::<Vec<_>>().join("|");
        assert_eq!(
            lines[..4].iter().map(|l| words(l)).collect::<Vec<_>>(),
            [
                "REQUESTED (UTC)|MODE|DISTRIBUTION|ROUTES|MOVE|VIA|OUTCOME|ACCEPTED|EDGE|TRAFFIC MOVED|VIEWERS OK|DEPLOYED",
                "2025-03-01T01:00:00Z|live|E1|/api/orders/*|λ Lambda → ◼ origin|behavior|deployed|820ms|1m 37s|1m 40s|—|3m 10s",
                "2025-03-01T04:00:00Z|live|E1|/api/users|λ Lambda → ◼ origin|behavior|failed|—|—|—|—|—",
                "2025-03-01T04:40:00Z|live|E2|/api/cart|λ Lambda → ◼ origin|behavior|deployed|2.0s|—|—|—|2m 00s",
            ],
            "{out}"
        );
        assert_eq!(lines[4], "");
        assert_eq!(
            lines[5..11].iter().map(|l| words(l)).collect::<Vec<_>>(),
            [
                "STAGE|SWITCHES|MEDIAN|P90|MAX",
                "request → accepted|2|820ms|2.0s|2.0s",
                "request → first edge probe on the new side|1|1m 37s|1m 37s|1m 37s",
                "request → traffic moved|1|1m 40s|1m 40s|1m 40s",
                "request → viewers healthy (edge logs)|0|—|—|—",
                "request → Deployed|2|2m 00s|3m 10s|3m 10s",
            ],
            "{out}"
        );
        assert!(out.contains("nearest-rank"), "{out}");
    }

    #[test]
    fn stats_filter_by_route_distribution_and_since_and_keep_switches_whole() {
        let tmp = TempDir::new("cmd-stats-filter");
        let path = stats_trail(&tmp);
        let requested = |argv: &[&str]| {
            let (result, out, _) = run_capture(&[argv, &["--stats", "--json"]].concat(), &path);
            result.unwrap();
            let stats: serde_json::Value = serde_json::from_str(&out).unwrap();
            let switches = stats["switches"].as_array().unwrap().clone();
            switches.iter().map(|s| s["routes"][0].as_str().unwrap().to_string()).collect::<Vec<_>>()
        };
        assert_eq!(requested(&[]), ["/api/orders/*", "/api/users", "/api/cart"]);
        assert_eq!(requested(&["--distribution", "E2"]), ["/api/cart"]);
        assert_eq!(requested(&["--route", "/api/users"]), ["/api/users"]);
        // 20 minutes back is 04:40, when the cart switch was requested: it is in, whole.
        assert_eq!(requested(&["--since", "20m"]), ["/api/cart"]);
        assert_eq!(requested(&["--since", "19m"]), Vec::<String>::new());
    }

    #[test]
    fn stats_of_nothing_say_so_and_json_stays_one_object() {
        let tmp = TempDir::new("cmd-stats-empty");
        let path = stats_trail(&tmp);
        let (result, out, err) = run_capture(&["--stats", "--route", "/x"], &path);
        result.unwrap();
        assert_eq!(out, format!("no switches for route /x in {}\n", path.display()));
        assert_eq!(err, "");
        let (result, out, err) = run_capture(&["--stats", "--json", "--since", "1m"], &path);
        result.unwrap();
        let stats: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(stats["switches"], serde_json::json!([]));
        assert_eq!(
            stats["stages"]["edge"],
            serde_json::json!({"count": 0, "median_ms": null, "p90_ms": null, "max_ms": null})
        );
        assert_eq!(err, "no switches since 2025-03-01T04:59:00Z (1m ago)\n");
    }

    #[cfg(unix)]
    #[test]
    fn an_endless_device_is_refused_not_read() {
        let (result, out, err) = run_capture(&[], Path::new("/dev/zero"));
        let error = result.unwrap_err().to_string();
        assert!(error.ends_with("/dev/zero: it is not a regular file (a FIFO, socket or device)"), "{error}");
        assert_eq!((out.as_str(), err.as_str()), ("", ""));
    }
}
