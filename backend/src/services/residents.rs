//! Residents on ResidencePort: the actor a resident is from the homes they hold or live in
//! today, what their home page gathers, and their own details.

use std::collections::BTreeSet;

use proplink_shared::audit::AuditAction;
use proplink_shared::authz::ResidentKind;
use proplink_shared::records::{RecordType, UnitRole};
use proplink_shared::{Actor, ContactId, Principal};
use serde_json::json;

use super::change::{Change, Event};
use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::store::orgs::Organisation;
use crate::store::people::{self, Contact};
use crate::store::residents::{self as store, Home, Preferences};

/// The actor `contact` is on ResidencePort with these homes, or `None` with none: a leaseholder
/// where they hold a lease (and read its account), a tenant otherwise (reading the account of
/// the home they rent only where the organisation shares it). What they pay for is always
/// theirs to see.
#[must_use]
pub fn actor_of(org: &Organisation, contact: &Contact, homes: &[Home]) -> Option<Actor> {
    if homes.is_empty() || !contact.kind.may_use_residenceport() {
        return None;
    }
    let holds_lease = |h: &Home| h.role == UnitRole::Leaseholder || h.billable;
    let kind = if homes.iter().any(holds_lease) {
        ResidentKind::Leaseholder
    } else {
        ResidentKind::Tenant
    };
    // The account of a home is its billable contact's: theirs to read if it is them (counted
    // by `about_me` in the rules), a joint leaseholder's too, a tenant's where shared.
    let accounts: BTreeSet<_> = homes
        .iter()
        .filter(|h| holds_lease(h) || org.tenants_see_account)
        .filter_map(|h| h.account_holder.map(|holder| (h.unit_id, holder)))
        .collect();
    Some(Actor {
        org: org.id,
        principal: Principal::Resident {
            contact: contact.id,
            kind,
            units: homes.iter().map(|h| h.unit_id).collect(),
            buildings: homes.iter().map(|h| h.building_id).collect(),
            sites: homes.iter().map(|h| h.site_id).collect(),
            accounts,
        },
        channel: proplink_shared::audit::Channel::ResidencePort,
        display_name: contact.display_name(),
    })
}

/// The actor `contact` is on ResidencePort today, as their session would make them: for work
/// done on a resident's behalf through the portal's services (the demo's residents).
pub async fn actor(app: &App, org: proplink_shared::OrgId, contact: ContactId) -> AppResult<Actor> {
    let mut conn = app.db.read().await?;
    let org = &crate::store::orgs::by_id(&mut conn, org)
        .await?
        .ok_or(AppError::NotFound)?;
    let c = people::contact(&mut conn, org.id, contact)
        .await?
        .ok_or(AppError::NotFound)?;
    let homes = store::homes(&mut conn, org.id, contact, super::today(app)).await?;
    actor_of(org, &c, &homes).ok_or(AppError::NotFound)
}

/// The homes in an actor's scope, as a resident's pages list them.
pub async fn homes(app: &App, actor: &Actor) -> AppResult<Vec<Home>> {
    let Principal::Resident { contact, .. } = &actor.principal else {
        return Ok(Vec::new());
    };
    let mut conn = app.db.read().await?;
    Ok(store::homes(&mut conn, actor.org, *contact, super::today(app)).await?)
}

pub async fn preferences(app: &App, actor: &Actor) -> AppResult<Preferences> {
    let Principal::Resident { contact, .. } = &actor.principal else {
        return Err(AppError::NotFound);
    };
    let mut conn = app.db.read().await?;
    Ok(store::preferences(&mut conn, actor.org, *contact).await?)
}

/// Saves a resident's phone number and what they want to hear about by email. Their name and
/// email address are the organisation's to change (the email is how they sign in).
pub async fn update_own_details(
    app: &App,
    actor: &Actor,
    phone: &str,
    prefs: Preferences,
) -> AppResult<()> {
    let Principal::Resident { contact, .. } = &actor.principal else {
        return Err(AppError::NotFound);
    };
    let phone = phone.trim();
    if phone.chars().count() > 30
        || !phone
            .chars()
            .all(|c| c.is_ascii_digit() || " +()-".contains(c))
    {
        return Err(AppError::invalid(
            "phone",
            "Enter a phone number using digits, spaces and + ( ) - only, like 07700 900123",
        ));
    }
    super::check(
        actor,
        proplink_shared::Action::Update,
        &proplink_shared::Resource::org_wide(actor.org, proplink_shared::Domain::Contacts)
            .with_contact(*contact),
    )?;
    let mut change = Change::begin(app, actor).await?;
    let before = store::preferences(&mut change, actor.org, *contact).await?;
    let old_phone = people::contact(&mut change, actor.org, *contact)
        .await?
        .map(|c| c.phone)
        .unwrap_or_default();
    store::update_own_details(&mut change, actor.org, *contact, phone, prefs).await?;
    change
        .record(Event::new(
            RecordType::Contact,
            contact,
            AuditAction::Update,
            "updated their contact details and email preferences",
            json!({
                "before": { "phone": old_phone, "notify_requests": before.requests, "notify_notices": before.notices },
                "after": { "phone": phone, "notify_requests": prefs.requests, "notify_notices": prefs.notices },
            }),
        ))
        .await?;
    change.commit().await
}
