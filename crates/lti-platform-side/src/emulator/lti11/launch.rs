//! The emulator as an LTI 1.1 consumer: a signed `basic-lti-launch-request` for any user in any
//! course, with the extension parameters of the LMS it imitates, and negative switches that
//! break one rule each. The launch is validated as the tool will judge it and recorded as an
//! emulator-side flow; its page auto-posts the signed form to the tool.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Extension;
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::tools::{self, Lti11Tool};
use crate::emulator::launch::{display_name, LaunchUrl};
use crate::emulator::model::{EmulatorCourse, EmulatorUser, Enrollment};
use crate::emulator::{db, flow_messages, html_pages};
use crate::PlatformSide;
use lti_core::error::{Error, Result};
use lti_core::recorder::ExchangeNotes;
use lti_protocol::lti11::launch::{validate_launch, LaunchContext, BASIC_LAUNCH};
use lti_protocol::lti11::oauth1::{Method, SignedRequest, Signer};
use lti_protocol::lti11::params::{custom_name, lms_extensions, role_urn, LaunchFacts};

pub const LAUNCH_PATH: &str = "/lti11/launch";
pub const OUTCOMES_PATH: &str = "/lti11/outcomes";
pub const RETURN_PATH: &str = "/lti11/return";

/// A deliberately broken 1.1 launch, each named by the rule it breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Lti11Negative {
    /// One character of oauth_signature changed.
    BadSignature,
    /// Signed with another secret than the tool's.
    WrongSecret,
    /// oauth_timestamp an hour old.
    StaleTimestamp,
    /// The oauth_nonce of this tool's previous launch again.
    ReplayedNonce,
    /// resource_link_id left out.
    MissingResourceLinkId,
    /// lti_message_type left out.
    MissingMessageType,
}

impl Lti11Negative {
    pub const ALL: &[Lti11Negative] = &[
        Self::BadSignature,
        Self::WrongSecret,
        Self::StaleTimestamp,
        Self::ReplayedNonce,
        Self::MissingResourceLinkId,
        Self::MissingMessageType,
    ];
    pub fn rule_id(self) -> &'static str {
        match self {
            Self::BadSignature | Self::WrongSecret => "lti11.signature",
            Self::StaleTimestamp => "lti11.timestamp",
            Self::ReplayedNonce => "lti11.nonce",
            Self::MissingResourceLinkId => "lti11.resource_link_id",
            Self::MissingMessageType => "lti11.message_type",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::BadSignature => "Bad signature",
            Self::WrongSecret => "Wrong secret",
            Self::StaleTimestamp => "Stale timestamp",
            Self::ReplayedNonce => "Replayed nonce",
            Self::MissingResourceLinkId => "Missing resource_link_id",
            Self::MissingMessageType => "Missing lti_message_type",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct Lti11NegativeInfo {
    pub id: Lti11Negative,
    pub rule_id: String,
    pub label: String,
}

pub fn negatives() -> Vec<Lti11NegativeInfo> {
    Lti11Negative::ALL
        .iter()
        .map(|n| Lti11NegativeInfo {
            id: *n,
            rule_id: n.rule_id().into(),
            label: n.label().into(),
        })
        .collect()
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct Lti11LaunchArgs {
    pub tool_id: String,
    pub user_id: String,
    /// The course; default: the first the user is enrolled in.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub course_id: Option<String>,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub negative: Option<Lti11Negative>,
}

/// The lis_result_sourcedid of a learner's grade: which tool, course and user it is for.
pub fn sourcedid(tool_id: &str, course_id: &str, user_id: &str) -> String {
    format!("{tool_id}:{course_id}:{user_id}")
}

/// The parameters of a launch, before signing.
fn launch_params(
    base: &str,
    tool: &Lti11Tool,
    user: &EmulatorUser,
    course: &EmulatorCourse,
    enrollment: Option<&Enrollment>,
) -> Vec<(String, String)> {
    let roles: Vec<String> = enrollment
        .map(|e| e.roles.clone())
        .unwrap_or_default()
        .iter()
        .chain(user.institution_roles.iter())
        .map(|r| role_urn(r))
        .collect();
    let learner = enrollment.is_some_and(|e| e.roles.iter().any(|r| r.ends_with("#Learner")));
    let outcome_url = format!("{base}{OUTCOMES_PATH}");
    let host = url::Url::parse(base)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_else(|| "127.0.0.1".into());
    let p = |k: &str, v: &str| (k.to_string(), v.to_string());
    let mut out = vec![
        p("lti_message_type", BASIC_LAUNCH),
        p("lti_version", "LTI-1p0"),
        p("resource_link_id", &format!("{}-{}", tool.id, course.id)),
        p("resource_link_title", &tool.name),
        p("user_id", &user.id),
        p("roles", &roles.join(",")),
        p("lis_person_name_given", &user.given_name),
        p("lis_person_name_family", &user.family_name),
        p("lis_person_name_full", &display_name(user)),
        p("context_id", &course.context_id),
        p("context_label", &course.label),
        p("context_title", &course.title),
        p("context_type", "CourseSection"),
        p("tool_consumer_instance_guid", &host),
        p("tool_consumer_instance_name", "LTI Inspector emulator"),
        p("launch_presentation_document_target", "window"),
        p(
            "launch_presentation_return_url",
            &format!("{base}{RETURN_PATH}"),
        ),
    ];
    if let Some(e) = &user.email {
        out.push(p("lis_person_contact_email_primary", e));
    }
    if let Some(s) = &user.sourcedid {
        out.push(p("lis_person_sourcedid", s));
    }
    if learner {
        out.push(p("lis_outcome_service_url", &outcome_url));
        out.push(p(
            "lis_result_sourcedid",
            &sourcedid(&tool.id, &course.id, &user.id),
        ));
    }
    for (k, v) in &tool.custom {
        out.push((custom_name(k), v.clone()));
    }
    let username = user
        .email
        .as_deref()
        .and_then(|e| e.split('@').next())
        .unwrap_or(&user.id);
    let ext = lms_extensions(
        &tool.lms,
        &LaunchFacts {
            user_id: &user.id,
            username,
            course_id: &course.id,
            roles: &roles,
            host: &host,
            outcome_url: learner.then_some(outcome_url.as_str()),
        },
    );
    for (k, v) in ext {
        // The profile's values win over the generic ones (Canvas frames its tools).
        out.retain(|(k2, _)| *k2 != k);
        out.push((k, v));
    }
    out
}

/// The latest launch of a tool (index emu_lti11_launches_tool).
pub const LAST_LAUNCH_SQL: &str =
    "SELECT form FROM emu_lti11_launches WHERE tool_id = ?1 ORDER BY created_at DESC LIMIT 1";

/// The previous launch's nonce for this tool (what a replay reuses).
fn last_nonce(c: &rusqlite::Connection, tool_id: &str) -> Result<Option<String>> {
    let form: Option<String> = c
        .query_row(LAST_LAUNCH_SQL, [tool_id], |r| r.get(0))
        .optional()?;
    Ok(form
        .and_then(|f| serde_json::from_str::<Vec<(String, String)>>(&f).ok())
        .and_then(|f| {
            f.into_iter()
                .find(|(k, _)| k == "oauth_nonce")
                .map(|(_, v)| v)
        }))
}

pub async fn create(platform: &PlatformSide, args: Lti11LaunchArgs) -> Result<LaunchUrl> {
    let base = crate::emulator::base_url(platform);
    let a = args.clone();
    let (tool, user, course, enrollment, previous_nonce) = platform
        .store()
        .read(move |c| {
            let tool = tools::required(c, &a.tool_id)?;
            let user = db::user(c, &a.user_id)?
                .ok_or_else(|| Error::NotFound(format!("emulator user {}", a.user_id)))?;
            let course_id = match &a.course_id {
                Some(id) => id.clone(),
                None => c
                    .query_row(
                        "SELECT course_id FROM emu_enrollments WHERE user_id = ?1 AND status = 'Active' ORDER BY updated_at LIMIT 1",
                        [&user.id],
                        |r| r.get(0),
                    )
                    .map_err(|_| Error::BadRequest(format!("the user {:?} is in no course: pass course_id", user.id)))?,
            };
            let course = db::course_required(c, &course_id)?;
            let enrollment = db::enrollment(c, &course.id, &user.id)?;
            let previous = last_nonce(c, &tool.id)?;
            Ok((tool, user, course, enrollment, previous))
        })
        .await?;
    let secret = tools::secret(platform, &tool).await?;
    let negative = args.negative;
    let now = lti_core::clock::now_secs();
    let mut params = launch_params(&base, &tool, &user, &course, enrollment.as_ref());
    match negative {
        Some(Lti11Negative::MissingResourceLinkId) => {
            params.retain(|(k, _)| k != "resource_link_id")
        }
        Some(Lti11Negative::MissingMessageType) => params.retain(|(k, _)| k != "lti_message_type"),
        _ => {}
    }
    let nonce = match negative {
        Some(Lti11Negative::ReplayedNonce) => previous_nonce.ok_or_else(|| {
            Error::BadRequest(
                "a replayed nonce needs an earlier launch of this tool: launch it once first"
                    .into(),
            )
        })?,
        _ => lti_protocol::lti11::oauth1::nonce(&lti_core::ids::secret_token()),
    };
    let timestamp = if negative == Some(Lti11Negative::StaleTimestamp) {
        now - 3600
    } else {
        now
    };
    let signing_secret = if negative == Some(Lti11Negative::WrongSecret) {
        format!("{secret}-not-this-one")
    } else {
        secret.clone()
    };
    let mut form = Signer {
        method: Method::HmacSha1,
        key: &tool.consumer_key,
        secret: &signing_secret,
    }
    .sign_params("POST", &tool.launch_url, &params, &nonce, timestamp)
    .map_err(Error::BadRequest)?;
    if negative == Some(Lti11Negative::BadSignature) {
        if let Some((_, sig)) = form.iter_mut().find(|(k, _)| k == "oauth_signature") {
            let flipped = if sig.starts_with('A') { 'B' } else { 'A' };
            sig.replace_range(0..1, &flipped.to_string());
        }
    }
    // As the tool will judge it, with the true secret: a negative test shows the rule it breaks.
    let query: Vec<(String, String)> = url::Url::parse(&tool.launch_url)
        .map(|u| u.query_pairs().into_owned().collect())
        .unwrap_or_default();
    let checked = validate_launch(
        &SignedRequest {
            http_method: "POST",
            url: &tool.launch_url,
            alternative_urls: &[],
            query: &query,
            body: &form,
        },
        &LaunchContext {
            now,
            secret: Some(&secret),
            consumer_registered: true,
            nonce_seen_before: Some(negative == Some(Lti11Negative::ReplayedNonce)),
        },
    );
    let flow = flow_messages::new_flow(
        "lti11_launch",
        format!("LTI 1.1 launch to {} as {}", tool.name, display_name(&user)),
    );
    let negative_text = negative
        .map(|n| format!("{} ({})", n.label(), n.rule_id()))
        .unwrap_or_default();
    let summary = flow_messages::summary(&[
        ("tool", &tool.name),
        ("user", &display_name(&user)),
        ("context", &course.title),
        ("message_type", BASIC_LAUNCH),
        ("lti_version", "1.1"),
        (
            "issuer",
            &format!("LTI 1.1 consumer key {}", tool.consumer_key),
        ),
        ("negative_test", &negative_text),
    ]);
    let mut msg = flow_messages::with_params(
        flow_messages::message("lti11_launch", "lti11_launch", checked.report),
        &form,
    );
    msg.message_type = checked.message_type;
    let id = lti_core::ids::secret_token();
    let flow_id = flow.id.clone();
    let form_json = serde_json::to_string(&form).map_err(|e| Error::Internal(e.to_string()))?;
    let (lid, tid, action) = (id.clone(), tool.id.clone(), tool.launch_url.clone());
    platform
        .store()
        .write(move |tx| {
            lti_core::store::flows::insert(tx, &flow)?;
            tx.execute(
                "INSERT INTO emu_lti11_launches (id, flow_id, tool_id, action, form, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                rusqlite::params![lid, flow.id, tid, action, form_json, lti_core::clock::now_ms()],
            )?;
            lti_core::messages::add_message(tx, &flow.id, &msg, &summary, None)
        })
        .await?;
    lti_core::messages::announce(platform.core(), &flow_id).await;
    Ok(LaunchUrl {
        url: format!("{base}{LAUNCH_PATH}/{id}"),
        launch_id: id,
        flow_id,
    })
}

/// `GET /lti11/launch/{id}`: the page that auto-posts the signed form to the tool, once.
pub async fn page(
    State(platform): State<PlatformSide>,
    Extension(notes): Extension<ExchangeNotes>,
    Path(id): Path<String>,
) -> Response {
    let found = platform
        .store()
        .write(move |tx| {
            let row: Option<(String, String, String, Option<i64>)> = tx
                .query_row(
                    "SELECT flow_id, action, form, used_at FROM emu_lti11_launches WHERE id = ?1",
                    [&id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )
                .optional()?;
            if let Some((_, _, _, None)) = &row {
                tx.execute(
                    "UPDATE emu_lti11_launches SET used_at = ?2 WHERE id = ?1",
                    rusqlite::params![id, lti_core::clock::now_ms()],
                )?;
            }
            Ok(row)
        })
        .await;
    match found {
        Ok(Some((flow_id, action, form, used))) => {
            notes.set_flow(&flow_id);
            notes.set_step("lti11_launch");
            if used.is_some() {
                return html_pages::info(
                    StatusCode::GONE,
                    "This launch was already opened",
                    "Each emulator launch is posted once (a second post would be a replay). Start a new launch from LTI Inspector — or choose the replayed nonce negative test.",
                    &[],
                    "",
                );
            }
            let fields: Vec<(String, String)> = serde_json::from_str(&form).unwrap_or_default();
            html_pages::auto_post("Launching the LTI 1.1 tool…", &action, &fields, None)
        }
        Ok(None) => html_pages::info(
            StatusCode::NOT_FOUND,
            "Unknown launch",
            "This LTI 1.1 launch link is not one the emulator created. Start a new launch from LTI Inspector.",
            &[],
            "",
        ),
        Err(e) => lti_core::html::error_page(StatusCode::INTERNAL_SERVER_ERROR, "Store error", &e.to_string()),
    }
}

/// `GET /lti11/return`: where a 1.1 tool sends the user back (launch_presentation_return_url),
/// with what it said, escaped.
pub async fn returned(
    Extension(notes): Extension<ExchangeNotes>,
    axum::extract::Query(q): axum::extract::Query<crate::emulator::launch::ReturnQuery>,
) -> Response {
    notes.set_step("return");
    let rows = q.rows();
    html_pages::info(
        StatusCode::OK,
        "Back in the emulator",
        "The LTI 1.1 tool returned the user to the platform (launch_presentation_return_url).",
        &rows,
        "",
    )
}

#[cfg(test)]
mod tests {
    /// The replay lookup and the gradebook's 1.1 grades seek their indexes (both tables grow
    /// with every launch and every grade).
    #[test]
    fn lookups_use_their_indexes() {
        let dir =
            std::env::temp_dir().join(format!("lti11-plans-{}", lti_core::ids::secret_token()));
        std::fs::create_dir_all(&dir).unwrap();
        let store = lti_core::store::Store::open(&dir.join("inspector.db")).unwrap();
        let plan = |sql: &'static str| {
            store
                .read_blocking(move |c| {
                    let mut st = c.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
                    let rows = st.query_map(["x"], |r| r.get::<_, String>(3))?;
                    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?.join(" | "))
                })
                .unwrap()
        };
        let p = plan(super::LAST_LAUNCH_SQL);
        assert!(p.contains("USING INDEX emu_lti11_launches_tool"), "{p}");
        assert!(!p.contains("TEMP B-TREE"), "{p}");
        let p = plan(super::super::outcomes::GRADES_SQL);
        assert!(p.contains("emu_lti11_results_course"), "{p}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
