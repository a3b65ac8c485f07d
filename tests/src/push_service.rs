//! A push service on loopback, as browsers' push services behave (RFC 8030): it takes a push
//! at `/push/<name>`, answers with the statuses a test scripts for that name (201 when none
//! are left), and keeps every request it received. The browser's side — making a
//! subscription's keys, checking the VAPID token and decrypting — is `tests/push/receiver.py`,
//! written independently of the server with Python's `http_ece` and `cryptography`.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;

/// One push as the service received it.
#[derive(Clone, Debug)]
pub struct Received {
    pub name: String,
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
}

#[derive(Default)]
struct Inner {
    received: Vec<Received>,
    scripts: HashMap<String, Vec<u16>>,
}

#[derive(Clone)]
pub struct PushService {
    pub addr: SocketAddr,
    inner: Arc<Mutex<Inner>>,
}

impl PushService {
    pub async fn start() -> PushService {
        let inner = Arc::new(Mutex::new(Inner::default()));
        let app = Router::new()
            .route("/push/{name}", post(receive))
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("bind: {e}"));
        let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        PushService { addr, inner }
    }

    /// The endpoint of the subscription called `name`.
    #[must_use]
    pub fn endpoint(&self, name: &str) -> String {
        format!("http://{}/push/{name}", self.addr)
    }

    /// The service's origin, as a VAPID token's `aud` must name it.
    #[must_use]
    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The statuses to answer for `name`, in order; 201 after them.
    pub fn script(&self, name: &str, statuses: &[u16]) {
        self.lock()
            .scripts
            .insert(name.to_owned(), statuses.to_vec());
    }

    /// Everything received for `name`, in order.
    #[must_use]
    pub fn received(&self, name: &str) -> Vec<Received> {
        self.lock()
            .received
            .iter()
            .filter(|r| r.name == name)
            .cloned()
            .collect()
    }

    #[must_use]
    pub fn all(&self) -> Vec<Received> {
        self.lock().received.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

async fn receive(
    State(inner): State<Arc<Mutex<Inner>>>,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let name = uri.path().rsplit('/').next().unwrap_or_default().to_owned();
    let mut inner = inner
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    inner.received.push(Received {
        name: name.clone(),
        headers: headers
            .iter()
            .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
            .collect(),
        body: body.to_vec(),
    });
    let status = inner
        .scripts
        .get_mut(&name)
        .and_then(|s| (!s.is_empty()).then(|| s.remove(0)))
        .unwrap_or(201);
    StatusCode::from_u16(status).unwrap_or(StatusCode::CREATED)
}

/// A subscription's keys as a browser makes them, and what it can open.
#[derive(Clone, Debug)]
pub struct BrowserKeys {
    pub private: String,
    pub p256dh: String,
    pub auth: String,
}

fn python() -> String {
    std::env::var("PROPLINK_TEST_PYTHON").unwrap_or_else(|_| "python3".into())
}

fn receiver() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("push")
        .join("receiver.py")
}

fn run_receiver(command: &str, input: Option<&str>) -> Result<String, String> {
    use std::io::Write;
    let mut child = std::process::Command::new(python())
        .arg(receiver())
        .arg(command)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "Python 3 with http-ece is needed for the push tests (pip install -r tests/push/requirements.txt; cargo xtask test makes a virtual environment and sets PROPLINK_TEST_PYTHON): {e}"
            )
        });
    if let Some(text) = input {
        child
            .stdin
            .take()
            .map(|mut stdin| stdin.write_all(text.as_bytes()))
            .transpose()
            .unwrap_or_else(|e| panic!("{e}"));
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        !stderr.contains("No module named"),
        "Python's http-ece is missing (pip install -r tests/push/requirements.txt): {stderr}"
    );
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(stderr)
    }
}

impl BrowserKeys {
    /// Fresh keys, made by the browser's side.
    #[must_use]
    pub fn new() -> BrowserKeys {
        let made = run_receiver("keys", None).unwrap_or_else(|e| panic!("{e}"));
        let v: serde_json::Value = serde_json::from_str(&made).unwrap_or_else(|e| panic!("{e}"));
        let get = |k: &str| v[k].as_str().unwrap_or_default().to_owned();
        BrowserKeys {
            private: get("private"),
            p256dh: get("p256dh"),
            auth: get("auth"),
        }
    }

    /// Checks the push's VAPID token against `origin` and decrypts it: the plaintext, or why
    /// it does not open.
    pub fn open(&self, push: &Received, origin: &str) -> Result<String, String> {
        use base64::Engine;
        let given = serde_json::json!({
            "private": self.private,
            "auth": self.auth,
            "body": base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&push.body),
            "authorization": push.headers.get("authorization").cloned().unwrap_or_default(),
            "origin": origin,
        });
        run_receiver("open", Some(&given.to_string()))
    }
}

impl Default for BrowserKeys {
    fn default() -> Self {
        BrowserKeys::new()
    }
}
