//! Which model a span called, and through which provider.

use crate::wire::Attributes;

use super::names::*;
use super::str_attr;

/// The model names a span carries.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ModelNames<'a> {
    /// What the caller asked for (`gpt-4o`).
    pub requested: Option<&'a str>,
    /// What the provider says answered (`gpt-4o-2024-08-06`), when it differs from the request.
    pub served: Option<&'a str>,
    pub provider: Option<&'a str>,
}

impl<'a> ModelNames<'a> {
    /// The name a trace's models are counted by: the requested model, so that a call reporting both its request
    /// and its response model counts once, under the name the caller chose.
    pub fn key(&self) -> Option<&'a str> {
        self.requested.or(self.served)
    }
}

pub fn model_names(attributes: &Attributes) -> ModelNames<'_> {
    let first = |keys: &[&str]| keys.iter().find_map(|key| str_attr(attributes, key)).filter(|m| !m.trim().is_empty());
    // The Python engine writes `provider:model`.
    let orcheo_requested = str_attr(attributes, AI_MODEL_REQUESTED).map(split_provider);
    let requested = first(&[GEN_AI_REQUEST_MODEL, LLM_MODEL_NAME]).or(orcheo_requested.map(|(_, model)| model));
    let served = first(&[GEN_AI_RESPONSE_MODEL, AI_MODEL_ACTUAL]).filter(|served| Some(*served) != requested);
    let provider = first(&[GEN_AI_PROVIDER, GEN_AI_SYSTEM, LLM_PROVIDER, LLM_SYSTEM, AI_PROVIDER])
        .or(orcheo_requested.and_then(|(provider, _)| provider));
    ModelNames { requested, served, provider }
}

/// The model a span used, as a reader names it: the served model, else the requested one.
pub fn model(attributes: &Attributes) -> Option<&str> {
    let names = model_names(attributes);
    names.served.or(names.requested)
}

fn split_provider(identifier: &str) -> (Option<&str>, &str) {
    match identifier.split_once(':') {
        Some((provider, model)) if !provider.trim().is_empty() && !model.trim().is_empty() => {
            (Some(provider.trim()), model.trim())
        }
        _ => (None, identifier.trim()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conventions::tests::attrs;
    use serde_json::json;

    #[test]
    fn request_and_response_model_are_one_model() {
        let a = attrs(&[
            (GEN_AI_REQUEST_MODEL, json!("gpt-4o")),
            (GEN_AI_RESPONSE_MODEL, json!("gpt-4o-2024-08-06")),
            (GEN_AI_SYSTEM, json!("openai")),
        ]);
        let names = model_names(&a);
        assert_eq!(names.key(), Some("gpt-4o"));
        assert_eq!((names.served, names.provider), (Some("gpt-4o-2024-08-06"), Some("openai")));
        assert_eq!(model(&a), Some("gpt-4o-2024-08-06"));
        let same = attrs(&[(GEN_AI_REQUEST_MODEL, json!("m")), (GEN_AI_RESPONSE_MODEL, json!("m"))]);
        assert_eq!(model_names(&same).served, None, "an echo of the request is not a second model");
    }

    #[test]
    fn openinference_and_orcheo_python_names() {
        let oi = attrs(&[(LLM_MODEL_NAME, json!("claude-3-5")), (LLM_PROVIDER, json!("anthropic"))]);
        assert_eq!((model_names(&oi).key(), model_names(&oi).provider), (Some("claude-3-5"), Some("anthropic")));
        let orcheo =
            attrs(&[(AI_MODEL_REQUESTED, json!("openai:gpt-4o-mini")), (AI_MODEL_ACTUAL, json!("gpt-4o-mini"))]);
        let names = model_names(&orcheo);
        assert_eq!((names.key(), names.served, names.provider), (Some("gpt-4o-mini"), None, Some("openai")));
        assert_eq!(model_names(&Attributes::new()).key(), None);
    }
}
