//! The ledger: debtor invoices and their life cycle, payments allocated oldest-first, and the
//! statement of a unit.

use proplink_shared::audit::AuditAction;
use proplink_shared::money::Money;
use proplink_shared::records::{InvoiceLine, PaymentMethod, RecordType, invoice_totals, reference};
use proplink_shared::states::InvoiceStatus;
use proplink_shared::{Action, Actor, Domain, InvoiceId, PaymentId, Resource, Scope, UnitId};
use serde_json::json;
use time::Date;

use super::change::{Change, Event};
use super::mail::{self, Outgoing};
use super::{PAGE_SIZE, check};
use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::store::finance::{
    self as store, Allocation, Invoice, InvoiceFilter, InvoiceLineView, NewInvoice, NewPayment,
};
use crate::store::query::{Page, PageAt};
use crate::store::{people, places};

/// Where the record sits, as `authorize` judges it: the one answer the lists and the pages share.
pub fn resource(actor: &Actor, i: &Invoice) -> Resource {
    Resource::on_site(actor.org, Domain::Finance, i.site_id)
        .with_unit(i.unit_id)
        .with_contact(i.contact_id)
}

/// Raises a draft invoice to the unit's billable contact.
pub async fn raise_invoice(
    app: &App,
    actor: &Actor,
    unit: UnitId,
    description: &str,
    lines: &[InvoiceLine],
    issue_date: Date,
    due_date: Date,
) -> AppResult<InvoiceId> {
    if lines.is_empty() {
        return Err(AppError::invalid("lines", "Add at least one line"));
    }
    if due_date < issue_date {
        return Err(AppError::invalid(
            "due_date",
            "The due date must be on or after the issue date",
        ));
    }
    let totals = invoice_totals(lines).map_err(|e| AppError::invalid("lines", e.to_string()))?;
    let mut change = Change::begin(app, actor).await?;
    let u = places::unit(&mut change, actor.org, unit)
        .await?
        .ok_or(AppError::NotFound)?;
    let contact = u.billable_contact_id.ok_or_else(|| {
        AppError::conflict(
            "no_billable_contact",
            format!("{} has no billable contact to invoice", u.name),
        )
    })?;
    check(
        actor,
        Action::Create,
        &Resource::on_site(actor.org, Domain::Finance, u.site_id)
            .with_unit(unit)
            .with_contact(contact),
    )?;
    let number = reference(
        "INV",
        issue_date.year(),
        crate::store::next_number(&mut change, actor.org, "INV", issue_date.year()).await?,
    );
    let id = InvoiceId::new();
    let now = change.now;
    store::insert_invoice(
        &mut change,
        actor.org,
        &NewInvoice {
            id,
            number: &number,
            site: u.site_id,
            unit,
            contact,
            description: description.trim(),
            issue_date,
            due_date,
            lines,
            totals,
        },
        now,
    )
    .await?;
    let (net, vat, total) = totals;
    change
        .record(Event::new(
            RecordType::Invoice,
            id,
            AuditAction::Create,
            format!("raised invoice {number} for {total} to {}", u.name),
            json!({ "number": number, "unit": unit.to_string(), "description": description.trim(), "net": net.pence(), "vat": vat.pence(), "total": total.pence(), "issue_date": crate::store::date_text(issue_date), "due_date": crate::store::date_text(due_date) }),
        ))
        .await?;
    change.commit().await?;
    Ok(id)
}

/// Moves an invoice along its life cycle: submit for approval, approve, send (emails the
/// contact), or void.
pub async fn move_invoice(
    app: &App,
    actor: &Actor,
    id: InvoiceId,
    to: InvoiceStatus,
) -> AppResult<()> {
    let mut change = Change::begin(app, actor).await?;
    let inv = store::invoice(&mut change, actor.org, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let action = match to {
        InvoiceStatus::Approved => Action::Approve,
        InvoiceStatus::Voided => Action::Archive,
        _ => Action::Update,
    };
    check(actor, action, &resource(actor, &inv))?;
    inv.status.transition(to)?;
    if !store::set_invoice_status(&mut change, actor.org, id, inv.status, to).await? {
        return Err(AppError::conflict(
            "stale",
            format!(
                "Invoice {} was changed by someone else. Reload the page to see it.",
                inv.number
            ),
        ));
    }
    let (audit_action, what) = match to {
        InvoiceStatus::PendingApproval => (
            AuditAction::StatusChange,
            format!("submitted invoice {} for approval", inv.number),
        ),
        InvoiceStatus::Approved => (
            AuditAction::Approve,
            format!("approved invoice {}", inv.number),
        ),
        InvoiceStatus::Sent => (
            AuditAction::Send,
            format!("sent invoice {} to {}", inv.number, inv.contact_name),
        ),
        InvoiceStatus::Voided => (
            AuditAction::Archive,
            format!("voided invoice {}", inv.number),
        ),
        other => (
            AuditAction::StatusChange,
            format!(
                "moved invoice {} to {}",
                inv.number,
                other.label().to_lowercase()
            ),
        ),
    };
    if to == InvoiceStatus::Sent {
        let contact = people::contact(&mut change, actor.org, inv.contact_id)
            .await?
            .ok_or(AppError::NotFound)?;
        if let Some(email) = contact.email.as_deref() {
            let body = format!(
                "Dear {},\n\nInvoice {} for {} is now due by {}: {}.\n\nYou can see your statement and pay online on ResidencePort.\n",
                contact.display_name(),
                inv.number,
                inv.unit_name,
                proplink_shared::london::format_date(inv.due_date),
                inv.total
            );
            mail::queue(
                &mut change,
                Some(actor.org),
                Outgoing {
                    to: email,
                    subject: &format!("Invoice {}", inv.number),
                    body: &body,
                    about: Some((RecordType::Invoice, id.to_string())),
                    secret: None,
                },
            )
            .await?;
        }
    }
    change
        .record(Event::new(
            RecordType::Invoice,
            id,
            audit_action,
            what,
            json!({ "from": inv.status.code(), "to": to.code() }),
        ))
        .await?;
    change.commit().await
}

/// Money received: how much, how, when, and the payer's reference.
pub struct Receipt<'a> {
    pub amount: Money,
    pub method: PaymentMethod,
    pub received_on: Date,
    pub reference: &'a str,
}

/// Records money received for a unit and allocates it to the oldest open invoices first;
/// anything left over stays on the unit as credit.
pub async fn record_payment(
    app: &App,
    actor: &Actor,
    unit: UnitId,
    receipt: &Receipt<'_>,
) -> AppResult<PaymentId> {
    let Receipt {
        amount,
        method,
        received_on,
        reference,
    } = *receipt;
    if amount.pence() <= 0 {
        return Err(AppError::invalid(
            "amount",
            "The amount must be more than £0.00",
        ));
    }
    let mut change = Change::begin(app, actor).await?;
    let u = places::unit(&mut change, actor.org, unit)
        .await?
        .ok_or(AppError::NotFound)?;
    let contact = u.billable_contact_id.ok_or_else(|| {
        AppError::conflict(
            "no_billable_contact",
            format!("{} has no billable contact", u.name),
        )
    })?;
    let payer = Resource::on_site(actor.org, Domain::Finance, u.site_id)
        .with_unit(unit)
        .with_contact(contact);
    let action = if matches!(actor.principal, proplink_shared::Principal::Resident { .. }) {
        Action::Pay
    } else {
        Action::Create
    };
    check(actor, action, &payer)?;
    let payment = PaymentId::new();
    let mut left = amount;
    let mut allocated = Vec::new();
    for inv in store::open_invoices(&mut change, actor.org, unit).await? {
        if left.pence() == 0 {
            break;
        }
        let share = Money::from_pence(left.pence().min(inv.outstanding().pence()));
        left = Money::from_pence(left.pence() - share.pence());
        allocated.push((inv, share));
    }
    let now = change.now;
    store::insert_payment(
        &mut change,
        actor.org,
        &NewPayment {
            id: payment,
            site: u.site_id,
            unit,
            contact,
            amount,
            unallocated: left,
            method,
            received_on,
            reference: reference.trim(),
        },
        now,
    )
    .await?;
    for (inv, share) in &allocated {
        store::insert_allocation(&mut change, actor.org, payment, inv.id, *share).await?;
        store::add_to_paid(&mut change, actor.org, inv.id, *share).await?;
        let settled = share.pence() == inv.outstanding().pence();
        if settled {
            inv.status.transition(InvoiceStatus::Paid)?;
            store::set_invoice_status(
                &mut change,
                actor.org,
                inv.id,
                inv.status,
                InvoiceStatus::Paid,
            )
            .await?;
        }
        change
            .record(Event::new(
                RecordType::Invoice,
                inv.id,
                AuditAction::Payment,
                format!("paid {share} towards {}{}", inv.number, if settled { ", settling it" } else { "" }),
                json!({ "payment": payment.to_string(), "amount": share.pence(), "method": method.code(), "received_on": crate::store::date_text(received_on) }),
            ))
            .await?;
    }
    change
        .record(Event::new(
            RecordType::Unit,
            unit,
            AuditAction::Payment,
            format!("paid {amount} by {} for {}", method.label(), u.name),
            json!({ "payment": payment.to_string(), "amount": amount.pence(), "method": method.code(), "unallocated": left.pence(), "reference": reference.trim() }),
        ))
        .await?;
    change.commit().await?;
    Ok(payment)
}

pub async fn invoices(
    app: &App,
    actor: &Actor,
    filter: &InvoiceFilter,
    at: &PageAt,
) -> AppResult<Page<Invoice>> {
    let scope = Scope::of(actor, Domain::Finance);
    super::remember(
        app,
        &scope,
        format!("invoices {filter:?} {at:?}"),
        || async {
            let mut conn = app.db.read().await?;
            Ok(store::invoices(&mut conn, &scope, filter, at, PAGE_SIZE).await?)
        },
    )
    .await
}

/// How many invoices are overdue and what is owed on them, for the arrears figure. Those who
/// may not read the accounts get `NotFound`.
pub async fn arrears(app: &App, actor: &Actor) -> AppResult<(i64, Money)> {
    check(
        actor,
        Action::Read,
        &Resource::org_wide(actor.org, Domain::Finance),
    )?;
    let filter = InvoiceFilter {
        overdue_on: Some(super::today(app)),
        ..InvoiceFilter::default()
    };
    let scope = Scope::of(actor, Domain::Finance);
    super::remember(app, &scope, format!("outstanding {filter:?}"), || async {
        let mut conn = app.db.read().await?;
        Ok(store::outstanding(&mut conn, &scope, &filter).await?)
    })
    .await
}

#[derive(Clone)]
pub struct InvoiceView {
    pub invoice: Invoice,
    pub lines: Vec<InvoiceLineView>,
    pub allocations: Vec<Allocation>,
}

pub async fn invoice(app: &App, actor: &Actor, id: InvoiceId) -> AppResult<InvoiceView> {
    let view = super::remember_in(app, actor.org, format!("invoice {id}"), || async {
        let mut conn = app.db.read().await?;
        let Some(invoice) = store::invoice(&mut conn, actor.org, id).await? else {
            return Ok(None);
        };
        let lines = store::invoice_lines(&mut conn, actor.org, id).await?;
        let allocations = store::allocations_of_invoice(&mut conn, actor.org, id).await?;
        Ok(Some(InvoiceView {
            invoice,
            lines,
            allocations,
        }))
    })
    .await?
    .ok_or(AppError::NotFound)?;
    check(actor, Action::Read, &resource(actor, &view.invoice))?;
    Ok(view)
}

/// One line of a statement.
#[derive(Clone)]
pub struct StatementLine {
    pub date: Date,
    pub description: String,
    pub reference: String,
    pub debit: Option<Money>,
    pub credit: Option<Money>,
    /// Positive: the unit owes this much.
    pub balance: Money,
}

#[derive(Clone)]
pub struct Statement {
    pub unit_name: String,
    pub lines: Vec<StatementLine>,
    pub balance: Money,
}

/// The unit's statement: posted invoices and payments in date order with a running balance.
pub async fn statement(app: &App, actor: &Actor, unit: UnitId) -> AppResult<Statement> {
    let (u, entries) = super::remember_in(app, actor.org, format!("statement {unit}"), || async {
        let mut conn = app.db.read().await?;
        let Some(u) = places::unit(&mut conn, actor.org, unit).await? else {
            return Ok(None);
        };
        let entries = store::statement_entries(&mut conn, actor.org, unit).await?;
        Ok(Some((u, entries)))
    })
    .await?
    .ok_or(AppError::NotFound)?;
    let mut res = Resource::on_site(actor.org, Domain::Finance, u.site_id).with_unit(unit);
    res.contact = u.billable_contact_id;
    check(actor, Action::Read, &res)?;
    let mut balance = Money::ZERO;
    let mut lines = Vec::new();
    for e in entries {
        balance = balance
            .checked_add(e.amount)
            .map_err(|err| AppError::Internal(anyhow::anyhow!(err)))?;
        let (debit, credit) = if e.amount.pence() >= 0 {
            (Some(e.amount), None)
        } else {
            (None, Some(Money::from_pence(-e.amount.pence())))
        };
        lines.push(StatementLine {
            date: e.date,
            description: e.description,
            reference: e.reference,
            debit,
            credit,
            balance,
        });
    }
    Ok(Statement {
        unit_name: u.name,
        lines,
        balance,
    })
}
