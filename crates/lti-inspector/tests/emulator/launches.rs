//! Launches: the demo, negative tests, the authorization endpoint, message claims, deep linking.

use lti_inspector::commands::dispatch;
use lti_platform_side::emulator::walk::Walker;
use lti_protocol::jws::{sign_rs256, Jws};
use lti_protocol::keys::SigningKey;
use serde_json::{json, Map, Value};

use super::*;

#[tokio::test]
async fn first_start_seeds_a_demo_that_launches_into_the_tool_side_as_a_valid_flow() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(dir.path()).await;
    let tool_base = engine.tool_status().base_url.unwrap();

    // The demo model, idempotent.
    lti_inspector::demo::ensure(&engine).await.unwrap();
    let courses = rpc(&engine, "list_emulator_courses", json!({})).await;
    assert_eq!(courses.as_array().unwrap().len(), 1);
    let members = courses[0]["members"].as_array().unwrap();
    let with = |r: &str| {
        members
            .iter()
            .filter(|m| m["roles"][0].as_str().unwrap().ends_with(r))
            .count()
    };
    assert_eq!((with("#Instructor"), with("#Learner")), (1, 3));
    let tools = rpc(&engine, "list_emulator_tools", json!({})).await;
    assert_eq!(tools.as_array().unwrap().len(), 1);
    assert_eq!(tools[0]["login_url"], format!("{tool_base}/lti/login"));
    assert_eq!(
        tools[0]["jwks_url"],
        format!("{tool_base}/.well-known/jwks.json")
    );
    let platforms = rpc(&engine, "list_platforms", json!({})).await;
    assert_eq!(
        platforms.as_array().unwrap().len(),
        1,
        "the emulator is registered on the tool side once"
    );
    assert_eq!(platforms[0]["issuer"], emu(&engine));
    assert_eq!(
        platforms[0]["auth_endpoint"],
        format!("{}/auth", emu(&engine))
    );

    // Launch demo: the whole OIDC flow without a browser.
    let launch = rpc(&engine, "launch_demo", json!({})).await;
    let mut walker = Walker::new();
    let walk = walker.open(launch["url"].as_str().unwrap()).await.unwrap();
    let steps: Vec<String> = walk
        .steps
        .iter()
        .map(|s| format!("{} {} {}", s.method, s.url, s.status))
        .collect();
    assert_eq!(walk.status, 200, "{steps:#?}\n{}", walk.body);
    assert!(
        walk.body.contains("Valid launch"),
        "{steps:#?}\n{}",
        walk.body
    );
    assert_eq!(
        walk.steps.len(),
        4,
        "launch page → login → auth → launch: {steps:#?}"
    );

    // The tool side's flow is valid, and fetched the emulator's JWKS.
    let tool_flow = rpc(&engine, "get_flow", json!({"id": landing_flow(&walk.body)})).await;
    assert_eq!(
        tool_flow["flow"]["verdict"],
        "valid",
        "{:?}",
        messages(&tool_flow, "id_token")
            .iter()
            .map(|m| failed(m))
            .collect::<Vec<_>>()
    );
    assert_eq!(
        tool_flow["flow"]["summary"]["message_type"],
        "LtiResourceLinkRequest"
    );
    assert!(tool_flow["exchanges"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["step"] == "jwks_fetch"));

    // The emulator's flow: login initiation, the tool's auth request and the token it issued.
    let emu_flow = rpc(&engine, "get_flow", json!({"id": launch["flow_id"]})).await;
    assert_eq!(emu_flow["flow"]["side"], "emulator");
    // The two sides of the launch link to each other (same token), and the link key is not
    // a summary value.
    let related = |f: &Value| -> Vec<String> {
        f["related"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        related(&emu_flow),
        vec![tool_flow["flow"]["id"].as_str().unwrap().to_string()]
    );
    assert_eq!(
        related(&tool_flow),
        vec![launch["flow_id"].as_str().unwrap().to_string()]
    );
    assert!(emu_flow["flow"]["summary"].get("link_key").is_none());
    // The same for several flows in one call (the emulator's recent launches).
    let many = rpc(
        &engine,
        "list_related_flows",
        json!({"ids": [launch["flow_id"], tool_flow["flow"]["id"], "no-such-flow"]}),
    )
    .await;
    assert_eq!(many[0]["related"][0]["id"], tool_flow["flow"]["id"]);
    assert_eq!(many[1]["related"][0]["id"], launch["flow_id"]);
    assert_eq!(many[2]["related"], json!([]));
    let kinds: Vec<&str> = emu_flow["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["message"]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, vec!["login", "auth_request", "id_token"]);
    for m in emu_flow["messages"].as_array().unwrap() {
        assert!(
            failed(m).is_empty(),
            "{}: {:?}",
            m["message"]["kind"],
            failed(m)
        );
    }
    assert_eq!(emu_flow["flow"]["verdict"], "valid");
    let steps: Vec<&str> = emu_flow["exchanges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["step"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(steps, vec!["login_initiation", "auth"]);

    // The claims the registration calls for.
    let token = messages(&emu_flow, "id_token")[0]["message"]["raw"]
        .as_str()
        .unwrap()
        .to_string();
    let p = Jws::parse(&token).unwrap().payload;
    let c = |n: &str| p[&format!("https://purl.imsglobal.org/spec/lti/claim/{n}")].clone();
    assert_eq!(p["sub"], "demo-instructor");
    assert_eq!(c("custom")["user_id"], "demo-instructor");
    assert_eq!(c("custom")["given_name"], "Grace");
    assert_eq!(
        c("custom")["context_title"],
        "Demo Course: Introduction to LTI"
    );
    assert_eq!(c("resource_link")["id"], "demo-link-1");
    assert_eq!(c("deployment_id"), "demo-deployment-1");
    let ags = &p["https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"];
    assert_eq!(
        ags["lineitem"],
        format!(
            "{}/courses/demo-course/lineitems/demo-lineitem-1",
            emu(&engine)
        )
    );
    assert!(
        p["https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"]
            ["context_memberships_url"]
            .is_string()
    );
    assert!(c("roles")
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r.as_str().unwrap().ends_with("membership#Instructor")));

    // A restart on new ports re-points both registrations instead of duplicating them.
    engine.shutdown();
    drop(engine);
    let again = start(dir.path()).await;
    let platforms = rpc(&again, "list_platforms", json!({})).await;
    assert_eq!(platforms.as_array().unwrap().len(), 1);
    assert_eq!(platforms[0]["issuer"], emu(&again));
    assert_eq!(
        rpc(&again, "list_emulator_tools", json!({})).await[0]["login_url"],
        format!("{}/lti/login", again.tool_status().base_url.unwrap())
    );
    assert_eq!(
        rpc(&again, "list_emulator_courses", json!({}))
            .await
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

/// Removing the demo tool from the registry does not break "Launch demo": it is put back
/// (with its graded link) and the launch is valid again.
#[tokio::test]
async fn launch_demo_restores_a_removed_demo_tool() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(dir.path()).await;
    let tools = rpc(&engine, "list_emulator_tools", json!({})).await;
    let demo = tools
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["demo"] == true)
        .unwrap()
        .clone();
    rpc(&engine, "delete_emulator_tool", json!({"id": demo["id"]})).await;
    let tools = rpc(&engine, "list_emulator_tools", json!({})).await;
    assert!(tools.as_array().unwrap().iter().all(|t| t["demo"] != true));

    let launch = rpc(&engine, "launch_demo", json!({})).await;
    let walk = Walker::new()
        .open(launch["url"].as_str().unwrap())
        .await
        .unwrap();
    assert!(walk.body.contains("Valid launch"), "{}", walk.body);
    let tools = rpc(&engine, "list_emulator_tools", json!({})).await;
    assert_eq!(
        tools
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["demo"] == true)
            .count(),
        1
    );
}

#[tokio::test]
async fn each_negative_test_breaks_exactly_its_rule_at_the_tool_side() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(dir.path()).await;
    let tests = rpc(&engine, "list_negative_tests", json!({})).await;
    assert!(tests.as_array().unwrap().len() >= 5);
    for t in tests.as_array().unwrap() {
        let rule = t["rule_id"].as_str().unwrap();
        let launch = rpc(
            &engine,
            "launch_url",
            json!({"tool_id": "demo-tool", "user_id": "demo-learner-1", "resource_link_id": "demo-link-1", "negative": t["id"]}),
        )
        .await;
        let walk = Walker::new()
            .open(launch["url"].as_str().unwrap())
            .await
            .unwrap();
        assert!(
            walk.body.contains("Invalid launch"),
            "{rule}: {}",
            walk.body
        );
        let flow = rpc(&engine, "get_flow", json!({"id": landing_flow(&walk.body)})).await;
        let token_msg = messages(&flow, "id_token")[0];
        let broken = failed(token_msg);
        // The Timeline names the failing rule; the emulator's flow says what it set out to break
        // and links to the tool side's.
        let named = flow["flow"]["summary"]["failed_rules"]
            .as_str()
            .unwrap_or("");
        assert!(
            named.split(',').any(|r| r == rule),
            "{rule}: failed_rules {named:?}"
        );
        let emu_flow = rpc(&engine, "get_flow", json!({"id": launch["flow_id"]})).await;
        assert_eq!(emu_flow["flow"]["summary"]["negative_test"], rule);
        assert_eq!(
            emu_flow["related"][0]["id"], flow["flow"]["id"],
            "{rule}: the sides link"
        );
        assert!(
            broken.contains(&rule.to_string()),
            "{rule}: failed {broken:?}"
        );
        // Only the broken rule (and what necessarily follows from it) fails.
        let allowed: &[&str] = match rule {
            "idtoken.aud" => &["idtoken.aud", "idtoken.azp"],
            "jwt.alg" => &["jwt.alg", "jwt.kid", "jwt.signature"],
            "jwt.kid" => &["jwt.kid"],
            "idtoken.iss_registered" => &["idtoken.iss_registered", "jwt.signature"],
            "lti.deployment_id" => &["lti.deployment_id", "lti.deployment_matches_login"],
            _ => &[rule],
        };
        assert!(
            broken.iter().all(|r| allowed.contains(&r.as_str())),
            "{rule}: also failed {broken:?}"
        );
        // The emulator's own record names the same rule.
        let emu_flow = rpc(&engine, "get_flow", json!({"id": launch["flow_id"]})).await;
        assert!(
            failed(messages(&emu_flow, "id_token")[0]).contains(&rule.to_string()),
            "{rule}"
        );
        assert_eq!(emu_flow["flow"]["summary"]["negative_test"], rule);
    }
}

#[tokio::test]
async fn the_authorization_endpoint_refuses_what_an_lms_refuses() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(dir.path()).await;
    let key = SigningKey::generate().unwrap();
    let tool = test_tool(&engine, &key, &[]).await;
    let cid = tool["client_id"].as_str().unwrap().to_string();
    let base = emu(&engine);
    let args = json!({"tool_id": tool["id"], "user_id": "demo-learner-2", "message_type": "LtiDeepLinkingRequest", "course_id": "demo-course"});

    // Unknown client_id and an unregistered redirect_uri: an error page, nothing posted.
    let url = rpc(&engine, "launch_url", args.clone()).await["url"]
        .as_str()
        .unwrap()
        .to_string();
    let login = login_params(&url).await;
    assert_eq!(get(&login, "login_hint"), "demo-learner-2");
    assert_eq!(get(&login, "client_id"), cid);
    assert!(!get(&login, "lti_deployment_id").is_empty());
    let mut pairs = auth_pairs(&login, "nobody", "n");
    let (status, page, form) = authenticate(&base, &pairs).await;
    assert_eq!((status, form), (400, None));
    assert!(page.contains("unauthorized_client"), "{page}");
    pairs = auth_pairs(&login, &cid, "n");
    pairs[5] = ("redirect_uri", "http://tool.test/launch/");
    let (status, page, form) = authenticate(&base, &pairs).await;
    assert_eq!((status, form), (400, None));
    assert!(
        page.contains("invalid_request") && page.contains("exact"),
        "{page}"
    );

    // Errors posted back to a registered redirect_uri, with the state.
    let cases: Vec<(usize, (&str, &str), &str)> = vec![
        (1, ("response_type", "code"), "unsupported_response_type"),
        (0, ("scope", "profile"), "invalid_scope"),
        (3, ("prompt", "login"), "invalid_request"),
        (6, ("login_hint", "demo-learner-3"), "login_required"),
        (7, ("lti_message_hint", "forged"), "invalid_request"),
        (9, ("nonce", ""), "invalid_request"),
    ];
    for (i, replace, code) in cases {
        let mut p = auth_pairs(&login, &cid, "n");
        p[i] = replace;
        let (status, page, form) = authenticate(&base, &p).await;
        let form = form.unwrap_or_else(|| panic!("{replace:?}: error not posted: {page}"));
        assert_eq!(status, 200);
        assert_eq!(get(&form, "error"), code, "{replace:?}: {form:?}");
        assert_eq!(get(&form, "state"), "st-1");
        assert!(!form.iter().any(|(k, _)| k == "id_token"));
    }

    // A good request gets a token; the same launch cannot be used twice.
    let (_, _, form) = authenticate(&base, &auth_pairs(&login, &cid, "n-ok")).await;
    let form = form.unwrap();
    let payload = Jws::parse(&get(&form, "id_token")).unwrap().payload;
    assert_eq!(payload["nonce"], "n-ok");
    assert_eq!(
        payload["https://purl.imsglobal.org/spec/lti/claim/message_type"],
        "LtiDeepLinkingRequest"
    );
    let (_, _, again) = authenticate(&base, &auth_pairs(&login, &cid, "n-2")).await;
    assert_eq!(get(&again.unwrap(), "error"), "invalid_request");

    // Every refusal is recorded, with the rule the tool broke.
    let flows = rpc(&engine, "list_flows", json!({})).await;
    let launch_flow = flows
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["title"].as_str().unwrap().contains("Test tool"))
        .unwrap();
    let detail = rpc(&engine, "get_flow", json!({"id": launch_flow["id"]})).await;
    let auths = messages(&detail, "auth_request");
    assert_eq!(
        auths.len(),
        9,
        "every request naming the launch, the forged hint aside"
    );
    assert!(
        failed(auths[0]).contains(&"auth.client_id".to_string()),
        "{:?}",
        failed(auths[0])
    );
    assert!(failed(auths[1]).contains(&"auth.redirect_uri".to_string()));
    assert!(failed(auths[2]).contains(&"auth.response_type".to_string()));
    assert!(failed(auths[5]).contains(&"auth.login_hint".to_string()));
    assert!(failed(auths[6]).contains(&"auth.nonce".to_string()));
    assert!(failed(auths[7]).is_empty(), "{:?}", failed(auths[7]));
    assert!(
        failed(auths[8]).contains(&"auth.lti_message_hint".to_string()),
        "reuse: {:?}",
        failed(auths[8])
    );
    let forged = flows
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["title"] == "Authentication request for no known launch")
        .unwrap();
    let detail = rpc(&engine, "get_flow", json!({"id": forged["id"]})).await;
    assert!(
        failed(messages(&detail, "auth_request")[0]).contains(&"auth.lti_message_hint".to_string())
    );

    // Two authentication requests racing for one launch: one token; the other gets an error
    // that carries its state, like every error posted back.
    for round in 0..5 {
        let url = rpc(&engine, "launch_url", args.clone()).await["url"]
            .as_str()
            .unwrap()
            .to_string();
        let login = login_params(&url).await;
        let (pa, pb) = (
            auth_pairs(&login, &cid, "race-a"),
            auth_pairs(&login, &cid, "race-b"),
        );
        let (a, b) = tokio::join!(authenticate(&base, &pa), authenticate(&base, &pb));
        let forms = [a.2.unwrap(), b.2.unwrap()];
        let tokens = forms
            .iter()
            .filter(|f| !get(f, "id_token").is_empty())
            .count();
        assert_eq!(tokens, 1, "round {round}: {forms:?}");
        let loser = forms
            .iter()
            .find(|f| get(f, "id_token").is_empty())
            .unwrap();
        assert_eq!(get(loser, "error"), "invalid_request", "{loser:?}");
        assert_eq!(get(loser, "state"), "st-1", "round {round}: {loser:?}");
    }
}

#[tokio::test]
async fn launches_carry_the_claims_of_each_message_type() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(dir.path()).await;
    let key = SigningKey::generate().unwrap();
    let tool = test_tool(&engine, &key, &[AGS_SCORE, NRPS]).await;
    let cid = tool["client_id"].as_str().unwrap().to_string();
    let link = rpc(&engine, "save_resource_link", json!({"course_id": "demo-course", "tool_id": tool["id"], "title": "Essay", "score_maximum": 20})).await;
    rpc(&engine, "save_enrollment", json!({"course_id": "demo-course", "user_id": "demo-instructor", "roles": ["Instructor", "TeachingAssistant", "Mentor"], "mentees": ["demo-learner-1"]})).await;

    let p = launch_as_tool(&engine, json!({"tool_id": tool["id"], "user_id": "demo-instructor", "resource_link_id": link["id"]}), &cid).await;
    let lti = |n: &str| p[&format!("https://purl.imsglobal.org/spec/lti/claim/{n}")].clone();
    assert_eq!(
        lti("custom"),
        json!({"who": "Grace", "link": link["id"], "odd": "$Unknown.var"})
    );
    let roles_claim = lti("roles");
    let roles: Vec<&str> = roles_claim
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert!(roles.contains(
        &"http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"
    ));
    assert!(roles.contains(&"http://purl.imsglobal.org/vocab/lis/v2/institution/person#Faculty"));
    assert_eq!(lti("role_scope_mentor"), json!(["demo-learner-1"]));
    let ags = &p["https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"];
    assert_eq!(ags["scope"], json!([AGS_SCORE]), "only the granted scopes");
    assert!(
        ags["lineitem"].as_str().unwrap().contains("/lineitems/"),
        "the link has one line item"
    );
    assert_eq!(lti("launch_presentation")["document_target"], "window");

    let sr = launch_as_tool(
        &engine,
        json!({"tool_id": tool["id"], "user_id": "demo-instructor", "resource_link_id": link["id"], "message_type": "LtiSubmissionReviewRequest", "for_user_id": "demo-learner-2"}),
        &cid,
    )
    .await;
    assert_eq!(
        sr["https://purl.imsglobal.org/spec/lti/claim/for_user"]["user_id"],
        "demo-learner-2"
    );
    assert_eq!(
        sr["https://purl.imsglobal.org/spec/lti/claim/message_type"],
        "LtiSubmissionReviewRequest"
    );
    assert!(
        sr["https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"]["lineitem"].is_string(),
        "the reviewed line item"
    );
    let ungraded = rpc(
        &engine,
        "save_resource_link",
        json!({"course_id": "demo-course", "tool_id": tool["id"], "title": "Reading"}),
    )
    .await;
    let err = dispatch(
        &engine,
        "launch_url",
        json!({"tool_id": tool["id"], "user_id": "demo-instructor", "resource_link_id": ungraded["id"], "message_type": "LtiSubmissionReviewRequest"}),
    )
    .await
    .unwrap_err();
    assert!(err.message.contains("line item"), "{err:?}");

    let dl = launch_as_tool(&engine, json!({"tool_id": tool["id"], "user_id": "demo-instructor", "message_type": "LtiDeepLinkingRequest", "course_id": "demo-course"}), &cid).await;
    let settings = &dl["https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"];
    assert!(settings["deep_link_return_url"]
        .as_str()
        .unwrap()
        .contains("/deep-linking/"));
    assert!(settings["data"].is_string());
    assert!(dl
        .get("https://purl.imsglobal.org/spec/lti/claim/resource_link")
        .is_none());
    assert_eq!(
        dl["https://purl.imsglobal.org/spec/lti/claim/target_link_uri"],
        "http://tool.test/deep"
    );

    // Bad launch requests are refused with a clear error.
    let err = dispatch(
        &engine,
        "launch_url",
        json!({"tool_id": tool["id"], "user_id": "nobody"}),
    )
    .await
    .unwrap_err();
    assert!(err.message.contains("nobody"), "{err:?}");
    let err = dispatch(
        &engine,
        "launch_url",
        json!({"tool_id": tool["id"], "user_id": "demo-instructor", "message_type": "LtiFoo"}),
    )
    .await
    .unwrap_err();
    assert!(err.message.contains("LtiFoo"));
}

#[tokio::test]
async fn deep_linking_responses_are_checked_and_their_links_stored() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(dir.path()).await;
    let key = SigningKey::generate().unwrap();
    let tool = test_tool(&engine, &key, &[AGS_SCORE]).await;
    let cid = tool["client_id"].as_str().unwrap().to_string();
    let base = emu(&engine);
    let args = json!({"tool_id": tool["id"], "user_id": "demo-instructor", "message_type": "LtiDeepLinkingRequest", "course_id": "demo-course"});
    let request = launch_as_tool(&engine, args.clone(), &cid).await;
    let settings =
        request["https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"].clone();
    let return_url = settings["deep_link_return_url"]
        .as_str()
        .unwrap()
        .to_string();
    let deployment = request["https://purl.imsglobal.org/spec/lti/claim/deployment_id"].clone();
    let now = lti_core::clock::now_secs();
    let response = |data: Value, items: Value| {
        let claims = json!({
            "iss": cid, "aud": base, "iat": now, "exp": now + 300, "nonce": "dl-nonce",
            "https://purl.imsglobal.org/spec/lti/claim/message_type": "LtiDeepLinkingResponse",
            "https://purl.imsglobal.org/spec/lti/claim/version": "1.3.0",
            "https://purl.imsglobal.org/spec/lti/claim/deployment_id": deployment,
            "https://purl.imsglobal.org/spec/lti-dl/claim/data": data,
            "https://purl.imsglobal.org/spec/lti-dl/claim/content_items": items,
            "https://purl.imsglobal.org/spec/lti-dl/claim/msg": "Added <b>two</b> items",
        });
        sign_rs256(&Map::new(), claims.as_object().unwrap(), &key).unwrap()
    };
    let items = json!([
        {"type": "ltiResourceLink", "title": "Chapter <1>", "url": "http://tool.test/launch?ch=1", "custom": {"chapter": "1"},
         "lineItem": {"label": "Chapter 1 quiz", "scoreMaximum": 25, "tag": "ch1"}},
        {"type": "link", "title": "Reading", "url": "https://example.com/reading"}
    ]);
    let c = http();

    // Wrong data echo: refused, nothing added.
    let res = c
        .post(&return_url)
        .form_body(&[("JWT", response(json!("tampered"), items.clone()))])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 400);
    assert!(res.text().await.unwrap().contains("dl.response_data"));

    // A second request (the first was consumed by the refused response), answered correctly.
    let request = launch_as_tool(&engine, args, &cid).await;
    let settings =
        request["https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"].clone();
    let return_url = settings["deep_link_return_url"]
        .as_str()
        .unwrap()
        .to_string();
    let jwt = response(settings["data"].clone(), items.clone());
    let res = c
        .post(&return_url)
        .form_body(&[("JWT", jwt.clone())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let page = res.text().await.unwrap();
    assert!(
        page.contains("Chapter &lt;1&gt;") && !page.contains("Chapter <1>"),
        "{page}"
    );
    assert!(page.contains("Chapter 1 quiz") && page.contains("Reading"));
    assert!(page.contains("Added &lt;b&gt;two&lt;/b&gt; items"));

    let courses = rpc(&engine, "list_emulator_courses", json!({})).await;
    let course = &courses[0];
    let link = course["resource_links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["title"] == "Chapter <1>")
        .unwrap();
    assert_eq!(link["source"], "deep_linking");
    assert_eq!(link["custom"]["chapter"], "1");
    assert_eq!(link["url"], "http://tool.test/launch?ch=1");
    let item = course["line_items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["label"] == "Chapter 1 quiz")
        .unwrap();
    assert_eq!(
        (item["score_maximum"].as_f64(), &item["resource_link_id"]),
        (Some(25.0), &link["id"])
    );
    assert_eq!(course["content_items"].as_array().unwrap().len(), 2);

    // Replay: refused. Missing JWT: refused. Unknown request: 404.
    assert_eq!(
        c.post(&return_url)
            .form_body(&[("JWT", jwt)])
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        400
    );
    assert_eq!(
        c.post(&return_url)
            .form_body(&[("jwt", "x")])
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        400
    );
    assert_eq!(
        c.post(format!("{base}/deep-linking/nope"))
            .form_body(&[("JWT", "x")])
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        404
    );

    // The new link launches with its custom parameters and its line item.
    let p = launch_as_tool(
        &engine,
        json!({"tool_id": tool["id"], "user_id": "demo-learner-1", "resource_link_id": link["id"]}),
        &cid,
    )
    .await;
    assert_eq!(
        p["https://purl.imsglobal.org/spec/lti/claim/custom"]["chapter"],
        "1"
    );
    assert_eq!(
        p["https://purl.imsglobal.org/spec/lti/claim/target_link_uri"],
        "http://tool.test/launch?ch=1"
    );
    assert!(p["https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"]["lineitem"].is_string());
}

#[tokio::test]
async fn the_emulator_serves_its_keys_and_configuration_and_records_unknown_paths() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(dir.path()).await;
    let base = emu(&engine);
    let jwks: Value = http()
        .get(format!("{base}/.well-known/jwks.json"))
        .send()
        .await
        .unwrap()
        .value()
        .await;
    let key = &jwks["keys"][0];
    assert_eq!(
        (
            key["kty"].as_str(),
            key["alg"].as_str(),
            key["use"].as_str()
        ),
        (Some("RSA"), Some("RS256"), Some("sig"))
    );
    assert!(key.get("d").is_none());
    let setup = rpc(&engine, "get_emulator_setup", json!({})).await;
    assert_eq!(setup["issuer"], base);
    assert_eq!(setup["kid"], key["kid"]);
    let conf: Value = http()
        .get(setup["openid_configuration"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .value()
        .await;
    assert_eq!(conf["token_endpoint"], setup["token_endpoint"]);
    let res = http().get(format!("{base}/nowhere")).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 404);
    let ex = rpc(&engine, "list_exchanges", json!({"limit": 1})).await;
    assert_eq!(ex[0]["url"], format!("{base}/nowhere"));
    assert_eq!(ex[0]["side"], "emulator");
}
