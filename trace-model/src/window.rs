//! The virtualized tree's window: which rows are in the DOM for a scroll position, and where to scroll so that a
//! row shows (docs/trace-view.md, "Large traces"). Rows are one fixed height.

/// Rows rendered beyond each edge of the viewport, so that fast scrolling rarely shows a gap.
pub const OVERSCAN: usize = 12;

/// The row at the top edge of the viewport.
pub fn first_row(scroll_top: f64, row_height: f64) -> usize {
    (scroll_top / row_height).floor().max(0.0) as usize
}

/// The indices of the rows to render, in order: those in a viewport of `height` whose top row is `first`, plus
/// [`OVERSCAN`] rows each side, within `len` rows; and `keep` (the row that holds the tree's tab stop) wherever it
/// is, so that focus is never lost to scrolling. `keep` goes at the end it lies beyond, so that the DOM order stays
/// the visual order.
pub fn rendered_rows(first: usize, height: f64, row_height: f64, len: usize, keep: Option<usize>) -> Vec<usize> {
    let count = (height / row_height).ceil().max(0.0) as usize;
    let start = first.saturating_sub(OVERSCAN).min(len);
    let end = first.saturating_add(count).saturating_add(OVERSCAN).min(len);
    let mut rows: Vec<usize> = (start..end).collect();
    if let Some(keep) = keep.filter(|&k| k < len && !(start..end).contains(&k)) {
        let at = if keep < start { 0 } else { rows.len() };
        rows.insert(at, keep);
    }
    rows
}

/// The scroll position that shows row `index` in the middle of a viewport of `height` scrolled to `scroll_top`,
/// or `None` when the whole row is already in view.
pub fn scroll_to_show(index: usize, row_height: f64, scroll_top: f64, height: f64) -> Option<f64> {
    let top = index as f64 * row_height;
    let in_view = top >= scroll_top && top + row_height <= scroll_top + height;
    (!in_view).then(|| (top - height / 2.0).max(0.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROW: f64 = 28.0;

    #[test]
    fn the_first_row_is_the_one_under_the_top_edge() {
        assert_eq!(first_row(0.0, ROW), 0);
        assert_eq!(first_row(27.9, ROW), 0);
        assert_eq!(first_row(28.0, ROW), 1);
        assert_eq!(first_row(10.0 * ROW + 5.0, ROW), 10);
        // Overscrolled (elastic scrolling reports negative offsets).
        assert_eq!(first_row(-40.0, ROW), 0);
    }

    #[test]
    fn the_window_is_the_viewport_plus_overscan_within_the_rows() {
        // 280 px shows 10 rows.
        assert_eq!(rendered_rows(0, 280.0, ROW, 1000, None), (0..10 + OVERSCAN).collect::<Vec<_>>());
        assert_eq!(rendered_rows(100, 280.0, ROW, 1000, None), (100 - OVERSCAN..110 + OVERSCAN).collect::<Vec<_>>());
        // A partly shown row counts.
        assert_eq!(rendered_rows(0, 290.0, ROW, 1000, None).len(), 11 + OVERSCAN);
        // Near the end, and fewer rows than the viewport.
        assert_eq!(rendered_rows(995, 280.0, ROW, 1000, None), (995 - OVERSCAN..1000).collect::<Vec<_>>());
        assert_eq!(rendered_rows(0, 280.0, ROW, 3, None), vec![0, 1, 2]);
        assert!(rendered_rows(0, 280.0, ROW, 0, None).is_empty());
        // A first row past the end (the rows shrank under a filter) renders nothing rather than panicking.
        assert!(rendered_rows(500, 280.0, ROW, 10, None).is_empty());
    }

    #[test]
    fn the_tab_stop_row_stays_rendered_in_visual_order() {
        let window = rendered_rows(100, 280.0, ROW, 1000, Some(3));
        assert_eq!(window.first(), Some(&3), "kept before the window it precedes");
        assert_eq!(&window[1..], &(88..122).collect::<Vec<_>>()[..]);
        let window = rendered_rows(100, 280.0, ROW, 1000, Some(700));
        assert_eq!(window.last(), Some(&700), "kept after the window it follows");
        assert_eq!(window.len(), 35);
        // Already inside, or not a row: nothing added.
        assert_eq!(rendered_rows(100, 280.0, ROW, 1000, Some(105)).len(), 34);
        assert_eq!(rendered_rows(100, 280.0, ROW, 1000, Some(1000)).len(), 34);
        let window = rendered_rows(100, 280.0, ROW, 1000, Some(3));
        assert!(window.windows(2).all(|pair| pair[0] < pair[1]), "DOM order is visual order");
    }

    #[test]
    fn scrolling_to_a_row_centres_it_only_when_it_is_not_wholly_in_view() {
        // Rows 10..20 in view.
        let (top, height) = (10.0 * ROW, 10.0 * ROW);
        assert_eq!(scroll_to_show(10, ROW, top, height), None);
        assert_eq!(scroll_to_show(19, ROW, top, height), None);
        assert_eq!(scroll_to_show(20, ROW, top, height), Some(20.0 * ROW - 5.0 * ROW));
        assert_eq!(scroll_to_show(9, ROW, top, height), Some(9.0 * ROW - 5.0 * ROW));
        // Half shown is not shown: scrolled 14 px further, row 20 shows its top half.
        assert_eq!(scroll_to_show(20, ROW, top + 14.0, height), Some(20.0 * ROW - 5.0 * ROW));
        assert_eq!(scroll_to_show(19, ROW, top + 14.0, height), None);
        // Near the top the position is not negative.
        assert_eq!(scroll_to_show(1, ROW, 500.0, height), Some(0.0));
    }
}
