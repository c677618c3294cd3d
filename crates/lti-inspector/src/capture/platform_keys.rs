//! Platform key sets for signature checks: a pasted key set wins; otherwise the JWKS URL is
//! fetched (recorded as an outbound exchange of the launch's flow), cached for five minutes, and
//! fetched again when a token names a kid the cached set lacks (platforms rotate keys).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use lti_protocol::jwk::Jwks;

use crate::outbound::{Outbound, OutboundRequest};
use crate::store::Side;

const TTL: Duration = Duration::from_secs(300);

#[derive(Default)]
pub struct PlatformKeys {
    cache: Mutex<HashMap<String, (Arc<Jwks>, Instant)>>,
}

/// Where the keys came from, for the flow view and findings.
#[derive(Debug, Clone)]
pub enum KeySource {
    Pasted,
    Cached { url: String },
    Fetched { url: String },
    Failed { url: String, problem: String },
    None,
}

impl PlatformKeys {
    fn cached(&self, url: &str) -> Option<Arc<Jwks>> {
        let cache = self.cache.lock().expect("jwks cache");
        cache
            .get(url)
            .filter(|(_, at)| at.elapsed() < TTL)
            .map(|(j, _)| j.clone())
    }

    pub fn forget(&self, url: &str) {
        self.cache.lock().expect("jwks cache").remove(url);
    }

    /// The key set to verify a token with `kid`.
    pub async fn resolve(
        &self,
        outbound: &Outbound,
        flow_id: &str,
        pasted: Option<&Jwks>,
        url: Option<&str>,
        kid: Option<&str>,
    ) -> (Option<Arc<Jwks>>, KeySource) {
        if let Some(p) = pasted {
            return (Some(Arc::new(p.clone())), KeySource::Pasted);
        }
        let Some(url) = url.filter(|u| !u.is_empty()) else {
            return (None, KeySource::None);
        };
        if let Some(set) = self.cached(url) {
            let has_kid =
                kid.is_none_or(|k| set.keys.iter().any(|key| key.kid.as_deref() == Some(k)));
            if has_kid {
                return (Some(set), KeySource::Cached { url: url.into() });
            }
        }
        let req = OutboundRequest {
            flow_id: Some(flow_id),
            side: Side::Tool,
            step: "jwks_fetch",
            method: reqwest::Method::GET,
            url,
            headers: vec![("accept".into(), "application/json".into())],
            body: vec![],
        };
        let problem = match outbound.send(req).await {
            Ok(res) if res.status == 200 => match serde_json::from_slice::<Jwks>(&res.body) {
                Ok(set) => {
                    let set = Arc::new(set);
                    self.cache
                        .lock()
                        .expect("jwks cache")
                        .insert(url.to_string(), (set.clone(), Instant::now()));
                    return (Some(set), KeySource::Fetched { url: url.into() });
                }
                Err(e) => format!("the JWKS at {url} is not a JSON key set: {e}"),
            },
            Ok(res) => format!("the JWKS URL {url} answered HTTP {}", res.status),
            Err(e) => e.to_string(),
        };
        (
            None,
            KeySource::Failed {
                url: url.into(),
                problem,
            },
        )
    }
}
