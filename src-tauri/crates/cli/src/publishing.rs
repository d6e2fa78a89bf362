//! `post` and `scheduler` commands: compose from flags or a file, schedule, list, cancel,
//! publish now, settle unconfirmed targets, and `scheduler run` for an always-on machine.

use crate::{resolve_client, Out};
use clap::{Args, Subcommand};
use serde::Deserialize;
use std::path::PathBuf;
use switchboard_api::publishing::{QueueSlot, When};
use switchboard_api::{ApiError, Switchboard};
use switchboard_store::domain::{Post, PostFilter, PostInput, TargetInput};

#[derive(Args, Clone)]
pub struct WhenArgs {
    /// Wall-clock time in the client's zone (or --zone): YYYY-MM-DDTHH:MM.
    #[arg(long, conflicts_with_all = ["queue", "now"])]
    at: Option<String>,
    /// IANA zone for --at (default: the client's).
    #[arg(long, requires = "at")]
    zone: Option<String>,
    /// The client's next free queue slot.
    #[arg(long, conflicts_with = "now")]
    queue: bool,
    /// Publish right away.
    #[arg(long)]
    now: bool,
}

impl WhenArgs {
    fn when(&self) -> Option<When> {
        if self.now {
            Some(When::Now)
        } else if self.queue {
            Some(When::Queue)
        } else {
            self.at.clone().map(|wall_time| When::At {
                wall_time,
                zone: self.zone.clone(),
            })
        }
    }
}

#[derive(Args)]
pub struct ComposeArgs {
    #[arg(long)]
    client: String,
    /// A connection id, or CONNECTION:DESTINATION (a page or organization id); repeatable.
    /// Without a destination, the connection's first one.
    #[arg(long = "to", required = true)]
    to: Vec<String>,
    /// The post's text.
    #[arg(long, conflicts_with = "file")]
    text: Option<String>,
    /// Compose from a file: JSON `{text, link, firstComment, thread: [..], media: [paths]}`
    /// or plain text (the body).
    #[arg(long)]
    file: Option<PathBuf>,
    #[arg(long)]
    link: Option<String>,
    #[arg(long)]
    first_comment: Option<String>,
    /// A follow-up post of an X thread; repeatable, in order.
    #[arg(long = "thread")]
    thread: Vec<String>,
    /// An image or video file; repeatable, in order.
    #[arg(long = "media")]
    media: Vec<PathBuf>,
    /// Hand the schedule to the platform where it can hold posts (Facebook Pages).
    #[arg(long)]
    native: bool,
    #[command(flatten)]
    when: WhenArgs,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ComposeFile {
    #[serde(default)]
    text: String,
    link: Option<String>,
    first_comment: Option<String>,
    #[serde(default)]
    thread: Vec<String>,
    #[serde(default)]
    media: Vec<PathBuf>,
}

#[derive(Subcommand)]
pub enum PostCmd {
    /// Compose a post (a draft, or scheduled with --at / --queue / --now).
    Compose(ComposeArgs),
    /// The client's posts by due time.
    List {
        #[arg(long)]
        client: String,
        /// From (RFC 3339 UTC).
        #[arg(long)]
        from: Option<String>,
        #[arg(long)]
        to: Option<String>,
        #[arg(long)]
        state: Option<String>,
        #[arg(long)]
        platform: Option<String>,
    },
    /// One post with its targets and their states.
    Show {
        post: String,
        #[arg(long)]
        client: String,
    },
    /// Schedule or reschedule a post.
    Schedule {
        post: String,
        #[arg(long)]
        client: String,
        #[command(flatten)]
        when: WhenArgs,
    },
    /// Publish a post now (a failed or missed one too).
    PublishNow {
        post: String,
        #[arg(long)]
        client: String,
    },
    /// Cancel every target that has not gone out.
    Cancel {
        post: String,
        #[arg(long)]
        client: String,
    },
    /// A new draft with the same content and accounts.
    Duplicate {
        post: String,
        #[arg(long)]
        client: String,
    },
    /// Settle an unconfirmed target after checking the account.
    Resolve {
        target: String,
        #[arg(long)]
        client: String,
        /// It is on the platform.
        #[arg(long, conflicts_with = "not_published")]
        published: bool,
        /// It is not on the platform (it may then be scheduled again).
        #[arg(long)]
        not_published: bool,
        #[arg(long)]
        url: Option<String>,
    },
    /// Targets by client, platform and state.
    Summary,
    /// Where a connection can publish.
    Destinations {
        #[arg(long)]
        client: String,
        #[arg(long)]
        connection: String,
        /// Ask the platform again.
        #[arg(long)]
        refresh: bool,
    },
    /// Show or set the client's queue slots: "mon 09:00,wed 14:30".
    Slots {
        #[arg(long)]
        client: String,
        #[arg(long)]
        set: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum SchedulerCmd {
    /// Publish due posts until interrupted (for an always-on machine).
    Run,
    /// The next due post and what needs attention.
    Status,
}

fn runtime() -> Result<tokio::runtime::Runtime, ApiError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| ApiError::new("internal", format!("could not start: {e}")))
}

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

fn parse_slots(s: &str) -> Result<Vec<QueueSlot>, ApiError> {
    s.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            let bad = || ApiError::invalid(format!("{p:?} is not a slot like \"mon 09:00\""));
            let (day, time) = p.split_once(' ').ok_or_else(bad)?;
            let weekday = DAYS
                .iter()
                .position(|d| day.to_ascii_lowercase().starts_with(d))
                .ok_or_else(bad)? as u8;
            let (h, m) = time.trim().split_once(':').ok_or_else(bad)?;
            let (h, m): (u16, u16) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
            if h > 23 || m > 59 {
                return Err(bad());
            }
            Ok(QueueSlot {
                weekday,
                minute: h * 60 + m,
            })
        })
        .collect()
}

fn post_lines(p: &Post) -> String {
    let mut out = format!(
        "{}  {}  {}",
        p.id,
        p.wall_time
            .as_deref()
            .map(|w| format!("{w} {}", p.zone))
            .unwrap_or_else(|| "unscheduled".into()),
        p.body
            .chars()
            .take(60)
            .collect::<String>()
            .replace('\n', " ")
    );
    for t in &p.targets {
        out.push_str(&format!(
            "\n    {} {} {:<16} {}{}",
            t.id,
            t.platform,
            t.state,
            t.destination_name.as_deref().unwrap_or(&t.destination_id),
            t.remote_url
                .as_deref()
                .or(t.message.as_deref())
                .map(|m| format!("  ({m})"))
                .unwrap_or_default()
        ));
    }
    out
}

async fn targets_for(
    sb: &Switchboard,
    client: &str,
    to: &[String],
) -> Result<Vec<TargetInput>, ApiError> {
    let mut targets = Vec::new();
    for spec in to {
        let (connection, destination) = match spec.split_once(':') {
            Some((c, d)) => (c.to_owned(), Some(d.to_owned())),
            None => (spec.clone(), None),
        };
        let mut found = sb.publish_destinations(client, &connection, false).await?;
        if destination
            .as_ref()
            .is_some_and(|d| !found.destinations.iter().any(|x| &x.id == d))
        {
            found = sb.publish_destinations(client, &connection, true).await?;
        }
        let d = match &destination {
            Some(id) => found.destinations.iter().find(|x| &x.id == id).cloned(),
            None => found.destinations.first().cloned(),
        }
        .ok_or_else(|| {
            ApiError::new(
                "not_found",
                format!(
                    "connection {connection} has no destination {}",
                    destination.as_deref().unwrap_or("to publish to")
                ),
            )
        })?;
        targets.push(TargetInput {
            connection_id: connection,
            destination_id: d.id,
            destination_name: d.name,
            destination_kind: d.kind,
            body: None,
        });
    }
    Ok(targets)
}

pub fn post(sb: &Switchboard, out: &Out, cmd: PostCmd) -> Result<(), ApiError> {
    match cmd {
        PostCmd::Compose(a) => {
            let client = resolve_client(sb, &a.client)?;
            let mut content = ComposeFile {
                text: a.text.clone().unwrap_or_default(),
                link: a.link.clone(),
                first_comment: a.first_comment.clone(),
                thread: a.thread.clone(),
                media: a.media.clone(),
            };
            if let Some(path) = &a.file {
                let raw = std::fs::read_to_string(path).map_err(|e| {
                    ApiError::invalid(format!("cannot read {}: {e}", path.display()))
                })?;
                if raw.trim_start().starts_with('{') {
                    let f: ComposeFile = serde_json::from_str(&raw).map_err(|e| {
                        ApiError::invalid(format!("{} is not a post file: {e}", path.display()))
                    })?;
                    content = ComposeFile {
                        link: f.link.or(content.link),
                        first_comment: f.first_comment.or(content.first_comment),
                        thread: if f.thread.is_empty() {
                            content.thread
                        } else {
                            f.thread
                        },
                        media: [f.media, content.media].concat(),
                        text: f.text,
                    };
                } else {
                    content.text = raw.trim_end().to_owned();
                }
            }
            let targets = runtime()?.block_on(targets_for(sb, &client, &a.to))?;
            let post = sb.save_post(
                &client,
                None,
                &PostInput {
                    brand_id: None,
                    body: content.text,
                    link: content.link,
                    first_comment: content.first_comment,
                    thread: content.thread,
                    native_schedule: a.native,
                    targets,
                },
            )?;
            for path in &content.media {
                let bytes = std::fs::read(path).map_err(|e| {
                    ApiError::invalid(format!("cannot read {}: {e}", path.display()))
                })?;
                let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("media");
                sb.add_post_media(&client, &post.id, name, &bytes, None)?;
            }
            let post = match a.when.when() {
                Some(when) => {
                    let s = sb.schedule_post(&client, &post.id, &when)?;
                    if let Some(w) = &s.due.warning {
                        eprintln!("note: {w}");
                    }
                    s.post
                }
                None => sb.post(&client, &post.id)?,
            };
            out.show(&post, post_lines);
        }
        PostCmd::List {
            client,
            from,
            to,
            state,
            platform,
        } => {
            let client = resolve_client(sb, &client)?;
            let posts = sb.posts(
                &client,
                &PostFilter {
                    from,
                    to,
                    platform,
                    state,
                    include_unscheduled: true,
                },
            )?;
            out.show(&posts, |ps| {
                ps.iter().map(post_lines).collect::<Vec<_>>().join("\n")
            });
        }
        PostCmd::Show { post, client } => {
            let client = resolve_client(sb, &client)?;
            let p = sb.post(&client, &post)?;
            out.show(&p, post_lines);
        }
        PostCmd::Schedule { post, client, when } => {
            let client = resolve_client(sb, &client)?;
            let when = when
                .when()
                .ok_or_else(|| ApiError::invalid("say when: --at, --queue or --now"))?;
            let s = sb.schedule_post(&client, &post, &when)?;
            if let Some(w) = &s.due.warning {
                eprintln!("note: {w}");
            }
            out.show(&s.post, post_lines);
        }
        PostCmd::PublishNow { post, client } => {
            let client = resolve_client(sb, &client)?;
            let s = sb.schedule_post(&client, &post, &When::Now)?;
            out.show(&s.post, |p| format!("{}\n(the scheduler publishes it within seconds: the app, or `switchboard-cli scheduler run`)", post_lines(p)));
        }
        PostCmd::Cancel { post, client } => {
            let client = resolve_client(sb, &client)?;
            let p = sb.cancel_post(&client, &post)?;
            out.show(&p, post_lines);
        }
        PostCmd::Duplicate { post, client } => {
            let client = resolve_client(sb, &client)?;
            let p = sb.duplicate_post(&client, &post)?;
            out.show(&p, post_lines);
        }
        PostCmd::Resolve {
            target,
            client,
            published,
            not_published,
            url,
        } => {
            let client = resolve_client(sb, &client)?;
            if published == not_published {
                return Err(ApiError::invalid("say --published or --not-published"));
            }
            let t = sb.resolve_unconfirmed(&client, &target, published, url.as_deref())?;
            out.show(&t, |t| format!("{} {}", t.id, t.state));
        }
        PostCmd::Summary => {
            let rows = sb.post_status_summary()?;
            out.show(&rows, |rows| {
                rows.iter()
                    .map(|r| {
                        format!(
                            "{:<24} {:<10} {:<16} {}",
                            r.client_name, r.platform, r.state, r.count
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
        PostCmd::Destinations {
            client,
            connection,
            refresh,
        } => {
            let client = resolve_client(sb, &client)?;
            let d = runtime()?.block_on(sb.publish_destinations(&client, &connection, refresh))?;
            out.show(&d, |d| {
                d.destinations
                    .iter()
                    .map(|x| {
                        format!(
                            "{}:{}  {} ({})",
                            d.connection_id,
                            x.id,
                            x.name.as_deref().unwrap_or(""),
                            x.kind
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
        PostCmd::Slots { client, set } => {
            let client = resolve_client(sb, &client)?;
            if let Some(s) = set {
                sb.set_queue_slots(&client, &parse_slots(&s)?)?;
            }
            let slots = sb.queue_slots(&client)?;
            out.show(&slots, |slots| {
                slots
                    .iter()
                    .map(|s| {
                        format!(
                            "{} {:02}:{:02}",
                            DAYS[s.weekday as usize],
                            s.minute / 60,
                            s.minute % 60
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
    }
    Ok(())
}

pub fn scheduler(sb: &Switchboard, out: &Out, cmd: SchedulerCmd) -> Result<(), ApiError> {
    match cmd {
        SchedulerCmd::Status => {
            let s = sb.scheduler_status()?;
            out.show(&s, |s| {
                format!(
                    "next: {}\nneeds attention: {}",
                    match (&s.next_due, &s.next_client) {
                        (Some(d), Some(c)) => format!("{d} ({c})"),
                        _ => "nothing scheduled".into(),
                    },
                    s.needs_attention
                )
            });
        }
        SchedulerCmd::Run => {
            let json = out.json;
            sb.on_post_event(move |e| {
                if json {
                    println!("{}", serde_json::to_string(e).expect("serializable"));
                } else {
                    println!(
                        "{} {} {} {}{}",
                        e.target_id,
                        e.platform,
                        e.destination,
                        e.state,
                        e.message
                            .as_deref()
                            .map(|m| format!(": {m}"))
                            .unwrap_or_default()
                    );
                }
            });
            eprintln!("publishing due posts; Ctrl-C stops after the posts in progress");
            runtime()?.block_on(sb.run_scheduler(async {
                let _ = tokio::signal::ctrl_c().await;
            }))?;
        }
    }
    Ok(())
}
