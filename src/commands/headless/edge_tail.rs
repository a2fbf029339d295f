//! `cutover edge-logs tail ROUTE`: one line a second of a route's edge window, as the console's
//! table has it, until interrupted (or `--count` lines), on AWS or the kept demo world.

use std::time::Duration;

use jiff::Timestamp;
use serde::Serialize;

use super::HeadlessError;
use super::drive::{EventPrinter, Waited, load, run_until};
use super::run::{Opened, Purpose, on_world, open_runtime};
use crate::app::event_loop;
use crate::app::model::state::State;
use crate::app::runtime::Runtime;
use crate::app::signals::StopSignals;
use crate::backend::Backend;
use crate::cli::AwsArgs;
use crate::domain::format::time_of_day;
use crate::domain::visible;
use crate::output;

/// How long the stream may take to give a first line before `tail` says so.
const FIRST_LINE_WITHIN: Duration = Duration::from_secs(60);

/// One second's line of `tail --json`.
#[derive(Serialize)]
struct TailLine<'a> {
    at: Timestamp,
    route: &'a str,
    /// `null` while the edge logs are not live (no line within a minute).
    edge: Option<super::status::EdgeStatus>,
}

pub async fn tail(route: &str, json: bool, count: Option<u64>, aws: &AwsArgs) -> anyhow::Result<u8> {
    on_world!(open_runtime(aws, Purpose::Watch).await?, false, |runtime| tail_on(runtime, route, json, count).await)
}

async fn tail_on<B: Backend>(
    runtime: &mut Runtime<B>,
    route: &str,
    json: bool,
    count: Option<u64>,
) -> anyhow::Result<u8> {
    let mut printer = EventPrinter::new(std::io::sink());
    load(runtime, &mut printer).await?;
    let Some(shown) = runtime.console.distributions.iter().position(|s| s.route(route).is_some()) else {
        let routes: Vec<&str> =
            runtime.console.distributions.iter().flat_map(|s| s.routes.iter().map(|r| r.path.as_str())).collect();
        return Err(HeadlessError::Refused(format!("no route {route}; the routes are {}", routes.join(", "))).into());
    };
    let state = &runtime.console.distributions[shown];
    if state.edge_logs.is_none() {
        return Err(HeadlessError::Refused(format!(
            "{} has no edge logs: add [distribution.edge_logs] to the config (the book, \"Edge logs\")",
            state.distribution_id
        ))
        .into());
    }
    let signals = StopSignals::install()
        .map_err(|e| HeadlessError::Failed(format!("cannot listen for Ctrl-C, SIGTERM and SIGHUP: {e}")))?;
    let mut signals = event_loop::signals(signals);
    let live = |c: &crate::app::console::Console| {
        let s = &c.distributions[shown];
        s.edge_logs.as_ref().is_some_and(|e| e.live(s.now) || e.trouble.is_some())
    };
    if let Waited::Signal(_) = run_until(runtime, &mut printer, FIRST_LINE_WITHIN, &mut signals, live).await {
        return Ok(0);
    }
    let mut printed = 0;
    loop {
        let state = &runtime.console.distributions[shown];
        output::stdout_line(&line_of(state, route, json));
        printed += 1;
        if count.is_some_and(|count| printed >= count) {
            return Ok(0);
        }
        let next = state.now + jiff::SignedDuration::from_secs(1);
        let waited = run_until(runtime, &mut printer, Duration::from_secs(2), &mut signals, |c| {
            c.distributions[shown].now >= next
        })
        .await;
        // Interrupted is how a tail ends.
        if let Waited::Signal(_) = waited {
            return Ok(0);
        }
    }
}

/// `03:21:07  /orders/*  129.1 req/s  5xx 11.7 %  p50 881 ms  p99 2,924 ms  CloudFront 0  (2s old)`.
fn line_of(state: &State, route: &str, json: bool) -> String {
    let edge = super::status::EdgeStatus::of(state, route);
    if json {
        let line = TailLine { at: state.now, route, edge };
        return visible::escape_in_json(&serde_json::to_string(&line).unwrap_or_default()).into_owned();
    }
    let at = time_of_day(state.now);
    let route = visible::escape(route);
    let Some(e) = edge else {
        let why = match state.edge_logs.as_ref().and_then(|e| e.trouble.as_ref()) {
            Some((_, why)) => format!("the stream cannot be read: {}", visible::escape(why)),
            None => "no live edge numbers (no line within a minute)".to_string(),
        };
        return format!("{at}  {route}  {why}");
    };
    let ms =
        |v: Option<f64>| v.map_or("–".to_string(), |v| format!("{} ms", crate::domain::format::thousands(v as u64)));
    let pct = e.error_5xx_pct.map_or("–".to_string(), |v| format!("{v:.1} %"));
    format!(
        "{at}  {route}  {:.1} req/s  5xx {pct}  p50 {}  p99 {}  CloudFront {}  ({}s old, last {} s)",
        e.requests_per_s,
        ms(e.p50_ms),
        ms(e.p99_ms),
        e.edge_errors,
        e.age_s,
        e.window_s
    )
}
