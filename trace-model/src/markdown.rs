//! Markdown in model messages as a small, safe tree for the view to build its nodes from (it never sets HTML).
//! Safe by construction: HTML in the source is kept as text, and only `http:`, `https:` and `mailto:` links keep
//! their target; other links (`javascript:`, `data:`, relative) are text. Images are not loaded: they become
//! links to the image.
//!
//! The subset models write: paragraphs, ATX headings, fenced code blocks, block quotes, bullet and numbered lists
//! (nested by indentation), thematic breaks; inline code, `*emphasis*`, `**strong**`, `~~strikethrough~~`,
//! `[links](url "title")`, `![images](url)`, `<https://autolinks>`, backslash escapes and hard breaks. Not
//! read: indented code blocks, reference links, tables, entities (shown as written). A full CommonMark parser
//! (pulldown-cmark) cost about 50 KB gzipped of wasm, more than the element's size budget left
//! (docs/benchmarks.md, "Bundle size").

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
    /// A fenced code block, with the language the fence names.
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
}

/// Parses `source` into the tree.
pub fn parse(source: &str) -> Vec<Node> {
    let lines: Vec<&str> = source.lines().collect();
    blocks(&lines, 0)
}

/// How deep quotes, lists, links and emphasis nest before the rest is text: a bound on the recursion that a
/// crafted message (thousands of `>` or `[`) could otherwise drive to a stack overflow.
const MAX_DEPTH: usize = 24;

/// How far a link's text, a code span or an emphasis looks for its end (bytes): beyond, the mark is text. Keeps
/// a line full of unmatched `[` or `*` linear rather than quadratic.
const MAX_SPAN: usize = 4096;

/// The block structure of `lines`, `depth` containers down.
fn blocks(lines: &[&str], depth: usize) -> Vec<Node> {
    if depth > MAX_DEPTH {
        return vec![Node::Element(Block::Paragraph, vec![Node::Text(lines.join("\n"))])];
    }
    let mut out = Vec::new();
    let mut at = 0;
    while at < lines.len() {
        let line = lines[at];
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if trimmed.is_empty() {
            at += 1;
        } else if let Some(fence) = fence(trimmed).filter(|_| indent < 4) {
            let lang = trimmed[fence.len()..].split_whitespace().next().map(str::to_owned);
            let mut code = String::new();
            at += 1;
            while at < lines.len() && !lines[at].trim_start().starts_with(fence) {
                code.push_str(lines[at]);
                code.push('\n');
                at += 1;
            }
            at += 1;
            out.push(Node::Element(Block::CodeBlock(lang), vec![Node::Text(code)]));
        } else if let Some((level, text)) = heading(trimmed) {
            out.push(Node::Element(Block::Heading(level), inline(text, depth)));
            at += 1;
        } else if is_rule(trimmed) {
            out.push(Node::Rule);
            at += 1;
        } else if trimmed.starts_with('>') {
            let mut quoted = Vec::new();
            while at < lines.len() && lines[at].trim_start().starts_with('>') {
                let rest = &lines[at].trim_start()[1..];
                quoted.push(rest.strip_prefix(' ').unwrap_or(rest));
                at += 1;
            }
            out.push(Node::Element(Block::BlockQuote, blocks(&quoted, depth + 1)));
        } else if let Some(marker) = list_marker(trimmed) {
            at = list(lines, at, indent, marker, depth, &mut out);
        } else {
            let start = at;
            at += 1;
            while at < lines.len() && continues_paragraph(lines[at]) {
                at += 1;
            }
            out.push(Node::Element(Block::Paragraph, paragraph(&lines[start..at], depth)));
        }
    }
    out
}

/// A list starting at `lines[at]`; returns the line after it.
fn list(lines: &[&str], mut at: usize, indent: usize, first: Marker, depth: usize, out: &mut Vec<Node>) -> usize {
    let mut items = Vec::new();
    loop {
        let line = lines[at];
        let trimmed = line.trim_start();
        let Some(marker) = list_marker(trimmed).filter(|m| m.ordered.is_some() == first.ordered.is_some()) else {
            break;
        };
        // The item: its first line after the marker, then the lines indented past the marker (blank lines
        // included when more of the item follows).
        let width = indent + marker.width;
        let mut body = vec![&trimmed[marker.width..]];
        at += 1;
        while at < lines.len() {
            let next = lines[at];
            let next_indent = next.len() - next.trim_start().len();
            if next.trim().is_empty() {
                let more = lines[at + 1..].iter().find(|l| !l.trim().is_empty());
                if more.is_some_and(|l| l.len() - l.trim_start().len() >= width) {
                    body.push("");
                    at += 1;
                    continue;
                }
                break;
            }
            if let Some(inner) = next.get(width..).filter(|_| next_indent >= width) {
                body.push(inner);
            } else if next_indent > indent || (list_marker(next.trim_start()).is_none() && continues_paragraph(next)) {
                // A lazy continuation of the item's paragraph.
                body.push(next.trim_start());
            } else {
                break;
            }
            at += 1;
        }
        let mut content = blocks(&body, depth + 1);
        // A tight item is its paragraph's text.
        if let [Node::Element(Block::Paragraph, _)] = content.as_slice()
            && let Some(Node::Element(_, text)) = content.pop()
        {
            content = text;
        }
        items.push(Node::Element(Block::Item, content));
        // The list goes on past blank lines when the next item has the same indentation.
        let next = (at..lines.len()).find(|&i| !lines[i].trim().is_empty());
        match next {
            Some(i) if lines[i].len() - lines[i].trim_start().len() == indent => at = i,
            _ => break,
        }
        if at >= lines.len() {
            break;
        }
    }
    out.push(Node::Element(Block::List(first.ordered), items));
    at
}

struct Marker {
    /// The first number of a numbered list.
    ordered: Option<u64>,
    /// The marker and the space after it.
    width: usize,
}

fn list_marker(line: &str) -> Option<Marker> {
    let bytes = line.as_bytes();
    if matches!(bytes.first(), Some(b'-' | b'*' | b'+')) && matches!(bytes.get(1), Some(b' ' | b'\t')) {
        return (!is_rule(line)).then_some(Marker { ordered: None, width: 2 });
    }
    let digits = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
    if (1..=9).contains(&digits)
        && matches!(bytes.get(digits), Some(b'.' | b')'))
        && matches!(bytes.get(digits + 1), Some(b' ' | b'\t'))
    {
        return Some(Marker { ordered: line[..digits].parse().ok(), width: digits + 2 });
    }
    None
}

fn fence(line: &str) -> Option<&'static str> {
    ["```", "~~~"].into_iter().find(|f| line.starts_with(f))
}

fn heading(line: &str) -> Option<(u8, &str)> {
    let level = line.bytes().take_while(|&b| b == b'#').count();
    let rest = &line[level..];
    ((1..=6).contains(&level) && (rest.is_empty() || rest.starts_with(' ')))
        .then(|| (level as u8, rest.trim().trim_end_matches('#').trim_end()))
}

fn is_rule(line: &str) -> bool {
    let mut marks = line.chars().filter(|c| !c.is_whitespace());
    let Some(first @ ('-' | '*' | '_')) = marks.next() else { return false };
    let mut count = 1;
    marks.all(|c| {
        count += 1;
        c == first
    }) && count >= 3
}

/// Whether `line` goes on with the paragraph above it rather than starting a block.
fn continues_paragraph(line: &str) -> bool {
    let trimmed = line.trim_start();
    !trimmed.is_empty()
        && fence(trimmed).is_none()
        && heading(trimmed).is_none()
        && !is_rule(trimmed)
        && !trimmed.starts_with('>')
        && list_marker(trimmed).is_none_or(|m| m.ordered.is_some_and(|n| n != 1))
}

/// A paragraph's lines: their inline content, joined by soft breaks (hard ones after two spaces or `\`).
fn paragraph(lines: &[&str], depth: usize) -> Vec<Node> {
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let line = line.trim_start();
        let last = i + 1 == lines.len();
        let hard = !last && (line.ends_with("  ") || line.ends_with('\\'));
        let text = if hard { line.trim_end().trim_end_matches('\\') } else { line.trim_end() };
        for node in inline(text, depth) {
            push(&mut out, node);
        }
        if !last {
            out.push(if hard { Node::HardBreak } else { Node::SoftBreak });
        }
    }
    out
}

/// Inline content: code spans, escapes, links and images, autolinks, emphasis.
fn inline(text: &str, depth: usize) -> Vec<Node> {
    if depth > MAX_DEPTH {
        return vec![Node::Text(text.to_owned())];
    }
    let mut out = Vec::new();
    let mut plain = String::new();
    let mut at = 0;
    let bytes = text.as_bytes();
    while at < text.len() {
        let rest = &text[at..];
        let found = match bytes[at] {
            b'\\' if rest[1..].starts_with(|c: char| c.is_ascii_punctuation()) => {
                plain.push_str(&rest[1..2]);
                at += 2;
                continue;
            }
            b'`' => code_span(rest),
            b'!' if rest[1..].starts_with('[') => link(&rest[1..], depth)
                .map(|(len, children, href, _)| (len + 1, Node::Element(Block::Image { href }, children))),
            b'[' => link(rest, depth)
                .map(|(len, children, href, title)| (len, Node::Element(Block::Link { href, title }, children))),
            b'<' => autolink(rest),
            b'*' | b'_' | b'~' => emphasis(text, at, depth),
            _ => None,
        };
        match found {
            Some((len, node)) => {
                if !plain.is_empty() {
                    out.push(Node::Text(std::mem::take(&mut plain)));
                }
                out.push(node);
                at += len;
            }
            None => {
                let c = rest.chars().next().unwrap_or_default();
                plain.push(c);
                at += c.len_utf8().max(1);
            }
        }
    }
    if !plain.is_empty() {
        out.push(Node::Text(plain));
    }
    out
}

/// `` `code` ``: a run of backticks up to the same run; one space inside each end is dropped.
fn code_span(rest: &str) -> Option<(usize, Node)> {
    let ticks = rest.bytes().take_while(|&b| b == b'`').count();
    let fence = &rest[..ticks];
    let mut from = ticks;
    while let Some(found) = rest[from..].find(fence) {
        let start = from + found;
        if start > MAX_SPAN {
            return None;
        }
        let run = rest[start..].bytes().take_while(|&b| b == b'`').count();
        if run == ticks {
            let code = &rest[ticks..start];
            let code = match code.strip_prefix(' ').and_then(|c| c.strip_suffix(' ')) {
                Some(inner) if !inner.trim().is_empty() => inner,
                _ => code,
            };
            return Some((start + ticks, Node::Code(code.to_owned())));
        }
        from = start + run;
    }
    None
}

/// `[text](url "title")`: its length, the text's nodes, the safe target and the title.
fn link(rest: &str, depth: usize) -> Option<(usize, Vec<Node>, Option<String>, String)> {
    let mut open = 0;
    let mut close = None;
    let mut escaped = false;
    for (i, c) in rest.char_indices().take_while(|(i, _)| *i < MAX_SPAN) {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '[' => open += 1,
            ']' => {
                open -= 1;
                if open == 0 {
                    close = Some(i);
                    break;
                }
            }
            _ => {}
        }
    }
    let close = close?;
    let target = rest[close + 1..].strip_prefix('(')?;
    // The destination ends at the `)` that balances the `(` (`javascript:alert(1)` is one destination).
    let mut parens = 0usize;
    let end = target.char_indices().take_while(|(i, _)| *i < MAX_SPAN).find_map(|(i, c)| match c {
        '(' => {
            parens += 1;
            None
        }
        ')' if parens == 0 => Some(i),
        ')' => {
            parens -= 1;
            None
        }
        _ => None,
    })?;
    let inside = target[..end].trim();
    let (url, title) = match inside.split_once(char::is_whitespace) {
        Some((url, title)) => (url, title.trim().trim_matches(|c| c == '"' || c == '\'')),
        None => (inside, ""),
    };
    let url = url.trim_start_matches('<').trim_end_matches('>');
    Some((close + 2 + end + 1, inline(&rest[1..close], depth + 1), safe_href(url), title.to_owned()))
}

/// `<https://…>` or `<mailto:…>`: a link showing its target.
fn autolink(rest: &str) -> Option<(usize, Node)> {
    let end = rest.find('>')?;
    let url = &rest[1..end];
    if url.contains(char::is_whitespace) {
        return None;
    }
    let href = safe_href(url)?;
    Some((
        end + 1,
        Node::Element(Block::Link { href: Some(href), title: String::new() }, vec![Node::Text(url.to_owned())]),
    ))
}

/// `*em*`, `_em_`, `**strong**`, `__strong__`, `~~strike~~`: the closing run after `at`, not preceded or followed
/// by a space on the inside; `_` only at word edges, so that `snake_case` stays text.
fn emphasis(text: &str, at: usize, depth: usize) -> Option<(usize, Node)> {
    let bytes = text.as_bytes();
    let mark = bytes[at];
    let run = bytes[at..].iter().take_while(|&&b| b == mark).count();
    let (width, block) = match (mark, run) {
        (b'~', 2..) => (2, Block::Strikethrough),
        (b'~', _) => return None,
        (_, 2..) => (2, Block::Strong),
        _ => (1, Block::Emphasis),
    };
    let word = |i: usize| bytes.get(i).is_some_and(|b| b.is_ascii_alphanumeric());
    if mark == b'_' && at > 0 && word(at - 1) {
        return None;
    }
    let open_end = at + width;
    if bytes.get(open_end).is_none_or(|b| b.is_ascii_whitespace()) {
        return None;
    }
    let closing = &text[at..at + width];
    let mut from = open_end;
    while let Some(found) = text[from..].find(closing) {
        let start = from + found;
        if start - at > MAX_SPAN {
            return None;
        }
        let inner_ok = start > open_end && !bytes[start - 1].is_ascii_whitespace();
        let edge_ok = mark != b'_' || !word(start + width);
        // `**` inside `*…*` belongs to a strong span: skip it as a whole.
        let longer = width == 1 && bytes.get(start + 1) == Some(&mark);
        if inner_ok && edge_ok && !longer {
            return Some((start + width - at, Node::Element(block, inline(&text[open_end..start], depth + 1))));
        }
        from = start + if longer { 2 } else { width };
    }
    None
}

/// Adjacent text merged.
fn push(children: &mut Vec<Node>, node: Node) {
    if let (Node::Text(text), Some(Node::Text(last))) = (&node, children.last_mut()) {
        last.push_str(text);
        return;
    }
    children.push(node);
}

/// The link target when it is one a viewer may follow: `http:`, `https:` or `mailto:` (any case).
pub fn safe_href(url: &str) -> Option<String> {
    let url = url.trim();
    let scheme = url.split_once(':').map(|(scheme, _)| scheme.to_ascii_lowercase())?;
    matches!(scheme.as_str(), "http" | "https" | "mailto").then(|| url.to_owned())
}

/// The text a tree shows, without markup: what a reader sees.
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
                el(Block::Paragraph, vec![text("<script>alert(1)</script>")]),
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
    fn nested_lists_quotes_headings_breaks_and_snake_case() {
        let nodes = parse(
            "## Steps\n\n- first\n  - inner with `x`\n- second\n  continued\n\n> quoted *line*\n\nkeep snake_case_name\nnext ~~old~~ line  \nhard\n\n---\n<https://x.test/a>",
        );
        assert_eq!(
            nodes,
            vec![
                el(Block::Heading(2), vec![text("Steps")]),
                el(
                    Block::List(None),
                    vec![
                        el(
                            Block::Item,
                            vec![
                                el(Block::Paragraph, vec![text("first")]),
                                el(
                                    Block::List(None),
                                    vec![el(Block::Item, vec![text("inner with "), Node::Code("x".into())])]
                                ),
                            ]
                        ),
                        el(Block::Item, vec![text("second"), Node::SoftBreak, text("continued")]),
                    ]
                ),
                el(
                    Block::BlockQuote,
                    vec![el(Block::Paragraph, vec![text("quoted "), el(Block::Emphasis, vec![text("line")])])]
                ),
                el(
                    Block::Paragraph,
                    vec![
                        text("keep snake_case_name"),
                        Node::SoftBreak,
                        text("next "),
                        el(Block::Strikethrough, vec![text("old")]),
                        text(" line"),
                        Node::HardBreak,
                        text("hard"),
                    ]
                ),
                Node::Rule,
                el(
                    Block::Paragraph,
                    vec![el(
                        Block::Link { href: Some("https://x.test/a".into()), title: String::new() },
                        vec![text("https://x.test/a")]
                    )]
                ),
            ]
        );
        assert_eq!(
            parse("\\*not em\\* and 2 * 3 * 4"),
            vec![el(Block::Paragraph, vec![text("*not em* and 2 * 3 * 4")])]
        );
        assert_eq!(parse("an unclosed ```fence"), vec![el(Block::Paragraph, vec![text("an unclosed ```fence")])]);
    }

    #[test]
    fn deep_nesting_ends_in_text_not_a_stack_overflow() {
        let quotes = ">".repeat(20_000) + " deep";
        assert!(plain_text(&parse(&quotes)).ends_with("deep"));
        let brackets = "[".repeat(5_000) + "x" + &"](https://x.test)".repeat(5_000);
        assert!(plain_text(&parse(&brackets)).contains('x'));
        let indented = (0..300).map(|i| format!("{}- item {i}", " ".repeat(i * 2))).collect::<Vec<_>>().join("\n");
        assert!(plain_text(&parse(&indented)).contains("item 299"));
        assert_eq!(
            parse("- a\n\u{3000}\u{3000}b"),
            parse("- a\n\u{3000}\u{3000}b"),
            "wide spaces do not split a character"
        );
    }

    #[test]
    fn a_destination_with_parentheses_is_one_destination() {
        assert_eq!(
            parse("[this](javascript:alert(1)) is text; [wiki](https://en.wikipedia.org/wiki/Rust_(language))."),
            vec![el(
                Block::Paragraph,
                vec![
                    el(Block::Link { href: None, title: String::new() }, vec![text("this")]),
                    text(" is text; "),
                    el(
                        Block::Link {
                            href: Some("https://en.wikipedia.org/wiki/Rust_(language)".into()),
                            title: String::new()
                        },
                        vec![text("wiki")]
                    ),
                    text("."),
                ]
            )]
        );
    }

    #[test]
    fn plain_text_is_what_a_reader_sees() {
        assert_eq!(plain_text(&parse("# Title\n\nSee [docs](https://x.test) and *this*.")), "TitleSee docs and this.");
    }
}
