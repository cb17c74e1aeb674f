//! Tracing for workflow runs: an engine hands its lifecycle to an [`ExecutionObserver`]; the [`WorkflowTracer`]
//! observer turns it into OpenTelemetry spans; the [`PersistenceExporter`] hands finished spans to a [`SpanSink`]
//! (the trace API's store).
//!
//! - [`engine`]: a small async reference engine and the observer hooks any engine calls.
//! - [`model`]: the deterministic local "LLM" the reference engine calls.
//! - [`samples`]: sample workflows for demos and tests.
//! - [`tracer`]: the [`WorkflowTracer`], which opens and closes spans following the conventions of ARCHITECTURE §3.
//! - [`redact`]: secret redaction and preview truncation, applied before a value is put on a span.
//! - [`span_record`]: the conversion of a finished OpenTelemetry span into the wire `Span`.
//! - [`export`]: the [`SpanSink`] trait and the [`PersistenceExporter`]; [`memory_sink`]: a sink in memory.
//! - [`pipeline`]: the tracer provider wired to the persistence exporter.

pub mod engine;
pub mod export;
pub mod memory_sink;
pub mod model;
pub mod pipeline;
pub mod redact;
pub mod samples;
pub mod span_record;
pub mod tracer;

pub use engine::{Engine, ExecutionObserver, NodeAction, NodeSpec, RunOutcome, Workflow};
pub use export::{PersistenceExporter, SinkError, SpanSink};
pub use memory_sink::MemorySink;
pub use pipeline::TracingPipeline;
pub use span_record::SpanRecord;
pub use tracer::WorkflowTracer;
