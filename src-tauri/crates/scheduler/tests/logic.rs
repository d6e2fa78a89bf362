//! The scheduler's rules with a fixed clock: due times in a zone across DST, the staleness
//! window, clock jumps both ways, sleep and resume, two schedulers on one vault, and each
//! failure class (what is retried, what is never retried), crash recovery from intents.

mod common;

use chrono::Duration;
use common::{t, world, FakePlatform, Script};
use std::sync::Arc;
use switchboard_platforms::publish::FailureClass;
use switchboard_store::Origin;

async fn pass(s: &Arc<switchboard_scheduler::Scheduler>) -> switchboard_scheduler::TickReport {
    let r = s.tick().await.expect("a pass");
    s.idle().await;
    r
}

#[tokio::test]
async fn a_post_goes_out_at_its_wall_clock_time_in_the_clients_zone_across_dst() {
    // New York leaves DST on 2026-11-01: 09:00 on Oct 31 is 13:00Z, on Nov 2 14:00Z.
    let w = world(t("2026-10-31T12:00:00Z")).await;
    let fake = FakePlatform::new();
    let s = w.scheduler(fake.clone());
    let before = w.schedule("before the change", "2026-10-31T09:00");
    let after = w.schedule("after the change", "2026-11-02T09:00");
    assert_eq!(
        w.target(&before).due_at.as_deref(),
        Some("2026-10-31T13:00:00.000Z"),
        "EDT 09:00"
    );
    assert_eq!(
        w.target(&after).due_at.as_deref(),
        Some("2026-11-02T14:00:00.000Z"),
        "EST 09:00"
    );

    w.clock.set(t("2026-10-31T12:59:59Z"));
    assert_eq!(pass(&s).await.claimed, 0, "nothing is due a second early");
    w.clock.set(t("2026-10-31T13:00:00Z"));
    assert_eq!(pass(&s).await.claimed, 1, "due at 09:00 EDT");
    assert_eq!(w.target(&before).state, "published", "the first went out");
    w.clock.set(t("2026-11-02T13:59:00Z"));
    assert_eq!(pass(&s).await.claimed, 0, "08:59 EST is not 09:00");
    w.clock.set(t("2026-11-02T14:00:10Z"));
    pass(&s).await;
    assert_eq!(
        w.target(&after).state,
        "published",
        "the second went out at 09:00 EST"
    );
    assert_eq!(fake.count(), 2, "each post published once");
}

#[tokio::test]
async fn a_target_overdue_beyond_the_window_is_missed_not_published() {
    let w = world(t("2026-06-01T12:00:00Z")).await;
    let fake = FakePlatform::new();
    let s = w.scheduler(fake.clone());
    let late_ok = w.schedule("1h late: still goes", "2026-06-01T07:00"); // 11:00Z
    let too_late = w.schedule("3h late: missed", "2026-06-01T05:00"); // 09:00Z
    let events = Arc::new(std::sync::Mutex::new(Vec::new()));
    let ev = events.clone();
    s.on_event(move |e| {
        ev.lock()
            .unwrap()
            .push((e.target_id.clone(), e.state.clone()))
    });
    let r = pass(&s).await;
    assert_eq!((r.missed, r.claimed), (1, 1), "one missed, one published");
    assert_eq!(
        w.target(&late_ok).state,
        "published",
        "1 h late is inside the 2 h window"
    );
    let missed = w.target(&too_late);
    assert_eq!(missed.state, "missed", "3 h late is outside the window");
    assert!(
        missed
            .message
            .unwrap()
            .contains("Publish now or reschedule"),
        "the user is asked"
    );
    assert_eq!(fake.count(), 1, "the missed one was never sent");
    let events = events.lock().unwrap();
    assert!(
        events.contains(&(too_late.clone(), "missed".into())),
        "a missed event was emitted: {events:?}"
    );
    assert!(
        events.contains(&(late_ok.clone(), "published".into())),
        "a published event was emitted"
    );
}

#[tokio::test]
async fn a_clock_jump_forward_by_days_publishes_nothing_and_misses_everything() {
    let w = world(t("2026-06-01T12:00:00Z")).await;
    let fake = FakePlatform::new();
    let s = w.scheduler(fake.clone());
    for i in 0..40 {
        w.schedule(
            &format!("post {i}"),
            &format!("2026-06-0{}T{:02}:00", 2 + i % 3, 8 + i % 10),
        );
    }
    pass(&s).await;
    assert_eq!(fake.count(), 0, "nothing is due yet");
    w.clock.advance(Duration::days(6));
    let r = pass(&s).await;
    assert_eq!(fake.count(), 0, "a jump of days publishes nothing");
    assert_eq!(r.missed, 40, "every overdue target is missed");
    assert_eq!(w.states().get("missed"), Some(&40), "all 40 are missed");
}

#[tokio::test]
async fn a_clock_going_back_never_publishes_twice() {
    let w = world(t("2026-06-01T12:00:00Z")).await;
    let fake = FakePlatform::new();
    let s = w.scheduler(fake.clone());
    let first = w.schedule("first", "2026-06-01T09:00"); // 13:00Z
    let second = w.schedule("second", "2026-06-01T09:30"); // 13:30Z
    w.clock.set(t("2026-06-01T13:00:01Z"));
    pass(&s).await;
    assert_eq!(w.target(&first).state, "published", "the first is out");
    w.clock.set(t("2026-06-01T12:00:00Z"));
    pass(&s).await;
    assert_eq!(fake.count(), 1, "going back an hour republishes nothing");
    assert_eq!(
        w.target(&second).state,
        "scheduled",
        "the second waits for its time"
    );
    w.clock.set(t("2026-06-01T13:30:00Z"));
    pass(&s).await;
    assert_eq!(fake.count_for(&first), 1, "the first still once");
    assert_eq!(fake.count_for(&second), 1, "the second once, at its time");
}

#[tokio::test]
async fn after_a_sleep_inside_the_window_posts_go_out_and_after_a_long_sleep_they_are_missed() {
    let w = world(t("2026-06-01T12:58:00Z")).await;
    let fake = FakePlatform::new();
    let s = w.scheduler(fake.clone());
    let a = w.schedule("a", "2026-06-01T09:00"); // 13:00Z
    let b = w.schedule("b", "2026-06-01T09:30"); // 13:30Z
    let c = w.schedule("c", "2026-06-01T12:00"); // 16:00Z
    pass(&s).await;
    // The laptop sleeps 12:58 → 13:41 (43 minutes), then wakes.
    w.clock.set(t("2026-06-01T13:41:00Z"));
    s.wake();
    pass(&s).await;
    assert_eq!(
        w.target(&a).state,
        "published",
        "41 minutes late, inside the window"
    );
    assert_eq!(w.target(&b).state, "published", "11 minutes late");
    // Then it sleeps overnight.
    w.clock.set(t("2026-06-02T08:00:00Z"));
    pass(&s).await;
    assert_eq!(w.target(&c).state, "missed", "16 hours late is missed");
    assert_eq!(fake.count(), 2, "only the two in the window went out");
}

#[tokio::test]
async fn two_schedulers_on_one_vault_never_both_publish_a_target() {
    let w = world(t("2026-06-01T12:00:00Z")).await;
    let fake = FakePlatform::new();
    let s1 = w.scheduler(fake.clone());
    let s2 = w.scheduler(fake.clone());
    let mut ids = Vec::new();
    for i in 0..150 {
        ids.push(w.schedule(&format!("race {i}"), "2026-06-01T08:00"));
    }
    let (r1, r2) = tokio::join!(s1.tick(), s2.tick());
    s1.idle().await;
    s2.idle().await;
    let (r1, r2) = (r1.unwrap(), r2.unwrap());
    assert_eq!(
        r1.claimed + r2.claimed,
        150,
        "every target claimed exactly once between them"
    );
    for id in &ids {
        assert_eq!(fake.count_for(id), 1, "target {id} published once");
    }
    assert_eq!(w.states().get("published"), Some(&150), "all published");
}

#[tokio::test]
async fn a_rate_limit_on_the_post_call_is_retried_after_the_platforms_reset() {
    let w = world(t("2026-06-01T12:00:00Z")).await;
    let fake = FakePlatform::new();
    fake.script(
        "post",
        Script::Fail(
            FailureClass::RateLimited,
            Some(std::time::Duration::from_secs(900)),
        ),
    );
    let s = w.scheduler(fake.clone());
    let id = w.schedule("rate limited once", "2026-06-01T08:00");
    pass(&s).await;
    let tg = w.target(&id);
    assert_eq!(
        tg.state, "scheduled",
        "a 429 refused the request: back in the queue"
    );
    assert_eq!(tg.reason.as_deref(), Some("rate_limited"));
    let next: chrono::DateTime<chrono::Utc> = tg.next_at.unwrap().parse().unwrap();
    assert!(
        next >= t("2026-06-01T12:15:00Z"),
        "the retry honours the 15-minute reset: {next}"
    );
    w.clock.set(t("2026-06-01T12:10:00Z"));
    pass(&s).await;
    assert_eq!(fake.count(), 0, "not before the reset");
    w.clock.set(next);
    pass(&s).await;
    assert_eq!(
        w.target(&id).state,
        "published",
        "published after the reset"
    );
    assert_eq!(fake.count(), 1, "once");
}

#[tokio::test]
async fn an_uncertain_answer_to_the_post_call_is_unconfirmed_and_never_retried() {
    let w = world(t("2026-06-01T12:00:00Z")).await;
    let fake = FakePlatform::new();
    *fake.lookups_unavailable.lock().unwrap() = true;
    fake.script("post", Script::AcceptThenLose);
    let s = w.scheduler(fake.clone());
    let id = w.schedule("accepted, answer lost", "2026-06-01T08:00");
    pass(&s).await;
    let tg = w.target(&id);
    assert_eq!(tg.state, "unconfirmed", "the platform may have published");
    assert!(
        tg.message.unwrap().contains("Check the account"),
        "the user is told what to do"
    );
    for _ in 0..3 {
        w.clock.advance(Duration::minutes(10));
        pass(&s).await;
    }
    assert_eq!(fake.count(), 1, "never posted twice");
    assert_eq!(
        fake.calls
            .lock()
            .unwrap()
            .iter()
            .filter(|k| *k == "post")
            .count(),
        1,
        "the post call was made once"
    );
}

#[tokio::test]
async fn an_uncertain_answer_is_settled_when_the_platform_shows_the_post() {
    let w = world(t("2026-06-01T12:00:00Z")).await;
    let fake = FakePlatform::new();
    fake.script("post", Script::AcceptThenLose);
    let s = w.scheduler(fake.clone());
    let id = w.schedule("accepted, answer lost, then found", "2026-06-01T08:00");
    pass(&s).await;
    let tg = w.target(&id);
    assert_eq!(tg.state, "published", "the lookup found it");
    assert!(
        tg.remote_id.is_some(),
        "with the remote id from the platform"
    );
    assert_eq!(fake.count(), 1, "once");
}

#[tokio::test]
async fn failures_before_the_post_call_are_retried_and_content_errors_fail_with_the_platforms_message(
) {
    let w = world(t("2026-06-01T12:00:00Z")).await;
    let fake = FakePlatform::new();
    fake.script("post", Script::Fail(FailureClass::NotSent, None));
    fake.script("post", Script::Fail(FailureClass::Rejected, None));
    let s = w.scheduler(fake.clone());
    let id = w.schedule("network down, then rejected", "2026-06-01T08:00");
    pass(&s).await;
    assert_eq!(
        w.target(&id).state,
        "scheduled",
        "nothing was sent: retried later"
    );
    w.clock.advance(Duration::minutes(5));
    pass(&s).await;
    let tg = w.target(&id);
    assert_eq!(tg.state, "failed", "a rejected post fails");
    assert_eq!(tg.reason.as_deref(), Some("rejected"));
    assert!(
        tg.message.unwrap().contains("scripted Rejected"),
        "the platform's message is kept"
    );
    assert_eq!(fake.count(), 0, "nothing was published");
}

#[tokio::test]
async fn retries_stop_after_the_limit() {
    let w = world(t("2026-06-01T12:00:00Z")).await;
    let fake = FakePlatform::new();
    for _ in 0..10 {
        fake.script("post", Script::Fail(FailureClass::NotSent, None));
    }
    let s = w.scheduler(fake.clone());
    let id = w.schedule("never reachable", "2026-06-01T08:00");
    for _ in 0..10 {
        pass(&s).await;
        w.clock.advance(Duration::minutes(2));
    }
    let tg = w.target(&id);
    assert_eq!(tg.state, "failed", "gave up");
    assert!(
        tg.message.unwrap().starts_with("gave up after 6 tries"),
        "says how many tries"
    );
}

#[tokio::test]
async fn rate_limits_do_not_spend_tries_and_hold_the_whole_account() {
    let w = world(t("2026-06-01T12:00:00Z")).await;
    let fake = FakePlatform::new();
    for _ in 0..8 {
        fake.script(
            "post",
            Script::Fail(
                FailureClass::RateLimited,
                Some(std::time::Duration::from_secs(60)),
            ),
        );
    }
    let s = w.scheduler(fake.clone());
    let first = w.schedule("limited eight times", "2026-06-01T08:00");
    for _ in 0..8 {
        pass(&s).await;
        w.clock.advance(Duration::seconds(61));
    }
    pass(&s).await;
    let tg = w.target(&first);
    assert_eq!(
        tg.state, "published",
        "eight refusals, then out: {:?}",
        tg.message
    );
    assert_eq!(tg.attempts, 1, "refusals spend no tries");
    // While the account waits, its other targets wait with it instead of being refused.
    fake.script(
        "post",
        Script::Fail(
            FailureClass::RateLimited,
            Some(std::time::Duration::from_secs(600)),
        ),
    );
    let a = w.schedule("a", "2026-06-01T08:00");
    pass(&s).await;
    let b = w.schedule("b", "2026-06-01T08:00");
    let calls_before = fake.calls.lock().unwrap().len();
    pass(&s).await;
    assert_eq!(
        fake.calls.lock().unwrap().len(),
        calls_before,
        "b was not sent while the account waits"
    );
    let (ta, tb) = (w.target(&a), w.target(&b));
    assert_eq!(tb.state, "scheduled", "b waits");
    assert!(ta.next_at.is_some(), "a waits for the reset");
    assert_eq!(
        tb.next_at, ta.next_at,
        "b waits exactly until the account's reset"
    );
    assert_eq!(tb.attempts, 0, "waiting spent no try");
}

#[tokio::test]
async fn a_failed_follow_up_leaves_the_post_published_with_a_note() {
    let w = world(t("2026-06-01T12:00:00Z")).await;
    let fake = FakePlatform::new();
    fake.script("thread:1", Script::Fail(FailureClass::Rejected, None));
    let s = w.scheduler(fake.clone());
    let id = w.schedule("a thread", "2026-06-01T08:00");
    let post_id = w.target(&id).post_id;
    w.vault
        .write(Origin::User, |wr| {
            let mut c = wr.client(&w.client_id)?;
            c.save_post(
                Some(&post_id),
                &switchboard_store::domain::PostInput {
                    brand_id: None,
                    body: "a thread".into(),
                    link: None,
                    first_comment: None,
                    thread: vec!["part 2".into(), "part 3".into()],
                    native_schedule: false,
                    targets: vec![switchboard_store::domain::TargetInput {
                        connection_id: w.x.clone(),
                        destination_id: "emu-x-user-1".into(),
                        destination_name: None,
                        destination_kind: "user".into(),
                        body: None,
                    }],
                },
            )
        })
        .unwrap();
    pass(&s).await;
    let tg = w.target(&id);
    assert_eq!(tg.state, "published", "the post itself went out");
    assert!(
        tg.note.unwrap().contains("thread part 2 was not posted"),
        "the note says which part failed"
    );
}

#[tokio::test]
async fn after_a_crash_an_open_intent_is_looked_up_and_settled_or_left_unconfirmed() {
    let w = world(t("2026-06-01T12:00:00Z")).await;
    let fake = FakePlatform::new();
    let found = w.schedule("crashed after the platform accepted", "2026-06-01T08:00");
    let unknown = w.schedule("crashed, platform cannot tell", "2026-06-01T08:00");
    let never_sent = w.schedule("crashed before the call", "2026-06-01T08:00");
    {
        // A scheduler claims all three, writes intents for two, and dies.
        let dead = w.scheduler(fake.clone());
        let now = "2026-06-01T12:00:00.000Z";
        w.vault
            .write(Origin::Scheduler, |wr| {
                for id in [&found, &unknown, &never_sent] {
                    assert!(wr.claim_target(id, dead.id(), now)?, "claimed");
                }
                wr.begin_attempt(&found, "post", "post", dead.id())?;
                wr.begin_attempt(&unknown, "post", "post", dead.id())?;
                Ok(())
            })
            .unwrap();
        fake.hold(
            &found,
            "crashed after the platform accepted",
            t("2026-06-01T12:00:00Z"),
        );
    }
    let fake2 = FakePlatform::new();
    // The new process's platform view: `found` is on the platform, `unknown` cannot be
    // looked up (a separate fake whose lookups are off answers for it below).
    fake2.hold(
        &found,
        "crashed after the platform accepted",
        t("2026-06-01T12:00:00Z"),
    );
    let s = w.scheduler(fake2.clone());
    let r = pass(&s).await;
    assert_eq!(r.recovered, 3, "all three adopted from the dead scheduler");
    assert_eq!(
        w.target(&found).state,
        "published",
        "found on the platform → published"
    );
    assert_eq!(fake2.count_for(&found), 1, "and not posted again");
    assert_eq!(
        w.target(&never_sent).state,
        "published",
        "no intent → safely published now"
    );
    // `unknown` had an intent and the platform has no such post: NotFound → it was safe
    // to publish, and it was published once.
    assert_eq!(
        fake2.count_for(&unknown),
        1,
        "published once after a definite 'not there'"
    );

    // The same crash where the platform cannot be asked → unconfirmed.
    let stuck = w.schedule("crashed, no lookup", "2026-06-01T08:00");
    let fake3 = FakePlatform::new();
    *fake3.lookups_unavailable.lock().unwrap() = true;
    {
        let dead = w.scheduler(fake3.clone());
        w.vault
            .write(Origin::Scheduler, |wr| {
                wr.claim_target(&stuck, dead.id(), "2026-06-01T12:00:00.000Z")?;
                wr.begin_attempt(&stuck, "post", "post", dead.id())?;
                Ok(())
            })
            .unwrap();
    }
    let s3 = w.scheduler(fake3.clone());
    pass(&s3).await;
    let tg = w.target(&stuck);
    assert_eq!(
        tg.state, "unconfirmed",
        "no answer from the platform → unconfirmed"
    );
    assert_eq!(fake3.count(), 0, "and nothing was posted");
}

#[tokio::test]
async fn a_live_schedulers_targets_are_not_taken_over() {
    let w = world(t("2026-06-01T12:00:00Z")).await;
    let fake = FakePlatform::new();
    let alive = w.scheduler(fake.clone());
    let id = w.schedule("held by a live scheduler", "2026-06-01T08:00");
    w.vault
        .write(Origin::Scheduler, |wr| {
            wr.claim_target(&id, alive.id(), "2026-06-01T12:00:00.000Z")
        })
        .unwrap();
    let other = w.scheduler(fake.clone());
    let r = pass(&other).await;
    assert_eq!(r.recovered, 0, "the claimer holds its lock: not recovered");
    assert_eq!(w.target(&id).state, "publishing", "left to its scheduler");
    drop(alive);
}

#[tokio::test]
async fn a_removed_connection_fails_fast_as_reconnect_needed() {
    let w = world(t("2026-06-01T12:00:00Z")).await;
    let fake = FakePlatform::new();
    let s = w.scheduler(fake.clone());
    let id = w.schedule("no connection", "2026-06-01T08:00");
    w.connector.disconnect(&w.x).await.expect("disconnect");
    pass(&s).await;
    let tg = w.target(&id);
    assert_eq!(tg.state, "failed", "fails at once");
    assert_eq!(tg.reason.as_deref(), Some("reconnect"), "reconnect needed");
    assert_eq!(fake.count(), 0, "nothing sent");
}
