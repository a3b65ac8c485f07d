//! On-site issues logged by site managers.

use proplink_shared::audit::AuditAction;
use proplink_shared::records::{NewIssue, RecordType};
use proplink_shared::states::IssueStatus;
use proplink_shared::{Action, Actor, Domain, IssueId, Resource, Scope};
use serde_json::json;

use super::change::{Change, Event};
use super::{PAGE_SIZE, check};
use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::store::query::{Page, PageAt};
use crate::store::requests::{self as store, Issue, IssueFilter, IssuePlace};
use crate::store::{files, places};

/// Where the record sits, as `authorize` judges it: the one answer the lists and the pages share.
pub fn resource(actor: &Actor, i: &Issue) -> Resource {
    let mut r = Resource::on_site(actor.org, Domain::Issues, i.site_id);
    r.building = i.building_id;
    r
}

pub async fn log(
    app: &App,
    actor: &Actor,
    place: IssuePlace,
    new: &NewIssue,
) -> AppResult<IssueId> {
    let id = IssueId::new();
    let mut change = Change::begin(app, actor).await?;
    log_in(&mut change, actor, id, &place, new).await?;
    change.commit().await?;
    Ok(id)
}

/// Logs an issue with a caller-chosen id inside the caller's change (the offline app names
/// its records before they reach the server).
pub async fn log_in(
    change: &mut Change<'_>,
    actor: &Actor,
    id: IssueId,
    place: &IssuePlace,
    new: &NewIssue,
) -> AppResult<()> {
    let mut res = Resource::on_site(actor.org, Domain::Issues, place.site);
    res.building = place.building;
    check(actor, Action::Create, &res)?;
    let site = check_place(change, actor, place).await?;
    let now = change.now;
    if let Err(e) =
        store::insert_issue(change, actor.org, id, place, new, &actor.display_name, now).await
    {
        return Err(if e.is_unique_violation() {
            AppError::conflict("already_exists", "An issue with this id already exists")
        } else {
            e.into()
        });
    }
    change
        .record(Event::new(
            RecordType::Issue,
            id,
            AuditAction::Create,
            format!("logged issue \"{}\" at {}, {}", new.title, site.name, new.location),
            json!({ "title": new.title, "description": new.description, "location": new.location, "category": new.category.code(), "priority": new.priority.code(), "ticket": place.ticket.map(|t| t.to_string()) }),
        ))
        .await
}

/// The site of `place`, once its building is on that site and its request is one the actor
/// may read about the same site.
async fn check_place(
    change: &mut Change<'_>,
    actor: &Actor,
    place: &IssuePlace,
) -> AppResult<crate::store::places::Site> {
    let site = places::site(change, actor.org, place.site)
        .await?
        .ok_or(AppError::NotFound)?;
    if let Some(b) = place.building {
        super::places::building_on_site(change, actor.org, place.site, b).await?;
    }
    if let Some(t) = place.ticket {
        let ticket = store::ticket(change, actor.org, t)
            .await?
            .ok_or(AppError::NotFound)?;
        check(
            actor,
            Action::Read,
            &super::tickets::resource(actor, &ticket),
        )?;
        if ticket.site_id != place.site {
            return Err(AppError::invalid(
                "ticket",
                "That request is about another site",
            ));
        }
    }
    Ok(site)
}

/// Ties an open issue to the building it is in and the request it answers, inside the
/// caller's change; both are checked as when an issue is logged.
pub async fn link_in(
    change: &mut Change<'_>,
    actor: &Actor,
    id: IssueId,
    building: Option<proplink_shared::BuildingId>,
    ticket: Option<proplink_shared::TicketId>,
    seen: Option<(
        Option<proplink_shared::BuildingId>,
        Option<proplink_shared::TicketId>,
    )>,
) -> AppResult<()> {
    let i = store::issue(change, actor.org, id)
        .await?
        .ok_or(AppError::NotFound)?;
    check(actor, Action::Update, &resource(actor, &i))?;
    if seen.is_some_and(|s| s != (i.building_id, i.ticket_id)) {
        return Err(AppError::conflict(
            "stale",
            format!(
                "Someone changed where the issue \"{}\" belongs while you were offline: your change was not applied. Open it to see theirs.",
                i.title
            ),
        ));
    }
    if i.status.is_terminal() {
        return Err(AppError::conflict(
            "closed",
            format!(
                "The issue \"{}\" is {}: it is kept as it was.",
                i.title,
                i.status.label().to_lowercase()
            ),
        ));
    }
    if i.building_id == building && i.ticket_id == ticket {
        return Ok(());
    }
    let place = IssuePlace {
        site: i.site_id,
        building,
        ticket,
    };
    check_place(change, actor, &place).await?;
    // The building decides who may see it: the actor must still reach it there.
    let mut moved = i.clone();
    moved.building_id = building;
    check(actor, Action::Update, &resource(actor, &moved))?;
    store::link_issue(change, actor.org, id, building, ticket).await?;
    let ticket_ref = match ticket {
        Some(t) => store::ticket(change, actor.org, t)
            .await?
            .map(|t| t.reference),
        None => None,
    };
    let sentence = match &ticket_ref {
        Some(r) => format!("linked issue \"{}\" to request {r}", i.title),
        None => format!("changed where issue \"{}\" belongs", i.title),
    };
    change
        .record(Event::new(
            RecordType::Issue,
            id,
            AuditAction::Update,
            sentence,
            json!({ "building": building.map(|b| b.to_string()), "ticket": ticket.map(|t| t.to_string()), "was": { "building": i.building_id.map(|b| b.to_string()), "ticket": i.ticket_id.map(|t| t.to_string()) } }),
        ))
        .await
}

/// Moves an issue along its life cycle; dismissing needs a reason.
pub async fn set_status(
    app: &App,
    actor: &Actor,
    id: IssueId,
    to: IssueStatus,
    reason: Option<&str>,
) -> AppResult<()> {
    move_issue(app, actor, id, None, to, reason).await
}

/// [`set_status`] from a form filled in while the issue was `from`: refused if it moved since.
pub async fn move_issue(
    app: &App,
    actor: &Actor,
    id: IssueId,
    from: Option<IssueStatus>,
    to: IssueStatus,
    reason: Option<&str>,
) -> AppResult<()> {
    let mut change = Change::begin(app, actor).await?;
    let i = store::issue(&mut change, actor.org, id)
        .await?
        .ok_or(AppError::NotFound)?;
    check(actor, Action::Update, &resource(actor, &i))?;
    if from.is_some_and(|f| f != i.status) {
        return Err(AppError::conflict(
            "stale",
            format!(
                "Issue \"{}\" was moved to {} by someone else while you were looking at it. Nothing was saved.",
                i.title,
                i.status.label().to_lowercase()
            ),
        ));
    }
    i.status.transition(to)?;
    // A reason is the record of a dismissal; other moves keep none.
    let reason = reason
        .map(str::trim)
        .filter(|r| !r.is_empty() && to == IssueStatus::Dismissed);
    if to == IssueStatus::Dismissed && reason.is_none() {
        return Err(AppError::invalid(
            "reason",
            "Say why the issue is being dismissed",
        ));
    }
    if !store::set_issue_status(&mut change, actor.org, id, i.status, to, reason).await? {
        return Err(AppError::conflict(
            "stale",
            format!(
                "Issue \"{}\" was changed by someone else. Reload the page to see it.",
                i.title
            ),
        ));
    }
    change
        .record(Event::new(
            RecordType::Issue,
            id,
            AuditAction::StatusChange,
            format!(
                "moved issue \"{}\" to {}",
                i.title,
                to.label().to_lowercase()
            ),
            json!({ "from": i.status.code(), "to": to.code(), "reason": reason }),
        ))
        .await?;
    change.commit().await
}

/// Corrects what an issue says, if nobody else changed it since `version` was read. A
/// resolved or dismissed issue is history and stays as it was.
pub async fn update(
    app: &App,
    actor: &Actor,
    id: IssueId,
    version: i64,
    new: &NewIssue,
) -> AppResult<()> {
    let mut change = Change::begin(app, actor).await?;
    let i = store::issue(&mut change, actor.org, id)
        .await?
        .ok_or(AppError::NotFound)?;
    check(actor, Action::Update, &resource(actor, &i))?;
    if i.status.is_terminal() {
        return Err(AppError::conflict(
            "closed",
            format!(
                "The issue \"{}\" is {}: it is kept as it was.",
                i.title,
                i.status.label().to_lowercase()
            ),
        ));
    }
    if !store::update_issue(&mut change, actor.org, id, version, new).await? {
        return Err(AppError::conflict(
            "stale",
            format!(
                "Someone else changed the issue \"{}\" since you opened this page. Reload it to see their change, then make yours again.",
                i.title
            ),
        ));
    }
    change
        .record(Event::new(
            RecordType::Issue,
            id,
            AuditAction::Update,
            format!("changed issue \"{}\"", new.title),
            json!({ "title": new.title, "description": new.description, "location": new.location, "category": new.category.code(), "priority": new.priority.code(), "was": { "title": i.title, "description": i.description, "location": i.location, "category": i.category.code(), "priority": i.priority.code() } }),
        ))
        .await?;
    change.commit().await
}

pub async fn issues(
    app: &App,
    actor: &Actor,
    filter: &IssueFilter,
    at: &PageAt,
) -> AppResult<Page<Issue>> {
    let scope = Scope::of(actor, Domain::Issues);
    super::remember(app, &scope, format!("issues {filter:?} {at:?}"), || async {
        let mut conn = app.db.read().await?;
        Ok(store::issues(&mut conn, &scope, filter, at, PAGE_SIZE).await?)
    })
    .await
}

/// How many issues match a filter.
pub async fn count(app: &App, actor: &Actor, filter: &IssueFilter) -> AppResult<i64> {
    let scope = Scope::of(actor, Domain::Issues);
    super::remember(app, &scope, format!("issue count {filter:?}"), || async {
        let mut conn = app.db.read().await?;
        Ok(store::count_issues(&mut conn, &scope, filter).await?)
    })
    .await
}

/// An issue and its photos (by SHA-256).
pub async fn issue(app: &App, actor: &Actor, id: IssueId) -> AppResult<(Issue, Vec<String>)> {
    let (i, photos) = super::remember_in(app, actor.org, format!("issue {id}"), || async {
        let mut conn = app.db.read().await?;
        let Some(i) = store::issue(&mut conn, actor.org, id).await? else {
            return Ok(None);
        };
        let photos =
            files::files_of(&mut conn, actor.org, RecordType::Issue, &id.to_string()).await?;
        Ok(Some((i, photos)))
    })
    .await?
    .ok_or(AppError::NotFound)?;
    check(actor, Action::Read, &resource(actor, &i))?;
    Ok((i, photos))
}
