//! The engine's error type and its wire form `{code, message}`: errors cross both front doors
//! (Tauri IPC and the HTTP API) as a stable code the UI can switch on, never as a string to match.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Stable error codes shared with the UI (generated into TypeScript).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// No OS keychain could be reached (no Secret Service on Linux, locked keychain…).
    KeychainUnavailable,
    /// A server could not bind its port (usually another instance is running).
    PortInUse,
    /// The database file exists but is not a usable SQLite database; it was kept untouched.
    DatabaseCorrupt,
    Database,
    NotFound,
    BadRequest,
    Unauthorized,
    UnknownCommand,
    Internal,
}

/// What crosses the IPC boundary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}: {}", self.code, self.message)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("no OS keychain is available: {0}")]
    KeychainUnavailable(String),
    #[error(
        "port {port} on {host} is already in use (is another LTI Inspector running?): {source}"
    )]
    PortInUse {
        host: String,
        port: u16,
        source: std::io::Error,
    },
    #[error("database {path} is not a usable SQLite database ({reason}); it was left untouched — move it aside to start fresh")]
    DatabaseCorrupt { path: String, reason: String },
    #[error("database error: {0}")]
    Database(#[from] rusqlite::Error),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("key error: {0}")]
    Key(#[from] lti_protocol::keys::KeyError),
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Internal(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::KeychainUnavailable(_) => ErrorCode::KeychainUnavailable,
            Error::PortInUse { .. } => ErrorCode::PortInUse,
            Error::DatabaseCorrupt { .. } => ErrorCode::DatabaseCorrupt,
            Error::Database(_) => ErrorCode::Database,
            Error::NotFound(_) => ErrorCode::NotFound,
            Error::BadRequest(_) => ErrorCode::BadRequest,
            Error::Key(_) | Error::Io(_) | Error::Internal(_) => ErrorCode::Internal,
        }
    }
}

impl From<&Error> for ApiError {
    fn from(e: &Error) -> Self {
        ApiError::new(e.code(), e.to_string())
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        ApiError::from(&e)
    }
}
