//! `POST /lti11/outcomes`: the emulator's LTI 1.1 Basic Outcomes service. A tool sends
//! replaceResult / readResult / deleteResult as POX XML signed with OAuth and a body hash; the
//! emulator checks both, answers codeMajor success / failure / unsupported as the spec says, and
//! keeps the grade in its gradebook. Every call is a flow with the checks as findings.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::launch::OUTCOMES_PATH;
use super::tools;
use crate::emulator::db;
use crate::emulator::flow_messages::{self, Flow};
use crate::PlatformSide;
use lti_core::model_changes::ModelKind;
use lti_core::recorder::ExchangeNotes;
use lti_protocol::finding::{Finding, Report};
use lti_protocol::lti11::launch::TIMESTAMP_WINDOW;
use lti_protocol::lti11::outcomes::{
    self, authorization_params, check_request, check_signature, Answer, CodeMajor, Operation,
};

/// A grade a 1.1 tool sent, as the gradebook shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Lti11Grade {
    pub tool_id: String,
    pub tool_name: String,
    pub user_id: String,
    pub score: Option<f64>,
    #[ts(type = "number")]
    pub updated_at: i64,
}

/// A course's 1.1 grades (index emu_lti11_results_course).
pub const GRADES_SQL: &str =
    "SELECT r.tool_id, COALESCE(t.name, r.tool_id), r.user_id, r.score, r.updated_at
     FROM emu_lti11_results r LEFT JOIN emu_lti11_tools t ON t.id = r.tool_id
     WHERE r.course_id = ?1 ORDER BY r.user_id, r.tool_id";

pub fn grades(c: &rusqlite::Connection, course_id: &str) -> lti_core::Result<Vec<Lti11Grade>> {
    let mut st = c.prepare_cached(GRADES_SQL)?;
    let rows = st.query_map([course_id], |r| {
        Ok(Lti11Grade {
            tool_id: r.get(0)?,
            tool_name: r.get(1)?,
            user_id: r.get(2)?,
            score: r.get(3)?,
            updated_at: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn answer(status: StatusCode, a: &Answer<'_>) -> Response {
    let mut res = (status, outcomes::response_xml(a)).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/xml"),
    );
    res
}

pub async fn service(
    State(platform): State<PlatformSide>,
    Extension(notes): Extension<ExchangeNotes>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let base = crate::emulator::request_base(&platform, &headers);
    let url = format!("{base}{OUTCOMES_PATH}");
    let auth = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let key = auth
        .and_then(authorization_params)
        .and_then(|p| {
            p.into_iter()
                .find(|(k, _)| k == "oauth_consumer_key")
                .map(|(_, v)| v)
        })
        .unwrap_or_default();
    let k = key.clone();
    let tool = platform
        .store()
        .read(move |c| tools::by_key(c, &k))
        .await
        .ok()
        .flatten();
    let secret = match &tool {
        Some(t) => tools::secret(&platform, t).await.ok(),
        None => None,
    };
    let now = lti_core::clock::now_secs();
    let mut report = check_signature(auth, &url, &body, secret.as_deref(), now);
    let text = String::from_utf8_lossy(&body);
    let parsed = outcomes::parse_request(&text);
    match &parsed {
        Ok(req) => report.extend(check_request(req)),
        Err(why) => report.push(Finding::fail(
            "lti11.outcome.xml",
            format!("The body is not a POX request: {why}."),
        )),
    }
    let req = parsed.clone().unwrap_or_default();
    let message_ref = req.message_id.clone().unwrap_or_default();
    let op = req.operation();
    let reply_id = lti_core::ids::secret_token();
    let tool_name = tool
        .as_ref()
        .map(|t| t.name.clone())
        .unwrap_or_else(|| format!("consumer {key}"));
    let op_name = op.map(Operation::name).unwrap_or("outcomes request");
    let flow = flow_messages::new_flow(
        "lti11_outcomes",
        format!("LTI 1.1 {op_name} from {tool_name}"),
    );
    let mut signed_ok =
        !report.failed("lti11.outcome.signature") && !report.failed("lti11.outcome.body_hash");
    // A signed request is good once: its oauth_nonce is remembered for the timestamp window, so
    // a captured request cannot be replayed to change a grade (OAuth 1.0a §8).
    if let (true, Some(t)) = (signed_ok, &tool) {
        let oauth = auth.and_then(authorization_params).unwrap_or_default();
        let get = |name: &str| {
            oauth
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        };
        if let Some(nonce) = get("oauth_nonce") {
            let signed_at = get("oauth_timestamp")
                .and_then(|t| t.parse::<i64>().ok())
                .unwrap_or(now);
            let until_ms = signed_at
                .max(now)
                .saturating_add(TIMESTAMP_WINDOW)
                .saturating_mul(1000);
            let (tid, fid) = (t.id.clone(), flow.id.clone());
            let fresh = platform
                .store()
                .write(move |tx| {
                    db::use_jti(tx, &tid, &format!("oauth_nonce:{nonce}"), until_ms, &fid)
                })
                .await
                // A store that cannot answer fails the check closed.
                .unwrap_or(false);
            if fresh {
                report.push(Finding::pass(
                    "lti11.nonce",
                    "First use of this oauth_nonce.",
                ));
            } else {
                report.push(Finding::fail(
                    "lti11.nonce",
                    "This oauth_nonce was already used (or could not be checked): a replayed outcomes request is refused.",
                ));
                signed_ok = false;
            }
        }
    }

    // The sourcedid names tool, course and user; it must be this tool's.
    let target = req.sourcedid.as_deref().and_then(|s| {
        let mut parts = s.splitn(3, ':');
        Some((
            parts.next()?.to_string(),
            parts.next()?.to_string(),
            parts.next()?.to_string(),
        ))
    });
    // (HTTP status, codeMajor, description, readResult's score)
    let (status, code, description, read) = if !signed_ok {
        (
            StatusCode::UNAUTHORIZED,
            CodeMajor::Failure,
            first_failure(
                &report,
                "The request's OAuth signature or body hash does not verify.",
            ),
            None,
        )
    } else if parsed.is_err() {
        (
            StatusCode::OK,
            CodeMajor::Failure,
            first_failure(&report, "The body is not a POX request."),
            None,
        )
    } else if op.is_none() {
        let what = req
            .operation_element
            .clone()
            .unwrap_or_else(|| "an empty imsx_POXBody".into());
        (
            StatusCode::OK,
            CodeMajor::Unsupported,
            format!("{what} is not supported"),
            None,
        )
    } else if report.verdict() == lti_protocol::finding::Verdict::Invalid {
        (
            StatusCode::OK,
            CodeMajor::Failure,
            first_failure(&report, "The request is not valid."),
            None,
        )
    } else {
        match (&target, &tool) {
            (Some((tool_id, course_id, user_id)), Some(t)) if *tool_id == t.id => {
                let (tid, cid, uid) = (tool_id.clone(), course_id.clone(), user_id.clone());
                let sourcedid = req.sourcedid.clone().unwrap_or_default();
                let score = req.score.as_deref().and_then(|s| s.parse::<f64>().ok());
                let op2 = op;
                let result = platform
                    .core()
                    .write_model(ModelKind::Grade, Some(sourcedid.clone()), move |tx| match op2 {
                        Some(Operation::Replace) => {
                            tx.execute(
                                "INSERT INTO emu_lti11_results (sourcedid, tool_id, course_id, user_id, score, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                                 ON CONFLICT(sourcedid) DO UPDATE SET score = ?5, updated_at = ?6",
                                rusqlite::params![sourcedid, tid, cid, uid, score, lti_core::clock::now_ms()],
                            )?;
                            Ok(None)
                        }
                        Some(Operation::Delete) => {
                            tx.execute("DELETE FROM emu_lti11_results WHERE sourcedid = ?1", [&sourcedid])?;
                            Ok(None)
                        }
                        _ => Ok(Some(
                            tx.query_row("SELECT score FROM emu_lti11_results WHERE sourcedid = ?1", [&sourcedid], |r| r.get::<_, Option<f64>>(0))
                                .optional()?
                                .flatten(),
                        )),
                    })
                    .await;
                match result {
                    Ok(read) => {
                        let what = match op {
                            Some(Operation::Replace) => format!(
                                "Score for {user_id} is now {}",
                                score.map(|s| s.to_string()).unwrap_or_default()
                            ),
                            Some(Operation::Delete) => format!("Score for {user_id} deleted"),
                            _ => format!("Score for {user_id} read"),
                        };
                        (StatusCode::OK, CodeMajor::Success, what, read)
                    }
                    Err(e) => (
                        StatusCode::OK,
                        CodeMajor::Failure,
                        format!("The grade could not be stored: {e}"),
                        None,
                    ),
                }
            }
            _ => (
                StatusCode::OK,
                CodeMajor::Failure,
                "The sourcedId names no result of this tool".into(),
                None,
            ),
        }
    };
    let res = answer(
        status,
        &Answer {
            code,
            description: &description,
            message_id: &reply_id[..16],
            message_ref: &message_ref,
            op,
            read_score: read,
        },
    );

    // Recorded as a flow of its own: which tool, whose grade, what was checked.
    let summary = flow_messages::summary(&[
        ("tool", &tool_name),
        ("user", target.as_ref().map(|t| t.2.as_str()).unwrap_or("")),
        ("message_type", op_name),
        ("lti_version", "1.1"),
    ]);
    let mut params: Vec<(String, String)> = auth
        .and_then(authorization_params)
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| (format!("Authorization {k}"), v))
        .collect();
    params.push(("body".into(), text.chars().take(64 * 1024).collect()));
    let msg = flow_messages::with_params(
        flow_messages::message("lti11_outcome_request", "lti11_outcomes", report),
        &params,
    );
    let title = flow.title.clone();
    flow_messages::save(
        &notes,
        Flow::New(flow),
        "lti11_outcomes",
        vec![msg],
        summary,
        Some(title),
    );
    res
}

fn first_failure(report: &Report, fallback: &str) -> String {
    report
        .findings
        .iter()
        .find(|f| f.is_failed_error())
        .map(|f| format!("{} ({})", f.message, f.rule_id))
        .unwrap_or_else(|| fallback.to_string())
}
