//! An LTI 1.3 tool whose login and launch are done by the atomic-lti crate, the way its maker's
//! reference tool (atomic-lti-tool's `launch` handler) uses it: the platform's key set fetched by
//! `platforms::get_jwk_set`, the id_token decoded and its signature checked by `jwks::decode`,
//! state and nonce checked by `validate::validate_launch`, the target link URI compared with the
//! URL the launch arrived at, the state cookie required, and the library's own content checks
//! (`IdToken::validate`); the audience is checked by the library's `decode_w_aud`. Nothing here adds a check of its own: the point is to measure what the
//! library accepts.
//!
//!   PORT=… ISSUER=… CLIENT_ID=… JWKS_URL=… AUTH_URL=… TOKEN_URL=… atomic-lti-peer
//!
//! `GET /compat/nrps|ags?url=` runs the library's NRPS / AGS client on an answer (make compat).
//!
//! Prints `atomic-lti peer listening on http://127.0.0.1:PORT`. A valid launch answers 200
//! "atomic-lti accepted"; a refused one 401 with the library's error text.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use atomic_lti::constants::OPEN_ID_COOKIE_PREFIX;
use atomic_lti::errors::OIDCError;
use atomic_lti::stores::oidc_state_store::{OIDCStateData, OIDCStateStore};
use axum::extract::{Form, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::{NaiveDateTime, Utc};
use rand::distr::{Alphanumeric, SampleString};
use serde::Deserialize;

struct Config {
    base: String,
    issuer: String,
    client_id: String,
    jwks_url: String,
    auth_url: String,
    token_url: String,
    /// The tool's key for client-credentials assertions (the harness's token endpoint takes any).
    key: openssl::rsa::Rsa<openssl::pkey::Private>,
}

#[derive(Clone)]
struct Peer {
    config: Arc<Config>,
    /// state → (nonce, created at): what atomic-lti's OIDC state store keeps per login.
    states: Arc<Mutex<HashMap<String, (String, NaiveDateTime)>>>,
}

/// One login's stored state, as atomic-lti's `validate_launch` reads it.
struct OneState {
    state: String,
    nonce: String,
    created_at: NaiveDateTime,
}

#[async_trait::async_trait]
impl OIDCStateStore for OneState {
    async fn get_state(&self) -> String {
        self.state.clone()
    }
    async fn get_nonce(&self) -> String {
        self.nonce.clone()
    }
    async fn get_created_at(&self) -> NaiveDateTime {
        self.created_at
    }
    async fn destroy(&self) -> Result<usize, OIDCError> {
        Ok(1)
    }
    async fn create_with_issuer(&self, _: &str, _: &str, _: &str) -> Result<(), OIDCError> {
        Ok(())
    }
    async fn find_by_state(&self, state: &str) -> Result<OIDCStateData, OIDCError> {
        Ok(OIDCStateData {
            state: state.to_string(),
            nonce: self.nonce.clone(),
            issuer: None,
        })
    }
}

#[derive(Deserialize)]
struct LoginParams {
    iss: Option<String>,
    login_hint: Option<String>,
    lti_message_hint: Option<String>,
    client_id: Option<String>,
}

async fn login(State(peer): State<Peer>, Query(q): Query<LoginParams>) -> Response {
    let c = &peer.config;
    // atomic-lti-tool's init handler finds the platform by iss; one platform is registered here.
    if q.iss.as_deref() != Some(c.issuer.as_str()) {
        return refuse(format!("Unknown platform issuer {:?}", q.iss));
    }
    let state = Alphanumeric.sample_string(&mut rand::rng(), 32);
    let nonce = Alphanumeric.sample_string(&mut rand::rng(), 32);
    let url = match atomic_lti::oidc::build_response_url(
        &c.auth_url,
        &state,
        q.client_id.as_deref().unwrap_or(&c.client_id),
        q.login_hint.as_deref().unwrap_or(""),
        q.lti_message_hint.as_deref().unwrap_or(""),
        &nonce,
        &format!("{}/launch", c.base),
    ) {
        Ok(u) => u,
        Err(e) => return refuse(e.to_string()),
    };
    peer.states
        .lock()
        .unwrap()
        .insert(state.clone(), (nonce, Utc::now().naive_utc()));
    (
        StatusCode::FOUND,
        [
            (header::LOCATION, url.to_string()),
            (
                header::SET_COOKIE,
                format!("{OPEN_ID_COOKIE_PREFIX}{state}=1; Path=/; HttpOnly"),
            ),
        ],
    )
        .into_response()
}

#[derive(Deserialize)]
struct LaunchForm {
    id_token: Option<String>,
    state: Option<String>,
}

async fn launch(
    State(peer): State<Peer>,
    headers: HeaderMap,
    Form(f): Form<LaunchForm>,
) -> Response {
    match check_launch(&peer, &headers, f).await {
        Ok(()) => (StatusCode::OK, "atomic-lti accepted").into_response(),
        Err(e) => refuse(e),
    }
}

async fn check_launch(peer: &Peer, headers: &HeaderMap, f: LaunchForm) -> Result<(), String> {
    let c = &peer.config;
    let id_token = f.id_token.ok_or("missing field `id_token`")?;
    let state = f.state.ok_or("missing field `state`")?;
    let jwk_set = atomic_lti::platforms::get_jwk_set(c.jwks_url.clone())
        .await
        .map_err(|e| e.to_string())?;
    // atomic-lti-tool calls `jwks::decode`, which skips the audience; the library's
    // `decode_w_aud` checks it, and a tool that cares about aud would call that one.
    let token = atomic_lti::jwks::decode_w_aud(&id_token, &jwk_set, &[c.client_id.as_str()])
        .map_err(|e| e.to_string())?;
    // The store atomic-lti-tool looks up by the posted state; an unknown state leaves it empty,
    // which validate_launch then refuses.
    let stored = peer.states.lock().unwrap().remove(&state);
    let (nonce, created_at) = stored.unwrap_or_default();
    let store = OneState {
        state: if nonce.is_empty() {
            String::new()
        } else {
            state.clone()
        },
        nonce,
        created_at,
    };
    atomic_lti::validate::validate_launch(&state, &store, &token)
        .await
        .map_err(|e| e.to_string())?;
    let requested = format!("{}/launch", c.base);
    let parsed = url_of(&token.target_link_uri)?;
    if parsed != requested {
        return Err(format!("Invalid target link uri: {requested}"));
    }
    let cookie = format!("{OPEN_ID_COOKIE_PREFIX}{state}=1");
    let state_verified = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.split(';').any(|p| p.trim() == cookie));
    if !state_verified {
        return Err("Unable to securely launch tool. Please ensure cookies are enabled".into());
    }
    let errors = token.validate(&requested);
    if !errors.is_empty() {
        return Err(errors.join("; "));
    }
    Ok(())
}

#[derive(Deserialize)]
struct ServiceQuery {
    url: String,
}

/// `make compat`: the library's NRPS or AGS client (`names_and_roles::list`,
/// `line_items::list`) reads the answer at ?url=, with a token from
/// `client_credentials::request_service_token_cached`; 200 with what the app would get, or 502
/// with the library's words.
async fn compat_service(
    State(peer): State<Peer>,
    axum::extract::Path(kind): axum::extract::Path<String>,
    Query(q): Query<ServiceQuery>,
) -> Response {
    let c = &peer.config;
    let scope = match kind.as_str() {
        "nrps" => "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
        _ => "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    };
    let token = match atomic_lti::client_credentials::request_service_token_cached(
        &c.client_id,
        &c.token_url,
        scope,
        "compat-tool-key",
        c.key.clone(),
    )
    .await
    {
        Ok(t) => t.access_token,
        Err(e) => return (StatusCode::BAD_GATEWAY, e.to_string()).into_response(),
    };
    let got = match kind.as_str() {
        "nrps" => {
            let params = atomic_lti::names_and_roles::ListParams {
                role: None,
                limit: None,
                resource_link_id: None,
            };
            atomic_lti::names_and_roles::list(&token, &q.url, &params)
                .await
                .map(|(m, _, _)| format!("{} members", m.members.len()))
                .map_err(|e| e.to_string())
        }
        _ => {
            let params = atomic_lti::assignment_grade_services::line_items::ListParams {
                tag: None,
                resource_id: None,
                resource_link_id: None,
                limit: None,
                include: None,
            };
            atomic_lti::assignment_grade_services::line_items::list(&token, &q.url, &params)
                .await
                .map(|items| format!("{} line items", items.len()))
                .map_err(|e| e.to_string())
        }
    };
    match got {
        Ok(summary) => (StatusCode::OK, summary).into_response(),
        Err(e) => (StatusCode::BAD_GATEWAY, e).into_response(),
    }
}

fn url_of(s: &str) -> Result<String, String> {
    // atomic-lti-tool compares `Url::parse(target_link_uri).to_string()` with the request URL.
    url::Url::parse(s)
        .map(|u| u.to_string())
        .map_err(|e| format!("Invalid target link URI specified in ID Token: {s}. {e}"))
}

fn refuse(why: String) -> Response {
    (StatusCode::UNAUTHORIZED, why).into_response()
}

#[tokio::main]
async fn main() {
    let var = |n: &str| std::env::var(n).unwrap_or_else(|_| panic!("{n} is required"));
    let port: u16 = var("PORT").parse().expect("PORT is a number");
    let base = format!("http://127.0.0.1:{port}");
    let peer = Peer {
        config: Arc::new(Config {
            base: base.clone(),
            issuer: var("ISSUER"),
            client_id: var("CLIENT_ID"),
            jwks_url: var("JWKS_URL"),
            auth_url: var("AUTH_URL"),
            token_url: std::env::var("TOKEN_URL").unwrap_or_default(),
            key: openssl::rsa::Rsa::generate(2048).expect("an RSA key"),
        }),
        states: Arc::default(),
    };
    let app = Router::new()
        .route("/login", get(login))
        .route("/launch", post(launch))
        .route("/compat/{kind}", get(compat_service))
        .with_state(peer);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .expect("bind");
    println!("atomic-lti peer listening on {base}");
    axum::serve(listener, app).await.expect("serve");
}
