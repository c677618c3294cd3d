//! Step 3 of an LTI 1.3 launch on the tool side: the platform form-POSTs the id_token (or an
//! error) to the redirect URI. Everything is recorded and validated — state against the cookie,
//! the signature against the platform's keys (fetched and recorded), nonce, claims — and the
//! browser gets a landing page summarising the verdict. Nothing here refuses a capture.

use axum::extract::{Request, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use lti_protocol::finding::{Finding, Report};
use lti_protocol::jws::Jws;
use lti_protocol::validate::{self, FormPostContext, IdTokenContext, LoginView, StateCheck};
use serde_json::{json, Map, Value};

use super::{landing, read_params_and_headers, registration_view, state_cookie_name};
use crate::ToolSide;
use lti_core::messages::{self, params_of, StoredMessage};
use lti_core::recorder::ExchangeNotes;
use lti_core::store::{self, Platform, Side};

pub async fn launch(State(tool): State<ToolSide>, req: Request) -> Response {
    let notes = req
        .extensions()
        .get::<ExchangeNotes>()
        .cloned()
        .unwrap_or_default();
    let (fields, headers) = read_params_and_headers(req).await;
    let now = lti_core::clock::now_secs();
    let posted_state = validate::param(&fields, "state").map(str::to_string);
    let id_token = validate::param(&fields, "id_token").map(str::to_string);

    // Which flow: the one whose login minted this state, else a new one (unsolicited post).
    // States minted by this process are in memory; older ones are looked up in the table.
    let launch_state = match posted_state.clone() {
        Some(s) => match tool.launch_states().consume(&s) {
            Some(found) => Some(found),
            None => tool
                .store()
                .lookup(move |c| super::states::lookup(c, &s))
                .await
                .ok()
                .flatten(),
        },
        None => None,
    };
    // A re-send from this inspector gets a flow of its own; its state still checks it.
    let resent = headers.contains_key(lti_core::http::RESEND_HEADER);
    let new_flow = (launch_state.is_none() || resent).then(|| {
        messages::new_flow(
            Side::Tool,
            "lti13_launch",
            if resent {
                "Re-sent launch".into()
            } else {
                "Launch (no matching login)".into()
            },
        )
    });
    let flow_id = match (&new_flow, &launch_state) {
        (Some(f), _) => f.id.clone(),
        (None, Some(s)) => s.minted.flow_id.clone(),
        (None, None) => unreachable!("a flow is made when no state names one"),
    };
    notes.set_flow(&flow_id);
    notes.set_step("launch");

    let cookie_state = posted_state.as_ref().and_then(|s| {
        let name = state_cookie_name(s);
        cookie_value(&headers, &name).or_else(|| cookie_value(&headers, &format!("{name}_lax")))
    });
    let mut response_report = validate::form_post(
        &fields,
        &FormPostContext {
            expected_state: launch_state
                .as_ref()
                .map(|_| posted_state.clone().unwrap_or_default()),
        },
    );

    let Some(raw) = id_token else {
        // An error response (e.g. Canvas launch_no_longer_valid) or garbage: record and explain.
        let msg = StoredMessage {
            kind: "auth_response".into(),
            step: "launch".into(),
            raw: None,
            params: Some(params_of(&fields)),
            verdict: response_report.verdict(),
            counts: response_report.counts(),
            report: response_report.clone(),
            message_type: None,
            validated_at: now,
            key_snapshot: None,
        };
        let fid = flow_id.clone();
        notes.defer_write(move |tx| {
            if let Some(f) = &new_flow {
                store::flows::insert(tx, f)?;
            }
            messages::add_message(tx, &fid, &msg, &Map::new(), None)
        });
        return Html(landing::error_response(&fields, &response_report, &flow_id)).into_response();
    };

    // Registration: by iss and the login's client_id, else by iss and aud/azp.
    let parsed = Jws::parse(&raw).ok();
    let iss = parsed
        .as_ref()
        .and_then(|j| j.payload.get("iss"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let login_client = launch_state
        .as_ref()
        .and_then(|s| validate::param(&s.minted.login, "client_id").map(str::to_string));
    let token_client = parsed
        .as_ref()
        .and_then(|j| lti_protocol::claims::client_of(&j.payload));
    let platforms = tool
        .platform_cache()
        .all(tool.store())
        .await
        .unwrap_or_default();
    let registration: Option<Platform> =
        crate::registrations::find_in(&platforms, &iss, login_client.as_deref())
            .or_else(|| crate::registrations::find_in(&platforms, &iss, token_client.as_deref()));
    let profile = lti_protocol::lms::detect(&iss, None);
    let jwks_url = super::jwks_url(registration.as_ref(), profile.as_ref());
    let kid = parsed.as_ref().and_then(|j| j.kid().map(str::to_string));
    let (jwks, source) = super::platform_keys::resolve(
        tool.core(),
        &flow_id,
        registration.as_ref().and_then(|p| p.public_jwks.as_ref()),
        jwks_url.as_deref(),
        kid.as_deref(),
    )
    .await;

    let mut nonce_unchecked: Option<String> = None;
    let nonce_seen = match parsed
        .as_ref()
        .and_then(|j| j.payload.get("nonce"))
        .and_then(Value::as_str)
    {
        Some(n) => {
            // The launch's own nonce, minted by this process: memory alone knows if it was seen.
            let minted_at = launch_state
                .as_ref()
                .filter(|s| s.in_memory && s.minted.nonce == n)
                .map(|s| s.minted.nonce_generation);
            // A store that cannot answer fails the check closed: the finding says why.
            match tool
                .nonces()
                .seen_before(tool.store(), &iss, n, minted_at)
                .await
            {
                Ok(seen) => Some(seen),
                Err(why) => {
                    nonce_unchecked = Some(why);
                    Some(true)
                }
            }
        }
        None => None,
    };
    let lti11_secret =
        crate::lti11::consumers::migration_secret(&tool, parsed.as_ref().map(|j| &j.payload)).await;
    let ctx = IdTokenContext {
        now,
        policy: tool.policy(),
        registration: registration.as_ref().map(registration_view),
        jwks: jwks.as_deref(),
        expected_nonce: launch_state.as_ref().map(|s| s.minted.nonce.clone()),
        nonce_seen_before: nonce_seen,
        login: launch_state
            .as_ref()
            .map(|s| LoginView::from_params(&s.minted.login)),
        state: launch_state.as_ref().map(|_| StateCheck {
            expected: cookie_state.clone(),
            received: posted_state.clone(),
        }),
        dl_request_data: None,
        // Claims are explained when the flow is read; the landing page needs only the report.
        skip_explain: true,
        lti11_secret,
    };
    let mut token_report = match &parsed {
        Some(jws) => validate::id_token_parsed(jws, &ctx),
        // Unparsable: the full entry point reports why (jwt.format).
        None => validate::id_token(&raw, &ctx),
    };
    // The landing page reads the stored message's report, not this one: move it.
    let mut report = std::mem::take(&mut token_report.report);
    add_capture_findings(
        &mut report,
        &launch_state,
        cookie_state.as_deref(),
        &source,
        registration.is_some(),
        &iss,
    );
    if let Some(why) = nonce_unchecked {
        if let Some(f) = report
            .findings
            .iter_mut()
            .find(|f| f.rule_id == "idtoken.nonce_replay")
        {
            f.message = format!(
                "Could not check whether this nonce was used before ({why}): treated as a replay."
            );
        }
    }
    response_report
        .findings
        .retain(|f| f.rule_id != "response.state" || launch_state.is_none());
    report
        .findings
        .splice(0..0, std::mem::take(&mut response_report.findings));

    let empty = Map::new();
    let payload = parsed.as_ref().map(|j| &j.payload).unwrap_or(&empty);
    let summary = summarize(
        payload,
        registration.as_ref(),
        profile.as_ref().map(|p| p.name.as_str()),
        &report,
    );
    // Joins this flow with the emulator's when the emulator sent this very token.
    let link_key = messages::link_key(&raw);
    let snapshot = super::key_snapshot(jwks.as_deref(), &source, registration.as_ref());
    let msg = StoredMessage {
        kind: "id_token".into(),
        step: "launch".into(),
        raw: Some(raw.clone()),
        params: Some(params_of(
            &fields
                .iter()
                .filter(|(k, _)| k != "id_token")
                .cloned()
                .collect::<Vec<_>>(),
        )),
        verdict: report.verdict(),
        counts: report.counts(),
        report,
        message_type: token_report.message_type.clone(),
        validated_at: now,
        key_snapshot: snapshot.as_ref().map(|s| s.digest.clone()),
    };
    let title = token_report
        .message_type
        .clone()
        .map(|m| format!("{m} from {iss}"));
    let nonce_record = parsed
        .as_ref()
        .and_then(|j| j.payload.get("nonce"))
        .and_then(Value::as_str)
        .map(|n| (iss.clone(), n.to_string()));
    let fid = flow_id.clone();
    // Stored with this request's exchange, in one commit, before the landing page leaves; a
    // failure (even to encode) is the recorder's to note on the exchange.
    let encoded = messages::encode(&msg);
    notes.defer_write(move |tx| {
        let encoded = encoded?;
        if let Some(f) = &new_flow {
            store::flows::insert(tx, f)?;
        }
        if let Some(s) = &snapshot {
            lti_core::key_snapshots::save(tx, s)?;
        }
        messages::add_encoded(tx, &fid, encoded, &summary, title.as_deref())?;
        messages::link_flow(tx, &fid, &link_key)?;
        if let Some((iss, nonce)) = nonce_record {
            super::nonces::record_seen(tx, &iss, &nonce, &fid);
        }
        Ok(())
    });
    let mut page =
        if msg.message_type.as_deref() == Some(lti_protocol::vocab::message::DEEP_LINKING) {
            // A deep linking request gets the composer, as a tool's content picker would.
            let names = tool
                .store()
                .read(crate::composer::templates::names)
                .await
                .unwrap_or_default();
            crate::composer::first_page(&tool, &flow_id, payload, &msg, &names)
        } else {
            landing::launch_page(
                &token_report,
                &msg,
                &flow_id,
                tool.config().ui_url.as_deref(),
            )
        };
    if let Some((target, origin)) = storage_check_target(
        launch_state.as_ref(),
        cookie_state.is_some(),
        &fields,
        registration.as_ref(),
        profile.as_ref(),
    ) {
        page = super::storage_check::add_to_page(
            &page,
            &flow_id,
            posted_state.as_deref().unwrap_or_default(),
            &target,
            &origin,
        );
    }
    let mut res = Html(page).into_response();
    // Single use: the state cookie is cleared once consumed.
    if let Some(s) = &posted_state {
        for cookie in super::clear_state_cookies(s) {
            if let Ok(v) = cookie.parse() {
                res.headers_mut().append(header::SET_COOKIE, v);
            }
        }
    }
    res
}

/// When a launch's state cookie is missing but the platform offered platform storage at login
/// (or in the form post), the frame to ask and the platform origin to address: the origin of
/// its OIDC authorization endpoint, as the client-side postMessage specification says.
fn storage_check_target(
    state: Option<&super::states::FoundState>,
    cookie_came_back: bool,
    fields: &[(String, String)],
    registration: Option<&Platform>,
    profile: Option<&lti_protocol::lms::LmsProfile>,
) -> Option<(String, String)> {
    let state = state.filter(|s| !s.used && !cookie_came_back)?;
    let target = validate::param(fields, "lti_storage_target")
        .or_else(|| validate::param(&state.minted.login, "lti_storage_target"))?
        .to_string();
    let auth = super::auth_endpoint(registration, profile)?;
    let origin = url::Url::parse(&auth).ok()?.origin().ascii_serialization();
    Some((target, origin))
}

fn cookie_value(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// Findings only the capture endpoint can make: about the browser binding and the keys.
fn add_capture_findings(
    report: &mut Report,
    state: &Option<super::states::FoundState>,
    cookie_state: Option<&str>,
    source: &super::platform_keys::KeySource,
    registered: bool,
    iss: &str,
) {
    use super::platform_keys::KeySource;
    match state {
        None => report.push(
            Finding::fail(
                "response.state",
                "No login initiation of this tool minted this state: the launch did not start at the tool's login URL (or the state was altered).",
            )
            .path("state"),
        ),
        Some(s) if s.used => report.push(
            Finding::fail("response.state", "This state was already used by an earlier launch (back button, double submit or replay).")
                .path("state"),
        ),
        Some(_) if cookie_state.is_none() => {
            let uses_storage = state.as_ref().is_some_and(|s| validate::param(&s.minted.login, "lti_storage_target").is_some());
            let f = Finding::fail(
                "response.state",
                "The browser did not send the state cookie set at login: third-party cookies are blocked or SameSite dropped it.",
            )
            .path("state")
            .hint(if uses_storage {
                "The platform offered platform storage (lti_storage_target): the landing page now asks it for the state with lti.get_data; a match turns this check into a pass.".to_string()
            } else {
                "Launches inside an iframe lose cookies in most browsers; open the tool in a new window or use platform storage.".to_string()
            });
            report.push(f)
        }
        Some(_) => {}
    }
    if let KeySource::Failed { url, problem } = source {
        report.push(
            Finding::fail(
                "jwt.signature",
                format!("The platform's key set could not be fetched: {problem}"),
            )
            .path("jwks_url")
            .actual(url.clone()),
        );
    }
    if !registered && !iss.is_empty() {
        report.push(
            Finding::fail(
                "idtoken.iss_registered",
                format!(
                    "No platform is registered with issuer {iss:?}: register it under Platforms."
                ),
            )
            .path("iss")
            .actual(iss.to_string()),
        );
    }
}

pub(crate) fn summarize(
    payload: &Map<String, Value>,
    registration: Option<&Platform>,
    profile: Option<&str>,
    report: &Report,
) -> Map<String, Value> {
    let mut m = Map::new();
    let s = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_string);
    if let Some(p) = registration {
        m.insert("platform".into(), json!(p.name));
    } else if let Some(name) = profile {
        m.insert("platform".into(), json!(format!("{name} (not registered)")));
    }
    if let Some(iss) = s(payload.get("iss")) {
        m.insert("issuer".into(), json!(iss));
    }
    let user = s(payload.get("name"))
        .or_else(|| {
            let g = s(payload.get("given_name")).unwrap_or_default();
            let f = s(payload.get("family_name")).unwrap_or_default();
            let full = format!("{g} {f}").trim().to_string();
            (!full.is_empty()).then_some(full)
        })
        .or_else(|| s(payload.get("email")))
        .or_else(|| s(payload.get("sub")).map(|sub| format!("sub {sub}")))
        .unwrap_or_else(|| "anonymous".into());
    m.insert("user".into(), json!(user));
    let ctx = payload.get(lti_protocol::vocab::claim::CONTEXT);
    if let Some(c) = ctx.and_then(|c| {
        s(c.get("title"))
            .or_else(|| s(c.get("label")))
            .or_else(|| s(c.get("id")))
    }) {
        m.insert("context".into(), json!(c));
    }
    if let Some(t) = s(payload.get(lti_protocol::vocab::claim::MESSAGE_TYPE)) {
        m.insert("message_type".into(), json!(t));
    }
    if let Some(d) = s(payload.get(lti_protocol::vocab::claim::DEPLOYMENT_ID)) {
        m.insert("deployment_id".into(), json!(d));
    }
    let _ = report;
    m
}
