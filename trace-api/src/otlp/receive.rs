//! The one path from a decoded, validated OTLP export to the store, shared by the HTTP and gRPC receivers: spans
//! become records, secrets are redacted, the caller's workspaces bound where it may write, and the store's refusals
//! come back as OTLP partial success (docs/api.md).

use std::collections::BTreeMap;

use engine_instrumentation::redact::record::redact_wire_span;
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTracePartialSuccess, ExportTraceServiceRequest, ExportTraceServiceResponse,
};

use crate::auth::{Principal, Workspaces};
use crate::metrics::IngestResult;
use crate::state::AppState;
use crate::store::{RejectedSpan, StoreError, WriteScope};

/// Distinct refusal reasons spelled out in a partial success message; the rest are counted.
const REASONS_SHOWN: usize = 3;

/// How the spans came, for the metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    Http,
    Grpc,
}

impl Transport {
    pub fn label(self) -> &'static str {
        match self {
            Self::Http => "http",
            Self::Grpc => "grpc",
        }
    }
}

/// What became of an export that reached the store.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Receipt {
    /// Spans in the request.
    pub received: usize,
    /// Spans the store refused; all others are stored.
    pub rejected: Vec<RejectedSpan>,
}

impl Receipt {
    pub fn accepted(&self) -> usize {
        self.received.saturating_sub(self.rejected.len())
    }

    /// The OTLP answer: success, or partial success with the number of refused spans and why.
    pub fn response(&self) -> ExportTraceServiceResponse {
        let partial_success = (!self.rejected.is_empty()).then(|| ExportTracePartialSuccess {
            rejected_spans: i64::try_from(self.rejected.len()).unwrap_or(i64::MAX),
            error_message: rejection_message(&self.rejected),
        });
        ExportTraceServiceResponse { partial_success }
    }
}

/// Stores the spans of `request` (already validated) as `principal` may.
pub async fn receive(
    state: &AppState,
    principal: &Principal,
    request: &ExportTraceServiceRequest,
    transport: Transport,
) -> Result<Receipt, StoreError> {
    let mut records = super::to_records(request);
    if let Some(redactor) = &state.redactor {
        let redacted = records.iter_mut().map(|record| redact_wire_span(redactor, &mut record.span)).sum();
        state.metrics.redacted(redacted);
    }
    let received = records.len();
    match state.store.insert_spans_as(&records, &write_scope(principal)).await {
        Ok(ingested) => {
            let result = IngestResult::Stored { rejected: ingested.rejected.len() };
            state.metrics.ingested("otlp", transport.label(), received, result);
            if !ingested.rejected.is_empty() {
                state.audit.record_rejection(&principal.subject, &rejection_message(&ingested.rejected)).await;
            }
            Ok(Receipt { received, rejected: ingested.rejected })
        }
        Err(e) => {
            state.metrics.ingested("otlp", transport.label(), received, IngestResult::Failed);
            Err(e)
        }
    }
}

/// A caller writes where it may read: the workspaces of its token.
pub fn write_scope(principal: &Principal) -> WriteScope {
    match &principal.workspaces {
        Workspaces::All => WriteScope::Any,
        Workspaces::Only(set) => WriteScope::Only(set.clone()),
    }
}

/// "2 spans rejected: <reason> (2 spans)", the distinct reasons in the order met.
fn rejection_message(rejected: &[RejectedSpan]) -> String {
    let mut order: Vec<&str> = Vec::new();
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for span in rejected {
        let count = counts.entry(span.reason.as_str()).or_insert(0);
        if *count == 0 {
            order.push(span.reason.as_str());
        }
        *count += 1;
    }
    let mut parts: Vec<String> = order
        .iter()
        .take(REASONS_SHOWN)
        .map(|reason| match counts.get(reason).copied().unwrap_or(0) {
            1 => format!("{reason} (1 span)"),
            n => format!("{reason} ({n} spans)"),
        })
        .collect();
    if order.len() > REASONS_SHOWN {
        parts.push(format!("and {} more reasons", order.len() - REASONS_SHOWN));
    }
    let noun = if rejected.len() == 1 { "span" } else { "spans" };
    format!("{} {noun} rejected: {}", rejected.len(), parts.join("; "))
}

#[cfg(test)]
mod tests {
    use opentelemetry_proto::tonic::common::v1::any_value::Value;
    use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue};
    use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span};

    use super::*;
    use crate::store::Store;

    fn rejected(span: &str, reason: &str) -> RejectedSpan {
        RejectedSpan { trace_id: "t".to_owned(), span_id: span.to_owned(), reason: reason.to_owned() }
    }

    fn attribute(key: &str, value: &str) -> KeyValue {
        KeyValue {
            key: key.to_owned(),
            value: Some(AnyValue { value: Some(Value::StringValue(value.to_owned())) }),
            ..KeyValue::default()
        }
    }

    fn export(spans: Vec<Span>) -> ExportTraceServiceRequest {
        ExportTraceServiceRequest {
            resource_spans: vec![ResourceSpans {
                scope_spans: vec![ScopeSpans { spans, ..ScopeSpans::default() }],
                ..ResourceSpans::default()
            }],
        }
    }

    fn span(trace: u8, id: u8, attributes: Vec<KeyValue>) -> Span {
        Span {
            trace_id: vec![trace; 16],
            span_id: vec![id; 8],
            name: format!("span {id}"),
            start_time_unix_nano: 1_700_000_000_000_000_000,
            end_time_unix_nano: 1_700_000_000_100_000_000,
            attributes,
            ..Span::default()
        }
    }

    fn only(workspace: &str) -> Principal {
        Principal { workspaces: Workspaces::Only([workspace.to_owned()].into()), ..Principal::anonymous() }
    }

    #[test]
    fn success_has_no_partial_success() {
        let receipt = Receipt { received: 3, rejected: vec![] };
        assert_eq!(receipt.accepted(), 3);
        assert_eq!(receipt.response(), ExportTraceServiceResponse { partial_success: None });
    }

    #[test]
    fn partial_success_counts_and_groups_reasons() {
        let receipt = Receipt {
            received: 9,
            rejected: vec![
                rejected("a", "not yours"),
                rejected("b", "ended"),
                rejected("c", "not yours"),
                rejected("d", "r3"),
                rejected("e", "r4"),
            ],
        };
        assert_eq!(receipt.accepted(), 4);
        let partial = receipt.response().partial_success.unwrap_or_default();
        assert_eq!(partial.rejected_spans, 5);
        assert_eq!(
            partial.error_message,
            "5 spans rejected: not yours (2 spans); ended (1 span); r3 (1 span); and 1 more reasons"
        );
    }

    #[test]
    fn a_token_writes_where_it_reads() {
        assert_eq!(write_scope(&Principal::anonymous()), WriteScope::Any);
        assert_eq!(write_scope(&only("ws-b")), WriteScope::Only(["ws-b".to_owned()].into()));
    }

    #[tokio::test]
    async fn refused_spans_are_reported_and_the_rest_stored_redacted() -> anyhow::Result<()> {
        let store = Store::connect("sqlite::memory:").await?;
        let state = AppState::new(store.clone());
        let workspace = |w: &str| attribute("orcheo.workspace.id", w);
        let execution = |e: &str| attribute("orcheo.execution.id", e);
        let theirs = export(vec![span(1, 1, vec![execution("ex-a"), workspace("ws-a")])]);
        receive(&state, &Principal::anonymous(), &theirs, Transport::Http).await?;

        let mixed = export(vec![
            span(1, 2, vec![execution("ex-a"), workspace("ws-a")]),
            span(2, 3, vec![execution("ex-b"), workspace("ws-b"), attribute("db.password", "hunter2")]),
        ]);
        let receipt = receive(&state, &only("ws-b"), &mixed, Transport::Grpc).await?;
        assert_eq!((receipt.received, receipt.accepted()), (2, 1));
        assert_eq!(receipt.rejected[0].span_id, "0202020202020202");
        assert!(receipt.rejected[0].reason.contains("ws-a"), "{:?}", receipt.rejected);

        let (_, stored) = store.execution("ex-b").await?.ok_or_else(|| anyhow::anyhow!("ex-b not stored"))?;
        assert_eq!(stored.span_count, 1);
        let (_, theirs) = store.execution("ex-a").await?.ok_or_else(|| anyhow::anyhow!("ex-a lost"))?;
        assert_eq!(theirs.span_count, 1, "nothing of the refused span");
        let metrics = state.metrics.render();
        for line in [
            r#"trace_api_ingested_spans_total{source="otlp",transport="grpc",result="ok"} 1"#,
            r#"trace_api_ingested_spans_total{source="otlp",transport="grpc",result="rejected"} 1"#,
            "trace_api_redacted_values_total 1",
        ] {
            assert!(metrics.contains(line), "{line} in {metrics}");
        }
        Ok(())
    }
}
