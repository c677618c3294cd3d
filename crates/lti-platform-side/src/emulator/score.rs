//! AGS 2.0 score publish service (§3.4): `POST {lineitem}/scores` with
//! `application/vnd.ims.lis.v1.score+json`. Every field is validated — userId of a member,
//! scoreGiven ≥ 0 with scoreMaximum > 0, the activityProgress and gradingProgress vocabularies, an
//! RFC 3339 timestamp later than the last accepted score (else 409) — and an accepted score
//! becomes the user's result, scaled to the line item's scoreMaximum.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use lti_protocol::finding::{Finding, Report};
use serde_json::Value;

use super::model::*;
use super::service_auth::{self, Caller};
use super::{db, flow_messages};
use crate::PlatformSide;
use lti_core::model_changes::ModelKind;
use lti_core::recorder::ExchangeNotes;
use lti_protocol::ags_requests;

fn finish(notes: &ExchangeNotes, caller: &Caller, report: Report, body: &[u8]) {
    let mut msg = flow_messages::message("score", "ags.score", report);
    msg.params = Some(flow_messages::body_param("body", body));
    service_auth::finish(notes, caller, "ags.score", msg);
}

pub async fn post_score(
    State(platform): State<PlatformSide>,
    Extension(notes): Extension<ExchangeNotes>,
    Path((course_id, item_id)): Path<(String, String)>,
    headers: HeaderMap,
    _uri: Uri,
    body: Bytes,
) -> Response {
    let caller = match service_auth::authenticate(
        &platform,
        &notes,
        &headers,
        &course_id,
        &[scope::SCORE],
        "ags.score",
        "Posting a score",
    )
    .await
    {
        Ok(c) => c,
        Err(r) => return r,
    };
    let mut report = Report::new();
    let (iid, cid) = (item_id.clone(), caller.course.id.clone());
    let (item, members) = match platform
        .store()
        .read(move |c| Ok((db::line_item(c, &iid)?, db::enrollments(c, &cid)?)))
        .await
    {
        Ok(v) => v,
        Err(e) => return service_auth::server_error(e),
    };
    let item = match item {
        Some(i) if i.course_id == caller.course.id && i.tool_id == caller.tool.id => i,
        _ => {
            finish(&notes, &caller, report, &body);
            return service_auth::error(
                StatusCode::NOT_FOUND,
                "not_found",
                &format!("No line item {item_id:?} of this tool in this course."),
            );
        }
    };
    if let Some(res) = service_auth::check_content_type(&headers, media::SCORE, &mut report) {
        finish(&notes, &caller, report, &body);
        return res;
    }
    let obj = match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Object(m)) => {
            report.push(Finding::pass("ags.score.json", "A JSON object."));
            m
        }
        other => {
            let why = match other {
                Ok(_) => "The score must be a JSON object.".to_string(),
                Err(e) => format!("The score is not JSON: {e}."),
            };
            report.push(Finding::fail("ags.score.json", why.clone()));
            finish(&notes, &caller, report, &body);
            return service_auth::error(StatusCode::BAD_REQUEST, "invalid_request", &why);
        }
    };
    let is_member = |u: &str| {
        members
            .iter()
            .any(|m| m.user_id == u && m.status != "Deleted")
    };
    let score = match ags_requests::score(&obj, is_member, &mut report) {
        Ok(s) => s,
        Err(refusal) => {
            let (status, why) = service_auth::refusal(refusal);
            finish(&notes, &caller, report, &body);
            return service_auth::error(status, "invalid_request", &why);
        }
    };
    // Ordering: strictly later than the last accepted score of this user for this item.
    let (iid, uid) = (item.id.clone(), score.user_id.clone());
    let last = platform
        .store()
        .lookup(move |c| db::last_score_timestamp(c, &iid, &uid))
        .await
        .ok()
        .flatten();
    if let Some((last_us, last_ts)) = last {
        if score.timestamp_us <= last_us {
            let why = format!(
                "timestamp {} is not later than the last accepted score's ({last_ts}): the score was not applied.",
                score.timestamp
            );
            report.push(
                Finding::fail("ags.score.timestamp_order", why.clone())
                    .path("timestamp")
                    .expected(format!("> {last_ts}"))
                    .actual(&score.timestamp),
            );
            finish(&notes, &caller, report, &body);
            return service_auth::error(StatusCode::CONFLICT, "conflict", &why);
        }
    }
    report.push(
        Finding::pass(
            "ags.score.timestamp_order",
            "Later than any score accepted before.",
        )
        .path("timestamp"),
    );
    let result_score = match (score.score_given, score.score_maximum) {
        (Some(g), Some(m)) => Some(g / m * item.score_maximum),
        _ => None,
    };
    let cell = GradeCell {
        line_item_id: item.id.clone(),
        user_id: score.user_id.clone(),
        score_given: score.score_given,
        score_maximum: score.score_maximum,
        result_score,
        result_maximum: Some(item.score_maximum),
        comment: score.comment.clone(),
        activity_progress: score.activity.clone(),
        grading_progress: score.grading.clone(),
        timestamp: score.timestamp.clone(),
        updated_at: lti_core::clock::now_ms(),
    };
    let body_text = String::from_utf8_lossy(&body).into_owned();
    let flow_id = caller.token.flow_id.clone();
    let ts = score.timestamp_us;
    let grade_of = item.id.clone();
    let saved = platform
        .core()
        .write_model(ModelKind::Grade, Some(grade_of), move |tx| {
            db::record_score(
                tx,
                &db::AcceptedScore {
                    cell: &cell,
                    timestamp_us: ts,
                    body: &body_text,
                    flow_id: Some(&flow_id),
                },
            )
        })
        .await;
    finish(&notes, &caller, report, &body);
    match saved {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => service_auth::server_error(e),
    }
}
