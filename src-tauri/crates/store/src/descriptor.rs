//! `vault.json`: which key opens `vault.db`, and any re-key in progress. It holds
//! no secret (a keyring account name, or an Argon2 salt), and is replaced atomically.

use crate::error::{Result, StoreError};
use crate::key::KeySpec;
use serde::{Deserialize, Serialize};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

pub const FORMAT: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Descriptor {
    pub format: u32,
    pub vault_id: String,
    /// The key that opens `vault.db` now.
    pub current: KeySpec,
    /// A re-key in flight: `vault.db.rekey` is (being) written under this key. After a
    /// crash, whichever of `current`/`pending` opens `vault.db` wins.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<KeySpec>,
    /// Keys whose backups still need re-encrypting after a completed re-key.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub retired: Vec<KeySpec>,
}

impl Descriptor {
    pub fn load(path: &Path) -> Result<Option<Descriptor>> {
        match fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(|e| {
                StoreError::DescriptorInvalid {
                    path: path.to_path_buf(),
                    detail: e.to_string(),
                }
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(StoreError::DescriptorInvalid {
                path: path.to_path_buf(),
                detail: e.to_string(),
            }),
        }
    }

    pub fn save(&self, path: &Path) -> Result<()> {
        let bytes = serde_json::to_vec_pretty(self)
            .map_err(|e| StoreError::Invalid(format!("descriptor: {e}")))?;
        write_atomic(path, &bytes)
    }
}

/// Write a file so that a crash leaves either the old or the new content: temp file,
/// fsync, rename, fsync the directory.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = sibling(path, ".tmp");
    {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    fs::rename(&tmp, path)?;
    sync_dir(path)
}

pub fn sync_dir(path: &Path) -> Result<()> {
    #[cfg(unix)]
    if let Some(dir) = path.parent() {
        fs::File::open(dir)?.sync_all()?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

pub fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}
