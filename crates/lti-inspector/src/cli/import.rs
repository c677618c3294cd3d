//! `lti-inspector import FILE...` and `export`: HAR files, tokens, form bodies, claims objects
//! and bundles in and out of a data folder, through the same commands the app uses.

use std::io::Read;

use std::process::ExitCode;

use crate::cli::manage::{run_command, with_engine};
use crate::DataArgs;

/// Imports each file (`-` = standard input) and prints one JSON summary per file. Exit code 0
/// when every file was imported, 2 when one could not be (its error is in the output too).
pub(crate) fn import_cmd(
    data: &DataArgs,
    files: Vec<String>,
    fetch_keys: bool,
) -> anyhow::Result<ExitCode> {
    with_engine(data, |engine| async move {
        let mut out = Vec::new();
        let mut failed = false;
        for file in files {
            let (name, text) = match read(&file) {
                Ok(t) => t,
                Err(e) => {
                    failed = true;
                    out.push(serde_json::json!({"file": file, "error": e.to_string()}));
                    continue;
                }
            };
            let args = serde_json::json!({"name": name, "text": text, "fetch_keys": fetch_keys});
            match lti_inspector::commands::dispatch(&engine, "import", args).await {
                Ok(v) => out.push(serde_json::json!({"file": file, "imported": v})),
                Err(e) => {
                    failed = true;
                    out.push(serde_json::json!({"file": file, "error": e.message}));
                }
            }
        }
        println!("{}", serde_json::to_string_pretty(&out)?);
        Ok(if failed {
            ExitCode::from(2)
        } else {
            ExitCode::SUCCESS
        })
    })
}

fn read(file: &str) -> anyhow::Result<(String, String)> {
    use anyhow::Context;
    let bytes = if file == "-" {
        let mut b = Vec::new();
        std::io::stdin().read_to_end(&mut b)?;
        b
    } else {
        std::fs::read(file).with_context(|| format!("cannot read {file}"))?
    };
    let text = String::from_utf8(bytes).map_err(|_| {
        anyhow::anyhow!("{file} is not UTF-8 text (a HAR file, token or form body)")
    })?;
    let name = if file == "-" {
        "stdin".to_string()
    } else {
        std::path::Path::new(file)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| file.to_string())
    };
    Ok((name, text))
}

/// Runs `export_flows`: the file to `path` (summary on stdout) or to stdout (summary on stderr).
pub(crate) fn export_cmd(data: &DataArgs, args: serde_json::Value) -> anyhow::Result<ExitCode> {
    run_command(data, "export_flows", args, |mut v| {
        let content = v.get_mut("content").map(serde_json::Value::take);
        match content.as_ref().and_then(serde_json::Value::as_str) {
            Some(text) => {
                println!("{text}");
                eprintln!("{}", serde_json::to_string_pretty(&v)?);
            }
            None => println!("{}", serde_json::to_string_pretty(&v)?),
        }
        Ok(ExitCode::SUCCESS)
    })
}
