//! A resident's safety concern raised on BuildingThread: a Compliance request about a shared
//! part of their building, and, where what they describe meets the mandatory-occurrence test,
//! a notice to the Regulator pre-filled for staff as an internal note on it — in one change.

use proplink_shared::audit::{AuditAction, Channel};
use proplink_shared::london::format_date;
use proplink_shared::records::{
    CommunalArea, EntryKind, NewTicket, Occurrence, RecordType, TicketCategory, occurrence_due,
};
use proplink_shared::{Actor, BuildingId, Principal, TicketId};
use serde_json::json;

use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::services::change::{Change, Event};
use crate::services::tickets::{self, TicketOrigin};
use crate::store::places;
use crate::store::requests::{self as store, Author};

/// What the resident said.
pub struct Concern<'a> {
    pub area: &'a str,
    pub what: &'a str,
    pub occurrence: Occurrence,
}

/// What came of a concern: the request's reference, and whether a notice was pre-filled.
pub struct Raised {
    pub ticket: TicketId,
    pub reference: String,
    pub may_be_mandatory: bool,
}

/// Raises the concern of `resident` (their ResidencePort rights, through BuildingThread) about
/// `building`, which must be one they live in.
pub async fn raise(
    app: &App,
    resident: &Actor,
    building: BuildingId,
    concern: &Concern<'_>,
) -> AppResult<Raised> {
    let Principal::Resident { buildings, .. } = &resident.principal else {
        return Err(AppError::NotFound);
    };
    if !buildings.contains(&building) {
        return Err(AppError::NotFound);
    }
    let area = CommunalArea::from_code(concern.area);
    let subject = format!(
        "Safety concern: {}",
        area.map_or("somewhere in the building", CommunalArea::label)
            .to_lowercase()
    );
    let priority = TicketCategory::Compliance.resident_priority(false);
    let checked = NewTicket::validate(
        &subject,
        concern.what,
        TicketCategory::Compliance.code(),
        priority.code(),
    );
    let (new, area) = match (checked, area) {
        (Ok(new), Some(area)) => (new, area),
        (checked, _) => {
            let mut errors = checked.err().unwrap_or_default();
            if area.is_none() {
                errors.add("area", "Choose where it is");
            }
            return Err(AppError::Invalid(errors));
        }
    };
    let mut change = Change::begin(app, resident).await?;
    let b = places::building(&mut change, resident.org, building)
        .await?
        .filter(|b| b.is_hrb)
        .ok_or(AppError::NotFound)?;
    let id = TicketId::new();
    let origin = TicketOrigin {
        site: b.site_id,
        unit: None,
        reporter: None,
        assignee: None,
    };
    tickets::raise_at(
        &mut change,
        resident,
        id,
        origin,
        Some((building, area)),
        &new,
    )
    .await?;
    let reference = store::ticket(&mut change, resident.org, id)
        .await?
        .map(|t| t.reference)
        .unwrap_or_default();
    let may_be_mandatory = concern.occurrence.is_mandatory();
    if may_be_mandatory {
        let today = proplink_shared::london::local(change.now).date();
        let (_, occurrence) = super::occurrences::draft_in(
            &mut change,
            building,
            Some(id),
            &new.body,
            concern.occurrence,
            today,
        )
        .await?;
        let note = format!(
            "This may be a mandatory occurrence: the resident says it involves {} and could cause \
             significant harm. A notice to the Building Safety Regulator is due by {} (10 working \
             days from today, if it is confirmed).\n\n\
             A draft occurrence report, {occurrence}, is open in the building's golden thread.\n\n\
             Pre-filled notice\nBuilding: {}\nBSR registration: {}\nWhere: {}\nWhat was reported: {}\nReported by a resident through BuildingThread on {}.",
            [
                concern
                    .occurrence
                    .fire_or_smoke_spread
                    .then_some("fire or smoke spreading"),
                concern
                    .occurrence
                    .structural_failure
                    .then_some("a structural failure"),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" and "),
            format_date(occurrence_due(today)),
            b.name,
            if b.bsr_registration.is_empty() {
                "not recorded"
            } else {
                &b.bsr_registration
            },
            area.label(),
            new.body,
            format_date(today),
        );
        let now = change.now;
        store::insert_entry(
            &mut change,
            resident.org,
            id,
            EntryKind::InternalNote,
            &Author {
                name: "PropLink",
                channel: Channel::BuildingThread,
                contact: None,
            },
            &note,
            now,
        )
        .await?;
        change
            .record(Event::new(
                RecordType::Ticket,
                id,
                AuditAction::InternalNote,
                format!(
                    "raised a safety concern on {reference} that may be a mandatory occurrence: {occurrence} was drafted and a notice to the Regulator pre-filled for staff"
                ),
                json!({ "due": occurrence_due(today).to_string(), "building": building.to_string(), "occurrence": occurrence }),
            ))
            .await?;
    }
    change.commit().await?;
    Ok(Raised {
        ticket: id,
        reference,
        may_be_mandatory,
    })
}

/// The reference of a concern `resident` raised, to thank them by; none for anyone else's.
pub async fn reference_of_mine(
    app: &App,
    resident: &Actor,
    ticket: TicketId,
) -> AppResult<Option<String>> {
    let Principal::Resident { contact, .. } = &resident.principal else {
        return Ok(None);
    };
    let mut conn = app.db.read().await?;
    Ok(store::ticket(&mut conn, resident.org, ticket)
        .await?
        .filter(|t| t.reporter_contact_id == Some(*contact))
        .map(|t| t.reference))
}
