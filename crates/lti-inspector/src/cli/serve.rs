//! `serve`: the engine with the UI and the token-protected API over HTTP, until Ctrl-C.

use anyhow::Context;
use std::io::Write;
use std::path::PathBuf;

use lti_inspector::api::{self, ApiConfig};
use lti_inspector::engine::{self, Engine, EngineConfig};

pub(crate) async fn serve(
    mut cfg: EngineConfig,
    ui_port: u16,
    ui_dir: Option<PathBuf>,
    config: Option<PathBuf>,
) -> anyhow::Result<std::process::ExitCode> {
    let listener = match engine::bind(ui_port).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: ui: {e}");
            return Ok(std::process::ExitCode::from(1));
        }
    };
    let port = listener.local_addr()?.port();
    cfg.ui_url = Some(format!("http://127.0.0.1:{port}/"));
    let engine = Engine::start(cfg).await.context("starting the engine")?;
    if let Some(path) = config {
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        let applied = lti_tool_side::registrations::apply_config(engine.tool(), &text)
            .await
            .with_context(|| format!("applying {}", path.display()))?;
        eprintln!(
            "config: {} platform registration(s) from {}",
            applied.len(),
            path.display()
        );
    }
    let tool = engine.tool_status();
    if let Some(e) = &tool.error {
        eprintln!("error: tool side: {}", e.message);
        return Ok(std::process::ExitCode::from(1));
    }
    let emulator = engine.emulator_status();
    if let Some(e) = &emulator.error {
        eprintln!("error: emulator: {}", e.message);
        return Ok(std::process::ExitCode::from(1));
    }
    if let Some(e) = &engine.keystore_status().error {
        eprintln!(
            "warning: {} (code {:?}); keys are unavailable until this is fixed",
            e.message, e.code
        );
    }
    let token = api::random_token();
    let ui_dir = ui_dir.or_else(find_ui_dir);
    if ui_dir.is_none() {
        eprintln!("warning: no built UI found (run `make ui`); the API still works");
    }
    let app = api::router(engine.clone(), ApiConfig::new(token.clone(), port, ui_dir));
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "ui: http://127.0.0.1:{port}/?token={token}")?;
        writeln!(out, "tool: {}", tool.base_url.unwrap_or_default())?;
        writeln!(out, "emulator: {}", emulator.base_url.unwrap_or_default())?;
        out.flush()?;
    }
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            shutdown_signal().await;
        })
        .await?;
    engine.shutdown();
    Ok(std::process::ExitCode::SUCCESS)
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("SIGTERM handler");
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// The built UI: beside the binary (`ui/`), or the repository's `ui/dist` for a dev build.
fn find_ui_dir() -> Option<PathBuf> {
    let mut candidates = Vec::new();
    if let Ok(exe) = std::env::current_exe() {
        if let Some(dir) = exe.parent() {
            candidates.push(dir.join("ui"));
            candidates.push(dir.join("../../ui/dist"));
        }
    }
    candidates.push(PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../ui/dist"
    )));
    candidates
        .into_iter()
        .find(|d| d.join("index.html").is_file())
}
