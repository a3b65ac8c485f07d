//! What site staff do to a work order from the field: move it along its life cycle, add notes
//! and photos. Used by Facility Report's sync, inside its transaction.

use proplink_shared::audit::AuditAction;
use proplink_shared::states::WorkOrderStatus;
use proplink_shared::{Action, Actor, WorkOrderId};
use serde_json::json;
use sqlx::AnyConnection;

use super::audit::{self, Event, Who};
use super::works::{load_for_change, move_to};
use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::store::sync as store;

/// The moves site staff may make; awarding, closing and cancelling stay with the office.
const FIELD_MOVES: &[WorkOrderStatus] = &[
    WorkOrderStatus::InProgress,
    WorkOrderStatus::Completed,
    WorkOrderStatus::PendingReview,
];

/// A change seen on the device: the status it saw, the status it wants, a note, photos.
pub struct FieldUpdate<'a> {
    pub expected: WorkOrderStatus,
    pub to: Option<WorkOrderStatus>,
    pub note: Option<&'a str>,
    pub photos: &'a [String],
}

pub async fn update_in(
    tx: &mut AnyConnection,
    app: &App,
    actor: &Actor,
    id: WorkOrderId,
    update: &FieldUpdate<'_>,
) -> AppResult<()> {
    let now = app.clock.now();
    let now_us = crate::clock::to_micros(now);
    let w = load_for_change(&mut *tx, actor, id, Action::Update).await?;
    let note = update.note.map(str::trim).filter(|n| !n.is_empty());
    if update.to.is_none() && note.is_none() && update.photos.is_empty() {
        return Err(AppError::BadRequest("Nothing to change".into()));
    }
    if note.is_some_and(|n| n.chars().count() > 10_000) {
        return Err(AppError::BadRequest(
            "The note must be 10,000 characters or fewer".into(),
        ));
    }
    let who = Who::of(actor);
    if let Some(to) = update.to {
        if w.status != update.expected {
            return Err(AppError::Conflict(format!(
                "Work order {} is now {}: it changed while you were offline, so it was not moved to {}.",
                w.reference,
                w.status.label().to_lowercase(),
                to.label().to_lowercase()
            )));
        }
        if !FIELD_MOVES.contains(&to) {
            return Err(AppError::Forbidden);
        }
        move_to(&mut *tx, actor, &w, to).await?;
        let event = Event {
            record_type: "work_order",
            record_id: id.to_string(),
            action: AuditAction::StatusChange,
            what: format!("moved {} to {}", w.reference, to.label().to_lowercase()),
            detail: json!({ "from": w.status.code(), "to": to.code() }),
        };
        audit::record(&mut *tx, actor.org, &who, event, now).await?;
    }
    if let Some(note) = note {
        store::insert_work_order_note(
            &mut *tx,
            actor.org,
            id,
            &actor.display_name,
            actor.channel,
            note,
            now_us,
        )
        .await?;
        let event = Event {
            record_type: "work_order",
            record_id: id.to_string(),
            action: AuditAction::Update,
            what: format!("added a note to {}", w.reference),
            detail: json!({ "note": note }),
        };
        audit::record(&mut *tx, actor.org, &who, event, now).await?;
    }
    for sha in update.photos {
        store::attach_file(
            &mut *tx,
            actor.org,
            "work_order",
            &id.to_string(),
            sha,
            now_us,
        )
        .await?;
    }
    if !update.photos.is_empty() {
        let n = update.photos.len();
        let event = Event {
            record_type: "work_order",
            record_id: id.to_string(),
            action: AuditAction::Upload,
            what: format!(
                "added {n} photo{} to {}",
                if n == 1 { "" } else { "s" },
                w.reference
            ),
            detail: json!({ "photos": update.photos }),
        };
        audit::record(&mut *tx, actor.org, &who, event, now).await?;
    }
    Ok(())
}
