//! Fixtures shared by the integration tests.

#![allow(dead_code)]

use switchboard_compose::{check, Draft, IssueCode, MediaInfo, Network, Report};

pub fn file(mime: &str, size_bytes: u64) -> MediaInfo {
    MediaInfo {
        mime: mime.to_string(),
        size_bytes,
        width: None,
        height: None,
    }
}

pub fn image(size_bytes: u64) -> MediaInfo {
    file("image/jpeg", size_bytes)
}

pub fn sized_image(width: u32, height: u32) -> MediaInfo {
    MediaInfo {
        width: Some(width),
        height: Some(height),
        ..image(100_000)
    }
}

pub fn video(size_bytes: u64) -> MediaInfo {
    file("video/mp4", size_bytes)
}

/// Checks text alone.
pub fn text(network: Network, text: &str) -> Report {
    check(
        network,
        &Draft {
            text,
            ..Draft::default()
        },
    )
}

/// Checks a short text with media.
pub fn media(network: Network, media: &[MediaInfo]) -> Report {
    check(
        network,
        &Draft {
            text: "Look at this",
            media,
            ..Draft::default()
        },
    )
}

/// The issue codes of a report, in order.
pub fn codes(report: &Report) -> Vec<IssueCode> {
    report.issues.iter().map(|i| i.code).collect()
}
