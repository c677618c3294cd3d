//! Checks of a platform's service answers (AGS, NRPS) as findings: media types, JSON, Link
//! headers, and the fields every line item, result and membership must have. Pure: the service
//! client hands in what it received as an [`Answer`].

use serde_json::Value;

use crate::finding::{Finding, Report, Severity};

/// A service's HTTP answer as the checks see it.
pub struct Answer<'a> {
    /// The URL that answered (relative Link targets resolve against it).
    pub url: &'a str,
    pub content_type: Option<&'a str>,
    /// Every `Link` header value, in order.
    pub links: Vec<&'a str>,
    pub body: &'a [u8],
}

/// The first 300 characters of a body, for findings and error messages.
pub fn snippet(body: &[u8]) -> String {
    let s = String::from_utf8_lossy(body);
    let s = s.trim();
    if s.chars().count() > 300 {
        format!("{}…", s.chars().take(300).collect::<String>())
    } else {
        s.to_string()
    }
}

/// The Content-Type of an answer against the service's media type (plain JSON is a warning).
pub fn media_type(reply: &Answer, expected: &str, report: &mut Report) {
    let actual = reply.content_type.unwrap_or("");
    let base = crate::vocab::media::base(actual);
    if base == expected {
        report.push(
            Finding::pass("service.response_media_type", "The service's media type.")
                .actual(actual),
        );
    } else {
        report.push(
            Finding::fail(
                "service.response_media_type",
                format!(
                    "The answer is {:?}, not {expected}.",
                    if actual.is_empty() {
                        "(no Content-Type)"
                    } else {
                        actual
                    }
                ),
            )
            .expected(expected)
            .actual(actual),
        );
    }
}

/// The JSON body, or a finding.
pub fn json(reply: &Answer, report: &mut Report) -> Option<Value> {
    match serde_json::from_slice(reply.body).ok() {
        Some(v) => Some(v),
        None => {
            report.push(
                Finding::fail("service.response_json", "The answer is not JSON.")
                    .actual(snippet(reply.body)),
            );
            None
        }
    }
}

/// Links of a `Link` header: (rel, url). Malformed parts become a finding.
pub fn links(reply: &Answer, report: &mut Report) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for value in reply.links.iter().copied() {
        for part in split_links(value) {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            let parsed =
                part.strip_prefix('<')
                    .and_then(|p| p.split_once('>'))
                    .map(|(url, params)| {
                        let rel = params
                            .split(';')
                            .filter_map(|p| p.trim().split_once('='))
                            .find(|(k, _)| k.trim().eq_ignore_ascii_case("rel"))
                            .map(|(_, v)| v.trim().trim_matches('"').to_string());
                        (url.trim().to_string(), rel)
                    });
            match parsed {
                Some((url, Some(rel))) if url::Url::parse(&url).is_ok() => {
                    for r in rel.split_whitespace() {
                        out.push((r.to_string(), url.clone()));
                    }
                }
                Some((url, Some(rel))) => {
                    // A relative target: resolve it, but say so.
                    report.push(
                        Finding::fail(
                            "service.link_header",
                            format!("Link target {url:?} is not an absolute URL."),
                        )
                        .actual(part),
                    );
                    if let Ok(abs) = url::Url::parse(reply.url).and_then(|b| b.join(&url)) {
                        for r in rel.split_whitespace() {
                            out.push((r.to_string(), abs.to_string()));
                        }
                    }
                }
                _ => report.push(
                    Finding::fail(
                        "service.link_header",
                        "A Link header part is not `<url>; rel=\"…\"`.",
                    )
                    .actual(part),
                ),
            }
        }
    }
    if !out.is_empty() {
        report.push(
            Finding::pass("service.link_header", "Well-formed Link header.").actual(
                out.iter()
                    .map(|(r, _)| r.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        );
    }
    out
}

/// Splits a Link header at the commas between links (not inside `<…>` or quotes).
fn split_links(v: &str) -> Vec<&str> {
    let (mut out, mut start, mut angle, mut quote) = (Vec::new(), 0, false, false);
    for (i, c) in v.char_indices() {
        match c {
            '<' if !quote => angle = true,
            '>' if !quote => angle = false,
            '"' if !angle => quote = !quote,
            ',' if !angle && !quote => {
                out.push(&v[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&v[start..]);
    out
}

pub fn rel<'a>(links: &'a [(String, String)], rel: &str) -> Option<&'a str> {
    links
        .iter()
        .find(|(r, _)| r.eq_ignore_ascii_case(rel))
        .map(|(_, u)| u.as_str())
}

/// A line item's required fields (AGS §3.2.4).
pub fn line_item(item: &Value, path: &str, report: &mut Report) {
    let mut problems = Vec::new();
    if item
        .get("id")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
    {
        problems.push("id is missing");
    }
    if item
        .get("label")
        .and_then(Value::as_str)
        .is_none_or(|s| s.trim().is_empty())
    {
        problems.push("label is missing");
    }
    match item.get("scoreMaximum").and_then(Value::as_f64) {
        Some(m) if m > 0.0 => {}
        Some(_) => problems.push("scoreMaximum is not > 0"),
        None => problems.push("scoreMaximum is missing"),
    }
    if problems.is_empty() {
        report
            .push(Finding::pass("ags.response.lineitem", "id, label and scoreMaximum.").path(path));
    } else {
        report.push(
            Finding::fail("ags.response.lineitem", format!("{}.", problems.join("; ")))
                .path(path)
                .actual(item.to_string()),
        );
    }
}

/// A result's required fields (AGS §3.3).
pub fn result(item: &Value, path: &str, report: &mut Report) {
    let mut problems = Vec::new();
    for f in ["id", "scoreOf", "userId"] {
        if !item.get(f).is_some_and(|v| v.is_string()) {
            problems.push(format!("{f} is missing"));
        }
    }
    if let Some(m) = item.get("resultMaximum") {
        if !m.as_f64().is_some_and(|m| m > 0.0) {
            problems.push("resultMaximum is not a number > 0".into());
        }
    }
    if item
        .get("resultScore")
        .is_some_and(|v| !v.is_number() && !v.is_null())
    {
        problems.push("resultScore is not a number".into());
    }
    if problems.is_empty() {
        report.push(Finding::pass("ags.response.result", "id, scoreOf and userId.").path(path));
    } else {
        report.push(
            Finding::fail("ags.response.result", format!("{}.", problems.join("; ")))
                .path(path)
                .actual(item.to_string()),
        );
    }
}

/// A membership container and its members (NRPS §2.2).
pub fn membership(body: &Value, report: &mut Report) {
    let mut problems = Vec::new();
    if !body
        .get("context")
        .and_then(|c| c.get("id"))
        .is_some_and(Value::is_string)
    {
        problems.push("context.id is missing".to_string());
    }
    match body.get("members").and_then(Value::as_array) {
        None => problems.push("members is not an array".into()),
        Some(members) => {
            for (i, m) in members.iter().enumerate() {
                if !m.get("user_id").is_some_and(Value::is_string) {
                    problems.push(format!("members[{i}].user_id is missing"));
                }
                if !m.get("roles").is_some_and(Value::is_array) {
                    problems.push(format!("members[{i}].roles is missing"));
                }
                if let Some(s) = m.get("status").and_then(Value::as_str) {
                    if !["Active", "Inactive", "Deleted"].contains(&s) {
                        problems.push(format!(
                            "members[{i}].status {s:?} is not Active, Inactive or Deleted"
                        ));
                    }
                }
            }
        }
    }
    if problems.is_empty() {
        report.push(Finding::pass(
            "nrps.response.members",
            "context and members are well-formed.",
        ));
    } else {
        report.push(Finding::fail(
            "nrps.response.members",
            format!("{}.", problems.join("; ")),
        ));
    }
}

/// A warning-level failure (used where a platform deviates but the answer stays usable).
pub fn warn(id: &str, message: impl Into<String>) -> Finding {
    Finding::fail(id, message).severity(Severity::Warning)
}
