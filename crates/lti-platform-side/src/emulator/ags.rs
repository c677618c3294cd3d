//! Assignment and Grade Services 2.0, line items and results: the line items container of a
//! course (GET with resource_link_id / resource_id / tag filters and Link paging, POST to create),
//! one line item (GET, PUT, DELETE) and its results. A tool sees only its own line items. Scores
//! are in `score.rs`.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use lti_protocol::finding::{Finding, Report};
use lti_protocol::validate::param;
use serde_json::Value;

use super::claims;
use super::lineitem::{check_link, item_json, result_json};
use super::model::*;
use super::service_auth::{self, Caller};
use super::{db, flow_messages};
use crate::PlatformSide;
use lti_core::model_changes::ModelKind;
use lti_core::recorder::ExchangeNotes;
use lti_protocol::ags_requests;

pub use super::score::post_score;

const READ: &[&str] = &[scope::LINEITEM, scope::LINEITEM_READONLY];
const WRITE: &[&str] = &[scope::LINEITEM];
const DEFAULT_LIMIT: usize = 100;

fn finish(
    notes: &ExchangeNotes,
    caller: &Caller,
    step: &str,
    report: Report,
    body: Option<&[u8]>,
    uri: &Uri,
) {
    let mut msg = flow_messages::message("ags_request", step, report);
    msg.params = Some(match body {
        Some(b) if !b.is_empty() => flow_messages::body_param("body", b),
        _ => lti_core::messages::params_of(&service_auth::query(uri)),
    });
    service_auth::finish(notes, caller, step, msg);
}

pub async fn list_items(
    State(platform): State<PlatformSide>,
    Extension(notes): Extension<ExchangeNotes>,
    Path(course_id): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let caller = match service_auth::authenticate(
        &platform,
        &notes,
        &headers,
        &course_id,
        READ,
        "ags.lineitems",
        "Reading line items",
    )
    .await
    {
        Ok(c) => c,
        Err(r) => return r,
    };
    let base = super::request_base(&platform, &headers);
    let q = service_auth::query(&uri);
    let mut report = Report::new();
    service_auth::check_accept(&headers, media::LINEITEM_CONTAINER, &mut report);
    let (limit, page) = service_auth::paging(&q, DEFAULT_LIMIT, "ags.lineitem.fields", &mut report);
    let filter = db::ItemFilter {
        tool_id: Some(caller.tool.id.clone()),
        resource_link_id: param(&q, "resource_link_id").map(str::to_string),
        resource_id: param(&q, "resource_id").map(str::to_string),
        tag: param(&q, "tag").map(str::to_string),
    };
    let cid = caller.course.id.clone();
    let items = match platform
        .store()
        .read(move |c| db::line_items(c, &cid, &filter))
        .await
    {
        Ok(i) => i,
        Err(e) => return service_auth::server_error(e),
    };
    let total = items.len();
    let body: Vec<Value> = items
        .iter()
        .skip(service_auth::offset(limit, page))
        .take(limit)
        .map(|i| item_json(&base, i))
        .collect();
    let mut res = service_auth::json_as(
        StatusCode::OK,
        media::LINEITEM_CONTAINER,
        Value::Array(body),
    );
    let url = claims::lineitems_url(&base, &caller.course.id);
    if let Ok(v) = HeaderValue::from_str(&service_auth::link_header(&url, &q, limit, page, total)) {
        res.headers_mut().insert(header::LINK, v);
    }
    finish(&notes, &caller, "ags.lineitems", report, None, &uri);
    res
}

pub async fn create_item(
    State(platform): State<PlatformSide>,
    Extension(notes): Extension<ExchangeNotes>,
    Path(course_id): Path<String>,
    headers: HeaderMap,
    uri: Uri,
    body: Bytes,
) -> Response {
    let caller = match service_auth::authenticate(
        &platform,
        &notes,
        &headers,
        &course_id,
        WRITE,
        "ags.lineitem.create",
        "Creating a line item",
    )
    .await
    {
        Ok(c) => c,
        Err(r) => return r,
    };
    let base = super::request_base(&platform, &headers);
    let mut report = Report::new();
    if let Some(res) = service_auth::check_content_type(&headers, media::LINEITEM, &mut report) {
        finish(
            &notes,
            &caller,
            "ags.lineitem.create",
            report,
            Some(&body),
            &uri,
        );
        return res;
    }
    let fields = match ags_requests::line_item(&body, &mut report) {
        Ok(f) => f,
        Err(refusal) => {
            let (status, why) = service_auth::refusal(refusal);
            finish(
                &notes,
                &caller,
                "ags.lineitem.create",
                report,
                Some(&body),
                &uri,
            );
            return service_auth::error(status, "invalid_request", &why);
        }
    };
    if let Some((status, why)) = check_link(&platform, &caller, &fields, &mut report).await {
        finish(
            &notes,
            &caller,
            "ags.lineitem.create",
            report,
            Some(&body),
            &uri,
        );
        return service_auth::error(status, "not_found", &why);
    }
    let now = lti_core::clock::now_ms();
    let item = LineItem {
        id: lti_core::ids::sortable_id(),
        course_id: caller.course.id.clone(),
        tool_id: caller.tool.id.clone(),
        resource_link_id: fields.resource_link_id,
        label: fields.label,
        score_maximum: fields.score_maximum,
        resource_id: fields.resource_id,
        tag: fields.tag,
        start_date_time: fields.start,
        end_date_time: fields.end,
        grades_released: fields.grades_released,
        created_at: now,
        updated_at: now,
    };
    let saved = {
        let i = item.clone();
        platform
            .core()
            .write_model(ModelKind::LineItem, Some(item.id.clone()), move |tx| {
                db::upsert_line_item(tx, &i)
            })
            .await
    };
    finish(
        &notes,
        &caller,
        "ags.lineitem.create",
        report,
        Some(&body),
        &uri,
    );
    if let Err(e) = saved {
        return service_auth::server_error(e);
    }
    let mut res = service_auth::json_as(
        StatusCode::CREATED,
        media::LINEITEM,
        item_json(&base, &item),
    );
    if let Ok(v) = HeaderValue::from_str(&claims::lineitem_url(&base, &item.course_id, &item.id)) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    res
}

/// The caller's line item `item_id` of the course, or the 404 to send.
async fn own_item(
    platform: &PlatformSide,
    caller: &Caller,
    item_id: &str,
) -> Result<LineItem, Response> {
    let id = item_id.to_string();
    match platform
        .store()
        .lookup(move |c| db::line_item(c, &id))
        .await
    {
        Ok(Some(i)) if i.course_id == caller.course.id && i.tool_id == caller.tool.id => Ok(i),
        Ok(_) => Err(service_auth::error(
            StatusCode::NOT_FOUND,
            "not_found",
            &format!("No line item {item_id:?} of this tool in this course."),
        )),
        Err(e) => Err(service_auth::server_error(e)),
    }
}

pub async fn get_item(
    State(platform): State<PlatformSide>,
    Extension(notes): Extension<ExchangeNotes>,
    Path((course_id, item_id)): Path<(String, String)>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let caller = match service_auth::authenticate(
        &platform,
        &notes,
        &headers,
        &course_id,
        READ,
        "ags.lineitem",
        "Reading a line item",
    )
    .await
    {
        Ok(c) => c,
        Err(r) => return r,
    };
    let base = super::request_base(&platform, &headers);
    let mut report = Report::new();
    service_auth::check_accept(&headers, media::LINEITEM, &mut report);
    let res = match own_item(&platform, &caller, &item_id).await {
        Ok(i) => service_auth::json_as(StatusCode::OK, media::LINEITEM, item_json(&base, &i)),
        Err(r) => r,
    };
    finish(&notes, &caller, "ags.lineitem", report, None, &uri);
    res
}

pub async fn update_item(
    State(platform): State<PlatformSide>,
    Extension(notes): Extension<ExchangeNotes>,
    Path((course_id, item_id)): Path<(String, String)>,
    headers: HeaderMap,
    uri: Uri,
    body: Bytes,
) -> Response {
    let caller = match service_auth::authenticate(
        &platform,
        &notes,
        &headers,
        &course_id,
        WRITE,
        "ags.lineitem.update",
        "Updating a line item",
    )
    .await
    {
        Ok(c) => c,
        Err(r) => return r,
    };
    let base = super::request_base(&platform, &headers);
    let step = "ags.lineitem.update";
    let mut report = Report::new();
    let existing = match own_item(&platform, &caller, &item_id).await {
        Ok(i) => i,
        Err(r) => {
            finish(&notes, &caller, step, report, Some(&body), &uri);
            return r;
        }
    };
    if let Some(res) = service_auth::check_content_type(&headers, media::LINEITEM, &mut report) {
        finish(&notes, &caller, step, report, Some(&body), &uri);
        return res;
    }
    let fields = match ags_requests::line_item(&body, &mut report) {
        Ok(f) => f,
        Err(refusal) => {
            let (status, why) = service_auth::refusal(refusal);
            finish(&notes, &caller, step, report, Some(&body), &uri);
            return service_auth::error(status, "invalid_request", &why);
        }
    };
    let url = claims::lineitem_url(&base, &existing.course_id, &existing.id);
    if let Some(id) = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v.get("id").and_then(Value::as_str).map(str::to_string))
    {
        if id != url {
            report.push(
                Finding::fail(
                    "ags.lineitem.fields",
                    "The body's id is not this line item's URL; it was ignored.",
                )
                .path("id")
                .expected(&url)
                .actual(id),
            );
        }
    }
    if let Some((status, why)) = check_link(&platform, &caller, &fields, &mut report).await {
        finish(&notes, &caller, step, report, Some(&body), &uri);
        return service_auth::error(status, "not_found", &why);
    }
    let item = LineItem {
        resource_link_id: fields.resource_link_id,
        label: fields.label,
        score_maximum: fields.score_maximum,
        resource_id: fields.resource_id,
        tag: fields.tag,
        start_date_time: fields.start,
        end_date_time: fields.end,
        grades_released: fields.grades_released,
        updated_at: lti_core::clock::now_ms(),
        ..existing
    };
    let saved = {
        let i = item.clone();
        platform
            .core()
            .write_model(ModelKind::LineItem, Some(item.id.clone()), move |tx| {
                db::upsert_line_item(tx, &i)
            })
            .await
    };
    finish(&notes, &caller, step, report, Some(&body), &uri);
    match saved {
        Ok(()) => service_auth::json_as(StatusCode::OK, media::LINEITEM, item_json(&base, &item)),
        Err(e) => service_auth::server_error(e),
    }
}

pub async fn delete_item(
    State(platform): State<PlatformSide>,
    Extension(notes): Extension<ExchangeNotes>,
    Path((course_id, item_id)): Path<(String, String)>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let caller = match service_auth::authenticate(
        &platform,
        &notes,
        &headers,
        &course_id,
        WRITE,
        "ags.lineitem.delete",
        "Deleting a line item",
    )
    .await
    {
        Ok(c) => c,
        Err(r) => return r,
    };
    let report = Report::new();
    let res = match own_item(&platform, &caller, &item_id).await {
        Ok(i) => match platform
            .core()
            .write_model(ModelKind::LineItem, Some(i.id.clone()), move |tx| {
                db::delete_line_item(tx, &i.id)
            })
            .await
        {
            Ok(_) => StatusCode::NO_CONTENT.into_response(),
            Err(e) => service_auth::server_error(e),
        },
        Err(r) => r,
    };
    finish(&notes, &caller, "ags.lineitem.delete", report, None, &uri);
    res
}

pub async fn results(
    State(platform): State<PlatformSide>,
    Extension(notes): Extension<ExchangeNotes>,
    Path((course_id, item_id)): Path<(String, String)>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let caller = match service_auth::authenticate(
        &platform,
        &notes,
        &headers,
        &course_id,
        &[scope::RESULT_READONLY],
        "ags.results",
        "Reading results",
    )
    .await
    {
        Ok(c) => c,
        Err(r) => return r,
    };
    let base = super::request_base(&platform, &headers);
    let q = service_auth::query(&uri);
    let mut report = Report::new();
    service_auth::check_accept(&headers, media::RESULT_CONTAINER, &mut report);
    let (limit, page) = service_auth::paging(&q, DEFAULT_LIMIT, "ags.lineitem.fields", &mut report);
    let item = match own_item(&platform, &caller, &item_id).await {
        Ok(i) => i,
        Err(r) => {
            finish(&notes, &caller, "ags.results", report, None, &uri);
            return r;
        }
    };
    let user = param(&q, "user_id").map(str::to_string);
    let iid = item.id.clone();
    let rows = match platform
        .store()
        .read(move |c| db::results(c, &iid, user.as_deref()))
        .await
    {
        Ok(r) => r,
        Err(e) => return service_auth::server_error(e),
    };
    let total = rows.len();
    let body: Vec<Value> = rows
        .iter()
        .skip(service_auth::offset(limit, page))
        .take(limit)
        .map(|g| result_json(&base, &item, g))
        .collect();
    let mut res =
        service_auth::json_as(StatusCode::OK, media::RESULT_CONTAINER, Value::Array(body));
    let url = format!(
        "{}/results",
        claims::lineitem_url(&base, &item.course_id, &item.id)
    );
    if let Ok(v) = HeaderValue::from_str(&service_auth::link_header(&url, &q, limit, page, total)) {
        res.headers_mut().insert(header::LINK, v);
    }
    finish(&notes, &caller, "ags.results", report, None, &uri);
    res
}
