//! Recognises what a raw pasted or captured input is — a compact JWT, a JSON claims object, a
//! form body or URL query (id_token post, login initiation, auth request, deep linking
//! response, LTI 1.1 launch) — so one `inspect` command can route it to the right validator.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use ts_rs::TS;

use crate::validate::{param, parse_form};

/// What an input turned out to be.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Detected {
    /// A compact JWS (three dot-separated segments).
    CompactJwt {
        token: String,
    },
    /// A JSON claims object (unsigned). `header` is set for `{"header":…, "payload":…}` dumps.
    ClaimsJson {
        #[ts(as = "std::collections::HashMap<String, Value>")]
        claims: Map<String, Value>,
        header: Option<Value>,
    },
    /// Step 3 form post carrying an id_token.
    IdTokenPost {
        id_token: String,
        params: Vec<(String, String)>,
    },
    /// Step 3 form post carrying an OIDC error instead.
    AuthErrorPost {
        error: String,
        error_description: Option<String>,
        params: Vec<(String, String)>,
    },
    /// Step 1 login initiation parameters.
    LoginInitiation {
        params: Vec<(String, String)>,
    },
    /// Step 2 authentication request parameters (or the full redirect URL's query).
    AuthRequest {
        params: Vec<(String, String)>,
    },
    /// A deep linking response form post (field `JWT`).
    DeepLinkingResponsePost {
        jwt: String,
        params: Vec<(String, String)>,
    },
    /// An LTI 1.1 launch (basic-lti-launch-request with OAuth 1 parameters).
    Lti11Launch {
        params: Vec<(String, String)>,
    },
    Unknown {
        reason: String,
    },
}

fn looks_like_jwt(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    parts.len() == 3
        && parts[0].len() > 4
        && parts.iter().all(|p| {
            p.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
}

fn classify_params(params: Vec<(String, String)>) -> Detected {
    let has = |n: &str| param(&params, n).is_some();
    if let Some(t) = param(&params, "id_token") {
        return Detected::IdTokenPost {
            id_token: t.to_string(),
            params: params.clone(),
        };
    }
    if let Some(e) = param(&params, "error") {
        return Detected::AuthErrorPost {
            error: e.to_string(),
            error_description: param(&params, "error_description").map(str::to_string),
            params: params.clone(),
        };
    }
    if let Some(j) = param(&params, "JWT") {
        return Detected::DeepLinkingResponsePost {
            jwt: j.to_string(),
            params: params.clone(),
        };
    }
    if has("response_type") || (has("scope") && has("redirect_uri")) {
        return Detected::AuthRequest { params };
    }
    if has("login_hint") || (has("iss") && has("target_link_uri")) {
        return Detected::LoginInitiation { params };
    }
    if has("lti_message_type") || has("oauth_signature") {
        return Detected::Lti11Launch { params };
    }
    Detected::Unknown {
        reason: "form fields are not an LTI login, auth request, form post or 1.1 launch".into(),
    }
}

fn json_params(obj: &Map<String, Value>) -> Option<Vec<(String, String)>> {
    obj.iter()
        .map(|(k, v)| match v {
            Value::String(s) => Some((k.clone(), s.clone())),
            Value::Number(n) => Some((k.clone(), n.to_string())),
            Value::Bool(b) => Some((k.clone(), b.to_string())),
            _ => None,
        })
        .collect()
}

fn classify_json(obj: Map<String, Value>) -> Detected {
    if let (Some(Value::Object(payload)), header) = (obj.get("payload"), obj.get("header")) {
        return Detected::ClaimsJson {
            claims: payload.clone(),
            header: header.cloned(),
        };
    }
    let is_claims = obj.contains_key("iss")
        && (obj.contains_key("aud") || obj.contains_key("nonce"))
        || obj
            .keys()
            .any(|k| k.starts_with("https://purl.imsglobal.org/spec/"));
    if is_claims {
        return Detected::ClaimsJson {
            claims: obj,
            header: None,
        };
    }
    if let Some(params) = json_params(&obj) {
        if let d @ (Detected::IdTokenPost { .. }
        | Detected::AuthErrorPost { .. }
        | Detected::LoginInitiation { .. }
        | Detected::AuthRequest { .. }
        | Detected::DeepLinkingResponsePost { .. }
        | Detected::Lti11Launch { .. }) = classify_params(params)
        {
            return d;
        }
    }
    Detected::Unknown {
        reason: "a JSON object that is neither LTI claims nor LTI form fields".into(),
    }
}

/// Recognises a raw input.
pub fn detect(input: &str) -> Detected {
    let s = input.trim();
    if s.is_empty() {
        return Detected::Unknown {
            reason: "empty input".into(),
        };
    }
    if looks_like_jwt(s) {
        return Detected::CompactJwt {
            token: s.to_string(),
        };
    }
    if s.starts_with('{') {
        return match serde_json::from_str::<Value>(s) {
            Ok(Value::Object(obj)) => classify_json(obj),
            Ok(_) => Detected::Unknown {
                reason: "JSON but not an object".into(),
            },
            Err(e) => Detected::Unknown {
                reason: format!("looks like JSON but does not parse: {e}"),
            },
        };
    }
    let query = match s.split_once('?') {
        Some((before, q)) if before.starts_with("http://") || before.starts_with("https://") => q,
        _ => s,
    };
    if query.contains('=') {
        let params = parse_form(query);
        if !params.is_empty() {
            return classify_params(params);
        }
    }
    Detected::Unknown {
        reason: "not a JWT, JSON object or form body".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_each_kind() {
        assert!(matches!(
            detect(" eyJhbGciOiJub25lIn0.e30.abc \n"),
            Detected::CompactJwt { .. }
        ));
        assert!(matches!(
            detect(r#"{"iss":"https://p","aud":"c","nonce":"n"}"#),
            Detected::ClaimsJson { header: None, .. }
        ));
        assert!(matches!(
            detect(r#"{"header":{"alg":"RS256"},"payload":{"iss":"x"}}"#),
            Detected::ClaimsJson {
                header: Some(_),
                ..
            }
        ));
        assert!(matches!(
            detect("id_token=a.b.c&state=s"),
            Detected::IdTokenPost { .. }
        ));
        assert!(matches!(
            detect("error=launch_no_longer_valid&error_description=gone"),
            Detected::AuthErrorPost { .. }
        ));
        assert!(matches!(
            detect("iss=https%3A%2F%2Fp&login_hint=1&target_link_uri=https%3A%2F%2Ft"),
            Detected::LoginInitiation { .. }
        ));
        assert!(matches!(
            detect("https://p.example/auth?scope=openid&response_type=id_token&client_id=1"),
            Detected::AuthRequest { .. }
        ));
        assert!(matches!(
            detect("JWT=a.b.c"),
            Detected::DeepLinkingResponsePost { .. }
        ));
        assert!(matches!(
            detect("lti_message_type=basic-lti-launch-request&oauth_signature=x"),
            Detected::Lti11Launch { .. }
        ));
        assert!(matches!(
            detect(r#"{"id_token":"a.b.c","state":"s"}"#),
            Detected::IdTokenPost { .. }
        ));
        assert!(matches!(detect("hello"), Detected::Unknown { .. }));
        assert!(matches!(detect("{not json"), Detected::Unknown { .. }));
    }

    #[test]
    fn serializes_with_kind_tag() {
        let v = serde_json::to_value(detect("JWT=a.b.c")).unwrap();
        assert_eq!(v["kind"], "deep_linking_response_post");
    }
}
