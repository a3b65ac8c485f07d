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
    let mut change = Change::begin(app, actor).await?;
    let id = insert_in(&mut change, actor, new).await?;
    change.commit().await?;
    Ok(id)
}

/// Adds a contact inside a change, audited.
async fn insert_in(
    change: &mut Change<'_>,
    actor: &Actor,
    new: &NewContact,
) -> AppResult<ContactId> {
    let id = ContactId::new();
    let now = change.now;
    store::insert_contact(change, actor.org, id, new, now).await?;
    change
        .record(Event::new(
            RecordType::Contact,
            id,
            AuditAction::Create,
            format!("added contact {} {} ({})", new.first_name, new.last_name, new.kind.label()),
            json!({ "kind": new.kind.code(), "title": new.title, "first_name": new.first_name, "last_name": new.last_name, "email": new.email, "phone": new.phone }),
        ))
        .await?;
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

/// Corrects a contact's details, if nobody else changed them since `version` was read.
pub async fn update_contact(
    app: &App,
    actor: &Actor,
    id: ContactId,
    version: i64,
    new: &NewContact,
) -> AppResult<()> {
    let mut change = Change::begin(app, actor).await?;
    let c = store::contact(&mut change, actor.org, id)
        .await?
        .ok_or(AppError::NotFound)?;
    check(actor, Action::Update, &resource(actor, &c))?;
    if !store::update_contact(&mut change, actor.org, id, version, new).await? {
        return Err(AppError::conflict(
            "stale",
            format!(
                "Someone else changed {}'s details since you opened this page. Reload it to see their change, then make yours again.",
                c.full_name()
            ),
        ));
    }
    change
        .record(Event::new(
            RecordType::Contact,
            id,
            AuditAction::Update,
            format!("changed the details of {} {}", new.first_name, new.last_name),
            json!({ "kind": new.kind.code(), "title": new.title, "first_name": new.first_name, "last_name": new.last_name, "email": new.email, "phone": new.phone, "was": { "kind": c.kind.code(), "title": c.title, "first_name": c.first_name, "last_name": c.last_name, "email": c.email, "phone": c.phone } }),
        ))
        .await?;
    change.commit().await
}

/// How someone joins a unit: as what, billed or not, from when.
pub struct Joining {
    pub role: UnitRole,
    pub billable: bool,
    pub start_date: time::Date,
}

/// Links a person to a unit: the contact with the same email address if the organisation knows
/// one, else a new contact. Returns the contact linked.
pub async fn add_to_unit(
    app: &App,
    actor: &Actor,
    unit: UnitId,
    person: &NewContact,
    joining: &Joining,
) -> AppResult<ContactId> {
    let mut change = Change::begin(app, actor).await?;
    let u = places::unit(&mut change, actor.org, unit)
        .await?
        .ok_or(AppError::NotFound)?;
    check(
        actor,
        Action::Update,
        &Resource::on_site(actor.org, Domain::Portfolio, u.site_id).with_unit(unit),
    )?;
    let known = match person.email.as_deref() {
        Some(email) => store::contact_by_email(&mut change, actor.org, email).await?,
        None => None,
    };
    let (contact, name) = match known {
        Some(c) => (c.id, c.full_name()),
        None => {
            check(
                actor,
                Action::Create,
                &Resource::org_wide(actor.org, Domain::Contacts),
            )?;
            let id = insert_in(&mut change, actor, person).await?;
            (id, format!("{} {}", person.first_name, person.last_name))
        }
    };
    store::insert_occupancy(
        &mut change,
        actor.org,
        &NewOccupancy {
            unit,
            contact,
            role: joining.role,
            billable: joining.billable,
            start_date: joining.start_date,
        },
    )
    .await?;
    change
        .record(Event::new(
            RecordType::Unit,
            unit,
            AuditAction::Update,
            format!("linked {name} to {} as {}", u.name, joining.role.label().to_lowercase()),
            json!({ "contact": contact.to_string(), "role": joining.role.code(), "billable": joining.billable, "start_date": crate::store::date_text(joining.start_date) }),
        ))
        .await?;
    change.commit().await?;
    Ok(contact)
}

/// Ends a person's link to a unit on `end`: they moved out, or sold.
pub async fn end_occupancy(
    app: &App,
    actor: &Actor,
    unit: UnitId,
    contact: ContactId,
    end: time::Date,
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
    if !store::end_occupancy(&mut change, actor.org, unit, contact, end).await? {
        return Err(AppError::invalid(
            "end_date",
            format!(
                "{} has no current link to {} that starts on or before that date",
                c.full_name(),
                u.name
            ),
        ));
    }
    change
        .record(Event::new(
            RecordType::Unit,
            unit,
            AuditAction::Update,
            format!(
                "ended {}'s link to {} on {}",
                c.full_name(),
                u.name,
                proplink_shared::london::format_date(end)
            ),
            json!({ "contact": contact.to_string(), "end_date": crate::store::date_text(end) }),
        ))
        .await?;
    change.commit().await
}

/// Emails a leaseholder, tenant or resident how to sign in to ResidencePort.
pub async fn invite_resident(app: &App, actor: &Actor, id: ContactId) -> AppResult<()> {
    let mut change = Change::begin(app, actor).await?;
    let c = store::contact(&mut change, actor.org, id)
        .await?
        .ok_or(AppError::NotFound)?;
    check(actor, Action::Update, &resource(actor, &c))?;
    if !c.kind.may_use_residenceport() {
        return Err(AppError::conflict(
            "not_a_resident",
            format!(
                "{} is a {}: only leaseholders, tenants and residents use ResidencePort.",
                c.full_name(),
                c.kind.label().to_lowercase()
            ),
        ));
    }
    let Some(email) = c.email.clone() else {
        return Err(AppError::conflict(
            "no_email",
            format!(
                "{} has no email address to invite. Add one first.",
                c.full_name()
            ),
        ));
    };
    let links = store::occupancy_of_contact(&mut change, actor.org, id).await?;
    if !links.iter().any(|o| o.end_date.is_none()) {
        return Err(AppError::conflict(
            "no_unit",
            format!(
                "{} is not linked to a unit now, so there is nothing for them to see.",
                c.full_name()
            ),
        ));
    }
    let org = crate::store::orgs::by_id(&mut change, actor.org)
        .await?
        .ok_or(AppError::NotFound)?;
    let url = app.config.residence_url(&org.slug);
    let body = format!(
        "Dear {},\n\n{} invites you to ResidencePort, where you can see your statement, pay an invoice, raise a request and read notices and documents for your home.\n\nSign in at {url} with this email address: we email you a six-digit code each time, so there is no password to remember.\n",
        c.display_name(),
        org.name,
    );
    super::mail::queue(
        &mut change,
        Some(actor.org),
        super::mail::Outgoing {
            to: &email,
            subject: &format!("Your invitation to {} ResidencePort", org.name),
            body: &body,
            about: Some((RecordType::Contact, id.to_string())),
            secret: None,
        },
    )
    .await?;
    let now = change.now;
    store::set_invited(&mut change, actor.org, id, now).await?;
    change
        .record(Event::new(
            RecordType::Contact,
            id,
            AuditAction::Send,
            format!("invited {} to ResidencePort", c.full_name()),
            json!({ "email": email }),
        ))
        .await?;
    change.commit().await
}
