//! LTI Inspector's tool side: what an LMS launches into (the capture endpoint: OIDC login
//! initiation, the id_token form_post, platform storage, the tool's JWKS), the platforms it
//! trusts (registrations), and the service client that calls a platform's NRPS and AGS from a
//! captured launch. Its state is a [`ToolSide`]: the core plus this side's own caches.
//! Depends on the protocol crate and the core only; never on the platform side.

pub mod capture;
pub mod composer;
pub mod dynreg;
pub mod import;
pub mod lti11;
pub mod recheck;
pub mod registrations;
pub mod service_client;
mod state;
pub mod verdict_policy;

pub use state::{ToolConfig, ToolSide};
