//! Unit tests of the login, authentication request and form post validators.

use super::{registration, ISS};
use crate::finding::{Outcome, Verdict};
use crate::validate::*;

fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn login_checks() {
    let p = params(&[
        ("iss", ISS),
        ("login_hint", "42"),
        ("target_link_uri", "https://evil.example/x"),
        ("deployment_id", "d"),
    ]);
    let c = LoginContext {
        registrations: Some(vec![registration()]),
        tool_urls: vec!["https://tool.example".into()],
        ..Default::default()
    };
    let r = login(&p, &c);
    assert!(r.failed("login.target_link_uri_own"));
    assert!(r.failed("login.canvas_deployment_id_param"));
    assert!(!r.failed("login.iss_registered"));
    assert_eq!(r.verdict(), Verdict::Valid, "only warnings");

    let r = login(
        &params(&[
            ("iss", "https://canvas.instructure.com"),
            ("target_link_uri", "nope"),
        ]),
        &LoginContext {
            registrations: Some(vec![RegistrationView {
                issuer: "https://school.instructure.com".into(),
                ..registration()
            }]),
            ..Default::default()
        },
    );
    assert!(r.failed("login.login_hint") && r.failed("login.target_link_uri"));
    let iss = r.get("login.iss_registered").unwrap();
    assert!(iss
        .hint
        .as_deref()
        .unwrap()
        .contains("canvas.instructure.com"));
    assert_eq!(r.verdict(), Verdict::Invalid);
}

#[test]
fn auth_request_checks() {
    let login_view = LoginView {
        login_hint: Some("42".into()),
        lti_message_hint: Some("mh".into()),
        client_id: Some("client-1".into()),
        ..Default::default()
    };
    let mut reg = registration();
    reg.redirect_uris = Some(vec!["https://tool.example/redirect".into()]);
    let c = AuthRequestContext {
        login: Some(login_view),
        registration: Some(reg),
        ..Default::default()
    };
    let good = params(&[
        ("scope", "openid"),
        ("response_type", "id_token"),
        ("response_mode", "form_post"),
        ("prompt", "none"),
        ("client_id", "client-1"),
        ("redirect_uri", "https://tool.example/redirect"),
        ("login_hint", "42"),
        ("lti_message_hint", "mh"),
        ("nonce", "abcdefgh12"),
        ("state", "s"),
    ]);
    let r = auth_request(&good, &c);
    assert_eq!(r.verdict(), Verdict::Valid, "{:?}", r.failures());
    assert_eq!(r.counts().failed, 0);

    let mut bad = good.clone();
    for (k, v) in bad.iter_mut() {
        match k.as_str() {
            "prompt" => *v = "login".into(),
            "redirect_uri" => *v = "https://tool.example/redirect/".into(),
            "lti_message_hint" => *v = "changed".into(),
            _ => {}
        }
    }
    bad.retain(|(k, _)| k != "state");
    let r = auth_request(&bad, &c);
    for rule in [
        "auth.prompt",
        "auth.redirect_uri",
        "auth.lti_message_hint",
        "auth.state",
    ] {
        assert!(r.failed(rule), "{rule}");
    }
    assert!(r
        .get("auth.redirect_uri")
        .unwrap()
        .hint
        .as_deref()
        .unwrap()
        .contains("trailing slash"));
}

#[test]
fn form_post_checks() {
    let c = FormPostContext {
        expected_state: Some("s1".into()),
    };
    let r = form_post(
        &params(&[
            ("id_token", "a.b.c"),
            ("state", "s1"),
            ("lti_storage_target", "_parent"),
        ]),
        &c,
    );
    assert_eq!(r.verdict(), Verdict::Valid);
    assert_eq!(
        r.get("response.storage_target").unwrap().outcome,
        Outcome::Pass
    );
    let r = form_post(
        &params(&[
            ("error", "launch_no_longer_valid"),
            (
                "error_description",
                "The launch has either expired or already been consumed",
            ),
            ("state", "s1"),
        ]),
        &c,
    );
    assert!(r.failed("response.error"));
    assert!(r
        .get("response.error")
        .unwrap()
        .hint
        .as_deref()
        .unwrap()
        .contains("Canvas"));
    assert_eq!(
        r.get("response.id_token").unwrap().outcome,
        Outcome::Skipped
    );
    let r = form_post(&params(&[("state", "zz")]), &c);
    assert!(r.failed("response.id_token") && r.failed("response.state"));
}

#[test]
fn parse_form_keeps_order_and_decodes() {
    let p = parse_form("?b=2&a=x%20y&a=3");
    assert_eq!(p, params(&[("b", "2"), ("a", "x y"), ("a", "3")]));
    assert_eq!(param(&p, "a"), Some("x y"));
    let l = LoginView::from_params(&params(&[("deployment_id", "d1")]));
    assert_eq!(l.lti_deployment_id.as_deref(), Some("d1"));
}
