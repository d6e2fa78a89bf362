//! Facebook Pages (Graph API): message length, photo and video rules, first comment.
//!
//! Sources: developers.facebook.com — Pages API posts (`/{page-id}/feed` with `message` and
//! `link`; multi-photo posts via `attached_media`), "Uploading Photos" (JPEG, BMP, PNG, GIF,
//! TIFF; "We recommend uploading photos under 4MB"; "PNG files larger than 1 MB may appear
//! pixelated"), "Uploading Videos" (resumable upload "up to 10GB and 4 hours long"); the
//! 63,206-character message limit and the 8,000-character comment limit as Facebook applies
//! them. Messages are counted in UTF-16 code units, as Facebook's JavaScript composer does.

use crate::media::{Format, MediaKind, MediaRules, GB, MB};
use crate::network::{Counting, LinkPlacement, Rules, TextRules};

const PHOTO_MAX: Option<u64> = Some(4 * MB);
const VIDEO_MAX: Option<u64> = Some(10 * GB);

pub(crate) static RULES: Rules = Rules {
    id: "facebook_pages",
    name: "Facebook",
    text: TextRules {
        // why: a Page post's message takes up to 63,206 characters.
        limit: 63_206,
        premium_limit: None,
        counting: Counting::Utf16,
        forbidden: &[],
    },
    // why: a link share is a `/feed` post with `link`; photos and videos are published
    // through `/photos`, `attached_media` or `/videos`, which carry no link preview.
    link: LinkPlacement::Preview,
    media: MediaRules {
        formats: &[
            // why: "Uploading Photos": JPEG, BMP, PNG, GIF, TIFF; photos under 4 MB.
            Format {
                mime: "image/jpeg",
                label: "JPEG",
                kind: MediaKind::Image,
                max_bytes: PHOTO_MAX,
            },
            Format {
                mime: "image/png",
                label: "PNG",
                kind: MediaKind::Image,
                max_bytes: PHOTO_MAX,
            },
            Format {
                mime: "image/gif",
                label: "GIF",
                kind: MediaKind::Image,
                max_bytes: PHOTO_MAX,
            },
            Format {
                mime: "image/bmp",
                label: "BMP",
                kind: MediaKind::Image,
                max_bytes: PHOTO_MAX,
            },
            Format {
                mime: "image/tiff",
                label: "TIFF",
                kind: MediaKind::Image,
                max_bytes: PHOTO_MAX,
            },
            // why: "Uploading Videos" lists these containers among its formats (mp4, mov, m4v,
            // avi, mpeg, mkv, 3gp); the resumable upload takes up to 10 GB.
            Format {
                mime: "video/mp4",
                label: "MP4",
                kind: MediaKind::Video,
                max_bytes: VIDEO_MAX,
            },
            Format {
                mime: "video/quicktime",
                label: "MOV",
                kind: MediaKind::Video,
                max_bytes: VIDEO_MAX,
            },
            Format {
                mime: "video/x-m4v",
                label: "M4V",
                kind: MediaKind::Video,
                max_bytes: VIDEO_MAX,
            },
            Format {
                mime: "video/x-msvideo",
                label: "AVI",
                kind: MediaKind::Video,
                max_bytes: VIDEO_MAX,
            },
            Format {
                mime: "video/mpeg",
                label: "MPEG",
                kind: MediaKind::Video,
                max_bytes: VIDEO_MAX,
            },
            Format {
                mime: "video/x-matroska",
                label: "MKV",
                kind: MediaKind::Video,
                max_bytes: VIDEO_MAX,
            },
            Format {
                mime: "video/3gpp",
                label: "3GP",
                kind: MediaKind::Video,
                max_bytes: VIDEO_MAX,
            },
        ],
        // why: `attached_media` documents no maximum; 10 photos is the limit Facebook's own
        // composer and the scheduling tools we compared against apply, so we keep to it.
        max_images: 10,
        max_gifs: 0,
        // why: a video post is one `/videos` upload.
        max_videos: 1,
        mixed: false,
        image_pixels_below: None,
        // why: "PNG files larger than 1 MB may appear pixelated after upload."
        png_quality_bytes: Some(MB),
    },
    // why: the first comment is a `/{post-id}/comments` call; comments take 8,000 characters.
    first_comment_limit: Some(8_000),
    threads: false,
};
