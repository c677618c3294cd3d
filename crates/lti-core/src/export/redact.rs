//! Redaction for exports (issue 11, item 4): personal data becomes stable pseudonyms (the same
//! person is the same pseudonym everywhere in one export, so flows still correlate), secrets are
//! removed. Pure: it learns the values to replace from the flows first ([`Redactor::learn_*`]),
//! then rewrites every string that goes into the file ([`Redactor::text`] and friends).
//!
//! Where values hide: JWT payloads (re-encoded with pseudonyms; signatures dropped, so a
//! redacted token no longer verifies — said in the export), form bodies and query strings
//! (URL-encoded), JSON bodies (escaped), header values. Short values (a Moodle `sub` of "7") are
//! only replaced where they stand whole — a JSON value or a parameter — not as substrings, which
//! would rewrite every 7 in the file.

use std::collections::{BTreeMap, HashMap};

use base64::Engine as _;
use serde_json::{Map, Value};

use crate::secrets::{SECRET_FIELDS, SECRET_HEADERS};

/// Claims that identify a person (LTI Core §5.3.6, OIDC standard claims).
const PERSONAL_CLAIMS: &[(&str, &str)] = &[
    ("sub", "id"),
    ("name", "name"),
    ("given_name", "name"),
    ("family_name", "name"),
    ("middle_name", "name"),
    ("nickname", "name"),
    ("preferred_username", "name"),
    ("email", "email"),
    ("picture", "picture"),
    ("user_id", "id"),
    ("lis_person_sourcedid", "id"),
    ("person_sourcedid", "id"),
    ("login_hint", "id"),
    ("lti_message_hint", "id"),
];

/// Parameters whose values are secrets in LTI flows (beyond [`SECRET_FIELDS`]).
const SECRET_PARAMS: &[&str] = &["state", "nonce", "id_token_hint"];

/// Below this length a value is replaced only where it stands whole.
const SUBSTRING_MIN: usize = 6;

#[derive(Debug, Default)]
pub struct Redactor {
    /// original → replacement
    map: HashMap<String, String>,
    counters: HashMap<&'static str, usize>,
    /// What was replaced or removed, by category, for the preview.
    pub removed: BTreeMap<String, usize>,
    /// Longest first, rebuilt when the map changes.
    ordered: Vec<(String, String)>,
}

impl Redactor {
    pub fn new() -> Self {
        Self::default()
    }

    fn register(&mut self, category: &'static str, value: &str, replacement: String) {
        if value.trim().is_empty() || self.map.contains_key(value) {
            return;
        }
        *self.removed.entry(category.to_string()).or_default() += 1;
        self.map.insert(value.to_string(), replacement);
        self.ordered.clear();
    }

    /// A person's value of `kind` (id, name, email, picture) gets the next pseudonym.
    pub fn personal(&mut self, kind: &'static str, value: &str) {
        if self.map.contains_key(value) || value.trim().is_empty() {
            return;
        }
        let n = {
            let c = self.counters.entry(kind).or_default();
            *c += 1;
            *c
        };
        let pseudonym = match kind {
            "email" => format!("person-{n}@redacted.invalid"),
            "picture" => format!("https://redacted.invalid/picture-{n}.png"),
            "name" => format!("Person {n}"),
            _ => format!("redacted-id-{n}"),
        };
        let category: &'static str = match kind {
            "email" => "emails",
            "picture" => "pictures",
            "name" => "names",
            _ => "user ids and hints",
        };
        self.register(category, value, pseudonym);
    }

    /// A secret is removed (its replacement says what it was, never any of it).
    pub fn secret(&mut self, what: &'static str, value: &str) {
        self.register(what, value, format!("[redacted {what}]"));
    }

    /// Personal claims of a token payload (and of nested member objects).
    pub fn learn_claims(&mut self, v: &Value) {
        match v {
            Value::Object(o) => {
                for (k, val) in o {
                    let key = k.rsplit('/').next().unwrap_or(k);
                    if let Some((_, kind)) = PERSONAL_CLAIMS.iter().find(|(c, _)| *c == key) {
                        if let Some(s) = val.as_str() {
                            self.personal(kind, s);
                            continue;
                        }
                    }
                    if SECRET_FIELDS.contains(&key) {
                        if let Some(s) = val.as_str() {
                            self.secret("secrets", s);
                            continue;
                        }
                    }
                    self.learn_claims(val);
                }
            }
            Value::Array(a) => a.iter().for_each(|x| self.learn_claims(x)),
            _ => {}
        }
    }

    /// A compact JWT's personal claims, and its signature (removed).
    pub fn learn_jwt(&mut self, token: &str) {
        let mut parts = token.split('.');
        let (Some(_), Some(payload), Some(sig)) = (parts.next(), parts.next(), parts.next()) else {
            return;
        };
        if let Some(v) = decode_json(payload) {
            self.learn_claims(&v);
        }
        if !sig.is_empty() {
            *self.removed.entry("token signatures".into()).or_default() += 1;
        }
    }

    /// Form or query parameters: personal hints, secrets, tokens.
    pub fn learn_params(&mut self, params: &[(String, String)]) {
        for (k, v) in params {
            if let Some((_, kind)) = PERSONAL_CLAIMS.iter().find(|(c, _)| c == k) {
                self.personal(kind, v);
            } else if SECRET_FIELDS.contains(&k.as_str()) || SECRET_PARAMS.contains(&k.as_str()) {
                // A client assertion is a JWT: its claims name the tool, not a person; removed whole.
                self.secret(
                    if k == "state" || k == "nonce" {
                        "states and nonces"
                    } else {
                        "secrets"
                    },
                    v,
                );
            } else if k == "id_token" || k == "JWT" {
                self.learn_jwt(v);
            }
        }
    }

    /// A body: JSON (token responses, NRPS members), a form, or text holding tokens.
    pub fn learn_body(&mut self, body: &str) {
        let t = body.trim_start();
        if t.starts_with('{') || t.starts_with('[') {
            if let Ok(v) = serde_json::from_str::<Value>(t) {
                self.learn_claims(&v);
                return;
            }
        }
        if looks_like_form(t) {
            let pairs: Vec<(String, String)> = url::form_urlencoded::parse(t.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
            self.learn_params(&pairs);
            return;
        }
        for jwt in find_jwts(t) {
            self.learn_jwt(jwt);
        }
    }

    /// A header value: whole, when the header carries credentials.
    pub fn learn_header(&mut self, name: &str, value: &str) {
        if SECRET_HEADERS.contains(&name.to_ascii_lowercase().as_str()) && !value.is_empty() {
            let what =
                if name.eq_ignore_ascii_case("cookie") || name.eq_ignore_ascii_case("set-cookie") {
                    "cookies"
                } else {
                    "authorization headers"
                };
            self.secret(what, value);
            // A bearer token can also appear elsewhere (logged in a body): learn it bare too.
            if let Some((_, cred)) = value.split_once(' ') {
                self.register(
                    "access tokens",
                    cred.trim(),
                    "[redacted access token]".into(),
                );
            }
        }
    }

    fn ordered(&mut self) -> &[(String, String)] {
        if self.ordered.len() != self.map.len() {
            let mut v: Vec<(String, String)> = self
                .map
                .iter()
                .map(|(a, b)| (a.clone(), b.clone()))
                .collect();
            v.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
            self.ordered = v;
        }
        &self.ordered
    }

    /// A value standing whole (a JSON string, a parameter value): replaced when known, its
    /// tokens rewritten, and long known values inside it replaced.
    pub fn value(&mut self, s: &str) -> String {
        if let Some(r) = self.map.get(s) {
            return r.clone();
        }
        self.text(s)
    }

    /// Free text: JWTs rewritten, then every known value of substring length replaced, in its
    /// raw, URL-encoded and JSON-escaped forms.
    pub fn text(&mut self, s: &str) -> String {
        let mut out = self.rewrite_jwts(s);
        let pairs: Vec<(String, String)> = self
            .ordered()
            .iter()
            .filter(|(o, _)| o.chars().count() >= SUBSTRING_MIN)
            .cloned()
            .collect();
        for (orig, repl) in pairs {
            if out.contains(&orig) {
                out = out.replace(&orig, &repl);
            }
            let form: String = url::form_urlencoded::byte_serialize(orig.as_bytes()).collect();
            if form != orig && out.contains(&form) {
                out = out.replace(
                    &form,
                    &url::form_urlencoded::byte_serialize(repl.as_bytes()).collect::<String>(),
                );
            }
            let pct = form.replace('+', "%20");
            if pct != form && out.contains(&pct) {
                out = out.replace(
                    &pct,
                    &url::form_urlencoded::byte_serialize(repl.as_bytes()).collect::<String>(),
                );
            }
            let json = serde_json::to_string(&orig).unwrap_or_default();
            let json = json.trim_matches('"');
            if json != orig && out.contains(json) {
                let r = serde_json::to_string(&repl).unwrap_or_default();
                out = out.replace(json, r.trim_matches('"'));
            }
        }
        out
    }

    /// A JSON value, every string in it through [`Redactor::value`].
    pub fn json(&mut self, v: &Value) -> Value {
        match v {
            Value::String(s) => Value::String(self.value(s)),
            Value::Array(a) => Value::Array(a.iter().map(|x| self.json(x)).collect()),
            Value::Object(o) => Value::Object(
                o.iter()
                    .map(|(k, x)| (k.clone(), self.json(x)))
                    .collect::<Map<_, _>>(),
            ),
            other => other.clone(),
        }
    }

    /// Parameters, each value through [`Redactor::value`].
    pub fn params(&mut self, params: &[(String, String)]) -> Vec<(String, String)> {
        params
            .iter()
            .map(|(k, v)| (k.clone(), self.value(v)))
            .collect()
    }

    /// A body as it goes into the file: JSON and forms rewritten field by field, text whole.
    pub fn body(&mut self, body: &str) -> String {
        let t = body.trim_start();
        if t.starts_with('{') || t.starts_with('[') {
            if let Ok(v) = serde_json::from_str::<Value>(t) {
                return self.json(&v).to_string();
            }
        }
        if looks_like_form(t) {
            let pairs: Vec<(String, String)> = url::form_urlencoded::parse(t.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
            let red = self.params(&pairs);
            return url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(red.iter())
                .finish();
        }
        self.text(body)
    }

    /// A URL: its query parameters rewritten, the rest as text.
    pub fn url(&mut self, u: &str) -> String {
        match url::Url::parse(u) {
            Ok(mut parsed) if parsed.query().is_some() => {
                let pairs: Vec<(String, String)> = parsed
                    .query_pairs()
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect();
                let red = self.params(&pairs);
                parsed.query_pairs_mut().clear().extend_pairs(red.iter());
                self.text(parsed.as_str())
            }
            _ => self.text(u),
        }
    }

    /// A header value as it goes into the file.
    pub fn header(&mut self, name: &str, value: &str) -> String {
        if SECRET_HEADERS.contains(&name.to_ascii_lowercase().as_str()) {
            return match self.map.get(value) {
                Some(r) => r.clone(),
                None if value.is_empty() => String::new(),
                None => "[redacted]".into(),
            };
        }
        self.text(value)
    }

    /// Every compact JWT inside `s`, payload rewritten and signature dropped.
    fn rewrite_jwts(&mut self, s: &str) -> String {
        let jwts: Vec<String> = find_jwts(s).into_iter().map(str::to_string).collect();
        if jwts.is_empty() {
            return s.to_string();
        }
        let mut out = s.to_string();
        for jwt in jwts {
            let mut parts = jwt.splitn(3, '.');
            let (Some(h), Some(p)) = (parts.next(), parts.next()) else {
                continue;
            };
            let Some(payload) = decode_json(p) else {
                continue;
            };
            let red = self.json(&payload);
            let encoded = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(red.to_string());
            out = out.replace(&jwt, &format!("{h}.{encoded}.redacted"));
        }
        out
    }
}

fn decode_json(segment: &str) -> Option<Value> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(segment.trim_end_matches('='))
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

fn looks_like_form(t: &str) -> bool {
    t.contains('=') && !t.contains(char::is_whitespace) && !t.starts_with('<')
}

/// Compact JWS substrings: `eyJ…` header, three base64url segments.
pub fn find_jwts(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = s;
    let mut offset = 0;
    while let Some(i) = rest.find("eyJ") {
        let start = offset + i;
        let tail = &s[start..];
        let end = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.'))
            .unwrap_or(tail.len());
        let candidate = &tail[..end];
        if candidate.matches('.').count() == 2
            && decode_json(candidate.split('.').nth(1).unwrap_or("")).is_some()
        {
            out.push(candidate);
        }
        offset = start + end.max(3);
        rest = &s[offset..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn jwt(payload: &Value) -> String {
        let e = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
        format!(
            "{}.{}.c2lnbmF0dXJl",
            e(&json!({"alg": "RS256", "kid": "k"})),
            e(payload)
        )
    }

    #[test]
    fn people_become_stable_pseudonyms_everywhere_they_hide() {
        let token = jwt(
            &json!({"sub": "a8f3-user-42", "name": "Ada Lovelace", "email": "ada@uni.example", "iss": "https://lms"}),
        );
        let mut r = Redactor::new();
        r.learn_params(&[
            ("id_token".into(), token.clone()),
            ("state".into(), "st-123456789".into()),
        ]);
        let body = format!(
            "id_token={}&state=st-123456789",
            url::form_urlencoded::byte_serialize(token.as_bytes()).collect::<String>()
        );
        let out = r.body(&body);
        for secret in [
            "a8f3-user-42",
            "Ada Lovelace",
            "ada@uni.example",
            "st-123456789",
            "c2lnbmF0dXJl",
        ] {
            assert!(!out.contains(secret), "{secret} in {out}");
        }
        // The rewritten token still carries the pseudonyms (decoded).
        let rewritten = find_jwts(&out)[0].to_string();
        let p = decode_json(rewritten.split('.').nth(1).unwrap()).unwrap();
        assert_eq!(p["name"], "Person 1");
        assert_eq!(p["iss"], "https://lms");
        assert!(rewritten.ends_with(".redacted"));
        // Stable: the same person elsewhere gets the same pseudonym.
        assert_eq!(
            r.text("mail ada@uni.example again"),
            "mail person-1@redacted.invalid again"
        );
        assert_eq!(
            r.url("https://t/x?login_hint=a8f3-user-42"),
            "https://t/x?login_hint=redacted-id-1"
        );
    }

    #[test]
    fn short_values_only_where_they_stand_whole() {
        let mut r = Redactor::new();
        r.learn_claims(&json!({"sub": "7"}));
        assert_eq!(
            r.body(r#"{"sub":"7","exp":1700000007}"#),
            r#"{"sub":"redacted-id-1","exp":1700000007}"#
        );
        assert_eq!(r.text("port 7777"), "port 7777");
    }

    #[test]
    fn credentials_in_headers_and_json_are_removed() {
        let mut r = Redactor::new();
        r.learn_header("Authorization", "Bearer tok-abcdef123456");
        r.learn_body(r#"{"access_token":"tok-abcdef123456","members":[{"user_id":"u-998877","name":"Grace Hopper","email":"grace@x.example"}]}"#);
        assert_eq!(
            r.header("Authorization", "Bearer tok-abcdef123456"),
            "[redacted authorization headers]"
        );
        let out = r.body(r#"{"access_token":"tok-abcdef123456","members":[{"user_id":"u-998877","name":"Grace Hopper","email":"grace@x.example"}]}"#);
        for s in [
            "tok-abcdef123456",
            "u-998877",
            "Grace Hopper",
            "grace@x.example",
        ] {
            assert!(!out.contains(s), "{s} in {out}");
        }
        assert_eq!(r.header("Cookie", "lti_state=zzz"), "[redacted]");
        assert!(r.removed.contains_key("names"));
    }
}
