//! The ledger: debtor invoices and their life cycle, payments allocated oldest-first, and the
//! statement of a unit.

mod credit;
mod demand;
mod statement;

pub use credit::{allocate_credit, credit_note, unit_credit};
pub use demand::{Demand, raise_demand};
pub use statement::{ArrearsList, Statement, StatementLine, arrears_list, statement};

use proplink_shared::audit::AuditAction;
use proplink_shared::money::Money;
use proplink_shared::records::{
    InvoiceCategory, InvoiceLine, PaymentMethod, RecordType, ValidationErrors, invoice_totals,
    reference,
};
use proplink_shared::states::InvoiceStatus;
use proplink_shared::{
    Action, Actor, ContactId, Domain, InvoiceId, PaymentId, Resource, Scope, UnitId,
};
use serde_json::json;
use time::Date;

use super::change::{Change, Event};
use super::mail::{self, Outgoing};
use super::{PAGE_SIZE, check};
use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::store::finance::{
    self as store, Allocation, CreditNote, Invoice, InvoiceFilter, InvoiceLineView, NewInvoice,
    NewPayment,
};
use crate::store::query::{Page, PageAt};
use crate::store::{people, places};

/// Where the record sits, as `authorize` judges it: the one answer the lists and the pages share.
pub fn resource(actor: &Actor, i: &Invoice) -> Resource {
    Resource::on_site(actor.org, Domain::Finance, i.site_id)
        .with_unit(i.unit_id)
        .with_contact(i.contact_id)
}

/// What an invoice charges: its category, description, lines and dates.
pub struct Charge<'a> {
    pub category: InvoiceCategory,
    pub description: &'a str,
    pub lines: &'a [InvoiceLine],
    pub issue_date: Date,
    pub due_date: Date,
}

impl Charge<'_> {
    /// Everything wrong with the charge, so a person fixes it all in one go.
    fn validate(&self) -> AppResult<(Money, Money, Money)> {
        let mut errors = ValidationErrors::default();
        if self.description.trim().is_empty() {
            errors.add("description", "Enter what the invoice is for");
        } else if self.description.trim().chars().count() > 200 {
            errors.add(
                "description",
                "The description must be 200 characters or fewer",
            );
        }
        if self.lines.is_empty() {
            errors.add("lines", "Add at least one line");
        }
        if self.due_date < self.issue_date {
            errors.add(
                "due_date",
                "The due date must be on or after the issue date",
            );
        }
        let totals = invoice_totals(self.lines);
        if totals.is_err() {
            errors.add("lines", "The invoice total is too large");
        }
        match (errors.into_result(()), totals) {
            (Ok(()), Ok(totals)) => Ok(totals),
            (Err(e), _) => Err(AppError::Invalid(e)),
            (_, Err(e)) => Err(AppError::invalid("lines", e.to_string())),
        }
    }
}

/// Raises a draft invoice to the unit's billable contact.
pub async fn raise_invoice(
    app: &App,
    actor: &Actor,
    unit: UnitId,
    charge: &Charge<'_>,
) -> AppResult<InvoiceId> {
    let totals = charge.validate()?;
    let mut change = Change::begin(app, actor).await?;
    let u = places::unit(&mut change, actor.org, unit)
        .await?
        .ok_or(AppError::NotFound)?;
    let id = raise_in(&mut change, actor, &u, charge, totals).await?;
    change.commit().await?;
    Ok(id)
}

/// Raises a draft invoice for `u` inside a change, checked and audited.
pub(crate) async fn raise_in(
    change: &mut Change<'_>,
    actor: &Actor,
    u: &places::Unit,
    charge: &Charge<'_>,
    totals: (Money, Money, Money),
) -> AppResult<InvoiceId> {
    let unit = u.id;
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
    let year = charge.issue_date.year();
    let number = reference(
        "INV",
        year,
        crate::store::next_number(change, actor.org, "INV", year).await?,
    );
    let id = InvoiceId::new();
    let now = change.now;
    let description = charge.description.trim();
    store::insert_invoice(
        change,
        actor.org,
        &NewInvoice {
            id,
            number: &number,
            site: u.site_id,
            unit,
            contact,
            category: charge.category,
            description,
            issue_date: charge.issue_date,
            due_date: charge.due_date,
            lines: charge.lines,
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
            json!({ "number": number, "unit": unit.to_string(), "category": charge.category.code(), "description": description, "net": net.pence(), "vat": vat.pence(), "total": total.pence(), "issue_date": crate::store::date_text(charge.issue_date), "due_date": crate::store::date_text(charge.due_date) }),
        ))
        .await?;
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
    move_in(&mut change, actor, &inv, to).await?;
    change.commit().await
}

/// Moves `inv` to `to` inside a change: checked, audited, and mailed when sent.
pub(crate) async fn move_in(
    change: &mut Change<'_>,
    actor: &Actor,
    inv: &Invoice,
    to: InvoiceStatus,
) -> AppResult<()> {
    let id = inv.id;
    let action = match to {
        InvoiceStatus::Approved => Action::Approve,
        InvoiceStatus::Voided => Action::Archive,
        _ => Action::Update,
    };
    check(actor, action, &resource(actor, inv))?;
    inv.status.transition(to)?;
    if to == InvoiceStatus::Voided && inv.paid.pence() > 0 {
        return Err(AppError::conflict(
            "paid",
            format!(
                "Invoice {} has had {} paid or credited against it, so it cannot be voided. Raise a credit note for what is not owed instead.",
                inv.number, inv.paid
            ),
        ));
    }
    if !store::set_invoice_status(change, actor.org, id, inv.status, to).await? {
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
        let contact = people::contact(change, actor.org, inv.contact_id)
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
                change,
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
        .await
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
    let mut change = Change::begin(app, actor).await?;
    let payment = record_payment_in(&mut change, actor, unit, receipt, None).await?;
    change.commit().await?;
    Ok(payment)
}

/// A payment of one invoice by a resident, with the id the caller chose for it.
pub(crate) struct Toward {
    pub payment: PaymentId,
    pub invoice: InvoiceId,
    /// Who paid: the payment is theirs whoever the unit is billed to now.
    pub payer: ContactId,
}

/// [`record_payment`] inside the caller's change. With `towards`, the money goes to that one
/// invoice (a resident paying it), and what it no longer needs stays on the unit as credit.
pub(crate) async fn record_payment_in(
    change: &mut Change<'_>,
    actor: &Actor,
    unit: UnitId,
    receipt: &Receipt<'_>,
    towards: Option<Toward>,
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
    let u = places::unit(change, actor.org, unit)
        .await?
        .ok_or(AppError::NotFound)?;
    let contact = match &towards {
        Some(t) => t.payer,
        None => u.billable_contact_id.ok_or_else(|| {
            AppError::conflict(
                "no_billable_contact",
                format!("{} has no billable contact", u.name),
            )
        })?,
    };
    let payer = Resource::on_site(actor.org, Domain::Finance, u.site_id)
        .with_unit(unit)
        .with_contact(contact);
    let action = if matches!(actor.principal, proplink_shared::Principal::Resident { .. }) {
        Action::Pay
    } else {
        Action::Create
    };
    check(actor, action, &payer)?;
    let payment = towards.as_ref().map_or_else(PaymentId::new, |t| t.payment);
    let mut left = amount;
    let mut allocated = Vec::new();
    let open = store::open_invoices(change, actor.org, unit).await?;
    for inv in open
        .into_iter()
        .filter(|i| towards.as_ref().is_none_or(|t| t.invoice == i.id))
    {
        if left.pence() == 0 {
            break;
        }
        let share = Money::from_pence(left.pence().min(inv.outstanding().pence()));
        left = Money::from_pence(left.pence() - share.pence());
        allocated.push((inv, share));
    }
    let now = change.now;
    store::insert_payment(
        change,
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
        store::insert_allocation(change, actor.org, payment, inv.id, *share).await?;
        let settled = count_towards(change, actor, inv, *share).await?;
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
    Ok(payment)
}

/// Counts `share` towards what `inv` has had, settling it (Paid) when nothing is left owed.
/// Refuses, and the whole change with it, if the invoice would have more than its total:
/// someone else paid or credited it meanwhile. Returns whether it is now settled.
pub(crate) async fn count_towards(
    change: &mut Change<'_>,
    actor: &Actor,
    inv: &Invoice,
    share: Money,
) -> AppResult<bool> {
    if !store::add_to_paid(change, actor.org, inv.id, share).await? {
        return Err(AppError::conflict(
            "over_allocated",
            format!(
                "Invoice {} has only {} left to pay; it was paid or credited meanwhile. Reload the page to see it.",
                inv.number,
                inv.outstanding()
            ),
        ));
    }
    Ok(store::settle_if_paid(change, actor.org, inv.id).await?)
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

/// The unit's posted invoices with money still owed, oldest first (to allocate credit to).
pub async fn open_invoices(app: &App, actor: &Actor, unit: UnitId) -> AppResult<Vec<Invoice>> {
    let (site, open) =
        super::remember_in(app, actor.org, format!("open invoices {unit}"), || async {
            let mut conn = app.db.read().await?;
            let Some(u) = places::unit(&mut conn, actor.org, unit).await? else {
                return Ok(None);
            };
            let open = store::open_invoices(&mut conn, actor.org, unit).await?;
            Ok(Some((u.site_id, open)))
        })
        .await?
        .ok_or(AppError::NotFound)?;
    // Staff by the unit's site; a resident by each invoice: what is billed to the accounts they
    // may read, never a previous holder's.
    if actor.is_staff() {
        check(
            actor,
            Action::Read,
            &Resource::on_site(actor.org, Domain::Finance, site).with_unit(unit),
        )?;
    }
    Ok(open
        .into_iter()
        .filter(|i| check(actor, Action::Read, &resource(actor, i)).is_ok())
        .collect())
}

#[derive(Clone)]
pub struct InvoiceView {
    pub invoice: Invoice,
    pub lines: Vec<InvoiceLineView>,
    pub allocations: Vec<Allocation>,
    pub credit_notes: Vec<CreditNote>,
}

pub async fn invoice(app: &App, actor: &Actor, id: InvoiceId) -> AppResult<InvoiceView> {
    let view = super::remember_in(app, actor.org, format!("invoice {id}"), || async {
        let mut conn = app.db.read().await?;
        let Some(invoice) = store::invoice(&mut conn, actor.org, id).await? else {
            return Ok(None);
        };
        let lines = store::invoice_lines(&mut conn, actor.org, id).await?;
        let allocations = store::allocations_of_invoice(&mut conn, actor.org, id).await?;
        let credit_notes = store::credit_notes_of_invoice(&mut conn, actor.org, id).await?;
        Ok(Some(InvoiceView {
            invoice,
            lines,
            allocations,
            credit_notes,
        }))
    })
    .await?
    .ok_or(AppError::NotFound)?;
    check(actor, Action::Read, &resource(actor, &view.invoice))?;
    // Residents see what was billed to them: never a draft, nor one waiting for approval.
    if !actor.is_staff() && !view.invoice.status.is_posted() {
        return Err(AppError::NotFound);
    }
    Ok(view)
}
