//! Notices (announcements) to the whole organisation, one site's residents, or one building's.

use proplink_shared::audit::AuditAction;
use proplink_shared::records::{NewNotice, RecordType};
use proplink_shared::{Action, Actor, Domain, NoticeId, Resource, Scope};
use serde_json::json;

use super::change::{Change, Event};
use super::{PAGE_SIZE, check};
use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::store::notices::{self as store, Notice, NoticeFilter, NoticePlace};
use crate::store::query::{Page, PageAt};

fn resource(actor: &Actor, place: NoticePlace) -> Resource {
    let mut res = Resource::org_wide(actor.org, Domain::Notices);
    res.site = place.site();
    res.building = place.building();
    res
}

/// Publishes a notice where `place` says; a building must be one of the site given.
pub async fn publish(
    app: &App,
    actor: &Actor,
    place: NoticePlace,
    new: &NewNotice,
) -> AppResult<NoticeId> {
    check(actor, Action::Create, &resource(actor, place))?;
    let id = NoticeId::new();
    let mut change = Change::begin(app, actor).await?;
    if let NoticePlace::Building(site, building) = place {
        super::places::building_on_site(&mut change, actor.org, site, building).await?;
    }
    let now = change.now;
    if let Err(e) = store::insert_notice(&mut change, actor.org, id, place, new, now).await {
        return Err(if e.is_foreign_key_violation() {
            AppError::NotFound
        } else {
            e.into()
        });
    }
    change
        .record(Event::new(
            RecordType::Notice,
            id,
            AuditAction::Create,
            format!("published {}notice \"{}\"", if new.urgent { "urgent " } else { "" }, new.title),
            json!({ "title": new.title, "body": new.body, "publish_on": crate::store::date_text(new.publish_on), "expires_on": new.expires_on.map(crate::store::date_text), "urgent": new.urgent, "site": place.site().map(|s| s.to_string()), "building": place.building().map(|b| b.to_string()) }),
        ))
        .await?;
    email_residents(&mut change, id, place, new).await?;
    change.commit().await?;
    Ok(id)
}

/// Emails a notice published for today to the residents it is for who want notices by email
/// (an urgent one to all of them), in the same change: sent once it commits.
async fn email_residents(
    change: &mut Change<'_>,
    id: NoticeId,
    place: NoticePlace,
    new: &NewNotice,
) -> AppResult<()> {
    let org_id = change.org();
    let today = proplink_shared::london::local(change.now).date();
    if new.publish_on > today {
        return Ok(());
    }
    let recipients = crate::store::residents::notice_recipients(
        change,
        org_id,
        place.site(),
        place.building(),
        today,
        new.urgent,
    )
    .await?;
    if recipients.is_empty() {
        return Ok(());
    }
    let Some(org) = crate::store::orgs::by_id(change, org_id).await? else {
        return Ok(());
    };
    let url = change.app().config.residence_url(&org.slug);
    // On their devices too: the notice's title is the organisation's own public words.
    let title: String = new.title.chars().take(120).collect();
    super::push::queue_in(
        change,
        &recipients
            .iter()
            .map(|r| super::push::contact_subject(r.contact))
            .collect::<Vec<_>>(),
        &super::push::Notice {
            kind: super::push::PushKind::Notices,
            event: format!("notice:{id}"),
            topic: super::push::topic(&format!("notice:{id}")),
            title: if new.urgent {
                "Urgent notice"
            } else {
                "New notice"
            },
            body: &title,
            url: format!("{url}/notices/{id}"),
            urgency: if new.urgent {
                super::push::Urgency::High
            } else {
                super::push::Urgency::Low
            },
            ttl: time::Duration::days(3),
        },
    )
    .await?;
    let subject = format!(
        "{}{}: {}",
        if new.urgent {
            "Urgent notice from "
        } else {
            "Notice from "
        },
        org.name,
        new.title
    );
    for r in recipients {
        let name = proplink_shared::records::NewContact::display_name(
            &r.title,
            &r.first_name,
            &r.last_name,
        );
        let body = format!(
            "Dear {name},\n\n{}\n\n{}\n\nYou can read this and every current notice on ResidencePort: {url}/notices\n\
             {}\n",
            new.title,
            new.body,
            if new.urgent {
                "Urgent notices are always emailed."
            } else {
                "You can stop notices by email in your profile on ResidencePort."
            }
        );
        super::mail::queue(
            change,
            Some(org_id),
            super::mail::Outgoing {
                to: &r.email,
                subject: &subject,
                body: &body,
                about: Some((RecordType::Contact, r.contact.to_string())),
                secret: None,
            },
        )
        .await?;
    }
    Ok(())
}

fn notice_resource(actor: &Actor, n: &Notice) -> Resource {
    let mut res = Resource::org_wide(actor.org, Domain::Notices);
    res.site = n.site_id;
    res.building = n.building_id;
    res
}

/// A notice, for those who may read it.
pub async fn notice(app: &App, actor: &Actor, id: NoticeId) -> AppResult<Notice> {
    let n = super::remember_in(app, actor.org, format!("notice {id}"), || async {
        let mut conn = app.db.read().await?;
        Ok(store::notice(&mut conn, actor.org, id).await?)
    })
    .await?
    .ok_or(AppError::NotFound)?;
    check(actor, Action::Read, &notice_resource(actor, &n))?;
    Ok(n)
}

/// Changes a notice's text, dates or urgency, if nobody else changed it since `version`.
pub async fn update(
    app: &App,
    actor: &Actor,
    id: NoticeId,
    version: i64,
    new: &NewNotice,
) -> AppResult<()> {
    let mut change = Change::begin(app, actor).await?;
    let n = store::notice(&mut change, actor.org, id)
        .await?
        .ok_or(AppError::NotFound)?;
    check(actor, Action::Update, &notice_resource(actor, &n))?;
    if !store::update_notice(&mut change, actor.org, id, version, new).await? {
        return Err(AppError::conflict(
            "stale",
            format!(
                "Someone else changed the notice \"{}\" since you opened this page. Reload it to see their change, then make yours again.",
                n.title
            ),
        ));
    }
    change
        .record(Event::new(
            RecordType::Notice,
            id,
            AuditAction::Update,
            format!("changed notice \"{}\"", new.title),
            json!({ "title": new.title, "body": new.body, "publish_on": crate::store::date_text(new.publish_on), "expires_on": new.expires_on.map(crate::store::date_text), "urgent": new.urgent }),
        ))
        .await?;
    change.commit().await
}

pub async fn notices(
    app: &App,
    actor: &Actor,
    filter: &NoticeFilter,
    at: &PageAt,
) -> AppResult<Page<Notice>> {
    let scope = Scope::of(actor, Domain::Notices);
    super::remember(
        app,
        &scope,
        format!("notices {filter:?} {at:?}"),
        || async {
            let mut conn = app.db.read().await?;
            Ok(store::notices(&mut conn, &scope, filter, at, PAGE_SIZE).await?)
        },
    )
    .await
}
