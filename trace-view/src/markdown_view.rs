//! Markdown text as Dioxus nodes, built from trace-model's safe tree (never as HTML): HTML in the text shows as
//! text, links open in a new tab without access to this page, images show as links.

use dioxus::prelude::*;
use trace_model::markdown::{Block, Node};

/// The rendered Markdown of `source`.
pub fn markdown(source: &str) -> Element {
    let nodes = trace_model::markdown::parse(source);
    rsx! {
        div { class: "md", {nodes.iter().map(node)} }
    }
}

fn node(node: &Node) -> Element {
    match node {
        Node::Text(text) => rsx! { "{text}" },
        Node::Code(code) => rsx! { code { "{code}" } },
        Node::SoftBreak => rsx! { "\n" },
        Node::HardBreak => rsx! { br {} },
        Node::Rule => rsx! { hr {} },
        Node::Element(block, children) => element(block, children),
    }
}

fn element(block: &Block, children: &[Node]) -> Element {
    let inner = children.iter().map(node);
    match block {
        Block::Paragraph => rsx! { p { {inner} } },
        // Shown as emphasised text: the details pane's own headings give the outline.
        Block::Heading(level) => rsx! { p { class: "md-heading md-h{level}", strong { {inner} } } },
        Block::BlockQuote => rsx! { blockquote { {inner} } },
        Block::CodeBlock(lang) => rsx! {
            pre { class: "md-pre", tabindex: "0", "data-lang": lang.clone(), code { {inner} } }
        },
        Block::List(Some(start)) => rsx! { ol { start: "{start}", {inner} } },
        Block::List(None) => rsx! { ul { {inner} } },
        Block::Item => rsx! { li { {inner} } },
        Block::Emphasis => rsx! { em { {inner} } },
        Block::Strong => rsx! { strong { {inner} } },
        Block::Strikethrough => rsx! { del { {inner} } },
        Block::Link { href: Some(href), title } => rsx! {
            a {
                href: "{href}",
                target: "_blank",
                rel: "noopener noreferrer",
                title: (!title.is_empty()).then(|| title.clone()),
                {inner}
            }
        },
        Block::Image { href: Some(href) } => rsx! {
            a { href: "{href}", target: "_blank", rel: "noopener noreferrer", class: "md-image", "Image: ", {inner} }
        },
        Block::Image { href: None } => rsx! { span { class: "md-image", "Image: ", {inner} } },
        Block::Link { href: None, .. } => rsx! { span { {inner} } },
    }
}
