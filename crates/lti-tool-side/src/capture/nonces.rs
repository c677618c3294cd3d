//! Nonces already received, per issuer: an in-memory set in front of the `seen_nonces` table
//! (the table survives restarts; the set keeps the hot path free of a database read).
//!
//! The set holds every nonce received since it was last emptied (its *generation*). A nonce
//! minted by this process's login at generation g can only have been received after it was
//! minted, so while the generation is still g the set alone answers for it.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use lti_core::store::Store;

/// Entries kept in memory before the set is dropped and the table alone answers.
const MEMORY_CAP: usize = 200_000;
/// Bytes of issuers and nonces kept in memory: both come from unauthenticated posts, so the
/// count alone does not bound the memory (issue 9, item 5).
const MEMORY_BYTES: usize = 32 * 1024 * 1024;
/// A rough per-entry cost of the set beyond the strings themselves.
const ENTRY_OVERHEAD: usize = 64;

#[derive(Default)]
struct Seen {
    set: HashSet<(String, String)>,
    bytes: usize,
}

#[derive(Default)]
pub struct Nonces {
    seen: Mutex<Seen>,
    generation: AtomicU64,
}

impl Nonces {
    /// Changes whenever the in-memory set is emptied.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Whether (iss, nonce) was received before; marks it as received either way.
    /// `minted_at_generation`: the generation at which this process minted the nonce, when it
    /// did (the launch's own login) — then no database read is needed. Err when the table could
    /// not be read: the caller fails the check closed and says why (issue 9, item 10).
    pub async fn seen_before(
        &self,
        store: &Store,
        iss: &str,
        nonce: &str,
        minted_at_generation: Option<u64>,
    ) -> Result<bool, String> {
        let key = (iss.to_string(), nonce.to_string());
        let authoritative = {
            let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
            if seen.set.contains(&key) {
                return Ok(true);
            }
            let size = key.0.len() + key.1.len() + ENTRY_OVERHEAD;
            if seen.set.len() >= MEMORY_CAP || seen.bytes + size > MEMORY_BYTES {
                seen.set.clear();
                seen.bytes = 0;
                self.generation.fetch_add(1, Ordering::AcqRel);
            }
            seen.bytes += size;
            seen.set.insert(key.clone());
            minted_at_generation == Some(self.generation())
        };
        if authoritative {
            return Ok(false);
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
            .map_err(|e| e.to_string())
    }

    /// Forgets everything in memory (the table answers from now on), as when the set is full.
    pub fn clear(&self) {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        seen.set.clear();
        seen.bytes = 0;
        self.generation.fetch_add(1, Ordering::AcqRel);
    }
}
