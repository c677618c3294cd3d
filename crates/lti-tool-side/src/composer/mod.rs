//! The deep linking composer (tool side): answers a captured LtiDeepLinkingRequest with an
//! LtiDeepLinkingResponse signed by the tool's key — from the page in the LMS frame
//! ([`page`], posting to [`page::COMPOSE_PATH`]), from the app and from the CLI ([`compose`]).
//! The response is validated as the tool's message and stored in the request's flow.

pub mod app;
pub mod page;
pub mod templates;

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use lti_core::messages::{self, StoredMessage};
use lti_core::recorder::ExchangeNotes;
use lti_core::signing_keys::KeyRole;
use lti_protocol::deep_linking::{self, Breakage, DlSettings, ResponseDraft};
use lti_protocol::jws::Jws;
use lti_protocol::validate::{self, IdTokenContext, RegistrationView};
use lti_protocol::vocab::{claim, message};
use serde_json::{Map, Value};

use crate::ToolSide;

/// The exchange step and message kind of a composed response.
pub const STEP: &str = "deep_linking_response";
pub const KIND: &str = "dl_response";

#[derive(Debug, thiserror::Error)]
pub enum ComposerError {
    #[error("flow {0} has no deep linking request")]
    NoRequest(String),
    #[error("the stored request cannot be read: {0}")]
    Unreadable(String),
    #[error("{0}")]
    Compose(#[from] deep_linking::compose::ComposeError),
    #[error("the request has no deep_link_return_url: there is nowhere to send the response")]
    NoReturnUrl,
    #[error("items must be a JSON array of content items: {0}")]
    Items(String),
    #[error("the tool's signing key is not available: {0}")]
    Key(String),
    #[error(transparent)]
    Store(#[from] lti_core::Error),
}

impl From<ComposerError> for lti_core::Error {
    fn from(e: ComposerError) -> Self {
        match e {
            ComposerError::Store(e) => e,
            ComposerError::NoRequest(_) => lti_core::Error::NotFound(e.to_string()),
            other => lti_core::Error::BadRequest(other.to_string()),
        }
    }
}

/// A captured deep linking request, as the composer needs it.
pub struct DlRequest {
    pub flow_id: String,
    pub payload: Map<String, Value>,
    pub message: StoredMessage,
    pub settings: DlSettings,
}

/// The flow's latest launch, when it is an LtiDeepLinkingRequest.
pub async fn request_of(tool: &ToolSide, flow_id: &str) -> Result<DlRequest, ComposerError> {
    let id = flow_id.to_string();
    let found = tool
        .store()
        .read(move |c| messages::latest_id_token(c, &id))
        .await?;
    let Some((_, message)) = found else {
        return Err(ComposerError::NoRequest(flow_id.into()));
    };
    let raw = message
        .raw
        .clone()
        .ok_or_else(|| ComposerError::NoRequest(flow_id.into()))?;
    let payload = Jws::parse(&raw)
        .map_err(|e| ComposerError::Unreadable(e.to_string()))?
        .payload;
    if payload.get(claim::MESSAGE_TYPE).and_then(Value::as_str) != Some(message::DEEP_LINKING) {
        return Err(ComposerError::NoRequest(flow_id.into()));
    }
    let settings = DlSettings::of_payload(&payload).unwrap_or_default();
    Ok(DlRequest {
        flow_id: flow_id.into(),
        payload,
        message,
        settings,
    })
}

/// A signed response, ready to be form-posted to `return_url`.
#[derive(Debug, Clone)]
pub struct Composed {
    pub jwt: String,
    pub return_url: String,
    pub message: StoredMessage,
    /// Each item's problems against the request's settings, by index.
    pub items: Vec<Vec<lti_protocol::finding::Finding>>,
}

/// Builds, signs and validates the response to `request` (nothing is stored or sent).
pub async fn compose(
    tool: &ToolSide,
    request: &DlRequest,
    draft: &ResponseDraft,
    breakage: Option<Breakage>,
) -> Result<Composed, ComposerError> {
    let return_url = request
        .settings
        .deep_link_return_url
        .clone()
        .ok_or(ComposerError::NoReturnUrl)?;
    let now = lti_core::clock::now_secs();
    let claims = deep_linking::response_claims(
        &request.payload,
        draft,
        now,
        &lti_core::ids::secret_token(),
        breakage,
    )?;
    let key = tool
        .keys()
        .signing_key(KeyRole::Tool)
        .await
        .map_err(|e| ComposerError::Key(e.to_string()))?;
    let jwt = sign(&claims, &key, breakage)?;
    let jwks = tool
        .keys()
        .jwks(KeyRole::Tool)
        .await
        .map_err(|e| ComposerError::Key(e.to_string()))?;
    let deployment = request
        .payload
        .get(claim::DEPLOYMENT_ID)
        .and_then(Value::as_str)
        .map(|d| vec![d.to_string()]);
    let ctx = IdTokenContext {
        now,
        registration: Some(RegistrationView {
            issuer: request
                .payload
                .get("iss")
                .and_then(Value::as_str)
                .unwrap_or("")
                .into(),
            client_id: lti_protocol::claims::client_of(&request.payload).unwrap_or_default(),
            deployment_ids: deployment,
            trusted_audiences: None,
            redirect_uris: None,
        }),
        jwks: Some(&jwks),
        dl_request_data: request.settings.data_text(),
        skip_explain: true,
        ..IdTokenContext::at(now)
    };
    let checked = validate::id_token(&jwt, &ctx);
    let mut report = checked.report;
    // As the platform will check it: the claims just signed, each item once.
    let (_, items, findings) = deep_linking::response_findings(&claims, Some(&request.settings));
    report.findings.extend(findings);
    let mut message = StoredMessage::of_report(KIND, STEP, report);
    message.raw = Some(jwt.clone());
    message.message_type = checked.message_type;
    message.validated_at = now;
    Ok(Composed {
        jwt,
        return_url,
        message,
        items,
    })
}

fn sign(
    claims: &Map<String, Value>,
    key: &lti_protocol::keys::SigningKey,
    breakage: Option<Breakage>,
) -> Result<String, ComposerError> {
    let encode = |v: &[u8]| lti_protocol::b64::encode(v);
    if breakage == Some(Breakage::Unsigned) {
        let payload =
            serde_json::to_vec(claims).map_err(|e| ComposerError::Items(e.to_string()))?;
        return Ok(format!(
            "{}.{}.",
            encode(br#"{"alg":"none","typ":"JWT"}"#),
            encode(&payload)
        ));
    }
    let token = lti_protocol::jws::sign_rs256(&Map::new(), claims, key)
        .map_err(|e| ComposerError::Key(e.to_string()))?;
    if breakage != Some(Breakage::BadSignature) {
        return Ok(token);
    }
    let (input, sig) = token.rsplit_once('.').expect("three segments");
    let mut bytes =
        lti_protocol::b64::decode(sig).map_err(|e| ComposerError::Key(e.to_string()))?;
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x5a;
    Ok(format!("{input}.{}", encode(&bytes)))
}

/// Stores a composed response in its request's flow (for the app and the CLI; the composer
/// page stores through its exchange instead).
pub async fn store(
    tool: &ToolSide,
    flow_id: &str,
    composed: &Composed,
    breakage: Option<Breakage>,
) -> Result<(), ComposerError> {
    let (fid, msg) = (flow_id.to_string(), composed.message.clone());
    let summary = summary_of(&composed.message, breakage);
    tool.store()
        .write(move |tx| messages::add_message(tx, &fid, &msg, &summary, None))
        .await?;
    messages::announce(tool.core(), flow_id).await;
    Ok(())
}

fn summary_of(msg: &StoredMessage, breakage: Option<Breakage>) -> Map<String, Value> {
    let mut m = Map::new();
    let items = msg
        .raw
        .as_deref()
        .and_then(|r| Jws::parse(r).ok())
        .and_then(|j| {
            j.payload
                .get(claim::DL_CONTENT_ITEMS)
                .and_then(Value::as_array)
                .map(Vec::len)
        })
        .unwrap_or(0);
    m.insert("dl_items".into(), Value::from(items.to_string()));
    if let Some(b) = breakage {
        m.insert(
            "negative_test".into(),
            Value::from(format!("{} ({})", b.label(), b.rule_id())),
        );
    }
    m
}

/// Secrets that let the page in the LMS frame (and only it) post to the composer for its flow:
/// without one, any web page could have the inspector sign content into a course.
#[derive(Default)]
pub struct ComposeTokens(Mutex<HashMap<String, (String, Instant)>>);

const TOKEN_TTL: Duration = Duration::from_secs(4 * 3600);
const TOKEN_CAP: usize = 10_000;

impl ComposeTokens {
    pub fn mint(&self, flow_id: &str) -> String {
        let mut m = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if m.len() >= TOKEN_CAP {
            let now = Instant::now();
            m.retain(|_, (_, at)| now.duration_since(*at) < TOKEN_TTL);
            if m.len() >= TOKEN_CAP {
                m.clear();
            }
        }
        let t = lti_core::ids::secret_token();
        m.insert(flow_id.to_string(), (t.clone(), Instant::now()));
        t
    }

    pub fn check(&self, flow_id: &str, token: &str) -> bool {
        let m = self.0.lock().unwrap_or_else(|p| p.into_inner());
        m.get(flow_id)
            .is_some_and(|(t, at)| !token.is_empty() && t == token && at.elapsed() < TOKEN_TTL)
    }
}

/// The composer page for a request just captured (called by the launch handler).
pub fn first_page(
    tool: &ToolSide,
    flow_id: &str,
    payload: &Map<String, Value>,
    request: &StoredMessage,
    templates: &[String],
) -> String {
    let settings = DlSettings::of_payload(payload).unwrap_or_default();
    let draft = ResponseDraft {
        items: deep_linking::presets::first_draft(&settings, &tool_base(tool, payload)),
        ..Default::default()
    };
    let token = tool.compose_tokens().mint(flow_id);
    page::render(&page::ComposerView {
        flow_id,
        token: &token,
        request,
        settings: &settings,
        platform: payload.get("iss").and_then(Value::as_str).unwrap_or(""),
        draft: &draft,
        items_text: None,
        breakage: None,
        templates,
        error: None,
        notice: None,
        ui_url: tool.config().ui_url.as_deref(),
    })
}

/// Where presets point: the origin the platform launched (the tool as the LMS reaches it,
/// through a tunnel too), else the tool's own address.
fn tool_base(tool: &ToolSide, payload: &Map<String, Value>) -> String {
    payload
        .get(claim::TARGET_LINK_URI)
        .and_then(Value::as_str)
        .and_then(|u| url::Url::parse(u).ok())
        .map(|u| u.origin().ascii_serialization())
        .filter(|o| o != "null")
        .unwrap_or_else(|| format!("http://{}:{}", tool.config().host, tool.config().port))
}

/// `POST /lti/deep-link/compose`: the composer page's actions.
pub async fn handle(State(tool): State<ToolSide>, req: Request) -> Response {
    let notes = req
        .extensions()
        .get::<ExchangeNotes>()
        .cloned()
        .unwrap_or_default();
    let fields = lti_core::http::read_params(req).await;
    let get = |n: &str| validate::param(&fields, n).map(str::to_string);
    let flow_id = get("flow").unwrap_or_default();
    notes.set_step("deep_linking_compose");
    if !tool
        .compose_tokens()
        .check(&flow_id, &get("token").unwrap_or_default())
    {
        return lti_core::html::error_page(
            StatusCode::FORBIDDEN,
            "Composer session unknown",
            "This form was not issued by the composer for that flow (or the inspector restarted since). Launch the deep linking request again, or compose from the app's flow view.",
        );
    }
    notes.set_flow(&flow_id);
    let request = match request_of(&tool, &flow_id).await {
        Ok(r) => r,
        Err(e) => {
            return lti_core::html::error_page(
                StatusCode::NOT_FOUND,
                "No deep linking request",
                &e.to_string(),
            )
        }
    };
    let action = get("action").unwrap_or_else(|| "send".into());
    let opt = |n: &str| get(n).filter(|v| !v.is_empty());
    let breakage = opt("breakage").and_then(|b| Breakage::parse(&b));
    let items_text = get("items").unwrap_or_else(|| "[]".into());
    let parsed = parse_items(&items_text).map_err(|e| e.to_string());
    let mut draft = ResponseDraft {
        items: parsed.clone().unwrap_or_default(),
        msg: opt("msg"),
        log: opt("log"),
        errormsg: opt("errormsg"),
        errorlog: opt("errorlog"),
    };
    let mut notice: Option<String> = None;
    let mut error: Option<String> = parsed.as_ref().err().cloned();
    let mut keep_text = parsed.is_err();
    match action.as_str() {
        "send" if parsed.is_ok() => {
            notes.set_step(STEP);
            return send(&tool, &notes, &request, &draft, breakage).await;
        }
        a if a.starts_with("preset:") && parsed.is_ok() => {
            let t = &a["preset:".len()..];
            match deep_linking::presets::preset(t, &tool_base(&tool, &request.payload)) {
                Some(item) => {
                    draft.items.push(item);
                    notice = Some(format!("Added a {t} item."));
                }
                None => error = Some(format!("No preset for {t:?}.")),
            }
        }
        "save_template" if parsed.is_ok() => {
            let name = get("template_name")
                .unwrap_or_default()
                .trim()
                .chars()
                .take(templates::NAME_MAX)
                .collect::<String>();
            if name.is_empty() {
                error = Some("Give the template a name.".into());
            } else {
                let items = draft.items.clone();
                let n = name.clone();
                match tool
                    .store()
                    .write(move |tx| templates::save(tx, &n, &items))
                    .await
                {
                    Ok(()) => {
                        notice = Some(format!("Saved {} item(s) as “{name}”.", draft.items.len()))
                    }
                    Err(e) => error = Some(e.to_string()),
                }
            }
        }
        "load_template" => {
            let name = get("template").unwrap_or_default();
            let n = name.clone();
            match tool.store().read(move |c| templates::load(c, &n)).await {
                Ok(Some(items)) => {
                    draft.items = items;
                    keep_text = false;
                    error = None;
                    notice = Some(format!("Loaded “{name}”."));
                }
                Ok(None) => error = Some(format!("No template named {name:?}.")),
                Err(e) => error = Some(e.to_string()),
            }
        }
        _ => {}
    }
    let names = tool
        .store()
        .read(templates::names)
        .await
        .unwrap_or_default();
    let token = tool.compose_tokens().mint(&flow_id);
    Html(page::render(&page::ComposerView {
        flow_id: &flow_id,
        token: &token,
        request: &request.message,
        settings: &request.settings,
        platform: request
            .payload
            .get("iss")
            .and_then(Value::as_str)
            .unwrap_or(""),
        draft: &draft,
        items_text: keep_text.then_some(items_text.as_str()),
        breakage,
        templates: &names,
        error: error.as_deref(),
        notice: notice.as_deref(),
        ui_url: tool.config().ui_url.as_deref(),
    }))
    .into_response()
}

/// Items as typed: a JSON array, or a single item object (taken as a list of one).
pub fn parse_items(text: &str) -> Result<Vec<Value>, ComposerError> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Array(a)) => Ok(a),
        Ok(o @ Value::Object(_)) => Ok(vec![o]),
        Ok(other) => Err(ComposerError::Items(format!(
            "got {}",
            lti_protocol::claims::json_type(&other)
        ))),
        Err(e) => Err(ComposerError::Items(e.to_string())),
    }
}

async fn send(
    tool: &ToolSide,
    notes: &ExchangeNotes,
    request: &DlRequest,
    draft: &ResponseDraft,
    breakage: Option<Breakage>,
) -> Response {
    let composed = match compose(tool, request, draft, breakage).await {
        Ok(c) => c,
        Err(e) => {
            return lti_core::html::error_page(
                StatusCode::BAD_REQUEST,
                "The response could not be composed",
                &e.to_string(),
            )
        }
    };
    let summary = summary_of(&composed.message, breakage);
    let (fid, msg) = (request.flow_id.clone(), composed.message.clone());
    notes.defer_write(move |tx| messages::add_message(tx, &fid, &msg, &summary, None));
    tracing::info!(flow = %request.flow_id, items = draft.items.len(), breakage = ?breakage, "deep linking response sent");
    lti_core::html::auto_post(
        "Sending the deep linking response to the platform",
        &composed.return_url,
        &[("JWT".to_string(), composed.jwt)],
        None,
    )
}
