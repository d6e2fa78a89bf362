//! X: twitter-text v3 weighted length at the 280 boundary, conformance-style cases, media,
//! threads and first comments.

mod common;

use common::{codes, file, image, media, text, video};
use switchboard_compose::{
    check, check_with, x_text_with_link, x_weighted_length, Draft, Field, IssueCode, Network,
    Options, Severity, MB,
};

const FAMILY: &str = "👨\u{200D}👩\u{200D}👧\u{200D}👦";
const FLAG_FR: &str = "🇫🇷";
const FLAG_ENGLAND: &str = "🏴\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}";

/// Asserts the weighted length, and that X accepts the text exactly when it is at most 280.
fn assert_boundary(text: &str, expected: u32, what: &str) {
    assert_eq!(
        x_weighted_length(text),
        expected,
        "weighted length of {what}"
    );
    let report = common::text(Network::X, text);
    let count = report
        .count(Field::Text, None)
        .expect("the text is counted");
    assert_eq!(
        count.used, expected,
        "the counter shows the weighted length of {what}"
    );
    assert_eq!(count.limit, 280, "the counter's limit for {what}");
    assert_eq!(
        report.ok,
        expected <= 280,
        "{what}: accepted iff at most 280"
    );
    assert_eq!(
        report.has(IssueCode::TextTooLong),
        expected > 280,
        "{what}: text_too_long iff over 280"
    );
}

#[test]
fn ascii_with_a_long_url_around_280() {
    let url = format!("https://example.com/{}", "path/".repeat(40));
    assert!(url.len() > 200, "the URL is long, yet counts 23");
    for (letters, expected) in [(255, 279), (256, 280), (257, 281)] {
        let post = format!("{} {url}", "a".repeat(letters));
        assert_boundary(
            &post,
            expected,
            &format!("{letters} letters, a space and a URL"),
        );
    }
}

#[test]
fn a_link_on_x_is_appended_after_a_space_and_counts_23() {
    let link = format!("https://example.com/{}", "x".repeat(300));
    for (letters, expected, ok) in [(255, 279, true), (256, 280, true), (257, 281, false)] {
        let body = "a".repeat(letters);
        let report = check(
            Network::X,
            &Draft {
                text: &body,
                link: Some(&link),
                ..Draft::default()
            },
        );
        let used = report.count(Field::Text, None).map(|c| c.used);
        assert_eq!(used, Some(expected), "{letters} letters + space + link");
        assert_eq!(report.ok, ok, "{letters} letters + link accepted iff ≤ 280");
    }
    assert_eq!(
        x_text_with_link("Read this", Some("https://a.co")),
        "Read this https://a.co",
        "the link follows the text after one space"
    );
    assert_eq!(
        x_text_with_link("  ", Some("https://a.co")),
        "https://a.co",
        "a blank text is replaced by the link"
    );
    assert_eq!(
        x_text_with_link("Read\n", Some("https://a.co")),
        "Read\nhttps://a.co",
        "no space after a newline"
    );
    assert_eq!(x_text_with_link("Read", None), "Read", "no link, no change");
}

#[test]
fn emoji_sequences_around_280() {
    let mut emoji = FAMILY.repeat(137);
    emoji.push_str(FLAG_FR);
    emoji.push_str(FLAG_ENGLAND);
    assert_eq!(
        x_weighted_length(&emoji),
        278,
        "139 emoji sequences of 2 each"
    );
    for (letters, expected) in [(1, 279), (2, 280), (3, 281)] {
        let post = format!("{emoji}{}", "x".repeat(letters));
        assert_boundary(&post, expected, &format!("139 emoji and {letters} letters"));
    }
}

#[test]
fn cjk_around_280() {
    let poem = "静夜思床前明月光疑是地上霜举头望明月低头思故乡"
        .chars()
        .cycle();
    let cjk = |n: usize| poem.clone().take(n).collect::<String>();
    assert_boundary(
        &format!("{}a", cjk(139)),
        279,
        "139 CJK characters and a letter",
    );
    assert_boundary(&cjk(140), 280, "140 CJK characters");
    assert_boundary(
        &format!("{}a", cjk(140)),
        281,
        "140 CJK characters and a letter",
    );
}

#[test]
fn conformance_style_cases() {
    // Modelled on twitter-text conformance/validate.yml, WeightedTweetsWithDiscountedEmojiCounterTest.
    let cases: &[(&str, u32, &str)] = &[
        ("Hey https://shop.co", 27, "a short URL still counts 23"),
        ("https://shop.co", 23, "a URL alone"),
        (
            "Hi 🐱☺ ",
            8,
            "letters and spaces 1, a cat emoji 2, a text-style smiley 2 (its code point)",
        ),
        ("😷👾🔥", 6, "three single emoji"),
        ("👍🏾🙋🏽", 4, "emoji with skin tones count 2 each"),
        ("👨\u{200D}🎤", 2, "a ZWJ profession sequence"),
        ("1\u{20E3}", 2, "a keycap without VS16 counts as one emoji"),
        ("#\u{FE0F}\u{20E3}", 2, "a keycap with VS16"),
        (
            "\u{2000}\u{2014}\u{2032}\u{201C}",
            4,
            "general punctuation in the light ranges",
        ),
        (
            "\u{2038}\u{2122}",
            4,
            "punctuation outside the light ranges weighs 2",
        ),
        (
            "\u{2066}https://example.com\u{2069}",
            27,
            "a URL between directional isolates",
        ),
        ("Ünïcödé", 7, "Latin-1 letters weigh 1"),
        ("e\u{301}", 1, "NFC first: a decomposed é is one character"),
        (
            "see example.com/a.",
            4 + 23 + 1,
            "a URL without a scheme; the final period is text",
        ),
        ("mail me@example.com", 19, "after @ it is not a URL"),
    ];
    for (text, expected, what) in cases {
        assert_eq!(x_weighted_length(text), *expected, "{what}: {text:?}");
    }
}

#[test]
fn host_labels_over_63_characters_are_counted_as_text() {
    let label63 = format!("{}.com", "a".repeat(63));
    let label64 = format!("{}.com", "a".repeat(64));
    assert_eq!(
        x_weighted_length(&label63),
        23,
        "a 63-character label is a URL"
    );
    assert_eq!(
        x_weighted_length(&label64),
        68,
        "a 64-character label is plain text"
    );

    // CJK hosts are measured once punycode-encoded (Java's IDN.toASCII): these 32 characters
    // encode to 62 ASCII characters with `xn--`, 33 to 64.
    let cjk = |n: u32| -> String {
        (0..n)
            .filter_map(|i| char::from_u32(0x4E00 + 3 * i))
            .collect()
    };
    let fits = format!("https://{}.com", cjk(32));
    let too_long = format!("https://{}.com", cjk(33));
    assert_eq!(
        x_weighted_length(&fits),
        23,
        "a CJK host within 63 encoded characters is a URL"
    );
    assert_eq!(
        x_weighted_length(&too_long),
        8 + 66 + 4,
        "a CJK host over 63 encoded characters is text"
    );
}

#[test]
fn premium_raises_the_limit_to_25000() {
    let long = "a".repeat(281);
    let premium = Options { premium: true };
    let report = check_with(
        Network::X,
        &Draft {
            text: &long,
            ..Draft::default()
        },
        &premium,
    );
    assert!(report.ok, "281 characters are fine with Premium");
    assert_eq!(
        report.count(Field::Text, None).map(|c| c.limit),
        Some(25_000),
        "Premium limit shown"
    );
    let over = "a".repeat(25_001);
    let report = check_with(
        Network::X,
        &Draft {
            text: &over,
            ..Draft::default()
        },
        &premium,
    );
    assert!(
        report.has(IssueCode::TextTooLong),
        "25,001 characters are too many even with Premium"
    );
    let report = text(Network::X, &long);
    let message = &report
        .issue(IssueCode::TextTooLong)
        .expect("too long without Premium")
        .message;
    assert!(
        message.contains("25,000 with X Premium"),
        "the message mentions Premium: {message}"
    );
}

#[test]
fn invalid_characters_are_errors() {
    let report = text(Network::X, "hello\u{FFFF}");
    let issue = report
        .issue(IssueCode::InvalidCharacters)
        .expect("U+FFFF is refused");
    assert_eq!(
        issue.severity,
        Severity::Error,
        "an invalid character is an error"
    );
    assert!(!report.ok, "the draft cannot be published");
}

#[test]
fn empty_text_needs_media() {
    let report = text(Network::X, "  \n ");
    assert_eq!(
        codes(&report),
        [IssueCode::TextEmpty],
        "blank text, no media"
    );
    assert_eq!(
        report.count(Field::Text, None).map(|c| c.used),
        Some(0),
        "blank text counts 0"
    );
    let photo = [image(MB)];
    let report = check(
        Network::X,
        &Draft {
            text: "",
            media: &photo,
            ..Draft::default()
        },
    );
    assert!(
        report.ok,
        "media alone is a valid post: {:?}",
        report.issues
    );
}

#[test]
fn four_images_but_not_five() {
    let four = vec![image(MB); 4];
    assert!(media(Network::X, &four).ok, "4 images are allowed");
    let five = vec![image(MB); 5];
    let report = media(Network::X, &five);
    assert_eq!(
        codes(&report),
        [IssueCode::TooManyMedia],
        "5 images are too many"
    );
    assert!(
        report.issues[0].message.contains("at most 4 images"),
        "the message gives the limit: {}",
        report.issues[0].message
    );
}

#[test]
fn size_limits_to_the_byte() {
    let cases = [
        ("image/jpeg", 5 * MB, "a JPEG"),
        ("image/png", 5 * MB, "a PNG"),
        ("image/webp", 5 * MB, "a WebP"),
        ("image/gif", 15 * MB, "a GIF"),
        ("video/mp4", 512 * MB, "an MP4"),
        ("video/quicktime", 512 * MB, "a MOV"),
    ];
    for (mime, limit, what) in cases {
        assert!(
            media(Network::X, &[file(mime, limit)]).ok,
            "{what} of exactly the limit"
        );
        let report = media(Network::X, &[file(mime, limit + 1)]);
        let issue = report
            .issue(IssueCode::MediaTooLarge)
            .expect("one byte over");
        assert_eq!(issue.index, Some(0), "{what}: the item is named");
        assert!(!report.ok, "{what} one byte over the limit is refused");
    }
}

#[test]
fn media_kinds_are_never_mixed() {
    let gif = file("image/gif", MB);
    let report = media(Network::X, &[image(MB), gif.clone()]);
    assert_eq!(
        codes(&report),
        [IssueCode::MixedMedia],
        "an image and a GIF"
    );
    let report = media(Network::X, &[image(MB), video(MB)]);
    assert_eq!(
        codes(&report),
        [IssueCode::MixedMedia],
        "an image and a video"
    );
    let report = media(Network::X, &[gif.clone(), gif]);
    assert_eq!(codes(&report), [IssueCode::TooManyMedia], "two GIFs");
    let report = media(Network::X, &[video(MB), video(MB)]);
    assert_eq!(codes(&report), [IssueCode::TooManyMedia], "two videos");
    assert!(media(Network::X, &[video(MB)]).ok, "one video alone");
}

#[test]
fn unsupported_types_are_named() {
    let report = media(Network::X, &[image(MB), file("image/heic", MB)]);
    let issue = report
        .issue(IssueCode::MediaType)
        .expect("HEIC is not accepted");
    assert_eq!(issue.index, Some(1), "the second item is the culprit");
    assert!(
        issue.message.contains("image/heic"),
        "the message names the type: {}",
        issue.message
    );
    assert!(
        media(Network::X, &[file("IMAGE/JPG", MB)]).ok,
        "image/jpg in any case is JPEG"
    );
}

#[test]
fn thread_posts_are_checked_one_by_one() {
    let thread = vec!["a".repeat(280), String::new(), "中".repeat(141)];
    let report = check(
        Network::X,
        &Draft {
            text: "Thread 🧵",
            thread: &thread,
            ..Draft::default()
        },
    );
    let used: Vec<_> = (0..3)
        .map(|i| report.count(Field::Thread, Some(i)).map(|c| c.used))
        .collect();
    assert_eq!(
        used,
        [Some(280), Some(0), Some(282)],
        "each thread post has its own counter"
    );
    let thread_issues: Vec<_> = report
        .issues
        .iter()
        .map(|i| (i.code, i.field, i.index))
        .collect();
    assert_eq!(
        thread_issues,
        [
            (IssueCode::TextEmpty, Field::Thread, Some(1)),
            (IssueCode::TextTooLong, Field::Thread, Some(2)),
        ],
        "the empty post and the long post are reported with their positions"
    );
}

#[test]
fn no_first_comment_on_x() {
    let report = check(
        Network::X,
        &Draft {
            text: "Hi",
            first_comment: Some("More here"),
            ..Draft::default()
        },
    );
    let issue = report
        .issue(IssueCode::FirstCommentNotSupported)
        .expect("refused");
    assert_eq!(issue.field, Field::FirstComment, "about the first comment");
    assert!(
        issue.message.contains("thread"),
        "suggests a thread: {}",
        issue.message
    );
    let blank = check(
        Network::X,
        &Draft {
            text: "Hi",
            first_comment: Some("  "),
            ..Draft::default()
        },
    );
    assert!(blank.ok, "a blank first comment is no first comment");
}

#[test]
fn links_x_would_not_recognise_are_flagged() {
    let report = check(
        Network::X,
        &Draft {
            text: "Hi",
            link: Some("not a link"),
            ..Draft::default()
        },
    );
    assert!(report.has(IssueCode::LinkInvalid), "plain words as a link");
    let report = check(
        Network::X,
        &Draft {
            text: "Hi",
            link: Some("example.com/page"),
            ..Draft::default()
        },
    );
    assert!(
        report.ok,
        "a bare domain is a link on X: {:?}",
        report.issues
    );
}
