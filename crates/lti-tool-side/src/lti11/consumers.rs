//! LTI 1.1 consumers the tool side trusts: a consumer key with a name in the database, its
//! shared secret in the OS keychain (`lti11-secret:<key>`), never in the database, logs or
//! exports.

use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::ToolSide;
use lti_core::error::{Error, Result};
use lti_core::model_changes::ModelKind;
use lti_core::sensitive::Sensitive;

/// A registered consumer as the UI sees it: whether a secret is stored, never the secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Lti11Consumer {
    pub consumer_key: String,
    pub name: String,
    pub has_secret: bool,
    #[ts(type = "number")]
    pub created_at: i64,
    #[ts(type = "number")]
    pub updated_at: i64,
}

/// What the form submits. `secret` absent or empty keeps the stored one.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct Lti11ConsumerInput {
    pub consumer_key: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub secret: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ConsumerKeyArgs {
    pub consumer_key: String,
}

fn secret_ref(key: &str) -> String {
    format!("lti11-secret:{key}")
}

fn from_row(r: &Row) -> rusqlite::Result<Lti11Consumer> {
    Ok(Lti11Consumer {
        consumer_key: r.get(0)?,
        name: r.get(1)?,
        has_secret: r.get::<_, Option<String>>(2)?.is_some(),
        created_at: r.get(3)?,
        updated_at: r.get(4)?,
    })
}

const COLUMNS: &str = "consumer_key, name, secret_ref, created_at, updated_at";

pub fn list(c: &Connection) -> Result<Vec<Lti11Consumer>> {
    let mut st = c.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM lti11_consumers ORDER BY name, consumer_key"
    ))?;
    let rows = st.query_map([], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn get(c: &Connection, key: &str) -> Result<Option<Lti11Consumer>> {
    Ok(c.query_row(
        &format!("SELECT {COLUMNS} FROM lti11_consumers WHERE consumer_key = ?1"),
        [key],
        from_row,
    )
    .optional()?)
}

fn upsert(tx: &Transaction, key: &str, name: &str, with_secret: bool) -> Result<()> {
    let now = lti_core::clock::now_ms();
    let secret = with_secret.then(|| secret_ref(key));
    tx.execute(
        "INSERT INTO lti11_consumers (consumer_key, name, secret_ref, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?4)
         ON CONFLICT(consumer_key) DO UPDATE SET name = ?2,
           secret_ref = COALESCE(?3, secret_ref), updated_at = ?4",
        params![key, name, secret, now],
    )?;
    Ok(())
}

/// Checks the form's fields; every problem at once.
fn problems(input: &Lti11ConsumerInput) -> Vec<String> {
    let mut out = Vec::new();
    out.extend(lti_protocol::lti11::launch::consumer_key_problem(
        &input.consumer_key,
    ));
    if let Some(s) = &input.secret {
        if s.len() > 4096 {
            out.push("secret: longer than 4096 characters".into());
        }
    }
    out
}

pub async fn save(tool: &ToolSide, input: Lti11ConsumerInput) -> Result<Lti11Consumer> {
    let found = problems(&input);
    if !found.is_empty() {
        return Err(Error::BadRequest(found.join("; ")));
    }
    let key = input.consumer_key.trim().to_string();
    let name = match input.name.trim() {
        "" => key.clone(),
        n => n.to_string(),
    };
    // The secret exactly as typed: white space may be part of it, and the signature check says
    // so when a trimmed secret would have verified.
    let secret = input.secret.filter(|s| !s.is_empty());
    let with_secret = secret.is_some();
    if let Some(s) = secret {
        // Keychain first: a row naming a secret that is not there would verify nothing.
        tool.keys()
            .set_shared_secret(&secret_ref(&key), Sensitive::new(s))
            .await?;
    }
    let k = key.clone();
    tool.core()
        .write_model(ModelKind::Lti11Consumer, Some(key.clone()), move |tx| {
            upsert(tx, &k, &name, with_secret)
        })
        .await?;
    tracing::info!(consumer_key = %key, with_secret, "LTI 1.1 consumer saved");
    let k = key.clone();
    tool.store()
        .read(move |c| get(c, &k))
        .await?
        .ok_or_else(|| Error::Internal(format!("consumer {key:?} vanished after saving")))
}

pub async fn delete(tool: &ToolSide, key: String) -> Result<()> {
    let k = key.clone();
    let gone = tool
        .core()
        .write_model(ModelKind::Lti11Consumer, Some(key.clone()), move |tx| {
            Ok(tx.execute("DELETE FROM lti11_consumers WHERE consumer_key = ?1", [k])? > 0)
        })
        .await?;
    if !gone {
        return Err(Error::NotFound("LTI 1.1 consumer".into()));
    }
    if let Err(e) = tool.keys().delete_shared_secret(&secret_ref(&key)).await {
        tracing::warn!(error = %e, "could not delete a consumer secret from the keychain");
    }
    Ok(())
}

/// The consumer registered under `key` and its secret (None when the key is unknown, or its
/// secret was never given or is gone from the keychain).
pub async fn lookup(
    tool: &ToolSide,
    key: &str,
) -> Result<(Option<Lti11Consumer>, Option<Sensitive<String>>)> {
    let k = key.to_string();
    let consumer = tool.store().read(move |c| get(c, &k)).await?;
    let secret = match &consumer {
        Some(c) if c.has_secret => tool.keys().shared_secret(&secret_ref(key)).await?,
        _ => None,
    };
    Ok((consumer, secret))
}

/// The 1.1 secret of the consumer a 1.3 launch's migration claim names (lti1p1
/// oauth_consumer_key), to verify its `oauth_consumer_key_sign`. No claim: no read at all.
pub async fn migration_secret(
    tool: &ToolSide,
    payload: Option<&serde_json::Map<String, serde_json::Value>>,
) -> Option<String> {
    let key = payload?
        .get(lti_protocol::vocab::claim::LTI1P1)?
        .get("oauth_consumer_key")?
        .as_str()?;
    match lookup(tool, key).await {
        Ok((_, secret)) => secret.map(|s| s.expose().clone()),
        Err(e) => {
            tracing::warn!(error = %e, "could not read an LTI 1.1 consumer for a migration claim");
            None
        }
    }
}
