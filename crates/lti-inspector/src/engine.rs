//! The engine: store, keys, event hub and the servers, started the same way by the desktop app
//! and by `lti-inspector serve`. Degraded states (no keychain, busy port) are kept in the status
//! the UI shows instead of aborting, so the user always gets a window that says what is wrong.

use std::path::PathBuf;
use std::sync::Arc;

use lti_core::events::EventHub;
use lti_core::keystore::{KeyStoreChoice, KeystoreStatus};
use lti_core::server::ServerStatus;
use lti_core::signing_keys::{KeyRing, KeyRole};
use lti_core::store::Store;
use lti_core::{Core, CoreConfig, Result};
use lti_platform_side::{PlatformConfig, PlatformSide};
use lti_tool_side::{ToolConfig, ToolSide};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Binding a port is the core's; re-exported for the front doors that bind their own.
pub use lti_core::server::bind;

pub const DEFAULT_UI_PORT: u16 = 4470;
/// How often a running engine looks for model changes made by another process.
const MODEL_POLL: std::time::Duration = std::time::Duration::from_millis(500);
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
            body_limit: lti_core::recorder::DEFAULT_BODY_LIMIT,
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
pub struct EngineStatus {
    pub version: String,
    pub data_dir: String,
    pub database: String,
    pub tool: ServerStatus,
    pub emulator: ServerStatus,
    pub keystore: KeystoreStatus,
    /// Set while the data folder's disk is full (nothing can be recorded until space returns).
    #[ts(optional = nullable)]
    pub storage: Option<lti_core::store::StorageProblem>,
}

#[derive(Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

struct Inner {
    config: EngineConfig,
    core: Core,
    tool: ToolSide,
    platform: PlatformSide,
    /// One demo seeding at a time (the start task and a first command can race).
    demo_lock: tokio::sync::Mutex<()>,
    shutdown: tokio::sync::watch::Sender<bool>,
}

impl Engine {
    /// Opens the store and key store. Fails only when the database cannot be used (corrupt or
    /// unwritable): without it nothing can be recorded.
    pub fn open(config: EngineConfig) -> Result<Self> {
        let core = Core::open(CoreConfig {
            data_dir: config.data_dir.clone(),
            key_store: config.key_store.clone(),
            body_limit: config.body_limit,
        })?;
        let (shutdown, _) = tokio::sync::watch::channel(false);
        let tool = ToolSide::new(
            core.clone(),
            ToolConfig {
                host: config.tool_host.clone(),
                port: config.tool_port,
                ui_url: config.ui_url.clone(),
            },
        );
        let platform = PlatformSide::new(
            core.clone(),
            PlatformConfig {
                host: config.emulator_host.clone(),
                port: config.emulator_port,
                ui_url: config.ui_url.clone(),
            },
        );
        Ok(Self {
            inner: Arc::new(Inner {
                config,
                core,
                tool,
                platform,
                demo_lock: Default::default(),
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
        let stop = || self.inner.shutdown.subscribe();
        if let Err(e) = self.inner.tool.load_policy().await {
            tracing::warn!(error = %e, "could not read the verdict policy; using the defaults");
        }
        self.inner.tool.start(stop()).await;
        self.inner.platform.start(stop()).await;
        crate::demo::seed_when_started(self);
        lti_core::search::index_in_background(self.store().clone(), stop());
        lti_core::tidy::retention_in_background(self.store().clone(), stop());
        // Another process (the CLI) may change registrations or the emulator's model while the
        // servers run: the tool side must see a new registration at its next login, and the
        // clients must re-read what they show.
        let tool = self.inner.tool.clone();
        self.core().watch_model(MODEL_POLL, stop(), move || {
            tool.platform_cache().invalidate()
        });
        if self.core().keystore_status().ok {
            if let Err(e) = self.keys().signing_key(KeyRole::Tool).await {
                tracing::error!(error = %e, "could not prepare the tool signing key");
            }
        }
        self.events()
            .emit(lti_core::events::EngineEvent::StatusChanged);
    }

    pub fn shutdown(&self) {
        let _ = self.inner.shutdown.send(true);
    }

    pub fn config(&self) -> &EngineConfig {
        &self.inner.config
    }
    pub fn core(&self) -> &Core {
        &self.inner.core
    }
    pub fn store(&self) -> &Store {
        self.inner.core.store()
    }
    pub fn events(&self) -> &EventHub {
        self.inner.core.events()
    }
    pub fn keys(&self) -> &KeyRing {
        self.inner.core.keys()
    }
    pub fn outbound(&self) -> &lti_core::outbound::Outbound {
        self.inner.core.outbound()
    }
    /// The tool side: capture endpoint, registrations, service client.
    pub fn tool(&self) -> &ToolSide {
        &self.inner.tool
    }
    /// The platform side: the emulator.
    pub fn platform(&self) -> &PlatformSide {
        &self.inner.platform
    }
    pub(crate) fn demo_lock(&self) -> &tokio::sync::Mutex<()> {
        &self.inner.demo_lock
    }
    pub fn keystore_status(&self) -> &KeystoreStatus {
        self.inner.core.keystore_status()
    }
    pub fn tool_status(&self) -> ServerStatus {
        self.inner.tool.status()
    }
    pub fn emulator_status(&self) -> ServerStatus {
        self.inner.platform.status()
    }

    pub fn status(&self) -> EngineStatus {
        EngineStatus {
            version: env!("CARGO_PKG_VERSION").to_string(),
            data_dir: self.inner.config.data_dir.display().to_string(),
            database: self.store().path().display().to_string(),
            tool: self.tool_status(),
            emulator: self.emulator_status(),
            keystore: self.keystore_status().clone(),
            storage: self.store().storage_problem(),
        }
    }
}
