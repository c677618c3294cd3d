//! Replay by re-minting (issue 11, item 3): a stored launch's claims (as captured, or as edited
//! by the user) launched through the emulator into a tool registered there. Composes the two
//! sides: the captured launch is the tool side's record, the launch is the platform side's.

use lti_core::error::{Error, Result};
use lti_platform_side::emulator::launch::{self, LaunchArgs, LaunchUrl};
use lti_platform_side::emulator::remint::{self, Rewrite};
use lti_protocol::vocab::{claim, message};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use ts_rs::TS;

use crate::engine::Engine;

#[derive(Debug, Clone, Deserialize, TS)]
pub struct RemintArgs {
    /// The flow whose launch is replayed.
    pub flow_id: String,
    /// The emulator's tool to launch into.
    pub tool_id: String,
    /// The emulator user that drives the login (default: the demo instructor); the token's
    /// person claims are the captured ones.
    #[serde(default)]
    #[ts(optional)]
    pub user_id: Option<String>,
    /// The claims to send (edited); default: the captured launch's.
    #[serde(default)]
    #[ts(optional, type = "Record<string, unknown>")]
    pub claims: Option<Map<String, Value>>,
    /// Only return the claims and what would be rewritten (for the editor).
    #[serde(default)]
    #[ts(optional)]
    pub preview: Option<bool>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct Remint {
    /// Open this in a browser window to run the launch (absent for a preview).
    #[ts(optional = nullable)]
    pub launch: Option<LaunchUrl>,
    /// The claims that will be laid over the emulator's.
    #[ts(type = "Record<string, unknown>")]
    pub claims: Map<String, Value>,
    /// What will not be sent as captured, and what goes instead.
    pub rewrites: Vec<Rewrite>,
}

pub async fn remint(engine: &Engine, args: RemintArgs) -> Result<Remint> {
    let claims = match args.claims.clone() {
        Some(c) => c,
        None => {
            let fid = args.flow_id.clone();
            // The latest launch: a captured id_token, or an imported claims object.
            let raw = engine
                .store()
                .read(move |c| {
                    use rusqlite::OptionalExtension;
                    let json: Option<lti_core::message_rows::Packed> = c
                        .query_row(
                            "SELECT report_json FROM messages WHERE flow_id = ?1 AND kind IN ('id_token', 'claims')
                             ORDER BY id DESC LIMIT 1",
                            [&fid],
                            |r| r.get(0),
                        )
                        .optional()?;
                    Ok(json
                        .map(|j| j.json(c))
                        .transpose()?
                        .and_then(|j| lti_core::message_rows::decode(&j).ok())
                        .and_then(|m| m.raw))
                })
                .await?
                .ok_or_else(|| {
                    Error::NotFound(format!("flow {} has no launch to replay", args.flow_id))
                })?;
            lti_protocol::jws::Jws::parse(&raw)
                .map_err(|e| Error::BadRequest(format!("the stored launch cannot be read: {e}")))?
                .payload
        }
    };
    let tid = args.tool_id.clone();
    let tool = engine
        .store()
        .read(move |c| lti_platform_side::emulator::db::tool(c, &tid))
        .await?
        .ok_or_else(|| Error::NotFound(format!("emulator tool {}", args.tool_id)))?;
    let base = lti_platform_side::emulator::base_url(engine.platform());
    let known = [
        ("iss", base.clone()),
        ("aud", tool.client_id.clone()),
        (
            claim::DEPLOYMENT_ID,
            tool.deployment_ids.first().cloned().unwrap_or_default(),
        ),
        (claim::TARGET_LINK_URI, tool.target_link_uri.clone()),
    ];
    let rewrites = remint::rewrites(&claims, &known);
    if args.preview.unwrap_or(false) {
        return Ok(Remint {
            launch: None,
            claims,
            rewrites,
        });
    }
    let message_type = claims
        .get(claim::MESSAGE_TYPE)
        .and_then(Value::as_str)
        .filter(|t| [message::RESOURCE_LINK, message::DEEP_LINKING].contains(t))
        .unwrap_or(message::RESOURCE_LINK)
        .to_string();
    let launch_args = LaunchArgs {
        tool_id: args.tool_id.clone(),
        user_id: args
            .user_id
            .unwrap_or_else(|| crate::demo::INSTRUCTOR.to_string()),
        message_type: Some(message_type),
        claims: Some(claims.clone()),
        ..Default::default()
    };
    let launch = match launch::create(engine.platform(), launch_args.clone()).await {
        // A tool just registered has no link in the course yet: a replay needs none of its own
        // (the claims carry the customer's resource link), so one is placed for replays.
        Err(Error::BadRequest(why)) if why.contains("has no resource link") => {
            let course = engine
                .store()
                .read(|c| {
                    Ok(c.query_row(
                        "SELECT id FROM emu_courses ORDER BY demo DESC, created_at LIMIT 1",
                        [],
                        |r| r.get::<_, String>(0),
                    )?)
                })
                .await?;
            let link = lti_platform_side::emulator::commands::save_resource_link(
                engine.platform(),
                lti_platform_side::emulator::commands::ResourceLinkInput {
                    course_id: course,
                    tool_id: args.tool_id.clone(),
                    title: "Replayed launches".into(),
                    ..Default::default()
                },
            )
            .await?;
            launch::create(
                engine.platform(),
                LaunchArgs {
                    resource_link_id: Some(link.id),
                    ..launch_args
                },
            )
            .await?
        }
        other => other?,
    };
    tracing::info!(flow = %args.flow_id, launch = %launch.launch_id, "re-minted");
    Ok(Remint {
        launch: Some(launch),
        claims,
        rewrites,
    })
}
