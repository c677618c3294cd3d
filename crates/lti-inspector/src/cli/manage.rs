//! Subcommands that act on a data folder: the service client calls and platform registrations.

use crate::{engine_config, DataArgs, PlatformAction};
use anyhow::Context;
use lti_inspector::engine::{Engine, EngineConfig};
use serde_json::Value;
use std::process::ExitCode;

/// Opens the engine of a data folder (no servers) on a runtime of its own and runs `f` with it:
/// the CLI's one-shot commands.
pub(crate) fn with_engine<F, Fut>(data: &DataArgs, f: F) -> anyhow::Result<ExitCode>
where
    F: FnOnce(Engine) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<ExitCode>>,
{
    let cfg = engine_config(data);
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(async { f(Engine::open(cfg)?).await })
}

/// Runs command `name` of the table and hands its JSON result to `show`; a refusal is printed
/// as JSON `{"error": …}` on standard error with exit code 1.
pub(crate) fn run_command(
    data: &DataArgs,
    name: &str,
    args: Value,
    show: impl FnOnce(Value) -> anyhow::Result<ExitCode>,
) -> anyhow::Result<ExitCode> {
    with_engine(data, |engine| async move {
        match lti_inspector::commands::dispatch(&engine, name, args).await {
            Ok(v) => show(v),
            Err(e) => {
                eprintln!("{}", serde_json::json!({"error": e}));
                Ok(ExitCode::from(1))
            }
        }
    })
}

/// Runs a command of the table and prints its JSON result (see [`run_command`]).
pub(crate) fn service_cmd(data: &DataArgs, name: &str, args: Value) -> anyhow::Result<ExitCode> {
    run_command(data, name, args, |v| {
        println!("{}", serde_json::to_string_pretty(&v)?);
        Ok(ExitCode::SUCCESS)
    })
}

pub(crate) async fn platforms_cmd(
    cfg: EngineConfig,
    action: PlatformAction,
) -> anyhow::Result<std::process::ExitCode> {
    use lti_tool_side::registrations::{self, PlatformInput};
    let engine = Engine::open(cfg)?;
    match action {
        PlatformAction::List => {
            let list = engine
                .store()
                .read(lti_core::store::platforms::list)
                .await?;
            println!("{}", serde_json::to_string_pretty(&list)?);
        }
        PlatformAction::Presets => println!(
            "{}",
            serde_json::to_string_pretty(&lti_protocol::lms::profiles())?
        ),
        PlatformAction::Remove { id } => {
            registrations::delete(engine.tool(), id.clone()).await?;
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
            let saved = registrations::save(engine.tool(), input).await?;
            println!("{}", serde_json::to_string_pretty(&saved)?);
        }
    }
    Ok(std::process::ExitCode::SUCCESS)
}
