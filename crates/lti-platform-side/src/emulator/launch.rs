//! Starting launches: a launch is created for (tool, user, course, message type, link), its id
//! becoming the opaque `lti_message_hint`; the launch URL is the page a user "clicks" in the LMS,
//! which auto-posts the OIDC third-party login initiation to the tool. Signing the id_token (with
//! an optional negative test that breaks exactly one validation rule) is here too.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Extension;
use lti_protocol::finding::{Finding, Report};
use lti_protocol::keys::SigningKey;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use ts_rs::TS;

use super::flow_messages;
use super::model::*;
use super::{db, html_pages};
use crate::PlatformSide;
use lti_core::error::{Error, Result};
use lti_core::recorder::ExchangeNotes;

/// A deliberately invalid launch, named by the validation rule it breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub enum NegativeTest {
    /// exp (and iat) an hour in the past.
    #[serde(rename = "idtoken.exp")]
    ExpiredToken,
    /// aud names another client.
    #[serde(rename = "idtoken.aud")]
    WrongAudience,
    /// A nonce other than the one the tool sent.
    #[serde(rename = "idtoken.nonce")]
    WrongNonce,
    /// iss is not the platform's issuer.
    #[serde(rename = "idtoken.iss_registered")]
    WrongIssuer,
    /// The required deployment_id claim is left out.
    #[serde(rename = "lti.deployment_id")]
    MissingDeploymentId,
    /// The header kid names no key of the platform JWKS.
    #[serde(rename = "jwt.kid")]
    UnknownKid,
    /// One byte of the signature flipped.
    #[serde(rename = "jwt.signature")]
    BadSignature,
    /// alg "none" and no signature.
    #[serde(rename = "jwt.alg")]
    AlgNone,
}

impl NegativeTest {
    pub const ALL: &[NegativeTest] = &[
        Self::ExpiredToken,
        Self::WrongAudience,
        Self::WrongNonce,
        Self::WrongIssuer,
        Self::MissingDeploymentId,
        Self::UnknownKid,
        Self::BadSignature,
        Self::AlgNone,
    ];

    pub fn rule_id(self) -> &'static str {
        match self {
            Self::ExpiredToken => "idtoken.exp",
            Self::WrongAudience => "idtoken.aud",
            Self::WrongNonce => "idtoken.nonce",
            Self::WrongIssuer => "idtoken.iss_registered",
            Self::MissingDeploymentId => "lti.deployment_id",
            Self::UnknownKid => "jwt.kid",
            Self::BadSignature => "jwt.signature",
            Self::AlgNone => "jwt.alg",
        }
    }

    pub fn from_rule_id(id: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|n| n.rule_id() == id)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::ExpiredToken => "Expired token",
            Self::WrongAudience => "Wrong audience",
            Self::WrongNonce => "Wrong nonce",
            Self::WrongIssuer => "Wrong issuer",
            Self::MissingDeploymentId => "Missing deployment_id claim",
            Self::UnknownKid => "Unknown kid",
            Self::BadSignature => "Bad signature",
            Self::AlgNone => "Unsigned (alg none)",
        }
    }

    /// Changes the claims before signing.
    fn apply_to_claims(self, m: &mut Map<String, Value>, now: i64) {
        match self {
            Self::ExpiredToken => {
                m.insert("iat".into(), json!(now - 3600));
                m.insert("exp".into(), json!(now - 3300));
            }
            Self::WrongAudience => {
                let aud = m
                    .get("aud")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string();
                m.insert("aud".into(), json!(format!("not-{aud}")));
                m.remove("azp");
            }
            Self::WrongNonce => {
                m.insert("nonce".into(), json!(lti_core::ids::secret_token()));
            }
            Self::WrongIssuer => {
                let iss = m
                    .get("iss")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string();
                m.insert("iss".into(), json!(format!("{iss}/not-this-platform")));
            }
            Self::MissingDeploymentId => {
                m.remove(lti_protocol::vocab::claim::DEPLOYMENT_ID);
            }
            Self::UnknownKid | Self::BadSignature | Self::AlgNone => {}
        }
    }
}

/// One negative test as the UI lists it.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct NegativeTestInfo {
    pub id: NegativeTest,
    pub rule_id: String,
    pub label: String,
    /// The measured tool libraries that refuse this very launch ("PyLTI1p3 2.0.0", …; make
    /// compat), and those that accept it — what a tool built on them would do.
    pub refused_by: Vec<String>,
    pub accepted_by: Vec<String>,
}

/// Signs the claims, applying the negative test's header or signature change.
pub fn sign(
    claims: &Map<String, Value>,
    key: &SigningKey,
    negative: Option<NegativeTest>,
) -> Result<String> {
    let mut header = Map::new();
    match negative {
        Some(NegativeTest::UnknownKid) => {
            header.insert(
                "kid".into(),
                json!(format!("unknown-{}", lti_core::ids::secret_token())),
            );
        }
        Some(NegativeTest::AlgNone) => {
            let h = lti_protocol::b64::encode(br#"{"alg":"none","typ":"JWT"}"#);
            let p = lti_protocol::b64::encode(
                &serde_json::to_vec(claims).map_err(|e| Error::Internal(e.to_string()))?,
            );
            return Ok(format!("{h}.{p}."));
        }
        _ => {}
    }
    let token = lti_protocol::jws::sign_rs256(&header, claims, key)?;
    if negative == Some(NegativeTest::BadSignature) {
        let (input, sig) = token.rsplit_once('.').expect("three segments");
        let mut bytes =
            lti_protocol::b64::decode(sig).map_err(|e| Error::Internal(e.to_string()))?;
        let mid = bytes.len() / 2;
        bytes[mid] ^= 0x5a;
        return Ok(format!("{input}.{}", lti_protocol::b64::encode(&bytes)));
    }
    Ok(token)
}

/// Applies a negative test to the claims (signing applies the rest).
pub fn break_claims(claims: &mut Map<String, Value>, negative: Option<NegativeTest>, now: i64) {
    if let Some(n) = negative {
        n.apply_to_claims(claims, now);
    }
}

/// What `launch_url` asks for.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct LaunchArgs {
    pub tool_id: String,
    pub user_id: String,
    /// LtiResourceLinkRequest (default), LtiDeepLinkingRequest or LtiSubmissionReviewRequest.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub message_type: Option<String>,
    /// The course; defaults to the link's course, else the first course the user is in.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub course_id: Option<String>,
    /// The resource link (resource link and submission review launches); defaults to the
    /// course's first link of the tool.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub resource_link_id: Option<String>,
    /// Submission review: whose submission (defaults to the first learner).
    #[serde(default)]
    #[ts(optional = nullable)]
    pub for_user_id: Option<String>,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub negative: Option<NegativeTest>,
    /// "window" (default) or "iframe": iframe launches run inside the emulator's frame page,
    /// which answers platform-storage postMessages (lti_storage_target).
    #[serde(default)]
    #[ts(optional = nullable)]
    pub document_target: Option<String>,
    /// Re-mint: claims of a captured launch to send instead of the built ones (the emulator's
    /// iss, aud, deployment, nonce and times are kept; see `remint`).
    #[serde(default)]
    #[ts(optional = nullable, type = "Record<string, unknown>")]
    pub claims: Option<serde_json::Map<String, Value>>,
    /// Deep linking: settings other than the emulator's defaults, to see how a tool copes.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub dl_options: Option<DlOptions>,
    /// Migration: send the LTI 1.1 migration claim (lti1p1) of this emulator 1.1 tool, signed
    /// with its secret, as a platform moving the tool from 1.1 to 1.3 does.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub lti11_tool_id: Option<String>,
}

/// Deep linking settings to offer instead of the defaults (every type, every target,
/// several items, line items accepted, data to echo).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct DlOptions {
    #[serde(default)]
    #[ts(optional = nullable)]
    pub accept_types: Option<Vec<String>>,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub accept_presentation_document_targets: Option<Vec<String>>,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub accept_media_types: Option<String>,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub accept_multiple: Option<bool>,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub accept_lineitem: Option<bool>,
    /// Send no `data` (nothing for the tool to echo).
    #[serde(default)]
    #[ts(optional = nullable)]
    pub no_data: Option<bool>,
}

impl DlOptions {
    /// The settings offered for a course titled `course` with `data` to echo.
    pub fn settings(
        &self,
        course: &str,
        data: Option<&str>,
    ) -> Result<lti_protocol::deep_linking::DlSettings> {
        use lti_protocol::deep_linking::items::TYPES;
        let types = self.accept_types.clone().unwrap_or_else(|| {
            super::claims::ACCEPT_TYPES
                .iter()
                .map(|t| t.to_string())
                .collect()
        });
        if types.is_empty() {
            return Err(Error::BadRequest(
                "accept_types needs at least one type".into(),
            ));
        }
        if let Some(t) = types.iter().find(|t| !TYPES.contains(&t.as_str())) {
            return Err(Error::BadRequest(format!(
                "accept_types: {t:?} is not a content item type ({})",
                TYPES.join(", ")
            )));
        }
        let targets = self
            .accept_presentation_document_targets
            .clone()
            .unwrap_or_else(|| vec!["iframe".into(), "window".into(), "embed".into()]);
        if targets.is_empty()
            || targets
                .iter()
                .any(|t| !["iframe", "window", "embed"].contains(&t.as_str()))
        {
            return Err(Error::BadRequest(
                "accept_presentation_document_targets: one or more of iframe, window, embed".into(),
            ));
        }
        Ok(lti_protocol::deep_linking::DlSettings {
            deep_link_return_url: None,
            accept_types: types,
            accept_presentation_document_targets: targets,
            accept_media_types: self
                .accept_media_types
                .clone()
                .filter(|m| !m.trim().is_empty()),
            accept_multiple: Some(self.accept_multiple.unwrap_or(true)),
            accept_lineitem: Some(self.accept_lineitem.unwrap_or(true)),
            auto_create: Some(true),
            title: Some(format!("Content for {course}")),
            text: Some("Choose content to add to the course".into()),
            data: if self.no_data == Some(true) {
                None
            } else {
                data.map(Value::from)
            },
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct LaunchUrl {
    /// Open this URL in a browser window to run the launch.
    pub url: String,
    pub launch_id: String,
    /// The emulator-side flow the launch is recorded in.
    pub flow_id: String,
}

/// Creates a launch and its flow; returns the URL that starts it.
pub async fn create(platform: &PlatformSide, args: LaunchArgs) -> Result<LaunchUrl> {
    let base = super::base_url(platform);
    let message_type = args
        .message_type
        .clone()
        .unwrap_or_else(|| message::RESOURCE_LINK.to_string());
    if ![
        message::RESOURCE_LINK,
        message::DEEP_LINKING,
        message::SUBMISSION_REVIEW,
    ]
    .contains(&message_type.as_str())
    {
        return Err(Error::BadRequest(format!(
            "message_type {message_type:?}: the emulator launches LtiResourceLinkRequest, LtiDeepLinkingRequest or LtiSubmissionReviewRequest"
        )));
    }
    let document_target = args
        .document_target
        .clone()
        .unwrap_or_else(|| "window".into());
    if !["window", "iframe"].contains(&document_target.as_str()) {
        return Err(Error::BadRequest(format!(
            "document_target {document_target:?} must be window or iframe"
        )));
    }
    let a = args.clone();
    let mt = message_type.clone();
    let (tool, user, course, link, deployment, for_user) = platform
        .store()
        .read(move |c| {
            let tool = db::tool_required(c, &a.tool_id)?;
            let user = db::user(c, &a.user_id)?.ok_or_else(|| Error::NotFound(format!("emulator user {}", a.user_id)))?;
            let mut link = match &a.resource_link_id {
                Some(id) => Some(db::resource_link(c, id)?.ok_or_else(|| Error::NotFound(format!("resource link {id}")))?),
                None => None,
            };
            if let Some(l) = &link {
                if l.tool_id != tool.id {
                    return Err(Error::BadRequest(format!("resource link {} belongs to another tool", l.id)));
                }
            }
            let course_id = match (&a.course_id, &link) {
                (Some(cid), _) => cid.clone(),
                (None, Some(l)) => l.course_id.clone(),
                (None, None) => first_course_of(c, &user.id)?,
            };
            let course = db::course_required(c, &course_id)?;
            if link.as_ref().is_some_and(|l| l.course_id != course.id) {
                return Err(Error::BadRequest("the resource link is not in that course".into()));
            }
            if link.is_none() && mt != message::DEEP_LINKING {
                link = db::resource_links(c, &course.id)?.into_iter().find(|l| l.tool_id == tool.id);
                if link.is_none() {
                    return Err(Error::BadRequest(format!(
                        "the course {:?} has no resource link of the tool {:?}: add one (deep linking does) or pass resource_link_id",
                        course.title, tool.name
                    )));
                }
            }
            if let Some(id) = &a.lti11_tool_id {
                super::lti11::tools::required(c, id)?;
            }
            let deployment = db::deployment_for(c, &tool.id, &course.id)?
                .ok_or_else(|| Error::BadRequest(format!("the tool {:?} has no deployment for this course", tool.name)))?;
            if mt == message::SUBMISSION_REVIEW {
                let graded = match &link {
                    Some(l) => db::line_items(
                        c,
                        &course.id,
                        &db::ItemFilter { tool_id: Some(tool.id.clone()), resource_link_id: Some(l.id.clone()), ..Default::default() },
                    )?
                    .len(),
                    None => 0,
                };
                if graded != 1 {
                    return Err(Error::BadRequest(
                        "submission review is about one line item: the resource link needs exactly one line item".into(),
                    ));
                }
            }
            let for_user = if mt == message::SUBMISSION_REVIEW {
                match &a.for_user_id {
                    Some(id) => Some(id.clone()),
                    None => db::enrollments(c, &course.id)?
                        .into_iter()
                        .find(|e| e.status == "Active" && e.roles.iter().any(|r| role::is(r, role::LEARNER)))
                        .map(|e| e.user_id),
                }
            } else {
                None
            };
            Ok((tool, user, course, link, deployment, for_user))
        })
        .await?;
    let target_link_uri = if message_type == message::DEEP_LINKING {
        tool.deep_link_url
            .clone()
            .unwrap_or_else(|| tool.target_link_uri.clone())
    } else {
        link.as_ref()
            .and_then(|l| l.url.clone())
            .unwrap_or_else(|| tool.target_link_uri.clone())
    };
    let id = lti_core::ids::secret_token();
    let dl_options = args.dl_options.clone().unwrap_or_default();
    let kind = if message_type == message::DEEP_LINKING {
        "deep_linking"
    } else {
        "lti13_launch"
    };
    let flow = flow_messages::new_flow(
        kind,
        format!("{message_type} to {} as {}", tool.name, display_name(&user)),
    );
    let launch = Launch {
        id: id.clone(),
        flow_id: flow.id.clone(),
        tool_id: tool.id.clone(),
        user_id: user.id.clone(),
        course_id: course.id.clone(),
        deployment_id: deployment,
        message_type: message_type.clone(),
        resource_link_id: link.as_ref().map(|l| l.id.clone()),
        for_user_id: for_user,
        target_link_uri,
        negative: args.negative,
        storage_target: (document_target == "iframe").then(|| "_parent".to_string()),
        document_target,
        dl_data: (message_type == message::DEEP_LINKING && !dl_options.no_data.unwrap_or(false))
            .then(|| format!("emu-dl-{}", &id[..16])),
        created_at: lti_core::clock::now_ms(),
        used_at: None,
        claims_override: args.claims.clone(),
        dl_settings: None,
        lti11_tool_id: args.lti11_tool_id.clone(),
    };
    let launch = Launch {
        dl_settings: (message_type == message::DEEP_LINKING)
            .then(|| dl_options.settings(&course.title, launch.dl_data.as_deref()))
            .transpose()?,
        ..launch
    };
    let summary = flow_messages::summary(&[
        ("tool", &tool.name),
        ("client_id", &tool.client_id),
        ("user", &display_name(&user)),
        ("context", &course.title),
        ("message_type", &message_type),
        ("deployment_id", &launch.deployment_id),
        (
            "negative_test",
            launch.negative.map(|n| n.rule_id()).unwrap_or(""),
        ),
    ]);
    let flow_id = flow.id.clone();
    // The login initiation the launch page will post, recorded now: opening the page then
    // costs no write.
    let login = login_message(&base, &tool, &launch);
    platform
        .store()
        .write(move |tx| {
            lti_core::store::flows::insert(tx, &flow)?;
            db::insert_launch(tx, &launch)?;
            lti_core::messages::add_message(tx, &flow.id, &login, &summary, None)
        })
        .await?;
    lti_core::messages::announce(platform.core(), &flow_id).await;
    Ok(LaunchUrl {
        url: format!("{base}{}/{id}", super::paths::LAUNCH),
        launch_id: id,
        flow_id,
    })
}

fn first_course_of(c: &rusqlite::Connection, user_id: &str) -> Result<String> {
    c.query_row(
        "SELECT course_id FROM emu_enrollments WHERE user_id = ?1 AND status = 'Active' ORDER BY updated_at LIMIT 1",
        [user_id],
        |r| r.get(0),
    )
    .map_err(|_| Error::BadRequest(format!("the user {user_id:?} is in no course: pass course_id")))
}

pub fn display_name(u: &EmulatorUser) -> String {
    if u.name.is_empty() {
        u.id.clone()
    } else {
        u.name.clone()
    }
}

/// The login initiation parameters of a launch (OIDC third-party initiated login, Core §4.1).
pub fn login_params(issuer: &str, tool: &EmulatorTool, launch: &Launch) -> Vec<(String, String)> {
    let mut p = vec![
        ("iss".to_string(), issuer.to_string()),
        ("login_hint".to_string(), launch.user_id.clone()),
        (
            "target_link_uri".to_string(),
            launch.target_link_uri.clone(),
        ),
        ("lti_message_hint".to_string(), launch.id.clone()),
        (
            "lti_deployment_id".to_string(),
            launch.deployment_id.clone(),
        ),
        ("client_id".to_string(), tool.client_id.clone()),
    ];
    if let Some(t) = &launch.storage_target {
        p.push(("lti_storage_target".to_string(), t.clone()));
    }
    p
}

/// The login initiation of a launch as a message of its flow.
fn login_message(
    issuer: &str,
    tool: &EmulatorTool,
    launch: &Launch,
) -> lti_core::messages::StoredMessage {
    let mut report = Report::new();
    report.push(
        Finding::pass("login.iss", "The emulator sends its issuer.")
            .path("iss")
            .actual(issuer),
    );
    flow_messages::with_params(
        flow_messages::message("login", "login_initiation", report),
        &login_params(issuer, tool, launch),
    )
}

/// `GET /launch/{id}`: the user clicked the link; the browser is sent to the tool's login
/// initiation URL with an auto-posted form (or, for iframe launches, inside the frame page
/// that answers platform storage).
pub async fn start(
    State(platform): State<PlatformSide>,
    Extension(notes): Extension<ExchangeNotes>,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
) -> Response {
    let issuer = super::request_base(&platform, &headers);
    let found = {
        let id = id.clone();
        platform
            .store()
            .lookup(move |c| {
                let Some(l) = db::launch(c, &id)? else {
                    return Ok(None);
                };
                let tool = db::tool(c, &l.tool_id)?;
                Ok(Some((l, tool)))
            })
            .await
    };
    let (launch, tool) = match found {
        Ok(Some((l, Some(t)))) => (l, t),
        Ok(_) => {
            return html_pages::info(
                StatusCode::NOT_FOUND,
                "Unknown launch",
                "This launch link is not one the emulator created (or its tool was removed). Start a new launch from LTI Inspector.",
                &[],
                "",
            )
        }
        Err(e) => return lti_core::html::error_page(StatusCode::INTERNAL_SERVER_ERROR, "Store error", &e.to_string()),
    };
    let params = login_params(&issuer, &tool, &launch);
    notes.set_flow(&launch.flow_id);
    notes.set_step("login_initiation");
    let title = format!("Launching {}…", tool.name);
    match &launch.storage_target {
        Some(_) => html_pages::storage_frame(&title, &tool.login_url, &params, "lti-tool-frame"),
        None => html_pages::auto_post(&title, &tool.login_url, &params, None),
    }
}

/// What a tool sends the user back with (launch_presentation_return_url, LTI 1.1 and 1.3).
#[derive(Deserialize)]
pub struct ReturnQuery {
    lti_msg: Option<String>,
    lti_log: Option<String>,
    lti_errormsg: Option<String>,
    lti_errorlog: Option<String>,
}

impl ReturnQuery {
    /// The parameters that came, labelled, for the "back in the emulator" page.
    pub(crate) fn rows(&self) -> Vec<(String, String)> {
        [
            ("Message (lti_msg)", &self.lti_msg),
            ("Log (lti_log)", &self.lti_log),
            ("Error (lti_errormsg)", &self.lti_errormsg),
            ("Error log (lti_errorlog)", &self.lti_errorlog),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.clone().map(|v| (k.to_string(), v)))
        .collect()
    }
}

/// `GET /launch/{id}/return`: the launch_presentation return_url a tool sends the user back to.
pub async fn returned(
    State(platform): State<PlatformSide>,
    Extension(notes): Extension<ExchangeNotes>,
    Path(id): Path<String>,
    Query(q): Query<ReturnQuery>,
) -> Response {
    let launch = {
        let id = id.clone();
        platform
            .store()
            .lookup(move |c| db::launch(c, &id))
            .await
            .ok()
            .flatten()
    };
    if let Some(l) = &launch {
        notes.set_flow(&l.flow_id);
        notes.set_step("return");
    }
    let rows = q.rows();
    html_pages::info(
        if launch.is_some() {
            StatusCode::OK
        } else {
            StatusCode::NOT_FOUND
        },
        "Back in the emulator",
        if launch.is_some() {
            "The tool returned the user to the platform (launch_presentation.return_url)."
        } else {
            "Unknown launch."
        },
        &rows,
        "",
    )
}

#[cfg(test)]
mod measured {
    use super::NegativeTest;

    /// Issue 14: every negative test the emulator offers is a case of the compatibility matrix,
    /// so the emulator can say which real libraries refuse it.
    #[test]
    fn every_negative_test_is_measured() {
        for n in NegativeTest::ALL {
            let e = lti_protocol::compat::evidence(n.rule_id())
                .unwrap_or_else(|| panic!("{} ({}) is not in compat.json", n.label(), n.rule_id()));
            assert_eq!(e.libraries.len(), 3, "{}", e.summary);
            let (refused, accepted) = lti_protocol::compat::who_refuses(n.rule_id());
            assert_eq!(
                refused.len() + accepted.len(),
                3,
                "{} is a case of its own",
                n.rule_id()
            );
        }
    }
}
