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
    /// The database was written by a newer version of the app; it was kept untouched.
    DatabaseTooNew,
    /// The disk holding the data folder is full: nothing was written; writing resumes by
    /// itself once there is space again.
    StorageFull,
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
    #[error("the database was written by a newer LTI Inspector (schema {version}; this version knows up to {known}): update the app, or start with another data folder — it was left untouched")]
    DatabaseTooNew { version: String, known: String },
    #[error("the disk holding the data folder {path} is full, so this was not stored (nothing stored before was touched; recording resumes by itself once space is freed): {reason}")]
    StorageFull { path: String, reason: String },
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
    /// Whether this error means the disk is full: SQLite's SQLITE_FULL (it maps a write's
    /// ENOSPC to it) or an ENOSPC from the file system directly.
    pub fn is_disk_full(&self) -> bool {
        match self {
            Error::StorageFull { .. } => true,
            Error::Database(e) => e.sqlite_error_code() == Some(rusqlite::ErrorCode::DiskFull),
            Error::Io(e) => e.kind() == std::io::ErrorKind::StorageFull,
            _ => false,
        }
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            Error::KeychainUnavailable(_) => ErrorCode::KeychainUnavailable,
            Error::PortInUse { .. } => ErrorCode::PortInUse,
            Error::DatabaseCorrupt { .. } => ErrorCode::DatabaseCorrupt,
            Error::DatabaseTooNew { .. } => ErrorCode::DatabaseTooNew,
            Error::StorageFull { .. } => ErrorCode::StorageFull,
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

/// Handlers answer an error as its wire form with the matching status: a missing keychain is
/// 503 (the server works, its keys do not), bad input 400, a missing object 404, the rest 500.
impl axum::response::IntoResponse for Error {
    fn into_response(self) -> axum::response::Response {
        use axum::http::StatusCode;
        let status = match self.code() {
            ErrorCode::KeychainUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::StorageFull => StatusCode::INSUFFICIENT_STORAGE,
            ErrorCode::NotFound => StatusCode::NOT_FOUND,
            ErrorCode::BadRequest => StatusCode::BAD_REQUEST,
            ErrorCode::Unauthorized => StatusCode::UNAUTHORIZED,
            ErrorCode::UnknownCommand => StatusCode::NOT_FOUND,
            ErrorCode::PortInUse
            | ErrorCode::DatabaseCorrupt
            | ErrorCode::DatabaseTooNew
            | ErrorCode::Database
            | ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        };
        (status, axum::Json(ApiError::from(&self))).into_response()
    }
}

#[cfg(test)]
mod tests {
    use axum::response::IntoResponse;

    use super::*;

    #[test]
    fn errors_answer_with_their_status_and_code() {
        let res = Error::KeychainUnavailable("no Secret Service".into()).into_response();
        assert_eq!(res.status(), 503);
        assert_eq!(
            Error::NotFound("flow x".into()).into_response().status(),
            404
        );
        assert_eq!(Error::BadRequest("no".into()).into_response().status(), 400);
        assert_eq!(Error::Internal("boom".into()).into_response().status(), 500);
    }
}
