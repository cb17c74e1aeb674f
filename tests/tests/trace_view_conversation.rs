//! A model call's prompt and response as a conversation, on the story page's "Model call as a conversation"
//! story: role-labelled turns, Markdown (code block, links, HTML shown as text), the tool call and its result, a
//! JSON part as a tree opened and closed with the keyboard, "Show all", copy per message and for the whole, the
//! "Raw JSON" toggle, and axe with the conversation shown.

use std::time::Duration;

use e2e_tests::browser::Browser;
use e2e_tests::eventually;
use e2e_tests::service::{TestService, dist_dir};
use fantoccini::Locator;
use fantoccini::key::Key;
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(30);
const STORY: &str = "#story-conversation";
const LLM_SPAN: &str = "0000000000000003";

/// The prompt and the response as shown: each turn's role, text and parts, the links and code blocks.
const CONVERSATION: &str = "
  const root = document.querySelector(arguments[0]).shadowRoot;
  const side = (testid) => {
    const section = root.querySelector(`[data-testid=${testid}]`);
    if (!section) return null;
    const raw = section.querySelector(`[data-testid=${testid}-raw]`);
    const toggle = section.querySelector('[data-testid=raw-toggle]');
    return {
      rawPressed: toggle.getAttribute('aria-pressed'),
      rawLabel: toggle.textContent,
      raw: raw ? raw.textContent : null,
      turns: [...section.querySelectorAll('[data-testid=turn]')].map((t) => {
        const expand = t.querySelector('[data-testid=expand]');
        return {
          role: t.dataset.role,
          label: t.querySelector('.turn-role').textContent,
          text: t.querySelector(`[data-testid=${testid}-text]`).textContent,
          expand: expand ? { label: expand.textContent, expanded: expand.getAttribute('aria-expanded') } : null,
          toolCalls: [...t.querySelectorAll('[data-testid=tool-call]')].map((c) => ({
            name: c.querySelector('[data-testid=tool-name]').textContent, text: c.textContent,
            toggles: [...c.querySelectorAll('[data-testid=json-toggle]')].map((b) => [b.textContent, b.getAttribute('aria-expanded')]) })),
          toolResults: [...t.querySelectorAll('[data-testid=tool-result]')].map((c) => c.textContent),
          json: [...t.querySelectorAll('[data-testid=json-part]')].map((j) => ({ text: j.textContent,
            toggles: [...j.querySelectorAll('[data-testid=json-toggle]')].map((b) => [b.textContent, b.getAttribute('aria-expanded')]) })),
          links: [...t.querySelectorAll('a')].map((a) => ({ href: a.getAttribute('href'), target: a.target, rel: a.rel, text: a.textContent })),
          code: [...t.querySelectorAll('pre code')].map((c) => ({ text: c.textContent,
            font: getComputedStyle(c.closest('pre')).fontFamily })),
          inlineCode: [...t.querySelectorAll('.md p code')].map((c) => c.textContent),
        };
      }),
    };
  };
  return { prompt: side('prompt'), response: side('response'),
    injected: root.querySelectorAll('script, img, [onerror]').length };";

/// Focuses the element inside the shadow root that `arguments[1]` finds.
const FOCUS: &str = "document.querySelector(arguments[0]).shadowRoot.querySelector(arguments[1]).focus();
  return document.querySelector(arguments[0]).shadowRoot.activeElement === 
    document.querySelector(arguments[0]).shadowRoot.querySelector(arguments[1]);";

/// The JSON part's disclosure button for `retry` (the nested object of the node's configuration).
const RETRY_TOGGLE: &str = "[data-testid=prompt] [data-testid=json-part] li li [data-testid=json-toggle]";

async fn conversation(b: &Browser) -> anyhow::Result<Value> {
    b.js(CONVERSATION, vec![json!(STORY)]).await
}

/// Pastes the clipboard into a fresh text field of the page and returns what arrived.
async fn paste(b: &Browser, id: &str) -> anyhow::Result<String> {
    b.js(
        "const t = document.createElement('textarea'); t.id = arguments[0]; t.setAttribute('aria-label', 'paste');
         document.body.append(t); t.focus();",
        vec![json!(id)],
    )
    .await?;
    let field = b.client.find(Locator::Id(id)).await?;
    field.send_keys(&(Key::Control + "v")).await?;
    let value = field.prop("value").await?.unwrap_or_default();
    b.js("document.getElementById(arguments[0]).remove();", vec![json!(id)]).await?;
    Ok(value)
}

fn texts(list: &Value) -> Vec<String> {
    list.as_array().into_iter().flatten().filter_map(|v| v.as_str().map(str::to_owned)).collect()
}

#[tokio::test]
async fn a_model_call_reads_as_a_conversation() -> anyhow::Result<()> {
    let service = TestService::start(Some(dist_dir()?)).await?;
    let b = Browser::start().await?;
    let result = async {
        b.client.goto(&service.url("/index.html")).await?;
        let llm = eventually("the conversation story's model call", WAIT, || async {
            let rows = b.tree_rows(STORY).await?;
            Ok(rows.into_iter().find(|(id, _, _)| id == LLM_SPAN).map(|(_, _, row)| row))
        })
        .await?;
        llm.click().await?;
        let shown = eventually("the conversation", WAIT, || async {
            let shown = conversation(&b).await?;
            Ok((shown["prompt"]["turns"].as_array().map(Vec::len) == Some(5)).then_some(shown))
        })
        .await?;
        let prompt = &shown["prompt"]["turns"];
        let response = &shown["response"]["turns"];

        // Turns and roles, in order.
        let roles: Vec<&str> = prompt.as_array().into_iter().flatten().filter_map(|t| t["label"].as_str()).collect();
        assert_eq!(roles, ["System", "User", "Assistant", "Tool", "User"]);
        assert_eq!(response.as_array().map(Vec::len), Some(1));
        assert_eq!(response[0]["label"], "Assistant");
        assert_eq!(shown["prompt"]["rawPressed"], "false");
        assert_eq!(shown["prompt"]["rawLabel"], "Raw JSON");

        // Markdown: emphasis without its markers, inline code, a fenced block in monospace, a safe link that
        // opens in a new tab without access to the page, and the javascript: link kept as text only.
        assert!(prompt[0]["text"].as_str().unwrap_or_default().starts_with("You are the support assistant for Orcheo,"));
        assert_eq!(texts(&Value::Array(response[0]["inlineCode"].as_array().cloned().unwrap_or_default())), ["retry"]);
        let code = &response[0]["code"];
        assert_eq!(code[0]["text"], "retry:\n  attempts: 3\n  backoff_ms: 500\n");
        assert!(code[0]["font"].as_str().unwrap_or_default().contains("monospace"), "monospace: {}", code[0]["font"]);
        assert_eq!(
            response[0]["links"],
            json!([{ "href": "https://docs.example.com/retries", "target": "_blank", "rel": "noopener noreferrer",
                     "text": "the retry guide" }])
        );
        assert!(response[0]["text"].as_str().unwrap_or_default().contains("this link is not followed."));

        // HTML in a message is its text: no element is created from it.
        let question = prompt[1]["text"].as_str().unwrap_or_default();
        assert!(question.contains("<script>alert('x')</script>"), "{question}");
        assert!(question.contains("<img src=x onerror=\"alert(1)\">"), "{question}");
        assert_eq!(shown["injected"], 0, "no script, img or onerror in the shadow root");

        // The tool call (name, id, arguments as a tree: top level open, nested objects closed) and its result.
        let call = &prompt[2]["toolCalls"][0];
        assert_eq!(call["name"], "search_docs");
        assert!(call["text"].as_str().unwrap_or_default().contains("call_7"), "{call}");
        assert_eq!(call["toggles"][0][1], "true", "the arguments open: {call}");
        assert!(call["text"].as_str().unwrap_or_default().contains("query: \"retry failed node\""), "{call}");
        assert!(call["toggles"].as_array().into_iter().flatten().any(|t| t[0].as_str().is_some_and(|l| l.contains("filters"))
            && t[1] == "false"), "filters closed: {call}");
        let result = prompt[3]["toolResults"][0].as_str().unwrap_or_default();
        assert!(result.starts_with("Tool result call_7") && result.contains("results"), "{result}");

        // The JSON part: its nested object opened and closed with Enter and Space on its disclosure button.
        let json_part = &prompt[4]["json"][0];
        assert!(json_part["text"].as_str().unwrap_or_default().contains("node: \"push_to_crm\""), "{json_part}");
        assert!(!json_part["text"].as_str().unwrap_or_default().contains("attempts"), "retry closed: {json_part}");
        assert_eq!(b.js(FOCUS, vec![json!(STORY), json!(RETRY_TOGGLE)]).await?, true, "the toggle takes focus");
        b.press(char::from(Key::Enter)).await?;
        let opened = eventually("retry opened with Enter", WAIT, || async {
            let part = conversation(&b).await?["prompt"]["turns"][4]["json"][0].clone();
            Ok(part["text"].as_str().is_some_and(|t| t.contains("attempts: 1") && t.contains("backoff_ms: 0")).then_some(part))
        })
        .await?;
        assert!(opened["toggles"].as_array().into_iter().flatten().any(|t| t[0].as_str().is_some_and(|l| l.contains("retry"))
            && t[1] == "true"), "{opened}");
        let violations = b.axe_violations().await?;
        assert!(violations.is_empty(), "with the conversation shown: {violations:#?}");
        b.press(' ').await?;
        eventually("retry closed with Space", WAIT, || async {
            let part = conversation(&b).await?["prompt"]["turns"][4]["json"][0].clone();
            Ok(part["text"].as_str().is_some_and(|t| !t.contains("attempts")).then_some(()))
        })
        .await?;

        // A long message is folded behind "Show all".
        let system = &prompt[0];
        let folded = system["text"].as_str().unwrap_or_default();
        assert!(folded.ends_with('…') && !folded.contains("Never invent"), "{folded}");
        assert_eq!(system["expand"], json!({ "label": "Show all", "expanded": "false" }));
        assert_eq!(prompt[1]["expand"], Value::Null, "a short message has no Show all");
        let root = b.trace_view(STORY).await?;
        root.find(Locator::Css("[data-testid=prompt] [data-testid=expand]")).await?.click().await?;
        let system = eventually("the whole system message", WAIT, || async {
            let system = conversation(&b).await?["prompt"]["turns"][0].clone();
            Ok(system["text"].as_str().is_some_and(|t| t.ends_with("Never invent configuration keys.")).then_some(system))
        })
        .await?;
        assert_eq!(system["expand"], json!({ "label": "Show less", "expanded": "true" }));

        // Copy one message (its source text, HTML and all), then the whole conversation.
        let buttons = root.find_all(Locator::Css("[data-testid=prompt] [data-testid=copy-message]")).await?;
        anyhow::ensure!(buttons.len() == 5, "one copy button per message, got {}", buttons.len());
        buttons[1].click().await?;
        eventually("the copy status", WAIT, || async {
            let status = b
                .js("const s = document.querySelector(arguments[0]).shadowRoot.querySelector('[data-testid=prompt] [data-testid=copy-status]');
                     return s ? s.textContent : null;", vec![json!(STORY)])
                .await?;
            Ok((status == json!("Copied")).then_some(()))
        })
        .await?;
        let pasted = paste(&b, "paste-message").await?;
        assert_eq!(
            pasted,
            "How do I retry a failed node? The log shows <script>alert('x')</script> and <img src=x onerror=\"alert(1)\"> after the error."
        );
        root.find(Locator::Css("[data-testid=prompt] [data-testid=copy]")).await?.click().await?;
        let whole = eventually("the whole conversation on the clipboard", WAIT, || async {
            let text = paste(&b, "paste-whole").await?;
            Ok(text.starts_with("system: ").then_some(text))
        })
        .await?;
        assert!(whole.contains("\n\nuser: How do I retry") && whole.contains("\n\nassistant: → search_docs("), "{whole}");
        assert!(whole.contains("\n\ntool: ← {") && whole.contains("push_to_crm"), "{whole}");

        // The raw toggle: the attribute as sent, then back to the turns, with the keyboard.
        root.find(Locator::Css("[data-testid=prompt] [data-testid=raw-toggle]")).await?.click().await?;
        let raw = eventually("the raw JSON", WAIT, || async {
            let shown = conversation(&b).await?;
            Ok(shown["prompt"]["raw"].as_str().map(|raw| (raw.to_owned(), shown["prompt"].clone())))
        })
        .await?;
        assert_eq!(raw.1["rawPressed"], "true");
        assert_eq!(raw.1["turns"], json!([]), "the turns give way to the raw JSON");
        let parsed: Value = serde_json::from_str(&raw.0)?;
        let messages = parsed["gen_ai.input.messages"].as_array().map(Vec::len);
        assert_eq!(messages, Some(5), "{}", raw.0);
        assert_eq!(parsed["gen_ai.input.messages"][2]["parts"][0]["name"], "search_docs");
        let violations = b.axe_violations().await?;
        assert!(violations.is_empty(), "with the raw JSON shown: {violations:#?}");
        b.js(FOCUS, vec![json!(STORY), json!("[data-testid=prompt] [data-testid=raw-toggle]")]).await?;
        b.press(' ').await?;
        eventually("the turns back", WAIT, || async {
            let shown = conversation(&b).await?;
            Ok((shown["prompt"]["rawPressed"] == "false" && shown["prompt"]["turns"].as_array().map(Vec::len) == Some(5))
                .then_some(()))
        })
        .await?;
        anyhow::Ok(())
    }
    .await;
    b.close().await?;
    result
}
