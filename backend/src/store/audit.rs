//! The audit trail: append-only rows, hash-chained per organisation through `audit_heads`.

use proplink_shared::OrgId;
use proplink_shared::audit::{AuditAction, Channel};
use sqlx::AnyConnection;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct AuditRow {
    pub id: String,
    pub organisation_id: OrgId,
    pub seq: i64,
    pub record_type: String,
    pub record_id: String,
    pub actor_kind: String,
    pub actor_id: Option<String>,
    pub actor_name: String,
    pub channel: Channel,
    pub action: AuditAction,
    pub detail: String,
    pub sentence: String,
    pub occurred_at: i64,
    pub prev_hash: String,
    pub hash: String,
}

const AUDIT_COLUMNS: &str = "id, organisation_id, seq, record_type, record_id, actor_kind, actor_id, actor_name, channel, action, detail, \
    sentence, occurred_at, prev_hash, hash";

/// Claims the next place in the organisation's chain: returns (seq, previous hash). The row
/// update serialises concurrent writers of one organisation until their transactions end.
pub async fn claim_next(
    conn: &mut AnyConnection,
    org: OrgId,
) -> Result<(i64, String), sqlx::Error> {
    // Read to the end: see `store::next_number`.
    let claimed: Vec<(i64, String)> =
        sqlx::query_as("UPDATE audit_heads SET last_seq = last_seq + 1 WHERE organisation_id = $1 RETURNING last_seq, last_hash")
            .bind(org)
            .fetch_all(&mut *conn)
            .await?;
    match claimed.into_iter().next() {
        Some(c) => Ok(c),
        None => {
            sqlx::query(
                "INSERT INTO audit_heads (organisation_id, last_seq, last_hash) VALUES ($1, 1, $2)",
            )
            .bind(org)
            .bind(GENESIS)
            .execute(conn)
            .await?;
            Ok((1, GENESIS.to_owned()))
        }
    }
}

/// The previous hash of an organisation's first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

pub async fn append(conn: &mut AnyConnection, row: &AuditRow) -> Result<(), sqlx::Error> {
    sqlx::query(&format!(
        "INSERT INTO audit_events ({AUDIT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
    ))
    .bind(&row.id)
    .bind(row.organisation_id)
    .bind(row.seq)
    .bind(&row.record_type)
    .bind(&row.record_id)
    .bind(&row.actor_kind)
    .bind(&row.actor_id)
    .bind(&row.actor_name)
    .bind(row.channel)
    .bind(row.action)
    .bind(&row.detail)
    .bind(&row.sentence)
    .bind(row.occurred_at)
    .bind(&row.prev_hash)
    .bind(&row.hash)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE audit_heads SET last_hash = $2 WHERE organisation_id = $1")
        .bind(row.organisation_id)
        .bind(&row.hash)
        .execute(conn)
        .await?;
    Ok(())
}

/// A record's trail, newest first.
pub async fn of_record(
    conn: &mut AnyConnection,
    org: OrgId,
    record_type: &str,
    record_id: &str,
) -> Result<Vec<AuditRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {AUDIT_COLUMNS} FROM audit_events WHERE organisation_id = $1 AND record_type = $2 AND record_id = $3 ORDER BY seq DESC"
    ))
    .bind(org)
    .bind(record_type)
    .bind(record_id)
    .fetch_all(conn)
    .await
}

/// The organisation's latest events, newest first.
pub async fn latest(
    conn: &mut AnyConnection,
    org: OrgId,
    limit: i64,
) -> Result<Vec<AuditRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {AUDIT_COLUMNS} FROM audit_events WHERE organisation_id = $1 ORDER BY seq DESC LIMIT $2"))
        .bind(org)
        .bind(limit)
        .fetch_all(conn)
        .await
}

/// One page of an organisation's chain in order, after `after_seq`.
pub async fn chain_page(
    conn: &mut AnyConnection,
    org: OrgId,
    after_seq: i64,
    limit: i64,
) -> Result<Vec<AuditRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {AUDIT_COLUMNS} FROM audit_events WHERE organisation_id = $1 AND seq > $2 ORDER BY seq LIMIT $3"
    ))
    .bind(org)
    .bind(after_seq)
    .bind(limit)
    .fetch_all(conn)
    .await
}

pub async fn head(
    conn: &mut AnyConnection,
    org: OrgId,
) -> Result<Option<(i64, String)>, sqlx::Error> {
    sqlx::query_as("SELECT last_seq, last_hash FROM audit_heads WHERE organisation_id = $1")
        .bind(org)
        .fetch_optional(conn)
        .await
}
