//! The deep linking return endpoint (Deep Linking 2.0 §4.5): the tool's LtiDeepLinkingResponse
//! JWT is checked — signature with the tool's key, iss = client_id, aud = this platform, exp,
//! nonce, deployment_id, the data echo, accept_types, accept_multiple and each item's shape — and,
//! when valid, its ltiResourceLink items become resource links of the course (with a line item
//! when the item asks for one); a page lists what was added.

use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Extension;
use lti_core::model_changes::ModelKind;
use lti_protocol::finding::{Finding, Report};
use lti_protocol::jws::Jws;
use lti_protocol::validate::{self, IdTokenContext, RegistrationView};
use serde_json::{Map, Value};

use super::flow_messages::{self, Flow};
use super::model::*;
use super::{db, dl_preview, html_pages, tool_keys};
use crate::PlatformSide;
use lti_core::html::escape;
use lti_core::recorder::ExchangeNotes;
use lti_protocol::deep_linking::DlSettings;

const DL: &str = lti_protocol::vocab::claim::DL_PREFIX;

pub async fn wrong_method(Extension(notes): Extension<ExchangeNotes>) -> Response {
    notes.set_step("deep_linking_return");
    html_pages::info(
        StatusCode::METHOD_NOT_ALLOWED,
        "Deep linking responses arrive by POST",
        "The tool must auto-POST a form with the field JWT to this URL. This GET was recorded.",
        &[],
        "",
    )
}

pub async fn response(
    State(platform): State<PlatformSide>,
    Path(id): Path<String>,
    req: Request,
) -> Response {
    let notes = req
        .extensions()
        .get::<ExchangeNotes>()
        .cloned()
        .unwrap_or_default();
    let base = super::request_base(&platform, req.headers());
    let fields = lti_core::http::read_params(req).await;
    let step = "deep_linking_return";
    let loaded = {
        let id = id.clone();
        platform
            .store()
            .read(move |c| {
                let Some(l) = db::launch(c, &id)? else {
                    return Ok(None);
                };
                let tool = db::tool(c, &l.tool_id)?;
                Ok(tool.map(|t| (l, t)))
            })
            .await
            .ok()
            .flatten()
    };
    let Some((launch, tool)) = loaded.filter(|(l, _)| l.message_type == message::DEEP_LINKING)
    else {
        let mut report = Report::new();
        report.push(Finding::fail(
            "dl.response.once",
            "The return URL names no deep linking request of this platform.",
        ));
        let flow = flow_messages::new_flow(
            "deep_linking",
            "Deep linking response for no known request".into(),
        );
        let msg = flow_messages::with_params(
            flow_messages::message("dl_response", step, report),
            &fields,
        );
        flow_messages::save(
            &notes,
            Flow::New(flow),
            step,
            vec![msg],
            flow_messages::summary(&[]),
            None,
        );
        return html_pages::info(
            StatusCode::NOT_FOUND,
            "Unknown deep linking request",
            "This return URL is not one the emulator handed out.",
            &[],
            "",
        );
    };
    let flow = Flow::Existing(launch.flow_id.clone());
    let mut report = Report::new();
    let Some(raw) = validate::param(&fields, "JWT").map(str::to_string) else {
        report.push(
            Finding::fail("dl.response.jwt", "The form has no JWT field.").actual(
                fields
                    .iter()
                    .map(|(k, _)| k.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        );
        let msg = flow_messages::with_params(
            flow_messages::message("dl_response", step, report),
            &fields,
        );
        flow_messages::save(&notes, flow, step, vec![msg], Map::new(), None);
        return html_pages::info(
            StatusCode::BAD_REQUEST,
            "Deep linking response refused",
            "The tool's form has no JWT field.",
            &[],
            "",
        );
    };
    report.push(Finding::pass("dl.response.jwt", "The form carries a JWT."));

    let kid = Jws::parse(&raw)
        .ok()
        .and_then(|j| j.kid().map(str::to_string));
    let keys = tool_keys::resolve(platform.core(), &tool, &launch.flow_id, kid.as_deref()).await;
    let ctx = IdTokenContext {
        now: lti_core::clock::now_secs(),
        policy: Default::default(),
        registration: Some(RegistrationView {
            issuer: base.clone(),
            client_id: tool.client_id.clone(),
            deployment_ids: Some(vec![launch.deployment_id.clone()]),
            trusted_audiences: None,
            redirect_uris: None,
        }),
        jwks: keys.as_deref().ok(),
        expected_nonce: None,
        nonce_seen_before: None,
        login: None,
        state: None,
        dl_request_data: launch.dl_data.clone(),
        ..Default::default()
    };
    let checked = validate::id_token(&raw, &ctx);
    report.extend(checked.report.clone());
    if let Err(problem) = &keys {
        report.push(
            Finding::fail(
                "jwt.signature",
                format!("The tool's key is not available: {problem}."),
            )
            .path("signature"),
        );
    }
    let payload = checked
        .jwt
        .as_ref()
        .map(|j| j.payload.clone())
        .unwrap_or_default();
    let settings = launch.dl_settings.clone().unwrap_or_else(|| {
        super::launch::DlOptions::default()
            .settings("", launch.dl_data.as_deref())
            .unwrap_or_default()
    });
    let (items, _, findings) =
        lti_protocol::deep_linking::response_findings(&payload, Some(&settings));
    report.findings.extend(findings);
    let first_return = {
        let id = launch.id.clone();
        platform
            .store()
            .write(move |tx| db::return_launch(tx, &id))
            .await
            .unwrap_or(false)
    };
    if first_return {
        report.push(Finding::pass(
            "dl.response.once",
            "The first response to this request.",
        ));
    } else {
        report.push(Finding::fail(
            "dl.response.once",
            "This deep linking request was already answered (back button or replay).",
        ));
    }
    // Like an LMS, accept only a response that is valid (and verified).
    let accepted = !report.findings.iter().any(|f| f.is_failed_error())
        && checked.signature.as_ref().is_some_and(|s| s.is_verified());
    let msg = flow_messages::with_raw(
        flow_messages::message("dl_response", step, report.clone()),
        &raw,
        checked.message_type.clone(),
    );
    let mut summary = flow_messages::summary(&[("tool", &tool.name)]);
    summary.insert("items".into(), Value::from(items.len().to_string()));
    if !accepted {
        flow_messages::save(&notes, flow, step, vec![msg], summary, None);
        let problems: String = report
            .failures()
            .iter()
            .filter(|f| f.is_failed_error())
            .map(|f| {
                format!(
                    "<li><code>{}</code> {}</li>",
                    escape(&f.rule_id),
                    escape(&f.message)
                )
            })
            .collect();
        let preview: Vec<dl_preview::PreviewItem> = items
            .into_iter()
            .map(|item| dl_preview::PreviewItem {
                item,
                stored_id: None,
                resource_link_id: None,
                column: None,
            })
            .collect();
        return dl_preview::page(
            StatusCode::BAD_REQUEST,
            "Deep linking response refused",
            &format!(
                "<p>The emulator, like an LMS, adds nothing from an invalid response. What was wrong:</p><ul id=\"refusal\">{problems}</ul>{}\
                 <h2>What the tool returned ({} item(s)), as it would have been placed</h2>",
                dl_preview::app_link(&platform, &format!("flows/{}", launch.flow_id), "this response's flow"),
                preview.len()
            ),
            &dl_preview::render(&preview, Some(&settings), &launch.course_id),
        );
    }
    let added = store_items(&platform, &launch, &tool, &items).await;
    // Where the flow view links to: the course's content, these items placed in it.
    summary.insert(
        "dl_preview".into(),
        Value::from(format!(
            "{}{}",
            super::base_url(&platform),
            dl_preview::course_content_path(&launch.course_id)
        )),
    );
    flow_messages::save(&notes, flow, step, vec![msg], summary, None);
    match added {
        Ok(rows) => added_page(
            &payload,
            rows,
            &settings,
            &launch.course_id,
            &dl_preview::app_link(
                &platform,
                &format!("flows/{}", launch.flow_id),
                "this response's flow",
            ),
        ),
        Err(e) => lti_core::html::error_page(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Store error",
            &e.to_string(),
        ),
    }
}

/// The platform's own checks on the response: its message type, then every item against the
/// settings the request offered (one finding per `dl.item.*` rule). Items are kept whatever
/// they hold (a non-object is kept too): the preview shows each with its problems.
/// One stored item: its type, title and what was created for it.
struct Added {
    item: Value,
    stored_id: i64,
    resource_link_id: Option<String>,
    column: Option<(String, f64)>,
}

async fn store_items(
    platform: &PlatformSide,
    launch: &Launch,
    tool: &EmulatorTool,
    items: &[Value],
) -> lti_core::Result<Vec<Added>> {
    let now = lti_core::clock::now_ms();
    let mut links = Vec::new();
    let mut rows = Vec::new();
    for item in items {
        let t = item
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let s = |k: &str| item.get(k).and_then(Value::as_str).map(str::to_string);
        let title = s("title")
            .or_else(|| s("url"))
            .unwrap_or_else(|| format!("Untitled {t}"));
        let (mut link, mut line) = (None, None);
        if t == "ltiResourceLink" {
            let custom = item
                .get("custom")
                .and_then(Value::as_object)
                .map(|m| {
                    m.iter()
                        .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
                        .collect()
                })
                .unwrap_or_default();
            let l = ResourceLink {
                id: format!("rl-{}", lti_core::ids::sortable_id()),
                course_id: launch.course_id.clone(),
                tool_id: tool.id.clone(),
                title: title.clone(),
                description: s("text"),
                url: s("url"),
                custom,
                source: "deep_linking".into(),
                created_at: now,
            };
            line = item.get("lineItem").map(|li| LineItem {
                id: lti_core::ids::sortable_id(),
                course_id: launch.course_id.clone(),
                tool_id: tool.id.clone(),
                resource_link_id: Some(l.id.clone()),
                label: li
                    .get("label")
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .unwrap_or_else(|| title.clone()),
                score_maximum: li
                    .get("scoreMaximum")
                    .and_then(Value::as_f64)
                    .unwrap_or(1.0),
                resource_id: li
                    .get("resourceId")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                tag: li.get("tag").and_then(Value::as_str).map(str::to_string),
                start_date_time: item
                    .get("submission")
                    .and_then(|x| x.get("startDateTime"))
                    .and_then(Value::as_str)
                    .map(str::to_string),
                end_date_time: item
                    .get("submission")
                    .and_then(|x| x.get("endDateTime"))
                    .and_then(Value::as_str)
                    .map(str::to_string),
                grades_released: li.get("gradesReleased").and_then(Value::as_bool),
                created_at: now,
                updated_at: now,
            });
            link = Some(l);
        }
        rows.push((
            item.clone(),
            link.as_ref().map(|l| l.id.clone()),
            line.as_ref().map(|i| (i.label.clone(), i.score_maximum)),
        ));
        links.push((t, item.to_string(), link, line));
    }
    let (course, tool_id, launch_id, flow_id) = (
        launch.course_id.clone(),
        tool.id.clone(),
        launch.id.clone(),
        launch.flow_id.clone(),
    );
    let ids = platform
        .core()
        .write_model(ModelKind::ContentItem, Some(launch.id.clone()), move |tx| {
            let mut ids = Vec::with_capacity(links.len());
            for (t, json, link, line) in &links {
                if let Some(l) = link {
                    db::insert_resource_link(tx, l)?;
                }
                if let Some(i) = line {
                    db::upsert_line_item(tx, i)?;
                }
                tx.execute(
                    "INSERT INTO emu_content_items(course_id, tool_id, launch_id, item_type, item_json, resource_link_id, line_item_id, flow_id, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                    rusqlite::params![
                        course,
                        tool_id,
                        launch_id,
                        t,
                        json,
                        link.as_ref().map(|l| l.id.clone()),
                        line.as_ref().map(|i| i.id.clone()),
                        flow_id,
                        lti_core::clock::now_ms()
                    ],
                )?;
                ids.push(tx.last_insert_rowid());
            }
            Ok(ids)
        })
        .await?;
    Ok(rows
        .into_iter()
        .zip(ids)
        .map(|((item, resource_link_id, column), stored_id)| Added {
            item,
            stored_id,
            resource_link_id,
            column,
        })
        .collect())
}

fn added_page(
    payload: &Map<String, Value>,
    rows: Vec<Added>,
    settings: &DlSettings,
    course_id: &str,
    app_link: &str,
) -> Response {
    let msg = |k: &str| {
        payload
            .get(&format!("{DL}{k}"))
            .and_then(Value::as_str)
            .map(escape)
    };
    let mut notes = String::new();
    if let Some(m) = msg("msg") {
        notes.push_str(&format!(
            "<p data-testid=\"dl-msg\">Message from the tool: {m}</p>"
        ));
    }
    if let Some(m) = msg("errormsg") {
        notes.push_str(&format!(
            "<p class=\"bad\" data-testid=\"dl-errormsg\">Error from the tool: {m}</p>"
        ));
    }
    let n = rows.len();
    let preview: Vec<dl_preview::PreviewItem> = rows
        .into_iter()
        .map(|a| dl_preview::PreviewItem {
            item: a.item,
            stored_id: Some(a.stored_id),
            resource_link_id: a.resource_link_id,
            column: a.column,
        })
        .collect();
    let fragment = if preview.is_empty() {
        "<p>The tool returned no items (the user selected nothing).</p>".to_string()
    } else {
        dl_preview::render(&preview, Some(settings), course_id)
    };
    dl_preview::page(
        StatusCode::OK,
        "Content added to the course",
        &format!(
            "<p id=\"accepted\">The emulator accepted the deep linking response: {n} item(s), placed as below. \
             <a href=\"{}\">All content of the course</a></p>{notes}{app_link}",
            escape(&dl_preview::course_content_path(course_id))
        ),
        &fragment,
    )
}
