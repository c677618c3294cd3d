//! Sensible items of every content item type, filled in one click: each carries the type's
//! optional members too, so a platform's handling of all of them is exercised.

use serde_json::{json, Value};

use super::items::TYPES;
use super::DlSettings;

/// A preset item of `item_type` whose links point at `tool_base` (the tool's own origin, so an
/// `ltiResourceLink` launches back into the inspector).
pub fn preset(item_type: &str, tool_base: &str) -> Option<Value> {
    let base = tool_base.trim_end_matches('/');
    Some(match item_type {
        "ltiResourceLink" => json!({
            "type": "ltiResourceLink",
            "title": "Week 1 quiz",
            "text": "A graded activity created by LTI Inspector's deep linking composer.",
            "url": format!("{base}/lti/launch"),
            "icon": {"url": "https://www.imsglobal.org/sites/default/files/1edtech-logo.png", "width": 100, "height": 100},
            "thumbnail": {"url": "https://www.imsglobal.org/sites/default/files/1edtech-logo.png", "width": 90, "height": 90},
            "window": {"targetName": "quiz", "width": 800, "height": 600},
            "iframe": {"width": 800, "height": 600},
            "custom": {"quiz_id": "week-1", "attempts": "2"},
            "lineItem": {"scoreMaximum": 10, "label": "Week 1 quiz", "resourceId": "quiz-week-1", "tag": "quiz", "gradesReleased": true},
            "available": {"startDateTime": "2026-09-01T08:00:00Z", "endDateTime": "2026-12-20T23:59:59Z"},
            "submission": {"startDateTime": "2026-09-01T08:00:00Z", "endDateTime": "2026-09-08T23:59:59Z"}
        }),
        "link" => json!({
            "type": "link",
            "title": "LTI Core specification",
            "text": "The 1EdTech LTI 1.3 Core specification.",
            "url": "https://www.imsglobal.org/spec/lti/v1p3/",
            "icon": {"url": "https://www.imsglobal.org/sites/default/files/1edtech-logo.png", "width": 100, "height": 100},
            "window": {"targetName": "_blank"}
        }),
        "html" => json!({
            "type": "html",
            "title": "Welcome note",
            "text": "An HTML fragment placed in the course.",
            "html": "<h2>Welcome</h2><p>This fragment was returned by a <em>deep linking</em> tool.</p><ul><li>Read the syllabus</li><li>Take the Week 1 quiz</li></ul>"
        }),
        "image" => json!({
            "type": "image",
            "title": "Course banner",
            "url": "https://www.imsglobal.org/sites/default/files/1edtech-logo.png",
            "width": 320,
            "height": 120
        }),
        "file" => json!({
            "type": "file",
            "title": "Syllabus (PDF)",
            "text": "Download the syllabus.",
            "url": "https://www.imsglobal.org/sites/default/files/specs/lti-brochure.pdf",
            "mediaType": "application/pdf",
            "expiresAt": "2027-12-31T23:59:59Z"
        }),
        _ => return None,
    })
}

/// The composer's first draft: one preset of each accepted type (only the first when the
/// request accepts a single item), or an ltiResourceLink when the request lists none.
pub fn first_draft(settings: &DlSettings, tool_base: &str) -> Vec<Value> {
    let mut items: Vec<Value> = settings
        .accept_types
        .iter()
        .filter_map(|t| preset(t, tool_base))
        .collect();
    if items.is_empty() {
        items.extend(preset("ltiResourceLink", tool_base));
    }
    if settings.accept_multiple == Some(false) {
        items.truncate(1);
    }
    items
}

/// Every type a preset exists for.
pub fn types() -> &'static [&'static str] {
    TYPES
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deep_linking::items::check_item;

    #[test]
    fn every_preset_passes_its_own_checks() {
        let s = DlSettings {
            accept_types: TYPES.iter().map(|t| t.to_string()).collect(),
            accept_presentation_document_targets: vec![
                "iframe".into(),
                "window".into(),
                "embed".into(),
            ],
            accept_media_types: Some("image/*,application/pdf".into()),
            accept_multiple: Some(true),
            accept_lineitem: Some(true),
            ..Default::default()
        };
        for (i, t) in TYPES.iter().enumerate() {
            let p = preset(t, "http://127.0.0.1:7878/").unwrap();
            assert_eq!(p["type"], *t);
            assert!(
                check_item(i, &p, Some(&s)).is_empty(),
                "{t}: {:?}",
                check_item(i, &p, Some(&s))
            );
        }
        assert_eq!(first_draft(&s, "http://x").len(), 5);
        let single = DlSettings {
            accept_multiple: Some(false),
            ..s
        };
        assert_eq!(first_draft(&single, "http://x").len(), 1);
    }
}
