//! Deep-linked content rendered as an LMS places it in a course module: link cards, images at
//! their size, `html` fragments and `embed` html in a sandboxed frame (no script, no same
//! origin, no navigation), files as downloads, ltiResourceLink items as launchable activities
//! with their gradebook column, unknown types as raw JSON — each with its findings beside it.
//!
//! The engine fetches nothing for a preview: images load in the viewer's browser, lazily and
//! with no referrer, so a URL that hangs or is huge never holds the page.

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use lti_protocol::deep_linking::items::{is_web_url, ItemKind};
use lti_protocol::deep_linking::{self, DlSettings};
use lti_protocol::finding::Severity;
use serde::Deserialize;
use serde_json::Value;

use super::{db, launch};
use crate::PlatformSide;
use lti_core::html::escape;

/// Items rendered on one page at most; the rest are counted.
pub const RENDER_CAP: usize = 500;

/// Where the course's deep-linked content is previewed.
pub fn course_content_path(course_id: &str) -> String {
    format!("/courses/{course_id}/content")
}

/// One item to render, with what the platform made of it.
pub struct PreviewItem {
    pub item: Value,
    /// Row id in `emu_content_items` (stored items only): what the launch button posts.
    pub stored_id: Option<i64>,
    pub resource_link_id: Option<String>,
    /// (label, scoreMaximum) of the gradebook column created for it.
    pub column: Option<(String, f64)>,
}

/// Frame content: the fragment under its own CSP (inherited from the page too), so neither
/// scripts nor remote loads other than images run even if the sandbox were lifted.
fn sandboxed_frame(html: &str, height: u32, test_id: &str) -> String {
    let doc = format!(
        "<!doctype html><meta charset=\"utf-8\"><meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src http: https:; style-src 'unsafe-inline'\">{html}"
    );
    format!(
        "<iframe class=\"frag\" data-testid=\"{test_id}\" sandbox=\"\" referrerpolicy=\"no-referrer\" style=\"height:{height}px\" srcdoc=\"{}\"></iframe>",
        escape(&doc)
    )
}

fn img(url: &str, w: Option<u64>, h: Option<u64>, class: &str) -> String {
    if !is_web_url(url) {
        return format!(
            "<span class=\"bad\">(not shown: {} is not an http(s) URL)</span>",
            escape(&clip(url, 80))
        );
    }
    let dim = |n: &str, v: Option<u64>| {
        v.map(|v| format!(" {n}=\"{}\"", v.min(4000)))
            .unwrap_or_default()
    };
    format!(
        "<img class=\"{class}\" src=\"{}\" alt=\"\" loading=\"lazy\" decoding=\"async\" referrerpolicy=\"no-referrer\"{}{}>",
        escape(url),
        dim("width", w),
        dim("height", h)
    )
}

fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(max).collect::<String>())
    }
}

fn findings_html(index: usize, item: &Value, settings: Option<&DlSettings>) -> String {
    let problems = deep_linking::check_item(index, item, settings);
    if problems.is_empty() {
        return "<p class=\"ok\" data-testid=\"item-ok\">✓ No problems.</p>".into();
    }
    let list: String = problems
        .iter()
        .map(|f| {
            let sev = if f.severity == Severity::Error { "error" } else { "warning" };
            format!(
                "<li data-rule=\"{rule}\"><span class=\"sev {sev}\">{sev}</span> <code>{rule}</code> {}</li>",
                escape(&f.message),
                rule = escape(&f.rule_id)
            )
        })
        .collect();
    format!("<ul class=\"findings\" data-testid=\"item-findings\">{list}</ul>")
}

/// The items as course content (an HTML fragment).
pub fn render(items: &[PreviewItem], settings: Option<&DlSettings>, course_id: &str) -> String {
    let mut out = String::from("<ol class=\"module\" data-testid=\"dl-preview\">");
    for (i, p) in items.iter().enumerate().take(RENDER_CAP) {
        let it = &p.item;
        let s = |k: &str| it.get(k).and_then(Value::as_str);
        let kind = ItemKind::of(it);
        let type_label = match &kind {
            ItemKind::Other(t) if t.is_empty() => "(no type)".to_string(),
            ItemKind::Other(t) => format!("unknown type {}", clip(t, 60)),
            _ => s("type").unwrap_or_default().to_string(),
        };
        let title = s("title")
            .map(|t| clip(t, 300))
            .unwrap_or_else(|| format!("Untitled {type_label}"));
        let text = s("text")
            .map(|t| format!("<p class=\"text\">{}</p>", escape(&clip(t, 2000))))
            .unwrap_or_default();
        let icon = it
            .get("icon")
            .and_then(|v| v.get("url"))
            .and_then(Value::as_str)
            .map(|u| img(u, Some(32), Some(32), "icon"))
            .unwrap_or_default();
        let thumb = it
            .get("thumbnail")
            .and_then(|v| v.get("url"))
            .and_then(Value::as_str)
            .map(|u| {
                let d = |k: &str| {
                    it.get("thumbnail")
                        .and_then(|t| t.get(k))
                        .and_then(Value::as_u64)
                };
                img(u, d("width"), d("height"), "thumb")
            })
            .unwrap_or_default();
        let url = s("url");
        let link = |label: &str| {
            match url {
            Some(u) if is_web_url(u) => format!(
                "<a href=\"{}\" target=\"_blank\" rel=\"noopener noreferrer\" data-testid=\"item-link\">{}</a>",
                escape(u),
                escape(label)
            ),
            Some(u) => format!("<span class=\"bad\">{} (not followed: {} is not an http(s) URL)</span>", escape(label), escape(&clip(u, 80))),
            None => String::new(),
        }
        };
        let body = match &kind {
            ItemKind::LtiResourceLink => {
                let column = p
                    .column
                    .as_ref()
                    .map(|(l, m)| format!("<p class=\"column\" data-testid=\"item-column\">Gradebook column “{}” · out of {m}</p>", escape(l)))
                    .unwrap_or_default();
                let launch = match (&p.stored_id, &p.resource_link_id) {
                    (Some(id), Some(_)) => format!(
                        "<form method=\"post\" action=\"{}/launch\"><input type=\"hidden\" name=\"item\" value=\"{id}\"><button type=\"submit\" data-testid=\"item-launch\">Launch activity</button></form>",
                        escape(&course_content_path(course_id))
                    ),
                    _ => "<p class=\"muted\">Launchable once the platform accepts the response.</p>".into(),
                };
                let custom = it
                    .get("custom")
                    .and_then(Value::as_object)
                    .filter(|m| !m.is_empty())
                    .map(|m| format!("<p class=\"muted\">custom: <code>{}</code></p>", escape(&clip(&Value::Object(m.clone()).to_string(), 300))))
                    .unwrap_or_default();
                format!("{column}{custom}{launch}")
            }
            ItemKind::Link => {
                let embed = it
                    .get("embed")
                    .and_then(|e| e.get("html"))
                    .and_then(Value::as_str)
                    .map(|h| sandboxed_frame(h, 240, "item-embed"))
                    .unwrap_or_default();
                format!("<p>{}</p>{embed}", link(url.unwrap_or("")))
            }
            ItemKind::Html => match s("html") {
                Some(h) => sandboxed_frame(h, 240, "item-html"),
                None => "<p class=\"bad\">No html.</p>".into(),
            },
            ItemKind::Image => match url {
                Some(u) => {
                    let d = |k: &str| it.get(k).and_then(Value::as_u64);
                    format!("<div class=\"image\">{}</div>", img(u, d("width"), d("height"), "picture"))
                }
                None => "<p class=\"bad\">No url.</p>".into(),
            },
            ItemKind::File => {
                let mt = s("mediaType").unwrap_or("(no media type)");
                let exp = s("expiresAt").map(|e| format!(" · link expires {}", escape(e))).unwrap_or_default();
                let dl = match url {
                    Some(u) if is_web_url(u) => format!(
                        "<a href=\"{}\" download rel=\"noopener noreferrer\" data-testid=\"item-download\">Download</a>",
                        escape(u)
                    ),
                    _ => link("Download"),
                };
                format!("<p>{dl} <span class=\"muted\">{}{exp}</span></p>", escape(mt))
            }
            ItemKind::Other(_) => format!(
                "<p class=\"muted\">Not a type this platform places; shown as received:</p><pre data-testid=\"item-raw\">{}</pre>",
                escape(&clip(&serde_json::to_string_pretty(it).unwrap_or_default(), 20_000))
            ),
        };
        out.push_str(&format!(
            "<li class=\"item\" data-testid=\"preview-item\" data-type=\"{ty}\"><div class=\"card\">{thumb}<div class=\"main\">\
             <h3>{icon}<span data-testid=\"item-title\">{title}</span> <small class=\"badge\">{ty}</small></h3>{text}{body}</div></div>\
             <div class=\"side\">{findings}</div></li>",
            ty = escape(&type_label),
            title = escape(&title),
            findings = findings_html(i, it, settings),
        ));
    }
    out.push_str("</ol>");
    if items.len() > RENDER_CAP {
        out.push_str(&format!("<p data-testid=\"preview-more\">… and {} more items, not rendered here (their findings are in the flow).</p>", items.len() - RENDER_CAP));
    }
    out
}

const STYLE: &str = "<style>.module{list-style:none;padding:0;max-width:1100px}.item{display:flex;gap:1.5em;border:1px solid #d0d7de;border-radius:8px;padding:1em;margin:.8em 0}\
.card{display:flex;gap:1em;flex:1;min-width:0}.main{min-width:0;flex:1}.side{width:22em;font-size:.9em}h3{margin:.1em 0 .4em;font-size:1.05rem}\
.icon{vertical-align:middle;margin-right:.4em;width:32px;height:32px;object-fit:contain}.thumb{max-width:120px;max-height:120px;object-fit:cover}\
.picture{max-width:100%;height:auto;border:1px solid #d0d7de}.frag{width:100%;border:1px dashed #8c959f;background:#fff}\
.badge{font-weight:400;color:#656d76;border:1px solid #d0d7de;border-radius:1em;padding:0 .5em}.muted{color:#656d76}.bad{color:#cf222e}.ok{color:#1a7f37}\
.findings{padding-left:1.1em}.sev{font-size:.8em;font-weight:600;text-transform:uppercase}.error{color:#cf222e}.warning{color:#9a6700}\
pre{white-space:pre-wrap;word-break:break-all;max-height:20em;overflow:auto;background:#f6f8fa;padding:.5em}.text{white-space:pre-wrap}</style>";

/// A preview page: the shared page skeleton, with a CSP that also allows images from http(s)
/// and keeps every frame at about:srcdoc (no frame may navigate anywhere).
/// The app link of an emulator page.
pub fn app_link(platform: &PlatformSide, route: &str, what: &str) -> String {
    lti_core::html::app_link(platform.config().ui_url.as_deref(), route, what, route)
}

pub fn page(status: StatusCode, title: &str, lead_html: &str, fragment: &str) -> Response {
    let body = format!(
        "{STYLE}<h1>{}</h1>{lead_html}{fragment}<p><small>LTI Inspector · platform emulator · deep linking preview</small></p>",
        escape(title)
    );
    let html = lti_core::html::page(title, &body).replacen(
        "default-src 'none'; style-src 'unsafe-inline'; form-action *",
        "default-src 'none'; style-src 'unsafe-inline'; img-src http: https:; frame-src 'none'; form-action 'self'; base-uri 'none'",
        1,
    );
    let mut res = (status, Html(html)).into_response();
    res.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; img-src http: https:; frame-src 'none'; form-action 'self'; base-uri 'none'; frame-ancestors *"),
    );
    res
}

/// `GET /courses/{course}/content`: every deep-linked item of the course, as placed.
pub async fn course_content(
    State(platform): State<PlatformSide>,
    Path(course_id): Path<String>,
) -> Response {
    let cid = course_id.clone();
    let loaded = platform
        .store()
        .read(move |c| {
            let course = db::course(c, &cid)?;
            let items = db::content_items(c, &cid)?;
            let columns = db::line_items(c, &cid, &Default::default())?;
            Ok((course, items, columns))
        })
        .await;
    let (course, items, columns) = match loaded {
        Ok((Some(course), items, columns)) => (course, items, columns),
        Ok((None, ..)) => {
            return lti_core::html::error_page(
                StatusCode::NOT_FOUND,
                "No such course",
                "The emulator has no course with that id.",
            )
        }
        Err(e) => {
            return lti_core::html::error_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Store error",
                &e.to_string(),
            )
        }
    };
    let preview: Vec<PreviewItem> = items
        .into_iter()
        .map(|ci| PreviewItem {
            column: ci
                .line_item_id
                .as_ref()
                .and_then(|id| columns.iter().find(|l| &l.id == id))
                .map(|l| (l.label.clone(), l.score_maximum)),
            stored_id: Some(ci.id),
            resource_link_id: ci.resource_link_id,
            item: ci.item,
        })
        .collect();
    let lead = format!(
        "<p>{} item(s) returned by tools through deep linking, in the order they were added, as an LMS would place them in a module of <b>{}</b>.</p>{}",
        preview.len(),
        escape(&course.title),
        app_link(&platform, &format!("emulator/gradebook/{course_id}"), "this course's gradebook")
    );
    let fragment = if preview.is_empty() {
        "<p>Nothing yet: start a deep linking launch from the emulator's Launch view and pick content in the tool.</p>".to_string()
    } else {
        render(&preview, None, &course_id)
    };
    page(
        StatusCode::OK,
        &format!("Course content — {}", course.title),
        &lead,
        &fragment,
    )
}

#[derive(Deserialize)]
pub struct LaunchItem {
    item: i64,
}

/// `POST /courses/{course}/content/launch`: launches a stored ltiResourceLink item's resource
/// link as the user who added it, like clicking the activity in a course.
pub async fn launch_item(
    State(platform): State<PlatformSide>,
    Path(course_id): Path<String>,
    Form(form): Form<LaunchItem>,
) -> Response {
    let cid = course_id.clone();
    let found = platform
        .store()
        .read(move |c| {
            let item = db::content_items(c, &cid)?.into_iter().find(|i| i.id == form.item);
            let Some(item) = item else { return Ok(None) };
            let by: Option<String> = c
                .query_row("SELECT l.user_id FROM emu_content_items i JOIN emu_launches l ON l.id = i.launch_id WHERE i.id = ?1", [item.id], |r| r.get(0))
                .ok();
            Ok(Some((item, by)))
        })
        .await;
    let Ok(Some((item, Some(user_id)))) = found else {
        return lti_core::html::error_page(StatusCode::NOT_FOUND, "No such activity", "This course has no launchable item with that id (or the launch that added it was deleted).");
    };
    let Some(link) = item.resource_link_id.clone() else {
        return lti_core::html::error_page(
            StatusCode::BAD_REQUEST,
            "Not launchable",
            "Only ltiResourceLink items are launched.",
        );
    };
    let args = launch::LaunchArgs {
        tool_id: item.tool_id.clone(),
        user_id,
        course_id: Some(course_id),
        resource_link_id: Some(link),
        ..Default::default()
    };
    match launch::create(&platform, args).await {
        Ok(l) => Redirect::to(&l.url).into_response(),
        Err(e) => lti_core::html::error_page(
            StatusCode::BAD_REQUEST,
            "The activity could not be launched",
            &e.to_string(),
        ),
    }
}
