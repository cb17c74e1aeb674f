//! Sample workflows for QA, the demo and the load tests: success, retry-then-success, error, cancelled, parallel
//! fan-out, an LLM chain, the turns of a conversation thread, an HTTP call to a real server on loopback, an artifact write, and a generator of N-node
//! workflows. Some prompts carry fake secrets on purpose: the traces must show them redacted.

mod server;

use std::time::Duration;

pub use server::{LoopbackServer, ReceivedRequest};

use crate::workflow::{NodeAction, NodeSpec, Step, Workflow};

pub const FAKE_API_KEY: &str = "sk-live-4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c";
/// The model every sample calls.
pub const MODEL: &str = "local-mini";

fn node(id: &str, action: NodeAction) -> Step {
    Step::Node(NodeSpec::new(id, action))
}

fn task(ms: u64) -> NodeAction {
    NodeAction::Task { duration: Duration::from_millis(ms) }
}

fn llm(system: &str, prompt: &str) -> NodeAction {
    NodeAction::Llm { model: MODEL.to_owned(), system: system.to_owned(), prompt: prompt.to_owned() }
}

/// Fetch, summarize with the model, publish: the happy path with one LLM call.
pub fn summarize() -> Workflow {
    Workflow::new(
        "summarize-report",
        vec![
            node("fetch_report", task(20)),
            node(
                "summarize",
                llm(
                    "You are a helpful analyst.",
                    &format!(
                        "Summarize the quarterly report for ops@example.com (api key {FAKE_API_KEY}): {{input}}. \
                         Revenue grew in every region while costs stayed flat."
                    ),
                ),
            ),
            node("publish", task(10)),
        ],
    )
    // The state carries the key too (under a secret-named field): the node's input and output show it redacted.
    .with_state(serde_json::json!({
        "report": "Q3 2026",
        "recipient": "ops@example.com",
        "settings": {"api_key": FAKE_API_KEY, "language": "en", "max_words": 120},
    }))
}

/// A node that fails twice with a transient error, then succeeds on its third attempt.
pub fn retry() -> Workflow {
    Workflow::new(
        "enrich-leads",
        vec![
            node("load_leads", task(5)),
            Step::Node(
                NodeSpec::new(
                    "enrich",
                    NodeAction::Flaky { failures: 2, message: "enrichment API timed out".to_owned() },
                )
                .with_retry(3, Duration::from_millis(10)),
            ),
            node("save", task(5)),
        ],
    )
}

/// A run that fails in its second node and stops there.
pub fn failing() -> Workflow {
    Workflow::new(
        "sync-crm",
        vec![
            node("load_contacts", task(15)),
            node(
                "push_to_crm",
                NodeAction::Fail { message: "CRM rejected the batch: 429 Too Many Requests".to_owned() },
            ),
            node("notify", task(5)),
        ],
    )
}

/// A long export cut short by the workflow's timeout: the run and its running node end as cancelled.
pub fn cancelled() -> Workflow {
    Workflow::new(
        "nightly-export",
        vec![node("prepare", task(5)), node("export", task(10_000)), node("notify", task(5))],
    )
    .with_timeout(Duration::from_millis(80))
}

/// Three branches that run concurrently between a planning and a merging node.
pub fn fan_out() -> Workflow {
    Workflow::new(
        "market-scan",
        vec![
            node("plan", task(5)),
            Step::Parallel(vec![
                NodeSpec::new("scan_news", task(40)),
                NodeSpec::new("scan_prices", task(40)),
                NodeSpec::new("scan_filings", llm("You read filings.", "List the risks in: {input}")),
            ]),
            node("merge", task(5)),
        ],
    )
}

/// Outline, draft and critique: three model calls, each fed the previous answer.
pub fn llm_chain() -> Workflow {
    Workflow::new(
        "blog-post-chain",
        vec![
            node("outline", llm("You plan articles.", "Outline a post about tracing AI workflows end to end.")),
            node("draft", llm("You write clearly.", "Write a draft from this outline: {input}")),
            node("critique", llm("You are a strict editor.", "Critique this draft: {input}")),
        ],
    )
    .with_state(serde_json::json!({"topic": "tracing AI workflows end to end", "audience": "platform engineers"}))
}

/// The workflow of a support chat, one run per user turn: what the runs of one conversation thread look like.
pub const CHAT_WORKFLOW: &str = "support-chat";

/// The turns of one support conversation, each a run of [`CHAT_WORKFLOW`] answering one message; run them with the
/// same thread id (`RunRequest::with_thread`) and the trace view stitches them into one timeline.
pub fn chat_turns() -> Vec<Workflow> {
    [
        "My order #1042 has not arrived yet.",
        "It was due on Monday. Can you check the carrier?",
        "Thanks. Please send the tracking link to ops@example.com.",
    ]
    .into_iter()
    .map(|message| {
        Workflow::new(
            CHAT_WORKFLOW,
            vec![
                node("load_history", task(10)),
                node("answer", llm("You are a friendly support agent.", message)),
                node("save_history", task(5)),
            ],
        )
        .with_state(serde_json::json!({"message": message}))
    })
    .collect()
}

/// One node calls `url` (a real HTTP server, on loopback in demos and tests); the trace context goes along.
pub fn http_call(url: &str) -> Workflow {
    Workflow::new(
        "check-inventory",
        vec![
            node("call_inventory", NodeAction::Http { method: "GET".to_owned(), url: url.to_owned() }),
            node("decide", task(5)),
        ],
    )
}

/// Drafts a report and stores it as an artifact, linked from the trace by id.
pub fn artifact() -> Workflow {
    Workflow::new(
        "weekly-report",
        vec![
            node("draft", llm("You write reports.", "Draft the weekly status report.")),
            node(
                "save_report",
                NodeAction::WriteArtifact {
                    name: "weekly-report.md".to_owned(),
                    content_type: "text/markdown".to_owned(),
                    content: "# Weekly report\n\n{input}\n".to_owned(),
                },
            ),
        ],
    )
}

/// A workflow of `nodes` instant nodes, for load tests (one root span plus one span per node).
pub fn generated(nodes: usize) -> Workflow {
    let steps = (0..nodes).map(|i| node(&format!("step_{i:07}"), task(0))).collect();
    Workflow::new(format!("generated-{nodes}"), steps)
}

/// Every sample except the generator, in the order the demo runs them; `http_url` is what the HTTP sample calls.
pub fn all(http_url: &str) -> Vec<Workflow> {
    described(http_url).into_iter().map(|(workflow, _)| workflow).collect()
}

/// [`all`], each with what its trace shows (the demo prints it beside the run's link).
pub fn described(http_url: &str) -> Vec<(Workflow, &'static str)> {
    vec![
        (
            summarize(),
            "the happy path: one model call with its prompt, response and tokens; each node's input and output \
             state; the API key redacted in the prompt and the state",
        ),
        (retry(), "a node that fails twice with a transient error, then succeeds on its third attempt"),
        (failing(), "a failed run: the node's exception, and the run stopping there"),
        (cancelled(), "a run cut short by its timeout: the run and its running node cancelled"),
        (fan_out(), "three branches running at once between a planning and a merging node"),
        (llm_chain(), "three model calls, each fed the previous answer: tokens per call and for the run"),
        (http_call(http_url), "an HTTP call to a real server on loopback, the trace context sent along"),
        (artifact(), "a report stored as an artifact, downloadable from the span's details"),
    ]
}
