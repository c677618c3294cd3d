//! Emulator benchmark: the full OIDC flow emulator → capture endpoint over loopback with no
//! browser (a client that follows the steps: launch page → tool login → emulator /auth → tool
//! launch), every exchange recorded on both sides. Prints flows per second, median and p99
//! latency, and the signing cost per launch measured on its own. Run with `make bench` (release).
//!
//! Environment: BENCH_FLOWS (default 2000), BENCH_CONCURRENCY (default 8), BENCH_SIGNS (2000).

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use lti_inspector::bench::{env, ms, percentile};
use std::sync::Arc;
use std::time::{Duration, Instant};

use lti_core::keystore::KeyStoreChoice;
use lti_core::signing_keys::KeyRole;
use lti_inspector::engine::{Engine, EngineConfig};
use lti_platform_side::emulator::launch::{self, LaunchArgs};
use lti_platform_side::emulator::walk::Walker;
use serde_json::json;

fn demo_launch() -> LaunchArgs {
    LaunchArgs {
        tool_id: lti_inspector::demo::TOOL_ID.into(),
        user_id: lti_inspector::demo::LEARNERS[0].into(),
        resource_link_id: Some(lti_inspector::demo::LINK_ID.into()),
        ..Default::default()
    }
}

/// One flow: the launch is created (as the UI's command does), then walked. Returns the walk's
/// duration, the launch creation's and each step's.
async fn one_flow(engine: &Engine, walker: &mut Walker) -> (Duration, Duration, Vec<Duration>) {
    let t = Instant::now();
    let started = launch::create(engine.platform(), demo_launch())
        .await
        .expect("launch_url");
    let create = t.elapsed();
    let t = Instant::now();
    let walk = walker.open(&started.url).await.expect("walk");
    let flow = t.elapsed();
    assert!(
        walk.status == 200 && walk.body.contains("Valid launch"),
        "the launch is not valid at the tool side: {} {}",
        walk.status,
        &walk.body[..walk.body.len().min(600)]
    );
    assert_eq!(walk.steps.len(), 4, "launch page → login → auth → launch");
    (flow, create, walk.steps.iter().map(|s| s.elapsed).collect())
}

#[tokio::main]
async fn main() {
    let n = env("BENCH_FLOWS", 2000);
    let concurrency = env("BENCH_CONCURRENCY", 8).max(1);
    let signs = env("BENCH_SIGNS", 2000);
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = EngineConfig::with_data_dir(dir.path().to_path_buf());
    cfg.tool_port = 0;
    cfg.emulator_port = 0;
    cfg.key_store = KeyStoreChoice::File(dir.path().join("keys.json"));
    let engine = Engine::start(cfg).await.unwrap();
    lti_inspector::demo::ensure(&engine).await.unwrap();
    let key = engine.keys().signing_key(KeyRole::Emulator).await.unwrap();

    // 1. Signing alone: the RS256 signature of a launch's claims (what /auth adds per launch).
    let claims = json!({
        "iss": "http://localhost:4472", "aud": "client", "sub": "user", "exp": 0, "iat": 0, "nonce": "n",
        "https://purl.imsglobal.org/spec/lti/claim/message_type": "LtiResourceLinkRequest",
        "https://purl.imsglobal.org/spec/lti/claim/version": "1.3.0",
        "https://purl.imsglobal.org/spec/lti/claim/deployment_id": "dep",
        "https://purl.imsglobal.org/spec/lti/claim/roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
    });
    let claims = claims.as_object().unwrap().clone();
    let mut sign_times = Vec::with_capacity(signs);
    for _ in 0..signs {
        let t = Instant::now();
        let token = launch::sign(&claims, &key, None).unwrap();
        sign_times.push(t.elapsed());
        std::hint::black_box(token);
    }
    sign_times.sort();
    println!(
        "signing per launch (RS256, 2048-bit): median {:.3} ms, p99 {:.3} ms",
        ms(percentile(&sign_times, 0.5)),
        ms(percentile(&sign_times, 0.99))
    );

    // Warm up: key sets fetched and cached on both sides, connections open.
    let mut walker = Walker::new();
    for _ in 0..5 {
        one_flow(&engine, &mut walker).await;
    }

    // 2. Latency: one flow at a time.
    let sequential = (n / 4).max(50);
    let mut flows = Vec::with_capacity(sequential);
    let mut creates = Vec::with_capacity(sequential);
    let mut steps: Vec<Vec<Duration>> = vec![Vec::new(); 4];
    for _ in 0..sequential {
        let (f, c, s) = one_flow(&engine, &mut walker).await;
        flows.push(f);
        creates.push(c);
        for (i, d) in s.into_iter().enumerate() {
            steps[i].push(d);
        }
    }
    flows.sort();
    creates.sort();
    println!(
        "full OIDC flow, one at a time ({sequential} flows, 4 HTTP requests each): median {:.2} ms, p99 {:.2} ms (launch creation: median {:.2} ms)",
        ms(percentile(&flows, 0.5)),
        ms(percentile(&flows, 0.99)),
        ms(percentile(&creates, 0.5)),
    );
    let names = [
        "emulator launch page",
        "tool login",
        "emulator /auth (signs)",
        "tool launch (validates)",
    ];
    let per_step: Vec<String> = steps
        .iter_mut()
        .zip(names)
        .map(|(d, name)| {
            d.sort();
            format!("{name} {:.2} ms", ms(percentile(d, 0.5)))
        })
        .collect();
    println!("  median per step: {}", per_step.join(", "));

    // 3. Throughput: `concurrency` browsers walking flows back to back.
    let engine = Arc::new(engine);
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let t = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (engine, next) = (engine.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut walker = Walker::new();
            let mut lat = Vec::new();
            while next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < n {
                lat.push(one_flow(&engine, &mut walker).await.0);
            }
            lat
        }));
    }
    let mut lat: Vec<Duration> = Vec::new();
    for task in tasks {
        lat.extend(task.await.unwrap());
    }
    let el = t.elapsed();
    lat.sort();
    println!(
        "full OIDC flow, {concurrency} concurrent: {:.0} flows/s ({n} flows in {:.2} s), median {:.2} ms, p99 {:.2} ms",
        n as f64 / el.as_secs_f64(),
        el.as_secs_f64(),
        ms(percentile(&lat, 0.5)),
        ms(percentile(&lat, 0.99))
    );
    let exchanges = engine
        .store()
        .read(|c| Ok(c.query_row("SELECT count(*) FROM exchanges", [], |r| r.get::<_, i64>(0))?))
        .await
        .unwrap();
    println!("recorded exchanges (both sides): {exchanges}");
    engine.shutdown();
}
