//! Attribute, event and resource names of every convention the senders use: ours and Orcheo's Python engine's
//! (`orcheo.*`), the OpenTelemetry GenAI conventions (`gen_ai.*`, current and deprecated) and OpenInference
//! (`openinference.*`, `llm.*`, `input.*`, `output.*`), and the OpenTelemetry resource names the details pane reads.

// Orcheo: what both engines (ours and the Python one) write.
pub const SPAN_KIND: &str = "orcheo.span.kind";
pub const EXECUTION_ID: &str = "orcheo.execution.id";
pub const WORKFLOW_ID: &str = "orcheo.workflow.id";
pub const WORKSPACE_ID: &str = "orcheo.workspace.id";
/// The Orcheo Python engine's name for the workspace (a resource attribute).
pub const WORKSPACE: &str = "orcheo.workspace";
pub const EXECUTION_STATUS: &str = "orcheo.execution.status";
/// The conversation thread a run belongs to: Orcheo's back end puts LangGraph's `configurable.thread_id` on a
/// run's root span under this name (docs/architecture.md, "Threads").
pub const EXECUTION_THREAD_ID: &str = "orcheo.execution.thread_id";
pub const NODE_ID: &str = "orcheo.node.id";
pub const NODE_KIND: &str = "orcheo.node.kind";
pub const NODE_ATTEMPT: &str = "orcheo.node.attempt";
/// How long the Python engine's node ran; its node spans are written after the step, so their own extent is ~0.
pub const NODE_LATENCY_MS: &str = "orcheo.node.latency_ms";
pub const ARTIFACT_IDS: &str = "orcheo.artifact.ids";
pub const ARTIFACT_ID: &str = "orcheo.artifact.id";
pub const PROMPT_PREVIEW: &str = "orcheo.prompt.preview";
pub const PROMPT_TRUNCATED: &str = "orcheo.prompt.truncated";
pub const RESPONSE_PREVIEW: &str = "orcheo.response.preview";
pub const RESPONSE_TRUNCATED: &str = "orcheo.response.truncated";
/// Set when a node's recorded input or output state was bounded (depth, items, string length).
pub const NODE_INPUT_TRUNCATED: &str = "orcheo.node.input.truncated";
pub const NODE_OUTPUT_TRUNCATED: &str = "orcheo.node.output.truncated";
/// Orcheo's Canvas trace: a node's workflow state before and after it ran, as JSON objects.
pub const WORKFLOW_STATE_BEFORE: &str = "orcheo.workflow.state.before";
pub const WORKFLOW_STATE_AFTER: &str = "orcheo.workflow.state.after";
/// In a bounded state: the value of a container nested too deep, and the key that counts an object's cut entries
/// (Orcheo's marks); a cut list ends with [`STATE_MORE_ITEMS`] and the count.
pub const STATE_CUT: &str = "[TRUNCATED]";
pub const STATE_CUT_ITEMS_KEY: &str = "__truncated_items__";
pub const STATE_MORE_ITEMS: &str = "[TRUNCATED] more items: ";
pub const TOKEN_INPUT: &str = "orcheo.token.input";
pub const TOKEN_OUTPUT: &str = "orcheo.token.output";
/// The Python engine's model metadata of a node (`chat`, `embedding`).
pub const AI_KIND: &str = "orcheo.ai.kind";
pub const AI_MODEL_REQUESTED: &str = "orcheo.ai.model.requested";
pub const AI_MODEL_ACTUAL: &str = "orcheo.ai.model.actual";
pub const AI_PROVIDER: &str = "orcheo.ai.provider";
/// The Python engine's text events: `prompt`/`response` with a `preview` (or one attribute per named input),
/// `message` with `role` and `preview`.
pub const PROMPT_EVENT: &str = "prompt";
pub const RESPONSE_EVENT: &str = "response";
pub const MESSAGE_EVENT: &str = "message";
pub const PREVIEW: &str = "preview";
pub const ROLE: &str = "role";

// OpenTelemetry GenAI.
pub const GEN_AI_OPERATION: &str = "gen_ai.operation.name";
pub const GEN_AI_PROVIDER: &str = "gen_ai.provider.name";
/// Deprecated name of the provider.
pub const GEN_AI_SYSTEM: &str = "gen_ai.system";
pub const GEN_AI_REQUEST_MODEL: &str = "gen_ai.request.model";
pub const GEN_AI_RESPONSE_MODEL: &str = "gen_ai.response.model";
pub const GEN_AI_INPUT_TOKENS: &str = "gen_ai.usage.input_tokens";
pub const GEN_AI_OUTPUT_TOKENS: &str = "gen_ai.usage.output_tokens";
/// Deprecated token names.
pub const GEN_AI_PROMPT_TOKENS: &str = "gen_ai.usage.prompt_tokens";
pub const GEN_AI_COMPLETION_TOKENS: &str = "gen_ai.usage.completion_tokens";
pub const GEN_AI_CACHE_READ_TOKENS: &str = "gen_ai.usage.cache_read.input_tokens";
pub const GEN_AI_CACHE_CREATION_TOKENS: &str = "gen_ai.usage.cache_creation.input_tokens";
pub const GEN_AI_INPUT_MESSAGES: &str = "gen_ai.input.messages";
pub const GEN_AI_OUTPUT_MESSAGES: &str = "gen_ai.output.messages";
pub const GEN_AI_SYSTEM_INSTRUCTIONS: &str = "gen_ai.system_instructions";
/// Deprecated: the prompt and completion as JSON text, as attributes or on `gen_ai.content.*` events, or
/// flattened as `gen_ai.prompt.N.role` / `.content`.
pub const GEN_AI_PROMPT: &str = "gen_ai.prompt";
pub const GEN_AI_COMPLETION: &str = "gen_ai.completion";
pub const GEN_AI_CONTENT_PROMPT_EVENT: &str = "gen_ai.content.prompt";
pub const GEN_AI_CONTENT_COMPLETION_EVENT: &str = "gen_ai.content.completion";
/// Deprecated event per message: `gen_ai.{system,user,assistant,tool}.message` and `gen_ai.choice`.
pub const GEN_AI_CHOICE_EVENT: &str = "gen_ai.choice";

// OpenInference.
pub const OPENINFERENCE_KIND: &str = "openinference.span.kind";
pub const INPUT_VALUE: &str = "input.value";
pub const INPUT_MIME_TYPE: &str = "input.mime_type";
pub const OUTPUT_VALUE: &str = "output.value";
pub const OUTPUT_MIME_TYPE: &str = "output.mime_type";
pub const JSON_MIME_TYPE: &str = "application/json";
pub const LLM_INPUT_MESSAGES: &str = "llm.input_messages";
pub const LLM_OUTPUT_MESSAGES: &str = "llm.output_messages";
pub const LLM_MODEL_NAME: &str = "llm.model_name";
pub const LLM_PROVIDER: &str = "llm.provider";
pub const LLM_SYSTEM: &str = "llm.system";
pub const LLM_PROMPT_TOKENS: &str = "llm.token_count.prompt";
pub const LLM_COMPLETION_TOKENS: &str = "llm.token_count.completion";
pub const LLM_CACHE_READ_TOKENS: &str = "llm.token_count.prompt_details.cache_read";
pub const LLM_CACHE_WRITE_TOKENS: &str = "llm.token_count.prompt_details.cache_write";
pub const LLM_REASONING_TOKENS: &str = "llm.token_count.completion_details.reasoning";
pub const LLM_COST_TOTAL: &str = "llm.cost.total";
pub const LLM_COST_PROMPT: &str = "llm.cost.prompt";
pub const LLM_COST_COMPLETION: &str = "llm.cost.completion";
/// A call's cost in USD as some GenAI senders write it (not in the OpenTelemetry conventions yet).
pub const GEN_AI_USAGE_COST: &str = "gen_ai.usage.cost";
/// The conversation a GenAI call belongs to.
pub const GEN_AI_CONVERSATION_ID: &str = "gen_ai.conversation.id";
/// OpenInference's session: its LangChain instrumentor maps LangGraph's `thread_id` metadata to it.
pub const SESSION_ID: &str = "session.id";

// OpenTelemetry resource and protocol names: the stable ones from the semantic conventions crate, the others here.
pub use opentelemetry_semantic_conventions::attribute::{
    DB_SYSTEM_NAME, ERROR_TYPE, EXCEPTION_MESSAGE, EXCEPTION_STACKTRACE, EXCEPTION_TYPE, HTTP_REQUEST_METHOD,
    HTTP_RESPONSE_STATUS_CODE, HTTP_ROUTE, SERVER_ADDRESS, SERVER_PORT, SERVICE_INSTANCE_ID, SERVICE_NAME,
    SERVICE_VERSION, URL_FULL,
};
/// Experimental in the conventions.
pub const HOST_NAME: &str = "host.name";
pub const HTTP_RESPONSE_BODY_SIZE: &str = "http.response.body.size";
/// Deprecated names that older senders still write.
pub const HTTP_METHOD_DEPRECATED: &str = "http.method";
pub const DB_SYSTEM_DEPRECATED: &str = "db.system";
pub const EXCEPTION_EVENT: &str = "exception";
