//! Small server-rendered HTML pages (errors, the landing page). Every dynamic value goes through
//! `escape`: claims are attacker-controlled text.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};

pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

pub fn page(title: &str, body_html: &str) -> String {
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{t}</title>\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; form-action *\">\
         <style>body{{font:14px system-ui,sans-serif;margin:2rem;color:#1b1f24;background:#fff}}\
         code{{background:#f0f2f5;padding:0 .25em;border-radius:3px}}h1{{font-size:1.3rem}}\
         @media (prefers-color-scheme:dark){{body{{background:#16191d;color:#e6e8eb}}code{{background:#262b31}}}}</style>\
         </head><body>{body_html}</body></html>",
        t = escape(title)
    )
}

pub fn error_page(status: StatusCode, title: &str, message: &str) -> Response {
    let body = format!(
        "<h1>{}</h1><p>{}</p><p><small>LTI Inspector · HTTP {}</small></p>",
        escape(title),
        escape(message),
        status.as_u16()
    );
    (status, Html(page(title, &body))).into_response()
}

/// A page whose form POSTs `fields` to `action` as soon as it loads (the OIDC form_post
/// pattern); without JavaScript the user clicks Continue. `target` names a frame or window.
pub fn auto_post(
    title: &str,
    action: &str,
    fields: &[(String, String)],
    target: Option<&str>,
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
    let target = target
        .map(|t| format!(" target=\"{}\"", escape(t)))
        .unwrap_or_default();
    let nonce = crate::ids::secret_token();
    let html = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{t}</title>\
         <meta name=\"referrer\" content=\"origin\"></head><body>\
         <form id=\"lti-form\" method=\"post\" action=\"{a}\"{target}>{inputs}\
         <noscript><p>{t}</p><button type=\"submit\">Continue</button></noscript></form>\
         <script nonce=\"{nonce}\">document.getElementById('lti-form').submit();</script></body></html>",
        t = escape(title),
        a = escape(action),
    );
    with_csp(StatusCode::OK, html, &nonce)
}

/// A response with a CSP that lets only the page's own nonce'd script run.
pub fn with_csp(status: StatusCode, html: String, nonce: &str) -> Response {
    let mut res = (status, Html(html)).into_response();
    let csp = format!("default-src 'none'; script-src 'nonce-{nonce}'; style-src 'unsafe-inline'; form-action *; frame-src *");
    if let Ok(v) = HeaderValue::from_str(&csp) {
        res.headers_mut().insert(header::CONTENT_SECURITY_POLICY, v);
    }
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// "Open … in LTI Inspector" from a page outside the app (the tool side's landing page, the
/// emulator's pages) to one of its routes (`flows/<id>`). With a browser address (`serve`) the
/// link opens the app there and an open app tab hands the new one the API token (never in the
/// URL); without one (the desktop app) it goes to `open_in_app`, on the server that served the
/// page, which asks the window to show the route.
pub fn app_link(ui_url: Option<&str>, route: &str, what: &str, label: &str) -> String {
    let href = match ui_url {
        Some(ui) => format!("{}/#/{}", ui.trim_end_matches('/'), route),
        None => format!("{}/{}", crate::open_in_app::PREFIX, route),
    };
    format!(
        "<p data-testid=\"app-link\">Open {} in LTI Inspector: <a href=\"{}\" target=\"_blank\" rel=\"noopener\">{}</a></p>",
        escape(what),
        escape(&href),
        escape(label)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape(r#"<script>alert("x")</script>&'"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;"
        );
    }
}
