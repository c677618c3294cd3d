//! The page an LMS shows in its frame after an LTI 1.1 launch: the verdict, who launched from
//! where, the top findings, the signature base string, and — for a refused launch with a return
//! URL — the way back to the LMS with `lti_errormsg`. Every value escaped.

use lti_protocol::finding::Verdict;
use lti_protocol::validate::param;

use crate::capture::landing::{flow_link, top_findings, verdict_label, STYLE};
use lti_core::html::{escape, page as html_page};
use lti_core::messages::StoredMessage;

pub fn page(
    all: &[(String, String)],
    msg: &StoredMessage,
    flow_id: &str,
    ui_url: Option<&str>,
) -> String {
    let (class, label) = verdict_label(msg.verdict);
    let p = |k: &str| param(all, k).filter(|v| !v.is_empty()).unwrap_or("(none)");
    let rows = [
        ("Message type", p("lti_message_type")),
        ("Consumer key", p("oauth_consumer_key")),
        ("Consumer", p("tool_consumer_instance_name")),
        (
            "User",
            param(all, "lis_person_name_full")
                .filter(|v| !v.is_empty())
                .unwrap_or(p("user_id")),
        ),
        ("Roles", p("roles")),
        (
            "Context",
            param(all, "context_title")
                .filter(|v| !v.is_empty())
                .unwrap_or(p("context_id")),
        ),
        (
            "Resource link",
            param(all, "resource_link_title")
                .filter(|v| !v.is_empty())
                .unwrap_or(p("resource_link_id")),
        ),
        ("Outcome service", p("lis_outcome_service_url")),
    ];
    let table: String = rows
        .iter()
        .map(|(k, v)| format!("<tr><td>{}</td><td>{}</td></tr>", escape(k), escape(v)))
        .collect();
    let base = msg
        .report
        .get("lti11.base_string")
        .and_then(|f| f.actual.clone())
        .map(|b| {
            format!(
                "<details><summary>Signature base string (what the signature covers)</summary><pre data-testid=\"base-string\" style=\"white-space:pre-wrap;word-break:break-all\">{}</pre></details>",
                escape(&b)
            )
        })
        .unwrap_or_default();
    let back = match (msg.verdict, param(all, "launch_presentation_return_url")) {
        (Verdict::Invalid, Some(ret))
            if ret.starts_with("http://") || ret.starts_with("https://") =>
        {
            let first = msg
                .report
                .failures()
                .first()
                .map(|f| {
                    format!(
                        "LTI Inspector refused this launch: {} ({})",
                        f.message, f.rule_id
                    )
                })
                .unwrap_or_default();
            let sep = if ret.contains('?') { '&' } else { '?' };
            let href = format!(
                "{ret}{sep}lti_errormsg={}",
                url::form_urlencoded::byte_serialize(first.as_bytes()).collect::<String>()
            );
            format!(
                "<p><a data-testid=\"return-to-lms\" href=\"{}\" target=\"_top\">Return to the LMS with this error</a> (launch_presentation_return_url with lti_errormsg)</p>",
                escape(&href)
            )
        }
        _ => String::new(),
    };
    let counts = msg.counts;
    let body = format!(
        "{STYLE}<h1>LTI Inspector captured this LTI 1.1 launch</h1><p><span id=\"verdict\" class=\"v {class}\">{label}</span> \
         {} errors · {} warnings · {} checks passed</p><table>{table}</table><h2>Top findings</h2>{}{base}{back}{}",
        counts.errors,
        counts.warnings,
        counts.passed,
        top_findings(&msg.report),
        flow_link(flow_id, ui_url),
    );
    html_page("LTI Inspector — LTI 1.1 launch captured", &body)
}
