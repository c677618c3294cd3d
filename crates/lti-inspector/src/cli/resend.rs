//! `lti-inspector resend EXCHANGE`: a recorded exchange sent again, through the same command
//! the app's Re-send dialog uses; `--header` edits one header and keeps the others.

use std::process::ExitCode;

use serde_json::{json, Value};

use crate::cli::manage::with_engine;
use crate::DataArgs;

#[derive(clap::Args)]
pub(crate) struct ResendArgs {
    #[command(flatten)]
    data: DataArgs,
    /// The exchange's number (`#N` in the app, `id` in `export`).
    exchange: i64,
    #[arg(long)]
    url: Option<String>,
    #[arg(long)]
    method: Option<String>,
    /// "Name: value": replaces the recorded header of that name, or adds it (repeatable).
    #[arg(long = "header")]
    headers: Vec<String>,
    #[arg(long)]
    body: Option<String>,
    /// Print the request and what to expect, without sending.
    #[arg(long)]
    preview: bool,
}

pub(crate) fn resend_cmd(a: ResendArgs) -> anyhow::Result<ExitCode> {
    with_engine(&a.data, |engine| async move {
        let run = |args: Value| {
            let engine = engine.clone();
            async move { lti_inspector::commands::dispatch(&engine, "resend_exchange", args).await }
        };
        let mut args = json!({"exchange_id": a.exchange, "url": a.url, "method": a.method,
                              "body": a.body, "preview": a.preview});
        if !a.headers.is_empty() {
            // The recorded headers (secrets masked: a masked value goes as recorded), edited.
            let shown = match run(json!({"exchange_id": a.exchange, "preview": true})).await {
                Ok(v) => v,
                Err(e) => return refused(e),
            };
            let mut headers: Vec<Value> = shown["request"]["headers"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            for h in &a.headers {
                let Some((name, value)) = h.split_once(':') else {
                    anyhow::bail!("--header {h:?} is not \"Name: value\"");
                };
                let (name, value) = (name.trim(), value.trim());
                headers.retain(|x| !x["name"].as_str().unwrap_or("").eq_ignore_ascii_case(name));
                headers.push(json!({"name": name, "value": value}));
            }
            args["headers"] = json!(headers);
        }
        match run(args).await {
            Ok(v) => {
                println!("{}", serde_json::to_string_pretty(&v)?);
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => refused(e),
        }
    })
}

fn refused(e: lti_core::error::ApiError) -> anyhow::Result<ExitCode> {
    eprintln!("{}", json!({"error": e}));
    Ok(ExitCode::from(1))
}
