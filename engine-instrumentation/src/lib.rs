//! Tracing for workflow runs. An engine reports its lifecycle through the [`ExecutionObserver`] hooks; wrapped by
//! a [`TracingPipeline`] ([`Traced`]), its runs become OpenTelemetry spans that are redacted once and exported to
//! the trace store (a [`SpanSink`]) and, as configured, to an OTLP collector or the console.
//!
//! - [`hooks`], [`calls`]: the hooks any engine calls, and the external interactions it reports.
//! - [`layer`], [`cancel`]: the [`WorkflowEngine`] trait, the [`Traced`] wrapper, run requests and cancellation.
//! - [`reference`], [`model`], [`samples`]: a small reference engine, its deterministic local model (real BPE token
//!   counts), and sample workflows for demos, tests and load tests.
//! - [`tracer`], [`attrs`]: the [`WorkflowTracer`] and the attribute names it writes (ARCHITECTURE §3); model
//!   calls are recorded packed and expanded into GenAI attributes by the export stage (`genai`).
//! - [`config`], [`pipeline`], [`sampler`]: configuration from `ORCHEO_TRACING_*`, and the provider built from it.
//! - [`redact`], [`budget`]: redaction, preview truncation and the per-execution payload budget.
//! - [`export`], [`span_record`], [`memory_sink`]: export queues and exporters, the wire conversion, an in-memory sink.

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
pub mod model;
pub mod pipeline;
pub mod redact;
pub mod reference;
pub mod sampler;
pub mod samples;
pub mod span_record;
pub mod tracer;

#[cfg(test)]
mod test_support;

pub use cancel::CancelToken;
pub use config::{ConfigError, TracingConfig};
pub use export::stats::StatsSnapshot;
pub use export::{PersistenceExporter, SinkError, SpanSink};
pub use hooks::{ExecutionObserver, NoopObserver, RunOutcome, Trigger};
pub use layer::{RunRequest, Traced, WorkflowEngine};
pub use memory_sink::MemorySink;
pub use pipeline::{PipelineError, TracingPipeline, TracingPipelineBuilder};
pub use reference::{Engine, NodeAction, NodeSpec, Step, Workflow};
pub use trace_model::SpanRecord;
pub use tracer::WorkflowTracer;
