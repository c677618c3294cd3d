//! The claims dictionary: what every known claim (OIDC, LTI Core, Deep Linking, Advantage
//! services, Submission Review, Proctoring, Asset Processor, vendor extensions) means, kept as
//! data in `claims.json` and explained claim by claim for a payload — unknown claims included.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use ts_rs::TS;

/// A documented member of an object claim.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct MemberDoc {
    pub name: String,
    pub meaning: String,
    #[serde(default)]
    pub required: bool,
}

/// One dictionary entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ClaimInfo {
    pub uri: String,
    /// Short title.
    pub name: String,
    pub meaning: String,
    /// Expected JSON shape, in words ("string", "object", "array of strings"…).
    #[serde(rename = "type")]
    pub value_type: String,
    pub spec_section: String,
    pub spec_url: String,
    /// Vendor name for extension claims ("Canvas"…); None for standard claims.
    #[serde(default)]
    pub vendor: Option<String>,
    #[serde(default)]
    pub members: Vec<MemberDoc>,
}

/// A member of an object claim's value, explained when documented.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ExplainedMember {
    pub name: String,
    pub value: Value,
    pub known: bool,
    pub meaning: Option<String>,
}

/// One claim of a payload with its explanation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ExplainedClaim {
    pub uri: String,
    pub value: Value,
    /// Whether the dictionary has this claim. Unknown claims are listed, never dropped.
    pub known: bool,
    pub name: Option<String>,
    pub meaning: Option<String>,
    /// The JSON type actually sent (string, number, boolean, null, array, object).
    pub json_type: String,
    /// The shape the dictionary expects.
    pub expected_type: Option<String>,
    pub spec_section: Option<String>,
    pub spec_url: Option<String>,
    pub vendor: Option<String>,
    /// For object values: each member, explained where the dictionary documents it.
    pub members: Vec<ExplainedMember>,
}

struct Dictionary {
    entries: Vec<ClaimInfo>,
    by_uri: HashMap<String, usize>,
}

fn dictionary() -> &'static Dictionary {
    static DICT: OnceLock<Dictionary> = OnceLock::new();
    DICT.get_or_init(|| {
        let entries: Vec<ClaimInfo> = serde_json::from_str(include_str!("claims.json"))
            .expect("src/claims.json is valid (checked by tests)");
        let by_uri = entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.uri.clone(), i))
            .collect();
        Dictionary { entries, by_uri }
    })
}

/// The dictionary entry for a claim name.
pub fn lookup(uri: &str) -> Option<&'static ClaimInfo> {
    let d = dictionary();
    d.by_uri.get(uri).map(|&i| &d.entries[i])
}

/// Every dictionary entry, in file order.
pub fn all() -> &'static [ClaimInfo] {
    &dictionary().entries
}

/// JSON type name of a value.
/// The client a token was issued to: `azp` when present, else `aud` (its first entry when a
/// list) — what selects the registration on the tool side.
pub fn client_of(payload: &Map<String, Value>) -> Option<String> {
    payload
        .get("azp")
        .and_then(Value::as_str)
        .or_else(|| match payload.get("aud") {
            Some(Value::String(a)) => Some(a.as_str()),
            Some(Value::Array(a)) => a.first().and_then(Value::as_str),
            _ => None,
        })
        .map(str::to_string)
}

pub fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Explains every claim of a payload, in payload order.
pub fn explain(payload: &Map<String, Value>) -> Vec<ExplainedClaim> {
    payload
        .iter()
        .map(|(uri, value)| explain_one(uri, value))
        .collect()
}

fn explain_one(uri: &str, value: &Value) -> ExplainedClaim {
    let info = lookup(uri);
    let members = match value {
        Value::Object(map) => map
            .iter()
            .map(|(name, v)| {
                let doc = info.and_then(|i| i.members.iter().find(|m| &m.name == name));
                ExplainedMember {
                    name: name.clone(),
                    value: v.clone(),
                    known: doc.is_some(),
                    meaning: doc.map(|m| m.meaning.clone()),
                }
            })
            .collect(),
        _ => Vec::new(),
    };
    ExplainedClaim {
        uri: uri.to_string(),
        value: value.clone(),
        known: info.is_some(),
        name: info.map(|i| i.name.clone()),
        meaning: info.map(|i| i.meaning.clone()),
        json_type: json_type(value).to_string(),
        expected_type: info.map(|i| i.value_type.clone()),
        spec_section: info.map(|i| i.spec_section.clone()),
        spec_url: info.map(|i| i.spec_url.clone()),
        vendor: info.and_then(|i| i.vendor.clone()),
        members,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::collections::HashSet;

    #[test]
    fn dictionary_is_well_formed() {
        let mut seen = HashSet::new();
        for e in all() {
            assert!(seen.insert(e.uri.as_str()), "duplicate {}", e.uri);
            assert!(!e.name.is_empty() && !e.meaning.is_empty(), "{}", e.uri);
            assert!(
                e.spec_url.starts_with("https://"),
                "{} {}",
                e.uri,
                e.spec_url
            );
            assert!(!e.spec_section.is_empty(), "{}", e.uri);
        }
        for uri in [
            "https://purl.imsglobal.org/spec/lti/claim/message_type",
            "https://purl.imsglobal.org/spec/lti/claim/lti1p1",
            "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings",
            "https://purl.imsglobal.org/spec/lti-dl/claim/errorlog",
            "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint",
            "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice",
            "https://purl.imsglobal.org/spec/lti/claim/for_user",
            "https://purl.imsglobal.org/spec/lti-ap/claim/attempt_number",
            "middle_name",
            "picture",
        ] {
            assert!(lookup(uri).is_some(), "{uri} missing");
        }
        assert_eq!(
            lookup("https://www.instructure.com/placement")
                .unwrap()
                .vendor
                .as_deref(),
            Some("Canvas")
        );
    }

    #[test]
    fn explain_keeps_order_and_unknown_claims() {
        let payload = json!({
            "zzz_unknown": 1,
            "iss": "https://p.example",
            "https://purl.imsglobal.org/spec/lti/claim/context": {"id": "c1", "odd": true},
        });
        let out = explain(payload.as_object().unwrap());
        assert_eq!(out.len(), 3);
        assert_eq!(out[0].uri, "zzz_unknown");
        assert!(!out[0].known);
        assert_eq!(out[0].json_type, "number");
        assert!(out[1].known);
        let ctx = &out[2];
        assert_eq!(ctx.members.len(), 2);
        assert!(ctx.members[0].known && !ctx.members[1].known);
    }

    #[test]
    fn the_client_is_azp_else_the_first_audience() {
        use serde_json::json;
        let m = |v: serde_json::Value| v.as_object().unwrap().clone();
        assert_eq!(
            client_of(&m(json!({"aud": "a", "azp": "b"}))).as_deref(),
            Some("b")
        );
        assert_eq!(
            client_of(&m(json!({"aud": ["a", "c"]}))).as_deref(),
            Some("a")
        );
        assert_eq!(client_of(&m(json!({"aud": "a"}))).as_deref(), Some("a"));
        assert_eq!(client_of(&m(json!({"aud": 3}))), None);
    }
}
