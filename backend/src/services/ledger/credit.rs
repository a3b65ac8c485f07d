//! Credit on a unit: money received but not yet set against an invoice, allocated by hand;
//! and credit notes, which take money off an invoice that is not owed.

use proplink_shared::audit::AuditAction;
use proplink_shared::money::Money;
use proplink_shared::records::{RecordType, reference};
use proplink_shared::{Action, Actor, CreditNoteId, Domain, InvoiceId, Resource, UnitId};
use serde_json::json;
use time::Date;

use super::{count_towards, resource};
use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::services::change::{Change, Event};
use crate::services::check;
use crate::store::finance::{self as store, NewCreditNote};
use crate::store::places;

/// The unit's money received and not yet set against an invoice.
pub async fn unit_credit(app: &App, actor: &Actor, unit: UnitId) -> AppResult<Money> {
    let (site, payments) =
        crate::services::remember_in(app, actor.org, format!("credit {unit}"), || async {
            let mut conn = app.db.read().await?;
            let Some(u) = places::unit(&mut conn, actor.org, unit).await? else {
                return Ok(None);
            };
            let payments = store::unallocated_payments(&mut conn, actor.org, unit).await?;
            Ok(Some((u.site_id, payments)))
        })
        .await?
        .ok_or(AppError::NotFound)?;
    check(
        actor,
        Action::Read,
        &Resource::on_site(actor.org, Domain::Finance, site).with_unit(unit),
    )?;
    Ok(Money::from_pence(
        payments.iter().map(|(_, m)| m.pence()).sum(),
    ))
}

/// Sets `amount` of the unit's credit against one of its invoices. Refused when the unit has
/// less credit than that, or the invoice has less left to pay: an invoice is never paid twice
/// over, and money is never allocated twice.
pub async fn allocate_credit(
    app: &App,
    actor: &Actor,
    invoice: InvoiceId,
    amount: Money,
) -> AppResult<()> {
    if amount.pence() <= 0 {
        return Err(AppError::invalid(
            "amount",
            "The amount must be more than £0.00",
        ));
    }
    let mut change = Change::begin(app, actor).await?;
    let inv = store::invoice(&mut change, actor.org, invoice)
        .await?
        .ok_or(AppError::NotFound)?;
    check(actor, Action::Update, &resource(actor, &inv))?;
    if !inv.status.is_posted() || inv.status.is_terminal() {
        return Err(AppError::invalid(
            "invoice",
            format!(
                "Invoice {} is {}: only an approved or sent invoice with money owed takes credit",
                inv.number,
                inv.status.label().to_lowercase()
            ),
        ));
    }
    if amount > inv.outstanding() {
        return Err(AppError::invalid(
            "amount",
            format!(
                "Invoice {} has {} left to pay: allocate no more than that",
                inv.number,
                inv.outstanding()
            ),
        ));
    }
    let credit = store::unallocated_payments(&mut change, actor.org, inv.unit_id).await?;
    let available: i64 = credit.iter().map(|(_, m)| m.pence()).sum();
    if amount.pence() > available {
        return Err(AppError::invalid(
            "amount",
            format!(
                "{} has {} of credit: allocate no more than that",
                inv.unit_name,
                Money::from_pence(available)
            ),
        ));
    }
    let mut left = amount.pence();
    for (payment, unallocated) in credit {
        if left == 0 {
            break;
        }
        let part = Money::from_pence(left.min(unallocated.pence()));
        if !store::take_unallocated(&mut change, actor.org, payment, part).await? {
            return Err(AppError::conflict(
                "stale",
                "The unit's credit was used meanwhile. Reload the page to see it.",
            ));
        }
        store::insert_allocation(&mut change, actor.org, payment, inv.id, part).await?;
        left -= part.pence();
    }
    let settled = count_towards(&mut change, actor, &inv, amount).await?;
    change
        .record(Event::new(
            RecordType::Invoice,
            inv.id,
            AuditAction::Payment,
            format!(
                "allocated {amount} of credit on {} to {}{}",
                inv.unit_name,
                inv.number,
                if settled { ", settling it" } else { "" }
            ),
            json!({ "amount": amount.pence(), "from": "credit" }),
        ))
        .await?;
    change.commit().await
}

/// Raises a credit note against a posted invoice for money not owed: it appears on the
/// statement as a credit and counts towards the invoice, which is settled when nothing is left.
pub async fn credit_note(
    app: &App,
    actor: &Actor,
    invoice: InvoiceId,
    amount: Money,
    reason: &str,
    issue_date: Date,
) -> AppResult<CreditNoteId> {
    let reason = reason.trim();
    let mut errors = proplink_shared::records::ValidationErrors::default();
    if reason.is_empty() {
        errors.add("reason", "Say why the money is not owed");
    } else if reason.chars().count() > 200 {
        errors.add("reason", "The reason must be 200 characters or fewer");
    }
    if amount.pence() <= 0 {
        errors.add("amount", "The amount must be more than £0.00");
    }
    errors.into_result(()).map_err(AppError::Invalid)?;
    let mut change = Change::begin(app, actor).await?;
    let inv = store::invoice(&mut change, actor.org, invoice)
        .await?
        .ok_or(AppError::NotFound)?;
    check(actor, Action::Create, &resource(actor, &inv))?;
    if !inv.status.is_posted() || inv.status.is_terminal() {
        return Err(AppError::conflict(
            "not_open",
            format!(
                "Invoice {} is {}: a credit note takes money off an approved or sent invoice with money owed",
                inv.number,
                inv.status.label().to_lowercase()
            ),
        ));
    }
    if amount > inv.outstanding() {
        return Err(AppError::invalid(
            "amount",
            format!(
                "Invoice {} has {} left to pay: credit no more than that",
                inv.number,
                inv.outstanding()
            ),
        ));
    }
    let year = issue_date.year();
    let number = reference(
        "CN",
        year,
        crate::store::next_number(&mut change, actor.org, "CN", year).await?,
    );
    let id = CreditNoteId::new();
    let now = change.now;
    store::insert_credit_note(
        &mut change,
        actor.org,
        &NewCreditNote {
            id,
            number: &number,
            invoice: &inv,
            reason,
            amount,
            issue_date,
        },
        now,
    )
    .await?;
    let settled = count_towards(&mut change, actor, &inv, amount).await?;
    change
        .record(Event::new(
            RecordType::Invoice,
            inv.id,
            AuditAction::Create,
            format!(
                "credited {amount} off {} with credit note {number}{}",
                inv.number,
                if settled { ", settling it" } else { "" }
            ),
            json!({ "credit_note": id.to_string(), "number": number, "amount": amount.pence(), "reason": reason, "issue_date": crate::store::date_text(issue_date) }),
        ))
        .await?;
    change.commit().await?;
    Ok(id)
}
