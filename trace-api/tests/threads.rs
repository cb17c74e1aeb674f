//! Conversation threads: a run takes the thread id its spans (or their resource) name as they arrive over OTLP —
//! Orcheo's `orcheo.execution.thread_id`, OpenInference's `session.id`, GenAI's `gen_ai.conversation.id` — keeps
//! the first one, and the run list filters by it (`GET /api/executions?thread_id=`).

mod common;

use common::otlp::{HttpEncoding, attr, post_http, request, span};
use common::{TestApi, TestDb, on_each_backend};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::resource::v1::Resource;
use serde_json::Value;

const ROOT: &str = "00000000000000a1";
const CHILD: &str = "00000000000000a2";
const LATE: &str = "00000000000000a3";
const OTHER: &str = "00000000000000a4";

fn trace(n: u8) -> String {
    format!("{:032x}", 0x7472_0000 + u32::from(n))
}

/// A run's root span with `root` attributes and a child with `child` ones, in one request.
fn run(n: u8, execution: &str, root: Vec<(&str, &str)>, child: Vec<(&str, &str)>) -> ExportTraceServiceRequest {
    let mut root_attrs = vec![attr("orcheo.execution.id", execution), attr("orcheo.span.kind", "workflow")];
    root_attrs.extend(root.into_iter().map(|(k, v)| attr(k, v)));
    let child_attrs = child.into_iter().map(|(k, v)| attr(k, v)).collect();
    request(vec![
        span(&trace(n), ROOT, None, "workflow chat", root_attrs),
        span(&trace(n), CHILD, Some(ROOT), "chat gpt", child_attrs),
    ])
}

async fn send(api: &TestApi, encoding: HttpEncoding, request: &ExportTraceServiceRequest) -> anyhow::Result<()> {
    let (status, body) = post_http(api, encoding, request, None).await?;
    anyhow::ensure!(status == 200 && body["partialSuccess"]["rejectedSpans"].as_i64().unwrap_or(0) == 0, "{body}");
    Ok(())
}

/// The ids of the listed runs of `query` (newest first) and each one's `thread_id`.
async fn listed(api: &TestApi, query: &str) -> anyhow::Result<Vec<(String, Value)>> {
    let (status, body) = api.get_json(&format!("/api/executions?limit=100{query}"), None).await?;
    anyhow::ensure!(status == 200, "{query}: {status} {body}");
    Ok(body["executions"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|run| (run["id"].as_str().unwrap_or_default().to_owned(), run["thread_id"].clone()))
        .collect())
}

async fn thread_of(api: &TestApi, execution: &str) -> anyhow::Result<Value> {
    let (status, body) = api.get_json(&format!("/api/executions/{execution}/trace"), None).await?;
    anyhow::ensure!(status == 200, "{execution}: {status} {body}");
    Ok(body["execution"]["thread_id"].clone())
}

#[tokio::test]
async fn each_convention_names_the_thread_and_the_list_filters_by_it() -> anyhow::Result<()> {
    on_each_backend(|_, db: TestDb| async move {
        let api = TestApi::start(&db, |s| s).await?;
        // Orcheo's name on the root, in protobuf.
        send(
            &api,
            HttpEncoding::Protobuf,
            &run(1, "th-orcheo", vec![("orcheo.execution.thread_id", "support-42")], vec![]),
        )
        .await?;
        // OpenInference's session on a child only (LangGraph's thread_id through its LangChain instrumentor), in JSON.
        send(&api, HttpEncoding::Json, &run(2, "th-session", vec![], vec![("session.id", "support-42")])).await?;
        // GenAI's conversation on the sender's resource.
        let mut conversation = run(3, "th-conversation", vec![], vec![]);
        conversation.resource_spans[0].resource =
            Some(Resource { attributes: vec![attr("gen_ai.conversation.id", "support-7")], ..Resource::default() });
        send(&api, HttpEncoding::Protobuf, &conversation).await?;
        // No thread, and a blank one.
        send(&api, HttpEncoding::Protobuf, &run(4, "th-none", vec![], vec![])).await?;
        send(&api, HttpEncoding::Protobuf, &run(5, "th-blank", vec![("session.id", "  ")], vec![])).await?;

        assert_eq!(thread_of(&api, "th-orcheo").await?, "support-42");
        assert_eq!(thread_of(&api, "th-session").await?, "support-42");
        assert_eq!(thread_of(&api, "th-conversation").await?, "support-7");
        assert_eq!(thread_of(&api, "th-none").await?, Value::Null);
        assert_eq!(thread_of(&api, "th-blank").await?, Value::Null);

        let thread = listed(&api, "&thread_id=support-42").await?;
        let ids: Vec<&str> = thread.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids, ["th-session", "th-orcheo"], "the thread's runs, newest first");
        assert!(thread.iter().all(|(_, t)| t == "support-42"), "{thread:?}");
        let other: Vec<String> = listed(&api, "&thread_id=support-7").await?.into_iter().map(|(id, _)| id).collect();
        assert_eq!(other, ["th-conversation"]);
        assert!(listed(&api, "&thread_id=nobody").await?.is_empty());
        // The filter combines with the others, and without it every run is listed.
        assert!(listed(&api, "&thread_id=support-42&status=error").await?.is_empty());
        assert_eq!(listed(&api, "").await?.len(), 5);
        let (status, body) = api.get_json("/api/executions?thread_id=a%00b", None).await?;
        assert_eq!((status, body["code"].as_str()), (400, Some("invalid_parameter")), "{body}");
        api.stop().await;
        Ok(db)
    })
    .await
}

#[tokio::test]
async fn the_first_thread_named_stays() -> anyhow::Result<()> {
    on_each_backend(|_, db: TestDb| async move {
        let api = TestApi::start(&db, |s| s).await?;
        send(&api, HttpEncoding::Protobuf, &run(1, "th-kept", vec![("session.id", "first")], vec![])).await?;
        // A later batch without the attribute does not clear it, nor does one naming another thread change it.
        let bare = request(vec![span(&trace(1), LATE, Some(ROOT), "node late", vec![])]);
        send(&api, HttpEncoding::Protobuf, &bare).await?;
        assert_eq!(thread_of(&api, "th-kept").await?, "first");
        let other = request(vec![span(&trace(1), OTHER, Some(ROOT), "node other", vec![attr("session.id", "second")])]);
        send(&api, HttpEncoding::Protobuf, &other).await?;
        assert_eq!(thread_of(&api, "th-kept").await?, "first");

        // A run whose first batch names no thread takes the one a later batch names.
        send(&api, HttpEncoding::Protobuf, &run(2, "th-late", vec![], vec![])).await?;
        assert_eq!(thread_of(&api, "th-late").await?, Value::Null);
        let named = request(vec![span(
            &trace(2),
            LATE,
            Some(ROOT),
            "node named",
            vec![attr("gen_ai.conversation.id", "late")],
        )]);
        send(&api, HttpEncoding::Protobuf, &named).await?;
        assert_eq!(thread_of(&api, "th-late").await?, "late");
        let ids: Vec<String> = listed(&api, "&thread_id=late").await?.into_iter().map(|(id, _)| id).collect();
        assert_eq!(ids, ["th-late"]);
        api.stop().await;
        Ok(db)
    })
    .await
}

#[tokio::test]
async fn spans_that_waited_for_their_run_bring_its_thread() -> anyhow::Result<()> {
    on_each_backend(|_, db: TestDb| async move {
        let api = TestApi::start(&db, |s| s).await?;
        // A child that ended first names the thread; its parent, the run's span, is not there yet.
        let early = request(vec![span(&trace(3), CHILD, Some(ROOT), "chat gpt", vec![attr("session.id", "waited")])]);
        send(&api, HttpEncoding::Protobuf, &early).await?;
        // The run's span names the execution but no thread: the child moves under it, with the thread.
        let root = request(vec![span(
            &trace(3),
            ROOT,
            None,
            "workflow chat",
            vec![attr("orcheo.execution.id", "th-waited"), attr("orcheo.span.kind", "workflow")],
        )]);
        send(&api, HttpEncoding::Protobuf, &root).await?;
        let (status, body) = api.get_json("/api/executions/th-waited/trace", None).await?;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["spans"].as_array().map(Vec::len), Some(2), "the child moved under the run: {body}");
        assert_eq!(body["execution"]["thread_id"], "waited");
        let ids: Vec<String> = listed(&api, "&thread_id=waited").await?.into_iter().map(|(id, _)| id).collect();
        assert_eq!(ids, ["th-waited"], "the trace's own run is gone, the execution listed");
        api.stop().await;
        Ok(db)
    })
    .await
}
