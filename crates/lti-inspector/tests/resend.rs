//! Re-send (issue 11, item 3): a recorded exchange sent again, verbatim or edited, over real
//! HTTP on loopback — into this inspector's own tool side (which judges it: the refusal of a
//! replayed id_token must read as expected) and into a foreign receiver that answers with its
//! own words.

mod common;

use common::*;
use serde_json::{json, Value};

/// A demo launch into the tool side; returns the tool side's recorded id_token post.
async fn launched(engine: &lti_inspector::Engine) -> Value {
    let tool_flow = flow(engine, &demo_launch(engine).await).await;
    tool_flow["exchanges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| {
            e["method"] == "POST"
                && e["direction"] == "inbound"
                && e["url"].as_str().unwrap().ends_with("/lti/launch")
        })
        .cloned()
        .unwrap_or_else(|| panic!("the id_token post in {}", tool_flow["exchanges"]))
}

async fn resend(engine: &lti_inspector::Engine, args: Value) -> Result<Value, String> {
    lti_inspector::commands::dispatch(engine, "resend_exchange", args)
        .await
        .map_err(|e| e.message)
}

#[tokio::test]
async fn a_replayed_id_token_is_refused_by_the_tool_side_and_that_reads_as_expected() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(dir.path()).await;
    let post = launched(&engine).await;
    let id = post["id"].clone();

    // Before sending: the request as it would go (secrets masked) and what to expect.
    let preview = resend(&engine, json!({"exchange_id": id, "preview": true}))
        .await
        .unwrap();
    assert!(preview["outcome"].is_null());
    let req = &preview["request"];
    assert_eq!(req["method"], "POST");
    let cookie = req["headers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["name"].as_str().unwrap().eq_ignore_ascii_case("cookie"))
        .expect("the state cookie goes with it");
    assert!(
        cookie["value"].as_str().unwrap().contains("‹masked"),
        "{cookie}"
    );
    assert!(
        req["dropped"]
            .to_string()
            .to_lowercase()
            .contains("host: set from the url"),
        "{req}"
    );
    let rules: Vec<&str> = preview["expectations"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["rule"].as_str())
        .collect();
    assert!(rules.contains(&"idtoken.nonce_replay"), "{preview}");
    assert!(rules.contains(&"response.state"), "{preview}");

    // Verbatim: the tool side receives it, records it as a flow of its own, and refuses the
    // replayed nonce — expected, and said so.
    let sent = resend(&engine, json!({"exchange_id": id})).await.unwrap();
    let out = &sent["outcome"];
    assert!(out["status"].as_u64().is_some(), "{sent}");
    let receiver = out["receiver_flow"]
        .as_str()
        .expect("the tool side received it");
    let said = out["explanations"].to_string();
    assert!(
        said.contains("Expected for a re-send — idtoken.nonce_replay"),
        "{said}"
    );
    assert!(
        failed_rules(&flow(&engine, receiver).await).contains(&"idtoken.nonce_replay".to_string())
    );
    // Filed apart: the recorded launch is as it was.
    let original = post["flow_id"].as_str().unwrap();
    assert_ne!(receiver, original);
    let recorded = flow(&engine, original).await;
    assert_eq!(recorded["flow"]["verdict"], "valid");
    assert_eq!(messages(&recorded, "id_token").len(), 1);
    // The re-send is a flow of its own, linked to what the receiver recorded.
    let own = flow(&engine, out["flow_id"].as_str().unwrap()).await;
    assert_eq!(own["flow"]["verdict"], "resent");
    assert_eq!(own["flow"]["kind"], "resend");
    assert_eq!(own["exchanges"].as_array().unwrap().len(), 1);
    assert_eq!(own["related"][0]["id"], receiver);
    assert!(own["flow"]["summary"]["explanations"]
        .to_string()
        .contains("nonce_replay"));
    // The cookie went as recorded (unmasked), but the tool side keeps a state for one login.
    assert!(
        said.contains("Expected for a re-send — response.state"),
        "{said}"
    );
    assert!(!said.contains("Not caused by re-sending"), "{said}");

    // Edited: another body. What fails now is not the re-send's doing.
    let edited = resend(
        &engine,
        json!({"exchange_id": id, "body": "id_token=not-a-token&state=x"}),
    )
    .await
    .unwrap();
    let said = edited["outcome"]["explanations"].to_string();
    assert!(
        said.contains("Expected from the edit — jwt.format"),
        "{said}"
    );
    assert!(edited["expectations"].to_string().contains("jwt.format"));

    // Refused before sending: a masked value that is not the recorded one, a non-HTTP URL.
    let bad = resend(
        &engine,
        json!({"exchange_id": id, "headers": [{"name": "Cookie", "value": "a=‹masked, 40 chars, …abcd›"}]}),
    )
    .await
    .unwrap_err();
    assert!(bad.contains("masked value"), "{bad}");
    let bad = resend(
        &engine,
        json!({"exchange_id": id, "url": "file:///etc/passwd"}),
    )
    .await
    .unwrap_err();
    assert!(bad.contains("not an http(s) URL"), "{bad}");
    let bad = resend(
        &engine,
        json!({"exchange_id": id, "method": "NOT A METHOD"}),
    )
    .await
    .unwrap_err();
    assert!(bad.contains("is not an HTTP method"), "{bad}");
    let bad = resend(
        &engine,
        json!({"exchange_id": id, "headers": [{"name": "bad name", "value": "x"}]}),
    )
    .await
    .unwrap_err();
    assert!(bad.contains("is not a header name"), "{bad}");
    let missing = resend(&engine, json!({"exchange_id": 999_999}))
        .await
        .unwrap_err();
    assert!(missing.contains("not found"), "{missing}");
}

#[tokio::test]
async fn a_foreign_receiver_answer_is_read_against_the_expectations() {
    use axum::routing::post;
    let dir = tempfile::tempdir().unwrap();
    let engine = start(dir.path()).await;
    let post_ex = launched(&engine).await;

    // Someone else's tool: it refuses a nonce it has seen, in its own words.
    let app = axum::Router::new().route(
        "/launch",
        post(|body: String| async move {
            assert!(body.contains("id_token="));
            (
                axum::http::StatusCode::FORBIDDEN,
                "Invalid launch: nonce has already been used",
            )
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let sent = resend(
        &engine,
        json!({"exchange_id": post_ex["id"], "url": format!("http://{addr}/launch")}),
    )
    .await
    .unwrap();
    let out = &sent["outcome"];
    assert_eq!(out["status"], 403);
    assert!(out["receiver_flow"].is_null());
    let said = out["explanations"].to_string();
    assert!(
        said.contains("Answered 403, mentioning \\\"nonce\\\": expected"),
        "{said}"
    );
    // The exchange is recorded with the answer, in the re-send's flow.
    let ex = rpc(&engine, "get_exchange", json!({"id": out["exchange_id"]})).await;
    assert_eq!(ex["summary"]["status"], 403);
    assert!(ex["response_body"]
        .as_str()
        .unwrap()
        .contains("already been used"));
    assert_eq!(ex["summary"]["flow_id"], out["flow_id"]);
}
