//! Push notifications over Web Push (RFC 8030 delivery, RFC 8291 encryption, RFC 8292 VAPID)
//! to the browsers and devices people turned them on for.
//!
//! A push is queued in the outbox **in the same transaction** as the event that causes it, once
//! per event per subscription; the sender ([`sender`]) delivers it after the commit, with
//! retries and backoff, and forgets a subscription the push service says is gone. A payload
//! carries only what a lock screen may show — a title, a line, the address of the record —
//! never a name, an amount owed or a message's text.

pub mod apns;
pub mod crypto;
pub mod sender;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use proplink_shared::audit::AuditAction;
pub use proplink_shared::notifications::{PushKind, QuietHours};
use proplink_shared::records::RecordType;
use proplink_shared::{Actor, ContactId, StaffUserId};
use serde_json::json;
use time::OffsetDateTime;

use super::change::{Change, Event, Who};
use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::store::push::{self as store, NewPush, NewSubscription, Subscription};
use crypto::VapidKey;

/// Browsers and devices one person may have notifications on at once.
pub const MAX_SUBSCRIPTIONS_PER_PERSON: usize = 10;

/// Whose a subscription is, as the store keys it: the same words the audit trail uses.
#[must_use]
pub fn subject_of(actor: &Actor) -> String {
    let who = Who::of(actor);
    format!("{}:{}", who.kind, who.id.unwrap_or_default())
}

#[must_use]
pub fn contact_subject(id: ContactId) -> String {
    format!("contact:{id}")
}

#[must_use]
pub fn staff_subject(id: StaffUserId) -> String {
    format!("staff:{id}")
}

/// The VAPID key new subscriptions are made with, made the first time it is asked for.
pub async fn current_key(app: &App) -> AppResult<(String, VapidKey)> {
    let row = {
        let mut conn = app.db.read().await?;
        store::current_key(&mut conn).await?
    };
    match row {
        Some(row) => Ok((row.id.clone(), open_key(app, &row)?)),
        None => {
            rotate(app).await?;
            let mut conn = app.db.read().await?;
            let row = store::current_key(&mut conn).await?.ok_or_else(|| {
                AppError::Internal(anyhow::anyhow!("no VAPID key after making one"))
            })?;
            Ok((row.id.clone(), open_key(app, &row)?))
        }
    }
}

fn open_key(app: &App, row: &store::VapidKeyRow) -> AppResult<VapidKey> {
    app.secrets
        .open_key(&row.sealed_private_key)
        .and_then(|bytes| VapidKey::from_bytes(&bytes))
        .ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!(
                "the VAPID key {} cannot be opened with this server's secret key",
                row.id
            ))
        })
}

/// The public key browsers subscribe with (`applicationServerKey`).
pub async fn public_key(app: &App) -> AppResult<String> {
    Ok(current_key(app).await?.1.public_key())
}

/// Makes a new VAPID key and retires the others for new subscriptions; returns its public
/// key. Subscriptions made with an older key are still signed with it, and a browser that
/// sees a new public key subscribes again.
pub async fn rotate(app: &App) -> AppResult<String> {
    let key = VapidKey::generate();
    let id = uuid::Uuid::now_v7().to_string();
    let now = app.clock.now();
    let sealed = app.secrets.seal_key(&key.private_bytes());
    let mut tx = app.db.begin().await?;
    store::insert_key(&mut tx, &id, &key.public_key(), &sealed, now).await?;
    store::retire_keys_but(&mut tx, &id, now).await?;
    tx.commit().await?;
    Ok(key.public_key())
}

/// A subscription as a browser's `PushSubscription.toJSON()` gives it.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct SubscriptionForm {
    #[serde(default)]
    pub endpoint: String,
    #[serde(default)]
    pub keys: SubscriptionKeys,
    /// The server's public key the browser subscribed with, as the page gave it (empty: the
    /// current one).
    #[serde(default)]
    pub server_key: String,
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct SubscriptionKeys {
    #[serde(default)]
    pub p256dh: String,
    #[serde(default)]
    pub auth: String,
}

/// Checks a subscription before it is kept: a push service's address (https, a real host —
/// never one of ours or a private network's, so the sender cannot be aimed inside), and keys
/// that encrypt.
fn check(app: &App, form: &SubscriptionForm) -> AppResult<()> {
    let bad = |message: &str| AppError::bad_request("bad_subscription", message);
    if form.endpoint.len() > 2048 {
        return Err(bad("The push endpoint is too long"));
    }
    let url = reqwest::Url::parse(&form.endpoint)
        .map_err(|_| bad("The push endpoint is not a web address"))?;
    let insecure_allowed = app.config.push_insecure_endpoints;
    if url.scheme() != "https" && !(insecure_allowed && url.scheme() == "http") {
        return Err(bad("The push endpoint must be an https address"));
    }
    if url.host().is_none() {
        return Err(bad("The push endpoint has no host"));
    }
    if !insecure_allowed && !public_host(&url) {
        return Err(bad(
            "The push endpoint must be a push service on the internet",
        ));
    }
    let key = B64
        .decode(form.keys.p256dh.trim_end_matches('='))
        .map_err(|_| bad("The subscription's p256dh key is not base64url"))?;
    if p256::PublicKey::from_sec1_bytes(&key).is_err() || key.len() != 65 {
        return Err(bad(
            "The subscription's p256dh key is not a P-256 public key",
        ));
    }
    let auth = B64
        .decode(form.keys.auth.trim_end_matches('='))
        .map_err(|_| bad("The subscription's auth secret is not base64url"))?;
    if auth.len() != 16 {
        return Err(bad("The subscription's auth secret must be 16 bytes"));
    }
    Ok(())
}

/// Whether an address is on the internet: not this machine's, a private or shared network's,
/// link-local, multicast, reserved or documentation — IPv4 inside IPv6 judged as IPv4.
#[must_use]
pub fn is_public_ip(ip: std::net::IpAddr) -> bool {
    use std::net::IpAddr;
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_documentation()
                || v4.is_multicast()
                || a == 0
                || a >= 240
                || a == 100 && (64..128).contains(&b)
                || a == 198 && (18..20).contains(&b))
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_ip(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || first == 0x2002
                || v6.segments()[..6] == [0x64, 0xff9b, 0, 0, 0, 0])
        }
    }
}

/// Whether a host is somewhere on the internet: not an address of this machine or of a private
/// network, and not a name that only makes sense inside one.
fn public_host(url: &reqwest::Url) -> bool {
    use std::net::IpAddr;
    let ip_is_public = is_public_ip;
    match url.host() {
        None => false,
        Some(url::Host::Ipv4(v4)) => ip_is_public(IpAddr::V4(v4)),
        Some(url::Host::Ipv6(v6)) => ip_is_public(IpAddr::V6(v6)),
        Some(url::Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            name.contains('.')
                && !name.ends_with(".localhost")
                && !name.ends_with(".local")
                && !name.ends_with(".internal")
                && name != "localhost"
        }
    }
}

/// Turns notifications on for the browser or device `form` describes, for `actor` on `door`.
/// The same browser subscribing again replaces its old subscription.
pub async fn subscribe(
    app: &App,
    actor: &Actor,
    door: &str,
    device: &str,
    form: &SubscriptionForm,
) -> AppResult<String> {
    check(app, form)?;
    let (key_id, current) = current_key(app).await?;
    // Signed with another key than it was made with, every push would be refused.
    if !form.server_key.is_empty() && form.server_key != current.public_key() {
        return Err(AppError::conflict(
            "key_changed",
            "Notifications were set up again on the server since this page was opened: reload the page and turn them on again.",
        ));
    }
    let target = Target {
        endpoint: &form.endpoint,
        p256dh: &form.keys.p256dh,
        auth: &form.keys.auth,
        vapid_key_id: &key_id,
    };
    keep(app, actor, door, device, &target).await
}

/// Turns notifications on for an iPhone with Facility Report, by the device token APNs gave
/// it. The same token again replaces its old subscription.
pub async fn subscribe_iphone(
    app: &App,
    actor: &Actor,
    device: &str,
    device_token: &str,
) -> AppResult<String> {
    if app.config.apns.is_none() {
        return Err(AppError::conflict(
            "apns_off",
            "This PropLink server does not send notifications to iPhones: ask your administrator to set up APNs.",
        ));
    }
    let token = device_token.trim().to_ascii_lowercase();
    if !apns::valid_device_token(&token) {
        return Err(AppError::bad_request(
            "bad_subscription",
            "The device token is not one APNs gives (hex, 32 bytes or more)",
        ));
    }
    let (key_id, _) = current_key(app).await?;
    let endpoint = format!("{}{token}", apns::SCHEME);
    let target = Target {
        endpoint: &endpoint,
        p256dh: "",
        auth: "",
        vapid_key_id: &key_id,
    };
    keep(app, actor, "facility_report", device, &target).await
}

/// Where one subscription's pushes go, checked.
struct Target<'a> {
    endpoint: &'a str,
    p256dh: &'a str,
    auth: &'a str,
    vapid_key_id: &'a str,
}

async fn keep(
    app: &App,
    actor: &Actor,
    door: &str,
    device: &str,
    target: &Target<'_>,
) -> AppResult<String> {
    let subject = subject_of(actor);
    let device: String = device.chars().take(120).collect();
    let mut change = Change::begin(app, actor).await?;
    let mine = store::subscriptions_of(&mut change, actor.org, &subject).await?;
    let replacing = mine.iter().any(|s| s.endpoint == target.endpoint);
    if !replacing && mine.len() >= MAX_SUBSCRIPTIONS_PER_PERSON {
        return Err(AppError::conflict(
            "too_many",
            format!(
                "Notifications are on for {MAX_SUBSCRIPTIONS_PER_PERSON} browsers and devices already: turn them off on one you no longer use first."
            ),
        ));
    }
    let id = uuid::Uuid::now_v7().to_string();
    let now = change.now;
    let kept = store::upsert_subscription(
        &mut change,
        &NewSubscription {
            id: &id,
            org: actor.org,
            subject: &subject,
            endpoint: target.endpoint,
            p256dh: target.p256dh,
            auth: target.auth,
            vapid_key_id: target.vapid_key_id,
            door,
            device: &device,
        },
        now,
    )
    .await;
    if let Err(e) = kept {
        return Err(if e.is_unique_violation() {
            AppError::conflict(
                "taken",
                "This browser's notifications belong to an account of another organisation: turn them off there first.",
            )
        } else {
            e.into()
        });
    }
    change
        .record(Event::new(
            RecordType::Organisation,
            actor.org,
            AuditAction::Create,
            format!("turned on notifications on {device}"),
            json!({ "subscription": id, "door": door, "device": device, "push_service": push_service(target.endpoint) }),
        ))
        .await?;
    change.commit().await?;
    Ok(id)
}

/// The push service a subscription goes through, as people know it: its host.
fn push_service(endpoint: &str) -> String {
    if endpoint.starts_with(apns::SCHEME) {
        return "Apple Push Notification service".into();
    }
    reqwest::Url::parse(endpoint)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_default()
}

/// `actor`'s own subscriptions, newest first.
pub async fn subscriptions(app: &App, actor: &Actor) -> AppResult<Vec<Subscription>> {
    let mut conn = app.db.read().await?;
    Ok(store::subscriptions_of(&mut conn, actor.org, &subject_of(actor)).await?)
}

/// Turns notifications off for one of `actor`'s own browsers or devices.
pub async fn unsubscribe(app: &App, actor: &Actor, id: &str) -> AppResult<()> {
    let mut change = Change::begin(app, actor).await?;
    let subject = subject_of(actor);
    let device = store::subscriptions_of(&mut change, actor.org, &subject)
        .await?
        .into_iter()
        .find(|s| s.id == id)
        .map(|s| s.device)
        .ok_or(AppError::NotFound)?;
    store::delete_subscription_of(&mut change, actor.org, &subject, id).await?;
    change
        .record(Event::new(
            RecordType::Organisation,
            actor.org,
            AuditAction::Archive,
            format!("turned off notifications on {device}"),
            json!({ "subscription": id }),
        ))
        .await?;
    change.commit().await
}

/// Turns notifications off for the browser `actor` signs out of, known by its endpoint: only a
/// subscription of theirs is touched, and an endpoint they do not hold changes nothing.
pub async fn unsubscribe_endpoint(app: &App, actor: &Actor, endpoint: &str) -> AppResult<()> {
    let id = {
        let mut conn = app.db.read().await?;
        store::subscriptions_of(&mut conn, actor.org, &subject_of(actor))
            .await?
            .into_iter()
            .find(|s| s.endpoint == endpoint)
            .map(|s| s.id)
    };
    match id {
        Some(id) => unsubscribe(app, actor, &id).await,
        None => Ok(()),
    }
}

/// How soon a push matters, as the `Urgency` header says it (RFC 8030 §5.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Urgency {
    Low,
    Normal,
    High,
}

impl Urgency {
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Urgency::Low => "low",
            Urgency::Normal => "normal",
            Urgency::High => "high",
        }
    }
}

/// What a push says and opens. Only lock-screen words: no names, amounts owed or message text.
pub struct Notice<'a> {
    /// Which of the kinds a person may turn off it is.
    pub kind: PushKind,
    /// Unique per event: one push per event per device, whatever retries.
    pub event: String,
    /// Repeats of the same topic replace each other at the push service (≤ 32 characters of
    /// the base64url alphabet).
    pub topic: String,
    pub title: &'a str,
    pub body: &'a str,
    /// The address a tap opens.
    pub url: String,
    pub urgency: Urgency,
    /// How long the push service should keep it for a device that is off.
    pub ttl: time::Duration,
}

/// A topic from any text: its SHA-256, in the 32 characters the header allows.
#[must_use]
pub fn topic(of: &str) -> String {
    use sha2::Digest;
    B64.encode(sha2::Sha256::digest(of.as_bytes()))
        .chars()
        .take(32)
        .collect()
}

/// Queues `notice` for every browser and device of each of `subjects`, inside the change that
/// makes the event: it is sent after the commit, or not at all if the change is undone.
pub async fn queue_in(
    change: &mut Change<'_>,
    subjects: &[String],
    notice: &Notice<'_>,
) -> AppResult<()> {
    let org = change.org();
    let now: OffsetDateTime = change.now;
    let payload = json!({
        "title": notice.title,
        "body": notice.body,
        "url": notice.url,
        "tag": notice.topic,
    })
    .to_string();
    if payload.len() > crypto::MAX_PAYLOAD {
        return Err(AppError::Internal(anyhow::anyhow!(
            "a push payload is too long"
        )));
    }
    let urgent = notice.urgency == Urgency::High;
    // Two queries whoever many people a notice reaches: their choices, and their devices.
    let choices: std::collections::HashMap<String, Preferences> =
        store::preferences_of_all(change, org, subjects)
            .await?
            .into_iter()
            .map(|(subject, muted, from, until)| (subject, preferences_from(&muted, from, until)))
            .collect();
    let mut queued = false;
    for s in store::subscriptions_of_all(change, org, subjects).await? {
        let prefs = choices.get(&s.subject).cloned().unwrap_or_default();
        // Urgent ones always go, at once; the rest as the person chose.
        if !urgent && prefs.muted.contains(&notice.kind) {
            continue;
        }
        let due_at = match prefs.quiet {
            Some(quiet) if !urgent => quiet.release(now),
            _ => now,
        };
        store::enqueue(
            change,
            &NewPush {
                org,
                subscription_id: &s.id,
                event_key: &notice.event,
                topic: &notice.topic,
                urgency: notice.urgency.code(),
                ttl_seconds: notice.ttl.whole_seconds(),
                payload: &payload,
                due_at,
            },
            now,
        )
        .await?;
        queued = true;
    }
    if queued {
        change.push_queued();
    }
    Ok(())
}

/// What a person chose to hear about on their devices, and when.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Preferences {
    pub muted: Vec<PushKind>,
    pub quiet: Option<QuietHours>,
}

async fn preferences_of(
    conn: &mut crate::store::Conn,
    org: proplink_shared::OrgId,
    subject: &str,
) -> AppResult<Preferences> {
    Ok(store::preferences(conn, org, subject)
        .await?
        .map(|row| preferences_from(&row.muted, row.quiet_from, row.quiet_until))
        .unwrap_or_default())
}

/// Choices as stored: the kinds turned off, and quiet hours.
fn preferences_from(muted: &str, from: Option<String>, until: Option<String>) -> Preferences {
    Preferences {
        muted: muted.split(',').filter_map(PushKind::from_code).collect(),
        quiet: match (from, until) {
            (Some(from), Some(until)) => QuietHours::parse(&from, &until).ok().flatten(),
            _ => None,
        },
    }
}

/// `actor`'s own choices.
pub async fn preferences(app: &App, actor: &Actor) -> AppResult<Preferences> {
    let mut conn = app.db.read().await?;
    preferences_of(&mut conn, actor.org, &subject_of(actor)).await
}

/// Saves what `actor` wants to hear about (`wanted`, of `offered`) and their quiet hours.
pub async fn set_preferences(
    app: &App,
    actor: &Actor,
    offered: &[PushKind],
    wanted: &[PushKind],
    quiet_from: &str,
    quiet_until: &str,
) -> AppResult<()> {
    let quiet = QuietHours::parse(quiet_from, quiet_until).map_err(AppError::Invalid)?;
    let muted: Vec<PushKind> = offered
        .iter()
        .copied()
        .filter(|k| !wanted.contains(k))
        .collect();
    let mut change = Change::begin(app, actor).await?;
    let now = change.now;
    let (from, until) = quiet.map(QuietHours::text).unzip();
    store::set_preferences(
        &mut change,
        actor.org,
        &subject_of(actor),
        &store::PreferencesRow {
            muted: muted.iter().map(|k| k.code()).collect::<Vec<_>>().join(","),
            quiet_from: from.clone(),
            quiet_until: until.clone(),
        },
        now,
    )
    .await?;
    change
        .record(Event::new(
            RecordType::Organisation,
            actor.org,
            AuditAction::Update,
            "changed what they are notified of".to_owned(),
            json!({ "muted": muted.iter().map(|k| k.code()).collect::<Vec<_>>(), "quiet_from": from, "quiet_until": until }),
        ))
        .await?;
    change.commit().await
}

/// The site managers who look after `site` (every site, or it among theirs): those told of a
/// new high-priority request there.
pub(crate) async fn site_managers(
    change: &mut Change<'_>,
    site: proplink_shared::SiteId,
) -> AppResult<Vec<String>> {
    let org = change.org();
    let staff = crate::store::orgs::staff_list(change, org).await?;
    let sites = crate::store::orgs::all_staff_sites(change, org).await?;
    Ok(staff
        .into_iter()
        .filter(|s| {
            s.active
                && s.role == Some(proplink_shared::Role::SiteManager)
                && (s.all_sites || sites.contains(&(s.id, site)))
        })
        .map(|s| staff_subject(s.id))
        .collect())
}

/// An organisation's latest pushes, for the communications log.
pub async fn log(app: &App, actor: &Actor, limit: i64) -> AppResult<Vec<store::Push>> {
    super::check(
        actor,
        proplink_shared::Action::Read,
        &proplink_shared::Resource::org_wide(actor.org, proplink_shared::Domain::Audit),
    )?;
    let mut conn = app.db.read().await?;
    Ok(store::of_org(&mut conn, actor.org, limit).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_hosts_on_the_internet_are_push_services() {
        let host = |s: &str| reqwest::Url::parse(s).unwrap_or_else(|e| panic!("{e}"));
        for good in [
            "https://fcm.googleapis.com/fcm/send/x",
            "https://updates.push.services.mozilla.com/wpush/v2/x",
            "https://[2a00:1450:4009::1]/x",
        ] {
            assert!(public_host(&host(good)), "{good}");
        }
        for bad in [
            "https://127.0.0.1/x",
            "https://10.0.0.8/x",
            "https://192.168.1.1/x",
            "https://169.254.169.254/latest/meta-data",
            "https://100.64.0.1/x",
            "https://[::1]/x",
            "https://[fd00::1]/x",
            "https://[::ffff:127.0.0.1]/x",
            "https://[::ffff:a9fe:a9fe]/x",
            "https://[64:ff9b::a00:1]/x",
            "https://0.0.0.1/x",
            "https://198.18.0.1/x",
            "https://239.1.1.1/x",
            "https://localhost/x",
            "https://acme.proplink.localhost/x",
            "https://printer.local/x",
            "https://metadata/x",
        ] {
            assert!(!public_host(&host(bad)), "{bad}");
        }
    }

    #[test]
    fn topics_fit_the_header() {
        let t = topic("ticket-reply:0192f0c4-aaaa-7bbb-8ccc-123456789abc");
        assert_eq!(t.len(), 32);
        assert!(
            t.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
    }
}
