//! Sample workflows for the demo and the tests. Their prompts carry fake secrets on purpose: the traces must show
//! them redacted.

use std::time::Duration;

use crate::engine::{NodeAction, NodeSpec, Workflow};

pub const FAKE_API_KEY: &str = "sk-live-4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c";

fn node(id: &str, action: NodeAction) -> NodeSpec {
    NodeSpec { id: id.to_owned(), action }
}

fn task(ms: u64) -> NodeAction {
    NodeAction::Task { duration: Duration::from_millis(ms) }
}

/// Fetch, summarize with the model, publish: the happy path with one LLM call.
pub fn summarize() -> Workflow {
    Workflow {
        id: "summarize-report".to_owned(),
        nodes: vec![
            node("fetch_report", task(20)),
            node(
                "summarize",
                NodeAction::Llm {
                    model: "local-mini".to_owned(),
                    prompt: format!(
                        "You are a helpful analyst (api key {FAKE_API_KEY}). Summarize the quarterly report for \
                         ops@example.com: {{input}}. Revenue grew in every region while costs stayed flat."
                    ),
                },
            ),
            node("publish", task(10)),
        ],
    }
}

/// A run that fails in its second node.
pub fn failing() -> Workflow {
    Workflow {
        id: "sync-crm".to_owned(),
        nodes: vec![
            node("load_contacts", task(15)),
            node(
                "push_to_crm",
                NodeAction::Fail { message: "CRM rejected the batch: 429 Too Many Requests".to_owned() },
            ),
            node("notify", task(5)),
        ],
    }
}

/// Every sample, in the order the demo runs them.
pub fn all() -> Vec<Workflow> {
    vec![summarize(), failing()]
}
