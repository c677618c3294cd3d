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

#[derive(Deserialize)]
struct Har {
    log: Log,
}
#[derive(Deserialize)]
struct Log {
    #[serde(default)]
    entries: Vec<Entry>,
}
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Entry {
    #[serde(default)]
    started_date_time: Option<String>,
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
    query_string: Vec<NameValue>,
    #[serde(default)]
    post_data: Option<PostData>,
}
#[derive(Deserialize)]
struct HarResponse {
    #[serde(default)]
    status: Option<i64>,
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

fn parse_rfc3339(s: &str) -> Option<i64> {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .ok()
        .map(|t| t.unix_timestamp())
}

/// Every entry whose parameters make it an LTI step, in file order.
pub fn lti_steps(text: &str) -> Result<Vec<HarStep>, HarError> {
    let har: Har = serde_json::from_str(text).map_err(|e| HarError::NotHar(e.to_string()))?;
    let mut out = Vec::new();
    for (index, e) in har.log.entries.into_iter().enumerate() {
        let mut params: Vec<(String, String)> = match url::Url::parse(&e.request.url) {
            Ok(u) => u
                .query_pairs()
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
            Err(_) => e
                .request
                .query_string
                .iter()
                .map(|q| (q.name.clone(), q.value.clone().unwrap_or_default()))
                .collect(),
        };
        if let Some(pd) = &e.request.post_data {
            if !pd.params.is_empty() {
                params.extend(
                    pd.params
                        .iter()
                        .map(|p| (p.name.clone(), p.value.clone().unwrap_or_default())),
                );
            } else if let Some(t) = &pd.text {
                let form = pd
                    .mime_type
                    .as_deref()
                    .is_none_or(|m| m.contains("x-www-form-urlencoded"));
                if form {
                    params.extend(crate::validate::parse_form(t));
                }
            }
        }
        let has = |n: &str| params.iter().any(|(k, _)| k == n);
        let is_lti = has("id_token")
            || has("JWT")
            || (has("iss") && has("login_hint"))
            || (has("response_type") && has("scope") && has("client_id"))
            || (has("error") && has("state"));
        if is_lti {
            out.push(HarStep {
                index,
                method: e.request.method,
                url: e.request.url,
                started_at: e.started_date_time.as_deref().and_then(parse_rfc3339),
                params,
                status: e
                    .response
                    .and_then(|r| r.status)
                    .and_then(|s| u16::try_from(s).ok()),
            });
        }
    }
    Ok(out)
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
}
