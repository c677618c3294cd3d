//! A registered tool's public keys, for checking its client assertions and deep linking
//! responses: the pasted key set wins; otherwise the tool's JWKS URL goes through the core's
//! shared cache (fetches recorded in the flow that needed them).

use std::sync::Arc;

use lti_core::jwks_cache::FetchFor;
use lti_core::store::Side;
use lti_core::Core;
use lti_protocol::jwk::Jwks;

use super::model::EmulatorTool;

/// The key set to verify a JWT with `kid`, or why there is none.
pub(super) async fn resolve(
    core: &Core,
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
    let asker = FetchFor {
        flow_id,
        side: Side::Emulator,
        step: "tool_jwks_fetch",
    };
    core.jwks()
        .get(core.outbound(), asker, url, kid)
        .await
        .map(|(set, _)| set)
        .map_err(|e| format!("the tool's key set could not be used: {e}"))
}
