//! `GET /api/executions`: run history, newest first, with each run's trace summary.

use salvo::prelude::*;
use trace_model::{ExecutionPage, ExecutionStatus, ListPageInfo};

use super::access::{authorize, bearer_token};
use super::params;
use crate::auth::SCOPE_READ;
use crate::error::ApiError;
use crate::links::links_for;
use crate::store::ExecutionFilter;

const DEFAULT_LIMIT: u32 = 50;
const MAX_LIMIT: u32 = 500;

#[handler]
pub async fn list(req: &mut Request, depot: &mut Depot) -> Result<Json<ExecutionPage>, ApiError> {
    let state = super::state(depot)?;
    let principal = authorize(state, bearer_token(req), SCOPE_READ)?;
    let filter = ExecutionFilter { workspaces: principal.workspace_filter(), ..filter_from(req)? };
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

fn filter_from(req: &Request) -> Result<ExecutionFilter, ApiError> {
    let status = params::text(req, "status")
        .map(|s| {
            ExecutionStatus::parse(&s).ok_or_else(|| {
                ApiError::bad_request(
                    "invalid_status",
                    format!("status must be running, completed, error or cancelled, not {s:?}"),
                )
            })
        })
        .transpose()?;
    Ok(ExecutionFilter {
        workflow_id: params::text(req, "workflow_id"),
        status,
        workspaces: None,
        before_seq: params::cursor(req)?,
        limit: params::limit(req, DEFAULT_LIMIT, MAX_LIMIT)?,
    })
}
