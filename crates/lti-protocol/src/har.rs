//! Reading HAR 1.2 files (what browser devtools export) and finding the LTI steps inside:
//! login initiations, authentication requests, id_token posts and deep linking responses.

use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, thiserror::Error)]
pub enum HarError {
    #[error("not a HAR file: {0}")]
    NotHar(String),
}

/// One request of a HAR file that carries an LTI step.
#[derive(Debug, Clone)]
pub struct HarStep {
    pub index: usize,
    pub method: String,
    pub url: String,
    /// Unix seconds the request started (the HAR's `startedDateTime`), when readable.
    pub started_at: Option<i64>,
    /// Query parameters followed by form fields.
    pub params: Vec<(String, String)>,
    pub status: Option<u16>,
}

/// One entry of a HAR file, whole: what an import stores as an exchange.
#[derive(Debug, Clone)]
pub struct HarEntry {
    pub index: usize,
    pub method: String,
    pub url: String,
    /// Unix milliseconds the request started, when `startedDateTime` is readable.
    pub started_at_ms: Option<i64>,
    /// The entry's `time` (total milliseconds), when present and sane.
    pub duration_ms: Option<f64>,
    pub request_headers: Vec<(String, String)>,
    /// `postData.text`, or its `params` form-encoded (Firefox sends both or only params).
    pub request_body: Vec<u8>,
    pub status: Option<u16>,
    pub response_headers: Vec<(String, String)>,
    /// `content.text`, base64-decoded when `content.encoding` says so.
    pub response_body: Vec<u8>,
    /// Query parameters followed by form fields.
    pub params: Vec<(String, String)>,
}

impl HarEntry {
    fn has(&self, name: &str) -> bool {
        self.params.iter().any(|(k, _)| k == name)
    }

    /// An LTI step: 1.3 login initiation, auth request, id_token / deep linking post, a
    /// platform's error answer to the auth request, or a signed 1.1 launch.
    pub fn is_lti(&self) -> bool {
        self.has("id_token")
            || self.has("JWT")
            || (self.has("iss") && self.has("login_hint"))
            || (self.has("response_type") && self.has("scope") && self.has("client_id"))
            || (self.has("error") && self.has("state"))
            || self.is_lti11_launch()
    }

    /// A signed LTI 1.1 launch (or content-item request) form post.
    pub fn is_lti11_launch(&self) -> bool {
        self.has("oauth_signature") && self.has("lti_message_type")
    }

    /// The entry as an LTI step (what `inspect` validates).
    pub fn step(&self) -> HarStep {
        HarStep {
            index: self.index,
            method: self.method.clone(),
            url: self.url.clone(),
            started_at: self.started_at_ms.map(|ms| ms.div_euclid(1000)),
            params: self.params.clone(),
            status: self.status,
        }
    }

    /// A JSON Web Key Set in the response (a JWKS fetch the browser made, or a tool's keys
    /// page): keys an import may verify signatures with.
    pub fn response_jwks(&self) -> Option<crate::jwk::Jwks> {
        if self.response_body.len() > 1 << 20 || !self.response_body.starts_with(b"{") {
            return None;
        }
        let v: Value = serde_json::from_slice(&self.response_body).ok()?;
        v.get("keys")?.as_array()?;
        serde_json::from_value(v).ok()
    }
}

#[derive(Deserialize)]
struct Har {
    log: Log,
}
#[derive(Deserialize)]
struct Log {
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    entries: Vec<Entry>,
}
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Entry {
    #[serde(default)]
    started_date_time: Option<String>,
    #[serde(default)]
    time: Option<f64>,
    request: HarRequest,
    #[serde(default)]
    response: Option<HarResponse>,
}
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct HarRequest {
    #[serde(default)]
    method: String,
    #[serde(default)]
    url: String,
    #[serde(default)]
    headers: Vec<NameValue>,
    #[serde(default)]
    query_string: Vec<NameValue>,
    #[serde(default)]
    post_data: Option<PostData>,
}
#[derive(Deserialize)]
struct HarResponse {
    #[serde(default)]
    status: Option<i64>,
    #[serde(default)]
    headers: Vec<NameValue>,
    #[serde(default)]
    content: Option<Content>,
}
#[derive(Deserialize)]
struct Content {
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    encoding: Option<String>,
}
#[derive(Deserialize)]
struct NameValue {
    name: String,
    #[serde(default)]
    value: Option<String>,
}
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PostData {
    #[serde(default)]
    mime_type: Option<String>,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    params: Vec<NameValue>,
}

pub fn looks_like_har(v: &Value) -> bool {
    v.get("log").and_then(|l| l.get("entries")).is_some()
}

fn parse_rfc3339(s: &str) -> Option<time::OffsetDateTime> {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()
}

fn pairs(list: &[NameValue]) -> Vec<(String, String)> {
    list.iter()
        .map(|p| (p.name.clone(), p.value.clone().unwrap_or_default()))
        .collect()
}

fn entry_of(index: usize, e: Entry) -> HarEntry {
    use base64::Engine as _;
    let mut params: Vec<(String, String)> = match url::Url::parse(&e.request.url) {
        Ok(u) => u
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect(),
        Err(_) => pairs(&e.request.query_string),
    };
    let mut request_body = Vec::new();
    if let Some(pd) = &e.request.post_data {
        let form = pd
            .mime_type
            .as_deref()
            .is_none_or(|m| m.contains("x-www-form-urlencoded"));
        match (&pd.text, pd.params.is_empty()) {
            (Some(t), _) if !t.is_empty() => {
                request_body = t.clone().into_bytes();
                if !pd.params.is_empty() {
                    params.extend(pairs(&pd.params));
                } else if form {
                    params.extend(crate::validate::parse_form(t));
                }
            }
            (_, false) => {
                let fields = pairs(&pd.params);
                request_body = url::form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(fields.iter())
                    .finish()
                    .into_bytes();
                params.extend(fields);
            }
            _ => {}
        }
    }
    let started = e.started_date_time.as_deref().and_then(parse_rfc3339);
    let (status, response_headers, response_body) = match e.response {
        Some(r) => {
            let body = match r.content {
                Some(Content {
                    text: Some(t),
                    encoding,
                }) => {
                    if encoding.as_deref() == Some("base64") {
                        base64::engine::general_purpose::STANDARD
                            .decode(t.trim())
                            .unwrap_or_else(|_| t.into_bytes())
                    } else {
                        t.into_bytes()
                    }
                }
                _ => Vec::new(),
            };
            (
                r.status
                    .and_then(|s| u16::try_from(s).ok())
                    .filter(|s| *s > 0),
                pairs(&r.headers),
                body,
            )
        }
        None => (None, vec![], vec![]),
    };
    HarEntry {
        index,
        method: e.request.method,
        url: e.request.url,
        started_at_ms: started
            .and_then(|t| i64::try_from(t.unix_timestamp_nanos() / 1_000_000).ok()),
        duration_ms: e.time.filter(|t| t.is_finite() && *t >= 0.0),
        request_headers: pairs(&e.request.headers),
        request_body,
        status,
        response_headers,
        response_body,
        params,
    }
}

/// A HAR file read whole: its version and every entry, in file order.
pub struct HarFile {
    pub version: Option<String>,
    pub entries: Vec<HarEntry>,
}

pub fn read(text: &str) -> Result<HarFile, HarError> {
    let har: Har = serde_json::from_str(text).map_err(|e| HarError::NotHar(e.to_string()))?;
    if let Some(v) = &har.log.version {
        // HAR 1.1 and 1.2 share the fields read here; anything else is another format.
        if !v.starts_with("1.") {
            return Err(HarError::NotHar(format!(
                "log.version is {v:?}; HAR 1.1 and 1.2 are read"
            )));
        }
    }
    Ok(HarFile {
        version: har.log.version,
        entries: har
            .log
            .entries
            .into_iter()
            .enumerate()
            .map(|(i, e)| entry_of(i, e))
            .collect(),
    })
}

/// Every entry whose parameters make it an LTI step, in file order.
pub fn lti_steps(text: &str) -> Result<Vec<HarStep>, HarError> {
    Ok(read(text)?
        .entries
        .iter()
        .filter(|e| e.is_lti())
        .map(HarEntry::step)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_lti_steps_and_skips_the_rest() {
        let har = r#"{"log":{"version":"1.2","entries":[
          {"startedDateTime":"2024-05-01T10:00:00.000Z","request":{"method":"GET","url":"https://tool.example/login?iss=https%3A%2F%2Fcanvas.instructure.com&login_hint=42&target_link_uri=https%3A%2F%2Ftool.example%2Flaunch","queryString":[]},"response":{"status":302}},
          {"startedDateTime":"2024-05-01T10:00:01Z","request":{"method":"GET","url":"https://cdn.example/app.js"},"response":{"status":200}},
          {"startedDateTime":"2024-05-01T10:00:02Z","request":{"method":"POST","url":"https://tool.example/launch","postData":{"mimeType":"application/x-www-form-urlencoded","text":"id_token=a.b.c&state=s"}},"response":{"status":200}}
        ]}}"#;
        let steps = lti_steps(har).unwrap();
        assert_eq!(steps.len(), 2);
        assert_eq!(steps[0].started_at, Some(1714557600));
        assert!(steps[1]
            .params
            .iter()
            .any(|(k, v)| k == "id_token" && v == "a.b.c"));
        assert!(lti_steps("{\"log\": 3}").is_err());
        assert!(lti_steps("not json").is_err());
    }

    #[test]
    fn reads_firefox_params_base64_bodies_and_key_sets() {
        let har = r#"{"log":{"version":"1.2","entries":[
          {"startedDateTime":"2024-05-01T10:00:02.250+02:00","time":12.5,"request":{"method":"POST","url":"https://tool.example/launch","headers":[{"name":"Content-Type","value":"application/x-www-form-urlencoded"}],"postData":{"mimeType":"application/x-www-form-urlencoded","params":[{"name":"id_token","value":"a.b.c"},{"name":"state","value":"s 1"}]}},"response":{"status":200,"headers":[],"content":{"text":"eyJrZXlzIjpbXX0=","encoding":"base64"}}},
          {"request":{"method":"GET","url":"https://lms.example/jwks"},"response":{"status":0,"content":{"text":"{\"keys\":[{\"kty\":\"RSA\",\"n\":\"AQAB\",\"e\":\"AQAB\",\"kid\":\"k1\"}]}"}}}
        ]}}"#;
        let file = read(har).unwrap();
        let e = &file.entries[0];
        assert!(e.is_lti());
        assert_eq!(e.started_at_ms, Some(1_714_550_402_250));
        assert_eq!(e.duration_ms, Some(12.5));
        // Firefox gives only params: the body is rebuilt from them, form-encoded.
        assert_eq!(e.request_body, b"id_token=a.b.c&state=s+1");
        assert_eq!(e.response_body, br#"{"keys":[]}"#);
        let jwks = file.entries[1].response_jwks().expect("a key set");
        assert_eq!(jwks.keys.len(), 1);
        // status 0 (Chrome's "no response") is no status.
        assert_eq!(file.entries[1].status, None);
        assert!(!file.entries[1].is_lti());
    }

    #[test]
    fn refuses_other_versions_and_non_har_json() {
        assert!(read(r#"{"log":{"version":"2.0","entries":[]}}"#).is_err());
        assert!(read(r#"{"entries":[]}"#).is_err());
        assert!(read(r#"{"log":{"entries":[]}}"#)
            .unwrap()
            .entries
            .is_empty());
    }
}
