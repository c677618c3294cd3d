//! Helpers the engine's integration tests share (each test binary uses a subset: `mod common;`).
//! Real parts only: engines on temp folders and free loopback ports, the command table, HTTP.

#![allow(dead_code)]

use std::path::Path;

use http_body_util::BodyExt;
use lti_core::keystore::KeyStoreChoice;
use lti_inspector::commands::dispatch;
use lti_inspector::engine::{Engine, EngineConfig};
use serde_json::Value;

/// An engine config on `dir` with free ports and a file key store (the OS keychain is tested
/// on its own in tests/engine.rs).
pub fn config(dir: &Path) -> EngineConfig {
    let mut cfg = EngineConfig::with_data_dir(dir.to_path_buf());
    cfg.tool_port = 0;
    cfg.emulator_port = 0;
    cfg.key_store = KeyStoreChoice::File(dir.join("keys.json"));
    cfg
}

/// A started engine (both servers) with the demo course seeded.
pub async fn start(dir: &Path) -> Engine {
    let engine = Engine::start(config(dir)).await.unwrap();
    lti_inspector::demo::ensure(&engine).await.unwrap();
    engine
}

/// The demo launch, walked as a browser would, through the tool side's capture endpoint:
/// returns the tool side's flow id (the launch must be valid).
pub async fn demo_launch(engine: &Engine) -> String {
    let launch = rpc(engine, "launch_demo", serde_json::json!({})).await;
    let walk = lti_platform_side::emulator::walk::Walker::new()
        .open(launch["url"].as_str().unwrap())
        .await
        .unwrap();
    assert!(walk.body.contains("Valid launch"), "{}", walk.body);
    landing_flow(&walk.body)
}

/// A command of the table that must succeed.
pub async fn rpc(engine: &Engine, name: &str, args: Value) -> Value {
    dispatch(engine, name, args)
        .await
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// A flow, whole.
pub async fn flow(engine: &Engine, id: &str) -> Value {
    rpc(engine, "get_flow", serde_json::json!({ "id": id })).await
}

/// A flow's exchanges of one step.
pub fn steps(flow: &Value, step: &str) -> Vec<Value> {
    flow["exchanges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["step"] == step)
        .cloned()
        .collect()
}

/// Every finding of every message of a flow, in order.
pub fn all_findings(flow: &Value) -> Vec<Value> {
    flow["messages"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|m| {
            m["message"]["report"]["findings"]
                .as_array()
                .unwrap()
                .clone()
        })
        .collect()
}

/// Every finding of `rule` in a flow's messages.
pub fn findings(flow: &Value, rule: &str) -> Vec<Value> {
    all_findings(flow)
        .into_iter()
        .filter(|f| f["rule_id"] == rule)
        .collect()
}

/// The rule ids of every failed finding (any severity) in a flow's messages.
pub fn failed_rules(flow: &Value) -> Vec<String> {
    all_findings(flow)
        .into_iter()
        .filter(|f| f["outcome"] == "fail")
        .map(|f| f["rule_id"].as_str().unwrap().to_string())
        .collect()
}

/// A flow's messages of one kind.
pub fn messages<'a>(flow: &'a Value, kind: &str) -> Vec<&'a Value> {
    flow["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["message"]["kind"] == kind)
        .collect()
}

/// The rule ids of a message's failed errors.
pub fn failed(msg: &Value) -> Vec<String> {
    msg["message"]["report"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["outcome"] == "fail" && f["severity"] == "error")
        .map(|f| f["rule_id"].as_str().unwrap().to_string())
        .collect()
}

/// The tool side's flow id, from its landing page.
pub fn landing_flow(page: &str) -> String {
    lti_inspector::serve_child::landing_flow(page).expect("landing page names its flow")
}

/// An urlencoded form body.
pub fn form(pairs: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

/// A router response's body as text.
pub async fn text(res: axum::response::Response) -> String {
    String::from_utf8_lossy(&res.into_body().collect().await.unwrap().to_bytes()).into_owned()
}

/// A router response's body as JSON (or the text as a JSON string when it is not JSON).
pub async fn body_json(res: axum::response::Response) -> Value {
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()))
}

/// reqwest is built without its json/form features; these stand in for them.
pub trait RequestExt {
    fn form_body<K: AsRef<str>, V: AsRef<str>>(self, pairs: &[(K, V)]) -> Self;
    fn json_body(self, v: &Value) -> Self;
}

impl RequestExt for reqwest::RequestBuilder {
    fn form_body<K: AsRef<str>, V: AsRef<str>>(self, pairs: &[(K, V)]) -> Self {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs.iter().map(|(k, v)| (k.as_ref(), v.as_ref())))
            .finish();
        self.header("content-type", "application/x-www-form-urlencoded")
            .body(body)
    }
    fn json_body(self, v: &Value) -> Self {
        self.header("content-type", "application/json")
            .body(v.to_string())
    }
}

pub trait ResponseExt {
    async fn value(self) -> Value;
}

impl ResponseExt for reqwest::Response {
    async fn value(self) -> Value {
        let text = self.text().await.unwrap();
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }
}

/// The CLI on the engine's data folder (file key store), as a script would run it; off the
/// runtime's thread, since the engine it posts to runs on it.
pub async fn cli(dir: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let (dir, args): (std::path::PathBuf, Vec<String>) = (
        dir.to_path_buf(),
        args.iter().map(|a| a.to_string()).collect(),
    );
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_lti-inspector"))
            .args(&args)
            .arg("--data-dir")
            .arg(&dir)
            .arg("--key-store")
            .arg(format!("file:{}", dir.join("keys.json").display()))
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
