//! The claims of the messages the emulator signs — LtiResourceLinkRequest,
//! LtiDeepLinkingRequest and LtiSubmissionReviewRequest — with everything a registration calls
//! for: user, roles, context, resource link, custom parameters with substitution variables,
//! launch_presentation, the AGS endpoint (with `lineitem` when the link has exactly one line
//! item), NRPS, deep linking settings, for_user.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::model::*;
use super::paths;

const LTI: &str = lti_protocol::vocab::claim::LTI_PREFIX;

/// Everything a launch message is built from.
pub struct LaunchFacts<'a> {
    pub issuer: &'a str,
    /// Base URL of the emulator's service endpoints.
    pub base: &'a str,
    pub tool: &'a EmulatorTool,
    pub user: &'a EmulatorUser,
    pub course: &'a EmulatorCourse,
    pub enrollment: Option<&'a Enrollment>,
    pub link: Option<&'a ResourceLink>,
    /// Line items of the link (the AGS claim names `lineitem` when there is exactly one).
    pub link_items: &'a [LineItem],
    pub launch: &'a Launch,
    /// For submission review: the learner whose submission is reviewed.
    pub for_user: Option<(&'a EmulatorUser, Option<&'a Enrollment>)>,
    pub nonce: &'a str,
    pub now: i64,
}

/// Substitution variables the emulator expands in custom parameter values (LTI Core §5.4.6 and
/// the LTI Advantage variable list). Unknown `$…` values are sent unchanged, as the spec says.
pub const VARIABLES: &[&str] = &[
    "$User.id",
    "$User.username",
    "$User.image",
    "$Person.sourcedId",
    "$Person.name.full",
    "$Person.name.given",
    "$Person.name.family",
    "$Person.email.primary",
    "$Person.address.timezone",
    "$Context.id",
    "$Context.title",
    "$Context.label",
    "$Context.type",
    "$CourseOffering.sourcedId",
    "$CourseSection.sourcedId",
    "$CourseSection.label",
    "$CourseSection.title",
    "$ResourceLink.id",
    "$ResourceLink.title",
    "$ResourceLink.description",
    "$Membership.role",
    "$ToolPlatformInstance.guid",
    "$LineItem.id",
    "$LineItem.label",
    "$LineItem.resultValue.max",
];

/// Expands one custom value: a value that is exactly a known variable is replaced (by "" when
/// the platform has no value), anything else is sent as is.
pub fn substitute(value: &str, f: &SubstitutionFacts) -> String {
    let opt = |v: Option<&String>| v.cloned().unwrap_or_default();
    let item = f.line_item;
    match value {
        "$User.id" | "$User.username" => f.user.id.clone(),
        "$User.image" => opt(f.user.picture.as_ref()),
        "$Person.sourcedId" => opt(f.user.sourcedid.as_ref()),
        "$Person.name.full" => f.user.name.clone(),
        "$Person.name.given" => f.user.given_name.clone(),
        "$Person.name.family" => f.user.family_name.clone(),
        "$Person.email.primary" => opt(f.user.email.as_ref()),
        "$Person.address.timezone" => "UTC".into(),
        "$Context.id" => f.course.context_id.clone(),
        "$Context.title" | "$CourseSection.title" => f.course.title.clone(),
        "$Context.label" | "$CourseSection.label" => f.course.label.clone(),
        "$Context.type" => f.course.types.join(","),
        "$CourseOffering.sourcedId" | "$CourseSection.sourcedId" => {
            opt(f.course.sourcedid.as_ref())
        }
        "$ResourceLink.id" => f.link.map(|l| l.id.clone()).unwrap_or_default(),
        "$ResourceLink.title" => f.link.map(|l| l.title.clone()).unwrap_or_default(),
        "$ResourceLink.description" => f
            .link
            .and_then(|l| l.description.clone())
            .unwrap_or_default(),
        "$Membership.role" => f.roles.join(","),
        "$ToolPlatformInstance.guid" => f.platform_guid.to_string(),
        "$LineItem.id" => item.map(|i| i.id.clone()).unwrap_or_default(),
        "$LineItem.label" => item.map(|i| i.label.clone()).unwrap_or_default(),
        "$LineItem.resultValue.max" => item
            .map(|i| i.score_maximum.to_string())
            .unwrap_or_default(),
        other => other.to_string(),
    }
}

pub struct SubstitutionFacts<'a> {
    pub user: &'a EmulatorUser,
    pub course: &'a EmulatorCourse,
    pub link: Option<&'a ResourceLink>,
    pub line_item: Option<&'a LineItem>,
    pub roles: &'a [String],
    pub platform_guid: &'a str,
}

/// The custom parameters of a launch: the tool's, overridden by the link's, expanded.
pub fn custom(tool: &EmulatorTool, f: &SubstitutionFacts) -> BTreeMap<String, String> {
    let mut merged = tool.custom.clone();
    if let Some(l) = f.link {
        merged.extend(l.custom.clone());
    }
    merged
        .into_iter()
        .map(|(k, v)| (k, substitute(&v, f)))
        .collect()
}

/// Every role of a user in a course: system, institution, then context roles.
pub fn roles_of(user: &EmulatorUser, enrollment: Option<&Enrollment>) -> Vec<String> {
    let mut roles: Vec<String> = user
        .system_roles
        .iter()
        .chain(user.institution_roles.iter())
        .cloned()
        .collect();
    if let Some(e) = enrollment.filter(|e| e.status == "Active") {
        roles.extend(e.roles.iter().cloned());
    }
    roles.dedup();
    roles
}

pub fn context_roles(enrollment: Option<&Enrollment>) -> Vec<String> {
    enrollment
        .filter(|e| e.status == "Active")
        .map(|e| e.roles.clone())
        .unwrap_or_default()
}

pub fn platform_guid(issuer: &str) -> String {
    format!(
        "lti-inspector-emulator:{}",
        issuer
            .trim_start_matches("http://")
            .trim_start_matches("https://")
    )
}

pub fn lineitems_url(base: &str, course_id: &str) -> String {
    format!("{base}{}/{course_id}/lineitems", paths::COURSES)
}

pub fn lineitem_url(base: &str, course_id: &str, item_id: &str) -> String {
    format!("{base}{}/{course_id}/lineitems/{item_id}", paths::COURSES)
}

pub fn memberships_url(base: &str, course_id: &str) -> String {
    format!("{base}{}/{course_id}/memberships", paths::COURSES)
}

/// The user claims of the OIDC id_token.
fn user_claims(m: &mut Map<String, Value>, user: &EmulatorUser) {
    m.insert("sub".into(), json!(user.id));
    for (k, v) in [
        ("name", &user.name),
        ("given_name", &user.given_name),
        ("family_name", &user.family_name),
    ] {
        if !v.is_empty() {
            m.insert(k.into(), json!(v));
        }
    }
    for (k, v) in [
        ("email", &user.email),
        ("picture", &user.picture),
        ("locale", &user.locale),
    ] {
        if let Some(v) = v {
            m.insert(k.into(), json!(v));
        }
    }
}

/// The claims of the launch (before any negative test is applied).
pub fn build(f: &LaunchFacts) -> Map<String, Value> {
    let tool = f.tool;
    let launch = f.launch;
    let mut m = Map::new();
    m.insert("iss".into(), json!(f.issuer));
    m.insert("aud".into(), json!(tool.client_id));
    m.insert("azp".into(), json!(tool.client_id));
    m.insert("iat".into(), json!(f.now));
    m.insert("exp".into(), json!(f.now + 300));
    m.insert("nonce".into(), json!(f.nonce));
    user_claims(&mut m, f.user);
    let lti = |n: &str| format!("{LTI}{n}");
    m.insert(lti("message_type"), json!(launch.message_type));
    m.insert(lti("version"), json!("1.3.0"));
    m.insert(lti("deployment_id"), json!(launch.deployment_id));
    m.insert(lti("target_link_uri"), json!(launch.target_link_uri));
    let roles = roles_of(f.user, f.enrollment);
    m.insert(lti("roles"), json!(roles));
    if let Some(e) = f
        .enrollment
        .filter(|e| e.roles.iter().any(|r| role::is(r, role::MENTOR)))
    {
        if let Some(mentees) = e.mentees.as_ref().filter(|m| !m.is_empty()) {
            m.insert(lti("role_scope_mentor"), json!(mentees));
        }
    }
    let c = f.course;
    m.insert(
        lti("context"),
        json!({"id": c.context_id, "label": c.label, "title": c.title, "type": c.types}),
    );
    let guid = platform_guid(f.issuer);
    m.insert(
        lti("tool_platform"),
        json!({
            "guid": guid, "name": "LTI Inspector platform emulator", "product_family_code": "lti-inspector",
            "version": env!("CARGO_PKG_VERSION"), "url": f.issuer
        }),
    );
    m.insert(
        lti("launch_presentation"),
        json!({
            "document_target": launch.document_target, "locale": f.user.locale.clone().unwrap_or_else(|| "en-US".into()),
            "return_url": format!("{}{}/{}/return", f.base, paths::LAUNCH, launch.id)
        }),
    );
    let mut lis = Map::new();
    if let Some(s) = &f.user.sourcedid {
        lis.insert("person_sourcedid".into(), json!(s));
    }
    if let Some(s) = &c.sourcedid {
        lis.insert("course_offering_sourcedid".into(), json!(s));
        lis.insert("course_section_sourcedid".into(), json!(s));
    }
    if !lis.is_empty() {
        m.insert(lti("lis"), Value::Object(lis));
    }
    let is_dl = launch.message_type == message::DEEP_LINKING;
    let link = if is_dl { None } else { f.link };
    if let Some(l) = link {
        let mut rl = json!({"id": l.id, "title": l.title});
        if let Some(d) = &l.description {
            rl["description"] = json!(d);
        }
        m.insert(lti("resource_link"), rl);
    }
    let line_item = if f.link_items.len() == 1 {
        f.link_items.first()
    } else {
        None
    };
    let subs = SubstitutionFacts {
        user: f.user,
        course: c,
        link,
        line_item,
        roles: &roles,
        platform_guid: &guid,
    };
    let custom = custom(tool, &subs);
    if !custom.is_empty() {
        m.insert(lti("custom"), json!(custom));
    }
    let ags_scopes: Vec<&str> = scope::AGS
        .iter()
        .copied()
        .filter(|s| tool.has_scope(s))
        .collect();
    // Submission review is about one line item: its AGS claim is sent whatever was granted.
    let review = launch.message_type == message::SUBMISSION_REVIEW && line_item.is_some();
    if !ags_scopes.is_empty() || review {
        let mut ags = json!({"scope": ags_scopes, "lineitems": lineitems_url(f.base, &c.id)});
        if let Some(i) = line_item {
            ags["lineitem"] = json!(lineitem_url(f.base, &c.id, &i.id));
        }
        m.insert(lti_protocol::vocab::claim::AGS_ENDPOINT.into(), ags);
    }
    if tool.has_scope(scope::NRPS) {
        m.insert(
            lti_protocol::vocab::claim::NRPS.into(),
            json!({"context_memberships_url": memberships_url(f.base, &c.id), "service_versions": ["2.0"]}),
        );
    }
    if is_dl {
        // Launches made before settings could be chosen offer the defaults.
        let settings = match &launch.dl_settings {
            Some(s) => s.clone(),
            None => super::launch::DlOptions::default()
                .settings(&c.title, launch.dl_data.as_deref())
                .unwrap_or_default(),
        };
        let mut claim = settings.to_claim();
        claim.insert(
            "deep_link_return_url".into(),
            json!(format!(
                "{}{}/{}",
                f.base,
                paths::DEEP_LINKING_RETURN,
                launch.id
            )),
        );
        m.insert(
            lti_protocol::vocab::claim::DL_SETTINGS.into(),
            Value::Object(claim),
        );
    }
    if launch.message_type == message::SUBMISSION_REVIEW {
        if let Some((u, e)) = f.for_user {
            let mut fu = json!({"user_id": u.id, "roles": context_roles(e)});
            for (k, v) in [
                ("name", &u.name),
                ("given_name", &u.given_name),
                ("family_name", &u.family_name),
            ] {
                if !v.is_empty() {
                    fu[k] = json!(v);
                }
            }
            if let Some(email) = &u.email {
                fu["email"] = json!(email);
            }
            if let Some(s) = &u.sourcedid {
                fu["person_sourcedid"] = json!(s);
            }
            m.insert(lti("for_user"), fu);
        }
    }
    m
}

/// Content item types the emulator accepts from deep linking (DL 2.0 §3).
pub const ACCEPT_TYPES: &[&str] = &["ltiResourceLink", "link", "html", "file", "image"];
