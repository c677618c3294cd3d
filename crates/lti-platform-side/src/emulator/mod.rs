//! The platform emulator: a small LMS inside the inspector (courses, users, deployments,
//! registered tools) with the OIDC authorization endpoint, signed launches, JWKS, token
//! endpoint, NRPS, AGS and the deep linking return endpoint. Every request is recorded and
//! grouped into a flow; what the *tool* does wrong becomes findings of that flow. Playing an
//! LMS, the emulator refuses what an LMS would refuse — with the spec's error and a clear message.

mod ags;
mod assertion;
mod claims;
pub mod commands;
pub mod db;
mod deep_linking;
pub mod dl_preview;
pub mod dynreg;
mod flow_messages;
mod html_pages;
pub mod launch;
mod lineitem;
pub mod lti11;
pub mod model;
mod nrps;
mod oidc;
pub mod remint;
mod score;
mod service_auth;
mod token;
mod tool_keys;
pub mod types;
pub mod walk;

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};

use crate::PlatformSide;
use lti_core::recorder::Recorder;
use lti_core::signing_keys::KeyRole;
use lti_core::store::Side;

/// Paths of the emulator's endpoints, relative to its base URL (which is also its issuer).
pub mod paths {
    pub const JWKS: &str = "/.well-known/jwks.json";
    pub const OPENID_CONFIGURATION: &str = "/.well-known/openid-configuration";
    pub const AUTH: &str = "/auth";
    pub const TOKEN: &str = "/token";
    /// `/launch/{launch id}`: the page that starts a launch (login initiation towards the tool).
    pub const LAUNCH: &str = "/launch";
    /// `/deep-linking/{launch id}`: where the tool posts its deep linking response.
    pub const DEEP_LINKING_RETURN: &str = "/deep-linking";
    /// `/courses/{course id}/…`: NRPS memberships and AGS line items of a course.
    pub const COURSES: &str = "/courses";
}

pub fn router(platform: PlatformSide) -> Router {
    let events = platform.events().clone();
    let recorder = Recorder {
        store: platform.store().clone(),
        events: platform.events().clone(),
        side: Side::Emulator,
        body_limit: platform.core().config().body_limit,
        // The deep linking return endpoint: a big response is checked, not refused whole.
        large_bodies: &[(
            "/deep-linking/",
            lti_core::recorder::DEEP_LINKING_BODY_LIMIT,
        )],
    };
    Router::new()
        .route(paths::JWKS, get(jwks))
        .route(paths::OPENID_CONFIGURATION, get(openid_configuration))
        .route("/launch/{id}", get(launch::start))
        .route("/launch/{id}/return", get(launch::returned))
        .route(paths::AUTH, get(oidc::authorize).post(oidc::authorize))
        .route(paths::TOKEN, post(token::token).get(token::wrong_method))
        .route(
            "/deep-linking/{id}",
            post(deep_linking::response).get(deep_linking::wrong_method),
        )
        .route("/courses/{course}/content", get(dl_preview::course_content))
        .route(
            "/courses/{course}/content/launch",
            post(dl_preview::launch_item),
        )
        .route(
            &format!("{}/{{id}}", lti11::launch::LAUNCH_PATH),
            get(lti11::launch::page),
        )
        .route(lti11::launch::RETURN_PATH, get(lti11::launch::returned))
        .route(lti11::launch::OUTCOMES_PATH, post(lti11::outcomes::service))
        .route(
            &format!("{}/{{token}}", dynreg::CONFIG_PATH),
            get(dynreg::configuration),
        )
        .route(dynreg::REGISTER_PATH, post(dynreg::register))
        .route(
            &format!("{}/{{token}}", dynreg::HOST_PATH),
            get(dynreg::host),
        )
        .route(
            &format!("{}/{{token}}", dynreg::CLOSED_PATH),
            get(dynreg::closed),
        )
        .route("/courses/{course}/memberships", get(nrps::memberships))
        .route(
            "/courses/{course}/lineitems",
            get(ags::list_items).post(ags::create_item),
        )
        .route(
            "/courses/{course}/lineitems/{item}",
            get(ags::get_item)
                .put(ags::update_item)
                .delete(ags::delete_item),
        )
        .route(
            "/courses/{course}/lineitems/{item}/scores",
            post(ags::post_score),
        )
        .route(
            "/courses/{course}/lineitems/{item}/results",
            get(ags::results),
        )
        .fallback(not_found)
        .with_state(platform)
        .layer(axum::middleware::from_fn_with_state(
            recorder,
            lti_core::recorder::record,
        ))
        // Added after the recorder's layer: following an "open in the app" link is no exchange.
        .nest_service(
            lti_core::open_in_app::PREFIX,
            lti_core::open_in_app::service(events),
        )
}

/// The emulator's base URL as configured (and so its issuer): the running server's address, or
/// what the configuration says it will be.
pub fn base_url(platform: &PlatformSide) -> String {
    platform.status().base_url.unwrap_or_else(|| {
        let cfg = platform.config();
        format!("http://{}:{}", cfg.host, cfg.port)
    })
}

/// The base URL for a request: the configured one when the server runs, else (router used
/// without its server, as in tests) the address the client used.
pub(crate) fn request_base(platform: &PlatformSide, headers: &HeaderMap) -> String {
    match platform.status().base_url {
        Some(b) => b,
        None => match headers.get(header::HOST).and_then(|h| h.to_str().ok()) {
            Some(h) => format!("http://{h}"),
            None => base_url(platform),
        },
    }
}

async fn jwks(State(platform): State<PlatformSide>) -> Response {
    if let Err(e) = platform.keys().signing_key(KeyRole::Emulator).await {
        // Whatever keeps the key from loading, the server works and its keys do not.
        let problem = lti_core::error::ApiError::from(&e);
        return (StatusCode::SERVICE_UNAVAILABLE, Json(problem)).into_response();
    }
    match platform.keys().jwks(KeyRole::Emulator).await {
        Ok(set) => ([(header::CACHE_CONTROL, "max-age=300")], Json(set)).into_response(),
        Err(e) => e.into_response(),
    }
}

/// The platform's OpenID configuration (LTI Dynamic Registration §3.4 shape), so tools and
/// people can read the endpoints from one document.
async fn openid_configuration(
    State(platform): State<PlatformSide>,
    headers: HeaderMap,
) -> Response {
    Json(configuration(&request_base(&platform, &headers))).into_response()
}

/// The emulator's OpenID configuration (with its LTI platform configuration), as a platform
/// publishes it for tools and Dynamic Registration.
pub(crate) fn configuration(base: &str) -> serde_json::Value {
    serde_json::json!({
        "issuer": base,
        "authorization_endpoint": format!("{base}{}", paths::AUTH),
        "token_endpoint": format!("{base}{}", paths::TOKEN),
        "jwks_uri": format!("{base}{}", paths::JWKS),
        "registration_endpoint": format!("{base}{}", dynreg::REGISTER_PATH),
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["id_token"],
        "response_modes_supported": ["form_post"],
        "subject_types_supported": ["public"],
        "scopes_supported": std::iter::once("openid").chain(model::scope::ALL.iter().copied()).collect::<Vec<_>>(),
        "claims_supported": ["iss", "aud", "sub", "exp", "iat", "nonce", "name", "given_name", "family_name", "email", "picture", "locale"],
        (lti_protocol::vocab::PLATFORM_CONFIGURATION): {
            "product_family_code": "lti-inspector",
            "version": env!("CARGO_PKG_VERSION"),
            "messages_supported": [
                {"type": model::message::RESOURCE_LINK},
                {"type": model::message::DEEP_LINKING},
                {"type": model::message::SUBMISSION_REVIEW}
            ],
            "variables": claims::VARIABLES,
        }
    })
}

async fn not_found() -> Response {
    lti_core::html::error_page(
        StatusCode::NOT_FOUND,
        "Not an emulator endpoint",
        "This address is not one of the platform emulator's endpoints. The request was recorded.",
    )
}
