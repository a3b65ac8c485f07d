//! Notifications pushed to the phone while the app is closed. On Android a UnifiedPush
//! distributor gives the app an RFC 8030 endpoint, and the connector library makes the P-256
//! key pair and authentication secret (RFC 8291) and decrypts what arrives; the app registers
//! endpoint and keys with PropLink and opens the plain payload here. A desktop build takes
//! pushes on loopback with keys of its own, made and kept here, and decrypts them here too. On
//! an iPhone the app registers the token APNs gave it, and the system shows APNs'
//! notifications itself.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use hkdf::Hkdf;
use p256::elliptic_curve::sec1::ToEncodedPoint;
use p256::{PublicKey, SecretKey};
use proplink_shared::sync::{PushRegistration, PushTarget};
use rand::RngCore;
use sha2::Sha256;

use crate::client::Client;
use crate::error::{CoreError, CoreResult};
use crate::store::{Store, delete_meta, get_meta, set_meta};
use crate::sync::Notification;

/// The phone's Web Push keys as PropLink needs them: public key and auth secret, base64url.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Keys {
    pub p256dh: String,
    pub auth: String,
}

/// The phone's keys, made the first time they are asked for and kept in its store.
pub fn keys(store: &Store) -> CoreResult<Keys> {
    store.write(|tx| {
        let secret = match get_meta(tx, "push_key")?.and_then(|k| B64.decode(k).ok()) {
            Some(bytes) => SecretKey::from_slice(&bytes)
                .map_err(|_| CoreError::Storage("the phone's push key is damaged".into()))?,
            None => {
                let secret = SecretKey::random(&mut rand::rngs::OsRng);
                let mut auth = [0u8; 16];
                rand::rngs::OsRng.fill_bytes(&mut auth);
                set_meta(tx, "push_key", &B64.encode(secret.to_bytes()))?;
                set_meta(tx, "push_auth", &B64.encode(auth))?;
                secret
            }
        };
        let auth = get_meta(tx, "push_auth")?
            .ok_or_else(|| CoreError::Storage("the phone's push secret is missing".into()))?;
        Ok(Keys {
            p256dh: B64.encode(secret.public_key().to_encoded_point(false).as_bytes()),
            auth,
        })
    })
}

fn session(store: &Store) -> CoreResult<(Client, String)> {
    store.read(|c| {
        let token = get_meta(c, "token")?.ok_or(CoreError::NotSignedIn)?;
        let server = get_meta(c, "server")?.ok_or(CoreError::NotSignedIn)?;
        Ok((Client::new(&server)?, token))
    })
}

/// Registers where this phone's notifications go; a new endpoint or token replaces the last.
pub async fn register(store: &Store, target: PushTarget, device_name: &str) -> CoreResult<String> {
    let (client, token) = session(store)?;
    let registration = PushRegistration {
        target,
        device_name: device_name.to_owned(),
    };
    let previous = store.meta("push_subscription")?;
    let id = client.push_register(&token, &registration).await?;
    store.write(|tx| Ok(set_meta(tx, "push_subscription", &id)?))?;
    if let Some(old) = previous.filter(|old| *old != id) {
        // The endpoint or token this device had before no longer reaches it. Offline, the
        // push service's 404 or 410 ends it at the next send.
        let _ = client.push_unregister(&token, &old).await;
    }
    Ok(id)
}

/// Registers a Web Push endpoint with the keys its messages are sealed for: the ones the
/// UnifiedPush connector made, or this app's own (`None`) when it decrypts them itself.
pub async fn register_endpoint(
    store: &Store,
    endpoint: &str,
    keys: Option<Keys>,
    device_name: &str,
) -> CoreResult<String> {
    let keys = match keys {
        Some(keys) => keys,
        None => self::keys(store)?,
    };
    let target = PushTarget::WebPush {
        endpoint: endpoint.to_owned(),
        p256dh: keys.p256dh,
        auth: keys.auth,
    };
    register(store, target, device_name).await
}

/// Registers the device token APNs gave an iPhone.
pub async fn register_token(store: &Store, token: &str, device_name: &str) -> CoreResult<String> {
    let target = PushTarget::Apns {
        device_token: token.to_owned(),
    };
    register(store, target, device_name).await
}

/// The server's VAPID public key, for a distributor that wants to know who may push.
pub async fn server_key(store: &Store) -> CoreResult<String> {
    let (client, token) = session(store)?;
    client.push_key(&token).await
}

/// Turns this phone's notifications off, as before signing out. Nothing to do if they were
/// never on.
pub async fn unregister(store: &Store) -> CoreResult<()> {
    let Some(id) = store.meta("push_subscription")? else {
        return Ok(());
    };
    let (client, token) = session(store)?;
    client.push_unregister(&token, &id).await?;
    store.write(|tx| Ok(delete_meta(tx, "push_subscription")?))
}

fn unreadable(why: &str) -> CoreError {
    CoreError::Server {
        code: "bad_push".into(),
        message: format!("A notification could not be read: {why}"),
    }
}

/// Opens a message sealed for this app's own keys (RFC 8291, `aes128gcm`): what to show and
/// which record a tap opens.
pub fn receive(store: &Store, message: &[u8]) -> CoreResult<Notification> {
    open(&decrypt(store, message)?)
}

/// Decrypts a message sealed for this app's own keys.
pub fn decrypt(store: &Store, message: &[u8]) -> CoreResult<Vec<u8>> {
    let (secret, auth) = store.read(|c| {
        let key = get_meta(c, "push_key")?.and_then(|k| B64.decode(k).ok());
        let auth = get_meta(c, "push_auth")?.and_then(|a| B64.decode(a).ok());
        Ok((key, auth))
    })?;
    let (Some(secret), Some(auth)) = (secret, auth) else {
        return Err(unreadable("this phone has no push keys"));
    };
    let secret =
        SecretKey::from_slice(&secret).map_err(|_| unreadable("the phone's key is damaged"))?;
    // The header: salt (16), record size (4), key id length (1), then the sender's key.
    let id_len = usize::from(
        *message
            .get(20)
            .ok_or_else(|| unreadable("it is too short"))?,
    );
    let sender = message
        .get(21..21 + id_len)
        .and_then(|k| PublicKey::from_sec1_bytes(k).ok())
        .ok_or_else(|| unreadable("it does not name the sender's key"))?;
    let shared = p256::ecdh::diffie_hellman(secret.to_nonzero_scalar(), sender.as_affine());
    let info = [
        b"WebPush: info\0".as_slice(),
        secret.public_key().to_encoded_point(false).as_bytes(),
        sender.to_encoded_point(false).as_bytes(),
    ]
    .concat();
    let mut ikm = [0u8; 32];
    Hkdf::<Sha256>::new(Some(&auth), shared.raw_secret_bytes())
        .expand(&info, &mut ikm)
        .map_err(|_| unreadable("the keys do not agree"))?;
    ece_native::decrypt(ikm, message.to_vec()).map_err(|_| unreadable("it does not decrypt"))
}

/// Reads a push's plain payload: PropLink's Web Push JSON (`title`, `body`, `url`), what an
/// iPhone hands over of an APNs notification (the same `url` beside `aps.alert`), or the
/// `record` the app put on a notification of its own, tapped on an iPhone.
pub fn open(payload: &[u8]) -> CoreResult<Notification> {
    let payload: serde_json::Value =
        serde_json::from_slice(payload).map_err(|_| unreadable("it is not JSON"))?;
    if !payload.is_object() {
        return Err(unreadable("it is not a notification"));
    }
    let text = |k: &str| {
        payload[k]
            .as_str()
            .or_else(|| payload["aps"]["alert"][k].as_str())
            .unwrap_or_default()
            .to_owned()
    };
    let own = text("record");
    let record = if is_record(&own) {
        own
    } else {
        record_of(&text("url"))
    };
    Ok(Notification {
        title: text("title"),
        body: text("body"),
        record,
    })
}

/// `ticket/<id>`, `issue/<id>` or `work_order/<id>`, as the app opens records.
fn is_record(record: &str) -> bool {
    record.split_once('/').is_some_and(|(kind, id)| {
        ["ticket", "issue", "work_order"].contains(&kind) && uuid::Uuid::parse_str(id).is_ok()
    })
}

/// The record an admin-app address names, as the app opens it: `ticket/<id>`, `issue/<id>` or
/// `work_order/<id>`; empty for anything else.
#[must_use]
pub fn record_of(url: &str) -> String {
    let path = url
        .split_once("://")
        .map_or(url, |(_, rest)| rest.find('/').map_or("", |i| &rest[i..]));
    let mut parts = path.trim_start_matches('/').split('/');
    let (Some(kind), Some(id), None) = (parts.next(), parts.next(), parts.next()) else {
        return String::new();
    };
    let kind = match kind {
        "tickets" => "ticket",
        "issues" => "issue",
        "work-orders" => "work_order",
        _ => return String::new(),
    };
    if uuid::Uuid::parse_str(id).is_err() {
        return String::new();
    }
    format!("{kind}/{id}")
}

#[cfg(test)]
mod tests {
    use super::{open, record_of};

    #[test]
    fn a_plain_payload_opens_from_web_push_or_apns() {
        let id = "0193a5b2-7c1d-7e3f-8a9b-0c1d2e3f4a5b";
        let url = format!("https://acme.proplink.app/tickets/{id}");
        let web =
            serde_json::json!({ "title": "Urgent request", "body": "At Block A", "url": url });
        let shown = open(web.to_string().as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (
                shown.title.as_str(),
                shown.body.as_str(),
                shown.record.clone()
            ),
            ("Urgent request", "At Block A", format!("ticket/{id}"))
        );
        let apns = serde_json::json!({
            "aps": { "alert": { "title": "Urgent request", "body": "At Block A" }, "sound": "default" },
            "url": url,
        });
        assert_eq!(
            open(apns.to_string().as_bytes()).ok(),
            Some(shown),
            "an iPhone's payload reads the same"
        );
        for bad in [&b"not json"[..], b"[1,2]", b"\"a string\""] {
            assert!(open(bad).is_err(), "{bad:?}");
        }
        let bare = open(b"{}").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(bare.record, "", "nothing to open");
        let own = serde_json::json!({ "record": format!("work_order/{id}") });
        assert_eq!(
            open(own.to_string().as_bytes()).map(|n| n.record).ok(),
            Some(format!("work_order/{id}")),
            "the app's own notification, tapped on an iPhone"
        );
        for odd in ["invoice/{id}", "ticket/../../etc", "ticket/"] {
            let odd = serde_json::json!({ "record": odd.replace("{id}", id) });
            assert_eq!(
                open(odd.to_string().as_bytes()).map(|n| n.record).ok(),
                Some(String::new())
            );
        }
    }

    #[test]
    fn a_tap_opens_the_record_the_address_names() {
        let id = "0193a5b2-7c1d-7e3f-8a9b-0c1d2e3f4a5b";
        assert_eq!(
            record_of(&format!("https://acme.proplink.app/tickets/{id}")),
            format!("ticket/{id}")
        );
        assert_eq!(
            record_of(&format!(
                "http://acme.proplink.localhost:8080/work-orders/{id}"
            )),
            format!("work_order/{id}")
        );
        assert_eq!(
            record_of(&format!("https://acme.proplink.app/issues/{id}")),
            format!("issue/{id}")
        );
        assert_eq!(record_of("https://acme.proplink.app/tickets/not-an-id"), "");
        assert_eq!(
            record_of(&format!("https://acme.proplink.app/invoices/{id}")),
            ""
        );
        assert_eq!(
            record_of(&format!("https://acme.proplink.app/tickets/{id}/reply")),
            ""
        );
    }
}
