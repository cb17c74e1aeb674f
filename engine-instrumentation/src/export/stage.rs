//! The export stage: the tracer provider's only span processor. `on_end` only enqueues (the engine's thread never
//! waits); the stage's thread expands model-call spans into their GenAI attributes, redacts each span, applies the
//! payload budget, and hands the same redacted span to every exporter queue — the persistence exporter always, OTLP
//! and console only for sampled spans.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use opentelemetry::Context;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{Span, SpanData, SpanProcessor};

use super::queue::{BatchSettings, Consumer, Queue};
use super::stats::ExportStats;
use crate::budget::PayloadBudget;
use crate::redact::Redactor;
use crate::redact::span::SpanRedactor;

/// A downstream exporter queue, whether it takes every span or only sampled ones, and whether it also takes
/// copies of spans as they start (the trace store does, so that a running execution shows its open spans).
#[derive(Debug)]
pub(crate) struct Output {
    pub queue: Queue,
    pub sampled_only: bool,
    pub takes_open: bool,
}

struct Redact {
    redactor: SpanRedactor,
    budget: PayloadBudget,
    outputs: Arc<[Output]>,
    stats: Arc<ExportStats>,
}

impl Consumer for Redact {
    fn consume(&mut self, batch: Vec<SpanData>) {
        for mut span in batch {
            // Expanded first: what the expansion writes is redacted, budgeted and exported like any attribute.
            crate::genai::expand(&mut span);
            self.redactor.redact_span(&mut span);
            let open = is_open(&span);
            // An open copy carries only the attributes set at start; its ended span is what the budget counts.
            if !open {
                let cut = self.budget.apply(&mut span);
                if cut.values > 0 {
                    self.stats.truncated(cut.values);
                }
            }
            let sampled = span.span_context.is_sampled();
            let targets: Vec<&Output> =
                self.outputs.iter().filter(|o| if open { o.takes_open } else { sampled || !o.sampled_only }).collect();
            if let Some((last, rest)) = targets.split_last() {
                for output in rest {
                    output.queue.push(span.clone());
                }
                last.queue.push(span);
            }
        }
    }

    fn flush(&mut self) -> OTelSdkResult {
        // Every output is flushed even if one fails; the first failure is reported.
        self.outputs.iter().map(|o| o.queue.flush()).fold(Ok(()), Result::and)
    }

    fn shutdown(&mut self) -> OTelSdkResult {
        self.outputs.iter().map(|o| o.queue.shutdown()).fold(Ok(()), Result::and)
    }
}

/// An open span travels as a copy whose end time is the Unix epoch: no ended span can have it.
pub(crate) const OPEN_END: SystemTime = SystemTime::UNIX_EPOCH;

pub(crate) fn is_open(span: &SpanData) -> bool {
    span.end_time == OPEN_END
}

#[derive(Debug)]
pub(crate) struct ExportStage {
    intake: Queue,
    /// Whether any output takes open copies; when none does, starting a span costs nothing here.
    open_copies: bool,
}

impl ExportStage {
    pub fn start(
        redactor: Redactor,
        budget: usize,
        outputs: Vec<Output>,
        settings: BatchSettings,
        stats: Arc<ExportStats>,
    ) -> std::io::Result<Self> {
        let intake_stats = Arc::clone(&stats.intake);
        let open_copies = outputs.iter().any(|o| o.takes_open);
        let consumer = Redact {
            redactor: SpanRedactor::new(redactor),
            budget: PayloadBudget::new(budget),
            outputs: outputs.into(),
            stats: Arc::clone(&stats),
        };
        Ok(Self { intake: Queue::start("redact", settings, intake_stats, consumer)?, open_copies })
    }
}

impl SpanProcessor for ExportStage {
    fn on_start(&self, span: &mut Span, _cx: &Context) {
        if !self.open_copies {
            return;
        }
        if let Some(mut data) = span.exported_data() {
            data.end_time = OPEN_END;
            self.intake.push(data);
        }
    }

    fn on_end(&self, span: SpanData) {
        self.intake.push(span);
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.intake.flush()
    }

    fn shutdown_with_timeout(&self, _timeout: Duration) -> OTelSdkResult {
        self.intake.shutdown()
    }
}
