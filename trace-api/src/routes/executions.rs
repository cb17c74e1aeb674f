//! `GET /api/executions`: run history, newest first, with each run's trace summary.

use salvo::oapi::ToParameters;
use salvo::prelude::*;
use serde::Deserialize;
use trace_model::{ErrorBody, ExecutionPage, ExecutionStatus, ListPageInfo};

use super::access::authorize;
use super::params;
use crate::auth::SCOPE_READ;
use crate::error::ApiError;
use crate::links::links_for;
use crate::store::ExecutionFilter;

const DEFAULT_LIMIT: u32 = 50;
const MAX_LIMIT: u32 = 500;

/// The query of `GET /api/executions`. Each value is taken as text and checked by the handler, so that a bad one
/// gets the API's own 400 answer (`invalid_limit`, …); the document shows the type the value must have.
#[derive(Debug, Deserialize, ToParameters)]
#[salvo(parameters(default_parameter_in = Query))]
pub struct ListQuery {
    /// Only runs of this workflow.
    workflow_id: Option<String>,
    /// Only runs of this trace (32 hex digits): where a span link leads.
    trace_id: Option<String>,
    /// Only runs of this conversation thread (the `thread_id` a run's spans carry: Orcheo's
    /// `orcheo.execution.thread_id`, OpenInference's `session.id` or GenAI's `gen_ai.conversation.id`).
    thread_id: Option<String>,
    /// Only runs in this status: running, completed, error, cancelled or stalled (running, but nothing arrived for
    /// the stall period).
    #[salvo(parameter(value_type = Option<ExecutionStatus>))]
    status: Option<String>,
    /// `all` also lists traces without an execution id that hold no workflow, node, LLM or tool span (bare HTTP
    /// requests); they are stored either way and reachable by trace id.
    include: Option<String>,
    /// `page_info.cursor` of the previous page.
    cursor: Option<String>,
    /// Runs per page, 1 to 500 (default 50).
    #[salvo(parameter(value_type = Option<u32>, minimum = 1, maximum = 500))]
    limit: Option<String>,
}

/// Run history, newest first, with each run's trace summary and dashboard links.
///
/// Only executions of the caller's workspaces are listed.
#[endpoint(
    tags("executions"),
    security(("bearer" = [])),
    responses(
        (status_code = 200, description = "A page of runs.", body = ExecutionPage),
        (status_code = 400, description = "A parameter is invalid.", body = ErrorBody),
        (status_code = 401, description = "No valid token.", body = ErrorBody),
        (status_code = 403, description = "The token lacks workflows:read.", body = ErrorBody),
        (status_code = 503, description = "The store is unavailable.", body = ErrorBody),
    )
)]
pub async fn list(depot: &mut Depot, query: ListQuery) -> Result<Json<ExecutionPage>, ApiError> {
    let state = super::state(depot)?;
    let principal = authorize(depot, SCOPE_READ)?;
    let filter = ExecutionFilter {
        workflow_id: params::id_filter("workflow_id", query.workflow_id)?,
        trace_id: params::id_filter("trace_id", query.trace_id)?.map(|t| t.to_ascii_lowercase()),
        thread_id: params::id_filter("thread_id", query.thread_id)?,
        status: parse_status(query.status)?,
        workspaces: principal.workspace_filter(),
        before_seq: params::cursor(query.cursor, |c| c.parse::<i64>().ok())?,
        include_unlisted: parse_include(query.include)?,
        limit: params::limit(query.limit, DEFAULT_LIMIT, MAX_LIMIT)?,
    };
    let limit = filter.limit as usize;
    // One row more than asked tells whether another page exists.
    let mut rows = state.store.list_executions(&ExecutionFilter { limit: filter.limit + 1, ..filter }).await?;
    let has_next_page = rows.len() > limit;
    rows.truncate(limit);
    let cursor = if has_next_page { rows.last().map(|(seq, _)| seq.to_string()) } else { None };
    let executions = rows
        .into_iter()
        .map(|(_, mut execution)| {
            execution.links = links_for(&state.links, &execution);
            execution
        })
        .collect();
    Ok(Json(ExecutionPage { executions, page_info: ListPageInfo { has_next_page, cursor } }))
}

fn parse_status(raw: Option<String>) -> Result<Option<ExecutionStatus>, ApiError> {
    params::text(raw)
        .map(|s| {
            ExecutionStatus::parse(&s).ok_or_else(|| {
                ApiError::bad_request(
                    "invalid_status",
                    format!("status must be running, completed, error, cancelled or stalled, not {s:?}"),
                )
            })
        })
        .transpose()
}

fn parse_include(raw: Option<String>) -> Result<bool, ApiError> {
    match params::text(raw).as_deref() {
        None | Some("listed") => Ok(false),
        Some("all") => Ok(true),
        Some(other) => {
            Err(ApiError::bad_request("invalid_include", format!("include must be all or listed, not {other:?}")))
        }
    }
}
