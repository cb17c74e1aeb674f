//! The export stage: the tracer provider's only span processor. `on_end` only enqueues (the engine's thread never
//! waits); the stage's thread expands model-call spans into their GenAI attributes, redacts each span, applies the
//! payload budget, and hands the same redacted span to every exporter queue — the persistence exporter always, OTLP
//! and console only for sampled spans.
//!
//! A model call reaches the stage beside its span, typed: the request in the [`Context`] the span starts with
//! (which `on_start` receives), the whole call through [`end_model_call`]. The SDK calls `on_end` synchronously on
//! the thread that ends the span, so a per-thread slot, filled just before the end and emptied just after, carries
//! the call to `on_end`, which queues it with the span as one item: nothing to join later, no lock, and nothing
//! left behind when a span is dropped.

use std::cell::Cell;
use std::sync::Arc;
use std::time::Duration;

use opentelemetry::Context;
use opentelemetry::trace::{Span as _, SpanId};
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{Span, SpanData, SpanProcessor};

use super::queue::{BatchSettings, Consumer, Queue};
use super::stats::ExportStats;
use crate::budget::PayloadBudget;
use crate::genai::{ModelCall, ModelRequest};
use crate::redact::Redactor;
use crate::redact::span::SpanRedactor;

thread_local! {
    /// The model call of the span this thread is ending, between [`end_model_call`] and the stage's `on_end`.
    static ENDING: Cell<Option<(SpanId, ModelCall)>> = const { Cell::new(None) };
}

/// Ends a model call's span, with the call for the stage to expand.
pub(crate) fn end_model_call(mut span: Span, call: ModelCall) {
    ENDING.set(Some((span.span_context().span_id(), call)));
    span.end();
    // Emptied whether or not `on_end` ran (it does not once the provider is shut down).
    ENDING.take();
}

/// The call [`end_model_call`] left for this span, if any.
fn ending_call(span: &SpanData) -> Option<ModelCall> {
    ENDING.take().and_then(|(id, call)| (id == span.span_context.span_id()).then_some(call))
}

/// What a model call's span carries in the [`Context`] it starts with, for its open copy.
#[derive(Debug, Clone)]
pub(crate) struct StartingModelCall(pub ModelRequest);

/// A span on its way through the stage: a copy taken as it started (the store shows a running execution's open
/// spans), or the span as it ended.
#[derive(Debug, Clone)]
pub(crate) enum StagedSpan {
    Open(SpanData),
    Ended(SpanData),
}

impl StagedSpan {
    fn data_mut(&mut self) -> &mut SpanData {
        match self {
            Self::Open(data) | Self::Ended(data) => data,
        }
    }
}

/// What the stage's queue carries: a span and, for a model call, what the tracer recorded of the call.
#[derive(Debug)]
pub(crate) struct Staged {
    span: StagedSpan,
    call: Option<ModelCall>,
}

/// A downstream exporter queue.
#[derive(Debug)]
pub(crate) enum Output {
    /// The trace store: every ended span, sampled or not, and the open copies too when `takes_open`.
    Store { queue: Queue<StagedSpan>, takes_open: bool },
    /// An exporter (OTLP, console): ended, sampled spans only.
    Exporter(Queue<SpanData>),
}

impl Output {
    fn flush(&self) -> OTelSdkResult {
        match self {
            Self::Store { queue, .. } => queue.flush(),
            Self::Exporter(queue) => queue.flush(),
        }
    }

    fn shutdown(&self) -> OTelSdkResult {
        match self {
            Self::Store { queue, .. } => queue.shutdown(),
            Self::Exporter(queue) => queue.shutdown(),
        }
    }
}

struct Redact {
    redactor: SpanRedactor,
    budget: PayloadBudget,
    outputs: Arc<[Output]>,
    stats: Arc<ExportStats>,
}

impl Consumer<Staged> for Redact {
    fn consume(&mut self, batch: Vec<Staged>) {
        for Staged { span: mut staged, call } in batch {
            let span = staged.data_mut();
            // Expanded first: what the expansion writes is redacted, budgeted and exported like any attribute.
            if let Some(call) = &call {
                crate::genai::expand(span, call);
            }
            self.redactor.redact_span(span);
            match staged {
                StagedSpan::Open(_) => {
                    // An open copy carries only the attributes set at start; its ended span is what the budget counts.
                    let mut stores = self.outputs.iter().filter_map(|o| match o {
                        Output::Store { queue, takes_open: true } => Some(queue),
                        _ => None,
                    });
                    if let Some(queue) = stores.next() {
                        queue.push(staged);
                    }
                }
                StagedSpan::Ended(mut span) => {
                    let cut = self.budget.apply(&mut span);
                    if cut.values > 0 {
                        self.stats.truncated(cut.values);
                    }
                    let sampled = span.span_context.is_sampled();
                    let targets: Vec<&Output> =
                        self.outputs.iter().filter(|o| matches!(o, Output::Store { .. }) || sampled).collect();
                    if let Some((last, rest)) = targets.split_last() {
                        for output in rest {
                            push(output, span.clone());
                        }
                        push(last, span);
                    }
                }
            }
        }
    }

    fn flush(&mut self) -> OTelSdkResult {
        // Every output is flushed even if one fails; the first failure is reported.
        self.outputs.iter().map(Output::flush).fold(Ok(()), Result::and)
    }

    fn shutdown(&mut self) -> OTelSdkResult {
        self.outputs.iter().map(Output::shutdown).fold(Ok(()), Result::and)
    }
}

fn push(output: &Output, span: SpanData) {
    match output {
        Output::Store { queue, .. } => queue.push(StagedSpan::Ended(span)),
        Output::Exporter(queue) => queue.push(span),
    }
}

#[derive(Debug)]
pub(crate) struct ExportStage {
    intake: Queue<Staged>,
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
        let open_copies = outputs.iter().any(|o| matches!(o, Output::Store { takes_open: true, .. }));
        let consumer = Redact {
            redactor: SpanRedactor::new(redactor),
            budget: PayloadBudget::new(budget),
            outputs: outputs.into(),
            stats: Arc::clone(&stats),
        };
        Ok(Self { intake: Queue::start("redact", settings, intake_stats, consumer)?, open_copies })
    }

    /// Whether spans are copied when they start: the tracer then gives a model call's request to its open copy.
    pub fn takes_open_copies(&self) -> bool {
        self.open_copies
    }
}

impl SpanProcessor for ExportStage {
    fn on_start(&self, span: &mut Span, cx: &Context) {
        if !self.open_copies {
            return;
        }
        if let Some(data) = span.exported_data() {
            let call = cx.get::<StartingModelCall>().map(|s| ModelCall { request: s.0.clone(), response: None });
            self.intake.push(Staged { span: StagedSpan::Open(data), call });
        }
    }

    fn on_end(&self, span: SpanData) {
        let call = ending_call(&span);
        self.intake.push(Staged { span: StagedSpan::Ended(span), call });
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.intake.flush()
    }

    fn shutdown_with_timeout(&self, _timeout: Duration) -> OTelSdkResult {
        self.intake.shutdown()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use opentelemetry::trace::{SpanContext, TraceFlags, TraceState};

    use super::*;
    use crate::export::stats::DestinationStats;
    use crate::test_support::span_data;

    /// Keeps what it is handed, for the test to read.
    struct Keep<T>(Arc<Mutex<Vec<T>>>);

    impl<T: Send + 'static> Consumer<T> for Keep<T> {
        fn consume(&mut self, batch: Vec<T>) {
            if let Ok(mut kept) = self.0.lock() {
                kept.extend(batch);
            }
        }
    }

    fn queue<T: Send + 'static>(kept: &Arc<Mutex<Vec<T>>>) -> Queue<T> {
        let stats = Arc::new(DestinationStats::default());
        Queue::start("test", BatchSettings::default(), stats, Keep(Arc::clone(kept))).unwrap()
    }

    fn unsampled(mut span: SpanData) -> SpanData {
        let context = &span.span_context;
        span.span_context = SpanContext::new(
            context.trace_id(),
            context.span_id(),
            TraceFlags::default(),
            false,
            TraceState::default(),
        );
        span
    }

    /// Where each kind of span goes: open copies only to a store that takes them, ended spans to every store,
    /// and to exporters only when sampled.
    #[test]
    fn open_copies_reach_only_the_store_and_unsampled_spans_no_exporter() {
        let (open_store, plain_store, exporter) = (Arc::default(), Arc::default(), Arc::default());
        let outputs = vec![
            Output::Store { queue: queue(&open_store), takes_open: true },
            Output::Store { queue: queue(&plain_store), takes_open: false },
            Output::Exporter(queue(&exporter)),
        ];
        let stats = Arc::new(ExportStats::default());
        let stage = ExportStage::start(Redactor::default(), 1 << 20, outputs, BatchSettings::default(), stats).unwrap();
        assert!(stage.open_copies);

        stage.intake.push(Staged { span: StagedSpan::Open(span_data(1, vec![])), call: None });
        stage.on_end(span_data(2, vec![]));
        stage.on_end(unsampled(span_data(3, vec![])));
        stage.force_flush().unwrap();

        let ids = |spans: &[StagedSpan]| -> Vec<(bool, u64)> {
            spans
                .iter()
                .map(|s| match s {
                    StagedSpan::Open(d) => (true, u64::from_be_bytes(d.span_context.span_id().to_bytes())),
                    StagedSpan::Ended(d) => (false, u64::from_be_bytes(d.span_context.span_id().to_bytes())),
                })
                .collect()
        };
        assert_eq!(ids(&open_store.lock().unwrap()), [(true, 101), (false, 102), (false, 103)]);
        assert_eq!(ids(&plain_store.lock().unwrap()), [(false, 102), (false, 103)]);
        let exported: Vec<u64> = exporter
            .lock()
            .unwrap()
            .iter()
            .map(|d: &SpanData| u64::from_be_bytes(d.span_context.span_id().to_bytes()))
            .collect();
        assert_eq!(exported, [102]);
        stage.shutdown_with_timeout(Duration::from_secs(5)).unwrap();
    }

    fn call(prompt: &str, answer: Option<&str>) -> ModelCall {
        use crate::calls::{LlmRequest, LlmResponse, Message};
        let request = LlmRequest {
            operation: "chat".to_owned(),
            provider: "p".to_owned(),
            model: "m".to_owned(),
            messages: vec![Message::new("user", prompt)],
        };
        let response = answer.map(|answer| LlmResponse {
            id: "r".to_owned(),
            model: "m".to_owned(),
            message: Message::new("assistant", answer),
            finish_reason: "stop".to_owned(),
            input_tokens: 1,
            output_tokens: 1,
        });
        ModelCall {
            request: ModelRequest::new(&request, true),
            response: response.as_ref().map(|r| crate::genai::ModelResponse::new(r, true)),
        }
    }

    /// A provider whose only processor is a stage feeding one store, and what that store keeps.
    fn provider_with_store(
        takes_open: bool,
    ) -> (opentelemetry_sdk::trace::SdkTracerProvider, Arc<Mutex<Vec<StagedSpan>>>) {
        let kept: Arc<Mutex<Vec<StagedSpan>>> = Arc::default();
        let outputs = vec![Output::Store { queue: queue(&kept), takes_open }];
        let stats = Arc::new(ExportStats::default());
        let stage = ExportStage::start(Redactor::default(), 1 << 20, outputs, BatchSettings::default(), stats).unwrap();
        (opentelemetry_sdk::trace::SdkTracerProvider::builder().with_span_processor(stage).build(), kept)
    }

    fn attribute(data: &SpanData, key: &str) -> Option<String> {
        data.attributes.iter().find(|kv| kv.key.as_str() == key).map(|kv| kv.value.as_str().into_owned())
    }

    /// Through a real provider: the request reaches the open copy from the start context, the whole call reaches
    /// the ended span through `end_model_call`; a span ended plainly gets nothing; the slot is left empty.
    #[test]
    fn a_model_call_travels_with_its_span() {
        use opentelemetry::trace::{Tracer as _, TracerProvider as _};

        let (provider, kept) = provider_with_store(true);
        let tracer = provider.tracer("test");

        let with_request = Context::new().with_value(StartingModelCall(call("question", None).request));
        let model_span = tracer.start_with_context("chat m", &with_request);
        end_model_call(model_span, call("question", Some("answer")));
        assert!(ENDING.take().is_none());
        let mut plain = tracer.start("plain");
        plain.end();
        provider.force_flush().unwrap();

        let kept = kept.lock().unwrap();
        let [StagedSpan::Open(open), StagedSpan::Ended(ended), StagedSpan::Open(plain_open), StagedSpan::Ended(plain)] =
            &kept[..]
        else {
            panic!("the model span and the plain span, each open then ended, expected: {kept:?}")
        };
        assert_eq!(attribute(open, crate::attrs::GEN_AI_REQUEST_MODEL).as_deref(), Some("m"));
        assert_eq!(attribute(open, crate::attrs::PROMPT_PREVIEW).as_deref(), Some("question"));
        assert_eq!(attribute(open, crate::attrs::RESPONSE_PREVIEW), None);
        assert_eq!(attribute(ended, crate::attrs::PROMPT_PREVIEW).as_deref(), Some("question"));
        assert_eq!(attribute(ended, crate::attrs::RESPONSE_PREVIEW).as_deref(), Some("answer"));
        assert!(plain_open.attributes.is_empty() && plain.attributes.is_empty(), "{:?}", plain.attributes);
        drop(kept);
        provider.shutdown().unwrap();
    }

    /// A call is only ever given to the span it was left for, and taking it empties the slot.
    #[test]
    fn a_call_left_for_another_span_is_not_attached() {
        ENDING.set(Some((SpanId::from(999u64), call("q", Some("a")))));
        assert!(ending_call(&span_data(1, vec![])).is_none());
        assert!(ENDING.take().is_none());
        ENDING.set(Some((SpanId::from(101u64), call("q", Some("a")))));
        assert!(ending_call(&span_data(1, vec![])).is_some());
    }

    /// Once the provider is shut down the SDK calls no `on_end`; the call does not stay behind on the thread.
    #[test]
    fn after_shutdown_nothing_stays_on_the_thread() {
        use opentelemetry::trace::{Tracer as _, TracerProvider as _};

        let (provider, kept) = provider_with_store(false);
        let span = provider.tracer("test").start("chat m");
        provider.shutdown().unwrap();
        end_model_call(span, call("q", Some("a")));
        assert!(ENDING.take().is_none());
        assert!(kept.lock().unwrap().is_empty());
    }

    /// An open copy's record has no end time, whatever the SDK put in the copy; an ended span's has its own.
    #[test]
    fn an_open_span_is_recorded_without_an_end_time() {
        let data = span_data(1, vec![]);
        assert_eq!(crate::span_record::from_open_span(&data).span.end_time, None);
        let ended = crate::span_record::from_span_data(&data).span.end_time;
        assert_eq!(ended.map(std::time::SystemTime::from), Some(data.end_time));
    }
}
