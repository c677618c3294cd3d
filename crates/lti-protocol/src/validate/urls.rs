//! URL helpers and the HTTPS rule: every `http:` URL anywhere in a message is a finding
//! (warning, or info on localhost during development).

use serde_json::{Map, Value};
use url::Url;

use super::Policy;
use crate::finding::{Finding, Report, Severity};

/// An absolute http(s) URL with a host.
pub fn is_absolute_url(s: &str) -> bool {
    Url::parse(s).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
}

/// Whether the URL's host is a loopback name or address.
pub fn is_localhost(s: &str) -> bool {
    let Ok(u) = Url::parse(s) else { return false };
    match u.host() {
        Some(url::Host::Domain(d)) => d == "localhost" || d.ends_with(".localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

fn is_http(s: &str) -> bool {
    // Bytes, not a str slice: byte 7 can fall inside a multi-byte character (found by fuzzing).
    s.len() > 7 && s.as_bytes()[..7].eq_ignore_ascii_case(b"http://")
}

/// Vocabulary identifiers (roles, context types) are http URIs by definition, not resources.
fn is_vocabulary(s: &str) -> bool {
    s.starts_with("http://purl.imsglobal.org/vocab/")
}

/// The finding for one URL that uses http, or None if it is https (or not a URL).
pub(crate) fn http_finding(path: &str, value: &str, policy: &Policy) -> Option<Finding> {
    if !is_http(value) {
        return None;
    }
    let f = if policy.allow_http_localhost && is_localhost(value) {
        Finding::pass(
            "lti.https_urls",
            "http on localhost: tolerated for development only.",
        )
        .severity(Severity::Info)
    } else {
        Finding::fail(
            "lti.https_urls",
            "This URL uses http: use https (LTI requires HTTPS for every URL in a message).",
        )
    };
    Some(f.path(path).expected("https://…").actual(value))
}

fn walk(path: &str, v: &Value, out: &mut Vec<(String, String)>) {
    match v {
        Value::String(s) if is_http(s) && !is_vocabulary(s) => {
            out.push((path.to_string(), s.clone()))
        }
        Value::Array(a) => {
            for (i, item) in a.iter().enumerate() {
                walk(&format!("{path}[{i}]"), item, out);
            }
        }
        Value::Object(m) => {
            for (k, item) in m {
                walk(&format!("{path}.{k}"), item, out);
            }
        }
        _ => {}
    }
}

/// One finding per `http:` URL in the payload, or a single pass when there is none.
pub(crate) fn check_payload(payload: &Map<String, Value>, policy: &Policy, report: &mut Report) {
    let mut found = Vec::new();
    for (k, v) in payload {
        walk(k, v, &mut found);
    }
    if found.is_empty() {
        report.push(Finding::pass(
            "lti.https_urls",
            "Every URL in the message uses https.",
        ));
        return;
    }
    for (path, value) in found {
        if let Some(f) = http_finding(&path, &value, policy) {
            report.push(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Outcome;
    use serde_json::json;

    #[test]
    fn url_helpers() {
        assert!(is_absolute_url("https://a.example/x?y=1"));
        assert!(!is_absolute_url("return-url"));
        assert!(!is_absolute_url("mailto:a@b.c"));
        assert!(is_localhost("http://localhost:8080/x"));
        assert!(is_localhost("http://127.0.0.1/x"));
        assert!(is_localhost("http://[::1]/x"));
        assert!(!is_localhost("http://example.com"));
    }

    #[test]
    fn a_multibyte_character_where_the_scheme_ends_is_not_a_panic() {
        // fuzz/regressions/inspect/url-claim-multibyte-at-byte-7: an auth request's redirect_uri.
        assert!(!is_http("http:/\u{fffd}dd"));
        assert!(http_finding("redirect_uri", "http:/\u{fffd}dd", &Policy::default()).is_none());
        assert!(is_http("HTTP://x"));
    }

    #[test]
    fn http_urls_are_found_anywhere() {
        let p = json!({
            "a": {"lineitems": "http://lms.example/li", "ok": "https://lms.example"},
            "b": ["x", "HTTP://localhost/dev", "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
        });
        let mut r = Report::new();
        check_payload(p.as_object().unwrap(), &Policy::default(), &mut r);
        assert_eq!(r.findings.len(), 2);
        assert_eq!(r.findings[0].outcome, Outcome::Fail);
        assert_eq!(r.findings[0].path.as_deref(), Some("a.lineitems"));
        assert_eq!(r.findings[1].severity, Severity::Info);
        assert_eq!(r.findings[1].path.as_deref(), Some("b[1]"));
    }
}
