//! The audit trail: append-only events, hash-chained per organisation through `audit_heads`.

use proplink_shared::audit::{AuditAction, Channel};
use proplink_shared::records::RecordType;
use proplink_shared::{OrgId, Scope};
use time::OffsetDateTime;

use super::query::{Key, Keyed, ListQuery, Order, Page, PageAt, Params, ScopeColumns};
use super::{Conn, DbResult};
use crate::{params, read_model};

read_model! {
    pub struct AuditEvent {
        pub id: String = "e.id",
        pub organisation_id: OrgId = "e.organisation_id",
        pub seq: i64 = "e.seq",
        pub record_type: RecordType = "e.record_type",
        pub record_id: String = "e.record_id",
        pub actor_kind: String = "e.actor_kind",
        pub actor_id: Option<String> = "e.actor_id",
        pub actor_name: String = "e.actor_name",
        pub channel: Channel = "e.channel",
        pub action: AuditAction = "e.action",
        /// Structured detail, as JSON text.
        pub detail: String = "e.detail",
        pub sentence: String = "e.sentence",
        pub occurred_at: OffsetDateTime = "e.occurred_at",
        pub prev_hash: String = "e.prev_hash",
        pub hash: String = "e.hash",
    }
}

impl Keyed for AuditEvent {
    fn key(&self) -> Vec<Key> {
        vec![Key::Int(self.seq)]
    }
}

/// Claims the next place in the organisation's chain: returns (seq, previous hash). The row
/// update holds concurrent writers of one organisation back until their transactions end.
pub async fn claim_next(conn: &mut Conn, org: OrgId) -> DbResult<(i64, String)> {
    let claimed: Option<(i64, String)> = conn
        .query_opt(
            "UPDATE audit_heads SET last_seq = last_seq + 1 WHERE organisation_id = $1 RETURNING last_seq, last_hash",
            params![org],
        )
        .await?;
    match claimed {
        Some(c) => Ok(c),
        None => {
            conn.execute(
                "INSERT INTO audit_heads (organisation_id, last_seq, last_hash) VALUES ($1, 1, $2)",
                params![org, GENESIS],
            )
            .await?;
            Ok((1, GENESIS.to_owned()))
        }
    }
}

/// The previous hash of an organisation's first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

pub async fn append(conn: &mut Conn, e: &AuditEvent) -> DbResult<()> {
    conn.execute(
        "INSERT INTO audit_events (organisation_id, seq, id, record_type, record_id, actor_kind, actor_id, actor_name, channel, action, detail, \
         sentence, occurred_at, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        params![
            e.organisation_id,
            e.seq,
            e.id,
            e.record_type,
            e.record_id,
            e.actor_kind,
            e.actor_id,
            e.actor_name,
            e.channel,
            e.action,
            e.detail,
            e.sentence,
            e.occurred_at,
            e.prev_hash,
            e.hash
        ],
    )
    .await?;
    conn.execute(
        "UPDATE audit_heads SET last_hash = $2 WHERE organisation_id = $1",
        params![e.organisation_id, e.hash],
    )
    .await?;
    Ok(())
}

/// A record's trail, newest first, a page at a time.
pub async fn of_record(
    conn: &mut Conn,
    org: OrgId,
    record_type: RecordType,
    record_id: &str,
    at: &PageAt,
    size: i64,
) -> DbResult<Page<AuditEvent>> {
    let mut q = ListQuery::in_org("FROM audit_events e".into(), org, "e.organisation_id");
    q.equals("e.record_type", Some(record_type))
        .equals("e.record_id", Some(record_id));
    q.page(conn, AuditEvent::COLUMNS, &NEWEST, at, size).await
}

/// The trails of several records of one type, oldest first, at most `per_record` events each
/// counted from the oldest (a record's first steps say how it began).
pub async fn trails_of(
    conn: &mut Conn,
    org: OrgId,
    record_type: RecordType,
    record_ids: &[String],
    per_record: usize,
) -> DbResult<Vec<AuditEvent>> {
    if record_ids.is_empty() {
        return Ok(Vec::new());
    }
    // Counted in the database: a record with a long history sends only its first steps.
    let mut p = Params::default();
    let org = p.push(&org);
    let kind = p.push(&record_type);
    let ids: Vec<String> = record_ids.iter().map(|id| p.push(id)).collect();
    let limit = p.push(&i64::try_from(per_record).unwrap_or(i64::MAX));
    let sql = format!(
        "SELECT {} FROM (SELECT x.*, ROW_NUMBER() OVER (PARTITION BY x.record_id ORDER BY x.seq) AS step \
         FROM audit_events x WHERE x.organisation_id = {org} AND x.record_type = {kind} AND x.record_id IN ({})) e \
         WHERE e.step <= {limit} ORDER BY e.seq",
        AuditEvent::COLUMNS,
        ids.join(", ")
    );
    conn.query(&sql, p.values()).await
}

const NEWEST: Order = Order {
    columns: &["e.seq"],
    descending: true,
};

/// Events are organisation-wide (the log shows them to those who may read all of it).
const AUDIT_SCOPE: ScopeColumns = ScopeColumns {
    site: None,
    unit: None,
    contact: None,
    work_order: None,
    building: None,
    audience: None,
    followed_by: None,
};

/// What the audit log is narrowed to.
#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    pub record_type: Option<RecordType>,
    pub channel: Option<Channel>,
    pub action: Option<AuditAction>,
    /// Part of the sentence or the actor's name.
    pub text: Option<String>,
    /// Part of the name of who did it.
    pub person: Option<String>,
    /// From this instant on.
    pub since: Option<time::OffsetDateTime>,
    /// Before this instant.
    pub before: Option<time::OffsetDateTime>,
}

pub async fn log(
    conn: &mut Conn,
    scope: &Scope,
    filter: &AuditFilter,
    at: &PageAt,
    size: i64,
) -> DbResult<Page<AuditEvent>> {
    let mut q = ListQuery::new(
        "FROM audit_events e".into(),
        scope,
        "e.organisation_id",
        &AUDIT_SCOPE,
    );
    q.equals("e.record_type", filter.record_type)
        .equals("e.channel", filter.channel)
        .equals("e.action", filter.action);
    q.search(&["e.sentence", "e.actor_name"], filter.text.as_deref());
    q.search(&["e.actor_name"], filter.person.as_deref());
    if let Some(since) = filter.since {
        q.condition("e.occurred_at >= ?", &since);
    }
    if let Some(before) = filter.before {
        q.condition("e.occurred_at < ?", &before);
    }
    q.page(conn, AuditEvent::COLUMNS, &NEWEST, at, size).await
}

/// One stretch of an organisation's chain in order, after `after_seq`.
pub async fn chain_page(
    conn: &mut Conn,
    org: OrgId,
    after_seq: i64,
    limit: i64,
) -> DbResult<Vec<AuditEvent>> {
    conn.query(
        &format!(
            "SELECT {} FROM audit_events e WHERE e.organisation_id = $1 AND e.seq > $2 ORDER BY e.seq LIMIT $3",
            AuditEvent::COLUMNS
        ),
        params![org, after_seq, limit],
    )
    .await
}

/// The event at `seq`, if it is still there.
pub async fn event_at(conn: &mut Conn, org: OrgId, seq: i64) -> DbResult<Option<AuditEvent>> {
    conn.query_opt(
        &format!(
            "SELECT {} FROM audit_events e WHERE e.organisation_id = $1 AND e.seq = $2",
            AuditEvent::COLUMNS
        ),
        params![org, seq],
    )
    .await
}

pub async fn head(conn: &mut Conn, org: OrgId) -> DbResult<Option<(i64, String)>> {
    conn.query_opt(
        "SELECT last_seq, last_hash FROM audit_heads WHERE organisation_id = $1",
        params![org],
    )
    .await
}

/// Every organisation's head: what a checkpoint signs.
pub async fn heads(conn: &mut Conn) -> DbResult<Vec<(OrgId, i64, String)>> {
    conn.query(
        "SELECT organisation_id, last_seq, last_hash FROM audit_heads ORDER BY organisation_id",
        params![],
    )
    .await
}

/// Records of these types that changed after `after_seq`, for the app's pull.
pub async fn changed_since(
    conn: &mut Conn,
    org: OrgId,
    after_seq: i64,
    types: &[RecordType],
) -> DbResult<Vec<(RecordType, String)>> {
    let mut q = ListQuery::in_org("FROM audit_events e".into(), org, "e.organisation_id");
    q.condition("e.seq > ?", &after_seq);
    let list: Vec<String> = types.iter().map(|t| q.params.push(t)).collect();
    q.raw(&format!("e.record_type IN ({})", list.join(", ")));
    q.all(
        conn,
        "DISTINCT e.record_type, e.record_id",
        "e.record_type, e.record_id",
    )
    .await
}

/// Whether anything about `record` of type `record_type` with action `action` happened after `after_seq`.
pub async fn happened_since(
    conn: &mut Conn,
    org: OrgId,
    after_seq: i64,
    record_type: RecordType,
    record_id: &str,
    action: AuditAction,
) -> DbResult<bool> {
    let n: i64 = conn
        .scalar(
            "SELECT COUNT(*) FROM audit_events WHERE organisation_id = $1 AND seq > $2 AND record_type = $3 AND record_id = $4 AND action = $5",
            params![org, after_seq, record_type, record_id, action],
        )
        .await?;
    Ok(n > 0)
}
