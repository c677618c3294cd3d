//! The HTTP front door of `lti-inspector serve`: the command table at `POST /api/rpc/NAME`, the
//! event stream at `GET /api/events` (server-sent events), and the built UI for an ordinary
//! browser. Every API call needs the random token printed at start (Bearer header, or `token`
//! query parameter for EventSource); every request's Host must be a loopback name of our port
//! (no DNS rebinding) and any Origin must be our own (no cross-site calls).

use std::convert::Infallible;
use std::path::PathBuf;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures_util::Stream;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::StreamExt;

use crate::engine::Engine;
use lti_core::error::{ApiError, ErrorCode};

#[derive(Clone)]
pub struct ApiConfig {
    pub token: String,
    /// `host:port` values accepted in Host and Origin (filled once the port is known).
    pub allowed_hosts: Vec<String>,
    /// Folder holding the built UI (`index.html` + assets); None serves a notice instead.
    pub ui_dir: Option<PathBuf>,
}

impl ApiConfig {
    pub fn new(token: String, port: u16, ui_dir: Option<PathBuf>) -> Self {
        let allowed_hosts = ["127.0.0.1", "localhost", "[::1]"]
            .iter()
            .map(|h| format!("{h}:{port}"))
            .collect();
        Self {
            token,
            allowed_hosts,
            ui_dir,
        }
    }
}

/// A fresh 256-bit token, hex.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("OS random source");
    hex::encode(bytes)
}

/// The largest request body: a HAR file to import, as JSON.
pub const IMPORT_MAX_BYTES: usize = 256 * 1024 * 1024;

#[derive(Clone)]
struct ApiState {
    engine: Engine,
    cfg: Arc<ApiConfig>,
}

pub fn router(engine: Engine, cfg: ApiConfig) -> Router {
    let state = ApiState {
        engine,
        cfg: Arc::new(cfg),
    };
    let api = Router::new()
        .route("/api/rpc/{name}", post(rpc))
        .route("/api/events", get(events))
        // A HAR file comes in whole through `import` (axum's default cap is 2 MB).
        .layer(axum::extract::DefaultBodyLimit::max(IMPORT_MAX_BYTES))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            require_token,
        ));
    Router::new()
        .merge(api)
        .fallback(get(static_file))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            check_host_and_origin,
        ))
        .with_state(state)
}

fn error(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Response {
    (status, Json(ApiError::new(code, message))).into_response()
}

async fn check_host_and_origin(State(st): State<ApiState>, req: Request, next: Next) -> Response {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !st
        .cfg
        .allowed_hosts
        .iter()
        .any(|h| h.eq_ignore_ascii_case(host))
    {
        return error(
            StatusCode::FORBIDDEN,
            ErrorCode::Unauthorized,
            format!("Host {host:?} is not allowed"),
        );
    }
    if let Some(origin) = req.headers().get(header::ORIGIN) {
        let ok = origin
            .to_str()
            .ok()
            .and_then(|o| o.strip_prefix("http://"))
            .is_some_and(|o| {
                st.cfg
                    .allowed_hosts
                    .iter()
                    .any(|h| h.eq_ignore_ascii_case(o))
            });
        if !ok {
            return error(
                StatusCode::FORBIDDEN,
                ErrorCode::Unauthorized,
                "cross-origin request refused",
            );
        }
    }
    next.run(req).await
}

fn token_from(headers: &HeaderMap, uri: &Uri) -> Option<String> {
    if let Some(v) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        return v.strip_prefix("Bearer ").map(str::to_string);
    }
    uri.query()?
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == "token")
        .map(|(_, v)| v.to_string())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn require_token(State(st): State<ApiState>, req: Request, next: Next) -> Response {
    match token_from(req.headers(), req.uri()) {
        Some(t) if constant_time_eq(t.as_bytes(), st.cfg.token.as_bytes()) => next.run(req).await,
        _ => error(
            StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthorized,
            "missing or wrong API token (see the `ui:` line printed by `serve`)",
        ),
    }
}

async fn rpc(
    State(st): State<ApiState>,
    Path(name): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let args: serde_json::Value = if body.is_empty() {
        serde_json::Value::Null
    } else {
        match serde_json::from_slice(&body) {
            Ok(v) => v,
            Err(e) => {
                return error(
                    StatusCode::BAD_REQUEST,
                    ErrorCode::BadRequest,
                    format!("body is not JSON: {e}"),
                )
            }
        }
    };
    match crate::commands::dispatch(&st.engine, &name, args).await {
        Ok(v) => Json(v).into_response(),
        Err(e) => {
            let status = match e.code {
                ErrorCode::NotFound | ErrorCode::UnknownCommand => StatusCode::NOT_FOUND,
                ErrorCode::BadRequest => StatusCode::BAD_REQUEST,
                ErrorCode::Unauthorized => StatusCode::UNAUTHORIZED,
                ErrorCode::KeychainUnavailable | ErrorCode::PortInUse => {
                    StatusCode::SERVICE_UNAVAILABLE
                }
                _ => StatusCode::INTERNAL_SERVER_ERROR,
            };
            (status, Json(e)).into_response()
        }
    }
}

async fn events(State(st): State<ApiState>) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let stream = BroadcastStream::new(st.engine.events().subscribe()).filter_map(|msg| match msg {
        Ok(ev) => Event::default().event("engine").json_data(&ev).ok().map(Ok),
        // A lagging client is told to re-fetch rather than silently missing events.
        Err(_) => Some(Ok(Event::default().event("lagged").data("{}"))),
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

/// The UI file a request path names, as a path relative to the UI folder — or None (serve
/// index.html) for anything that could leave it on any platform: `..`, `.`, backslashes, and
/// drive or stream prefixes (`C:/…`, `file:stream`), which `Path::join` on Windows would let
/// replace the base (issue 9, item 2).
fn inside_ui_dir(path: &str) -> Option<std::path::PathBuf> {
    let rel = path.trim_start_matches('/');
    if rel.is_empty() {
        return None;
    }
    let mut out = std::path::PathBuf::new();
    for seg in rel.split('/') {
        if seg.is_empty() || seg == "." || seg == ".." || seg.contains(['\\', ':', '\0']) {
            return None;
        }
        out.push(seg);
    }
    // Belt and braces: what was built must be plain names only, on this platform too.
    out.components()
        .all(|c| matches!(c, std::path::Component::Normal(_)))
        .then_some(out)
}

async fn static_file(State(st): State<ApiState>, uri: Uri) -> Response {
    let Some(dir) = &st.cfg.ui_dir else {
        return (
            StatusCode::NOT_FOUND,
            "The UI is not built. Run `make ui` (or `npm run build` in ui/) or pass --ui-dir.",
        )
            .into_response();
    };
    let candidate = match inside_ui_dir(uri.path()) {
        Some(rel) => dir.join(rel),
        None => dir.join("index.html"),
    };
    let path = if candidate.is_file() {
        candidate
    } else {
        dir.join("index.html")
    };
    match tokio::fs::read(&path).await {
        Ok(bytes) => {
            let mime = mime_guess::from_path(&path).first_or_octet_stream();
            let mut res = Response::new(Body::from(bytes));
            res.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_str(mime.as_ref()).expect("mime is ascii"),
            );
            if path.file_name().is_some_and(|n| n == "index.html") {
                res.headers_mut()
                    .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
                // Images may come from the platforms the user calls (roster pictures over
                // https) and the loopback servers; scripts, styles and frames stay local.
                res.headers_mut().insert(
                    header::CONTENT_SECURITY_POLICY,
                    HeaderValue::from_static(
                        "default-src 'self'; img-src 'self' data: https: http://localhost:* http://127.0.0.1:*; style-src 'self' 'unsafe-inline'; frame-src 'self' http://localhost:* http://127.0.0.1:*",
                    ),
                );
            }
            res
        }
        Err(_) => (StatusCode::NOT_FOUND, "UI file not found").into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::inside_ui_dir;

    #[test]
    fn only_plain_relative_paths_name_ui_files() {
        assert_eq!(
            inside_ui_dir("/assets/index-1.js").unwrap(),
            std::path::Path::new("assets").join("index-1.js")
        );
        for bad in [
            "/",
            "/../secret",
            "/assets/../../etc/passwd",
            "/C:/Windows/win.ini",
            "/C:",
            "/c:%5cwindows",
            "/assets\\..\\x",
            "/./index.html",
            "/index.html:stream",
        ] {
            assert!(inside_ui_dir(bad).is_none(), "{bad}");
        }
    }
}
