//! Request and response types of the command table that belong to no other module.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use lti_core::error::ApiError;

pub use lti_core::command_args::{Deleted, IdArgs, IdsArgs, NoArgs};

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct ListExchangesArgs {
    #[serde(default)]
    #[ts(optional = nullable)]
    pub limit: Option<u32>,
    #[serde(default)]
    #[ts(optional = nullable, type = "number")]
    pub before_id: Option<i64>,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub flow_id: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct GetExchangeArgs {
    #[ts(type = "number")]
    pub id: i64,
    /// Secrets (bearer tokens, assertions, cookies, token responses) come masked unless this
    /// is true: the user clicked "Reveal".
    #[serde(default)]
    #[ts(optional = nullable)]
    pub reveal: Option<bool>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct ListFlowsArgs {
    #[serde(default)]
    #[ts(optional = nullable)]
    pub limit: Option<u32>,
    /// Page backwards: flows that started before this time (unix ms), e.g. the oldest shown;
    /// with a text query, the `seq` of the last flow shown.
    #[serde(default)]
    #[ts(optional = nullable, type = "number")]
    pub before: Option<i64>,
    /// The filter box's query, run in the store over every flow: free text, `user:`, `rule:`,
    /// `verdict:`, `side:`, `since:`… (see `lti_core::search`).
    #[serde(default)]
    #[ts(optional = nullable)]
    pub query: Option<String>,
}

/// What an LMS administrator needs to register the inspector as a tool.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ToolSetup {
    #[ts(optional = nullable)]
    pub base_url: Option<String>,
    /// OIDC third-party login initiation URL.
    #[ts(optional = nullable)]
    pub login_url: Option<String>,
    /// redirect_uri and target link URI for resource link launches.
    #[ts(optional = nullable)]
    pub launch_url: Option<String>,
    #[ts(optional = nullable)]
    pub deep_link_url: Option<String>,
    #[ts(optional = nullable)]
    pub jwks_url: Option<String>,
    /// LTI Dynamic Registration: the URL to paste into an LMS's "register by URL" form.
    #[ts(optional = nullable)]
    pub registration_url: Option<String>,
    /// LTI 1.1 launch URL (consumer key and secret are registered under Platforms).
    #[ts(optional = nullable)]
    pub lti11_launch_url: Option<String>,
    #[ts(optional = nullable)]
    pub kid: Option<String>,
    /// The public JWK as pretty JSON (Canvas "Public JWK", Brightspace, Blackboard).
    #[ts(optional = nullable)]
    pub public_jwk_json: Option<String>,
    /// SubjectPublicKeyInfo PEM (Moodle "RSA key").
    #[ts(optional = nullable)]
    pub public_pem: Option<String>,
    /// Why URLs or keys are missing (port busy, keychain unavailable).
    pub problems: Vec<ApiError>,
}

#[derive(Debug, Clone, Deserialize, TS)]
pub struct FlowPinArgs {
    pub id: String,
    pub pinned: bool,
}

#[derive(Debug, Clone, Deserialize, TS)]
pub struct FlowNoteArgs {
    pub id: String,
    /// Empty clears the note.
    pub note: String,
}

#[derive(Debug, Clone, Deserialize, TS)]
pub struct RetentionArgs {
    #[serde(default)]
    #[ts(optional = nullable)]
    pub days: Option<u32>,
}
