//! Checks of what a tool sends to a platform's AGS endpoints — line items and scores (AGS 2.0
//! §3.2, §3.4) — as findings, with the refusal a platform answers when one breaks a MUST. Pure:
//! the emulator supplies who is a member of the context.

use serde_json::{Map, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::finding::{Finding, Report};

/// Why a platform refuses the request: the HTTP status and a sentence for the tool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub status: u16,
    pub message: String,
}

impl Refusal {
    fn bad_request(message: String) -> Self {
        Self {
            status: 400,
            message,
        }
    }
}

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

/// Validated fields of a line item body (AGS 2.0 §3.2.4); None when it must be refused.
pub struct LineItemFields {
    pub label: String,
    pub score_maximum: f64,
    pub resource_link_id: Option<String>,
    pub resource_id: Option<String>,
    pub tag: Option<String>,
    pub start: Option<String>,
    pub end: Option<String>,
    pub grades_released: Option<bool>,
}

/// Checks a line item body; returns the fields, or the status and message of the refusal.
pub fn line_item(body: &[u8], report: &mut Report) -> Result<LineItemFields, Refusal> {
    let obj: Map<String, Value> = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => {
            report.push(Finding::pass("ags.lineitem.json", "A JSON object."));
            m
        }
        Ok(_) => {
            report.push(Finding::fail(
                "ags.lineitem.json",
                "The body is JSON but not an object.",
            ));
            return Err(Refusal::bad_request(
                "The line item must be a JSON object.".into(),
            ));
        }
        Err(e) => {
            report.push(Finding::fail(
                "ags.lineitem.json",
                format!("The body is not JSON: {e}."),
            ));
            return Err(Refusal::bad_request(format!("The body is not JSON: {e}.")));
        }
    };
    let mut refusal: Option<String> = None;
    let label = match obj.get("label") {
        Some(Value::String(s)) if !s.trim().is_empty() => {
            report.push(
                Finding::pass("ags.lineitem.label", "Present.")
                    .path("label")
                    .actual(s),
            );
            s.clone()
        }
        other => {
            report.push(
                Finding::fail(
                    "ags.lineitem.label",
                    "label is required (a non-empty string): it is the gradebook column's title.",
                )
                .path("label")
                .actual(
                    other
                        .map(|v| v.to_string())
                        .unwrap_or_else(|| "(missing)".into()),
                ),
            );
            refusal.get_or_insert("label is required (a non-empty string).".into());
            String::new()
        }
    };
    let score_maximum = match obj.get("scoreMaximum").and_then(Value::as_f64) {
        Some(n) if n > 0.0 && n.is_finite() => {
            report.push(
                Finding::pass("ags.lineitem.score_maximum", "A positive number.")
                    .path("scoreMaximum")
                    .actual(n.to_string()),
            );
            n
        }
        _ => {
            let got = obj
                .get("scoreMaximum")
                .map(|v| v.to_string())
                .unwrap_or_else(|| "(missing)".into());
            report.push(
                Finding::fail(
                    "ags.lineitem.score_maximum",
                    "scoreMaximum is required and must be a number > 0.",
                )
                .path("scoreMaximum")
                .actual(got),
            );
            refusal.get_or_insert(
                "scoreMaximum is required and must be a number greater than 0.".into(),
            );
            0.0
        }
    };
    let mut type_problems = Vec::new();
    let string = |k: &str, problems: &mut Vec<String>| match obj.get(k) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => {
            problems.push(format!("{k} is not a string ({other})"));
            None
        }
    };
    let resource_link_id = string("resourceLinkId", &mut type_problems);
    let resource_id = string("resourceId", &mut type_problems);
    let tag = string("tag", &mut type_problems);
    let grades_released = match obj.get("gradesReleased") {
        None | Some(Value::Null) => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(other) => {
            type_problems.push(format!("gradesReleased is not a boolean ({other})"));
            None
        }
    };
    if type_problems.is_empty() {
        report.push(Finding::pass(
            "ags.lineitem.fields",
            "Optional fields are well-typed.",
        ));
    } else {
        report.push(Finding::fail(
            "ags.lineitem.fields",
            format!("{}.", type_problems.join("; ")),
        ));
    }
    let mut dates = Vec::new();
    for k in ["startDateTime", "endDateTime"] {
        match obj.get(k) {
            None | Some(Value::Null) => dates.push(None),
            Some(Value::String(s)) if parse_timestamp(s).is_some() => dates.push(Some(s.clone())),
            Some(other) => {
                report.push(
                    Finding::fail(
                        "ags.lineitem.dates",
                        format!("{k} is not an ISO 8601 date-time with time zone."),
                    )
                    .path(k)
                    .actual(other.to_string()),
                );
                refusal.get_or_insert(format!("{k} must be an ISO 8601 date-time with time zone."));
                dates.push(None);
            }
        }
    }
    if !report.failed("ags.lineitem.dates") {
        report.push(Finding::pass(
            "ags.lineitem.dates",
            "Dates, if any, are ISO 8601.",
        ));
    }
    if let Some(why) = refusal {
        return Err(Refusal::bad_request(why));
    }
    Ok(LineItemFields {
        label,
        score_maximum,
        resource_link_id,
        resource_id,
        tag,
        start: dates[0].take(),
        end: dates[1].take(),
        grades_released,
    })
}

/// The checked score, ready to store.
pub struct CheckedScore {
    pub user_id: String,
    pub score_given: Option<f64>,
    pub score_maximum: Option<f64>,
    pub comment: Option<String>,
    pub activity: String,
    pub grading: String,
    pub timestamp: String,
    pub timestamp_us: i64,
}

/// Checks every field; returns the score or the refusal (status, message).
pub fn score(
    obj: &Map<String, Value>,
    is_member: impl Fn(&str) -> bool,
    report: &mut Report,
) -> Result<CheckedScore, Refusal> {
    let mut refusal: Option<Refusal> = None;
    let mut refuse = |why: String| {
        refusal.get_or_insert(Refusal::bad_request(why));
    };
    let user_id = match obj.get("userId") {
        Some(Value::String(u)) if is_member(u) => {
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
                refusal.get_or_insert(Refusal::bad_request(why));
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
                refusal.get_or_insert(Refusal::bad_request(format!(
                    "timestamp {s:?} is not an ISO 8601 date-time with time zone."
                )));
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
            refusal.get_or_insert(Refusal::bad_request(
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
