//! AGS 2.0 line items as data: their JSON (§3.2), the validation of a line item body (label,
//! scoreMaximum, resourceLinkId of the context, dates, optional fields), and results (§3.3).

use axum::http::StatusCode;
use lti_protocol::finding::{Finding, Report};
use serde_json::{json, Value};

use lti_protocol::ags_requests;

use super::claims;
use super::db;
use super::model::*;
use super::service_auth::Caller;
use crate::PlatformSide;

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

/// Checks that a resourceLinkId names a link of the course (else 404).
pub(super) async fn check_link(
    platform: &PlatformSide,
    caller: &Caller,
    f: &ags_requests::LineItemFields,
    report: &mut Report,
) -> Option<(StatusCode, String)> {
    let id = f.resource_link_id.clone()?;
    let lid = id.clone();
    let link = platform
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
