//! On-site issues logged by site managers.

use proplink_shared::audit::AuditAction;
use proplink_shared::records::NewIssue;
use proplink_shared::states::IssueStatus;
use proplink_shared::{Action, Actor, BuildingId, Domain, IssueId, Resource, SiteId, TicketId};
use serde_json::json;

use super::audit::{self, Event, Who};
use super::{check, readable};
use sqlx::AnyConnection;

use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::store::places;
use crate::store::requests::{self as store, IssueRow};

pub(crate) fn resource(actor: &Actor, i: &IssueRow) -> Resource {
    let mut r = Resource::on_site(actor.org, Domain::Issues, i.site_id);
    r.building = i.building_id;
    r
}

pub async fn log(
    app: &App,
    actor: &Actor,
    site: SiteId,
    building: Option<BuildingId>,
    ticket: Option<TicketId>,
    new: &NewIssue,
) -> AppResult<IssueId> {
    let mut tx = app.db.write().await?;
    let id = IssueId::new();
    log_in(
        &mut tx,
        app,
        actor,
        id,
        IssuePlace {
            site,
            building,
            ticket,
        },
        new,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Where an issue was found, and the request it answers, if any.
#[derive(Clone, Copy, Debug)]
pub struct IssuePlace {
    pub site: SiteId,
    pub building: Option<BuildingId>,
    pub ticket: Option<TicketId>,
}

/// Logs an issue with a caller-chosen id inside the caller's transaction (the offline app
/// names its records before they reach the server).
pub async fn log_in(
    tx: &mut AnyConnection,
    app: &App,
    actor: &Actor,
    id: IssueId,
    place: IssuePlace,
    new: &NewIssue,
) -> AppResult<()> {
    let IssuePlace {
        site,
        building,
        ticket,
    } = place;
    let mut res = Resource::on_site(actor.org, Domain::Issues, site);
    res.building = building;
    check(actor, Action::Create, &res)?;
    let now = app.clock.now();
    let s = places::site(&mut *tx, actor.org, site)
        .await?
        .ok_or(AppError::NotFound)?;
    if let Some(b) = building {
        let b = places::building(&mut *tx, actor.org, b)
            .await?
            .ok_or(AppError::NotFound)?;
        if b.site_id != site {
            return Err(AppError::BadRequest(
                "That building is not on that site".into(),
            ));
        }
    }
    if let Some(t) = ticket {
        store::ticket(&mut *tx, actor.org, t)
            .await?
            .ok_or(AppError::NotFound)?;
    }
    let row = IssueRow {
        id,
        site_id: site,
        site_name: s.name,
        building_id: building,
        location: new.location.clone(),
        title: new.title.clone(),
        description: new.description.clone(),
        category: new.category,
        priority: new.priority,
        status: IssueStatus::Open,
        dismiss_reason: None,
        reported_by: actor.display_name.clone(),
        ticket_id: ticket,
        work_order_id: None,
        created_at: crate::clock::to_micros(now),
    };
    store::insert_issue(&mut *tx, actor.org, &row).await?;
    let event = Event {
        record_type: "issue",
        record_id: row.id.to_string(),
        action: AuditAction::Create,
        what: format!("logged issue \"{}\" at {}", row.title, row.location),
        detail: json!({ "title": row.title, "description": row.description, "location": row.location, "category": row.category.code(), "priority": row.priority.code(), "ticket": ticket.map(|t| t.to_string()) }),
    };
    audit::record(&mut *tx, actor.org, &Who::of(actor), event, now).await?;
    Ok(())
}

/// Moves an issue along its life cycle; dismissing needs a reason.
pub async fn set_status(
    app: &App,
    actor: &Actor,
    id: IssueId,
    to: IssueStatus,
    reason: Option<&str>,
) -> AppResult<()> {
    let now = app.clock.now();
    let mut tx = app.db.write().await?;
    let i = store::issue(&mut tx, actor.org, id)
        .await?
        .ok_or(AppError::NotFound)?;
    check(actor, Action::Update, &resource(actor, &i))?;
    i.status.transition(to)?;
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    if to == IssueStatus::Dismissed && reason.is_none() {
        return Err(AppError::Invalid(
            proplink_shared::records::ValidationErrors::single(
                "reason",
                "Say why the issue is being dismissed",
            ),
        ));
    }
    if !store::set_issue_status(&mut tx, actor.org, id, i.status, to, reason).await? {
        return Err(AppError::Conflict(format!(
            "Issue \"{}\" was changed by someone else. Reload the page to see it.",
            i.title
        )));
    }
    let event = Event {
        record_type: "issue",
        record_id: id.to_string(),
        action: AuditAction::StatusChange,
        what: format!(
            "moved issue \"{}\" to {}",
            i.title,
            to.label().to_lowercase()
        ),
        detail: json!({ "from": i.status.code(), "to": to.code(), "reason": reason }),
    };
    audit::record(&mut tx, actor.org, &Who::of(actor), event, now).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn issues(app: &App, actor: &Actor, limit: i64) -> AppResult<Vec<IssueRow>> {
    let mut conn = app.db.read().await?;
    let rows = store::issues(&mut conn, actor.org, limit).await?;
    Ok(readable(actor, rows, |i| resource(actor, i)))
}

/// An issue and its photos (by SHA-256).
pub async fn issue(app: &App, actor: &Actor, id: IssueId) -> AppResult<(IssueRow, Vec<String>)> {
    let mut conn = app.db.read().await?;
    let i = store::issue(&mut conn, actor.org, id)
        .await?
        .ok_or(AppError::NotFound)?;
    check(actor, Action::Read, &resource(actor, &i))?;
    let photos =
        crate::store::sync::files_of(&mut conn, actor.org, "issue", &id.to_string()).await?;
    Ok((i, photos))
}
