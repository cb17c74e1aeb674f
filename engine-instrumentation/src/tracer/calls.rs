//! Spans of external calls: GenAI semantic conventions for model calls, OTel HTTP client conventions (with W3C
//! trace context for the outgoing request), and storage writes that link artifacts by id.

use std::collections::HashMap;

use opentelemetry::propagation::TextMapPropagator as _;
use opentelemetry::trace::{SpanKind, Status, TraceContextExt, Tracer as _};
use opentelemetry::{Context, KeyValue, StringValue, Value};
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::SdkTracer;
use serde::Serialize;

use super::{TracerSettings, record_cancel, record_failure, run_attributes, shared};
use crate::attrs;
use crate::calls::{CallResult, CallStart, LlmRequest, LlmResponse, Message};
use crate::hooks::{NodeInfo, RunInfo};

fn saturating_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// One message in the GenAI convention's JSON shape: `{"role", "parts": [{"type": "text", "content"}]}`.
#[derive(Serialize)]
struct ConventionMessage<'a> {
    role: &'a str,
    parts: [TextPart<'a>; 1],
    #[serde(skip_serializing_if = "Option::is_none")]
    finish_reason: Option<&'a str>,
}

#[derive(Serialize)]
struct TextPart<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    content: &'a str,
}

fn messages_json<'a>(messages: impl IntoIterator<Item = &'a Message>, finish_reason: Option<&'a str>) -> String {
    let items: Vec<ConventionMessage<'a>> = messages
        .into_iter()
        .map(|m| ConventionMessage {
            role: &m.role,
            parts: [TextPart { kind: "text", content: &m.content }],
            finish_reason,
        })
        .collect();
    // Serializing borrowed strings into a String cannot fail.
    serde_json::to_string(&items).unwrap_or_default()
}

pub(super) fn start(
    tracer: &SdkTracer,
    settings: TracerSettings,
    run: &RunInfo,
    node: &NodeInfo,
    call: &CallStart,
    parent: &Context,
) -> Context {
    let (name, kind_attr, mut attributes) = match call {
        CallStart::Llm(request) => llm_start(settings, request),
        CallStart::Http(request) => {
            let mut a = vec![
                KeyValue::new(attrs::HTTP_METHOD, request.method.clone()),
                KeyValue::new(attrs::URL_FULL, request.url.clone()),
            ];
            if let Ok(url) = reqwest::Url::parse(&request.url) {
                if let Some(host) = url.host_str() {
                    a.push(KeyValue::new(attrs::SERVER_ADDRESS, host.to_owned()));
                }
                if let Some(port) = url.port_or_known_default() {
                    a.push(KeyValue::new(attrs::SERVER_PORT, i64::from(port)));
                }
            }
            // The HTTP client convention names a span by its method when no route template is known.
            (request.method.clone(), "http", a)
        }
        CallStart::Storage(request) => (
            format!("storage {} {}", request.operation, request.target),
            "storage",
            vec![
                KeyValue::new(attrs::STORAGE_OPERATION, request.operation.clone()),
                KeyValue::new(attrs::STORAGE_SYSTEM, request.system.clone()),
                KeyValue::new(attrs::STORAGE_TARGET, request.target.clone()),
            ],
        ),
    };
    let mut all = run_attributes(run, kind_attr, attributes.len() + 1);
    all.push(KeyValue::new(attrs::NODE_ID, shared(&node.node_id)));
    all.append(&mut attributes);
    let span =
        tracer.span_builder(name).with_kind(SpanKind::Client).with_attributes(all).start_with_context(tracer, parent);
    parent.with_span(span)
}

fn llm_start(settings: TracerSettings, request: &LlmRequest) -> (String, &'static str, Vec<KeyValue>) {
    let mut a = vec![
        KeyValue::new(attrs::GEN_AI_OPERATION, request.operation.clone()),
        KeyValue::new(attrs::GEN_AI_PROVIDER, request.provider.clone()),
        KeyValue::new(attrs::GEN_AI_REQUEST_MODEL, request.model.clone()),
    ];
    if settings.capture_prompts {
        a.push(KeyValue::new(attrs::GEN_AI_INPUT_MESSAGES, messages_json(&request.messages, None)));
        let prompt = request.messages.iter().rev().find(|m| m.role == "user").or(request.messages.last());
        if let Some(prompt) = prompt {
            a.push(KeyValue::new(attrs::PROMPT_PREVIEW, prompt.content.clone()));
        }
    }
    (format!("{} {}", request.operation, request.model), "llm", a)
}

fn llm_finish(span: &opentelemetry::trace::SpanRef<'_>, settings: TracerSettings, response: &LlmResponse) {
    let total = response.input_tokens.saturating_add(response.output_tokens);
    let reasons: Vec<StringValue> = vec![StringValue::from(response.finish_reason.clone())];
    span.set_attributes([
        KeyValue::new(attrs::GEN_AI_RESPONSE_MODEL, response.model.clone()),
        KeyValue::new(attrs::GEN_AI_RESPONSE_ID, response.id.clone()),
        KeyValue::new(attrs::GEN_AI_FINISH_REASONS, Value::Array(reasons.into())),
        KeyValue::new(attrs::GEN_AI_INPUT_TOKENS, saturating_i64(response.input_tokens)),
        KeyValue::new(attrs::GEN_AI_OUTPUT_TOKENS, saturating_i64(response.output_tokens)),
        KeyValue::new(attrs::TOKEN_TOTAL, saturating_i64(total)),
    ]);
    if settings.high_token_threshold > 0 && total >= settings.high_token_threshold {
        span.set_attribute(KeyValue::new(attrs::TOKEN_HIGH_USAGE, true));
    }
    if settings.capture_prompts {
        span.set_attributes([
            KeyValue::new(
                attrs::GEN_AI_OUTPUT_MESSAGES,
                messages_json([&response.message], Some(&response.finish_reason)),
            ),
            KeyValue::new(attrs::RESPONSE_PREVIEW, response.message.content.clone()),
        ]);
    }
    span.set_status(Status::Ok);
}

pub(super) fn finish(cx: &Context, settings: TracerSettings, result: &CallResult) {
    let span = cx.span();
    match result {
        CallResult::Llm(response) => llm_finish(&span, settings, response),
        CallResult::Http(response) => {
            span.set_attribute(KeyValue::new(attrs::HTTP_STATUS, i64::from(response.status)));
            span.set_attribute(KeyValue::new(attrs::HTTP_RESPONSE_BODY_SIZE, saturating_i64(response.body_bytes)));
            // For client spans every 4xx and 5xx is an error (OTel HTTP conventions).
            if response.status >= 400 {
                span.set_attribute(KeyValue::new(attrs::ERROR_TYPE, response.status.to_string()));
                span.set_status(Status::error(format!("HTTP {}", response.status)));
            } else {
                span.set_status(Status::Ok);
            }
        }
        CallResult::Storage(storage) => {
            span.set_attribute(KeyValue::new(attrs::STORAGE_BYTES, saturating_i64(storage.bytes)));
            if let Some(artifact) = &storage.artifact {
                let ids: Vec<StringValue> = vec![StringValue::from(artifact.id.clone())];
                span.set_attributes([
                    KeyValue::new(attrs::ARTIFACT_IDS, Value::Array(ids.into())),
                    KeyValue::new(attrs::ARTIFACT_ID, artifact.id.clone()),
                    KeyValue::new(attrs::ARTIFACT_NAME, artifact.name.clone()),
                    KeyValue::new(attrs::ARTIFACT_CONTENT_TYPE, artifact.content_type.clone()),
                    KeyValue::new(attrs::ARTIFACT_SIZE_BYTES, saturating_i64(artifact.size_bytes)),
                ]);
            }
            span.set_status(Status::Ok);
        }
        CallResult::Failed(failure) => {
            span.set_attribute(KeyValue::new(attrs::ERROR_TYPE, failure.error_type.clone()));
            record_failure(cx, failure);
        }
        CallResult::Cancelled => record_cancel(cx, "the node was cancelled"),
    }
    span.end();
}

/// W3C trace-context headers for an outgoing HTTP request; other calls propagate nothing.
pub(super) fn propagation(cx: &Context, call: &CallStart) -> Vec<(String, String)> {
    if !matches!(call, CallStart::Http(_)) {
        return Vec::new();
    }
    let mut headers = HashMap::new();
    TraceContextPropagator::new().inject_context(cx, &mut headers);
    headers.into_iter().collect()
}
