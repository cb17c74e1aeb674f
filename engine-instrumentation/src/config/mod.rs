//! Tracing configuration from the environment, with Orcheo's variable names (docs/configuration.md). A bad value is a
//! start-up error that names the variable; an unset or empty variable takes its default.

use std::collections::BTreeMap;
use std::time::Duration;

use url::Url;

use crate::budget::DEFAULT_EXECUTION_BUDGET;
use crate::redact::{DEFAULT_PREVIEW_MAX_LENGTH, Redactor};

pub const ENABLED: &str = "ORCHEO_TRACING_ENABLED";
pub const EXPORTER: &str = "ORCHEO_TRACING_EXPORTER";
pub const PROTOCOL: &str = "ORCHEO_TRACING_PROTOCOL";
pub const ENDPOINT: &str = "ORCHEO_TRACING_ENDPOINT";
pub const SERVICE_NAME: &str = "ORCHEO_TRACING_SERVICE_NAME";
pub const SAMPLE_RATIO: &str = "ORCHEO_TRACING_SAMPLE_RATIO";
pub const INSECURE: &str = "ORCHEO_TRACING_INSECURE";
pub const HIGH_TOKEN_THRESHOLD: &str = "ORCHEO_TRACING_HIGH_TOKEN_THRESHOLD";
pub const PREVIEW_MAX_LENGTH: &str = "ORCHEO_TRACING_PREVIEW_MAX_LENGTH";
pub const CAPTURE_PROMPTS: &str = "ORCHEO_TRACING_CAPTURE_PROMPTS";
pub const CAPTURE_STATE: &str = "ORCHEO_TRACING_CAPTURE_STATE";
pub const EXECUTION_BUDGET_BYTES: &str = "ORCHEO_TRACING_EXECUTION_BUDGET_BYTES";
pub const REDACT_PATTERNS: &str = "ORCHEO_TRACING_REDACT_PATTERNS";
pub const REDACT_KEYS: &str = "ORCHEO_TRACING_REDACT_KEYS";
pub const METRICS_INTERVAL_MS: &str = "ORCHEO_TRACING_METRICS_INTERVAL_MS";

/// Every variable read, for documentation and diagnostics.
pub const VARIABLES: [&str; 15] = [
    ENABLED,
    EXPORTER,
    PROTOCOL,
    ENDPOINT,
    SERVICE_NAME,
    SAMPLE_RATIO,
    INSECURE,
    HIGH_TOKEN_THRESHOLD,
    PREVIEW_MAX_LENGTH,
    CAPTURE_PROMPTS,
    CAPTURE_STATE,
    EXECUTION_BUDGET_BYTES,
    REDACT_PATTERNS,
    REDACT_KEYS,
    METRICS_INTERVAL_MS,
];

pub const DEFAULT_SERVICE_NAME: &str = "orcheo-engine";
pub const DEFAULT_HIGH_TOKEN_THRESHOLD: u64 = 4000;
pub const DEFAULT_METRICS_INTERVAL: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{variable}={value:?}: {reason}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub value: String,
    pub reason: String,
}

/// Where spans go besides the persistence exporter.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ExporterKind {
    #[default]
    None,
    Console,
    Otlp,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum OtlpProtocol {
    #[default]
    HttpProtobuf,
    Grpc,
}

impl OtlpProtocol {
    pub fn default_endpoint(self) -> &'static str {
        match self {
            Self::HttpProtobuf => "http://localhost:4318",
            Self::Grpc => "http://localhost:4317",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct TracingConfig {
    /// The kill switch: off, no span is created and the engine runs exactly as untraced.
    pub enabled: bool,
    pub exporter: ExporterKind,
    pub protocol: OtlpProtocol,
    /// The collector's base URL; for http/protobuf `/v1/traces` (spans) is appended unless the path already ends
    /// with it, and `/v1/metrics` (the export counters) in its place.
    pub endpoint: String,
    pub service_name: String,
    /// Share of new traces sent to the OTLP/console exporter (parent-based). Persistence keeps every execution.
    pub sample_ratio: f64,
    /// Allows a plaintext endpoint on a host other than loopback.
    pub insecure: bool,
    pub high_token_threshold: u64,
    pub preview_max_length: usize,
    pub capture_prompts: bool,
    /// Record each node's input and output state on its span. On by default, as Orcheo's own traces carry every
    /// node's state before and after it ran.
    pub capture_state: bool,
    pub execution_budget_bytes: usize,
    /// Extra redaction rules, name → regex.
    pub redact_patterns: BTreeMap<String, String>,
    /// Extra secret-named attribute keys.
    pub redact_keys: Vec<String>,
    /// How often the export counters are sent to the collector (OTLP exporter only).
    pub metrics_interval: Duration,
}

impl Default for TracingConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            exporter: ExporterKind::None,
            protocol: OtlpProtocol::HttpProtobuf,
            endpoint: OtlpProtocol::HttpProtobuf.default_endpoint().to_owned(),
            service_name: DEFAULT_SERVICE_NAME.to_owned(),
            sample_ratio: 1.0,
            insecure: false,
            high_token_threshold: DEFAULT_HIGH_TOKEN_THRESHOLD,
            preview_max_length: DEFAULT_PREVIEW_MAX_LENGTH,
            capture_prompts: true,
            capture_state: true,
            execution_budget_bytes: DEFAULT_EXECUTION_BUDGET,
            redact_patterns: BTreeMap::new(),
            redact_keys: Vec::new(),
            metrics_interval: DEFAULT_METRICS_INTERVAL,
        }
    }
}

fn invalid(variable: &'static str, value: &str, reason: impl Into<String>) -> ConfigError {
    ConfigError { variable, value: value.to_owned(), reason: reason.into() }
}

fn parse_bool(variable: &'static str, value: &str) -> Result<bool, ConfigError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(invalid(variable, value, "expected true or false")),
    }
}

fn parse_number<T: std::str::FromStr>(variable: &'static str, value: &str, what: &str) -> Result<T, ConfigError> {
    value.trim().parse().map_err(|_| invalid(variable, value, format!("expected {what}")))
}

impl TracingConfig {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        for variable in VARIABLES {
            if let Err(std::env::VarError::NotUnicode(raw)) = std::env::var(variable) {
                return Err(invalid(variable, &raw.to_string_lossy(), "not valid UTF-8"));
            }
        }
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads variables through `lookup` (the environment, or a map in tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let mut config = Self::default();
        if let Some(v) = get(ENABLED) {
            config.enabled = parse_bool(ENABLED, &v)?;
        }
        if let Some(v) = get(EXPORTER) {
            config.exporter = match v.trim().to_ascii_lowercase().as_str() {
                "none" => ExporterKind::None,
                "console" => ExporterKind::Console,
                "otlp" => ExporterKind::Otlp,
                _ => return Err(invalid(EXPORTER, &v, "expected none, console or otlp")),
            };
        }
        if let Some(v) = get(PROTOCOL) {
            config.protocol = match v.trim().to_ascii_lowercase().as_str() {
                "http/protobuf" | "http" => OtlpProtocol::HttpProtobuf,
                "grpc" => OtlpProtocol::Grpc,
                _ => return Err(invalid(PROTOCOL, &v, "expected http/protobuf or grpc")),
            };
        }
        if let Some(v) = get(INSECURE) {
            config.insecure = parse_bool(INSECURE, &v)?;
        }
        config.endpoint = match get(ENDPOINT) {
            Some(v) => check_endpoint(v.trim(), config.insecure)?,
            None => config.protocol.default_endpoint().to_owned(),
        };
        if let Some(v) = get(SERVICE_NAME) {
            config.service_name = v.trim().to_owned();
        }
        if let Some(v) = get(SAMPLE_RATIO) {
            let ratio: f64 = parse_number(SAMPLE_RATIO, &v, "a number between 0 and 1")?;
            if !(0.0..=1.0).contains(&ratio) {
                return Err(invalid(SAMPLE_RATIO, &v, "expected a number between 0 and 1"));
            }
            config.sample_ratio = ratio;
        }
        if let Some(v) = get(HIGH_TOKEN_THRESHOLD) {
            config.high_token_threshold = parse_number(HIGH_TOKEN_THRESHOLD, &v, "a token count (0 turns it off)")?;
        }
        if let Some(v) = get(PREVIEW_MAX_LENGTH) {
            config.preview_max_length = parse_number(PREVIEW_MAX_LENGTH, &v, "a length in characters")?;
            if config.preview_max_length == 0 {
                return Err(invalid(PREVIEW_MAX_LENGTH, &v, "must be at least 1"));
            }
        }
        if let Some(v) = get(CAPTURE_PROMPTS) {
            config.capture_prompts = parse_bool(CAPTURE_PROMPTS, &v)?;
        }
        if let Some(v) = get(CAPTURE_STATE) {
            config.capture_state = parse_bool(CAPTURE_STATE, &v)?;
        }
        if let Some(v) = get(EXECUTION_BUDGET_BYTES) {
            config.execution_budget_bytes = parse_number(EXECUTION_BUDGET_BYTES, &v, "a size in bytes")?;
        }
        if let Some(v) = get(REDACT_PATTERNS) {
            config.redact_patterns = serde_json::from_str(&v)
                .map_err(|e| invalid(REDACT_PATTERNS, &v, format!("expected a JSON object of name to regex: {e}")))?;
            config.redactor().map_err(|e| invalid(REDACT_PATTERNS, &v, e.to_string()))?;
        }
        if let Some(v) = get(REDACT_KEYS) {
            config.redact_keys = v.split(',').map(str::trim).filter(|k| !k.is_empty()).map(str::to_owned).collect();
        }
        if let Some(v) = get(METRICS_INTERVAL_MS) {
            let millis: u64 = parse_number(METRICS_INTERVAL_MS, &v, "an interval in milliseconds")?;
            // The SDK would read 0 as "use the default": refuse it rather than surprise.
            if millis == 0 {
                return Err(invalid(METRICS_INTERVAL_MS, &v, "must be at least 1"));
            }
            config.metrics_interval = Duration::from_millis(millis);
        }
        Ok(config)
    }

    /// The redactor these settings describe: the built-in rules plus the configured ones.
    pub fn redactor(&self) -> Result<Redactor, crate::redact::RedactError> {
        let mut builder = Redactor::builder().with_preview_max_length(self.preview_max_length);
        for (name, pattern) in &self.redact_patterns {
            builder = builder.with_rule(name.clone(), pattern.clone());
        }
        for key in &self.redact_keys {
            builder = builder.with_secret_key(key);
        }
        builder.build()
    }

    /// The URL the OTLP exporter posts to.
    pub fn traces_endpoint(&self) -> String {
        match self.protocol {
            OtlpProtocol::Grpc => self.endpoint.clone(),
            OtlpProtocol::HttpProtobuf => signal_url(&self.endpoint, "traces"),
        }
    }

    /// The URL the OTLP metric exporter posts to: the same collector as the spans, on `/v1/metrics` for
    /// http/protobuf (an endpoint given with `/v1/traces` is the traces path of that collector).
    pub fn metrics_endpoint(&self) -> String {
        match self.protocol {
            OtlpProtocol::Grpc => self.endpoint.clone(),
            OtlpProtocol::HttpProtobuf => signal_url(&self.endpoint, "metrics"),
        }
    }
}

/// The http/protobuf URL of one signal on the collector at `endpoint`: its path with `/v1/{signal}` appended, or in
/// place of a `/v1/traces` it already ends with; the query is kept. An endpoint that is not a URL (the loaded
/// settings have been checked, one built in code may not have been) is returned as it is, for the exporter to refuse.
fn signal_url(endpoint: &str, signal: &str) -> String {
    let Ok(mut url) = Url::parse(endpoint) else { return endpoint.to_owned() };
    let path = url.path().trim_end_matches('/');
    let base = path.strip_suffix("/v1/traces").unwrap_or(path);
    url.set_path(&format!("{base}/v1/{signal}"));
    url.into()
}

/// An endpoint must be an http URL; plaintext to a remote host needs the explicit insecure switch. TLS is not
/// built in: run a collector beside the engine and let it forward over TLS.
fn check_endpoint(value: &str, insecure: bool) -> Result<String, ConfigError> {
    let url = Url::parse(value).map_err(|e| invalid(ENDPOINT, value, format!("not a URL: {e}")))?;
    match url.scheme() {
        "http" => {}
        "https" => {
            return Err(invalid(
                ENDPOINT,
                value,
                "https is not supported by this build; send to a local collector over http and let it forward \
                 over TLS",
            ));
        }
        other => return Err(invalid(ENDPOINT, value, format!("unsupported scheme {other:?}, expected http"))),
    }
    let Some(host) = url.host_str() else { return Err(invalid(ENDPOINT, value, "the URL has no host")) };
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host.trim_matches(['[', ']']).parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
    if !loopback && !insecure {
        return Err(invalid(
            ENDPOINT,
            value,
            format!("plaintext to a remote host needs {INSECURE}=true (or a local collector)"),
        ));
    }
    Ok(value.to_owned())
}

#[cfg(test)]
mod tests;
