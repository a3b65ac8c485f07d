//! Requests as residents make them on ResidencePort: in their home or a shared area of their
//! building, with photos; the open requests a neighbour already made about the same area, to
//! add themselves to instead of reporting it again; and the email that tells them of a reply.

use proplink_shared::audit::AuditAction;
use proplink_shared::records::{CommunalArea, NewTicket, RecordType, TicketCategory};
use proplink_shared::{Actor, BuildingId, Principal, TicketId, UnitId};
use serde_json::json;

use super::change::{Change, Event};
use super::files::photos;
use super::mail::{self, Outgoing};
use super::tickets::TicketOrigin;
use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::store::requests::{self as store, AreaReport, Ticket};
use crate::store::{files, orgs, people, places, residents};

pub use super::files::photos::{MAX_PHOTO_BYTES, MAX_PHOTOS, SentPhoto};

/// Where a resident's request is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestPlace {
    /// Inside one of their homes.
    Home(UnitId),
    /// A shared part of one of their buildings.
    Shared(BuildingId, CommunalArea),
}

/// What a resident typed, before it is checked.
pub struct RequestForm<'a> {
    pub category: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    pub emergency: bool,
}

/// Raises a request for the resident `actor`, with up to [`MAX_PHOTOS`] photos, each checked
/// from its content and stored without its metadata. Nothing is kept unless all of it is.
pub async fn raise(
    app: &App,
    actor: &Actor,
    place: RequestPlace,
    form: &RequestForm<'_>,
    sent: &[SentPhoto<'_>],
) -> AppResult<TicketId> {
    let Principal::Resident {
        units, buildings, ..
    } = &actor.principal
    else {
        return Err(AppError::NotFound);
    };
    let category = TicketCategory::from_code(form.category);
    let priority = category.map_or("", |c| c.resident_priority(form.emergency).code());
    let new = NewTicket::validate(form.subject, form.body, form.category, priority);
    let cleaned = photos::clean_all(sent);
    let (new, cleaned) = match (new, cleaned) {
        (Ok(new), Ok(cleaned)) => (new, cleaned),
        (new, cleaned) => {
            let mut errors = new.err().unwrap_or_default();
            if let Err(message) = cleaned {
                errors.add("photos", message);
            }
            return Err(AppError::Invalid(errors));
        }
    };
    let mut change = Change::begin(app, actor).await?;
    let (site, unit, area) = match place {
        RequestPlace::Home(unit) if units.contains(&unit) => {
            let u = places::unit(&mut change, actor.org, unit)
                .await?
                .ok_or(AppError::NotFound)?;
            (u.site_id, Some(unit), None)
        }
        RequestPlace::Shared(building, area) if buildings.contains(&building) => {
            let b = places::building(&mut change, actor.org, building)
                .await?
                .ok_or(AppError::NotFound)?;
            (b.site_id, None, Some((building, area)))
        }
        _ => return Err(AppError::NotFound),
    };
    let id = TicketId::new();
    let origin = TicketOrigin {
        site,
        unit,
        reporter: None,
        assignee: None,
    };
    super::tickets::raise_at(&mut change, actor, id, origin, area, &new).await?;
    super::files::keep_photos_on(&mut change, RecordType::Ticket, &id.to_string(), cleaned).await?;
    change.commit().await?;
    Ok(id)
}

/// The open requests already made about `area` of `building`, for a resident of that building
/// about to report a problem there: what and when, never who.
pub async fn already_reported(
    app: &App,
    actor: &Actor,
    building: BuildingId,
    area: CommunalArea,
) -> AppResult<Vec<AreaReport>> {
    let Principal::Resident { buildings, .. } = &actor.principal else {
        return Err(AppError::NotFound);
    };
    if !buildings.contains(&building) {
        return Err(AppError::NotFound);
    }
    let mut conn = app.db.read().await?;
    Ok(store::open_in_area(&mut conn, actor.org, building, area).await?)
}

/// Adds the resident to an open request about a shared area of their building: they follow
/// its conversation and are told of replies, as its reporter is.
pub async fn add_me(app: &App, actor: &Actor, id: TicketId) -> AppResult<Ticket> {
    let Principal::Resident {
        contact, buildings, ..
    } = &actor.principal
    else {
        return Err(AppError::NotFound);
    };
    let mut change = Change::begin(app, actor).await?;
    let t = store::ticket(&mut change, actor.org, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let shared_here = t.area.is_some() && t.building_id.is_some_and(|b| buildings.contains(&b));
    if !shared_here {
        return Err(AppError::NotFound);
    }
    if t.status.is_terminal() {
        return Err(AppError::conflict(
            "closed",
            format!(
                "Request {} was closed meanwhile. If the problem is still there, report it again.",
                t.reference
            ),
        ));
    }
    if t.reporter_contact_id == Some(*contact) {
        return Ok(t);
    }
    let now = change.now;
    if store::add_follower(&mut change, actor.org, id, *contact, now).await? {
        change
            .record(Event::new(
                RecordType::Ticket,
                id,
                AuditAction::Update,
                format!("added themselves to {} as also affected", t.reference),
                json!({ "follower": contact.to_string() }),
            ))
            .await?;
        change.commit().await?;
    }
    Ok(t)
}

/// The photos of a ticket, by SHA-256, in the order they were added.
pub async fn photos_of(app: &App, actor: &Actor, t: &Ticket) -> AppResult<Vec<String>> {
    let mut conn = app.db.read().await?;
    let judged = super::tickets::judged(&mut conn, actor, t).await?;
    super::check(actor, proplink_shared::Action::Read, &judged)?;
    Ok(files::files_of(&mut conn, actor.org, RecordType::Ticket, &t.id.to_string()).await?)
}

/// Emails the reporter and everyone who added themselves to `t` that staff replied, where
/// they asked to hear about their requests.
pub(crate) async fn tell_residents(
    change: &mut Change<'_>,
    t: &Ticket,
    reply: &str,
) -> AppResult<()> {
    let org_id = change.org();
    let mut people_told = store::followers(change, org_id, t.id).await?;
    people_told.extend(t.reporter_contact_id);
    if people_told.is_empty() {
        return Ok(());
    }
    let Some(org) = orgs::by_id(change, org_id).await? else {
        return Ok(());
    };
    let link = format!(
        "{}/requests/{}",
        change.app().config.residence_url(&org.slug),
        t.id
    );
    // Notifications on their devices: what and where only, never the reply's words.
    super::push::queue_in(
        change,
        &people_told
            .iter()
            .map(|c| super::push::contact_subject(*c))
            .collect::<Vec<_>>(),
        &super::push::Notice {
            kind: super::push::PushKind::Replies,
            event: format!(
                "ticket-reply:{}:{}",
                t.id,
                crate::clock::to_micros(change.now)
            ),
            topic: super::push::topic(&format!("ticket:{}", t.id)),
            title: "New reply on your request",
            body: &format!("{} replied on {}.", org.name, t.reference),
            url: link.clone(),
            urgency: super::push::Urgency::Normal,
            ttl: time::Duration::days(2),
        },
    )
    .await?;
    for contact in people_told {
        let Some(c) = people::contact(change, org_id, contact).await? else {
            continue;
        };
        let wants = residents::preferences(change, org_id, contact)
            .await?
            .requests;
        let Some(email) = c
            .email
            .as_deref()
            .filter(|_| wants && c.kind.may_use_residenceport())
        else {
            continue;
        };
        let subject = format!(
            "{}: new reply on {} \"{}\"",
            org.name, t.reference, t.subject
        );
        let body = format!(
            "Dear {},\n\n{} replied on request {}:\n\n{}\n\nRead the whole conversation and reply on ResidencePort: {link}\n\n\
             You can stop these emails in your profile on ResidencePort.\n",
            c.display_name(),
            org.name,
            t.reference,
            reply
        );
        mail::queue(
            change,
            Some(org_id),
            Outgoing {
                to: email,
                subject: &subject,
                body: &body,
                about: Some((RecordType::Ticket, t.id.to_string())),
                secret: None,
            },
        )
        .await?;
    }
    Ok(())
}
