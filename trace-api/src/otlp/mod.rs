//! The OTLP receivers' common ground: decoding and checking what arrives, and one path into the store for both
//! transports.
//!
//! - `decode`: an OTLP/HTTP body (protobuf or JSON, gzip or not) → `ExportTraceServiceRequest`, and the checks
//!   every request passes, with errors that name the problem.
//! - `convert`: OTLP spans → the store's `SpanRecord`s ([`to_records`]).
//! - [`mod@receive`]: records → redaction → the caller's write scope → the store → the OTLP response.
//! - [`grpc`]: the OTLP/gRPC `TraceService`.

mod convert;
mod decode;
pub mod grpc;
pub mod receive;

pub use convert::to_records;
pub use decode::{Encoding, OtlpError, decode, encode_response, validate};
pub use receive::{Receipt, Transport, receive};
