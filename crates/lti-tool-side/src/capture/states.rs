//! Launch states minted by the login endpoint: kept in memory as well as in `launch_states`,
//! so the launch that comes back a moment later is matched without a database read, and a
//! double submit is caught atomically. The table remains the source after a restart (or when
//! an entry was evicted): a state not found here is looked up there.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rusqlite::Transaction;
use serde_json::Value;

/// How long a state is kept in memory: the state cookie's lifetime.
const TTL: Duration = Duration::from_secs(900);
/// Entries kept before expired ones are dropped (and, if still full, all of them).
const CAP: usize = 100_000;
/// Bytes of login parameters kept in memory: a login's parameters come from an
/// unauthenticated request (up to the body limit each), so the count alone does not bound the
/// memory (issue 9, item 5). Over it, expired entries go, then all: the table still answers.
const MEMORY_BYTES: usize = 32 * 1024 * 1024;

/// What the login stored for one state.
#[derive(Debug, Clone)]
pub struct MintedState {
    pub state: String,
    pub flow_id: String,
    pub nonce: String,
    pub platform_id: Option<String>,
    pub login: Vec<(String, String)>,
    /// The nonce store's generation when this state was minted (see
    /// [`super::nonces::Nonces::generation`]).
    pub nonce_generation: u64,
}

/// A state as the launch sees it.
#[derive(Debug, Clone)]
pub struct FoundState {
    pub minted: Arc<MintedState>,
    /// Already consumed by an earlier launch.
    pub used: bool,
    /// Found in memory: minted by this process.
    pub in_memory: bool,
}

struct Entry {
    minted: Arc<MintedState>,
    at: Instant,
    used: bool,
    bytes: usize,
}

#[derive(Default)]
struct Held {
    map: HashMap<String, Entry>,
    bytes: usize,
}

impl Held {
    fn drop_expired(&mut self) {
        self.map.retain(|_, e| e.at.elapsed() < TTL);
        self.bytes = self.map.values().map(|e| e.bytes).sum();
    }
}

#[derive(Default)]
pub struct LaunchStates {
    held: Mutex<Held>,
}

fn size_of(m: &MintedState) -> usize {
    m.state.len()
        + m.flow_id.len()
        + m.nonce.len()
        + m.login
            .iter()
            .map(|(k, v)| k.len() + v.len())
            .sum::<usize>()
        + 128
}

impl LaunchStates {
    fn lock(&self) -> std::sync::MutexGuard<'_, Held> {
        self.held.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn remember(&self, minted: MintedState) {
        let bytes = size_of(&minted);
        let mut held = self.lock();
        if held.map.len() >= CAP || held.bytes + bytes > MEMORY_BYTES {
            held.drop_expired();
            if held.map.len() >= CAP || held.bytes + bytes > MEMORY_BYTES {
                held.map.clear();
                held.bytes = 0;
            }
        }
        held.bytes += bytes;
        let old = held.map.insert(
            minted.state.clone(),
            Entry {
                minted: Arc::new(minted),
                at: Instant::now(),
                used: false,
                bytes,
            },
        );
        if let Some(old) = old {
            held.bytes -= old.bytes;
        }
    }

    /// Drops the states older than their cookie's lifetime (run on a schedule).
    pub fn expire(&self) {
        self.lock().drop_expired();
    }

    /// States held in memory, and their bytes.
    pub fn held(&self) -> (usize, usize) {
        let held = self.lock();
        (held.map.len(), held.bytes)
    }

    /// The state, marked used from now on; `used` says whether it already was.
    pub fn consume(&self, state: &str) -> Option<FoundState> {
        let mut held = self.lock();
        let e = held.map.get_mut(state).filter(|e| e.at.elapsed() < TTL)?;
        let was_used = std::mem::replace(&mut e.used, true);
        Some(FoundState {
            minted: e.minted.clone(),
            used: was_used,
            in_memory: true,
        })
    }
}

/// The `launch_states` row for a minted state (run in the login's transaction).
pub fn insert(tx: &Transaction, m: &MintedState) -> lti_core::Result<()> {
    let login_json = Value::Object(
        m.login
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect(),
    )
    .to_string();
    tx.prepare_cached(
        "INSERT INTO launch_states(state, flow_id, nonce, platform_id, login_params, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(rusqlite::params![
        m.state,
        m.flow_id,
        m.nonce,
        m.platform_id,
        login_json,
        lti_core::clock::now_ms()
    ])?;
    Ok(())
}

/// The stored state, for launches whose state is not in memory (minted before a restart).
pub fn lookup(c: &rusqlite::Connection, state: &str) -> lti_core::Result<Option<FoundState>> {
    use rusqlite::OptionalExtension;
    Ok(c.query_row(
        // Used once its flow has received a launch (or an error) — derived rather than written
        // back, which spares every launch an update of a random page of this table.
        "SELECT s.flow_id, s.nonce, s.platform_id, s.login_params,
                s.used_at IS NOT NULL OR EXISTS(SELECT 1 FROM messages m WHERE m.flow_id = s.flow_id AND m.kind IN ('id_token', 'auth_response'))
         FROM launch_states s WHERE s.state = ?1",
        [state],
        |r| {
            let login: String = r.get(3)?;
            let map: serde_json::Map<String, Value> =
                serde_json::from_str(&login).unwrap_or_default();
            Ok(FoundState {
                minted: Arc::new(MintedState {
                    state: state.to_string(),
                    flow_id: r.get(0)?,
                    nonce: r.get(1)?,
                    platform_id: r.get(2)?,
                    login: map
                        .into_iter()
                        .map(|(k, v)| (k, v.as_str().unwrap_or_default().to_string()))
                        .collect(),
                    nonce_generation: u64::MAX,
                }),
                used: r.get(4)?,
                in_memory: false,
            })
        },
    )
    .optional()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minted(state: &str) -> MintedState {
        MintedState {
            state: state.into(),
            flow_id: "f".into(),
            nonce: "n".into(),
            platform_id: None,
            login: vec![("iss".into(), "https://lms".into())],
            nonce_generation: 0,
        }
    }

    #[test]
    fn a_state_is_consumed_once() {
        let s = LaunchStates::default();
        assert!(s.consume("a").is_none());
        s.remember(minted("a"));
        let first = s.consume("a").unwrap();
        assert!(!first.used && first.in_memory);
        assert_eq!(first.minted.login[0].1, "https://lms");
        assert!(
            s.consume("a").unwrap().used,
            "second launch with the same state"
        );
    }

    /// Issue 9, item 5: unauthenticated logins cannot grow memory without bound.
    #[test]
    fn memory_is_bounded_by_bytes() {
        let s = LaunchStates::default();
        let big = "x".repeat(1024 * 1024);
        for i in 0..100 {
            let mut m = minted(&format!("s{i}"));
            m.login.push(("lti_message_hint".into(), big.clone()));
            s.remember(m);
        }
        let (count, bytes) = s.held();
        assert!(bytes <= MEMORY_BYTES, "{bytes} bytes held");
        assert!(count < 100 && count > 0, "{count} states held");
        assert!(s.consume("s99").is_some(), "the newest state is still held");
    }
}
