//! Nonces already received, per issuer: an in-memory set in front of the `seen_nonces` table
//! (the table survives restarts; the set keeps the hot path free of a database read).
//!
//! The set holds every nonce received since it was last emptied (its *generation*). A nonce
//! minted by this process's login at generation g can only have been received after it was
//! minted, so while the generation is still g the set alone answers for it.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use crate::store::Store;

/// Entries kept in memory before the set is dropped and the table alone answers.
const MEMORY_CAP: usize = 1_000_000;

#[derive(Default)]
pub struct Nonces {
    seen: Mutex<HashSet<(String, String)>>,
    generation: AtomicU64,
}

impl Nonces {
    /// Changes whenever the in-memory set is emptied.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Whether (iss, nonce) was received before; marks it as received either way.
    /// `minted_at_generation`: the generation at which this process minted the nonce, when it
    /// did (the launch's own login) — then no database read is needed.
    pub async fn seen_before(
        &self,
        store: &Store,
        iss: &str,
        nonce: &str,
        minted_at_generation: Option<u64>,
    ) -> bool {
        let key = (iss.to_string(), nonce.to_string());
        let authoritative = {
            let mut seen = self.seen.lock().expect("nonces");
            if seen.contains(&key) {
                return true;
            }
            if seen.len() >= MEMORY_CAP {
                seen.clear();
                self.generation.fetch_add(1, Ordering::AcqRel);
            }
            seen.insert(key.clone());
            minted_at_generation == Some(self.generation())
        };
        if authoritative {
            return false;
        }
        let (i, n) = key;
        store
            .lookup(move |c| {
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
