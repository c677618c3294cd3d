//! Import through the command table: HAR files in the shapes browsers export (Chromium's
//! `postData.text`, Firefox's `postData.params`, base64 response bodies, unrelated entries), a
//! bare id_token, and bad input. Launches are signed by the test's own platform key and
//! validated as of the time the HAR recorded, not now. HARs recorded by the real chromium are
//! imported in tests/browser/import.test.mjs.

mod common;

use common::{config, failed, findings, messages};
use lti_inspector::commands::dispatch;
use lti_inspector::engine::Engine;
use lti_protocol::keys::SigningKey;
use serde_json::{json, Map, Value};

const ISS: &str = "https://lms.example.edu";
const CLIENT: &str = "client-9";
/// 2024-05-01T10:00:00Z: long past, so a check as of "now" would fail exp.
const RECORDED: i64 = 1_714_557_600;

async fn engine(dir: &std::path::Path, key: &SigningKey) -> Engine {
    let engine = Engine::open(config(dir)).unwrap();
    dispatch(
        &engine,
        "save_platform",
        json!({
            "name": "Customer LMS", "issuer": ISS, "client_id": CLIENT, "deployment_ids": ["dep-1"],
            "auth_endpoint": "https://lms.example.edu/auth",
            "public_key": serde_json::to_string(&key.public_jwk()).unwrap()
        }),
    )
    .await
    .unwrap();
    engine
}

fn token(key: &SigningKey, nonce: &str, iat: i64) -> String {
    let claims: Map<String, Value> = json!({
        "iss": ISS, "aud": CLIENT, "sub": "student-1", "exp": iat + 300, "iat": iat, "nonce": nonce,
        "name": "Grace <b>Hopper</b>",
        "https://purl.imsglobal.org/spec/lti/claim/message_type": "LtiResourceLinkRequest",
        "https://purl.imsglobal.org/spec/lti/claim/version": "1.3.0",
        "https://purl.imsglobal.org/spec/lti/claim/deployment_id": "dep-1",
        "https://purl.imsglobal.org/spec/lti/claim/target_link_uri": "https://tool.example/launch",
        "https://purl.imsglobal.org/spec/lti/claim/resource_link": {"id": "rl-1"},
        "https://purl.imsglobal.org/spec/lti/claim/roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
        "https://purl.imsglobal.org/spec/lti/claim/context": {"id": "c-1", "title": "Chemistry 2"}
    })
    .as_object()
    .unwrap()
    .clone();
    lti_protocol::jws::sign_rs256(&Map::new(), &claims, key).unwrap()
}

fn at(secs: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(secs)
        .unwrap()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

fn form(pairs: &[(&str, &str)]) -> String {
    common::form(pairs)
}

/// login → auth request → id_token post, between unrelated requests; `firefox` puts the form
/// in `postData.params` only.
fn launch_har(id_token: &str, firefox: bool) -> String {
    let login = format!(
        "https://tool.example/login?{}",
        form(&[
            ("iss", ISS),
            ("login_hint", "student-1"),
            ("target_link_uri", "https://tool.example/launch"),
            ("client_id", CLIENT),
            ("lti_deployment_id", "dep-1"),
        ])
    );
    let auth = format!(
        "https://lms.example.edu/auth?{}",
        form(&[
            ("scope", "openid"),
            ("response_type", "id_token"),
            ("response_mode", "form_post"),
            ("prompt", "none"),
            ("client_id", CLIENT),
            ("redirect_uri", "https://tool.example/launch"),
            ("login_hint", "student-1"),
            ("state", "state-1"),
            ("nonce", "nonce-1"),
        ])
    );
    let post = if firefox {
        json!({"mimeType": "application/x-www-form-urlencoded", "params": [
            {"name": "id_token", "value": id_token}, {"name": "state", "value": "state-1"}]})
    } else {
        json!({"mimeType": "application/x-www-form-urlencoded",
               "text": form(&[("id_token", id_token), ("state", "state-1")])})
    };
    json!({"log": {"version": "1.2", "creator": {"name": "test", "version": "1"}, "entries": [
        {"startedDateTime": at(RECORDED - 5), "time": 12.5,
         "request": {"method": "GET", "url": "https://lms.example.edu/courses/1", "headers": [], "queryString": []},
         "response": {"status": 200, "headers": [], "content": {"text": "<html>course</html>"}}},
        {"startedDateTime": at(RECORDED - 2), "time": 30.0,
         "request": {"method": "GET", "url": login, "headers": [{"name": "Referer", "value": "https://lms.example.edu/"}], "queryString": []},
         "response": {"status": 302, "headers": [{"name": "Location", "value": auth}], "content": {"text": ""}}},
        {"startedDateTime": at(RECORDED - 1), "time": 40.0,
         "request": {"method": "GET", "url": auth, "headers": [], "queryString": []},
         "response": {"status": 200, "headers": [], "content": {"text": "<form>…</form>"}}},
        {"startedDateTime": at(RECORDED), "time": 55.0,
         "request": {"method": "POST", "url": "https://tool.example/launch", "headers": [], "postData": post},
         "response": {"status": 200, "headers": [], "content": {"text": "<html>tool</html>"}}},
        {"startedDateTime": at(RECORDED + 1), "time": 3.0,
         "request": {"method": "GET", "url": "https://tool.example/logo.png", "headers": []},
         "response": {"status": 200, "headers": [], "content": {"text": "iVBORw0KGgo=", "encoding": "base64", "mimeType": "image/png"}}}
    ]}})
    .to_string()
}

async fn import(engine: &Engine, name: &str, text: &str) -> Result<Value, String> {
    dispatch(engine, "import", json!({"name": name, "text": text}))
        .await
        .map_err(|e| e.message)
}

async fn flow(engine: &Engine, id: &str) -> Value {
    common::flow(engine, id).await
}

#[tokio::test]
async fn a_chromium_har_becomes_one_flow_validated_as_of_its_recorded_time() {
    let dir = tempfile::tempdir().unwrap();
    let key = SigningKey::generate().unwrap();
    let engine = engine(dir.path(), &key).await;
    let har = launch_har(&token(&key, "nonce-1", RECORDED - 1), false);

    let out = import(&engine, "customer.har", &har).await.unwrap();
    assert_eq!(out["input_kind"], "har");
    assert_eq!(
        (
            &out["entries"],
            &out["lti_entries"],
            &out["unrelated_entries"]
        ),
        (&json!(5), &json!(3), &json!(2)),
        "{out}"
    );
    let flows = out["flows"].as_array().unwrap();
    assert_eq!(flows.len(), 1, "{out}");
    assert_eq!(flows[0]["verdict"], "valid", "{out}");
    assert_eq!(flows[0]["entries"], json!([1, 2, 3]));

    let f = flow(&engine, flows[0]["id"].as_str().unwrap()).await;
    assert_eq!(f["flow"]["side"], "imported");
    assert_eq!(f["flow"]["started_at"], json!((RECORDED - 2) * 1000));
    assert_eq!(f["flow"]["summary"]["imported_from"], "customer.har");
    assert_eq!(f["flow"]["summary"]["platform"], "Customer LMS");
    assert_eq!(f["flow"]["summary"]["user"], "Grace <b>Hopper</b>");
    let steps: Vec<&str> = f["exchanges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["step"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["login", "auth", "launch"]);
    let launch = messages(&f, "id_token");
    assert_eq!(launch.len(), 1);
    assert_eq!(launch[0]["message"]["validated_at"], json!(RECORDED));
    assert!(failed(launch[0]).is_empty(), "{}", launch[0]);
    // The auth request's nonce and state were checked against the id_token post.
    let sig = findings(&f, "jwt.signature");
    assert_eq!(sig[0]["outcome"], "pass", "{sig:?}");
    let keys = findings(&f, "import.keys");
    assert!(
        keys[0]["message"]
            .as_str()
            .unwrap()
            .contains("pasted into the registration"),
        "{keys:?}"
    );
    // The entries are stored whole: the raw request body holds the token.
    let ex_id = f["exchanges"][2]["id"].clone();
    let ex = common::rpc(
        &engine,
        "get_exchange",
        json!({"id": ex_id, "reveal": true}),
    )
    .await;
    assert!(ex["request_body"]
        .as_str()
        .unwrap()
        .starts_with("id_token="));

    // Unrelated entries were counted, not stored.
    let all = common::rpc(&engine, "list_exchanges", json!({})).await;
    assert_eq!(all.as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn firefox_params_and_a_wrong_nonce_are_read_and_explained() {
    let dir = tempfile::tempdir().unwrap();
    let key = SigningKey::generate().unwrap();
    let engine = engine(dir.path(), &key).await;
    let out = import(
        &engine,
        "firefox.har",
        &launch_har(&token(&key, "nonce-1", RECORDED - 1), true),
    )
    .await
    .unwrap();
    assert_eq!(out["flows"][0]["verdict"], "valid", "{out}");

    // The auth request asked for nonce-1; this id_token carries another.
    let out = import(
        &engine,
        "mismatch.har",
        &launch_har(&token(&key, "nonce-OTHER", RECORDED - 1), false),
    )
    .await
    .unwrap();
    assert_eq!(out["flows"][0]["verdict"], "invalid", "{out}");
    let f = flow(&engine, out["flows"][0]["id"].as_str().unwrap()).await;
    assert!(
        failed(messages(&f, "id_token")[0]).contains(&"idtoken.nonce".to_string()),
        "{f}"
    );
}

#[tokio::test]
async fn a_pasted_token_is_checked_with_the_registered_key_and_a_forged_one_fails() {
    let dir = tempfile::tempdir().unwrap();
    let key = SigningKey::generate().unwrap();
    let engine = engine(dir.path(), &key).await;
    let now = lti_core::clock::now_secs();

    let out = import(&engine, "paste", &token(&key, "n-1", now))
        .await
        .unwrap();
    assert_eq!(out["input_kind"], "compact_jwt", "{out}");
    assert_eq!(out["flows"][0]["verdict"], "valid", "{out}");
    let f = flow(&engine, out["flows"][0]["id"].as_str().unwrap()).await;
    assert_eq!(f["exchanges"].as_array().unwrap().len(), 0);
    assert_eq!(messages(&f, "id_token").len(), 1);

    let forger = SigningKey::generate().unwrap();
    let out = import(&engine, "paste", &token(&forger, "n-2", now))
        .await
        .unwrap();
    assert_eq!(out["flows"][0]["verdict"], "invalid", "{out}");
    let f = flow(&engine, out["flows"][0]["id"].as_str().unwrap()).await;
    let failures = failed(messages(&f, "id_token")[0]);
    assert!(
        failures
            .iter()
            .any(|r| r == "jwt.signature" || r == "jwt.kid"),
        "{failures:?}"
    );
}

#[tokio::test]
async fn a_key_set_inside_the_har_verifies_an_unregistered_platform() {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(config(dir.path())).unwrap();
    let key = SigningKey::generate().unwrap();
    let mut har: Value =
        serde_json::from_str(&launch_har(&token(&key, "nonce-1", RECORDED - 1), false)).unwrap();
    use base64::Engine as _;
    let jwks = json!({"keys": [key.public_jwk()]}).to_string();
    har["log"]["entries"].as_array_mut().unwrap().push(json!({
        "startedDateTime": at(RECORDED + 2), "time": 1.0,
        "request": {"method": "GET", "url": "https://lms.example.edu/jwks", "headers": []},
        "response": {"status": 200, "headers": [], "content": {
            "text": base64::engine::general_purpose::STANDARD.encode(jwks), "encoding": "base64"}}
    }));
    let out = import(&engine, "with-keys.har", &har.to_string())
        .await
        .unwrap();
    let f = flow(&engine, out["flows"][0]["id"].as_str().unwrap()).await;
    assert_eq!(findings(&f, "jwt.signature")[0]["outcome"], "pass", "{f}");
    assert!(findings(&f, "import.keys")[0]["message"]
        .as_str()
        .unwrap()
        .contains("found in the HAR"));
    assert!(
        out["notes"].to_string().contains("No registered platform"),
        "{out}"
    );
}

#[tokio::test]
async fn bad_input_is_refused_whole_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let key = SigningKey::generate().unwrap();
    let engine = engine(dir.path(), &key).await;
    let har = launch_har(&token(&key, "nonce-1", RECORDED - 1), false);
    let cases = [
        (
            &har[..har.len() / 2],
            "looks like a HAR file but cannot be read",
        ),
        ("", "empty"),
        ("hello world", "not a HAR file, token"),
        (
            r#"{"log":{"version":"9.0","entries":[]}}"#,
            "looks like a HAR file",
        ),
        (
            r#"{"log":{"version":"1.2","entries":[{"request":{"method":"GET","url":"https://x.example/"}}]}}"#,
            "no LTI step among the HAR's 1 entries",
        ),
        ("aaa.!!!.ccc", "not a HAR file, token"),
        // A token with a bad base64 segment is still a message: imported, with its finding.
        ("eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOi.c2ln", ""),
    ];
    for (text, why) in cases {
        match import(&engine, "bad.har", text).await {
            Err(e) => assert!(e.contains(why), "{why:?} not in {e:?}"),
            // A token with a bad segment is still a message: imported, with its finding.
            Ok(out) => {
                assert!(why.is_empty(), "{text:?} was imported: {out}");
                let f = flow(&engine, out["flows"][0]["id"].as_str().unwrap()).await;
                assert!(!findings(&f, "jwt.format").is_empty(), "{f}");
            }
        }
    }
    let flows = common::rpc(&engine, "list_flows", json!({})).await;
    assert_eq!(flows.as_array().unwrap().len(), 1, "{flows}");
}

/// Sends `bytes` the way the Import dialog sends a large file: pieces in order, base64.
async fn upload(engine: &Engine, name: &str, bytes: &[u8], piece: usize) -> Result<String, String> {
    use base64::Engine as _;
    let mut id = Value::Null;
    for (i, chunk) in bytes.chunks(piece).enumerate() {
        let out = dispatch(
            engine,
            "import_upload",
            json!({"upload_id": id, "name": name, "total_bytes": bytes.len(),
                   "offset": i * piece, "data": base64::engine::general_purpose::STANDARD.encode(chunk)}),
        )
        .await
        .map_err(|e| e.message)?;
        id = out["upload_id"].clone();
    }
    Ok(id.as_str().unwrap().to_string())
}

#[tokio::test]
async fn a_large_har_sent_in_pieces_is_read_as_a_stream_with_progress() {
    let dir = tempfile::tempdir().unwrap();
    let key = SigningKey::generate().unwrap();
    let engine = engine(dir.path(), &key).await;
    // The launch between 2,000 unrelated entries with 1 KiB bodies each (~3 MB).
    let har: Value =
        serde_json::from_str(&launch_har(&token(&key, "nonce-1", RECORDED - 1), false)).unwrap();
    let mut entries = har["log"]["entries"].as_array().unwrap().clone();
    let filler = json!({"request": {"method": "GET", "url": "https://cdn.example/x.js"},
                        "response": {"status": 200, "content": {"text": "x".repeat(1024)}}});
    let mut all = vec![filler.clone(); 1000];
    all.append(&mut entries);
    all.extend(vec![filler; 1000]);
    let text = json!({"log": {"version": "1.2", "entries": all}}).to_string();
    let mut events = engine.tool().core().events().subscribe();
    let id = upload(&engine, "big.har", text.as_bytes(), 256 * 1024)
        .await
        .unwrap();
    // An import of an upload not yet whole is refused; this one is whole.
    let out = dispatch(
        &engine,
        "import",
        json!({"name": "big.har", "upload_id": id}),
    )
    .await
    .unwrap();
    assert_eq!(out["entries"], 2005, "{out}");
    assert_eq!(out["lti_entries"], 3, "{out}");
    assert_eq!(out["unrelated_entries"], 2002, "{out}");
    let flows = out["flows"].as_array().unwrap();
    assert_eq!(flows.len(), 1, "{out}");
    assert_eq!(flows[0]["verdict"], "valid", "{out}");
    // Entry positions are those in the file, though only the LTI ones were kept.
    assert_eq!(flows[0]["entries"], json!([1001, 1002, 1003]), "{out}");
    // The engine said how far it read, ending at the whole file.
    let mut last = None;
    while let Ok(ev) = events.try_recv() {
        if let lti_core::events::EngineEvent::ImportProgress { progress } = ev {
            assert_eq!(progress.upload_id, id);
            last = Some(progress);
        }
    }
    let last = last.expect("progress events");
    assert_eq!(last.read_bytes, text.len() as u64);
    assert_eq!(last.total_bytes, text.len() as u64);
    assert_eq!(last.entries, 2005);
    // The upload is gone: its file removed, its id unknown.
    let uploads = dir.path().join("uploads");
    assert_eq!(std::fs::read_dir(&uploads).unwrap().count(), 0);
    let again = dispatch(
        &engine,
        "import",
        json!({"name": "big.har", "upload_id": id}),
    )
    .await;
    assert!(again.unwrap_err().message.contains("not found"));
}

#[tokio::test]
async fn a_truncated_upload_is_refused_whole_and_removed() {
    let dir = tempfile::tempdir().unwrap();
    let key = SigningKey::generate().unwrap();
    let engine = engine(dir.path(), &key).await;
    let har = launch_har(&token(&key, "nonce-1", RECORDED - 1), false);
    let cut = &har.as_bytes()[..har.len() - 40];
    let id = upload(&engine, "cut.har", cut, 1000).await.unwrap();
    let err = dispatch(
        &engine,
        "import",
        json!({"name": "cut.har", "upload_id": id}),
    )
    .await
    .unwrap_err();
    assert!(
        err.message
            .contains("looks like a HAR file but cannot be read")
            && err.message.contains("EOF"),
        "{}",
        err.message
    );
    let flows = common::rpc(&engine, "list_flows", json!({})).await;
    assert_eq!(flows, json!([]), "nothing half imported");
    assert_eq!(
        std::fs::read_dir(dir.path().join("uploads"))
            .unwrap()
            .count(),
        0
    );
    // Not whole yet: refused, and kept so the sender can finish it.
    use base64::Engine as _;
    let first = dispatch(
        &engine,
        "import_upload",
        json!({"name": "x.har", "total_bytes": 10, "offset": 0,
        "data": base64::engine::general_purpose::STANDARD.encode(b"{\"log\"")}),
    )
    .await
    .unwrap();
    let err = dispatch(
        &engine,
        "import",
        json!({"name": "x.har", "upload_id": first["upload_id"]}),
    )
    .await
    .unwrap_err();
    assert!(
        err.message.contains("incomplete: 6 of 10 bytes"),
        "{}",
        err.message
    );
    // Text and an upload at once, or neither: a clear refusal.
    let err = dispatch(&engine, "import", json!({"name": "x"}))
        .await
        .unwrap_err();
    assert!(
        err.message.contains("either text or an upload_id"),
        "{}",
        err.message
    );
}

/// A file that is not text, read where it lies (the CLI's way): refused with the reason.
#[tokio::test]
async fn a_binary_file_is_refused_as_not_text() {
    let dir = tempfile::tempdir().unwrap();
    let key = SigningKey::generate().unwrap();
    let engine = engine(dir.path(), &key).await;
    let file = dir.path().join("picture.png");
    std::fs::write(&file, [0x89, b'P', b'N', b'G', 0xff, 0xfe, 0x00, 0x01]).unwrap();
    let source = lti_tool_side::import::Source::File {
        path: file,
        progress: std::sync::Arc::new(|_, _| {}),
    };
    let err = lti_tool_side::import::import_from(engine.tool(), "picture.png", source, false)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("not UTF-8 text"), "{err}");
}
