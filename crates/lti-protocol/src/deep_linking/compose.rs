//! The tool's LtiDeepLinkingResponse (DL 2.0 §4.5): claims built from the request it answers,
//! and the deliberate breakages of the composer's negative switches — each named by the rule a
//! platform should refuse it under, like the emulator's launch negative tests.

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use ts_rs::TS;

use super::DlSettings;
use crate::vocab::claim;

/// Lifetime of a composed response: long enough for a slow form post, short like a platform's.
pub const LIFETIME_SECS: i64 = 300;

/// What the user composed: the items and the optional messages back to the platform.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct ResponseDraft {
    #[ts(type = "unknown[]")]
    pub items: Vec<Value>,
    pub msg: Option<String>,
    pub log: Option<String>,
    pub errormsg: Option<String>,
    pub errorlog: Option<String>,
}

/// A response broken on purpose, to see whether a platform refuses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Breakage {
    WrongAud,
    NoDeploymentId,
    Expired,
    WrongMessageType,
    DataNotEchoed,
    /// `alg: none`, no signature: applied when signing.
    Unsigned,
    /// A valid signature with one byte flipped: applied when signing.
    BadSignature,
}

impl Breakage {
    pub const ALL: &'static [Breakage] = &[
        Breakage::WrongAud,
        Breakage::NoDeploymentId,
        Breakage::Expired,
        Breakage::WrongMessageType,
        Breakage::DataNotEchoed,
        Breakage::Unsigned,
        Breakage::BadSignature,
    ];

    /// The rule a platform should refuse the response under.
    pub fn rule_id(self) -> &'static str {
        match self {
            Breakage::WrongAud => "idtoken.aud",
            Breakage::NoDeploymentId => "lti.deployment_id",
            Breakage::Expired => "idtoken.exp",
            Breakage::WrongMessageType => "dl.response.message_type",
            Breakage::DataNotEchoed => "dl.response_data",
            Breakage::Unsigned => "jwt.alg",
            Breakage::BadSignature => "jwt.signature",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Breakage::WrongAud => "aud is another platform",
            Breakage::NoDeploymentId => "deployment_id left out",
            Breakage::Expired => "expired an hour ago",
            Breakage::WrongMessageType => "message_type LtiResourceLinkRequest",
            Breakage::DataNotEchoed => "data not echoed (altered)",
            Breakage::Unsigned => "unsigned (alg none)",
            Breakage::BadSignature => "signature altered",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|b| b.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Breakage::WrongAud => "wrong_aud",
            Breakage::NoDeploymentId => "no_deployment_id",
            Breakage::Expired => "expired",
            Breakage::WrongMessageType => "wrong_message_type",
            Breakage::DataNotEchoed => "data_not_echoed",
            Breakage::Unsigned => "unsigned",
            Breakage::BadSignature => "bad_signature",
        }
    }
}

/// What whoever receives a deep linking response checks beyond the token's own rules (the
/// platform, the tool checking its own message, `inspect`): that it is one, and each item
/// against the request's settings. Returns the items, each item's problems, and the findings.
pub fn response_findings(
    payload: &Map<String, Value>,
    settings: Option<&super::DlSettings>,
) -> (
    Vec<Value>,
    Vec<Vec<crate::finding::Finding>>,
    Vec<crate::finding::Finding>,
) {
    let items = payload
        .get(claim::DL_CONTENT_ITEMS)
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let per_item = super::items::check_items(&items, settings);
    let mut findings = vec![message_type_finding(payload)];
    findings.extend(super::items::summarize_checked(&per_item, settings));
    (items, per_item, findings)
}

/// Whether the JWT posted back is a deep linking response at all (checked by whoever receives
/// it, platform or the tool checking its own message).
pub fn message_type_finding(payload: &Map<String, Value>) -> crate::finding::Finding {
    use crate::finding::Finding;
    match payload.get(claim::MESSAGE_TYPE).and_then(Value::as_str) {
        Some("LtiDeepLinkingResponse") => {
            Finding::pass("dl.response.message_type", "LtiDeepLinkingResponse.")
        }
        mt => Finding::fail(
            "dl.response.message_type",
            "The JWT is not an LtiDeepLinkingResponse.",
        )
        .expected("LtiDeepLinkingResponse")
        .actual(mt.unwrap_or("(missing)")),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ComposeError {
    #[error("the request has no issuer (iss): there is no platform to address the response to")]
    NoIssuer,
    #[error("the request names no client_id (aud / azp): the response's iss is unknown")]
    NoClientId,
    #[error("the request is not an LtiDeepLinkingRequest (it is {0})")]
    NotDeepLinking(String),
}

/// The response's claims for `request` (the LtiDeepLinkingRequest's payload), as the tool
/// `client_id` answering at `now` with a fresh `nonce`.
pub fn response_claims(
    request: &Map<String, Value>,
    draft: &ResponseDraft,
    now: i64,
    nonce: &str,
    breakage: Option<Breakage>,
) -> Result<Map<String, Value>, ComposeError> {
    let mt = request
        .get(claim::MESSAGE_TYPE)
        .and_then(Value::as_str)
        .unwrap_or("(none)");
    if mt != crate::vocab::message::DEEP_LINKING {
        return Err(ComposeError::NotDeepLinking(mt.to_string()));
    }
    let iss = request
        .get("iss")
        .and_then(Value::as_str)
        .ok_or(ComposeError::NoIssuer)?;
    let client_id = crate::claims::client_of(request).ok_or(ComposeError::NoClientId)?;
    let settings = DlSettings::of_payload(request).unwrap_or_default();
    let mut c = Map::new();
    c.insert("iss".into(), json!(client_id));
    c.insert("aud".into(), json!(iss));
    c.insert("iat".into(), json!(now));
    c.insert("exp".into(), json!(now.saturating_add(LIFETIME_SECS)));
    c.insert("nonce".into(), json!(nonce));
    c.insert(claim::MESSAGE_TYPE.into(), json!("LtiDeepLinkingResponse"));
    c.insert(claim::VERSION.into(), json!("1.3.0"));
    if let Some(d) = request.get(claim::DEPLOYMENT_ID) {
        c.insert(claim::DEPLOYMENT_ID.into(), d.clone());
    }
    if let Some(d) = &settings.data {
        c.insert(claim::DL_DATA.into(), d.clone());
    }
    c.insert(
        claim::DL_CONTENT_ITEMS.into(),
        Value::Array(draft.items.clone()),
    );
    for (k, v) in [
        (claim::DL_MSG, &draft.msg),
        (claim::DL_LOG, &draft.log),
        (claim::DL_ERRORMSG, &draft.errormsg),
        (claim::DL_ERRORLOG, &draft.errorlog),
    ] {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            c.insert(k.into(), json!(v));
        }
    }
    match breakage {
        Some(Breakage::WrongAud) => {
            c.insert("aud".into(), json!("https://another-platform.invalid"));
        }
        Some(Breakage::NoDeploymentId) => {
            c.remove(claim::DEPLOYMENT_ID);
        }
        Some(Breakage::Expired) => {
            c.insert(
                "iat".into(),
                json!(now.saturating_sub(3600 + LIFETIME_SECS)),
            );
            c.insert("exp".into(), json!(now.saturating_sub(3600)));
        }
        Some(Breakage::WrongMessageType) => {
            c.insert(claim::MESSAGE_TYPE.into(), json!("LtiResourceLinkRequest"));
        }
        Some(Breakage::DataNotEchoed) => {
            let altered = match &settings.data {
                Some(Value::String(s)) => json!(format!("{s}-altered")),
                _ => json!("altered-by-the-tool"),
            };
            c.insert(claim::DL_DATA.into(), altered);
        }
        Some(Breakage::Unsigned | Breakage::BadSignature) | None => {}
    }
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> Map<String, Value> {
        json!({"iss": "https://lms.example", "aud": ["tool-1"], "azp": "tool-1",
            claim::MESSAGE_TYPE: "LtiDeepLinkingRequest", claim::DEPLOYMENT_ID: "d1",
            claim::DL_SETTINGS: {"deep_link_return_url": "https://lms.example/ret", "accept_types": ["link"],
                "accept_presentation_document_targets": ["iframe"], "data": "opaque-1"}})
        .as_object()
        .unwrap()
        .clone()
    }

    #[test]
    fn answers_the_request_as_its_tool() {
        let draft = ResponseDraft {
            items: vec![json!({"type": "link", "url": "https://x.example"})],
            msg: Some("Done".into()),
            ..Default::default()
        };
        let c = response_claims(&request(), &draft, 1_000, "n-1", None).unwrap();
        assert_eq!(c["iss"], "tool-1");
        assert_eq!(c["aud"], "https://lms.example");
        assert_eq!(c["exp"], 1_300);
        assert_eq!(c[claim::DEPLOYMENT_ID], "d1");
        assert_eq!(c[claim::DL_DATA], "opaque-1");
        assert_eq!(c[claim::DL_MSG], "Done");
        assert!(!c.contains_key(claim::DL_LOG));
        assert_eq!(c[claim::DL_CONTENT_ITEMS].as_array().unwrap().len(), 1);
    }

    #[test]
    fn each_breakage_changes_what_its_rule_checks() {
        let d = ResponseDraft::default();
        let ok = response_claims(&request(), &d, 10_000, "n", None).unwrap();
        for b in Breakage::ALL {
            let c = response_claims(&request(), &d, 10_000, "n", Some(*b)).unwrap();
            assert_eq!(Breakage::parse(b.as_str()), Some(*b));
            assert!(crate::rules::get(b.rule_id()).is_some(), "{b:?}");
            match b {
                Breakage::Unsigned | Breakage::BadSignature => assert_eq!(c, ok),
                _ => assert_ne!(c, ok, "{b:?}"),
            }
        }
        let expired =
            response_claims(&request(), &d, 10_000, "n", Some(Breakage::Expired)).unwrap();
        assert!(expired["exp"].as_i64().unwrap() < 10_000);
    }

    #[test]
    fn refuses_what_cannot_be_answered() {
        let mut r = request();
        r.insert(claim::MESSAGE_TYPE.into(), json!("LtiResourceLinkRequest"));
        assert!(matches!(
            response_claims(&r, &ResponseDraft::default(), 0, "n", None),
            Err(ComposeError::NotDeepLinking(_))
        ));
        let mut r = request();
        r.remove("iss");
        assert_eq!(
            response_claims(&r, &ResponseDraft::default(), 0, "n", None),
            Err(ComposeError::NoIssuer)
        );
    }
}
