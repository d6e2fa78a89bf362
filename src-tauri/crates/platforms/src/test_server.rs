//! A local HTTP server answering recorded platform responses in order, and recording every
//! request it gets, for the import sources' tests.

use crate::import::{ImportScope, SourceCtx};
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;
use secrecy::SecretString;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use switchboard_oauth::{AppCredentials, ProviderDescriptor};

/// The token every test uses: it must never show up in a URL or a message.
pub(crate) const CANARY: &str = "CANARY-token-adapter-test";

/// One recorded answer.
pub(crate) struct Canned {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
    /// Sent in pieces of this many bytes (a streamed, chunked answer).
    pub chunk: Option<usize>,
}

impl Canned {
    pub fn json(status: u16, body: Vec<u8>) -> Self {
        Self {
            status,
            headers: vec![("content-type", "application/json".into())],
            body,
            chunk: None,
        }
    }

    pub fn header(mut self, name: &'static str, value: &str) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    pub fn chunked(mut self, size: usize) -> Self {
        self.chunk = Some(size);
        self
    }
}

/// A request as the server saw it.
#[derive(Debug, Clone)]
pub(crate) struct Seen {
    pub method: String,
    pub path: String,
    /// The raw path and query, to check no secret is in the URL.
    pub uri: String,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn form(&self) -> Vec<(String, String)> {
        url::form_urlencoded::parse(self.body.as_bytes())
            .into_owned()
            .collect()
    }
}

#[derive(Clone, Default)]
struct Shared {
    answers: Arc<Mutex<VecDeque<Canned>>>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

pub(crate) struct FakeApi {
    pub origin: String,
    shared: Shared,
}

async fn handle(
    State(shared): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    shared.seen.lock().expect("lock").push(Seen {
        method: method.to_string(),
        path: uri.path().to_owned(),
        uri: uri.to_string(),
        query: url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
            .into_owned()
            .collect(),
        headers: headers
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
            .collect(),
        body: String::from_utf8_lossy(&body).into_owned(),
    });
    let next = shared.answers.lock().expect("lock").pop_front();
    let Some(canned) = next else {
        let mut r = Response::new(Body::from("no recorded answer left"));
        *r.status_mut() = StatusCode::IM_A_TEAPOT;
        return r;
    };
    let body = match canned.chunk {
        Some(size) => {
            let pieces: Vec<Result<Bytes, std::convert::Infallible>> = canned
                .body
                .chunks(size.max(1))
                .map(|c| Ok(Bytes::copy_from_slice(c)))
                .collect();
            Body::from_stream(futures_util::stream::iter(pieces))
        }
        None => Body::from(canned.body),
    };
    let mut builder = Response::builder().status(canned.status);
    for (k, v) in canned.headers {
        builder = builder.header(k, v);
    }
    builder.body(body).expect("a valid response")
}

impl FakeApi {
    pub async fn start() -> Self {
        let shared = Shared::default();
        let app = axum::Router::new()
            .fallback(handle)
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a local port");
        let origin = format!("http://{}", listener.local_addr().expect("an address"));
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { origin, shared }
    }

    pub fn answer(&self, canned: Canned) {
        self.shared.answers.lock().expect("lock").push_back(canned);
    }

    /// Every request so far, emptying the record.
    pub fn take(&self) -> Vec<Seen> {
        std::mem::take(&mut *self.shared.seen.lock().expect("lock"))
    }

    /// The descriptor of `descriptor` pointed at this server, like an endpoint override.
    pub fn descriptor(&self, mut descriptor: ProviderDescriptor) -> ProviderDescriptor {
        let accounts = descriptor
            .identity
            .accounts_url
            .as_deref()
            .and_then(|u| url::Url::parse(u).ok())
            .expect("an accounts URL");
        let mut rewritten = url::Url::parse(&self.origin).expect("origin");
        rewritten.set_path(accounts.path());
        rewritten.set_query(accounts.query());
        descriptor.identity.accounts_url = Some(rewritten.into());
        descriptor
    }
}

/// Everything a [`SourceCtx`] borrows.
pub(crate) struct Env {
    pub http: reqwest::Client,
    pub descriptor: ProviderDescriptor,
    pub app: AppCredentials,
    pub token: SecretString,
    pub scope: ImportScope,
    pub currency: Option<String>,
    pub page_size: u32,
}

impl Env {
    pub fn new(descriptor: ProviderDescriptor, account: &str) -> Self {
        Self {
            http: reqwest::Client::new(),
            descriptor,
            app: AppCredentials {
                client_id: "client".into(),
                client_secret: None,
                developer_token: None,
                login_customer_id: None,
                api_key: None,
                site_id: None,
            },
            token: SecretString::from(CANARY),
            scope: ImportScope {
                account: account.into(),
                campaigns: Vec::new(),
                manager: None,
                metrics: None,
            },
            currency: None,
            page_size: 100,
        }
    }

    pub fn ctx(&self) -> SourceCtx<'_> {
        SourceCtx {
            http: &self.http,
            descriptor: &self.descriptor,
            app: &self.app,
            token: &self.token,
            scope: &self.scope,
            page_size: self.page_size,
            currency: self.currency.clone(),
        }
    }
}

/// A recorded body from `tests/fixtures/`.
pub(crate) fn fixture(path: &str) -> Vec<u8> {
    let full = format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&full).unwrap_or_else(|e| panic!("fixture {full}: {e}"))
}

/// The records with each `raw_json` checked to be a JSON object and then blanked, so the
/// rest can be compared field by field.
pub(crate) fn without_raw(records: Vec<crate::import::Record>) -> Vec<crate::import::Record> {
    use crate::import::Record;
    let check = |raw: &mut String| {
        let v: serde_json::Value = serde_json::from_str(raw).expect("raw_json is JSON");
        assert!(v.is_object(), "raw_json is an object: {raw}");
        raw.clear();
    };
    records
        .into_iter()
        .map(|mut r| {
            match &mut r {
                Record::Account(a) => check(&mut a.raw_json),
                Record::Object(o) => check(&mut o.raw_json),
                Record::Creative(c) => check(&mut c.raw_json),
                Record::Asset(a) => check(&mut a.raw_json),
                Record::Metric(_) | Record::Broken { .. } => {}
            }
            r
        })
        .collect()
}
