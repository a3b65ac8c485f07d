//! One-time passcodes, send-rate events and server-side sessions.

use proplink_shared::OrgId;
use sqlx::AnyConnection;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct OtpRow {
    pub id: String,
    pub code_hash: String,
    pub expires_at: i64,
    pub attempts: i64,
    pub used_at: Option<i64>,
}

/// Retires every open code of an address (a new code replaces the old), then stores the new one.
pub async fn replace_code(
    conn: &mut AnyConnection,
    org: OrgId,
    door: &str,
    email: &str,
    code_hash: &str,
    now: i64,
    expires_at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE otp_codes SET used_at = $4 WHERE organisation_id = $1 AND door = $2 AND email = $3 AND used_at IS NULL")
        .bind(org)
        .bind(door)
        .bind(email)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    sqlx::query("INSERT INTO otp_codes (id, organisation_id, door, email, code_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(org)
        .bind(door)
        .bind(email)
        .bind(code_hash)
        .bind(now)
        .bind(expires_at)
        .execute(conn)
        .await?;
    Ok(())
}

/// The newest code sent to an address, used or not.
pub async fn latest_code(
    conn: &mut AnyConnection,
    org: OrgId,
    door: &str,
    email: &str,
) -> Result<Option<OtpRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, code_hash, expires_at, attempts, used_at FROM otp_codes WHERE organisation_id = $1 AND door = $2 AND email = $3 \
         ORDER BY created_at DESC, id DESC LIMIT 1",
    )
    .bind(org)
    .bind(door)
    .bind(email)
    .fetch_optional(conn)
    .await
}

pub async fn count_attempt(conn: &mut AnyConnection, id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE otp_codes SET attempts = attempts + 1 WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Marks a code used; false if another request used it first.
pub async fn use_code(conn: &mut AnyConnection, id: &str, now: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE otp_codes SET used_at = $2 WHERE id = $1 AND used_at IS NULL")
        .bind(id)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Records one event in `bucket` and says how many fell in it since `since` (this one included).
pub async fn hit(
    conn: &mut AnyConnection,
    bucket: &str,
    now: i64,
    since: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query("DELETE FROM rate_events WHERE bucket = $1 AND at < $2")
        .bind(bucket)
        .bind(since)
        .execute(&mut *conn)
        .await?;
    sqlx::query("INSERT INTO rate_events (bucket, at) VALUES ($1, $2)")
        .bind(bucket)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    sqlx::query_scalar("SELECT COUNT(*) FROM rate_events WHERE bucket = $1 AND at >= $2")
        .bind(bucket)
        .bind(since)
        .fetch_one(conn)
        .await
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct SessionRow {
    pub id_hash: String,
    pub organisation_id: OrgId,
    pub door: String,
    pub subject_id: String,
    pub csrf_token: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
}

pub async fn insert_session(conn: &mut AnyConnection, s: &SessionRow) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO sessions (id_hash, organisation_id, door, subject_id, csrf_token, created_at, last_seen_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&s.id_hash)
    .bind(s.organisation_id)
    .bind(&s.door)
    .bind(&s.subject_id)
    .bind(&s.csrf_token)
    .bind(s.created_at)
    .bind(s.last_seen_at)
    .bind(s.expires_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// The session behind a cookie, only on the organisation and door it was made for.
pub async fn session(
    conn: &mut AnyConnection,
    org: OrgId,
    door: &str,
    id_hash: &str,
) -> Result<Option<SessionRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id_hash, organisation_id, door, subject_id, csrf_token, created_at, last_seen_at, expires_at FROM sessions \
         WHERE id_hash = $1 AND organisation_id = $2 AND door = $3",
    )
    .bind(id_hash)
    .bind(org)
    .bind(door)
    .fetch_optional(conn)
    .await
}

pub async fn touch_session(
    conn: &mut AnyConnection,
    id_hash: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE sessions SET last_seen_at = $2 WHERE id_hash = $1")
        .bind(id_hash)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn delete_session(conn: &mut AnyConnection, id_hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
        .bind(id_hash)
        .execute(conn)
        .await?;
    Ok(())
}
