//! Reading the library for review: accounts, filtered and sorted pages of campaigns / ad
//! groups / ads, one object's details with its creative, assets, daily metrics and
//! review marks. Review marks belong to the platform object (platform, level, external
//! id), so they survive re-imports.

use super::assets::LibAsset;
use super::clients::{ClientRead, ClientWrite};
use crate::error::{Result, StoreError};
use crate::rw::ChangeKind;
use rusqlite::types::Value as SqlValue;
use rusqlite::{params, params_from_iter, OptionalExtension, Row};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct LibAccountSummary {
    pub id: String,
    pub platform: String,
    pub external_id: String,
    pub name: String,
    pub currency: Option<String>,
    pub timezone: Option<String>,
    pub status: String,
    pub connection_id: Option<String>,
    pub last_import_at: Option<String>,
    pub auto_sync_hours: Option<i64>,
    pub campaigns: i64,
    pub ad_groups: i64,
    pub ads: i64,
    pub assets_done: i64,
    pub assets_total: i64,
}

/// What to list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct LibFilter {
    /// campaign, ad_group or ad
    pub level: String,
    pub account_id: Option<String>,
    pub platform: Option<String>,
    /// Only children of this object.
    pub parent_id: Option<String>,
    #[serde(default)]
    pub statuses: Vec<String>,
    #[serde(default)]
    pub objectives: Vec<String>,
    /// Objects running at some point between these dates (YYYY-MM-DD, inclusive).
    pub date_from: Option<String>,
    pub date_to: Option<String>,
    pub min_spend_micros: Option<i64>,
    pub max_spend_micros: Option<i64>,
    #[serde(default)]
    pub include_removed: bool,
    /// name, spend, impressions, clicks, conversions, start, status
    pub sort: Option<String>,
    #[serde(default)]
    pub desc: bool,
    pub offset: u32,
    pub limit: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct LibRow {
    pub id: String,
    pub account_id: String,
    pub level: String,
    pub native_level: String,
    pub platform: String,
    pub external_id: String,
    pub parent_id: Option<String>,
    pub name: String,
    pub status: String,
    pub status_raw: Option<String>,
    pub objective: Option<String>,
    pub objective_raw: Option<String>,
    pub budget_micros: Option<i64>,
    pub budget_period: Option<String>,
    pub currency: Option<String>,
    pub start_at: Option<String>,
    pub end_at: Option<String>,
    pub spend_micros: i64,
    pub impressions: i64,
    pub clicks: i64,
    pub conversions_micros: i64,
    pub removed_at: Option<String>,
    /// The newest review mark (approved, needs_changes, comment).
    pub review_mark: Option<String>,
    /// An image to show in lists (ads): an asset id with a thumbnail.
    pub thumb_asset_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct LibPage {
    /// How many match, counted up to [`TOTAL_CAP`]; counted for the first page (offset 0)
    /// only, `None` on later pages.
    pub total: Option<i64>,
    /// More than [`TOTAL_CAP`] match (the UI says "100,000+" and asks to narrow down).
    pub total_capped: bool,
    pub rows: Vec<LibRow>,
}

/// Matches are counted up to this many: counting a million rows for every screen would
/// cost more than the screen itself.
pub const TOTAL_CAP: i64 = 100_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct LibCreative {
    pub id: String,
    pub external_id: String,
    pub format: String,
    pub headlines: Vec<String>,
    pub bodies: Vec<String>,
    pub cta: Option<String>,
    pub landing_url: Option<String>,
    pub url_tags: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct LibCrumb {
    pub id: String,
    pub level: String,
    pub native_level: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct LibReview {
    pub seq: i64,
    pub mark: String,
    pub note: String,
    pub author: String,
    pub at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct LibObjectDetail {
    pub row: LibRow,
    pub account_name: String,
    pub crumbs: Vec<LibCrumb>,
    pub targeting_summary: Option<String>,
    pub optimization_goal: Option<String>,
    pub final_url: Option<String>,
    pub review_status: Option<String>,
    pub creative: Option<LibCreative>,
    pub assets: Vec<LibAsset>,
    pub reviews: Vec<LibReview>,
    pub children: i64,
    pub first_seen: String,
    pub last_seen: String,
    pub raw_json: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct MetricPoint {
    pub date: String,
    pub impressions: i64,
    pub clicks: i64,
    pub spend_micros: i64,
    pub conversions_micros: i64,
}

const ROW_COLS: &str = "o.id, o.account_id, o.level, o.native_level, o.platform, o.external_id, o.parent_id, o.name, o.status, o.status_raw,
    o.objective, o.objective_raw, o.budget_micros, o.budget_period, o.currency, o.start_at, o.end_at, o.spend_micros, o.impressions,
    o.clicks, o.conversions_micros, o.removed_at,
    (SELECT r.mark FROM lib_reviews r WHERE r.client_id = o.client_id AND r.platform = o.platform AND r.level = o.level AND r.external_id = o.external_id ORDER BY r.seq DESC LIMIT 1),
    CASE WHEN o.level = 'ad' THEN (
        SELECT a.id FROM lib_creatives c
        JOIN lib_creative_assets l ON l.creative_id = c.id
        JOIN lib_assets a ON a.account_id = c.account_id AND a.platform_key = l.platform_key AND a.status = 'done' AND a.kind IN ('image', 'thumbnail')
        WHERE c.account_id = o.account_id AND c.external_id = o.creative_external_id ORDER BY l.position LIMIT 1) END";

fn lib_row(r: &Row<'_>) -> rusqlite::Result<LibRow> {
    Ok(LibRow {
        id: r.get(0)?,
        account_id: r.get(1)?,
        level: r.get(2)?,
        native_level: r.get(3)?,
        platform: r.get(4)?,
        external_id: r.get(5)?,
        parent_id: r.get(6)?,
        name: r.get(7)?,
        status: r.get(8)?,
        status_raw: r.get(9)?,
        objective: r.get(10)?,
        objective_raw: r.get(11)?,
        budget_micros: r.get(12)?,
        budget_period: r.get(13)?,
        currency: r.get(14)?,
        start_at: r.get(15)?,
        end_at: r.get(16)?,
        spend_micros: r.get(17)?,
        impressions: r.get(18)?,
        clicks: r.get(19)?,
        conversions_micros: r.get(20)?,
        removed_at: r.get(21)?,
        review_mark: r.get(22)?,
        thumb_asset_id: r.get(23)?,
    })
}

impl ClientRead<'_> {
    /// The client's imported accounts with counts.
    pub fn lib_accounts(&self) -> Result<Vec<LibAccountSummary>> {
        let mut stmt = self.conn.prepare(
            "SELECT a.id, a.platform, a.external_id, a.name, a.currency, a.timezone, a.status, a.connection_id, a.last_import_at, a.auto_sync_hours,
                 a.campaigns_count, a.ad_groups_count, a.ads_count,
                 (SELECT count(*) FROM lib_assets s WHERE s.account_id = a.id AND s.status = 'done'),
                 (SELECT count(*) FROM lib_assets s WHERE s.account_id = a.id)
             FROM lib_accounts a WHERE a.client_id = ?1 ORDER BY a.platform, a.name COLLATE NOCASE",
        )?;
        let rows = stmt.query_map([&self.client.id], |r| {
            Ok(LibAccountSummary {
                id: r.get(0)?,
                platform: r.get(1)?,
                external_id: r.get(2)?,
                name: r.get(3)?,
                currency: r.get(4)?,
                timezone: r.get(5)?,
                status: r.get(6)?,
                connection_id: r.get(7)?,
                last_import_at: r.get(8)?,
                auto_sync_hours: r.get(9)?,
                campaigns: r.get(10)?,
                ad_groups: r.get(11)?,
                ads: r.get(12)?,
                assets_done: r.get(13)?,
                assets_total: r.get(14)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// One page of objects matching `filter`, with the total that match.
    pub fn lib_objects(&self, filter: &LibFilter) -> Result<LibPage> {
        if !matches!(filter.level.as_str(), "campaign" | "ad_group" | "ad") {
            return Err(StoreError::Invalid(format!(
                "'{}' is not a library level",
                filter.level
            )));
        }
        let mut clauses = vec!["o.client_id = ?".to_owned(), "o.level = ?".to_owned()];
        let mut args: Vec<SqlValue> =
            vec![self.client.id.clone().into(), filter.level.clone().into()];
        if let Some(a) = &filter.account_id {
            clauses.push("o.account_id = ?".into());
            args.push(a.clone().into());
        }
        if let Some(p) = &filter.platform {
            clauses.push("o.platform = ?".into());
            args.push(p.clone().into());
        }
        if let Some(p) = &filter.parent_id {
            clauses.push("o.parent_id = ?".into());
            args.push(p.clone().into());
        }
        for (column, values) in [
            ("o.status", &filter.statuses),
            ("o.objective", &filter.objectives),
        ] {
            if !values.is_empty() {
                clauses.push(format!(
                    "{column} IN ({})",
                    vec!["?"; values.len()].join(", ")
                ));
                args.extend(values.iter().map(|v| SqlValue::from(v.clone())));
            }
        }
        if let Some(from) = &filter.date_from {
            clauses.push("(o.end_at IS NULL OR substr(o.end_at, 1, 10) >= ?)".into());
            args.push(from.clone().into());
        }
        if let Some(to) = &filter.date_to {
            clauses.push("(o.start_at IS NULL OR substr(o.start_at, 1, 10) <= ?)".into());
            args.push(to.clone().into());
        }
        if let Some(min) = filter.min_spend_micros {
            clauses.push("o.spend_micros >= ?".into());
            args.push(min.into());
        }
        if let Some(max) = filter.max_spend_micros {
            clauses.push("o.spend_micros <= ?".into());
            args.push(max.into());
        }
        if !filter.include_removed {
            clauses.push("o.removed_at IS NULL".into());
        }
        let r#where = clauses.join(" AND ");
        // Counted for the first page only: later pages of the same list keep that count
        // (counting 100,000 index entries costs more than reading a page).
        let (total, total_capped) = if filter.offset == 0 {
            let counted: i64 = self.conn.query_row(
                &format!(
                    "SELECT count(*) FROM (SELECT 1 FROM lib_objects o WHERE {where} LIMIT {})",
                    TOTAL_CAP + 1
                ),
                params_from_iter(args.iter()),
                |r| r.get(0),
            )?;
            (Some(counted.min(TOTAL_CAP)), counted > TOTAL_CAP)
        } else {
            (None, false)
        };
        // The page's rows are found first by rowid alone, in an order an index can give
        // (name and spend: the sort key, then the filter columns the index carries, then
        // rowid), so a deep page of a million ads reads index entries, not table rows; the
        // wide rows and their review marks and thumbnails are then read for those 200 only.
        let dir = if filter.desc { "DESC" } else { "ASC" };
        let indexed = |key: &str| {
            [
                key,
                "o.status",
                "o.objective",
                "o.account_id",
                "o.platform",
                "o.rowid",
            ]
            .iter()
            .map(|c| format!("{c} {dir}"))
            .collect::<Vec<_>>()
            .join(", ")
        };
        // A narrow filter (an objective) sorted by a metric: reading the spend index in
        // order would walk past most of the level to find a page's rows (a third of ads
        // never spent anything); the covering filter index finds exactly the matching ones
        // and they are sorted instead. The planner cannot tell without statistics, which
        // are too slow to gather on a large vault.
        let sort = filter.sort.as_deref().unwrap_or("name");
        let narrow = !filter.include_removed
            && filter.parent_id.is_none()
            && !filter.objectives.is_empty()
            && sort != "name";
        let hint = match (narrow, filter.account_id.is_some()) {
            (false, _) => "",
            (true, false) => "INDEXED BY lib_objects_live",
            (true, true) => "INDEXED BY lib_objects_live_account",
        };
        let order = match sort {
            "spend" if narrow => format!("o.spend_micros {dir}, o.rowid {dir}"),
            "spend" => indexed("o.spend_micros"),
            "impressions" => format!("o.impressions {dir}, o.rowid {dir}"),
            "clicks" => format!("o.clicks {dir}, o.rowid {dir}"),
            "conversions" => format!("o.conversions_micros {dir}, o.rowid {dir}"),
            "start" => format!("o.start_at {dir}, o.rowid {dir}"),
            "status" => format!("o.status {dir}, o.rowid {dir}"),
            _ => indexed("o.name COLLATE NOCASE"),
        };
        let mut page_args = args;
        page_args.push(i64::from(filter.limit.clamp(1, 500)).into());
        page_args.push(i64::from(filter.offset).into());
        let keys: Vec<i64> = self
            .conn
            .prepare_cached(&format!(
                "SELECT o.rowid FROM lib_objects o {hint} WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?"
            ))?
            .query_map(params_from_iter(page_args.iter()), |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let mut one = self.conn.prepare_cached(&format!(
            "SELECT {ROW_COLS} FROM lib_objects o WHERE o.rowid = ?1"
        ))?;
        let rows = keys
            .iter()
            .map(|k| one.query_row([k], lib_row))
            .collect::<rusqlite::Result<_>>()?;
        Ok(LibPage {
            total,
            total_capped,
            rows,
        })
    }

    /// One object with everything the review screen shows.
    pub fn lib_object(&self, object_id: &str) -> Result<LibObjectDetail> {
        let row = self
            .conn
            .query_row(
                &format!(
                    "SELECT {ROW_COLS} FROM lib_objects o WHERE o.id = ?1 AND o.client_id = ?2"
                ),
                params![object_id, self.client.id],
                lib_row,
            )
            .optional()?
            .ok_or_else(|| StoreError::not_found(format!("library object {object_id}")))?;
        type Extra = (
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
            String,
            String,
            String,
            String,
        );
        let (targeting_summary, optimization_goal, final_url, review_status, creative_ext, first_seen, last_seen, raw_json, account_name): Extra =
            self.conn.query_row(
                "SELECT o.targeting_summary, o.optimization_goal, o.final_url, o.review_status, o.creative_external_id,
                        o.first_seen, o.last_seen, o.raw_json, a.name
                 FROM lib_objects o JOIN lib_accounts a ON a.id = o.account_id WHERE o.id = ?1",
                [object_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?)),
            )?;
        let mut crumbs = Vec::new();
        let mut parent = row.parent_id.clone();
        while let Some(pid) = parent.take() {
            let crumb: Option<(LibCrumb, Option<String>)> = self
                .conn
                .query_row(
                    "SELECT id, level, native_level, name, parent_id FROM lib_objects WHERE id = ?1 AND client_id = ?2",
                    params![pid, self.client.id],
                    |r| {
                        Ok((
                            LibCrumb { id: r.get(0)?, level: r.get(1)?, native_level: r.get(2)?, name: r.get(3)? },
                            r.get(4)?,
                        ))
                    },
                )
                .optional()?;
            if let Some((c, next)) = crumb {
                crumbs.insert(0, c);
                parent = next;
            }
            if crumbs.len() > 4 {
                break;
            }
        }
        let creative = match &creative_ext {
            Some(ext) => self
                .conn
                .query_row(
                    "SELECT id, external_id, format, headlines, bodies, cta, landing_url, url_tags FROM lib_creatives
                     WHERE client_id = ?1 AND account_id = ?2 AND external_id = ?3",
                    params![self.client.id, row.account_id, ext],
                    |r| {
                        let list = |s: String| serde_json::from_str::<Vec<String>>(&s).unwrap_or_default();
                        Ok(LibCreative {
                            id: r.get(0)?,
                            external_id: r.get(1)?,
                            format: r.get(2)?,
                            headlines: list(r.get(3)?),
                            bodies: list(r.get(4)?),
                            cta: r.get(5)?,
                            landing_url: r.get(6)?,
                            url_tags: r.get(7)?,
                        })
                    },
                )
                .optional()?,
            None => None,
        };
        let assets = match &creative {
            Some(c) => self.lib_creative_assets(&c.id)?,
            None => Vec::new(),
        };
        let children: i64 = self.conn.query_row(
            "SELECT count(*) FROM lib_objects WHERE parent_id = ?1 AND client_id = ?2",
            params![object_id, self.client.id],
            |r| r.get(0),
        )?;
        let reviews = self.lib_reviews(&row.platform, &row.level, &row.external_id)?;
        Ok(LibObjectDetail {
            row,
            account_name,
            crumbs,
            targeting_summary,
            optimization_goal,
            final_url,
            review_status,
            creative,
            assets,
            reviews,
            children,
            first_seen,
            last_seen,
            raw_json,
        })
    }

    /// Daily metrics of one object between two dates (inclusive), oldest first.
    pub fn lib_metrics(&self, object_id: &str, from: &str, to: &str) -> Result<Vec<MetricPoint>> {
        let (account_id, level, external_id): (String, String, String) = self
            .conn
            .query_row(
                "SELECT account_id, level, external_id FROM lib_objects WHERE id = ?1 AND client_id = ?2",
                params![object_id, self.client.id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?
            .ok_or_else(|| StoreError::not_found(format!("library object {object_id}")))?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT date, impressions, clicks, spend_micros, conversions_micros FROM lib_metrics_daily
             WHERE account_id = ?1 AND level = ?2 AND external_id = ?3 AND breakdown = '' AND date BETWEEN ?4 AND ?5 ORDER BY date",
        )?;
        let rows = stmt.query_map(params![account_id, level, external_id, from, to], |r| {
            Ok(MetricPoint {
                date: r.get(0)?,
                impressions: r.get(1)?,
                clicks: r.get(2)?,
                spend_micros: r.get(3)?,
                conversions_micros: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn lib_reviews(
        &self,
        platform: &str,
        level: &str,
        external_id: &str,
    ) -> Result<Vec<LibReview>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, mark, note, author, at FROM lib_reviews WHERE client_id = ?1 AND platform = ?2 AND level = ?3 AND external_id = ?4 ORDER BY seq DESC",
        )?;
        let rows = stmt.query_map(params![self.client.id, platform, level, external_id], |r| {
            Ok(LibReview {
                seq: r.get(0)?,
                mark: r.get(1)?,
                note: r.get(2)?,
                author: r.get(3)?,
                at: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

impl ClientWrite<'_, '_> {
    /// Add a review mark (approved, needs_changes, comment) with a note to an object.
    pub fn add_lib_review(&mut self, object_id: &str, mark: &str, note: &str) -> Result<LibReview> {
        if !matches!(mark, "approved" | "needs_changes" | "comment") {
            return Err(StoreError::Invalid(format!(
                "'{mark}' is not a review mark"
            )));
        }
        let note = note.trim();
        if note.chars().count() > 5000 {
            return Err(StoreError::Invalid(
                "a review note is at most 5,000 characters".into(),
            ));
        }
        if mark == "comment" && note.is_empty() {
            return Err(StoreError::Invalid("a comment needs some text".into()));
        }
        let (platform, level, external_id): (String, String, String) = self
            .w
            .tx
            .query_row(
                "SELECT platform, level, external_id FROM lib_objects WHERE id = ?1 AND client_id = ?2",
                params![object_id, self.client.id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?
            .ok_or_else(|| StoreError::not_found(format!("library object {object_id}")))?;
        let now = self.w.now();
        let author = self.w.actor.to_owned();
        self.w.tx.execute(
            "INSERT INTO lib_reviews (client_id, platform, level, external_id, mark, note, author, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![self.client.id, platform, level, external_id, mark, note, author, now],
        )?;
        let seq = self.w.tx.last_insert_rowid();
        self.w.changed("lib_review", object_id, ChangeKind::Created);
        Ok(LibReview {
            seq,
            mark: mark.to_owned(),
            note: note.to_owned(),
            author,
            at: now,
        })
    }
}
