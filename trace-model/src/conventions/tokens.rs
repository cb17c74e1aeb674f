//! Token usage and cost, from the first convention that reports them.

use crate::wire::{Attributes, TokenUsage};

use super::as_count;
use super::names::*;

/// Token attribute pairs, in the order they are trusted.
const TOKEN_KEYS: [(&str, &str); 4] = [
    (GEN_AI_INPUT_TOKENS, GEN_AI_OUTPUT_TOKENS),
    (GEN_AI_PROMPT_TOKENS, GEN_AI_COMPLETION_TOKENS),
    (TOKEN_INPUT, TOKEN_OUTPUT),
    (LLM_PROMPT_TOKENS, LLM_COMPLETION_TOKENS),
];

/// Token usage recorded on a span, from the first convention that has it.
pub fn token_usage(attributes: &Attributes) -> Option<TokenUsage> {
    TOKEN_KEYS.iter().find_map(|(input_key, output_key)| {
        let input = attributes.get(*input_key).and_then(as_count);
        let output = attributes.get(*output_key).and_then(as_count);
        if input.is_none() && output.is_none() {
            return None;
        }
        Some(TokenUsage::new(input.unwrap_or(0), output.unwrap_or(0)))
    })
}

/// The parts of the input and output counts that providers bill differently. They are already inside the
/// input and output counts, so they are shown, never added.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TokenDetails {
    pub cache_read: Option<u64>,
    pub cache_write: Option<u64>,
    pub reasoning: Option<u64>,
}

impl TokenDetails {
    pub fn is_empty(&self) -> bool {
        self.cache_read.is_none() && self.cache_write.is_none() && self.reasoning.is_none()
    }
}

pub fn token_details(attributes: &Attributes) -> TokenDetails {
    let count = |keys: &[&str]| keys.iter().find_map(|key| attributes.get(*key).and_then(as_count));
    TokenDetails {
        cache_read: count(&[GEN_AI_CACHE_READ_TOKENS, LLM_CACHE_READ_TOKENS]),
        cache_write: count(&[GEN_AI_CACHE_CREATION_TOKENS, LLM_CACHE_WRITE_TOKENS]),
        reasoning: count(&[LLM_REASONING_TOKENS, "gen_ai.usage.reasoning.output_tokens"]),
    }
}

/// What the sender says the call cost (OpenInference `llm.cost.*`, else `gen_ai.usage.cost`), in US dollars.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Cost {
    pub total: f64,
    pub prompt: Option<f64>,
    pub completion: Option<f64>,
}

pub fn cost(attributes: &Attributes) -> Option<Cost> {
    let amount = |key: &str| attributes.get(key).and_then(|v| v.as_f64().or_else(|| v.as_str()?.trim().parse().ok()));
    let prompt = amount(LLM_COST_PROMPT);
    let completion = amount(LLM_COST_COMPLETION);
    let total = amount(LLM_COST_TOTAL)
        .or_else(|| match (prompt, completion) {
            (None, None) => None,
            (p, c) => Some(p.unwrap_or(0.0) + c.unwrap_or(0.0)),
        })
        .or_else(|| amount(GEN_AI_USAGE_COST))?;
    Some(Cost { total, prompt, completion }).filter(|c| c.total.is_finite() && c.total >= 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conventions::tests::attrs;
    use serde_json::json;

    #[test]
    fn tokens_from_first_matching_convention() {
        let a = attrs(&[
            (LLM_PROMPT_TOKENS, json!(1)),
            (GEN_AI_INPUT_TOKENS, json!(12)),
            (GEN_AI_OUTPUT_TOKENS, json!("30")),
        ]);
        assert_eq!(token_usage(&a), Some(TokenUsage { input: 12, output: 30, total: 42 }));
        let b = attrs(&[(LLM_COMPLETION_TOKENS, json!(7))]);
        assert_eq!(token_usage(&b), Some(TokenUsage { input: 0, output: 7, total: 7 }));
        assert_eq!(token_usage(&attrs(&[(GEN_AI_INPUT_TOKENS, json!(-3))])), None);
    }

    #[test]
    fn deprecated_genai_and_orcheo_python_names() {
        let old = attrs(&[(GEN_AI_PROMPT_TOKENS, json!(5)), (GEN_AI_COMPLETION_TOKENS, json!(6))]);
        assert_eq!(token_usage(&old), Some(TokenUsage::new(5, 6)));
        let orcheo = attrs(&[(TOKEN_INPUT, json!(40)), (TOKEN_OUTPUT, json!(2))]);
        assert_eq!(token_usage(&orcheo), Some(TokenUsage::new(40, 2)));
    }

    #[test]
    fn details_and_cost_are_read_not_added() {
        let a = attrs(&[
            (LLM_PROMPT_TOKENS, json!(100)),
            (LLM_CACHE_READ_TOKENS, json!(80)),
            (LLM_REASONING_TOKENS, json!(12)),
            (LLM_COST_PROMPT, json!(0.002)),
            (LLM_COST_COMPLETION, json!("0.001")),
        ]);
        assert_eq!(token_usage(&a), Some(TokenUsage::new(100, 0)));
        let details = token_details(&a);
        assert_eq!((details.cache_read, details.cache_write, details.reasoning), (Some(80), None, Some(12)));
        let cost = cost(&a).map(|c| (c.total * 1e6).round());
        assert_eq!(cost, Some(3000.0));
        assert_eq!(super::cost(&Attributes::new()), None);
        assert!(token_details(&Attributes::new()).is_empty());
    }
}
