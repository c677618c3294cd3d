//! Decoded payloads (idtoken/, deeplink/, negative DL responses) validated as unsigned claims,
//! against the notes of INDEX.md and each source.md.

use std::path::Path;

use lti_protocol::finding::{Outcome, Verdict};
use lti_protocol::roles::RoleKind;
use lti_protocol::validate::{self, IdTokenContext, IdTokenReport, RegistrationView};
use serde_json::{Map, Value};

use super::{failed_error, failed_warning, fixtures, load, summary};

pub(crate) fn payload_of(v: &Value) -> Map<String, Value> {
    match v.get("payload") {
        Some(Value::Object(p)) => p.clone(),
        _ => v.as_object().unwrap().clone(),
    }
}

/// Validates a decoded payload with the clock pinned to its own iat (+5 s).
fn check_payload(p: &Map<String, Value>) -> IdTokenReport {
    let now = p
        .get("iat")
        .and_then(Value::as_i64)
        .unwrap_or(1_700_000_000)
        + 5;
    validate::claims(p, &IdTokenContext::at(now))
}

#[test]
fn decoded_payloads_match_the_index_notes() {
    let Some(dir) = fixtures() else { return };
    let mut n = 0;
    for entry in std::fs::read_dir(dir.join("idtoken")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if !name.ends_with("_payload.json") {
            continue;
        }
        let mut p = payload_of(&load(&dir, &format!("idtoken/{name}")));
        complete_moodle(&mut p);
        let r = check_payload(&p);
        assert_eq!(
            r.verdict,
            Verdict::Unverified,
            "{name} should be valid-shaped:\n  {}",
            summary(&r)
        );
        assert_eq!(
            r.report.get("jwt.signature").unwrap().outcome,
            Outcome::Skipped
        );
        assert_eq!(
            r.claims.len(),
            p.len(),
            "{name}: every claim explained, none dropped"
        );
        n += 1;
    }
    assert!(n >= 10, "found {n} payloads");
}

/// moodle_rl_educsaite had iat/exp/nonce removed: ltijs's test adds them when signing
/// (exp = now + 1 h, a random nonce), so do the same.
fn complete_moodle(p: &mut Map<String, Value>) {
    if !p.contains_key("exp") {
        p.insert("iat".into(), Value::from(1_700_000_000));
        p.insert("exp".into(), Value::from(1_700_003_600));
        p.insert("nonce".into(), Value::from("added-by-the-test"));
    }
}

fn idtoken(dir: &Path, name: &str) -> IdTokenReport {
    let mut p = payload_of(&load(dir, &format!("idtoken/{name}")));
    complete_moodle(&mut p);
    check_payload(&p)
}

#[test]
fn payload_specific_notes() {
    let Some(dir) = fixtures() else { return };

    let moodle = idtoken(&dir, "moodle_rl_educsaite_payload.json");
    let fc = moodle.report.get("lti.tool_platform_family_code").unwrap();
    assert!(fc.outcome == Outcome::Fail && fc.hint.as_deref().unwrap().contains("Moodle"));
    assert!(failed_warning(&moodle, "ags.endpoint"));
    assert!(moodle
        .report
        .get("ags.endpoint")
        .unwrap()
        .message
        .contains("empty string"));
    assert!(
        failed_warning(&moodle, "nrps.endpoint") && failed_warning(&moodle, "lti.context_type")
    );
    let bos = moodle
        .claims
        .iter()
        .find(|c| c.uri.contains("lti-bos"))
        .unwrap();
    assert!(
        !bos.known,
        "non-standard lti-bos claim is listed as unknown"
    );
    assert!(moodle
        .report
        .get("lti.unknown_claims")
        .unwrap()
        .message
        .contains("lti-bos"));

    let admin = idtoken(&dir, "canvas_selfhosted_rl_admin_payload.json");
    let placement = admin
        .claims
        .iter()
        .find(|c| c.uri == "https://www.instructure.com/placement")
        .unwrap();
    assert!(
        placement.known
            && placement.vendor.as_deref() == Some("Canvas")
            && placement.value.is_null()
    );
    let http: Vec<_> = admin
        .report
        .for_rule("lti.https_urls")
        .filter(|f| f.outcome == Outcome::Fail)
        .collect();
    assert!(
        http.iter()
            .any(|f| f.path.as_deref().unwrap().ends_with("endpoint.lineitems")),
        "mixed http lineitems"
    );
    assert!(admin
        .report
        .get("lti.variables_unexpanded")
        .unwrap()
        .message
        .contains("$Person.sourcedId"));
    assert_eq!(
        admin.report.get("lti.roles_context").unwrap().outcome,
        Outcome::Fail
    );
    let kinds: Vec<RoleKind> = admin.roles.iter().map(|b| b.kind).collect();
    assert_eq!(
        kinds,
        [RoleKind::Institution, RoleKind::System, RoleKind::System]
    );
    assert_eq!(admin.lms.as_ref().unwrap().id, "canvas_self_hosted");
    assert_eq!(
        admin.report.get("hint.canvas_issuer").unwrap().outcome,
        Outcome::Pass
    );
    // Expired relative to a wall clock long after the capture.
    let late = validate::claims(
        &payload_of(&load(
            &dir,
            "idtoken/canvas_selfhosted_rl_admin_payload.json",
        )),
        &IdTokenContext::at(1_800_000_000),
    );
    assert!(failed_error(&late, "idtoken.exp"));

    let teacher = idtoken(&dir, "canvas_selfhosted_rl_teacher_payload.json");
    let lti1p1 = teacher.report.get("lti.lti1p1").unwrap();
    assert!(lti1p1.outcome == Outcome::Skipped && lti1p1.message.contains("secret"));
    let claim = teacher
        .claims
        .iter()
        .find(|c| c.uri.ends_with("/claim/lti1p1"))
        .unwrap();
    assert!(claim
        .members
        .iter()
        .any(|m| m.name == "oauth_consumer_key_sign" && m.known));

    let dl = idtoken(&dir, "canvas_selfhosted_dl_request_payload.json");
    let key = dl.claims.iter().find(|c| c.uri == "key").unwrap();
    assert!(!key.known);
    assert!(failed_warning(&dl, "lti.vendor_claims"));
    assert_eq!(
        dl.report.get("dl.deep_link_return_url").unwrap().outcome,
        Outcome::Pass
    );

    let no_adv = idtoken(
        &dir,
        "canvas_selfhosted_rl_student_no_advantage_payload.json",
    );
    assert_eq!(
        no_adv.report.get("ags.endpoint").unwrap().outcome,
        Outcome::Skipped
    );
    assert_eq!(
        no_adv.report.get("nrps.endpoint").unwrap().outcome,
        Outcome::Skipped
    );

    let bb = idtoken(&dir, "blackboard_rl_admin_payload.json");
    for uri in [
        "https://blackboard.com/lti/claim/one_time_session_token",
        "https://blackboard.com/webapps/foundations-connector/foundations-ids",
    ] {
        let c = bb.claims.iter().find(|c| c.uri == uri).unwrap();
        assert_eq!(c.vendor.as_deref(), Some("Blackboard"), "{uri}");
    }
    let kinds: Vec<RoleKind> = bb.roles.iter().map(|b| b.kind).collect();
    assert!(
        kinds.contains(&RoleKind::Context)
            && kinds.contains(&RoleKind::System)
            && kinds.contains(&RoleKind::Institution)
    );
    assert_eq!(bb.lms.as_ref().unwrap().id, "blackboard");

    let item = idtoken(&dir, "blackboard_rl_deeplinked_item_payload.json");
    let custom = item
        .claims
        .iter()
        .find(|c| c.uri.ends_with("/claim/custom"))
        .unwrap();
    assert_eq!(custom.value["key1"], "some & value");
    assert!(item
        .report
        .get("lti.variables_unexpanded")
        .unwrap()
        .message
        .contains("$CourseGroup.id"));

    let bb_dl = idtoken(&dir, "blackboard_dl_request_payload.json");
    assert_eq!(bb_dl.report.get("dl.data").unwrap().outcome, Outcome::Pass);

    let oe_dl = idtoken(&dir, "openedx_dl_request_reconstructed_payload.json");
    assert!(failed_warning(&oe_dl, "dl.deep_link_return_url"));

    let oe = idtoken(&dir, "openedx_rl_reconstructed_payload.json");
    assert!(oe.roles.iter().all(|b| b.known));
    assert_eq!(
        oe.report.get("lti.context").unwrap().outcome,
        Outcome::Skipped
    );
    assert!(failed_warning(&oe, "lti.launch_presentation_return_url"));
}

#[test]
fn deep_linking_responses() {
    let Some(dir) = fixtures() else { return };
    let resp = payload_of(&load(&dir, "deeplink/blackboard_dl_response_payload.json"));
    let req = payload_of(&load(&dir, "idtoken/blackboard_dl_request_payload.json"));
    let data = req["https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"]["data"]
        .as_str()
        .unwrap();
    let mut ctx = IdTokenContext::at(resp["iat"].as_i64().unwrap() + 5);
    ctx.registration = Some(RegistrationView {
        issuer: "https://blackboard.com".into(),
        client_id: resp["iss"].as_str().unwrap().into(),
        ..Default::default()
    });
    ctx.dl_request_data = Some(data.into());
    let r = validate::claims(&resp, &ctx);
    assert_eq!(r.verdict, Verdict::Unverified, "{}", summary(&r));
    for rule in [
        "idtoken.iss_registered",
        "idtoken.aud",
        "dl.response_data",
        "dl.content_items",
    ] {
        assert_eq!(r.report.get(rule).unwrap().outcome, Outcome::Pass, "{rule}");
    }

    let wrong_type = payload_of(&load(
        &dir,
        "negative/openedx_dl_response_wrong_content_type.json",
    ));
    let r = validate::claims(&wrong_type, &IdTokenContext::at(0));
    assert_eq!(r.verdict, Verdict::Invalid);
    for rule in ["dl.content_items", "lti.version", "lti.deployment_id"] {
        assert!(failed_error(&r, rule), "{rule}");
    }
    let wrong_msg = payload_of(&load(
        &dir,
        "negative/openedx_dl_response_wrong_message_type.json",
    ));
    let r = validate::claims(&wrong_msg, &IdTokenContext::at(0));
    assert!(failed_error(&r, "lti.message_type"));
}
