//! `lti-inspector`: the headless CLI. `serve` runs the engine with the UI and API over HTTP for
//! a browser (headless machines, shared team instances, browser tests).

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use lti_inspector::api::{self, ApiConfig};
use lti_inspector::engine::{self, Engine, EngineConfig};
use lti_inspector::keystore::KeyStoreChoice;

#[derive(Parser)]
#[command(
    name = "lti-inspector",
    version,
    about = "LTI Inspector — capture, validate, emulate and replay LTI launches"
)]
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

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    Text,
    Json,
}

// Parsed once from the command line: the size of the largest variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum PlatformAction {
    /// List registrations as JSON.
    List,
    /// Register (or update, with --id) a platform. Presets fill the fixed endpoints.
    Add {
        #[arg(long)]
        id: Option<String>,
        #[arg(long, default_value = "")]
        name: String,
        /// canvas, canvas_beta, canvas_test, canvas_self_hosted, moodle, blackboard, brightspace, schoology, sakai, ims_ri
        #[arg(long)]
        preset: Option<String>,
        /// The site-specific part a preset asks for (school host, Moodle wwwroot…).
        #[arg(long)]
        site: Option<String>,
        #[arg(long, default_value = "")]
        issuer: String,
        #[arg(long)]
        client_id: String,
        #[arg(long = "deployment-id")]
        deployment_ids: Vec<String>,
        #[arg(long, default_value = "")]
        auth_endpoint: String,
        #[arg(long, default_value = "")]
        token_endpoint: String,
        #[arg(long)]
        token_audience: Option<String>,
        #[arg(long)]
        jwks_url: Option<String>,
        /// A file holding the platform's public key (JWK, JWKS or PEM).
        #[arg(long)]
        public_key_file: Option<PathBuf>,
    },
    /// Remove a registration by id.
    Remove { id: String },
    /// List the LMS presets as JSON.
    Presets,
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
        /// Host name in the emulator's URLs (default localhost). `127.0.0.1` makes the emulator
        /// and the tool side cross-site, as a real LMS and tool are.
        #[arg(long)]
        emulator_host: Option<String>,
        /// Folder of the built UI. Default: next to the binary, or the repository's ui/dist.
        #[arg(long, env = "LTI_INSPECTOR_UI_DIR")]
        ui_dir: Option<PathBuf>,
        /// A TOML file of platform registrations to create or update at start (see README).
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Validate a JWT, JSON claims, a form body or a HAR file, without a server.
    ///
    /// Exit codes: 0 valid, 1 invalid, 3 unverified (no key to check the signature), 2 unusable input.
    Inspect {
        /// The platform's keys: a JWKS/JWK/PEM file, or a JWKS URL.
        #[arg(long)]
        jwks: Option<String>,
        /// Expected issuer.
        #[arg(long)]
        issuer: Option<String>,
        /// The tool's client_id (enables aud/azp checks).
        #[arg(long)]
        client_id: Option<String>,
        /// A known deployment id (repeatable).
        #[arg(long = "deployment-id")]
        deployment_ids: Vec<String>,
        /// The nonce the tool sent.
        #[arg(long)]
        nonce: Option<String>,
        /// Validate as of this time: Unix seconds or RFC 3339. Default: now (HAR: each step's time).
        #[arg(long)]
        at: Option<String>,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        /// A file, or `-` for standard input.
        input: String,
    },
    /// Manage platform registrations.
    Platforms {
        #[command(flatten)]
        data: DataArgs,
        #[command(subcommand)]
        action: PlatformAction,
    },
    /// List signing keys (public halves) as JSON.
    Keys {
        #[command(flatten)]
        data: DataArgs,
    },
    /// Print the engine's status (folders, key store health) as JSON, without starting servers.
    Status {
        #[command(flatten)]
        data: DataArgs,
    },
    /// Print the TypeScript bindings of the command table (what ui/src/bindings/index.ts holds).
    Bindings,
    /// The roster (NRPS) of a captured launch's context as JSON, every page followed.
    ///
    /// The token request and every page are recorded in the launch's flow. Exit code 1 when the
    /// platform refuses (the error names the reason, e.g. the scope to request).
    Roster {
        #[command(flatten)]
        data: DataArgs,
        /// The captured launch's flow id.
        flow: String,
        /// A role URI (…/membership#Learner).
        #[arg(long)]
        role: Option<String>,
        /// A resource link id: members who can access it.
        #[arg(long)]
        rlid: Option<String>,
        /// Page size hint.
        #[arg(long)]
        limit: Option<u32>,
        /// Fetch this URL instead (e.g. a differences link).
        #[arg(long)]
        url: Option<String>,
    },
    /// The line items (AGS) of a captured launch's context as JSON.
    Lineitems {
        #[command(flatten)]
        data: DataArgs,
        flow: String,
        #[arg(long)]
        resource_link_id: Option<String>,
        #[arg(long)]
        resource_id: Option<String>,
        #[arg(long)]
        tag: Option<String>,
        #[arg(long)]
        limit: Option<u32>,
    },
    /// Post a score (AGS) for a captured launch; the timestamp defaults to now (sub-second).
    Score {
        #[command(flatten)]
        data: DataArgs,
        flow: String,
        /// The line item URL (default: the launch's lineitem claim).
        #[arg(long)]
        line_item: Option<String>,
        /// The member's LTI user id (default: the launching user).
        #[arg(long)]
        user: Option<String>,
        #[arg(long)]
        given: Option<f64>,
        #[arg(long)]
        maximum: Option<f64>,
        #[arg(long)]
        comment: Option<String>,
        /// Initialized, Started, InProgress, Submitted, Completed (default Completed).
        #[arg(long)]
        activity: Option<String>,
        /// FullyGraded, Pending, PendingManual, Failed, NotReady (default FullyGraded).
        #[arg(long)]
        grading: Option<String>,
        #[arg(long)]
        timestamp: Option<String>,
        #[arg(long)]
        started_at: Option<String>,
        #[arg(long)]
        submitted_at: Option<String>,
    },
    /// The results (AGS) of a line item of a captured launch as JSON.
    Results {
        #[command(flatten)]
        data: DataArgs,
        flow: String,
        /// The line item URL (default: the launch's lineitem claim).
        #[arg(long)]
        line_item: Option<String>,
        #[arg(long)]
        user: Option<String>,
        #[arg(long)]
        limit: Option<u32>,
    },
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
    let mut cfg = EngineConfig::with_data_dir(
        data.data_dir
            .clone()
            .unwrap_or_else(engine::default_data_dir),
    );
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
        Command::Status { data } => {
            let engine = Engine::open(engine_config(&data))?;
            println!("{}", serde_json::to_string_pretty(&engine.status())?);
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
        Command::Inspect {
            jwks,
            issuer,
            client_id,
            deployment_ids,
            nonce,
            at,
            format,
            input,
        } => inspect_cmd(
            jwks,
            issuer,
            client_id,
            deployment_ids,
            nonce,
            at,
            format,
            input,
        ),
        Command::Roster {
            data,
            flow,
            role,
            rlid,
            limit,
            url,
        } => service_cmd(
            &data,
            "get_roster",
            serde_json::json!({"flow_id": flow, "role": role, "rlid": rlid, "limit": limit, "url": url}),
        ),
        Command::Lineitems {
            data,
            flow,
            resource_link_id,
            resource_id,
            tag,
            limit,
        } => service_cmd(
            &data,
            "list_line_items",
            serde_json::json!({"flow_id": flow, "resource_link_id": resource_link_id,
                "resource_id": resource_id, "tag": tag, "limit": limit}),
        ),
        Command::Score {
            data,
            flow,
            line_item,
            user,
            given,
            maximum,
            comment,
            activity,
            grading,
            timestamp,
            started_at,
            submitted_at,
        } => service_cmd(
            &data,
            "post_score",
            serde_json::json!({"flow_id": flow, "line_item_url": line_item, "user_id": user,
                "score_given": given, "score_maximum": maximum, "comment": comment,
                "activity_progress": activity, "grading_progress": grading, "timestamp": timestamp,
                "started_at": started_at, "submitted_at": submitted_at}),
        ),
        Command::Results {
            data,
            flow,
            line_item,
            user,
            limit,
        } => service_cmd(
            &data,
            "get_results",
            serde_json::json!({"flow_id": flow, "line_item_url": line_item, "user_id": user, "limit": limit}),
        ),
        Command::Platforms { data, action } => {
            let rt = tokio::runtime::Runtime::new()?;
            rt.block_on(platforms_cmd(engine_config(&data), action))
        }
        Command::Serve {
            data,
            ui_port,
            tool_port,
            emulator_port,
            emulator_host,
            ui_dir,
            config,
        } => {
            let mut cfg = engine_config(&data);
            cfg.tool_port = tool_port;
            cfg.emulator_port = emulator_port;
            if let Some(h) = emulator_host {
                cfg.emulator_host = h;
            }
            let _log = lti_inspector::telemetry::init(Some(&cfg.data_dir.join("logs")));
            if let KeyStoreChoice::File(p) = &cfg.key_store {
                eprintln!(
                    "warning: private keys will be stored in {} (mode 0600), not in the OS keychain",
                    p.display()
                );
            }
            let rt = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?;
            rt.block_on(serve(cfg, ui_port, ui_dir, config))
        }
    }
}

async fn serve(
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
        let applied = lti_inspector::registrations::apply_config(&engine, &text)
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

#[allow(clippy::too_many_arguments)]
fn inspect_cmd(
    jwks: Option<String>,
    issuer: Option<String>,
    client_id: Option<String>,
    deployment_ids: Vec<String>,
    nonce: Option<String>,
    at: Option<String>,
    format: Format,
    input: String,
) -> anyhow::Result<std::process::ExitCode> {
    use lti_inspector::inspect::{self, InspectOptions};
    use std::io::Read;
    let text = if input == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .context("reading standard input")?;
        s
    } else {
        match std::fs::read(&input) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(e) => {
                eprintln!("error: cannot read {input}: {e}");
                return Ok(std::process::ExitCode::from(2));
            }
        }
    };
    let at = match at.as_deref().map(parse_time) {
        Some(Ok(t)) => Some(t),
        Some(Err(e)) => {
            eprintln!("error: --at: {e}");
            return Ok(std::process::ExitCode::from(2));
        }
        None => None,
    };
    let jwks = match jwks {
        Some(src) => match load_jwks(&src) {
            Ok(j) => Some(j),
            Err(e) => {
                eprintln!("error: --jwks: {e:#}");
                return Ok(std::process::ExitCode::from(2));
            }
        },
        None => None,
    };
    let opts = InspectOptions {
        jwks,
        issuer,
        client_id,
        deployment_ids: (!deployment_ids.is_empty()).then_some(deployment_ids),
        nonce,
        at,
    };
    match inspect::inspect(&text, &opts, lti_inspector::clock::now_secs()) {
        Ok(out) => {
            match format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&out)?),
                Format::Text => print!("{}", inspect::render_text(&out)),
            }
            Ok(std::process::ExitCode::from(out.exit_code()))
        }
        Err(e) => {
            eprintln!("error: {e}");
            Ok(std::process::ExitCode::from(2))
        }
    }
}

fn parse_time(s: &str) -> anyhow::Result<i64> {
    if let Ok(n) = s.trim().parse::<i64>() {
        return Ok(n);
    }
    time::OffsetDateTime::parse(s.trim(), &time::format_description::well_known::Rfc3339)
        .map(|t| t.unix_timestamp())
        .map_err(|e| anyhow::anyhow!("{s:?} is neither Unix seconds nor RFC 3339: {e}"))
}

fn load_jwks(src: &str) -> anyhow::Result<lti_protocol::jwk::Jwks> {
    let text = if src.starts_with("http://") || src.starts_with("https://") {
        let rt = tokio::runtime::Runtime::new()?;
        rt.block_on(async {
            let res = reqwest::Client::new()
                .get(src)
                .timeout(std::time::Duration::from_secs(10))
                .send()
                .await?;
            anyhow::Ok(res.error_for_status()?.text().await?)
        })?
    } else {
        std::fs::read_to_string(src).with_context(|| format!("reading {src}"))?
    };
    Ok(lti_inspector::registrations::parse_public_key(&text)?)
}

/// Runs a service command of the command table and prints its JSON result; a refusal is
/// printed as JSON `{"error": …}` on standard error with exit code 1.
fn service_cmd(
    data: &DataArgs,
    name: &str,
    args: serde_json::Value,
) -> anyhow::Result<std::process::ExitCode> {
    let cfg = engine_config(data);
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(async {
        let engine = Engine::open(cfg)?;
        match lti_inspector::commands::dispatch(&engine, name, args).await {
            Ok(v) => {
                println!("{}", serde_json::to_string_pretty(&v)?);
                Ok(std::process::ExitCode::SUCCESS)
            }
            Err(e) => {
                eprintln!("{}", serde_json::json!({"error": e}));
                Ok(std::process::ExitCode::from(1))
            }
        }
    })
}

async fn platforms_cmd(
    cfg: EngineConfig,
    action: PlatformAction,
) -> anyhow::Result<std::process::ExitCode> {
    use lti_inspector::registrations::{self, PlatformInput};
    let engine = Engine::open(cfg)?;
    match action {
        PlatformAction::List => {
            let list = engine
                .store()
                .read(lti_inspector::store::platforms::list)
                .await?;
            println!("{}", serde_json::to_string_pretty(&list)?);
        }
        PlatformAction::Presets => println!(
            "{}",
            serde_json::to_string_pretty(&lti_protocol::lms::profiles())?
        ),
        PlatformAction::Remove { id } => {
            registrations::delete(&engine, id.clone()).await?;
            eprintln!("removed {id}");
        }
        PlatformAction::Add {
            id,
            name,
            preset,
            site,
            issuer,
            client_id,
            deployment_ids,
            auth_endpoint,
            token_endpoint,
            token_audience,
            jwks_url,
            public_key_file,
        } => {
            let public_key = match public_key_file {
                Some(p) => Some(
                    std::fs::read_to_string(&p)
                        .with_context(|| format!("reading {}", p.display()))?,
                ),
                None => None,
            };
            let input = PlatformInput {
                id,
                name,
                preset,
                issuer,
                client_id,
                deployment_ids: (!deployment_ids.is_empty()).then_some(deployment_ids),
                auth_endpoint,
                token_endpoint,
                token_audience,
                jwks_url,
                public_key,
                site,
            };
            let saved = registrations::save(&engine, input).await?;
            println!("{}", serde_json::to_string_pretty(&saved)?);
        }
    }
    Ok(std::process::ExitCode::SUCCESS)
}
