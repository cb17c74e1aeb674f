//! A deterministic local language model: same messages, same answer, same token counts. It stands in for a real
//! provider in demos and tests, so traces show real GenAI spans without a network. Tokens are counted with the
//! `o200k_base` BPE tokenizer (tiktoken), the encoding of current OpenAI models.

use tiktoken_rs::o200k_base_singleton;

use engine_instrumentation::calls::{LlmRequest, LlmResponse, Message};

/// The provider name the local model reports (`gen_ai.provider.name`).
pub const PROVIDER: &str = "orcheo.local";

/// Tokens of `text` under `o200k_base`.
pub fn count_tokens(text: &str) -> u64 {
    u64::try_from(o200k_base_singleton().encode_with_special_tokens(text).len()).unwrap_or(u64::MAX)
}

/// Chat overhead per message, as OpenAI counts it for its chat format (role and separators).
const TOKENS_PER_MESSAGE: u64 = 3;
/// Every reply is primed with `<|start|>assistant<|message|>`.
const REPLY_PRIMING: u64 = 3;

/// Answers with a short summary of the last user message: its first words, framed.
pub fn complete(request: &LlmRequest) -> LlmResponse {
    let last = request.messages.iter().rev().find(|m| m.role == "user").map_or("", |m| m.content.as_str());
    let words: Vec<&str> = last.split_whitespace().collect();
    let gist = words.iter().take(12).copied().collect::<Vec<_>>().join(" ");
    let text = format!("Summary ({} words in): {gist}", words.len());
    let input_tokens = request
        .messages
        .iter()
        .map(|m| TOKENS_PER_MESSAGE + count_tokens(&m.role) + count_tokens(&m.content))
        .sum::<u64>()
        + REPLY_PRIMING;
    LlmResponse {
        id: format!("local-{:016x}", fnv1a(last)),
        model: request.model.clone(),
        output_tokens: count_tokens(&text),
        message: Message::new("assistant", text),
        finish_reason: "stop".to_owned(),
        input_tokens,
    }
}

/// A stable id for a reply (not a security hash).
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(text: &str) -> LlmRequest {
        LlmRequest {
            operation: "chat".to_owned(),
            provider: PROVIDER.to_owned(),
            model: "local-mini".to_owned(),
            messages: vec![Message::new("system", "Be brief."), Message::new("user", text)],
        }
    }

    #[test]
    fn counts_bpe_tokens_not_characters() {
        // "tokenization" is one word but several BPE pieces; " hello" is a single token.
        assert_eq!(count_tokens("hello world"), 2);
        assert!(count_tokens("antidisestablishmentarianism") > 1);
        assert!(count_tokens("hello world") < u64::try_from("hello world".len()).unwrap_or(0));
    }

    #[test]
    fn deterministic_with_chat_token_counts() {
        let a = complete(&request("Hello, world! Summarize this."));
        assert_eq!(a, complete(&request("Hello, world! Summarize this.")));
        let expected = 2 * TOKENS_PER_MESSAGE
            + count_tokens("system")
            + count_tokens("Be brief.")
            + count_tokens("user")
            + count_tokens("Hello, world! Summarize this.")
            + REPLY_PRIMING;
        assert_eq!(a.input_tokens, expected);
        assert!(a.message.content.starts_with("Summary (4 words in): Hello, world!"));
        assert_eq!(a.output_tokens, count_tokens(&a.message.content));
    }
}
