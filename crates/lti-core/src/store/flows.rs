//! Flows: the exchanges of one launch (login → auth redirect → id_token post → JWKS fetch →
//! landing page, later its service calls), with the verdict and the facts a Timeline row shows.

use rusqlite::{params, Connection, Row, Transaction};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::Side;
use crate::error::Result;

#[derive(Debug, Clone)]
pub struct NewFlow {
    pub id: String,
    pub side: Side,
    pub kind: String,
    pub started_at_ms: i64,
    pub title: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct FlowSummary {
    pub id: String,
    pub side: Side,
    pub kind: String,
    #[ts(type = "number")]
    pub started_at: i64,
    #[ts(type = "number")]
    pub updated_at: i64,
    /// pending | valid | invalid | unverified
    pub verdict: String,
    pub title: String,
    /// Platform, user, context, message type… as the flow's pipeline found them.
    #[ts(type = "Record<string, string>")]
    pub summary: serde_json::Map<String, serde_json::Value>,
    #[ts(type = "number")]
    pub exchange_count: i64,
    /// Kept by retention and by "delete older than".
    #[serde(default)]
    pub pinned: bool,
    /// The user's note on the flow.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub note: Option<String>,
    /// In search results: the matching message's position, the cursor of the next page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "number")]
    pub seq: Option<i64>,
}

pub fn insert(tx: &Transaction, flow: &NewFlow) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO flows(id, side, kind, started_at, updated_at, title) VALUES (?1, ?2, ?3, ?4, ?4, ?5)",
    )?
    .execute(params![flow.id, flow.side.as_str(), flow.kind, flow.started_at_ms, flow.title])?;
    Ok(())
}

pub(crate) const COLS: &str =
    "f.id, f.side, f.kind, f.started_at, f.updated_at, f.verdict, f.title, f.summary_json,
    (SELECT count(*) FROM exchanges e WHERE e.flow_id = f.id), f.pinned, f.note";

pub(crate) fn from_row(r: &Row) -> rusqlite::Result<FlowSummary> {
    from_row_at(r, 0)
}

/// A flow from [`COLS`] starting at column `at`.
pub(crate) fn from_row_at(r: &Row, at: usize) -> rusqlite::Result<FlowSummary> {
    let side: String = r.get(at + 1)?;
    let summary: String = r.get(at + 7)?;
    Ok(FlowSummary {
        id: r.get(at)?,
        side: Side::parse(&side).unwrap_or(Side::Tool),
        kind: r.get(at + 2)?,
        started_at: r.get(at + 3)?,
        updated_at: r.get(at + 4)?,
        verdict: r.get(at + 5)?,
        title: r.get(at + 6)?,
        summary: serde_json::from_str(&summary).unwrap_or_default(),
        exchange_count: r.get(at + 8)?,
        pinned: r.get(at + 9)?,
        note: r.get(at + 10)?,
        seq: None,
    })
}

pub fn get(conn: &Connection, id: &str) -> Result<Option<FlowSummary>> {
    use rusqlite::OptionalExtension;
    let sql = format!("SELECT {COLS} FROM flows f WHERE f.id = ?1");
    Ok(conn.query_row(&sql, [id], from_row).optional()?)
}

/// The other flows of the same launch (the emulator's and the tool side's), by link key.
pub fn related(conn: &Connection, id: &str) -> Result<Vec<FlowSummary>> {
    let mut stmt = conn.prepare_cached(&related_sql())?;
    let rows = stmt.query_map([id], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The other sides of several flows' launches in one read (a list of launches, each with its
/// other side), at most 100 flows.
pub fn related_of_many(conn: &Connection, ids: &[String]) -> Result<Vec<RelatedFlows>> {
    ids.iter()
        .take(100)
        .map(|id| {
            Ok(RelatedFlows {
                id: id.clone(),
                related: related(conn, id)?,
            })
        })
        .collect()
}

/// A flow's id with the other sides of its launch.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct RelatedFlows {
    pub id: String,
    pub related: Vec<FlowSummary>,
}

/// The related-flows query (also read with `EXPLAIN QUERY PLAN` by the store bench).
pub fn related_sql() -> String {
    format!(
        "SELECT DISTINCT {COLS} FROM flow_links a \
         JOIN flow_links b ON b.link_key = a.link_key AND b.flow_id <> a.flow_id \
         JOIN flows f ON f.id = b.flow_id \
         WHERE a.flow_id = ?1 ORDER BY f.started_at LIMIT 20"
    )
}

pub fn list(conn: &Connection, limit: u32, before: Option<i64>) -> Result<Vec<FlowSummary>> {
    // Two statements, not `(?2 IS NULL OR …)`: that form keeps the planner from seeking the
    // started_at index, so deep pages walked every newer flow first.
    let sql = list_sql(before.is_some());
    let mut stmt = conn.prepare_cached(&sql)?;
    // ?2 is the highest index in both shapes, so both take the same two parameters.
    let rows = stmt.query_map(rusqlite::params![before, limit], from_row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// The statement [`list`] runs (?1 before, ?2 limit).
pub fn list_sql(before: bool) -> String {
    let filter = if before {
        "WHERE f.started_at < ?1"
    } else {
        ""
    };
    format!("SELECT {COLS} FROM flows f {filter} ORDER BY f.started_at DESC LIMIT ?2")
}
