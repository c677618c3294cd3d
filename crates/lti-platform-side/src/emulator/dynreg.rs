//! LTI Dynamic Registration with the emulator as the platform: it opens a tool's registration
//! URL with its OpenID configuration and a single-use registration token, validates the tool's
//! registration request, creates the tool (client_id, deployment) and answers with the
//! registration. Negative switches hand the tool an expired or used token, or a configuration
//! missing a required part, to see how it copes. Every step is an exchange of one flow.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use ts_rs::TS;

use super::flow_messages::{self, Flow};
use super::types::ToolInput;
use crate::PlatformSide;
use lti_core::error::{Error, Result};
use lti_core::recorder::ExchangeNotes;
use lti_protocol::dynreg::{self, TOOL_CONFIGURATION};
use lti_protocol::finding::{Finding, Report, Verdict};

pub const CONFIG_PATH: &str = "/dr/openid-configuration";
pub const REGISTER_PATH: &str = "/dr/register";
/// `/dr/host/{token}`: the emulator's page that frames the tool's registration page, as an LMS
/// does, and hears its close message; `/dr/closed/{token}` records that it came.
pub const HOST_PATH: &str = "/dr/host";
pub const CLOSED_PATH: &str = "/dr/closed";
/// How long a registration token lasts.
const TOKEN_TTL_MS: i64 = 60 * 60 * 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum DrNegative {
    /// The registration token expired before the tool used it.
    ExpiredToken,
    /// The registration token was already used.
    ReusedToken,
    /// The configuration has no registration_endpoint.
    ConfigMissingEndpoint,
    /// The configuration has no lti-platform-configuration.
    ConfigMissingPlatform,
}

impl DrNegative {
    pub const ALL: &[DrNegative] = &[
        Self::ExpiredToken,
        Self::ReusedToken,
        Self::ConfigMissingEndpoint,
        Self::ConfigMissingPlatform,
    ];
    pub fn rule_id(self) -> &'static str {
        match self {
            Self::ExpiredToken | Self::ReusedToken => "dr.request.token",
            Self::ConfigMissingEndpoint => "dr.config.endpoints",
            Self::ConfigMissingPlatform => "dr.config.platform",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::ExpiredToken => "Expired registration token",
            Self::ReusedToken => "Registration token already used",
            Self::ConfigMissingEndpoint => "Configuration without registration_endpoint",
            Self::ConfigMissingPlatform => "Configuration without lti-platform-configuration",
        }
    }
    fn as_str(self) -> &'static str {
        match self {
            Self::ExpiredToken => "expired_token",
            Self::ReusedToken => "reused_token",
            Self::ConfigMissingEndpoint => "config_missing_endpoint",
            Self::ConfigMissingPlatform => "config_missing_platform",
        }
    }
    fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|n| n.as_str() == s)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct DrNegativeInfo {
    pub id: DrNegative,
    pub rule_id: String,
    pub label: String,
}

pub fn negatives() -> Vec<DrNegativeInfo> {
    DrNegative::ALL
        .iter()
        .map(|n| DrNegativeInfo {
            id: *n,
            rule_id: n.rule_id().into(),
            label: n.label().into(),
        })
        .collect()
}

#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct DrStartArgs {
    /// The tool's registration (initiation) URL.
    pub registration_url: String,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub negative: Option<DrNegative>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct DrStart {
    /// Open this in a window: the emulator's page framing the tool's registration page.
    pub url: String,
    /// The tool's registration URL with the emulator's configuration and token, for reference.
    pub tool_url: String,
    pub flow_id: String,
}

/// Mints a registration token and the URL that opens the tool's registration page.
pub async fn start(platform: &PlatformSide, args: DrStartArgs) -> Result<DrStart> {
    let mut url = url::Url::parse(args.registration_url.trim())
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .ok_or_else(|| Error::BadRequest("registration_url: an absolute http(s) URL".into()))?;
    let base = super::base_url(platform);
    let token = lti_core::ids::secret_token();
    let now = lti_core::clock::now_ms();
    let (expires, used) = match args.negative {
        Some(DrNegative::ExpiredToken) => (now - 1, None),
        Some(DrNegative::ReusedToken) => (now + TOKEN_TTL_MS, Some(now)),
        _ => (now + TOKEN_TTL_MS, None),
    };
    let config_url = format!("{base}{CONFIG_PATH}/{token}");
    url.query_pairs_mut()
        .append_pair("openid_configuration", &config_url)
        .append_pair("registration_token", &token);
    let flow = flow_messages::new_flow(
        "dynamic_registration",
        format!(
            "Dynamic Registration of {}",
            url.host_str().unwrap_or("a tool")
        ),
    );
    let flow_id = flow.id.clone();
    let negative_text = args
        .negative
        .map(|n| format!("{} ({})", n.label(), n.rule_id()))
        .unwrap_or_default();
    let summary = flow_messages::summary(&[
        ("registration_url", args.registration_url.trim()),
        ("negative_test", &negative_text),
    ]);
    let tool_url = url.to_string();
    let (t, negative) = (token.clone(), args.negative.map(|n| n.as_str().to_string()));
    platform
        .store()
        .write(move |tx| {
            lti_core::store::flows::insert(tx, &flow)?;
            tx.execute(
                "UPDATE flows SET summary_json = ?2 WHERE id = ?1",
                rusqlite::params![flow.id, Value::Object(summary).to_string()],
            )?;
            tx.execute(
                "INSERT INTO emu_dr_tokens (token, flow_id, negative, created_at, expires_at, used_at, tool_url) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                rusqlite::params![t, flow.id, negative, now, expires, used, tool_url],
            )?;
            Ok(())
        })
        .await?;
    lti_core::messages::announce(platform.core(), &flow_id).await;
    Ok(DrStart {
        url: format!("{base}{HOST_PATH}/{token}"),
        tool_url: url.into(),
        flow_id,
    })
}

/// What the registration window's pages need of a token's row.
struct Window {
    flow_id: String,
    tool_url: String,
    tool_id: Option<String>,
}

async fn registration_window(platform: &PlatformSide, token: &str) -> Option<Window> {
    let t = token.to_string();
    platform
        .store()
        .read(move |c| {
            Ok(c.query_row(
                "SELECT flow_id, tool_url, tool_id FROM emu_dr_tokens WHERE token = ?1",
                [&t],
                |r| {
                    Ok(Window {
                        flow_id: r.get(0)?,
                        tool_url: r.get(1)?,
                        tool_id: r.get(2)?,
                    })
                },
            )
            .optional()?)
        })
        .await
        .ok()
        .flatten()
}

fn unknown_registration() -> Response {
    lti_core::html::error_page(
        StatusCode::NOT_FOUND,
        "Unknown registration",
        "Start the registration again from LTI Inspector.",
    )
}

/// `GET /dr/host/{token}`: frames the tool's registration page and, when the tool posts
/// `org.imsglobal.lti.close`, moves to `/dr/closed/{token}` (which records it).
pub async fn host(
    State(platform): State<PlatformSide>,
    Extension(notes): Extension<ExchangeNotes>,
    Path(token): Path<String>,
) -> Response {
    let Some(found) = registration_window(&platform, &token).await else {
        return unknown_registration();
    };
    let (flow_id, tool_url) = (found.flow_id, found.tool_url);
    notes.set_flow(&flow_id);
    notes.set_step("dr_host");
    let nonce = lti_core::ids::secret_token();
    let e = lti_core::html::escape;
    let html = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Registering a tool — LTI Inspector emulator</title>\
         <style>body{{font:14px system-ui,sans-serif;margin:0}}header{{padding:.6rem 1rem;background:#f6f8fa;border-bottom:1px solid #d0d7de}}\
         iframe{{border:0;width:100%;height:calc(100vh - 3rem)}}</style></head><body>\
         <header>LTI Inspector emulator · Dynamic Registration of <code>{}</code></header>\
         <iframe id=\"tool\" title=\"The tool's registration page\" src=\"{}\"></iframe>\
         <script nonce=\"{nonce}\">window.addEventListener('message', function (ev) {{\
           if (ev.data && ev.data.subject === '{}') {{ location.href = '{CLOSED_PATH}/{}'; }}\
         }});</script></body></html>",
        e(&tool_url),
        e(&tool_url),
        dynreg::CLOSE_SUBJECT,
        e(&token),
    );
    super::html_pages::with_csp(StatusCode::OK, html, &nonce)
}

/// `GET /dr/closed/{token}`: the tool said it is done (its close message reached the host page).
pub async fn closed(
    State(platform): State<PlatformSide>,
    Extension(notes): Extension<ExchangeNotes>,
    Path(token): Path<String>,
) -> Response {
    let Some(found) = registration_window(&platform, &token).await else {
        return unknown_registration();
    };
    let (flow_id, tool_id) = (found.flow_id, found.tool_id);
    notes.set_flow(&flow_id);
    notes.set_step("dr_close");
    super::html_pages::info(
        StatusCode::OK,
        "Registration finished",
        if tool_id.is_some() {
            "The tool registered and closed its registration page (org.imsglobal.lti.close). It is in the emulator's Tools; you can close this window."
        } else {
            "The tool closed its registration page (org.imsglobal.lti.close) without registering. You can close this window."
        },
        &[],
        "",
    )
}

struct TokenRow {
    flow_id: String,
    negative: Option<DrNegative>,
    expires_at: i64,
    used_at: Option<i64>,
}

fn token_row(c: &rusqlite::Connection, token: &str) -> Result<Option<TokenRow>> {
    Ok(c.query_row(
        "SELECT flow_id, negative, expires_at, used_at FROM emu_dr_tokens WHERE token = ?1",
        [token],
        |r| {
            Ok(TokenRow {
                flow_id: r.get(0)?,
                negative: r
                    .get::<_, Option<String>>(1)?
                    .as_deref()
                    .and_then(DrNegative::parse),
                expires_at: r.get(2)?,
                used_at: r.get(3)?,
            })
        },
    )
    .optional()?)
}

/// `GET /dr/openid-configuration/{token}`: the emulator's configuration for this registration
/// (broken as its negative test asks).
pub async fn configuration(
    State(platform): State<PlatformSide>,
    Extension(notes): Extension<ExchangeNotes>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let row = platform
        .store()
        .read(move |c| token_row(c, &token))
        .await
        .ok()
        .flatten();
    let base = super::request_base(&platform, &headers);
    let mut config = super::configuration(&base);
    if let Some(row) = &row {
        notes.set_flow(&row.flow_id);
        notes.set_step("dr_configuration");
        if let Some(m) = config.as_object_mut() {
            match row.negative {
                Some(DrNegative::ConfigMissingEndpoint) => {
                    m.remove("registration_endpoint");
                }
                Some(DrNegative::ConfigMissingPlatform) => {
                    m.remove(lti_protocol::vocab::PLATFORM_CONFIGURATION);
                }
                _ => {}
            }
        }
    }
    Json(config).into_response()
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    (
        status,
        Json(json!({"error": error, "error_description": description})),
    )
        .into_response()
}

/// `POST /dr/register`: the tool's client registration request.
pub async fn register(
    State(platform): State<PlatformSide>,
    Extension(notes): Extension<ExchangeNotes>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .unwrap_or_default()
        .to_string();
    let t = token.clone();
    let now = lti_core::clock::now_ms();
    // Claimed in one write: two concurrent registrations with one token cannot both pass.
    let claimed = platform
        .store()
        .write(move |tx| {
            let row = token_row(tx, &t)?;
            if let Some(r) = &row {
                if r.used_at.is_none() && r.expires_at > now {
                    tx.execute(
                        "UPDATE emu_dr_tokens SET used_at = ?2 WHERE token = ?1",
                        rusqlite::params![t, now],
                    )?;
                }
            }
            Ok(row)
        })
        .await
        .ok()
        .flatten();
    let mut report = Report::new();
    let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let flow = match &claimed {
        Some(r) => Flow::Existing(r.flow_id.clone()),
        None => Flow::New(flow_messages::new_flow(
            "dynamic_registration",
            "Dynamic Registration (unknown token)".into(),
        )),
    };
    let token_problem = match &claimed {
        None if token.is_empty() => Some("No registration token: send the one the registration URL carried as `Authorization: Bearer …`."),
        None => Some("The registration token is not one this platform issued."),
        Some(r) if r.used_at.is_some() => Some("The registration token was already used: each is good for one registration."),
        Some(r) if r.expires_at <= now => Some("The registration token expired: start the registration again from the platform."),
        Some(_) => None,
    };
    match token_problem {
        Some(why) => report.push(Finding::fail("dr.request.token", why)),
        None => report.push(Finding::pass(
            "dr.request.token",
            "A valid registration token, used once.",
        )),
    }
    report.extend(dynreg::check_registration_request(&request));
    let params = vec![(
        "body".to_string(),
        String::from_utf8_lossy(&body)
            .chars()
            .take(64 * 1024)
            .collect::<String>(),
    )];
    let save = |report: Report, summary: serde_json::Map<String, Value>| {
        let msg = flow_messages::with_params(
            flow_messages::message("dr_request", "dr_register", report),
            &params,
        );
        flow_messages::save(&notes, flow, "dr_register", vec![msg], summary, None);
    };
    if let Some(why) = token_problem {
        save(report, serde_json::Map::new());
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_token", why);
    }
    if report.verdict() == Verdict::Invalid {
        let why = report
            .findings
            .iter()
            .find(|f| f.is_failed_error())
            .map(|f| f.message.clone())
            .unwrap_or_default();
        save(report, serde_json::Map::new());
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_client_metadata", &why);
    }
    let m = request.as_object().cloned().unwrap_or_default();
    let tc = m
        .get(TOOL_CONFIGURATION)
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let str_of = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_string);
    let messages = tc
        .get("messages")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let dl = messages
        .iter()
        .find(|x| x.get("type").and_then(Value::as_str) == Some("LtiDeepLinkingRequest"))
        .and_then(|x| str_of(x.get("target_link_uri")));
    let asked: Vec<String> = str_of(m.get("scope"))
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_string)
        .collect();
    let granted: Vec<String> = asked
        .iter()
        .filter(|s| super::model::scope::ALL.contains(&s.as_str()))
        .cloned()
        .collect();
    let input = ToolInput {
        name: str_of(m.get("client_name")).unwrap_or_else(|| "Registered tool".into()),
        login_url: str_of(m.get("initiate_login_uri")).unwrap_or_default(),
        redirect_uris: m
            .get("redirect_uris")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default(),
        target_link_uri: str_of(tc.get("target_link_uri")),
        deep_link_url: dl,
        jwks_url: str_of(m.get("jwks_uri")),
        scopes: Some(granted.clone()),
        ..Default::default()
    };
    let tool = match super::commands::save_emulator_tool(&platform, input).await {
        Ok(t) => t,
        Err(e) => {
            report.push(Finding::fail(
                "dr.request.fields",
                format!("The tool could not be created: {e}"),
            ));
            save(report, serde_json::Map::new());
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_client_metadata",
                &e.to_string(),
            );
        }
    };
    let deployment = tool.deployment_ids.first().cloned().unwrap_or_default();
    let summary = flow_messages::summary(&[
        ("tool", &tool.name),
        ("client_id", &tool.client_id),
        ("deployment_id", &deployment),
    ]);
    save(report, summary);
    let (tid, tk) = (tool.id.clone(), token.clone());
    if let Err(e) = platform
        .store()
        .write(move |tx| {
            Ok(tx.execute(
                "UPDATE emu_dr_tokens SET tool_id = ?2 WHERE token = ?1",
                [tk, tid],
            )?)
        })
        .await
    {
        tracing::warn!(error = %e, "could not note the registered tool on its token");
    }
    let mut answer = m.clone();
    answer.insert("client_id".into(), json!(tool.client_id));
    answer.insert("scope".into(), json!(granted.join(" ")));
    let mut tc_answer = tc.clone();
    tc_answer.insert("deployment_id".into(), json!(deployment));
    answer.insert(TOOL_CONFIGURATION.into(), Value::Object(tc_answer));
    tracing::info!(client_id = %tool.client_id, "tool registered by Dynamic Registration");
    (StatusCode::OK, Json(Value::Object(answer))).into_response()
}
