//! Contacts: the people an organisation knows, and their links to units.

use proplink_shared::audit::AuditAction;
use proplink_shared::records::{NewContact, RecordType, UnitRole};
use proplink_shared::{Action, Actor, ContactId, Domain, Resource, Scope, UnitId};
use serde_json::json;

use super::change::{Change, Event};
use super::{PAGE_SIZE, check};
use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::store::people::{self as store, Contact, ContactFilter, NewOccupancy, Occupancy};
use crate::store::places;
use crate::store::query::{Page, PageAt};

/// Where the record sits, as `authorize` judges it: the one answer the lists and the pages share.
pub fn resource(actor: &Actor, c: &Contact) -> Resource {
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
    let id = ContactId::new();
    let mut change = Change::begin(app, actor).await?;
    let now = change.now;
    store::insert_contact(&mut change, actor.org, id, new, now).await?;
    change
        .record(Event::new(
            RecordType::Contact,
            id,
            AuditAction::Create,
            format!("added contact {} {} ({})", new.first_name, new.last_name, new.kind.label()),
            json!({ "kind": new.kind.code(), "title": new.title, "first_name": new.first_name, "last_name": new.last_name, "email": new.email, "phone": new.phone }),
        ))
        .await?;
    change.commit().await?;
    Ok(id)
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
    let mut change = Change::begin(app, actor).await?;
    let u = places::unit(&mut change, actor.org, unit)
        .await?
        .ok_or(AppError::NotFound)?;
    check(
        actor,
        Action::Update,
        &Resource::on_site(actor.org, Domain::Portfolio, u.site_id).with_unit(unit),
    )?;
    let c = store::contact(&mut change, actor.org, contact)
        .await?
        .ok_or(AppError::NotFound)?;
    check(actor, Action::Read, &resource(actor, &c))?;
    store::insert_occupancy(
        &mut change,
        actor.org,
        &NewOccupancy {
            unit,
            contact,
            role,
            billable,
            start_date,
        },
    )
    .await?;
    change
        .record(Event::new(
            RecordType::Unit,
            unit,
            AuditAction::Update,
            format!("linked {} to {} as {}", c.full_name(), u.name, role.label().to_lowercase()),
            json!({ "contact": contact.to_string(), "role": role.code(), "billable": billable, "start_date": crate::store::date_text(start_date) }),
        ))
        .await?;
    change.commit().await
}

pub async fn contacts(
    app: &App,
    actor: &Actor,
    filter: &ContactFilter,
    at: &PageAt,
) -> AppResult<Page<Contact>> {
    let scope = Scope::of(actor, Domain::Contacts);
    super::remember(
        app,
        &scope,
        format!("contacts {filter:?} {at:?}"),
        || async {
            let mut conn = app.db.read().await?;
            Ok(store::contacts(&mut conn, &scope, filter, at, PAGE_SIZE).await?)
        },
    )
    .await
}

/// A contact and the units they are linked to.
pub async fn contact(
    app: &App,
    actor: &Actor,
    id: ContactId,
) -> AppResult<(Contact, Vec<Occupancy>)> {
    let (c, links) = super::remember_in(app, actor.org, format!("contact {id}"), || async {
        let mut conn = app.db.read().await?;
        let Some(c) = store::contact(&mut conn, actor.org, id).await? else {
            return Ok(None);
        };
        let links = store::occupancy_of_contact(&mut conn, actor.org, id).await?;
        Ok(Some((c, links)))
    })
    .await?
    .ok_or(AppError::NotFound)?;
    check(actor, Action::Read, &resource(actor, &c))?;
    Ok((c, links))
}

/// Who is linked to a unit the actor may see.
pub async fn occupancy(app: &App, actor: &Actor, unit: UnitId) -> AppResult<Vec<Occupancy>> {
    super::places::unit(app, actor, unit).await?;
    super::remember_in(app, actor.org, format!("occupancy {unit}"), || async {
        let mut conn = app.db.read().await?;
        Ok(store::occupancy_of_unit(&mut conn, actor.org, unit).await?)
    })
    .await
}
