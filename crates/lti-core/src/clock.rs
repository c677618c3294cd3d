//! The engine's one wall clock. Protocol code never reads it: validation takes `now` as an
//! argument, so captured launches can be re-validated as of the moment they arrived.

use std::time::{SystemTime, UNIX_EPOCH};

pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

pub fn now_secs() -> i64 {
    now_ms() / 1000
}
