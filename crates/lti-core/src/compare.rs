//! Two stored launches side by side (issue 11, item 6): their id_token claims, findings and
//! HTTP steps compared by `lti_protocol::compare`, and "the previous launch of this user /
//! platform" found for a flow.

use lti_protocol::compare::{self, ClaimDiff, FindingDiff, StepDiff, StepView};
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::messages;
use crate::store::{self, FlowSummary};

#[derive(Debug, Clone, Deserialize, TS)]
pub struct CompareArgs {
    pub a: String,
    /// The other flow; or use `with`.
    #[serde(default)]
    #[ts(optional)]
    pub b: Option<String>,
    /// `previous_user` or `previous_platform`: the launch before `a` of the same user / platform.
    #[serde(default)]
    #[ts(optional)]
    pub with: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct FlowComparison {
    pub a: FlowSummary,
    pub b: FlowSummary,
    /// Real differences first, then those every launch has (times, nonce).
    pub claims: Vec<ClaimDiff>,
    pub findings: Vec<FindingDiff>,
    pub steps: Vec<StepDiff>,
}

/// The latest flow started before `id`, on the same side (an emulator launch has a twin on the
/// tool side), whose summary `key` (user, issuer) is the same.
pub fn previous(conn: &Connection, id: &str, key: &str) -> Result<Option<String>> {
    let flow = store::flows::get(conn, id)?.ok_or_else(|| Error::NotFound(format!("flow {id}")))?;
    let Some(value) = flow.summary.get(key).and_then(Value::as_str) else {
        return Ok(None);
    };
    // Walks the start-time index backwards and stops at the first match.
    Ok(conn
        .query_row(
            "SELECT id FROM flows WHERE started_at < ?1 AND id != ?2 AND side = ?5
               AND json_extract(summary_json, '$.' || ?3) = ?4
               AND EXISTS (SELECT 1 FROM messages m WHERE m.flow_id = flows.id AND m.kind = 'id_token')
             ORDER BY started_at DESC LIMIT 1",
            rusqlite::params![flow.started_at, id, key, value, flow.side.as_str()],
            |r| r.get(0),
        )
        .optional()?)
}

fn payload(d: &messages::FlowDetail) -> Map<String, Value> {
    d.messages
        .iter()
        .rev()
        .find(|m| m.message.kind == "id_token")
        .and_then(|m| m.decoded.as_ref())
        .map(|d| d.payload.clone())
        .unwrap_or_default()
}

fn report(d: &messages::FlowDetail) -> lti_protocol::finding::Report {
    let mut r = lti_protocol::finding::Report::new();
    for m in &d.messages {
        for f in &m.message.report.findings {
            r.push(f.clone());
        }
    }
    r
}

fn steps(conn: &Connection, d: &messages::FlowDetail) -> Result<Vec<(String, StepView)>> {
    let mut out: Vec<(String, StepView)> = Vec::new();
    for ex in &d.exchanges {
        let step = ex
            .step
            .clone()
            .unwrap_or_else(|| format!("{} {}", ex.method, ex.url));
        if out.iter().any(|(s, _)| *s == step) {
            continue;
        }
        let full = store::exchanges::get(conn, ex.id)?;
        let mut params: Vec<(String, String)> = url::Url::parse(&ex.url)
            .map(|u| {
                u.query_pairs()
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect()
            })
            .unwrap_or_default();
        if full.request_body_base64.is_none()
            && full.request_body.contains('=')
            && !full.request_body.contains(char::is_whitespace)
        {
            params.extend(
                url::form_urlencoded::parse(full.request_body.as_bytes())
                    .map(|(k, v)| (k.into_owned(), v.into_owned())),
            );
        }
        let cookie_names = full
            .request_headers
            .iter()
            .filter(|h| h.name.eq_ignore_ascii_case("cookie"))
            .flat_map(|h| {
                h.value
                    .split(';')
                    .filter_map(|c| c.split_once('=').map(|(k, _)| k.trim().to_string()))
                    .collect::<Vec<_>>()
            })
            .collect();
        out.push((
            step,
            StepView {
                status: ex.status,
                params,
                header_names: full
                    .request_headers
                    .iter()
                    .map(|h| h.name.clone())
                    .collect(),
                cookie_names,
            },
        ));
    }
    Ok(out)
}

pub fn flows(conn: &Connection, a: &str, b: &str) -> Result<FlowComparison> {
    let da = messages::detail(conn, a)?;
    let db = messages::detail(conn, b)?;
    let (sa, sb) = (steps(conn, &da)?, steps(conn, &db)?);
    let mut names: Vec<&String> = sa.iter().chain(&sb).map(|(s, _)| s).collect();
    names.dedup();
    let mut seen = std::collections::HashSet::new();
    let mut step_diffs = Vec::new();
    for n in names {
        if !seen.insert(n.clone()) {
            continue;
        }
        let get = |v: &[(String, StepView)]| {
            v.iter()
                .find(|(s, _)| s == n)
                .map(|(_, x)| x.clone())
                .unwrap_or_default()
        };
        let d = compare::step(n, &get(&sa), &get(&sb));
        if !d.differences.is_empty() || d.a_status != d.b_status {
            step_diffs.push(d);
        }
    }
    Ok(FlowComparison {
        claims: compare::claims(&payload(&da), &payload(&db)),
        findings: compare::findings(&report(&da), &report(&db)),
        steps: step_diffs,
        a: da.flow,
        b: db.flow,
    })
}

/// The comparison `args` asks for.
pub fn run(conn: &Connection, args: &CompareArgs) -> Result<FlowComparison> {
    let b = match (&args.b, args.with.as_deref()) {
        (Some(b), _) => b.clone(),
        (None, Some(w @ ("previous_user" | "previous_platform"))) => {
            let key = if w == "previous_user" {
                "user"
            } else {
                "issuer"
            };
            previous(conn, &args.a, key)?.ok_or_else(|| {
                Error::NotFound(format!(
                    "no earlier launch of the same {} to compare with",
                    if key == "user" { "user" } else { "platform" }
                ))
            })?
        }
        _ => {
            return Err(Error::BadRequest(
                "compare with what: give b, or with = previous_user | previous_platform".into(),
            ))
        }
    };
    flows(conn, &args.a, &b)
}
