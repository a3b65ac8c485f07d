//! Invoices, payments and their allocations; statements and arrears.

use proplink_shared::records::{InvoiceCategory, InvoiceLine, PaymentMethod, VatRate};
use proplink_shared::states::InvoiceStatus;
use proplink_shared::{
    ContactId, CreditNoteId, InvoiceId, Money, OrgId, PaymentId, Scope, SiteId, UnitId,
};
use time::{Date, OffsetDateTime};

use super::query::{Key, Keyed, ListQuery, Order, Page, PageAt, ScopeColumns};
use super::{Conn, DbResult};
use crate::{params, read_model};

read_model! {
    pub struct Invoice {
        pub id: InvoiceId = "i.id",
        pub number: String = "i.number",
        pub site_id: SiteId = "i.site_id",
        pub unit_id: UnitId = "i.unit_id",
        pub unit_name: String = "u.name",
        pub contact_id: ContactId = "i.contact_id",
        pub contact_name: String = "c.first_name || ' ' || c.last_name",
        pub category: InvoiceCategory = "i.category",
        pub description: String = "i.description",
        pub issue_date: Date = "i.issue_date",
        pub due_date: Date = "i.due_date",
        pub status: InvoiceStatus = "i.status",
        pub net: Money = "i.net",
        pub vat: Money = "i.vat",
        pub total: Money = "i.total",
        pub paid: Money = "i.paid",
    }
}

impl Invoice {
    #[must_use]
    pub fn outstanding(&self) -> Money {
        Money::from_pence(self.total.pence() - self.paid.pence())
    }

    /// In arrears on `today`.
    #[must_use]
    pub fn is_overdue(&self, today: Date) -> bool {
        self.status.is_overdue(self.due_date, today)
    }
}

impl Keyed for Invoice {
    fn key(&self) -> Vec<Key> {
        vec![
            Key::Text(super::date_text(self.issue_date)),
            Key::Text(self.number.clone()),
        ]
    }
}

pub(super) const INVOICE_FROM: &str = "FROM invoices i \
    JOIN units u ON u.organisation_id = i.organisation_id AND u.id = i.unit_id \
    JOIN contacts c ON c.organisation_id = i.organisation_id AND c.id = i.contact_id";

pub const INVOICE_SCOPE: ScopeColumns = ScopeColumns {
    site: Some("i.site_id"),
    unit: Some("i.unit_id"),
    contact: Some("i.contact_id"),
    work_order: None,
    building: None,
    audience: None,
    followed_by: None,
};

/// The statuses that put an invoice on the ledger.
pub(super) const POSTED: &str = "('approved', 'sent', 'paid')";
/// Posted and still owed.
pub(super) const OPEN: &str = "('approved', 'sent')";

/// What an invoice list is narrowed to.
#[derive(Clone, Debug, Default)]
pub struct InvoiceFilter {
    pub site: Option<SiteId>,
    pub status: Option<InvoiceStatus>,
    /// Only those past their due date and not paid, as of this day.
    pub overdue_on: Option<Date>,
    /// Part of the number, the description, the unit or the contact.
    pub text: Option<String>,
}

fn invoice_query(scope: &Scope, filter: &InvoiceFilter) -> ListQuery {
    let mut q = ListQuery::new(
        INVOICE_FROM.into(),
        scope,
        "i.organisation_id",
        &INVOICE_SCOPE,
    );
    q.equals("i.site_id", filter.site)
        .equals("i.status", filter.status);
    if let Some(today) = filter.overdue_on {
        q.raw(&format!("i.status IN {OPEN}"))
            .raw("i.paid < i.total")
            .condition("i.due_date < ?", &today);
    }
    q.search(
        &[
            "i.number",
            "i.description",
            "u.name",
            "c.first_name || ' ' || c.last_name",
        ],
        filter.text.as_deref(),
    );
    q
}

pub async fn invoices(
    conn: &mut Conn,
    scope: &Scope,
    filter: &InvoiceFilter,
    at: &PageAt,
    size: i64,
) -> DbResult<Page<Invoice>> {
    invoice_query(scope, filter)
        .page(
            conn,
            Invoice::COLUMNS,
            &Order {
                columns: &["i.issue_date", "i.number"],
                descending: true,
            },
            at,
            size,
        )
        .await
}

/// Invoices and the money still owed on them, for the dashboard and the list's totals.
pub async fn outstanding(
    conn: &mut Conn,
    scope: &Scope,
    filter: &InvoiceFilter,
) -> DbResult<(i64, Money)> {
    invoice_query(scope, filter)
        .one(
            conn,
            &format!(
                "COUNT(*), CAST(COALESCE(SUM(CASE WHEN i.status IN {OPEN} THEN i.total - i.paid ELSE 0 END), 0) AS BIGINT)"
            ),
        )
        .await
}

pub async fn invoice(conn: &mut Conn, org: OrgId, id: InvoiceId) -> DbResult<Option<Invoice>> {
    conn.query_opt(
        &format!(
            "SELECT {} {INVOICE_FROM} WHERE i.organisation_id = $1 AND i.id = $2",
            Invoice::COLUMNS
        ),
        params![org, id],
    )
    .await
}

/// Posted invoices of a unit that still have something to pay, oldest first.
pub async fn open_invoices(conn: &mut Conn, org: OrgId, unit: UnitId) -> DbResult<Vec<Invoice>> {
    conn.query(
        &format!(
            "SELECT {} {INVOICE_FROM} WHERE i.organisation_id = $1 AND i.unit_id = $2 AND i.status IN {OPEN} AND i.paid < i.total \
             ORDER BY i.due_date, i.number",
            Invoice::COLUMNS
        ),
        params![org, unit],
    )
    .await
}

read_model! {
    pub struct InvoiceLineView {
        pub description: String = "description",
        pub vat_rate: VatRate = "vat_rate",
        pub net: Money = "net",
        pub vat: Money = "vat",
    }
}

pub async fn invoice_lines(
    conn: &mut Conn,
    org: OrgId,
    invoice: InvoiceId,
) -> DbResult<Vec<InvoiceLineView>> {
    conn.query(
        &format!(
            "SELECT {} FROM invoice_lines WHERE organisation_id = $1 AND invoice_id = $2 ORDER BY position",
            InvoiceLineView::COLUMNS
        ),
        params![org, invoice],
    )
    .await
}

/// A new invoice, with its totals worked out from its lines.
pub struct NewInvoice<'a> {
    pub id: InvoiceId,
    pub number: &'a str,
    pub site: SiteId,
    pub unit: UnitId,
    pub contact: ContactId,
    pub category: InvoiceCategory,
    pub description: &'a str,
    pub issue_date: Date,
    pub due_date: Date,
    pub lines: &'a [InvoiceLine],
    pub totals: (Money, Money, Money),
}

pub async fn insert_invoice(
    conn: &mut Conn,
    org: OrgId,
    i: &NewInvoice<'_>,
    now: OffsetDateTime,
) -> DbResult<()> {
    let (net, vat, total) = i.totals;
    conn.execute(
        "INSERT INTO invoices (organisation_id, id, number, site_id, unit_id, contact_id, description, issue_date, due_date, status, net, vat, total, paid, created_at, category) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 0, $14, $15)",
        params![
            org,
            i.id,
            i.number,
            i.site,
            i.unit,
            i.contact,
            i.description,
            i.issue_date,
            i.due_date,
            InvoiceStatus::Draft,
            net,
            vat,
            total,
            now,
            i.category
        ],
    )
    .await?;
    for (position, line) in i.lines.iter().enumerate() {
        conn.execute(
            "INSERT INTO invoice_lines (organisation_id, id, invoice_id, position, description, vat_rate, net, vat) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            params![org, uuid::Uuid::now_v7(), i.id, position, line.description, line.vat_rate, line.net, line.vat],
        )
        .await?;
    }
    Ok(())
}

/// Moves an invoice from `from` to `to`; false if it was no longer in `from`.
pub async fn set_invoice_status(
    conn: &mut Conn,
    org: OrgId,
    id: InvoiceId,
    from: InvoiceStatus,
    to: InvoiceStatus,
) -> DbResult<bool> {
    let changed = conn
        .execute(
            "UPDATE invoices SET status = $4 WHERE organisation_id = $1 AND id = $2 AND status = $3",
            params![org, id, from, to],
        )
        .await?;
    Ok(changed == 1)
}

/// Counts `amount` towards what the invoice has had; false (and nothing changed) if that
/// would take it past its total, so no race can over-allocate an invoice.
pub async fn add_to_paid(
    conn: &mut Conn,
    org: OrgId,
    id: InvoiceId,
    amount: Money,
) -> DbResult<bool> {
    let changed = conn
        .execute(
            "UPDATE invoices SET paid = paid + $3 WHERE organisation_id = $1 AND id = $2 AND paid + $3 <= total",
            params![org, id, amount],
        )
        .await?;
    Ok(changed == 1)
}

/// Marks a posted invoice Paid once what it has had reaches its total; whether it did.
pub async fn settle_if_paid(conn: &mut Conn, org: OrgId, id: InvoiceId) -> DbResult<bool> {
    let changed = conn
        .execute(
            &format!(
                "UPDATE invoices SET status = 'paid' WHERE organisation_id = $1 AND id = $2 AND status IN {OPEN} AND paid >= total"
            ),
            params![org, id],
        )
        .await?;
    Ok(changed == 1)
}

/// Payments of a unit with money not yet set against an invoice, oldest first.
pub async fn unallocated_payments(
    conn: &mut Conn,
    org: OrgId,
    unit: UnitId,
) -> DbResult<Vec<(PaymentId, Money)>> {
    conn.query(
        "SELECT id, unallocated FROM payments WHERE organisation_id = $1 AND unit_id = $2 AND unallocated > 0 \
         ORDER BY received_on, id",
        params![org, unit],
    )
    .await
}

/// Takes `amount` from a payment's unallocated money; false (and nothing changed) if it has
/// less than that left.
pub async fn take_unallocated(
    conn: &mut Conn,
    org: OrgId,
    payment: PaymentId,
    amount: Money,
) -> DbResult<bool> {
    let changed = conn
        .execute(
            "UPDATE payments SET unallocated = unallocated - $3 WHERE organisation_id = $1 AND id = $2 AND unallocated >= $3",
            params![org, payment, amount],
        )
        .await?;
    Ok(changed == 1)
}

/// A credit note against one invoice.
pub struct NewCreditNote<'a> {
    pub id: CreditNoteId,
    pub number: &'a str,
    pub invoice: &'a Invoice,
    pub reason: &'a str,
    pub amount: Money,
    pub issue_date: Date,
}

pub async fn insert_credit_note(
    conn: &mut Conn,
    org: OrgId,
    c: &NewCreditNote<'_>,
    now: OffsetDateTime,
) -> DbResult<()> {
    conn.execute(
        "INSERT INTO credit_notes (organisation_id, id, number, site_id, unit_id, contact_id, invoice_id, reason, amount, issue_date, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        params![
            org,
            c.id,
            c.number,
            c.invoice.site_id,
            c.invoice.unit_id,
            c.invoice.contact_id,
            c.invoice.id,
            c.reason,
            c.amount,
            c.issue_date,
            now
        ],
    )
    .await?;
    Ok(())
}

read_model! {
    /// A credit note as an invoice's page lists it.
    pub struct CreditNote {
        pub id: CreditNoteId = "id",
        pub number: String = "number",
        pub reason: String = "reason",
        pub amount: Money = "amount",
        pub issue_date: Date = "issue_date",
    }
}

pub async fn credit_notes_of_invoice(
    conn: &mut Conn,
    org: OrgId,
    invoice: InvoiceId,
) -> DbResult<Vec<CreditNote>> {
    conn.query(
        &format!(
            "SELECT {} FROM credit_notes WHERE organisation_id = $1 AND invoice_id = $2 ORDER BY issue_date, number",
            CreditNote::COLUMNS
        ),
        params![org, invoice],
    )
    .await
}

/// Money received for a unit.
pub struct NewPayment<'a> {
    pub id: PaymentId,
    pub site: SiteId,
    pub unit: UnitId,
    pub contact: ContactId,
    pub amount: Money,
    pub unallocated: Money,
    pub method: PaymentMethod,
    pub received_on: Date,
    pub reference: &'a str,
}

pub async fn insert_payment(
    conn: &mut Conn,
    org: OrgId,
    p: &NewPayment<'_>,
    now: OffsetDateTime,
) -> DbResult<()> {
    conn.execute(
        "INSERT INTO payments (organisation_id, id, site_id, unit_id, contact_id, amount, unallocated, method, received_on, reference, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        params![
            org,
            p.id,
            p.site,
            p.unit,
            p.contact,
            p.amount,
            p.unallocated,
            p.method,
            p.received_on,
            p.reference,
            now
        ],
    )
    .await?;
    Ok(())
}

pub async fn insert_allocation(
    conn: &mut Conn,
    org: OrgId,
    payment: PaymentId,
    invoice: InvoiceId,
    amount: Money,
) -> DbResult<()> {
    conn.execute(
        "INSERT INTO allocations (organisation_id, id, payment_id, invoice_id, amount) VALUES ($1, $2, $3, $4, $5)",
        params![org, uuid::Uuid::now_v7(), payment, invoice, amount],
    )
    .await?;
    Ok(())
}

read_model! {
    /// Part of a payment set against an invoice.
    pub struct Allocation {
        pub payment_id: PaymentId = "a.payment_id",
        pub received_on: Date = "p.received_on",
        pub method: PaymentMethod = "p.method",
        pub amount: Money = "a.amount",
    }
}

pub async fn allocations_of_invoice(
    conn: &mut Conn,
    org: OrgId,
    invoice: InvoiceId,
) -> DbResult<Vec<Allocation>> {
    conn.query(
        &format!(
            "SELECT {} FROM allocations a JOIN payments p ON p.organisation_id = a.organisation_id AND p.id = a.payment_id \
             WHERE a.organisation_id = $1 AND a.invoice_id = $2 ORDER BY p.received_on, p.id",
            Allocation::COLUMNS
        ),
        params![org, invoice],
    )
    .await
}

read_model! {
    /// A charge or a payment on a unit's statement.
    pub struct StatementEntry {
        pub date: Date = "date",
        pub description: String = "description",
        pub reference: String = "reference",
        /// Positive for a charge, negative for money received.
        pub amount: Money = "amount",
    }
}

/// Everyone's entries, or one holder's.
const HOLDER: &str = "(CAST($3 AS TEXT) IS NULL OR contact_id = $3)";

/// Posted invoices and payments of a unit, oldest first; on the same day charges come before
/// payments, so the running balance reads naturally. With `holder`, only that contact's: their
/// account on the unit, without a previous holder's.
pub async fn statement_entries(
    conn: &mut Conn,
    org: OrgId,
    unit: UnitId,
    holder: Option<ContactId>,
) -> DbResult<Vec<StatementEntry>> {
    let payment_label = PaymentMethod::ALL
        .iter()
        .map(|m| {
            format!(
                "WHEN '{}' THEN 'Payment received ({})'",
                m.code(),
                m.label()
            )
        })
        .collect::<Vec<_>>()
        .join(" ");
    conn.query(
        &format!(
            "SELECT date, description, reference, amount FROM ( \
               SELECT issue_date AS date, description, number AS reference, total AS amount, 0 AS kind, number AS tie \
               FROM invoices WHERE organisation_id = $1 AND unit_id = $2 AND status IN {POSTED} AND {HOLDER} \
               UNION ALL \
               SELECT received_on, CASE method {payment_label} ELSE 'Payment received' END, reference, -amount, 1, id \
               FROM payments WHERE organisation_id = $1 AND unit_id = $2 AND {HOLDER} \
               UNION ALL \
               SELECT issue_date, 'Credit note: ' || reason, number, -amount, 2, number \
               FROM credit_notes WHERE organisation_id = $1 AND unit_id = $2 AND {HOLDER} \
             ) entries ORDER BY date, kind, tie"
        ),
        params![org, unit, holder],
    )
    .await
}

/// Per unit: what is owed now and since when, for arrears.
#[derive(Clone, Debug, PartialEq)]
pub struct Balance {
    pub unit_id: UnitId,
    pub oldest_due: Date,
    pub outstanding: Money,
}

pub async fn unit_balances(conn: &mut Conn, org: OrgId) -> DbResult<Vec<Balance>> {
    let rows: Vec<(UnitId, Date, Money)> = conn
        .query(
            &format!(
                "SELECT unit_id, MIN(due_date), CAST(SUM(total - paid) AS BIGINT) FROM invoices \
                 WHERE organisation_id = $1 AND status IN {OPEN} AND paid < total GROUP BY unit_id"
            ),
            params![org],
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(|(unit_id, oldest_due, outstanding)| Balance {
            unit_id,
            oldest_due,
            outstanding,
        })
        .collect())
}
