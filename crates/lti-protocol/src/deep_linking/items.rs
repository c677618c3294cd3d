//! Content items (DL 2.0 §3): what each type must carry, and whether it fits the request's
//! settings. [`check_item`] gives one item's problems (for a preview beside the item, or the
//! composer before sending); [`summarize`] folds all items into one finding per rule, so a
//! response with 10,000 items still has a report of a dozen findings.

use serde_json::{Map, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::DlSettings;
use crate::finding::Finding;

/// The content item types of DL 2.0 §3.
pub const TYPES: &[&str] = &["ltiResourceLink", "link", "file", "html", "image"];

/// An `html` item (or `embed.html`) larger than this is flagged: platforms store and render
/// them inline, and several cap them far lower.
pub const HTML_WARN_BYTES: usize = 512 * 1024;

/// Rules [`check_item`] can break, in the order [`summarize`] reports them.
pub const RULES: &[(&str, &str)] = &[
    ("dl.item.type", "Every item has a known type."),
    ("dl.item.accepted", "Every item's type is in accept_types."),
    (
        "dl.item.fields",
        "Required fields are present and well-typed.",
    ),
    ("dl.item.url", "Every URL is an absolute http(s) URL."),
    (
        "dl.item.target",
        "Presentation targets are among those accepted.",
    ),
    (
        "dl.item.media_type",
        "File media types are among those accepted.",
    ),
    (
        "dl.item.line_item",
        "Line items, if any, are well-formed and accepted.",
    ),
    ("dl.item.custom", "Custom values, if any, are strings."),
    (
        "dl.item.dimensions",
        "Widths and heights, if any, are positive integers.",
    ),
    (
        "dl.item.dates",
        "Dates, if any, are ISO 8601 date-times in order.",
    ),
    (
        "dl.item.size",
        "HTML fragments are of a size platforms store.",
    ),
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemKind {
    LtiResourceLink,
    Link,
    File,
    Html,
    Image,
    /// Another type (an extension URI, or garbage): shown raw, never dropped.
    Other(String),
}

impl ItemKind {
    pub fn of(item: &Value) -> Self {
        match item.get("type").and_then(Value::as_str) {
            Some("ltiResourceLink") => Self::LtiResourceLink,
            Some("link") => Self::Link,
            Some("file") => Self::File,
            Some("html") => Self::Html,
            Some("image") => Self::Image,
            Some(t) => Self::Other(t.to_string()),
            None => Self::Other(String::new()),
        }
    }
}

/// Whether a string is an absolute http(s) URL (anything else, `javascript:` and `data:`
/// included, is never rendered as a link, image or frame).
pub fn is_web_url(u: &str) -> bool {
    url::Url::parse(u)
        .map(|p| matches!(p.scheme(), "http" | "https") && p.host().is_some())
        .unwrap_or(false)
}

/// One item's problems (failures only), each with its path under `content_items[index]`.
pub fn check_item(index: usize, item: &Value, settings: Option<&DlSettings>) -> Vec<Finding> {
    let at = |p: &str| {
        if p.is_empty() {
            format!("content_items[{index}]")
        } else {
            format!("content_items[{index}].{p}")
        }
    };
    let mut out = Vec::new();
    let Some(obj) = item.as_object() else {
        out.push(
            Finding::fail(
                "dl.item.fields",
                format!("Item {index} is not a JSON object."),
            )
            .path(at(""))
            .actual(short(item)),
        );
        return out;
    };
    let kind = ItemKind::of(item);
    match (&kind, obj.get("type")) {
        (_, None) => out.push(
            Finding::fail("dl.item.type", format!("Item {index} has no type.")).path(at("type")),
        ),
        (_, Some(t)) if !t.is_string() => out.push(
            Finding::fail(
                "dl.item.type",
                format!("Item {index}: type must be a string."),
            )
            .path(at("type"))
            .actual(short(t)),
        ),
        (ItemKind::Other(t), _) if !is_web_url(t) => out.push(
            Finding::fail(
                "dl.item.type",
                format!("Item {index} has the unknown type {t:?}: a platform may ignore it."),
            )
            .path(at("type"))
            .expected(TYPES.join(", "))
            .actual(t.clone()),
        ),
        _ => {}
    }
    if let (Some(s), Some(t)) = (settings, obj.get("type").and_then(Value::as_str)) {
        if !s.accept_types.iter().any(|a| a == t) {
            out.push(
                Finding::fail(
                    "dl.item.accepted",
                    format!("Item {index}: the request does not accept {t:?} items."),
                )
                .path(at("type"))
                .expected(s.accept_types.join(", "))
                .actual(t),
            );
        }
    }
    fields(&kind, obj, index, &at, &mut out);
    urls(obj, index, &at, &mut out);
    if let Some(s) = settings {
        targets(&kind, obj, s, index, &at, &mut out);
        if let (ItemKind::File, Some(mt)) = (&kind, obj.get("mediaType").and_then(Value::as_str)) {
            if !s.accepts_media_type(mt) {
                out.push(
                    Finding::fail("dl.item.media_type", format!("Item {index}: media type {mt:?} is not among those the request accepts."))
                        .path(at("mediaType"))
                        .expected(s.accept_media_types.clone().unwrap_or_default())
                        .actual(mt),
                );
            }
        }
    }
    if let Some(li) = obj.get("lineItem") {
        line_item(&kind, li, settings, index, &at, &mut out);
    }
    if let Some(c) = obj.get("custom") {
        match c.as_object() {
            Some(m) if m.values().all(Value::is_string) => {}
            _ => out.push(
                Finding::fail(
                    "dl.item.custom",
                    format!("Item {index}: custom must map strings to strings."),
                )
                .path(at("custom"))
                .actual(short(c)),
            ),
        }
    }
    dimensions(obj, index, &at, &mut out);
    dates(obj, index, &at, &mut out);
    for (path, v) in [
        ("html", obj.get("html")),
        ("embed.html", obj.get("embed").and_then(|e| e.get("html"))),
    ] {
        if let Some(h) = v
            .and_then(Value::as_str)
            .filter(|h| h.len() > HTML_WARN_BYTES)
        {
            out.push(
                Finding::fail("dl.item.size", format!("Item {index}: {path} is {} KB; platforms store and render it inline and many cap it lower.", h.len() / 1024))
                    .path(at(path)),
            );
        }
    }
    out
}

fn fields(
    kind: &ItemKind,
    obj: &Map<String, Value>,
    index: usize,
    at: &dyn Fn(&str) -> String,
    out: &mut Vec<Finding>,
) {
    let needs_url = matches!(kind, ItemKind::Link | ItemKind::File | ItemKind::Image);
    if needs_url && !obj.get("url").is_some_and(Value::is_string) {
        out.push(
            Finding::fail(
                "dl.item.fields",
                format!("Item {index}: a {} item needs a url.", type_name(obj)),
            )
            .path(at("url")),
        );
    }
    if *kind == ItemKind::Html && !obj.get("html").is_some_and(Value::is_string) {
        out.push(
            Finding::fail(
                "dl.item.fields",
                format!("Item {index}: an html item needs html."),
            )
            .path(at("html")),
        );
    }
    for k in ["title", "text", "mediaType", "url"] {
        if obj.get(k).is_some_and(|v| !v.is_string()) {
            out.push(
                Finding::fail(
                    "dl.item.fields",
                    format!("Item {index}: {k} must be a string."),
                )
                .path(at(k))
                .actual(short(&obj[k])),
            );
        }
    }
    for k in [
        "icon",
        "thumbnail",
        "iframe",
        "window",
        "embed",
        "available",
        "submission",
        "lineItem",
    ] {
        if obj.get(k).is_some_and(|v| !v.is_object()) {
            out.push(
                Finding::fail(
                    "dl.item.fields",
                    format!("Item {index}: {k} must be an object."),
                )
                .path(at(k))
                .actual(short(&obj[k])),
            );
        }
    }
    for k in ["icon", "thumbnail"] {
        if obj
            .get(k)
            .is_some_and(|v| v.is_object() && !v.get("url").is_some_and(Value::is_string))
        {
            out.push(
                Finding::fail("dl.item.fields", format!("Item {index}: {k} needs a url."))
                    .path(at(&format!("{k}.url"))),
            );
        }
    }
    if *kind == ItemKind::Link
        && obj
            .get("embed")
            .is_some_and(|e| e.is_object() && !e.get("html").is_some_and(Value::is_string))
    {
        out.push(
            Finding::fail("dl.item.fields", format!("Item {index}: embed needs html."))
                .path(at("embed.html")),
        );
    }
}

fn urls(
    obj: &Map<String, Value>,
    index: usize,
    at: &dyn Fn(&str) -> String,
    out: &mut Vec<Finding>,
) {
    let nested = |o: &str| obj.get(o).and_then(|v| v.get("url"));
    for (path, v) in [
        ("url", obj.get("url")),
        ("icon.url", nested("icon")),
        ("thumbnail.url", nested("thumbnail")),
    ] {
        if let Some(Value::String(u)) = v {
            if !is_web_url(u) {
                out.push(
                    Finding::fail("dl.item.url", format!("Item {index}: {path} is not an absolute http(s) URL; it will not be rendered or followed."))
                        .path(at(path))
                        .actual(truncate(u, 200)),
                );
            }
        }
    }
}

fn targets(
    kind: &ItemKind,
    obj: &Map<String, Value>,
    s: &DlSettings,
    index: usize,
    at: &dyn Fn(&str) -> String,
    out: &mut Vec<Finding>,
) {
    if s.accept_presentation_document_targets.is_empty() {
        return;
    }
    let offered: &[&str] = match kind {
        ItemKind::LtiResourceLink => &["iframe", "window"],
        ItemKind::Link => &["embed", "iframe", "window"],
        _ => &["iframe", "window", "embed"],
    };
    let asked: Vec<&str> = offered
        .iter()
        .copied()
        .filter(|t| obj.contains_key(*t))
        .collect();
    if asked.is_empty() {
        return;
    }
    if !asked.iter().any(|t| {
        s.accept_presentation_document_targets
            .iter()
            .any(|a| a == t)
    }) {
        out.push(
            Finding::fail(
                "dl.item.target",
                format!(
                    "Item {index} asks for {} but the request accepts {}.",
                    asked.join(" / "),
                    s.accept_presentation_document_targets.join(", ")
                ),
            )
            .path(at(asked[0]))
            .expected(s.accept_presentation_document_targets.join(", "))
            .actual(asked.join(", ")),
        );
    }
}

fn line_item(
    kind: &ItemKind,
    li: &Value,
    settings: Option<&DlSettings>,
    index: usize,
    at: &dyn Fn(&str) -> String,
    out: &mut Vec<Finding>,
) {
    let mut problems = Vec::new();
    if *kind != ItemKind::LtiResourceLink {
        problems.push("lineItem belongs to ltiResourceLink items only".to_string());
    }
    match li.get("scoreMaximum").and_then(Value::as_f64) {
        Some(m) if m > 0.0 && m.is_finite() => {}
        _ => problems.push("lineItem.scoreMaximum must be a number > 0".into()),
    }
    for k in ["label", "resourceId", "tag"] {
        if li.get(k).is_some_and(|v| !v.is_string()) {
            problems.push(format!("lineItem.{k} must be a string"));
        }
    }
    if li.get("gradesReleased").is_some_and(|v| !v.is_boolean()) {
        problems.push("lineItem.gradesReleased must be true or false".into());
    }
    if settings.is_some_and(|s| s.accept_lineitem == Some(false)) {
        problems.push(
            "the request says accept_lineitem: false, so the platform will not create the column"
                .into(),
        );
    }
    if !problems.is_empty() {
        out.push(
            Finding::fail(
                "dl.item.line_item",
                format!("Item {index}: {}.", problems.join("; ")),
            )
            .path(at("lineItem")),
        );
    }
}

fn dimensions(
    obj: &Map<String, Value>,
    index: usize,
    at: &dyn Fn(&str) -> String,
    out: &mut Vec<Finding>,
) {
    let mut places: Vec<(String, &Map<String, Value>)> = vec![(String::new(), obj)];
    for k in ["icon", "thumbnail", "iframe", "window", "embed"] {
        if let Some(o) = obj.get(k).and_then(Value::as_object) {
            places.push((format!("{k}."), o));
        }
    }
    for (prefix, o) in places {
        for k in ["width", "height"] {
            if let Some(v) = o.get(k) {
                if v.as_u64().is_none_or(|n| n == 0) {
                    out.push(
                        Finding::fail(
                            "dl.item.dimensions",
                            format!(
                                "Item {index}: {prefix}{k} must be a positive integer (pixels)."
                            ),
                        )
                        .path(at(&format!("{prefix}{k}")))
                        .actual(short(v)),
                    );
                }
            }
        }
    }
}

fn dates(
    obj: &Map<String, Value>,
    index: usize,
    at: &dyn Fn(&str) -> String,
    out: &mut Vec<Finding>,
) {
    let parse = |v: &Value| {
        v.as_str()
            .and_then(|s| OffsetDateTime::parse(s, &Rfc3339).ok())
    };
    for window in ["available", "submission"] {
        let Some(w) = obj.get(window).and_then(Value::as_object) else {
            continue;
        };
        let mut times = Vec::new();
        for k in ["startDateTime", "endDateTime"] {
            if let Some(v) = w.get(k) {
                match parse(v) {
                    Some(t) => times.push(t),
                    None => out.push(
                        Finding::fail(
                            "dl.item.dates",
                            format!("Item {index}: {window}.{k} is not an ISO 8601 date-time."),
                        )
                        .path(at(&format!("{window}.{k}")))
                        .actual(short(v)),
                    ),
                }
            }
        }
        if let [start, end] = times[..] {
            if end < start {
                out.push(
                    Finding::fail(
                        "dl.item.dates",
                        format!("Item {index}: {window} ends before it starts."),
                    )
                    .path(at(window)),
                );
            }
        }
    }
    if let Some(v) = obj.get("expiresAt") {
        if parse(v).is_none() {
            out.push(
                Finding::fail(
                    "dl.item.dates",
                    format!("Item {index}: expiresAt is not an ISO 8601 date-time."),
                )
                .path(at("expiresAt"))
                .actual(short(v)),
            );
        }
    }
}

/// One finding per rule over all items: a pass, or a failure naming the first few items.
pub fn summarize(items: &[Value], settings: Option<&DlSettings>) -> Vec<Finding> {
    summarize_checked(&check_items(items, settings), settings)
}

/// Every item's problems, by index (what the composer flags beside each item).
pub fn check_items(items: &[Value], settings: Option<&DlSettings>) -> Vec<Vec<Finding>> {
    items
        .iter()
        .enumerate()
        .map(|(i, item)| check_item(i, item, settings))
        .collect()
}

/// [`summarize`] of items already checked with [`check_items`]: each item is checked once
/// whether its problems are shown per item, folded per rule, or both.
pub fn summarize_checked(per_item: &[Vec<Finding>], settings: Option<&DlSettings>) -> Vec<Finding> {
    let mut failed: Vec<(&str, Vec<Finding>)> =
        RULES.iter().map(|(r, _)| (*r, Vec::new())).collect();
    for f in per_item.iter().flatten() {
        if let Some((_, list)) = failed.iter_mut().find(|(r, _)| *r == f.rule_id) {
            list.push(f.clone());
        }
    }
    let mut out: Vec<Finding> = failed
        .into_iter()
        .zip(RULES)
        .map(|((rule, list), (_, ok))| match list.len() {
            0 => Finding::pass(rule, *ok),
            1 => list.into_iter().next().expect("one"),
            n => {
                let shown: Vec<String> = list.iter().take(5).map(|f| f.message.clone()).collect();
                let more = if n > 5 {
                    format!(" … and {} more", n - 5)
                } else {
                    String::new()
                };
                Finding::fail(rule, format!("{n} items: {}{more}", shown.join(" ")))
                    .path(list[0].path.clone().unwrap_or_default())
            }
        })
        .collect();
    if let Some(s) = settings {
        out.push(multiple(per_item.len(), s));
    }
    out
}

/// accept_multiple: false allows at most one item.
pub fn multiple(count: usize, s: &DlSettings) -> Finding {
    if count > 1 && s.accept_multiple == Some(false) {
        Finding::fail(
            "dl.item.multiple",
            format!("{count} items, but the request says accept_multiple: false."),
        )
        .expected("at most 1 item")
        .actual(count.to_string())
    } else {
        Finding::pass(
            "dl.item.multiple",
            format!(
                "{count} item(s); accept_multiple is {}.",
                s.accept_multiple
                    .map(|b| b.to_string())
                    .unwrap_or_else(|| "not set".into())
            ),
        )
    }
}

fn type_name(obj: &Map<String, Value>) -> &str {
    obj.get("type").and_then(Value::as_str).unwrap_or("?")
}

fn short(v: &Value) -> String {
    truncate(&v.to_string(), 200)
}

fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn settings() -> DlSettings {
        DlSettings {
            accept_types: vec!["ltiResourceLink".into(), "link".into(), "file".into()],
            accept_presentation_document_targets: vec!["iframe".into()],
            accept_media_types: Some("application/pdf".into()),
            accept_multiple: Some(false),
            accept_lineitem: Some(false),
            ..Default::default()
        }
    }

    fn rules(fs: &[Finding]) -> Vec<&str> {
        fs.iter().map(|f| f.rule_id.as_ref()).collect()
    }

    #[test]
    fn a_well_formed_item_has_no_problems() {
        let item = json!({"type": "ltiResourceLink", "url": "https://tool.example/a", "title": "A",
            "iframe": {"width": 800, "height": 600}, "custom": {"a": "1"},
            "available": {"startDateTime": "2026-01-01T00:00:00Z", "endDateTime": "2026-02-01T00:00:00Z"}});
        assert!(check_item(0, &item, None).is_empty());
    }

    #[test]
    fn settings_flag_type_target_media_type_and_line_item() {
        let s = settings();
        let image = json!({"type": "image", "url": "https://x.example/i.png", "width": 0});
        assert_eq!(
            rules(&check_item(0, &image, Some(&s))),
            ["dl.item.accepted", "dl.item.dimensions"]
        );
        let link =
            json!({"type": "link", "url": "https://x.example", "window": {"targetName": "_blank"}});
        assert_eq!(rules(&check_item(1, &link, Some(&s))), ["dl.item.target"]);
        let file = json!({"type": "file", "url": "https://x.example/f.docx", "mediaType": "application/msword", "expiresAt": "tomorrow"});
        assert_eq!(
            rules(&check_item(2, &file, Some(&s))),
            ["dl.item.media_type", "dl.item.dates"]
        );
        let rl = json!({"type": "ltiResourceLink", "lineItem": {"scoreMaximum": 10}});
        let f = check_item(3, &rl, Some(&s));
        assert_eq!(rules(&f), ["dl.item.line_item"]);
        assert!(f[0].message.contains("accept_lineitem"), "{}", f[0].message);
    }

    #[test]
    fn hostile_and_broken_items_are_named_not_dropped() {
        let js = json!({"type": "link", "url": "javascript:alert(1)", "icon": {"url": "data:image/png;base64,AA"}});
        assert_eq!(
            rules(&check_item(0, &js, None)),
            ["dl.item.url", "dl.item.url"]
        );
        let unknown = json!({"type": "quiz"});
        assert_eq!(rules(&check_item(1, &unknown, None)), ["dl.item.type"]);
        assert!(check_item(2, &json!({"type": "https://vendor.example/type"}), None).is_empty());
        assert_eq!(rules(&check_item(3, &json!(7), None)), ["dl.item.fields"]);
        let html = json!({"type": "html", "html": "x".repeat(HTML_WARN_BYTES + 1)});
        assert_eq!(rules(&check_item(4, &html, None)), ["dl.item.size"]);
        assert_eq!(
            rules(&check_item(5, &json!({"type": "html"}), None)),
            ["dl.item.fields"]
        );
    }

    #[test]
    fn summary_has_one_finding_per_rule_even_for_ten_thousand_items() {
        let items: Vec<Value> = (0..10_000)
            .map(|i| json!({"type": "link", "url": format!("ftp://x/{i}")}))
            .collect();
        let s = DlSettings {
            accept_types: vec!["link".into()],
            accept_multiple: Some(false),
            ..Default::default()
        };
        let out = summarize(&items, Some(&s));
        assert_eq!(out.len(), RULES.len() + 1);
        let url = out.iter().find(|f| f.rule_id == "dl.item.url").unwrap();
        assert!(
            url.message.starts_with("10000 items:") && url.message.contains("and 9995 more"),
            "{}",
            url.message
        );
        assert!(out
            .iter()
            .find(|f| f.rule_id == "dl.item.multiple")
            .unwrap()
            .is_failed_error());
    }
}
