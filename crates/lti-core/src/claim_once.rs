//! Single-use values seen since start (emulator launch hints, platform-storage checks): the
//! first claim of a value wins. Bounded: emptied when full — the store's own records answer
//! for what was forgotten.

use std::collections::HashSet;
use std::sync::Mutex;

#[derive(Default)]
pub struct ClaimOnce(Mutex<HashSet<String>>);

impl ClaimOnce {
    const CAP: usize = 100_000;

    /// True the first time `value` is claimed.
    pub fn claim(&self, value: &str) -> bool {
        let mut seen = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if seen.len() >= Self::CAP {
            seen.clear();
        }
        seen.insert(value.to_string())
    }
}
