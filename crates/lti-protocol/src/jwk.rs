//! JSON Web Keys (RFC 7517) as LTI uses them: RSA public keys with `kid`, `alg` and `use`,
//! published by tools and platforms as a JWKS. Unknown members are kept so an inspector can show
//! a platform's key set exactly as it was served.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use ts_rs::TS;

/// One public JWK. Fields are optional because real key sets omit them (D2L omits `alg`) and the
/// inspector must still show and use such keys.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Jwk {
    pub kty: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub kid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub alg: Option<String>,
    #[serde(rename = "use", default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub key_use: Option<String>,
    /// RSA modulus, base64url big-endian.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub n: Option<String>,
    /// RSA public exponent, base64url big-endian.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub e: Option<String>,
    /// Members this type does not model (x5c, key_ops, EC coordinates…), kept verbatim.
    #[serde(flatten)]
    #[ts(skip)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, TS)]
pub struct Jwks {
    pub keys: Vec<Jwk>,
}

impl Jwks {
    /// The key a JWS header's `kid` selects. Without a kid, a set of exactly one key is used
    /// (what most libraries do); otherwise nothing is guessed.
    pub fn select(&self, kid: Option<&str>) -> Option<&Jwk> {
        match kid {
            Some(kid) => self.keys.iter().find(|k| k.kid.as_deref() == Some(kid)),
            None if self.keys.len() == 1 => self.keys.first(),
            None => None,
        }
    }
}

/// Parses a pasted public key — a PEM, a JWK or a JWKS — into a key set, or says exactly what
/// is wrong with it in a sentence.
/// Said when a private key is pasted where a public one belongs: it is refused, never stored.
pub const PRIVATE_KEY_PASTED: &str = "this is a PRIVATE key: never paste one here. Give the platform's public key, or better its JWKS URL. Nothing was stored; if this is a real platform key, treat it as exposed and have it rotated";

/// Members only a private RSA JWK has.
const PRIVATE_MEMBERS: &[&str] = &["d", "p", "q", "dp", "dq", "qi"];

pub fn parse_pasted(text: &str) -> Result<Jwks, String> {
    let t = text.trim();
    if t.contains("PRIVATE KEY") {
        return Err(PRIVATE_KEY_PASTED.into());
    }
    if t.starts_with("-----BEGIN") {
        let jwk = crate::keys::jwk_from_public_pem(t).map_err(|e| e.to_string())?;
        return Ok(Jwks { keys: vec![jwk] });
    }
    let value: Value = serde_json::from_str(t).map_err(|_| {
        "the public key is neither a PEM block (-----BEGIN PUBLIC KEY-----) nor a JWK or JWKS in JSON: check it was copied whole".to_string()
    })?;
    let members = |k: &Value| PRIVATE_MEMBERS.iter().any(|m| k.get(*m).is_some());
    let private = match value.get("keys").and_then(Value::as_array) {
        Some(keys) => keys.iter().any(members),
        None => members(&value),
    };
    if private {
        return Err(PRIVATE_KEY_PASTED.into());
    }
    if value.get("keys").is_some() {
        let set: Jwks = serde_json::from_value(value).map_err(|e| format!("not a JWKS: {e}"))?;
        if set.keys.is_empty() {
            return Err("the JWKS has no keys".into());
        }
        return Ok(set);
    }
    let jwk: Jwk = serde_json::from_value(value).map_err(|e| format!("not a JWK: {e}"))?;
    if jwk.kty != "RSA" || jwk.n.is_none() || jwk.e.is_none() {
        return Err("the JWK must be an RSA public key with n and e".into());
    }
    Ok(Jwks { keys: vec![jwk] })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pasted_private_key_is_refused_in_plain_words() {
        for text in [
            "-----BEGIN PRIVATE KEY-----\nMIIE...\n-----END PRIVATE KEY-----",
            "-----BEGIN RSA PRIVATE KEY-----\nMIIE...\n-----END RSA PRIVATE KEY-----",
            r#"{"kty":"RSA","n":"AQAB","e":"AQAB","d":"secret"}"#,
            r#"{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB","p":"x","q":"y"}]}"#,
        ] {
            assert_eq!(
                parse_pasted(text).unwrap_err(),
                PRIVATE_KEY_PASTED,
                "{text}"
            );
        }
        let garbage = parse_pasted("{nope").unwrap_err();
        assert!(garbage.contains("copied whole"), "{garbage}");
        assert!(
            !garbage.contains("line 1 column"),
            "no parser jargon: {garbage}"
        );
    }

    #[test]
    fn keeps_unknown_members_and_reads_use() {
        let jwk: Jwk = serde_json::from_str(
            r#"{"kty":"RSA","kid":"k1","use":"sig","n":"AQAB","e":"AQAB","x5t":"abc"}"#,
        )
        .unwrap();
        assert_eq!(jwk.key_use.as_deref(), Some("sig"));
        assert_eq!(jwk.extra["x5t"], "abc");
        let back = serde_json::to_value(&jwk).unwrap();
        assert_eq!(back["x5t"], "abc");
        assert_eq!(back["use"], "sig");
    }

    #[test]
    fn select_by_kid_or_single_key() {
        let one = Jwks {
            keys: vec![serde_json::from_str(r#"{"kty":"RSA","kid":"a"}"#).unwrap()],
        };
        assert!(one.select(Some("a")).is_some());
        assert!(one.select(Some("b")).is_none());
        assert!(one.select(None).is_some());
        let mut two = one.clone();
        two.keys
            .push(serde_json::from_str(r#"{"kty":"RSA","kid":"b"}"#).unwrap());
        assert!(two.select(None).is_none());
    }
}
