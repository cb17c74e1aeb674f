//! Values as the panes show them.

use serde_json::Value;
use trace_model::Span;

/// "12.3 ms", "1.20 s", "2 min 05 s"; "running" for a span without an end.
pub fn span_duration(span: &Span) -> String {
    if span.end_time.is_none() {
        return "running".to_owned();
    }
    match span.duration_ms.or_else(|| span.measured_duration_ms()) {
        Some(ms) => duration_ms(ms),
        None => "—".to_owned(),
    }
}

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

/// Strings as they are, everything else as pretty-printed JSON.
pub fn json_value(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => serde_json::to_string_pretty(other).unwrap_or_else(|_| other.to_string()),
    }
}
