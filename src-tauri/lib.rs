//! The desktop shell: one window, the engine started in-process, and thin adapters — the `rpc`
//! command forwards to the engine's command table and engine events are re-emitted as Tauri
//! events. No logic lives here.

use std::time::Instant;

use lti_inspector::commands::desktop;
use lti_inspector::engine::{self, Engine, EngineConfig};
use lti_inspector::events::EngineEvent;
use lti_inspector::ApiError;
use tauri::{Emitter, Manager};

/// What the window talks to: the running engine, or why it could not start (shown in the UI).
struct AppState {
    engine: Result<Engine, ApiError>,
    started: Instant,
}

#[tauri::command]
async fn rpc(
    state: tauri::State<'_, AppState>,
    name: String,
    args: Option<serde_json::Value>,
) -> Result<serde_json::Value, ApiError> {
    let engine = state.engine.as_ref().map_err(Clone::clone)?;
    lti_inspector::commands::dispatch(engine, &name, args.unwrap_or(serde_json::Value::Null)).await
}

/// Opens an LTI launch (emulator or LMS URL) in its own webview window, as an LMS would open
/// a tool in a new window. Only http(s) URLs on loopback are allowed (checked and tested in
/// `commands::desktop`): the window has no IPC.
#[tauri::command]
fn open_launch_window(
    app: tauri::AppHandle,
    url: String,
    title: Option<String>,
) -> Result<(), ApiError> {
    let parsed = desktop::launch_window_url(&url)?;
    let label = format!("launch-{}", lti_inspector::ids::secret_token());
    tauri::WebviewWindowBuilder::new(&app, label, tauri::WebviewUrl::External(parsed))
        .title(title.unwrap_or_else(|| "LTI launch".into()))
        .inner_size(1100.0, 760.0)
        .build()
        .map_err(|e| ApiError::new(lti_inspector::ErrorCode::Internal, e.to_string()))?;
    Ok(())
}

/// Opens a spec or documentation link in the system browser (the app window never navigates
/// away). Only http(s) URLs (checked in `commands::desktop`); the URL is passed as one
/// argument, never through a shell.
#[tauri::command]
fn open_external(url: String) -> Result<(), ApiError> {
    let parsed = desktop::external_url(&url)?;
    let opener = if cfg!(target_os = "macos") {
        std::process::Command::new("open")
            .arg(parsed.as_str())
            .spawn()
    } else if cfg!(windows) {
        std::process::Command::new("explorer")
            .arg(parsed.as_str())
            .spawn()
    } else {
        std::process::Command::new("xdg-open")
            .arg(parsed.as_str())
            .spawn()
    };
    opener.map(|_| ()).map_err(|e| {
        ApiError::new(
            lti_inspector::ErrorCode::Internal,
            format!("could not open a browser: {e}"),
        )
    })
}

/// Called by the UI once its first frame is painted; the startup benchmark reads the line.
#[tauri::command]
fn app_first_paint(app: tauri::AppHandle, state: tauri::State<'_, AppState>) {
    let ms = state.started.elapsed().as_secs_f64() * 1000.0;
    println!("first-paint-ms: {ms:.1}");
    tracing::info!(ms, "first paint");
    if std::env::var_os("LTI_INSPECTOR_EXIT_AFTER_FIRST_PAINT").is_some() {
        app.exit(0);
    }
}

fn config_from_env() -> EngineConfig {
    let data_dir = std::env::var_os("LTI_INSPECTOR_DATA_DIR")
        .map(Into::into)
        .unwrap_or_else(engine::default_data_dir);
    let mut cfg = EngineConfig::with_data_dir(data_dir);
    if let Some(p) = std::env::var("LTI_INSPECTOR_TOOL_PORT")
        .ok()
        .and_then(|p| p.parse().ok())
    {
        cfg.tool_port = p;
    }
    if let Some(p) = std::env::var("LTI_INSPECTOR_EMULATOR_PORT")
        .ok()
        .and_then(|p| p.parse().ok())
    {
        cfg.emulator_port = p;
    }
    if let Some(ks) = std::env::var("LTI_INSPECTOR_KEY_STORE")
        .ok()
        .and_then(|k| k.parse().ok())
    {
        cfg.key_store = ks;
    }
    cfg
}

fn bring_to_front(app: &tauri::AppHandle) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}

pub fn run() {
    let started = Instant::now();
    let cfg = config_from_env();
    let _log = lti_inspector::telemetry::init(Some(&cfg.data_dir.join("logs")));
    tauri::Builder::default()
        .setup(move |app| {
            // Opening the store is quick; servers and key generation continue in the background
            // so the window paints first. The UI's status call shows them once ready.
            let engine = Engine::open(cfg).map_err(|e| {
                tracing::error!(error = %e, "engine failed to start");
                ApiError::from(&e)
            });
            if let Ok(engine) = &engine {
                let starting = engine.clone();
                tauri::async_runtime::spawn(async move { starting.start_servers().await });
                let mut rx = engine.events().subscribe();
                let handle = app.handle().clone();
                tauri::async_runtime::spawn(async move {
                    loop {
                        match rx.recv().await {
                            Ok(ev) => {
                                // A page outside the app asked to show a route: the UI
                                // navigates; the window comes to the front here.
                                if matches!(ev, EngineEvent::OpenInApp { .. }) {
                                    bring_to_front(&handle);
                                }
                                let _ = handle.emit(desktop::ENGINE_EVENT, ev);
                            }
                            Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                                // The UI re-fetches its lists rather than missing events.
                                tracing::warn!(n, "UI lagged behind engine events");
                                let _ = handle.emit(desktop::ENGINE_LAGGED, n);
                            }
                            Err(_) => break,
                        }
                    }
                });
            }
            app.manage(AppState { engine, started });
            Ok(())
        })
        // The names the UI invokes are `commands::desktop`'s constants (generated into its
        // bindings); the test below keeps these functions' names equal to them.
        .invoke_handler(tauri::generate_handler![
            rpc,
            app_first_paint,
            open_launch_window,
            open_external
        ])
        .build(tauri::generate_context!())
        .expect("building the Tauri application")
        .run(|app, event| {
            if let tauri::RunEvent::Exit = event {
                if let Some(state) = app.try_state::<AppState>() {
                    if let Ok(engine) = &state.engine {
                        engine.shutdown();
                    }
                }
            }
        });
}

#[cfg(test)]
mod tests {
    use lti_inspector::commands::desktop;

    /// Tauri names a command after its function: the UI invokes the generated constants.
    #[test]
    fn command_names_match_the_generated_ones() {
        assert_eq!(stringify!(rpc), desktop::RPC);
        assert_eq!(stringify!(open_launch_window), desktop::OPEN_LAUNCH_WINDOW);
        assert_eq!(stringify!(open_external), desktop::OPEN_EXTERNAL);
        assert_eq!(stringify!(app_first_paint), desktop::APP_FIRST_PAINT);
        // The functions exist with those names (this fails to compile otherwise).
        let _ = (super::open_external, super::open_launch_window);
    }
}
