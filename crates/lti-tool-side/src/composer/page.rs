//! The composer page shown in the LMS frame for an LtiDeepLinkingRequest: the request's
//! settings, the items as editable JSON with each item's problems beside it, presets,
//! templates, messages and negative switches. No script: every action is a form submit, so the
//! page works under the strictest CSP and in any frame.

use lti_protocol::deep_linking::{self, Breakage, DlSettings, ResponseDraft};
use lti_protocol::finding::Severity;
use serde_json::Value;

use crate::capture::landing::{flow_link, top_findings, verdict_label, STYLE};
use lti_core::html::{escape, page};
use lti_core::messages::StoredMessage;

/// Path the composer's form posts to.
pub const COMPOSE_PATH: &str = "/lti/deep-link/compose";

pub struct ComposerView<'a> {
    pub flow_id: &'a str,
    pub token: &'a str,
    pub request: &'a StoredMessage,
    pub settings: &'a DlSettings,
    pub platform: &'a str,
    pub draft: &'a ResponseDraft,
    /// The items text as typed, when it did not parse (shown back untouched).
    pub items_text: Option<&'a str>,
    pub breakage: Option<Breakage>,
    pub templates: &'a [String],
    pub error: Option<&'a str>,
    pub notice: Option<&'a str>,
    pub ui_url: Option<&'a str>,
}

const COMPOSER_STYLE: &str = "<style>textarea{width:100%;font:12px ui-monospace,monospace;box-sizing:border-box}\
fieldset{border:1px solid #d0d7de;border-radius:6px;margin:1em 0;padding:.6em 1em}legend{font-weight:600}\
button{margin:.2em .3em .2em 0;padding:.35em .8em}button.primary{background:#1f6feb;color:#fff;border:0;border-radius:4px;font-weight:600}\
.item{margin:.3em 0}.ok{color:#1a7f37}.err{color:#cf222e;padding:.5em;border:1px solid #cf222e;border-radius:4px}\
.note{color:#1a7f37;padding:.5em;border:1px solid #1a7f37;border-radius:4px}label{margin-right:1em}input[type=text]{width:22em}</style>";

pub fn render(v: &ComposerView<'_>) -> String {
    let (class, label) = verdict_label(v.request.verdict);
    let s = v.settings;
    let opt = |o: &Option<String>| o.clone().unwrap_or_else(|| "(not set)".into());
    let b = |o: Option<bool>| {
        o.map(|b| b.to_string())
            .unwrap_or_else(|| "(not set)".into())
    };
    let rows = [
        ("Platform", v.platform.to_string()),
        ("Return URL", opt(&s.deep_link_return_url)),
        ("accept_types", s.accept_types.join(", ")),
        (
            "accept_presentation_document_targets",
            s.accept_presentation_document_targets.join(", "),
        ),
        ("accept_media_types", opt(&s.accept_media_types)),
        ("accept_multiple", b(s.accept_multiple)),
        ("accept_lineitem", b(s.accept_lineitem)),
        ("auto_create", b(s.auto_create)),
        ("title", opt(&s.title)),
        ("text", opt(&s.text)),
        (
            "data (echoed back)",
            s.data
                .as_ref()
                .map(|d| d.to_string())
                .unwrap_or_else(|| "(none)".into()),
        ),
    ];
    let table: String = rows
        .iter()
        .map(|(k, v)| format!("<tr><td>{}</td><td>{}</td></tr>", escape(k), escape(v)))
        .collect();
    let items_text = v.items_text.map(str::to_string).unwrap_or_else(|| {
        serde_json::to_string_pretty(&Value::from(v.draft.items.clone())).unwrap_or_default()
    });
    let checks = item_checks(&v.draft.items, s, v.items_text.is_some());
    let presets: String = deep_linking::items::TYPES
        .iter()
        .map(|t| {
            let accepted = s.accept_types.iter().any(|a| a == t);
            format!(
                "<button type=\"submit\" name=\"action\" value=\"preset:{t}\">+ {t}{}</button>",
                if accepted { "" } else { " (not accepted)" }
            )
        })
        .collect();
    let template_opts: String = v
        .templates
        .iter()
        .map(|n| format!("<option>{}</option>", escape(n)))
        .collect();
    let breakages: String = std::iter::once(format!(
        "<option value=\"\"{}>None: a correct response</option>",
        if v.breakage.is_none() {
            " selected"
        } else {
            ""
        }
    ))
    .chain(Breakage::ALL.iter().map(|br| {
        format!(
            "<option value=\"{}\"{}>{} — breaks {}</option>",
            br.as_str(),
            if v.breakage == Some(*br) {
                " selected"
            } else {
                ""
            },
            escape(br.label()),
            br.rule_id()
        )
    }))
    .collect();
    let field = |name: &str, value: &Option<String>| {
        format!(
            "<label>{name} <input type=\"text\" name=\"{name}\" value=\"{}\"></label>",
            escape(value.as_deref().unwrap_or(""))
        )
    };
    let banner = match (v.error, v.notice) {
        (Some(e), _) => format!("<p class=\"err\" id=\"composer-error\">{}</p>", escape(e)),
        (None, Some(n)) => format!("<p class=\"note\" id=\"composer-note\">{}</p>", escape(n)),
        _ => String::new(),
    };
    let body = format!(
        "{STYLE}{COMPOSER_STYLE}<h1>Deep linking composer</h1>\
         <p>The platform asked for content (LtiDeepLinkingRequest): <span id=\"verdict\" class=\"v {class}\">{label}</span> \
         {e} errors · {w} warnings. Build the items to return, then sign and send the LtiDeepLinkingResponse.</p>{banner}\
         <details><summary>What the platform asked for (deep_linking_settings)</summary><table id=\"dl-settings\">{table}</table>\
         <h3>Findings on the request</h3>{findings}</details>\
         <form id=\"dl-compose\" method=\"post\" action=\"{COMPOSE_PATH}\">\
         <input type=\"hidden\" name=\"flow\" value=\"{flow}\"><input type=\"hidden\" name=\"token\" value=\"{token}\">\
         <p><button class=\"primary\" type=\"submit\" name=\"action\" value=\"send\">Sign and send to the platform</button>\
         <button type=\"submit\" name=\"action\" value=\"check\">Check items</button></p>\
         <fieldset><legend>Items ({n})</legend><div id=\"item-checks\">{checks}</div>\
         <p>Add a preset: {presets}</p>\
         <textarea name=\"items\" rows=\"22\" spellcheck=\"false\">{items}</textarea></fieldset>\
         <fieldset><legend>Templates</legend>\
         <label>Name <input type=\"text\" name=\"template_name\" maxlength=\"80\"></label>\
         <button type=\"submit\" name=\"action\" value=\"save_template\">Save these items</button> \
         <select name=\"template\">{template_opts}</select> <button type=\"submit\" name=\"action\" value=\"load_template\">Load</button></fieldset>\
         <fieldset><legend>Messages to the platform (optional)</legend>{msg}{log}<br>{errormsg}{errorlog}</fieldset>\
         <fieldset><legend>Negative test</legend><select name=\"breakage\" id=\"breakage\">{breakages}</select> \
         <small>Sends a response broken on purpose, to see whether the platform refuses it.</small></fieldset>\
         </form>{link}",
        e = v.request.counts.errors,
        w = v.request.counts.warnings,
        findings = top_findings(&v.request.report),
        flow = escape(v.flow_id),
        token = escape(v.token),
        n = v.draft.items.len(),
        items = escape(&items_text),
        msg = field("msg", &v.draft.msg),
        log = field("log", &v.draft.log),
        errormsg = field("errormsg", &v.draft.errormsg),
        errorlog = field("errorlog", &v.draft.errorlog),
        link = flow_link(v.flow_id, v.ui_url),
    );
    page("LTI Inspector — deep linking composer", &body)
}

/// Each item's problems against the request's settings, before anything is sent.
fn item_checks(items: &[Value], s: &DlSettings, unparsed: bool) -> String {
    if unparsed {
        return String::new();
    }
    let mut out: String = items
        .iter()
        .enumerate()
        .take(200)
        .map(|(i, item)| {
            let problems = deep_linking::check_item(i, item, Some(s));
            let what = format!(
                "{} <b>{}</b>",
                escape(item.get("type").and_then(Value::as_str).unwrap_or("(no type)")),
                escape(item.get("title").and_then(Value::as_str).unwrap_or(""))
            );
            if problems.is_empty() {
                format!("<div class=\"item\">#{i} {what} <span class=\"ok\">✓ fits the request</span></div>")
            } else {
                let list: String = problems
                    .iter()
                    .map(|f| {
                        let sev = if f.severity == Severity::Error { "error" } else { "warning" };
                        format!("<li><span class=\"sev {sev}\">{sev}</span><code>{}</code> {}</li>", escape(&f.rule_id), escape(&f.message))
                    })
                    .collect();
                format!("<div class=\"item flagged\">#{i} {what}<ul>{list}</ul></div>")
            }
        })
        .collect();
    let m = deep_linking::items::multiple(items.len(), s);
    if m.outcome == lti_protocol::finding::Outcome::Fail {
        out.push_str(&format!(
            "<p class=\"err\"><code>dl.item.multiple</code> {}</p>",
            escape(&m.message)
        ));
    }
    if items.is_empty() {
        out.push_str("<p>No items: the response will say the user selected nothing (allowed).</p>");
    }
    out
}
