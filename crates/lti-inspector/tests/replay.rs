//! Re-mint (issue 11, item 3): a customer's launch, imported from a pasted claims object (their
//! LMS, their user, roles, custom parameters and a vendor claim), replayed through the emulator
//! into the demo tool — the inspector's own tool side, a real tool over loopback — which
//! verifies it; the person and context are the customer's, the identity the emulator's.

mod common;

use common::*;
use lti_platform_side::emulator::walk::Walker;
use serde_json::{json, Value};

fn customer() -> Value {
    json!({
        "iss": "https://customer.instructure.com", "aud": "10000000000042", "sub": "cust-42",
        "name": "Customer Student", "iat": 1_700_000_000, "exp": 1_700_000_300, "nonce": "old",
        "https://purl.imsglobal.org/spec/lti/claim/message_type": "LtiResourceLinkRequest",
        "https://purl.imsglobal.org/spec/lti/claim/version": "1.3.0",
        "https://purl.imsglobal.org/spec/lti/claim/deployment_id": "17:abc",
        "https://purl.imsglobal.org/spec/lti/claim/roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
        "https://purl.imsglobal.org/spec/lti/claim/context": {"id": "cust-course-9", "title": "Customer Course"},
        "https://purl.imsglobal.org/spec/lti/claim/resource_link": {"id": "cust-rl-1"},
        "https://purl.imsglobal.org/spec/lti/claim/custom": {"canvas_user_login_id": "cstudent"},
        "https://www.instructure.com/placement": "course_navigation"
    })
}

#[tokio::test]
async fn a_customer_launch_replayed_into_a_local_tool_is_verified_with_its_claims() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(dir.path()).await;
    let imported = rpc(
        &engine,
        "import",
        json!({"name": "ticket-123.json", "text": customer().to_string()}),
    )
    .await;
    let flow_id = imported["flows"][0]["id"].as_str().unwrap().to_string();

    let preview = rpc(
        &engine,
        "remint",
        json!({"flow_id": flow_id, "tool_id": lti_inspector::demo::TOOL_ID, "preview": true}),
    )
    .await;
    assert!(preview["launch"].is_null());
    let rewritten: Vec<&str> = preview["rewrites"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["claim"].as_str().unwrap())
        .collect();
    for c in [
        "iss",
        "aud",
        "nonce",
        "https://purl.imsglobal.org/spec/lti/claim/deployment_id",
    ] {
        assert!(rewritten.contains(&c), "{c} not in {rewritten:?}");
    }

    let out = rpc(
        &engine,
        "remint",
        json!({"flow_id": flow_id, "tool_id": lti_inspector::demo::TOOL_ID}),
    )
    .await;
    let walk = Walker::new()
        .open(out["launch"]["url"].as_str().unwrap())
        .await
        .unwrap();
    assert!(walk.body.contains("Valid launch"), "{}", walk.body);
    let tool_flow = flow(&engine, &landing_flow(&walk.body)).await;
    let p = &messages(&tool_flow, "id_token")[0]["decoded"]["payload"];
    assert_eq!(p["sub"], "cust-42");
    assert_eq!(p["name"], "Customer Student");
    assert_eq!(
        p["https://purl.imsglobal.org/spec/lti/claim/context"]["id"],
        "cust-course-9"
    );
    assert_eq!(
        p["https://purl.imsglobal.org/spec/lti/claim/custom"]["canvas_user_login_id"],
        "cstudent"
    );
    assert_eq!(
        p["https://www.instructure.com/placement"],
        "course_navigation"
    );
    assert_eq!(p["aud"], lti_inspector::demo::CLIENT_ID);
    assert_ne!(p["iss"], "https://customer.instructure.com");
    assert_ne!(p["nonce"], "old");

    // Edited before sending: the tool sees the edit.
    let mut edited = customer();
    edited["https://purl.imsglobal.org/spec/lti/claim/roles"] =
        json!(["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"]);
    let out = rpc(
        &engine,
        "remint",
        json!({"flow_id": flow_id, "tool_id": lti_inspector::demo::TOOL_ID, "claims": edited}),
    )
    .await;
    let walk = Walker::new()
        .open(out["launch"]["url"].as_str().unwrap())
        .await
        .unwrap();
    let tool_flow = flow(&engine, &landing_flow(&walk.body)).await;
    let p = &messages(&tool_flow, "id_token")[0]["decoded"]["payload"];
    assert_eq!(
        p["https://purl.imsglobal.org/spec/lti/claim/roles"][0],
        "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
    );
    assert!(lti_inspector::commands::dispatch(
        &engine,
        "remint",
        json!({"flow_id": flow_id, "tool_id": "nope"})
    )
    .await
    .is_err());
}
