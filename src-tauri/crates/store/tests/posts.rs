//! Posts and targets in the vault: tenant isolation, media bytes stored once and removed
//! with their last user, state rules (what a person may still change), and the scheduler's
//! conditional writes (claim, finish only by the claimer, intents).

mod common;

use secrecy::SecretString;
use switchboard_store::domain::*;
use switchboard_store::*;

fn input(connection: &str, body: &str) -> PostInput {
    PostInput {
        brand_id: None,
        body: body.into(),
        link: Some("https://acme.example/winter".into()),
        first_comment: None,
        thread: vec!["part two".into()],
        native_schedule: false,
        targets: vec![TargetInput {
            connection_id: connection.into(),
            destination_id: "urn:li:organization:1".into(),
            destination_name: Some("Acme".into()),
            destination_kind: "organization".into(),
            body: None,
        }],
    }
}

fn due(at: &str) -> Due {
    Due {
        at: at.into(),
        zone: "Europe/Paris".into(),
        wall_time: "2026-11-23T09:00".into(),
    }
}

fn setup(v: &Vault) -> (String, String, String, String) {
    v.write(Origin::User, |w| {
        let app = w.create_app_credential(
            "linkedin",
            AppCredentialInput {
                client_id: Some("app".into()),
                ..Default::default()
            },
        )?;
        let mut ids = Vec::new();
        for (name, conn) in [("Acme", "conn-a"), ("Globex", "conn-b")] {
            let c = w.create_client(NewClient {
                name: name.into(),
                timezone: Some("Europe/Paris".into()),
                notes: None,
            })?;
            w.save_connection(
                &NewConnection {
                    id: conn,
                    client_id: &c.id,
                    brand_id: None,
                    platform: "linkedin",
                    app_credential_id: &app.id,
                    account_id: None,
                    account_name: None,
                    capabilities: &[],
                    scopes_requested: &[],
                    redirect_uri: "http://127.0.0.1:47615/callback/linkedin",
                },
                &StoredTokens {
                    access_token: SecretString::from("CANARY-token".to_owned()),
                    refresh_token: None,
                    id_token: None,
                    expires_at: None,
                    refresh_expires_at: None,
                    scopes_granted: None,
                    extra: "{}".into(),
                    version: 0,
                },
            )?;
            ids.push(c.id);
        }
        Ok((
            ids[0].clone(),
            ids[1].clone(),
            "conn-a".into(),
            "conn-b".into(),
        ))
    })
    .unwrap()
}

#[test]
fn posts_stay_within_their_client() {
    let dir = tempfile::tempdir().unwrap();
    let v = common::open(dir.path(), common::clock());
    let (a, b, conn_a, conn_b) = setup(&v);
    let post = v
        .write(Origin::User, |w| {
            w.client(&a)?
                .save_post(None, &input(&conn_a, "Acme winter"))
        })
        .unwrap();
    assert_eq!(post.targets.len(), 1, "one target");
    assert_eq!(post.targets[0].state, "draft", "a new post is a draft");
    assert_eq!(post.zone, "Europe/Paris", "the client's zone by default");

    let other = v.read(|r| r.client(&b)?.post(&post.id));
    assert!(
        matches!(other, Err(StoreError::NotFound { .. })),
        "client B cannot read A's post: {other:?}"
    );
    let other = v.write(Origin::User, |w| w.client(&b)?.cancel_post(&post.id));
    assert!(other.is_err(), "client B cannot cancel A's post");
    let cross = v.write(Origin::User, |w| {
        w.client(&b)?.save_post(None, &input(&conn_a, "sneaky"))
    });
    assert!(
        matches!(cross, Err(StoreError::NotFound { .. })),
        "client B cannot publish through A's connection: {cross:?}"
    );
    let listed = v
        .read(|r| {
            r.client(&b)?.posts(
                &PostFilter {
                    include_unscheduled: true,
                    ..Default::default()
                },
                100,
            )
        })
        .unwrap();
    assert!(listed.is_empty(), "B lists none of A's posts");
    let mine = v
        .write(Origin::User, |w| {
            w.client(&b)?.save_post(None, &input(&conn_b, "Globex"))
        })
        .unwrap();
    assert_ne!(mine.id, post.id, "B has its own post");
}

#[test]
fn media_bytes_are_stored_once_and_go_with_their_last_post() {
    let dir = tempfile::tempdir().unwrap();
    let v = common::open(dir.path(), common::clock());
    let (a, _, conn_a, _) = setup(&v);
    let bytes = vec![7u8; 600 * 1024];
    let sha = "ab".repeat(32);
    let (p1, p2) = v
        .write(Origin::User, |w| {
            let mut c = w.client(&a)?;
            let p1 = c.save_post(None, &input(&conn_a, "one"))?;
            let p2 = c.save_post(None, &input(&conn_a, "two"))?;
            for p in [&p1, &p2] {
                c.add_post_media(
                    &p.id,
                    BlobIn {
                        sha256: &sha,
                        mime: "image/png",
                        bytes: &bytes,
                    },
                    "boots.png",
                    Some("Boots"),
                    "file",
                )?;
            }
            Ok((p1.id, p2.id))
        })
        .unwrap();
    let blobs = v
        .debug_query("SELECT count(*) FROM blobs WHERE ?1 = ?1", "x")
        .unwrap();
    assert_eq!(blobs, vec!["1"], "identical media stored once");
    let back = v.read(|r| r.blob_bytes(&sha)).unwrap();
    assert_eq!(back, bytes, "the bytes read back whole across chunks");
    assert_eq!(
        v.read(|r| r.orphan_blob_count()).unwrap(),
        0,
        "post media are not orphans"
    );
    v.write(Origin::User, |w| w.client(&a)?.delete_post(&p1))
        .unwrap();
    let blobs = v
        .debug_query("SELECT count(*) FROM blobs WHERE ?1 = ?1", "x")
        .unwrap();
    assert_eq!(blobs, vec!["1"], "still used by the second post");
    v.write(Origin::User, |w| w.client(&a)?.delete_post(&p2))
        .unwrap();
    let left = v
        .debug_query("SELECT (SELECT count(*) FROM blobs) + (SELECT count(*) FROM blob_chunks) WHERE ?1 = ?1", "x")
        .unwrap();
    assert_eq!(left, vec!["0"], "bytes and chunks gone with the last post");
}

#[test]
fn only_the_claiming_scheduler_can_end_a_target_and_published_ones_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    let v = common::open(dir.path(), common::clock());
    let (a, _, conn_a, _) = setup(&v);
    let post = v
        .write(Origin::User, |w| {
            let mut c = w.client(&a)?;
            let p = c.save_post(None, &input(&conn_a, "claim me"))?;
            c.schedule_post(&p.id, &due("2026-11-23T08:00:00.000Z"))
        })
        .unwrap();
    let target = post.targets[0].id.clone();
    assert_eq!(post.targets[0].state, "scheduled");
    let early = v
        .write(Origin::Scheduler, |w| {
            w.claim_target(&target, "s1", "2026-11-23T07:59:59.000Z")
        })
        .unwrap();
    assert!(!early, "not claimable before it is due");
    let now = "2026-11-23T08:00:00.000Z";
    assert!(
        v.write(Origin::Scheduler, |w| w.claim_target(&target, "s1", now))
            .unwrap(),
        "s1 wins"
    );
    assert!(
        !v.write(Origin::Scheduler, |w| w.claim_target(&target, "s2", now))
            .unwrap(),
        "s2 cannot claim it again"
    );
    let end = TargetEnd {
        state: "published",
        remote_id: Some("urn:li:share:9"),
        remote_url: None,
        reason: None,
        message: None,
        note: None,
    };
    assert!(
        v.write(Origin::Scheduler, |w| w.finish_target(&target, "s2", &end))
            .is_err(),
        "s2 cannot end s1's target"
    );
    let busy = v.write(Origin::User, |w| w.client(&a)?.cancel_post(&post.id));
    assert!(
        matches!(busy, Err(StoreError::Conflict(_))),
        "a person cannot change a post while it publishes"
    );
    let ev = v
        .write(Origin::Scheduler, |w| w.finish_target(&target, "s1", &end))
        .unwrap();
    assert_eq!(ev.state, "published", "s1 ends it");
    let again = v.write(Origin::User, |w| {
        w.client(&a)?
            .schedule_post(&post.id, &due("2026-11-24T08:00:00.000Z"))
    });
    assert!(
        matches!(again, Err(StoreError::Conflict(_))),
        "a published target is never scheduled again: {again:?}"
    );
    let kept = v
        .write(Origin::User, |w| {
            w.client(&a)?.save_post(
                Some(&post.id),
                &PostInput {
                    targets: vec![],
                    ..input(&conn_a, "x")
                },
            )
        })
        .err();
    assert!(kept.is_some(), "a post needs at least one target");
}

#[test]
fn an_unconfirmed_target_is_settled_by_a_person() {
    let dir = tempfile::tempdir().unwrap();
    let v = common::open(dir.path(), common::clock());
    let (a, _, conn_a, _) = setup(&v);
    let post = v
        .write(Origin::User, |w| {
            let mut c = w.client(&a)?;
            let p = c.save_post(None, &input(&conn_a, "did it go out?"))?;
            c.schedule_post(&p.id, &due("2026-11-21T08:00:00.000Z"))
        })
        .unwrap();
    let target = post.targets[0].id.clone();
    v.write(Origin::Scheduler, |w| {
        w.claim_target(&target, "s1", "2026-11-21T09:00:00.000Z")?;
        w.begin_attempt(&target, "post", "post", "s1")?;
        w.finish_target(
            &target,
            "s1",
            &TargetEnd {
                state: "unconfirmed",
                remote_id: None,
                remote_url: None,
                reason: Some("uncertain"),
                message: Some("check"),
                note: None,
            },
        )
    })
    .unwrap();
    assert_eq!(
        v.read(|r| r.targets_needing_attention()).unwrap(),
        1,
        "it needs attention"
    );
    let not_there = v
        .write(Origin::User, |w| {
            w.client(&a)?.resolve_unconfirmed(&target, false, None)
        })
        .unwrap();
    assert_eq!(
        not_there.state, "failed",
        "not on the platform → failed, may be scheduled again"
    );
    let open = v.read(|r| r.target_work(&target)).unwrap().open_attempts;
    assert!(open.is_empty(), "the intent is closed");
    let again = v
        .write(Origin::User, |w| {
            w.client(&a)?
                .schedule_post(&post.id, &due("2026-11-22T08:00:00.000Z"))
        })
        .unwrap();
    assert_eq!(
        again.targets[0].state, "scheduled",
        "and it can be scheduled again"
    );
}
