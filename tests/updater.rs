//! The updater accepts a correctly signed release and refuses a tampered one, against a
//! release server on loopback. Uses tauri-plugin-updater itself (the same code path the
//! app's "Check for updates" and install take), with a throwaway minisign key pair.

use base64::Engine;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

struct Release {
    manifest: String,
    artifact: Vec<u8>,
}

/// A tiny HTTP/1.1 server on 127.0.0.1 serving /latest.json and /app.tar.gz.
fn serve(release: Arc<Mutex<Release>>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            let mut buf = [0u8; 4096];
            let n = s.read(&mut buf).unwrap_or(0);
            let req = String::from_utf8_lossy(&buf[..n]);
            let path = req.split_whitespace().nth(1).unwrap_or("/").to_owned();
            let r = release.lock().unwrap();
            let (ctype, body): (&str, Vec<u8>) = if path.starts_with("/latest.json") {
                ("application/json", r.manifest.clone().into_bytes())
            } else if path == "/app.tar.gz" {
                ("application/octet-stream", r.artifact.clone())
            } else {
                ("text/plain", b"not found".to_vec())
            };
            let status = if ctype == "text/plain" {
                "404 Not Found"
            } else {
                "200 OK"
            };
            let head = format!("HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len());
            let _ = s.write_all(head.as_bytes());
            let _ = s.write_all(&body);
        }
    });
    format!("http://{addr}")
}

fn b64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s)
}

fn signed_release(
    base: &str,
    sk: &minisign::SecretKey,
    artifact: &[u8],
    signed_version: &str,
) -> Release {
    // The trusted comment as the Tauri CLI writes it: tab-separated fields.
    let trusted = format!("timestamp:1763683200\tfile:app.tar.gz\tversion:{signed_version}");
    let sig = minisign::sign(
        None,
        sk,
        std::io::Cursor::new(artifact),
        Some(trusted.as_str()),
        Some("signature from test key"),
    )
    .unwrap()
    .to_string();
    let target = format!("linux-{}", std::env::consts::ARCH);
    let manifest = serde_json::json!({
        "version": "9.9.9",
        "notes": "Test release",
        "pub_date": "2026-11-21T00:00:00Z",
        "platforms": { target: { "signature": b64(&sig), "url": format!("{base}/app.tar.gz") } }
    })
    .to_string();
    Release {
        manifest,
        artifact: artifact.to_vec(),
    }
}

fn app(pubkey_b64: &str, endpoint: &str) -> tauri::App<tauri::test::MockRuntime> {
    let mut ctx = tauri::test::mock_context(tauri::test::noop_assets());
    ctx.config_mut().plugins.0.insert(
        "updater".into(),
        serde_json::json!({ "pubkey": pubkey_b64, "endpoints": [endpoint] }),
    );
    tauri::test::mock_builder()
        .plugin(tauri_plugin_updater::Builder::new().build())
        .build(ctx)
        .expect("mock app")
}

async fn download(app: &tauri::App<tauri::test::MockRuntime>) -> Result<Vec<u8>, String> {
    use tauri_plugin_updater::UpdaterExt;
    let updater = app
        .handle()
        .updater_builder()
        .build()
        .map_err(|e| e.to_string())?;
    let update = updater
        .check()
        .await
        .map_err(|e| e.to_string())?
        .ok_or("no update offered")?;
    assert_eq!(update.version, "9.9.9");
    update
        .download(|_, _| {}, || {})
        .await
        .map_err(|e| e.to_string())
}

#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread")]
async fn a_signed_update_is_accepted_and_a_tampered_one_refused() {
    let kp = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
    let pubkey = b64(&kp.pk.to_box().unwrap().to_string());
    let artifact: Vec<u8> = (0..64 * 1024).map(|i| (i % 251) as u8).collect();

    let release = Arc::new(Mutex::new(Release {
        manifest: String::new(),
        artifact: Vec::new(),
    }));
    let base = serve(release.clone());
    *release.lock().unwrap() = signed_release(&base, &kp.sk, &artifact, "9.9.9");
    let app = app(&pubkey, &format!("{base}/latest.json"));

    let bytes = download(&app)
        .await
        .expect("a correctly signed update is accepted");
    assert_eq!(bytes, artifact, "the verified bytes are the artifact");

    // Same signature, one byte of the artifact flipped in transit.
    release.lock().unwrap().artifact[1000] ^= 0x01;
    let err = download(&app)
        .await
        .expect_err("a tampered artifact must be refused");
    assert!(
        err.to_lowercase().contains("signature"),
        "refused for its signature: {err}"
    );

    // A release signed by someone else's key.
    let other = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
    *release.lock().unwrap() = signed_release(&base, &other.sk, &artifact, "9.9.9");
    let err = download(&app)
        .await
        .expect_err("a release signed with another key must be refused");
    assert!(
        err.to_lowercase().contains("key") || err.to_lowercase().contains("signature"),
        "{err}"
    );

    // Our key, but signed for another version than the manifest announces.
    *release.lock().unwrap() = signed_release(&base, &kp.sk, &artifact, "9.9.8");
    let err = download(&app)
        .await
        .expect_err("a signature for another version must be refused");
    assert!(err.contains("9.9.8"), "{err}");
}
