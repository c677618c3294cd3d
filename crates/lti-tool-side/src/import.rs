//! Import: launches recorded elsewhere — a browser's HAR file, a pasted id_token, a form body or
//! a claims object — brought into the Timeline as flows of their own (side `imported`), each
//! message validated as of the time it was recorded, against the registration of its platform.
//!
//! A HAR's LTI entries are grouped into flows the way a launch unfolds (login → authentication
//! request → id_token post, then a deep linking response); entries that are not LTI steps are
//! counted, not stored. Keys come from the registered platform's pasted key, a key set inside
//! the HAR, or — only when asked — the platform's JWKS fetched now.

use std::path::PathBuf;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use lti_core::error::{Error, Result};
use lti_core::events::EngineEvent;
use lti_core::messages::{self, params_of, StoredMessage};
use lti_core::store::{self, Direction, Header, NewExchange, NewFlow, Platform, Side};
use lti_core::uploads::ReadProgress;
use lti_protocol::finding::{Finding, Report};
use lti_protocol::har::{self, HarEntry, HarStep};
use lti_protocol::inspect::{self, InspectOptions, InspectedMessage};
use lti_protocol::jwk::Jwks;
use lti_protocol::jws::Jws;
use lti_protocol::message::{self, Detected};
use lti_protocol::vocab::message as msg_type;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use ts_rs::TS;

use crate::capture::platform_keys::{self, KeySource};
use crate::ToolSide;

/// What one import reads — a file's contents or a paste, or a file sent in pieces
/// (`import_upload`) — and the name to remember it by.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct ImportArgs {
    /// File name, or `paste`.
    pub name: String,
    /// The text itself (a paste, a small file); or give `upload_id`.
    #[serde(default)]
    #[ts(optional)]
    pub text: Option<String>,
    /// A finished upload (large files: read as a stream, with progress events).
    #[serde(default)]
    #[ts(optional)]
    pub upload_id: Option<String>,
    /// Fetch the platform's JWKS now when no key is at hand (keys may have rotated since).
    #[serde(default)]
    #[ts(optional)]
    pub fetch_keys: Option<bool>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct ImportedFlow {
    pub id: String,
    pub title: String,
    pub verdict: String,
    #[ts(type = "number")]
    pub started_at: i64,
    /// HAR entries (0-based) the flow was read from; empty for a paste.
    pub entries: Vec<usize>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct ImportSummary {
    pub name: String,
    /// har | compact_jwt | id_token_post | claims_json | …
    pub input_kind: String,
    /// Entries in the HAR (1 for a paste).
    pub entries: usize,
    /// Entries that were LTI steps, and so were stored.
    pub lti_entries: usize,
    /// Entries that were not, counted and left out.
    pub unrelated_entries: usize,
    pub flows: Vec<ImportedFlow>,
    /// Where the keys came from, and anything else worth knowing about this import.
    pub notes: Vec<String>,
}

/// Where an import reads from.
pub enum Source {
    Text(String),
    /// A file on this machine: a HAR is read as a stream (only its LTI entries and key sets are
    /// kept); `progress` hears (bytes read, entries read) about four times a second.
    File {
        path: PathBuf,
        progress: Arc<dyn Fn(u64, u64) + Send + Sync>,
    },
}

/// Imports one paste, text or uploaded file (see [`import_from`]).
pub async fn import(tool: &ToolSide, args: ImportArgs) -> Result<ImportSummary> {
    let fetch = args.fetch_keys.unwrap_or(false);
    match (args.text, args.upload_id) {
        (Some(text), None) => import_from(tool, &args.name, Source::Text(text), fetch).await,
        (None, Some(id)) => {
            let upload = tool.core().uploads().take(&id)?;
            let events = tool.core().events().clone();
            let total = upload.bytes;
            let progress = move |read: u64, entries: u64| {
                events.emit(EngineEvent::ImportProgress {
                    progress: ReadProgress {
                        upload_id: id.clone(),
                        read_bytes: read,
                        total_bytes: total,
                        entries,
                    },
                })
            };
            let source = Source::File {
                path: upload.path.clone(),
                progress: Arc::new(progress),
            };
            // The upload's file goes when `upload` drops, after the import read it.
            let out = import_from(tool, &args.name, source, fetch).await;
            drop(upload);
            out
        }
        _ => Err(Error::BadRequest(
            "an import reads either text or an upload_id, one of the two".into(),
        )),
    }
}

/// Imports one file or paste. Nothing is stored unless the whole import is: one transaction.
pub async fn import_from(
    tool: &ToolSide,
    name: &str,
    source: Source,
    fetch_keys: bool,
) -> Result<ImportSummary> {
    let span = tracing::info_span!("import", name = %name);
    tracing::Instrument::instrument(import_inner(tool, name, source, fetch_keys), span).await
}

async fn import_inner(
    tool: &ToolSide,
    name: &str,
    source: Source,
    fetch_keys: bool,
) -> Result<ImportSummary> {
    let now = lti_core::clock::now_secs();
    let imported_at_ms = lti_core::clock::now_ms();
    let read = match source {
        Source::Text(text) => read_text(&text)?,
        Source::File { path, progress } => read_file(path, progress).await?,
    };
    let input = match read {
        Read::Bundle(bundle) => return import_bundle(tool, name, *bundle, imported_at_ms).await,
        Read::Input(input) => input,
    };
    let platforms = tool
        .platform_cache()
        .all(tool.store())
        .await
        .unwrap_or_default();
    let first = input.first_token();
    let registration = first
        .as_ref()
        .and_then(|(iss, aud)| crate::registrations::find_in(&platforms, iss, aud.as_deref()));
    let mut notes = Vec::new();

    // Flows are created before any key is fetched, so a fetch is recorded in the first one.
    let plan = input.plan(imported_at_ms);
    if plan.is_empty() {
        return Err(Error::BadRequest(match &input {
            Input::Har { total, .. } => format!(
                "no LTI step among the HAR's {total} entries (no login initiation, authentication request, id_token or deep linking post)"
            ),
            Input::Single { .. } => "nothing to import".into(),
        }));
    }
    // Only the tool's messages (a pasted deep linking response): the platform's keys check
    // nothing here — none are looked for, fetched or reported.
    let tokens = input.signed_tokens();
    let only_tool = !tokens.is_empty() && tokens.iter().all(|j| is_tool_message(&j.payload));
    let (keys, key_note, flows_exist) = if only_tool {
        (None, String::new(), false)
    } else {
        keys_for(
            tool,
            &input,
            registration.as_ref(),
            first.as_ref().map(|(iss, _)| iss.as_str()),
            fetch_keys,
            &plan,
            name,
        )
        .await?
    };
    if !only_tool {
        notes.push(key_note.clone());
    }
    let (tool_jwks, tool_key_note) = tool_keys_for(tool, &input, registration.as_ref()).await;
    notes.extend(tool_key_note.clone());

    // An LTI 1.1 launch is verified with its registered consumer's secret, when there is one.
    let (oauth_key, oauth_secret) = match input.lti11_consumer_key() {
        Some(key) => match crate::lti11::consumers::lookup(tool, &key).await {
            Ok((_, Some(secret))) => (Some(key), Some(secret.expose().clone())),
            _ => {
                notes.push(format!("LTI 1.1 consumer key {key:?} has no registered secret: its signature was not checked."));
                (Some(key), None)
            }
        },
        None => (None, None),
    };
    let opts = InspectOptions {
        jwks: keys.as_deref().cloned(),
        tool_jwks,
        issuer: registration.as_ref().map(|p| p.issuer.clone()),
        client_id: registration.as_ref().map(|p| p.client_id.clone()),
        deployment_ids: registration.as_ref().and_then(|p| p.deployment_ids.clone()),
        nonce: None,
        at: None,
        oauth_key,
        oauth_secret,
        launch_url: None,
        strict: false,
    };
    if registration.is_none() {
        if let Some((iss, _)) = &first {
            notes.push(format!(
                "No registered platform has issuer {iss}: audience and deployment were not checked against a registration."
            ));
        }
    }
    let inspected = match &input {
        Input::Har { entries, steps, .. } => {
            let msgs = inspect::inspect_steps(steps, &opts, now);
            msgs.into_iter()
                .map(|m| {
                    let entry = m.entry.and_then(|i| har::entry_at(entries, i));
                    (m, entry.cloned())
                })
                .collect::<Vec<_>>()
        }
        Input::Single { text, .. } => {
            let out =
                inspect::inspect(text, &opts, now).map_err(|e| Error::BadRequest(e.to_string()))?;
            out.messages.into_iter().map(|m| (m, None)).collect()
        }
    };

    // What the platform's messages were checked with, kept beside them (re-check "as recorded",
    // bundles).
    let snapshot = (!only_tool)
        .then(|| {
            lti_core::key_snapshots::KeySnapshot::new(
                key_note.clone(),
                keys.as_deref().cloned(),
                registration.as_ref().map(|p| p.name.clone()),
                registration.as_ref().map(crate::capture::registration_view),
            )
        })
        .filter(|s| !s.is_empty());
    let groups = group(inspected);
    let profile = first
        .as_ref()
        .and_then(|(iss, _)| lti_protocol::lms::detect(iss, None));
    let name = name.to_string();
    let mut out_flows = Vec::new();
    let mut writes = Vec::new();
    for (group, flow) in groups.into_iter().zip(plan.iter()) {
        let mut stored = Vec::new();
        let mut summary = Map::new();
        let mut title = None;
        let mut entries = Vec::new();
        for (m, entry) in group {
            let mut sm = stored_message(&m, entry.as_ref(), &input);
            if sm.raw.is_some() && m.kind != "claims" && m.kind != "deep_linking_response" {
                sm.key_snapshot = snapshot.as_ref().map(|s| s.digest.clone());
            }
            // A signed message says which keys checked it (a claims object has no signature).
            if sm.raw.is_some() && m.kind != "claims" {
                let note = match (&tool_key_note, m.kind.as_str()) {
                    (Some(n), "deep_linking_response") => n,
                    _ => &key_note,
                };
                sm.report.findings.insert(0, key_note_finding(note));
            }
            // Claims objects are kept as unsigned tokens too, so one parse serves both.
            if let Some(raw) = &sm.raw {
                if let Ok(jws) = Jws::parse(raw) {
                    summary.extend(crate::capture::launch::summarize(
                        &jws.payload,
                        registration.as_ref(),
                        profile.as_ref().map(|p| p.name.as_str()),
                        &sm.report,
                    ));
                    if title.is_none() {
                        title = sm.message_type.as_ref().map(|t| {
                            let iss = jws.payload.get("iss").and_then(Value::as_str).unwrap_or("");
                            format!("{t} from {iss} (imported)")
                        });
                    }
                }
            }
            if let Some(e) = &entry {
                entries.push(e.index);
            }
            stored.push((sm, entry.map(|e| exchange_of(&e, &flow.id, step_of(&m)))));
        }
        summary.insert("imported_from".into(), json!(name));
        summary.insert("imported_at".into(), json!(rfc3339(imported_at_ms)));
        if !entries.is_empty() {
            summary.insert(
                "har_entries".into(),
                json!(entries
                    .iter()
                    .map(|i| i.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")),
            );
        }
        out_flows.push(ImportedFlow {
            id: flow.id.clone(),
            title: title.clone().unwrap_or_else(|| flow.title.clone()),
            verdict: String::new(),
            started_at: flow.started_at_ms,
            entries,
        });
        let kind = if stored
            .iter()
            .any(|(m, _)| m.message_type.as_deref() == Some(msg_type::DEEP_LINKING))
        {
            "deep_linking"
        } else if stored.iter().any(|(m, _)| m.kind == "lti11_launch") {
            "lti11_launch"
        } else {
            "lti13_launch"
        };
        let new = NewFlow {
            id: flow.id.clone(),
            side: Side::Imported,
            kind: kind.into(),
            started_at_ms: flow.started_at_ms,
            title: title.clone().unwrap_or_else(|| flow.title.clone()),
        };
        writes.push((new, stored, summary, title));
    }

    let ids: Vec<String> = out_flows.iter().map(|f| f.id.clone()).collect();
    let verdicts = tool
        .store()
        .write(move |tx| {
            if let Some(s) = &snapshot {
                lti_core::key_snapshots::save(tx, s)?;
            }
            let mut verdicts = Vec::new();
            for (flow, stored, summary, title) in writes {
                let fid = flow.id.clone();
                if flows_exist {
                    tx.execute(
                        "UPDATE flows SET kind = ?2 WHERE id = ?1",
                        [&flow.id, &flow.kind],
                    )?;
                } else {
                    store::flows::insert(tx, &flow)?;
                }
                for (i, (msg, ex)) in stored.into_iter().enumerate() {
                    let exchange_id = match ex {
                        Some(ex) => Some(store::exchanges::insert(tx, &ex)?.id),
                        None => None,
                    };
                    // The flow's summary facts ride on its first message; later ones add theirs.
                    let facts = if i == 0 { summary.clone() } else { Map::new() };
                    messages::add_message(tx, &fid, &msg, &facts, title.as_deref())?;
                    if let Some(xid) = exchange_id {
                        // The message just added is the flow's newest (the search index's
                        // insert moved last_insert_rowid on).
                        tx.execute(
                            "UPDATE messages SET exchange_id = ?1
                             WHERE id = (SELECT max(id) FROM messages WHERE flow_id = ?2)",
                            rusqlite::params![xid, fid],
                        )?;
                    }
                }
                let v: String =
                    tx.query_row("SELECT verdict FROM flows WHERE id = ?1", [&fid], |r| {
                        r.get(0)
                    })?;
                verdicts.push(v);
            }
            Ok(verdicts)
        })
        .await;
    let verdicts = match verdicts {
        Ok(v) => v,
        Err(e) => {
            // Flows created for the key fetch are taken back, so nothing is half there.
            let doomed = ids.clone();
            let _ = tool
                .store()
                .write(move |tx| {
                    for id in &doomed {
                        lti_core::tidy::delete_flow(tx, id, true)?;
                    }
                    Ok(())
                })
                .await;
            return Err(e);
        }
    };
    for (f, v) in out_flows.iter_mut().zip(verdicts) {
        f.verdict = v;
    }
    for id in &ids {
        messages::announce(tool.core(), id).await;
    }
    let (entries, lti_entries) = match &input {
        Input::Har { total, steps, .. } => (*total, steps.len()),
        Input::Single { .. } => (1, 1),
    };
    tracing::info!(flows = ids.len(), entries, lti_entries, "imported");
    Ok(ImportSummary {
        name,
        input_kind: input.kind(),
        entries,
        lti_entries,
        unrelated_entries: entries - lti_entries,
        flows: out_flows,
        notes,
    })
}

/// An export bundle (`lti_core::export`), when `text` is one.
fn read_bundle(text: &str) -> Result<Option<lti_core::export::BundleIn>> {
    let t = text.trim_start();
    let head: String = t.chars().take(512).collect();
    if !(t.starts_with('{') && head.contains(lti_core::export::BUNDLE_FORMAT)) {
        return Ok(None);
    }
    serde_json::from_str(t).map(Some).map_err(|e| {
        Error::BadRequest(format!(
            "this looks like an LTI Inspector bundle but cannot be read ({e}); nothing was imported"
        ))
    })
}

/// A bundle's flows, whole: exchanges, messages and findings as exported (not validated
/// again: re-check does that), on the `imported` side, with new ids when the old are taken.
async fn import_bundle(
    tool: &ToolSide,
    name: &str,
    bundle: lti_core::export::BundleIn,
    imported_at_ms: i64,
) -> Result<ImportSummary> {
    use base64::Engine as _;
    if bundle.format != lti_core::export::BUNDLE_FORMAT || bundle.version != 1 {
        return Err(Error::BadRequest(format!(
            "bundle format {:?} version {} is not one this version reads",
            bundle.format, bundle.version
        )));
    }
    let name = name.to_string();
    let file = name.clone();
    let redacted = bundle.redacted;
    let n_flows = bundle.flows.len();
    let n_exchanges: usize = bundle.flows.iter().map(|f| f.exchanges.len()).sum();
    let stamp = rfc3339(imported_at_ms);
    let out = tool
        .store()
        .write(move |tx| {
            for k in &bundle.key_snapshots {
                lti_core::key_snapshots::save(tx, k)?;
            }
            let mut out = Vec::new();
            for f in bundle.flows {
                let taken: bool = tx.query_row(
                    "SELECT EXISTS(SELECT 1 FROM flows WHERE id = ?1)",
                    [&f.flow.id],
                    |r| r.get(0),
                )?;
                let id = if taken {
                    lti_core::ids::sortable_id()
                } else {
                    f.flow.id.clone()
                };
                store::flows::insert(
                    tx,
                    &NewFlow {
                        id: id.clone(),
                        side: Side::Imported,
                        kind: f.flow.kind.clone(),
                        started_at_ms: f.flow.started_at,
                        title: f.flow.title.clone(),
                    },
                )?;
                for ex in &f.exchanges {
                    let body = |text: &str, b64: &Option<String>| match b64 {
                        Some(b) => base64::engine::general_purpose::STANDARD
                            .decode(b)
                            .unwrap_or_default(),
                        None => text.as_bytes().to_vec(),
                    };
                    let s = &ex.summary;
                    store::exchanges::insert(
                        tx,
                        &NewExchange {
                            flow_id: Some(id.clone()),
                            side: Side::Imported,
                            direction: s.direction,
                            step: s.step.clone(),
                            method: s.method.clone(),
                            url: s.url.clone(),
                            status: s.status,
                            started_at_ms: s.started_at,
                            duration_us: (s.duration_ms * 1000.0) as i64,
                            peer: s.peer.clone(),
                            request_headers: ex.request_headers.clone(),
                            request_body: body(&ex.request_body, &ex.request_body_base64),
                            request_truncated: s.request_truncated,
                            response_headers: ex.response_headers.clone(),
                            response_body: body(&ex.response_body, &ex.response_body_base64),
                            error: s.error.clone(),
                        },
                    )?;
                }
                let mut summary = f.flow.summary.clone();
                summary.remove("errors");
                summary.remove("warnings");
                summary.insert("imported_from".into(), json!(name));
                summary.insert("imported_at".into(), json!(stamp));
                summary.insert("original_side".into(), json!(f.flow.side.as_str()));
                for (i, m) in f.messages.iter().enumerate() {
                    let facts = if i == 0 { summary.clone() } else { Map::new() };
                    messages::add_message(tx, &id, m, &facts, Some(&f.flow.title))?;
                }
                if f.messages.is_empty() {
                    tx.execute(
                        "UPDATE flows SET summary_json = ?2 WHERE id = ?1",
                        rusqlite::params![id, Value::Object(summary).to_string()],
                    )?;
                }
                let verdict: String =
                    tx.query_row("SELECT verdict FROM flows WHERE id = ?1", [&id], |r| {
                        r.get(0)
                    })?;
                out.push(ImportedFlow {
                    id,
                    title: f.flow.title.clone(),
                    verdict,
                    started_at: f.flow.started_at,
                    entries: vec![],
                });
            }
            Ok(out)
        })
        .await?;
    for f in &out {
        messages::announce(tool.core(), &f.id).await;
    }
    let mut notes = vec![format!(
        "{n_flows} flow(s) and {n_exchanges} exchange(s) read back whole, findings as exported (re-check to validate them again)."
    )];
    if redacted {
        notes.push("The bundle was redacted: people are pseudonyms and token signatures were removed, so signatures cannot be verified again.".into());
    }
    Ok(ImportSummary {
        name: file,
        input_kind: "bundle".into(),
        entries: n_flows,
        lti_entries: n_flows,
        unrelated_entries: 0,
        flows: out,
        notes,
    })
}

/// What was read: a HAR's entries worth keeping (LTI steps and key sets, in file order, with
/// the LTI steps picked out) or one message.
enum Input {
    Har {
        entries: Vec<HarEntry>,
        steps: Vec<HarStep>,
        /// Entries in the file, kept or not.
        total: usize,
    },
    Single {
        text: String,
        detected: Detected,
    },
}

/// A flow to create, before its messages are known.
struct PlannedFlow {
    id: String,
    title: String,
    started_at_ms: i64,
}

/// What an import read: a bundle to restore, or something to validate.
enum Read {
    Bundle(Box<lti_core::export::BundleIn>),
    Input(Input),
}

fn read_text(text: &str) -> Result<Read> {
    let text = text.trim_start_matches('\u{feff}');
    Ok(match read_bundle(text)? {
        Some(bundle) => Read::Bundle(Box::new(bundle)),
        None => Read::Input(read_input(text)?),
    })
}

fn har_input(file: har::HarFile) -> Input {
    let steps = file
        .entries
        .iter()
        .filter(|e| e.is_lti())
        .map(HarEntry::step)
        .collect();
    Input::Har {
        entries: file.entries,
        steps,
        total: file.total,
    }
}

/// Tokens, form bodies, claims objects and bundles are read whole; a file that is none of
/// those and larger than this is refused instead of filling memory.
const WHOLE_FILE_MAX: u64 = 256 << 20;

/// Reads a file off the async threads, reporting progress while it goes.
async fn read_file(path: PathBuf, progress: Arc<dyn Fn(u64, u64) + Send + Sync>) -> Result<Read> {
    use std::sync::atomic::Ordering::Relaxed;
    let counters = Arc::new((AtomicU64::new(0), AtomicU64::new(0)));
    let c = counters.clone();
    let mut job = tokio::task::spawn_blocking(move || read_file_now(&path, &c.0, &c.1));
    let mut tick = tokio::time::interval(std::time::Duration::from_millis(250));
    loop {
        tokio::select! {
            done = &mut job => {
                progress(counters.0.load(Relaxed), counters.1.load(Relaxed));
                return done.map_err(|e| Error::Internal(format!("the import reader stopped: {e}")))?;
            }
            _ = tick.tick() => progress(counters.0.load(Relaxed), counters.1.load(Relaxed)),
        }
    }
}

fn read_file_now(path: &std::path::Path, read: &AtomicU64, entries: &AtomicU64) -> Result<Read> {
    use std::io::{BufRead, Read as _};
    use std::sync::atomic::Ordering::Relaxed;
    let file = std::fs::File::open(path)
        .map_err(|e| Error::BadRequest(format!("cannot read {}: {e}", path.display())))?;
    let size = file.metadata()?.len();
    // Counted below the buffer: serde reads a byte at a time from above it.
    let mut reader = std::io::BufReader::with_capacity(1 << 20, Counting { inner: file, read });
    // Only the start decides what the file is: a HAR is read as a stream.
    let head = reader.fill_buf()?;
    let bom = head.starts_with(b"\xef\xbb\xbf");
    let start = String::from_utf8_lossy(&head[if bom { 3 } else { 0 }..head.len().min(64 << 10)])
        .into_owned();
    let start = start.trim_start();
    if bom {
        reader.consume(3);
    }
    if har_like(start) && !start.contains(lti_core::export::BUNDLE_FORMAT) {
        let file = har::read_kept(
            &mut serde_json::Deserializer::from_reader(reader),
            har::worth_keeping,
            |n| entries.store(n as u64, Relaxed),
        )
        .map_err(unreadable_har)?;
        return Ok(Read::Input(har_input(file)));
    }
    if size > WHOLE_FILE_MAX {
        return Err(Error::BadRequest(format!(
            "the file is {} MB and not a HAR file (those are read as a stream); tokens, form bodies, claims objects and bundles are read whole, up to {} MB",
            size >> 20,
            WHOLE_FILE_MAX >> 20
        )));
    }
    let mut bytes = Vec::with_capacity(size as usize);
    reader.read_to_end(&mut bytes)?;
    let text = String::from_utf8(bytes).map_err(|_| {
        Error::BadRequest(
            "the file is not UTF-8 text (a HAR file, token, form body, claims object or bundle)"
                .into(),
        )
    })?;
    read_text(&text)
}

/// A reader that counts what passed through it, for progress.
struct Counting<'a, R> {
    inner: R,
    read: &'a AtomicU64,
}

impl<R: std::io::Read> std::io::Read for Counting<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read
            .fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
        Ok(n)
    }
}

/// Whether text (its start is enough) is meant as a HAR file: a JSON object with a `log`.
fn har_like(text: &str) -> bool {
    let end = text.char_indices().nth(4096).map_or(text.len(), |(i, _)| i);
    let head = &text[..end];
    head.trim_start().starts_with('{') && head.contains("\"log\"")
}

fn unreadable_har(e: har::HarError) -> Error {
    Error::BadRequest(format!(
        "this looks like a HAR file but cannot be read ({e}); nothing was imported"
    ))
}

fn read_input(text: &str) -> Result<Input> {
    let trimmed = text.trim_start();
    if trimmed.is_empty() {
        return Err(Error::BadRequest(
            "nothing to import: the input is empty".into(),
        ));
    }
    if trimmed.starts_with('{') {
        let kept = har::read_kept(
            &mut serde_json::Deserializer::from_str(trimmed),
            har::worth_keeping,
            |_| {},
        );
        match kept {
            Ok(file) => return Ok(har_input(file)),
            Err(e) if har_like(trimmed) => return Err(unreadable_har(e)),
            Err(_) => {}
        }
    }
    match message::detect(trimmed) {
        Detected::Unknown { reason } => Err(Error::BadRequest(format!(
            "not a HAR file, token, form body or claims object: {reason}"
        ))),
        detected => Ok(Input::Single {
            text: trimmed.to_string(),
            detected,
        }),
    }
}

impl Input {
    /// The consumer key of the first LTI 1.1 launch in the input.
    fn lti11_consumer_key(&self) -> Option<String> {
        let params: Vec<&[(String, String)]> = match self {
            Input::Har { steps, .. } => steps.iter().map(|s| s.params.as_slice()).collect(),
            Input::Single {
                detected: Detected::Lti11Launch { params },
                ..
            } => vec![params.as_slice()],
            Input::Single { .. } => vec![],
        };
        params.into_iter().find_map(|p| {
            p.iter()
                .find(|(k, _)| k == "oauth_consumer_key")
                .map(|(_, v)| v.clone())
        })
    }

    fn kind(&self) -> String {
        match self {
            Input::Har { .. } => "har".into(),
            Input::Single { detected, .. } => serde_json::to_value(detected)
                .ok()
                .and_then(|v| v.get("kind").and_then(Value::as_str).map(str::to_string))
                .unwrap_or_default(),
        }
    }

    /// The issuer and client (azp, else first aud) of the first token: whose keys and
    /// registration to use.
    fn first_token(&self) -> Option<(String, Option<String>)> {
        let payload: Option<Map<String, Value>> = match self {
            Input::Single {
                detected: Detected::ClaimsJson { claims, .. },
                ..
            } => Some(claims.clone()),
            _ => self.signed_tokens().into_iter().next().map(|j| j.payload),
        };
        let p = payload?;
        let iss = p.get("iss").and_then(Value::as_str)?.to_string();
        if is_tool_message(&p) {
            // A lone response: the platform is its audience, the client its issuer.
            let aud = match p.get("aud") {
                Some(Value::String(a)) => a.clone(),
                Some(Value::Array(a)) => a.first().and_then(Value::as_str)?.to_string(),
                _ => return None,
            };
            return Some((aud, Some(iss)));
        }
        Some((iss, lti_protocol::claims::client_of(&p)))
    }

    /// The tokens the tool signed (deep linking responses), parsed.
    fn tool_tokens(&self) -> Vec<Jws> {
        self.signed_tokens()
            .into_iter()
            .filter(|j| is_tool_message(&j.payload))
            .collect()
    }

    /// Every signed token the input carries (id_token and JWT posts, a pasted JWT), parsed.
    fn signed_tokens(&self) -> Vec<Jws> {
        let raws: Vec<&str> = match self {
            Input::Har { steps, .. } => steps
                .iter()
                .filter_map(|s| s.params.iter().find(|(k, _)| k == "JWT" || k == "id_token"))
                .map(|(_, v)| v.as_str())
                .collect(),
            Input::Single { detected, .. } => match detected {
                Detected::CompactJwt { token } => vec![token.as_str()],
                Detected::IdTokenPost { id_token, .. } => vec![id_token.as_str()],
                Detected::DeepLinkingResponsePost { jwt, .. } => vec![jwt.as_str()],
                _ => vec![],
            },
        };
        raws.into_iter()
            .filter_map(|r| Jws::parse(r).ok())
            .collect()
    }

    /// One flow per launch: the same grouping [`group`] applies to the validated messages,
    /// decided here from the raw steps so flows exist before keys are fetched.
    fn plan(&self, imported_at_ms: i64) -> Vec<PlannedFlow> {
        let kinds: Vec<(String, Option<i64>)> = match self {
            Input::Har { steps, entries, .. } => steps
                .iter()
                .map(|s| {
                    let at = har::entry_at(entries, s.index).and_then(|e| e.started_at_ms);
                    (step_kind(&s.params).to_string(), at)
                })
                .collect(),
            Input::Single { .. } => vec![("single".into(), None)],
        };
        let mut out: Vec<PlannedFlow> = Vec::new();
        let mut open = Grouper::default();
        for (kind, at) in kinds {
            if open.starts_new(&kind) {
                out.push(PlannedFlow {
                    id: lti_core::ids::sortable_id(),
                    title: "Imported launch".into(),
                    started_at_ms: at.unwrap_or(imported_at_ms),
                });
            }
            open.take(&kind);
        }
        out
    }
}

/// The message kind a raw HAR step will be read as (what `inspect` calls it).
fn step_kind(params: &[(String, String)]) -> &'static str {
    let has = |n: &str| params.iter().any(|(k, _)| k == n);
    if has("id_token") {
        "id_token"
    } else if has("JWT") {
        "deep_linking_response"
    } else if has("iss") && has("login_hint") {
        "login"
    } else if has("response_type") && has("scope") {
        "auth_request"
    } else if has("oauth_signature") && has("lti_message_type") {
        "lti11_launch"
    } else {
        "auth_error"
    }
}

/// Decides where each step of a HAR starts a new flow: at a login, at an authentication request
/// not preceded by its login, and at any answer (id_token, error) once the open flow has one —
/// except a deep linking response right after an id_token post, which closes that (deep
/// linking request's) flow. Decided from the raw steps, before validation reads message types.
#[derive(Default)]
struct Grouper {
    open: bool,
    has_auth: bool,
    answered: bool,
    dl_request: bool,
}

impl Grouper {
    fn starts_new(&self, kind: &str) -> bool {
        match kind {
            // A 1.1 launch is one signed post: a flow of its own.
            "login" | "single" | "lti11_launch" => true,
            "auth_request" => !self.open || self.has_auth || self.answered,
            "deep_linking_response" => !(self.open && self.dl_request),
            _ => !self.open || self.answered,
        }
    }

    fn take(&mut self, kind: &str) {
        if self.starts_new(kind) {
            *self = Grouper {
                open: true,
                ..Default::default()
            };
        }
        match kind {
            "auth_request" => self.has_auth = true,
            "login" | "single" => {}
            "deep_linking_response" => {
                self.answered = true;
                self.dl_request = false;
            }
            kind => {
                self.answered = true;
                self.dl_request = kind == "id_token";
            }
        }
    }
}

type Step = (InspectedMessage, Option<HarEntry>);

fn group(messages: Vec<Step>) -> Vec<Vec<Step>> {
    let mut out: Vec<Vec<Step>> = Vec::new();
    let mut g = Grouper::default();
    let single = messages.len() == 1 && messages[0].1.is_none();
    for (m, e) in messages {
        // The plan's input (the raw step), so plan and groups line up one to one.
        let kind = match &e {
            _ if single => "single",
            Some(entry) => step_kind(&entry.params),
            None => "id_token",
        };
        if g.starts_new(kind) || out.is_empty() {
            out.push(Vec::new());
        }
        g.take(kind);
        out.last_mut().expect("pushed above").push((m, e));
    }
    out
}

/// The exchange step name the flow view knows, for a message kind.
fn step_of(m: &InspectedMessage) -> &'static str {
    match m.kind.as_str() {
        "login" => "login",
        "auth_request" => "auth",
        "deep_linking_response" => "deep_link_response",
        "lti11_launch" => "lti11_launch",
        _ if m.message_type.as_deref() == Some(msg_type::DEEP_LINKING) => "deep_link",
        _ => "launch",
    }
}

/// What a HAR can say about the tool's state cookie on an id_token post. The cookie's name is
/// the tool's own, so the HAR can only show whether cookies went with the post; and Chrome's
/// sanitized export strips them all — then it is "not in the HAR", never a failure.
fn state_cookie_finding(e: &HarEntry) -> Finding {
    let cookies: Vec<&str> = e
        .request_headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("cookie"))
        .flat_map(|(_, v)| v.split(';'))
        .filter_map(|c| c.split_once('=').map(|(k, _)| k.trim()))
        .filter(|k| !k.is_empty())
        .collect();
    if cookies.is_empty() {
        Finding::skipped(
            "response.state",
            "No cookie is in the HAR for this post: a sanitized export (Chrome's strips cookies and Authorization headers) or a browser that withheld a cross-site cookie. Whether the tool got its state cookie cannot be told from this file.",
        )
    } else {
        Finding::skipped(
            "response.state",
            format!(
                "The browser sent cookies with this post ({}): the tool compares its own state cookie among them, which a HAR cannot check for it.",
                cookies.join(", ")
            ),
        )
    }
}

fn stored_message(m: &InspectedMessage, entry: Option<&HarEntry>, input: &Input) -> StoredMessage {
    let mut report = Report::new();
    for f in &m.findings {
        report.push(f.clone());
    }
    if let (Some(e), "id_token") = (entry, m.kind.as_str()) {
        report.push(state_cookie_finding(e));
    }
    let params: Option<Vec<(String, String)>> = match (entry, input) {
        (Some(e), _) => Some(e.params.clone()),
        (
            None,
            Input::Single {
                detected:
                    Detected::IdTokenPost { params, .. }
                    | Detected::DeepLinkingResponsePost { params, .. }
                    | Detected::AuthErrorPost { params, .. }
                    | Detected::LoginInitiation { params }
                    | Detected::AuthRequest { params }
                    | Detected::Lti11Launch { params },
                ..
            },
        ) => Some(params.clone()),
        _ => None,
    };
    let token_param = |p: &[(String, String)]| {
        p.iter()
            .find(|(k, _)| k == "id_token" || k == "JWT")
            .map(|(_, v)| v.clone())
    };
    let raw = match (&params, input) {
        (Some(p), _) if token_param(p).is_some() => token_param(p),
        (
            _,
            Input::Single {
                detected: Detected::CompactJwt { token },
                ..
            },
        ) => Some(token.clone()),
        // A claims object is kept as an unsigned token (alg "none"): the flow view decodes and
        // explains it like any launch, and a replay can send it.
        (
            _,
            Input::Single {
                detected: Detected::ClaimsJson { claims, .. },
                ..
            },
        ) => Some(unsigned_token(claims)),
        _ => None,
    };
    let params = params.map(|p| {
        params_of(
            &p.into_iter()
                .filter(|(k, _)| k != "id_token" && k != "JWT")
                .collect::<Vec<_>>(),
        )
    });
    let kind = match m.kind.as_str() {
        "auth_error" => "auth_response",
        "deep_linking_response" => "deep_linking_response",
        k => k,
    };
    StoredMessage {
        kind: kind.into(),
        step: step_of(m).into(),
        raw,
        params,
        verdict: report.verdict(),
        counts: report.counts(),
        report,
        message_type: m.message_type.clone(),
        validated_at: m.validated_at,
        key_snapshot: None,
    }
}

/// `claims` as an unsigned compact JWT (`alg: none`, empty signature).
fn unsigned_token(claims: &Map<String, Value>) -> String {
    use base64::Engine as _;
    let b64 = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    format!(
        "{}.{}.",
        b64(&json!({"alg": "none", "typ": "JWT"})),
        b64(&Value::Object(claims.clone()))
    )
}

fn exchange_of(e: &HarEntry, flow_id: &str, step: &str) -> NewExchange {
    let headers = |h: &[(String, String)]| {
        h.iter()
            .map(|(n, v)| Header {
                name: n.clone(),
                value: v.clone(),
            })
            .collect()
    };
    NewExchange {
        flow_id: Some(flow_id.into()),
        side: Side::Imported,
        direction: Direction::Inbound,
        step: Some(step.into()),
        method: e.method.clone(),
        url: e.url.clone(),
        status: e.status,
        started_at_ms: e.started_at_ms.unwrap_or(0),
        duration_us: e
            .duration_ms
            .map(|ms| (ms * 1000.0).min(i64::MAX as f64) as i64)
            .unwrap_or(0),
        peer: Some(format!("HAR entry {}", e.index)),
        request_headers: headers(&e.request_headers),
        request_body: e.request_body.clone(),
        request_truncated: false,
        response_headers: headers(&e.response_headers),
        response_body: e.response_body.clone(),
        error: None,
    }
}

fn is_tool_message(p: &Map<String, Value>) -> bool {
    p.get(lti_protocol::vocab::claim::MESSAGE_TYPE)
        .and_then(Value::as_str)
        .is_some_and(lti_protocol::validate::is_tool_originated)
}

/// The keys the tool's messages (deep linking responses) are checked with — the tool's, never
/// the platform's — and a sentence saying where they came from. None when there is no such
/// message.
async fn tool_keys_for(
    tool: &ToolSide,
    input: &Input,
    registration: Option<&Platform>,
) -> (Option<Jwks>, Option<String>) {
    let tokens = input.tool_tokens();
    let Some(first) = tokens.first() else {
        return (None, None);
    };
    let client = first
        .payload
        .get("iss")
        .and_then(Value::as_str)
        .unwrap_or("(no iss)")
        .to_string();
    let kid = first.kid().map(str::to_string);
    // This inspector's own tool side answered (the composer): its client_id is the
    // registration's, and its key is at hand.
    if registration.is_some_and(|r| r.client_id == client) {
        if let Ok(own) = tool
            .keys()
            .jwks(lti_core::signing_keys::KeyRole::Tool)
            .await
        {
            if own.select(kid.as_deref()).is_some() {
                return (
                    Some(own),
                    Some(format!("Deep linking responses were checked with this inspector's own tool key: their iss {client} is the registration's client_id.")),
                );
            }
        }
    }
    if let Input::Har { entries, .. } = input {
        for e in entries {
            if let Some(set) = e.response_jwks() {
                if kid.is_some() && set.select(kid.as_deref()).is_some() {
                    return (
                        Some(set),
                        Some(format!(
                            "Deep linking responses were checked with the tool's key set found in the HAR: entry {} ({}).",
                            e.index, e.url
                        )),
                    );
                }
            }
        }
    }
    (
        None,
        Some(format!(
            "Deep linking responses are signed with the tool's key (client {client}), not the platform's: unverified. Give the tool's keys: `lti-inspector inspect --tool-jwks <the tool's JWKS URL from its registration>`."
        )),
    )
}

fn key_note_finding(note: &str) -> Finding {
    Finding::pass("import.keys", note.to_string())
}

/// The key set to verify with, and a sentence saying where it came from.
async fn keys_for(
    tool: &ToolSide,
    input: &Input,
    registration: Option<&Platform>,
    iss: Option<&str>,
    fetch: bool,
    plan: &[PlannedFlow],
    name: &str,
) -> Result<(Option<Arc<Jwks>>, String, bool)> {
    if let Some(p) = registration.and_then(|p| p.public_jwks.as_ref()) {
        return Ok((
            Some(Arc::new(p.clone())),
            format!(
                "Checked with the key pasted into the registration {:?}.",
                registration.map(|r| r.name.as_str()).unwrap_or_default()
            ),
            false,
        ));
    }
    if let Input::Har { entries, .. } = input {
        let mut keys = Vec::new();
        let mut from = Vec::new();
        for e in entries {
            if let Some(set) = e.response_jwks() {
                from.push(format!("entry {} ({})", e.index, e.url));
                keys.extend(set.keys);
            }
        }
        if !keys.is_empty() {
            return Ok((
                Some(Arc::new(Jwks { keys })),
                format!(
                    "Checked with the key set found in the HAR: {}.",
                    from.join(", ")
                ),
                false,
            ));
        }
    }
    let profile = iss.and_then(|i| lti_protocol::lms::detect(i, None));
    let url = crate::capture::jwks_url(registration, profile.as_ref());
    if !fetch {
        return Ok((
            None,
            match url {
                Some(u) => format!("Signatures were not checked: no pasted key and no key set in {name}. Import again with \"fetch keys\" to fetch {u} now (keys may have rotated since the launch)."),
                None => "Signatures were not checked: no registered platform key, no key set in the file and no JWKS URL known for this issuer.".into(),
            },
            false,
        ));
    }
    let Some(url) = url else {
        return Ok((
            None,
            "Signatures were not checked: no JWKS URL is known for this issuer (register the platform with its JWKS URL).".into(),
            false,
        ));
    };
    // The fetch is recorded in the first flow: it must exist first.
    let first = plan.first().expect("a plan has flows");
    let new = NewFlow {
        id: first.id.clone(),
        side: Side::Imported,
        kind: "lti13_launch".into(),
        started_at_ms: first.started_at_ms,
        title: first.title.clone(),
    };
    let rest: Vec<NewFlow> = plan[1..]
        .iter()
        .map(|f| NewFlow {
            id: f.id.clone(),
            side: Side::Imported,
            kind: "lti13_launch".into(),
            started_at_ms: f.started_at_ms,
            title: f.title.clone(),
        })
        .collect();
    tool.store()
        .write(move |tx| {
            store::flows::insert(tx, &new)?;
            for f in &rest {
                store::flows::insert(tx, f)?;
            }
            Ok(())
        })
        .await?;
    let (set, source) =
        platform_keys::resolve(tool.core(), &first.id, None, Some(&url), None).await;
    let note = match source {
        KeySource::Fetched { url } | KeySource::Cached { url } => format!(
            "Checked with the JWKS fetched from {url} at import time: if the platform rotated its keys since the launch, its kid may be missing now."
        ),
        KeySource::Failed { url, problem } => {
            format!("Signatures were not checked: fetching {url} failed ({problem}).")
        }
        KeySource::Pasted | KeySource::None => "Signatures were not checked.".into(),
    };
    Ok((set, note, true))
}

fn rfc3339(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| ms.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(steps: &[&str]) -> Vec<usize> {
        let mut g = Grouper::default();
        let mut starts = Vec::new();
        for (i, k) in steps.iter().enumerate() {
            if g.starts_new(k) {
                starts.push(i);
            }
            g.take(k);
        }
        starts
    }

    #[test]
    fn a_launch_is_login_auth_and_answer() {
        assert_eq!(kinds(&["login", "auth_request", "id_token"]), vec![0]);
        assert_eq!(
            kinds(&[
                "login",
                "auth_request",
                "id_token",
                "login",
                "auth_request",
                "auth_error"
            ]),
            vec![0, 3]
        );
    }

    #[test]
    fn lone_answers_each_get_a_flow() {
        assert_eq!(kinds(&["id_token", "id_token"]), vec![0, 1]);
        assert_eq!(
            kinds(&["auth_request", "auth_request", "id_token"]),
            vec![0, 1]
        );
    }

    #[test]
    fn a_deep_linking_response_closes_its_request_flow() {
        assert_eq!(
            kinds(&["login", "auth_request", "id_token", "deep_linking_response"]),
            vec![0]
        );
        assert_eq!(
            kinds(&["deep_linking_response", "deep_linking_response"]),
            vec![0, 1]
        );
    }
}
