//! LTI role URIs turned into readable badges: which vocabulary (context, institution, system,
//! LTI system), a human name ("Teaching assistant (sub-role of Instructor)"), and whether the
//! form is deprecated (simple names, `urn:lti:` URNs, `…/v2/person#` without system/institution).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

const LIS: &str = "http://purl.imsglobal.org/vocab/lis/v2/";
const LTI_SYSTEM: &str = "http://purl.imsglobal.org/vocab/lti/system/person#";

/// Which role vocabulary a role belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum RoleKind {
    Context,
    Institution,
    System,
    LtiSystem,
    Unknown,
}

/// One role, ready to show as a badge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RoleBadge {
    pub uri: String,
    pub kind: RoleKind,
    pub name: String,
    /// In the LTI vocabularies (current or deprecated form).
    pub known: bool,
    pub deprecated: bool,
    pub deprecation_note: Option<String>,
    /// For a context sub-role, its principal role (e.g. "Instructor").
    pub sub_role_of: Option<String>,
}

/// LIS v2 system roles (Core A.2.1).
pub const SYSTEM_ROLES: &[&str] = &[
    "Administrator",
    "None",
    "AccountAdmin",
    "Creator",
    "SysAdmin",
    "SysSupport",
    "User",
];
/// LIS v2 institution roles (Core A.2.2).
pub const INSTITUTION_ROLES: &[&str] = &[
    "Administrator",
    "Faculty",
    "Guest",
    "None",
    "Other",
    "Staff",
    "Student",
    "Alumni",
    "Instructor",
    "Learner",
    "Member",
    "Mentor",
    "Observer",
    "ProspectiveStudent",
];
/// LIS v2 context roles (Core A.2.3): the core five then the non-core three.
pub const CONTEXT_ROLES: &[&str] = &[
    "Administrator",
    "ContentDeveloper",
    "Instructor",
    "Learner",
    "Mentor",
    "Manager",
    "Member",
    "Officer",
];

/// Context sub-roles per principal role (Core A.2.3.1).
fn sub_roles(principal: &str) -> &'static [&'static str] {
    match principal {
        "Administrator" => &[
            "Administrator",
            "Developer",
            "ExternalDeveloper",
            "ExternalSupport",
            "ExternalSystemAdministrator",
            "Support",
            "SystemAdministrator",
        ],
        "ContentDeveloper" => &[
            "ContentDeveloper",
            "ContentExpert",
            "ExternalContentExpert",
            "Librarian",
        ],
        "Instructor" => &[
            "ExternalInstructor",
            "Grader",
            "GuestInstructor",
            "Lecturer",
            "PrimaryInstructor",
            "SecondaryInstructor",
            "TeachingAssistant",
            "TeachingAssistantGroup",
            "TeachingAssistantOffering",
            "TeachingAssistantSection",
            "TeachingAssistantSectionAssociation",
            "TeachingAssistantTemplate",
        ],
        "Learner" => &[
            "ExternalLearner",
            "GuestLearner",
            "Instructor",
            "Learner",
            "NonCreditLearner",
        ],
        "Manager" => &[
            "AreaManager",
            "CourseCoordinator",
            "ExternalObserver",
            "Manager",
            "Observer",
        ],
        "Member" => &["Member"],
        "Mentor" => &[
            "Advisor",
            "Auditor",
            "ExternalAdvisor",
            "ExternalAuditor",
            "ExternalLearningFacilitator",
            "ExternalMentor",
            "ExternalReviewer",
            "ExternalTutor",
            "LearningFacilitator",
            "Mentor",
            "Reviewer",
            "Tutor",
        ],
        "Officer" => &[
            "Chair",
            "Communications",
            "Secretary",
            "Treasurer",
            "Vice-Chair",
        ],
        _ => &[],
    }
}

/// "TeachingAssistant" → "Teaching assistant".
pub fn humanize(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if i > 0 && c.is_ascii_uppercase() {
            out.push(' ');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn badge(uri: &str, kind: RoleKind, name: String, known: bool) -> RoleBadge {
    RoleBadge {
        uri: uri.to_string(),
        kind,
        name,
        known,
        deprecated: false,
        deprecation_note: None,
        sub_role_of: None,
    }
}

fn deprecated(mut b: RoleBadge, note: impl Into<String>) -> RoleBadge {
    b.deprecated = true;
    b.deprecation_note = Some(note.into());
    b
}

/// Parses one role value.
pub fn parse_role(uri: &str) -> RoleBadge {
    if let Some(rest) = uri.strip_prefix(LIS) {
        if let Some(name) = rest.strip_prefix("system/person#") {
            return badge(
                uri,
                RoleKind::System,
                humanize(name),
                SYSTEM_ROLES.contains(&name),
            );
        }
        if let Some(name) = rest.strip_prefix("institution/person#") {
            let known = INSTITUTION_ROLES.contains(&name);
            return badge(uri, RoleKind::Institution, humanize(name), known);
        }
        if let Some(name) = rest.strip_prefix("membership#") {
            let known = CONTEXT_ROLES.contains(&name);
            return badge(uri, RoleKind::Context, humanize(name), known);
        }
        if let Some((principal, sub)) = rest
            .strip_prefix("membership/")
            .and_then(|r| r.split_once('#'))
        {
            let known = sub_roles(principal).contains(&sub);
            let mut b = badge(
                uri,
                RoleKind::Context,
                format!("{} (sub-role of {})", humanize(sub), principal),
                known,
            );
            b.sub_role_of = Some(principal.to_string());
            return b;
        }
        if let Some(name) = rest.strip_prefix("person#") {
            let kind = if SYSTEM_ROLES.contains(&name) {
                RoleKind::System
            } else {
                RoleKind::Institution
            };
            let known = SYSTEM_ROLES.contains(&name) || INSTITUTION_ROLES.contains(&name);
            return deprecated(
                badge(uri, kind, humanize(name), known),
                "…/v2/person# without system/ or institution/ is deprecated; use the full system/person# or institution/person# URI",
            );
        }
        return badge(uri, RoleKind::Unknown, uri.to_string(), false);
    }
    if let Some(name) = uri.strip_prefix(LTI_SYSTEM) {
        return badge(uri, RoleKind::LtiSystem, humanize(name), name == "TestUser");
    }
    if let Some(rest) = uri.strip_prefix("urn:lti:") {
        return parse_urn(uri, rest);
    }
    if uri == "TeachingAssistant" {
        let mut b = badge(
            uri,
            RoleKind::Context,
            "Teaching assistant (sub-role of Instructor)".into(),
            true,
        );
        b.sub_role_of = Some("Instructor".into());
        return deprecated(b, format!("simple role names are deprecated; send {LIS}membership/Instructor#TeachingAssistant"));
    }
    if CONTEXT_ROLES.contains(&uri) {
        let b = badge(uri, RoleKind::Context, humanize(uri), true);
        return deprecated(
            b,
            format!("simple role names are deprecated; send {LIS}membership#{uri}"),
        );
    }
    badge(uri, RoleKind::Unknown, uri.to_string(), false)
}

/// `urn:lti:role:ims/lis/Instructor`, `urn:lti:instrole:ims/lis/Faculty`,
/// `urn:lti:sysrole:ims/lis/Administrator` (LTI 1.1 forms).
fn parse_urn(uri: &str, rest: &str) -> RoleBadge {
    let (scope, name) = rest.split_once(":ims/lis/").unwrap_or((rest, ""));
    let (principal, sub) = match name.split_once('/') {
        Some((p, s)) => (p, Some(s)),
        // LTI 1.1 listed TeachingAssistant as a context role of its own.
        None if scope == "role" && name == "TeachingAssistant" => ("Instructor", Some(name)),
        None => (name, None),
    };
    let (kind, current) = match scope {
        "role" => (RoleKind::Context, format!("{LIS}membership#{principal}")),
        "instrole" => (
            RoleKind::Institution,
            format!("{LIS}institution/person#{principal}"),
        ),
        "sysrole" => (RoleKind::System, format!("{LIS}system/person#{principal}")),
        _ => (RoleKind::Unknown, String::new()),
    };
    let known = match kind {
        RoleKind::Context => CONTEXT_ROLES.contains(&principal),
        RoleKind::Institution => INSTITUTION_ROLES.contains(&principal),
        RoleKind::System => SYSTEM_ROLES.contains(&principal),
        _ => false,
    };
    let name = match sub {
        Some(s) => format!("{} (sub-role of {principal})", humanize(s)),
        None if principal.is_empty() => uri.to_string(),
        None => humanize(principal),
    };
    let mut b = badge(uri, kind, name, known);
    b.sub_role_of = sub.map(|_| principal.to_string());
    let note = if current.is_empty() {
        "urn:lti: role URNs are LTI 1.1 forms and deprecated in LTI 1.3".to_string()
    } else {
        format!("urn:lti: role URNs are LTI 1.1 forms, deprecated in LTI 1.3; send {current}")
    };
    deprecated(b, note)
}

/// Badges for a roles array, in order. Non-string entries become unknown badges.
pub fn parse_roles(values: &[serde_json::Value]) -> Vec<RoleBadge> {
    values
        .iter()
        .map(|v| match v.as_str() {
            Some(s) => parse_role(s),
            None => badge(&v.to_string(), RoleKind::Unknown, v.to_string(), false),
        })
        .collect()
}

/// Whether the badge is a current (non-deprecated) vocabulary role.
pub fn is_current_vocabulary(b: &RoleBadge) -> bool {
    b.known && !b.deprecated
}

/// Whether the role is the context Mentor role or one of its sub-roles.
pub fn is_mentor(b: &RoleBadge) -> bool {
    b.kind == RoleKind::Context
        && (b.uri == format!("{LIS}membership#Mentor")
            || b.uri.starts_with(&format!("{LIS}membership/Mentor#"))
            || (b.deprecated
                && (b.uri == "Mentor" || b.uri.starts_with("urn:lti:role:ims/lis/Mentor"))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn current_vocabularies() {
        let b = parse_role("http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor");
        assert_eq!(
            (b.kind, b.name.as_str(), b.known, b.deprecated),
            (RoleKind::Context, "Instructor", true, false)
        );
        let b = parse_role(
            "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant",
        );
        assert_eq!(b.name, "Teaching assistant (sub-role of Instructor)");
        assert_eq!(b.sub_role_of.as_deref(), Some("Instructor"));
        assert!(b.known);
        let b = parse_role("http://purl.imsglobal.org/vocab/lis/v2/institution/person#Staff");
        assert_eq!((b.kind, b.known), (RoleKind::Institution, true));
        let b = parse_role("http://purl.imsglobal.org/vocab/lis/v2/system/person#SysAdmin");
        assert_eq!((b.kind, b.name.as_str()), (RoleKind::System, "Sys admin"));
        let b = parse_role("http://purl.imsglobal.org/vocab/lti/system/person#TestUser");
        assert_eq!((b.kind, b.known), (RoleKind::LtiSystem, true));
        let b = parse_role("http://purl.imsglobal.org/vocab/lis/v2/system/person#None");
        assert!(b.known && !b.deprecated);
    }

    #[test]
    fn deprecated_forms() {
        let b = parse_role("Instructor");
        assert!(b.deprecated && b.known);
        assert!(b
            .deprecation_note
            .unwrap()
            .contains("membership#Instructor"));
        let b = parse_role("urn:lti:instrole:ims/lis/Faculty");
        assert_eq!(
            (b.kind, b.deprecated, b.known),
            (RoleKind::Institution, true, true)
        );
        let b = parse_role("urn:lti:role:ims/lis/TeachingAssistant/TeachingAssistantSection");
        assert!(b.deprecated);
        let b = parse_role("urn:lti:role:ims/lis/TeachingAssistant");
        assert_eq!(
            (b.known, b.sub_role_of.as_deref()),
            (true, Some("Instructor"))
        );
        assert!(parse_role("TeachingAssistant").known);
        let b = parse_role("http://purl.imsglobal.org/vocab/lis/v2/person#Administrator");
        assert!(b.deprecated);
        assert_eq!(b.kind, RoleKind::System);
        let b = parse_role("https://example.com/roles#Wizard");
        assert_eq!((b.kind, b.known), (RoleKind::Unknown, false));
    }

    #[test]
    fn mentor_detection() {
        assert!(is_mentor(&parse_role(
            "http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor"
        )));
        assert!(is_mentor(&parse_role(
            "http://purl.imsglobal.org/vocab/lis/v2/membership/Mentor#Advisor"
        )));
        assert!(!is_mentor(&parse_role(
            "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Mentor"
        )));
    }
}
