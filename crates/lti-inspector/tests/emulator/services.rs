//! Services: the token endpoint, AGS and NRPS, with the test playing the tool.

use lti_protocol::keys::SigningKey;
use serde_json::{json, Value};

use super::*;

#[tokio::test]
async fn the_token_endpoint_checks_the_client_assertion() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(dir.path()).await;
    let key = SigningKey::generate().unwrap();
    let tool = test_tool(&engine, &key, &[AGS_LINEITEM, AGS_SCORE]).await;
    let cid = tool["client_id"].as_str().unwrap().to_string();
    let base = emu(&engine);
    let aud = format!("{base}/token");
    let good = |a: &str, scope: &str| {
        vec![
            ("grant_type".to_string(), "client_credentials".to_string()),
            (
                "client_assertion_type".to_string(),
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".to_string(),
            ),
            ("client_assertion".to_string(), a.to_string()),
            ("scope".to_string(), scope.to_string()),
        ]
    };
    let send = |form: Vec<(String, String)>| {
        let base = base.clone();
        async move {
            let pairs: Vec<(&str, &str)> =
                form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            token_request(&base, &pairs).await
        }
    };

    let a = assertion(&key, &cid, &aud, "jti-1", 60);
    let (status, body) = send(good(&a, AGS_SCORE)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    // Media types compare case-insensitively, parameters aside.
    let a = assertion(&key, &cid, &aud, "jti-case", 60);
    let res = http()
        .post(&aud)
        .header(
            "content-type",
            "Application/X-WWW-Form-Urlencoded; charset=UTF-8",
        )
        .body(
            url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(good(&a, AGS_SCORE))
                .finish(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(body["scope"], AGS_SCORE);
    assert_eq!(body["expires_in"], 3600);
    // An assertion valid until the end of i64 time is accepted once and its jti remembered
    // (the store's expiry in ms once overflowed: a reset connection, nothing recorded).
    let forever = assertion_until(&key, &cid, &aud, "jti-forever", i64::MAX);
    let (status, body) = send(good(&forever, AGS_SCORE)).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = send(good(&forever, AGS_SCORE)).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client")),
        "{body}"
    );

    type Case<'a> = (Vec<(String, String)>, u16, &'a str);
    let cases: Vec<Case> = vec![
        (good(&a, AGS_SCORE), 401, "invalid_client"), // replayed jti
        (
            good(&assertion(&key, "who", &aud, "j2", 60), AGS_SCORE),
            401,
            "invalid_client",
        ),
        (
            good(
                &assertion(&key, &cid, &format!("{aud}/"), "j3", 60),
                AGS_SCORE,
            ),
            401,
            "invalid_client",
        ),
        (
            good(&assertion(&key, &cid, &aud, "j4", -120), AGS_SCORE),
            401,
            "invalid_client",
        ),
        (
            good(&forged_assertion(&key, &cid, &aud), AGS_SCORE),
            401,
            "invalid_client",
        ),
        (
            good(
                &assertion(&SigningKey::generate().unwrap(), &cid, &aud, "j8", 60),
                AGS_SCORE,
            ),
            401,
            "invalid_client",
        ),
        (
            good(&assertion(&key, &cid, &aud, "j6", 60), NRPS),
            400,
            "invalid_scope",
        ),
        (good("not-a-jwt", AGS_SCORE), 401, "invalid_client"),
    ];
    for (i, (form, status, code)) in cases.into_iter().enumerate() {
        let (s, body) = send(form).await;
        assert_eq!(
            (s, body["error"].as_str().unwrap_or("")),
            (status, code),
            "case {i}: {body}"
        );
        assert!(!body["error_description"].as_str().unwrap().is_empty());
    }
    let mut wrong_grant = good(&assertion(&key, &cid, &aud, "j7", 60), AGS_SCORE);
    wrong_grant[0].1 = "authorization_code".into();
    let (s, body) = send(wrong_grant).await;
    assert_eq!(
        (s, body["error"].as_str().unwrap()),
        (400, "unsupported_grant_type")
    );
    let res = http()
        .post(&aud)
        .json_body(&json!({"grant_type": "client_credentials"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 400);
    assert_eq!(res.value().await["error"], "invalid_request");

    // Each request is a recorded flow with the rule the tool broke.
    let flows = rpc(&engine, "list_flows", json!({})).await;
    let mut broken = Vec::new();
    for f in flows
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "service")
    {
        let d = rpc(&engine, "get_flow", json!({"id": f["id"]})).await;
        assert_eq!(d["exchanges"].as_array().unwrap().len(), 1, "{d}");
        broken.extend(messages(&d, "token_request").iter().flat_map(|m| failed(m)));
    }
    for rule in [
        "token.jti_replay",
        "token.client_id",
        "token.aud",
        "token.exp",
        "token.signature",
        "token.kid",
        "token.scope",
        "token.grant_type",
        "token.content_type",
    ] {
        assert!(
            broken.contains(&rule.to_string()),
            "{rule} not among {broken:?}"
        );
    }
}

#[tokio::test]
async fn ags_line_items_scores_and_results_follow_the_spec() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(dir.path()).await;
    let key = SigningKey::generate().unwrap();
    let tool = test_tool(&engine, &key, &[AGS_LINEITEM, AGS_SCORE, AGS_RESULT]).await;
    let cid = tool["client_id"].as_str().unwrap().to_string();
    let base = emu(&engine);
    let items_url = format!("{base}/courses/demo-course/lineitems");
    let tok = access_token(
        &base,
        &key,
        &cid,
        &format!("{AGS_LINEITEM} {AGS_SCORE} {AGS_RESULT}"),
    )
    .await;
    let score_only = access_token(&base, &key, &cid, AGS_SCORE).await;
    let c = http();
    let li_type = "application/vnd.ims.lis.v2.lineitem+json";

    // Auth: none, bad, missing scope.
    assert_eq!(
        c.get(&items_url).send().await.unwrap().status().as_u16(),
        401
    );
    let res = c
        .get(&items_url)
        .bearer_auth("emu-forged")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 401);
    assert!(res.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .contains("invalid_token"));
    assert_eq!(
        c.get(&items_url)
            .bearer_auth(&score_only)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        403
    );

    // Create: media type, label, scoreMaximum, resourceLinkId checks.
    let post = |body: String, ctype: &'static str| {
        c.post(&items_url)
            .bearer_auth(&tok)
            .header("content-type", ctype)
            .body(body)
            .send()
    };
    assert_eq!(
        post(
            json!({"label": "A", "scoreMaximum": 10}).to_string(),
            "application/json"
        )
        .await
        .unwrap()
        .status()
        .as_u16(),
        415
    );
    assert_eq!(
        post(json!({"scoreMaximum": 10}).to_string(), li_type)
            .await
            .unwrap()
            .status()
            .as_u16(),
        400
    );
    assert_eq!(
        post(
            json!({"label": "A", "scoreMaximum": 0}).to_string(),
            li_type
        )
        .await
        .unwrap()
        .status()
        .as_u16(),
        400
    );
    assert_eq!(
        post("{not json".into(), li_type)
            .await
            .unwrap()
            .status()
            .as_u16(),
        400
    );
    assert_eq!(
        post(
            json!({"label": "A", "scoreMaximum": 5, "resourceLinkId": "nope"}).to_string(),
            li_type
        )
        .await
        .unwrap()
        .status()
        .as_u16(),
        404
    );
    let mut ids = Vec::new();
    for (label, tag) in [("Quiz 1", "quiz"), ("Quiz 2", "quiz"), ("Essay", "essay")] {
        let res = post(json!({"label": label, "scoreMaximum": 10, "tag": tag, "resourceId": label.to_lowercase()}).to_string(), li_type).await.unwrap();
        assert_eq!(res.status().as_u16(), 201);
        assert_eq!(res.headers()["content-type"], li_type);
        let v: Value = res.value().await;
        assert_eq!(v["label"], label);
        ids.push(v["id"].as_str().unwrap().to_string());
    }

    // List: only this tool's items, filters, Link paging.
    let res = c
        .get(format!("{items_url}?tag=quiz&limit=1"))
        .bearer_auth(&tok)
        .header(
            "accept",
            "application/vnd.ims.lis.v2.lineitemcontainer+json",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.headers()["content-type"],
        "application/vnd.ims.lis.v2.lineitemcontainer+json"
    );
    let link = res.headers()["link"].to_str().unwrap().to_string();
    let page: Value = res.value().await;
    assert_eq!(page.as_array().unwrap().len(), 1);
    assert_eq!(page[0]["label"], "Quiz 1");
    let next = link
        .split(", ")
        .find(|l| l.ends_with("rel=\"next\""))
        .expect(&link);
    let next = next.trim_start_matches('<').split('>').next().unwrap();
    let page2: Value = c
        .get(next)
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap()
        .value()
        .await;
    assert_eq!(page2[0]["label"], "Quiz 2");
    let all: Value = c
        .get(&items_url)
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap()
        .value()
        .await;
    assert_eq!(
        all.as_array().unwrap().len(),
        3,
        "the demo tool's line item is not listed: {all}"
    );

    // PUT and DELETE.
    let res = c
        .put(&ids[2])
        .bearer_auth(&tok)
        .header("content-type", li_type)
        .body(json!({"label": "Essay (final)", "scoreMaximum": 20}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(res.value().await["scoreMaximum"], 20.0);
    assert_eq!(
        c.delete(&ids[1])
            .bearer_auth(&tok)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        204
    );
    assert_eq!(
        c.get(&ids[1])
            .bearer_auth(&tok)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        404
    );

    // Scores: every field validated, timestamp ordering, results scaled.
    let score = |body: Value| {
        c.post(format!("{}/scores", ids[2]))
            .bearer_auth(&tok)
            .header("content-type", "application/vnd.ims.lis.v1.score+json")
            .body(body.to_string())
            .send()
    };
    let ok = json!({"userId": "demo-learner-1", "scoreGiven": 7, "scoreMaximum": 10, "activityProgress": "Completed", "gradingProgress": "FullyGraded", "timestamp": "2026-11-27T10:00:00.123Z", "comment": "Good"});
    assert_eq!(score(ok.clone()).await.unwrap().status().as_u16(), 204);
    let mut bad_cases = Vec::new();
    for (field, value) in [
        ("userId", json!("stranger")),
        ("activityProgress", json!("Done")),
        ("gradingProgress", Value::Null),
        ("timestamp", json!("yesterday")),
        ("scoreGiven", json!(-1)),
    ] {
        let mut b = ok.clone();
        if value.is_null() {
            b.as_object_mut().unwrap().remove(field);
        } else {
            b[field] = value;
        }
        b["timestamp"] = if field == "timestamp" {
            b["timestamp"].clone()
        } else {
            json!("2026-11-27T11:00:00Z")
        };
        bad_cases.push((field, score(b).await.unwrap().status().as_u16()));
    }
    assert!(bad_cases.iter().all(|(_, s)| *s == 400), "{bad_cases:?}");
    let mut no_max = ok.clone();
    no_max.as_object_mut().unwrap().remove("scoreMaximum");
    no_max["timestamp"] = json!("2026-11-27T11:00:00Z");
    assert_eq!(score(no_max).await.unwrap().status().as_u16(), 400);
    let mut no_ts = ok.clone();
    no_ts.as_object_mut().unwrap().remove("timestamp");
    assert_eq!(score(no_ts).await.unwrap().status().as_u16(), 400);
    let mut older = ok.clone();
    older["timestamp"] = json!("2026-11-27T09:59:59Z");
    assert_eq!(score(older).await.unwrap().status().as_u16(), 409);
    assert_eq!(
        score(ok.clone()).await.unwrap().status().as_u16(),
        409,
        "the same timestamp again"
    );
    let res = c
        .post(format!("{}/scores", ids[2]))
        .bearer_auth(&tok)
        .header("content-type", "application/vnd.ims.lis.v1.score+json")
        .body("{\"userId\":")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 400);
    let res = c
        .post(format!("{}/scores", ids[2]))
        .bearer_auth(&tok)
        .header("content-type", "application/json")
        .body(ok.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 415);

    let res = c
        .get(format!("{}/results", ids[2]))
        .bearer_auth(&tok)
        .header("accept", "application/vnd.ims.lis.v2.resultcontainer+json")
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.headers()["content-type"],
        "application/vnd.ims.lis.v2.resultcontainer+json"
    );
    let results: Value = res.value().await;
    assert_eq!(results.as_array().unwrap().len(), 1);
    assert_eq!(results[0]["userId"], "demo-learner-1");
    assert_eq!(
        results[0]["resultScore"], 14.0,
        "7/10 scaled to the line item's 20"
    );
    assert_eq!(results[0]["resultMaximum"], 20.0);
    assert_eq!(results[0]["scoreOf"], ids[2]);
    assert_eq!(
        c.get(format!("{}/results", ids[2]))
            .bearer_auth(&score_only)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        403
    );

    let book = rpc(
        &engine,
        "get_gradebook",
        json!({"course_id": "demo-course"}),
    )
    .await;
    let cell = book["cells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["user_id"] == "demo-learner-1")
        .unwrap();
    assert_eq!(cell["score_given"], 7.0);
    assert_eq!(cell["comment"], "Good");
    assert_eq!(cell["grading_progress"], "FullyGraded");
    assert_eq!(
        book["line_items"].as_array().unwrap().len(),
        3,
        "demo line item + two of this tool"
    );

    // The service session's flow holds every call with its findings.
    let flows = rpc(&engine, "list_flows", json!({})).await;
    let mut broken: Vec<String> = Vec::new();
    let mut verdicts = Vec::new();
    for session in flows
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["title"] == "Service session of Test tool")
    {
        let d = rpc(&engine, "get_flow", json!({"id": session["id"]})).await;
        broken.extend(d["messages"].as_array().unwrap().iter().flat_map(failed));
        verdicts.push(d["flow"]["verdict"].as_str().unwrap().to_string());
    }
    for rule in [
        "service.media_type",
        "ags.lineitem.label",
        "ags.lineitem.score_maximum",
        "ags.lineitem.json",
        "ags.lineitem.resource_link_id",
        "ags.score.user_id",
        "ags.score.activity_progress",
        "ags.score.grading_progress",
        "ags.score.timestamp",
        "ags.score.score_given",
        "ags.score.score_maximum",
        "ags.score.timestamp_order",
        "ags.score.json",
    ] {
        assert!(
            broken.contains(&rule.to_string()),
            "{rule} not among {broken:?}"
        );
    }
    assert!(verdicts.contains(&"invalid".to_string()), "{verdicts:?}");
    assert!(
        broken.contains(&"service.scope".to_string()),
        "the score-only token reading line items"
    );
}

#[tokio::test]
async fn nrps_pages_filters_and_reports_differences() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(dir.path()).await;
    let key = SigningKey::generate().unwrap();
    let tool = test_tool(&engine, &key, &[NRPS]).await;
    let cid = tool["client_id"].as_str().unwrap().to_string();
    let base = emu(&engine);
    let tok = access_token(&base, &key, &cid, NRPS).await;
    let url = format!("{base}/courses/demo-course/memberships");
    let c = http();
    let accept = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json";

    let res = c
        .get(format!("{url}?limit=3"))
        .bearer_auth(&tok)
        .header("accept", accept)
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["content-type"], accept);
    let link = res.headers()["link"].to_str().unwrap().to_string();
    let page1: Value = res.value().await;
    assert_eq!(page1["context"]["id"], "demo-course-101");
    assert_eq!(page1["members"].as_array().unwrap().len(), 3);
    let next = link
        .split(", ")
        .find(|l| l.ends_with("rel=\"next\""))
        .unwrap()
        .trim_start_matches('<')
        .split('>')
        .next()
        .unwrap()
        .to_string();
    let page2: Value = c
        .get(&next)
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap()
        .value()
        .await;
    assert_eq!(page2["members"].as_array().unwrap().len(), 1);
    let member = &page1["members"][0];
    assert_eq!(member["status"], "Active");
    assert!(member["email"].is_string() && member["roles"].is_array());

    let learners: Value = c
        .get(format!(
            "{url}?role={}",
            url::form_urlencoded::byte_serialize(
                b"http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
            )
            .collect::<String>()
        ))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap()
        .value()
        .await;
    assert_eq!(learners["members"].as_array().unwrap().len(), 3);
    assert_eq!(
        c.get(format!("{url}?rlid=nope"))
            .bearer_auth(&tok)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        400
    );
    let with_link: Value = c
        .get(format!("{url}?rlid=demo-link-1"))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap()
        .value()
        .await;
    assert_eq!(
        with_link["members"][0]["message"][0]
            ["https://purl.imsglobal.org/spec/lti/claim/message_type"],
        "LtiResourceLinkRequest"
    );

    // Differences: a removed member shows up as Deleted, nothing else changed.
    let diff = link
        .split(", ")
        .find(|l| l.ends_with("rel=\"differences\""))
        .unwrap()
        .trim_start_matches('<')
        .split('>')
        .next()
        .unwrap()
        .to_string();
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    rpc(&engine, "save_enrollment", json!({"course_id": "demo-course", "user_id": "demo-learner-3", "roles": ["Learner"], "status": "Deleted"})).await;
    let changes: Value = c
        .get(&diff)
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap()
        .value()
        .await;
    let changed = changes["members"].as_array().unwrap();
    assert_eq!(changed.len(), 1, "{changes}");
    assert_eq!(
        (
            changed[0]["user_id"].as_str().unwrap(),
            changed[0]["status"].as_str().unwrap()
        ),
        ("demo-learner-3", "Deleted")
    );
    let now: Value = c
        .get(&url)
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap()
        .value()
        .await;
    assert_eq!(now["members"].as_array().unwrap().len(), 3);

    let ags_tok = c
        .get(format!("{base}/courses/demo-course/lineitems"))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap();
    assert_eq!(
        ags_tok.status().as_u16(),
        403,
        "an NRPS token does not read line items"
    );

    // A page number past usize's reach is just an empty page.
    let res = c
        .get(format!("{url}?limit=2&page={}", usize::MAX))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let far: Value = res.value().await;
    assert_eq!(far["members"].as_array().unwrap().len(), 0);

    // A course that does not exist: 404, recorded as the tool's mistake, not as a pass.
    let res = c
        .get(format!("{base}/courses/no-such-course/memberships"))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 404);
    let mut outcomes = Vec::new();
    for f in rpc(&engine, "list_flows", json!({}))
        .await
        .as_array()
        .unwrap()
    {
        let flow = rpc(&engine, "get_flow", json!({"id": f["id"]})).await;
        for m in flow["messages"].as_array().unwrap() {
            for finding in m["message"]["report"]["findings"].as_array().unwrap() {
                if finding["rule_id"] == "service.context" {
                    outcomes.push(finding["outcome"].as_str().unwrap().to_string());
                }
            }
        }
    }
    assert_eq!(
        outcomes,
        ["fail"],
        "the unknown course is a failed service.context"
    );
}
