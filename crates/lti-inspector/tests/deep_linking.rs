//! Deep linking both ways over loopback: the emulator's request reaches the tool side's
//! composer, the composed response goes back to the emulator, which places the items in a
//! preview and launches the resource link; negative switches, settings, templates, bad input.

mod common;

use common::*;
use lti_inspector::engine::Engine;
use lti_platform_side::emulator::walk::{Walk, Walker};
use serde_json::{json, Value};

fn emu(engine: &Engine) -> String {
    engine.emulator_status().base_url.unwrap()
}

/// A hidden or text input's value in a page (the composer escapes values; these are plain).
fn input(page: &str, name: &str) -> String {
    let key = format!("name=\"{name}\" value=\"");
    let i = page
        .find(&key)
        .unwrap_or_else(|| panic!("no input {name} in\n{page}"))
        + key.len();
    page[i..].split('"').next().unwrap().to_string()
}

fn textarea(page: &str) -> String {
    let i = page
        .find("<textarea name=\"items\"")
        .expect("items textarea");
    let i = page[i..].find('>').unwrap() + i + 1;
    let j = page[i..].find("</textarea>").unwrap() + i;
    page[i..j]
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Opens a deep linking launch of the demo tool (the inspector's own tool side) and returns the
/// walker with the composer page it ended on.
async fn composer(engine: &Engine, dl_options: Value) -> (Walker, Walk, Value) {
    let tools = rpc(engine, "list_emulator_tools", json!({})).await;
    let tool = tools[0].clone();
    let launch = rpc(
        engine,
        "launch_url",
        json!({"tool_id": tool["id"], "user_id": "demo-instructor", "course_id": "demo-course",
               "message_type": "LtiDeepLinkingRequest", "dl_options": dl_options}),
    )
    .await;
    let mut w = Walker::new();
    let page = w.open(launch["url"].as_str().unwrap()).await.unwrap();
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("id=\"dl-compose\""), "{}", page.body);
    (w, page, launch)
}

async fn submit(w: &mut Walker, page: &Walk, fields: &[(&str, &str)]) -> Walk {
    let mut all = vec![
        ("flow".to_string(), input(&page.body, "flow")),
        ("token".to_string(), input(&page.body, "token")),
    ];
    all.extend(fields.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let action = url::Url::parse(&page.url)
        .unwrap()
        .join("/lti/deep-link/compose")
        .unwrap();
    w.submit(action.as_str(), all).await.unwrap()
}

fn count(hay: &str, needle: &str) -> usize {
    hay.matches(needle).count()
}

#[tokio::test]
async fn the_composer_answers_the_emulator_and_the_preview_places_every_type() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(dir.path()).await;
    let (mut w, page, launch) = composer(&engine, Value::Null).await;
    let flow_id = input(&page.body, "flow");

    // The first draft: one preset of each accepted type, each fitting the request.
    let items: Vec<Value> = serde_json::from_str(&textarea(&page.body)).unwrap();
    let types: Vec<&str> = items.iter().map(|i| i["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["ltiResourceLink", "link", "html", "file", "image"]);
    assert_eq!(count(&page.body, "✓ fits the request"), 5, "{}", page.body);

    // Check flags an item that breaks the settings before anything is sent.
    let mut hostile = items.clone();
    hostile.push(json!({"type": "link", "url": "javascript:alert(1)", "title": "<b>x</b>"}));
    let checked = submit(
        &mut w,
        &page,
        &[
            ("action", "check"),
            ("items", &Value::from(hostile).to_string()),
        ],
    )
    .await;
    assert!(
        checked.body.contains("<code>dl.item.url</code>"),
        "{}",
        checked.body
    );
    assert!(!checked.body.contains("<b>x</b>"), "titles are escaped");

    // Send: signed, recorded in the request's flow, posted to the emulator, which accepts it.
    let html = json!({"type": "html", "title": "Hostile", "html": "<script>parent.document.title='owned'</script><img src=x onerror=alert(1)>"});
    let mut sent = items.clone();
    sent.push(html);
    let done = submit(
        &mut w,
        &checked,
        &[
            ("action", "send"),
            ("items", &Value::from(sent).to_string()),
            ("msg", "Six items"),
        ],
    )
    .await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(done.body.contains("id=\"accepted\""), "{}", done.body);
    assert_eq!(count(&done.body, "data-testid=\"preview-item\""), 6);
    for t in ["ltiResourceLink", "link", "html", "file", "image"] {
        assert!(done.body.contains(&format!("data-type=\"{t}\"")), "{t}");
    }
    // html is only ever inside a sandboxed srcdoc frame, escaped.
    assert!(!done.body.contains("<script>parent"), "{}", done.body);
    assert_eq!(count(&done.body, "sandbox=\"\""), 2, "two html items");
    assert!(done
        .body
        .contains("Gradebook column “Week 1 quiz” · out of 10"));
    assert!(done.body.contains("Six items"));

    let tool_flow = flow(&engine, &flow_id).await;
    let resp = messages(&tool_flow, "dl_response");
    assert_eq!(resp.len(), 1);
    assert!(failed(resp[0]).is_empty(), "{:?}", failed(resp[0]));
    assert_eq!(steps(&tool_flow, "deep_linking_response").len(), 1);
    assert_eq!(tool_flow["flow"]["summary"]["dl_items"], "6");
    let emu_flow = flow(&engine, launch["flow_id"].as_str().unwrap()).await;
    let got = messages(&emu_flow, "dl_response");
    assert!(failed(got[0]).is_empty(), "{:?}", failed(got[0]));

    // The course's content page shows the same; its activity launches valid into the tool.
    let base = emu(&engine);
    let content = w
        .open(&format!("{base}/courses/demo-course/content"))
        .await
        .unwrap();
    assert_eq!(count(&content.body, "data-testid=\"preview-item\""), 6);
    let i = content.body.find("name=\"item\" value=\"").unwrap() + "name=\"item\" value=\"".len();
    let item_id = content.body[i..].split('"').next().unwrap().to_string();
    let launched = w
        .submit(
            &format!("{base}/courses/demo-course/content/launch"),
            vec![("item".into(), item_id)],
        )
        .await
        .unwrap();
    assert!(launched.body.contains("Valid launch"), "{}", launched.body);
    let launched_flow = flow(&engine, &landing_flow(&launched.body)).await;
    let token = messages(&launched_flow, "id_token")[0]["message"]["raw"]
        .as_str()
        .unwrap()
        .to_string();
    let claims = lti_protocol::jws::Jws::parse(&token).unwrap().payload;
    assert_eq!(
        claims["https://purl.imsglobal.org/spec/lti/claim/custom"]["quiz_id"],
        "week-1"
    );
    assert!(
        claims["https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"]["lineitem"].is_string()
    );
}

#[tokio::test]
async fn each_negative_switch_is_refused_by_the_emulator_under_its_rule() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(dir.path()).await;
    for b in lti_protocol::deep_linking::Breakage::ALL {
        let (mut w, page, _) = composer(&engine, Value::Null).await;
        let flow_id = input(&page.body, "flow");
        let draft = textarea(&page.body);
        let done = submit(
            &mut w,
            &page,
            &[
                ("action", "send"),
                ("breakage", b.as_str()),
                ("items", &draft),
            ],
        )
        .await;
        assert_eq!(done.status, 400, "{b:?} was accepted:\n{}", done.body);
        let refusal = &done.body[done.body.find("id=\"refusal\"").expect("refusal list")..];
        assert!(
            refusal.contains(&format!("<code>{}</code>", b.rule_id())),
            "{b:?}: {refusal}"
        );
        // The preview still shows what was returned.
        assert_eq!(
            count(&done.body, "data-testid=\"preview-item\""),
            5,
            "{b:?}"
        );
        // The tool side's own check of its response names the same rule.
        let f = flow(&engine, &flow_id).await;
        let resp = messages(&f, "dl_response");
        assert!(
            failed(resp[0]).contains(&b.rule_id().to_string()),
            "{b:?}: {:?}",
            failed(resp[0])
        );
        assert!(f["flow"]["summary"]["negative_test"]
            .as_str()
            .unwrap()
            .contains(b.rule_id()));
    }
}

#[tokio::test]
async fn unusual_settings_shape_the_draft_and_are_enforced() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(dir.path()).await;
    let opts = json!({"accept_types": ["link"], "accept_multiple": false, "no_data": true,
                      "accept_presentation_document_targets": ["iframe"]});
    let (mut w, page, _) = composer(&engine, opts.clone()).await;
    let items: Vec<Value> = serde_json::from_str(&textarea(&page.body)).unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["type"], "link");
    assert!(page
        .body
        .contains("<td>data (echoed back)</td><td>(none)</td>"));
    // The link preset asks for a window: flagged (a warning), the user may still send it.
    assert!(
        page.body.contains("<code>dl.item.target</code>"),
        "{}",
        page.body
    );
    let two = json!([{"type": "link", "url": "https://a.example"}, {"type": "image", "url": "https://b.example/i.png"}]);
    let done = submit(
        &mut w,
        &page,
        &[("action", "send"), ("items", &two.to_string())],
    )
    .await;
    assert_eq!(done.status, 400, "{}", done.body);
    for rule in ["dl.item.multiple", "dl.item.accepted"] {
        assert!(
            done.body.contains(&format!("<code>{rule}</code>")),
            "{rule}"
        );
    }
    // One accepted link, no data to echo: accepted.
    let (mut w, page, _) = composer(&engine, opts).await;
    let one = json!([{"type": "link", "url": "https://a.example", "iframe": {"width": 400}}]);
    let done = submit(
        &mut w,
        &page,
        &[("action", "send"), ("items", &one.to_string())],
    )
    .await;
    assert_eq!(done.status, 200, "{}", done.body);
    // Settings the emulator cannot offer are refused up front.
    let tools = rpc(&engine, "list_emulator_tools", json!({})).await;
    let bad = lti_inspector::commands::dispatch(
        &engine,
        "launch_url",
        json!({"tool_id": tools[0]["id"], "user_id": "demo-instructor", "message_type": "LtiDeepLinkingRequest",
               "dl_options": {"accept_types": ["quiz"]}}),
    )
    .await;
    assert!(bad.unwrap_err().message.contains("quiz"));
}

#[tokio::test]
async fn templates_presets_and_the_composer_token() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(dir.path()).await;
    let (mut w, page, _) = composer(&engine, Value::Null).await;
    let one = json!([{"type": "link", "url": "https://a.example", "title": "Saved link"}]);
    let saved = submit(
        &mut w,
        &page,
        &[
            ("action", "save_template"),
            ("items", &one.to_string()),
            ("template_name", "Reading list"),
        ],
    )
    .await;
    assert!(
        saved.body.contains("Saved 1 item(s) as “Reading list”"),
        "{}",
        saved.body
    );
    let added = submit(
        &mut w,
        &saved,
        &[("action", "preset:image"), ("items", &one.to_string())],
    )
    .await;
    let items: Vec<Value> = serde_json::from_str(&textarea(&added.body)).unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[1]["type"], "image");
    // A later request loads the template.
    let (mut w, page, _) = composer(&engine, Value::Null).await;
    assert!(page.body.contains("<option>Reading list</option>"));
    let loaded = submit(
        &mut w,
        &page,
        &[
            ("action", "load_template"),
            ("template", "Reading list"),
            ("items", "not json"),
        ],
    )
    .await;
    let items: Vec<Value> = serde_json::from_str(&textarea(&loaded.body)).unwrap();
    assert_eq!(items, one.as_array().unwrap().clone());
    // Items that do not parse are shown back with the reason; nothing is sent.
    let broken = submit(
        &mut w,
        &loaded,
        &[("action", "send"), ("items", "[{\"type\": ")],
    )
    .await;
    assert_eq!(broken.status, 200);
    assert!(
        broken.body.contains("id=\"composer-error\""),
        "{}",
        broken.body
    );
    assert!(textarea(&broken.body).contains("[{\"type\": "));
    // Without the page's token nothing is signed.
    let flow_id = input(&page.body, "flow");
    let tool = engine.tool_status().base_url.unwrap();
    let forged = w
        .submit(
            &format!("{tool}/lti/deep-link/compose"),
            vec![
                ("flow".into(), flow_id.clone()),
                ("token".into(), "guess".into()),
            ],
        )
        .await
        .unwrap();
    assert_eq!(forged.status, 403);
    assert!(messages(&flow(&engine, &flow_id).await, "dl_response").is_empty());
}

#[tokio::test]
async fn ten_thousand_items_and_hostile_items_get_findings_not_crashes() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(dir.path()).await;
    let (mut w, page, launch) = composer(&engine, Value::Null).await;
    let mut items: Vec<Value> = (0..10_000)
        .map(|i| json!({"type": "link", "url": format!("https://x.example/{i}")}))
        .collect();
    items.push(json!({"type": "quiz", "questions": 3}));
    items.push(json!("not an object"));
    items.push(json!({"type": "image", "url": "https://x.example/i.png", "width": -3}));
    let done = submit(
        &mut w,
        &page,
        &[
            ("action", "send"),
            ("items", &Value::from(items).to_string()),
        ],
    )
    .await;
    // Refused for the non-object item (an error), but every item is shown or counted.
    assert_eq!(
        done.status,
        400,
        "{}",
        &done.body[..2000.min(done.body.len())]
    );
    assert_eq!(count(&done.body, "data-testid=\"preview-item\""), 500);
    assert!(done.body.contains("9503 more items"), "render cap");
    let f = flow(&engine, launch["flow_id"].as_str().unwrap()).await;
    let resp = messages(&f, "dl_response")[0];
    let rules: Vec<&str> = resp["message"]["report"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["outcome"] == "fail")
        .map(|f| f["rule_id"].as_str().unwrap())
        .collect();
    for r in ["dl.item.type", "dl.item.fields", "dl.item.dimensions"] {
        assert!(rules.contains(&r), "{r}: {rules:?}");
    }
    assert!(
        resp["message"]["report"]["findings"]
            .as_array()
            .unwrap()
            .len()
            < 60
    );
}

#[tokio::test]
async fn a_five_megabyte_html_item_is_checked_and_placed_not_refused_whole() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(dir.path()).await;
    let (mut w, page, launch) = composer(&engine, Value::Null).await;
    let big = format!("<p>{}</p>", "lorem ipsum ".repeat(5 * 1024 * 1024 / 12));
    let items = json!([
        {"type": "html", "title": "Very large fragment", "html": big},
        {"type": "link", "title": "A small link", "url": "https://x.example/small"}
    ]);
    let done = submit(
        &mut w,
        &page,
        &[("action", "send"), ("items", &items.to_string())],
    )
    .await;
    // Accepted (a size is a warning), both items placed, the size named beside the big one.
    assert_eq!(
        done.status,
        200,
        "{}",
        &done.body[..2000.min(done.body.len())]
    );
    assert!(
        done.body.contains("id=\"accepted\""),
        "{}",
        &done.body[..3000.min(done.body.len())]
    );
    assert_eq!(count(&done.body, "data-testid=\"preview-item\""), 2);
    assert!(done.body.contains("A small link"));
    let f = flow(&engine, launch["flow_id"].as_str().unwrap()).await;
    let resp = messages(&f, "dl_response")[0];
    assert!(
        resp["message"]["report"]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule_id"] == "dl.item.size" && f["outcome"] == "fail"),
        "the size is a finding"
    );
}

#[tokio::test]
async fn the_app_and_cli_composer_check_sign_send_and_post() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(dir.path()).await;
    let (_, page, _) = composer(
        &engine,
        json!({"accept_types": ["link", "image"], "accept_multiple": false}),
    )
    .await;
    let flow_id = input(&page.body, "flow");

    let st = rpc(&engine, "get_dl_composer", json!({"flow_id": flow_id})).await;
    assert_eq!(st["settings"]["accept_types"], json!(["link", "image"]));
    assert_eq!(st["settings"]["accept_multiple"], json!(false));
    assert_eq!(st["draft"].as_array().unwrap().len(), 1, "{}", st["draft"]);
    assert_eq!(st["presets"].as_array().unwrap().len(), 5);
    assert_eq!(st["breakages"].as_array().unwrap().len(), 7);

    // Check: items that break the settings are flagged per item; nothing is signed or stored.
    let items = json!([{"type": "html", "html": "<p>x</p>"}, {"type": "image", "url": "ftp://files/x.png"}]);
    let out = rpc(
        &engine,
        "compose_dl_response",
        json!({"flow_id": flow_id, "draft": {"items": items}, "mode": "check"}),
    )
    .await;
    let rules = |i: usize| -> Vec<String> {
        out["items"][i]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["rule_id"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(
        rules(0).contains(&"dl.item.accepted".to_string()),
        "{:?}",
        rules(0)
    );
    assert!(
        rules(1).contains(&"dl.item.url".to_string()),
        "{:?}",
        rules(1)
    );
    assert!(out["jwt"].is_null() && out["send_url"].is_null());
    let fails: Vec<&str> = out["message"]["report"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["outcome"] == "fail")
        .map(|f| f["rule_id"].as_str().unwrap())
        .collect();
    assert!(fails.contains(&"dl.item.multiple"), "{fails:?}");
    assert!(messages(&flow(&engine, &flow_id).await, "dl_response").is_empty());

    // Sign: stored in the flow at once; the send link form-posts it once from the browser.
    let good = json!([{"type": "link", "url": "https://example.org/reading", "title": "Reading"}]);
    let out = rpc(&engine, "compose_dl_response", json!({"flow_id": flow_id, "draft": {"items": good, "msg": "from the app"}, "mode": "sign"})).await;
    assert_eq!(out["message"]["verdict"], "valid", "{:?}", failed(&out));
    let send_url = out["send_url"].as_str().expect("a send link").to_string();
    assert_eq!(
        messages(&flow(&engine, &flow_id).await, "dl_response").len(),
        1
    );
    let mut w = Walker::new();
    let sent = w.open(&send_url).await.unwrap();
    assert_eq!(sent.status, 200, "{}", sent.body);
    assert!(sent.body.contains("id=\"accepted\""), "{}", sent.body);
    let again = Walker::new().open(&send_url).await.unwrap();
    assert_eq!(again.status, 404, "a send link is used once");
    let f = flow(&engine, &flow_id).await;
    assert!(
        !steps(&f, "deep_linking_response").is_empty(),
        "the send page is recorded in the flow"
    );

    // Post from the engine: a new request; the platform's answer is recorded in the flow, and
    // the emulator's flow links to the course content preview.
    let (_, page, launch) = composer(&engine, Value::Null).await;
    let flow2 = input(&page.body, "flow");
    let out = rpc(
        &engine,
        "compose_dl_response",
        json!({"flow_id": flow2, "draft": {"items": good}, "mode": "post"}),
    )
    .await;
    assert_eq!(out["answer"]["status"], 200, "{}", out["answer"]);
    assert!(out["answer"]["body"]
        .as_str()
        .unwrap()
        .contains("id=\"accepted\""));
    let f2 = flow(&engine, &flow2).await;
    let posted = steps(&f2, "deep_linking_response");
    assert_eq!(posted.len(), 1, "{posted:?}");
    assert_eq!(posted[0]["direction"], "outbound");
    let emu_flow = flow(&engine, launch["flow_id"].as_str().unwrap()).await;
    assert_eq!(
        emu_flow["flow"]["summary"]["dl_preview"],
        json!(format!("{}/courses/demo-course/content", emu(&engine)))
    );

    // Templates from the app.
    let all = rpc(
        &engine,
        "save_dl_template",
        json!({"name": "Reading list", "items": good}),
    )
    .await;
    assert_eq!(all[0]["name"], "Reading list");
    assert_eq!(
        rpc(&engine, "get_dl_composer", json!({"flow_id": flow2})).await["templates"][0]["items"],
        good
    );

    // Not a deep linking request: a clear refusal.
    let e = lti_inspector::commands::dispatch(
        &engine,
        "compose_dl_response",
        json!({"flow_id": "nope", "draft": {"items": []}}),
    )
    .await
    .unwrap_err();
    assert!(e.to_string().contains("no deep linking request"), "{e}");

    // The CLI: a file of items, checked, then posted, each printing JSON.
    let (_, page, _) = composer(&engine, Value::Null).await;
    let flow3 = input(&page.body, "flow");
    let file = dir.path().join("items.json");
    std::fs::write(&file, good.to_string()).unwrap();
    let path = file.to_str().unwrap();
    let (code, stdout, stderr) = cli(
        dir.path(),
        &["deep-link", &flow3, "--items", path, "--check"],
    )
    .await;
    assert_eq!(code, 0, "{stdout}{stderr}");
    let v: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["verdict"], "valid");
    assert!(v["jwt"].is_null());
    let (code, stdout, stderr) = cli(
        dir.path(),
        &[
            "deep-link",
            &flow3,
            "--items",
            path,
            "--post",
            "--break",
            "wrong_aud",
        ],
    )
    .await;
    assert_eq!(
        code, 1,
        "a broken response is invalid and refused: {stdout}{stderr}"
    );
    let v: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["answer"]["status"], 400, "{v}");
    assert!(
        v["failed"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "idtoken.aud"),
        "{v}"
    );
    std::fs::write(&file, "[{\"type\": ").unwrap();
    let (code, _, stderr) = cli(dir.path(), &["deep-link", &flow3, "--items", path]).await;
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("items must be a JSON array"), "{stderr}");
}

/// An imported response is verified with the tool's keys: the inspector's own when the
/// response's iss is the registration's client_id; otherwise it is unverified and says so.
#[tokio::test]
async fn an_imported_response_is_checked_with_the_tools_keys() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(dir.path()).await;
    let (_, page, _) = composer(&engine, Value::Null).await;
    let flow_id = input(&page.body, "flow");
    let items = json!([{"type": "link", "url": "https://example.org/a", "title": "A"}]);
    let out = rpc(
        &engine,
        "compose_dl_response",
        json!({"flow_id": flow_id, "draft": {"items": items}, "mode": "sign"}),
    )
    .await;
    let jwt = out["jwt"].as_str().unwrap().to_string();
    let finding = |f: &Value, rule: &str| -> Value {
        f["messages"][0]["message"]["report"]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["rule_id"] == rule)
            .cloned()
            .unwrap_or_else(|| panic!("no {rule}"))
    };

    let own = rpc(
        &engine,
        "import",
        json!({"name": "response.jwt", "text": jwt}),
    )
    .await;
    assert!(
        own["notes"].to_string().contains("own tool key"),
        "{}",
        own["notes"]
    );
    let f = flow(&engine, own["flows"][0]["id"].as_str().unwrap()).await;
    assert_eq!(finding(&f, "jwt.signature")["outcome"], "pass", "{f}");
    assert_ne!(finding(&f, "idtoken.nonce")["outcome"], "fail");

    // The same claims signed by a tool whose keys the inspector does not hold.
    let payload = lti_protocol::jws::Jws::parse(&jwt).unwrap().payload;
    let other = lti_protocol::keys::SigningKey::generate().unwrap();
    let foreign = lti_protocol::jws::sign_rs256(&serde_json::Map::new(), &payload, &other).unwrap();
    let theirs = rpc(
        &engine,
        "import",
        json!({"name": "foreign.jwt", "text": foreign}),
    )
    .await;
    assert!(
        theirs["notes"].to_string().contains("Give the tool's keys"),
        "{}",
        theirs["notes"]
    );
    // Only the tool's keys matter for a lone response: nothing about the platform's.
    assert!(
        !theirs["notes"].to_string().contains("fetch keys"),
        "{}",
        theirs["notes"]
    );
    let f = flow(&engine, theirs["flows"][0]["id"].as_str().unwrap()).await;
    assert_eq!(finding(&f, "jwt.signature")["outcome"], "skipped");
    assert!(finding(&f, "jwt.signature")["message"]
        .as_str()
        .unwrap()
        .contains("tool's key"));
}
