//! Attribute names the instrumentation writes beyond those `trace_model::conventions` reads back.

pub use trace_model::conventions::*;

pub const EXECUTION_TRIGGER: &str = "orcheo.execution.trigger";
pub const EXECUTION_FAILED_NODE: &str = "orcheo.execution.failed_node";
pub const NODE_STATUS: &str = "orcheo.node.status";
pub const CANCEL_REASON: &str = "orcheo.cancel.reason";
/// Event name recorded on every span that a cancellation closed.
pub const CANCELLED_EVENT: &str = "orcheo.cancelled";

pub const ARTIFACT_ID: &str = "orcheo.artifact.id";
pub const ARTIFACT_NAME: &str = "orcheo.artifact.name";
pub const ARTIFACT_CONTENT_TYPE: &str = "orcheo.artifact.content_type";
pub const ARTIFACT_SIZE_BYTES: &str = "orcheo.artifact.size_bytes";

pub const STORAGE_OPERATION: &str = "orcheo.storage.operation";
pub const STORAGE_SYSTEM: &str = "orcheo.storage.system";
pub const STORAGE_TARGET: &str = "orcheo.storage.target";
pub const STORAGE_BYTES: &str = "orcheo.storage.bytes";

pub const GEN_AI_RESPONSE_ID: &str = "gen_ai.response.id";
pub const GEN_AI_FINISH_REASONS: &str = "gen_ai.response.finish_reasons";
pub const TOKEN_TOTAL: &str = "orcheo.token.total";
pub const TOKEN_HIGH_USAGE: &str = "orcheo.token.high_usage";

/// Set on a span whose attributes the per-execution payload budget cut.
pub const TRUNCATED: &str = "orcheo.truncated";
pub const TRUNCATED_ATTRIBUTES: &str = "orcheo.truncated.attributes";
pub const TRUNCATED_BYTES: &str = "orcheo.truncated.bytes";
/// Appended to a value the budget or the preview limit cut.
pub const TRUNCATION_MARK: &str = "…[truncated]";
