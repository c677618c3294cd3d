//! What a launch was checked with, kept beside it: the platform's public key set and the
//! registration as they were at the launch (or the import). A platform that rotates its keys, or
//! a registration edited since, no longer says how a launch looked when it came in; with the
//! snapshot a re-check can answer "as it was" as well as "as it is now", and a bundle carries
//! the keys that verified its launches. Public keys and registration fields only — nothing here
//! is a secret. One row per distinct snapshot, named by its digest; messages name theirs.

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};
use lti_protocol::jwk::Jwks;
use lti_protocol::validate::RegistrationView;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct KeySnapshot {
    /// The first 32 hex digits of SHA-256 over the snapshot's JSON without this field.
    pub digest: String,
    /// Where the keys came from ("the JWKS at https://…", "the key pasted into …", …).
    pub source: String,
    /// The key set, when one was at hand.
    #[ts(optional = nullable, type = "unknown")]
    pub jwks: Option<Jwks>,
    /// The registration's name, when one matched.
    #[ts(optional = nullable)]
    pub registration_name: Option<String>,
    #[ts(optional = nullable)]
    pub registration: Option<RegistrationView>,
    /// Unix milliseconds it was first taken.
    #[ts(type = "number")]
    pub taken_at: i64,
}

/// The snapshot's content, the part the digest covers (`taken_at` is not: the same keys and
/// registration seen again are the same snapshot).
#[derive(Serialize)]
struct Content<'a> {
    source: &'a str,
    jwks: Option<&'a Jwks>,
    registration_name: Option<&'a str>,
    registration: Option<&'a RegistrationView>,
}

impl KeySnapshot {
    pub fn new(
        source: String,
        jwks: Option<Jwks>,
        registration_name: Option<String>,
        registration: Option<RegistrationView>,
    ) -> Self {
        use sha2::Digest;
        let content = Content {
            source: &source,
            jwks: jwks.as_ref(),
            registration_name: registration_name.as_deref(),
            registration: registration.as_ref(),
        };
        let json = serde_json::to_vec(&content).unwrap_or_default();
        let digest = hex::encode(&sha2::Sha256::digest(&json)[..16]);
        Self {
            digest,
            source,
            jwks,
            registration_name,
            registration,
            taken_at: crate::clock::now_ms(),
        }
    }

    /// Nothing to keep: no keys and no registration.
    pub fn is_empty(&self) -> bool {
        self.jwks.is_none() && self.registration.is_none()
    }
}

/// Keeps a snapshot (once: a known digest is left as it is).
pub fn save(tx: &Transaction, s: &KeySnapshot) -> Result<()> {
    let json = serde_json::to_string(s).map_err(|e| Error::Internal(e.to_string()))?;
    tx.prepare_cached(
        "INSERT OR IGNORE INTO key_snapshots(digest, snapshot_json, taken_at) VALUES (?1, ?2, ?3)",
    )?
    .execute(params![s.digest, json, s.taken_at])?;
    Ok(())
}

pub fn get(conn: &Connection, digest: &str) -> Result<Option<KeySnapshot>> {
    let json: Option<String> = conn
        .prepare_cached("SELECT snapshot_json FROM key_snapshots WHERE digest = ?1")?
        .query_row([digest], |r| r.get(0))
        .optional()?;
    json.map(|j| serde_json::from_str(&j).map_err(|e| Error::Internal(e.to_string())))
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwks() -> Jwks {
        serde_json::from_str(r#"{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB","kid":"k1"}]}"#)
            .unwrap()
    }

    #[test]
    fn the_same_keys_and_registration_are_one_snapshot() {
        let reg = RegistrationView {
            issuer: "https://lms.example".into(),
            client_id: "c".into(),
            ..Default::default()
        };
        let a = KeySnapshot::new("src".into(), Some(jwks()), None, Some(reg.clone()));
        std::thread::sleep(std::time::Duration::from_millis(2));
        let b = KeySnapshot::new("src".into(), Some(jwks()), None, Some(reg.clone()));
        assert_eq!(a.digest, b.digest);
        assert_eq!(a.digest.len(), 32);
        let other = RegistrationView {
            client_id: "d".into(),
            ..reg
        };
        let c = KeySnapshot::new("src".into(), Some(jwks()), None, Some(other));
        assert_ne!(a.digest, c.digest);
        assert!(KeySnapshot::new("none".into(), None, None, None).is_empty());

        let dir = tempfile::tempdir().unwrap();
        let mut conn = Connection::open(dir.path().join("s.db")).unwrap();
        crate::store::migrate::run(&mut conn).unwrap();
        let tx = conn.transaction().unwrap();
        save(&tx, &a).unwrap();
        save(&tx, &b).unwrap();
        tx.commit().unwrap();
        assert_eq!(get(&conn, &a.digest).unwrap().unwrap(), a);
        assert!(get(&conn, "nope").unwrap().is_none());
        let n: i64 = conn
            .query_row("SELECT count(*) FROM key_snapshots", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 1);
    }
}
