//! The top line: which world, which distribution and its status, account concurrency, the router's
//! own health when the distribution has it, the edge's totals, how fresh the numbers are and the
//! clock. When the screen is narrow, items are shortened and then dropped by a stated order
//! ([`Step`]), the clock and the router's health among the last.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::model::state::{Mode, State};
use crate::domain::format::{compact, duration_short, thousands, time_of_day};
use crate::domain::router_health::RouterStatus;
use crate::domain::{AccountConcurrency, DeployStatus, Target, visible};
use crate::theme::Theme;

/// Concurrency above this share of the limit is drawn as a warning.
const CONCURRENCY_WARN: f64 = 0.9;

/// When a segment gives way, as the line narrows: the steps are taken in this order, each only
/// while the line still does not fit (a step's segments are dropped the last first). Written once
/// here and in ARCHITECTURE.md (`src/ui/`):
///
/// 1. drop the demo's scenario name;
/// 2. shorten the nice-to-haves: `λ concurrency 98/1,000 ▓░░…` to `λ 98/1,000`, the edge totals
///    to `edge 153k/min 5xx 0.1%`, the metrics cost to its price, a suspect router's numbers;
/// 3. drop the metrics cost;
/// 4. drop `next refresh`; shorten failing reads to `retry in …`, a failing router and an
///    unreadable store to `router ✗` / `router ?`;
/// 5. shorten the clock to minutes, several accounts' gauges (`STALE` to `?`);
/// 6. drop the edge totals;
/// 7. drop the λ concurrency (unless near its limit);
/// 8. shorten the rest: `cutover  DEMO ` to ` DEMO `, `✓ Deployed` to `✓`, `data 45s old` to
///    `45s old`, the faults;
/// 9. drop a concurrency near its limit, a healthy or unknown router (`router ✓`);
/// 10. drop the clock, a suspect router, failing reads;
/// 11. drop the rest but the first (distribution, data age, faults, a failing router, the account).
///
/// So the clock and the router's health stay down to about 60 columns.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
struct Step(u8);

const NEVER: Step = Step(u8::MAX);

struct Segment<'a> {
    /// When it is shortened to its narrow form (the same spans when it has none).
    shorten: Step,
    /// When it is dropped.
    drop: Step,
    spans: Vec<Span<'a>>,
}

impl<'a> Segment<'a> {
    fn new(shorten: u8, drop: u8, spans: Vec<Span<'a>>) -> Self {
        Segment { shorten: Step(shorten), drop: Step(drop), spans }
    }

    fn width(&self) -> usize {
        self.spans.iter().map(Span::width).sum()
    }
}

pub fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let segments = fitted(segments(state, theme, true), segments(state, theme, false), usize::from(area.width));
    let mut spans = Vec::new();
    for (i, segment) in segments.into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" · ", theme.muted));
        }
        spans.extend(segment.spans);
    }
    frame.render_widget(Paragraph::new(Line::from(spans)).style(theme.base), area);
}

/// The segments as they fit `width`: the wide ones, shortened (to the `narrow` one in the same
/// place) and dropped step by step ([`Step`]) until the line fits, within a step the last first;
/// the first always stays.
fn fitted<'a>(mut wide: Vec<Segment<'a>>, narrow: Vec<Segment<'a>>, width: usize) -> Vec<Segment<'a>> {
    let fits = |segs: &[Segment]| segs.iter().map(|s| s.width() + 3).sum::<usize>() <= width + 3;
    let mut narrow: Vec<Option<Segment>> = narrow.into_iter().map(Some).collect();
    if narrow.len() != wide.len() {
        narrow.clear();
    }
    let mut steps: Vec<Step> = wide.iter().flat_map(|s| [s.shorten, s.drop]).filter(|s| *s != NEVER).collect();
    steps.sort();
    steps.dedup();
    for step in steps {
        if fits(&wide) {
            break;
        }
        for i in (0..wide.len()).rev() {
            if fits(&wide) {
                break;
            }
            if wide[i].shorten == step
                && let Some(short) = narrow.get_mut(i).and_then(Option::take)
            {
                wide[i].spans = short.spans;
            }
        }
        while !fits(&wide) {
            let Some(last) = wide.iter().skip(1).rposition(|s| s.drop == step) else { break };
            wide.remove(last + 1);
            if !narrow.is_empty() {
                narrow.remove(last + 1);
            }
        }
    }
    wide
}

// Long: one header segment after another, in the order the header shows them.
fn segments<'a>(state: &'a State, theme: &Theme, wide: bool) -> Vec<Segment<'a>> {
    let mut out = Vec::new();
    // Live, which account is the first thing to be sure of; the demo's scenario can go first.
    let (mode, mode_style, context, context_drop) = match &state.policy.mode {
        Mode::Demo { scenario } => (" DEMO ", theme.mode_demo, format!("scenario {scenario}"), 1),
        Mode::Live { account, profile } => {
            let profile = profile.as_deref().map(|p| format!(" profile {p}")).unwrap_or_default();
            (" LIVE ", theme.mode_live, format!("account {account}{profile}"), 11)
        }
    };
    let name = if wide { vec![Span::styled("cutover", theme.title), Span::raw(" ")] } else { Vec::new() };
    out.push(Segment::new(8, u8::MAX, [name, vec![Span::styled(mode, mode_style)]].concat()));
    out.push(Segment::new(u8::MAX, context_drop, vec![Span::styled(context, theme.muted)]));
    if !state.faults.is_empty() {
        // Injected on purpose: the operator must never mistake a rehearsal for an outage, or forget it.
        let label = if wide { format!("faults: {}", state.faults) } else { format!("FAULT {}", state.faults) };
        out.push(Segment::new(8, 11, vec![Span::styled(label, theme.alert)]));
    }
    if let Some(t) = state.learned.topology.as_ref() {
        let (status_style, status) = match (t.status, wide) {
            (DeployStatus::Deployed, true) => (theme.status_deployed, "✓ Deployed"),
            (DeployStatus::Deployed, false) => (theme.status_deployed, "✓"),
            (DeployStatus::InProgress, true) => (theme.status_in_progress, "⇄ InProgress"),
            (DeployStatus::InProgress, false) => (theme.status_in_progress, "⇄"),
        };
        out.push(Segment::new(
            8,
            11,
            vec![
                Span::styled(t.distribution_id.clone(), theme.title),
                Span::raw(" "),
                Span::styled(status, status_style),
            ],
        ));
    } else {
        out.push(Segment::new(u8::MAX, 11, vec![Span::styled("reading distribution…", theme.muted)]));
    }
    if let Some(metrics) = state.learned.metrics.as_ref().filter(|m| m.accounts.len() > 1) {
        let hot = metrics
            .accounts
            .iter()
            .any(|a| a.latest().is_some_and(|u| u / f64::from(a.limit.max(1)) >= CONCURRENCY_WARN));
        out.push(Segment::new(5, if hot { 9 } else { 7 }, account_gauges(&metrics.accounts, theme, wide)));
    } else if let Some(metrics) = state.learned.metrics.as_ref() {
        let limit = f64::from(metrics.concurrency_limit.max(1));
        let label = if wide { "λ concurrency " } else { "λ " };
        let mut spans = vec![Span::styled(label, theme.target(Target::Lambda))];
        let mut drop = 7;
        match metrics.latest_concurrency() {
            Some(used) => {
                let ratio = (used / limit).clamp(0.0, 1.0);
                let hot = ratio >= CONCURRENCY_WARN;
                let number_style = if hot { theme.gauge_warn } else { theme.base };
                spans.push(Span::styled(
                    format!("{}/{}", thousands(used as u64), thousands(metrics.concurrency_limit.into())),
                    number_style,
                ));
                if wide {
                    spans.push(Span::raw(" "));
                    spans.extend(gauge(ratio, 10, hot, theme));
                }
                if hot {
                    spans.push(Span::styled(" !", theme.alert));
                    drop = 9;
                }
            }
            None => spans.push(Span::styled(format!("–/{}", thousands(metrics.concurrency_limit.into())), theme.muted)),
        }
        if metrics.concurrency_limit_assumed {
            // GetAccountSettings was not allowed: the limit is the config's guess, not the account's.
            spans.push(Span::styled(" (assumed)", theme.muted));
        }
        out.push(Segment::new(2, drop, spans));
    }
    if let Some(segment) = router(state, theme, wide) {
        out.push(segment);
    }
    if let Some(edge) = state.learned.metrics.as_ref().and_then(|m| m.edge.iter().rev().find(|e| e.requests.is_some()))
    {
        let requests = edge.requests.unwrap_or(0.0).round() as u64;
        let errors = edge.error_rate_5xx_pct.map_or("–".to_string(), |e| format!("{e:.1}%"));
        let text = if wide {
            format!("edge {} req/min 5xx {errors}", thousands(requests))
        } else {
            format!("edge {}/min 5xx {errors}", compact(requests))
        };
        out.push(Segment::new(2, 6, vec![Span::styled(text, theme.muted)]));
    }
    if let Some(segment) = edge_logs(state, theme, wide) {
        out.push(segment);
    }
    if let Some(segment) = team(state, theme, wide) {
        out.push(segment);
    }
    if let (Some(queries), Some(cost)) = (state.metric_queries(), state.metrics_cost_per_hour()) {
        // Cents hide what matters at small sizes: 11 metrics a minute is $0.007/h, not $0.01.
        let cost = if cost < 0.1 { format!("${cost:.3}/h") } else { format!("${cost:.2}/h") };
        let text = if wide { format!("{} metrics/refresh ≈ {cost}", thousands(queries as u64)) } else { cost };
        out.push(Segment::new(2, 3, vec![Span::styled(text, theme.muted)]));
    }
    let stale = state.is_stale();
    let data = if wide { "data " } else { "" };
    let (age_text, age_style) = match state.data_age_secs() {
        Some(age) if stale => (format!("STALE {data}{} old", duration_short(age)), theme.stale),
        Some(age) => (format!("{data}{} old", duration_short(age)), theme.base),
        None if stale => ("STALE no data yet".to_string(), theme.stale),
        None => ("no data yet".to_string(), theme.muted),
    };
    out.push(Segment::new(8, 11, vec![Span::styled(age_text, age_style)]));
    let retry_in = duration_short(state.learned.next_refresh.duration_since(state.now).as_secs());
    let (refresh, refresh_style, drop) = match &state.learned.read_trouble {
        _ if state.learned.metrics.in_flight() => ("refreshing…".to_string(), theme.muted, 4),
        Some(trouble) => {
            let failing = duration_short(state.now.duration_since(trouble.since).as_secs());
            let text = if wide {
                format!("reads failing for {failing} ({}×), retry in {retry_in}", trouble.failures)
            } else {
                format!("retry in {retry_in}")
            };
            (text, theme.stale, 10)
        }
        None => (format!("next refresh {retry_in}"), theme.muted, 4),
    };
    out.push(Segment::new(4, drop, vec![Span::styled(refresh, refresh_style)]));
    let clock = time_of_day(state.now);
    let clock = if wide { clock } else { clock[..5].to_string() };
    out.push(Segment::new(5, 10, vec![Span::styled(format!("{clock} UTC"), theme.muted)]));
    out
}

/// The team journal, when the config has `[team]`: who else is here (`team: alice@laptop-7
/// acting, bob@mac watching`), or that this run's records cannot be sent (`journal ✗ 3 unsent`).
/// Someone acting stays longer than someone watching; a journal that cannot be sent to, longest.
fn team<'a>(state: &State, theme: &Theme, wide: bool) -> Option<Segment<'a>> {
    let journal = state.team.journal.as_ref()?;
    if journal.sending.trouble.is_some() {
        let unsent = journal.sending.pending;
        let text = if wide { format!("team journal ✗ {unsent} unsent") } else { format!("journal ✗ {unsent}") };
        return Some(Segment::new(8, 10, vec![Span::styled(text, theme.stale)]));
    }
    let others = journal.others(state.now);
    let acting = others.iter().filter(|(_, acted)| *acted).count();
    if others.is_empty() {
        return Some(Segment::new(u8::MAX, 3, vec![Span::styled("team: only you", theme.muted)]));
    }
    let text = if wide {
        let names: Vec<String> = (others.iter())
            .map(|(by, acted)| format!("{} {}", visible::escape(by), if *acted { "acting" } else { "watching" }))
            .collect();
        format!("team: {}", names.join(", "))
    } else if acting > 0 {
        format!("team {} ({acting} acting)", others.len())
    } else {
        format!("team {}", others.len())
    };
    let style = if acting > 0 { theme.gauge_warn } else { theme.muted };
    Some(Segment::new(2, if acting > 0 { 9 } else { 7 }, vec![Span::styled(text, style)]))
}

/// The edge logs, when the distribution has them: the newest line's age and what the lines cost
/// an hour (`edge logs 3s old ≈ $0.012/h`), or that the stream cannot be read or has stalled.
fn edge_logs<'a>(state: &State, theme: &Theme, wide: bool) -> Option<Segment<'a>> {
    let edge = state.edge_logs.as_ref()?;
    let age = edge.age_secs(state.now);
    let segment = match (&edge.trouble, age) {
        (Some((since, _)), _) => {
            let failing = duration_short(state.now.duration_since(*since).as_secs());
            let text = if wide { format!("edge logs unreadable for {failing}") } else { "edge ✗".to_string() };
            Segment::new(4, 10, vec![Span::styled(text, theme.stale)])
        }
        (None, Some(age)) if edge.live(state.now) => {
            let cost = edge.usd_per_hour();
            let cost = if cost < 0.1 { format!("${cost:.3}/h") } else { format!("${cost:.2}/h") };
            let text = if wide {
                format!("edge logs {} old ≈ {cost}", duration_short(age))
            } else {
                format!("ᵉ{}", duration_short(age))
            };
            Segment::new(2, 6, vec![Span::styled(text, theme.muted)])
        }
        (None, Some(age)) => {
            let text =
                if wide { format!("edge logs STALLED {} old", duration_short(age)) } else { "ᵉ✗".to_string() };
            Segment::new(4, 10, vec![Span::styled(text, theme.stale)])
        }
        (None, None) => Segment::new(2, 6, vec![Span::styled("edge logs: no line yet", theme.muted)]),
    };
    Some(segment)
}

/// The router function's own health, when the distribution has the router: a breach of its guard is
/// as important as the distribution's status; a healthy one stays until step 9.
fn router<'a>(state: &State, theme: &Theme, wide: bool) -> Option<Segment<'a>> {
    if !state.policy.router {
        return None;
    }
    // The store unreadable comes first: the shares on screen are not what the edges do now.
    if state.router_unknown().is_some() {
        let text = if wide { "router store UNREADABLE: λ share unknown" } else { "router ?" };
        return Some(Segment::new(4, 11, vec![Span::styled(text.to_string(), theme.alert)]));
    }
    let series = state.learned.metrics.as_ref().map(|m| m.router.as_slice()).unwrap_or_default();
    let status = RouterStatus::of(&state.learned.router_alert, series);
    let ((shorten, drop), text, style) = match &status {
        RouterStatus::Failing(_) if wide => ((4, 11), format!("router ✗ {}", status.short()), theme.alert),
        RouterStatus::Failing(_) => ((4, 11), "router ✗".to_string(), theme.alert),
        RouterStatus::Suspect(_) if wide => ((2, 10), format!("router ! {}", status.short()), theme.gauge_warn),
        RouterStatus::Suspect(_) => ((2, 10), "router !".to_string(), theme.gauge_warn),
        RouterStatus::Healthy => ((u8::MAX, 9), "router ✓".to_string(), theme.muted),
        RouterStatus::Unknown => ((u8::MAX, 9), "router –".to_string(), theme.muted),
    };
    Some(Segment::new(shorten, drop, vec![Span::styled(text, style)]))
}

/// One short gauge per account when the Lambda sides live in several: `λ 1234…9012 834/1,000 ·
/// 2109…4321 120/3,000`; an account that could not be read this time says so.
fn account_gauges<'a>(accounts: &[AccountConcurrency], theme: &Theme, wide: bool) -> Vec<Span<'a>> {
    let mut spans = vec![Span::styled("λ ", theme.target(Target::Lambda))];
    for (i, account) in accounts.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" · ", theme.muted));
        }
        spans.push(Span::styled(format!("{} ", visible::escape(&account.short_name())), theme.muted));
        let limit = thousands(account.limit.into());
        match account.latest() {
            Some(used) => {
                let hot = used / f64::from(account.limit.max(1)) >= CONCURRENCY_WARN;
                let style = if account.error.is_some() {
                    theme.stale
                } else if hot {
                    theme.gauge_warn
                } else {
                    theme.base
                };
                spans.push(Span::styled(format!("{}/{limit}", thousands(used as u64)), style));
                if hot {
                    spans.push(Span::styled(" !", theme.alert));
                }
            }
            None => spans.push(Span::styled(
                format!("–/{limit}"),
                if account.error.is_some() { theme.stale } else { theme.muted },
            )),
        }
        if account.error.is_some() {
            spans.push(Span::styled(if wide { " STALE" } else { "?" }, theme.stale));
        } else if account.limit_assumed && wide {
            spans.push(Span::styled(" (assumed)", theme.muted));
        }
    }
    spans
}

/// A bar of `width` cells: filled for the used share, light for the rest.
fn gauge<'a>(ratio: f64, width: usize, hot: bool, theme: &Theme) -> Vec<Span<'a>> {
    let filled = (ratio * width as f64).round() as usize;
    let used: Style = if hot { theme.gauge_warn } else { theme.gauge_used };
    vec![Span::styled("▓".repeat(filled), used), Span::styled("░".repeat(width - filled), theme.gauge_free)]
}
