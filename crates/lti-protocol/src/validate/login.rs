//! Step 1, third-party initiated login (`login.*`): the parameters a platform sends to the
//! tool's login URL.

use super::{ascii_id_problem, is_absolute_url, param, urls, LoginContext};
use crate::finding::{Finding, Report};
use crate::lms;

/// Parameters the spec or a known LMS defines for the login request.
const KNOWN: &[&str] = &[
    "iss",
    "login_hint",
    "target_link_uri",
    "lti_message_hint",
    "lti_deployment_id",
    "client_id",
    "deployment_id",
    "lti_storage_target",
    "canvas_region",
    "canvas_environment",
];

pub(super) fn check(params: &[(String, String)], ctx: &LoginContext) -> Report {
    let mut r = Report::new();
    let iss = param(params, "iss").filter(|s| !s.is_empty());
    match iss {
        Some(i) => r.push(Finding::pass("login.iss", "Present.").path("iss").actual(i)),
        None => r.push(
            Finding::fail(
                "login.iss",
                "iss is missing: the tool cannot tell which platform this is.",
            )
            .path("iss")
            .actual("(missing)"),
        ),
    }
    let client_id = param(params, "client_id");
    match (&ctx.registrations, iss) {
        (None, _) => r.push(
            Finding::skipped("login.iss_registered", "No registrations supplied.").path("iss"),
        ),
        (Some(_), None) => {
            r.push(Finding::skipped("login.iss_registered", "No iss to look up.").path("iss"))
        }
        (Some(regs), Some(i)) if regs.iter().any(|reg| reg.issuer == i) => r.push(
            Finding::pass("login.iss_registered", "A registered platform.")
                .path("iss")
                .actual(i),
        ),
        (Some(regs), Some(i)) => {
            let hint = regs.iter().find_map(|reg| lms::issuer_hint(&reg.issuer, i));
            let known = regs
                .iter()
                .map(|reg| reg.issuer.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            r.push(
                Finding::fail(
                    "login.iss_registered",
                    "No registration has this issuer (\"registration not found\").",
                )
                .path("iss")
                .expected(known)
                .actual(i)
                .maybe_hint(hint),
            );
        }
    }
    match param(params, "login_hint") {
        Some(h) if !h.is_empty() => r.push(
            Finding::pass("login.login_hint", "Present; echo it unchanged.").path("login_hint"),
        ),
        _ => r.push(
            Finding::fail("login.login_hint", "login_hint is missing.")
                .path("login_hint")
                .actual("(missing)"),
        ),
    }
    let target = param(params, "target_link_uri");
    match target {
        Some(t) if is_absolute_url(t) => r.push(
            Finding::pass("login.target_link_uri", "Present and absolute.")
                .path("target_link_uri")
                .actual(t),
        ),
        Some(t) => r.push(
            Finding::fail(
                "login.target_link_uri",
                "target_link_uri is not an absolute URL.",
            )
            .path("target_link_uri")
            .actual(t),
        ),
        None => r.push(
            Finding::fail("login.target_link_uri", "target_link_uri is missing.")
                .path("target_link_uri")
                .actual("(missing)"),
        ),
    }
    match target {
        _ if ctx.tool_urls.is_empty() => r.push(Finding::skipped("login.target_link_uri_own", "No tool URLs configured to compare with.").path("target_link_uri")),
        None => r.push(Finding::skipped("login.target_link_uri_own", "No target_link_uri.").path("target_link_uri")),
        Some(t) if ctx.tool_urls.iter().any(|base| starts_with_url(t, base)) => {
            r.push(Finding::pass("login.target_link_uri_own", "One of this tool's URLs.").path("target_link_uri"))
        }
        Some(t) => r.push(
            Finding::fail("login.target_link_uri_own", "target_link_uri is not one of this tool's URLs: redirecting to it would be an open redirect.")
                .path("target_link_uri")
                .expected(ctx.tool_urls.join(", "))
                .actual(t),
        ),
    }
    if let Some(f) = target.and_then(|t| urls::http_finding("target_link_uri", t, &ctx.policy)) {
        r.push(f);
    }
    match param(params, "lti_message_hint") {
        Some(_) => r.push(
            Finding::pass(
                "login.lti_message_hint",
                "Present: it MUST be sent back unaltered in the authentication request.",
            )
            .path("lti_message_hint"),
        ),
        None => r.push(
            Finding::skipped("login.lti_message_hint", "Not sent (optional).")
                .path("lti_message_hint"),
        ),
    }
    let lti_dep = param(params, "lti_deployment_id");
    let canvas_dep = param(params, "deployment_id");
    match lti_dep {
        Some(d) => match ascii_id_problem(d, 255) {
            None => r.push(
                Finding::pass(
                    "login.lti_deployment_id",
                    "Present; the id_token's deployment_id must match it.",
                )
                .path("lti_deployment_id")
                .actual(d),
            ),
            Some(p) => r.push(
                Finding::fail("login.lti_deployment_id", format!("lti_deployment_id {p}."))
                    .path("lti_deployment_id")
                    .actual(d),
            ),
        },
        None => r.push(
            Finding::skipped("login.lti_deployment_id", "Not sent (optional).")
                .path("lti_deployment_id"),
        ),
    }
    match (lti_dep, canvas_dep) {
        (_, None) => r.push(Finding::pass("login.canvas_deployment_id_param", "No non-standard deployment_id parameter.").path("deployment_id")),
        (None, Some(d)) => r.push(
            Finding::fail("login.canvas_deployment_id_param", "deployment_id was sent instead of lti_deployment_id.")
                .path("deployment_id")
                .expected("lti_deployment_id")
                .actual(d)
                .hint("Canvas historically named this parameter deployment_id (canvas-lms issue 2201): accept both names."),
        ),
        (Some(a), Some(b)) if a == b => r.push(Finding::pass("login.canvas_deployment_id_param", "deployment_id duplicates lti_deployment_id.").path("deployment_id")),
        (Some(a), Some(b)) => r.push(
            Finding::fail("login.canvas_deployment_id_param", "deployment_id and lti_deployment_id disagree.").path("deployment_id").expected(a).actual(b),
        ),
    }
    let same_iss: Vec<_> = ctx
        .registrations
        .iter()
        .flatten()
        .filter(|reg| Some(reg.issuer.as_str()) == iss)
        .collect();
    match client_id {
        Some(c) if ctx.registrations.is_none() || same_iss.is_empty() => {
            r.push(Finding::pass("login.client_id", "Present.").path("client_id").actual(c))
        }
        Some(c) if same_iss.iter().any(|reg| reg.client_id == c) => {
            r.push(Finding::pass("login.client_id", "Selects a registration of this issuer.").path("client_id").actual(c))
        }
        Some(c) => r.push(
            Finding::fail("login.client_id", "No registration of this issuer has this client_id.")
                .path("client_id")
                .expected(same_iss.iter().map(|reg| reg.client_id.as_str()).collect::<Vec<_>>().join(", "))
                .actual(c),
        ),
        None if same_iss.len() > 1 => r.push(
            Finding::fail("login.client_id", "No client_id, and this issuer has several registrations: the tool cannot tell which one.").path("client_id"),
        ),
        None => r.push(Finding::skipped("login.client_id", "Not sent (optional): the issuer's only registration applies.").path("client_id")),
    }
    let extras: Vec<String> = params
        .iter()
        .filter(|(k, _)| {
            !matches!(
                k.as_str(),
                "iss"
                    | "login_hint"
                    | "target_link_uri"
                    | "lti_message_hint"
                    | "lti_deployment_id"
                    | "client_id"
                    | "deployment_id"
            )
        })
        .map(|(k, v)| {
            if KNOWN.contains(&k.as_str()) {
                format!("{k}={v}")
            } else {
                format!("{k}={v} (unknown)")
            }
        })
        .collect();
    if extras.is_empty() {
        r.push(Finding::pass("login.extras", "No extra parameters."));
    } else {
        r.push(Finding::pass(
            "login.extras",
            format!("Extra parameters: {}.", extras.join(", ")),
        ));
    }
    r
}

/// Whether `url` is `base` or below it (same origin, path prefix at a segment boundary).
fn starts_with_url(url: &str, base: &str) -> bool {
    let base = base.trim_end_matches('/');
    url == base || url.starts_with(&format!("{base}/")) || url.starts_with(&format!("{base}?"))
}
