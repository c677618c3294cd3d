//! Starting one side's HTTP server on loopback, and its status as the UI shows it. A busy port
//! is a clear error naming the port, never a silent random port: LMS registrations point at it.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::RwLock;

use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;
use ts_rs::TS;

use crate::error::{ApiError, Error, Result};

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

impl ServerStatus {
    pub fn not_started(name: &str, port: u16) -> Self {
        Self {
            name: name.into(),
            base_url: None,
            port,
            running: false,
            error: None,
        }
    }
}

/// A server's status, updated when it binds.
#[derive(Debug)]
pub struct ServerSlot(RwLock<ServerStatus>);

impl ServerSlot {
    pub fn new(name: &str, port: u16) -> Self {
        Self(RwLock::new(ServerStatus::not_started(name, port)))
    }
    pub fn get(&self) -> ServerStatus {
        self.0.read().unwrap_or_else(|e| e.into_inner()).clone()
    }
    fn update(&self, f: impl FnOnce(&mut ServerStatus)) {
        f(&mut self.0.write().unwrap_or_else(|e| e.into_inner()))
    }

    /// Binds 127.0.0.1:`port` and serves `app` until `stop` turns true; the status records the
    /// base URL (`http://{host}:{actual port}`) or the error.
    pub async fn start(
        &self,
        port: u16,
        host: &str,
        app: axum::Router,
        mut stop: tokio::sync::watch::Receiver<bool>,
    ) {
        let name = self.get().name;
        match bind(port).await {
            Ok(listener) => {
                let actual = listener.local_addr().map(|a| a.port()).unwrap_or(port);
                let base = format!("http://{host}:{actual}");
                self.update(|s| {
                    s.port = actual;
                    s.base_url = Some(base.clone());
                    s.running = true;
                    s.error = None;
                });
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
                self.update(|s| s.error = Some(ApiError::from(&e)));
            }
        }
    }
}

/// Binds 127.0.0.1:port; a busy port is a clear error naming it.
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
