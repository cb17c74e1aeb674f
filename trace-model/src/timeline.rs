//! The trace's time axis and where each span's bar sits on it.

use chrono::{DateTime, Utc};

use crate::wire::Span;

/// From the earliest start to the latest end (or start, for spans still open) of a trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeAxis {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// A bar as fractions of the axis: `offset` from the left edge and `width`, both within 0..=1.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bar {
    pub offset: f64,
    pub width: f64,
}

impl TimeAxis {
    /// `None` for a trace without spans.
    pub fn of(spans: &[Span]) -> Option<Self> {
        let start = spans.iter().map(|s| s.start_time).min()?;
        let end = spans.iter().map(|s| s.end_time.unwrap_or(s.start_time).max(s.start_time)).max()?;
        Some(Self { start, end })
    }

    pub fn duration_ms(&self) -> f64 {
        micros(self.start, self.end) / 1000.0
    }

    /// The span's bar; an open span runs to the end of the axis. On a zero-length axis every bar fills it.
    pub fn bar(&self, span: &Span) -> Bar {
        let total = micros(self.start, self.end);
        if total <= 0.0 {
            return Bar { offset: 0.0, width: 1.0 };
        }
        let offset = (micros(self.start, span.start_time) / total).clamp(0.0, 1.0);
        let end = span.end_time.map_or(1.0, |end| (micros(self.start, end) / total).clamp(0.0, 1.0));
        Bar { offset, width: (end - offset).max(0.0) }
    }

    /// The bar of a stretch of time, such as a critical path segment.
    pub fn stretch(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> Bar {
        let total = micros(self.start, self.end);
        if total <= 0.0 {
            return Bar { offset: 0.0, width: 1.0 };
        }
        let offset = (micros(self.start, start) / total).clamp(0.0, 1.0);
        let end = (micros(self.start, end) / total).clamp(0.0, 1.0);
        Bar { offset, width: (end - offset).max(0.0) }
    }
}

fn micros(from: DateTime<Utc>, to: DateTime<Utc>) -> f64 {
    (to - from).num_microseconds().map_or(0.0, |us| us as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::tests::span;
    use chrono::Duration;

    fn ended(id: &str, start_ms: i64, len_ms: i64) -> Span {
        let mut s = span(id, None, start_ms);
        s.end_time = Some(s.start_time + Duration::milliseconds(len_ms));
        s
    }

    #[test]
    fn bars_are_fractions_of_the_whole_trace() {
        let spans = vec![ended("root", 0, 200), ended("a", 50, 50), span("open", None, 100)];
        let axis = TimeAxis::of(&spans).unwrap_or_else(|| panic!("spans present"));
        assert_eq!(axis.duration_ms(), 200.0);
        assert_eq!(axis.bar(&spans[0]), Bar { offset: 0.0, width: 1.0 });
        assert_eq!(axis.bar(&spans[1]), Bar { offset: 0.25, width: 0.25 });
        assert_eq!(axis.bar(&spans[2]), Bar { offset: 0.5, width: 0.5 }, "open spans run to the end");
        let (from, to) = (spans[1].start_time, spans[0].end_time.unwrap_or(spans[0].start_time));
        assert_eq!(axis.stretch(from, to), Bar { offset: 0.25, width: 0.75 });
        assert_eq!(axis.stretch(to, from), Bar { offset: 1.0, width: 0.0 }, "a reversed stretch is empty");
    }

    #[test]
    fn degenerate_axes_and_out_of_range_spans_stay_in_bounds() {
        assert_eq!(TimeAxis::of(&[]), None);
        let single = vec![span("only", None, 0)];
        let axis = TimeAxis::of(&single).unwrap_or_else(|| panic!("one span"));
        assert_eq!(axis.bar(&single[0]), Bar { offset: 0.0, width: 1.0 });
        let axis = TimeAxis::of(&[ended("root", 0, 100)]).unwrap_or_else(|| panic!("one span"));
        let later = ended("late", 150, 10);
        assert_eq!(axis.bar(&later), Bar { offset: 1.0, width: 0.0 });
        // An end before the start (clock skew) is treated as an instant.
        let mut skewed = ended("skew", 50, 0);
        skewed.end_time = Some(skewed.start_time - Duration::milliseconds(10));
        assert_eq!(axis.bar(&skewed).width, 0.0);
    }
}
