//! Crash safety, measured (issue 9): `lti-inspector serve` takes launches over loopback at a
//! steady rate, is killed with SIGKILL mid-load, and restarted on the same data folder. Every
//! launch whose response the client received must then be in the store — its flow, its
//! exchange and its message — the database must pass `PRAGMA integrity_check`, and no flow may
//! be half-written (a launch flow without its exchange or message).
//!
//! Environment: CRASH_RATE (launches/s offered, default 4000 — about half of bench-capture's
//! capacity on this machine), CRASH_SECS (load before the kill, default 300), CRASH_CONCURRENCY
//! (default 32). Prints sent / acknowledged / found and the checks; exits 1 when one fails.
//!
//! The launches are unsolicited posts of a pool of pre-signed id_tokens (replays among them
//! are findings, and recorded like any launch): what is measured is that an acknowledged
//! capture survives a crash, not validation.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use lti_inspector::bench::env;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use lti_inspector::serve_child::{landing_flow, ServeChild};
use lti_protocol::keys::SigningKey;
use serde_json::{json, Map, Value};

const ISS: &str = "https://crash-platform.example";
const CLIENT: &str = "crash-client";
const POOL: usize = 2_000;

fn claims(nonce: &str, now: i64, i: usize) -> Map<String, Value> {
    json!({
        "iss": ISS, "aud": CLIENT, "sub": format!("user-{i}"), "exp": now + 7200, "iat": now, "nonce": nonce,
        "https://purl.imsglobal.org/spec/lti/claim/message_type": "LtiResourceLinkRequest",
        "https://purl.imsglobal.org/spec/lti/claim/version": "1.3.0",
        "https://purl.imsglobal.org/spec/lti/claim/deployment_id": "dep-1",
        "https://purl.imsglobal.org/spec/lti/claim/target_link_uri": "http://localhost/lti/launch",
        "https://purl.imsglobal.org/spec/lti/claim/resource_link": {"id": "rl-1"},
        "https://purl.imsglobal.org/spec/lti/claim/roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
    })
    .as_object()
    .unwrap()
    .clone()
}

#[tokio::main]
async fn main() {
    let rate = env("CRASH_RATE", 4_000).max(1);
    let secs = env("CRASH_SECS", 300);
    let concurrency = env("CRASH_CONCURRENCY", 32).max(1);
    let bin: PathBuf = std::env::current_exe()
        .unwrap()
        .with_file_name("lti-inspector");
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");

    let serve = ServeChild::start(&bin, &data, "warn");
    let key = SigningKey::generate().unwrap();
    serve
        .api(
        "save_platform",
        json!({"name": "Crash LMS", "issuer": ISS, "client_id": CLIENT, "deployment_ids": ["dep-1"],
               "auth_endpoint": format!("{ISS}/auth"),
               "public_key": serde_json::to_string(&key.public_jwk()).unwrap()}),
    )
    .await;
    let now = lti_core::clock::now_secs();
    let bodies: Arc<Vec<String>> = Arc::new(
        (0..POOL)
            .map(|i| {
                let token = lti_protocol::jws::sign_rs256(
                    &Map::new(),
                    &claims(&format!("n{i}"), now, i),
                    &key,
                )
                .unwrap();
                url::form_urlencoded::Serializer::new(String::new())
                    .extend_pairs([("id_token", token.as_str()), ("state", "crash")])
                    .finish()
            })
            .collect(),
    );
    let url = Arc::new(format!("{}/lti/launch", serve.tool));
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();

    println!(
        "offering {rate} launches/s for {secs} s with {concurrency} connections, then SIGKILL mid-load"
    );
    let sent = Arc::new(AtomicUsize::new(0));
    let acked: Arc<Mutex<Vec<String>>> = Default::default();
    let start = tokio::time::Instant::now();
    let deadline = start + Duration::from_secs(secs as u64);
    let mut tasks = Vec::new();
    for w in 0..concurrency {
        let (client, url, bodies) = (client.clone(), url.clone(), bodies.clone());
        let (sent, acked) = (sent.clone(), acked.clone());
        tasks.push(tokio::spawn(async move {
            let mut k = 0usize;
            loop {
                let n = k * concurrency + w;
                let at = start + Duration::from_secs_f64(n as f64 / rate as f64);
                // Keep sending past the deadline: the kill lands while requests are in flight.
                if at > deadline + Duration::from_secs(2) {
                    return;
                }
                tokio::time::sleep_until(at).await;
                sent.fetch_add(1, Ordering::Relaxed);
                let res = client
                    .post(url.as_str())
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(bodies[n % POOL].clone())
                    .send()
                    .await;
                let Ok(res) = res else { return };
                let ok = res.status().is_success();
                let Ok(page) = res.text().await else { return };
                if ok {
                    if let Some(f) = landing_flow(&page) {
                        acked.lock().unwrap().push(f);
                    }
                }
                k += 1;
            }
        }));
    }
    // The kill: at the deadline, with the load still running.
    tokio::time::sleep_until(deadline).await;
    serve.kill();
    let killed_at = start.elapsed();
    for t in tasks {
        let _ = t.await;
    }
    let acked = std::mem::take(&mut *acked.lock().unwrap());
    let sent = sent.load(Ordering::Relaxed);
    println!(
        "killed after {:.1} s: sent {sent}, acknowledged {} ({:.0}/s)",
        killed_at.as_secs_f64(),
        acked.len(),
        acked.len() as f64 / killed_at.as_secs_f64()
    );

    // Restart on the same folder: it must open (recovering the log) and serve again.
    let t = Instant::now();
    let serve = ServeChild::start(&bin, &data, "warn");
    let status = serve.api("get_status", json!({})).await;
    println!(
        "restarted in {:.0} ms; tool side running: {}",
        t.elapsed().as_secs_f64() * 1000.0,
        status["tool"]["running"]
    );
    serve.stop();

    // The checks, on the database itself.
    let db = rusqlite::Connection::open(data.join("inspector.db")).unwrap();
    let integrity: String = db
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    db.execute_batch("CREATE TEMP TABLE acked (id TEXT PRIMARY KEY)")
        .unwrap();
    {
        let tx = db.unchecked_transaction().unwrap();
        let mut ins = tx
            .prepare("INSERT OR IGNORE INTO acked(id) VALUES (?1)")
            .unwrap();
        for id in &acked {
            ins.execute([id]).unwrap();
        }
        drop(ins);
        tx.commit().unwrap();
    }
    let count = |sql: &str| -> i64 { db.query_row(sql, [], |r| r.get(0)).unwrap() };
    let distinct = count("SELECT count(*) FROM acked");
    let found = count(
        "SELECT count(*) FROM acked a WHERE EXISTS (SELECT 1 FROM flows f WHERE f.id = a.id)
           AND EXISTS (SELECT 1 FROM exchanges e WHERE e.flow_id = a.id)
           AND EXISTS (SELECT 1 FROM messages m WHERE m.flow_id = a.id AND m.kind = 'id_token')",
    );
    let half = count(
        "SELECT count(*) FROM flows f WHERE f.kind = 'lti13_launch' AND (
            NOT EXISTS (SELECT 1 FROM exchanges e WHERE e.flow_id = f.id)
         OR NOT EXISTS (SELECT 1 FROM messages m WHERE m.flow_id = f.id))",
    );
    let stored = count("SELECT count(*) FROM flows WHERE kind = 'lti13_launch'");
    let size = std::fs::metadata(data.join("inspector.db"))
        .map(|m| m.len())
        .unwrap_or(0);
    println!(
        "acknowledged {distinct}, found whole {found}, launch flows stored {stored} (the rest were in flight at the kill), half-written {half}"
    );
    println!(
        "integrity_check: {integrity}; database {:.0} MiB",
        size as f64 / 1048576.0
    );
    let ok = integrity == "ok" && found == distinct && half == 0;
    println!(
        "{}",
        if ok {
            "crash safety: ok"
        } else {
            "crash safety: FAILED"
        }
    );
    if !ok {
        std::process::exit(1);
    }
}
