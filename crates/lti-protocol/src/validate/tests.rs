//! Unit tests of the validators on synthetic messages signed with a fresh key.

use serde_json::{json, Map, Value};

use super::*;
use crate::finding::{Outcome, Severity};
use crate::jws::sign_rs256;
use crate::keys::SigningKey;

mod steps;

const NOW: i64 = 1_700_000_100;
const ISS: &str = "https://platform.example";
const TARGET: &str = "https://tool.example/launch";

fn payload() -> Map<String, Value> {
    json!({
        "iss": ISS,
        "aud": "client-1",
        "sub": "user-1",
        "exp": NOW + 300,
        "iat": NOW - 10,
        "nonce": "nonce-123456",
        uri::MESSAGE_TYPE: "LtiResourceLinkRequest",
        uri::VERSION: "1.3.0",
        uri::DEPLOYMENT_ID: "dep-1",
        uri::TARGET_LINK_URI: TARGET,
        uri::RESOURCE_LINK: {"id": "rl-1", "title": "Quiz"},
        uri::ROLES: ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
        uri::CONTEXT: {"id": "ctx-1", "type": ["http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"]},
        uri::CUSTOM: {"a": "", "b": "x"},
    })
    .as_object()
    .unwrap()
    .clone()
}

fn registration() -> RegistrationView {
    RegistrationView {
        issuer: ISS.into(),
        client_id: "client-1".into(),
        deployment_ids: Some(vec!["dep-1".into()]),
        ..Default::default()
    }
}

fn ctx(jwks: Option<&Jwks>) -> IdTokenContext<'_> {
    IdTokenContext {
        now: NOW,
        registration: Some(registration()),
        jwks,
        expected_nonce: Some("nonce-123456".into()),
        nonce_seen_before: Some(false),
        login: Some(LoginView {
            iss: Some(ISS.into()),
            target_link_uri: Some(TARGET.into()),
            lti_deployment_id: Some("dep-1".into()),
            client_id: Some("client-1".into()),
            ..Default::default()
        }),
        state: Some(StateCheck {
            expected: Some("st".into()),
            received: Some("st".into()),
        }),
        ..Default::default()
    }
}

fn outcome(r: &IdTokenReport, id: &str) -> Outcome {
    r.report
        .get(id)
        .unwrap_or_else(|| panic!("no finding {id}"))
        .outcome
}

#[test]
fn signed_round_trip_is_valid() {
    let key = SigningKey::generate().unwrap();
    let jwks = Jwks {
        keys: vec![key.public_jwk()],
    };
    let token = sign_rs256(&Map::new(), &payload(), &key).unwrap();
    let r = id_token(&token, &ctx(Some(&jwks)));
    let failures: Vec<_> = r
        .report
        .failures()
        .iter()
        .map(|f| (f.rule_id.clone(), f.message.clone()))
        .collect();
    assert_eq!(r.verdict, Verdict::Valid, "{failures:?}");
    assert!(r.signature.as_ref().unwrap().is_verified());
    assert_eq!(r.message_type.as_deref(), Some("LtiResourceLinkRequest"));
    assert_eq!(r.roles.len(), 1);
    assert_eq!(outcome(&r, "response.state"), Outcome::Pass);
    assert_eq!(outcome(&r, "lti.deployment_matches_login"), Outcome::Pass);
    assert_eq!(
        outcome(&r, "lti.target_link_uri_matches_login"),
        Outcome::Pass
    );
    assert!(r.claims.iter().all(|c| c.known));
}

#[test]
fn tampered_payload_fails_signature() {
    let key = SigningKey::generate().unwrap();
    let jwks = Jwks {
        keys: vec![key.public_jwk()],
    };
    let token = sign_rs256(&Map::new(), &payload(), &key).unwrap();
    let mut parts: Vec<String> = token.split('.').map(str::to_string).collect();
    let mut p = payload();
    p.insert("sub".into(), json!("admin"));
    parts[1] = crate::b64::encode(&serde_json::to_vec(&p).unwrap());
    let r = id_token(&parts.join("."), &ctx(Some(&jwks)));
    assert_eq!(r.verdict, Verdict::Invalid);
    assert_eq!(outcome(&r, "jwt.signature"), Outcome::Fail);
}

#[test]
fn hs256_header_refused_before_key_use() {
    let key = SigningKey::generate().unwrap();
    let extra = json!({"alg": "HS256"}).as_object().unwrap().clone();
    let token = sign_rs256(&extra, &payload(), &key).unwrap();
    let empty = Jwks::default();
    let r = id_token(&token, &ctx(Some(&empty)));
    assert_eq!(outcome(&r, "jwt.alg"), Outcome::Fail);
    assert!(matches!(
        r.signature,
        Some(SignatureCheck::AlgNotAllowed { .. })
    ));
    assert_eq!(r.verdict, Verdict::Invalid);
}

#[test]
fn no_jwks_is_unverified() {
    let key = SigningKey::generate().unwrap();
    let token = sign_rs256(&Map::new(), &payload(), &key).unwrap();
    let r = id_token(&token, &ctx(None));
    assert_eq!(r.verdict, Verdict::Unverified);
    assert_eq!(outcome(&r, "jwt.signature"), Outcome::Skipped);
}

#[test]
fn unparsable_token_reports_format() {
    let r = id_token(r#"{"name":"badltilaunch"}"#, &ctx(None));
    assert_eq!(r.verdict, Verdict::Invalid);
    assert_eq!(outcome(&r, "jwt.format"), Outcome::Fail);
    assert_eq!(r.parse_error, Some(JwsError::JsonInsteadOfJwt));
}

fn claims_with(edit: impl FnOnce(&mut Map<String, Value>)) -> IdTokenReport {
    let mut p = payload();
    edit(&mut p);
    claims(&p, &ctx(None))
}

type Edit = Box<dyn FnOnce(&mut Map<String, Value>)>;

#[test]
fn claim_checks_fail_where_they_should() {
    let cases: Vec<(&str, Edit)> = vec![
        (
            "idtoken.exp",
            Box::new(|p| {
                p.insert("exp".into(), json!(NOW - 6));
            }),
        ),
        (
            "idtoken.iat",
            Box::new(|p| {
                p.insert("iat".into(), json!(NOW + 60));
            }),
        ),
        (
            "idtoken.nonce",
            Box::new(|p| {
                p.insert("nonce".into(), json!("other"));
            }),
        ),
        (
            "idtoken.aud",
            Box::new(|p| {
                p.insert("aud".into(), json!("client-2"));
            }),
        ),
        (
            "idtoken.azp",
            Box::new(|p| {
                p.insert("azp".into(), json!("client-2"));
            }),
        ),
        (
            "idtoken.iss_registered",
            Box::new(|p| {
                p.insert("iss".into(), json!("https://platform.example/"));
            }),
        ),
        (
            "lti.version",
            Box::new(|p| {
                p.insert(uri::VERSION.into(), json!("1.1"));
            }),
        ),
        (
            "lti.deployment_id",
            Box::new(|p| {
                p.insert(uri::DEPLOYMENT_ID.into(), json!("x".repeat(256)));
            }),
        ),
        (
            "lti.deployment_known",
            Box::new(|p| {
                p.insert(uri::DEPLOYMENT_ID.into(), json!("dep-2"));
            }),
        ),
        (
            "lti.deployment_matches_login",
            Box::new(|p| {
                p.insert(uri::DEPLOYMENT_ID.into(), json!("dep-2"));
            }),
        ),
        (
            "lti.target_link_uri_matches_login",
            Box::new(|p| {
                p.insert(
                    uri::TARGET_LINK_URI.into(),
                    json!("https://tool.example/other"),
                );
            }),
        ),
        (
            "lti.resource_link",
            Box::new(|p| {
                p.insert(uri::RESOURCE_LINK.into(), json!({"title": "x"}));
            }),
        ),
        (
            "lti.roles",
            Box::new(|p| {
                p.remove(uri::ROLES);
            }),
        ),
        (
            "lti.role_scope_mentor",
            Box::new(|p| {
                p.insert(uri::ROLE_SCOPE_MENTOR.into(), json!(["u2"]));
            }),
        ),
        (
            "lti.context",
            Box::new(|p| {
                p.insert(uri::CONTEXT.into(), json!({"label": "no id"}));
            }),
        ),
        (
            "lti.custom",
            Box::new(|p| {
                p.insert(uri::CUSTOM.into(), json!({"a": null}));
            }),
        ),
        (
            "lti.launch_presentation",
            Box::new(|p| {
                p.insert(
                    uri::LAUNCH_PRESENTATION.into(),
                    json!({"document_target": "popup"}),
                );
            }),
        ),
        (
            "lti.tool_platform",
            Box::new(|p| {
                p.insert(uri::TOOL_PLATFORM.into(), json!({"name": "no guid"}));
            }),
        ),
        (
            "lti.message_type",
            Box::new(|p| {
                p.remove(uri::MESSAGE_TYPE);
            }),
        ),
    ];
    for (rule, edit) in cases {
        // Strict: the catalog's severities, before the measured evidence lowers any.
        let mut p = payload();
        edit(&mut p);
        let mut c = ctx(None);
        c.policy.strict = true;
        let r = claims(&p, &c);
        let f = r.report.for_rule(rule).find(|f| f.outcome == Outcome::Fail);
        let f = f.unwrap_or_else(|| panic!("{rule} did not fail"));
        assert_eq!(f.severity, Severity::Error, "{rule}");
        assert_eq!(r.verdict, Verdict::Invalid, "{rule}");
    }
}

/// Issue 14, item 3: a MUST that every measured library accepts is a warning that says so (the
/// launch is not invalid); strict mode keeps it an error; a MUST some library enforces, and a
/// security check every library accepts (aud_extra), stay errors.
#[test]
fn severities_follow_the_measured_evidence() {
    use crate::compat;
    let e = compat::evidence("lti.deployment_matches_login").expect("measured");
    assert!(e.accepted_by_all(), "the premise: {}", e.summary);
    let edit = |p: &mut Map<String, Value>| {
        p.insert(uri::DEPLOYMENT_ID.into(), json!("dep-2"));
    };
    // dep-2 is a known deployment, only not the login's.
    let two = |strict: bool| {
        let mut c = ctx(None);
        if let Some(reg) = &mut c.registration {
            reg.deployment_ids = Some(vec!["dep-1".into(), "dep-2".into()]);
        }
        c.policy.strict = strict;
        c
    };
    let mut p = payload();
    edit(&mut p);
    let r = claims(&p, &two(false));
    let f = r
        .report
        .for_rule("lti.deployment_matches_login")
        .find(|f| f.outcome == Outcome::Fail)
        .unwrap();
    assert_eq!(f.severity, Severity::Warning);
    assert!(
        f.message
            .contains("every measured tool library accepts it (PyLTI1p3"),
        "{}",
        f.message
    );
    assert_ne!(
        r.verdict,
        Verdict::Invalid,
        "{:?}",
        r.report
            .findings
            .iter()
            .filter(|f| f.is_failed_error())
            .collect::<Vec<_>>()
    );

    assert_eq!(claims(&p, &two(true)).verdict, Verdict::Invalid);

    // Enforced by a library: stays an error.
    assert!(!compat::evidence("lti.custom").unwrap().accepted_by_all());
    let r = claims_with(|p| {
        p.insert(uri::CUSTOM.into(), json!({"a": 1}));
    });
    assert_eq!(
        r.report
            .for_rule("lti.custom")
            .find(|f| f.outcome == Outcome::Fail)
            .unwrap()
            .severity,
        Severity::Error
    );
    // Accepted by all, but a security check: stays an error.
    assert!(compat::evidence("idtoken.aud_extra")
        .unwrap()
        .accepted_by_all());
    let r = claims_with(|p| {
        p.insert("aud".into(), json!(["client-1", "someone-else"]));
        p.insert("azp".into(), json!("client-1"));
    });
    let f = r
        .report
        .for_rule("idtoken.aud_extra")
        .find(|f| f.outcome == Outcome::Fail)
        .unwrap();
    assert!(crate::rules::is_security("idtoken.aud_extra"));
    assert!(!f.message.contains("every measured"), "{}", f.message);
}

/// Roles from no LTI vocabulary: a MUST (roles_vocabulary) that no measured library enforces —
/// a warning by default, an error in strict mode; the roles claim itself is well-formed.
#[test]
fn roles_outside_the_vocabularies_are_their_own_rule() {
    let r = claims_with(|p| {
        p.insert(uri::ROLES.into(), json!(["http://example.com/role#Wizard"]));
    });
    assert_eq!(outcome(&r, "lti.roles"), Outcome::Pass);
    let f = r.report.get("lti.roles_vocabulary").unwrap();
    assert_eq!(f.outcome, Outcome::Fail);
    assert_eq!(f.severity, Severity::Warning, "{}", f.message);
}

#[test]
fn leeway_tolerates_small_skew() {
    let r = claims_with(|p| {
        p.insert("exp".into(), json!(NOW - 3));
        p.insert("iat".into(), json!(NOW + 3));
    });
    assert_eq!(outcome(&r, "idtoken.exp"), Outcome::Pass);
    assert_eq!(outcome(&r, "idtoken.iat"), Outcome::Pass);
    assert_eq!(r.verdict, Verdict::Unverified);
}

/// Issue 9, item 3: a token's times at the ends of i64 are findings, never an overflow (debug
/// builds reset the connection before the launch was recorded).
#[test]
fn extreme_times_are_findings_not_overflows() {
    let r = claims_with(|p| {
        p.insert("exp".into(), json!(i64::MAX));
        p.insert("iat".into(), json!(i64::MIN));
        p.insert("nbf".into(), json!(i64::MAX));
    });
    assert_eq!(outcome(&r, "idtoken.exp"), Outcome::Pass);
    assert_eq!(outcome(&r, "idtoken.iat"), Outcome::Pass);
    assert_eq!(outcome(&r, "idtoken.nbf"), Outcome::Fail);
    let r = claims_with(|p| {
        p.insert("exp".into(), json!(i64::MIN));
        p.insert("iat".into(), json!(i64::MAX));
    });
    assert_eq!(outcome(&r, "idtoken.exp"), Outcome::Fail);
    assert_eq!(outcome(&r, "idtoken.iat"), Outcome::Fail);
    let strict = Policy {
        max_token_age_secs: Some(60),
        ..Policy::default()
    };
    let mut p = payload();
    p.insert("iat".into(), json!(i64::MIN));
    let mut c = ctx(None);
    c.policy = strict;
    assert_eq!(outcome(&claims(&p, &c), "idtoken.iat_age"), Outcome::Fail);
}

#[test]
fn anonymous_launch_policy() {
    let mut p = payload();
    p.remove("sub");
    let r = claims(&p, &ctx(None));
    let f = r.report.get("idtoken.sub").unwrap();
    assert_eq!((f.outcome, f.severity), (Outcome::Pass, Severity::Info));
    assert!(f.message.contains("allow_anonymous_launch"));
    // Allowed by the spec, refused by every measured library: a warning that names them.
    let a = r.report.get("idtoken.anonymous").unwrap();
    assert_eq!((a.outcome, a.severity), (Outcome::Fail, Severity::Warning));
    assert_ne!(r.verdict, Verdict::Invalid);
    let e = crate::compat::evidence("idtoken.anonymous").expect("measured");
    assert_eq!(e.rejected_by().len(), 3, "{}", e.summary);
    let mut strict = ctx(None);
    strict.policy.allow_anonymous_launch = false;
    let r = claims(&p, &strict);
    assert_eq!(outcome(&r, "idtoken.sub"), Outcome::Fail);
    assert_eq!(r.verdict, Verdict::Invalid);
}

#[test]
fn deep_linking_request_checks() {
    let mut p = payload();
    p.remove(uri::RESOURCE_LINK);
    p.insert(uri::MESSAGE_TYPE.into(), json!("LtiDeepLinkingRequest"));
    let r = claims(&p, &ctx(None));
    assert_eq!(outcome(&r, "dl.settings"), Outcome::Fail);
    assert_eq!(outcome(&r, "lti.resource_link"), Outcome::Skipped);
    p.insert(
        uri::DL_SETTINGS.into(),
        json!({"deep_link_return_url": "https://lms.example/dl", "accept_types": ["ltiResourceLink"],
               "accept_presentation_document_targets": ["iframe"], "data": "opaque"}),
    );
    let r = claims(&p, &ctx(None));
    assert_eq!(r.verdict, Verdict::Unverified, "{:?}", r.report.failures());
    assert_eq!(outcome(&r, "dl.data"), Outcome::Pass);
    p.insert(
        uri::DL_SETTINGS.into(),
        json!({"deep_link_return_url": "return-url", "accept_types": []}),
    );
    let r = claims(&p, &ctx(None));
    for rule in [
        "dl.deep_link_return_url",
        "dl.accept_types",
        "dl.accept_presentation_document_targets",
    ] {
        assert_eq!(outcome(&r, rule), Outcome::Fail, "{rule}");
    }
}

#[test]
fn deep_linking_response_is_checked_from_the_tool_side() {
    let mut p = payload();
    for k in [
        uri::RESOURCE_LINK,
        uri::ROLES,
        uri::CONTEXT,
        uri::CUSTOM,
        uri::TARGET_LINK_URI,
        "sub",
    ] {
        p.remove(k);
    }
    p.insert("iss".into(), json!("client-1"));
    p.insert("aud".into(), json!(ISS));
    p.insert(uri::MESSAGE_TYPE.into(), json!("LtiDeepLinkingResponse"));
    p.insert(uri::DL_DATA.into(), json!("opaque"));
    p.insert(
        uri::DL_CONTENT_ITEMS.into(),
        json!([{"type": "ltiResourceLink", "title": "A"}, {"type": "link"}]),
    );
    let mut c = ctx(None);
    c.login = None;
    c.dl_request_data = Some("opaque".into());
    let r = claims(&p, &c);
    assert_eq!(outcome(&r, "idtoken.iss_registered"), Outcome::Pass);
    assert_eq!(outcome(&r, "idtoken.aud"), Outcome::Pass);
    assert_eq!(outcome(&r, "dl.response_data"), Outcome::Pass);
    assert_eq!(
        outcome(&r, "dl.content_items"),
        Outcome::Fail,
        "link without url"
    );
}

#[test]
fn submission_review_and_proctoring() {
    let mut p = payload();
    p.insert(
        uri::MESSAGE_TYPE.into(),
        json!("LtiSubmissionReviewRequest"),
    );
    let r = claims(&p, &ctx(None));
    assert_eq!(outcome(&r, "sr.for_user"), Outcome::Fail);
    assert_eq!(outcome(&r, "sr.ags_lineitem"), Outcome::Fail);
    p.insert(uri::FOR_USER.into(), json!({"user_id": "u9"}));
    p.insert(uri::AGS.into(), json!({"scope": ["https://purl.imsglobal.org/spec/lti-ags/scope/score"], "lineitem": "https://lms.example/li/1"}));
    let r = claims(&p, &ctx(None));
    assert_eq!(r.verdict, Verdict::Unverified, "{:?}", r.report.failures());

    p.insert(uri::MESSAGE_TYPE.into(), json!("LtiStartProctoring"));
    let r = claims(&p, &ctx(None));
    assert_eq!(outcome(&r, "ap.attempt_number"), Outcome::Fail);
    assert_eq!(outcome(&r, "ap.start_assessment_url"), Outcome::Fail);
}

#[test]
fn role_scope_mentor_allowed_for_mentors() {
    let r = claims_with(|p| {
        p.insert(
            uri::ROLES.into(),
            json!(["http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor"]),
        );
        p.insert(uri::ROLE_SCOPE_MENTOR.into(), json!(["u2"]));
    });
    assert_eq!(outcome(&r, "lti.role_scope_mentor"), Outcome::Pass);
}

#[test]
fn deprecated_roles_warn() {
    let r = claims_with(|p| {
        p.insert(
            uri::ROLES.into(),
            json!(["Instructor", "urn:lti:instrole:ims/lis/Faculty"]),
        );
    });
    assert_eq!(outcome(&r, "lti.roles"), Outcome::Pass);
    let f = r.report.get("lti.roles_deprecated").unwrap();
    assert_eq!((f.outcome, f.severity), (Outcome::Fail, Severity::Warning));
}

#[test]
fn multiple_audiences() {
    let r = claims_with(|p| {
        p.insert("aud".into(), json!(["client-1", "other"]));
    });
    let extra = r.report.get("idtoken.aud_extra").unwrap();
    assert_eq!(
        (extra.outcome, extra.severity),
        (Outcome::Fail, Severity::Warning)
    );
    assert_eq!(outcome(&r, "idtoken.azp_present"), Outcome::Fail);
    assert_eq!(r.verdict, Verdict::Unverified);

    let mut c = ctx(None);
    c.registration.as_mut().unwrap().trusted_audiences = Some(vec![]);
    let mut p = payload();
    p.insert("aud".into(), json!(["client-1", "other"]));
    let r = claims(&p, &c);
    assert_eq!(
        r.report.get("idtoken.aud_extra").unwrap().severity,
        Severity::Error
    );
    assert_eq!(r.verdict, Verdict::Invalid);
}

#[test]
fn nonce_replay_and_state_mismatch() {
    let mut c = ctx(None);
    c.nonce_seen_before = Some(true);
    c.state = Some(StateCheck {
        expected: Some("a".into()),
        received: Some("b".into()),
    });
    let r = claims(&payload(), &c);
    assert_eq!(outcome(&r, "idtoken.nonce_replay"), Outcome::Fail);
    assert_eq!(outcome(&r, "response.state"), Outcome::Fail);
}

#[test]
fn report_serializes_for_the_ui() {
    let r = claims(&payload(), &ctx(None));
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["verdict"], "unverified");
    assert!(v["report"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["spec_url"].as_str().unwrap().starts_with("https://")));
    assert_eq!(v["report"]["findings"][0]["outcome"], "skipped");
}

#[test]
fn deep_linking_items_with_script_urls_fail() {
    use serde_json::json;
    let mut payload = serde_json::Map::new();
    payload.insert(uri::MESSAGE_TYPE.into(), json!("LtiDeepLinkingResponse"));
    payload.insert(
        uri::DL_CONTENT_ITEMS.into(),
        json!([
            {"type": "link", "url": "javascript:alert(1)"},
            {"type": "link", "url": "https://ok.example/a", "icon": {"url": "data:image/png;base64,AAAA"}},
            {"type": "link", "url": "https://ok.example/b"}
        ]),
    );
    let r = claims(&payload, &IdTokenContext::at(0));
    let f = r
        .report
        .findings
        .iter()
        .find(|f| f.rule_id == "dl.content_items")
        .expect("content items checked");
    assert_eq!(f.outcome, crate::finding::Outcome::Fail);
    assert!(f.message.contains("javascript:alert(1)"), "{}", f.message);
    assert!(f.message.contains("icon.url"), "{}", f.message);
    assert!(!f.message.contains("ok.example/b"));
}

/// Whatever a caller carried over from the login (its target, the auth request's nonce and
/// state), a deep linking response is the tool's message: none of it applies.
#[test]
fn login_correlation_never_applies_to_a_deep_linking_response() {
    use serde_json::json;
    let mut payload = payload();
    payload.insert("iss".into(), json!("client-1"));
    payload.insert("aud".into(), json!(ISS));
    payload.remove("azp");
    payload.insert("nonce".into(), json!("the-tools-own-nonce"));
    payload.insert(uri::MESSAGE_TYPE.into(), json!("LtiDeepLinkingResponse"));
    payload.insert(
        uri::TARGET_LINK_URI.into(),
        json!("https://elsewhere.example/"),
    );
    let mut c = ctx(None);
    c.state = Some(StateCheck {
        expected: Some("s1".into()),
        received: Some("s2".into()),
    });
    let r = claims(&payload, &c);
    let failed: Vec<&str> = r
        .report
        .findings
        .iter()
        .filter(|f| f.outcome == crate::finding::Outcome::Fail)
        .map(|f| f.rule_id.as_ref())
        .collect();
    for rule in [
        "idtoken.nonce",
        "lti.target_link_uri_matches_login",
        "lti.deployment_matches_login",
        "idtoken.iss",
        "idtoken.aud",
        "state.match",
    ] {
        assert!(!failed.contains(&rule), "{rule} failed: {failed:?}");
    }
    // The same token as a platform's launch would fail the login correlation.
    payload.insert(uri::MESSAGE_TYPE.into(), json!("LtiResourceLinkRequest"));
    let r = claims(&payload, &c);
    assert!(r
        .report
        .findings
        .iter()
        .any(|f| f.rule_id == "idtoken.nonce" && f.outcome == crate::finding::Outcome::Fail));
}

/// Canvas sends `role_scope_mentor: []` for every user: it grants nothing and no library
/// refuses it, so it is not an error; a non-empty list for a non-Mentor still is.
#[test]
fn an_empty_role_scope_mentor_is_not_an_error() {
    use serde_json::json;
    let outcome = |v: Value| {
        let r = claims_with(|p| {
            p.insert(uri::ROLE_SCOPE_MENTOR.into(), v);
        });
        r.report
            .findings
            .iter()
            .find(|f| f.rule_id == "lti.role_scope_mentor")
            .unwrap()
            .outcome
    };
    assert_eq!(outcome(json!([])), crate::finding::Outcome::Pass);
    assert_eq!(outcome(json!(["someone"])), crate::finding::Outcome::Fail);
}

/// LTI Core §5.3.6.1: an anonymous launch identifies nobody — name and email without sub are
/// reported, naming the claims.
#[test]
fn an_anonymous_launch_with_identity_claims_is_reported() {
    use serde_json::json;
    let r = claims_with(|p| {
        p.remove("sub");
        p.insert("name".into(), json!("Ada Lovelace"));
        p.insert("email".into(), json!("ada@example.org"));
    });
    let f = r
        .report
        .findings
        .iter()
        .find(|f| f.rule_id == "idtoken.user_claims")
        .unwrap();
    assert_eq!(f.outcome, crate::finding::Outcome::Fail);
    assert!(f.message.contains("name, email"), "{}", f.message);
    // With sub, the same claims are fine; without either, an anonymous launch is fine.
    let r = claims_with(|p| {
        p.insert("name".into(), json!("Ada Lovelace"));
    });
    assert!(r
        .report
        .findings
        .iter()
        .any(|f| f.rule_id == "idtoken.user_claims" && f.outcome == crate::finding::Outcome::Pass));
}
