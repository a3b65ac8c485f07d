//! Work orders, with their quotes, certificates and notes from the field.

use proplink_shared::audit::Channel;
use proplink_shared::records::{
    CertificateKind, NewWorkOrder, Priority, QuoteKind, ServiceCategory,
};
use proplink_shared::states::WorkOrderStatus;
use proplink_shared::{
    BuildingId, CertificateId, Money, OrgId, QuoteId, Scope, SiteId, StaffUserId, TicketId, UnitId,
    VendorId, WorkOrderId,
};
use time::{Date, OffsetDateTime};

use super::query::{
    Key, Keyed, ListQuery, Order, Page, PageAt, Params, ScopeColumns, status_condition,
};
use super::requests::Openness;
use super::{Conn, DbResult};
use crate::{params, read_model};

read_model! {
    pub struct WorkOrder {
        pub id: WorkOrderId = "w.id",
        pub reference: String = "w.reference",
        pub site_id: SiteId = "w.site_id",
        pub site_name: String = "s.name",
        pub building_id: Option<BuildingId> = "w.building_id",
        pub unit_id: Option<UnitId> = "w.unit_id",
        pub ticket_id: Option<TicketId> = "w.ticket_id",
        pub title: String = "w.title",
        pub scope: String = "w.scope",
        pub service_category: ServiceCategory = "w.service_category",
        pub priority: Priority = "w.priority",
        pub deadline: Option<Date> = "w.deadline",
        pub status: WorkOrderStatus = "w.status",
        pub vendor_id: Option<VendorId> = "w.vendor_id",
        pub vendor_name: Option<String> = "v.name",
        pub approved_cost: Option<Money> = "w.approved_cost",
        /// How the contractor gets in: keys, parking, times.
        pub access_notes: String = "w.access_notes",
        /// Who lets the contractor in, if the office shares someone.
        pub access_contact: String = "w.access_contact",
        /// The member of staff who sees it through.
        pub assignee_id: Option<StaffUserId> = "w.assignee_id",
        pub assignee_name: Option<String> = "a.name",
        pub created_at: OffsetDateTime = "w.created_at",
    }
}

impl Keyed for WorkOrder {
    fn key(&self) -> Vec<Key> {
        vec![
            Key::Int(crate::clock::to_micros(self.created_at)),
            Key::Text(self.id.to_string()),
        ]
    }
}

const WORK_ORDER_FROM: &str = "FROM work_orders w \
    JOIN sites s ON s.organisation_id = w.organisation_id AND s.id = w.site_id \
    LEFT JOIN vendors v ON v.organisation_id = w.organisation_id AND v.id = w.vendor_id \
    LEFT JOIN staff_users a ON a.organisation_id = w.organisation_id AND a.id = w.assignee_id";

pub const WORK_ORDER_SCOPE: ScopeColumns = ScopeColumns {
    site: Some("w.site_id"),
    unit: Some("w.unit_id"),
    contact: None,
    work_order: Some("w.id"),
    building: Some("w.building_id"),
    audience: None,
    followed_by: None,
};

/// What a work order list is narrowed to.
#[derive(Clone, Debug, Default)]
pub struct WorkOrderFilter {
    pub site: Option<SiteId>,
    pub status: Option<WorkOrderStatus>,
    pub openness: Openness,
    pub priority: Option<Priority>,
    pub created_before: Option<OffsetDateTime>,
    /// Only those waiting on the office: quoted, or completed and waiting for review.
    pub awaiting_decision: bool,
    /// Part of the title or the reference.
    pub text: Option<String>,
}

fn work_order_query(scope: &Scope, filter: &WorkOrderFilter) -> ListQuery {
    let mut q = ListQuery::new(
        WORK_ORDER_FROM.into(),
        scope,
        "w.organisation_id",
        &WORK_ORDER_SCOPE,
    );
    q.equals("w.site_id", filter.site)
        .equals("w.status", filter.status)
        .equals("w.priority", filter.priority);
    if let Some(open) = filter.openness.open() {
        q.raw(&status_condition(
            "w.status",
            WorkOrderStatus::ALL,
            open,
            WorkOrderStatus::is_terminal,
            WorkOrderStatus::code,
        ));
    }
    if filter.awaiting_decision {
        q.raw(&format!(
            "w.status IN ('{}', '{}', '{}')",
            WorkOrderStatus::Quoted.code(),
            WorkOrderStatus::Completed.code(),
            WorkOrderStatus::PendingReview.code()
        ));
    }
    if let Some(before) = filter.created_before {
        q.condition("w.created_at < ?", &before);
    }
    q.search(&["w.title", "w.reference"], filter.text.as_deref());
    q
}

pub async fn work_orders(
    conn: &mut Conn,
    scope: &Scope,
    filter: &WorkOrderFilter,
    at: &PageAt,
    size: i64,
) -> DbResult<Page<WorkOrder>> {
    work_order_query(scope, filter)
        .page(
            conn,
            WorkOrder::COLUMNS,
            &Order {
                columns: &["w.created_at", "w.id"],
                descending: true,
            },
            at,
            size,
        )
        .await
}

pub async fn count_work_orders(
    conn: &mut Conn,
    scope: &Scope,
    filter: &WorkOrderFilter,
) -> DbResult<i64> {
    work_order_query(scope, filter)
        .count(conn, "COUNT(*)")
        .await
}

/// Work orders in scope among `ids`, or every open one when `ids` is `None`.
pub async fn work_orders_among(
    conn: &mut Conn,
    scope: &Scope,
    ids: Option<&[WorkOrderId]>,
) -> DbResult<Vec<WorkOrder>> {
    let mut q = work_order_query(
        scope,
        &WorkOrderFilter {
            openness: if ids.is_some() {
                Openness::Any
            } else {
                Openness::Open
            },
            ..WorkOrderFilter::default()
        },
    );
    if let Some(ids) = ids {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let list: Vec<String> = ids.iter().map(|id| q.params.push(id)).collect();
        q.raw(&format!("w.id IN ({})", list.join(", ")));
    }
    q.all(conn, WorkOrder::COLUMNS, "w.created_at DESC, w.id DESC")
        .await
}

pub async fn work_order(
    conn: &mut Conn,
    org: OrgId,
    id: WorkOrderId,
) -> DbResult<Option<WorkOrder>> {
    conn.query_opt(
        &format!(
            "SELECT {} {WORK_ORDER_FROM} WHERE w.organisation_id = $1 AND w.id = $2",
            WorkOrder::COLUMNS
        ),
        params![org, id],
    )
    .await
}

/// Where a new work order is and what it came from.
pub struct WorkOrderPlace {
    pub site: SiteId,
    pub building: Option<BuildingId>,
    pub unit: Option<UnitId>,
    pub ticket: Option<TicketId>,
}

pub async fn insert_work_order(
    conn: &mut Conn,
    org: OrgId,
    id: WorkOrderId,
    reference: &str,
    place: &WorkOrderPlace,
    new: &NewWorkOrder,
    now: OffsetDateTime,
) -> DbResult<()> {
    conn.execute(
        "INSERT INTO work_orders (organisation_id, id, reference, site_id, building_id, unit_id, ticket_id, title, scope, service_category, priority, deadline, status, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        params![
            org,
            id,
            reference,
            place.site,
            place.building,
            place.unit,
            place.ticket,
            new.title,
            new.scope,
            new.service_category,
            new.priority,
            new.deadline,
            WorkOrderStatus::Draft,
            now
        ],
    )
    .await?;
    Ok(())
}

/// Moves a work order from `from` to `to`; false if it had moved meanwhile.
pub async fn set_work_order_status(
    conn: &mut Conn,
    org: OrgId,
    id: WorkOrderId,
    from: WorkOrderStatus,
    to: WorkOrderStatus,
) -> DbResult<bool> {
    let changed = conn
        .execute(
            "UPDATE work_orders SET status = $4 WHERE organisation_id = $1 AND id = $2 AND status = $3",
            params![org, id, from, to],
        )
        .await?;
    Ok(changed == 1)
}

pub async fn set_work_order_vendor(
    conn: &mut Conn,
    org: OrgId,
    id: WorkOrderId,
    vendor: VendorId,
    cost: Option<Money>,
) -> DbResult<()> {
    conn.execute(
        "UPDATE work_orders SET vendor_id = $3, approved_cost = $4 WHERE organisation_id = $1 AND id = $2",
        params![org, id, vendor, cost],
    )
    .await?;
    Ok(())
}

/// What the contractor is told about getting in.
pub async fn set_access(
    conn: &mut Conn,
    org: OrgId,
    id: WorkOrderId,
    notes: &str,
    contact: &str,
) -> DbResult<()> {
    conn.execute(
        "UPDATE work_orders SET access_notes = $3, access_contact = $4 WHERE organisation_id = $1 AND id = $2",
        params![org, id, notes, contact],
    )
    .await?;
    Ok(())
}

read_model! {
    pub struct Quote {
        pub id: QuoteId = "q.id",
        pub vendor_id: VendorId = "q.vendor_id",
        pub vendor_name: String = "v.name",
        pub kind: QuoteKind = "q.kind",
        pub net: Money = "q.net",
        pub vat: Money = "q.vat",
        pub notes: String = "q.notes",
        pub awarded: bool = "q.awarded",
        pub rejected: bool = "q.rejected",
        pub rejection_reason: String = "q.rejection_reason",
        /// The door it came through.
        pub channel: Channel = "q.channel",
        pub submitted_at: OffsetDateTime = "q.submitted_at",
        /// The contractor's own quotation document, if they sent one.
        pub file_sha256: Option<String> = "q.file_sha256",
    }
}

pub async fn quotes(conn: &mut Conn, org: OrgId, wo: WorkOrderId) -> DbResult<Vec<Quote>> {
    conn.query(
        &format!(
            "SELECT {} FROM quotes q JOIN vendors v ON v.organisation_id = q.organisation_id AND v.id = q.vendor_id \
             WHERE q.organisation_id = $1 AND q.work_order_id = $2 ORDER BY q.submitted_at, q.id",
            Quote::COLUMNS
        ),
        params![org, wo],
    )
    .await
}

/// A quotation as stored, its VAT worked out.
pub struct StoredQuote<'a> {
    pub id: QuoteId,
    pub vendor: VendorId,
    pub kind: QuoteKind,
    pub net: Money,
    pub vat: Money,
    pub notes: &'a str,
    pub file_sha256: Option<&'a str>,
}

pub async fn insert_quote(
    conn: &mut Conn,
    org: OrgId,
    wo: WorkOrderId,
    q: &StoredQuote<'_>,
    channel: Channel,
    now: OffsetDateTime,
) -> DbResult<()> {
    conn.execute(
        "INSERT INTO quotes (organisation_id, id, work_order_id, vendor_id, kind, net, vat, notes, awarded, channel, submitted_at, file_sha256) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, FALSE, $9, $10, $11)",
        params![org, q.id, wo, q.vendor, q.kind, q.net, q.vat, q.notes, channel, now, q.file_sha256],
    )
    .await?;
    Ok(())
}

/// Turns a quote down; false if it was awarded or turned down meanwhile.
pub async fn mark_quote_rejected(
    conn: &mut Conn,
    org: OrgId,
    quote: QuoteId,
    reason: &str,
) -> DbResult<bool> {
    let changed = conn
        .execute(
            "UPDATE quotes SET rejected = TRUE, rejection_reason = $3 WHERE organisation_id = $1 AND id = $2 AND NOT awarded AND NOT rejected",
            params![org, quote, reason],
        )
        .await?;
    Ok(changed == 1)
}

pub async fn mark_quote_awarded(conn: &mut Conn, org: OrgId, quote: QuoteId) -> DbResult<()> {
    conn.execute(
        "UPDATE quotes SET awarded = TRUE WHERE organisation_id = $1 AND id = $2",
        params![org, quote],
    )
    .await?;
    Ok(())
}

read_model! {
    pub struct Certificate {
        pub id: CertificateId = "id",
        pub work_order_id: Option<WorkOrderId> = "work_order_id",
        pub site_id: SiteId = "site_id",
        pub vendor_id: Option<VendorId> = "vendor_id",
        pub kind: CertificateKind = "kind",
        /// Who issued it: the contractor, or a certification body.
        pub body: String = "body",
        pub registration_number: String = "registration_number",
        pub issued_on: Date = "issued_on",
        pub expires_on: Option<Date> = "expires_on",
        /// The certificate itself, a PDF or a photo of it.
        pub file_sha256: Option<String> = "file_sha256",
    }
}

pub async fn certificates(
    conn: &mut Conn,
    org: OrgId,
    wo: WorkOrderId,
) -> DbResult<Vec<Certificate>> {
    conn.query(
        &format!(
            "SELECT {} FROM certificates WHERE organisation_id = $1 AND work_order_id = $2 ORDER BY issued_on, id",
            Certificate::COLUMNS
        ),
        params![org, wo],
    )
    .await
}

pub async fn insert_certificate(
    conn: &mut Conn,
    org: OrgId,
    c: &Certificate,
    now: OffsetDateTime,
) -> DbResult<()> {
    conn.execute(
        "INSERT INTO certificates (organisation_id, id, work_order_id, site_id, vendor_id, kind, body, registration_number, issued_on, expires_on, created_at, file_sha256) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        params![
            org,
            c.id,
            c.work_order_id,
            c.site_id,
            c.vendor_id,
            c.kind,
            c.body,
            c.registration_number,
            c.issued_on,
            c.expires_on,
            now,
            c.file_sha256
        ],
    )
    .await?;
    Ok(())
}

read_model! {
    /// A note added to a work order from the field.
    pub struct Note {
        pub author_name: String = "author_name",
        pub channel: Channel = "channel",
        pub body: String = "body",
        pub created_at: OffsetDateTime = "created_at",
    }
}

pub async fn notes(conn: &mut Conn, org: OrgId, wo: WorkOrderId) -> DbResult<Vec<Note>> {
    conn.query(
        &format!(
            "SELECT {} FROM work_order_notes WHERE organisation_id = $1 AND work_order_id = $2 ORDER BY created_at, id",
            Note::COLUMNS
        ),
        params![org, wo],
    )
    .await
}

pub async fn insert_note(
    conn: &mut Conn,
    org: OrgId,
    wo: WorkOrderId,
    author: &str,
    channel: Channel,
    body: &str,
    now: OffsetDateTime,
) -> DbResult<()> {
    conn.execute(
        "INSERT INTO work_order_notes (organisation_id, id, work_order_id, author_name, channel, body, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        params![org, uuid::Uuid::now_v7(), wo, author, channel, body, now],
    )
    .await?;
    Ok(())
}

/// Gives a work order to a member of staff, or to nobody, if it still has the assignee the
/// form was filled in against and is still open; false if it changed since.
pub async fn assign(
    conn: &mut Conn,
    org: OrgId,
    id: WorkOrderId,
    was: Option<StaffUserId>,
    to: Option<StaffUserId>,
) -> DbResult<bool> {
    let changed = conn
        .execute(
            "UPDATE work_orders SET assignee_id = $4 WHERE organisation_id = $1 AND id = $2 \
             AND (assignee_id = $3 OR (assignee_id IS NULL AND $3 IS NULL)) \
             AND status NOT IN ('closed', 'cancelled')",
            params![org, id, was, to],
        )
        .await?;
    Ok(changed == 1)
}

read_model! {
    /// Works on a building's shared parts, as its residents are told of them: the trade, where
    /// they stand and when they were raised — never the office's own words.
    pub struct SafetyWork {
        pub service_category: ServiceCategory = "w.service_category",
        pub status: WorkOrderStatus = "w.status",
        pub created_at: OffsetDateTime = "w.created_at",
    }
}

/// Work orders on a building's shared parts (no one's home) in `trades`, raised since `since`
/// and not drafts or cancelled, newest first.
pub async fn safety_works(
    conn: &mut Conn,
    org: OrgId,
    building: BuildingId,
    trades: &[ServiceCategory],
    since: OffsetDateTime,
) -> DbResult<Vec<SafetyWork>> {
    let mut p = Params::default();
    let org = p.push(&org);
    let building = p.push(&building);
    let since = p.push(&since);
    let trades: Vec<String> = trades.iter().map(|t| p.push(t)).collect();
    conn.query(
        &format!(
            "SELECT {} FROM work_orders w WHERE w.organisation_id = {org} AND w.building_id = {building} \
             AND w.unit_id IS NULL AND w.created_at >= {since} AND w.status NOT IN ('draft', 'cancelled') \
             AND w.service_category IN ({}) ORDER BY w.created_at DESC LIMIT 20",
            SafetyWork::COLUMNS,
            trades.join(", ")
        ),
        p.values(),
    )
    .await
}
