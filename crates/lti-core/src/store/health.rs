//! Whether the store can write. A full disk is noticed by the write that hits it (SQLite
//! answers SQLITE_FULL and rolls that transaction back, so nothing stored before is touched) and
//! is over when a write succeeds again: either a real one, or the probe that runs every few
//! seconds while the disk is full, so the UI's banner goes away when space returns even if no
//! launch arrives. Listeners (the engine's `StatusChanged` event) hear both changes.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Why the store cannot write right now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct StorageProblem {
    pub message: String,
    /// When the first failed write happened (unix ms).
    pub since_ms: i64,
    /// Free bytes on the data folder's file system when last looked at (unix only).
    #[ts(optional = nullable, type = "number")]
    pub free_bytes: Option<u64>,
}

type Listener = Box<dyn Fn() + Send + Sync>;

#[derive(Default)]
pub(super) struct Health {
    /// Mirrors `problem.is_some()`: every successful write asks, so the healthy case is one
    /// atomic load instead of a lock on the capture path.
    full: AtomicBool,
    problem: Mutex<Option<StorageProblem>>,
    listeners: Mutex<Vec<Listener>>,
    pub(super) probing: AtomicBool,
}

impl Health {
    pub(super) fn get(&self) -> Option<StorageProblem> {
        self.problem.lock().map(|p| p.clone()).unwrap_or(None)
    }

    /// Records a failed write; true when the store was healthy until now.
    pub(super) fn set_full(&self, message: String, free_bytes: Option<u64>) -> bool {
        let first = {
            let Ok(mut p) = self.problem.lock() else {
                return false;
            };
            let first = p.is_none();
            let since_ms = p
                .as_ref()
                .map(|p| p.since_ms)
                .unwrap_or_else(crate::clock::now_ms);
            *p = Some(StorageProblem {
                message,
                since_ms,
                free_bytes,
            });
            self.full.store(true, Ordering::Release);
            first
        };
        if first {
            self.notify();
        }
        first
    }

    /// Records a successful write; notifies when that ends a problem.
    pub(super) fn set_ok(&self) {
        if !self.full.load(Ordering::Acquire) {
            return;
        }
        let was = self
            .problem
            .lock()
            .map(|mut p| {
                self.full.store(false, Ordering::Release);
                p.take().is_some()
            })
            .unwrap_or(false);
        if was {
            self.notify();
        }
    }

    pub(super) fn is_full(&self) -> bool {
        self.full.load(Ordering::Acquire)
    }

    pub(super) fn listen(&self, f: Listener) {
        if let Ok(mut l) = self.listeners.lock() {
            l.push(f);
        }
    }

    fn notify(&self) {
        if let Ok(l) = self.listeners.lock() {
            for f in l.iter() {
                f();
            }
        }
    }
}

/// Free bytes for an unprivileged writer on the file system holding `path`.
#[cfg(unix)]
pub fn free_bytes(path: &Path) -> Option<u64> {
    let dir = if path.is_dir() { path } else { path.parent()? };
    let st = rustix::fs::statvfs(dir).ok()?;
    Some(st.f_bavail.saturating_mul(st.f_frsize))
}

#[cfg(not(unix))]
pub fn free_bytes(_path: &Path) -> Option<u64> {
    None
}
