//! Flows and their messages: creating a flow when a launch begins, storing each decoded and
//! validated message (login parameters, the auth request, the id_token…), keeping the flow's
//! summary (verdict, platform, user, context, message type) current, and reading a flow whole.
//!
//! A message is stored as its raw input plus its findings; explanations of claims come from the
//! dictionary at read time, so the store stays small and old flows gain new explanations.

use lti_protocol::claims::{self, ExplainedClaim};
use lti_protocol::finding::{Counts, Report, Verdict};
use lti_protocol::jws::{DecodedJws, Jws};
use lti_protocol::roles::{self, RoleBadge};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::events::EngineEvent;
use crate::store::{self, ExchangeSummary, FlowSummary, NewFlow, Side};
use crate::Core;

/// A name/value pair of a form or query, order kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Param {
    pub name: String,
    pub value: String,
}

pub fn params_of(pairs: &[(String, String)]) -> Vec<Param> {
    pairs
        .iter()
        .map(|(n, v)| Param {
            name: n.clone(),
            value: v.clone(),
        })
        .collect()
}

/// What is stored for one message.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct StoredMessage {
    /// login | auth_request | auth_response | id_token
    pub kind: String,
    /// The flow step (exchange `step`) the message came from.
    pub step: String,
    /// The compact JWT, for JWT messages.
    #[ts(optional = nullable)]
    pub raw: Option<String>,
    /// Form or query parameters, for parameter messages.
    #[ts(optional = nullable)]
    pub params: Option<Vec<Param>>,
    pub report: Report,
    pub verdict: Verdict,
    pub counts: Counts,
    #[ts(optional = nullable)]
    pub message_type: Option<String>,
    /// Unix seconds the validation ran as of.
    #[ts(type = "number")]
    pub validated_at: i64,
    /// The keys and registration it was checked with at the launch or import
    /// ([`crate::key_snapshots`]), by digest — kept through a saved re-check; absent for
    /// messages checked without either, and for those stored before snapshots.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub key_snapshot: Option<String>,
}

impl StoredMessage {
    /// A message of `kind` recorded at `step` holding `report`, its verdict and counts taken
    /// from the report, validated now (set `raw`, `params` or `message_type` after).
    pub fn of_report(kind: &str, step: &str, report: Report) -> Self {
        Self {
            kind: kind.into(),
            step: step.into(),
            raw: None,
            params: None,
            verdict: report.verdict(),
            counts: report.counts(),
            report,
            message_type: None,
            validated_at: crate::clock::now_secs(),
            key_snapshot: None,
        }
    }
}

/// A message as the flow view shows it: stored data plus decoded header/payload, explained
/// claims and role badges.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct MessageView {
    #[ts(type = "number")]
    pub id: i64,
    pub message: StoredMessage,
    #[ts(optional = nullable)]
    pub decoded: Option<DecodedJws>,
    pub claims: Vec<ExplainedClaim>,
    pub roles: Vec<RoleBadge>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct FlowDetail {
    pub flow: FlowSummary,
    /// Oldest first: the sequence of the flow.
    pub exchanges: Vec<ExchangeSummary>,
    pub messages: Vec<MessageView>,
    /// The other side(s) of the same launch: the emulator's flow for a tool-side flow and the
    /// other way round.
    pub related: Vec<FlowSummary>,
}

/// Summary key naming the failed error rules of a flow (comma-separated, at most 6).
pub const FAILED_RULES: &str = "failed_rules";

/// What joins the two sides of one launch: a digest of the exact token both saw (the emulator
/// that signed it, the tool side that received it) — negative tests and replays included.
pub fn link_key(token: &str) -> String {
    use sha2::Digest;
    let d = sha2::Sha256::digest(token.trim().as_bytes());
    d[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// Files a flow under a [`link_key`]: flows filed under the same key are the sides of one
/// launch (`FlowDetail::related`).
pub fn link_flow(tx: &Transaction, flow_id: &str, key: &str) -> Result<()> {
    tx.prepare_cached("INSERT OR IGNORE INTO flow_links(link_key, flow_id) VALUES (?1, ?2)")?
        .execute(params![key, flow_id])?;
    Ok(())
}

fn failed_rules(report: &lti_protocol::finding::Report) -> Vec<String> {
    report
        .findings
        .iter()
        .filter(|f| f.is_failed_error())
        .map(|f| f.rule_id.to_string())
        .collect()
}

fn merge_failed_rules(summary: &mut Map<String, Value>, new: &[String]) {
    if new.is_empty() {
        return;
    }
    let mut all: Vec<String> = summary
        .get(FAILED_RULES)
        .and_then(Value::as_str)
        .map(|s| {
            s.split(',')
                .map(str::to_string)
                .filter(|r| !r.is_empty())
                .collect()
        })
        .unwrap_or_default();
    for r in new {
        if !all.contains(r) && all.len() < 6 {
            all.push(r.clone());
        }
    }
    summary.insert(FAILED_RULES.into(), Value::String(all.join(",")));
}

/// Worst verdict of a flow so far.
pub fn combine(a: &str, b: Verdict) -> &'static str {
    let rank = |v: &str| match v {
        "invalid" => 3,
        "unverified" => 2,
        "valid" => 1,
        _ => 0,
    };
    let b = verdict_str(b);
    if rank(b) >= rank(a) {
        b
    } else {
        match a {
            "invalid" => "invalid",
            "unverified" => "unverified",
            "valid" => "valid",
            _ => "pending",
        }
    }
}

pub fn verdict_str(v: Verdict) -> &'static str {
    match v {
        Verdict::Valid => "valid",
        Verdict::Invalid => "invalid",
        Verdict::Unverified => "unverified",
    }
}

pub fn new_flow(side: Side, kind: &str, title: String) -> NewFlow {
    NewFlow {
        id: crate::ids::sortable_id(),
        side,
        kind: kind.into(),
        started_at_ms: crate::clock::now_ms(),
        title,
    }
}

/// A message serialized for its row, ready to insert: encoding off the writer thread (in the
/// request's handler) keeps the single writer free for SQLite work.
pub struct EncodedMessage {
    kind: String,
    verdict: Verdict,
    counts: Counts,
    /// Rule ids of its failed errors: the Timeline's Problems column names them.
    failed_rules: Vec<String>,
    validated_at: i64,
    /// The row, packed here: the writer only finds or inserts its tokens' rows.
    row: crate::message_rows::PreparedRow,
}

pub fn encode(msg: &StoredMessage) -> Result<EncodedMessage> {
    Ok(EncodedMessage {
        kind: msg.kind.clone(),
        verdict: msg.verdict,
        counts: msg.counts,
        failed_rules: failed_rules(&msg.report),
        validated_at: msg.validated_at,
        row: crate::message_rows::prepare(&crate::message_rows::encode(msg)?)?,
    })
}

/// Inserts the message and merges its verdict and `summary` facts into the flow, in `tx`.
pub fn add_message(
    tx: &Transaction,
    flow_id: &str,
    msg: &StoredMessage,
    summary: &Map<String, Value>,
    title: Option<&str>,
) -> Result<()> {
    add_encoded(tx, flow_id, encode(msg)?, summary, title)
}

/// [`add_message`] for a message encoded beforehand.
pub fn add_encoded(
    tx: &Transaction,
    flow_id: &str,
    msg: EncodedMessage,
    summary: &Map<String, Value>,
    title: Option<&str>,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO messages(flow_id, kind, verdict, validated_at, report_json) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        flow_id,
        msg.kind,
        verdict_str(msg.verdict),
        msg.validated_at,
        msg.row.store(tx, flow_id)?
    ])?;
    let (verdict, old_summary): (String, String) = tx
        .prepare_cached("SELECT verdict, summary_json FROM flows WHERE id = ?1")?
        .query_row([flow_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let mut merged: Map<String, Value> = serde_json::from_str(&old_summary).unwrap_or_default();
    for (k, v) in summary {
        merged.insert(k.clone(), v.clone());
    }
    merge_failed_rules(&mut merged, &msg.failed_rules);
    // Totals over every message of the flow (login, auth request, id_token…), as strings like
    // the other summary values.
    let add = |m: &mut Map<String, Value>, key: &str, n: u32| {
        let old: u64 = m
            .get(key)
            .and_then(Value::as_str)
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        m.insert(key.into(), Value::String((old + n as u64).to_string()));
    };
    add(&mut merged, "errors", msg.counts.errors);
    add(&mut merged, "warnings", msg.counts.warnings);
    let verdict = combine(&verdict, msg.verdict);
    tx.prepare_cached(
        "UPDATE flows SET verdict = ?2, summary_json = ?3, updated_at = ?4, title = COALESCE(?5, title) WHERE id = ?1",
    )?
    .execute(params![
        flow_id,
        verdict,
        serde_json::to_string(&merged).expect("map serializes"),
        crate::clock::now_ms(),
        title
    ])?;
    Ok(())
}

/// Sets the flow's verdict and error/warning totals from its messages again, after a message's
/// findings changed (a later check settled one of them).
pub fn recompute_verdict(tx: &Transaction, flow_id: &str) -> Result<()> {
    let mut stmt = tx.prepare_cached("SELECT report_json FROM messages WHERE flow_id = ?1")?;
    let rows = stmt.query_map([flow_id], |r| r.get::<_, crate::message_rows::Packed>(0))?;
    let (mut verdict, mut errors, mut warnings) = ("pending", 0u64, 0u64);
    let mut rules = Vec::new();
    for json in rows {
        let m = crate::message_rows::decode(&json?.json(tx)?)?;
        rules.extend(failed_rules(&m.report));
        verdict = combine(verdict, m.verdict);
        errors += m.counts.errors as u64;
        warnings += m.counts.warnings as u64;
    }
    let old: String = tx.query_row(
        "SELECT summary_json FROM flows WHERE id = ?1",
        [flow_id],
        |r| r.get(0),
    )?;
    let mut summary: Map<String, Value> = serde_json::from_str(&old).unwrap_or_default();
    summary.insert("errors".into(), Value::String(errors.to_string()));
    summary.insert("warnings".into(), Value::String(warnings.to_string()));
    summary.remove(FAILED_RULES);
    merge_failed_rules(&mut summary, &rules);
    tx.execute(
        "UPDATE flows SET verdict = ?2, summary_json = ?3, updated_at = ?4 WHERE id = ?1",
        params![
            flow_id,
            verdict,
            Value::Object(summary).to_string(),
            crate::clock::now_ms()
        ],
    )?;
    Ok(())
}

pub fn flow_summary(conn: &Connection, id: &str) -> Result<FlowSummary> {
    store::flows::get(conn, id)?.ok_or_else(|| Error::NotFound(format!("flow {id}")))
}

/// Announces a changed flow to both front doors.
pub async fn announce(core: &Core, flow_id: &str) {
    let id = flow_id.to_string();
    match core.store().read(move |c| flow_summary(c, &id)).await {
        Ok(flow) => core.events().emit(EngineEvent::FlowUpdated { flow }),
        Err(e) => tracing::warn!(error = %e, "flow vanished before it could be announced"),
    }
}

fn view(id: i64, message: StoredMessage) -> MessageView {
    let (decoded, claims, roles) = match message.raw.as_deref().map(Jws::parse) {
        Some(Ok(jws)) => {
            let claims = claims::explain(&jws.payload);
            let roles = jws
                .payload
                .get(lti_protocol::vocab::claim::ROLES)
                .and_then(Value::as_array)
                .map(|r| roles::parse_roles(r))
                .unwrap_or_default();
            (Some(jws.decoded()), claims, roles)
        }
        _ => (None, vec![], vec![]),
    };
    MessageView {
        id,
        message,
        decoded,
        claims,
        roles,
    }
}

pub fn detail(conn: &Connection, id: &str) -> Result<FlowDetail> {
    let flow = flow_summary(conn, id)?;
    let mut exchanges = store::exchanges::list(conn, 10_000, None, Some(id))?;
    exchanges.reverse();
    let mut stmt =
        conn.prepare_cached("SELECT id, report_json FROM messages WHERE flow_id = ?1 ORDER BY id")?;
    let rows = stmt.query_map([id], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, crate::message_rows::Packed>(1)?,
        ))
    })?;
    let mut messages = Vec::new();
    for row in rows {
        let (mid, json) = row?;
        match crate::message_rows::decode(&json.json(conn)?) {
            Ok(m) => messages.push(view(mid, m)),
            Err(e) => tracing::warn!(message = mid, error = %e, "unreadable stored message"),
        }
    }
    let related = store::flows::related(conn, id)?;
    Ok(FlowDetail {
        flow,
        exchanges,
        messages,
        related,
    })
}

const LATEST_ID_TOKEN: &str = "SELECT id, report_json FROM messages WHERE flow_id = ?1 AND kind = 'id_token' ORDER BY id DESC LIMIT 1";

/// The flow's latest launch (id_token) message, with its row id.
pub fn latest_id_token(conn: &Connection, flow_id: &str) -> Result<Option<(i64, StoredMessage)>> {
    let row: Option<(i64, crate::message_rows::Packed)> = conn
        .prepare_cached(LATEST_ID_TOKEN)?
        .query_row([flow_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    row.map(|(id, json)| Ok((id, crate::message_rows::decode(&json.json(conn)?)?)))
        .transpose()
}

/// The raw id_token of a flow's launch, for "copy id_token" and the service client: only the
/// `raw` member is read (both stored formats have it at the top), not the findings.
pub fn id_token_of(conn: &Connection, flow_id: &str) -> Result<Option<String>> {
    #[derive(Deserialize)]
    struct RawOnly {
        raw: Option<String>,
    }
    let json: Option<crate::message_rows::Packed> = conn
        .prepare_cached(LATEST_ID_TOKEN)?
        .query_row([flow_id], |r| r.get(1))
        .optional()?;
    let json = json.map(|j| j.json(conn)).transpose()?;
    Ok(json
        .and_then(|j| serde_json::from_str::<RawOnly>(&j).ok())
        .and_then(|m| m.raw))
}

/// Rewrites a stored message (a later check settled one of its findings); the flow's verdict
/// is then [`recompute_verdict`]'s to update.
pub fn replace_message(tx: &Transaction, id: i64, json: &str, verdict: Verdict) -> Result<()> {
    let flow_id: String = tx
        .query_row("SELECT flow_id FROM messages WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .optional()?
        .ok_or_else(|| Error::NotFound(format!("message {id}")))?;
    tx.execute(
        "UPDATE messages SET report_json = ?2, verdict = ?3 WHERE id = ?1",
        params![
            id,
            crate::message_rows::pack_in(tx, &flow_id, json)?,
            verdict_str(verdict)
        ],
    )?;
    Ok(())
}

/// Stores the messages in the flow (creating it first when new) and ties the exchange to it —
/// in the exchange's own transaction, committed before the response leaves (the flow must
/// exist before the exchange row refers to it, so it is written first in that transaction).
pub fn save(
    notes: &crate::recorder::ExchangeNotes,
    flow: Flow,
    step: &str,
    messages: Vec<StoredMessage>,
    summary: Map<String, Value>,
    title: Option<String>,
) {
    save_with(notes, flow, step, messages, summary, title, |_| Ok(()));
}

/// [`save`], running `also` in the same transaction.
pub fn save_with(
    notes: &crate::recorder::ExchangeNotes,
    flow: Flow,
    step: &str,
    messages: Vec<StoredMessage>,
    summary: Map<String, Value>,
    title: Option<String>,
    also: impl FnOnce(&rusqlite::Transaction) -> crate::error::Result<()> + Send + 'static,
) {
    let flow_id = flow.id().to_string();
    let new = match flow {
        Flow::New(f) => Some(f),
        Flow::Existing(_) => None,
    };
    // Encoded here, on the request's thread, not on the single writer.
    let encoded: crate::error::Result<Vec<EncodedMessage>> = messages.iter().map(encode).collect();
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
        for (i, m) in messages.into_iter().enumerate() {
            let s = if i == 0 { summary.clone() } else { Map::new() };
            add_encoded(tx, &flow_id, m, &s, title.as_deref())?;
        }
        Ok(())
    });
}

fn merge_summary(
    tx: &rusqlite::Transaction,
    flow_id: &str,
    summary: &Map<String, Value>,
) -> crate::error::Result<()> {
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
            crate::clock::now_ms()
        ],
    )?;
    Ok(())
}

/// The flow a request's messages go to: one it starts, or one that exists.
pub enum Flow {
    New(NewFlow),
    Existing(String),
}

impl Flow {
    pub fn id(&self) -> &str {
        match self {
            Flow::New(f) => &f.id,
            Flow::Existing(id) => id,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;
    use lti_protocol::finding::Finding;

    fn summary_of(store: &Store, id: &str) -> Map<String, Value> {
        let id = id.to_string();
        store
            .read_blocking(move |c| flow_summary(c, &id))
            .unwrap()
            .summary
    }

    /// The Timeline names a flow's failing rules: added with each message, recomputed (and so
    /// cleared) when a later check rewrites the message.
    #[tokio::test]
    async fn failed_rules_follow_the_messages() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("inspector.db")).unwrap();
        let flow = new_flow(Side::Tool, "lti13_launch", "t".into());
        let id = flow.id.clone();
        let mut report = Report::new();
        report.push(Finding::fail("idtoken.exp", "Expired."));
        report.push(Finding::fail("idtoken.aud", "Wrong aud."));
        let failing = StoredMessage::of_report("id_token", "launch", report);
        let (fid, msg) = (id.clone(), failing.clone());
        store
            .write(move |tx| {
                store::flows::insert(tx, &flow)?;
                add_message(tx, &fid, &msg, &Map::new(), None)
            })
            .await
            .unwrap();
        assert_eq!(
            summary_of(&store, &id)[FAILED_RULES],
            "idtoken.exp,idtoken.aud"
        );

        let mut passing = Report::new();
        passing.push(Finding::pass("idtoken.exp", "Fine now."));
        let fixed = StoredMessage::of_report("id_token", "launch", passing);
        let json = crate::message_rows::encode(&fixed).unwrap();
        let fid = id.clone();
        store
            .write(move |tx| {
                let mid: i64 =
                    tx.query_row("SELECT id FROM messages WHERE flow_id = ?1", [&fid], |r| {
                        r.get(0)
                    })?;
                replace_message(tx, mid, &json, fixed.verdict)?;
                recompute_verdict(tx, &fid)
            })
            .await
            .unwrap();
        assert!(summary_of(&store, &id).get(FAILED_RULES).is_none());
    }
}
