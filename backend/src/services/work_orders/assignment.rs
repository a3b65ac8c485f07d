//! Who sees a work order through for the office: a member of staff who may work on it, told on
//! their devices when it is given to them.

use proplink_shared::audit::AuditAction;
use proplink_shared::records::RecordType;
use proplink_shared::{Action, Actor, StaffUserId, WorkOrderId};
use serde_json::json;

use super::resource;
use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::services::change::{Change, Event};
use crate::services::{check, push, staff};
use crate::store::work_orders::{self as store, WorkOrder};

/// The members of staff a work order can be given to: those who may update it.
pub async fn assignable(
    app: &App,
    actor: &Actor,
    w: &WorkOrder,
) -> AppResult<Vec<(StaffUserId, String)>> {
    let staff = staff::who_may(app, actor.org, actor.channel, |them| {
        proplink_shared::authorize(them, Action::Update, &resource(them, w)).is_ok()
    })
    .await?;
    Ok(staff.into_iter().map(|s| (s.id, s.name)).collect())
}

/// Gives a work order to `to` (or to nobody), from a form filled in while it was `was`'s.
pub async fn assign(
    app: &App,
    actor: &Actor,
    id: WorkOrderId,
    was: Option<StaffUserId>,
    to: Option<StaffUserId>,
) -> AppResult<()> {
    let w = super::work_order(app, actor, id).await?.work_order;
    check(actor, Action::Update, &resource(actor, &w))?;
    if w.status.is_terminal() {
        return Err(AppError::conflict(
            "closed",
            format!(
                "Work order {} is {}: it is kept as it was.",
                w.reference,
                w.status.label().to_lowercase()
            ),
        ));
    }
    let name = match to {
        None => None,
        Some(user) => Some(
            assignable(app, actor, &w)
                .await?
                .into_iter()
                .find(|(id, _)| *id == user)
                .map(|(_, name)| name)
                .ok_or_else(|| {
                    AppError::invalid(
                        "assignee",
                        "Choose a member of staff who works on this work order's site",
                    )
                })?,
        ),
    };
    let mut change = Change::begin(app, actor).await?;
    if !store::assign(&mut change, actor.org, id, was, to).await? {
        return Err(AppError::conflict(
            "stale",
            format!(
                "Someone else changed work order {} since you opened this page (who it is assigned to, or closed it). Reload it to see their change.",
                w.reference
            ),
        ));
    }
    let what = match &name {
        Some(name) => format!("assigned {} to {name}", w.reference),
        None => format!("unassigned {}", w.reference),
    };
    change
        .record(Event::new(
            RecordType::WorkOrder,
            id,
            AuditAction::Update,
            what,
            json!({ "assignee": { "from": was.map(|a| a.to_string()), "to": to.map(|a| a.to_string()) } }),
        ))
        .await?;
    if let Some(user) = to.filter(|u| Some(*u) != actor.staff_id() && was != Some(*u)) {
        tell_assignee(&mut change, &w, user).await?;
    }
    change.commit().await
}

/// "WO-2026-0031 assigned to you", on the assignee's devices: its reference, priority and
/// trade, never what was written about it (a title often names a flat or a person).
async fn tell_assignee(change: &mut Change<'_>, w: &WorkOrder, user: StaffUserId) -> AppResult<()> {
    let org = change.org();
    let Some(org) = crate::store::orgs::by_id(change, org).await? else {
        return Ok(());
    };
    let at = crate::clock::to_micros(change.now);
    let url = format!(
        "{}/work-orders/{}",
        change.app().config.admin_url(&org.slug),
        w.id
    );
    push::queue_in(
        change,
        &[push::staff_subject(user)],
        &push::Notice {
            kind: push::PushKind::Assigned,
            event: format!("work-order-assigned:{}:{user}:{at}", w.id),
            topic: push::topic(&format!("work-order:{}", w.id)),
            title: &format!("{} assigned to you", w.reference),
            body: &format!(
                "{} priority · {}",
                w.priority.label(),
                w.service_category.label()
            ),
            url,
            urgency: if w.priority == proplink_shared::records::Priority::Urgent {
                push::Urgency::High
            } else {
                push::Urgency::Normal
            },
            ttl: time::Duration::days(1),
        },
    )
    .await
}
