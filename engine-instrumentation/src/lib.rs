//! Tracing for workflow runs. An engine reports its lifecycle through the [`ExecutionObserver`] hooks; wrapped by
//! a [`TracingPipeline`] ([`Traced`]), its runs become OpenTelemetry spans that are redacted once and exported to
//! the trace store (a [`SpanSink`]) and, as configured, to an OTLP collector or the console. The reference engine
//! that the demo and the tests run is the `reference-engine` crate.
//!
//! - [`hooks`]: the hooks any engine calls while it runs a workflow, and what they carry.
//! - [`calls`]: the external interactions (model, HTTP, storage) an engine reports.
//! - [`layer`]: the [`WorkflowEngine`] trait, the [`Traced`] wrapper and run requests.
//! - [`cancel`]: the token that cancels a run.
//! - [`tracer`]: the [`WorkflowTracer`], which turns the hooks into spans.
//! - [`state`]: a node's input and output state, bounded before it goes on the span.
//! - [`attrs`]: the attribute names the tracer writes (docs/architecture.md, "Conventions").
//! - `genai`: a model call's text as the tracer copies it, expanded into GenAI attributes by the export stage.
//! - [`config`]: [`TracingConfig`] from `ORCHEO_TRACING_*`.
//! - [`pipeline`]: the provider and exporters built from a configuration.
//! - [`sampler`]: what leaves for the collector (everything is recorded).
//! - [`redact`]: redaction of secrets and preview truncation, for our spans and received ones.
//! - [`budget`]: the per-execution payload budget.
//! - [`export`]: the export stage, the exporter queues, the persistence, OTLP and console exporters.
//! - [`span_record`]: a finished OpenTelemetry span as a [`SpanRecord`] (the wire span with its ids).
//! - [`memory_sink`]: a [`SpanSink`] that keeps spans in memory.
//! - `test_support` (unit tests only): finished spans built by hand.

pub mod attrs;
pub mod budget;
pub mod calls;
pub mod cancel;
pub mod config;
pub mod export;
mod genai;
pub mod hooks;
pub mod layer;
pub mod memory_sink;
pub mod pipeline;
pub mod redact;
pub mod sampler;
pub mod span_record;
pub mod state;
pub mod tracer;

#[cfg(test)]
mod test_support;

pub use cancel::CancelToken;
pub use config::{ConfigError, TracingConfig};
pub use export::stats::StatsSnapshot;
pub use export::{SinkError, SpanSink};
pub use hooks::{ExecutionObserver, NoopObserver, RunOutcome, Trigger};
pub use layer::{RunRequest, Traced, WorkflowEngine};
pub use memory_sink::MemorySink;
pub use pipeline::{PipelineError, TracingPipeline, TracingPipelineBuilder};
pub use trace_model::SpanRecord;
pub use tracer::WorkflowTracer;
