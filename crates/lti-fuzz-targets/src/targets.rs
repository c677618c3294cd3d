//! The target bodies. Each mirrors one place where the engine reads outside input, with the
//! context that place has (a registration, a key set, an expected state), so the fuzzer reaches
//! the checks behind the parser and not only the parser.

use std::sync::OnceLock;

use lti_protocol::ags_requests;
use lti_protocol::client_assertion;
use lti_protocol::finding::Report;
use lti_protocol::har;
use lti_protocol::inspect::{self, InspectOptions};
use lti_protocol::jwk::{self, Jwk, Jwks};
use lti_protocol::jws::Jws;
use lti_protocol::keys::SigningKey;
use lti_protocol::service_answers::{self, Answer};
use lti_protocol::validate::{
    self, AuthRequestContext, FormPostContext, IdTokenContext, LoginContext, LoginView,
    RegistrationView, StateCheck,
};
use serde_json::Value;

/// When the targets validate "now": a fixed instant, so a run is reproducible.
const NOW: i64 = 1_767_000_000;

fn text(data: &[u8]) -> &str {
    // The engine reads bodies as UTF-8 with replacement or refuses them; a lossy copy would hide
    // nothing from the parsers but cost a copy per run, so non-UTF-8 input is cut at the error.
    match std::str::from_utf8(data) {
        Ok(s) => s,
        Err(e) => std::str::from_utf8(&data[..e.valid_up_to()]).unwrap_or_default(),
    }
}

fn registration() -> RegistrationView {
    RegistrationView {
        issuer: "https://canvas.instructure.com".into(),
        client_id: "10000000000011".into(),
        deployment_ids: Some(vec!["5:d3a2b1".into()]),
        trusted_audiences: Some(vec![]),
        redirect_uris: Some(vec!["http://localhost:4500/lti/launch".into()]),
    }
}

/// A real RSA public key; the targets give it whatever `kid` the token names, so every token
/// with an RS256 header reaches the signature check (which then fails, as it must).
fn public_key() -> &'static Jwk {
    static KEY: OnceLock<Jwk> = OnceLock::new();
    KEY.get_or_init(|| {
        SigningKey::generate()
            .expect("generate an RSA key")
            .public_jwk()
    })
}

fn key_set_for(kid: Option<&str>) -> Jwks {
    let mut key = public_key().clone();
    key.kid = kid.map(str::to_string);
    Jwks { keys: vec![key] }
}

/// A compact JWS as the capture endpoint receives it in `id_token` (or a deep linking response's
/// `JWT`, or a client assertion): parse, decode, verify, validate every claim.
pub fn jws(data: &[u8]) {
    let raw = text(data);
    let parsed = Jws::parse(raw);
    let jwks = match &parsed {
        Ok(j) => {
            let decoded = j.decoded();
            let set = key_set_for(j.kid());
            let _ = j.verify(&set);
            // A client assertion's checks run on the same payload (platform side, token requests).
            let obj = &decoded.payload;
            let mut report = Report::new();
            let mut refusal = None;
            client_assertion::check_aud(
                &mut report,
                &mut refusal,
                obj.get("aud").cloned(),
                "http://127.0.0.1:4600/token",
            );
            client_assertion::check_times(
                &mut report,
                &mut refusal,
                obj.get("exp").cloned(),
                obj.get("iat").cloned(),
                NOW,
            );
            Some(set)
        }
        Err(_) => None,
    };
    let ctx = IdTokenContext {
        now: NOW,
        registration: Some(registration()),
        jwks: jwks.as_ref(),
        expected_nonce: Some("n-0123".into()),
        nonce_seen_before: Some(false),
        state: Some(StateCheck {
            expected: Some("s-1".into()),
            received: Some("s-1".into()),
        }),
        dl_request_data: Some("dl-data".into()),
        ..IdTokenContext::at(NOW)
    };
    let _ = validate::id_token(raw, &ctx);
    stored_tokens(data);
}

/// The store keeps every JWT of a body once, decoded (store/tokens.rs): what it finds in any
/// bytes must lie inside them and come back byte for byte; a damaged token list or token row is
/// an error, not a panic.
fn stored_tokens(data: &[u8]) {
    use lti_core::store::tokens;
    for r in tokens::find(data) {
        let token = std::str::from_utf8(&data[r]).expect("tokens are ASCII");
        let stored = tokens::encode(token).expect("encodes");
        assert_eq!(tokens::decode(&stored).expect("decodes"), token);
    }
    let _ = tokens::Taken::read_header(data);
    let _ = tokens::decode(data);
}

/// A JSON claims object (a pasted payload, an imported claims file, a deep linking response's
/// content items): every claim and message-type rule, with and without explanations.
pub fn claims(data: &[u8]) {
    let Ok(Value::Object(payload)) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let ctx = IdTokenContext {
        registration: Some(registration()),
        expected_nonce: Some("n-0123".into()),
        dl_request_data: Some("dl-data".into()),
        login: Some(LoginView {
            iss: Some("https://canvas.instructure.com".into()),
            login_hint: Some("hint".into()),
            ..LoginView::default()
        }),
        ..IdTokenContext::at(NOW)
    };
    let _ = validate::claims(&payload, &ctx);
}

/// A public key pasted into the registration form: JWK, JWKS or PEM.
pub fn jwk_paste(data: &[u8]) {
    if let Ok(set) = jwk::parse_pasted(text(data)) {
        for key in &set.keys {
            // The pasted key is then used to verify: make sure a hostile one cannot panic there.
            let _ = lti_protocol::keys::verify_rs256(key, b"header.payload", b"signature");
        }
    }
}

/// A form body or query string: login initiation (GET or POST), the authentication request the
/// emulator receives, and the id_token form post.
pub fn form(data: &[u8]) {
    let params = validate::parse_form(text(data));
    let login_ctx = LoginContext {
        registrations: Some(vec![registration()]),
        tool_urls: vec!["http://localhost:4500".into()],
        ..LoginContext::default()
    };
    let _ = validate::login(&params, &login_ctx);
    let login = LoginView::from_params(&params);
    let auth_ctx = AuthRequestContext {
        login: Some(login),
        registration: Some(registration()),
        ..AuthRequestContext::default()
    };
    let _ = validate::auth_request(&params, &auth_ctx);
    let _ = validate::form_post(
        &params,
        &FormPostContext {
            expected_state: Some("s-1".into()),
        },
    );
}

/// A HAR file a customer sends: every LTI step found in it, read whole and read as the import
/// reads a file (a stream of raw bytes, keeping LTI entries and key sets). Both must agree on
/// which entries are LTI steps.
pub fn har(data: &[u8]) {
    let whole = har::lti_steps(text(data));
    let streamed = har::read_kept(
        &mut serde_json::Deserializer::from_reader(data),
        har::worth_keeping,
        |_| {},
    );
    if let (Ok(whole), Ok(streamed), Ok(_)) = (&whole, &streamed, std::str::from_utf8(data)) {
        let lti: Vec<usize> = streamed
            .entries
            .iter()
            .filter(|e| e.is_lti())
            .map(|e| e.index)
            .collect();
        assert_eq!(lti, whole.iter().map(|s| s.index).collect::<Vec<_>>());
    }
}

/// A service's answer (NRPS memberships, AGS line items and results, a token response) as the
/// service client reads it, and an AGS request body as the emulator's gradebook reads it. The
/// input is `content-type\nlink header\nbody`.
pub fn service_answers(data: &[u8]) {
    let mut parts = data.splitn(3, |b| *b == b'\n');
    let content_type = parts.next().map(text);
    let link = parts.next().map(text);
    let body = parts.next().unwrap_or_default();
    let reply = Answer {
        url: "https://lms.example/api/lti/courses/1/names_and_roles?page=2",
        content_type,
        links: link.into_iter().collect(),
        body,
    };
    let mut report = Report::new();
    service_answers::media_type(
        &reply,
        "application/vnd.ims.lti-nrps.v2.membershipcontainer+json",
        &mut report,
    );
    let _ = service_answers::links(&reply, &mut report);
    if let Some(v) = service_answers::json(&reply, &mut report) {
        service_answers::membership(&v, &mut report);
        if let Some(items) = v.as_array() {
            for (i, item) in items.iter().enumerate() {
                service_answers::line_item(item, &format!("[{i}]"), &mut report);
                service_answers::result(item, &format!("[{i}]"), &mut report);
            }
        }
        service_answers::line_item(&v, "", &mut report);
        if let Value::Object(obj) = &v {
            let _ = ags_requests::score(obj, |u| u == "member-1", &mut report);
        }
    }
    let _ = service_answers::snippet(body);
    let _ = ags_requests::line_item(body, &mut report);
    let _ = ags_requests::parse_timestamp(text(body));
}

/// `lti-inspector inspect`: whatever a user pastes (token, form, claims, HAR), detected and
/// validated with a key set and a registration given on the command line.
pub fn inspect(data: &[u8]) {
    let opts = InspectOptions {
        jwks: Some(key_set_for(Some("k1"))),
        issuer: Some("https://canvas.instructure.com".into()),
        client_id: Some("10000000000011".into()),
        deployment_ids: Some(vec!["5:d3a2b1".into()]),
        nonce: Some("n-0123".into()),
        tool_jwks: Some(key_set_for(Some("k1"))),
        at: None,
        // LTI 1.1 form bodies are verified (and a mismatch diagnosed) with these.
        oauth_key: Some("ck".into()),
        oauth_secret: Some("cs".into()),
        launch_url: Some("https://tool.example/lti11/launch".into()),
        strict: false,
    };
    if let Ok(out) = inspect::inspect(text(data), &opts, NOW) {
        let _ = inspect::render_text(&out);
    }
}

/// The TOML file given to `serve --config`, and each registration in it.
pub fn config_toml(data: &[u8]) {
    if let Ok(file) = lti_tool_side::registrations::parse_config(text(data)) {
        for input in file.platforms {
            let _ = lti_tool_side::registrations::build(input, None);
        }
    }
}

thread_local! {
    /// The search index as the store creates it, empty: every query must run on it.
    static SEARCH_DB: rusqlite::Connection = {
        let c = rusqlite::Connection::open_in_memory().expect("in-memory SQLite");
        c.execute_batch("CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL); CREATE TABLE messages (id INTEGER PRIMARY KEY); CREATE TABLE flows (id TEXT PRIMARY KEY);")
            .expect("tables");
        c.execute_batch(include_str!("../../lti-core/migrations/20261206090000_search.sql"))
            .expect("the search migration");
        c
    };
}

/// The Timeline's filter box (any text a user types or pastes): parsed, and its full-text
/// expression run by SQLite's FTS5, which must never reject it (a syntax error would be an
/// error banner instead of results).
pub fn search_query(data: &[u8]) {
    let q = lti_core::search::parse(text(data));
    if let Some(fts) = q.fts {
        SEARCH_DB.with(|c| {
            let r = c
                .prepare_cached("SELECT rowid FROM message_search WHERE message_search MATCH ?1")
                .and_then(|mut s| {
                    s.query_map([&fts], |r| r.get::<_, i64>(0))
                        .map(|rows| rows.count())
                });
            assert!(
                r.is_ok(),
                "FTS5 rejected {fts:?} built from {:?}: {r:?}",
                text(data)
            );
        });
    }
}

/// Redaction of what a flow holds (bodies, URLs, headers, tokens) for an export: learning the
/// values, then rewriting the same text; the first line is a header name.
pub fn redact(data: &[u8]) {
    let t = text(data);
    let (header, body) = t.split_once('\n').unwrap_or(("", t));
    let mut r = lti_core::export::redact::Redactor::new();
    r.learn_body(body);
    r.learn_header(header, body);
    for jwt in lti_core::export::redact::find_jwts(body) {
        r.learn_jwt(jwt);
    }
    let _ = r.body(body);
    let _ = r.url(body);
    let _ = r.header(header, body);
    let _ = r.text(body);
}

/// LTI 1.1 Basic Outcomes as the emulator reads them: an `Authorization: OAuth …` header on the
/// first line, the POX body after it (request and answer parsers, the signature and body hash).
pub fn pox(data: &[u8]) {
    use lti_protocol::lti11::outcomes;
    let mut parts = data.splitn(2, |b| *b == b'\n');
    let header = parts.next().map(text);
    let body = parts.next().unwrap_or_default();
    let _ = outcomes::check_signature(
        header,
        "http://127.0.0.1:4470/lti11/outcomes?x=1",
        body,
        Some("cs"),
        1_767_000_000,
    );
    if let Ok(req) = outcomes::parse_request(text(body)) {
        let _ = outcomes::check_request(&req);
    }
    if let Ok(resp) = outcomes::parse_response(text(body)) {
        let _ = outcomes::check_response(&resp, "m-1");
    }
}

/// Dynamic Registration documents: a platform's configuration (tool side), a tool's request
/// (platform side), the platform's answer (tool side), and a request built for the configuration.
pub fn dynreg(data: &[u8]) {
    use lti_protocol::dynreg;
    let Ok(v) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let _ =
        dynreg::check_platform_config(&v, "https://lms.example/.well-known/openid-configuration");
    let _ = dynreg::check_registration_request(&v);
    let _ = dynreg::check_registration_response(&v);
    let req = sample_registration(&dynreg::platform_config(&v));
    let _ = dynreg::check_registration_request(&req);
}

/// A tool's registration request for a platform configuration (target body and seeds).
pub fn sample_registration(pc: &lti_protocol::dynreg::PlatformConfig) -> Value {
    lti_protocol::dynreg::registration_request(
        &lti_protocol::dynreg::ToolRegistration {
            client_name: "T",
            initiate_login_uri: "https://tool.example/login",
            redirect_uris: &["https://tool.example/launch".into()],
            target_link_uri: "https://tool.example/launch",
            deep_link_uri: Some("https://tool.example/dl"),
            jwks_uri: "https://tool.example/jwks",
            scopes: &pc.scopes_supported,
            description: "d",
        },
        pc,
    )
}
