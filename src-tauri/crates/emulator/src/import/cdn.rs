//! The CDN the import APIs' asset URLs point at: generated PNG images and small MP4
//! files, behind signed URLs that expire like Meta's (`oe` = hex unix expiry, `oh` = the
//! signature).
//!
//! - `GET /__cdn/img/{hash}.png` — a Meta library image (signed)
//! - `GET /__cdn/vid/{video_id}.mp4` — a Meta video file (signed)
//! - `GET /__cdn/vidpic/{video_id}.png` — a video's poster (signed when `oe` is given)
//! - `GET /__cdn/thumb/{creative_id}.png` — a creative's thumbnail (signed when `oe` is given)
//! - `GET /__cdn/simgad/{asset_id}` — a Google Ads image asset

use super::seed::{self, Obj};
use super::{meta, Catalog};
use crate::fault::Fault;
use crate::server::Server;
use axum::body::{Body, Bytes};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::PoisonError;

/// The path every CDN URL starts with.
pub(crate) const CDN_PREFIX: &str = "/__cdn/";

/// How long a signed URL works.
const URL_LIFETIME_SECS: i64 = 3_600;

/// The thumbnail size Meta's `thumbnail_url` gives by default.
const THUMB_PX: u32 = 64;

/// How many different pictures there are; each image's bytes are made unique by a text
/// chunk naming it, so content hashes differ while the pixels are encoded once per pattern.
const PATTERNS: u64 = 97;

/// The oversized fault's length (300 MB), streamed in 1 MB chunks.
const OVERSIZED_CHUNKS: usize = 300;

/// Encoded patterns, by (pattern, size); bounded by [`PATTERNS`] × the sizes in use.
#[derive(Debug, Default)]
pub(crate) struct Cache {
    map: HashMap<(u64, u32), Bytes>,
}

/// An FNV-1a hash: the signature does not need to be secret, only tamper-evident.
fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn signature(path: &str, expiry: i64) -> String {
    format!("{:016x}", seed::mix(fnv(path), expiry as u64))
}

/// A signed CDN URL on this listener, valid for an hour from `now`.
pub(crate) fn signed(origin: &str, path: &str, now: DateTime<Utc>) -> String {
    let expiry = now.timestamp() + URL_LIFETIME_SECS;
    format!(
        "{origin}{path}?oe={expiry:X}&oh={}",
        signature(path, expiry)
    )
}

pub(crate) fn image_path(hash: &str) -> String {
    format!("{CDN_PREFIX}img/{hash}.png")
}

pub(crate) fn video_path(id: &str) -> String {
    format!("{CDN_PREFIX}vid/{id}.mp4")
}

pub(crate) fn poster_path(id: &str) -> String {
    format!("{CDN_PREFIX}vidpic/{id}.png")
}

pub(crate) fn thumb_path(creative_id: &str) -> String {
    format!("{CDN_PREFIX}thumb/{creative_id}.png")
}

pub(crate) fn simgad_url(origin: &str, asset_id: &str) -> String {
    format!("{origin}{CDN_PREFIX}simgad/{asset_id}")
}

fn plain(status: StatusCode, text: &'static str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        text,
    )
        .into_response()
}

/// One CDN request being served (its latency included), counted for
/// [`crate::Stats::cdn_peak_in_flight`] until dropped.
pub(crate) struct Serving<'a>(&'a Server);

impl<'a> Serving<'a> {
    pub(crate) fn start(server: &'a Server) -> Self {
        let mut store = server.lock();
        store.import.cdn_in_flight += 1;
        let now = store.import.cdn_in_flight;
        store.stats.cdn_peak_in_flight = store.stats.cdn_peak_in_flight.max(now);
        Serving(server)
    }
}

impl Drop for Serving<'_> {
    fn drop(&mut self) {
        let mut store = self.0.lock();
        store.import.cdn_in_flight = store.import.cdn_in_flight.saturating_sub(1);
    }
}

/// Answer one CDN request.
pub(crate) fn handle(server: &Server, path: &str, query: Option<&str>) -> Response {
    let fault = {
        let mut store = server.lock();
        store.stats.cdn_downloads += 1;
        store.import.asset_faults.pop_front()
    };
    match fault {
        Some(Fault::AssetNotFound) => return plain(StatusCode::NOT_FOUND, "Not Found"),
        Some(Fault::AssetWrongType) => {
            return (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "image/png")],
                "<!DOCTYPE html><html><head><title>Sign in</title></head><body>Please log in to continue.</body></html>",
            )
                .into_response()
        }
        Some(Fault::AssetOversized) => {
            let chunk = Bytes::from(vec![0x42u8; 1 << 20]);
            let chunks = std::iter::repeat_n(chunk, OVERSIZED_CHUNKS)
                .map(Ok::<_, std::convert::Infallible>);
            return Response::builder()
                .status(StatusCode::OK)
                .header(header::CONTENT_TYPE, "image/png")
                .body(Body::from_stream(futures_util::stream::iter(chunks)))
                .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response());
        }
        _ => {}
    }
    let catalog = &server.catalog;
    let rest = path.strip_prefix(CDN_PREFIX).unwrap_or_default();
    let Some((kind, file)) = rest.split_once('/') else {
        return plain(StatusCode::NOT_FOUND, "Not Found");
    };
    let params: Vec<(String, String)> = url::form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .into_owned()
        .collect();
    let param = |k: &str| {
        params
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    // why: Meta's CDN URLs carry `oe` (hex expiry) and `oh` (signature) and answer 403
    // "URL signature expired" once `oe` is past (import-apis reference §1.1, "Assets").
    let must_sign = matches!(kind, "img" | "vid");
    if must_sign || param("oe").is_some() {
        let expiry = param("oe").and_then(|oe| i64::from_str_radix(oe, 16).ok());
        let Some(expiry) = expiry else {
            return plain(StatusCode::FORBIDDEN, "Bad URL hash");
        };
        if param("oh") != Some(signature(path, expiry).as_str()) {
            return plain(StatusCode::FORBIDDEN, "Bad URL hash");
        }
        if expiry <= server.now().timestamp() {
            return plain(StatusCode::FORBIDDEN, "URL signature expired");
        }
    }
    let found = match kind {
        "img" => file
            .strip_suffix(".png")
            .and_then(seed::parse_image_hash)
            .filter(|(key, i)| exists(catalog, *key) && *i < catalog.seed.images)
            .map(|(key, i)| png(catalog, seed::image_content(key, i), catalog.seed.image_px)),
        "vid" => file
            .strip_suffix(".mp4")
            .and_then(|id| video(catalog, id))
            .map(|(key, v)| (mp4(key, v), "video/mp4")),
        "vidpic" => file
            .strip_suffix(".png")
            .and_then(|id| video(catalog, id))
            .map(|(key, v)| {
                png(
                    catalog,
                    seed::mix(u64::from(key) + 99, v as u64),
                    catalog.seed.image_px,
                )
            }),
        "thumb" => file
            .strip_suffix(".png")
            .and_then(|id| seed::parse_id(meta::ID_PREFIX, id))
            .filter(|(key, obj, a)| {
                *obj == Obj::Creative && exists(catalog, *key) && *a < catalog.seed.ads()
            })
            .map(|(key, _, a)| {
                let content = seed::image_of_ad(a, catalog.seed.images)
                    .map_or(seed::mix(u64::from(key), a as u64), |i| {
                        seed::image_content(key, i)
                    });
                png(catalog, content, THUMB_PX)
            }),
        "simgad" => seed::parse_id(super::google::ID_PREFIX, file)
            .filter(|(key, obj, i)| {
                *obj == Obj::Image && exists(catalog, *key) && *i < catalog.seed.images
            })
            .map(|(key, _, i)| png(catalog, seed::image_content(key, i), catalog.seed.image_px)),
        _ => None,
    };
    match found {
        Some((bytes, content_type)) => (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, content_type),
                (header::CACHE_CONTROL, "max-age=1209600, no-transform"),
            ],
            bytes,
        )
            .into_response(),
        None => plain(StatusCode::NOT_FOUND, "Not Found"),
    }
}

fn exists(catalog: &Catalog, key: u32) -> bool {
    catalog.by_key(key).is_some()
}

fn video(catalog: &Catalog, id: &str) -> Option<(u32, usize)> {
    seed::parse_id(meta::ID_PREFIX, id)
        .filter(|(key, obj, v)| {
            *obj == Obj::Video && exists(catalog, *key) && *v < catalog.seed.videos
        })
        .map(|(key, _, v)| (key, v))
}

/// A PNG for `content` at `px`×`px`: one of [`PATTERNS`] pictures (encoded once), with a
/// `tEXt` chunk naming `content` so every image has its own bytes. Keeps the emulator's CPU
/// out of what the import benchmark measures; the client still decodes real pixels.
fn png(catalog: &Catalog, content: u64, px: u32) -> (Bytes, &'static str) {
    let px = px.clamp(8, 4_096);
    let pattern = content % PATTERNS;
    let base = {
        let mut cache = catalog.cache.lock().unwrap_or_else(PoisonError::into_inner);
        cache
            .map
            .entry((pattern, px))
            .or_insert_with(|| {
                Bytes::from(encode_png(pattern.wrapping_mul(0x9E37_79B9_7F4A_7C15), px))
            })
            .clone()
    };
    (
        Bytes::from(with_text_chunk(&base, &format!("emulator image {content}"))),
        "image/png",
    )
}

/// `png` with a `tEXt` chunk (keyword `Comment`) inserted before its final `IEND` chunk.
pub(crate) fn with_text_chunk(png: &[u8], text: &str) -> Vec<u8> {
    const IEND_LEN: usize = 12;
    if png.len() < 8 + IEND_LEN {
        return png.to_vec();
    }
    let (head, iend) = png.split_at(png.len() - IEND_LEN);
    let mut data = b"Comment\0".to_vec();
    data.extend_from_slice(text.as_bytes());
    let mut crc = crc32fast::Hasher::new();
    crc.update(b"tEXt");
    crc.update(&data);
    let mut out = Vec::with_capacity(png.len() + data.len() + 12);
    out.extend_from_slice(head);
    out.extend_from_slice(&u32::try_from(data.len()).unwrap_or(0).to_be_bytes());
    out.extend_from_slice(b"tEXt");
    out.extend_from_slice(&data);
    out.extend_from_slice(&crc.finalize().to_be_bytes());
    out.extend_from_slice(iend);
    out
}

/// A gradient with stripes and a block, coloured and placed by `content`, so each image
/// looks different; fast compression keeps the CPU cost small.
pub(crate) fn encode_png(content: u64, px: u32) -> Vec<u8> {
    let size = px as usize;
    let base = [
        (content & 0xff) as u8,
        (content >> 8 & 0xff) as u8,
        (content >> 16 & 0xff) as u8,
    ];
    let stripe = 4 + (content >> 24) as usize % 28;
    let (bx, by) = (
        (content >> 32) as usize % size.max(1),
        (content >> 44) as usize % size.max(1),
    );
    let block = size / 5;
    let mut data = Vec::with_capacity(size * size * 3);
    for y in 0..size {
        for x in 0..size {
            let g = ((x + y) * 255 / (2 * size).max(1)) as u8;
            let on_stripe = (x / stripe + y / stripe).is_multiple_of(2);
            let in_block = x.wrapping_sub(bx) < block && y.wrapping_sub(by) < block;
            let pixel = if in_block {
                [255 - base[0], 255 - base[1], 255 - base[2]]
            } else if on_stripe {
                [base[0].wrapping_add(g), base[1], base[2].wrapping_sub(g)]
            } else {
                [base[0] / 2, base[1].wrapping_add(g), base[2] / 2]
            };
            data.extend_from_slice(&pixel);
        }
    }
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, px, px);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    let written = encoder
        .write_header()
        .and_then(|mut w| w.write_image_data(&data));
    if written.is_err() {
        tracing::warn!("could not encode a generated PNG");
    }
    out
}

/// A small MP4: an `ftyp` box (so sniffing says video/mp4), a `moov` with its `mvhd`
/// (the duration), and a few KB of `mdat`.
fn mp4(key: u32, v: usize) -> Bytes {
    let length_ms = (meta::video_length(v) * 1000.0) as u32;
    let mut out = Vec::with_capacity(5_000);
    let mut boxed = |kind: &[u8; 4], body: &[u8]| {
        let size = u32::try_from(8 + body.len()).unwrap_or(u32::MAX);
        out.extend_from_slice(&size.to_be_bytes());
        out.extend_from_slice(kind);
        out.extend_from_slice(body);
    };
    boxed(b"ftyp", b"isom\x00\x00\x02\x00isomiso2avc1mp41");
    let mut mvhd = vec![0u8; 100];
    mvhd[12..16].copy_from_slice(&1000u32.to_be_bytes());
    mvhd[16..20].copy_from_slice(&length_ms.to_be_bytes());
    mvhd[20..24].copy_from_slice(&0x0001_0000u32.to_be_bytes());
    mvhd[24..26].copy_from_slice(&0x0100u16.to_be_bytes());
    // The identity matrix.
    mvhd[36..40].copy_from_slice(&0x0001_0000u32.to_be_bytes());
    mvhd[52..56].copy_from_slice(&0x0001_0000u32.to_be_bytes());
    mvhd[68..72].copy_from_slice(&0x4000_0000u32.to_be_bytes());
    mvhd[96..100].copy_from_slice(&2u32.to_be_bytes());
    let mut moov = Vec::with_capacity(108);
    moov.extend_from_slice(&108u32.to_be_bytes());
    moov.extend_from_slice(b"mvhd");
    moov.extend_from_slice(&mvhd);
    boxed(b"moov", &moov);
    let noise: Vec<u8> = (0..4_096u64)
        .map(|i| (seed::mix(u64::from(key) * 1_000 + v as u64, i) & 0xff) as u8)
        .collect();
    boxed(b"mdat", &noise);
    Bytes::from(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_images_are_pngs_of_the_asked_size() {
        let bytes = encode_png(42, 32);
        assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG signature");
        let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        let reader = decoder.read_info().expect("the PNG decodes");
        assert_eq!((reader.info().width, reader.info().height), (32, 32));
        assert_ne!(encode_png(1, 32), encode_png(2, 32), "images differ");
    }

    #[test]
    fn signatures_bind_path_and_expiry() {
        let url = signed("http://h", "/__cdn/img/x.png", DateTime::<Utc>::UNIX_EPOCH);
        assert!(url.contains("oe=E10&oh="), "{url}");
        assert_ne!(signature("/a", 1), signature("/a", 2));
        assert_ne!(signature("/a", 1), signature("/b", 1));
    }
}
