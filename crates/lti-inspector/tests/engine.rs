//! Engine integration tests: the capture router through `oneshot`, one real-socket test, the
//! serve front door's token/Host/Origin checks, the real keychain, and bindings drift.
//!
//! Keychain tests need a Secret Service (run under `make test`, which starts gnome-keyring in a
//! throwaway dbus session). Elsewhere set LTI_TEST_FILE_KEYSTORE=1 to use the file store.

use std::path::Path;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use lti_core::keystore::KeyStoreChoice;
mod common;

use common::body_json;
use lti_inspector::api::{self, ApiConfig};
use lti_inspector::commands::{self, dispatch};
use lti_inspector::engine::{Engine, EngineConfig};
use serde_json::{json, Value};
use tower::ServiceExt;

fn config(dir: &Path) -> EngineConfig {
    let mut cfg = EngineConfig::with_data_dir(dir.to_path_buf());
    cfg.tool_port = 0;
    cfg.emulator_port = 0;
    if std::env::var_os("LTI_TEST_FILE_KEYSTORE").is_some() {
        cfg.key_store = KeyStoreChoice::File(dir.join("keys.json"));
    }
    cfg
}

#[tokio::test]
async fn jwks_is_served_and_every_request_is_recorded_before_the_response() {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(config(dir.path())).unwrap();
    assert!(
        engine.keystore_status().ok,
        "key store must work in tests: {:?}",
        engine.keystore_status()
    );
    let app = lti_tool_side::capture::router(engine.tool().clone());
    let mut events = engine.events().subscribe();

    let res = app
        .clone()
        .oneshot(
            Request::get("/.well-known/jwks.json")
                .header("host", "localhost:4471")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let jwks = body_json(res).await;
    let key = &jwks["keys"][0];
    assert_eq!(key["kty"], "RSA");
    assert_eq!(key["alg"], "RS256");
    assert_eq!(key["use"], "sig");
    assert!(key["kid"].as_str().unwrap().len() > 20);
    assert!(
        key.get("d").is_none(),
        "private exponent must never be served"
    );

    // Recorded (committed) by the time the response arrived, and announced.
    let list = dispatch(&engine, "list_exchanges", json!({}))
        .await
        .unwrap();
    assert_eq!(
        list[0]["url"],
        "http://localhost:4471/.well-known/jwks.json"
    );
    assert_eq!(list[0]["status"], 200);
    let ev = events.try_recv().expect("event emitted");
    assert!(matches!(
        ev,
        lti_core::events::EngineEvent::ExchangeRecorded { .. }
    ));

    // Same key on the next start: the private half comes back from the key store.
    let kid = key["kid"].clone();
    drop(engine);
    let engine = Engine::open(config(dir.path())).unwrap();
    let again = engine
        .keys()
        .jwks(lti_core::signing_keys::KeyRole::Tool)
        .await
        .unwrap();
    assert_eq!(json!(again.keys[0].kid), kid);
    let k = engine
        .keys()
        .signing_key(lti_core::signing_keys::KeyRole::Tool)
        .await
        .unwrap();
    assert_eq!(json!(k.kid()), kid);
}

#[tokio::test]
async fn oversized_bodies_get_413_and_are_recorded_with_their_prefix() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(dir.path());
    cfg.body_limit = 1000;
    let engine = Engine::open(cfg).unwrap();
    let app = lti_tool_side::capture::router(engine.tool().clone());
    let big = "id_token=".to_string() + &"A".repeat(5000);
    let res = app
        .oneshot(
            Request::post("/lti/launch")
                .header("host", "localhost:1")
                .body(Body::from(big))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let text =
        String::from_utf8(res.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
    assert!(text.contains("1000-byte limit"), "{text}");
    let list = dispatch(&engine, "list_exchanges", json!({}))
        .await
        .unwrap();
    assert_eq!(list[0]["status"], 413);
    assert_eq!(list[0]["request_truncated"], true);
    assert_eq!(list[0]["request_bytes"], 1000);
    let full = dispatch(&engine, "get_exchange", json!({"id": list[0]["id"]}))
        .await
        .unwrap();
    assert!(full["request_body"]
        .as_str()
        .unwrap()
        .starts_with("id_token=AAAA"));
}

#[tokio::test]
async fn hostile_paths_are_escaped_in_error_pages() {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(config(dir.path())).unwrap();
    let app = lti_tool_side::capture::router(engine.tool().clone());
    // An unknown platform's login echoes the issuer on the "what to register" page.
    let res = app
        .oneshot(
            Request::post("/lti/login")
                .header("host", "localhost:1")
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::from(
                    "iss=%3Cscript%3Ealert(1)%3C%2Fscript%3E&login_hint=1&target_link_uri=x",
                ))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let text =
        String::from_utf8(res.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
    assert!(
        text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{text}"
    );
    assert!(!text.contains("<script>alert"), "{text}");
}

/// "Open in LTI Inspector" links on pages outside the app (desktop front door): both servers ask
/// the window to show a read-only route, record nothing, and refuse any other route.
#[tokio::test]
async fn open_in_app_links_ask_the_window_and_record_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(config(dir.path())).unwrap();
    let get = |app: axum::Router, path: String| async move {
        let res = app
            .oneshot(
                Request::get(path)
                    .header("host", "localhost:1")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        let status = res.status();
        let body = res.into_body().collect().await.unwrap().to_bytes();
        (status, String::from_utf8_lossy(&body).into_owned())
    };
    let tool = lti_tool_side::capture::router(engine.tool().clone());
    let emulator = lti_platform_side::emulator::router(engine.platform().clone());

    // No window listens: the page says where to look instead.
    let (status, text) = get(tool.clone(), "/open-in-inspector/flows/f-1".into()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(text.contains("no window open"), "{text}");

    let mut events = engine.events().subscribe();
    for (app, route) in [
        (tool.clone(), "flows/f-1"),
        (emulator.clone(), "emulator/gradebook/demo-course"),
    ] {
        let (status, text) = get(app, format!("/open-in-inspector/{route}")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(text.contains("Opened in LTI Inspector"), "{text}");
        match events.try_recv().expect("an event for the window") {
            lti_core::events::EngineEvent::OpenInApp { route: r } => assert_eq!(r, route),
            other => panic!("unexpected event {other:?}"),
        }
    }
    for bad in [
        "/open-in-inspector/settings",
        "/open-in-inspector/flows/a/b",
        "/open-in-inspector/flows/%3Cscript%3E",
    ] {
        let (status, text) = get(tool.clone(), bad.into()).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{bad}");
        assert!(!text.contains("<script>"), "{text}");
    }
    assert!(events.try_recv().is_err(), "a refused route asks nothing");
    let list = dispatch(&engine, "list_exchanges", json!({}))
        .await
        .unwrap();
    assert_eq!(list.as_array().unwrap().len(), 0, "{list}");
}

#[tokio::test]
async fn real_socket_and_busy_port() {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::start(config(dir.path())).await.unwrap();
    let status = engine.tool_status();
    assert!(status.running, "{status:?}");
    let base = status.base_url.unwrap();
    assert!(base.starts_with("http://localhost:"));
    // Over a real TCP connection to 127.0.0.1.
    let port = status.port;
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    stream
        .write_all(format!("GET /.well-known/jwks.json HTTP/1.1\r\nHost: localhost:{port}\r\nConnection: close\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut buf = String::new();
    stream.read_to_string(&mut buf).await.unwrap();
    assert!(buf.starts_with("HTTP/1.1 200"), "{buf}");
    let list = dispatch(&engine, "list_exchanges", json!({}))
        .await
        .unwrap();
    assert!(list[0]["peer"].as_str().unwrap().starts_with("127.0.0.1:"));

    // A second engine on the same port reports the port, and does not crash.
    let dir2 = tempfile::tempdir().unwrap();
    let mut cfg2 = config(dir2.path());
    cfg2.tool_port = port;
    let second = Engine::start(cfg2).await.unwrap();
    let err = second.tool_status().error.expect("busy port reported");
    assert_eq!(err.code, lti_core::ErrorCode::PortInUse);
    assert!(err.message.contains(&port.to_string()), "{}", err.message);
    engine.shutdown();
}

#[tokio::test]
async fn corrupt_database_is_refused_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("inspector.db");
    std::fs::write(&db, vec![0x42u8; 8192]).unwrap();
    let err = Engine::open(config(dir.path())).err().expect("refused");
    assert_eq!(err.code(), lti_core::ErrorCode::DatabaseCorrupt);
    assert_eq!(std::fs::read(&db).unwrap(), vec![0x42u8; 8192]);
}

#[tokio::test]
async fn missing_keychain_is_a_clear_error_code_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(dir.path());
    // A key file path that cannot be created stands in for an unreachable keychain.
    std::fs::write(dir.path().join("not-a-dir"), b"x").unwrap();
    cfg.key_store = KeyStoreChoice::File(dir.path().join("not-a-dir/keys.json"));
    let engine = Engine::open(cfg).unwrap();
    let setup = dispatch(&engine, "get_tool_setup", json!({}))
        .await
        .unwrap();
    assert!(setup["public_jwk_json"].is_null());
    assert!(!setup["problems"].as_array().unwrap().is_empty());
    let app = lti_tool_side::capture::router(engine.tool().clone());
    let res = app
        .oneshot(
            Request::get("/.well-known/jwks.json")
                .header("host", "localhost:1")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
}

#[test]
fn unreachable_secret_service_maps_to_keychain_unavailable() {
    // A subprocess pointed at a bus that does not exist: the status must carry the error code.
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_lti-inspector"))
        .args(["status", "--data-dir"])
        .arg(dir.path())
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
        .env_remove("DISPLAY")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let status: Value = serde_json::from_slice(&out.stdout).unwrap();
    if cfg!(target_os = "linux") {
        assert_eq!(status["keystore"]["ok"], false, "{status}");
        assert_eq!(status["keystore"]["error"]["code"], "keychain_unavailable");
    }
}

#[tokio::test]
async fn serve_api_needs_token_and_checks_host_and_origin() {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(config(dir.path())).unwrap();
    let app = api::router(engine, ApiConfig::new("secret-token".into(), 4470, None));
    let call = |auth: Option<&str>, host: &str, origin: Option<&str>| {
        let mut b = Request::post("/api/rpc/get_status").header("host", host);
        if let Some(a) = auth {
            b = b.header("authorization", format!("Bearer {a}"));
        }
        if let Some(o) = origin {
            b = b.header("origin", o);
        }
        app.clone().oneshot(b.body(Body::empty()).unwrap())
    };
    assert_eq!(
        call(None, "127.0.0.1:4470", None).await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        call(Some("wrong"), "127.0.0.1:4470", None)
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        call(Some("secret-token"), "evil.example:4470", None)
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        call(
            Some("secret-token"),
            "127.0.0.1:4470",
            Some("http://evil.example")
        )
        .await
        .unwrap()
        .status(),
        StatusCode::FORBIDDEN
    );
    let ok = call(
        Some("secret-token"),
        "localhost:4470",
        Some("http://localhost:4470"),
    )
    .await
    .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    assert_eq!(body_json(ok).await["version"], env!("CARGO_PKG_VERSION"));
    let unknown = app
        .clone()
        .oneshot(
            Request::post("/api/rpc/nope")
                .header("host", "127.0.0.1:4470")
                .header("authorization", "Bearer secret-token")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    assert_eq!(body_json(unknown).await["code"], "unknown_command");
}

#[test]
fn typescript_bindings_are_up_to_date() {
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/bindings/index.ts");
    let generated = commands::typescript_bindings();
    let current = std::fs::read_to_string(&committed).unwrap_or_default();
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::write(&committed, &generated).unwrap();
        return;
    }
    assert!(
        current == generated,
        "ui/src/bindings/index.ts is stale: run `make bindings` (or UPDATE_BINDINGS=1 cargo test -p lti-inspector --test engine)"
    );
}

#[tokio::test]
async fn the_ui_server_never_serves_files_outside_its_folder() {
    let dir = tempfile::tempdir().unwrap();
    let ui = dir.path().join("ui");
    std::fs::create_dir_all(&ui).unwrap();
    std::fs::write(ui.join("index.html"), "<!doctype html>index").unwrap();
    std::fs::write(dir.path().join("secret.txt"), "outside the UI folder").unwrap();
    let engine = Engine::open(config(&dir.path().join("data"))).unwrap();
    let app = api::router(engine, ApiConfig::new("t".into(), 4470, Some(ui)));
    for path in [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/a/../../secret.txt",
    ] {
        let req = Request::get("/")
            .header("host", "127.0.0.1:4470")
            .body(Body::empty())
            .unwrap();
        // The raw path, `..` and all, as a hostile client would send it.
        let (mut parts, body) = req.into_parts();
        parts.uri = path.parse().unwrap();
        let res = app
            .clone()
            .oneshot(Request::from_parts(parts, body))
            .await
            .unwrap();
        let text = String::from_utf8(res.into_body().collect().await.unwrap().to_bytes().to_vec())
            .unwrap();
        assert!(
            !text.contains("outside the UI folder"),
            "{path} escaped the UI folder"
        );
    }
    // The page's policy: images may come from https (roster pictures, issue 9 item 11), scripts
    // only from the app itself.
    let res = app
        .clone()
        .oneshot(
            Request::get("/")
                .header("host", "127.0.0.1:4470")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    let img = csp
        .split(';')
        .find(|d| d.trim().starts_with("img-src"))
        .unwrap();
    assert!(img.split_whitespace().any(|s| s == "https:"), "{csp}");
    assert!(csp.starts_with("default-src 'self'"), "{csp}");
}

/// A handler's deferred write that fails must not cost the exchange: it is rolled back alone,
/// the exchange is stored (without the flow the write was to create) and names the failure.
#[tokio::test]
async fn a_failing_deferred_write_is_named_on_the_exchange_which_is_kept() {
    use lti_core::recorder::{self, ExchangeNotes, Recorder};
    use lti_core::store::Side;
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(config(dir.path())).unwrap();
    let handler = |req: axum::extract::Request| async move {
        let notes = req.extensions().get::<ExchangeNotes>().cloned().unwrap();
        notes.set_flow("flow-that-was-never-created");
        notes.set_step("probe");
        notes.defer_write(|tx| {
            tx.execute("INSERT INTO no_such_table VALUES (1)", [])?;
            Ok(())
        });
        "answered"
    };
    let app = axum::Router::new()
        .route("/probe", axum::routing::post(handler))
        .layer(axum::middleware::from_fn_with_state(
            Recorder {
                store: engine.store().clone(),
                events: engine.events().clone(),
                side: Side::Tool,
                body_limit: 1024,
                large_bodies: &[],
            },
            recorder::record,
        ));
    let res = app
        .oneshot(
            Request::post("/probe")
                .header("host", "localhost:4471")
                .body(Body::from("x=1"))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let list = dispatch(&engine, "list_exchanges", json!({}))
        .await
        .unwrap();
    let ex = list
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["url"].as_str().unwrap().ends_with("/probe"))
        .expect("the exchange is stored");
    assert!(ex["flow_id"].is_null(), "{ex}");
    assert!(
        ex["error"].as_str().unwrap().contains("no_such_table"),
        "{ex}"
    );
}

/// `lti-inspector inspect`'s exit codes and JSON verdict: 0 valid, 1 invalid, 3 unverified
/// (no key), 2 unusable input.
#[test]
fn inspect_cli_exit_codes_follow_the_verdict() {
    use lti_protocol::keys::SigningKey;
    let dir = tempfile::tempdir().unwrap();
    let key = SigningKey::generate().unwrap();
    let jwks = dir.path().join("jwks.json");
    std::fs::write(&jwks, json!({"keys": [key.public_jwk()]}).to_string()).unwrap();
    let now = lti_core::clock::now_secs();
    let claims = json!({
        "iss": "https://lms.example", "aud": "client-1", "sub": "u1", "exp": now + 300, "iat": now,
        "nonce": "n-1",
        "https://purl.imsglobal.org/spec/lti/claim/message_type": "LtiResourceLinkRequest",
        "https://purl.imsglobal.org/spec/lti/claim/version": "1.3.0",
        "https://purl.imsglobal.org/spec/lti/claim/deployment_id": "dep-1",
        "https://purl.imsglobal.org/spec/lti/claim/target_link_uri": "https://tool.example/launch",
        "https://purl.imsglobal.org/spec/lti/claim/resource_link": {"id": "rl-1"},
        "https://purl.imsglobal.org/spec/lti/claim/roles": []
    });
    let token =
        lti_protocol::jws::sign_rs256(&serde_json::Map::new(), claims.as_object().unwrap(), &key)
            .unwrap();
    let token_file = dir.path().join("token.jwt");
    std::fs::write(&token_file, &token).unwrap();
    let run = |extra: &[&str], input: &Path| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_lti-inspector"))
            .arg("inspect")
            .args(extra)
            .args(["--format", "json"])
            .arg(input)
            .output()
            .unwrap();
        let json: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        (out.status.code(), json)
    };
    let jwks_arg = jwks.to_str().unwrap();
    let known = [
        "--jwks",
        jwks_arg,
        "--issuer",
        "https://lms.example",
        "--client-id",
        "client-1",
        "--deployment-id",
        "dep-1",
        "--nonce",
        "n-1",
    ];
    let (code, json) = run(&known, &token_file);
    assert_eq!(
        (code, json["verdict"].as_str()),
        (Some(0), Some("valid")),
        "{json}"
    );

    let (code, json) = run(&[], &token_file);
    assert_eq!(
        (code, json["verdict"].as_str()),
        (Some(3), Some("unverified")),
        "{json}"
    );

    let later = (now + 3600).to_string();
    let mut expired = known.to_vec();
    expired.extend(["--at", later.as_str()]);
    let (code, json) = run(&expired, &token_file);
    assert_eq!(
        (code, json["verdict"].as_str()),
        (Some(1), Some("invalid")),
        "{json}"
    );

    let garbage = dir.path().join("garbage.bin");
    std::fs::write(&garbage, [0xff, 0xfe, 0x00, 0x01]).unwrap();
    let (code, _) = run(&[], &garbage);
    assert_eq!(code, Some(2));
}

/// Issue 10, item 4: every save and delete is announced, and a change made by another process
/// (the CLI on the same data folder) reaches a running engine: an `external` event, and the
/// tool side sees the new registration at once.
#[tokio::test]
async fn model_changes_are_announced_here_and_from_another_process() {
    use lti_core::events::EngineEvent;
    use lti_core::model_changes::ModelKind;
    use std::time::Duration;

    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(dir.path());
    cfg.key_store = KeyStoreChoice::File(dir.path().join("keys.json"));
    let engine = Engine::start(cfg).await.unwrap();
    let mut events = engine.events().subscribe();
    // The next announcement of `kind` (the demo seeding announces its own registrations too).
    let next_model = |events: &mut tokio::sync::broadcast::Receiver<EngineEvent>,
                      kind: ModelKind| {
        let mut events = events.resubscribe();
        async move {
            tokio::time::timeout(Duration::from_secs(10), async move {
                loop {
                    if let Ok(EngineEvent::ModelChanged { model, id }) = events.recv().await {
                        if model == kind {
                            return (model, id);
                        }
                    }
                }
            })
            .await
            .expect("a model_changed event")
        }
    };

    let waiting = next_model(&mut events, ModelKind::Platform);
    let saved = dispatch(
        &engine,
        "save_platform",
        json!({"name": "Here", "issuer": "https://here.example", "client_id": "c1",
               "auth_endpoint": "https://here.example/auth", "jwks_url": "https://here.example/jwks"}),
    )
    .await
    .unwrap();
    assert_eq!(
        waiting.await,
        (ModelKind::Platform, saved["id"].as_str().map(String::from))
    );

    let waiting = next_model(&mut events, ModelKind::User);
    dispatch(
        &engine,
        "save_emulator_user",
        json!({"id": "u-live", "given_name": "Live", "family_name": "User"}),
    )
    .await
    .unwrap();
    assert_eq!(waiting.await.0, ModelKind::User);

    // The CLI, another process, registers a platform while the engine runs (the tool side's
    // registration cache is warm: it would serve the old list for two seconds).
    engine
        .tool()
        .platform_cache()
        .all(engine.store())
        .await
        .unwrap();
    let waiting = next_model(&mut events, ModelKind::External);
    let data = dir.path().to_path_buf();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_lti-inspector"))
            .arg("platforms")
            .arg("--data-dir")
            .arg(&data)
            .arg("--key-store")
            .arg(format!("file:{}", data.join("keys.json").display()))
            .args([
                "add",
                "--issuer",
                "https://cli.example",
                "--client-id",
                "from-cli",
            ])
            .args(["--auth-endpoint", "https://cli.example/auth"])
            .args(["--jwks-url", "https://cli.example/jwks"])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(waiting.await, (ModelKind::External, None));
    // The tool side's registration cache was dropped: the CLI's platform is used at once.
    let known = engine
        .tool()
        .platform_cache()
        .all(engine.store())
        .await
        .unwrap();
    assert!(
        known.iter().any(|p| p.issuer == "https://cli.example"),
        "{known:?}"
    );
    engine.shutdown();
}

/// Issue 9, item 6: the data folder is private (0700) and so are the database files (0600);
/// secrets in recorded exchanges come masked unless revealed.
#[cfg(unix)]
#[tokio::test]
async fn data_is_private_and_secrets_come_masked() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut cfg = config(&data);
    cfg.key_store = KeyStoreChoice::File(dir.path().join("keys.json"));
    let engine = Engine::open(cfg).unwrap();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&data.join("inspector.db")), 0o600);

    let token = "eyJhbGciOiJSUzI1NiJ9.c2VjcmV0LWFjY2Vzcy10b2tlbg.c2lnbmF0dXJl";
    let ex = engine
        .store()
        .write(move |tx| {
            lti_core::store::exchanges::insert(
                tx,
                &lti_core::store::NewExchange {
                    flow_id: None,
                    side: lti_core::store::Side::Tool,
                    direction: lti_core::store::Direction::Outbound,
                    step: Some("nrps".into()),
                    method: "GET".into(),
                    url: "https://lms.example/memberships".into(),
                    status: Some(200),
                    started_at_ms: 0,
                    duration_us: 1,
                    peer: None,
                    request_headers: vec![lti_core::store::Header {
                        name: "Authorization".into(),
                        value: format!("Bearer {token}"),
                    }],
                    request_body: vec![],
                    request_truncated: false,
                    response_headers: vec![],
                    response_body: br#"{"access_token":"another-secret-value","id":"x"}"#.to_vec(),
                    error: None,
                },
            )
        })
        .await
        .unwrap();
    let shown = dispatch(&engine, "get_exchange", json!({"id": ex.id}))
        .await
        .unwrap();
    let text = shown.to_string();
    assert!(
        !text.contains(token) && !text.contains("another-secret-value"),
        "{text}"
    );
    assert_eq!(shown["masked"].as_array().unwrap().len(), 2, "{shown:#}");
    let whole = dispatch(
        &engine,
        "get_exchange",
        json!({"id": ex.id, "reveal": true}),
    )
    .await
    .unwrap();
    assert!(whole.to_string().contains(token));
    assert!(whole["masked"].as_array().unwrap().is_empty());
}

/// Issue 9, item 11: `inspect --jwks URL` reads at most 1 MiB of the answer.
#[tokio::test]
async fn inspect_refuses_an_endless_jwks_url() {
    use axum::routing::get;
    let peer = axum::Router::new().route("/jwks", get(|| async { vec![b' '; 3 * 1024 * 1024] }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, peer).await.unwrap() });
    let dir = tempfile::tempdir().unwrap();
    let token = dir.path().join("token.jwt");
    std::fs::write(&token, "eyJhbGciOiJSUzI1NiJ9.e30.c2ln").unwrap();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_lti-inspector"))
            .args(["inspect", "--jwks", &format!("http://{addr}/jwks")])
            .arg(&token)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("more than 1024 KiB"), "{err}");
}
