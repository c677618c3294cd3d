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
use serde_json::{Map, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::model::*;
use super::services::{self, Caller};
use super::{db, record};
use crate::engine::Engine;
use crate::record::ExchangeNotes;

pub const ACTIVITY_PROGRESS: &[&str] = &[
    "Initialized",
    "Started",
    "InProgress",
    "Submitted",
    "Completed",
];
pub const GRADING_PROGRESS: &[&str] = &[
    "FullyGraded",
    "Pending",
    "PendingManual",
    "Failed",
    "NotReady",
];

/// An RFC 3339 / ISO 8601 date-time with time zone, as microseconds since the epoch.
pub fn parse_timestamp(s: &str) -> Option<i64> {
    OffsetDateTime::parse(s.trim(), &Rfc3339)
        .ok()
        .map(|t| (t.unix_timestamp_nanos() / 1000) as i64)
}

fn finish(notes: &ExchangeNotes, caller: &Caller, report: Report, body: &[u8]) {
    let mut msg = record::message("score", "ags.score", report);
    msg.params = Some(record::body_param("body", body));
    services::finish(notes, caller, "ags.score", msg);
}

/// The checked score, ready to store.
struct CheckedScore {
    user_id: String,
    score_given: Option<f64>,
    score_maximum: Option<f64>,
    comment: Option<String>,
    activity: String,
    grading: String,
    timestamp: String,
    timestamp_us: i64,
}

/// Checks every field; returns the score or the refusal (status, message).
fn check(
    obj: &Map<String, Value>,
    members: &[Enrollment],
    report: &mut Report,
) -> Result<CheckedScore, (StatusCode, String)> {
    let mut refusal: Option<(StatusCode, String)> = None;
    let mut refuse = |why: String| {
        refusal.get_or_insert((StatusCode::BAD_REQUEST, why));
    };
    let user_id = match obj.get("userId") {
        Some(Value::String(u))
            if members
                .iter()
                .any(|m| &m.user_id == u && m.status != "Deleted") =>
        {
            report.push(
                Finding::pass("ags.score.user_id", "A member of the context.")
                    .path("userId")
                    .actual(u),
            );
            u.clone()
        }
        Some(Value::String(u)) => {
            report.push(
                Finding::fail(
                    "ags.score.user_id",
                    "userId is not a member of the line item's context.",
                )
                .path("userId")
                .actual(u),
            );
            refuse(format!("userId {u:?} is not a member of this context."));
            u.clone()
        }
        other => {
            let got = other
                .map(|v| v.to_string())
                .unwrap_or_else(|| "(missing)".into());
            report.push(
                Finding::fail(
                    "ags.score.user_id",
                    "userId is required (the user's LTI id, a string).",
                )
                .path("userId")
                .actual(got),
            );
            refuse("userId is required.".into());
            String::new()
        }
    };
    let score_given = match obj.get("scoreGiven") {
        None | Some(Value::Null) => {
            report.push(
                Finding::pass(
                    "ags.score.score_given",
                    "No scoreGiven (allowed: progress only).",
                )
                .path("scoreGiven"),
            );
            None
        }
        Some(v) => match v.as_f64() {
            Some(n) if n >= 0.0 && n.is_finite() => {
                report.push(
                    Finding::pass("ags.score.score_given", "A number ≥ 0.")
                        .path("scoreGiven")
                        .actual(n.to_string()),
                );
                Some(n)
            }
            _ => {
                report.push(
                    Finding::fail("ags.score.score_given", "scoreGiven must be a number ≥ 0.")
                        .path("scoreGiven")
                        .actual(v.to_string()),
                );
                refuse("scoreGiven must be a number greater than or equal to 0.".into());
                None
            }
        },
    };
    let score_maximum = match (obj.get("scoreMaximum"), score_given) {
        (None | Some(Value::Null), None) => {
            report.push(
                Finding::pass(
                    "ags.score.score_maximum",
                    "No scoreGiven, so no scoreMaximum needed.",
                )
                .path("scoreMaximum"),
            );
            None
        }
        (None | Some(Value::Null), Some(_)) => {
            report.push(
                Finding::fail(
                    "ags.score.score_maximum",
                    "scoreMaximum is required when scoreGiven is present.",
                )
                .path("scoreMaximum")
                .actual("(missing)"),
            );
            refuse("scoreMaximum is required when scoreGiven is present.".into());
            None
        }
        (Some(v), _) => match v.as_f64() {
            Some(n) if n > 0.0 && n.is_finite() => {
                report.push(
                    Finding::pass("ags.score.score_maximum", "A number > 0.")
                        .path("scoreMaximum")
                        .actual(n.to_string()),
                );
                Some(n)
            }
            _ => {
                report.push(
                    Finding::fail(
                        "ags.score.score_maximum",
                        "scoreMaximum must be a number > 0.",
                    )
                    .path("scoreMaximum")
                    .actual(v.to_string()),
                );
                refuse("scoreMaximum must be a number greater than 0.".into());
                None
            }
        },
    };
    if let (Some(g), Some(m)) = (score_given, score_maximum) {
        if g > m {
            report.push(
                Finding::fail(
                    "ags.score.over_maximum",
                    "scoreGiven exceeds scoreMaximum (extra credit?).",
                )
                .expected(format!("≤ {m}"))
                .actual(g.to_string()),
            );
        } else {
            report.push(Finding::pass(
                "ags.score.over_maximum",
                "Within scoreMaximum.",
            ));
        }
    }
    let mut vocab = |field: &str, rule: &str, allowed: &[&str]| -> String {
        match obj.get(field).and_then(Value::as_str) {
            Some(v) if allowed.contains(&v) => {
                report.push(Finding::pass(rule, format!("{v}.")).path(field));
                v.to_string()
            }
            other => {
                let got = obj
                    .get(field)
                    .map(|v| v.to_string())
                    .unwrap_or_else(|| "(missing)".into());
                let why = match other {
                    Some(_) => format!("{field} must be one of {}.", allowed.join(", ")),
                    None => format!("{field} is required: one of {}.", allowed.join(", ")),
                };
                report.push(
                    Finding::fail(rule, why.clone())
                        .path(field)
                        .expected(allowed.join(" | "))
                        .actual(got),
                );
                refusal.get_or_insert((StatusCode::BAD_REQUEST, why));
                String::new()
            }
        }
    };
    let activity = vocab(
        "activityProgress",
        "ags.score.activity_progress",
        ACTIVITY_PROGRESS,
    );
    let grading = vocab(
        "gradingProgress",
        "ags.score.grading_progress",
        GRADING_PROGRESS,
    );
    let (timestamp, timestamp_us) = match obj.get("timestamp") {
        Some(Value::String(s)) => match parse_timestamp(s) {
            Some(us) => {
                let precise = s.split('T').nth(1).is_some_and(|t| t.contains('.'));
                let f = Finding::pass(
                    "ags.score.timestamp",
                    if precise {
                        "RFC 3339 with sub-second precision."
                    } else {
                        "RFC 3339 (sub-second precision is recommended)."
                    },
                );
                report.push(f.path("timestamp").actual(s));
                (s.clone(), us)
            }
            None => {
                report.push(
                    Finding::fail(
                        "ags.score.timestamp",
                        "timestamp is not an ISO 8601 date-time with time zone.",
                    )
                    .path("timestamp")
                    .actual(s),
                );
                refusal.get_or_insert((
                    StatusCode::BAD_REQUEST,
                    format!("timestamp {s:?} is not an ISO 8601 date-time with time zone."),
                ));
                (String::new(), 0)
            }
        },
        other => {
            let got = other
                .map(|v| v.to_string())
                .unwrap_or_else(|| "(missing)".into());
            report.push(
                Finding::fail(
                    "ags.score.timestamp",
                    "timestamp is required: when the score was set, ISO 8601 with time zone.",
                )
                .path("timestamp")
                .actual(got),
            );
            refusal.get_or_insert((
                StatusCode::BAD_REQUEST,
                "timestamp is required (ISO 8601 with time zone).".into(),
            ));
            (String::new(), 0)
        }
    };
    let comment = match obj.get("comment") {
        None | Some(Value::Null) => None,
        Some(Value::String(c)) => Some(c.clone()),
        Some(other) => {
            report.push(
                Finding::fail(
                    "ags.score.comment",
                    "comment must be a string; it was ignored.",
                )
                .path("comment")
                .actual(other.to_string()),
            );
            None
        }
    };
    if let Some(sub) = obj.get("submission") {
        let bad: Vec<&str> = ["startedAt", "submittedAt"]
            .into_iter()
            .filter(|k| {
                sub.get(k)
                    .is_some_and(|v| v.as_str().is_none_or(|s| parse_timestamp(s).is_none()))
            })
            .collect();
        if !bad.is_empty() || !sub.is_object() {
            report.push(
                Finding::fail(
                    "ags.score.comment",
                    format!(
                        "submission.{} must be ISO 8601 date-times.",
                        bad.join(", submission.")
                    ),
                )
                .path("submission"),
            );
        }
    }
    if !report.failed("ags.score.comment") {
        report.push(Finding::pass(
            "ags.score.comment",
            "comment and submission, if any, are well-typed.",
        ));
    }
    match refusal {
        Some(r) => Err(r),
        None => Ok(CheckedScore {
            user_id,
            score_given,
            score_maximum,
            comment,
            activity,
            grading,
            timestamp,
            timestamp_us,
        }),
    }
}

pub async fn post_score(
    State(engine): State<Engine>,
    Extension(notes): Extension<ExchangeNotes>,
    Path((course_id, item_id)): Path<(String, String)>,
    headers: HeaderMap,
    _uri: Uri,
    body: Bytes,
) -> Response {
    let caller = match services::authenticate(
        &engine,
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
    let (item, members) = match engine
        .store()
        .read(move |c| Ok((db::line_item(c, &iid)?, db::enrollments(c, &cid)?)))
        .await
    {
        Ok(v) => v,
        Err(e) => return services::server_error(e),
    };
    let item = match item {
        Some(i) if i.course_id == caller.course.id && i.tool_id == caller.tool.id => i,
        _ => {
            finish(&notes, &caller, report, &body);
            return services::error(
                StatusCode::NOT_FOUND,
                "not_found",
                &format!("No line item {item_id:?} of this tool in this course."),
            );
        }
    };
    if let Some(res) = services::check_content_type(&headers, media::SCORE, &mut report) {
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
            return services::error(StatusCode::BAD_REQUEST, "invalid_request", &why);
        }
    };
    let score = match check(&obj, &members, &mut report) {
        Ok(s) => s,
        Err((status, why)) => {
            finish(&notes, &caller, report, &body);
            return services::error(status, "invalid_request", &why);
        }
    };
    // Ordering: strictly later than the last accepted score of this user for this item.
    let (iid, uid) = (item.id.clone(), score.user_id.clone());
    let last = engine
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
            return services::error(StatusCode::CONFLICT, "conflict", &why);
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
        updated_at: crate::clock::now_ms(),
    };
    let body_text = String::from_utf8_lossy(&body).into_owned();
    let flow_id = caller.token.flow_id.clone();
    let ts = score.timestamp_us;
    let saved = engine
        .store()
        .write(move |tx| {
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
        Err(e) => services::server_error(e),
    }
}
