//! The push sender: claims pushes from the outbox one at a time (several senders, on several
//! replicas, never claim the same one), encrypts each for its subscription, signs it with the
//! VAPID key the subscription was made with, and posts it to the push service.
//!
//! 201 (or any 2xx) is delivered. 404 and 410 mean the subscription is gone: it is forgotten at
//! once, with everything still queued for it. 429 and 5xx, and a push service that cannot be
//! reached, are tried again with exponential backoff (or after `Retry-After`), up to
//! [`MAX_ATTEMPTS`]; any other answer is a mistake that trying again will not mend. Every push
//! stays in the outbox with its status: the communications log.

use std::time::Duration as StdDuration;

use time::Duration;

use super::apns::{self, Apns, Reply};
use super::crypto::{self, ReceiverKeys, VapidKey};
use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::store::push::{self as store, Push, Subscription};

/// Tries before a push is given up on.
pub const MAX_ATTEMPTS: i64 = 6;
/// A claim older than this was abandoned by a sender that stopped mid-send.
const CLAIM_TIMEOUT: Duration = Duration::minutes(2);
/// How long the VAPID token is good for (RFC 8292 allows up to 24 hours).
const TOKEN_LIFETIME: Duration = Duration::hours(12);

/// What a push came to.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Delivered,
    /// The push service no longer knows the subscription (404, 410): forgotten.
    Gone,
    /// Tried again later.
    Retrying,
    /// Given up on.
    Failed,
}

/// Senders working at once in one process: one slow push service holds up only its own.
const SENDERS: usize = 4;

/// Sends pushes as they are queued, until the process ends.
pub async fn run_sender(app: App) {
    for _ in 1..SENDERS {
        tokio::spawn(send_until_stopped(app.clone()));
    }
    send_until_stopped(app).await;
}

async fn send_until_stopped(app: App) {
    let client = client(&app);
    loop {
        loop {
            match deliver_next(&app, &client).await {
                Ok(Some(_)) => {}
                Ok(None) => break,
                Err(e) => {
                    tracing::warn!(error = ?e, "the push sender could not work through the outbox");
                    break;
                }
            }
        }
        tokio::select! {
            () = app.push_wakeup.notified() => {}
            () = tokio::time::sleep(StdDuration::from_secs(5)) => {}
        }
    }
}

/// What pushes go out through: Web Push services (browsers, and phones through UnifiedPush),
/// and APNs for iPhones where it is set up.
pub struct Clients {
    web: reqwest::Client,
    apns: Option<std::sync::Arc<Apns>>,
}

/// The clients pushes go out with. The Web Push one has short timeouts, no redirects (a push
/// service answers, it does not send us elsewhere), and resolves names only to addresses on
/// the internet — a name that points inside the network is refused when connecting, whatever
/// it was when the subscription was checked.
#[must_use]
pub fn client(app: &App) -> Clients {
    let mut builder = reqwest::Client::builder()
        .timeout(StdDuration::from_secs(10))
        .connect_timeout(StdDuration::from_secs(5))
        .redirect(reqwest::redirect::Policy::none());
    if !app.config.push_insecure_endpoints {
        builder = builder.dns_resolver(std::sync::Arc::new(PublicOnly));
    }
    let apns = app
        .config
        .apns
        .as_ref()
        .and_then(|settings| match Apns::new(settings) {
            Ok(apns) => Some(std::sync::Arc::new(apns)),
            Err(e) => {
                tracing::error!(error = %e, "pushes to iPhones cannot be sent");
                None
            }
        });
    Clients {
        web: builder.build().unwrap_or_else(|_| reqwest::Client::new()),
        apns,
    }
}

/// Resolves names to their public addresses only.
struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found: Vec<std::net::SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|a| super::is_public_ip(a.ip()))
                .collect();
            if found.is_empty() {
                return Err(
                    format!("{host} does not resolve to an address on the internet").into(),
                );
            }
            let addrs: reqwest::dns::Addrs = Box::new(found.into_iter());
            Ok(addrs)
        })
    }
}

/// Claims and sends the next push due, if any; what came of it.
pub async fn deliver_next(app: &App, client: &Clients) -> AppResult<Option<Outcome>> {
    let now = app.clock.now();
    let claimed = {
        let mut tx = app.db.begin().await?;
        let push = store::claim_next(&mut tx, now, now - CLAIM_TIMEOUT, MAX_ATTEMPTS).await?;
        tx.commit().await?;
        push
    };
    let Some(push) = claimed else {
        return Ok(None);
    };
    let subscription = {
        let mut conn = app.db.read().await?;
        store::subscription(&mut conn, &push.subscription_id).await?
    };
    let Some(subscription) = subscription else {
        let mut tx = app.db.begin().await?;
        store::forget_subscription(
            &mut tx,
            &push.subscription_id,
            "turned off before it was sent",
        )
        .await?;
        tx.commit().await?;
        return Ok(Some(Outcome::Gone));
    };
    let answer = send(app, client, &push, &subscription).await;
    let outcome = settle(app, &push, &subscription, answer).await?;
    Ok(Some(outcome))
}

/// What the push service said, or why it could not be asked.
enum Answer {
    Status(u16, Option<u64>),
    Unreachable(String),
    /// Nothing to send: the keys or the payload are wrong, which no retry mends.
    Unsendable(String),
    /// The device is no longer there (APNs says so in its own words).
    Gone(String),
    /// Not now (APNs busy, or its token refused at that moment): tried again.
    Later(String, Option<u64>),
}

async fn send(app: &App, clients: &Clients, push: &Push, s: &Subscription) -> Answer {
    if let Some(device_token) = s.endpoint.strip_prefix(apns::SCHEME) {
        let Some(apns) = &clients.apns else {
            return Answer::Unsendable(
                "pushes to iPhones are not set up on this server (APNs)".into(),
            );
        };
        return match apns.send(push, device_token, app.clock.now()).await {
            Reply::Delivered => Answer::Status(200, None),
            Reply::Gone(why) => Answer::Gone(why),
            Reply::Later(why, retry_after) => Answer::Later(why, retry_after),
            Reply::Refused(why) => Answer::Unsendable(why),
        };
    }
    let client = &clients.web;
    let key = match signing_key(app, &s.vapid_key_id).await {
        Ok(key) => key,
        Err(e) => return Answer::Unsendable(format!("{e:?}")),
    };
    let body = match crypto::encrypt(
        push.payload.as_bytes(),
        &ReceiverKeys {
            p256dh: &s.p256dh,
            auth: &s.auth,
        },
    ) {
        Ok(body) => body,
        Err(e) => return Answer::Unsendable(e.to_string()),
    };
    let expires = (app.clock.now() + TOKEN_LIFETIME).unix_timestamp();
    let request = client
        .post(&s.endpoint)
        .header("TTL", push.ttl_seconds.to_string())
        .header("Urgency", &push.urgency)
        .header("Topic", &push.topic)
        .header("Content-Encoding", "aes128gcm")
        .header("Content-Type", "application/octet-stream")
        .header(
            "Authorization",
            key.authorization(&s.endpoint, &contact(app), expires),
        )
        .body(body);
    match request.send().await {
        Ok(response) => {
            let retry_after = response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok());
            Answer::Status(response.status().as_u16(), retry_after)
        }
        Err(e) => Answer::Unreachable(e.without_url().to_string()),
    }
}

/// The address push services may write to about our pushes (RFC 8292's `sub`).
fn contact(app: &App) -> String {
    let from = &app.config.mail_from;
    let address = from
        .rsplit_once('<')
        .and_then(|(_, rest)| rest.strip_suffix('>'))
        .unwrap_or(from);
    format!("mailto:{}", address.trim())
}

async fn signing_key(app: &App, id: &str) -> AppResult<VapidKey> {
    let row = {
        let mut conn = app.db.read().await?;
        store::key(&mut conn, id).await?
    }
    .ok_or(AppError::NotFound)?;
    app.secrets
        .open_key(&row.sealed_private_key)
        .and_then(|bytes| VapidKey::from_bytes(&bytes))
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("the VAPID key {id} cannot be opened")))
}

/// Records what came of a push.
async fn settle(app: &App, push: &Push, s: &Subscription, answer: Answer) -> AppResult<Outcome> {
    let now = app.clock.now();
    let mut tx = app.db.begin().await?;
    let claimed = push.claimed_at.unwrap_or(now);
    let outcome = match answer {
        Answer::Status(code, _) if (200..300).contains(&code) => {
            store::mark_sent(&mut tx, &push.id, claimed, now).await?;
            store::touch_subscription(&mut tx, &s.id, now).await?;
            Outcome::Delivered
        }
        Answer::Status(code @ (404 | 410), _) => {
            store::forget_subscription(
                &mut tx,
                &s.id,
                &format!("the push service answered {code}: the subscription has ended"),
            )
            .await?;
            tracing::info!(subscription = %s.id, code, "a push subscription has ended; forgotten");
            Outcome::Gone
        }
        Answer::Gone(why) => {
            store::forget_subscription(&mut tx, &s.id, &format!("{why}: the device has gone"))
                .await?;
            tracing::info!(subscription = %s.id, why, "a device has gone; forgotten");
            Outcome::Gone
        }
        Answer::Status(code, retry_after) if code == 429 || code >= 500 => {
            retry_or_give_up(
                &mut tx,
                push,
                claimed,
                &format!("the push service answered {code}"),
                retry_after,
                now,
            )
            .await?
        }
        Answer::Later(why, retry_after) => {
            retry_or_give_up(&mut tx, push, claimed, &why, retry_after, now).await?
        }
        Answer::Unreachable(why) => {
            retry_or_give_up(
                &mut tx,
                push,
                claimed,
                &format!("the push service could not be reached: {why}"),
                None,
                now,
            )
            .await?
        }
        Answer::Status(code, _) => {
            store::mark_failed(
                &mut tx,
                &push.id,
                claimed,
                &format!("the push service refused it: {code}"),
                None,
            )
            .await?;
            tracing::warn!(push = %push.id, code, "a push was refused by the push service");
            Outcome::Failed
        }
        Answer::Unsendable(why) => {
            store::mark_failed(&mut tx, &push.id, claimed, &why, None).await?;
            tracing::warn!(push = %push.id, why, "a push could not be sent");
            Outcome::Failed
        }
    };
    tx.commit().await?;
    Ok(outcome)
}

async fn retry_or_give_up(
    conn: &mut crate::store::Conn,
    push: &Push,
    claimed: time::OffsetDateTime,
    why: &str,
    retry_after: Option<u64>,
    now: time::OffsetDateTime,
) -> AppResult<Outcome> {
    if push.attempts >= MAX_ATTEMPTS {
        store::mark_failed(
            conn,
            &push.id,
            claimed,
            &format!("{why}; gave up after {} tries", push.attempts),
            None,
        )
        .await?;
        tracing::warn!(push = %push.id, attempts = push.attempts, why, "gave up on a push");
        return Ok(Outcome::Failed);
    }
    let delay = backoff(push.attempts, retry_after);
    store::mark_failed(conn, &push.id, claimed, why, Some(now + delay)).await?;
    tracing::info!(push = %push.id, attempts = push.attempts, why, "a push will be tried again");
    Ok(Outcome::Retrying)
}

/// How long to wait after try `attempts`: 30 s doubling each time, at most an hour; at least as
/// long as the push service asked (within the same hour).
#[must_use]
pub fn backoff(attempts: i64, retry_after: Option<u64>) -> Duration {
    let doubling = 30i64 << attempts.clamp(1, 8).saturating_sub(1);
    let asked = retry_after.map_or(0, |s| i64::try_from(s.min(3600)).unwrap_or(3600));
    Duration::seconds(doubling.max(asked).min(3600))
}

#[cfg(test)]
mod tests {
    use super::backoff;

    #[test]
    fn retries_back_off_and_respect_what_was_asked() {
        assert_eq!(backoff(1, None).whole_seconds(), 30);
        assert_eq!(backoff(2, None).whole_seconds(), 60);
        assert_eq!(backoff(5, None).whole_seconds(), 480);
        assert_eq!(backoff(40, None).whole_seconds(), 3600);
        assert_eq!(backoff(1, Some(120)).whole_seconds(), 120);
        assert_eq!(backoff(1, Some(999_999)).whole_seconds(), 3600);
    }
}
