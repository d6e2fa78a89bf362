//! Asset files: the bytes of imported images and videos, encrypted at rest in files beside
//! the vault instead of in its pages.
//!
//! Why files: an import brings gigabytes of media. Through SQLCipher every byte is written
//! twice (WAL, then checkpoint), page by page, with AES-CBC and an HMAC-SHA512 per page,
//! all on the import's one writer thread. Here each download seals its own file with
//! AES-256-GCM on its own task, and the writer only moves it into place.
//!
//! - **Key.** A random 256-bit data key lives inside the vault (`vault_asset_key`), so it
//!   is as protected as everything else and a re-key re-wraps it without rewriting files.
//!   Two subkeys are derived from it with HMAC-SHA256: one seals, one names.
//! - **Names.** A file's name is HMAC(name key, SHA-256 of the content): identical content
//!   is stored once, and a name tells nothing about the content to someone without the key.
//! - **Format.** A 32-byte header (magic, version, chunk size, plaintext size, random nonce
//!   prefix), then the content in 64 KiB chunks, each sealed with nonce = prefix ‖ chunk
//!   index and additional data = header ‖ content SHA-256. Chunks cannot be reordered,
//!   dropped, truncated or swapped between files without failing to open, and a range
//!   (video seeking) opens only the chunks it covers.
//! - **Crash safety.** A download seals into `tmp/` and syncs the file; the import writer
//!   renames it into place inside the transaction that inserts its `blobs` row. A crash
//!   leaves at most an unreferenced file, which [`AssetFiles::sweep`] removes when the
//!   vault opens (and puts back a referenced file whose rename was lost). Files are never
//!   deleted while the vault is open, so a running import cannot lose one to a sweep.
//! - **Backups** list the files they refer to in a manifest beside them; the sweep keeps
//!   every file a kept backup lists, so a restore finds its files.

use crate::error::{Result, StoreError};
use ring::aead::{self, Aad, LessSafeKey, Nonce, UnboundKey};
use ring::hmac;
use ring::rand::{SecureRandom, SystemRandom};
use std::collections::HashSet;
use std::fs;
use std::io::{Read as _, Seek, SeekFrom, Write as _};
use std::path::{Path, PathBuf};

/// Plaintext bytes per sealed chunk.
pub const FILE_CHUNK: usize = 64 * 1024;
const TAG: usize = 16;
const HEADER: usize = 32;
const MAGIC: &[u8; 4] = b"SBAF";
const VERSION: u8 = 1;

/// The sealed asset files of one vault.
pub struct AssetFiles {
    dir: PathBuf,
    seal: LessSafeKey,
    names: hmac::Key,
    rng: SystemRandom,
}

impl std::fmt::Debug for AssetFiles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AssetFiles")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

/// A sealed file waiting in `tmp/` for the transaction that records it. Dropping it
/// removes the temporary file if it was never moved into place.
#[derive(Debug)]
pub struct StagedFile {
    tmp: PathBuf,
    name: String,
    /// Lower-case hex SHA-256 of the content.
    pub sha256: String,
    /// Plaintext size in bytes.
    pub size: u64,
}

impl Drop for StagedFile {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.tmp);
    }
}

/// What a sweep did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SweepReport {
    /// Files no row and no kept backup refers to, removed.
    pub removed: usize,
    /// Referenced files whose move into place a crash interrupted, put back.
    pub recovered: usize,
}

fn hex_sha(s: &str) -> Result<()> {
    if s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(())
    } else {
        Err(StoreError::Invalid("a blob key is a hex SHA-256".into()))
    }
}

fn damaged(what: &str) -> StoreError {
    StoreError::Invalid(format!("an asset file is damaged or was altered ({what})"))
}

impl AssetFiles {
    /// The files under `dir`, sealed with subkeys of the vault's 32-byte data key.
    pub(crate) fn new(dir: PathBuf, data_key: &[u8]) -> Result<Self> {
        let root = hmac::Key::new(hmac::HMAC_SHA256, data_key);
        let seal_key = hmac::sign(&root, b"switchboard asset files: seal v1");
        let name_key = hmac::sign(&root, b"switchboard asset files: name v1");
        let seal = LessSafeKey::new(
            UnboundKey::new(&aead::AES_256_GCM, seal_key.as_ref())
                .map_err(|_| StoreError::Invalid("the asset key has the wrong length".into()))?,
        );
        Ok(AssetFiles {
            dir,
            seal,
            names: hmac::Key::new(hmac::HMAC_SHA256, name_key.as_ref()),
            rng: SystemRandom::new(),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file name of the content with this SHA-256.
    pub fn name_of(&self, sha256: &str) -> String {
        hex::encode(hmac::sign(&self.names, sha256.as_bytes()).as_ref())
    }

    fn path_of(&self, name: &str) -> PathBuf {
        self.dir.join(&name[..2]).join(name)
    }

    fn tmp_dir(&self) -> PathBuf {
        self.dir.join("tmp")
    }

    /// Seal `bytes` (whose SHA-256 the caller computed) into a synced temporary file. The
    /// buffer is encrypted in place, so no second copy of a large file is made.
    pub fn stage(&self, sha256: &str, mut bytes: Vec<u8>) -> Result<StagedFile> {
        hex_sha(sha256)?;
        let sha256 = sha256.to_ascii_lowercase();
        let name = self.name_of(&sha256);
        let tmp_dir = self.tmp_dir();
        fs::create_dir_all(&tmp_dir)?;
        let tmp = tmp_dir.join(format!("{name}.{}", uuid::Uuid::new_v4().simple()));
        let size = bytes.len() as u64;
        let staged = StagedFile {
            tmp,
            name,
            sha256,
            size,
        };
        let mut header = [0u8; HEADER];
        header[..4].copy_from_slice(MAGIC);
        header[4] = VERSION;
        header[8..12].copy_from_slice(&(FILE_CHUNK as u32).to_le_bytes());
        header[12..20].copy_from_slice(&size.to_le_bytes());
        self.rng
            .fill(&mut header[20..28])
            .map_err(|_| StoreError::Invalid("no randomness for an asset file".into()))?;
        let aad = aad_of(&header, &staged.sha256);
        let mut out =
            std::io::BufWriter::with_capacity(4 * (FILE_CHUNK + TAG), open_private(&staged.tmp)?);
        out.write_all(&header)?;
        for (i, chunk) in bytes.chunks_mut(FILE_CHUNK).enumerate() {
            let tag = self
                .seal
                .seal_in_place_separate_tag(nonce(&header, i)?, Aad::from(&aad[..]), chunk)
                .map_err(|_| StoreError::Invalid("an asset file could not be sealed".into()))?;
            out.write_all(chunk)?;
            out.write_all(tag.as_ref())?;
        }
        let file = out.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        Ok(staged)
    }

    /// Move a staged file into place (inside the transaction that records it). A file
    /// already in place has the same content under the same key, so it is kept.
    pub(crate) fn place(&self, staged: &StagedFile) -> Result<()> {
        let dest = self.path_of(&staged.name);
        if let Some(parent) = dest.parent() {
            fs::create_dir_all(parent)?;
        }
        match fs::rename(&staged.tmp, &dest) {
            Ok(()) => Ok(()),
            // A batch retried item by item already moved it.
            Err(_) if !staged.tmp.exists() && dest.exists() => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Whether the file of this content is in place.
    pub fn exists(&self, sha256: &str) -> bool {
        self.path_of(&self.name_of(sha256)).is_file()
    }

    /// Bytes `start..end` (end exclusive, clamped to the size) of the content with this
    /// SHA-256, opening only the chunks the range covers.
    pub fn read_range(&self, sha256: &str, size: u64, start: u64, end: u64) -> Result<Vec<u8>> {
        hex_sha(sha256)?;
        let sha256 = sha256.to_ascii_lowercase();
        let path = self.path_of(&self.name_of(&sha256));
        let mut f = fs::File::open(&path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                StoreError::not_found("the asset's file (it is missing from the vault folder)")
            } else {
                e.into()
            }
        })?;
        let mut header = [0u8; HEADER];
        f.read_exact(&mut header)
            .map_err(|_| damaged("short header"))?;
        if &header[..4] != MAGIC || header[4] != VERSION {
            return Err(damaged("unknown header"));
        }
        let chunk = u32::from_le_bytes(header[8..12].try_into().expect("4 bytes")) as u64;
        let stored = u64::from_le_bytes(header[12..20].try_into().expect("8 bytes"));
        if chunk == 0 || chunk > 16 << 20 || stored != size {
            return Err(damaged("size"));
        }
        let end = end.min(size);
        if start >= end {
            return Ok(Vec::new());
        }
        let aad = aad_of(&header, &sha256);
        let mut out = Vec::with_capacity((end - start) as usize);
        let mut buf = Vec::with_capacity(chunk as usize + TAG);
        for i in start / chunk..=(end - 1) / chunk {
            let base = i * chunk;
            let len = chunk.min(size - base) as usize;
            f.seek(SeekFrom::Start(HEADER as u64 + i * (chunk + TAG as u64)))?;
            buf.resize(len + TAG, 0);
            f.read_exact(&mut buf).map_err(|_| damaged("truncated"))?;
            let plain = self
                .seal
                .open_in_place(nonce(&header, i as usize)?, Aad::from(&aad[..]), &mut buf)
                .map_err(|_| damaged("a chunk does not authenticate"))?;
            let from = start.saturating_sub(base) as usize;
            let to = ((end - base) as usize).min(plain.len());
            if from < to {
                out.extend_from_slice(&plain[from..to]);
            }
        }
        Ok(out)
    }

    /// Temporary files (downloads not yet recorded, or left by a crash).
    pub fn staged_count(&self) -> usize {
        fs::read_dir(self.tmp_dir()).map_or(0, |d| d.flatten().count())
    }

    /// Every file name in place.
    pub fn names(&self) -> Result<Vec<String>> {
        let mut names = Vec::new();
        let top = match fs::read_dir(&self.dir) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(names),
            Err(e) => return Err(e.into()),
        };
        for sub in top.flatten() {
            let sub_name = sub.file_name().to_string_lossy().into_owned();
            if sub_name.len() != 2 || !sub.path().is_dir() {
                continue;
            }
            for f in fs::read_dir(sub.path())?.flatten() {
                let n = f.file_name().to_string_lossy().into_owned();
                if n.len() == 64 && n.starts_with(&sub_name) {
                    names.push(n);
                }
            }
        }
        names.sort();
        Ok(names)
    }

    /// Remove every file `keep` does not name, and temporary files last written before
    /// `tmp_cutoff` (newer ones may belong to another process's running import); a
    /// temporary file of a kept name whose file is missing (a rename lost to a power cut)
    /// is put back. The caller holds the database's write lock, so no row that names a
    /// file commits meanwhile.
    pub(crate) fn sweep(
        &self,
        keep: &HashSet<String>,
        tmp_cutoff: std::time::SystemTime,
    ) -> Result<SweepReport> {
        let mut report = SweepReport::default();
        if let Ok(tmp) = fs::read_dir(self.tmp_dir()) {
            for t in tmp.flatten() {
                let n = t.file_name().to_string_lossy().into_owned();
                let name = n.split('.').next().unwrap_or_default().to_owned();
                if name.len() == 64 && keep.contains(&name) && !self.path_of(&name).exists() {
                    if let Some(parent) = self.path_of(&name).parent() {
                        fs::create_dir_all(parent)?;
                    }
                    if fs::rename(t.path(), self.path_of(&name)).is_ok() {
                        report.recovered += 1;
                        continue;
                    }
                }
                let old = t
                    .metadata()
                    .and_then(|m| m.modified())
                    .is_ok_and(|m| m < tmp_cutoff);
                if old {
                    let _ = fs::remove_file(t.path());
                }
            }
        }
        for name in self.names()? {
            if !keep.contains(&name) {
                fs::remove_file(self.path_of(&name))?;
                report.removed += 1;
            }
        }
        Ok(report)
    }
}

fn aad_of(header: &[u8; HEADER], sha256: &str) -> Vec<u8> {
    let mut aad = Vec::with_capacity(HEADER + sha256.len());
    aad.extend_from_slice(header);
    aad.extend_from_slice(sha256.as_bytes());
    aad
}

fn nonce(header: &[u8; HEADER], chunk: usize) -> Result<Nonce> {
    let index = u32::try_from(chunk)
        .map_err(|_| StoreError::Invalid("an asset file is too large".into()))?;
    let mut n = [0u8; 12];
    n[..8].copy_from_slice(&header[20..28]);
    n[8..].copy_from_slice(&index.to_be_bytes());
    Ok(Nonce::assume_unique_for_key(n))
}

fn open_private(path: &Path) -> Result<fs::File> {
    let mut o = fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    Ok(o.open(path)?)
}

/// A random 256-bit data key for a vault's asset files.
pub(crate) fn new_data_key() -> Result<[u8; 32]> {
    let mut k = [0u8; 32];
    SystemRandom::new()
        .fill(&mut k)
        .map_err(|_| StoreError::Invalid("no randomness for the asset key".into()))?;
    Ok(k)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files() -> (tempfile::TempDir, AssetFiles) {
        let d = tempfile::tempdir().unwrap();
        let f = AssetFiles::new(d.path().join("assets"), &[7u8; 32]).unwrap();
        (d, f)
    }

    fn sha(b: &[u8]) -> String {
        hex::encode(ring::digest::digest(&ring::digest::SHA256, b).as_ref())
    }

    fn place(f: &AssetFiles, bytes: &[u8]) -> String {
        let s = sha(bytes);
        let staged = f.stage(&s, bytes.to_vec()).unwrap();
        f.place(&staged).unwrap();
        s
    }

    #[test]
    fn ranges_across_chunk_edges_read_back_the_content() {
        let (_d, f) = files();
        let bytes: Vec<u8> = (0..(3 * FILE_CHUNK + 1234))
            .map(|i| (i * 31 % 251) as u8)
            .collect();
        let s = place(&f, &bytes);
        let n = bytes.len() as u64;
        let c = FILE_CHUNK as u64;
        for (a, b) in [
            (0, n),
            (0, 1),
            (c - 1, c + 1),
            (c, 2 * c),
            (2 * c + 5, n + 99),
            (n - 1, n),
            (5, 5),
            (n, n + 3),
        ] {
            let got = f.read_range(&s, n, a, b).unwrap();
            let want = &bytes[(a.min(n)) as usize..(b.min(n)) as usize];
            assert_eq!(got, want, "range {a}..{b}");
        }
        let empty = place(&f, b"");
        assert!(f.read_range(&empty, 0, 0, 10).unwrap().is_empty());
    }

    #[test]
    fn the_file_holds_no_plaintext_and_its_name_is_not_the_content_hash() {
        let (_d, f) = files();
        let canary = b"CANARY-asset-bytes-0123456789".repeat(5000);
        let s = place(&f, &canary);
        let names = f.names().unwrap();
        assert_eq!(names.len(), 1);
        assert_ne!(names[0], s);
        let raw = fs::read(f.path_of(&names[0])).unwrap();
        assert!(!raw.windows(12).any(|w| w == b"CANARY-asset"));
        assert_eq!(
            raw.len(),
            HEADER + canary.len() + TAG * canary.len().div_ceil(FILE_CHUNK)
        );
        // Identical content is one file.
        place(&f, &canary);
        assert_eq!(f.names().unwrap().len(), 1);
        // Another key cannot read it.
        let other = AssetFiles::new(f.dir.clone(), &[8u8; 32]).unwrap();
        assert!(other.read_range(&s, canary.len() as u64, 0, 10).is_err());
    }

    #[test]
    fn altered_truncated_or_swapped_files_refuse_to_open() {
        let (_d, f) = files();
        let a: Vec<u8> = vec![1; 2 * FILE_CHUNK];
        let b: Vec<u8> = vec![2; 2 * FILE_CHUNK];
        let (sa, sb) = (place(&f, &a), place(&f, &b));
        let (pa, pb) = (f.path_of(&f.name_of(&sa)), f.path_of(&f.name_of(&sb)));
        let n = a.len() as u64;
        // One flipped bit in the second chunk: the first still reads, the second does not.
        let mut raw = fs::read(&pa).unwrap();
        raw[HEADER + FILE_CHUNK + TAG + 3] ^= 1;
        fs::write(&pa, &raw).unwrap();
        assert_eq!(f.read_range(&sa, n, 0, 10).unwrap(), vec![1; 10]);
        let e = f.read_range(&sa, n, 0, n).unwrap_err().to_string();
        assert!(e.contains("damaged"), "{e}");
        // Truncated.
        let raw_b = fs::read(&pb).unwrap();
        fs::write(&pb, &raw_b[..raw_b.len() - 1]).unwrap();
        assert!(f.read_range(&sb, n, 0, n).is_err());
        // B's bytes under A's name do not pass for A.
        fs::write(&pa, &raw_b).unwrap();
        assert!(f.read_range(&sa, n, 0, 10).is_err());
        // A wrong size on record.
        fs::write(&pb, &raw_b).unwrap();
        assert!(f.read_range(&sb, n + 1, 0, 10).is_err());
        assert!(f.read_range(&sb, n, 0, 10).is_ok());
    }

    #[test]
    fn the_sweep_keeps_named_files_removes_the_rest_and_puts_back_a_lost_rename() {
        let (_d, f) = files();
        let keep_sha = place(&f, b"kept");
        let gone_sha = place(&f, b"gone");
        // A staged file whose rename never happened, for a kept name …
        let lost = b"lost rename".to_vec();
        let lost_sha = sha(&lost);
        let staged = f.stage(&lost_sha, lost.clone()).unwrap();
        std::mem::forget(staged);
        // … and one nobody refers to.
        std::mem::forget(f.stage(&sha(b"stray"), b"stray".to_vec()).unwrap());
        let keep: HashSet<String> = [f.name_of(&keep_sha), f.name_of(&lost_sha)].into();
        // A recent temporary file may be another process's download in flight: kept.
        let long_ago = std::time::SystemTime::UNIX_EPOCH;
        let r = f.sweep(&keep, long_ago).unwrap();
        assert_eq!(
            r,
            SweepReport {
                removed: 1,
                recovered: 1
            }
        );
        assert_eq!(fs::read_dir(f.tmp_dir()).unwrap().count(), 1);
        let later = std::time::SystemTime::now() + std::time::Duration::from_secs(60);
        let r = f.sweep(&keep, later).unwrap();
        assert_eq!(
            r,
            SweepReport {
                removed: 0,
                recovered: 0
            }
        );
        assert!(f.exists(&keep_sha) && f.exists(&lost_sha) && !f.exists(&gone_sha));
        assert_eq!(
            f.read_range(&lost_sha, lost.len() as u64, 0, 100).unwrap(),
            lost
        );
        assert_eq!(fs::read_dir(f.tmp_dir()).unwrap().count(), 0);
    }

    #[test]
    fn a_staged_file_that_is_dropped_leaves_nothing() {
        let (_d, f) = files();
        drop(f.stage(&sha(b"x"), b"x".to_vec()).unwrap());
        assert_eq!(fs::read_dir(f.tmp_dir()).unwrap().count(), 0);
        assert!(f.names().unwrap().is_empty());
    }
}
