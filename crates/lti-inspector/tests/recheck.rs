//! Re-check (issue 11, item 2) through the command table: a launch imported before its platform
//! was registered is unverified; registered since, a re-check as captured finds it valid (and can
//! keep that), while a re-check as of now finds the token expired. What only the launch knew (the
//! nonce it was sent with) is carried over, not reported as a change.

mod common;

use common::{config, flow};
use lti_inspector::commands::dispatch;
use lti_inspector::engine::Engine;
use lti_protocol::keys::SigningKey;
use serde_json::{json, Map, Value};

const ISS: &str = "https://moodle.example.org";
/// 2024-05-01T10:00:00Z.
const RECORDED: i64 = 1_714_557_600;

fn har(key: &SigningKey) -> String {
    let claims: Map<String, Value> = json!({
        "iss": ISS, "aud": "moodle-client", "sub": "7", "exp": RECORDED + 60, "iat": RECORDED - 1, "nonce": "n-1",
        "https://purl.imsglobal.org/spec/lti/claim/message_type": "LtiResourceLinkRequest",
        "https://purl.imsglobal.org/spec/lti/claim/version": "1.3.0",
        "https://purl.imsglobal.org/spec/lti/claim/deployment_id": "3",
        "https://purl.imsglobal.org/spec/lti/claim/target_link_uri": "https://tool.example/launch",
        "https://purl.imsglobal.org/spec/lti/claim/resource_link": {"id": "rl"},
        "https://purl.imsglobal.org/spec/lti/claim/roles": []
    })
    .as_object()
    .unwrap()
    .clone();
    let token = lti_protocol::jws::sign_rs256(&Map::new(), &claims, key).unwrap();
    let auth = format!(
        "{ISS}/mod/lti/auth.php?{}",
        common::form(&[
            ("scope", "openid"),
            ("response_type", "id_token"),
            ("client_id", "moodle-client"),
            ("redirect_uri", "https://tool.example/launch"),
            ("login_hint", "7"),
            ("state", "s-1"),
            ("nonce", "n-1"),
            ("response_mode", "form_post"),
            ("prompt", "none")
        ])
    );
    json!({"log": {"version": "1.2", "entries": [
        {"startedDateTime": "2024-05-01T09:59:59Z", "request": {"method": "GET", "url": auth}, "response": {"status": 200}},
        {"startedDateTime": "2024-05-01T10:00:00Z", "request": {"method": "POST", "url": "https://tool.example/launch",
         "postData": {"mimeType": "application/x-www-form-urlencoded", "text": common::form(&[("id_token", &token), ("state", "s-1")])}},
         "response": {"status": 200}}
    ]}})
    .to_string()
}

async fn recheck(engine: &Engine, args: Value) -> Result<Value, String> {
    dispatch(engine, "recheck", args)
        .await
        .map_err(|e| e.message)
}

#[tokio::test]
async fn registered_since_valid_as_captured_expired_as_of_now() {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(config(dir.path())).unwrap();
    let key = SigningKey::generate().unwrap();
    let out = dispatch(
        &engine,
        "import",
        json!({"name": "moodle.har", "text": har(&key)}),
    )
    .await
    .unwrap();
    let id = out["flows"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(out["flows"][0]["verdict"], "unverified", "{out}");
    // Imported with no key and no registration: nothing to re-check "as recorded" with.
    let none = recheck(&engine, json!({"flow_id": id, "keys": "recorded"}))
        .await
        .unwrap_err();
    assert!(none.contains("kept no snapshot"), "{none}");

    dispatch(
        &engine,
        "save_platform",
        json!({"name": "Moodle", "issuer": ISS, "client_id": "moodle-client", "deployment_ids": ["3"],
               "auth_endpoint": format!("{ISS}/mod/lti/auth.php"), "public_key": serde_json::to_string(&key.public_jwk()).unwrap()}),
    )
    .await
    .unwrap();

    // As captured, with today's registration: the signature now verifies.
    let r = recheck(&engine, json!({"flow_id": id})).await.unwrap();
    assert_eq!(r["checked_at"], json!(RECORDED));
    assert_eq!(
        (&r["stored_verdict"], &r["verdict"]),
        (&json!("unverified"), &json!("valid")),
        "{r}"
    );
    let changed: Vec<&str> = r["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["rule_id"].as_str().unwrap())
        .collect();
    assert!(changed.contains(&"jwt.signature"), "{changed:?}");
    // The nonce was checked against the auth request at import; that is kept, not a change.
    let nonce = r["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["rule_id"] == "idtoken.nonce");
    assert!(nonce.is_none(), "{nonce:?}");
    assert!(!changed.contains(&"response.storage_target"), "{changed:?}");
    assert_eq!(r["saved"], false);
    assert_eq!(
        flow(&engine, &id).await["flow"]["verdict"],
        "unverified",
        "nothing written without save"
    );

    // As of now: expired.
    let r = recheck(&engine, json!({"flow_id": id, "at": "now"}))
        .await
        .unwrap();
    assert_eq!(r["verdict"], "invalid", "{r}");
    let exp = r["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["rule_id"] == "idtoken.exp")
        .expect("exp changed");
    assert_eq!(
        (&exp["before"], &exp["after"]),
        (&json!("pass"), &json!("fail"))
    );

    // Saved as captured: the flow turns valid.
    let r = recheck(
        &engine,
        json!({"flow_id": id, "at": "captured", "save": true}),
    )
    .await
    .unwrap();
    assert_eq!(r["saved"], true);
    let f = flow(&engine, &id).await;
    assert_eq!(f["flow"]["verdict"], "valid", "{}", f["flow"]);

    // Bad input.
    assert!(
        recheck(&engine, json!({"flow_id": id, "at": "last tuesday"}))
            .await
            .unwrap_err()
            .contains("not a time")
    );
    assert!(recheck(&engine, json!({"flow_id": "nope"}))
        .await
        .unwrap_err()
        .contains("no launch"));
}

/// Keys as they were (issue 11, item 2): a launch verified with the platform's key, then the
/// platform rotates its key (the registration now holds another). Re-checked with the keys as
/// they are now, the signature no longer verifies; with the keys as recorded (the launch's key
/// snapshot), it does. The snapshot travels in a bundle: re-checked "as recorded" in another
/// data folder that never knew the platform, the launch verifies there too.
#[tokio::test]
async fn a_rotated_key_fails_now_and_verifies_as_recorded_here_and_in_a_bundle() {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(config(dir.path())).unwrap();
    let key = SigningKey::generate().unwrap();
    let platform = json!({"name": "Moodle", "issuer": ISS, "client_id": "moodle-client", "deployment_ids": ["3"],
        "auth_endpoint": format!("{ISS}/mod/lti/auth.php"), "public_key": serde_json::to_string(&key.public_jwk()).unwrap()});
    let saved = dispatch(&engine, "save_platform", platform.clone())
        .await
        .unwrap();
    let out = dispatch(
        &engine,
        "import",
        json!({"name": "moodle.har", "text": har(&key)}),
    )
    .await
    .unwrap();
    let id = out["flows"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(out["flows"][0]["verdict"], "valid", "{out}");

    // The platform rotates: its registration now holds a new key only.
    let rotated = SigningKey::generate().unwrap();
    let mut edit = platform.clone();
    edit["id"] = saved["id"].clone();
    edit["public_key"] = json!(serde_json::to_string(&rotated.public_jwk()).unwrap());
    dispatch(&engine, "save_platform", edit).await.unwrap();

    let now = recheck(&engine, json!({"flow_id": id})).await.unwrap();
    assert_eq!(now["has_snapshot"], true);
    assert_eq!(now["verdict"], "invalid", "{now}");
    assert!(now["changes"].to_string().contains("jwt."), "{now}");
    let recorded = recheck(&engine, json!({"flow_id": id, "keys": "recorded"}))
        .await
        .unwrap();
    assert_eq!(recorded["verdict"], "valid", "{recorded}");
    let notes = recorded["notes"].to_string();
    assert!(
        notes.contains(
            "Keys as they were at the launch: Checked with the key pasted into the registration"
        ),
        "{notes}"
    );
    assert!(
        notes.contains("Registration as it was at the launch: Moodle"),
        "{notes}"
    );
    assert!(recheck(&engine, json!({"flow_id": id, "keys": "then"}))
        .await
        .unwrap_err()
        .contains("`now`"));

    // A bundle carries the snapshot; another data folder re-checks as recorded.
    let bundle = dispatch(
        &engine,
        "export_flows",
        json!({"flow_ids": [id], "format": "bundle", "redact": false}),
    )
    .await
    .unwrap();
    let text = bundle["content"].as_str().unwrap();
    assert!(
        text.contains("\"key_snapshots\""),
        "the bundle lists its snapshots"
    );
    let dir2 = tempfile::tempdir().unwrap();
    let other = Engine::open(config(dir2.path())).unwrap();
    let back = dispatch(&other, "import", json!({"name": "b.json", "text": text}))
        .await
        .unwrap();
    let id2 = back["flows"][0]["id"].as_str().unwrap().to_string();
    let there = recheck(&other, json!({"flow_id": id2, "keys": "recorded"}))
        .await
        .unwrap();
    assert_eq!(there["verdict"], "valid", "{there}");
    // With no key known there now, the signature is not checked again (the recorded result is
    // carried over, and says so).
    let there_now = recheck(&other, json!({"flow_id": id2})).await.unwrap();
    assert!(
        there_now["notes"]
            .to_string()
            .contains("Keys: none known for this issuer"),
        "{there_now}"
    );
    let sig = there_now["report"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "jwt.signature")
        .unwrap();
    assert!(
        sig["message"]
            .as_str()
            .unwrap()
            .ends_with("(as recorded at the launch)"),
        "{sig}"
    );
}

/// A live capture keeps its snapshot too: the demo launch into the tool side, re-checked as
/// recorded, names the JWKS URL its keys came from and verifies.
#[tokio::test]
async fn a_captured_launch_keeps_the_keys_it_was_checked_with() {
    let dir = tempfile::tempdir().unwrap();
    let engine = common::start(dir.path()).await;
    let id = common::demo_launch(&engine).await;
    let r = recheck(&engine, json!({"flow_id": id, "keys": "recorded"}))
        .await
        .unwrap();
    assert_eq!(r["verdict"], "valid", "{r}");
    let notes = r["notes"].to_string();
    assert!(
        notes.contains("Keys as they were at the launch: the JWKS at http://"),
        "{notes}"
    );
}
