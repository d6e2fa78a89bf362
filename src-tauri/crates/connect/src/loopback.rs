//! The loopback redirect listener (RFC 8252 §7.3): `http://127.0.0.1:{port}/callback/<platform>`,
//! open only while a sign-in waits, closed when its answer arrives or it times out.

use crate::engine::Connector;
use crate::error::{ConnectError, Result};
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// A bound, not yet serving, loopback socket.
pub struct Bound(TcpListener);

impl Bound {
    pub fn port(&self) -> u16 {
        self.0.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    /// The loopback address bound: 127.0.0.1, or [::1] where IPv4 loopback is missing.
    pub fn ip(&self) -> IpAddr {
        self.0
            .local_addr()
            .map(|a| a.ip())
            .unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST))
    }
}

/// Bind the loopback interface (127.0.0.1, else [::1]; RFC 8252 §7.3 and §8.3: an IP
/// literal, never `localhost`) on an OS-chosen port, or on the first free port of a fixed
/// list (for providers that match the port exactly).
pub async fn bind(any_port: bool, fixed_ports: &[u16]) -> Result<Bound> {
    let hosts = [
        IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(Ipv6Addr::LOCALHOST),
    ];
    if any_port {
        let mut last = None;
        for ip in hosts {
            match TcpListener::bind(SocketAddr::new(ip, 0)).await {
                Ok(l) => return Ok(Bound(l)),
                Err(e) => last = Some(e),
            }
        }
        return Err(ConnectError::Invalid(format!(
            "could not open a loopback port: {}",
            last.map(|e| e.to_string()).unwrap_or_default()
        )));
    }
    for port in fixed_ports {
        for ip in hosts {
            if let Ok(l) = TcpListener::bind(SocketAddr::new(ip, *port)).await {
                return Ok(Bound(l));
            }
        }
    }
    Err(ConnectError::Invalid(format!(
        "the loopback ports registered for this platform ({fixed_ports:?}) are all in use; close whatever uses them and try again"
    )))
}

#[derive(Clone)]
struct Ctx {
    connector: Arc<Connector>,
    platform: String,
}

/// Serve until the flow's answer arrived (`stop`), or `timeout`.
pub fn serve(
    connector: Arc<Connector>,
    bound: Bound,
    platform: String,
    flow_id: String,
    stop: oneshot::Receiver<()>,
    timeout: std::time::Duration,
) {
    let ctx = Ctx {
        connector: connector.clone(),
        platform,
    };
    let app = Router::new()
        .route("/callback/{platform}", get(callback))
        .fallback(|| async {
            page(
                StatusCode::NOT_FOUND,
                "Not found",
                "This address is not a Switchboard sign-in.",
            )
        })
        .with_state(ctx);
    tokio::spawn(async move {
        let timed_out = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = timed_out.clone();
        let shutdown = async move {
            tokio::select! {
                _ = stop => {}
                _ = tokio::time::sleep(timeout) => flag.store(true, std::sync::atomic::Ordering::SeqCst),
            }
        };
        if let Err(e) = axum::serve(bound.0, app)
            .with_graceful_shutdown(shutdown)
            .await
        {
            tracing::warn!("loopback listener failed: {e}");
        }
        if timed_out.load(std::sync::atomic::Ordering::SeqCst) {
            connector.listener_timed_out(&flow_id);
        }
    });
}

async fn callback(
    State(ctx): State<Ctx>,
    Path(platform): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    if platform != ctx.platform {
        return page(
            StatusCode::NOT_FOUND,
            "Wrong address",
            "This sign-in answer arrived on another platform's address and was ignored.",
        );
    }
    match ctx
        .connector
        .complete_redirect(&platform, query.as_deref().unwrap_or(""))
        .await
    {
        Ok(c) if c.account_mismatch => page(
            StatusCode::OK,
            "Check the account",
            "You signed in as a different account than this connection uses. Return to Switchboard to decide.",
        ),
        Ok(_) => page(
            StatusCode::OK,
            "Connected",
            "Switchboard is connected. You can close this tab and return to Switchboard.",
        ),
        Err(e) => page(StatusCode::BAD_REQUEST, "Not connected", &e.to_string()),
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn page(status: StatusCode, title: &str, message: &str) -> Response {
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Switchboard: {t}</title></head>\
         <body style=\"font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;line-height:1.5\">\
         <h1>{t}</h1><p>{m}</p><p>Return to Switchboard.</p></body></html>",
        t = escape(title),
        m = escape(message)
    );
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
            (header::REFERRER_POLICY, "no-referrer"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'",
            ),
        ],
        body,
    )
        .into_response()
}
