//! LTI Dynamic Registration between the two sides over real HTTP on loopback: the emulator
//! opens the tool side's registration URL, the tool side checks the configuration, registers
//! with one click, keeps the platform, and a launch through the new registration is valid at
//! once. Each emulator negative switch ends as the named finding on the side that sees it.

mod common;

use common::{flow, rpc, start};
use lti_platform_side::emulator::walk::Walker;
use serde_json::json;

fn hidden(page: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let i = page.find(&marker)? + marker.len();
    page[i..].split('"').next().map(str::to_string)
}

#[tokio::test]
async fn the_tool_side_registers_with_the_emulator_and_launches_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(dir.path()).await;
    let tool_base = engine.tool_status().base_url.unwrap();
    let started = rpc(
        &engine,
        "dr_start",
        json!({"registration_url": format!("{tool_base}/lti/register")}),
    )
    .await;
    // The emulator's window frames the tool's registration page, as an LMS does.
    let host = reqwest::get(started["url"].as_str().unwrap())
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let tool_url = started["tool_url"].as_str().unwrap();
    assert!(
        host.contains(&format!("src=\"{}\"", tool_url.replace('&', "&amp;"))),
        "{host}"
    );
    let mut walker = Walker::new();
    let page = walker.open(tool_url).await.unwrap();
    assert!(
        page.body
            .contains("Register LTI Inspector with this platform"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("lti-inspector"),
        "the platform's product is shown"
    );
    let fields = vec![
        ("id".to_string(), hidden(&page.body, "id").unwrap()),
        ("secret".to_string(), hidden(&page.body, "secret").unwrap()),
    ];
    // A forged form (wrong secret) is refused and spends nothing.
    let forged = walker
        .submit(
            &format!("{tool_base}/lti/register"),
            vec![fields[0].clone(), ("secret".into(), "x".into())],
        )
        .await
        .unwrap();
    assert_eq!(forged.status, 403);
    let done = walker
        .submit(&format!("{tool_base}/lti/register"), fields.clone())
        .await
        .unwrap();
    assert!(
        done.body.contains("data-testid=\"dr-registered\""),
        "{}",
        done.body
    );
    assert!(done.body.contains("org.imsglobal.lti.close"));
    // The same form twice: refused (single use).
    assert_eq!(
        walker
            .submit(&format!("{tool_base}/lti/register"), fields)
            .await
            .unwrap()
            .status,
        403
    );

    let platforms = rpc(&engine, "list_platforms", json!({})).await;
    let p = platforms
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"].as_str().unwrap().contains("Dynamic Registration"))
        .expect("the platform was kept");
    let tools = rpc(&engine, "list_emulator_tools", json!({})).await;
    let t = tools
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["client_id"] == p["client_id"])
        .expect("the emulator created the tool");
    assert_eq!(p["deployment_ids"][0], t["deployment_ids"][0]);
    assert!(t["login_url"].as_str().unwrap().ends_with("/lti/login"));
    // The close message reached the host page, which records it as the flow's last step.
    let closed_url = started["url"]
        .as_str()
        .unwrap()
        .replace("/dr/host/", "/dr/closed/");
    let closed = reqwest::get(&closed_url)
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(closed.contains("The tool registered"), "{closed}");
    // Both sides' flows are clean.
    let emulator_flow = flow(&engine, started["flow_id"].as_str().unwrap()).await;
    let steps: Vec<&str> = emulator_flow["exchanges"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["step"].as_str())
        .collect();
    for step in ["dr_host", "dr_configuration", "dr_register", "dr_close"] {
        assert!(steps.contains(&step), "{step} in {steps:?}");
    }
    assert_eq!(common::failed_rules(&emulator_flow), Vec::<String>::new());
    assert_eq!(emulator_flow["flow"]["verdict"], "valid");

    // Usable at once: place it in a course, launch, valid on the tool side.
    rpc(
        &engine,
        "save_resource_link",
        json!({"course_id": "demo-course", "tool_id": t["id"], "title": "Registered by DR"}),
    )
    .await;
    let l = rpc(
        &engine,
        "launch_url",
        json!({"tool_id": t["id"], "user_id": "demo-learner-1"}),
    )
    .await;
    let walk = Walker::new()
        .open(l["url"].as_str().unwrap())
        .await
        .unwrap();
    assert!(walk.body.contains("Valid launch"), "{}", walk.body);
}

#[tokio::test]
async fn each_registration_negative_is_seen_where_it_breaks() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(dir.path()).await;
    let tool_base = engine.tool_status().base_url.unwrap();
    let negatives = rpc(&engine, "list_dr_negative_tests", json!({})).await;
    for n in negatives.as_array().unwrap() {
        let (id, rule) = (n["id"].as_str().unwrap(), n["rule_id"].as_str().unwrap());
        let started = rpc(
            &engine,
            "dr_start",
            json!({"registration_url": format!("{tool_base}/lti/register"), "negative": id}),
        )
        .await;
        let mut walker = Walker::new();
        let page = walker
            .open(started["tool_url"].as_str().unwrap())
            .await
            .unwrap();
        if rule.starts_with("dr.config.") {
            // The tool side refuses the configuration before registering.
            assert!(
                page.body.contains("data-testid=\"dr-refused\""),
                "{id}: {}",
                page.body
            );
            assert!(
                page.body
                    .contains(&format!("data-rule=\"{rule}\"><span class=\"sev error\">")),
                "{id}: {}",
                page.body
            );
        } else {
            let fields = vec![
                ("id".to_string(), hidden(&page.body, "id").unwrap()),
                ("secret".to_string(), hidden(&page.body, "secret").unwrap()),
            ];
            let done = walker
                .submit(&format!("{tool_base}/lti/register"), fields)
                .await
                .unwrap();
            assert!(
                done.body.contains("data-testid=\"dr-failed\""),
                "{id}: {}",
                done.body
            );
            assert!(done.body.contains("HTTP 401"), "{id}: {}", done.body);
            let emulator_flow = flow(&engine, started["flow_id"].as_str().unwrap()).await;
            assert!(
                common::failed_rules(&emulator_flow).contains(&rule.to_string()),
                "{id}: {:?}",
                common::failed_rules(&emulator_flow)
            );
        }
    }
    // No half-registrations were kept.
    let platforms = rpc(&engine, "list_platforms", json!({})).await;
    assert!(
        platforms
            .as_array()
            .unwrap()
            .iter()
            .all(|p| !p["name"].as_str().unwrap().contains("Dynamic Registration")),
        "{platforms}"
    );
}

#[tokio::test]
async fn a_registration_page_without_a_configuration_says_what_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(dir.path()).await;
    let tool_base = engine.tool_status().base_url.unwrap();
    let res = reqwest::get(format!("{tool_base}/lti/register"))
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Dynamic Registration URL"));
    // A configuration URL that answers garbage: a finding, no registration offered.
    let res = reqwest::get(format!(
        "{tool_base}/lti/register?openid_configuration={tool_base}/.well-known/jwks.json"
    ))
    .await
    .unwrap();
    let page = res.text().await.unwrap();
    assert!(page.contains("data-testid=\"dr-refused\""), "{page}");
}

/// Hostile configuration URLs: one that never answers, one that answers 5 MB, one that
/// redirects to another host whose configuration names itself. Each ends as a finding on the
/// registration page, with no way to register; none hangs the tool side.
#[tokio::test]
async fn hostile_configuration_urls_are_findings() {
    use axum::routing::get;
    let dir = tempfile::tempdir().unwrap();
    let engine = start(dir.path()).await;
    let tool_base = engine.tool_status().base_url.unwrap();

    // A socket that accepts and never answers.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let silent_port = silent.local_addr().unwrap().port();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = silent.accept().await {
            held.push(s);
        }
    });
    // A server answering 5 MB, and one that redirects to another host (localhost vs 127.0.0.1).
    let peer = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = peer.local_addr().unwrap().port();
    let app = axum::Router::new()
        .route("/huge", get(|| async { "x".repeat(5 << 20) }))
        .route(
            "/moved",
            get(move || async move {
                axum::response::Redirect::temporary(&format!("http://localhost:{port}/elsewhere"))
            }),
        )
        .route(
            "/elsewhere",
            get(move || async move {
                let base = format!("http://localhost:{port}");
                axum::Json(json!({"issuer": base, "authorization_endpoint": format!("{base}/a"), "token_endpoint": format!("{base}/t"),
                    "jwks_uri": format!("{base}/j"), "registration_endpoint": format!("{base}/r")}))
            }),
        );
    tokio::spawn(async move { axum::serve(peer, app).await.unwrap() });

    for (config, expect) in [
        (format!("http://127.0.0.1:{silent_port}/"), "timed out"),
        (format!("http://127.0.0.1:{port}/huge"), "limit"),
        (format!("http://127.0.0.1:{port}/moved"), "dr.config.issuer"),
    ] {
        let started = std::time::Instant::now();
        let url = format!(
            "{tool_base}/lti/register?openid_configuration={}",
            url::form_urlencoded::byte_serialize(config.as_bytes()).collect::<String>()
        );
        let page = reqwest::get(&url).await.unwrap().text().await.unwrap();
        assert!(
            page.contains("data-testid=\"dr-refused\""),
            "{config}: {page}"
        );
        assert!(page.contains(expect), "{config}: {expect} in {page}");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(15),
            "{config} took {:?}",
            started.elapsed()
        );
    }
}
