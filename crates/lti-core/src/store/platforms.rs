//! Platform registrations: the LMSs the tool side trusts, keyed by (issuer, client_id).

use lti_protocol::jwk::Jwks;
use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Platform {
    pub id: String,
    pub name: String,
    /// The preset it was made from (canvas, moodle, blackboard…), if any.
    #[ts(optional = nullable)]
    pub preset: Option<String>,
    pub issuer: String,
    pub client_id: String,
    /// Known deployment ids; None = accept any deployment and report it.
    #[ts(optional = nullable)]
    pub deployment_ids: Option<Vec<String>>,
    pub auth_endpoint: String,
    pub token_endpoint: String,
    /// The client assertion's `aud` when it is not the token endpoint (Brightspace).
    #[ts(optional = nullable)]
    pub token_audience: Option<String>,
    #[ts(optional = nullable)]
    pub jwks_url: Option<String>,
    /// A pasted public key, normalised to a key set.
    #[ts(optional = nullable)]
    pub public_jwks: Option<Jwks>,
    #[ts(type = "number")]
    pub created_at: i64,
    #[ts(type = "number")]
    pub updated_at: i64,
}

fn from_row(r: &Row) -> rusqlite::Result<Platform> {
    let deployments: Option<String> = r.get(5)?;
    let jwks: Option<String> = r.get(10)?;
    Ok(Platform {
        id: r.get(0)?,
        name: r.get(1)?,
        preset: r.get(2)?,
        issuer: r.get(3)?,
        client_id: r.get(4)?,
        deployment_ids: deployments.and_then(|d| serde_json::from_str(&d).ok()),
        auth_endpoint: r.get(6)?,
        token_endpoint: r.get(7)?,
        token_audience: r.get(8)?,
        jwks_url: r.get(9)?,
        public_jwks: jwks.and_then(|j| serde_json::from_str(&j).ok()),
        created_at: r.get(11)?,
        updated_at: r.get(12)?,
    })
}

const COLS: &str =
    "id, name, preset, issuer, client_id, deployment_ids, auth_endpoint, token_endpoint,
    token_audience, jwks_url, public_jwks, created_at, updated_at";

pub fn list(conn: &Connection) -> Result<Vec<Platform>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLS} FROM platforms ORDER BY name, issuer"
    ))?;
    let rows = stmt.query_map([], from_row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

pub fn get(conn: &Connection, id: &str) -> Result<Platform> {
    conn.query_row(
        &format!("SELECT {COLS} FROM platforms WHERE id = ?1"),
        [id],
        from_row,
    )
    .optional()?
    .ok_or_else(|| Error::NotFound(format!("platform {id}")))
}

/// The registration for (iss, client_id); without a client_id, the only one for the issuer.
pub fn find(conn: &Connection, issuer: &str, client_id: Option<&str>) -> Result<Option<Platform>> {
    let mut stmt =
        conn.prepare_cached(&format!("SELECT {COLS} FROM platforms WHERE issuer = ?1"))?;
    let all = stmt
        .query_map([issuer], from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(pick(&all, issuer, client_id))
}

/// The one rule for "which registration": (iss, client_id) exactly; without a client_id, the
/// only registration of the issuer (several make it ambiguous: none). Used on stored rows and on
/// the in-memory cache alike.
pub fn pick(list: &[Platform], issuer: &str, client_id: Option<&str>) -> Option<Platform> {
    let mut same_issuer = list.iter().filter(|p| p.issuer == issuer);
    match client_id {
        Some(c) => same_issuer.find(|p| p.client_id == c).cloned(),
        None => {
            let first = same_issuer.next()?;
            same_issuer.next().is_none().then(|| first.clone())
        }
    }
}

pub fn upsert(tx: &Transaction, p: &Platform) -> Result<()> {
    let deployments = p
        .deployment_ids
        .as_ref()
        .map(|d| serde_json::to_string(d).expect("strings serialize"));
    let jwks = p
        .public_jwks
        .as_ref()
        .map(|j| serde_json::to_string(j).expect("jwks serialize"));
    tx.execute(
        &format!(
            "INSERT INTO platforms({COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
             ON CONFLICT(id) DO UPDATE SET name=excluded.name, preset=excluded.preset, issuer=excluded.issuer,
               client_id=excluded.client_id, deployment_ids=excluded.deployment_ids,
               auth_endpoint=excluded.auth_endpoint, token_endpoint=excluded.token_endpoint,
               token_audience=excluded.token_audience, jwks_url=excluded.jwks_url,
               public_jwks=excluded.public_jwks, updated_at=excluded.updated_at"
        ),
        params![
            p.id,
            p.name,
            p.preset,
            p.issuer,
            p.client_id,
            deployments,
            p.auth_endpoint,
            p.token_endpoint,
            p.token_audience,
            p.jwks_url,
            jwks,
            p.created_at,
            p.updated_at
        ],
    )
    .map_err(|e| match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::ConstraintViolation) => Error::BadRequest(format!(
            "a platform with issuer {:?} and client_id {:?} is already registered",
            p.issuer, p.client_id
        )),
        _ => Error::Database(e),
    })?;
    Ok(())
}

pub fn delete(tx: &Transaction, id: &str) -> Result<bool> {
    Ok(tx.execute("DELETE FROM platforms WHERE id = ?1", [id])? > 0)
}
