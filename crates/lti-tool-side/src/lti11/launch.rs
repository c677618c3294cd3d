//! An LTI 1.1 launch on the tool side: the LMS form-POSTs a signed `basic-lti-launch-request`
//! (or `ContentItemSelectionRequest`) to `/lti11/launch`. It is recorded and validated — the
//! OAuth signature with the registered consumer's secret, explained when it fails — and stored as
//! a flow of its own; the frame gets a landing page. Nothing here refuses a capture.

use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use http_body_util::BodyExt;
use lti_protocol::lti11::launch::{validate_launch, LaunchContext, LaunchReport};
use lti_protocol::lti11::oauth1::SignedRequest;
use lti_protocol::validate::{param, parse_form};
use serde_json::{json, Map, Value};

use super::consumers;
use super::landing;
use crate::ToolSide;
use lti_core::messages::{self, params_of, StoredMessage};
use lti_core::recorder::ExchangeNotes;
use lti_core::store::Side;

pub const PATH: &str = "/lti11/launch";

/// The issuer under which a 1.1 consumer's nonces are remembered (beside 1.3 issuers).
fn nonce_issuer(key: &str) -> String {
    format!("lti11:{key}")
}

/// The URL the request arrived at as this side sees it, and the public URLs a proxy in front
/// says the consumer used (X-Forwarded-Proto / X-Forwarded-Host).
fn urls(headers: &HeaderMap, path_and_query: &str) -> (String, Vec<String>) {
    let path = path_and_query.split('?').next().unwrap_or(path_and_query);
    let o = lti_core::http::origins(headers);
    (
        format!("{}{path}", o.direct),
        o.forwarded
            .map(|f| format!("{f}{path}"))
            .into_iter()
            .collect(),
    )
}

#[tracing::instrument(name = "lti11_launch", skip_all, fields(flow = tracing::field::Empty, consumer_key = tracing::field::Empty))]
pub async fn launch(State(tool): State<ToolSide>, req: Request) -> Response {
    let notes = req
        .extensions()
        .get::<ExchangeNotes>()
        .cloned()
        .unwrap_or_default();
    let (parts, body) = req.into_parts();
    let method = parts.method.to_string();
    let path_and_query = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| PATH.into());
    let bytes = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let query = parts.uri.query().map(parse_form).unwrap_or_default();
    let form = parse_form(&String::from_utf8_lossy(&bytes));
    let (url, alternatives) = urls(&parts.headers, &path_and_query);
    let all: Vec<(String, String)> = query.iter().chain(form.iter()).cloned().collect();
    let now = lti_core::clock::now_secs();

    let key = param(&all, "oauth_consumer_key")
        .unwrap_or_default()
        .to_string();
    let (consumer, secret) = match consumers::lookup(&tool, &key).await {
        Ok(found) => found,
        Err(e) => {
            tracing::error!(error = %e, "could not read the LTI 1.1 consumer");
            (None, None)
        }
    };
    let nonce = param(&all, "oauth_nonce").map(str::to_string);
    let nonce_seen = match &nonce {
        Some(n) if !key.is_empty() => Some(
            tool.nonces()
                .seen_before(tool.store(), &nonce_issuer(&key), n, None)
                .await
                // A store that cannot answer fails the check closed.
                .unwrap_or(true),
        ),
        _ => None,
    };
    let checked = validate_launch(
        &SignedRequest {
            http_method: &method,
            url: &url,
            alternative_urls: &alternatives,
            query: &query,
            body: &form,
        },
        &LaunchContext {
            now,
            secret: secret.as_ref().map(|s| s.expose().as_str()),
            consumer_registered: consumer.is_some(),
            nonce_seen_before: nonce_seen,
        },
    );
    let LaunchReport {
        report,
        message_type,
        ..
    } = checked;

    let flow = messages::new_flow(
        Side::Tool,
        "lti11_launch",
        format!(
            "LTI 1.1 {} from {}",
            message_type.as_deref().unwrap_or("launch"),
            consumer_label(&all, consumer.as_ref(), &key)
        ),
    );
    let flow_id = flow.id.clone();
    let span = tracing::Span::current();
    span.record("flow", flow_id.as_str());
    span.record("consumer_key", key.as_str());
    tracing::info!(verdict = ?report.verdict(), "LTI 1.1 launch checked");

    let summary = summarize(&all, consumer.as_ref(), &key);
    let mut msg = StoredMessage::of_report("lti11_launch", "lti11_launch", report);
    msg.params = Some(params_of(&all));
    msg.message_type = message_type;
    msg.validated_at = now;
    let page = landing::page(&all, &msg, &flow_id, tool.config().ui_url.as_deref());
    let title = flow.title.clone();
    let nonce_record = nonce
        .filter(|_| !key.is_empty())
        .map(|n| (nonce_issuer(&key), n));
    messages::save_with(
        &notes,
        messages::Flow::New(flow),
        "lti11_launch",
        vec![msg],
        summary,
        Some(title),
        move |tx| {
            if let Some((iss, nonce)) = nonce_record {
                crate::capture::nonces::record_seen(tx, &iss, &nonce, &flow_id);
            }
            Ok(())
        },
    );
    Html(page).into_response()
}

/// A GET (a bookmark, a browser's reload after the POST): say what this endpoint expects.
pub async fn launch_get() -> Response {
    lti_core::html::error_page(
        axum::http::StatusCode::METHOD_NOT_ALLOWED,
        "LTI 1.1 launch endpoint",
        "An LMS launches an LTI 1.1 tool here with a signed form POST (basic-lti-launch-request). Register the consumer key and secret under Platforms → LTI 1.1 consumers.",
    )
}

fn consumer_label(
    all: &[(String, String)],
    consumer: Option<&consumers::Lti11Consumer>,
    key: &str,
) -> String {
    consumer
        .map(|c| c.name.clone())
        .or_else(|| param(all, "tool_consumer_instance_name").map(str::to_string))
        .or_else(|| (!key.is_empty()).then(|| format!("consumer {key}")))
        .unwrap_or_else(|| "an unknown consumer".into())
}

fn summarize(
    all: &[(String, String)],
    consumer: Option<&consumers::Lti11Consumer>,
    key: &str,
) -> Map<String, Value> {
    let mut m = Map::new();
    let p = |k: &str| param(all, k).filter(|v| !v.is_empty()).map(str::to_string);
    m.insert(
        "platform".into(),
        json!(match consumer {
            Some(c) => c.name.clone(),
            None => format!(
                "{} (not registered)",
                p("tool_consumer_instance_name")
                    .or_else(|| p("tool_consumer_info_product_family_code"))
                    .unwrap_or_else(|| format!("consumer {key}"))
            ),
        }),
    );
    m.insert(
        "issuer".into(),
        json!(format!("LTI 1.1 consumer key {key}")),
    );
    m.insert("lti_version".into(), json!("1.1"));
    let user = p("lis_person_name_full")
        .or_else(|| {
            let full = format!(
                "{} {}",
                p("lis_person_name_given").unwrap_or_default(),
                p("lis_person_name_family").unwrap_or_default()
            )
            .trim()
            .to_string();
            (!full.is_empty()).then_some(full)
        })
        .or_else(|| p("lis_person_contact_email_primary"))
        .or_else(|| p("user_id").map(|u| format!("user_id {u}")))
        .unwrap_or_else(|| "anonymous".into());
    m.insert("user".into(), json!(user));
    if let Some(c) = p("context_title")
        .or_else(|| p("context_label"))
        .or_else(|| p("context_id"))
    {
        m.insert("context".into(), json!(c));
    }
    if let Some(t) = p("lti_message_type") {
        m.insert("message_type".into(), json!(t));
    }
    m
}
