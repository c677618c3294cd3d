//! The OIDC authorization endpoint (Security Framework §5.1.1.2–3): the tool's authentication
//! request is validated like an LMS does — client_id, exact redirect_uri, scope, response_type,
//! response_mode, prompt, nonce, login_hint of the launching user, lti_message_hint of a live
//! launch — then answered with the signed id_token form_post, or with an OIDC error: rendered
//! when the redirect_uri cannot be trusted, else posted back to it (§5.1.1.5).

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use lti_protocol::finding::Finding;
use lti_protocol::validate::{
    self, AuthRequestContext, IdTokenContext, LoginView, RegistrationView,
};
use serde_json::Map;

use super::claims::{self, LaunchFacts};
use super::flow_messages::{self, Flow};
use super::launch::{self, display_name};
use super::model::*;
use super::{db, html_pages};
use crate::PlatformSide;
use lti_core::recorder::ExchangeNotes;
use lti_core::signing_keys::KeyRole;

/// How long a launch's message hint stays usable.
const LAUNCH_TTL_MS: i64 = 10 * 60 * 1000;

struct Loaded {
    launch: Launch,
    tool: EmulatorTool,
    user: EmulatorUser,
    course: EmulatorCourse,
    enrollment: Option<Enrollment>,
    link: Option<ResourceLink>,
    link_items: Vec<LineItem>,
    for_user: Option<(EmulatorUser, Option<Enrollment>)>,
}

fn load(c: &rusqlite::Connection, hint: &str) -> lti_core::Result<Option<Loaded>> {
    let Some(launch) = db::launch(c, hint)? else {
        return Ok(None);
    };
    let Some(tool) = db::tool(c, &launch.tool_id)? else {
        return Ok(None);
    };
    let Some(user) = db::user(c, &launch.user_id)? else {
        return Ok(None);
    };
    let Some(course) = db::course(c, &launch.course_id)? else {
        return Ok(None);
    };
    let enrollment = db::enrollment(c, &course.id, &user.id)?;
    let link = match &launch.resource_link_id {
        Some(id) => db::resource_link(c, id)?,
        None => None,
    };
    let link_items = match &link {
        Some(l) => db::line_items(
            c,
            &course.id,
            &db::ItemFilter {
                tool_id: Some(tool.id.clone()),
                resource_link_id: Some(l.id.clone()),
                ..Default::default()
            },
        )?,
        None => vec![],
    };
    let for_user = match &launch.for_user_id {
        Some(id) => db::user(c, id)?.map(|u| {
            let e = db::enrollment(c, &course.id, id).ok().flatten();
            (u, e)
        }),
        None => None,
    };
    Ok(Some(Loaded {
        launch,
        tool,
        user,
        course,
        enrollment,
        link,
        link_items,
        for_user,
    }))
}

/// An OIDC error: where it goes and what it says.
struct AuthError {
    code: &'static str,
    description: String,
}

fn err(code: &'static str, description: impl Into<String>) -> Option<AuthError> {
    Some(AuthError {
        code,
        description: description.into(),
    })
}

pub async fn authorize(State(platform): State<PlatformSide>, req: Request) -> Response {
    let notes = req
        .extensions()
        .get::<ExchangeNotes>()
        .cloned()
        .unwrap_or_default();
    let base = super::request_base(&platform, req.headers());
    let params = lti_core::http::read_params(req).await;
    let get = |n: &str| validate::param(&params, n).map(str::to_string);
    let hint = get("lti_message_hint");
    // The launch the hint names, and the registration the client_id names: one read.
    let (loaded, client_tool) = {
        let (hint, cid) = (hint.clone(), get("client_id"));
        platform
            .store()
            .lookup(move |c| {
                let loaded = match &hint {
                    Some(h) => load(c, h)?,
                    None => None,
                };
                let tool = match &cid {
                    Some(cid) => db::tool_by_client_id(c, cid)?,
                    None => None,
                };
                Ok((loaded, tool))
            })
            .await
            .unwrap_or((None, None))
    };
    let flow = match &loaded {
        Some(l) => Flow::Existing(l.launch.flow_id.clone()),
        None => Flow::New(flow_messages::new_flow(
            "lti13_launch",
            "Authentication request for no known launch".into(),
        )),
    };
    let tool_for_checks = loaded.as_ref().map(|l| &l.tool).or(client_tool.as_ref());
    let login = loaded
        .as_ref()
        .map(|l| LoginView::from_params(&launch::login_params(&base, &l.tool, &l.launch)));
    let ctx = AuthRequestContext {
        login,
        registration: tool_for_checks.map(|t| RegistrationView {
            issuer: base.clone(),
            client_id: t.client_id.clone(),
            deployment_ids: Some(t.deployment_ids.clone()),
            trusted_audiences: None,
            redirect_uris: Some(t.redirect_uris.clone()),
        }),
        policy: Default::default(),
    };
    let mut report = validate::auth_request(&params, &ctx);
    let redirect_uri = get("redirect_uri");
    let state = get("state");

    // 1. Errors that cannot be sent to the redirect_uri: it is not a trusted one.
    let untrusted = match (&client_tool, &redirect_uri) {
        (None, _) => err(
            "unauthorized_client",
            match get("client_id") {
                Some(c) => format!("client_id {c:?} is not a tool registered in the emulator."),
                None => "The authentication request has no client_id.".to_string(),
            },
        ),
        (Some(_), None) => err("invalid_request", "The authentication request has no redirect_uri."),
        (Some(t), Some(u)) if !t.redirect_uris.iter().any(|r| r == u) => err(
            "invalid_request",
            format!(
                "redirect_uri {u:?} is not registered for {:?} (registered: {}); the match is exact.",
                t.name,
                t.redirect_uris.join(", ")
            ),
        ),
        _ => None,
    };
    // 2. Errors reported to the (trusted) redirect_uri.
    let now_ms = lti_core::clock::now_ms();
    let posted = if untrusted.is_some() {
        None
    } else if validate::param(&params, "response_type") != Some("id_token") {
        err(
            "unsupported_response_type",
            "response_type must be id_token.",
        )
    } else if !validate::param(&params, "scope")
        .is_some_and(|s| s.split_whitespace().any(|x| x == "openid"))
    {
        err("invalid_scope", "scope must be openid.")
    } else if validate::param(&params, "response_mode") != Some("form_post") {
        err("invalid_request", "response_mode must be form_post.")
    } else if validate::param(&params, "prompt") != Some("none") {
        err(
            "invalid_request",
            "prompt must be none: the user is already signed in to the platform.",
        )
    } else if get("nonce").is_none_or(|n| n.is_empty()) {
        err("invalid_request", "nonce is required.")
    } else {
        match &loaded {
            None => err(
                "invalid_request",
                match &hint {
                    Some(_) => "lti_message_hint does not name a launch of this platform: it must be echoed unaltered from the login initiation.",
                    None => "lti_message_hint is missing: the tool must echo the one it received at login initiation.",
                },
            ),
            Some(l) if client_tool.as_ref().is_some_and(|t| t.id != l.tool.id) => {
                err("unauthorized_client", "This launch was started for another tool (client_id mismatch).")
            }
            Some(l) if get("login_hint").as_deref() != Some(l.launch.user_id.as_str()) => err(
                "login_required",
                "login_hint does not identify the user who started this launch (it must be echoed unchanged).",
            ),
            Some(l) if l.launch.used_at.is_some() => {
                err("invalid_request", "This launch was already used (back button, double submit or replay); start a new one.")
            }
            Some(l) if now_ms - l.launch.created_at > LAUNCH_TTL_MS => {
                err("invalid_request", "This launch expired (10 minutes); start a new one.")
            }
            Some(_) => None,
        }
    };
    if let Some(l) = &loaded {
        if l.launch.used_at.is_some() || now_ms - l.launch.created_at > LAUNCH_TTL_MS {
            report.push(
                Finding::fail(
                    "auth.lti_message_hint",
                    "The message hint names a launch that was already used or has expired.",
                )
                .path("lti_message_hint"),
            );
        }
    } else if hint.is_some() {
        report.push(
            Finding::fail(
                "auth.lti_message_hint",
                "The message hint names no launch of this platform (altered or invented).",
            )
            .path("lti_message_hint"),
        );
    }
    let auth_msg = flow_messages::with_params(
        flow_messages::message("auth_request", "auth", report),
        &params,
    );
    let tool_name = tool_for_checks.map(|t| t.name.clone()).unwrap_or_default();
    let summary = flow_messages::summary(&[("tool", &tool_name)]);

    if let Some(e) = untrusted {
        flow_messages::save(&notes, flow, "auth", vec![auth_msg], summary, None);
        return html_pages::info(
            StatusCode::BAD_REQUEST,
            &format!("Authentication refused: {}", e.code),
            &e.description,
            &[],
            "<p>The emulator does not send errors to a redirect URI it cannot trust. The request was recorded.</p>",
        );
    }
    let redirect_uri = redirect_uri.unwrap_or_default();
    if let Some(e) = posted {
        flow_messages::save(&notes, flow, "auth", vec![auth_msg], summary, None);
        return auth_error(&redirect_uri, e.code, e.description, state);
    }
    let l = loaded.expect("checked above");
    issue(
        &platform,
        &notes,
        l,
        auth_msg,
        summary,
        &base,
        &redirect_uri,
        state,
        get("nonce").unwrap_or_default(),
    )
    .await
}

/// Builds, signs and form-posts the id_token of a launch whose authentication request passed.
#[allow(clippy::too_many_arguments)]
async fn issue(
    platform: &PlatformSide,
    notes: &ExchangeNotes,
    l: Loaded,
    auth_msg: lti_core::messages::StoredMessage,
    summary: Map<String, serde_json::Value>,
    base: &str,
    redirect_uri: &str,
    state: Option<String>,
    nonce: String,
) -> Response {
    let flow = Flow::Existing(l.launch.flow_id.clone());
    let key = match platform.keys().signing_key(KeyRole::Emulator).await {
        Ok(k) => k,
        Err(e) => {
            flow_messages::save(notes, flow, "auth", vec![auth_msg], summary, None);
            let why = format!("The emulator cannot sign: {e}");
            return auth_error(redirect_uri, "server_error", why, state);
        }
    };
    let now = lti_core::clock::now_secs();
    let facts = LaunchFacts {
        issuer: base,
        base,
        tool: &l.tool,
        user: &l.user,
        course: &l.course,
        enrollment: l.enrollment.as_ref(),
        link: l.link.as_ref(),
        link_items: &l.link_items,
        launch: &l.launch,
        for_user: l.for_user.as_ref().map(|(u, e)| (u, e.as_ref())),
        nonce: &nonce,
        now,
    };
    let mut claims = claims::build(&facts);
    if let Some(captured) = &l.launch.claims_override {
        super::remint::lay_over(&mut claims, captured);
    }
    launch::break_claims(&mut claims, l.launch.negative, now);
    let lti11_secret = match &l.launch.lti11_tool_id {
        Some(tool_id) => match super::lti11::tools::migration_claim(
            platform,
            tool_id,
            &claims,
            &l.launch,
            &l.course.context_id,
        )
        .await
        {
            Ok((claim, secret)) => {
                claims.insert(lti_protocol::vocab::claim::LTI1P1.into(), claim);
                Some(secret)
            }
            Err(e) => {
                tracing::warn!(error = %e, "the lti1p1 migration claim could not be built");
                None
            }
        },
        None => None,
    };
    // Signed inline: one RS256 signature is ~0.25 ms, less than handing it to the blocking pool
    // and back costs in latency on a small machine.
    let token = match launch::sign(&claims, &key, l.launch.negative) {
        Ok(t) => t,
        Err(e) => {
            return lti_core::html::error_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Signing failed",
                &e.to_string(),
            )
        }
    };
    // The token as the tool will judge it: a negative test shows exactly the rule it breaks.
    // Our own key is all the tool will verify with: no need to read the key table.
    let jwks = lti_protocol::jwk::Jwks {
        keys: vec![key.public_jwk()],
    };
    let login = LoginView::from_params(&launch::login_params(base, &l.tool, &l.launch));
    let ctx = IdTokenContext {
        now,
        policy: Default::default(),
        registration: Some(RegistrationView {
            issuer: base.to_string(),
            client_id: l.tool.client_id.clone(),
            deployment_ids: Some(l.tool.deployment_ids.clone()),
            trusted_audiences: None,
            redirect_uris: None,
        }),
        jwks: Some(&jwks),
        expected_nonce: Some(nonce.clone()),
        nonce_seen_before: Some(false),
        login: Some(login),
        state: None,
        dl_request_data: None,
        // Claims are explained when the flow is read, from the stored token.
        skip_explain: true,
        lti11_secret,
    };
    let checked = validate::id_token(&token, &ctx);
    let token_msg = flow_messages::with_raw(
        flow_messages::message("id_token", "auth", checked.report),
        &token,
        Some(l.launch.message_type.clone()),
    );
    let hint = l.launch.id.clone();
    let mut summary = summary;
    summary.insert("user".into(), serde_json::json!(display_name(&l.user)));
    // Single use: claimed in memory at once (two racing requests cannot both win), and spent
    // in the table together with the messages, before the response leaves.
    let newly_used = l.launch.used_at.is_none() && platform.claim_launch_hint(&hint);
    if !newly_used {
        // Two authentication requests raced for one launch: only the first gets a token (the
        // loser's token is not recorded as issued).
        flow_messages::save(notes, flow, "auth", vec![auth_msg], summary, None);
        return auth_error(
            redirect_uri,
            "invalid_request",
            "This launch was already used.".into(),
            state,
        );
    }
    // Filed under the token's link key: the tool side files the token it receives under the
    // same key, so the two flows of the launch link.
    let (flow_id, key) = (flow.id().to_string(), lti_core::messages::link_key(&token));
    flow_messages::save_with(
        notes,
        flow,
        "auth",
        vec![auth_msg, token_msg],
        summary,
        None,
        move |tx| {
            db::use_launch(tx, &hint)?;
            lti_core::messages::link_flow(tx, &flow_id, &key)
        },
    );
    let mut fields = vec![("id_token".to_string(), token)];
    if let Some(s) = state {
        fields.push(("state".into(), s));
    }
    if let Some(t) = &l.launch.storage_target {
        fields.push(("lti_storage_target".into(), t.clone()));
    }
    html_pages::auto_post(
        &format!("Launching {}…", l.tool.name),
        redirect_uri,
        &fields,
        None,
    )
}

/// An OAuth error posted back to the tool's (trusted) redirect URI, with the request's state
/// (OIDC Core §3.1.2.6: the state is returned when the request had one).
fn auth_error(
    redirect_uri: &str,
    code: &str,
    description: String,
    state: Option<String>,
) -> Response {
    let mut fields = vec![
        ("error".to_string(), code.to_string()),
        ("error_description".to_string(), description),
    ];
    if let Some(s) = state {
        fields.push(("state".into(), s));
    }
    html_pages::auto_post(
        "Returning an authentication error…",
        redirect_uri,
        &fields,
        None,
    )
}
