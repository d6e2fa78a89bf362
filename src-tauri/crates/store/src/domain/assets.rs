//! Asset bytes: content-addressed blobs (SHA-256 of the content) in chunks inside the
//! vault, so they are encrypted at rest with everything else, stored once however many
//! creatives or clients use them, and readable by range (video seeking) without loading
//! a whole file. An asset row and its blob are written in one transaction: a crash leaves
//! either both or neither, never orphan bytes.

use super::clients::{ClientRead, ClientWrite};
use crate::error::{Result, StoreError};
use crate::files::{AssetFiles, StagedFile};
use crate::rw::{ChangeKind, Read};
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};

/// Bytes per stored chunk.
pub const CHUNK: usize = 256 * 1024;

/// An asset waiting to be downloaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingAsset {
    pub id: String,
    pub platform_key: String,
    pub kind: String,
    pub url: String,
    pub announced_mime: Option<String>,
}

/// Checked bytes ready to store.
#[derive(Debug, Clone, Copy)]
pub struct BlobIn<'a> {
    /// Lower-case hex SHA-256 of `bytes`.
    pub sha256: &'a str,
    pub mime: &'a str,
    pub bytes: &'a [u8],
}

/// What the UI needs to serve an asset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct AssetContent {
    pub sha256: String,
    pub mime: String,
    pub size: i64,
}

/// One asset of the library, for previews and exports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct LibAsset {
    pub id: String,
    pub platform_key: String,
    pub kind: String,
    pub name: String,
    pub status: String,
    pub error: Option<String>,
    pub mime: Option<String>,
    pub size: Option<i64>,
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub duration_ms: Option<i64>,
    pub has_thumbnail: bool,
    /// The poster of a video, when the platform gave one.
    pub poster_id: Option<String>,
    /// Role in the creative (image, video, thumbnail, marketing_image, …).
    pub role: String,
}

pub(super) fn put_blob(tx: &rusqlite::Transaction<'_>, blob: BlobIn<'_>, now: &str) -> Result<()> {
    if blob.sha256.len() != 64 || !blob.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(StoreError::Invalid("a blob key is a hex SHA-256".into()));
    }
    let inserted = tx.execute(
        "INSERT OR IGNORE INTO blobs (sha256, mime, size, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![blob.sha256, blob.mime, blob.bytes.len() as i64, now],
    )?;
    if inserted == 1 {
        let mut chunk =
            tx.prepare_cached("INSERT INTO blob_chunks (sha256, seq, data) VALUES (?1, ?2, ?3)")?;
        for (seq, part) in blob.bytes.chunks(CHUNK).enumerate() {
            chunk.execute(params![blob.sha256, seq as i64, part])?;
        }
    }
    Ok(())
}

/// Record a sealed asset file's blob and move the file into place, in the caller's
/// transaction. Bytes already stored (as a file or as chunks) are kept as they are.
/// Delete blobs neither a post nor a library asset uses (their chunks cascade; sealed
/// files go at the next sweep).
pub(super) fn drop_unused_blobs(tx: &rusqlite::Connection) -> Result<()> {
    tx.execute(
        "DELETE FROM blobs WHERE NOT EXISTS (SELECT 1 FROM post_media m WHERE m.sha256 = blobs.sha256)
           AND NOT EXISTS (SELECT 1 FROM lib_assets a WHERE a.sha256 = blobs.sha256 OR a.thumb_sha256 = blobs.sha256)",
        [],
    )?;
    Ok(())
}

pub(super) fn put_file_blob(
    tx: &rusqlite::Transaction<'_>,
    files: Option<&AssetFiles>,
    file: &StagedFile,
    mime: &str,
    now: &str,
) -> Result<()> {
    let files = files.ok_or_else(|| StoreError::Invalid("the vault is closed".into()))?;
    let inserted = tx
        .prepare_cached(
            "INSERT OR IGNORE INTO blobs (sha256, mime, size, created_at, in_file) VALUES (?1, ?2, ?3, ?4, 1)",
        )?
        .execute(params![file.sha256, mime, file.size as i64, now])?;
    let in_file: bool = tx
        .prepare_cached("SELECT in_file FROM blobs WHERE sha256 = ?1")?
        .query_row([&file.sha256], |r| r.get(0))?;
    // A file blob whose file went missing (a lost disk write) takes this one.
    if inserted == 1 || (in_file && !files.exists(&file.sha256)) {
        files.place(file)?;
    }
    Ok(())
}

impl Read<'_> {
    /// Blobs no asset refers to (always 0 unless something went wrong).
    pub fn orphan_blob_count(&self) -> Result<i64> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM blobs b WHERE NOT EXISTS (SELECT 1 FROM lib_assets a WHERE a.sha256 = b.sha256 OR a.thumb_sha256 = b.sha256)
               AND NOT EXISTS (SELECT 1 FROM post_media m WHERE m.sha256 = b.sha256)",
            [],
            |r| r.get(0),
        )?)
    }

    /// Blob rows and chunk rows whose sizes disagree (always 0 unless something went wrong).
    pub fn damaged_blob_count(&self) -> Result<i64> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM blobs b WHERE b.in_file = 0 AND b.size != coalesce((SELECT sum(length(data)) FROM blob_chunks c WHERE c.sha256 = b.sha256), 0)",
            [],
            |r| r.get(0),
        )?)
    }
}

impl ClientRead<'_> {
    /// Up to `limit` assets of an account still to download, in id order after `after`
    /// ("" for the first). A seek on `lib_assets_pending`, so paging through an account's
    /// assets costs the same for the last page as for the first.
    pub fn pending_lib_assets(
        &self,
        account_id: &str,
        after: &str,
        limit: u32,
    ) -> Result<Vec<PendingAsset>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, platform_key, kind, original_url, announced_mime FROM lib_assets
             WHERE account_id = ?2 AND status = 'pending' AND id > ?3 AND client_id = ?1 AND original_url IS NOT NULL
             ORDER BY id LIMIT ?4",
        )?;
        let rows = stmt.query_map(params![self.client.id, account_id, after, limit], |r| {
            Ok(PendingAsset {
                id: r.get(0)?,
                platform_key: r.get(1)?,
                kind: r.get(2)?,
                url: r.get(3)?,
                announced_mime: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Counts of an account's assets by status.
    pub fn lib_asset_counts(&self, account_id: &str) -> Result<Vec<(String, i64)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT status, count(*) FROM lib_assets WHERE client_id = ?1 AND account_id = ?2 GROUP BY status ORDER BY status",
        )?;
        let rows = stmt.query_map(params![self.client.id, account_id], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The stored bytes of one of this client's assets (its thumbnail when `thumb`), for
    /// serving. Another client's asset id is "not found".
    pub fn lib_asset_content(&self, asset_id: &str, thumb: bool) -> Result<AssetContent> {
        let sql = if thumb {
            "SELECT b.sha256, b.mime, b.size FROM lib_assets a JOIN blobs b ON b.sha256 = coalesce(a.thumb_sha256, a.sha256)
             WHERE a.id = ?1 AND a.client_id = ?2 AND a.status = 'done'"
        } else {
            "SELECT b.sha256, b.mime, b.size FROM lib_assets a JOIN blobs b ON b.sha256 = a.sha256
             WHERE a.id = ?1 AND a.client_id = ?2 AND a.status = 'done'"
        };
        self.conn
            .query_row(sql, params![asset_id, self.client.id], |r| {
                Ok(AssetContent {
                    sha256: r.get(0)?,
                    mime: r.get(1)?,
                    size: r.get(2)?,
                })
            })
            .optional()?
            .ok_or_else(|| StoreError::not_found(format!("asset {asset_id}")))
    }

    /// Bytes `start..end` (end exclusive, clamped to the size) of one of this client's
    /// assets, read chunk by chunk.
    pub fn read_lib_asset_range(
        &self,
        asset_id: &str,
        thumb: bool,
        start: u64,
        end: u64,
    ) -> Result<Vec<u8>> {
        let content = self.lib_asset_content(asset_id, thumb)?;
        let size = content.size.max(0) as u64;
        let end = end.min(size);
        if start >= end {
            return Ok(Vec::new());
        }
        let in_file: bool = self.conn.query_row(
            "SELECT in_file FROM blobs WHERE sha256 = ?1",
            [&content.sha256],
            |r| r.get(0),
        )?;
        if in_file {
            let files = self
                .files
                .ok_or_else(|| StoreError::Invalid("the vault is closed".into()))?;
            return files.read_range(&content.sha256, size, start, end);
        }
        let chunk = CHUNK as u64;
        let mut out = Vec::with_capacity((end - start) as usize);
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, data FROM blob_chunks WHERE sha256 = ?1 AND seq BETWEEN ?2 AND ?3 ORDER BY seq",
        )?;
        let rows = stmt.query_map(
            params![
                content.sha256,
                (start / chunk) as i64,
                ((end - 1) / chunk) as i64
            ],
            |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?)),
        )?;
        for row in rows {
            let (seq, data) = row?;
            let base = seq as u64 * chunk;
            let from = start.saturating_sub(base) as usize;
            let to = ((end - base) as usize).min(data.len());
            if from < to {
                out.extend_from_slice(&data[from..to]);
            }
        }
        Ok(out)
    }

    /// Images of an account still waiting for the thumbnail pass (at most `limit`).
    pub fn pending_thumbnails(&self, account_id: &str, limit: u32) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id FROM lib_assets WHERE account_id = ?1 AND client_id = ?2 AND thumb_pending = 1 LIMIT ?3",
        )?;
        let rows = stmt.query_map(params![account_id, self.client.id, limit], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The assets a creative uses, in role order.
    pub fn lib_creative_assets(&self, creative_id: &str) -> Result<Vec<LibAsset>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT a.id, a.platform_key, a.kind, a.name, a.status, a.error, a.mime, a.size, a.width, a.height, a.duration_ms,
                    a.thumb_sha256 IS NOT NULL OR (a.kind IN ('image', 'thumbnail') AND a.sha256 IS NOT NULL),
                    (SELECT p.id FROM lib_assets p WHERE p.account_id = a.account_id AND p.thumbnail_of = a.platform_key AND p.status = 'done' LIMIT 1),
                    l.role
             FROM lib_creative_assets l
             JOIN lib_creatives c ON c.id = l.creative_id
             JOIN lib_assets a ON a.account_id = c.account_id AND a.platform_key = l.platform_key
             WHERE l.creative_id = ?1 AND c.client_id = ?2
             ORDER BY l.position, l.role",
        )?;
        let rows = stmt.query_map(params![creative_id, self.client.id], |r| {
            Ok(LibAsset {
                id: r.get(0)?,
                platform_key: r.get(1)?,
                kind: r.get(2)?,
                name: r.get(3)?,
                status: r.get(4)?,
                error: r.get(5)?,
                mime: r.get(6)?,
                size: r.get(7)?,
                width: r.get(8)?,
                height: r.get(9)?,
                duration_ms: r.get(10)?,
                has_thumbnail: r.get(11)?,
                poster_id: r.get(12)?,
                role: r.get(13)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

impl ClientWrite<'_, '_> {
    /// Store a downloaded asset, already sealed into a staged asset file, and mark it
    /// done: the file moves into place with this transaction. An image takes the
    /// thumbnail its bytes already have, else waits for the thumbnail pass.
    pub fn store_lib_asset_file(
        &mut self,
        asset_id: &str,
        file: &StagedFile,
        mime: &str,
    ) -> Result<()> {
        let now = self.w.now();
        let exists: Option<String> = self
            .w
            .tx
            .prepare_cached("SELECT account_id FROM lib_assets WHERE id = ?1 AND client_id = ?2")?
            .query_row(params![asset_id, self.client.id], |r| r.get(0))
            .optional()?;
        let account_id =
            exists.ok_or_else(|| StoreError::not_found(format!("asset {asset_id}")))?;
        put_file_blob(&self.w.tx, self.w.files, file, mime, &now)?;
        let (sha256, size) = (file.sha256.as_str(), file.size as i64);
        // The same bytes may already have a thumbnail (identical files are stored once).
        let (thumb_sha, pending) = if mime.starts_with("image/") {
            let known: Option<String> = self
                .w
                .tx
                .prepare_cached(
                    "SELECT thumb_sha256 FROM lib_assets WHERE sha256 = ?1 AND thumb_sha256 IS NOT NULL LIMIT 1",
                )?
                .query_row(
                    [sha256],
                    |r| r.get(0),
                )
                .optional()?;
            let pending = known.is_none();
            (known, pending)
        } else {
            (None, false)
        };
        self.w.tx.prepare_cached(
            "UPDATE lib_assets SET status = 'done', error = NULL, sha256 = ?3, mime = ?4, size = ?5, thumb_sha256 = ?6, thumb_pending = ?7
             WHERE id = ?1 AND client_id = ?2",
        )?.execute(params![asset_id, self.client.id, sha256, mime, size, thumb_sha, pending],
        )?;
        self.w
            .changed("lib_assets", account_id, ChangeKind::Updated);
        Ok(())
    }

    /// The thumbnail pass's verdict on an image: its thumbnail, or none needed (small
    /// images are their own) or possible (bytes that do not decode). Every asset with the
    /// same bytes waiting for one gets it too.
    pub fn set_lib_asset_thumbnail(
        &mut self,
        asset_id: &str,
        thumb: Option<BlobIn<'_>>,
    ) -> Result<()> {
        let now = self.w.now();
        let found: Option<(String, Option<String>)> = self
            .w
            .tx
            .query_row(
                "SELECT account_id, sha256 FROM lib_assets WHERE id = ?1 AND client_id = ?2",
                params![asset_id, self.client.id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let (account_id, sha) =
            found.ok_or_else(|| StoreError::not_found(format!("asset {asset_id}")))?;
        if let Some(t) = thumb {
            put_blob(&self.w.tx, t, &now)?;
        }
        self.w.tx.execute(
            "UPDATE lib_assets SET thumb_sha256 = ?3, thumb_pending = 0
             WHERE client_id = ?2 AND thumb_pending = 1 AND (id = ?1 OR sha256 = ?4)",
            params![asset_id, self.client.id, thumb.map(|t| t.sha256), sha],
        )?;
        self.w
            .changed("lib_assets", account_id, ChangeKind::Updated);
        Ok(())
    }

    /// Record why an asset could not be downloaded; it is tried again by "retry failed"
    /// or by the next import (which brings a fresh URL).
    pub fn fail_lib_asset(&mut self, asset_id: &str, error: &str) -> Result<()> {
        let n = self.w.tx.execute(
            "UPDATE lib_assets SET status = 'failed', error = ?3 WHERE id = ?1 AND client_id = ?2",
            params![asset_id, self.client.id, error],
        )?;
        if n == 0 {
            return Err(StoreError::not_found(format!("asset {asset_id}")));
        }
        Ok(())
    }
}
