//! LTI Core identifier and shape claims (`lti.*`): message type, version, deployment, target
//! link, resource link, context, tool platform and launch presentation.

use serde_json::{Map, Value};

use super::claim_values;
use super::{
    ascii_id_problem, is_absolute_url, is_notice, is_tool_originated, show, uri, IdTokenContext,
    MESSAGE_TYPES,
};
use crate::finding::{Finding, Report, Severity};
use crate::lms::{self, LmsProfile};

/// Message types that launch a user into the tool and so need target_link_uri and roles.
pub(super) fn is_user_launch(t: &str) -> bool {
    !t.is_empty() && !is_tool_originated(t) && !is_notice(t)
}

fn needs_resource_link(t: &str) -> bool {
    matches!(
        t,
        "LtiResourceLinkRequest"
            | "LtiSubmissionReviewRequest"
            | "LtiStartProctoring"
            | "LtiEndAssessment"
    )
}

/// The LTI Core claims; returns the parsed roles.
pub(super) fn check(
    p: &Map<String, Value>,
    ctx: &IdTokenContext<'_>,
    message_type: &str,
    profile: Option<&LmsProfile>,
    report: &mut Report,
) -> Vec<crate::roles::RoleBadge> {
    check_message_type(p, report);
    check_version(p, report);
    check_deployment(p, ctx, profile, report);
    check_target_link(p, ctx, message_type, report);
    check_resource_link(p, message_type, report);
    let roles = claim_values::check_roles(p, message_type, report);
    check_context(p, report);
    check_tool_platform(p, profile, report);
    check_launch_presentation(p, report);
    claim_values::check_lis_custom(p, report);
    claim_values::check_names(p, report);
    for f in crate::lti11::migration::check(p, ctx.lti11_secret.as_deref()) {
        report.push(f);
    }
    roles
}

fn check_message_type(p: &Map<String, Value>, report: &mut Report) {
    let path = uri::MESSAGE_TYPE;
    match p.get(path) {
        None => report.push(Finding::fail("lti.message_type", "message_type is missing.").path(path).actual("(missing)")),
        Some(Value::String(t)) if MESSAGE_TYPES.contains(&t.as_str()) => {
            report.push(Finding::pass("lti.message_type", format!("{t}.")).path(path).actual(t))
        }
        Some(Value::String(t)) => report.push(
            Finding::fail("lti.message_type", format!("{t:?} is not an LTI message type: a receiver rejects messages it cannot handle."))
                .path(path)
                .expected("LtiResourceLinkRequest, LtiDeepLinkingRequest, … (see MESSAGE_TYPES)")
                .actual(t),
        ),
        Some(other) => report.push(Finding::fail("lti.message_type", "message_type must be a string.").path(path).actual(show(other))),
    }
}

fn check_version(p: &Map<String, Value>, report: &mut Report) {
    let path = uri::VERSION;
    match p.get(path) {
        Some(Value::String(v)) if v == "1.3.0" => {
            report.push(Finding::pass("lti.version", "1.3.0.").path(path))
        }
        other => report.push(
            Finding::fail("lti.version", "version must be \"1.3.0\".")
                .path(path)
                .expected("1.3.0")
                .actual(other.map(show).unwrap_or_else(|| "(missing)".into())),
        ),
    }
}

fn check_deployment(
    p: &Map<String, Value>,
    ctx: &IdTokenContext<'_>,
    profile: Option<&LmsProfile>,
    report: &mut Report,
) {
    let path = uri::DEPLOYMENT_ID;
    let dep = match p.get(path) {
        Some(Value::String(d)) => match ascii_id_problem(d, 255) {
            None => {
                report.push(
                    Finding::pass("lti.deployment_id", "Present.")
                        .path(path)
                        .actual(d),
                );
                Some(d.as_str())
            }
            Some(problem) => {
                report.push(
                    Finding::fail("lti.deployment_id", format!("deployment_id {problem}."))
                        .path(path)
                        .actual(d),
                );
                Some(d.as_str())
            }
        },
        Some(other) => {
            report.push(
                Finding::fail("lti.deployment_id", "deployment_id must be a string.")
                    .path(path)
                    .actual(show(other)),
            );
            None
        }
        None => {
            report.push(
                Finding::fail(
                    "lti.deployment_id",
                    "deployment_id is missing; every LTI message MUST carry it.",
                )
                .path(path)
                .actual("(missing)"),
            );
            None
        }
    };
    match (dep, ctx.registration.as_ref()) {
        (None, _) => report.push(Finding::skipped("lti.deployment_known", "No deployment_id to look up.").path(path)),
        (Some(_), None) => report.push(Finding::skipped("lti.deployment_known", "No registration supplied.").path(path)),
        (Some(d), Some(reg)) => match &reg.deployment_ids {
            None => report.push(
                Finding::pass("lti.deployment_known", "The registration accepts any deployment id.").severity(Severity::Info).path(path).actual(d),
            ),
            Some(ids) if ids.iter().any(|i| i == d) => {
                report.push(Finding::pass("lti.deployment_known", "A known deployment of this registration.").path(path).actual(d))
            }
            Some(ids) => report.push(
                Finding::fail("lti.deployment_known", "Unknown deployment for this (iss, client_id): add it to the registration (tools MUST allow several).")
                    .path(path)
                    .expected(ids.join(", "))
                    .actual(d)
                    .maybe_hint(lms::deployment_hint(profile)),
            ),
        },
    }
    match (
        dep,
        ctx.login
            .as_ref()
            .and_then(|l| l.lti_deployment_id.as_deref()),
    ) {
        (_, None) => report.push(
            Finding::skipped(
                "lti.deployment_matches_login",
                "The login carried no lti_deployment_id.",
            )
            .path(path),
        ),
        (Some(d), Some(l)) if d == l => report.push(
            Finding::pass(
                "lti.deployment_matches_login",
                "Same as the login's lti_deployment_id.",
            )
            .path(path)
            .expected(l)
            .actual(d),
        ),
        (d, Some(l)) => report.push(
            Finding::fail(
                "lti.deployment_matches_login",
                "deployment_id differs from the login's lti_deployment_id.",
            )
            .path(path)
            .expected(l)
            .actual(d.unwrap_or("(missing)")),
        ),
    }
}

fn check_target_link(
    p: &Map<String, Value>,
    ctx: &IdTokenContext<'_>,
    message_type: &str,
    report: &mut Report,
) {
    let path = uri::TARGET_LINK_URI;
    let value = p.get(path);
    match value {
        Some(Value::String(s)) if is_absolute_url(s) => report.push(
            Finding::pass("lti.target_link_uri", "Present and absolute.")
                .path(path)
                .actual(s),
        ),
        Some(v) => report.push(
            Finding::fail(
                "lti.target_link_uri",
                "target_link_uri must be an absolute URL.",
            )
            .path(path)
            .actual(show(v)),
        ),
        None if is_user_launch(message_type) => report.push(
            Finding::fail("lti.target_link_uri", "target_link_uri is missing.")
                .path(path)
                .actual("(missing)"),
        ),
        None => report.push(
            Finding::skipped("lti.target_link_uri", "Not required for this message type.")
                .path(path),
        ),
    }
    match (value.and_then(Value::as_str), ctx.login.as_ref().and_then(|l| l.target_link_uri.as_deref())) {
        (_, None) => report.push(Finding::skipped("lti.target_link_uri_matches_login", "No login target_link_uri to compare.").path(path)),
        (Some(v), Some(l)) if v == l => report.push(Finding::pass("lti.target_link_uri_matches_login", "Same as the login's.").path(path)),
        (v, Some(l)) => report.push(
            Finding::fail("lti.target_link_uri_matches_login", "The signed target_link_uri differs from the login's: redirect to the claim, never the login parameter.")
                .path(path)
                .expected(l)
                .actual(v.unwrap_or("(missing)")),
        ),
    }
}

fn check_resource_link(p: &Map<String, Value>, message_type: &str, report: &mut Report) {
    let path = uri::RESOURCE_LINK;
    let required = needs_resource_link(message_type);
    let Some(v) = p.get(path) else {
        if required {
            report.push(
                Finding::fail(
                    "lti.resource_link",
                    format!("{message_type} requires the resource_link claim."),
                )
                .path(path)
                .actual("(missing)"),
            );
        } else {
            report.push(
                Finding::skipped(
                    "lti.resource_link",
                    "No resource_link (not required for this message type).",
                )
                .path(path),
            );
        }
        return;
    };
    let Some(obj) = v.as_object() else {
        report.push(
            Finding::fail("lti.resource_link", "resource_link must be an object.")
                .path(path)
                .actual(show(v)),
        );
        return;
    };
    let id_path = format!("{path}.id");
    match obj.get("id") {
        Some(Value::String(id)) => match ascii_id_problem(id, 255) {
            None => report.push(
                Finding::pass("lti.resource_link", "id present.")
                    .path(&id_path)
                    .actual(id),
            ),
            Some(problem) => report.push(
                Finding::fail("lti.resource_link", format!("resource_link.id {problem}."))
                    .path(&id_path)
                    .actual(id),
            ),
        },
        Some(other) => report.push(
            Finding::fail("lti.resource_link", "resource_link.id must be a string.")
                .path(&id_path)
                .actual(show(other)),
        ),
        None => report.push(
            Finding::fail("lti.resource_link", "resource_link.id is missing.")
                .path(&id_path)
                .actual("(missing)"),
        ),
    }
    for member in ["title", "description"] {
        if let Some(v) = obj.get(member).filter(|v| !v.is_string() && !v.is_null()) {
            report.push(
                Finding::fail(
                    "lti.resource_link",
                    format!("resource_link.{member} must be a string."),
                )
                .severity(Severity::Warning)
                .path(format!("{path}.{member}"))
                .actual(show(v)),
            );
        }
    }
}

const CONTEXT_TYPES: &[&str] = &["CourseTemplate", "CourseOffering", "CourseSection", "Group"];

fn check_context(p: &Map<String, Value>, report: &mut Report) {
    let path = uri::CONTEXT;
    let Some(v) = p.get(path) else {
        report.push(
            Finding::skipped(
                "lti.context",
                "No context claim (optional: e.g. a launch outside a course).",
            )
            .path(path),
        );
        return;
    };
    let Some(obj) = v.as_object() else {
        report.push(
            Finding::fail("lti.context", "context must be an object.")
                .path(path)
                .actual(show(v)),
        );
        return;
    };
    let id_path = format!("{path}.id");
    match obj.get("id") {
        Some(Value::String(id)) => match ascii_id_problem(id, 255) {
            None => report.push(
                Finding::pass("lti.context", "id present.")
                    .path(&id_path)
                    .actual(id),
            ),
            Some(problem) => report.push(
                Finding::fail("lti.context", format!("context.id {problem}."))
                    .path(&id_path)
                    .actual(id),
            ),
        },
        other => report.push(
            Finding::fail(
                "lti.context",
                "context.id is required and must be a string.",
            )
            .path(&id_path)
            .actual(other.map(show).unwrap_or_else(|| "(missing)".into())),
        ),
    }
    let type_path = format!("{path}.type");
    match obj.get("type") {
        None => {
            report.push(Finding::skipped("lti.context_type", "No context.type.").path(&type_path))
        }
        Some(Value::Array(types)) => {
            let mut problems = Vec::new();
            for t in types {
                match t.as_str() {
                    None => problems.push(format!("{} is not a string", show(t))),
                    Some(s) if CONTEXT_TYPES.contains(&s) || s.starts_with("urn:lti:context-type:") => {
                        problems.push(format!("{s} is a deprecated form; use http://purl.imsglobal.org/vocab/lis/v2/course#…"))
                    }
                    Some(_) => {}
                }
            }
            if problems.is_empty() {
                report.push(
                    Finding::pass("lti.context_type", "Context types are URIs.").path(&type_path),
                );
            } else {
                report.push(
                    Finding::fail("lti.context_type", format!("{}.", problems.join("; ")))
                        .path(&type_path)
                        .actual(show(&Value::Array(types.clone()))),
                );
            }
        }
        Some(other) => report.push(
            Finding::fail(
                "lti.context_type",
                "context.type must be an array of strings.",
            )
            .path(&type_path)
            .actual(show(other)),
        ),
    }
}

fn check_tool_platform(p: &Map<String, Value>, profile: Option<&LmsProfile>, report: &mut Report) {
    let path = uri::TOOL_PLATFORM;
    let Some(v) = p.get(path) else {
        report.push(
            Finding::skipped("lti.tool_platform", "No tool_platform claim (optional).").path(path),
        );
        return;
    };
    let Some(obj) = v.as_object() else {
        report.push(
            Finding::fail("lti.tool_platform", "tool_platform must be an object.")
                .path(path)
                .actual(show(v)),
        );
        return;
    };
    let guid_path = format!("{path}.guid");
    match obj.get("guid") {
        Some(Value::String(g)) => match ascii_id_problem(g, 255) {
            None => report.push(
                Finding::pass("lti.tool_platform", "guid present.")
                    .path(&guid_path)
                    .actual(g),
            ),
            Some(problem) => report.push(
                Finding::fail(
                    "lti.tool_platform",
                    format!("tool_platform.guid {problem}."),
                )
                .path(&guid_path)
                .actual(g),
            ),
        },
        other => report.push(
            Finding::fail(
                "lti.tool_platform",
                "tool_platform.guid is required and must be a string.",
            )
            .path(&guid_path)
            .actual(other.map(show).unwrap_or_else(|| "(missing)".into())),
        ),
    }
    if obj.contains_key("family_code") && !obj.contains_key("product_family_code") {
        let hint = match profile.map(|p| p.id.as_str()) {
            Some("moodle") | None => {
                "Old Moodle versions send family_code; read both names when detecting the platform."
            }
            Some(_) => "Read both names when detecting the platform.",
        };
        report.push(
            Finding::fail(
                "lti.tool_platform_family_code",
                "tool_platform uses family_code instead of product_family_code.",
            )
            .path(format!("{path}.family_code"))
            .expected("product_family_code")
            .actual("family_code")
            .hint(hint),
        );
    } else {
        report.push(
            Finding::pass(
                "lti.tool_platform_family_code",
                "Uses the standard member name.",
            )
            .path(path),
        );
    }
}

fn check_launch_presentation(p: &Map<String, Value>, report: &mut Report) {
    let path = uri::LAUNCH_PRESENTATION;
    let Some(v) = p.get(path) else {
        report.push(
            Finding::skipped(
                "lti.launch_presentation",
                "No launch_presentation claim (optional).",
            )
            .path(path),
        );
        return;
    };
    let Some(obj) = v.as_object() else {
        report.push(
            Finding::fail(
                "lti.launch_presentation",
                "launch_presentation must be an object.",
            )
            .path(path)
            .actual(show(v)),
        );
        return;
    };
    let mut problems = Vec::new();
    if let Some(t) = obj.get("document_target") {
        if !matches!(t.as_str(), Some("frame" | "iframe" | "window")) {
            problems.push(format!(
                "document_target {} is not frame, iframe or window",
                show(t)
            ));
        }
    }
    for dim in ["height", "width"] {
        if obj.get(dim).is_some_and(|d| !d.is_number()) {
            problems.push(format!("{dim} is not a number"));
        }
    }
    for s in ["locale", "return_url"] {
        if obj.get(s).is_some_and(|d| !d.is_string()) {
            problems.push(format!("{s} is not a string"));
        }
    }
    if problems.is_empty() {
        report.push(Finding::pass("lti.launch_presentation", "Well-formed.").path(path));
    } else {
        report.push(
            Finding::fail(
                "lti.launch_presentation",
                format!("{}.", problems.join("; ")),
            )
            .path(path)
            .actual(show(v)),
        );
    }
    let url_path = format!("{path}.return_url");
    match obj.get("return_url").and_then(Value::as_str) {
        None => report.push(
            Finding::skipped("lti.launch_presentation_return_url", "No return_url.")
                .path(&url_path),
        ),
        Some(u) if is_absolute_url(u) => report.push(
            Finding::pass("lti.launch_presentation_return_url", "Absolute URL.").path(&url_path),
        ),
        Some(u) => report.push(
            Finding::fail(
                "lti.launch_presentation_return_url",
                "return_url is not an absolute URL: the tool cannot send the user back.",
            )
            .path(&url_path)
            .actual(u),
        ),
    }
}
