//! AGS 2.0 line items as data: their JSON (§3.2), the validation of a line item body (label,
//! scoreMaximum, resourceLinkId of the context, dates, optional fields), and results (§3.3).

use axum::http::StatusCode;
use lti_protocol::finding::{Finding, Report};
use serde_json::{json, Map, Value};

use super::claims;
use super::db;
use super::model::*;
use super::services::Caller;
use crate::engine::Engine;

/// A line item as AGS 2.0 §3.2 serializes it.
pub(super) fn item_json(base: &str, i: &LineItem) -> Value {
    let mut v = json!({
        "id": claims::lineitem_url(base, &i.course_id, &i.id),
        "label": i.label,
        "scoreMaximum": i.score_maximum,
    });
    let opt = [
        ("resourceLinkId", &i.resource_link_id),
        ("resourceId", &i.resource_id),
        ("tag", &i.tag),
        ("startDateTime", &i.start_date_time),
        ("endDateTime", &i.end_date_time),
    ];
    for (k, val) in opt {
        if let Some(val) = val {
            v[k] = json!(val);
        }
    }
    if let Some(g) = i.grades_released {
        v["gradesReleased"] = json!(g);
    }
    v
}

/// Validated fields of a line item body (AGS 2.0 §3.2.4); None when it must be refused.
pub(super) struct ItemFields {
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
pub(super) fn check_item(
    body: &[u8],
    report: &mut Report,
) -> Result<ItemFields, (StatusCode, String)> {
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
            return Err((
                StatusCode::BAD_REQUEST,
                "The line item must be a JSON object.".into(),
            ));
        }
        Err(e) => {
            report.push(Finding::fail(
                "ags.lineitem.json",
                format!("The body is not JSON: {e}."),
            ));
            return Err((
                StatusCode::BAD_REQUEST,
                format!("The body is not JSON: {e}."),
            ));
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
            Some(Value::String(s)) if super::score::parse_timestamp(s).is_some() => {
                dates.push(Some(s.clone()))
            }
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
        return Err((StatusCode::BAD_REQUEST, why));
    }
    Ok(ItemFields {
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

/// Checks that a resourceLinkId names a link of the course (else 404).
pub(super) async fn check_link(
    engine: &Engine,
    caller: &Caller,
    f: &ItemFields,
    report: &mut Report,
) -> Option<(StatusCode, String)> {
    let id = f.resource_link_id.clone()?;
    let lid = id.clone();
    let link = engine
        .store()
        .lookup(move |c| db::resource_link(c, &lid))
        .await
        .ok()
        .flatten();
    match link {
        Some(l) if l.course_id == caller.course.id => {
            report.push(
                Finding::pass("ags.lineitem.resource_link_id", "A link of the context.")
                    .path("resourceLinkId")
                    .actual(&id),
            );
            None
        }
        _ => {
            let why = format!("resourceLinkId {id:?} is not a resource link of this context.");
            report.push(
                Finding::fail("ags.lineitem.resource_link_id", why.clone())
                    .path("resourceLinkId")
                    .actual(&id),
            );
            Some((StatusCode::NOT_FOUND, why))
        }
    }
}

/// A result as AGS 2.0 §3.3 serializes it.
pub(super) fn result_json(base: &str, item: &LineItem, g: &GradeCell) -> Value {
    let url = claims::lineitem_url(base, &item.course_id, &item.id);
    let mut v = json!({
        "id": format!("{url}/results/{}", g.user_id),
        "scoreOf": url,
        "userId": g.user_id,
    });
    if let Some(s) = g.result_score {
        v["resultScore"] = json!(s);
    }
    v["resultMaximum"] = json!(g.result_maximum.unwrap_or(item.score_maximum));
    if let Some(c) = &g.comment {
        v["comment"] = json!(c);
    }
    v["timestamp"] = json!(g.timestamp);
    v
}
