//! Recording what the emulator saw: each request's findings about the tool become a message of
//! the request's flow (created here when the request starts one), so the Timeline shows the
//! emulator's side of a launch or a service session with a verdict, like the tool side's.

use lti_protocol::finding::Report;
use serde_json::{json, Map, Value};

use lti_core::messages::{self, Param, StoredMessage};
use lti_core::recorder::ExchangeNotes;
use lti_core::store::{self, NewFlow, Side};

/// A message of `kind` recorded at `step`, its verdict and counts taken from the report.
pub(super) fn message(kind: &str, step: &str, report: Report) -> StoredMessage {
    StoredMessage::of_report(kind, step, report)
}

pub(super) fn with_params(mut msg: StoredMessage, params: &[(String, String)]) -> StoredMessage {
    msg.params = Some(messages::params_of(params));
    msg
}

pub(super) fn with_raw(
    mut msg: StoredMessage,
    raw: &str,
    message_type: Option<String>,
) -> StoredMessage {
    msg.raw = Some(raw.to_string());
    msg.message_type = message_type;
    msg
}

/// A JSON body shown as one parameter, for service requests.
pub(super) fn body_param(name: &str, body: &[u8]) -> Vec<Param> {
    let text = String::from_utf8_lossy(body);
    vec![Param {
        name: name.into(),
        value: text.chars().take(64 * 1024).collect(),
    }]
}

/// Flow facts of the emulator side.
pub(super) fn summary(pairs: &[(&str, &str)]) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("platform".into(), json!("LTI Inspector emulator"));
    for (k, v) in pairs {
        if !v.is_empty() {
            m.insert((*k).into(), json!(v));
        }
    }
    m
}

/// A new emulator-side flow.
pub(super) fn new_flow(kind: &str, title: String) -> NewFlow {
    messages::new_flow(Side::Emulator, kind, title)
}

/// Stores the messages in the flow (creating it first when new) and ties the exchange to it —
/// in the exchange's own transaction, committed before the response leaves (the flow must
/// exist before the exchange row refers to it, so it is written first in that transaction).
pub(super) fn save(
    notes: &ExchangeNotes,
    flow: Flow,
    step: &str,
    messages: Vec<StoredMessage>,
    summary: Map<String, Value>,
    title: Option<String>,
) {
    save_with(notes, flow, step, messages, summary, title, |_| Ok(()));
}

/// [`save`], running `also` in the same transaction.
pub(super) fn save_with(
    notes: &ExchangeNotes,
    flow: Flow,
    step: &str,
    messages: Vec<StoredMessage>,
    summary: Map<String, Value>,
    title: Option<String>,
    also: impl FnOnce(&rusqlite::Transaction) -> lti_core::Result<()> + Send + 'static,
) {
    let flow_id = flow.id().to_string();
    let new = match flow {
        Flow::New(f) => Some(f),
        Flow::Existing(_) => None,
    };
    // Encoded here, on the request's thread, not on the single writer.
    let encoded: lti_core::Result<Vec<messages::EncodedMessage>> =
        messages.iter().map(messages::encode).collect();
    notes.set_flow(&flow_id);
    notes.set_step(step);
    notes.defer_write(move |tx| {
        let messages = encoded?;
        if let Some(f) = &new {
            store::flows::insert(tx, f)?;
        }
        also(tx)?;
        if messages.is_empty() && !summary.is_empty() {
            merge_summary(tx, &flow_id, &summary)?;
        }
        for (i, m) in messages.iter().enumerate() {
            let s = if i == 0 { summary.clone() } else { Map::new() };
            messages::add_encoded(tx, &flow_id, m, &s, title.as_deref())?;
        }
        Ok(())
    });
}

fn merge_summary(
    tx: &rusqlite::Transaction,
    flow_id: &str,
    summary: &Map<String, Value>,
) -> lti_core::Result<()> {
    let old: String = tx.query_row(
        "SELECT summary_json FROM flows WHERE id = ?1",
        [flow_id],
        |r| r.get(0),
    )?;
    let mut merged: Map<String, Value> = serde_json::from_str(&old).unwrap_or_default();
    merged.extend(summary.clone());
    tx.execute(
        "UPDATE flows SET summary_json = ?2, updated_at = ?3 WHERE id = ?1",
        rusqlite::params![
            flow_id,
            Value::Object(merged).to_string(),
            lti_core::clock::now_ms()
        ],
    )?;
    Ok(())
}

/// The flow a request belongs to.
pub(super) enum Flow {
    New(NewFlow),
    Existing(String),
}

impl Flow {
    pub(super) fn id(&self) -> &str {
        match self {
            Flow::New(f) => &f.id,
            Flow::Existing(id) => id,
        }
    }
}
