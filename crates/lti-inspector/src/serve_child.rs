//! `lti-inspector serve` run as a child process, for the benchmarks and tests that need the
//! real binary (a crash, debug-level logs on disk): start it on free ports, call its API with
//! the printed token, stop it with SIGTERM (clean) or SIGKILL (a crash).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use serde_json::Value;

pub struct ServeChild {
    pub child: Child,
    /// The API's origin (`http://127.0.0.1:PORT`).
    pub api: String,
    pub token: String,
    /// The tool side's base URL.
    pub tool: String,
}

impl ServeChild {
    /// Starts `bin serve` on `data` with a file key store and `RUST_LOG=log_filter`, and waits
    /// for its `ui:` and `tool:` lines. Panics when it cannot start (callers are benches and
    /// tests).
    pub fn start(bin: &Path, data: &Path, log_filter: &str) -> ServeChild {
        let mut child = Command::new(bin)
            .args([
                "serve",
                "--ui-port",
                "0",
                "--tool-port",
                "0",
                "--emulator-port",
                "0",
            ])
            .arg("--data-dir")
            .arg(data)
            .arg("--key-store")
            .arg(format!("file:{}", data.join("keys.json").display()))
            .env("RUST_LOG", log_filter)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("starting {}: {e}", bin.display()));
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let (mut ui, mut tool) = (None, None);
        while ui.is_none() || tool.is_none() {
            let line = lines.next().expect("serve printed its URLs").unwrap();
            if let Some(u) = line.strip_prefix("ui: ") {
                ui = Some(u.trim().to_string());
            }
            if let Some(t) = line.strip_prefix("tool: ") {
                tool = Some(t.trim().to_string());
            }
        }
        // Keep reading: serve writes more lines, and a closed pipe would make it exit.
        std::thread::spawn(move || for _ in lines {});
        let ui = url::Url::parse(&ui.unwrap()).unwrap();
        let token = ui
            .query_pairs()
            .find(|(k, _)| k == "token")
            .unwrap()
            .1
            .to_string();
        ServeChild {
            child,
            api: ui.origin().ascii_serialization(),
            token,
            tool: tool.unwrap(),
        }
    }

    /// Runs a command of the table through the HTTP API; panics unless it succeeds.
    pub async fn api(&self, name: &str, args: Value) -> Value {
        let res = reqwest::Client::new()
            .post(format!("{}/api/rpc/{name}", self.api))
            .header("authorization", format!("Bearer {}", self.token))
            .header("content-type", "application/json")
            .body(args.to_string())
            .send()
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let status = res.status();
        let text = res.text().await.unwrap();
        assert!(status.is_success(), "{name}: {status} {text}");
        serde_json::from_str(&text).unwrap()
    }

    /// SIGTERM (through the shell's builtin `kill`: no procps needed) and wait: serve stops
    /// cleanly and flushes its log.
    pub fn stop(mut self) {
        let _ = Command::new("sh")
            .arg("-c")
            .arg(format!("kill -TERM {}", self.child.id()))
            .status();
        let _ = self.child.wait();
    }

    /// SIGKILL and wait: a crash.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The tool side's flow id named by one of its landing pages: `#/flows/<id>` when served with
/// a UI address, else `/open-in-inspector/flows/<id>` (the desktop app's link).
pub fn landing_flow(page: &str) -> Option<String> {
    // `serve` links to `…/#/flows/<id>`; the desktop app to `/open-in-inspector/flows/<id>`.
    ["#/flows/", "/open-in-inspector/flows/"]
        .iter()
        .find_map(|marker| {
            let i = page.find(marker)? + marker.len();
            page[i..].split('"').next().map(str::to_string)
        })
}
