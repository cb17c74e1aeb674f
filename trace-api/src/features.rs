//! Per-deployment switches that the Canvas reads at start-up, so that a feature can be turned off without a rebuild.

use salvo::oapi::ToSchema;
use serde::Serialize;

use crate::config::ConfigError;

/// What the API advertises at `GET /api/features`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct Features {
    /// Whether hosts show the Trace tab (`TRACE_API_TRACE_TAB`, default enabled).
    pub trace_tab: bool,
}

impl Default for Features {
    fn default() -> Self {
        Self { trace_tab: true }
    }
}

impl Features {
    pub const TRACE_TAB_VAR: &'static str = "TRACE_API_TRACE_TAB";

    pub fn from_env(env: &impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let trace_tab = match env(Self::TRACE_TAB_VAR).as_deref().map(str::trim) {
            None | Some("enabled") => true,
            Some("disabled") => false,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    name: Self::TRACE_TAB_VAR,
                    value: other.to_owned(),
                    reason: "expected enabled or disabled".to_owned(),
                });
            }
        };
        Ok(Self { trace_tab })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trace_tab_is_on_unless_disabled() -> Result<(), ConfigError> {
        assert!(Features::from_env(&|_| None)?.trace_tab);
        assert!(Features::from_env(&|_| Some("enabled".to_owned()))?.trace_tab);
        assert!(!Features::from_env(&|_| Some("disabled".to_owned()))?.trace_tab);
        let bad = Features::from_env(&|_| Some("off".to_owned()));
        assert!(matches!(bad, Err(ConfigError::Invalid { name: "TRACE_API_TRACE_TAB", .. })));
        Ok(())
    }
}
