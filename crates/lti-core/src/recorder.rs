//! The recording layer every server of the inspector runs behind: it reads the request body (up
//! to a limit), lets the handler answer, and commits the whole exchange to the store *before*
//! the response leaves. Over-limit bodies are answered 413 and recorded (their first bytes kept).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;
use tracing::Instrument;

use crate::events::{EngineEvent, EventHub};
use crate::store::{self, Direction, Header, NewExchange, Side, Store};

/// Default cap on an inbound request body: launches are a few KiB; 1 MiB leaves room for
/// deep linking responses with many items while refusing abuse.
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;
/// Deep linking responses carry content (html fragments, hundreds of items): the paths that
/// take them accept this much, so a big response is checked item by item instead of refused whole.
pub const DEEP_LINKING_BODY_LIMIT: usize = 16 * 1024 * 1024;
/// Responses we record are our own; cap them anyway so a handler bug cannot bloat the store.
const RESPONSE_RECORD_LIMIT: usize = 4 * 1024 * 1024;

#[derive(Clone)]
pub struct Recorder {
    pub store: Store,
    pub events: EventHub,
    pub side: Side,
    pub body_limit: usize,
    /// Path prefixes allowed a larger body, with their limit (deep linking returns).
    pub large_bodies: &'static [(&'static str, usize)],
}

impl Recorder {
    fn limit_for(&self, path: &str) -> usize {
        self.large_bodies
            .iter()
            .find(|(prefix, _)| path.starts_with(prefix))
            .map_or(self.body_limit, |(_, limit)| (*limit).max(self.body_limit))
    }
}

/// What a handler may tell the recorder about the exchange it is serving (its flow and step).
/// Handlers find it in the request extensions.
#[derive(Clone, Default)]
pub struct ExchangeNotes(Arc<Mutex<NotesInner>>);

/// A handler's own write (its flow, messages, state bookkeeping), run in the exchange's
/// transaction just before the exchange row: one commit per request instead of two.
pub type DeferredWrite = Box<dyn FnOnce(&rusqlite::Transaction) -> crate::Result<()> + Send>;

#[derive(Default)]
struct NotesInner {
    flow_id: Option<String>,
    step: Option<String>,
    deferred: Vec<DeferredWrite>,
}

impl ExchangeNotes {
    /// Stores `write` together with this request's exchange, before the response leaves. Use
    /// it when the response does not depend on the write's outcome; a failing deferred write is
    /// logged and noted on the exchange, and the exchange is still recorded.
    pub fn defer_write(
        &self,
        write: impl FnOnce(&rusqlite::Transaction) -> crate::Result<()> + Send + 'static,
    ) {
        self.0.lock().expect("notes").deferred.push(Box::new(write));
    }

    /// Names the request's flow; also recorded on the request's span (handlers run inside it).
    pub fn set_flow(&self, flow_id: impl Into<String>) {
        let flow_id = flow_id.into();
        tracing::Span::current().record("flow", flow_id.as_str());
        self.0.lock().expect("notes").flow_id = Some(flow_id);
    }
    pub fn set_step(&self, step: impl Into<String>) {
        let step = step.into();
        tracing::Span::current().record("step", step.as_str());
        self.0.lock().expect("notes").step = Some(step);
    }
}

pub fn headers_of(map: &HeaderMap) -> Vec<Header> {
    map.iter()
        .map(|(n, v)| Header {
            name: n.as_str().to_string(),
            value: String::from_utf8_lossy(v.as_bytes()).into_owned(),
        })
        .collect()
}

/// Reads at most `limit` bytes; Err carries the prefix read when the body is larger.
async fn read_limited(body: Body, limit: usize) -> Result<Bytes, (Vec<u8>, String)> {
    let mut body = body;
    let mut buf: Vec<u8> = Vec::new();
    while let Some(frame) = body.frame().await {
        let frame = match frame {
            Ok(f) => f,
            Err(e) => return Err((buf, format!("error reading request body: {e}"))),
        };
        if let Some(data) = frame.data_ref() {
            if buf.len() + data.len() > limit {
                let room = limit - buf.len();
                buf.extend_from_slice(&data[..room]);
                return Err((buf, format!("request body exceeds the {limit}-byte limit")));
            }
            buf.extend_from_slice(data);
        }
    }
    Ok(Bytes::from(buf))
}

pub async fn record(State(rec): State<Recorder>, req: Request, next: Next) -> Response {
    // `flow` and `step` are filled in when the handler names them (ExchangeNotes), so every
    // event of a request — validation, key fetches, the commit — carries its flow's id.
    let span = tracing::info_span!(
        "exchange",
        side = rec.side.as_str(),
        method = %req.method(),
        uri = %req.uri(),
        flow = tracing::field::Empty,
        step = tracing::field::Empty,
    );
    record_inner(rec, req, next).instrument(span).await
}

async fn record_inner(rec: Recorder, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let started_at_ms = crate::clock::now_ms();
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.to_string());
    let (mut parts, body) = req.into_parts();
    let method = parts.method.to_string();
    // Inbound requests carry only a path; record the absolute URL the client addressed.
    let url = match (
        parts.uri.scheme(),
        parts
            .headers
            .get(axum::http::header::HOST)
            .and_then(|h| h.to_str().ok()),
    ) {
        (None, Some(host)) => format!("http://{host}{}", parts.uri),
        _ => parts.uri.to_string(),
    };
    let request_headers = headers_of(&parts.headers);
    let notes = ExchangeNotes::default();
    parts.extensions.insert(notes.clone());

    let limit = rec.limit_for(parts.uri.path());
    let (request_body, truncated, response) = match read_limited(body, limit).await {
        Ok(bytes) => {
            let req = Request::from_parts(parts, Body::from(bytes.clone()));
            (bytes.to_vec(), false, next.run(req).await)
        }
        Err((prefix, why)) => {
            let status = if why.contains("limit") {
                StatusCode::PAYLOAD_TOO_LARGE
            } else {
                StatusCode::BAD_REQUEST
            };
            let page = crate::html::error_page(status, "Request refused", &why);
            (prefix, true, page.into_response())
        }
    };

    let (res_parts, res_body) = response.into_parts();
    // The client gets the whole response (our own, bounded by what handlers build: a deep
    // linking preview of a big response can pass the record cap); the store keeps its start.
    let response_body = match read_limited(res_body, usize::MAX).await {
        Ok(b) => b,
        Err((prefix, _)) => Bytes::from(prefix),
    };
    let recorded_response = response_body.slice(..response_body.len().min(RESPONSE_RECORD_LIMIT));
    let (flow_id, step, deferred) = {
        let mut n = notes.0.lock().expect("notes");
        (
            n.flow_id.clone(),
            n.step.clone(),
            std::mem::take(&mut n.deferred),
        )
    };
    let exchange = NewExchange {
        flow_id,
        side: rec.side,
        direction: Direction::Inbound,
        step,
        method,
        url,
        status: Some(res_parts.status.as_u16()),
        started_at_ms,
        duration_us: started.elapsed().as_micros() as i64,
        peer,
        request_headers,
        request_body,
        request_truncated: truncated,
        response_headers: headers_of(&res_parts.headers),
        response_body: recorded_response.to_vec(),
        error: None,
    };
    // Packing happens here, on the request's task: the single writer only runs SQL.
    let prepared = store::exchanges::prepare(&exchange);
    match rec
        .store
        .write(move |tx| insert_with_deferred(tx, exchange, prepared?, deferred))
        .await
    {
        Ok(summary) => {
            let flow_id = summary.flow_id.clone();
            rec.events
                .emit(EngineEvent::ExchangeRecorded { exchange: summary });
            // The flow changed (one more step, maybe a new verdict): announce it once its
            // exchange is stored, so the UI never shows a flow whose step is missing.
            if let Some(id) = flow_id.filter(|_| rec.events.has_subscribers()) {
                if let Ok(Some(flow)) = rec.store.read(move |c| store::flows::get(c, &id)).await {
                    rec.events.emit(EngineEvent::FlowUpdated { flow });
                }
            }
        }
        Err(e) => {
            // The one thing we must not do is pretend it was recorded.
            tracing::error!(error = %e, "could not record exchange");
            let (status, title) = if e.is_disk_full() {
                (
                    StatusCode::INSUFFICIENT_STORAGE,
                    "Not recorded: the disk is full",
                )
            } else {
                (StatusCode::INTERNAL_SERVER_ERROR, "Not recorded")
            };
            return crate::html::error_page(
                status,
                title,
                &format!("LTI Inspector could not store this request: {e}"),
            )
            .into_response();
        }
    }
    Response::from_parts(res_parts, Body::from(response_body))
}

/// Runs the handler's deferred writes, each in its own savepoint, then inserts the exchange. A
/// failed write is rolled back alone and named on the exchange; if the flow it was to create is
/// missing as a result, the exchange is kept without its flow rather than lost.
fn insert_with_deferred(
    tx: &rusqlite::Transaction,
    mut exchange: NewExchange,
    prepared: store::exchanges::Prepared,
    deferred: Vec<DeferredWrite>,
) -> crate::Result<store::ExchangeSummary> {
    for write in deferred {
        match store::savepoint(tx, "deferred", write) {
            Ok(()) => {}
            Err(e) => {
                tracing::error!(error = %e, "could not store the handler's findings");
                let note = format!("the inspector could not store this step's findings: {e}");
                exchange.error = Some(match exchange.error.take() {
                    Some(prev) => format!("{prev}; {note}"),
                    None => note,
                });
            }
        }
    }
    if exchange.error.is_some() && exchange.flow_id.is_some() {
        let known: bool = tx.query_row(
            "SELECT EXISTS(SELECT 1 FROM flows WHERE id = ?1)",
            [exchange.flow_id.as_deref()],
            |r| r.get(0),
        )?;
        if !known {
            exchange.flow_id = None;
        }
    }
    store::exchanges::insert_prepared(tx, &exchange, prepared)
}
