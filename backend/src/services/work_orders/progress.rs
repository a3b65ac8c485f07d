//! The work itself, as its contractor reports it (or the office for them): who may take each
//! step, updates and completion with notes and photos, the office told of each.

use proplink_shared::audit::AuditAction;
use proplink_shared::records::RecordType;
use proplink_shared::states::WorkOrderStatus;
use proplink_shared::{Actor, Principal, WorkOrderId, WorkStep};
use serde_json::json;

use super::{load_for, move_to, office};
use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::services::change::{Change, Event};
use crate::services::files::photos::{self, CleanPhoto, SentPhoto};
use crate::store::work_orders::{self as store, WorkOrder};

/// Loads a work order for a step a contractor takes, or staff take for them: a contractor
/// quotes while quotes are taken, and works only on work awarded to them while it is under
/// way (once complete, it is read-only to them).
pub(crate) async fn load_for_step(
    change: &mut Change<'_>,
    actor: &Actor,
    id: WorkOrderId,
    step: WorkStep,
) -> AppResult<WorkOrder> {
    let w = load_for(change, actor, id, actor.action_for(step)).await?;
    let Principal::Contractor { vendor, .. } = actor.principal else {
        return Ok(w);
    };
    if step.open_to(vendor, w.vendor_id, w.status) {
        return Ok(w);
    }
    let status = w.status.label().to_lowercase();
    Err(AppError::conflict(
        "stale",
        match step {
            WorkStep::Quote => format!(
                "Work order {} is {status} and no longer takes quotes.",
                w.reference
            ),
            _ if w.vendor_id != Some(vendor) => format!(
                "Work order {} has not been awarded to you, so there is nothing to report on it yet.",
                w.reference
            ),
            _ => format!(
                "Work order {} is {status}, so it can no longer be changed here. If more is needed, the office will send it back to you.",
                w.reference
            ),
        },
    ))
}

/// What a contractor (or the office for them) says of the work: a note, and photos of it.
pub struct WorkReport<'a> {
    pub note: &'a str,
    pub photos: &'a [SentPhoto<'a>],
}

impl WorkReport<'_> {
    /// The note trimmed and the photos cleaned, or what is wrong with them.
    fn checked(&self, note_required: &str) -> AppResult<(String, Vec<CleanPhoto>)> {
        let note = self.note.trim();
        let mut errors = proplink_shared::records::ValidationErrors::default();
        if note.is_empty() {
            errors.add("note", note_required);
        } else if note.chars().count() > 10_000 {
            errors.add("note", "The note must be 10,000 characters or fewer");
        }
        let cleaned = photos::clean_all(self.photos).unwrap_or_else(|message| {
            errors.add("photos", message);
            Vec::new()
        });
        errors
            .into_result((note.to_owned(), cleaned))
            .map_err(AppError::Invalid)
    }
}

/// Progress from the contractor or the site: starting the work, or a note on the way, with
/// photos. The office is told.
pub async fn report_progress(
    app: &App,
    actor: &Actor,
    id: WorkOrderId,
    report: &WorkReport<'_>,
) -> AppResult<()> {
    let (note, cleaned) = report.checked("Say how the work is going")?;
    let mut change = Change::begin(app, actor).await?;
    let w = load_for_step(&mut change, actor, id, WorkStep::Progress).await?;
    if matches!(actor.principal, Principal::Contractor { .. }) {
        let sent = store::notes(&mut change, actor.org, id)
            .await?
            .iter()
            .filter(|n| {
                n.channel == proplink_shared::audit::Channel::ContractorPort
                    && n.author_name == actor.display_name
            })
            .count();
        if sent >= proplink_shared::records::MAX_UPDATES_PER_CONTRACTOR {
            return Err(AppError::conflict(
                "too_many",
                format!(
                    "You have sent {sent} updates on {}: call the office, or mark the work complete.",
                    w.reference
                ),
            ));
        }
    }
    match w.status {
        WorkOrderStatus::Approved => {
            move_to(&mut change, actor, &w, WorkOrderStatus::InProgress).await?
        }
        WorkOrderStatus::InProgress => {}
        other => {
            return Err(AppError::conflict(
                "stale",
                format!(
                    "Work order {} is {}; progress can be reported once it is approved.",
                    w.reference,
                    other.label().to_lowercase()
                ),
            ));
        }
    }
    let shas = note_with_photos(&mut change, actor, &w, &note, cleaned).await?;
    change
        .record(Event::new(
            RecordType::WorkOrder,
            id,
            AuditAction::StatusChange,
            format!("reported progress on {}: {note}", w.reference),
            json!({ "note": note, "photos": shas }),
        ))
        .await?;
    office::tell_office(&mut change, actor, &w, "reported progress", &note).await?;
    change.commit().await
}

/// The work is done, said with a note and photos; the manager reviews it next. Work not yet
/// started is started and finished in one step: a small job is often both.
pub async fn mark_complete(
    app: &App,
    actor: &Actor,
    id: WorkOrderId,
    report: &WorkReport<'_>,
) -> AppResult<()> {
    let (note, cleaned) = report.checked("Say what was done")?;
    let mut change = Change::begin(app, actor).await?;
    let mut w = load_for_step(&mut change, actor, id, WorkStep::Complete).await?;
    let from = w.status;
    if w.status == WorkOrderStatus::Approved {
        move_to(&mut change, actor, &w, WorkOrderStatus::InProgress).await?;
        w.status = WorkOrderStatus::InProgress;
    }
    move_to(&mut change, actor, &w, WorkOrderStatus::Completed).await?;
    let shas = note_with_photos(&mut change, actor, &w, &note, cleaned).await?;
    change
        .record(Event::new(
            RecordType::WorkOrder,
            id,
            AuditAction::StatusChange,
            format!("marked {} complete: {note}", w.reference),
            json!({ "from": from.code(), "to": WorkOrderStatus::Completed.code(), "note": note, "photos": shas }),
        ))
        .await?;
    office::tell_office(
        &mut change,
        actor,
        &w,
        "marked the work complete",
        &format!("{note}\n\nReview the work and close the work order, or send it back."),
    )
    .await?;
    change.commit().await
}

/// Adds a note and photos to a work order inside a change; returns the photos' hashes.
async fn note_with_photos(
    change: &mut Change<'_>,
    actor: &Actor,
    w: &WorkOrder,
    note: &str,
    cleaned: Vec<CleanPhoto>,
) -> AppResult<Vec<String>> {
    let now = change.now;
    store::insert_note(
        change,
        actor.org,
        w.id,
        &actor.display_name,
        actor.channel,
        note,
        now,
    )
    .await?;
    crate::services::files::keep_photos_on(
        change,
        RecordType::WorkOrder,
        &w.id.to_string(),
        cleaned,
    )
    .await
}
