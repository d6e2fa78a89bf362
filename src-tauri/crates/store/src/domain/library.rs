//! The library: imported accounts, campaigns / ad groups / ads, creatives and daily
//! metrics of one client, reached only through [`ClientRead`] / [`ClientWrite`].
//!
//! Upserts keep `first_seen` and move `last_seen`; an object missing from a full re-pull
//! is marked `removed_at`, never deleted. Search rows follow every upsert.

use super::clients::{ClientRead, ClientWrite};
use crate::error::{Result, StoreError};
use crate::rw::ChangeKind;
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// An ad account as a platform describes it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AccountUpsert {
    pub platform: String,
    pub external_id: String,
    pub connection_id: Option<String>,
    pub brand_id: Option<String>,
    pub name: String,
    pub currency: Option<String>,
    pub timezone: Option<String>,
    pub status: String,
    pub status_raw: Option<String>,
    pub parent_external_id: Option<String>,
    pub raw_json: String,
}

/// A campaign, ad group or ad, normalised.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ObjectUpsert {
    /// `campaign`, `ad_group` or `ad`.
    pub level: String,
    /// The platform's own word: "ad set", "line item", "campaign group", …
    pub native_level: String,
    pub external_id: String,
    /// The parent's external id (campaign of an ad group, ad group of an ad).
    pub parent_external_id: Option<String>,
    pub name: String,
    pub status: String,
    pub status_raw: Option<String>,
    pub objective: Option<String>,
    pub objective_raw: Option<String>,
    pub budget_micros: Option<i64>,
    pub budget_period: Option<String>,
    pub bid_micros: Option<i64>,
    pub currency: Option<String>,
    pub start_at: Option<String>,
    pub end_at: Option<String>,
    pub optimization_goal: Option<String>,
    pub targeting_summary: Option<String>,
    pub creative_external_id: Option<String>,
    pub review_status: Option<String>,
    pub final_url: Option<String>,
    /// Ad copy and other text worth finding (headlines, bodies, CTA), beyond the name.
    pub search_text: String,
    pub raw_json: String,
}

/// An ad creative (Meta ad creative, Google ad's copy and assets), normalised.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CreativeUpsert {
    pub external_id: String,
    /// image, video, carousel, text, dynamic, post, other
    pub format: String,
    pub name: String,
    pub headlines: Vec<String>,
    pub bodies: Vec<String>,
    pub cta: Option<String>,
    pub landing_url: Option<String>,
    pub url_tags: Option<String>,
    pub source_post_id: Option<String>,
    /// The assets it uses, by platform key, with their role.
    pub assets: Vec<CreativeAssetLink>,
    pub raw_json: String,
}

/// A creative's use of an asset.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CreativeAssetLink {
    /// The asset's platform key (see [`AssetRef::platform_key`]).
    pub platform_key: String,
    /// image, video, thumbnail, marketing_image, logo, …
    pub role: String,
    pub position: u32,
}

/// An image, video or thumbnail a platform announced: what to download, and from where.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AssetRef {
    /// The platform's key, prefixed by its kind so keys never collide:
    /// `image:<meta hash>`, `video:<id>`, `thumb:<creative id>`, `asset:<resource name>`.
    pub platform_key: String,
    /// image, video, thumbnail, youtube
    pub kind: String,
    pub name: String,
    /// Where the bytes are (often a signed URL that expires); `None` for a reference with
    /// no file (a YouTube video id).
    pub url: Option<String>,
    /// The MIME type the platform announced, checked against the bytes.
    pub announced_mime: Option<String>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub duration_ms: Option<u64>,
    /// The platform key of the asset this is the poster of (a video's picture).
    pub thumbnail_of: Option<String>,
    pub raw_json: String,
}

/// One day of metrics of one object (or the account), in the account's time zone.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MetricUpsert {
    /// account, campaign, ad_group or ad
    pub level: String,
    pub external_id: String,
    /// YYYY-MM-DD in the account's time zone.
    pub date: String,
    /// "" for no breakdown.
    pub breakdown: String,
    pub impressions: i64,
    pub clicks: i64,
    pub spend_micros: i64,
    pub currency: Option<String>,
    pub conversions_micros: i64,
    pub conversion_value_micros: i64,
    pub video_views: Option<i64>,
    pub reach: Option<i64>,
    pub extra: String,
}

/// An object's level, external id, first-seen time and removal mark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectState {
    pub level: String,
    pub external_id: String,
    pub first_seen: String,
    pub removed_at: Option<String>,
}

/// One row of a search answer.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, specta::Type)]
pub struct SearchHit {
    pub id: String,
    pub kind: String,
    pub name: String,
    pub platform: String,
    /// A short excerpt with the match between `[` and `]`.
    pub snippet: String,
}

fn parent_level(level: &str) -> Option<&'static str> {
    match level {
        "ad_group" => Some("campaign"),
        "ad" => Some("ad_group"),
        _ => None,
    }
}

impl ClientWrite<'_, '_> {
    /// Insert or refresh an ad account; its library id.
    pub fn upsert_lib_account(&mut self, a: &AccountUpsert) -> Result<String> {
        let now = self.w.now();
        let client_id = self.client.id.clone();
        let id: String = self.w.tx.query_row(
            "INSERT INTO lib_accounts (id, client_id, brand_id, connection_id, platform, external_id, name, currency, timezone, status, status_raw, parent_external_id, raw_json, fetched_at, first_seen, last_seen)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14, ?14)
             ON CONFLICT (client_id, platform, external_id) DO UPDATE SET
                 connection_id = excluded.connection_id, name = excluded.name, currency = excluded.currency,
                 timezone = excluded.timezone, status = excluded.status, status_raw = excluded.status_raw,
                 parent_external_id = excluded.parent_external_id, raw_json = excluded.raw_json,
                 fetched_at = excluded.fetched_at, last_seen = excluded.last_seen, removed_at = NULL
             RETURNING id",
            params![
                uuid::Uuid::now_v7().to_string(), client_id, a.brand_id, a.connection_id, a.platform, a.external_id,
                a.name, a.currency, a.timezone, a.status, a.status_raw, a.parent_external_id, a.raw_json, now
            ],
            |r| r.get(0),
        )?;
        self.w
            .changed("lib_account", id.clone(), ChangeKind::Updated);
        Ok(id)
    }

    /// Insert or refresh a batch of objects of one account (parents before children, or
    /// in the same batch after them). Returns their library ids in order.
    pub fn upsert_lib_objects(
        &mut self,
        account_id: &str,
        objects: &[ObjectUpsert],
    ) -> Result<Vec<String>> {
        let now = self.w.now();
        let client_id = self.client.id.clone();
        let platform: String = self
            .w
            .tx
            .query_row(
                "SELECT platform FROM lib_accounts WHERE id = ?1 AND client_id = ?2",
                params![account_id, client_id],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| StoreError::not_found(format!("library account {account_id}")))?;
        let mut ids = Vec::with_capacity(objects.len());
        let mut search: Vec<(i64, &str, String)> = Vec::with_capacity(objects.len());
        let mut terms = SearchTerms::default();
        let mut upsert = self.w.tx.prepare_cached(
            "INSERT INTO lib_objects (id, client_id, account_id, platform, level, native_level, external_id, parent_id, name, status, status_raw,
                 objective, objective_raw, budget_micros, budget_period, bid_micros, currency, start_at, end_at, optimization_goal,
                 targeting_summary, creative_external_id, review_status, final_url, raw_json, fetched_at, first_seen, last_seen, parent_external_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?26, ?26, ?27)
             ON CONFLICT (account_id, level, external_id) DO UPDATE SET
                 native_level = excluded.native_level, parent_id = excluded.parent_id,
                 parent_external_id = excluded.parent_external_id, name = excluded.name,
                 status = excluded.status, status_raw = excluded.status_raw, objective = excluded.objective,
                 objective_raw = excluded.objective_raw, budget_micros = excluded.budget_micros,
                 budget_period = excluded.budget_period, bid_micros = excluded.bid_micros, currency = excluded.currency,
                 start_at = excluded.start_at, end_at = excluded.end_at, optimization_goal = excluded.optimization_goal,
                 targeting_summary = excluded.targeting_summary, creative_external_id = excluded.creative_external_id,
                 review_status = excluded.review_status, final_url = excluded.final_url, raw_json = excluded.raw_json,
                 fetched_at = excluded.fetched_at, last_seen = excluded.last_seen, removed_at = NULL
             RETURNING id, rowid",
        )?;
        let mut parent_of = self.w.tx.prepare_cached(
            "SELECT id FROM lib_objects WHERE account_id = ?1 AND level = ?2 AND external_id = ?3",
        )?;
        let mut unindex = self
            .w
            .tx
            .prepare_cached("DELETE FROM lib_search WHERE rowid = ?1")?;
        let mut index = self.w.tx.prepare_cached(
            "INSERT INTO lib_search (rowid, client_id, kind, text) VALUES (?1, ?2, ?3, ?4)",
        )?;
        for o in objects {
            if !matches!(o.level.as_str(), "campaign" | "ad_group" | "ad") {
                return Err(StoreError::Invalid(format!(
                    "'{}' is not a library level",
                    o.level
                )));
            }
            let parent_id: Option<String> = match (parent_level(&o.level), &o.parent_external_id) {
                (Some(level), Some(parent)) => parent_of
                    .query_row(params![account_id, level, parent], |r| r.get(0))
                    .optional()?,
                _ => None,
            };
            let id: (String, i64) = upsert.query_row(
                params![
                    uuid::Uuid::now_v7().to_string(),
                    client_id,
                    account_id,
                    platform,
                    o.level,
                    o.native_level,
                    o.external_id,
                    parent_id,
                    o.name,
                    o.status,
                    o.status_raw,
                    o.objective,
                    o.objective_raw,
                    o.budget_micros,
                    o.budget_period,
                    o.bid_micros,
                    o.currency,
                    o.start_at,
                    o.end_at,
                    o.optimization_goal,
                    o.targeting_summary,
                    o.creative_external_id,
                    o.review_status,
                    o.final_url,
                    o.raw_json,
                    now,
                    o.parent_external_id
                ],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)),
            )?;
            let (id, rowid) = id;
            let text = format!("{}\n{}", o.name, o.search_text);
            terms.note(&text);
            search.push((rowid, o.level.as_str(), text));
            ids.push(id);
        }
        // The batch's search rows go in after all its upserts, in rowid order.
        // why: FTS5 flushes its pending terms into a new segment whenever a rowid is lower
        // than the one before it, and whenever a statement transaction opens (SQLite opens
        // one on every virtual table already written in the transaction, and each upsert
        // runs in one). Creatives' keys fall (minus their rowid), and upserts came between
        // search rows: the index got a segment per row and merged them again, about a
        // quarter of the import writer's time on listings. Now one segment per batch.
        search.sort_unstable_by_key(|(rowid, _, _)| *rowid);
        for (rowid, level, text) in &search {
            unindex.execute([rowid])?;
            index.execute(params![rowid, client_id, level, text])?;
        }
        drop((upsert, parent_of, unindex, index));
        terms.store(&self.w.tx)?;
        if !ids.is_empty() {
            // One change per batch: the UI reloads once, not once per row.
            self.w
                .changed("lib_objects", account_id, ChangeKind::Updated);
        }
        Ok(ids)
    }

    /// After a full re-pull of `level` for an account: every object not seen since
    /// `pull_started` (RFC 3339) is marked removed. Returns how many were marked.
    pub fn mark_lib_objects_removed(
        &mut self,
        account_id: &str,
        level: &str,
        pull_started: &str,
    ) -> Result<usize> {
        let now = self.w.now();
        let n = self.w.tx.execute(
            "UPDATE lib_objects SET removed_at = ?5
             WHERE client_id = ?1 AND account_id = ?2 AND level = ?3 AND last_seen < ?4 AND removed_at IS NULL",
            params![self.client.id, account_id, level, pull_started, now],
        )?;
        if n > 0 {
            self.w
                .changed("lib_objects", account_id, ChangeKind::Updated);
        }
        Ok(n)
    }
}

impl crate::rw::Write<'_> {
    /// Merge the full-text index's segments into one. Bulk imports leave many segments,
    /// and every term lookup visits each; merged, a common word's newest matches are a
    /// single doclist walk. Costs about as long as writing the index once.
    pub fn optimize_library_search(&mut self) -> Result<()> {
        self.tx.execute(
            "INSERT INTO lib_search (lib_search) VALUES ('optimize')",
            [],
        )?;
        Ok(())
    }

    /// Do up to `pages` pages of segment merging (cheap, incremental; after each import).
    pub fn merge_library_search(&mut self, pages: u32) -> Result<()> {
        self.tx.execute(
            "INSERT INTO lib_search (lib_search, rank) VALUES ('merge', ?1)",
            [pages],
        )?;
        Ok(())
    }
}

impl ClientWrite<'_, '_> {
    /// Insert or refresh creatives of one account, their asset links and their search
    /// text (found under the ads that use them).
    pub fn upsert_lib_creatives(
        &mut self,
        account_id: &str,
        creatives: &[CreativeUpsert],
    ) -> Result<()> {
        let now = self.w.now();
        let client_id = self.client.id.clone();
        let platform = self.account_platform(account_id)?;
        let mut terms = SearchTerms::default();
        let mut search: Vec<(i64, String)> = Vec::with_capacity(creatives.len());
        let mut upsert = self.w.tx.prepare_cached(
            "INSERT INTO lib_creatives (id, client_id, account_id, platform, external_id, format, headlines, bodies, cta, landing_url, url_tags, source_post_id, raw_json, fetched_at, first_seen, last_seen)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14, ?14)
             ON CONFLICT (account_id, external_id) DO UPDATE SET
                 format = excluded.format, headlines = excluded.headlines, bodies = excluded.bodies, cta = excluded.cta,
                 landing_url = excluded.landing_url, url_tags = excluded.url_tags, source_post_id = excluded.source_post_id,
                 raw_json = excluded.raw_json, fetched_at = excluded.fetched_at, last_seen = excluded.last_seen, removed_at = NULL
             RETURNING id, rowid",
        )?;
        let mut unlink = self
            .w
            .tx
            .prepare_cached("DELETE FROM lib_creative_assets WHERE creative_id = ?1")?;
        let mut link = self.w.tx.prepare_cached(
            "INSERT OR IGNORE INTO lib_creative_assets (creative_id, platform_key, role, position) VALUES (?1, ?2, ?3, ?4)",
        )?;
        let mut unindex = self
            .w
            .tx
            .prepare_cached("DELETE FROM lib_search WHERE rowid = ?1")?;
        // A creative's search row is keyed by minus its rowid (objects use theirs).
        let mut index = self.w.tx.prepare_cached(
            "INSERT INTO lib_search (rowid, client_id, kind, text) VALUES (?1, ?2, 'creative', ?3)",
        )?;
        for c in creatives {
            let headlines = serde_json::to_string(&c.headlines).unwrap_or_else(|_| "[]".into());
            let bodies = serde_json::to_string(&c.bodies).unwrap_or_else(|_| "[]".into());
            let id: (String, i64) = upsert.query_row(
                params![
                    uuid::Uuid::now_v7().to_string(),
                    client_id,
                    account_id,
                    platform,
                    c.external_id,
                    c.format,
                    headlines,
                    bodies,
                    c.cta,
                    c.landing_url,
                    c.url_tags,
                    c.source_post_id,
                    c.raw_json,
                    now
                ],
                |r| Ok((r.get::<_, String>(0)?, -r.get::<_, i64>(1)?)),
            )?;
            let (id, key) = id;
            unlink.execute([&id])?;
            for a in &c.assets {
                link.execute(params![id, a.platform_key, a.role, a.position])?;
            }
            let mut text = String::new();
            for part in c
                .headlines
                .iter()
                .chain(&c.bodies)
                .map(String::as_str)
                .chain([
                    c.name.as_str(),
                    c.cta.as_deref().unwrap_or(""),
                    c.landing_url.as_deref().unwrap_or(""),
                ])
            {
                if !part.is_empty() {
                    text.push_str(part);
                    text.push('\n');
                }
            }
            if !text.is_empty() {
                terms.note(&text);
            }
            search.push((key, text));
        }
        // After all the upserts, in key order, as in `upsert_lib_objects`.
        search.sort_unstable_by_key(|(key, _)| *key);
        for (key, text) in &search {
            unindex.execute([key])?;
            if !text.is_empty() {
                index.execute(params![key, client_id, text])?;
            }
        }
        drop((upsert, unlink, link, unindex, index));
        terms.store(&self.w.tx)?;
        if !creatives.is_empty() {
            self.w
                .changed("lib_creatives", account_id, ChangeKind::Updated);
        }
        Ok(())
    }

    /// Insert or refresh assets the platform announced. A downloaded asset keeps its
    /// bytes (Meta image hashes and video ids name fixed content); a failed one is queued
    /// again with the new URL (signed URLs expire, so every import brings fresh ones).
    pub fn upsert_lib_assets(&mut self, account_id: &str, assets: &[AssetRef]) -> Result<()> {
        let now = self.w.now();
        let client_id = self.client.id.clone();
        let platform = self.account_platform(account_id)?;
        let mut upsert = self.w.tx.prepare_cached(
            "INSERT INTO lib_assets (id, client_id, account_id, platform, platform_key, kind, name, original_url, announced_mime, width, height, duration_ms, status, thumbnail_of, raw_json, fetched_at, first_seen, last_seen)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?16, ?16)
             ON CONFLICT (account_id, platform_key) DO UPDATE SET
                 kind = excluded.kind, name = excluded.name, original_url = excluded.original_url,
                 announced_mime = excluded.announced_mime, width = coalesce(excluded.width, lib_assets.width),
                 height = coalesce(excluded.height, lib_assets.height), duration_ms = coalesce(excluded.duration_ms, lib_assets.duration_ms),
                 thumbnail_of = excluded.thumbnail_of, raw_json = excluded.raw_json, fetched_at = excluded.fetched_at,
                 last_seen = excluded.last_seen,
                 status = CASE WHEN lib_assets.status = 'done' THEN 'done' ELSE excluded.status END,
                 error = CASE WHEN lib_assets.status = 'done' THEN NULL ELSE lib_assets.error END",
        )?;
        for a in assets {
            let status = if a.url.is_some() {
                "pending"
            } else {
                "external"
            };
            upsert.execute(params![
                uuid::Uuid::now_v7().to_string(),
                client_id,
                account_id,
                platform,
                a.platform_key,
                a.kind,
                a.name,
                a.url,
                a.announced_mime,
                a.width,
                a.height,
                a.duration_ms.map(|d| d as i64),
                status,
                a.thumbnail_of,
                a.raw_json,
                now
            ])?;
        }
        drop(upsert);
        if !assets.is_empty() {
            self.w
                .changed("lib_assets", account_id, ChangeKind::Updated);
        }
        Ok(())
    }

    /// Insert or replace daily metric rows (platforms restate recent days: the newest pull wins).
    pub fn upsert_lib_metrics(&mut self, account_id: &str, rows: &[MetricUpsert]) -> Result<()> {
        let now = self.w.now();
        self.account_platform(account_id)?;
        // Read before the rows are replaced: the change they make to lifetime totals.
        let changes = self.metric_changes(account_id, rows)?;
        let mut upsert = self.w.tx.prepare_cached(
            "INSERT INTO lib_metrics_daily (account_id, level, external_id, date, breakdown, impressions, clicks, spend_micros, currency,
                 conversions_micros, conversion_value_micros, video_views, reach, extra, pulled_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
             ON CONFLICT (account_id, level, external_id, date, breakdown) DO UPDATE SET
                 impressions = excluded.impressions, clicks = excluded.clicks, spend_micros = excluded.spend_micros,
                 currency = excluded.currency, conversions_micros = excluded.conversions_micros,
                 conversion_value_micros = excluded.conversion_value_micros, video_views = excluded.video_views,
                 reach = excluded.reach, extra = excluded.extra, pulled_at = excluded.pulled_at",
        )?;
        for m in rows {
            if !matches!(m.level.as_str(), "account" | "campaign" | "ad_group" | "ad") {
                return Err(StoreError::Invalid(format!(
                    "'{}' is not a metrics level",
                    m.level
                )));
            }
            if !is_iso_date(&m.date) {
                return Err(StoreError::Invalid(format!(
                    "'{}' is not a YYYY-MM-DD date",
                    m.date
                )));
            }
            upsert.execute(params![
                account_id,
                m.level,
                m.external_id,
                m.date,
                m.breakdown,
                m.impressions,
                m.clicks,
                m.spend_micros,
                m.currency,
                m.conversions_micros,
                m.conversion_value_micros,
                m.video_views,
                m.reach,
                if m.extra.is_empty() {
                    "{}"
                } else {
                    m.extra.as_str()
                },
                now
            ])?;
        }
        drop(upsert);
        let mut pend = self.w.tx.prepare_cached(
            "INSERT INTO lib_totals_pending (account_id, level, external_id, spend_micros, impressions, clicks, conversions_micros)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (account_id, level, external_id) DO UPDATE SET
                 spend_micros = spend_micros + excluded.spend_micros, impressions = impressions + excluded.impressions,
                 clicks = clicks + excluded.clicks, conversions_micros = conversions_micros + excluded.conversions_micros",
        )?;
        for ((level, external_id), d) in changes {
            if d != [0; 4] {
                pend.execute(params![
                    account_id,
                    level,
                    external_id,
                    d[0],
                    d[1],
                    d[2],
                    d[3]
                ])?;
            }
        }
        drop(pend);
        if !rows.is_empty() {
            self.w
                .changed("lib_metrics", account_id, ChangeKind::Updated);
        }
        Ok(())
    }

    /// What `rows` add to each object's lifetime totals (spend, impressions, clicks,
    /// conversions): their values minus those of the stored rows they replace. Rows with a
    /// breakdown do not count; of two rows for the same day, the later one is stored.
    // why: one range read per object and batch, not one lookup per row (a 31-day report
    // page holds about 16 objects' 500 rows).
    #[allow(clippy::type_complexity)]
    fn metric_changes<'r>(
        &self,
        account_id: &str,
        rows: &'r [MetricUpsert],
    ) -> Result<Vec<((&'r str, &'r str), [i64; 4])>> {
        let mut by_object: HashMap<(&str, &str), BTreeMap<&str, [i64; 4]>> = HashMap::new();
        let mut order = Vec::new();
        for m in rows.iter().filter(|m| m.breakdown.is_empty()) {
            let key = (m.level.as_str(), m.external_id.as_str());
            let days = by_object.entry(key).or_insert_with(|| {
                order.push(key);
                BTreeMap::new()
            });
            days.insert(
                m.date.as_str(),
                [
                    m.spend_micros,
                    m.impressions,
                    m.clicks,
                    m.conversions_micros,
                ],
            );
        }
        let mut stored = self.w.tx.prepare_cached(
            "SELECT date, spend_micros, impressions, clicks, conversions_micros FROM lib_metrics_daily
             WHERE account_id = ?1 AND level = ?2 AND external_id = ?3 AND date BETWEEN ?4 AND ?5 AND breakdown = ''",
        )?;
        let mut out = Vec::with_capacity(order.len());
        for key in order {
            let days = &by_object[&key];
            let mut change = [0i64; 4];
            for v in days.values() {
                for (c, x) in change.iter_mut().zip(v) {
                    *c = c.saturating_add(*x);
                }
            }
            let (Some(first), Some(last)) = (days.keys().next(), days.keys().next_back()) else {
                continue;
            };
            let mut old = stored.query(params![account_id, key.0, key.1, first, last])?;
            while let Some(r) = old.next()? {
                let date: String = r.get(0)?;
                if days.contains_key(date.as_str()) {
                    for (i, c) in change.iter_mut().enumerate() {
                        *c = c.saturating_sub(r.get::<_, i64>(i + 1)?);
                    }
                }
            }
            out.push((key, change));
        }
        Ok(out)
    }

    /// Link objects whose parent arrived after them (listings run concurrently).
    pub fn link_lib_parents(&mut self, account_id: &str) -> Result<usize> {
        Ok(self.w.tx.execute(
            "UPDATE lib_objects AS c SET parent_id = (
                 SELECT p.id FROM lib_objects p WHERE p.account_id = c.account_id AND p.external_id = c.parent_external_id
                   AND p.level = CASE c.level WHEN 'ad' THEN 'ad_group' ELSE 'campaign' END)
             WHERE c.client_id = ?1 AND c.account_id = ?2 AND c.parent_id IS NULL AND c.parent_external_id IS NOT NULL
               AND c.level IN ('ad_group', 'ad')",
            params![self.client.id, account_id],
        )?)
    }

    /// Add the totals' pending changes (`lib_totals_pending`) to the account's objects, and
    /// count its objects again: what settling an import does, without reading every daily
    /// row. Changes for objects not in the library yet stay pending.
    pub fn settle_lib_totals(&mut self, account_id: &str) -> Result<()> {
        self.refresh_lib_counts(account_id)?;
        let applied = self.w.tx.execute(
            "UPDATE lib_objects AS o SET spend_micros = o.spend_micros + p.spend_micros,
                 impressions = o.impressions + p.impressions, clicks = o.clicks + p.clicks,
                 conversions_micros = o.conversions_micros + p.conversions_micros
             FROM lib_totals_pending AS p
             WHERE p.account_id = ?2 AND o.client_id = ?1 AND o.account_id = p.account_id
               AND o.level = p.level AND o.external_id = p.external_id",
            params![self.client.id, account_id],
        )?;
        self.clear_applied_totals(account_id)?;
        if applied > 0 {
            self.w
                .changed("lib_objects", account_id, ChangeKind::Updated);
        }
        Ok(())
    }

    /// Pending total changes of objects that are in the library are part of their totals.
    fn clear_applied_totals(&mut self, account_id: &str) -> Result<()> {
        self.w.tx.execute(
            "DELETE FROM lib_totals_pending AS p
             WHERE p.account_id = ?2 AND EXISTS (SELECT 1 FROM lib_objects o WHERE o.client_id = ?1
                 AND o.account_id = p.account_id AND o.level = p.level AND o.external_id = p.external_id)",
            params![self.client.id, account_id],
        )?;
        Ok(())
    }

    /// The account's object counts (objects still on the platform).
    fn refresh_lib_counts(&mut self, account_id: &str) -> Result<()> {
        self.w.tx.execute(
            "UPDATE lib_accounts SET
                 campaigns_count = (SELECT count(*) FROM lib_objects WHERE account_id = ?2 AND level = 'campaign' AND removed_at IS NULL),
                 ad_groups_count = (SELECT count(*) FROM lib_objects WHERE account_id = ?2 AND level = 'ad_group' AND removed_at IS NULL),
                 ads_count = (SELECT count(*) FROM lib_objects WHERE account_id = ?2 AND level = 'ad' AND removed_at IS NULL)
             WHERE client_id = ?1 AND id = ?2",
            params![self.client.id, account_id],
        )?;
        Ok(())
    }

    /// Recompute the lifetime totals of every object of an account from all its daily rows
    /// (and its object counts); pending changes of those objects are then part of them.
    pub fn refresh_lib_totals(&mut self, account_id: &str) -> Result<()> {
        self.refresh_lib_counts(account_id)?;
        self.w.tx.execute(
            "UPDATE lib_objects AS o SET spend_micros = coalesce(t.spend, 0), impressions = coalesce(t.imp, 0),
                 clicks = coalesce(t.clk, 0), conversions_micros = coalesce(t.conv, 0)
             FROM (SELECT level, external_id, sum(spend_micros) AS spend, sum(impressions) AS imp, sum(clicks) AS clk,
                          sum(conversions_micros) AS conv
                   FROM lib_metrics_daily WHERE account_id = ?2 AND breakdown = '' GROUP BY level, external_id) AS t
             WHERE o.client_id = ?1 AND o.account_id = ?2 AND o.level = t.level AND o.external_id = t.external_id",
            params![self.client.id, account_id],
        )?;
        self.clear_applied_totals(account_id)?;
        self.w
            .changed("lib_objects", account_id, ChangeKind::Updated);
        Ok(())
    }

    fn account_platform(&self, account_id: &str) -> Result<String> {
        self.w
            .tx
            .query_row(
                "SELECT platform FROM lib_accounts WHERE id = ?1 AND client_id = ?2",
                params![account_id, self.client.id],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| StoreError::not_found(format!("library account {account_id}")))
    }
}

/// How many words a typed prefix stands for at most (the alphabetically first ones).
const PREFIX_EXPANSIONS: u32 = 32;

/// The ASCII words of a batch's search text, folded as the index's tokenizer folds them
/// (unicode61, diacritics removed, lower case), stored once per batch in
/// `lib_search_terms` for prefix expansion.
#[derive(Default)]
struct SearchTerms(std::collections::HashSet<String>);

impl SearchTerms {
    fn note(&mut self, text: &str) {
        use unicode_normalization::{char::is_combining_mark, UnicodeNormalization};
        for word in text.split(|c: char| !c.is_alphanumeric()) {
            if word.is_empty() || word.len() > 64 {
                continue;
            }
            let folded: String = if word.is_ascii() {
                word.to_ascii_lowercase()
            } else {
                word.nfd()
                    .filter(|c| !is_combining_mark(*c))
                    .collect::<String>()
                    .to_lowercase()
            };
            if folded.is_ascii() && !self.0.contains(&folded) {
                self.0.insert(folded);
            }
        }
    }

    fn store(self, tx: &rusqlite::Transaction<'_>) -> Result<()> {
        let mut insert =
            tx.prepare_cached("INSERT OR IGNORE INTO lib_search_terms (term) VALUES (?1)")?;
        for t in self.0 {
            insert.execute([t])?;
        }
        Ok(())
    }
}

/// About a dozen words of `text` around the first query word found, each word that starts
/// with a query word between `[` and `]`, `…` where text was cut. Words are compared
/// case-insensitively (the index also folds diacritics; an excerpt may then show none).
fn excerpt(text: &str, words: &[String]) -> String {
    const AROUND: usize = 12;
    let tokens: Vec<&str> = text.split_whitespace().collect();
    let matches = |t: &str| {
        let t: String = t
            .chars()
            .filter(|c| c.is_alphanumeric())
            .collect::<String>()
            .to_lowercase();
        !t.is_empty() && words.iter().any(|w| t.starts_with(w.as_str()))
    };
    let first = tokens.iter().position(|t| matches(t)).unwrap_or(0);
    let start = first.saturating_sub(AROUND / 3);
    let end = (start + AROUND).min(tokens.len());
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    for (i, t) in tokens[start..end].iter().enumerate() {
        if i > 0 || start > 0 {
            out.push(' ');
        }
        if matches(t) {
            // Brackets around the word itself, punctuation outside.
            let from = t.find(char::is_alphanumeric).unwrap_or(0);
            let to = t.rfind(char::is_alphanumeric).map_or(t.len(), |i| {
                i + t[i..].chars().next().map_or(1, char::len_utf8)
            });
            out.push_str(&t[..from]);
            out.push('[');
            out.push_str(&t[from..to]);
            out.push(']');
            out.push_str(&t[to..]);
        } else {
            out.push_str(t);
        }
    }
    if end < tokens.len() {
        out.push_str(" …");
    }
    out
}

impl ClientRead<'_> {
    /// Full-text search over names and ad copy of this client's library; best matches
    /// first. Words are matched as prefixes; FTS syntax in the query is neutralised.
    pub fn search_library(&self, query: &str, limit: u32) -> Result<Vec<SearchHit>> {
        let words: Vec<&str> = query
            .split(|c: char| !c.is_alphanumeric())
            .filter(|t| !t.is_empty())
            .take(16)
            .collect();
        let Some((last, rest)) = words.split_last() else {
            return Ok(Vec::new());
        };
        // Whole words match exactly; the last one (still being typed) matches as a prefix.
        // why: FTS5 answers a `prefix*` term by loading and merging the full doclists of
        // every matching term, which for a frequent word in a million-ad library costs tens
        // of milliseconds; the prefix is expanded here from the index's words
        // (`lib_search_terms`, not fts5vocab, which counts every term's documents) into an
        // OR of exact terms instead, which FTS5 walks lazily in rowid order.
        let mut parts: Vec<String> = rest.iter().map(|t| format!("\"{t}\"")).collect();
        if last.is_ascii() {
            let prefix = last.to_ascii_lowercase();
            let mut vocab = self.conn.prepare_cached(
                "SELECT term FROM lib_search_terms WHERE term >= ?1 AND term < ?2 ORDER BY term LIMIT ?3",
            )?;
            let expansions: Vec<String> = vocab
                .query_map(
                    params![prefix, format!("{prefix}\u{10FFFF}"), PREFIX_EXPANSIONS],
                    |r| r.get(0),
                )?
                .collect::<rusqlite::Result<_>>()?;
            if expansions.is_empty() {
                return Ok(Vec::new());
            }
            parts.push(format!(
                "({})",
                expansions
                    .iter()
                    .map(|t| format!("\"{t}\""))
                    .collect::<Vec<_>>()
                    .join(" OR ")
            ));
        } else {
            // Non-ASCII: the tokenizer folds case and diacritics; let FTS5 expand it.
            parts.push(format!("\"{last}\"*"));
        }
        let terms = parts;
        // The newest matches only: FTS5 walks the terms' doclists backwards in rowid order
        // and stops after `limit` rows, so a word that is in half a million ads costs the
        // same as a rare one. No auxiliary functions (bm25, snippet) run inside the scan —
        // each would read every candidate's positions; the excerpt is cut here from the
        // matched rows' text. Hits on a creative's copy are answered as the ads using it.
        let mut stmt = self.conn.prepare_cached(
            "WITH hits AS MATERIALIZED (
                 SELECT rowid AS key, kind, text FROM lib_search
                 WHERE lib_search MATCH ?1 AND client_id = ?2 ORDER BY rowid DESC LIMIT ?3)
             SELECT id, level, name, platform, text FROM (
                 SELECT o.id, o.level, o.name, o.platform, h.text, h.key
                 FROM hits h CROSS JOIN lib_objects o ON o.rowid = h.key AND o.client_id = ?2
                 WHERE h.kind != 'creative'
                 UNION ALL
                 SELECT o.id, o.level, o.name, o.platform, h.text, h.key
                 FROM hits h CROSS JOIN lib_creatives c ON c.rowid = -h.key AND c.client_id = ?2
                 CROSS JOIN lib_objects o ON o.account_id = c.account_id AND o.level = 'ad' AND o.creative_external_id = c.external_id
                 WHERE h.kind = 'creative')
             ORDER BY key DESC LIMIT ?3",
        )?;
        let lowered: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
        let rows = stmt.query_map(
            params![terms.join(" AND "), self.client.id, limit.min(500)],
            |r| {
                let text: String = r.get(4)?;
                Ok(SearchHit {
                    id: r.get(0)?,
                    kind: r.get(1)?,
                    name: r.get(2)?,
                    platform: r.get(3)?,
                    snippet: excerpt(&text, &lowered),
                })
            },
        )?;
        // An ad found by its name and by its copy is listed once (its newest hit).
        let mut seen = std::collections::HashSet::new();
        let mut hits = Vec::new();
        for hit in rows {
            let hit = hit?;
            if seen.insert(hit.id.clone()) {
                hits.push(hit);
            }
        }
        Ok(hits)
    }

    /// Where each of an account's objects stands, for checks and tests.
    pub fn lib_object_states(&self, account_id: &str) -> Result<Vec<ObjectState>> {
        let mut stmt = self.conn.prepare(
            "SELECT level, external_id, first_seen, removed_at FROM lib_objects WHERE client_id = ?1 AND account_id = ?2 ORDER BY level, external_id",
        )?;
        let rows = stmt.query_map(params![self.client.id, account_id], |r| {
            Ok(ObjectState {
                level: r.get(0)?,
                external_id: r.get(1)?,
                first_seen: r.get(2)?,
                removed_at: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// `YYYY-MM-DD` exactly (zero-padded, so that dates sort as text) and a real calendar day.
// why: chrono's "%Y-%m-%d" also takes "2026-1-5", which would sort after "2026-10-01".
fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| {
        b[r].iter().try_fold(0u32, |n, d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && matches!(
            (num(0..4), num(5..7), num(8..10)),
            (Some(y), Some(m), Some(d)) if chrono::NaiveDate::from_ymd_opt(y as i32, m, d).is_some()
        )
}

#[cfg(test)]
mod excerpt_tests {
    use super::excerpt;

    #[test]
    fn marks_query_words_and_cuts_around_the_first() {
        let w = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            excerpt("Free shipping, today only.", &w(&["ship"])),
            "Free [shipping], today only."
        );
        let long = (0..40)
            .map(|i| format!("w{i}"))
            .collect::<Vec<_>>()
            .join(" ");
        let e = excerpt(&long, &w(&["w20"]));
        assert!(
            e.starts_with('…') && e.ends_with('…') && e.contains("[w20]"),
            "{e}"
        );
        assert_eq!(excerpt("Naïve Café", &w(&["café"])), "Naïve [Café]");
        assert_eq!(excerpt("", &w(&["x"])), "");
    }
}
