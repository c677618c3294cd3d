//! Search and filters in the store (issue 11, item 5), through `list_flows { query }`: free text
//! over claim values, field terms, failing rules, verdict and side, paging, FTS syntax typed as
//! text, and the background indexing of messages stored before the index existed.

mod common;

use common::config;
use lti_inspector::commands::dispatch;
use lti_inspector::engine::Engine;
use lti_protocol::keys::SigningKey;
use serde_json::{json, Map, Value};

const ISS: &str = "https://school.brightspace.example";

fn token(key: &SigningKey, user: &str, context: &str, now: i64) -> String {
    let claims: Map<String, Value> = json!({
        "iss": ISS, "aud": "c-1", "sub": user.to_lowercase().replace(' ', "."), "exp": now + 300, "iat": now,
        "nonce": format!("n-{user}"), "name": user, "email": format!("{}@school.example", user.to_lowercase().replace(' ', ".")),
        "https://purl.imsglobal.org/spec/lti/claim/message_type": "LtiResourceLinkRequest",
        "https://purl.imsglobal.org/spec/lti/claim/version": "1.3.0",
        "https://purl.imsglobal.org/spec/lti/claim/deployment_id": "dep-1",
        "https://purl.imsglobal.org/spec/lti/claim/target_link_uri": "https://tool.example/launch",
        "https://purl.imsglobal.org/spec/lti/claim/resource_link": {"id": "rl-1"},
        "https://purl.imsglobal.org/spec/lti/claim/roles": [],
        "https://purl.imsglobal.org/spec/lti/claim/context": {"id": context.to_lowercase(), "title": context},
        "https://purl.imsglobal.org/spec/lti/claim/custom": {"canvas_course_sis": "SIS-4711"}
    })
    .as_object()
    .unwrap()
    .clone();
    lti_protocol::jws::sign_rs256(&Map::new(), &claims, key).unwrap()
}

async fn flows(engine: &Engine, query: &str) -> Vec<Value> {
    flows_page(engine, query, 100, None).await
}

async fn flows_page(engine: &Engine, query: &str, limit: u32, before: Option<i64>) -> Vec<Value> {
    dispatch(
        engine,
        "list_flows",
        json!({"query": query, "limit": limit, "before": before}),
    )
    .await
    .unwrap_or_else(|e| panic!("{query:?}: {e}"))
    .as_array()
    .unwrap()
    .clone()
}

fn users(list: &[Value]) -> Vec<String> {
    let mut u: Vec<String> = list
        .iter()
        .map(|f| f["summary"]["user"].as_str().unwrap_or("").to_string())
        .collect();
    u.sort();
    u
}

/// An engine with a registered platform and three imported launches: two signed by it, one
/// forged (another key).
async fn seeded(dir: &std::path::Path) -> Engine {
    let engine = Engine::open(config(dir)).unwrap();
    let key = SigningKey::generate().unwrap();
    dispatch(
        &engine,
        "save_platform",
        json!({"name": "Brightspace (school)", "issuer": ISS, "client_id": "c-1", "deployment_ids": ["dep-1"],
               "auth_endpoint": format!("{ISS}/auth"), "public_key": serde_json::to_string(&key.public_jwk()).unwrap()}),
    )
    .await
    .unwrap();
    let now = lti_core::clock::now_secs();
    let forger = SigningKey::generate().unwrap();
    for (k, user, ctx) in [
        (&key, "Ada Lovelace", "Physics 101"),
        (&key, "Grace Hopper", "Chemistry 2"),
        (&forger, "Mallory Forger", "Physics 101"),
    ] {
        dispatch(
            &engine,
            "import",
            json!({"name": "paste", "text": token(k, user, ctx, now)}),
        )
        .await
        .unwrap();
    }
    engine
}

#[tokio::test]
async fn free_text_fields_rules_and_flow_filters() {
    let dir = tempfile::tempdir().unwrap();
    let engine = seeded(dir.path()).await;

    assert_eq!(users(&flows(&engine, "ada").await), ["Ada Lovelace"]);
    // A prefix of a word, in a claim value no column holds (a custom parameter).
    assert_eq!(flows(&engine, "SIS-47").await.len(), 3);
    assert_eq!(users(&flows(&engine, "chem").await), ["Grace Hopper"]);
    assert_eq!(
        users(&flows(&engine, "physics").await),
        ["Ada Lovelace", "Mallory Forger"]
    );
    assert_eq!(users(&flows(&engine, "user:grace").await), ["Grace Hopper"]);
    // A field term looks in its field only: "physics" is a context, not a user.
    assert!(flows(&engine, "user:physics").await.is_empty());
    assert_eq!(
        users(&flows(&engine, "context:physics user:ada").await),
        ["Ada Lovelace"]
    );
    assert_eq!(
        users(&flows(&engine, "grace.hopper@school").await),
        ["Grace Hopper"]
    );

    // The forged launch: its failing rule, its verdict, and the finding's words.
    let forged = flows(&engine, "verdict:invalid").await;
    assert_eq!(users(&forged), ["Mallory Forger"]);
    let rule = flows(&engine, "rule:jwt.signature").await;
    let kid = flows(&engine, "rule:jwt.kid").await;
    assert_eq!(
        users(&[rule, kid].concat()),
        ["Mallory Forger"],
        "the forged launch fails jwt.signature or jwt.kid"
    );
    assert_eq!(flows(&engine, "rule:jwt").await.len(), 1);
    assert_eq!(
        users(&flows(&engine, "physics -verdict:invalid").await),
        ["Ada Lovelace"]
    );
    assert_eq!(
        users(&flows(&engine, "physics -mallory").await),
        ["Ada Lovelace"]
    );
    assert_eq!(flows(&engine, "side:imported").await.len(), 3);
    assert!(flows(&engine, "side:tool").await.is_empty());
    assert!(flows(&engine, "since:2999-01-01").await.is_empty());
    assert_eq!(flows(&engine, "since:2020-01-01 ada").await.len(), 1);
    assert_eq!(flows(&engine, "has:errors").await.len(), 1);
    assert!(flows(&engine, "nobody-by-this-name").await.is_empty());
}

#[tokio::test]
async fn fts_syntax_is_searched_as_text_and_never_errors() {
    let dir = tempfile::tempdir().unwrap();
    let engine = seeded(dir.path()).await;
    for q in [
        "\"",
        "\"ada",
        "*",
        "ada*",
        "NEAR(ada grace)",
        "ada OR grace",
        "AND",
        "user:",
        "-",
        "rule:",
        "(((",
        "'; DROP TABLE flows; --",
        "user:\"grace",
    ] {
        let _ = flows(&engine, q).await;
    }
    // `OR` is a word to look for, not an operator: nothing has all three words.
    assert!(flows(&engine, "ada OR grace").await.is_empty());
    assert_eq!(users(&flows(&engine, "\"ada").await), ["Ada Lovelace"]);
    assert_eq!(flows(&engine, "").await.len(), 3);
}

#[tokio::test]
async fn pages_follow_the_seq_cursor() {
    let dir = tempfile::tempdir().unwrap();
    let engine = seeded(dir.path()).await;
    let first = flows_page(&engine, "school", 2, None).await;
    assert_eq!(first.len(), 2);
    let cursor = first[1]["seq"].as_i64().expect("search results carry seq");
    let second = flows_page(&engine, "school", 2, Some(cursor)).await;
    assert_eq!(second.len(), 1);
    let mut all = users(&[first, second].concat());
    all.dedup();
    assert_eq!(all.len(), 3);
}

/// A search straight at the index (no indexing first).
async fn indexed(engine: &Engine, q: &str) -> usize {
    let query = lti_core::search::parse(q);
    engine
        .store()
        .read(move |c| lti_core::search::search(c, &query, 100, None))
        .await
        .unwrap()
        .len()
}

#[tokio::test]
async fn messages_are_indexed_after_capture_in_the_background_or_before_a_search() {
    let dir = tempfile::tempdir().unwrap();
    let engine = seeded(dir.path()).await;
    // Captures do not index (it would cost them throughput): nothing is in the index yet...
    assert_eq!(indexed(&engine, "ada").await, 0);
    // ...until a search asks: it indexes what waits first.
    assert_eq!(users(&flows(&engine, "ada").await), ["Ada Lovelace"]);
    assert_eq!(
        lti_core::search::index_all_pending(engine.store())
            .await
            .unwrap(),
        0
    );

    // A store from before the index (no rows, no watermark) is indexed the same way.
    engine.store().write(lti_core::search::reset).await.unwrap();
    assert_eq!(indexed(&engine, "ada").await, 0);
    assert_eq!(users(&flows(&engine, "ada").await), ["Ada Lovelace"]);
    assert_eq!(flows(&engine, "rule:jwt").await.len(), 1);

    // The background indexer picks new messages up by itself once captures pause.
    let (stop_tx, stop) = tokio::sync::watch::channel(false);
    lti_core::search::index_in_background(engine.store().clone(), stop);
    let key = SigningKey::generate().unwrap();
    dispatch(&engine, "import", json!({"name": "paste", "text": token(&key, "Katherine Johnson", "Orbits", lti_core::clock::now_secs())}))
        .await
        .unwrap();
    let t = std::time::Instant::now();
    while indexed(&engine, "katherine").await == 0 {
        assert!(
            t.elapsed() < std::time::Duration::from_secs(10),
            "not indexed in the background"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let _ = stop_tx.send(true);
}
