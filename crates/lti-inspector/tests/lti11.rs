//! LTI 1.1 launches into the tool side over real HTTP on loopback: a registered consumer's
//! signed launch is valid; a replay, a wrong secret, a URL signed behind a proxy, an unknown
//! consumer and hostile or broken bodies each end as a clear finding, recorded, never a crash.
//! The shared secret stays out of the database.

mod common;

use common::{flow, rpc, start};
use lti_protocol::lti11::oauth1::{Method, Signer};
use serde_json::{json, Value};

const SECRET: &str = "s3cret-never-in-the-db-9c1f";

fn signed(
    url: &str,
    key: &str,
    secret: &str,
    extra: &[(&str, &str)],
    nonce: &str,
) -> Vec<(String, String)> {
    let mut params: Vec<(String, String)> = [
        ("lti_message_type", "basic-lti-launch-request"),
        ("lti_version", "LTI-1p0"),
        ("resource_link_id", "rl-42"),
        ("user_id", "u-7"),
        ("roles", "Learner"),
        ("lis_person_name_full", "Ada <b>Lovelace</b>"),
        ("context_title", "Analytical Engines"),
        (
            "launch_presentation_return_url",
            "https://lms.example/return",
        ),
    ]
    .iter()
    .chain(extra.iter())
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    params.dedup_by(|a, b| a.0 == b.0);
    Signer {
        method: Method::HmacSha1,
        key,
        secret,
    }
    .sign_params("POST", url, &params, nonce, lti_core::clock::now_secs())
    .unwrap()
}

async fn post(url: &str, body: &[(String, String)], headers: &[(&str, &str)]) -> (u16, String) {
    let mut req = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded");
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(body)
        .finish();
    let res = req.body(body).send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

async fn lti11_flows(engine: &lti_inspector::Engine) -> Vec<Value> {
    let flows = rpc(engine, "list_flows", json!({})).await;
    let mut out = Vec::new();
    for f in flows
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "lti11_launch")
    {
        out.push(flow(engine, f["id"].as_str().unwrap()).await);
    }
    out
}

fn finding(flow: &Value, rule: &str) -> Value {
    common::findings(flow, rule)
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no {rule} finding"))
}

#[tokio::test]
async fn signed_launches_verify_and_failures_explain_themselves() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(dir.path()).await;
    let base = engine.tool_status().base_url.unwrap();
    let url = format!("{base}/lti11/launch");
    let saved = rpc(
        &engine,
        "save_lti11_consumer",
        json!({"consumer_key": "moodle-key", "name": "Moodle 4.3", "secret": SECRET}),
    )
    .await;
    assert_eq!(saved["has_secret"], true);

    // A good launch: valid, landing page escaped.
    let body = signed(&url, "moodle-key", SECRET, &[], "n-1");
    let (status, page) = post(&url, &body, &[]).await;
    assert_eq!(status, 200);
    assert!(page.contains("Valid launch"), "{page}");
    assert!(
        page.contains("Ada &lt;b&gt;Lovelace&lt;/b&gt;"),
        "claims escaped"
    );
    assert!(!page.contains("<b>Lovelace"));

    // The same form again: a replay.
    let (_, page) = post(&url, &body, &[]).await;
    assert!(page.contains("Invalid launch"), "{page}");
    assert!(page.contains("lti11.nonce"));
    assert!(
        page.contains("data-testid=\"return-to-lms\""),
        "a way back with lti_errormsg"
    );

    // Signed with another secret: the signature fails and says the secret is the likely cause.
    let (_, page) = post(&url, &signed(&url, "moodle-key", "not-it", &[], "n-2"), &[]).await;
    assert!(page.contains("Most likely the secret"), "{page}");

    // Signed for the public https URL a proxy serves; it arrives over http.
    let public = "https://tools.school.example/lti11/launch";
    let (_, page) = post(
        &url,
        &signed(public, "moodle-key", SECRET, &[], "n-3"),
        &[
            ("x-forwarded-proto", "https"),
            ("x-forwarded-host", "tools.school.example"),
        ],
    )
    .await;
    assert!(
        page.contains("signed the URL https://tools.school.example/lti11/launch"),
        "{page}"
    );

    // An unknown consumer: unverified, not invalid.
    let (_, page) = post(
        &url,
        &signed(&url, "canvas-key", "whatever", &[], "n-4"),
        &[],
    )
    .await;
    assert!(page.contains("Unverified launch"), "{page}");

    // Broken bodies: recorded, answered, no crash.
    let raw = |b: Vec<u8>| {
        let url = url.clone();
        async move {
            reqwest::Client::new()
                .post(&url)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(b)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(
        raw(b"oauth_consumer_key=moodle-key&user_id=%FF%FE&roles=\xff\xfe".to_vec()).await,
        200
    );
    assert_eq!(
        raw(b"%%%&&==&oauth_timestamp=99999999999999999999999".to_vec()).await,
        200
    );

    let flows = lti11_flows(&engine).await;
    assert_eq!(flows.len(), 7, "every launch is a flow");
    let verdicts: Vec<&str> = flows
        .iter()
        .map(|f| f["flow"]["verdict"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        verdicts.iter().filter(|v| **v == "valid").count(),
        1,
        "{verdicts:?}"
    );
    assert_eq!(
        verdicts.iter().filter(|v| **v == "unverified").count(),
        1,
        "{verdicts:?}"
    );
    // The valid one shows its base string; the stored flow names the consumer.
    let valid = flows
        .iter()
        .find(|f| f["flow"]["verdict"] == "valid")
        .unwrap();
    let base_string = finding(valid, "lti11.base_string")["actual"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        base_string.starts_with(&format!(
            "POST&{}&",
            lti_protocol::lti11::oauth1::encode(&url)
        )),
        "{base_string}"
    );
    assert_eq!(valid["flow"]["summary"]["platform"], "Moodle 4.3");
    assert_eq!(valid["flow"]["summary"]["user"], "Ada <b>Lovelace</b>");

    // The secret is in the key store, not in the database.
    engine.shutdown();
    drop(engine);
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            continue; // the file key store of tests (the OS keychain in the app)
        }
        if path.is_file() {
            let bytes = std::fs::read(&path).unwrap();
            assert!(
                !bytes.windows(SECRET.len()).any(|w| w == SECRET.as_bytes()),
                "the secret is in {}",
                path.display()
            );
        }
    }
}

#[tokio::test]
async fn consumers_are_checked_listed_and_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(dir.path()).await;
    let err = lti_inspector::commands::dispatch(
        &engine,
        "save_lti11_consumer",
        json!({"consumer_key": " ", "secret": "x"}),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("consumer key: required"), "{err}");
    let long = "k".repeat(256);
    let err = lti_inspector::commands::dispatch(
        &engine,
        "save_lti11_consumer",
        json!({"consumer_key": long}),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("at most 255"), "{err}");
    rpc(
        &engine,
        "save_lti11_consumer",
        json!({"consumer_key": "k1", "secret": "a"}),
    )
    .await;
    // Saving again without a secret keeps the stored one.
    let again = rpc(
        &engine,
        "save_lti11_consumer",
        json!({"consumer_key": "k1", "name": "Renamed"}),
    )
    .await;
    assert_eq!(again["has_secret"], true);
    assert_eq!(again["name"], "Renamed");
    let list = rpc(&engine, "list_lti11_consumers", json!({})).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert!(
        !list.to_string().contains("\"a\""),
        "no secret in the list: {list}"
    );
    rpc(
        &engine,
        "delete_lti11_consumer",
        json!({"consumer_key": "k1"}),
    )
    .await;
    assert_eq!(
        rpc(&engine, "list_lti11_consumers", json!({})).await,
        json!([])
    );
}

/// The emulator as a 1.1 consumer launching into the tool side: a valid launch with the imitated
/// LMS's extension parameters, then every negative switch failing exactly its rule on both
/// sides; a launch page opens once.
#[tokio::test]
async fn the_emulator_launches_a_11_tool_and_each_negative_breaks_its_rule() {
    use lti_platform_side::emulator::walk::Walker;
    let dir = tempfile::tempdir().unwrap();
    let engine = start(dir.path()).await;
    let base = engine.tool_status().base_url.unwrap();
    rpc(
        &engine,
        "save_lti11_consumer",
        json!({"consumer_key": "emu-key", "name": "The emulator", "secret": SECRET}),
    )
    .await;
    let tool = rpc(&engine, "save_emulator_lti11_tool", json!({
        "name": "Inspector 1.1 tool", "launch_url": format!("{base}/lti11/launch"),
        "consumer_key": "emu-key", "secret": SECRET, "lms": "canvas", "custom": {"Chapter Name": "Week 1"}
    }))
    .await;
    assert_eq!(tool["has_secret"], true);
    let tool_id = tool["id"].as_str().unwrap().to_string();
    let launch = |negative: Option<&str>| {
        let engine = engine.clone();
        let tool_id = tool_id.clone();
        let negative = negative.map(str::to_string);
        async move {
            let l = rpc(&engine, "lti11_launch_url", json!({"tool_id": tool_id, "user_id": "demo-learner-1", "course_id": "demo-course", "negative": negative})).await;
            let walk = Walker::new()
                .open(l["url"].as_str().unwrap())
                .await
                .unwrap();
            (l, walk)
        }
    };

    let (l, walk) = launch(None).await;
    assert!(walk.body.contains("Valid launch"), "{}", walk.body);
    let tool_flow = flow(&engine, &common::landing_flow(&walk.body)).await;
    let params: Vec<String> = tool_flow["messages"][0]["message"]["params"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            format!(
                "{}={}",
                p["name"].as_str().unwrap(),
                p["value"].as_str().unwrap()
            )
        })
        .collect();
    for expected in [
        "tool_consumer_info_product_family_code=canvas",
        "custom_chapter_name=Week 1",
        "roles=urn:lti:role:ims/lis/Learner",
    ] {
        assert!(
            params.iter().any(|p| p.starts_with(expected)),
            "{expected} in {params:?}"
        );
    }
    assert!(
        params
            .iter()
            .any(|p| p.starts_with("lis_result_sourcedid=")),
        "a learner gets an outcome sourcedid"
    );
    let emulator_flow = flow(&engine, l["flow_id"].as_str().unwrap()).await;
    assert_eq!(emulator_flow["flow"]["verdict"], "valid");

    // Basic Outcomes from the tool side's flow of that launch into the emulator's gradebook.
    let tool_flow_id = tool_flow["flow"]["id"].as_str().unwrap().to_string();
    let outcome = |op: &str, score: Option<f64>| {
        let engine = engine.clone();
        let args = json!({"flow_id": tool_flow_id, "operation": op, "score": score});
        async move { rpc(&engine, "lti11_outcome", args).await }
    };
    let replaced = outcome("replace", Some(0.8)).await;
    assert_eq!(replaced["code_major"], "success", "{replaced}");
    assert_eq!(replaced["verdict"], "valid", "{replaced}");
    let read = outcome("read", None).await;
    assert_eq!(read["score"], "0.8", "{read}");
    let book = rpc(
        &engine,
        "get_gradebook",
        json!({"course_id": "demo-course"}),
    )
    .await;
    let grade = &book["lti11"][0];
    assert_eq!(
        (grade["user_id"].as_str(), grade["score"].as_f64()),
        (Some("demo-learner-1"), Some(0.8)),
        "{book}"
    );
    let too_high = outcome("replace", Some(1.5)).await;
    assert_eq!(too_high["code_major"], "failure", "{too_high}");
    assert!(
        too_high["description"]
            .as_str()
            .unwrap()
            .contains("lti11.outcome.score"),
        "{too_high}"
    );
    assert_eq!(outcome("delete", None).await["code_major"], "success");
    assert_eq!(
        outcome("read", None).await["score"],
        "",
        "no grade after delete"
    );
    // The calls are exchanges and messages of the launch's flow.
    let after = flow(&engine, &tool_flow_id).await;
    assert_eq!(common::messages(&after, "lti11_outcome_response").len(), 5);
    assert_eq!(common::steps(&after, "lti11_outcomes").len(), 5);

    // A launch page posts once.
    let again = reqwest::get(l["url"].as_str().unwrap()).await.unwrap();
    assert_eq!(again.status(), 410);

    let negatives = rpc(&engine, "list_lti11_negative_tests", json!({})).await;
    for n in negatives.as_array().unwrap() {
        let (id, rule) = (n["id"].as_str().unwrap(), n["rule_id"].as_str().unwrap());
        let (l, walk) = launch(Some(id)).await;
        assert!(walk.body.contains("Invalid launch"), "{id}: {}", walk.body);
        let tool_flow = flow(&engine, &common::landing_flow(&walk.body)).await;
        let failed = common::failed(&tool_flow["messages"][0]);
        assert_eq!(failed, vec![rule.to_string()], "{id} on the tool side");
        let emulator_flow = flow(&engine, l["flow_id"].as_str().unwrap()).await;
        assert_eq!(
            common::failed(&emulator_flow["messages"][0]),
            vec![rule.to_string()],
            "{id} as the emulator judged it"
        );
        // No grade is ever sent from a launch that did not verify.
        let refused = lti_inspector::commands::dispatch(
            &engine,
            "lti11_outcome",
            json!({"flow_id": tool_flow["flow"]["id"], "operation": "read"}),
        )
        .await;
        assert!(
            refused
                .unwrap_err()
                .to_string()
                .contains("only from a launch whose signature verified"),
            "{id}"
        );
        assert!(emulator_flow["flow"]["summary"]["negative_test"]
            .as_str()
            .unwrap()
            .ends_with(&format!("({rule})")));
    }

    // Migration: a 1.3 launch carrying this 1.1 tool's lti1p1 claim; the tool side verifies
    // oauth_consumer_key_sign with the registered 1.1 secret, and fails it with another.
    let migrate = || async {
        let l = rpc(
            &engine,
            "launch_url",
            json!({"tool_id": "demo-tool", "user_id": "demo-learner-1", "lti11_tool_id": tool_id}),
        )
        .await;
        let walk = Walker::new()
            .open(l["url"].as_str().unwrap())
            .await
            .unwrap();
        let f = flow(&engine, &common::landing_flow(&walk.body)).await;
        let found = common::findings(&f, "lti.lti1p1");
        assert_eq!(found.len(), 1, "{found:?}");
        (
            found[0].clone(),
            flow(&engine, l["flow_id"].as_str().unwrap()).await,
        )
    };
    let (finding, emulator_flow) = migrate().await;
    assert_eq!(finding["outcome"], "pass", "{finding}");
    assert_eq!(
        common::findings(&emulator_flow, "lti.lti1p1")[0]["outcome"],
        "pass",
        "the emulator checks what it signed"
    );
    rpc(
        &engine,
        "save_lti11_consumer",
        json!({"consumer_key": "emu-key", "secret": "another-secret"}),
    )
    .await;
    let (finding, _) = migrate().await;
    assert_eq!(finding["outcome"], "fail", "{finding}");
    assert!(finding["message"]
        .as_str()
        .unwrap()
        .contains("does not verify"));
}

/// Bad outcomes bodies at the emulator: a signed body with a DOCTYPE and an external entity is
/// answered failure without reading any DTD; a 2 MB body is refused (413) and recorded; an
/// unsigned one is 401; a signed request sent twice is refused the second time (its nonce was
/// used). The gradebook is untouched.
#[tokio::test]
async fn hostile_outcomes_bodies_are_refused_and_recorded() {
    use lti_protocol::lti11::outcomes::{authorization_header, body_hash};
    let dir = tempfile::tempdir().unwrap();
    let engine = start(dir.path()).await;
    let base = engine.emulator_status().base_url.unwrap();
    let url = format!("{base}/lti11/outcomes");
    rpc(&engine, "save_emulator_lti11_tool", json!({"name": "t", "launch_url": "https://tool.example/l", "consumer_key": "hk", "secret": "hs"})).await;
    let send_with = |body: Vec<u8>, signed: bool, nonce: String| {
        let url = url.clone();
        async move {
            let mut req = reqwest::Client::new()
                .post(&url)
                .header("content-type", "application/xml");
            if signed {
                let params = Signer {
                    method: Method::HmacSha1,
                    key: "hk",
                    secret: "hs",
                }
                .sign_params(
                    "POST",
                    &url,
                    &[("oauth_body_hash".into(), body_hash(&body))],
                    &nonce,
                    lti_core::clock::now_secs(),
                )
                .unwrap();
                req = req.header("authorization", authorization_header(&params));
            }
            let res = req.body(body).send().await.unwrap();
            (res.status().as_u16(), res.text().await.unwrap())
        }
    };
    let send = |body: Vec<u8>, signed: bool| send_with(body, signed, lti_core::ids::secret_token());
    let doctype = b"<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><imsx_POXEnvelopeRequest>&x;</imsx_POXEnvelopeRequest>".to_vec();
    let (status, text) = send(doctype, true).await;
    assert_eq!(status, 200, "{text}");
    assert!(
        text.contains("<imsx_codeMajor>failure</imsx_codeMajor>") && text.contains("DOCTYPE"),
        "{text}"
    );
    assert!(!text.contains("root:"), "no file was read");
    let (status, _) = send(vec![b'<'; 2 << 20], true).await;
    assert_eq!(status, 413);
    let (status, text) = send(b"<imsx_POXEnvelopeRequest/>".to_vec(), false).await;
    assert_eq!(status, 401, "{text}");
    // Signed by this tool but naming another tool's result.
    let other = lti_protocol::lti11::outcomes::request_xml(
        lti_protocol::lti11::outcomes::Operation::Replace,
        "m-2",
        "another-tool:demo-course:demo-learner-1",
        Some(0.5),
    );
    let (status, text) = send(other.into_bytes(), true).await;
    assert_eq!(status, 200, "{text}");
    assert!(
        text.contains("<imsx_codeMajor>failure</imsx_codeMajor>")
            && text.contains("names no result of this tool"),
        "{text}"
    );
    // A signed read, then the very same request again (same nonce): refused, with the reason.
    let read = lti_protocol::lti11::outcomes::request_xml(
        lti_protocol::lti11::outcomes::Operation::Read,
        "m-3",
        "another-tool:demo-course:demo-learner-1",
        None,
    );
    let (status, _) = send_with(read.clone().into_bytes(), true, "replayed-nonce-1".into()).await;
    assert_eq!(status, 200);
    let (status, text) = send_with(read.into_bytes(), true, "replayed-nonce-1".into()).await;
    assert_eq!(status, 401, "{text}");
    assert!(text.contains("oauth_nonce was already used"), "{text}");
    let exchanges = rpc(&engine, "list_exchanges", json!({})).await;
    let outcomes = exchanges
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["url"].as_str().unwrap().ends_with("/lti11/outcomes"))
        .count();
    assert_eq!(outcomes, 6, "each is recorded");
    let book = rpc(
        &engine,
        "get_gradebook",
        json!({"course_id": "demo-course"}),
    )
    .await;
    assert_eq!(book["lti11"], json!([]));
}

/// A launch from a consumer registered only afterwards: unverified when captured, valid when
/// re-checked as of its capture time with the secret registered since (and saved).
#[tokio::test]
async fn a_launch_is_rechecked_after_its_consumer_is_registered() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(dir.path()).await;
    let base = engine.tool_status().base_url.unwrap();
    let url = format!("{base}/lti11/launch");
    let (_, page) = post(
        &url,
        &signed(&url, "late-key", SECRET, &[], "late-nonce"),
        &[],
    )
    .await;
    assert!(page.contains("Unverified launch"), "{page}");
    let flow_id = lti_inspector::serve_child::landing_flow(&page).unwrap();
    rpc(
        &engine,
        "save_lti11_consumer",
        json!({"consumer_key": "late-key", "secret": SECRET}),
    )
    .await;
    let checked = rpc(&engine, "recheck", json!({"flow_id": flow_id})).await;
    assert_eq!(checked["verdict"], "valid", "{checked}");
    let change = checked["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["rule_id"] == "lti11.signature")
        .expect("the signature changed");
    assert_eq!(
        (change["before"].as_str(), change["after"].as_str()),
        (Some("skipped"), Some("pass"))
    );
    assert!(
        checked["notes"][0].as_str().unwrap().contains("late-key"),
        "{checked}"
    );
    rpc(
        &engine,
        "recheck",
        json!({"flow_id": flow_id, "save": true}),
    )
    .await;
    assert_eq!(flow(&engine, &flow_id).await["flow"]["verdict"], "valid");
}
