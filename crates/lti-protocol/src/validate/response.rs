//! Step 3, the authentication response form post (`response.*`): id_token or error, the
//! state round trip, and platform storage support.

use super::{param, FormPostContext};
use crate::finding::{Finding, Report, Severity};
use crate::lms;

pub(super) fn check(fields: &[(String, String)], ctx: &FormPostContext) -> Report {
    let mut r = Report::new();
    let error = param(fields, "error");
    match error {
        Some(e) => {
            let desc = param(fields, "error_description").unwrap_or("");
            let msg = if desc.is_empty() {
                format!("The platform returned error {e}.")
            } else {
                format!("The platform returned error {e}: {desc}.")
            };
            r.push(
                Finding::fail("response.error", msg)
                    .path("error")
                    .actual(e)
                    .maybe_hint(lms::error_hint(e)),
            );
        }
        None => r.push(Finding::pass("response.error", "No error.").path("error")),
    }
    match param(fields, "id_token") {
        Some(t) if !t.trim().is_empty() => {
            r.push(Finding::pass("response.id_token", "id_token present.").path("id_token"))
        }
        _ if error.is_some() => r.push(
            Finding::skipped(
                "response.id_token",
                "The platform sent an error instead of an id_token.",
            )
            .path("id_token"),
        ),
        _ => r.push(
            Finding::fail(
                "response.id_token",
                "Neither id_token nor error was posted.",
            )
            .path("id_token")
            .actual("(missing)"),
        ),
    }
    check_state(
        ctx.expected_state.as_deref(),
        param(fields, "state"),
        &mut r,
    );
    match param(fields, "lti_storage_target") {
        Some(t) => r.push(
            Finding::pass("response.storage_target", format!("Platform storage is available (target {t}): state can be kept with lti.put_data/lti.get_data instead of a cookie."))
                .path("lti_storage_target"),
        ),
        None => r.push(Finding::skipped("response.storage_target", "No lti_storage_target: state relies on a cookie.").path("lti_storage_target")),
    }
    r
}

/// The state round trip, shared with id_token validation.
pub(super) fn check_state(expected: Option<&str>, received: Option<&str>, r: &mut Report) {
    match (expected, received) {
        (None, Some(_)) => r.push(Finding::skipped("response.state", "state present; no stored value to compare.").path("state")),
        (None, None) => r.push(
            Finding::skipped("response.state", "No state posted and none stored.").severity(Severity::Warning).path("state"),
        ),
        (Some(e), Some(g)) if e == g => r.push(Finding::pass("response.state", "Matches the stored state.").path("state")),
        (Some(e), got) => r.push(
            Finding::fail("response.state", "state does not match the value stored at login (lost cookie, another tab, or CSRF).")
                .path("state")
                .expected(e)
                .actual(got.unwrap_or("(missing)"))
                .hint("Cross-site cookies inside the LMS iframe are often blocked (Safari, third-party cookie settings): use platform storage when lti_storage_target is offered."),
        ),
    }
}
