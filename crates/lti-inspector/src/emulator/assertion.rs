//! Checks of a client assertion (RFC 7523 §3, Security Framework §4.1.1) for the token
//! endpoint: aud, exp/iat and the signature with the tool's registered key. Each check is a
//! finding; the first failure decides the OAuth error the endpoint answers.

use axum::http::StatusCode;
use lti_protocol::finding::{Finding, Report, Severity};
use lti_protocol::jws::{Jws, SignatureCheck, RS256};
use serde_json::Value;

use super::model::EmulatorTool;
use super::tool_keys;
use crate::engine::Engine;

const LEEWAY: i64 = 5;

/// Outcome of the checks: the first error the response reports (all are findings).
pub(super) struct Refusal {
    pub status: StatusCode,
    pub error: &'static str,
    pub description: String,
}

pub(super) fn refuse(
    slot: &mut Option<Refusal>,
    status: StatusCode,
    error: &'static str,
    description: impl Into<String>,
) {
    if slot.is_none() {
        *slot = Some(Refusal {
            status,
            error,
            description: description.into(),
        });
    }
}

pub(super) fn validate_show(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

pub(super) fn check_aud(
    report: &mut Report,
    refusal: &mut Option<Refusal>,
    aud: Option<Value>,
    endpoint: &str,
) {
    let list: Vec<String> = match &aud {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        _ => vec![],
    };
    if list.iter().any(|a| a == endpoint) {
        report.push(
            Finding::pass("token.aud", "aud is the token endpoint.")
                .path("aud")
                .expected(endpoint),
        );
        return;
    }
    let shown = aud
        .as_ref()
        .map(validate_show)
        .unwrap_or_else(|| "(missing)".into());
    let near = list.iter().any(|a| {
        a.trim_end_matches('/') == endpoint
            || a.replace("127.0.0.1", "localhost") == endpoint.replace("127.0.0.1", "localhost")
    });
    report.push(
        Finding::fail("token.aud", "aud must be this platform's token endpoint URL, exactly.")
            .path("aud")
            .expected(endpoint)
            .actual(&shown)
            .maybe_hint(near.then(|| "Almost: the match is exact, so a trailing slash or another host name for the same server fails (Canvas: \"the 'aud' is invalid\").".to_string())),
    );
    refuse(
        refusal,
        StatusCode::UNAUTHORIZED,
        "invalid_client",
        format!("The client assertion's aud {shown} is not the token endpoint {endpoint}."),
    );
}

pub(super) fn check_times(
    report: &mut Report,
    refusal: &mut Option<Refusal>,
    exp: Option<Value>,
    iat: Option<Value>,
    now: i64,
) {
    match exp.as_ref().and_then(Value::as_i64) {
        Some(e) if now <= e + LEEWAY => {
            let f = Finding::pass("token.exp", format!("Valid for {} more seconds.", e - now))
                .path("exp");
            report.push(f);
        }
        Some(e) => {
            report.push(
                Finding::fail(
                    "token.exp",
                    format!("The assertion expired {} seconds ago.", now - e),
                )
                .path("exp")
                .actual(e.to_string()),
            );
            refuse(
                refusal,
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                "The client assertion has expired.",
            );
        }
        None => {
            report.push(
                Finding::fail("token.exp", "exp is missing or not a number.")
                    .path("exp")
                    .actual(
                        exp.as_ref()
                            .map(validate_show)
                            .unwrap_or_else(|| "(missing)".into()),
                    ),
            );
            refuse(
                refusal,
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                "The client assertion has no exp.",
            );
        }
    }
    match iat.as_ref().and_then(Value::as_i64) {
        Some(i) if i > now + LEEWAY => report.push(
            Finding::fail(
                "token.iat",
                format!(
                    "iat is {} seconds in the future: the tool's clock is ahead.",
                    i - now
                ),
            )
            .path("iat"),
        ),
        Some(_) => report.push(Finding::pass("token.iat", "iat is not in the future.").path("iat")),
        None => report.push(Finding::skipped("token.iat", "No iat.").path("iat")),
    }
}

pub(super) async fn check_signature(
    engine: &Engine,
    report: &mut Report,
    refusal: &mut Option<Refusal>,
    jws: &Jws,
    tool: &EmulatorTool,
    flow_id: &str,
) {
    if jws.alg() == Some(RS256) {
        report.push(Finding::pass("token.alg", "RS256.").path("header.alg"));
    } else {
        report.push(
            Finding::fail("token.alg", "Only RS256 is accepted.")
                .path("header.alg")
                .expected(RS256)
                .actual(jws.alg().unwrap_or("(missing)")),
        );
        refuse(
            refusal,
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "The client assertion must be signed RS256.",
        );
        report.push(Finding::skipped(
            "token.signature",
            "Refused before any key was used (alg).",
        ));
        return;
    }
    let set = match tool_keys::resolve(engine, tool, flow_id, jws.kid()).await {
        Ok(s) => s,
        Err(problem) => {
            report.push(
                Finding::fail(
                    "token.signature",
                    format!("The tool's key is not available: {problem}."),
                )
                .path("signature"),
            );
            refuse(
                refusal,
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                format!("The emulator cannot check the assertion: {problem}."),
            );
            return;
        }
    };
    match jws.verify(&set) {
        SignatureCheck::Verified { kid, .. } => {
            report.push(
                Finding::pass(
                    "token.kid",
                    format!("kid {}.", kid.as_deref().unwrap_or("(none; the only key)")),
                )
                .path("header.kid"),
            );
            report.push(
                Finding::pass("token.signature", "Verified with the tool's key.").path("signature"),
            );
        }
        SignatureCheck::NoKeyForKid { kid, available } => {
            report.push(
                Finding::fail(
                    "token.kid",
                    format!("No key with kid {kid:?} in the tool's key set."),
                )
                .path("header.kid")
                .expected(available.join(", "))
                .actual(kid),
            );
            report.push(Finding::skipped("token.signature", "No key to check with."));
            refuse(
                refusal,
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                "The client assertion's kid names no key of the tool.",
            );
        }
        SignatureCheck::NoKid { available } => {
            report.push(
                Finding::fail("token.kid", "No kid and several keys to choose from.")
                    .path("header.kid")
                    .expected(available.join(", "))
                    .actual("(missing)"),
            );
            refuse(
                refusal,
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                "The client assertion has no kid.",
            );
        }
        other => {
            let why = match &other {
                SignatureCheck::BadSignature { .. } => {
                    "the signature does not verify with the tool's key".to_string()
                }
                SignatureCheck::KeyUnusable { reason, .. } => {
                    format!("the tool's key is unusable: {reason}")
                }
                SignatureCheck::NoKeys => "the tool's key set is empty".to_string(),
                SignatureCheck::AlgNotAllowed { .. } => "the algorithm is not allowed".to_string(),
                _ => "it could not be verified".to_string(),
            };
            report.push(
                Finding::fail("token.signature", format!("Not verified: {why}."))
                    .path("signature")
                    .severity(Severity::Error),
            );
            refuse(
                refusal,
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                format!("The client assertion is not valid: {why}."),
            );
        }
    }
}
