//! View memory the screen keeps between frames, held in the state: where a scrolled list starts,
//! remembered so that the view moves only when the selection would leave it (with a row of context
//! kept on the side it moves towards), instead of every row jumping on every key. `update` never
//! reads it.

use std::cell::Cell;

/// The first shown row of a list, kept between frames. It is view memory only: `update` never
/// reads it, and a fresh one shows the same rows as any other once the selection has moved.
#[derive(Clone, Debug, Default)]
pub struct ScrollMemory(Cell<usize>);

impl ScrollMemory {
    /// The first row to show for this frame, remembered for the next.
    pub fn window(&self, selected: Option<usize>, len: usize, height: usize) -> usize {
        let offset = offset(self.0.get(), selected, len, height);
        self.0.set(offset);
        offset
    }
}

/// The first shown row of `len` rows in a view `height` rows tall, given where it started last
/// frame: unchanged while the selection stays inside with a row to spare, else moved just enough.
pub fn offset(previous: usize, selected: Option<usize>, len: usize, height: usize) -> usize {
    if height == 0 || len <= height {
        return 0;
    }
    let last_start = len - height;
    let mut start = previous.min(last_start);
    if let Some(selected) = selected.map(|s| s.min(len - 1)) {
        // One row of context beyond the selection, when the view is tall enough to spare it.
        let margin = usize::from(height > 4);
        if selected < start + margin {
            start = selected.saturating_sub(margin);
        } else if selected + margin >= start + height {
            start = selected + margin + 1 - height;
        }
    }
    start.min(last_start)
}

#[cfg(test)]
mod tests {
    use super::offset;
    use proptest::prelude::*;

    #[test]
    fn a_short_list_never_scrolls() {
        assert_eq!(offset(7, Some(3), 5, 10), 0);
        assert_eq!(offset(7, Some(3), 10, 10), 0);
    }

    #[test]
    fn the_view_stays_put_while_the_selection_moves_inside_it() {
        assert_eq!(offset(20, Some(25), 1000, 10), 20);
        assert_eq!(offset(20, Some(21), 1000, 10), 20);
        assert_eq!(offset(20, Some(28), 1000, 10), 20);
    }

    #[test]
    fn moving_past_an_edge_scrolls_just_enough_keeping_one_row_of_context() {
        assert_eq!(offset(20, Some(29), 1000, 10), 21, "down past the bottom");
        assert_eq!(offset(20, Some(20), 1000, 10), 19, "up past the top");
        assert_eq!(offset(0, Some(999), 1000, 10), 990, "End");
        assert_eq!(offset(990, Some(0), 1000, 10), 0, "Home");
    }

    #[test]
    fn a_list_that_shrank_under_the_view_shows_its_end() {
        // A filter left 30 rows while the view started at row 500.
        assert_eq!(offset(500, Some(3), 30, 10), 2);
        assert_eq!(offset(500, None, 30, 10), 20);
    }

    proptest! {
        #[test]
        fn the_selected_row_is_always_in_view(
            previous in 0usize..2000, len in 1usize..2000, height in 1usize..100, pick in 0.0f64..1.0,
        ) {
            let selected = ((len - 1) as f64 * pick) as usize;
            let start = offset(previous, Some(selected), len, height);
            prop_assert!(start <= selected && selected < start + height, "{start} {selected}");
            prop_assert!(start + height.min(len) <= len, "the view runs past the end");
        }
    }
}
