//! The tool side (capture endpoint): what an LMS launches into — OIDC login initiation, the
//! id_token form_post, platform-storage logs, and the tool's JWKS. Every request is recorded;
//! nothing here refuses a capture.

pub mod expiry;
pub(crate) mod landing;
pub(crate) mod launch;
mod login;
pub mod nonces;
pub mod platform_keys;
pub mod states;
pub mod storage_check;

use axum::extract::{Query, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use lti_protocol::validate::RegistrationView;

use crate::ToolSide;
use lti_core::html;
use lti_core::recorder::{self, ExchangeNotes, Recorder};
use lti_core::signing_keys::KeyRole;
use lti_core::store::{Platform, Side};

/// Paths of the tool's endpoints, relative to its base URL (shown on the Setup page).
pub mod paths {
    pub const JWKS: &str = "/.well-known/jwks.json";
    pub const LOGIN: &str = "/lti/login";
    pub const LAUNCH: &str = "/lti/launch";
    pub const DEEP_LINK: &str = "/lti/deep-link";
    pub const STORAGE_LOG: &str = "/lti/storage-log";
}

pub fn router(tool: ToolSide) -> Router {
    let events = tool.events().clone();
    let recorder = Recorder {
        store: tool.store().clone(),
        events: tool.events().clone(),
        side: Side::Tool,
        body_limit: tool.core().config().body_limit,
        // The composer's form carries the items being composed (html fragments included).
        large_bodies: &[(
            crate::composer::page::COMPOSE_PATH,
            lti_core::recorder::DEEP_LINKING_BODY_LIMIT,
        )],
    };
    Router::new()
        .route(paths::JWKS, get(jwks))
        .route(paths::LOGIN, get(login::login).post(login::login))
        .route(paths::LAUNCH, post(launch::launch).get(launch_get))
        .route(paths::DEEP_LINK, post(launch::launch).get(launch_get))
        .route(
            crate::composer::page::COMPOSE_PATH,
            post(crate::composer::handle),
        )
        .route(
            &format!("{}/{{token}}", crate::composer::app::SEND_PATH),
            get(crate::composer::app::send_page),
        )
        .route(
            crate::lti11::launch::PATH,
            post(crate::lti11::launch::launch).get(crate::lti11::launch::launch_get),
        )
        .route(
            crate::dynreg::PATH,
            get(crate::dynreg::initiate).post(crate::dynreg::register),
        )
        .route(paths::STORAGE_LOG, post(storage_log))
        .route(storage_check::PATH, post(storage_check::storage_check))
        .fallback(not_found)
        .with_state(tool)
        .layer(axum::middleware::from_fn_with_state(
            recorder,
            recorder::record,
        ))
        // Added after the recorder's layer: following an "open in the app" link is no exchange.
        .nest_service(
            lti_core::open_in_app::PREFIX,
            lti_core::open_in_app::service(events),
        )
}

/// What a launch was checked with, for a re-check "as it was" and for bundles: the key set and
/// the registration. None when neither was at hand.
pub(crate) fn key_snapshot(
    jwks: Option<&lti_protocol::jwk::Jwks>,
    source: &platform_keys::KeySource,
    registration: Option<&Platform>,
) -> Option<lti_core::key_snapshots::KeySnapshot> {
    use platform_keys::KeySource;
    let name = registration.map(|p| p.name.clone());
    let source = match source {
        KeySource::Pasted => format!(
            "the key pasted into the registration {:?}",
            name.as_deref().unwrap_or_default()
        ),
        KeySource::Cached { url } | KeySource::Fetched { url } => format!("the JWKS at {url}"),
        KeySource::Failed { url, problem } => format!("none: fetching {url} failed ({problem})"),
        KeySource::None => "none: no key known for this issuer".into(),
    };
    let s = lti_core::key_snapshots::KeySnapshot::new(
        source,
        jwks.cloned(),
        name,
        registration.map(registration_view),
    );
    (!s.is_empty()).then_some(s)
}

pub(crate) fn registration_view(p: &Platform) -> RegistrationView {
    RegistrationView {
        issuer: p.issuer.clone(),
        client_id: p.client_id.clone(),
        deployment_ids: p.deployment_ids.clone(),
        trusted_audiences: None,
        redirect_uris: None,
    }
}

/// A platform endpoint: the registration's when it has one, else the LMS preset's when the
/// preset's URL is complete (a `{…}` placeholder means the site-specific part is unknown).
fn endpoint(registered: Option<&str>, preset: Option<&str>) -> Option<String> {
    registered
        .filter(|u| !u.is_empty())
        .or_else(|| preset.filter(|u| !u.contains('{')))
        .map(str::to_string)
}

/// The OIDC authorization endpoint to use for a platform.
pub(crate) fn auth_endpoint(
    registration: Option<&Platform>,
    profile: Option<&lti_protocol::lms::LmsProfile>,
) -> Option<String> {
    endpoint(
        registration.map(|p| p.auth_endpoint.as_str()),
        profile.map(|p| p.auth_endpoint.as_str()),
    )
}

/// The JWKS URL to fetch a platform's keys from.
pub(crate) fn jwks_url(
    registration: Option<&Platform>,
    profile: Option<&lti_protocol::lms::LmsProfile>,
) -> Option<String> {
    endpoint(
        registration.and_then(|p| p.jwks_url.as_deref()),
        profile.map(|p| p.jwks_url.as_str()),
    )
}

/// One cookie per state, so parallel launches in several tabs do not overwrite each other.
/// The two cookies that bind a state to the browser: `SameSite=None; Secure` survives the
/// cross-site form_post from a real LMS (browsers treat http://localhost as secure — Chromium
/// does, WebKit does not), and a `SameSite=Lax` fallback without `Secure` that WebKit keeps on
/// plain-http localhost and that same-site posts (the built-in emulator) carry.
pub(crate) fn state_cookies(state: &str) -> [String; 2] {
    let name = state_cookie_name(state);
    [
        format!("{name}={state}; Path=/; Max-Age=900; HttpOnly; SameSite=None; Secure"),
        format!("{name}_lax={state}; Path=/; Max-Age=900; HttpOnly; SameSite=Lax"),
    ]
}

/// Expiring both cookies once the state is used.
pub(crate) fn clear_state_cookies(state: &str) -> [String; 2] {
    let name = state_cookie_name(state);
    [
        format!("{name}=; Path=/; Max-Age=0; SameSite=None; Secure"),
        format!("{name}_lax=; Path=/; Max-Age=0; SameSite=Lax"),
    ]
}

pub(crate) fn state_cookie_name(state: &str) -> String {
    let short: String = state
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(16)
        .collect();
    format!("lti_state_{short}")
}

pub(crate) use lti_core::http::{read_params, read_params_and_headers};

async fn jwks(State(tool): State<ToolSide>) -> Response {
    if let Err(e) = tool.keys().signing_key(KeyRole::Tool).await {
        // Whatever keeps the key from loading, the server works and its keys do not.
        let problem = lti_core::error::ApiError::from(&e);
        return (StatusCode::SERVICE_UNAVAILABLE, Json(problem)).into_response();
    }
    match tool.keys().jwks(KeyRole::Tool).await {
        Ok(set) => ([(header::CACHE_CONTROL, "max-age=300")], Json(set)).into_response(),
        Err(e) => e.into_response(),
    }
}

/// A browser that lands on the redirect URI with GET did not come through a form_post.
async fn launch_get() -> Response {
    html::error_page(
        StatusCode::METHOD_NOT_ALLOWED,
        "Launches arrive by POST",
        "The platform must form-POST the id_token here (response_mode=form_post). This GET was recorded.",
    )
}

#[derive(serde::Deserialize)]
struct FlowQuery {
    flow: Option<String>,
}

/// The platform-storage page reports its postMessage exchange here; the request body is the log.
/// A log naming a flow this tool never started (a stale page, a forged post) is recorded on a
/// flow of its own with a finding, never refused by the store's foreign key (issue 9, item 7).
async fn storage_log(
    State(tool): State<ToolSide>,
    Query(q): Query<FlowQuery>,
    req: Request,
) -> StatusCode {
    let Some(notes) = req.extensions().get::<ExchangeNotes>().cloned() else {
        return StatusCode::NO_CONTENT;
    };
    notes.set_step("platform_storage");
    let Some(flow) = q
        .flow
        .filter(|f| f.len() <= 64 && f.chars().all(|c| c.is_ascii_alphanumeric()))
    else {
        return StatusCode::NO_CONTENT;
    };
    let f = flow.clone();
    let known = tool
        .store()
        .lookup(move |c| Ok(lti_core::store::flows::get(c, &f)?.is_some()))
        .await
        .unwrap_or(false);
    if known {
        notes.set_flow(flow);
        return StatusCode::NO_CONTENT;
    }
    let own = lti_core::messages::new_flow(
        Side::Tool,
        "platform_storage",
        "Platform-storage log of an unknown flow".into(),
    );
    notes.set_flow(&own.id);
    let mut report = lti_protocol::finding::Report::new();
    report.push(
        lti_protocol::finding::Finding::fail(
            "storage.flow",
            format!("The platform-storage log names flow {flow:?}, which this tool did not start (a page from an earlier run, or a forged post): it is kept here."),
        )
        .actual(flow),
    );
    let msg = lti_core::messages::StoredMessage::of_report(
        "platform_storage",
        "platform_storage",
        report,
    );
    notes.defer_write(move |tx| {
        lti_core::store::flows::insert(tx, &own)?;
        lti_core::messages::add_message(tx, &own.id, &msg, &serde_json::Map::new(), None)
    });
    StatusCode::NO_CONTENT
}

async fn not_found() -> Response {
    html::error_page(
        StatusCode::NOT_FOUND,
        "Not an LTI Inspector endpoint",
        "This address is not one of the tool's endpoints. The request was recorded; see the Timeline.",
    )
}
