//! Outbound HTTP the inspector makes (platform JWKS fetches, later token and service calls):
//! every request is recorded as an exchange of its flow, with a timeout and a response size cap
//! so a hanging or flooding peer can neither stall a capture nor bloat the store.

use std::time::{Duration, Instant};

use crate::events::{EngineEvent, EventHub};
use crate::store::{self, Direction, Header, NewExchange, Side, Store};

#[derive(Debug, Clone)]
pub struct OutboundResponse {
    pub status: u16,
    pub headers: Vec<Header>,
    pub body: Vec<u8>,
    pub exchange_id: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum OutboundError {
    #[error("request to {url} timed out after {secs} s")]
    Timeout { url: String, secs: u64 },
    #[error("response from {url} exceeds the {limit}-byte limit")]
    TooLarge { url: String, limit: usize },
    #[error("request to {url} failed: {reason}")]
    Failed { url: String, reason: String },
}

#[derive(Clone)]
pub struct Outbound {
    client: reqwest::Client,
    store: Store,
    events: EventHub,
    pub timeout: Duration,
    pub max_body: usize,
}

pub struct OutboundRequest<'a> {
    pub flow_id: Option<&'a str>,
    pub side: Side,
    pub step: &'a str,
    pub method: reqwest::Method,
    pub url: &'a str,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Outbound {
    pub fn new(store: Store, events: EventHub) -> Self {
        let client = reqwest::Client::builder()
            .user_agent(concat!("LTI-Inspector/", env!("CARGO_PKG_VERSION")))
            .redirect(reqwest::redirect::Policy::limited(5))
            .build()
            .expect("HTTP client");
        Self {
            client,
            store,
            events,
            timeout: Duration::from_secs(5),
            max_body: 512 * 1024,
        }
    }

    /// Sends the request and records it, whatever happens (errors are recorded too).
    pub async fn send(&self, req: OutboundRequest<'_>) -> Result<OutboundResponse, OutboundError> {
        let started = Instant::now();
        let started_at_ms = crate::clock::now_ms();
        let mut builder = self
            .client
            .request(req.method.clone(), req.url)
            .timeout(self.timeout);
        for (k, v) in &req.headers {
            builder = builder.header(k, v);
        }
        if !req.body.is_empty() {
            builder = builder.body(req.body.clone());
        }
        let result = self.exchange(builder, req.url).await;
        let (status, headers, body, error) = match &result {
            Ok((s, h, b)) => (Some(*s), h.clone(), b.clone(), None),
            Err((e, partial)) => (None, vec![], partial.clone(), Some(e.to_string())),
        };
        let exchange = NewExchange {
            flow_id: req.flow_id.map(str::to_string),
            side: req.side,
            direction: Direction::Outbound,
            step: Some(req.step.to_string()),
            method: req.method.to_string(),
            url: req.url.to_string(),
            status,
            started_at_ms,
            duration_us: started.elapsed().as_micros() as i64,
            peer: None,
            request_headers: req
                .headers
                .iter()
                .map(|(n, v)| Header {
                    name: n.clone(),
                    value: v.clone(),
                })
                .collect(),
            request_body: req.body,
            request_truncated: false,
            response_headers: headers.clone(),
            response_body: body.clone(),
            error,
        };
        let prepared = store::exchanges::prepare(&exchange);
        let summary = self
            .store
            .write(move |tx| store::exchanges::insert_prepared(tx, &exchange, prepared?))
            .await;
        let exchange_id = match summary {
            Ok(s) => {
                let id = s.id;
                self.events
                    .emit(EngineEvent::ExchangeRecorded { exchange: s });
                id
            }
            Err(e) => {
                tracing::error!(error = %e, "could not record outbound exchange");
                0
            }
        };
        match result {
            Ok((status, headers, body)) => Ok(OutboundResponse {
                status,
                headers,
                body,
                exchange_id,
            }),
            Err((e, _)) => Err(e),
        }
    }

    #[allow(clippy::type_complexity)]
    async fn exchange(
        &self,
        builder: reqwest::RequestBuilder,
        url: &str,
    ) -> Result<(u16, Vec<Header>, Vec<u8>), (OutboundError, Vec<u8>)> {
        let fail = |e: reqwest::Error| {
            if e.is_timeout() {
                OutboundError::Timeout {
                    url: url.to_string(),
                    secs: self.timeout.as_secs(),
                }
            } else {
                OutboundError::Failed {
                    url: url.to_string(),
                    reason: e.to_string(),
                }
            }
        };
        let mut res = builder.send().await.map_err(|e| (fail(e), vec![]))?;
        let status = res.status().as_u16();
        let headers = crate::recorder::headers_of(res.headers());
        let mut body = Vec::new();
        loop {
            match res.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len() + chunk.len() > self.max_body {
                        let room = self.max_body - body.len();
                        body.extend_from_slice(&chunk[..room]);
                        return Err((
                            OutboundError::TooLarge {
                                url: url.to_string(),
                                limit: self.max_body,
                            },
                            body,
                        ));
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => return Err((fail(e), body)),
            }
        }
        Ok((status, headers, body))
    }
}
