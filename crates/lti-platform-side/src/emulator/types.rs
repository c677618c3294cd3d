//! Request and response types of the emulator's commands (generated into the UI's bindings).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::model::*;

/// A user's place in a course.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct CourseMember {
    pub user: EmulatorUser,
    pub roles: Vec<String>,
    /// Active | Inactive | Deleted
    pub status: String,
}

/// A course with its roster, links, gradebook columns and deep-linked items.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct CourseView {
    pub course: EmulatorCourse,
    pub members: Vec<CourseMember>,
    pub resource_links: Vec<ResourceLink>,
    pub line_items: Vec<LineItem>,
    pub content_items: Vec<ContentItem>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct GradebookArgs {
    pub course_id: String,
}

/// Line items × members: the course's gradebook as tools posted to it.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct Gradebook {
    pub course: EmulatorCourse,
    pub line_items: Vec<GradebookColumn>,
    pub members: Vec<CourseMember>,
    pub cells: Vec<GradeCell>,
    /// Grades LTI 1.1 tools sent by Basic Outcomes.
    pub lti11: Vec<super::lti11::outcomes::Lti11Grade>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct GradebookColumn {
    pub line_item: LineItem,
    pub tool_name: String,
}

/// What to register a tool with (the emulator's "developer key" form).
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct ToolInput {
    /// Present to update a registered tool.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub id: Option<String>,
    #[serde(default)]
    pub name: String,
    /// Generated when absent.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub client_id: Option<String>,
    pub login_url: String,
    pub redirect_uris: Vec<String>,
    /// Defaults to the first redirect URI.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub target_link_uri: Option<String>,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub deep_link_url: Option<String>,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub jwks_url: Option<String>,
    /// A pasted public key: JWK, JWKS or PEM.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub public_key: Option<String>,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub custom: Option<BTreeMap<String, String>>,
    /// Granted service scopes; absent = every AGS and NRPS scope.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub scopes: Option<Vec<String>>,
    /// A deployment id to add (generated for a new tool when absent).
    #[serde(default)]
    #[ts(optional = nullable)]
    pub deployment_id: Option<String>,
    /// Deploy only in this course (default: platform-wide).
    #[serde(default)]
    #[ts(optional = nullable)]
    pub course_id: Option<String>,
}

/// A resource link to place in a course.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct ResourceLinkInput {
    pub course_id: String,
    pub tool_id: String,
    pub title: String,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub description: Option<String>,
    /// Target link URI; default the tool's.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub url: Option<String>,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub custom: Option<BTreeMap<String, String>>,
    /// Creates a line item bound to the link (declarative grading) with this maximum.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub score_maximum: Option<f64>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct UserInput {
    /// The `sub`; generated when absent.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub id: Option<String>,
    pub given_name: String,
    pub family_name: String,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub email: Option<String>,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub picture: Option<String>,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub system_roles: Option<Vec<String>>,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub institution_roles: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct CourseInput {
    #[serde(default)]
    #[ts(optional = nullable)]
    pub id: Option<String>,
    /// The LTI context.id; generated when absent.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub context_id: Option<String>,
    pub label: String,
    pub title: String,
}

/// Sets a user's context roles in a course (short names like `TeachingAssistant`, `Mentor`,
/// `TestUser` or full role URIs); status Deleted removes the member (NRPS reports it).
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct EnrollmentInput {
    pub course_id: String,
    pub user_id: String,
    pub roles: Vec<String>,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub status: Option<String>,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub mentees: Option<Vec<String>>,
}

/// What a tool needs to register the emulator as its platform.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct EmulatorSetup {
    pub issuer: String,
    pub auth_endpoint: String,
    pub token_endpoint: String,
    pub jwks_url: String,
    pub openid_configuration: String,
    #[ts(optional = nullable)]
    pub kid: Option<String>,
    pub running: bool,
}
