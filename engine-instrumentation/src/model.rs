//! A deterministic local language model: same prompt, same answer, same token counts. It stands in for a real
//! provider in demos and tests, so traces show real GenAI spans without a network.

/// The reply of one model call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Completion {
    pub model: String,
    pub text: String,
    pub input_tokens: u64,
    pub output_tokens: u64,
}

/// Answers with a short summary of the prompt: its first words, framed.
pub fn complete(model: &str, prompt: &str) -> Completion {
    let words: Vec<&str> = prompt.split_whitespace().collect();
    let gist = words.iter().take(12).copied().collect::<Vec<_>>().join(" ");
    let text = format!("Summary ({} words in): {gist}", words.len());
    Completion { model: model.to_owned(), input_tokens: count_tokens(prompt), output_tokens: count_tokens(&text), text }
}

/// Counts word and punctuation pieces, roughly as a BPE tokenizer splits English.
fn count_tokens(text: &str) -> u64 {
    let mut count = 0u64;
    let mut in_word = false;
    for ch in text.chars() {
        if ch.is_alphanumeric() {
            if !in_word {
                count += 1;
                in_word = true;
            }
        } else {
            in_word = false;
            if !ch.is_whitespace() {
                count += 1;
            }
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_with_token_counts() {
        let a = complete("local-mini", "Hello, world! Summarize this.");
        assert_eq!(a, complete("local-mini", "Hello, world! Summarize this."));
        assert_eq!(a.input_tokens, 7);
        assert!(a.text.starts_with("Summary (4 words in): Hello, world!"));
        assert!(a.output_tokens > 0);
    }
}
