//! Tickets: a conversation with a reporter, its SLA, its messages and internal notes.

use proplink_shared::audit::AuditAction;
use proplink_shared::records::{NewTicket, reference, validate_message};
use proplink_shared::states::{CloseReason, TicketStatus};
use proplink_shared::{
    Action, Actor, ContactId, Domain, Principal, Resource, SiteId, StaffUserId, TicketId, UnitId,
};
use serde_json::json;

use super::audit::{self, Event, Who};
use super::{check, readable};
use sqlx::AnyConnection;

use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::store::places;
use crate::store::requests::{self as store, EntryRow, TicketRow};

pub(crate) fn resource(actor: &Actor, t: &TicketRow) -> Resource {
    let mut r = Resource::on_site(actor.org, Domain::Tickets, t.site_id);
    r.unit = t.unit_id;
    r.contact = t.reporter_contact_id;
    r
}

/// Where a new ticket is about, and who reported it.
pub struct TicketOrigin {
    pub site: SiteId,
    pub unit: Option<UnitId>,
    pub reporter: Option<ContactId>,
    pub assignee: Option<StaffUserId>,
}

/// Raises a ticket with its first message.
pub async fn raise(
    app: &App,
    actor: &Actor,
    origin: TicketOrigin,
    new: &NewTicket,
) -> AppResult<TicketId> {
    let mut tx = app.db.write().await?;
    let id = TicketId::new();
    raise_in(&mut tx, app, actor, id, origin, new).await?;
    tx.commit().await?;
    Ok(id)
}

/// Raises a ticket with a caller-chosen id inside the caller's transaction.
pub async fn raise_in(
    tx: &mut AnyConnection,
    app: &App,
    actor: &Actor,
    id: TicketId,
    origin: TicketOrigin,
    new: &NewTicket,
) -> AppResult<()> {
    let mut res = Resource::on_site(actor.org, Domain::Tickets, origin.site);
    res.unit = origin.unit;
    // A resident always reports for themselves.
    res.contact = match &actor.principal {
        Principal::Resident { contact, .. } => Some(*contact),
        _ => origin.reporter,
    };
    check(actor, Action::Create, &res)?;
    let now = app.clock.now();
    let now_us = crate::clock::to_micros(now);
    let site = places::site(&mut *tx, actor.org, origin.site)
        .await?
        .ok_or(AppError::NotFound)?;
    if let Some(unit) = origin.unit {
        let u = places::unit(&mut *tx, actor.org, unit)
            .await?
            .ok_or(AppError::NotFound)?;
        if u.site_id != origin.site {
            return Err(AppError::BadRequest("That unit is not on that site".into()));
        }
    }
    let year = proplink_shared::london::local(now).year();
    let row = TicketRow {
        id,
        reference: reference(
            "TKT",
            year,
            crate::store::next_number(&mut *tx, actor.org, "TKT", year).await?,
        ),
        site_id: origin.site,
        site_name: site.name,
        unit_id: origin.unit,
        category: new.category,
        priority: new.priority,
        status: TicketStatus::Open,
        subject: new.subject.clone(),
        reporter_contact_id: res.contact,
        reporter_name: None,
        assignee_id: origin.assignee,
        assignee_name: None,
        source: actor.channel,
        created_at: now_us,
        first_response_at: None,
        closed_at: None,
        close_reason: None,
    };
    store::insert_ticket(&mut *tx, actor.org, &row).await?;
    let entry = EntryRow {
        kind: "message".into(),
        author_name: actor.display_name.clone(),
        channel: actor.channel,
        body: new.body.clone(),
        created_at: now_us,
    };
    store::insert_entry(&mut *tx, actor.org, row.id, &entry).await?;
    let event = Event {
        record_type: "ticket",
        record_id: row.id.to_string(),
        action: AuditAction::Create,
        what: format!("raised request {} \"{}\"", row.reference, row.subject),
        detail: json!({ "reference": row.reference, "subject": row.subject, "body": new.body, "category": new.category.code(), "priority": new.priority.code(), "site": origin.site.to_string(), "unit": origin.unit.map(|u| u.to_string()) }),
    };
    audit::record(&mut *tx, actor.org, &Who::of(actor), event, now).await?;
    Ok(())
}

/// Adds a message the reporter sees (`internal` false) or a note only staff see.
pub async fn add_entry(
    app: &App,
    actor: &Actor,
    id: TicketId,
    body: &str,
    internal: bool,
) -> AppResult<()> {
    let mut tx = app.db.write().await?;
    add_entry_in(&mut tx, app, actor, id, body, internal).await?;
    tx.commit().await?;
    Ok(())
}

/// [`add_entry`] inside the caller's transaction.
pub async fn add_entry_in(
    tx: &mut AnyConnection,
    app: &App,
    actor: &Actor,
    id: TicketId,
    body: &str,
    internal: bool,
) -> AppResult<()> {
    let body = validate_message(body)?;
    let now = app.clock.now();
    let now_us = crate::clock::to_micros(now);
    let t = store::ticket(&mut *tx, actor.org, id)
        .await?
        .ok_or(AppError::NotFound)?;
    check(
        actor,
        if internal {
            Action::AddInternalNote
        } else {
            Action::Reply
        },
        &resource(actor, &t),
    )?;
    if t.status == TicketStatus::Closed && !internal {
        return Err(AppError::Conflict(format!(
            "Request {} is closed. Reopen it to reply.",
            t.reference
        )));
    }
    let kind = if internal { "internal_note" } else { "message" };
    store::insert_entry(
        &mut *tx,
        actor.org,
        id,
        &EntryRow {
            kind: kind.into(),
            author_name: actor.display_name.clone(),
            channel: actor.channel,
            body: body.clone(),
            created_at: now_us,
        },
    )
    .await?;
    let is_staff = matches!(actor.principal, Principal::Staff { .. });
    if is_staff && !internal {
        store::mark_first_response(&mut *tx, actor.org, id, now_us).await?;
    }
    let event = Event {
        record_type: "ticket",
        record_id: id.to_string(),
        action: if internal {
            AuditAction::InternalNote
        } else {
            AuditAction::Message
        },
        what: if internal {
            format!("added an internal note to {}", t.reference)
        } else {
            format!("replied on {}", t.reference)
        },
        detail: json!({ "body": body }),
    };
    audit::record(&mut *tx, actor.org, &Who::of(actor), event, now).await?;
    Ok(())
}

/// Moves a ticket to `to`; closing needs a reason.
pub async fn set_status(
    app: &App,
    actor: &Actor,
    id: TicketId,
    to: TicketStatus,
    reason: Option<CloseReason>,
) -> AppResult<()> {
    let now = app.clock.now();
    let mut tx = app.db.write().await?;
    let t = store::ticket(&mut tx, actor.org, id)
        .await?
        .ok_or(AppError::NotFound)?;
    check(actor, Action::Update, &resource(actor, &t))?;
    t.status.transition(to)?;
    let closed = match (to, reason) {
        (TicketStatus::Closed, Some(r)) => Some((crate::clock::to_micros(now), r)),
        (TicketStatus::Closed, None) => {
            return Err(AppError::Invalid(
                proplink_shared::records::ValidationErrors::single(
                    "reason",
                    "Choose why the request is being closed",
                ),
            ));
        }
        _ => None,
    };
    if !store::set_ticket_status(&mut tx, actor.org, id, t.status, to, closed).await? {
        return Err(AppError::Conflict(format!(
            "Request {} was changed by someone else. Reload the page to see it.",
            t.reference
        )));
    }
    let what = match closed {
        Some((_, r)) => format!("closed {} as {}", t.reference, r.label().to_lowercase()),
        None => format!("moved {} to {}", t.reference, to.label().to_lowercase()),
    };
    let event = Event {
        record_type: "ticket",
        record_id: id.to_string(),
        action: AuditAction::StatusChange,
        what,
        detail: json!({ "from": t.status.code(), "to": to.code(), "reason": reason.map(CloseReason::code) }),
    };
    audit::record(&mut tx, actor.org, &Who::of(actor), event, now).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn tickets(app: &App, actor: &Actor, limit: i64) -> AppResult<Vec<TicketRow>> {
    let mut conn = app.db.read().await?;
    let rows = store::tickets(&mut conn, actor.org, limit).await?;
    Ok(readable(actor, rows, |t| resource(actor, t)))
}

/// A ticket and the entries the actor may see (residents never see internal notes).
pub async fn ticket(
    app: &App,
    actor: &Actor,
    id: TicketId,
) -> AppResult<(TicketRow, Vec<EntryRow>)> {
    let mut conn = app.db.read().await?;
    let t = store::ticket(&mut conn, actor.org, id)
        .await?
        .ok_or(AppError::NotFound)?;
    check(actor, Action::Read, &resource(actor, &t))?;
    let may_see_notes = check(actor, Action::AddInternalNote, &resource(actor, &t)).is_ok()
        || matches!(actor.principal, Principal::Staff { .. } | Principal::System);
    let entries = store::entries(&mut conn, actor.org, id)
        .await?
        .into_iter()
        .filter(|e| may_see_notes || e.kind != "internal_note")
        .collect();
    Ok((t, entries))
}
