//! Files sent to the engine in pieces — a 500 MB HAR from the Import dialog, over IPC or the
//! headless API. Each piece is appended to a private file in the data folder and the import
//! reads it from there as a stream, so neither front door holds a whole file in memory and a
//! large file's progress can be shown as it goes.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};

/// Largest file accepted (a devtools export of a long session can pass 1 GB).
pub const MAX_UPLOAD_BYTES: u64 = 4 << 30;
/// Largest piece, decoded: the UI sends 4 MiB.
pub const MAX_CHUNK_BYTES: usize = 16 << 20;
/// Uploads under way at once; an upload left idle this long is dropped with its file.
const MAX_OPEN: usize = 8;
const IDLE: Duration = Duration::from_secs(3600);

/// One piece of a file. The first piece has no `upload_id`; the answer gives the id the
/// following pieces name. Pieces come in order: `offset` is what was received so far.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct UploadChunkArgs {
    #[serde(default)]
    #[ts(optional)]
    pub upload_id: Option<String>,
    /// The file's name, remembered as the import's source.
    pub name: String,
    #[ts(type = "number")]
    pub total_bytes: u64,
    #[ts(type = "number")]
    pub offset: u64,
    /// The piece, base64 (standard alphabet).
    pub data: String,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct UploadProgress {
    pub upload_id: String,
    #[ts(type = "number")]
    pub received_bytes: u64,
    #[ts(type = "number")]
    pub total_bytes: u64,
}

/// How far the import of an uploaded file has read it (sent as an event about four times a
/// second while a large file is read).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ReadProgress {
    pub upload_id: String,
    #[ts(type = "number")]
    pub read_bytes: u64,
    #[ts(type = "number")]
    pub total_bytes: u64,
    /// HAR entries read so far.
    #[ts(type = "number")]
    pub entries: u64,
}

/// A complete upload, taken for reading: its file is removed when this is dropped.
#[derive(Debug)]
pub struct FinishedUpload {
    pub name: String,
    pub path: PathBuf,
    pub bytes: u64,
}

impl Drop for FinishedUpload {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

#[derive(Clone)]
pub struct Uploads {
    inner: Arc<Inner>,
}

struct Inner {
    dir: PathBuf,
    open: Mutex<HashMap<String, Open>>,
}

struct Open {
    name: String,
    path: PathBuf,
    total: u64,
    received: u64,
    touched: Instant,
}

impl Uploads {
    /// Uploads live in `dir`; files an earlier run left there (a crash mid-upload) are removed
    /// once idle for an hour — not younger ones: another process on the same data folder (the
    /// CLI next to the app) may be receiving them right now.
    pub fn new(dir: PathBuf) -> Self {
        if let Ok(entries) = std::fs::read_dir(&dir) {
            for e in entries.flatten() {
                let idle = e
                    .metadata()
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(|t| t.elapsed().ok())
                    .is_none_or(|age| age > IDLE);
                if idle {
                    let _ = std::fs::remove_file(e.path());
                }
            }
        }
        Self {
            inner: Arc::new(Inner {
                dir,
                open: Mutex::new(HashMap::new()),
            }),
        }
    }

    fn open(&self) -> MutexGuard<'_, HashMap<String, Open>> {
        // A panic elsewhere must not stop every later upload (issue 9, item 10).
        self.inner.open.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Appends one piece (writing it off the async threads).
    pub async fn append(&self, args: UploadChunkArgs) -> Result<UploadProgress> {
        let this = self.clone();
        tokio::task::spawn_blocking(move || this.append_now(args))
            .await
            .map_err(|e| Error::Internal(format!("upload writer stopped: {e}")))?
    }

    fn append_now(&self, args: UploadChunkArgs) -> Result<UploadProgress> {
        use base64::Engine as _;
        let data = base64::engine::general_purpose::STANDARD
            .decode(args.data.as_bytes())
            .map_err(|e| Error::BadRequest(format!("an upload piece is not base64: {e}")))?;
        if data.len() > MAX_CHUNK_BYTES {
            return Err(Error::BadRequest(format!(
                "an upload piece is {} bytes; at most {MAX_CHUNK_BYTES} are taken at once",
                data.len()
            )));
        }
        let id = match &args.upload_id {
            Some(id) => id.clone(),
            None => self.begin(&args)?,
        };
        let mut open = self.open();
        let up = open
            .get_mut(&id)
            .ok_or_else(|| Error::NotFound(format!("upload {id} (finished, dropped after an hour idle, or from another run of the app)")))?;
        if args.offset != up.received {
            return Err(Error::BadRequest(format!(
                "upload {id}: a piece at byte {} came, byte {} was expected (pieces must come in order)",
                args.offset, up.received
            )));
        }
        let received = up.received + data.len() as u64;
        if received > up.total {
            return Err(Error::BadRequest(format!(
                "upload {id}: {received} bytes sent for a file announced as {} bytes",
                up.total
            )));
        }
        let mut f = std::fs::OpenOptions::new().append(true).open(&up.path)?;
        f.write_all(&data)?;
        up.received = received;
        up.touched = Instant::now();
        Ok(UploadProgress {
            upload_id: id,
            received_bytes: up.received,
            total_bytes: up.total,
        })
    }

    fn begin(&self, args: &UploadChunkArgs) -> Result<String> {
        if args.total_bytes > MAX_UPLOAD_BYTES {
            return Err(Error::BadRequest(format!(
                "{} is {} bytes; files up to {MAX_UPLOAD_BYTES} bytes are imported",
                args.name, args.total_bytes
            )));
        }
        let mut open = self.open();
        // Uploads abandoned by a closed window go first.
        let stale: Vec<String> = open
            .iter()
            .filter(|(_, u)| u.touched.elapsed() > IDLE)
            .map(|(k, _)| k.clone())
            .collect();
        for k in stale {
            if let Some(u) = open.remove(&k) {
                let _ = std::fs::remove_file(u.path);
            }
        }
        if open.len() >= MAX_OPEN {
            return Err(Error::BadRequest(format!(
                "{MAX_OPEN} uploads are already under way; wait for one to finish"
            )));
        }
        create_private_dir(&self.inner.dir)?;
        let id = crate::ids::secret_token();
        let path = self.inner.dir.join(format!("{id}.part"));
        create_private_file(&path)?;
        open.insert(
            id.clone(),
            Open {
                name: args.name.clone(),
                path,
                total: args.total_bytes,
                received: 0,
                touched: Instant::now(),
            },
        );
        Ok(id)
    }

    /// Takes a complete upload for reading; an incomplete one is refused and kept, so the
    /// sender can finish it.
    pub fn take(&self, id: &str) -> Result<FinishedUpload> {
        let mut open = self.open();
        let up = open
            .get(id)
            .ok_or_else(|| Error::NotFound(format!("upload {id}")))?;
        if up.received != up.total {
            return Err(Error::BadRequest(format!(
                "upload {id} is incomplete: {} of {} bytes received",
                up.received, up.total
            )));
        }
        let up = open.remove(id).expect("looked up above");
        Ok(FinishedUpload {
            name: up.name,
            path: up.path,
            bytes: up.total,
        })
    }
}

fn create_private_dir(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
    }
    #[cfg(not(unix))]
    std::fs::create_dir_all(dir)?;
    Ok(())
}

/// Uploaded files hold what the data folder holds (launches, tokens): owner only.
fn create_private_file(path: &Path) -> Result<()> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o.open(path)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;

    fn piece(id: Option<&str>, total: u64, offset: u64, bytes: &[u8]) -> UploadChunkArgs {
        UploadChunkArgs {
            upload_id: id.map(str::to_string),
            name: "big.har".into(),
            total_bytes: total,
            offset,
            data: base64::engine::general_purpose::STANDARD.encode(bytes),
        }
    }

    #[tokio::test]
    async fn pieces_in_order_make_the_file_and_it_goes_when_read() {
        let dir = tempfile::tempdir().unwrap();
        let uploads = Uploads::new(dir.path().join("uploads"));
        let first = uploads.append(piece(None, 6, 0, b"abc")).await.unwrap();
        let id = first.upload_id.clone();
        assert_eq!(first.received_bytes, 3);
        // Out of order, too long, or taken early: refused, and the upload goes on.
        assert!(uploads
            .append(piece(Some(&id), 6, 0, b"abc"))
            .await
            .is_err());
        assert!(uploads
            .append(piece(Some(&id), 6, 3, b"defg"))
            .await
            .is_err());
        assert!(uploads.take(&id).is_err());
        uploads
            .append(piece(Some(&id), 6, 3, b"def"))
            .await
            .unwrap();
        let done = uploads.take(&id).unwrap();
        assert_eq!(std::fs::read(&done.path).unwrap(), b"abcdef");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&done.path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let path = done.path.clone();
        drop(done);
        assert!(!path.exists());
        assert!(uploads.take(&id).is_err(), "taken once");
    }

    #[tokio::test]
    async fn refuses_what_it_cannot_take_and_clears_old_files() {
        let dir = tempfile::tempdir().unwrap();
        let updir = dir.path().join("uploads");
        std::fs::create_dir_all(&updir).unwrap();
        let stale = updir.join("left-by-a-crash.part");
        std::fs::write(&stale, b"x").unwrap();
        std::fs::File::options()
            .write(true)
            .open(&stale)
            .unwrap()
            .set_modified(std::time::SystemTime::now() - Duration::from_secs(7200))
            .unwrap();
        // Another process's upload under way: kept.
        let live = updir.join("being-received.part");
        std::fs::write(&live, b"y").unwrap();
        let uploads = Uploads::new(updir.clone());
        assert!(!stale.exists());
        assert!(live.exists());
        let too_big = uploads
            .append(piece(None, MAX_UPLOAD_BYTES + 1, 0, b"a"))
            .await;
        assert!(too_big
            .unwrap_err()
            .to_string()
            .contains("bytes are imported"));
        let mut bad = piece(None, 3, 0, b"");
        bad.data = "not base64!".into();
        assert!(uploads.append(bad).await.is_err());
        assert!(uploads
            .append(piece(Some("nope"), 3, 0, b"a"))
            .await
            .is_err());
        for _ in 0..MAX_OPEN {
            uploads.append(piece(None, 10, 0, b"a")).await.unwrap();
        }
        assert!(uploads.append(piece(None, 10, 0, b"a")).await.is_err());
    }
}
