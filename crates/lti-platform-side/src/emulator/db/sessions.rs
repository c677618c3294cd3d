//! Short-lived state of the emulator's protocol: launches (their id is the lti_message_hint),
//! access tokens, and the ids of client assertions already used.

use rusqlite::{params, Connection, OptionalExtension, Transaction};

use super::{json, to_json};
use crate::emulator::model::*;
use lti_core::error::Result;

// ── launches ───────────────────────────────────────────────────────────────────────────────

const LAUNCH_COLS: &str = "id, flow_id, tool_id, user_id, course_id, deployment_id, message_type, resource_link_id,
    for_user_id, target_link_uri, negative, document_target, storage_target, dl_data, created_at, used_at,
    claims_override, dl_settings, lti11_tool_id";

pub fn insert_launch(tx: &Transaction, l: &Launch) -> Result<()> {
    let negative = l.negative.map(|n| n.rule_id().to_string());
    tx.execute(
        &format!(
            "INSERT INTO emu_launches({LAUNCH_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)"
        ),
        params![
            l.id,
            l.flow_id,
            l.tool_id,
            l.user_id,
            l.course_id,
            l.deployment_id,
            l.message_type,
            l.resource_link_id,
            l.for_user_id,
            l.target_link_uri,
            negative,
            l.document_target,
            l.storage_target,
            l.dl_data,
            l.created_at,
            l.used_at,
            l.claims_override
                .as_ref()
                .map(|m| serde_json::Value::Object(m.clone()).to_string()),
            l.dl_settings
                .as_ref()
                .and_then(|s| serde_json::to_string(s).ok()),
            l.lti11_tool_id,
        ],
    )?;
    Ok(())
}

pub fn launch(c: &Connection, id: &str) -> Result<Option<Launch>> {
    Ok(c.prepare_cached(&format!(
        "SELECT {LAUNCH_COLS} FROM emu_launches WHERE id = ?1"
    ))?
    .query_row([id], |r| {
        let negative: Option<String> = r.get(10)?;
        Ok(Launch {
            id: r.get(0)?,
            flow_id: r.get(1)?,
            tool_id: r.get(2)?,
            user_id: r.get(3)?,
            course_id: r.get(4)?,
            deployment_id: r.get(5)?,
            message_type: r.get(6)?,
            resource_link_id: r.get(7)?,
            for_user_id: r.get(8)?,
            target_link_uri: r.get(9)?,
            negative: negative
                .as_deref()
                .and_then(crate::emulator::launch::NegativeTest::from_rule_id),
            document_target: r.get(11)?,
            storage_target: r.get(12)?,
            dl_data: r.get(13)?,
            created_at: r.get(14)?,
            used_at: r.get(15)?,
            claims_override: r
                .get::<_, Option<String>>(16)?
                .and_then(|j| serde_json::from_str(&j).ok()),
            dl_settings: r
                .get::<_, Option<String>>(17)?
                .and_then(|j| serde_json::from_str(&j).ok()),
            lti11_tool_id: r.get(18)?,
        })
    })
    .optional()?)
}

/// Marks the launch's message hint used; false when it already was (single use).
pub fn use_launch(tx: &Transaction, id: &str) -> Result<bool> {
    Ok(tx.execute(
        "UPDATE emu_launches SET used_at = ?2 WHERE id = ?1 AND used_at IS NULL",
        params![id, lti_core::clock::now_ms()],
    )? > 0)
}

/// Marks the deep linking return of a launch; false when it already came back.
pub fn return_launch(tx: &Transaction, id: &str) -> Result<bool> {
    Ok(tx.execute(
        "UPDATE emu_launches SET returned_at = ?2 WHERE id = ?1 AND returned_at IS NULL",
        params![id, lti_core::clock::now_ms()],
    )? > 0)
}

// ── access tokens and assertion ids ────────────────────────────────────────────────────────

pub fn insert_token(tx: &Transaction, t: &AccessToken) -> Result<()> {
    tx.execute(
        "INSERT INTO emu_access_tokens(token, tool_id, scopes, flow_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![t.token, t.tool_id, to_json(&t.scopes), t.flow_id, lti_core::clock::now_ms(), t.expires_at],
    )?;
    // Expired tokens and assertion ids are of no further use.
    tx.execute(
        "DELETE FROM emu_access_tokens WHERE expires_at < ?1",
        [lti_core::clock::now_ms() - 3_600_000],
    )?;
    Ok(())
}

pub fn token(c: &Connection, token: &str) -> Result<Option<AccessToken>> {
    Ok(c.prepare_cached("SELECT token, tool_id, scopes, flow_id, expires_at FROM emu_access_tokens WHERE token = ?1")?
        .query_row([token], |r| {
            Ok(AccessToken {
                token: r.get(0)?,
                tool_id: r.get(1)?,
                scopes: json(r.get(2)?),
                flow_id: r.get(3)?,
                expires_at: r.get(4)?,
            })
        })
        .optional()?)
}

/// Records a client assertion's jti; false when it was already used (a replay).
pub fn use_jti(
    tx: &Transaction,
    tool_id: &str,
    jti: &str,
    expires_at_ms: i64,
    flow_id: &str,
) -> Result<bool> {
    let now = lti_core::clock::now_ms();
    tx.execute(
        "DELETE FROM emu_assertion_jtis WHERE expires_at < ?1",
        [now - 600_000],
    )?;
    Ok(tx.execute(
        "INSERT OR IGNORE INTO emu_assertion_jtis(tool_id, jti, expires_at, flow_id) VALUES (?1, ?2, ?3, ?4)",
        params![tool_id, jti, expires_at_ms.max(now), flow_id],
    )? > 0)
}
