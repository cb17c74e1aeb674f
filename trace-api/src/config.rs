//! Service configuration from the environment and the command line (docs/configuration.md).

use std::path::PathBuf;

pub const DEFAULT_BIND: &str = "127.0.0.1:8080";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// `TRACE_API_DATABASE_URL`; default a SQLite file under the data dir.
    pub database_url: String,
    /// `TRACE_API_BIND` or `--bind`.
    pub bind: String,
    /// `TRACE_API_WWW_DIR` or `--www`: the built web bundle to serve.
    pub www_dir: Option<PathBuf>,
    /// `--demo`: run the sample workflows at start-up.
    pub demo: bool,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("{0} needs a value")]
    MissingValue(String),
    #[error("unknown argument {0:?}; usage: trace-api [--demo] [--bind ADDR] [--www DIR]")]
    UnknownArgument(String),
    #[error("cannot create the data directory {path}: {reason}")]
    DataDir { path: String, reason: String },
}

impl Config {
    /// Reads `env` (a variable lookup) and `args` (without the program name); flags win over variables.
    pub fn load(
        env: impl Fn(&str) -> Option<String>,
        args: impl IntoIterator<Item = String>,
    ) -> Result<Self, ConfigError> {
        let mut config = Self {
            database_url: env("TRACE_API_DATABASE_URL").unwrap_or_default(),
            bind: env("TRACE_API_BIND").unwrap_or_else(|| DEFAULT_BIND.to_owned()),
            www_dir: env("TRACE_API_WWW_DIR").map(PathBuf::from),
            demo: false,
        };
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let mut value = || args.next().ok_or_else(|| ConfigError::MissingValue(arg.clone()));
            match arg.as_str() {
                "--demo" => config.demo = true,
                "--bind" => config.bind = value()?,
                "--www" => config.www_dir = Some(PathBuf::from(value()?)),
                _ => return Err(ConfigError::UnknownArgument(arg)),
            }
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

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |key| pairs.iter().find(|(k, _)| *k == key).map(|(_, v)| (*v).to_owned())
    }

    #[test]
    fn flags_override_environment() {
        let config = Config::load(
            env(&[("TRACE_API_BIND", "0.0.0.0:1"), ("TRACE_API_DATABASE_URL", "sqlite::memory:")]),
            ["--bind".to_owned(), "127.0.0.1:9".to_owned(), "--demo".to_owned()],
        );
        let config = config.map_err(|e| e.to_string());
        assert_eq!(config.as_ref().map(|c| c.bind.as_str()), Ok("127.0.0.1:9"));
        assert_eq!(config.as_ref().map(|c| c.demo), Ok(true));
        assert_eq!(config.map(|c| c.database_url), Ok("sqlite::memory:".to_owned()));
    }

    #[test]
    fn bad_arguments_are_named() {
        assert_eq!(Config::load(env(&[]), ["--bind".to_owned()]), Err(ConfigError::MissingValue("--bind".to_owned())));
        assert_eq!(
            Config::load(env(&[]), ["--nope".to_owned()]),
            Err(ConfigError::UnknownArgument("--nope".to_owned()))
        );
    }

    #[test]
    fn default_database_lives_in_the_data_dir() -> Result<(), ConfigError> {
        let dir = std::env::temp_dir().join(format!("trace-api-config-{}", std::process::id()));
        let dir_text: &'static str = Box::leak(dir.display().to_string().into_boxed_str());
        let pairs: &'static [(&'static str, &'static str)] = Box::leak(Box::new([("TRACE_API_DATA_DIR", dir_text)]));
        let config = Config::load(env(pairs), Vec::new())?;
        assert_eq!(config.database_url, format!("sqlite://{}", dir.join("trace.db").display()));
        assert_eq!(config.bind, DEFAULT_BIND);
        assert!(dir.is_dir());
        let _ = std::fs::remove_dir_all(dir);
        Ok(())
    }
}
