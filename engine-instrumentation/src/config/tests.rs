use std::collections::HashMap;
use std::time::Duration;

use super::*;

fn from(pairs: &[(&str, &str)]) -> Result<TracingConfig, ConfigError> {
    let map: HashMap<String, String> = pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    TracingConfig::from_lookup(|name| map.get(name).cloned())
}

#[test]
fn defaults_when_nothing_is_set() -> Result<(), ConfigError> {
    let config = from(&[])?;
    assert_eq!(config, TracingConfig::default());
    assert!(config.enabled && config.capture_prompts && config.capture_state);
    assert_eq!(config.exporter, ExporterKind::None);
    assert_eq!(config.preview_max_length, 512);
    assert_eq!(config.traces_endpoint(), "http://localhost:4318/v1/traces");
    assert_eq!(config.metrics_endpoint(), "http://localhost:4318/v1/metrics");
    assert_eq!(config.metrics_interval, Duration::from_secs(60));
    Ok(())
}

#[test]
fn reads_every_variable() -> Result<(), ConfigError> {
    let config = from(&[
        (ENABLED, "false"),
        (EXPORTER, "OTLP"),
        (PROTOCOL, "grpc"),
        (ENDPOINT, "http://collector.internal:4317"),
        (INSECURE, "yes"),
        (SERVICE_NAME, "orcheo-worker"),
        (SAMPLE_RATIO, "0.25"),
        (HIGH_TOKEN_THRESHOLD, "900"),
        (PREVIEW_MAX_LENGTH, "64"),
        (CAPTURE_PROMPTS, "0"),
        (CAPTURE_STATE, "off"),
        (EXECUTION_BUDGET_BYTES, "2048"),
        (REDACT_PATTERNS, r#"{"ticket": "TCK-\\d+"}"#),
        (REDACT_KEYS, "pin, otp"),
        (METRICS_INTERVAL_MS, "1500"),
    ])?;
    assert!(!config.enabled && !config.capture_prompts && !config.capture_state && config.insecure);
    assert_eq!((config.exporter, config.protocol), (ExporterKind::Otlp, OtlpProtocol::Grpc));
    assert_eq!(config.traces_endpoint(), "http://collector.internal:4317");
    assert_eq!(config.metrics_endpoint(), "http://collector.internal:4317");
    assert_eq!(config.metrics_interval, Duration::from_millis(1500));
    assert_eq!(config.service_name, "orcheo-worker");
    assert_eq!((config.sample_ratio, config.high_token_threshold), (0.25, 900));
    assert_eq!((config.preview_max_length, config.execution_budget_bytes), (64, 2048));
    assert_eq!(config.redact_keys, ["pin", "otp"]);
    let redactor = config.redactor().map_err(|e| invalid(REDACT_PATTERNS, "", e.to_string()))?;
    assert_eq!(redactor.redact("see TCK-42"), "see [REDACTED:ticket]");
    assert!(redactor.is_secret_key("user.otp"));
    Ok(())
}

#[test]
fn grpc_default_endpoint_and_http_path() -> Result<(), ConfigError> {
    assert_eq!(from(&[(PROTOCOL, "grpc")])?.endpoint, "http://localhost:4317");
    let config = from(&[(ENDPOINT, "http://127.0.0.1:9000/v1/traces")])?;
    assert_eq!(config.traces_endpoint(), "http://127.0.0.1:9000/v1/traces");
    assert_eq!(config.metrics_endpoint(), "http://127.0.0.1:9000/v1/metrics");
    let config = from(&[(ENDPOINT, "http://127.0.0.1:9000/otlp/")])?;
    assert_eq!(config.traces_endpoint(), "http://127.0.0.1:9000/otlp/v1/traces");
    assert_eq!(config.metrics_endpoint(), "http://127.0.0.1:9000/otlp/v1/metrics");
    let config = from(&[(ENDPOINT, "http://127.0.0.1:9000/v1/traces/")])?;
    assert_eq!(config.traces_endpoint(), "http://127.0.0.1:9000/v1/traces");
    // The path goes before the query, not after it.
    let config = from(&[(ENDPOINT, "http://127.0.0.1:9000/otlp?tenant=a%2Fb")])?;
    assert_eq!(config.traces_endpoint(), "http://127.0.0.1:9000/otlp/v1/traces?tenant=a%2Fb");
    assert_eq!(config.metrics_endpoint(), "http://127.0.0.1:9000/otlp/v1/metrics?tenant=a%2Fb");
    Ok(())
}

#[test]
fn bad_values_name_their_variable() {
    let cases: [(&str, &str); 15] = [
        (ENABLED, "maybe"),
        (CAPTURE_STATE, "sometimes"),
        (EXPORTER, "jaeger"),
        (PROTOCOL, "http/json"),
        (ENDPOINT, "not a url"),
        (ENDPOINT, "https://collector:4318"),
        (ENDPOINT, "http://collector.example.com:4318"),
        (SAMPLE_RATIO, "1.5"),
        (SAMPLE_RATIO, "half"),
        (PREVIEW_MAX_LENGTH, "0"),
        (REDACT_PATTERNS, r#"{"broken": "("}"#),
        (EXECUTION_BUDGET_BYTES, "-1"),
        (METRICS_INTERVAL_MS, "0"),
        (METRICS_INTERVAL_MS, "-5"),
        (METRICS_INTERVAL_MS, "10s"),
    ];
    for (variable, value) in cases {
        match from(&[(variable, value)]) {
            Err(e) => {
                assert_eq!(e.variable, variable, "{e}");
                assert!(e.to_string().starts_with(variable), "{e}");
            }
            Ok(config) => panic!("{variable}={value} was accepted: {config:?}"),
        }
    }
}

#[test]
fn empty_values_take_the_default() -> Result<(), ConfigError> {
    assert_eq!(from(&[(EXPORTER, ""), (SAMPLE_RATIO, "  ")])?, TracingConfig::default());
    Ok(())
}
