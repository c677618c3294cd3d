//! RSA signing keys: generation, the public JWK and PEM a user pastes into an LMS, and RS256
//! signatures. The private key leaves this module only as PKCS#8 DER inside [`PrivateKeyDer`],
//! which refuses to be printed, so callers hand it to the keychain and nowhere else.

use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der, PublicKeyX509Der};
use aws_lc_rs::rsa::{KeyPair, KeySize, PublicKeyComponents};
use aws_lc_rs::signature::{self, KeyPair as _};
use serde_json::Map;

use crate::b64;
use crate::jwk::Jwk;

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("RSA key generation failed")]
    Generate,
    #[error("stored private key is not a valid PKCS#8 RSA key: {0}")]
    Rejected(String),
    #[error("signing failed")]
    Sign,
    #[error("key encoding failed")]
    Encode,
}

/// PKCS#8 DER of a private key. Debug is redacted and there is no Serialize on purpose.
#[derive(Clone)]
pub struct PrivateKeyDer(Vec<u8>);

impl PrivateKeyDer {
    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for PrivateKeyDer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PrivateKeyDer(<redacted>)")
    }
}

/// An RSA key pair able to sign RS256, with its key id.
pub struct SigningKey {
    kid: String,
    pair: KeyPair,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// A fresh RSA-2048 key. The kid is the RFC 7638 thumbprint-like hash of the modulus, so the
    /// same key always has the same kid and a rotated key a new one.
    pub fn generate() -> Result<Self, KeyError> {
        let pair = KeyPair::generate(KeySize::Rsa2048).map_err(|_| KeyError::Generate)?;
        Ok(Self::from_pair(pair))
    }

    pub fn from_pkcs8(der: &PrivateKeyDer) -> Result<Self, KeyError> {
        let pair =
            KeyPair::from_pkcs8(der.as_bytes()).map_err(|e| KeyError::Rejected(e.to_string()))?;
        Ok(Self::from_pair(pair))
    }

    fn from_pair(pair: KeyPair) -> Self {
        let components = public_components(&pair);
        let kid = thumbprint(&components.0, &components.1);
        Self { kid, pair }
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    pub fn to_pkcs8(&self) -> Result<PrivateKeyDer, KeyError> {
        let der: Pkcs8V1Der = self.pair.as_der().map_err(|_| KeyError::Encode)?;
        Ok(PrivateKeyDer(der.as_ref().to_vec()))
    }

    /// The public JWK with `kty`, `kid`, `alg: RS256` and `use: sig`, as Canvas requires.
    pub fn public_jwk(&self) -> Jwk {
        let (n, e) = public_components(&self.pair);
        Jwk {
            kty: "RSA".into(),
            kid: Some(self.kid.clone()),
            alg: Some("RS256".into()),
            key_use: Some("sig".into()),
            n: Some(b64::encode(&n)),
            e: Some(b64::encode(&e)),
            extra: Map::new(),
        }
    }

    /// SubjectPublicKeyInfo PEM ("BEGIN PUBLIC KEY"), what Moodle's "RSA key" field takes.
    pub fn public_pem(&self) -> Result<String, KeyError> {
        let der: PublicKeyX509Der = self
            .pair
            .public_key()
            .as_der()
            .map_err(|_| KeyError::Encode)?;
        Ok(pem("PUBLIC KEY", der.as_ref()))
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256 over `message` (the JWS signing input).
    pub fn sign_rs256(&self, message: &[u8]) -> Result<Vec<u8>, KeyError> {
        let rng = aws_lc_rs::rand::SystemRandom::new();
        let mut sig = vec![0; self.pair.public_modulus_len()];
        self.pair
            .sign(&signature::RSA_PKCS1_SHA256, &rng, message, &mut sig)
            .map_err(|_| KeyError::Sign)?;
        Ok(sig)
    }
}

fn public_components(pair: &KeyPair) -> (Vec<u8>, Vec<u8>) {
    let c: PublicKeyComponents<Vec<u8>> = pair.public_key().into();
    (c.n, c.e)
}

/// RFC 7638 JWK thumbprint (SHA-256 over the canonical `{"e","kty","n"}` JSON), base64url.
pub fn thumbprint(n: &[u8], e: &[u8]) -> String {
    let canonical = format!(
        r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#,
        b64::encode(e),
        b64::encode(n)
    );
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, canonical.as_bytes());
    b64::encode(digest.as_ref())
}

pub fn pem(label: &str, der: &[u8]) -> String {
    let body = b64::encode_standard(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in body.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).expect("base64 is ascii"));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// Verifies an RS256 signature with an RSA public JWK. Returns false for any malformed key.
pub fn verify_rs256(jwk: &Jwk, message: &[u8], sig: &[u8]) -> bool {
    let (Some(n), Some(e)) = (jwk.n.as_deref(), jwk.e.as_deref()) else {
        return false;
    };
    let (Ok(n), Ok(e)) = (b64::decode_lenient(n), b64::decode_lenient(e)) else {
        return false;
    };
    let key = signature::RsaPublicKeyComponents { n: &n, e: &e };
    key.verify(&signature::RSA_PKCS1_2048_8192_SHA256, message, sig)
        .is_ok()
}

/// Reads an RSA public key PEM — SubjectPublicKeyInfo ("BEGIN PUBLIC KEY") or PKCS#1
/// ("BEGIN RSA PUBLIC KEY") — into a JWK without kid/alg (the caller decides those).
pub fn jwk_from_public_pem(pem_text: &str) -> Result<Jwk, KeyError> {
    let bad = |why: &str| KeyError::Rejected(format!("not an RSA public key PEM: {why}"));
    let pkcs1 = pem_text.contains("BEGIN RSA PUBLIC KEY");
    let body: String = pem_text
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .map(str::trim)
        .collect();
    let der = b64::decode_standard(&body).map_err(|_| bad("bad base64"))?;
    let rsa_key = if pkcs1 {
        der
    } else {
        // SubjectPublicKeyInfo ::= SEQUENCE { algorithm SEQUENCE, subjectPublicKey BIT STRING }
        let (spki, _) = der_take(&der, 0x30).ok_or_else(|| bad("no outer SEQUENCE"))?;
        let (_alg, rest) = der_take(spki, 0x30).ok_or_else(|| bad("no algorithm"))?;
        let (bits, _) = der_take(rest, 0x03).ok_or_else(|| bad("no BIT STRING"))?;
        bits.get(1..)
            .ok_or_else(|| bad("empty BIT STRING"))?
            .to_vec()
    };
    // RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }
    let (seq, _) = der_take(&rsa_key, 0x30).ok_or_else(|| bad("no RSAPublicKey"))?;
    let (n, rest) = der_take(seq, 0x02).ok_or_else(|| bad("no modulus"))?;
    let (e, _) = der_take(rest, 0x02).ok_or_else(|| bad("no exponent"))?;
    let strip = |b: &[u8]| {
        let i = b
            .iter()
            .position(|&x| x != 0)
            .unwrap_or(b.len().saturating_sub(1));
        b[i..].to_vec()
    };
    let (n, e) = (strip(n), strip(e));
    Ok(Jwk {
        kty: "RSA".into(),
        kid: Some(thumbprint(&n, &e)),
        alg: None,
        key_use: None,
        n: Some(b64::encode(&n)),
        e: Some(b64::encode(&e)),
        extra: Map::new(),
    })
}

/// One DER TLV with the expected tag: (contents, rest).
fn der_take(input: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
    if *input.first()? != tag {
        return None;
    }
    let first = *input.get(1)? as usize;
    let (len, header) = if first < 0x80 {
        (first, 2)
    } else {
        let count = first & 0x7f;
        if count == 0 || count > 4 {
            return None;
        }
        let mut len = 0usize;
        for i in 0..count {
            len = (len << 8) | *input.get(2 + i)? as usize;
        }
        (len, 2 + count)
    };
    let end = header.checked_add(len)?;
    Some((input.get(header..end)?, input.get(end..)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_key_round_trips_and_signs() {
        let key = SigningKey::generate().unwrap();
        let der = key.to_pkcs8().unwrap();
        assert!(!format!("{der:?}").contains(|c: char| c.is_ascii_digit()));
        let again = SigningKey::from_pkcs8(&der).unwrap();
        assert_eq!(key.kid(), again.kid());

        let jwk = key.public_jwk();
        assert_eq!(jwk.alg.as_deref(), Some("RS256"));
        assert_eq!(jwk.key_use.as_deref(), Some("sig"));
        let sig = again.sign_rs256(b"hello").unwrap();
        assert!(verify_rs256(&jwk, b"hello", &sig));
        assert!(!verify_rs256(&jwk, b"hellO", &sig));

        let pem = key.public_pem().unwrap();
        assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----\nMIIBIjAN"));
        let from_pem = jwk_from_public_pem(&pem).unwrap();
        assert_eq!(from_pem.n, jwk.n);
        assert_eq!(from_pem.e, jwk.e);
        assert_eq!(from_pem.kid, jwk.kid);
        assert!(
            jwk_from_public_pem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----")
                .is_err()
        );
    }

    #[test]
    fn thumbprint_matches_rfc7638_example() {
        // RFC 7638 §3.1 example key.
        let n = b64::decode("0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw").unwrap();
        let e = b64::decode("AQAB").unwrap();
        assert_eq!(
            thumbprint(&n, &e),
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
        );
    }
}
