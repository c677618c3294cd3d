//! Re-send (issue 11, item 3): any recorded HTTP exchange sent again — as recorded, or with its
//! method, URL, headers or body edited — to its own URL or another. The answer is recorded as a
//! flow of its own; what a receiver is expected to refuse (a used nonce, an expired token, a
//! state without its cookie: `lti_protocol::resend`) is said before sending, and when the
//! receiver is this inspector's own tool or emulator, its verdict on the request is read back
//! and each failed check is marked expected or not.

use std::time::Duration;

use lti_core::error::{Error, Result};
use lti_core::store::{self, Exchange, Header, NewFlow};
use lti_protocol::finding::{Outcome, Severity};
use lti_protocol::resend::{self as expect, Expectation};
use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

use crate::engine::Engine;

#[derive(Debug, Clone, Deserialize, TS)]
pub struct ResendArgs {
    pub exchange_id: i64,
    /// Edits; each absent one is sent as recorded.
    #[serde(default)]
    #[ts(optional)]
    pub method: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub url: Option<String>,
    /// Every header to send. A masked value (as `preview` shows secrets) stands for the
    /// recorded one, so a re-send needs no reveal.
    #[serde(default)]
    #[ts(optional)]
    pub headers: Option<Vec<Header>>,
    #[serde(default)]
    #[ts(optional)]
    pub body: Option<String>,
    /// Only show the request as it would go, and what to expect.
    #[serde(default)]
    #[ts(optional)]
    pub preview: Option<bool>,
}

/// The request as it goes, secrets masked.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ResendRequest {
    pub method: String,
    pub url: String,
    pub headers: Vec<Header>,
    pub body: String,
    /// The body is binary: it is sent as recorded and cannot be edited here.
    pub binary_body: bool,
    /// Recorded headers not sent as they were, and why ("Host: set from the URL").
    pub dropped: Vec<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct ResendOutcome {
    /// The new flow holding the re-sent exchange.
    pub flow_id: String,
    #[ts(type = "number")]
    pub exchange_id: i64,
    #[ts(optional = nullable)]
    pub status: Option<u16>,
    #[ts(optional = nullable)]
    pub error: Option<String>,
    /// The flow this inspector's own tool or emulator recorded for the request, when it was
    /// the receiver.
    #[ts(optional = nullable)]
    pub receiver_flow: Option<String>,
    /// Why the answer is what it is: the receiver's failed checks (expected or not), or what
    /// the answer's body says.
    pub explanations: Vec<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct Resend {
    pub request: ResendRequest,
    pub expectations: Vec<Expectation>,
    #[ts(optional = nullable)]
    pub outcome: Option<ResendOutcome>,
}

/// Headers the HTTP client sets itself, or that describe the recorded connection rather than
/// the request; HTTP/2 pseudo-headers (`:authority`, in Chrome's HAR files) likewise.
const NOT_RESENT: &[(&str, &str)] = &[
    ("host", "set from the URL"),
    ("content-length", "computed from the body"),
    ("connection", "belongs to the recorded connection"),
    ("keep-alive", "belongs to the recorded connection"),
    ("transfer-encoding", "computed from the body"),
    ("te", "belongs to the recorded connection"),
    ("upgrade", "belongs to the recorded connection"),
    ("proxy-connection", "belongs to the recorded connection"),
    (
        "accept-encoding",
        "left out so the answer is recorded readable",
    ),
];

pub async fn resend(engine: &Engine, args: ResendArgs) -> Result<Resend> {
    let span = tracing::info_span!("resend", exchange = args.exchange_id);
    tracing::Instrument::instrument(resend_inner(engine, args), span).await
}

async fn resend_inner(engine: &Engine, args: ResendArgs) -> Result<Resend> {
    let id = args.exchange_id;
    let recorded = engine
        .store()
        .read(move |c| store::exchanges::get(c, id))
        .await?;
    let mut masked_view = recorded.clone();
    lti_core::secrets::mask_exchange(&mut masked_view);
    let plan = plan(&recorded, &masked_view, &args)?;
    let expectations = expectations_of(&plan);
    // What re-sending alone brings (no edit): a refusal only the edit explains is not the
    // re-send's doing.
    let edited = args.method.is_some()
        || args.url.is_some()
        || args.headers.is_some()
        || args.body.is_some();
    let verbatim = if edited {
        let unedited = ResendArgs {
            exchange_id: id,
            method: None,
            url: None,
            headers: None,
            body: None,
            preview: None,
        };
        expectations_of(&self::plan(&recorded, &masked_view, &unedited)?)
    } else {
        expectations.clone()
    };
    let by_resend: Vec<String> = verbatim
        .into_iter()
        .filter(|e| e.refusal)
        .filter_map(|e| e.rule)
        .collect();
    let shown = ResendRequest {
        method: plan.method.clone(),
        url: masked_view_url(&plan.url, &recorded, &masked_view),
        headers: masked_headers(&plan.headers),
        body: if plan.binary {
            String::new()
        } else {
            lti_core::secrets::mask_body(&String::from_utf8_lossy(&plan.body))
                .map(|(b, _)| b)
                .unwrap_or_else(|| String::from_utf8_lossy(&plan.body).into_owned())
        },
        binary_body: plan.binary,
        dropped: plan.dropped.clone(),
    };
    if args.preview.unwrap_or(false) {
        return Ok(Resend {
            request: shown,
            expectations,
            outcome: None,
        });
    }
    let outcome = send(engine, &recorded, plan, &expectations, &by_resend).await?;
    Ok(Resend {
        request: shown,
        expectations,
        outcome: Some(outcome),
    })
}

fn expectations_of(plan: &Plan) -> Vec<Expectation> {
    expect::expectations(&expect::Request {
        params: &params_of(&plan.url, &plan.body, &plan.headers),
        cookies: cookie_names(&plan.headers),
        authorization: plan
            .headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case("authorization"))
            .and_then(|h| h.value.split_whitespace().next().map(str::to_string)),
        now: lti_core::clock::now_secs(),
    })
}

/// The request to send, whole (secrets as recorded).
struct Plan {
    method: String,
    url: String,
    headers: Vec<Header>,
    body: Vec<u8>,
    binary: bool,
    dropped: Vec<String>,
}

fn plan(recorded: &Exchange, masked: &Exchange, args: &ResendArgs) -> Result<Plan> {
    use base64::Engine as _;
    let s = &recorded.summary;
    let method = args
        .method
        .clone()
        .unwrap_or_else(|| s.method.clone())
        .trim()
        .to_ascii_uppercase();
    reqwest::Method::from_bytes(method.as_bytes())
        .map_err(|_| Error::BadRequest(format!("{method:?} is not an HTTP method")))?;
    let url = match &args.url {
        // The URL as shown, secrets masked: the recorded one.
        Some(u) if *u == masked.summary.url => s.url.clone(),
        Some(u) => u.trim().to_string(),
        None => s.url.clone(),
    };
    if url.contains('‹') {
        return Err(Error::BadRequest(
            "the URL still holds a masked value: reveal the exchange first, or replace it".into(),
        ));
    }
    match url::Url::parse(&url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => {}
        _ => {
            return Err(Error::BadRequest(format!(
                "{url:?} is not an http(s) URL to send to"
            )))
        }
    }
    let (body, binary) = match (&args.body, &recorded.request_body_base64) {
        (Some(b), _) => {
            let masked_body = lti_core::secrets::mask_body(&recorded.request_body).map(|(m, _)| m);
            if masked_body.as_deref() == Some(b.as_str()) {
                (recorded.request_body.clone().into_bytes(), false)
            } else if b.contains("‹masked") {
                return Err(Error::BadRequest(
                    "the body still holds a masked value: reveal the exchange first, or replace it"
                        .into(),
                ));
            } else {
                (b.clone().into_bytes(), false)
            }
        }
        (None, Some(b64)) => (
            base64::engine::general_purpose::STANDARD
                .decode(b64)
                .unwrap_or_default(),
            true,
        ),
        (None, None) => (recorded.request_body.clone().into_bytes(), false),
    };
    let given = args
        .headers
        .clone()
        .unwrap_or_else(|| recorded.request_headers.clone());
    let mut dropped = Vec::new();
    let mut headers = Vec::new();
    for h in given {
        let name = h.name.trim().to_string();
        let lower = name.to_ascii_lowercase();
        if name.is_empty() {
            continue;
        }
        if lower.starts_with(':') {
            dropped.push(format!("{name}: an HTTP/2 pseudo-header, set from the URL"));
            continue;
        }
        if let Some((_, why)) = NOT_RESENT.iter().find(|(n, _)| *n == lower) {
            dropped.push(format!("{name}: {why}"));
            continue;
        }
        // A masked value stands for the recorded header of that name.
        let value = if h.value.contains("‹masked") {
            recorded
                .request_headers
                .iter()
                .zip(&masked.request_headers)
                .find(|(_, m)| m.name.eq_ignore_ascii_case(&name) && m.value == h.value)
                .map(|(r, _)| r.value.clone())
                .ok_or_else(|| {
                    Error::BadRequest(format!(
                        "header {name} holds a masked value that is not the recorded one: reveal the exchange first, or replace it"
                    ))
                })?
        } else {
            h.value.clone()
        };
        reqwest::header::HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| Error::BadRequest(format!("{name:?} is not a header name")))?;
        reqwest::header::HeaderValue::from_str(&value)
            .map_err(|_| Error::BadRequest(format!("the value of header {name} cannot be sent")))?;
        headers.push(Header { name, value });
    }
    Ok(Plan {
        method,
        url,
        headers,
        body,
        binary,
        dropped,
    })
}

fn masked_view_url(url: &str, recorded: &Exchange, masked: &Exchange) -> String {
    if url == recorded.summary.url {
        masked.summary.url.clone()
    } else {
        url.to_string()
    }
}

fn masked_headers(headers: &[Header]) -> Vec<Header> {
    let mut out = headers.to_vec();
    lti_core::secrets::mask_headers(&mut out);
    out
}

/// Query parameters followed by form fields (a form body).
fn params_of(url: &str, body: &[u8], headers: &[Header]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = url::Url::parse(url)
        .map(|u| u.query_pairs().into_owned().collect())
        .unwrap_or_default();
    let form = headers.iter().any(|h| {
        h.name.eq_ignore_ascii_case("content-type") && h.value.contains("x-www-form-urlencoded")
    }) || (!body.is_empty() && !body.starts_with(b"{") && !body.starts_with(b"<"));
    if form {
        out.extend(url::form_urlencoded::parse(body).into_owned());
    }
    out
}

fn cookie_names(headers: &[Header]) -> Option<Vec<String>> {
    let cookie = headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case("cookie"))?;
    Some(
        cookie
            .value
            .split(';')
            .filter_map(|c| c.split_once('=').map(|(k, _)| k.trim().to_string()))
            .filter(|k| !k.is_empty())
            .collect(),
    )
}

async fn send(
    engine: &Engine,
    recorded: &Exchange,
    plan: Plan,
    expectations: &[Expectation],
    by_resend: &[String],
) -> Result<ResendOutcome> {
    let s = &recorded.summary;
    let flow_id = lti_core::ids::sortable_id();
    let path = url::Url::parse(&plan.url)
        .map(|u| u.path().to_string())
        .unwrap_or_default();
    let title = format!("Re-send of {} {path} (exchange {})", plan.method, s.id);
    // Summary facts are strings (the Timeline and search read them so); lists go one per line.
    let facts = json!({
        "resent_from": format!("exchange {} of flow {}", s.id, s.flow_id.as_deref().unwrap_or("-")),
        "resent_exchange": s.id.to_string(),
        "expected": expectations.iter().filter(|e| e.refusal).map(|e| e.text.as_str()).collect::<Vec<_>>().join("\n"),
    });
    let new = NewFlow {
        id: flow_id.clone(),
        side: s.side,
        kind: "resend".into(),
        started_at_ms: lti_core::clock::now_ms(),
        title: title.clone(),
    };
    let summary_json = facts.to_string();
    engine
        .store()
        .write(move |tx| {
            store::flows::insert(tx, &new)?;
            tx.execute(
                "UPDATE flows SET verdict = 'resent', summary_json = ?2 WHERE id = ?1",
                rusqlite::params![new.id, summary_json],
            )?;
            Ok(())
        })
        .await?;
    // Whatever the receiver records from now on has a larger id than this.
    let before: i64 = engine
        .store()
        .read(|c| {
            Ok(
                c.query_row("SELECT coalesce(max(id), 0) FROM exchanges", [], |r| {
                    r.get(0)
                })?,
            )
        })
        .await?;
    let method = reqwest::Method::from_bytes(plan.method.as_bytes())
        .map_err(|_| Error::BadRequest("method".into()))?;
    let sent_body = plan.body.clone();
    let own = is_own_server(engine, &plan.url);
    let mut headers: Vec<(String, String)> = plan
        .headers
        .iter()
        .map(|h| (h.name.clone(), h.value.clone()))
        .collect();
    if own {
        headers.push((lti_core::http::RESEND_HEADER.into(), flow_id.clone()));
    }
    let answer = engine
        .tool()
        .core()
        .outbound()
        .send(lti_core::outbound::OutboundRequest {
            flow_id: Some(&flow_id),
            side: s.side,
            step: s.step.as_deref().unwrap_or("resend"),
            method,
            url: &plan.url,
            headers,
            body: plan.body,
        })
        .await;
    let (status, error, exchange_id, response) = match answer {
        Ok(r) => (Some(r.status), None, r.exchange_id, r.body),
        Err(e) => (None, Some(e.to_string()), 0, Vec::new()),
    };
    let exchange_id = if exchange_id != 0 {
        exchange_id
    } else {
        let fid = flow_id.clone();
        engine
            .store()
            .read(move |c| {
                Ok(c.query_row(
                    "SELECT coalesce(max(id), 0) FROM exchanges WHERE flow_id = ?1",
                    [fid],
                    |r| r.get(0),
                )?)
            })
            .await?
    };
    let receiver = receiver_flow(engine, before, &plan.url, &sent_body).await?;
    let mut explanations = Vec::new();
    if let Some(e) = &error {
        explanations.push(format!("Nothing came back: {e}."));
    }
    if let Some(rf) = &receiver {
        explanations.extend(receiver_explanations(engine, rf, expectations, by_resend).await?);
        if own {
            explanations.push("This inspector's own server filed it as a flow of its own: the recorded flow is unchanged.".into());
        }
        let (a, b) = (flow_id.clone(), rf.clone());
        engine
            .store()
            .write(move |tx| {
                let key = lti_core::messages::link_key(&format!("resend {a}"));
                lti_core::messages::link_flow(tx, &a, &key)?;
                lti_core::messages::link_flow(tx, &b, &key)
            })
            .await?;
    } else if let Some(code) = status {
        explanations.extend(answer_explanations(code, &response, expectations));
    }
    let mut facts = facts;
    facts["explanations"] = json!(explanations.join("\n"));
    if let Some(code) = status {
        facts["status"] = json!(code.to_string());
    }
    let (fid, facts_json) = (flow_id.clone(), facts.to_string());
    engine
        .store()
        .write(move |tx| {
            tx.execute(
                "UPDATE flows SET summary_json = ?2, updated_at = ?3 WHERE id = ?1",
                rusqlite::params![fid, facts_json, lti_core::clock::now_ms()],
            )?;
            Ok(())
        })
        .await?;
    lti_core::messages::announce(engine.tool().core(), &flow_id).await;
    tracing::info!(flow = %flow_id, status = ?status, receiver = ?receiver, "re-sent");
    Ok(ResendOutcome {
        flow_id,
        exchange_id,
        status,
        error,
        receiver_flow: receiver,
        explanations,
    })
}

/// Whether the URL is this engine's tool side or emulator (loopback, its port).
fn is_own_server(engine: &Engine, url: &str) -> bool {
    let Ok(u) = url::Url::parse(url) else {
        return false;
    };
    let loopback = match u.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    let port = u.port_or_known_default();
    loopback
        && [engine.tool_status(), engine.emulator_status()]
            .iter()
            .any(|s| s.running && Some(s.port) == port)
}

/// The flow this inspector's own servers filed the re-sent request under, when one of them
/// received it: an inbound exchange recorded after `before` with this URL and body.
async fn receiver_flow(
    engine: &Engine,
    before: i64,
    url: &str,
    body: &[u8],
) -> Result<Option<String>> {
    // The receiver records its exchange as it answers: allow it a moment to land.
    for _ in 0..20 {
        let (u, b) = (url.to_string(), body.to_vec());
        let found = engine
            .store()
            .read(move |c| {
                let mut q = c.prepare_cached(
                    "SELECT id, flow_id FROM exchanges
                     WHERE id > ?1 AND direction = 'inbound' AND url = ?2 AND flow_id IS NOT NULL
                     ORDER BY id",
                )?;
                let rows = q
                    .query_map(rusqlite::params![before, u], |r| {
                        Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
                    })?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                for (id, flow) in rows {
                    let ex = store::exchanges::get(c, id)?;
                    let same = match &ex.request_body_base64 {
                        Some(_) => true,
                        None => ex.request_body.as_bytes() == b.as_slice(),
                    };
                    if same {
                        return Ok(Some(flow));
                    }
                }
                Ok(None)
            })
            .await?;
        if found.is_some() {
            return Ok(found);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(None)
}

/// The receiver's failed checks, each marked expected for any re-send (`by_resend`: a nonce or
/// state is single-use by nature), expected from the edit, or neither.
async fn receiver_explanations(
    engine: &Engine,
    flow: &str,
    expectations: &[Expectation],
    by_resend: &[String],
) -> Result<Vec<String>> {
    let id = flow.to_string();
    let detail = engine
        .store()
        .read(move |c| lti_core::messages::detail(c, &id))
        .await?;
    let mut out = Vec::new();
    let verdict = detail.flow.verdict.clone();
    for m in &detail.messages {
        for f in &m.message.report.findings {
            if f.outcome != Outcome::Fail || f.severity != Severity::Error {
                continue;
            }
            let rule: &str = f.rule_id.as_ref();
            let expected = expectations
                .iter()
                .any(|e| e.refusal && e.rule.as_deref() == Some(rule));
            let why = if by_resend.iter().any(|r| r == rule) {
                "Expected for a re-send —"
            } else if expected {
                "Expected from the edit —"
            } else {
                "Not caused by re-sending —"
            };
            out.push(format!("{why} {rule}: {}", f.message));
        }
    }
    if out.is_empty() {
        out.push(format!(
            "This inspector's receiving side recorded it as {verdict}: no check failed."
        ));
    }
    Ok(out)
}

/// What a foreign receiver's answer says, read against the expectations.
fn answer_explanations(status: u16, body: &[u8], expectations: &[Expectation]) -> Vec<String> {
    if status < 400 {
        return vec![format!("Answered {status}: the receiver took it.")];
    }
    let text: String = String::from_utf8_lossy(&body[..body.len().min(4096)]).to_lowercase();
    let words = [
        ("nonce", "idtoken.nonce_replay"),
        ("replay", "idtoken.nonce_replay"),
        ("expired", "idtoken.exp"),
        ("exp", "idtoken.exp"),
        ("state", "response.state"),
        ("jti", "token.jti_replay"),
        ("timestamp", "lti11.timestamp"),
    ];
    let mut out = Vec::new();
    for (word, rule) in words {
        if text.contains(word) {
            if let Some(e) = expectations
                .iter()
                .find(|e| e.refusal && e.rule.as_deref() == Some(rule))
            {
                let line = format!(
                    "Answered {status}, mentioning {word:?}: expected — {}",
                    e.text
                );
                // One line per expectation, however many of its words the answer has.
                if !out.iter().any(|l: &String| l.ends_with(&e.text)) {
                    out.push(line);
                }
            }
        }
    }
    if out.is_empty() {
        let refusals: Vec<&str> = expectations
            .iter()
            .filter(|e| e.refusal)
            .map(|e| e.text.as_str())
            .collect();
        let start: String = String::from_utf8_lossy(body).chars().take(200).collect();
        out.push(if refusals.is_empty() {
            format!("Answered {status}; nothing in the request explains it. The answer begins: {start:?}")
        } else {
            format!(
                "Answered {status}; likely for what was expected: {} The answer begins: {start:?}",
                refusals.join(" ")
            )
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exp(rule: &str, text: &str) -> Expectation {
        Expectation {
            rule: Some(rule.into()),
            refusal: true,
            text: text.into(),
        }
    }

    #[test]
    fn a_foreign_answer_is_read_against_what_was_expected() {
        let e = [
            exp("idtoken.exp", "The id_token expired."),
            exp("idtoken.nonce_replay", "Its nonce was used."),
        ];
        let got = answer_explanations(400, b"Invalid nonce: already used", &e);
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(got[0].contains("expected") && got[0].contains("nonce was used"));
        let got = answer_explanations(500, b"oops", &e);
        assert!(got[0].contains("likely for what was expected"), "{got:?}");
        assert!(answer_explanations(500, b"oops", &[])[0].contains("nothing in the request"));
        assert!(answer_explanations(302, b"", &e)[0].contains("took it"));
    }

    #[test]
    fn params_and_cookies_are_read_from_what_is_sent() {
        let h = |n: &str, v: &str| Header {
            name: n.into(),
            value: v.into(),
        };
        let p = params_of(
            "http://t.example/launch?a=1",
            b"id_token=x&state=s",
            &[h("Content-Type", "application/x-www-form-urlencoded")],
        );
        assert_eq!(p.len(), 3);
        assert!(params_of("http://t/", b"{\"a\":1}", &[]).is_empty());
        assert_eq!(
            cookie_names(&[h("Cookie", "a=1; lti_state=2")]),
            Some(vec!["a".into(), "lti_state".into()])
        );
        assert_eq!(cookie_names(&[]), None);
    }
}
