//! LTI Dynamic Registration 1.0: the platform's OpenID configuration (what a tool reads first),
//! the tool's client registration request (what a platform validates), and the platform's
//! answer (what the tool keeps). Each check is a finding of a `dr.*` rule; building the tool's
//! request is here too, so both sides of the inspector speak the same shape.

use serde_json::{json, Map, Value};

use crate::finding::{Finding, Report, Severity};

pub const PLATFORM_CONFIGURATION: &str =
    "https://purl.imsglobal.org/spec/lti-platform-configuration";
pub const TOOL_CONFIGURATION: &str = "https://purl.imsglobal.org/spec/lti-tool-configuration";
/// What the tool posts to the opener (or parent) window when registration is over.
pub const CLOSE_SUBJECT: &str = "org.imsglobal.lti.close";

fn s<'a>(m: &'a Map<String, Value>, k: &str) -> Option<&'a str> {
    m.get(k).and_then(Value::as_str).filter(|v| !v.is_empty())
}

fn strings(m: &Map<String, Value>, k: &str) -> Vec<String> {
    m.get(k)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn host(u: &str) -> Option<String> {
    url::Url::parse(u)
        .ok()?
        .host_str()
        .map(str::to_ascii_lowercase)
}

fn is_web_url(u: &str) -> bool {
    url::Url::parse(u).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
}

/// What a tool reads from a platform's OpenID configuration to register and then trust it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlatformConfig {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub jwks_uri: String,
    pub registration_endpoint: String,
    pub scopes_supported: Vec<String>,
    pub product_family_code: Option<String>,
    pub version: Option<String>,
    /// Message types the platform supports (messages_supported[].type).
    pub messages_supported: Vec<String>,
}

pub fn platform_config(v: &Value) -> PlatformConfig {
    let empty = Map::new();
    let m = v.as_object().unwrap_or(&empty);
    let lti = m
        .get(PLATFORM_CONFIGURATION)
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    PlatformConfig {
        issuer: s(m, "issuer").unwrap_or_default().into(),
        authorization_endpoint: s(m, "authorization_endpoint").unwrap_or_default().into(),
        token_endpoint: s(m, "token_endpoint").unwrap_or_default().into(),
        jwks_uri: s(m, "jwks_uri").unwrap_or_default().into(),
        registration_endpoint: s(m, "registration_endpoint").unwrap_or_default().into(),
        scopes_supported: strings(m, "scopes_supported"),
        product_family_code: s(lti, "product_family_code").map(str::to_string),
        version: s(lti, "version").map(str::to_string),
        messages_supported: lti
            .get("messages_supported")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.get("type").and_then(Value::as_str).or_else(|| x.as_str()))
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// The checks a tool runs on the configuration found at `config_url`.
pub fn check_platform_config(v: &Value, config_url: &str) -> Report {
    let mut r = Report::new();
    let Some(m) = v.as_object() else {
        r.push(Finding::fail(
            "dr.config.json",
            "The openid_configuration answer is not a JSON object.",
        ));
        return r;
    };
    r.push(Finding::pass("dr.config.json", "A JSON object."));
    match s(m, "issuer") {
        Some(iss) if host(iss).is_some() && host(iss) == host(config_url) => r.push(
            Finding::pass("dr.config.issuer", format!("issuer {iss} is on the host of the configuration URL.")).actual(iss),
        ),
        Some(iss) => r.push(
            Finding::fail("dr.config.issuer", format!("issuer {iss} is not on the host the configuration came from ({}): a tool must not trust a configuration that names another platform.", host(config_url).unwrap_or_default()))
                .expected(host(config_url).unwrap_or_default())
                .actual(iss),
        ),
        None => r.push(Finding::fail("dr.config.issuer", "No issuer.")),
    }
    let mut missing = Vec::new();
    let mut not_urls = Vec::new();
    for k in [
        "authorization_endpoint",
        "token_endpoint",
        "jwks_uri",
        "registration_endpoint",
    ] {
        match s(m, k) {
            None => missing.push(k),
            Some(u) if !is_web_url(u) => not_urls.push(format!("{k} ({u})")),
            Some(_) => {}
        }
    }
    if missing.is_empty() && not_urls.is_empty() {
        r.push(Finding::pass(
            "dr.config.endpoints",
            "Authorization, token, JWKS and registration endpoints are URLs.",
        ));
    } else {
        let mut why = Vec::new();
        if !missing.is_empty() {
            why.push(format!("missing: {}", missing.join(", ")));
        }
        if !not_urls.is_empty() {
            why.push(format!("not http(s) URLs: {}", not_urls.join(", ")));
        }
        r.push(Finding::fail(
            "dr.config.endpoints",
            format!("Endpoints: {}.", why.join("; ")),
        ));
    }
    let has = |k: &str, want: &str| strings(m, k).iter().any(|x| x == want);
    let mut auth = Vec::new();
    if !has("token_endpoint_auth_methods_supported", "private_key_jwt") {
        auth.push("token_endpoint_auth_methods_supported lacks private_key_jwt");
    }
    if !has("token_endpoint_auth_signing_alg_values_supported", "RS256") {
        auth.push("token_endpoint_auth_signing_alg_values_supported lacks RS256");
    }
    if !has("id_token_signing_alg_values_supported", "RS256") {
        auth.push("id_token_signing_alg_values_supported lacks RS256");
    }
    if auth.is_empty() {
        r.push(Finding::pass(
            "dr.config.algorithms",
            "private_key_jwt and RS256 are supported.",
        ));
    } else {
        r.push(Finding::fail(
            "dr.config.algorithms",
            format!("{}.", auth.join("; ")),
        ));
    }
    if has("scopes_supported", "openid") {
        r.push(Finding::pass(
            "dr.config.scopes",
            format!(
                "{} scopes supported, openid among them.",
                strings(m, "scopes_supported").len()
            ),
        ));
    } else {
        r.push(
            Finding::fail("dr.config.scopes", "scopes_supported does not list openid.")
                .severity(Severity::Warning),
        );
    }
    match m.get(PLATFORM_CONFIGURATION).and_then(Value::as_object) {
        None => r.push(Finding::fail("dr.config.platform", format!("No {PLATFORM_CONFIGURATION} object: the tool cannot tell which LMS this is or which messages it supports."))),
        Some(lti) => {
            let mut gaps = Vec::new();
            if s(lti, "product_family_code").is_none() {
                gaps.push("product_family_code");
            }
            if s(lti, "version").is_none() {
                gaps.push("version");
            }
            match lti.get("messages_supported").and_then(Value::as_array) {
                None => gaps.push("messages_supported"),
                Some(a) if a.iter().any(|x| x.get("type").and_then(Value::as_str).is_none()) => gaps.push("messages_supported[].type"),
                Some(_) => {}
            }
            if gaps.is_empty() {
                let types = platform_config(v).messages_supported.join(", ");
                r.push(Finding::pass("dr.config.platform", format!("{} {}; messages: {types}.", s(lti, "product_family_code").unwrap_or_default(), s(lti, "version").unwrap_or_default())));
            } else {
                r.push(Finding::fail("dr.config.platform", format!("{PLATFORM_CONFIGURATION} lacks {}.", gaps.join(", "))));
            }
        }
    }
    r
}

/// What the tool registers: its URLs, name, scopes and messages.
pub struct ToolRegistration<'a> {
    pub client_name: &'a str,
    pub initiate_login_uri: &'a str,
    pub redirect_uris: &'a [String],
    pub target_link_uri: &'a str,
    pub deep_link_uri: Option<&'a str>,
    pub jwks_uri: &'a str,
    pub scopes: &'a [String],
    pub description: &'a str,
}

/// The client registration request (DR §3.5.2), for a platform whose configuration is `platform`.
pub fn registration_request(t: &ToolRegistration<'_>, platform: &PlatformConfig) -> Value {
    let domain = host(t.target_link_uri).unwrap_or_default();
    let mut messages = vec![
        json!({"type": "LtiResourceLinkRequest", "target_link_uri": t.target_link_uri, "label": t.client_name}),
    ];
    if let Some(dl) = t.deep_link_uri {
        if platform.messages_supported.is_empty()
            || platform
                .messages_supported
                .iter()
                .any(|m| m == "LtiDeepLinkingRequest")
        {
            messages.push(json!({"type": "LtiDeepLinkingRequest", "target_link_uri": dl, "label": format!("{} (content picker)", t.client_name)}));
        }
    }
    // Ask only for scopes the platform offers (all of them when it lists none).
    let scopes: Vec<&str> = t
        .scopes
        .iter()
        .map(String::as_str)
        .filter(|sc| {
            platform.scopes_supported.is_empty()
                || platform.scopes_supported.iter().any(|p| p == sc)
        })
        .collect();
    json!({
        "application_type": "web",
        "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": t.initiate_login_uri,
        "redirect_uris": t.redirect_uris,
        "client_name": t.client_name,
        "jwks_uri": t.jwks_uri,
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": scopes.join(" "),
        TOOL_CONFIGURATION: {
            "domain": domain,
            "target_link_uri": t.target_link_uri,
            "description": t.description,
            "claims": ["iss", "sub", "name", "given_name", "family_name", "email", "picture", "locale"],
            "messages": messages,
        }
    })
}

/// The checks a platform runs on a tool's registration request.
pub fn check_registration_request(v: &Value) -> Report {
    let mut r = Report::new();
    let Some(m) = v.as_object() else {
        r.push(Finding::fail(
            "dr.request.fields",
            "The registration request is not a JSON object.",
        ));
        return r;
    };
    let mut problems = Vec::new();
    if s(m, "application_type") != Some("web") {
        problems.push("application_type must be \"web\"".to_string());
    }
    if strings(m, "response_types") != ["id_token"] {
        problems.push("response_types must be [\"id_token\"]".into());
    }
    let grants = strings(m, "grant_types");
    if !grants.iter().any(|g| g == "implicit") || !grants.iter().any(|g| g == "client_credentials")
    {
        problems.push("grant_types must hold implicit and client_credentials".into());
    }
    if s(m, "token_endpoint_auth_method") != Some("private_key_jwt") {
        problems.push("token_endpoint_auth_method must be private_key_jwt".into());
    }
    if s(m, "client_name").is_none() {
        problems.push("client_name is missing".into());
    }
    for k in ["initiate_login_uri", "jwks_uri"] {
        match s(m, k) {
            Some(u) if is_web_url(u) => {}
            Some(u) => problems.push(format!("{k} is not an http(s) URL ({u})")),
            None => problems.push(format!("{k} is missing")),
        }
    }
    let redirects = strings(m, "redirect_uris");
    if redirects.is_empty() {
        problems.push("redirect_uris is missing or empty".into());
    } else if let Some(bad) = redirects.iter().find(|u| !is_web_url(u)) {
        problems.push(format!("redirect_uris holds a non-URL ({bad})"));
    }
    if problems.is_empty() {
        r.push(Finding::pass("dr.request.fields", "application_type, response and grant types, auth method, name, login, redirect and JWKS URLs are as required."));
    } else {
        r.push(Finding::fail(
            "dr.request.fields",
            format!("{}.", problems.join("; ")),
        ));
    }
    match m.get(TOOL_CONFIGURATION).and_then(Value::as_object) {
        None => r.push(Finding::fail(
            "dr.request.tool_configuration",
            format!("No {TOOL_CONFIGURATION} object."),
        )),
        Some(tc) => {
            let mut gaps = Vec::new();
            let domain = s(tc, "domain");
            if domain.is_none() {
                gaps.push("domain".to_string());
            }
            match s(tc, "target_link_uri") {
                Some(u) if is_web_url(u) => {}
                _ => gaps.push("target_link_uri (an http(s) URL)".into()),
            }
            if let Some(msgs) = tc.get("messages") {
                if !msgs.as_array().is_some_and(|a| {
                    a.iter()
                        .all(|x| x.get("type").and_then(Value::as_str).is_some())
                }) {
                    gaps.push("messages[].type".into());
                }
            }
            if gaps.is_empty() {
                r.push(Finding::pass(
                    "dr.request.tool_configuration",
                    "domain, target_link_uri and messages are present.",
                ));
            } else {
                r.push(Finding::fail(
                    "dr.request.tool_configuration",
                    format!("{TOOL_CONFIGURATION} lacks {}.", gaps.join(", ")),
                ));
            }
            // The tool's URLs live on its domain (or a secondary domain): a mismatch is a copy-paste slip.
            if let Some(d) = domain {
                let mut allowed: Vec<String> = vec![d.to_ascii_lowercase()];
                allowed.extend(
                    strings(tc, "secondary_domains")
                        .into_iter()
                        .map(|x| x.to_ascii_lowercase()),
                );
                let off: Vec<String> = [s(m, "initiate_login_uri"), s(tc, "target_link_uri")]
                    .into_iter()
                    .flatten()
                    .map(str::to_string)
                    .chain(redirects.iter().cloned())
                    .filter(|u| {
                        host(u).is_some_and(|h| {
                            !allowed
                                .iter()
                                .any(|a| h == *a || a.split(':').next() == Some(h.as_str()))
                        })
                    })
                    .collect();
                if off.is_empty() {
                    r.push(Finding::pass(
                        "dr.request.domain",
                        format!("The tool's URLs are on {d}."),
                    ));
                } else {
                    r.push(Finding::fail(
                        "dr.request.domain",
                        format!("Not on the declared domain {d}: {}.", off.join(", ")),
                    ));
                }
            }
        }
    }
    r
}

/// The checks a tool runs on the platform's answer; returns the client_id and deployment_id.
pub fn check_registration_response(v: &Value) -> (Report, Option<String>, Option<String>) {
    let mut r = Report::new();
    let Some(m) = v.as_object() else {
        r.push(Finding::fail(
            "dr.response.client_id",
            "The registration answer is not a JSON object.",
        ));
        return (r, None, None);
    };
    let client_id = s(m, "client_id").map(str::to_string);
    match &client_id {
        Some(c) => r.push(Finding::pass(
            "dr.response.client_id",
            format!("client_id {c}."),
        )),
        None => r.push(Finding::fail(
            "dr.response.client_id",
            "No client_id: the registration cannot be used.",
        )),
    }
    let in_config = m
        .get(TOOL_CONFIGURATION)
        .and_then(|t| t.get("deployment_id"))
        .and_then(Value::as_str);
    let top = s(m, "deployment_id");
    let deployment = in_config.or(top).map(str::to_string);
    match (in_config, top) {
        (Some(d), _) => r.push(Finding::pass("dr.response.deployment_id", format!("deployment_id {d} (in {TOOL_CONFIGURATION}).")) ),
        (None, Some(d)) => r.push(
            Finding::fail("dr.response.deployment_id", format!("deployment_id {d} is at the top level (Canvas does this); the spec puts it in {TOOL_CONFIGURATION}."))
                .severity(Severity::Info),
        ),
        (None, None) => r.push(Finding::fail("dr.response.deployment_id", "No deployment_id: launches will name one the tool has not seen (accepted, and reported).").severity(Severity::Warning)),
    }
    (r, client_id, deployment)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Verdict;

    fn config(base: &str) -> Value {
        json!({
            "issuer": base,
            "authorization_endpoint": format!("{base}/auth"),
            "token_endpoint": format!("{base}/token"),
            "jwks_uri": format!("{base}/jwks"),
            "registration_endpoint": format!("{base}/register"),
            "scopes_supported": ["openid", "https://purl.imsglobal.org/spec/lti-ags/scope/score"],
            "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
            "id_token_signing_alg_values_supported": ["RS256"],
            PLATFORM_CONFIGURATION: {"product_family_code": "moodle", "version": "4.3", "messages_supported": [{"type": "LtiResourceLinkRequest"}, {"type": "LtiDeepLinkingRequest"}]}
        })
    }

    #[test]
    fn a_good_configuration_and_a_built_request_pass_both_sides() {
        let v = config("https://lms.example");
        let r = check_platform_config(&v, "https://lms.example/.well-known/openid-configuration");
        assert_eq!(r.verdict(), Verdict::Valid, "{:#?}", r.failures());
        let p = platform_config(&v);
        let req = registration_request(
            &ToolRegistration {
                client_name: "T",
                initiate_login_uri: "https://tool.example/login",
                redirect_uris: &["https://tool.example/launch".into()],
                target_link_uri: "https://tool.example/launch",
                deep_link_uri: Some("https://tool.example/dl"),
                jwks_uri: "https://tool.example/jwks",
                scopes: &[
                    "https://purl.imsglobal.org/spec/lti-ags/scope/score".into(),
                    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
                        .into(),
                ],
                description: "d",
            },
            &p,
        );
        assert_eq!(
            req["scope"], "https://purl.imsglobal.org/spec/lti-ags/scope/score",
            "only offered scopes"
        );
        assert_eq!(
            req[TOOL_CONFIGURATION]["messages"]
                .as_array()
                .unwrap()
                .len(),
            2
        );
        let r = check_registration_request(&req);
        assert_eq!(r.verdict(), Verdict::Valid, "{:#?}", r.failures());
    }

    #[test]
    fn a_configuration_from_another_host_or_missing_parts_fails() {
        let v = config("https://lms.example");
        assert!(
            check_platform_config(&v, "https://evil.example/.well-known/openid-configuration")
                .failed("dr.config.issuer")
        );
        let mut broken = v.clone();
        broken
            .as_object_mut()
            .unwrap()
            .remove("registration_endpoint");
        broken
            .as_object_mut()
            .unwrap()
            .remove(PLATFORM_CONFIGURATION);
        let r = check_platform_config(&broken, "https://lms.example/x");
        assert!(r.failed("dr.config.endpoints") && r.failed("dr.config.platform"));
        assert!(
            check_platform_config(&json!([1]), "https://lms.example/x").failed("dr.config.json")
        );
    }

    #[test]
    fn a_request_missing_fields_names_them() {
        let r = check_registration_request(
            &json!({"application_type": "native", "redirect_uris": ["x"]}),
        );
        let f = r.get("dr.request.fields").unwrap();
        for part in [
            "application_type",
            "grant_types",
            "private_key_jwt",
            "client_name",
            "initiate_login_uri is missing",
            "non-URL",
        ] {
            assert!(f.message.contains(part), "{part}: {}", f.message);
        }
        assert!(r.failed("dr.request.tool_configuration"));
    }

    #[test]
    fn answers_give_the_client_and_deployment() {
        let (r, c, d) = check_registration_response(
            &json!({"client_id": "c1", TOOL_CONFIGURATION: {"deployment_id": "d1"}}),
        );
        assert_eq!(
            (c.as_deref(), d.as_deref(), r.verdict()),
            (Some("c1"), Some("d1"), Verdict::Valid)
        );
        let (r, _, d) =
            check_registration_response(&json!({"client_id": "c1", "deployment_id": "9:x"}));
        assert_eq!(d.as_deref(), Some("9:x"));
        assert_eq!(
            r.verdict(),
            Verdict::Valid,
            "Canvas's top-level deployment_id is information"
        );
        let (r, c, _) = check_registration_response(&json!({"error": "invalid_token"}));
        assert!(c.is_none() && r.verdict() == Verdict::Invalid);
    }
}
