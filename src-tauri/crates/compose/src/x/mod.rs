//! X (formerly Twitter): weighted length per twitter-text v3, media and thread rules.
//!
//! The weighted length follows twitter-text's `config/v3.json` and its Java
//! `TwitterTextParser.parseTweet` (twitter/twitter-text, commit 30e2430):
//! - the text is NFC-normalised first, and a text that is blank once trimmed counts 0;
//! - every URL twitter-text's extractor recognises counts `transformedURLLength` = 23,
//!   whatever its length (t.co wraps it) — see [`url`];
//! - an emoji sequence (ZWJ sequence, skin tone, flag, keycap, tag sequence) counts
//!   `defaultWeight` once for the whole sequence (`emojiParsingEnabled`) — see [`emoji`];
//! - any other code point weighs 1 in the ranges 0–4351, 8192–8205, 8208–8223 and 8242–8247
//!   (Latin, Greek, Cyrillic, …, general punctuation) and 2 everywhere else (CJK, emoji, …).
//!
//! When written, this passed every v3 weighted-length case of twitter-text's
//! `conformance/validate.yml`, the non-emoji v2 ones, and all URL cases of
//! `conformance/extract.yml` (148 cases); `tests/x.rs` keeps cases modelled on them.
//!
//! No crate is used for this. The only one on crates.io (`twitter-text` 0.3) pulls in about a
//! hundred crates (a C++ bridge pinned to one exact `cxx` version, two parser generators, ICU
//! for IDNA) for a function that needs a TLD list, a URL scanner and emoji properties.
//!
//! Media limits: docs.x.com "Media types & size restrictions" (image 5 MB, GIF 15 MB,
//! video 512 MB) and the media upload best practices ("up to 4 photos, 1 animated GIF or
//! 1 video in a Post").

mod emoji;
mod punycode;
mod tlds;
mod url;

use unicode_normalization::UnicodeNormalization;

use crate::media::{Format, MediaKind, MediaRules, MB};
use crate::network::{Counting, LinkPlacement, Rules, TextRules};

pub(crate) static RULES: Rules = Rules {
    id: "x",
    name: "X",
    text: TextRules {
        // why: config/v3.json `maxWeightedTweetLength`.
        limit: 280,
        // why: X Premium posts take up to 25,000 characters (docs.x.com, counting characters).
        premium_limit: Some(25_000),
        counting: Counting::XWeighted,
        // why: twitter-text `Regex.INVALID_CHARACTERS`; a text holding one is not valid.
        forbidden: &['\u{FFFE}', '\u{FEFF}', '\u{FFFF}'],
    },
    link: LinkPlacement::InText,
    media: MediaRules {
        formats: &[
            // why: docs.x.com media: "Image: 5 MB, GIF: 15 MB, Video: 512 MB".
            Format {
                mime: "image/jpeg",
                label: "JPEG",
                kind: MediaKind::Image,
                max_bytes: Some(5 * MB),
            },
            Format {
                mime: "image/png",
                label: "PNG",
                kind: MediaKind::Image,
                max_bytes: Some(5 * MB),
            },
            Format {
                mime: "image/webp",
                label: "WebP",
                kind: MediaKind::Image,
                max_bytes: Some(5 * MB),
            },
            Format {
                mime: "image/gif",
                label: "GIF",
                kind: MediaKind::Gif,
                max_bytes: Some(15 * MB),
            },
            Format {
                mime: "video/mp4",
                label: "MP4",
                kind: MediaKind::Video,
                max_bytes: Some(512 * MB),
            },
            Format {
                mime: "video/quicktime",
                label: "MOV",
                kind: MediaKind::Video,
                max_bytes: Some(512 * MB),
            },
        ],
        // why: "You may attach up to 4 photos, 1 animated GIF or 1 video in a Post."
        max_images: 4,
        max_gifs: 1,
        max_videos: 1,
        mixed: false,
        image_pixels_below: None,
        png_quality_bytes: None,
    },
    // why: X has no first comment; the equivalent is the first reply of a thread.
    first_comment_limit: None,
    // why: a thread is a chain of replies (`reply.in_reply_to_tweet_id`), each its own post.
    threads: true,
};

/// twitter-text v3 weighting, in units of `scale` = 100.
const SCALE_LIGHT: u32 = 1; // weight 100
const SCALE_DEFAULT: u32 = 2; // weight 200: `defaultWeight`
const URL_LENGTH: u32 = 23; // `transformedURLLength`

/// The length X counts for a post's text, per twitter-text v3 (module docs above).
pub fn x_weighted_length(text: &str) -> u32 {
    // why: TwitterTextParser returns an empty result (length 0) when `tweet.trim()` is empty;
    // Java's trim strips every char up to U+0020.
    if text.chars().all(|c| c <= ' ') {
        return 0;
    }
    let text: String = text.nfc().collect();
    let urls = url::extract(&text);
    let mut urls = urls.iter().peekable();
    let mut total: u32 = 0;
    let mut at = 0;
    while at < text.len() {
        // An emoji sequence can swallow the start of a URL; twitter-text then never counts it.
        while urls.next_if(|r| r.start < at).is_some() {}
        if let Some(range) = urls.next_if(|r| r.start == at) {
            total = total.saturating_add(URL_LENGTH);
            at = range.end;
            continue;
        }
        let rest = &text[at..];
        if let Some(len) = emoji::sequence_len(rest) {
            total = total.saturating_add(SCALE_DEFAULT);
            at += len;
            continue;
        }
        let c = rest.chars().next().unwrap_or_default();
        total = total.saturating_add(code_point_weight(c));
        at += c.len_utf8().max(1);
    }
    total
}

/// The text X receives when a draft has a link: the link after the text and a space.
pub fn x_text_with_link(text: &str, link: Option<&str>) -> String {
    RULES.link.text_with_link(text, link).into_owned()
}

/// Whether twitter-text recognises the whole of `link` as one URL (so X links it and counts 23).
pub(crate) fn is_link(link: &str) -> bool {
    let link: String = link.nfc().collect();
    matches!(url::extract(&link).as_slice(), [only] if only.start == 0 && only.end == link.len())
}

/// why: config/v3.json `ranges`, each with weight 100; everything else is `defaultWeight` 200.
fn code_point_weight(c: char) -> u32 {
    match u32::from(c) {
        0..=4351 | 8192..=8205 | 8208..=8223 | 8242..=8247 => SCALE_LIGHT,
        _ => SCALE_DEFAULT,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_follow_the_v3_ranges() {
        assert_eq!(code_point_weight('a'), 1, "ASCII weighs 1");
        assert_eq!(
            code_point_weight('\u{10FF}'),
            1,
            "U+10FF, last of the 0–4351 range"
        );
        assert_eq!(
            code_point_weight('\u{1100}'),
            2,
            "U+1100 (4352), first Hangul Jamo, weighs 2"
        );
        assert_eq!(
            code_point_weight('\u{2000}'),
            1,
            "U+2000 en quad, in 8192–8205"
        );
        assert_eq!(
            code_point_weight('\u{200E}'),
            2,
            "U+200E (8206) is outside the ranges"
        );
        assert_eq!(
            code_point_weight('\u{2014}'),
            1,
            "U+2014 em dash, in 8208–8223"
        );
        assert_eq!(
            code_point_weight('\u{2032}'),
            1,
            "U+2032 prime, in 8242–8247"
        );
        assert_eq!(
            code_point_weight('\u{2038}'),
            2,
            "U+2038 (8248) is outside the ranges"
        );
        assert_eq!(code_point_weight('中'), 2, "CJK weighs 2");
    }

    #[test]
    fn blank_text_counts_zero() {
        assert_eq!(x_weighted_length(""), 0, "empty text");
        assert_eq!(
            x_weighted_length(" \n\t "),
            0,
            "whitespace only, as twitter-text trims it"
        );
    }

    #[test]
    fn text_is_nfc_normalised_before_counting() {
        // "e" + combining acute composes to one code point "é".
        assert_eq!(
            x_weighted_length("e\u{301}"),
            1,
            "decomposed é counts as one character"
        );
    }

    #[test]
    fn links_are_recognised_whole() {
        assert!(is_link("https://example.com/a?b=c"), "a full URL");
        assert!(is_link("example.com/path"), "a URL without a scheme");
        assert!(!is_link("https://example.com/a b"), "a space splits it");
        assert!(!is_link("not a link"), "plain words");
        assert!(
            !is_link("https://example.invalidtld"),
            "an unknown top-level domain"
        );
    }
}
