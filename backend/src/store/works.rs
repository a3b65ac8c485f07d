//! Contractors (vendors) and their cover, work orders, quotes, certificates, notices and
//! documents.

use proplink_shared::authz::Audience;
use proplink_shared::records::{CertificateKind, Priority, QuoteKind, ServiceCategory};
use proplink_shared::states::WorkOrderStatus;
use proplink_shared::{
    BuildingId, CertificateId, DocumentId, Money, NoticeId, OrgId, QuoteId, SiteId, TicketId,
    UnitId, VendorId, WorkOrderId,
};
use sqlx::AnyConnection;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct VendorRow {
    pub id: VendorId,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub service_category: ServiceCategory,
}

pub async fn vendors(conn: &mut AnyConnection, org: OrgId) -> Result<Vec<VendorRow>, sqlx::Error> {
    sqlx::query_as("SELECT id, name, email, phone, service_category FROM vendors WHERE organisation_id = $1 ORDER BY name")
        .bind(org)
        .fetch_all(conn)
        .await
}

pub async fn vendor(
    conn: &mut AnyConnection,
    org: OrgId,
    id: VendorId,
) -> Result<Option<VendorRow>, sqlx::Error> {
    sqlx::query_as("SELECT id, name, email, phone, service_category FROM vendors WHERE organisation_id = $1 AND id = $2")
        .bind(org)
        .bind(id)
        .fetch_optional(conn)
        .await
}

pub async fn insert_vendor(
    conn: &mut AnyConnection,
    org: OrgId,
    v: &VendorRow,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO vendors (id, organisation_id, name, email, phone, service_category, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(v.id)
        .bind(org)
        .bind(&v.name)
        .bind(&v.email)
        .bind(&v.phone)
        .bind(v.service_category)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct CoverRow {
    pub kind: CertificateKind,
    pub provider: String,
    pub policy_number: String,
    pub sum_insured: Option<Money>,
    pub expires_on: String,
}

pub async fn cover(
    conn: &mut AnyConnection,
    org: OrgId,
    vendor: VendorId,
) -> Result<Vec<CoverRow>, sqlx::Error> {
    sqlx::query_as("SELECT kind, provider, policy_number, sum_insured, expires_on FROM vendor_cover WHERE organisation_id = $1 AND vendor_id = $2 ORDER BY expires_on")
        .bind(org)
        .bind(vendor)
        .fetch_all(conn)
        .await
}

pub async fn insert_cover(
    conn: &mut AnyConnection,
    org: OrgId,
    vendor: VendorId,
    c: &CoverRow,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO vendor_cover (id, organisation_id, vendor_id, kind, provider, policy_number, sum_insured, expires_on) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(org)
        .bind(vendor)
        .bind(c.kind)
        .bind(&c.provider)
        .bind(&c.policy_number)
        .bind(c.sum_insured)
        .bind(&c.expires_on)
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct WorkOrderRow {
    pub id: WorkOrderId,
    pub reference: String,
    pub site_id: SiteId,
    pub site_name: String,
    pub building_id: Option<BuildingId>,
    pub unit_id: Option<UnitId>,
    pub ticket_id: Option<TicketId>,
    pub title: String,
    pub scope: String,
    pub service_category: ServiceCategory,
    pub priority: Priority,
    pub deadline: Option<String>,
    pub status: WorkOrderStatus,
    pub vendor_id: Option<VendorId>,
    pub vendor_name: Option<String>,
    pub approved_cost: Option<Money>,
    pub created_at: i64,
}

const WO_SELECT: &str = "SELECT w.id, w.reference, w.site_id, s.name AS site_name, w.building_id, w.unit_id, w.ticket_id, w.title, w.scope, \
    w.service_category, w.priority, w.deadline, w.status, w.vendor_id, v.name AS vendor_name, w.approved_cost, w.created_at \
    FROM work_orders w JOIN sites s ON s.id = w.site_id AND s.organisation_id = w.organisation_id \
    LEFT JOIN vendors v ON v.id = w.vendor_id AND v.organisation_id = w.organisation_id";

pub async fn work_orders(
    conn: &mut AnyConnection,
    org: OrgId,
    limit: i64,
) -> Result<Vec<WorkOrderRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{WO_SELECT} WHERE w.organisation_id = $1 ORDER BY w.created_at DESC LIMIT $2"
    ))
    .bind(org)
    .bind(limit)
    .fetch_all(conn)
    .await
}

pub async fn work_order(
    conn: &mut AnyConnection,
    org: OrgId,
    id: WorkOrderId,
) -> Result<Option<WorkOrderRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{WO_SELECT} WHERE w.organisation_id = $1 AND w.id = $2"
    ))
    .bind(org)
    .bind(id)
    .fetch_optional(conn)
    .await
}

pub async fn insert_work_order(
    conn: &mut AnyConnection,
    org: OrgId,
    w: &WorkOrderRow,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO work_orders (id, organisation_id, reference, site_id, building_id, unit_id, ticket_id, title, scope, service_category, priority, deadline, status, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(w.id)
    .bind(org)
    .bind(&w.reference)
    .bind(w.site_id)
    .bind(w.building_id)
    .bind(w.unit_id)
    .bind(w.ticket_id)
    .bind(&w.title)
    .bind(&w.scope)
    .bind(w.service_category)
    .bind(w.priority)
    .bind(&w.deadline)
    .bind(w.status)
    .bind(w.created_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Moves a work order from `from` to `to`; false if it had moved meanwhile.
pub async fn set_work_order_status(
    conn: &mut AnyConnection,
    org: OrgId,
    id: WorkOrderId,
    from: WorkOrderStatus,
    to: WorkOrderStatus,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE work_orders SET status = $4 WHERE organisation_id = $1 AND id = $2 AND status = $3",
    )
    .bind(org)
    .bind(id)
    .bind(from)
    .bind(to)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_work_order_vendor(
    conn: &mut AnyConnection,
    org: OrgId,
    id: WorkOrderId,
    vendor: VendorId,
    cost: Option<Money>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE work_orders SET vendor_id = $3, approved_cost = $4 WHERE organisation_id = $1 AND id = $2")
        .bind(org)
        .bind(id)
        .bind(vendor)
        .bind(cost)
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct QuoteRow {
    pub id: QuoteId,
    pub vendor_id: VendorId,
    pub vendor_name: String,
    pub kind: QuoteKind,
    pub net: Money,
    pub vat: Money,
    pub notes: String,
    pub awarded: i64,
    pub submitted_at: i64,
}

pub async fn quotes(
    conn: &mut AnyConnection,
    org: OrgId,
    wo: WorkOrderId,
) -> Result<Vec<QuoteRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT q.id, q.vendor_id, v.name AS vendor_name, q.kind, q.net, q.vat, q.notes, q.awarded, q.submitted_at FROM quotes q \
         JOIN vendors v ON v.id = q.vendor_id AND v.organisation_id = q.organisation_id \
         WHERE q.organisation_id = $1 AND q.work_order_id = $2 ORDER BY q.submitted_at",
    )
    .bind(org)
    .bind(wo)
    .fetch_all(conn)
    .await
}

pub async fn insert_quote(
    conn: &mut AnyConnection,
    org: OrgId,
    wo: WorkOrderId,
    q: &QuoteRow,
    channel: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO quotes (id, organisation_id, work_order_id, vendor_id, kind, net, vat, notes, awarded, channel, submitted_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $9, $10)")
        .bind(q.id)
        .bind(org)
        .bind(wo)
        .bind(q.vendor_id)
        .bind(q.kind)
        .bind(q.net)
        .bind(q.vat)
        .bind(&q.notes)
        .bind(channel)
        .bind(q.submitted_at)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn mark_quote_awarded(
    conn: &mut AnyConnection,
    org: OrgId,
    quote: QuoteId,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE quotes SET awarded = 1 WHERE organisation_id = $1 AND id = $2")
        .bind(org)
        .bind(quote)
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct CertificateRow {
    pub id: CertificateId,
    pub work_order_id: Option<WorkOrderId>,
    pub site_id: SiteId,
    pub vendor_id: Option<VendorId>,
    pub kind: CertificateKind,
    pub body: String,
    pub registration_number: String,
    pub issued_on: String,
    pub expires_on: Option<String>,
}

pub async fn certificates(
    conn: &mut AnyConnection,
    org: OrgId,
    wo: WorkOrderId,
) -> Result<Vec<CertificateRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, work_order_id, site_id, vendor_id, kind, body, registration_number, issued_on, expires_on FROM certificates \
         WHERE organisation_id = $1 AND work_order_id = $2 ORDER BY issued_on",
    )
    .bind(org)
    .bind(wo)
    .fetch_all(conn)
    .await
}

pub async fn insert_certificate(
    conn: &mut AnyConnection,
    org: OrgId,
    c: &CertificateRow,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO certificates (id, organisation_id, work_order_id, site_id, vendor_id, kind, body, registration_number, issued_on, expires_on, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(c.id)
    .bind(org)
    .bind(c.work_order_id)
    .bind(c.site_id)
    .bind(c.vendor_id)
    .bind(c.kind)
    .bind(&c.body)
    .bind(&c.registration_number)
    .bind(&c.issued_on)
    .bind(&c.expires_on)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct NoticeRow {
    pub id: NoticeId,
    pub site_id: Option<SiteId>,
    pub title: String,
    pub body: String,
    pub publish_on: String,
    pub expires_on: Option<String>,
    pub urgent: i64,
}

pub async fn notices(conn: &mut AnyConnection, org: OrgId) -> Result<Vec<NoticeRow>, sqlx::Error> {
    sqlx::query_as("SELECT id, site_id, title, body, publish_on, expires_on, urgent FROM notices WHERE organisation_id = $1 ORDER BY publish_on DESC")
        .bind(org)
        .fetch_all(conn)
        .await
}

pub async fn insert_notice(
    conn: &mut AnyConnection,
    org: OrgId,
    n: &NoticeRow,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO notices (id, organisation_id, site_id, title, body, publish_on, expires_on, urgent, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
        .bind(n.id)
        .bind(org)
        .bind(n.site_id)
        .bind(&n.title)
        .bind(&n.body)
        .bind(&n.publish_on)
        .bind(&n.expires_on)
        .bind(n.urgent)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct DocumentRow {
    pub id: DocumentId,
    pub site_id: Option<SiteId>,
    pub record_type: String,
    pub record_id: String,
    pub folder: String,
    pub audience: Audience,
    pub title: String,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
}

const DOC_COLUMNS: &str = "id, site_id, record_type, record_id, folder, audience, title, filename, content_type, size_bytes, sha256";

pub async fn documents(
    conn: &mut AnyConnection,
    org: OrgId,
    record: Option<(&str, &str)>,
) -> Result<Vec<DocumentRow>, sqlx::Error> {
    let (rt, rid) = record.unzip();
    sqlx::query_as(&format!(
        "SELECT {DOC_COLUMNS} FROM documents WHERE organisation_id = $1 AND ($2 IS NULL OR (record_type = $2 AND record_id = $3)) ORDER BY folder, title"
    ))
    .bind(org)
    .bind(rt)
    .bind(rid)
    .fetch_all(conn)
    .await
}

pub async fn insert_document(
    conn: &mut AnyConnection,
    org: OrgId,
    d: &DocumentRow,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO documents (id, organisation_id, site_id, record_type, record_id, folder, audience, title, filename, content_type, size_bytes, sha256, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(d.id)
    .bind(org)
    .bind(d.site_id)
    .bind(&d.record_type)
    .bind(&d.record_id)
    .bind(&d.folder)
    .bind(d.audience)
    .bind(&d.title)
    .bind(&d.filename)
    .bind(&d.content_type)
    .bind(d.size_bytes)
    .bind(&d.sha256)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Stores content under its hash; storing the same bytes twice keeps one copy.
pub async fn put_blob(
    conn: &mut AnyConnection,
    sha256: &str,
    content: &[u8],
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO blobs (sha256, content) VALUES ($1, $2) ON CONFLICT (sha256) DO NOTHING",
    )
    .bind(sha256)
    .bind(content)
    .execute(conn)
    .await?;
    Ok(())
}
