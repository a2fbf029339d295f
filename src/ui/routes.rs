//! The route table: one row per route with its target, numbers and last hour of traffic.

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::sparkline::{self, MISSING};
use crate::app::command::Command;
use crate::app::keymap::{self, Context};
use crate::app::model::plan_run::PlanPhase;
use crate::app::model::state::{RouteRow, State};
use crate::domain::format::{fitted, thousands, time_of_day};
use crate::domain::router_route::Via;
use crate::domain::{MinutePoint, Target, Thresholds};
use crate::theme::Theme;

/// The target column fits `◼ origin ⇄ 62 %` (or `⇄ 12/12`): where the route is, and how the move goes.
const FIXED_WIDTHS: [u16; 7] = [1, 14, 16, REQUESTS_WIDTH, ERRORS_WIDTH, LATENCY_WIDTH, THROTTLES_WIDTH];
/// The numeric columns: each number is right-aligned with one place kept for its `!` mark, and one
/// too wide for the rest is shown compactly (`103k`), never cut from the left.
const REQUESTS_WIDTH: u16 = 10;
const ERRORS_WIDTH: u16 = 6;
const LATENCY_WIDTH: u16 = 7;
const THROTTLES_WIDTH: u16 = 7;
/// The mark left of the selected row, in a column of its own only while a row is selected.
const HIGHLIGHT: &str = "▶";
const COLUMN_SPACING: u16 = 1;
/// The fewest minutes the traffic column shows; a table narrower than that leaves it out.
const SPARK_MIN: usize = 8;

/// A count as it fits a numeric column `width` wide, its mark's place kept.
fn count_in(value: f64, width: u16) -> String {
    // `as` saturates: a negative or NaN count (never sent by CloudWatch) shows as 0.
    fitted(value.round() as u64, usize::from(width) - 1)
}

// Long: lays out the route table (title, scroll window, rows, empty-table notes) in one place.
pub fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let visible = state.visible_routes();
    let mut title = vec![Span::styled(" routes ", theme.title)];
    // Only the rows in view are built: the table stays as cheap at 1,000 routes as at ten.
    let height = usize::from(area.height.saturating_sub(3));
    let selected = state.selected_index_in(&visible);
    let start = state.view.table_scroll.window(selected, visible.len(), height);
    let shown = &visible[start..(start + height).min(visible.len())];
    if shown.len() < visible.len() {
        let range = format!(
            "{}–{} of {} ",
            thousands(start as u64 + 1),
            thousands((start + shown.len()) as u64),
            thousands(visible.len() as u64)
        );
        title.push(Span::styled(range, theme.muted));
        title.extend(breached_out_of_view(&visible[..start], &visible[start + shown.len()..], theme));
    }
    if !state.view.filter.is_empty() || state.view.filter_editing {
        title.push(Span::styled(format!("filter: {} ", state.view.filter), theme.filter));
        let counts = format!("({} of {}) ", thousands(visible.len() as u64), thousands(state.routes.len() as u64));
        title.push(Span::styled(counts, theme.muted));
    }
    if state.is_stale() {
        // The numbers stay, as the best there is, but nobody should take them for the present.
        let from =
            state.learned.metrics.received_at().map(|at| format!(" from {}", time_of_day(at))).unwrap_or_default();
        title.push(Span::styled(format!("STALE: last good numbers{from} "), theme.stale));
    }
    let title = Line::from(title);

    // Numbers are right-aligned with a space for the `!` mark, and so are their headings.
    let heading = |h: &str, numeric: bool| {
        if numeric { Line::from(format!("{h} ")).right_aligned() } else { Line::from(h.to_string()) }
    };
    let buf = frame.buffer_mut();
    let inner = super::bordered(buf, area, &title, theme.border);
    let Some(grid) = Grid::new(inner, selected.map(|s| s - start), shown.len()) else { return };
    let spark_width = grid.spark_width;
    // The minutes the sparkline shows, as many as its column holds.
    let traffic = [format!("TRAFFIC ({spark_width} min)"), "TRAFFIC".to_string()]
        .into_iter()
        .find(|h| h.chars().count() <= spark_width)
        .unwrap_or_default();
    let headings = [
        heading("", false),
        heading("ROUTE", false),
        heading("TARGET", false),
        heading("REQ/MIN", true),
        heading("5XX%", true),
        heading(&latency_heading(&state.policy.latency_statistic), true),
        heading("THR", true),
        heading(&traffic, false),
    ];
    grid.draw_heading(buf, &headings, theme.table_header);
    for (i, row) in shown.iter().enumerate() {
        grid.draw_row(buf, i, &route_cells(row, state, theme, spark_width), theme);
    }
    grid.highlight(buf, shown.len(), theme.selected);

    if visible.is_empty() {
        // On the first row under the heading, which even the shortest table has.
        let inner = area.inner(ratatui::layout::Margin { horizontal: 2, vertical: 1 });
        let inner = Rect { y: inner.y + 1, height: inner.height.saturating_sub(1).min(1), ..inner };
        let note = if state.routes.is_empty() { "reading routes…" } else { "no route matches the filter" };
        frame.render_widget(Span::styled(note, theme.muted), inner);
    }
}

/// `▲ 1 above, 2 below (a: next)`: a sick route scrolled out of view must not go unseen.
fn breached_out_of_view<'a>(above: &[&RouteRow], below: &[&RouteRow], theme: &Theme) -> Option<Span<'a>> {
    let breached = |rows: &[&RouteRow]| rows.iter().filter(|r| !r.alert.is_empty()).count();
    let sides: Vec<String> = [(breached(above), "above"), (breached(below), "below")]
        .into_iter()
        .filter(|(count, _)| *count > 0)
        .map(|(count, side)| format!("{count} {side}"))
        .collect();
    (!sides.is_empty()).then(|| {
        let key = keymap::label(Context::Table, Command::SelectNextBreached);
        Span::styled(format!("▲ {} ({key}: next) ", sides.join(", ")), theme.alert)
    })
}

/// `P99 ms`, `AVG ms`, or just `P99.9` where the unit does not fit the column.
fn latency_heading(statistic: &str) -> String {
    let short = match statistic {
        "Average" => "AVG".to_string(),
        "Maximum" => "MAX".to_string(),
        "Minimum" => "MIN".to_string(),
        other => other.to_uppercase(),
    };
    if short.len() <= 3 { format!("{short} ms") } else { short }
}

/// The target cell: the side, the router's share (`λ ? %` when nobody can tell), `!` when the
/// router has some of its pieces on the route but not all.
fn target_spans<'a>(row: &RouteRow, theme: &Theme) -> Vec<Span<'a>> {
    match row.switchable() {
        // A routed route sending a share of its viewers to Lambda through the router's store.
        Ok(_) if row.router_share().is_some_and(|s| s > 0) => {
            let share = row.router_share().unwrap_or_default();
            vec![Span::styled(format!("λ {share} %"), theme.target(Target::Lambda))]
        }
        // The router may send some of it to Lambda and nobody can tell how much: its record (or
        // the store) cannot be read. Never shown as plainly on its side.
        Ok((side, _)) if side == Target::Origin && row.via_router() == Via::Unknown => {
            vec![Span::styled("λ ? %", theme.alert)]
        }
        Ok((side, _)) if !row.router_missing().is_empty() => {
            vec![Span::styled(side.to_string(), theme.target(side)), Span::styled(" !", theme.gauge_warn)]
        }
        Ok((side, _)) => {
            vec![Span::styled(side.to_string(), theme.target(side))]
        }
        // Never moved by cutover; said in words, the reason is in the event log and `status`.
        Err(_) => vec![Span::styled(crate::domain::route::NOT_SWITCHABLE_SHORT, theme.muted)],
    }
}

/// One route's row, ready to draw: the text of its cells, and the minutes its sparkline shows.
struct RouteCells<'a> {
    alert: bool,
    /// Route, target, requests, 5xx, latency, throttles.
    text: [Line<'a>; 6],
    minutes: &'a [MinutePoint],
    /// Over the whole row, under its cells' own styles: stale numbers.
    style: Style,
}

fn route_cells<'a>(row: &'a RouteRow, state: &'a State, theme: &Theme, spark_width: usize) -> RouteCells<'a> {
    let t = state.thresholds_for(&row.path);
    // The route's series looked up once for its newest numbers and its sparkline.
    let series = state.learned.metrics.as_ref().map(|m| m.series(&row.path)).unwrap_or_default();
    // As `MetricsSnapshot::latest` finds it.
    let latest = series.iter().rev().find(|p| p.has_data());
    let mut target = target_spans(row, theme);
    // While the traffic moves: the new side's share of the newest minute; before the numbers can
    // tell, how many of the probes through the edge the new side answered.
    if let Some((_, share)) = state.moving_share(&row.path) {
        target.push(Span::styled(format!(" ⇄ {share:.0} %"), theme.switch_pending));
    } else if let Some((_, on_new, answered)) = state.edge_moving(&row.path) {
        target.push(Span::styled(format!(" ⇄ {on_new}/{answered}"), theme.switch_pending));
    } else if row.pending.is_some() {
        target.push(Span::styled(" ⇄", theme.switch_pending));
    }
    // A rollout plan under way: its step, `‖` when paused.
    if let Some(run) = state.plan_on(&row.path) {
        let mark = if matches!(run.phase, PlanPhase::Paused { .. }) { "‖" } else { "▸" };
        target.push(Span::styled(format!(" {mark}{}", run.progress()), theme.switch_pending));
    }
    // Changed outside cutover in the last hour (the AWS console, Terraform, a script): `✎`.
    if state.team.outside_on(&row.path, state.now).is_some() {
        target.push(Span::styled(" ✎", theme.gauge_warn));
    }
    let [requests, error_cell, latency_cell] = number_cells(row, state, latest, t, theme);
    let throttles = throttle_cell(latest, t, theme);
    let path_style = if row.alert.is_empty() { theme.base } else { theme.alert };
    // The account its Lambda side lives in could not be read this time: its numbers are older.
    let account_stale =
        state.learned.metrics.as_ref().and_then(|m| m.account_of(&row.path)).is_some_and(|a| a.error.is_some());
    RouteCells {
        alert: !row.alert.is_empty(),
        text: [
            Line::from(Span::styled(row.path.as_str(), path_style)),
            Line::from(target),
            requests,
            error_cell,
            latency_cell,
            throttles,
        ],
        // Only the minutes the sparkline shows (its newest `spark_width`).
        minutes: &series[series.len().saturating_sub(spark_width)..],
        style: if state.is_stale() || account_stale { theme.stale } else { Style::default() },
    }
}

/// The requests, 5xx and latency cells: the edge's window when its logs are live (what viewers
/// got seconds ago, marked `ᵉ`), else CloudWatch's newest minute.
fn number_cells<'a>(
    row: &RouteRow,
    state: &State,
    latest: Option<&MinutePoint>,
    t: &Thresholds,
    theme: &Theme,
) -> [Line<'a>; 3] {
    let edge = state.edge_logs.as_ref().and_then(|e| e.window(&row.path, state.now));
    match edge {
        Some(w) => {
            let errors = w.error_5xx_pct();
            [
                edge_number(Some(count_in(w.requests_per_s() * 60.0, REQUESTS_WIDTH)), false, theme),
                edge_number(errors.map(percent_in_column), errors.is_some_and(|v| v > t.error_rate_pct), theme),
                edge_number(
                    w.p99_ms.map(|v| count_in(v, LATENCY_WIDTH)),
                    w.p99_ms.is_some_and(|v| v > t.latency_ms),
                    theme,
                ),
            ]
        }
        None => {
            let requests =
                number(latest.and_then(MinutePoint::requests).map(|v| count_in(v, REQUESTS_WIDTH)), false, theme);
            let errors = latest.and_then(MinutePoint::error_rate_pct);
            let error_cell =
                number(errors.map(percent_in_column), latest.is_some_and(|p| t.error_rate_breached(p)), theme);
            let latency = latest.and_then(MinutePoint::latency_ms);
            let latency_cell = number(
                latency.map(|v| count_in(v, LATENCY_WIDTH)),
                latest.is_some_and(|p| t.latency_breached(p)),
                theme,
            );
            [requests, error_cell, latency_cell]
        }
    }
}

/// A right-aligned number with a `!` when it crosses its threshold, or `–` when missing.
fn number<'a>(text: Option<String>, breached: bool, theme: &Theme) -> Line<'a> {
    match (text, breached) {
        (None, _) => Line::from(Span::styled("– ", theme.muted)).right_aligned(),
        (Some(text), true) => Line::from(Span::styled(format!("{text}!"), theme.alert)).right_aligned(),
        (Some(text), false) => Line::from(format!("{text} ")).right_aligned(),
    }
}

/// A number from the edge logs: marked `ᵉ` where CloudWatch's has its space, `!` when it crosses
/// its threshold, `–` when missing (no requests in the window: no rate).
fn edge_number<'a>(text: Option<String>, breached: bool, theme: &Theme) -> Line<'a> {
    match (text, breached) {
        (None, _) => Line::from(Span::styled("–ᵉ", theme.muted)).right_aligned(),
        (Some(text), true) => Line::from(Span::styled(format!("{text}!"), theme.alert)).right_aligned(),
        (Some(text), false) => Line::from(vec![Span::raw(text), Span::styled("ᵉ", theme.muted)]).right_aligned(),
    }
}

/// Lambda throttles; origin routes have no datapoint, so they show `–` like any missing number.
fn throttle_cell<'a>(latest: Option<&MinutePoint>, t: &Thresholds, theme: &Theme) -> Line<'a> {
    let breached = latest.is_some_and(|p| t.throttles_breached(p));
    number(latest.and_then(|p| p.throttles.get()).map(|v| count_in(v, THROTTLES_WIDTH)), breached, theme)
}

/// A 5xx rate with one decimal (`12.4`); `100.0` is the widest a rate can be, and fits. Anything
/// wider (never sent: a rate is at most 100 %) is shown whole, as a count would be.
fn percent_in_column(value: f64) -> String {
    let text = format!("{value:.1}");
    if text.chars().count() < usize::from(ERRORS_WIDTH) { text } else { count_in(value, ERRORS_WIDTH) }
}

/// The table's parts where ratatui's `Table` would put them (the same layouts, so the same cells
/// come out), drawn straight into the buffer: building a `Row` of `Cell`s, `Text`s and `Span`s for
/// every route on every frame, and laying each sparkline out grapheme by grapheme, was over a third
/// of a frame.
struct Grid {
    heading: Rect,
    /// Under the heading, one route a line.
    rows: Rect,
    /// Each column's x and width on the screen, at y 0; `None` for a column left out because the
    /// table is too narrow ([`Grid::widths`]).
    columns: [Option<Rect>; 8],
    /// How many of the newest minutes the sparkline shows: what its column holds, at most the hour.
    spark_width: usize,
    /// The highlight's column: as wide as its mark while a row is selected, else nothing.
    selection: Rect,
    /// The selected row among those shown, as `Table` clamps it: none without rows.
    selected: Option<usize>,
}

impl Grid {
    /// `None` when the block leaves no room inside it, where `Table` draws nothing either.
    fn new(inner: Rect, selected: Option<usize>, rows: usize) -> Option<Grid> {
        if inner.is_empty() {
            return None;
        }
        let selected = selected.map(|s| s.min(rows.saturating_sub(1))).filter(|_| rows > 0);
        let selection_width = if selected.is_some() { Line::from(HIGHLIGHT).width() as u16 } else { 0 };
        let [_, columns_area] = Layout::horizontal([Constraint::Length(selection_width), Constraint::Fill(0)])
            .areas(Rect::new(0, 0, inner.width, 1));
        let fixed = Grid::widths(columns_area.width);
        let kept: Vec<usize> = (0..8).filter(|i| *i == 7 || fixed[*i] > 0).collect();
        let widths = kept.iter().map(|&i| if i == 7 { Constraint::Fill(1) } else { Constraint::Length(fixed[i]) });
        let split = Layout::horizontal(widths).flex(Flex::Start).spacing(COLUMN_SPACING).split(columns_area);
        let used = fixed.iter().filter(|w| **w > 0).map(|w| w + 1).sum::<u16>() + 2;
        let spark_width = usize::from(inner.width.saturating_sub(used).min(60));
        let mut columns = [None; 8];
        for (&i, c) in kept.iter().zip(split.iter()) {
            columns[i] = Some(Rect::new(inner.x + c.x, 0, c.width, 1));
        }
        // A few bars say nothing of the hour: below this the column is left out.
        let spark_width = if spark_width < SPARK_MIN {
            columns[7] = None;
            0
        } else {
            spark_width
        };
        let [_, heading, _, rows, _, _, _] = Layout::vertical([
            Constraint::Length(0),
            Constraint::Length(1),
            Constraint::Length(0),
            Constraint::Min(0),
            Constraint::Length(0),
            Constraint::Length(0),
            Constraint::Length(0),
        ])
        .areas(inner);
        Some(Grid {
            heading,
            rows,
            columns,
            spark_width,
            selection: Rect { width: selection_width, height: 1, ..rows },
            selected,
        })
    }

    /// The fixed columns' widths in `width` (0 for one left out): all of them when they fit;
    /// narrower, throttles, then latency, then requests are left out, then the target column
    /// narrows to `λ Lambda`, so the route, where it goes and its 5xx stay whole to 40 columns.
    fn widths(width: u16) -> [u16; 7] {
        let need = |w: &[u16; 7]| w.iter().filter(|w| **w > 0).map(|w| w + COLUMN_SPACING).sum::<u16>();
        let mut widths = FIXED_WIDTHS;
        for (column, narrower) in [(6, 0), (5, 0), (3, 0), (2, 9)] {
            if need(&widths) <= width {
                break;
            }
            widths[column] = narrower;
        }
        widths
    }

    fn draw_heading(&self, buf: &mut Buffer, headings: &[Line], style: Style) {
        for (column, heading) in self.columns.iter().zip(headings) {
            if let Some(column) = column {
                cell(buf, Rect { y: self.heading.y, height: self.heading.height, ..*column }, heading, style);
            }
        }
    }

    /// Row `i` of those shown, unless it falls below the table.
    fn draw_row(&self, buf: &mut Buffer, i: usize, row: &RouteCells, theme: &Theme) {
        let Some(y) = self.row_y(i) else { return };
        if row.style != Style::default() {
            buf.set_style(Rect { y, height: 1, ..self.rows }, row.style);
        }
        if self.selected == Some(i) {
            Line::from(HIGHLIGHT).render(Rect { y, ..self.selection }, buf);
        }
        let at = |column: &Rect| Rect { y, ..*column };
        let (mark, mark_style) = if row.alert { ("▲", theme.alert) } else { (" ", Style::default()) };
        if let Some(column) = &self.columns[0] {
            cell(buf, at(column), &Line::from(mark), mark_style);
        }
        for (column, text) in self.columns[1..7].iter().zip(&row.text) {
            if let Some(column) = column {
                cell(buf, at(column), text, Style::default());
            }
        }
        if let Some(column) = &self.columns[7] {
            draw_sparkline(buf, at(column), row.minutes, theme);
        }
    }

    /// The selected row's style over it, once its cells are drawn.
    fn highlight(&self, buf: &mut Buffer, shown: usize, style: Style) {
        if let Some(y) = self.selected.filter(|s| *s < shown).and_then(|s| self.row_y(s)) {
            buf.set_style(Rect { y, height: 1, ..self.rows }, style);
        }
    }

    fn row_y(&self, i: usize) -> Option<u16> {
        u16::try_from(i).ok().map(|i| self.rows.y.saturating_add(i)).filter(|y| *y < self.rows.bottom())
    }
}

/// A cell as `Table` draws one: its style over its area, then its text.
fn cell(buf: &mut Buffer, area: Rect, text: &Line, style: Style) {
    if style != Style::default() {
        buf.set_style(area, style);
    }
    text.render(area, buf);
}

/// The sparkline written cell by cell, left-aligned and cut at the column's end as a `Line`
/// would be: every bar is one single-width character, so it needs none of a line's grapheme and
/// width work, nor a string per row.
fn draw_sparkline(buf: &mut Buffer, area: Rect, minutes: &[MinutePoint], theme: &Theme) {
    let area = area.intersection(buf.area);
    if area.is_empty() {
        return;
    }
    let max = sparkline::largest(minutes.iter().map(MinutePoint::requests));
    for (x, minute) in (area.left()..area.right()).zip(minutes) {
        let bar = sparkline::bar(minute.requests(), max);
        let style = if bar == MISSING { theme.muted } else { theme.sparkline };
        buf[(x, area.y)].set_char(bar).set_style(style);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_numeric_column_fits_its_widest_number_without_cutting_it() {
        for width in [REQUESTS_WIDTH, LATENCY_WIDTH, THROTTLES_WIDTH] {
            for value in [0.0, 999.0, 102_576.0, 9_999_999.0, 123_456_789_012.0, 1e30] {
                let text = count_in(value, width);
                assert!(text.chars().count() < usize::from(width), "{value} in {width}: {text}");
            }
        }
        assert_eq!(count_in(102_576.0, THROTTLES_WIDTH), "103k");
        assert_eq!(count_in(99_999.0, THROTTLES_WIDTH), "99,999");
        assert_eq!(count_in(9_999_999.0, REQUESTS_WIDTH), "9,999,999");
        assert_eq!(count_in(123_456_789.0, REQUESTS_WIDTH), "123M");
        for value in [0.0, 5.04, 99.95, 100.0, 1234.5] {
            let text = percent_in_column(value);
            assert!(text.chars().count() < usize::from(ERRORS_WIDTH), "{value}: {text}");
        }
        assert_eq!(percent_in_column(100.0), "100.0");
    }

    #[test]
    fn a_narrow_table_leaves_columns_out_rather_than_cut_its_numbers() {
        assert_eq!(Grid::widths(120), FIXED_WIDTHS);
        assert_eq!(Grid::widths(68), FIXED_WIDTHS);
        assert_eq!(Grid::widths(60), [1, 14, 16, 10, 6, 7, 0]);
        assert_eq!(Grid::widths(37), [1, 14, 9, 0, 6, 0, 0]);
    }

    #[test]
    fn the_latency_column_names_its_statistic_and_fits() {
        assert_eq!(latency_heading("p99"), "P99 ms");
        assert_eq!(latency_heading("Average"), "AVG ms");
        assert_eq!(latency_heading("p99.9"), "P99.9");
    }
}
