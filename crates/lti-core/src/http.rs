//! Reading what a browser or peer sent, the same way on both sides: query parameters plus the
//! urlencoded form body (the recorder has already bounded and recorded the body).

use axum::extract::Request;
use axum::http::HeaderMap;
use http_body_util::BodyExt;
use lti_protocol::validate;

/// Query parameters, plus the form body for POSTs.
pub async fn read_params(req: Request) -> Vec<(String, String)> {
    read_params_and_headers(req).await.0
}

/// [`read_params`] and the request headers.
pub async fn read_params_and_headers(req: Request) -> (Vec<(String, String)>, HeaderMap) {
    let (parts, body) = req.into_parts();
    let mut params = parts
        .uri
        .query()
        .map(validate::parse_form)
        .unwrap_or_default();
    let bytes = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    if !bytes.is_empty() {
        params.extend(validate::parse_form(&String::from_utf8_lossy(&bytes)));
    }
    (params, parts.headers)
}
