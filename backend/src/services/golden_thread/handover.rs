//! The handover pack: a building's whole golden thread — every part as it stands and every
//! earlier version — as one document, for the Regulator or whoever keeps the thread next.
//! Every export is in the building's trail.

use proplink_shared::audit::AuditAction;
use proplink_shared::records::{FieldKind, GoldenThreadCategory, RecordType, occurrence_notified};
use proplink_shared::{Action, Actor, BuildingId};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{PartVersion, hrb, read, readable};
use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::services::change::{Change, Event};
use crate::store::notices::Document;
use crate::store::occurrences::OccurrenceReport;
use crate::store::places::Building;
use crate::store::thread as store;

/// One part and all its versions, newest first.
#[derive(Clone, Debug)]
pub struct PartHistory {
    pub section: GoldenThreadCategory,
    pub versions: Vec<PartVersion>,
}

/// The pack as exported.
#[derive(Clone, Debug)]
pub struct Handover {
    pub organisation: String,
    pub building: Building,
    /// Every part recorded, in the thread's order.
    pub parts: Vec<PartHistory>,
    /// The mandatory occurrences the Regulator was told of, newest first.
    pub occurrences: Vec<OccurrenceReport>,
    /// The documents in the thread's folders, as an index.
    pub documents: Vec<Document>,
    pub exported_at: OffsetDateTime,
    pub exported_by: String,
}

/// How the pack is exported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Pdf,
    Json,
}

impl Format {
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Format::Pdf => "PDF",
            Format::Json => "JSON",
        }
    }
}

/// The pack for `actor`, noted in the building's trail with its format.
pub async fn export(
    app: &App,
    actor: &Actor,
    building: BuildingId,
    format: Format,
) -> AppResult<Handover> {
    let documents = super::documents::of_building(app, actor, building).await?;
    let mut change = Change::begin(app, actor).await?;
    // The whole thread: the Regulator's parts, occurrences included, not only residents'.
    let b = hrb(
        &mut change,
        actor,
        building,
        Action::Read,
        Some(GoldenThreadCategory::MandatoryOccurrence),
    )
    .await?;
    let mut parts: Vec<PartHistory> = Vec::new();
    for v in store::all_versions(&mut change, actor.org, building)
        .await?
        .into_iter()
        .filter_map(read)
        .filter(|v| readable(actor, &b, v.section))
    {
        match parts.last_mut() {
            Some(p) if p.section == v.section => p.versions.push(v),
            _ => parts.push(PartHistory {
                section: v.section,
                versions: vec![v],
            }),
        }
    }
    parts.sort_by_key(|p| {
        GoldenThreadCategory::ALL
            .iter()
            .position(|c| *c == p.section)
    });
    let occurrences: Vec<OccurrenceReport> =
        crate::store::occurrences::of_building(&mut change, actor.org, building)
            .await?
            .into_iter()
            .filter(|o| occurrence_notified(o.status))
            .collect();
    let organisation = crate::store::orgs::by_id(&mut change, actor.org)
        .await?
        .ok_or(AppError::NotFound)?
        .name;
    let versions: usize = parts.iter().map(|p| p.versions.len()).sum();
    change
        .record(Event::new(
            RecordType::GoldenThread,
            building,
            AuditAction::Download,
            format!(
                "exported the golden thread of {} as a handover pack ({})",
                b.name,
                format.label()
            ),
            json!({ "format": format.label(), "parts": parts.len(), "versions": versions }),
        ))
        .await?;
    let exported_at = change.now;
    change.commit().await?;
    Ok(Handover {
        organisation,
        building: b,
        parts,
        occurrences,
        documents,
        exported_at,
        exported_by: actor.display_name.clone(),
    })
}

fn timestamp(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_default()
}

/// A field's value as people read it: a choice by its label.
#[must_use]
pub fn shown(kind: FieldKind, value: &str) -> String {
    match kind {
        FieldKind::Choice(choices) => choices
            .iter()
            .find(|(code, _)| *code == value)
            .map_or(value, |(_, label)| label)
            .to_owned(),
        _ => value.to_owned(),
    }
}

/// The pack as JSON: structured, with every field by its name, label and value, so another
/// system can take the thread on.
#[must_use]
pub fn json(h: &Handover) -> Value {
    json!({
        "format": "proplink.golden-thread.handover/1",
        "organisation": h.organisation,
        "building": {
            "id": h.building.id,
            "name": h.building.name,
            "bsr_registration": h.building.bsr_registration,
        },
        "exported_at": timestamp(h.exported_at),
        "exported_by": h.exported_by,
        "parts": h.parts.iter().map(|p| json!({
            "code": p.section.code(),
            "label": p.section.label(),
            "current_version": p.versions.first().map(|v| v.version),
            "versions": p.versions.iter().map(|v| json!({
                "version": v.version,
                "saved_at": timestamp(v.at),
                "saved_by": v.author,
                "door": v.channel.label(),
                "change_note": v.change_note,
                "fields": p.section.fields().iter().filter_map(|f| v.body.get(f.name).map(|value| json!({
                    "name": f.name,
                    "label": f.label,
                    "value": value,
                    "shown": shown(f.kind, value),
                }))).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "mandatory_occurrences": h.occurrences.iter().map(|o| json!({
            "reference": o.reference,
            "status": o.status.code(),
            "what_happened": o.what_happened,
            "aware_on": o.aware_on.to_string(),
            "due_on": o.due_on.to_string(),
            "notice_reference": o.notice_reference,
            "notified_at": o.notified_at.map(timestamp),
            "report": o.report,
            "reported_at": o.reported_at.map(timestamp),
            "kept_until": o.keep_until.to_string(),
        })).collect::<Vec<_>>(),
        "documents": h.documents.iter().map(|d| json!({
            "id": d.id,
            "folder": d.folder,
            "title": d.title,
            "filename": d.filename,
            "version": d.version,
            "content_type": d.content_type,
            "size_bytes": d.size_bytes,
            "sha256": d.sha256,
        })).collect::<Vec<_>>(),
    })
}
