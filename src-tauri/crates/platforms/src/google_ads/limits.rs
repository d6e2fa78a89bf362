//! Google Ads API error bodies (import-apis reference §1.2): `RESOURCE_EXHAUSTED` with a
//! `retryDelay` (in `quotaErrorDetails` or a `google.rpc.RetryInfo` detail), and
//! `UNAUTHENTICATED` when the grant is gone.

use crate::limits::ApiVerdict;
use serde_json::Value;
use std::time::Duration;

/// `"39.5s"` → 39.5 s (the protobuf Duration JSON form).
pub fn parse_duration(s: &str) -> Option<Duration> {
    let secs: f64 = s.trim().strip_suffix('s')?.parse().ok()?;
    (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs))
}

/// The longest `retryDelay` anywhere in the error's details.
fn retry_delay(v: &Value) -> Option<Duration> {
    match v {
        Value::Object(m) => {
            let here = m
                .get("retryDelay")
                .and_then(Value::as_str)
                .and_then(parse_duration);
            m.values().filter_map(retry_delay).chain(here).max()
        }
        Value::Array(a) => a.iter().filter_map(retry_delay).max(),
        _ => None,
    }
}

/// A Google API error body `{"error": {code, message, status, details[]}}`, also wrapped in
/// an array as `googleAds:searchStream` answers it (`[{"error": …}]`).
pub fn classify(status: u16, body: &Value) -> ApiVerdict {
    // why: searchStream wraps even its errors in the stream's array
    // (https://developers.google.com/google-ads/api/rest/common/search; research note §1.2).
    let body = match body {
        Value::Array(items) => items
            .iter()
            .find(|i| i.get("error").is_some())
            .unwrap_or(&Value::Null),
        other => other,
    };
    let e = body.get("error").cloned().unwrap_or(Value::Null);
    let grpc = e.get("status").and_then(Value::as_str).unwrap_or("");
    let message = e
        .get("message")
        .and_then(Value::as_str)
        .unwrap_or("unknown error");
    let raw = format!("{grpc}: {message}");
    match grpc {
        "RESOURCE_EXHAUSTED" => ApiVerdict::RateLimited {
            wait: retry_delay(&e),
            raw,
        },
        "UNAUTHENTICATED" => ApiVerdict::ReconnectNeeded { raw },
        "UNAVAILABLE" | "INTERNAL" | "DEADLINE_EXCEEDED" | "ABORTED" => {
            ApiVerdict::Transient { raw }
        }
        _ if status == 429 => ApiVerdict::RateLimited { wait: None, raw },
        _ if status >= 500 => ApiVerdict::Transient { raw },
        _ => ApiVerdict::Permanent { raw },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn quota_errors_carry_their_delay() {
        let body = json!({"error": {"code": 429, "message": "Resource has been exhausted", "status": "RESOURCE_EXHAUSTED",
            "details": [{"@type": "type.googleapis.com/google.ads.googleads.v22.errors.GoogleAdsFailure",
                "errors": [{"errorCode": {"quotaError": "RESOURCE_EXHAUSTED"}, "message": "Too many requests",
                    "details": {"quotaErrorDetails": {"rateScope": "DEVELOPER", "rateName": "Number of operations for basic access", "retryDelay": "39.5s"}}}]}]}});
        assert_eq!(
            classify(429, &body),
            ApiVerdict::RateLimited {
                wait: Some(Duration::from_millis(39_500)),
                raw: "RESOURCE_EXHAUSTED: Resource has been exhausted".into()
            }
        );
        let retry_info = json!({"error": {"code": 429, "status": "RESOURCE_EXHAUSTED", "message": "m",
            "details": [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "40000s"}]}});
        assert!(
            matches!(classify(429, &retry_info), ApiVerdict::RateLimited { wait: Some(d), .. } if d.as_secs() == 40_000)
        );
    }

    #[test]
    fn auth_transient_and_permanent() {
        let e = |status: &str| json!({"error": {"code": 0, "message": "m", "status": status}});
        assert!(matches!(
            classify(401, &e("UNAUTHENTICATED")),
            ApiVerdict::ReconnectNeeded { .. }
        ));
        assert!(matches!(
            classify(503, &e("UNAVAILABLE")),
            ApiVerdict::Transient { .. }
        ));
        assert!(matches!(
            classify(400, &e("INVALID_ARGUMENT")),
            ApiVerdict::Permanent { .. }
        ));
        assert!(matches!(
            classify(500, &json!({})),
            ApiVerdict::Transient { .. }
        ));
        let wrapped =
            json!([{"error": {"code": 401, "message": "m", "status": "UNAUTHENTICATED"}}]);
        assert!(
            matches!(classify(401, &wrapped), ApiVerdict::ReconnectNeeded { .. }),
            "the array wrapper of searchStream errors is looked through"
        );
        assert_eq!(parse_duration("bad"), None);
        assert_eq!(parse_duration("-1s"), None);
    }
}
