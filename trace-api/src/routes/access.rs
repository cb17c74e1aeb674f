//! The one access rule every route applies: authenticate (once, in a hoop that puts the caller's [`Principal`] in
//! the depot), require the scope, and hide executions of other workspaces behind 404 so that their ids do not leak.

use salvo::http::header::{AUTHORIZATION, SEC_WEBSOCKET_PROTOCOL};
use salvo::prelude::*;
use trace_model::Execution;

use super::params;
use crate::auth::Principal;
use crate::error::ApiError;
use crate::state::AppState;

/// `Authorization: Bearer <token>`.
pub fn bearer_token(req: &Request) -> Option<String> {
    crate::auth::bearer(req.headers().get(AUTHORIZATION)?.to_str().ok()?).map(str::to_owned)
}

/// Browsers cannot set headers on a WebSocket: the token may also come as the subprotocol `bearer.<token>`
/// (beside `orcheo-auth`); the live route also reads `?access_token=`.
pub fn websocket_token(req: &Request) -> Option<String> {
    bearer_token(req).or_else(|| {
        let protocols = req.headers().get(SEC_WEBSOCKET_PROTOCOL)?.to_str().ok()?;
        protocols.split(',').find_map(|p| p.trim().strip_prefix("bearer.").map(str::to_owned))
    })
}

/// Authenticates the caller by `Authorization: Bearer` and puts its [`Principal`] in the depot for the route's
/// handler ([`authorize`]); answers 401 itself.
#[handler]
pub async fn authenticate(req: &mut Request, depot: &mut Depot, res: &mut Response, ctrl: &mut FlowCtrl) {
    admit(bearer_token(req), depot, res, ctrl);
}

/// [`authenticate`] for the live WebSocket: the token may also come as a subprotocol ([`websocket_token`]) or as
/// `?access_token=`.
#[handler]
pub async fn authenticate_websocket(req: &mut Request, depot: &mut Depot, res: &mut Response, ctrl: &mut FlowCtrl) {
    let token = websocket_token(req).or_else(|| params::text(req.query::<String>("access_token")));
    admit(token, depot, res, ctrl);
}

fn admit(token: Option<String>, depot: &mut Depot, res: &mut Response, ctrl: &mut FlowCtrl) {
    match super::state(depot).and_then(|state| Ok(state.auth.authenticate(token.as_deref())?)) {
        Ok(principal) => {
            depot.insert_typed(principal);
        }
        Err(e) => {
            e.render(res);
            ctrl.skip_rest();
        }
    }
}

/// The caller the route's hoop authenticated, who must hold `scope`.
pub fn authorize<'a>(depot: &'a Depot, scope: &str) -> Result<&'a Principal, ApiError> {
    let principal =
        depot.get_typed::<Principal>().map_err(|_| ApiError::internal("the route does not authenticate its caller"))?;
    if !principal.has_scope(scope) {
        return Err(ApiError::forbidden(format!("this token lacks the {scope} scope")));
    }
    Ok(principal)
}

/// The execution `id` if it exists and the caller may see its workspace; 404 otherwise, either way.
pub async fn visible_execution(
    state: &AppState,
    principal: &Principal,
    id: &str,
) -> Result<(String, Execution), ApiError> {
    let (workspace, execution) = state.store.execution(id).await?.ok_or_else(|| not_found(id))?;
    visible(principal, &workspace, id)?;
    Ok((workspace, execution))
}

/// Whether the caller may see execution `id` of `workspace`: 404 if not, as if it did not exist.
pub fn visible(principal: &Principal, workspace: &str, id: &str) -> Result<(), ApiError> {
    if principal.can_see(workspace) { Ok(()) } else { Err(not_found(id)) }
}

/// The one answer for "no such execution" and "not yours".
pub fn not_found(id: &str) -> ApiError {
    ApiError::not_found(format!("execution {id:?} not found"))
}
