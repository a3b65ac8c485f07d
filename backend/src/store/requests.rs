//! Tickets with their conversation, and on-site issues.

use proplink_shared::audit::Channel;
use proplink_shared::records::{IssueCategory, Priority, TicketCategory};
use proplink_shared::states::{CloseReason, IssueStatus, TicketStatus};
use proplink_shared::{
    BuildingId, ContactId, IssueId, OrgId, SiteId, StaffUserId, TicketId, UnitId, WorkOrderId,
};
use sqlx::AnyConnection;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct TicketRow {
    pub id: TicketId,
    pub reference: String,
    pub site_id: SiteId,
    pub site_name: String,
    pub unit_id: Option<UnitId>,
    pub category: TicketCategory,
    pub priority: Priority,
    pub status: TicketStatus,
    pub subject: String,
    pub reporter_contact_id: Option<ContactId>,
    pub reporter_name: Option<String>,
    pub assignee_id: Option<StaffUserId>,
    pub assignee_name: Option<String>,
    pub source: Channel,
    pub created_at: i64,
    pub first_response_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub close_reason: Option<CloseReason>,
}

const TICKET_SELECT: &str = "SELECT t.id, t.reference, t.site_id, s.name AS site_name, t.unit_id, t.category, t.priority, t.status, \
    t.subject, t.reporter_contact_id, c.first_name || ' ' || c.last_name AS reporter_name, t.assignee_id, su.name AS assignee_name, \
    t.source, t.created_at, t.first_response_at, t.closed_at, t.close_reason \
    FROM tickets t \
    JOIN sites s ON s.id = t.site_id AND s.organisation_id = t.organisation_id \
    LEFT JOIN contacts c ON c.id = t.reporter_contact_id AND c.organisation_id = t.organisation_id \
    LEFT JOIN staff_users su ON su.id = t.assignee_id AND su.organisation_id = t.organisation_id";

pub async fn tickets(
    conn: &mut AnyConnection,
    org: OrgId,
    limit: i64,
) -> Result<Vec<TicketRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{TICKET_SELECT} WHERE t.organisation_id = $1 ORDER BY t.created_at DESC LIMIT $2"
    ))
    .bind(org)
    .bind(limit)
    .fetch_all(conn)
    .await
}

pub async fn tickets_of_contact(
    conn: &mut AnyConnection,
    org: OrgId,
    contact: ContactId,
) -> Result<Vec<TicketRow>, sqlx::Error> {
    sqlx::query_as(&format!("{TICKET_SELECT} WHERE t.organisation_id = $1 AND t.reporter_contact_id = $2 ORDER BY t.created_at DESC"))
        .bind(org)
        .bind(contact)
        .fetch_all(conn)
        .await
}

pub async fn ticket(
    conn: &mut AnyConnection,
    org: OrgId,
    id: TicketId,
) -> Result<Option<TicketRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{TICKET_SELECT} WHERE t.organisation_id = $1 AND t.id = $2"
    ))
    .bind(org)
    .bind(id)
    .fetch_optional(conn)
    .await
}

pub async fn insert_ticket(
    conn: &mut AnyConnection,
    org: OrgId,
    t: &TicketRow,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO tickets (id, organisation_id, reference, site_id, unit_id, category, priority, status, subject, reporter_contact_id, assignee_id, source, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(t.id)
    .bind(org)
    .bind(&t.reference)
    .bind(t.site_id)
    .bind(t.unit_id)
    .bind(t.category)
    .bind(t.priority)
    .bind(t.status)
    .bind(&t.subject)
    .bind(t.reporter_contact_id)
    .bind(t.assignee_id)
    .bind(t.source)
    .bind(t.created_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Moves a ticket from `from` to `to`; false if it had moved meanwhile.
pub async fn set_ticket_status(
    conn: &mut AnyConnection,
    org: OrgId,
    id: TicketId,
    from: TicketStatus,
    to: TicketStatus,
    closed: Option<(i64, CloseReason)>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE tickets SET status = $4, closed_at = $5, close_reason = $6 WHERE organisation_id = $1 AND id = $2 AND status = $3",
    )
    .bind(org)
    .bind(id)
    .bind(from)
    .bind(to)
    .bind(closed.map(|c| c.0))
    .bind(closed.map(|c| c.1))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn mark_first_response(
    conn: &mut AnyConnection,
    org: OrgId,
    id: TicketId,
    at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE tickets SET first_response_at = $3 WHERE organisation_id = $1 AND id = $2 AND first_response_at IS NULL")
        .bind(org)
        .bind(id)
        .bind(at)
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct EntryRow {
    pub kind: String,
    pub author_name: String,
    pub channel: Channel,
    pub body: String,
    pub created_at: i64,
}

pub async fn entries(
    conn: &mut AnyConnection,
    org: OrgId,
    ticket: TicketId,
) -> Result<Vec<EntryRow>, sqlx::Error> {
    sqlx::query_as("SELECT kind, author_name, channel, body, created_at FROM ticket_entries WHERE organisation_id = $1 AND ticket_id = $2 ORDER BY created_at, id")
        .bind(org)
        .bind(ticket)
        .fetch_all(conn)
        .await
}

pub async fn insert_entry(
    conn: &mut AnyConnection,
    org: OrgId,
    ticket: TicketId,
    e: &EntryRow,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO ticket_entries (id, organisation_id, ticket_id, kind, author_name, channel, body, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(org)
        .bind(ticket)
        .bind(&e.kind)
        .bind(&e.author_name)
        .bind(e.channel)
        .bind(&e.body)
        .bind(e.created_at)
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct IssueRow {
    pub id: IssueId,
    pub site_id: SiteId,
    pub site_name: String,
    pub building_id: Option<BuildingId>,
    pub location: String,
    pub title: String,
    pub description: String,
    pub category: IssueCategory,
    pub priority: Priority,
    pub status: IssueStatus,
    pub dismiss_reason: Option<String>,
    pub reported_by: String,
    pub ticket_id: Option<TicketId>,
    pub work_order_id: Option<WorkOrderId>,
    pub created_at: i64,
}

const ISSUE_SELECT: &str = "SELECT i.id, i.site_id, s.name AS site_name, i.building_id, i.location, i.title, i.description, i.category, \
    i.priority, i.status, i.dismiss_reason, i.reported_by, i.ticket_id, i.work_order_id, i.created_at \
    FROM issues i JOIN sites s ON s.id = i.site_id AND s.organisation_id = i.organisation_id";

pub async fn issues(
    conn: &mut AnyConnection,
    org: OrgId,
    limit: i64,
) -> Result<Vec<IssueRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{ISSUE_SELECT} WHERE i.organisation_id = $1 ORDER BY i.created_at DESC LIMIT $2"
    ))
    .bind(org)
    .bind(limit)
    .fetch_all(conn)
    .await
}

pub async fn issue(
    conn: &mut AnyConnection,
    org: OrgId,
    id: IssueId,
) -> Result<Option<IssueRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{ISSUE_SELECT} WHERE i.organisation_id = $1 AND i.id = $2"
    ))
    .bind(org)
    .bind(id)
    .fetch_optional(conn)
    .await
}

pub async fn insert_issue(
    conn: &mut AnyConnection,
    org: OrgId,
    i: &IssueRow,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO issues (id, organisation_id, site_id, building_id, location, title, description, category, priority, status, reported_by, ticket_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(i.id)
    .bind(org)
    .bind(i.site_id)
    .bind(i.building_id)
    .bind(&i.location)
    .bind(&i.title)
    .bind(&i.description)
    .bind(i.category)
    .bind(i.priority)
    .bind(i.status)
    .bind(&i.reported_by)
    .bind(i.ticket_id)
    .bind(i.created_at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn set_issue_status(
    conn: &mut AnyConnection,
    org: OrgId,
    id: IssueId,
    from: IssueStatus,
    to: IssueStatus,
    dismiss_reason: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE issues SET status = $4, dismiss_reason = $5 WHERE organisation_id = $1 AND id = $2 AND status = $3")
        .bind(org)
        .bind(id)
        .bind(from)
        .bind(to)
        .bind(dismiss_reason)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn link_issue_to_work_order(
    conn: &mut AnyConnection,
    org: OrgId,
    id: IssueId,
    wo: WorkOrderId,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE issues SET work_order_id = $3 WHERE organisation_id = $1 AND id = $2")
        .bind(org)
        .bind(id)
        .bind(wo)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn issues_of_work_order(
    conn: &mut AnyConnection,
    org: OrgId,
    wo: WorkOrderId,
) -> Result<Vec<IssueRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{ISSUE_SELECT} WHERE i.organisation_id = $1 AND i.work_order_id = $2"
    ))
    .bind(org)
    .bind(wo)
    .fetch_all(conn)
    .await
}

/// The conversation of every ticket of the organisation that is not closed, oldest entry
/// first, keyed by ticket: one query for a whole pull instead of one per ticket.
pub async fn entries_of_open_tickets(
    conn: &mut AnyConnection,
    org: OrgId,
) -> Result<Vec<(TicketId, EntryRow)>, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Row {
        ticket_id: TicketId,
        kind: String,
        author_name: String,
        channel: Channel,
        body: String,
        created_at: i64,
    }
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT e.ticket_id, e.kind, e.author_name, e.channel, e.body, e.created_at FROM ticket_entries e \
         JOIN tickets t ON t.id = e.ticket_id AND t.organisation_id = e.organisation_id \
         WHERE e.organisation_id = $1 AND t.status <> 'closed' ORDER BY e.created_at, e.id",
    )
    .bind(org)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                r.ticket_id,
                EntryRow {
                    kind: r.kind,
                    author_name: r.author_name,
                    channel: r.channel,
                    body: r.body,
                    created_at: r.created_at,
                },
            )
        })
        .collect())
}
