//! The listeners (one per platform, all in one task set), request dispatch, faults, and
//! the handle tests and Demo mode hold.

use crate::config::{EmulatorConfig, RegisteredApp};
use crate::consent::{self, Refusal};
use crate::fault::{Fault, Stats};
use crate::platform::{Route, Spec};
use crate::publish::{PublishCall, PublishedPost, UploadedMedia, PUBLISHED_PATH};
use crate::state::{random_token, Clock, Pending, Store};
use crate::wire::{failure, json_response, malformed, Call, Failure};
use crate::{api, token};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::serve::ListenerExt;
use axum::Router;
use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;
use url::Url;

/// Where a browser (or test) posts the consent decision: form fields `request`,
/// `account`, `decision` (`approve` or `deny`).
pub const CONSENT_PATH: &str = "/__emulator/consent";
/// Where a fault is injected over HTTP: a JSON [`Fault`].
pub const FAULTS_PATH: &str = "/__emulator/faults";
/// The platform's [`Stats`] as JSON.
pub const STATS_PATH: &str = "/__emulator/stats";

/// The largest request body read.
const MAX_BODY: usize = 64 * 1024;

/// Why the emulator could not do what it was asked.
#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    #[error("could not listen for {platform}: {source}")]
    Bind {
        platform: String,
        source: std::io::Error,
    },
    #[error("port base {0} leaves no room for every platform")]
    PortRange(u16),
    #[error("'{0}' is not an emulated platform")]
    UnknownPlatform(String),
    #[error("'{0}' is not the authorize URL of an emulated platform")]
    NotAnAuthorizeUrl(String),
    #[error("the platform refused the authorization request: {0}")]
    Refused(String),
}

/// One platform being played.
pub(crate) struct Server {
    pub spec: Spec,
    pub app: Option<RegisteredApp>,
    store: Mutex<Store>,
    clock: Arc<Clock>,
    pub code_lifetime: chrono::Duration,
    pub page_size: usize,
    /// The import APIs' seeded accounts and knobs.
    pub catalog: Arc<crate::import::Catalog>,
    /// The publishing APIs' knobs.
    pub publish_settings: crate::publish::Settings,
}

impl Server {
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub fn lock(&self) -> MutexGuard<'_, Store> {
        // A handler never panics while holding the lock, so a poisoned one is still sound.
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn inject(&self, fault: Fault) {
        let mut store = self.lock();
        match fault {
            Fault::RevokeGrant(user) => store.revoke_user(&user),
            Fault::BrokenCreative(id) => {
                store.import.broken_creatives.insert(id);
            }
            Fault::RowCap(rows) => store.import.row_cap = Some(rows as usize),
            Fault::ServerError(0) => {}
            asset if asset.is_asset() => store.import.asset_faults.push_back(asset),
            publish if publish.is_publish() => store.publish.faults.push_back(publish),
            media @ Fault::MediaProcessing { .. } => store.publish.media_faults.push_back(media),
            other => store.faults.push_back(other),
        }
    }

    /// The fault that applies to this call, if any (an `InvalidGrant` waits for a token call).
    pub(crate) fn next_fault(&self, token_call: bool) -> Option<Fault> {
        let mut store = self.lock();
        match store.faults.front().cloned()? {
            Fault::InvalidGrant if !token_call => None,
            Fault::ServerError(n) => {
                if n <= 1 {
                    store.faults.pop_front();
                } else {
                    store.faults[0] = Fault::ServerError(n - 1);
                }
                Some(Fault::ServerError(1))
            }
            _ => store.faults.pop_front(),
        }
    }
}

/// Start every platform on its own loopback listener.
pub async fn start(config: EmulatorConfig) -> Result<RunningEmulator, EmulatorError> {
    let registry = switchboard_platforms::registry();
    if let Some(unknown) = config
        .apps
        .keys()
        .find(|id| !registry.iter().any(|d| d.id == id.as_str()))
    {
        return Err(EmulatorError::UnknownPlatform(unknown.clone()));
    }
    let clock = Arc::new(Clock::default());
    let code_lifetime = chrono::Duration::from_std(config.code_lifetime)
        .unwrap_or_else(|_| chrono::Duration::seconds(60));
    let (stop, stopped) = watch::channel(false);
    let mut tasks = JoinSet::new();
    let mut servers = Vec::new();
    for (i, descriptor) in registry.into_iter().enumerate() {
        let Some(spec) = Spec::new(descriptor) else {
            continue;
        };
        let port = match config.port_base {
            Some(base) => u16::try_from(i)
                .ok()
                .and_then(|i| base.checked_add(i))
                .ok_or(EmulatorError::PortRange(base))?,
            None => 0,
        };
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port))
            .await
            .map_err(|source| EmulatorError::Bind {
                platform: spec.id.clone(),
                source,
            })?;
        let addr = listener
            .local_addr()
            .map_err(|source| EmulatorError::Bind {
                platform: spec.id.clone(),
                source,
            })?;
        let catalog = Arc::new(crate::import::Catalog::new(&spec, &config));
        let server = Arc::new(Server {
            catalog,
            app: config.apps.get(&spec.id).cloned(),
            spec,
            store: Mutex::new(Store::default()),
            clock: clock.clone(),
            code_lifetime,
            page_size: config.page_size.max(1),
            publish_settings: crate::publish::Settings::new(&config),
        });
        let router = Router::new().fallback(dispatch).with_state(server.clone());
        let mut stopped = stopped.clone();
        let platform = server.spec.id.clone();
        tasks.spawn(async move {
            let signal = async move {
                // A dropped handle stops the listener as well.
                let _ = stopped.wait_for(|stop| *stop).await;
            };
            // why: a platform's servers answer without Nagle's algorithm, which could hold the
            // last partial segment of a large page or CDN file for the client's delayed ACK
            // (the import benchmark measured no difference on loopback; this is fidelity).
            let listener = listener.tap_io(|tcp| {
                if let Err(e) = tcp.set_nodelay(true) {
                    tracing::debug!(error = %e, "could not set TCP_NODELAY");
                }
            });
            if let Err(e) = axum::serve(listener, router)
                .with_graceful_shutdown(signal)
                .await
            {
                tracing::warn!(%platform, error = %e, "emulator listener stopped");
            }
        });
        tracing::debug!(platform = %server.spec.id, %addr, "emulating");
        servers.push((addr, server));
    }
    Ok(RunningEmulator {
        servers,
        clock,
        stop,
        tasks,
    })
}

/// A checked authorization request: the platform, and the request or an error redirect.
type Authorization = (Arc<Server>, Result<Pending, String>);

/// The running emulator. Dropping it stops every listener.
pub struct RunningEmulator {
    servers: Vec<(SocketAddr, Arc<Server>)>,
    clock: Arc<Clock>,
    stop: watch::Sender<bool>,
    tasks: JoinSet<()>,
}

impl std::fmt::Debug for RunningEmulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map()
            .entries(self.servers.iter().map(|(a, s)| (&s.spec.id, a)))
            .finish()
    }
}

impl RunningEmulator {
    /// Endpoint overrides pointing every platform at its listener:
    /// `{"meta": {"*": "http://127.0.0.1:PORT"}, …}`.
    pub fn overrides_json(&self) -> String {
        let map: Map<String, Value> = self
            .servers
            .iter()
            .map(|(addr, s)| (s.spec.id.clone(), json!({ "*": format!("http://{addr}") })))
            .collect();
        Value::Object(map).to_string()
    }

    /// `http://127.0.0.1:PORT` of one platform.
    pub fn origin(&self, platform: &str) -> Option<String> {
        self.find(platform)
            .map(|(addr, _)| format!("http://{addr}"))
    }

    /// The ids of the emulated platforms, in registry order.
    pub fn platforms(&self) -> Vec<String> {
        self.servers
            .iter()
            .map(|(_, s)| s.spec.id.clone())
            .collect()
    }

    /// The seeded accounts of a platform, as `(id, display name)`; the first is the default.
    pub fn accounts(&self, platform: &str) -> Result<Vec<(String, String)>, EmulatorError> {
        Ok(self
            .server(platform)?
            .spec
            .users
            .iter()
            .map(|u| (u.id.clone(), u.name.clone()))
            .collect())
    }

    /// Play the user approving an authorization request as `account` (a seeded account id,
    /// or `""` for the default): the URL the browser would be sent back to. A request the
    /// platform would answer with an error redirect gives that redirect; one it would not
    /// redirect at all (unknown client, unregistered redirect URI) is `Refused`.
    pub fn approve(&self, authorize_url: &str, account: &str) -> Result<String, EmulatorError> {
        let (server, pending) = self.authorization(authorize_url)?;
        match pending {
            Ok(auth) => {
                consent::decide(&server, auth, Some(account), true).map_err(EmulatorError::Refused)
            }
            Err(redirect) => Ok(redirect),
        }
    }

    /// Play the user denying an authorization request.
    pub fn deny(&self, authorize_url: &str) -> Result<String, EmulatorError> {
        let (server, pending) = self.authorization(authorize_url)?;
        match pending {
            Ok(auth) => consent::decide(&server, auth, None, false).map_err(EmulatorError::Refused),
            Err(redirect) => Ok(redirect),
        }
    }

    /// The platform an authorize URL belongs to, and its checked request (or the error
    /// redirect the platform would answer with).
    fn authorization(&self, authorize_url: &str) -> Result<Authorization, EmulatorError> {
        let not_ours = || EmulatorError::NotAnAuthorizeUrl(authorize_url.to_owned());
        let url = Url::parse(authorize_url).map_err(|_| not_ours())?;
        let port = url.port().ok_or_else(not_ours)?;
        let (_, server) = self
            .servers
            .iter()
            .find(|(addr, _)| addr.port() == port)
            .ok_or_else(not_ours)?;
        if server.spec.route(url.path()) != Some(Route::Authorize) {
            return Err(not_ours());
        }
        let query: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        match consent::check(server, &query) {
            Ok(auth) => Ok((server.clone(), Ok(auth))),
            Err(Refusal::Redirect(to)) => Ok((server.clone(), Err(to))),
            Err(Refusal::Page(why)) => Err(EmulatorError::Refused(why)),
        }
    }

    /// Queue a fault on one platform (or, for `RevokeGrant`, `BrokenCreative` and `RowCap`,
    /// apply it now).
    pub fn inject(&self, platform: &str, fault: Fault) -> Result<(), EmulatorError> {
        self.server(platform)?.inject(fault);
        Ok(())
    }

    /// What one platform was asked so far.
    pub fn stats(&self, platform: &str) -> Result<Stats, EmulatorError> {
        Ok(self.server(platform)?.lock().stats.clone())
    }

    /// Every post, reply and comment the platform published, oldest first (natively
    /// scheduled Facebook posts included, with their `scheduled_for`).
    pub fn published(&self, platform: &str) -> Result<Vec<PublishedPost>, EmulatorError> {
        Ok(self.server(platform)?.lock().publish.posts.clone())
    }

    /// Every media file the platform received (X uploads, LinkedIn images, Facebook photos).
    pub fn uploaded_media(&self, platform: &str) -> Result<Vec<UploadedMedia>, EmulatorError> {
        Ok(self.server(platform)?.lock().publish.media.clone())
    }

    /// Every request to the platform's publishing routes so far, oldest first.
    pub fn publish_calls(&self, platform: &str) -> Result<Vec<PublishCall>, EmulatorError> {
        Ok(self.server(platform)?.lock().publish.calls.clone())
    }

    /// The destinations a seeded account can publish to, as `(id, name)`: the X user, the
    /// LinkedIn member and the organizations they administer, the Facebook Pages they
    /// manage (`account` "" for the default one).
    pub fn publish_destinations(
        &self,
        platform: &str,
        account: &str,
    ) -> Result<Vec<(String, String)>, EmulatorError> {
        let server = self.server(platform)?;
        let index = if account.is_empty() {
            0
        } else {
            server
                .spec
                .users
                .iter()
                .position(|u| u.id == account)
                .ok_or_else(|| EmulatorError::UnknownPlatform(format!("{platform}/{account}")))?
        };
        let user = &server.spec.users[index];
        Ok(match server.spec.kind {
            crate::platform::Kind::X => vec![(user.id.clone(), user.name.clone())],
            crate::platform::Kind::LinkedIn => {
                let mut out = vec![(format!("urn:li:person:{}", user.id), user.name.clone())];
                out.extend(crate::publish::linkedin::organizations(index));
                out
            }
            crate::platform::Kind::Meta => crate::publish::facebook::pages(index),
            _ => Vec::new(),
        })
    }

    /// Move the emulator's clock forward (code expiry, token lifetimes, Instagram's 24 h rule).
    pub fn advance_clock(&self, by: Duration) {
        self.clock
            .advance(chrono::Duration::from_std(by).unwrap_or(chrono::Duration::MAX));
    }

    /// Stop every listener and wait for them (at most a few seconds).
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        let joined = tokio::time::timeout(Duration::from_secs(5), async {
            while self.tasks.join_next().await.is_some() {}
        })
        .await;
        if joined.is_err() {
            self.tasks.abort_all();
        }
    }

    fn find(&self, platform: &str) -> Option<&(SocketAddr, Arc<Server>)> {
        self.servers.iter().find(|(_, s)| s.spec.id == platform)
    }

    fn server(&self, platform: &str) -> Result<&Arc<Server>, EmulatorError> {
        self.find(platform)
            .map(|(_, s)| s)
            .ok_or_else(|| EmulatorError::UnknownPlatform(platform.to_owned()))
    }
}

/// Every request to a platform's listener; X's answers all carry its rate-limit headers.
async fn dispatch(state: State<Arc<Server>>, request: Request) -> Response {
    let server = state.0.clone();
    let mut response = answer(state, request).await;
    if server.spec.kind == crate::platform::Kind::X {
        crate::publish::x::default_rate_headers(&mut response, server.now());
    }
    response
}

async fn answer(State(server): State<Arc<Server>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let path = parts.uri.path().to_owned();
    let limit = if crate::publish::is_upload(&server, &parts.method, &path) {
        crate::publish::MAX_UPLOAD
    } else {
        MAX_BODY
    };
    let Ok(body) = axum::body::to_bytes(body, limit).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    match (&parts.method, path.as_str()) {
        (&Method::POST, CONSENT_PATH) => return consent_post(&server, &body),
        (&Method::POST, FAULTS_PATH) => {
            return match serde_json::from_slice::<Fault>(&body) {
                Ok(fault) => {
                    server.inject(fault);
                    StatusCode::NO_CONTENT.into_response()
                }
                Err(e) => json_response(400, json!({"error": format!("not a fault: {e}")})),
            }
        }
        (&Method::GET, STATS_PATH) => {
            let stats = server.lock().stats.clone();
            return json_response(200, serde_json::to_value(stats).unwrap_or_default());
        }
        (&Method::GET, PUBLISHED_PATH) => {
            let posts = server.lock().publish.posts.clone();
            return json_response(200, serde_json::to_value(posts).unwrap_or_default());
        }
        _ => {}
    }
    let cdn = path.starts_with(crate::import::cdn::CDN_PREFIX) && parts.method == Method::GET;
    let _serving = cdn.then(|| crate::import::cdn::Serving::start(&server));
    if !server.catalog.latency.is_zero() {
        tokio::time::sleep(server.catalog.latency).await;
    }
    if cdn {
        return crate::import::cdn::handle(&server, &path, parts.uri.query());
    }
    let kind = server.spec.kind;
    let Some(route) = server.spec.route(&path) else {
        if crate::publish::wants(&server, &path) {
            return crate::publish::handle(&server, parts, body).await;
        }
        return import_call(&server, parts, &path, &body).await;
    };
    let method_ok = match route {
        // why: Microsoft Advertising's REST services take every operation, queries included,
        // as a POST (`CustomerManagement/v13/AccountsInfo/Query`).
        Route::Accounts if kind == crate::platform::Kind::MicrosoftAds => {
            parts.method == Method::POST
        }
        Route::Authorize | Route::LongLived | Route::Renew | Route::Profile | Route::Accounts => {
            parts.method == Method::GET
        }
        // why: Meta documents its code exchange as a GET; it takes POST as well.
        Route::Token if kind == crate::platform::Kind::Meta => {
            parts.method == Method::GET || parts.method == Method::POST
        }
        Route::Token | Route::Revoke => parts.method == Method::POST,
        Route::Permissions => parts.method == Method::DELETE,
    };
    if !method_ok {
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    if route == Route::Authorize {
        return authorize_page(&server, parts.uri.query());
    }
    let call = Call::new(
        parts.method,
        route,
        &path,
        parts.uri.query(),
        parts.headers,
        &body,
    );
    if route.is_token() {
        let grant_type = token::grant_type(kind, &call);
        *server
            .lock()
            .stats
            .token_calls
            .entry(grant_type)
            .or_default() += 1;
    } else if matches!(route, Route::Profile | Route::Accounts) {
        server.lock().stats.api_calls += 1;
    }
    let mut injected_invalid_grant = false;
    match server.next_fault(route.is_token()) {
        None
        | Some(
            Fault::RevokeGrant(_)
            | Fault::BrokenCreative(_)
            | Fault::RowCap(_)
            | Fault::AssetNotFound
            | Fault::AssetWrongType
            | Fault::AssetOversized
            | Fault::PublishAcceptThenTimeout(_)
            | Fault::PublishRateLimited { .. }
            | Fault::PublishServerError(_)
            | Fault::PublishRejected(_)
            | Fault::MediaProcessing { .. },
        ) => {}
        Some(Fault::Slow(ms)) => tokio::time::sleep(Duration::from_millis(ms)).await,
        Some(Fault::InvalidGrant) => injected_invalid_grant = true,
        Some(Fault::ServerError(_)) => {
            let status = {
                let mut store = server.lock();
                store.server_errors += 1;
                if store.server_errors % 2 == 1 {
                    500
                } else {
                    503
                }
            };
            return failure(kind, route, Failure::ServerError { status });
        }
        Some(Fault::RateLimit { retry_after }) => {
            return failure(kind, route, Failure::RateLimited { retry_after })
        }
        Some(Fault::MalformedJson) => return malformed(),
    }
    match route {
        Route::Token | Route::LongLived | Route::Renew => {
            token::handle(&server, &call, injected_invalid_grant)
        }
        Route::Revoke => token::revoke(&server, &call),
        Route::Profile | Route::Accounts | Route::Permissions => api::handle(&server, &call),
        Route::Authorize => StatusCode::METHOD_NOT_ALLOWED.into_response(),
    }
}

/// A call that is not an identity route: one of the import APIs, or a 404.
async fn import_call(
    server: &Arc<Server>,
    parts: axum::http::request::Parts,
    path: &str,
    body: &[u8],
) -> Response {
    use crate::import::{google, meta};
    use crate::platform::Kind;
    let catalog = &server.catalog;
    let google_customer = match server.spec.kind {
        Kind::GoogleAds if parts.method == Method::POST => {
            google::search_stream_customer(catalog, path)
        }
        _ => None,
    };
    let is_meta = server.spec.kind == Kind::Meta && meta::is_import_path(catalog, path);
    if google_customer.is_none() && !is_meta {
        return json_response(404, json!({"error": "not_found", "path": path}));
    }
    // Import calls reuse the Accounts route's error shapes where they share them.
    let call = Call::new(
        parts.method,
        Route::Accounts,
        path,
        parts.uri.query(),
        parts.headers,
        body,
    );
    let fault = match server.next_fault(false) {
        Some(Fault::Slow(ms)) => {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            None
        }
        other => other,
    };
    match google_customer {
        Some(customer) => google::handle(server, &call, &customer, fault),
        None => meta::handle(server, &call, fault),
    }
}

/// GET on the authorize endpoint: the consent page, an error page, or an error redirect.
fn authorize_page(server: &Server, query: Option<&str>) -> Response {
    let query: Vec<(String, String)> = url::form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .into_owned()
        .collect();
    match consent::check(server, &query) {
        Ok(auth) => {
            let request = random_token("req");
            server.lock().pending.insert(request.clone(), auth.clone());
            consent::page(server, &request, &auth)
        }
        Err(Refusal::Page(why)) => consent::error_page(server, &why),
        Err(Refusal::Redirect(to)) => redirect(StatusCode::FOUND, &to),
    }
}

/// The consent form's decision.
fn consent_post(server: &Server, body: &[u8]) -> Response {
    let form: Vec<(String, String)> = url::form_urlencoded::parse(body).into_owned().collect();
    let get = |k: &str| {
        form.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    let Some(auth) = get("request").and_then(|r| server.lock().pending.remove(r)) else {
        return consent::error_page(
            server,
            "this sign-in request is unknown or was already decided",
        );
    };
    let approve = get("decision") == Some("approve");
    match consent::decide(server, auth, get("account"), approve) {
        Ok(to) => redirect(StatusCode::SEE_OTHER, &to),
        Err(why) => consent::error_page(server, &why),
    }
}

fn redirect(status: StatusCode, to: &str) -> Response {
    Response::builder()
        .status(status)
        .header(header::LOCATION, to)
        .body(Body::empty())
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}
