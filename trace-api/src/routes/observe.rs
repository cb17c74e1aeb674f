//! Request latency for the metrics, by route template.

use std::time::Instant;

use salvo::prelude::*;

use crate::metrics::route_label;

/// The label of the static web bundle's files: one series for all of them.
pub const STATIC: &str = "static";

/// A label set by a route whose template says nothing useful (the fallbacks, the static files).
#[derive(Debug, Clone, Copy)]
pub struct RouteLabel(pub &'static str);

/// A hoop that labels every request of its routes `label`.
pub fn label(label: &'static str) -> impl Handler {
    LabelHoop(label)
}

struct LabelHoop(&'static str);

#[async_trait]
impl Handler for LabelHoop {
    async fn handle(&self, req: &mut Request, depot: &mut Depot, res: &mut Response, ctrl: &mut FlowCtrl) {
        depot.insert_typed(RouteLabel(self.0));
        ctrl.call_next(req, depot, res).await;
    }
}

#[handler]
pub async fn record(req: &mut Request, depot: &mut Depot, res: &mut Response, ctrl: &mut FlowCtrl) {
    let started = Instant::now();
    ctrl.call_next(req, depot, res).await;
    let route = match depot.get_typed::<RouteLabel>() {
        Ok(RouteLabel(label)) => (*label).to_owned(),
        Err(_) => route_label(req.matched_path()),
    };
    if let Ok(state) = super::state(depot) {
        let status = res.status_code.map_or(200, |s| s.as_u16());
        state.metrics.request(req.method().as_str(), route, status, started.elapsed());
    }
}
