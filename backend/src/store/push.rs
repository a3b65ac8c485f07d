//! Web Push: the VAPID keys, people's subscriptions, and the outbox of pushes.

use proplink_shared::OrgId;
use time::OffsetDateTime;

use super::{Conn, DbResult, Dialect};
use crate::{params, read_model};

read_model! {
    pub struct VapidKeyRow {
        pub id: String = "id",
        pub public_key: String = "public_key",
        pub sealed_private_key: Vec<u8> = "sealed_private_key",
        pub created_at: OffsetDateTime = "created_at",
        pub retired_at: Option<OffsetDateTime> = "retired_at",
    }
}

/// The key new subscriptions are made with: the newest not retired.
pub async fn current_key(conn: &mut Conn) -> DbResult<Option<VapidKeyRow>> {
    conn.query_opt(
        &format!(
            "SELECT {} FROM vapid_keys WHERE retired_at IS NULL ORDER BY created_at DESC, id DESC LIMIT 1",
            VapidKeyRow::COLUMNS
        ),
        params![],
    )
    .await
}

pub async fn key(conn: &mut Conn, id: &str) -> DbResult<Option<VapidKeyRow>> {
    conn.query_opt(
        &format!(
            "SELECT {} FROM vapid_keys WHERE id = $1",
            VapidKeyRow::COLUMNS
        ),
        params![id],
    )
    .await
}

pub async fn insert_key(
    conn: &mut Conn,
    id: &str,
    public_key: &str,
    sealed_private_key: &[u8],
    now: OffsetDateTime,
) -> DbResult<()> {
    conn.execute(
        "INSERT INTO vapid_keys (id, public_key, sealed_private_key, created_at) VALUES ($1, $2, $3, $4)",
        params![id, public_key, sealed_private_key, now],
    )
    .await?;
    Ok(())
}

/// Retires every key but `keep`: new subscriptions are made with `keep`.
pub async fn retire_keys_but(conn: &mut Conn, keep: &str, now: OffsetDateTime) -> DbResult<u64> {
    conn.execute(
        "UPDATE vapid_keys SET retired_at = $2 WHERE id <> $1 AND retired_at IS NULL",
        params![keep, now],
    )
    .await
}

read_model! {
    pub struct Subscription {
        pub id: String = "id",
        pub organisation_id: OrgId = "organisation_id",
        pub subject: String = "subject",
        pub endpoint: String = "endpoint",
        pub p256dh: String = "p256dh",
        pub auth: String = "auth",
        pub vapid_key_id: String = "vapid_key_id",
        pub door: String = "door",
        pub device: String = "device",
        pub created_at: OffsetDateTime = "created_at",
        pub last_sent_at: Option<OffsetDateTime> = "last_sent_at",
    }
}

pub struct NewSubscription<'a> {
    pub id: &'a str,
    pub org: OrgId,
    pub subject: &'a str,
    pub endpoint: &'a str,
    pub p256dh: &'a str,
    pub auth: &'a str,
    pub vapid_key_id: &'a str,
    pub door: &'a str,
    pub device: &'a str,
}

/// Keeps a subscription. An endpoint is one browser or device: subscribing it again in the
/// same organisation (a new sign-in, fresh keys, someone else on the same browser) replaces
/// what was there; one another organisation holds is left alone, and the insert's unique
/// endpoint refuses the newcomer.
pub async fn upsert_subscription(
    conn: &mut Conn,
    s: &NewSubscription<'_>,
    now: OffsetDateTime,
) -> DbResult<()> {
    conn.execute(
        "DELETE FROM push_subscriptions WHERE endpoint = $1 AND organisation_id = $2",
        params![s.endpoint, s.org],
    )
    .await?;
    conn.execute(
        "INSERT INTO push_subscriptions (organisation_id, id, subject, endpoint, p256dh, auth, vapid_key_id, door, device, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        params![s.org, s.id, s.subject, s.endpoint, s.p256dh, s.auth, s.vapid_key_id, s.door, s.device, now],
    )
    .await?;
    Ok(())
}

/// A person's subscriptions, newest first.
pub async fn subscriptions_of(
    conn: &mut Conn,
    org: OrgId,
    subject: &str,
) -> DbResult<Vec<Subscription>> {
    conn.query(
        &format!(
            "SELECT {} FROM push_subscriptions WHERE organisation_id = $1 AND subject = $2 ORDER BY created_at DESC, id DESC",
            Subscription::COLUMNS
        ),
        params![org, subject],
    )
    .await
}

/// The subscriptions of several people at once (one query, whoever many a notice reaches).
pub async fn subscriptions_of_all(
    conn: &mut Conn,
    org: OrgId,
    subjects: &[String],
) -> DbResult<Vec<Subscription>> {
    if subjects.is_empty() {
        return Ok(Vec::new());
    }
    let mut q =
        super::query::ListQuery::in_org("FROM push_subscriptions".into(), org, "organisation_id");
    let list: Vec<String> = subjects.iter().map(|s| q.params.push(s)).collect();
    q.raw(&format!("subject IN ({})", list.join(", ")));
    q.all(conn, Subscription::COLUMNS, "created_at, id").await
}

/// What several people chose, as (subject, muted, quiet from, quiet until), in one query.
pub async fn preferences_of_all(
    conn: &mut Conn,
    org: OrgId,
    subjects: &[String],
) -> DbResult<Vec<(String, String, Option<String>, Option<String>)>> {
    if subjects.is_empty() {
        return Ok(Vec::new());
    }
    let mut q =
        super::query::ListQuery::in_org("FROM push_preferences".into(), org, "organisation_id");
    let list: Vec<String> = subjects.iter().map(|s| q.params.push(s)).collect();
    q.raw(&format!("subject IN ({})", list.join(", ")));
    q.all(conn, "subject, muted, quiet_from, quiet_until", "subject")
        .await
}

pub async fn subscription(conn: &mut Conn, id: &str) -> DbResult<Option<Subscription>> {
    conn.query_opt(
        &format!(
            "SELECT {} FROM push_subscriptions WHERE id = $1",
            Subscription::COLUMNS
        ),
        params![id],
    )
    .await
}

/// Removes one of a person's subscriptions; false if it was not theirs (or not there).
pub async fn delete_subscription_of(
    conn: &mut Conn,
    org: OrgId,
    subject: &str,
    id: &str,
) -> DbResult<bool> {
    Ok(conn
        .execute(
            "DELETE FROM push_subscriptions WHERE organisation_id = $1 AND subject = $2 AND id = $3",
            params![org, subject, id],
        )
        .await?
        == 1)
}

/// Removes a subscription the push service said is gone, and the pushes still waiting for it.
pub async fn forget_subscription(conn: &mut Conn, id: &str, why: &str) -> DbResult<()> {
    conn.execute("DELETE FROM push_subscriptions WHERE id = $1", params![id])
        .await?;
    conn.execute(
        "UPDATE push_outbox SET status = 'gone', last_error = $2, claimed_at = NULL WHERE subscription_id = $1 AND status IN ('queued', 'sending')",
        params![id, why],
    )
    .await?;
    Ok(())
}

pub async fn touch_subscription(conn: &mut Conn, id: &str, now: OffsetDateTime) -> DbResult<()> {
    conn.execute(
        "UPDATE push_subscriptions SET last_sent_at = $2 WHERE id = $1",
        params![id, now],
    )
    .await?;
    Ok(())
}

read_model! {
    pub struct Push {
        pub id: String = "id",
        pub organisation_id: OrgId = "organisation_id",
        pub subscription_id: String = "subscription_id",
        pub event_key: String = "event_key",
        pub topic: String = "topic",
        pub urgency: String = "urgency",
        pub ttl_seconds: i64 = "ttl_seconds",
        pub payload: String = "payload",
        pub status: String = "status",
        pub attempts: i64 = "attempts",
        pub last_error: Option<String> = "last_error",
        pub created_at: OffsetDateTime = "created_at",
        pub sent_at: Option<OffsetDateTime> = "sent_at",
        /// When the sender working on it claimed it: only that sender records what came of it.
        pub claimed_at: Option<OffsetDateTime> = "claimed_at",
    }
}

pub struct NewPush<'a> {
    pub org: OrgId,
    pub subscription_id: &'a str,
    pub event_key: &'a str,
    pub topic: &'a str,
    pub urgency: &'a str,
    pub ttl_seconds: i64,
    pub payload: &'a str,
    /// When it may go: now, or the end of its person's quiet hours.
    pub due_at: OffsetDateTime,
}

/// Queues a push for one subscription, once per event: a second queueing of the same event
/// for the same subscription is a no-op.
pub async fn enqueue(conn: &mut Conn, p: &NewPush<'_>, now: OffsetDateTime) -> DbResult<()> {
    conn.execute(
        "INSERT INTO push_outbox (id, organisation_id, subscription_id, event_key, topic, urgency, ttl_seconds, payload, status, due_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'queued', $9, $10) \
         ON CONFLICT (subscription_id, event_key) DO NOTHING",
        params![uuid::Uuid::now_v7(), p.org, p.subscription_id, p.event_key, p.topic, p.urgency, p.ttl_seconds, p.payload, p.due_at, now],
    )
    .await?;
    Ok(())
}

/// Claims the oldest push due. On PostgreSQL `SKIP LOCKED` lets several workers share the
/// outbox without sending anything twice; a claim older than `stale` (its worker stopped
/// mid-send) may be taken again while it has tries left.
pub async fn claim_next(
    conn: &mut Conn,
    now: OffsetDateTime,
    stale: OffsetDateTime,
    max_attempts: i64,
) -> DbResult<Option<Push>> {
    let lock = match conn.dialect() {
        Dialect::Postgres => "FOR UPDATE SKIP LOCKED",
        Dialect::Sqlite => "",
    };
    conn.query_opt(
        &format!(
            "UPDATE push_outbox SET status = 'sending', attempts = attempts + 1, claimed_at = $1 WHERE id = \
             (SELECT id FROM push_outbox WHERE (status = 'queued' AND due_at <= $1) OR (status = 'sending' AND claimed_at < $2 AND attempts < $3) \
              ORDER BY due_at, id LIMIT 1 {lock}) \
             RETURNING {}",
            Push::COLUMNS
        ),
        params![now, stale, max_attempts],
    )
    .await
}

/// Delivered — recorded only by the sender that holds the claim made at `claimed`.
pub async fn mark_sent(
    conn: &mut Conn,
    id: &str,
    claimed: OffsetDateTime,
    at: OffsetDateTime,
) -> DbResult<()> {
    conn.execute(
        "UPDATE push_outbox SET status = 'sent', sent_at = $3, last_error = NULL, claimed_at = NULL \
         WHERE id = $1 AND status = 'sending' AND claimed_at = $2",
        params![id, claimed, at],
    )
    .await?;
    Ok(())
}

/// Not delivered this time: tried again at `retry_at`, or given up on — recorded only by the
/// sender that holds the claim made at `claimed`.
pub async fn mark_failed(
    conn: &mut Conn,
    id: &str,
    claimed: OffsetDateTime,
    error: &str,
    retry_at: Option<OffsetDateTime>,
) -> DbResult<()> {
    match retry_at {
        Some(at) => {
            conn.execute(
                "UPDATE push_outbox SET status = 'queued', last_error = $3, due_at = $4, claimed_at = NULL \
                 WHERE id = $1 AND status = 'sending' AND claimed_at = $2",
                params![id, claimed, error, at],
            )
            .await?
        }
        None => {
            conn.execute(
                "UPDATE push_outbox SET status = 'failed', last_error = $3, claimed_at = NULL \
                 WHERE id = $1 AND status = 'sending' AND claimed_at = $2",
                params![id, claimed, error],
            )
            .await?
        }
    };
    Ok(())
}

/// Forgets pushes finished with before `before`: sent, gone or given up on.
pub async fn prune(conn: &mut Conn, before: OffsetDateTime) -> DbResult<u64> {
    conn.execute(
        "DELETE FROM push_outbox WHERE status IN ('sent', 'gone', 'failed') AND created_at < $1",
        params![before],
    )
    .await
}

/// An organisation's latest pushes, newest first: the communications log.
pub async fn of_org(conn: &mut Conn, org: OrgId, limit: i64) -> DbResult<Vec<Push>> {
    conn.query(
        &format!(
            "SELECT {} FROM push_outbox WHERE organisation_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2",
            Push::COLUMNS
        ),
        params![org, limit],
    )
    .await
}

read_model! {
    pub struct PreferencesRow {
        pub muted: String = "muted",
        pub quiet_from: Option<String> = "quiet_from",
        pub quiet_until: Option<String> = "quiet_until",
    }
}

pub async fn preferences(
    conn: &mut Conn,
    org: OrgId,
    subject: &str,
) -> DbResult<Option<PreferencesRow>> {
    conn.query_opt(
        &format!(
            "SELECT {} FROM push_preferences WHERE organisation_id = $1 AND subject = $2",
            PreferencesRow::COLUMNS
        ),
        params![org, subject],
    )
    .await
}

pub async fn set_preferences(
    conn: &mut Conn,
    org: OrgId,
    subject: &str,
    prefs: &PreferencesRow,
    now: OffsetDateTime,
) -> DbResult<()> {
    conn.execute(
        "INSERT INTO push_preferences (organisation_id, subject, muted, quiet_from, quiet_until, updated_at) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (organisation_id, subject) DO UPDATE SET muted = $3, quiet_from = $4, quiet_until = $5, updated_at = $6",
        params![org, subject, prefs.muted, prefs.quiet_from, prefs.quiet_until, now],
    )
    .await?;
    Ok(())
}
