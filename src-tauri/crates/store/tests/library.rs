//! The library's rows: upserts keep first-seen, re-pulls mark what vanished, search finds
//! ad copy, and one client never sees or writes another's.

mod common;

use chrono::Duration;
use switchboard_store::domain::{AccountUpsert, NewClient, ObjectUpsert};
use switchboard_store::Origin;

fn object(level: &str, id: &str, parent: Option<&str>, name: &str, copy: &str) -> ObjectUpsert {
    ObjectUpsert {
        level: level.into(),
        native_level: match level {
            "ad_group" => "ad set".into(),
            other => other.into(),
        },
        external_id: id.into(),
        parent_external_id: parent.map(Into::into),
        name: name.into(),
        status: "active".into(),
        search_text: copy.into(),
        raw_json: "{}".into(),
        ..Default::default()
    }
}

#[test]
fn upserts_mark_removals_search_and_stay_within_their_client() {
    let dir = tempfile::tempdir().unwrap();
    let clock = common::clock();
    let v = common::open(dir.path(), clock.clone());
    let (a, b) = v
        .write(Origin::User, |w| {
            let new = |n: &str| NewClient {
                name: n.into(),
                timezone: None,
                notes: None,
            };
            Ok((
                w.create_client(new("Acme"))?.id,
                w.create_client(new("Globex"))?.id,
            ))
        })
        .unwrap();
    let account = v
        .write(Origin::Import, |w| {
            w.client(&a)?.upsert_lib_account(&AccountUpsert {
                platform: "meta".into(),
                external_id: "act_1".into(),
                name: "Acme Ads".into(),
                currency: Some("EUR".into()),
                status: "active".into(),
                raw_json: "{}".into(),
                ..Default::default()
            })
        })
        .unwrap();
    let first_pull = vec![
        object("campaign", "c1", None, "Winter Sale", ""),
        object("ad_group", "s1", Some("c1"), "Berlin 25-34", ""),
        object(
            "ad",
            "ad1",
            Some("s1"),
            "Boots carousel",
            "Warm waterproof boots for snowy streets. Shop now",
        ),
        object(
            "ad",
            "ad2",
            Some("s1"),
            "Gloves single image",
            "Knitted gloves, handmade in Portugal",
        ),
    ];
    v.write(Origin::Import, |w| {
        w.client(&a)?.upsert_lib_objects(&account, &first_pull)
    })
    .unwrap();

    // Search finds ad copy by a word prefix, ranks it, and marks the match.
    let hits = v
        .read(|r| r.client(&a)?.search_library("waterpro", 10))
        .unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].name, "Boots carousel");
    assert!(
        hits[0].snippet.contains("[waterproof]"),
        "{}",
        hits[0].snippet
    );
    // FTS syntax is neutralised, not an error.
    assert!(v
        .read(|r| r.client(&a)?.search_library("boots\" OR *", 10))
        .is_ok());
    // Another client sees nothing of it, and cannot write into it.
    assert!(v
        .read(|r| r.client(&b)?.search_library("boots", 10))
        .unwrap()
        .is_empty());
    let foreign = v.write(Origin::Import, |w| {
        w.client(&b)?.upsert_lib_objects(&account, &first_pull)
    });
    assert_eq!(foreign.unwrap_err().code(), "not_found");

    // A day later the re-pull no longer has ad2: it is marked removed, not deleted;
    // everything else keeps its first-seen time.
    let started = v.read(|r| Ok(r.clock().now())).unwrap();
    clock.advance(Duration::days(1));
    let pull_started =
        (started + Duration::days(1)).to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let second_pull: Vec<_> = first_pull
        .iter()
        .filter(|o| o.external_id != "ad2")
        .cloned()
        .collect();
    let marked = v
        .write(Origin::Import, |w| {
            let mut c = w.client(&a)?;
            c.upsert_lib_objects(&account, &second_pull)?;
            c.mark_lib_objects_removed(&account, "ad", &pull_started)
        })
        .unwrap();
    assert_eq!(marked, 1);
    let states = v
        .read(|r| r.client(&a)?.lib_object_states(&account))
        .unwrap();
    let ad2 = states.iter().find(|s| s.external_id == "ad2").unwrap();
    assert!(ad2.removed_at.is_some(), "ad2 is marked removed");
    let ad1 = states.iter().find(|s| s.external_id == "ad1").unwrap();
    assert!(ad1.removed_at.is_none());
    assert!(
        ad1.first_seen < pull_started,
        "first seen is kept across re-imports"
    );
    // Search rows follow the upserts (one per object, not duplicated).
    assert_eq!(
        v.read(|r| r.client(&a)?.search_library("boots", 10))
            .unwrap()
            .len(),
        1
    );
}
