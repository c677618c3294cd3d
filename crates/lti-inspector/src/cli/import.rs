//! `lti-inspector import FILE...` and `export`: HAR files, tokens, form bodies, claims objects
//! and bundles in and out of a data folder, through the same commands the app uses.

use std::io::Read;

use std::process::ExitCode;

use lti_tool_side::import;

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
            let result = if file == "-" {
                let (name, text) = match read_stdin() {
                    Ok(t) => t,
                    Err(e) => {
                        failed = true;
                        out.push(serde_json::json!({"file": file, "error": e.to_string()}));
                        continue;
                    }
                };
                let source = lti_tool_side::import::Source::Text(text);
                import::import_from(engine.tool(), &name, source, fetch_keys).await
            } else {
                // A file is read where it lies, a HAR as a stream: a 500 MB export costs only
                // its LTI entries in memory, with progress on stderr.
                let path = std::path::PathBuf::from(&file);
                let source = import::Source::File {
                    progress: progress_printer(&path),
                    path,
                };
                import::import_from(engine.tool(), &file_name(&file), source, fetch_keys).await
            };
            match result {
                Ok(v) => out.push(serde_json::json!({"file": file, "imported": v})),
                Err(e) => {
                    failed = true;
                    let e = lti_core::error::ApiError::from(e);
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

fn read_stdin() -> anyhow::Result<(String, String)> {
    let mut b = Vec::new();
    std::io::stdin().read_to_end(&mut b)?;
    let text = String::from_utf8(b).map_err(|_| {
        anyhow::anyhow!("standard input is not UTF-8 text (a HAR file, token or form body)")
    })?;
    Ok(("stdin".into(), text))
}

fn file_name(file: &str) -> String {
    std::path::Path::new(file)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| file.to_string())
}

/// Progress of a large file on stderr (stdout stays the JSON summary): one line rewritten in
/// place on a terminal, a line per tenth otherwise. Files under 8 MB read too fast to need it.
fn progress_printer(path: &std::path::Path) -> std::sync::Arc<dyn Fn(u64, u64) + Send + Sync> {
    use std::io::IsTerminal;
    use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
    let total = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let name = file_name(&path.to_string_lossy());
    let tty = std::io::stderr().is_terminal();
    let last_tenth = AtomicU64::new(0);
    std::sync::Arc::new(move |read: u64, entries: u64| {
        if total < 8 << 20 {
            return;
        }
        let percent = read.saturating_mul(100) / total.max(1);
        let line = format!(
            "reading {name}: {percent}% ({} of {} MB, {entries} entries)",
            read >> 20,
            total >> 20
        );
        if tty {
            eprint!("\r{line}");
            if read >= total {
                eprintln!();
            }
        } else if percent / 10 > last_tenth.load(Relaxed) {
            last_tenth.store(percent / 10, Relaxed);
            eprintln!("{line}");
        }
    })
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
