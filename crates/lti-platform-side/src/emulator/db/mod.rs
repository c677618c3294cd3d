//! The emulator's tables (migration `20261127110000_emulator`): reading and writing courses,
//! users, enrollments, tools, deployments, resource links, line items, grades, launches, access
//! tokens and client assertion ids. JSON columns hold arrays and maps; ids are strings.

use std::collections::BTreeMap;

use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};
use serde::de::DeserializeOwned;

use super::model::*;
use lti_core::error::{Error, Result};

mod grades;
mod sessions;

pub use grades::*;
pub use sessions::*;

pub(super) fn json<T: DeserializeOwned + Default>(s: Option<String>) -> T {
    s.and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_default()
}

pub(super) fn to_json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("plain data serializes")
}

// ── courses ────────────────────────────────────────────────────────────────────────────────

const COURSE_COLS: &str = "id, context_id, label, title, types, sourcedid, demo, created_at";

fn course_row(r: &Row) -> rusqlite::Result<EmulatorCourse> {
    Ok(EmulatorCourse {
        id: r.get(0)?,
        context_id: r.get(1)?,
        label: r.get(2)?,
        title: r.get(3)?,
        types: json(r.get(4)?),
        sourcedid: r.get(5)?,
        demo: r.get(6)?,
        created_at: r.get(7)?,
    })
}

pub fn courses(c: &Connection) -> Result<Vec<EmulatorCourse>> {
    let mut st = c.prepare_cached(&format!(
        "SELECT {COURSE_COLS} FROM emu_courses ORDER BY demo DESC, title"
    ))?;
    let rows = st.query_map([], course_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn course(c: &Connection, id: &str) -> Result<Option<EmulatorCourse>> {
    Ok(c.prepare_cached(&format!(
        "SELECT {COURSE_COLS} FROM emu_courses WHERE id = ?1"
    ))?
    .query_row([id], course_row)
    .optional()?)
}

pub fn course_required(c: &Connection, id: &str) -> Result<EmulatorCourse> {
    course(c, id)?.ok_or_else(|| Error::NotFound(format!("course {id}")))
}

pub fn upsert_course(tx: &Transaction, x: &EmulatorCourse) -> Result<()> {
    tx.execute(
        &format!(
            "INSERT INTO emu_courses({COURSE_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT(id) DO UPDATE SET context_id=excluded.context_id, label=excluded.label,
               title=excluded.title, types=excluded.types, sourcedid=excluded.sourcedid"
        ),
        params![
            x.id,
            x.context_id,
            x.label,
            x.title,
            to_json(&x.types),
            x.sourcedid,
            x.demo,
            x.created_at
        ],
    )
    .map_err(|e| {
        unique_or(
            e,
            format!("a course with context id {:?} already exists", x.context_id),
        )
    })?;
    Ok(())
}

fn unique_or(e: rusqlite::Error, message: String) -> Error {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::ConstraintViolation) => Error::BadRequest(message),
        _ => Error::Database(e),
    }
}

// ── users and enrollments ──────────────────────────────────────────────────────────────────

const USER_COLS: &str =
    "id, given_name, family_name, name, email, picture, locale, sourcedid, system_roles, institution_roles, demo";

fn user_row(r: &Row) -> rusqlite::Result<EmulatorUser> {
    Ok(EmulatorUser {
        id: r.get(0)?,
        given_name: r.get(1)?,
        family_name: r.get(2)?,
        name: r.get(3)?,
        email: r.get(4)?,
        picture: r.get(5)?,
        locale: r.get(6)?,
        sourcedid: r.get(7)?,
        system_roles: json(r.get(8)?),
        institution_roles: json(r.get(9)?),
        demo: r.get(10)?,
    })
}

pub fn users(c: &Connection) -> Result<Vec<EmulatorUser>> {
    let mut st = c.prepare_cached(&format!(
        "SELECT {USER_COLS} FROM emu_users ORDER BY family_name, given_name, id"
    ))?;
    let rows = st.query_map([], user_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn user(c: &Connection, id: &str) -> Result<Option<EmulatorUser>> {
    Ok(
        c.prepare_cached(&format!("SELECT {USER_COLS} FROM emu_users WHERE id = ?1"))?
            .query_row([id], user_row)
            .optional()?,
    )
}

pub fn upsert_user(tx: &Transaction, u: &EmulatorUser) -> Result<()> {
    tx.execute(
        &format!(
            "INSERT INTO emu_users({USER_COLS}, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
             ON CONFLICT(id) DO UPDATE SET given_name=excluded.given_name, family_name=excluded.family_name,
               name=excluded.name, email=excluded.email, picture=excluded.picture, locale=excluded.locale,
               sourcedid=excluded.sourcedid, system_roles=excluded.system_roles,
               institution_roles=excluded.institution_roles"
        ),
        params![
            u.id,
            u.given_name,
            u.family_name,
            u.name,
            u.email,
            u.picture,
            u.locale,
            u.sourcedid,
            to_json(&u.system_roles),
            to_json(&u.institution_roles),
            u.demo,
            lti_core::clock::now_ms()
        ],
    )?;
    Ok(())
}

fn enrollment_row(r: &Row) -> rusqlite::Result<Enrollment> {
    let mentees: Option<String> = r.get(4)?;
    Ok(Enrollment {
        course_id: r.get(0)?,
        user_id: r.get(1)?,
        roles: json(r.get(2)?),
        status: r.get(3)?,
        mentees: mentees.and_then(|m| serde_json::from_str(&m).ok()),
        updated_at: r.get(5)?,
    })
}

const ENROLLMENT_COLS: &str = "course_id, user_id, roles, status, mentees, updated_at";

/// Every membership of a course, Deleted ones included (NRPS differences report them).
pub fn enrollments(c: &Connection, course_id: &str) -> Result<Vec<Enrollment>> {
    let mut st = c.prepare_cached(&format!(
        "SELECT {ENROLLMENT_COLS} FROM emu_enrollments WHERE course_id = ?1 ORDER BY user_id"
    ))?;
    let rows = st.query_map([course_id], enrollment_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn enrollment(c: &Connection, course_id: &str, user_id: &str) -> Result<Option<Enrollment>> {
    Ok(c.prepare_cached(&format!(
        "SELECT {ENROLLMENT_COLS} FROM emu_enrollments WHERE course_id = ?1 AND user_id = ?2"
    ))?
    .query_row([course_id, user_id], enrollment_row)
    .optional()?)
}

pub fn upsert_enrollment(tx: &Transaction, e: &Enrollment) -> Result<()> {
    tx.execute(
        &format!(
            "INSERT INTO emu_enrollments({ENROLLMENT_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT(course_id, user_id) DO UPDATE SET roles=excluded.roles, status=excluded.status,
               mentees=excluded.mentees, updated_at=excluded.updated_at"
        ),
        params![
            e.course_id,
            e.user_id,
            to_json(&e.roles),
            e.status,
            e.mentees.as_ref().map(to_json),
            e.updated_at
        ],
    )?;
    Ok(())
}

// ── tools and deployments ──────────────────────────────────────────────────────────────────

const TOOL_COLS: &str =
    "id, name, client_id, login_url, redirect_uris, target_link_uri, deep_link_url, jwks_url,
    public_jwks, custom, scopes, demo, created_at, updated_at";

fn tool_row(r: &Row) -> rusqlite::Result<EmulatorTool> {
    let jwks: Option<String> = r.get(8)?;
    Ok(EmulatorTool {
        id: r.get(0)?,
        name: r.get(1)?,
        client_id: r.get(2)?,
        login_url: r.get(3)?,
        redirect_uris: json(r.get(4)?),
        target_link_uri: r.get(5)?,
        deep_link_url: r.get(6)?,
        jwks_url: r.get(7)?,
        public_jwks: jwks.and_then(|j| serde_json::from_str(&j).ok()),
        custom: json::<BTreeMap<String, String>>(r.get(9)?),
        scopes: json(r.get(10)?),
        deployment_ids: Vec::new(),
        demo: r.get(11)?,
        created_at: r.get(12)?,
        updated_at: r.get(13)?,
    })
}

fn with_deployments(c: &Connection, mut t: EmulatorTool) -> Result<EmulatorTool> {
    let mut st = c.prepare_cached(
        "SELECT deployment_id FROM emu_deployments WHERE tool_id = ?1 ORDER BY course_id IS NOT NULL, created_at",
    )?;
    t.deployment_ids = st
        .query_map([&t.id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(t)
}

pub fn tools(c: &Connection) -> Result<Vec<EmulatorTool>> {
    let mut st = c.prepare_cached(&format!(
        "SELECT {TOOL_COLS} FROM emu_tools ORDER BY demo DESC, name"
    ))?;
    let rows = st
        .query_map([], tool_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter().map(|t| with_deployments(c, t)).collect()
}

pub fn tool(c: &Connection, id: &str) -> Result<Option<EmulatorTool>> {
    let t = c
        .prepare_cached(&format!("SELECT {TOOL_COLS} FROM emu_tools WHERE id = ?1"))?
        .query_row([id], tool_row)
        .optional()?;
    t.map(|t| with_deployments(c, t)).transpose()
}

pub fn tool_required(c: &Connection, id: &str) -> Result<EmulatorTool> {
    tool(c, id)?.ok_or_else(|| Error::NotFound(format!("emulator tool {id}")))
}

pub fn tool_by_client_id(c: &Connection, client_id: &str) -> Result<Option<EmulatorTool>> {
    let t = c
        .prepare_cached(&format!(
            "SELECT {TOOL_COLS} FROM emu_tools WHERE client_id = ?1"
        ))?
        .query_row([client_id], tool_row)
        .optional()?;
    t.map(|t| with_deployments(c, t)).transpose()
}

pub fn demo_tool(c: &Connection) -> Result<Option<EmulatorTool>> {
    let t = c
        .prepare_cached(&format!(
            "SELECT {TOOL_COLS} FROM emu_tools WHERE demo = 1 ORDER BY created_at LIMIT 1"
        ))?
        .query_row([], tool_row)
        .optional()?;
    t.map(|t| with_deployments(c, t)).transpose()
}

pub fn upsert_tool(tx: &Transaction, t: &EmulatorTool) -> Result<()> {
    tx.execute(
        &format!(
            "INSERT INTO emu_tools({TOOL_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
             ON CONFLICT(id) DO UPDATE SET name=excluded.name, client_id=excluded.client_id,
               login_url=excluded.login_url, redirect_uris=excluded.redirect_uris,
               target_link_uri=excluded.target_link_uri, deep_link_url=excluded.deep_link_url,
               jwks_url=excluded.jwks_url, public_jwks=excluded.public_jwks, custom=excluded.custom,
               scopes=excluded.scopes, updated_at=excluded.updated_at"
        ),
        params![
            t.id,
            t.name,
            t.client_id,
            t.login_url,
            to_json(&t.redirect_uris),
            t.target_link_uri,
            t.deep_link_url,
            t.jwks_url,
            t.public_jwks.as_ref().map(to_json),
            to_json(&t.custom),
            to_json(&t.scopes),
            t.demo,
            t.created_at,
            t.updated_at
        ],
    )
    .map_err(|e| unique_or(e, format!("another tool already uses client_id {:?}", t.client_id)))?;
    Ok(())
}

pub fn delete_tool(tx: &Transaction, id: &str) -> Result<bool> {
    Ok(tx.execute("DELETE FROM emu_tools WHERE id = ?1", [id])? > 0)
}

/// Adds a deployment; an id taken by another tool is refused.
pub fn insert_deployment(
    tx: &Transaction,
    deployment_id: &str,
    tool_id: &str,
    course_id: Option<&str>,
) -> Result<()> {
    let owner: Option<String> = tx
        .query_row(
            "SELECT tool_id FROM emu_deployments WHERE deployment_id = ?1",
            [deployment_id],
            |r| r.get(0),
        )
        .optional()?;
    match owner {
        Some(o) if o == tool_id => Ok(()),
        Some(_) => Err(Error::BadRequest(format!(
            "deployment id {deployment_id:?} belongs to another tool"
        ))),
        None => {
            tx.execute(
                "INSERT INTO emu_deployments(deployment_id, tool_id, course_id, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![deployment_id, tool_id, course_id, lti_core::clock::now_ms()],
            )?;
            Ok(())
        }
    }
}

/// The deployment a launch of `tool` in `course` uses: the course's own, else platform-wide.
pub fn deployment_for(c: &Connection, tool_id: &str, course_id: &str) -> Result<Option<String>> {
    Ok(c.prepare_cached(
        "SELECT deployment_id FROM emu_deployments WHERE tool_id = ?1 AND (course_id = ?2 OR course_id IS NULL)
         ORDER BY course_id IS NULL, created_at LIMIT 1",
    )?
    .query_row([tool_id, course_id], |r| r.get(0))
    .optional()?)
}

// ── resource links ─────────────────────────────────────────────────────────────────────────

const LINK_COLS: &str =
    "id, course_id, tool_id, title, description, url, custom, source, created_at";

fn link_row(r: &Row) -> rusqlite::Result<ResourceLink> {
    Ok(ResourceLink {
        id: r.get(0)?,
        course_id: r.get(1)?,
        tool_id: r.get(2)?,
        title: r.get(3)?,
        description: r.get(4)?,
        url: r.get(5)?,
        custom: json::<BTreeMap<String, String>>(r.get(6)?),
        source: r.get(7)?,
        created_at: r.get(8)?,
    })
}

pub fn resource_links(c: &Connection, course_id: &str) -> Result<Vec<ResourceLink>> {
    let mut st = c.prepare_cached(&format!(
        "SELECT {LINK_COLS} FROM emu_resource_links WHERE course_id = ?1 ORDER BY created_at, rowid"
    ))?;
    let rows = st.query_map([course_id], link_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn resource_link(c: &Connection, id: &str) -> Result<Option<ResourceLink>> {
    Ok(c.prepare_cached(&format!(
        "SELECT {LINK_COLS} FROM emu_resource_links WHERE id = ?1"
    ))?
    .query_row([id], link_row)
    .optional()?)
}

pub fn insert_resource_link(tx: &Transaction, l: &ResourceLink) -> Result<()> {
    tx.execute(
        &format!("INSERT OR IGNORE INTO emu_resource_links({LINK_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"),
        params![l.id, l.course_id, l.tool_id, l.title, l.description, l.url, to_json(&l.custom), l.source, l.created_at],
    )?;
    Ok(())
}

// ── settings ───────────────────────────────────────────────────────────────────────────────

pub fn setting(c: &Connection, key: &str) -> Result<Option<String>> {
    Ok(
        c.prepare_cached("SELECT value FROM settings WHERE key = ?1")?
            .query_row([key], |r| r.get(0))
            .optional()?,
    )
}

pub fn set_setting(tx: &Transaction, key: &str, value: &str) -> Result<()> {
    tx.execute(
        "INSERT INTO settings(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}
