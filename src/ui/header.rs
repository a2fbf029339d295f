//! The top line: which world, which distribution and its status, account concurrency, the router's
//! own health when the distribution has it, and how fresh the numbers are. Segments drop from the
//! least important when the screen is narrow.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::model::state::{Mode, State};
use crate::domain::format::{duration_short, thousands, time_of_day};
use crate::domain::router_health::RouterStatus;
use crate::domain::{AccountConcurrency, DeployStatus, Target, visible};
use crate::theme::Theme;

/// Concurrency above this share of the limit is drawn as a warning.
const CONCURRENCY_WARN: f64 = 0.9;

struct Segment<'a> {
    priority: u8,
    spans: Vec<Span<'a>>,
}

pub fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let fits = |segs: &[Segment]| {
        segs.iter().map(|s| s.spans.iter().map(Span::width).sum::<usize>() + 3).sum::<usize>() <= area.width as usize
    };
    // Full labels, dropping only the nice-to-haves; then short labels, dropping by priority.
    let mut segments = segments(state, theme, true);
    drop_until_fits(&mut segments, COMPACT_AFTER_PRIORITY, fits);
    if !fits(&segments) {
        segments = self::segments(state, theme, false);
        drop_until_fits(&mut segments, 0, fits);
    }
    let mut spans = Vec::new();
    for (i, segment) in segments.into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" · ", theme.muted));
        }
        spans.extend(segment.spans);
    }
    frame.render_widget(Paragraph::new(Line::from(spans)).style(theme.base), area);
}

/// Segments above this priority go before any label is shortened.
const COMPACT_AFTER_PRIORITY: u8 = 3;

/// Remove the least important segments, last first, until the line fits or only `keep` and more
/// important ones are left (the first segment always stays).
fn drop_until_fits(segments: &mut Vec<Segment>, keep: u8, fits: impl Fn(&[Segment]) -> bool) {
    while !fits(segments) && segments.len() > 1 {
        let lowest = segments.iter().map(|s| s.priority).max().unwrap_or(0);
        if lowest <= keep {
            return;
        }
        let last = segments.iter().rposition(|s| s.priority == lowest).unwrap_or(segments.len() - 1);
        segments.remove(last);
    }
}

// Long: one header segment after another, in the order the header shows them.
fn segments<'a>(state: &'a State, theme: &Theme, wide: bool) -> Vec<Segment<'a>> {
    let mut out = Vec::new();
    // Live, which account is the first thing to be sure of; the demo's scenario can go first.
    let (mode, mode_style, context, context_priority) = match &state.policy.mode {
        Mode::Demo { scenario } => (" DEMO ", theme.mode_demo, format!("scenario {scenario}"), 4),
        Mode::Live { account, profile } => {
            let profile = profile.as_deref().map(|p| format!(" profile {p}")).unwrap_or_default();
            (" LIVE ", theme.mode_live, format!("account {account}{profile}"), 1)
        }
    };
    out.push(Segment {
        priority: 0,
        spans: vec![Span::styled("cutover", theme.title), Span::raw(" "), Span::styled(mode, mode_style)],
    });
    out.push(Segment { priority: context_priority, spans: vec![Span::styled(context, theme.muted)] });
    if !state.faults.is_empty() {
        // Injected on purpose: the operator must never mistake a rehearsal for an outage, or forget it.
        let label = if wide { format!("faults: {}", state.faults) } else { format!("FAULT {}", state.faults) };
        out.push(Segment { priority: 1, spans: vec![Span::styled(label, theme.alert)] });
    }
    if let Some(t) = state.learned.topology.as_ref() {
        let (status_style, status) = match t.status {
            DeployStatus::Deployed => (theme.status_deployed, "✓ Deployed"),
            DeployStatus::InProgress => (theme.status_in_progress, "⇄ InProgress"),
        };
        out.push(Segment {
            priority: 1,
            spans: vec![
                Span::styled(t.distribution_id.clone(), theme.title),
                Span::raw(" "),
                Span::styled(status, status_style),
            ],
        });
    } else {
        out.push(Segment { priority: 1, spans: vec![Span::styled("reading distribution…", theme.muted)] });
    }
    if let Some(metrics) = state.learned.metrics.as_ref().filter(|m| m.accounts.len() > 1) {
        out.push(Segment { priority: 2, spans: account_gauges(&metrics.accounts, theme, wide) });
    } else if let Some(metrics) = state.learned.metrics.as_ref() {
        let limit = f64::from(metrics.concurrency_limit.max(1));
        let label = if wide { "λ concurrency " } else { "λ " };
        let mut spans = vec![Span::styled(label, theme.target(Target::Lambda))];
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
                }
            }
            None => spans.push(Span::styled(format!("–/{}", thousands(metrics.concurrency_limit.into())), theme.muted)),
        }
        if metrics.concurrency_limit_assumed {
            // GetAccountSettings was not allowed: the limit is the config's guess, not the account's.
            spans.push(Span::styled(" (assumed)", theme.muted));
        }
        out.push(Segment { priority: 2, spans });
    }
    if let Some(segment) = router(state, theme, wide) {
        out.push(segment);
    }
    if let Some(edge) = state.learned.metrics.as_ref().and_then(|m| m.edge.iter().rev().find(|e| e.requests.is_some()))
    {
        let requests = thousands(edge.requests.unwrap_or(0.0).round() as u64);
        let errors = edge.error_rate_5xx_pct.map_or("–".to_string(), |e| format!("{e:.1}%"));
        out.push(Segment {
            priority: 6,
            spans: vec![Span::styled(format!("edge {requests} req/min 5xx {errors}"), theme.muted)],
        });
    }
    if let (Some(queries), Some(cost)) = (state.metric_queries(), state.metrics_cost_per_hour()) {
        // Cents hide what matters at small sizes: 11 metrics a minute is $0.007/h, not $0.01.
        let cost = if cost < 0.1 { format!("${cost:.3}/h") } else { format!("${cost:.2}/h") };
        let text = if wide { format!("{} metrics/refresh ≈ {cost}", thousands(queries as u64)) } else { cost };
        out.push(Segment { priority: 3, spans: vec![Span::styled(text, theme.muted)] });
    }
    let stale = state.is_stale();
    let (age_text, age_style) = match state.data_age_secs() {
        Some(age) if stale => (format!("STALE data {} old", duration_short(age)), theme.stale),
        Some(age) => (format!("data {} old", duration_short(age)), theme.base),
        None if stale => ("STALE no data yet".to_string(), theme.stale),
        None => ("no data yet".to_string(), theme.muted),
    };
    out.push(Segment { priority: 1, spans: vec![Span::styled(age_text, age_style)] });
    let retry_in = duration_short(state.learned.next_refresh.duration_since(state.now).as_secs());
    let (refresh, refresh_style) = match &state.learned.read_trouble {
        _ if state.learned.metrics.in_flight() => ("refreshing…".to_string(), theme.muted),
        Some(trouble) => {
            let failing = duration_short(state.now.duration_since(trouble.since).as_secs());
            let text = if wide {
                format!("reads failing for {failing} ({}×), retry in {retry_in}", trouble.failures)
            } else {
                format!("retry in {retry_in}")
            };
            (text, theme.stale)
        }
        None => (format!("next refresh {retry_in}"), theme.muted),
    };
    out.push(Segment { priority: 3, spans: vec![Span::styled(refresh, refresh_style)] });
    out.push(Segment {
        priority: 5,
        spans: vec![Span::styled(format!("{} UTC", time_of_day(state.now)), theme.muted)],
    });
    out
}

/// The router function's own health, when the distribution has the router: a breach of its guard is
/// as important as the distribution's status; a healthy router is a nice-to-have.
fn router<'a>(state: &State, theme: &Theme, wide: bool) -> Option<Segment<'a>> {
    if !state.policy.router {
        return None;
    }
    // The store unreadable comes first: the shares on screen are not what the edges do now.
    if state.router_unknown().is_some() {
        let text = if wide { "router store UNREADABLE: λ share unknown" } else { "router ?" };
        return Some(Segment { priority: 1, spans: vec![Span::styled(text.to_string(), theme.alert)] });
    }
    let series = state.learned.metrics.as_ref().map(|m| m.router.as_slice()).unwrap_or_default();
    let status = RouterStatus::of(&state.learned.router_alert, series);
    let (priority, text, style) = match &status {
        RouterStatus::Failing(_) if wide => (1, format!("router ✗ {}", status.short()), theme.alert),
        RouterStatus::Failing(_) => (1, "router ✗".to_string(), theme.alert),
        RouterStatus::Suspect(_) if wide => (2, format!("router ! {}", status.short()), theme.gauge_warn),
        RouterStatus::Suspect(_) => (2, "router !".to_string(), theme.gauge_warn),
        RouterStatus::Healthy => (6, "router ✓".to_string(), theme.muted),
        RouterStatus::Unknown => (6, "router –".to_string(), theme.muted),
    };
    Some(Segment { priority, spans: vec![Span::styled(text, style)] })
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
