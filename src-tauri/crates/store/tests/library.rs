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

/// New clients by name; their ids.
fn clients<const N: usize>(v: &switchboard_store::Vault, names: [&str; N]) -> [String; N] {
    v.write(Origin::User, |w| {
        let mut ids = Vec::with_capacity(N);
        for name in names {
            ids.push(
                w.create_client(NewClient {
                    name: name.into(),
                    timezone: None,
                    notes: None,
                })?
                .id,
            );
        }
        Ok(ids.try_into().expect("one id per name"))
    })
    .unwrap()
}

/// A bare active ad account of `platform` with this external id; its library id.
fn account(
    c: &mut switchboard_store::domain::ClientWrite<'_, '_>,
    platform: &str,
    external_id: &str,
    name: &str,
) -> switchboard_store::Result<String> {
    c.upsert_lib_account(&AccountUpsert {
        platform: platform.into(),
        external_id: external_id.into(),
        name: name.into(),
        status: "active".into(),
        raw_json: "{}".into(),
        ..Default::default()
    })
}

#[test]
fn upserts_mark_removals_search_and_stay_within_their_client() {
    let dir = tempfile::tempdir().unwrap();
    let clock = common::clock();
    let v = common::open(dir.path(), clock.clone());
    let [a, b] = clients(&v, ["Acme", "Globex"]);
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

/// Every page of every list, read end to end, equals the whole list filtered and sorted in
/// Rust: across sorts (index-ordered name and spend, sorted metrics), both directions,
/// status / objective / account / spend filters, removed objects in or out. The count
/// comes with the first page only.
#[test]
fn pages_of_a_filtered_sorted_list_add_up_to_the_list() {
    use switchboard_store::domain::{LibFilter, LibRow, MetricUpsert};
    let dir = tempfile::tempdir().unwrap();
    let clock = common::clock();
    let v = common::open(dir.path(), clock.clone());
    let [client] = clients(&v, ["Acme"]);
    let statuses = ["active", "paused", "archived"];
    let objectives = [Some("sales"), Some("traffic"), None];
    let mut accounts = Vec::new();
    for (n, platform) in [("act_1", "meta"), ("act_2", "meta"), ("99", "google_ads")] {
        let account = v
            .write(Origin::Import, |w| {
                account(&mut w.client(&client)?, platform, n, n)
            })
            .unwrap();
        let objects: Vec<ObjectUpsert> = (0..90)
            .map(|i| ObjectUpsert {
                status: statuses[i % 3].into(),
                objective: objectives[(i / 3) % 3].map(Into::into),
                // Repeated names and spends, so ties are ordered too.
                ..object(
                    "campaign",
                    &format!("{n}-{i}"),
                    None,
                    &format!("Campaign {}", ["b", "A", "c", "a"][i % 4]),
                    "",
                )
            })
            .collect();
        let metrics: Vec<MetricUpsert> = (0..90)
            .map(|i| MetricUpsert {
                level: "campaign".into(),
                external_id: format!("{n}-{i}"),
                date: "2026-11-01".into(),
                spend_micros: ((i * 7) % 5) as i64 * 1_000_000,
                impressions: ((i * 11) % 13) as i64,
                ..Default::default()
            })
            .collect();
        v.write(Origin::Import, |w| {
            let mut c = w.client(&client)?;
            c.upsert_lib_objects(&account, &objects)?;
            c.upsert_lib_metrics(&account, &metrics)?;
            c.refresh_lib_totals(&account)
        })
        .unwrap();
        accounts.push(account);
    }
    // A few removed in the second account.
    clock.advance(Duration::hours(1));
    let since = "2026-11-21T09:30:00.000Z";
    clock.advance(Duration::hours(1));
    v.write(Origin::Import, |w| {
        let mut c = w.client(&client)?;
        let kept: Vec<ObjectUpsert> = (10..90)
            .map(|i| ObjectUpsert {
                status: statuses[i % 3].into(),
                objective: objectives[(i / 3) % 3].map(Into::into),
                ..object(
                    "campaign",
                    &format!("act_2-{i}"),
                    None,
                    &format!("Campaign {}", ["b", "A", "c", "a"][i % 4]),
                    "",
                )
            })
            .collect();
        c.upsert_lib_objects(&accounts[1], &kept)?;
        c.refresh_lib_totals(&accounts[1])?;
        c.mark_lib_objects_removed(&accounts[1], "campaign", since)
    })
    .unwrap();

    let all: Vec<LibRow> = v
        .read(|r| {
            let c = r.client(&client)?;
            let mut rows = Vec::new();
            for offset in (0..).step_by(100) {
                let page = c.lib_objects(&LibFilter {
                    level: "campaign".into(),
                    include_removed: true,
                    offset,
                    limit: 100,
                    ..LibFilter::default()
                })?;
                if page.rows.is_empty() {
                    break;
                }
                rows.extend(page.rows);
            }
            Ok(rows)
        })
        .unwrap();
    assert_eq!(all.len(), 270);
    assert_eq!(all.iter().filter(|r| r.removed_at.is_some()).count(), 10);

    let mut checked = 0;
    for sort in ["name", "spend", "impressions", "status"] {
        for desc in [false, true] {
            for (statuses_f, objectives_f, account, min_spend, include_removed) in [
                (vec![], vec![], None, None, false),
                (vec!["active", "paused"], vec![], None, None, false),
                (vec!["active"], vec!["sales"], Some(1), None, false),
                (vec![], vec![], Some(1), Some(2_000_000), true),
                (vec!["paused"], vec![], Some(2), None, false),
            ] {
                let filter = LibFilter {
                    level: "campaign".into(),
                    statuses: statuses_f.iter().map(|s| s.to_string()).collect(),
                    objectives: objectives_f.iter().map(|s| s.to_string()).collect(),
                    account_id: account.map(|a: usize| accounts[a].clone()),
                    min_spend_micros: min_spend,
                    include_removed,
                    sort: Some(sort.into()),
                    desc,
                    ..LibFilter::default()
                };
                let mut want: Vec<&LibRow> = all
                    .iter()
                    .filter(|r| statuses_f.is_empty() || statuses_f.contains(&r.status.as_str()))
                    .filter(|r| {
                        objectives_f.is_empty()
                            || r.objective
                                .as_deref()
                                .is_some_and(|o| objectives_f.contains(&o))
                    })
                    .filter(|r| {
                        filter
                            .account_id
                            .as_ref()
                            .is_none_or(|a| &r.account_id == a)
                    })
                    .filter(|r| min_spend.is_none_or(|m| r.spend_micros >= m))
                    .filter(|r| include_removed || r.removed_at.is_none())
                    .collect();
                let key = |r: &LibRow| match sort {
                    "name" => (r.name.to_lowercase(), 0),
                    "spend" => (String::new(), r.spend_micros),
                    "impressions" => (String::new(), r.impressions),
                    _ => (r.status.clone(), 0),
                };
                let mut got: Vec<LibRow> = Vec::new();
                let mut first_total = None;
                v.read(|r| {
                    let c = r.client(&client)?;
                    for offset in (0..).step_by(7) {
                        let page = c.lib_objects(&LibFilter {
                            offset,
                            limit: 7,
                            ..filter.clone()
                        })?;
                        if offset == 0 {
                            first_total = page.total;
                        } else {
                            assert_eq!(page.total, None, "counted on a later page");
                        }
                        if page.rows.is_empty() {
                            break;
                        }
                        got.extend(page.rows);
                    }
                    Ok(())
                })
                .unwrap();
                assert_eq!(first_total, Some(want.len() as i64), "{filter:?}");
                // Sorted by the key in the asked direction; the set is exactly the filter's.
                let keys: Vec<_> = got.iter().map(key).collect();
                let mut sorted = keys.clone();
                sorted.sort();
                if desc {
                    sorted.reverse();
                }
                assert_eq!(keys, sorted, "order for {filter:?}");
                let mut got_ids: Vec<&str> = got.iter().map(|r| r.id.as_str()).collect();
                let mut want_ids: Vec<&str> = want.iter_mut().map(|r| r.id.as_str()).collect();
                assert_eq!(
                    got_ids.len(),
                    want_ids.len(),
                    "no row twice or missing: {filter:?}"
                );
                got_ids.sort();
                want_ids.sort();
                assert_eq!(got_ids, want_ids, "{filter:?}");
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 40);
}

/// A typed prefix finds words of names and ad copy, diacritics folded ("cafe" → Café), and
/// a word indexed in another client's library gives nothing here.
#[test]
fn prefix_search_expands_from_the_libraries_words() {
    use switchboard_store::domain::CreativeUpsert;
    let dir = tempfile::tempdir().unwrap();
    let v = common::open(dir.path(), common::clock());
    let [a, b] = clients(&v, ["Acme", "Globex"]);
    for (client, word) in [(&a, "Summertime"), (&b, "Sumatra")] {
        v.write(Origin::Import, |w| {
            let mut c = w.client(client)?;
            let account = account(&mut c, "meta", "act_1", "Ads")?;
            c.upsert_lib_objects(
                &account,
                &[ObjectUpsert {
                    creative_external_id: Some("cr1".into()),
                    ..object("ad", "ad1", None, &format!("{word} launch"), "")
                }],
            )?;
            c.upsert_lib_creatives(
                &account,
                &[CreativeUpsert {
                    external_id: "cr1".into(),
                    format: "image".into(),
                    headlines: vec!["Le Café Crème, déjà là".into()],
                    bodies: vec![format!("Only at {word}")],
                    raw_json: "{}".into(),
                    ..Default::default()
                }],
            )
        })
        .unwrap();
    }
    let find = |client: &str, q: &str| {
        v.read(|r| r.client(client)?.search_library(q, 10))
            .unwrap()
            .into_iter()
            .map(|h| h.name)
            .collect::<Vec<_>>()
    };
    assert_eq!(find(&a, "sum"), vec!["Summertime launch"]);
    assert_eq!(find(&a, "SUMMERT"), vec!["Summertime launch"]);
    assert_eq!(
        find(&a, "cafe cr"),
        vec!["Summertime launch"],
        "diacritics folded"
    );
    assert_eq!(find(&a, "deja"), vec!["Summertime launch"]);
    assert_eq!(find(&a, "caf"), vec!["Summertime launch"]);
    assert!(find(&a, "sumat").is_empty(), "another client's word");
    assert_eq!(find(&b, "sumat"), vec!["Sumatra launch"]);
    assert!(find(&a, "zzz").is_empty());
}

/// How many segments the full-text index has written so far (`nWriteCounter` of FTS5's
/// structure record: a 4-byte cookie, an optional 4-byte version marker, then varints for
/// the levels, the segments and the write counter).
fn search_segments_written(v: &switchboard_store::Vault) -> u64 {
    let hex = v
        .debug_query(
            "SELECT hex(block) FROM lib_search_data WHERE id = 10 AND ?1 = ''",
            "",
        )
        .unwrap()
        .pop()
        .expect("structure record");
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect();
    let mut at = if bytes.get(4..8) == Some(&[0xff, 0, 0, 1]) {
        8
    } else {
        4
    };
    let mut varint = || {
        let mut n = 0u64;
        loop {
            let b = bytes[at];
            at += 1;
            n = (n << 7) | u64::from(b & 0x7f);
            if b & 0x80 == 0 {
                return n;
            }
        }
    };
    let (_levels, _segments) = (varint(), varint());
    varint()
}

#[test]
fn a_batch_of_objects_and_creatives_adds_one_search_segment_each_and_stays_searchable() {
    use switchboard_store::domain::CreativeUpsert;
    let dir = tempfile::tempdir().unwrap();
    let v = common::open(dir.path(), common::clock());
    let [a] = clients(&v, ["Acme"]);
    let pull = |word: &str| {
        v.write(Origin::Import, |w| {
            let mut c = w.client(&a)?;
            let account = account(&mut c, "meta", "act_1", "Ads")?;
            let ads: Vec<ObjectUpsert> = (0..60)
                .map(|i| ObjectUpsert {
                    creative_external_id: Some(format!("cr{i}")),
                    ..object(
                        "ad",
                        &format!("ad{i}"),
                        None,
                        &format!("Ad {i}"),
                        &format!("{word} copy {i}"),
                    )
                })
                .collect();
            c.upsert_lib_objects(&account, &ads)?;
            let creatives: Vec<CreativeUpsert> = (0..60)
                .map(|i| CreativeUpsert {
                    external_id: format!("cr{i}"),
                    format: "image".into(),
                    headlines: vec![format!("{word} headline")],
                    raw_json: "{}".into(),
                    ..Default::default()
                })
                .collect();
            c.upsert_lib_creatives(&account, &creatives)
        })
        .unwrap();
    };
    let find = |q: &str| {
        v.read(|r| r.client(&a)?.search_library(q, 100))
            .unwrap()
            .len()
    };

    let before = search_segments_written(&v);
    pull("Lighthouse");
    // Written row by row, each upsert flushed the rows before it into a segment of its own.
    let first = search_segments_written(&v) - before;
    assert!(
        first <= 2,
        "{first} segments for one batch of ads and one of creatives"
    );
    assert_eq!(find("lighthouse"), 60);

    // A re-pull replaces every row's text: the old words are gone, the new ones found.
    pull("Harbour");
    let second = search_segments_written(&v) - before - first;
    assert!(second <= 2, "{second} segments for the re-pull");
    assert_eq!(find("harbour"), 60);
    assert_eq!(find("lighthouse"), 0);
}

/// One pending image asset of a new Meta account of `client`; its id.
fn pending_asset(v: &switchboard_store::Vault, client: &str, key: &str) -> String {
    v.write(Origin::Import, |w| {
        let mut c = w.client(client)?;
        let account = account(&mut c, "meta", "act_9", "Ads")?;
        c.upsert_lib_assets(
            &account,
            &[switchboard_store::domain::AssetRef {
                platform_key: key.into(),
                kind: "video".into(),
                url: Some("https://cdn.example/v.mp4".into()),
                raw_json: "{}".into(),
                ..Default::default()
            }],
        )?;
        Ok(account)
    })
    .and_then(|account| v.read(|r| r.client(client)?.pending_lib_assets(&account, "", 10)))
    .unwrap()
    .remove(0)
    .id
}

fn sha256_hex(b: &[u8]) -> String {
    hex::encode(ring::digest::digest(&ring::digest::SHA256, b).as_ref())
}

#[test]
fn asset_files_are_sealed_follow_backups_and_restores_and_go_when_nothing_needs_them() {
    let dir = tempfile::tempdir().unwrap();
    let clock = common::clock();
    let v = common::open(dir.path(), clock.clone());
    let [a, b] = clients(&v, ["Acme", "Globex"]);
    let bytes: Vec<u8> = b"CANARY-video-frame "
        .iter()
        .copied()
        .cycle()
        .take(300_000)
        .collect();
    let sha = sha256_hex(&bytes);
    let files = v.asset_files().unwrap();
    // Both clients have the same file: stored once.
    let mut ids = Vec::new();
    for client in [&a, &b] {
        let id = pending_asset(&v, client, "video:1");
        let staged = files.stage(&sha, bytes.clone()).unwrap();
        v.write(Origin::Import, |w| {
            w.client(client)?
                .store_lib_asset_file(&id, &staged, "video/mp4")
        })
        .unwrap();
        ids.push(id);
    }
    assert_eq!(files.names().unwrap().len(), 1);
    assert_eq!(v.asset_file_check().unwrap(), (0, 0));
    let read = |client: &str, id: &str, from: u64, to: u64| {
        v.read(|r| r.client(client)?.read_lib_asset_range(id, false, from, to))
    };
    assert_eq!(read(&a, &ids[0], 0, u64::MAX).unwrap(), bytes);
    assert_eq!(
        read(&b, &ids[1], 65_530, 65_550).unwrap(),
        &bytes[65_530..65_550]
    );
    // Another client's asset id is "not found".
    assert_eq!(read(&b, &ids[0], 0, 10).unwrap_err().code(), "not_found");
    // No plaintext anywhere in the vault folder.
    for p in common::dir_listing(dir.path()) {
        if p.is_file() {
            let raw = std::fs::read(&p).unwrap();
            assert!(
                !common::contains(&raw, b"CANARY-video"),
                "plaintext in {}",
                p.display()
            );
        }
    }

    // A backup lists the file; deleting both clients leaves it to the backup.
    clock.advance(Duration::seconds(5));
    let backup = v.backup_now("manual").unwrap();
    for client in [&a, &b] {
        v.write(Origin::User, |w| w.client(client)?.delete())
            .unwrap();
    }
    assert_eq!(
        v.debug_query("SELECT count(*) FROM blobs WHERE ?1 = ?1", "x")
            .unwrap(),
        vec!["0"],
        "a deleted client's bytes are dropped with it"
    );
    drop(v);
    let v = common::open(dir.path(), clock.clone());
    assert_eq!(
        v.asset_files().unwrap().names().unwrap().len(),
        1,
        "kept for the backup"
    );
    v.restore(&backup.file_name).unwrap();
    assert_eq!(
        v.read(|r| r
            .client(&a)?
            .read_lib_asset_range(&ids[0], false, 0, u64::MAX))
            .unwrap(),
        bytes,
        "the restored vault reads its file"
    );

    // Once no backup lists it and no row uses it, the next open removes it.
    v.write(Origin::User, |w| {
        w.set_setting(switchboard_store::domain::SettingKey::BackupsKept, "1")?;
        w.client(&a)?.delete()?;
        w.client(&b)?.delete()
    })
    .unwrap();
    clock.advance(Duration::seconds(5));
    v.backup_now("manual").unwrap();
    assert_eq!(v.backups().unwrap().len(), 1);
    drop(v);
    let v = common::open(dir.path(), clock);
    assert!(v.asset_files().unwrap().names().unwrap().is_empty());
    assert_eq!(v.asset_file_check().unwrap(), (0, 0));
}

#[test]
fn a_backup_whose_files_are_gone_is_refused_and_the_vault_stays_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let clock = common::clock();
    let v = common::open(dir.path(), clock.clone());
    let [a] = clients(&v, ["Acme"]);
    let id = pending_asset(&v, &a, "video:1");
    let bytes = b"some video bytes".to_vec();
    let files = v.asset_files().unwrap();
    let staged = files.stage(&sha256_hex(&bytes), bytes.clone()).unwrap();
    v.write(Origin::Import, |w| {
        w.client(&a)?
            .store_lib_asset_file(&id, &staged, "video/mp4")
    })
    .unwrap();
    clock.advance(Duration::seconds(5));
    let backup = v.backup_now("manual").unwrap();
    for name in files.names().unwrap() {
        std::fs::remove_file(files.dir().join(&name[..2]).join(&name)).unwrap();
    }
    assert_eq!(
        v.asset_file_check().unwrap(),
        (0, 1),
        "one row's file is missing"
    );
    let e = v
        .read(|r| r.client(&a)?.read_lib_asset_range(&id, false, 0, 10))
        .unwrap_err();
    assert!(e.to_string().contains("missing"), "{e}");
    let e = v.restore(&backup.file_name).unwrap_err();
    assert!(e.to_string().contains("1 asset files"), "{e}");
    assert_eq!(common::client_names(&v), vec!["Acme"]);
}

/// Each object's `level id spend impressions clicks conversions` as lib_objects holds them,
/// after checking they equal the sums of its daily rows without breakdown.
fn settled_totals(v: &switchboard_store::Vault, account: &str) -> Vec<String> {
    let held = v
        .debug_query(
            "SELECT level || ' ' || external_id || ' ' || spend_micros || ' ' || impressions || ' ' || clicks || ' ' || conversions_micros
             FROM lib_objects WHERE account_id = ?1 ORDER BY level, external_id",
            account,
        )
        .unwrap();
    let summed = v
        .debug_query(
            "SELECT o.level || ' ' || o.external_id || ' ' || coalesce(sum(m.spend_micros), 0) || ' ' || coalesce(sum(m.impressions), 0)
                 || ' ' || coalesce(sum(m.clicks), 0) || ' ' || coalesce(sum(m.conversions_micros), 0)
             FROM lib_objects o LEFT JOIN lib_metrics_daily m
               ON m.account_id = o.account_id AND m.level = o.level AND m.external_id = o.external_id AND m.breakdown = ''
             WHERE o.account_id = ?1 GROUP BY o.level, o.external_id ORDER BY o.level, o.external_id",
            account,
        )
        .unwrap();
    assert_eq!(held, summed, "lifetime totals against the daily rows");
    held
}

/// The objects whose total changes are still pending.
fn pending_totals(v: &switchboard_store::Vault, account: &str) -> Vec<String> {
    v.debug_query(
        "SELECT external_id FROM lib_totals_pending WHERE account_id = ?1",
        account,
    )
    .unwrap()
}

#[test]
fn settled_totals_add_each_write_s_change_and_equal_the_sum_of_the_daily_rows() {
    use switchboard_store::domain::MetricUpsert;
    let dir = tempfile::tempdir().unwrap();
    let v = common::open(dir.path(), common::clock());
    let [client] = clients(&v, ["Acme"]);
    let row = |level: &str, id: &str, date: &str, spend: i64, clicks: i64| MetricUpsert {
        level: level.into(),
        external_id: id.into(),
        date: date.into(),
        spend_micros: spend,
        impressions: clicks * 10,
        clicks,
        conversions_micros: clicks * 1_000,
        ..Default::default()
    };
    let account = v
        .write(Origin::Import, |w| {
            let mut c = w.client(&client)?;
            let account = account(&mut c, "meta", "act_1", "Main")?;
            // Metrics before their objects are listed (units run concurrently), with a
            // breakdown row (never in totals) and one for an ad that is never listed.
            c.upsert_lib_metrics(
                &account,
                &[
                    row("ad", "a1", "2026-11-01", 5_000_000, 3),
                    row("ad", "a1", "2026-11-02", 7_000_000, 4),
                    MetricUpsert {
                        breakdown: "age:18-24".into(),
                        ..row("ad", "a1", "2026-11-01", 99_000_000, 99)
                    },
                    row("ad", "ghost", "2026-11-01", 1_000_000, 1),
                    row("campaign", "c1", "2026-11-01", 12_000_000, 7),
                ],
            )?;
            c.upsert_lib_objects(
                &account,
                &[
                    object("campaign", "c1", None, "Camp", ""),
                    object("ad", "a1", None, "Ad one", ""),
                    object("ad", "a2", None, "Ad two", ""),
                ],
            )?;
            Ok(account)
        })
        .unwrap();
    v.write(Origin::Import, |w| {
        w.client(&client)?.settle_lib_totals(&account)
    })
    .unwrap();
    let held = settled_totals(&v, &account);
    assert_eq!(
        held[0], "ad a1 12000000 70 7 7000",
        "the breakdown row is not counted"
    );

    // A re-pull restates a day, adds one, repeats a day in one batch (the later row is
    // stored), and gives a2 its first rows. Objects exist now.
    v.write(Origin::Import, |w| {
        let mut c = w.client(&client)?;
        c.upsert_lib_metrics(
            &account,
            &[
                row("ad", "a1", "2026-11-02", 2_000_000, 1),
                row("ad", "a1", "2026-11-03", 4_000_000, 2),
                row("ad", "a2", "2026-11-03", 3_000_000, 5),
                row("ad", "a2", "2026-11-03", 6_000_000, 6),
                row("campaign", "c1", "2026-11-01", 12_000_000, 7),
            ],
        )
    })
    .unwrap();
    v.write(Origin::Import, |w| {
        w.client(&client)?.settle_lib_totals(&account)
    })
    .unwrap();
    let held = settled_totals(&v, &account);
    assert_eq!(held[0], "ad a1 11000000 60 6 6000");
    assert_eq!(held[1], "ad a2 6000000 60 6 6000");

    // The never-listed ad's change waits for it; listed later, it has its rows' totals.
    assert_eq!(pending_totals(&v, &account), vec!["ghost".to_owned()]);
    v.write(Origin::Import, |w| {
        let mut c = w.client(&client)?;
        c.upsert_lib_objects(&account, &[object("ad", "ghost", None, "Late ad", "")])?;
        c.settle_lib_totals(&account)
    })
    .unwrap();
    let held = settled_totals(&v, &account);
    assert_eq!(held[2], "ad ghost 1000000 10 1 1000");
    assert!(pending_totals(&v, &account).is_empty());

    // A full recompute agrees, and leaves nothing pending to be added twice.
    v.write(Origin::Import, |w| {
        let mut c = w.client(&client)?;
        c.upsert_lib_metrics(&account, &[row("ad", "a2", "2026-11-04", 1_000_000, 1)])?;
        c.refresh_lib_totals(&account)?;
        c.settle_lib_totals(&account)
    })
    .unwrap();
    let held = settled_totals(&v, &account);
    assert_eq!(held[1], "ad a2 7000000 70 7 7000");
}

#[test]
fn metric_rows_keep_the_later_of_two_rows_for_a_day_and_a_bad_date_or_level_refuses_the_batch() {
    use switchboard_store::domain::MetricUpsert;
    let dir = tempfile::tempdir().unwrap();
    let v = common::open(dir.path(), common::clock());
    let [client] = clients(&v, ["Acme"]);
    let row = |id: usize, day: usize, spend: i64| MetricUpsert {
        level: "ad".into(),
        external_id: format!("ad{id:03}"),
        date: format!("2026-10-{:02}", day + 1),
        spend_micros: spend,
        impressions: spend / 1_000,
        clicks: 1,
        extra: if id.is_multiple_of(2) {
            String::new()
        } else {
            format!("{{\"n\":{id}}}")
        },
        currency: id.is_multiple_of(3).then(|| "EUR".to_owned()),
        video_views: id.is_multiple_of(5).then_some(id as i64),
        ..Default::default()
    };
    // 150 rows of 50 ads, three days each, and three of those days again later in the
    // batch with other values: the later row is the one kept each time.
    let mut rows: Vec<MetricUpsert> = (0..50)
        .flat_map(|id| (0..3).map(move |day| (id, day)))
        .map(|(id, day)| row(id, day, (id * 100 + day) as i64 * 1_000))
        .collect();
    rows.insert(40, row(10, 0, 777_000));
    rows.insert(64, row(20, 0, 888_000));
    rows.push(row(49, 2, 999_000));
    assert_eq!(rows.len(), 153);
    let account = v
        .write(Origin::Import, |w| {
            let mut c = w.client(&client)?;
            let account = account(&mut c, "meta", "act_1", "Main")?;
            c.upsert_lib_metrics(&account, &rows)?;
            Ok(account)
        })
        .unwrap();
    let stored = v
        .debug_query(
            "SELECT external_id || ' ' || date || ' ' || spend_micros || ' ' || impressions || ' ' || extra || ' '
                 || coalesce(currency, '-') || ' ' || coalesce(video_views, '-')
             FROM lib_metrics_daily WHERE account_id = ?1 ORDER BY external_id, date",
            &account,
        )
        .unwrap();
    let mut expected = std::collections::BTreeMap::new();
    for m in &rows {
        expected.insert(
            (m.external_id.clone(), m.date.clone()),
            format!(
                "{} {} {} {} {} {} {}",
                m.external_id,
                m.date,
                m.spend_micros,
                m.impressions,
                if m.extra.is_empty() { "{}" } else { &m.extra },
                m.currency.as_deref().unwrap_or("-"),
                m.video_views.map_or("-".to_owned(), |n| n.to_string())
            ),
        );
    }
    assert_eq!(stored, expected.into_values().collect::<Vec<_>>());
    assert!(stored.contains(&"ad010 2026-10-01 777000 777 {} - 10".to_owned()));
    assert!(stored.contains(&"ad020 2026-10-01 888000 888 {} - 20".to_owned()));
    assert!(stored.contains(&"ad049 2026-10-03 999000 999 {\"n\":49} - -".to_owned()));

    // A bad date or level anywhere in a batch refuses the batch; nothing of it is stored.
    // A date must be zero-padded: "2026-1-05" would sort after "2026-10-01".
    for (date, level) in [
        ("2026-1-05", "ad"),
        ("2026-02-30", "ad"),
        (" 2026-01-05", "ad"),
        ("2026-01-05", "adset"),
    ] {
        let mut batch: Vec<MetricUpsert> = (0..70).map(|i| row(i, 9, 1)).collect();
        batch[66] = MetricUpsert {
            date: date.into(),
            level: level.into(),
            ..row(66, 9, 1)
        };
        let err = v
            .write(Origin::Import, |w| {
                w.client(&client)?.upsert_lib_metrics(&account, &batch)
            })
            .unwrap_err();
        let want = if level == "ad" {
            format!("'{date}' is not a YYYY-MM-DD date")
        } else {
            "'adset' is not a metrics level".to_owned()
        };
        assert!(err.to_string().contains(&want), "{err}");
    }
    let count = v
        .debug_query(
            "SELECT count(*) FROM lib_metrics_daily WHERE account_id = ?1",
            &account,
        )
        .unwrap();
    assert_eq!(count, vec!["150".to_owned()]);
}
