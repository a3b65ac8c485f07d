//! The service-charge demand: one invoice for every unit of a building, the sum shared by
//! apportionment to the penny, posted in one change (all or nothing).

use proplink_shared::apportion::{Share, apportion};
use proplink_shared::money::Money;
use proplink_shared::records::{InvoiceCategory, InvoiceLine, VatRate};
use proplink_shared::states::InvoiceStatus;
use proplink_shared::{Actor, BuildingId, InvoiceId, UnitId};
use time::Date;

use super::{Charge, move_in, raise_in};
use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::services::change::Change;
use crate::store::finance as store;
use crate::store::places;

/// A demand on a building: what for, how much in all (net), and each unit's share.
pub struct Demand<'a> {
    pub category: InvoiceCategory,
    pub description: &'a str,
    pub total: Money,
    pub vat_rate: VatRate,
    pub issue_date: Date,
    pub due_date: Date,
    /// Every unit of the building, with its share (0 for a unit not charged).
    pub shares: &'a [(UnitId, Share)],
    /// Email each invoice to its contact at once, or leave them approved to send later.
    pub send: bool,
}

/// Raises and approves one invoice per unit with a share, and sends them if asked. Refused as a
/// whole, with nothing written, when the shares do not make 100%, do not name exactly the
/// building's units, or a unit charged has nobody to bill.
pub async fn raise_demand(
    app: &App,
    actor: &Actor,
    building: BuildingId,
    demand: &Demand<'_>,
) -> AppResult<Vec<InvoiceId>> {
    if demand.total.pence() <= 0 {
        return Err(AppError::invalid(
            "total",
            "The total must be more than £0.00",
        ));
    }
    let shares: Vec<Share> = demand.shares.iter().map(|(_, s)| *s).collect();
    let parts =
        apportion(demand.total, &shares).map_err(|e| AppError::invalid("shares", e.to_string()))?;
    let mut change = Change::begin(app, actor).await?;
    places::building(&mut change, actor.org, building)
        .await?
        .ok_or(AppError::NotFound)?;
    let units = places::all_units_of_building(&mut change, actor.org, building).await?;
    let mut named: Vec<UnitId> = demand.shares.iter().map(|(u, _)| *u).collect();
    let mut all: Vec<UnitId> = units.iter().map(|u| u.id).collect();
    named.sort_unstable();
    all.sort_unstable();
    if named != all {
        return Err(AppError::conflict(
            "stale",
            "The building's units changed since the form was opened. Reload the page and check the shares.",
        ));
    }
    let unbillable: Vec<&str> = demand
        .shares
        .iter()
        .zip(&parts)
        .filter(|(_, part)| part.pence() > 0)
        .filter_map(|((unit, _), _)| units.iter().find(|u| u.id == *unit))
        .filter(|u| u.billable_contact_id.is_none())
        .map(|u| u.name.as_str())
        .collect();
    if !unbillable.is_empty() {
        return Err(AppError::invalid(
            "shares",
            format!(
                "Nobody is billed for {}: add a billable leaseholder, or give it a share of 0",
                unbillable.join(", ")
            ),
        ));
    }
    let mut raised = Vec::new();
    for ((unit, _), part) in demand.shares.iter().zip(parts) {
        if part.pence() == 0 {
            continue;
        }
        let Some(u) = units.iter().find(|u| u.id == *unit) else {
            continue;
        };
        let line = InvoiceLine::validate(demand.description, &part.to_string(), demand.vat_rate)
            .map_err(AppError::Invalid)?;
        let lines = [line];
        let charge = Charge {
            category: demand.category,
            description: demand.description,
            lines: &lines,
            issue_date: demand.issue_date,
            due_date: demand.due_date,
        };
        let totals = charge.validate()?;
        let id = raise_in(&mut change, actor, u, &charge, totals).await?;
        let mut steps = vec![InvoiceStatus::PendingApproval, InvoiceStatus::Approved];
        if demand.send {
            steps.push(InvoiceStatus::Sent);
        }
        for to in steps {
            let inv = store::invoice(&mut change, actor.org, id)
                .await?
                .ok_or(AppError::NotFound)?;
            move_in(&mut change, actor, &inv, to).await?;
        }
        raised.push(id);
    }
    change.commit().await?;
    Ok(raised)
}
