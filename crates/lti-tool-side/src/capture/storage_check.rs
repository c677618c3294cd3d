//! The state binding through LTI platform storage, for launches whose state cookie did not come
//! back (third-party cookies blocked in an iframe). When the platform offered
//! `lti_storage_target` at login, the login page stored the state with `lti.put_data`; the
//! landing page of such a launch asks the platform frame for it with `lti.get_data` and reports
//! the answer here. A matching value turns the launch's `response.state` finding into a pass
//! (and the flow's verdict follows); anything else is recorded and explained.
//!
//! The check is reported by the launch page's script in the same browser, as in the tools that
//! implement the LTI client-side postMessage specification; it is single-use per state.

use axum::extract::{Query, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use http_body_util::BodyExt;
use lti_protocol::finding::{Finding, Outcome};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::ToolSide;
use lti_core::messages;
use lti_core::recorder::ExchangeNotes;

/// Where the launch page's script reports what `lti.get_data` returned.
pub const PATH: &str = "/lti/storage-check";

/// The script's report.
#[derive(Debug, Deserialize)]
pub struct CheckReport {
    pub state: String,
    /// The value platform storage returned for `state_<state>`; None when it returned nothing
    /// (error, timeout, no platform frame).
    pub value: Option<String>,
    /// The postMessage exchange as the page saw it (kept in the recorded request body).
    #[serde(default)]
    pub log: Value,
}

#[derive(Deserialize)]
pub struct FlowQuery {
    flow: Option<String>,
}

/// Adds the `lti.get_data` check to a landing page (a whole HTML document with the shared
/// CSP): a nonce'd script, allowed to talk to this origin only.
pub fn add_to_page(
    page: &str,
    flow_id: &str,
    state: &str,
    target: &str,
    platform_origin: &str,
) -> String {
    let nonce = lti_core::ids::secret_token();
    let data = json!({
        "flow": flow_id, "state": state, "target": target, "origin": platform_origin,
        "report": format!("{PATH}?flow={flow_id}"),
    })
    .to_string()
    // JSON inside <script>: no value can close the element.
    .replace('<', "\\u003c");
    let page = page.replacen(
        "default-src 'none';",
        &format!("default-src 'none'; script-src 'nonce-{nonce}'; connect-src 'self';"),
        1,
    );
    let block = format!(
        "<p id=\"storage-check\">The state cookie did not come back: checking the state through platform storage (lti.get_data)…</p>\
         <script nonce=\"{nonce}\">{}</script></body>",
        CHECK_JS.replace("__DATA__", &data)
    );
    page.replacen("</body>", &block, 1)
}

const CHECK_JS: &str = r#"
(function () {
  var d = __DATA__;
  var out = document.getElementById('storage-check');
  var frame = d.target === '_parent' ? window.parent : (window.parent.frames[d.target] || window.parent);
  var log = [];
  var id = 'm' + Math.random().toString(36).slice(2);
  var done = false;
  function report(value) {
    if (done) { return; }
    done = true;
    fetch(d.report, { method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ state: d.state, value: value, log: log }) })
      .then(function (r) { return r.json(); })
      .then(function (r) {
        out.textContent = r.message;
        out.setAttribute('data-verdict', r.verdict || '');
        var badge = document.getElementById('verdict');
        if (badge && r.launch_verdict === 'valid') { badge.textContent = 'Valid launch'; badge.className = 'v valid'; }
      })
      .catch(function (e) { out.textContent = 'Could not report the platform-storage check: ' + e; });
  }
  window.addEventListener('message', function (ev) {
    var m = ev.data || {};
    log.push({ received: m, origin: ev.origin });
    if (m.message_id !== id) { return; }
    report(m.subject === 'lti.get_data.response' && !m.error && typeof m.value === 'string' ? m.value : null);
  });
  var msg = { subject: 'lti.get_data', message_id: id, key: 'state_' + d.state };
  log.push({ sent: msg, target_origin: d.origin });
  try { frame.postMessage(msg, d.origin); } catch (e) { log.push({ error: String(e) }); report(null); }
  setTimeout(function () { log.push({ timeout: 'lti.get_data' }); report(null); }, 2000);
})();
"#;

pub async fn storage_check(
    State(tool): State<ToolSide>,
    Query(q): Query<FlowQuery>,
    req: Request,
) -> Response {
    let notes = req
        .extensions()
        .get::<ExchangeNotes>()
        .cloned()
        .unwrap_or_default();
    notes.set_step("platform_storage_check");
    let body = req
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let refuse = |status: StatusCode, message: String| {
        (status, Json(json!({ "verdict": null, "message": message }))).into_response()
    };
    let report: CheckReport = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                format!("Not a platform-storage report: {e}"),
            )
        }
    };
    let s = report.state.clone();
    let found = tool
        .store()
        .lookup(move |c| super::states::lookup(c, &s))
        .await
        .ok()
        .flatten();
    let Some(found) = found else {
        return refuse(
            StatusCode::NOT_FOUND,
            "No login of this tool minted this state.".into(),
        );
    };
    let flow_id = found.minted.flow_id.clone();
    if q.flow.as_deref() != Some(flow_id.as_str()) {
        return refuse(
            StatusCode::BAD_REQUEST,
            "The state belongs to another flow.".into(),
        );
    }
    notes.set_flow(&flow_id);
    if !tool.claim_storage_check(&report.state) {
        return refuse(
            StatusCode::CONFLICT,
            "This state was already checked through platform storage.".into(),
        );
    }
    let matches = report.value.as_deref() == Some(report.state.as_str());
    let finding = if matches {
        Finding::pass(
            "response.state",
            "The state cookie did not come back, but platform storage (lti.get_data) returned the state stored at login: the launch is bound to this browser.",
        )
    } else {
        Finding::fail(
            "response.state",
            match &report.value {
                Some(_) => "The state cookie did not come back, and platform storage (lti.get_data) returned a different value than the state stored at login.".to_string(),
                None => "The state cookie did not come back, and platform storage (lti.get_data) returned nothing (no answer, an error, or no platform frame): the launch is not bound to this browser.".to_string(),
            },
        )
        .hint("The platform must answer lti.get_data from the frame it named in lti_storage_target, for the origin of its OIDC authorization endpoint.")
    }
    .path("state")
    .expected(report.state.clone())
    .actual(report.value.clone().unwrap_or_else(|| "(nothing)".into()));
    // The launch message as it reads once settled: computed here so the page can show it, and
    // stored with this request's exchange.
    let fid = flow_id.clone();
    let latest = tool
        .store()
        .lookup(move |c| messages::latest_id_token(c, &fid))
        .await
        .ok()
        .flatten();
    let mut launch_verdict = None;
    if let Some((id, mut msg)) = latest {
        settle(&mut msg, finding);
        launch_verdict = Some(messages::verdict_str(msg.verdict));
        let (verdict, json) = (msg.verdict, lti_core::message_rows::encode(&msg));
        notes.defer_write(move |tx| {
            messages::replace_message(tx, id, &json?, verdict)?;
            messages::recompute_verdict(tx, &flow_id)
        });
    }
    let message = match (matches, launch_verdict) {
        (true, Some("valid")) => "State verified through platform storage (lti.get_data): the launch is valid.",
        (true, _) => "State verified through platform storage (lti.get_data); the launch has other problems: see its flow.",
        (false, _) => "Platform storage did not return the state: the launch is not bound to this browser.",
    };
    Json(json!({
        "verdict": if matches { "state_verified" } else { "state_not_verified" },
        "launch_verdict": launch_verdict,
        "message": message,
    }))
    .into_response()
}

/// Replaces the launch's failed `response.state` finding with the platform-storage outcome and
/// recomputes the message's verdict.
fn settle(msg: &mut messages::StoredMessage, finding: Finding) {
    let slot = msg
        .report
        .findings
        .iter_mut()
        .find(|f| f.rule_id == "response.state" && f.outcome == Outcome::Fail);
    match slot {
        Some(f) => *f = finding,
        // Nothing to replace (the cookie did come back): keep the check as extra evidence.
        None => msg.report.push(finding),
    }
    msg.verdict = msg.report.verdict();
    msg.counts = msg.report.counts();
}
