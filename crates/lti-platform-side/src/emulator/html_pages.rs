//! The emulator's HTML: the auto-submitting forms an LMS uses to move the browser along a
//! launch (login initiation, id_token form_post, error post-back), and small result pages.
//! Every value is escaped; scripts run only with a per-page nonce.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use lti_core::html::escape;

pub(super) use lti_core::html::{auto_post, with_csp};

/// A page with a heading, a lead paragraph and rows of (label, value), all escaped.
pub(super) fn info(
    status: StatusCode,
    title: &str,
    lead: &str,
    rows: &[(String, String)],
    extra_html: &str,
) -> Response {
    let table: String = rows
        .iter()
        .map(|(k, v)| format!("<tr><td>{}</td><td>{}</td></tr>", escape(k), escape(v)))
        .collect();
    let body = format!(
        "<style>table{{border-collapse:collapse;margin:.8em 0}}td{{padding:.25em .8em .25em 0;vertical-align:top}}\
         td:first-child{{color:#656d76}}li{{margin:.3em 0}}</style>\
         <h1>{}</h1><p>{}</p>{}{}<p><small>LTI Inspector · platform emulator · HTTP {}</small></p>",
        escape(title),
        escape(lead),
        if table.is_empty() { String::new() } else { format!("<table>{table}</table>") },
        extra_html,
        status.as_u16()
    );
    (status, Html(lti_core::html::page(title, &body))).into_response()
}

/// The platform-storage frame page: hosts the tool in an iframe named by the launch's
/// `lti_storage_target` and answers the tool's `lti.capabilities`, `lti.put_data` and
/// `lti.get_data` postMessages (LTI Client Side postMessages / Platform Storage), keeping the
/// data in this window; every message is shown in the page's log.
pub(super) fn storage_frame(
    title: &str,
    login_url: &str,
    fields: &[(String, String)],
    frame_name: &str,
) -> Response {
    let inputs: String = fields
        .iter()
        .map(|(k, v)| {
            format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
                escape(k),
                escape(v)
            )
        })
        .collect();
    let nonce = lti_core::ids::secret_token();
    let html = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{t}</title>\
         <style>body{{font:14px system-ui,sans-serif;margin:0}}header{{padding:.5em 1em;background:#f0f2f5}}\
         iframe{{border:0;width:100%;height:75vh}}pre{{margin:0;padding:.5em 1em;max-height:20vh;overflow:auto;background:#fafbfc;font-size:12px}}</style>\
         </head><body><header>{t} — the tool runs in the frame below; platform storage answers its postMessages.</header>\
         <form id=\"lti-form\" method=\"post\" action=\"{a}\" target=\"{f}\">{inputs}</form>\
         <iframe name=\"{f}\" id=\"{f}\" title=\"Tool\"></iframe><pre id=\"log\"></pre>\
         <script nonce=\"{nonce}\">{js}</script></body></html>",
        t = escape(title),
        a = escape(login_url),
        f = escape(frame_name),
        js = STORAGE_JS,
    );
    with_csp(StatusCode::OK, html, &nonce)
}

/// Answers lti.capabilities, lti.put_data and lti.get_data from any origin, keyed per origin
/// (platform storage §4: data put by one origin is only readable by that origin).
const STORAGE_JS: &str = r#"
(function () {
  var store = {};
  var log = document.getElementById('log');
  function note(s) { log.textContent += s + '\n'; }
  window.addEventListener('message', function (ev) {
    var m = ev.data;
    if (typeof m === 'string') { try { m = JSON.parse(m); } catch (e) { return; } }
    if (!m || typeof m.subject !== 'string') return;
    var reply = { subject: m.subject + '.response', message_id: m.message_id };
    var bucket = store[ev.origin] = store[ev.origin] || {};
    if (m.subject === 'lti.capabilities') {
      reply.supported_messages = [
        { subject: 'lti.capabilities' },
        { subject: 'lti.put_data', frame: '_parent' },
        { subject: 'lti.get_data', frame: '_parent' }
      ];
    } else if (m.subject === 'lti.put_data') {
      if (typeof m.key !== 'string') { reply.error = { code: 'bad_request', message: 'key is required' }; }
      else { bucket[m.key] = m.value; reply.key = m.key; reply.value = m.value; }
    } else if (m.subject === 'lti.get_data') {
      if (typeof m.key !== 'string') { reply.error = { code: 'bad_request', message: 'key is required' }; }
      else { reply.key = m.key; reply.value = Object.prototype.hasOwnProperty.call(bucket, m.key) ? bucket[m.key] : null; }
    } else {
      reply.error = { code: 'unsupported_subject', message: 'Unsupported subject ' + m.subject };
    }
    note(ev.origin + ' → ' + m.subject + (m.key ? ' ' + m.key : '') + (reply.error ? ' (error ' + reply.error.code + ')' : ''));
    ev.source && ev.source.postMessage(reply, ev.origin === 'null' ? '*' : ev.origin);
  });
  document.getElementById('lti-form').submit();
})();
"#;
