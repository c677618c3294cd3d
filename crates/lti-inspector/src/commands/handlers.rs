//! One function per command. Thin: unpack, call the engine, return its typed result.

use super::types::*;
use crate::capture::paths;
#[allow(unused_imports)]
pub use crate::emulator::commands::*;
use crate::engine::{Engine, EngineStatus};
use crate::error::{ApiError, Result};
use crate::keys::{KeyInfo, KeyRole};
use crate::registrations::{self, PlatformInput};
#[allow(unused_imports)]
pub use crate::services::commands::*;
use crate::store::{self, Exchange, ExchangeSummary, FlowSummary, Platform};

pub async fn get_status(engine: &Engine, _: NoArgs) -> Result<EngineStatus> {
    Ok(engine.status())
}

pub async fn get_tool_setup(engine: &Engine, _: NoArgs) -> Result<ToolSetup> {
    let tool = engine.tool_status();
    let mut problems = Vec::new();
    if let Some(e) = tool.error.clone() {
        problems.push(e);
    }
    let url = |p: &str| tool.base_url.as_ref().map(|b| format!("{b}{p}"));
    let key = match engine.keystore_status().error.clone() {
        Some(e) => {
            problems.push(e);
            None
        }
        None => match engine.keys().signing_key(KeyRole::Tool).await {
            Ok(k) => Some(k),
            Err(e) => {
                problems.push(ApiError::from(&e));
                None
            }
        },
    };
    Ok(ToolSetup {
        login_url: url(paths::LOGIN),
        launch_url: url(paths::LAUNCH),
        deep_link_url: url(paths::DEEP_LINK),
        jwks_url: url(paths::JWKS),
        base_url: tool.base_url.clone(),
        kid: key.as_ref().map(|k| k.kid().to_string()),
        public_jwk_json: key
            .as_ref()
            .and_then(|k| serde_json::to_string_pretty(&k.public_jwk()).ok()),
        public_pem: key.as_ref().and_then(|k| k.public_pem().ok()),
        problems,
    })
}

pub async fn list_keys(engine: &Engine, _: NoArgs) -> Result<Vec<KeyInfo>> {
    engine.keys().list().await
}

pub async fn list_exchanges(
    engine: &Engine,
    args: ListExchangesArgs,
) -> Result<Vec<ExchangeSummary>> {
    let limit = args.limit.unwrap_or(500).min(5000);
    engine
        .store()
        .read(move |c| store::exchanges::list(c, limit, args.before_id, args.flow_id.as_deref()))
        .await
}

pub async fn get_exchange(engine: &Engine, args: GetExchangeArgs) -> Result<Exchange> {
    engine
        .store()
        .read(move |c| store::exchanges::get(c, args.id))
        .await
}

pub async fn list_flows(engine: &Engine, args: ListFlowsArgs) -> Result<Vec<FlowSummary>> {
    let limit = args.limit.unwrap_or(500).min(5000);
    engine
        .store()
        .read(move |c| store::flows::list(c, limit, args.before))
        .await
}

pub async fn list_platforms(engine: &Engine, _: NoArgs) -> Result<Vec<Platform>> {
    engine.store().read(store::platforms::list).await
}

pub async fn save_platform(engine: &Engine, input: PlatformInput) -> Result<Platform> {
    registrations::save(engine, input).await
}

pub async fn delete_platform(engine: &Engine, args: IdArgs) -> Result<Deleted> {
    registrations::delete(engine, args.id).await?;
    Ok(Deleted { deleted: true })
}

pub async fn list_platform_presets(
    _: &Engine,
    _: NoArgs,
) -> Result<Vec<lti_protocol::lms::LmsProfile>> {
    Ok(lti_protocol::lms::profiles())
}

pub async fn get_flow(engine: &Engine, args: IdArgs) -> Result<crate::flows::FlowDetail> {
    engine
        .store()
        .read(move |c| crate::flows::detail(c, &args.id))
        .await
}

pub async fn list_rules(_: &Engine, _: NoArgs) -> Result<Vec<lti_protocol::rules::RuleInfo>> {
    Ok(lti_protocol::rules::catalog())
}

pub async fn list_claims(_: &Engine, _: NoArgs) -> Result<Vec<lti_protocol::claims::ClaimInfo>> {
    Ok(lti_protocol::claims::all().to_vec())
}
