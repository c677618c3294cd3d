//! The platform emulator: a small LMS inside the inspector (courses, users, deployments,
//! registered tools) with the OIDC authorization endpoint, signed launches, JWKS, token
//! endpoint, NRPS, AGS and the deep linking return endpoint. Every request is recorded.

pub mod commands;

use axum::Router;

use crate::engine::Engine;
use crate::record::{self, Recorder};
use crate::store::Side;

pub fn router(engine: Engine) -> Router {
    let recorder = Recorder {
        store: engine.store().clone(),
        events: engine.events().clone(),
        side: Side::Emulator,
        body_limit: engine.config().body_limit,
    };
    Router::new()
        .fallback(not_found)
        .with_state(engine)
        .layer(axum::middleware::from_fn_with_state(recorder, record::record))
}

async fn not_found() -> axum::response::Response {
    crate::pages::error_page(
        axum::http::StatusCode::NOT_FOUND,
        "Not an emulator endpoint",
        "This address is not one of the platform emulator's endpoints. The request was recorded.",
    )
}
