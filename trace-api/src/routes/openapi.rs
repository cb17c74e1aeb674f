//! The OpenAPI document of the service, built from the documented routes.

use salvo::oapi::security::{Http, HttpAuthScheme, SecurityScheme};
use salvo::oapi::{Info, OpenApi};
use salvo::prelude::*;

pub fn document(router: &Router) -> OpenApi {
    let info = Info::new("Trace API", env!("CARGO_PKG_VERSION")).description(
        "Run history and traces of workflow executions, live trace updates, artifact downloads and an OTLP/HTTP \
         receiver. Errors are JSON {\"detail\", \"code\"}.",
    );
    OpenApi::with_info(info)
        .add_security_scheme("bearer", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer).bearer_format("JWT")))
        .merge_router(router)
}
