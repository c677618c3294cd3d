//! Known LMS platforms: endpoint templates usable as registration presets, detection from an
//! issuer, auth endpoint or tool_platform claim, and the LMS-specific hints findings carry
//! (Canvas's fixed issuer, Moodle's 60 s tokens, D2L's JWKS without alg, …).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use ts_rs::TS;
use url::Url;

/// A platform preset. Templates contain `{site}` where the institution's host goes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct LmsProfile {
    /// Stable id: canvas, canvas_beta, canvas_test, canvas_self_hosted, moodle, blackboard,
    /// brightspace, schoology, sakai, ims_ri.
    pub id: String,
    pub name: String,
    pub issuer: String,
    pub auth_endpoint: String,
    pub jwks_url: String,
    pub token_endpoint: String,
    /// The client assertion `aud` when it is not the token endpoint (D2L) or needs care.
    pub token_audience: Option<String>,
    /// What `{site}` stands for, when a template uses it.
    pub site_parameter: Option<String>,
    /// Typical id_token lifetime (exp − iat) in seconds, when known.
    pub id_token_lifetime_secs: Option<i64>,
    pub notes: Vec<String>,
}

fn profile(
    id: &str,
    name: &str,
    endpoints: [&str; 4],
    token_audience: Option<&str>,
    site_parameter: Option<&str>,
    lifetime: Option<i64>,
    notes: &[&str],
) -> LmsProfile {
    let [issuer, auth, jwks, token] = endpoints;
    LmsProfile {
        id: id.into(),
        name: name.into(),
        issuer: issuer.into(),
        auth_endpoint: auth.into(),
        jwks_url: jwks.into(),
        token_endpoint: token.into(),
        token_audience: token_audience.map(Into::into),
        site_parameter: site_parameter.map(Into::into),
        id_token_lifetime_secs: lifetime,
        notes: notes.iter().map(|s| s.to_string()).collect(),
    }
}

const CANVAS_SITE: &str = "Your school's Canvas host (e.g. school.instructure.com); used only for the token endpoint and its audience.";
const CANVAS_NOTES: &[&str] = &[
    "Every Instructure-hosted school uses the same issuer; register it, not the school domain.",
    "client_id is the developer key id (e.g. 10000000000011); deployment_id looks like 5:d3a2….",
    "The token assertion aud is exactly https://<school>/login/oauth2/token (no trailing slash, no port).",
    "Platform storage (lti_storage_target) requires the sso.canvaslms.com auth endpoint.",
    "The tool's public JWK must carry alg and use.",
];

/// Every known profile.
pub fn profiles() -> Vec<LmsProfile> {
    table().to_vec()
}

/// The profile table, built once: lookups happen on every validated launch.
fn table() -> &'static [LmsProfile] {
    static TABLE: std::sync::OnceLock<Vec<LmsProfile>> = std::sync::OnceLock::new();
    TABLE.get_or_init(build_profiles)
}

fn build_profiles() -> Vec<LmsProfile> {
    vec![
        profile("canvas", "Canvas (Instructure-hosted)", [
            "https://canvas.instructure.com",
            "https://sso.canvaslms.com/api/lti/authorize_redirect",
            "https://sso.canvaslms.com/api/lti/security/jwks",
            "https://{site}/login/oauth2/token",
        ], Some("https://{site}/login/oauth2/token"), Some(CANVAS_SITE), Some(3600), CANVAS_NOTES),
        profile("canvas_beta", "Canvas beta (Instructure-hosted)", [
            "https://canvas.beta.instructure.com",
            "https://sso.beta.canvaslms.com/api/lti/authorize_redirect",
            "https://sso.beta.canvaslms.com/api/lti/security/jwks",
            "https://{site}/login/oauth2/token",
        ], Some("https://{site}/login/oauth2/token"), Some(CANVAS_SITE), Some(3600), CANVAS_NOTES),
        profile("canvas_test", "Canvas test (Instructure-hosted)", [
            "https://canvas.test.instructure.com",
            "https://sso.test.canvaslms.com/api/lti/authorize_redirect",
            "https://sso.test.canvaslms.com/api/lti/security/jwks",
            "https://{site}/login/oauth2/token",
        ], Some("https://{site}/login/oauth2/token"), Some(CANVAS_SITE), Some(3600), CANVAS_NOTES),
        profile("canvas_self_hosted", "Canvas (self-hosted)", [
            "https://{site}",
            "https://{site}/api/lti/authorize_redirect",
            "https://{site}/api/lti/security/jwks",
            "https://{site}/login/oauth2/token",
        ], Some("https://{site}/login/oauth2/token"), Some("The Canvas server's host; its issuer is whatever the server is configured with (default https://canvas.instructure.com)."), Some(3600), &[
            "Self-hosted Canvas signs with its configured issuer (security.yml lti_iss), by default https://canvas.instructure.com.",
        ]),
        profile("moodle", "Moodle", [
            "https://{site}",
            "https://{site}/mod/lti/auth.php",
            "https://{site}/mod/lti/certs.php",
            "https://{site}/mod/lti/token.php",
        ], Some("https://{site}/mod/lti/token.php"), Some("The Moodle wwwroot without scheme, including any subdirectory (moodle.example.edu/moodle)."), Some(60), &[
            "id_tokens live only 60 seconds: slow JWKS fetches or clock skew expire them.",
            "client_id is a random ~15-character string; deployment_id is the tool type id (\"1\", \"3\"…).",
            "Errors show only \"Invalid request\": compare redirect_uri and client_id exactly.",
            "Old versions send tool_platform.family_code instead of product_family_code.",
        ]),
        profile("blackboard", "Blackboard Learn (Anthology)", [
            "https://blackboard.com",
            "https://developer.blackboard.com/api/v1/gateway/oidcauth",
            "https://developer.blackboard.com/api/v1/management/applications/{site}/jwks.json",
            "https://developer.blackboard.com/api/v1/gateway/oauth2/jwttoken",
        ], None, Some("The developer-portal Application ID (your client_id)."), Some(3600), &[
            "One issuer for every institution; each institution install gets its own deployment_id.",
            "Register the application in the developer portal, then the school installs it by Application ID.",
        ]),
        profile("brightspace", "D2L Brightspace", [
            "https://{site}",
            "https://{site}/d2l/lti/authenticate",
            "https://{site}/d2l/.well-known/jwks",
            "https://auth.brightspace.com/core/connect/token",
        ], Some("https://api.brightspace.com/auth/token"), Some("The Brightspace tenant host (school.brightspace.com or a custom domain)."), None, &[
            "The token assertion aud is https://api.brightspace.com/auth/token, not the token URL.",
            "JWKS keys lack alg; tool-signed JWTs (deep linking responses) need a kid.",
            "\"jwt not active\" errors come from clock skew: allow leeway.",
        ]),
        profile("schoology", "Schoology (PowerSchool)", [
            "https://schoology.schoology.com",
            "https://lti-service.svc.schoology.com/lti-service/authorize-redirect",
            "https://lti-service.svc.schoology.com/lti-service/.well-known/jwks",
            "https://lti-service.svc.schoology.com/lti-service/access-token",
        ], None, None, None, &[
            "Custom parameter keys lose their case: use lowercase.",
            "Deep linking accepts only ltiResourceLink and html items; NRPS pages hold at most 100 members.",
        ]),
        profile("sakai", "Sakai", [
            "https://{site}",
            "https://{site}/imsoidc/lti13/oidc_auth",
            "https://{site}/imsblis/lti13/keyset",
            "https://{site}/imsblis/lti13/token/{tool_id}",
        ], None, Some("The Sakai server host."), None, &[
            "Login sends lti_storage_target=_parent and lti_deployment_id; older builds used /imsblis/lti13/oidc_auth.",
        ]),
        profile("ims_ri", "1EdTech Reference Implementation", [
            "https://lti-ri.imsglobal.org",
            "https://lti-ri.imsglobal.org/platforms/{site}/authorizations/new",
            "https://lti-ri.imsglobal.org/platforms/{site}/platform_keys/{kid}.json",
            "https://lti-ri.imsglobal.org/platforms/{site}/access_tokens",
        ], None, Some("The RI platform id."), Some(300), &["The RI issues 300-second id_tokens."]),
    ]
}

/// The profile with this id.
pub fn get(id: &str) -> Option<LmsProfile> {
    table().iter().find(|p| p.id == id).cloned()
}

fn host(url: &str) -> Option<String> {
    Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
}

fn hosted_canvas(iss: &str) -> Option<&'static str> {
    match iss.trim_end_matches('/') {
        "https://canvas.instructure.com" => Some("canvas"),
        "https://canvas.beta.instructure.com" => Some("canvas_beta"),
        "https://canvas.test.instructure.com" => Some("canvas_test"),
        _ => None,
    }
}

/// Detects the platform from its issuer and, when known, its OIDC auth endpoint.
pub fn detect(iss: &str, auth_endpoint: Option<&str>) -> Option<LmsProfile> {
    if let Some(id) = hosted_canvas(iss) {
        return get(id);
    }
    let iss_host = host(iss).unwrap_or_default();
    let by_iss = match iss_host.as_str() {
        "blackboard.com" => Some("blackboard"),
        "schoology.schoology.com" => Some("schoology"),
        "lti-ri.imsglobal.org" | "ltiadvantagevalidator.imsglobal.org" => Some("ims_ri"),
        h if h.ends_with(".brightspace.com") => Some("brightspace"),
        _ => None,
    };
    if let Some(id) = by_iss {
        return get(id);
    }
    let auth = auth_endpoint?.to_ascii_lowercase();
    let id = if auth.ends_with("/mod/lti/auth.php") {
        "moodle"
    } else if auth.contains("/d2l/lti/authenticate") {
        "brightspace"
    } else if auth.contains("/lti13/oidc_auth") {
        "sakai"
    } else if auth.contains("canvaslms.com") || auth.ends_with("/api/lti/authorize_redirect") {
        "canvas_self_hosted"
    } else {
        return None;
    };
    get(id)
}

/// Detects the platform from a message payload: issuer first, then tool_platform's
/// product_family_code (or Moodle's old family_code) and vendor claims.
pub fn detect_from_claims(payload: &Map<String, Value>) -> Option<LmsProfile> {
    let iss = payload.get("iss").and_then(Value::as_str).unwrap_or("");
    if let Some(p) = detect(iss, None) {
        return Some(p);
    }
    let platform = payload.get(crate::vocab::claim::TOOL_PLATFORM);
    let family = platform
        .and_then(|p| {
            p.get("product_family_code")
                .or_else(|| p.get("family_code"))
        })
        .and_then(Value::as_str)
        .map(str::to_ascii_lowercase);
    let id = match family.as_deref() {
        Some("canvas") => "canvas_self_hosted",
        Some("moodle") => "moodle",
        Some("blackboardlearn") | Some("blackboard") => "blackboard",
        Some("desire2learn") | Some("d2l") | Some("brightspace") => "brightspace",
        Some("sakai") => "sakai",
        Some("schoology") => "schoology",
        _ if payload.contains_key("https://www.instructure.com/placement") => "canvas_self_hosted",
        _ if payload.contains_key("http://www.brightspace.com") => "brightspace",
        _ => return None,
    };
    get(id)
}

/// Whether the profile is one of the Canvas ones.
pub fn is_canvas(p: &LmsProfile) -> bool {
    p.id.starts_with("canvas")
}

/// Why an issuer comparison failed, in LMS terms, when a known cause fits.
pub fn issuer_hint(expected: &str, actual: &str) -> Option<String> {
    if hosted_canvas(actual).is_some() && hosted_canvas(expected).is_none() {
        return Some(format!(
            "Instructure-hosted Canvas signs every school's launches as {actual}; register that issuer, not the school domain {expected}."
        ));
    }
    if let (Some(a), Some(e)) = (hosted_canvas(actual), hosted_canvas(expected)) {
        if a != e {
            return Some(format!(
                "This launch came from a different Canvas environment ({actual}); beta and test have their own issuer, JWKS and developer keys."
            ));
        }
    }
    if host(actual).is_some_and(|h| h.ends_with(".instructure.com"))
        && hosted_canvas(actual).is_none()
    {
        return Some("Hosted Canvas never uses the school domain as issuer: expected https://canvas.instructure.com.".into());
    }
    if expected.trim_end_matches('/') == actual.trim_end_matches('/') {
        return Some(
            "The issuers differ only by a trailing slash; the comparison is exact.".into(),
        );
    }
    if expected.eq_ignore_ascii_case(actual) {
        return Some(
            "The issuers differ only in letter case; the comparison is case-sensitive.".into(),
        );
    }
    let strip = |s: &str| {
        s.trim_start_matches("https://")
            .trim_start_matches("http://")
            .to_string()
    };
    if strip(expected) == strip(actual) {
        return Some("The issuers differ only in scheme (http vs https).".into());
    }
    None
}

/// Advice for a `kid` that the JWKS does not have.
pub fn jwks_hint(profile: Option<&LmsProfile>) -> String {
    match profile {
        Some(p) if is_canvas(p) && !p.jwks_url.contains('{') => format!(
            "Canvas prod, beta and test have separate key sets; for this issuer use {}. Keys rotate: re-fetch the JWKS on a kid miss.",
            p.jwks_url
        ),
        Some(p) => format!(
            "Check the registration's JWKS URL ({} serves it at {}) and re-fetch it: platforms rotate keys.",
            p.name,
            // Templates name the site generically rather than showing a raw placeholder.
            p.jwks_url.replace("{site}", "<site>").replace("{tool_id}", "<tool id>").replace("{kid}", "<kid>")
        ),
        None => "Check the registration's JWKS URL and re-fetch it: platforms rotate keys.".into(),
    }
}

/// Advice when the deployment id is unknown.
pub fn deployment_hint(profile: Option<&LmsProfile>) -> Option<String> {
    match profile.map(|p| p.id.as_str()) {
        Some(id) if id.starts_with("canvas") => Some("Canvas creates a new deployment for each account, sub-account or course install: add this deployment id (or accept any).".into()),
        Some("blackboard") => Some("Each Blackboard institution install gets its own deployment_id; tools use it as the institution key.".into()),
        Some("moodle") => Some("Moodle's deployment_id is the tool type id; a site or course-level re-add creates a new one.".into()),
        _ => None,
    }
}

/// Advice for an expired token, from the platform's usual lifetime.
pub fn expiry_hint(profile: Option<&LmsProfile>) -> Option<String> {
    match profile {
        Some(p) if p.id == "moodle" => Some("Moodle id_tokens live only 60 s: a slow JWKS fetch or clock skew is enough to expire them.".into()),
        Some(p) if p.id == "brightspace" => Some("D2L 'jwt not active' errors usually come from clock skew: sync clocks (NTP) and allow leeway.".into()),
        _ => None,
    }
}

/// Explanation of an OIDC error posted back instead of an id_token.
pub fn error_hint(error: &str) -> Option<String> {
    let text = match error {
        "launch_no_longer_valid" => "Canvas: the launch has expired or was already consumed. Its lti_message_hint is a short-lived single-use JWT: the back button, a double submit or a slow login step cause this.",
        "invalid_request" => "The authentication request is malformed or a parameter is not as registered (Moodle reports every problem this way: compare redirect_uri and client_id exactly).",
        "invalid_client" => "The platform does not know this client_id, or the tool is not deployed where the launch happened.",
        "unauthorized_client" => "The client is not authorized for this user or deployment.",
        "login_required" | "interaction_required" => "prompt=none was sent but the platform needs the user to log in first.",
        "access_denied" => "The platform refused the launch (user or admin policy).",
        "invalid_scope" => "scope must be exactly openid.",
        "unsupported_response_type" => "response_type must be id_token.",
        _ => return None,
    };
    Some(text.into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn detection_by_issuer_and_endpoint() {
        assert_eq!(
            detect("https://canvas.instructure.com", None).unwrap().id,
            "canvas"
        );
        assert_eq!(
            detect("https://canvas.test.instructure.com/", None)
                .unwrap()
                .id,
            "canvas_test"
        );
        assert_eq!(
            detect("https://blackboard.com", None).unwrap().id,
            "blackboard"
        );
        assert_eq!(
            detect("https://school.brightspace.com", None).unwrap().id,
            "brightspace"
        );
        let m = detect(
            "https://moodle.example.edu",
            Some("https://moodle.example.edu/mod/lti/auth.php"),
        )
        .unwrap();
        assert_eq!(
            (m.id.as_str(), m.id_token_lifetime_secs),
            ("moodle", Some(60))
        );
        assert!(detect("https://unknown.example", None).is_none());
        assert_eq!(
            get("brightspace").unwrap().token_audience.as_deref(),
            Some("https://api.brightspace.com/auth/token")
        );
    }

    #[test]
    fn detection_from_claims() {
        let moodle = json!({"iss": "http://localhost/moodle",
            "https://purl.imsglobal.org/spec/lti/claim/tool_platform": {"family_code": "moodle"}});
        assert_eq!(
            detect_from_claims(moodle.as_object().unwrap()).unwrap().id,
            "moodle"
        );
        let canvas = json!({"iss": "https://canvas.home.example",
            "https://purl.imsglobal.org/spec/lti/claim/tool_platform": {"product_family_code": "canvas"}});
        assert_eq!(
            detect_from_claims(canvas.as_object().unwrap()).unwrap().id,
            "canvas_self_hosted"
        );
    }

    #[test]
    fn issuer_hints() {
        let h = issuer_hint(
            "https://school.instructure.com",
            "https://canvas.instructure.com",
        )
        .unwrap();
        assert!(h.contains("school domain"));
        assert!(issuer_hint("https://a.example/", "https://a.example")
            .unwrap()
            .contains("trailing slash"));
        assert!(issuer_hint("http://a.example", "https://a.example")
            .unwrap()
            .contains("scheme"));
        assert!(issuer_hint("https://a.example", "https://b.example").is_none());
        assert!(error_hint("launch_no_longer_valid")
            .unwrap()
            .contains("Canvas"));
    }

    #[test]
    fn profiles_have_unique_ids_and_https_templates() {
        let all = profiles();
        let mut ids: Vec<_> = all.iter().map(|p| p.id.clone()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), all.len());
        for p in &all {
            for u in [&p.issuer, &p.auth_endpoint, &p.jwks_url, &p.token_endpoint] {
                assert!(u.starts_with("https://"), "{} {u}", p.id);
            }
        }
    }
}
