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

/// How long the start-up probe waits: a locked keychain may wait forever on a password prompt
/// nobody sees (headless sessions), and the app must still start and say so.
const PROBE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(3);

fn probe_with_timeout(backend: Arc<dyn SecretBackend>, timeout: std::time::Duration) -> Result<()> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("keychain-probe".into())
        .spawn(move || {
            let _ = tx.send(backend.probe());
        })
        .map_err(crate::error::Error::Io)?;
    match rx.recv_timeout(timeout) {
        Ok(result) => result,
        Err(_) => Err(crate::error::Error::KeychainUnavailable(format!(
            "the keychain did not answer within {} s: it is probably locked and waiting for a password prompt",
            timeout.as_secs()
        ))),
    }
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
    let status = match probe_with_timeout(backend.clone(), PROBE_TIMEOUT) {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A keychain that never answers (locked, waiting on an invisible prompt).
    struct Hanging;
    impl SecretBackend for Hanging {
        fn get(&self, _: &str) -> Result<Option<Sensitive<String>>> {
            std::thread::sleep(std::time::Duration::from_secs(30));
            Ok(None)
        }
        fn set(&self, _: &str, _: &Sensitive<String>) -> Result<()> {
            Ok(())
        }
        fn delete(&self, _: &str) -> Result<()> {
            Ok(())
        }
        fn probe(&self) -> Result<()> {
            self.get("probe").map(|_| ())
        }
        fn describe(&self) -> String {
            "hanging".into()
        }
    }

    #[test]
    fn a_keychain_that_never_answers_is_reported_not_waited_for() {
        let started = std::time::Instant::now();
        let err = probe_with_timeout(Arc::new(Hanging), std::time::Duration::from_millis(200))
            .unwrap_err();
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
        assert_eq!(err.code(), crate::error::ErrorCode::KeychainUnavailable);
        assert!(err.to_string().contains("did not answer"), "{err}");
    }
}
