//! LTI 1.1 tools registered in the emulator: launch URL, consumer key, the LMS the emulator
//! imitates for them, custom parameters. The shared secret lives in the keychain only.

use std::collections::BTreeMap;

use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::PlatformSide;
use lti_core::command_args::{Deleted, IdArgs};
use lti_core::error::{Error, Result};
use lti_core::model_changes::ModelKind;
use lti_core::sensitive::Sensitive;
use lti_protocol::lti11::params::LMS_PROFILES;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Lti11Tool {
    pub id: String,
    pub name: String,
    pub launch_url: String,
    pub consumer_key: String,
    pub has_secret: bool,
    /// The LMS whose extension parameters the launches carry (generic, canvas, moodle…).
    pub lms: String,
    pub custom: BTreeMap<String, String>,
    #[ts(type = "number")]
    pub created_at: i64,
    #[ts(type = "number")]
    pub updated_at: i64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct Lti11ToolInput {
    #[serde(default)]
    #[ts(optional = nullable)]
    pub id: Option<String>,
    #[serde(default)]
    pub name: String,
    pub launch_url: String,
    pub consumer_key: String,
    /// Absent or empty keeps the stored secret.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub secret: Option<String>,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub lms: Option<String>,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub custom: Option<BTreeMap<String, String>>,
}

const COLS: &str =
    "id, name, launch_url, consumer_key, secret_ref, lms, custom, created_at, updated_at";

fn secret_ref(id: &str) -> String {
    format!("emulator-lti11-secret:{id}")
}

fn row(r: &Row) -> rusqlite::Result<Lti11Tool> {
    let custom: String = r.get(6)?;
    Ok(Lti11Tool {
        id: r.get(0)?,
        name: r.get(1)?,
        launch_url: r.get(2)?,
        consumer_key: r.get(3)?,
        has_secret: r.get::<_, Option<String>>(4)?.is_some(),
        lms: r.get(5)?,
        custom: serde_json::from_str(&custom).unwrap_or_default(),
        created_at: r.get(7)?,
        updated_at: r.get(8)?,
    })
}

pub fn list(c: &Connection) -> Result<Vec<Lti11Tool>> {
    let mut st = c.prepare_cached(&format!(
        "SELECT {COLS} FROM emu_lti11_tools ORDER BY name, id"
    ))?;
    let rows = st.query_map([], row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn get(c: &Connection, id: &str) -> Result<Option<Lti11Tool>> {
    Ok(c.query_row(
        &format!("SELECT {COLS} FROM emu_lti11_tools WHERE id = ?1"),
        [id],
        row,
    )
    .optional()?)
}

pub fn by_key(c: &Connection, key: &str) -> Result<Option<Lti11Tool>> {
    Ok(c.query_row(
        &format!("SELECT {COLS} FROM emu_lti11_tools WHERE consumer_key = ?1"),
        [key],
        row,
    )
    .optional()?)
}

pub fn required(c: &Connection, id: &str) -> Result<Lti11Tool> {
    get(c, id)?.ok_or_else(|| Error::NotFound(format!("emulator LTI 1.1 tool {id}")))
}

/// Every problem of the form at once.
fn problems(input: &Lti11ToolInput) -> Vec<String> {
    let mut out = Vec::new();
    match url::Url::parse(input.launch_url.trim()) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {}
        _ => out.push("launch URL: an absolute http(s) URL".to_string()),
    }
    out.extend(lti_protocol::lti11::launch::consumer_key_problem(
        &input.consumer_key,
    ));
    if let Some(l) = &input.lms {
        if !LMS_PROFILES.contains(&l.as_str()) {
            out.push(format!("lms: one of {}", LMS_PROFILES.join(", ")));
        }
    }
    out
}

pub async fn save(platform: &PlatformSide, input: Lti11ToolInput) -> Result<Lti11Tool> {
    let found = problems(&input);
    if !found.is_empty() {
        return Err(Error::BadRequest(found.join("; ")));
    }
    let existing = match input.id.clone() {
        Some(id) => Some(platform.store().read(move |c| required(c, &id)).await?),
        None => None,
    };
    let id = existing
        .as_ref()
        .map(|t| t.id.clone())
        .unwrap_or_else(|| format!("lti11-{}", &lti_core::ids::secret_token()[..12]));
    let secret = input.secret.clone().filter(|s| !s.is_empty());
    if existing.as_ref().is_none_or(|t| !t.has_secret) && secret.is_none() {
        return Err(Error::BadRequest(
            "secret: required (the tool verifies every launch with it)".into(),
        ));
    }
    if let Some(s) = secret.clone() {
        platform
            .keys()
            .set_shared_secret(&secret_ref(&id), Sensitive::new(s))
            .await?;
    }
    let now = lti_core::clock::now_ms();
    let name = match input.name.trim() {
        "" => input.consumer_key.trim().to_string(),
        n => n.to_string(),
    };
    let custom = serde_json::to_string(
        &input
            .custom
            .clone()
            .or_else(|| existing.as_ref().map(|t| t.custom.clone()))
            .unwrap_or_default(),
    )
    .map_err(|e| Error::Internal(e.to_string()))?;
    let lms = input
        .lms
        .clone()
        .or_else(|| existing.as_ref().map(|t| t.lms.clone()))
        .unwrap_or_else(|| "generic".into());
    let (i, key, url) = (
        id.clone(),
        input.consumer_key.trim().to_string(),
        input.launch_url.trim().to_string(),
    );
    let with_secret = secret.is_some() || existing.as_ref().is_some_and(|t| t.has_secret);
    platform
        .core()
        .write_model(ModelKind::EmulatorTool, Some(id.clone()), move |tx| {
            let taken: Option<String> = tx
                .query_row("SELECT id FROM emu_lti11_tools WHERE consumer_key = ?1 AND id != ?2", [&key, &i], |r| r.get(0))
                .optional()?;
            if taken.is_some() {
                return Err(Error::BadRequest(format!("consumer key: {key:?} is used by another 1.1 tool")));
            }
            tx.execute(
                "INSERT INTO emu_lti11_tools (id, name, launch_url, consumer_key, secret_ref, lms, custom, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)
                 ON CONFLICT(id) DO UPDATE SET name = ?2, launch_url = ?3, consumer_key = ?4,
                   secret_ref = ?5, lms = ?6, custom = ?7, updated_at = ?8",
                params![i, name, url, key, with_secret.then(|| secret_ref(&i)), lms, custom, now],
            )?;
            Ok(())
        })
        .await?;
    platform.store().read(move |c| required(c, &id)).await
}

pub async fn delete(platform: &PlatformSide, args: IdArgs) -> Result<Deleted> {
    let id = args.id.clone();
    let deleted = platform
        .core()
        .write_model(ModelKind::EmulatorTool, Some(id.clone()), move |tx| {
            Ok(tx.execute("DELETE FROM emu_lti11_tools WHERE id = ?1", [&id])? > 0)
        })
        .await?;
    if !deleted {
        return Err(Error::NotFound("emulator LTI 1.1 tool".into()));
    }
    if let Err(e) = platform
        .keys()
        .delete_shared_secret(&secret_ref(&args.id))
        .await
    {
        tracing::warn!(error = %e, "could not delete a 1.1 tool's secret from the keychain");
    }
    Ok(Deleted { deleted })
}

/// The tool's shared secret from the keychain.
pub async fn secret(platform: &PlatformSide, tool: &Lti11Tool) -> Result<String> {
    if !tool.has_secret {
        return Err(Error::BadRequest(format!(
            "the 1.1 tool {:?} has no secret",
            tool.name
        )));
    }
    platform
        .keys()
        .shared_secret(&secret_ref(&tool.id))
        .await?
        .map(|s| s.expose().clone())
        .ok_or_else(|| Error::BadRequest(format!("the secret of the 1.1 tool {:?} is gone from the keychain: save the tool with its secret again", tool.name)))
}

/// The lti1p1 claim of a 1.3 launch for the emulator 1.1 tool `tool_id` (its key, the user and
/// link as the 1.1 tool knew them), and the secret that signed it.
pub async fn migration_claim(
    platform: &PlatformSide,
    tool_id: &str,
    claims: &serde_json::Map<String, serde_json::Value>,
    launch: &crate::emulator::model::Launch,
    context_id: &str,
) -> Result<(serde_json::Value, String)> {
    let id = tool_id.to_string();
    let tool = platform.store().read(move |c| required(c, &id)).await?;
    let secret = secret(platform, &tool).await?;
    // The ids the emulator's 1.1 launches of this tool use, so a tool can map its records.
    let link = format!("{}-{}", tool.id, launch.course_id);
    let claim = lti_protocol::lti11::migration::build_claim(
        claims,
        &tool.consumer_key,
        &secret,
        &[
            ("user_id", launch.user_id.as_str()),
            ("resource_link_id", link.as_str()),
            ("context_id", context_id),
        ],
    )
    .map_err(Error::BadRequest)?;
    Ok((claim, secret))
}
