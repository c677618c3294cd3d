//! Claim values beyond the core identifiers (`lti.*`): roles and role_scope_mentor, custom and
//! lis values (with unexpanded substitution variables), the LTI 1.1 migration claim, and the
//! names of extension and unknown claims.

use serde_json::{Map, Value};

use super::core_claims::is_user_launch;
use super::{is_absolute_url, show, uri};
use crate::claims;
use crate::finding::{Finding, Report, Severity};
use crate::roles::{self, RoleBadge, RoleKind};

/// Checks the roles claim; returns the parsed roles (the report shows them as badges).
pub(super) fn check_roles(
    p: &Map<String, Value>,
    message_type: &str,
    report: &mut Report,
) -> Vec<RoleBadge> {
    let path = uri::ROLES;
    let Some(v) = p.get(path) else {
        if is_user_launch(message_type) {
            report.push(
                Finding::fail(
                    "lti.roles",
                    "roles is missing (an empty array is allowed, absence is not).",
                )
                .path(path)
                .actual("(missing)"),
            );
        } else {
            report.push(
                Finding::skipped("lti.roles", "Not required for this message type.").path(path),
            );
        }
        return Vec::new();
    };
    let Some(items) = v.as_array() else {
        report.push(
            Finding::fail("lti.roles", "roles must be an array of strings.")
                .path(path)
                .actual(show(v)),
        );
        return Vec::new();
    };
    let badges = roles::parse_roles(items);
    if items.iter().any(|r| !r.is_string()) {
        report.push(
            Finding::fail("lti.roles", "roles must contain only strings.")
                .path(path)
                .actual(show(v)),
        );
    } else if items.is_empty() {
        report.push(
            Finding::pass(
                "lti.roles",
                "Empty roles array (allowed: the platform shares no role).",
            )
            .path(path),
        );
    } else {
        report.push(Finding::pass("lti.roles", format!("{} roles.", badges.len())).path(path));
        let known: Vec<String> = badges
            .iter()
            .filter(|b| b.known)
            .map(|b| format!("{} ({:?})", b.name, b.kind).to_lowercase())
            .collect();
        report.push(if known.is_empty() {
            Finding::fail(
                "lti.roles_vocabulary",
                "None of the roles is from the LTI role vocabularies.",
            )
            .path(path)
            .actual(show(v))
        } else {
            Finding::pass(
                "lti.roles_vocabulary",
                format!("{} roles, recognised: {}.", badges.len(), known.join(", ")),
            )
            .path(path)
        });
    }
    let deprecated: Vec<&str> = badges
        .iter()
        .filter(|b| b.deprecated)
        .map(|b| b.uri.as_str())
        .collect();
    if deprecated.is_empty() {
        report.push(Finding::pass("lti.roles_deprecated", "No deprecated role forms.").path(path));
    } else {
        report.push(
            Finding::fail("lti.roles_deprecated", format!("Deprecated role forms: {}.", deprecated.join(", ")))
                .path(path)
                .expected("full vocabulary URIs, e.g. http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"),
        );
    }
    let context_roles: Vec<&str> = badges
        .iter()
        .filter(|b| b.kind == RoleKind::Context)
        .map(|b| b.name.as_str())
        .collect();
    if context_roles.is_empty() {
        report.push(Finding::fail("lti.roles_context", "No context (membership) role: the user has only system/institution roles here; tools gating on Instructor/Learner may refuse them.").path(path));
    } else {
        report.push(
            Finding::pass(
                "lti.roles_context",
                format!("Context roles: {}.", context_roles.join(", ")),
            )
            .path(path),
        );
    }
    let mentor_path = uri::ROLE_SCOPE_MENTOR;
    match p.get(mentor_path) {
        None => report.push(
            Finding::skipped("lti.role_scope_mentor", "No role_scope_mentor claim.")
                .path(mentor_path),
        ),
        // Canvas sends [] for every user: an empty list scopes nothing, and no library refuses it.
        Some(Value::Array(a)) if a.is_empty() => report.push(
            Finding::pass(
                "lti.role_scope_mentor",
                "An empty list: it grants mentoring of nobody (Canvas sends it for every user).",
            )
            .path(mentor_path),
        ),
        Some(m) if !badges.iter().any(roles::is_mentor) => report.push(
            Finding::fail(
                "lti.role_scope_mentor",
                "role_scope_mentor is sent but the user is not a Mentor.",
            )
            .path(mentor_path)
            .actual(show(m)),
        ),
        Some(Value::Array(a)) if a.iter().all(Value::is_string) => report.push(
            Finding::pass(
                "lti.role_scope_mentor",
                format!("Mentor of {} users.", a.len()),
            )
            .path(mentor_path),
        ),
        Some(m) => report.push(
            Finding::fail(
                "lti.role_scope_mentor",
                "role_scope_mentor must be an array of user id strings.",
            )
            .path(mentor_path)
            .actual(show(m)),
        ),
    };
    badges
}

/// `$Person.sourcedId`-style text: a substitution variable the platform did not expand.
fn unexpanded(s: &str) -> bool {
    let Some(rest) = s.strip_prefix('$') else {
        return false;
    };
    rest.contains('.')
        && rest.starts_with(|c: char| c.is_ascii_alphabetic())
        && rest
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_')
}

pub(super) fn check_lis_custom(p: &Map<String, Value>, report: &mut Report) {
    let mut vars = Vec::new();
    match p.get(uri::LIS) {
        None => report.push(Finding::skipped("lti.lis", "No lis claim (optional).").path(uri::LIS)),
        Some(Value::Object(lis)) => {
            let bad: Vec<&str> = lis
                .iter()
                .filter(|(_, v)| !v.is_string())
                .map(|(k, _)| k.as_str())
                .collect();
            if bad.is_empty() {
                report.push(Finding::pass("lti.lis", "Members are strings.").path(uri::LIS));
            } else {
                report.push(
                    Finding::fail("lti.lis", format!("Not strings: {}.", bad.join(", ")))
                        .path(uri::LIS),
                );
            }
            vars.extend(
                lis.iter()
                    .filter(|(_, v)| v.as_str().is_some_and(unexpanded))
                    .map(|(k, v)| format!("lis.{k} = {}", show(v))),
            );
        }
        Some(other) => report.push(
            Finding::fail("lti.lis", "lis must be an object.")
                .path(uri::LIS)
                .actual(show(other)),
        ),
    }
    match p.get(uri::CUSTOM) {
        None => report
            .push(Finding::skipped("lti.custom", "No custom claim (optional).").path(uri::CUSTOM)),
        Some(Value::Object(custom)) => {
            let bad: Vec<String> = custom
                .iter()
                .filter(|(_, v)| !v.is_string())
                .map(|(k, v)| format!("{k} = {}", show(v)))
                .collect();
            if bad.is_empty() {
                report.push(
                    Finding::pass(
                        "lti.custom",
                        format!("{} custom values, all strings.", custom.len()),
                    )
                    .path(uri::CUSTOM),
                );
            } else {
                report.push(
                    Finding::fail(
                        "lti.custom",
                        format!(
                            "Custom values must be strings (\"\" is fine, null is not): {}.",
                            bad.join(", ")
                        ),
                    )
                    .path(uri::CUSTOM)
                    .expected("string values"),
                );
            }
            vars.extend(
                custom
                    .iter()
                    .filter(|(_, v)| v.as_str().is_some_and(unexpanded))
                    .map(|(k, v)| format!("custom.{k} = {}", show(v))),
            );
        }
        Some(other) => report.push(
            Finding::fail("lti.custom", "custom must be an object of strings.")
                .path(uri::CUSTOM)
                .actual(show(other)),
        ),
    }
    if vars.is_empty() {
        report.push(Finding::pass(
            "lti.variables_unexpanded",
            "No unexpanded substitution variables.",
        ));
    } else {
        report.push(
            Finding::fail("lti.variables_unexpanded", format!("Passed through literally: {}.", vars.join(", ")))
                .hint("The platform could not resolve these variables (unsupported, or no data such as an SIS id); the tool receives the literal text."),
        );
    }
}

/// OIDC and registered JWT claim names that are not URLs by design.
const PLAIN_NAMES: &[&str] = &["acr", "amr", "at_hash", "c_hash", "sid"];

pub(super) fn check_names(p: &Map<String, Value>, report: &mut Report) {
    let mut not_url = Vec::new();
    let mut unknown = Vec::new();
    for k in p.keys() {
        if claims::lookup(k).is_some() {
            continue;
        }
        unknown.push(k.as_str());
        if !PLAIN_NAMES.contains(&k.as_str()) && !is_absolute_url(k) {
            not_url.push(k.as_str());
        }
    }
    if not_url.is_empty() {
        report.push(Finding::pass(
            "lti.vendor_claims",
            "Every extension claim has a fully qualified URL name.",
        ));
    } else {
        report.push(
            Finding::fail(
                "lti.vendor_claims",
                format!("Not fully qualified: {}.", not_url.join(", ")),
            )
            .path(not_url[0]),
        );
    }
    if unknown.is_empty() {
        report.push(Finding::pass(
            "lti.unknown_claims",
            "Every claim is in the dictionary.",
        ));
    } else {
        report.push(
            Finding::pass(
                "lti.unknown_claims",
                format!(
                    "Not in the dictionary ({}; receivers ignore them, listed for you): {}.",
                    unknown.len(),
                    unknown.join(", ")
                ),
            )
            .severity(Severity::Info),
        );
    }
}
