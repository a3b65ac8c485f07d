//! Tickets with their conversation, and on-site issues.

use proplink_shared::audit::Channel;
use proplink_shared::records::{
    CommunalArea, EntryKind, IssueCategory, NewIssue, NewTicket, Priority, TicketCategory,
};
use proplink_shared::states::{CloseReason, IssueStatus, TicketStatus};
use proplink_shared::{
    BuildingId, ContactId, IssueId, OrgId, Scope, SiteId, StaffUserId, TicketId, UnitId,
    WorkOrderId,
};
use time::OffsetDateTime;

use super::query::{Key, Keyed, ListQuery, Order, Page, PageAt, ScopeColumns, status_condition};
use super::{Conn, DbResult};
use crate::{params, read_model};

mod shared_areas;

pub use shared_areas::{AreaReport, add_follower, followers, open_in_area};

read_model! {
    pub struct Ticket {
        pub id: TicketId = "t.id",
        pub reference: String = "t.reference",
        pub site_id: SiteId = "t.site_id",
        pub site_name: String = "s.name",
        pub unit_id: Option<UnitId> = "t.unit_id",
        /// The building it is in: the unit's, or the one whose shared area it is about.
        pub building_id: Option<BuildingId> = "t.building_id",
        /// Where it is, as people say it: the unit, or the shared area and its building.
        pub location: Option<String> = "(SELECT CASE WHEN u.id IS NOT NULL THEN u.name || ', ' || b.name ELSE b.name END             FROM buildings b LEFT JOIN units u ON u.organisation_id = t.organisation_id AND u.id = t.unit_id             WHERE b.organisation_id = t.organisation_id AND b.id = t.building_id)",
        /// The shared area it is about, when it is not in anyone's home.
        pub area: Option<CommunalArea> = "t.area",
        pub category: TicketCategory = "t.category",
        pub priority: Priority = "t.priority",
        pub status: TicketStatus = "t.status",
        pub subject: String = "t.subject",
        pub reporter_contact_id: Option<ContactId> = "t.reporter_contact_id",
        pub reporter_name: Option<String> = "c.first_name || ' ' || c.last_name",
        pub assignee_id: Option<StaffUserId> = "t.assignee_id",
        pub assignee_name: Option<String> = "su.name",
        /// The door it was raised through.
        pub source: Channel = "t.source",
        pub created_at: OffsetDateTime = "t.created_at",
        pub first_response_at: Option<OffsetDateTime> = "t.first_response_at",
        pub closed_at: Option<OffsetDateTime> = "t.closed_at",
        pub close_reason: Option<CloseReason> = "t.close_reason",
        /// When the SLA clock started: at triage, or when it was raised.
        pub sla_from: OffsetDateTime = "COALESCE(t.triaged_at, t.created_at)",
        /// Moves with every change made from a form: a form carries the version it was
        /// filled in against.
        pub version: i64 = "t.version",
    }
}

impl Keyed for Ticket {
    fn key(&self) -> Vec<Key> {
        vec![
            Key::Int(crate::clock::to_micros(self.created_at)),
            Key::Text(self.id.to_string()),
        ]
    }
}

const TICKET_FROM: &str = "FROM tickets t \
    JOIN sites s ON s.organisation_id = t.organisation_id AND s.id = t.site_id \
    LEFT JOIN contacts c ON c.organisation_id = t.organisation_id AND c.id = t.reporter_contact_id \
    LEFT JOIN staff_users su ON su.organisation_id = t.organisation_id AND su.id = t.assignee_id";

pub const TICKET_SCOPE: ScopeColumns = ScopeColumns {
    site: Some("t.site_id"),
    unit: Some("t.unit_id"),
    contact: Some("t.reporter_contact_id"),
    work_order: None,
    building: Some("t.building_id"),
    audience: None,
    followed_by: Some(
        "EXISTS (SELECT 1 FROM ticket_followers tf WHERE tf.organisation_id = t.organisation_id \
         AND tf.ticket_id = t.id AND tf.contact_id = ",
    ),
};

/// Newest first, by when they were raised.
const NEWEST: Order = Order {
    columns: &["t.created_at", "t.id"],
    descending: true,
};

/// Whether a list shows open or closed records, or both.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Openness {
    #[default]
    Any,
    Open,
    Closed,
}

impl Openness {
    /// `Some(true)` for open records only, `Some(false)` for closed ones, `None` for all.
    #[must_use]
    pub fn open(self) -> Option<bool> {
        match self {
            Openness::Any => None,
            Openness::Open => Some(true),
            Openness::Closed => Some(false),
        }
    }
}

/// What a ticket list is narrowed to.
#[derive(Clone, Debug, Default)]
pub struct TicketFilter {
    pub site: Option<SiteId>,
    pub status: Option<TicketStatus>,
    pub openness: Openness,
    pub priority: Option<Priority>,
    /// Only tickets raised before this instant.
    pub raised_before: Option<OffsetDateTime>,
    /// Part of the subject or the reference.
    pub text: Option<String>,
}

fn ticket_query(scope: &Scope, filter: &TicketFilter) -> ListQuery {
    let mut q = ListQuery::new(
        TICKET_FROM.into(),
        scope,
        "t.organisation_id",
        &TICKET_SCOPE,
    );
    q.equals("t.site_id", filter.site)
        .equals("t.status", filter.status)
        .equals("t.priority", filter.priority);
    if let Some(open) = filter.openness.open() {
        q.raw(&status_condition(
            "t.status",
            TicketStatus::ALL,
            open,
            TicketStatus::is_terminal,
            TicketStatus::code,
        ));
    }
    if let Some(before) = filter.raised_before {
        q.condition("t.created_at < ?", &before);
    }
    q.search(&["t.subject", "t.reference"], filter.text.as_deref());
    q
}

pub async fn tickets(
    conn: &mut Conn,
    scope: &Scope,
    filter: &TicketFilter,
    at: &PageAt,
    size: i64,
) -> DbResult<Page<Ticket>> {
    ticket_query(scope, filter)
        .page(conn, Ticket::COLUMNS, &NEWEST, at, size)
        .await
}

pub async fn count_tickets(conn: &mut Conn, scope: &Scope, filter: &TicketFilter) -> DbResult<i64> {
    ticket_query(scope, filter).count(conn, "COUNT(*)").await
}

/// The first `limit` tickets of a filter, newest first (for dashboards and the app).
pub async fn first_tickets(
    conn: &mut Conn,
    scope: &Scope,
    filter: &TicketFilter,
    limit: i64,
) -> DbResult<Vec<Ticket>> {
    ticket_query(scope, filter)
        .first(conn, Ticket::COLUMNS, "t.created_at DESC, t.id DESC", limit)
        .await
}

/// Tickets in scope among `ids`.
pub async fn tickets_among(
    conn: &mut Conn,
    scope: &Scope,
    ids: &[TicketId],
) -> DbResult<Vec<Ticket>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = ticket_query(scope, &TicketFilter::default());
    let list: Vec<String> = ids.iter().map(|id| q.params.push(id)).collect();
    q.raw(&format!("t.id IN ({})", list.join(", ")));
    q.all(conn, Ticket::COLUMNS, "t.created_at DESC, t.id DESC")
        .await
}

pub async fn ticket(conn: &mut Conn, org: OrgId, id: TicketId) -> DbResult<Option<Ticket>> {
    conn.query_opt(
        &format!(
            "SELECT {} {TICKET_FROM} WHERE t.organisation_id = $1 AND t.id = $2",
            Ticket::COLUMNS
        ),
        params![org, id],
    )
    .await
}

/// Where a new ticket sits, who raised it and through which door.
pub struct TicketPlace {
    pub site: SiteId,
    pub unit: Option<UnitId>,
    pub building: Option<BuildingId>,
    pub area: Option<CommunalArea>,
    pub reporter: Option<ContactId>,
    pub assignee: Option<StaffUserId>,
    pub source: Channel,
}

pub async fn insert_ticket(
    conn: &mut Conn,
    org: OrgId,
    id: TicketId,
    reference: &str,
    place: &TicketPlace,
    new: &NewTicket,
    now: OffsetDateTime,
) -> DbResult<()> {
    conn.execute(
        "INSERT INTO tickets (organisation_id, id, reference, site_id, unit_id, category, priority, status, subject, reporter_contact_id, assignee_id, source, created_at, building_id, area) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        params![
            org,
            id,
            reference,
            place.site,
            place.unit,
            new.category,
            new.priority,
            TicketStatus::Open,
            new.subject,
            place.reporter,
            place.assignee,
            place.source,
            now,
            place.building,
            place.area
        ],
    )
    .await?;
    Ok(())
}

/// Moves a ticket from `from` to `to`; false if it had moved meanwhile.
/// Moves a ticket to `to`, if it is still at `version`; false when someone changed it since.
pub async fn set_ticket_status(
    conn: &mut Conn,
    org: OrgId,
    id: TicketId,
    version: i64,
    to: TicketStatus,
    closed: Option<(OffsetDateTime, CloseReason)>,
) -> DbResult<bool> {
    let changed = conn
        .execute(
            "UPDATE tickets SET status = $4, closed_at = $5, close_reason = $6, version = version + 1 \
             WHERE organisation_id = $1 AND id = $2 AND version = $3",
            params![org, id, version, to, closed.map(|c| c.0), closed.map(|c| c.1)],
        )
        .await?;
    Ok(changed == 1)
}

/// Sets a ticket's category and priority and restarts its SLA clock, if it is still at
/// `version`; false when someone changed it since.
pub async fn triage_ticket(
    conn: &mut Conn,
    org: OrgId,
    id: TicketId,
    version: i64,
    category: TicketCategory,
    priority: Priority,
    at: OffsetDateTime,
) -> DbResult<bool> {
    let changed = conn
        .execute(
            "UPDATE tickets SET category = $4, priority = $5, triaged_at = $6, version = version + 1 \
             WHERE organisation_id = $1 AND id = $2 AND version = $3",
            params![org, id, version, category, priority, at],
        )
        .await?;
    Ok(changed == 1)
}

/// Gives a ticket to a member of staff, or to nobody, if it is still at `version`.
pub async fn assign_ticket(
    conn: &mut Conn,
    org: OrgId,
    id: TicketId,
    version: i64,
    assignee: Option<StaffUserId>,
) -> DbResult<bool> {
    let changed = conn
        .execute(
            "UPDATE tickets SET assignee_id = $4, version = version + 1 \
             WHERE organisation_id = $1 AND id = $2 AND version = $3",
            params![org, id, version, assignee],
        )
        .await?;
    Ok(changed == 1)
}

pub async fn mark_first_response(
    conn: &mut Conn,
    org: OrgId,
    id: TicketId,
    at: OffsetDateTime,
) -> DbResult<()> {
    conn.execute(
        "UPDATE tickets SET first_response_at = $3 WHERE organisation_id = $1 AND id = $2 AND first_response_at IS NULL",
        params![org, id, at],
    )
    .await?;
    Ok(())
}

read_model! {
    /// A message or internal note in a ticket's thread.
    pub struct Entry {
        pub ticket_id: TicketId = "e.ticket_id",
        pub kind: EntryKind = "e.kind",
        pub author_name: String = "e.author_name",
        /// The resident who wrote it, when a resident did.
        pub author_contact: Option<ContactId> = "e.author_contact_id",
        pub channel: Channel = "e.channel",
        pub body: String = "e.body",
        pub created_at: OffsetDateTime = "e.created_at",
    }
}

/// A ticket's thread, oldest first; internal notes only if `notes`.
pub async fn entries(
    conn: &mut Conn,
    org: OrgId,
    ticket: TicketId,
    notes: bool,
) -> DbResult<Vec<Entry>> {
    conn.query(
        &format!(
            "SELECT {} FROM ticket_entries e WHERE e.organisation_id = $1 AND e.ticket_id = $2 AND (e.kind = $3 OR $4) \
             ORDER BY e.created_at, e.id",
            Entry::COLUMNS
        ),
        params![org, ticket, EntryKind::Message, notes],
    )
    .await
}

/// The threads of several tickets in one query, oldest entry first.
pub async fn entries_of(conn: &mut Conn, org: OrgId, tickets: &[TicketId]) -> DbResult<Vec<Entry>> {
    if tickets.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = ListQuery::in_org("FROM ticket_entries e".into(), org, "e.organisation_id");
    let list: Vec<String> = tickets.iter().map(|id| q.params.push(id)).collect();
    q.raw(&format!("e.ticket_id IN ({})", list.join(", ")));
    q.all(conn, Entry::COLUMNS, "e.created_at, e.id").await
}

/// Who wrote an entry, and through which door.
pub struct Author<'a> {
    pub name: &'a str,
    pub channel: Channel,
    /// The resident, when a resident writes.
    pub contact: Option<ContactId>,
}

pub async fn insert_entry(
    conn: &mut Conn,
    org: OrgId,
    ticket: TicketId,
    kind: EntryKind,
    author: &Author<'_>,
    body: &str,
    now: OffsetDateTime,
) -> DbResult<()> {
    conn.execute(
        "INSERT INTO ticket_entries (organisation_id, id, ticket_id, kind, author_name, channel, body, created_at, author_contact_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        params![org, uuid::Uuid::now_v7(), ticket, kind, author.name, author.channel, body, now, author.contact],
    )
    .await?;
    Ok(())
}

read_model! {
    pub struct Issue {
        pub id: IssueId = "i.id",
        pub site_id: SiteId = "i.site_id",
        pub site_name: String = "s.name",
        pub building_id: Option<BuildingId> = "i.building_id",
        pub location: String = "i.location",
        pub title: String = "i.title",
        pub description: String = "i.description",
        pub category: IssueCategory = "i.category",
        pub priority: Priority = "i.priority",
        pub status: IssueStatus = "i.status",
        pub dismiss_reason: Option<String> = "i.dismiss_reason",
        pub reported_by: String = "i.reported_by",
        pub ticket_id: Option<TicketId> = "i.ticket_id",
        pub work_order_id: Option<WorkOrderId> = "i.work_order_id",
        pub created_at: OffsetDateTime = "i.created_at",
        /// Moves with each edit from a form.
        pub version: i64 = "i.version",
    }
}

impl Keyed for Issue {
    fn key(&self) -> Vec<Key> {
        vec![
            Key::Int(crate::clock::to_micros(self.created_at)),
            Key::Text(self.id.to_string()),
        ]
    }
}

const ISSUE_FROM: &str =
    "FROM issues i JOIN sites s ON s.organisation_id = i.organisation_id AND s.id = i.site_id";

pub const ISSUE_SCOPE: ScopeColumns = ScopeColumns {
    site: Some("i.site_id"),
    unit: None,
    contact: None,
    work_order: None,
    building: Some("i.building_id"),
    audience: None,
    followed_by: None,
};

/// What an issue list is narrowed to.
#[derive(Clone, Debug, Default)]
pub struct IssueFilter {
    pub site: Option<SiteId>,
    pub status: Option<IssueStatus>,
    pub openness: Openness,
    pub priority: Option<Priority>,
    pub logged_before: Option<OffsetDateTime>,
    /// Part of the title or the location.
    pub text: Option<String>,
}

fn issue_query(scope: &Scope, filter: &IssueFilter) -> ListQuery {
    let mut q = ListQuery::new(ISSUE_FROM.into(), scope, "i.organisation_id", &ISSUE_SCOPE);
    q.equals("i.site_id", filter.site)
        .equals("i.status", filter.status)
        .equals("i.priority", filter.priority);
    if let Some(open) = filter.openness.open() {
        q.raw(&status_condition(
            "i.status",
            IssueStatus::ALL,
            open,
            IssueStatus::is_terminal,
            IssueStatus::code,
        ));
    }
    if let Some(before) = filter.logged_before {
        q.condition("i.created_at < ?", &before);
    }
    q.search(&["i.title", "i.location"], filter.text.as_deref());
    q
}

pub async fn issues(
    conn: &mut Conn,
    scope: &Scope,
    filter: &IssueFilter,
    at: &PageAt,
    size: i64,
) -> DbResult<Page<Issue>> {
    issue_query(scope, filter)
        .page(
            conn,
            Issue::COLUMNS,
            &Order {
                columns: &["i.created_at", "i.id"],
                descending: true,
            },
            at,
            size,
        )
        .await
}

pub async fn count_issues(conn: &mut Conn, scope: &Scope, filter: &IssueFilter) -> DbResult<i64> {
    issue_query(scope, filter).count(conn, "COUNT(*)").await
}

/// Issues in scope among `ids`, or every open one when `ids` is `None`.
pub async fn issues_among(
    conn: &mut Conn,
    scope: &Scope,
    ids: Option<&[IssueId]>,
) -> DbResult<Vec<Issue>> {
    let mut q = issue_query(
        scope,
        &IssueFilter {
            openness: if ids.is_some() {
                Openness::Any
            } else {
                Openness::Open
            },
            ..IssueFilter::default()
        },
    );
    if let Some(ids) = ids {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let list: Vec<String> = ids.iter().map(|id| q.params.push(id)).collect();
        q.raw(&format!("i.id IN ({})", list.join(", ")));
    }
    q.all(conn, Issue::COLUMNS, "i.created_at DESC, i.id DESC")
        .await
}

pub async fn issue(conn: &mut Conn, org: OrgId, id: IssueId) -> DbResult<Option<Issue>> {
    conn.query_opt(
        &format!(
            "SELECT {} {ISSUE_FROM} WHERE i.organisation_id = $1 AND i.id = $2",
            Issue::COLUMNS
        ),
        params![org, id],
    )
    .await
}

/// Where a new issue was found, and the ticket it answers.
pub struct IssuePlace {
    pub site: SiteId,
    pub building: Option<BuildingId>,
    pub ticket: Option<TicketId>,
}

/// Saves an issue's details if it is still at `version`; false if someone else changed it.
pub async fn update_issue(
    conn: &mut Conn,
    org: OrgId,
    id: IssueId,
    version: i64,
    new: &NewIssue,
) -> DbResult<bool> {
    let changed = conn
        .execute(
            "UPDATE issues SET title = $4, description = $5, location = $6, category = $7, priority = $8, version = version + 1 \
             WHERE organisation_id = $1 AND id = $2 AND version = $3",
            params![org, id, version, new.title, new.description, new.location, new.category, new.priority],
        )
        .await?;
    Ok(changed == 1)
}

/// Ties an issue to a building and a request (either may be none).
pub async fn link_issue(
    conn: &mut Conn,
    org: OrgId,
    id: IssueId,
    building: Option<BuildingId>,
    ticket: Option<TicketId>,
) -> DbResult<()> {
    conn.execute(
        "UPDATE issues SET building_id = $3, ticket_id = $4, version = version + 1 WHERE organisation_id = $1 AND id = $2",
        params![org, id, building, ticket],
    )
    .await?;
    Ok(())
}

pub async fn insert_issue(
    conn: &mut Conn,
    org: OrgId,
    id: IssueId,
    place: &IssuePlace,
    new: &NewIssue,
    reported_by: &str,
    now: OffsetDateTime,
) -> DbResult<()> {
    conn.execute(
        "INSERT INTO issues (organisation_id, id, site_id, building_id, location, title, description, category, priority, status, reported_by, ticket_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        params![
            org,
            id,
            place.site,
            place.building,
            new.location,
            new.title,
            new.description,
            new.category,
            new.priority,
            IssueStatus::Open,
            reported_by,
            place.ticket,
            now
        ],
    )
    .await?;
    Ok(())
}

pub async fn set_issue_status(
    conn: &mut Conn,
    org: OrgId,
    id: IssueId,
    from: IssueStatus,
    to: IssueStatus,
    dismiss_reason: Option<&str>,
) -> DbResult<bool> {
    let changed = conn
        .execute(
            "UPDATE issues SET status = $4, dismiss_reason = $5 WHERE organisation_id = $1 AND id = $2 AND status = $3",
            params![org, id, from, to, dismiss_reason],
        )
        .await?;
    Ok(changed == 1)
}

pub async fn link_issue_to_work_order(
    conn: &mut Conn,
    org: OrgId,
    id: IssueId,
    wo: WorkOrderId,
) -> DbResult<()> {
    conn.execute(
        "UPDATE issues SET work_order_id = $3 WHERE organisation_id = $1 AND id = $2",
        params![org, id, wo],
    )
    .await?;
    Ok(())
}

pub async fn issues_of_work_order(
    conn: &mut Conn,
    org: OrgId,
    wo: WorkOrderId,
) -> DbResult<Vec<Issue>> {
    conn.query(
        &format!(
            "SELECT {} {ISSUE_FROM} WHERE i.organisation_id = $1 AND i.work_order_id = $2 ORDER BY i.created_at, i.id",
            Issue::COLUMNS
        ),
        params![org, wo],
    )
    .await
}

/// Issues logged against a ticket that no work order has taken yet.
pub async fn unworked_issues_of_ticket(
    conn: &mut Conn,
    org: OrgId,
    ticket: TicketId,
) -> DbResult<Vec<Issue>> {
    conn.query(
        &format!(
            "SELECT {} {ISSUE_FROM} WHERE i.organisation_id = $1 AND i.ticket_id = $2 AND i.work_order_id IS NULL ORDER BY i.created_at, i.id",
            Issue::COLUMNS
        ),
        params![org, ticket],
    )
    .await
}
