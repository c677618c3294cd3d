//! LTI Inspector's engine: the capture endpoint (tool side), the store, the key store, the
//! command table shared by both front doors, and the HTTP front door used by
//! `lti-inspector serve`. No Tauri, no WebKit: it runs on a bare server.

pub mod api;
pub mod capture;
pub mod clock;
pub mod commands;
pub mod emulator;
pub mod engine;
pub mod error;
pub mod events;
pub mod flows;
pub mod har;
pub mod ids;
pub mod inspect;
pub mod keys;
pub mod keystore;
pub mod media;
pub mod outbound;
pub mod pages;
pub mod record;
pub mod registrations;
pub mod sensitive;
pub mod services;
pub mod store;
pub mod stored_message;
pub mod telemetry;

pub use engine::{Engine, EngineConfig};
pub use error::{ApiError, Error, ErrorCode, Result};
