//! Store benchmark at scale (issue 11, P4): real demo flows (emulator → tool side over loopback,
//! both sides recorded) copied row for row until the store holds BENCH_STORE_FLOWS flows
//! (default 100,000), then the reads the UI makes, through the command table (the API's own
//! path): the Timeline's first page, a deep page, opening a flow, a flow's exchanges. Prints
//! medians and p99 over BENCH_STORE_READS reads each (default 300), the bytes per flow, and each
//! query's plan (`EXPLAIN QUERY PLAN`).

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use lti_inspector::bench::{env, ms};
use std::time::{Duration, Instant};

use lti_core::keystore::KeyStoreChoice;
use lti_inspector::commands::dispatch;
use lti_inspector::engine::{Engine, EngineConfig};
use lti_platform_side::emulator::launch::{self, LaunchArgs};
use lti_platform_side::emulator::walk::Walker;
use serde_json::{json, Value};

fn report(label: &str, mut times: Vec<Duration>) {
    times.sort();
    let at = |p: f64| times[((times.len() as f64 - 1.0) * p).round() as usize];
    println!(
        "{label:<34} median {:>8.3} ms   p99 {:>8.3} ms   (n={})",
        ms(at(0.5)),
        ms(at(0.99)),
        times.len()
    );
}

/// The column list of `table` with some columns replaced by expressions.
fn select_list(conn: &rusqlite::Connection, table: &str, replace: &[(&str, &str)]) -> String {
    let mut stmt = conn
        .prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))
        .unwrap();
    let cols: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    cols.iter()
        .map(|c| {
            replace
                .iter()
                .find(|(name, _)| name == c)
                .map(|(_, expr)| expr.to_string())
                .unwrap_or_else(|| c.clone())
        })
        .collect::<Vec<_>>()
        .join(", ")
}

async fn api(engine: &Engine, name: &str, args: Value) -> Value {
    dispatch(engine, name, args)
        .await
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[tokio::main]
async fn main() {
    let target = env("BENCH_STORE_FLOWS", 100_000);
    let reads = env("BENCH_STORE_READS", 300).max(10);
    let dir = tempfile::tempdir().unwrap();
    // BENCH_STORE_KEEP=DIR keeps the filled store there (to read it with sqlite3 afterwards).
    let data_dir = std::env::var_os("BENCH_STORE_KEEP")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| dir.path().to_path_buf());
    let mut cfg = EngineConfig::with_data_dir(data_dir.clone());
    cfg.tool_port = 0;
    cfg.emulator_port = 0;
    cfg.key_store = KeyStoreChoice::File(data_dir.join("keys.json"));
    let engine = Engine::start(cfg).await.unwrap();
    lti_inspector::demo::ensure(&engine).await.unwrap();

    // Templates: a few real launches, each one emulator flow and one tool-side flow.
    let mut walker = Walker::new();
    for learner in lti_inspector::demo::LEARNERS.iter().take(3) {
        let started = launch::create(
            engine.platform(),
            LaunchArgs {
                tool_id: lti_inspector::demo::TOOL_ID.into(),
                user_id: (*learner).into(),
                resource_link_id: Some(lti_inspector::demo::LINK_ID.into()),
                ..Default::default()
            },
        )
        .await
        .expect("launch");
        let walk = walker.open(&started.url).await.expect("walk");
        assert!(walk.body.contains("Valid launch"), "demo launch not valid");
    }

    // Copies, row for row, in batches of one transaction each. The templates are the first
    // rows of each table: selected by rowid, so each copy reads only them (a LIKE on the ids
    // scanned the whole, growing table: quadratic).
    let t = Instant::now();
    let (templates, tmpl_f, max_x, max_m, max_t): (i64, i64, i64, i64, i64) = engine
        .store()
        .read(|c| {
            Ok((
                c.query_row("SELECT count(*) FROM flows", [], |r| r.get(0))?,
                c.query_row("SELECT max(rowid) FROM flows", [], |r| r.get(0))?,
                c.query_row("SELECT coalesce(max(id), 0) FROM exchanges", [], |r| {
                    r.get(0)
                })?,
                c.query_row("SELECT coalesce(max(id), 0) FROM messages", [], |r| {
                    r.get(0)
                })?,
                c.query_row("SELECT coalesce(max(id), 0) FROM tokens", [], |r| r.get(0))?,
            ))
        })
        .await
        .unwrap();
    // The template launches' side links (emulator ↔ tool side), copied with each copy's flows.
    let links: Vec<(String, String)> = engine
        .store()
        .read(|c| {
            let mut s = c.prepare("SELECT link_key, flow_id FROM flow_links")?;
            let rows = s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
        .unwrap();
    let links = std::sync::Arc::new(links);
    let copies = (target as i64 / templates).max(1);
    let per_batch = 500i64;
    let mut k = 1i64;
    while k <= copies {
        let (from, to) = (k, (k + per_batch - 1).min(copies));
        let links = links.clone();
        engine
            .store()
            .write(move |tx| {
                let flows = select_list(tx, "flows", &[("id", "id || '-' || ?1"), ("started_at", "started_at - ?1 * 1000"), ("updated_at", "updated_at - ?1 * 1000")]);
                let exchanges = select_list(tx, "exchanges", &[("id", "id + ?2"), ("flow_id", "flow_id || '-' || ?1"), ("started_at", "started_at - ?1 * 1000")]);
                let messages = select_list(tx, "messages", &[("id", "id + ?3"), ("flow_id", "flow_id || '-' || ?1"), ("exchange_id", "exchange_id + ?2")]);
                for i in from..=to {
                    tx.execute(&format!("INSERT INTO flows SELECT {flows} FROM flows WHERE rowid <= ?2"), rusqlite::params![i, tmpl_f])?;
                    tx.execute(&format!("INSERT INTO exchanges SELECT {exchanges} FROM exchanges WHERE flow_id IS NOT NULL AND id <= ?3"), rusqlite::params![i, i * max_x, max_x])?;
                    tx.execute(&format!("INSERT INTO messages SELECT {messages} FROM messages WHERE id <= ?4"), rusqlite::params![i, i * max_x, i * max_m, max_m])?;
                    // Each copy pays for its own tokens (the JWTs its bodies and messages hold,
                    // kept once in `tokens`) and their uses, as a distinct launch would. The
                    // copied bodies still name the templates' token rows (ids sit inside the
                    // packed bodies), which reads the same way.
                    tx.execute("INSERT INTO tokens(id, digest, body) SELECT id + ?1 * ?2, randomblob(16), body FROM tokens WHERE id <= ?2", rusqlite::params![i, max_t])?;
                    tx.execute("INSERT INTO token_uses(flow_id, token_id) SELECT flow_id || '-' || ?1, token_id + ?1 * ?2 FROM token_uses WHERE token_id <= ?2", rusqlite::params![i, max_t])?;
                    for (key, flow) in links.iter() {
                        tx.prepare_cached("INSERT INTO flow_links(link_key, flow_id) VALUES (?1 || '-' || ?3, ?2 || '-' || ?3)")?
                            .execute(rusqlite::params![key, flow, i])?;
                    }
                }
                Ok(())
            })
            .await
            .unwrap();
        k = to + 1;
    }
    let filled = t.elapsed();
    // The search index of the copies: built the way an upgraded store builds it (the whole
    // index from the stored messages, in the background), which is also timed.
    let t = Instant::now();
    engine.store().write(lti_core::search::reset).await.unwrap();
    let indexed = lti_core::search::index_all_pending(engine.store())
        .await
        .unwrap();
    println!(
        "search index: {indexed} messages indexed in {:.1} s ({:.0} messages/s)",
        t.elapsed().as_secs_f64(),
        indexed as f64 / t.elapsed().as_secs_f64()
    );
    let flows: i64 = engine
        .store()
        .read(|c| Ok(c.query_row("SELECT count(*) FROM flows", [], |r| r.get(0))?))
        .await
        .unwrap();
    // The settled store: the WAL folded back (the background indexer may still hold a read
    // for a moment, which makes a checkpoint report busy; try again until it does not).
    for _ in 0..100 {
        let busy: i64 = engine
            .store()
            .write(|tx| Ok(tx.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?))
            .await
            .unwrap_or(1);
        if busy == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let db = engine.store().path().to_path_buf();
    let bytes: u64 = ["", "-wal"]
        .iter()
        .filter_map(|s| std::fs::metadata(format!("{}{s}", db.display())).ok())
        .map(|m| m.len())
        .sum();
    println!(
        "store: {flows} flows from {templates} real ones, filled in {:.1} s; {:.1} MB, {:.1} KB per flow",
        filled.as_secs_f64(),
        bytes as f64 / 1e6,
        bytes as f64 / flows as f64 / 1024.0
    );
    // What the data takes once the write-ahead log is folded in: every table and index
    // (dbstat reads through the WAL). The files on disk may still hold an unfolded WAL while
    // the background indexer reads.
    let settled: i64 = engine
        .store()
        .read(|c| Ok(c.query_row("SELECT SUM(pgsize) FROM dbstat", [], |r| r.get(0))?))
        .await
        .unwrap_or(0);
    println!(
        "  settled: {:.1} MB, {:.1} KB per flow (every table and index; the files now hold {:.1} MB with the WAL)",
        settled as f64 / 1e6,
        settled as f64 / flows as f64 / 1024.0,
        bytes as f64 / 1e6
    );
    // Where the bytes are: each table and index (SQLite's dbstat), per flow.
    let by_object = engine
        .store()
        .read(|c| {
            let mut s = c.prepare(
                "SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC LIMIT 16",
            )?;
            let r = s.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
            Ok(r.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await;
    match by_object {
        Ok(rows) => {
            for (name, size) in rows {
                println!(
                    "  {name:<32} {:>8.1} MB  {:>6.2} KB per flow",
                    size as f64 / 1e6,
                    size as f64 / flows as f64 / 1024.0
                );
            }
        }
        Err(e) => println!("  (no per-table sizes: {e})"),
    }

    // The reads, over the command table.
    let ids: Vec<String> = engine
        .store()
        .read(move |c| {
            let mut s = c.prepare("SELECT id FROM flows ORDER BY random() LIMIT ?1")?;
            let r = s.query_map([reads as i64], |r| r.get(0))?;
            Ok(r.collect::<rusqlite::Result<Vec<String>>>()?)
        })
        .await
        .unwrap();
    let deep_before: i64 = engine
        .store()
        .read(|c| {
            Ok(c.query_row(
                "SELECT started_at FROM flows ORDER BY started_at LIMIT 1 OFFSET 200",
                [],
                |r| r.get(0),
            )?)
        })
        .await
        .unwrap();
    let mut first = Vec::new();
    let mut deep = Vec::new();
    let mut open = Vec::new();
    let mut exchanges = Vec::new();
    let mut whole = Vec::new();
    for id in &ids {
        let t = Instant::now();
        std::hint::black_box(api(&engine, "list_flows", json!({"limit": 100})).await);
        first.push(t.elapsed());
        let t = Instant::now();
        std::hint::black_box(
            api(
                &engine,
                "list_flows",
                json!({"limit": 100, "before": deep_before}),
            )
            .await,
        );
        deep.push(t.elapsed());
        let t = Instant::now();
        std::hint::black_box(api(&engine, "get_flow", json!({"id": id})).await);
        open.push(t.elapsed());
        let t = Instant::now();
        std::hint::black_box(
            api(
                &engine,
                "list_exchanges",
                json!({"flow_id": id, "limit": 200}),
            )
            .await,
        );
        exchanges.push(t.elapsed());
        // Every exchange of the flow, whole: bodies unpacked and their tokens put back.
        let listed = api(
            &engine,
            "list_exchanges",
            json!({"flow_id": id, "limit": 200}),
        )
        .await;
        let t = Instant::now();
        for ex in listed.as_array().unwrap() {
            std::hint::black_box(api(&engine, "get_exchange", json!({"id": ex["id"]})).await);
        }
        whole.push(t.elapsed());
    }
    // Words from the real flows: a user's first name (a third of the flows carry it).
    let who: String = engine
        .store()
        .read(|c| {
            Ok(c.query_row(
                "SELECT json_extract(summary_json, '$.user') FROM flows WHERE json_extract(summary_json, '$.user') IS NOT NULL LIMIT 1",
                [],
                |r| r.get::<_, String>(0),
            )?)
        })
        .await
        .unwrap();
    let who = who
        .split_whitespace()
        .next()
        .unwrap_or("demo")
        .to_lowercase();
    let mut searches = Vec::new();
    for q in [
        who.clone(),
        format!("user:{who}"),
        "demo-deployment".into(),
        "rule:jwt.signature".into(),
        "nothing-matches-this".into(),
        format!("{who} verdict:invalid"),
        "side:emulator".into(),
        "since:2026-01-01 verdict:valid".into(),
    ] {
        let q = q.as_str();
        let mut times = Vec::new();
        let mut found = 0;
        for _ in 0..(reads / 10).max(5) {
            let t = Instant::now();
            let r = api(&engine, "list_flows", json!({"limit": 100, "query": q})).await;
            times.push(t.elapsed());
            found = r.as_array().map(Vec::len).unwrap_or(0);
        }
        searches.push((format!("search {q:?} ({found} shown)"), times));
    }
    report("Timeline first page (100 flows)", first);
    report("deep page (oldest flows)", deep);
    report("open a flow (get_flow)", open);
    report("a flow's exchanges (list_exchanges)", exchanges);
    report("each exchange of a flow, whole (get_exchange)", whole);
    for (label, times) in searches {
        report(&label, times);
    }

    let plans = engine
        .store()
        .read(|c| {
            let mut out = Vec::new();
            use lti_core::store::{exchanges, flows, tokens};
            for (label, sql) in [
                ("list_flows", flows::list_sql(false)),
                ("list_flows before", flows::list_sql(true)),
                ("list_exchanges of a flow", exchanges::list_sql(false, true)),
                ("list_exchanges", exchanges::list_sql(true, false)),
                ("search (text)", lti_core::search::search_sql()),
                (
                    "the other side of a launch (get_flow)",
                    flows::related_sql(),
                ),
                ("a token put back", tokens::LOAD_SQL.into()),
                ("a token stored (known?)", tokens::BY_DIGEST_SQL.into()),
                (
                    "deleting a flow: its token uses",
                    tokens::FORGET_USES_SQL.into(),
                ),
                (
                    "deleting a flow: tokens left unused",
                    tokens::FORGET_UNUSED_SQL.into(),
                ),
            ] {
                let mut s = c.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
                let nulls = std::iter::repeat_n(rusqlite::types::Null, s.parameter_count());
                let rows =
                    s.query_map(rusqlite::params_from_iter(nulls), |r| r.get::<_, String>(3))?;
                out.push(format!(
                    "{label}: {}",
                    rows.collect::<rusqlite::Result<Vec<_>>>()?.join(" | ")
                ));
            }
            Ok(out)
        })
        .await
        .unwrap();
    for p in plans {
        println!("plan  {p}");
    }
    engine.shutdown();
}
