//! LinkedIn: little-text escaping, commentary length, media, comments, threads and links.

mod common;

use common::{codes, file, image, media, sized_image, text, video};
use proptest::prelude::*;
use switchboard_compose::{
    check, linkedin_escape, linkedin_unescape, Draft, Field, IssueCode, Network, GB, MB,
};

const RESERVED: &str = r"\|{}@[]()<>#*_~";

#[test]
fn each_reserved_character_is_escaped() {
    for c in RESERVED.chars() {
        assert_eq!(
            linkedin_escape(&c.to_string()),
            format!("\\{c}"),
            "{c} gets a backslash"
        );
        assert_eq!(
            linkedin_unescape(&format!("\\{c}")),
            c.to_string(),
            "\\{c} comes back as {c}"
        );
    }
    for c in "abc 123 .,;:!?'\"-+=/$%^&é😀\n".chars() {
        assert_eq!(
            linkedin_escape(&c.to_string()),
            c.to_string(),
            "{c:?} is left alone"
        );
    }
}

#[test]
fn a_realistic_post_is_escaped() {
    assert_eq!(
        linkedin_escape(r"We're #hiring (2 roles) @ Acme_Co <3 ~ see [site] \o/"),
        r"We're \#hiring \(2 roles\) \@ Acme\_Co \<3 \~ see \[site\] \\o/",
        "hashtags, parentheses, at signs, underscores, brackets and backslashes"
    );
}

#[test]
fn unescape_keeps_stray_backslashes() {
    assert_eq!(
        linkedin_unescape(r"C:\path"),
        r"C:\path",
        "a backslash before a plain letter stays"
    );
    assert_eq!(
        linkedin_unescape("end\\"),
        "end\\",
        "a trailing backslash stays"
    );
}

proptest! {
    #[test]
    fn unescape_inverts_escape(s in any::<String>()) {
        prop_assert_eq!(linkedin_unescape(&linkedin_escape(&s)), s.clone(), "round trip");
    }

    #[test]
    fn escape_adds_one_backslash_per_reserved_character(s in "[a-z \\\\|{}@\\[\\]()<>#*_~]{0,40}") {
        let reserved = s.chars().filter(|c| RESERVED.contains(*c)).count();
        prop_assert_eq!(linkedin_escape(&s).chars().count(), s.chars().count() + reserved, "one backslash each");
        let escaped = linkedin_escape(&s);
        prop_assert_eq!(linkedin_escape(&linkedin_unescape(&escaped)), escaped.clone(), "escaped text round-trips too");
    }
}

#[test]
fn commentary_is_counted_before_escaping_in_utf16() {
    assert!(
        text(Network::LinkedIn, &"a".repeat(3000)).ok,
        "3,000 characters fit"
    );
    let report = text(Network::LinkedIn, &"a".repeat(3001));
    assert_eq!(
        codes(&report),
        [IssueCode::TextTooLong],
        "3,001 characters are too many"
    );
    assert!(
        text(Network::LinkedIn, &"#".repeat(3000)).ok,
        "reserved characters count once, though escaping doubles them"
    );
    let emoji = "😀".repeat(1500);
    let report = text(Network::LinkedIn, &emoji);
    assert_eq!(
        report.count(Field::Text, None).map(|c| c.used),
        Some(3000),
        "an astral emoji is 2 UTF-16 units"
    );
    assert!(report.ok, "1,500 astral emoji are 3,000 units");
    assert!(
        !text(Network::LinkedIn, &format!("{emoji}a")).ok,
        "one more unit is too many"
    );
}

#[test]
fn up_to_20_images() {
    assert!(
        media(Network::LinkedIn, &vec![image(MB); 20]).ok,
        "20 images make a multi-image post"
    );
    let report = media(Network::LinkedIn, &vec![image(MB); 21]);
    assert_eq!(
        codes(&report),
        [IssueCode::TooManyMedia],
        "21 images are too many"
    );
    let gif = file("image/gif", 50 * MB);
    assert!(
        media(Network::LinkedIn, &[image(MB), gif]).ok,
        "a GIF is an image on LinkedIn, with no byte limit documented"
    );
}

#[test]
fn image_pixel_limit() {
    assert!(
        media(Network::LinkedIn, &[sized_image(36_152_319, 1)]).ok,
        "one pixel under the limit"
    );
    let report = media(Network::LinkedIn, &[sized_image(6_016, 6_010)]);
    assert_eq!(6_016u64 * 6_010, 36_156_160, "this size is over the limit");
    assert_eq!(
        codes(&report),
        [IssueCode::MediaDimensions],
        "over 36,152,320 pixels"
    );
    let report = media(Network::LinkedIn, &[sized_image(36_152_320, 1)]);
    assert_eq!(
        codes(&report),
        [IssueCode::MediaDimensions],
        "exactly the limit is refused (it must be less)"
    );
}

#[test]
fn one_video_up_to_5_gb() {
    assert!(media(Network::LinkedIn, &[video(5 * GB)]).ok, "a 5 GB MP4");
    let report = media(Network::LinkedIn, &[video(5 * GB + 1)]);
    assert_eq!(
        codes(&report),
        [IssueCode::MediaTooLarge],
        "one byte over 5 GB"
    );
    let report = media(Network::LinkedIn, &[video(MB), video(MB)]);
    assert_eq!(codes(&report), [IssueCode::TooManyMedia], "two videos");
    let report = media(Network::LinkedIn, &[image(MB), video(MB)]);
    assert_eq!(
        codes(&report),
        [IssueCode::MixedMedia],
        "an image and a video"
    );
    let report = media(Network::LinkedIn, &[file("video/quicktime", MB)]);
    assert_eq!(
        codes(&report),
        [IssueCode::MediaType],
        "MOV is not accepted"
    );
    let report = media(Network::LinkedIn, &[file("image/webp", MB)]);
    assert_eq!(
        codes(&report),
        [IssueCode::MediaType],
        "WebP is not accepted"
    );
}

#[test]
fn first_comment_up_to_1250() {
    let ok = "c".repeat(1250);
    let report = check(
        Network::LinkedIn,
        &Draft {
            text: "Post",
            first_comment: Some(&ok),
            ..Draft::default()
        },
    );
    assert!(report.ok, "1,250 characters fit a comment");
    assert_eq!(
        report
            .count(Field::FirstComment, None)
            .map(|c| (c.used, c.limit)),
        Some((1250, 1250)),
        "comment counter"
    );
    let long = "c".repeat(1251);
    let report = check(
        Network::LinkedIn,
        &Draft {
            text: "Post",
            first_comment: Some(&long),
            ..Draft::default()
        },
    );
    assert_eq!(
        codes(&report),
        [IssueCode::CommentTooLong],
        "1,251 characters are too many"
    );
}

#[test]
fn no_threads() {
    let thread = vec!["second".to_string()];
    let report = check(
        Network::LinkedIn,
        &Draft {
            text: "Post",
            thread: &thread,
            ..Draft::default()
        },
    );
    assert_eq!(
        codes(&report),
        [IssueCode::ThreadNotSupported],
        "a thread on LinkedIn"
    );
    let blank = vec![" ".to_string()];
    let report = check(
        Network::LinkedIn,
        &Draft {
            text: "Post",
            thread: &blank,
            ..Draft::default()
        },
    );
    assert!(report.ok, "a blank follow-up is no thread");
}

#[test]
fn link_shares() {
    let report = check(
        Network::LinkedIn,
        &Draft {
            text: "",
            link: Some("https://example.com/article"),
            ..Draft::default()
        },
    );
    assert!(report.ok, "a link share needs no text: {:?}", report.issues);
    let report = check(
        Network::LinkedIn,
        &Draft {
            text: "Read",
            link: Some("example.com"),
            ..Draft::default()
        },
    );
    assert_eq!(
        codes(&report),
        [IssueCode::LinkInvalid],
        "a link share needs a full address"
    );
    let photo = [image(MB)];
    let report = check(
        Network::LinkedIn,
        &Draft {
            text: "Read",
            link: Some("https://example.com"),
            media: &photo,
            ..Draft::default()
        },
    );
    assert_eq!(
        codes(&report),
        [IssueCode::LinkWithMedia],
        "a link preview and an image cannot be combined"
    );
}
