//! The Orcheo Python engine previews LangChain message objects as their Python `repr`
//! (`content='…' additional_kwargs={} response_metadata={'model_name': '…', …} id='…'`). A reply from a model
//! is told apart by its `response_metadata`; its content and model are read back from the repr.

/// A model's reply read from its repr.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    pub content: String,
    pub model: Option<String>,
}

/// The reply in `preview`, when it is the repr of a model's message.
pub fn reply(preview: &str) -> Option<Reply> {
    let rest = preview.strip_prefix("content=")?;
    let metadata = preview.find("response_metadata={")?;
    let (content, _) = string_literal(rest)?;
    let model = preview[metadata..].find("'model_name': ").and_then(|at| {
        let value = &preview[metadata + at + "'model_name': ".len()..];
        string_literal(value).map(|(model, _)| model).filter(|m| !m.is_empty())
    });
    Some(Reply { content, model })
}

/// A Python string literal at the start of `text` ('…' or "…", with backslash escapes), and the text after it.
/// A literal cut off by the preview limit yields what is there.
fn string_literal(text: &str) -> Option<(String, &str)> {
    let mut chars = text.char_indices();
    let (_, quote) = chars.next().filter(|(_, c)| *c == '\'' || *c == '"')?;
    let mut out = String::new();
    while let Some((at, c)) = chars.next() {
        match c {
            '\\' => match chars.next().map(|(_, e)| e) {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('r') => out.push('\r'),
                Some(other) => out.push(other),
                None => break,
            },
            c if c == quote => return Some((out, &text[at + 1..])),
            c => out.push(c),
        }
    }
    Some((out, ""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_model_reply_with_its_model() {
        let preview = r#"content='It\'s sunny.\nEnjoy!' additional_kwargs={} response_metadata={'model_name': 'gpt-4o-mini-2024-07-18', 'finish_reason': 'stop'} id='run-1'"#;
        let found = reply(preview);
        assert_eq!(
            found,
            Some(Reply { content: "It's sunny.\nEnjoy!".to_owned(), model: Some("gpt-4o-mini-2024-07-18".to_owned()) })
        );
    }

    #[test]
    fn other_messages_and_cut_previews() {
        assert_eq!(reply("content='hi' additional_kwargs={} id='x'"), None, "no response metadata: not a reply");
        assert_eq!(reply("plain text"), None);
        let cut = reply("content=\"a long answ… response_metadata={");
        assert_eq!(cut.map(|r| r.model), Some(None));
    }
}
