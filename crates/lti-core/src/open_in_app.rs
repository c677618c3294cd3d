//! "Open in LTI Inspector" from a page outside the app in the desktop front door. The desktop
//! window has no address a browser can open, so pages outside it (the tool side's landing page,
//! the emulator's pages) link to `/open-in-inspector/<route>` on the server that served them; the
//! server asks the app's window to show that route (an engine event the desktop shell answers by
//! navigating and focusing its window). Nothing secret is in the link, and the only thing it can
//! do is show one of a few read-only routes, so a page that links there can do no more than that.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::events::{EngineEvent, EventHub};
use crate::html::{escape, page};

/// Where the servers answer; `app_link` builds links under it when the app has no browser address.
pub const PREFIX: &str = "/open-in-inspector";

/// The routes a page outside the app may ask the window to show: `flows/<id>` and
/// `emulator/gradebook/<course>`, ids of letters, digits, `-`, `_` and `.` only.
pub fn allowed_route(route: &str) -> bool {
    let id = route
        .strip_prefix("flows/")
        .or_else(|| route.strip_prefix("emulator/gradebook/"));
    id.is_some_and(|id| {
        !id.is_empty()
            && id.len() <= 100
            && id != "."
            && id != ".."
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    })
}

/// The service mounted at `PREFIX` on both servers (outside their recorders: a click on this
/// link is not an LTI exchange).
pub fn service(events: EventHub) -> Router {
    Router::new()
        .route("/{*route}", get(open))
        .with_state(events)
}

async fn open(State(events): State<EventHub>, Path(route): Path<String>) -> Response {
    if !allowed_route(&route) {
        return crate::html::error_page(
            StatusCode::NOT_FOUND,
            "Not a page of LTI Inspector",
            &format!("LTI Inspector does not show “{route}” from a link."),
        );
    }
    let what = describe(&route);
    if !events.has_subscribers() {
        let body = format!(
            "<h1>LTI Inspector has no window open</h1><p>Start LTI Inspector and open {}.</p>",
            escape(&what)
        );
        return (StatusCode::OK, Html(page("LTI Inspector", &body))).into_response();
    }
    tracing::info!(%route, "a page asked the app's window to show a route");
    events.emit(EngineEvent::OpenInApp {
        route: route.clone(),
    });
    let body = format!(
        "<h1 data-testid=\"opened-in-app\">Opened in LTI Inspector</h1>\
         <p>{} is shown in LTI Inspector's window. You can close this tab.</p>",
        escape(&capitalised(&what))
    );
    (StatusCode::OK, Html(page("Opened in LTI Inspector", &body))).into_response()
}

fn describe(route: &str) -> String {
    if let Some(id) = route.strip_prefix("flows/") {
        format!("Timeline → flow {id}")
    } else if let Some(course) = route.strip_prefix("emulator/gradebook/") {
        format!("Emulator → the gradebook of course {course}")
    } else {
        route.to_string()
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_read_only_routes_are_allowed() {
        assert!(allowed_route("flows/f_01HZX-abc.1"));
        assert!(allowed_route("emulator/gradebook/demo-course"));
        for bad in [
            "flows/",
            "flows/..",
            "flows/a/b",
            "flows/<script>",
            "settings",
            "emulator/tools/x",
            "flows/a?b",
            "flows/a#b",
            "//evil.example/flows/a",
        ] {
            assert!(!allowed_route(bad), "{bad}");
        }
        assert!(!allowed_route(&format!("flows/{}", "a".repeat(101))));
    }
}
