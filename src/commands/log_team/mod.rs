//! `cutover log --team [--since 2h] [--route PATH] [--distribution ID] [--json] [--stats]`: the
//! team's shared journal (issue 23) instead of this machine's trail: every operator's records,
//! from the CloudWatch Logs group `[team]` names for each distribution, merged in time order.
//!
//! Each record is printed as `cutover log` prints one, with who sent it (`operator@host`) in a
//! `BY` column; with `--json`, one object per line: the record's fields plus `by` and `run` (the
//! sending run's log stream). With `--stats`, every operator's switches go into one time to
//! mitigate (attempt ids name their run, so records of different runs never merge), each switch
//! with its operator.
//!
//! The journal is untrusted input: entries are read by `JournalEntry::parse`, which refuses what
//! cutover would not write (those are counted on standard error, by reason); a repeat (the same
//! run and sequence number, a batch sent twice) is shown once; presence entries are left out;
//! every cell goes through `domain::visible`.
//!
//! The journal is reached through [`JournalCalls`]; [`team_journal`] is where the AWS one is made.

use std::collections::{BTreeMap, HashSet};
use std::io::{self, ErrorKind, Write};
use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use super::log::{HEADER, record_row, write_stats, write_table};
use crate::audit::journal_entry::JournalEntry;
use crate::audit::since::since_timestamp;
use crate::audit::stats::Switches;
use crate::audit::{AuditRecord, Filter};
use crate::backend::aws::journal::LogsJournal;
use crate::backend::aws::{AwsClients, ConnectOptions};
use crate::backend::journal::{JournalCalls, JournalError, read_since};
use crate::cli::{AwsArgs, LogArgs};
use crate::config::Config;
use crate::domain::visible;

/// How far before `--since` the stats read: a switch requested after `since` is kept whole, and
/// one requested before it is recognised as such by its earlier records.
const STATS_LEAD: SignedDuration = SignedDuration::from_hours(1);

/// Why `cutover log --team` could not print the journal, with the exit code it ends in.
#[derive(Debug, thiserror::Error)]
pub enum TeamLogError {
    #[error(
        "the config file {file} has no [team] table, so there is no shared journal to read; add [team] (its \
         log_group defaults to /cutover/<distribution id>) to every operator's config, or drop --team for this \
         machine's trail"
    )]
    NoTeam { file: String },
    #[error("the config file {0} names no distribution; add a [[distribution]] table (see `cutover init`)")]
    NoDistribution(String),
    #[error("distribution {id} is not in the config file {file}; it has {configured}")]
    NotConfigured { id: String, file: String, configured: String },
    #[error("--team reads the shared journal on CloudWatch Logs; the demo has none: drop --demo or --team")]
    Demo,
    #[error("cannot make the AWS clients to read the team journal: {0}")]
    Connect(String),
    #[error("cannot read the team journal {group}: {error}{}", fix(.error))]
    Journal { group: String, error: JournalError },
    #[error("cannot write the output: {0}")]
    Output(#[source] io::Error),
}

impl TeamLogError {
    /// 2 for what the user fixes in the config or on the command line, 1 for the rest.
    pub fn exit_code(&self) -> u8 {
        match self {
            TeamLogError::NoTeam { .. }
            | TeamLogError::NoDistribution(_)
            | TeamLogError::NotConfigured { .. }
            | TeamLogError::Demo => 2,
            _ => 1,
        }
    }
}

/// What to do about a journal that did not answer.
fn fix(error: &JournalError) -> &'static str {
    match error {
        JournalError::NotFound(_) => {
            "; nobody has sent to it yet (a run with [team] creates it), or [team] log_group names another group"
        }
        JournalError::AccessDenied(_) => "; reading it needs logs:FilterLogEvents on the log group",
        _ => "",
    }
}

/// One log group to read, and the distributions whose journal it is.
#[derive(Clone)]
pub struct TeamJournal {
    pub group: String,
    pub distributions: Vec<String>,
    pub calls: Arc<dyn JournalCalls>,
}

/// Print the team's journal for the distributions `args` and `aws` choose. An error here ends
/// the process with its exit code.
pub async fn run(args: &LogArgs, aws: &AwsArgs) -> anyhow::Result<u8> {
    if args.demo {
        return Err(TeamLogError::Demo.into());
    }
    let config = super::live::load_config(aws)?;
    let mut journals = Vec::new();
    for (group, distributions) in groups(&config, args.distribution.as_deref())? {
        let calls = team_journal(&config, aws, &group).await?;
        journals.push(TeamJournal { group, distributions, calls });
    }
    let result = run_with(args, &journals, Timestamp::now(), &mut io::stdout().lock(), &mut io::stderr().lock()).await;
    match result {
        Err(TeamLogError::Output(e)) if e.kind() == ErrorKind::BrokenPipe => Ok(0),
        Err(error) => Err(error.into()),
        Ok(()) => Ok(0),
    }
}

/// The CloudWatch Logs journal of `log_group`, in `--region` or the config's region, with
/// `--profile`'s credentials (`AWS_ENDPOINT_URL_CLOUDWATCH_LOGS` honoured).
pub async fn team_journal(
    config: &Config,
    aws: &AwsArgs,
    log_group: &str,
) -> Result<Arc<dyn JournalCalls>, TeamLogError> {
    let region = aws.region.clone().or_else(|| config.region().map(str::to_string));
    let options = ConnectOptions { profile: aws.profile.clone(), region };
    let clients = AwsClients::load(&options).await.map_err(|error| TeamLogError::Connect(error.to_string()))?;
    Ok(Arc::new(LogsJournal::new(clients.logs.clone(), log_group)))
}

/// Each log group to read and the chosen distributions whose journal it is (one group may be
/// shared by every distribution of the file), in the config's order.
pub fn groups(config: &Config, chosen: Option<&str>) -> Result<Vec<(String, Vec<String>)>, TeamLogError> {
    let ids: Vec<&str> = config.distributions.iter().map(|d| d.id.get_ref().as_str()).collect();
    if ids.is_empty() {
        return Err(TeamLogError::NoDistribution(config.file_name().to_string()));
    }
    if let Some(id) = chosen
        && !ids.contains(&id)
    {
        return Err(TeamLogError::NotConfigured {
            id: id.to_string(),
            file: config.file_name().to_string(),
            configured: ids.join(", "),
        });
    }
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    for id in ids.into_iter().filter(|id| chosen.is_none_or(|c| c == *id)) {
        let group = config
            .team_log_group_of(id)
            .ok_or_else(|| TeamLogError::NoTeam { file: config.file_name().to_string() })?;
        match groups.iter_mut().find(|(g, _)| *g == group) {
            Some((_, distributions)) => distributions.push(id.to_string()),
            None => groups.push((group, vec![id.to_string()])),
        }
    }
    Ok(groups)
}

/// One record of the journal and who sent it.
#[derive(Serialize)]
struct Sent {
    by: String,
    run: String,
    #[serde(skip)]
    seq: u64,
    #[serde(flatten)]
    record: AuditRecord,
}

/// [`run`]'s body over journals already made, with the clock and the outputs given.
pub async fn run_with(
    args: &LogArgs,
    journals: &[TeamJournal],
    now: Timestamp,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<(), TeamLogError> {
    let since = args.since.map(|ago| since_timestamp(now, ago));
    let filter =
        Filter { since, until: since.map(|_| now), route: args.route.clone(), distribution: args.distribution.clone() };
    let read_from = match (since, args.stats) {
        (Some(since), true) => Some(since - STATS_LEAD),
        (since, _) => since,
    };
    let records = read_all(journals, read_from, err).await?;
    if args.stats {
        return print_stats(args, &filter, journals, &records, out, err);
    }
    let shown: Vec<&Sent> = records.iter().filter(|s| filter.matches(&s.record)).collect();
    if shown.is_empty() {
        let to: &mut dyn Write = if args.json { err } else { out };
        let nothing = nothing_found("no audit records", &filter, args, journals);
        return writeln!(to, "{}", visible::escape(&nothing)).map_err(TeamLogError::Output);
    }
    if args.json {
        for sent in shown {
            // Plain data: serialising it cannot fail.
            let line = serde_json::to_string(sent).unwrap_or_default();
            writeln!(out, "{}", visible::escape_in_json(&line)).map_err(TeamLogError::Output)?;
        }
    } else {
        let mut header = HEADER.to_vec();
        header.insert(1, "BY");
        let rows: Vec<Vec<String>> = shown
            .iter()
            .map(|sent| {
                let mut row = record_row(&sent.record).to_vec();
                row.insert(1, visible::escape(&sent.by).into_owned());
                row
            })
            .collect();
        write_table(out, &header, &rows).map_err(TeamLogError::Output)?;
    }
    out.flush().map_err(TeamLogError::Output)
}

/// Every record of every journal from `from` on, repeats dropped, oldest first; what the journals
/// hold that is not cutover's is counted on `err`.
async fn read_all(
    journals: &[TeamJournal],
    from: Option<Timestamp>,
    err: &mut dyn Write,
) -> Result<Vec<Sent>, TeamLogError> {
    let start_ms = from.map_or(0, |at| at.as_millisecond().max(0));
    // A run's sequence numbers may restart in each group it sends to: a repeat is one group's.
    let mut seen: HashSet<(&str, String, u64)> = HashSet::new();
    let mut records = Vec::new();
    for journal in journals {
        let events = read_since(journal.calls.as_ref(), start_ms, None)
            .await
            .map_err(|error| TeamLogError::Journal { group: journal.group.clone(), error })?;
        // Each reason a message was refused, and how often.
        let mut refused: BTreeMap<String, usize> = BTreeMap::new();
        for event in events {
            let entry = match parse(&event.message, &journal.distributions) {
                Ok(entry) => entry,
                Err(reason) => {
                    *refused.entry(reason).or_default() += 1;
                    continue;
                }
            };
            let Some(record) = entry.record else { continue };
            if !seen.insert((journal.group.as_str(), entry.run.clone(), entry.seq)) {
                continue;
            }
            records.push(Sent { by: entry.by, run: entry.run, seq: entry.seq, record });
        }
        for (reason, count) in refused {
            let line = format!("warning: {}: {count} journal entr{} skipped: {reason}", journal.group, plural(count));
            writeln!(err, "{}", visible::escape(&line)).map_err(TeamLogError::Output)?;
        }
    }
    // Time order across runs; within a run (and a second's tie), the order it sent them.
    records.sort_by(|a, b| (a.record.time, &a.run, a.seq).cmp(&(b.record.time, &b.run, b.seq)));
    Ok(records)
}

fn plural(count: usize) -> &'static str {
    if count == 1 { "y" } else { "ies" }
}

/// `message` read as an entry of one of `distributions`' journals (a group may be shared), or the
/// reason it was refused.
fn parse(message: &str, distributions: &[String]) -> Result<JournalEntry, String> {
    let mut refusal = String::from("no distribution to read it for");
    for distribution in distributions {
        match JournalEntry::parse(message, distribution) {
            Ok(entry) => return Ok(entry),
            Err(refused) => refusal = refused.to_string(),
        }
    }
    Err(refusal)
}

/// `--stats --team`: every operator's switches, each with who asked for it.
fn print_stats(
    args: &LogArgs,
    filter: &Filter,
    journals: &[TeamJournal],
    records: &[Sent],
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<(), TeamLogError> {
    // A switch is kept or left out whole, by its request time: every record of the window's
    // distributions and routes goes in.
    let kept = Filter { since: None, ..filter.clone() };
    let mut switches = Switches::default();
    for sent in records.iter().filter(|s| kept.matches(&s.record)) {
        switches.add_by(&sent.record, &sent.by);
    }
    let stats = switches.finish(filter.since);
    if stats.switches.is_empty() {
        let to: &mut dyn Write = if args.json { err } else { out };
        let nothing = nothing_found("no switches", filter, args, journals);
        writeln!(to, "{}", visible::escape(&nothing)).map_err(TeamLogError::Output)?;
        if !args.json {
            return out.flush().map_err(TeamLogError::Output);
        }
    }
    if args.json {
        let json = serde_json::to_string_pretty(&stats).unwrap_or_default();
        writeln!(out, "{}", visible::escape_in_json(&json)).map_err(TeamLogError::Output)?;
    } else {
        write_stats(out, &stats).map_err(TeamLogError::Output)?;
    }
    out.flush().map_err(TeamLogError::Output)
}

/// `nothing` (`no audit records`, `no switches`), and where they were looked for.
fn nothing_found(nothing: &str, filter: &Filter, args: &LogArgs, journals: &[TeamJournal]) -> String {
    let mut text = String::from(nothing);
    if let Some(route) = &filter.route {
        text.push_str(&format!(" for route {route}"));
    }
    if let Some(distribution) = &filter.distribution {
        text.push_str(&format!(" of distribution {distribution}"));
    }
    let groups: Vec<&str> = journals.iter().map(|j| j.group.as_str()).collect();
    text.push_str(&format!(" in the team journal {}", groups.join(", ")));
    if let (Some(ago), Some(since)) = (args.since, filter.since) {
        text.push_str(&format!(" since {} ({ago:#} ago)", since.strftime("%Y-%m-%dT%H:%M:%SZ")));
    }
    text
}

#[cfg(test)]
mod tests;
