//! Seed inputs for each target: a few of our own (a signed launch, a key set, a HAR, service
//! answers, a config file) and, when `../shared/fixtures/real-world` is present, every token,
//! claims object, form and service body published there. Fixtures are read in place, never
//! copied into the repository; `make fuzz` writes the seeds into an ignored corpus folder.

use std::path::{Path, PathBuf};

use lti_protocol::jws::sign_rs256;
use lti_protocol::keys::SigningKey;
use serde_json::{json, Map, Value};

/// The real-world fixtures folder: `LTI_FIXTURES`, else `../shared/fixtures/real-world` beside
/// the repository.
pub fn fixtures_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("LTI_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/real-world")
        });
    dir.is_dir().then_some(dir)
}

/// Seeds for one target (by name), our own first, then the fixtures' when present.
pub fn for_target(name: &str) -> Vec<Vec<u8>> {
    let own = own();
    let found = fixtures_dir()
        .map(|d| from_fixtures(&d))
        .unwrap_or_default();
    let mut out = Vec::new();
    for pool in [&own, &found] {
        let pick: &Vec<String> = match name {
            "jws" => &pool.tokens,
            "claims" => &pool.claims,
            "jwk_paste" => &pool.keys,
            "form" => &pool.forms,
            "har" => &pool.hars,
            "service_answers" => &pool.answers,
            "inspect" => &pool.all,
            "config_toml" => &pool.configs,
            "search_query" => &pool.queries,
            "redact" => &pool.all,
            "pox" => &pool.pox,
            "dynreg" => &pool.claims,
            _ => continue,
        };
        out.extend(pick.iter().map(|s| s.as_bytes().to_vec()));
    }
    out
}

#[derive(Default)]
struct Pool {
    tokens: Vec<String>,
    claims: Vec<String>,
    keys: Vec<String>,
    forms: Vec<String>,
    hars: Vec<String>,
    answers: Vec<String>,
    configs: Vec<String>,
    /// Filter-box queries.
    queries: Vec<String>,
    /// Everything, for `inspect` (which detects the kind itself).
    all: Vec<String>,
    /// `Authorization` header line + POX body (LTI 1.1 Basic Outcomes).
    pox: Vec<String>,
}

impl Pool {
    fn token(&mut self, t: String) {
        self.forms.push(format!("id_token={t}&state=s-1"));
        self.hars.push(har_of(&[
            ("GET", "http://localhost:4500/lti/login?iss=https%3A%2F%2Fcanvas.instructure.com&login_hint=1&target_link_uri=http%3A%2F%2Flocalhost%3A4500%2Flti%2Flaunch&client_id=10000000000011", None),
            ("POST", "http://localhost:4500/lti/launch", Some(vec![("id_token", t.as_str()), ("state", "s-1")])),
        ]));
        self.all.push(t.clone());
        self.tokens.push(t);
    }
    fn claims(&mut self, obj: &Map<String, Value>) {
        let text = Value::Object(obj.clone()).to_string();
        self.all.push(text.clone());
        self.claims.push(text);
    }
    fn form<K: AsRef<str>, V: AsRef<str>>(&mut self, pairs: &[(K, V)]) {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        self.all.push(body.clone());
        self.forms.push(body);
    }
    fn answer(&mut self, content_type: &str, link: &str, body: &str) {
        self.answers.push(format!("{content_type}\n{link}\n{body}"));
    }
}

/// One HAR entry to write: method, URL, form parameters of a POST.
type SeedEntry<'a> = (&'a str, &'a str, Option<Vec<(&'a str, &'a str)>>);

/// A HAR 1.2 document with one entry per (method, url, form params).
fn har_of(entries: &[SeedEntry<'_>]) -> String {
    let entries: Vec<Value> = entries
        .iter()
        .enumerate()
        .map(|(i, (method, url, params))| {
            let mut request = json!({
                "method": method, "url": url, "httpVersion": "HTTP/1.1",
                "headers": [{"name": "cookie", "value": "lti_state_s-1=s-1"}],
                "queryString": [], "cookies": [], "headersSize": -1, "bodySize": -1,
            });
            if let Some(p) = params {
                let ps: Vec<Value> = p.iter().map(|(n, v)| json!({"name": n, "value": v})).collect();
                let text = url::form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(p.iter())
                    .finish();
                request["postData"] = json!({"mimeType": "application/x-www-form-urlencoded", "params": ps, "text": text});
            }
            json!({
                "startedDateTime": format!("2026-12-01T10:00:0{}.000Z", i % 10),
                "time": 12.5, "request": request,
                "response": {"status": 200, "statusText": "OK", "httpVersion": "HTTP/1.1", "headers": [],
                    "cookies": [], "content": {"size": 2, "mimeType": "text/html", "text": "PGI+", "encoding": "base64"},
                    "redirectURL": "", "headersSize": -1, "bodySize": 2},
                "cache": {}, "timings": {"send": 0, "wait": 10, "receive": 2},
            })
        })
        .collect();
    json!({"log": {"version": "1.2", "creator": {"name": "seed", "version": "1"}, "entries": entries}}).to_string()
}

fn own() -> Pool {
    let mut p = Pool::default();
    p.queries.extend(
        [
            "canvas user:jane rule:jwt.signature verdict:invalid",
            "\"NEAR(a b) * -x side:imported since:2026-12-01 until:1700000000",
            "id:01a2 has:errors context:\"Physics 101\" -verdict:valid type:LtiDeepLinkingRequest",
            "rule:idtoken. client:10000000000011 deployment:5:d3a2b1 iss:https://canvas.instructure.com",
        ]
        .map(String::from),
    );
    let key = SigningKey::generate().expect("generate an RSA key");
    let claims = json!({
        "iss": "https://canvas.instructure.com", "aud": "10000000000011", "sub": "u1",
        "exp": 1_767_000_300, "iat": 1_767_000_000, "nonce": "n-0123",
        "https://purl.imsglobal.org/spec/lti/claim/message_type": "LtiResourceLinkRequest",
        "https://purl.imsglobal.org/spec/lti/claim/version": "1.3.0",
        "https://purl.imsglobal.org/spec/lti/claim/deployment_id": "5:d3a2b1",
        "https://purl.imsglobal.org/spec/lti/claim/target_link_uri": "http://localhost:4500/lti/launch",
        "https://purl.imsglobal.org/spec/lti/claim/resource_link": {"id": "rl-1", "title": "<b>x</b>"},
        "https://purl.imsglobal.org/spec/lti/claim/roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
        "https://purl.imsglobal.org/spec/lti/claim/context": {"id": "c1", "label": "C", "title": "Course"},
        "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": {"scope": ["https://purl.imsglobal.org/spec/lti-ags/scope/score"], "lineitems": "https://lms.example/li"},
        "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice": {"context_memberships_url": "https://lms.example/m", "service_versions": ["2.0"]},
    });
    let dl = json!({
        "iss": "10000000000011", "aud": "https://canvas.instructure.com", "exp": 1_767_000_300, "iat": 1_767_000_000, "nonce": "n-0123",
        "https://purl.imsglobal.org/spec/lti/claim/message_type": "LtiDeepLinkingResponse",
        "https://purl.imsglobal.org/spec/lti/claim/version": "1.3.0",
        "https://purl.imsglobal.org/spec/lti/claim/deployment_id": "5:d3a2b1",
        "https://purl.imsglobal.org/spec/lti-dl/claim/data": "dl-data",
        "https://purl.imsglobal.org/spec/lti-dl/claim/content_items": [
            {"type": "ltiResourceLink", "title": "A", "url": "https://tool.example/a", "lineItem": {"scoreMaximum": 10}},
            {"type": "html", "html": "<script>alert(1)</script>"},
            {"type": "link", "url": "javascript:alert(1)", "iframe": {"width": 100, "height": 100}},
            {"type": "image", "url": "https://x/y.png", "thumbnail": {"url": "https://x/t.png"}},
        ],
    });
    for c in [&claims, &dl] {
        let obj = c.as_object().expect("object");
        p.claims(obj);
        p.token(sign_rs256(&Map::new(), obj, &key).expect("sign"));
    }
    p.token("eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0.".into());
    let jwk = serde_json::to_string(&key.public_jwk()).expect("jwk");
    p.keys.push(jwk.clone());
    p.keys.push(format!("{{\"keys\":[{jwk}]}}"));
    p.keys.push(key.public_pem().expect("pem"));
    // Basic Outcomes: a signed replaceResult, a read, an answer, a DOCTYPE body.
    {
        use lti_protocol::lti11::outcomes::{self, Operation};
        let body = outcomes::request_xml(Operation::Replace, "m-1", "tool:course:user", Some(0.5));
        let signed = lti_protocol::lti11::oauth1::Signer {
            method: lti_protocol::lti11::oauth1::Method::HmacSha1,
            key: "ck",
            secret: "cs",
        }
        .sign_params(
            "POST",
            "http://127.0.0.1:4470/lti11/outcomes?x=1",
            &[(
                "oauth_body_hash".into(),
                outcomes::body_hash(body.as_bytes()),
            )],
            "n-1",
            1_767_000_000,
        )
        .expect("sign a POX seed");
        p.pox.push(format!(
            "{}\n{body}",
            outcomes::authorization_header(&signed)
        ));
        p.pox.push(format!(
            "\n{}",
            outcomes::request_xml(Operation::Read, "m-2", "s", None)
        ));
        p.pox.push(format!(
            "OAuth oauth_consumer_key=\"ck\"\n{}",
            outcomes::response_xml(&outcomes::Answer {
                code: outcomes::CodeMajor::Success,
                description: "ok",
                message_id: "r",
                message_ref: "m-1",
                op: Some(Operation::Read),
                read_score: Some(Some(0.5)),
            })
        ));
        p.pox.push("\n<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><imsx_POXEnvelopeRequest>&x;</imsx_POXEnvelopeRequest>".into());
    }
    // Dynamic Registration: a platform configuration and the request built for it.
    {
        let base = "https://lms.example";
        let config = json!({
            "issuer": base, "authorization_endpoint": format!("{base}/auth"), "token_endpoint": format!("{base}/token"),
            "jwks_uri": format!("{base}/jwks"), "registration_endpoint": format!("{base}/register"),
            "scopes_supported": ["openid", "https://purl.imsglobal.org/spec/lti-ags/scope/score"],
            "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "https://purl.imsglobal.org/spec/lti-platform-configuration": {"product_family_code": "moodle", "version": "4.3",
                "messages_supported": [{"type": "LtiResourceLinkRequest"}, {"type": "LtiDeepLinkingRequest"}]}
        });
        let request =
            crate::targets::sample_registration(&lti_protocol::dynreg::platform_config(&config));
        for v in [config, request] {
            if let Some(obj) = v.as_object() {
                p.claims(obj);
            }
        }
    }
    // An LTI 1.1 launch signed with the inspect target's consumer (verified, then mutated).
    let lti11 = lti_protocol::lti11::oauth1::Signer {
        method: lti_protocol::lti11::oauth1::Method::HmacSha1,
        key: "ck",
        secret: "cs",
    }
    .sign_params(
        "POST",
        "https://tool.example/lti11/launch",
        &[
            ("lti_message_type", "basic-lti-launch-request"),
            ("lti_version", "LTI-1p0"),
            ("resource_link_id", "r1"),
            ("user_id", "u1"),
            ("roles", "Instructor,urn:lti:instrole:ims/lis/Faculty"),
            ("lis_person_name_full", "A B"),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string())),
        "n-1",
        1_767_000_000,
    )
    .expect("sign a 1.1 seed");
    p.form(&lti11);
    p.form(&[
        ("iss", "https://canvas.instructure.com"),
        ("login_hint", "1"),
        ("target_link_uri", "http://localhost:4500/lti/launch"),
        ("client_id", "10000000000011"),
        ("lti_message_hint", "x"),
        ("lti_storage_target", "_parent"),
    ]);
    p.form(&[
        ("scope", "openid"),
        ("response_type", "id_token"),
        ("response_mode", "form_post"),
        ("prompt", "none"),
        ("client_id", "10000000000011"),
        ("redirect_uri", "http://localhost:4500/lti/launch"),
        ("state", "s-1"),
        ("nonce", "n-0123"),
        ("login_hint", "1"),
    ]);
    p.answer(
        "application/vnd.ims.lti-nrps.v2.membershipcontainer+json",
        "<https://lms.example/m?page=2>; rel=\"next\", <https://lms.example/m?page=9>; rel=\"last\"",
        r#"{"id":"https://lms.example/m","context":{"id":"c1"},"members":[{"user_id":"u1","roles":["Learner"],"status":"Active","name":"<img src=x>"}]}"#,
    );
    p.answer(
        "application/vnd.ims.lis.v2.lineitemcontainer+json",
        "",
        r#"[{"id":"https://lms.example/li/1","scoreMaximum":10,"label":"Quiz","resourceLinkId":"rl-1"},{"id":"https://lms.example/li/1/results/1","scoreOf":"https://lms.example/li/1","userId":"u1","resultScore":5,"resultMaximum":10}]"#,
    );
    p.answer(
        "application/vnd.ims.lis.v1.score+json",
        "",
        r#"{"userId":"member-1","scoreGiven":7,"scoreMaximum":10,"activityProgress":"Completed","gradingProgress":"FullyGraded","timestamp":"2026-12-01T10:00:00.123+00:00"}"#,
    );
    p.configs.push(
        "[[platform]]\nname = \"Canvas\"\npreset = \"canvas\"\nissuer = \"https://canvas.instructure.com\"\nclient_id = \"10000000000011\"\ndeployment_ids = [\"5:d3a2b1\"]\nsite = \"school.instructure.com\"\n\n[[platform]]\nissuer = \"https://moodle.example\"\nclient_id = \"abc\"\nauth_endpoint = \"https://moodle.example/mod/lti/auth.php\"\ntoken_endpoint = \"https://moodle.example/mod/lti/token.php\"\njwks_url = \"https://moodle.example/mod/lti/certs.php\"\n".into(),
    );
    let hars = p.hars.clone();
    p.all.extend(hars);
    p.all.extend(p.keys.clone());
    p
}

fn from_fixtures(dir: &Path) -> Pool {
    let mut p = Pool::default();
    let mut files = Vec::new();
    collect_json(dir, &mut files);
    files.sort();
    for f in files {
        let Ok(text) = std::fs::read_to_string(&f) else {
            continue;
        };
        let Ok(v) = serde_json::from_str::<Value>(&text) else {
            continue;
        };
        p.all.push(text.clone());
        p.answer("application/json", "", &text);
        if v.get("log").is_some() {
            p.hars.push(text.clone());
        }
        if v.get("keys").is_some() || v.get("kty").is_some() {
            p.keys.push(text.clone());
        }
        walk(&v, &mut p);
    }
    p
}

fn collect_json(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let path = e.path();
        if path.is_dir() {
            collect_json(&path, out);
        } else if path.extension().is_some_and(|x| x == "json") {
            out.push(path);
        }
    }
}

fn looks_like_jwt(s: &str) -> bool {
    s.starts_with("eyJ") && s.matches('.').count() == 2
}

fn walk(v: &Value, p: &mut Pool) {
    match v {
        Value::String(s) if looks_like_jwt(s) => p.token(s.clone()),
        Value::Object(obj) => {
            if obj.contains_key("iss")
                || obj
                    .keys()
                    .any(|k| k.starts_with("https://purl.imsglobal.org/"))
            {
                p.claims(obj);
            }
            if let Some(xml) = obj
                .get("body")
                .and_then(Value::as_str)
                .filter(|b| b.contains("imsx_POX"))
            {
                p.pox.push(format!("\n{xml}"));
            }
            if !obj.is_empty() && obj.values().all(Value::is_string) {
                let pairs: Vec<(String, String)> = obj
                    .iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                    .collect();
                p.form(&pairs);
            }
            for child in obj.values() {
                walk(child, p);
            }
        }
        Value::Array(items) => items.iter().for_each(|c| walk(c, p)),
        _ => {}
    }
}
