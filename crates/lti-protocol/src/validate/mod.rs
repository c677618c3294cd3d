//! Validation of every step of an LTI 1.3 launch as a [`Report`]: login initiation, the
//! authentication request, the form post back, and the id_token (signature, OIDC claims, LTI
//! claims per message type). Checks never stop early: each reports pass, fail or skipped with
//! what was expected and what was seen.
//!
//! Everything the checks compare against (time, registration, JWKS, stored nonce and state)
//! comes in through the context structs, so a captured launch can be re-validated as of the
//! moment it arrived.

mod auth;
mod claim_values;
mod core_claims;
mod login;
mod messages;
mod response;
mod token;
mod urls;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use ts_rs::TS;

use crate::claims::{self, ExplainedClaim};
use crate::finding::{Counts, Finding, Report, Severity, Verdict};
use crate::jwk::Jwks;
use crate::jws::{DecodedJws, Jws, JwsError, SignatureCheck};
use crate::lms::{self, LmsProfile};
use crate::roles::RoleBadge;

pub use urls::{is_absolute_url, is_localhost};

/// Claim URIs the validators read: the vocabulary's, under the names this module has always
/// used.
pub mod uri {
    pub use crate::vocab::claim::*;
    pub use crate::vocab::claim::{AGS_ENDPOINT as AGS, AP_ATTEMPT, AP_START_URL};
}

/// LTI message types this crate knows, platform-originated first.
pub const MESSAGE_TYPES: &[&str] = &[
    "LtiResourceLinkRequest",
    "LtiDeepLinkingRequest",
    "LtiSubmissionReviewRequest",
    "LtiStartProctoring",
    "LtiEndAssessment",
    "LtiEulaRequest",
    "LtiReportReviewRequest",
    "LtiAssetProcessorSettingsRequest",
    "DataPrivacyLaunchRequest",
    "LtiHelloWorldNotice",
    "LtiContextCopyNotice",
    "LtiAssetProcessorSubmissionNotice",
    "LtiDeepLinkingResponse",
    "LtiStartAssessment",
];

/// Messages a tool sends to the platform: iss is the client_id and aud the platform issuer.
pub fn is_tool_originated(message_type: &str) -> bool {
    matches!(
        message_type,
        "LtiDeepLinkingResponse" | "LtiStartAssessment"
    )
}

/// Platform notices (PNS), which carry no user launch claims.
pub fn is_notice(message_type: &str) -> bool {
    message_type.ends_with("Notice")
}

/// Validation knobs. Every default is stated on its field and in [`Policy::default`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Policy {
    /// Seconds of clock skew tolerated on exp, iat and nbf. Default **5** (packback's advice;
    /// skew of a fraction of a second already breaks strict libraries).
    pub leeway_secs: i64,
    /// Maximum accepted age (now − iat) in seconds. Default **None**: not checked (ltijs uses
    /// 10 s, which rejects slow first launches).
    pub max_token_age_secs: Option<i64>,
    /// Whether a launch without `sub` is an anonymous launch (info) rather than an error.
    /// Default **true**: LTI Core §5.3.6.1 allows anonymous launches (ltijs rejects them).
    pub allow_anonymous_launch: bool,
    /// Whether `http:` URLs on localhost/127.0.0.1/::1 are info rather than warnings.
    /// Default **true** (local development).
    pub allow_http_localhost: bool,
    /// RSA key size below which `jwt.key_strength` warns. Default **2048** (RFC 7518 §3.3).
    pub min_key_bits: u32,
    /// Every MUST of the catalog is an error, measured or not. Default **false**: a broken
    /// rule that every measured tool library accepts (crate::compat), and that is not a
    /// security check ([`rules::SECURITY_RULES`]), is reported as a warning — the launch works
    /// with real tools, so it is not shown as invalid. See docs/RULES.md, "Verdicts".
    pub strict: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            leeway_secs: 5,
            max_token_age_secs: None,
            allow_anonymous_launch: true,
            allow_http_localhost: true,
            min_key_bits: 2048,
            strict: false,
        }
    }
}

/// What the tool knows about one platform registration.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct RegistrationView {
    pub issuer: String,
    pub client_id: String,
    /// Known deployments; None accepts any (reported as info).
    pub deployment_ids: Option<Vec<String>>,
    /// Extra audiences the tool trusts besides its client_id; None = not configured (extra
    /// audiences are then a warning, not an error).
    pub trusted_audiences: Option<Vec<String>>,
    /// Redirect URIs registered on the platform, for exact-match checks of auth requests.
    pub redirect_uris: Option<Vec<String>>,
}

/// The login initiation values later steps are compared with.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct LoginView {
    pub iss: Option<String>,
    pub login_hint: Option<String>,
    pub target_link_uri: Option<String>,
    pub lti_message_hint: Option<String>,
    pub lti_deployment_id: Option<String>,
    pub client_id: Option<String>,
}

impl LoginView {
    /// From login parameters; Canvas's non-standard `deployment_id` counts when
    /// `lti_deployment_id` is absent.
    pub fn from_params(params: &[(String, String)]) -> Self {
        let get = |n: &str| param(params, n).map(str::to_string);
        Self {
            iss: get("iss"),
            login_hint: get("login_hint"),
            target_link_uri: get("target_link_uri"),
            lti_message_hint: get("lti_message_hint"),
            lti_deployment_id: get("lti_deployment_id").or_else(|| get("deployment_id")),
            client_id: get("client_id"),
        }
    }
}

/// The state the tool stored at step 2 and the one that came back at step 3.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct StateCheck {
    pub expected: Option<String>,
    pub received: Option<String>,
}

/// Context for [`login`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct LoginContext {
    /// Registrations the tool knows; None = unknown (registration checks are skipped).
    pub registrations: Option<Vec<RegistrationView>>,
    /// The tool's own base URLs; target_link_uri must start with one. Empty = not checked.
    pub tool_urls: Vec<String>,
    pub policy: Policy,
}

/// Context for [`auth_request`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct AuthRequestContext {
    /// The login this request answers, when captured.
    pub login: Option<LoginView>,
    pub registration: Option<RegistrationView>,
    pub policy: Policy,
}

/// Context for [`form_post`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct FormPostContext {
    /// The state stored at step 2; None = unknown (state check skipped).
    pub expected_state: Option<String>,
}

/// Context for [`id_token`] and [`claims`].
#[derive(Debug, Clone, Default)]
pub struct IdTokenContext<'a> {
    /// The time to validate at, unix seconds (captured launches use their arrival time).
    pub now: i64,
    pub policy: Policy,
    pub registration: Option<RegistrationView>,
    /// The platform's key set; None = signature not checked (verdict at best unverified).
    pub jwks: Option<&'a Jwks>,
    /// The nonce sent in the authentication request.
    pub expected_nonce: Option<String>,
    /// Whether this nonce was already received (from the caller's nonce store).
    pub nonce_seen_before: Option<bool>,
    pub login: Option<LoginView>,
    pub state: Option<StateCheck>,
    /// For deep linking responses: the request's deep_linking_settings.data.
    pub dl_request_data: Option<String>,
    /// Leave `IdTokenReport::claims` empty: the capture hot path stores the raw token and
    /// explains claims when a flow is read. Default false (explain).
    pub skip_explain: bool,
    /// The LTI 1.1 shared secret of the consumer key named in the lti1p1 migration claim, when
    /// known: `oauth_consumer_key_sign` is verified with it.
    pub lti11_secret: Option<String>,
}

impl IdTokenContext<'_> {
    /// A context validating at `now` with default policy and nothing else known.
    pub fn at(now: i64) -> Self {
        Self {
            now,
            ..Self::default()
        }
    }
}

/// Everything known about one id_token (or other LTI JWT) after validation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct IdTokenReport {
    /// The decoded JWS, when it parsed (None for claims given as JSON or unparsable input).
    pub jwt: Option<DecodedJws>,
    pub parse_error: Option<JwsError>,
    /// The signature check's outcome, when one was attempted.
    pub signature: Option<SignatureCheck>,
    pub report: Report,
    pub verdict: Verdict,
    pub counts: Counts,
    pub message_type: Option<String>,
    /// Every claim of the payload with its explanation, in payload order.
    pub claims: Vec<ExplainedClaim>,
    pub roles: Vec<RoleBadge>,
    pub lms: Option<LmsProfile>,
}

/// First value of a parameter.
pub fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Parses an `application/x-www-form-urlencoded` body or query string into ordered pairs.
pub fn parse_form(body: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body.trim().trim_start_matches('?').as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// Whether a string is a non-empty ASCII identifier of at most `max` characters.
pub(crate) fn ascii_id_problem(s: &str, max: usize) -> Option<String> {
    if s.is_empty() {
        Some("is empty".into())
    } else if !s.is_ascii() {
        Some("contains non-ASCII characters".into())
    } else if s.len() > max {
        Some(format!("is {} characters long (max {max})", s.len()))
    } else {
        None
    }
}

/// Short display of a JSON value for expected/actual fields.
pub(crate) fn show(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Validates OIDC third-party login initiation parameters (LTI-NOTES §2.1).
pub fn login(params: &[(String, String)], ctx: &LoginContext) -> Report {
    login::check(params, ctx)
}

/// Validates an OIDC authentication request (LTI-NOTES §2.2), as a tool sends it.
pub fn auth_request(params: &[(String, String)], ctx: &AuthRequestContext) -> Report {
    auth::check(params, ctx)
}

/// Validates the authentication response form post (LTI-NOTES §2.3).
pub fn form_post(fields: &[(String, String)], ctx: &FormPostContext) -> Report {
    response::check(fields, ctx)
}

/// Validates a compact JWT id_token (or any LTI message JWT): format, alg, kid, signature,
/// OIDC claims and LTI claims for its message type.
pub fn id_token(raw: &str, ctx: &IdTokenContext<'_>) -> IdTokenReport {
    let mut report = Report::new();
    let jws = match Jws::parse(raw) {
        Ok(jws) => jws,
        Err(e) => {
            report.push(
                Finding::fail("jwt.format", format!("Not a compact JWS: {e}."))
                    .path("id_token")
                    .expected("header.payload.signature (base64url JSON objects)")
                    .actual(raw.chars().take(80).collect::<String>()),
            );
            report.push(Finding::skipped(
                "jwt.signature",
                "The token could not be parsed.",
            ));
            return finish(
                None,
                Some(e),
                None,
                report,
                &Map::new(),
                Checked::default(),
                ctx.skip_explain,
            );
        }
    };
    id_token_parsed(&jws, ctx)
}

/// [`id_token`] for a token the caller already parsed (the capture endpoint reads `iss`, `kid`
/// and `nonce` first to find the registration and keys): the same report, without parsing the
/// token a second time.
pub fn id_token_parsed(jws: &Jws, ctx: &IdTokenContext<'_>) -> IdTokenReport {
    let mut report = Report::new();
    report.push(Finding::pass(
        "jwt.format",
        "Three base64url segments; header and payload are JSON objects.",
    ));
    let ctx = &for_direction(&jws.payload, ctx);
    let profile = detect_profile(&jws.payload);
    let signature = token::check_jws(jws, ctx, profile.as_ref(), &mut report);
    let checked = check_payload(&jws.payload, ctx, profile, &mut report);
    calibrate(&mut report, &ctx.policy);
    finish(
        Some(jws.decoded()),
        None,
        signature,
        report,
        &jws.payload,
        checked,
        ctx.skip_explain,
    )
}

/// Validates an unsigned claims object (pasted JSON, a decoded payload): every claim check
/// runs, the JWS checks are skipped, so the verdict is at best `unverified`.
pub fn claims(payload: &Map<String, Value>, ctx: &IdTokenContext<'_>) -> IdTokenReport {
    let mut report = Report::new();
    let why = "Claims were given as JSON, not as a signed JWT.";
    report.push(Finding::skipped("jwt.format", why));
    report.push(Finding::skipped("jwt.alg", why));
    report.push(Finding::skipped("jwt.kid", why));
    report.push(Finding::skipped(
        "jwt.signature",
        "Unsigned claims: the signature was not checked.",
    ));
    let profile = detect_profile(payload);
    let checked = check_payload(payload, &for_direction(payload, ctx), profile, &mut report);
    calibrate(&mut report, &ctx.policy);
    finish(None, None, None, report, payload, checked, ctx.skip_explain)
}

fn detect_profile(payload: &Map<String, Value>) -> Option<LmsProfile> {
    lms::detect_from_claims(payload)
}

/// What the payload checks found out that the report carries too: computed once.
#[derive(Default)]
struct Checked {
    message_type: Option<String>,
    roles: Vec<RoleBadge>,
    lms: Option<LmsProfile>,
}

/// A tool's message (deep linking response) answers no login and carries the tool's own
/// nonce: the login-correlation checks (login target and deployment, the auth request's nonce
/// and state) apply to id_tokens only, whatever the caller carried over from earlier steps.
fn for_direction<'c, 'a>(
    payload: &Map<String, Value>,
    ctx: &'c IdTokenContext<'a>,
) -> std::borrow::Cow<'c, IdTokenContext<'a>> {
    let tool = payload
        .get(uri::MESSAGE_TYPE)
        .and_then(Value::as_str)
        .is_some_and(is_tool_originated);
    if !tool || (ctx.login.is_none() && ctx.expected_nonce.is_none() && ctx.state.is_none()) {
        return std::borrow::Cow::Borrowed(ctx);
    }
    std::borrow::Cow::Owned(IdTokenContext {
        login: None,
        expected_nonce: None,
        state: None,
        ..ctx.clone()
    })
}

fn check_payload(
    payload: &Map<String, Value>,
    ctx: &IdTokenContext<'_>,
    profile: Option<LmsProfile>,
    report: &mut Report,
) -> Checked {
    let message_type = payload.get(uri::MESSAGE_TYPE).and_then(Value::as_str);
    let mt = message_type.unwrap_or("");
    token::check_claims(payload, ctx, mt, profile.as_ref(), report);
    if let Some(state) = &ctx.state {
        response::check_state(state.expected.as_deref(), state.received.as_deref(), report);
    }
    let roles = core_claims::check(payload, ctx, mt, profile.as_ref(), report);
    messages::check(payload, ctx, mt, profile.as_ref(), report);
    urls::check_payload(payload, &ctx.policy, report);
    Checked {
        message_type: message_type.map(str::to_string),
        roles,
        lms: profile,
    }
}

/// Severities follow the evidence (Policy::strict turns this off): a failed error whose rule
/// every measured tool library accepts, and which guards nothing ([`crate::rules::is_security`]), is
/// lowered to a warning that says so ([`crate::compat::RuleEvidence::lowered_to_warning`]).
/// The spec text stays on the finding.
pub fn calibrate(report: &mut Report, policy: &Policy) {
    if policy.strict {
        return;
    }
    for f in &mut report.findings {
        if !f.is_failed_error() {
            continue;
        }
        let Some(e) = crate::compat::evidence_for(f) else {
            continue;
        };
        if e.lowered_to_warning {
            f.severity = Severity::Warning;
            f.message = format!(
                "{} A MUST of the spec, but every measured tool library accepts it ({}): a warning, not a rejection (strict mode makes it an error).",
                f.message,
                e.libraries
                    .iter()
                    .map(|l| crate::compat::named(&l.library, &l.version))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
}

fn finish(
    jwt: Option<DecodedJws>,
    parse_error: Option<JwsError>,
    signature: Option<SignatureCheck>,
    report: Report,
    payload: &Map<String, Value>,
    checked: Checked,
    skip_explain: bool,
) -> IdTokenReport {
    IdTokenReport {
        jwt,
        parse_error,
        signature,
        verdict: report.verdict(),
        counts: report.counts(),
        report,
        message_type: checked.message_type,
        claims: if skip_explain {
            Vec::new()
        } else {
            claims::explain(payload)
        },
        roles: checked.roles,
        lms: checked.lms,
    }
}

#[cfg(test)]
mod tests;
