//! Compare (issue 11, item 6) on real launches: the emulator launches the demo tool into the
//! tool side as the instructor and as a learner; the comparison names the roles and the user as
//! what differs, keeps iat/nonce apart, and "the previous launch of this user" finds the
//! instructor's earlier launch.

mod common;

use common::*;
use lti_inspector::engine::Engine;
use lti_platform_side::emulator::walk::Walker;
use serde_json::{json, Value};

async fn launch_as(engine: &Engine, user: &str) -> String {
    let l = rpc(
        engine,
        "launch_url",
        json!({"tool_id": lti_inspector::demo::TOOL_ID, "user_id": user, "resource_link_id": lti_inspector::demo::LINK_ID}),
    )
    .await;
    let walk = Walker::new()
        .open(l["url"].as_str().unwrap())
        .await
        .unwrap();
    assert!(walk.body.contains("Valid launch"), "{}", walk.body);
    landing_flow(&walk.body)
}

fn paths(c: &Value, volatile: bool) -> Vec<String> {
    c["claims"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["volatile"] == volatile)
        .map(|d| d["path"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn teacher_and_student_differ_in_roles_and_person_not_in_times() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(dir.path()).await;
    let teacher = launch_as(&engine, lti_inspector::demo::INSTRUCTOR).await;
    let student = launch_as(&engine, lti_inspector::demo::LEARNERS[0]).await;
    let c = rpc(
        &engine,
        "compare_flows",
        json!({"a": teacher, "b": student}),
    )
    .await;
    let real = paths(&c, false);
    assert!(
        real.contains(&"https://purl.imsglobal.org/spec/lti/claim/roles".to_string()),
        "{real:?}"
    );
    assert!(
        real.contains(&"sub".to_string()) && real.contains(&"name".to_string()),
        "{real:?}"
    );
    assert!(!real.iter().any(|p| p == "iat" || p == "nonce"), "{real:?}");
    let vol = paths(&c, true);
    assert!(vol.contains(&"nonce".to_string()), "{vol:?}");
    let roles = c["claims"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["path"] == "https://purl.imsglobal.org/spec/lti/claim/roles")
        .unwrap();
    assert!(
        roles["name"].as_str().is_some(),
        "named from the dictionary: {roles}"
    );
    assert_eq!(roles["change"], "changed");
    // Both valid: no finding differs in outcome. The HTTP steps differ only in volatile values.
    assert!(
        c["findings"].as_array().unwrap().is_empty(),
        "{}",
        c["findings"]
    );
    for s in c["steps"].as_array().unwrap() {
        for d in s["differences"].as_array().unwrap() {
            assert!(d["volatile"] == true || d["kind"] != "cookie", "{d}");
        }
    }

    // The previous launch of this user.
    let again = launch_as(&engine, lti_inspector::demo::INSTRUCTOR).await;
    let c = rpc(
        &engine,
        "compare_flows",
        json!({"a": again, "with": "previous_user"}),
    )
    .await;
    assert_eq!(c["b"]["id"], teacher.as_str());
    // The same user and link: only per-launch URLs differ (the emulator's return URL names its launch).
    let real = paths(&c, false);
    assert!(
        real.iter().all(|p| p.contains("launch_presentation")),
        "{real:?}"
    );
    let err = lti_inspector::commands::dispatch(
        &engine,
        "compare_flows",
        json!({"a": teacher, "with": "previous_user"}),
    )
    .await
    .unwrap_err();
    assert!(err.message.contains("no earlier launch"), "{err:?}");
}
