//! Rows of the `keys` table: kid and public halves only. The private key's bytes are in the OS
//! keychain under `secret_ref`; this table can be exported without leaking anything.

use rusqlite::{params, Connection, OptionalExtension, Transaction};

use crate::error::Result;

#[derive(Debug, Clone, PartialEq)]
pub struct KeyRow {
    pub kid: String,
    pub role: String,
    pub public_jwk: String,
    pub public_pem: String,
    pub secret_ref: String,
    pub created_at: i64,
    pub active: bool,
}

pub fn insert(tx: &Transaction, k: &KeyRow) -> Result<()> {
    tx.execute(
        "INSERT INTO keys(kid, role, public_jwk, public_pem, secret_ref, created_at, active)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            k.kid,
            k.role,
            k.public_jwk,
            k.public_pem,
            k.secret_ref,
            k.created_at,
            k.active
        ],
    )?;
    Ok(())
}

pub fn active_for_role(conn: &Connection, role: &str) -> Result<Option<KeyRow>> {
    Ok(conn
        .query_row(
            "SELECT kid, role, public_jwk, public_pem, secret_ref, created_at, active FROM keys
             WHERE role = ?1 AND active = 1 ORDER BY created_at DESC LIMIT 1",
            [role],
            from_row,
        )
        .optional()?)
}

pub fn list(conn: &Connection) -> Result<Vec<KeyRow>> {
    let mut stmt = conn.prepare(
        "SELECT kid, role, public_jwk, public_pem, secret_ref, created_at, active FROM keys
         ORDER BY created_at DESC",
    )?;
    let rows = stmt.query_map([], from_row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

fn from_row(r: &rusqlite::Row) -> rusqlite::Result<KeyRow> {
    Ok(KeyRow {
        kid: r.get(0)?,
        role: r.get(1)?,
        public_jwk: r.get(2)?,
        public_pem: r.get(3)?,
        secret_ref: r.get(4)?,
        created_at: r.get(5)?,
        active: r.get(6)?,
    })
}
