//! Issue 9, "a secrets scan": run the real `lti-inspector serve` with debug logging, make it
//! do everything that handles secrets — sign keys, a full demo launch, token requests with
//! client assertions, service calls with bearer tokens — then search what it left on disk.
//!
//! - The database and the logs must hold no private key material (the key store's values, in
//!   any encoding we write, and no `PRIVATE KEY` PEM).
//! - The logs must hold no access token and no client assertion.
//! - `get_exchange` must not return them unless asked to reveal.
//!
//! The database may keep the exchanges whole (an inspector replays them; item 6 of the issue),
//! so tokens in the database are expected — and checked to be there, so the scan is known to
//! look at the right values.

use std::path::Path;

use base64::Engine as _;
use lti_inspector::serve_child::{landing_flow, ServeChild};
use lti_platform_side::emulator::walk::Walker;
use serde_json::{json, Value};

/// Every file under `dir` (recursively) whose name contains one of `names`, with its bytes.
fn files(dir: &Path, names: &[&str]) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let p = entry.path();
        if p.is_dir() {
            out.extend(files(&p, names));
        } else if names.iter().any(|n| p.to_string_lossy().contains(n)) {
            out.push((p.display().to_string(), std::fs::read(&p).unwrap()));
        }
    }
    out
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn no_private_key_or_token_reaches_the_logs_and_no_key_the_database() {
    if cfg!(not(unix)) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let bin = Path::new(env!("CARGO_BIN_EXE_lti-inspector"));
    let serve = ServeChild::start(bin, &data, "debug");

    // A full demo launch, then service calls: token requests (client assertions) and bearer
    // tokens on NRPS and AGS.
    let launch = serve.api("launch_demo", json!({})).await;
    let walk = Walker::new()
        .open(launch["url"].as_str().unwrap())
        .await
        .unwrap();
    assert!(walk.body.contains("Valid launch"), "{}", walk.body);
    let flow_id = landing_flow(&walk.body).expect("the landing page names its flow");
    serve.api("get_roster", json!({"flow_id": flow_id})).await;
    serve
        .api(
            "post_score",
            json!({"flow_id": flow_id, "user_id": "demo-learner-1", "score_given": 7, "score_maximum": 10}),
        )
        .await;

    // The secrets this run handled, read back whole.
    let flow = serve.api("get_flow", json!({"id": flow_id})).await;
    let mut access_tokens = Vec::new();
    let mut assertions = Vec::new();
    for ex in flow["exchanges"].as_array().unwrap() {
        if ex["step"] != "token" {
            continue;
        }
        let id = ex["id"].as_i64().unwrap();
        let shown = serve.api("get_exchange", json!({"id": id})).await;
        let whole = serve
            .api("get_exchange", json!({"id": id, "reveal": true}))
            .await;
        let body: Value = serde_json::from_str(whole["response_body"].as_str().unwrap())
            .unwrap_or_else(|e| panic!("{e}: {whole:#}"));
        let token = body["access_token"]
            .as_str()
            .unwrap_or_else(|| panic!("{whole:#}"))
            .to_string();
        let request = whole["request_body"].as_str().unwrap();
        let assertion = url::form_urlencoded::parse(request.as_bytes())
            .find(|(k, _)| k == "client_assertion")
            .unwrap()
            .1
            .to_string();
        let masked = shown.to_string();
        assert!(
            !masked.contains(&token),
            "get_exchange returned the access token unmasked"
        );
        assert!(
            !masked.contains(&assertion),
            "get_exchange returned the assertion unmasked"
        );
        access_tokens.push(token);
        assertions.push(assertion);
    }
    assert!(
        !access_tokens.is_empty(),
        "the run requested tokens: {flow:#}"
    );

    // LTI 1.1 shared secrets: a consumer on the tool side, a 1.1 tool in the emulator, a signed
    // launch between them and a grade sent back (signed with the same secret).
    let shared_secret = "lti11-shared-secret-7f3e9a1c5b";
    serve
        .api(
            "save_lti11_consumer",
            json!({"consumer_key": "scan-key", "secret": shared_secret}),
        )
        .await;
    let tool_base = serve.api("get_tool_setup", json!({})).await["base_url"]
        .as_str()
        .unwrap()
        .to_string();
    let tool = serve
        .api(
            "save_emulator_lti11_tool",
            json!({"name": "scan", "launch_url": format!("{tool_base}/lti11/launch"), "consumer_key": "scan-key", "secret": shared_secret}),
        )
        .await;
    let l = serve
        .api(
            "lti11_launch_url",
            json!({"tool_id": tool["id"], "user_id": "demo-learner-1", "course_id": "demo-course"}),
        )
        .await;
    let walk = Walker::new()
        .open(l["url"].as_str().unwrap())
        .await
        .unwrap();
    assert!(walk.body.contains("Valid launch"), "{}", walk.body);
    let graded = serve
        .api(
            "lti11_outcome",
            json!({"flow_id": landing_flow(&walk.body).unwrap(), "operation": "replace", "score": 0.5}),
        )
        .await;
    assert_eq!(graded["code_major"], "success", "{graded}");
    serve.stop();

    // Private key material: the key store's values (base64 PKCS#8), decoded too.
    let keys: std::collections::BTreeMap<String, String> =
        serde_json::from_slice(&std::fs::read(data.join("keys.json")).unwrap()).unwrap();
    assert!(keys.len() >= 2, "tool and emulator keys: {:?}", keys.keys());
    let mut key_needles: Vec<Vec<u8>> = vec![b"PRIVATE KEY".to_vec()];
    // Private keys only (the key store also holds the short LTI 1.1 secrets, checked below).
    for v in keys.values().filter(|v| v.len() > 200) {
        // A distinctive middle slice of the encoded key, and of its DER bytes.
        let mid = &v[v.len() / 2..v.len() / 2 + 48];
        key_needles.push(mid.as_bytes().to_vec());
        for engine in [
            base64::engine::general_purpose::STANDARD,
            base64::engine::general_purpose::URL_SAFE_NO_PAD,
        ] {
            if let Ok(der) = engine.decode(v.trim()) {
                key_needles.push(der[der.len() / 2..der.len() / 2 + 32].to_vec());
            }
        }
    }

    let mut db = files(&data, &["inspector.db"]);
    // Message rows are stored compressed: scan them unpacked too, or a key inside one would
    // hide from the byte scan.
    let unpacked: Vec<u8> = {
        let c = rusqlite::Connection::open(data.join("inspector.db")).unwrap();
        let mut s = c.prepare("SELECT report_json FROM messages").unwrap();
        let rows = s
            .query_map([], |r| r.get::<_, lti_core::message_rows::Packed>(0))
            .unwrap();
        rows.flat_map(|r| r.unwrap().json(&c).unwrap().into_bytes())
            .collect()
    };
    assert!(
        unpacked.len() > 1000,
        "messages were recorded and read back"
    );
    db.push(("inspector.db messages, unpacked".into(), unpacked));
    // Exchange bodies may be packed too: every exchange, read back whole.
    let bodies: Vec<u8> = {
        let c = rusqlite::Connection::open(data.join("inspector.db")).unwrap();
        let ids: Vec<i64> = c
            .prepare("SELECT id FROM exchanges")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        ids.iter()
            .flat_map(|id| {
                let ex = lti_core::store::exchanges::get(&c, *id).unwrap();
                [ex.request_body, ex.response_body].concat().into_bytes()
            })
            .collect()
    };
    assert!(bodies.len() > 1000, "exchanges were recorded and read back");
    db.push(("inspector.db exchange bodies, unpacked".into(), bodies));
    let logs = files(&data.join("logs"), &["lti-inspector.log"]);
    assert!(
        !db.is_empty() && !logs.is_empty(),
        "db {} logs {}",
        db.len(),
        logs.len()
    );
    let log_bytes: usize = logs.iter().map(|(_, b)| b.len()).sum();
    let log_text: String = logs
        .iter()
        .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
        .collect();
    assert!(
        log_text.contains("DEBUG") && log_bytes > 3_000,
        "debug logs were written ({log_bytes} bytes): {log_text}"
    );

    for (path, bytes) in db.iter().chain(logs.iter()) {
        for needle in &key_needles {
            assert!(
                !contains(bytes, needle),
                "{path} holds private key material ({} bytes matched)",
                needle.len()
            );
        }
    }
    for (path, bytes) in &logs {
        for t in access_tokens.iter().chain(assertions.iter()) {
            assert!(
                !contains(bytes, t.as_bytes()),
                "{path} holds a token or assertion"
            );
            // Nor a recognisable part of one (a log line might cut it).
            let part = &t[t.len() / 2..(t.len() / 2 + 24).min(t.len())];
            assert!(
                !contains(bytes, part.as_bytes()),
                "{path} holds part of a token"
            );
        }
    }
    // The 1.1 shared secret is in the key store only.
    for (path, bytes) in db.iter().chain(logs.iter()) {
        assert!(
            !contains(bytes, shared_secret.as_bytes()),
            "{path} holds an LTI 1.1 shared secret"
        );
    }
    assert!(
        keys.values().any(|v| v == shared_secret),
        "the shared secret is in the key store"
    );
    // The scan looks at the right values: the database keeps the exchanges whole.
    let all_db: Vec<u8> = db.iter().flat_map(|(_, b)| b.clone()).collect();
    assert!(
        access_tokens
            .iter()
            .any(|t| contains(&all_db, t.as_bytes())),
        "the access tokens are recorded in the database"
    );
}
