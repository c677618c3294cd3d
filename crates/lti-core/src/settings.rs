//! Small preferences kept in the store's `settings` table (key → text), beside retention.

use rusqlite::{Connection, OptionalExtension, Transaction};

use crate::error::Result;

/// Every MUST is an error, even one every measured tool library accepts (lti_protocol's
/// `Policy::strict`; docs/RULES.md, "Verdicts").
pub const STRICT_VERDICTS: &str = "strict_verdicts";

/// A yes/no preference; absent is no.
pub fn flag(conn: &Connection, key: &str) -> Result<bool> {
    Ok(conn
        .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
            r.get::<_, String>(0)
        })
        .optional()?
        .is_some_and(|v| v == "1"))
}

pub fn set_flag(tx: &Transaction, key: &str, on: bool) -> Result<()> {
    if on {
        tx.execute(
            "INSERT INTO settings(key, value) VALUES (?1, '1') ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [key],
        )?;
    } else {
        tx.execute("DELETE FROM settings WHERE key = ?1", [key])?;
    }
    Ok(())
}
