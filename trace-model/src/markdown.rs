//! Markdown in model messages as a small, safe tree for the view to build its nodes from (it never sets HTML).
//! Safe by construction: HTML in the source is kept as text, and only `http:`, `https:` and `mailto:` links keep
//! their target; other links (`javascript:`, `data:`, relative) are text. Images are not loaded: they become
//! links to the image. CommonMark plus strikethrough; tables, footnotes and the like read as their text.

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag};

/// A piece of rendered Markdown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    /// Text, shown as text whatever it holds (HTML included).
    Text(String),
    /// Inline code.
    Code(String),
    SoftBreak,
    HardBreak,
    Rule,
    Element(Block, Vec<Node>),
}

/// What an element is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block {
    Paragraph,
    /// A heading, level 1–6 (the view shows it as emphasised text: its own headings give the outline).
    Heading(u8),
    BlockQuote,
    /// A fenced or indented code block, with the language the fence names.
    CodeBlock(Option<String>),
    /// A list; numbered from `start` when ordered.
    List(Option<u64>),
    Item,
    Emphasis,
    Strong,
    Strikethrough,
    /// A link; `href` only when it is safe to follow (`http`, `https`, `mailto`).
    Link {
        href: Option<String>,
        title: String,
    },
    /// An image, shown as a link to it (same rule for `href`); its children are the alt text.
    Image {
        href: Option<String>,
    },
    /// Any other container (table parts, footnotes, definition lists): its children inline.
    Other,
}

/// Parses `source` into the tree.
pub fn parse(source: &str) -> Vec<Node> {
    let mut stack: Vec<(Block, Vec<Node>)> = vec![(Block::Other, Vec::new())];
    for event in Parser::new_ext(source, Options::ENABLE_STRIKETHROUGH) {
        let node = match event {
            Event::Start(tag) => {
                stack.push((block(tag), Vec::new()));
                continue;
            }
            Event::End(_) => {
                if stack.len() < 2 {
                    continue;
                }
                let Some((block, children)) = stack.pop() else { continue };
                Node::Element(block, children)
            }
            Event::Text(text) | Event::Html(text) | Event::InlineHtml(text) => Node::Text(text.into_string()),
            Event::Code(code) => Node::Code(code.into_string()),
            Event::InlineMath(math) | Event::DisplayMath(math) => Node::Code(math.into_string()),
            Event::FootnoteReference(label) => Node::Text(format!("[^{label}]")),
            Event::TaskListMarker(done) => Node::Text(if done { "[x] " } else { "[ ] " }.to_owned()),
            Event::SoftBreak => Node::SoftBreak,
            Event::HardBreak => Node::HardBreak,
            Event::Rule => Node::Rule,
        };
        if let Some((_, children)) = stack.last_mut() {
            push(children, node);
        }
    }
    // An unbalanced end (never from the parser) leaves open elements: close them rather than lose their text.
    while stack.len() > 1 {
        if let Some((block, children)) = stack.pop()
            && let Some((_, parent)) = stack.last_mut()
        {
            push(parent, Node::Element(block, children));
        }
    }
    stack.pop().map(|(_, nodes)| nodes).unwrap_or_default()
}

/// Adjacent text merged (the parser splits text at entities and brackets).
fn push(children: &mut Vec<Node>, node: Node) {
    if let (Node::Text(text), Some(Node::Text(last))) = (&node, children.last_mut()) {
        last.push_str(text);
        return;
    }
    children.push(node);
}

fn block(tag: Tag<'_>) -> Block {
    match tag {
        Tag::Paragraph | Tag::HtmlBlock => Block::Paragraph,
        Tag::Heading { level, .. } => Block::Heading(level as u8),
        Tag::BlockQuote(_) => Block::BlockQuote,
        Tag::CodeBlock(CodeBlockKind::Fenced(lang)) => {
            Block::CodeBlock(lang.split_whitespace().next().map(str::to_owned))
        }
        Tag::CodeBlock(CodeBlockKind::Indented) => Block::CodeBlock(None),
        Tag::List(start) => Block::List(start),
        Tag::Item => Block::Item,
        Tag::Emphasis => Block::Emphasis,
        Tag::Strong => Block::Strong,
        Tag::Strikethrough => Block::Strikethrough,
        Tag::Link { dest_url, title, .. } => Block::Link { href: safe_href(&dest_url), title: title.into_string() },
        Tag::Image { dest_url, .. } => Block::Image { href: safe_href(&dest_url) },
        _ => Block::Other,
    }
}

/// The link target when it is one a viewer may follow: `http:`, `https:` or `mailto:` (any case).
pub fn safe_href(url: &str) -> Option<String> {
    let url = url.trim();
    let scheme = url.split_once(':').map(|(scheme, _)| scheme.to_ascii_lowercase())?;
    matches!(scheme.as_str(), "http" | "https" | "mailto").then(|| url.to_owned())
}

/// The text a tree shows, without markup: what a reader sees (used to fold long messages and in tests).
pub fn plain_text(nodes: &[Node]) -> String {
    let mut out = String::new();
    for node in nodes {
        match node {
            Node::Text(text) | Node::Code(text) => out.push_str(text),
            Node::SoftBreak | Node::HardBreak => out.push('\n'),
            Node::Rule => {}
            Node::Element(_, children) => out.push_str(&plain_text(children)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Node {
        Node::Text(s.to_owned())
    }

    fn el(block: Block, children: Vec<Node>) -> Node {
        Node::Element(block, children)
    }

    #[test]
    fn paragraphs_emphasis_code_blocks_and_lists() {
        let nodes = parse("Use **bold** and `code`.\n\n```rust\nfn main() {}\n```\n\n1. one\n2. two\n");
        assert_eq!(
            nodes,
            vec![
                el(
                    Block::Paragraph,
                    vec![
                        text("Use "),
                        el(Block::Strong, vec![text("bold")]),
                        text(" and "),
                        Node::Code("code".into()),
                        text(".")
                    ]
                ),
                el(Block::CodeBlock(Some("rust".into())), vec![text("fn main() {}\n")]),
                el(Block::List(Some(1)), vec![el(Block::Item, vec![text("one")]), el(Block::Item, vec![text("two")])]),
            ]
        );
    }

    #[test]
    fn html_is_text_never_markup() {
        let nodes = parse("<script>alert(1)</script>\n\nHi <img src=x onerror=alert(2)> there");
        assert_eq!(
            nodes,
            vec![
                el(Block::Paragraph, vec![text("<script>alert(1)</script>\n")]),
                el(Block::Paragraph, vec![text("Hi <img src=x onerror=alert(2)> there")]),
            ]
        );
    }

    #[test]
    fn only_http_https_and_mailto_links_keep_their_target() {
        let link = |source: &str| match parse(source).first() {
            Some(Node::Element(Block::Paragraph, children)) => children.first().cloned(),
            _ => None,
        };
        assert_eq!(
            link("[docs](https://example.com/a \"The docs\")"),
            Some(el(
                Block::Link { href: Some("https://example.com/a".into()), title: "The docs".into() },
                vec![text("docs")]
            ))
        );
        assert_eq!(
            link("[mail](MAILTO:a@example.com)"),
            Some(el(
                Block::Link { href: Some("MAILTO:a@example.com".into()), title: String::new() },
                vec![text("mail")]
            ))
        );
        for unsafe_link in [
            "[x](javascript:alert(1))",
            "[x](JavaScript:alert(1))",
            "[x](javascript&#58;alert(1))",
            "[x](data:text/html,<b>)",
            "[x](/relative)",
            "[x](vbscript:msgbox)",
        ] {
            assert_eq!(
                link(unsafe_link),
                Some(el(Block::Link { href: None, title: String::new() }, vec![text("x")])),
                "{unsafe_link}"
            );
        }
        assert_eq!(
            link("![chart](https://example.com/c.png)"),
            Some(el(Block::Image { href: Some("https://example.com/c.png".into()) }, vec![text("chart")]))
        );
    }

    #[test]
    fn plain_text_is_what_a_reader_sees() {
        assert_eq!(plain_text(&parse("# Title\n\nSee [docs](https://x.test) and *this*.")), "TitleSee docs and this.");
    }
}
