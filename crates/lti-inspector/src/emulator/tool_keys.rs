//! A registered tool's public keys, for checking its client assertions and deep linking
//! responses: the pasted key set wins; otherwise the tool's JWKS URL is fetched (an outbound
//! exchange recorded in the flow that needed it), cached for five minutes, and fetched again when
//! a JWT names a kid the cached set lacks (tools rotate keys).

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

use lti_protocol::jwk::Jwks;

use super::model::EmulatorTool;
use crate::engine::Engine;
use crate::outbound::OutboundRequest;
use crate::store::Side;

const TTL: Duration = Duration::from_secs(300);

/// Key sets by URL with the time they were fetched.
type Cache = Mutex<HashMap<String, (Arc<Jwks>, Instant)>>;

/// Public data; shared by every engine of the process (tests run several).
static CACHE: LazyLock<Cache> = LazyLock::new(Default::default);

/// The key set to verify a JWT with `kid`, or why there is none.
pub(super) async fn resolve(
    engine: &Engine,
    tool: &EmulatorTool,
    flow_id: &str,
    kid: Option<&str>,
) -> Result<Arc<Jwks>, String> {
    if let Some(p) = &tool.public_jwks {
        return Ok(Arc::new(p.clone()));
    }
    let Some(url) = tool.jwks_url.as_deref().filter(|u| !u.is_empty()) else {
        return Err(format!(
            "the tool {:?} has neither a JWKS URL nor a pasted public key",
            tool.name
        ));
    };
    let cached = {
        let cache = CACHE.lock().expect("tool jwks cache");
        cache
            .get(url)
            .filter(|(_, at)| at.elapsed() < TTL)
            .map(|(j, _)| j.clone())
    };
    if let Some(set) = cached {
        if kid.is_none_or(|k| set.keys.iter().any(|key| key.kid.as_deref() == Some(k))) {
            return Ok(set);
        }
    }
    let req = OutboundRequest {
        flow_id: Some(flow_id),
        side: Side::Emulator,
        step: "tool_jwks_fetch",
        method: reqwest::Method::GET,
        url,
        headers: vec![("accept".into(), "application/json".into())],
        body: vec![],
    };
    match engine.outbound().send(req).await {
        Ok(res) if res.status == 200 => match serde_json::from_slice::<Jwks>(&res.body) {
            Ok(set) => {
                let set = Arc::new(set);
                CACHE
                    .lock()
                    .expect("tool jwks cache")
                    .insert(url.to_string(), (set.clone(), Instant::now()));
                Ok(set)
            }
            Err(e) => Err(format!(
                "the tool's JWKS at {url} is not a JSON key set: {e}"
            )),
        },
        Ok(res) => Err(format!(
            "the tool's JWKS URL {url} answered HTTP {}",
            res.status
        )),
        Err(e) => Err(format!("the tool's JWKS could not be fetched: {e}")),
    }
}
