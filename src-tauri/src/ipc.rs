//! The IPC surface, declared once: the list below registers every command with Tauri,
//! generates `ui/src/bindings.ts`, the app's command permissions
//! (`src-tauri/permissions/commands.toml`) and the main window's capability
//! (`src-tauri/capabilities/main.json`). Tests fail when a committed file drifts;
//! `UPDATE_BINDINGS=1 cargo test -p switchboard ipc` rewrites them.

use crate::commands;
use serde::{Deserialize, Serialize};
use switchboard_api::links::DeepLinkReport;
use switchboard_store::ChangeBatch;

/// A committed write, batched per transaction and tagged with its origin.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
pub struct VaultChanged {
    pub origin: String,
    pub changes: Vec<VaultChange>,
}

#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct VaultChange {
    pub entity: String,
    pub id: String,
    pub kind: String,
}

impl From<&ChangeBatch> for VaultChanged {
    fn from(b: &ChangeBatch) -> Self {
        let tag = |v: serde_json::Value| v.as_str().unwrap_or_default().to_owned();
        VaultChanged {
            origin: tag(serde_json::to_value(b.origin).unwrap_or_default()),
            changes: b
                .changes
                .iter()
                .map(|c| VaultChange {
                    entity: c.entity.to_owned(),
                    id: c.id.clone(),
                    kind: tag(serde_json::to_value(c.kind).unwrap_or_default()),
                })
                .collect(),
        }
    }
}

/// A deep link arrived: accepted, or rejected with the reason (never its values).
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
pub struct DeepLinkReceived {
    pub accepted: bool,
    pub message: String,
}

/// A sign-in finished (connected, refused, failed, cancelled or timed out).
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
pub struct ConnectFinished {
    pub flow_id: String,
    pub ok: bool,
    pub connection: Option<switchboard_store::domain::Connection>,
    pub account_mismatch: bool,
    pub error: Option<switchboard_api::ApiError>,
}

impl From<switchboard_api::connections::ConnectFinished> for ConnectFinished {
    fn from(f: switchboard_api::connections::ConnectFinished) -> Self {
        ConnectFinished {
            flow_id: f.flow_id,
            ok: f.ok,
            connection: f.connection,
            account_mismatch: f.account_mismatch,
            error: f.error,
        }
    }
}

/// An import job ended (completed, with errors, failed, cancelled) or paused.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
pub struct ImportEnded {
    pub client_id: String,
    pub job_id: String,
    pub platform: String,
    pub state: String,
    pub message: Option<String>,
    /// Objects and files recorded as failed (listed on the Jobs page).
    pub error_count: i64,
}

impl From<&switchboard_api::library::JobEnded> for ImportEnded {
    fn from(e: &switchboard_api::library::JobEnded) -> Self {
        ImportEnded {
            client_id: e.client_id.clone(),
            job_id: e.job.id.clone(),
            platform: e.job.platform.clone(),
            state: e.job.state.clone(),
            message: e.job.message.clone(),
            error_count: e.job.error_count,
        }
    }
}

/// The scheduler settled a post target: published, handed to the platform, failed,
/// unconfirmed or missed.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
pub struct PostSettled {
    pub client_id: String,
    pub post_id: String,
    pub target_id: String,
    pub platform: String,
    pub destination: String,
    pub state: String,
    pub message: Option<String>,
}

impl From<&switchboard_store::domain::TargetEvent> for PostSettled {
    fn from(e: &switchboard_store::domain::TargetEvent) -> Self {
        PostSettled {
            client_id: e.client_id.clone(),
            post_id: e.post_id.clone(),
            target_id: e.target_id.clone(),
            platform: e.platform.clone(),
            destination: e.destination.clone(),
            state: e.state.clone(),
            message: e.message.clone(),
        }
    }
}

impl From<DeepLinkReport> for DeepLinkReceived {
    fn from(r: DeepLinkReport) -> Self {
        DeepLinkReceived {
            accepted: r.accepted,
            message: r.message,
        }
    }
}

macro_rules! app_commands {
    ($($name:ident),* $(,)?) => {
        /// Every command's name, in declaration order.
        pub const COMMAND_NAMES: &[&str] = &[$(stringify!($name)),*];

        pub fn builder() -> tauri_specta::Builder<tauri::Wry> {
            tauri_specta::Builder::<tauri::Wry>::new()
                .commands(tauri_specta::collect_commands![$(commands::$name),*])
                .events(tauri_specta::collect_events![VaultChanged, DeepLinkReceived, ConnectFinished, ImportEnded, PostSettled])
                .dangerously_cast_bigints_to_number()
                .disable_serde_phases()
        }
    };
}

app_commands![
    app_status,
    unlock_vault,
    restore_damaged_vault,
    vault_info,
    vault_integrity_check,
    vault_backup,
    vault_backups,
    vault_restore,
    vault_rekey,
    get_workspace,
    rename_workspace,
    list_clients,
    create_client,
    update_client,
    archive_client,
    delete_client,
    list_brands,
    create_brand,
    rename_brand,
    delete_brand,
    get_settings,
    set_setting,
    audit_log,
    check_for_update,
    open_external,
    list_platforms,
    list_app_credentials,
    create_app_credential,
    update_app_credential,
    delete_app_credential,
    import_env_file,
    list_providers,
    add_provider,
    delete_provider,
    start_connect,
    cancel_connect,
    connect_api_key,
    list_connections,
    connection_accounts,
    link_connection_account,
    refresh_connection,
    disconnect_connection,
    resolve_account_mismatch,
    connection_health,
    demo_status,
    set_demo_mode,
    start_import,
    list_import_jobs,
    get_import_job,
    cancel_import,
    resume_import,
    retry_import,
    library_accounts,
    library_objects,
    library_object,
    library_metrics,
    library_search,
    library_review,
    library_set_auto_sync,
    publish_destinations,
    save_post,
    get_post,
    list_posts,
    post_status_summary,
    add_post_media,
    add_post_media_from_library,
    remove_post_media,
    resolve_due,
    schedule_post,
    unschedule_post,
    cancel_post,
    duplicate_post,
    delete_post,
    resolve_unconfirmed,
    get_queue_slots,
    set_queue_slots,
    scheduler_status,
    check_post,
    autostart_status,
    set_autostart,
];

/// Plugin permissions the main window needs beyond its own commands: listening to the
/// events above. Nothing else (no fs, shell, opener or updater JS access).
pub const PLUGIN_PERMISSIONS: &[&str] = &["core:event:allow-listen", "core:event:allow-unlisten"];

fn permission_id(command: &str) -> String {
    format!("allow-{}", command.replace('_', "-"))
}

/// `src-tauri/permissions/commands.toml`: one permission per command, by name.
pub fn permissions_toml() -> String {
    let mut out = String::from("# Generated from src-tauri/src/ipc.rs — do not edit.\n");
    for c in COMMAND_NAMES {
        out.push_str(&format!(
            "\n[[permission]]\nidentifier = \"{}\"\ndescription = \"Allows the {c} command.\"\ncommands.allow = [\"{c}\"]\n",
            permission_id(c)
        ));
    }
    out
}

/// `src-tauri/capabilities/main.json`: the main window gets exactly these permissions.
pub fn capability_json() -> String {
    let permissions: Vec<String> = PLUGIN_PERMISSIONS
        .iter()
        .map(|p| p.to_string())
        .chain(COMMAND_NAMES.iter().map(|c| permission_id(c)))
        .collect();
    let cap = serde_json::json!({
        "$comment": "Generated from src-tauri/src/ipc.rs — do not edit.",
        "identifier": "main",
        "description": "The main window: Switchboard's own commands, each by name, and event listening.",
        "windows": ["main"],
        "permissions": permissions,
    });
    serde_json::to_string_pretty(&cap).expect("json") + "\n"
}

/// The TypeScript bindings as text.
pub fn typescript_bindings() -> String {
    let dir = std::env::temp_dir().join(format!("sb-bindings-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("bindings.ts");
    builder()
        .export(
            specta_typescript::Typescript::default()
                .header("// Generated from src-tauri/src/ipc.rs by tauri-specta — do not edit.\n"),
            &path,
        )
        .expect("export TypeScript bindings");
    let text = std::fs::read_to_string(&path).expect("read bindings");
    let _ = std::fs::remove_dir_all(&dir);
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn repo_file(rel: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel)
    }

    fn check_or_update(rel: &str, expected: &str) {
        let path = repo_file(rel);
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            std::fs::write(&path, expected).expect("write generated file");
            return;
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == expected,
            "{rel} is out of date with src-tauri/src/ipc.rs; run `UPDATE_BINDINGS=1 cargo test -p switchboard ipc` and commit"
        );
    }

    #[test]
    fn typescript_bindings_are_current() {
        check_or_update("ui/src/bindings.ts", &typescript_bindings());
    }

    #[test]
    fn command_permissions_are_current() {
        check_or_update("src-tauri/permissions/commands.toml", &permissions_toml());
    }

    #[test]
    fn main_capability_is_current() {
        check_or_update("src-tauri/capabilities/main.json", &capability_json());
    }

    #[test]
    fn capability_grants_nothing_dangerous() {
        let cap: serde_json::Value = serde_json::from_str(&capability_json()).unwrap();
        assert!(cap.get("remote").is_none(), "no remote URL may reach IPC");
        let perms: Vec<String> = cap["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap().to_owned())
            .collect();
        for p in &perms {
            assert!(
                p.starts_with("allow-") || PLUGIN_PERMISSIONS.contains(&p.as_str()),
                "unexpected permission {p}"
            );
            assert!(
                !p.contains("default"),
                "{p}: default permission sets are not used"
            );
        }
        assert_eq!(perms.len(), COMMAND_NAMES.len() + PLUGIN_PERMISSIONS.len());
    }

    #[test]
    fn config_security_settings() {
        let conf: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(repo_file("tauri.conf.json")).unwrap())
                .unwrap();
        let sec = &conf["app"]["security"];
        assert_eq!(sec["freezePrototype"], true, "freezePrototype must be on");
        assert_eq!(
            conf["app"]["withGlobalTauri"], false,
            "withGlobalTauri must be off"
        );
        assert_eq!(
            sec["capabilities"],
            serde_json::json!(["main"]),
            "capabilities are listed explicitly"
        );
        let script_src = sec["csp"]["script-src"].as_str().unwrap();
        for bad in [
            "unsafe-inline",
            "unsafe-eval",
            "data:",
            "blob:",
            "https:",
            "http:",
        ] {
            assert!(!script_src.contains(bad), "script-src must not allow {bad}");
        }
        assert!(
            sec["csp"]["connect-src"].as_str().is_some(),
            "connect-src is explicit"
        );
        assert!(
            conf["plugins"]["updater"]["pubkey"]
                .as_str()
                .map(|k| k.len() > 40)
                .unwrap_or(false),
            "updater pubkey set"
        );
        let schemes = &conf["plugins"]["deep-link"]["desktop"]["schemes"];
        assert_eq!(
            schemes,
            &serde_json::json!([switchboard_api::links::DEEP_LINK_SCHEME])
        );
        let template =
            std::fs::read_to_string(repo_file("src-tauri/linux/switchboard.desktop")).unwrap();
        assert!(
            template.contains("Exec={{exec}} %u"),
            "the .desktop template must pass the URL (%u)"
        );
    }
}
