//! Import benchmark (issue 11, P5): a HAR file of BENCH_IMPORT_MB megabytes (default 50) — one
//! real-shaped LTI launch (login, authentication request, id_token post) among unrelated
//! entries with 64 KiB bodies, as a devtools export of a busy LMS page has — imported through
//! the CLI in its own process (time and peak memory by GNU time, above an idle import), then
//! through the command table in process as the app sends it (4 MiB pieces, then the import of
//! the upload). BENCH_IMPORT_MB=500 for the large case.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::time::Instant;

use lti_core::keystore::KeyStoreChoice;
use lti_inspector::bench::env;
use lti_inspector::commands::dispatch;
use lti_inspector::engine::{Engine, EngineConfig};
use serde_json::{json, Value};

fn har(megabytes: usize) -> String {
    let key = lti_protocol::keys::SigningKey::generate().unwrap();
    let claims = json!({"iss": "https://lms.example", "aud": "c", "sub": "u", "nonce": "n-1", "iat": 1_714_557_599, "exp": 1_714_557_900,
        "https://purl.imsglobal.org/spec/lti/claim/message_type": "LtiResourceLinkRequest",
        "https://purl.imsglobal.org/spec/lti/claim/version": "1.3.0",
        "https://purl.imsglobal.org/spec/lti/claim/deployment_id": "d"});
    let token =
        lti_protocol::jws::sign_rs256(&Default::default(), claims.as_object().unwrap(), &key)
            .unwrap();
    let filler = "x".repeat(64 * 1024);
    let unrelated = |i: usize| {
        json!({"startedDateTime": "2024-05-01T09:59:00Z", "time": 3.0,
        "request": {"method": "GET", "url": format!("https://lms.example/assets/{i}.js"), "headers": [{"name": "Accept", "value": "*/*"}]},
        "response": {"status": 200, "headers": [], "content": {"mimeType": "application/javascript", "text": filler}}})
    };
    let mut entries: Vec<Value> = Vec::new();
    let n = megabytes * 1024 / 64;
    for i in 0..n / 2 {
        entries.push(unrelated(i));
    }
    entries.push(json!({"startedDateTime": "2024-05-01T09:59:58Z", "request": {"method": "GET", "url": "https://tool.example/login?iss=https%3A%2F%2Flms.example&login_hint=u&target_link_uri=https%3A%2F%2Ftool.example%2Flaunch&client_id=c"}, "response": {"status": 302}}));
    entries.push(json!({"startedDateTime": "2024-05-01T09:59:59Z", "request": {"method": "GET", "url": "https://lms.example/auth?scope=openid&response_type=id_token&client_id=c&redirect_uri=https%3A%2F%2Ftool.example%2Flaunch&login_hint=u&state=s-1&nonce=n-1&response_mode=form_post&prompt=none"}, "response": {"status": 200}}));
    entries.push(json!({"startedDateTime": "2024-05-01T10:00:00Z", "request": {"method": "POST", "url": "https://tool.example/launch", "postData": {"mimeType": "application/x-www-form-urlencoded", "text": format!("id_token={token}&state=s-1")}}, "response": {"status": 200}}));
    for i in n / 2..n {
        entries.push(unrelated(i));
    }
    json!({"log": {"version": "1.2", "creator": {"name": "bench", "version": "1"}, "entries": entries}}).to_string()
}

/// Runs `lti-inspector import FILE` (the CLI next to this binary) under GNU time: (seconds,
/// peak resident KiB, stdout).
fn cli_import(file: &std::path::Path, data: &std::path::Path) -> (f64, u64, String) {
    let cli = std::env::current_exe()
        .unwrap()
        .with_file_name("lti-inspector");
    assert!(
        cli.exists(),
        "build the CLI first: cargo build --release -p lti-inspector ({})",
        cli.display()
    );
    let out = std::process::Command::new("/usr/bin/time")
        .args(["-f", "%e %M"])
        .arg(&cli)
        .args(["import", "--data-dir"])
        .arg(data)
        .arg("--key-store")
        .arg(format!("file:{}", data.join("keys.json").display()))
        .arg(file)
        .output()
        .expect("GNU time (/usr/bin/time) runs the CLI");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let last = stderr.lines().last().unwrap_or("");
    let mut it = last.split_whitespace();
    let secs = it.next().and_then(|s| s.parse().ok()).unwrap_or(f64::NAN);
    let kib = it.next().and_then(|s| s.parse().ok()).unwrap_or(0);
    (secs, kib, String::from_utf8_lossy(&out.stdout).into_owned())
}

fn main() {
    let mb = env("BENCH_IMPORT_MB", 50);
    let dir = tempfile::tempdir().unwrap();
    // Idle: the same command on a one-token file.
    let small = dir.path().join("token.jwt");
    std::fs::write(&small, "eyJhbGciOiJub25lIn0.eyJpc3MiOiJodHRwczovL3gifQ.").unwrap();
    let (_, idle_kib, _) = cli_import(&small, &dir.path().join("idle"));
    let file = dir.path().join("big.har");
    std::fs::write(&file, har(mb)).unwrap();
    let bytes = std::fs::metadata(&file).unwrap().len();
    let (secs, kib, stdout) = cli_import(&file, &dir.path().join("data"));
    let out: Value = serde_json::from_str(&stdout).unwrap_or(Value::Null);
    let imported = &out[0]["imported"];
    println!(
        "import (CLI, whole process): {:.1} MB HAR ({} entries, {} LTI) -> {} flow(s) in {secs:.2} s; peak memory {:.0} MiB, {:.0} MiB above an idle import ({:.0} MiB)",
        bytes as f64 / 1e6,
        imported["entries"],
        imported["lti_entries"],
        imported["flows"].as_array().map(Vec::len).unwrap_or(0),
        kib as f64 / 1024.0,
        (kib as f64 - idle_kib as f64) / 1024.0,
        idle_kib as f64 / 1024.0,
    );
    // In process, through the command table (the app's path), without the process start.
    let mut cfg = EngineConfig::with_data_dir(dir.path().join("inproc"));
    cfg.key_store = KeyStoreChoice::File(dir.path().join("inproc-keys.json"));
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        use base64::Engine as _;
        use std::io::Read as _;
        let engine = Engine::open(cfg).unwrap();
        // The Import dialog's path: 4 MiB pieces, base64, then the import of the upload.
        let t = Instant::now();
        let mut f = std::fs::File::open(&file).unwrap();
        let mut buf = vec![0u8; 4 << 20];
        let (mut offset, mut id) = (0u64, serde_json::Value::Null);
        loop {
            let n = f.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            let data = base64::engine::general_purpose::STANDARD.encode(&buf[..n]);
            let piece = json!({"upload_id": id, "name": "big.har", "total_bytes": bytes, "offset": offset, "data": data});
            let out = dispatch(&engine, "import_upload", piece).await.expect("piece");
            id = out["upload_id"].clone();
            offset += n as u64;
        }
        let sent = t.elapsed().as_secs_f64();
        let out = dispatch(&engine, "import", json!({"name": "big.har", "upload_id": id}))
            .await
            .expect("import");
        println!(
            "import (command table, as the app sends it): {} flow(s) in {:.2} s ({sent:.2} s sending 4 MiB pieces, {:.2} s importing)",
            out["flows"].as_array().map(Vec::len).unwrap_or(0),
            t.elapsed().as_secs_f64(),
            t.elapsed().as_secs_f64() - sent,
        );
    });
}
