//! The selected route over the last hour: requests by backend, and 5xx, with a marker at each
//! switch; a routed route's title says how the router itself is doing.

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Block, Chart, Dataset, GraphType, Paragraph, Widget};

use crate::app::model::edge_logs::{EdgeLogs, SETTLE_SECS};
use crate::app::model::plan_run::{PlanPhase, PlanRun};
use crate::app::model::state::State;
use crate::domain::format::{duration_short, thousands, time_of_day};
use crate::domain::metrics::WINDOW_MINUTES;
use crate::domain::probe::EdgeSummary;
use crate::domain::router_health::RouterStatus;
use crate::domain::visible::escape;
use crate::domain::{MetricsSnapshot, MinutePoint, Target};
use crate::theme::Theme;

use super::sparkline;
use super::title::{self, Part};

// Long: lays out one pane (two charts, their axes and legends); the layout arithmetic reads best in one place.
pub fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let Some(row) = state.selected_route() else {
        let block = Block::bordered().title(" detail ").border_style(theme.border);
        frame.render_widget(Paragraph::new("select a route").style(theme.muted).block(block), area);
        return;
    };
    let marks: Vec<_> = state.marks.iter().filter(|m| m.path == row.path).collect();
    // Ranked by how much each part matters when the title does not fit (`title::fit`): the route,
    // then what is wrong now, then the last move and where it stands, then the rest.
    let mut title = vec![Part::new(0, Span::styled(format!(" {} ", row.path), theme.title))];
    if let Some(last) = marks.last() {
        let text = format!("│ {} at {} ", last.describe(), time_of_day(last.at));
        title.push(Part::new(2, Span::styled(text, theme.switch_marker)));
    }
    // A breach the numbers show late, from before the route's last move: said so, not sounded.
    if let Some(at) = row.alert_before.filter(|_| !row.alert.is_empty()) {
        let fix = state.last_fix(&row.path).map_or("switch", |f| f.kind.word());
        let text = format!("│ breach from before the {fix} at {} ", time_of_day(at));
        title.push(Part::new(1, Span::styled(text, theme.muted)));
    }
    let moved: Vec<_> = state.moved_marks.iter().filter(|m| m.path == row.path).collect();
    if let Some(last) = moved.last().filter(|m| marks.last().is_none_or(|s| s.at <= m.at)) {
        let text = format!("│ traffic moved by {} ", time_of_day(last.at));
        title.push(Part::new(3, Span::styled(text, theme.target(last.to))));
    }
    if let Some(watch) = state.edge.get(&row.path).filter(|w| !w.recent().is_empty()) {
        // Its findings are its useful end: they outlast the sides and the POPs, and a summary that
        // has some outranks the traffic's move.
        let summary = EdgeSummary::of(watch.recent());
        let findings = summary.describe_findings();
        let rank = if findings.is_some() { 2 } else { 4 };
        let mut part = Part::new(rank, Span::styled(format!("│ {} ", summary.describe()), theme.muted))
            .or_short(Span::styled(format!("│ {} ", summary.describe_short()), theme.muted));
        if let Some(findings) = findings {
            part = part.or_short(Span::styled(format!("│ {findings} "), theme.muted));
        }
        title.push(part);
    }
    if let Some(share) = row.router_share() {
        let split = format!("│ router: λ {share} % · ◼ {} % ", 100 - share);
        let style = theme.target(if share > 0 { Target::Lambda } else { Target::Origin });
        title.push(Part::new(3, Span::styled(split, style)));
    } else if let Some(words) = row.router_words() {
        // Some of the router's pieces but not all: which are missing, and whether a share may
        // still reach Lambda.
        let style = if row.via_router().may_send() { theme.alert } else { theme.gauge_warn };
        title.push(Part::new(2, Span::styled(format!("│ router: {} ", escape(&words)), style)));
    }
    if row.touched_by_router() && state.router_unknown().is_some() {
        let since = state
            .learned
            .shares
            .received_at()
            .map_or_else(|| "never read".into(), |at| format!("as of {}", time_of_day(at)));
        title.push(Part::new(1, Span::styled(format!("│ router's store unreadable: shares {since} "), theme.alert)));
    }
    // The deployment the route's API Gateway stage serves, once read (`D`).
    let stage =
        state.policy.stages.get(&row.path).and_then(|s| state.learned.stage_serving.get(&s.stage).map(|d| (s, d)));
    if let Some((stage, serving)) = stage {
        let fallback = stage.fallback_deployment.as_deref() == Some(serving.current.as_str());
        let words = serving.current().map_or(String::new(), |d| format!(" ({})", d.description));
        let text = format!("│ stage {}: {}{words} ", stage.stage.stage(), serving.current);
        let style = if fallback { theme.target(Target::Origin) } else { theme.target(Target::Lambda) };
        title.push(Part::new(3, Span::styled(escape(&text).into_owned(), style)));
    }
    if let Some(run) = state.plan_on(&row.path) {
        title.push(Part::new(2, Span::styled(format!("│ {} ", plan_words(run, state.now)), theme.switch_pending)));
    }
    if state.policy.router && row.share.is_some() {
        let series = state.learned.metrics.as_ref().map(|m| m.router.as_slice()).unwrap_or_default();
        let status = RouterStatus::of(&state.learned.router_alert, series);
        let (rank, text, style) = match &status {
            RouterStatus::Failing(_) => (1, format!("│ router ✗ {}: shares cannot help ", status.short()), theme.alert),
            RouterStatus::Suspect(_) => (2, format!("│ router ! {} ", status.short()), theme.gauge_warn),
            RouterStatus::Healthy => (5, "│ router ✓ ".to_string(), theme.muted),
            RouterStatus::Unknown => (5, "│ router – ".to_string(), theme.muted),
        };
        title.push(Part::new(rank, Span::styled(text, style)));
    }
    if let Err(why) = row.switchable() {
        let part = Part::new(2, Span::styled(format!("│ not switchable: {why} "), theme.muted));
        title.push(part.or_short(Span::styled("│ not switchable ", theme.muted)));
    }
    let title = title::fit(title, usize::from(area.width.saturating_sub(2)), theme.muted);
    let inner = super::bordered(frame.buffer_mut(), area, &title, theme.border);

    let Some(metrics) = state.learned.metrics.as_ref() else {
        frame.render_widget(Paragraph::new("waiting for the first metrics…").style(theme.muted), inner);
        return;
    };
    let series = metrics.series(&row.path);
    // Minutes from the start of the window at which the route switched.
    let mark_x: Vec<f64> = marks
        .iter()
        .map(|m| m.at.duration_since(metrics.window_start).as_secs_f64() / 60.0)
        .filter(|x| (0.0..=WINDOW_MINUTES as f64).contains(x))
        .collect();

    // Minutes at which the traffic was seen moved, drawn in the colour of the side it moved to.
    let moved_x: Vec<(f64, Target)> = moved
        .iter()
        .map(|m| (m.at.duration_since(metrics.window_start).as_secs_f64() / 60.0, m.to))
        .filter(|(x, _)| (0.0..=WINDOW_MINUTES as f64).contains(x))
        .collect();

    // The edge's seconds under the CloudWatch hour, when the distribution has edge logs and the
    // pane has room for them beside charts worth drawing.
    let edge_rows = if state.edge_logs.is_some() && inner.height >= 8 { 2 } else { 0 };
    let [legend_area, charts_area, edge_area] =
        Layout::vertical([Constraint::Length(1), Constraint::Fill(1), Constraint::Length(edge_rows)]).areas(inner);
    if edge_rows > 0 {
        edge_seconds(frame.buffer_mut(), edge_area, state, &row.path, theme);
    }
    frame.render_widget(legend(theme, !mark_x.is_empty(), !moved_x.is_empty()), legend_area);
    let [requests_area, errors_area] =
        Layout::horizontal([Constraint::Percentage(60), Constraint::Percentage(40)]).spacing(3).areas(charts_area);
    let lambda = points(series, |p| p.lambda.requests.get());
    let origin = points(series, |p| p.origin.requests.get());
    let requests_max = lambda.iter().chain(&origin).map(|(_, y)| *y).fold(1.0, f64::max) * 1.1;
    let errors = points(series, MinutePoint::error_rate_pct);
    let errors_max =
        errors.iter().map(|(_, y)| *y).fold(state.thresholds_for(&row.path).error_rate_pct * 2.0, f64::max) * 1.1;

    let mut request_sets = vec![
        line(
            format!("{} req/min", Target::Lambda),
            &lambda,
            series_marker(Target::Lambda),
            theme.chart(Target::Lambda),
        ),
        line(
            format!("{} req/min", Target::Origin),
            &origin,
            series_marker(Target::Origin),
            theme.chart(Target::Origin),
        ),
    ];
    let marker_lines: Vec<Vec<(f64, f64)>> = mark_x.iter().map(|x| vec![(*x, 0.0), (*x, requests_max)]).collect();
    request_sets.extend(marker_lines.iter().enumerate().map(|(i, pts)| marker(i, pts, theme)));
    let moved_lines: Vec<(Vec<(f64, f64)>, Target)> = moved_x
        .iter()
        .map(|(x, to)| ((0..=12).map(|i| (*x, requests_max * f64::from(i) / 12.0)).collect(), *to))
        .collect();
    request_sets.extend(moved_lines.iter().map(|(pts, to)| moved_marker(pts, *to, theme)));
    let request_chart = Chart::new(request_sets)
        .x_axis(time_axis(metrics, theme))
        .y_axis(value_axis(requests_max, |v| thousands(v.round() as u64), theme))
        .legend_position(None)
        // The chart's canvas paints its cells with its own background: the theme's, not the terminal's.
        .style(theme.base);
    frame.render_widget(request_chart, requests_area);

    let limit = state.thresholds_for(&row.path).error_rate_pct;
    let threshold = [(0.0, limit), (WINDOW_MINUTES as f64 - 1.0, limit)];
    let mut error_sets = vec![
        line("5xx %".to_string(), &errors, ERRORS_MARKER, theme.chart_errors),
        line("threshold".to_string(), &threshold, THRESHOLD_MARKER, theme.muted),
    ];
    let error_marks: Vec<Vec<(f64, f64)>> = mark_x.iter().map(|x| vec![(*x, 0.0), (*x, errors_max)]).collect();
    error_sets.extend(error_marks.iter().enumerate().map(|(i, pts)| marker(i, pts, theme)));
    let error_chart = Chart::new(error_sets)
        .x_axis(time_axis(metrics, theme))
        .y_axis(value_axis(errors_max, |v| format!("{v:.0}%"), theme))
        .legend_position(None)
        .style(theme.base);
    frame.render_widget(error_chart, errors_area);
}

/// The edge's last seconds of the route: its window's numbers in words, then one bar a second (the
/// newest at the right, up to 5 minutes), a 5xx second drawn in the errors' colour.
fn edge_seconds(buf: &mut Buffer, area: Rect, state: &State, path: &str, theme: &Theme) {
    let Some(edge) = state.edge_logs.as_ref() else { return };
    let [words_area, bars_area] = Layout::vertical([Constraint::Length(1), Constraint::Length(1)]).areas(area);
    let words = edge_words(edge, state.now, path, area.width);
    Line::from(Span::styled(words, theme.muted)).render(words_area, buf);
    let Some(newest) = edge.numbers.newest_ms.filter(|_| edge.live(state.now)) else { return };
    let end = newest.div_euclid(1000) - SETTLE_SECS;
    let width = usize::from(bars_area.width).min(300);
    let seconds = edge.numbers.seconds(path, end, width);
    let max = seconds.iter().flatten().map(|s| s.lines).max().unwrap_or(0).max(1);
    const BARS: [&str; 8] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"];
    const MISSING_SECOND: &str = "·";
    debug_assert_eq!(MISSING_SECOND.chars().next(), Some(sparkline::MISSING));
    for (i, second) in seconds.iter().enumerate() {
        let x = bars_area.x + i as u16;
        let (symbol, style) = match second {
            None => (MISSING_SECOND, theme.muted),
            Some(s) if s.lines == 0 => (" ", theme.base),
            Some(s) => {
                let level = ((u64::from(s.lines) * 7).div_ceil(u64::from(max))) as usize;
                let style = if s.status_5xx > 0 { theme.chart_errors } else { theme.chart(Target::Lambda) };
                (BARS[level.min(7)], style)
            }
        };
        buf[(x, bars_area.y)].set_symbol(symbol).set_style(style);
    }
}

/// The route's edge window in words: all of it when it fits `width`, else what a responder needs
/// first, whole, rather than the full line cut.
fn edge_words(edge: &EdgeLogs, now: jiff::Timestamp, path: &str, width: u16) -> String {
    match (edge.window(path, now), edge.age_secs(now)) {
        (Some(w), Some(age)) => {
            let pct = |n: u32| {
                if w.counts.lines == 0 {
                    "–".to_string()
                } else {
                    format!("{:.1} %", 100.0 * f64::from(n) / f64::from(w.counts.lines))
                }
            };
            let ms = |v: Option<f64>| v.map_or("–".to_string(), |v| format!("{} ms", thousands(v.round() as u64)));
            let full = format!(
                "edge, last {} s ({} old): {:.1} req/s · 5xx {} · 4xx {} · p50 {} · p99 {} · hits {} · made by CloudFront {}",
                w.secs,
                duration_short(age),
                w.requests_per_s(),
                pct(w.counts.status_5xx),
                pct(w.counts.status_4xx),
                ms(w.p50_ms),
                ms(w.p99_ms),
                pct(w.counts.hits),
                w.counts.edge_errors
            );
            let short = format!(
                "edge {} s, {} old: {:.0} req/s · 5xx {} · p99 {} · CloudFront {}",
                w.secs,
                duration_short(age),
                w.requests_per_s(),
                pct(w.counts.status_5xx),
                ms(w.p99_ms),
                w.counts.edge_errors
            );
            if full.chars().count() <= usize::from(width) { full } else { short }
        }
        (None, Some(age)) => format!("edge: no live numbers (newest line {} old)", duration_short(age)),
        (_, None) => "edge: no line read yet".to_string(),
    }
}

/// The 5xx series is a fine braille line, its threshold a row of dots: told apart without colour.
const ERRORS_MARKER: Marker = Marker::Braille;
const THRESHOLD_MARKER: Marker = Marker::Dot;

/// Each side's requests in a line of its own shape, so that the two differ without colour
/// (`NO_COLOR`, a monochrome terminal, a colour-blind reader): Lambda a fine braille line, the
/// origin a row of dots.
fn series_marker(target: Target) -> Marker {
    match target {
        Target::Lambda => Marker::Braille,
        Target::Origin => Marker::Dot,
    }
}

/// What a series looks like in the legend: two cells of the line it draws.
fn swatch(marker: Marker) -> &'static str {
    match marker {
        Marker::Dot => "••",
        _ => "⣀⣀",
    }
}

/// What the lines mean, drawn once above both charts instead of a legend box over the data.
fn legend<'a>(theme: &Theme, with_switches: bool, with_moved: bool) -> Line<'a> {
    let mut spans = vec![
        Span::styled("requests/min: ", theme.muted),
        Span::styled(
            format!("{} {}", swatch(series_marker(Target::Lambda)), Target::Lambda),
            theme.chart(Target::Lambda),
        ),
        Span::raw("  "),
        Span::styled(
            format!("{} {}", swatch(series_marker(Target::Origin)), Target::Origin),
            theme.chart(Target::Origin),
        ),
        Span::styled("    5xx %: ", theme.muted),
        Span::styled(format!("{} 5xx", swatch(ERRORS_MARKER)), theme.chart_errors),
        Span::raw("  "),
        Span::styled(format!("{} threshold", swatch(THRESHOLD_MARKER)), theme.muted),
    ];
    if with_switches {
        spans.push(Span::raw("  "));
        spans.push(Span::styled("│ switch", theme.switch_marker));
    }
    if with_moved {
        spans.push(Span::raw("  "));
        spans.push(Span::styled("┊ traffic moved", theme.muted));
    }
    Line::from(spans)
}

/// A dotted vertical line where the numbers showed the traffic moved, in its new side's colour:
/// braille dots, fine like the `┊` that names it, so that it is not taken for the origin's `•`.
fn moved_marker<'a>(data: &'a [(f64, f64)], to: Target, theme: &Theme) -> Dataset<'a> {
    Dataset::default().marker(Marker::Braille).graph_type(GraphType::Scatter).style(theme.chart(to)).data(data)
}

/// Chart points for the minutes that have a value; missing minutes are left out, not zeroed.
fn points(series: &[MinutePoint], value: impl Fn(&MinutePoint) -> Option<f64>) -> Vec<(f64, f64)> {
    series.iter().enumerate().filter_map(|(i, p)| value(p).map(|v| (i as f64, v))).collect()
}

fn line<'a>(name: String, data: &'a [(f64, f64)], marker: Marker, style: Style) -> Dataset<'a> {
    Dataset::default().name(name).marker(marker).graph_type(GraphType::Line).style(style).data(data)
}

/// A vertical line at a switch; only the first one is named in the legend.
fn marker<'a>(index: usize, data: &'a [(f64, f64)], theme: &Theme) -> Dataset<'a> {
    let dataset =
        Dataset::default().marker(Marker::Braille).graph_type(GraphType::Line).style(theme.switch_marker).data(data);
    if index == 0 { dataset.name("switch") } else { dataset }
}

fn time_axis<'a>(metrics: &MetricsSnapshot, theme: &Theme) -> Axis<'a> {
    let last = WINDOW_MINUTES as f64 - 1.0;
    Axis::default().bounds([0.0, last]).style(theme.muted).labels(vec![
        Line::from(time_of_day(metrics.window_start)[..5].to_string()),
        Line::from(time_of_day(metrics.minute_start(WINDOW_MINUTES - 1))[..5].to_string()),
    ])
}

fn value_axis<'a>(max: f64, label: impl Fn(f64) -> String, theme: &Theme) -> Axis<'a> {
    Axis::default().bounds([0.0, max]).style(theme.muted).labels(vec![Line::from("0"), Line::from(label(max))])
}

/// `plan default 2/5 λ 5 %, next 25 % in 7m 30s`: where the route's rollout plan is.
fn plan_words(run: &PlanRun, now: jiff::Timestamp) -> String {
    let next = run.plan.steps.get(run.step + 1).map(|s| s.share);
    let head = format!("plan {} {} λ {} %", escape(&run.plan.name), run.progress(), run.share());
    match (&run.phase, next) {
        (PlanPhase::Holding { since }, Some(next)) => match run.hold_ends(*since) {
            Some(end) => {
                let left = end.duration_since(now).as_secs().max(0);
                format!("{head}, next {next} % in {} if quiet", crate::domain::format::duration_short(left))
            }
            None => format!("{head}, next {next} % after its hold if quiet"),
        },
        (PlanPhase::Moving { .. }, _) => format!("{head}, on its way to the store"),
        (PlanPhase::Paused { .. }, _) => format!("{head}, paused (Z resumes)"),
        (PlanPhase::Restored { .. }, _) => format!("{head}, resumed from the trail"),
        _ => head,
    }
}
