//! `connect`, `connections`, `app` and `provider` commands.

use crate::{resolve_brand, resolve_client, Out};
use clap::Subcommand;
use secrecy::{ExposeSecret, SecretString};
use std::io::Write as _;
use std::path::PathBuf;
use switchboard_api::connections::{AppCredentialForm, ConnectRequest, ProviderForm};
use switchboard_api::{ApiError, Switchboard};

#[derive(clap::Args)]
pub struct ConnectArgs {
    /// Platform id (`switchboard-cli platforms` lists them).
    pub platform: String,
    /// The client (id or name) the connection belongs to.
    #[arg(long)]
    pub client: String,
    /// A brand of that client (id or name).
    #[arg(long)]
    pub brand: Option<String>,
    /// Which app credentials to use (id); default: the platform's first.
    #[arg(long)]
    pub app: Option<String>,
    /// Capabilities to ask for (repeatable); default: all the platform offers.
    #[arg(long = "capability")]
    pub capabilities: Vec<String>,
    /// `loopback` (default here: the CLI can receive it), `custom_scheme` (the app
    /// receives it) or `https_relay`.
    #[arg(long)]
    pub redirect: Option<String>,
    /// Reconnect this connection in place (same id).
    #[arg(long)]
    pub reconnect: Option<String>,
    /// Only print the authorization URL; do not open a browser.
    #[arg(long)]
    pub no_browser: bool,
    /// Give up waiting after this many seconds (the sign-in itself expires after 10 minutes).
    #[arg(long, default_value_t = 600)]
    pub timeout_secs: u64,
}

#[derive(Subcommand)]
pub enum ConnectionsCmd {
    /// List connections (of one client, or all).
    List {
        #[arg(long)]
        client: Option<String>,
    },
    /// Renew a connection's tokens now.
    Refresh { connection: String },
    /// Revoke at the provider (where possible) and delete the connection and its tokens.
    Disconnect { connection: String },
    /// Status of every connection and of each platform's circuit breaker.
    Health,
    /// The ad accounts, sites or pages a connection reaches.
    Accounts { connection: String },
    /// Link a reached account to the connection's client (or unlink it).
    Link {
        connection: String,
        external_id: String,
        #[arg(long)]
        brand: Option<String>,
        #[arg(long)]
        unlink: bool,
    },
    /// Decide about a reconnect that signed in as a different account.
    Resolve {
        connection: String,
        /// Use the new account (otherwise the new grant is revoked and discarded).
        #[arg(long)]
        accept: bool,
    },
    /// Connect a platform that signs in with an API key (Wix).
    ApiKey {
        platform: String,
        #[arg(long)]
        client: String,
        #[arg(long)]
        brand: Option<String>,
        #[arg(long)]
        app: Option<String>,
    },
    /// Run the background refresher in the foreground (`--once`: one pass).
    Refresher {
        #[arg(long)]
        once: bool,
    },
}

/// Secrets never go on the command line (process lists, shell history): they come from
/// stdin (`--*-stdin`, one line each, in the order client secret, developer token, API
/// key) or the environment (SWITCHBOARD_CLIENT_SECRET, SWITCHBOARD_DEVELOPER_TOKEN,
/// SWITCHBOARD_API_KEY).
#[derive(clap::Args, Default)]
pub struct AppFields {
    #[arg(long)]
    pub label: Option<String>,
    #[arg(long)]
    pub client_id: Option<String>,
    #[arg(long)]
    pub client_secret_stdin: bool,
    #[arg(long)]
    pub developer_token_stdin: bool,
    #[arg(long)]
    pub login_customer_id: Option<String>,
    #[arg(long)]
    pub api_key_stdin: bool,
    #[arg(long)]
    pub site_id: Option<String>,
    /// `loopback`, `custom_scheme`, `https_relay`, or `` for the platform default.
    #[arg(long)]
    pub redirect: Option<String>,
    #[arg(long)]
    pub relay_url: Option<String>,
}

#[derive(Subcommand)]
pub enum AppCmd {
    /// List app credentials (secrets show only as present).
    List {
        #[arg(long)]
        platform: Option<String>,
    },
    /// Add app credentials for a platform.
    Add {
        platform: String,
        #[command(flatten)]
        fields: AppFields,
    },
    /// Change or rotate app credentials.
    Update {
        id: String,
        #[command(flatten)]
        fields: AppFields,
    },
    /// Remove app credentials.
    Remove { id: String },
    /// Import from an existing .env file (META_APP_ID, GOOGLE_ADS_DEVELOPER_TOKEN, …).
    ImportEnv { path: PathBuf },
}

#[derive(Subcommand)]
pub enum ProviderCmd {
    /// Add an OAuth 2.0 / OpenID Connect provider from its discovery URL (or issuer).
    Add {
        name: String,
        #[arg(long)]
        discovery: Option<String>,
        #[arg(long)]
        authorize_url: Option<String>,
        #[arg(long)]
        token_url: Option<String>,
        #[arg(long)]
        revoke_url: Option<String>,
        #[arg(long)]
        userinfo_url: Option<String>,
        #[arg(long)]
        scopes: Option<String>,
        /// `none` (public client), `basic` or `request_body`.
        #[arg(long)]
        client_auth: Option<String>,
    },
    List,
    Remove {
        id: String,
    },
}

fn runtime() -> Result<tokio::runtime::Runtime, ApiError> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| ApiError::new("internal", format!("could not start the runtime: {e}")))
}

fn secret_input(
    flag: bool,
    env: &str,
    lines: &mut impl Iterator<Item = std::io::Result<String>>,
) -> Option<String> {
    if flag {
        return crate::read_line_secret(lines).map(|s| s.expose_secret().to_owned());
    }
    std::env::var(env)
        .ok()
        .map(|v| SecretString::from(v).expose_secret().to_owned())
}

fn form(
    f: AppFields,
    lines: &mut impl Iterator<Item = std::io::Result<String>>,
) -> AppCredentialForm {
    AppCredentialForm {
        label: f.label,
        client_id: f.client_id,
        client_secret: secret_input(f.client_secret_stdin, "SWITCHBOARD_CLIENT_SECRET", lines),
        developer_token: secret_input(
            f.developer_token_stdin,
            "SWITCHBOARD_DEVELOPER_TOKEN",
            lines,
        ),
        login_customer_id: f.login_customer_id,
        api_key: secret_input(f.api_key_stdin, "SWITCHBOARD_API_KEY", lines),
        site_id: f.site_id,
        redirect: f.redirect,
        relay_url: f.relay_url,
    }
}

fn connection_line(c: &switchboard_store::domain::Connection) -> String {
    format!(
        "{}  {:<22} {:<16} {}{}{}",
        c.id,
        c.platform,
        c.status,
        c.account_name
            .clone()
            .or(c.account_id.clone())
            .unwrap_or_else(|| "(account not named)".into()),
        c.expires_at
            .as_deref()
            .map(|e| format!("  expires {e}"))
            .unwrap_or_default(),
        c.status_error
            .as_deref()
            .map(|e| format!("\n    {e}"))
            .unwrap_or_default()
    )
}

pub fn connect(sb: &Switchboard, out: &Out, a: ConnectArgs) -> Result<(), ApiError> {
    let client_id = resolve_client(sb, &a.client)?;
    let brand_id = a
        .brand
        .as_deref()
        .map(|b| resolve_brand(sb, &client_id, b))
        .transpose()?;
    let rt = runtime()?;
    rt.block_on(async {
        let (start, done) = sb
            .begin_connect(ConnectRequest {
                platform: a.platform.clone(),
                client_id,
                brand_id,
                app_credential_id: a.app,
                connection_id: a.reconnect,
                capabilities: a.capabilities,
                redirect: a.redirect,
            })
            .await?;
        // The URL first, on its own line, so scripts (and tests) can pick it up at once.
        if out.json {
            println!("{}", serde_json::to_string(&start).expect("serializable"));
        } else {
            println!("{}", start.authorize_url);
            eprintln!(
                "Open the URL above to sign in ({} redirect to {}). Waiting…",
                start.redirect, start.redirect_uri
            );
        }
        let _ = std::io::stdout().flush();
        if !a.no_browser {
            if let Err(e) = opener::open_browser(&start.authorize_url) {
                eprintln!("Could not open a browser ({e}); open the URL yourself.");
            }
        }
        if start.redirect != "loopback" {
            eprintln!("This sign-in returns to the Switchboard app, not this command.");
            return Ok(());
        }
        let finished = match tokio::time::timeout(std::time::Duration::from_secs(a.timeout_secs), done).await {
            Ok(Ok(f)) => f,
            Ok(Err(_)) => return Err(ApiError::new("cancelled", "the sign-in stopped")),
            Err(_) => {
                let _ = sb.cancel_connect(&start.flow_id);
                return Err(ApiError::new("timed_out", "no answer from the browser in time"));
            }
        };
        if let Some(e) = finished.error.clone() {
            return Err(e);
        }
        out.show(&finished, |f| {
            let c = f.connection.as_ref().expect("ok has a connection");
            if f.account_mismatch {
                format!(
                    "You signed in as a different account ({}); the connection still uses {}. Decide with `connections resolve {} [--accept]`.",
                    c.pending_account_name.clone().or(c.pending_account_id.clone()).unwrap_or_default(),
                    c.account_name.clone().or(c.account_id.clone()).unwrap_or_default(),
                    c.id
                )
            } else {
                format!("connected: {}", connection_line(c))
            }
        });
        Ok(())
    })
}

pub fn connections(sb: &Switchboard, out: &Out, cmd: ConnectionsCmd) -> Result<(), ApiError> {
    let rt = runtime()?;
    match cmd {
        ConnectionsCmd::List { client } => {
            let client_id = client
                .as_deref()
                .map(|c| resolve_client(sb, c))
                .transpose()?;
            let list = sb.list_connections(client_id.as_deref())?;
            out.show(&list, |l| {
                if l.is_empty() {
                    "no connections".into()
                } else {
                    l.iter().map(connection_line).collect::<Vec<_>>().join("\n")
                }
            });
        }
        ConnectionsCmd::Refresh { connection } => {
            let c = rt.block_on(sb.refresh_connection(&connection))?;
            out.show(&c, |c| format!("refreshed: {}", connection_line(c)));
        }
        ConnectionsCmd::Disconnect { connection } => {
            let r = rt.block_on(sb.disconnect(&connection))?;
            out.show(&r, |r| {
                format!(
                    "disconnected {} (revocation: {})",
                    r.connection_id, r.revocation
                )
            });
        }
        ConnectionsCmd::Health => {
            let h = sb.connection_health()?;
            out.show(&h, |h| {
                let mut lines: Vec<String> = h.connections.iter().map(connection_line).collect();
                for b in &h.breakers {
                    lines.push(format!(
                        "breaker {:<22} {} ({} failures){}",
                        b.platform,
                        b.state,
                        b.consecutive_failures,
                        b.last_error
                            .as_deref()
                            .map(|e| format!(": {e}"))
                            .unwrap_or_default()
                    ));
                }
                if lines.is_empty() {
                    "no connections".into()
                } else {
                    lines.join("\n")
                }
            });
        }
        ConnectionsCmd::Accounts { connection } => {
            let a = sb.connection_accounts(&connection)?;
            out.show(&a, |a| {
                a.iter()
                    .map(|x| {
                        format!(
                            "{:<24} {:<10} {}{}",
                            x.external_id,
                            x.kind,
                            x.name.clone().unwrap_or_default(),
                            if x.linked { "  [linked]" } else { "" }
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
        ConnectionsCmd::Link {
            connection,
            external_id,
            brand,
            unlink,
        } => {
            let conn = sb
                .list_connections(None)?
                .into_iter()
                .find(|c| c.id == connection)
                .ok_or_else(|| ApiError::new("not_found", format!("no connection {connection}")))?;
            let brand_id = brand
                .as_deref()
                .map(|b| resolve_brand(sb, &conn.client_id, b))
                .transpose()?;
            sb.link_connection_account(&connection, &external_id, !unlink, brand_id.as_deref())?;
            out.show(&serde_json::json!({"linked": !unlink}), |_| {
                format!(
                    "{} {external_id}",
                    if unlink { "unlinked" } else { "linked" }
                )
            });
        }
        ConnectionsCmd::Resolve { connection, accept } => {
            let c = rt.block_on(sb.resolve_account_mismatch(&connection, accept))?;
            out.show(&c, connection_line);
        }
        ConnectionsCmd::ApiKey {
            platform,
            client,
            brand,
            app,
        } => {
            let client_id = resolve_client(sb, &client)?;
            let brand_id = brand
                .as_deref()
                .map(|b| resolve_brand(sb, &client_id, b))
                .transpose()?;
            let c = rt.block_on(sb.connect_api_key(
                &platform,
                app.as_deref(),
                &client_id,
                brand_id.as_deref(),
            ))?;
            out.show(&c, |c| {
                format!("connected: {}", connection_line(&c.connection))
            });
        }
        ConnectionsCmd::Refresher { once } => {
            let connector = sb.connector()?;
            rt.block_on(async {
                if once {
                    let r = connector.refresh_tick().await?;
                    out.show(&serde_json::json!({"due": r.due, "renewed": r.renewed, "failed": r.failed}), |_| {
                        format!("{} due, {} renewed, {} failed", r.due, r.renewed, r.failed)
                    });
                    Ok::<(), ApiError>(())
                } else {
                    let (_tx, rx) = tokio::sync::watch::channel(false);
                    eprintln!("refresher running; Ctrl-C stops it");
                    connector.run_refresher(rx).await;
                    Ok(())
                }
            })?;
        }
    }
    Ok(())
}

pub fn app(
    sb: &Switchboard,
    out: &Out,
    cmd: AppCmd,
    lines: &mut impl Iterator<Item = std::io::Result<String>>,
) -> Result<(), ApiError> {
    let show_one = |a: &switchboard_store::domain::AppCredentialInfo| {
        format!(
            "{}  {:<22} {:<24} client id {}{}{}{}",
            a.id,
            a.platform,
            a.label,
            if a.client_id.is_empty() {
                "(none)"
            } else {
                &a.client_id
            },
            if a.has_client_secret {
                ", secret set"
            } else {
                ""
            },
            if a.has_developer_token {
                ", developer token set"
            } else {
                ""
            },
            if a.has_api_key { ", API key set" } else { "" },
        )
    };
    match cmd {
        AppCmd::List { platform } => {
            let l = sb.app_credentials(platform.as_deref())?;
            out.show(&l, |l| {
                if l.is_empty() {
                    "no app credentials".into()
                } else {
                    l.iter().map(show_one).collect::<Vec<_>>().join("\n")
                }
            });
        }
        AppCmd::Add { platform, fields } => {
            let a = sb.create_app_credential(&platform, form(fields, lines))?;
            out.show(&a, |a| format!("added {}", show_one(a)));
        }
        AppCmd::Update { id, fields } => {
            let a = sb.update_app_credential(&id, form(fields, lines))?;
            out.show(&a, |a| format!("updated {}", show_one(a)));
        }
        AppCmd::Remove { id } => {
            sb.delete_app_credential(&id)?;
            out.show(&serde_json::json!({"removed": id}), |_| {
                format!("removed {id}")
            });
        }
        AppCmd::ImportEnv { path } => {
            let r = sb.import_env_file(&path)?;
            out.show(&r, |r| {
                let mut lines: Vec<String> = r
                    .imported
                    .iter()
                    .map(|(p, vars)| format!("imported {p}: {}", vars.join(", ")))
                    .collect();
                lines.extend(
                    r.skipped
                        .iter()
                        .map(|(v, why)| format!("skipped {v}: {why}")),
                );
                if lines.is_empty() {
                    "nothing to import".into()
                } else {
                    lines.join("\n")
                }
            });
        }
    }
    Ok(())
}

pub fn provider(sb: &Switchboard, out: &Out, cmd: ProviderCmd) -> Result<(), ApiError> {
    match cmd {
        ProviderCmd::Add {
            name,
            discovery,
            authorize_url,
            token_url,
            revoke_url,
            userinfo_url,
            scopes,
            client_auth,
        } => {
            let rt = runtime()?;
            let p = rt.block_on(sb.add_provider(ProviderForm {
                display_name: name,
                discovery_url: discovery,
                authorize_url,
                token_url,
                revoke_url,
                userinfo_url,
                scopes,
                client_auth,
            }))?;
            out.show(&p, |p| {
                format!(
                    "added provider {} ({}), scopes '{}'",
                    p.display_name, p.id, p.scopes
                )
            });
        }
        ProviderCmd::List => {
            let l = sb.custom_providers()?;
            out.show(&l, |l| {
                l.iter()
                    .map(|p| {
                        format!(
                            "{:<24} {}  {}",
                            p.id,
                            p.display_name,
                            p.issuer.clone().unwrap_or_default()
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
        ProviderCmd::Remove { id } => {
            sb.delete_provider(&id)?;
            out.show(&serde_json::json!({"removed": id}), |_| {
                format!("removed {id}")
            });
        }
    }
    Ok(())
}

pub fn platforms(sb: &Switchboard, out: &Out) -> Result<(), ApiError> {
    let list = sb.platforms()?;
    out.show(&list, |l| {
        l.iter()
            .map(|p| {
                format!(
                    "{:<24} {:<28} {:<8} redirects: {}{}",
                    p.id,
                    p.display_name,
                    p.sign_in,
                    p.redirects.join(", "),
                    if p.fixed_ports.is_empty() {
                        String::new()
                    } else {
                        format!(" (register ports {:?})", p.fixed_ports)
                    }
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    });
    Ok(())
}
