//! Cursor pagination over a 10k-span trace (nothing missed or repeated, also while spans keep arriving), and live
//! updates received by a real WebSocket client, also across two API replicas on one Postgres.

mod common;

use std::collections::HashSet;
use std::time::Duration;

use common::{Backend, SpanSpec, TestApi, TestDb, on_each_backend, span_id};
use futures_util::StreamExt;
use tokio_tungstenite::tungstenite::Message;
use trace_model::{LiveMessage, SpanRecord, SpanTree, TraceResponse};

/// A root with 99 nodes of 100 children each: 10,000 spans.
fn big_run(execution: &str) -> Vec<SpanRecord> {
    let mut records = vec![SpanSpec::new(execution, "root", None, 0, Some(100_000)).record()];
    let names: Vec<(String, Vec<String>)> =
        (0..99).map(|n| (format!("n{n}"), (0..100).map(|c| format!("n{n}c{c}")).collect())).collect();
    for (n, (node, children)) in names.iter().enumerate() {
        let start = n as i64 * 1000;
        records.push(SpanSpec::new(execution, node, Some("root"), start, Some(start + 900)).record());
        for (c, child) in children.iter().enumerate() {
            let at = start + c as i64;
            records.push(SpanSpec::new(execution, child, Some(node), at, Some(at + 5)).record());
        }
    }
    records
}

async fn page(api: &TestApi, path: &str) -> anyhow::Result<TraceResponse> {
    let (status, body) = api.get_json(path, None).await?;
    anyhow::ensure!(status == 200, "{path}: {status} {body}");
    Ok(serde_json::from_value(body)?)
}

#[tokio::test]
async fn ten_thousand_spans_page_without_gaps_or_repeats_while_spans_arrive() -> anyhow::Result<()> {
    on_each_backend(|_, db: TestDb| async move {
        let api = TestApi::start(&db, |s| s).await?;
        let run = big_run("ex-big");
        // Children arrive before their parents: arrival order is the reverse of the order pages must give.
        let arrival: Vec<SpanRecord> = run.iter().rev().cloned().collect();
        for chunk in arrival.chunks(2500) {
            api.store.insert_spans(chunk).await?;
        }
        let mut spans = Vec::new();
        let mut path = "/api/executions/ex-big/trace?limit=777".to_owned();
        let mut pages = 0;
        loop {
            let page = page(&api, &path).await?;
            assert_eq!(page.page_info.total_spans, 10_000, "the total is pinned to the first page");
            spans.extend(page.spans);
            pages += 1;
            if pages == 3 {
                // New spans arrive mid-paging, some sorting before the current position.
                let late = [
                    SpanSpec::new("ex-big", "late0", Some("n0"), 10, Some(20)).record(),
                    SpanSpec::new("ex-big", "late9", Some("n98"), 98_500, Some(98_600)).record(),
                ];
                api.store.insert_spans(&late).await?;
            }
            match page.page_info.cursor {
                Some(cursor) if page.page_info.has_next_page => {
                    path = format!("/api/executions/ex-big/trace?limit=777&cursor={cursor}")
                }
                _ => break,
            }
        }
        assert_eq!(pages, 13);
        let ids: HashSet<&str> = spans.iter().map(|s| s.span_id.as_str()).collect();
        assert_eq!((spans.len(), ids.len()), (10_000, 10_000), "no span missing or repeated");
        let expected: HashSet<String> = run.iter().map(|r| r.span.span_id.clone()).collect();
        assert!(ids.iter().all(|id| expected.contains(*id)));
        // Parents come before children across page boundaries.
        let tree = SpanTree::build(&spans);
        assert_eq!(tree.depth_first(), (0..10_000).collect::<Vec<_>>());
        assert_eq!(spans[0].span_id, span_id("root"));
        // A fresh read includes the late spans.
        let fresh = page(&api, "/api/executions/ex-big/trace?limit=1").await?;
        assert_eq!(fresh.page_info.total_spans, 10_002);
        api.stop().await;
        Ok(db)
    })
    .await
}

/// Reads `trace:update` messages until `complete`, returning the span names in arrival order per message.
async fn read_until_complete(
    socket: &mut tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
) -> anyhow::Result<Vec<Vec<String>>> {
    let mut messages = Vec::new();
    loop {
        let next = tokio::time::timeout(Duration::from_secs(20), socket.next()).await?;
        let Some(message) = next else { anyhow::bail!("socket closed before complete") };
        let text = match message? {
            Message::Text(text) => text,
            Message::Close(_) => anyhow::bail!("closed before complete"),
            _ => continue,
        };
        let LiveMessage::TraceUpdate { spans, complete, execution_id, .. } = serde_json::from_str(&text)?;
        assert_eq!(execution_id, "ex-live");
        messages.push(spans.into_iter().map(|s| s.name).collect());
        if complete {
            return Ok(messages);
        }
    }
}

async fn live_run(writer: &TestApi, reader: &TestApi) -> anyhow::Result<()> {
    writer.store.insert_spans(&[SpanSpec::new("ex-live", "a", Some("root"), 10, Some(20)).record()]).await?;
    let (mut socket, _) = tokio_tungstenite::connect_async(reader.ws_url("/api/executions/ex-live/trace/live")).await?;
    let first = tokio::time::timeout(Duration::from_secs(20), socket.next()).await?;
    let Some(Ok(Message::Text(first))) = first else { anyhow::bail!("no first message") };
    let LiveMessage::TraceUpdate { spans, complete, .. } = serde_json::from_str(&first)?;
    assert_eq!(spans.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["node a"]);
    assert!(!complete);
    // The engine goes on: a node opens, ends, another runs, the root ends.
    let steps = [
        vec![SpanSpec::new("ex-live", "b", Some("root"), 30, None).record()],
        vec![SpanSpec::new("ex-live", "b", Some("root"), 30, Some(40)).record()],
        vec![SpanSpec::new("ex-live", "c", Some("root"), 50, Some(60)).record()],
        vec![SpanSpec::new("ex-live", "root", None, 0, Some(70)).record()],
    ];
    for step in steps {
        tokio::time::sleep(Duration::from_millis(50)).await;
        writer.store.insert_spans(&step).await?;
    }
    let messages = read_until_complete(&mut socket).await?;
    let all: Vec<&str> = messages.iter().flatten().map(String::as_str).collect();
    // Every change arrives, each at most as often as it changed, and the root's end completes the stream.
    assert!(all.contains(&"node c") && all.contains(&"workflow root"), "{messages:?}");
    assert!(all.iter().filter(|n| **n == "node b").count() <= 2, "{messages:?}");
    assert!(!all.contains(&"node a"), "nothing is sent twice: {messages:?}");
    assert_eq!(messages.last().map(|m| m.contains(&"workflow root".to_owned())), Some(true), "{messages:?}");
    let closed = tokio::time::timeout(Duration::from_secs(5), socket.next()).await?;
    assert!(matches!(closed, None | Some(Ok(Message::Close(_))) | Some(Err(_))), "the stream ends after complete");
    Ok(())
}

#[tokio::test]
async fn live_updates_reach_a_websocket_client() -> anyhow::Result<()> {
    on_each_backend(|_, db: TestDb| async move {
        let api = TestApi::start(&db, |s| s).await?;
        live_run(&api, &api).await?;
        // A finished execution answers everything at once, then completes.
        let (mut socket, _) =
            tokio_tungstenite::connect_async(api.ws_url("/api/executions/ex-live/trace/live")).await?;
        let messages = read_until_complete(&mut socket).await?;
        assert_eq!(messages.len(), 1);
        assert_eq!(messages[0].len(), 4);
        api.stop().await;
        Ok(db)
    })
    .await
}

#[tokio::test]
async fn live_updates_cross_replicas_on_postgres() -> anyhow::Result<()> {
    let db = TestDb::create(Backend::Postgres).await?;
    let writer = TestApi::start(&db, |s| s).await?;
    // The reader never polls: it hears of the writer's spans through LISTEN/NOTIFY or not at all.
    let reader = TestApi::start(&db, |s| s.with_live_poll(Duration::from_secs(3600))).await?;
    let result = live_run(&writer, &reader).await;
    writer.stop().await;
    reader.stop().await;
    db.cleanup().await?;
    result
}
