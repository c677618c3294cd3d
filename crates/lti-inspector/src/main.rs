//! `lti-inspector`: the headless CLI. `serve` runs the engine with the UI and API over HTTP for
//! a browser (headless machines, shared team instances, browser tests).

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use lti_inspector::api::{self, ApiConfig};
use lti_inspector::engine::{self, Engine, EngineConfig};
use lti_inspector::keystore::KeyStoreChoice;

#[derive(Parser)]
#[command(name = "lti-inspector", version, about = "LTI Inspector — capture, validate, emulate and replay LTI launches")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args, Clone)]
struct DataArgs {
    /// Data folder (database, logs). Default: the platform's app-data folder.
    #[arg(long, env = "LTI_INSPECTOR_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Where private keys live: `keychain` (default) or `file:PATH` — an explicit opt-in for
    /// machines without an OS keychain; the file is created with mode 0600.
    #[arg(long, default_value = "keychain")]
    key_store: KeyStoreChoice,
}

#[derive(Subcommand)]
enum Command {
    /// Run the engine and serve the UI and API to a browser on 127.0.0.1.
    Serve {
        #[command(flatten)]
        data: DataArgs,
        /// Port of the UI and API (0 = any free port).
        #[arg(long, default_value_t = engine::DEFAULT_UI_PORT)]
        ui_port: u16,
        /// Port of the tool side (capture endpoint) LMSs launch into (0 = any free port).
        #[arg(long, default_value_t = engine::DEFAULT_TOOL_PORT)]
        tool_port: u16,
        /// Port of the platform emulator (0 = any free port).
        #[arg(long, default_value_t = engine::DEFAULT_EMULATOR_PORT)]
        emulator_port: u16,
        /// Folder of the built UI. Default: next to the binary, or the repository's ui/dist.
        #[arg(long, env = "LTI_INSPECTOR_UI_DIR")]
        ui_dir: Option<PathBuf>,
    },
    /// List signing keys (public halves) as JSON.
    Keys {
        #[command(flatten)]
        data: DataArgs,
    },
    /// Print the TypeScript bindings of the command table (what ui/src/bindings/index.ts holds).
    Bindings,
}

fn main() -> std::process::ExitCode {
    match run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::from(2)
        }
    }
}

fn engine_config(data: &DataArgs) -> EngineConfig {
    let mut cfg = EngineConfig::with_data_dir(data.data_dir.clone().unwrap_or_else(engine::default_data_dir));
    cfg.key_store = data.key_store.clone();
    cfg
}

fn run() -> anyhow::Result<std::process::ExitCode> {
    let cli = Cli::parse();
    match cli.command {
        Command::Bindings => {
            print!("{}", lti_inspector::commands::typescript_bindings());
            Ok(std::process::ExitCode::SUCCESS)
        }
        Command::Keys { data } => {
            let cfg = engine_config(&data);
            let rt = tokio::runtime::Runtime::new()?;
            rt.block_on(async {
                let engine = Engine::open(cfg)?;
                let keys = engine.keys().list().await?;
                println!("{}", serde_json::to_string_pretty(&keys)?);
                Ok(std::process::ExitCode::SUCCESS)
            })
        }
        Command::Serve { data, ui_port, tool_port, emulator_port, ui_dir } => {
            let mut cfg = engine_config(&data);
            cfg.tool_port = tool_port;
            cfg.emulator_port = emulator_port;
            let _log = lti_inspector::telemetry::init(Some(&cfg.data_dir.join("logs")));
            if let KeyStoreChoice::File(p) = &cfg.key_store {
                eprintln!(
                    "warning: private keys will be stored in {} (mode 0600), not in the OS keychain",
                    p.display()
                );
            }
            let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
            rt.block_on(serve(cfg, ui_port, ui_dir))
        }
    }
}

async fn serve(cfg: EngineConfig, ui_port: u16, ui_dir: Option<PathBuf>) -> anyhow::Result<std::process::ExitCode> {
    let engine = Engine::start(cfg).await.context("starting the engine")?;
    let tool = engine.tool_status();
    if let Some(e) = &tool.error {
        eprintln!("error: tool side: {}", e.message);
        return Ok(std::process::ExitCode::from(1));
    }
    if let Some(e) = &engine.keystore_status().error {
        eprintln!("warning: {} (code {:?}); keys are unavailable until this is fixed", e.message, e.code);
    }
    let listener = match engine::bind(ui_port).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: ui: {e}");
            return Ok(std::process::ExitCode::from(1));
        }
    };
    let port = listener.local_addr()?.port();
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
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("SIGTERM handler");
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
    candidates.push(PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../ui/dist")));
    candidates.into_iter().find(|d| d.join("index.html").is_file())
}
