//! Export counters — spans exported, failed and dropped per exporter, spans cut by the payload budget — kept as
//! atomics on the export threads and reported as OpenTelemetry observable counters.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use opentelemetry::KeyValue;
use opentelemetry::metrics::{Meter, ObservableCounter};

#[derive(Debug, Default)]
pub struct DestinationStats {
    exported: AtomicU64,
    failed: AtomicU64,
    dropped: AtomicU64,
}

impl DestinationStats {
    pub(crate) fn exported(&self, n: usize) {
        self.exported.fetch_add(n as u64, Ordering::Relaxed);
    }
    pub(crate) fn failed(&self, n: usize) {
        self.failed.fetch_add(n as u64, Ordering::Relaxed);
    }
    pub(crate) fn dropped(&self, n: usize) {
        self.dropped.fetch_add(n as u64, Ordering::Relaxed);
    }
    pub(crate) fn snapshot(&self) -> DestinationSnapshot {
        DestinationSnapshot {
            exported: self.exported.load(Ordering::Relaxed),
            failed: self.failed.load(Ordering::Relaxed),
            dropped: self.dropped.load(Ordering::Relaxed),
        }
    }
}

/// Counters of one pipeline. `intake` counts spans dropped before redaction (the intake queue was full).
#[derive(Debug, Default)]
pub struct ExportStats {
    pub(crate) intake: Arc<DestinationStats>,
    pub(crate) persistence: Arc<DestinationStats>,
    pub(crate) otlp: Arc<DestinationStats>,
    pub(crate) console: Arc<DestinationStats>,
    truncated_spans: AtomicU64,
    truncated_values: AtomicU64,
}

impl ExportStats {
    pub(crate) fn truncated(&self, values: usize) {
        self.truncated_spans.fetch_add(1, Ordering::Relaxed);
        self.truncated_values.fetch_add(values as u64, Ordering::Relaxed);
    }

    pub fn snapshot(&self) -> StatsSnapshot {
        StatsSnapshot {
            intake_dropped: self.intake.dropped.load(Ordering::Relaxed),
            persistence: self.persistence.snapshot(),
            otlp: self.otlp.snapshot(),
            console: self.console.snapshot(),
            truncated_spans: self.truncated_spans.load(Ordering::Relaxed),
            truncated_values: self.truncated_values.load(Ordering::Relaxed),
        }
    }

    /// Registers the counters with `meter`; they are read when the meter's reader collects. Keep the returned
    /// instruments alive as long as the pipeline.
    pub(crate) fn register(self: &Arc<Self>, meter: &Meter) -> Vec<ObservableCounter<u64>> {
        type Read = fn(&StatsSnapshot) -> Vec<(&'static str, u64)>;
        let counters: [(&'static str, &'static str, Read); 4] = [
            ("orcheo.tracing.spans.exported", "Spans an exporter accepted", |s| {
                vec![
                    ("persistence", s.persistence.exported),
                    ("otlp", s.otlp.exported),
                    ("console", s.console.exported),
                ]
            }),
            ("orcheo.tracing.spans.failed", "Spans an exporter failed to send after its retries", |s| {
                vec![("persistence", s.persistence.failed), ("otlp", s.otlp.failed), ("console", s.console.failed)]
            }),
            ("orcheo.tracing.spans.dropped", "Spans dropped because a bounded queue was full", |s| {
                vec![
                    ("intake", s.intake_dropped),
                    ("persistence", s.persistence.dropped),
                    ("otlp", s.otlp.dropped),
                    ("console", s.console.dropped),
                ]
            }),
            ("orcheo.tracing.spans.truncated", "Spans whose values the payload budget cut", |s| {
                vec![("budget", s.truncated_spans)]
            }),
        ];
        counters
            .into_iter()
            .map(|(name, description, read)| {
                let stats = Arc::clone(self);
                meter
                    .u64_observable_counter(name)
                    .with_description(description)
                    .with_unit("{span}")
                    .with_callback(move |observer| {
                        for (exporter, value) in read(&stats.snapshot()) {
                            observer.observe(value, &[KeyValue::new("exporter", exporter)]);
                        }
                    })
                    .build()
            })
            .collect()
    }
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct DestinationSnapshot {
    pub exported: u64,
    pub failed: u64,
    pub dropped: u64,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct StatsSnapshot {
    pub intake_dropped: u64,
    pub persistence: DestinationSnapshot,
    pub otlp: DestinationSnapshot,
    pub console: DestinationSnapshot,
    pub truncated_spans: u64,
    pub truncated_values: u64,
}
