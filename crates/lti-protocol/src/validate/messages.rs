//! Message-type specific claims — Deep Linking request and response (`dl.*`), Submission Review
//! (`sr.*`), Proctoring (`ap.*`) — the AGS/NRPS service claims, and platform hints (`hint.*`).

use serde_json::{Map, Value};

use super::{is_absolute_url, show, uri, IdTokenContext};
use crate::finding::{Finding, Report, Severity};
use crate::lms::{self, LmsProfile};

pub(super) fn check(
    p: &Map<String, Value>,
    ctx: &IdTokenContext<'_>,
    message_type: &str,
    profile: Option<&LmsProfile>,
    report: &mut Report,
) {
    match message_type {
        "LtiDeepLinkingRequest" => check_dl_request(p, report),
        "LtiDeepLinkingResponse" => check_dl_response(p, ctx, report),
        "LtiSubmissionReviewRequest" => check_submission_review(p, report),
        "LtiStartProctoring" | "LtiStartAssessment" => check_proctoring(p, message_type, report),
        _ => {}
    }
    check_ags(p, report);
    check_nrps(p, report);
    check_hints(p, profile, report);
}

fn check_dl_request(p: &Map<String, Value>, report: &mut Report) {
    let path = uri::DL_SETTINGS;
    let Some(v) = p.get(path) else {
        report.push(
            Finding::fail(
                "dl.settings",
                "LtiDeepLinkingRequest requires deep_linking_settings.",
            )
            .path(path)
            .actual("(missing)"),
        );
        return;
    };
    let Some(s) = v.as_object() else {
        report.push(
            Finding::fail("dl.settings", "deep_linking_settings must be an object.")
                .path(path)
                .actual(show(v)),
        );
        return;
    };
    report.push(Finding::pass("dl.settings", "Present.").path(path));
    let sub = |m: &str| format!("{path}.{m}");

    match s.get("deep_link_return_url") {
        Some(Value::String(u)) if is_absolute_url(u) => {
            report.push(Finding::pass("dl.deep_link_return_url", "Absolute URL.").path(sub("deep_link_return_url")).actual(u))
        }
        Some(Value::String(u)) => report.push(
            Finding::fail("dl.deep_link_return_url", "deep_link_return_url is not an absolute URL: a tool cannot POST its response to it.")
                .severity(Severity::Warning)
                .path(sub("deep_link_return_url"))
                .expected("https://…")
                .actual(u),
        ),
        Some(v) => report.push(
            Finding::fail("dl.deep_link_return_url", "deep_link_return_url must be a URL string.")
                .path(sub("deep_link_return_url"))
                .expected("https://…")
                .actual(show(v)),
        ),
        None => report.push(Finding::fail("dl.deep_link_return_url", "deep_link_return_url is missing.").path(sub("deep_link_return_url")).actual("(missing)")),
    }
    const TYPES: &[&str] = &["link", "file", "html", "ltiResourceLink", "image"];
    match s.get("accept_types") {
        Some(Value::Array(a)) if !a.is_empty() && a.iter().all(Value::is_string) => {
            let others: Vec<String> = a
                .iter()
                .filter_map(Value::as_str)
                .filter(|t| !TYPES.contains(t))
                .map(str::to_string)
                .collect();
            let note = if others.is_empty() {
                String::new()
            } else {
                format!(" Extension types: {}.", others.join(", "))
            };
            report.push(
                Finding::pass(
                    "dl.accept_types",
                    format!(
                        "{}.{note}",
                        a.iter().map(show).collect::<Vec<_>>().join(", ")
                    ),
                )
                .path(sub("accept_types")),
            )
        }
        other => report.push(
            Finding::fail(
                "dl.accept_types",
                "accept_types is required: a non-empty array of content item types.",
            )
            .path(sub("accept_types"))
            .expected("e.g. [\"ltiResourceLink\", \"link\"]")
            .actual(other.map(show).unwrap_or_else(|| "(missing)".into())),
        ),
    }
    match s.get("accept_presentation_document_targets") {
        Some(Value::Array(a)) if !a.is_empty() && a.iter().all(|t| matches!(t.as_str(), Some("iframe" | "window" | "embed"))) => {
            report.push(Finding::pass("dl.accept_presentation_document_targets", "Well-formed.").path(sub("accept_presentation_document_targets")))
        }
        Some(Value::Array(a)) if !a.is_empty() && a.iter().all(Value::is_string) => report.push(
            Finding::fail("dl.accept_presentation_document_targets", "Unknown targets: expected iframe, window or embed.")
                .severity(Severity::Warning)
                .path(sub("accept_presentation_document_targets"))
                .actual(show(&Value::Array(a.clone()))),
        ),
        other => report.push(
            Finding::fail("dl.accept_presentation_document_targets", "accept_presentation_document_targets is required: a non-empty array of iframe, window, embed.")
                .path(sub("accept_presentation_document_targets"))
                .actual(other.map(show).unwrap_or_else(|| "(missing)".into())),
        ),
    }
    let mut problems = Vec::new();
    if s.get("accept_media_types").is_some_and(|v| !v.is_string()) {
        problems.push("accept_media_types is not a comma-separated string");
    }
    for b in [
        "accept_multiple",
        "accept_lineitem",
        "auto_create",
        "accept_copy_advice",
    ] {
        if s.get(b).is_some_and(|v| !v.is_boolean()) {
            problems.push(match b {
                "accept_multiple" => "accept_multiple is not a boolean",
                "accept_lineitem" => "accept_lineitem is not a boolean",
                "auto_create" => "auto_create is not a boolean",
                _ => "accept_copy_advice is not a boolean",
            });
        }
    }
    for t in ["title", "text"] {
        if s.get(t).is_some_and(|v| !v.is_string()) {
            problems.push(if t == "title" {
                "title is not a string"
            } else {
                "text is not a string"
            });
        }
    }
    if problems.is_empty() {
        report.push(
            Finding::pass("dl.settings_options", "Optional settings are well-typed.").path(path),
        );
    } else {
        report.push(
            Finding::fail("dl.settings_options", format!("{}.", problems.join("; "))).path(path),
        );
    }
    match s.get("data") {
        Some(d) => report.push(
            Finding::pass("dl.data", "data is present: the response MUST echo it unaltered in https://purl.imsglobal.org/spec/lti-dl/claim/data.")
                .path(sub("data"))
                .actual(show(d)),
        ),
        None => report.push(Finding::skipped("dl.data", "No data to echo.").path(sub("data"))),
    }
}

fn check_dl_response(p: &Map<String, Value>, ctx: &IdTokenContext<'_>, report: &mut Report) {
    let path = uri::DL_CONTENT_ITEMS;
    match p.get(path) {
        None => report.push(
            Finding::pass(
                "dl.content_items",
                "No content_items: the user selected nothing (allowed).",
            )
            .path(path),
        ),
        Some(Value::Array(items)) => {
            let mut problems = Vec::new();
            for (i, item) in items.iter().enumerate() {
                let Some(obj) = item.as_object() else {
                    problems.push(format!("item {i} is not an object"));
                    continue;
                };
                // Every URL an item carries must be http(s): a platform renders them as links,
                // images and iframes, so `javascript:` or `data:` would be script injection.
                for (name, value) in [
                    ("url", obj.get("url")),
                    ("icon.url", obj.get("icon").and_then(|v| v.get("url"))),
                    (
                        "thumbnail.url",
                        obj.get("thumbnail").and_then(|v| v.get("url")),
                    ),
                ] {
                    if let Some(Value::String(u)) = value {
                        let scheme_ok = url::Url::parse(u)
                            .map(|p| p.scheme() == "https" || p.scheme() == "http")
                            .unwrap_or(false);
                        if !scheme_ok {
                            problems.push(format!(
                                "item {i} {name} {u:?} is not an absolute http(s) URL"
                            ));
                        }
                    }
                }
                match obj.get("type").and_then(Value::as_str) {
                    None => problems.push(format!("item {i} has no type")),
                    Some(t @ ("link" | "file" | "image"))
                        if !obj.get("url").is_some_and(Value::is_string) =>
                    {
                        problems.push(format!("item {i} ({t}) has no url"))
                    }
                    Some("html") if !obj.get("html").is_some_and(Value::is_string) => {
                        problems.push(format!("item {i} (html) has no html"))
                    }
                    Some("ltiResourceLink" | "link" | "file" | "image" | "html") => {}
                    Some(t) if is_absolute_url(t) => {}
                    Some(t) => problems.push(format!("item {i} has unknown type {t:?}")),
                }
            }
            if problems.is_empty() {
                report.push(
                    Finding::pass(
                        "dl.content_items",
                        format!("{} well-formed items.", items.len()),
                    )
                    .path(path),
                );
            } else {
                report.push(
                    Finding::fail("dl.content_items", format!("{}.", problems.join("; ")))
                        .path(path),
                );
            }
        }
        Some(other) => report.push(
            Finding::fail("dl.content_items", "content_items must be an array.")
                .path(path)
                .actual(show(other)),
        ),
    }
    let got = p.get(uri::DL_DATA).map(show);
    match (&ctx.dl_request_data, got) {
        (None, _) => report.push(
            Finding::skipped("dl.response_data", "The request's data is not known.")
                .path(uri::DL_DATA),
        ),
        (Some(exp), Some(got)) if *exp == got => report
            .push(Finding::pass("dl.response_data", "data echoed unaltered.").path(uri::DL_DATA)),
        (Some(exp), got) => report.push(
            Finding::fail(
                "dl.response_data",
                "The response does not echo the request's data unaltered.",
            )
            .path(uri::DL_DATA)
            .expected(exp)
            .actual(got.unwrap_or_else(|| "(missing)".into())),
        ),
    }
    let names = ["msg", "log", "errormsg", "errorlog"];
    let bad: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| {
            p.get(&format!("{}{n}", uri::DL_PREFIX))
                .is_some_and(|v| !v.is_string())
        })
        .collect();
    if bad.is_empty() {
        report.push(Finding::pass(
            "dl.response_messages",
            "Messages, if any, are strings.",
        ));
    } else {
        report.push(Finding::fail(
            "dl.response_messages",
            format!("Not strings: {}.", bad.join(", ")),
        ));
    }
}

fn check_submission_review(p: &Map<String, Value>, report: &mut Report) {
    match p.get(uri::FOR_USER) {
        Some(Value::Object(u)) if u.get("user_id").is_some_and(Value::is_string) => report
            .push(Finding::pass("sr.for_user", "for_user.user_id present.").path(uri::FOR_USER)),
        other => report.push(
            Finding::fail(
                "sr.for_user",
                "LtiSubmissionReviewRequest requires for_user with a user_id.",
            )
            .path(uri::FOR_USER)
            .actual(other.map(show).unwrap_or_else(|| "(missing)".into())),
        ),
    }
    let lineitem = p
        .get(uri::AGS)
        .and_then(|a| a.get("lineitem"))
        .and_then(Value::as_str);
    match lineitem {
        Some(l) if is_absolute_url(l) => report.push(
            Finding::pass("sr.ags_lineitem", "The reviewed line item is named.")
                .path(format!("{}.lineitem", uri::AGS)),
        ),
        other => report.push(
            Finding::fail(
                "sr.ags_lineitem",
                "Submission review needs the AGS claim with the reviewed lineitem URL.",
            )
            .path(format!("{}.lineitem", uri::AGS))
            .actual(other.unwrap_or("(missing)")),
        ),
    }
}

fn check_proctoring(p: &Map<String, Value>, message_type: &str, report: &mut Report) {
    match p.get(uri::AP_ATTEMPT) {
        Some(v) if v.is_u64() => report.push(
            Finding::pass("ap.attempt_number", format!("Attempt {v}.")).path(uri::AP_ATTEMPT),
        ),
        other => report.push(
            Finding::fail(
                "ap.attempt_number",
                format!("{message_type} requires attempt_number (an integer)."),
            )
            .path(uri::AP_ATTEMPT)
            .actual(other.map(show).unwrap_or_else(|| "(missing)".into())),
        ),
    }
    if message_type == "LtiStartProctoring" {
        match p.get(uri::AP_START_URL).and_then(Value::as_str) {
            Some(u) if is_absolute_url(u) => report.push(
                Finding::pass("ap.start_assessment_url", "Absolute URL.").path(uri::AP_START_URL),
            ),
            other => report.push(
                Finding::fail(
                    "ap.start_assessment_url",
                    "LtiStartProctoring requires start_assessment_url (absolute URL).",
                )
                .path(uri::AP_START_URL)
                .actual(other.unwrap_or("(missing)")),
            ),
        }
    }
}

fn check_ags(p: &Map<String, Value>, report: &mut Report) {
    let path = uri::AGS;
    let Some(v) = p.get(path) else {
        report.push(
            Finding::skipped(
                "ags.endpoint",
                "No AGS claim: the platform offers no grade service for this launch.",
            )
            .path(path),
        );
        return;
    };
    let Some(obj) = v.as_object() else {
        report.push(
            Finding::fail("ags.endpoint", "The AGS claim must be an object.")
                .path(path)
                .actual(show(v)),
        );
        return;
    };
    let mut problems = Vec::new();
    match obj.get("scope") {
        Some(Value::Array(s)) if !s.is_empty() && s.iter().all(Value::is_string) => {
            if !s
                .iter()
                .filter_map(Value::as_str)
                .any(|x| crate::vocab::scope::AGS.contains(&x))
            {
                problems.push("scope lists no AGS scope".to_string());
            }
        }
        Some(Value::Array(s)) if s.is_empty() => problems.push("scope is empty".into()),
        Some(other) => problems.push(format!(
            "scope must be an array of scope strings, got {}",
            show(other)
        )),
        None => problems.push("scope is missing".into()),
    }
    for m in ["lineitems", "lineitem"] {
        match obj.get(m) {
            None => {}
            Some(Value::String(u)) if u.is_empty() => {
                problems.push(format!("{m} is an empty string (omit it instead)"))
            }
            Some(Value::String(u)) if !is_absolute_url(u) => {
                problems.push(format!("{m} is not an absolute URL"))
            }
            Some(Value::String(_)) => {}
            Some(other) => problems.push(format!("{m} must be a URL string, got {}", show(other))),
        }
    }
    if !obj.contains_key("lineitems") && !obj.contains_key("lineitem") {
        problems.push("neither lineitems nor lineitem is given".into());
    }
    if problems.is_empty() {
        report.push(Finding::pass("ags.endpoint", "Well-formed.").path(path));
    } else {
        report.push(
            Finding::fail("ags.endpoint", format!("{}.", problems.join("; ")))
                .path(path)
                .actual(show(v)),
        );
    }
}

fn check_nrps(p: &Map<String, Value>, report: &mut Report) {
    let path = uri::NRPS;
    let Some(v) = p.get(path) else {
        report.push(
            Finding::skipped(
                "nrps.endpoint",
                "No NRPS claim: the platform offers no roster service for this launch.",
            )
            .path(path),
        );
        return;
    };
    let Some(obj) = v.as_object() else {
        report.push(
            Finding::fail("nrps.endpoint", "The NRPS claim must be an object.")
                .path(path)
                .actual(show(v)),
        );
        return;
    };
    let mut problems = Vec::new();
    match obj.get("context_memberships_url").and_then(Value::as_str) {
        Some(u) if is_absolute_url(u) => {}
        _ => problems.push("context_memberships_url must be an absolute URL".to_string()),
    }
    match obj.get("service_versions") {
        Some(Value::Array(vs)) if vs.iter().any(|x| x.as_str() == Some("2.0")) => {}
        Some(other) => problems.push(format!(
            "service_versions should list \"2.0\", got {}",
            show(other)
        )),
        None => problems.push("service_versions is missing".into()),
    }
    if problems.is_empty() {
        report.push(Finding::pass("nrps.endpoint", "Well-formed.").path(path));
    } else {
        report.push(
            Finding::fail("nrps.endpoint", format!("{}.", problems.join("; ")))
                .path(path)
                .actual(show(v)),
        );
    }
}

fn check_hints(p: &Map<String, Value>, profile: Option<&LmsProfile>, report: &mut Report) {
    let Some(profile) = profile else { return };
    report.push(
        Finding::pass(
            "hint.lms_detected",
            format!(
                "{}. {}",
                profile.name,
                profile.notes.first().map(String::as_str).unwrap_or("")
            ),
        )
        .actual(&profile.id),
    );
    if lms::is_canvas(profile) {
        let iss = p.get("iss").and_then(Value::as_str).unwrap_or("");
        if profile.id == "canvas_self_hosted" {
            report.push(
                Finding::pass("hint.canvas_issuer", format!("Canvas with issuer {iss}: a self-hosted Canvas (Instructure-hosted Canvas always uses https://canvas.instructure.com, beta/test their own)."))
                    .path("iss")
                    .actual(iss),
            );
        }
    }
}
