//! How the screen's height is shared between its rows: the route table first (three rows at any
//! height), then the header, footer and banners, then an open event log, then the selected route's
//! chart; what is left grows the event log, the table and the chart, in that order.

/// The table's least height: its borders, its heading and three routes.
pub const TABLE_MIN: u16 = 6;
/// The detail pane's least useful height: borders, the legend and six chart rows.
pub const DETAIL_MIN: u16 = 9;
/// Below this the detail pane is not drawn at all (the table takes the rows): borders, the legend
/// and two chart rows.
pub const DETAIL_DRAWN: u16 = 5;
/// An open event log's least height: its borders and two lines.
pub const EVENTS_MIN: u16 = 4;
/// Below this an open event log is not drawn (borders and one line).
pub const EVENTS_DRAWN: u16 = 3;

/// What the screen asks for, besides its height.
#[derive(Clone, Copy, Debug)]
pub struct Wants {
    /// The tab strip (several distributions).
    pub tabs: bool,
    /// Banner lines (read-only, the trail's failure, the last error).
    pub banners: u16,
    /// The table's whole height: its rows, heading and borders.
    pub table: u16,
    pub log_open: bool,
}

/// The height of each row of the screen, top to bottom; they add up to the screen's height.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Heights {
    pub tabs: u16,
    pub header: u16,
    pub banners: u16,
    pub table: u16,
    pub detail: u16,
    pub events: u16,
    pub footer: u16,
}

/// Share `height` rows. In order, each takes what it needs from what is left: the table its
/// three rows (or all of them, if fewer); the footer (its keys and a key's answer) and the header;
/// the tab strip; the banners; an open event log two lines; the chart six rows. Then the rest
/// grows the event log to a third of the screen, the table to all its rows (a long one to three
/// fifths of the screen, scrolling), and the chart takes what remains. A pane left too small to
/// say anything is not drawn and its rows go to the table.
pub fn heights(height: u16, wants: Wants) -> Heights {
    let mut left = height;
    let mut take = |want: u16| {
        let got = want.min(left);
        left -= got;
        got
    };
    let table_want = wants.table.max(4);
    let mut h = Heights { table: take(table_want.min(TABLE_MIN)), ..Heights::default() };
    h.footer = take(1);
    h.header = take(1);
    h.tabs = take(u16::from(wants.tabs));
    h.banners = take(wants.banners);
    if wants.log_open {
        h.events = take(EVENTS_MIN);
        if h.events < EVENTS_DRAWN {
            left += std::mem::take(&mut h.events);
        }
    }
    let detail = left.min(DETAIL_MIN);
    if detail >= DETAIL_DRAWN {
        h.detail = detail;
        left -= detail;
    }
    if wants.log_open && h.events > 0 {
        let share = (height / 3).max(5);
        let more = share.saturating_sub(h.events).min(left);
        h.events += more;
        left -= more;
    }
    let table_cap = if h.detail > 0 { (height * 3 / 5).max(11) } else { u16::MAX };
    let more = table_want.min(table_cap).saturating_sub(h.table).min(left);
    h.table += more;
    left -= more;
    if h.detail > 0 {
        h.detail += left;
    } else if h.events > 0 {
        h.events += left;
    } else {
        h.table += left;
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wants(table: u16, log_open: bool) -> Wants {
        Wants { tabs: false, banners: 0, table, log_open }
    }

    fn total(h: Heights) -> u16 {
        h.tabs + h.header + h.banners + h.table + h.detail + h.events + h.footer
    }

    #[test]
    fn every_row_is_given_out_and_the_table_keeps_three_routes() {
        for height in 0..80 {
            for log_open in [false, true] {
                for banners in 0..4 {
                    for table in [3, 4, 12, 1003] {
                        let w = Wants { tabs: banners % 2 == 1, banners, table, log_open };
                        let h = heights(height, w);
                        assert_eq!(total(h), height, "{height} {w:?}: {h:?}");
                        assert!(h.table >= table.clamp(4, TABLE_MIN).min(height), "{height} {w:?}: {h:?}");
                        assert!(h.detail == 0 || h.detail >= DETAIL_DRAWN, "{height} {w:?}: {h:?}");
                        assert!(h.events == 0 || h.events >= EVENTS_DRAWN, "{height} {w:?}: {h:?}");
                        // Room for all the least heights: each pane has its own.
                        let events = if log_open { EVENTS_MIN } else { 0 };
                        let all = 2 + u16::from(w.tabs) + banners + TABLE_MIN + events + DETAIL_MIN;
                        if height >= all {
                            assert!(h.detail >= DETAIL_MIN, "{height} {w:?}: {h:?}");
                        }
                        if height >= all && log_open {
                            assert!(h.events >= EVENTS_MIN, "{height} {w:?}: {h:?}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn the_usual_sizes() {
        // 40×10: header, the table with five of its nine routes, the footer; no room for a chart.
        assert_eq!(heights(10, wants(12, false)), Heights { header: 1, table: 8, footer: 1, ..Heights::default() });
        // 140×42 with the event log: the log a third, the whole table, the chart the rest.
        let h = heights(42, wants(12, true));
        assert_eq!((h.table, h.events, h.detail), (12, 14, 14));
        // 80×24 with the event log: three table rows, five log lines and six chart rows.
        let h = heights(24, wants(12, true));
        assert_eq!((h.table, h.events, h.detail), (6, 7, 9));
        // 40×10 with the event log: one line of it does not fit beside the table's three rows.
        let h = heights(10, wants(12, true));
        assert_eq!((h.header, h.table, h.events, h.detail, h.footer), (1, 8, 0, 0, 1));
    }
}
