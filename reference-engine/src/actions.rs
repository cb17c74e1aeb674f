//! What each kind of node does, reporting its external calls through the hooks.

use std::backtrace::Backtrace;
use std::time::Duration;

use engine_instrumentation::calls::{
    CallResult, CallStart, HttpRequest, HttpResponse, LlmRequest, Message, StorageRequest, StorageResponse,
};
use engine_instrumentation::hooks::{ExecutionObserver, NodeFailure, NodeInfo, RunInfo};

use crate::engine::Engine;
use crate::guard::CallGuard;
use crate::model;
use crate::workflow::NodeAction;

pub(crate) enum ActionError {
    Failed(NodeFailure),
    Cancelled(String),
}

/// A real provider answers in tens of milliseconds at least; the local model waits that long so that LLM spans
/// have a realistic width.
const MODEL_LATENCY: Duration = Duration::from_millis(15);

/// A failure with the stack of where it was raised.
fn failure(error_type: &str, message: impl Into<String>) -> NodeFailure {
    NodeFailure::new(error_type, message).with_stacktrace(Backtrace::force_capture().to_string())
}

fn start<'a>(
    observer: &'a dyn ExecutionObserver,
    run: &'a RunInfo,
    node: &'a NodeInfo,
    call: &CallStart,
) -> CallGuard<'a> {
    let handle = observer.call_started(run, node, call);
    CallGuard { observer, run, node, handle: Some(handle) }
}

pub(crate) async fn perform(
    engine: &Engine,
    action: &NodeAction,
    input: &str,
    run: &RunInfo,
    node: &NodeInfo,
    observer: &dyn ExecutionObserver,
) -> Result<String, ActionError> {
    match action {
        NodeAction::Task { duration } => {
            if !duration.is_zero() {
                tokio::time::sleep(*duration).await;
            }
            Ok(format!("{} done", node.node_id))
        }
        NodeAction::Llm { model: name, system, prompt } => {
            let request = LlmRequest {
                operation: "chat".to_owned(),
                provider: model::PROVIDER.to_owned(),
                model: name.clone(),
                messages: vec![
                    Message::new("system", system.clone()),
                    Message::new("user", prompt.replace("{input}", input)),
                ],
            };
            let call = start(observer, run, node, &CallStart::Llm(request.clone()));
            let response = model::complete(&request);
            tokio::time::sleep(MODEL_LATENCY).await;
            let text = response.message.content.clone();
            call.finish(&CallResult::Llm(response));
            Ok(text)
        }
        NodeAction::Http { method, url } => http(engine, method, url, run, node, observer).await,
        NodeAction::WriteArtifact { name, content_type, content } => {
            let bytes = content.replace("{input}", input).into_bytes();
            let request =
                StorageRequest { operation: "put".to_owned(), system: "memory".to_owned(), target: name.clone() };
            let call = start(observer, run, node, &CallStart::Storage(request));
            let size = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
            match engine.artifacts.put(&run.execution_id, name, content_type, bytes) {
                Ok(artifact) => {
                    let id = artifact.id.clone();
                    call.finish(&CallResult::Storage(StorageResponse { bytes: size, artifact: Some(artifact) }));
                    Ok(id)
                }
                Err(e) => {
                    let f = failure("ArtifactStoreError", e.to_string());
                    call.finish(&CallResult::Failed(f.clone()));
                    Err(ActionError::Failed(f))
                }
            }
        }
        NodeAction::Flaky { failures, message } if node.attempt <= *failures => {
            Err(ActionError::Failed(failure("TransientError", format!("{message} (attempt {})", node.attempt))))
        }
        NodeAction::Flaky { .. } => Ok(format!("{} done on attempt {}", node.node_id, node.attempt)),
        NodeAction::Fail { message } => Err(ActionError::Failed(failure("NodeExecutionError", message.clone()))),
    }
}

async fn http(
    engine: &Engine,
    method: &str,
    url: &str,
    run: &RunInfo,
    node: &NodeInfo,
    observer: &dyn ExecutionObserver,
) -> Result<String, ActionError> {
    let call =
        start(observer, run, node, &CallStart::Http(HttpRequest { method: method.to_owned(), url: url.to_owned() }));
    let sent = async {
        let client = engine.http.as_ref().map_err(|e| failure("HttpClientError", e.clone()))?;
        let method = reqwest::Method::from_bytes(method.as_bytes())
            .map_err(|e| failure("InvalidMethod", format!("{method}: {e}")))?;
        let mut request = client.request(method, url);
        for (name, value) in call.propagation() {
            request = request.header(name.as_str(), value.as_str());
        }
        let response = request.send().await.map_err(|e| failure("HttpError", e.to_string()))?;
        let status = response.status().as_u16();
        let body = response.text().await.map_err(|e| failure("HttpError", e.to_string()))?;
        Ok::<_, NodeFailure>((status, body))
    };
    match sent.await {
        Ok((status, body)) => {
            let body_bytes = u64::try_from(body.len()).unwrap_or(u64::MAX);
            call.finish(&CallResult::Http(HttpResponse { status, body_bytes }));
            if status >= 400 {
                return Err(ActionError::Failed(failure("HttpStatusError", format!("{url} answered {status}"))));
            }
            Ok(body)
        }
        Err(f) => {
            call.finish(&CallResult::Failed(f.clone()));
            Err(ActionError::Failed(f))
        }
    }
}
