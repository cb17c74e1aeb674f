//! Conversion of a finished OpenTelemetry span into a [`SpanRecord`]: the wire [`Span`], tagged with the execution it
//! belongs to.

use chrono::{DateTime, Utc};
use opentelemetry::trace::{SpanId, Status};
use opentelemetry::{Array, KeyValue, Value};
use opentelemetry_sdk::trace::SpanData;
use serde_json::Value as Json;
use trace_model::conventions;
use trace_model::{
    ArtifactRef, Attributes, DroppedCounts, InstrumentationScope, OtelSpanKind, Span, SpanEvent, SpanLink, SpanRecord,
    SpanStatus, StatusCode,
};

use crate::attrs;

/// The record of a finished span, filed under the ids its attributes declare.
pub fn from_span_data(data: &SpanData) -> SpanRecord {
    record(data, Some(DateTime::<Utc>::from(data.end_time)))
}

/// The record of a span that has started and not ended: it has no end time.
pub fn from_open_span(data: &SpanData) -> SpanRecord {
    record(data, None)
}

fn record(data: &SpanData, end_time: Option<DateTime<Utc>>) -> SpanRecord {
    let attributes = to_attributes(&data.attributes);
    let status = match &data.status {
        Status::Ok => SpanStatus { code: StatusCode::Ok, message: None },
        Status::Error { description } => {
            SpanStatus { code: StatusCode::Error, message: (!description.is_empty()).then(|| description.to_string()) }
        }
        Status::Unset => SpanStatus::default(),
    };
    let events = data
        .events
        .iter()
        .map(|e| SpanEvent {
            name: e.name.to_string(),
            time: DateTime::<Utc>::from(e.timestamp),
            attributes: to_attributes(&e.attributes),
        })
        .collect();
    let links = data
        .links
        .iter()
        .map(|l| SpanLink {
            trace_id: l.span_context.trace_id().to_string(),
            span_id: l.span_context.span_id().to_string(),
            attributes: to_attributes(&l.attributes),
        })
        .collect();
    let mut span = Span {
        span_id: data.span_context.span_id().to_string(),
        parent_span_id: (data.parent_span_id != SpanId::INVALID).then(|| data.parent_span_id.to_string()),
        name: data.name.to_string(),
        start_time: DateTime::<Utc>::from(data.start_time),
        end_time,
        duration_ms: None,
        status,
        attributes,
        events,
        links,
        artifacts: vec![],
        otel_kind: Some(otel_kind(&data.span_kind)),
        scope: Some(InstrumentationScope {
            name: data.instrumentation_scope.name().to_owned(),
            version: data.instrumentation_scope.version().map(str::to_owned),
            attributes: to_attributes(data.instrumentation_scope.attributes()),
        }),
        dropped: DroppedCounts {
            attributes: data.dropped_attributes_count,
            events: data.events.dropped_count,
            links: data.links.dropped_count,
        },
        ..Default::default()
    };
    span.artifacts = artifact(&span.attributes).into_iter().collect();
    conventions::fill_derived(&mut span);
    SpanRecord::from_span(data.span_context.trace_id().to_string(), span)
}

/// The artifact a storage span wrote (`orcheo.artifact.id` with its name, type and size). Node spans list the same
/// ids in `orcheo.artifact.ids` without repeating the artifact, so that each is counted once. The download URL is
/// left to the API that stores the bytes.
fn artifact(attributes: &Attributes) -> Option<ArtifactRef> {
    let id = conventions::str_attr(attributes, attrs::ARTIFACT_ID)?;
    Some(ArtifactRef {
        id: id.to_owned(),
        name: conventions::str_attr(attributes, attrs::ARTIFACT_NAME).unwrap_or(id).to_owned(),
        content_type: conventions::str_attr(attributes, attrs::ARTIFACT_CONTENT_TYPE)
            .unwrap_or("application/octet-stream")
            .to_owned(),
        size_bytes: attributes.get(attrs::ARTIFACT_SIZE_BYTES).and_then(Json::as_u64).unwrap_or(0),
        download_url: String::new(),
    })
}

fn to_attributes<'a>(pairs: impl IntoIterator<Item = &'a KeyValue>) -> Attributes {
    pairs.into_iter().map(|kv| (kv.key.as_str().to_owned(), to_json(&kv.value))).collect()
}

fn otel_kind(kind: &opentelemetry::trace::SpanKind) -> OtelSpanKind {
    use opentelemetry::trace::SpanKind;
    match kind {
        SpanKind::Internal => OtelSpanKind::Internal,
        SpanKind::Server => OtelSpanKind::Server,
        SpanKind::Client => OtelSpanKind::Client,
        SpanKind::Producer => OtelSpanKind::Producer,
        SpanKind::Consumer => OtelSpanKind::Consumer,
    }
}

fn to_json(value: &Value) -> Json {
    match value {
        Value::Bool(b) => Json::Bool(*b),
        Value::I64(i) => Json::from(*i),
        Value::F64(f) => float(*f),
        Value::String(s) => Json::String(s.as_str().to_owned()),
        Value::Array(Array::Bool(items)) => items.iter().map(|b| Json::Bool(*b)).collect(),
        Value::Array(Array::I64(items)) => items.iter().map(|i| Json::from(*i)).collect(),
        Value::Array(Array::F64(items)) => items.iter().map(|f| float(*f)).collect(),
        Value::Array(Array::String(items)) => items.iter().map(|s| Json::String(s.as_str().to_owned())).collect(),
        // Kinds added to OpenTelemetry later still show, as text.
        other => Json::String(other.to_string()),
    }
}

/// JSON has no NaN or infinities: those are kept as text rather than lost.
fn float(f: f64) -> Json {
    serde_json::Number::from_f64(f).map_or_else(|| Json::String(f.to_string()), Json::Number)
}
