//! Invoices, payments and their allocations.

use proplink_shared::records::{PaymentMethod, VatRate};
use proplink_shared::states::InvoiceStatus;
use proplink_shared::{ContactId, InvoiceId, Money, OrgId, PaymentId, SiteId, UnitId};
use sqlx::AnyConnection;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct InvoiceRow {
    pub id: InvoiceId,
    pub number: String,
    pub site_id: SiteId,
    pub unit_id: UnitId,
    pub unit_name: String,
    pub contact_id: ContactId,
    pub contact_name: String,
    pub description: String,
    pub issue_date: String,
    pub due_date: String,
    pub status: InvoiceStatus,
    pub net: Money,
    pub vat: Money,
    pub total: Money,
    pub paid: Money,
}

impl InvoiceRow {
    #[must_use]
    pub fn outstanding(&self) -> Money {
        Money::from_pence(self.total.pence() - self.paid.pence())
    }

    /// In arrears on `today`; an unreadable due date is never overdue.
    #[must_use]
    pub fn is_overdue(&self, today: time::Date) -> bool {
        let format = time::macros::format_description!("[year]-[month]-[day]");
        time::Date::parse(&self.due_date, &format)
            .is_ok_and(|due| self.status.is_overdue(due, today))
    }
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct InvoiceLineRow {
    pub description: String,
    pub vat_rate: VatRate,
    pub net: Money,
    pub vat: Money,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct PaymentRow {
    pub id: PaymentId,
    pub unit_id: UnitId,
    pub contact_id: ContactId,
    pub amount: Money,
    pub unallocated: Money,
    pub method: PaymentMethod,
    pub received_on: String,
    pub reference: String,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct AllocationRow {
    pub payment_id: PaymentId,
    pub received_on: String,
    pub method: PaymentMethod,
    pub amount: Money,
}

const INVOICE_SELECT: &str = "SELECT i.id, i.number, i.site_id, i.unit_id, u.name AS unit_name, i.contact_id, \
    c.first_name || ' ' || c.last_name AS contact_name, i.description, i.issue_date, i.due_date, i.status, \
    i.net, i.vat, i.total, i.paid \
    FROM invoices i \
    JOIN units u ON u.id = i.unit_id AND u.organisation_id = i.organisation_id \
    JOIN contacts c ON c.id = i.contact_id AND c.organisation_id = i.organisation_id";

pub async fn invoices(
    conn: &mut AnyConnection,
    org: OrgId,
    unit: Option<UnitId>,
    limit: i64,
) -> Result<Vec<InvoiceRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{INVOICE_SELECT} WHERE i.organisation_id = $1 AND ($2 IS NULL OR i.unit_id = $2) ORDER BY i.issue_date DESC, i.number DESC LIMIT $3"
    ))
    .bind(org)
    .bind(unit)
    .bind(limit)
    .fetch_all(conn)
    .await
}

pub async fn invoice(
    conn: &mut AnyConnection,
    org: OrgId,
    id: InvoiceId,
) -> Result<Option<InvoiceRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{INVOICE_SELECT} WHERE i.organisation_id = $1 AND i.id = $2"
    ))
    .bind(org)
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// Posted invoices of a unit that still have something to pay, oldest first.
pub async fn open_invoices(
    conn: &mut AnyConnection,
    org: OrgId,
    unit: UnitId,
) -> Result<Vec<InvoiceRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{INVOICE_SELECT} WHERE i.organisation_id = $1 AND i.unit_id = $2 AND i.status IN ('approved', 'sent') AND i.paid < i.total \
         ORDER BY i.due_date, i.number"
    ))
    .bind(org)
    .bind(unit)
    .fetch_all(conn)
    .await
}

pub async fn invoice_lines(
    conn: &mut AnyConnection,
    org: OrgId,
    invoice: InvoiceId,
) -> Result<Vec<InvoiceLineRow>, sqlx::Error> {
    sqlx::query_as("SELECT description, vat_rate, net, vat FROM invoice_lines WHERE organisation_id = $1 AND invoice_id = $2 ORDER BY position")
        .bind(org)
        .bind(invoice)
        .fetch_all(conn)
        .await
}

pub async fn insert_invoice(
    conn: &mut AnyConnection,
    org: OrgId,
    row: &InvoiceRow,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO invoices (id, organisation_id, number, site_id, unit_id, contact_id, description, issue_date, due_date, status, net, vat, total, paid, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
    )
    .bind(row.id)
    .bind(org)
    .bind(&row.number)
    .bind(row.site_id)
    .bind(row.unit_id)
    .bind(row.contact_id)
    .bind(&row.description)
    .bind(&row.issue_date)
    .bind(&row.due_date)
    .bind(row.status)
    .bind(row.net)
    .bind(row.vat)
    .bind(row.total)
    .bind(row.paid)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn insert_invoice_line(
    conn: &mut AnyConnection,
    org: OrgId,
    invoice: InvoiceId,
    position: i64,
    line: &InvoiceLineRow,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO invoice_lines (id, organisation_id, invoice_id, position, description, vat_rate, net, vat) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(org)
        .bind(invoice)
        .bind(position)
        .bind(&line.description)
        .bind(line.vat_rate)
        .bind(line.net)
        .bind(line.vat)
        .execute(conn)
        .await?;
    Ok(())
}

/// Moves an invoice from `from` to `to`; false if it was no longer in `from` (someone else moved it).
pub async fn set_invoice_status(
    conn: &mut AnyConnection,
    org: OrgId,
    id: InvoiceId,
    from: InvoiceStatus,
    to: InvoiceStatus,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE invoices SET status = $4 WHERE organisation_id = $1 AND id = $2 AND status = $3",
    )
    .bind(org)
    .bind(id)
    .bind(from)
    .bind(to)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn add_to_paid(
    conn: &mut AnyConnection,
    org: OrgId,
    id: InvoiceId,
    amount: Money,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE invoices SET paid = paid + $3 WHERE organisation_id = $1 AND id = $2")
        .bind(org)
        .bind(id)
        .bind(amount)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn insert_payment(
    conn: &mut AnyConnection,
    org: OrgId,
    site: SiteId,
    row: &PaymentRow,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO payments (id, organisation_id, site_id, unit_id, contact_id, amount, unallocated, method, received_on, reference, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(row.id)
    .bind(org)
    .bind(site)
    .bind(row.unit_id)
    .bind(row.contact_id)
    .bind(row.amount)
    .bind(row.unallocated)
    .bind(row.method)
    .bind(&row.received_on)
    .bind(&row.reference)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn insert_allocation(
    conn: &mut AnyConnection,
    org: OrgId,
    payment: PaymentId,
    invoice: InvoiceId,
    amount: Money,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO allocations (id, organisation_id, payment_id, invoice_id, amount) VALUES ($1, $2, $3, $4, $5)")
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(org)
        .bind(payment)
        .bind(invoice)
        .bind(amount)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn payments_of_unit(
    conn: &mut AnyConnection,
    org: OrgId,
    unit: UnitId,
) -> Result<Vec<PaymentRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, unit_id, contact_id, amount, unallocated, method, received_on, reference FROM payments \
         WHERE organisation_id = $1 AND unit_id = $2 ORDER BY received_on, created_at",
    )
    .bind(org)
    .bind(unit)
    .fetch_all(conn)
    .await
}

pub async fn allocations_of_invoice(
    conn: &mut AnyConnection,
    org: OrgId,
    invoice: InvoiceId,
) -> Result<Vec<AllocationRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT a.payment_id, p.received_on, p.method, a.amount FROM allocations a \
         JOIN payments p ON p.id = a.payment_id AND p.organisation_id = a.organisation_id \
         WHERE a.organisation_id = $1 AND a.invoice_id = $2 ORDER BY p.received_on",
    )
    .bind(org)
    .bind(invoice)
    .fetch_all(conn)
    .await
}

/// Posted invoices of a unit, oldest first, for its statement.
pub async fn posted_invoices_of_unit(
    conn: &mut AnyConnection,
    org: OrgId,
    unit: UnitId,
) -> Result<Vec<InvoiceRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{INVOICE_SELECT} WHERE i.organisation_id = $1 AND i.unit_id = $2 AND i.status IN ('approved', 'sent', 'paid') ORDER BY i.issue_date, i.number"
    ))
    .bind(org)
    .bind(unit)
    .fetch_all(conn)
    .await
}

/// Per unit: what is owed now (posted invoices less payments), for the arrears view.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct BalanceRow {
    pub unit_id: UnitId,
    pub oldest_due: Option<String>,
    pub outstanding: i64,
}

pub async fn unit_balances(
    conn: &mut AnyConnection,
    org: OrgId,
) -> Result<Vec<BalanceRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT unit_id, MIN(due_date) AS oldest_due, CAST(SUM(total - paid) AS BIGINT) AS outstanding FROM invoices \
         WHERE organisation_id = $1 AND status IN ('approved', 'sent') AND paid < total GROUP BY unit_id",
    )
    .bind(org)
    .fetch_all(conn)
    .await
}
