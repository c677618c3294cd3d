//! The signature check of a client assertion (RFC 7523 §3, Security Framework §4.1.1) with the
//! tool's registered key, fetched through the core's JWKS cache. The pure checks (aud, exp/iat)
//! are the protocol crate's (`client_assertion`).

use lti_protocol::finding::{Finding, Report, Severity};
use lti_protocol::jws::{Jws, SignatureCheck, RS256};

use lti_protocol::client_assertion::{refuse, status, Refusal};

use super::model::EmulatorTool;
use super::tool_keys;
use crate::PlatformSide;

pub(super) async fn check_signature(
    platform: &PlatformSide,
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
            status::UNAUTHORIZED,
            "invalid_client",
            "The client assertion must be signed RS256.",
        );
        report.push(Finding::skipped(
            "token.signature",
            "Refused before any key was used (alg).",
        ));
        return;
    }
    let set = match tool_keys::resolve(platform.core(), tool, flow_id, jws.kid()).await {
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
                status::UNAUTHORIZED,
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
                status::UNAUTHORIZED,
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
                status::UNAUTHORIZED,
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
                status::UNAUTHORIZED,
                "invalid_client",
                format!("The client assertion is not valid: {why}."),
            );
        }
    }
}
