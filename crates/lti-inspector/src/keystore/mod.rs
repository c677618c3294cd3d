//! Secrets (private keys, shared secrets) live only here: in the OS keychain through `keyring`,
//! or — for headless servers that opt in explicitly — in a 0600 file. Values come back wrapped
//! in `Sensitive` so they cannot be logged by accident.

mod file;
mod keychain;

use std::path::PathBuf;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{ApiError, Result};
use crate::sensitive::Sensitive;

pub use file::FileSecrets;
pub use keychain::KeychainSecrets;

pub trait SecretBackend: Send + Sync {
    fn get(&self, name: &str) -> Result<Option<Sensitive<String>>>;
    fn set(&self, name: &str, value: &Sensitive<String>) -> Result<()>;
    fn delete(&self, name: &str) -> Result<()>;
    /// Checks the backend can be reached now (the keychain daemon answers, the file is usable).
    fn probe(&self) -> Result<()>;
    fn describe(&self) -> String;
}

/// Which backend to use, as chosen on the command line (`--key-store`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyStoreChoice {
    /// The OS keychain (default everywhere).
    Keychain,
    /// `file:PATH` — an explicit opt-in for servers without a keychain.
    File(PathBuf),
}

impl std::str::FromStr for KeyStoreChoice {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "keychain" | "os" => Ok(Self::Keychain),
            _ => match s.strip_prefix("file:") {
                Some(p) if !p.is_empty() => Ok(Self::File(PathBuf::from(p))),
                _ => Err(format!("expected `keychain` or `file:PATH`, got {s:?}")),
            },
        }
    }
}

/// What the UI shows about the key store.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct KeystoreStatus {
    /// "keychain (Secret Service)", "file /path (opt-in)", …
    pub backend: String,
    pub ok: bool,
    #[ts(optional = nullable)]
    pub error: Option<ApiError>,
    /// Set when the file store is in use: keys are protected only by file permissions.
    #[ts(optional = nullable)]
    pub warning: Option<String>,
}

/// Keychain service names differ between debug and release builds so development never touches
/// a user's real keys.
pub fn service_name() -> &'static str {
    if cfg!(debug_assertions) {
        "lti-inspector-dev"
    } else {
        "lti-inspector"
    }
}

pub fn open(choice: &KeyStoreChoice) -> (Arc<dyn SecretBackend>, KeystoreStatus) {
    let backend: Arc<dyn SecretBackend> = match choice {
        KeyStoreChoice::Keychain => Arc::new(KeychainSecrets::new(service_name())),
        KeyStoreChoice::File(path) => Arc::new(FileSecrets::new(path.clone())),
    };
    let warning = match choice {
        KeyStoreChoice::File(p) => Some(format!(
            "private keys are stored in {} (mode 0600) instead of the OS keychain, as requested with --key-store",
            p.display()
        )),
        KeyStoreChoice::Keychain => None,
    };
    let status = match backend.probe() {
        Ok(()) => KeystoreStatus {
            backend: backend.describe(),
            ok: true,
            error: None,
            warning,
        },
        Err(e) => KeystoreStatus {
            backend: backend.describe(),
            ok: false,
            error: Some(ApiError::from(&e)),
            warning,
        },
    };
    (backend, status)
}
