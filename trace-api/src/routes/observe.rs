//! Request latency for the metrics, by route.

use std::time::Instant;

use salvo::prelude::*;

use crate::metrics::route_of;

#[handler]
pub async fn record(req: &mut Request, depot: &mut Depot, res: &mut Response, ctrl: &mut FlowCtrl) {
    let started = Instant::now();
    ctrl.call_next(req, depot, res).await;
    if let Ok(state) = super::state(depot) {
        let status = res.status_code.map_or(200, |s| s.as_u16());
        state.metrics.request(req.method().as_str(), route_of(req.uri().path()), status, started.elapsed());
    }
}
