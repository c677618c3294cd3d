//! `lti-inspector flows`: the Timeline's search from the command line, over every flow of a
//! data folder (the same query language and the same store query as the filter box).

use std::process::ExitCode;

use crate::cli::manage::run_command;
use crate::{DataArgs, Format};
use serde_json::Value;

pub(crate) struct FlowsArgs {
    pub search: Option<String>,
    pub verdict: Option<String>,
    pub rule: Option<String>,
    pub since: Option<String>,
    pub limit: u32,
    pub format: Format,
}

/// The filter box's query for these options (`--verdict invalid` is `verdict:invalid`…).
fn query_of(a: &FlowsArgs) -> String {
    let mut q = a.search.clone().unwrap_or_default();
    for (key, v) in [
        ("verdict", &a.verdict),
        ("rule", &a.rule),
        ("since", &a.since),
    ] {
        if let Some(v) = v {
            q.push_str(&format!(" {key}:{}", v.replace(char::is_whitespace, "")));
        }
    }
    q.trim().to_string()
}

pub(crate) fn flows_cmd(data: &DataArgs, a: FlowsArgs) -> anyhow::Result<ExitCode> {
    // A text query indexes what the app's indexer has not reached yet first (list_flows does).
    let args = serde_json::json!({"query": query_of(&a), "limit": a.limit});
    run_command(data, "list_flows", args, |flows| {
        match a.format {
            Format::Json => println!("{}", serde_json::to_string_pretty(&flows)?),
            Format::Text => {
                for f in flows.as_array().into_iter().flatten() {
                    println!("{}", text_line(f));
                }
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

fn text_line(f: &Value) -> String {
    let s = |v: &Value| v.as_str().unwrap_or("").to_string();
    let started = f["started_at"]
        .as_i64()
        .and_then(|ms| time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000)).ok())
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default();
    let sum = &f["summary"];
    let facts: Vec<String> = ["user", "context", "platform"]
        .iter()
        .map(|k| s(&sum[*k]))
        .filter(|v| !v.is_empty())
        .collect();
    let errors = s(&sum["errors"]);
    format!(
        "{started}  {:<10} {:<8} {}  {}{}  [{}]",
        s(&f["verdict"]),
        s(&f["side"]),
        s(&f["title"]),
        facts.join(" · "),
        if errors.is_empty() || errors == "0" {
            String::new()
        } else {
            format!("  ({errors} errors)")
        },
        s(&f["id"])
    )
}

/// `lti-inspector diff A B`: two launches compared (claims, findings, HTTP steps).
pub(crate) fn diff_cmd(
    data: &DataArgs,
    a: String,
    b: Option<String>,
    with: Option<String>,
    format: Format,
) -> anyhow::Result<ExitCode> {
    let args = serde_json::json!({"a": a, "b": b, "with": with.map(|w| w.replace('-', "_"))});
    run_command(data, "compare_flows", args, |c| {
        match format {
            Format::Json => println!("{}", serde_json::to_string_pretty(&c)?),
            Format::Text => print!("{}", diff_text(&c)),
        }
        Ok(ExitCode::SUCCESS)
    })
}

fn diff_text(c: &Value) -> String {
    let s = |v: &Value| match v {
        Value::Null => "—".to_string(),
        Value::String(x) => x.clone(),
        other => other.to_string(),
    };
    let mut out = format!(
        "A: {}  {}  [{}]\nB: {}  {}  [{}]\n",
        s(&c["a"]["verdict"]),
        s(&c["a"]["title"]),
        s(&c["a"]["id"]),
        s(&c["b"]["verdict"]),
        s(&c["b"]["title"]),
        s(&c["b"]["id"])
    );
    out.push_str("\nfindings that differ:\n");
    for f in c["findings"].as_array().into_iter().flatten() {
        out.push_str(&format!(
            "  {}: {} → {}   ({} | {})\n",
            s(&f["rule_id"]),
            s(&f["a"]),
            s(&f["b"]),
            s(&f["a_message"]),
            s(&f["b_message"])
        ));
    }
    out.push_str("\nclaims that differ:\n");
    for d in c["claims"].as_array().into_iter().flatten() {
        let vol = if d["volatile"] == true {
            "  (every launch)"
        } else {
            ""
        };
        out.push_str(&format!(
            "  {} {}: {} → {}{vol}\n",
            s(&d["change"]),
            d["name"]
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| s(&d["path"])),
            s(&d["a"]),
            s(&d["b"])
        ));
    }
    out.push_str("\nHTTP differences:\n");
    for st in c["steps"].as_array().into_iter().flatten() {
        for d in st["differences"].as_array().into_iter().flatten() {
            out.push_str(&format!(
                "  {} {} {} {}{}\n",
                s(&st["step"]),
                s(&d["kind"]),
                s(&d["name"]),
                s(&d["change"]),
                if d["volatile"] == true {
                    "  (every launch)"
                } else {
                    ""
                }
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_become_the_filter_box_query() {
        let a = FlowsArgs {
            search: Some("jane".into()),
            verdict: Some("invalid".into()),
            rule: Some("jwt.signature".into()),
            since: Some("2026-12-01".into()),
            limit: 10,
            format: Format::Text,
        };
        assert_eq!(
            query_of(&a),
            "jane verdict:invalid rule:jwt.signature since:2026-12-01"
        );
    }
}
