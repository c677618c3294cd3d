//! LTI 1.1 Basic Outcomes from the tool side: from a captured 1.1 launch that carried
//! `lis_outcome_service_url` and `lis_result_sourcedid`, send replaceResult, readResult or
//! deleteResult as POX XML signed with the consumer's secret and an OAuth body hash. The call is
//! an exchange of the launch's flow; the request and the answer are checked and stored as a
//! message of it.
//!
//! Only from a launch whose signature verified: the outcome URL comes from the launch, and a
//! request signed with a real consumer's secret must never go where a forged launch points.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::ToolSide;
use lti_core::error::{Error, Result};
use lti_core::messages::{self, StoredMessage};
use lti_core::outbound::OutboundRequest;
use lti_core::store::Side;
use lti_protocol::finding::{Report, Verdict};
use lti_protocol::lti11::oauth1::{Method, Signer};
use lti_protocol::lti11::outcomes::{
    authorization_header, body_hash, check_request, check_response, parse_request, parse_response,
    request_xml, Operation,
};

#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct OutcomeArgs {
    pub flow_id: String,
    /// replace | read | delete (or replaceResult, readResult, deleteResult).
    pub operation: String,
    /// replaceResult: the score, a fraction in [0, 1] (other values are sent as given, to see
    /// how the platform answers, and reported).
    #[serde(default)]
    #[ts(optional = nullable)]
    pub score: Option<f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct OutcomeResult {
    pub operation: String,
    pub url: String,
    #[ts(optional = nullable)]
    pub status: Option<u16>,
    #[ts(optional = nullable)]
    pub code_major: Option<String>,
    #[ts(optional = nullable)]
    pub description: Option<String>,
    /// readResult: the score the platform holds.
    #[ts(optional = nullable)]
    pub score: Option<String>,
    pub request_xml: String,
    pub response_body: String,
    pub report: Report,
    pub verdict: Verdict,
}

/// What the launch gave: where, whose grade, which consumer.
struct Passback {
    url: String,
    sourcedid: String,
    key: String,
    method: Method,
}

fn passback_of(msg: &StoredMessage) -> Result<Passback> {
    let params = msg.params.clone().unwrap_or_default();
    let get = |k: &str| {
        params
            .iter()
            .find(|p| p.name == k)
            .map(|p| p.value.clone())
            .filter(|v| !v.is_empty())
    };
    if msg.verdict != Verdict::Valid {
        return Err(Error::BadRequest(format!(
            "grades are sent only from a launch whose signature verified against a registered consumer; this launch is {}",
            messages::verdict_str(msg.verdict)
        )));
    }
    let url = get("lis_outcome_service_url").ok_or_else(|| {
        Error::BadRequest("the launch carried no lis_outcome_service_url: the platform offers no grade passback for it".into())
    })?;
    let sourcedid = get("lis_result_sourcedid").ok_or_else(|| {
        Error::BadRequest("the launch carried no lis_result_sourcedid (instructors' launches usually do not): whose grade would it be?".into())
    })?;
    Ok(Passback {
        url,
        sourcedid,
        key: get("oauth_consumer_key").unwrap_or_default(),
        method: get("oauth_signature_method")
            .and_then(|m| Method::parse(&m))
            .unwrap_or(Method::HmacSha1),
    })
}

#[tracing::instrument(name = "lti11_outcome", skip_all, fields(flow = %args.flow_id, operation = %args.operation))]
pub async fn send(tool: &ToolSide, args: OutcomeArgs) -> Result<OutcomeResult> {
    let op = Operation::parse(&args.operation).ok_or_else(|| {
        Error::BadRequest(format!(
            "operation {:?}: replace, read or delete",
            args.operation
        ))
    })?;
    if op == Operation::Replace && args.score.is_none_or(|s| !s.is_finite()) {
        return Err(Error::BadRequest("replaceResult needs a score".into()));
    }
    let flow_id = args.flow_id.clone();
    let launch = tool
        .store()
        .read(move |c| {
            let d = messages::detail(c, &flow_id)?;
            Ok(d.messages
                .into_iter()
                .rev()
                .find(|m| m.message.kind == "lti11_launch"))
        })
        .await?
        .ok_or_else(|| Error::BadRequest("this flow has no LTI 1.1 launch".into()))?;
    let p = passback_of(&launch.message)?;
    let (_, secret) = super::consumers::lookup(tool, &p.key).await?;
    let secret = secret.ok_or_else(|| {
        Error::BadRequest(format!(
            "consumer key {:?} has no registered secret to sign with",
            p.key
        ))
    })?;
    let message_id = lti_core::ids::secret_token()[..20].to_string();
    let xml = request_xml(op, &message_id, &p.sourcedid, args.score);
    let signed = Signer {
        method: p.method,
        key: &p.key,
        secret: secret.expose(),
    }
    .sign_params(
        "POST",
        &p.url,
        &[("oauth_body_hash".into(), body_hash(xml.as_bytes()))],
        &lti_protocol::lti11::oauth1::nonce(&lti_core::ids::secret_token()),
        lti_core::clock::now_secs(),
    )
    .map_err(Error::BadRequest)?;
    let mut report = parse_request(&xml)
        .map(|r| check_request(&r))
        .unwrap_or_default();
    let sent = tool
        .core()
        .outbound()
        .send(OutboundRequest {
            flow_id: Some(&args.flow_id),
            side: Side::Tool,
            step: "lti11_outcomes",
            method: reqwest::Method::POST,
            url: &p.url,
            headers: vec![
                ("Content-Type".into(), "application/xml".into()),
                ("Authorization".into(), authorization_header(&signed)),
            ],
            body: xml.clone().into_bytes(),
        })
        .await;
    let (status, body) = match sent {
        Ok(r) => (
            Some(r.status),
            String::from_utf8_lossy(&r.body).into_owned(),
        ),
        Err(e) => {
            report.push(lti_protocol::finding::Finding::fail(
                "lti11.outcome.response",
                format!("No answer: {e}."),
            ));
            (None, String::new())
        }
    };
    let parsed = (status.is_some()).then(|| parse_response(&body));
    let (code_major, description, score) = match &parsed {
        Some(Ok(resp)) => {
            report.extend(check_response(resp, &message_id));
            (
                resp.code_major.clone(),
                resp.description.clone(),
                resp.score.clone(),
            )
        }
        Some(Err(why)) => {
            report.push(lti_protocol::finding::Finding::fail(
                "lti11.outcome.response",
                format!(
                    "HTTP {}: the answer is not a POX response ({why}).",
                    status.unwrap_or_default()
                ),
            ));
            (None, None, None)
        }
        None => (None, None, None),
    };
    let mut msg =
        StoredMessage::of_report("lti11_outcome_response", "lti11_outcomes", report.clone());
    msg.message_type = Some(op.name().to_string());
    msg.params = Some(messages::params_of(&[
        ("request".to_string(), xml.clone()),
        (
            "response".to_string(),
            body.chars().take(64 * 1024).collect(),
        ),
    ]));
    let fid = args.flow_id.clone();
    let encoded = messages::encode(&msg)?;
    tool.store()
        .write(move |tx| messages::add_encoded(tx, &fid, encoded, &serde_json::Map::new(), None))
        .await?;
    messages::announce(tool.core(), &args.flow_id).await;
    tracing::info!(?status, code_major = ?code_major, "LTI 1.1 outcome sent");
    Ok(OutcomeResult {
        operation: op.name().into(),
        url: p.url,
        status,
        code_major,
        description,
        score,
        request_xml: xml,
        response_body: body,
        verdict: report.verdict(),
        report,
    })
}
