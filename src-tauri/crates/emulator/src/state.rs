//! What one platform remembers: authorizations waiting for consent, codes, grants, tokens,
//! queued faults and counters. Time comes from a [`Clock`] tests can move forward.

use crate::fault::{Fault, Stats};
use base64::Engine as _;
use chrono::{DateTime, Duration, Utc};
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Mutex;

/// Wall-clock time plus an offset tests can advance (code expiry, Instagram's 24 h rule).
#[derive(Debug, Default)]
pub(crate) struct Clock {
    offset: Mutex<Duration>,
}

impl Clock {
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + *self.offset.lock().expect("clock lock")
    }

    pub fn advance(&self, by: Duration) {
        *self.offset.lock().expect("clock lock") += by;
    }
}

/// An authorization request shown to the user and not decided yet.
#[derive(Debug, Clone)]
pub(crate) struct Pending {
    pub client_id: String,
    pub redirect_uri: String,
    pub state: Option<String>,
    pub scopes: Vec<String>,
    /// The S256 PKCE challenge, when one was sent.
    pub challenge: Option<String>,
    /// `prompt=consent` was asked (Google issues a refresh token again only then).
    pub prompt_consent: bool,
    /// The request asked for offline access the platform's way (a refresh token).
    pub offline: bool,
}

/// An authorization code: single use, short-lived, bound to its request.
#[derive(Debug)]
pub(crate) struct Code {
    pub auth: Pending,
    pub user: String,
    pub issued: DateTime<Utc>,
}

/// What the user granted one client; tokens point at it.
#[derive(Debug)]
pub(crate) struct Grant {
    pub user: String,
    pub client_id: String,
    pub scopes: Vec<String>,
    pub revoked: bool,
    /// A refresh-token expiry fixed at consent (LinkedIn: refreshing does not extend it).
    pub refresh_expires: Option<DateTime<Utc>>,
}

#[derive(Debug)]
pub(crate) struct Access {
    pub grant: usize,
    pub issued: DateTime<Utc>,
    pub expires: Option<DateTime<Utc>>,
    /// Meta's and Instagram's long-lived tokens (only those can be renewed).
    pub long_lived: bool,
}

#[derive(Debug)]
pub(crate) struct Refresh {
    pub grant: usize,
    pub expires: Option<DateTime<Utc>>,
    /// Replaced by a newer one on a platform where the old one dies (TikTok, X).
    pub retired: bool,
}

#[derive(Debug, Default)]
pub(crate) struct Store {
    pub pending: HashMap<String, Pending>,
    pub codes: HashMap<String, Code>,
    pub spent_codes: HashSet<String>,
    pub grants: Vec<Grant>,
    pub access: HashMap<String, Access>,
    pub refresh: HashMap<String, Refresh>,
    /// (client, user) pairs that consented before (Google's first-consent rule).
    pub consented: HashSet<(String, String)>,
    pub faults: VecDeque<Fault>,
    pub stats: Stats,
    /// Server errors sent so far, so they alternate 500 and 503.
    pub server_errors: u32,
    /// Report runs, call windows and asset faults of the import routes.
    pub import: crate::import::ImportState,
    /// Posts, media, requests and faults of the publishing routes.
    pub publish: crate::publish::PublishState,
}

impl Store {
    pub fn new_grant(&mut self, user: &str, client_id: &str, scopes: Vec<String>) -> usize {
        self.grants.push(Grant {
            user: user.to_owned(),
            client_id: client_id.to_owned(),
            scopes,
            revoked: false,
            refresh_expires: None,
        });
        self.grants.len() - 1
    }

    /// A new access token; returns it with its lifetime in seconds.
    pub fn issue_access(
        &mut self,
        grant: usize,
        now: DateTime<Utc>,
        lifetime: Option<i64>,
        long_lived: bool,
    ) -> String {
        let token = random_token("at");
        self.access.insert(
            token.clone(),
            Access {
                grant,
                issued: now,
                expires: lifetime.map(|s| now + Duration::seconds(s)),
                long_lived,
            },
        );
        token
    }

    pub fn issue_refresh(&mut self, grant: usize, expires: Option<DateTime<Utc>>) -> String {
        let token = random_token("rt");
        self.refresh.insert(
            token.clone(),
            Refresh {
                grant,
                expires,
                retired: false,
            },
        );
        token
    }

    /// The access token's record, if it still works.
    pub fn live_access(&self, token: &str, now: DateTime<Utc>) -> Option<&Access> {
        let access = self.access.get(token)?;
        let alive = access.expires.is_none_or(|e| e > now) && !self.grants[access.grant].revoked;
        alive.then_some(access)
    }

    /// The grant an access or refresh token belongs to.
    pub fn grant_of(&self, token: &str) -> Option<usize> {
        self.access
            .get(token)
            .map(|a| a.grant)
            .or_else(|| self.refresh.get(token).map(|r| r.grant))
    }

    /// Revoke every grant of a user.
    pub fn revoke_user(&mut self, user: &str) {
        for grant in self.grants.iter_mut().filter(|g| g.user == user) {
            grant.revoked = true;
        }
    }
}

/// An unguessable token with a readable prefix (`at`, `rt`, `code`, `req`). Credentials
/// (access and refresh tokens, codes) carry the `CANARY-token-` marker, so the test
/// suite's log and output scan catches any that leak.
pub(crate) fn random_token(prefix: &str) -> String {
    let bytes: [u8; 24] = rand::random();
    let marker = match prefix {
        "at" | "rt" | "code" => "CANARY-token-",
        _ => "",
    };
    format!(
        "{marker}emu-{prefix}-{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}
