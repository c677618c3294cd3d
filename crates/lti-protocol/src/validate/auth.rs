//! Step 2, the OIDC authentication request (`auth.*`): what a tool sends to the platform's
//! authorization endpoint, compared with the login it answers.

use super::{is_absolute_url, param, urls, AuthRequestContext};
use crate::finding::{Finding, Report, Severity};

fn exact(r: &mut Report, params: &[(String, String)], id: &str, name: &str, want: &str) {
    match param(params, name) {
        Some(v) if v == want => r.push(Finding::pass(id, format!("{name}={want}.")).path(name)),
        other => r.push(
            Finding::fail(id, format!("{name} must be {want}."))
                .path(name)
                .expected(want)
                .actual(other.unwrap_or("(missing)")),
        ),
    }
}

pub(super) fn check(params: &[(String, String)], ctx: &AuthRequestContext) -> Report {
    let mut r = Report::new();
    match param(params, "scope") {
        Some("openid") => r.push(Finding::pass("auth.scope", "scope=openid.").path("scope")),
        Some(s) if s.split_whitespace().any(|x| x == "openid") => r.push(
            Finding::fail(
                "auth.scope",
                "scope contains openid plus other scopes; LTI expects exactly openid.",
            )
            .severity(Severity::Warning)
            .path("scope")
            .expected("openid")
            .actual(s),
        ),
        other => r.push(
            Finding::fail("auth.scope", "scope must be openid.")
                .path("scope")
                .expected("openid")
                .actual(other.unwrap_or("(missing)")),
        ),
    }
    exact(
        &mut r,
        params,
        "auth.response_type",
        "response_type",
        "id_token",
    );
    exact(
        &mut r,
        params,
        "auth.response_mode",
        "response_mode",
        "form_post",
    );
    exact(&mut r, params, "auth.prompt", "prompt", "none");

    let login = ctx.login.as_ref();
    let reg = ctx.registration.as_ref();
    match param(params, "client_id").filter(|c| !c.is_empty()) {
        None => r.push(
            Finding::fail("auth.client_id", "client_id is missing.")
                .path("client_id")
                .actual("(missing)"),
        ),
        Some(c) => {
            let expected = reg
                .map(|x| x.client_id.as_str())
                .or_else(|| login.and_then(|l| l.client_id.as_deref()));
            match expected {
                Some(e) if e != c => r.push(
                    Finding::fail(
                        "auth.client_id",
                        "client_id is not the registered one (or not the login's).",
                    )
                    .path("client_id")
                    .expected(e)
                    .actual(c),
                ),
                Some(_) => r.push(
                    Finding::pass("auth.client_id", "The registered client_id.")
                        .path("client_id")
                        .actual(c),
                ),
                None => r.push(
                    Finding::pass("auth.client_id", "Present (no registration to compare).")
                        .path("client_id")
                        .actual(c),
                ),
            }
        }
    }
    match param(params, "redirect_uri") {
        None => r.push(
            Finding::fail("auth.redirect_uri", "redirect_uri is missing.")
                .path("redirect_uri")
                .actual("(missing)"),
        ),
        Some(u) if !is_absolute_url(u) => r.push(
            Finding::fail("auth.redirect_uri", "redirect_uri is not an absolute URL.")
                .path("redirect_uri")
                .actual(u),
        ),
        Some(u) => match reg.and_then(|x| x.redirect_uris.as_ref()) {
            Some(list) if list.iter().any(|x| x == u) => r.push(
                Finding::pass("auth.redirect_uri", "Exactly a registered redirect URI.")
                    .path("redirect_uri")
                    .actual(u),
            ),
            Some(list) => {
                let near = list.iter().find(|x| {
                    x.trim_end_matches('/') == u.trim_end_matches('/')
                        || x.split('?').next() == u.split('?').next()
                });
                let hint = match near {
                    Some(n) => format!("Registered as {n}: the match is exact, so a trailing slash, port or query string makes it fail (Canvas \"invalid redirect_uri\", Moodle \"Invalid request\")."),
                    None => "Register this exact URI on the platform, or send one that is registered.".to_string(),
                };
                r.push(
                    Finding::fail(
                        "auth.redirect_uri",
                        "redirect_uri is not one of the registered redirect URIs.",
                    )
                    .path("redirect_uri")
                    .expected(list.join(", "))
                    .actual(u)
                    .hint(hint),
                );
            }
            None => r.push(
                Finding::pass(
                    "auth.redirect_uri",
                    "Present and absolute (no registered list to compare).",
                )
                .path("redirect_uri")
                .actual(u),
            ),
        },
    }
    if let Some(f) = param(params, "redirect_uri")
        .and_then(|u| urls::http_finding("redirect_uri", u, &ctx.policy))
    {
        r.push(f);
    }
    match (
        param(params, "login_hint"),
        login.and_then(|l| l.login_hint.as_deref()),
    ) {
        (None, _) | (Some(""), _) => r.push(
            Finding::fail("auth.login_hint", "login_hint is missing.")
                .path("login_hint")
                .actual("(missing)"),
        ),
        (Some(h), Some(l)) if h != l => r.push(
            Finding::fail(
                "auth.login_hint",
                "login_hint was altered: send back exactly what the login carried.",
            )
            .path("login_hint")
            .expected(l)
            .actual(h),
        ),
        (Some(_), Some(_)) => {
            r.push(Finding::pass("auth.login_hint", "Echoed unchanged.").path("login_hint"))
        }
        (Some(_), None) => r.push(
            Finding::pass("auth.login_hint", "Present (no login captured to compare).")
                .path("login_hint"),
        ),
    }
    match (
        param(params, "lti_message_hint"),
        login.map(|l| l.lti_message_hint.as_deref()),
    ) {
        (Some(h), Some(Some(l))) if h == l => r.push(
            Finding::pass("auth.lti_message_hint", "Echoed unchanged.").path("lti_message_hint"),
        ),
        (h, Some(Some(l))) => r.push(
            Finding::fail(
                "auth.lti_message_hint",
                "The login's lti_message_hint MUST be sent back unaltered.",
            )
            .path("lti_message_hint")
            .expected(l)
            .actual(h.unwrap_or("(missing)")),
        ),
        (Some(h), Some(None)) => r.push(
            Finding::fail(
                "auth.lti_message_hint",
                "lti_message_hint is sent but the login carried none.",
            )
            .severity(Severity::Warning)
            .path("lti_message_hint")
            .actual(h),
        ),
        (Some(_), None) => r.push(
            Finding::pass(
                "auth.lti_message_hint",
                "Present (no login captured to compare).",
            )
            .path("lti_message_hint"),
        ),
        (None, _) => r.push(
            Finding::skipped("auth.lti_message_hint", "None sent and none expected.")
                .path("lti_message_hint"),
        ),
    }
    match param(params, "nonce") {
        Some(n) if n.len() >= 8 => r.push(Finding::pass("auth.nonce", "Present.").path("nonce")),
        Some(n) if !n.is_empty() => r.push(
            Finding::fail(
                "auth.nonce",
                "nonce is very short: it should be an unguessable random value.",
            )
            .severity(Severity::Warning)
            .path("nonce")
            .actual(n),
        ),
        _ => r.push(
            Finding::fail("auth.nonce", "nonce is missing.")
                .path("nonce")
                .actual("(missing)"),
        ),
    }
    match param(params, "state") {
        Some(s) if !s.is_empty() => r.push(
            Finding::pass(
                "auth.state",
                "Present; the tool must bind it to the browser (cookie or platform storage).",
            )
            .path("state"),
        ),
        _ => r.push(
            Finding::fail("auth.state", "No state: the login is open to CSRF.")
                .path("state")
                .actual("(missing)"),
        ),
    }
    r
}
