//! Service client benchmark: LTI Advantage calls (NRPS roster, AGS results, AGS scores) from a
//! captured demo launch against the emulator over loopback, with token caching. Prints calls per
//! second and the token requests made (amortised to almost none per call). Every call is
//! recorded in the launch's flow, as in normal use. Run with `make bench` (release).
//!
//! Environment: BENCH_CALLS (default 1000), BENCH_CONCURRENCY (default 8).

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use lti_inspector::bench::{env, ms, percentile};
use std::sync::Arc;
use std::time::{Duration, Instant};

use lti_core::keystore::KeyStoreChoice;
use lti_inspector::engine::{Engine, EngineConfig};
use lti_platform_side::emulator::walk::Walker;
use lti_tool_side::service_client::{ags, nrps};

async fn one_call(engine: &Engine, flow_id: &str, i: usize) -> Duration {
    let t = Instant::now();
    match i % 3 {
        0 => {
            let r = nrps::roster(
                engine.tool(),
                nrps::RosterArgs {
                    flow_id: flow_id.into(),
                    ..Default::default()
                },
            )
            .await
            .expect("roster");
            assert_eq!(r.members.len(), 4);
        }
        1 => {
            // Concurrent scores for one learner may arrive out of timestamp order: the platform
            // answers 409 to the older one, which is correct and still a service call.
            if let Err(e) = ags::post_score(
                engine.tool(),
                ags::PostScoreArgs {
                    flow_id: flow_id.into(),
                    user_id: Some(lti_inspector::demo::LEARNERS[(i / 3) % 3].into()),
                    score_given: Some((i % 10) as f64),
                    score_maximum: Some(10.0),
                    ..Default::default()
                },
            )
            .await
            {
                assert!(e.to_string().contains("409"), "score: {e}");
            }
        }
        _ => {
            ags::get_results(
                engine.tool(),
                ags::ResultsArgs {
                    flow_id: flow_id.into(),
                    ..Default::default()
                },
            )
            .await
            .expect("results");
        }
    }
    t.elapsed()
}

async fn token_requests(engine: &Engine, flow_id: &str) -> i64 {
    let id = flow_id.to_string();
    engine
        .store()
        .read(move |c| {
            Ok(c.query_row(
                "SELECT count(*) FROM exchanges WHERE flow_id = ?1 AND step = 'token'",
                [id],
                |r| r.get::<_, i64>(0),
            )?)
        })
        .await
        .unwrap()
}

#[tokio::main]
async fn main() {
    let n = env("BENCH_CALLS", 1000);
    let concurrency = env("BENCH_CONCURRENCY", 8).max(1);
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = EngineConfig::with_data_dir(dir.path().to_path_buf());
    cfg.tool_port = 0;
    cfg.emulator_port = 0;
    cfg.key_store = KeyStoreChoice::File(dir.path().join("keys.json"));
    let engine = Engine::start(cfg).await.unwrap();
    lti_inspector::demo::ensure(&engine).await.unwrap();
    let launch = lti_platform_side::emulator::launch::create(
        engine.platform(),
        lti_platform_side::emulator::launch::LaunchArgs {
            tool_id: lti_inspector::demo::TOOL_ID.into(),
            user_id: lti_inspector::demo::INSTRUCTOR.into(),
            resource_link_id: Some(lti_inspector::demo::LINK_ID.into()),
            ..Default::default()
        },
    )
    .await
    .expect("launch");
    let walk = Walker::new().open(&launch.url).await.expect("walk");
    assert!(walk.body.contains("Valid launch"), "{}", walk.body);
    let i = walk.body.find("flow <code>").expect("flow id") + "flow <code>".len();
    let flow_id = walk.body[i..].split('<').next().unwrap().to_string();

    // Warm up (the first call fetches the token).
    for i in 0..3 {
        one_call(&engine, &flow_id, i).await;
    }

    let sequential = (n / 4).max(30);
    let mut lat = Vec::with_capacity(sequential);
    for i in 0..sequential {
        lat.push(one_call(&engine, &flow_id, i).await);
    }
    lat.sort();
    println!(
        "service calls, one at a time ({sequential}: roster, score, results in turn): median {:.2} ms, p99 {:.2} ms",
        ms(percentile(&lat, 0.5)),
        ms(percentile(&lat, 0.99))
    );

    let engine = Arc::new(engine);
    let flow = Arc::new(flow_id.clone());
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let t = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (engine, next, flow) = (engine.clone(), next.clone(), flow.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= n {
                    break;
                }
                lat.push(one_call(&engine, &flow, i).await);
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
    let total = n + sequential + 3;
    let tokens = token_requests(&engine, &flow_id).await;
    println!(
        "service calls, {concurrency} concurrent: {:.0} calls/s ({n} calls in {:.2} s), median {:.2} ms, p99 {:.2} ms",
        n as f64 / el.as_secs_f64(),
        el.as_secs_f64(),
        ms(percentile(&lat, 0.5)),
        ms(percentile(&lat, 0.99))
    );
    println!(
        "token requests: {tokens} for {total} service calls ({:.4} per call, cached per registration and scopes)",
        tokens as f64 / total as f64
    );
    engine.shutdown();
}
