//! Export flows (issue 11, item 4): as HAR 1.2 (opens in browser devtools and other HAR
//! viewers; each entry also carries `_lti` with its flow, step and side) or as a bundle that
//! `import` reads back whole (exchanges, messages with their findings, flow facts). Redaction is
//! on by default ([`redact`]): people become pseudonyms, secrets are removed, and the result
//! says what was. Private keys are never in the store, so never in an export.

pub mod redact;

use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::messages::StoredMessage;
use crate::store::{self, Exchange, FlowSummary};
use redact::Redactor;

pub const BUNDLE_FORMAT: &str = "lti-inspector-bundle";

/// A bundle as `import` reads it back.
#[derive(Debug, Deserialize)]
pub struct BundleIn {
    pub format: String,
    pub version: u32,
    #[serde(default)]
    pub redacted: bool,
    pub flows: Vec<BundleFlow>,
    /// The keys and registrations the messages were checked with (public keys only).
    #[serde(default)]
    pub key_snapshots: Vec<crate::key_snapshots::KeySnapshot>,
}

#[derive(Debug, Deserialize)]
pub struct BundleFlow {
    pub flow: FlowSummary,
    #[serde(default)]
    pub exchanges: Vec<Exchange>,
    #[serde(default)]
    pub messages: Vec<StoredMessage>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    Har,
    Bundle,
}

#[derive(Debug, Clone, Deserialize, TS)]
pub struct ExportArgs {
    /// The flows to export (or use `query`).
    #[serde(default)]
    #[ts(optional)]
    pub flow_ids: Option<Vec<String>>,
    /// A filter-box query: every flow it finds (up to 5,000).
    #[serde(default)]
    #[ts(optional)]
    pub query: Option<String>,
    pub format: ExportFormat,
    /// Default true: pseudonyms for people, secrets removed.
    #[serde(default)]
    #[ts(optional)]
    pub redact: Option<bool>,
    /// Write the file here (the desktop app and the CLI); without it the content is returned.
    #[serde(default)]
    #[ts(optional)]
    pub path: Option<String>,
    /// Write the file into the user's Downloads folder (the desktop app: a webview has no
    /// download manager of its own).
    #[serde(default)]
    #[ts(optional)]
    pub to_downloads: Option<bool>,
    /// Only say what would be exported and removed.
    #[serde(default)]
    #[ts(optional)]
    pub preview: Option<bool>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct Removed {
    pub what: String,
    pub count: usize,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct ExportResult {
    pub format: ExportFormat,
    pub file_name: String,
    pub flows: usize,
    pub exchanges: usize,
    pub redacted: bool,
    /// What redaction replaced or removed, by kind.
    pub removed: Vec<Removed>,
    #[ts(type = "number")]
    pub bytes: u64,
    #[ts(optional = nullable)]
    pub path: Option<String>,
    /// The file's content, when no path was given and this is not a preview.
    #[ts(optional = nullable)]
    pub content: Option<String>,
}

/// One flow, whole, as read for an export.
pub struct FlowData {
    pub flow: FlowSummary,
    pub exchanges: Vec<Exchange>,
    pub messages: Vec<StoredMessage>,
    /// The snapshots its messages name ([`crate::key_snapshots`]).
    pub key_snapshots: Vec<crate::key_snapshots::KeySnapshot>,
}

/// Reads `ids` whole (unknown ids are an error: an export must not silently miss a flow).
pub fn read(conn: &Connection, ids: &[String]) -> Result<Vec<FlowData>> {
    let mut out = Vec::new();
    for id in ids {
        let flow =
            store::flows::get(conn, id)?.ok_or_else(|| Error::NotFound(format!("flow {id}")))?;
        let mut summaries = store::exchanges::list(conn, 100_000, None, Some(id))?;
        summaries.reverse();
        let exchanges = summaries
            .iter()
            .map(|s| store::exchanges::get(conn, s.id))
            .collect::<Result<Vec<_>>>()?;
        let mut stmt =
            conn.prepare_cached("SELECT report_json FROM messages WHERE flow_id = ?1 ORDER BY id")?;
        let messages = stmt
            .query_map([id], |r| r.get::<_, crate::message_rows::Packed>(0))?
            .filter_map(|j| {
                let json = j.ok()?.json(conn).ok()?;
                crate::message_rows::decode(&json).ok()
            })
            .collect::<Vec<StoredMessage>>();
        let mut key_snapshots = Vec::new();
        for digest in messages.iter().filter_map(|m| m.key_snapshot.as_deref()) {
            if key_snapshots
                .iter()
                .any(|k: &crate::key_snapshots::KeySnapshot| k.digest == digest)
            {
                continue;
            }
            key_snapshots.extend(crate::key_snapshots::get(conn, digest)?);
        }
        out.push(FlowData {
            flow,
            exchanges,
            messages,
            key_snapshots,
        });
    }
    Ok(out)
}

/// Learns every personal value and secret of the flows (before anything is written).
pub fn learn(r: &mut Redactor, flows: &[FlowData]) {
    for f in flows {
        for ex in &f.exchanges {
            for h in ex.request_headers.iter().chain(&ex.response_headers) {
                r.learn_header(&h.name, &h.value);
            }
            if let Ok(u) = url::Url::parse(&ex.summary.url) {
                let q: Vec<(String, String)> = u
                    .query_pairs()
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect();
                r.learn_params(&q);
            }
            if ex.request_body_base64.is_none() {
                r.learn_body(&ex.request_body);
            }
            if ex.response_body_base64.is_none() {
                r.learn_body(&ex.response_body);
            }
        }
        for m in &f.messages {
            if let Some(raw) = &m.raw {
                r.learn_jwt(raw);
            }
            if let Some(ps) = &m.params {
                let pairs: Vec<(String, String)> = ps
                    .iter()
                    .map(|p| (p.name.clone(), p.value.clone()))
                    .collect();
                r.learn_params(&pairs);
            }
        }
        if let Some(u) = f.flow.summary.get("user").and_then(Value::as_str) {
            if u != "anonymous" && !u.starts_with("sub ") {
                r.personal("name", u);
            }
        }
    }
}

fn rfc3339_ms(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// A body for the file: text (redacted when asked), or base64 for binary — dropped when
/// redacting, since it cannot be searched for what it holds.
fn out_body(
    r: Option<&mut Redactor>,
    text: &str,
    b64: Option<&str>,
) -> (String, Option<&'static str>) {
    match (r, b64) {
        (Some(_), Some(_)) => ("[binary body removed by redaction]".into(), None),
        (None, Some(b)) => (b.to_string(), Some("base64")),
        (Some(r), None) => (r.body(text), None),
        (None, None) => (text.to_string(), None),
    }
}

fn header_of<'a>(hs: &'a [store::Header], name: &str) -> Option<&'a str> {
    hs.iter()
        .find(|h| h.name.eq_ignore_ascii_case(name))
        .map(|h| h.value.as_str())
}

/// HAR 1.2: one entry per exchange, oldest first.
pub fn har(flows: &[FlowData], mut r: Option<&mut Redactor>, version: &str) -> Value {
    let mut entries = Vec::new();
    for f in flows {
        for ex in &f.exchanges {
            let s = &ex.summary;
            let mut hv = |name: &str, value: &str| match r.as_deref_mut() {
                Some(r) => r.header(name, value),
                None => value.to_string(),
            };
            let req_headers: Vec<Value> = ex
                .request_headers
                .iter()
                .map(|h| json!({"name": h.name, "value": hv(&h.name, &h.value)}))
                .collect();
            let res_headers: Vec<Value> = ex
                .response_headers
                .iter()
                .map(|h| json!({"name": h.name, "value": hv(&h.name, &h.value)}))
                .collect();
            let url = match r.as_deref_mut() {
                Some(r) => r.url(&s.url),
                None => s.url.clone(),
            };
            let query: Vec<Value> = url::Url::parse(&url)
                .map(|u| {
                    u.query_pairs()
                        .map(|(k, v)| json!({"name": k, "value": v}))
                        .collect()
                })
                .unwrap_or_default();
            let (req_text, req_enc) = out_body(
                r.as_deref_mut(),
                &ex.request_body,
                ex.request_body_base64.as_deref(),
            );
            let (res_text, res_enc) = out_body(
                r.as_deref_mut(),
                &ex.response_body,
                ex.response_body_base64.as_deref(),
            );
            let mut request = json!({
                "method": s.method, "url": url, "httpVersion": "HTTP/1.1",
                "headers": req_headers, "queryString": query, "cookies": [],
                "headersSize": -1, "bodySize": s.request_bytes,
            });
            if !ex.request_body.is_empty() || ex.request_body_base64.is_some() {
                let mime = header_of(&ex.request_headers, "content-type")
                    .unwrap_or("application/octet-stream");
                let mut pd = json!({"mimeType": mime, "text": req_text});
                if let Some(e) = req_enc {
                    pd["encoding"] = json!(e);
                }
                request["postData"] = pd;
            }
            let mut content = json!({
                "size": s.response_bytes,
                "mimeType": header_of(&ex.response_headers, "content-type").unwrap_or(""),
                "text": res_text,
            });
            if let Some(e) = res_enc {
                content["encoding"] = json!(e);
            }
            entries.push(json!({
                "startedDateTime": rfc3339_ms(s.started_at),
                "time": s.duration_ms,
                "request": request,
                "response": {
                    "status": s.status.unwrap_or(0), "statusText": "", "httpVersion": "HTTP/1.1",
                    "headers": res_headers, "cookies": [], "content": content,
                    "redirectURL": header_of(&ex.response_headers, "location").map(|l| match r.as_deref_mut() { Some(r) => r.url(l), None => l.to_string() }).unwrap_or_default(),
                    "headersSize": -1, "bodySize": s.response_bytes,
                },
                "cache": {},
                "timings": {"send": 0, "wait": s.duration_ms, "receive": 0},
                "_lti": {"flow": f.flow.id, "flowTitle": f.flow.title, "step": s.step, "side": s.side, "direction": s.direction},
            }));
        }
    }
    entries.sort_by(|a, b| {
        a["startedDateTime"]
            .as_str()
            .cmp(&b["startedDateTime"].as_str())
    });
    json!({"log": {
        "version": "1.2",
        "creator": {"name": "LTI Inspector", "version": version},
        "pages": [],
        "entries": entries,
    }})
}

/// The bundle: every flow whole, for `import` to read back.
pub fn bundle(
    flows: &[FlowData],
    mut r: Option<&mut Redactor>,
    version: &str,
    exported_at_ms: i64,
) -> Value {
    let mut out = Vec::new();
    for f in flows {
        let mut flow = serde_json::to_value(&f.flow).unwrap_or_default();
        let mut exchanges = Vec::new();
        for ex in &f.exchanges {
            let mut v = serde_json::to_value(ex).unwrap_or_default();
            if let Some(r) = r.as_deref_mut() {
                v["summary"]["url"] = json!(r.url(&ex.summary.url));
                for (key, hs) in [
                    ("request_headers", &ex.request_headers),
                    ("response_headers", &ex.response_headers),
                ] {
                    v[key] = json!(hs
                        .iter()
                        .map(|h| json!({"name": h.name, "value": r.header(&h.name, &h.value)}))
                        .collect::<Vec<_>>());
                }
                let (rq, _) =
                    out_body(Some(r), &ex.request_body, ex.request_body_base64.as_deref());
                let (rs, _) = out_body(
                    Some(r),
                    &ex.response_body,
                    ex.response_body_base64.as_deref(),
                );
                v["request_body"] = json!(rq);
                v["response_body"] = json!(rs);
                v["request_body_base64"] = Value::Null;
                v["response_body_base64"] = Value::Null;
            }
            exchanges.push(v);
        }
        let mut messages = Vec::new();
        for m in &f.messages {
            let v = serde_json::to_value(m).unwrap_or_default();
            messages.push(match r.as_deref_mut() {
                Some(r) => r.json(&v),
                None => v,
            });
        }
        if let Some(r) = r.as_deref_mut() {
            flow = r.json(&flow);
        }
        out.push(json!({"flow": flow, "exchanges": exchanges, "messages": messages}));
    }
    // Public keys and the registration's fields; a redacted file gets the same pseudonyms
    // there (a client id, an issuer) as in its messages, so they still match each other.
    let mut snapshots: Vec<Value> = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for k in flows.iter().flat_map(|f| &f.key_snapshots) {
        if seen.contains(&k.digest.as_str()) {
            continue;
        }
        seen.push(&k.digest);
        let v = serde_json::to_value(k).unwrap_or_default();
        snapshots.push(match r.as_deref_mut() {
            Some(r) => r.json(&v),
            None => v,
        });
    }
    json!({
        "format": BUNDLE_FORMAT,
        "version": 1,
        "creator": {"name": "LTI Inspector", "version": version},
        "exported_at": rfc3339_ms(exported_at_ms),
        "redacted": r.is_some(),
        "flows": out,
        "key_snapshots": snapshots,
    })
}

/// A file name for an export of `n` flows at `ms`.
pub fn file_name(format: ExportFormat, n: usize, first: Option<&str>, ms: i64) -> String {
    let stamp = rfc3339_ms(ms)
        .replace([':', '-'], "")
        .chars()
        .take(15)
        .collect::<String>();
    let what = match (n, first) {
        (1, Some(id)) => format!("flow-{id}"),
        _ => format!("{n}-flows"),
    };
    let ext = match format {
        ExportFormat::Har => "har",
        ExportFormat::Bundle => "lti-bundle.json",
    };
    format!("lti-inspector-{what}-{stamp}.{ext}")
}

/// Builds the export of `flows` (everything read already): the file's text and what was removed.
pub fn build(
    flows: &[FlowData],
    format: ExportFormat,
    redact: bool,
    version: &str,
    now_ms: i64,
) -> (String, Vec<Removed>) {
    let mut r = Redactor::new();
    if redact {
        learn(&mut r, flows);
    }
    let rr = if redact { Some(&mut r) } else { None };
    let v = match format {
        ExportFormat::Har => har(flows, rr, version),
        ExportFormat::Bundle => bundle(flows, rr, version, now_ms),
    };
    let removed = r
        .removed
        .iter()
        .map(|(what, count)| Removed {
            what: what.clone(),
            count: *count,
        })
        .collect();
    (
        serde_json::to_string_pretty(&v).expect("JSON serializes"),
        removed,
    )
}

/// Runs an export: finds the flows, reads them, builds the file, writes it or returns it.
pub async fn run(store: &crate::store::Store, args: ExportArgs) -> Result<ExportResult> {
    let span = tracing::info_span!("export", format = ?args.format);
    tracing::Instrument::instrument(run_inner(store, args), span).await
}

async fn run_inner(store: &crate::store::Store, args: ExportArgs) -> Result<ExportResult> {
    let ids: Vec<String> = match (&args.flow_ids, &args.query) {
        (Some(ids), _) if !ids.is_empty() => ids.clone(),
        (_, Some(q)) if !q.trim().is_empty() => {
            let query = crate::search::parse(q);
            crate::search::index_all_pending(store).await?;
            store
                .read(move |c| crate::search::search(c, &query, 5000, None))
                .await?
                .into_iter()
                .map(|f| f.id)
                .collect()
        }
        _ => {
            return Err(Error::BadRequest(
                "say which flows to export: flow ids or a search query".into(),
            ))
        }
    };
    if ids.is_empty() {
        return Err(Error::BadRequest(
            "no flow matches: nothing to export".into(),
        ));
    }
    let read_ids = ids.clone();
    let flows = store.read(move |c| read(c, &read_ids)).await?;
    let redact = args.redact.unwrap_or(true);
    let now = crate::clock::now_ms();
    let format = args.format;
    let exchanges = flows.iter().map(|f| f.exchanges.len()).sum();
    let (text, removed) = tokio::task::spawn_blocking(move || {
        build(&flows, format, redact, env!("CARGO_PKG_VERSION"), now)
    })
    .await
    .map_err(|e| Error::Internal(e.to_string()))?;
    let name = file_name(format, ids.len(), ids.first().map(String::as_str), now);
    let mut result = ExportResult {
        format,
        file_name: name.clone(),
        flows: ids.len(),
        exchanges,
        redacted: redact,
        removed,
        bytes: text.len() as u64,
        path: None,
        content: None,
    };
    if args.preview.unwrap_or(false) {
        return Ok(result);
    }
    let path = match (&args.path, args.to_downloads.unwrap_or(false)) {
        (Some(p), _) => Some(p.clone()),
        (None, true) => Some(downloads_dir()?.display().to_string()),
        (None, false) => None,
    };
    match &path {
        Some(p) => {
            let mut path = std::path::PathBuf::from(p);
            if path.is_dir() {
                path.push(&name);
            }
            std::fs::write(&path, text.as_bytes()).map_err(|e| {
                Error::BadRequest(format!(
                    "cannot write the export to {}: {e}",
                    path.display()
                ))
            })?;
            tracing::info!(path = %path.display(), flows = result.flows, redact, "exported");
            result.path = Some(path.display().to_string());
        }
        None => result.content = Some(text),
    }
    Ok(result)
}

/// `$XDG_DOWNLOAD_DIR`, else `~/Downloads` (created when missing).
fn downloads_dir() -> Result<std::path::PathBuf> {
    let dir = std::env::var_os("XDG_DOWNLOAD_DIR")
        .map(std::path::PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .or_else(|| std::env::var_os("USERPROFILE"))
                .map(|h| std::path::PathBuf::from(h).join("Downloads"))
        })
        .ok_or_else(|| Error::BadRequest("no Downloads folder: no home folder is set".into()))?;
    std::fs::create_dir_all(&dir)
        .map_err(|e| Error::BadRequest(format!("cannot create {}: {e}", dir.display())))?;
    Ok(dir)
}
