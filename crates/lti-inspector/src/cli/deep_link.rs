//! `deep-link`: compose a deep linking response for a captured request flow from a JSON file
//! of content items — checked, signed with the tool's key, stored in the flow, and optionally
//! posted to the platform — for tool developers' scripts.

use anyhow::Context;
use serde_json::{json, Value};
use std::process::ExitCode;

use crate::cli::manage::run_command;
use crate::DataArgs;

#[derive(clap::Args)]
pub(crate) struct DeepLinkArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// The flow of the captured LtiDeepLinkingRequest.
    pub flow: String,
    /// A JSON array of content items (or one item), or `-` for standard input.
    #[arg(long)]
    pub items: String,
    /// Break the response on purpose: wrong_aud, no_deployment_id, expired,
    /// wrong_message_type, data_not_echoed, unsigned, bad_signature.
    #[arg(long = "break")]
    pub breakage: Option<String>,
    #[arg(long)]
    pub msg: Option<String>,
    #[arg(long)]
    pub log: Option<String>,
    #[arg(long)]
    pub errormsg: Option<String>,
    #[arg(long)]
    pub errorlog: Option<String>,
    /// Only check: nothing is signed or stored.
    #[arg(long, conflicts_with = "post")]
    pub check: bool,
    /// Post the signed response to the request's deep_link_return_url.
    #[arg(long)]
    pub post: bool,
}

pub(crate) fn deep_link_cmd(a: DeepLinkArgs) -> anyhow::Result<ExitCode> {
    let mode = match (a.check, a.post) {
        (true, _) => "check",
        (_, true) => "post",
        _ => "sign",
    };
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
        "mode": mode,
    });
    run_command(&a.data, "compose_dl_response", args, |v| {
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
