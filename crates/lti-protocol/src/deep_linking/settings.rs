//! `deep_linking_settings` of an LtiDeepLinkingRequest (DL 2.0 §4.4.1), read leniently: a
//! malformed member is absent here (the request's own `dl.*` findings say why).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use ts_rs::TS;

use crate::vocab::claim;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct DlSettings {
    pub deep_link_return_url: Option<String>,
    pub accept_types: Vec<String>,
    pub accept_presentation_document_targets: Vec<String>,
    /// Comma-separated media types, `image/*` style wildcards allowed.
    pub accept_media_types: Option<String>,
    pub accept_multiple: Option<bool>,
    pub accept_lineitem: Option<bool>,
    pub auto_create: Option<bool>,
    pub title: Option<String>,
    pub text: Option<String>,
    /// Opaque: the response must echo it unaltered.
    #[ts(type = "unknown")]
    pub data: Option<Value>,
}

impl DlSettings {
    /// The settings of a request's claims, if it carries the claim as an object.
    pub fn of_payload(payload: &Map<String, Value>) -> Option<Self> {
        payload
            .get(claim::DL_SETTINGS)
            .and_then(Value::as_object)
            .map(Self::of_object)
    }

    pub fn of_object(o: &Map<String, Value>) -> Self {
        let s = |k: &str| o.get(k).and_then(Value::as_str).map(str::to_string);
        let b = |k: &str| o.get(k).and_then(Value::as_bool);
        let list = |k: &str| -> Vec<String> {
            o.get(k)
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default()
        };
        DlSettings {
            deep_link_return_url: s("deep_link_return_url"),
            accept_types: list("accept_types"),
            accept_presentation_document_targets: list("accept_presentation_document_targets"),
            accept_media_types: s("accept_media_types"),
            accept_multiple: b("accept_multiple"),
            accept_lineitem: b("accept_lineitem"),
            auto_create: b("auto_create"),
            title: s("title"),
            text: s("text"),
            data: o.get("data").cloned(),
        }
    }

    /// The claim object as a platform sends it (absent members left out).
    pub fn to_claim(&self) -> Map<String, Value> {
        let mut m = Map::new();
        let mut put = |k: &str, v: Option<Value>| {
            if let Some(v) = v {
                m.insert(k.into(), v);
            }
        };
        put(
            "deep_link_return_url",
            self.deep_link_return_url.clone().map(Value::from),
        );
        put("accept_types", Some(Value::from(self.accept_types.clone())));
        put(
            "accept_presentation_document_targets",
            Some(Value::from(
                self.accept_presentation_document_targets.clone(),
            )),
        );
        put(
            "accept_media_types",
            self.accept_media_types.clone().map(Value::from),
        );
        put("accept_multiple", self.accept_multiple.map(Value::from));
        put("accept_lineitem", self.accept_lineitem.map(Value::from));
        put("auto_create", self.auto_create.map(Value::from));
        put("title", self.title.clone().map(Value::from));
        put("text", self.text.clone().map(Value::from));
        put("data", self.data.clone());
        m
    }

    /// `data` as the response must echo it, as text (a string as is, anything else as JSON).
    pub fn data_text(&self) -> Option<String> {
        self.data.as_ref().map(|d| match d {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
    }

    /// Whether a media type is within `accept_media_types` (no setting accepts everything).
    pub fn accepts_media_type(&self, media_type: &str) -> bool {
        let Some(list) = &self.accept_media_types else {
            return true;
        };
        let mt = media_type
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        list.split(',')
            .map(|p| p.trim().to_ascii_lowercase())
            .any(|p| {
                p == "*/*"
                    || p == mt
                    || p.strip_suffix("/*")
                        .is_some_and(|major| mt.split('/').next() == Some(major))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_settings_and_media_wildcards() {
        let p = json!({claim::DL_SETTINGS: {
            "deep_link_return_url": "https://lms.example/dl", "accept_types": ["link", 3, "file"],
            "accept_presentation_document_targets": ["iframe"], "accept_media_types": "image/*, application/pdf",
            "accept_multiple": false, "data": {"x": 1}}});
        let s = DlSettings::of_payload(p.as_object().unwrap()).unwrap();
        assert_eq!(s.accept_types, ["link", "file"]);
        assert_eq!(s.accept_multiple, Some(false));
        assert!(s.accepts_media_type("image/png"));
        assert!(s.accepts_media_type("application/pdf; charset=binary"));
        assert!(!s.accepts_media_type("text/html"));
        assert_eq!(s.to_claim()["data"], json!({"x": 1}));
        assert!(DlSettings::default().accepts_media_type("text/html"));
    }
}
