//! A platform's keys for a launch's signature check: a pasted key set wins; otherwise its JWKS
//! URL goes through the core's shared cache (fetches recorded in the launch's flow).

use std::sync::Arc;

use lti_core::jwks_cache::{FetchFor, Freshness};
use lti_core::store::Side;
use lti_core::Core;
use lti_protocol::jwk::Jwks;

/// Where the keys came from, for the flow view and findings.
#[derive(Debug, Clone)]
pub enum KeySource {
    Pasted,
    Cached { url: String },
    Fetched { url: String },
    Failed { url: String, problem: String },
    None,
}

/// The key set to verify a launch whose header names `kid`.
pub async fn resolve(
    core: &Core,
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
    let asker = FetchFor {
        flow_id,
        side: Side::Tool,
        step: "jwks_fetch",
    };
    match core.jwks().get(core.outbound(), asker, url, kid).await {
        Ok((set, Freshness::Cached)) => (Some(set), KeySource::Cached { url: url.into() }),
        Ok((set, Freshness::Fetched)) => (Some(set), KeySource::Fetched { url: url.into() }),
        Err(problem) => (
            None,
            KeySource::Failed {
                url: url.into(),
                problem,
            },
        ),
    }
}
