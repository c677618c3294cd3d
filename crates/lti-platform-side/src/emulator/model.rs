//! The emulator's domain: courses, users, enrollments, registered tools and their deployments,
//! resource links, line items and grades — as the UI and the service endpoints see them — and
//! the vocabularies they use (role URIs, service scopes, media types).

use std::collections::BTreeMap;

use lti_protocol::jwk::Jwks;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The vocabulary the emulator uses (scopes, service media types, roles, message types).
pub use lti_protocol::vocab::{media, message, role, scope};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct EmulatorCourse {
    /// Internal id, used in the service URLs.
    pub id: String,
    /// The LTI `context.id`.
    pub context_id: String,
    pub label: String,
    pub title: String,
    /// `context.type` URIs.
    pub types: Vec<String>,
    #[ts(optional = nullable)]
    pub sourcedid: Option<String>,
    pub demo: bool,
    #[ts(type = "number")]
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct EmulatorUser {
    /// The LTI `sub`.
    pub id: String,
    pub given_name: String,
    pub family_name: String,
    pub name: String,
    #[ts(optional = nullable)]
    pub email: Option<String>,
    #[ts(optional = nullable)]
    pub picture: Option<String>,
    #[ts(optional = nullable)]
    pub locale: Option<String>,
    /// `lis.person_sourcedid`.
    #[ts(optional = nullable)]
    pub sourcedid: Option<String>,
    pub system_roles: Vec<String>,
    pub institution_roles: Vec<String>,
    pub demo: bool,
}

/// A user's membership of a course.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Enrollment {
    pub course_id: String,
    pub user_id: String,
    /// Full context role URIs (membership#Instructor, membership/Instructor#TeachingAssistant…).
    pub roles: Vec<String>,
    /// Active | Inactive | Deleted
    pub status: String,
    /// Users this member mentors (sent as role_scope_mentor with the Mentor role).
    #[ts(optional = nullable)]
    pub mentees: Option<Vec<String>>,
    #[ts(type = "number")]
    pub updated_at: i64,
}

/// A tool registered in the emulator (what an LMS admin enters for a tool).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct EmulatorTool {
    pub id: String,
    pub name: String,
    pub client_id: String,
    /// OIDC third-party login initiation URL.
    pub login_url: String,
    /// Redirect URIs, matched exactly against the authentication request.
    pub redirect_uris: Vec<String>,
    /// Default target link URI of resource link launches.
    pub target_link_uri: String,
    /// Target link URI of deep linking requests (the default target when absent).
    #[ts(optional = nullable)]
    pub deep_link_url: Option<String>,
    #[ts(optional = nullable)]
    pub jwks_url: Option<String>,
    /// A pasted public key, normalised to a key set.
    #[ts(optional = nullable)]
    pub public_jwks: Option<Jwks>,
    /// Custom parameters of every launch; values may use substitution variables ($User.id…).
    pub custom: BTreeMap<String, String>,
    /// Granted service scopes (AGS, NRPS).
    pub scopes: Vec<String>,
    pub deployment_ids: Vec<String>,
    pub demo: bool,
    #[ts(type = "number")]
    pub created_at: i64,
    #[ts(type = "number")]
    pub updated_at: i64,
}

impl EmulatorTool {
    pub fn has_scope(&self, s: &str) -> bool {
        self.scopes.iter().any(|x| x == s)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ResourceLink {
    /// The LTI `resource_link.id`.
    pub id: String,
    pub course_id: String,
    pub tool_id: String,
    pub title: String,
    #[ts(optional = nullable)]
    pub description: Option<String>,
    /// Target link URI; None = the tool's default.
    #[ts(optional = nullable)]
    pub url: Option<String>,
    pub custom: BTreeMap<String, String>,
    /// demo | manual | deep_linking
    pub source: String,
    #[ts(type = "number")]
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct LineItem {
    pub id: String,
    pub course_id: String,
    pub tool_id: String,
    #[ts(optional = nullable)]
    pub resource_link_id: Option<String>,
    pub label: String,
    pub score_maximum: f64,
    #[ts(optional = nullable)]
    pub resource_id: Option<String>,
    #[ts(optional = nullable)]
    pub tag: Option<String>,
    #[ts(optional = nullable)]
    pub start_date_time: Option<String>,
    #[ts(optional = nullable)]
    pub end_date_time: Option<String>,
    #[ts(optional = nullable)]
    pub grades_released: Option<bool>,
    #[ts(type = "number")]
    pub created_at: i64,
    #[ts(type = "number")]
    pub updated_at: i64,
}

/// The current grade of one user for one line item (the AGS result), from the latest score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct GradeCell {
    pub line_item_id: String,
    pub user_id: String,
    #[ts(optional = nullable)]
    pub score_given: Option<f64>,
    #[ts(optional = nullable)]
    pub score_maximum: Option<f64>,
    /// scoreGiven scaled to the line item's scoreMaximum.
    #[ts(optional = nullable)]
    pub result_score: Option<f64>,
    #[ts(optional = nullable)]
    pub result_maximum: Option<f64>,
    #[ts(optional = nullable)]
    pub comment: Option<String>,
    pub activity_progress: String,
    pub grading_progress: String,
    /// The score's timestamp as the tool sent it.
    pub timestamp: String,
    #[ts(type = "number")]
    pub updated_at: i64,
}

/// An item a tool returned through deep linking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ContentItem {
    #[ts(type = "number")]
    pub id: i64,
    pub course_id: String,
    pub tool_id: String,
    pub item_type: String,
    pub item: serde_json::Value,
    #[ts(optional = nullable)]
    pub resource_link_id: Option<String>,
    #[ts(optional = nullable)]
    pub line_item_id: Option<String>,
    #[ts(optional = nullable)]
    pub flow_id: Option<String>,
    #[ts(type = "number")]
    pub created_at: i64,
}

/// One launch the emulator started (its id is the opaque `lti_message_hint`).
#[derive(Debug, Clone, PartialEq)]
pub struct Launch {
    pub id: String,
    pub flow_id: String,
    pub tool_id: String,
    pub user_id: String,
    pub course_id: String,
    pub deployment_id: String,
    pub message_type: String,
    pub resource_link_id: Option<String>,
    pub for_user_id: Option<String>,
    pub target_link_uri: String,
    pub negative: Option<super::launch::NegativeTest>,
    pub document_target: String,
    pub storage_target: Option<String>,
    pub dl_data: Option<String>,
    pub created_at: i64,
    pub used_at: Option<i64>,
    /// Re-mint: a captured launch's claims laid over the built ones (see `remint`).
    pub claims_override: Option<serde_json::Map<String, serde_json::Value>>,
    /// Deep linking: the settings offered (the return URL is added when the claims are built).
    pub dl_settings: Option<lti_protocol::deep_linking::DlSettings>,
    /// Migration: the emulator 1.1 tool whose key and secret sign the lti1p1 claim.
    pub lti11_tool_id: Option<String>,
}

/// An access token the token endpoint issued.
#[derive(Debug, Clone, PartialEq)]
pub struct AccessToken {
    pub token: String,
    pub tool_id: String,
    pub scopes: Vec<String>,
    pub flow_id: String,
    pub expires_at: i64,
}
