//! What every service call (AGS, NRPS) goes through: the bearer token (RFC 6750: 401 without or
//! with a bad token, 403 without the needed scope), the course and the tool's access to it, the
//! media types (415 for a wrong Content-Type), and the JSON answers. A refused call is recorded
//! with its finding: in the token's flow when the token is known, else in a flow of its own.

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use lti_protocol::finding::{Finding, Report};
use serde_json::{json, Map, Value};

use super::db;
use super::flow_messages::{self, Flow};
use super::model::*;
use crate::PlatformSide;
use lti_core::messages::StoredMessage;
use lti_core::recorder::ExchangeNotes;

/// The tool calling a service, authenticated by its access token.
pub(super) struct Caller {
    pub token: AccessToken,
    pub tool: EmulatorTool,
    pub course: EmulatorCourse,
}

/// A service error: JSON `{error, error_description}`; 401/403 carry WWW-Authenticate.
/// The engine failed (store, keys) while serving a tool: 500 with the reason.
pub(super) fn server_error(e: impl std::fmt::Display) -> Response {
    error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "server_error",
        &e.to_string(),
    )
}

pub(super) fn error(status: StatusCode, code: &str, description: &str) -> Response {
    let mut res = (
        status,
        Json(json!({"error": code, "error_description": description})),
    )
        .into_response();
    let challenge = match status {
        StatusCode::UNAUTHORIZED => Some(format!(
            "Bearer realm=\"lti-inspector-emulator\", error=\"{code}\", error_description=\"{}\"",
            description.replace('"', "'")
        )),
        StatusCode::FORBIDDEN => Some(format!(
            "Bearer realm=\"lti-inspector-emulator\", error=\"{code}\""
        )),
        _ => None,
    };
    if let Some(v) = challenge.and_then(|c| HeaderValue::from_str(&c).ok()) {
        res.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    res
}

/// A JSON answer with the service's media type.
pub(super) fn json_as(status: StatusCode, media: &str, body: Value) -> Response {
    let mut res = (status, Json(body)).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(media).expect("media types are ASCII"),
    );
    res
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
}

/// The media type of a header (no parameters), lower-cased.
pub(super) fn media_of(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(lti_protocol::vocab::media::base)
}

/// Finding about the Accept header of a GET: it should name `media`.
pub(super) fn check_accept(headers: &HeaderMap, media: &str, report: &mut Report) {
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let ok = accept
        .split(',')
        .map(lti_protocol::vocab::media::base)
        .any(|a| a == media || a == "*/*");
    if ok {
        report.push(
            Finding::pass("service.accept", format!("Accept names {media}."))
                .path("Accept")
                .actual(accept),
        );
    } else {
        report.push(
            Finding::fail("service.accept", format!("Accept should name {media}."))
                .path("Accept")
                .expected(media)
                .actual(if accept.is_empty() { "(none)" } else { accept }),
        );
    }
}

/// Checks Content-Type; on a mismatch records the finding and returns the 415 to send.
pub(super) fn check_content_type(
    headers: &HeaderMap,
    media: &str,
    report: &mut Report,
) -> Option<Response> {
    match media_of(headers, header::CONTENT_TYPE) {
        Some(m) if m == media => {
            report.push(
                Finding::pass("service.media_type", format!("Content-Type {media}."))
                    .path("Content-Type"),
            );
            None
        }
        other => {
            let got = other.unwrap_or_else(|| "(none)".into());
            report.push(
                Finding::fail(
                    "service.media_type",
                    format!("Content-Type must be {media}."),
                )
                .path("Content-Type")
                .expected(media)
                .actual(&got),
            );
            Some(error(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                &format!("Content-Type must be {media}, not {got}."),
            ))
        }
    }
}

/// Authenticates a call to a service of `course_id` needing any of `scopes`. On refusal the
/// finding is recorded and the response to send is returned.
pub(super) async fn authenticate(
    platform: &PlatformSide,
    notes: &ExchangeNotes,
    headers: &HeaderMap,
    course_id: &str,
    scopes: &[&str],
    step: &str,
    what: &str,
) -> Result<Caller, Response> {
    let presented = bearer(headers);
    let found = match presented.clone() {
        Some(t) => {
            let cid = course_id.to_string();
            platform
                .store()
                .lookup(move |c| {
                    let Some(tok) = db::token(c, &t)? else {
                        return Ok(None);
                    };
                    let tool = db::tool(c, &tok.tool_id)?;
                    let course = db::course(c, &cid)?;
                    let deployed = match &tool {
                        Some(tl) => db::deployment_for(c, &tl.id, &cid)?.is_some(),
                        None => false,
                    };
                    Ok(Some((tok, tool, course, deployed)))
                })
                .await
                .ok()
                .flatten()
        }
        None => None,
    };
    let refuse_unknown = |why: &str| (StatusCode::UNAUTHORIZED, "invalid_token", why.to_string());
    let (tok, tool, course, deployed) = match found {
        Some((tok, Some(tool), course, deployed)) if tok.expires_at > lti_core::clock::now_ms() => {
            (tok, tool, course, deployed)
        }
        other => {
            let (status, code, why) = match (&presented, other) {
                (None, _) => refuse_unknown("The request has no Authorization: Bearer token; get one from the token endpoint."),
                (Some(_), Some(_)) => refuse_unknown("The access token has expired."),
                (Some(_), None) => refuse_unknown("The access token is not one the emulator issued."),
            };
            let mut report = Report::new();
            report.push(Finding::fail("service.bearer", why.clone()).path("Authorization"));
            let flow = flow_messages::new_flow(
                "service",
                format!("{what} refused: no valid access token"),
            );
            flow_messages::save(
                notes,
                Flow::New(flow),
                step,
                vec![flow_messages::message("service_call", step, report)],
                flow_messages::summary(&[]),
                None,
            );
            return Err(error(status, code, &why));
        }
    };
    let flow = Flow::Existing(tok.flow_id.clone());
    let Some(course) = course else {
        let mut report = Report::new();
        report.push(Finding::pass("service.bearer", "A valid access token.").path("Authorization"));
        report.push(
            Finding::fail(
                "service.context",
                format!("No course {course_id:?} in the emulator: use the URLs of the launch's service claims."),
            )
            .actual(course_id.to_string()),
        );
        flow_messages::save(
            notes,
            flow,
            step,
            vec![flow_messages::message("service_call", step, report)],
            Map::new(),
            None,
        );
        return Err(error(
            StatusCode::NOT_FOUND,
            "not_found",
            &format!("No course {course_id:?} in the emulator."),
        ));
    };
    let mut report = Report::new();
    report.push(Finding::pass("service.bearer", "A valid access token.").path("Authorization"));
    if !scopes.iter().any(|s| tok.scopes.iter().any(|t| t == s)) {
        let why = format!(
            "{what} needs the scope {}; the token has {}.",
            scopes.join(" or "),
            tok.scopes.join(" ")
        );
        report.push(
            Finding::fail("service.scope", why.clone())
                .expected(scopes.join(" or "))
                .actual(tok.scopes.join(" ")),
        );
        flow_messages::save(
            notes,
            flow,
            step,
            vec![flow_messages::message("service_call", step, report)],
            Map::new(),
            None,
        );
        return Err(error(StatusCode::FORBIDDEN, "insufficient_scope", &why));
    }
    if !deployed {
        let why = format!(
            "The tool {:?} is not deployed in the course {:?}.",
            tool.name, course.title
        );
        report.push(Finding::fail("service.context", why.clone()).actual(course.id.clone()));
        flow_messages::save(
            notes,
            flow,
            step,
            vec![flow_messages::message("service_call", step, report)],
            Map::new(),
            None,
        );
        return Err(error(StatusCode::FORBIDDEN, "access_denied", &why));
    }
    Ok(Caller {
        token: tok,
        tool,
        course,
    })
}

/// Records the findings of an authenticated call in its token's flow.
pub(super) fn finish(notes: &ExchangeNotes, caller: &Caller, step: &str, mut msg: StoredMessage) {
    msg.report.findings.insert(
        0,
        Finding::pass("service.bearer", "A valid access token.").path("Authorization"),
    );
    msg.report.findings.insert(
        1,
        Finding::pass("service.scope", "The token carries the scope.")
            .actual(caller.token.scopes.join(" ")),
    );
    msg.verdict = msg.report.verdict();
    msg.counts = msg.report.counts();
    let summary = flow_messages::summary(&[("context", &caller.course.title)]);
    flow_messages::save(
        notes,
        Flow::Existing(caller.token.flow_id.clone()),
        step,
        vec![msg],
        summary,
        None,
    );
}

/// Query parameters of a URI.
pub(super) fn query(uri: &axum::http::Uri) -> Vec<(String, String)> {
    uri.query()
        .map(lti_protocol::validate::parse_form)
        .unwrap_or_default()
}

/// Paging: `limit` (capped) and `page` (1-based) from the query; a bad limit is a finding.
pub(super) fn paging(
    q: &[(String, String)],
    default_limit: usize,
    rule: &str,
    report: &mut Report,
) -> (usize, usize) {
    let get = |n: &str| lti_protocol::validate::param(q, n);
    let limit = match get("limit") {
        None => default_limit,
        Some(v) => match v.parse::<usize>() {
            Ok(n) if n > 0 => n.min(1000),
            _ => {
                report.push(
                    Finding::fail(
                        rule,
                        "limit must be a positive integer; the default page size was used.",
                    )
                    .path("limit")
                    .actual(v),
                );
                default_limit
            }
        },
    };
    let page = get("page")
        .and_then(|p| p.parse::<usize>().ok())
        .filter(|p| *p > 0)
        .unwrap_or(1);
    (limit, page)
}

/// Rows before `page` (1-based): saturating, so a hostile `?page=` cannot overflow.
pub(super) fn offset(limit: usize, page: usize) -> usize {
    (page - 1).saturating_mul(limit)
}

/// The Link header of a paged container: first, prev, next, last (RFC 8288).
pub(super) fn link_header(
    url: &str,
    q: &[(String, String)],
    limit: usize,
    page: usize,
    total: usize,
) -> String {
    let pages = total.div_ceil(limit).max(1);
    let at = |p: usize| {
        let mut pairs: Vec<(String, String)> = q
            .iter()
            .filter(|(k, _)| k != "page" && k != "limit")
            .cloned()
            .collect();
        pairs.push(("limit".into(), limit.to_string()));
        pairs.push(("page".into(), p.to_string()));
        let qs = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        format!("{url}?{qs}")
    };
    let mut links = vec![format!("<{}>; rel=\"first\"", at(1))];
    if page > 1 {
        links.push(format!("<{}>; rel=\"prev\"", at(page - 1)));
    }
    if page < pages {
        links.push(format!("<{}>; rel=\"next\"", at(page + 1)));
    }
    links.push(format!("<{}>; rel=\"last\"", at(pages)));
    links.join(", ")
}

/// A refusal the protocol checks decided, as the status and message to answer with.
pub(super) fn refusal(r: lti_protocol::ags_requests::Refusal) -> (StatusCode, String) {
    (
        StatusCode::from_u16(r.status).unwrap_or(StatusCode::BAD_REQUEST),
        r.message,
    )
}
