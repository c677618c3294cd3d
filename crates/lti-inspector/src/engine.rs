//! The engine: store, keys, event hub and the servers, started the same way by the desktop app
//! and by `lti-inspector serve`. Degraded states (no keychain, busy port) are kept in the status
//! the UI shows instead of aborting, so the user always gets a window that says what is wrong.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;
use ts_rs::TS;

use crate::error::{ApiError, Error, Result};
use crate::events::EventHub;
use crate::keys::KeyRing;
use crate::keystore::{self, KeyStoreChoice, KeystoreStatus};
use crate::store::Store;

pub const DEFAULT_UI_PORT: u16 = 4470;
pub const DEFAULT_TOOL_PORT: u16 = 4471;
pub const DEFAULT_EMULATOR_PORT: u16 = 4472;

#[derive(Debug, Clone)]
pub struct EngineConfig {
    pub data_dir: PathBuf,
    /// 0 picks a free port (tests); the default is stable because LMS registrations point at it.
    pub tool_port: u16,
    pub emulator_port: u16,
    pub key_store: KeyStoreChoice,
    /// Host name in the URLs we hand out (`localhost` by default; see DESIGN "Addresses").
    pub tool_host: String,
    /// Host name of the emulator's URLs. `localhost` (default) keeps both sides same-site; another
    /// name such as `127.0.0.1` makes them cross-site like a real LMS and tool (DESIGN "Addresses").
    pub emulator_host: String,
    pub body_limit: usize,
    /// The UI's address (without token) when served to a browser, for links on landing pages.
    pub ui_url: Option<String>,
}

impl EngineConfig {
    pub fn with_data_dir(data_dir: PathBuf) -> Self {
        Self {
            data_dir,
            tool_port: DEFAULT_TOOL_PORT,
            emulator_port: DEFAULT_EMULATOR_PORT,
            key_store: KeyStoreChoice::Keychain,
            tool_host: "localhost".into(),
            emulator_host: "localhost".into(),
            body_limit: crate::record::DEFAULT_BODY_LIMIT,
            ui_url: None,
        }
    }
}

/// The platform's app-data folder (`~/.local/share/lti-inspector` on Linux, `~/Library/Application
/// Support/dev.lti-inspector.LTI-Inspector` on macOS, `%APPDATA%` on Windows).
pub fn default_data_dir() -> PathBuf {
    directories::ProjectDirs::from("dev", "lti-inspector", "LTI Inspector")
        .map(|d| d.data_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from(".lti-inspector"))
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ServerStatus {
    pub name: String,
    #[ts(optional = nullable)]
    pub base_url: Option<String>,
    pub port: u16,
    pub running: bool,
    #[ts(optional = nullable)]
    pub error: Option<ApiError>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct EngineStatus {
    pub version: String,
    pub data_dir: String,
    pub database: String,
    pub tool: ServerStatus,
    pub emulator: ServerStatus,
    pub keystore: KeystoreStatus,
}

#[derive(Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

struct Inner {
    config: EngineConfig,
    store: Store,
    events: EventHub,
    keys: KeyRing,
    outbound: crate::outbound::Outbound,
    platform_keys: crate::capture::platform_keys::PlatformKeys,
    nonces: crate::capture::nonces::Nonces,
    launch_states: crate::capture::states::LaunchStates,
    /// Emulator launches (lti_message_hint) already answered with a token since start.
    used_launch_hints: ClaimOnce,
    /// States already checked through platform storage since start.
    storage_checks: ClaimOnce,
    platform_cache: crate::registrations::PlatformCache,
    keystore_status: KeystoreStatus,
    tool: RwLock<ServerStatus>,
    emulator: RwLock<ServerStatus>,
    shutdown: tokio::sync::watch::Sender<bool>,
}

impl Engine {
    /// Opens the store and key store. Fails only when the database cannot be used (corrupt or
    /// unwritable): without it nothing can be recorded.
    pub fn open(config: EngineConfig) -> Result<Self> {
        std::fs::create_dir_all(&config.data_dir)?;
        let store = Store::open(&config.data_dir.join("inspector.db"))?;
        let (secrets, keystore_status) = keystore::open(&config.key_store);
        if let Some(e) = &keystore_status.error {
            tracing::warn!(code = ?e.code, message = %e.message, "key store unavailable");
        }
        let keys = KeyRing::new(store.clone(), secrets);
        let events = EventHub::default();
        let outbound = crate::outbound::Outbound::new(store.clone(), events.clone());
        let (shutdown, _) = tokio::sync::watch::channel(false);
        let tool = ServerStatus {
            name: "tool".into(),
            base_url: None,
            port: config.tool_port,
            running: false,
            error: None,
        };
        let emulator = ServerStatus {
            name: "emulator".into(),
            port: config.emulator_port,
            ..tool.clone()
        };
        Ok(Self {
            inner: Arc::new(Inner {
                config,
                store,
                events,
                keys,
                outbound,
                platform_keys: Default::default(),
                nonces: Default::default(),
                launch_states: Default::default(),
                used_launch_hints: Default::default(),
                storage_checks: Default::default(),
                platform_cache: Default::default(),
                keystore_status,
                tool: RwLock::new(tool),
                emulator: RwLock::new(emulator),
                shutdown,
            }),
        })
    }

    /// Opens the engine, makes sure the tool key exists (when the key store works) and starts the
    /// capture server. A busy port is recorded in the status, not returned as an error.
    pub async fn start(config: EngineConfig) -> Result<Self> {
        let engine = Self::open(config)?;
        engine.start_servers().await;
        Ok(engine)
    }

    /// Starts the servers and prepares the signing keys of an opened engine. The desktop app
    /// runs this after its window is up, so the first paint does not wait for key generation.
    pub async fn start_servers(&self) {
        self.start_tool_server().await;
        self.start_emulator_server().await;
        if self.inner.keystore_status.ok {
            if let Err(e) = self.keys().signing_key(crate::keys::KeyRole::Tool).await {
                tracing::error!(error = %e, "could not prepare the tool signing key");
            }
        }
        self.inner
            .events
            .emit(crate::events::EngineEvent::StatusChanged);
    }

    async fn start_tool_server(&self) {
        let port = self.inner.config.tool_port;
        let host = self.inner.config.tool_host.clone();
        self.start_server(
            &self.inner.tool,
            port,
            &host,
            crate::capture::router(self.clone()),
        )
        .await;
    }

    async fn start_emulator_server(&self) {
        let port = self.inner.config.emulator_port;
        let host = self.inner.config.emulator_host.clone();
        self.start_server(
            &self.inner.emulator,
            port,
            &host,
            crate::emulator::router(self.clone()),
        )
        .await;
    }

    async fn start_server(
        &self,
        status: &RwLock<ServerStatus>,
        port: u16,
        host: &str,
        app: axum::Router,
    ) {
        let name = status.read().expect("status lock").name.clone();
        match bind(port).await {
            Ok(listener) => {
                let actual = listener.local_addr().map(|a| a.port()).unwrap_or(port);
                let base = format!("http://{host}:{actual}");
                {
                    let mut s = status.write().expect("status lock");
                    s.port = actual;
                    s.base_url = Some(base.clone());
                    s.running = true;
                    s.error = None;
                }
                let mut stop = self.inner.shutdown.subscribe();
                tokio::spawn(async move {
                    let served = axum::serve(
                        listener,
                        app.into_make_service_with_connect_info::<SocketAddr>(),
                    )
                    .with_graceful_shutdown(async move {
                        let _ = stop.wait_for(|v| *v).await;
                    })
                    .await;
                    if let Err(e) = served {
                        tracing::error!(error = %e, "server stopped");
                    }
                });
                tracing::info!(server = %name, %base, "listening");
            }
            Err(e) => {
                tracing::error!(server = %name, error = %e, "server could not start");
                status.write().expect("status lock").error = Some(ApiError::from(&e));
            }
        }
    }

    pub fn shutdown(&self) {
        let _ = self.inner.shutdown.send(true);
    }

    pub fn config(&self) -> &EngineConfig {
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
    pub fn outbound(&self) -> &crate::outbound::Outbound {
        &self.inner.outbound
    }
    pub fn platform_keys(&self) -> &crate::capture::platform_keys::PlatformKeys {
        &self.inner.platform_keys
    }
    pub fn platform_cache(&self) -> &crate::registrations::PlatformCache {
        &self.inner.platform_cache
    }
    /// Claims an emulator launch for its one authentication response; false when it was
    /// already claimed since start (the table's `used_at` covers earlier runs).
    pub fn claim_launch_hint(&self, hint: &str) -> bool {
        self.inner.used_launch_hints.claim(hint)
    }
    /// Claims a state's one platform-storage check; false when it was already checked.
    pub fn claim_storage_check(&self, state: &str) -> bool {
        self.inner.storage_checks.claim(state)
    }
    pub fn launch_states(&self) -> &crate::capture::states::LaunchStates {
        &self.inner.launch_states
    }
    pub fn nonces(&self) -> &crate::capture::nonces::Nonces {
        &self.inner.nonces
    }
    pub fn keystore_status(&self) -> &KeystoreStatus {
        &self.inner.keystore_status
    }
    pub fn tool_status(&self) -> ServerStatus {
        self.inner.tool.read().expect("status lock").clone()
    }
    pub fn emulator_status(&self) -> ServerStatus {
        self.inner.emulator.read().expect("status lock").clone()
    }

    pub fn status(&self) -> EngineStatus {
        EngineStatus {
            version: env!("CARGO_PKG_VERSION").to_string(),
            data_dir: self.inner.config.data_dir.display().to_string(),
            database: self.inner.store.path().display().to_string(),
            tool: self.tool_status(),
            emulator: self.emulator_status(),
            keystore: self.inner.keystore_status.clone(),
        }
    }
}

/// Binds 127.0.0.1:port; a busy port is a clear error naming it, never a silent random port.
pub async fn bind(port: u16) -> Result<TcpListener> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    TcpListener::bind(addr).await.map_err(|source| {
        if source.kind() == std::io::ErrorKind::AddrInUse {
            Error::PortInUse {
                host: "127.0.0.1".into(),
                port,
                source,
            }
        } else {
            Error::Io(source)
        }
    })
}

/// Single-use tokens seen since start: the first claim of a value wins. Bounded: emptied when
/// full (the store's own records answer for what was forgotten).
#[derive(Default)]
struct ClaimOnce(std::sync::Mutex<std::collections::HashSet<String>>);

impl ClaimOnce {
    const CAP: usize = 100_000;

    fn claim(&self, value: &str) -> bool {
        let mut seen = self.0.lock().expect("claim set");
        if seen.len() >= Self::CAP {
            seen.clear();
        }
        seen.insert(value.to_string())
    }
}
