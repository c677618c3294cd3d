//! Remote key sets by URL — a platform's JWKS (tool side, to verify launches) and a tool's
//! JWKS (platform side, to verify client assertions and deep linking responses). One cache for
//! both: a set is kept five minutes and fetched again when a JWT names a kid the cached set
//! lacks (keys rotate). Every fetch is an outbound exchange recorded in the flow that needed it.
//!
//! Unknown kids come from outside (anyone can post a token naming any kid), so a miss must not
//! cost a fetch each time: one fetch per URL runs at a time and the others wait for its result
//! (single flight); a held set is fetched again for an unknown kid at most every
//! [`MIN_REFETCH`], and a failed fetch is not retried sooner either — a forged launch storm
//! costs one fetch of the platform's key set per interval, not one per launch (issue 9,
//! item 9). A real rotation is still seen at once: the first unknown kid refetches.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use lti_protocol::jwk::Jwks;

use crate::outbound::{Outbound, OutboundRequest};
use crate::store::Side;

const TTL: Duration = Duration::from_secs(300);
/// The shortest time between two fetches of one URL.
pub const MIN_REFETCH: Duration = Duration::from_secs(10);
/// URLs remembered at most (oldest attempts dropped first beyond it).
const MAX_URLS: usize = 1024;

#[derive(Default)]
pub struct JwksCache {
    urls: Mutex<HashMap<String, Entry>>,
}

/// What is known of one URL.
struct Entry {
    set: Option<(Arc<Jwks>, Instant)>,
    /// When the last fetch started, and why it failed if it did.
    attempted: Option<(Instant, Option<String>)>,
    /// When a held set was last fetched again because a JWT named a kid it lacks.
    refetched: Option<Instant>,
    /// Held while a fetch of this URL runs: later askers wait for it, then read the result.
    flight: Arc<tokio::sync::Mutex<()>>,
}

impl Entry {
    fn new() -> Self {
        Self {
            set: None,
            attempted: None,
            refetched: None,
            flight: Default::default(),
        }
    }
}

/// Who asks, for the recorded exchange: the flow it joins, the side and the step name.
pub struct FetchFor<'a> {
    pub flow_id: &'a str,
    pub side: Side,
    pub step: &'a str,
}

/// How a key set was had.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    Cached,
    Fetched,
}

fn has_kid(set: &Jwks, kid: Option<&str>) -> bool {
    kid.is_none_or(|k| set.keys.iter().any(|key| key.kid.as_deref() == Some(k)))
}

/// What the cache can answer without a fetch.
enum Known {
    /// A fresh set with the kid (or no kid asked).
    Hit(Arc<Jwks>),
    /// Fetched moments ago: answer with what that fetch gave (a set without the kid, or its
    /// error), do not fetch again.
    Recent(Result<Arc<Jwks>, String>),
    /// Fetch: `refetch` when a fresh set is held but lacks the kid.
    Miss { refetch: bool },
}

impl JwksCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        self.urls.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn known(&self, url: &str, kid: Option<&str>) -> Known {
        let urls = self.lock();
        let Some(e) = urls.get(url) else {
            return Known::Miss { refetch: false };
        };
        let recent = |at: &Option<Instant>| at.is_some_and(|t| t.elapsed() < MIN_REFETCH);
        let fresh = e
            .set
            .as_ref()
            .filter(|(_, at)| at.elapsed() < TTL)
            .map(|(s, _)| s.clone());
        match fresh {
            Some(set) if has_kid(&set, kid) => Known::Hit(set),
            Some(set) if recent(&e.refetched) => Known::Recent(Ok(set)),
            Some(_) => Known::Miss { refetch: true },
            None => match &e.attempted {
                Some((at, Some(problem))) if at.elapsed() < MIN_REFETCH => {
                    Known::Recent(Err(format!(
                        "{problem} (tried {} s ago; tried again at most every {} s)",
                        at.elapsed().as_secs(),
                        MIN_REFETCH.as_secs()
                    )))
                }
                _ => Known::Miss { refetch: false },
            },
        }
    }

    fn flight(&self, url: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut urls = self.lock();
        if urls.len() >= MAX_URLS && !urls.contains_key(url) {
            // Drop the oldest attempt: URLs come from registrations, this bound is only a guard.
            let oldest = urls
                .iter()
                .min_by_key(|(_, e)| e.attempted.as_ref().map(|(at, _)| *at))
                .map(|(u, _)| u.clone());
            if let Some(u) = oldest {
                urls.remove(&u);
            }
        }
        urls.entry(url.to_string())
            .or_insert_with(Entry::new)
            .flight
            .clone()
    }

    fn finish(
        &self,
        url: &str,
        started: Instant,
        refetch: bool,
        result: &Result<Arc<Jwks>, String>,
    ) {
        let mut urls = self.lock();
        let e = urls.entry(url.to_string()).or_insert_with(Entry::new);
        e.attempted = Some((started, result.as_ref().err().cloned()));
        if refetch {
            e.refetched = Some(started);
        }
        if let Ok(set) = result {
            e.set = Some((set.clone(), Instant::now()));
        }
    }

    /// The answer without a fetch, if there is one.
    fn answer(
        &self,
        url: &str,
        kid: Option<&str>,
    ) -> Option<Result<(Arc<Jwks>, Freshness), String>> {
        match self.known(url, kid) {
            Known::Hit(set) => Some(Ok((set, Freshness::Cached))),
            Known::Recent(r) => Some(r.map(|s| (s, Freshness::Cached))),
            Known::Miss { .. } => None,
        }
    }

    pub fn forget(&self, url: &str) {
        self.lock().remove(url);
    }

    /// The key set at `url` to verify a JWT with `kid`: the cached one when it has the kid (or
    /// no kid is named), else a fresh fetch — unless one ran less than [`MIN_REFETCH`] ago, in
    /// which case its result stands (the caller's signature check then names the unknown kid).
    /// Err says why there is no set, in a sentence.
    pub async fn get(
        &self,
        outbound: &Outbound,
        asker: FetchFor<'_>,
        url: &str,
        kid: Option<&str>,
    ) -> Result<(Arc<Jwks>, Freshness), String> {
        if let Some(answer) = self.answer(url, kid) {
            return answer;
        }
        let flight = self.flight(url);
        let _one_fetch = flight.lock().await;
        // Someone else may have fetched while we waited.
        let refetch = match self.known(url, kid) {
            Known::Hit(set) => return Ok((set, Freshness::Cached)),
            Known::Recent(r) => return r.map(|s| (s, Freshness::Cached)),
            Known::Miss { refetch } => refetch,
        };
        let started = Instant::now();
        let req = OutboundRequest {
            flow_id: Some(asker.flow_id),
            side: asker.side,
            step: asker.step,
            method: reqwest::Method::GET,
            url,
            headers: vec![("accept".into(), "application/json".into())],
            body: vec![],
        };
        let result = match outbound.send(req).await {
            Ok(res) if res.status == 200 => serde_json::from_slice::<Jwks>(&res.body)
                .map(Arc::new)
                .map_err(|e| format!("the JWKS at {url} is not a JSON key set: {e}")),
            Ok(res) => Err(format!("the JWKS URL {url} answered HTTP {}", res.status)),
            Err(e) => Err(e.to_string()),
        };
        self.finish(url, started, refetch, &result);
        result.map(|s| (s, Freshness::Fetched))
    }
}
