//! The library and its imports, for the app and the CLI: start, follow, cancel, resume and
//! retry import jobs; browse, search and review what was imported; serve asset bytes.

use crate::error::{ApiError, ApiResult};
use crate::switchboard::Switchboard;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;
pub use switchboard_library::JobEnded;
use switchboard_library::{Importer, ImporterOptions, LibraryError, StartImport};
use switchboard_store::domain::{
    AssetContent, ImportItemError, ImportJob, LibAccountSummary, LibFilter, LibObjectDetail,
    LibPage, LibReview, MetricPoint, SearchHit,
};
use switchboard_store::{Origin, Vault};

impl From<LibraryError> for ApiError {
    fn from(e: LibraryError) -> Self {
        ApiError::new(e.code(), e.to_string())
    }
}

/// What the user asked to import.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct ImportRequest {
    pub client_id: String,
    pub connection_id: String,
    /// The ad account's platform id (as listed under the connection).
    pub account: String,
    /// Only these campaigns (platform ids); empty imports everything.
    #[serde(default)]
    pub campaigns: Vec<String>,
    /// Days of daily metrics; `None` = 90 on a first import, 28 (the rolling re-pull) after.
    pub metrics_days: Option<u32>,
}

/// A job with the items it could not import.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct ImportJobDetail {
    pub job: ImportJob,
    pub errors: Vec<ImportItemError>,
}

/// A slice of an asset's bytes, for the UI's asset protocol.
#[derive(Debug, Clone)]
pub struct AssetSlice {
    pub content: AssetContent,
    pub start: u64,
    pub bytes: Vec<u8>,
}

/// How far a days setting may go back.
const MAX_METRICS_DAYS: u32 = 3 * 365;

impl Switchboard {
    pub(crate) fn attach_importer(&self, vault: &Arc<Vault>) {
        // The connector field directly: the vault is not in the open slot yet while it
        // is being attached (unlock), so `self.connector()` would refuse.
        let Some(connector) = self.connector.read().expect("connector").clone() else {
            tracing::error!("the import engine did not start: no connection engine");
            return;
        };
        let importer = Importer::new(vault.clone(), connector, ImporterOptions::default());
        let listeners = self.import_listeners.clone();
        importer.on_job_ended(move |ended| {
            for l in listeners.lock().expect("import listeners").iter() {
                l(ended);
            }
        });
        *self.importer.write().expect("importer") = Some(importer);
    }

    /// Be told when an import job ends or pauses (for notifications).
    pub fn on_import_ended(&self, f: impl Fn(&JobEnded) + Send + Sync + 'static) {
        self.import_listeners
            .lock()
            .expect("import listeners")
            .push(Arc::new(f));
    }

    pub fn importer(&self) -> ApiResult<Arc<Importer>> {
        self.vault()?;
        self.importer
            .read()
            .expect("importer")
            .clone()
            .ok_or_else(|| ApiError::new("unavailable", "the import engine is not running"))
    }

    pub async fn start_import(&self, req: ImportRequest) -> ApiResult<ImportJob> {
        if req.metrics_days.is_some_and(|d| d > MAX_METRICS_DAYS) {
            return Err(ApiError::invalid(format!(
                "metrics go back at most {MAX_METRICS_DAYS} days (Meta keeps 37 months)"
            )));
        }
        Ok(self
            .importer()?
            .start(
                &req.client_id,
                StartImport {
                    connection_id: req.connection_id,
                    account: req.account,
                    campaigns: req.campaigns,
                    metrics_days: req.metrics_days,
                    trigger: "user".into(),
                },
            )
            .await?)
    }

    pub fn import_jobs(&self, client_id: &str) -> ApiResult<Vec<ImportJob>> {
        Ok(self
            .vault()?
            .read(|r| r.client(client_id)?.import_jobs(200))?)
    }

    pub fn import_job(&self, client_id: &str, job_id: &str) -> ApiResult<ImportJobDetail> {
        Ok(self.vault()?.read(|r| {
            let c = r.client(client_id)?;
            Ok(ImportJobDetail {
                job: c.import_job(job_id)?,
                errors: c.import_errors(job_id, 500)?,
            })
        })?)
    }

    pub fn cancel_import(&self, client_id: &str, job_id: &str) -> ApiResult<ImportJob> {
        Ok(self.importer()?.cancel(client_id, job_id)?)
    }

    pub async fn resume_import(&self, client_id: &str, job_id: &str) -> ApiResult<ImportJob> {
        Ok(self.importer()?.resume(client_id, job_id)?)
    }

    pub async fn retry_import(&self, client_id: &str, job_id: &str) -> ApiResult<ImportJob> {
        Ok(self.importer()?.retry_failed(client_id, job_id)?)
    }

    /// Pick up jobs the last run left behind, and start due auto-syncs.
    pub async fn import_tick(&self) -> ApiResult<()> {
        let importer = self.importer()?;
        importer.resume_interrupted()?;
        importer.auto_sync_tick().await?;
        Ok(())
    }

    /// Let running imports stop between steps; they resume at the next start.
    pub async fn stop_imports(&self, grace: Duration) {
        if let Ok(i) = self.importer() {
            i.shutdown(grace).await;
        }
    }

    pub fn library_accounts(&self, client_id: &str) -> ApiResult<Vec<LibAccountSummary>> {
        Ok(self
            .vault()?
            .read(|r| r.client(client_id)?.lib_accounts())?)
    }

    pub fn library_objects(&self, client_id: &str, filter: &LibFilter) -> ApiResult<LibPage> {
        Ok(self
            .vault()?
            .read(|r| r.client(client_id)?.lib_objects(filter))?)
    }

    pub fn library_object(&self, client_id: &str, object_id: &str) -> ApiResult<LibObjectDetail> {
        Ok(self
            .vault()?
            .read(|r| r.client(client_id)?.lib_object(object_id))?)
    }

    pub fn library_metrics(
        &self,
        client_id: &str,
        object_id: &str,
        from: &str,
        to: &str,
    ) -> ApiResult<Vec<MetricPoint>> {
        Ok(self
            .vault()?
            .read(|r| r.client(client_id)?.lib_metrics(object_id, from, to))?)
    }

    pub fn library_search(
        &self,
        client_id: &str,
        query: &str,
        limit: u32,
    ) -> ApiResult<Vec<SearchHit>> {
        Ok(self
            .vault()?
            .read(|r| r.client(client_id)?.search_library(query, limit))?)
    }

    pub fn library_review(
        &self,
        client_id: &str,
        object_id: &str,
        mark: &str,
        note: &str,
    ) -> ApiResult<LibReview> {
        Ok(self.vault()?.write(Origin::User, |w| {
            w.client(client_id)?.add_lib_review(object_id, mark, note)
        })?)
    }

    pub fn library_set_auto_sync(
        &self,
        client_id: &str,
        account_id: &str,
        hours: Option<u32>,
    ) -> ApiResult<()> {
        Ok(self.vault()?.write(Origin::User, |w| {
            w.client(client_id)?.set_auto_sync(account_id, hours)
        })?)
    }

    /// Bytes of one of a client's assets: the whole file, or `range` (start, inclusive
    /// end) for seeking in videos. At most 8 MiB per answer.
    pub fn asset_slice(
        &self,
        client_id: &str,
        asset_id: &str,
        thumb: bool,
        range: Option<(u64, Option<u64>)>,
    ) -> ApiResult<AssetSlice> {
        const MAX: u64 = 8 * 1024 * 1024;
        Ok(self.vault()?.read(|r| {
            let c = r.client(client_id)?;
            let content = c.lib_asset_content(asset_id, thumb)?;
            let size = content.size.max(0) as u64;
            let (start, end) = match range {
                Some((s, e)) => (
                    s,
                    e.map_or(size, |e| e.saturating_add(1))
                        .min(size)
                        .min(s.saturating_add(MAX)),
                ),
                None => (0, size),
            };
            let bytes = c.read_lib_asset_range(asset_id, thumb, start, end)?;
            Ok(AssetSlice {
                content,
                start,
                bytes,
            })
        })?)
    }
}
