//! Signing keys of the inspector's two roles (tool and emulator): created on first start, the
//! private half stored only in the secret backend, the public half (kid, JWK, PEM) in the
//! database, and loaded keys cached in memory for signing.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use base64::Engine as _;
use lti_protocol::jwk::{Jwk, Jwks};
use lti_protocol::keys::{PrivateKeyDer, SigningKey};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::keystore::SecretBackend;
use crate::sensitive::Sensitive;
use crate::store::{self, KeyRow, Store};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum KeyRole {
    Tool,
    Emulator,
}

impl KeyRole {
    pub fn as_str(self) -> &'static str {
        match self {
            KeyRole::Tool => "tool",
            KeyRole::Emulator => "emulator",
        }
    }
}

/// A key as the Keys page shows it: public material only.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct KeyInfo {
    pub kid: String,
    pub role: String,
    pub public_jwk: Jwk,
    pub public_pem: String,
    #[ts(type = "number")]
    pub created_at: i64,
    pub active: bool,
    /// Where the private half lives (a keychain entry name), never the key itself.
    pub secret_ref: String,
}

impl From<KeyRow> for KeyInfo {
    fn from(r: KeyRow) -> Self {
        KeyInfo {
            public_jwk: serde_json::from_str(&r.public_jwk).unwrap_or(Jwk {
                kty: "RSA".into(),
                kid: Some(r.kid.clone()),
                alg: None,
                key_use: None,
                n: None,
                e: None,
                extra: Default::default(),
            }),
            kid: r.kid,
            role: r.role,
            public_pem: r.public_pem,
            created_at: r.created_at,
            active: r.active,
            secret_ref: r.secret_ref,
        }
    }
}

const KEYCHAIN_DEADLINE: std::time::Duration = std::time::Duration::from_secs(10);

async fn with_deadline<T>(task: tokio::task::JoinHandle<Result<T>>) -> Result<T> {
    match tokio::time::timeout(KEYCHAIN_DEADLINE, task).await {
        Ok(Ok(result)) => result,
        Ok(Err(e)) => Err(Error::Internal(format!("keychain task failed: {e}"))),
        Err(_) => Err(Error::KeychainUnavailable(format!(
            "the keychain did not answer within {} s (locked, or waiting for a password prompt)",
            KEYCHAIN_DEADLINE.as_secs()
        ))),
    }
}

pub struct KeyRing {
    store: Store,
    secrets: Arc<dyn SecretBackend>,
    loaded: RwLock<HashMap<KeyRole, Arc<SigningKey>>>,
    /// Serialises first-use loading so two callers never generate two keys for one role.
    loading: tokio::sync::Mutex<()>,
}

impl KeyRing {
    pub fn new(store: Store, secrets: Arc<dyn SecretBackend>) -> Self {
        Self {
            store,
            secrets,
            loaded: RwLock::new(HashMap::new()),
            loading: tokio::sync::Mutex::new(()),
        }
    }

    /// The active key of `role`, generating and storing one on first use.
    pub async fn signing_key(&self, role: KeyRole) -> Result<Arc<SigningKey>> {
        if let Some(k) = self.loaded.read().expect("keys lock").get(&role) {
            return Ok(k.clone());
        }
        let _loading = self.loading.lock().await;
        if let Some(k) = self.loaded.read().expect("keys lock").get(&role) {
            return Ok(k.clone());
        }
        let row = {
            let role_s = role.as_str();
            self.store
                .read(move |c| store::key_rows::active_for_role(c, role_s))
                .await?
        };
        let key = match row {
            Some(row) => match self.secret_get(row.secret_ref.clone()).await? {
                Some(secret) => {
                    let der = base64::engine::general_purpose::STANDARD
                        .decode(secret.expose())
                        .map_err(|e| {
                            Error::Internal(format!(
                                "keychain entry {} is not base64: {e}",
                                row.secret_ref
                            ))
                        })?;
                    SigningKey::from_pkcs8(&PrivateKeyDer::from_bytes(der))?
                }
                None => {
                    // The keychain lost the private half (wiped, other machine): make a new key
                    // rather than fail; the old row stays for the record.
                    tracing::warn!(kid = %row.kid, "private key missing from the keychain; generating a new one");
                    self.create(role).await?
                }
            },
            None => self.create(role).await?,
        };
        let key = Arc::new(key);
        self.loaded
            .write()
            .expect("keys lock")
            .insert(role, key.clone());
        Ok(key)
    }

    async fn create(&self, role: KeyRole) -> Result<SigningKey> {
        let key = tokio::task::spawn_blocking(SigningKey::generate)
            .await
            .map_err(|e| Error::Internal(e.to_string()))??;
        let secret_ref = format!("{}-signing-key:{}", role.as_str(), key.kid());
        let der = key.to_pkcs8()?;
        let encoded =
            Sensitive::new(base64::engine::general_purpose::STANDARD.encode(der.as_bytes()));
        // Keychain first: a row without its secret would be a key nobody can sign with.
        self.secret_set(secret_ref.clone(), encoded).await?;
        let row = KeyRow {
            kid: key.kid().to_string(),
            role: role.as_str().to_string(),
            public_jwk: serde_json::to_string(&key.public_jwk())
                .map_err(|e| Error::Internal(e.to_string()))?,
            public_pem: key.public_pem()?,
            secret_ref,
            created_at: crate::clock::now_ms(),
            active: true,
        };
        let role_s = role.as_str().to_string();
        let created = self
            .store
            .write(move |tx| {
                tx.execute("UPDATE keys SET active = 0 WHERE role = ?1", [role_s])?;
                store::key_rows::insert(tx, &row)
            })
            .await;
        created?;
        tracing::info!(
            kid = key.kid(),
            role = role.as_str(),
            "generated signing key"
        );
        Ok(key)
    }

    /// Keychain calls are blocking D-Bus/OS calls that a locked keychain can hold indefinitely:
    /// run them off the async workers, with a deadline.
    async fn secret_get(&self, name: String) -> Result<Option<Sensitive<String>>> {
        let secrets = self.secrets.clone();
        with_deadline(tokio::task::spawn_blocking(move || secrets.get(&name))).await
    }

    async fn secret_set(&self, name: String, value: Sensitive<String>) -> Result<()> {
        let secrets = self.secrets.clone();
        with_deadline(tokio::task::spawn_blocking(move || {
            secrets.set(&name, &value)
        }))
        .await
    }

    /// A shared secret kept in the key store under `name` (LTI 1.1 consumer secrets): the
    /// database holds only the name.
    pub async fn shared_secret(&self, name: &str) -> Result<Option<Sensitive<String>>> {
        self.secret_get(name.to_string()).await
    }

    pub async fn set_shared_secret(&self, name: &str, value: Sensitive<String>) -> Result<()> {
        self.secret_set(name.to_string(), value).await
    }

    pub async fn delete_shared_secret(&self, name: &str) -> Result<()> {
        let secrets = self.secrets.clone();
        let name = name.to_string();
        with_deadline(tokio::task::spawn_blocking(move || secrets.delete(&name))).await
    }

    pub async fn list(&self) -> Result<Vec<KeyInfo>> {
        let rows = self.store.read(store::key_rows::list).await?;
        Ok(rows.into_iter().map(KeyInfo::from).collect())
    }

    /// The public key set a role serves: the active key first, then retired ones (kept so tokens
    /// signed just before a rotation still verify).
    pub async fn jwks(&self, role: KeyRole) -> Result<Jwks> {
        let keys = self.list().await?;
        let mut out: Vec<&KeyInfo> = keys.iter().filter(|k| k.role == role.as_str()).collect();
        out.sort_by_key(|k| !k.active);
        Ok(Jwks {
            keys: out.into_iter().map(|k| k.public_jwk.clone()).collect(),
        })
    }
}
