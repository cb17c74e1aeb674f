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

/// A labelled mark on the time axis, `offset` a fraction of it.
#[derive(Clone, Debug, PartialEq)]
pub struct Tick {
    pub ms: f64,
    pub offset: f64,
    pub label: String,
}

/// A round step (1, 2 or 5 times a power of ten, in ms) that cuts `range_ms` into at most `max_ticks` intervals.
pub fn nice_step(range_ms: f64, max_ticks: usize) -> f64 {
    if !(range_ms.is_finite() && range_ms > 0.0) || max_ticks == 0 {
        return 0.0;
    }
    let raw = range_ms / max_ticks as f64;
    let magnitude = 10f64.powf(raw.log10().floor());
    let factor = match raw / magnitude {
        n if n <= 1.0 => 1.0,
        n if n <= 2.0 => 2.0,
        n if n <= 5.0 => 5.0,
        _ => 10.0,
    };
    factor * magnitude
}

/// Ticks from 0 to at most `range_ms`, at a [`nice_step`]: in ms under a second, in seconds above, with as many
/// decimals as the step needs ("0 s", "0.2 s", "0.4 s"). A zero-length axis gets the one tick at 0.
pub fn ticks(range_ms: f64, max_ticks: usize) -> Vec<Tick> {
    let step = nice_step(range_ms, max_ticks);
    if step <= 0.0 {
        return vec![Tick { ms: 0.0, offset: 0.0, label: "0 ms".to_owned() }];
    }
    let (unit, scale) = if range_ms >= 1000.0 { ("s", 1000.0) } else { ("ms", 1.0) };
    let decimals = (-(step / scale).log10().floor()).max(0.0) as usize;
    // Counted in steps, not summed, so that rounding cannot add or drop the last tick.
    let count = (range_ms / step + 1e-9).floor() as usize;
    (0..=count)
        .map(|i| {
            let ms = i as f64 * step;
            Tick { ms, offset: ms / range_ms, label: format!("{:.*} {unit}", decimals, ms / scale) }
        })
        .collect()
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
        let axis = TimeAxis::of(&spans).expect("spans present");
        assert_eq!(axis.duration_ms(), 200.0);
        assert_eq!(axis.bar(&spans[0]), Bar { offset: 0.0, width: 1.0 });
        assert_eq!(axis.bar(&spans[1]), Bar { offset: 0.25, width: 0.25 });
        assert_eq!(axis.bar(&spans[2]), Bar { offset: 0.5, width: 0.5 }, "open spans run to the end");
        let (from, to) = (spans[1].start_time, spans[0].end_time.unwrap_or(spans[0].start_time));
        assert_eq!(axis.stretch(from, to), Bar { offset: 0.25, width: 0.75 });
        assert_eq!(axis.stretch(to, from), Bar { offset: 1.0, width: 0.0 }, "a reversed stretch is empty");
    }

    fn labels(range_ms: f64, max: usize) -> Vec<String> {
        ticks(range_ms, max).into_iter().map(|t| t.label).collect()
    }

    #[test]
    fn steps_are_one_two_or_five_times_a_power_of_ten() {
        assert_eq!(nice_step(1300.0, 5), 500.0);
        assert_eq!(nice_step(1300.0, 8), 200.0);
        assert_eq!(nice_step(100.0, 10), 10.0);
        assert_eq!(nice_step(420.0, 6), 100.0);
        assert_eq!(nice_step(3.0, 6), 0.5);
        assert_eq!(nice_step(95_000.0, 5), 20_000.0);
        assert_eq!(nice_step(0.0, 5), 0.0);
        assert_eq!(nice_step(f64::NAN, 5), 0.0);
        assert_eq!(nice_step(100.0, 0), 0.0);
    }

    #[test]
    fn tick_labels_read_in_ms_or_s_with_the_decimals_the_step_needs() {
        assert_eq!(labels(1300.0, 8), ["0.0 s", "0.2 s", "0.4 s", "0.6 s", "0.8 s", "1.0 s", "1.2 s"]);
        assert_eq!(labels(1300.0, 3), ["0.0 s", "0.5 s", "1.0 s"]);
        assert_eq!(labels(420.0, 6), ["0 ms", "100 ms", "200 ms", "300 ms", "400 ms"]);
        assert_eq!(labels(3.0, 6), ["0.0 ms", "0.5 ms", "1.0 ms", "1.5 ms", "2.0 ms", "2.5 ms", "3.0 ms"]);
        assert_eq!(labels(9000.0, 5), ["0 s", "2 s", "4 s", "6 s", "8 s"]);
        assert_eq!(labels(0.0, 5), ["0 ms"]);
        let t = ticks(1000.0, 4);
        let last = t.last().map(|t| (t.ms, t.offset, t.label.as_str()));
        assert_eq!(last, Some((1000.0, 1.0, "1.0 s")), "a tick at the very end is kept");
        assert!(ticks(1300.0, 8).iter().all(|t| (0.0..=1.0).contains(&t.offset)));
    }

    #[test]
    fn degenerate_axes_and_out_of_range_spans_stay_in_bounds() {
        assert_eq!(TimeAxis::of(&[]), None);
        let single = vec![span("only", None, 0)];
        let axis = TimeAxis::of(&single).expect("one span");
        assert_eq!(axis.bar(&single[0]), Bar { offset: 0.0, width: 1.0 });
        let axis = TimeAxis::of(&[ended("root", 0, 100)]).expect("one span");
        let later = ended("late", 150, 10);
        assert_eq!(axis.bar(&later), Bar { offset: 1.0, width: 0.0 });
        // An end before the start (clock skew) is treated as an instant.
        let mut skewed = ended("skew", 50, 0);
        skewed.end_time = Some(skewed.start_time - Duration::milliseconds(10));
        assert_eq!(axis.bar(&skewed).width, 0.0);
    }
}
