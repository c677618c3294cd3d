//! Capture endpoint benchmark: id_token launches validated and persisted per second over
//! loopback HTTP (pre-signed tokens, valid state and cookie), latency under a fixed offered load,
//! and validation alone in process. Run with `make bench` (release build); prints figures.
//!
//! Environment: BENCH_LAUNCHES (default 20000), BENCH_CONCURRENCY (64), BENCH_RATE (10000/s),
//! BENCH_RATE_SECS (3); BENCH_ONLY=validation stops after the in-process part (for profiling).

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use lti_inspector::bench::{env, ms, percentile};
use std::sync::Arc;
use std::time::{Duration, Instant};

use lti_core::keystore::KeyStoreChoice;
use lti_inspector::engine::{Engine, EngineConfig};
use lti_protocol::keys::SigningKey;
use lti_protocol::validate::{self, IdTokenContext, RegistrationView};
use lti_tool_side::capture::states::MintedState;
use serde_json::{json, Map, Value};

const ISS: &str = "https://bench-platform.example";
const CLIENT: &str = "bench-client";

fn claims(nonce: &str, now: i64, i: usize) -> Map<String, Value> {
    json!({
        "iss": ISS, "aud": CLIENT, "sub": format!("user-{i}"), "exp": now + 3600, "iat": now, "nonce": nonce,
        "name": "Bench User", "email": "bench@example.edu",
        "https://purl.imsglobal.org/spec/lti/claim/message_type": "LtiResourceLinkRequest",
        "https://purl.imsglobal.org/spec/lti/claim/version": "1.3.0",
        "https://purl.imsglobal.org/spec/lti/claim/deployment_id": "dep-1",
        "https://purl.imsglobal.org/spec/lti/claim/target_link_uri": "http://localhost/lti/launch",
        "https://purl.imsglobal.org/spec/lti/claim/resource_link": {"id": "rl-1", "title": "Week 1"},
        "https://purl.imsglobal.org/spec/lti/claim/roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
        "https://purl.imsglobal.org/spec/lti/claim/context": {"id": "c-1", "title": "Physics 101", "type": ["http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"]},
        "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": {"scope": ["https://purl.imsglobal.org/spec/lti-ags/scope/score"], "lineitems": "https://bench-platform.example/lineitems"},
    })
    .as_object()
    .unwrap()
    .clone()
}

struct Launch {
    body: String,
    cookie: String,
}

/// CPU seconds used so far by the whole process (Linux /proc; zero elsewhere), to tell a
/// CPU-bound phase from one that waits.
fn cpu_secs() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name: utime and stime are the 12th and 13th (clock ticks).
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    let t = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (t(11) + t(12)) / 100.0
}

/// Prepares `n` launches: a flow and launch state per launch (as a login would leave them), and a
/// token signed with the platform key carrying that state's nonce.
async fn prepare(engine: &Engine, key: &Arc<SigningKey>, n: usize, now: i64) -> Vec<Launch> {
    let mut rows = Vec::with_capacity(n);
    for _ in 0..n {
        let flow = lti_core::messages::new_flow(
            lti_core::store::Side::Tool,
            "lti13_launch",
            "bench".into(),
        );
        rows.push((
            flow,
            lti_core::ids::secret_token(),
            lti_core::ids::secret_token(),
        ));
    }
    let states: Vec<(String, String)> = rows
        .iter()
        .map(|(_, s, n)| (s.clone(), n.clone()))
        .collect();
    // As the login endpoint leaves them: in the table and in memory.
    let login: Vec<(String, String)> = [
        ("iss", ISS),
        ("client_id", CLIENT),
        ("lti_deployment_id", "dep-1"),
        ("target_link_uri", "http://localhost/lti/launch"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let minted: Vec<(lti_core::store::NewFlow, MintedState)> = rows
        .into_iter()
        .map(|(flow, state, nonce)| {
            let m = MintedState {
                state,
                flow_id: flow.id.clone(),
                nonce,
                platform_id: None,
                login: login.clone(),
                nonce_generation: engine.tool().nonces().generation(),
            };
            engine.tool().launch_states().remember(m.clone());
            (flow, m)
        })
        .collect();
    engine
        .store()
        .write(move |tx| {
            for (flow, m) in &minted {
                lti_core::store::flows::insert(tx, flow)?;
                lti_tool_side::capture::states::insert(tx, m)?;
            }
            Ok(())
        })
        .await
        .unwrap();
    // Signing is the platform's cost, not ours: spread it over threads before the clock starts.
    let threads = 2;
    let chunks: Vec<Vec<(usize, String, String)>> = (0..threads)
        .map(|t| {
            states
                .iter()
                .enumerate()
                .filter(|(i, _)| i % threads == t)
                .map(|(i, (s, n))| (i, s.clone(), n.clone()))
                .collect()
        })
        .collect();
    let mut handles = Vec::new();
    for chunk in chunks {
        let key = key.clone();
        handles.push(std::thread::spawn(move || {
            chunk
                .into_iter()
                .map(|(i, state, nonce)| {
                    let token =
                        lti_protocol::jws::sign_rs256(&Map::new(), &claims(&nonce, now, i), &key)
                            .unwrap();
                    let body = url::form_urlencoded::Serializer::new(String::new())
                        .append_pair("id_token", &token)
                        .append_pair("state", &state)
                        .finish();
                    let cookie = format!("lti_state_{}={state}", &state[..16]);
                    (i, Launch { body, cookie })
                })
                .collect::<Vec<_>>()
        }));
    }
    let mut all: Vec<(usize, Launch)> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    all.sort_by_key(|(i, _)| *i);
    all.into_iter().map(|(_, l)| l).collect()
}

async fn post(client: &reqwest::Client, url: &str, l: &Launch) -> Duration {
    let t = Instant::now();
    let res = client
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", &l.cookie)
        .body(l.body.clone())
        .send()
        .await
        .expect("launch request");
    let status = res.status();
    let text = res.text().await.unwrap_or_default();
    assert!(
        status.is_success() && text.contains("Valid launch"),
        "launch not valid: {status} {}",
        &text[..text.len().min(400)]
    );
    t.elapsed()
}

/// Closed-loop throughput with wrk: each request posts a different prepared launch (a Lua
/// script walks a file of them). Returns the figures line, or None when wrk is not installed.
async fn with_wrk(engine: &Engine, key: &Arc<SigningKey>, url: &str, now: i64) -> Option<String> {
    let wrk = ["/usr/bin/wrk", "/usr/local/bin/wrk"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())?;
    let secs = env("BENCH_WRK_SECS", 3);
    let n = env("BENCH_WRK_LAUNCHES", 40_000);
    let launches = prepare(engine, key, n, now).await;
    let dir = tempfile::tempdir().ok()?;
    let data = dir.path().join("launches.txt");
    let lines: String = launches
        .iter()
        .map(|l| format!("{}\t{}\n", l.cookie, l.body))
        .collect();
    std::fs::write(&data, lines).ok()?;
    let script = dir.path().join("launches.lua");
    std::fs::write(
        &script,
        format!(
            r#"local launches = {{}}
for line in io.lines("{}") do
  local tab = line:find("\t", 1, true)
  launches[#launches + 1] = {{ cookie = line:sub(1, tab - 1), body = line:sub(tab + 1) }}
end
local i = 0
request = function()
  i = i + 1
  local l = launches[i]
  if l == nil then return wrk.format("GET", "/lti/launch") end
  return wrk.format("POST", nil, {{ ["Content-Type"] = "application/x-www-form-urlencoded", ["Cookie"] = l.cookie }}, l.body)
end
"#,
            data.display()
        ),
    )
    .ok()?;
    let before = valid_launches(engine).await;
    let (script_arg, url_arg) = (script.clone(), url.to_string());
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(wrk)
            .args(["-t1", "-c64", &format!("-d{secs}s"), "--latency", "-s"])
            .arg(&script_arg)
            .arg(&url_arg)
            .output()
    })
    .await
    .ok()?
    .ok()?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let stored = valid_launches(engine).await - before;
    let pick = |prefix: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(prefix))
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .unwrap_or_default()
    };
    let requests: f64 = pick("Requests/sec:")
        .trim_start_matches("Requests/sec: ")
        .parse()
        .unwrap_or(0.0);
    if stored as usize >= n {
        return Some(format!(
            "wrk: ran out of prepared launches ({n}); raise BENCH_WRK_LAUNCHES"
        ));
    }
    Some(format!(
        "HTTP launches with wrk (1 thread, 64 connections, {secs} s): {requests:.0}/s; {stored} valid launches stored; latency {} / {}",
        pick("50%"),
        pick("99%"),
    ))
}

async fn valid_launches(engine: &Engine) -> i64 {
    engine
        .store()
        .read(|c| {
            Ok(c.query_row(
                "SELECT count(*) FROM messages WHERE kind = 'id_token' AND verdict = 'valid'",
                [],
                |r| r.get(0),
            )?)
        })
        .await
        .unwrap_or(0)
}

#[tokio::main]
async fn main() {
    let n = env("BENCH_LAUNCHES", 20_000);
    let concurrency = env("BENCH_CONCURRENCY", 64);
    let rate = env("BENCH_RATE", 10_000);
    let rate_secs = env("BENCH_RATE_SECS", 3);
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = EngineConfig::with_data_dir(dir.path().to_path_buf());
    cfg.tool_port = 0;
    cfg.emulator_port = 0;
    cfg.key_store = KeyStoreChoice::File(dir.path().join("keys.json"));
    let engine = Engine::start(cfg).await.unwrap();
    let key = Arc::new(SigningKey::generate().unwrap());
    lti_tool_side::registrations::save(
        engine.tool(),
        lti_tool_side::registrations::PlatformInput {
            name: "Bench LMS".into(),
            issuer: ISS.into(),
            client_id: CLIENT.into(),
            deployment_ids: Some(vec!["dep-1".into()]),
            auth_endpoint: "https://bench-platform.example/auth".into(),
            public_key: Some(serde_json::to_string(&key.public_jwk()).unwrap()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let url = format!("{}/lti/launch", engine.tool_status().base_url.unwrap());
    let now = lti_core::clock::now_secs();

    // 1. Validation alone, in process.
    let jwks = lti_protocol::jwk::Jwks {
        keys: vec![key.public_jwk()],
    };
    let sample: Vec<String> = (0..2000)
        .map(|i| {
            lti_protocol::jws::sign_rs256(&Map::new(), &claims(&format!("n{i}"), now, i), &key)
                .unwrap()
        })
        .collect();
    let reg = RegistrationView {
        issuer: ISS.into(),
        client_id: CLIENT.into(),
        deployment_ids: Some(vec!["dep-1".into()]),
        ..Default::default()
    };
    // Where validation's time goes: parsing, the RSA check, the whole report.
    let parsed: Vec<lti_protocol::jws::Jws> = sample
        .iter()
        .map(|t| lti_protocol::jws::Jws::parse(t).unwrap())
        .collect();
    let per = |el: Duration, n: usize| el.as_secs_f64() * 1e6 / n as f64;
    let t = Instant::now();
    for tok in sample.iter().cycle().take(20_000) {
        std::hint::black_box(lti_protocol::jws::Jws::parse(tok).unwrap());
    }
    let parse_us = per(t.elapsed(), 20_000);
    let t = Instant::now();
    for jws in parsed.iter().cycle().take(20_000) {
        assert!(matches!(
            jws.verify(&jwks),
            lti_protocol::jws::SignatureCheck::Verified { .. }
        ));
    }
    let verify_us = per(t.elapsed(), 20_000);
    println!("  parse {parse_us:.1} µs, RS256 verify {verify_us:.1} µs per token");
    let t = Instant::now();
    let mut valid = 0;
    for (i, tok) in sample.iter().cycle().take(20_000).enumerate() {
        let ctx = IdTokenContext {
            registration: Some(reg.clone()),
            jwks: Some(&jwks),
            expected_nonce: Some(format!("n{}", i % 2000)),
            nonce_seen_before: Some(false),
            // As the capture endpoint runs it: claims are explained when a flow is read.
            skip_explain: true,
            ..IdTokenContext::at(now)
        };
        if validate::id_token(tok, &ctx).verdict == lti_protocol::finding::Verdict::Valid {
            valid += 1;
        }
    }
    let el = t.elapsed();
    assert_eq!(valid, 20_000);
    println!(
        "validation alone (one core): {:.0} id_tokens/s ({:.1} µs each)",
        20_000.0 / el.as_secs_f64(),
        el.as_secs_f64() * 1e6 / 20_000.0
    );

    // Both cores validating: the ceiling for any server on this machine (no HTTP, no store).
    let t = Instant::now();
    std::thread::scope(|scope| {
        for part in 0..2 {
            let (sample, jwks, reg) = (&sample, &jwks, &reg);
            scope.spawn(move || {
                for (i, tok) in sample.iter().cycle().take(20_000).enumerate() {
                    if i % 2 != part {
                        continue;
                    }
                    let ctx = IdTokenContext {
                        registration: Some(reg.clone()),
                        jwks: Some(jwks),
                        expected_nonce: Some(format!("n{}", i % 2000)),
                        nonce_seen_before: Some(false),
                        skip_explain: true,
                        ..IdTokenContext::at(now)
                    };
                    assert_eq!(
                        validate::id_token(tok, &ctx).verdict,
                        lti_protocol::finding::Verdict::Valid
                    );
                }
            });
        }
    });
    println!(
        "validation alone (two threads): {:.0} id_tokens/s",
        20_000.0 / t.elapsed().as_secs_f64()
    );

    if std::env::var("BENCH_ONLY").as_deref() == Ok("validation") {
        engine.shutdown();
        return;
    }

    // 2. Throughput over HTTP, closed loop.
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .build()
        .unwrap();
    let launches = Arc::new(prepare(&engine, &key, n, now).await);
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let cpu0 = cpu_secs();
    let t = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (client, url, launches, next) =
            (client.clone(), url.clone(), launches.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= launches.len() {
                    break lat;
                }
                lat.push(post(&client, &url, &launches[i]).await);
            }
        }));
    }
    let mut lat: Vec<Duration> = Vec::new();
    for t in tasks {
        lat.extend(t.await.unwrap());
    }
    let el = t.elapsed();
    let cpu1 = cpu_secs();
    lat.sort();
    println!(
        "HTTP launches validated + persisted: {:.0}/s ({n} launches, {concurrency} connections, {:.2} s); latency p50 {:.2} ms, p99 {:.2} ms",
        n as f64 / el.as_secs_f64(),
        el.as_secs_f64(),
        ms(percentile(&lat, 0.5)),
        ms(percentile(&lat, 0.99))
    );
    println!(
        "  CPU: {:.2} of 2 cores busy (the load generator shares them), {:.0} µs per launch",
        (cpu1 - cpu0) / el.as_secs_f64(),
        (cpu1 - cpu0) * 1e6 / n as f64,
    );
    let stored = valid_launches(&engine).await;
    assert_eq!(stored as usize, n, "every launch must be stored as valid");
    let (req, res, hdr, rep): (f64, f64, f64, f64) = engine
        .store()
        .read(|c| {
            Ok(c.query_row(
                "SELECT avg(length(request_body)), avg(length(response_body)),
                        avg(length(request_headers) + length(response_headers)),
                        (SELECT avg(length(report_json)) FROM messages WHERE kind = 'id_token')
                 FROM exchanges WHERE step = 'launch'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )?)
        })
        .await
        .unwrap();
    println!(
        "  stored per launch: request body {req:.0} B, response body {res:.0} B, headers {hdr:.0} B, findings {rep:.0} B"
    );
    let wal = std::fs::metadata(engine.store().path().with_extension("db-wal"))
        .map(|m| m.len())
        .unwrap_or(0);
    println!(
        "  write-ahead log after the run: {:.1} MiB",
        wal as f64 / 1048576.0
    );

    // 2b. The same with wrk (C, one thread) as the load generator when it is installed: the
    // in-process client above costs about as much CPU as the server it measures.
    if let Some(figures) = with_wrk(&engine, &key, &url, now).await {
        println!("{figures}");
    }

    // 3. Latency at a fixed offered rate (open loop).
    let total = rate * rate_secs;
    let launches = Arc::new(prepare(&engine, &key, total, now).await);
    let interval = Duration::from_secs_f64(1.0 / rate as f64);
    // Bounded in-flight requests (connections): beyond it, requests wait, and that wait is
    // counted in their latency because it is measured from when each was due.
    let slots = Arc::new(tokio::sync::Semaphore::new(512));
    let start = Instant::now();
    let mut tasks = Vec::with_capacity(total);
    for i in 0..total {
        let due = start + interval * i as u32;
        tokio::time::sleep_until(due.into()).await;
        let (client, url, launches, slots) =
            (client.clone(), url.clone(), launches.clone(), slots.clone());
        tasks.push(tokio::spawn(async move {
            let _slot = slots.acquire_owned().await.expect("semaphore");
            post(&client, &url, &launches[i]).await;
            // Latency from when the request was due: queueing delay counts (no coordinated omission).
            due.elapsed()
        }));
    }
    let mut lat = Vec::with_capacity(total);
    for t in tasks {
        lat.push(t.await.unwrap());
    }
    let el = start.elapsed();
    lat.sort();
    println!(
        "at {rate}/s offered for {rate_secs} s: achieved {:.0}/s; latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        total as f64 / el.as_secs_f64(),
        ms(percentile(&lat, 0.5)),
        ms(percentile(&lat, 0.99)),
        ms(*lat.last().unwrap())
    );
    engine.shutdown();
}
