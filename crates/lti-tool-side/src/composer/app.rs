//! The composer from the app and the CLI: the same draft, checks and signing as the page in the
//! LMS frame, on a captured (or imported) deep linking request flow.
//!
//! A signed response is stored in the request's flow at once. It reaches the platform one of
//! two ways: through the user's browser ([`PendingSends`]: a one-use page on the tool port that
//! form-posts it, so the LMS session cookies go along, as they must for a real LMS), or posted
//! by the engine itself ([`deliver`]) — enough for the emulator and loopback platforms, and the
//! platform's answer is then recorded in the flow.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use lti_core::messages::StoredMessage;
use lti_core::outbound::OutboundRequest;
use lti_core::recorder::ExchangeNotes;
use lti_core::store::Side;
use lti_protocol::deep_linking::{self, Breakage, DlSettings, ResponseDraft};
use lti_protocol::finding::Finding;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use super::{compose, request_of, store, templates, ComposerError};
use crate::ToolSide;

/// Path of the one-use page that form-posts a signed response from the user's browser.
pub const SEND_PATH: &str = "/lti/deep-link/send";

#[derive(Debug, Clone, Deserialize, TS)]
pub struct ComposerArgs {
    pub flow_id: String,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct ItemPreset {
    pub item_type: String,
    #[ts(type = "unknown")]
    pub item: Value,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct DlTemplate {
    pub name: String,
    #[ts(type = "unknown[]")]
    pub items: Vec<Value>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct BreakageInfo {
    pub id: Breakage,
    pub label: String,
    /// The rule a platform should refuse the response under.
    pub rule_id: String,
}

/// What the composer starts from: the request's settings, a first draft that fits them,
/// one preset per item type, saved templates and the negative switches.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ComposerState {
    pub flow_id: String,
    /// The platform's issuer (the response's aud).
    pub platform: String,
    pub settings: DlSettings,
    #[ts(type = "unknown[]")]
    pub draft: Vec<Value>,
    pub presets: Vec<ItemPreset>,
    pub templates: Vec<DlTemplate>,
    pub breakages: Vec<BreakageInfo>,
}

pub async fn composer_state(
    tool: &ToolSide,
    flow_id: &str,
) -> Result<ComposerState, ComposerError> {
    let request = request_of(tool, flow_id).await?;
    let base = super::tool_base(tool, &request.payload);
    let templates = tool.store().read(templates::all).await?;
    Ok(ComposerState {
        flow_id: flow_id.into(),
        platform: request
            .payload
            .get("iss")
            .and_then(Value::as_str)
            .unwrap_or("")
            .into(),
        draft: deep_linking::presets::first_draft(&request.settings, &base),
        presets: deep_linking::presets::types()
            .iter()
            .filter_map(|t| {
                deep_linking::presets::preset(t, &base).map(|item| ItemPreset {
                    item_type: t.to_string(),
                    item,
                })
            })
            .collect(),
        settings: request.settings,
        templates: templates
            .into_iter()
            .map(|(name, items)| DlTemplate { name, items })
            .collect(),
        breakages: Breakage::ALL
            .iter()
            .map(|b| BreakageInfo {
                id: *b,
                label: b.label().into(),
                rule_id: b.rule_id().into(),
            })
            .collect(),
    })
}

/// check: validate only; sign: sign and store in the flow (then send from the browser);
/// post: sign, store and post it to the platform from the engine.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ComposeMode {
    #[default]
    Check,
    Sign,
    Post,
}

#[derive(Debug, Clone, Deserialize, TS)]
pub struct ComposeArgs {
    pub flow_id: String,
    pub draft: ResponseDraft,
    #[serde(default)]
    pub breakage: Option<Breakage>,
    #[serde(default)]
    pub mode: ComposeMode,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct ItemFindings {
    pub index: usize,
    /// The item's failed checks against the request's settings (empty: it fits).
    pub findings: Vec<Finding>,
}

/// The platform's answer to a response the engine posted.
#[derive(Debug, Clone, Serialize, TS)]
pub struct PlatformAnswer {
    pub status: Option<u16>,
    /// The start of the body, as text.
    pub body: String,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct ComposeOutcome {
    /// The response validated as the tool's message (the report the flow shows).
    pub message: StoredMessage,
    pub items: Vec<ItemFindings>,
    pub return_url: String,
    /// The signed JWT (sign and post).
    pub jwt: Option<String>,
    /// Open in the browser that holds the LMS session: a page that form-posts the response
    /// (sign; one use, one hour).
    pub send_url: Option<String>,
    pub answer: Option<PlatformAnswer>,
}

pub async fn run(tool: &ToolSide, args: ComposeArgs) -> Result<ComposeOutcome, ComposerError> {
    let request = request_of(tool, &args.flow_id).await?;
    let composed = compose(tool, &request, &args.draft, args.breakage).await?;
    let items = composed
        .items
        .iter()
        .enumerate()
        .map(|(index, findings)| ItemFindings {
            index,
            findings: findings.clone(),
        })
        .collect();
    let mut out = ComposeOutcome {
        message: composed.message.clone(),
        items,
        return_url: composed.return_url.clone(),
        jwt: None,
        send_url: None,
        answer: None,
    };
    if args.mode == ComposeMode::Check {
        return Ok(out);
    }
    store(tool, &args.flow_id, &composed, args.breakage).await?;
    tracing::info!(flow = %args.flow_id, items = args.draft.items.len(), breakage = ?args.breakage, mode = ?args.mode, "deep linking response signed");
    out.jwt = Some(composed.jwt.clone());
    match args.mode {
        ComposeMode::Sign => {
            let token =
                tool.pending_sends()
                    .put(&args.flow_id, &composed.return_url, &composed.jwt);
            out.send_url = tool
                .status()
                .base_url
                .map(|b| format!("{b}{SEND_PATH}/{token}"));
        }
        ComposeMode::Post => {
            out.answer =
                Some(deliver(tool, &args.flow_id, &composed.return_url, &composed.jwt).await)
        }
        ComposeMode::Check => {}
    }
    Ok(out)
}

/// Posts the response as the browser would (form field `JWT`), recorded in the flow.
async fn deliver(tool: &ToolSide, flow_id: &str, url: &str, jwt: &str) -> PlatformAnswer {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("JWT", jwt)
        .finish();
    let sent = tool
        .outbound()
        .send(OutboundRequest {
            flow_id: Some(flow_id),
            side: Side::Tool,
            step: super::STEP,
            method: reqwest::Method::POST,
            url,
            headers: vec![(
                "content-type".into(),
                "application/x-www-form-urlencoded".into(),
            )],
            body: body.into_bytes(),
        })
        .await;
    match sent {
        Ok(r) => PlatformAnswer {
            status: Some(r.status),
            body: String::from_utf8_lossy(&r.body[..r.body.len().min(4096)]).into_owned(),
            error: None,
        },
        Err(e) => PlatformAnswer {
            status: None,
            body: String::new(),
            error: Some(e.to_string()),
        },
    }
}

#[derive(Debug, Clone, Deserialize, TS)]
pub struct SaveTemplateArgs {
    pub name: String,
    #[ts(type = "unknown[]")]
    pub items: Vec<Value>,
}

/// Saves (or replaces) a named item set; returns every template.
pub async fn save_template(
    tool: &ToolSide,
    args: SaveTemplateArgs,
) -> Result<Vec<DlTemplate>, ComposerError> {
    let name: String = args.name.trim().chars().take(templates::NAME_MAX).collect();
    if name.is_empty() {
        return Err(ComposerError::Items("give the template a name".into()));
    }
    let items = args.items;
    tool.store()
        .write(move |tx| templates::save(tx, &name, &items))
        .await?;
    let all = tool.store().read(templates::all).await?;
    Ok(all
        .into_iter()
        .map(|(name, items)| DlTemplate { name, items })
        .collect())
}

/// Signed responses waiting for the user's browser to carry them to the platform.
#[derive(Default)]
pub struct PendingSends(Mutex<HashMap<String, Pending>>);

struct Pending {
    flow_id: String,
    return_url: String,
    jwt: String,
    at: Instant,
}

const SEND_TTL: Duration = Duration::from_secs(3600);
const SEND_CAP: usize = 1000;

impl PendingSends {
    fn put(&self, flow_id: &str, return_url: &str, jwt: &str) -> String {
        let mut m = self.0.lock().unwrap_or_else(|p| p.into_inner());
        m.retain(|_, p| p.at.elapsed() < SEND_TTL);
        if m.len() >= SEND_CAP {
            // The oldest goes: a signed response nobody opened for a while is not worth more.
            if let Some(k) = m.iter().min_by_key(|(_, p)| p.at).map(|(k, _)| k.clone()) {
                m.remove(&k);
            }
        }
        let token = lti_core::ids::secret_token();
        m.insert(
            token.clone(),
            Pending {
                flow_id: flow_id.into(),
                return_url: return_url.into(),
                jwt: jwt.into(),
                at: Instant::now(),
            },
        );
        token
    }

    fn take(&self, token: &str) -> Option<Pending> {
        let mut m = self.0.lock().unwrap_or_else(|p| p.into_inner());
        m.remove(token).filter(|p| p.at.elapsed() < SEND_TTL)
    }
}

/// `GET /lti/deep-link/send/{token}`: the page that form-posts a response signed in the app.
pub async fn send_page(
    State(tool): State<ToolSide>,
    Path(token): Path<String>,
    notes: Option<axum::Extension<ExchangeNotes>>,
) -> Response {
    let Some(p) = tool.pending_sends().take(&token) else {
        return lti_core::html::error_page(
            StatusCode::NOT_FOUND,
            "Nothing to send",
            "This link was used already, is more than an hour old, or the inspector restarted since. Sign the response again in the app.",
        );
    };
    if let Some(axum::Extension(n)) = notes {
        n.set_flow(&p.flow_id);
        n.set_step(super::STEP);
    }
    lti_core::html::auto_post(
        "Sending the deep linking response to the platform",
        &p.return_url,
        &[("JWT".to_string(), p.jwt)],
        None,
    )
}
