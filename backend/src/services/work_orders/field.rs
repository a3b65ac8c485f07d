//! A work order changed from the field (a phone's sync) or from the office: notes, photos and
//! the moves site staff may make.

use proplink_shared::audit::AuditAction;
use proplink_shared::records::RecordType;
use proplink_shared::states::WorkOrderStatus;
use proplink_shared::{Action, Actor, WorkOrderId};
use serde_json::json;

use super::{load_for, move_to};
use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::services::change::{Change, Event};
use crate::store::work_orders as store;

/// A change seen on a phone: the status it saw, the status it wants, a note, photos.
pub struct FieldUpdate<'a> {
    pub expected: WorkOrderStatus,
    pub to: Option<WorkOrderStatus>,
    pub note: Option<&'a str>,
    pub photos: &'a [String],
}

/// What site staff do to a work order from the field, inside the sync's change.
pub async fn field_update_in(
    change: &mut Change<'_>,
    actor: &Actor,
    id: WorkOrderId,
    update: &FieldUpdate<'_>,
) -> AppResult<()> {
    let w = load_for(change, actor, id, Action::Update).await?;
    let note = update.note.map(str::trim).filter(|n| !n.is_empty());
    if update.to.is_none() && note.is_none() && update.photos.is_empty() {
        return Err(AppError::invalid("change", "Nothing to change"));
    }
    if note.is_some_and(|n| n.chars().count() > 10_000) {
        return Err(AppError::invalid(
            "note",
            "The note must be 10,000 characters or fewer",
        ));
    }
    if let Some(to) = update.to {
        if w.status != update.expected {
            return Err(AppError::conflict(
                "stale",
                format!(
                    "Work order {} is now {}: it changed while you were offline, so it was not moved to {}.",
                    w.reference,
                    w.status.label().to_lowercase(),
                    to.label().to_lowercase()
                ),
            ));
        }
        if !to.is_field_move() {
            return Err(AppError::Forbidden);
        }
        move_to(change, actor, &w, to).await?;
        change
            .record(Event::new(
                RecordType::WorkOrder,
                id,
                AuditAction::StatusChange,
                format!("moved {} to {}", w.reference, to.label().to_lowercase()),
                json!({ "from": w.status.code(), "to": to.code() }),
            ))
            .await?;
    }
    let now = change.now;
    if let Some(note) = note {
        store::insert_note(
            change,
            actor.org,
            id,
            &actor.display_name,
            actor.channel,
            note,
            now,
        )
        .await?;
        change
            .record(Event::new(
                RecordType::WorkOrder,
                id,
                AuditAction::Update,
                format!("added a note to {}", w.reference),
                json!({ "note": note }),
            ))
            .await?;
    }
    if !update.photos.is_empty() {
        crate::services::files::attach_in(
            change,
            actor,
            RecordType::WorkOrder,
            &id.to_string(),
            update.photos,
        )
        .await?;
        let n = update.photos.len();
        change
            .record(Event::new(
                RecordType::WorkOrder,
                id,
                AuditAction::Upload,
                format!(
                    "added {n} photo{} to {}",
                    if n == 1 { "" } else { "s" },
                    w.reference
                ),
                json!({ "photos": update.photos }),
            ))
            .await?;
    }
    Ok(())
}

/// A note and a photo from the office: what was agreed on the phone, a picture the resident
/// sent. The photo is cleaned of its personal metadata like any other.
pub async fn office_note(
    app: &App,
    actor: &Actor,
    id: WorkOrderId,
    note: &str,
    photo: Option<&[u8]>,
) -> AppResult<()> {
    let note = note.trim();
    if note.is_empty() && photo.is_none() {
        return Err(AppError::invalid("note", "Write a note or choose a photo"));
    }
    if note.chars().count() > 10_000 {
        return Err(AppError::invalid(
            "note",
            "The note must be 10,000 characters or fewer",
        ));
    }
    let cleaned = match photo {
        Some(bytes) if bytes.len() as u64 > proplink_shared::sync::MAX_PHOTO_BYTES => {
            return Err(AppError::invalid(
                "photo",
                "The photo must be smaller than 25 MB",
            ));
        }
        Some(bytes) => Some(
            crate::services::files::photos::clean(bytes)
                .map_err(|e| AppError::invalid("photo", e.to_string()))?,
        ),
        None => None,
    };
    let mut change = Change::begin(app, actor).await?;
    let w = load_for(&mut change, actor, id, Action::Update).await?;
    let now = change.now;
    if !note.is_empty() {
        store::insert_note(
            &mut change,
            actor.org,
            id,
            &actor.display_name,
            actor.channel,
            note,
            now,
        )
        .await?;
        change
            .record(Event::new(
                RecordType::WorkOrder,
                id,
                AuditAction::Update,
                format!("added a note to {}", w.reference),
                json!({ "note": note }),
            ))
            .await?;
    }
    if let Some((kind, bytes)) = cleaned {
        let sha = crate::services::files::keep(
            app,
            &mut change,
            actor.org,
            kind.content_type(),
            bytes,
            now,
        )
        .await?;
        crate::store::files::attach(
            &mut change,
            actor.org,
            RecordType::WorkOrder,
            &id.to_string(),
            &sha,
            now,
        )
        .await?;
        change
            .record(Event::new(
                RecordType::WorkOrder,
                id,
                AuditAction::Upload,
                format!("added 1 photo to {}", w.reference),
                json!({ "photos": [sha] }),
            ))
            .await?;
    }
    change.commit().await
}
