//! `GET /api/executions/{id}/trace/live`: a WebSocket of `trace:update` messages with the spans that are new or
//! changed since the last message, ending with one `complete: true` message once the execution has finished.
//!
//! Each connection keeps a version watermark and re-reads the store when told the execution changed (or every
//! few seconds, in case a notice was lost), so messages carry exactly what the client has not seen.

use salvo::oapi::extract::{PathParam, QueryParam};
use salvo::prelude::*;
use salvo::websocket::{Message, WebSocket, WebSocketUpgrade};
use tokio::sync::broadcast::error::RecvError;
use trace_model::{ErrorBody, LiveMessage};

use super::access::{authorize, visible_execution};
use crate::auth::SCOPE_READ;
use crate::error::ApiError;
use crate::state::AppState;

/// The subprotocol a browser offers (with `bearer.<token>`) to authenticate; the server answers with it.
pub const AUTH_PROTOCOL: &str = "orcheo-auth";

/// Live updates of a trace over a WebSocket: `trace:update` messages with new or changed spans, the last one
/// with `complete: true`.
///
/// Browsers authenticate with the subprotocols `orcheo-auth, bearer.<token>` or with `?access_token=`.
#[endpoint(
    tags("traces"),
    security(("bearer" = [])),
    parameters(
        ("id", description = "The execution id."),
        ("access_token", description = "The bearer token, for clients that cannot set headers."),
    ),
    responses(
        (status_code = 101, description = "Switching to the WebSocket protocol."),
        (status_code = 401, description = "No valid token.", body = ErrorBody),
        (status_code = 403, description = "The token lacks workflows:read.", body = ErrorBody),
        (status_code = 404, description = "No such execution in the caller's workspaces.", body = ErrorBody),
    )
)]
pub async fn subscribe(
    req: &mut Request,
    depot: &mut Depot,
    res: &mut Response,
    id: PathParam<String>,
    access_token: QueryParam<String, false>,
) -> Result<(), ApiError> {
    // Read by the route's hoop (`access::authenticate_websocket`); an argument here for the OpenAPI document.
    let _ = access_token;
    let state = super::state(depot)?.clone();
    let principal = authorize(depot, SCOPE_READ)?;
    let id = id.into_inner();
    let (workspace, _) = visible_execution(&state, principal, &id).await?;
    state.audit.record(&principal.subject, "trace.live", &id, &workspace).await;
    WebSocketUpgrade::new()
        .protocols(&[AUTH_PROTOCOL])
        .upgrade(req, res, move |ws| stream(ws, state, id))
        .await
        .map_err(|e| ApiError::bad_request("websocket_upgrade", e.to_string()))
}

enum Wake {
    Changed,
    ClientGone,
}

async fn stream(mut ws: WebSocket, state: AppState, id: String) {
    // Subscribed before the first read, so that no change can slip between the read and the wait.
    let mut changes = state.store.changes().subscribe();
    let mut watermark = 0;
    loop {
        match send_news(&mut ws, &state, &id, &mut watermark).await {
            Ok(true) => break,
            Ok(false) => {}
            Err(e) => {
                tracing::warn!(execution = %id, error = %e, "live updates stopped");
                break;
            }
        }
        if let Wake::ClientGone = wait(&mut ws, &mut changes, &id, state.live_poll).await {
            return;
        }
    }
    let _ = ws.close().await;
}

/// Sends what changed since `watermark`; true once the `complete` message has gone out.
async fn send_news(ws: &mut WebSocket, state: &AppState, id: &str, watermark: &mut i64) -> Result<bool, String> {
    // The status first: the root span that finishes a run is stored with its status, so a finished status means
    // the spans read next include everything.
    let execution = state.store.execution(id).await.map_err(|e| e.to_string())?;
    let Some((_, execution)) = execution else { return Err("the execution disappeared".to_owned()) };
    let complete = execution.status.is_finished();
    let page = state.store.spans_since(id, *watermark).await.map_err(|e| e.to_string())?;
    if page.spans.is_empty() && !complete {
        return Ok(false);
    }
    *watermark = page.max_version;
    let message = LiveMessage::TraceUpdate {
        execution_id: id.to_owned(),
        trace_id: execution.trace_id,
        spans: page.spans,
        complete,
    };
    let text = serde_json::to_string(&message).map_err(|e| e.to_string())?;
    ws.send(Message::text(text)).await.map_err(|e| e.to_string())?;
    Ok(complete)
}

async fn wait(
    ws: &mut WebSocket,
    changes: &mut tokio::sync::broadcast::Receiver<String>,
    id: &str,
    poll_every: std::time::Duration,
) -> Wake {
    let poll = tokio::time::sleep(poll_every);
    tokio::pin!(poll);
    loop {
        tokio::select! {
            notice = changes.recv() => match notice {
                Ok(changed) if changed == id => return Wake::Changed,
                Ok(_) => {}
                Err(RecvError::Lagged(_)) => return Wake::Changed,
                Err(RecvError::Closed) => return Wake::ClientGone,
            },
            () = &mut poll => return Wake::Changed,
            message = ws.recv() => match message {
                None | Some(Err(_)) => return Wake::ClientGone,
                Some(Ok(m)) if m.is_close() => return Wake::ClientGone,
                Some(Ok(_)) => {}
            },
        }
    }
}
