//! Spans of external calls: GenAI semantic conventions for model calls (their text expanded by the export stage,
//! see `crate::genai`), OTel HTTP client conventions (with W3C trace context for the outgoing request), and storage
//! writes that link artifacts by id.

use std::borrow::Cow;
use std::collections::HashMap;

use opentelemetry::propagation::TextMapPropagator as _;
use opentelemetry::trace::{Span as _, SpanKind, Status, TraceContextExt, Tracer as _};
use opentelemetry::{Context, KeyValue, StringValue, Value};
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::{SdkTracer, Span};

use super::{TracerSettings, record_cancel, record_failure, run_attributes, shared};
use crate::attrs;
use crate::calls::{CallResult, CallStart, LlmResponse};
use crate::export::stage::{StartingModelCall, end_model_call};
use crate::genai::{self, ModelCall, ModelRequest, ModelResponse};
use crate::hooks::{NodeInfo, RunInfo};

fn saturating_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// A call's span, started; a model call's span also keeps what its end hands to the export stage.
pub(super) struct CallSpan {
    span: Span,
    model: Option<ModelRequest>,
}

pub(super) fn start(
    tracer: &SdkTracer,
    settings: TracerSettings,
    open_copies: bool,
    run: &RunInfo,
    node: &NodeInfo,
    call: &CallStart,
    parent: &Context,
) -> CallSpan {
    // Room for what each span gets at start, at its end, or from the export stage: one allocation per vector.
    let (name, kind_attr, room): (Cow<'static, str>, _, usize) = match call {
        // Named by the export stage from the call (`genai::expand`), like its text: one allocation less here.
        CallStart::Llm(_) => (Cow::Borrowed("gen_ai"), "llm", LLM_END_ATTRIBUTES + genai::EXPANDED_ATTRIBUTES),
        // The HTTP client convention names a span by its method when no route template is known.
        CallStart::Http(request) => (Cow::Owned(request.method.clone()), "http", 4 + 4),
        CallStart::Storage(request) => {
            (Cow::Owned(format!("storage {} {}", request.operation, request.target)), "storage", 3 + 7)
        }
    };
    let mut a = run_attributes(run, kind_attr, 1 + room);
    a.push(KeyValue::new(attrs::NODE_ID, shared(&node.node_id)));
    let mut model = None;
    match call {
        CallStart::Llm(request) => model = Some(ModelRequest::new(request, settings.capture_prompts)),
        CallStart::Http(request) => {
            a.push(KeyValue::new(attrs::HTTP_REQUEST_METHOD, request.method.clone()));
            a.push(KeyValue::new(attrs::URL_FULL, request.url.clone()));
            if let Ok(url) = url::Url::parse(&request.url) {
                if let Some(host) = url.host_str() {
                    a.push(KeyValue::new(attrs::SERVER_ADDRESS, host.to_owned()));
                }
                if let Some(port) = url.port_or_known_default() {
                    a.push(KeyValue::new(attrs::SERVER_PORT, i64::from(port)));
                }
            }
        }
        CallStart::Storage(request) => {
            a.push(KeyValue::new(attrs::STORAGE_OPERATION, request.operation.clone()));
            a.push(KeyValue::new(attrs::STORAGE_SYSTEM, request.system.clone()));
            a.push(KeyValue::new(attrs::STORAGE_TARGET, request.target.clone()));
        }
    }
    let builder = tracer.span_builder(name).with_kind(SpanKind::Client).with_attributes(a);
    let span = match &model {
        // The open copy shows the request while the call runs.
        Some(request) if open_copies => {
            builder.start_with_context(tracer, &parent.with_value(StartingModelCall(request.clone())))
        }
        _ => builder.start_with_context(tracer, parent),
    };
    CallSpan { span, model }
}

/// What `llm_finish` sets: three token counts, the high-usage flag.
const LLM_END_ATTRIBUTES: usize = 4;

/// The counts go on the span as they are; the response's text goes to the export stage (see [`genai`]).
fn llm_finish(span: &mut Span, settings: TracerSettings, response: &LlmResponse) {
    let total = response.input_tokens.saturating_add(response.output_tokens);
    span.set_attribute(KeyValue::new(attrs::GEN_AI_INPUT_TOKENS, saturating_i64(response.input_tokens)));
    span.set_attribute(KeyValue::new(attrs::GEN_AI_OUTPUT_TOKENS, saturating_i64(response.output_tokens)));
    span.set_attribute(KeyValue::new(attrs::TOKEN_TOTAL, saturating_i64(total)));
    if settings.high_token_threshold > 0 && total >= settings.high_token_threshold {
        span.set_attribute(KeyValue::new(attrs::TOKEN_HIGH_USAGE, true));
    }
    span.set_status(Status::Ok);
}

pub(super) fn finish(call: CallSpan, settings: TracerSettings, result: &CallResult) {
    let CallSpan { mut span, model } = call;
    match result {
        CallResult::Llm(response) => llm_finish(&mut span, settings, response),
        CallResult::Http(response) => {
            span.set_attribute(KeyValue::new(attrs::HTTP_RESPONSE_STATUS_CODE, i64::from(response.status)));
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
            record_failure(&mut span, failure);
        }
        CallResult::Cancelled => record_cancel(&mut span, "the node was cancelled"),
    }
    match model {
        Some(request) => {
            let response = match result {
                CallResult::Llm(response) => Some(ModelResponse::new(response, settings.capture_prompts)),
                _ => None,
            };
            end_model_call(span, ModelCall { request, response });
        }
        None => span.end(),
    }
}

/// W3C trace-context headers for an outgoing HTTP request; other calls propagate nothing.
pub(super) fn propagation(span: &CallSpan, call: &CallStart) -> Vec<(String, String)> {
    if !matches!(call, CallStart::Http(_)) {
        return Vec::new();
    }
    // Injection reads only the span's context (ids, flags, trace state).
    let cx = Context::new().with_remote_span_context(span.span.span_context().clone());
    let mut headers = HashMap::new();
    TraceContextPropagator::new().inject_context(&cx, &mut headers);
    headers.into_iter().collect()
}
