//! The platform emulator end to end over real loopback sockets: the demo seeding and the full
//! OIDC flow emulator → capture endpoint (both sides recording a valid flow), negative tests
//! breaking exactly their rule, the authorization endpoint's refusals, the token endpoint, AGS,
//! NRPS and the deep linking return — with the test playing the tool where a tool is needed.
//! Independent tools (PyLTI1p3) are exercised in tests/interop.

mod common;

use common::*;
use lti_inspector::engine::Engine;
use lti_platform_side::emulator::walk::auto_submitted_form;
use lti_protocol::jws::{sign_rs256, Jws};
use lti_protocol::keys::SigningKey;
use serde_json::{json, Map, Value};

const TOOL_REDIRECT: &str = "http://tool.test/launch";
const AGS_LINEITEM: &str = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem";
const AGS_SCORE: &str = "https://purl.imsglobal.org/spec/lti-ags/scope/score";
const AGS_RESULT: &str = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly";
const NRPS: &str = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly";

fn emu(engine: &Engine) -> String {
    engine.emulator_status().base_url.unwrap()
}

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// A tool played by the test: its key is registered as a pasted JWK.
async fn test_tool(engine: &Engine, key: &SigningKey, scopes: &[&str]) -> Value {
    rpc(
        engine,
        "save_emulator_tool",
        json!({
            "name": "Test tool", "login_url": "http://tool.test/login", "redirect_uris": [TOOL_REDIRECT],
            "deep_link_url": "http://tool.test/deep", "public_key": serde_json::to_string(&key.public_jwk()).unwrap(),
            "scopes": scopes, "custom": {"who": "$Person.name.given", "link": "$ResourceLink.id", "odd": "$Unknown.var"}
        }),
    )
    .await
}

/// Starts a launch as the test tool: returns the login parameters the emulator posted.
async fn login_params(url: &str) -> Vec<(String, String)> {
    let page = http().get(url).send().await.unwrap().text().await.unwrap();
    let form = auto_submitted_form(&page, url).expect("the launch page auto-posts the login");
    assert_eq!(form.action, "http://tool.test/login");
    form.fields
}

fn get(p: &[(String, String)], n: &str) -> String {
    p.iter()
        .find(|(k, _)| k == n)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

/// The tool's authentication request; returns the auto-posted form fields of the answer.
async fn authenticate(
    base: &str,
    pairs: &[(&str, &str)],
) -> (u16, String, Option<Vec<(String, String)>>) {
    let url = reqwest::Url::parse_with_params(&format!("{base}/auth"), pairs).unwrap();
    let res = http().get(url.clone()).send().await.unwrap();
    let status = res.status().as_u16();
    let page = res.text().await.unwrap();
    let form = auto_submitted_form(&page, url.as_str()).map(|f| f.fields);
    (status, page, form)
}

fn auth_pairs<'a>(
    login: &'a [(String, String)],
    client_id: &'a str,
    nonce: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("scope", "openid"),
        ("response_type", "id_token"),
        ("response_mode", "form_post"),
        ("prompt", "none"),
        ("client_id", client_id),
        ("redirect_uri", TOOL_REDIRECT),
        (
            "login_hint",
            login
                .iter()
                .find(|(k, _)| k == "login_hint")
                .map(|(_, v)| v.as_str())
                .unwrap(),
        ),
        (
            "lti_message_hint",
            login
                .iter()
                .find(|(k, _)| k == "lti_message_hint")
                .map(|(_, v)| v.as_str())
                .unwrap(),
        ),
        ("state", "st-1"),
        ("nonce", nonce),
    ]
}

/// Runs a launch as the test tool up to the id_token; returns its claims.
async fn launch_as_tool(engine: &Engine, args: Value, client_id: &str) -> Map<String, Value> {
    let url = rpc(engine, "launch_url", args).await["url"]
        .as_str()
        .unwrap()
        .to_string();
    let login = login_params(&url).await;
    let (status, page, form) =
        authenticate(&emu(engine), &auth_pairs(&login, client_id, "n-1")).await;
    assert_eq!(status, 200, "{page}");
    let form = form.expect("id_token form_post");
    assert_eq!(get(&form, "state"), "st-1");
    Jws::parse(&get(&form, "id_token")).unwrap().payload
}

fn assertion(key: &SigningKey, client_id: &str, aud: &str, jti: &str, exp_in: i64) -> String {
    let exp = lti_core::clock::now_secs() + exp_in;
    assertion_until(key, client_id, aud, jti, exp)
}

fn assertion_until(key: &SigningKey, client_id: &str, aud: &str, jti: &str, exp: i64) -> String {
    let now = lti_core::clock::now_secs();
    let claims =
        json!({"iss": client_id, "sub": client_id, "aud": aud, "iat": now, "exp": exp, "jti": jti});
    sign_rs256(&Map::new(), claims.as_object().unwrap(), key).unwrap()
}

/// Signed by another key that claims the tool key's kid: the signature does not verify.
fn forged_assertion(key: &SigningKey, client_id: &str, aud: &str) -> String {
    let now = lti_core::clock::now_secs();
    let claims = json!({"iss": client_id, "sub": client_id, "aud": aud, "iat": now, "exp": now + 60, "jti": "forged"});
    let mut header = Map::new();
    header.insert("kid".into(), json!(key.kid()));
    sign_rs256(
        &header,
        claims.as_object().unwrap(),
        &SigningKey::generate().unwrap(),
    )
    .unwrap()
}

async fn token_request(base: &str, form: &[(&str, &str)]) -> (u16, Value) {
    let res = http()
        .post(format!("{base}/token"))
        .form_body(form)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.value().await)
}

async fn access_token(base: &str, key: &SigningKey, client_id: &str, scope: &str) -> String {
    let a = assertion(
        key,
        client_id,
        &format!("{base}/token"),
        &lti_core::ids::secret_token(),
        60,
    );
    let (status, body) = token_request(
        base,
        &[
            ("grant_type", "client_credentials"),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ),
            ("client_assertion", &a),
            ("scope", scope),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["access_token"].as_str().unwrap().to_string()
}

#[path = "emulator/launches.rs"]
mod launches;
#[path = "emulator/services.rs"]
mod services;
