//! `deep-link`: compose a deep linking response for a captured request flow from a JSON file
//! of content items — checked, signed with the tool's key, stored in the flow, and optionally
//! posted to the platform — for tool developers' scripts.

use anyhow::Context;
use serde_json::{json, Value};
use std::process::ExitCode;

use crate::cli::manage::run_command;
use crate::DataArgs;

pub(crate) struct DeepLinkArgs {
    pub flow: String,
    pub items: String,
    pub breakage: Option<String>,
    pub msg: Option<String>,
    pub log: Option<String>,
    pub errormsg: Option<String>,
    pub errorlog: Option<String>,
    pub mode: &'static str,
}

pub(crate) fn deep_link_cmd(data: &DataArgs, a: DeepLinkArgs) -> anyhow::Result<ExitCode> {
    let text = if a.items == "-" {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
            .context("reading standard input")?;
        s
    } else {
        std::fs::read_to_string(&a.items).with_context(|| format!("reading {}", a.items))?
    };
    let items = match lti_tool_side::composer::parse_items(&text) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("error: {}: {e}", a.items);
            return Ok(ExitCode::from(2));
        }
    };
    let args = json!({
        "flow_id": a.flow,
        "draft": {"items": items, "msg": a.msg, "log": a.log, "errormsg": a.errormsg, "errorlog": a.errorlog},
        "breakage": a.breakage,
        "mode": a.mode,
    });
    run_command(data, "compose_dl_response", args, |v| {
        let out = summary(&v);
        println!("{}", serde_json::to_string_pretty(&out)?);
        let invalid = out["verdict"] == "invalid";
        let refused = out["answer"]["status"].as_u64().is_some_and(|s| s >= 400)
            || !out["answer"]["error"].is_null() && out["answer"].is_object();
        Ok(if invalid || refused {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        })
    })
}

/// The outcome without the passed checks: verdict, failures, per-item flags, and what to send.
fn summary(v: &Value) -> Value {
    let failed = |findings: &Value| -> Vec<Value> {
        findings
            .as_array()
            .into_iter()
            .flatten()
            .filter(|f| f["outcome"] == "fail")
            .map(|f| json!({"rule": f["rule_id"], "severity": f["severity"], "message": f["message"]}))
            .collect()
    };
    let items: Vec<Value> = v["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|i| i["findings"].as_array().is_some_and(|f| !f.is_empty()))
        .map(|i| json!({"index": i["index"], "problems": failed(&i["findings"])}))
        .collect();
    json!({
        "verdict": v["message"]["verdict"],
        "counts": v["message"]["counts"],
        "failed": failed(&v["message"]["report"]["findings"]),
        "items": items,
        "return_url": v["return_url"],
        "jwt": v["jwt"],
        "answer": v["answer"],
    })
}
