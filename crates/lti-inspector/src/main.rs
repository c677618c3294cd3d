//! `lti-inspector`: the headless CLI. `serve` runs the engine with the UI and API over HTTP for
//! a browser (headless machines, shared team instances, browser tests).

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use lti_core::keystore::KeyStoreChoice;
use lti_inspector::engine::{self, Engine, EngineConfig};

mod cli;

use cli::inspect::inspect_cmd;
use cli::manage::{platforms_cmd, service_cmd};
use cli::serve::serve;

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
enum ExportFormatArg {
    Har,
    Bundle,
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
    Inspect(cli::inspect::InspectArgs),
    /// Import HAR files, id_tokens, form bodies or claims objects into the Timeline as flows.
    ///
    /// Prints one JSON summary per file (flows created, entries read and left out, where the
    /// keys came from). Exit code 2 when a file could not be imported.
    Import {
        #[command(flatten)]
        data: DataArgs,
        /// Fetch the platform's JWKS now when no key is at hand (keys may have rotated since).
        #[arg(long)]
        fetch_keys: bool,
        /// Files, or `-` for standard input.
        #[arg(required = true)]
        files: Vec<String>,
    },
    /// Compare two launches: claims, findings and HTTP steps that differ.
    Diff {
        #[command(flatten)]
        data: DataArgs,
        a: String,
        /// The other flow (or use --with).
        b: Option<String>,
        /// previous-user or previous-platform: the launch before A of the same user / platform.
        #[arg(long)]
        with: Option<String>,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Export flows as HAR 1.2 or as a bundle `import` reads back; redacted unless --no-redact.
    ///
    /// Redaction replaces people (names, emails, pictures, sub, login hints, roster members) by
    /// stable pseudonyms and removes secrets (cookies, Authorization headers, access tokens,
    /// client assertions, state, token signatures). Without -o the file goes to standard output;
    /// a summary (what was removed) goes to standard error.
    Export {
        #[command(flatten)]
        data: DataArgs,
        /// Flow ids (or use --search).
        flows: Vec<String>,
        /// Every flow a filter-box query finds (up to 5,000).
        #[arg(long)]
        search: Option<String>,
        #[arg(long, value_enum, default_value = "har")]
        format: ExportFormatArg,
        #[arg(long)]
        no_redact: bool,
        /// A file, or a folder to put a named file in.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Validate a stored launch again and print what changed, as JSON.
    ///
    /// As of the time it was captured (default), `now`, or a time; with the platform
    /// registration and keys as they are now (default) or as they were at the launch
    /// (`--keys recorded`). `--save` keeps the new result as the flow's.
    Recheck {
        #[command(flatten)]
        data: DataArgs,
        flow: String,
        /// captured (default), now, RFC 3339, a date or Unix seconds.
        #[arg(long)]
        at: Option<String>,
        /// now (default) or recorded: the keys and registration kept with the launch.
        #[arg(long)]
        keys: Option<String>,
        #[arg(long)]
        save: bool,
    },
    /// Send a recorded exchange again and print, as JSON, what to expect, the answer and why.
    ///
    /// As recorded, or edited: `--url` (another receiver), `--method`, `--header "Name: value"`
    /// (replaces the recorded header of that name, or adds it; repeatable) and `--body`.
    /// `--preview` prints the request and the expectations without sending. The answer is
    /// recorded as a flow of its own.
    Resend(cli::resend::ResendArgs),
    /// Answer a captured deep linking request: compose the response from a JSON file of content
    /// items, sign it with the tool's key and store it in the request's flow.
    ///
    /// Prints JSON: verdict, failed checks, items that break the request's settings, the return
    /// URL and the signed JWT (`--check`: nothing signed or stored). `--post` also posts it to
    /// the platform from here and prints the answer (a real LMS wants its session cookies: open
    /// the app's "send from the browser" link instead). Exit code 1 when invalid or refused.
    DeepLink(cli::deep_link::DeepLinkArgs),
    /// Search and list flows, newest first: the Timeline's filter box from the command line.
    ///
    /// The query language is the filter box's: free text over users, contexts, claims, URLs
    /// and finding messages, `user:` `context:` `platform:` `type:` `iss:` `client:`
    /// `deployment:` `rule:` `verdict:` `side:` `since:` `until:` `has:errors`.
    Flows {
        #[command(flatten)]
        data: DataArgs,
        /// Free text and field terms, e.g. "user:jane canvas".
        #[arg(long)]
        search: Option<String>,
        /// valid, invalid, unverified or pending.
        #[arg(long)]
        verdict: Option<String>,
        /// A failing rule id (or prefix), e.g. jwt.signature.
        #[arg(long)]
        rule: Option<String>,
        /// Flows started at or after this time (RFC 3339, a date, or Unix seconds).
        #[arg(long)]
        since: Option<String>,
        #[arg(long, default_value_t = 100)]
        limit: u32,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
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
        Command::Diff {
            data,
            a,
            b,
            with,
            format,
        } => cli::flows::diff_cmd(&data, a, b, with, format),
        Command::Export {
            data,
            flows,
            search,
            format,
            no_redact,
            output,
        } => cli::import::export_cmd(
            &data,
            serde_json::json!({
                "flow_ids": flows,
                "query": search,
                "format": match format { ExportFormatArg::Har => "har", ExportFormatArg::Bundle => "bundle" },
                "redact": !no_redact,
                "path": output,
            }),
        ),
        Command::Recheck {
            data,
            flow,
            at,
            keys,
            save,
        } => service_cmd(
            &data,
            "recheck",
            serde_json::json!({"flow_id": flow, "at": at, "keys": keys, "save": save}),
        ),
        Command::Resend(args) => cli::resend::resend_cmd(args),
        Command::DeepLink(args) => cli::deep_link::deep_link_cmd(args),
        Command::Flows {
            data,
            search,
            verdict,
            rule,
            since,
            limit,
            format,
        } => cli::flows::flows_cmd(
            &data,
            cli::flows::FlowsArgs {
                search,
                verdict,
                rule,
                since,
                limit,
                format,
            },
        ),
        Command::Import {
            data,
            fetch_keys,
            files,
        } => cli::import::import_cmd(&data, files, fetch_keys),
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
        Command::Inspect(args) => inspect_cmd(args),
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
