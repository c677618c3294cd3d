//! The LTI Advantage service client (tool side): from a captured launch that carries service
//! claims, get an access token (client credentials with a signed JWT assertion, cached per
//! registration and scopes), then call NRPS and AGS. Every token request and service call is
//! recorded as an exchange of the launch's flow (side Tool, steps `token`, `nrps`, `ags`), and
//! what the checks of the answers found is stored as a message of that flow.

pub mod ags;
pub mod nrps;
pub mod token;
/// The checks of what a platform answered (pure, in the protocol crate).
pub use lti_protocol::service_answers as validate;

use lti_protocol::finding::{Finding, Outcome, Report, Severity};
use lti_protocol::jws::Jws;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use ts_rs::TS;

use crate::ToolSide;
use lti_core::error::{Error, Result};
use lti_core::messages::StoredMessage;
use lti_core::outbound::OutboundRequest;
use lti_core::store::{self, Header, Platform, Side};

pub use lti_protocol::vocab::claim::{
    AGS_ENDPOINT as AGS_CLAIM, DEPLOYMENT_ID as DEPLOYMENT_CLAIM, NRPS as NRPS_CLAIM,
    RESOURCE_LINK as RESOURCE_LINK_CLAIM,
};
pub use lti_protocol::vocab::{media, scope};

/// What a captured launch makes possible: its platform registration and the service claims.
#[derive(Debug, Clone)]
pub struct LaunchContext {
    pub flow_id: String,
    pub platform: Platform,
    pub deployment_id: Option<String>,
    /// Every scope the launch granted (the AGS claim's scopes, plus NRPS when its claim is there).
    pub scopes: Vec<String>,
    pub lineitems: Option<String>,
    pub lineitem: Option<String>,
    pub memberships: Option<String>,
    pub resource_link_id: Option<String>,
}

fn str_of(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

impl LaunchContext {
    /// Reads the launch's id_token and finds the registration of its (iss, aud).
    ///
    /// Services run only from a launch whose signature verified: the service URLs and the
    /// issuer come from its claims, and an unsigned or forged id_token naming a registered
    /// issuer would otherwise make the next Roster click send that platform's real access token
    /// to whatever URL the forger wrote.
    pub async fn of_flow(tool: &ToolSide, flow_id: &str) -> Result<Self> {
        // Service calls run inside a command's span: name their flow there.
        tracing::Span::current().record("flow", flow_id);
        let id = flow_id.to_string();
        let (raw, signature) = tool
            .store()
            .read(move |c| {
                lti_core::messages::flow_summary(c, &id)?;
                Ok(lti_core::messages::latest_id_token(c, &id)?.map(|(_, m)| {
                    let signature = m
                        .report
                        .findings
                        .iter()
                        .rev()
                        .find(|f| f.rule_id == "jwt.signature")
                        .map(|f| (f.outcome, f.message.to_string()));
                    (m.raw, signature)
                }))
            })
            .await?
            .and_then(|(raw, sig)| raw.map(|r| (r, sig)))
            .ok_or_else(|| {
                Error::BadRequest(format!("flow {flow_id} has no captured id_token (launch)"))
            })?;
        match signature {
            Some((Outcome::Pass, _)) => {}
            other => {
                let why = other
                    .map(|(_, m)| m)
                    .unwrap_or_else(|| "the signature was never checked".into());
                return Err(Error::BadRequest(format!(
                    "services run only from a launch whose signature verified against a registered platform; this launch's did not ({why}) — register the platform with its keys and re-check the launch, or launch again"
                )));
            }
        }
        let jws = Jws::parse(&raw)
            .map_err(|e| Error::BadRequest(format!("the flow's id_token is unreadable: {e}")))?;
        let claims = Value::Object(jws.payload.clone());
        Self::from_claims(tool, flow_id, &claims).await
    }

    pub async fn from_claims(tool: &ToolSide, flow_id: &str, claims: &Value) -> Result<Self> {
        let iss = str_of(claims, "iss")
            .ok_or_else(|| Error::BadRequest("the launch's id_token has no iss".into()))?;
        let aud = match claims.get("aud") {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Array(a)) => str_of(claims, "azp")
                .or_else(|| a.first().and_then(Value::as_str).map(str::to_string)),
            _ => None,
        };
        let (i, a) = (iss.clone(), aud.clone());
        let platform = tool
            .store()
            .read(move |c| store::platforms::find(c, &i, a.as_deref()))
            .await?
            .ok_or_else(|| {
                Error::BadRequest(format!(
                    "no platform registration for issuer {iss:?} and client_id {:?}: register it to call its services",
                    aud.unwrap_or_default()
                ))
            })?;
        let ags = claims.get(AGS_CLAIM).cloned().unwrap_or(Value::Null);
        let nrps = claims.get(NRPS_CLAIM).cloned().unwrap_or(Value::Null);
        let mut scopes: Vec<String> = ags
            .get("scope")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        let memberships = str_of(&nrps, "context_memberships_url");
        if memberships.is_some() && !scopes.iter().any(|s| s == scope::NRPS) {
            scopes.push(scope::NRPS.to_string());
        }
        Ok(Self {
            flow_id: flow_id.to_string(),
            platform,
            deployment_id: str_of(claims, DEPLOYMENT_CLAIM),
            scopes,
            lineitems: str_of(&ags, "lineitems"),
            lineitem: str_of(&ags, "lineitem"),
            memberships,
            resource_link_id: claims
                .get(RESOURCE_LINK_CLAIM)
                .and_then(|r| str_of(r, "id")),
        })
    }

    pub fn granted(&self, s: &str) -> bool {
        self.scopes.iter().any(|x| x == s)
    }

    /// The origins an access token of this launch may go to: those of the launch's (signed)
    /// service claims and of the registration's token endpoint.
    pub fn origins(&self) -> Vec<String> {
        let mut out: Vec<String> = [
            self.lineitems.as_deref(),
            self.lineitem.as_deref(),
            self.memberships.as_deref(),
            Some(self.platform.token_endpoint.as_str()),
        ]
        .into_iter()
        .flatten()
        .filter_map(|u| url::Url::parse(u).ok())
        .map(|u| u.origin())
        .filter(|o| o.is_tuple())
        .map(|o| o.ascii_serialization())
        .collect();
        out.dedup();
        out
    }

    /// Whether `url` is on an origin of the launch's service claims or of the token endpoint.
    pub fn known_origin(&self, url: &str) -> bool {
        let Some(target) = url::Url::parse(url).ok().map(|u| u.origin()) else {
            return false;
        };
        target.is_tuple() && self.origins().contains(&target.ascii_serialization())
    }
}

/// One HTTP exchange a service operation made, for opening its raw request and response.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct CallRecord {
    pub step: String,
    pub method: String,
    pub url: String,
    #[ts(optional = nullable)]
    pub status: Option<u16>,
    /// The recorded exchange (0 when it could not be stored).
    #[ts(type = "number")]
    pub exchange_id: i64,
    #[ts(optional = nullable)]
    pub error: Option<String>,
}

/// What every operation returns besides its data: the exchanges and the response findings.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct CallLog {
    pub calls: Vec<CallRecord>,
    pub findings: Vec<Finding>,
}

/// A successful service answer.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<Header>,
    pub body: Vec<u8>,
    pub url: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }
    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }
    /// The answer as the protocol crate's checks read it.
    pub fn answer(&self) -> validate::Answer<'_> {
        validate::Answer {
            url: &self.url,
            content_type: self.header("content-type"),
            links: self
                .headers
                .iter()
                .filter(|h| h.name.eq_ignore_ascii_case("link"))
                .map(|h| h.value.as_str())
                .collect(),
            body: &self.body,
        }
    }
}

pub fn header<'a>(headers: &'a [Header], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case(name))
        .map(|h| h.value.as_str())
}

/// A service request.
pub struct Call<'a> {
    /// `nrps` or `ags`.
    pub step: &'a str,
    pub method: reqwest::Method,
    pub url: String,
    pub accept: &'a str,
    pub content_type: Option<&'a str>,
    pub body: Vec<u8>,
    /// The scope the call needs (the first is named in a 403 finding).
    pub needs: &'a [&'a str],
}

/// Sends a service call with a cached access token; a 401 gets one fresh token and one retry,
/// a 403 becomes a finding naming the scope; timeouts, oversized answers and error statuses are
/// findings too, and errors of the operation.
pub async fn call(
    tool: &ToolSide,
    ctx: &LaunchContext,
    req: Call<'_>,
    log: &mut CallLog,
    report: &mut Report,
) -> Result<Reply> {
    if !ctx.known_origin(&req.url) {
        // The access token is a bearer credential: sent to an origin the platform did not sign
        // for, it is handed to whoever runs that origin. Refuse before any token is requested.
        let why = format!(
            "{} is not on an origin the launch's signed service claims or the registration's token endpoint name; the access token is not sent there",
            req.url
        );
        report.push(
            Finding::fail("service.origin", format!("Refused: {why}."))
                .severity(Severity::Error)
                .expected(ctx.origins().join(" "))
                .actual(req.url.clone()),
        );
        log.calls.push(CallRecord {
            step: req.step.into(),
            method: req.method.to_string(),
            url: req.url.clone(),
            status: None,
            exchange_id: 0,
            error: Some(why.clone()),
        });
        return Err(Error::BadRequest(why));
    }
    let mut retried = false;
    loop {
        let access = token::access_token(tool, ctx, log, retried).await?;
        let mut headers = vec![
            ("Authorization".to_string(), format!("Bearer {access}")),
            ("Accept".to_string(), req.accept.to_string()),
        ];
        if let Some(ct) = req.content_type {
            headers.push(("Content-Type".to_string(), ct.to_string()));
        }
        let sent = tool
            .outbound()
            .send(OutboundRequest {
                flow_id: Some(&ctx.flow_id),
                side: Side::Tool,
                step: req.step,
                method: req.method.clone(),
                url: &req.url,
                headers,
                body: req.body.clone(),
            })
            .await;
        let res = match sent {
            Ok(r) => r,
            Err(e) => {
                log.calls.push(CallRecord {
                    step: req.step.into(),
                    method: req.method.to_string(),
                    url: req.url.clone(),
                    status: None,
                    exchange_id: last_exchange_id(tool, &ctx.flow_id).await,
                    error: Some(e.to_string()),
                });
                report.push(
                    Finding::fail("service.status", format!("No usable answer: {e}."))
                        .actual(e.to_string()),
                );
                return Err(Error::Internal(format!("{} {}: {e}", req.method, req.url)));
            }
        };
        log.calls.push(CallRecord {
            step: req.step.into(),
            method: req.method.to_string(),
            url: req.url.clone(),
            status: Some(res.status),
            exchange_id: res.exchange_id,
            error: None,
        });
        let reply = Reply {
            status: res.status,
            headers: res.headers,
            body: res.body,
            url: req.url.clone(),
        };
        match reply.status {
            401 if !retried => {
                token::forget(tool, ctx);
                retried = true;
                continue;
            }
            401 => {
                report.push(
                    Finding::fail(
                        "service.status",
                        "401 again with a freshly issued token: the platform does not accept its own tokens for this call.",
                    )
                    .actual(body_snippet(&reply.body)),
                );
                return Err(Error::BadRequest(format!(
                    "{} {} was refused (401) twice, the second time with a new access token: {}",
                    req.method,
                    req.url,
                    body_snippet(&reply.body)
                )));
            }
            403 => {
                let need = req.needs.first().copied().unwrap_or_default();
                // Only a scope the launch did not grant is a scope problem; a 403 for a granted
                // scope is the platform refusing this particular call (e.g. another tool's
                // resource link in an rlid filter), and saying "request the scope" would mislead.
                let why = if ctx.granted(need) {
                    let why = format!(
                        "403: the platform refused {} {} although the launch granted {need}; read its answer for the reason.",
                        req.method, req.url
                    );
                    report.push(
                        Finding::fail("service.status", why.clone())
                            .actual(body_snippet(&reply.body)),
                    );
                    why
                } else {
                    let why = format!(
                        "403: this call needs the scope {need}, which the launch did not grant; the platform's registration of the tool must grant it."
                    );
                    report.push(
                        Finding::fail("service.insufficient_scope", why.clone())
                            .expected(need)
                            .actual(ctx.scopes.join(" ")),
                    );
                    why
                };
                return Err(Error::BadRequest(why));
            }
            s if !(200..300).contains(&s) => {
                report.push(
                    Finding::fail(
                        "service.status",
                        format!("{} {} answered {s}.", req.method, req.url),
                    )
                    .actual(body_snippet(&reply.body)),
                );
                return Err(Error::BadRequest(format!(
                    "{} {} answered {s}: {}",
                    req.method,
                    req.url,
                    body_snippet(&reply.body)
                )));
            }
            s => {
                report.push(
                    Finding::pass("service.status", format!("{} answered {s}.", req.method))
                        .actual(s.to_string()),
                );
                return Ok(reply);
            }
        }
    }
}

async fn last_exchange_id(tool: &ToolSide, flow_id: &str) -> i64 {
    let id = flow_id.to_string();
    tool.store()
        .read(move |c| {
            Ok(c.query_row(
                "SELECT COALESCE(MAX(id), 0) FROM exchanges WHERE flow_id = ?1",
                [id],
                |r| r.get::<_, i64>(0),
            )?)
        })
        .await
        .unwrap_or(0)
}

pub use lti_protocol::service_answers::snippet as body_snippet;

/// Stores the report of one operation as a message of the launch's flow and announces it.
pub async fn record(
    tool: &ToolSide,
    flow_id: &str,
    kind: &str,
    step: &str,
    raw: Option<String>,
    report: Report,
) {
    let msg = StoredMessage {
        raw,
        ..StoredMessage::of_report(kind, step, report)
    };
    store_message(tool, flow_id, msg).await;
}

/// A service call's report, named for what it was (the flow view's tab reads "AGS score", not
/// the third "ags response").
async fn record_as(
    tool: &ToolSide,
    flow_id: &str,
    kind: &str,
    step: &str,
    what: Option<&str>,
    report: Report,
) {
    let msg = StoredMessage {
        message_type: what.map(str::to_string),
        ..StoredMessage::of_report(kind, step, report)
    };
    store_message(tool, flow_id, msg).await;
}

async fn store_message(tool: &ToolSide, flow_id: &str, msg: StoredMessage) {
    let id = flow_id.to_string();
    let stored = tool
        .store()
        .write(move |tx| lti_core::messages::add_message(tx, &id, &msg, &Map::new(), None))
        .await;
    if let Err(e) = stored {
        tracing::error!(error = %e, "could not store a service message");
    }
    lti_core::messages::announce(tool.core(), flow_id).await;
}

/// Runs `op` and stores its report on the flow whatever the outcome.
pub(crate) async fn recorded<T>(
    tool: &ToolSide,
    ctx: &LaunchContext,
    (kind, what): (&str, &str),
    step: &str,
    log: &mut CallLog,
    report: &mut Report,
    result: Result<T>,
) -> Result<T> {
    // The log may already hold the token response's findings: keep them, add the call's.
    log.findings.extend(report.findings.iter().cloned());
    record_as(
        tool,
        &ctx.flow_id,
        kind,
        step,
        Some(what),
        std::mem::take(report),
    )
    .await;
    result
}

/// Appends query parameters to a URL that may already have some.
pub fn with_query(url: &str, pairs: &[(&str, Option<String>)]) -> Result<String> {
    let mut u = url::Url::parse(url)
        .map_err(|e| Error::BadRequest(format!("not an absolute URL: {url:?}: {e}")))?;
    {
        let mut q = u.query_pairs_mut();
        for (k, v) in pairs {
            if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
                q.append_pair(k, v);
            }
        }
    }
    let s = u.to_string();
    Ok(s.strip_suffix('?').map(str::to_string).unwrap_or(s))
}
