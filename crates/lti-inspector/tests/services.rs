//! The service client (tool side) against the real emulator over loopback: a demo launch is
//! captured, then its roster, line items, scores and results are fetched with an access token
//! the client obtains itself; plus a revoked token (one re-token), a missing scope (a finding
//! naming it), and a flooding or hanging peer (capped and recorded).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

mod common;

use common::*;
use lti_inspector::commands::dispatch;
use lti_inspector::engine::Engine;
use lti_protocol::jws::{sign_rs256, Jws};
use lti_protocol::keys::SigningKey;
use lti_tool_side::service_client::{self, scope, LaunchContext};
use serde_json::{json, Map, Value};

#[tokio::test]
async fn roster_line_items_scores_results_against_the_emulator() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(dir.path()).await;
    let flow_id = demo_launch(&engine).await;

    // Roster: 3 learners + the instructor, names and role badges.
    let roster = rpc(&engine, "get_roster", json!({"flow_id": flow_id})).await;
    let members = roster["members"].as_array().unwrap();
    assert_eq!(members.len(), 4, "{roster:#}");
    let learners = members
        .iter()
        .filter(|m| {
            m["roles"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r.as_str().unwrap().ends_with("#Learner"))
        })
        .count();
    assert_eq!(learners, 3);
    assert!(members
        .iter()
        .any(|m| m["user_id"] == "demo-instructor" && m["name"] == "Grace Hopper"));
    assert!(!members[0]["role_badges"].as_array().unwrap().is_empty());
    assert!(roster["differences_url"].as_str().is_some(), "{roster:#}");

    // Role filter, and paging through rel="next".
    let only = rpc(
        &engine,
        "get_roster",
        json!({"flow_id": flow_id, "role": "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"}),
    )
    .await;
    assert_eq!(only["members"].as_array().unwrap().len(), 3);
    let paged = rpc(
        &engine,
        "get_roster",
        json!({"flow_id": flow_id, "limit": 1}),
    )
    .await;
    assert_eq!(paged["members"].as_array().unwrap().len(), 4);
    let pages = paged["log"]["calls"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["step"] == "nrps")
        .count();
    assert_eq!(pages, 4, "one page per member: {paged:#}");
    let with_link = rpc(
        &engine,
        "get_roster",
        json!({"flow_id": flow_id, "rlid": lti_inspector::demo::LINK_ID}),
    )
    .await;
    assert!(!with_link["members"].as_array().unwrap().is_empty());

    // Line items: create, list with a filter, update.
    let saved = rpc(
        &engine,
        "save_line_item",
        json!({"flow_id": flow_id, "line_item": {"label": "Quiz 1", "scoreMaximum": 10, "tag": "inspector-test", "resourceId": "q1"}}),
    )
    .await;
    let item_url = saved["item"]["id"].as_str().unwrap().to_string();
    assert_eq!(saved["item"]["label"], "Quiz 1");
    let listed = rpc(
        &engine,
        "list_line_items",
        json!({"flow_id": flow_id, "tag": "inspector-test"}),
    )
    .await;
    let items = listed["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{listed:#}");
    assert_eq!(items[0]["id"], item_url.as_str());
    let all = rpc(&engine, "list_line_items", json!({"flow_id": flow_id})).await;
    assert!(all["items"].as_array().unwrap().len() >= 2);
    let updated = rpc(
        &engine,
        "save_line_item",
        json!({"flow_id": flow_id, "line_item": {"id": item_url, "label": "Quiz 1 (final)", "scoreMaximum": 20, "tag": "inspector-test", "resourceId": "q1"}}),
    )
    .await;
    assert_eq!(updated["item"]["label"], "Quiz 1 (final)");

    // Score, with every field; timestamp defaults to now with sub-second precision.
    let posted = rpc(
        &engine,
        "post_score",
        json!({"flow_id": flow_id, "line_item_url": item_url, "user_id": "demo-learner-1",
               "score_given": 15, "score_maximum": 20, "comment": "Well done",
               "activity_progress": "Completed", "grading_progress": "FullyGraded",
               "started_at": "2026-01-01T10:00:00.000Z", "submitted_at": "2026-01-01T10:30:00.000Z"}),
    )
    .await;
    let ts = posted["score"]["timestamp"].as_str().unwrap();
    assert!(ts.contains('.') && ts.ends_with('Z'), "{ts}");
    assert!((200..300).contains(&posted["status"].as_u64().unwrap()));

    let results = rpc(
        &engine,
        "get_results",
        json!({"flow_id": flow_id, "line_item_url": item_url}),
    )
    .await;
    let rs = results["results"].as_array().unwrap();
    let r = rs
        .iter()
        .find(|r| r["userId"] == "demo-learner-1")
        .expect("the posted result");
    assert_eq!(r["comment"], "Well done");
    let score = r["resultScore"].as_f64().unwrap();
    assert!((score - 15.0).abs() < 1e-9, "{r}");

    // The platform's gradebook shows it.
    let book = rpc(
        &engine,
        "get_gradebook",
        json!({"course_id": "demo-course"}),
    )
    .await;
    assert!(
        book["cells"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["user_id"] == "demo-learner-1" && c["comment"] == "Well done"),
        "{book:#}"
    );

    // Delete.
    let deleted = rpc(
        &engine,
        "delete_line_item",
        json!({"flow_id": flow_id, "line_item_url": item_url}),
    )
    .await;
    assert_eq!(deleted["deleted"], true);
    let left = rpc(
        &engine,
        "list_line_items",
        json!({"flow_id": flow_id, "tag": "inspector-test"}),
    )
    .await;
    assert!(left["items"].as_array().unwrap().is_empty());

    // Everything is in the launch's flow; one token served every call (cached).
    let f = flow(&engine, &flow_id).await;
    let tokens = steps(&f, "token");
    assert_eq!(tokens.len(), 1, "token cached per (registration, scopes)");
    assert_eq!(tokens[0]["status"], 200);
    assert!(steps(&f, "nrps").len() >= 7);
    assert!(steps(&f, "ags").len() >= 7);
    let token_msg = f["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["message"]["kind"] == "token_request")
        .expect("the token request message");
    let a = Jws::parse(token_msg["message"]["raw"].as_str().unwrap())
        .unwrap()
        .payload;
    let emu = engine.emulator_status().base_url.unwrap();
    assert_eq!(a["iss"], lti_inspector::demo::CLIENT_ID);
    assert_eq!(a["sub"], a["iss"]);
    assert_eq!(a["aud"], format!("{emu}/token"));
    assert_eq!(
        a[service_client::DEPLOYMENT_CLAIM],
        lti_inspector::demo::DEPLOYMENT_ID
    );
    assert!(a["jti"].as_str().is_some() && a["exp"].as_i64() > a["iat"].as_i64());
    assert!(token_msg["decoded"].is_object());
    let bad: Vec<Value> = f["messages"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|m| {
            m["message"]["report"]["findings"]
                .as_array()
                .unwrap()
                .clone()
        })
        .filter(|x| x["outcome"] == "fail" && x["severity"] == "error")
        .collect();
    assert!(
        bad.is_empty(),
        "the emulator's answers pass every check: {bad:#?}"
    );
    engine.shutdown();
}

#[tokio::test]
async fn a_revoked_token_gets_one_re_token() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(dir.path()).await;
    let flow_id = demo_launch(&engine).await;
    rpc(&engine, "get_roster", json!({"flow_id": flow_id})).await;
    let ctx = LaunchContext::of_flow(engine.tool(), &flow_id)
        .await
        .unwrap();
    service_client::token::remember(
        engine.tool(),
        &ctx,
        "revoked-token",
        Duration::from_secs(600),
    );
    let roster = rpc(&engine, "get_roster", json!({"flow_id": flow_id})).await;
    assert_eq!(roster["members"].as_array().unwrap().len(), 4);
    let statuses: Vec<(String, Value)> = roster["log"]["calls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["step"].as_str().unwrap().to_string(), c["status"].clone()))
        .collect();
    assert_eq!(
        statuses,
        vec![
            ("nrps".to_string(), json!(401)),
            ("token".to_string(), json!(200)),
            ("nrps".to_string(), json!(200)),
        ]
    );
    let f = flow(&engine, &flow_id).await;
    assert_eq!(steps(&f, "token").len(), 2);
    assert_ne!(
        service_client::token::cached(engine.tool(), &ctx).as_deref(),
        Some("revoked-token")
    );
    engine.shutdown();
}

#[tokio::test]
async fn a_missing_scope_names_the_scope_to_request() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(dir.path()).await;
    // The platform no longer grants result.readonly to the demo tool.
    engine
        .store()
        .write(|tx| {
            let mut t = lti_platform_side::emulator::db::demo_tool(tx)?.unwrap();
            t.scopes.retain(|s| s != scope::RESULT_READONLY);
            lti_platform_side::emulator::db::upsert_tool(tx, &t)
        })
        .await
        .unwrap();
    let flow_id = demo_launch(&engine).await;
    let ctx = LaunchContext::of_flow(engine.tool(), &flow_id)
        .await
        .unwrap();
    assert!(!ctx.granted(scope::RESULT_READONLY));
    let err = dispatch(&engine, "get_results", json!({"flow_id": flow_id}))
        .await
        .unwrap_err();
    assert!(err.message.contains(scope::RESULT_READONLY), "{err}");
    let f = flow(&engine, &flow_id).await;
    let found = findings(&f, "service.insufficient_scope");
    assert_eq!(found.len(), 1, "{f:#}");
    assert_eq!(found[0]["outcome"], "fail");
    assert_eq!(found[0]["expected"], scope::RESULT_READONLY);
    // The score scope still works.
    rpc(
        &engine,
        "post_score",
        json!({"flow_id": flow_id, "score_given": 1, "score_maximum": 2}),
    )
    .await;
    engine.shutdown();
}

/// A hostile or sloppy platform on its own origin: it issues access tokens (`/token`, counted
/// in `tokens`), and its service URLs flood (`/big/...`), hang (`/slow/...`), refuse every
/// token (`/unauthorized/...`) or answer loosely (`/sloppy/...`). Every request is counted in
/// `hits`.
struct Peer {
    base: String,
    hits: Arc<AtomicUsize>,
    tokens: Arc<AtomicUsize>,
}

async fn hostile_peer() -> Peer {
    let hits = Arc::new(AtomicUsize::new(0));
    let tokens = Arc::new(AtomicUsize::new(0));
    let t = tokens.clone();
    let app = axum::Router::new()
        .route(
            "/token",
            axum::routing::post(move || {
                t.fetch_add(1, Ordering::SeqCst);
                async {
                    (
                        [("content-type", "application/json")],
                        // The largest expires_in JSON can carry in a u64 (issue 9, item 4): it once
                        // overflowed the token cache's clock inside its lock.
                        r#"{"access_token":"peer-token","token_type":"Bearer","expires_in":18446744073709551615}"#,
                    )
                }
            }),
        )
        .route(
            "/big/{*rest}",
            axum::routing::get(|| async { vec![b'x'; 2 * 1024 * 1024] }),
        )
        .route(
            "/unauthorized/{*rest}",
            axum::routing::get(|| async {
                (
                    axum::http::StatusCode::UNAUTHORIZED,
                    [("www-authenticate", "Bearer error=\"invalid_token\"")],
                    "{\"error\":\"invalid_token\"}",
                )
            }),
        )
        .route(
            "/sloppy/{*rest}",
            axum::routing::get(|| async {
                (
                    [
                        ("content-type", "application/json"),
                        ("link", "</page2>; rel=\"next\""),
                    ],
                    "[{\"userId\": \"demo-learner-1\", \"resultScore\": 3}]",
                )
            }),
        )
        .route(
            "/page2",
            axum::routing::get(|| async {
                (
                    [(
                        "content-type",
                        "application/vnd.ims.lis.v2.resultcontainer+json",
                    )],
                    "[]",
                )
            }),
        )
        .route(
            "/slow/{*rest}",
            axum::routing::get(|| async {
                tokio::time::sleep(Duration::from_secs(30)).await;
                "late"
            }),
        )
        .layer(axum::middleware::from_fn({
            let hits = hits.clone();
            move |req: axum::extract::Request, next: axum::middleware::Next| {
                hits.fetch_add(1, Ordering::SeqCst);
                next.run(req)
            }
        }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Peer {
        base: format!("http://{addr}"),
        hits,
        tokens,
    }
}

/// Registers `peer` as a platform: its token endpoint and `platform_key`'s public JWK.
async fn register_peer(engine: &Engine, peer: &str, platform_key: &SigningKey) {
    rpc(
        engine,
        "save_platform",
        json!({
            "name": "Peer LMS", "issuer": peer, "client_id": "peer-client",
            "deployment_ids": ["peer-dep"], "auth_endpoint": format!("{peer}/auth"),
            "token_endpoint": format!("{peer}/token"),
            "public_key": serde_json::to_string(&platform_key.public_jwk()).unwrap()
        }),
    )
    .await;
}

/// Posts a launch naming the peer's service URLs (header kid of `platform_key`, signed with
/// `signer`) to the tool side. Returns the tool side's flow id. The state is unknown (no login
/// came first): that is a finding of its own, and the signature is checked all the same.
async fn peer_launch(
    engine: &Engine,
    peer: &str,
    platform_key: &SigningKey,
    signer: &SigningKey,
) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let claims = json!({
        "iss": peer, "aud": "peer-client", "sub": "peer-user", "exp": now + 300, "iat": now,
        "nonce": format!("n-{now}-{}", signer.kid()),
        "https://purl.imsglobal.org/spec/lti/claim/message_type": "LtiResourceLinkRequest",
        "https://purl.imsglobal.org/spec/lti/claim/version": "1.3.0",
        "https://purl.imsglobal.org/spec/lti/claim/deployment_id": "peer-dep",
        "https://purl.imsglobal.org/spec/lti/claim/target_link_uri": "http://localhost/lti/launch",
        "https://purl.imsglobal.org/spec/lti/claim/resource_link": {"id": "rl-peer"},
        "https://purl.imsglobal.org/spec/lti/claim/roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"],
        "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": {
            "scope": [scope::LINEITEM, scope::RESULT_READONLY, scope::SCORE],
            "lineitems": format!("{peer}/lineitems")
        },
        "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice": {
            "context_memberships_url": format!("{peer}/memberships"),
            "service_versions": ["2.0"]
        }
    });
    // The platform key's kid in the header, whoever signs: a forger claims the platform's key.
    let mut header = Map::new();
    header.insert("kid".into(), json!(platform_key.kid()));
    let token = sign_rs256(&header, claims.as_object().unwrap(), signer).unwrap();
    let tool = engine.tool_status().base_url.unwrap();
    let res = reqwest::Client::new()
        .post(format!("{tool}/lti/launch"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(
            url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs([
                    ("id_token", token.as_str()),
                    ("state", "no-login-came-first"),
                ])
                .finish(),
        )
        .send()
        .await
        .unwrap();
    landing_flow(&res.text().await.unwrap())
}

/// Issue 9, item 1: a forged launch naming a registered issuer must not make the client send
/// that platform's access token anywhere, and a verified launch's token goes only to origins
/// the platform signed for.
#[tokio::test]
async fn services_need_a_verified_launch_and_stay_on_its_signed_origins() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(dir.path()).await;
    let peer = hostile_peer().await;
    let elsewhere = hostile_peer().await;
    let platform_key = SigningKey::generate().unwrap();
    let forger = SigningKey::generate().unwrap();
    register_peer(&engine, &peer.base, &platform_key).await;

    // Signed with another key: the signature fails, so no service call is attempted.
    let forged = peer_launch(&engine, &peer.base, &platform_key, &forger).await;
    let f = flow(&engine, &forged).await;
    assert!(
        findings(&f, "jwt.signature")
            .iter()
            .any(|x| x["outcome"] == "fail"),
        "the forged launch's signature fails"
    );
    for (name, args) in [
        ("get_roster", json!({"flow_id": forged})),
        ("list_line_items", json!({"flow_id": forged})),
        (
            "get_results",
            json!({"flow_id": forged, "line_item_url": format!("{}/sloppy/x", elsewhere.base)}),
        ),
    ] {
        let err = dispatch(&engine, name, args).await.unwrap_err();
        assert!(err.message.contains("signature verified"), "{name}: {err}");
    }
    assert_eq!(
        peer.tokens.load(Ordering::SeqCst),
        0,
        "no token was requested"
    );
    assert_eq!(peer.hits.load(Ordering::SeqCst), 0);
    assert_eq!(elsewhere.hits.load(Ordering::SeqCst), 0);
    assert!(steps(&flow(&engine, &forged).await, "token").is_empty());

    // Signed by the platform: services run, but only on the origins it signed for.
    let verified = peer_launch(&engine, &peer.base, &platform_key, &platform_key).await;
    let f = flow(&engine, &verified).await;
    assert!(
        findings(&f, "jwt.signature")
            .iter()
            .any(|x| x["outcome"] == "pass"),
        "{:#}",
        findings(&f, "jwt.signature")[0]
    );
    let err = dispatch(
        &engine,
        "get_results",
        json!({"flow_id": verified, "line_item_url": format!("{}/sloppy/x", elsewhere.base)}),
    )
    .await
    .unwrap_err();
    assert!(err.message.contains("not sent there"), "{err}");
    assert_eq!(
        elsewhere.hits.load(Ordering::SeqCst),
        0,
        "nothing went to the other origin"
    );
    assert_eq!(
        peer.tokens.load(Ordering::SeqCst),
        0,
        "refused before a token was requested"
    );
    let refused = findings(&flow(&engine, &verified).await, "service.origin");
    assert!(
        refused
            .iter()
            .any(|x| x["outcome"] == "fail" && x["severity"] == "error"),
        "{refused:#?}"
    );
    // The same call on the signed origin goes through (with a token from the peer).
    let ok = rpc(
        &engine,
        "get_results",
        json!({"flow_id": verified, "line_item_url": format!("{}/sloppy/x", peer.base)}),
    )
    .await;
    assert_eq!(ok["results"].as_array().unwrap().len(), 1);
    assert_eq!(peer.tokens.load(Ordering::SeqCst), 1);
    // The token with an absurd lifetime was cached (capped), not a poisoned lock: reused.
    rpc(
        &engine,
        "get_results",
        json!({"flow_id": verified, "line_item_url": format!("{}/sloppy/y", peer.base)}),
    )
    .await;
    assert_eq!(peer.tokens.load(Ordering::SeqCst), 1);
    engine.shutdown();
}

#[tokio::test]
async fn oversized_and_hanging_answers_are_capped_and_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(dir.path()).await;
    let peer = hostile_peer().await;
    let key = SigningKey::generate().unwrap();
    register_peer(&engine, &peer.base, &key).await;
    let flow_id = peer_launch(&engine, &peer.base, &key, &key).await;
    let peer = peer.base;

    let err = dispatch(
        &engine,
        "get_results",
        json!({"flow_id": flow_id, "line_item_url": format!("{peer}/big/item")}),
    )
    .await
    .unwrap_err();
    assert!(err.message.contains("exceeds"), "{err}");

    let t = std::time::Instant::now();
    let err = dispatch(
        &engine,
        "get_results",
        json!({"flow_id": flow_id, "line_item_url": format!("{peer}/slow/item")}),
    )
    .await
    .unwrap_err();
    assert!(err.message.contains("timed out"), "{err}");
    assert!(t.elapsed() < Duration::from_secs(15));

    // A peer that refuses every token: one re-token, then a clear error.
    let err = dispatch(
        &engine,
        "get_results",
        json!({"flow_id": flow_id, "line_item_url": format!("{peer}/unauthorized/item")}),
    )
    .await
    .unwrap_err();
    assert!(
        err.message.contains("401") && err.message.contains("twice"),
        "{err}"
    );

    // A sloppy platform: plain JSON, a relative next link, results without id and scoreOf.
    let sloppy = rpc(
        &engine,
        "get_results",
        json!({"flow_id": flow_id, "line_item_url": format!("{peer}/sloppy/item")}),
    )
    .await;
    assert_eq!(sloppy["results"].as_array().unwrap().len(), 1);
    let failed: Vec<&str> = sloppy["log"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["outcome"] == "fail")
        .map(|f| f["rule_id"].as_str().unwrap())
        .collect();
    for rule in [
        "service.response_media_type",
        "service.link_header",
        "ags.response.result",
    ] {
        assert!(failed.contains(&rule), "{rule} not in {failed:?}");
    }

    let f = flow(&engine, &flow_id).await;
    let ags: Vec<Value> = steps(&f, "ags")
        .into_iter()
        .filter(|e| e["error"].is_string())
        .collect();
    assert_eq!(ags.len(), 2, "both capped calls recorded: {ags:#?}");
    assert_eq!(steps(&f, "token").len(), 2, "one re-token after the 401");
    assert!(ags.iter().all(|e| e["error"].is_string()), "{ags:#?}");
    let failed = findings(&f, "service.status");
    assert!(failed.iter().filter(|x| x["outcome"] == "fail").count() >= 2);
    engine.shutdown();
}

/// The CLI subcommands, on the same data folder while the engine serves the emulator.
#[tokio::test]
async fn cli_roster_score_results_print_json() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(dir.path()).await;
    let flow_id = demo_launch(&engine).await;
    let data = dir.path().to_path_buf();
    let run = move |args: Vec<String>| {
        let data = data.clone();
        async move {
            let argv: Vec<&str> = args.iter().map(String::as_str).collect();
            let (code, text, stderr) = cli(&data, &argv).await;
            assert_eq!(code, 0, "{args:?}: {stderr}\n{text}");
            serde_json::from_str::<Value>(&text).unwrap()
        }
    };
    let roster = run(vec!["roster".into(), flow_id.clone()]).await;
    assert_eq!(roster["members"].as_array().unwrap().len(), 4);
    let items = run(vec!["lineitems".into(), flow_id.clone()]).await;
    assert!(!items["items"].as_array().unwrap().is_empty());
    let posted = run(vec![
        "score".into(),
        flow_id.clone(),
        "--user".into(),
        "demo-learner-2".into(),
        "--given".into(),
        "8".into(),
        "--maximum".into(),
        "10".into(),
        "--comment".into(),
        "CLI".into(),
    ])
    .await;
    assert!(posted["score"]["timestamp"].as_str().unwrap().contains('.'));
    let results = run(vec![
        "results".into(),
        flow_id.clone(),
        "--user".into(),
        "demo-learner-2".into(),
    ])
    .await;
    assert!(results["results"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["userId"] == "demo-learner-2" && r["comment"] == "CLI"));
    engine.shutdown();
}
