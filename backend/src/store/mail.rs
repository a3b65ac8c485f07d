//! Outbound mail: the communications log and the queue the sender works through, in one
//! table.

use proplink_shared::OrgId;
use proplink_shared::records::RecordType;
use time::OffsetDateTime;

use super::query::{Key, Keyed, ListQuery, Order, Page, PageAt};
use super::{Conn, DbResult, Dialect};
use crate::{params, read_model};

read_model! {
    pub struct Mail {
        pub id: String = "id",
        pub organisation_id: Option<OrgId> = "organisation_id",
        pub recipient: String = "recipient",
        pub subject: String = "subject",
        /// The text as the log shows it: redacted where the message carries a secret.
        pub body: String = "body",
        /// The text to send, sealed with a key outside the database, while it waits.
        pub sealed_body: Option<Vec<u8>> = "sealed_body",
        pub record_type: Option<RecordType> = "record_type",
        pub record_id: Option<String> = "record_id",
        pub status: String = "status",
        pub attempts: i64 = "attempts",
        pub last_error: Option<String> = "last_error",
        pub created_at: OffsetDateTime = "created_at",
        pub sent_at: Option<OffsetDateTime> = "sent_at",
    }
}

/// A message to queue.
pub struct NewMail<'a> {
    pub org: Option<OrgId>,
    pub recipient: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    pub sealed_body: Option<&'a [u8]>,
    pub record: Option<(RecordType, String)>,
    /// `queued` to send, `held` for the development mailbox.
    pub status: &'a str,
}

pub async fn enqueue(conn: &mut Conn, m: &NewMail<'_>, now: OffsetDateTime) -> DbResult<()> {
    let (record_type, record_id) = m.record.clone().unzip();
    conn.execute(
        "INSERT INTO outbound_mail (id, organisation_id, recipient, subject, body, sealed_body, record_type, record_id, status, created_at, due_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
        params![uuid::Uuid::now_v7(), m.org, m.recipient, m.subject, m.body, m.sealed_body, record_type, record_id, m.status, now],
    )
    .await?;
    Ok(())
}

/// Claims the oldest message due for sending. On PostgreSQL `SKIP LOCKED` lets several
/// replicas share the queue without sending anything twice; a claim older than `stale` (its
/// sender stopped mid-send) may be taken again.
pub async fn claim_next(
    conn: &mut Conn,
    now: OffsetDateTime,
    stale: OffsetDateTime,
) -> DbResult<Option<Mail>> {
    let lock = match conn.dialect() {
        Dialect::Postgres => "FOR UPDATE SKIP LOCKED",
        Dialect::Sqlite => "",
    };
    conn.query_opt(
        &format!(
            "UPDATE outbound_mail SET status = 'sending', attempts = attempts + 1, claimed_at = $1 WHERE id = \
             (SELECT id FROM outbound_mail WHERE (status = 'queued' AND due_at <= $1) OR (status = 'sending' AND claimed_at < $2) \
              ORDER BY due_at LIMIT 1 {lock}) \
             RETURNING {}",
            Mail::COLUMNS
        ),
        params![now, stale],
    )
    .await
}

/// Sent: the sealed text is dropped.
pub async fn mark_sent(conn: &mut Conn, id: &str, at: OffsetDateTime) -> DbResult<()> {
    conn.execute(
        "UPDATE outbound_mail SET status = 'sent', sent_at = $2, sealed_body = NULL, last_error = NULL WHERE id = $1",
        params![id, at],
    )
    .await?;
    Ok(())
}

/// Not sent this time: tried again at `retry_at`, or given up on.
pub async fn mark_failed(
    conn: &mut Conn,
    id: &str,
    error: &str,
    retry_at: Option<OffsetDateTime>,
) -> DbResult<()> {
    match retry_at {
        Some(at) => {
            conn.execute(
                "UPDATE outbound_mail SET status = 'queued', last_error = $2, due_at = $3 WHERE id = $1",
                params![id, error, at],
            )
            .await?
        }
        None => {
            conn.execute(
                "UPDATE outbound_mail SET status = 'failed', last_error = $2, sealed_body = NULL WHERE id = $1",
                params![id, error],
            )
            .await?
        }
    };
    Ok(())
}

/// An organisation's latest mail, newest first.
pub async fn of_org(conn: &mut Conn, org: OrgId, limit: i64) -> DbResult<Vec<Mail>> {
    conn.query(
        &format!(
            "SELECT {} FROM outbound_mail WHERE organisation_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2",
            Mail::COLUMNS
        ),
        params![org, limit],
    )
    .await
}

impl Keyed for Mail {
    fn key(&self) -> Vec<Key> {
        vec![
            Key::Int(crate::clock::to_micros(self.created_at)),
            Key::Text(self.id.clone()),
        ]
    }
}

/// What the communications log is narrowed to.
#[derive(Clone, Debug, Default)]
pub struct MailFilter {
    /// `sent`, `failed`, `queued` or `held`.
    pub status: Option<&'static str>,
    /// Part of the recipient or the subject.
    pub text: Option<String>,
}

/// A page of an organisation's mail, newest first.
pub async fn log(
    conn: &mut Conn,
    org: OrgId,
    filter: &MailFilter,
    at: &PageAt,
    size: i64,
) -> DbResult<Page<Mail>> {
    let mut q = ListQuery::in_org("FROM outbound_mail".into(), org, "organisation_id");
    q.equals("status", filter.status);
    q.search(&["recipient", "subject"], filter.text.as_deref());
    q.page(
        conn,
        Mail::COLUMNS,
        &Order {
            columns: &["created_at", "id"],
            descending: true,
        },
        at,
        size,
    )
    .await
}
