//! Reading an OTLP/HTTP trace export body.

use std::io::Read;

use flate2::read::GzDecoder;
#[cfg(test)]
use opentelemetry_proto::tonic::collector::trace::v1::ExportTracePartialSuccess;
use opentelemetry_proto::tonic::collector::trace::v1::{ExportTraceServiceRequest, ExportTraceServiceResponse};
use prost::Message;

/// The two encodings OTLP/HTTP defines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Protobuf,
    Json,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OtlpError {
    #[error("unsupported content type {0:?}: send application/x-protobuf or application/json")]
    ContentType(String),
    #[error("unsupported content encoding {0:?}: send gzip or no encoding")]
    ContentEncoding(String),
    #[error("the body is not valid gzip: {0}")]
    Gzip(String),
    #[error("the body is larger than {0} bytes once decompressed")]
    TooLarge(usize),
    #[error("the body is not a valid OTLP protobuf ExportTraceServiceRequest: {0}")]
    Protobuf(String),
    #[error("the body is not valid OTLP JSON: {0}")]
    Json(String),
    #[error("{0}")]
    Invalid(String),
}

impl Encoding {
    pub fn of_content_type(content_type: &str) -> Result<Self, OtlpError> {
        let essence = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
        match essence.as_str() {
            "application/x-protobuf" | "application/protobuf" => Ok(Self::Protobuf),
            "application/json" => Ok(Self::Json),
            _ => Err(OtlpError::ContentType(content_type.to_owned())),
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Protobuf => "application/x-protobuf",
            Self::Json => "application/json",
        }
    }
}

/// Decodes and validates a body. `max_bytes` bounds the decompressed size as well (a small gzip can expand a lot).
pub fn decode(
    body: &[u8],
    encoding: Encoding,
    content_encoding: Option<&str>,
    max_bytes: usize,
) -> Result<ExportTraceServiceRequest, OtlpError> {
    let inflated;
    let bytes = match content_encoding.map(str::trim).filter(|e| !e.is_empty() && *e != "identity") {
        None => body,
        Some(e) if e.eq_ignore_ascii_case("gzip") => {
            let mut out = Vec::new();
            let limit = u64::try_from(max_bytes).unwrap_or(u64::MAX).saturating_add(1);
            GzDecoder::new(body).take(limit).read_to_end(&mut out).map_err(|e| OtlpError::Gzip(e.to_string()))?;
            if out.len() > max_bytes {
                return Err(OtlpError::TooLarge(max_bytes));
            }
            inflated = out;
            &inflated
        }
        Some(other) => return Err(OtlpError::ContentEncoding(other.to_owned())),
    };
    let request = match encoding {
        Encoding::Protobuf => {
            ExportTraceServiceRequest::decode(bytes).map_err(|e| OtlpError::Protobuf(e.to_string()))?
        }
        Encoding::Json => decode_json(bytes)?,
    };
    validate(&request)?;
    Ok(request)
}

fn decode_json(bytes: &[u8]) -> Result<ExportTraceServiceRequest, OtlpError> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| OtlpError::Json(e.to_string()))?;
    // The JSON mapping is camelCase; snake_case keys would otherwise be ignored and the spans silently lost.
    if value.get("resource_spans").is_some() {
        return Err(OtlpError::Json(
            "use the OTLP JSON field names (resourceSpans, scopeSpans, …), not snake_case".into(),
        ));
    }
    serde_json::from_value(value).map_err(|e| OtlpError::Json(e.to_string()))
}

/// Ids must have their OTLP sizes: a trace id of 16 bytes, span ids of 8, a parent id of 8 or none; spans need a
/// name and a start time. Both transports check this before anything is stored.
pub fn validate(request: &ExportTraceServiceRequest) -> Result<(), OtlpError> {
    for (r, resource_spans) in request.resource_spans.iter().enumerate() {
        for (s, scope_spans) in resource_spans.scope_spans.iter().enumerate() {
            for (i, span) in scope_spans.spans.iter().enumerate() {
                let at = format!("resourceSpans[{r}].scopeSpans[{s}].spans[{i}]");
                if span.trace_id.len() != 16 || span.trace_id.iter().all(|b| *b == 0) {
                    return Err(OtlpError::Invalid(format!("{at}.traceId must be 16 bytes, not all zero")));
                }
                if span.span_id.len() != 8 || span.span_id.iter().all(|b| *b == 0) {
                    return Err(OtlpError::Invalid(format!("{at}.spanId must be 8 bytes, not all zero")));
                }
                if !span.parent_span_id.is_empty() && span.parent_span_id.len() != 8 {
                    return Err(OtlpError::Invalid(format!("{at}.parentSpanId must be 8 bytes or empty")));
                }
                if span.name.is_empty() {
                    return Err(OtlpError::Invalid(format!("{at}.name must not be empty")));
                }
                if span.start_time_unix_nano == 0 {
                    return Err(OtlpError::Invalid(format!("{at}.startTimeUnixNano is required")));
                }
            }
        }
    }
    Ok(())
}

/// The response, in the request's encoding. In JSON an unset `partialSuccess` is left out, and `rejectedSpans` is a
/// number: OTLP JSON decoders accept a number or a string for 64-bit integers, and some (opentelemetry-proto's) only
/// a number.
pub fn encode_response(encoding: Encoding, response: &ExportTraceServiceResponse) -> Vec<u8> {
    match (encoding, &response.partial_success) {
        (Encoding::Protobuf, _) => response.encode_to_vec(),
        (Encoding::Json, None) => b"{}".to_vec(),
        (Encoding::Json, Some(_)) => serde_json::to_vec(response).unwrap_or_else(|_| b"{}".to_vec()),
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    #[test]
    fn content_types_with_parameters() {
        assert_eq!(Encoding::of_content_type("application/x-protobuf"), Ok(Encoding::Protobuf));
        assert_eq!(Encoding::of_content_type("Application/JSON; charset=utf-8"), Ok(Encoding::Json));
        assert!(matches!(Encoding::of_content_type("text/plain"), Err(OtlpError::ContentType(_))));
    }

    #[test]
    fn snake_case_json_is_rejected_not_emptied() {
        let body = br#"{"resource_spans": [{"scope_spans": []}]}"#;
        assert!(matches!(decode(body, Encoding::Json, None, 1 << 20), Err(OtlpError::Json(_))));
    }

    #[test]
    fn short_ids_are_rejected_with_their_position() {
        let body = br#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0102","spanId":"0102030405060708",
            "name":"x","startTimeUnixNano":"1"}]}]}]}"#;
        let err = decode(body, Encoding::Json, None, 1 << 20);
        assert!(matches!(&err, Err(OtlpError::Invalid(m)) if m.contains("spans[0].traceId")), "{err:?}");
    }

    #[test]
    fn json_responses_follow_the_otlp_mapping() -> Result<(), serde_json::Error> {
        let success = ExportTraceServiceResponse { partial_success: None };
        assert_eq!(encode_response(Encoding::Json, &success), b"{}");
        let partial = ExportTraceServiceResponse {
            partial_success: Some(ExportTracePartialSuccess { rejected_spans: 2, error_message: "why".to_owned() }),
        };
        let json: serde_json::Value = serde_json::from_slice(&encode_response(Encoding::Json, &partial))?;
        assert_eq!(json, serde_json::json!({"partialSuccess": {"rejectedSpans": 2, "errorMessage": "why"}}));
        let read: ExportTraceServiceResponse = serde_json::from_value(json)?;
        assert_eq!(read, partial);
        Ok(())
    }

    #[test]
    fn gzip_bombs_stop_at_the_limit() -> std::io::Result<()> {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&vec![0u8; 4096])?;
        let body = gz.finish()?;
        assert_eq!(decode(&body, Encoding::Protobuf, Some("gzip"), 1024), Err(OtlpError::TooLarge(1024)));
        assert!(matches!(decode(b"not gzip", Encoding::Protobuf, Some("gzip"), 1024), Err(OtlpError::Gzip(_))));
        assert!(matches!(decode(b"", Encoding::Protobuf, Some("br"), 1024), Err(OtlpError::ContentEncoding(_))));
        Ok(())
    }
}
