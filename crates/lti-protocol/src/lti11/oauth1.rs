//! OAuth 1.0a (RFC 5849) signatures as LTI 1.1 uses them: HMAC-SHA1 (or HMAC-SHA256) over the
//! signature base string, keyed by the shared secret and an empty token secret.
//!
//! The base string is built from parts kept apart (method, normalised URL, the sorted encoded
//! parameters) so a mismatch can be explained part by part, and so [`diagnose`] can rebuild it
//! the ways consumers and proxies commonly get it wrong.

use aws_lc_rs::{constant_time, hmac};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use url::Url;

/// RFC 5849 §3.6: every byte but the unreserved ones is percent-encoded, upper-case hex.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The "+ for space" encoding some consumers sign with (form encoding, not RFC 5849's).
fn encode_plus(s: &str) -> String {
    encode(s).replace("%20", "+")
}

/// RFC 5849 §3.4.1.2: scheme and host lower-case, default ports dropped, no query or fragment.
pub fn normalize_url(url: &str) -> Result<String, String> {
    let u = Url::parse(url).map_err(|e| format!("not an absolute URL ({e})"))?;
    let host = u.host_str().ok_or("the URL has no host")?;
    let port = match (u.scheme(), u.port()) {
        (_, None) | ("http", Some(80)) | ("https", Some(443)) => String::new(),
        (_, Some(p)) => format!(":{p}"),
    };
    Ok(format!(
        "{}://{}{}{}",
        u.scheme(),
        host.to_ascii_lowercase(),
        port,
        u.path()
    ))
}

/// A nonce from random text: its first 30 letters and digits. oauthlib (and the tools built
/// on it) accept only alphanumeric nonces of 20 to 30 characters by default.
pub fn nonce(random: &str) -> String {
    random
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(30)
        .collect()
}

/// Signature methods LTI 1.1 consumers use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    HmacSha1,
    HmacSha256,
}

impl Method {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "HMAC-SHA1" => Some(Self::HmacSha1),
            "HMAC-SHA256" => Some(Self::HmacSha256),
            _ => None,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Self::HmacSha1 => "HMAC-SHA1",
            Self::HmacSha256 => "HMAC-SHA256",
        }
    }
}

/// A base string in its parts (RFC 5849 §3.4.1).
#[derive(Debug, Clone, PartialEq)]
pub struct BaseString {
    pub method: String,
    pub url: String,
    /// Encoded `name=value` pairs, sorted (oauth_signature left out).
    pub params: Vec<String>,
}

impl BaseString {
    /// `params` are every parameter of the request (query and form body, oauth_* included);
    /// `oauth_signature` is left out here.
    pub fn new(method: &str, normalized_url: &str, params: &[(String, String)]) -> Self {
        Self::with_encoding(method, normalized_url, params, encode)
    }

    fn with_encoding(
        method: &str,
        normalized_url: &str,
        params: &[(String, String)],
        enc: fn(&str) -> String,
    ) -> Self {
        let mut pairs: Vec<(String, String)> = params
            .iter()
            .filter(|(k, _)| k != "oauth_signature")
            .map(|(k, v)| (enc(k), enc(v)))
            .collect();
        pairs.sort();
        Self {
            method: method.to_ascii_uppercase(),
            url: normalized_url.to_string(),
            params: pairs.into_iter().map(|(k, v)| format!("{k}={v}")).collect(),
        }
    }

    pub fn text(&self) -> String {
        format!(
            "{}&{}&{}",
            encode(&self.method),
            encode(&self.url),
            encode(&self.params.join("&"))
        )
    }
}

/// The base64 signature of `base` under `secret` (token secret empty: LTI 1.1 has no tokens).
pub fn sign(method: Method, secret: &str, base: &str) -> String {
    let alg = match method {
        Method::HmacSha1 => hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
        Method::HmacSha256 => hmac::HMAC_SHA256,
    };
    let key = hmac::Key::new(alg, format!("{}&", encode(secret)).as_bytes());
    STANDARD.encode(hmac::sign(&key, base.as_bytes()).as_ref())
}

/// Compares a received signature with a computed one in constant time.
pub fn same_signature(received: &str, computed: &str) -> bool {
    constant_time::verify_slices_are_equal(received.as_bytes(), computed.as_bytes()).is_ok()
}

/// Who signs: the consumer key and shared secret, and the method.
pub struct Signer<'a> {
    pub method: Method,
    pub key: &'a str,
    pub secret: &'a str,
}

impl Signer<'_> {
    /// Signs a request's parameters: returns them with the oauth_* ones (and the signature)
    /// added. Used by the emulator and tests; `nonce` and `timestamp` come in so signing stays
    /// pure.
    pub fn sign_params(
        &self,
        http_method: &str,
        url: &str,
        params: &[(String, String)],
        nonce: &str,
        timestamp: i64,
    ) -> Result<Vec<(String, String)>, String> {
        // The parameters set here replace any given; others (oauth_body_hash) are signed as given.
        const SET_HERE: &[&str] = &[
            "oauth_consumer_key",
            "oauth_signature_method",
            "oauth_timestamp",
            "oauth_nonce",
            "oauth_version",
            "oauth_signature",
        ];
        let mut all: Vec<(String, String)> = params
            .iter()
            .filter(|(k, _)| !SET_HERE.contains(&k.as_str()))
            .cloned()
            .collect();
        for (k, v) in [
            ("oauth_consumer_key", self.key.to_string()),
            ("oauth_signature_method", self.method.name().to_string()),
            ("oauth_timestamp", timestamp.to_string()),
            ("oauth_nonce", nonce.to_string()),
            ("oauth_version", "1.0".to_string()),
        ] {
            all.push((k.into(), v));
        }
        // Query parameters of the URL are signed too.
        let query: Vec<(String, String)> = Url::parse(url)
            .map(|u| u.query_pairs().into_owned().collect())
            .unwrap_or_default();
        let signed: Vec<(String, String)> = all.iter().chain(query.iter()).cloned().collect();
        let base = BaseString::new(http_method, &normalize_url(url)?, &signed);
        all.push((
            "oauth_signature".into(),
            sign(self.method, self.secret, &base.text()),
        ));
        Ok(all)
    }
}

/// What the verifier had: the request as received, split where consumers and proxies differ.
pub struct SignedRequest<'a> {
    pub http_method: &'a str,
    /// The URL the request arrived at, as this side sees it (scheme, Host header, path, query).
    pub url: &'a str,
    /// Other URLs the consumer may have signed (from X-Forwarded-* headers, the registered
    /// launch URL): tried only to explain a mismatch.
    pub alternative_urls: &'a [String],
    /// Parameters of the URL's query string.
    pub query: &'a [(String, String)],
    /// Parameters of the form body.
    pub body: &'a [(String, String)],
}

/// A verification: what was computed, and, when it did not match, what would have.
#[derive(Debug, Clone, PartialEq)]
pub struct Verification {
    pub method: Method,
    pub base: BaseString,
    pub computed: String,
    pub received: String,
    pub matches: bool,
    /// When it did not match: the variant that reproduces the received signature, if any.
    pub cause: Option<Cause>,
    /// When it did not match: the variants tried (what was checked), in plain words.
    pub tried: Vec<String>,
}

/// Why a signature did not match, found by rebuilding the base string another way.
#[derive(Debug, Clone, PartialEq)]
pub enum Cause {
    /// The consumer signed another URL (scheme, host, port, trailing slash; a proxy in between).
    Url { signed: String, received: String },
    /// The consumer left the query string's parameters out of the base string.
    QueryNotSigned,
    /// The consumer signed the query string's parameters twice.
    QuerySignedTwice,
    /// The consumer encoded spaces as `+` (form encoding) instead of `%20`.
    PlusForSpace,
    /// The registered secret has white space around it (pasted with a newline).
    SecretWhitespace,
    /// The consumer used the other HMAC hash than the one it declared.
    OtherHash(Method),
}

impl Cause {
    pub fn explain(&self) -> String {
        match self {
            Cause::Url { signed, received } => format!(
                "The consumer signed the URL {signed}, but the launch arrived at {received}: \
                 register the launch URL exactly as the tool is reached (scheme, host, port, trailing slash). \
                 Behind a proxy or TLS terminator, the tool must rebuild the public URL."
            ),
            Cause::QueryNotSigned => "The consumer left the URL's query parameters out of the signature; RFC 5849 §3.4.1.3 includes them. Move them into custom parameters, or fix the consumer.".into(),
            Cause::QuerySignedTwice => "The consumer counted the URL's query parameters twice (once from the URL, once as form fields).".into(),
            Cause::PlusForSpace => "The consumer encoded spaces as '+' in the base string; RFC 5849 §3.6 requires %20.".into(),
            Cause::SecretWhitespace => "The registered secret has white space around it (a pasted newline?): trimmed, it verifies.".into(),
            Cause::OtherHash(m) => format!("The signature was made with {} although the request declares otherwise.", m.name()),
        }
    }
}

/// Verifies `received` for `req` with `secret`; on a mismatch, rebuilds the base string the usual
/// wrong ways to name the most likely cause.
pub fn verify(
    req: &SignedRequest<'_>,
    method: Method,
    secret: &str,
    received: &str,
) -> Result<Verification, String> {
    let url = normalize_url(req.url)?;
    let all: Vec<(String, String)> = req.query.iter().chain(req.body.iter()).cloned().collect();
    let base = BaseString::new(req.http_method, &url, &all);
    let computed = sign(method, secret, &base.text());
    let matches = same_signature(received, &computed);
    let mut v = Verification {
        method,
        base,
        computed,
        received: received.to_string(),
        matches,
        cause: None,
        tried: Vec::new(),
    };
    if !matches {
        let (cause, tried) = diagnose(req, method, secret, received, &url);
        v.cause = cause;
        v.tried = tried;
    }
    Ok(v)
}

/// URL variants a consumer may have signed instead of `url`: other scheme, explicit or dropped
/// port, trailing slash added or removed, localhost for 127.0.0.1 and back.
fn url_variants(url: &str) -> Vec<String> {
    let Ok(u) = Url::parse(url) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let hosts: Vec<String> = match u.host_str() {
        Some("127.0.0.1") => vec!["127.0.0.1".into(), "localhost".into()],
        Some("localhost") => vec!["localhost".into(), "127.0.0.1".into()],
        Some(h) => vec![h.to_string()],
        None => return out,
    };
    let path = u.path().to_string();
    let paths = if path.len() > 1 && path.ends_with('/') {
        vec![path.clone(), path.trim_end_matches('/').to_string()]
    } else {
        vec![path.clone(), format!("{path}/")]
    };
    let ports: Vec<Option<u16>> = vec![u.port(), None];
    for scheme in ["http", "https"] {
        for host in &hosts {
            for port in &ports {
                for p in &paths {
                    let port = port.map(|p| format!(":{p}")).unwrap_or_default();
                    if let Ok(n) = normalize_url(&format!("{scheme}://{host}{port}{p}")) {
                        if !out.contains(&n) {
                            out.push(n);
                        }
                    }
                }
            }
        }
    }
    out
}

fn diagnose(
    req: &SignedRequest<'_>,
    method: Method,
    secret: &str,
    received: &str,
    url: &str,
) -> (Option<Cause>, Vec<String>) {
    let matches = |m: Method, secret: &str, base: &BaseString| {
        same_signature(received, &sign(m, secret, &base.text()))
    };
    let all: Vec<(String, String)> = req.query.iter().chain(req.body.iter()).cloned().collect();
    let mut tried = Vec::new();

    tried.push("the received URL with scheme http/https, with and without its port, with and without a trailing slash, localhost/127.0.0.1".to_string());
    let mut urls = url_variants(url);
    for alt in req.alternative_urls {
        if let Ok(n) = normalize_url(alt) {
            urls.extend(url_variants(&n));
        }
    }
    if !req.alternative_urls.is_empty() {
        tried.push(format!(
            "the forwarded or registered URLs: {}",
            req.alternative_urls.join(", ")
        ));
    }
    for u in &urls {
        if u != url && matches(method, secret, &BaseString::new(req.http_method, u, &all)) {
            return (
                Some(Cause::Url {
                    signed: u.clone(),
                    received: url.to_string(),
                }),
                tried,
            );
        }
    }
    if !req.query.is_empty() {
        tried.push("the query parameters left out, and counted twice".into());
        if matches(
            method,
            secret,
            &BaseString::new(req.http_method, url, req.body),
        ) {
            return (Some(Cause::QueryNotSigned), tried);
        }
        let twice: Vec<(String, String)> = req.query.iter().chain(all.iter()).cloned().collect();
        if matches(
            method,
            secret,
            &BaseString::new(req.http_method, url, &twice),
        ) {
            return (Some(Cause::QuerySignedTwice), tried);
        }
    }
    if all.iter().any(|(k, v)| k.contains(' ') || v.contains(' ')) {
        tried.push("spaces encoded as '+'".into());
        if matches(
            method,
            secret,
            &BaseString::with_encoding(req.http_method, url, &all, encode_plus),
        ) {
            return (Some(Cause::PlusForSpace), tried);
        }
    }
    if secret.trim() != secret {
        tried.push("the secret without its surrounding white space".into());
        if matches(
            method,
            secret.trim(),
            &BaseString::new(req.http_method, url, &all),
        ) {
            return (Some(Cause::SecretWhitespace), tried);
        }
    }
    let other = match method {
        Method::HmacSha1 => Method::HmacSha256,
        Method::HmacSha256 => Method::HmacSha1,
    };
    tried.push(format!("{} instead of {}", other.name(), method.name()));
    if matches(other, secret, &BaseString::new(req.http_method, url, &all)) {
        return (Some(Cause::OtherHash(other)), tried);
    }
    (None, tried)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// RFC 5849 §3.4.1.1's example, signed with HMAC-SHA1 as in §3.4.2 (its secrets).
    #[test]
    fn rfc_5849_example_base_string() {
        let params = p(&[
            ("b5", "=%3D"),
            ("a3", "a"),
            ("c@", ""),
            ("a2", "r b"),
            ("oauth_consumer_key", "9djdj82h48djs9d2"),
            ("oauth_token", "kkk9d7dh3k39sjv7"),
            ("oauth_signature_method", "HMAC-SHA1"),
            ("oauth_timestamp", "137131201"),
            ("oauth_nonce", "7d8f3e4a"),
            ("c2", ""),
            ("a3", "2 q"),
        ]);
        let base = BaseString::new(
            "post",
            &normalize_url("http://EXAMPLE.com:80/request").unwrap(),
            &params,
        );
        assert_eq!(
            base.text(),
            "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q\
             %26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_\
             key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_m\
             ethod%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk\
             9d7dh3k39sjv7"
        );
    }

    #[test]
    fn urls_are_normalised() {
        assert_eq!(
            normalize_url("HTTPS://Tool.Example:443/lti?x=1#f").unwrap(),
            "https://tool.example/lti"
        );
        assert_eq!(
            normalize_url("http://127.0.0.1:4471/lti11/launch").unwrap(),
            "http://127.0.0.1:4471/lti11/launch"
        );
        assert!(normalize_url("/relative").is_err());
    }

    fn signer(method: Method) -> Signer<'static> {
        Signer {
            method,
            key: "key",
            secret: "secret",
        }
    }

    fn request<'a>(
        url: &'a str,
        query: &'a [(String, String)],
        body: &'a [(String, String)],
    ) -> SignedRequest<'a> {
        SignedRequest {
            http_method: "POST",
            url,
            alternative_urls: &[],
            query,
            body,
        }
    }

    #[test]
    fn a_signed_launch_verifies_and_a_wrong_secret_is_not_explained_away() {
        let body = signer(Method::HmacSha1)
            .sign_params(
                "POST",
                "http://127.0.0.1:4471/lti11/launch",
                &p(&[
                    ("lti_message_type", "basic-lti-launch-request"),
                    ("name", "A B"),
                ]),
                "n1",
                1_700_000_000,
            )
            .unwrap();
        let sig = body
            .iter()
            .find(|(k, _)| k == "oauth_signature")
            .unwrap()
            .1
            .clone();
        let req = request("http://127.0.0.1:4471/lti11/launch", &[], &body);
        let v = verify(&req, Method::HmacSha1, "secret", &sig).unwrap();
        assert!(v.matches, "{v:?}");
        let v = verify(&req, Method::HmacSha1, "other", &sig).unwrap();
        assert!(!v.matches);
        assert_eq!(v.cause, None, "a wrong secret has no other explanation");
        assert!(v.tried.len() >= 2, "{:?}", v.tried);
    }

    #[test]
    fn mismatches_name_their_cause() {
        let signed_for = |url: &str, params: &[(String, String)]| {
            Signer {
                method: Method::HmacSha1,
                key: "k",
                secret: "s",
            }
            .sign_params("POST", url, params, "n", 1)
            .unwrap()
        };
        let sig = |b: &[(String, String)]| {
            b.iter()
                .find(|(k, _)| k == "oauth_signature")
                .unwrap()
                .1
                .clone()
        };
        // Signed for https (a proxy terminates TLS), arrives over http.
        let body = signed_for("https://tool.example/lti11/launch", &p(&[("a", "1")]));
        let v = verify(
            &request("http://tool.example/lti11/launch", &[], &body),
            Method::HmacSha1,
            "s",
            &sig(&body),
        )
        .unwrap();
        assert!(
            matches!(&v.cause, Some(Cause::Url { signed, .. }) if signed == "https://tool.example/lti11/launch"),
            "{v:?}"
        );
        // Trailing slash.
        let body = signed_for("http://tool.example/lti11/launch/", &p(&[("a", "1")]));
        let v = verify(
            &request("http://tool.example/lti11/launch", &[], &body),
            Method::HmacSha1,
            "s",
            &sig(&body),
        )
        .unwrap();
        assert!(matches!(&v.cause, Some(Cause::Url { .. })), "{v:?}");
        // The query string left out of the signature.
        let body = signed_for("http://tool.example/launch", &p(&[("a", "1")]));
        let query = p(&[("course", "7")]);
        let v = verify(
            &request("http://tool.example/launch?course=7", &query, &body),
            Method::HmacSha1,
            "s",
            &sig(&body),
        )
        .unwrap();
        assert_eq!(v.cause, Some(Cause::QueryNotSigned), "{v:?}");
        // Spaces as '+'.
        let params = p(&[
            ("lis_person_name_full", "Jane Doe"),
            ("oauth_consumer_key", "k"),
            ("oauth_nonce", "n"),
            ("oauth_signature_method", "HMAC-SHA1"),
            ("oauth_timestamp", "1"),
            ("oauth_version", "1.0"),
        ]);
        let base =
            BaseString::with_encoding("POST", "http://tool.example/launch", &params, encode_plus);
        let plus = sign(Method::HmacSha1, "s", &base.text());
        let v = verify(
            &request("http://tool.example/launch", &[], &params),
            Method::HmacSha1,
            "s",
            &plus,
        )
        .unwrap();
        assert_eq!(v.cause, Some(Cause::PlusForSpace), "{v:?}");
        // A pasted secret with a newline.
        let body = signed_for("http://tool.example/launch", &p(&[("a", "1")]));
        let v = verify(
            &request("http://tool.example/launch", &[], &body),
            Method::HmacSha1,
            "s\n",
            &sig(&body),
        )
        .unwrap();
        assert_eq!(v.cause, Some(Cause::SecretWhitespace), "{v:?}");
    }

    #[test]
    fn hmac_sha256_signs_and_verifies() {
        let body = signer(Method::HmacSha256)
            .sign_params("POST", "http://t.example/l", &p(&[("a", "b")]), "n", 5)
            .unwrap();
        let sig = body
            .iter()
            .find(|(k, _)| k == "oauth_signature")
            .unwrap()
            .1
            .clone();
        assert_eq!(sig.len(), 44, "base64 of 32 bytes");
        assert!(
            verify(
                &request("http://t.example/l", &[], &body),
                Method::HmacSha256,
                "secret",
                &sig
            )
            .unwrap()
            .matches
        );
    }
}
