//! LTI Dynamic Registration, tool side. A platform opens `/lti/register` with
//! `openid_configuration` (and usually `registration_token`); the inspector fetches and checks
//! the configuration and shows it with its findings. One click registers: the client
//! registration request goes to the platform's registration_endpoint (Bearer token), the answer
//! is checked, the platform is stored as a registration (client_id, deployment, endpoints, JWKS
//! URL), and the page posts `{subject: "org.imsglobal.lti.close"}` to its opener or parent.
//! Every step is an exchange of one flow.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::{Extension, Form};
use rusqlite::OptionalExtension;
use serde::Deserialize;
use serde_json::Value;

use crate::ToolSide;
use lti_core::html::{escape, page, with_csp};
use lti_core::messages::{self, StoredMessage};
use lti_core::outbound::OutboundRequest;
use lti_core::recorder::ExchangeNotes;
use lti_core::store::{self, Side};
use lti_protocol::dynreg::{self, PlatformConfig, ToolRegistration, CLOSE_SUBJECT};
use lti_protocol::finding::{Finding, Report, Verdict};

pub const PATH: &str = "/lti/register";

#[derive(Deserialize)]
pub struct Initiation {
    openid_configuration: Option<String>,
    registration_token: Option<String>,
}

/// The tool's public base URL as the platform reached it (a proxy's X-Forwarded-* first).
fn public_base(headers: &HeaderMap) -> String {
    let o = lti_core::http::origins(headers);
    o.forwarded.unwrap_or(o.direct)
}

/// A message of the flow (with its step), written with the request's exchange.
fn message(kind: &str, step: &str, report: Report, params: &[(String, String)]) -> StoredMessage {
    let mut msg = StoredMessage::of_report(kind, step, report);
    msg.params = Some(messages::params_of(params));
    msg
}

/// A registration waiting for its click.
struct Pending {
    flow_id: String,
    form_secret: String,
    config: String,
    token: Option<String>,
    used_at: Option<i64>,
}

const STYLE: &str = "<style>table{border-collapse:collapse;margin:.6em 0}td{padding:.2em .8em .2em 0;vertical-align:top}td:first-child{color:#656d76}\
li{margin:.25em 0}.sev{font-size:.8em;font-weight:600;text-transform:uppercase;margin-right:.4em}.error{color:#cf222e}.warning{color:#9a6700}.pass{color:#1a7f37}\
button{font:inherit;padding:.45em 1.1em;border-radius:6px;border:1px solid #1f6feb;background:#1f6feb;color:#fff;cursor:pointer}button:disabled{opacity:.5}</style>";

fn findings_list(report: &Report) -> String {
    let items: String = report
        .findings
        .iter()
        .map(|f| {
            let (class, word) = match (f.outcome, f.severity) {
                (lti_protocol::finding::Outcome::Pass, _) => ("pass", "ok"),
                (lti_protocol::finding::Outcome::Skipped, _) => ("", "skipped"),
                (_, lti_protocol::finding::Severity::Error) => ("error", "error"),
                (_, lti_protocol::finding::Severity::Warning) => ("warning", "warning"),
                _ => ("", "info"),
            };
            format!("<li data-rule=\"{}\"><span class=\"sev {class}\">{word}</span><code>{}</code> {}</li>", escape(&f.rule_id), escape(&f.rule_id), escape(&f.message))
        })
        .collect();
    format!("<ul data-testid=\"dr-findings\">{items}</ul>")
}

/// `GET /lti/register`: fetch and check the platform's configuration; offer to register.
pub async fn initiate(
    State(tool): State<ToolSide>,
    Extension(notes): Extension<ExchangeNotes>,
    headers: HeaderMap,
    Query(q): Query<Initiation>,
) -> Response {
    let flow = messages::new_flow(
        Side::Tool,
        "dynamic_registration",
        "Dynamic Registration (tool side)".into(),
    );
    let flow_id = flow.id.clone();
    notes.set_flow(&flow_id);
    notes.set_step("dr_initiation");
    let Some(config_url) = q
        .openid_configuration
        .clone()
        .filter(|u| !u.trim().is_empty())
    else {
        let mut r = Report::new();
        r.push(Finding::fail("dr.config.json", "No openid_configuration parameter: a platform starts Dynamic Registration by opening this URL with ?openid_configuration=<its configuration URL>&registration_token=<token>."));
        messages::save(
            &notes,
            messages::Flow::New(flow),
            "dr_initiation",
            vec![message("dr_configuration", "dr_initiation", r, &[])],
            serde_json::Map::new(),
            None,
        );
        return lti_core::html::error_page(StatusCode::BAD_REQUEST, "Dynamic Registration", "This is LTI Inspector's Dynamic Registration URL. Paste it into your LMS's \"register a tool by URL\" form; the LMS opens it with its configuration.");
    };
    // Created now: the configuration fetch below is recorded in it.
    if let Err(e) = tool
        .store()
        .write({
            let f = flow.clone();
            move |tx| store::flows::insert(tx, &f)
        })
        .await
    {
        return lti_core::html::error_page(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Store error",
            &e.to_string(),
        );
    }
    let fetched = tool
        .core()
        .outbound()
        .send(OutboundRequest {
            flow_id: Some(&flow_id),
            side: Side::Tool,
            step: "dr_configuration",
            method: reqwest::Method::GET,
            url: &config_url,
            headers: vec![("Accept".into(), "application/json".into())],
            body: Vec::new(),
        })
        .await;
    let mut report = Report::new();
    let config: Option<Value> = match &fetched {
        Ok(res) if res.status == 200 => match serde_json::from_slice::<Value>(&res.body) {
            Ok(v) => Some(v),
            Err(e) => {
                report.push(Finding::fail(
                    "dr.config.json",
                    format!("The configuration is not JSON ({e})."),
                ));
                None
            }
        },
        Ok(res) => {
            report.push(Finding::fail(
                "dr.config.json",
                format!("The configuration URL answered HTTP {}.", res.status),
            ));
            None
        }
        Err(e) => {
            report.push(Finding::fail(
                "dr.config.json",
                format!("The configuration could not be fetched: {e}."),
            ));
            None
        }
    };
    if let Some(v) = &config {
        report.extend(dynreg::check_platform_config(v, &config_url));
    }
    let pc = config
        .as_ref()
        .map(dynreg::platform_config)
        .unwrap_or_default();
    let registrable = config.is_some() && report.verdict() != Verdict::Invalid;
    let id = lti_core::ids::secret_token();
    let secret = lti_core::ids::secret_token();
    let summary = {
        let mut m = serde_json::Map::new();
        m.insert(
            "platform".into(),
            Value::from(
                pc.product_family_code
                    .clone()
                    .unwrap_or_else(|| "unknown platform".into()),
            ),
        );
        if !pc.issuer.is_empty() {
            m.insert("issuer".into(), Value::from(pc.issuer.clone()));
        }
        m
    };
    let title = format!(
        "Dynamic Registration with {}",
        if pc.issuer.is_empty() {
            config_url.as_str()
        } else {
            pc.issuer.as_str()
        }
    );
    let (rid, fid, sec, cu, cj, tok) = (
        id.clone(),
        flow_id.clone(),
        secret.clone(),
        config_url.clone(),
        config.as_ref().map(|v| v.to_string()).unwrap_or_default(),
        q.registration_token.clone(),
    );
    let saved = tool
        .store()
        .write(move |tx| {
            tx.execute("UPDATE flows SET title = ?2 WHERE id = ?1", [&fid, &title])?;
            if registrable {
                tx.execute(
                    "INSERT INTO dr_pending (id, flow_id, form_secret, config_url, config, token, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    rusqlite::params![rid, fid, sec, cu, cj, tok, lti_core::clock::now_ms()],
                )?;
            }
            Ok(())
        })
        .await;
    if let Err(e) = saved {
        return lti_core::html::error_page(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Store error",
            &e.to_string(),
        );
    }
    messages::save(
        &notes,
        messages::Flow::Existing(flow_id.clone()),
        "dr_initiation",
        vec![message(
            "dr_configuration",
            "dr_initiation",
            report.clone(),
            &[("openid_configuration".into(), config_url.clone())],
        )],
        summary,
        None,
    );

    let rows: String = [
        ("Issuer", pc.issuer.clone()),
        (
            "Product",
            format!(
                "{} {}",
                pc.product_family_code.clone().unwrap_or_default(),
                pc.version.clone().unwrap_or_default()
            ),
        ),
        ("Messages supported", pc.messages_supported.join(", ")),
        ("Registration endpoint", pc.registration_endpoint.clone()),
        ("Scopes offered", pc.scopes_supported.len().to_string()),
        (
            "Registration token",
            if q.registration_token.is_some() {
                "given".into()
            } else {
                "none".to_string()
            },
        ),
    ]
    .iter()
    .map(|(k, v)| format!("<tr><td>{}</td><td>{}</td></tr>", escape(k), escape(v)))
    .collect();
    let action = if registrable {
        format!(
            "<form method=\"post\" action=\"{PATH}\"><input type=\"hidden\" name=\"id\" value=\"{}\"><input type=\"hidden\" name=\"secret\" value=\"{}\">\
             <button type=\"submit\" data-testid=\"dr-register\">Register LTI Inspector with this platform</button></form>\
             <p><small>Registers the tool side at {} (login, launch, deep linking and JWKS URLs) and keeps the platform as a registration.</small></p>",
            escape(&id),
            escape(&secret),
            escape(&public_base(&headers))
        )
    } else {
        "<p class=\"error\" data-testid=\"dr-refused\">This configuration cannot be registered with: fix the errors above on the platform and start again.</p>".to_string()
    };
    let body = format!(
        "{STYLE}<h1>Dynamic Registration</h1><p>A platform asks LTI Inspector to register. Its configuration, checked:</p><table>{rows}</table>{}{action}{}",
        findings_list(&report),
        crate::capture::landing::flow_link(&flow_id, tool.config().ui_url.as_deref())
    );
    Html(page("LTI Inspector — Dynamic Registration", &body)).into_response()
}

#[derive(Deserialize)]
pub struct RegisterForm {
    id: String,
    secret: String,
}

/// `POST /lti/register`: send the registration request and keep what comes back.
pub async fn register(
    State(tool): State<ToolSide>,
    Extension(notes): Extension<ExchangeNotes>,
    headers: HeaderMap,
    Form(form): Form<RegisterForm>,
) -> Response {
    let (id, secret) = (form.id.clone(), form.secret.clone());
    let pending = tool
        .store()
        .write(move |tx| {
            let row = tx
                .query_row("SELECT flow_id, form_secret, config, token, used_at FROM dr_pending WHERE id = ?1", [&id], |r| {
                    Ok(Pending { flow_id: r.get(0)?, form_secret: r.get(1)?, config: r.get(2)?, token: r.get(3)?, used_at: r.get(4)? })
                })
                .optional()?;
            match row {
                Some(r) if r.form_secret == secret && r.used_at.is_none() => {
                    tx.execute("UPDATE dr_pending SET used_at = ?2 WHERE id = ?1", rusqlite::params![id, lti_core::clock::now_ms()])?;
                    Ok(Some(r))
                }
                _ => Ok(None),
            }
        })
        .await;
    let Ok(Some(Pending {
        flow_id,
        config,
        token,
        ..
    })) = pending
    else {
        return lti_core::html::error_page(StatusCode::FORBIDDEN, "Registration refused", "This registration form is unknown, already used, or not the one this page served. Start the registration again from the platform.");
    };
    notes.set_flow(&flow_id);
    notes.set_step("dr_register");
    let config: Value = serde_json::from_str(&config).unwrap_or(Value::Null);
    let pc: PlatformConfig = dynreg::platform_config(&config);
    let base = public_base(&headers);
    let paths = crate::capture::paths::LAUNCH;
    let redirect = vec![
        format!("{base}{paths}"),
        format!("{base}{}", crate::capture::paths::DEEP_LINK),
    ];
    let scopes: Vec<String> = [
        "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
        "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
        "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
        "https://purl.imsglobal.org/spec/lti-ags/scope/score",
        "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
    ]
    .map(String::from)
    .to_vec();
    let login = format!("{base}{}", crate::capture::paths::LOGIN);
    let target = format!("{base}{paths}");
    let dl = format!("{base}{}", crate::capture::paths::DEEP_LINK);
    let jwks = format!("{base}{}", crate::capture::paths::JWKS);
    let request = dynreg::registration_request(
        &ToolRegistration {
            client_name: "LTI Inspector",
            initiate_login_uri: &login,
            redirect_uris: &redirect,
            target_link_uri: &target,
            deep_link_uri: Some(&dl),
            jwks_uri: &jwks,
            scopes: &scopes,
            description: "LTI Inspector's tool side: records and explains every launch.",
        },
        &pc,
    );
    let mut report = dynreg::check_registration_request(&request);
    let mut req_headers = vec![
        ("Content-Type".into(), "application/json".into()),
        ("Accept".into(), "application/json".into()),
    ];
    if let Some(t) = &token {
        req_headers.push(("Authorization".into(), format!("Bearer {t}")));
    }
    let sent = tool
        .core()
        .outbound()
        .send(OutboundRequest {
            flow_id: Some(&flow_id),
            side: Side::Tool,
            step: "dr_register",
            method: reqwest::Method::POST,
            url: &pc.registration_endpoint,
            headers: req_headers,
            body: request.to_string().into_bytes(),
        })
        .await;
    let (status, answer) = match &sent {
        Ok(r) => (
            Some(r.status),
            serde_json::from_slice::<Value>(&r.body).unwrap_or(Value::Null),
        ),
        Err(e) => {
            report.push(Finding::fail(
                "dr.response.client_id",
                format!("The registration endpoint did not answer: {e}."),
            ));
            (None, Value::Null)
        }
    };
    let mut client_id = None;
    let mut deployment = None;
    if let Some(st) = status {
        if (200..300).contains(&st) {
            let (r, c, d) = dynreg::check_registration_response(&answer);
            report.extend(r);
            client_id = c;
            deployment = d;
        } else {
            let why = answer
                .get("error_description")
                .and_then(Value::as_str)
                .or_else(|| answer.get("error").and_then(Value::as_str))
                .unwrap_or("no reason given")
                .to_string();
            report.push(
                Finding::fail(
                    "dr.response.client_id",
                    format!("The platform refused the registration: HTTP {st}: {why}"),
                )
                .actual(why),
            );
        }
    }
    let saved = match &client_id {
        Some(c) => crate::registrations::save(
            &tool,
            crate::registrations::PlatformInput {
                name: format!(
                    "{} (Dynamic Registration)",
                    pc.product_family_code
                        .clone()
                        .unwrap_or_else(|| pc.issuer.clone())
                ),
                issuer: pc.issuer.clone(),
                client_id: c.clone(),
                deployment_ids: deployment.clone().map(|d| vec![d]),
                auth_endpoint: pc.authorization_endpoint.clone(),
                token_endpoint: pc.token_endpoint.clone(),
                jwks_url: Some(pc.jwks_uri.clone()),
                ..Default::default()
            },
        )
        .await
        .map_err(|e| e.to_string()),
        None => Err("no client_id".to_string()),
    };
    if let (Err(e), Some(_)) = (&saved, &client_id) {
        report.push(Finding::fail(
            "dr.response.client_id",
            format!("The registration could not be stored: {e}"),
        ));
    }
    let mut summary = serde_json::Map::new();
    if let Some(c) = &client_id {
        summary.insert("client_id".into(), Value::from(c.clone()));
    }
    if let Some(d) = &deployment {
        summary.insert("deployment_id".into(), Value::from(d.clone()));
    }
    messages::save(
        &notes,
        messages::Flow::Existing(flow_id.clone()),
        "dr_register",
        vec![message(
            "dr_response",
            "dr_register",
            report.clone(),
            &[
                ("request".into(), request.to_string()),
                ("response".into(), answer.to_string()),
            ],
        )],
        summary,
        None,
    );
    tracing::info!(flow = %flow_id, registered = saved.is_ok(), "dynamic registration finished");

    let nonce = lti_core::ids::secret_token();
    let (headline, detail) = match &saved {
        Ok(p) => (
            "<h1 data-testid=\"dr-registered\">Registered</h1>".to_string(),
            format!(
                "<p>LTI Inspector is registered with {} as client <code>{}</code>{}. The platform is kept under Platforms as “{}”.</p>\
                 <p><small>This window tells the platform it is done ({CLOSE_SUBJECT}); the platform closes it.</small></p>",
                escape(&pc.issuer),
                escape(&p.client_id),
                deployment.as_ref().map(|d| format!(", deployment <code>{}</code>", escape(d))).unwrap_or_default(),
                escape(&p.name)
            ),
        ),
        Err(_) => ("<h1 data-testid=\"dr-failed\">Registration failed</h1>".to_string(), String::new()),
    };
    let body = format!(
        "{STYLE}{headline}{detail}{}{}\
         <script nonce=\"{nonce}\">(window.opener || window.parent).postMessage({{subject: '{CLOSE_SUBJECT}'}}, '*');</script>",
        findings_list(&report),
        crate::capture::landing::flow_link(&flow_id, tool.config().ui_url.as_deref())
    );
    // Not `page()`: its meta CSP forbids every script; the header CSP lets this nonce'd one run.
    let html = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>LTI Inspector — Dynamic Registration</title>\
         <style>body{{font:14px system-ui,sans-serif;margin:2rem;color:#1b1f24}}code{{background:#f0f2f5;padding:0 .25em}}</style></head><body>{body}</body></html>"
    );
    with_csp(StatusCode::OK, html, &nonce)
}
