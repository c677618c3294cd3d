//! Published LTI 1.1 launches: Instructure's signature_check launches (66 that verify, 92 with a
//! wrong signature; key, secret and URL published with them) and self-hosted Canvas / LTI
//! Toolkit launches whose secret is not published ("cannot verify", never "invalid").

use lti_protocol::finding::{Outcome, Verdict};
use lti_protocol::lti11::launch::{validate_launch, LaunchContext};
use lti_protocol::lti11::oauth1::SignedRequest;
use serde_json::Value;

use super::{fixtures, load};

fn body_of(v: &Value) -> Vec<(String, String)> {
    v.as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
        .collect()
}

/// Validates a set's launches with its published secret and URL, the clock pinned to each
/// launch's own timestamp (they are from 2018): the signature alone decides.
fn verdicts(set: &Value) -> Vec<(Verdict, Vec<String>)> {
    let url = set["url"].as_str().unwrap();
    let secret = set["consumerSecret"].as_str().unwrap();
    set["examples"]
        .as_array()
        .unwrap()
        .iter()
        .map(|ex| {
            let mut body = body_of(&ex["body"]);
            body.push((
                "oauth_signature".into(),
                ex["oauth_signature"].as_str().unwrap().into(),
            ));
            let now = body
                .iter()
                .find(|(k, _)| k == "oauth_timestamp")
                .and_then(|(_, v)| v.parse().ok())
                .unwrap();
            let r = validate_launch(
                &SignedRequest {
                    http_method: set["method"].as_str().unwrap(),
                    url,
                    alternative_urls: &[],
                    query: &[],
                    body: &body,
                },
                &LaunchContext {
                    now,
                    secret: Some(secret),
                    consumer_registered: true,
                    nonce_seen_before: Some(false),
                },
            );
            let errors = r
                .report
                .failures()
                .iter()
                .filter(|f| f.is_failed_error())
                .map(|f| f.rule_id.to_string())
                .collect();
            (r.report.verdict(), errors)
        })
        .collect()
}

#[test]
fn instructure_signature_check_launches_verify_or_fail_as_published() {
    let Some(dir) = fixtures() else { return };
    let valid = verdicts(&load(&dir, "lti11/caccl_valid_launches_hmac_sha1.json"));
    assert_eq!(valid.len(), 66);
    for (i, (verdict, errors)) in valid.iter().enumerate() {
        assert_eq!(*verdict, Verdict::Valid, "valid launch {i}: {errors:?}");
    }
    let invalid = verdicts(&load(&dir, "lti11/caccl_invalid_launches_hmac_sha1.json"));
    assert_eq!(invalid.len(), 92);
    for (i, (verdict, errors)) in invalid.iter().enumerate() {
        assert_eq!(*verdict, Verdict::Invalid, "invalid launch {i}");
        assert!(
            errors.contains(&"lti11.signature".to_string()),
            "invalid launch {i} fails its signature: {errors:?}"
        );
    }
}

#[test]
fn launches_without_their_secret_cannot_be_verified_and_are_not_invalid() {
    let Some(dir) = fixtures() else { return };
    for rel in [
        "lti11/canvas_selfhosted_lti10_launch_admin.json",
        "lti11/canvas_selfhosted_lti10_launch_student.json",
        "lti11/canvas_selfhosted_lti10_launch_teacher.json",
        "lti11/ltitoolkit_consumer_lti10_launch.json",
    ] {
        let body = body_of(&load(&dir, rel));
        let now = body
            .iter()
            .find(|(k, _)| k == "oauth_timestamp")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap();
        let r = validate_launch(
            &SignedRequest {
                http_method: "POST",
                url: "https://tool.example/lti11/launch",
                alternative_urls: &[],
                query: &[],
                body: &body,
            },
            &LaunchContext {
                now,
                secret: None,
                consumer_registered: false,
                nonce_seen_before: None,
            },
        );
        assert_eq!(
            r.report.verdict(),
            Verdict::Unverified,
            "{rel}: {:#?}",
            r.report.failures()
        );
        assert_eq!(
            r.report.get("lti11.signature").unwrap().outcome,
            Outcome::Skipped
        );
        assert_eq!(
            r.message_type.as_deref(),
            Some("basic-lti-launch-request"),
            "{rel}"
        );
    }
}

/// Open edX's Basic Outcomes bodies: the requests parse (the leading newline is a warning, not
/// a refusal), the answer reads as success, and each malformed request is refused with its rule.
#[test]
fn open_edx_outcomes_bodies() {
    use lti_protocol::lti11::outcomes::{check_request, parse_request, parse_response, Operation};
    let Some(dir) = fixtures() else { return };
    let body = |rel: &str| load(&dir, rel)["body"].as_str().unwrap().to_string();

    let replace =
        parse_request(&body("lti11/openedx_outcomes_replaceResult_request.json")).unwrap();
    assert_eq!(replace.operation(), Some(Operation::Replace));
    assert_eq!(replace.score.as_deref(), Some("0.5"));
    assert_eq!(replace.message_id.as_deref(), Some("528243ba5241b"));
    assert!(replace.leading_bytes > 0);
    let r = check_request(&replace);
    assert_eq!(r.verdict(), Verdict::Valid, "{:#?}", r.failures());
    assert!(
        r.failed("lti11.outcome.xml"),
        "the newline before the declaration is reported"
    );

    let read = parse_request(&body("lti11/openedx_outcomes_readResult_request.json")).unwrap();
    assert_eq!(read.operation(), Some(Operation::Read));
    assert_eq!(check_request(&read).verdict(), Verdict::Valid);

    let answer = parse_response(&body("lti11/openedx_outcomes_response.json")).unwrap();
    assert_eq!(answer.code_major.as_deref(), Some("success"));

    for (rel, rule) in [
        (
            "negative/openedx_outcomes_missing_action.json",
            "lti11.outcome.operation",
        ),
        (
            "negative/openedx_outcomes_missing_body.json",
            "lti11.outcome.operation",
        ),
        (
            "negative/openedx_outcomes_missing_msg_id.json",
            "lti11.outcome.message_id",
        ),
        (
            "negative/openedx_outcomes_missing_score.json",
            "lti11.outcome.score",
        ),
        (
            "negative/openedx_outcomes_missing_sourced_id.json",
            "lti11.outcome.sourcedid",
        ),
    ] {
        match parse_request(&body(rel)) {
            Ok(req) => {
                let r = check_request(&req);
                assert!(r.failed(rule), "{rel} fails {rule}: {:#?}", r.failures());
                assert_eq!(r.verdict(), Verdict::Invalid, "{rel}");
            }
            Err(why) => panic!("{rel} should parse and fail {rule}, not be unreadable: {why}"),
        }
    }
}

/// A self-hosted Canvas's Dynamic Registration documents: its OpenID configuration passes the
/// tool's checks (fetched from its own host), the LTI Toolkit's request passes the platform's,
/// and Canvas's answer gives the client and (top-level) deployment ids.
#[test]
fn canvas_dynamic_registration_documents() {
    use lti_protocol::dynreg;
    let Some(dir) = fixtures() else { return };
    let config = load(&dir, "services/canvas_selfhosted_openid_configuration.json");
    let r = dynreg::check_platform_config(&config, "https://canvas.home.russfeld.me/api/lti/security/openid-configuration?registration_token=x");
    assert_eq!(r.verdict(), Verdict::Valid, "{:#?}", r.failures());
    let p = dynreg::platform_config(&config);
    assert_eq!(p.product_family_code.as_deref(), Some("canvas"));
    assert!(
        p.messages_supported
            .iter()
            .any(|m| m == "LtiDeepLinkingRequest"),
        "{:?}",
        p.messages_supported
    );

    let request = load(
        &dir,
        "services/canvas_selfhosted_dynreg_registration_request.json",
    );
    let r = dynreg::check_registration_request(&request);
    assert_eq!(r.verdict(), Verdict::Valid, "{:#?}", r.failures());
    // Its URLs are on example.com while its domain says ltidemo.home.russfeld.me: worth a warning.
    assert!(r.failed("dr.request.domain"));

    let answer = load(
        &dir,
        "services/canvas_selfhosted_dynreg_registration_response.json",
    );
    let (r, client, deployment) = dynreg::check_registration_response(&answer);
    assert_eq!(client.as_deref(), Some("10000000000005"));
    assert_eq!(
        deployment.as_deref(),
        Some("9:8865aa05b4b79b64a91a86042e43af5ea8ae79eb")
    );
    assert_eq!(r.verdict(), Verdict::Valid);
}
