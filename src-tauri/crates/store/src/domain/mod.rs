//! Domain rows every later feature hangs off: the agency's workspace, its clients
//! and brands, settings, and the credential-access audit log.
//!
//! Tenant isolation is structural: anything that belongs to a client is reached only
//! through [`ClientRead`]/[`ClientWrite`], whose queries always bind that client's id.

mod assets;
mod audit;
mod browse;
mod clients;
mod connections;
mod imports;
mod library;
mod posts;
mod settings;

pub use assets::{AssetContent, BlobIn, LibAsset, PendingAsset, CHUNK};
pub use audit::AuditEntry;
pub use browse::{
    LibAccountSummary, LibCreative, LibCrumb, LibFilter, LibObjectDetail, LibPage, LibReview,
    LibRow, MetricPoint,
};
pub use clients::{Brand, Client, ClientPatch, ClientRead, ClientWrite, NewClient, Workspace};
pub use connections::{
    AppCredentialInfo, AppCredentialInput, AppSecrets, Connection, ConnectionAccount,
    CustomProvider, FlowTake, NewConnection, PendingFlow, PendingFlowBox, StoredTokens,
};
pub use imports::{
    progress_kind, ImportItemError, ImportJob, ImportProgress, NewImportJob, NewUnit, StepWrite,
    UnitRow,
};
pub use library::{
    AccountUpsert, AssetRef, CreativeAssetLink, CreativeUpsert, MetricUpsert, ObjectState,
    ObjectUpsert, SearchHit,
};
pub use posts::{
    Due, Post, PostFilter, PostInput, PostMedia, PostTarget, StatusCount, TargetEnd, TargetEvent,
    TargetInput, TargetWork, TARGET_STATES,
};
pub use settings::SettingKey;

pub(crate) fn clean_name(what: &str, name: &str) -> crate::Result<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(crate::StoreError::Invalid(format!(
            "{what} name cannot be empty"
        )));
    }
    if name.chars().count() > 200 {
        return Err(crate::StoreError::Invalid(format!(
            "{what} name is longer than 200 characters"
        )));
    }
    if name.chars().any(|c| c.is_control()) {
        return Err(crate::StoreError::Invalid(format!(
            "{what} name contains control characters"
        )));
    }
    Ok(name.to_owned())
}
