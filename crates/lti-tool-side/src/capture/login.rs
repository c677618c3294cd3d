//! Step 1 → step 2 of an LTI 1.3 launch on the tool side: the platform's third-party initiated
//! login (GET or POST) is validated and recorded, a state and nonce are minted and bound to the
//! browser (cookie, and platform storage when `lti_storage_target` is sent), and the browser is
//! sent on to the platform's authentication endpoint. An unknown platform never stops the
//! capture: a known LMS profile supplies the endpoint, or a page says exactly what to register.

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use lti_protocol::finding::{Finding, Report};
use lti_protocol::validate::{self, AuthRequestContext, LoginContext, LoginView};
use serde_json::{json, Map};

use super::{paths, read_params, registration_view};
use crate::ToolSide;
use lti_core::html::{self, escape};
use lti_core::messages::{self, params_of, StoredMessage};
use lti_core::recorder::ExchangeNotes;
use lti_core::store::{self, Platform, Side};

pub async fn login(State(tool): State<ToolSide>, req: Request) -> Response {
    let notes = req
        .extensions()
        .get::<ExchangeNotes>()
        .cloned()
        .unwrap_or_default();
    let method = req.method().clone();
    let host_base = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(|h| format!("http://{h}"));
    let params = read_params(req).await;
    let now = lti_core::clock::now_secs();
    let iss = validate::param(&params, "iss").unwrap_or("").to_string();
    let client_id = validate::param(&params, "client_id").map(str::to_string);

    let flow = messages::new_flow(
        Side::Tool,
        "lti13_launch",
        format!(
            "Launch from {}",
            if iss.is_empty() {
                "an unnamed platform"
            } else {
                &iss
            }
        ),
    );
    let flow_id = flow.id.clone();
    notes.set_flow(&flow_id);
    notes.set_step("login");
    tracing::info!(%iss, "login initiation");

    let platforms = match tool.platform_cache().all(tool.store()).await {
        Ok(p) => p,
        Err(e) => {
            return html::error_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Store error",
                &e.to_string(),
            )
        }
    };
    let registration = crate::registrations::find_in(&platforms, &iss, client_id.as_deref());
    // The configured address, or (router used without its server, e.g. embedded) the one the
    // browser addressed.
    let tool_base = tool.status().base_url.or(host_base).unwrap_or_default();
    let ctx = LoginContext {
        registrations: Some(platforms.iter().map(registration_view).collect()),
        tool_urls: vec![tool_base.clone()],
        policy: Default::default(),
    };
    let mut report = validate::login(&params, &ctx);
    if method == Method::GET && params.is_empty() {
        report.push(Finding::fail(
            "login.iss",
            "The login initiation carried no parameters at all.",
        ));
    }
    let profile = lti_protocol::lms::detect(&iss, None);
    let auth_endpoint = super::auth_endpoint(registration.as_ref(), profile.as_ref());
    let effective_client_id = client_id
        .clone()
        .or_else(|| registration.as_ref().map(|p| p.client_id.clone()));

    let mut summary = Map::new();
    summary.insert("issuer".into(), json!(iss));
    if let Some(p) = &registration {
        summary.insert("platform".into(), json!(p.name));
    } else if let Some(p) = &profile {
        summary.insert(
            "platform".into(),
            json!(format!("{} (not registered)", p.name)),
        );
    }
    if let Some(c) = &effective_client_id {
        summary.insert("client_id".into(), json!(c));
    }
    let login_msg = StoredMessage {
        kind: "login".into(),
        step: "login".into(),
        raw: None,
        params: Some(params_of(&params)),
        verdict: report.verdict(),
        counts: report.counts(),
        report,
        message_type: None,
        validated_at: now,
        key_snapshot: None,
    };

    let (Some(auth_endpoint), Some(client_id)) = (auth_endpoint, effective_client_id) else {
        let page = unknown_platform_page(&iss, client_id.as_deref(), &tool_base, &flow_id);
        notes.defer_write(move |tx| {
            store::flows::insert(tx, &flow)?;
            messages::add_message(tx, &flow_id, &login_msg, &summary, None)
        });
        return (StatusCode::BAD_REQUEST, Html(page)).into_response();
    };

    let state = lti_core::ids::secret_token();
    let nonce = lti_core::ids::secret_token();
    let redirect_uri = format!("{tool_base}{}", paths::LAUNCH);
    let mut auth_params: Vec<(String, String)> = vec![
        ("scope".into(), "openid".into()),
        ("response_type".into(), "id_token".into()),
        ("response_mode".into(), "form_post".into()),
        ("prompt".into(), "none".into()),
        ("client_id".into(), client_id.clone()),
        ("redirect_uri".into(), redirect_uri),
        (
            "login_hint".into(),
            validate::param(&params, "login_hint").unwrap_or("").into(),
        ),
        ("state".into(), state.clone()),
        ("nonce".into(), nonce.clone()),
    ];
    if let Some(h) = validate::param(&params, "lti_message_hint") {
        auth_params.push(("lti_message_hint".into(), h.into()));
    }
    let login_view = LoginView::from_params(&params);
    let auth_report: Report = validate::auth_request(
        &auth_params,
        &AuthRequestContext {
            login: Some(login_view),
            registration: registration.as_ref().map(registration_view),
            policy: Default::default(),
        },
    );
    let auth_url = match url::Url::parse_with_params(&auth_endpoint, &auth_params) {
        Ok(u) => u.to_string(),
        Err(e) => {
            return html::error_page(
                StatusCode::BAD_REQUEST,
                "Bad authentication endpoint",
                &format!(
                    "The platform's authentication endpoint {auth_endpoint:?} is not a URL: {e}"
                ),
            )
        }
    };
    let auth_msg = StoredMessage {
        kind: "auth_request".into(),
        step: "auth_redirect".into(),
        raw: None,
        params: Some(params_of(&auth_params)),
        verdict: auth_report.verdict(),
        counts: auth_report.counts(),
        report: auth_report,
        message_type: None,
        validated_at: now,
        key_snapshot: None,
    };
    let storage_target = validate::param(&params, "lti_storage_target").map(str::to_string);
    let minted = super::states::MintedState {
        state: state.clone(),
        flow_id: flow_id.clone(),
        nonce: nonce.clone(),
        platform_id: registration.as_ref().map(|p: &Platform| p.id.clone()),
        login: params.clone(),
        nonce_generation: tool.nonces().generation(),
    };
    // Stored with this request's exchange (one commit), before the redirect leaves; in memory
    // at once, so the launch that follows needs no database read to find it.
    tool.launch_states().remember(minted.clone());
    let fid = flow_id.clone();
    let encoded = messages::encode(&login_msg).and_then(|l| Ok((l, messages::encode(&auth_msg)?)));
    notes.defer_write(move |tx| {
        let (login_msg, auth_msg) = encoded?;
        store::flows::insert(tx, &flow)?;
        messages::add_encoded(tx, &fid, login_msg, &summary, None)?;
        messages::add_encoded(tx, &fid, auth_msg, &Map::new(), None)?;
        super::states::insert(tx, &minted)
    });

    // SameSite=None so the cookie survives the cross-site form_post back from the platform;
    // Secure is required with None (browsers treat http://localhost as secure).
    let cookies = super::state_cookies(&state);
    let mut res = match storage_target {
        Some(target) => Html(platform_storage_page(
            &auth_url,
            &auth_endpoint,
            &target,
            &state,
            &nonce,
            &flow_id,
        ))
        .into_response(),
        None => {
            let mut r = StatusCode::FOUND.into_response();
            r.headers_mut().insert(
                header::LOCATION,
                HeaderValue::from_str(&auth_url).expect("url is a header value"),
            );
            r
        }
    };
    for cookie in cookies {
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    res
}

fn unknown_platform_page(
    iss: &str,
    client_id: Option<&str>,
    tool_base: &str,
    flow_id: &str,
) -> String {
    let body = format!(
        "<h1>Unknown platform — launch recorded</h1>\
         <p>LTI Inspector received a login initiation from issuer <code>{iss}</code>{cid} but has no registration \
         for it, so it does not know where to send the authentication request.</p>\
         <p>Register it in LTI Inspector → <b>Platforms</b> → Add, with:</p>\
         <ul><li>Issuer: <code>{iss}</code></li><li>Client ID: <code>{cid_value}</code></li>\
         <li>Authentication (OIDC auth) endpoint and JWKS URL of the platform (presets fill them for Canvas, Moodle, Blackboard, Brightspace, Schoology and Sakai)</li></ul>\
         <p>Then launch again. Tool URLs to use in the LMS: login <code>{base}/lti/login</code>, redirect <code>{base}/lti/launch</code>.</p>\
         <p><small>Flow {flow}</small></p>",
        iss = escape(iss),
        cid = client_id.map(|c| format!(" and client_id <code>{}</code>", escape(c))).unwrap_or_default(),
        cid_value = escape(client_id.unwrap_or("(the platform did not send one: copy it from the LMS)")),
        base = escape(tool_base),
        flow = escape(flow_id),
    );
    html::page("Unknown platform", &body)
}

/// Stores state and nonce through the LTI platform-storage postMessage API (lti.put_data) in
/// the frame the platform named, reports what happened back to the tool (recorded in the
/// flow), then continues to the authentication endpoint. Continues after a timeout too: the
/// cookie is the other binding.
fn platform_storage_page(
    auth_url: &str,
    auth_endpoint: &str,
    target: &str,
    state: &str,
    nonce: &str,
    flow_id: &str,
) -> String {
    let origin = url::Url::parse(auth_endpoint)
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_else(|_| "*".into());
    let data = json!({
        "authUrl": auth_url, "origin": origin, "target": target, "state": state, "nonce": nonce,
        "log": format!("{}?flow={}", paths::STORAGE_LOG, flow_id),
    });
    // JSON inside a <script> element: escape `<` so no value can close the element.
    let data = data.to_string().replace('<', "\\u003c");
    let script_nonce = lti_core::ids::secret_token();
    let js = STORAGE_JS.replace("__DATA__", &data);
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Continuing launch…</title>\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'nonce-{script_nonce}'; connect-src 'self'\">\
         </head><body><p>Continuing the launch (platform storage)…</p>\
         <script nonce=\"{script_nonce}\">{js}</script></body></html>"
    )
}

const STORAGE_JS: &str = r#"
(function () {
  var d = __DATA__;
  var frame = d.target === '_parent' ? window.parent : (window.parent.frames[d.target] || window.parent);
  var log = [];
  var pending = {};
  function send(msg) {
    msg.message_id = 'm' + Math.random().toString(36).slice(2);
    log.push({ sent: msg });
    return new Promise(function (resolve) {
      pending[msg.message_id] = resolve;
      try { frame.postMessage(msg, d.origin); } catch (e) { log.push({ error: String(e) }); resolve(null); }
      setTimeout(function () { if (pending[msg.message_id]) { log.push({ timeout: msg.subject }); resolve(null); } }, 1500);
    });
  }
  window.addEventListener('message', function (ev) {
    var m = ev.data || {};
    log.push({ received: m, origin: ev.origin });
    if (m.message_id && pending[m.message_id]) { var r = pending[m.message_id]; delete pending[m.message_id]; r(m); }
  });
  send({ subject: 'lti.capabilities' })
    .then(function () { return send({ subject: 'lti.put_data', key: 'state_' + d.state, value: d.state }); })
    .then(function () { return send({ subject: 'lti.put_data', key: 'nonce_' + d.nonce, value: d.nonce }); })
    .then(function () {
      try { navigator.sendBeacon(d.log, new Blob([JSON.stringify(log)], { type: 'application/json' })); } catch (e) {}
      window.location.replace(d.authUrl);
    });
})();
"#;
