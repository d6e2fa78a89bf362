//! The scheduler publishing through the real publishers against the emulator: X with an
//! image and a thread, LinkedIn with an image and a first comment, each out exactly once;
//! a timeout after the platform accepted (found by lookup, never posted twice); a 5xx on
//! the post call (unconfirmed, never retried); a 429 storm (retried after the reset, once).

mod common;

use common::{png, t, world, World};
use std::collections::HashMap;
use switchboard_emulator::Fault;
use switchboard_store::domain::{PostInput, TargetInput};

const NOW: &str = "2026-06-01T12:00:00Z";
const DUE: &str = "2026-06-01T11:59:00.000Z";

async fn targets(w: &World) -> (TargetInput, TargetInput) {
    let x = w.destinations(&w.x).await;
    let li = w.destinations(&w.linkedin).await;
    let org = li
        .iter()
        .find(|d| d.kind == "organization")
        .expect("the member administers an organization");
    let to = |conn: &str, d: &switchboard_platforms::publish::Destination| TargetInput {
        connection_id: conn.into(),
        destination_id: d.id.clone(),
        destination_name: d.name.clone(),
        destination_kind: d.kind.clone(),
        body: None,
    };
    (to(&w.x, &x[0]), to(&w.linkedin, org))
}

fn post(body: &str, targets: Vec<TargetInput>) -> PostInput {
    PostInput {
        brand_id: None,
        body: body.into(),
        link: None,
        first_comment: None,
        thread: Vec::new(),
        native_schedule: false,
        targets,
    }
}

async fn run(w: &World) {
    let s = w.real_scheduler();
    for _ in 0..4 {
        s.tick().await.expect("a pass");
        s.idle().await;
        w.clock.advance(chrono::Duration::seconds(5));
    }
}

#[tokio::test]
async fn x_and_linkedin_posts_with_an_image_go_out_once_with_their_thread_and_comment() {
    let w = world(t(NOW)).await;
    let (x, li) = targets(&w).await;
    let mut input = post("Winter boots are back (and warmer) #acme", vec![x, li]);
    input.thread = vec![
        "Free shipping this week".into(),
        "Shop: https://acme.example/boots".into(),
    ];
    input.first_comment = Some("Sizes 36 to 47 [all colours]".into());
    let p = w.compose(input, &[png()], DUE);
    run(&w).await;
    let p = w
        .vault
        .read(|r| r.client(&w.client_id)?.post(&p.id))
        .unwrap();
    for tg in &p.targets {
        assert_eq!(
            tg.state, "published",
            "{} published: {:?}",
            tg.platform, tg.message
        );
        assert!(
            tg.remote_url
                .as_deref()
                .is_some_and(|u| u.starts_with("https://")),
            "a post URL for {}",
            tg.platform
        );
        // The X target has a thread; LinkedIn has no threads, so the thread is X-only and
        // the first comment LinkedIn-only (X has no comments: the note says so or it is skipped).
    }
    let xs = w.emu.published("x").unwrap();
    let main: Vec<_> = xs.iter().filter(|p| p.kind == "post").collect();
    assert_eq!(main.len(), 1, "one X post: {xs:?}");
    assert_eq!(main[0].media.len(), 1, "with its image");
    let replies: Vec<_> = xs.iter().filter(|p| p.kind == "reply").collect();
    assert_eq!(replies.len(), 2, "the two thread parts as replies");
    assert_eq!(
        replies[0].reply_to.as_deref(),
        Some(main[0].id.as_str()),
        "part 2 answers the post"
    );
    assert_eq!(
        replies[1].reply_to.as_deref(),
        Some(replies[0].id.as_str()),
        "part 3 answers part 2"
    );
    let lis = w.emu.published("linkedin").unwrap();
    let li_posts: Vec<_> = lis.iter().filter(|p| p.kind == "post").collect();
    assert_eq!(li_posts.len(), 1, "one LinkedIn post: {lis:?}");
    assert!(
        li_posts[0].text.contains("\\(and warmer\\) \\#acme"),
        "LinkedIn text escaped: {}",
        li_posts[0].text
    );
    assert_eq!(li_posts[0].media.len(), 1, "with its image");
    let comments: Vec<_> = lis.iter().filter(|p| p.kind == "comment").collect();
    assert_eq!(comments.len(), 1, "the first comment");
    assert_eq!(
        comments[0].reply_to.as_deref(),
        Some(li_posts[0].id.as_str()),
        "on the post"
    );
    let x_target = p.targets.iter().find(|t| t.platform == "x").unwrap();
    assert_eq!(
        x_target.remote_id.as_deref(),
        Some(main[0].id.as_str()),
        "the remote id is the platform's"
    );
}

#[tokio::test]
async fn a_timeout_after_the_platform_accepted_is_found_and_never_posted_twice() {
    let w = world(t(NOW)).await;
    let (x, _) = targets(&w).await;
    w.emu
        .inject("x", Fault::PublishAcceptThenTimeout(1))
        .unwrap();
    let p = w.compose(
        post("accepted, then the answer was lost", vec![x]),
        &[],
        DUE,
    );
    run(&w).await;
    let tg = &w
        .vault
        .read(|r| r.client(&w.client_id)?.post(&p.id))
        .unwrap()
        .targets[0];
    let posts = w.emu.published("x").unwrap();
    assert_eq!(posts.len(), 1, "exactly one post on X: {posts:?}");
    assert_eq!(tg.state, "published", "found by lookup: {:?}", tg.message);
    assert_eq!(
        tg.remote_id.as_deref(),
        Some(posts[0].id.as_str()),
        "the found post's id"
    );
    let attempts = w
        .vault
        .debug_query(
            "SELECT outcome FROM publish_attempts WHERE target_id = ?1",
            &tg.id,
        )
        .unwrap();
    assert_eq!(
        attempts,
        vec!["found"],
        "one post call, settled by the lookup"
    );
}

#[tokio::test]
async fn a_server_error_on_the_post_call_is_unconfirmed_and_never_retried() {
    let w = world(t(NOW)).await;
    let (_, li) = targets(&w).await;
    w.emu
        .inject("linkedin", Fault::PublishServerError(5))
        .unwrap();
    let p = w.compose(post("the platform answered 500", vec![li]), &[], DUE);
    run(&w).await;
    let tg = &w
        .vault
        .read(|r| r.client(&w.client_id)?.post(&p.id))
        .unwrap()
        .targets[0];
    assert_eq!(
        tg.state, "unconfirmed",
        "a 5xx on the post call may have published: {:?}",
        tg.message
    );
    assert!(
        w.emu.published("linkedin").unwrap().is_empty(),
        "nothing is there"
    );
    let calls = w.emu.stats("linkedin").unwrap().publish_requests;
    assert_eq!(
        calls.get("posts_create").copied().unwrap_or(0),
        1,
        "the post call was made once: {calls:?}"
    );
}

#[tokio::test]
async fn a_rate_limit_storm_is_retried_after_the_reset_and_everything_is_accounted_for() {
    // The platform's reset is an epoch time on its (the real) clock: this test runs at the
    // real time so the two agree.
    let now = chrono::Utc::now();
    let due =
        (now - chrono::Duration::minutes(1)).to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let w = world(now).await;
    let (x, li) = targets(&w).await;
    w.emu
        .inject(
            "x",
            Fault::PublishRateLimited {
                calls: 3,
                reset_secs: 30,
            },
        )
        .unwrap();
    w.emu
        .inject(
            "linkedin",
            Fault::PublishRateLimited {
                calls: 2,
                reset_secs: 30,
            },
        )
        .unwrap();
    let mut ids = Vec::new();
    for i in 0..6 {
        let p = w.compose(
            post(&format!("storm post {i}"), vec![x.clone(), li.clone()]),
            &[],
            &due,
        );
        ids.push(p.id);
    }
    let s = w.real_scheduler();
    for _ in 0..12 {
        s.tick().await.unwrap();
        s.idle().await;
        w.clock.advance(chrono::Duration::seconds(20));
    }
    let mut states: HashMap<String, usize> = HashMap::new();
    for id in &ids {
        for tg in w
            .vault
            .read(|r| r.client(&w.client_id)?.post(id))
            .unwrap()
            .targets
        {
            *states.entry(tg.state).or_default() += 1;
        }
    }
    assert_eq!(
        states.get("published"),
        Some(&12),
        "every target published in the end: {states:?}"
    );
    for platform in ["x", "linkedin"] {
        let posts = w.emu.published(platform).unwrap();
        let mut texts: Vec<_> = posts.iter().map(|p| p.text.clone()).collect();
        texts.sort();
        texts.dedup();
        assert_eq!(posts.len(), 6, "{platform}: six posts: {texts:?}");
        assert_eq!(texts.len(), 6, "{platform}: no duplicates");
    }
    for (platform, refused) in [("x", 3u64), ("linkedin", 2)] {
        let faults = w.emu.stats(platform).unwrap().publish_faults;
        assert_eq!(
            u64::from(faults),
            refused,
            "{platform}: the refused calls, each retried: {faults:?}"
        );
    }
    let attempts = w
        .vault
        .debug_query(
            "SELECT max(attempts) FROM post_targets WHERE client_id = ?1",
            &w.client_id,
        )
        .unwrap();
    assert_eq!(attempts, vec!["1"], "refusals spent no tries");
}
