//! Nonces already received, per issuer: an in-memory set in front of the `seen_nonces` table
//! (the table survives restarts; the set keeps the hot path free of a database read).
//!
//! The set holds every nonce received since it was last emptied (its *generation*). A nonce
//! minted by this process's login at generation g can only have been received after it was
//! minted, so while the generation is still g the set alone answers for it.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

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
    /// When the first entry of this generation went in.
    since: Option<Instant>,
}

/// What the in-memory set knows of a nonce.
#[derive(Debug, PartialEq, Eq)]
enum InMemory {
    /// Received before (in this generation).
    Seen,
    /// Not in memory; `authoritative` when memory alone can say it is new.
    New { authoritative: bool },
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
        match self.note(iss, nonce, minted_at_generation, Instant::now()) {
            InMemory::Seen => return Ok(true),
            InMemory::New {
                authoritative: true,
            } => return Ok(false),
            InMemory::New {
                authoritative: false,
            } => {}
        }
        let (i, n) = (iss.to_string(), nonce.to_string());
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

    /// Marks (iss, nonce) as received in memory and says what memory knew of it.
    fn note(
        &self,
        iss: &str,
        nonce: &str,
        minted_at_generation: Option<u64>,
        now: Instant,
    ) -> InMemory {
        let key = (iss.to_string(), nonce.to_string());
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if seen.set.contains(&key) {
            return InMemory::Seen;
        }
        let size = key.0.len() + key.1.len() + ENTRY_OVERHEAD;
        if seen.set.len() >= MEMORY_CAP || seen.bytes + size > MEMORY_BYTES {
            self.empty(&mut seen);
        }
        seen.bytes += size;
        seen.since.get_or_insert(now);
        seen.set.insert(key);
        InMemory::New {
            authoritative: minted_at_generation == Some(self.generation()),
        }
    }

    fn empty(&self, seen: &mut Seen) {
        seen.set.clear();
        seen.set.shrink_to_fit();
        seen.bytes = 0;
        seen.since = None;
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    /// Empties the set once its oldest entry is older than `age` (the sweep's beat): memory is
    /// bounded by age as well as by count and bytes; the table answers for older nonces.
    pub fn forget_older_than(&self, age: Duration, now: Instant) -> bool {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        let old = seen
            .since
            .is_some_and(|t| now.saturating_duration_since(t) > age);
        if old {
            self.empty(&mut seen);
        }
        old
    }

    /// Entries and bytes held in memory.
    #[cfg(test)]
    fn held(&self) -> (usize, usize) {
        let seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        (seen.set.len(), seen.bytes)
    }

    /// Forgets everything in memory (the table answers from now on), as when the set is full.
    pub fn clear(&self) {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        self.empty(&mut seen);
    }
}

/// Records (issuer, nonce) as received, in the launch's write. A failure here must not take the
/// launch's flow and findings with it: the insert fails alone (SQLite rolls back just the
/// statement) and is logged.
pub(crate) fn record_seen(tx: &rusqlite::Transaction, iss: &str, nonce: &str, flow_id: &str) {
    let recorded = tx
        .prepare_cached(
            "INSERT OR IGNORE INTO seen_nonces(issuer, nonce, first_seen, flow_id) VALUES (?1, ?2, ?3, ?4)",
        )
        .and_then(|mut st| st.execute(rusqlite::params![iss, nonce, lti_core::clock::now_ms(), flow_id]));
    if let Err(e) = recorded {
        tracing::error!(error = %e, "could not record a seen nonce");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nonce_is_new_once_and_memory_answers_for_its_own_generation() {
        let n = Nonces::default();
        let g = n.generation();
        let now = Instant::now();
        assert_eq!(
            n.note("https://lms", "a", Some(g), now),
            InMemory::New {
                authoritative: true
            }
        );
        assert_eq!(n.note("https://lms", "a", Some(g), now), InMemory::Seen);
        // Same nonce, other issuer: another entry. Not minted here: the table must answer.
        assert_eq!(
            n.note("https://other", "a", None, now),
            InMemory::New {
                authoritative: false
            }
        );
    }

    /// Issue 9, item 5: posted nonces cannot grow memory without bound, in bytes or in time.
    #[test]
    fn memory_is_bounded_by_bytes_and_by_age() {
        let n = Nonces::default();
        let big = "x".repeat(1024 * 1024);
        let now = Instant::now();
        for i in 0..100 {
            n.note("https://lms", &format!("{i}{big}"), None, now);
        }
        let (count, bytes) = n.held();
        assert!(bytes <= MEMORY_BYTES, "{bytes} bytes held");
        assert!(count > 0 && count < 100, "{count} nonces held");
        assert!(n.generation() > 0, "emptying starts a new generation");

        let g = n.generation();
        assert!(!n.forget_older_than(Duration::from_secs(60), now + Duration::from_secs(59)));
        assert!(n.forget_older_than(Duration::from_secs(60), now + Duration::from_secs(61)));
        assert_eq!(n.held(), (0, 0));
        assert_eq!(
            n.generation(),
            g + 1,
            "a nonce minted before is no longer vouched for"
        );
        assert!(!n.forget_older_than(Duration::ZERO, now + Duration::from_secs(3600)));
    }
}
