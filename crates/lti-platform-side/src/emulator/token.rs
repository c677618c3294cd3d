//! The token endpoint (Security Framework §4.1, RFC 7523, LTI Core §6.2): OAuth 2 client
//! credentials with a JWT client assertion, checked against the tool's registered key —
//! iss = sub = client_id, aud = this endpoint, exp, jti not replayed — and scopes granted only as
//! registered. Errors are RFC 6749 §5.2 JSON (`invalid_request`, `invalid_client`,
//! `invalid_scope`, `unsupported_grant_type`) with 400 or 401, and every check is a finding of
//! the token request's flow, which the service calls made with the token then join.

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use bytes::Bytes;
use lti_protocol::finding::{Finding, Report};
use lti_protocol::jws::Jws;
use lti_protocol::validate;
use serde_json::json;

use super::assertion::check_signature;
use super::flow_messages::{self, Flow};
use super::model::*;
use super::{db, paths};
use crate::PlatformSide;
use lti_core::recorder::ExchangeNotes;
use lti_protocol::client_assertion::{
    check_aud, check_times, refuse, status, validate_show, Refusal,
};

pub const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// Lifetime of an access token, seconds.
pub const TOKEN_LIFETIME: i64 = 3600;

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    let mut res = (
        status,
        Json(json!({"error": error, "error_description": description})),
    )
        .into_response();
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if status == StatusCode::UNAUTHORIZED {
        res.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"lti-inspector-emulator\""),
        );
    }
    res
}

pub async fn wrong_method(Extension(notes): Extension<ExchangeNotes>) -> Response {
    notes.set_step("token");
    oauth_error(
        StatusCode::METHOD_NOT_ALLOWED,
        "invalid_request",
        "The token endpoint takes a POST (application/x-www-form-urlencoded).",
    )
}

pub async fn token(
    State(platform): State<PlatformSide>,
    Extension(notes): Extension<ExchangeNotes>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let base = super::request_base(&platform, &headers);
    let endpoint = format!("{base}{}", paths::TOKEN);
    let now = lti_core::clock::now_secs();
    let mut report = Report::new();
    let mut refusal: Option<Refusal> = None;

    let ctype = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if lti_protocol::vocab::media::base(ctype) == "application/x-www-form-urlencoded" {
        report.push(Finding::pass("token.content_type", "Form-encoded.").actual(ctype));
    } else {
        report.push(
            Finding::fail(
                "token.content_type",
                "The token request must be application/x-www-form-urlencoded.",
            )
            .expected("application/x-www-form-urlencoded")
            .actual(if ctype.is_empty() { "(none)" } else { ctype }),
        );
        refuse(
            &mut refusal,
            status::BAD_REQUEST,
            "invalid_request",
            "The body must be application/x-www-form-urlencoded.",
        );
    }
    let params = validate::parse_form(&String::from_utf8_lossy(&body));
    let get = |n: &str| validate::param(&params, n).map(str::to_string);

    match get("grant_type").as_deref() {
        Some("client_credentials") => {
            report.push(Finding::pass("token.grant_type", "client_credentials.").path("grant_type"))
        }
        Some(other) => {
            report.push(
                Finding::fail(
                    "token.grant_type",
                    "LTI services use the client_credentials grant.",
                )
                .path("grant_type")
                .expected("client_credentials")
                .actual(other),
            );
            refuse(
                &mut refusal,
                status::BAD_REQUEST,
                "unsupported_grant_type",
                format!("grant_type {other:?} is not supported: use client_credentials."),
            );
        }
        None => {
            report.push(
                Finding::fail("token.grant_type", "grant_type is missing.")
                    .path("grant_type")
                    .actual("(missing)"),
            );
            refuse(
                &mut refusal,
                status::BAD_REQUEST,
                "invalid_request",
                "grant_type is missing.",
            );
        }
    }
    match get("client_assertion_type").as_deref() {
        Some(ASSERTION_TYPE) => report.push(
            Finding::pass("token.assertion_type", "jwt-bearer.").path("client_assertion_type"),
        ),
        other => {
            report.push(
                Finding::fail(
                    "token.assertion_type",
                    "client_assertion_type must be the JWT bearer type.",
                )
                .path("client_assertion_type")
                .expected(ASSERTION_TYPE)
                .actual(other.unwrap_or("(missing)")),
            );
            refuse(
                &mut refusal,
                status::BAD_REQUEST,
                "invalid_request",
                format!("client_assertion_type must be {ASSERTION_TYPE}."),
            );
        }
    }

    // The assertion and the tool it claims to be.
    let raw = get("client_assertion").unwrap_or_default();
    let jws = match Jws::parse(&raw) {
        Ok(j) => {
            report
                .push(Finding::pass("token.assertion", "A compact JWS.").path("client_assertion"));
            Some(j)
        }
        Err(e) => {
            report.push(
                Finding::fail(
                    "token.assertion",
                    format!("client_assertion is not a compact JWS: {e}."),
                )
                .path("client_assertion")
                .actual(raw.chars().take(80).collect::<String>()),
            );
            refuse(
                &mut refusal,
                status::UNAUTHORIZED,
                "invalid_client",
                format!("client_assertion is not a signed JWT: {e}."),
            );
            None
        }
    };
    let claim = |n: &str| jws.as_ref().and_then(|j| j.payload.get(n)).cloned();
    let iss = claim("iss").and_then(|v| v.as_str().map(str::to_string));
    let tool = match iss.clone() {
        Some(cid) => platform
            .store()
            .lookup(move |c| db::tool_by_client_id(c, &cid))
            .await
            .ok()
            .flatten(),
        None => None,
    };
    let flow = flow_messages::new_flow(
        "service",
        format!(
            "Token request from {}",
            tool.as_ref()
                .map(|t| t.name.as_str())
                .or(iss.as_deref())
                .unwrap_or("an unknown client")
        ),
    );
    let flow_id = flow.id.clone();
    if jws.is_some() {
        match (&iss, &tool) {
            (Some(i), Some(_)) => report.push(
                Finding::pass("token.client_id", "iss is a registered client_id.")
                    .path("iss")
                    .actual(i),
            ),
            (Some(i), None) => {
                report.push(
                    Finding::fail(
                        "token.client_id",
                        "iss is not the client_id of any tool registered in the emulator.",
                    )
                    .path("iss")
                    .actual(i),
                );
                refuse(
                    &mut refusal,
                    status::UNAUTHORIZED,
                    "invalid_client",
                    format!("Unknown client_id {i:?}: no tool with this client_id is registered."),
                );
            }
            (None, _) => {
                report.push(
                    Finding::fail(
                        "token.client_id",
                        "The assertion has no iss (it must be the client_id).",
                    )
                    .path("iss")
                    .actual("(missing)"),
                );
                refuse(
                    &mut refusal,
                    status::UNAUTHORIZED,
                    "invalid_client",
                    "The client assertion has no iss.",
                );
            }
        }
        let sub = claim("sub").and_then(|v| v.as_str().map(str::to_string));
        if sub.is_some() && sub == iss {
            report.push(Finding::pass("token.sub", "sub equals iss.").path("sub"));
        } else {
            report.push(
                Finding::fail("token.sub", "sub must equal iss (both the client_id).")
                    .path("sub")
                    .expected(iss.clone().unwrap_or_default())
                    .actual(sub.unwrap_or_else(|| "(missing)".into())),
            );
            refuse(
                &mut refusal,
                status::UNAUTHORIZED,
                "invalid_client",
                "The client assertion's sub must equal its iss (the client_id).",
            );
        }
        check_aud(&mut report, &mut refusal, claim("aud"), &endpoint);
        check_times(&mut report, &mut refusal, claim("exp"), claim("iat"), now);
    }

    // Signature with the tool's key.
    if let (Some(j), Some(t)) = (&jws, &tool) {
        check_signature(&platform, &mut report, &mut refusal, j, t, &flow_id).await;
        if let Some(d) = claim(lti_protocol::vocab::claim::DEPLOYMENT_ID) {
            match d.as_str() {
                Some(d) if t.deployment_ids.iter().any(|x| x == d) => report.push(
                    Finding::pass("token.deployment_id", "A deployment of the tool.").actual(d),
                ),
                _ => report.push(
                    Finding::fail(
                        "token.deployment_id",
                        "deployment_id is not one of the tool's deployments.",
                    )
                    .expected(t.deployment_ids.join(", "))
                    .actual(validate_show(&d)),
                ),
            }
        } else {
            report.push(
                Finding::fail(
                    "token.deployment_id",
                    "The assertion does not name the deployment (it SHOULD).",
                )
                .actual("(missing)"),
            );
        }
    }

    // jti, single use.
    let jti = claim("jti")
        .and_then(|v| v.as_str().map(str::to_string))
        .filter(|j| !j.is_empty());
    if jws.is_some() && jti.is_none() {
        report.push(
            Finding::fail("token.jti", "The assertion has no jti.")
                .path("jti")
                .actual("(missing)"),
        );
        refuse(
            &mut refusal,
            status::UNAUTHORIZED,
            "invalid_client",
            "The client assertion has no jti.",
        );
    } else if jti.is_some() {
        report.push(Finding::pass("token.jti", "jti present.").path("jti"));
    }

    // Scopes.
    let requested: Vec<String> = get("scope")
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_string)
        .collect();
    if let Some(t) = &tool {
        let refused: Vec<&String> = requested.iter().filter(|s| !t.has_scope(s)).collect();
        if requested.is_empty() {
            report.push(
                Finding::fail("token.scope", "No scope was requested.")
                    .path("scope")
                    .expected(t.scopes.join(" "))
                    .actual("(none)"),
            );
            refuse(
                &mut refusal,
                status::BAD_REQUEST,
                "invalid_scope",
                "No scope was requested.",
            );
        } else if refused.is_empty() {
            report.push(
                Finding::pass("token.scope", "Every requested scope is granted.")
                    .path("scope")
                    .actual(requested.join(" ")),
            );
        } else {
            let names = refused
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(" ");
            report.push(
                Finding::fail("token.scope", format!("Not granted to this tool: {names}."))
                    .path("scope")
                    .expected(t.scopes.join(" "))
                    .actual(requested.join(" ")),
            );
            refuse(
                &mut refusal,
                status::BAD_REQUEST,
                "invalid_scope",
                format!("Scopes not granted to this tool: {names}."),
            );
        }
    }

    // The jti is spent only by an assertion that would otherwise succeed.
    if let (None, Some(t), Some(jti)) = (&refusal, &tool, &jti) {
        // exp comes from the tool: i64::MAX means "remember this jti for ever", not an overflow.
        let exp_ms = claim("exp")
            .and_then(|v| v.as_i64())
            .unwrap_or(now.saturating_add(300))
            .saturating_mul(1000);
        let (tid, j, fid) = (t.id.clone(), jti.clone(), flow_id.clone());
        let fresh = platform
            .store()
            .write(move |tx| db::use_jti(tx, &tid, &j, exp_ms, &fid))
            .await
            .unwrap_or(false);
        if fresh {
            report.push(Finding::pass("token.jti_replay", "First use of this jti.").path("jti"));
        } else {
            report.push(Finding::fail("token.jti_replay", "This client assertion (its jti) was already used: mint a new assertion per request.").path("jti").actual(jti.clone()));
            refuse(
                &mut refusal,
                status::UNAUTHORIZED,
                "invalid_client",
                "The client assertion was already used (jti replay).",
            );
        }
    }

    let tool_name = tool.as_ref().map(|t| t.name.clone()).unwrap_or_default();
    let summary = flow_messages::summary(&[
        ("tool", &tool_name),
        ("client_id", iss.as_deref().unwrap_or("")),
    ]);
    let mut msg = flow_messages::message("token_request", "token", report);
    msg.params = Some(
        params
            .iter()
            .filter(|(k, _)| k != "client_assertion")
            .map(|(k, v)| lti_core::messages::Param {
                name: k.clone(),
                value: v.clone(),
            })
            .collect(),
    );
    if !raw.is_empty() {
        msg.raw = Some(raw.clone());
    }
    if let Some(r) = refusal {
        flow_messages::save(&notes, Flow::New(flow), "token", vec![msg], summary, None);
        let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::BAD_REQUEST);
        return oauth_error(status, r.error, &r.description);
    }
    let tool = tool.expect("no refusal means a known tool");
    let access = AccessToken {
        token: format!(
            "emu-{}{}",
            lti_core::ids::secret_token(),
            lti_core::ids::secret_token()
        ),
        tool_id: tool.id.clone(),
        scopes: requested.clone(),
        flow_id: flow_id.clone(),
        expires_at: lti_core::clock::now_ms() + TOKEN_LIFETIME * 1000,
    };
    let stored = {
        let a = access.clone();
        platform
            .store()
            .write(move |tx| db::insert_token(tx, &a))
            .await
    };
    flow_messages::save(
        &notes,
        Flow::New(flow),
        "token",
        vec![msg],
        summary,
        Some(format!("Service session of {}", tool.name)),
    );
    if let Err(e) = stored {
        return oauth_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            &e.to_string(),
        );
    }
    let mut res = Json(json!({
        "access_token": access.token,
        "token_type": "Bearer",
        "expires_in": TOKEN_LIFETIME,
        "scope": requested.join(" "),
    }))
    .into_response();
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res.headers_mut()
        .insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    res
}
