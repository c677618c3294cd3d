//! Reading what a browser or peer sent, the same way on both sides: query parameters plus the
//! urlencoded form body (the recorder has already bounded and recorded the body).

use axum::extract::Request;
use axum::http::HeaderMap;
use http_body_util::BodyExt;
use lti_protocol::validate;

/// Marks a request this inspector re-sends to its own tool side: the receiver files it as a
/// flow of its own instead of under the flow its `state` belongs to, so a re-send never changes
/// the recorded launch. Only ever added for this engine's own servers (a foreign receiver gets
/// the request verbatim); a forged one can only do the same: separate a record.
pub const RESEND_HEADER: &str = "x-lti-inspector-resend";

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

/// Where a request reached this server (`http://` and its Host header), and the public origin a
/// proxy in front says the client used (X-Forwarded-Proto / X-Forwarded-Host; the first value
/// of each), when it says so.
pub struct Origins {
    pub direct: String,
    pub forwarded: Option<String>,
}

pub fn origins(headers: &HeaderMap) -> Origins {
    let h = |n: &str| {
        headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(',').next().unwrap_or(v).trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let host = h("host").unwrap_or_else(|| "127.0.0.1".into());
    let (fhost, fproto) = (h("x-forwarded-host"), h("x-forwarded-proto"));
    let forwarded = (fhost.is_some() || fproto.is_some()).then(|| {
        format!(
            "{}://{}",
            fproto.unwrap_or_else(|| "http".into()),
            fhost.unwrap_or_else(|| host.clone())
        )
    });
    Origins {
        direct: format!("http://{host}"),
        forwarded,
    }
}

#[cfg(test)]
mod origin_tests {
    use super::*;

    #[test]
    fn forwarded_headers_name_the_public_origin() {
        let mut h = HeaderMap::new();
        h.insert("host", "127.0.0.1:4471".parse().unwrap());
        let o = origins(&h);
        assert_eq!(
            (o.direct.as_str(), o.forwarded),
            ("http://127.0.0.1:4471", None)
        );
        h.insert("x-forwarded-proto", "https, http".parse().unwrap());
        h.insert("x-forwarded-host", "tools.example".parse().unwrap());
        assert_eq!(
            origins(&h).forwarded.as_deref(),
            Some("https://tools.example")
        );
    }
}
