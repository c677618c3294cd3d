//! Registering platforms: turning what a user types or pastes (a JWK, a JWKS, a PEM; a preset
//! plus the site-specific parts) into a stored `Platform`, and loading a declarative TOML file
//! given to `serve --config`.

use lti_protocol::jwk::Jwks;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::ToolSide;
use lti_core::error::{Error, Result};
use lti_core::model_changes::ModelKind;
use lti_core::store::{self, Platform};

/// What the registration form (or CLI, or config file) submits.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct PlatformInput {
    /// Present to update an existing registration.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub id: Option<String>,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub preset: Option<String>,
    #[serde(default)]
    pub issuer: String,
    pub client_id: String,
    /// Empty or absent = accept any deployment and report it.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub deployment_ids: Option<Vec<String>>,
    #[serde(default)]
    pub auth_endpoint: String,
    #[serde(default)]
    pub token_endpoint: String,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub token_audience: Option<String>,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub jwks_url: Option<String>,
    /// A pasted public key: JWK JSON, JWKS JSON, or PEM.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub public_key: Option<String>,
    /// The site-specific part a preset asks for (`{site}` in its templates), e.g. the school's
    /// Canvas host or the Moodle wwwroot.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub site: Option<String>,
}

/// Fills every empty field from the preset's templates, `{site}` replaced by the given site
/// (scheme and trailing slash removed so both `school.edu` and `https://school.edu/` work).
pub fn apply_preset(mut input: PlatformInput) -> Result<PlatformInput> {
    let Some(id) = non_empty(input.preset.clone()) else {
        return Ok(input);
    };
    let profile = lti_protocol::lms::get(&id)
        .ok_or_else(|| Error::BadRequest(format!("unknown preset {id:?}")))?;
    let site = non_empty(input.site.clone()).map(|s| {
        s.trim_start_matches("https://")
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string()
    });
    let fill = |template: &str| -> Option<String> {
        if template.contains('{') {
            let site = site.as_deref()?;
            let filled = template.replace("{site}", site);
            (!filled.contains('{')).then_some(filled)
        } else {
            Some(template.to_string())
        }
    };
    let needs_site = [
        &profile.issuer,
        &profile.auth_endpoint,
        &profile.jwks_url,
        &profile.token_endpoint,
    ]
    .iter()
    .any(|t| t.contains("{site}"));
    if needs_site && site.is_none() && input.issuer.trim().is_empty() {
        return Err(Error::BadRequest(format!(
            "the {} preset needs the site: {}",
            profile.name,
            profile.site_parameter.clone().unwrap_or_default()
        )));
    }
    if input.issuer.trim().is_empty() {
        input.issuer = fill(&profile.issuer).unwrap_or_default();
    }
    if input.auth_endpoint.trim().is_empty() {
        input.auth_endpoint = fill(&profile.auth_endpoint).unwrap_or_default();
    }
    if input.token_endpoint.trim().is_empty() {
        input.token_endpoint = fill(&profile.token_endpoint).unwrap_or_default();
    }
    // A pasted key replaces the JWKS URL; only fill the URL when no key is given.
    if non_empty(input.jwks_url.clone()).is_none() && non_empty(input.public_key.clone()).is_none()
    {
        input.jwks_url = fill(&profile.jwks_url);
    }
    if non_empty(input.token_audience.clone()).is_none() {
        input.token_audience = profile
            .token_audience
            .as_deref()
            .and_then(fill)
            .filter(|a| *a != input.token_endpoint);
    }
    if input.name.trim().is_empty() {
        input.name = match &site {
            Some(s) => format!("{} — {s}", profile.name),
            None => profile.name.clone(),
        };
    }
    Ok(input)
}

/// Parses a pasted key into a key set, or says exactly what is wrong with it.
pub fn parse_public_key(text: &str) -> Result<Jwks> {
    lti_protocol::jwk::parse_pasted(text).map_err(Error::BadRequest)
}

/// LTI Core §5.3.3 caps deployment_id at 255 characters; client ids get the same bound.
const MAX_ID: usize = 255;

fn non_empty(s: Option<String>) -> Option<String> {
    s.map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

/// Validates and normalises an input into a `Platform` (new id when creating).
pub fn build(input: PlatformInput, existing: Option<&Platform>) -> Result<Platform> {
    let input = apply_preset(input)?;
    let issuer = input.issuer.trim().to_string();
    let client_id = input.client_id.trim().to_string();
    // Every problem at once, each named by its field: the form shows them beside the fields.
    let mut problems: Vec<String> = Vec::new();
    if issuer.is_empty() {
        problems.push("issuer: required (the `iss` of the platform's id_tokens)".into());
    } else if let Some(why) = url_problem(&issuer) {
        problems.push(format!("issuer: {why}"));
    }
    if client_id.is_empty() {
        problems.push("client_id: required (the id the platform gave this tool)".into());
    } else if client_id.chars().count() > MAX_ID {
        problems.push(format!(
            "client_id: {} characters; at most {MAX_ID}",
            client_id.chars().count()
        ));
    }
    for (field, value) in [
        ("auth_endpoint", input.auth_endpoint.as_str()),
        ("token_endpoint", input.token_endpoint.as_str()),
        ("jwks_url", input.jwks_url.as_deref().unwrap_or("")),
    ] {
        if let Some(why) = Some(value.trim())
            .filter(|v| !v.is_empty())
            .and_then(url_problem)
        {
            problems.push(format!("{field}: {why}"));
        }
    }
    if let Some(d) = input
        .deployment_ids
        .iter()
        .flatten()
        .find(|d| d.trim().chars().count() > MAX_ID)
    {
        problems.push(format!(
            "deployment_ids: a deployment_id is at most {MAX_ID} characters (LTI Core §5.3.3); one has {}",
            d.trim().chars().count()
        ));
    }
    // Absent keeps the stored key; an explicitly empty string removes it.
    let public_jwks = match input.public_key.as_deref().map(str::trim) {
        Some("") => None,
        Some(text) => match lti_protocol::jwk::parse_pasted(text) {
            Ok(k) => Some(k),
            Err(why) => {
                problems.push(format!("public_key: {why}"));
                None
            }
        },
        None => existing.and_then(|e| e.public_jwks.clone()),
    };
    if !problems.is_empty() {
        return Err(Error::BadRequest(problems.join("; ")));
    }
    let deployment_ids = input
        .deployment_ids
        .map(|v| {
            v.into_iter()
                .map(|d| d.trim().to_string())
                .filter(|d| !d.is_empty())
                .collect::<Vec<_>>()
        })
        .filter(|v| !v.is_empty());
    let now = lti_core::clock::now_ms();
    let name = if input.name.trim().is_empty() {
        issuer.clone()
    } else {
        input.name.trim().to_string()
    };
    Ok(Platform {
        id: existing
            .map(|e| e.id.clone())
            .unwrap_or_else(lti_core::ids::sortable_id),
        name,
        preset: non_empty(input.preset),
        issuer,
        client_id,
        deployment_ids,
        auth_endpoint: input.auth_endpoint.trim().to_string(),
        token_endpoint: input.token_endpoint.trim().to_string(),
        token_audience: non_empty(input.token_audience),
        jwks_url: non_empty(input.jwks_url),
        public_jwks,
        created_at: existing.map(|e| e.created_at).unwrap_or(now),
        updated_at: now,
    })
}

fn url_problem(u: &str) -> Option<String> {
    match url::Url::parse(u) {
        Ok(p) if p.scheme() == "https" || p.scheme() == "http" => None,
        Ok(p) => Some(format!(
            "{u:?} is not an http(s) URL (scheme {})",
            p.scheme()
        )),
        Err(e) => Some(format!("{u:?} is not a URL: {e}")),
    }
}

/// The registrations, read once and kept until a save or delete (and at most two seconds, in
/// case something else wrote the table): every login and launch looks them up.
#[derive(Default)]
pub struct PlatformCache {
    cached: std::sync::RwLock<Option<(std::sync::Arc<Vec<Platform>>, std::time::Instant)>>,
}

impl PlatformCache {
    pub async fn all(&self, store: &store::Store) -> Result<std::sync::Arc<Vec<Platform>>> {
        if let Some((list, at)) = self.cached.read().expect("platform cache").as_ref() {
            if at.elapsed() < std::time::Duration::from_secs(2) {
                return Ok(list.clone());
            }
        }
        let list = std::sync::Arc::new(store.read(store::platforms::list).await?);
        *self.cached.write().expect("platform cache") =
            Some((list.clone(), std::time::Instant::now()));
        Ok(list)
    }

    pub fn invalidate(&self) {
        *self.cached.write().expect("platform cache") = None;
    }
}

/// The registration for (iss, client_id) in a cached list (see [`store::platforms::pick`]).
pub fn find_in(list: &[Platform], issuer: &str, client_id: Option<&str>) -> Option<Platform> {
    store::platforms::pick(list, issuer, client_id)
}

pub async fn save(tool: &ToolSide, input: PlatformInput) -> Result<Platform> {
    let existing = match input.id.clone() {
        Some(id) => Some(
            tool.store()
                .read(move |c| store::platforms::get(c, &id))
                .await?,
        ),
        None => None,
    };
    let platform = build(input, existing.as_ref())?;
    let saved = platform.clone();
    tool.core()
        .write_model(ModelKind::Platform, Some(saved.id.clone()), move |tx| {
            store::platforms::upsert(tx, &saved)
        })
        .await?;
    tool.platform_cache().invalidate();
    tracing::info!(id = %platform.id, issuer = %platform.issuer, client_id = %platform.client_id, "platform saved");
    Ok(platform)
}

pub async fn delete(tool: &ToolSide, id: String) -> Result<()> {
    let gone = tool
        .core()
        .write_model(ModelKind::Platform, Some(id.clone()), move |tx| {
            store::platforms::delete(tx, &id)
        })
        .await?;
    tool.platform_cache().invalidate();
    if gone {
        Ok(())
    } else {
        Err(Error::NotFound("platform".into()))
    }
}

/// `serve --config FILE`: platforms declared in TOML, upserted by (issuer, client_id) at start.
///
/// ```toml
/// [[platform]]
/// name = "Canvas production"
/// preset = "canvas"
/// issuer = "https://canvas.instructure.com"
/// client_id = "10000000000011"
/// deployment_ids = ["5:d3a2b1"]
/// auth_endpoint = "https://sso.canvaslms.com/api/lti/authorize_redirect"
/// token_endpoint = "https://school.instructure.com/login/oauth2/token"
/// jwks_url = "https://sso.canvaslms.com/api/lti/security/jwks"
/// ```
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    #[serde(default, rename = "platform")]
    pub platforms: Vec<PlatformInput>,
}

/// Parses a config file; every registration in it still goes through [`build`] when applied.
pub fn parse_config(text: &str) -> Result<ConfigFile> {
    toml::from_str(text).map_err(|e| Error::BadRequest(format!("config file: {e}")))
}

pub async fn apply_config(tool: &ToolSide, text: &str) -> Result<Vec<Platform>> {
    let file = parse_config(text)?;
    let mut out = Vec::new();
    for mut input in file.platforms {
        let issuer = input.issuer.clone();
        let client = input.client_id.clone();
        let existing = tool
            .store()
            .read(move |c| store::platforms::find(c, issuer.trim(), Some(client.trim())))
            .await?;
        input.id = existing.map(|p| p.id);
        out.push(save(tool, input).await?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every problem at once, each named by its field; a private key is refused in plain words.
    #[test]
    fn every_field_problem_is_named_at_once() {
        let input: PlatformInput = serde_json::from_value(serde_json::json!({
            "name": "x", "issuer": "not a url", "client_id": "c".repeat(300),
            "deployment_ids": ["d".repeat(5000)], "auth_endpoint": "https://lms.example/auth",
            "jwks_url": "ftp://lms.example/jwks",
            "public_key": "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----"
        }))
        .unwrap();
        let Err(Error::BadRequest(msg)) = build(input, None) else {
            panic!("accepted")
        };
        for field in [
            "issuer:",
            "client_id: 300 characters",
            "jwks_url:",
            "deployment_ids:",
            "public_key: this is a PRIVATE key",
        ] {
            assert!(msg.contains(field), "{field} missing from {msg}");
        }
        assert!(msg.contains("one has 5000"), "{msg}");
    }

    #[test]
    fn pasted_keys_in_every_form() {
        let key = lti_protocol::keys::SigningKey::generate().unwrap();
        let jwk = serde_json::to_string(&key.public_jwk()).unwrap();
        assert_eq!(
            parse_public_key(&jwk).unwrap().keys[0].kid.as_deref(),
            Some(key.kid())
        );
        let set = format!(r#"{{"keys":[{jwk}]}}"#);
        assert_eq!(parse_public_key(&set).unwrap().keys.len(), 1);
        let pem = key.public_pem().unwrap();
        assert_eq!(
            parse_public_key(&pem).unwrap().keys[0].n,
            key.public_jwk().n
        );
        assert!(parse_public_key("hello").is_err());
        assert!(parse_public_key(r#"{"keys":[]}"#).is_err());
        assert!(parse_public_key(r#"{"kty":"EC"}"#).is_err());
    }

    #[test]
    fn build_requires_issuer_and_client_id_and_good_urls() {
        let mut i = PlatformInput {
            client_id: "c".into(),
            ..Default::default()
        };
        assert!(build(i.clone(), None).is_err());
        i.issuer = "https://canvas.instructure.com".into();
        i.auth_endpoint = "javascript:alert(1)".into();
        assert!(build(i.clone(), None).is_err());
        i.auth_endpoint = "https://sso.canvaslms.com/api/lti/authorize_redirect".into();
        i.deployment_ids = Some(vec![" ".into()]);
        let p = build(i, None).unwrap();
        assert_eq!(p.deployment_ids, None, "blank deployments mean accept any");
        assert_eq!(p.name, "https://canvas.instructure.com");
    }

    #[test]
    fn presets_fill_fixed_endpoints_and_ask_for_the_site() {
        let canvas = PlatformInput {
            preset: Some("canvas".into()),
            client_id: "10000000000011".into(),
            site: Some("https://school.instructure.com/".into()),
            ..Default::default()
        };
        let p = build(canvas, None).unwrap();
        assert_eq!(p.issuer, "https://canvas.instructure.com");
        assert_eq!(
            p.auth_endpoint,
            "https://sso.canvaslms.com/api/lti/authorize_redirect"
        );
        assert_eq!(
            p.token_endpoint,
            "https://school.instructure.com/login/oauth2/token"
        );
        assert_eq!(
            p.jwks_url.as_deref(),
            Some("https://sso.canvaslms.com/api/lti/security/jwks")
        );
        let moodle = PlatformInput {
            preset: Some("moodle".into()),
            client_id: "abc".into(),
            ..Default::default()
        };
        let err = build(moodle, None).unwrap_err().to_string();
        assert!(err.contains("wwwroot"), "{err}");
        let d2l = PlatformInput {
            preset: Some("brightspace".into()),
            client_id: "x".into(),
            site: Some("school.brightspace.com".into()),
            ..Default::default()
        };
        let p = build(d2l, None).unwrap();
        assert_eq!(
            p.token_audience.as_deref(),
            Some("https://api.brightspace.com/auth/token")
        );
        assert_eq!(
            p.auth_endpoint,
            "https://school.brightspace.com/d2l/lti/authenticate"
        );
    }
}
