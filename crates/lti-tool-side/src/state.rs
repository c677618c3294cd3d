//! [`ToolSide`]: the core plus what only the tool side keeps — login states and nonces it
//! minted, the registrations it trusts (cached), states checked through platform storage, the
//! access tokens it holds, and its server's status.

use std::sync::Arc;

use lti_core::events::EventHub;
use lti_core::outbound::Outbound;
use lti_core::server::{ServerSlot, ServerStatus};
use lti_core::signing_keys::KeyRing;
use lti_core::store::Store;
use lti_core::Core;

use crate::capture::{nonces::Nonces, states::LaunchStates};
use crate::registrations::PlatformCache;
use crate::service_client::token::TokenCache;

/// Where the tool side listens and how it names itself.
#[derive(Debug, Clone)]
pub struct ToolConfig {
    /// Host name in the URLs we hand out (`localhost` by default; see DESIGN "Addresses").
    pub host: String,
    /// 0 picks a free port (tests); the default is stable because LMS registrations point at it.
    pub port: u16,
    /// The UI's address (without token) when served to a browser, for links on landing pages.
    pub ui_url: Option<String>,
}

#[derive(Clone)]
pub struct ToolSide {
    inner: Arc<Inner>,
}

struct Inner {
    core: Core,
    config: ToolConfig,
    server: ServerSlot,
    nonces: Nonces,
    launch_states: LaunchStates,
    /// States already checked through platform storage since start.
    storage_checks: lti_core::claim_once::ClaimOnce,
    platforms: PlatformCache,
    tokens: TokenCache,
    compose_tokens: crate::composer::ComposeTokens,
    pending_sends: crate::composer::app::PendingSends,
    /// Strict verdicts (settings::STRICT_VERDICTS), read on every launch: kept here, not queried.
    strict: std::sync::atomic::AtomicBool,
}

impl ToolSide {
    pub fn new(core: Core, config: ToolConfig) -> Self {
        Self {
            inner: Arc::new(Inner {
                server: ServerSlot::new("tool", config.port),
                core,
                config,
                nonces: Default::default(),
                launch_states: Default::default(),
                storage_checks: Default::default(),
                platforms: Default::default(),
                tokens: Default::default(),
                compose_tokens: Default::default(),
                pending_sends: Default::default(),
                strict: Default::default(),
            }),
        }
    }

    /// Binds the capture endpoint and serves it until `stop` turns true; a busy port is kept in
    /// [`ToolSide::status`].
    pub async fn start(&self, stop: tokio::sync::watch::Receiver<bool>) {
        let app = crate::capture::router(self.clone());
        let cfg = &self.inner.config;
        // States and nonces that no launch can use any more are swept on a schedule.
        crate::capture::expiry::run(self.clone(), stop.clone());
        self.inner
            .server
            .start(cfg.port, &cfg.host, app, stop)
            .await;
    }

    pub fn core(&self) -> &Core {
        &self.inner.core
    }
    pub fn config(&self) -> &ToolConfig {
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
    pub fn status(&self) -> ServerStatus {
        self.inner.server.get()
    }
    pub fn platform_cache(&self) -> &PlatformCache {
        &self.inner.platforms
    }
    pub fn launch_states(&self) -> &LaunchStates {
        &self.inner.launch_states
    }
    pub fn nonces(&self) -> &Nonces {
        &self.inner.nonces
    }
    pub fn compose_tokens(&self) -> &crate::composer::ComposeTokens {
        &self.inner.compose_tokens
    }
    pub fn pending_sends(&self) -> &crate::composer::app::PendingSends {
        &self.inner.pending_sends
    }
    pub fn tokens(&self) -> &TokenCache {
        &self.inner.tokens
    }
    /// The validation policy of launches and re-checks: the defaults, strict when chosen.
    pub fn policy(&self) -> lti_protocol::validate::Policy {
        lti_protocol::validate::Policy {
            strict: self.inner.strict.load(std::sync::atomic::Ordering::Relaxed),
            ..Default::default()
        }
    }

    /// Reads the strict-verdicts preference from the store (at start, and after it changed).
    pub async fn load_policy(&self) -> lti_core::error::Result<bool> {
        let strict = self
            .store()
            .read(|c| lti_core::settings::flag(c, lti_core::settings::STRICT_VERDICTS))
            .await?;
        self.inner
            .strict
            .store(strict, std::sync::atomic::Ordering::Relaxed);
        Ok(strict)
    }

    /// Claims a state's one platform-storage check; false when it was already checked.
    pub fn claim_storage_check(&self, state: &str) -> bool {
        self.inner.storage_checks.claim(state)
    }
}
