//! One launch into one tool library over loopback, as a browser would carry it: the login
//! initiation, the tool's redirect to the platform (read, not followed: the harness is the
//! platform), the id_token form post with the tool's cookies, and the redirects after it.

use std::collections::BTreeMap;

use anyhow::{anyhow, bail, Context, Result};
use lti_protocol::b64;
use lti_protocol::jws::sign_rs256;
use lti_protocol::keys::SigningKey;
use serde_json::{json, Value};
use url::Url;

use crate::cases::{valid_claims, Case, Facts, Launch, Signing};

/// A tool library under test.
pub struct Peer {
    pub name: String,
    pub version: String,
    pub login_url: String,
    pub target_link_uri: String,
}

/// The platform this harness plays.
pub struct Platform {
    pub issuer: String,
    pub client_id: String,
    pub deployment_id: String,
    pub other_deployment_id: String,
    pub key: SigningKey,
}

/// What the library did with one case.
pub struct Outcome {
    pub accepted: bool,
    /// The library's answer (status and text), normalised so reruns compare equal.
    pub message: String,
}

/// What was sent, for our own validator's view of the same launch.
pub struct Sent {
    pub id_token: Option<String>,
    pub state_sent: String,
    pub state_issued: String,
    pub nonce: String,
    pub login_deployment_id: String,
    pub target_link_uri: String,
    pub now: i64,
}

#[derive(Default)]
struct Jar(BTreeMap<String, String>);

impl Jar {
    fn take(&mut self, headers: &reqwest::header::HeaderMap) {
        for v in headers.get_all(reqwest::header::SET_COOKIE) {
            let Ok(v) = v.to_str() else { continue };
            let first = v.split(';').next().unwrap_or("");
            let Some((name, value)) = first.split_once('=') else {
                continue;
            };
            let lower = v.to_ascii_lowercase();
            // A cleared cookie (ltijs clears the state cookie with an expiry in 1970).
            if value.is_empty()
                || lower.contains("expires=thu, 01 jan 1970")
                || lower.contains("max-age=0")
            {
                self.0.remove(name.trim());
            } else {
                self.0.insert(name.trim().to_string(), value.to_string());
            }
        }
    }
    fn header(&self) -> String {
        self.0
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

pub async fn run(
    http: &reqwest::Client,
    platform: &Platform,
    peer: &Peer,
    case: &Case,
) -> Result<(Outcome, Sent)> {
    let mut jar = Jar::default();
    let mut login = Url::parse(&peer.login_url)?;
    login
        .query_pairs_mut()
        .append_pair("iss", &platform.issuer)
        .append_pair("login_hint", "compat-user-1")
        .append_pair("target_link_uri", &peer.target_link_uri)
        .append_pair("client_id", &platform.client_id)
        .append_pair("lti_deployment_id", &platform.deployment_id)
        .append_pair("lti_message_hint", "compat-hint");
    let res = http.get(login.clone()).send().await.context("login")?;
    jar.take(res.headers());
    let location = res
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let Some(location) = location else {
        let status = res.status();
        let body = res.text().await.unwrap_or_default();
        bail!(
            "{}: login answered {status} without a redirect: {}",
            peer.name,
            squash(&body)
        );
    };
    let auth = login.join(&location)?;
    let q: BTreeMap<String, String> = auth.query_pairs().into_owned().collect();
    let state = q
        .get("state")
        .cloned()
        .ok_or_else(|| anyhow!("{}: no state in {auth}", peer.name))?;
    let nonce = q
        .get("nonce")
        .cloned()
        .ok_or_else(|| anyhow!("{}: no nonce in {auth}", peer.name))?;
    let redirect_uri = q
        .get("redirect_uri")
        .cloned()
        .ok_or_else(|| anyhow!("{}: no redirect_uri in {auth}", peer.name))?;

    let now = lti_core_now();
    let facts = Facts {
        issuer: platform.issuer.clone(),
        client_id: platform.client_id.clone(),
        deployment_id: platform.deployment_id.clone(),
        other_deployment_id: platform.other_deployment_id.clone(),
        target_link_uri: peer.target_link_uri.clone(),
        nonce: nonce.clone(),
        now,
    };
    let mut l = Launch {
        header: serde_json::Map::new(),
        claims: valid_claims(&facts),
        signing: Signing::Rs256,
        state: None,
        drop_id_token: false,
        replay: false,
    };
    (case.apply)(&mut l, &facts);
    let token = sign(&l, &platform.key)?;
    let state_sent = l.state.clone().unwrap_or_else(|| state.clone());
    let mut form: Vec<(&str, &str)> = vec![("state", &state_sent)];
    if !l.drop_id_token {
        form.push(("id_token", &token));
    }
    let mut outcome = post(http, &mut jar, &redirect_uri, &form).await?;
    if l.replay {
        if !outcome.0 {
            bail!(
                "{}: the first post of the replay case was refused: {}",
                peer.name,
                outcome.1
            );
        }
        outcome = post(http, &mut jar, &redirect_uri, &form).await?;
    }
    let tool = origin(&peer.login_url);
    let replace = [
        (platform.issuer.as_str(), "{platform}"),
        (tool.as_str(), "{tool}"),
        (nonce.as_str(), "{nonce}"),
        (state.as_str(), "{state}"),
    ];
    let message = normalise(&outcome.1, &replace);
    Ok((
        Outcome {
            accepted: outcome.0,
            message,
        },
        Sent {
            id_token: (!l.drop_id_token).then_some(token),
            state_sent,
            state_issued: state,
            nonce,
            login_deployment_id: platform.deployment_id.clone(),
            target_link_uri: peer.target_link_uri.clone(),
            now,
        },
    ))
}

/// One service answer through one library's NRPS or AGS client (the adapter's `/compat/…`
/// endpoint, which takes its token from this platform's token endpoint): accepted when the
/// library handed back what it read.
pub async fn service(
    http: &reqwest::Client,
    issuer: &str,
    peer: &Peer,
    service: crate::cases::Service,
    url: &str,
) -> Result<Outcome> {
    let tool = origin(&peer.login_url);
    let mut at = Url::parse(&format!("{tool}/compat/{}", service.name()))?;
    at.query_pairs_mut().append_pair("url", url);
    let res = http.get(at).send().await.context("service call")?;
    let status = res.status();
    let body = res.text().await.unwrap_or_default();
    let message = if status.is_success() {
        String::new()
    } else {
        normalise(
            &format!("{}: {}", status.as_u16(), answer_text(&body)),
            &[(issuer, "{platform}"), (tool.as_str(), "{tool}")],
        )
    };
    Ok(Outcome {
        accepted: status.is_success(),
        message,
    })
}

fn lti_core_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn sign(l: &Launch, key: &SigningKey) -> Result<String> {
    Ok(match l.signing {
        Signing::Rs256 => sign_rs256(&l.header, &l.claims, key)?,
        Signing::Corrupted => {
            let t = sign_rs256(&l.header, &l.claims, key)?;
            // Change a character in the middle of the signature (the last one may only carry
            // padding bits).
            let dot = t.rfind('.').unwrap_or(0);
            let i = dot + (t.len() - dot) / 2;
            let c = if &t[i..=i] == "A" { "B" } else { "A" };
            format!("{}{c}{}", &t[..i], &t[i + 1..])
        }
        Signing::AlgNone => {
            let mut header = json!({"alg": "none", "typ": "JWT", "kid": key.kid()});
            if let Value::Object(h) = &mut header {
                h.extend(l.header.clone());
                h.insert("alg".into(), json!("none"));
            }
            format!(
                "{}.{}.",
                b64::encode(&serde_json::to_vec(&header)?),
                b64::encode(&serde_json::to_vec(&l.claims)?)
            )
        }
        Signing::Garbage => "this-is-not-a-jwt".to_string(),
    })
}

/// Posts the form and follows redirects as a browser would (POST answered by 302/303 → GET),
/// carrying the tool's cookies. Accepted = a 2xx at the end.
async fn post(
    http: &reqwest::Client,
    jar: &mut Jar,
    url: &str,
    form: &[(&str, &str)],
) -> Result<(bool, String)> {
    let mut res = http
        .post(url)
        .header(reqwest::header::COOKIE, jar.header())
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .body(
            url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(form)
                .finish(),
        )
        .send()
        .await
        .context("form post")?;
    let mut at = Url::parse(url)?;
    for _ in 0..5 {
        jar.take(res.headers());
        if !res.status().is_redirection() {
            break;
        }
        let Some(next) = res
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
        else {
            break;
        };
        at = at.join(next)?;
        res = http
            .get(at.clone())
            .header(reqwest::header::COOKIE, jar.header())
            .send()
            .await?;
    }
    let status = res.status();
    let body = res.text().await.unwrap_or_default();
    let text = answer_text(&body);
    Ok((
        status.is_success(),
        if status.is_success() {
            String::new()
        } else {
            format!("{}: {text}", status.as_u16())
        },
    ))
}

/// The library's words from an answer body: ltijs answers JSON ({details: {message,
/// description}}), the others text or a small HTML page.
fn answer_text(body: &str) -> String {
    if let Ok(Value::Object(m)) = serde_json::from_str::<Value>(body) {
        if let Some(Value::Object(d)) = m.get("details") {
            let pick = |k: &str| d.get(k).and_then(Value::as_str).unwrap_or("").to_string();
            let (msg, desc) = (pick("message"), pick("description"));
            return [msg, desc]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(" — ");
        }
    }
    squash(body)
}

/// HTML tags out, white space collapsed.
fn squash(body: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in body.chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    let out = out
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">");
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn origin(u: &str) -> String {
    Url::parse(u)
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_default()
}

/// Run-specific values replaced by names, long numbers (times) by `{n}`, serde's " at line L
/// column C" (which moves with the port's length) dropped, cut at 300 characters.
fn normalise(text: &str, replace: &[(&str, &str)]) -> String {
    let mut s = text.to_string();
    while let Some(at) = s.find(" at line ") {
        let rest = &s[at + " at line ".len()..];
        let line_len = rest.chars().take_while(char::is_ascii_digit).count();
        let Some(col) = rest[line_len..].strip_prefix(" column ") else {
            break;
        };
        let col_len = col.chars().take_while(char::is_ascii_digit).count();
        if line_len == 0 || col_len == 0 {
            break;
        }
        let end = at + " at line ".len() + line_len + " column ".len() + col_len;
        s.replace_range(at..end, "");
    }
    for (from, to) in replace {
        if !from.is_empty() {
            s = s.replace(from, to);
        }
    }
    let mut out = String::new();
    let mut digits = String::new();
    for c in s.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        if digits.len() >= 6 {
            out.push_str("{n}");
        } else {
            out.push_str(&digits);
        }
        digits.clear();
        out.push(c);
    }
    out.pop();
    if out.chars().count() > 300 {
        out = out.chars().take(299).collect::<String>() + "…";
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalise_names_run_values_and_times() {
        let s = normalise(
            "401: nonce abc at http://127.0.0.1:4000/x 1733500000 code 401 at line 1 column 1759",
            &[("http://127.0.0.1:4000", "{platform}"), ("abc", "{nonce}")],
        );
        assert_eq!(s, "401: nonce {nonce} at {platform}/x {n} code 401");
    }

    #[test]
    fn answer_text_reads_ltijs_json_and_html() {
        assert_eq!(
            answer_text(
                r#"{"status":401,"details":{"description":"Error validating ltik or IdToken","message":"NONCE_ALREADY_RECEIVED"}}"#
            ),
            "NONCE_ALREADY_RECEIVED — Error validating ltik or IdToken"
        );
        assert_eq!(
            answer_text("<h1>Refused</h1><p id=\"error\">Invalid &#34;iss&#34;</p>"),
            "Refused Invalid \"iss\""
        );
    }
}
