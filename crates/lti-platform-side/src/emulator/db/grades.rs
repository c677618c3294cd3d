//! Line items, grades (accepted scores and the results they become) and deep-linked items.

use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};

use crate::emulator::model::*;
use lti_core::error::Result;

// ── line items and grades ──────────────────────────────────────────────────────────────────

const ITEM_COLS: &str =
    "id, course_id, tool_id, resource_link_id, label, score_maximum, resource_id, tag,
    start_date_time, end_date_time, grades_released, created_at, updated_at";

fn item_row(r: &Row) -> rusqlite::Result<LineItem> {
    Ok(LineItem {
        id: r.get(0)?,
        course_id: r.get(1)?,
        tool_id: r.get(2)?,
        resource_link_id: r.get(3)?,
        label: r.get(4)?,
        score_maximum: r.get(5)?,
        resource_id: r.get(6)?,
        tag: r.get(7)?,
        start_date_time: r.get(8)?,
        end_date_time: r.get(9)?,
        grades_released: r.get(10)?,
        created_at: r.get(11)?,
        updated_at: r.get(12)?,
    })
}

/// Filters of the line items container (AGS 2.0 §3.2.4).
#[derive(Debug, Default, Clone)]
pub struct ItemFilter {
    pub tool_id: Option<String>,
    pub resource_link_id: Option<String>,
    pub resource_id: Option<String>,
    pub tag: Option<String>,
}

pub fn line_items(c: &Connection, course_id: &str, f: &ItemFilter) -> Result<Vec<LineItem>> {
    let mut st = c.prepare_cached(&format!(
        "SELECT {ITEM_COLS} FROM emu_line_items WHERE course_id = ?1
           AND (?2 IS NULL OR tool_id = ?2) AND (?3 IS NULL OR resource_link_id = ?3)
           AND (?4 IS NULL OR resource_id = ?4) AND (?5 IS NULL OR tag = ?5)
         ORDER BY created_at, rowid"
    ))?;
    let rows = st.query_map(
        params![
            course_id,
            f.tool_id,
            f.resource_link_id,
            f.resource_id,
            f.tag
        ],
        item_row,
    )?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn line_item(c: &Connection, id: &str) -> Result<Option<LineItem>> {
    Ok(c.prepare_cached(&format!(
        "SELECT {ITEM_COLS} FROM emu_line_items WHERE id = ?1"
    ))?
    .query_row([id], item_row)
    .optional()?)
}

pub fn upsert_line_item(tx: &Transaction, i: &LineItem) -> Result<()> {
    tx.execute(
        &format!(
            "INSERT INTO emu_line_items({ITEM_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
             ON CONFLICT(id) DO UPDATE SET resource_link_id=excluded.resource_link_id, label=excluded.label,
               score_maximum=excluded.score_maximum, resource_id=excluded.resource_id, tag=excluded.tag,
               start_date_time=excluded.start_date_time, end_date_time=excluded.end_date_time,
               grades_released=excluded.grades_released, updated_at=excluded.updated_at"
        ),
        params![
            i.id,
            i.course_id,
            i.tool_id,
            i.resource_link_id,
            i.label,
            i.score_maximum,
            i.resource_id,
            i.tag,
            i.start_date_time,
            i.end_date_time,
            i.grades_released,
            i.created_at,
            i.updated_at
        ],
    )?;
    Ok(())
}

pub fn delete_line_item(tx: &Transaction, id: &str) -> Result<bool> {
    tx.execute("DELETE FROM emu_results WHERE line_item_id = ?1", [id])?;
    tx.execute("DELETE FROM emu_scores WHERE line_item_id = ?1", [id])?;
    Ok(tx.execute("DELETE FROM emu_line_items WHERE id = ?1", [id])? > 0)
}

const CELL_COLS: &str =
    "line_item_id, user_id, score_given, score_maximum, result_score, result_maximum, comment,
    activity_progress, grading_progress, timestamp, updated_at";

fn cell_row(r: &Row) -> rusqlite::Result<GradeCell> {
    Ok(GradeCell {
        line_item_id: r.get(0)?,
        user_id: r.get(1)?,
        score_given: r.get(2)?,
        score_maximum: r.get(3)?,
        result_score: r.get(4)?,
        result_maximum: r.get(5)?,
        comment: r.get(6)?,
        activity_progress: r.get(7)?,
        grading_progress: r.get(8)?,
        timestamp: r.get(9)?,
        updated_at: r.get(10)?,
    })
}

pub fn results(
    c: &Connection,
    line_item_id: &str,
    user_id: Option<&str>,
) -> Result<Vec<GradeCell>> {
    let mut st = c.prepare_cached(&format!(
        "SELECT {CELL_COLS} FROM emu_results WHERE line_item_id = ?1 AND (?2 IS NULL OR user_id = ?2) ORDER BY user_id"
    ))?;
    let rows = st.query_map(params![line_item_id, user_id], cell_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn course_results(c: &Connection, course_id: &str) -> Result<Vec<GradeCell>> {
    let mut st = c.prepare_cached(&format!(
        "SELECT {} FROM emu_results r JOIN emu_line_items i ON i.id = r.line_item_id WHERE i.course_id = ?1
         ORDER BY r.line_item_id, r.user_id",
        CELL_COLS.split(',').map(|c| format!("r.{}", c.trim())).collect::<Vec<_>>().join(", ")
    ))?;
    let rows = st.query_map([course_id], cell_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The timestamp (µs) of the latest accepted score for (line item, user), if any.
pub fn last_score_timestamp(
    c: &Connection,
    line_item_id: &str,
    user_id: &str,
) -> Result<Option<(i64, String)>> {
    Ok(c.prepare_cached(
        "SELECT timestamp_us, timestamp FROM emu_results WHERE line_item_id = ?1 AND user_id = ?2",
    )?
    .query_row([line_item_id, user_id], |r| Ok((r.get(0)?, r.get(1)?)))
    .optional()?)
}

/// An accepted score: its log row and the result it becomes.
pub struct AcceptedScore<'a> {
    pub cell: &'a GradeCell,
    pub timestamp_us: i64,
    pub body: &'a str,
    pub flow_id: Option<&'a str>,
}

pub fn record_score(tx: &Transaction, s: &AcceptedScore) -> Result<()> {
    let g = s.cell;
    tx.execute(
        "INSERT INTO emu_scores(line_item_id, user_id, score_given, score_maximum, comment, activity_progress,
           grading_progress, timestamp, timestamp_us, body, flow_id, received_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        params![
            g.line_item_id,
            g.user_id,
            g.score_given,
            g.score_maximum,
            g.comment,
            g.activity_progress,
            g.grading_progress,
            g.timestamp,
            s.timestamp_us,
            s.body,
            s.flow_id,
            g.updated_at
        ],
    )?;
    tx.execute(
        &format!(
            "INSERT INTO emu_results({CELL_COLS}, timestamp_us) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
             ON CONFLICT(line_item_id, user_id) DO UPDATE SET score_given=excluded.score_given,
               score_maximum=excluded.score_maximum, result_score=excluded.result_score,
               result_maximum=excluded.result_maximum, comment=excluded.comment,
               activity_progress=excluded.activity_progress, grading_progress=excluded.grading_progress,
               timestamp=excluded.timestamp, timestamp_us=excluded.timestamp_us, updated_at=excluded.updated_at"
        ),
        params![
            g.line_item_id,
            g.user_id,
            g.score_given,
            g.score_maximum,
            g.result_score,
            g.result_maximum,
            g.comment,
            g.activity_progress,
            g.grading_progress,
            g.timestamp,
            g.updated_at,
            s.timestamp_us
        ],
    )?;
    Ok(())
}

// ── deep-linked items ──────────────────────────────────────────────────────────────────────

pub fn content_items(c: &Connection, course_id: &str) -> Result<Vec<ContentItem>> {
    let mut st = c.prepare_cached(
        "SELECT id, course_id, tool_id, item_type, item_json, resource_link_id, line_item_id, flow_id, created_at
         FROM emu_content_items WHERE course_id = ?1 ORDER BY id",
    )?;
    let rows = st.query_map([course_id], |r| {
        let item: String = r.get(4)?;
        Ok(ContentItem {
            id: r.get(0)?,
            course_id: r.get(1)?,
            tool_id: r.get(2)?,
            item_type: r.get(3)?,
            item: serde_json::from_str(&item).unwrap_or(serde_json::Value::Null),
            resource_link_id: r.get(5)?,
            line_item_id: r.get(6)?,
            flow_id: r.get(7)?,
            created_at: r.get(8)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
