//! Small server-rendered HTML pages (errors, the landing page). Every dynamic value goes through
//! `escape`: claims are attacker-controlled text.

use axum::http::StatusCode;
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
