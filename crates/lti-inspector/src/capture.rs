//! The tool side (capture endpoint): what an LMS launches into. Serves the tool's JWKS now; the
//! OIDC login, launch and deep linking endpoints attach here. Every request is recorded.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

use crate::engine::Engine;
use crate::keys::KeyRole;
use crate::pages;
use crate::record::{self, Recorder};
use crate::store::Side;

/// Paths of the tool's endpoints, relative to its base URL (shown on the Setup page).
pub mod paths {
    pub const JWKS: &str = "/.well-known/jwks.json";
    pub const LOGIN: &str = "/lti/login";
    pub const LAUNCH: &str = "/lti/launch";
    pub const DEEP_LINK: &str = "/lti/deep-link";
}

pub fn router(engine: Engine) -> Router {
    let recorder = Recorder {
        store: engine.store().clone(),
        events: engine.events().clone(),
        side: Side::Tool,
        body_limit: engine.config().body_limit,
    };
    Router::new()
        .route(paths::JWKS, get(jwks))
        .fallback(not_found)
        .with_state(engine)
        .layer(axum::middleware::from_fn_with_state(recorder, record::record))
}

async fn jwks(State(engine): State<Engine>) -> Response {
    if let Err(e) = engine.keys().signing_key(KeyRole::Tool).await {
        return (StatusCode::SERVICE_UNAVAILABLE, Json(crate::error::ApiError::from(&e))).into_response();
    }
    match engine.keys().jwks(KeyRole::Tool).await {
        Ok(set) => ([(header::CACHE_CONTROL, "max-age=300")], Json(set)).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, Json(crate::error::ApiError::from(&e))).into_response(),
    }
}

async fn not_found() -> Response {
    pages::error_page(
        StatusCode::NOT_FOUND,
        "Not an LTI Inspector endpoint",
        "This address is not one of the tool's endpoints. The request was recorded; see the Timeline.",
    )
}
