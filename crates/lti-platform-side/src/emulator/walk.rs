//! A browser-less client that walks a launch the way a browser would: it follows redirects,
//! keeps cookies per host (sending Secure cookies to loopback like browsers do), and submits the
//! auto-posting forms of the OIDC flow. The emulator benchmark and the tests use it to run the
//! full flow emulator → tool over loopback without a browser.

use std::collections::HashMap;
use std::time::{Duration, Instant};

/// One request of a walk.
#[derive(Debug, Clone)]
pub struct Step {
    pub method: String,
    pub url: String,
    pub status: u16,
    pub elapsed: Duration,
}

/// The page the walk ended on.
#[derive(Debug, Clone)]
pub struct Walk {
    pub steps: Vec<Step>,
    pub status: u16,
    pub url: String,
    pub body: String,
}

#[derive(Debug, thiserror::Error)]
pub enum WalkError {
    #[error("request to {url} failed: {reason}")]
    Http { url: String, reason: String },
    #[error("more than {0} steps")]
    TooManySteps(usize),
}

/// A form found in a page: action, method and the fields `form.submit()` sends.
#[derive(Debug, Clone, PartialEq)]
pub struct Form {
    pub action: String,
    pub method: String,
    pub fields: Vec<(String, String)>,
}

pub struct Walker {
    client: reqwest::Client,
    cookies: HashMap<String, Vec<(String, String)>>,
    pub max_steps: usize,
}

impl Default for Walker {
    fn default() -> Self {
        Self::new()
    }
}

impl Walker {
    pub fn new() -> Self {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(15))
            .build()
            .expect("HTTP client");
        Self {
            client,
            cookies: HashMap::new(),
            max_steps: 20,
        }
    }

    /// Opens `url` and settles: redirects followed, auto-submitting forms submitted.
    pub async fn open(&mut self, url: &str) -> Result<Walk, WalkError> {
        self.settle(("GET".into(), url.to_string(), vec![])).await
    }

    /// Submits a form a user would fill in (a page that does not post itself), then settles.
    pub async fn submit(
        &mut self,
        action: &str,
        fields: Vec<(String, String)>,
    ) -> Result<Walk, WalkError> {
        self.settle(("POST".into(), action.to_string(), fields))
            .await
    }

    async fn settle(
        &mut self,
        first: (String, String, Vec<(String, String)>),
    ) -> Result<Walk, WalkError> {
        let mut steps = Vec::new();
        let mut next = first;
        loop {
            if steps.len() >= self.max_steps {
                return Err(WalkError::TooManySteps(self.max_steps));
            }
            let (method, url, fields) = next;
            let started = Instant::now();
            let (status, location, body) = self.request(&method, &url, &fields).await?;
            steps.push(Step {
                method: method.clone(),
                url: url.clone(),
                status,
                elapsed: started.elapsed(),
            });
            if let Some(loc) = location.filter(|_| (300..400).contains(&status)) {
                let target = url::Url::parse(&url)
                    .and_then(|b| b.join(&loc))
                    .map(|u| u.to_string())
                    .unwrap_or(loc);
                next = ("GET".into(), target, vec![]);
                continue;
            }
            match auto_submitted_form(&body, &url) {
                Some(form) => next = (form.method, form.action, form.fields),
                None => {
                    return Ok(Walk {
                        steps,
                        status,
                        url,
                        body,
                    })
                }
            }
        }
    }

    async fn request(
        &mut self,
        method: &str,
        url: &str,
        fields: &[(String, String)],
    ) -> Result<(u16, Option<String>, String), WalkError> {
        let fail = |e: reqwest::Error| WalkError::Http {
            url: url.to_string(),
            reason: e.to_string(),
        };
        let parsed = url::Url::parse(url).map_err(|e| WalkError::Http {
            url: url.into(),
            reason: e.to_string(),
        })?;
        let host = format!(
            "{}:{}",
            parsed.host_str().unwrap_or(""),
            parsed.port_or_known_default().unwrap_or(0)
        );
        let encoded = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        let mut req = if method == "POST" {
            self.client
                .post(url)
                .header(
                    reqwest::header::CONTENT_TYPE,
                    "application/x-www-form-urlencoded",
                )
                .body(encoded)
        } else if fields.is_empty() {
            self.client.get(url)
        } else {
            let mut u = parsed.clone();
            u.set_query(Some(&encoded));
            self.client.get(u.as_str())
        };
        if let Some(jar) = self.cookies.get(&host).filter(|j| !j.is_empty()) {
            let header = jar
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            req = req.header(reqwest::header::COOKIE, header);
        }
        let res = req.send().await.map_err(fail)?;
        let status = res.status().as_u16();
        let location = res
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        for sc in res
            .headers()
            .get_all(reqwest::header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
        {
            self.set_cookie(&host, sc);
        }
        let body = res.text().await.map_err(fail)?;
        Ok((status, location, body))
    }

    fn set_cookie(&mut self, host: &str, header: &str) {
        let mut parts = header.split(';');
        let Some((name, value)) = parts.next().and_then(|kv| kv.trim().split_once('=')) else {
            return;
        };
        let gone = parts.any(|p| p.trim().eq_ignore_ascii_case("max-age=0"));
        let jar = self.cookies.entry(host.to_string()).or_default();
        jar.retain(|(k, _)| k != name);
        if !gone {
            jar.push((name.to_string(), value.to_string()));
        }
    }
}

/// The first form of a page whose script submits it (the OIDC form_post pattern).
pub fn auto_submitted_form(html: &str, page_url: &str) -> Option<Form> {
    if !html.contains(".submit()") {
        return None;
    }
    let start = html.find("<form")?;
    let end = html[start..]
        .find("</form>")
        .map(|e| start + e)
        .unwrap_or(html.len());
    let form_html = &html[start..end];
    let tag_end = form_html.find('>')?;
    let tag = &form_html[..tag_end];
    let action = attr(tag, "action").unwrap_or_default();
    let method = attr(tag, "method")
        .unwrap_or_else(|| "GET".into())
        .to_ascii_uppercase();
    let action = url::Url::parse(page_url)
        .and_then(|b| b.join(&action))
        .map(|u| u.to_string())
        .unwrap_or(action);
    let mut fields = Vec::new();
    let mut rest = &form_html[tag_end..];
    while let Some(i) = rest.find("<input") {
        let after = &rest[i..];
        let close = after.find('>').unwrap_or(after.len());
        let input = &after[..close];
        let kind = attr(input, "type").unwrap_or_else(|| "text".into());
        if let Some(name) = attr(input, "name") {
            if !["submit", "button", "image", "reset", "file"].contains(&kind.as_str()) {
                fields.push((name, attr(input, "value").unwrap_or_default()));
            }
        }
        rest = &after[close..];
    }
    Some(Form {
        action,
        method,
        fields,
    })
}

/// A double- or single-quoted attribute's value, HTML entities decoded.
fn attr(tag: &str, name: &str) -> Option<String> {
    for quote in ['"', '\''] {
        let needle = format!(" {name}={quote}");
        if let Some(i) = tag.find(&needle) {
            let v = &tag[i + needle.len()..];
            let end = v.find(quote)?;
            return Some(unescape(&v[..end]));
        }
    }
    None
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_auto_submitted_form_and_decodes_values() {
        let html = r#"<form id="f" method="post" action="http://tool/launch"><input type="hidden" name="id_token" value="a.b.c"><input type="hidden" name="state" value="x&amp;y&quot;"><noscript><button type="submit">Go</button></noscript></form><script>document.getElementById('f').submit();</script>"#;
        let f = auto_submitted_form(html, "http://platform/auth").unwrap();
        assert_eq!(f.action, "http://tool/launch");
        assert_eq!(f.method, "POST");
        assert_eq!(
            f.fields,
            vec![
                ("id_token".into(), "a.b.c".into()),
                ("state".into(), "x&y\"".into())
            ]
        );
        assert!(
            auto_submitted_form("<form action=x></form>", "http://a/").is_none(),
            "no script, no auto-submit"
        );
    }
}
