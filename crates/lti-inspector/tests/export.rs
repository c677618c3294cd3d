//! Export (issue 11, item 4) of real flows: a demo launch captured by the tool side (state
//! cookie, id_token with a person in it) and its roster fetched (a client assertion, an access
//! token, NRPS members). A redacted export holds none of the original values anywhere in its
//! bytes; a bundle imports back whole; a HAR export is a HAR this tool (and devtools) reads.

use std::collections::BTreeSet;

mod common;

use common::*;
use lti_inspector::engine::Engine;
use serde_json::{json, Value};

async fn captured_launch_with_roster(engine: &Engine) -> String {
    let flow_id = demo_launch(engine).await;
    let roster = rpc(engine, "get_roster", json!({"flow_id": flow_id})).await;
    assert_eq!(roster["members"].as_array().unwrap().len(), 4);
    flow_id
}

/// Every value redaction must remove from this flow, read from the store unmasked.
async fn originals(engine: &Engine, flow_id: &str) -> BTreeSet<String> {
    let f = flow(engine, flow_id).await;
    let mut out = BTreeSet::new();
    let mut add = |s: &str| {
        if s.chars().count() >= 6 {
            out.insert(s.to_string());
        }
    };
    for m in f["messages"].as_array().unwrap() {
        let p = &m["decoded"]["payload"];
        for k in ["sub", "name", "given_name", "family_name", "email"] {
            if let Some(s) = p[k].as_str() {
                add(s);
            }
        }
        if let Some(raw) = m["message"]["raw"].as_str() {
            add(raw.rsplit('.').next().unwrap()); // the signature
        }
        for prm in m["message"]["params"].as_array().into_iter().flatten() {
            if ["state", "login_hint", "lti_message_hint"].contains(&prm["name"].as_str().unwrap())
            {
                add(prm["value"].as_str().unwrap());
            }
        }
    }
    for ex in f["exchanges"].as_array().unwrap() {
        let full = rpc(
            engine,
            "get_exchange",
            json!({"id": ex["id"], "reveal": true}),
        )
        .await;
        for h in full["request_headers"]
            .as_array()
            .unwrap()
            .iter()
            .chain(full["response_headers"].as_array().unwrap())
        {
            let name = h["name"].as_str().unwrap().to_ascii_lowercase();
            let value = h["value"].as_str().unwrap();
            if name == "authorization" {
                add(value.split_once(' ').map(|(_, t)| t).unwrap_or(value));
            }
            if name == "cookie" || name == "set-cookie" {
                for c in value.split(';') {
                    if let Some((_, v)) = c.split_once('=') {
                        add(v.trim());
                    }
                }
            }
        }
        let body = full["response_body"].as_str().unwrap_or("");
        if let Ok(v) = serde_json::from_str::<Value>(body) {
            if let Some(t) = v["access_token"].as_str() {
                add(t);
            }
            for m in v["members"].as_array().into_iter().flatten() {
                for k in ["user_id", "name", "email", "given_name", "family_name"] {
                    if let Some(s) = m[k].as_str() {
                        add(s);
                    }
                }
            }
        }
        let req = full["request_body"].as_str().unwrap_or("");
        for (k, v) in url::form_urlencoded::parse(req.as_bytes()) {
            if k == "client_assertion" {
                add(&v);
            }
        }
    }
    out
}

#[tokio::test]
async fn a_redacted_export_holds_no_original_value_and_a_bundle_comes_back_whole() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(dir.path()).await;
    let flow_id = captured_launch_with_roster(&engine).await;
    let values = originals(&engine, &flow_id).await;
    for expected in ["Grace Hopper", "demo-instructor"] {
        assert!(
            values.contains(expected),
            "{expected} not collected: {values:?}"
        );
    }
    assert!(values.len() > 15, "{values:?}");

    for format in ["har", "bundle"] {
        let out = rpc(
            &engine,
            "export_flows",
            json!({"flow_ids": [flow_id], "format": format}),
        )
        .await;
        assert_eq!(out["redacted"], true);
        let content = out["content"].as_str().unwrap();
        let leaked: Vec<&String> = values
            .iter()
            .filter(|v| content.contains(v.as_str()))
            .collect();
        assert!(
            leaked.is_empty(),
            "{format}: original values in the export: {leaked:?}"
        );
        let removed: Vec<&str> = out["removed"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["what"].as_str().unwrap())
            .collect();
        for what in [
            "names",
            "emails",
            "cookies",
            "states and nonces",
            "authorization headers",
        ] {
            assert!(removed.contains(&what), "{format}: {removed:?}");
        }
        // Private keys never leave the keychain, so never an export: not a line of the key file.
        let keys = std::fs::read_to_string(dir.path().join("keys.json")).unwrap();
        for s in keys.split('"').filter(|s| s.len() > 40) {
            assert!(!content.contains(s), "key material in the {format} export");
        }
    }

    // Unredacted bundle: back whole, every exchange body and message as it was.
    let out = rpc(
        &engine,
        "export_flows",
        json!({"flow_ids": [flow_id], "format": "bundle", "redact": false}),
    )
    .await;
    let back = rpc(
        &engine,
        "import",
        json!({"name": "colleague.lti-bundle.json", "text": out["content"]}),
    )
    .await;
    assert_eq!(back["input_kind"], "bundle");
    let new_id = back["flows"][0]["id"].as_str().unwrap();
    assert_ne!(new_id, flow_id, "the id was taken, so a new one");
    let (a, b) = (flow(&engine, &flow_id).await, flow(&engine, new_id).await);
    assert_eq!(b["flow"]["side"], "imported");
    assert_eq!(b["flow"]["verdict"], a["flow"]["verdict"]);
    assert_eq!(b["flow"]["summary"]["original_side"], "tool");
    assert_eq!(
        b["exchanges"].as_array().unwrap().len(),
        a["exchanges"].as_array().unwrap().len()
    );
    let raw = |f: &Value| {
        f["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["message"]["raw"].clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(raw(&a), raw(&b));
    let findings = |f: &Value| {
        f["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["message"]["report"]["findings"].clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(findings(&a), findings(&b));
    for (x, y) in a["exchanges"]
        .as_array()
        .unwrap()
        .iter()
        .zip(b["exchanges"].as_array().unwrap())
    {
        let fx = rpc(
            &engine,
            "get_exchange",
            json!({"id": x["id"], "reveal": true}),
        )
        .await;
        let fy = rpc(
            &engine,
            "get_exchange",
            json!({"id": y["id"], "reveal": true}),
        )
        .await;
        assert_eq!(
            (&fx["request_body"], &fx["response_body"]),
            (&fy["request_body"], &fy["response_body"])
        );
        assert_eq!(fx["summary"]["url"], fy["summary"]["url"]);
    }

    // A redacted bundle imports too, and says its signatures cannot be checked again.
    let out = rpc(
        &engine,
        "export_flows",
        json!({"flow_ids": [flow_id], "format": "bundle"}),
    )
    .await;
    let back = rpc(
        &engine,
        "import",
        json!({"name": "redacted.json", "text": out["content"]}),
    )
    .await;
    assert!(back["notes"].to_string().contains("redacted"), "{back}");
}

#[tokio::test]
async fn a_har_export_is_a_har_and_files_go_where_asked() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(dir.path()).await;
    let flow_id = captured_launch_with_roster(&engine).await;
    let out = rpc(
        &engine,
        "export_flows",
        json!({"query": "side:tool", "format": "har", "redact": false}),
    )
    .await;
    let har = out["content"].as_str().unwrap();
    let file = lti_protocol::har::read(har).unwrap();
    assert_eq!(file.version.as_deref(), Some("1.2"));
    assert_eq!(
        file.entries.len() as u64,
        out["exchanges"].as_u64().unwrap()
    );
    // Its LTI steps import as one launch: the tool side's own view, read back from a HAR.
    let back = rpc(
        &engine,
        "import",
        json!({"name": "export.har", "text": har}),
    )
    .await;
    assert!(
        back["flows"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["verdict"] == "valid"),
        "{back}"
    );
    let v: Value = serde_json::from_str(har).unwrap();
    assert!(v["log"]["entries"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["_lti"]["flow"] == flow_id));

    // A folder gets a named file; a folder that cannot be written is a clear error.
    let target = dir.path().join("exports");
    std::fs::create_dir(&target).unwrap();
    let out = rpc(
        &engine,
        "export_flows",
        json!({"flow_ids": [flow_id], "format": "bundle", "path": target}),
    )
    .await;
    let path = out["path"].as_str().unwrap();
    assert!(
        path.ends_with(".lti-bundle.json") && std::path::Path::new(path).exists(),
        "{out}"
    );
    assert!(out["content"].is_null());
    let preview = rpc(
        &engine,
        "export_flows",
        json!({"flow_ids": [flow_id], "format": "har", "preview": true}),
    )
    .await;
    assert!(preview["content"].is_null() && preview["bytes"].as_u64().unwrap() > 1000);
    let err = lti_inspector::commands::dispatch(
        &engine,
        "export_flows",
        json!({"flow_ids": [flow_id], "format": "har", "path": "/proc/no-such-dir/x.har"}),
    )
    .await
    .unwrap_err();
    assert!(err.message.contains("cannot write the export"), "{err:?}");
    let err = lti_inspector::commands::dispatch(&engine, "export_flows", json!({"format": "har"}))
        .await
        .unwrap_err();
    assert!(err.message.contains("say which flows"), "{err:?}");
    let err = lti_inspector::commands::dispatch(
        &engine,
        "export_flows",
        json!({"query": "no-such-word-anywhere", "format": "har"}),
    )
    .await
    .unwrap_err();
    assert!(err.message.contains("no flow matches"), "{err:?}");
}
