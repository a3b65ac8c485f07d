//! Pushes to iPhones through Apple's push service (APNs): HTTP/2, token authentication (an
//! ES256 JWT naming the team and the key, renewed well within the hour APNs allows), one POST
//! per device to `/3/device/<token>` with the app's bundle id as `apns-topic`.
//!
//! APNs cannot be reached from where PropLink is built and tested: the tests run a stand-in
//! that checks what APNs checks (HTTP/2, the token's signature, key id, team and age, the
//! topic, the push type, the payload's size) and answers as APNs does.

use std::sync::Mutex;
use std::time::Duration as StdDuration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use p256::pkcs8::DecodePrivateKey;
use serde_json::json;
use time::{Duration, OffsetDateTime};

use crate::config::ApnsSettings;
use crate::store::push::Push;

/// The scheme a device's APNs token is kept under, in place of a Web Push endpoint.
pub const SCHEME: &str = "apns:";
/// APNs refuses a payload larger than this.
pub const MAX_PAYLOAD: usize = 4096;
/// A provider token is renewed after this; APNs refuses one older than an hour, and one
/// renewed more often than every 20 minutes.
const TOKEN_RENEWAL: Duration = Duration::minutes(40);

/// Whether `token` looks like an APNs device token: hex, 32 bytes or more.
#[must_use]
pub fn valid_device_token(token: &str) -> bool {
    (64..=200).contains(&token.len())
        && token.len() % 2 == 0
        && token.bytes().all(|b| b.is_ascii_hexdigit())
}

/// What APNs said of one push.
#[derive(Debug, PartialEq, Eq)]
pub enum Reply {
    Delivered,
    /// The token no longer reaches the app (410 Unregistered, 400 BadDeviceToken or
    /// DeviceTokenNotForTopic): the device is forgotten.
    Gone(String),
    /// Busy, down, or our token was not accepted at that moment: tried again.
    Later(String, Option<u64>),
    /// Refused for good.
    Refused(String),
}

/// An APNs client for one team's key. Cheap to share; the provider token is kept and renewed.
pub struct Apns {
    settings: ApnsSettings,
    key: SigningKey,
    http: reqwest::Client,
    token: Mutex<Option<(OffsetDateTime, String)>>,
}

impl Apns {
    /// A client for `settings`, or why the key cannot be used.
    pub fn new(settings: &ApnsSettings) -> anyhow::Result<Apns> {
        let key = SigningKey::from_pkcs8_pem(settings.key_pem.trim())
            .map_err(|e| anyhow::anyhow!("the APNs key is not a PKCS#8 P-256 key in PEM: {e}"))?;
        let mut builder = reqwest::Client::builder()
            .timeout(StdDuration::from_secs(10))
            .connect_timeout(StdDuration::from_secs(5))
            .redirect(reqwest::redirect::Policy::none());
        // APNs speaks only HTTP/2: over TLS it is agreed by ALPN; a stand-in on this machine
        // without TLS is spoken to in HTTP/2 from the first byte.
        if settings.url.starts_with("http://") {
            builder = builder.http2_prior_knowledge();
        }
        Ok(Apns {
            settings: settings.clone(),
            key,
            http: builder.build()?,
            token: Mutex::new(None),
        })
    }

    /// The provider token, renewed when it is getting old.
    fn provider_token(&self, now: OffsetDateTime) -> String {
        let mut kept = self
            .token
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((made, token)) = kept.as_ref() {
            if now - *made < TOKEN_RENEWAL {
                return token.clone();
            }
        }
        let header = B64.encode(json!({ "alg": "ES256", "kid": self.settings.key_id }).to_string());
        let claims = B64.encode(
            json!({ "iss": self.settings.team_id, "iat": now.unix_timestamp() }).to_string(),
        );
        let signed = format!("{header}.{claims}");
        let signature: Signature = self.key.sign(signed.as_bytes());
        let token = format!("{signed}.{}", B64.encode(signature.to_bytes()));
        *kept = Some((now, token.clone()));
        token
    }

    /// The notification as APNs takes it: what the lock screen shows, and the address a tap
    /// opens, from the same payload the Web Push services get.
    fn body(payload: &str) -> Result<String, String> {
        let p: serde_json::Value =
            serde_json::from_str(payload).map_err(|e| format!("the payload is not JSON: {e}"))?;
        let body = json!({
            "aps": {
                "alert": { "title": p["title"], "body": p["body"] },
                "sound": "default",
                "thread-id": p["tag"],
            },
            "url": p["url"],
        })
        .to_string();
        if body.len() > MAX_PAYLOAD {
            return Err(format!(
                "the payload is longer than APNs' {MAX_PAYLOAD} bytes"
            ));
        }
        Ok(body)
    }

    /// Sends `push` to the device holding `device_token`.
    pub async fn send(&self, push: &Push, device_token: &str, now: OffsetDateTime) -> Reply {
        let body = match Apns::body(&push.payload) {
            Ok(body) => body,
            Err(why) => return Reply::Refused(why),
        };
        let high = push.urgency == "high";
        let response = self
            .http
            .post(format!("{}/3/device/{device_token}", self.settings.url))
            .header(
                "authorization",
                format!("bearer {}", self.provider_token(now)),
            )
            .header("apns-topic", &self.settings.topic)
            .header("apns-push-type", "alert")
            .header("apns-priority", if high { "10" } else { "5" })
            .header(
                "apns-expiration",
                (now.unix_timestamp() + push.ttl_seconds).to_string(),
            )
            .header("apns-collapse-id", &push.topic)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await;
        let response = match response {
            Ok(r) => r,
            Err(e) => {
                return Reply::Later(
                    format!("APNs could not be reached: {}", e.without_url()),
                    None,
                );
            }
        };
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        if (200..300).contains(&status) {
            return Reply::Delivered;
        }
        let reason = response
            .json::<serde_json::Value>()
            .await
            .ok()
            .and_then(|v| v["reason"].as_str().map(str::to_owned))
            .unwrap_or_default();
        let said = format!("APNs answered {status} {reason}");
        match (status, reason.as_str()) {
            (410, _) | (400, "BadDeviceToken" | "DeviceTokenNotForTopic") => Reply::Gone(said),
            // A provider token refused now may be accepted renewed: start afresh next time.
            (403, "ExpiredProviderToken" | "InvalidProviderToken") => {
                *self
                    .token
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
                Reply::Later(said, None)
            }
            (429 | 500..=599, _) => Reply::Later(said, retry_after),
            _ => Reply::Refused(said),
        }
    }
}
