//! Outbound mail: the communications log, the queue the sender works through, and the dev
//! mailbox, all in one table.

use proplink_shared::OrgId;
use sqlx::AnyConnection;

use super::Dialect;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct MailRow {
    pub id: String,
    pub organisation_id: Option<OrgId>,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub record_type: Option<String>,
    pub record_id: Option<String>,
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub sent_at: Option<i64>,
}

const MAIL_COLUMNS: &str = "id, organisation_id, recipient, subject, body, record_type, record_id, status, attempts, last_error, created_at, sent_at";

pub async fn enqueue(conn: &mut AnyConnection, m: &MailRow) -> Result<(), sqlx::Error> {
    sqlx::query(&format!("INSERT INTO outbound_mail ({MAIL_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"))
        .bind(&m.id)
        .bind(m.organisation_id)
        .bind(&m.recipient)
        .bind(&m.subject)
        .bind(&m.body)
        .bind(&m.record_type)
        .bind(&m.record_id)
        .bind(&m.status)
        .bind(m.attempts)
        .bind(&m.last_error)
        .bind(m.created_at)
        .bind(m.sent_at)
        .execute(conn)
        .await?;
    Ok(())
}

/// Claims the oldest message due for sending. On PostgreSQL `SKIP LOCKED` lets several
/// replicas share the queue without sending anything twice.
pub async fn claim_next(
    conn: &mut AnyConnection,
    dialect: Dialect,
    now: i64,
) -> Result<Option<MailRow>, sqlx::Error> {
    let lock = match dialect {
        Dialect::Postgres => "FOR UPDATE SKIP LOCKED",
        Dialect::Sqlite => "",
    };
    sqlx::query_as(&format!(
        "UPDATE outbound_mail SET status = 'sending', attempts = attempts + 1 WHERE id = \
         (SELECT id FROM outbound_mail WHERE status = 'queued' AND created_at <= $1 ORDER BY created_at LIMIT 1 {lock}) \
         RETURNING {MAIL_COLUMNS}"
    ))
    .bind(now)
    .fetch_all(conn)
    .await
    .map(|rows| rows.into_iter().next())
}

pub async fn mark(
    conn: &mut AnyConnection,
    id: &str,
    status: &str,
    error: Option<&str>,
    at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE outbound_mail SET status = $2, last_error = $3, sent_at = CASE WHEN $2 = 'sent' THEN $4 ELSE sent_at END, created_at = CASE WHEN $2 = 'queued' THEN $4 ELSE created_at END WHERE id = $1")
        .bind(id)
        .bind(status)
        .bind(error)
        .bind(at)
        .execute(conn)
        .await?;
    Ok(())
}

/// Messages left 'sending' by a process that stopped mid-send go back to the queue.
pub async fn requeue_stuck(conn: &mut AnyConnection) -> Result<u64, sqlx::Error> {
    Ok(
        sqlx::query("UPDATE outbound_mail SET status = 'queued' WHERE status = 'sending'")
            .execute(conn)
            .await?
            .rows_affected(),
    )
}

pub async fn of_org(
    conn: &mut AnyConnection,
    org: OrgId,
    limit: i64,
) -> Result<Vec<MailRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {MAIL_COLUMNS} FROM outbound_mail WHERE organisation_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2"))
        .bind(org)
        .bind(limit)
        .fetch_all(conn)
        .await
}
