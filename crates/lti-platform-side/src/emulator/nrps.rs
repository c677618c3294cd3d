//! Names and Role Provisioning Services 2.0: the membership container of a course, with the
//! `role` and `rlid` filters, `limit` paging through `Link: rel="next"`, and a `rel="differences"`
//! link that reports the changes (including removed members) since the call.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::Response;
use axum::Extension;
use lti_protocol::finding::{Finding, Report};
use lti_protocol::validate::param;
use serde_json::{json, Value};

use super::claims::{self, SubstitutionFacts};
use super::model::*;
use super::service_auth::{self, Caller};
use super::{db, flow_messages};
use crate::PlatformSide;
use lti_core::recorder::ExchangeNotes;

const DEFAULT_LIMIT: usize = 100;

pub async fn memberships(
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
        &[scope::NRPS],
        "nrps",
        "The membership service",
    )
    .await
    {
        Ok(c) => c,
        Err(res) => return res,
    };
    let base = super::request_base(&platform, &headers);
    let q = service_auth::query(&uri);
    let mut report = Report::new();
    service_auth::check_accept(&headers, media::MEMBERSHIP_CONTAINER, &mut report);
    let (limit, page) = service_auth::paging(&q, DEFAULT_LIMIT, "nrps.request.limit", &mut report);
    let role_filter = param(&q, "role").map(str::to_string);
    if let Some(r) = &role_filter {
        if r.contains("://") {
            report.push(
                Finding::pass("nrps.request.role", "A role URI.")
                    .path("role")
                    .actual(r),
            );
        } else {
            report.push(
                Finding::fail(
                    "nrps.request.role",
                    "The role filter should be a full role URI; the simple name was accepted.",
                )
                .path("role")
                .actual(r),
            );
        }
    }
    let rlid = param(&q, "rlid").map(str::to_string);
    let since = param(&q, "since").and_then(|s| s.parse::<i64>().ok());

    let (cid, rl) = (caller.course.id.clone(), rlid.clone());
    let loaded = platform
        .store()
        .read(move |c| {
            let members = db::enrollments(c, &cid)?;
            let mut users = Vec::new();
            for m in &members {
                users.push(db::user(c, &m.user_id)?);
            }
            let link = match &rl {
                Some(id) => db::resource_link(c, id)?,
                None => None,
            };
            Ok((members, users, link))
        })
        .await;
    let (members, users, link) = match loaded {
        Ok(v) => v,
        Err(e) => return service_auth::server_error(e),
    };
    if let Some(id) = &rlid {
        match &link {
            Some(l) if l.course_id == caller.course.id => report.push(
                Finding::pass("nrps.request.rlid", "A resource link of the context.")
                    .path("rlid")
                    .actual(id),
            ),
            _ => {
                let why = format!("rlid {id:?} is not a resource link of this context.");
                report.push(
                    Finding::fail("nrps.request.rlid", why.clone())
                        .path("rlid")
                        .actual(id),
                );
                finish(&notes, &caller, report, &uri);
                return service_auth::error(StatusCode::BAD_REQUEST, "invalid_request", &why);
            }
        }
    }

    let now = lti_core::clock::now_ms();
    let mut selected: Vec<Value> = Vec::new();
    for (m, u) in members.iter().zip(users.iter()) {
        let Some(u) = u else { continue };
        match since {
            Some(t) if m.updated_at <= t => continue,
            None if m.status == "Deleted" => continue,
            _ => {}
        }
        if let Some(r) = &role_filter {
            let wanted = role::context_role(r);
            if !m
                .roles
                .iter()
                .any(|x| x.eq_ignore_ascii_case(&wanted) || role::is(x, &wanted))
            {
                continue;
            }
        }
        selected.push(member_json(&caller, u, m, link.as_ref()));
    }
    let total = selected.len();
    let page_items: Vec<Value> = selected
        .into_iter()
        .skip(service_auth::offset(limit, page))
        .take(limit)
        .collect();
    let url = claims::memberships_url(&base, &caller.course.id);
    let c = &caller.course;
    let body = json!({
        "id": format!("{url}{}", uri.query().map(|q| format!("?{q}")).unwrap_or_default()),
        "context": {"id": c.context_id, "label": c.label, "title": c.title},
        "members": page_items,
    });
    let mut res = service_auth::json_as(StatusCode::OK, media::MEMBERSHIP_CONTAINER, body);
    let mut links = service_auth::link_header(&url, &q, limit, page, total);
    let mut diff_q: Vec<(String, String)> = q
        .iter()
        .filter(|(k, _)| k != "since" && k != "page")
        .cloned()
        .collect();
    diff_q.push(("since".into(), now.to_string()));
    let diff = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(diff_q)
        .finish();
    links.push_str(&format!(", <{url}?{diff}>; rel=\"differences\""));
    if let Ok(v) = HeaderValue::from_str(&links) {
        res.headers_mut().insert(header::LINK, v);
    }
    finish(&notes, &caller, report, &uri);
    res
}

fn finish(notes: &ExchangeNotes, caller: &Caller, report: Report, uri: &Uri) {
    let msg = flow_messages::with_params(
        flow_messages::message("nrps_request", "nrps", report),
        &service_auth::query(uri),
    );
    service_auth::finish(notes, caller, "nrps", msg);
}

/// One member as NRPS 2.0 §2.2 shows it; with `rlid`, the message claims of that link.
fn member_json(
    caller: &Caller,
    u: &EmulatorUser,
    m: &Enrollment,
    link: Option<&ResourceLink>,
) -> Value {
    let mut v = json!({"status": m.status, "user_id": u.id, "roles": m.roles});
    for (k, val) in [
        ("name", &u.name),
        ("given_name", &u.given_name),
        ("family_name", &u.family_name),
    ] {
        if !val.is_empty() {
            v[k] = json!(val);
        }
    }
    for (k, val) in [
        ("email", &u.email),
        ("picture", &u.picture),
        ("lis_person_sourcedid", &u.sourcedid),
    ] {
        if let Some(val) = val {
            v[k] = json!(val);
        }
    }
    if let Some(l) = link {
        let roles = claims::roles_of(u, Some(m));
        let guid = claims::platform_guid("");
        let subs = SubstitutionFacts {
            user: u,
            course: &caller.course,
            link: Some(l),
            line_item: None,
            roles: &roles,
            platform_guid: &guid,
        };
        let mut msg = json!({ (lti_protocol::vocab::claim::MESSAGE_TYPE): message::RESOURCE_LINK });
        let custom = claims::custom(&caller.tool, &subs);
        if !custom.is_empty() {
            msg[lti_protocol::vocab::claim::CUSTOM] = json!(custom);
        }
        v["message"] = json!([msg]);
    }
    v
}
