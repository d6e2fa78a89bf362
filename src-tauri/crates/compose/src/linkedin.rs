//! LinkedIn (Posts API): commentary length, "little text" escaping, media and comment rules.
//!
//! Sources: LinkedIn Marketing docs on learn.microsoft.com — Posts API (`commentary`, 3,000
//! characters), Little Text Format (reserved characters), Images API (JPG, PNG, GIF; fewer
//! than 36,152,320 pixels), Videos API (MP4, up to 5 GB through multipart upload), MultiImage
//! (2 to 20 images); and LinkedIn Help on comment length (1,250 characters).
//!
//! The commentary is counted as the user wrote it, before escaping: the 3,000-character limit
//! is on the text members see, and escaping adds backslashes nobody sees. It is counted in
//! UTF-16 code units, the way LinkedIn's Java services and web composer measure a string, so
//! an emoji outside the Basic Multilingual Plane counts 2 — the cautious reading, since a
//! count in code points would only ever be lower.

use crate::media::{Format, MediaKind, MediaRules, GB};
use crate::network::{Counting, LinkPlacement, Rules, TextRules};

pub(crate) static RULES: Rules = Rules {
    id: "linkedin",
    name: "LinkedIn",
    text: TextRules {
        // why: Posts API `commentary`: 3,000 characters.
        limit: 3_000,
        premium_limit: None,
        counting: Counting::Utf16,
        forbidden: &[],
    },
    // why: a link share is `content.article`, one of the post's content types, so it cannot
    // sit beside `content.media` or `content.multiImage`.
    link: LinkPlacement::Preview,
    media: MediaRules {
        formats: &[
            // why: Images API: "JPG, PNG and GIF"; it documents a pixel limit, not a byte limit.
            Format {
                mime: "image/jpeg",
                label: "JPEG",
                kind: MediaKind::Image,
                max_bytes: None,
            },
            Format {
                mime: "image/png",
                label: "PNG",
                kind: MediaKind::Image,
                max_bytes: None,
            },
            Format {
                mime: "image/gif",
                label: "GIF",
                kind: MediaKind::Image,
                max_bytes: None,
            },
            // why: Videos API: MP4 only; multipart upload takes files up to 5 GB.
            Format {
                mime: "video/mp4",
                label: "MP4",
                kind: MediaKind::Video,
                max_bytes: Some(5 * GB),
            },
        ],
        // why: a single image is `content.media`; 2 to 20 make a `content.multiImage`.
        max_images: 20,
        max_gifs: 0,
        max_videos: 1,
        mixed: false,
        // why: Images API: "images with a total pixel count less than 36,152,320".
        image_pixels_below: Some(36_152_320),
        png_quality_bytes: None,
    },
    // why: comments (`/rest/socialActions/{urn}/comments`) take up to 1,250 characters.
    first_comment_limit: Some(1_250),
    threads: false,
};

/// Characters the little text format reserves; each must be backslash-escaped to be shown as
/// written (otherwise LinkedIn may drop or reinterpret the text after it).
const RESERVED: &[char] = &[
    '\\', '|', '{', '}', '@', '[', ']', '(', ')', '<', '>', '#', '*', '_', '~',
];

/// The commentary as the Posts API wants it: every reserved character backslash-escaped.
pub fn linkedin_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        if RESERVED.contains(&c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The inverse of [`linkedin_escape`]: `\` before a reserved character is dropped. A backslash
/// before anything else (which `linkedin_escape` never produces) is kept.
pub fn linkedin_unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(&next) = chars.peek().filter(|n| RESERVED.contains(n)) {
                out.push(next);
                chars.next();
                continue;
            }
        }
        out.push(c);
    }
    out
}
