//! OTLP spans → `SpanRecord`s: everything OTLP carries is kept (resource, scope, span kind, dropped counts,
//! links), and the kind, tokens and duration are derived by the shared conventions (docs/architecture.md).

use chrono::{DateTime, Utc};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::InstrumentationScope as OtlpScope;
use opentelemetry_proto::tonic::common::v1::any_value::Value as OtlpValue;
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue};
use opentelemetry_proto::tonic::trace::v1::span::SpanKind as OtlpSpanKind;
use opentelemetry_proto::tonic::trace::v1::{Span as OtlpSpan, Status};
use serde_json::Value as Json;
use trace_model::conventions::{self, EXECUTION_ID, WORKFLOW_ID, WORKSPACE_ID};
use trace_model::{
    Attributes, DroppedCounts, InstrumentationScope, OtelSpanKind, Span, SpanEvent, SpanLink, SpanRecord, SpanStatus,
    StatusCode,
};

/// Every span of a (validated) request, with the execution, workflow and workspace it or its resource declares (the
/// store files spans without an execution id under their ancestor's execution or their trace's run).
pub fn to_records(request: &ExportTraceServiceRequest) -> Vec<SpanRecord> {
    let mut records = Vec::new();
    for resource_spans in &request.resource_spans {
        let resource = resource_spans.resource.as_ref().map(|r| attributes(&r.attributes)).unwrap_or_default();
        for scope_spans in &resource_spans.scope_spans {
            let scope = scope_spans.scope.as_ref().and_then(scope);
            for span in &scope_spans.spans {
                records.push(record(span, &resource, scope.as_ref()));
            }
        }
    }
    records
}

fn record(otlp: &OtlpSpan, resource: &Attributes, scope: Option<&InstrumentationScope>) -> SpanRecord {
    let mut attrs = attributes(&otlp.attributes);
    // Ids set on the resource (one engine process per workspace, say) apply to every span that lacks them.
    for key in [EXECUTION_ID, WORKFLOW_ID, WORKSPACE_ID] {
        if let (false, Some(value)) = (attrs.contains_key(key), resource.get(key)) {
            attrs.insert(key.to_owned(), value.clone());
        }
    }
    let trace_id = const_hex::encode(&otlp.trace_id);
    let execution_id = conventions::str_attr(&attrs, EXECUTION_ID).map(str::to_owned);
    let workspace_id = conventions::workspace(&attrs).or_else(|| conventions::workspace(resource)).map(str::to_owned);
    let workflow_id = conventions::str_attr(&attrs, WORKFLOW_ID)
        .or_else(|| conventions::str_attr(resource, conventions::SERVICE_NAME))
        .map(str::to_owned);
    let end_time = (otlp.end_time_unix_nano > 0).then(|| timestamp(otlp.end_time_unix_nano));
    let mut span = Span {
        span_id: const_hex::encode(&otlp.span_id),
        parent_span_id: (!otlp.parent_span_id.is_empty()).then(|| const_hex::encode(&otlp.parent_span_id)),
        name: otlp.name.clone(),
        start_time: timestamp(otlp.start_time_unix_nano),
        end_time,
        duration_ms: None,
        status: status(otlp.status.as_ref()),
        attributes: attrs,
        events: otlp
            .events
            .iter()
            .map(|e| SpanEvent {
                name: e.name.clone(),
                time: timestamp(e.time_unix_nano),
                attributes: attributes(&e.attributes),
            })
            .collect(),
        links: otlp
            .links
            .iter()
            .map(|l| SpanLink {
                trace_id: const_hex::encode(&l.trace_id),
                span_id: const_hex::encode(&l.span_id),
                attributes: attributes(&l.attributes),
            })
            .collect(),
        otel_kind: otel_kind(otlp.kind),
        resource: resource.clone(),
        scope: scope.cloned(),
        dropped: DroppedCounts {
            attributes: otlp.dropped_attributes_count,
            events: otlp.dropped_events_count,
            links: otlp.dropped_links_count,
        },
        ..Span::default()
    };
    conventions::fill_derived(&mut span);
    SpanRecord { execution_id, workflow_id, workspace_id, trace_id, span }
}

fn scope(scope: &OtlpScope) -> Option<InstrumentationScope> {
    (!scope.name.is_empty()).then(|| InstrumentationScope {
        name: scope.name.clone(),
        version: (!scope.version.is_empty()).then(|| scope.version.clone()),
        attributes: attributes(&scope.attributes),
    })
}

fn otel_kind(kind: i32) -> Option<OtelSpanKind> {
    match OtlpSpanKind::try_from(kind).ok()? {
        OtlpSpanKind::Unspecified => None,
        OtlpSpanKind::Internal => Some(OtelSpanKind::Internal),
        OtlpSpanKind::Server => Some(OtelSpanKind::Server),
        OtlpSpanKind::Client => Some(OtelSpanKind::Client),
        OtlpSpanKind::Producer => Some(OtelSpanKind::Producer),
        OtlpSpanKind::Consumer => Some(OtelSpanKind::Consumer),
    }
}

fn timestamp(nanos: u64) -> DateTime<Utc> {
    let secs = i64::try_from(nanos / 1_000_000_000).unwrap_or(i64::MAX);
    let sub = u32::try_from(nanos % 1_000_000_000).unwrap_or(0);
    DateTime::from_timestamp(secs, sub).unwrap_or_default()
}

fn status(status: Option<&Status>) -> SpanStatus {
    let Some(status) = status else { return SpanStatus::default() };
    let code = match status.code {
        1 => StatusCode::Ok,
        2 => StatusCode::Error,
        _ => StatusCode::Unset,
    };
    SpanStatus { code, message: (!status.message.is_empty()).then(|| status.message.clone()) }
}

fn attributes(pairs: &[KeyValue]) -> Attributes {
    pairs.iter().map(|kv| (kv.key.clone(), kv.value.as_ref().map_or(Json::Null, value))).collect()
}

fn value(any: &AnyValue) -> Json {
    match &any.value {
        None | Some(OtlpValue::StringValueStrindex(_)) => Json::Null,
        Some(OtlpValue::StringValue(s)) => Json::String(s.clone()),
        Some(OtlpValue::BoolValue(b)) => Json::Bool(*b),
        Some(OtlpValue::IntValue(i)) => Json::from(*i),
        Some(OtlpValue::DoubleValue(f)) => {
            serde_json::Number::from_f64(*f).map_or_else(|| Json::String(f.to_string()), Json::Number)
        }
        Some(OtlpValue::ArrayValue(array)) => array.values.iter().map(value).collect(),
        Some(OtlpValue::KvlistValue(list)) => Json::Object(
            list.values.iter().map(|kv| (kv.key.clone(), kv.value.as_ref().map_or(Json::Null, value))).collect(),
        ),
        Some(OtlpValue::BytesValue(bytes)) => Json::String(const_hex::encode(bytes)),
    }
}
