//! The capture flow end to end through the router: a platform played by the test (its own RSA
//! key, registered with a pasted JWK) sends a login initiation, follows the redirect to its auth
//! endpoint, signs an id_token with the state and nonce it received and form-POSTs it back.
//! Independent peers (a PyPI platform library) are exercised in tests/interop.

use std::path::Path;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
mod common;

use common::{config, form, text};
use lti_inspector::commands::dispatch;
use lti_inspector::engine::Engine;
use lti_protocol::keys::SigningKey;
use serde_json::{json, Map, Value};
use tower::ServiceExt;

const ISS: &str = "https://platform.example";
const CLIENT: &str = "client-1";
const AUTH: &str = "https://platform.example/auth";

struct Platform {
    key: SigningKey,
}

struct Harness {
    engine: Engine,
    app: Router,
    platform: Platform,
}

async fn harness(dir: &Path) -> Harness {
    let engine = Engine::open(config(dir)).unwrap();
    let key = SigningKey::generate().unwrap();
    dispatch(
        &engine,
        "save_platform",
        json!({
            "name": "Test LMS", "issuer": ISS, "client_id": CLIENT, "deployment_ids": ["dep-1"],
            "auth_endpoint": AUTH, "public_key": serde_json::to_string(&key.public_jwk()).unwrap()
        }),
    )
    .await
    .unwrap();
    let app = lti_tool_side::capture::router(engine.tool().clone());
    Harness {
        engine,
        app,
        platform: Platform { key },
    }
}

/// Posts a login initiation of the test platform, with `extra` parameters.
async fn post_login(h: &Harness, extra: &[(&str, &str)]) -> axum::response::Response {
    let mut params = vec![
        ("iss", ISS),
        ("login_hint", "user-7"),
        ("target_link_uri", "http://localhost:4471/lti/launch"),
        ("client_id", CLIENT),
        ("lti_deployment_id", "dep-1"),
    ];
    params.extend_from_slice(extra);
    h.app
        .clone()
        .oneshot(
            Request::post("/lti/login")
                .header("host", "localhost:4471")
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::from(form(&params)))
                .unwrap(),
        )
        .await
        .unwrap()
}

/// Step 1 → 2: returns (state, nonce, cookie header value) from the redirect.
async fn login(h: &Harness) -> (String, String, String) {
    let res = post_login(h, &[("lti_message_hint", "opaque-hint")]).await;
    assert_eq!(res.status(), StatusCode::FOUND, "{}", text(res).await);
    let location = res.headers()[header::LOCATION]
        .to_str()
        .unwrap()
        .to_string();
    let cookies: Vec<String> = res
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string())
        .collect();
    assert_eq!(
        cookies.len(),
        2,
        "a SameSite=None; Secure cookie and a Lax fallback"
    );
    assert!(cookies[1].contains("_lax="), "{cookies:?}");
    // WebKit drops Secure cookies on http://localhost: the launch must work with the Lax one.
    let cookie = cookies[1].clone();
    let url = url::Url::parse(&location).unwrap();
    assert!(location.starts_with(AUTH));
    let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    assert_eq!(q["scope"], "openid");
    assert_eq!(q["response_mode"], "form_post");
    assert_eq!(q["prompt"], "none");
    assert_eq!(q["client_id"], CLIENT);
    assert_eq!(q["login_hint"], "user-7");
    assert_eq!(q["lti_message_hint"], "opaque-hint");
    assert!(
        q["redirect_uri"].ends_with("/lti/launch"),
        "{}",
        q["redirect_uri"]
    );
    (q["state"].clone(), q["nonce"].clone(), cookie)
}

fn claims(nonce: &str, now: i64) -> Map<String, Value> {
    let v = json!({
        "iss": ISS, "aud": CLIENT, "sub": "user-7", "exp": now + 300, "iat": now, "nonce": nonce,
        "name": "Ada <script>alert(1)</script> Lovelace",
        "https://purl.imsglobal.org/spec/lti/claim/message_type": "LtiResourceLinkRequest",
        "https://purl.imsglobal.org/spec/lti/claim/version": "1.3.0",
        "https://purl.imsglobal.org/spec/lti/claim/deployment_id": "dep-1",
        "https://purl.imsglobal.org/spec/lti/claim/target_link_uri": "http://localhost:4471/lti/launch",
        "https://purl.imsglobal.org/spec/lti/claim/resource_link": {"id": "rl-1", "title": "Week 1"},
        "https://purl.imsglobal.org/spec/lti/claim/roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
        "https://purl.imsglobal.org/spec/lti/claim/context": {"id": "c-1", "title": "Physics 101"},
        "https://example.com/vendor/claim": {"x": 1}
    });
    v.as_object().unwrap().clone()
}

async fn post_token(
    h: &Harness,
    token: &str,
    state: &str,
    cookie: Option<&str>,
) -> (StatusCode, String) {
    let mut req = Request::post("/lti/launch")
        .header("host", "localhost:4471")
        .header("content-type", "application/x-www-form-urlencoded");
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    let res = h
        .app
        .clone()
        .oneshot(
            req.body(Body::from(form(&[("id_token", token), ("state", state)])))
                .unwrap(),
        )
        .await
        .unwrap();
    let status = res.status();
    (status, text(res).await)
}

async fn flow_of(h: &Harness) -> Value {
    let flows = dispatch(&h.engine, "list_flows", json!({})).await.unwrap();
    let id = flows[0]["id"].as_str().unwrap().to_string();
    dispatch(&h.engine, "get_flow", json!({"id": id}))
        .await
        .unwrap()
}

fn failed_rules(flow: &Value, kind: &str) -> Vec<String> {
    flow["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["message"]["kind"] == kind)
        .flat_map(|m| {
            m["message"]["report"]["findings"]
                .as_array()
                .unwrap()
                .clone()
        })
        .filter(|f| f["outcome"] == "fail" && f["severity"] == "error")
        .map(|f| f["rule_id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_complete_launch_is_recorded_as_one_valid_flow() {
    let dir = tempfile::tempdir().unwrap();
    let h = harness(dir.path()).await;
    let (state, nonce, cookie) = login(&h).await;
    let now = lti_core::clock::now_secs();
    let token =
        lti_protocol::jws::sign_rs256(&Map::new(), &claims(&nonce, now), &h.platform.key).unwrap();
    let (status, page) = post_token(&h, &token, &state, Some(&cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Valid launch"), "{page}");
    assert!(page.contains("Ada &lt;script&gt;alert(1)&lt;/script&gt; Lovelace"));
    assert!(!page.contains("<script>alert"));

    let flow = flow_of(&h).await;
    assert_eq!(
        flow["flow"]["verdict"],
        "valid",
        "{:?} {:?} {:?}",
        failed_rules(&flow, "login"),
        failed_rules(&flow, "auth_request"),
        failed_rules(&flow, "id_token")
    );
    assert_eq!(flow["flow"]["summary"]["platform"], "Test LMS");
    assert_eq!(flow["flow"]["summary"]["context"], "Physics 101");
    assert_eq!(
        flow["flow"]["summary"]["message_type"],
        "LtiResourceLinkRequest"
    );
    let steps: Vec<_> = flow["exchanges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["step"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(steps, vec!["login", "launch"]);
    let kinds: Vec<_> = flow["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["message"]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, vec!["login", "auth_request", "id_token"]);
    let token_msg = &flow["messages"][2];
    assert_eq!(token_msg["message"]["raw"], token);
    let vendor = token_msg["claims"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["uri"] == "https://example.com/vendor/claim")
        .unwrap();
    assert_eq!(
        vendor["known"], false,
        "unknown claims are listed, not dropped"
    );
    assert_eq!(token_msg["roles"][0]["name"].as_str().unwrap(), "Learner");
}

#[tokio::test]
async fn missing_cookie_replay_and_tampering_are_findings_not_refusals() {
    let dir = tempfile::tempdir().unwrap();
    let h = harness(dir.path()).await;
    let (state, nonce, _cookie) = login(&h).await;
    let now = lti_core::clock::now_secs();
    let token =
        lti_protocol::jws::sign_rs256(&Map::new(), &claims(&nonce, now), &h.platform.key).unwrap();
    // No cookie (third-party cookies blocked): recorded, flagged, still decoded.
    let (status, page) = post_token(&h, &token, &state, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Invalid launch"));
    let flow = flow_of(&h).await;
    assert!(failed_rules(&flow, "id_token").contains(&"response.state".to_string()));

    // Replay of the same post: the nonce was seen and the state used.
    let (_, page) = post_token(&h, &token, &state, None).await;
    assert!(page.contains("Invalid launch"));
    let flow = flow_of(&h).await;
    let last = flow["messages"].as_array().unwrap().last().unwrap();
    let failed: Vec<_> = last["message"]["report"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["outcome"] == "fail")
        .map(|f| f["rule_id"].as_str().unwrap().to_string())
        .collect();
    assert!(
        failed.contains(&"idtoken.nonce_replay".to_string()),
        "{failed:?}"
    );

    // Tampered payload: the signature fails, the claims are still shown.
    let (state2, nonce2, cookie2) = login(&h).await;
    let good =
        lti_protocol::jws::sign_rs256(&Map::new(), &claims(&nonce2, now), &h.platform.key).unwrap();
    let mut parts: Vec<String> = good.split('.').map(str::to_string).collect();
    let mut c = claims(&nonce2, now);
    c.insert("sub".into(), json!("someone-else"));
    parts[1] = lti_protocol::b64::encode(serde_json::to_string(&c).unwrap().as_bytes());
    let (_, page) = post_token(&h, &parts.join("."), &state2, Some(&cookie2)).await;
    assert!(page.contains("Invalid launch"));
    let flow = flow_of(&h).await;
    assert!(
        failed_rules(&flow, "id_token").contains(&"jwt.signature".to_string()),
        "{:?}",
        failed_rules(&flow, "id_token")
    );
}

#[tokio::test]
async fn garbage_and_errors_are_recorded_with_clear_pages() {
    let dir = tempfile::tempdir().unwrap();
    let h = harness(dir.path()).await;
    // Not a JWT at all.
    let (status, page) = post_token(&h, "{\"not\":\"a jwt\"}", "nostate", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Invalid launch"));
    let flow = flow_of(&h).await;
    assert!(failed_rules(&flow, "id_token").contains(&"jwt.format".to_string()));
    // A platform error post (Canvas).
    let res = h
        .app
        .clone()
        .oneshot(
            Request::post("/lti/launch")
                .header("host", "localhost:4471")
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::from(form(&[
                    ("error", "launch_no_longer_valid"),
                    (
                        "error_description",
                        "The launch has either expired or already been consumed",
                    ),
                ])))
                .unwrap(),
        )
        .await
        .unwrap();
    let page = text(res).await;
    assert!(page.contains("launch_no_longer_valid"), "{page}");
    let all = dispatch(&h.engine, "list_exchanges", json!({}))
        .await
        .unwrap();
    assert_eq!(all.as_array().unwrap().len(), 2, "both posts recorded");
}

#[tokio::test]
async fn unknown_platform_of_a_known_lms_continues_with_its_preset_endpoint() {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(config(dir.path())).unwrap();
    let app = lti_tool_side::capture::router(engine.tool().clone());
    let res = app
        .oneshot(
            Request::get("/lti/login?iss=https%3A%2F%2Fcanvas.instructure.com&login_hint=1&target_link_uri=http%3A%2F%2Flocalhost%2Flti%2Flaunch&client_id=10000000000011")
                .header("host", "localhost:4471")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FOUND);
    assert!(res.headers()[header::LOCATION]
        .to_str()
        .unwrap()
        .starts_with("https://sso.canvaslms.com/api/lti/authorize_redirect?"));
    let flows = dispatch(&engine, "list_flows", json!({})).await.unwrap();
    assert_eq!(
        flows[0]["summary"]["platform"],
        "Canvas (Instructure-hosted) (not registered)"
    );
}

/// A platform whose JWKS URL answers garbage, or never answers: the launch is still recorded
/// and decoded, the fetch is an outbound exchange of the flow, and the signature check fails
/// with a finding that says why — after at most the outbound timeout.
#[tokio::test]
async fn a_jwks_url_that_returns_garbage_or_hangs_is_a_finding_not_a_stall() {
    use axum::routing::get;
    let peer = axum::Router::new()
        .route("/garbage", get(|| async { "<html>not a key set</html>" }))
        .route(
            "/hang",
            get(|| async {
                tokio::time::sleep(std::time::Duration::from_secs(60)).await;
                "too late"
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let peer_addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, peer).await.unwrap() });

    for (path, expect) in [("garbage", "not a JSON key set"), ("hang", "timed out")] {
        let dir = tempfile::tempdir().unwrap();
        let engine = Engine::open(config(dir.path())).unwrap();
        let key = SigningKey::generate().unwrap();
        dispatch(
            &engine,
            "save_platform",
            json!({"name": "Flaky LMS", "issuer": ISS, "client_id": CLIENT, "deployment_ids": ["dep-1"],
                   "auth_endpoint": AUTH, "jwks_url": format!("http://{peer_addr}/{path}")}),
        )
        .await
        .unwrap();
        let h = Harness {
            app: lti_tool_side::capture::router(engine.tool().clone()),
            engine,
            platform: Platform { key },
        };
        let (state, nonce, cookie) = login(&h).await;
        let token = lti_protocol::jws::sign_rs256(
            &Map::new(),
            &claims(&nonce, lti_core::clock::now_secs()),
            &h.platform.key,
        )
        .unwrap();
        let started = std::time::Instant::now();
        let (status, page) = post_token(&h, &token, &state, Some(&cookie)).await;
        assert!(
            started.elapsed() < std::time::Duration::from_secs(15),
            "the capture must not stall"
        );
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("Invalid launch"), "{page}");
        let flow = flow_of(&h).await;
        let steps: Vec<_> = flow["exchanges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["step"].as_str().unwrap_or("").to_string())
            .collect();
        assert!(steps.contains(&"jwks_fetch".to_string()), "{steps:?}");
        let sig = flow["messages"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|m| {
                m["message"]["report"]["findings"]
                    .as_array()
                    .unwrap()
                    .clone()
            })
            .find(|f| f["rule_id"] == "jwt.signature" && f["outcome"] == "fail")
            .expect("signature finding");
        assert!(sig["message"].as_str().unwrap().contains(expect), "{sig}");
        // The claims are still decoded and shown.
        let token_msg = flow["messages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["message"]["kind"] == "id_token")
            .unwrap();
        assert!(!token_msg["claims"].as_array().unwrap().is_empty());
    }
}

/// States and nonces live in memory for speed; after a restart the table answers: a state
/// minted before the restart still launches, and one used before it is still refused.
#[tokio::test]
async fn single_use_state_and_nonce_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let h = harness(dir.path()).await;
    let now = lti_core::clock::now_secs();
    let (used_state, used_nonce, used_cookie) = login(&h).await;
    let used_token =
        lti_protocol::jws::sign_rs256(&Map::new(), &claims(&used_nonce, now), &h.platform.key)
            .unwrap();
    let (_, page) = post_token(&h, &used_token, &used_state, Some(&used_cookie)).await;
    assert!(page.contains("Valid launch"), "{page}");
    let (fresh_state, fresh_nonce, fresh_cookie) = login(&h).await;
    let key = h.platform.key;
    h.engine.shutdown();
    drop(h.app);
    drop(h.engine);

    let engine = Engine::open(config(dir.path())).unwrap();
    let h = Harness {
        app: lti_tool_side::capture::router(engine.tool().clone()),
        engine,
        platform: Platform { key },
    };
    let token =
        lti_protocol::jws::sign_rs256(&Map::new(), &claims(&fresh_nonce, now), &h.platform.key)
            .unwrap();
    let (_, page) = post_token(&h, &token, &fresh_state, Some(&fresh_cookie)).await;
    assert!(
        page.contains("Valid launch"),
        "a state minted before the restart: {page}"
    );

    let (_, page) = post_token(&h, &used_token, &used_state, Some(&used_cookie)).await;
    assert!(page.contains("Invalid launch"));
    let flows = dispatch(&h.engine, "list_flows", json!({})).await.unwrap();
    let replayed = flows
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect::<Vec<_>>();
    let mut failed = Vec::new();
    for id in replayed {
        let flow = dispatch(&h.engine, "get_flow", json!({"id": id}))
            .await
            .unwrap();
        if let Some(last) = flow["messages"].as_array().unwrap().last() {
            if last["message"]["kind"] == "id_token" {
                failed.extend(failed_rules(&json!({"messages": [last]}), "id_token"));
            }
        }
    }
    assert!(
        failed.contains(&"response.state".to_string())
            && failed.contains(&"idtoken.nonce_replay".to_string()),
        "the replay after the restart must fail state and nonce: {failed:?}"
    );
}

/// A login offering platform storage; returns (state, nonce) from the storage page.
async fn login_with_storage(h: &Harness) -> (String, String) {
    let res = post_login(h, &[("lti_storage_target", "_parent")]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let page = text(res).await;
    let grab = |key: &str| {
        let at = page.find(&format!("\"{key}\":\"")).expect(key) + key.len() + 4;
        page[at..at + page[at..].find('"').unwrap()].to_string()
    };
    (grab("state"), grab("nonce"))
}

async fn storage_report(h: &Harness, flow: &str, body: Value) -> (StatusCode, Value) {
    let res = h
        .app
        .clone()
        .oneshot(
            Request::post(format!("/lti/storage-check?flow={flow}"))
                .header("host", "localhost:4471")
                .header("content-type", "application/json")
                .body(Body::from(body.to_string()))
                .unwrap(),
        )
        .await
        .unwrap();
    let status = res.status();
    (status, serde_json::from_str(&text(res).await).unwrap())
}

/// Third-party cookies blocked in an iframe: the launch arrives without its state cookie, and
/// the platform offered platform storage. The landing page asks for the state with
/// lti.get_data; a matching answer settles `response.state` and the flow becomes valid, a
/// wrong or missing one keeps it invalid with a finding that says so.
#[tokio::test]
async fn a_missing_cookie_is_settled_through_platform_storage() {
    let dir = tempfile::tempdir().unwrap();
    let h = harness(dir.path()).await;
    let now = lti_core::clock::now_secs();

    let (state, nonce) = login_with_storage(&h).await;
    let token =
        lti_protocol::jws::sign_rs256(&Map::new(), &claims(&nonce, now), &h.platform.key).unwrap();
    let (_, page) = post_token(&h, &token, &state, None).await;
    assert!(page.contains("Invalid launch"), "{page}");
    assert!(page.contains("lti.get_data") && page.contains("script-src 'nonce-"));
    let flow = flow_of(&h).await;
    let flow_id = flow["flow"]["id"].as_str().unwrap().to_string();
    assert_eq!(flow["flow"]["verdict"], "invalid");

    let (status, answer) = storage_report(
        &h,
        &flow_id,
        json!({"state": state, "value": state, "log": [{"sent": {"subject": "lti.get_data"}}]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["verdict"], "state_verified");
    assert_eq!(answer["launch_verdict"], "valid");
    let flow = flow_of(&h).await;
    assert_eq!(
        flow["flow"]["verdict"],
        "valid",
        "{:?}",
        failed_rules(&flow, "id_token")
    );
    let exchanges: Vec<&str> = flow["exchanges"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["step"].as_str())
        .collect();
    assert!(
        exchanges.contains(&"platform_storage_check"),
        "{exchanges:?}"
    );
    // Single use.
    let (status, _) = storage_report(&h, &flow_id, json!({"state": state, "value": state})).await;
    assert_eq!(status, StatusCode::CONFLICT);

    // Platform storage answers nothing: still invalid, and the finding says why.
    let (state2, nonce2) = login_with_storage(&h).await;
    let token2 =
        lti_protocol::jws::sign_rs256(&Map::new(), &claims(&nonce2, now), &h.platform.key).unwrap();
    post_token(&h, &token2, &state2, None).await;
    let flow = flow_of(&h).await;
    let flow_id2 = flow["flow"]["id"].as_str().unwrap().to_string();
    assert_ne!(flow_id2, flow_id);
    let (status, answer) =
        storage_report(&h, &flow_id2, json!({"state": state2, "value": null})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer["verdict"], "state_not_verified");
    let flow = flow_of(&h).await;
    assert_eq!(flow["flow"]["verdict"], "invalid");
    let state_finding = flow["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["message"]["kind"] == "id_token")
        .flat_map(|m| {
            m["message"]["report"]["findings"]
                .as_array()
                .unwrap()
                .clone()
        })
        .find(|f| f["rule_id"] == "response.state" && f["outcome"] == "fail")
        .unwrap();
    assert!(
        state_finding["message"]
            .as_str()
            .unwrap()
            .contains("platform storage (lti.get_data) returned nothing"),
        "{state_finding}"
    );
    // A state of another flow is refused.
    let (status, _) = storage_report(&h, &flow_id, json!({"state": state2, "value": state2})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

/// Issue 9, item 5: launch states and seen nonces are deleted once no launch can use them
/// (a day and two days), by the tool side's scheduled sweep; fresh ones are kept.
#[tokio::test]
async fn expired_states_and_nonces_are_swept() {
    let dir = tempfile::tempdir().unwrap();
    let h = harness(dir.path()).await;
    let (state, nonce, cookie) = login(&h).await;
    let now = lti_core::clock::now_secs();
    let token =
        lti_protocol::jws::sign_rs256(&Map::new(), &claims(&nonce, now), &h.platform.key).unwrap();
    post_token(&h, &token, &state, Some(&cookie)).await;
    let sweep = |at_ms: i64| {
        h.engine
            .store()
            .write(move |tx| lti_tool_side::capture::expiry::sweep(tx, at_ms))
    };
    let now_ms = lti_core::clock::now_ms();
    assert_eq!(sweep(now_ms).await.unwrap(), (0, 0), "fresh rows stay");
    let day = 24 * 3600 * 1000;
    assert_eq!(
        sweep(now_ms + day + 1000).await.unwrap(),
        (1, 0),
        "the state goes after a day"
    );
    assert_eq!(
        sweep(now_ms + 2 * day + 1000).await.unwrap(),
        (0, 1),
        "the nonce after two"
    );
    // Many rows go in batches from the oldest (the sweep never scans the whole table).
    h.engine
        .store()
        .write(move |tx| {
            for i in 0..5_000 {
                tx.execute(
                    "INSERT INTO seen_nonces(issuer, nonce, first_seen) VALUES ('i', ?1, ?2)",
                    rusqlite::params![format!("n{i}"), now_ms + i],
                )?;
            }
            Ok(())
        })
        .await
        .unwrap();
    // 3,000 of them expired: two batches; then the other 2,000.
    assert_eq!(sweep(now_ms + 2 * day + 3_000).await.unwrap(), (0, 3_000));
    assert_eq!(sweep(now_ms + 2 * day + 10_000).await.unwrap(), (0, 2_000));
}

/// Issue 9, item 10: when the seen-nonce table cannot be read, the replay check fails closed
/// and says why, instead of passing.
#[tokio::test]
async fn the_nonce_replay_check_fails_closed_when_the_store_cannot_answer() {
    let dir = tempfile::tempdir().unwrap();
    let h = harness(dir.path()).await;
    // Break the table behind the engine's back (another connection to the same file).
    let db = rusqlite::Connection::open(dir.path().join("inspector.db")).unwrap();
    db.execute_batch("DROP TABLE seen_nonces;").unwrap();
    drop(db);
    // An unsolicited post (no login first): its nonce is not in memory, so the table is asked.
    let now = lti_core::clock::now_secs();
    let token = lti_protocol::jws::sign_rs256(
        &Map::new(),
        &claims("nonce-the-table-must-answer", now),
        &h.platform.key,
    )
    .unwrap();
    let (status, page) = post_token(&h, &token, "unknown-state", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Invalid launch"), "{page}");
    let flow = flow_of(&h).await;
    let replay = common::findings(&flow, "idtoken.nonce_replay")
        .into_iter()
        .next()
        .expect("a replay finding");
    assert_eq!(replay["outcome"], "fail", "{replay}");
    assert!(
        replay["message"]
            .as_str()
            .unwrap()
            .contains("Could not check"),
        "{replay}"
    );
}

/// Issue 9, item 7: a platform-storage log naming a flow this tool never started is recorded
/// (on a flow of its own, with a finding), not answered 500 "not recorded".
#[tokio::test]
async fn a_storage_log_of_an_unknown_flow_is_recorded_with_a_finding() {
    let dir = tempfile::tempdir().unwrap();
    let h = harness(dir.path()).await;
    let res = h
        .app
        .clone()
        .oneshot(
            Request::post("/lti/storage-log?flow=NoSuchFlow01")
                .header("host", "localhost:4471")
                .header("content-type", "application/json")
                .body(Body::from(r#"[{"subject":"lti.get_data"}]"#))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let flow = flow_of(&h).await;
    assert_eq!(flow["flow"]["kind"], "platform_storage");
    assert_eq!(
        flow["exchanges"].as_array().unwrap().len(),
        1,
        "the request is kept"
    );
    let finding = &flow["messages"][0]["message"]["report"]["findings"][0];
    assert_eq!(finding["rule_id"], "storage.flow");
    assert_eq!(finding["actual"], "NoSuchFlow01");
}

/// Issue 9, item 9: forged launches naming unknown kids cost at most one refetch of the
/// platform's key set per interval — concurrent ones share a single fetch — not one each.
#[tokio::test]
async fn unknown_kids_do_not_cause_a_refetch_storm() {
    use axum::routing::get;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    let key = SigningKey::generate().unwrap();
    let jwks = json!({"keys": [key.public_jwk()]}).to_string();
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    let peer = axum::Router::new().route(
        "/jwks",
        get(move || {
            counter.fetch_add(1, Ordering::SeqCst);
            let body = jwks.clone();
            async move { ([("content-type", "application/json")], body) }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let peer_addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, peer).await.unwrap() });

    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(config(dir.path())).unwrap();
    dispatch(
        &engine,
        "save_platform",
        json!({"name": "Rotating LMS", "issuer": ISS, "client_id": CLIENT, "deployment_ids": ["dep-1"],
               "auth_endpoint": AUTH, "jwks_url": format!("http://{peer_addr}/jwks")}),
    )
    .await
    .unwrap();
    let h = Harness {
        app: lti_tool_side::capture::router(engine.tool().clone()),
        engine,
        platform: Platform { key },
    };
    // A genuine launch: the key set is fetched once.
    let (state, nonce, cookie) = login(&h).await;
    let now = lti_core::clock::now_secs();
    let token =
        lti_protocol::jws::sign_rs256(&Map::new(), &claims(&nonce, now), &h.platform.key).unwrap();
    let (_, page) = post_token(&h, &token, &state, Some(&cookie)).await;
    assert!(page.contains("Valid launch"), "{page}");
    assert_eq!(hits.load(Ordering::SeqCst), 1);
    // Twenty forged launches, each naming a kid of its own, ten at a time.
    let forger = SigningKey::generate().unwrap();
    for round in 0..2 {
        let posts = (0..10).map(|i| {
            let mut header = Map::new();
            header.insert("kid".into(), json!(format!("forged-{round}-{i}")));
            let token = lti_protocol::jws::sign_rs256(
                &header,
                &claims(&format!("n-{round}-{i}"), now),
                &forger,
            )
            .unwrap();
            let h = &h;
            async move { post_token(h, &token, "no-state", None).await }
        });
        for (status, page) in futures_util::future::join_all(posts).await {
            assert_eq!(status, StatusCode::OK);
            assert!(page.contains("Invalid launch"), "{page}");
        }
    }
    assert_eq!(
        hits.load(Ordering::SeqCst),
        2,
        "one refetch for the first unknown kid, none for the other nineteen"
    );
}

/// Issue 14: by default a MUST every measured tool library accepts (roles from no LTI
/// vocabulary) is a warning, so the launch is valid; with strict verdicts chosen in Settings the
/// next launch with it is invalid.
#[tokio::test]
async fn strict_verdicts_turn_a_measured_must_back_into_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let h = harness(dir.path()).await;
    let launch = |strict_expected: bool| {
        let h = &h;
        async move {
            let (state, nonce, cookie) = login(h).await;
            let mut c = claims(&nonce, lti_core::clock::now_secs());
            c.insert(
                "https://purl.imsglobal.org/spec/lti/claim/roles".into(),
                json!(["http://example.com/role#Wizard"]),
            );
            let token = lti_protocol::jws::sign_rs256(&Map::new(), &c, &h.platform.key).unwrap();
            post_token(h, &token, &state, Some(&cookie)).await;
            let flow = flow_of(h).await;
            let f = common::findings(&flow, "lti.roles_vocabulary");
            let f = f
                .iter()
                .find(|f| f["outcome"] == "fail")
                .expect("roles_vocabulary failed");
            assert_eq!(
                f["severity"],
                if strict_expected { "error" } else { "warning" },
                "{f}"
            );
            flow["flow"]["verdict"].as_str().unwrap().to_string()
        }
    };
    assert_eq!(
        dispatch(&h.engine, "get_verdict_policy", json!({}))
            .await
            .unwrap(),
        json!({"strict": false})
    );
    assert_eq!(launch(false).await, "valid");
    assert_eq!(
        dispatch(&h.engine, "set_verdict_policy", json!({"strict": true}))
            .await
            .unwrap(),
        json!({"strict": true})
    );
    assert_eq!(launch(true).await, "invalid");
}
