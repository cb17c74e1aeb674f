//! Service configuration from the environment and the command line (docs/configuration.md).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use engine_instrumentation::TracingConfig;
use engine_instrumentation::config::{REDACT_KEYS, REDACT_PATTERNS};
use engine_instrumentation::redact::{RedactError, Redactor};

use clap::Parser as _;

use crate::auth::{AuthConfig, ServiceToken};
use crate::features::Features;
use crate::links::LinkTemplate;

pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
/// The OTLP/gRPC receiver's standard port.
pub const DEFAULT_OTLP_GRPC_BIND: &str = "127.0.0.1:4317";
/// OTLP batches from busy engines are large; bodies above this answer 413.
pub const DEFAULT_OTLP_MAX_BYTES: usize = 16 * 1024 * 1024;
/// Only the service's own pages may frame its pages unless `TRACE_API_FRAME_ANCESTORS` says otherwise.
pub const DEFAULT_FRAME_ANCESTORS: &str = "'self'";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// `TRACE_API_DATABASE_URL`; default a SQLite file under `TRACE_API_DATA_DIR` (default `.data`).
    pub database_url: String,
    /// `TRACE_API_BIND` or `--bind`.
    pub bind: String,
    /// `TRACE_API_WWW_DIR` or `--www`: the built web bundle to serve.
    pub www_dir: Option<PathBuf>,
    /// `--demo`: run the sample workflows at start-up.
    pub demo: bool,
    pub auth: AuthConfig,
    /// `TRACE_API_JAEGER_URL`, `TRACE_API_TEMPO_URL`, `TRACE_API_GRAFANA_URL`: dashboard links per trace.
    pub links: Vec<LinkTemplate>,
    /// `TRACE_API_OTLP_MAX_BYTES`: the largest OTLP request on either transport (after decompression).
    pub otlp_max_bytes: usize,
    /// `TRACE_API_OTLP_GRPC_BIND` or `--otlp-grpc-bind`: where the OTLP/gRPC receiver listens (`off`: not at all).
    pub otlp_grpc_bind: Option<String>,
    /// `TRACE_API_REDACT` and the instrumentation's redaction variables: what the receivers redact on arrival.
    pub redaction: Redaction,
    /// `TRACE_API_CACHE_TTL_SECONDS`: how long a finished trace page stays cached (0 turns the cache off).
    pub cache_ttl: Duration,
    /// `TRACE_API_TRACE_TAB`: what `GET /api/features` advertises.
    pub features: Features,
    /// `TRACE_API_RETENTION_DAYS`: finished executions older than this are deleted (unset or 0: kept forever).
    pub retention: Option<Duration>,
    /// `TRACE_API_STALL_AFTER_SECONDS`: a running execution that hears of no span for this long shows as stalled
    /// (0: never).
    pub stall_after: Option<Duration>,
    /// `TRACE_API_FRAME_ANCESTORS`: who may frame the web bundle's pages, a CSP `frame-ancestors` source list.
    pub frame_ancestors: String,
}

/// The command line. Flags win over the variables they name; the variables themselves are read through a lookup
/// (see [`Config::load`]) so that tests need no process environment.
#[derive(Debug, Default, clap::Parser)]
#[command(name = "trace-api", version, about = "The trace API: REST, live updates, OTLP receivers and the web pages")]
struct Flags {
    /// Run the sample workflows at start-up and keep a live run going.
    #[arg(long)]
    demo: bool,
    /// Where the HTTP server listens [env: TRACE_API_BIND] [default: 127.0.0.1:8080].
    #[arg(long, value_name = "ADDR")]
    bind: Option<String>,
    /// Where the OTLP/gRPC receiver listens, or `off` [env: TRACE_API_OTLP_GRPC_BIND] [default: 127.0.0.1:4317].
    #[arg(long, value_name = "ADDR|off")]
    otlp_grpc_bind: Option<String>,
    /// The built web pages to serve (`cargo xtask dist`) [env: TRACE_API_WWW_DIR].
    #[arg(long, value_name = "DIR")]
    www: Option<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A bad flag, or `--help` / `--version` (clap's [`clap::Error::exit`] prints them with the right status).
    #[error(transparent)]
    Arguments(#[from] clap::Error),
    #[error("cannot create the data directory {path}: {reason}")]
    DataDir { path: String, reason: String },
    #[error("{name}={value:?} is invalid: {reason}")]
    Invalid { name: &'static str, value: String, reason: String },
}

fn invalid(name: &'static str, value: &str, reason: impl Into<String>) -> ConfigError {
    ConfigError::Invalid { name, value: value.to_owned(), reason: reason.into() }
}

/// A value given inline, or as `@/path/to/file`.
fn inline_or_file(name: &'static str, value: &str) -> Result<String, ConfigError> {
    match value.strip_prefix('@') {
        Some(path) => std::fs::read_to_string(path).map_err(|e| invalid(name, value, e.to_string())),
        None => Ok(value.to_owned()),
    }
}

fn auth_config(env: &impl Fn(&str) -> Option<String>) -> Result<AuthConfig, ConfigError> {
    let required = match env("TRACE_API_AUTH_MODE").as_deref() {
        None | Some("disabled") => false,
        Some("required") => true,
        Some(other) => return Err(invalid("TRACE_API_AUTH_MODE", other, "expected disabled or required")),
    };
    let jwt_public_keys = match env("TRACE_API_JWT_PUBLIC_KEY") {
        Some(v) => vec![inline_or_file("TRACE_API_JWT_PUBLIC_KEY", &v)?],
        None => vec![],
    };
    let jwks = env("TRACE_API_JWKS").map(|v| inline_or_file("TRACE_API_JWKS", &v)).transpose()?;
    let service_tokens = match env("TRACE_API_SERVICE_TOKENS") {
        Some(v) => {
            let text = inline_or_file("TRACE_API_SERVICE_TOKENS", &v)?;
            serde_json::from_str::<Vec<ServiceToken>>(&text).map_err(|e| {
                invalid("TRACE_API_SERVICE_TOKENS", &v, format!("expected [{{name, sha256, scopes, workspaces}}]: {e}"))
            })?
        }
        None => vec![],
    };
    Ok(AuthConfig {
        required,
        jwt_secret: env("TRACE_API_JWT_SECRET"),
        jwt_public_keys,
        jwks,
        issuer: env("TRACE_API_JWT_ISSUER"),
        audience: env("TRACE_API_JWT_AUDIENCE"),
        service_tokens,
    })
}

/// A CSP `frame-ancestors` source list: `'self'`, `'none'`, schemes (`https:`) and origins
/// (`https://canvas.example.com`, `https://*.example.com:8443`), separated by spaces. Anything else (a `;` or `,`
/// would start another directive or policy) is refused.
fn frame_ancestors(value: &str) -> Result<String, ConfigError> {
    const NAME: &str = "TRACE_API_FRAME_ANCESTORS";
    let sources: Vec<&str> = value.split_whitespace().collect();
    if sources.is_empty() {
        return Err(invalid(NAME, value, "expected 'self', 'none' or origins such as https://canvas.example.com"));
    }
    for source in &sources {
        let keyword = matches!(*source, "'self'" | "'none'");
        let origin = source.chars().all(|c| c.is_ascii_alphanumeric() || "-._:/*[]".contains(c));
        if !keyword && !origin {
            return Err(invalid(NAME, value, format!("{source:?} is not 'self', 'none', a scheme or an origin")));
        }
        if *source == "'none'" && sources.len() > 1 {
            return Err(invalid(NAME, value, "'none' cannot be combined with other sources"));
        }
    }
    Ok(sources.join(" "))
}

/// Redaction of spans received over OTLP: the instrumentation's built-in rules plus the rules and keys configured
/// for it (`ORCHEO_TRACING_REDACT_PATTERNS`, `ORCHEO_TRACING_REDACT_KEYS`), unless `TRACE_API_REDACT=off`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Redaction {
    pub enabled: bool,
    /// Extra rules, name → regex.
    pub patterns: BTreeMap<String, String>,
    /// Extra secret-named keys.
    pub keys: Vec<String>,
}

impl Redaction {
    /// The redactor, or `None` when redaction is off.
    pub fn redactor(&self) -> Result<Option<Redactor>, RedactError> {
        if !self.enabled {
            return Ok(None);
        }
        let tracing = TracingConfig {
            redact_patterns: self.patterns.clone(),
            redact_keys: self.keys.clone(),
            ..TracingConfig::default()
        };
        tracing.redactor().map(Some)
    }
}

fn redaction(env: &impl Fn(&str) -> Option<String>) -> Result<Redaction, ConfigError> {
    let enabled = match env("TRACE_API_REDACT").as_deref().map(str::trim) {
        None | Some("" | "on") => true,
        Some("off") => false,
        Some(other) => return Err(invalid("TRACE_API_REDACT", other, "expected on or off")),
    };
    // Only the redaction variables: the service does not run the instrumentation's exporters.
    let tracing =
        TracingConfig::from_lookup(
            |name| if [REDACT_PATTERNS, REDACT_KEYS].contains(&name) { env(name) } else { None },
        )
        .map_err(|e| invalid(e.variable, &e.value, e.reason))?;
    Ok(Redaction { enabled, patterns: tracing.redact_patterns, keys: tracing.redact_keys })
}

/// An address, or `off`; empty is the default.
fn grpc_bind(value: &str) -> Option<String> {
    match value.trim() {
        "" => Some(DEFAULT_OTLP_GRPC_BIND.to_owned()),
        off if off.eq_ignore_ascii_case("off") => None,
        addr => Some(addr.to_owned()),
    }
}

fn number<T: std::str::FromStr>(
    env: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: T,
) -> Result<T, ConfigError> {
    match env(name) {
        None => Ok(default),
        Some(v) => v.trim().parse().map_err(|_| invalid(name, &v, "expected a non-negative integer")),
    }
}

impl Config {
    /// Reads `env` (a variable lookup) and `args` (without the program name); flags win over variables.
    pub fn load(
        env: impl Fn(&str) -> Option<String>,
        args: impl IntoIterator<Item = String>,
    ) -> Result<Self, ConfigError> {
        let mut links = Vec::new();
        for (name, var) in
            [("Jaeger", "TRACE_API_JAEGER_URL"), ("Tempo", "TRACE_API_TEMPO_URL"), ("Grafana", "TRACE_API_GRAFANA_URL")]
        {
            if let Some(template) = env(var) {
                links.push(LinkTemplate::parse(name, &template).map_err(|reason| invalid(var, &template, reason))?);
            }
        }
        let mut config = Self {
            database_url: env("TRACE_API_DATABASE_URL").unwrap_or_default(),
            bind: env("TRACE_API_BIND").unwrap_or_else(|| DEFAULT_BIND.to_owned()),
            www_dir: env("TRACE_API_WWW_DIR").map(PathBuf::from),
            demo: false,
            auth: auth_config(&env)?,
            links,
            otlp_max_bytes: number(&env, "TRACE_API_OTLP_MAX_BYTES", DEFAULT_OTLP_MAX_BYTES)?,
            otlp_grpc_bind: grpc_bind(&env("TRACE_API_OTLP_GRPC_BIND").unwrap_or_default()),
            redaction: redaction(&env)?,
            cache_ttl: Duration::from_secs(number(&env, "TRACE_API_CACHE_TTL_SECONDS", 300)?),
            features: Features::from_env(&env)?,
            retention: match number::<u64>(&env, "TRACE_API_RETENTION_DAYS", 0)? {
                0 => None,
                days => Some(Duration::from_secs(days.saturating_mul(86_400))),
            },
            stall_after: match number::<u64>(&env, "TRACE_API_STALL_AFTER_SECONDS", 600)? {
                0 => None,
                seconds => Some(Duration::from_secs(seconds)),
            },
            frame_ancestors: DEFAULT_FRAME_ANCESTORS.to_owned(),
        };
        if let Some(sources) = env("TRACE_API_FRAME_ANCESTORS") {
            config.frame_ancestors = frame_ancestors(&sources)?;
        }
        let flags = Flags::try_parse_from(std::iter::once("trace-api".to_owned()).chain(args))?;
        config.demo = flags.demo;
        if let Some(bind) = flags.bind {
            config.bind = bind;
        }
        if let Some(grpc) = flags.otlp_grpc_bind {
            config.otlp_grpc_bind = grpc_bind(&grpc);
        }
        if let Some(www) = flags.www {
            config.www_dir = Some(www);
        }
        if config.database_url.is_empty() {
            let data_dir = PathBuf::from(env("TRACE_API_DATA_DIR").unwrap_or_else(|| ".data".to_owned()));
            std::fs::create_dir_all(&data_dir)
                .map_err(|e| ConfigError::DataDir { path: data_dir.display().to_string(), reason: e.to_string() })?;
            config.database_url = format!("sqlite://{}", data_dir.join("trace.db").display());
        }
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> = pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        move |key| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
    }

    #[test]
    fn flags_override_environment() -> Result<(), ConfigError> {
        let config = Config::load(
            env(&[("TRACE_API_BIND", "0.0.0.0:1"), ("TRACE_API_DATABASE_URL", "sqlite::memory:")]),
            ["--bind".to_owned(), "127.0.0.1:9".to_owned(), "--demo".to_owned()],
        )?;
        assert_eq!(config.bind, "127.0.0.1:9");
        assert!(config.demo);
        assert_eq!(config.database_url, "sqlite::memory:");
        assert!(!config.auth.required);
        assert_eq!(config.retention, None, "kept forever unless configured");
        let days = Config::load(
            env(&[("TRACE_API_DATABASE_URL", "sqlite::memory:"), ("TRACE_API_RETENTION_DAYS", "30")]),
            Vec::new(),
        )?;
        assert_eq!(days.retention, Some(Duration::from_secs(30 * 86_400)));
        assert_eq!(config.stall_after, Some(Duration::from_secs(600)));
        let never = Config::load(
            env(&[("TRACE_API_DATABASE_URL", "sqlite::memory:"), ("TRACE_API_STALL_AFTER_SECONDS", "0")]),
            Vec::new(),
        )?;
        assert_eq!(never.stall_after, None);
        Ok(())
    }

    #[test]
    fn bad_arguments_and_values_are_named() {
        let none = env(&[("TRACE_API_DATABASE_URL", "sqlite::memory:")]);
        let kind = |args: &[&str]| match Config::load(&none, args.iter().map(|a| (*a).to_owned())) {
            Err(ConfigError::Arguments(e)) => Some(e.kind()),
            _ => None,
        };
        assert_eq!(kind(&["--bind"]), Some(clap::error::ErrorKind::InvalidValue));
        assert_eq!(kind(&["--nope"]), Some(clap::error::ErrorKind::UnknownArgument));
        assert_eq!(kind(&["--help"]), Some(clap::error::ErrorKind::DisplayHelp));
        assert_eq!(kind(&["--version"]), Some(clap::error::ErrorKind::DisplayVersion));
        let bad_mode = Config::load(env(&[("TRACE_API_AUTH_MODE", "maybe")]), Vec::new());
        assert!(matches!(bad_mode, Err(ConfigError::Invalid { name: "TRACE_API_AUTH_MODE", .. })));
        let bad_tokens = Config::load(env(&[("TRACE_API_SERVICE_TOKENS", "[{\"x\":1}]")]), Vec::new());
        assert!(matches!(bad_tokens, Err(ConfigError::Invalid { name: "TRACE_API_SERVICE_TOKENS", .. })));
        let bad_limit = Config::load(env(&[("TRACE_API_OTLP_MAX_BYTES", "lots")]), Vec::new());
        assert!(matches!(bad_limit, Err(ConfigError::Invalid { name: "TRACE_API_OTLP_MAX_BYTES", .. })));
        let bad_days = Config::load(env(&[("TRACE_API_RETENTION_DAYS", "-3")]), Vec::new());
        assert!(matches!(bad_days, Err(ConfigError::Invalid { name: "TRACE_API_RETENTION_DAYS", .. })));
        let bad_link = Config::load(env(&[("TRACE_API_JAEGER_URL", "http://j/trace")]), Vec::new());
        assert!(matches!(bad_link, Err(ConfigError::Invalid { name: "TRACE_API_JAEGER_URL", .. })));
    }

    #[test]
    fn frame_ancestors_are_a_checked_source_list() -> Result<(), ConfigError> {
        let load = |value: &str| {
            Config::load(
                env(&[("TRACE_API_DATABASE_URL", "sqlite::memory:"), ("TRACE_API_FRAME_ANCESTORS", value)]),
                Vec::new(),
            )
        };
        let default = Config::load(env(&[("TRACE_API_DATABASE_URL", "sqlite::memory:")]), Vec::new())?;
        assert_eq!(default.frame_ancestors, "'self'");
        let canvas = load("  'self'   https://canvas.example.com https://*.example.org:8443 ")?;
        assert_eq!(canvas.frame_ancestors, "'self' https://canvas.example.com https://*.example.org:8443");
        assert_eq!(load("'none'")?.frame_ancestors, "'none'");
        for bad in
            ["", "'self'; script-src *", "https://a.example, https://b.example", "'unsafe-inline'", "'none' 'self'"]
        {
            assert!(
                matches!(load(bad), Err(ConfigError::Invalid { name: "TRACE_API_FRAME_ANCESTORS", .. })),
                "{bad:?}"
            );
        }
        Ok(())
    }

    #[test]
    fn grpc_receiver_and_redaction_settings() -> Result<(), Box<dyn std::error::Error>> {
        let db = ("TRACE_API_DATABASE_URL", "sqlite::memory:");
        let defaults = Config::load(env(&[db]), Vec::new())?;
        assert_eq!(defaults.otlp_grpc_bind.as_deref(), Some(DEFAULT_OTLP_GRPC_BIND));
        let empty = Config::load(env(&[db, ("TRACE_API_OTLP_GRPC_BIND", " ")]), Vec::new())?;
        assert_eq!(empty.otlp_grpc_bind.as_deref(), Some(DEFAULT_OTLP_GRPC_BIND));
        assert!(defaults.redaction.enabled && defaults.redaction.redactor()?.is_some());
        let off =
            Config::load(env(&[db, ("TRACE_API_OTLP_GRPC_BIND", "off"), ("TRACE_API_REDACT", "off")]), Vec::new())?;
        assert_eq!(off.otlp_grpc_bind, None);
        assert!(off.redaction.redactor()?.is_none());
        let flag = Config::load(env(&[db]), ["--otlp-grpc-bind".to_owned(), "0.0.0.0:14317".to_owned()])?;
        assert_eq!(flag.otlp_grpc_bind.as_deref(), Some("0.0.0.0:14317"));
        let custom = Config::load(
            env(&[
                db,
                ("ORCHEO_TRACING_REDACT_PATTERNS", r#"{"ticket": "TCK-\\d+"}"#),
                ("ORCHEO_TRACING_REDACT_KEYS", "pin"),
                // Not the receiver's business: an exporter setting never stops the service.
                ("ORCHEO_TRACING_ENDPOINT", "https://remote"),
            ]),
            Vec::new(),
        )?;
        let redactor = custom.redaction.redactor()?.ok_or("redaction is on by default")?;
        assert_eq!(redactor.redact("see TCK-42"), "see [REDACTED:ticket]");
        assert!(redactor.is_secret_key("user.pin"));
        let bad = Config::load(env(&[db, ("TRACE_API_REDACT", "maybe")]), Vec::new());
        assert!(matches!(bad, Err(ConfigError::Invalid { name: "TRACE_API_REDACT", .. })));
        let bad_rule = Config::load(env(&[db, ("ORCHEO_TRACING_REDACT_PATTERNS", r#"{"x": "("}"#)]), Vec::new());
        assert!(matches!(bad_rule, Err(ConfigError::Invalid { name: "ORCHEO_TRACING_REDACT_PATTERNS", .. })));
        Ok(())
    }

    #[test]
    fn default_database_lives_in_the_data_dir() -> Result<(), ConfigError> {
        let dir = std::env::temp_dir().join(format!("trace-api-config-{}", std::process::id()));
        let dir_text = dir.display().to_string();
        let config = Config::load(env(&[("TRACE_API_DATA_DIR", &dir_text)]), Vec::new())?;
        assert_eq!(config.database_url, format!("sqlite://{}", dir.join("trace.db").display()));
        assert_eq!(config.bind, DEFAULT_BIND);
        assert!(dir.is_dir());
        let _ = std::fs::remove_dir_all(dir);
        Ok(())
    }
}
