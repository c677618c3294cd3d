//! The compatibility cases: one launch per catalog rule that a launch can break, each a small
//! change to one valid launch. The harness checks every case against our own validator first
//! (it must fail the rule it names, or pass it when `expect_pass`), so a case that stops
//! exercising its rule is caught rather than measured.

use lti_protocol::vocab::{claim, message as message_type, role};
use serde_json::{json, Map, Value};

/// What one case does to the valid launch.
pub struct Launch {
    pub header: Map<String, Value>,
    pub claims: Map<String, Value>,
    pub signing: Signing,
    /// The form's state: `None` posts the state the tool issued.
    pub state: Option<String>,
    /// Leave id_token out of the form.
    pub drop_id_token: bool,
    /// Post the same launch a second time and measure that second post.
    pub replay: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Signing {
    Rs256,
    /// alg "none" and an empty signature.
    AlgNone,
    /// One character of the signature changed.
    Corrupted,
    /// Not a JWS at all.
    Garbage,
}

pub struct Case {
    /// Stable id (the rule id, or rule id and a suffix when a rule has several cases).
    pub id: &'static str,
    pub rule: &'static str,
    /// One line: what was changed.
    pub change: &'static str,
    /// Our validator passes this rule on this case (a case measured for the record, e.g. what
    /// Canvas sends that looks odd but is allowed).
    pub expect_pass: bool,
    pub apply: fn(&mut Launch, &Facts),
}

/// What a launch is built from: the platform's and tool's identities of this run.
pub struct Facts {
    pub issuer: String,
    pub client_id: String,
    pub deployment_id: String,
    pub other_deployment_id: String,
    pub target_link_uri: String,
    pub nonce: String,
    pub now: i64,
}

/// A resource link launch as Canvas sends it, with every optional claim a rule looks at.
pub fn valid_claims(f: &Facts) -> Map<String, Value> {
    let iss = &f.issuer;
    let v = json!({
        "iss": iss,
        "aud": f.client_id,
        "sub": "compat-user-1",
        "iat": f.now,
        "exp": f.now + 300,
        "nonce": f.nonce,
        "name": "Ada Lovelace",
        "given_name": "Ada",
        "family_name": "Lovelace",
        "email": "ada@example.edu",
        (claim::MESSAGE_TYPE): message_type::RESOURCE_LINK,
        (claim::VERSION): "1.3.0",
        (claim::DEPLOYMENT_ID): f.deployment_id,
        (claim::TARGET_LINK_URI): f.target_link_uri,
        (claim::RESOURCE_LINK): {"id": "compat-link-1", "title": "Week 1 reading"},
        (claim::ROLES): [role::LEARNER],
        (claim::CONTEXT): {"id": "compat-course-1", "label": "HIST 101", "title": "History 101",
                           "type": ["http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"]},
        (claim::TOOL_PLATFORM): {"guid": "compat-platform", "name": "Compat Harness",
                                 "product_family_code": "canvas"},
        (claim::LAUNCH_PRESENTATION): {"document_target": "iframe", "locale": "en",
                                       "return_url": format!("{iss}/return")},
        (claim::CUSTOM): {"week": "1"},
        (claim::LIS): {"person_sourcedid": "SIS-1", "course_section_sourcedid": "HIST101-A"},
        (claim::AGS_ENDPOINT): {"scope": ["https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"],
                                "lineitems": format!("{iss}/courses/1/lineitems")},
        (claim::NRPS): {"context_memberships_url": format!("{iss}/courses/1/memberships"),
                        "service_versions": ["2.0"]},
    });
    match v {
        Value::Object(m) => m,
        _ => unreachable!("a JSON object literal"),
    }
}

fn set(l: &mut Launch, k: &str, v: Value) {
    l.claims.insert(k.to_string(), v);
}
fn drop(l: &mut Launch, k: &str) {
    l.claims.remove(k);
}
fn set_member(l: &mut Launch, claim: &str, member: &str, v: Value) {
    if let Some(Value::Object(m)) = l.claims.get_mut(claim) {
        m.insert(member.to_string(), v);
    }
}
fn drop_member(l: &mut Launch, claim: &str, member: &str) {
    if let Some(Value::Object(m)) = l.claims.get_mut(claim) {
        m.remove(member);
    }
}
/// Turns the launch into another message type, without the resource link.
fn as_message(l: &mut Launch, mt: &str) {
    set(l, claim::MESSAGE_TYPE, json!(mt));
    drop(l, claim::RESOURCE_LINK);
}
fn deep_linking(l: &mut Launch, f: &Facts) {
    as_message(l, message_type::DEEP_LINKING);
    set(
        l,
        claim::DL_SETTINGS,
        json!({
            "deep_link_return_url": format!("{}/deep_links", f.issuer),
            "accept_types": ["ltiResourceLink"],
            "accept_presentation_document_targets": ["iframe", "window"],
            "data": "compat-dl-data",
        }),
    );
}
fn submission_review(l: &mut Launch, f: &Facts) {
    as_message(l, message_type::SUBMISSION_REVIEW);
    set(l, claim::FOR_USER, json!({"user_id": "compat-user-2"}));
    set_member(
        l,
        claim::AGS_ENDPOINT,
        "lineitem",
        json!(format!("{}/courses/1/lineitems/1", f.issuer)),
    );
}
fn start_proctoring(l: &mut Launch, f: &Facts) {
    as_message(l, "LtiStartProctoring");
    set(l, claim::AP_ATTEMPT, json!(1));
    set(
        l,
        claim::AP_START_URL,
        json!(format!("{}/proctoring/start", f.issuer)),
    );
    set(
        l,
        "https://purl.imsglobal.org/spec/lti-ap/claim/session_data",
        json!("compat-session"),
    );
}

macro_rules! case {
    ($id:literal, $rule:literal, $change:literal, |$l:ident, $f:ident| $body:expr) => {
        Case {
            id: $id,
            rule: $rule,
            change: $change,
            expect_pass: false,
            apply: |$l: &mut Launch, $f: &Facts| {
                let _ = (&$l, &$f);
                $body;
            },
        }
    };
    (pass $id:literal, $rule:literal, $change:literal, |$l:ident, $f:ident| $body:expr) => {
        Case {
            id: $id,
            rule: $rule,
            change: $change,
            expect_pass: true,
            apply: |$l: &mut Launch, $f: &Facts| {
                let _ = (&$l, &$f);
                $body;
            },
        }
    };
}

/// The id of the control case: the valid launch, which every library must accept.
pub const CONTROL: &str = "valid";

/// The valid message a case changes one thing of: a library that refuses it (ltijs takes no
/// submission review launch; every library refuses an anonymous launch) is not asked about the
/// case's rule.
pub fn baseline(case_id: &str) -> &'static str {
    match case_id.split('.').next().unwrap_or("") {
        "dl" => "dl.request",
        "sr" => "sr.request",
        "ap" => "ap.request",
        _ if case_id.starts_with("idtoken.user_claims")
            && case_id != "idtoken.user_claims.types" =>
        {
            "idtoken.anonymous"
        }
        _ => CONTROL,
    }
}

#[rustfmt::skip]
pub fn all() -> Vec<Case> {
    vec![
        case!(pass "valid", "jwt.signature", "nothing: the valid launch every case changes", |l, f| {}),
        // ── the form post
        case!("response.id_token", "response.id_token", "id_token left out of the form post", |l, f| l.drop_id_token = true),
        case!("response.state", "response.state", "the form posts a state the tool never issued", |l, f| l.state = Some("forged-state-0000".into())),
        // ── the JWS
        case!("jwt.format", "jwt.format", "id_token is not a JWS (one opaque string)", |l, f| l.signing = Signing::Garbage),
        case!("jwt.alg", "jwt.alg", "alg none and no signature", |l, f| l.signing = Signing::AlgNone),
        case!("jwt.kid", "jwt.kid", "header kid names no key of the platform's JWKS", |l, f| { l.header.insert("kid".into(), json!("unknown-kid")); }),
        case!("jwt.signature", "jwt.signature", "one character of the signature changed", |l, f| l.signing = Signing::Corrupted),
        // ── id_token claims
        case!("idtoken.iss", "idtoken.iss", "iss left out", |l, f| drop(l, "iss")),
        case!("idtoken.iss_registered", "idtoken.iss_registered", "iss is another platform's issuer", |l, f| set(l, "iss", json!("https://other-platform.example"))),
        case!("idtoken.iss_registered.trailing_slash", "idtoken.iss_registered", "iss with a trailing slash", |l, f| set(l, "iss", json!(format!("{}/", f.issuer)))),
        case!("idtoken.aud", "idtoken.aud", "aud names another client", |l, f| set(l, "aud", json!("another-client"))),
        case!("idtoken.aud_extra", "idtoken.aud_extra", "aud lists an untrusted second audience (azp is the tool)", |l, f| { set(l, "aud", json!([f.client_id, "another-client"])); set(l, "azp", json!(f.client_id)); }),
        case!("idtoken.azp", "idtoken.azp", "azp names another client", |l, f| set(l, "azp", json!("another-client"))),
        case!("idtoken.azp_present", "idtoken.azp_present", "two audiences and no azp", |l, f| set(l, "aud", json!([f.client_id, "another-client"]))),
        case!("idtoken.exp", "idtoken.exp", "exp and iat an hour in the past", |l, f| { set(l, "iat", json!(f.now - 3600)); set(l, "exp", json!(f.now - 3540)); }),
        case!("idtoken.exp.missing", "idtoken.exp", "exp left out", |l, f| drop(l, "exp")),
        case!("idtoken.iat", "idtoken.iat", "iat an hour in the future", |l, f| { set(l, "iat", json!(f.now + 3600)); set(l, "exp", json!(f.now + 3900)); }),
        case!("idtoken.iat.missing", "idtoken.iat", "iat left out", |l, f| drop(l, "iat")),
        case!("idtoken.nbf", "idtoken.nbf", "nbf an hour in the future", |l, f| set(l, "nbf", json!(f.now + 3600))),
        case!("idtoken.nonce", "idtoken.nonce", "a nonce other than the one the tool sent", |l, f| set(l, "nonce", json!("forged-nonce-0000"))),
        case!("idtoken.nonce.missing", "idtoken.nonce", "nonce left out", |l, f| drop(l, "nonce")),
        case!("idtoken.nonce_replay", "idtoken.nonce_replay", "the same form post sent a second time", |l, f| l.replay = true),
        case!("idtoken.sub", "idtoken.sub", "sub is an empty string", |l, f| set(l, "sub", json!(""))),
        case!("idtoken.sub.long", "idtoken.sub", "sub of 300 characters", |l, f| set(l, "sub", json!("u".repeat(300)))),
        case!("idtoken.anonymous", "idtoken.anonymous", "an anonymous launch: no sub and no user identity claims (LTI Core §5.3.6.1 allows it)", |l, f| { for k in ["sub", "name", "given_name", "family_name", "email"] { drop(l, k); } }),
        case!("idtoken.user_claims", "idtoken.user_claims", "an anonymous launch (no sub) that carries name and email", |l, f| drop(l, "sub")),
        case!("idtoken.user_claims.types", "idtoken.user_claims", "email is a number", |l, f| set(l, "email", json!(42))),
        // ── LTI Core claims
        case!("lti.message_type", "lti.message_type", "message_type is not an LTI message", |l, f| set(l, claim::MESSAGE_TYPE, json!("LtiBogusRequest"))),
        case!("lti.message_type.missing", "lti.message_type", "message_type left out", |l, f| drop(l, claim::MESSAGE_TYPE)),
        case!("lti.version", "lti.version", "version is 1.2.0", |l, f| set(l, claim::VERSION, json!("1.2.0"))),
        case!("lti.version.missing", "lti.version", "version left out", |l, f| drop(l, claim::VERSION)),
        case!("lti.deployment_id", "lti.deployment_id", "deployment_id left out", |l, f| drop(l, claim::DEPLOYMENT_ID)),
        case!("lti.deployment_known", "lti.deployment_known", "a deployment_id the tool does not know", |l, f| set(l, claim::DEPLOYMENT_ID, json!("unknown-deployment"))),
        case!("lti.deployment_matches_login", "lti.deployment_matches_login", "deployment_id is another known deployment than the login's lti_deployment_id", |l, f| set(l, claim::DEPLOYMENT_ID, json!(f.other_deployment_id))),
        case!("lti.target_link_uri", "lti.target_link_uri", "target_link_uri left out", |l, f| drop(l, claim::TARGET_LINK_URI)),
        case!("lti.target_link_uri_matches_login", "lti.target_link_uri_matches_login", "target_link_uri differs from the login's", |l, f| set(l, claim::TARGET_LINK_URI, json!(format!("{}?other=1", f.target_link_uri)))),
        case!("lti.resource_link", "lti.resource_link", "resource_link without id", |l, f| drop_member(l, claim::RESOURCE_LINK, "id")),
        case!("lti.resource_link.missing", "lti.resource_link", "resource_link left out", |l, f| drop(l, claim::RESOURCE_LINK)),
        case!("lti.roles", "lti.roles", "roles left out", |l, f| drop(l, claim::ROLES)),
        case!("lti.roles_vocabulary", "lti.roles_vocabulary", "roles lists only a role from no LTI vocabulary", |l, f| set(l, claim::ROLES, json!(["http://example.com/role#Wizard"]))),
        case!("lti.roles_deprecated", "lti.roles_deprecated", "roles uses the short name Learner", |l, f| set(l, claim::ROLES, json!(["Learner"]))),
        case!("lti.role_scope_mentor", "lti.role_scope_mentor", "role_scope_mentor lists a user for a Learner", |l, f| set(l, claim::ROLE_SCOPE_MENTOR, json!(["compat-user-2"]))),
        case!(pass "lti.role_scope_mentor.empty", "lti.role_scope_mentor", "role_scope_mentor [] for a Learner (as Canvas sends for everyone)", |l, f| set(l, claim::ROLE_SCOPE_MENTOR, json!([]))),
        case!("lti.context", "lti.context", "context without id", |l, f| drop_member(l, claim::CONTEXT, "id")),
        case!("lti.context_type", "lti.context_type", "context.type uses the deprecated short name CourseOffering", |l, f| set_member(l, claim::CONTEXT, "type", json!(["CourseOffering"]))),
        case!("lti.tool_platform", "lti.tool_platform", "tool_platform without guid", |l, f| drop_member(l, claim::TOOL_PLATFORM, "guid")),
        case!("lti.tool_platform_family_code", "lti.tool_platform_family_code", "tool_platform says family_code (old Moodle)", |l, f| { drop_member(l, claim::TOOL_PLATFORM, "product_family_code"); set_member(l, claim::TOOL_PLATFORM, "family_code", json!("moodle")); }),
        case!("lti.launch_presentation", "lti.launch_presentation", "document_target is popup", |l, f| set_member(l, claim::LAUNCH_PRESENTATION, "document_target", json!("popup"))),
        case!("lti.launch_presentation_return_url", "lti.launch_presentation_return_url", "return_url is relative", |l, f| set_member(l, claim::LAUNCH_PRESENTATION, "return_url", json!("/return"))),
        case!("lti.lis", "lti.lis", "lis.person_sourcedid is a number", |l, f| set_member(l, claim::LIS, "person_sourcedid", json!(7))),
        case!("lti.custom", "lti.custom", "a custom value is a number", |l, f| set_member(l, claim::CUSTOM, "week", json!(1))),
        case!("lti.custom.null", "lti.custom", "a custom value is null", |l, f| set_member(l, claim::CUSTOM, "week", Value::Null)),
        case!("lti.vendor_claims", "lti.vendor_claims", "an extension claim with a bare name", |l, f| set(l, "placement", json!("course_navigation"))),
        case!("lti.https_urls", "lti.https_urls", "an http: return_url on another host", |l, f| set_member(l, claim::LAUNCH_PRESENTATION, "return_url", json!("http://lms.example.edu/return"))),
        case!("lti.lti1p1", "lti.lti1p1", "lti1p1 migration claim with a user_id but no consumer key", |l, f| set(l, claim::LTI1P1, json!({"user_id": "legacy-1", "oauth_consumer_key_sign": "c2ln"}))),
        // ── Deep Linking, Submission Review, Proctoring requests
        case!(pass "dl.request", "dl.settings", "a valid deep linking request", |l, f| deep_linking(l, f)),
        case!("dl.settings", "dl.settings", "deep linking request without deep_linking_settings", |l, f| { deep_linking(l, f); drop(l, claim::DL_SETTINGS); }),
        case!("dl.deep_link_return_url", "dl.deep_link_return_url", "deep_linking_settings without deep_link_return_url", |l, f| { deep_linking(l, f); drop_member(l, claim::DL_SETTINGS, "deep_link_return_url"); }),
        case!("dl.accept_types", "dl.accept_types", "deep_linking_settings.accept_types empty", |l, f| { deep_linking(l, f); set_member(l, claim::DL_SETTINGS, "accept_types", json!([])); }),
        case!("dl.accept_presentation_document_targets", "dl.accept_presentation_document_targets", "accept_presentation_document_targets left out", |l, f| { deep_linking(l, f); drop_member(l, claim::DL_SETTINGS, "accept_presentation_document_targets"); }),
        case!(pass "sr.request", "sr.for_user", "a valid submission review request", |l, f| submission_review(l, f)),
        case!("sr.for_user", "sr.for_user", "submission review without for_user", |l, f| { submission_review(l, f); drop(l, claim::FOR_USER); }),
        case!("sr.ags_lineitem", "sr.ags_lineitem", "submission review whose AGS claim has no lineitem", |l, f| { submission_review(l, f); drop_member(l, claim::AGS_ENDPOINT, "lineitem"); }),
        case!(pass "ap.request", "ap.attempt_number", "a valid start proctoring message", |l, f| start_proctoring(l, f)),
        case!("ap.attempt_number", "ap.attempt_number", "start proctoring without attempt_number", |l, f| { start_proctoring(l, f); drop(l, claim::AP_ATTEMPT); }),
        case!("ap.start_assessment_url", "ap.start_assessment_url", "start proctoring without start_assessment_url", |l, f| { start_proctoring(l, f); drop(l, claim::AP_START_URL); }),
        // ── service claims
        case!("ags.endpoint", "ags.endpoint", "AGS claim without scope", |l, f| drop_member(l, claim::AGS_ENDPOINT, "scope")),
        case!("nrps.endpoint", "nrps.endpoint", "NRPS claim without context_memberships_url", |l, f| drop_member(l, claim::NRPS, "context_memberships_url")),
    ]
}

/// Which service client a service case feeds.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Service {
    Nrps,
    Ags,
}

impl Service {
    /// The adapter's endpoint (`/compat/nrps`) and the harness's answer path.
    pub fn name(self) -> &'static str {
        match self {
            Self::Nrps => "nrps",
            Self::Ags => "ags",
        }
    }
}

/// A service answer that breaks one rule, fed to each library's NRPS or AGS client.
pub struct ServiceCase {
    pub id: &'static str,
    pub rule: &'static str,
    pub change: &'static str,
    pub service: Service,
    /// A valid answer, measured for the record (and as the baseline of its service's cases).
    pub control: bool,
    pub apply: fn(&mut Value),
}

/// A valid answer as Canvas gives it (with the members and line item fields it always sends,
/// optional in the specs, so strict parsers are asked about the rule and not about those).
pub fn valid_answer(service: Service, url: &str) -> Value {
    match service {
        Service::Nrps => json!({
            "id": url,
            "context": {"id": "compat-course-1", "label": "HIST 101", "title": "History 101"},
            "members": [{
                "status": "Active", "name": "Ada Lovelace", "user_id": "compat-user-1",
                "roles": [role::LEARNER],
            }],
        }),
        Service::Ags => json!([{
            "id": format!("{url}/1"), "label": "Week 1 quiz", "scoreMaximum": 10,
            "tag": "quiz", "resourceId": "quiz-1", "resourceLinkId": "compat-link-1",
        }]),
    }
}

fn member(v: &mut Value) -> &mut Map<String, Value> {
    v["members"][0].as_object_mut().expect("a member object")
}
fn item(v: &mut Value) -> &mut Map<String, Value> {
    v[0].as_object_mut().expect("a line item object")
}

/// The baseline of a service case: its service's valid answer.
pub fn service_baseline(service: Service) -> &'static str {
    match service {
        Service::Nrps => "nrps.response.valid",
        Service::Ags => "ags.response.valid",
    }
}

#[rustfmt::skip]
pub fn services() -> Vec<ServiceCase> {
    use Service::{Ags, Nrps};
    let c = |id, rule, change, service, apply| ServiceCase { id, rule, change, service, control: false, apply };
    vec![
        ServiceCase { id: "nrps.response.valid", rule: "nrps.response.members", change: "nothing: a valid membership container", service: Nrps, control: true, apply: |_| {} },
        c("nrps.response.members", "nrps.response.members", "members left out of the container", Nrps, |v| { v.as_object_mut().map(|m| m.remove("members")); }),
        c("nrps.response.members.user_id", "nrps.response.members", "a member without user_id", Nrps, |v| { member(v).remove("user_id"); }),
        c("nrps.response.members.roles", "nrps.response.members", "a member without roles", Nrps, |v| { member(v).remove("roles"); }),
        c("nrps.response.members.status", "nrps.response.members", "a member whose status is Enrolled", Nrps, |v| { member(v).insert("status".into(), json!("Enrolled")); }),
        c("nrps.response.members.context", "nrps.response.members", "context without id", Nrps, |v| { v["context"].as_object_mut().map(|m| m.remove("id")); }),
        ServiceCase { id: "ags.response.valid", rule: "ags.response.lineitem", change: "nothing: a valid line item container", service: Ags, control: true, apply: |_| {} },
        c("ags.response.lineitem.id", "ags.response.lineitem", "a line item without id", Ags, |v| { item(v).remove("id"); }),
        c("ags.response.lineitem.label", "ags.response.lineitem", "a line item without label", Ags, |v| { item(v).remove("label"); }),
        c("ags.response.lineitem.score_maximum", "ags.response.lineitem", "a line item without scoreMaximum", Ags, |v| { item(v).remove("scoreMaximum"); }),
        c("ags.response.lineitem.score_maximum_text", "ags.response.lineitem", "scoreMaximum as the string \"10\"", Ags, |v| { item(v).insert("scoreMaximum".into(), json!("10")); }),
        c("ags.response.lineitem.score_maximum_zero", "ags.response.lineitem", "scoreMaximum 0", Ags, |v| { item(v).insert("scoreMaximum".into(), json!(0)); }),
    ]
}
