//! Forgetting what a launch needed once no launch can use it any more, on a schedule: login
//! states (their cookie lives 15 minutes; rows are kept a day, so a late launch is still
//! explained) and seen nonces (kept two days: a token replayed later has long expired, and
//! `idtoken.exp` refuses it). Memory is trimmed on the same beat. Unauthenticated logins and
//! posts create these rows, so without this they would grow without end (issue 9, item 5).

use std::time::Duration;

use crate::ToolSide;

/// Launch states older than this are deleted.
pub const STATE_ROWS_KEPT: Duration = Duration::from_secs(24 * 3600);
/// Seen nonces older than this are deleted.
pub const NONCE_ROWS_KEPT: Duration = Duration::from_secs(48 * 3600);
/// Nonces are kept in memory at most this long (the table keeps them for `NONCE_ROWS_KEPT`): a
/// launch's own nonce is checked within minutes of its login.
const NONCE_MEMORY_KEPT: Duration = Duration::from_secs(3600);
/// How often the sweep runs.
const EVERY: Duration = Duration::from_secs(600);

/// Rows deleted per table in one write: the writer is free for captures between batches.
const BATCH: usize = 2_000;

/// Deletes the expired rows among the `limit` oldest of `table`. Rows are appended in time
/// order, so the expired ones are at the front in rowid order: each batch reads only the rows
/// it may delete, never the whole table (1.2 M launch states are a 43 ms scan hot, seconds
/// cold, held on the only writer). A row behind a fresher one (a clock step) waits for it.
fn delete_oldest(
    tx: &rusqlite::Transaction,
    table: &str,
    time_col: &str,
    cutoff_ms: i64,
    limit: usize,
) -> lti_core::Result<usize> {
    let sql = format!(
        "DELETE FROM {table} WHERE rowid IN (SELECT rowid FROM {table} ORDER BY rowid LIMIT ?2) AND {time_col} < ?1"
    );
    Ok(tx
        .prepare_cached(&sql)?
        .execute(rusqlite::params![cutoff_ms, limit as i64])?)
}

/// One batch: deletes up to `limit` expired states and nonces as of `now_ms`; returns
/// (states, nonces) deleted. A table is done when it returns fewer than `limit`.
pub fn sweep_batch(
    tx: &rusqlite::Transaction,
    now_ms: i64,
    limit: usize,
) -> lti_core::Result<(usize, usize)> {
    let states = delete_oldest(
        tx,
        "launch_states",
        "created_at",
        now_ms.saturating_sub(STATE_ROWS_KEPT.as_millis() as i64),
        limit,
    )?;
    let nonces = delete_oldest(
        tx,
        "seen_nonces",
        "first_seen",
        now_ms.saturating_sub(NONCE_ROWS_KEPT.as_millis() as i64),
        limit,
    )?;
    Ok((states, nonces))
}

/// Deletes every expired state and nonce as of `now_ms` in one transaction; returns (states,
/// nonces) deleted.
pub fn sweep(tx: &rusqlite::Transaction, now_ms: i64) -> lti_core::Result<(usize, usize)> {
    let mut total = (0, 0);
    loop {
        let (s, n) = sweep_batch(tx, now_ms, BATCH)?;
        total = (total.0 + s, total.1 + n);
        if s < BATCH && n < BATCH {
            return Ok(total);
        }
    }
}

/// Sweeps (in batches) and trims memory every ten minutes until `stop` turns true.
pub(crate) fn run(tool: ToolSide, mut stop: tokio::sync::watch::Receiver<bool>) {
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = tokio::time::sleep(EVERY) => {}
                _ = stop.wait_for(|s| *s) => return,
            }
            tool.launch_states().expire();
            tool.nonces()
                .forget_older_than(NONCE_MEMORY_KEPT, std::time::Instant::now());
            let now = lti_core::clock::now_ms();
            let mut total = (0, 0);
            // Batch by batch, each its own write, so captures interleave with a large sweep.
            loop {
                match tool
                    .store()
                    .write(move |tx| sweep_batch(tx, now, BATCH))
                    .await
                {
                    Ok((s, n)) => {
                        total = (total.0 + s, total.1 + n);
                        if s < BATCH && n < BATCH {
                            break;
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "could not expire launch states and nonces");
                        break;
                    }
                }
            }
            if total.0 + total.1 > 0 {
                tracing::info!(
                    states = total.0,
                    nonces = total.1,
                    "expired launch states and nonces"
                );
            }
        }
    });
}
