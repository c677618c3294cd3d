//! The OS keychain backend: Secret Service on Linux, Keychain on macOS, Credential Manager on
//! Windows, all through `keyring`.

use crate::error::{Error, Result};
use crate::sensitive::Sensitive;

use super::SecretBackend;

pub struct KeychainSecrets {
    service: String,
}

impl KeychainSecrets {
    pub fn new(service: &str) -> Self {
        Self {
            service: service.to_string(),
        }
    }

    fn entry(&self, name: &str) -> Result<keyring::Entry> {
        keyring::Entry::new(&self.service, name).map_err(map_err)
    }
}

fn map_err(e: keyring::Error) -> Error {
    match e {
        keyring::Error::PlatformFailure(_) | keyring::Error::NoStorageAccess(_) => {
            Error::KeychainUnavailable(format!(
                "{e}. On Linux a Secret Service (gnome-keyring or KeePassXC) must be running and unlocked; \
                 on a headless server use `serve --key-store file:PATH`"
            ))
        }
        other => Error::Internal(format!("keychain: {other}")),
    }
}

impl SecretBackend for KeychainSecrets {
    fn get(&self, name: &str) -> Result<Option<Sensitive<String>>> {
        match self.entry(name)?.get_password() {
            Ok(v) => Ok(Some(Sensitive::new(v))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(map_err(e)),
        }
    }

    fn set(&self, name: &str, value: &Sensitive<String>) -> Result<()> {
        self.entry(name)?
            .set_password(value.expose())
            .map_err(map_err)
    }

    fn delete(&self, name: &str) -> Result<()> {
        match self.entry(name)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(map_err(e)),
        }
    }

    fn probe(&self) -> Result<()> {
        // Reading an entry that does not exist reaches the daemon without changing anything.
        self.get("probe").map(|_| ())
    }

    fn describe(&self) -> String {
        let kind = if cfg!(target_os = "macos") {
            "macOS Keychain"
        } else if cfg!(windows) {
            "Windows Credential Manager"
        } else {
            "Secret Service"
        };
        format!("OS keychain ({kind}, service \"{}\")", self.service)
    }
}
