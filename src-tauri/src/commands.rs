//! The IPC commands. Each is declared once here; `ipc.rs` registers them and generates
//! the TypeScript bindings and the per-command permissions from the same list.
//! Commands run the (blocking, SQLite) core on the blocking pool, never the UI thread.

use secrecy::SecretString;
use std::sync::Arc;
use switchboard_api::*;
use tauri::State;

type Sb<'a> = State<'a, Arc<Switchboard>>;

async fn blocking<T: Send + 'static>(
    sb: &Sb<'_>,
    f: impl FnOnce(&Switchboard) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let sb = Arc::clone(sb.inner());
    tauri::async_runtime::spawn_blocking(move || f(&sb))
        .await
        .map_err(|_| ApiError::new("internal", "the operation stopped unexpectedly"))?
}

#[tauri::command]
#[specta::specta]
pub async fn app_status(sb: Sb<'_>) -> Result<AppStatus, ApiError> {
    blocking(&sb, |s| Ok(s.status())).await
}

#[tauri::command]
#[specta::specta]
pub async fn unlock_vault(sb: Sb<'_>, passphrase: String) -> Result<AppStatus, ApiError> {
    let p = SecretString::from(passphrase);
    blocking(&sb, move |s| s.unlock(p)).await
}

#[tauri::command]
#[specta::specta]
pub async fn restore_damaged_vault(sb: Sb<'_>, file_name: String) -> Result<AppStatus, ApiError> {
    blocking(&sb, move |s| s.restore_damaged(&file_name, None)).await
}

#[tauri::command]
#[specta::specta]
pub async fn vault_info(sb: Sb<'_>) -> Result<VaultInfo, ApiError> {
    blocking(&sb, |s| s.vault_info()).await
}

#[tauri::command]
#[specta::specta]
pub async fn vault_integrity_check(sb: Sb<'_>) -> Result<IntegrityReport, ApiError> {
    blocking(&sb, |s| s.integrity_check()).await
}

#[tauri::command]
#[specta::specta]
pub async fn vault_backup(sb: Sb<'_>) -> Result<BackupInfo, ApiError> {
    blocking(&sb, |s| s.backup_now()).await
}

#[tauri::command]
#[specta::specta]
pub async fn vault_backups(sb: Sb<'_>) -> Result<Vec<BackupInfo>, ApiError> {
    blocking(&sb, |s| s.backups()).await
}

#[tauri::command]
#[specta::specta]
pub async fn vault_restore(sb: Sb<'_>, file_name: String) -> Result<(), ApiError> {
    blocking(&sb, move |s| s.restore(&file_name)).await
}

#[tauri::command]
#[specta::specta]
pub async fn vault_rekey(
    sb: Sb<'_>,
    mode: KeyMode,
    passphrase: Option<String>,
) -> Result<VaultInfo, ApiError> {
    let p = passphrase.map(SecretString::from);
    blocking(&sb, move |s| s.rekey(mode, p)).await
}

#[tauri::command]
#[specta::specta]
pub async fn get_workspace(sb: Sb<'_>) -> Result<Workspace, ApiError> {
    blocking(&sb, |s| s.workspace()).await
}

#[tauri::command]
#[specta::specta]
pub async fn rename_workspace(sb: Sb<'_>, name: String) -> Result<Workspace, ApiError> {
    blocking(&sb, move |s| s.rename_workspace(&name)).await
}

#[tauri::command]
#[specta::specta]
pub async fn list_clients(sb: Sb<'_>, include_archived: bool) -> Result<Vec<Client>, ApiError> {
    blocking(&sb, move |s| s.list_clients(include_archived)).await
}

#[tauri::command]
#[specta::specta]
pub async fn create_client(sb: Sb<'_>, input: NewClient) -> Result<Client, ApiError> {
    blocking(&sb, move |s| s.create_client(input)).await
}

#[tauri::command]
#[specta::specta]
pub async fn update_client(
    sb: Sb<'_>,
    client_id: String,
    patch: ClientPatch,
) -> Result<Client, ApiError> {
    blocking(&sb, move |s| s.update_client(&client_id, patch)).await
}

#[tauri::command]
#[specta::specta]
pub async fn archive_client(
    sb: Sb<'_>,
    client_id: String,
    archived: bool,
) -> Result<Client, ApiError> {
    blocking(&sb, move |s| s.archive_client(&client_id, archived)).await
}

#[tauri::command]
#[specta::specta]
pub async fn delete_client(sb: Sb<'_>, client_id: String) -> Result<(), ApiError> {
    blocking(&sb, move |s| s.delete_client(&client_id)).await
}

#[tauri::command]
#[specta::specta]
pub async fn list_brands(sb: Sb<'_>, client_id: String) -> Result<Vec<Brand>, ApiError> {
    blocking(&sb, move |s| s.list_brands(&client_id)).await
}

#[tauri::command]
#[specta::specta]
pub async fn create_brand(sb: Sb<'_>, client_id: String, name: String) -> Result<Brand, ApiError> {
    blocking(&sb, move |s| s.create_brand(&client_id, &name)).await
}

#[tauri::command]
#[specta::specta]
pub async fn rename_brand(
    sb: Sb<'_>,
    client_id: String,
    brand_id: String,
    name: String,
) -> Result<Brand, ApiError> {
    blocking(&sb, move |s| s.rename_brand(&client_id, &brand_id, &name)).await
}

#[tauri::command]
#[specta::specta]
pub async fn delete_brand(sb: Sb<'_>, client_id: String, brand_id: String) -> Result<(), ApiError> {
    blocking(&sb, move |s| s.delete_brand(&client_id, &brand_id)).await
}

#[tauri::command]
#[specta::specta]
pub async fn get_settings(sb: Sb<'_>) -> Result<Settings, ApiError> {
    blocking(&sb, |s| s.settings()).await
}

#[tauri::command]
#[specta::specta]
pub async fn set_setting(
    sb: Sb<'_>,
    key: SettingName,
    value: String,
) -> Result<Settings, ApiError> {
    blocking(&sb, move |s| s.set_setting(key, &value)).await
}

#[tauri::command]
#[specta::specta]
pub async fn audit_log(
    sb: Sb<'_>,
    limit: u32,
    before: Option<i64>,
) -> Result<Vec<AuditEntry>, ApiError> {
    blocking(&sb, move |s| s.audit_log(limit, before)).await
}

#[tauri::command]
#[specta::specta]
pub async fn check_for_update(app: tauri::AppHandle, sb: Sb<'_>) -> Result<UpdateCheck, ApiError> {
    let settings = blocking(&sb, |s| s.settings()).await?;
    crate::shell::check_for_update(&app, &settings).await
}

#[tauri::command]
#[specta::specta]
pub async fn open_external(app: tauri::AppHandle, url: String) -> Result<(), ApiError> {
    let url = switchboard_api::links::check_external_url(&url)?;
    use tauri_plugin_opener::OpenerExt;
    app.opener()
        .open_url(url.as_str(), None::<&str>)
        .map_err(|e| ApiError::new("open_failed", format!("Could not open the browser: {e}")))
}

// ---- connections ----

use crate::ipc::ConnectFinished;
use switchboard_api::connections::{AppCredentialForm, ConnectRequest, ConnectStart, ProviderForm};
use switchboard_connect::envimport::EnvImportReport;
use switchboard_connect::{Connected, DisconnectReport, Health, PlatformInfo};
use switchboard_store::domain::{AppCredentialInfo, Connection, ConnectionAccount, CustomProvider};
use tauri_specta::Event as _;

#[tauri::command]
#[specta::specta]
pub async fn list_platforms(sb: Sb<'_>) -> Result<Vec<PlatformInfo>, ApiError> {
    blocking(&sb, |s| s.platforms()).await
}

#[tauri::command]
#[specta::specta]
pub async fn list_app_credentials(
    sb: Sb<'_>,
    platform: Option<String>,
) -> Result<Vec<AppCredentialInfo>, ApiError> {
    blocking(&sb, move |s| s.app_credentials(platform.as_deref())).await
}

#[tauri::command]
#[specta::specta]
pub async fn create_app_credential(
    sb: Sb<'_>,
    platform: String,
    form: AppCredentialForm,
) -> Result<AppCredentialInfo, ApiError> {
    blocking(&sb, move |s| s.create_app_credential(&platform, form)).await
}

#[tauri::command]
#[specta::specta]
pub async fn update_app_credential(
    sb: Sb<'_>,
    id: String,
    form: AppCredentialForm,
) -> Result<AppCredentialInfo, ApiError> {
    blocking(&sb, move |s| s.update_app_credential(&id, form)).await
}

#[tauri::command]
#[specta::specta]
pub async fn delete_app_credential(sb: Sb<'_>, id: String) -> Result<(), ApiError> {
    blocking(&sb, move |s| s.delete_app_credential(&id)).await
}

#[tauri::command]
#[specta::specta]
pub async fn import_env_file(sb: Sb<'_>, path: String) -> Result<EnvImportReport, ApiError> {
    blocking(&sb, move |s| s.import_env_file(std::path::Path::new(&path))).await
}

#[tauri::command]
#[specta::specta]
pub async fn list_providers(sb: Sb<'_>) -> Result<Vec<CustomProvider>, ApiError> {
    blocking(&sb, |s| s.custom_providers()).await
}

#[tauri::command]
#[specta::specta]
pub async fn add_provider(sb: Sb<'_>, form: ProviderForm) -> Result<CustomProvider, ApiError> {
    sb.add_provider(form).await
}

#[tauri::command]
#[specta::specta]
pub async fn delete_provider(sb: Sb<'_>, id: String) -> Result<(), ApiError> {
    blocking(&sb, move |s| s.delete_provider(&id)).await
}

/// Start a sign-in and open it in the system browser (never a webview). The outcome
/// arrives later as a `ConnectFinished` event.
#[tauri::command]
#[specta::specta]
pub async fn start_connect(
    app: tauri::AppHandle,
    sb: Sb<'_>,
    request: ConnectRequest,
) -> Result<ConnectStart, ApiError> {
    let (start, done) = sb.begin_connect(request).await?;
    let handle = app.clone();
    tauri::async_runtime::spawn(async move {
        if let Ok(finished) = done.await {
            let _ = ConnectFinished::from(finished).emit(&handle);
        }
    });
    if std::env::var_os("SWITCHBOARD_NO_BROWSER").is_none() {
        use tauri_plugin_opener::OpenerExt;
        if let Err(e) = app.opener().open_url(&start.authorize_url, None::<&str>) {
            tracing::warn!("could not open the browser: {e}");
        }
    }
    Ok(start)
}

#[tauri::command]
#[specta::specta]
pub async fn cancel_connect(sb: Sb<'_>, flow_id: String) -> Result<(), ApiError> {
    blocking(&sb, move |s| s.cancel_connect(&flow_id)).await
}

#[tauri::command]
#[specta::specta]
pub async fn connect_api_key(
    sb: Sb<'_>,
    platform: String,
    app_credential_id: Option<String>,
    client_id: String,
    brand_id: Option<String>,
) -> Result<Connected, ApiError> {
    sb.connect_api_key(
        &platform,
        app_credential_id.as_deref(),
        &client_id,
        brand_id.as_deref(),
    )
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn list_connections(
    sb: Sb<'_>,
    client_id: Option<String>,
) -> Result<Vec<Connection>, ApiError> {
    blocking(&sb, move |s| s.list_connections(client_id.as_deref())).await
}

#[tauri::command]
#[specta::specta]
pub async fn connection_accounts(
    sb: Sb<'_>,
    connection_id: String,
) -> Result<Vec<ConnectionAccount>, ApiError> {
    blocking(&sb, move |s| s.connection_accounts(&connection_id)).await
}

#[tauri::command]
#[specta::specta]
pub async fn link_connection_account(
    sb: Sb<'_>,
    connection_id: String,
    external_id: String,
    linked: bool,
    brand_id: Option<String>,
) -> Result<(), ApiError> {
    blocking(&sb, move |s| {
        s.link_connection_account(&connection_id, &external_id, linked, brand_id.as_deref())
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn refresh_connection(sb: Sb<'_>, connection_id: String) -> Result<Connection, ApiError> {
    sb.refresh_connection(&connection_id).await
}

#[tauri::command]
#[specta::specta]
pub async fn disconnect_connection(
    sb: Sb<'_>,
    connection_id: String,
) -> Result<DisconnectReport, ApiError> {
    sb.disconnect(&connection_id).await
}

#[tauri::command]
#[specta::specta]
pub async fn resolve_account_mismatch(
    sb: Sb<'_>,
    connection_id: String,
    accept: bool,
) -> Result<Connection, ApiError> {
    sb.resolve_account_mismatch(&connection_id, accept).await
}

#[tauri::command]
#[specta::specta]
pub async fn connection_health(sb: Sb<'_>) -> Result<Health, ApiError> {
    blocking(&sb, |s| s.connection_health()).await
}

#[tauri::command]
#[specta::specta]
pub async fn demo_status(sb: Sb<'_>) -> Result<switchboard_api::connections::DemoStatus, ApiError> {
    Ok(sb.demo_status())
}

/// Demo mode: every platform is played by the built-in emulator, clearly labelled.
#[tauri::command]
#[specta::specta]
pub async fn set_demo_mode(
    sb: Sb<'_>,
    enabled: bool,
) -> Result<switchboard_api::connections::DemoStatus, ApiError> {
    sb.set_demo_mode(enabled).await
}

// ------------------------------------------------------------------ library and imports

use switchboard_api::library::{ImportJobDetail, ImportRequest};
use switchboard_store::domain::{
    ImportJob, LibAccountSummary, LibFilter, LibObjectDetail, LibPage, LibReview, MetricPoint,
    SearchHit,
};

/// Start importing an ad account (everything, or selected campaigns) into the library.
#[tauri::command]
#[specta::specta]
pub async fn start_import(sb: Sb<'_>, request: ImportRequest) -> Result<ImportJob, ApiError> {
    sb.start_import(request).await
}

#[tauri::command]
#[specta::specta]
pub async fn list_import_jobs(sb: Sb<'_>, client_id: String) -> Result<Vec<ImportJob>, ApiError> {
    blocking(&sb, move |s| s.import_jobs(&client_id)).await
}

#[tauri::command]
#[specta::specta]
pub async fn get_import_job(
    sb: Sb<'_>,
    client_id: String,
    job_id: String,
) -> Result<ImportJobDetail, ApiError> {
    blocking(&sb, move |s| s.import_job(&client_id, &job_id)).await
}

#[tauri::command]
#[specta::specta]
pub async fn cancel_import(
    sb: Sb<'_>,
    client_id: String,
    job_id: String,
) -> Result<ImportJob, ApiError> {
    blocking(&sb, move |s| s.cancel_import(&client_id, &job_id)).await
}

#[tauri::command]
#[specta::specta]
pub async fn resume_import(
    sb: Sb<'_>,
    client_id: String,
    job_id: String,
) -> Result<ImportJob, ApiError> {
    sb.resume_import(&client_id, &job_id).await
}

/// Run a finished job again for the items that failed only.
#[tauri::command]
#[specta::specta]
pub async fn retry_import(
    sb: Sb<'_>,
    client_id: String,
    job_id: String,
) -> Result<ImportJob, ApiError> {
    sb.retry_import(&client_id, &job_id).await
}

#[tauri::command]
#[specta::specta]
pub async fn library_accounts(
    sb: Sb<'_>,
    client_id: String,
) -> Result<Vec<LibAccountSummary>, ApiError> {
    blocking(&sb, move |s| s.library_accounts(&client_id)).await
}

/// A filtered, sorted page of campaigns, ad groups or ads.
#[tauri::command]
#[specta::specta]
pub async fn library_objects(
    sb: Sb<'_>,
    client_id: String,
    filter: LibFilter,
) -> Result<LibPage, ApiError> {
    blocking(&sb, move |s| s.library_objects(&client_id, &filter)).await
}

#[tauri::command]
#[specta::specta]
pub async fn library_object(
    sb: Sb<'_>,
    client_id: String,
    object_id: String,
) -> Result<LibObjectDetail, ApiError> {
    blocking(&sb, move |s| s.library_object(&client_id, &object_id)).await
}

#[tauri::command]
#[specta::specta]
pub async fn library_metrics(
    sb: Sb<'_>,
    client_id: String,
    object_id: String,
    from: String,
    to: String,
) -> Result<Vec<MetricPoint>, ApiError> {
    blocking(&sb, move |s| {
        s.library_metrics(&client_id, &object_id, &from, &to)
    })
    .await
}

/// Full-text search over names and ad copy.
#[tauri::command]
#[specta::specta]
pub async fn library_search(
    sb: Sb<'_>,
    client_id: String,
    query: String,
    limit: u32,
) -> Result<Vec<SearchHit>, ApiError> {
    blocking(&sb, move |s| s.library_search(&client_id, &query, limit)).await
}

/// Mark a campaign, ad group or ad approved / needs changes, or comment on it.
#[tauri::command]
#[specta::specta]
pub async fn library_review(
    sb: Sb<'_>,
    client_id: String,
    object_id: String,
    mark: String,
    note: String,
) -> Result<LibReview, ApiError> {
    blocking(&sb, move |s| {
        s.library_review(&client_id, &object_id, &mark, &note)
    })
    .await
}

/// Re-import an account every `hours` (none: off).
#[tauri::command]
#[specta::specta]
pub async fn library_set_auto_sync(
    sb: Sb<'_>,
    client_id: String,
    account_id: String,
    hours: Option<u32>,
) -> Result<(), ApiError> {
    blocking(&sb, move |s| {
        s.library_set_auto_sync(&client_id, &account_id, hours)
    })
    .await
}

// ------------------------------------------------------------------ publishing

use switchboard_api::publishing::{
    ConnectionDestinations, MediaInfo, QueueSlot, ResolvedDue, Scheduled, SchedulerStatus,
    TargetCheck, When,
};
use switchboard_store::domain::{Post, PostFilter, PostInput, PostMedia, PostTarget, StatusCount};

/// Where a connection can publish (its pages, organizations, the account itself); read
/// again from the platform when `refresh`.
#[tauri::command]
#[specta::specta]
pub async fn publish_destinations(
    sb: Sb<'_>,
    client_id: String,
    connection_id: String,
    refresh: bool,
) -> Result<ConnectionDestinations, ApiError> {
    sb.publish_destinations(&client_id, &connection_id, refresh)
        .await
}

/// Create a draft (`post_id` null) or save a post's content and targets.
#[tauri::command]
#[specta::specta]
pub async fn save_post(
    sb: Sb<'_>,
    client_id: String,
    post_id: Option<String>,
    input: PostInput,
) -> Result<Post, ApiError> {
    blocking(&sb, move |s| {
        s.save_post(&client_id, post_id.as_deref(), &input)
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn get_post(sb: Sb<'_>, client_id: String, post_id: String) -> Result<Post, ApiError> {
    blocking(&sb, move |s| s.post(&client_id, &post_id)).await
}

/// Posts for the calendar and lists.
#[tauri::command]
#[specta::specta]
pub async fn list_posts(
    sb: Sb<'_>,
    client_id: String,
    filter: PostFilter,
) -> Result<Vec<Post>, ApiError> {
    blocking(&sb, move |s| s.posts(&client_id, &filter)).await
}

/// Targets by client, platform and state.
#[tauri::command]
#[specta::specta]
pub async fn post_status_summary(sb: Sb<'_>) -> Result<Vec<StatusCount>, ApiError> {
    blocking(&sb, |s| s.post_status_summary()).await
}

/// Copy a file (base64) into the vault as the post's next media item.
#[tauri::command]
#[specta::specta]
pub async fn add_post_media(
    sb: Sb<'_>,
    client_id: String,
    post_id: String,
    name: String,
    data_base64: String,
    alt: Option<String>,
) -> Result<PostMedia, ApiError> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data_base64.as_bytes())
        .map_err(|_| ApiError::invalid(format!("{name} did not arrive intact; add it again")))?;
    blocking(&sb, move |s| {
        s.add_post_media(&client_id, &post_id, &name, &bytes, alt.as_deref())
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn add_post_media_from_library(
    sb: Sb<'_>,
    client_id: String,
    post_id: String,
    asset_id: String,
) -> Result<PostMedia, ApiError> {
    blocking(&sb, move |s| {
        s.add_post_media_from_library(&client_id, &post_id, &asset_id)
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn remove_post_media(
    sb: Sb<'_>,
    client_id: String,
    post_id: String,
    media_id: String,
) -> Result<(), ApiError> {
    blocking(&sb, move |s| {
        s.remove_post_media(&client_id, &post_id, &media_id)
    })
    .await
}

/// A wall-clock time in a zone as a UTC instant, with a DST warning when it has one.
#[tauri::command]
#[specta::specta]
pub async fn resolve_due(
    sb: Sb<'_>,
    zone: String,
    wall_time: String,
) -> Result<ResolvedDue, ApiError> {
    blocking(&sb, move |s| s.resolve_due(&zone, &wall_time)).await
}

/// Schedule, reschedule, add to the queue or publish now.
#[tauri::command]
#[specta::specta]
pub async fn schedule_post(
    sb: Sb<'_>,
    client_id: String,
    post_id: String,
    when: When,
) -> Result<Scheduled, ApiError> {
    blocking(&sb, move |s| s.schedule_post(&client_id, &post_id, &when)).await
}

#[tauri::command]
#[specta::specta]
pub async fn unschedule_post(
    sb: Sb<'_>,
    client_id: String,
    post_id: String,
) -> Result<Post, ApiError> {
    blocking(&sb, move |s| s.unschedule_post(&client_id, &post_id)).await
}

#[tauri::command]
#[specta::specta]
pub async fn cancel_post(sb: Sb<'_>, client_id: String, post_id: String) -> Result<Post, ApiError> {
    blocking(&sb, move |s| s.cancel_post(&client_id, &post_id)).await
}

#[tauri::command]
#[specta::specta]
pub async fn duplicate_post(
    sb: Sb<'_>,
    client_id: String,
    post_id: String,
) -> Result<Post, ApiError> {
    blocking(&sb, move |s| s.duplicate_post(&client_id, &post_id)).await
}

#[tauri::command]
#[specta::specta]
pub async fn delete_post(sb: Sb<'_>, client_id: String, post_id: String) -> Result<(), ApiError> {
    blocking(&sb, move |s| s.delete_post(&client_id, &post_id)).await
}

/// A person checked an unconfirmed target: it is on the platform, or it is not.
#[tauri::command]
#[specta::specta]
pub async fn resolve_unconfirmed(
    sb: Sb<'_>,
    client_id: String,
    target_id: String,
    published: bool,
    url: Option<String>,
) -> Result<PostTarget, ApiError> {
    blocking(&sb, move |s| {
        s.resolve_unconfirmed(&client_id, &target_id, published, url.as_deref())
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn get_queue_slots(sb: Sb<'_>, client_id: String) -> Result<Vec<QueueSlot>, ApiError> {
    blocking(&sb, move |s| s.queue_slots(&client_id)).await
}

#[tauri::command]
#[specta::specta]
pub async fn set_queue_slots(
    sb: Sb<'_>,
    client_id: String,
    slots: Vec<QueueSlot>,
) -> Result<(), ApiError> {
    blocking(&sb, move |s| s.set_queue_slots(&client_id, &slots)).await
}

#[tauri::command]
#[specta::specta]
pub async fn scheduler_status(sb: Sb<'_>) -> Result<SchedulerStatus, ApiError> {
    blocking(&sb, |s| s.scheduler_status()).await
}

/// Check a composition against each target platform's rules (live counters and issues).
#[tauri::command]
#[specta::specta]
pub async fn check_post(
    sb: Sb<'_>,
    client_id: String,
    input: PostInput,
    media: Vec<MediaInfo>,
) -> Result<Vec<TargetCheck>, ApiError> {
    blocking(&sb, move |s| s.check_post(&client_id, &input, &media)).await
}

/// Whether Switchboard starts at login (in the tray, publishing scheduled posts).
#[tauri::command]
#[specta::specta]
pub async fn autostart_status(app: tauri::AppHandle) -> Result<bool, ApiError> {
    use tauri_plugin_autostart::ManagerExt;
    app.autolaunch().is_enabled().map_err(|e| {
        ApiError::new(
            "autostart",
            format!("could not read the start-at-login setting: {e}"),
        )
    })
}

/// Turn start at login on or off.
#[tauri::command]
#[specta::specta]
pub async fn set_autostart(app: tauri::AppHandle, enabled: bool) -> Result<bool, ApiError> {
    use tauri_plugin_autostart::ManagerExt;
    let launcher = app.autolaunch();
    let done = if enabled {
        launcher.enable()
    } else {
        launcher.disable()
    };
    done.map_err(|e| ApiError::new("autostart", format!("could not change start at login: {e}")))?;
    launcher.is_enabled().map_err(|e| {
        ApiError::new(
            "autostart",
            format!("could not read the start-at-login setting: {e}"),
        )
    })
}
