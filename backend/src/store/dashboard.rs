//! What the dashboard reads beyond the lists: arrears as they stood at a past day, requests
//! closed in a period with their SLA clocks, and cover and certificates running out.

use proplink_shared::records::{CertificateKind, Priority};
use proplink_shared::{CertificateId, InvoiceId, Money, Scope, SiteId, VendorId, WorkOrderId};
use time::{Date, OffsetDateTime};

use super::finance::{INVOICE_SCOPE, POSTED};
use super::query::{ListQuery, ScopeColumns};
use super::requests::TICKET_SCOPE;
use super::{Conn, DbResult};

/// Posted invoices in scope: (id, issue date, due date, total).
pub async fn posted_invoices(
    conn: &mut Conn,
    scope: &Scope,
) -> DbResult<Vec<(InvoiceId, Date, Date, Money)>> {
    let mut q = ListQuery::new(
        "FROM invoices i".into(),
        scope,
        "i.organisation_id",
        &INVOICE_SCOPE,
    );
    q.raw(&format!("i.status IN {POSTED}"));
    q.all(conn, "i.id, i.issue_date, i.due_date, i.total", "i.id")
        .await
}

/// What was set against posted invoices in scope, and when: payments by the day they were
/// received, credit notes by their date. (invoice, day, amount).
pub async fn settlements(
    conn: &mut Conn,
    scope: &Scope,
) -> DbResult<Vec<(InvoiceId, Date, Money)>> {
    let mut paid = ListQuery::new(
        "FROM allocations a \
         JOIN payments p ON p.organisation_id = a.organisation_id AND p.id = a.payment_id \
         JOIN invoices i ON i.organisation_id = a.organisation_id AND i.id = a.invoice_id"
            .into(),
        scope,
        "a.organisation_id",
        &INVOICE_SCOPE,
    );
    paid.raw(&format!("i.status IN {POSTED}"));
    let mut rows: Vec<(InvoiceId, Date, Money)> = paid
        .all(
            conn,
            "a.invoice_id, p.received_on, a.amount",
            "a.invoice_id",
        )
        .await?;
    let mut credited = ListQuery::new(
        "FROM credit_notes cn \
         JOIN invoices i ON i.organisation_id = cn.organisation_id AND i.id = cn.invoice_id"
            .into(),
        scope,
        "cn.organisation_id",
        &INVOICE_SCOPE,
    );
    credited.raw(&format!("i.status IN {POSTED}"));
    rows.extend(
        credited
            .all::<(InvoiceId, Date, Money)>(
                conn,
                "cn.invoice_id, cn.issue_date, cn.amount",
                "cn.invoice_id",
            )
            .await?,
    );
    Ok(rows)
}

/// Requests closed in `[from, to)`: their priority, when their SLA clock started, and when
/// they closed.
pub async fn closed_between(
    conn: &mut Conn,
    scope: &Scope,
    from: OffsetDateTime,
    to: OffsetDateTime,
) -> DbResult<Vec<(Priority, OffsetDateTime, OffsetDateTime)>> {
    let mut q = ListQuery::new(
        "FROM tickets t".into(),
        scope,
        "t.organisation_id",
        &TICKET_SCOPE,
    );
    q.raw("t.status = 'closed'")
        .condition("t.closed_at >= ?", &from)
        .condition("t.closed_at < ?", &to);
    q.all(
        conn,
        "t.priority, COALESCE(t.triaged_at, t.created_at), t.closed_at",
        "t.closed_at",
    )
    .await
}

/// Contractors' insurance running out between `from` and `to`, soonest first.
pub async fn cover_expiring(
    conn: &mut Conn,
    scope: &Scope,
    from: Date,
    to: Date,
    limit: i64,
) -> DbResult<Vec<(VendorId, String, CertificateKind, Date)>> {
    let mut q = ListQuery::new(
        "FROM vendor_cover vc JOIN vendors v ON v.organisation_id = vc.organisation_id AND v.id = vc.vendor_id".into(),
        scope,
        "vc.organisation_id",
        &ScopeColumns::default(),
    );
    q.condition("vc.expires_on >= ?", &from)
        .condition("vc.expires_on <= ?", &to);
    q.first(
        conn,
        "v.id, v.name, vc.kind, vc.expires_on",
        "vc.expires_on, v.name",
        limit,
    )
    .await
}

const CERTIFICATE_SCOPE: ScopeColumns = ScopeColumns {
    site: Some("ce.site_id"),
    unit: None,
    contact: None,
    work_order: Some("ce.work_order_id"),
    building: None,
    audience: None,
    followed_by: None,
};

/// A certificate running out: which, where, and what it belongs to.
pub type ExpiringCertificate = (
    CertificateId,
    CertificateKind,
    SiteId,
    String,
    Option<WorkOrderId>,
    Date,
);

/// Certificates of the sites in scope running out between `from` and `to`, soonest first.
pub async fn certificates_expiring(
    conn: &mut Conn,
    scope: &Scope,
    from: Date,
    to: Date,
    limit: i64,
) -> DbResult<Vec<ExpiringCertificate>> {
    let mut q = ListQuery::new(
        "FROM certificates ce JOIN sites s ON s.organisation_id = ce.organisation_id AND s.id = ce.site_id".into(),
        scope,
        "ce.organisation_id",
        &CERTIFICATE_SCOPE,
    );
    q.raw("ce.expires_on IS NOT NULL")
        .condition("ce.expires_on >= ?", &from)
        .condition("ce.expires_on <= ?", &to);
    q.first(
        conn,
        "ce.id, ce.kind, ce.site_id, s.name, ce.work_order_id, ce.expires_on",
        "ce.expires_on, s.name",
        limit,
    )
    .await
}
