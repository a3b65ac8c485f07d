//! The HTTP client for PropLink's API. A `*.localhost` server is reached on loopback, as
//! browsers do, so development and tests need no DNS.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use proplink_shared::sync::*;
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE};
use uuid::Uuid;

use crate::error::{CoreError, CoreResult};

#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
}

/// What the server answered to a push.
pub enum Pushed {
    Done(PushResponse),
    /// The server expects a different next `seq`; nothing was applied.
    Gap {
        expected: i64,
    },
}

/// How much of a photo the server holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Held {
    pub offset: u64,
    pub complete: bool,
}

impl Client {
    /// A client for the API at `base`, e.g. `https://api.proplink.app` or
    /// `http://api.proplink.localhost:8080`.
    pub fn new(base: &str) -> CoreResult<Client> {
        let base = base.trim_end_matches('/').to_owned();
        let url = reqwest::Url::parse(&base).map_err(|e| CoreError::Server {
            code: "bad_url".into(),
            message: format!("The server address is not valid: {e}"),
        })?;
        let mut builder = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(120))
            .user_agent("FacilityReport/0.1");
        if let Some(host) = url.host_str().filter(|h| h.ends_with(".localhost")) {
            let port = url.port_or_known_default().unwrap_or(80);
            builder = builder.resolve(host, SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port));
        }
        let http = builder
            .build()
            .map_err(|e| CoreError::Offline(e.to_string()))?;
        Ok(Client { http, base })
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn request_code(&self, org: &str, email: &str) -> CoreResult<CodeSent> {
        let r = self
            .http
            .post(self.url("/v1/auth/code"))
            .json(&CodeRequest {
                org: org.into(),
                email: email.into(),
            })
            .send()
            .await
            .map_err(offline)?;
        json(expect_ok(r).await?).await
    }

    pub async fn token(
        &self,
        org: &str,
        email: &str,
        code: &str,
        device_id: Uuid,
        device_name: &str,
    ) -> CoreResult<TokenResponse> {
        let body = TokenRequest {
            org: org.into(),
            email: email.into(),
            code: code.into(),
            device_id,
            device_name: device_name.into(),
        };
        let r = self
            .http
            .post(self.url("/v1/auth/token"))
            .json(&body)
            .send()
            .await
            .map_err(offline)?;
        json(expect_ok(r).await?).await
    }

    /// A fresh token for this device; the one used stops working shortly after.
    pub async fn refresh(&self, token: &str) -> CoreResult<RefreshResponse> {
        let r = self
            .http
            .post(self.url("/v1/auth/refresh"))
            .header(AUTHORIZATION, bearer(token))
            .send()
            .await
            .map_err(offline)?;
        json(expect_ok(r).await?).await
    }

    pub async fn push(&self, token: &str, request: &PushRequest) -> CoreResult<Pushed> {
        let r = self
            .http
            .post(self.url("/v1/sync/push"))
            .header(AUTHORIZATION, bearer(token))
            .json(request)
            .send()
            .await
            .map_err(offline)?;
        if r.status() == StatusCode::CONFLICT {
            let body: ApiError = json(r).await?;
            if let (true, Some(expected)) = (body.code == "seq_gap", body.expected_seq) {
                return Ok(Pushed::Gap { expected });
            }
            return Err(CoreError::Server {
                code: body.code,
                message: body.message,
            });
        }
        Ok(Pushed::Done(json(expect_ok(r).await?).await?))
    }

    pub async fn pull(&self, token: &str, cursor: i64) -> CoreResult<PullResponse> {
        let r = self
            .http
            .get(self.url(&format!("/v1/sync/pull?cursor={cursor}")))
            .header(AUTHORIZATION, bearer(token))
            .send()
            .await
            .map_err(offline)?;
        json(expect_ok(r).await?).await
    }

    /// The server's VAPID public key (base64url), which a UnifiedPush distributor may ask for.
    pub async fn push_key(&self, token: &str) -> CoreResult<String> {
        let r = self
            .http
            .get(self.url("/v1/push/key"))
            .header(AUTHORIZATION, bearer(token))
            .send()
            .await
            .map_err(offline)?;
        let key: PushKey = json(expect_ok(r).await?).await?;
        Ok(key.public_key)
    }

    /// Registers where this device's notifications go; returns the subscription's id.
    pub async fn push_register(
        &self,
        token: &str,
        registration: &PushRegistration,
    ) -> CoreResult<String> {
        let r = self
            .http
            .post(self.url("/v1/push/subscriptions"))
            .header(AUTHORIZATION, bearer(token))
            .json(registration)
            .send()
            .await
            .map_err(offline)?;
        let registered: PushRegistered = json(expect_ok(r).await?).await?;
        Ok(registered.id)
    }

    /// Turns a device's notifications off; one already gone is off too.
    pub async fn push_unregister(&self, token: &str, id: &str) -> CoreResult<()> {
        let r = self
            .http
            .delete(self.url(&format!("/v1/push/subscriptions/{id}")))
            .header(AUTHORIZATION, bearer(token))
            .send()
            .await
            .map_err(offline)?;
        if r.status() == StatusCode::NOT_FOUND {
            return Ok(());
        }
        expect_ok(r).await?;
        Ok(())
    }

    /// The bytes of a photo on a record the user can see; `None` if the server will not give it.
    pub async fn photo(&self, token: &str, sha256: &str) -> CoreResult<Option<Vec<u8>>> {
        let r = self
            .http
            .get(self.url(&format!("/v1/photos/{sha256}")))
            .header(AUTHORIZATION, bearer(token))
            .send()
            .await
            .map_err(offline)?;
        if r.status() == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        let r = expect_ok(r).await?;
        // A photo larger than any the server keeps is not read at all.
        if r.content_length().is_some_and(|n| n > MAX_PHOTO_BYTES) {
            return Ok(None);
        }
        let bytes = r.bytes().await.map_err(offline)?;
        Ok(Some(bytes.to_vec()))
    }

    /// How much of `sha256` the server has; `None` if nothing.
    pub async fn photo_held(&self, token: &str, sha256: &str) -> CoreResult<Option<Held>> {
        let r = self
            .http
            .head(self.url(&format!("/v1/photos/{sha256}")))
            .header(AUTHORIZATION, bearer(token))
            .send()
            .await
            .map_err(offline)?;
        if r.status() == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        let r = expect_ok(r).await?;
        Ok(Some(held(&r)))
    }

    /// Sends `chunk` from `offset`; returns what the server then holds. On a wrong offset the
    /// server says where it is, and that is returned too.
    pub async fn photo_append(
        &self,
        token: &str,
        sha256: &str,
        offset: u64,
        length: u64,
        chunk: Vec<u8>,
    ) -> CoreResult<Held> {
        let r = self
            .http
            .patch(self.url(&format!("/v1/photos/{sha256}")))
            .header(AUTHORIZATION, bearer(token))
            .header(CONTENT_TYPE, "application/offset+octet-stream")
            .header("Upload-Offset", offset)
            .header("Upload-Length", length)
            .body(chunk)
            .send()
            .await
            .map_err(offline)?;
        if r.status() == StatusCode::CONFLICT && r.headers().contains_key("upload-offset") {
            return Ok(held(&r));
        }
        let r = expect_ok(r).await?;
        Ok(held(&r))
    }
}

fn held(r: &reqwest::Response) -> Held {
    let header = |name: &str| {
        r.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    Held {
        offset: header("upload-offset").parse().unwrap_or(0),
        complete: header("upload-complete") == "?1",
    }
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

fn offline(e: reqwest::Error) -> CoreError {
    CoreError::Offline(e.to_string())
}

async fn expect_ok(r: reqwest::Response) -> CoreResult<reqwest::Response> {
    let status = r.status();
    if status.is_success() {
        return Ok(r);
    }
    let body: Option<ApiError> = r.json().await.ok();
    let (code, message) = body.map_or_else(
        || ("http".to_owned(), format!("The server answered {status}")),
        |b| (b.code, b.message),
    );
    // A token that ended means signing in again; a wrong code at sign-in is said as it is.
    if status == StatusCode::UNAUTHORIZED && code != "wrong_credentials" {
        return Err(CoreError::NotSignedIn);
    }
    if status.is_server_error() {
        // The server had a problem: temporary, so treated like no signal.
        return Err(CoreError::Offline(message));
    }
    Err(CoreError::Server { code, message })
}

async fn json<T: serde::de::DeserializeOwned>(r: reqwest::Response) -> CoreResult<T> {
    r.json()
        .await
        .map_err(|e| CoreError::Offline(format!("the answer could not be read: {e}")))
}
