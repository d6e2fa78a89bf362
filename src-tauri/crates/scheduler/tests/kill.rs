//! kill -9 while targets publish, over and over: the emulator (which keeps every post it
//! accepted) shows **zero duplicates**, and every target ends in a definite state
//! (published, failed, unconfirmed, missed) — none stuck in publishing or scheduled.
//!
//! The publishing process is this test binary re-run as a child (`child_scheduler_worker`,
//! which does nothing unless `SB_KILL_CHILD` is set); the parent keeps the emulator running
//! and SIGKILLs the child at random moments. Some posts have an image (an upload before
//! the post call), X posts have a thread (replies after it), LinkedIn posts a first
//! comment, and the emulator answers slowly so kills land inside calls.

mod common;

use common::*;
use rand::Rng;
use std::collections::HashMap;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use switchboard_emulator::EmulatorConfig;
use switchboard_scheduler::Scheduler;
use switchboard_store::domain::{PostInput, TargetInput};
use switchboard_store::{FixedClock, SystemClock};

const KILLS: usize = 22;
const POSTS: usize = 120;

fn config() -> EmulatorConfig {
    EmulatorConfig {
        latency: Duration::from_millis(50),
        ..EmulatorConfig::default()
    }
}

#[test]
fn child_scheduler_worker() {
    let Some(dir) = std::env::var_os("SB_KILL_CHILD") else {
        return;
    };
    let overrides = std::env::var("SB_KILL_OVERRIDES").expect("overrides");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let dir = std::path::PathBuf::from(dir);
        let clock = Arc::new(FixedClock::new(chrono::Utc::now()));
        let vault = open_vault(&dir, clock.clone(), false);
        let connector = connector(&vault, clock, &overrides);
        let s = Scheduler::new(vault.clone(), connector, Arc::new(SystemClock), options(&dir)).expect("scheduler");
        // Pass after pass until nothing is left to do (retries come due on the real clock).
        loop {
            s.tick().await.expect("a pass");
            s.idle().await;
            let open = vault
                .debug_query(
                    "SELECT count(*) FROM post_targets WHERE state IN ('scheduled', 'publishing') AND ?1 = ?1",
                    "x",
                )
                .unwrap();
            if open == vec!["0"] {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
}

#[test]
fn kill_nine_while_publishing_never_duplicates_and_every_target_ends_definite() {
    if std::env::var_os("SB_KILL_CHILD").is_some() {
        return;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let now = chrono::Utc::now();
        let w = world_with(config(), now).await;
        let x = w.destinations(&w.x).await;
        let li = w.destinations(&w.linkedin).await;
        let org = li.iter().find(|d| d.kind == "organization").unwrap().clone();
        let target = |conn: &str, d: &switchboard_platforms::publish::Destination| TargetInput {
            connection_id: conn.into(),
            destination_id: d.id.clone(),
            destination_name: d.name.clone(),
            destination_kind: d.kind.clone(),
            body: None,
        };
        let due = (now - chrono::Duration::seconds(30)).to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let image = png();
        for i in 0..POSTS {
            let media: Vec<Vec<u8>> = if i % 3 == 0 { vec![image.clone()] } else { vec![] };
            w.compose(
                PostInput {
                    brand_id: None,
                    body: format!("kill test post {i} (survives anything)"),
                    link: None,
                    first_comment: (i % 2 == 0).then(|| format!("comment on {i}")),
                    thread: if i % 4 == 1 { vec![format!("{i}: part two"), format!("{i}: part three")] } else { vec![] },
                    native_schedule: false,
                    targets: vec![target(&w.x, &x[0]), target(&w.linkedin, &org)],
                },
                &media,
                &due,
            );
        }
        let exe = std::env::current_exe().unwrap();
        let (dir, overrides) = (w.dir.path().to_owned(), w.emu.overrides_json());
        let spawn = move || {
            Command::new(&exe)
                .args(["child_scheduler_worker", "--exact", "--nocapture", "--test-threads=1"])
                .env("SB_KILL_CHILD", &dir)
                .env("SB_KILL_OVERRIDES", &overrides)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("child")
        };
        let t = Instant::now();
        drop(open_vault(w.dir.path(), Arc::new(FixedClock::new(chrono::Utc::now())), false));
        let open = t.elapsed();
        let mut kills = 0;
        let mut rng = rand::rng();
        let mut published_seen = Vec::new();
        while kills < KILLS {
            let mut child = spawn();
            tokio::time::sleep(open + Duration::from_millis(rng.random_range(10..300))).await;
            if child.try_wait().unwrap().is_some() {
                break;
            }
            child.kill().unwrap(); // SIGKILL
            child.wait().unwrap();
            kills += 1;
            published_seen.push(w.emu.published("x").unwrap().len() + w.emu.published("linkedin").unwrap().len());
        }
        assert!(kills >= 20, "publishing ended after {kills} kills; make it bigger ({published_seen:?})");
        assert!(published_seen.windows(2).any(|p| p[1] > p[0]), "no progress between kills: {published_seen:?}");
        let last = spawn.clone();
        let status = tokio::task::spawn_blocking(move || last().wait()).await.unwrap().unwrap();
        assert!(status.success(), "the last run finished");

        // Zero duplicates on the platforms: every text (posts, replies, comments) once.
        for platform in ["x", "linkedin"] {
            let posts = w.emu.published(platform).unwrap();
            let mut count: HashMap<(String, String), usize> = HashMap::new();
            for p in &posts {
                *count.entry((p.kind.clone(), p.text.clone())).or_default() += 1;
            }
            let dups: Vec<_> = count.iter().filter(|(_, n)| **n > 1).collect();
            assert!(dups.is_empty(), "{platform}: duplicates after {kills} kills: {dups:?}");
        }
        // Every target definite; published ones match a post on the platform.
        let rows = w
            .vault
            .debug_query(
                "SELECT state || '|' || platform || '|' || coalesce(remote_id, '') FROM post_targets WHERE client_id = ?1",
                &w.client_id,
            )
            .unwrap();
        assert_eq!(rows.len(), 2 * POSTS, "every target is there");
        let mut states: HashMap<String, usize> = HashMap::new();
        for row in &rows {
            let parts: Vec<&str> = row.split('|').collect();
            *states.entry(parts[0].to_owned()).or_default() += 1;
            assert!(
                matches!(parts[0], "published" | "failed" | "unconfirmed" | "missed"),
                "a target ended in {row}"
            );
            if parts[0] == "published" {
                let on_platform = w.emu.published(parts[1]).unwrap();
                assert!(on_platform.iter().any(|p| p.id == parts[2]), "published {row} is on {}", parts[1]);
            }
        }
        let posts_on_platforms = w.emu.published("x").unwrap().iter().filter(|p| p.kind == "post").count()
            + w.emu.published("linkedin").unwrap().iter().filter(|p| p.kind == "post").count();
        assert!(
            posts_on_platforms <= 2 * POSTS,
            "no target posted more than once: {posts_on_platforms} posts for {} targets",
            2 * POSTS
        );
        let report = w.vault.integrity_check().unwrap();
        assert!(report.ok, "{report:?}");
        let outcomes = w
            .vault
            .debug_query(
                "SELECT coalesce(outcome, 'open') || ':' || count(*) FROM publish_attempts WHERE ?1 = ?1 GROUP BY coalesce(outcome, 'open')",
                "x",
            )
            .unwrap();
        let failed = w
            .vault
            .debug_query(
                "SELECT platform || ': ' || coalesce(reason, '') || ': ' || coalesce(message, '') FROM post_targets WHERE state = 'failed' AND client_id = ?1",
                &w.client_id,
            )
            .unwrap();
        // No fault was injected: a target that did not end published was refused by the
        // platform as a duplicate, i.e. a lookup missed a post and it was sent twice.
        assert!(failed.is_empty(), "targets failed: {failed:?}");
        assert_eq!(states.get("published"), Some(&(2 * POSTS)), "every target published: {states:?}");
        eprintln!("{kills} kills; posts seen after each {published_seen:?}; end states {states:?}; intents {outcomes:?}");
    });
}
