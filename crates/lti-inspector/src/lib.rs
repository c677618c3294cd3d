//! LTI Inspector's engine: composes the core, the tool side (capture endpoint and service
//! client) and the platform side (emulator) into one engine; holds the command table shared by
//! both front doors, the HTTP front door used by `lti-inspector serve`, and the headless CLI.
//! No Tauri, no WebKit: it runs on a bare server.

pub mod api;
pub mod bench;
pub mod commands;
pub mod demo;
pub mod engine;
pub mod replay;
pub mod resend;
pub mod serve_child;
pub mod telemetry;

pub use engine::{Engine, EngineConfig};
/// The desktop shell depends on this crate alone: what it needs of the core is re-exported.
pub use lti_core::{events, ids, ApiError, Error, ErrorCode, Result};
