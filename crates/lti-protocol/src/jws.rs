//! Compact JWS (RFC 7515) for inspection: parse without trusting, keep every raw part, sign
//! RS256 for the emulator, and check a signature against a JWKS with a typed outcome.
//!
//! The algorithm is checked before any key is touched, so `none` and HS* tokens (including an
//! HS256 "signed" with the platform's public key) are refused without ever using a key.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use ts_rs::TS;

use crate::b64;
use crate::jwk::{Jwk, Jwks};
use crate::keys::{KeyError, SigningKey};
use crate::rsa_legacy;

/// The only algorithm accepted for LTI messages.
pub const RS256: &str = "RS256";

/// Which segment of the compact serialization a problem is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum JwsPart {
    Header,
    Payload,
    Signature,
}

impl std::fmt::Display for JwsPart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            JwsPart::Header => "header",
            JwsPart::Payload => "payload",
            JwsPart::Signature => "signature",
        })
    }
}

/// Why a string is not a usable compact JWS.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize, Deserialize, TS)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum JwsError {
    #[error("input is empty")]
    Empty,
    #[error("a JSON object was posted instead of a compact JWT (header.payload.signature)")]
    JsonInsteadOfJwt,
    #[error("expected 3 dot-separated segments, found {segments}")]
    NotThreeSegments { segments: usize },
    #[error("{part} is not valid base64url: {detail}")]
    Base64 { part: JwsPart, detail: String },
    #[error("{part} is not UTF-8")]
    NotUtf8 { part: JwsPart },
    #[error("{part} is not JSON: {detail}")]
    NotJson { part: JwsPart, detail: String },
    #[error("{part} is JSON but not an object")]
    NotObject { part: JwsPart },
}

/// A parsed compact JWS. Nothing here is trusted until [`Jws::verify`] says so.
#[derive(Debug, Clone, PartialEq)]
pub struct Jws {
    pub raw_header: String,
    pub raw_payload: String,
    pub raw_signature: String,
    /// The decoded header (a JSON object).
    pub header: Value,
    pub payload: Map<String, Value>,
    /// `raw_header + "." + raw_payload`, the bytes the signature covers.
    pub signing_input: Vec<u8>,
    pub signature: Vec<u8>,
}

/// The serializable view of a parsed JWS for reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct DecodedJws {
    pub header: Value,
    #[ts(as = "std::collections::HashMap<String, Value>")]
    pub payload: Map<String, Value>,
    pub raw_header: String,
    pub raw_payload: String,
    pub raw_signature: String,
}

/// What checking a signature against a JWKS found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum SignatureCheck {
    /// The signature is genuine. `legacy` is true when the key was under 2048 bits and the
    /// pure fallback verifier was used.
    Verified {
        kid: Option<String>,
        key_bits: u32,
        legacy: bool,
    },
    /// The header names a kid the JWKS does not have.
    NoKeyForKid {
        kid: String,
        available: Vec<String>,
    },
    /// No kid in the header and more than one key to choose from.
    NoKid {
        available: Vec<String>,
    },
    /// Refused before any key use: only RS256 is accepted. `alg` is None when absent.
    AlgNotAllowed {
        alg: Option<String>,
    },
    BadSignature {
        kid: Option<String>,
        key_bits: u32,
    },
    /// The selected key cannot verify RS256 (wrong kty/alg/use, bad n/e, too small).
    KeyUnusable {
        kid: Option<String>,
        reason: String,
    },
    /// The JWKS is empty.
    NoKeys,
}

impl SignatureCheck {
    pub fn is_verified(&self) -> bool {
        matches!(self, SignatureCheck::Verified { .. })
    }
}

fn decode_part(raw: &str, part: JwsPart) -> Result<Vec<u8>, JwsError> {
    b64::decode(raw).map_err(|e| JwsError::Base64 {
        part,
        detail: e.to_string(),
    })
}

fn json_object(raw: &str, part: JwsPart) -> Result<Map<String, Value>, JwsError> {
    let bytes = decode_part(raw, part)?;
    let text = String::from_utf8(bytes).map_err(|_| JwsError::NotUtf8 { part })?;
    let value: Value = serde_json::from_str(&text).map_err(|e| JwsError::NotJson {
        part,
        detail: e.to_string(),
    })?;
    match value {
        Value::Object(map) => Ok(map),
        _ => Err(JwsError::NotObject { part }),
    }
}

impl Jws {
    /// Parses a compact JWS. Surrounding whitespace (from copy-paste) is ignored; anything else
    /// that is not strict RFC 7515 base64url JSON is a typed error.
    pub fn parse(input: &str) -> Result<Jws, JwsError> {
        let input = input.trim();
        if input.is_empty() {
            return Err(JwsError::Empty);
        }
        if input.starts_with('{') || input.starts_with('[') {
            return Err(JwsError::JsonInsteadOfJwt);
        }
        let parts: Vec<&str> = input.split('.').collect();
        if parts.len() != 3 {
            return Err(JwsError::NotThreeSegments {
                segments: parts.len(),
            });
        }
        let header = json_object(parts[0], JwsPart::Header)?;
        let payload = json_object(parts[1], JwsPart::Payload)?;
        let signature = decode_part(parts[2], JwsPart::Signature)?;
        Ok(Jws {
            raw_header: parts[0].to_string(),
            raw_payload: parts[1].to_string(),
            raw_signature: parts[2].to_string(),
            header: Value::Object(header),
            payload,
            signing_input: format!("{}.{}", parts[0], parts[1]).into_bytes(),
            signature,
        })
    }

    fn header_str(&self, name: &str) -> Option<&str> {
        self.header.get(name).and_then(Value::as_str)
    }

    pub fn alg(&self) -> Option<&str> {
        self.header_str("alg")
    }

    pub fn kid(&self) -> Option<&str> {
        self.header_str("kid")
    }

    pub fn typ(&self) -> Option<&str> {
        self.header_str("typ")
    }

    pub fn decoded(&self) -> DecodedJws {
        DecodedJws {
            header: self.header.clone(),
            payload: self.payload.clone(),
            raw_header: self.raw_header.clone(),
            raw_payload: self.raw_payload.clone(),
            raw_signature: self.raw_signature.clone(),
        }
    }

    /// Checks the signature with the key the header selects. The alg is checked first and
    /// nothing but RS256 gets near a key.
    pub fn verify(&self, jwks: &Jwks) -> SignatureCheck {
        match self.alg() {
            Some(RS256) => {}
            other => {
                return SignatureCheck::AlgNotAllowed {
                    alg: other.map(str::to_string),
                }
            }
        }
        if jwks.keys.is_empty() {
            return SignatureCheck::NoKeys;
        }
        let available: Vec<String> = jwks
            .keys
            .iter()
            .map(|k| k.kid.clone().unwrap_or_else(|| "(no kid)".into()))
            .collect();
        let key = match (self.kid(), jwks.select(self.kid())) {
            (_, Some(key)) => key,
            (Some(kid), None) => {
                return SignatureCheck::NoKeyForKid {
                    kid: kid.to_string(),
                    available,
                }
            }
            (None, None) => return SignatureCheck::NoKid { available },
        };
        verify_with_key(key, &self.signing_input, &self.signature)
    }
}

/// RS256 verification with one JWK: aws-lc for ≥ 2048-bit keys, then aws-lc's legacy 1024-bit
/// profile, then the pure fallback for smaller moduli (down to [`rsa_legacy::MIN_BITS`]).
pub fn verify_with_key(key: &Jwk, message: &[u8], sig: &[u8]) -> SignatureCheck {
    let kid = key.kid.clone();
    let unusable = |reason: String| SignatureCheck::KeyUnusable {
        kid: kid.clone(),
        reason,
    };
    if key.kty != "RSA" {
        return unusable(format!("kty is {:?}, RS256 needs an RSA key", key.kty));
    }
    if let Some(alg) = key.alg.as_deref().filter(|a| *a != RS256) {
        return unusable(format!("key alg is {alg}, not RS256"));
    }
    if let Some(u) = key.key_use.as_deref().filter(|u| *u != "sig") {
        return unusable(format!("key use is {u:?}, not \"sig\""));
    }
    let (Some(n), Some(e)) = (key.n.as_deref(), key.e.as_deref()) else {
        return unusable("key lacks n or e".into());
    };
    let (Ok(n), Ok(e)) = (b64::decode_lenient(n), b64::decode_lenient(e)) else {
        return unusable("n or e is not base64url".into());
    };
    let bits = rsa_legacy::bit_len(&n);
    let key_bits = u32::try_from(bits).unwrap_or(u32::MAX);
    if bits < rsa_legacy::MIN_BITS {
        return unusable(format!("modulus is only {bits} bits"));
    }
    use aws_lc_rs::signature::{self, RsaPublicKeyComponents};
    let public = RsaPublicKeyComponents { n: &n, e: &e };
    let verified = |legacy| SignatureCheck::Verified {
        kid: kid.clone(),
        key_bits,
        legacy,
    };
    if bits >= 2048 {
        let ok = match parsed_key(&n, &e) {
            Some(parsed) => parsed.verify_sig(message, sig).is_ok(),
            None => public
                .verify(&signature::RSA_PKCS1_2048_8192_SHA256, message, sig)
                .is_ok(),
        };
        return if ok {
            verified(false)
        } else {
            SignatureCheck::BadSignature { kid, key_bits }
        };
    }
    if public
        .verify(
            &signature::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
            message,
            sig,
        )
        .is_ok()
        || rsa_legacy::verify_pkcs1_sha256(&n, &e, message, sig)
    {
        return verified(true);
    }
    SignatureCheck::BadSignature { kid, key_bits }
}

/// Parsed RSA public keys by (n, e). Building aws-lc's key (Montgomery constants) costs about
/// as much as the verification itself, and a platform signs every launch with the same few
/// keys; a memo keeps it to once per key. Bounded: cleared when full.
fn parsed_key(n: &[u8], e: &[u8]) -> Option<Arc<aws_lc_rs::signature::ParsedPublicKey>> {
    use aws_lc_rs::signature::{RsaPublicKeyComponents, RSA_PKCS1_2048_8192_SHA256};
    type Memo = Mutex<HashMap<(Vec<u8>, Vec<u8>), Arc<aws_lc_rs::signature::ParsedPublicKey>>>;
    static MEMO: OnceLock<Memo> = OnceLock::new();
    const CAP: usize = 256;
    let memo = MEMO.get_or_init(Default::default);
    let key = (n.to_vec(), e.to_vec());
    if let Some(k) = memo.lock().ok()?.get(&key) {
        return Some(k.clone());
    }
    let parsed = Arc::new(
        RsaPublicKeyComponents { n, e }
            .to_parsed_public_key(&RSA_PKCS1_2048_8192_SHA256)
            .ok()?,
    );
    let mut m = memo.lock().ok()?;
    if m.len() >= CAP {
        m.clear();
    }
    m.insert(key, parsed.clone());
    Some(parsed)
}

/// Signs `claims` as a compact RS256 JWS with header `{"alg":"RS256","typ":"JWT","kid":…}`.
/// Members of `header_extra` are added afterwards and win, so negative tests can forge headers.
pub fn sign_rs256(
    header_extra: &Map<String, Value>,
    claims: &Map<String, Value>,
    key: &SigningKey,
) -> Result<String, KeyError> {
    let mut header = Map::new();
    header.insert("alg".into(), Value::from(RS256));
    header.insert("typ".into(), Value::from("JWT"));
    header.insert("kid".into(), Value::from(key.kid()));
    for (k, v) in header_extra {
        header.insert(k.clone(), v.clone());
    }
    let h = b64::encode(&serde_json::to_vec(&header).map_err(|_| KeyError::Encode)?);
    let p = b64::encode(&serde_json::to_vec(claims).map_err(|_| KeyError::Encode)?);
    let input = format!("{h}.{p}");
    let sig = key.sign_rs256(input.as_bytes())?;
    Ok(format!("{input}.{}", b64::encode(&sig)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn claims() -> Map<String, Value> {
        json!({"iss": "https://platform.example", "n": 1})
            .as_object()
            .unwrap()
            .clone()
    }

    #[test]
    fn sign_parse_verify_round_trip() {
        let key = SigningKey::generate().unwrap();
        let token = sign_rs256(&Map::new(), &claims(), &key).unwrap();
        let jws = Jws::parse(&format!(" {token}\n")).unwrap();
        assert_eq!(jws.alg(), Some("RS256"));
        assert_eq!(jws.typ(), Some("JWT"));
        assert_eq!(jws.kid(), Some(key.kid()));
        assert_eq!(jws.payload["iss"], "https://platform.example");
        let jwks = Jwks {
            keys: vec![key.public_jwk()],
        };
        assert!(matches!(
            jws.verify(&jwks),
            SignatureCheck::Verified {
                key_bits: 2048,
                legacy: false,
                ..
            }
        ));
        assert_eq!(jws.verify(&Jwks::default()), SignatureCheck::NoKeys);
    }

    #[test]
    fn tampered_payload_fails() {
        let key = SigningKey::generate().unwrap();
        let token = sign_rs256(&Map::new(), &claims(), &key).unwrap();
        let parts: Vec<&str> = token.split('.').collect();
        let mut other = claims();
        other.insert("n".into(), json!(2));
        let forged = format!(
            "{}.{}.{}",
            parts[0],
            b64::encode(&serde_json::to_vec(&other).unwrap()),
            parts[2]
        );
        let jws = Jws::parse(&forged).unwrap();
        let jwks = Jwks {
            keys: vec![key.public_jwk()],
        };
        assert!(matches!(
            jws.verify(&jwks),
            SignatureCheck::BadSignature { .. }
        ));
    }

    #[test]
    fn alg_refused_before_key_use() {
        let key = SigningKey::generate().unwrap();
        for alg in ["HS256", "none", "RS512", "ES256"] {
            let extra = json!({"alg": alg}).as_object().unwrap().clone();
            let token = sign_rs256(&extra, &claims(), &key).unwrap();
            let jws = Jws::parse(&token).unwrap();
            // An empty JWKS would give NoKeys if keys were consulted first.
            assert_eq!(
                jws.verify(&Jwks::default()),
                SignatureCheck::AlgNotAllowed {
                    alg: Some(alg.into())
                }
            );
        }
    }

    #[test]
    fn kid_selection() {
        let a = SigningKey::generate().unwrap();
        let b = SigningKey::generate().unwrap();
        let token = sign_rs256(&Map::new(), &claims(), &a).unwrap();
        let jws = Jws::parse(&token).unwrap();
        let only_b = Jwks {
            keys: vec![b.public_jwk()],
        };
        assert!(matches!(
            jws.verify(&only_b),
            SignatureCheck::NoKeyForKid { .. }
        ));

        let no_kid = json!({"kid": null}).as_object().unwrap().clone();
        let token = sign_rs256(&no_kid, &claims(), &a).unwrap();
        let jws = Jws::parse(&token).unwrap();
        assert_eq!(jws.kid(), None);
        let both = Jwks {
            keys: vec![a.public_jwk(), b.public_jwk()],
        };
        assert!(matches!(jws.verify(&both), SignatureCheck::NoKid { .. }));
        let only_a = Jwks {
            keys: vec![a.public_jwk()],
        };
        assert!(jws.verify(&only_a).is_verified());
    }

    #[test]
    fn unusable_keys() {
        let a = SigningKey::generate().unwrap();
        let token = sign_rs256(&Map::new(), &claims(), &a).unwrap();
        let jws = Jws::parse(&token).unwrap();
        let mut jwk = a.public_jwk();
        jwk.key_use = Some("enc".into());
        let r = jws.verify(&Jwks { keys: vec![jwk] });
        assert!(matches!(r, SignatureCheck::KeyUnusable { .. }), "{r:?}");
        let mut jwk = a.public_jwk();
        jwk.alg = None; // D2L-style key without alg still verifies
        assert!(jws.verify(&Jwks { keys: vec![jwk] }).is_verified());
    }

    #[test]
    fn parse_errors_are_typed() {
        assert_eq!(Jws::parse("  "), Err(JwsError::Empty));
        assert_eq!(
            Jws::parse(r#"{"name":"badltilaunch"}"#),
            Err(JwsError::JsonInsteadOfJwt)
        );
        assert_eq!(
            Jws::parse("a.b"),
            Err(JwsError::NotThreeSegments { segments: 2 })
        );
        assert!(matches!(
            Jws::parse("a*b.e30.x"),
            Err(JwsError::Base64 {
                part: JwsPart::Header,
                ..
            })
        ));
        let not_utf8 = b64::encode(&[0xff, 0xfe]);
        assert_eq!(
            Jws::parse(&format!("{not_utf8}.e30.")),
            Err(JwsError::NotUtf8 {
                part: JwsPart::Header
            })
        );
        let not_json = b64::encode(b"hello");
        assert!(matches!(
            Jws::parse(&format!("e30.{not_json}.")),
            Err(JwsError::NotJson {
                part: JwsPart::Payload,
                ..
            })
        ));
        let array = b64::encode(b"[1]");
        assert_eq!(
            Jws::parse(&format!("e30.{array}.")),
            Err(JwsError::NotObject {
                part: JwsPart::Payload
            })
        );
        assert!(matches!(
            Jws::parse("e30.e30.a=b"),
            Err(JwsError::Base64 {
                part: JwsPart::Signature,
                ..
            })
        ));
        // Unsigned (alg none) tokens parse: the verdict comes from verify.
        assert!(Jws::parse("e30.e30.").is_ok());
    }

    #[test]
    fn errors_serialize_with_a_code() {
        let v = serde_json::to_value(JwsError::NotThreeSegments { segments: 1 }).unwrap();
        assert_eq!(v["code"], "not_three_segments");
        assert_eq!(v["segments"], 1);
    }
}
