//! Facebook Pages: message length, photos, videos, comments, threads.

mod common;

use common::{codes, file, image, media, text, video};
use switchboard_compose::{check, Draft, Field, IssueCode, Network, Severity, GB, MB};

#[test]
fn message_up_to_63206() {
    let report = text(Network::FacebookPages, &"a".repeat(63_206));
    assert!(report.ok, "63,206 characters fit");
    assert_eq!(
        report.count(Field::Text, None).map(|c| c.limit),
        Some(63_206),
        "the counter's limit"
    );
    let report = text(Network::FacebookPages, &"a".repeat(63_207));
    assert_eq!(
        codes(&report),
        [IssueCode::TextTooLong],
        "63,207 characters are too many"
    );
}

#[test]
fn photos_up_to_4_mb_and_10_per_post() {
    assert!(
        media(Network::FacebookPages, &[image(4 * MB)]).ok,
        "a 4 MB photo"
    );
    let report = media(Network::FacebookPages, &[image(MB), image(4 * MB + 1)]);
    let issue = report
        .issue(IssueCode::MediaTooLarge)
        .expect("one byte over 4 MB");
    assert_eq!(issue.index, Some(1), "the second photo is named");
    assert!(
        issue.message.contains("4.1 MB"),
        "the size is shown rounded up: {}",
        issue.message
    );
    assert!(
        media(Network::FacebookPages, &vec![image(MB); 10]).ok,
        "10 photos"
    );
    let report = media(Network::FacebookPages, &vec![image(MB); 11]);
    assert_eq!(
        codes(&report),
        [IssueCode::TooManyMedia],
        "11 photos are too many"
    );
}

#[test]
fn photo_formats() {
    for mime in [
        "image/jpeg",
        "image/png",
        "image/gif",
        "image/bmp",
        "image/tiff",
    ] {
        assert!(
            media(Network::FacebookPages, &[file(mime, 500_000)]).ok,
            "{mime} is accepted"
        );
    }
    let report = media(Network::FacebookPages, &[file("image/webp", 500_000)]);
    assert_eq!(
        codes(&report),
        [IssueCode::MediaType],
        "WebP is not in the documented list"
    );
}

#[test]
fn large_pngs_get_a_warning_only() {
    let report = media(Network::FacebookPages, &[file("image/png", MB + 1)]);
    let issue = report
        .issue(IssueCode::MediaQuality)
        .expect("a PNG over 1 MB");
    assert_eq!(issue.severity, Severity::Warning, "it is only a warning");
    assert!(report.ok, "the post can still go out");
    assert!(
        media(Network::FacebookPages, &[file("image/png", MB)])
            .issues
            .is_empty(),
        "a 1 MB PNG is fine"
    );
}

#[test]
fn one_video_up_to_10_gb() {
    assert!(
        media(Network::FacebookPages, &[video(10 * GB)]).ok,
        "a 10 GB video"
    );
    let report = media(Network::FacebookPages, &[video(10 * GB + 1)]);
    assert_eq!(
        codes(&report),
        [IssueCode::MediaTooLarge],
        "one byte over 10 GB"
    );
    assert!(
        media(Network::FacebookPages, &[file("video/quicktime", GB)]).ok,
        "MOV is accepted"
    );
    let report = media(Network::FacebookPages, &[video(MB), video(MB)]);
    assert_eq!(codes(&report), [IssueCode::TooManyMedia], "two videos");
    let report = media(Network::FacebookPages, &[image(MB), video(MB)]);
    assert_eq!(
        codes(&report),
        [IssueCode::MixedMedia],
        "a photo and a video"
    );
}

#[test]
fn first_comment_up_to_8000() {
    let ok = "c".repeat(8000);
    let report = check(
        Network::FacebookPages,
        &Draft {
            text: "Post",
            first_comment: Some(&ok),
            ..Draft::default()
        },
    );
    assert!(report.ok, "8,000 characters fit a comment");
    let long = "c".repeat(8001);
    let report = check(
        Network::FacebookPages,
        &Draft {
            text: "Post",
            first_comment: Some(&long),
            ..Draft::default()
        },
    );
    assert_eq!(
        codes(&report),
        [IssueCode::CommentTooLong],
        "8,001 characters are too many"
    );
}

#[test]
fn no_threads_but_link_shares() {
    let thread = vec!["second".to_string()];
    let report = check(
        Network::FacebookPages,
        &Draft {
            text: "Post",
            thread: &thread,
            ..Draft::default()
        },
    );
    assert_eq!(
        codes(&report),
        [IssueCode::ThreadNotSupported],
        "a thread on Facebook"
    );
    let report = check(
        Network::FacebookPages,
        &Draft {
            text: "",
            link: Some("https://example.com"),
            ..Draft::default()
        },
    );
    assert!(
        report.ok,
        "a link share with no message: {:?}",
        report.issues
    );
    let report = text(Network::FacebookPages, "");
    assert_eq!(codes(&report), [IssueCode::TextEmpty], "nothing at all");
}
