//! Meta Marketing API rate-limit signals and error codes (import-apis reference §1.1):
//! usage headers `x-app-usage`, `x-ad-account-usage`, `x-business-use-case-usage`,
//! `x-fb-ads-insights-throttle`; error codes 4/17/32/613/80000–80014 (rate), 190 (token),
//! 100 with subcode 2446289 (a broken creative).

use crate::limits::{ApiVerdict, Usage};
use serde_json::Value;
use std::time::Duration;

fn pct(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// The highest usage any of Meta's headers reports, and its regain estimate. `header`
/// looks a header up by lower-case name. Unreadable headers are ignored.
pub fn usage(header: impl Fn(&str) -> Option<String>) -> Usage {
    let mut u = Usage::default();
    let mut take = |p: Option<f64>| {
        if let Some(p) = p {
            u.highest_pct = u.highest_pct.max(p);
        }
    };
    let json = |name: &str| header(name).and_then(|h| serde_json::from_str::<Value>(&h).ok());
    if let Some(app) = json("x-app-usage") {
        for k in ["call_count", "total_time", "total_cputime"] {
            take(app.get(k).and_then(pct));
        }
    }
    if let Some(acc) = json("x-ad-account-usage") {
        take(acc.get("acc_id_util_pct").and_then(pct));
        if let Some(reset) = acc
            .get("reset_time_duration")
            .and_then(pct)
            .filter(|s| *s > 0.0)
        {
            u.regain_after = Some(Duration::from_secs_f64(reset));
        }
    }
    if let Some(throttle) = json("x-fb-ads-insights-throttle") {
        for k in ["app_id_util_pct", "acc_id_util_pct"] {
            take(throttle.get(k).and_then(pct));
        }
    }
    if let Some(Value::Object(by_business)) = json("x-business-use-case-usage") {
        for entries in by_business.values() {
            for e in entries.as_array().into_iter().flatten() {
                for k in ["call_count", "total_time", "total_cputime"] {
                    take(e.get(k).and_then(pct));
                }
                // Minutes.
                if let Some(m) = e.get("estimated_time_to_regain_access").and_then(pct) {
                    if m > 0.0 {
                        let d = Duration::from_secs_f64(m * 60.0);
                        u.regain_after = Some(u.regain_after.map_or(d, |x| x.max(d)));
                    }
                }
            }
        }
    }
    u
}

/// A Graph error body `{"error": {message, type, code, error_subcode, is_transient}}`.
pub fn classify(status: u16, body: &Value) -> ApiVerdict {
    let e = body.get("error").cloned().unwrap_or(Value::Null);
    let code = e.get("code").and_then(Value::as_i64).unwrap_or(0);
    let sub = e.get("error_subcode").and_then(Value::as_i64).unwrap_or(0);
    let message = e
        .get("message")
        .and_then(Value::as_str)
        .unwrap_or("unknown error");
    let mut raw = format!("({code}/{sub}) {message}");
    // The user-facing title and text say which object and why ("Ad Creative Is
    // Incomplete: The post you selected for your ad is not available…").
    let user = |k: &str| e.get(k).and_then(Value::as_str).filter(|s| !s.is_empty());
    match (user("error_user_title"), user("error_user_msg")) {
        (Some(t), Some(m)) => raw.push_str(&format!(" — {t}: {m}")),
        (Some(t), None) | (None, Some(t)) => raw.push_str(&format!(" — {t}")),
        (None, None) => {}
    }
    let transient = e.get("is_transient").and_then(Value::as_bool) == Some(true);
    match code {
        4 | 17 | 32 | 613 | 80000..=80014 => ApiVerdict::RateLimited { wait: None, raw },
        190 | 102 => ApiVerdict::ReconnectNeeded { raw },
        100 if sub == 2446289 => ApiVerdict::BrokenObject { raw },
        // why: subcode 99 and code 2 are Meta's "temporary" errors; 1 is "unknown", which
        // Airbyte and Singer both retry.
        _ if transient || code == 1 || code == 2 || sub == 99 || status >= 500 => {
            ApiVerdict::Transient { raw }
        }
        _ => ApiVerdict::Permanent { raw },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::Pace;
    use serde_json::json;

    fn headers<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn the_highest_usage_wins_and_the_regain_estimate_is_kept() {
        let u = usage(headers(&[
            (
                "x-app-usage",
                r#"{"call_count":28,"total_time":25,"total_cputime":25}"#,
            ),
            (
                "x-ad-account-usage",
                r#"{"acc_id_util_pct":9.67,"reset_time_duration":0,"ads_api_access_tier":"standard_access"}"#,
            ),
            (
                "x-business-use-case-usage",
                r#"{"1234":[{"type":"ads_management","call_count":96,"total_cputime":20,"total_time":20,"estimated_time_to_regain_access":3}]}"#,
            ),
        ]));
        assert_eq!(u.highest_pct, 96.0);
        assert_eq!(u.regain_after, Some(Duration::from_secs(180)));
        assert_eq!(
            u.pace(),
            Pace::Pause {
                wait: Duration::from_secs(180)
            }
        );
    }

    #[test]
    fn pace_slows_before_the_limit() {
        let u = usage(headers(&[(
            "x-fb-ads-insights-throttle",
            r#"{"app_id_util_pct":85,"acc_id_util_pct":10}"#,
        )]));
        match u.pace() {
            Pace::SlowDown { fraction } => assert!((fraction - 0.625).abs() < 1e-9, "{fraction}"),
            other => panic!("{other:?}"),
        }
        assert_eq!(usage(headers(&[])).pace(), Pace::Go);
        assert_eq!(
            usage(headers(&[("x-app-usage", "not json")])).pace(),
            Pace::Go
        );
        // At the limit without an estimate: the minimum pause.
        let u = usage(headers(&[("x-app-usage", r#"{"call_count":100}"#)]));
        assert_eq!(
            u.pace(),
            Pace::Pause {
                wait: crate::limits::MIN_PAUSE
            }
        );
    }

    #[test]
    fn error_codes() {
        let err = |code: i64, sub: i64| json!({"error": {"message": "m", "type": "OAuthException", "code": code, "error_subcode": sub, "fbtrace_id": "x"}});
        assert!(matches!(
            classify(400, &err(17, 2446079)),
            ApiVerdict::RateLimited { .. }
        ));
        assert!(matches!(
            classify(400, &err(80004, 0)),
            ApiVerdict::RateLimited { .. }
        ));
        assert!(matches!(
            classify(400, &err(190, 463)),
            ApiVerdict::ReconnectNeeded { .. }
        ));
        assert!(matches!(
            classify(400, &err(100, 2446289)),
            ApiVerdict::BrokenObject { .. }
        ));
        assert!(matches!(
            classify(400, &err(2, 0)),
            ApiVerdict::Transient { .. }
        ));
        assert!(matches!(
            classify(500, &err(100, 0)),
            ApiVerdict::Transient { .. }
        ));
        assert!(matches!(
            classify(400, &err(100, 33)),
            ApiVerdict::Permanent { .. }
        ));
        assert!(matches!(
            classify(502, &json!("<html>")),
            ApiVerdict::Transient { .. }
        ));
    }
}
