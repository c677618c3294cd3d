//! The SQLite store: one writer thread that group-commits (many exchanges per transaction, each
//! caller answered only after its commit), and a few reader connections. WAL lets reads proceed
//! while the writer commits. A file that is not a database is reported and never overwritten.

pub mod exchanges;
pub mod flows;
pub(crate) mod header_rows;
mod health;
pub mod key_rows;
pub(crate) mod migrate;
pub mod platforms;
pub mod tokens;

use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc, Mutex};

use rusqlite::{Connection, OpenFlags, Transaction};
use tokio::sync::oneshot;

use crate::error::{Error, Result};

pub use exchanges::{Direction, Exchange, ExchangeSummary, Header, NewExchange, Side};
pub use flows::{FlowSummary, NewFlow};
pub use health::{free_bytes, StorageProblem};
pub use key_rows::KeyRow;
pub use platforms::Platform;

/// A job runs inside the writer's transaction (within its own savepoint) and returns a
/// completion that is called after the commit, with the commit's error if it failed.
type Completion = Box<dyn FnOnce(Option<&Error>) + Send>;
type Job = Box<dyn FnOnce(&Transaction) -> Completion + Send>;

/// How often a full store looks for free space again, and how much it wants before it tries.
const PROBE_EVERY: std::time::Duration = std::time::Duration::from_secs(2);
const PROBE_MIN_FREE: u64 = 256 * 1024;

/// Most jobs a single transaction takes; bounds latency of the first job in a burst.
const MAX_BATCH: usize = 256;

#[derive(Clone)]
pub struct Store {
    inner: Arc<StoreInner>,
}

struct StoreInner {
    path: PathBuf,
    writer: Mutex<Option<mpsc::Sender<Job>>>,
    /// A few reader connections (WAL readers do not block each other or the writer); a read
    /// takes the first free one.
    readers: Vec<Mutex<Connection>>,
    next_reader: std::sync::atomic::AtomicUsize,
    health: health::Health,
}

/// Readers kept open: enough for the capture path's concurrent lookups on a small machine.
const READERS: usize = 4;

impl StoreInner {
    /// A reader connection not in use, without waiting.
    fn free_reader(&self) -> Option<std::sync::MutexGuard<'_, Connection>> {
        let start = self
            .next_reader
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        (0..self.readers.len()).find_map(|i| {
            match self.readers[(start + i) % self.readers.len()].try_lock() {
                Ok(guard) => Some(guard),
                // A reader whose user panicked is still a good connection.
                Err(std::sync::TryLockError::Poisoned(p)) => Some(p.into_inner()),
                Err(std::sync::TryLockError::WouldBlock) => None,
            }
        })
    }

    fn reader(&self) -> std::sync::MutexGuard<'_, Connection> {
        if let Some(guard) = self.free_reader() {
            return guard;
        }
        let next = self
            .next_reader
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.readers[next % self.readers.len()]
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Store {
    /// Opens (creating if absent) the database at `path` and applies pending migrations.
    pub fn open(path: &Path) -> Result<Self> {
        let existed = path.exists();
        let mut conn = open_conn(path)?;
        if existed {
            check_is_database(&conn, path)?;
        }
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(|e| corrupt_or(e, path))?;
        // FULL: every commit is fsynced before the answer leaves, so an acknowledged capture
        // survives a power loss too ("nothing is lost"), not only a crash of this process as
        // under NORMAL. Measured (README, bench-capture and bench-emulator): no loss of capture
        // throughput under load (group commit amortises the fsync), about +0.2 ms per commit,
        // +0.9 ms on a full emulator flow. LTI_INSPECTOR_SYNCHRONOUS=normal trades that back.
        let synchronous = match std::env::var("LTI_INSPECTOR_SYNCHRONOUS").as_deref() {
            Ok("normal") | Ok("NORMAL") => "NORMAL",
            _ => "FULL",
        };
        conn.pragma_update(None, "synchronous", synchronous)?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // Launch states and nonces are keyed by random tokens, so every launch touches index
        // pages all over those tables: a larger page cache (32 MiB; default 2 MiB) keeps them
        // from being re-read through the OS on each commit.
        conn.pragma_update(None, "cache_size", -32_768)?;
        migrate::run(&mut conn).map_err(|e| match e {
            Error::Database(d) => corrupt_or(d, path),
            other => other,
        })?;
        let readers = (0..READERS)
            .map(|_| open_conn(path).map(Mutex::new))
            .collect::<Result<Vec<_>>>()?;
        // Checkpoints (copying the WAL into the database, with an fsync) run on their own
        // thread: inside the writer's commits they stalled every waiting request for the
        // length of an fsync.
        conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        let checkpointer = open_conn(path)?;
        let (ckpt_tx, ckpt_rx) = mpsc::channel::<usize>();
        std::thread::Builder::new()
            .name("store-checkpoint".into())
            .spawn(move || checkpoint_loop(checkpointer, ckpt_rx))
            .map_err(Error::Io)?;
        let (tx, rx) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("store-writer".into())
            .spawn(move || writer_loop(conn, rx, ckpt_tx))
            .map_err(Error::Io)?;
        Ok(Self {
            inner: Arc::new(StoreInner {
                path: path.to_path_buf(),
                writer: Mutex::new(Some(tx)),
                readers,
                next_reader: Default::default(),
                health: Default::default(),
            }),
        })
    }

    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Runs `f` in the writer's next transaction; resolves after the commit. A full disk comes
    /// back as [`Error::StorageFull`] and marks the store unhealthy until a write succeeds.
    pub async fn write<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction) -> Result<T> + Send + 'static,
    {
        let done_rx = self.submit(f)?;
        let result = done_rx
            .await
            .map_err(|_| Error::Internal("store writer dropped a job".into()))?;
        self.note_outcome(result)
    }

    /// Sends a job to the writer; the receiver resolves after its commit.
    fn submit<T, F>(&self, f: F) -> Result<oneshot::Receiver<Result<T>>>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction) -> Result<T> + Send + 'static,
    {
        let (done_tx, done_rx) = oneshot::channel::<Result<T>>();
        let job: Job = Box::new(move |tx: &Transaction| {
            let result = run_in_savepoint(tx, f);
            Box::new(move |commit_err: Option<&Error>| {
                let result = match (result, commit_err) {
                    (Ok(_), Some(e)) if e.is_disk_full() => Err(Error::StorageFull {
                        path: String::new(),
                        reason: e.to_string(),
                    }),
                    (Ok(_), Some(e)) => Err(Error::Internal(format!("commit failed: {e}"))),
                    (r, _) => r,
                };
                let _ = done_tx.send(result);
            })
        });
        let guard = self.inner.writer.lock().expect("writer lock");
        let sender = guard
            .as_ref()
            .ok_or_else(|| Error::Internal("store is closed".into()))?;
        sender
            .send(job)
            .map_err(|_| Error::Internal("store writer stopped".into()))?;
        Ok(done_rx)
    }

    /// Turns a disk-full failure into [`Error::StorageFull`] naming the data folder, and keeps
    /// the store's health in step with what the last write found.
    fn note_outcome<T>(&self, result: Result<T>) -> Result<T> {
        match result {
            Err(e) if e.is_disk_full() => {
                let reason = match e {
                    Error::StorageFull { reason, .. } => reason,
                    other => other.to_string(),
                };
                let dir = self.inner.path.parent().unwrap_or(&self.inner.path);
                let err = Error::StorageFull {
                    path: dir.display().to_string(),
                    reason,
                };
                tracing::error!(error = %err, "store: disk full");
                if self
                    .inner
                    .health
                    .set_full(err.to_string(), health::free_bytes(&self.inner.path))
                {
                    self.start_space_probe();
                }
                Err(err)
            }
            Ok(v) => {
                self.inner.health.set_ok();
                Ok(v)
            }
            other => other,
        }
    }

    /// Why the store cannot write right now, if it cannot.
    pub fn storage_problem(&self) -> Option<StorageProblem> {
        self.inner.health.get()
    }

    /// Calls `f` whenever the store becomes unable to write or able again.
    pub fn on_health_change(&self, f: impl Fn() + Send + Sync + 'static) {
        self.inner.health.listen(Box::new(f));
    }

    /// While the disk is full, tries a one-row write every [`PROBE_EVERY`] once the file system
    /// reports free space, so the problem clears when space returns even if nothing else writes.
    fn start_space_probe(&self) {
        if self
            .inner
            .health
            .probing
            .swap(true, std::sync::atomic::Ordering::SeqCst)
        {
            return;
        }
        let store = self.clone();
        let spawned = std::thread::Builder::new()
            .name("store-space-probe".into())
            .spawn(move || {
                while store.inner.health.is_full() {
                    std::thread::sleep(PROBE_EVERY);
                    let free = health::free_bytes(&store.inner.path);
                    if free.is_some_and(|b| b < PROBE_MIN_FREE) {
                        continue;
                    }
                    let Ok(rx) = store.submit(|tx| {
                        // Rewrites one row with its own value: a real page write, no change.
                        tx.execute(
                            "UPDATE model_version SET version = version WHERE id = 1",
                            [],
                        )?;
                        Ok(())
                    }) else {
                        break; // the store is closed
                    };
                    match rx.blocking_recv() {
                        Ok(r) => {
                            let _ = store.note_outcome(r);
                        }
                        Err(_) => break,
                    }
                }
                store
                    .inner
                    .health
                    .probing
                    .store(false, std::sync::atomic::Ordering::SeqCst);
            });
        if spawned.is_err() {
            self.inner
                .health
                .probing
                .store(false, std::sync::atomic::Ordering::SeqCst);
        }
    }

    /// For the launch paths' indexed lookups (tens of microseconds): runs `f` right here when
    /// a reader connection is free — cheaper than a hop to the blocking pool and back — else
    /// as [`Store::read`]. Not for scans: they would hold up the async worker.
    pub async fn lookup<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
    {
        if let Some(conn) = self.inner.free_reader() {
            return f(&conn);
        }
        self.read(f).await
    }

    /// Runs `f` on a reader connection on a blocking thread.
    pub async fn read<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
    {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let conn = inner.reader();
            f(&conn)
        })
        .await
        .map_err(|e| Error::Internal(format!("read task failed: {e}")))?
    }

    /// Synchronous read for non-async callers (CLI subcommands, tests).
    pub fn read_blocking<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let conn = self.inner.reader();
        f(&conn)
    }
}

fn open_conn(path: &Path) -> Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| corrupt_or(e, path))?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    // No journal_size_limit: a restarted log is reused from its start but its file keeps the
    // largest size it reached (400-800 MiB at bench-capture's saturation under FULL; removed
    // at close). Cutting it back at each reset (64 MiB) measured 15-25 % fewer captures a
    // second: the file then grows again, and under FULL every growth is synced.
    Ok(conn)
}

/// Reads the schema before anything writes, so a foreign or damaged file is detected while it is
/// still untouched.
fn check_is_database(conn: &Connection, path: &Path) -> Result<()> {
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    })
    .map(|_| ())
    .map_err(|e| corrupt_or(e, path))
}

fn corrupt_or(e: rusqlite::Error, path: &Path) -> Error {
    use rusqlite::ErrorCode as C;
    match e.sqlite_error_code() {
        Some(C::NotADatabase) | Some(C::DatabaseCorrupt) => Error::DatabaseCorrupt {
            path: path.display().to_string(),
            reason: e.to_string(),
        },
        _ => Error::Database(e),
    }
}

fn run_in_savepoint<T>(tx: &Transaction, f: impl FnOnce(&Transaction) -> Result<T>) -> Result<T> {
    savepoint(tx, "job", f)
}

/// Runs `f` inside savepoint `name`: rolled back alone when it fails. The statements are
/// prepared once per connection (every job of the writer runs one).
pub fn savepoint<T>(
    tx: &Transaction,
    name: &'static str,
    f: impl FnOnce(&Transaction) -> Result<T>,
) -> Result<T> {
    let sql = |verb: &str| format!("{verb} {name}");
    tx.prepare_cached(&sql("SAVEPOINT"))?.execute([])?;
    match f(tx) {
        Ok(v) => {
            tx.prepare_cached(&sql("RELEASE"))?.execute([])?;
            Ok(v)
        }
        Err(e) => {
            roll_back(tx, name);
            Err(e)
        }
    }
}

/// Undoes savepoint `name`. The only way the writer rolls back, so that what it remembers of
/// this transaction (the token rows, [`tokens::memo_forget`]) is forgotten with it.
fn roll_back(tx: &Transaction, name: &str) {
    let _ = tx.execute_batch(&format!("ROLLBACK TO {name}; RELEASE {name}"));
    tokens::memo_forget();
}

/// Jobs committed between checkpoints; also checkpointed after a quiet second.
const CHECKPOINT_EVERY_JOBS: usize = 1000;

/// Log frames (pages) past which the log is restarted: 4,096 pages, 16 MiB at 4 KiB pages (a
/// shorter pause, more often; the copying is the same).
const WAL_RESTART_FRAMES: i64 = 4_096;

fn checkpoint_loop(conn: Connection, rx: mpsc::Receiver<usize>) {
    let run = |mode: &str| -> rusqlite::Result<i64> {
        // (busy, frames in the log, frames checkpointed)
        conn.query_row(&format!("PRAGMA wal_checkpoint({mode})"), [], |r| r.get(1))
    };
    let checkpoint = |why: &str| {
        // PASSIVE never blocks the writer or readers, but under steady writes it never catches
        // up with the end of the log, so the log is never restarted and grows without bound
        // (1.2 GiB after 40,000 launches). Past WAL_RESTART_FRAMES a RESTART checkpoint waits
        // for the writer (it pauses for the copy) and lets the next write start the log afresh.
        match run("PASSIVE") {
            Ok(frames) if frames > WAL_RESTART_FRAMES => {
                if let Err(e) = run("RESTART") {
                    tracing::warn!(error = %e, why, "store: restarting checkpoint failed");
                }
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, why, "store: checkpoint failed"),
        }
    };
    let mut pending = 0usize;
    loop {
        match rx.recv_timeout(std::time::Duration::from_secs(1)) {
            Ok(jobs) => {
                pending += jobs;
                if pending >= CHECKPOINT_EVERY_JOBS {
                    checkpoint("size");
                    pending = 0;
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if pending > 0 {
                    checkpoint("idle");
                    pending = 0;
                }
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                if pending > 0 {
                    checkpoint("close");
                }
                return;
            }
        }
    }
}

/// How long the writer keeps looking for the next job before it sleeps. A launch is a burst of
/// requests a fraction of a millisecond apart; waking a sleeping thread (on a virtual machine, an
/// idle vCPU) costs a good part of that, so the writer stays awake briefly after each batch.
const SPIN: std::time::Duration = std::time::Duration::from_micros(300);

fn next_job(rx: &mpsc::Receiver<Job>) -> Option<Job> {
    let until = std::time::Instant::now() + SPIN;
    loop {
        match rx.try_recv() {
            Ok(job) => return Some(job),
            Err(mpsc::TryRecvError::Disconnected) => return None,
            Err(mpsc::TryRecvError::Empty) if std::time::Instant::now() < until => {
                std::thread::yield_now()
            }
            Err(mpsc::TryRecvError::Empty) => return rx.recv().ok(),
        }
    }
}

fn writer_loop(mut conn: Connection, rx: mpsc::Receiver<Job>, checkpoints: mpsc::Sender<usize>) {
    while let Some(first) = next_job(&rx) {
        let mut jobs = vec![first];
        while jobs.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        // IMMEDIATE: the write lock is taken at BEGIN, where the busy timeout applies. A
        // deferred transaction that reads first and then writes cannot wait for a lock another
        // process (the CLI next to the app) took meanwhile: SQLite fails it at once.
        let tx = match conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate) {
            Ok(tx) => tx,
            Err(e) => {
                let err = Error::Database(e);
                tracing::error!(error = %err, "store: cannot begin transaction");
                // Each job still gets an answer; nothing hangs.
                for job in jobs {
                    drop(job);
                }
                continue;
            }
        };
        let count = jobs.len();
        tokens::memo_begin();
        // A job that panics fails alone: its caller's answer is dropped (an error there), its
        // savepoint is rolled back, and the writer goes on with the others — a panic must not
        // end the only thread that writes (issue 9, item 10).
        let completions: Vec<Completion> = jobs
            .into_iter()
            .filter_map(|job| {
                match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(&tx))) {
                    Ok(done) => Some(done),
                    Err(_) => {
                        tracing::error!("store: a write job panicked; it was rolled back alone");
                        roll_back(&tx, "job");
                        None
                    }
                }
            })
            .collect();
        let commit = tx.commit().map_err(Error::Database);
        tokens::memo_end();
        if let Err(e) = &commit {
            tracing::error!(error = %e, "store: commit failed");
        }
        for done in completions {
            done(commit.as_ref().err());
        }
        let _ = checkpoints.send(count);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every shape of the list queries seeks an index: none scans a whole table (opening a flow
    /// did, through `(? IS NULL OR flow_id = ?)`: 137 ms at 100k flows).
    #[test]
    fn list_plans_use_the_indexes() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("inspector.db")).unwrap();
        let plan = |sql: String| -> String {
            store
                .read_blocking(move |c| {
                    let mut stmt = c.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
                    let nulls = std::iter::repeat_n(rusqlite::types::Null, stmt.parameter_count());
                    let rows = stmt
                        .query_map(rusqlite::params_from_iter(nulls), |r| r.get::<_, String>(3))?;
                    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?.join(" | "))
                })
                .unwrap()
        };
        let p = plan(exchanges::list_sql(false, true));
        assert!(p.contains("USING INDEX exchanges_flow"), "{p}");
        let p = plan(exchanges::list_sql(true, true));
        assert!(p.contains("USING INDEX exchanges_flow"), "{p}");
        let p = plan(exchanges::list_sql(true, false));
        assert!(p.contains("USING INTEGER PRIMARY KEY"), "{p}");
        let p = plan(exchanges::list_sql(false, false));
        assert!(
            !p.contains("TEMP B-TREE"),
            "sorted by the rowid, not a sort: {p}"
        );
        for before in [false, true] {
            let p = plan(flows::list_sql(before));
            assert!(p.contains("USING INDEX flows_started"), "{p}");
            assert!(!p.contains("TEMP B-TREE"), "{p}");
        }
        // The other side of a launch (every get_flow): by the flow index, then the key.
        let p = plan(flows::related_sql());
        assert!(
            p.contains("USING COVERING INDEX flow_links_flow (flow_id=?)"),
            "{p}"
        );
        assert!(p.contains("USING PRIMARY KEY (link_key=?)"), "{p}");
        assert!(!p.contains("SCAN"), "{p}");
    }

    /// Issue 9, item 10: a write job that panics fails alone; the writer keeps writing, and a
    /// reader whose user panicked keeps reading.
    #[tokio::test]
    async fn a_panicking_job_fails_alone_and_the_store_keeps_working() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("inspector.db")).unwrap();
        let boom = store
            .write(|tx| -> Result<()> {
                tx.execute("CREATE TABLE half_done (x INTEGER)", [])?;
                panic!("a bug in a write job")
            })
            .await;
        assert!(boom.is_err());
        let n = store
            .write(|tx| {
                Ok(tx.query_row(
                    "SELECT count(*) FROM sqlite_master WHERE name = 'half_done'",
                    [],
                    |r| r.get::<_, i64>(0),
                )?)
            })
            .await
            .unwrap();
        assert_eq!(n, 0, "the panicking job's writes were rolled back");
        // Every reader's lock poisoned by a panicking user.
        for _ in 0..4 * READERS {
            if store.inner.readers.iter().all(|r| r.is_poisoned()) {
                break;
            }
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                store.read_blocking(|_| -> Result<()> { panic!("a bug in a reader") })
            }));
        }
        assert!(store.inner.readers.iter().all(|r| r.is_poisoned()));
        for _ in 0..8 {
            assert_eq!(
                store
                    .read(|c| Ok(c.query_row("SELECT 1", [], |r| r.get::<_, i64>(0))?))
                    .await
                    .unwrap(),
                1
            );
        }
    }

    /// Issue 9, item 10: a database a newer version migrated is refused, not misread.
    #[tokio::test]
    async fn a_database_from_a_newer_version_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("inspector.db");
        drop(Store::open(&path).unwrap());
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute(
            "INSERT INTO schema_migrations(version, applied_at) VALUES ('29991231000000_future', 0)",
            [],
        )
        .unwrap();
        drop(conn);
        let err = Store::open(&path).err().expect("must refuse");
        assert!(matches!(err, Error::DatabaseTooNew { .. }), "{err:?}");
        assert!(err.to_string().contains("newer LTI Inspector"), "{err}");
    }

    #[tokio::test]
    async fn corrupt_file_is_reported_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("inspector.db");
        let junk = b"this is not a database, but someone's precious file.........................................................................";
        std::fs::write(&path, junk).unwrap();
        let err = Store::open(&path).err().expect("must refuse");
        assert!(matches!(err, Error::DatabaseCorrupt { .. }), "{err:?}");
        assert_eq!(
            std::fs::read(&path).unwrap(),
            junk,
            "file must be untouched"
        );
        assert!(!dir.path().join("inspector.db-wal").exists());
    }

    #[tokio::test]
    async fn a_failing_job_does_not_poison_its_batch() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.db")).unwrap();
        let bad = store.write(|tx| {
            tx.execute("INSERT INTO nonexistent VALUES (1)", [])?;
            Ok(())
        });
        let good = store.write(|tx| {
            tx.execute("INSERT INTO settings(key, value) VALUES ('a', 'b')", [])?;
            Ok(())
        });
        let (bad, good) = tokio::join!(bad, good);
        assert!(bad.is_err());
        good.unwrap();
        let v: String = store
            .read(
                |c| Ok(c.query_row("SELECT value FROM settings WHERE key='a'", [], |r| r.get(0))?),
            )
            .await
            .unwrap();
        assert_eq!(v, "b");
    }

    #[tokio::test]
    async fn reopening_applies_no_migration_twice() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        drop(Store::open(&path).unwrap());
        let store = Store::open(&path).unwrap();
        let n: i64 = store
            .read(|c| Ok(c.query_row("SELECT count(*) FROM schema_migrations", [], |r| r.get(0))?))
            .await
            .unwrap();
        assert_eq!(n, migrate::count() as i64);
    }
}
