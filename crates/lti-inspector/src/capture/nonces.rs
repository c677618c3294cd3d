//! Nonces already received, per issuer: an in-memory set in front of the `seen_nonces` table
//! (the table survives restarts; the set keeps the hot path free of a database read).

use std::collections::HashSet;
use std::sync::Mutex;

use crate::store::Store;

/// Entries kept in memory before the set is dropped and the table alone answers.
const MEMORY_CAP: usize = 1_000_000;

#[derive(Default)]
pub struct Nonces {
    seen: Mutex<HashSet<(String, String)>>,
}

impl Nonces {
    /// Whether (iss, nonce) was received before; marks it as received either way.
    pub async fn seen_before(&self, store: &Store, iss: &str, nonce: &str) -> bool {
        let key = (iss.to_string(), nonce.to_string());
        {
            let mut seen = self.seen.lock().expect("nonces");
            if seen.contains(&key) {
                return true;
            }
            if seen.len() >= MEMORY_CAP {
                seen.clear();
            }
            seen.insert(key.clone());
        }
        let (i, n) = key;
        store
            .read(move |c| {
                Ok(c.query_row(
                    "SELECT EXISTS(SELECT 1 FROM seen_nonces WHERE issuer = ?1 AND nonce = ?2)",
                    [i, n],
                    |r| r.get::<_, bool>(0),
                )?)
            })
            .await
            .unwrap_or(false)
    }
}
