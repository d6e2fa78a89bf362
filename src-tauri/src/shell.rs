//! Tauri wiring: plugins (single instance first, then deep link, updater, opener), the
//! main window that hides to the tray, the tray menu, deep-link intake and the hourly
//! upkeep tick.

use crate::ipc::{self, DeepLinkReceived, ImportEnded, PostSettled, VaultChanged};
use std::sync::Arc;
use switchboard_api::links::{parse_deep_link, DeepLink, DeepLinkReport};
use switchboard_api::{ApiError, Config, Settings, Switchboard, UpdateCheck};
use switchboard_store::{OsKeyring, SystemClock};
use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager, WindowEvent};
use tauri_specta::Event;

const MAIN: &str = "main";

/// The argument a start at login passes: start in the tray.
pub const MINIMIZED_ARG: &str = "--minimized";

fn show_main(app: &AppHandle) {
    if let Some(w) = app.get_webview_window(MAIN) {
        let _ = w.unminimize();
        let _ = w.show();
        let _ = w.set_focus();
    }
}

/// Validate a deep link; a sign-in answer goes to the connection engine, which completes
/// the waiting sign-in (its outcome also arrives as `ConnectFinished`). The UI is told
/// what happened, never the link's values.
fn handle_deep_link(app: &AppHandle, raw: &str) {
    match parse_deep_link(raw) {
        Ok(DeepLink::OAuthCallback { platform, query }) => {
            tracing::info!(%platform, "sign-in answer received by deep link");
            let sb = app.state::<Arc<Switchboard>>().inner().clone();
            let app = app.clone();
            tauri::async_runtime::spawn(async move {
                let report = match sb.complete_connect(&platform, &query).await {
                    Ok(c) if c.account_mismatch => DeepLinkReport {
                        accepted: true,
                        message: "Signed in as a different account than this connection uses; decide on the Connections page.".into(),
                    },
                    Ok(c) => DeepLinkReport {
                        accepted: true,
                        message: format!("Connected {}.", c.connection.account_name.unwrap_or(c.connection.platform)),
                    },
                    Err(e) => {
                        tracing::warn!(code = %e.code, "{}", e.message);
                        DeepLinkReport {
                            accepted: false,
                            message: e.message,
                        }
                    }
                };
                show_main(&app);
                let _ = DeepLinkReceived::from(report).emit_to(&app, MAIN);
            });
        }
        Err(e) => {
            tracing::warn!(code = %e.code, "{}", e.message);
            let _ = DeepLinkReceived::from(DeepLinkReport {
                accepted: false,
                message: e.message,
            })
            .emit_to(app, MAIN);
        }
    }
}

/// No X11/Wayland display on Linux: say so instead of letting GTK abort.
fn exit_without_display() {
    #[cfg(target_os = "linux")]
    {
        let has = |v: &str| std::env::var_os(v).is_some_and(|s| !s.is_empty());
        if !has("DISPLAY") && !has("WAYLAND_DISPLAY") {
            eprintln!(
                "Switchboard needs a graphical display (no DISPLAY or WAYLAND_DISPLAY is set).\n\
                 On a headless machine use the CLI instead: switchboard-cli --help"
            );
            std::process::exit(2);
        }
    }
}

pub fn run() {
    exit_without_display();
    let explicit = std::env::var_os(switchboard_api::paths::DATA_DIR_ENV).is_some();
    let data_dir = switchboard_api::paths::data_dir(None);
    let _log = switchboard_api::logging::init(
        &switchboard_api::paths::log_dir(explicit, &data_dir),
        "switchboard",
        "info",
    );
    tracing::info!(version = env!("CARGO_PKG_VERSION"), data_dir = %data_dir.display(), "Switchboard starting");

    let specta = ipc::builder();
    let sb = Arc::new(Switchboard::start(Config {
        data_dir,
        secrets: Arc::new(OsKeyring),
        clock: Arc::new(SystemClock),
        actor: "app".into(),
        create: true,
    }));

    tauri::Builder::default()
        // Must be first: a second launch (e.g. the OS opening a deep link) hands its
        // arguments to this instance and exits.
        .plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
            show_main(app)
        }))
        .plugin(tauri_plugin_deep_link::init())
        .plugin(tauri_plugin_updater::Builder::new().build())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_notification::init())
        // Start at login (off until the user turns it on in Settings); such a launch starts
        // in the tray, the scheduler running, without opening the window.
        .plugin(tauri_plugin_autostart::init(
            tauri_plugin_autostart::MacosLauncher::LaunchAgent,
            Some(vec![MINIMIZED_ARG]),
        ))
        .manage(sb.clone())
        .register_asynchronous_uri_scheme_protocol(crate::assets::SCHEME, {
            let sb = sb.clone();
            move |_ctx, request, responder| {
                let sb = sb.clone();
                tauri::async_runtime::spawn_blocking(move || {
                    responder.respond(crate::assets::serve(&sb, &request));
                });
            }
        })
        .invoke_handler(specta.invoke_handler())
        .on_window_event(|window, event| {
            // Closing the window keeps Switchboard running in the tray.
            if let WindowEvent::CloseRequested { api, .. } = event {
                if window.label() == MAIN {
                    api.prevent_close();
                    let _ = window.hide();
                }
            }
        })
        .setup(move |app| {
            specta.mount_events(app);
            let handle = app.handle().clone();
            {
                let handle = handle.clone();
                sb.on_change(move |batch| {
                    let _ = VaultChanged::from(batch).emit_to(&handle, MAIN);
                });
            }
            {
                let handle = handle.clone();
                let names: std::collections::HashMap<String, String> = sb
                    .platforms()
                    .map(|ps| ps.into_iter().map(|p| (p.id, p.display_name)).collect())
                    .unwrap_or_default();
                sb.on_import_ended(move |ended| {
                    let event = ImportEnded::from(ended);
                    let name = names.get(&event.platform).unwrap_or(&event.platform);
                    notify_import(&handle, &event, name);
                    let _ = event.emit_to(&handle, MAIN);
                });
            }
            if std::env::args().any(|a| a == MINIMIZED_ARG) {
                if let Some(w) = app.get_webview_window(MAIN) {
                    let _ = w.hide();
                }
            }
            let tray_status = setup_tray(app)?;
            {
                let handle = handle.clone();
                let sb2 = sb.clone();
                let tray_status = tray_status.clone();
                sb.on_post_event(move |e| {
                    let _ = PostSettled::from(e).emit_to(&handle, MAIN);
                    notify_post(&handle, e);
                    update_tray(&sb2, &tray_status);
                });
            }
            setup_deep_links(app);
            spawn_upkeep(sb.clone());
            spawn_refresher(sb.clone());
            spawn_imports(sb.clone());
            spawn_scheduler(sb.clone(), tray_status);
            Ok(())
        })
        .run(tauri::generate_context!("tauri.conf.json"))
        .expect("error while running Switchboard");
}

/// The tray's two status lines: the next due post, and what needs attention.
#[derive(Clone)]
struct TrayStatus {
    app: AppHandle,
    next: MenuItem<tauri::Wry>,
    attention: MenuItem<tauri::Wry>,
}

fn setup_tray(app: &tauri::App) -> tauri::Result<TrayStatus> {
    let open = MenuItem::with_id(app, "open", "Open Switchboard", true, None::<&str>)?;
    let scheduler =
        MenuItem::with_id(app, "scheduler", "Scheduler: starting", false, None::<&str>)?;
    let attention = MenuItem::with_id(
        app,
        "attention",
        "Nothing needs attention",
        true,
        None::<&str>,
    )?;
    let quit = MenuItem::with_id(app, "quit", "Quit Switchboard", true, None::<&str>)?;
    let menu = Menu::with_items(
        app,
        &[
            &open,
            &scheduler,
            &attention,
            &PredefinedMenuItem::separator(app)?,
            &quit,
        ],
    )?;
    let mut tray = TrayIconBuilder::with_id("main")
        .tooltip("Switchboard")
        .menu(&menu)
        .show_menu_on_left_click(true)
        .on_menu_event(|app, event| match event.id.as_ref() {
            "open" | "attention" => show_main(app),
            "quit" => app.exit(0),
            _ => {}
        });
    if let Some(icon) = app.default_window_icon() {
        tray = tray.icon(icon.clone());
    }
    tray.build(app)?;
    Ok(TrayStatus {
        app: app.handle().clone(),
        next: scheduler,
        attention,
    })
}

fn update_tray(sb: &Switchboard, tray: &TrayStatus) {
    let Ok(status) = sb.scheduler_status() else {
        return;
    };
    let next = match (&status.next_due, &status.next_client, &status.next_text) {
        (Some(due), Some(client), Some(text)) => {
            let when = due
                .parse::<chrono::DateTime<chrono::Utc>>()
                .map(|t| {
                    t.with_timezone(&chrono::Local)
                        .format("%a %d %b %H:%M")
                        .to_string()
                })
                .unwrap_or_else(|_| due.clone());
            let text: String = text.chars().take(40).collect();
            format!("Next: {when} · {client} · {text}")
        }
        _ if status.running => "Scheduler: no posts queued".into(),
        _ => "Scheduler: not running".into(),
    };
    let attention = match status.needs_attention {
        0 => "Nothing needs attention".to_owned(),
        1 => "1 post needs attention".to_owned(),
        n => format!("{n} posts need attention"),
    };
    // why: menu items change on the main thread; from another thread `set_text` would block
    // until the main thread ran it, while this thread may hold the vault's listener lock.
    // Queue it instead and return at once.
    let (item_next, item_attention) = (tray.next.clone(), tray.attention.clone());
    let _ = tray.app.run_on_main_thread(move || {
        let _ = item_next.set_text(next);
        let _ = item_attention.set_text(attention);
    });
}

/// An OS notification when an import ends or pauses (the window may be closed).
fn notify_import(app: &AppHandle, e: &ImportEnded, platform: &str) {
    use tauri_plugin_notification::NotificationExt;
    let subject = format!("Import of {platform} account");
    let title = match (e.state.as_str(), e.error_count) {
        ("completed", _) => format!("{subject} finished"),
        ("completed_with_errors", n) if n > 0 => format!(
            "{subject} finished with {n} error{}",
            if n == 1 { "" } else { "s" }
        ),
        ("completed_with_errors", _) => format!("{subject} finished with errors"),
        ("paused", _) => format!("{subject} paused"),
        ("failed", _) => format!("{subject} failed"),
        ("cancelled", _) => format!("{subject} cancelled"),
        _ => return,
    };
    let body = e
        .message
        .clone()
        .unwrap_or_else(|| "Details are on the Jobs page.".into());
    if let Err(err) = app.notification().builder().title(title).body(body).show() {
        tracing::debug!("notification not shown: {err}");
    }
}

/// An OS notification for each settled target (the window may be closed).
fn notify_post(app: &AppHandle, e: &switchboard_store::domain::TargetEvent) {
    use tauri_plugin_notification::NotificationExt;
    let (title, body) = match e.state.as_str() {
        "published" => ("Published", format!("{} on {}", e.destination, e.platform)),
        "scheduled_remote" => (
            "Scheduled on the platform",
            format!("{} on {}", e.destination, e.platform),
        ),
        "failed" => (
            "Not published",
            format!(
                "{} on {}: {}",
                e.destination,
                e.platform,
                e.message.as_deref().unwrap_or("failed")
            ),
        ),
        "unconfirmed" => (
            "Check this post",
            format!(
                "{} on {}: the platform did not confirm it; check the account before posting again",
                e.destination, e.platform
            ),
        ),
        "missed" => (
            "Missed its time",
            format!(
                "{} on {}: publish now or reschedule?",
                e.destination, e.platform
            ),
        ),
        _ => return,
    };
    if let Err(err) = app.notification().builder().title(title).body(body).show() {
        tracing::debug!("notification not shown: {err}");
    }
}

/// The publishing scheduler, in process: keeps running while the window is closed (the
/// app lives in the tray). Starts once the vault is open.
fn spawn_scheduler(sb: Arc<Switchboard>, tray: TrayStatus) {
    tauri::async_runtime::spawn(async move {
        loop {
            match sb.scheduler() {
                Ok(_) => break,
                Err(e)
                    if e.code == "vault_locked"
                        || e.code == "unavailable"
                        || e.code == "starting" => {}
                Err(e) => tracing::warn!(code = %e.code, "scheduler: {}", e.message),
            }
            tokio::time::sleep(std::time::Duration::from_secs(2)).await;
        }
        update_tray(&sb, &tray);
        {
            let sb2 = sb.clone();
            let tray = tray.clone();
            sb.on_change(move |batch| {
                if batch
                    .changes
                    .iter()
                    .any(|c| c.entity == "posts" || c.entity == "post_targets")
                {
                    update_tray(&sb2, &tray);
                }
            });
        }
        if let Err(e) = sb.run_scheduler(std::future::pending()).await {
            tracing::error!(code = %e.code, "the scheduler stopped: {}", e.message);
        }
    });
}

fn setup_deep_links(app: &tauri::App) {
    use tauri_plugin_deep_link::DeepLinkExt;
    // Linux and Windows register the scheme at run time (macOS does it from the bundle).
    #[cfg(any(target_os = "linux", windows))]
    if let Err(e) = app.deep_link().register_all() {
        tracing::warn!(
            "could not register the {} scheme: {e}",
            switchboard_api::links::DEEP_LINK_SCHEME
        );
    }
    let handle = app.handle().clone();
    app.deep_link().on_open_url(move |event| {
        for url in event.urls() {
            handle_deep_link(&handle, url.as_str());
        }
    });
    // Launched by a deep link: the URL arrives as the current link.
    if let Ok(Some(urls)) = app.deep_link().get_current() {
        for url in urls {
            handle_deep_link(app.handle(), url.as_str());
        }
    }
}

/// Hourly: the daily encrypted backup when due.
fn spawn_upkeep(sb: Arc<Switchboard>) {
    tauri::async_runtime::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            tick.tick().await;
            let sb = sb.clone();
            let _ = tauri::async_runtime::spawn_blocking(move || {
                if let Err(e) = sb.maintenance_tick() {
                    tracing::warn!(code = %e.code, "upkeep: {}", e.message);
                }
            })
            .await;
        }
    });
}

/// The connection refresher: a short wall-clock tick (timers pause while the machine
/// sleeps, so never one long sleep); renews grants ahead of expiry and updates statuses.
fn spawn_refresher(sb: Arc<Switchboard>) {
    tauri::async_runtime::spawn(async move {
        let mut tick = tokio::time::interval(switchboard_connect::REFRESHER_TICK);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut pass: u64 = 0;
        loop {
            tick.tick().await;
            // The engine is fetched each pass: it exists only once the vault is unlocked,
            // and a restore or re-key replaces it.
            if let Ok(connector) = sb.connector() {
                connector.refresher_pass(pass).await;
                pass += 1;
            }
        }
    });
}

/// Imports: pick up jobs the last run left running (quit, crash) and rate-limit pauses
/// whose wait is over, and start due auto-syncs; every minute on a wall-clock tick.
fn spawn_imports(sb: Arc<Switchboard>) {
    tauri::async_runtime::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = sb.import_tick().await {
                if e.code != "unavailable" && e.code != "vault_locked" {
                    tracing::warn!(code = %e.code, "imports: {}", e.message);
                }
            }
        }
    });
}

/// Check the configured (or Settings-overridden) endpoint for a signed release.
pub async fn check_for_update(
    app: &AppHandle,
    settings: &Settings,
) -> Result<UpdateCheck, ApiError> {
    let updater = updater_for(app, &settings.updater_endpoint, &settings.updater_pubkey)?;
    let current_version = app.package_info().version.to_string();
    match updater.check().await {
        Ok(Some(u)) => Ok(UpdateCheck {
            available: true,
            version: Some(u.version.clone()),
            notes: u.body.clone(),
            current_version,
        }),
        Ok(None) => Ok(UpdateCheck {
            available: false,
            version: None,
            notes: None,
            current_version,
        }),
        Err(e) => Err(ApiError::new(
            "update_check_failed",
            format!("Could not check for updates: {e}"),
        )),
    }
}

/// An updater for `endpoint`/`pubkey` (empty: the ones in tauri.conf.json).
pub fn updater_for<R: tauri::Runtime>(
    app: &AppHandle<R>,
    endpoint: &str,
    pubkey: &str,
) -> Result<tauri_plugin_updater::Updater, ApiError> {
    use tauri_plugin_updater::UpdaterExt;
    let mut b = app.updater_builder();
    if !endpoint.is_empty() {
        let url = url::Url::parse(endpoint)
            .map_err(|_| ApiError::invalid("the update endpoint is not a URL"))?;
        b = b
            .endpoints(vec![url])
            .map_err(|e| ApiError::new("update_check_failed", e.to_string()))?;
    }
    if !pubkey.is_empty() {
        b = b.pubkey(pubkey);
    }
    b.build()
        .map_err(|e| ApiError::new("update_check_failed", e.to_string()))
}
