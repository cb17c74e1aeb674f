//! The splitter between the tree (the primary pane) and the details: the WAI-ARIA APG Window Splitter pattern as a
//! pure state machine. The position is the tree's share of the width, in percent (`aria-valuenow`); 0 is the tree
//! collapsed.

/// Narrowest and widest the tree may be while open, in percent of the panes' width.
pub const MIN_OPEN: f64 = 20.0;
pub const MAX_OPEN: f64 = 80.0;
/// Where the splitter starts: wide enough for a name, the duration and the bars side by side in a 1,024 px element
/// (docs/trace-view.md, "Layout").
pub const DEFAULT: f64 = 45.0;
/// How far one arrow key moves it.
pub const STEP: f64 = 5.0;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SplitKey {
    Left,
    Right,
    Home,
    End,
    Enter,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Split {
    /// The tree's width in percent; 0 while collapsed.
    pub value: f64,
    /// Where Enter restores a collapsed tree to.
    restore: f64,
}

impl Default for Split {
    fn default() -> Self {
        Self { value: DEFAULT, restore: DEFAULT }
    }
}

impl Split {
    /// A position read back (from storage, or a drag): anything unreadable or out of range is brought in range;
    /// 0 stays collapsed.
    pub fn at(value: f64) -> Self {
        if value == 0.0 {
            return Self { value: 0.0, restore: DEFAULT };
        }
        let value = if value.is_finite() { value.clamp(MIN_OPEN, MAX_OPEN) } else { DEFAULT };
        Self { value, restore: value }
    }

    pub fn is_collapsed(&self) -> bool {
        self.value == 0.0
    }

    /// What `key` does; `None` when it changes nothing (the browser may then use it).
    pub fn key(self, key: SplitKey) -> Option<Self> {
        let next = match key {
            // APG: Left Arrow moves a vertical splitter to the left; from collapsed there is no further left.
            SplitKey::Left if self.is_collapsed() => return None,
            SplitKey::Left => Self::at((self.value - STEP).max(MIN_OPEN)),
            // APG: Right Arrow moves it to the right; a collapsed tree opens at its narrowest.
            SplitKey::Right if self.is_collapsed() => Self::at(MIN_OPEN),
            SplitKey::Right => Self::at(self.value + STEP),
            // APG (optional): Home gives the primary pane its smallest allowed size, End its largest.
            SplitKey::Home => Self::at(MIN_OPEN),
            SplitKey::End => Self::at(MAX_OPEN),
            // APG: Enter collapses the primary pane, or restores the splitter to its previous position.
            SplitKey::Enter if self.is_collapsed() => Self::at(self.restore),
            SplitKey::Enter => Self { value: 0.0, restore: self.value },
        };
        (next != self).then_some(next)
    }

    /// The position for a pointer at `x` within panes `width` wide (both in CSS pixels).
    pub fn drag(self, x: f64, width: f64) -> Option<Self> {
        if !(width > 0.0 && x.is_finite()) {
            return None;
        }
        let next = Self::at((x / width * 100.0).clamp(MIN_OPEN, MAX_OPEN));
        (next != self).then_some(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(start: Split, keys: &[SplitKey]) -> Vec<f64> {
        let mut split = start;
        keys.iter()
            .map(|&k| {
                split = split.key(k).unwrap_or(split);
                split.value
            })
            .collect()
    }

    #[test]
    fn arrows_move_by_a_step_within_the_open_range() {
        use SplitKey::*;
        assert_eq!(keys(Split::default(), &[Left, Left, Right]), [40.0, 35.0, 40.0]);
        assert_eq!(Split::at(MIN_OPEN).key(Left), None, "already at the left edge");
        assert_eq!(Split::at(MAX_OPEN).key(Right), None, "already at the right edge");
        assert_eq!(keys(Split::at(22.0), &[Left]), [MIN_OPEN]);
    }

    #[test]
    fn home_and_end_go_to_the_smallest_and_largest_open_sizes() {
        assert_eq!(keys(Split::default(), &[SplitKey::Home, SplitKey::End]), [MIN_OPEN, MAX_OPEN]);
    }

    #[test]
    fn enter_collapses_and_restores_the_previous_position() {
        use SplitKey::*;
        assert_eq!(keys(Split::at(55.0), &[Enter, Enter]), [0.0, 55.0]);
        let collapsed = Split::at(55.0).key(Enter).unwrap_or_default();
        assert!(collapsed.is_collapsed());
        assert_eq!(collapsed.key(Left), None);
        assert_eq!(collapsed.key(Right).map(|s| s.value), Some(MIN_OPEN), "Right opens a collapsed tree");
    }

    #[test]
    fn stored_and_dragged_positions_are_brought_in_range() {
        assert_eq!(Split::at(5.0).value, MIN_OPEN);
        assert_eq!(Split::at(95.0).value, MAX_OPEN);
        assert_eq!(Split::at(f64::NAN).value, DEFAULT);
        assert!(Split::at(0.0).is_collapsed());
        assert_eq!(Split::default().drag(600.0, 1000.0).map(|s| s.value), Some(60.0));
        assert_eq!(Split::default().drag(10.0, 1000.0).map(|s| s.value), Some(MIN_OPEN));
        assert_eq!(Split::default().drag(400.0, 0.0), None);
        assert_eq!(Split::default().drag(450.0, 1000.0), None, "no move, no change");
    }
}
