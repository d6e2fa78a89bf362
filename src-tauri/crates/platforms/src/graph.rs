//! Meta's Graph API, shared by Facebook Login (`meta`) and Instagram Login (`instagram`):
//! its GET calls and its error shape `{error: {message, type, code, error_subcode,
//! fbtrace_id}}`.

use crate::http::{self, Answer};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Map, Value};
use switchboard_oauth::{redact, FlowError, ProviderError};

/// GET with a query (Meta's code and long-lived exchanges, Instagram's renewal) and return
/// the JSON object, or Graph's error.
pub(crate) async fn get(
    http: &reqwest::Client,
    url: &str,
    query: &[(&str, &str)],
    secrets: &[&SecretString],
) -> Result<Map<String, Value>, FlowError> {
    read(http::send(http.get(url).query(query)).await?, secrets)
}

/// GET a Graph API object with `Authorization: Bearer` (never `?access_token=`).
pub(crate) async fn get_bearer(
    http: &reqwest::Client,
    url: &str,
    token: &SecretString,
    secrets: &[&SecretString],
) -> Result<Map<String, Value>, FlowError> {
    let request = http.get(url).bearer_auth(token.expose_secret());
    read(http::send(request).await?, &with(secrets, token))
}

/// `secrets` and one more.
pub(crate) fn with<'a>(
    secrets: &[&'a SecretString],
    one: &'a SecretString,
) -> Vec<&'a SecretString> {
    let mut all = secrets.to_vec();
    all.push(one);
    all
}

pub(crate) fn read(
    answer: Answer,
    secrets: &[&SecretString],
) -> Result<Map<String, Value>, FlowError> {
    if answer.is_success() {
        answer.object()
    } else {
        Err(error(&answer, secrets))
    }
}

/// Graph's error as a [`FlowError`] whose `error` the shared classification understands;
/// Graph's own code and subcode stay in the description.
pub(crate) fn error(answer: &Answer, secrets: &[&SecretString]) -> FlowError {
    let Some(Value::Object(e)) = answer.json().and_then(|v| v.get("error").cloned()) else {
        return answer.error(secrets);
    };
    let code = e.get("code").and_then(Value::as_i64);
    let subcode = e.get("error_subcode").and_then(Value::as_i64);
    let error = match (code, subcode) {
        // why: a spent code is code 100 with subcode 36009 ("This authorization code has
        // been used", as Meta answers it in public code handling these errors); 36007 is
        // taken to be its "expired" sibling (unverified). Either way the user starts over.
        (Some(100), Some(36007 | 36009)) => "invalid_grant".to_owned(),
        // why: 4, 17, 32 and 613 are Graph's throttling codes (application, user, page and
        // custom limits, Meta's rate-limiting guide; not in the research note).
        (Some(4 | 17 | 32 | 613), _) => "rate_limited".to_owned(),
        // 190 (invalid or expired token) is already a dead grant in the shared classification.
        (Some(c), _) => c.to_string(),
        (None, _) => e
            .get("type")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .unwrap_or_else(|| format!("http_{}", answer.status)),
    };
    let graph = match (code, subcode) {
        (Some(c), Some(s)) => format!("Graph error {c}/{s}"),
        (Some(c), None) => format!("Graph error {c}"),
        _ => "Graph error".to_owned(),
    };
    let message = e
        .get("message")
        .and_then(Value::as_str)
        .map(|m| redact(m, secrets));
    FlowError::Provider(ProviderError {
        status: answer.status,
        error,
        description: Some(match message {
            Some(m) => format!("{m} ({graph})"),
            None => graph,
        }),
        retry_after: answer.retry_after,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use switchboard_oauth::ErrorClass;

    fn answer(status: u16, body: &str) -> Answer {
        Answer {
            status,
            retry_after: None,
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn graph_codes_map_to_classes() {
        let used = error(
            &answer(
                400,
                r#"{"error":{"message":"This authorization code has been used.","type":"OAuthException","code":100,"error_subcode":36009,"fbtrace_id":"A1"}}"#,
            ),
            &[],
        );
        assert_eq!(used.class(), ErrorClass::GrantDead, "a spent code: {used}");
        assert!(used.to_string().contains("Graph error 100/36009"), "{used}");

        let expired = error(
            &answer(
                400,
                r#"{"error":{"message":"Session has expired","type":"OAuthException","code":190}}"#,
            ),
            &[],
        );
        assert_eq!(expired.class(), ErrorClass::GrantDead, "{expired}");

        let throttled = error(
            &answer(
                400,
                r#"{"error":{"message":"User request limit reached","code":17}}"#,
            ),
            &[],
        );
        assert_eq!(throttled.class(), ErrorClass::Transient, "{throttled}");

        let secret = error(
            &answer(
                400,
                r#"{"error":{"message":"Error validating client secret.","type":"OAuthException","code":1}}"#,
            ),
            &[],
        );
        assert_eq!(secret.class(), ErrorClass::Permanent, "{secret}");
    }

    #[test]
    fn echoed_secrets_are_redacted_and_other_shapes_fall_back() {
        let s = SecretString::from("CANARY-graph-secret");
        let e = error(
            &answer(
                400,
                r#"{"error":{"message":"bad secret CANARY-graph-secret","code":1}}"#,
            ),
            &[&s],
        );
        assert!(!e.to_string().contains("CANARY"), "{e}");
        let e = error(&answer(502, "<html>Bad gateway</html>"), &[]);
        assert_eq!(e.class(), ErrorClass::Transient, "{e}");
    }
}
