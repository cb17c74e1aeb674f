//! The OTLP/HTTP receiver's decoding: protobuf or JSON bodies, gzip or not, checked before anything is stored.
//!
//! - [`decode`]: body → `ExportTraceServiceRequest` with validation errors that name the problem.
//! - [`convert`]: OTLP spans → the store's `SpanRecord`s.

mod convert;
mod decode;

pub use convert::to_records;
pub use decode::{Encoding, OtlpError, decode, encode_response};
