//! Validation of an LTI 1.1 launch (a signed form POST): the OAuth 1.0a signature explained part
//! by part, timestamp and nonce, the required LTI parameters, roles, outcomes and return URL.
//! Pure: the secret, the clock and the nonce memory come in as arguments.

use super::oauth1::{self, Method, SignedRequest};
use crate::finding::{Finding, Report, Severity};
use crate::roles::{self, CONTEXT_ROLES};
use crate::validate::param;

/// Seconds a timestamp may be away from the verifier's clock (oauthlib's default; most tool
/// libraries use 5 to 10 minutes).
pub const TIMESTAMP_WINDOW: i64 = 600;

pub const BASIC_LAUNCH: &str = "basic-lti-launch-request";
pub const CONTENT_ITEM: &str = "ContentItemSelectionRequest";
/// Message types of the LTI 1.x family a tool may receive.
const KNOWN_MESSAGE_TYPES: &[&str] = &[
    BASIC_LAUNCH,
    CONTENT_ITEM,
    "ContentItemSelection",
    "ToolProxyRegistrationRequest",
    "ToolProxyReregistrationRequest",
];

/// What is wrong with a consumer key as a registration form gives it (trimmed), if anything:
/// required, at most 255 characters, no control characters.
pub fn consumer_key_problem(key: &str) -> Option<String> {
    let key = key.trim();
    if key.is_empty() {
        Some("consumer key: required".into())
    } else if key.len() > 255 {
        Some(format!(
            "consumer key: {} characters (at most 255)",
            key.len()
        ))
    } else if key.chars().any(char::is_control) {
        Some("consumer key: contains control characters".into())
    } else {
        None
    }
}

/// What the verifier knows besides the request.
pub struct LaunchContext<'a> {
    /// Unix seconds to validate as of (a captured launch is re-checked as of its arrival).
    pub now: i64,
    /// The shared secret registered for the request's consumer key; None: cannot verify.
    pub secret: Option<&'a str>,
    /// Whether the consumer key is registered at all (a registration may lack its secret).
    pub consumer_registered: bool,
    /// Whether this (consumer key, nonce) was received before; None: not known.
    pub nonce_seen_before: Option<bool>,
}

/// The parts of the signature check the flow view shows.
#[derive(Debug, Clone, PartialEq)]
pub struct SignatureDetail {
    pub base_string: String,
    pub normalized_url: String,
    pub params: Vec<String>,
    pub computed: Option<String>,
}

pub struct LaunchReport {
    pub report: Report,
    pub message_type: Option<String>,
    pub signature: Option<SignatureDetail>,
}

/// Validates a 1.1 launch: `req` holds the URL and parameters as received.
pub fn validate_launch(req: &SignedRequest<'_>, ctx: &LaunchContext<'_>) -> LaunchReport {
    let all: Vec<(String, String)> = req.query.iter().chain(req.body.iter()).cloned().collect();
    let mut r = Report::new();
    let signature = check_oauth(req, &all, ctx, &mut r);
    let message_type = param(&all, "lti_message_type").map(str::to_string);
    check_lti(&all, message_type.as_deref(), &mut r);
    LaunchReport {
        report: r,
        message_type,
        signature,
    }
}

fn check_oauth(
    req: &SignedRequest<'_>,
    all: &[(String, String)],
    ctx: &LaunchContext<'_>,
    r: &mut Report,
) -> Option<SignatureDetail> {
    // Required OAuth parameters, each once.
    let required = [
        "oauth_consumer_key",
        "oauth_signature_method",
        "oauth_timestamp",
        "oauth_nonce",
        "oauth_signature",
    ];
    let missing: Vec<&str> = required
        .iter()
        .copied()
        .filter(|k| param(all, k).is_none_or(str::is_empty))
        .collect();
    if missing.is_empty() {
        r.push(Finding::pass(
            "lti11.oauth_params",
            "Every OAuth parameter is present.",
        ));
    } else {
        r.push(
            Finding::fail(
                "lti11.oauth_params",
                format!("Missing OAuth parameters: {}.", missing.join(", ")),
            )
            .expected(required.join(", ")),
        );
    }
    match param(all, "oauth_version") {
        None | Some("1.0") => {}
        Some(v) => r.push(
            Finding::fail(
                "lti11.oauth_params",
                format!("oauth_version is {v:?}; OAuth 1.0a requires \"1.0\" when present."),
            )
            .path("oauth_version")
            .expected("1.0")
            .actual(v),
        ),
    }
    let mut duplicates: Vec<&str> = all
        .iter()
        .enumerate()
        .filter(|(i, (k, _))| all[..*i].iter().any(|(k2, _)| k2 == k))
        .map(|(_, (k, _))| k.as_str())
        .collect();
    duplicates.dedup();
    if duplicates.is_empty() {
        r.push(Finding::pass(
            "lti11.duplicate_params",
            "No parameter is sent twice.",
        ));
    } else {
        r.push(Finding::fail(
            "lti11.duplicate_params",
            format!(
                "Sent more than once (in the form, or in the URL and the form): {}. Each copy is signed; tools that keep only one read a value the consumer may not have meant.",
                duplicates.join(", ")
            ),
        ));
    }

    // Timestamp window.
    match param(all, "oauth_timestamp").map(|t| t.parse::<i64>()) {
        Some(Ok(ts)) => {
            let skew = ctx.now.checked_sub(ts);
            match skew {
                Some(s) if s.abs() <= TIMESTAMP_WINDOW => r.push(
                    Finding::pass("lti11.timestamp", format!("Signed {} before it was checked.", seconds(s)))
                        .actual(ts.to_string()),
                ),
                Some(s) => r.push(
                    Finding::fail(
                        "lti11.timestamp",
                        if s > 0 {
                            format!("Signed {} before it was checked: stale (a replayed or delayed launch, or a consumer clock behind).", seconds(s))
                        } else {
                            format!("Signed {} in the future: the consumer's clock is ahead.", seconds(-s))
                        },
                    )
                    .path("oauth_timestamp")
                    .expected(format!("within {TIMESTAMP_WINDOW} s of {}", ctx.now))
                    .actual(ts.to_string()),
                ),
                None => r.push(Finding::fail("lti11.timestamp", "oauth_timestamp is out of range.").actual(ts.to_string())),
            }
        }
        Some(Err(_)) => r.push(
            Finding::fail(
                "lti11.timestamp",
                "oauth_timestamp is not a number of seconds.",
            )
            .path("oauth_timestamp")
            .actual(param(all, "oauth_timestamp").unwrap_or_default()),
        ),
        None => r.push(Finding::skipped("lti11.timestamp", "No oauth_timestamp.")),
    }

    // Nonce replay.
    match (param(all, "oauth_nonce"), ctx.nonce_seen_before) {
        (Some(_), Some(true)) => r.push(
            Finding::fail("lti11.nonce", "This consumer already sent this oauth_nonce: a replayed launch (a reload, a back button, or a copied form).")
                .path("oauth_nonce"),
        ),
        (Some(_), Some(false)) => r.push(Finding::pass("lti11.nonce", "The nonce was not seen before.")),
        (Some(_), None) => r.push(Finding::skipped("lti11.nonce", "Not checked (no nonce memory for an imported or inspected launch).")),
        (None, _) => r.push(Finding::skipped("lti11.nonce", "No oauth_nonce.")),
    }

    // Consumer and signature.
    let key = param(all, "oauth_consumer_key").unwrap_or_default();
    if ctx.consumer_registered {
        r.push(Finding::pass(
            "lti11.consumer",
            format!("Consumer key {key:?} is registered."),
        ));
    } else {
        r.push(
            Finding::fail(
                "lti11.consumer",
                format!("Consumer key {key:?} is not registered: register it with its shared secret (Platforms → LTI 1.1 consumers) to verify the signature."),
            )
            .path("oauth_consumer_key")
            .actual(key),
        );
    }
    let method_name = param(all, "oauth_signature_method").unwrap_or_default();
    let method = Method::parse(method_name);
    match method {
        Some(m) => r.push(Finding::pass(
            "lti11.signature_method",
            format!("{} is supported.", m.name()),
        )),
        None => r.push(
            Finding::fail(
                "lti11.signature_method",
                format!(
                    "oauth_signature_method {method_name:?} is not one an LTI 1.1 tool accepts."
                ),
            )
            .path("oauth_signature_method")
            .expected("HMAC-SHA1 (or HMAC-SHA256)")
            .actual(method_name),
        ),
    }
    let normalized = match oauth1::normalize_url(req.url) {
        Ok(u) => u,
        Err(e) => {
            r.push(Finding::fail(
                "lti11.signature",
                format!("The launch URL cannot be normalised: {e}."),
            ));
            return None;
        }
    };
    let base = oauth1::BaseString::new(req.http_method, &normalized, all);
    let mut detail = SignatureDetail {
        base_string: base.text(),
        normalized_url: normalized.clone(),
        params: base.params.clone(),
        computed: None,
    };
    let received = param(all, "oauth_signature").unwrap_or_default();
    match (ctx.secret, method) {
        (None, _) => r.push(Finding::skipped(
            "lti11.signature",
            "Cannot verify: no shared secret is registered for this consumer key (the launch is not invalid for that).",
        )),
        (Some(_), None) => r.push(Finding::skipped(
            "lti11.signature",
            "Not checked: unsupported signature method.",
        )),
        (Some(secret), Some(m)) => match oauth1::verify(req, m, secret, received) {
            Ok(v) if v.matches => {
                detail.computed = Some(v.computed);
                r.push(Finding::pass(
                    "lti11.signature",
                    format!("The {} signature verifies with the registered secret over {normalized}.", m.name()),
                ));
            }
            Ok(v) => {
                let why = match &v.cause {
                    Some(c) => c.explain(),
                    None => format!(
                        "Most likely the secret: the consumer's shared secret for key {key:?} differs from the registered one (or it signed a URL or parameters that could not be guessed). Checked, without a match: {}.",
                        v.tried.join("; ")
                    ),
                };
                r.push(
                    Finding::fail("lti11.signature", format!("The signature does not match. {why}"))
                        .path("oauth_signature")
                        .expected(v.computed.clone())
                        .actual(v.received.clone()),
                );
                detail.computed = Some(v.computed);
            }
            Err(e) => r.push(Finding::fail("lti11.signature", format!("Not checked: {e}."))),
        },
    }
    r.push(
        Finding::pass(
            "lti11.base_string",
            format!(
                "Signature base string: {} & {} & the {} parameters below, sorted and encoded.",
                req.http_method.to_ascii_uppercase(),
                normalized,
                detail.params.len()
            ),
        )
        .actual(detail.base_string.clone()),
    );
    Some(detail)
}

fn check_lti(all: &[(String, String)], message_type: Option<&str>, r: &mut Report) {
    match message_type {
        Some(t) if KNOWN_MESSAGE_TYPES.contains(&t) => r.push(Finding::pass(
            "lti11.message_type",
            format!("lti_message_type is {t}."),
        )),
        Some(t) => r.push(
            Finding::fail(
                "lti11.message_type",
                format!("lti_message_type {t:?} is not an LTI 1.x message type."),
            )
            .path("lti_message_type")
            .expected(BASIC_LAUNCH)
            .actual(t),
        ),
        None => r.push(
            Finding::fail("lti11.message_type", "lti_message_type is missing.")
                .expected(BASIC_LAUNCH),
        ),
    }
    match param(all, "lti_version") {
        Some("LTI-1p0") => r.push(Finding::pass(
            "lti11.version",
            "lti_version is LTI-1p0 (LTI 1.0 to 1.2 all send it).",
        )),
        Some(v) => r.push(
            Finding::fail(
                "lti11.version",
                format!("lti_version {v:?}: LTI 1.x launches send LTI-1p0."),
            )
            .path("lti_version")
            .expected("LTI-1p0")
            .actual(v),
        ),
        None => {
            r.push(Finding::fail("lti11.version", "lti_version is missing.").expected("LTI-1p0"))
        }
    }
    if message_type == Some(BASIC_LAUNCH) {
        match param(all, "resource_link_id").filter(|v| !v.is_empty()) {
            Some(id) => r.push(Finding::pass(
                "lti11.resource_link_id",
                format!("resource_link_id is {id:?}."),
            )),
            None => r.push(Finding::fail(
                "lti11.resource_link_id",
                "resource_link_id is missing: a basic launch must name the link it comes from.",
            )),
        }
    }
    if message_type == Some(CONTENT_ITEM) {
        let missing: Vec<&str> = [
            "content_item_return_url",
            "accept_media_types",
            "accept_presentation_document_targets",
        ]
        .into_iter()
        .filter(|k| param(all, k).is_none_or(str::is_empty))
        .collect();
        if missing.is_empty() {
            r.push(Finding::pass(
                "lti11.content_item",
                "The content-item request says where to return and what it accepts.",
            ));
        } else {
            r.push(Finding::fail(
                "lti11.content_item",
                format!("Missing: {}.", missing.join(", ")),
            ));
        }
    }
    match param(all, "user_id").filter(|v| !v.is_empty()) {
        Some(_) => r.push(Finding::pass("lti11.user_id", "user_id is present.")),
        None => r.push(Finding::fail(
            "lti11.user_id",
            "No user_id: the tool cannot tell users apart (an anonymous launch?).",
        )),
    }
    check_roles(param(all, "roles"), r);
    // Outcomes: the service URL and the sourcedid come together.
    let url = param(all, "lis_outcome_service_url").filter(|v| !v.is_empty());
    let sourcedid = param(all, "lis_result_sourcedid").filter(|v| !v.is_empty());
    match (url, sourcedid) {
        (Some(u), Some(_)) if is_http_url(u) => r.push(Finding::pass("lti11.outcomes", "lis_outcome_service_url and lis_result_sourcedid: the tool can send a grade (Basic Outcomes).")),
        (Some(u), Some(_)) => r.push(Finding::fail("lti11.outcomes", "lis_outcome_service_url is not an absolute http(s) URL.").path("lis_outcome_service_url").actual(u)),
        (Some(_), None) => r.push(Finding::fail("lti11.outcomes", "lis_outcome_service_url without lis_result_sourcedid: the tool cannot name whose grade to send. (Instructors' launches often lack it; a learner's should have it.)").severity(Severity::Info)),
        (None, Some(_)) => r.push(Finding::fail("lti11.outcomes", "lis_result_sourcedid without lis_outcome_service_url: the tool does not know where to send the grade.")),
        (None, None) => r.push(Finding::skipped("lti11.outcomes", "No grade passback offered (no lis_outcome_service_url).")),
    }
    match param(all, "launch_presentation_return_url").filter(|v| !v.is_empty()) {
        Some(u) if is_http_url(u) => r.push(Finding::pass("lti11.return_url", "launch_presentation_return_url is an absolute URL: the tool can send the user back with lti_msg / lti_errormsg.")),
        Some(u) => r.push(Finding::fail("lti11.return_url", "launch_presentation_return_url is not an absolute http(s) URL.").path("launch_presentation_return_url").actual(u)),
        None => r.push(Finding::skipped("lti11.return_url", "No launch_presentation_return_url: the tool cannot report an error back to the LMS.")),
    }
}

fn check_roles(roles: Option<&str>, r: &mut Report) {
    let Some(roles) = roles.filter(|v| !v.trim().is_empty()) else {
        r.push(Finding::skipped(
            "lti11.roles",
            "No roles (optional, but most tools need them to tell instructors from learners).",
        ));
        return;
    };
    let unknown: Vec<&str> = roles
        .split(',')
        .map(str::trim)
        .filter(|role| !role.is_empty() && !known_role(role))
        .collect();
    if unknown.is_empty() {
        r.push(Finding::pass(
            "lti11.roles",
            format!("Every role is in the LIS vocabulary: {roles}."),
        ));
    } else {
        r.push(
            Finding::fail(
                "lti11.roles",
                format!("Not in the LIS vocabulary (URNs such as urn:lti:role:ims/lis/Learner, or simple names such as Instructor): {}.", unknown.join(", ")),
            )
            .path("roles")
            .actual(roles),
        );
    }
}

/// A LIS URN or LTI 1.3 URI the vocabulary knows, or a simple context role name (LTI 1.1 lets
/// consumers send those in any case: "learner" is Learner).
fn known_role(role: &str) -> bool {
    roles::parse_role(role).known
        || CONTEXT_ROLES.iter().any(|c| c.eq_ignore_ascii_case(role))
        || role.eq_ignore_ascii_case("TeachingAssistant")
}

fn is_http_url(u: &str) -> bool {
    url::Url::parse(u).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
}

fn seconds(s: i64) -> String {
    match s.abs() {
        s if s < 120 => format!("{s} s"),
        s if s < 7200 => format!("{} min", s / 60),
        s if s < 172_800 => format!("{} h", s / 3600),
        s => format!("{} days", s / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Outcome, Verdict};

    fn p(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    const URL: &str = "http://127.0.0.1:4471/lti11/launch";

    fn launch(extra: &[(&str, &str)], ts: i64) -> Vec<(String, String)> {
        let mut params = p(&[
            ("lti_message_type", BASIC_LAUNCH),
            ("lti_version", "LTI-1p0"),
            ("resource_link_id", "rl-1"),
            ("user_id", "u-1"),
            ("roles", "Instructor,urn:lti:instrole:ims/lis/Faculty"),
        ]);
        for (k, v) in p(extra) {
            params.retain(|(k2, _)| *k2 != k);
            params.push((k, v));
        }
        oauth1::Signer {
            method: Method::HmacSha1,
            key: "key",
            secret: "secret",
        }
        .sign_params("POST", URL, &params, "nonce-1", ts)
        .unwrap()
    }

    fn check(
        body: &[(String, String)],
        secret: Option<&str>,
        now: i64,
        seen: Option<bool>,
    ) -> LaunchReport {
        validate_launch(
            &SignedRequest {
                http_method: "POST",
                url: URL,
                alternative_urls: &[],
                query: &[],
                body,
            },
            &LaunchContext {
                now,
                secret,
                consumer_registered: secret.is_some(),
                nonce_seen_before: seen,
            },
        )
    }

    #[test]
    fn a_good_launch_is_valid() {
        let r = check(&launch(&[], 1_000), Some("secret"), 1_010, Some(false));
        assert_eq!(
            r.report.verdict(),
            Verdict::Valid,
            "{:#?}",
            r.report.failures()
        );
        assert_eq!(r.message_type.as_deref(), Some(BASIC_LAUNCH));
        let d = r.signature.unwrap();
        assert!(
            d.base_string
                .starts_with("POST&http%3A%2F%2F127.0.0.1%3A4471%2Flti11%2Flaunch&"),
            "{}",
            d.base_string
        );
        assert!(d.params.iter().any(|p| p == "oauth_nonce=nonce-1"));
    }

    #[test]
    fn without_a_secret_it_cannot_be_verified_and_is_not_invalid() {
        let r = check(&launch(&[], 1_000), None, 1_010, Some(false));
        assert_eq!(
            r.report.verdict(),
            Verdict::Unverified,
            "{:#?}",
            r.report.failures()
        );
        assert_eq!(
            r.report.get("lti11.signature").unwrap().outcome,
            Outcome::Skipped
        );
    }

    #[test]
    fn each_failure_names_its_rule() {
        let failed = |r: &LaunchReport| {
            r.report
                .failures()
                .iter()
                .map(|f| f.rule_id.to_string())
                .collect::<Vec<_>>()
        };
        let wrong_secret = check(&launch(&[], 1_000), Some("nope"), 1_010, Some(false));
        assert_eq!(failed(&wrong_secret), ["lti11.signature"]);
        assert!(wrong_secret
            .report
            .get("lti11.signature")
            .unwrap()
            .message
            .contains("Most likely the secret"));
        assert_eq!(
            failed(&check(
                &launch(&[], 1_000),
                Some("secret"),
                1_000 + 3_600,
                Some(false)
            )),
            ["lti11.timestamp"]
        );
        assert_eq!(
            failed(&check(
                &launch(&[], 1_000),
                Some("secret"),
                1_010,
                Some(true)
            )),
            ["lti11.nonce"]
        );
        let mut tampered = launch(&[], 1_000);
        tampered.iter_mut().find(|(k, _)| k == "user_id").unwrap().1 = "admin".into();
        assert_eq!(
            failed(&check(&tampered, Some("secret"), 1_010, Some(false))),
            ["lti11.signature"]
        );
        let no_link: Vec<_> = launch(&[], 1_000);
        let mut without = no_link.clone();
        without.retain(|(k, _)| k != "resource_link_id");
        let r = check(&without, Some("secret"), 1_010, Some(false));
        assert!(
            failed(&r).contains(&"lti11.resource_link_id".to_string()),
            "{:?}",
            failed(&r)
        );
        let odd_roles = launch(&[("roles", "Student,urn:lti:role:ims/lis/Learner")], 1_000);
        let r = check(&odd_roles, Some("secret"), 1_010, Some(false));
        assert_eq!(
            r.report.verdict(),
            Verdict::Valid,
            "a warning, not an error"
        );
        assert!(r.report.failed("lti11.roles"));
        assert!(r
            .report
            .get("lti11.roles")
            .unwrap()
            .message
            .contains("Student"));
        let mut twice = launch(&[], 1_000);
        twice.push(("user_id".into(), "u-2".into()));
        let r = check(&twice, Some("secret"), 1_010, Some(false));
        assert!(r.report.failed("lti11.duplicate_params"));
        assert!(
            r.report.failed("lti11.signature"),
            "the copy was not signed"
        );
    }

    #[test]
    fn lti_parameters_are_checked_one_rule_each() {
        let failed = |extra: &[(&str, &str)], drop: &[&str]| {
            let mut body = launch(extra, 1_000);
            body.retain(|(k, _)| !drop.contains(&k.as_str()));
            let r = check(&body, Some("secret"), 1_010, Some(false));
            r.report
                .failures()
                .iter()
                .map(|f| f.rule_id.to_string())
                .collect::<Vec<_>>()
        };
        assert!(failed(&[("lti_version", "LTI-2p0")], &[]).contains(&"lti11.version".into()));
        assert!(failed(&[], &["user_id"]).contains(&"lti11.user_id".into()));
        assert!(failed(
            &[("launch_presentation_return_url", "javascript:alert(1)")],
            &[]
        )
        .contains(&"lti11.return_url".into()));
        assert!(failed(&[("lis_result_sourcedid", "s")], &[]).contains(&"lti11.outcomes".into()));
        assert!(failed(&[("lti_message_type", CONTENT_ITEM)], &[])
            .contains(&"lti11.content_item".into()));
        assert!(
            failed(&[("lti_message_type", "made-up")], &[]).contains(&"lti11.message_type".into())
        );
        let mut v2 = launch(&[], 1_000);
        v2.iter_mut().find(|(k, _)| k == "oauth_version").unwrap().1 = "2.0".into();
        assert!(check(&v2, None, 1_010, Some(false))
            .report
            .failed("lti11.oauth_params"));
        assert!(failed(&[], &[]).is_empty(), "{:?}", failed(&[], &[]));
    }

    #[test]
    fn consumer_keys_are_required_short_and_printable() {
        assert!(consumer_key_problem("  ").unwrap().contains("required"));
        assert!(consumer_key_problem(&"k".repeat(256))
            .unwrap()
            .contains("at most 255"));
        assert!(consumer_key_problem("a\u{7}b").unwrap().contains("control"));
        assert_eq!(consumer_key_problem(" moodle-key "), None);
    }

    #[test]
    fn overflowing_timestamps_are_findings() {
        let r = check(
            &launch(&[], i64::MIN),
            Some("secret"),
            i64::MAX,
            Some(false),
        );
        assert!(r.report.failed("lti11.timestamp"));
    }
}
