//! Device tokens, the per-device sync counter and outcomes, uploads and attached files.

use proplink_shared::{OrgId, StaffUserId};
use sqlx::AnyConnection;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct TokenRow {
    pub organisation_id: OrgId,
    pub staff_user_id: StaffUserId,
    pub device_id: String,
    pub last_seen_at: i64,
}

pub async fn insert_token(
    conn: &mut AnyConnection,
    token_hash: &str,
    org: OrgId,
    user: StaffUserId,
    device_id: &str,
    device_name: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    // A device signs in again: its older tokens stop working.
    sqlx::query("UPDATE api_tokens SET revoked_at = $3 WHERE organisation_id = $1 AND device_id = $2 AND revoked_at IS NULL")
        .bind(org)
        .bind(device_id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO api_tokens (token_hash, organisation_id, staff_user_id, device_id, device_name, created_at, last_seen_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6)",
    )
    .bind(token_hash)
    .bind(org)
    .bind(user)
    .bind(device_id)
    .bind(device_name)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn token(
    conn: &mut AnyConnection,
    token_hash: &str,
) -> Result<Option<TokenRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT organisation_id, staff_user_id, device_id, last_seen_at FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL",
    )
    .bind(token_hash)
    .fetch_optional(conn)
    .await
}

pub async fn touch_token(
    conn: &mut AnyConnection,
    token_hash: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE api_tokens SET last_seen_at = $2 WHERE token_hash = $1")
        .bind(token_hash)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}

/// The device's counter, creating it at 0 the first time. The update serialises concurrent
/// pushes from one device on PostgreSQL.
pub async fn claim_device(
    conn: &mut AnyConnection,
    org: OrgId,
    device_id: &str,
    user: StaffUserId,
) -> Result<(StaffUserId, i64), sqlx::Error> {
    sqlx::query(
        "INSERT INTO sync_devices (organisation_id, device_id, staff_user_id, last_seq) VALUES ($1, $2, $3, 0) \
         ON CONFLICT (organisation_id, device_id) DO UPDATE SET last_seq = sync_devices.last_seq",
    )
    .bind(org)
    .bind(device_id)
    .bind(user)
    .execute(&mut *conn)
    .await?;
    sqlx::query_as("SELECT staff_user_id, last_seq FROM sync_devices WHERE organisation_id = $1 AND device_id = $2")
        .bind(org)
        .bind(device_id)
        .fetch_one(conn)
        .await
}

pub async fn set_last_seq(
    conn: &mut AnyConnection,
    org: OrgId,
    device_id: &str,
    seq: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE sync_devices SET last_seq = $3 WHERE organisation_id = $1 AND device_id = $2",
    )
    .bind(org)
    .bind(device_id)
    .bind(seq)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct OutcomeRow {
    pub seq: i64,
    pub mutation_id: String,
    pub outcome: String,
    pub reason: Option<String>,
    pub code: Option<String>,
}

#[allow(clippy::too_many_arguments)]
pub async fn record_outcome(
    conn: &mut AnyConnection,
    org: OrgId,
    device_id: &str,
    row: &OutcomeRow,
    kind: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO sync_mutations (organisation_id, device_id, seq, mutation_id, kind, outcome, reason, code, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(org)
    .bind(device_id)
    .bind(row.seq)
    .bind(&row.mutation_id)
    .bind(kind)
    .bind(&row.outcome)
    .bind(&row.reason)
    .bind(&row.code)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn outcome(
    conn: &mut AnyConnection,
    org: OrgId,
    device_id: &str,
    seq: i64,
) -> Result<Option<OutcomeRow>, sqlx::Error> {
    sqlx::query_as("SELECT seq, mutation_id, outcome, reason, code FROM sync_mutations WHERE organisation_id = $1 AND device_id = $2 AND seq = $3")
        .bind(org)
        .bind(device_id)
        .bind(seq)
        .fetch_optional(conn)
        .await
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct UploadRow {
    pub sha256: String,
    pub size_bytes: i64,
    pub received_bytes: i64,
    pub content_type: Option<String>,
    pub completed_at: Option<i64>,
}

pub async fn upload(
    conn: &mut AnyConnection,
    org: OrgId,
    sha256: &str,
) -> Result<Option<UploadRow>, sqlx::Error> {
    sqlx::query_as("SELECT sha256, size_bytes, received_bytes, content_type, completed_at FROM uploads WHERE organisation_id = $1 AND sha256 = $2")
        .bind(org)
        .bind(sha256)
        .fetch_optional(conn)
        .await
}

pub async fn start_upload(
    conn: &mut AnyConnection,
    org: OrgId,
    sha256: &str,
    size: i64,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO uploads (organisation_id, sha256, size_bytes, received_bytes, created_at) VALUES ($1, $2, $3, 0, $4) \
         ON CONFLICT (organisation_id, sha256) DO NOTHING",
    )
    .bind(org)
    .bind(sha256)
    .bind(size)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn set_received(
    conn: &mut AnyConnection,
    org: OrgId,
    sha256: &str,
    received: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE uploads SET received_bytes = $3 WHERE organisation_id = $1 AND sha256 = $2",
    )
    .bind(org)
    .bind(sha256)
    .bind(received)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn complete_upload(
    conn: &mut AnyConnection,
    org: OrgId,
    sha256: &str,
    content_type: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE uploads SET completed_at = $3, content_type = $4, received_bytes = size_bytes WHERE organisation_id = $1 AND sha256 = $2")
        .bind(org)
        .bind(sha256)
        .bind(now)
        .bind(content_type)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn reset_upload(
    conn: &mut AnyConnection,
    org: OrgId,
    sha256: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM uploads WHERE organisation_id = $1 AND sha256 = $2")
        .bind(org)
        .bind(sha256)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn attach_file(
    conn: &mut AnyConnection,
    org: OrgId,
    record_type: &str,
    record_id: &str,
    sha256: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO record_files (id, organisation_id, record_type, record_id, sha256, kind, created_at) VALUES ($1, $2, $3, $4, $5, 'photo', $6)")
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(org)
        .bind(record_type)
        .bind(record_id)
        .bind(sha256)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn files_of(
    conn: &mut AnyConnection,
    org: OrgId,
    record_type: &str,
    record_id: &str,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT sha256 FROM record_files WHERE organisation_id = $1 AND record_type = $2 AND record_id = $3 ORDER BY created_at, id")
        .bind(org)
        .bind(record_type)
        .bind(record_id)
        .fetch_all(conn)
        .await
}

/// Records of these types changed since `after_seq`, newest state to be looked up by the caller.
pub async fn changed_since(
    conn: &mut AnyConnection,
    org: OrgId,
    after_seq: i64,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT DISTINCT record_type, record_id FROM audit_events WHERE organisation_id = $1 AND seq > $2 \
         AND record_type IN ('ticket', 'issue', 'work_order', 'staff_user', 'site', 'building')",
    )
    .bind(org)
    .bind(after_seq)
    .fetch_all(conn)
    .await
}

pub async fn insert_work_order_note(
    conn: &mut AnyConnection,
    org: OrgId,
    work_order: proplink_shared::WorkOrderId,
    author: &str,
    channel: proplink_shared::audit::Channel,
    body: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO work_order_notes (id, organisation_id, work_order_id, author_name, channel, body, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(org)
        .bind(work_order)
        .bind(author)
        .bind(channel)
        .bind(body)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct NoteRow {
    pub author_name: String,
    pub channel: proplink_shared::audit::Channel,
    pub body: String,
    pub created_at: i64,
}

pub async fn work_order_notes(
    conn: &mut AnyConnection,
    org: OrgId,
    work_order: proplink_shared::WorkOrderId,
) -> Result<Vec<NoteRow>, sqlx::Error> {
    sqlx::query_as("SELECT author_name, channel, body, created_at FROM work_order_notes WHERE organisation_id = $1 AND work_order_id = $2 ORDER BY created_at, id")
        .bind(org)
        .bind(work_order)
        .fetch_all(conn)
        .await
}

/// Whether a user's sites changed after audit event `cursor`.
pub async fn scope_changed_since(
    conn: &mut AnyConnection,
    org: OrgId,
    user: StaffUserId,
    cursor: i64,
) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_events WHERE organisation_id = $1 AND seq > $2 AND record_type = 'staff_user' AND record_id = $3 AND action = 'update'",
    )
    .bind(org)
    .bind(cursor)
    .bind(user.to_string())
    .fetch_one(conn)
    .await?;
    Ok(n > 0)
}

pub async fn revoke_token(
    conn: &mut AnyConnection,
    token_hash: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE api_tokens SET revoked_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL",
    )
    .bind(token_hash)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Every photo attached to records of `record_type`, as (record id, sha256), in order.
pub async fn files_of_type(
    conn: &mut AnyConnection,
    org: OrgId,
    record_type: &str,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as("SELECT record_id, sha256 FROM record_files WHERE organisation_id = $1 AND record_type = $2 ORDER BY created_at, id")
        .bind(org)
        .bind(record_type)
        .fetch_all(conn)
        .await
}
