//! Real OTLP senders against a real server, on SQLite and on Postgres, each run checked as a user sees it through
//! the REST API (the run list and the run's trace):
//! - what the Orcheo back end (orcheo-backend 0.39.0 from PyPI) sent for three runs, captured by
//!   `tests/senders/capture_orcheo.py` into `tests/fixtures/orcheo`, replayed in every order and batching;
//! - the plain OpenTelemetry Python SDK (`tests/senders/sdk_trace.py`): batch and simple processors, OTLP/HTTP in
//!   protobuf and in JSON, and a 1,200-span trace paged back whole;
//! - a LangGraph agent traced by OpenInference (`tests/senders/langgraph_agent.py`), one request per span, its
//!   LangGraph thread id arriving as the run's thread.
//!
//! The Python senders run from the venv `cargo xtask senders` makes; its interpreter comes in `SENDERS_PYTHON`
//! (`cargo xtask test` sets it). Without it these tests fail rather than skip.

mod common;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail, ensure};
use common::{TestApi, TestDb, on_each_backend};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::any_value::Value as OtlpValue;
use opentelemetry_proto::tonic::trace::v1::Span as OtlpSpan;
use prost::Message;
use serde_json::{Value, json};
use trace_api::auth::{AuthConfig, Authenticator};
use trace_model::node_io::IoValue;

const SECRET: &str = "real-senders-test-secret";
const ORCHEO_WORKSPACE: &str = "ws-orcheo-capture";
const SDK_WORKSPACE: &str = "ws-senders";

// ---------------------------------------------------------------------------------------------------------------
// The server: authentication on, so that each run's workspace is checked the way a user meets it.

fn authenticator() -> anyhow::Result<Authenticator> {
    Ok(Authenticator::new(&AuthConfig {
        required: true,
        jwt_secret: Some(SECRET.to_owned()),
        ..AuthConfig::default()
    })?)
}

fn token(scope: &str, workspaces: &[&str]) -> anyhow::Result<String> {
    let claims = json!({
        "sub": format!("real-senders-{scope}"),
        "scope": scope,
        "workspace_ids": workspaces,
        "exp": chrono::Utc::now().timestamp() + 3600,
    });
    Ok(jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &EncodingKey::from_secret(SECRET.as_bytes()))?)
}

struct Tokens {
    writer: String,
    reader: String,
    outsider: String,
}

impl Tokens {
    fn for_workspace(workspace: &str) -> anyhow::Result<Self> {
        Ok(Self {
            writer: token("traces:write", &[workspace])?,
            reader: token("workflows:read", &[workspace])?,
            outsider: token("workflows:read", &["ws-someone-else"])?,
        })
    }
}

async fn start(db: &TestDb) -> anyhow::Result<TestApi> {
    let auth = authenticator()?;
    TestApi::start(db, |s| s.with_auth(auth)).await
}

async fn post_otlp(api: &TestApi, token: &str, body: Vec<u8>) -> anyhow::Result<()> {
    let response = api
        .client
        .post(api.url("/v1/traces"))
        .bearer_auth(token)
        .header("content-type", "application/x-protobuf")
        .body(body)
        .send()
        .await?;
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    ensure!(status == 200, "POST /v1/traces answered {status}: {text}");
    Ok(())
}

/// Every page of a run's trace, followed through its cursor: (the first page's execution, all spans in order).
async fn whole_trace(api: &TestApi, execution: &str, token: &str, limit: usize) -> anyhow::Result<(Value, Vec<Value>)> {
    let mut spans = Vec::new();
    let mut cursor: Option<String> = None;
    let mut first: Option<Value> = None;
    for _ in 0..10_000 {
        let path = match &cursor {
            Some(c) => format!("/api/executions/{execution}/trace?limit={limit}&cursor={c}"),
            None => format!("/api/executions/{execution}/trace?limit={limit}"),
        };
        let (status, page) = api.get_json(&path, Some(token)).await?;
        ensure!(status == 200, "{path} answered {status}: {page}");
        spans.extend(page["spans"].as_array().cloned().unwrap_or_default());
        if first.is_none() {
            first = Some(page["execution"].clone());
        }
        if page["page_info"]["has_next_page"] != true {
            let total = page["page_info"]["total_spans"].as_u64();
            ensure!(total == Some(spans.len() as u64), "total_spans {total:?} but {} spans paged", spans.len());
            return Ok((first.unwrap_or_default(), spans));
        }
        cursor = page["page_info"]["cursor"].as_str().map(str::to_owned);
        ensure!(cursor.is_some(), "a next page without a cursor: {}", page["page_info"]);
    }
    bail!("{execution}: the pages never end")
}

/// The listed runs (default listing) of `trace_id`.
async fn listed_runs(api: &TestApi, token: &str, trace_id: &str) -> anyhow::Result<Vec<Value>> {
    let (status, list) = api.get_json("/api/executions?limit=500", Some(token)).await?;
    ensure!(status == 200, "GET /api/executions answered {status}: {list}");
    Ok(list["executions"]
        .as_array()
        .map(|runs| runs.iter().filter(|r| r["trace_id"] == trace_id).cloned().collect())
        .unwrap_or_default())
}

/// Root first, every parent before its children, each subtree contiguous (depth first), no parent missing.
fn assert_depth_first(spans: &[Value], context: &str) {
    let ids: Vec<&str> = spans.iter().filter_map(|s| s["span_id"].as_str()).collect();
    let unique: HashSet<&str> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "{context}: a span listed twice");
    let mut open: Vec<&str> = Vec::new();
    for (i, span) in spans.iter().enumerate() {
        let id = span["span_id"].as_str().unwrap_or_default();
        let parent = span["parent_span_id"].as_str().filter(|p| unique.contains(p));
        if i == 0 {
            assert!(parent.is_none(), "{context}: the first span is the root, not {span}");
        } else {
            let Some(parent) = parent else {
                panic!("{context}: span {id} ({}) has no parent in the tree", span["name"]);
            };
            while open.last().is_some_and(|top| *top != parent) {
                open.pop();
            }
            assert!(!open.is_empty(), "{context}: {id}'s parent {parent} is not an open ancestor (not depth first)");
        }
        open.push(id);
    }
}

fn by_name<'a>(spans: &'a [Value], name: &str) -> Vec<&'a Value> {
    spans.iter().filter(|s| s["name"] == name).collect()
}

/// The prompt and the response as the trace view shows them in the span's details (`trace_model::facts`).
fn model_texts(span: &Value) -> (String, String) {
    let Ok(span) = serde_json::from_value::<trace_model::Span>(span.clone()) else {
        return (String::new(), String::new());
    };
    let text = |t: Option<trace_model::facts::ModelText>| t.map(|t| t.text).unwrap_or_default();
    (text(trace_model::facts::prompt(&span)), text(trace_model::facts::response(&span)))
}

fn event_previews<'a>(span: &'a Value, event: &str) -> Vec<&'a str> {
    span["events"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["name"] == event)
        .filter_map(|e| e["attributes"]["preview"].as_str())
        .collect()
}

// ---------------------------------------------------------------------------------------------------------------
// The captured Orcheo runs.

struct Capture {
    scenario: &'static str,
    meta: Value,
    requests: Vec<ExportTraceServiceRequest>,
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/orcheo")
}

fn load(scenario: &'static str) -> anyhow::Result<Capture> {
    let dir = fixtures().join(scenario);
    let meta: Value = serde_json::from_slice(&std::fs::read(dir.join("meta.json"))?)?;
    let mut bodies: Vec<PathBuf> = std::fs::read_dir(&dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "pb"))
        .collect();
    bodies.sort();
    ensure!(!bodies.is_empty(), "no captured requests in {}", dir.display());
    let requests = bodies
        .iter()
        .map(|p| Ok(ExportTraceServiceRequest::decode(std::fs::read(p)?.as_slice())?))
        .collect::<anyhow::Result<Vec<_>>>()
        .with_context(|| format!("decoding {}", dir.display()))?;
    Ok(Capture { scenario, meta, requests })
}

fn spans_of(request: &ExportTraceServiceRequest) -> impl Iterator<Item = &OtlpSpan> {
    request.resource_spans.iter().flat_map(|r| r.scope_spans.iter()).flat_map(|s| s.spans.iter())
}

fn string_attr<'a>(span: &'a OtlpSpan, key: &str) -> Option<&'a str> {
    span.attributes.iter().find(|kv| kv.key == key).and_then(|kv| match kv.value.as_ref()?.value.as_ref()? {
        OtlpValue::StringValue(s) => Some(s.as_str()),
        _ => None,
    })
}

/// The same requests for another run: a new trace id, and `suffix` on the execution id, so that every delivery in
/// one database is a run of its own.
fn as_new_run(requests: &[ExportTraceServiceRequest], round: u8, suffix: &str) -> Vec<ExportTraceServiceRequest> {
    let mut requests = requests.to_vec();
    for request in &mut requests {
        for scope in request.resource_spans.iter_mut().flat_map(|r| r.scope_spans.iter_mut()) {
            for span in &mut scope.spans {
                if let Some(first) = span.trace_id.first_mut() {
                    *first = round;
                }
                for kv in &mut span.attributes {
                    if kv.key == "orcheo.execution.id"
                        && let Some(OtlpValue::StringValue(id)) = kv.value.as_mut().and_then(|v| v.value.as_mut())
                    {
                        id.push_str(suffix);
                    }
                }
            }
        }
    }
    requests
}

/// Each span in a request of its own, with its resource and scope, in the order sent.
fn one_per_span(requests: &[ExportTraceServiceRequest]) -> Vec<ExportTraceServiceRequest> {
    let mut out = Vec::new();
    for request in requests {
        for resource in &request.resource_spans {
            for scope in &resource.scope_spans {
                for span in &scope.spans {
                    let mut single_scope = scope.clone();
                    single_scope.spans = vec![span.clone()];
                    let mut single_resource = resource.clone();
                    single_resource.scope_spans = vec![single_scope];
                    out.push(ExportTraceServiceRequest { resource_spans: vec![single_resource] });
                }
            }
        }
    }
    out
}

/// The ways a sender may deliver the same spans.
fn deliveries(requests: &[ExportTraceServiceRequest]) -> Vec<(&'static str, Vec<ExportTraceServiceRequest>)> {
    let per_span = one_per_span(requests);
    let mut reversed: Vec<ExportTraceServiceRequest> = requests.iter().rev().cloned().collect();
    for request in &mut reversed {
        request.resource_spans.reverse();
        for resource in &mut request.resource_spans {
            resource.scope_spans.reverse();
            for scope in &mut resource.scope_spans {
                scope.spans.reverse();
            }
        }
    }
    let all_in_one = ExportTraceServiceRequest {
        resource_spans: requests.iter().flat_map(|r| r.resource_spans.iter().cloned()).collect(),
    };
    vec![
        ("as sent", requests.to_vec()),
        ("reversed", reversed),
        ("one request per span", per_span.clone()),
        ("one request per span, last first", per_span.iter().rev().cloned().collect()),
        ("each request twice", requests.iter().flat_map(|r| [r.clone(), r.clone()]).collect()),
        ("each span twice, last first", per_span.iter().rev().flat_map(|r| [r.clone(), r.clone()]).collect()),
        ("all in one", vec![all_in_one]),
    ]
}

/// What the user should see of a captured run, worked out from what Orcheo sent.
struct Expected {
    trace_id: String,
    execution_id: String,
    execution_span: String,
    /// The execution span, its descendants, and its ancestors (shown above it as context).
    run_spans: HashSet<String>,
    all_spans: HashSet<String>,
    names: HashMap<String, String>,
    node_spans: Vec<String>,
}

fn expected(requests: &[ExportTraceServiceRequest]) -> anyhow::Result<Expected> {
    let id = |bytes: &[u8]| const_hex::encode(bytes);
    // A delivery may repeat spans; each counts once.
    let mut seen = HashSet::new();
    let spans: Vec<&OtlpSpan> = requests.iter().flat_map(spans_of).filter(|s| seen.insert(id(&s.span_id))).collect();
    let parent: HashMap<String, String> = spans
        .iter()
        .filter(|s| !s.parent_span_id.is_empty())
        .map(|s| (id(&s.span_id), id(&s.parent_span_id)))
        .collect();
    let executions: Vec<&&OtlpSpan> =
        spans.iter().filter(|s| string_attr(s, "orcheo.execution.id").is_some()).collect();
    let [execution] = executions[..] else { bail!("expected one execution span, found {}", executions.len()) };
    let execution_span = id(&execution.span_id);
    let in_subtree = |span: &str| {
        let mut at = span.to_owned();
        loop {
            if at == execution_span {
                return true;
            }
            match parent.get(&at) {
                Some(p) => at.clone_from(p),
                None => return false,
            }
        }
    };
    let mut run_spans: HashSet<String> = spans.iter().map(|s| id(&s.span_id)).filter(|s| in_subtree(s)).collect();
    let mut at = execution_span.clone();
    while let Some(p) = parent.get(&at) {
        run_spans.insert(p.clone());
        at.clone_from(p);
    }
    Ok(Expected {
        trace_id: id(&execution.trace_id),
        execution_id: string_attr(execution, "orcheo.execution.id").unwrap_or_default().to_owned(),
        execution_span,
        all_spans: spans.iter().map(|s| id(&s.span_id)).collect(),
        names: spans.iter().map(|s| (id(&s.span_id), s.name.clone())).collect(),
        node_spans: spans
            .iter()
            .filter(|s| string_attr(s, "orcheo.node.id").is_some())
            .map(|s| id(&s.span_id))
            .collect(),
        run_spans,
    })
}

async fn check_orcheo_run(
    api: &TestApi,
    tokens: &Tokens,
    capture: &Capture,
    want: &Expected,
    context: &str,
) -> anyhow::Result<()> {
    let meta = &capture.meta;
    let runs = listed_runs(api, &tokens.reader, &want.trace_id).await?;
    assert_eq!(runs.len(), 1, "{context}: exactly one listed run for the trace: {runs:?}");
    let run = &runs[0];
    assert_eq!(run["id"], want.execution_id.as_str(), "{context}: listed under Orcheo's execution id");
    assert_eq!(run["status"], meta["expected_status"], "{context}: final status in the list");
    assert_eq!(run["workflow_id"], meta["workflow_id"], "{context}");

    let (execution, spans) = whole_trace(api, &want.execution_id, &tokens.reader, 500).await?;
    assert_eq!(execution["status"], meta["expected_status"], "{context}: final status");
    assert_eq!(execution["trace_id"], want.trace_id.as_str(), "{context}");
    assert_eq!(execution["root_span_id"], want.execution_span.as_str(), "{context}: the run is the execution span");
    assert_eq!(execution["span_count"], want.run_spans.len(), "{context}: the run's spans and their ancestors");
    let got: HashSet<String> = spans.iter().filter_map(|s| s["span_id"].as_str().map(str::to_owned)).collect();
    assert_eq!(got, want.run_spans, "{context}: the complete tree");
    assert_depth_first(&spans, context);

    // Nothing Orcheo sent is lost: what is not in the run (the request's other spans) is in the trace's own run.
    let (status, rest) =
        api.get_json(&format!("/api/executions/{}/trace", want.trace_id), Some(&tokens.reader)).await?;
    assert_eq!(status, 200, "{context}: the trace's own run: {rest}");
    let mut everything = got.clone();
    everything.extend(
        rest["spans"].as_array().into_iter().flatten().filter_map(|s| s["span_id"].as_str().map(str::to_owned)),
    );
    assert_eq!(everything, want.all_spans, "{context}: every span sent is stored");

    // Kinds: the execution is the workflow, every Orcheo step a node (the LLM call an llm).
    let kind_of = |id: &str| spans.iter().find(|s| s["span_id"] == id).map(|s| s["kind"].clone());
    assert_eq!(kind_of(&want.execution_span), Some(json!("workflow")), "{context}: workflow.execution");
    for node in &want.node_spans {
        let name = want.names.get(node).map_or("", String::as_str);
        let kind = if capture.scenario == "llm" && name == "model" { "llm" } else { "node" };
        assert_eq!(kind_of(node), Some(json!(kind)), "{context}: Orcheo step {name}");
    }

    // Tokens: exactly what Orcheo reported for the run.
    let reported = &meta["orcheo_reported"]["token_usage"];
    assert_eq!(execution["token_usage"]["input"], reported["input"], "{context}: input tokens");
    assert_eq!(execution["token_usage"]["output"], reported["output"], "{context}: output tokens");
    assert_eq!(run["token_usage"]["input"], reported["input"], "{context}: input tokens in the list");

    let error_spans = spans.iter().filter(|s| s["status"]["code"] == "ERROR").count();
    match capture.scenario {
        "error" => {
            assert_eq!(execution["error_count"], 1, "{context}: the execution span failed");
            assert_eq!(error_spans, 1, "{context}");
            let exec = spans.iter().find(|s| s["span_id"] == want.execution_span.as_str());
            let exec = exec.context("the execution span")?;
            let message = exec["status"]["message"].as_str().unwrap_or_default();
            assert!(message.contains("invoice service unreachable"), "{context}: {message:?}");
            let exception = exec["events"].as_array().into_iter().flatten().find(|e| e["name"] == "exception");
            assert_eq!(
                exception.map(|e| e["attributes"]["exception.type"].clone()),
                Some(json!("ConnectionError")),
                "{context}: the exception is readable"
            );
        }
        _ => assert_eq!(execution["error_count"], 0, "{context}"),
    }
    if capture.scenario == "llm" {
        let llm = &meta["llm"];
        let prompt = llm["prompt"].as_str().unwrap_or_default();
        let response = llm["response"].as_str().unwrap_or_default();
        let summarize = by_name(&spans, "summarize");
        let [summarize] = summarize[..] else { bail!("{context}: one summarize span, got {}", summarize.len()) };
        let messages = event_previews(summarize, "message");
        assert_eq!(messages, vec![prompt, response], "{context}: the LLM node's message events");
        let (shown_prompt, shown_response) = model_texts(summarize);
        assert!(shown_prompt.contains(prompt), "{context}: the view shows the prompt, not {shown_prompt:?}");
        assert!(shown_response.contains(response), "{context}: the view shows the response, not {shown_response:?}");
        let model = by_name(&spans, "model");
        let [model] = model[..] else { bail!("{context}: one model span, got {}", model.len()) };
        assert!(
            event_previews(model, "message").iter().any(|p| p.contains(response)),
            "{context}: the model call's answer: {model}"
        );
    }

    // The run belongs to the workspace Orcheo named: others neither list nor open it.
    assert!(listed_runs(api, &tokens.outsider, &want.trace_id).await?.is_empty(), "{context}: hidden from others");
    let outsider = api.get(&format!("/api/executions/{}/trace", want.execution_id), Some(&tokens.outsider)).await?;
    assert_eq!(outsider.status().as_u16(), 404, "{context}: another workspace gets 404");
    Ok(())
}

async fn replay_orcheo(scenario: &'static str) -> anyhow::Result<()> {
    let capture = load(scenario)?;
    assert_eq!(capture.meta["content_type"], json!(["application/x-protobuf"]), "Orcheo sends OTLP protobuf");
    assert_eq!(capture.meta["workspace"], ORCHEO_WORKSPACE);
    let sent: usize = capture.requests.iter().map(|r| spans_of(r).count()).sum();
    assert_eq!(Some(sent as u64), capture.meta["span_count"].as_u64(), "{scenario}: the fixture is whole");
    on_each_backend(|backend, db: TestDb| {
        let capture = &capture;
        async move {
            let api = start(&db).await?;
            let tokens = Tokens::for_workspace(ORCHEO_WORKSPACE)?;
            for (round, (how, requests)) in deliveries(&capture.requests).into_iter().enumerate() {
                let round = u8::try_from(round)?;
                let requests = as_new_run(&requests, round, &format!("-{round}"));
                let want = expected(&requests)?;
                for request in requests {
                    post_otlp(&api, &tokens.writer, request.encode_to_vec()).await?;
                }
                let context = format!("Orcheo {scenario} run, {how}, on {backend:?}");
                check_orcheo_run(&api, &tokens, capture, &want, &context).await?;
            }
            api.stop().await;
            Ok(db)
        }
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn orcheo_successful_run_replayed_in_every_delivery() -> anyhow::Result<()> {
    replay_orcheo("success").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn orcheo_failed_run_replayed_in_every_delivery() -> anyhow::Result<()> {
    replay_orcheo("error").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn orcheo_llm_run_replayed_in_every_delivery() -> anyhow::Result<()> {
    replay_orcheo("llm").await
}

// ---------------------------------------------------------------------------------------------------------------
// The Python senders.

fn senders_python() -> anyhow::Result<PathBuf> {
    match std::env::var_os("SENDERS_PYTHON") {
        Some(python) if !python.is_empty() => Ok(PathBuf::from(python)),
        _ => bail!(
            "SENDERS_PYTHON is not set: run `cargo xtask senders` and set SENDERS_PYTHON to the python it prints \
             (target/senders-venv/bin/python); `cargo xtask test` does both"
        ),
    }
}

/// Runs a sender script to completion (off the runtime, which keeps serving) and returns the JSON it printed.
async fn run_sender(script: &str, args: Vec<String>, env: &[(&str, &str)]) -> anyhow::Result<Value> {
    let python = senders_python()?;
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/senders").join(script);
    let env: Vec<(String, String)> = env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new(&python).arg(&path).args(&args).envs(env).output()
    })
    .await?
    .with_context(|| format!("running {script} with SENDERS_PYTHON"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    ensure!(output.status.success(), "{script} failed ({}):\n{stdout}\n{stderr}", output.status);
    let last = stdout.lines().rev().find(|l| l.trim_start().starts_with('{')).unwrap_or_default();
    serde_json::from_str(last).with_context(|| format!("{script} printed no JSON:\n{stdout}\n{stderr}"))
}

async fn sdk_trace(
    api: &TestApi,
    tokens: &Tokens,
    protocol: &str,
    processor: &str,
    spans: usize,
) -> anyhow::Result<Value> {
    let (endpoint, execution) = match protocol {
        "grpc" => (grpc_endpoint(api)?, format!("sdk-grpc-{processor}-{spans}")),
        _ => (api.url("/v1/traces"), format!("sdk-{}-{processor}-{spans}", protocol.replace('/', "-"))),
    };
    let args = [
        endpoint,
        format!("--protocol={protocol}"),
        format!("--processor={processor}"),
        format!("--spans={spans}"),
        format!("--execution-id={execution}"),
        format!("--workspace={SDK_WORKSPACE}"),
        format!("--token={}", tokens.writer),
    ];
    run_sender("sdk_trace.py", args.into(), &[]).await
}

async fn check_sdk_run(api: &TestApi, tokens: &Tokens, sent: &Value, context: &str) -> anyhow::Result<()> {
    let execution_id = sent["execution_id"].as_str().context("execution_id")?;
    let trace_id = sent["trace_id"].as_str().context("trace_id")?;
    let count = sent["span_count"].as_u64().context("span_count")?;
    let runs = listed_runs(api, &tokens.reader, trace_id).await?;
    assert_eq!(runs.len(), 1, "{context}: one listed run: {runs:?}");
    assert_eq!(runs[0]["id"], execution_id, "{context}");
    assert_eq!(runs[0]["status"], "completed", "{context}");
    assert_eq!(runs[0]["span_count"], count, "{context}");

    let (execution, spans) = whole_trace(api, execution_id, &tokens.reader, 500).await?;
    assert_eq!(execution["status"], "completed", "{context}");
    assert_eq!(execution["span_count"], count, "{context}: children without the id are in the run");
    assert_eq!(spans.len() as u64, count, "{context}: every span paged back");
    assert_eq!(execution["error_count"], sent["error_count"], "{context}");
    assert_eq!(execution["token_usage"]["input"], sent["input_tokens"], "{context}");
    assert_eq!(execution["token_usage"]["output"], sent["output_tokens"], "{context}");
    let total = sent["input_tokens"].as_u64().unwrap_or_default() + sent["output_tokens"].as_u64().unwrap_or_default();
    assert_eq!(execution["token_usage"]["total"], total, "{context}");
    assert_depth_first(&spans, context);

    let span = |name: &str| sent["span_ids"][name].as_str().and_then(|id| spans.iter().find(|s| s["span_id"] == id));
    let root = span("root").context("the root span")?;
    assert_eq!(spans[0]["span_id"], root["span_id"], "{context}: root first");
    assert_eq!(root["kind"], "workflow", "{context}");
    for name in ["fetch", "summarize", "notify"] {
        let node = span(name).with_context(|| format!("{context}: node {name}"))?;
        assert_eq!(node["kind"], "node", "{context}: {name}");
        assert_eq!(node["parent_span_id"], sent["parents"][name], "{context}: {name}'s parent");
    }
    let llm = span("llm").context("the LLM span")?;
    assert_eq!(llm["kind"], "llm", "{context}");
    assert_eq!(llm["parent_span_id"], sent["parents"]["llm"], "{context}");
    assert_eq!(llm["token_usage"]["input"], sent["input_tokens"], "{context}");
    assert_eq!(llm["attributes"]["gen_ai.request.model"], sent["model"], "{context}");
    let prompt = llm["attributes"]["gen_ai.input.messages"].as_str().unwrap_or_default();
    let answer = llm["attributes"]["gen_ai.output.messages"].as_str().unwrap_or_default();
    assert!(prompt.contains("Summarize the quarterly report."), "{context}: prompt readable: {llm}");
    assert!(answer.contains("Revenue grew 12%."), "{context}: response readable: {llm}");
    let (shown_prompt, shown_response) = model_texts(llm);
    assert!(shown_prompt.contains("Summarize the quarterly report."), "{context}: the view's prompt: {shown_prompt:?}");
    assert!(shown_response.contains("Revenue grew 12%."), "{context}: the view's response: {shown_response:?}");
    let notify = span("notify").context("the failed node")?;
    assert_eq!(notify["status"]["code"], "ERROR", "{context}");
    assert_eq!(notify["status"]["message"], "notification failed", "{context}");
    let exception = notify["events"].as_array().into_iter().flatten().find(|e| e["name"] == "exception");
    assert_eq!(
        exception.map(|e| e["attributes"]["exception.type"].clone()),
        Some(json!("ConnectionError")),
        "{context}: {notify}"
    );

    assert!(listed_runs(api, &tokens.outsider, trace_id).await?.is_empty(), "{context}: hidden from others");
    let outsider = api.get(&format!("/api/executions/{execution_id}/trace"), Some(&tokens.outsider)).await?;
    assert_eq!(outsider.status().as_u16(), 404, "{context}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_sdk_sends_over_http_protobuf_and_json_with_batch_and_simple_processors() -> anyhow::Result<()> {
    senders_python()?;
    on_each_backend(|backend, db: TestDb| async move {
        let api = start(&db).await?;
        let tokens = Tokens::for_workspace(SDK_WORKSPACE)?;
        for protocol in ["http/protobuf", "http/json"] {
            for processor in ["batch", "simple"] {
                let sent = sdk_trace(&api, &tokens, protocol, processor, 5).await?;
                check_sdk_run(&api, &tokens, &sent, &format!("SDK {protocol} {processor} on {backend:?}")).await?;
            }
        }
        api.stop().await;
        Ok(db)
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_sdk_trace_of_1200_spans_is_one_run_paged_back_whole() -> anyhow::Result<()> {
    senders_python()?;
    on_each_backend(|backend, db: TestDb| async move {
        let api = start(&db).await?;
        let tokens = Tokens::for_workspace(SDK_WORKSPACE)?;
        let sent = sdk_trace(&api, &tokens, "http/protobuf", "batch", 1200).await?;
        check_sdk_run(&api, &tokens, &sent, &format!("SDK 1,200 spans on {backend:?}")).await?;
        // Smaller pages give the same spans in the same order.
        let execution_id = sent["execution_id"].as_str().context("execution_id")?;
        let (_, by_500) = whole_trace(&api, execution_id, &tokens.reader, 500).await?;
        let (_, by_97) = whole_trace(&api, execution_id, &tokens.reader, 97).await?;
        let ids = |spans: &[Value]| spans.iter().map(|s| s["span_id"].clone()).collect::<Vec<_>>();
        assert_eq!(ids(&by_97), ids(&by_500), "{backend:?}: paging does not change the tree");
        api.stop().await;
        Ok(db)
    })
    .await
}

/// Where the harness's OTLP/gRPC receiver listens, as the Python gRPC exporter takes it (host:port).
fn grpc_endpoint(api: &TestApi) -> anyhow::Result<String> {
    match api.server.grpc_addr() {
        Some(addr) => Ok(addr.to_string()),
        None => bail!("the test harness started no OTLP/gRPC receiver"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_sdk_sends_over_grpc() -> anyhow::Result<()> {
    senders_python()?;
    on_each_backend(|backend, db: TestDb| async move {
        let api = start(&db).await?;
        let tokens = Tokens::for_workspace(SDK_WORKSPACE)?;
        for processor in ["batch", "simple"] {
            let sent = sdk_trace(&api, &tokens, "grpc", processor, 5).await?;
            check_sdk_run(&api, &tokens, &sent, &format!("SDK grpc {processor} on {backend:?}")).await?;
        }
        api.stop().await;
        Ok(db)
    })
    .await
}

/// Every chain (node) span's `input.value` / `output.value` and mime types arrive as the sender sent them, and the
/// view's reader finds the node's In and Out in them: JSON by mime type, with the question in the graph's input.
fn check_node_io(spans: &[Value], sent: &Value, context: &str) -> anyhow::Result<()> {
    let sent_io = sent["node_io"].as_object().context("node_io")?;
    ensure!(sent_io.len() >= 3, "{context}: the graph and its nodes record input and output: {sent_io:?}");
    let question = sent["question"].as_str().unwrap_or("?");
    let mut with_question = 0;
    for (span_id, attributes) in sent_io {
        let stored = spans.iter().find(|s| s["span_id"] == json!(span_id)).context("a sent node span is stored")?;
        for (key, value) in attributes.as_object().context("attributes")? {
            assert_eq!(&stored["attributes"][key], value, "{context}: {key} of {} intact", stored["name"]);
        }
        let span: trace_model::Span = serde_json::from_value(stored.clone())?;
        let io = trace_model::node_io::node_io(&span).context("the node's input and output are read")?;
        let input = io.input.context("an input")?;
        let json = attributes["input.mime_type"].as_str().is_some_and(|m| m.contains("json"));
        assert_eq!(
            matches!(input.value, IoValue::Json(_)),
            json,
            "{context}: {} read by its mime type",
            stored["name"]
        );
        if input.value.render().contains(question) {
            with_question += 1;
        }
        if attributes.get("output.value").is_some() {
            assert!(io.output.is_some(), "{context}: {} has an output", stored["name"]);
            assert!(trace_model::node_io::node_io(&span).and_then(|io| io.changes()).is_some());
        }
    }
    assert!(with_question > 0, "{context}: the question is in a node's input");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn langgraph_agent_traced_by_openinference_is_one_complete_run() -> anyhow::Result<()> {
    senders_python()?;
    on_each_backend(|backend, db: TestDb| async move {
        let api = start(&db).await?;
        let tokens = Tokens::for_workspace(SDK_WORKSPACE)?;
        // OpenInference names no workspace; the SDK's standard resource variable adds it (docs/configuration.md).
        let resource = format!("orcheo.workspace.id={SDK_WORKSPACE}");
        let args = vec![api.url("/v1/traces"), format!("--token={}", tokens.writer)];
        let sent = run_sender("langgraph_agent.py", args, &[("OTEL_RESOURCE_ATTRIBUTES", resource.as_str())]).await?;
        let context = format!("LangGraph agent on {backend:?}");
        let trace_id = sent["trace_id"].as_str().context("trace_id")?;
        let count = sent["span_count"].as_u64().context("span_count")?;
        assert_eq!(sent["requests"], count, "{context}: one request per span");

        // No execution id anywhere: the trace is the run.
        let runs = listed_runs(&api, &tokens.reader, trace_id).await?;
        assert_eq!(runs.len(), 1, "{context}: one listed run: {runs:?}");
        assert_eq!(runs[0]["id"], trace_id, "{context}");
        assert_eq!(runs[0]["status"], "completed", "{context}");
        // LangGraph's thread id, as OpenInference's session.id, is the run's thread, and the thread lists it.
        assert_eq!(sent["session_ids"], json!([sent["thread_id"]]), "{context}: what OpenInference sent");
        assert_eq!(runs[0]["thread_id"], sent["thread_id"], "{context}");
        let thread = sent["thread_id"].as_str().context("thread_id")?;
        let (status, by_thread) =
            api.get_json(&format!("/api/executions?thread_id={thread}"), Some(&tokens.reader)).await?;
        assert_eq!(status, 200, "{context}: {by_thread}");
        assert_eq!(by_thread["executions"].as_array().map(|runs| runs.len()), Some(1), "{context}: {by_thread}");
        assert_eq!(by_thread["executions"][0]["id"], trace_id, "{context}");
        let (execution, spans) = whole_trace(&api, trace_id, &tokens.reader, 500).await?;
        assert_eq!(execution["status"], "completed", "{context}");
        assert_eq!(execution["span_count"], count, "{context}");
        assert_eq!(spans.len() as u64, count, "{context}");
        assert_eq!(spans[0]["span_id"], sent["root_span_id"], "{context}: the LangGraph span on top");
        assert_depth_first(&spans, &context);
        assert_eq!(execution["token_usage"]["input"], sent["input_tokens"], "{context}");
        assert_eq!(execution["token_usage"]["output"], sent["output_tokens"], "{context}");
        assert_eq!(execution["error_count"], 0, "{context}");

        let of_kind = |kind: &str| spans.iter().filter(|s| s["kind"] == kind).collect::<Vec<_>>();
        let llms = of_kind("llm");
        assert_eq!(llms.len() as u64, sent["llm_calls"].as_u64().unwrap_or_default(), "{context}: LLM calls");
        let tools = of_kind("tool");
        let [tool] = tools[..] else { bail!("{context}: one tool span, got {}", tools.len()) };
        assert_eq!(tool["name"], sent["tool"], "{context}");
        assert_eq!(tool["attributes"]["tool.name"], sent["tool"], "{context}");
        assert!(
            tool["attributes"]["output.value"]
                .as_str()
                .unwrap_or_default()
                .contains(sent["tool_result"].as_str().unwrap_or_default()),
            "{context}: the tool's result is readable: {tool}"
        );
        let tokens_of = |s: &Value| (s["token_usage"]["input"].as_u64(), s["token_usage"]["output"].as_u64());
        assert_eq!(tokens_of(llms[0]), (Some(57), Some(12)), "{context}: first call");
        assert_eq!(tokens_of(llms[1]), (Some(83), Some(14)), "{context}: second call");
        assert_eq!(llms[0]["attributes"]["llm.input_messages.0.message.content"], sent["question"], "{context}");
        assert_eq!(llms[1]["attributes"]["llm.output_messages.0.message.content"], sent["answer"], "{context}");
        assert_eq!(llms[0]["attributes"]["llm.model_name"], "scripted-gpt", "{context}");
        let question = sent["question"].as_str().unwrap_or("?");
        let answer = sent["answer"].as_str().unwrap_or("?");
        let (first_prompt, _) = model_texts(llms[0]);
        assert!(first_prompt.contains(question), "{context}: the view shows the question: {first_prompt:?}");
        let (_, last_response) = model_texts(llms[1]);
        assert!(last_response.contains(answer), "{context}: the view shows the answer: {last_response:?}");
        let kinds: HashSet<&str> = spans.iter().filter_map(|s| s["kind"].as_str()).collect();
        assert_eq!(kinds, HashSet::from(["node", "llm", "tool"]), "{context}: chains and agents are nodes");
        let root_input = spans[0]["attributes"]["input.value"].as_str().unwrap_or_default();
        assert!(root_input.contains(sent["question"].as_str().unwrap_or("?")), "{context}: the run's input");
        check_node_io(&spans, &sent, &context)?;

        assert!(listed_runs(&api, &tokens.outsider, trace_id).await?.is_empty(), "{context}: hidden from others");
        api.stop().await;
        Ok(db)
    })
    .await
}
