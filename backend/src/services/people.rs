//! Contacts: the people an organisation knows, and their links to units.

use proplink_shared::audit::AuditAction;
use proplink_shared::records::{NewContact, UnitRole};
use proplink_shared::{Action, Actor, ContactId, Domain, Resource, UnitId};
use serde_json::json;

use super::audit::{self, Event, Who};
use super::{check, readable};
use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::store::people::{self as store, ContactRow, OccupancyRow};
use crate::store::places;

pub(crate) fn resource(actor: &Actor, c: &ContactRow) -> Resource {
    let mut r = Resource::org_wide(actor.org, Domain::Contacts).with_contact(c.id);
    r.site = c.site_id;
    r
}

pub async fn add_contact(app: &App, actor: &Actor, new: &NewContact) -> AppResult<ContactId> {
    check(
        actor,
        Action::Create,
        &Resource::org_wide(actor.org, Domain::Contacts),
    )?;
    let now = app.clock.now();
    let row = ContactRow {
        id: ContactId::new(),
        kind: new.kind,
        title: new.title.clone(),
        first_name: new.first_name.clone(),
        last_name: new.last_name.clone(),
        email: new.email.clone(),
        phone: new.phone.clone(),
        site_id: None,
    };
    let mut tx = app.db.write().await?;
    store::insert_contact(&mut tx, actor.org, &row, crate::clock::to_micros(now)).await?;
    let event = Event {
        record_type: "contact",
        record_id: row.id.to_string(),
        action: AuditAction::Create,
        what: format!("added contact {} ({})", row.full_name(), row.kind.label()),
        detail: json!({ "kind": row.kind.code(), "title": row.title, "first_name": row.first_name, "last_name": row.last_name, "email": row.email, "phone": row.phone }),
    };
    audit::record(&mut tx, actor.org, &Who::of(actor), event, now).await?;
    tx.commit().await?;
    Ok(row.id)
}

/// Links a contact to a unit as leaseholder, tenant or occupier from `start_date`.
pub async fn link_to_unit(
    app: &App,
    actor: &Actor,
    contact: ContactId,
    unit: UnitId,
    role: UnitRole,
    billable: bool,
    start_date: time::Date,
) -> AppResult<()> {
    let now = app.clock.now();
    let mut tx = app.db.write().await?;
    let u = places::unit(&mut tx, actor.org, unit)
        .await?
        .ok_or(AppError::NotFound)?;
    check(
        actor,
        Action::Update,
        &Resource::on_site(actor.org, Domain::Portfolio, u.site_id).with_unit(unit),
    )?;
    let c = store::contact(&mut tx, actor.org, contact)
        .await?
        .ok_or(AppError::NotFound)?;
    store::insert_occupancy(
        &mut tx,
        actor.org,
        unit,
        contact,
        role,
        billable,
        &super::date_text(start_date),
    )
    .await?;
    let event = Event {
        record_type: "unit",
        record_id: unit.to_string(),
        action: AuditAction::Update,
        what: format!(
            "linked {} to {} as {}",
            c.full_name(),
            u.name,
            role.label().to_lowercase()
        ),
        detail: json!({ "contact": contact.to_string(), "role": role.code(), "billable": billable, "start_date": super::date_text(start_date) }),
    };
    audit::record(&mut tx, actor.org, &Who::of(actor), event, now).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn contacts(app: &App, actor: &Actor) -> AppResult<Vec<ContactRow>> {
    let mut conn = app.db.read().await?;
    let rows = store::contacts(&mut conn, actor.org).await?;
    Ok(readable(actor, rows, |c| resource(actor, c)))
}

pub async fn contact(
    app: &App,
    actor: &Actor,
    id: ContactId,
) -> AppResult<(ContactRow, Vec<OccupancyRow>)> {
    let mut conn = app.db.read().await?;
    let c = store::contact(&mut conn, actor.org, id)
        .await?
        .ok_or(AppError::NotFound)?;
    check(actor, Action::Read, &resource(actor, &c))?;
    let links = store::occupancy_of_contact(&mut conn, actor.org, id).await?;
    Ok((c, links))
}

pub async fn occupancy(app: &App, actor: &Actor, unit: UnitId) -> AppResult<Vec<OccupancyRow>> {
    super::places::unit(app, actor, unit).await?;
    let mut conn = app.db.read().await?;
    Ok(store::occupancy_of_unit(&mut conn, actor.org, unit).await?)
}
