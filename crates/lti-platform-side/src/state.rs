//! [`PlatformSide`]: the core plus what only the emulator keeps — the launches it has answered
//! since start and its server's status.

use std::sync::Arc;

use lti_core::claim_once::ClaimOnce;
use lti_core::events::EventHub;
use lti_core::keystore::KeystoreStatus;
use lti_core::outbound::Outbound;
use lti_core::server::{ServerSlot, ServerStatus};
use lti_core::signing_keys::KeyRing;
use lti_core::store::Store;
use lti_core::Core;

/// Where the emulator listens and how it names itself (its base URL is its issuer).
#[derive(Debug, Clone)]
pub struct PlatformConfig {
    /// `localhost` (default) keeps both sides same-site; another name such as `127.0.0.1` makes
    /// them cross-site like a real LMS and tool (DESIGN "Addresses").
    pub host: String,
    /// 0 picks a free port (tests); the default is stable because tools register its URLs.
    pub port: u16,
    /// The app's address in the browser front door (`serve`): emulator pages link into it.
    pub ui_url: Option<String>,
}

#[derive(Clone)]
pub struct PlatformSide {
    inner: Arc<Inner>,
}

struct Inner {
    core: Core,
    config: PlatformConfig,
    server: ServerSlot,
    /// Launches (lti_message_hint) already answered with a token since start.
    used_launch_hints: ClaimOnce,
}

impl PlatformSide {
    pub fn new(core: Core, config: PlatformConfig) -> Self {
        Self {
            inner: Arc::new(Inner {
                server: ServerSlot::new("emulator", config.port),
                core,
                config,
                used_launch_hints: Default::default(),
            }),
        }
    }

    /// Binds the emulator and serves it until `stop` turns true; a busy port is kept in
    /// [`PlatformSide::status`].
    pub async fn start(&self, stop: tokio::sync::watch::Receiver<bool>) {
        let app = crate::emulator::router(self.clone());
        let cfg = &self.inner.config;
        self.inner
            .server
            .start(cfg.port, &cfg.host, app, stop)
            .await;
    }

    pub fn core(&self) -> &Core {
        &self.inner.core
    }
    pub fn config(&self) -> &PlatformConfig {
        &self.inner.config
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
    pub fn outbound(&self) -> &Outbound {
        self.inner.core.outbound()
    }
    pub fn keystore_status(&self) -> &KeystoreStatus {
        self.inner.core.keystore_status()
    }
    pub fn status(&self) -> ServerStatus {
        self.inner.server.get()
    }
    /// Claims a launch for its one authentication response; false when it was already claimed
    /// since start (the table's `used_at` covers earlier runs).
    pub fn claim_launch_hint(&self, hint: &str) -> bool {
        self.inner.used_launch_hints.claim(hint)
    }
}
