//! Inviting contractors to quote: one from the list, or one entered with their cover; and
//! where the work is, as the invitation and the contractor's page say it.

use proplink_shared::audit::AuditAction;
use proplink_shared::records::{CoverStatus, RecordType, contractor_cover};
use proplink_shared::states::WorkOrderStatus;
use proplink_shared::{Action, Actor, Principal, VendorId, WorkOrderId};
use serde_json::json;

use super::{load_for, move_to, resource};
use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::services::change::{Change, Event};
use crate::services::mail::{self, Outgoing};
use crate::services::{check, today};
use crate::store::vendors;
use crate::store::work_orders::WorkOrder;

/// Invites a contractor to quote: emails them a ContractorPort link, and returns it (the demo
/// prints one to try; the admin app never shows it). Lapsed cover blocks the invitation.
pub async fn invite(
    app: &App,
    actor: &Actor,
    id: WorkOrderId,
    vendor: VendorId,
) -> AppResult<String> {
    let mut change = Change::begin(app, actor).await?;
    let link = invite_in(&mut change, actor, id, vendor).await?;
    change.commit().await?;
    Ok(link)
}

/// A contractor not on the list yet, as the office enters them to invite: their details and
/// the public liability cover nobody is invited without.
pub struct NewContractor<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub phone: &'a str,
    pub category: proplink_shared::records::ServiceCategory,
    pub cover: crate::store::vendors::Cover,
}

/// Adds a contractor with their cover and invites them, all or nothing.
pub async fn invite_new(
    app: &App,
    actor: &Actor,
    id: WorkOrderId,
    new: &NewContractor<'_>,
) -> AppResult<(VendorId, String)> {
    crate::services::vendors::check_cover(&new.cover, today(app))?;
    let mut change = Change::begin(app, actor).await?;
    let vendor = crate::services::vendors::add_vendor_in(
        &mut change,
        actor,
        new.name,
        new.email,
        new.phone,
        new.category,
    )
    .await?;
    crate::services::vendors::add_cover_in(&mut change, actor, vendor, &new.cover).await?;
    let link = invite_in(&mut change, actor, id, vendor).await?;
    change.commit().await?;
    Ok((vendor, link))
}

async fn invite_in(
    change: &mut Change<'_>,
    actor: &Actor,
    id: WorkOrderId,
    vendor: VendorId,
) -> AppResult<String> {
    let app = change.app();
    let w = load_for(change, actor, id, Action::Update).await?;
    let v = vendors::vendor(change, actor.org, vendor)
        .await?
        .ok_or(AppError::NotFound)?;
    if contractor_cover(v.has_liability_cover, v.earliest_expiry, today(app)) == CoverStatus::Lapsed
    {
        return Err(AppError::conflict(
            "cover_lapsed",
            format!(
                "{}'s insurance has lapsed. Ask them for current cover before inviting them.",
                v.name
            ),
        ));
    }
    if !w.status.takes_invitations() {
        return Err(AppError::conflict(
            "stale",
            format!(
                "Work order {} is {} and cannot take new quotes.",
                w.reference,
                w.status.label().to_lowercase()
            ),
        ));
    }
    if w.status == WorkOrderStatus::Draft {
        move_to(change, actor, &w, WorkOrderStatus::SentForQuote).await?;
    }
    let invited_by = match actor.principal {
        Principal::Staff { user, .. } => Some(user),
        _ => None,
    };
    let (link, token) =
        crate::services::contractor_links::issue_in(change, actor.org, id, vendor, invited_by)
            .await?;
    let body = format!(
        "Hello {},\n\n{} invites you to quote for work order {}: {}.\n\n{}\n\n\
         See the work order and send your quote here, with no account or password:\n{link}\n\n\
         The link is for you alone. It opens once, on the device you open it with, and expires in {} days.\n",
        v.name, actor.display_name, w.reference, w.title, w.scope, app.config.contractor_link_days
    );
    mail::queue(
        change,
        Some(actor.org),
        Outgoing {
            to: &v.email,
            subject: &format!("Invitation to quote: {}", w.reference),
            body: &body,
            about: Some((RecordType::WorkOrder, id.to_string())),
            secret: Some(&token),
        },
    )
    .await?;
    change
        .record(Event::new(
            RecordType::WorkOrder,
            id,
            AuditAction::Send,
            format!("invited {} to quote for {}", v.name, w.reference),
            json!({ "vendor": vendor.to_string(), "email": v.email }),
        ))
        .await?;
    Ok(link)
}

/// Where a work order is, as its contractor needs it: the building and the site's address.
pub async fn contractor_address(app: &App, actor: &Actor, w: &WorkOrder) -> AppResult<String> {
    check(actor, Action::Read, &resource(actor, w))?;
    let mut conn = app.db.read().await?;
    let site = crate::store::places::site(&mut conn, actor.org, w.site_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let building = match w.building_id {
        Some(b) => crate::store::places::building(&mut conn, actor.org, b)
            .await?
            .map(|b| b.name),
        None => None,
    };
    Ok(place_line(building.as_deref(), &site.name, &site.address))
}

/// A building, its site and the site's address as one line, each name left out where the
/// address already says it ("Maple House, 2 Maple Gardens, Reading" needs no "Maple House").
fn place_line(building: Option<&str>, site: &str, address: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for name in building.into_iter().chain([site]) {
        if !address.contains(name) && !parts.contains(&name) {
            parts.push(name);
        }
    }
    parts.push(address);
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::place_line;

    #[test]
    fn a_place_names_each_thing_once() {
        assert_eq!(
            place_line(
                Some("Maple House"),
                "Maple Gardens",
                "Maple House, 2 Maple Gardens, Reading RG1 3BE"
            ),
            "Maple House, 2 Maple Gardens, Reading RG1 3BE"
        );
        assert_eq!(
            place_line(Some("Alpha Court"), "Alpha", "1 High Street, London"),
            "Alpha Court, Alpha, 1 High Street, London"
        );
        assert_eq!(
            place_line(None, "Harbour Point", "1 Quay Road, Bristol"),
            "Harbour Point, 1 Quay Road, Bristol"
        );
    }
}
