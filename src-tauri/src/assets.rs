//! The `sbasset:` protocol: the UI shows library images and plays videos straight from the
//! encrypted vault (`sbasset://localhost/<client>/<asset>[?thumb=1]`, or
//! `http://sbasset.localhost/…` on Windows). Bytes are decrypted in memory per request;
//! no plaintext copy is ever written to disk. Videos seek with HTTP ranges.

use std::sync::Arc;
use switchboard_api::Switchboard;
use tauri::http::{header, Request, Response, StatusCode};

pub const SCHEME: &str = "sbasset";

/// `bytes=START-[END]` → (start, inclusive end). Suffix and multi-ranges are not served
/// (the whole file is answered instead, which is valid HTTP).
pub fn parse_range(value: &str) -> Option<(u64, Option<u64>)> {
    let spec = value.trim().strip_prefix("bytes=")?;
    if spec.contains(',') {
        return None;
    }
    let (start, end) = spec.split_once('-')?;
    let start: u64 = start.trim().parse().ok()?;
    let end = match end.trim() {
        "" => None,
        e => Some(e.parse::<u64>().ok().filter(|e| *e >= start)?),
    };
    Some((start, end))
}

/// (client id, asset id, thumbnail?) from the request path and query.
fn target(uri: &tauri::http::Uri) -> Option<(String, String, bool)> {
    let mut parts = uri.path().trim_start_matches('/').split('/');
    let client = parts.next()?;
    let asset = parts.next()?;
    if parts.next().is_some() {
        return None;
    }
    let ok = |s: &str| {
        !s.is_empty() && s.len() <= 64 && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    if !ok(client) || !ok(asset) {
        return None;
    }
    let thumb = uri
        .query()
        .is_some_and(|q| q.split('&').any(|p| p == "thumb=1"));
    Some((client.to_owned(), asset.to_owned(), thumb))
}

fn plain(status: StatusCode, text: &str) -> Response<Vec<u8>> {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
        .body(text.as_bytes().to_vec())
        .unwrap_or_default()
}

/// Answer one request (runs on the blocking pool).
pub fn serve(sb: &Arc<Switchboard>, request: &Request<Vec<u8>>) -> Response<Vec<u8>> {
    let Some((client, asset, thumb)) = target(request.uri()) else {
        return plain(StatusCode::BAD_REQUEST, "not an asset address");
    };
    let range = request
        .headers()
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .and_then(parse_range);
    match sb.asset_slice(&client, &asset, thumb, range) {
        Ok(slice) => {
            let size = slice.content.size.max(0) as u64;
            let partial = range.is_some();
            if partial && slice.start >= size && size > 0 {
                return Response::builder()
                    .status(StatusCode::RANGE_NOT_SATISFIABLE)
                    .header(header::CONTENT_RANGE, format!("bytes */{size}"))
                    .body(Vec::new())
                    .unwrap_or_default();
            }
            let mut b = Response::builder()
                .status(if partial {
                    StatusCode::PARTIAL_CONTENT
                } else {
                    StatusCode::OK
                })
                .header(header::CONTENT_TYPE, &slice.content.mime)
                .header(header::CONTENT_LENGTH, slice.bytes.len())
                .header(header::ACCEPT_RANGES, "bytes")
                .header("X-Content-Type-Options", "nosniff")
                // why: content-addressed, so it never changes; kept in memory only.
                .header(
                    header::CACHE_CONTROL,
                    "private, max-age=31536000, immutable",
                )
                .header(header::ETAG, format!("\"{}\"", slice.content.sha256));
            if partial {
                let end = slice.start + slice.bytes.len() as u64;
                b = b.header(
                    header::CONTENT_RANGE,
                    format!("bytes {}-{}/{size}", slice.start, end.saturating_sub(1)),
                );
            }
            b.body(slice.bytes).unwrap_or_default()
        }
        Err(e) if e.code == "not_found" => plain(StatusCode::NOT_FOUND, "no such asset"),
        Err(e) => {
            tracing::warn!(code = %e.code, "asset not served: {}", e.message);
            plain(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the asset could not be read",
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(parse_range("bytes=0-"), Some((0, None)));
        assert_eq!(parse_range("bytes=100-199"), Some((100, Some(199))));
        assert_eq!(parse_range("bytes=200-100"), None);
        assert_eq!(parse_range("bytes=-500"), None);
        assert_eq!(parse_range("bytes=0-1,5-6"), None);
        assert_eq!(parse_range("items=0-1"), None);
    }

    #[test]
    fn targets() {
        let t = |s: &str| target(&s.parse().unwrap());
        assert_eq!(
            t("sbasset://localhost/c-1/a-2?thumb=1"),
            Some(("c-1".into(), "a-2".into(), true))
        );
        assert_eq!(
            t("http://sbasset.localhost/c/a"),
            Some(("c".into(), "a".into(), false))
        );
        assert_eq!(t("sbasset://localhost/c/../a"), None);
        assert_eq!(t("sbasset://localhost/c/a/b"), None);
        assert_eq!(t("sbasset://localhost/c"), None);
    }
}
