//! `import` and `library` commands. Imports run inside this process: `start`, `follow` and
//! `retry` stay until the job ends and print its progress. Interrupted (Ctrl-C, a closed
//! terminal) a job stays resumable: `import follow JOB` or the app picks it up again.

use crate::{resolve_client, Out};
use clap::Subcommand;
use std::io::Write as _;
use std::path::PathBuf;
use std::time::Duration;
use switchboard_api::library::ImportRequest;
use switchboard_api::{ApiError, Switchboard};
use switchboard_store::domain::{ImportJob, LibFilter};

#[derive(Subcommand)]
pub enum ImportCmd {
    /// Import an ad account (everything, or selected campaigns) and follow the job.
    Start {
        #[arg(long)]
        client: String,
        /// The connection (id) that reaches the account.
        #[arg(long)]
        connection: String,
        /// The ad account's platform id (see `connections accounts CONNECTION`).
        #[arg(long)]
        account: String,
        /// Only this campaign (platform id); repeatable.
        #[arg(long = "campaign")]
        campaigns: Vec<String>,
        /// Days of daily metrics (default: 90 on a first import, 28 after; 0 = none).
        #[arg(long)]
        metrics_days: Option<u32>,
    },
    /// The client's import jobs, newest first.
    List {
        #[arg(long)]
        client: String,
    },
    /// One job: progress per kind and the items it could not import.
    Show {
        job: String,
        #[arg(long)]
        client: String,
    },
    /// Resume a job if it is not running, and follow it until it ends.
    Follow {
        job: String,
        #[arg(long)]
        client: String,
    },
    /// Cancel a job; what it imported stays.
    Cancel {
        job: String,
        #[arg(long)]
        client: String,
    },
    /// Run a finished job again for its failed items only, and follow it.
    Retry {
        job: String,
        #[arg(long)]
        client: String,
    },
}

#[derive(Subcommand)]
pub enum LibraryCmd {
    /// Imported ad accounts with counts.
    Accounts {
        #[arg(long)]
        client: String,
    },
    /// Campaigns (or ad groups / ads) of the library, filtered and sorted.
    List {
        #[arg(long)]
        client: String,
        #[arg(long, default_value = "campaign", value_parser = ["campaign", "ad_group", "ad"])]
        level: String,
        #[arg(long)]
        status: Vec<String>,
        #[arg(long, default_value = "name")]
        sort: String,
        #[arg(long)]
        desc: bool,
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Full-text search over names and ad copy.
    Search {
        query: String,
        #[arg(long)]
        client: String,
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
    /// Write one asset's bytes (decrypted) to a file you name.
    ExportAsset {
        asset: String,
        #[arg(long)]
        client: String,
        #[arg(long)]
        out: PathBuf,
        /// Replace the file if it exists.
        #[arg(long)]
        force: bool,
    },
}

fn runtime() -> Result<tokio::runtime::Runtime, ApiError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| ApiError::new("internal", format!("could not start: {e}")))
}

fn progress_line(job: &ImportJob) -> String {
    let parts: Vec<String> = job
        .progress
        .iter()
        .filter(|p| p.done > 0 || p.failed > 0 || p.total.is_some_and(|t| t > 0))
        .map(|p| {
            let total = p.total.map(|t| format!("/{t}")).unwrap_or_default();
            let failed = if p.failed > 0 {
                format!(" ({} failed)", p.failed)
            } else {
                String::new()
            };
            format!("{} {}{total}{failed}", p.kind.replace('_', " "), p.done)
        })
        .collect();
    format!(
        "{} [{}{}] {}{}",
        &job.id[..8.min(job.id.len())],
        job.state,
        job.reason
            .as_deref()
            .map(|r| format!(": {r}"))
            .unwrap_or_default(),
        parts.join(", "),
        job.message
            .as_deref()
            .map(|m| format!(" — {m}"))
            .unwrap_or_default()
    )
}

/// Print progress until the job is no longer running here.
async fn follow(sb: &Switchboard, out: &Out, client: &str, job_id: &str) -> Result<(), ApiError> {
    let importer = sb.importer()?;
    let mut last = String::new();
    loop {
        let job = sb.import_job(client, job_id)?.job;
        let line = progress_line(&job);
        if line != last && !out.json {
            println!("{line}");
            let _ = std::io::stdout().flush();
            last = line;
        }
        if !importer.is_running(job_id) {
            let job = sb.import_job(client, job_id)?;
            if out.json {
                out.show(&job, |_| String::new());
            }
            return match job.job.state.as_str() {
                "completed" => Ok(()),
                "completed_with_errors" => {
                    for e in job.errors.iter().take(20) {
                        eprintln!("  {} {}: {}", e.kind, e.external_id, e.message);
                    }
                    Err(ApiError::new(
                        "import_incomplete",
                        job.job.message.unwrap_or_default(),
                    ))
                }
                "paused" => Err(ApiError::new(
                    job.job.reason.as_deref().unwrap_or("paused"),
                    job.job
                        .message
                        .unwrap_or_else(|| "the import paused".into()),
                )),
                other => Err(ApiError::new(
                    other,
                    job.job
                        .message
                        .unwrap_or_else(|| format!("the import is {other}")),
                )),
            };
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

pub fn import(sb: &Switchboard, out: &Out, cmd: ImportCmd) -> Result<(), ApiError> {
    match cmd {
        ImportCmd::Start {
            client,
            connection,
            account,
            campaigns,
            metrics_days,
        } => {
            let client = resolve_client(sb, &client)?;
            runtime()?.block_on(async {
                let job = sb
                    .start_import(ImportRequest {
                        client_id: client.clone(),
                        connection_id: connection,
                        account,
                        campaigns,
                        metrics_days,
                    })
                    .await?;
                if !out.json {
                    println!("import {} started", job.id);
                }
                follow(sb, out, &client, &job.id).await
            })
        }
        ImportCmd::List { client } => {
            let client = resolve_client(sb, &client)?;
            let jobs = sb.import_jobs(&client)?;
            out.show(&jobs, |jobs| {
                if jobs.is_empty() {
                    return "no imports yet".into();
                }
                jobs.iter()
                    .map(|j| {
                        format!(
                            "{} {} {} {}",
                            j.created_at,
                            j.platform,
                            j.account_external_id,
                            progress_line(j)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
            Ok(())
        }
        ImportCmd::Show { job, client } => {
            let client = resolve_client(sb, &client)?;
            let detail = sb.import_job(&client, &job)?;
            out.show(&detail, |d| {
                let mut s = progress_line(&d.job);
                s.push_str(&format!(
                    "\n{} requests, {:.1} s running",
                    d.job.requests,
                    d.job.run_ms as f64 / 1000.0
                ));
                for e in &d.errors {
                    s.push_str(&format!("\n  {} {}: {}", e.kind, e.external_id, e.message));
                }
                s
            });
            Ok(())
        }
        ImportCmd::Follow { job, client } => {
            let client = resolve_client(sb, &client)?;
            runtime()?.block_on(async {
                let current = sb.import_job(&client, &job)?.job;
                if !current.is_final() {
                    sb.resume_import(&client, &job).await?;
                }
                follow(sb, out, &client, &job).await
            })
        }
        ImportCmd::Cancel { job, client } => {
            let client = resolve_client(sb, &client)?;
            let job = sb.cancel_import(&client, &job)?;
            out.show(&job, progress_line);
            Ok(())
        }
        ImportCmd::Retry { job, client } => {
            let client = resolve_client(sb, &client)?;
            runtime()?.block_on(async {
                sb.retry_import(&client, &job).await?;
                follow(sb, out, &client, &job).await
            })
        }
    }
}

pub fn library(sb: &Switchboard, out: &Out, cmd: LibraryCmd) -> Result<(), ApiError> {
    match cmd {
        LibraryCmd::Accounts { client } => {
            let client = resolve_client(sb, &client)?;
            let accounts = sb.library_accounts(&client)?;
            out.show(&accounts, |a| {
                a.iter()
                    .map(|a| format!(
                        "{} {} {} ({}) — {} campaigns, {} ad groups, {} ads, {}/{} assets; last import {}",
                        a.id, a.platform, a.name, a.external_id, a.campaigns, a.ad_groups, a.ads, a.assets_done, a.assets_total,
                        a.last_import_at.as_deref().unwrap_or("never")
                    ))
                    .collect::<Vec<_>>()
                    .join("\n")
            });
            Ok(())
        }
        LibraryCmd::List {
            client,
            level,
            status,
            sort,
            desc,
            limit,
        } => {
            let client = resolve_client(sb, &client)?;
            let page = sb.library_objects(
                &client,
                &LibFilter {
                    level,
                    statuses: status,
                    sort: Some(sort),
                    desc,
                    limit,
                    ..LibFilter::default()
                },
            )?;
            out.show(&page, |p| {
                let mut s = match (p.total, p.total_capped) {
                    (Some(n), true) => format!("{n}+ match"),
                    (Some(n), false) => format!("{n} match"),
                    (None, _) => String::new(),
                };
                for r in &p.rows {
                    s.push_str(&format!(
                        "\n{} {} [{}] {} spend {:.2}{}",
                        r.id,
                        r.external_id,
                        r.status,
                        r.name,
                        r.spend_micros as f64 / 1e6,
                        r.currency
                            .as_deref()
                            .map(|c| format!(" {c}"))
                            .unwrap_or_default()
                    ));
                }
                s
            });
            Ok(())
        }
        LibraryCmd::Search {
            query,
            client,
            limit,
        } => {
            let client = resolve_client(sb, &client)?;
            let hits = sb.library_search(&client, &query, limit)?;
            out.show(&hits, |h| {
                if h.is_empty() {
                    return "no matches".into();
                }
                h.iter()
                    .map(|h| {
                        format!(
                            "{} {} {} — {}",
                            h.id,
                            h.kind,
                            h.name,
                            h.snippet.replace('\n', " ")
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
            Ok(())
        }
        LibraryCmd::ExportAsset {
            asset,
            client,
            out: path,
            force,
        } => {
            let client = resolve_client(sb, &client)?;
            let slice = sb.asset_slice(&client, &asset, false, None)?;
            let mut options = std::fs::OpenOptions::new();
            options.write(true);
            if force {
                options.create(true).truncate(true);
            } else {
                options.create_new(true);
            }
            let mut file = options.open(&path).map_err(|e| {
                ApiError::new(
                    "io_error",
                    format!("could not create {}: {e}", path.display()),
                )
            })?;
            // Videos larger than one answer are read slice by slice.
            let size = slice.content.size.max(0) as u64;
            let mut written = 0u64;
            let mut chunk = slice;
            loop {
                file.write_all(&chunk.bytes)
                    .map_err(|e| ApiError::new("io_error", e.to_string()))?;
                written += chunk.bytes.len() as u64;
                if written >= size || chunk.bytes.is_empty() {
                    break;
                }
                chunk = sb.asset_slice(&client, &asset, false, Some((written, None)))?;
            }
            out.show(
                &serde_json::json!({"path": path, "bytes": written, "mime": chunk.content.mime}),
                |_| {
                    format!(
                        "wrote {written} bytes ({}) to {}",
                        chunk.content.mime,
                        path.display()
                    )
                },
            );
            Ok(())
        }
    }
}
