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
        let body = &self.response_body;
        if body.len() > 1 << 20
            || !body.trim_ascii_start().starts_with(b"{")
            || !body.windows(6).any(|w| w == b"\"keys\"")
        {
            return None;
        }
        let v: Value = serde_json::from_slice(&self.response_body).ok()?;
        v.get("keys")?.as_array()?;
        serde_json::from_value(v).ok()
    }
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

/// A HAR file read: its version, how many entries it has, and the entries kept, in file order
/// (every entry for [`read`]; those a filter chose for [`read_kept`]).
pub struct HarFile {
    pub version: Option<String>,
    /// Entries in the file, kept or not.
    pub total: usize,
    pub entries: Vec<HarEntry>,
}

impl HarFile {
    /// The kept entry at this 0-based position in the file.
    pub fn entry(&self, index: usize) -> Option<&HarEntry> {
        entry_at(&self.entries, index)
    }
}

/// The entry at a file position among entries kept in file order.
pub fn entry_at(entries: &[HarEntry], index: usize) -> Option<&HarEntry> {
    entries
        .binary_search_by_key(&index, |e| e.index)
        .ok()
        .map(|i| &entries[i])
}

pub fn read(text: &str) -> Result<HarFile, HarError> {
    read_kept(
        &mut serde_json::Deserializer::from_str(text),
        |_| true,
        |_| {},
    )
}

/// Whether an import keeps an entry: an LTI step, or a key set it may verify signatures with.
pub fn worth_keeping(e: &HarEntry) -> bool {
    e.is_lti() || e.response_jwks().is_some()
}

/// Reads a HAR one entry at a time, keeping those `keep` chooses, so a file far larger than
/// memory (a devtools export of a busy page: video, scripts) costs only what is kept.
/// `on_entry` hears the running count of entries read (for progress). A file that ends early
/// or is not JSON is an error: nothing is returned half read.
pub fn read_kept<'de, D>(
    de: D,
    mut keep: impl FnMut(&HarEntry) -> bool,
    mut on_entry: impl FnMut(usize),
) -> Result<HarFile, HarError>
where
    D: serde::Deserializer<'de>,
    D::Error: std::fmt::Display,
{
    let mut entries = Vec::new();
    let mut total = 0usize;
    let mut sink = |e: Entry| {
        let entry = entry_of(total, e);
        total += 1;
        if keep(&entry) {
            entries.push(entry);
        }
        on_entry(total);
    };
    let version = serde::de::DeserializeSeed::deserialize(stream::HarSeed(&mut sink), de)
        .map_err(|e| HarError::NotHar(e.to_string()))?;
    if let Some(v) = &version {
        // HAR 1.1 and 1.2 share the fields read here; anything else is another format.
        if !v.starts_with("1.") {
            return Err(HarError::NotHar(format!(
                "log.version is {v:?}; HAR 1.1 and 1.2 are read"
            )));
        }
    }
    Ok(HarFile {
        version,
        total,
        entries,
    })
}

/// The visitors that hand `log.entries` over one at a time instead of building the array.
mod stream {
    use std::fmt;

    use serde::de::{DeserializeSeed, Error as _, IgnoredAny, MapAccess, SeqAccess, Visitor};

    use super::Entry;

    pub(super) struct HarSeed<'a, F>(pub &'a mut F);
    struct LogSeed<'a, F>(&'a mut F);
    struct EntriesSeed<'a, F>(&'a mut F);

    impl<'de, F: FnMut(Entry)> DeserializeSeed<'de> for HarSeed<'_, F> {
        /// `log.version`.
        type Value = Option<String>;
        fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_map(self)
        }
    }

    impl<'de, F: FnMut(Entry)> Visitor<'de> for HarSeed<'_, F> {
        type Value = Option<String>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a HAR file (an object with a log)")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut version = None;
            let mut seen_log = false;
            while let Some(key) = map.next_key::<String>()? {
                if key == "log" && !seen_log {
                    seen_log = true;
                    version = map.next_value_seed(LogSeed(&mut *self.0))?;
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            if !seen_log {
                return Err(A::Error::missing_field("log"));
            }
            Ok(version)
        }
    }

    impl<'de, F: FnMut(Entry)> DeserializeSeed<'de> for LogSeed<'_, F> {
        type Value = Option<String>;
        fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_map(self)
        }
    }

    impl<'de, F: FnMut(Entry)> Visitor<'de> for LogSeed<'_, F> {
        type Value = Option<String>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a HAR log (an object with entries)")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut version = None;
            let mut seen_entries = false;
            while let Some(key) = map.next_key::<String>()? {
                match key.as_str() {
                    "version" => version = map.next_value::<Option<String>>()?,
                    "entries" if !seen_entries => {
                        seen_entries = true;
                        map.next_value_seed(EntriesSeed(&mut *self.0))?;
                    }
                    _ => {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
            }
            Ok(version)
        }
    }

    impl<'de, F: FnMut(Entry)> DeserializeSeed<'de> for EntriesSeed<'_, F> {
        type Value = ();
        fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
            d.deserialize_seq(self)
        }
    }

    impl<'de, F: FnMut(Entry)> Visitor<'de> for EntriesSeed<'_, F> {
        type Value = ();
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("log.entries (an array of requests)")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            while let Some(e) = seq.next_element::<Entry>()? {
                (self.0)(e);
            }
            Ok(())
        }
    }
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
    fn reads_from_a_stream_keeping_only_what_is_asked_for() {
        let har = r#"{"log":{"creator":{"name":"x"},"pages":[{"id":"p"}],"entries":[
          {"request":{"method":"GET","url":"https://cdn.example/a.js"},"response":{"status":200,"content":{"text":"xxxx"}}},
          {"request":{"method":"GET","url":"https://tool.example/login?iss=i&login_hint=h"}},
          {"request":{"method":"GET","url":"https://lms.example/jwks"},"response":{"status":200,"content":{"text":" {\"keys\":[]}"}}},
          {"request":{"method":"GET","url":"https://cdn.example/b.css"}}
        ]},"version":"1.2"}"#;
        let mut seen = Vec::new();
        let file = read_kept(
            &mut serde_json::Deserializer::from_reader(har.as_bytes()),
            worth_keeping,
            |n| seen.push(n),
        )
        .unwrap();
        assert_eq!(file.total, 4);
        assert_eq!(seen, [1, 2, 3, 4]);
        // The login and the key set, with their positions in the file.
        assert_eq!(
            file.entries.iter().map(|e| e.index).collect::<Vec<_>>(),
            [1, 2]
        );
        assert_eq!(file.entry(2).unwrap().url, "https://lms.example/jwks");
        assert!(file.entry(0).is_none() && file.entry(3).is_none());
        // The whole-text reader reads the same file, keeping everything.
        assert_eq!(read(har).unwrap().entries.len(), 4);
    }

    #[test]
    fn a_file_that_ends_early_is_an_error_not_a_partial_read() {
        let har = r#"{"log":{"version":"1.2","entries":[{"request":{"method":"GET","url":"https://tool.example/login?iss=i&login_hint=h"}},{"request":{"met"#;
        let err = read_kept(
            &mut serde_json::Deserializer::from_reader(har.as_bytes()),
            |_| true,
            |_| {},
        )
        .err()
        .expect("truncated");
        assert!(err.to_string().contains("EOF"), "{err}");
        assert!(read(r#"{"log":{"entries":{}}}"#).is_err());
        assert!(read(r#"{"log":[]}"#).is_err());
        assert!(read("[]").is_err());
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
