//! The ledger: debtor invoices and their life cycle, payments allocated oldest-first, and the
//! statement of a unit.

use proplink_shared::audit::AuditAction;
use proplink_shared::money::Money;
use proplink_shared::records::{InvoiceLine, PaymentMethod, invoice_totals, reference};
use proplink_shared::states::InvoiceStatus;
use proplink_shared::{Action, Actor, Domain, InvoiceId, PaymentId, Resource, UnitId};
use serde_json::json;

use super::audit::{self, Event, Who};
use super::{check, date_text, readable};
use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::store::finance::{self as store, AllocationRow, InvoiceLineRow, InvoiceRow, PaymentRow};
use crate::store::{people, places};

pub(crate) fn resource(actor: &Actor, i: &InvoiceRow) -> Resource {
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
    issue_date: time::Date,
    due_date: time::Date,
) -> AppResult<InvoiceId> {
    if lines.is_empty() {
        return Err(AppError::Invalid(
            proplink_shared::records::ValidationErrors::single("lines", "Add at least one line"),
        ));
    }
    if due_date < issue_date {
        return Err(AppError::Invalid(
            proplink_shared::records::ValidationErrors::single(
                "due_date",
                "The due date must be on or after the issue date",
            ),
        ));
    }
    let (net, vat, total) =
        invoice_totals(lines).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let now = app.clock.now();
    let mut tx = app.db.write().await?;
    let u = places::unit(&mut tx, actor.org, unit)
        .await?
        .ok_or(AppError::NotFound)?;
    let contact = people::billable_contact(&mut tx, actor.org, unit)
        .await?
        .ok_or_else(|| {
            AppError::Conflict(format!("{} has no billable contact to invoice", u.name))
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
        crate::store::next_number(&mut tx, actor.org, "INV", issue_date.year()).await?,
    );
    let row = InvoiceRow {
        id: InvoiceId::new(),
        number,
        site_id: u.site_id,
        unit_id: unit,
        unit_name: u.name.clone(),
        contact_id: contact,
        contact_name: String::new(),
        description: description.trim().to_owned(),
        issue_date: date_text(issue_date),
        due_date: date_text(due_date),
        status: InvoiceStatus::Draft,
        net,
        vat,
        total,
        paid: Money::ZERO,
    };
    store::insert_invoice(&mut tx, actor.org, &row, crate::clock::to_micros(now)).await?;
    for (position, line) in lines.iter().enumerate() {
        let line_row = InvoiceLineRow {
            description: line.description.clone(),
            vat_rate: line.vat_rate,
            net: line.net,
            vat: line.vat,
        };
        store::insert_invoice_line(
            &mut tx,
            actor.org,
            row.id,
            i64::try_from(position).unwrap_or(i64::MAX),
            &line_row,
        )
        .await?;
    }
    let event = Event {
        record_type: "invoice",
        record_id: row.id.to_string(),
        action: AuditAction::Create,
        what: format!("raised invoice {} for {} to {}", row.number, total, u.name),
        detail: json!({ "number": row.number, "unit": unit.to_string(), "description": row.description, "net": net.pence(), "vat": vat.pence(), "total": total.pence(), "issue_date": row.issue_date, "due_date": row.due_date }),
    };
    audit::record(&mut tx, actor.org, &Who::of(actor), event, now).await?;
    tx.commit().await?;
    Ok(row.id)
}

/// Moves an invoice along its life cycle: submit for approval, approve, send (emails the
/// contact), or void.
pub async fn move_invoice(
    app: &App,
    actor: &Actor,
    id: InvoiceId,
    to: InvoiceStatus,
) -> AppResult<()> {
    let now = app.clock.now();
    let mut tx = app.db.write().await?;
    let inv = store::invoice(&mut tx, actor.org, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let action = match to {
        InvoiceStatus::Approved => Action::Approve,
        InvoiceStatus::Voided => Action::Archive,
        _ => Action::Update,
    };
    check(actor, action, &resource(actor, &inv))?;
    inv.status.transition(to)?;
    if !store::set_invoice_status(&mut tx, actor.org, id, inv.status, to).await? {
        return Err(AppError::Conflict(format!(
            "Invoice {} was changed by someone else. Reload the page to see it.",
            inv.number
        )));
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
        let contact = people::contact(&mut tx, actor.org, inv.contact_id)
            .await?
            .ok_or(AppError::NotFound)?;
        if let Some(email) = contact.email.as_deref() {
            let body = format!(
                "Dear {},\n\nInvoice {} for {} is now due by {}: {}.\n\nYou can see your statement and pay online on ResidencePort.\n",
                contact.display_name(),
                inv.number,
                inv.unit_name,
                inv.due_date,
                inv.total
            );
            super::mail::queue(
                &mut tx,
                app,
                Some(actor.org),
                email,
                &format!("Invoice {}", inv.number),
                &body,
                Some(("invoice", id.to_string())),
            )
            .await?;
        }
    }
    let event = Event {
        record_type: "invoice",
        record_id: id.to_string(),
        action: audit_action,
        what,
        detail: json!({ "from": inv.status.code(), "to": to.code() }),
    };
    audit::record(&mut tx, actor.org, &Who::of(actor), event, now).await?;
    tx.commit().await?;
    app.mail_wakeup.notify_one();
    Ok(())
}

/// Records money received for a unit and allocates it to the oldest open invoices first;
/// anything left over stays on the unit as credit.
pub async fn record_payment(
    app: &App,
    actor: &Actor,
    unit: UnitId,
    amount: Money,
    method: PaymentMethod,
    received_on: time::Date,
    reference_text: &str,
) -> AppResult<PaymentId> {
    if amount.pence() <= 0 {
        return Err(AppError::Invalid(
            proplink_shared::records::ValidationErrors::single(
                "amount",
                "The amount must be more than £0.00",
            ),
        ));
    }
    let now = app.clock.now();
    let mut tx = app.db.write().await?;
    let u = places::unit(&mut tx, actor.org, unit)
        .await?
        .ok_or(AppError::NotFound)?;
    let contact = people::billable_contact(&mut tx, actor.org, unit)
        .await?
        .ok_or_else(|| AppError::Conflict(format!("{} has no billable contact", u.name)))?;
    let site_resource = Resource::on_site(actor.org, Domain::Finance, u.site_id)
        .with_unit(unit)
        .with_contact(contact);
    check(
        actor,
        if matches!(actor.principal, proplink_shared::Principal::Resident { .. }) {
            Action::Pay
        } else {
            Action::Create
        },
        &site_resource,
    )?;
    let payment = PaymentId::new();
    let mut left = amount;
    let mut allocated = Vec::new();
    for inv in store::open_invoices(&mut tx, actor.org, unit).await? {
        if left.pence() == 0 {
            break;
        }
        let share = Money::from_pence(left.pence().min(inv.outstanding().pence()));
        allocated.push((inv, share));
        left = Money::from_pence(left.pence() - share.pence());
    }
    let row = PaymentRow {
        id: payment,
        unit_id: unit,
        contact_id: contact,
        amount,
        unallocated: left,
        method,
        received_on: date_text(received_on),
        reference: reference_text.trim().to_owned(),
    };
    store::insert_payment(
        &mut tx,
        actor.org,
        u.site_id,
        &row,
        crate::clock::to_micros(now),
    )
    .await?;
    let who = Who::of(actor);
    for (inv, share) in &allocated {
        store::insert_allocation(&mut tx, actor.org, payment, inv.id, *share).await?;
        store::add_to_paid(&mut tx, actor.org, inv.id, *share).await?;
        let fully_paid = share.pence() == inv.outstanding().pence();
        if fully_paid {
            inv.status.transition(InvoiceStatus::Paid)?;
            store::set_invoice_status(&mut tx, actor.org, inv.id, inv.status, InvoiceStatus::Paid)
                .await?;
        }
        let event = Event {
            record_type: "invoice",
            record_id: inv.id.to_string(),
            action: AuditAction::Payment,
            what: format!(
                "paid {share} towards {}{}",
                inv.number,
                if fully_paid { ", settling it" } else { "" }
            ),
            detail: json!({ "payment": payment.to_string(), "amount": share.pence(), "method": method.code(), "received_on": row.received_on }),
        };
        audit::record(&mut tx, actor.org, &who, event, now).await?;
    }
    let event = Event {
        record_type: "unit",
        record_id: unit.to_string(),
        action: AuditAction::Payment,
        what: format!("paid {amount} by {} for {}", method.label(), u.name),
        detail: json!({ "payment": payment.to_string(), "amount": amount.pence(), "method": method.code(), "unallocated": left.pence(), "reference": row.reference }),
    };
    audit::record(&mut tx, actor.org, &who, event, now).await?;
    tx.commit().await?;
    Ok(payment)
}

pub async fn invoices(app: &App, actor: &Actor, limit: i64) -> AppResult<Vec<InvoiceRow>> {
    let mut conn = app.db.read().await?;
    let rows = store::invoices(&mut conn, actor.org, None, limit).await?;
    Ok(readable(actor, rows, |i| resource(actor, i)))
}

/// What the actor's readable invoices have overdue in all: the arrears figure.
pub async fn overdue_total(app: &App, actor: &Actor) -> AppResult<Money> {
    check(
        actor,
        Action::Read,
        &Resource::org_wide(actor.org, Domain::Finance),
    )?;
    let today = super::today(app);
    Ok(invoices(app, actor, i64::MAX)
        .await?
        .iter()
        .filter(|i| i.is_overdue(today))
        .map(InvoiceRow::outstanding)
        .sum())
}

pub struct InvoiceView {
    pub invoice: InvoiceRow,
    pub lines: Vec<InvoiceLineRow>,
    pub allocations: Vec<AllocationRow>,
}

pub async fn invoice(app: &App, actor: &Actor, id: InvoiceId) -> AppResult<InvoiceView> {
    let mut conn = app.db.read().await?;
    let invoice = store::invoice(&mut conn, actor.org, id)
        .await?
        .ok_or(AppError::NotFound)?;
    check(actor, Action::Read, &resource(actor, &invoice))?;
    let lines = store::invoice_lines(&mut conn, actor.org, id).await?;
    let allocations = store::allocations_of_invoice(&mut conn, actor.org, id).await?;
    Ok(InvoiceView {
        invoice,
        lines,
        allocations,
    })
}

/// One line of a statement.
pub struct StatementLine {
    pub date: String,
    pub description: String,
    pub reference: String,
    pub debit: Option<Money>,
    pub credit: Option<Money>,
    /// Positive: the unit owes this much.
    pub balance: Money,
}

pub struct Statement {
    pub unit_name: String,
    pub lines: Vec<StatementLine>,
    pub balance: Money,
}

/// The unit's statement: posted invoices and payments in date order with a running balance.
pub async fn statement(app: &App, actor: &Actor, unit: UnitId) -> AppResult<Statement> {
    let mut conn = app.db.read().await?;
    let u = places::unit(&mut conn, actor.org, unit)
        .await?
        .ok_or(AppError::NotFound)?;
    let billable = people::billable_contact(&mut conn, actor.org, unit).await?;
    let mut res = Resource::on_site(actor.org, Domain::Finance, u.site_id).with_unit(unit);
    res.contact = billable;
    check(actor, Action::Read, &res)?;
    // (date, description, reference, debit, credit)
    type Entry = (String, String, String, Option<Money>, Option<Money>);
    let mut entries: Vec<Entry> = Vec::new();
    for inv in store::posted_invoices_of_unit(&mut conn, actor.org, unit).await? {
        entries.push((
            inv.issue_date.clone(),
            inv.description.clone(),
            inv.number.clone(),
            Some(inv.total),
            None,
        ));
    }
    for p in store::payments_of_unit(&mut conn, actor.org, unit).await? {
        let description = format!("Payment received ({})", p.method.label());
        entries.push((
            p.received_on.clone(),
            description,
            p.reference.clone(),
            None,
            Some(p.amount),
        ));
    }
    // Same day: charges before payments, so the running balance reads naturally.
    entries.sort_by(|a, b| a.0.cmp(&b.0).then(a.4.is_some().cmp(&b.4.is_some())));
    let mut balance = Money::ZERO;
    let mut lines = Vec::with_capacity(entries.len());
    for (date, description, reference, debit, credit) in entries {
        balance = balance
            .checked_add(debit.unwrap_or_default())
            .and_then(|b| b.checked_sub(credit.unwrap_or_default()))
            .map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?;
        lines.push(StatementLine {
            date,
            description,
            reference,
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
