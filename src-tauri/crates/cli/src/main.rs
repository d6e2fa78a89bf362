//! switchboard-cli: the headless host. Same core as the app; every failure exits
//! non-zero with a one-line reason.

mod connections;
mod library;
mod publishing;

use clap::{Parser, Subcommand};
use secrecy::SecretString;
use serde::Serialize;
use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use switchboard_api::{ApiError, ClientPatch, Config, KeyMode, NewClient, Switchboard, VaultState};
use switchboard_store::{OsKeyring, SystemClock};

#[derive(Parser)]
#[command(
    name = "switchboard-cli",
    version,
    about = "Switchboard without a window: vault, clients, brands, connections, imports, library, posts and the scheduler, audit"
)]
struct Cli {
    /// The vault directory (default: the OS app-data dir; env SWITCHBOARD_DATA_DIR).
    #[arg(long, global = true, env = "SWITCHBOARD_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Print machine-readable JSON.
    #[arg(long, global = true)]
    json: bool,
    /// Read the vault passphrase from the first line of stdin (passphrase-mode vaults, or
    /// creating one where no OS keyring exists). Env alternative: SWITCHBOARD_PASSPHRASE.
    #[arg(long, global = true)]
    passphrase_stdin: bool,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Check the keyring backend, encryption, schema version and integrity.
    Doctor,
    /// Manage clients.
    #[command(subcommand)]
    Client(ClientCmd),
    /// Manage a client's brands.
    #[command(subcommand)]
    Brand(BrandCmd),
    /// Re-encrypt the vault under a new key.
    Rekey {
        /// `keyring` (a new random key in the OS keyring) or `passphrase` (read from
        /// SWITCHBOARD_NEW_PASSPHRASE or the next stdin line).
        #[arg(long, value_parser = ["keyring", "passphrase"], default_value = "keyring")]
        to: String,
    },
    /// Take an encrypted backup now.
    Backup,
    /// List backups, newest first.
    Backups,
    /// Restore a backup (by file name; default: the newest good one).
    Restore { file_name: Option<String> },
    /// Run SQLCipher's and SQLite's integrity checks.
    Integrity,
    /// Show the credential-access audit log, newest first.
    Audit {
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// List the platforms Switchboard can connect to.
    Platforms,
    /// Connect a client's account on a platform (prints the authorization URL first).
    Connect(connections::ConnectArgs),
    /// List, refresh, disconnect and check connections.
    #[command(subcommand)]
    Connections(connections::ConnectionsCmd),
    /// Manage the agency's OAuth app credentials per platform.
    #[command(subcommand)]
    App(connections::AppCmd),
    /// Manage generic OAuth 2.0 / OpenID Connect providers.
    #[command(subcommand)]
    Provider(connections::ProviderCmd),
    /// Import ad accounts into the library; list, follow, cancel and retry jobs.
    #[command(subcommand)]
    Import(library::ImportCmd),
    /// Browse and search the library; export an asset.
    #[command(subcommand)]
    Library(library::LibraryCmd),
    /// Compose, schedule, list, cancel and publish posts.
    #[command(subcommand)]
    Post(publishing::PostCmd),
    /// Run the publishing scheduler (for an always-on machine), or show its status.
    #[command(subcommand)]
    Scheduler(publishing::SchedulerCmd),
}

#[derive(Subcommand)]
enum ClientCmd {
    List {
        #[arg(long)]
        archived: bool,
    },
    Add {
        name: String,
        #[arg(long)]
        timezone: Option<String>,
        #[arg(long)]
        notes: Option<String>,
    },
    Edit {
        client: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        timezone: Option<String>,
        #[arg(long)]
        notes: Option<String>,
    },
    Archive {
        client: String,
    },
    Unarchive {
        client: String,
    },
    Delete {
        client: String,
    },
}

#[derive(Subcommand)]
enum BrandCmd {
    List {
        client: String,
    },
    Add {
        client: String,
        name: String,
    },
    Rename {
        client: String,
        brand: String,
        name: String,
    },
    Delete {
        client: String,
        brand: String,
    },
}

pub(crate) struct Out {
    pub(crate) json: bool,
}

impl Out {
    pub(crate) fn show<T: Serialize>(&self, value: &T, human: impl FnOnce(&T) -> String) {
        if self.json {
            println!(
                "{}",
                serde_json::to_string_pretty(value).expect("serializable")
            );
        } else {
            let text = human(value);
            if !text.is_empty() {
                println!("{text}");
            }
        }
    }
}

pub(crate) fn read_line_secret(
    stdin_lines: &mut impl Iterator<Item = std::io::Result<String>>,
) -> Option<SecretString> {
    stdin_lines
        .next()
        .and_then(|l| l.ok())
        .map(|l| SecretString::from(l.trim_end_matches(['\r', '\n']).to_owned()))
}

/// Find a client by id or (case-insensitive) name.
pub(crate) fn resolve_client(sb: &Switchboard, key: &str) -> Result<String, ApiError> {
    let clients = sb.list_clients(true)?;
    clients
        .iter()
        .find(|c| c.id == key)
        .or_else(|| clients.iter().find(|c| c.name.eq_ignore_ascii_case(key)))
        .map(|c| c.id.clone())
        .ok_or_else(|| ApiError::new("not_found", format!("no client '{key}'")))
}

pub(crate) fn resolve_brand(
    sb: &Switchboard,
    client_id: &str,
    key: &str,
) -> Result<String, ApiError> {
    let brands = sb.list_brands(client_id)?;
    brands
        .iter()
        .find(|b| b.id == key)
        .or_else(|| brands.iter().find(|b| b.name.eq_ignore_ascii_case(key)))
        .map(|b| b.id.clone())
        .ok_or_else(|| ApiError::new("not_found", format!("no brand '{key}' for this client")))
}

fn run(cli: Cli) -> Result<(), ApiError> {
    let out = Out { json: cli.json };
    let explicit = cli.data_dir.is_some();
    let data_dir = switchboard_api::paths::data_dir(cli.data_dir.clone());
    let _log = switchboard_api::logging::init(
        &switchboard_api::paths::log_dir(explicit, &data_dir),
        "switchboard-cli",
        "off",
    );

    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    let passphrase = if cli.passphrase_stdin {
        Some(
            read_line_secret(&mut lines)
                .ok_or_else(|| ApiError::invalid("--passphrase-stdin: no line on stdin"))?,
        )
    } else {
        std::env::var("SWITCHBOARD_PASSPHRASE")
            .ok()
            .map(SecretString::from)
    };

    let creates = !matches!(
        cli.cmd,
        Cmd::Doctor | Cmd::Restore { .. } | Cmd::Backups | Cmd::Integrity | Cmd::Audit { .. }
    );
    let sb = Switchboard::start(Config {
        data_dir: data_dir.clone(),
        secrets: Arc::new(OsKeyring),
        clock: Arc::new(SystemClock),
        actor: "cli".into(),
        create: creates,
    });
    match sb.status().vault {
        VaultState::Open => {}
        VaultState::NeedsPassphrase { message } | VaultState::NeedsNewPassphrase { message } => {
            let Some(p) = passphrase.clone() else {
                return Err(ApiError::new(
                    "passphrase_required",
                    format!("{message} Pass it with --passphrase-stdin or SWITCHBOARD_PASSPHRASE."),
                ));
            };
            sb.unlock(p)?;
        }
        VaultState::Damaged { message, .. } => {
            if let Cmd::Restore { file_name } = &cli.cmd {
                let name = match file_name {
                    Some(n) => n.clone(),
                    None => {
                        sb.newest_good_backup(passphrase)?
                            .ok_or_else(|| ApiError::new("not_found", "no good backup to restore"))?
                            .file_name
                    }
                };
                sb.restore_damaged(&name, None)?;
                out.show(&serde_json::json!({"restored": name}), |_| {
                    format!("restored {name}")
                });
                return Ok(());
            }
            return Err(ApiError::new("vault_damaged", message));
        }
        VaultState::Error { code, message } => return Err(ApiError::new(&code, message)),
    }

    match cli.cmd {
        Cmd::Platforms => connections::platforms(&sb, &out)?,
        Cmd::Connect(a) => connections::connect(&sb, &out, a)?,
        Cmd::Connections(c) => connections::connections(&sb, &out, c)?,
        Cmd::App(a) => connections::app(&sb, &out, a, &mut lines)?,
        Cmd::Provider(p) => connections::provider(&sb, &out, p)?,
        Cmd::Import(c) => library::import(&sb, &out, c)?,
        Cmd::Library(c) => library::library(&sb, &out, c)?,
        Cmd::Post(c) => publishing::post(&sb, &out, c)?,
        Cmd::Scheduler(c) => publishing::scheduler(&sb, &out, c)?,
        Cmd::Doctor => {
            let info = sb.vault_info()?;
            let integrity = sb.integrity_check()?;
            let report = serde_json::json!({
                "data_dir": data_dir.display().to_string(),
                "key_mode": info.key_mode,
                "keyring_backend": info.keyring_backend,
                "encrypted_on_disk": info.encrypted_on_disk,
                "cipher_version": info.cipher_version,
                "schema_version": info.schema_version,
                "known_schema_version": info.known_schema_version,
                "integrity_ok": integrity.ok,
                "integrity": integrity,
            });
            out.show(&report, |_| {
                format!(
                    "data dir:        {}\nkey:             {}\nencryption:      {} (SQLCipher {})\nschema version:  {} (this build knows {})\nintegrity:       {}",
                    data_dir.display(),
                    match info.key_mode {
                        KeyMode::Keyring => format!("OS keyring — {}", info.keyring_backend.clone().unwrap_or_default()),
                        KeyMode::Passphrase => "passphrase (Argon2id)".into(),
                    },
                    if info.encrypted_on_disk { "verified: file is encrypted" } else { "NOT ENCRYPTED" },
                    info.cipher_version,
                    info.schema_version.map(|v| v.to_string()).unwrap_or_else(|| "none".into()),
                    info.known_schema_version.map(|v| v.to_string()).unwrap_or_else(|| "none".into()),
                    if integrity.ok { "ok".to_owned() } else { format!("FAILED: {:?} {:?}", integrity.cipher_errors, integrity.sqlite_errors) },
                )
            });
            if !integrity.ok || !info.encrypted_on_disk {
                return Err(ApiError::new(
                    "vault_damaged",
                    "doctor found problems (see above)",
                ));
            }
        }
        Cmd::Client(c) => match c {
            ClientCmd::List { archived } => {
                let list = sb.list_clients(archived)?;
                out.show(&list, |l| {
                    l.iter()
                        .map(|c| {
                            format!(
                                "{}  {}  ({}){}",
                                c.id,
                                c.name,
                                c.timezone,
                                if c.archived_at.is_some() {
                                    " [archived]"
                                } else {
                                    ""
                                }
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("\n")
                });
            }
            ClientCmd::Add {
                name,
                timezone,
                notes,
            } => {
                let c = sb.create_client(NewClient {
                    name,
                    timezone,
                    notes,
                })?;
                out.show(&c, |c| format!("created client {} ({})", c.name, c.id));
            }
            ClientCmd::Edit {
                client,
                name,
                timezone,
                notes,
            } => {
                let id = resolve_client(&sb, &client)?;
                let c = sb.update_client(
                    &id,
                    ClientPatch {
                        name,
                        timezone,
                        notes,
                    },
                )?;
                out.show(&c, |c| format!("updated client {}", c.name));
            }
            ClientCmd::Archive { client } => {
                let id = resolve_client(&sb, &client)?;
                let c = sb.archive_client(&id, true)?;
                out.show(&c, |c| format!("archived client {}", c.name));
            }
            ClientCmd::Unarchive { client } => {
                let id = resolve_client(&sb, &client)?;
                let c = sb.archive_client(&id, false)?;
                out.show(&c, |c| format!("unarchived client {}", c.name));
            }
            ClientCmd::Delete { client } => {
                let id = resolve_client(&sb, &client)?;
                sb.delete_client(&id)?;
                out.show(&serde_json::json!({"deleted": id}), |_| {
                    format!("deleted client {client}")
                });
            }
        },
        Cmd::Brand(b) => match b {
            BrandCmd::List { client } => {
                let id = resolve_client(&sb, &client)?;
                let list = sb.list_brands(&id)?;
                out.show(&list, |l| {
                    l.iter()
                        .map(|b| format!("{}  {}", b.id, b.name))
                        .collect::<Vec<_>>()
                        .join("\n")
                });
            }
            BrandCmd::Add { client, name } => {
                let id = resolve_client(&sb, &client)?;
                let b = sb.create_brand(&id, &name)?;
                out.show(&b, |b| format!("created brand {} ({})", b.name, b.id));
            }
            BrandCmd::Rename {
                client,
                brand,
                name,
            } => {
                let id = resolve_client(&sb, &client)?;
                let bid = resolve_brand(&sb, &id, &brand)?;
                let b = sb.rename_brand(&id, &bid, &name)?;
                out.show(&b, |b| format!("renamed brand to {}", b.name));
            }
            BrandCmd::Delete { client, brand } => {
                let id = resolve_client(&sb, &client)?;
                let bid = resolve_brand(&sb, &id, &brand)?;
                sb.delete_brand(&id, &bid)?;
                out.show(&serde_json::json!({"deleted": bid}), |_| {
                    format!("deleted brand {brand}")
                });
            }
        },
        Cmd::Rekey { to } => {
            let (mode, new_pass) = if to == "passphrase" {
                let p = std::env::var("SWITCHBOARD_NEW_PASSPHRASE")
                    .ok()
                    .map(SecretString::from)
                    .or_else(|| read_line_secret(&mut lines))
                    .ok_or_else(|| ApiError::invalid("the new passphrase: set SWITCHBOARD_NEW_PASSPHRASE or give it on stdin"))?;
                (KeyMode::Passphrase, Some(p))
            } else {
                (KeyMode::Keyring, None)
            };
            let info = sb.rekey(mode, new_pass)?;
            out.show(&info, |i| {
                format!("vault re-keyed; key now: {:?}", i.key_mode).to_lowercase()
            });
        }
        Cmd::Backup => {
            let b = sb.backup_now()?;
            out.show(&b, |b| {
                format!(
                    "backup written: {} ({} bytes)",
                    b.path.display(),
                    b.size_bytes
                )
            });
        }
        Cmd::Backups => {
            let list = sb.backups()?;
            out.show(&list, |l| {
                l.iter()
                    .map(|b| format!("{}  {} bytes  {}", b.file_name, b.size_bytes, b.reason))
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
        Cmd::Restore { file_name } => {
            let name = match file_name {
                Some(n) => n,
                None => {
                    sb.newest_good_backup(passphrase)?
                        .ok_or_else(|| ApiError::new("not_found", "no good backup to restore"))?
                        .file_name
                }
            };
            sb.restore(&name)?;
            out.show(&serde_json::json!({"restored": name}), |_| {
                format!("restored {name}")
            });
        }
        Cmd::Integrity => {
            let r = sb.integrity_check()?;
            out.show(&r, |r| {
                if r.ok {
                    "integrity: ok".into()
                } else {
                    format!(
                        "integrity FAILED: {:?} {:?}",
                        r.cipher_errors, r.sqlite_errors
                    )
                }
            });
            if !r.ok {
                return Err(ApiError::new("vault_damaged", "integrity check failed"));
            }
        }
        Cmd::Audit { limit } => {
            let entries = sb.audit_log(limit, None)?;
            out.show(&entries, |l| {
                l.iter()
                    .map(|e| {
                        format!(
                            "{}  {:<4} {:<16} {}{}",
                            e.at,
                            e.actor,
                            e.action,
                            e.detail,
                            e.connection_id
                                .as_deref()
                                .map(|c| format!(" [{c}]"))
                                .unwrap_or_default()
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let json = cli.json;
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if json {
                println!("{}", serde_json::to_string(&e).expect("serializable"));
            }
            let line = e.message.replace('\n', " ");
            eprintln!("error [{}]: {line}", e.code);
            ExitCode::FAILURE
        }
    }
}
