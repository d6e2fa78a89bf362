//! Between the OAuth layer's [`TokenSet`] and the vault's [`StoredTokens`].

use chrono::{DateTime, Utc};
use switchboard_oauth::TokenSet;
use switchboard_store::domain::StoredTokens;

fn ts(t: Option<DateTime<Utc>>) -> Option<String> {
    t.map(crate::engine::rfc3339)
}

fn parse(t: &Option<String>) -> Option<DateTime<Utc>> {
    t.as_deref()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|d| d.with_timezone(&Utc))
}

pub fn to_stored(t: &TokenSet, version: i64) -> StoredTokens {
    StoredTokens {
        access_token: t.access_token.clone(),
        refresh_token: t.refresh_token.clone(),
        id_token: t.id_token.clone(),
        expires_at: ts(t.expires_at),
        refresh_expires_at: ts(t.refresh_expires_at),
        scopes_granted: t.scopes.clone(),
        extra: serde_json::Value::Object(t.extra.clone()).to_string(),
        version,
    }
}

pub fn from_stored(s: &StoredTokens) -> TokenSet {
    TokenSet {
        access_token: s.access_token.clone(),
        refresh_token: s.refresh_token.clone(),
        expires_at: parse(&s.expires_at),
        refresh_expires_at: parse(&s.refresh_expires_at),
        scopes: s.scopes_granted.clone(),
        id_token: s.id_token.clone(),
        extra: serde_json::from_str(&s.extra).unwrap_or_default(),
    }
}

pub fn expires_at(s: &StoredTokens) -> Option<DateTime<Utc>> {
    parse(&s.expires_at)
}

pub fn refresh_expires_at(s: &StoredTokens) -> Option<DateTime<Utc>> {
    parse(&s.refresh_expires_at)
}
