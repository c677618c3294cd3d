//! `lti-inspector inspect`: validates what a user pastes or a customer sends — a compact JWT, a
//! JSON claims object, a form body (id_token post, OIDC login) or a whole HAR file — without a
//! server, as of a chosen time. Steps found in one HAR are correlated: the login's
//! target_link_uri and deployment, the auth request's nonce and state, are checked against the
//! id_token that followed.

use crate::claims::ExplainedClaim;
use crate::finding::{Counts, Finding, Report, Verdict};
use crate::jwk::Jwks;
use crate::message::{self, Detected};
use crate::validate::{
    self, AuthRequestContext, FormPostContext, IdTokenContext, LoginContext, LoginView,
    RegistrationView,
};
use serde::Serialize;
use serde_json::{Map, Value};

#[derive(Debug, Default, Clone)]
pub struct InspectOptions {
    pub jwks: Option<Jwks>,
    pub issuer: Option<String>,
    pub client_id: Option<String>,
    pub deployment_ids: Option<Vec<String>>,
    pub nonce: Option<String>,
    /// The tool's keys, for messages the tool signs (deep linking responses).
    pub tool_jwks: Option<Jwks>,
    /// Unix seconds to validate as of; default now (HAR steps: the time they were recorded).
    pub at: Option<i64>,
    /// LTI 1.1: the consumer key the secret belongs to (any key when absent).
    pub oauth_key: Option<String>,
    /// LTI 1.1: the shared secret to verify a launch's OAuth signature with.
    pub oauth_secret: Option<String>,
    /// LTI 1.1: the launch URL the consumer signed (a HAR entry's own URL otherwise).
    pub launch_url: Option<String>,
    /// Every MUST is an error, whatever the measured libraries accept (`--strict`).
    pub strict: bool,
}

impl InspectOptions {
    fn policy(&self) -> validate::Policy {
        validate::Policy {
            strict: self.strict,
            ..Default::default()
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum InspectError {
    #[error("unusable input: {0}")]
    Unusable(String),
}

#[derive(Debug, Serialize)]
pub struct ClaimOut {
    pub name: String,
    pub value: Value,
    pub known: bool,
    pub title: Option<String>,
    pub spec_url: Option<String>,
    pub vendor: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct InspectedMessage {
    /// Where it came from: `input`, or `har entry N: METHOD URL`.
    pub source: String,
    /// The HAR entry (0-based) the message was read from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry: Option<usize>,
    /// login | auth_request | id_token | claims | auth_error | deep_linking_response | lti11_launch
    pub kind: String,
    pub message_type: Option<String>,
    pub validated_at: i64,
    pub verdict: Verdict,
    pub counts: Counts,
    pub header: Option<Value>,
    pub claims: Vec<ClaimOut>,
    pub findings: Vec<Finding>,
    /// What real tool libraries do with each failed rule, as measured (crate::compat): rule id
    /// → "PyLTI1p3 2.0.0 rejects: … · ltijs 5.9.9 accepts · …".
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub libraries: std::collections::BTreeMap<String, String>,
    /// The measured libraries that would refuse this message (any of its failed rules).
    pub rejected_by: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct InspectOutput {
    pub input_kind: String,
    pub verdict: Verdict,
    pub messages: Vec<InspectedMessage>,
}

impl InspectOutput {
    /// 0 valid, 1 invalid, 3 unverified (2 is reserved for unusable input).
    pub fn exit_code(&self) -> u8 {
        match self.verdict {
            Verdict::Valid => 0,
            Verdict::Invalid => 1,
            Verdict::Unverified => 3,
        }
    }
}

fn claims_out(claims: Vec<ExplainedClaim>) -> Vec<ClaimOut> {
    claims
        .into_iter()
        .map(|c| ClaimOut {
            name: c.uri,
            value: c.value,
            known: c.known,
            title: c.name,
            spec_url: c.spec_url,
            vendor: c.vendor,
        })
        .collect()
}

fn worst(a: Verdict, b: Verdict) -> Verdict {
    let rank = |v: Verdict| match v {
        Verdict::Valid => 0,
        Verdict::Unverified => 1,
        Verdict::Invalid => 2,
    };
    if rank(b) > rank(a) {
        b
    } else {
        a
    }
}

fn registration(opts: &InspectOptions, token_iss: Option<&str>) -> Option<RegistrationView> {
    let client_id = opts.client_id.clone()?;
    Some(RegistrationView {
        issuer: opts
            .issuer
            .clone()
            .or_else(|| token_iss.map(str::to_string))
            .unwrap_or_default(),
        client_id,
        deployment_ids: opts.deployment_ids.clone(),
        trusted_audiences: None,
        redirect_uris: None,
    })
}

/// Correlation carried from earlier steps of the same HAR to later ones.
#[derive(Default)]
struct Correlation {
    login: Option<LoginView>,
    nonce: Option<String>,
    state: Option<String>,
    /// The deep linking request a later response answers.
    dl_request: Option<DlRequestSeen>,
}

/// What a deep linking response is checked against: the request's platform, client and `data`.
#[derive(Clone)]
struct DlRequestSeen {
    issuer: Option<String>,
    client_id: Option<String>,
    deployment_id: Option<String>,
    data: Option<String>,
    settings: Option<crate::deep_linking::DlSettings>,
}

impl DlRequestSeen {
    fn of(payload: &Map<String, Value>) -> Self {
        let s = |k: &str| payload.get(k).and_then(Value::as_str).map(str::to_string);
        let settings = crate::deep_linking::DlSettings::of_payload(payload);
        Self {
            issuer: s("iss"),
            client_id: crate::claims::client_of(payload),
            deployment_id: s(crate::vocab::claim::DEPLOYMENT_ID),
            data: settings.as_ref().and_then(|d| d.data_text()),
            settings,
        }
    }
}

/// A response's registration seen from the platform: the platform issuer is its `aud`, the
/// tool's client_id its `iss` (validate swaps them by message type).
fn response_registration(
    opts: &InspectOptions,
    request: Option<&DlRequestSeen>,
) -> Option<RegistrationView> {
    let issuer = opts
        .issuer
        .clone()
        .or_else(|| request.and_then(|r| r.issuer.clone()))?;
    let client_id = opts
        .client_id
        .clone()
        .or_else(|| request.and_then(|r| r.client_id.clone()))?;
    Some(RegistrationView {
        issuer,
        client_id,
        deployment_ids: opts.deployment_ids.clone().or_else(|| {
            request
                .and_then(|r| r.deployment_id.clone())
                .map(|d| vec![d])
        }),
        trusted_audiences: None,
        redirect_uris: None,
    })
}

fn from_report(source: &str, kind: &str, at: i64, report: Report) -> InspectedMessage {
    InspectedMessage {
        libraries: Default::default(),
        rejected_by: Vec::new(),
        source: source.into(),
        entry: None,
        kind: kind.into(),
        message_type: None,
        validated_at: at,
        verdict: report.verdict(),
        counts: report.counts(),
        header: None,
        claims: vec![],
        findings: report.findings,
    }
}

/// The measured libraries' stance on each failed rule, and who would refuse the message.
fn measured(findings: &[Finding]) -> (std::collections::BTreeMap<String, String>, Vec<String>) {
    let mut by_rule = std::collections::BTreeMap::new();
    let mut rejected_by: Vec<String> = Vec::new();
    for f in findings
        .iter()
        .filter(|f| f.outcome == crate::finding::Outcome::Fail)
    {
        if let Some(e) = crate::compat::evidence_for(f) {
            by_rule.insert(f.rule_id.to_string(), e.summary.clone());
            for lib in e.rejected_by() {
                if !rejected_by.contains(&lib) {
                    rejected_by.push(lib);
                }
            }
        }
    }
    (by_rule, rejected_by)
}

/// An LTI 1.1 launch: verified when a secret (and the URL it was signed for) is given, else
/// reported as unverified with what to pass.
fn lti11_message(
    source: &str,
    url: Option<&str>,
    params: &[(String, String)],
    opts: &InspectOptions,
    at: i64,
    seen: &mut Vec<String>,
) -> InspectedMessage {
    use crate::lti11::launch::{validate_launch, LaunchContext};
    use crate::lti11::oauth1::SignedRequest;
    let key = validate::param(params, "oauth_consumer_key").unwrap_or_default();
    let key_matches = opts.oauth_key.as_deref().is_none_or(|k| k == key);
    let url = opts.launch_url.as_deref().or(url);
    let nonce = validate::param(params, "oauth_nonce").map(|n| format!("lti11:{key}:{n}"));
    let nonce_seen = nonce.as_ref().map(|n| seen.contains(n));
    if let Some(n) = nonce {
        seen.push(n);
    }
    let secret = opts
        .oauth_secret
        .as_deref()
        .filter(|_| key_matches && url.is_some());
    let checked = validate_launch(
        &SignedRequest {
            http_method: "POST",
            url: url.unwrap_or("http://launch-url-not-given.invalid/"),
            alternative_urls: &[],
            query: &[],
            body: params,
        },
        &LaunchContext {
            now: at,
            secret,
            consumer_registered: opts.oauth_secret.is_some() && key_matches,
            nonce_seen_before: nonce_seen.filter(|_| source != "input"),
        },
    );
    let mut report = checked.report;
    if secret.is_none() {
        let why = match (&opts.oauth_secret, key_matches, url) {
            (None, _, _) => "Cannot verify: pass the consumer's shared secret (--secret, with --key and --url).".to_string(),
            (Some(_), false, _) => format!("Cannot verify: the secret given is for consumer key {:?}, this launch is signed by {key:?}.", opts.oauth_key.clone().unwrap_or_default()),
            (Some(_), true, None) => "Cannot verify: pass the launch URL the consumer signed (--url).".to_string(),
            _ => String::new(),
        };
        for f in report
            .findings
            .iter_mut()
            .filter(|f| f.rule_id == "lti11.signature" || f.rule_id == "lti11.consumer")
        {
            if f.rule_id == "lti11.signature" {
                f.message = why.clone();
            } else if opts.oauth_secret.is_none() {
                // Not registered anywhere: inspect has no registry, the secret is the input.
                f.outcome = crate::finding::Outcome::Skipped;
                f.message = "No --secret given for this consumer key.".into();
            }
        }
        if url.is_none() {
            report.findings.retain(|f| f.rule_id != "lti11.base_string");
        }
    }
    let mut m = from_report(source, "lti11_launch", at, report);
    m.message_type = checked.message_type;
    m.claims = params
        .iter()
        .map(|(k, v)| ClaimOut {
            name: k.clone(),
            value: Value::String(v.clone()),
            known: true,
            title: Some(k.clone()),
            spec_url: None,
            vendor: None,
        })
        .collect();
    if let Some(f) = m
        .findings
        .iter_mut()
        .find(|f| f.rule_id == "lti11.timestamp" && f.outcome == crate::finding::Outcome::Fail)
    {
        if let Some(ts) = validate::param(params, "oauth_timestamp") {
            f.hint = Some(format!(
                "To check the rest as of the moment it was signed: --at {ts}"
            ));
        }
    }
    m
}

fn token_message(
    source: &str,
    kind: &str,
    raw: &str,
    opts: &InspectOptions,
    corr: &mut Correlation,
    at: i64,
    seen: &mut Vec<String>,
) -> InspectedMessage {
    // Parsed once: the claims below and the validation use the same parse.
    let parsed = crate::jws::Jws::parse(raw).ok();
    let claim = |name: &str| {
        parsed
            .as_ref()
            .and_then(|j| j.payload.get(name))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let (iss, nonce) = (claim("iss"), claim("nonce"));
    let nonce_seen_before = nonce.as_ref().map(|n| {
        let dup = seen.contains(n);
        seen.push(n.clone());
        dup
    });
    let message_type = claim(crate::vocab::claim::MESSAGE_TYPE);
    let from_tool = message_type
        .as_deref()
        .is_some_and(validate::is_tool_originated);
    let ctx = if from_tool {
        // The tool's message: its keys, the request it answers; no login, no auth nonce.
        IdTokenContext {
            now: at,
            registration: response_registration(opts, corr.dl_request.as_ref()),
            jwks: opts.tool_jwks.as_ref(),
            nonce_seen_before,
            dl_request_data: corr.dl_request.as_ref().and_then(|r| r.data.clone()),
            policy: opts.policy(),
            ..IdTokenContext::at(at)
        }
    } else {
        IdTokenContext {
            now: at,
            policy: opts.policy(),
            registration: registration(opts, iss.as_deref()),
            jwks: opts.jwks.as_ref(),
            expected_nonce: opts.nonce.clone().or_else(|| corr.nonce.clone()),
            nonce_seen_before,
            login: corr.login.clone(),
            state: None,
            dl_request_data: None,
            skip_explain: false,
            // --secret verifies a migration claim's oauth_consumer_key_sign (of --key, if given).
            lti11_secret: opts.oauth_secret.clone().filter(|_| {
                opts.oauth_key.as_deref().is_none_or(|k| {
                    parsed
                        .as_ref()
                        .and_then(|j| j.payload.get(crate::vocab::claim::LTI1P1))
                        .and_then(|c| c.get("oauth_consumer_key"))
                        .and_then(Value::as_str)
                        == Some(k)
                })
            }),
        }
    };
    let mut r = match &parsed {
        Some(jws) => validate::id_token_parsed(jws, &ctx),
        // Unparsable: the full entry point reports why (jwt.format).
        None => validate::id_token(raw, &ctx),
    };
    if let Some(jws) = &parsed {
        if message_type.as_deref() == Some(crate::vocab::message::DEEP_LINKING) {
            corr.dl_request = Some(DlRequestSeen::of(&jws.payload));
        }
        if message_type.as_deref() == Some(crate::vocab::message::DEEP_LINKING_RESPONSE) {
            let settings = corr.dl_request.as_ref().and_then(|r| r.settings.as_ref());
            let (_, _, findings) = crate::deep_linking::response_findings(&jws.payload, settings);
            r.report.findings.extend(findings);
            r.verdict = r.report.verdict();
            r.counts = r.report.counts();
        }
    }
    InspectedMessage {
        source: source.into(),
        entry: None,
        kind: kind.into(),
        message_type: r.message_type.clone(),
        validated_at: at,
        verdict: r.verdict,
        counts: r.counts,
        header: r.jwt.as_ref().map(|j| j.header.clone()),
        claims: claims_out(r.claims),
        libraries: Default::default(),
        rejected_by: Vec::new(),
        findings: r.report.findings,
    }
}

fn claims_message(
    source: &str,
    claims: &Map<String, Value>,
    opts: &InspectOptions,
    at: i64,
) -> InspectedMessage {
    let iss = claims.get("iss").and_then(Value::as_str);
    let ctx = IdTokenContext {
        now: at,
        policy: opts.policy(),
        registration: registration(opts, iss),
        expected_nonce: opts.nonce.clone(),
        ..IdTokenContext::at(at)
    };
    let r = validate::claims(claims, &ctx);
    InspectedMessage {
        source: source.into(),
        entry: None,
        kind: "claims".into(),
        message_type: r.message_type.clone(),
        validated_at: at,
        verdict: r.verdict,
        counts: r.counts,
        header: None,
        claims: claims_out(r.claims),
        libraries: Default::default(),
        rejected_by: Vec::new(),
        findings: r.report.findings,
    }
}

/// One message, with what the measured libraries do with its failed checks — taken from its
/// final findings (an id_token post's form checks join its token's after validation).
fn one(
    source: &str,
    url: Option<&str>,
    detected: Detected,
    opts: &InspectOptions,
    corr: &mut Correlation,
    at: i64,
    seen: &mut Vec<String>,
) -> Result<InspectedMessage, InspectError> {
    let mut m = checked(source, url, detected, opts, corr, at, seen)?;
    (m.libraries, m.rejected_by) = measured(&m.findings);
    Ok(m)
}

fn checked(
    source: &str,
    url: Option<&str>,
    detected: Detected,
    opts: &InspectOptions,
    corr: &mut Correlation,
    at: i64,
    seen: &mut Vec<String>,
) -> Result<InspectedMessage, InspectError> {
    Ok(match detected {
        Detected::CompactJwt { token } => {
            token_message(source, "id_token", &token, opts, corr, at, seen)
        }
        Detected::ClaimsJson { claims, .. } => claims_message(source, &claims, opts, at),
        Detected::IdTokenPost { id_token, params } => {
            let mut m = token_message(source, "id_token", &id_token, opts, corr, at, seen);
            let mut form = validate::form_post(
                &params,
                &FormPostContext {
                    expected_state: corr.state.clone(),
                },
            );
            form.findings.append(&mut m.findings);
            m.verdict = form.verdict();
            m.counts = form.counts();
            m.findings = form.findings;
            m
        }
        Detected::DeepLinkingResponsePost { jwt, .. } => {
            token_message(source, "deep_linking_response", &jwt, opts, corr, at, seen)
        }
        Detected::AuthErrorPost { params, .. } => from_report(
            source,
            "auth_error",
            at,
            validate::form_post(
                &params,
                &FormPostContext {
                    expected_state: corr.state.clone(),
                },
            ),
        ),
        Detected::LoginInitiation { params } => {
            corr.login = Some(LoginView::from_params(&params));
            let regs = registration(opts, validate::param(&params, "iss")).map(|r| vec![r]);
            from_report(
                source,
                "login",
                at,
                validate::login(
                    &params,
                    &LoginContext {
                        registrations: regs,
                        tool_urls: vec![],
                        policy: Default::default(),
                    },
                ),
            )
        }
        Detected::AuthRequest { params } => {
            corr.nonce = validate::param(&params, "nonce").map(str::to_string);
            corr.state = validate::param(&params, "state").map(str::to_string);
            let ctx = AuthRequestContext {
                login: corr.login.clone(),
                registration: registration(opts, None),
                policy: Default::default(),
            };
            from_report(
                source,
                "auth_request",
                at,
                validate::auth_request(&params, &ctx),
            )
        }
        Detected::Lti11Launch { params } => lti11_message(source, url, &params, opts, at, seen),
        Detected::Unknown { reason } => return Err(InspectError::Unusable(reason)),
    })
}

pub fn inspect(text: &str, opts: &InspectOptions, now: i64) -> Result<InspectOutput, InspectError> {
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') {
        if let Ok(v) = serde_json::from_str::<Value>(trimmed) {
            if crate::har::looks_like_har(&v) {
                return inspect_har(text, opts, now);
            }
        }
    }
    let at = opts.at.unwrap_or(now);
    let detected = message::detect(text);
    let kind = match &detected {
        Detected::Unknown { reason } => return Err(InspectError::Unusable(reason.clone())),
        d => serde_json::to_value(d)
            .ok()
            .and_then(|v| v.get("kind").and_then(Value::as_str).map(str::to_string))
            .unwrap_or_default(),
    };
    let msg = one(
        "input",
        None,
        detected,
        opts,
        &mut Correlation::default(),
        at,
        &mut vec![],
    )?;
    Ok(InspectOutput {
        input_kind: kind,
        verdict: msg.verdict,
        messages: vec![msg],
    })
}

fn inspect_har(text: &str, opts: &InspectOptions, now: i64) -> Result<InspectOutput, InspectError> {
    let steps = crate::har::lti_steps(text).map_err(|e| InspectError::Unusable(e.to_string()))?;
    if steps.is_empty() {
        return Err(InspectError::Unusable("the HAR file contains no LTI step (no login initiation, auth request or id_token post)".into()));
    }
    let messages = inspect_steps(&steps, opts, now);
    let verdict = messages
        .iter()
        .fold(Verdict::Valid, |v, m| worst(v, m.verdict));
    Ok(InspectOutput {
        input_kind: "har".into(),
        verdict,
        messages,
    })
}

/// The LTI steps of one HAR file, each validated as of its recorded time (or `opts.at`), later
/// steps checked against earlier ones (the login's target, the auth request's nonce and state).
/// A step that cannot be read is a `jwt.format` failure, not an error: the rest still count.
pub fn inspect_steps(
    steps: &[crate::har::HarStep],
    opts: &InspectOptions,
    now: i64,
) -> Vec<InspectedMessage> {
    let mut corr = Correlation::default();
    let mut seen = Vec::new();
    let mut messages = Vec::new();
    for step in steps {
        let at = opts.at.or(step.started_at).unwrap_or(now);
        let source = format!("har entry {}: {} {}", step.index, step.method, step.url);
        let body: String = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(step.params.iter())
            .finish();
        let mut m = match one(
            &source,
            Some(&step.url),
            message::detect(&body),
            opts,
            &mut corr,
            at,
            &mut seen,
        ) {
            Ok(m) => m,
            Err(InspectError::Unusable(why)) => {
                let mut report = Report::new();
                report.push(Finding::fail(
                    "jwt.format",
                    format!("This step could not be read: {why}"),
                ));
                from_report(&source, "unreadable", at, report)
            }
        };
        m.entry = Some(step.index);
        messages.push(m);
    }
    messages
}

/// A terminal rendering: verdict, then per message its failures, skips and a claim list.
/// `s` cut to at most `max` bytes with "..." at the end, at a character boundary: a claim value
/// can hold any characters, and a byte count can fall inside one (found by fuzzing `inspect`).
fn clip(mut s: String, max: usize) -> String {
    if s.len() <= max {
        return s;
    }
    let mut end = max.saturating_sub(3);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s.truncate(end);
    s.push_str("...");
    s
}

pub fn render_text(out: &InspectOutput) -> String {
    render_text_clipped(out, Some(100))
}

/// [`render_text`] with claim values cut at `clip_at` bytes, or printed whole (`None`:
/// `inspect --whole`).
pub fn render_text_clipped(out: &InspectOutput, clip_at: Option<usize>) -> String {
    use crate::finding::Outcome;
    let mut s = String::new();
    let v = |v: Verdict| match v {
        Verdict::Valid => "VALID",
        Verdict::Invalid => "INVALID",
        Verdict::Unverified => "UNVERIFIED (no key to check the signature)",
    };
    s.push_str(&format!(
        "verdict: {}  ({} message(s), input: {})\n",
        v(out.verdict),
        out.messages.len(),
        out.input_kind
    ));
    for m in &out.messages {
        s.push_str(&format!(
            "\n== {} — {}{} — {}\n   {} passed, {} failed ({} errors, {} warnings), {} skipped; validated as of {}\n",
            m.source,
            m.kind,
            m.message_type.as_ref().map(|t| format!(" {t}")).unwrap_or_default(),
            v(m.verdict),
            m.counts.passed,
            m.counts.failed,
            m.counts.errors,
            m.counts.warnings,
            m.counts.skipped,
            readable_time(m.validated_at)
        ));
        for f in m.findings.iter().filter(|f| f.outcome != Outcome::Pass) {
            // A skipped check is not an error: it says "skipped", whatever its rule's severity.
            let label = match f.outcome {
                Outcome::Fail => format!("✗ [{}]", severity_word(f.severity)),
                _ => "– [skipped]".to_string(),
            };
            s.push_str(&format!("   {label} {}: {}\n", f.rule_id, f.message));
            if let Some(h) = &f.hint {
                s.push_str(&format!("       hint: {h}\n"));
            }
            s.push_str(&format!("       {} {}\n", f.spec_section, f.spec_url));
            if let Some(libs) = m.libraries.get(f.rule_id.as_ref()) {
                s.push_str(&format!("       real libraries: {libs}\n"));
            }
        }
        if m.counts.failed > 0 && !m.libraries.is_empty() {
            s.push_str(&match m.rejected_by.as_slice() {
                [] => "   would be rejected by: none of the measured tool libraries\n".to_string(),
                libs => format!("   would be rejected by: {}\n", libs.join(", ")),
            });
        }
        if !m.claims.is_empty() {
            s.push_str("   claims:\n");
            for c in &m.claims {
                let val = match clip_at {
                    Some(n) => clip(c.value.to_string(), n),
                    None => c.value.to_string(),
                };
                let title = c.title.clone().unwrap_or_else(|| "(unknown claim)".into());
                s.push_str(&format!("     {title}: {val}\n"));
            }
        }
    }
    s
}

fn severity_word(s: crate::finding::Severity) -> &'static str {
    use crate::finding::Severity;
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

/// `2026-12-06 10:00:00 UTC (1796551200)`: people read the date, scripts keep the number.
fn readable_time(secs: i64) -> String {
    match time::OffsetDateTime::from_unix_timestamp(secs) {
        Ok(t) => format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC ({secs})",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        ),
        Err(_) => secs.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::har::HarStep;
    use crate::keys::SigningKey;
    use crate::vocab::claim;
    use serde_json::json;

    fn step(index: usize, method: &str, url: &str, params: &[(&str, &str)]) -> HarStep {
        HarStep {
            index,
            method: method.into(),
            url: url.into(),
            started_at: Some(1_000),
            params: params
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            status: Some(200),
        }
    }

    /// A deep linking round trip as a browser records it: login, auth request (nonce N1),
    /// the platform's request, then the tool's response (its own nonce, its own key).
    fn round_trip(platform: &SigningKey, tool: &SigningKey) -> Vec<HarStep> {
        let request = json!({"iss": "https://lms.example", "aud": ["tool-1"], "azp": "tool-1",
            "sub": "u1", "iat": 990, "exp": 1_300, "nonce": "N1",
            claim::MESSAGE_TYPE: "LtiDeepLinkingRequest", claim::VERSION: "1.3.0",
            claim::DEPLOYMENT_ID: "d1", claim::TARGET_LINK_URI: "https://tool.example/deep",
            claim::DL_SETTINGS: {"deep_link_return_url": "https://lms.example/ret", "accept_types": ["link"],
                "accept_presentation_document_targets": ["iframe"], "data": "opaque-1"}});
        let request = request.as_object().unwrap().clone();
        let draft = crate::deep_linking::ResponseDraft {
            items: vec![json!({"type": "link", "url": "https://x.example", "title": "X"})],
            ..Default::default()
        };
        let response =
            crate::deep_linking::response_claims(&request, &draft, 1_000, "N2-tool", None).unwrap();
        let id_token = crate::jws::sign_rs256(&Map::new(), &request, platform).unwrap();
        let jwt = crate::jws::sign_rs256(&Map::new(), &response, tool).unwrap();
        vec![
            step(
                0,
                "GET",
                "https://tool.example/login",
                &[
                    ("iss", "https://lms.example"),
                    ("login_hint", "u1"),
                    ("target_link_uri", "https://tool.example/launch"),
                    ("client_id", "tool-1"),
                    ("lti_deployment_id", "d1"),
                ],
            ),
            step(
                1,
                "GET",
                "https://lms.example/auth",
                &[
                    ("scope", "openid"),
                    ("response_type", "id_token"),
                    ("client_id", "tool-1"),
                    ("redirect_uri", "https://tool.example/launch"),
                    ("login_hint", "u1"),
                    ("state", "S1"),
                    ("response_mode", "form_post"),
                    ("nonce", "N1"),
                    ("prompt", "none"),
                ],
            ),
            step(
                2,
                "POST",
                "https://tool.example/launch",
                &[("id_token", &id_token), ("state", "S1")],
            ),
            step(3, "POST", "https://lms.example/ret", &[("JWT", &jwt)]),
        ]
    }

    fn finding<'a>(m: &'a InspectedMessage, rule: &str) -> &'a Finding {
        m.findings
            .iter()
            .find(|f| f.rule_id == rule)
            .unwrap_or_else(|| panic!("no {rule}"))
    }

    /// Issue 14, item 2: a failed rule names what the measured libraries do with it, and the
    /// message who would refuse it — only for the way of breaking it that was measured.
    #[test]
    fn findings_say_which_real_libraries_refuse_them() {
        let dl = |settings: Value| {
            serde_json::json!({
                "iss": "https://lms.example", "aud": "c", "sub": "u", "iat": 1000, "exp": 1300, "nonce": "n",
                "https://purl.imsglobal.org/spec/lti/claim/message_type": "LtiDeepLinkingRequest",
                "https://purl.imsglobal.org/spec/lti/claim/version": "1.3.0",
                "https://purl.imsglobal.org/spec/lti/claim/deployment_id": "d",
                "https://purl.imsglobal.org/spec/lti/claim/roles": [],
                "https://purl.imsglobal.org/spec/lti/claim/target_link_uri": "https://tool.example/dl",
                "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings": settings,
            })
            .to_string()
        };
        let opts = InspectOptions::default();
        // Left out, as the cases did: PyLTI1p3 and atomic-lti refuse it.
        let out = inspect(&dl(serde_json::json!({"accept_types": ["ltiResourceLink"], "accept_presentation_document_targets": ["iframe"]})), &opts, 1000).unwrap();
        let m = &out.messages[0];
        assert!(
            m.libraries["dl.deep_link_return_url"].contains("PyLTI1p3 2.0.0 rejects"),
            "{:?}",
            m.libraries
        );
        assert!(
            m.rejected_by.iter().any(|l| l.starts_with("PyLTI1p3")),
            "{:?}",
            m.rejected_by
        );
        let text = render_text(&out);
        assert!(
            text.contains("real libraries: PyLTI1p3 2.0.0 rejects"),
            "{text}"
        );
        assert!(
            text.lines()
                .any(|l| l.contains("would be rejected by:") && l.contains("PyLTI1p3 2.0.0")),
            "{text}"
        );
        // A relative URL (a warning of the same rule): not what was measured, nothing claimed.
        let out = inspect(&dl(serde_json::json!({"deep_link_return_url": "/dl", "accept_types": ["ltiResourceLink"], "accept_presentation_document_targets": ["iframe"]})), &opts, 1000).unwrap();
        let m = &out.messages[0];
        assert!(m
            .findings
            .iter()
            .any(|f| f.rule_id == "dl.deep_link_return_url"
                && f.outcome == crate::finding::Outcome::Fail));
        assert!(
            !m.libraries.contains_key("dl.deep_link_return_url"),
            "{:?}",
            m.libraries
        );
        assert!(m.rejected_by.is_empty(), "{:?}", m.rejected_by);
    }

    /// A form post's own checks count too: a state the auth request never issued is
    /// measured (every library refuses it), so the post names them.
    #[test]
    fn a_forged_state_in_the_form_post_names_the_libraries() {
        let (platform, tool) = (
            SigningKey::generate().unwrap(),
            SigningKey::generate().unwrap(),
        );
        let mut steps = round_trip(&platform, &tool);
        for p in steps[2].params.iter_mut().filter(|(k, _)| k == "state") {
            p.1 = "forged".into();
        }
        let out = inspect_steps(&steps, &InspectOptions::default(), 1_000);
        let post = &out[2];
        assert!(post
            .findings
            .iter()
            .any(|f| f.rule_id == "response.state" && f.outcome == crate::finding::Outcome::Fail));
        assert!(
            post.libraries.contains_key("response.state"),
            "{:?}",
            post.libraries
        );
        assert_eq!(post.rejected_by.len(), 3, "{:?}", post.rejected_by);
    }

    /// Skipped checks read as skipped, never as "[error]"; the time reads as a date.
    #[test]
    fn text_output_says_skipped_and_dates() {
        let (platform, tool) = (
            SigningKey::generate().unwrap(),
            SigningKey::generate().unwrap(),
        );
        let steps = round_trip(&platform, &tool);
        let out = InspectOutput {
            input_kind: "har".into(),
            verdict: Verdict::Unverified,
            messages: inspect_steps(&steps, &InspectOptions::default(), 1_796_551_200),
        };
        let text = render_text(&out);
        assert!(text.contains("– [skipped] idtoken.nbf"), "{text}");
        assert!(
            !text
                .lines()
                .any(|l| l.contains("[error]") && l.contains("– ")),
            "{text}"
        );
        assert!(
            text.contains("validated as of 1970-01-01 00:16:40 UTC (1000)"),
            "{text}"
        );
        // Settings (a long object) are cut unless printed whole.
        let long_line = |t: &str| {
            t.lines()
                .find(|l| l.contains("deep_link_return_url"))
                .unwrap()
                .to_string()
        };
        assert!(long_line(&text).ends_with("..."), "{text}");
        let whole = render_text_clipped(&out, None);
        assert!(long_line(&whole).contains("opaque-1"), "{whole}");
    }

    #[test]
    fn a_deep_linking_response_is_checked_as_the_tools_message() {
        let (platform, tool) = (
            SigningKey::generate().unwrap(),
            SigningKey::generate().unwrap(),
        );
        let steps = round_trip(&platform, &tool);
        let opts = InspectOptions {
            jwks: Some(Jwks {
                keys: vec![platform.public_jwk()],
            }),
            tool_jwks: Some(Jwks {
                keys: vec![tool.public_jwk()],
            }),
            ..Default::default()
        };
        let out = inspect_steps(&steps, &opts, 1_000);
        let resp = &out[3];
        assert_eq!(resp.kind, "deep_linking_response");
        let fails: Vec<_> = resp
            .findings
            .iter()
            .filter(|f| f.is_failed_error())
            .map(|f| f.rule_id.to_string())
            .collect();
        assert!(fails.is_empty(), "{fails:?}");
        assert_eq!(resp.verdict, Verdict::Valid);
        assert!(finding(resp, "jwt.signature").message.contains(tool.kid()));
        // Checked against the request it answers: the platform (aud) and the data echoed.
        assert!(finding(resp, "idtoken.aud").outcome == crate::finding::Outcome::Pass);
        assert!(finding(resp, "dl.response_data").outcome == crate::finding::Outcome::Pass);
        // No login correlation: the tool's nonce is its own, and a response answers no login.
        assert!(finding(resp, "idtoken.nonce").outcome != crate::finding::Outcome::Fail);
        assert!(
            finding(resp, "lti.target_link_uri_matches_login").outcome
                != crate::finding::Outcome::Fail
        );

        // Without the tool's keys: unverified, saying whose keys to give — never "no kid in the
        // platform JWKS".
        let opts = InspectOptions {
            tool_jwks: None,
            ..opts
        };
        let out = inspect_steps(&steps, &opts, 1_000);
        let resp = &out[3];
        assert_eq!(
            resp.verdict,
            Verdict::Unverified,
            "{:?}",
            resp.findings
                .iter()
                .filter(|f| f.is_failed_error())
                .collect::<Vec<_>>()
        );
        assert!(finding(resp, "jwt.signature")
            .message
            .contains("tool's key"));
        assert!(finding(resp, "jwt.kid").outcome == crate::finding::Outcome::Pass);

        // A response checked against the platform's keys (as before) names the tool JWKS.
        let opts = InspectOptions {
            tool_jwks: Some(Jwks {
                keys: vec![platform.public_jwk()],
            }),
            ..opts
        };
        let resp = &inspect_steps(&steps, &opts, 1_000)[3];
        assert!(
            finding(resp, "jwt.kid").message.contains("tool JWKS"),
            "{}",
            finding(resp, "jwt.kid").message
        );
    }

    #[test]
    fn clipping_never_cuts_a_character() {
        assert_eq!(clip("short".into(), 100), "short");
        let s = format!("\"{}é{}\"", "a".repeat(95), "b".repeat(10));
        let c = clip(s, 100);
        assert!(c.len() <= 100 && c.ends_with("..."), "{c}");
        assert_eq!(clip("éééé".into(), 6), "é...");
    }

    /// The text report of a claim value with a multi-byte character where it is cut (byte 97)
    /// once panicked (found by fuzzing; fuzz/regressions/inspect/claim-value-multibyte-at-byte-97).
    #[test]
    fn a_long_claim_with_a_multibyte_character_renders() {
        let claims = format!(
            r#"{{"{}":"LtiResourceLinkRequest","https://example.com/x":"{}é{}"}}"#,
            crate::vocab::claim::MESSAGE_TYPE,
            "a".repeat(95),
            "b".repeat(10)
        );
        let out = inspect(&claims, &InspectOptions::default(), 1_700_000_000).unwrap();
        let text = render_text(&out);
        assert!(text.contains("aaa..."), "{text}");
    }

    /// LTI 1.1: a form body with --key/--secret/--url verifies; without the secret, or with
    /// another consumer's, it is unverified and says what to pass; in a HAR the entry's URL is
    /// the one checked and a repeated nonce is a replay.
    #[test]
    fn lti11_launches_are_inspected() {
        use crate::lti11::oauth1::{Method, Signer};
        let url = "https://tool.example/lti11/launch";
        let signed = Signer {
            method: Method::HmacSha1,
            key: "ck",
            secret: "cs",
        }
        .sign_params(
            "POST",
            url,
            &[
                (
                    "lti_message_type".to_string(),
                    "basic-lti-launch-request".to_string(),
                ),
                ("lti_version".into(), "LTI-1p0".into()),
                ("resource_link_id".into(), "r1".into()),
                ("user_id".into(), "u1".into()),
            ],
            "n1",
            1_000,
        )
        .unwrap();
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(signed.iter())
            .finish();
        let opts = |key: Option<&str>, secret: Option<&str>, u: Option<&str>| InspectOptions {
            oauth_key: key.map(str::to_string),
            oauth_secret: secret.map(str::to_string),
            launch_url: u.map(str::to_string),
            ..Default::default()
        };
        let out = inspect(&body, &opts(Some("ck"), Some("cs"), Some(url)), 1_010).unwrap();
        assert_eq!(out.input_kind, "lti11_launch");
        assert_eq!(out.verdict, Verdict::Valid, "{}", render_text(&out));
        let out = inspect(&body, &opts(None, None, None), 1_010).unwrap();
        assert_eq!(out.verdict, Verdict::Unverified);
        assert!(finding(&out.messages[0], "lti11.signature")
            .message
            .contains("--secret"));
        let out = inspect(&body, &opts(Some("other"), Some("cs"), Some(url)), 1_010).unwrap();
        assert_eq!(out.verdict, Verdict::Unverified);
        assert!(finding(&out.messages[0], "lti11.signature")
            .message
            .contains("\"other\""));
        let stale = inspect(&body, &opts(Some("ck"), Some("cs"), Some(url)), 100_000).unwrap();
        assert!(finding(&stale.messages[0], "lti11.timestamp")
            .hint
            .as_deref()
            .unwrap()
            .contains("--at 1000"));

        let pairs: Vec<(&str, &str)> = signed
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let steps = vec![step(0, "POST", url, &pairs), step(1, "POST", url, &pairs)];
        let msgs = inspect_steps(&steps, &opts(None, Some("cs"), None), 1_010);
        assert_eq!(
            msgs[0].verdict,
            Verdict::Valid,
            "the entry's own URL is used"
        );
        assert_eq!(msgs[1].verdict, Verdict::Invalid);
        assert_eq!(
            finding(&msgs[1], "lti11.nonce").outcome,
            crate::finding::Outcome::Fail
        );
    }
}
