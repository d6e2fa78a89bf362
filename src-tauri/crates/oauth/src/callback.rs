//! The authorization response (RFC 6749 §4.1.2), however it arrives: a loopback request,
//! a deep link, or the https relay. Parsed strictly; values never reach Debug output.

use secrecy::SecretString;
use std::fmt;

/// Longest query accepted. Real codes and states are well under 2 KiB.
pub const MAX_CALLBACK_QUERY: usize = 4096;

/// Parameters a provider may put on the redirect. Anything else is refused: a response
/// carrying unknown parameters was not built by the provider we sent the user to.
const KNOWN: &[&str] = &[
    "code",
    // TikTok Ads names the code `auth_code`.
    "auth_code",
    "state",
    "error",
    "error_description",
    "error_uri",
    // Meta and Instagram add `error_reason=user_denied` to a declined login.
    "error_reason",
    // RFC 9207 issuer identification.
    "iss",
    // Echoed by Google (`scope`, `authuser`, `prompt`, `hd`), TikTok (`scopes`) and OIDC
    // servers (`session_state`); harmless and ignored.
    "scope",
    "scopes",
    "authuser",
    "prompt",
    "hd",
    "session_state",
];

/// What the provider sent back.
#[derive(Clone)]
pub enum Callback {
    /// The user approved: a code to exchange.
    Code {
        code: SecretString,
        state: String,
        /// RFC 9207 `iss`, compared with the expected issuer where the provider sends one.
        iss: Option<String>,
    },
    /// The provider refused (`access_denied`, `invalid_scope`, …).
    Error {
        state: String,
        error: String,
        description: Option<String>,
    },
}

impl Callback {
    pub fn state(&self) -> &str {
        match self {
            Callback::Code { state, .. } | Callback::Error { state, .. } => state,
        }
    }
}

impl fmt::Debug for Callback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Callback::Code { iss, .. } => write!(f, "Callback::Code {{ iss: {iss:?}, .. }}"),
            Callback::Error { error, .. } => write!(f, "Callback::Error {{ error: {error:?} }}"),
        }
    }
}

/// Why a callback was refused. Messages never repeat parameter values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallbackError {
    #[error("the sign-in response is longer than {MAX_CALLBACK_QUERY} bytes")]
    TooLong,
    #[error("the sign-in response has an unexpected parameter '{0}'")]
    Unexpected(String),
    #[error("the sign-in response repeats the parameter '{0}'")]
    Duplicate(String),
    #[error("the sign-in response has an empty '{0}'")]
    Empty(String),
    #[error("the sign-in response has no state")]
    NoState,
    #[error("the sign-in response needs exactly one of code or error")]
    CodeOrError,
    #[error("the sign-in response is not valid URL encoding")]
    Encoding,
}

/// Parse the query string of a redirect (without the leading `?`).
pub fn parse_callback_query(query: &str) -> Result<Callback, CallbackError> {
    if query.len() > MAX_CALLBACK_QUERY {
        return Err(CallbackError::TooLong);
    }
    let mut params: Vec<(String, String)> = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let k = decode(k)?;
        let v = decode(v)?;
        if !KNOWN.contains(&k.as_str()) {
            return Err(CallbackError::Unexpected(
                k.chars().take(32).filter(|c| !c.is_control()).collect(),
            ));
        }
        if params.iter().any(|(seen, _)| *seen == k) {
            return Err(CallbackError::Duplicate(k));
        }
        if v.is_empty() {
            return Err(CallbackError::Empty(k));
        }
        params.push((k, v));
    }
    let mut take = |key: &str| {
        params
            .iter()
            .position(|(k, _)| k == key)
            .map(|i| params.swap_remove(i).1)
    };
    let state = take("state").ok_or(CallbackError::NoState)?;
    let code = match (take("code"), take("auth_code")) {
        (Some(_), Some(_)) => return Err(CallbackError::CodeOrError),
        (code, auth_code) => code.or(auth_code),
    };
    let error = take("error");
    match (code, error) {
        (Some(code), None) => Ok(Callback::Code {
            code: SecretString::from(code),
            state,
            iss: take("iss"),
        }),
        (None, Some(error)) => Ok(Callback::Error {
            state,
            error,
            description: take("error_description"),
        }),
        _ => Err(CallbackError::CodeOrError),
    }
}

/// `application/x-www-form-urlencoded` decoding that refuses invalid UTF-8 and controls.
fn decode(raw: &str) -> Result<String, CallbackError> {
    let plus_as_space = raw.replace('+', " ");
    let decoded = percent_decode(&plus_as_space).ok_or(CallbackError::Encoding)?;
    if decoded.chars().any(char::is_control) {
        return Err(CallbackError::Encoding);
    }
    Ok(decoded)
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use secrecy::ExposeSecret;

    #[test]
    fn a_code_and_state() {
        let cb = parse_callback_query("code=abc%2F1&state=s1&iss=https%3A%2F%2Fidp&scope=a+b")
            .expect("valid");
        match cb {
            Callback::Code { code, state, iss } => {
                assert_eq!(code.expose_secret(), "abc/1");
                assert_eq!(state, "s1");
                assert_eq!(iss.as_deref(), Some("https://idp"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn tiktok_ads_auth_code_is_the_code() {
        let cb = parse_callback_query("auth_code=xyz&state=s").expect("valid");
        assert!(matches!(cb, Callback::Code { .. }));
        assert_eq!(
            parse_callback_query("auth_code=x&code=y&state=s").unwrap_err(),
            CallbackError::CodeOrError
        );
    }

    #[test]
    fn an_error_response() {
        let cb =
            parse_callback_query("error=access_denied&error_description=The+user+said+no&state=s")
                .expect("valid");
        match cb {
            Callback::Error {
                error, description, ..
            } => {
                assert_eq!(error, "access_denied");
                assert_eq!(description.as_deref(), Some("The user said no"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn refusals() {
        use CallbackError::*;
        let cases: &[(&str, CallbackError)] = &[
            ("code=a", NoState),
            ("state=s", CodeOrError),
            ("code=a&error=x&state=s", CodeOrError),
            ("code=a&code=b&state=s", Duplicate("code".into())),
            ("code=a&state=s&state=t", Duplicate("state".into())),
            (
                "code=a&state=s&redirect=evil",
                Unexpected("redirect".into()),
            ),
            ("code=&state=s", Empty("code".into())),
            ("code=%ZZ&state=s", Encoding),
            ("code=%FF&state=s", Encoding),
            ("code=a%0A&state=s", Encoding),
        ];
        for (query, expected) in cases {
            assert_eq!(
                &parse_callback_query(query).unwrap_err(),
                expected,
                "{query}"
            );
        }
        let long = format!("code={}&state=s", "a".repeat(MAX_CALLBACK_QUERY));
        assert_eq!(parse_callback_query(&long).unwrap_err(), TooLong);
    }

    #[test]
    fn debug_output_hides_the_code() {
        let cb = parse_callback_query("code=CANARY-oauth-code-5f1e&state=s").unwrap();
        assert!(!format!("{cb:?}").contains("CANARY"));
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: std::env::var("SB_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(20_000), ..ProptestConfig::default() })]

        /// Arbitrary input never panics, and whatever is accepted has a state and
        /// exactly one outcome.
        #[test]
        fn arbitrary_queries_never_panic(query in ".{0,600}") {
            if let Ok(cb) = parse_callback_query(&query) {
                prop_assert!(!cb.state().is_empty());
            }
        }

        /// Queries built from the known vocabulary are accepted exactly when they are
        /// well formed.
        #[test]
        fn structured_queries(
            keys in proptest::collection::vec(
                prop_oneof![Just("code"), Just("state"), Just("error"), Just("iss"),
                            Just("auth_code"), Just("junk"), Just("scope")],
                0..6),
            value in "[A-Za-z0-9._~-]{0,12}",
        ) {
            let query: Vec<String> = keys.iter().map(|k| format!("{k}={value}")).collect();
            let result = parse_callback_query(&query.join("&"));
            let count = |k: &str| keys.iter().filter(|x| **x == k).count();
            let codes = count("code") + count("auth_code");
            let well_formed = !value.is_empty()
                && count("junk") == 0
                && keys.iter().all(|k| count(k) == 1)
                && count("state") == 1
                && codes + count("error") == 1;
            prop_assert_eq!(result.is_ok(), well_formed, "{:?}", query);
        }
    }
}
