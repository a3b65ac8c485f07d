//! Device tokens of the app, and the per-device counter and outcomes of its sync.

use proplink_shared::{OrgId, StaffUserId};
use time::OffsetDateTime;

use super::{Conn, DbResult};
use crate::{params, read_model};

read_model! {
    /// A device token that has not been revoked.
    pub struct Token {
        pub organisation_id: OrgId = "organisation_id",
        pub staff_user_id: StaffUserId = "staff_user_id",
        pub device_id: String = "device_id",
        pub signed_in_at: OffsetDateTime = "signed_in_at",
        pub created_at: OffsetDateTime = "created_at",
        pub last_seen_at: OffsetDateTime = "last_seen_at",
        pub expires_at: OffsetDateTime = "expires_at",
        /// When a refresh replaced it, or it was signed out.
        pub revoked_at: Option<OffsetDateTime> = "revoked_at",
    }
}

/// A new device token.
pub struct NewToken<'a> {
    pub token_hash: &'a str,
    pub org: OrgId,
    pub user: StaffUserId,
    pub device_id: &'a str,
    pub device_name: &'a str,
    /// When the person last proved who they are with a code: the absolute limit runs from here.
    pub signed_in_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

pub async fn insert_token(conn: &mut Conn, t: &NewToken<'_>, now: OffsetDateTime) -> DbResult<()> {
    conn.execute(
        "INSERT INTO api_tokens (token_hash, organisation_id, staff_user_id, device_id, device_name, signed_in_at, created_at, last_seen_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8)",
        params![t.token_hash, t.org, t.user, t.device_id, t.device_name, t.signed_in_at, now, t.expires_at],
    )
    .await?;
    Ok(())
}

/// Retires every live token of one person's device: a new sign-in on it replaces them.
pub async fn revoke_device_tokens(
    conn: &mut Conn,
    org: OrgId,
    user: StaffUserId,
    device_id: &str,
    now: OffsetDateTime,
) -> DbResult<()> {
    conn.execute(
        "UPDATE api_tokens SET revoked_at = $4 WHERE organisation_id = $1 AND staff_user_id = $2 AND device_id = $3 AND revoked_at IS NULL",
        params![org, user, device_id, now],
    )
    .await?;
    Ok(())
}

pub async fn token(conn: &mut Conn, token_hash: &str) -> DbResult<Option<Token>> {
    conn.query_opt(
        &format!(
            "SELECT {} FROM api_tokens WHERE token_hash = $1",
            Token::COLUMNS
        ),
        params![token_hash],
    )
    .await
}

pub async fn touch_token(conn: &mut Conn, token_hash: &str, now: OffsetDateTime) -> DbResult<()> {
    conn.execute(
        "UPDATE api_tokens SET last_seen_at = $2 WHERE token_hash = $1",
        params![token_hash, now],
    )
    .await?;
    Ok(())
}

/// Revokes a token at `at` (now, or a moment ahead to let a lost answer be retried).
pub async fn revoke_token(conn: &mut Conn, token_hash: &str, at: OffsetDateTime) -> DbResult<()> {
    conn.execute(
        "UPDATE api_tokens SET revoked_at = $2 WHERE token_hash = $1 AND (revoked_at IS NULL OR revoked_at > $2)",
        params![token_hash, at],
    )
    .await?;
    Ok(())
}

/// Every token of one person ends: they were deactivated, or lost a device.
pub async fn revoke_user_tokens(
    conn: &mut Conn,
    org: OrgId,
    user: StaffUserId,
    now: OffsetDateTime,
) -> DbResult<()> {
    conn.execute(
        "UPDATE api_tokens SET revoked_at = $3 WHERE organisation_id = $1 AND staff_user_id = $2 AND (revoked_at IS NULL OR revoked_at > $3)",
        params![org, user, now],
    )
    .await?;
    Ok(())
}

/// The device's counter, created at 0 the first time. The update holds concurrent pushes from
/// one device back on PostgreSQL until the first transaction ends.
pub async fn claim_device(
    conn: &mut Conn,
    org: OrgId,
    user: StaffUserId,
    device_id: &str,
) -> DbResult<i64> {
    conn.scalar(
        "INSERT INTO sync_devices (organisation_id, staff_user_id, device_id, last_seq) VALUES ($1, $2, $3, 0) \
         ON CONFLICT (organisation_id, staff_user_id, device_id) DO UPDATE SET last_seq = sync_devices.last_seq \
         RETURNING last_seq",
        params![org, user, device_id],
    )
    .await
}

/// The last `seq` applied from this person's device; 0 before the first push.
pub async fn last_seq(
    conn: &mut Conn,
    org: OrgId,
    user: StaffUserId,
    device_id: &str,
) -> DbResult<i64> {
    Ok(conn
        .query_opt::<(i64,)>(
            "SELECT last_seq FROM sync_devices WHERE organisation_id = $1 AND staff_user_id = $2 AND device_id = $3",
            params![org, user, device_id],
        )
        .await?
        .map_or(0, |(seq,)| seq))
}

pub async fn set_last_seq(
    conn: &mut Conn,
    org: OrgId,
    user: StaffUserId,
    device_id: &str,
    seq: i64,
) -> DbResult<()> {
    conn.execute(
        "UPDATE sync_devices SET last_seq = $4 WHERE organisation_id = $1 AND staff_user_id = $2 AND device_id = $3",
        params![org, user, device_id, seq],
    )
    .await?;
    Ok(())
}

read_model! {
    /// What became of one mutation.
    pub struct Outcome {
        pub seq: i64 = "seq",
        pub mutation_id: uuid::Uuid = "mutation_id",
        pub outcome: String = "outcome",
        pub reason: Option<String> = "reason",
        pub code: Option<String> = "code",
    }
}

/// Which device of whose a mutation came from.
pub struct DeviceKey<'a> {
    pub org: OrgId,
    pub user: StaffUserId,
    pub device_id: &'a str,
}

pub async fn record_outcome(
    conn: &mut Conn,
    device: &DeviceKey<'_>,
    o: &Outcome,
    kind: &str,
    now: OffsetDateTime,
) -> DbResult<()> {
    conn.execute(
        "INSERT INTO sync_mutations (organisation_id, staff_user_id, device_id, seq, mutation_id, kind, outcome, reason, code, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        params![device.org, device.user, device.device_id, o.seq, o.mutation_id, kind, o.outcome, o.reason, o.code, now],
    )
    .await?;
    Ok(())
}

pub async fn outcome(
    conn: &mut Conn,
    device: &DeviceKey<'_>,
    seq: i64,
) -> DbResult<Option<Outcome>> {
    conn.query_opt(
        &format!(
            "SELECT {} FROM sync_mutations WHERE organisation_id = $1 AND staff_user_id = $2 AND device_id = $3 AND seq = $4",
            Outcome::COLUMNS
        ),
        params![device.org, device.user, device.device_id, seq],
    )
    .await
}

/// The first outcome recorded for a mutation id, whatever its seq.
pub async fn outcome_of_mutation(
    conn: &mut Conn,
    device: &DeviceKey<'_>,
    mutation_id: uuid::Uuid,
) -> DbResult<Option<Outcome>> {
    conn.query_opt(
        &format!(
            "SELECT {} FROM sync_mutations WHERE organisation_id = $1 AND staff_user_id = $2 AND device_id = $3 AND mutation_id = $4 \
             ORDER BY seq LIMIT 1",
            Outcome::COLUMNS
        ),
        params![device.org, device.user, device.device_id, mutation_id],
    )
    .await
}
