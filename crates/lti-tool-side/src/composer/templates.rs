//! Named item sets the composer saves and loads (table `dl_templates`).

use lti_core::Result;
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde_json::Value;

/// Longest template name kept: names show in a select box.
pub const NAME_MAX: usize = 80;

pub fn save(tx: &Transaction, name: &str, items: &[Value]) -> Result<()> {
    tx.execute(
        "INSERT INTO dl_templates(name, items_json, updated_at) VALUES (?1, ?2, ?3)
         ON CONFLICT(name) DO UPDATE SET items_json = excluded.items_json, updated_at = excluded.updated_at",
        params![name, Value::from(items.to_vec()).to_string(), lti_core::clock::now_ms()],
    )?;
    Ok(())
}

pub fn names(conn: &Connection) -> Result<Vec<String>> {
    let mut st = conn.prepare_cached("SELECT name FROM dl_templates ORDER BY name")?;
    let rows = st.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn load(conn: &Connection, name: &str) -> Result<Option<Vec<Value>>> {
    let json: Option<String> = conn
        .prepare_cached("SELECT items_json FROM dl_templates WHERE name = ?1")?
        .query_row([name], |r| r.get(0))
        .optional()?;
    Ok(json
        .and_then(|j| serde_json::from_str::<Value>(&j).ok())
        .and_then(|v| v.as_array().cloned()))
}

/// Every template with its items, by name.
pub fn all(conn: &Connection) -> Result<Vec<(String, Vec<Value>)>> {
    let mut st = conn.prepare_cached("SELECT name, items_json FROM dl_templates ORDER BY name")?;
    let rows = st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (name, json) = row?;
        let items = serde_json::from_str::<Value>(&json)
            .ok()
            .and_then(|v| v.as_array().cloned())
            .unwrap_or_default();
        out.push((name, items));
    }
    Ok(out)
}
