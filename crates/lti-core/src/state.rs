//! [`Core`]: what both sides hold — the store, the event stream, the signing keys, outbound
//! HTTP and the JWKS cache. Each side wraps one in its own state value with its own caches;
//! nothing here is process-wide, so several engines (tests) run side by side in one process.

use std::path::PathBuf;
use std::sync::Arc;

use crate::error::Result;
use crate::events::EventHub;
use crate::jwks_cache::JwksCache;
use crate::keystore::{self, KeyStoreChoice, KeystoreStatus};
use crate::outbound::Outbound;
use crate::signing_keys::KeyRing;
use crate::store::Store;

/// How the core is opened.
#[derive(Debug, Clone)]
pub struct CoreConfig {
    pub data_dir: PathBuf,
    pub key_store: KeyStoreChoice,
    /// Cap on an inbound request body (see [`crate::recorder::DEFAULT_BODY_LIMIT`]).
    pub body_limit: usize,
}

#[derive(Clone)]
pub struct Core {
    inner: Arc<Inner>,
}

struct Inner {
    config: CoreConfig,
    store: Store,
    events: EventHub,
    keys: KeyRing,
    outbound: Outbound,
    jwks: JwksCache,
    keystore_status: KeystoreStatus,
    model_announced: crate::model_changes::Announced,
    uploads: crate::uploads::Uploads,
}

impl Core {
    /// Opens the store and the key store. Fails only when the database cannot be used (corrupt
    /// or unwritable): without it nothing can be recorded. A missing keychain is kept in
    /// [`Core::keystore_status`] instead, so the app can say what is wrong.
    pub fn open(config: CoreConfig) -> Result<Self> {
        std::fs::create_dir_all(&config.data_dir)?;
        let db = config.data_dir.join("inspector.db");
        let store = Store::open(&db)?;
        private_files(&config.data_dir, &db);
        let (secrets, keystore_status) = keystore::open(&config.key_store);
        if let Some(e) = &keystore_status.error {
            tracing::warn!(code = ?e.code, message = %e.message, "key store unavailable");
        }
        let keys = KeyRing::new(store.clone(), secrets);
        let events = EventHub::default();
        let outbound = Outbound::new(store.clone(), events.clone());
        // A full disk, and its end, change what `get_status` says: the UI's banner re-reads it.
        let hub = events.clone();
        store.on_health_change(move || hub.emit(crate::events::EngineEvent::StatusChanged));
        let uploads = crate::uploads::Uploads::new(config.data_dir.join("uploads"));
        Ok(Self {
            inner: Arc::new(Inner {
                config,
                store,
                events,
                keys,
                outbound,
                jwks: JwksCache::default(),
                keystore_status,
                model_announced: Default::default(),
                uploads,
            }),
        })
    }

    pub fn config(&self) -> &CoreConfig {
        &self.inner.config
    }
    pub fn store(&self) -> &Store {
        &self.inner.store
    }
    pub fn events(&self) -> &EventHub {
        &self.inner.events
    }
    pub fn keys(&self) -> &KeyRing {
        &self.inner.keys
    }
    pub fn outbound(&self) -> &Outbound {
        &self.inner.outbound
    }
    /// Remote key sets (platforms' and tools' JWKS URLs), shared by both sides.
    pub fn jwks(&self) -> &JwksCache {
        &self.inner.jwks
    }
    pub fn keystore_status(&self) -> &KeystoreStatus {
        &self.inner.keystore_status
    }
    /// Files the front doors send in pieces, for import.
    pub fn uploads(&self) -> &crate::uploads::Uploads {
        &self.inner.uploads
    }
    pub(crate) fn model_announced(&self) -> &crate::model_changes::Announced {
        &self.inner.model_announced
    }
}

/// The data folder holds recorded launches (personal data) and exchanges with bearer tokens:
/// only its owner may read it (0700), and the database files are 0600 (issue 9, item 6).
/// Best effort: a folder the user chose on a filesystem without modes is used as it is.
fn private_files(dir: &std::path::Path, db: &std::path::Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let set = |p: &std::path::Path, mode: u32| {
            if p.exists() {
                if let Err(e) = std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)) {
                    tracing::warn!(path = %p.display(), error = %e, "could not restrict permissions");
                }
            }
        };
        set(dir, 0o700);
        for suffix in ["", "-wal", "-shm"] {
            set(
                std::path::Path::new(&format!("{}{suffix}", db.display())),
                0o600,
            );
        }
    }
    #[cfg(not(unix))]
    let _ = (dir, db);
}
