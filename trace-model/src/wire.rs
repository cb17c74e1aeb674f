//! The JSON contract of the trace API (docs/api.md).
//!
//! Optional fields default when absent so that older producers (the Orcheo back end's own trace response) still parse.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use strum::{EnumString, IntoStaticStr, VariantArray};

/// Span and event attributes: any JSON value per key, kept in key order for stable output.
pub type Attributes = BTreeMap<String, serde_json::Value>;

/// Default page size of `GET /api/executions/{id}/trace`.
pub const DEFAULT_PAGE_LIMIT: usize = 500;
/// Largest page a client may ask for.
pub const MAX_PAGE_LIMIT: usize = 5000;

#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(salvo_oapi::ToSchema))]
pub struct TokenUsage {
    #[serde(default)]
    pub input: u64,
    #[serde(default)]
    pub output: u64,
    #[serde(default)]
    pub total: u64,
}

impl TokenUsage {
    pub fn new(input: u64, output: u64) -> Self {
        Self { input, output, total: input.saturating_add(output) }
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0 && self.input == 0 && self.output == 0
    }

    pub fn add(&mut self, other: &TokenUsage) {
        self.input = self.input.saturating_add(other.input);
        self.output = self.output.saturating_add(other.output);
        self.total = self.total.saturating_add(other.total);
    }
}

// The strum names are the serde names: `as_str` and `parse` read and write what the JSON carries.
#[derive(
    Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, Hash, IntoStaticStr, EnumString, VariantArray,
)]
#[cfg_attr(feature = "openapi", derive(salvo_oapi::ToSchema))]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum ExecutionStatus {
    #[default]
    Running,
    Completed,
    Error,
    Cancelled,
    /// Still open, but nothing has arrived for it for a while (the service's stall period): its sender may be gone.
    Stalled,
}

impl ExecutionStatus {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn parse(text: &str) -> Option<Self> {
        text.parse().ok()
    }

    /// Completed, failed or cancelled: a stalled run may still go on.
    pub fn is_finished(self) -> bool {
        matches!(self, Self::Completed | Self::Error | Self::Cancelled)
    }
}

/// A link from an execution to an external dashboard (Jaeger, Tempo, Grafana).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(salvo_oapi::ToSchema))]
pub struct DashboardLink {
    pub name: String,
    pub url: String,
}

/// One workflow run with its trace summary.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "openapi", derive(salvo_oapi::ToSchema))]
pub struct Execution {
    pub id: String,
    pub workflow_id: String,
    #[serde(default)]
    pub status: ExecutionStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread_id: Option<String>,
    #[serde(default, with = "crate::time::optional", skip_serializing_if = "Option::is_none")]
    pub started_at: Option<DateTime<Utc>>,
    #[serde(default, with = "crate::time::optional", skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root_span_id: Option<String>,
    #[serde(default)]
    pub token_usage: TokenUsage,
    #[serde(default)]
    pub span_count: u64,
    #[serde(default)]
    pub error_count: u64,
    #[serde(default)]
    pub artifact_count: u64,
    #[serde(default)]
    pub links: Vec<DashboardLink>,
}

#[derive(
    Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, Hash, IntoStaticStr, EnumString, VariantArray,
)]
#[cfg_attr(feature = "openapi", derive(salvo_oapi::ToSchema))]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum SpanKind {
    Workflow,
    Node,
    Llm,
    Tool,
    Http,
    Storage,
    #[default]
    #[serde(other)]
    Other,
}

impl SpanKind {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// A known kind's name; unlike reading the JSON, an unknown name is `None`, not [`SpanKind::Other`].
    pub fn parse(text: &str) -> Option<Self> {
        text.parse().ok()
    }
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, Hash, IntoStaticStr, VariantArray)]
#[cfg_attr(feature = "openapi", derive(salvo_oapi::ToSchema))]
#[serde(rename_all = "UPPERCASE")]
#[strum(serialize_all = "UPPERCASE")]
pub enum StatusCode {
    #[default]
    Unset,
    Ok,
    Error,
}

impl StatusCode {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(salvo_oapi::ToSchema))]
pub struct SpanStatus {
    #[serde(default)]
    pub code: StatusCode,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "openapi", derive(salvo_oapi::ToSchema))]
pub struct SpanEvent {
    pub name: String,
    #[serde(with = "crate::time::required")]
    pub time: DateTime<Utc>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", salvo(schema(value_type = Object)))]
    pub attributes: Attributes,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "openapi", derive(salvo_oapi::ToSchema))]
pub struct SpanLink {
    pub trace_id: String,
    pub span_id: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", salvo(schema(value_type = Object)))]
    pub attributes: Attributes,
}

/// OpenTelemetry's span kind: the part the span played in a call (a server handling a request, a client making
/// one, …), as the sender set it. Not to be confused with [`SpanKind`], what the span did.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash, IntoStaticStr, VariantArray)]
#[cfg_attr(feature = "openapi", derive(salvo_oapi::ToSchema))]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum OtelSpanKind {
    Internal,
    Server,
    Client,
    Producer,
    Consumer,
}

impl OtelSpanKind {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// The instrumentation library that made a span (OpenTelemetry's instrumentation scope).
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "openapi", derive(salvo_oapi::ToSchema))]
pub struct InstrumentationScope {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Attributes::is_empty")]
    #[cfg_attr(feature = "openapi", salvo(schema(value_type = Object)))]
    pub attributes: Attributes,
}

/// What the sender's SDK dropped from a span before sending it (its attribute, event and link limits).
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(salvo_oapi::ToSchema))]
pub struct DroppedCounts {
    #[serde(default)]
    pub attributes: u32,
    #[serde(default)]
    pub events: u32,
    #[serde(default)]
    pub links: u32,
}

impl DroppedCounts {
    pub fn is_zero(&self) -> bool {
        *self == Self::default()
    }
}

/// An artifact a span produced, downloadable through the API.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(salvo_oapi::ToSchema))]
pub struct ArtifactRef {
    pub id: String,
    pub name: String,
    pub content_type: String,
    pub size_bytes: u64,
    /// Where the API serves the bytes. The API sets it; a span that has not been through the API (the
    /// instrumentation's records) leaves it empty, and a viewer then uses the API's download route.
    pub download_url: String,
}

/// One span of a trace. `Default` is an empty span that started at the Unix epoch and has not ended, so a span is
/// written with only what matters: `Span { span_id, name, start_time, ..Span::default() }`.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "openapi", derive(salvo_oapi::ToSchema))]
pub struct Span {
    pub span_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_span_id: Option<String>,
    pub name: String,
    #[serde(default)]
    pub kind: SpanKind,
    #[serde(with = "crate::time::required")]
    pub start_time: DateTime<Utc>,
    #[serde(default, with = "crate::time::optional", skip_serializing_if = "Option::is_none")]
    pub end_time: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<f64>,
    #[serde(default)]
    pub status: SpanStatus,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", salvo(schema(value_type = Object)))]
    pub attributes: Attributes,
    #[serde(default)]
    pub events: Vec<SpanEvent>,
    #[serde(default)]
    pub links: Vec<SpanLink>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_usage: Option<TokenUsage>,
    #[serde(default)]
    pub artifacts: Vec<ArtifactRef>,
    /// OpenTelemetry's span kind, when the sender set one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub otel_kind: Option<OtelSpanKind>,
    /// The attributes of the process that sent the span (`service.name`, `host.name`, …), as Jaeger shows a
    /// span's process.
    #[serde(default, skip_serializing_if = "Attributes::is_empty")]
    #[cfg_attr(feature = "openapi", salvo(schema(value_type = Object)))]
    pub resource: Attributes,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<InstrumentationScope>,
    #[serde(default, skip_serializing_if = "DroppedCounts::is_zero")]
    pub dropped: DroppedCounts,
}

impl Span {
    /// Duration in milliseconds from the timestamps, for spans that have ended.
    pub fn measured_duration_ms(&self) -> Option<f64> {
        let end = self.end_time?;
        let micros = (end - self.start_time).num_microseconds()?;
        Some(micros as f64 / 1000.0)
    }

    pub fn is_error(&self) -> bool {
        self.status.code == StatusCode::Error
    }
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(salvo_oapi::ToSchema))]
pub struct PageInfo {
    pub has_next_page: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    #[serde(default)]
    pub total_spans: u64,
}

/// `GET /api/executions/{id}/trace`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "openapi", derive(salvo_oapi::ToSchema))]
pub struct TraceResponse {
    pub execution: Execution,
    #[serde(default)]
    pub spans: Vec<Span>,
    #[serde(default)]
    pub page_info: PageInfo,
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(salvo_oapi::ToSchema))]
pub struct ListPageInfo {
    pub has_next_page: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// `GET /api/executions`: run history, newest first.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "openapi", derive(salvo_oapi::ToSchema))]
pub struct ExecutionPage {
    pub executions: Vec<Execution>,
    pub page_info: ListPageInfo,
}

/// A live-update message on `GET /api/executions/{id}/trace/live`.
///
/// Read through a flat struct of all its fields rather than serde's internally tagged form, which buffers the whole
/// message and so builds a second copy of every span deserializer into the view's wasm (docs/benchmarks.md, "Bundle
/// size").
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "openapi", derive(salvo_oapi::ToSchema))]
#[serde(tag = "type", try_from = "LiveMessageFields")]
pub enum LiveMessage {
    #[serde(rename = "trace:update")]
    TraceUpdate {
        execution_id: String,
        #[serde(default)]
        trace_id: Option<String>,
        spans: Vec<Span>,
        complete: bool,
    },
}

/// Every live message's fields in one flat struct, read in one pass; [`LiveMessage`] checks the `type`.
#[derive(Deserialize)]
struct LiveMessageFields {
    #[serde(rename = "type")]
    kind: String,
    execution_id: String,
    #[serde(default)]
    trace_id: Option<String>,
    spans: Vec<Span>,
    complete: bool,
}

/// A live message whose `type` this version does not know.
#[derive(Debug, thiserror::Error)]
#[error("unknown live message type {0:?}")]
pub struct UnknownLiveMessage(String);

impl TryFrom<LiveMessageFields> for LiveMessage {
    type Error = UnknownLiveMessage;

    fn try_from(fields: LiveMessageFields) -> Result<Self, Self::Error> {
        let LiveMessageFields { kind, execution_id, trace_id, spans, complete } = fields;
        match kind.as_str() {
            "trace:update" => Ok(Self::TraceUpdate { execution_id, trace_id, spans, complete }),
            _ => Err(UnknownLiveMessage(kind)),
        }
    }
}

/// The JSON body of every API error.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(salvo_oapi::ToSchema))]
pub struct ErrorBody {
    pub detail: String,
    pub code: String,
}

#[cfg(test)]
mod tests {
    use serde::de::DeserializeOwned;
    use serde_json::json;
    use strum::VariantArray;

    use super::*;

    /// Each variant's string is `names` in order, and the JSON, `as_str` (and `parse`, where given) agree on it.
    fn round_trip<T>(names: &[&str], as_str: fn(T) -> &'static str, parse: Option<fn(&str) -> Option<T>>)
    where
        T: VariantArray + Serialize + DeserializeOwned + Copy + PartialEq + std::fmt::Debug,
    {
        assert_eq!(T::VARIANTS.len(), names.len(), "one name per variant");
        for (&variant, &name) in T::VARIANTS.iter().zip(names) {
            assert_eq!(as_str(variant), name);
            assert_eq!(serde_json::to_value(variant).unwrap(), json!(name));
            assert_eq!(serde_json::from_value::<T>(json!(name)).unwrap(), variant);
            if let Some(parse) = parse {
                assert_eq!(parse(name), Some(variant), "{name}");
            }
        }
    }

    #[test]
    fn enum_names_are_the_wire_strings() {
        round_trip(
            &["running", "completed", "error", "cancelled", "stalled"],
            ExecutionStatus::as_str,
            Some(ExecutionStatus::parse),
        );
        round_trip(
            &["workflow", "node", "llm", "tool", "http", "storage", "other"],
            SpanKind::as_str,
            Some(SpanKind::parse),
        );
        round_trip(&["UNSET", "OK", "ERROR"], StatusCode::as_str, None);
        round_trip(&["internal", "server", "client", "producer", "consumer"], OtelSpanKind::as_str, None);
    }

    #[test]
    fn a_live_message_reads_back_as_written_and_an_unknown_type_is_refused() {
        let span = Span { span_id: "s1".into(), name: "node a".into(), ..Span::default() };
        let message = LiveMessage::TraceUpdate {
            execution_id: "e1".into(),
            trace_id: Some("t1".into()),
            spans: vec![span],
            complete: true,
        };
        let text = serde_json::to_string(&message).unwrap();
        assert!(text.contains(r#""type":"trace:update""#), "{text}");
        assert_eq!(serde_json::from_str::<LiveMessage>(&text).unwrap(), message);

        // The type may come anywhere among the fields, and `trace_id` may be left out.
        let reordered = json!({"spans": [], "complete": false, "execution_id": "e2", "type": "trace:update"});
        assert_eq!(
            serde_json::from_value::<LiveMessage>(reordered).unwrap(),
            LiveMessage::TraceUpdate { execution_id: "e2".into(), trace_id: None, spans: vec![], complete: false }
        );

        let unknown = json!({"type": "trace:deleted", "execution_id": "e", "spans": [], "complete": true});
        let error = serde_json::from_value::<LiveMessage>(unknown).unwrap_err().to_string();
        assert!(error.contains(r#"unknown live message type "trace:deleted""#), "{error}");
        assert!(
            serde_json::from_value::<LiveMessage>(json!({"execution_id": "e", "spans": [], "complete": true})).is_err()
        );
    }

    #[test]
    fn unknown_names_do_not_parse_but_an_unknown_kind_reads_as_other() {
        for text in ["", "Running", "RUNNING", "done", " running"] {
            assert_eq!(ExecutionStatus::parse(text), None, "{text:?}");
        }
        for text in ["", "LLM", "Node", "agent"] {
            assert_eq!(SpanKind::parse(text), None, "{text:?}");
        }
        assert_eq!(serde_json::from_value::<SpanKind>(json!("agent")).unwrap(), SpanKind::Other);
    }
}
