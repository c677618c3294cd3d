//! The zero-configuration demo: on first start the emulator gets a demo course (an instructor
//! and three learners), the inspector's own tool side registered as a tool in it (with a graded
//! resource link), and — on the tool side — the emulator registered as a platform, so "Launch
//! demo" runs a real, valid OIDC flow over loopback. Seeding is idempotent; the URLs of both sides
//! are brought up to date at every start (ports and the emulator's host name can change).

use std::collections::BTreeMap;
use std::time::Duration;

use crate::engine::Engine;
use lti_core::error::Result;
use lti_core::model_changes::ModelKind;
use lti_core::store;
use lti_platform_side::emulator::launch::{LaunchArgs, LaunchUrl};
use lti_platform_side::emulator::model::*;
use lti_platform_side::emulator::{base_url, db, paths};
use lti_tool_side::capture::paths as tool_paths;
use lti_tool_side::registrations::{self, PlatformInput};

pub const COURSE_ID: &str = "demo-course";
pub const CONTEXT_ID: &str = "demo-course-101";
pub const TOOL_ID: &str = "demo-tool";
pub const CLIENT_ID: &str = "lti-inspector-demo";
pub const DEPLOYMENT_ID: &str = "demo-deployment-1";
pub const LINK_ID: &str = "demo-link-1";
pub const LINE_ITEM_ID: &str = "demo-lineitem-1";
pub const INSTRUCTOR: &str = "demo-instructor";
pub const LEARNERS: [&str; 3] = ["demo-learner-1", "demo-learner-2", "demo-learner-3"];

const SEEDED: &str = "emulator.demo_seeded";
const SYNCED: &str = "emulator.demo_synced";
const PLATFORM_ID: &str = "emulator.demo_platform_id";

/// Seeds the demo once both servers run (called when the emulator's router is built, before
/// its server binds). Without a runtime, or when a server never starts, nothing happens here;
/// commands still seed on first use.
pub fn seed_when_started(engine: &Engine) {
    let Ok(rt) = tokio::runtime::Handle::try_current() else {
        return;
    };
    let engine = engine.clone();
    rt.spawn(async move {
        for _ in 0..200 {
            if engine.emulator_status().running && engine.tool_status().running {
                if engine.keystore_status().ok {
                    // The first launch should not wait for key generation.
                    let _ = engine
                        .keys()
                        .signing_key(lti_core::signing_keys::KeyRole::Emulator)
                        .await;
                }
                if let Err(e) = ensure(&engine).await {
                    tracing::error!(error = %e, "could not seed the emulator's demo");
                }
                return;
            }
            if engine.emulator_status().error.is_some() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    });
}

fn user(id: &str, given: &str, family: &str, institution_role: &str) -> EmulatorUser {
    EmulatorUser {
        id: id.into(),
        given_name: given.into(),
        family_name: family.into(),
        name: format!("{given} {family}"),
        email: Some(format!("{}@demo.lti-inspector.invalid", id)),
        picture: None,
        locale: Some("en-US".into()),
        sourcedid: Some(format!("sis-{id}")),
        system_roles: vec![role::SYSTEM_USER.into()],
        institution_roles: vec![institution_role.into()],
        demo: true,
    }
}

/// The demo tool's registration for the tool side at `tool_base`.
fn demo_tool(tool_base: &str, now: i64) -> EmulatorTool {
    let mut custom = BTreeMap::new();
    custom.insert("user_id".to_string(), "$User.id".to_string());
    custom.insert("given_name".to_string(), "$Person.name.given".to_string());
    custom.insert("context_title".to_string(), "$Context.title".to_string());
    custom.insert("resource_link".to_string(), "$ResourceLink.id".to_string());
    EmulatorTool {
        id: TOOL_ID.into(),
        name: "LTI Inspector (tool side)".into(),
        client_id: CLIENT_ID.into(),
        login_url: format!("{tool_base}{}", tool_paths::LOGIN),
        redirect_uris: vec![
            format!("{tool_base}{}", tool_paths::LAUNCH),
            format!("{tool_base}{}", tool_paths::DEEP_LINK),
        ],
        target_link_uri: format!("{tool_base}{}", tool_paths::LAUNCH),
        deep_link_url: Some(format!("{tool_base}{}", tool_paths::DEEP_LINK)),
        jwks_url: Some(format!("{tool_base}{}", tool_paths::JWKS)),
        public_jwks: None,
        custom,
        scopes: scope::ALL.iter().map(|s| s.to_string()).collect(),
        deployment_ids: vec![DEPLOYMENT_ID.into()],
        demo: true,
        created_at: now,
        updated_at: now,
    }
}

/// Seeds the demo model (once) and brings both sides' URLs up to date.
pub async fn ensure(engine: &Engine) -> Result<()> {
    // One seeding at a time (the start task and a first command can race).
    let _one = engine.demo_lock().lock().await;
    let tool_base = engine.tool_status().base_url;
    let emulator_base = base_url(engine.platform());
    let seeded = engine
        .store()
        .read(|c| db::setting(c, SEEDED))
        .await?
        .is_some();
    if !seeded {
        let base = tool_base.clone().unwrap_or_else(|| {
            let cfg = engine.config();
            format!("http://{}:{}", cfg.tool_host, cfg.tool_port)
        });
        engine
            .core()
            .write_model(ModelKind::Course, None, move |tx| seed(tx, &base))
            .await?;
        tracing::info!("seeded the emulator's demo course");
    }
    let Some(tool_base) = tool_base else {
        return Ok(());
    };
    let stamp = format!("{tool_base} {emulator_base}");
    let (synced, platform_id) = engine
        .store()
        .read(|c| Ok((db::setting(c, SYNCED)?, db::setting(c, PLATFORM_ID)?)))
        .await?;
    let platform_exists = match platform_id.clone() {
        Some(id) => {
            engine
                .store()
                .read(move |c| Ok(store::platforms::get(c, &id).is_ok()))
                .await?
        }
        None => false,
    };
    if synced.as_deref() == Some(stamp.as_str()) && platform_exists {
        return Ok(());
    }
    // The demo tool follows the tool side's address (unless the user removed the demo tool).
    let tb = tool_base.clone();
    engine
        .core()
        .write_model(ModelKind::EmulatorTool, None, move |tx| {
            if let Some(mut t) = db::demo_tool(tx)? {
                let fresh = demo_tool(&tb, t.created_at);
                t.login_url = fresh.login_url;
                t.redirect_uris = fresh.redirect_uris;
                t.target_link_uri = fresh.target_link_uri;
                t.deep_link_url = fresh.deep_link_url;
                t.jwks_url = fresh.jwks_url;
                t.updated_at = lti_core::clock::now_ms();
                db::upsert_tool(tx, &t)?;
            }
            Ok(())
        })
        .await?;
    // The tool side trusts the emulator: its issuer is the emulator's base URL.
    let existing = match platform_id.filter(|_| platform_exists) {
        Some(id) => Some(id),
        None => {
            let iss = emulator_base.clone();
            engine
                .store()
                .read(move |c| Ok(store::platforms::find(c, &iss, Some(CLIENT_ID))?.map(|p| p.id)))
                .await?
        }
    };
    let input = PlatformInput {
        id: existing,
        name: "LTI Inspector emulator (demo)".into(),
        issuer: emulator_base.clone(),
        client_id: CLIENT_ID.into(),
        deployment_ids: Some(vec![DEPLOYMENT_ID.into()]),
        auth_endpoint: format!("{emulator_base}{}", paths::AUTH),
        token_endpoint: format!("{emulator_base}{}", paths::TOKEN),
        jwks_url: Some(format!("{emulator_base}{}", paths::JWKS)),
        ..Default::default()
    };
    let platform = registrations::save(engine.tool(), input).await?;
    // The tool side keeps its registrations cached; it must see this one at the next login.
    engine.tool().platform_cache().invalidate();
    engine
        .store()
        .write(move |tx| {
            db::set_setting(tx, PLATFORM_ID, &platform.id)?;
            db::set_setting(tx, SYNCED, &stamp)
        })
        .await?;
    tracing::info!(%emulator_base, %tool_base, "demo registrations are up to date");
    Ok(())
}

fn seed(tx: &rusqlite::Transaction, tool_base: &str) -> Result<()> {
    if db::setting(tx, SEEDED)?.is_some() {
        return Ok(());
    }
    let now = lti_core::clock::now_ms();
    db::upsert_course(
        tx,
        &EmulatorCourse {
            id: COURSE_ID.into(),
            context_id: CONTEXT_ID.into(),
            label: "DEMO 101".into(),
            title: "Demo Course: Introduction to LTI".into(),
            types: vec![lti_protocol::vocab::context_type::COURSE_OFFERING.into()],
            sourcedid: Some("sis-demo-course-101".into()),
            demo: true,
            created_at: now,
        },
    )?;
    let people = [
        (
            user(INSTRUCTOR, "Grace", "Hopper", role::INSTITUTION_FACULTY),
            role::INSTRUCTOR,
        ),
        (
            user(LEARNERS[0], "Alan", "Turing", role::INSTITUTION_STUDENT),
            role::LEARNER,
        ),
        (
            user(
                LEARNERS[1],
                "Katherine",
                "Johnson",
                role::INSTITUTION_STUDENT,
            ),
            role::LEARNER,
        ),
        (
            user(LEARNERS[2], "Edsger", "Dijkstra", role::INSTITUTION_STUDENT),
            role::LEARNER,
        ),
    ];
    for (u, r) in &people {
        db::upsert_user(tx, u)?;
        db::upsert_enrollment(
            tx,
            &Enrollment {
                course_id: COURSE_ID.into(),
                user_id: u.id.clone(),
                roles: vec![r.to_string()],
                status: "Active".into(),
                mentees: None,
                updated_at: now,
            },
        )?;
    }
    seed_tool(tx, tool_base, now)?;
    db::set_setting(tx, SEEDED, &now.to_string())
}

/// The demo tool with its deployment, its graded resource link in the demo course and that
/// link's line item (removing the tool removes them all).
fn seed_tool(tx: &rusqlite::Transaction, tool_base: &str, now: i64) -> Result<()> {
    let tool = demo_tool(tool_base, now);
    db::upsert_tool(tx, &tool)?;
    db::insert_deployment(tx, DEPLOYMENT_ID, TOOL_ID, None)?;
    db::insert_resource_link(
        tx,
        &ResourceLink {
            id: LINK_ID.into(),
            course_id: COURSE_ID.into(),
            tool_id: TOOL_ID.into(),
            title: "Week 1: Welcome quiz".into(),
            description: Some(
                "A graded activity launched into LTI Inspector's own tool side.".into(),
            ),
            url: None,
            custom: BTreeMap::new(),
            source: "demo".into(),
            created_at: now,
        },
    )?;
    db::upsert_line_item(
        tx,
        &LineItem {
            id: LINE_ITEM_ID.into(),
            course_id: COURSE_ID.into(),
            tool_id: TOOL_ID.into(),
            resource_link_id: Some(LINK_ID.into()),
            label: "Welcome quiz".into(),
            score_maximum: 10.0,
            resource_id: Some("welcome-quiz".into()),
            tag: Some("quiz".into()),
            start_date_time: None,
            end_date_time: None,
            grades_released: Some(true),
            created_at: now,
            updated_at: now,
        },
    )?;
    Ok(())
}

/// Puts the demo tool back when it was removed (and the demo course is still there), so
/// "Launch demo" works again. Returns whether it had to.
pub async fn restore_tool(engine: &Engine) -> Result<bool> {
    // One seeding at a time (the start task and a first command can race).
    let _one = engine.demo_lock().lock().await;
    let Some(tool_base) = engine.tool_status().base_url else {
        return Ok(false);
    };
    let missing = engine
        .store()
        .read(|c| Ok(db::demo_tool(c)?.is_none() && db::course(c, COURSE_ID)?.is_some()))
        .await?;
    if !missing {
        return Ok(false);
    }
    // Under the demo lock nothing else seeds: what was read still holds.
    engine
        .core()
        .write_model(ModelKind::EmulatorTool, None, move |tx| {
            seed_tool(tx, &tool_base, lti_core::clock::now_ms())
        })
        .await?;
    Ok(true)
}

/// Launch demo: the demo tool (restored if it was removed) as the demo instructor in the demo
/// course's graded link.
pub async fn launch(engine: &Engine) -> Result<LaunchUrl> {
    ensure(engine).await?;
    if restore_tool(engine).await? {
        tracing::info!("the demo tool was removed: restored it for Launch demo");
    }
    let tool = engine.store().read(db::demo_tool).await?.ok_or_else(|| {
        lti_core::Error::NotFound("the demo tool (it was removed with the demo course)".into())
    })?;
    lti_platform_side::emulator::launch::create(
        engine.platform(),
        LaunchArgs {
            tool_id: tool.id,
            user_id: INSTRUCTOR.into(),
            course_id: Some(COURSE_ID.into()),
            resource_link_id: Some(LINK_ID.into()),
            ..Default::default()
        },
    )
    .await
}
