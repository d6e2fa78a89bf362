//! Media attached to a draft, and each network's rules for it: accepted types, size limits,
//! how many of each kind, and whether kinds may be mixed.

use serde::{Deserialize, Serialize};

use crate::report::{Field, Issue, IssueCode, Severity};

/// What the composer knows about one attached file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct MediaInfo {
    /// MIME type, e.g. `image/jpeg`.
    pub mime: String,
    pub size_bytes: u64,
    #[serde(default)]
    pub width: Option<u32>,
    #[serde(default)]
    pub height: Option<u32>,
}

/// Kinds a network counts separately and will not mix in one post.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaKind {
    Image,
    /// An animated GIF, where the network treats it apart from images (X).
    Gif,
    Video,
}

impl MediaKind {
    fn noun(self, n: u32) -> &'static str {
        match (self, n == 1) {
            (MediaKind::Image, true) => "image",
            (MediaKind::Image, false) => "images",
            (MediaKind::Gif, true) => "GIF",
            (MediaKind::Gif, false) => "GIFs",
            (MediaKind::Video, true) => "video",
            (MediaKind::Video, false) => "videos",
        }
    }
}

/// One accepted file type.
#[derive(Debug)]
pub struct Format {
    pub mime: &'static str,
    /// Name shown to the user (`"JPEG"`).
    pub label: &'static str,
    pub kind: MediaKind,
    /// Largest file accepted, when the network documents one.
    pub max_bytes: Option<u64>,
}

#[derive(Debug)]
pub struct MediaRules {
    pub formats: &'static [Format],
    pub max_images: u32,
    pub max_gifs: u32,
    pub max_videos: u32,
    /// Whether one post may carry several kinds (none of the current networks allow it).
    pub mixed: bool,
    /// Images must have fewer pixels (width × height) than this, when the network says so.
    pub image_pixels_below: Option<u64>,
    /// A documented size above which a PNG may come out degraded (Facebook: 1 MB).
    pub png_quality_bytes: Option<u64>,
}

impl MediaRules {
    fn max(&self, kind: MediaKind) -> u32 {
        match kind {
            MediaKind::Image => self.max_images,
            MediaKind::Gif => self.max_gifs,
            MediaKind::Video => self.max_videos,
        }
    }

    fn format(&self, mime: &str) -> Option<&Format> {
        let mime = normalize_mime(mime);
        self.formats.iter().find(|f| f.mime == mime)
    }

    /// Accepted types for a message: "JPEG, PNG, GIF or MP4".
    fn accepted(&self) -> String {
        let mut labels: Vec<&str> = Vec::new();
        for f in self.formats {
            if !labels.contains(&f.label) {
                labels.push(f.label);
            }
        }
        match labels.split_last() {
            Some((last, [])) => (*last).to_string(),
            Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
            None => String::new(),
        }
    }
}

/// Sizes are binary: X's upload errors state its 5 MB image limit as 5,242,880 bytes.
pub const MB: u64 = 1024 * 1024;
pub const GB: u64 = 1024 * MB;

/// `image/JPEG; foo=bar` → `image/jpeg`; `image/jpg` (common but unregistered) → `image/jpeg`.
fn normalize_mime(mime: &str) -> String {
    let base = mime
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match base.as_str() {
        "image/jpg" | "image/pjpeg" => "image/jpeg".to_string(),
        _ => base,
    }
}

pub(crate) fn check(
    network: &str,
    rules: &MediaRules,
    media: &[MediaInfo],
    issues: &mut Vec<Issue>,
) {
    let mut kinds: Vec<(MediaKind, u32)> = Vec::new();
    for (i, item) in media.iter().enumerate() {
        let index = Some(index_u32(i));
        let Some(format) = rules.format(&item.mime) else {
            issues.push(media_issue(
                IssueCode::MediaType,
                index,
                format!(
                    "{network} doesn't accept {} files (item {}). Use {}.",
                    describe_mime(&item.mime),
                    i + 1,
                    rules.accepted()
                ),
            ));
            continue;
        };
        match kinds.iter_mut().find(|(k, _)| *k == format.kind) {
            Some((_, n)) => *n += 1,
            None => kinds.push((format.kind, 1)),
        }
        if let Some(max_bytes) = format.max_bytes.filter(|&max| item.size_bytes > max) {
            issues.push(media_issue(
                IssueCode::MediaTooLarge,
                index,
                format!(
                    "Item {} is too large ({}): {network} accepts {} files up to {}.",
                    i + 1,
                    size_rounded_up(item.size_bytes),
                    format.label,
                    size_exact(max_bytes)
                ),
            ));
        }
        if let (Some(max), MediaKind::Image | MediaKind::Gif, Some(w), Some(h)) = (
            rules.image_pixels_below,
            format.kind,
            item.width,
            item.height,
        ) {
            let pixels = u64::from(w) * u64::from(h);
            if pixels >= max {
                issues.push(media_issue(
                    IssueCode::MediaDimensions,
                    index,
                    format!(
                        "Item {} is {w} × {h} pixels: {network} accepts images under {} pixels in total.",
                        i + 1,
                        thousands(max)
                    ),
                ));
            }
        }
        if let Some(limit) = rules.png_quality_bytes {
            if format.mime == "image/png" && item.size_bytes > limit {
                issues.push(Issue {
                    code: IssueCode::MediaQuality,
                    severity: Severity::Warning,
                    field: Field::Media,
                    index,
                    message: format!(
                        "Item {} is a PNG over {}: {network} may show it pixelated. A JPEG is safer.",
                        i + 1,
                        size_exact(limit)
                    ),
                });
            }
        }
    }

    if kinds.len() > 1 && !rules.mixed {
        issues.push(media_issue(
            IssueCode::MixedMedia,
            None,
            format!(
                "{network} posts can carry {}, not a mix.",
                alternatives(rules)
            ),
        ));
    }
    for (kind, n) in kinds {
        let max = rules.max(kind);
        if n > max {
            let allowed = if max == 1 {
                format!("one {}", kind.noun(1))
            } else {
                format!("at most {max} {}", kind.noun(max))
            };
            issues.push(media_issue(
                IssueCode::TooManyMedia,
                None,
                format!(
                    "{network} allows {allowed} per post; this post has {n} {}.",
                    kind.noun(n)
                ),
            ));
        }
    }
}

/// "up to 4 images, one GIF or one video".
fn alternatives(rules: &MediaRules) -> String {
    let mut parts = Vec::new();
    for kind in [MediaKind::Image, MediaKind::Gif, MediaKind::Video] {
        let present = rules.formats.iter().any(|f| f.kind == kind);
        match rules.max(kind) {
            _ if !present => {}
            0 => {}
            1 => parts.push(format!("one {}", kind.noun(1))),
            n => parts.push(format!("up to {n} {}", kind.noun(n))),
        }
    }
    match parts.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => "no media".to_string(),
    }
}

fn media_issue(code: IssueCode, index: Option<u32>, message: String) -> Issue {
    Issue {
        code,
        severity: Severity::Error,
        field: Field::Media,
        index,
        message,
    }
}

pub(crate) fn index_u32(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

fn describe_mime(mime: &str) -> String {
    let m = normalize_mime(mime);
    if m.is_empty() {
        "untyped".to_string()
    } else {
        m
    }
}

/// A limit, exactly: "5 MB", "512 MB", "5 GB", "700 KB".
fn size_exact(bytes: u64) -> String {
    if bytes.is_multiple_of(GB) {
        format!("{} GB", bytes / GB)
    } else if bytes.is_multiple_of(MB) {
        format!("{} MB", bytes / MB)
    } else if bytes.is_multiple_of(1024) {
        format!("{} KB", bytes / 1024)
    } else {
        format!("{} bytes", thousands(bytes))
    }
}

/// A file's size rounded up to a tenth, so a file one byte over "5 MB" reads "5.1 MB".
fn size_rounded_up(bytes: u64) -> String {
    let (unit, name) = if bytes >= GB {
        (GB, "GB")
    } else if bytes >= MB {
        (MB, "MB")
    } else {
        (1024, "KB")
    };
    let tenths = (u128::from(bytes) * 10).div_ceil(u128::from(unit));
    format!("{}.{} {name}", tenths / 10, tenths % 10)
}

pub(crate) fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_well() {
        assert_eq!(size_exact(5 * MB), "5 MB", "a whole number of MB");
        assert_eq!(size_exact(5 * GB), "5 GB", "a whole number of GB");
        assert_eq!(
            size_rounded_up(5 * MB + 1),
            "5.1 MB",
            "one byte over 5 MB must not read as 5.0 MB"
        );
        assert_eq!(size_rounded_up(5 * MB), "5.0 MB", "exactly 5 MB");
        assert_eq!(size_rounded_up(1), "0.1 KB", "tiny files round up");
        assert_eq!(thousands(36_152_320), "36,152,320", "thousands separators");
    }

    #[test]
    fn mime_types_are_normalized() {
        assert_eq!(
            normalize_mime(" Image/JPG ; q=1"),
            "image/jpeg",
            "case, parameters and the jpg alias"
        );
        assert_eq!(normalize_mime("video/mp4"), "video/mp4", "already normal");
    }
}
