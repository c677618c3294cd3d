//! Access tokens: OAuth 2 client credentials with a signed JWT client assertion (Security
//! Framework §4.1, RFC 7523, LTI Core §6.2). The assertion is signed with the tool key (its kid
//! is in the tool JWKS): iss = sub = client_id, aud = the token endpoint or the registration's
//! audience override, iat, exp, a fresh jti and the deployment_id claim. Tokens are cached per
//! (registration, scopes) until shortly before they expire. Each token request is an exchange of
//! the launch's flow (step `token`) and a `token_request` message with the assertion, decoded.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use lti_protocol::finding::{Finding, Report};
use serde_json::{json, Map, Value};

use super::{body_snippet, header, CallLog, CallRecord, LaunchContext, DEPLOYMENT_CLAIM};
use crate::ToolSide;
use lti_core::error::{Error, Result};
use lti_core::outbound::OutboundRequest;
use lti_core::signing_keys::KeyRole;
use lti_core::store::Side;

pub const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// Lifetime of a client assertion, seconds.
const ASSERTION_LIFETIME: i64 = 300;
/// A cached token is dropped this long before its expiry.
const MARGIN: Duration = Duration::from_secs(30);

/// The longest a token is kept, whatever `expires_in` says: a platform answering
/// `expires_in: 18446744073709551615` must not overflow the clock (issue 9, item 4).
pub const MAX_TOKEN_LIFE: Duration = Duration::from_secs(24 * 3600);

#[derive(Clone)]
struct Cached {
    token: String,
    until: Instant,
}

/// Access tokens the tool side holds, per (registration, endpoint, client, scopes). Owned by
/// the [`ToolSide`], so two engines in one process (tests) never share tokens.
#[derive(Default)]
pub struct TokenCache(Mutex<HashMap<String, Cached>>);

impl TokenCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Cached>> {
        // Nothing below panics while holding the lock, but a poisoned map is still a usable map.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn scopes_key(ctx: &LaunchContext) -> String {
    let mut s = ctx.scopes.clone();
    s.sort();
    s.dedup();
    s.join(" ")
}

/// Cache key: the registration (its id, endpoint and client) and the scopes.
fn cache_key(ctx: &LaunchContext) -> String {
    format!(
        "{}\u{1}{}\u{1}{}\u{1}{}",
        ctx.platform.id,
        ctx.platform.token_endpoint,
        ctx.platform.client_id,
        scopes_key(ctx)
    )
}

/// Drops the cached token of the launch's registration and scopes (after a 401).
pub fn forget(tool: &ToolSide, ctx: &LaunchContext) {
    tool.tokens().lock().remove(&cache_key(ctx));
}

/// Puts a token in the cache as if the platform had issued it: used to replay a revoked or
/// expired token against a platform (and by tests). The lifetime is capped at
/// [`MAX_TOKEN_LIFE`], computed before the lock is taken.
pub fn remember(tool: &ToolSide, ctx: &LaunchContext, token: &str, expires_in: Duration) {
    let now = Instant::now();
    let until = now
        .checked_add(expires_in.min(MAX_TOKEN_LIFE))
        .unwrap_or(now);
    let entry = Cached {
        token: token.to_string(),
        until,
    };
    tool.tokens().lock().insert(cache_key(ctx), entry);
}

/// The cached token, if still valid.
pub fn cached(tool: &ToolSide, ctx: &LaunchContext) -> Option<String> {
    tool.tokens()
        .lock()
        .get(&cache_key(ctx))
        .filter(|c| c.until > Instant::now())
        .map(|c| c.token.clone())
}

/// The client assertion's claims for the launch's registration.
pub fn assertion_claims(ctx: &LaunchContext) -> Map<String, Value> {
    let now = lti_core::clock::now_secs();
    let p = &ctx.platform;
    let aud = p
        .token_audience
        .clone()
        .filter(|a| !a.trim().is_empty())
        .unwrap_or_else(|| p.token_endpoint.clone());
    let mut claims = json!({
        "iss": p.client_id,
        "sub": p.client_id,
        "aud": aud,
        "iat": now,
        "exp": now + ASSERTION_LIFETIME,
        "jti": lti_core::ids::secret_token(),
    });
    if let Some(d) = &ctx.deployment_id {
        claims[DEPLOYMENT_CLAIM] = json!(d);
    }
    match claims {
        Value::Object(m) => m,
        _ => unreachable!("claims are an object"),
    }
}

/// An access token for the launch's scopes: the cached one unless `fresh`, else a new one from
/// the token endpoint.
pub async fn access_token(
    tool: &ToolSide,
    ctx: &LaunchContext,
    log: &mut CallLog,
    fresh: bool,
) -> Result<String> {
    if !fresh {
        if let Some(t) = cached(tool, ctx) {
            return Ok(t);
        }
    }
    let (token, expires_in) = request(tool, ctx, log).await?;
    let life = Duration::from_secs(expires_in.max(1));
    remember(tool, ctx, &token, life.saturating_sub(MARGIN).max(life / 2));
    Ok(token)
}

/// One token request, recorded with its findings; returns (access_token, expires_in).
async fn request(tool: &ToolSide, ctx: &LaunchContext, log: &mut CallLog) -> Result<(String, u64)> {
    let p = &ctx.platform;
    if p.token_endpoint.trim().is_empty() {
        return Err(Error::BadRequest(format!(
            "the registration {:?} has no token endpoint",
            p.name
        )));
    }
    let key = tool.keys().signing_key(KeyRole::Tool).await?;
    let claims = assertion_claims(ctx);
    let assertion = lti_protocol::jws::sign_rs256(&Map::new(), &claims, &key)?;
    let scope = scopes_key(ctx);
    let body = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("grant_type", "client_credentials")
        .append_pair("client_assertion_type", ASSERTION_TYPE)
        .append_pair("client_assertion", &assertion)
        .append_pair("scope", &scope)
        .finish();
    let sent = tool
        .outbound()
        .send(OutboundRequest {
            flow_id: Some(&ctx.flow_id),
            side: Side::Tool,
            step: "token",
            method: reqwest::Method::POST,
            url: &p.token_endpoint,
            headers: vec![
                (
                    "Content-Type".into(),
                    "application/x-www-form-urlencoded".into(),
                ),
                ("Accept".into(), "application/json".into()),
            ],
            body: body.into_bytes(),
        })
        .await;
    let mut report = Report::new();
    let outcome = match sent {
        Err(e) => {
            log.calls.push(CallRecord {
                step: "token".into(),
                method: "POST".into(),
                url: p.token_endpoint.clone(),
                status: None,
                exchange_id: 0,
                error: Some(e.to_string()),
            });
            report.push(Finding::fail(
                "service.token_response",
                format!("No token response: {e}."),
            ));
            Err(Error::Internal(format!("token request failed: {e}")))
        }
        Ok(res) => {
            log.calls.push(CallRecord {
                step: "token".into(),
                method: "POST".into(),
                url: p.token_endpoint.clone(),
                status: Some(res.status),
                exchange_id: res.exchange_id,
                error: None,
            });
            check_response(
                res.status,
                header(&res.headers, "content-type"),
                &res.body,
                &scope,
                &mut report,
            )
        }
    };
    log.findings.extend(report.findings.iter().cloned());
    super::record(
        tool,
        &ctx.flow_id,
        "token_request",
        "token",
        Some(assertion),
        report,
    )
    .await;
    outcome
}

/// Checks a token endpoint answer (RFC 6749 §5.1/§5.2).
pub fn check_response(
    status: u16,
    content_type: Option<&str>,
    body: &[u8],
    requested: &str,
    report: &mut Report,
) -> Result<(String, u64)> {
    let json: Option<Value> = serde_json::from_slice(body).ok();
    if status != 200 {
        let code = json
            .as_ref()
            .and_then(|j| j.get("error"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let desc = json
            .as_ref()
            .and_then(|j| j.get("error_description"))
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| body_snippet(body));
        let msg = if code == "invalid_scope" {
            format!("The token endpoint refused the scopes ({status} invalid_scope: {desc}). Request only scopes the platform granted the tool; requested: {requested}.")
        } else {
            format!("The token endpoint answered {status} {code}: {desc}")
        };
        report.push(
            Finding::fail("service.token_response", msg.clone())
                .expected("200 with an access token")
                .actual(format!("{status} {code}")),
        );
        return Err(Error::BadRequest(msg));
    }
    if !content_type.is_some_and(|c| c.to_ascii_lowercase().starts_with("application/json")) {
        report.push(
            Finding::fail(
                "service.token_response",
                "The token response should be application/json.",
            )
            .severity(lti_protocol::finding::Severity::Warning)
            .actual(content_type.unwrap_or("(none)")),
        );
    }
    let Some(json) = json else {
        report.push(Finding::fail(
            "service.token_response",
            "The token response is not JSON.",
        ));
        return Err(Error::BadRequest(format!(
            "the token response is not JSON: {}",
            body_snippet(body)
        )));
    };
    let Some(token) = json.get("access_token").and_then(Value::as_str) else {
        report.push(
            Finding::fail("service.token_response", "access_token is missing.")
                .path("access_token"),
        );
        return Err(Error::BadRequest(
            "the token response has no access_token".into(),
        ));
    };
    match json.get("token_type").and_then(Value::as_str) {
        Some(t) if t.eq_ignore_ascii_case("bearer") => report.push(
            Finding::pass("service.token_response", "A Bearer access token.").path("token_type"),
        ),
        other => report.push(
            Finding::fail("service.token_response", "token_type should be Bearer.")
                .path("token_type")
                .severity(lti_protocol::finding::Severity::Warning)
                .actual(other.unwrap_or("(missing)")),
        ),
    }
    let expires_in = match json.get("expires_in") {
        Some(v) if v.as_u64().is_some() => v.as_u64().unwrap_or(3600),
        Some(Value::String(s)) if s.parse::<u64>().is_ok() => {
            report.push(
                Finding::fail(
                    "service.token_response",
                    "expires_in should be a number, not a string.",
                )
                .path("expires_in")
                .severity(lti_protocol::finding::Severity::Warning)
                .actual(s.clone()),
            );
            s.parse().unwrap_or(3600)
        }
        _ => {
            report.push(
                Finding::fail(
                    "service.token_response",
                    "expires_in is missing: the token is cached for an hour.",
                )
                .path("expires_in")
                .severity(lti_protocol::finding::Severity::Warning),
            );
            3600
        }
    };
    if let Some(granted) = json.get("scope").and_then(Value::as_str) {
        let missing: Vec<&str> = requested
            .split_whitespace()
            .filter(|s| !granted.split_whitespace().any(|g| g == *s))
            .collect();
        if !missing.is_empty() {
            report.push(
                Finding::fail(
                    "service.token_response",
                    format!("The token was issued without: {}.", missing.join(" ")),
                )
                .path("scope")
                .severity(lti_protocol::finding::Severity::Warning)
                .expected(requested)
                .actual(granted),
            );
        }
    }
    Ok((token.to_string(), expires_in))
}
