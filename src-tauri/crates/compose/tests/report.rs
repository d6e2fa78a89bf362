//! The registry of networks and the report's shape over IPC.

mod common;

use serde_json::json;
use switchboard_compose::{MediaInfo, Network};

#[test]
fn networks_round_trip_through_their_ids() {
    for network in Network::ALL {
        assert_eq!(
            Network::from_platform(network.id()),
            Some(network),
            "{network:?} by its id"
        );
        assert_eq!(
            serde_json::to_value(network).expect("serializes"),
            json!(network.id()),
            "{network:?} serializes as its id"
        );
        assert_eq!(
            network.rules().id,
            network.id(),
            "{network:?}'s rules carry its id"
        );
    }
    let ids: Vec<_> = Network::ALL.iter().map(|n| n.id()).collect();
    assert_eq!(ids, ["x", "linkedin", "facebook_pages"], "the IPC ids");
    assert_eq!(
        Network::from_platform("myspace"),
        None,
        "an unknown platform has no rules"
    );
}

#[test]
fn report_serializes_for_the_ui() {
    let report = common::text(Network::X, &"a".repeat(281));
    let value = serde_json::to_value(&report).expect("serializes");
    assert_eq!(value["network"], "x", "network id");
    assert_eq!(value["ok"], false, "ok flag");
    assert_eq!(
        value["counts"][0],
        json!({"field": "text", "index": null, "used": 281, "limit": 280}),
        "a counter"
    );
    let issue = &value["issues"][0];
    assert_eq!(issue["code"], "text_too_long", "codes are snake_case");
    assert_eq!(issue["severity"], "error", "severities are snake_case");
    assert_eq!(issue["field"], "text", "fields are snake_case");
    assert!(
        issue["message"].as_str().is_some_and(|m| m.contains("281")),
        "a message with the count"
    );
}

#[test]
fn media_info_comes_from_the_ui_in_camel_case() {
    let info: MediaInfo = serde_json::from_value(json!({"mime": "image/png", "sizeBytes": 1234}))
        .expect("deserializes");
    assert_eq!(info.size_bytes, 1234, "sizeBytes");
    assert_eq!(
        (info.width, info.height),
        (None, None),
        "dimensions are optional"
    );
}
