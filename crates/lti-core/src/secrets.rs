//! Secrets inside recorded exchanges — bearer tokens, client assertions, cookies, token
//! responses — masked before an exchange is shown or copied. The store keeps exchanges as they
//! were (an inspector needs to replay a call), but the UI and "copy as curl" get masked values
//! unless the user asks to reveal them (issue 9, item 6). Exports reuse the same list.

use serde_json::Value;

use crate::store::{Exchange, Header};

/// Headers whose values are credentials.
pub const SECRET_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
];

/// Form and JSON fields whose values are credentials.
pub const SECRET_FIELDS: &[&str] = &[
    "access_token",
    "refresh_token",
    "client_assertion",
    "client_secret",
    "assertion",
    "password",
    "oauth_signature",
    // Dynamic Registration: the platform's single-use token (in the registration URL's query).
    "registration_token",
];

/// The masked form of a value: its length and last four characters, enough to tell two
/// tokens apart, never enough to use one.
pub fn mask(value: &str) -> String {
    let n = value.chars().count();
    if n <= 8 {
        return format!("‹masked, {n} chars›");
    }
    let tail: String = value.chars().skip(n - 4).collect();
    format!("‹masked, {n} chars, …{tail}›")
}

fn mask_header(h: &mut Header) -> bool {
    let name = h.name.to_ascii_lowercase();
    if !SECRET_HEADERS.contains(&name.as_str()) || h.value.is_empty() {
        return false;
    }
    h.value = match name.as_str() {
        // Keep the scheme: "Bearer" vs "Basic" is what an inspector reads.
        "authorization" | "proxy-authorization" => match h.value.split_once(' ') {
            Some((scheme, cred)) => format!("{scheme} {}", mask(cred.trim())),
            None => mask(&h.value),
        },
        // Keep cookie names: which cookies were sent is the point of looking.
        "cookie" => h
            .value
            .split(';')
            .map(|c| match c.split_once('=') {
                Some((k, v)) => format!("{}={}", k.trim(), mask(v.trim())),
                None => c.trim().to_string(),
            })
            .collect::<Vec<_>>()
            .join("; "),
        _ => match h.value.split_once('=') {
            Some((k, rest)) => {
                let (v, attrs) = rest.split_once(';').unwrap_or((rest, ""));
                let attrs = if attrs.is_empty() {
                    String::new()
                } else {
                    format!(";{attrs}")
                };
                format!("{k}={}{attrs}", mask(v))
            }
            None => mask(&h.value),
        },
    };
    true
}

fn mask_json(v: &mut Value, found: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, val) in m.iter_mut() {
                if SECRET_FIELDS.contains(&k.as_str()) {
                    if let Value::String(s) = val {
                        *s = mask(s);
                        found.push(k.clone());
                        continue;
                    }
                }
                mask_json(val, found);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| mask_json(x, found)),
        _ => {}
    }
}

/// Masks the secret fields of a form or JSON body; returns the masked body and the fields, or
/// None when there was nothing to mask.
pub fn mask_body(body: &str) -> Option<(String, Vec<String>)> {
    let t = body.trim_start();
    if t.starts_with('{') || t.starts_with('[') {
        let mut v: Value = serde_json::from_str(body).ok()?;
        let mut found = Vec::new();
        mask_json(&mut v, &mut found);
        return (!found.is_empty()).then(|| (v.to_string(), found));
    }
    if !body.contains('=') || body.contains('\n') {
        return None;
    }
    let pairs = lti_protocol::validate::parse_form(body);
    let found: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| SECRET_FIELDS.contains(&k.as_str()))
        .map(|(k, _)| k.clone())
        .collect();
    if found.is_empty() {
        return None;
    }
    let masked = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs.iter().map(|(k, v)| {
            if SECRET_FIELDS.contains(&k.as_str()) {
                (k.clone(), mask(v))
            } else {
                (k.clone(), v.clone())
            }
        }))
        .finish();
    Some((masked, found))
}

/// Masks the credentials among headers in place (Authorization, Cookie…).
pub fn mask_headers(headers: &mut [Header]) {
    for h in headers {
        mask_header(h);
    }
}

/// Masks an exchange's secrets in place; returns what was masked ("request header
/// Authorization", "response body access_token"…).
pub fn mask_exchange(ex: &mut Exchange) -> Vec<String> {
    let mut masked = Vec::new();
    for (side, headers) in [
        ("request", &mut ex.request_headers),
        ("response", &mut ex.response_headers),
    ] {
        for h in headers.iter_mut() {
            if mask_header(h) {
                masked.push(format!("{side} header {}", h.name));
            }
        }
    }
    for (side, body) in [
        ("request", &mut ex.request_body),
        ("response", &mut ex.response_body),
    ] {
        if let Some((b, fields)) = mask_body(body) {
            *body = b;
            masked.extend(fields.into_iter().map(|f| format!("{side} body {f}")));
        }
    }
    // Whatever the URL's query carries (a token in ?access_token= is an anti-pattern, but seen).
    if let Ok(mut u) = url::Url::parse(&ex.summary.url) {
        let pairs: Vec<(String, String)> = u.query_pairs().into_owned().collect();
        if pairs
            .iter()
            .any(|(k, _)| SECRET_FIELDS.contains(&k.as_str()))
        {
            u.query_pairs_mut()
                .clear()
                .extend_pairs(pairs.iter().map(|(k, v)| {
                    if SECRET_FIELDS.contains(&k.as_str()) {
                        masked.push(format!("URL query {k}"));
                        (k.clone(), mask(v))
                    } else {
                        (k.clone(), v.clone())
                    }
                }));
            ex.summary.url = u.to_string();
        }
    }
    ex.masked = masked.clone();
    masked
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_keep_scheme_names_and_a_tail_only() {
        let token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlLXZhbHVl";
        let mut h = Header {
            name: "Authorization".into(),
            value: format!("Bearer {token}"),
        };
        assert!(mask_header(&mut h));
        assert!(h.value.starts_with("Bearer ‹masked"), "{}", h.value);
        assert!(!h.value.contains(&token[..20]));
        let mut c = Header {
            name: "cookie".into(),
            value: "lti_state_ab=s3cr3t-state-value; theme=dark".into(),
        };
        assert!(mask_header(&mut c));
        assert!(c.value.starts_with("lti_state_ab=‹masked"), "{}", c.value);
        assert!(!c.value.contains("s3cr3t-state-value"));
    }

    #[test]
    fn form_and_json_bodies_lose_their_credentials_only() {
        let (form, found) = mask_body(
            "grant_type=client_credentials&client_assertion=aaaa.bbbb.cccccccccccc&scope=x",
        )
        .unwrap();
        assert_eq!(found, vec!["client_assertion"]);
        assert!(form.contains("grant_type=client_credentials") && form.contains("scope=x"));
        assert!(!form.contains("cccccccccccc"));
        let (json, found) = mask_body(
            r#"{"access_token":"abcdefghijklmnop","token_type":"Bearer","expires_in":3600}"#,
        )
        .unwrap();
        assert_eq!(found, vec!["access_token"]);
        assert!(json.contains("\"token_type\":\"Bearer\"") && !json.contains("abcdefghijklmnop"));
        assert!(
            mask_body("id_token=eyJ.x.y&state=s").is_none(),
            "launches are not secrets"
        );
        assert!(mask_body("<html>a=b</html>\n").is_none());
    }
}
