//! The desktop shell's own IPC: the Tauri commands outside the engine's table (they need a
//! window or the OS) and the event channels that carry engine events. Their names and argument
//! types are declared here once; the shell uses the names, and the UI's bindings are generated
//! from them, so neither side types them by hand. The URL checks the shell makes are here too,
//! so they are tested without a window.

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use url::Url;

use lti_core::error::{ApiError, ErrorCode};

/// Tauri command: run one command of the engine's table (`{name, args}`).
pub const RPC: &str = "rpc";
/// Tauri command: open a loopback launch URL in its own webview window.
pub const OPEN_LAUNCH_WINDOW: &str = "open_launch_window";
/// Tauri command: open an http(s) link in the system browser.
pub const OPEN_EXTERNAL: &str = "open_external";
/// Tauri command: the UI painted its first frame (startup benchmark).
pub const APP_FIRST_PAINT: &str = "app_first_paint";
/// Tauri event carrying one [`lti_core::events::EngineEvent`].
pub const ENGINE_EVENT: &str = "engine-event";
/// Tauri event: the UI fell behind and missed events (payload: how many); re-fetch lists.
pub const ENGINE_LAGGED: &str = "engine-lagged";

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct OpenLaunchWindowArgs {
    pub url: String,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub title: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct OpenExternalArgs {
    pub url: String,
}

fn parse(url: &str) -> Result<Url, ApiError> {
    Url::parse(url).map_err(|e| ApiError::new(ErrorCode::BadRequest, format!("not a URL: {e}")))
}

/// A launch window gets no IPC, but it still must only ever show the loopback servers (the
/// emulator, the capture endpoint, a local tool under test): an http(s) URL on loopback.
pub fn launch_window_url(url: &str) -> Result<Url, ApiError> {
    let parsed = parse(url)?;
    let loopback = match parsed.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    if !(parsed.scheme() == "http" || parsed.scheme() == "https") || !loopback {
        return Err(ApiError::new(
            ErrorCode::BadRequest,
            "only loopback http(s) launch URLs open here",
        ));
    }
    Ok(parsed)
}

/// Only http(s) links go to the system browser: a recorded `file:` or custom-scheme value must
/// never reach the OS opener.
pub fn external_url(url: &str) -> Result<Url, ApiError> {
    let parsed = parse(url)?;
    if parsed.scheme() != "http" && parsed.scheme() != "https" {
        return Err(ApiError::new(
            ErrorCode::BadRequest,
            "only http(s) links open externally",
        ));
    }
    Ok(parsed)
}

/// The TypeScript constants the UI uses for these names.
pub(super) fn typescript() -> String {
    let q = |s: &str| format!("\"{s}\"");
    format!(
        "/** The desktop shell's own Tauri commands (not in the engine's table). */\n\
         export const DESKTOP_COMMANDS = {{ rpc: {}, openLaunchWindow: {}, openExternal: {}, appFirstPaint: {} }} as const;\n\n\
         /** Tauri event channels that carry engine events to the desktop window. */\n\
         export const EVENT_CHANNELS = {{ engine: {}, lagged: {} }} as const;\n",
        q(RPC),
        q(OPEN_LAUNCH_WINDOW),
        q(OPEN_EXTERNAL),
        q(APP_FIRST_PAINT),
        q(ENGINE_EVENT),
        q(ENGINE_LAGGED)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn launch_windows_open_only_loopback_http() {
        for ok in [
            "http://localhost:4472/launch/1",
            "https://LOCALHOST/x",
            "http://127.0.0.1:4471/lti/launch",
            "http://127.8.9.10/",
            "http://[::1]:4472/",
        ] {
            assert!(launch_window_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "https://canvas.instructure.com/",
            "http://localhost.evil.example/",
            "http://10.0.0.1/",
            "file:///etc/passwd",
            "javascript:alert(1)",
            "data:text/html,<script>1</script>",
            "not a url",
        ] {
            let e = launch_window_url(bad).unwrap_err();
            assert_eq!(e.code, ErrorCode::BadRequest, "{bad}");
        }
    }

    #[test]
    fn only_http_links_go_to_the_system_browser() {
        assert!(external_url("https://www.imsglobal.org/spec/lti/v1p3").is_ok());
        assert!(external_url("http://example.com").is_ok());
        for bad in [
            "file:///etc/passwd",
            "javascript:alert(1)",
            "smb://host/share",
            "ms-settings:",
            "",
        ] {
            assert!(external_url(bad).is_err(), "{bad}");
        }
    }
}
