//! Work orders: created from a request or issues, sent to contractors, awarded, worked and
//! closed; and what site staff do to them from the field.

use proplink_shared::audit::AuditAction;
use proplink_shared::records::{NewWorkOrder, RecordType, reference};
use proplink_shared::states::{CloseReason, IssueStatus, TicketStatus, WorkOrderStatus};
use proplink_shared::{Action, Actor, Domain, IssueId, QuoteId, Resource, Scope, WorkOrderId};
use serde_json::json;

use super::change::{Change, Event};
use super::{PAGE_SIZE, check};
use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::store::query::{Page, PageAt};
use crate::store::work_orders::{
    self as store, Certificate, Note, Quote, WorkOrder, WorkOrderFilter, WorkOrderPlace,
};
use crate::store::{files, requests};

mod assignment;
mod field;
mod invitations;
pub(crate) mod office;
mod progress;
mod shared_with_contractor;

pub use assignment::{assign, assignable};
pub use field::{FieldUpdate, field_update_in, office_note};
pub use invitations::{NewContractor, contractor_address, invite, invite_new};
pub(crate) use progress::load_for_step;
pub use progress::{WorkReport, mark_complete, report_progress};
pub use shared_with_contractor::{
    Download, certificate_file, quote_file, set_access, share_request_photos,
    unshared_request_photos,
};

/// Where the record sits, as `authorize` judges it: the one answer the lists and the pages share.
pub fn resource(actor: &Actor, w: &WorkOrder) -> Resource {
    let mut r = Resource::on_site(actor.org, Domain::WorkOrders, w.site_id).with_work_order(w.id);
    r.building = w.building_id;
    r.unit = w.unit_id;
    r
}

/// Creates a draft work order, converting `issues` into it.
pub async fn create(
    app: &App,
    actor: &Actor,
    place: WorkOrderPlace,
    issues: &[IssueId],
    new: &NewWorkOrder,
) -> AppResult<WorkOrderId> {
    let mut res = Resource::on_site(actor.org, Domain::WorkOrders, place.site);
    res.building = place.building;
    check(actor, Action::Create, &res)?;
    let id = WorkOrderId::new();
    let mut change = Change::begin(app, actor).await?;
    crate::store::places::site(&mut change, actor.org, place.site)
        .await?
        .ok_or(AppError::NotFound)?;
    if let Some(b) = place.building {
        super::places::building_on_site(&mut change, actor.org, place.site, b).await?;
    }
    if let Some(t) = place.ticket {
        let ticket = requests::ticket(&mut change, actor.org, t)
            .await?
            .ok_or(AppError::NotFound)?;
        check(
            actor,
            Action::Read,
            &super::tickets::resource(actor, &ticket),
        )?;
    }
    let now = change.now;
    let year = proplink_shared::london::local(now).year();
    let reference = reference(
        "WO",
        year,
        crate::store::next_number(&mut change, actor.org, "WO", year).await?,
    );
    if let Err(e) =
        store::insert_work_order(&mut change, actor.org, id, &reference, &place, new, now).await
    {
        return Err(if e.is_foreign_key_violation() {
            AppError::NotFound
        } else {
            e.into()
        });
    }
    for issue in issues {
        let i = requests::issue(&mut change, actor.org, *issue)
            .await?
            .ok_or(AppError::NotFound)?;
        check(actor, Action::Update, &super::issues::resource(actor, &i))?;
        if i.site_id != place.site {
            return Err(AppError::invalid(
                "issues",
                "An issue from another site cannot join this work order",
            ));
        }
        requests::link_issue_to_work_order(&mut change, actor.org, *issue, id).await?;
        if i.status.transition(IssueStatus::Assigned).is_ok() {
            requests::set_issue_status(
                &mut change,
                actor.org,
                *issue,
                i.status,
                IssueStatus::Assigned,
                None,
            )
            .await?;
        }
        change
            .record(Event::new(
                RecordType::Issue,
                issue,
                AuditAction::StatusChange,
                format!(
                    "converted issue \"{}\" into work order {reference}",
                    i.title
                ),
                json!({ "work_order": id.to_string() }),
            ))
            .await?;
    }
    change
        .record(Event::new(
            RecordType::WorkOrder,
            id,
            AuditAction::Create,
            format!("created work order {reference} \"{}\"", new.title),
            json!({ "reference": reference, "title": new.title, "scope": new.scope, "service_category": new.service_category.code(), "priority": new.priority.code(), "deadline": new.deadline.map(crate::store::date_text), "ticket": place.ticket.map(|t| t.to_string()) }),
        ))
        .await?;
    change.commit().await?;
    Ok(id)
}

/// Creates a work order from a request, taking in the issues logged against it that no work
/// order has taken yet and the actor may change.
pub async fn create_from_ticket(
    app: &App,
    actor: &Actor,
    ticket: proplink_shared::TicketId,
    new: &NewWorkOrder,
) -> AppResult<WorkOrderId> {
    let (t, _) = super::tickets::ticket(app, actor, ticket).await?;
    let issues: Vec<IssueId> = {
        let mut conn = app.db.read().await?;
        requests::unworked_issues_of_ticket(&mut conn, actor.org, ticket)
            .await?
            .into_iter()
            .filter(|i| i.site_id == t.site_id && !i.status.is_terminal())
            .filter(|i| {
                proplink_shared::authorize(
                    actor,
                    Action::Update,
                    &super::issues::resource(actor, i),
                )
                .is_ok()
            })
            .map(|i| i.id)
            .collect()
    };
    let place = WorkOrderPlace {
        site: t.site_id,
        building: None,
        unit: t.unit_id,
        ticket: Some(ticket),
    };
    create(app, actor, place, &issues, new).await
}

/// Creates a work order for one site issue.
pub async fn create_from_issue(
    app: &App,
    actor: &Actor,
    issue: IssueId,
    new: &NewWorkOrder,
) -> AppResult<WorkOrderId> {
    let (i, _) = super::issues::issue(app, actor, issue).await?;
    if i.work_order_id.is_some() || i.status.is_terminal() {
        return Err(AppError::conflict(
            "stale",
            format!(
                "Issue \"{}\" is {} and cannot join a new work order.",
                i.title,
                if i.work_order_id.is_some() {
                    "already in a work order"
                } else {
                    "closed"
                }
            ),
        ));
    }
    let place = WorkOrderPlace {
        site: i.site_id,
        building: i.building_id,
        unit: None,
        ticket: i.ticket_id,
    };
    create(app, actor, place, &[issue], new).await
}

/// The work order, checked for `action` by `actor`, inside a change.
pub(crate) async fn load_for(
    change: &mut Change<'_>,
    actor: &Actor,
    id: WorkOrderId,
    action: Action,
) -> AppResult<WorkOrder> {
    let w = store::work_order(change, actor.org, id)
        .await?
        .ok_or(AppError::NotFound)?;
    check(actor, action, &resource(actor, &w))?;
    Ok(w)
}

/// Moves a work order along its life cycle, refusing a move its state does not allow.
pub(crate) async fn move_to(
    change: &mut Change<'_>,
    actor: &Actor,
    w: &WorkOrder,
    to: WorkOrderStatus,
) -> AppResult<()> {
    w.status.transition(to).map_err(|e| {
        AppError::conflict(
            "stale",
            format!("{e}. It is now {}.", w.status.label().to_lowercase()),
        )
    })?;
    if !store::set_work_order_status(change, actor.org, w.id, w.status, to).await? {
        return Err(AppError::conflict(
            "stale",
            format!(
                "Work order {} was changed by someone else. Reload the page to see it.",
                w.reference
            ),
        ));
    }
    Ok(())
}

/// Awards the work to one quote.
pub async fn award(app: &App, actor: &Actor, id: WorkOrderId, quote: QuoteId) -> AppResult<()> {
    let mut change = Change::begin(app, actor).await?;
    let w = load_for(&mut change, actor, id, Action::Approve).await?;
    let q = store::quotes(&mut change, actor.org, id)
        .await?
        .into_iter()
        .find(|q| q.id == quote)
        .ok_or(AppError::NotFound)?;
    if q.rejected {
        return Err(AppError::invalid(
            "quote",
            format!("{}'s quote was turned down; choose another", q.vendor_name),
        ));
    }
    move_to(&mut change, actor, &w, WorkOrderStatus::Approved).await?;
    let cost = q
        .net
        .checked_add(q.vat)
        .map_err(|e| AppError::invalid("quote", e.to_string()))?;
    store::mark_quote_awarded(&mut change, actor.org, quote).await?;
    store::set_work_order_vendor(&mut change, actor.org, id, q.vendor_id, Some(cost)).await?;
    // The other contractors' links end: the access notes, the photos and the work itself are
    // the winner's business now.
    let now = change.now;
    crate::store::contractor_links::end_links_but(
        &mut change,
        actor.org,
        id,
        q.vendor_id,
        "awarded_elsewhere",
        now,
    )
    .await?;
    change
        .record(Event::new(
            RecordType::WorkOrder,
            id,
            AuditAction::Approve,
            format!("awarded {} to {} for {cost}", w.reference, q.vendor_name),
            json!({ "quote": quote.to_string(), "vendor": q.vendor_id.to_string(), "cost": cost.pence() }),
        ))
        .await?;
    change.commit().await
}

/// Closes a completed work order (or cancels an open one). Closing resolves its issues and
/// its request.
pub async fn close(app: &App, actor: &Actor, id: WorkOrderId, cancel: bool) -> AppResult<()> {
    let mut change = Change::begin(app, actor).await?;
    let w = load_for(&mut change, actor, id, Action::Update).await?;
    let to = if cancel {
        WorkOrderStatus::Cancelled
    } else {
        WorkOrderStatus::Closed
    };
    move_to(&mut change, actor, &w, to).await?;
    // Its contractors' links open no more.
    let now = change.now;
    crate::store::contractor_links::end_links(&mut change, actor.org, id, None, "closed", now)
        .await?;
    if !cancel {
        for i in requests::issues_of_work_order(&mut change, actor.org, id).await? {
            if i.status.transition(IssueStatus::Resolved).is_ok() {
                requests::set_issue_status(
                    &mut change,
                    actor.org,
                    i.id,
                    i.status,
                    IssueStatus::Resolved,
                    None,
                )
                .await?;
                change
                    .record(Event::new(
                        RecordType::Issue,
                        i.id,
                        AuditAction::StatusChange,
                        format!("resolved issue \"{}\" by closing {}", i.title, w.reference),
                        json!({ "work_order": id.to_string() }),
                    ))
                    .await?;
            }
        }
        if let Some(ticket) = w.ticket_id {
            let t = requests::ticket(&mut change, actor.org, ticket)
                .await?
                .ok_or(AppError::NotFound)?;
            if t.status.transition(TicketStatus::Closed).is_ok() {
                let now = change.now;
                requests::set_ticket_status(
                    &mut change,
                    actor.org,
                    ticket,
                    t.version,
                    TicketStatus::Closed,
                    Some((now, CloseReason::Resolved)),
                )
                .await?;
                change
                    .record(Event::new(
                        RecordType::Ticket,
                        ticket,
                        AuditAction::StatusChange,
                        format!("resolved {} by closing {}", t.reference, w.reference),
                        json!({ "work_order": id.to_string() }),
                    ))
                    .await?;
            }
        }
    }
    change
        .record(Event::new(
            RecordType::WorkOrder,
            id,
            AuditAction::StatusChange,
            format!(
                "{} {}",
                if cancel { "cancelled" } else { "closed" },
                w.reference
            ),
            json!({ "from": w.status.code(), "to": to.code() }),
        ))
        .await?;
    change.commit().await
}

pub async fn work_orders(
    app: &App,
    actor: &Actor,
    filter: &WorkOrderFilter,
    at: &PageAt,
) -> AppResult<Page<WorkOrder>> {
    let scope = Scope::of(actor, Domain::WorkOrders);
    super::remember(
        app,
        &scope,
        format!("work orders {filter:?} {at:?}"),
        || async {
            let mut conn = app.db.read().await?;
            Ok(store::work_orders(&mut conn, &scope, filter, at, PAGE_SIZE).await?)
        },
    )
    .await
}

/// How many work orders match a filter.
pub async fn count(app: &App, actor: &Actor, filter: &WorkOrderFilter) -> AppResult<i64> {
    let scope = Scope::of(actor, Domain::WorkOrders);
    super::remember(
        app,
        &scope,
        format!("work order count {filter:?}"),
        || async {
            let mut conn = app.db.read().await?;
            Ok(store::count_work_orders(&mut conn, &scope, filter).await?)
        },
    )
    .await
}

#[derive(Clone)]
pub struct WorkOrderView {
    pub work_order: WorkOrder,
    pub quotes: Vec<Quote>,
    pub certificates: Vec<Certificate>,
    /// Notes from the field, oldest first.
    pub notes: Vec<Note>,
    /// Photos by SHA-256.
    pub photos: Vec<String>,
}

pub async fn work_order(app: &App, actor: &Actor, id: WorkOrderId) -> AppResult<WorkOrderView> {
    let view = super::remember_in(app, actor.org, format!("work order {id}"), || async {
        let mut conn = app.db.read().await?;
        let Some(w) = store::work_order(&mut conn, actor.org, id).await? else {
            return Ok(None);
        };
        let quotes = store::quotes(&mut conn, actor.org, id).await?;
        let certificates = store::certificates(&mut conn, actor.org, id).await?;
        let notes = store::notes(&mut conn, actor.org, id).await?;
        let photos =
            files::files_of(&mut conn, actor.org, RecordType::WorkOrder, &id.to_string()).await?;
        Ok(Some(WorkOrderView {
            work_order: w,
            quotes,
            certificates,
            notes,
            photos,
        }))
    })
    .await?
    .ok_or(AppError::NotFound)?;
    check(actor, Action::Read, &resource(actor, &view.work_order))?;
    Ok(view)
}
