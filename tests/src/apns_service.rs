//! A stand-in for Apple's push service on loopback, checking what APNs checks and answering as
//! it does (Apple's "Sending notification requests to APNs" and "Handling notification
//! responses from APNs"): HTTP/2 only; `POST /3/device/<hex token>`; a provider token that is an
//! ES256 JWT with our key id, our team as `iss` and an `iat` under an hour old, signed by the
//! key whose public half it holds; `apns-topic` the app's bundle id; `apns-push-type`,
//! `apns-priority`, `apns-expiration` and `apns-collapse-id` well formed; a JSON payload with
//! `aps`, at most 4096 bytes. A test scripts answers per device token (410 Unregistered, 429,
//! 500…); otherwise 200 with an `apns-id`.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, Version};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};
use p256::pkcs8::{EncodePrivateKey, LineEnding};

pub const TEAM_ID: &str = "PROPLNK123";
pub const KEY_ID: &str = "KEY4567890";
pub const TOPIC: &str = "app.proplink.facilityreport";

/// One notification as APNs accepted it.
#[derive(Clone, Debug)]
pub struct Delivered {
    pub device_token: String,
    pub headers: HashMap<String, String>,
    pub payload: serde_json::Value,
}

#[derive(Default)]
struct Inner {
    delivered: Vec<Delivered>,
    /// Every answer given, in order: (device token, status, reason).
    answers: Vec<(String, u16, String)>,
    scripts: HashMap<String, Vec<(u16, &'static str)>>,
}

#[derive(Clone)]
pub struct ApnsService {
    pub addr: SocketAddr,
    /// The provider key's file, as Apple gives it (PKCS#8 PEM): the server is configured with it.
    pub key_file: PathBuf,
    inner: Arc<Mutex<Inner>>,
    _dir: Arc<crate::tempdir::TempDir>,
}

struct Checker {
    verifying: VerifyingKey,
    inner: Arc<Mutex<Inner>>,
}

impl ApnsService {
    pub async fn start() -> ApnsService {
        let key = SigningKey::random(&mut rand::rngs::OsRng);
        let dir = crate::tempdir::TempDir::new();
        let key_file = dir.path.join(format!("AuthKey_{KEY_ID}.p8"));
        let pem = key
            .to_pkcs8_pem(LineEnding::LF)
            .unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(&key_file, pem.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        let inner = Arc::new(Mutex::new(Inner::default()));
        let checker = Arc::new(Checker {
            verifying: *key.verifying_key(),
            inner: inner.clone(),
        });
        let app = Router::new()
            .route("/3/device/{token}", post(receive))
            .with_state(checker);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("bind: {e}"));
        let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        ApnsService {
            addr,
            key_file,
            inner,
            _dir: Arc::new(dir),
        }
    }

    #[must_use]
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The next answers for `token`, in order, before 200s.
    pub fn script(&self, token: &str, answers: &[(u16, &'static str)]) {
        self.lock()
            .scripts
            .insert(token.to_owned(), answers.to_vec());
    }

    #[must_use]
    pub fn delivered(&self) -> Vec<Delivered> {
        self.lock().delivered.clone()
    }

    /// Every answer given: (device token, status, reason).
    #[must_use]
    pub fn answers(&self) -> Vec<(String, u16, String)> {
        self.lock().answers.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn refuse(status: StatusCode, reason: &str) -> Response {
    (status, axum::Json(serde_json::json!({ "reason": reason }))).into_response()
}

impl Checker {
    /// What APNs would refuse in this request, as its status and reason.
    fn refusal(
        &self,
        version: Version,
        token: &str,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Option<(StatusCode, &'static str)> {
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        if version != Version::HTTP_2 {
            return Some((StatusCode::BAD_REQUEST, "HTTP/2 required"));
        }
        if token.len() < 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Some((StatusCode::BAD_REQUEST, "BadDeviceToken"));
        }
        // The scheme is case-insensitive, as in any HTTP authorization.
        let jwt = header("authorization").and_then(|a| {
            a.split_once(' ')
                .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
                .map(|(_, t)| t)
        });
        let Some(jwt) = jwt else {
            return Some((StatusCode::FORBIDDEN, "MissingProviderToken"));
        };
        if let Some(why) = self.bad_provider_token(jwt) {
            return Some((StatusCode::FORBIDDEN, why));
        }
        match header("apns-topic") {
            None => return Some((StatusCode::BAD_REQUEST, "MissingTopic")),
            Some(t) if t != TOPIC => {
                return Some((StatusCode::BAD_REQUEST, "DeviceTokenNotForTopic"));
            }
            Some(_) => {}
        }
        if !matches!(header("apns-push-type"), Some("alert" | "background")) {
            return Some((StatusCode::BAD_REQUEST, "InvalidPushType"));
        }
        if !matches!(header("apns-priority"), None | Some("5" | "10")) {
            return Some((StatusCode::BAD_REQUEST, "BadPriority"));
        }
        if header("apns-expiration").is_some_and(|e| e.parse::<i64>().is_err()) {
            return Some((StatusCode::BAD_REQUEST, "BadExpirationDate"));
        }
        if header("apns-collapse-id").is_some_and(|c| c.len() > 64) {
            return Some((StatusCode::BAD_REQUEST, "BadCollapseId"));
        }
        if body.len() > 4096 {
            return Some((StatusCode::PAYLOAD_TOO_LARGE, "PayloadTooLarge"));
        }
        match serde_json::from_slice::<serde_json::Value>(body) {
            Ok(v) if v.get("aps").is_some_and(serde_json::Value::is_object) => None,
            _ => Some((StatusCode::BAD_REQUEST, "PayloadEmpty")),
        }
    }

    /// Why a provider token is refused, if it is.
    fn bad_provider_token(&self, jwt: &str) -> Option<&'static str> {
        let mut parts = jwt.split('.');
        let (Some(h), Some(c), Some(s), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Some("InvalidProviderToken");
        };
        let json = |part: &str| -> Option<serde_json::Value> {
            serde_json::from_slice(&B64.decode(part).ok()?).ok()
        };
        let (Some(header), Some(claims)) = (json(h), json(c)) else {
            return Some("InvalidProviderToken");
        };
        if header["alg"] != "ES256" || header["kid"] != KEY_ID || claims["iss"] != TEAM_ID {
            return Some("InvalidProviderToken");
        }
        let signature = B64
            .decode(s)
            .ok()
            .and_then(|b| Signature::from_slice(&b).ok());
        let Some(signature) = signature else {
            return Some("InvalidProviderToken");
        };
        if self
            .verifying
            .verify(format!("{h}.{c}").as_bytes(), &signature)
            .is_err()
        {
            return Some("InvalidProviderToken");
        }
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        match claims["iat"].as_i64() {
            Some(iat) if iat <= now + 60 && now - iat < 3600 => None,
            Some(_) => Some("ExpiredProviderToken"),
            None => Some("InvalidProviderToken"),
        }
    }
}

async fn receive(State(checker): State<Arc<Checker>>, request: Request) -> Response {
    let token = request
        .uri()
        .path()
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_owned();
    let version = request.version();
    let headers = request.headers().clone();
    let body: Bytes = match axum::body::to_bytes(request.into_body(), 64 * 1024).await {
        Ok(b) => b,
        Err(_) => return refuse(StatusCode::PAYLOAD_TOO_LARGE, "PayloadTooLarge"),
    };
    let mut inner = checker
        .inner
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let answer = match checker.refusal(version, &token, &headers, &body) {
        Some(refused) => Some(refused),
        None => inner.scripts.get_mut(&token).and_then(|s| {
            (!s.is_empty()).then(|| {
                let (code, reason) = s.remove(0);
                (
                    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                    reason,
                )
            })
        }),
    };
    if let Some((status, reason)) = answer {
        inner
            .answers
            .push((token, status.as_u16(), reason.to_owned()));
        return refuse(status, reason);
    }
    inner.answers.push((token.clone(), 200, String::new()));
    inner.delivered.push(Delivered {
        device_token: token,
        headers: headers
            .iter()
            .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
            .collect(),
        payload: serde_json::from_slice(&body).unwrap_or_default(),
    });
    (
        StatusCode::OK,
        [("apns-id", uuid::Uuid::now_v7().to_string())],
    )
        .into_response()
}
