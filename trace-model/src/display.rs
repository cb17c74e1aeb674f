//! Values as a viewer shows them: durations, byte sizes, counts and kind labels.

use crate::wire::{Span, SpanKind};

/// "12.3 ms", "1.20 s", "2 min 05 s".
pub fn duration_ms(ms: f64) -> String {
    let ms = ms.max(0.0);
    if ms < 1000.0 {
        format!("{ms:.1} ms")
    } else if ms < 60_000.0 {
        format!("{:.2} s", ms / 1000.0)
    } else {
        let seconds = (ms / 1000.0).round() as u64;
        format!("{} min {:02} s", seconds / 60, seconds % 60)
    }
}

/// A span's duration as sent, else measured; "running" for a span without an end.
pub fn span_duration(span: &Span) -> String {
    if span.end_time.is_none() {
        return "running".to_owned();
    }
    match span.duration_ms.or_else(|| span.measured_duration_ms()) {
        Some(ms) => duration_ms(ms),
        None => "—".to_owned(),
    }
}

/// The badge text of a kind: model calls read "AI".
pub fn kind_label(kind: SpanKind) -> &'static str {
    match kind {
        SpanKind::Llm => "AI",
        SpanKind::Http => "HTTP",
        other => other.as_str(),
    }
}

/// "512 B", "1.5 KB", "2.0 MB".
pub fn bytes(size: u64) -> String {
    match size {
        0..1024 => format!("{size} B"),
        1024..1_048_576 => format!("{:.1} KB", size as f64 / 1024.0),
        _ => format!("{:.1} MB", size as f64 / 1_048_576.0),
    }
}

/// A count with thousands separators: 100000 → "100,000".
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A count short enough for a badge: "950", "1.2k", "45k", "1.3M".
pub fn compact_count(n: u64) -> String {
    match n {
        0..1000 => n.to_string(),
        1000..10_000 => format!("{:.1}k", n as f64 / 1000.0),
        10_000..1_000_000 => format!("{}k", n / 1000),
        _ => format!("{:.1}M", n as f64 / 1_000_000.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::tests::span;
    use chrono::Duration;

    #[test]
    fn durations_pick_a_unit() {
        assert_eq!(duration_ms(12.34), "12.3 ms");
        assert_eq!(duration_ms(-1.0), "0.0 ms");
        assert_eq!(duration_ms(1200.0), "1.20 s");
        assert_eq!(duration_ms(125_000.0), "2 min 05 s");
        let mut s = span("a", None, 0);
        assert_eq!(span_duration(&s), "running");
        s.end_time = Some(s.start_time + Duration::milliseconds(5));
        assert_eq!(span_duration(&s), "5.0 ms");
        s.duration_ms = Some(7.0);
        assert_eq!(span_duration(&s), "7.0 ms", "the producer's duration wins");
    }

    #[test]
    fn sizes_counts_and_labels() {
        assert_eq!(bytes(512), "512 B");
        assert_eq!(bytes(1536), "1.5 KB");
        assert_eq!(bytes(2 * 1_048_576), "2.0 MB");
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1000), "1,000");
        assert_eq!(count(100_000), "100,000");
        assert_eq!(count(1_234_567), "1,234,567");
        assert_eq!(kind_label(SpanKind::Llm), "AI");
        assert_eq!(kind_label(SpanKind::Http), "HTTP");
        assert_eq!(kind_label(SpanKind::Storage), "storage");
    }

    #[test]
    fn compact_counts_fit_a_badge() {
        let shown: Vec<String> = [0, 950, 1234, 45_678, 999_999, 1_260_000].into_iter().map(compact_count).collect();
        assert_eq!(shown, ["0", "950", "1.2k", "45k", "999k", "1.3M"]);
    }
}
