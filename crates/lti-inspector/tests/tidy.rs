//! Keeping the store tidy (issue 11, item 7): notes are searchable, pinned flows survive
//! "delete older than", retention and search deletions, chosen ids are deleted whole (exchanges,
//! messages, search rows), and the store reports its size.

mod common;

use common::{config, rpc};
use lti_inspector::engine::Engine;
use serde_json::{json, Value};

fn claims(user: &str, iat: i64) -> String {
    json!({"iss": "https://lms.example", "aud": "c", "sub": user, "name": user, "iat": iat, "exp": iat + 60,
           "https://purl.imsglobal.org/spec/lti/claim/message_type": "LtiResourceLinkRequest"})
    .to_string()
}

async fn import(engine: &Engine, user: &str, iat: i64) -> String {
    let out = rpc(
        engine,
        "import",
        json!({"name": "paste", "text": claims(user, iat)}),
    )
    .await;
    out["flows"][0]["id"].as_str().unwrap().to_string()
}

/// A flow recorded long ago: a HAR entry from 2024.
async fn import_old(engine: &Engine, user: &str) -> String {
    let har = json!({"log": {"version": "1.2", "entries": [{"startedDateTime": "2024-01-01T00:00:00Z",
        "request": {"method": "POST", "url": "https://tool.example/launch",
          "postData": {"mimeType": "application/x-www-form-urlencoded", "text": format!("id_token=eyJhbGciOiJSUzI1NiJ9.{}.c2ln&state=s", base64url(&claims(user, 1_704_067_200)))}},
        "response": {"status": 200}}]}});
    let out = rpc(
        engine,
        "import",
        json!({"name": "old.har", "text": har.to_string()}),
    )
    .await;
    out["flows"][0]["id"].as_str().unwrap().to_string()
}

fn base64url(s: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s)
}

async fn ids(engine: &Engine, query: &str) -> Vec<String> {
    let v: Value = rpc(engine, "list_flows", json!({"query": query, "limit": 100})).await;
    v.as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn notes_pins_deletions_and_retention() {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(config(dir.path())).unwrap();
    let now = lti_core::clock::now_secs();
    let ada = import(&engine, "ada-lovelace", now).await;
    let bob = import(&engine, "bob-builder", now).await;
    let old_kept = import_old(&engine, "old-pinned").await;
    let old = import_old(&engine, "old-unpinned").await;

    // A note is searchable and shown on the flow.
    let f = rpc(
        &engine,
        "set_flow_note",
        json!({"id": ada, "note": "Ticket ZENDESK-4711: works after re-registering"}),
    )
    .await;
    assert_eq!(f["note"], "Ticket ZENDESK-4711: works after re-registering");
    assert_eq!(
        ids(&engine, "zendesk-4711").await,
        std::slice::from_ref(&ada)
    );
    rpc(&engine, "set_flow_note", json!({"id": ada, "note": ""})).await;
    assert!(
        ids(&engine, "zendesk").await.is_empty(),
        "a cleared note is no longer found"
    );

    // Older than 30 days: the pinned old flow stays.
    let f = rpc(
        &engine,
        "set_flow_pinned",
        json!({"id": old_kept, "pinned": true}),
    )
    .await;
    assert_eq!(f["pinned"], true);
    let r = rpc(&engine, "delete_flows", json!({"older_than_days": 30})).await;
    assert_eq!(
        (&r["deleted"], &r["kept_pinned"]),
        (&json!(1), &json!(1)),
        "{r}"
    );
    assert!(ids(&engine, "old-unpinned").await.is_empty());
    assert_eq!(
        ids(&engine, "old-pinned").await,
        std::slice::from_ref(&old_kept)
    );
    let gone = lti_inspector::commands::dispatch(&engine, "get_flow", json!({"id": old})).await;
    assert!(gone.is_err());

    // By search: pinned kept; by id: deleted whole (its exchanges too).
    let r = rpc(&engine, "delete_flows", json!({"query": "side:imported"})).await;
    assert_eq!(
        (&r["deleted"], &r["kept_pinned"]),
        (&json!(2), &json!(1)),
        "{r}"
    );
    assert!(ids(&engine, "bob").await.is_empty() && ids(&engine, "ada").await.is_empty());
    let before = rpc(&engine, "list_exchanges", json!({}))
        .await
        .as_array()
        .unwrap()
        .len();
    assert_eq!(before, 1, "the pinned HAR flow's exchange");
    rpc(&engine, "delete_flows", json!({"ids": [old_kept]})).await;
    assert!(rpc(&engine, "list_exchanges", json!({}))
        .await
        .as_array()
        .unwrap()
        .is_empty());
    let _ = bob;

    // Retention is a setting, reported with the store's size.
    let info = rpc(&engine, "set_retention", json!({"days": 90})).await;
    assert_eq!(info["retention_days"], 90);
    assert!(
        info["bytes"].as_u64().unwrap() > 0 && info["flows"] == 0,
        "{info}"
    );
    let info = rpc(&engine, "set_retention", json!({"days": null})).await;
    assert!(info["retention_days"].is_null());
    assert!(
        lti_inspector::commands::dispatch(&engine, "delete_flows", json!({}))
            .await
            .is_err()
    );
    let long = "x".repeat(100_001);
    let err = lti_inspector::commands::dispatch(
        &engine,
        "set_flow_note",
        json!({"id": ada, "note": long}),
    )
    .await
    .unwrap_err();
    assert!(err.message.contains("at most 100,000"), "{err:?}");
}

/// A launch's id_token is stored once (store/tokens.rs): the emulator's auto-post page, the
/// form post the tool side received and both sides' id_token messages name one `tokens` row,
/// and each reads back byte for byte. Deleting one side's flow keeps the token for the other;
/// deleting both removes it.
#[tokio::test]
async fn a_launch_keeps_its_token_once_and_deleting_its_flows_removes_it() {
    let dir = tempfile::tempdir().unwrap();
    let engine = common::start(dir.path()).await;
    let tool_flow = common::demo_launch(&engine).await;
    let flow = common::flow(&engine, &tool_flow).await;
    let emulator_flow = flow["related"][0]["id"].as_str().unwrap().to_string();

    let id_token_of = |flow: &str| {
        let (store, flow) = (engine.store().clone(), flow.to_string());
        async move {
            store
                .read(move |c| lti_core::messages::id_token_of(c, &flow))
                .await
                .unwrap()
        }
    };
    let token = id_token_of(&tool_flow).await.unwrap();
    assert!(token.len() > 1000 && token.matches('.').count() == 2);
    let launch = &common::steps(&flow, "launch")[0];
    let posted = rpc(
        &engine,
        "get_exchange",
        json!({"id": launch["id"], "reveal": true}),
    )
    .await;
    assert!(
        posted["request_body"]
            .as_str()
            .unwrap()
            .contains(&format!("id_token={token}&")),
        "the form post reads back whole"
    );
    let emu = common::flow(&engine, &emulator_flow).await;
    let page = emu["exchanges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["step"] == "auth")
        .unwrap()
        .clone();
    let page = rpc(
        &engine,
        "get_exchange",
        json!({"id": page["id"], "reveal": true}),
    )
    .await;
    assert!(page["response_body"].as_str().unwrap().contains(&token));
    assert_eq!(
        id_token_of(&emulator_flow).await.as_deref(),
        Some(token.as_str())
    );

    // In the database: one token row, used by both flows; the page, the form post and both
    // messages name it instead of holding it (bodies with a token list: `packed` bits 4 and 8;
    // message rows tagged "T1").
    let (tokens, uses, bodies, messages): (i64, i64, i64, i64) = engine
        .store()
        .read(|c| {
            Ok((
                c.query_row("SELECT count(*) FROM tokens", [], |r| r.get(0))?,
                c.query_row("SELECT count(*) FROM token_uses", [], |r| r.get(0))?,
                c.query_row(
                    "SELECT count(*) FROM exchanges WHERE packed & 12 != 0",
                    [],
                    |r| r.get(0),
                )?,
                c.query_row(
                    "SELECT count(*) FROM messages WHERE substr(report_json, 1, 2) = X'5431'",
                    [],
                    |r| r.get(0),
                )?,
            ))
        })
        .await
        .unwrap();
    assert_eq!((tokens, uses, bodies, messages), (1, 2, 2, 2));

    let count = |engine: &Engine| {
        let store = engine.store().clone();
        async move {
            store
                .read(|c| {
                    Ok(c.query_row("SELECT count(*) FROM tokens", [], |r| r.get::<_, i64>(0))?)
                })
                .await
                .unwrap()
        }
    };
    rpc(&engine, "delete_flows", json!({"ids": [tool_flow]})).await;
    assert_eq!(count(&engine).await, 1, "the emulator's flow still uses it");
    assert_eq!(id_token_of(&emulator_flow).await, Some(token));
    rpc(&engine, "delete_flows", json!({"ids": [emulator_flow]})).await;
    assert_eq!(count(&engine).await, 0);
}
