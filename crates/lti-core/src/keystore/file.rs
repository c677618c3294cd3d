//! The explicit opt-in file backend for headless servers without a keychain: one JSON object in
//! a file created with mode 0600. Never chosen silently.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Mutex;

use crate::error::{Error, Result};
use crate::sensitive::Sensitive;

use super::SecretBackend;

pub struct FileSecrets {
    path: PathBuf,
    lock: Mutex<()>,
}

impl FileSecrets {
    pub fn new(path: PathBuf) -> Self {
        Self {
            path,
            lock: Mutex::new(()),
        }
    }

    fn load(&self) -> Result<BTreeMap<String, String>> {
        match std::fs::read(&self.path) {
            Ok(bytes) if bytes.is_empty() => Ok(BTreeMap::new()),
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                Error::Internal(format!(
                    "key file {} is not valid JSON: {e}",
                    self.path.display()
                ))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
            Err(e) => Err(Error::Io(e)),
        }
    }

    fn save(&self, map: &BTreeMap<String, String>) -> Result<()> {
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let tmp = self.path.with_extension("tmp");
        let json = serde_json::to_vec_pretty(map).map_err(|e| Error::Internal(e.to_string()))?;
        write_private(&tmp, &json)?;
        std::fs::rename(&tmp, &self.path)?;
        Ok(())
    }
}

#[cfg(unix)]
fn write_private(path: &std::path::Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    Ok(())
}

#[cfg(not(unix))]
fn write_private(path: &std::path::Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes)?;
    Ok(())
}

impl SecretBackend for FileSecrets {
    fn get(&self, name: &str) -> Result<Option<Sensitive<String>>> {
        let _g = self.lock.lock().expect("file secrets lock");
        Ok(self.load()?.remove(name).map(Sensitive::new))
    }

    fn set(&self, name: &str, value: &Sensitive<String>) -> Result<()> {
        let _g = self.lock.lock().expect("file secrets lock");
        let mut map = self.load()?;
        map.insert(name.to_string(), value.expose().clone());
        self.save(&map)
    }

    fn delete(&self, name: &str) -> Result<()> {
        let _g = self.lock.lock().expect("file secrets lock");
        let mut map = self.load()?;
        if map.remove(name).is_some() {
            self.save(&map)?;
        }
        Ok(())
    }

    fn probe(&self) -> Result<()> {
        self.load().map(|_| ())
    }

    fn describe(&self) -> String {
        format!("file {} (explicit opt-in, mode 0600)", self.path.display())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_is_private_and_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys.json");
        let s = FileSecrets::new(path.clone());
        s.set("a", &Sensitive::new("secret".into())).unwrap();
        assert_eq!(s.get("a").unwrap().unwrap().expose(), "secret");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
        s.delete("a").unwrap();
        assert!(s.get("a").unwrap().is_none());
    }
}
