//! Embedded, timestamped migrations. Each file runs once, in name order, inside a transaction;
//! the applied set is kept in `schema_migrations`.

use rusqlite::Connection;

use crate::error::{Error, Result};

/// (version, sql) in order. Add a new file for every schema change; never edit a shipped one.
const MIGRATIONS: &[(&str, &str)] = &[
    (
        "20261127090000_init",
        include_str!("../../migrations/20261127090000_init.sql"),
    ),
    (
        "20261127100000_capture",
        include_str!("../../migrations/20261127100000_capture.sql"),
    ),
    (
        "20261127110000_emulator",
        include_str!("../../migrations/20261127110000_emulator.sql"),
    ),
    (
        "20261205090000_model_version",
        include_str!("../../migrations/20261205090000_model_version.sql"),
    ),
    (
        "20261206090000_search",
        include_str!("../../migrations/20261206090000_search.sql"),
    ),
    (
        "20261206100000_remint",
        include_str!("../../migrations/20261206100000_remint.sql"),
    ),
    (
        "20261206110000_deep_linking",
        include_str!("../../migrations/20261206110000_deep_linking.sql"),
    ),
    (
        "20261206120000_flow_links",
        include_str!("../../migrations/20261206120000_flow_links.sql"),
    ),
    (
        "20261207090000_lti11",
        include_str!("../../migrations/20261207090000_lti11.sql"),
    ),
    (
        "20261207120000_exchange_packing",
        include_str!("../../migrations/20261207120000_exchange_packing.sql"),
    ),
    (
        "20261207150000_key_snapshots",
        include_str!("../../migrations/20261207150000_key_snapshots.sql"),
    ),
    (
        "20261207180000_tokens",
        include_str!("../../migrations/20261207180000_tokens.sql"),
    ),
];

pub fn run(conn: &mut Connection) -> Result<usize> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)",
    )?;
    // A version this build does not know was applied by a newer build: its schema may hold
    // what this build would misread or damage, so refuse rather than guess (issue 9, item 10).
    let newest_known = MIGRATIONS.last().map(|(v, _)| *v).unwrap_or_default();
    let newer: Option<String> = conn.query_row(
        "SELECT max(version) FROM schema_migrations WHERE version > ?1",
        [newest_known],
        |r| r.get(0),
    )?;
    if let Some(version) = newer {
        return Err(Error::DatabaseTooNew {
            version,
            known: newest_known.to_string(),
        });
    }
    let mut applied = 0;
    for (version, sql) in MIGRATIONS {
        let done: bool = conn.query_row(
            "SELECT EXISTS(SELECT 1 FROM schema_migrations WHERE version = ?1)",
            [version],
            |r| r.get(0),
        )?;
        if done {
            continue;
        }
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.execute(
            "INSERT INTO schema_migrations(version, applied_at) VALUES (?1, ?2)",
            rusqlite::params![version, crate::clock::now_ms()],
        )?;
        tx.commit()?;
        tracing::info!(version, "applied migration");
        applied += 1;
    }
    Ok(applied)
}

#[cfg(test)]
pub fn count() -> usize {
    MIGRATIONS.len()
}
