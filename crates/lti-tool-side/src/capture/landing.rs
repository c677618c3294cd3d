//! The landing page an LMS shows in its frame after a launch: the verdict, who launched from
//! where, and the top findings — every value escaped, since claims are attacker-controlled.

use lti_protocol::finding::{Outcome, Report, Severity, Verdict};
use lti_protocol::validate::IdTokenReport;
use serde_json::Value;

use lti_core::html::{escape, page};
use lti_core::messages::StoredMessage;

pub(crate) const STYLE: &str = "<style>.v{display:inline-block;padding:.2em .7em;border-radius:1em;font-weight:600;color:#fff}\
.valid{background:#1a7f37}.invalid{background:#cf222e}.unverified{background:#9a6700}\
table{border-collapse:collapse;margin:.8em 0}td{padding:.25em .8em .25em 0;vertical-align:top}td:first-child{color:#656d76}\
li{margin:.3em 0}.sev{font-size:.8em;font-weight:600;text-transform:uppercase;margin-right:.4em}\
.error{color:#cf222e}.warning{color:#9a6700}.info{color:#0969da}</style>";

pub(crate) fn verdict_label(v: Verdict) -> (&'static str, &'static str) {
    match v {
        Verdict::Valid => ("valid", "Valid launch"),
        Verdict::Invalid => ("invalid", "Invalid launch"),
        Verdict::Unverified => ("unverified", "Unverified launch (signature not checked)"),
    }
}

pub(crate) fn top_findings(report: &Report) -> String {
    let mut failed: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.outcome == Outcome::Fail)
        .collect();
    failed.sort_by_key(|f| match f.severity {
        Severity::Error => 0,
        Severity::Warning => 1,
        _ => 2,
    });
    if failed.is_empty() {
        return "<p>Every check passed.</p>".into();
    }
    let items: String = failed
        .iter()
        .take(8)
        .map(|f| {
            let sev = match f.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                _ => "info",
            };
            format!(
                "<li><span class=\"sev {sev}\">{sev}</span><code>{}</code> {}</li>",
                escape(&f.rule_id),
                escape(&f.message)
            )
        })
        .collect();
    let more = if failed.len() > 8 {
        format!("<p>…and {} more in the inspector.</p>", failed.len() - 8)
    } else {
        String::new()
    };
    format!("<ul>{items}</ul>{more}")
}

pub(crate) fn flow_link(flow_id: &str, ui_url: Option<&str>) -> String {
    lti_core::html::app_link(
        ui_url,
        &format!("flows/{flow_id}"),
        "it",
        &format!("flow {flow_id}"),
    )
}

pub fn launch_page(
    token: &IdTokenReport,
    msg: &StoredMessage,
    flow_id: &str,
    ui_url: Option<&str>,
) -> String {
    let (class, label) = verdict_label(msg.verdict);
    let payload = token
        .jwt
        .as_ref()
        .map(|j| j.payload.clone())
        .unwrap_or_default();
    let s = |k: &str| payload.get(k).and_then(Value::as_str).map(str::to_string);
    let claim = |c: &str, m: &str| {
        payload
            .get(&format!("{}{c}", lti_protocol::vocab::claim::LTI_PREFIX))
            .and_then(|v| v.get(m))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let user = s("name")
        .or_else(|| s("email"))
        .or_else(|| s("sub").map(|x| format!("sub {x}")))
        .unwrap_or_else(|| "anonymous".into());
    let roles: Vec<String> = token.roles.iter().map(|r| r.name.clone()).collect();
    let mut rows = vec![
        (
            "Message type",
            msg.message_type.clone().unwrap_or_else(|| "(none)".into()),
        ),
        ("Platform", s("iss").unwrap_or_default()),
        ("User", user),
        (
            "Roles",
            if roles.is_empty() {
                "(none)".into()
            } else {
                roles.join(", ")
            },
        ),
        (
            "Context",
            claim("context", "title")
                .or_else(|| claim("context", "id"))
                .unwrap_or_else(|| "(none)".into()),
        ),
        (
            "Resource link",
            claim("resource_link", "title")
                .or_else(|| claim("resource_link", "id"))
                .unwrap_or_else(|| "(none)".into()),
        ),
        (
            "Deployment",
            payload
                .get(lti_protocol::vocab::claim::DEPLOYMENT_ID)
                .and_then(Value::as_str)
                .unwrap_or("(none)")
                .to_string(),
        ),
    ];
    if msg.message_type.as_deref() == Some(lti_protocol::vocab::message::DEEP_LINKING) {
        let dl = payload.get(lti_protocol::vocab::claim::DL_SETTINGS);
        let ret = dl
            .and_then(|d| d.get("deep_link_return_url"))
            .and_then(Value::as_str)
            .unwrap_or("(missing)");
        let accept = dl
            .and_then(|d| d.get("accept_types"))
            .map(|v| v.to_string())
            .unwrap_or_default();
        rows.push(("Deep link return URL", ret.to_string()));
        rows.push(("Accept types", accept));
    }
    let table: String = rows
        .iter()
        .map(|(k, v)| format!("<tr><td>{}</td><td>{}</td></tr>", escape(k), escape(v)))
        .collect();
    let counts = msg.counts;
    let n = |k: u32, one: &str, many: &str| format!("{k} {}", if k == 1 { one } else { many });
    // The id_token's own checks; the flow view adds the login's and the auth request's.
    let body = format!(
        "{STYLE}<h1>LTI Inspector captured this launch</h1><p><span id=\"verdict\" class=\"v {class}\">{label}</span> \
         {e} · {w} · {p} on the id_token</p><table>{table}</table><h2>Top findings</h2>{findings}{link}",
        e = n(counts.errors, "error", "errors"),
        w = n(counts.warnings, "warning", "warnings"),
        p = n(counts.passed, "check passed", "checks passed"),
        findings = top_findings(&msg.report),
        link = flow_link(flow_id, ui_url),
    );
    page("LTI Inspector — launch captured", &body)
}

pub fn error_response(fields: &[(String, String)], report: &Report, flow_id: &str) -> String {
    let get = |n: &str| fields.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str());
    let headline = match get("error") {
        Some(e) => format!(
            "The platform answered with an error: <code>{}</code>",
            escape(e)
        ),
        None => "The platform's response carried no id_token.".into(),
    };
    let desc = get("error_description")
        .map(|d| format!("<p>{}</p>", escape(d)))
        .unwrap_or_default();
    let body = format!(
        "{STYLE}<h1>Launch failed at the platform</h1><p>{headline}</p>{desc}<h2>Findings</h2>{}{}",
        top_findings(report),
        flow_link(flow_id, None)
    );
    page("LTI Inspector — launch error", &body)
}
