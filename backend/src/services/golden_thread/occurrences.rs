//! Mandatory occurrence reports of a higher-risk building, kept by those who keep its golden
//! thread: drafted by hand or from a resident's concern that meets the test, then the notice
//! sent to the Building Safety Regulator, then the full report, due 10 working days after
//! someone became aware; or dismissed with the reason. Nothing is deleted, and each is kept
//! at least 15 years from when it was settled.

use proplink_shared::audit::AuditAction;
use proplink_shared::london::format_date;
use proplink_shared::records::{
    GoldenThreadCategory, NewOccurrenceReport, Occurrence, RecordType, ValidationErrors,
    occurrence_due, occurrence_kept_until, occurrence_notified, required_text,
};
use proplink_shared::states::OccurrenceStatus;
use proplink_shared::{Action, Actor, BuildingId, Principal, TicketId};
use serde_json::json;
use time::Date;

use super::hrb;
use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::services::change::{Change, Event};
use crate::store::occurrences::{self as store, NewReport, OccurrenceReport, Step};
use crate::store::places::Building;

const PART: Option<GoldenThreadCategory> = Some(GoldenThreadCategory::MandatoryOccurrence);

/// What staff record of an occurrence.
pub struct NewOccurrence<'a> {
    pub what_happened: &'a str,
    /// The day someone became aware of it, `YYYY-MM-DD`.
    pub aware_on: &'a str,
    pub signs: Occurrence,
}

/// Writes a draft in `change`: its reference, due 10 working days after `aware_on`. Used by
/// staff and by a resident's concern alike; the caller has checked who may.
pub(super) async fn draft_in(
    change: &mut Change<'_>,
    building: BuildingId,
    ticket: Option<TicketId>,
    what_happened: &str,
    signs: Occurrence,
    aware_on: Date,
) -> AppResult<(String, String)> {
    let org = change.org();
    let now = change.now;
    let year = proplink_shared::london::local(now).year();
    let reference = proplink_shared::records::reference(
        "MOR",
        year,
        crate::store::next_number(change, org, "MOR", year).await?,
    );
    let id = uuid::Uuid::now_v7().to_string();
    let by = change.who_name();
    store::insert(
        change,
        &NewReport {
            id: &id,
            org,
            building,
            reference: &reference,
            ticket,
            what_happened,
            signs,
            aware_on,
            due_on: occurrence_due(aware_on),
            // Until it is settled, kept 15 years from the day it was drafted at least.
            keep_until: occurrence_kept_until(proplink_shared::london::local(now).date()),
            created_by: &by,
        },
        now,
    )
    .await?;
    Ok((id, reference))
}

/// Records an occurrence as a draft report. Returns its id.
pub async fn record(
    app: &App,
    actor: &Actor,
    building: BuildingId,
    new: &NewOccurrence<'_>,
) -> AppResult<String> {
    let mut change = Change::begin(app, actor).await?;
    let b = hrb(&mut change, actor, building, Action::Update, PART).await?;
    let today = proplink_shared::london::local(change.now).date();
    let NewOccurrenceReport {
        what_happened,
        aware_on,
        signs,
    } = NewOccurrenceReport::validate(new.what_happened, new.aware_on, new.signs, today)?;
    // A report is never deleted: the same draft sent twice (a double click, a resent form) is
    // recorded once.
    crate::store::places::lock_building(&mut change, actor.org, building).await?;
    if let Some(same) = store::of_building(&mut change, actor.org, building)
        .await?
        .into_iter()
        .find(|r| {
            r.status == OccurrenceStatus::Draft
                && r.aware_on == aware_on
                && r.what_happened == what_happened
        })
    {
        return Err(AppError::conflict(
            "already_recorded",
            format!(
                "This occurrence is already recorded as {}, still a draft: carry on with it there.",
                same.reference
            ),
        ));
    }
    let (id, reference) =
        draft_in(&mut change, building, None, &what_happened, signs, aware_on).await?;
    change
        .record(Event::new(
            RecordType::GoldenThread,
            building,
            AuditAction::Create,
            format!(
                "recorded {reference}, a possible mandatory occurrence at {}: the report is due by {}",
                b.name,
                format_date(occurrence_due(aware_on))
            ),
            json!({ "occurrence": id, "reference": reference, "aware_on": aware_on.to_string() }),
        ))
        .await?;
    change.commit().await?;
    Ok(id)
}

/// How staff move a report on.
pub enum Next<'a> {
    /// The notice went to the Regulator; their reference for it.
    Notice { reference: &'a str },
    /// The full report went.
    Report { report: &'a str },
    /// It does not meet the test, and why.
    Dismiss { reason: &'a str },
}

/// Moves a report on, if it may go there from where it is.
pub async fn advance(
    app: &App,
    actor: &Actor,
    building: BuildingId,
    id: &str,
    next: &Next<'_>,
) -> AppResult<()> {
    let mut change = Change::begin(app, actor).await?;
    let b = hrb(&mut change, actor, building, Action::Update, PART).await?;
    let report = store::one(&mut change, actor.org, building, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let today = proplink_shared::london::local(change.now).date();
    let mut errors = ValidationErrors::default();
    let (to, step, what) = match next {
        Next::Notice { reference } => {
            let reference = required_text(
                &mut errors,
                "reference",
                "the Regulator's reference",
                reference,
                100,
            );
            (OccurrenceStatus::Notified, reference, "sent the notice of")
        }
        Next::Report { report } => (
            OccurrenceStatus::Reported,
            required_text(&mut errors, "report", "the report", report, 20_000),
            "sent the full report of",
        ),
        Next::Dismiss { reason } => (
            OccurrenceStatus::Dismissed,
            required_text(
                &mut errors,
                "reason",
                "why it is not a mandatory occurrence",
                reason,
                2000,
            ),
            "dismissed as not a mandatory occurrence",
        ),
    };
    errors.into_result(())?;
    if !report.status.next_states().contains(&to) {
        return Err(AppError::conflict(
            "wrong_state",
            format!(
                "{} is \"{}\": it cannot be {} now.",
                report.reference,
                report.status.label(),
                to.label().to_lowercase()
            ),
        ));
    }
    let keep_until = occurrence_kept_until(today);
    let stored = match to {
        OccurrenceStatus::Notified => Step::Notified { reference: &step },
        OccurrenceStatus::Reported => Step::Reported {
            report: &step,
            keep_until,
        },
        _ => Step::Dismissed {
            reason: &step,
            keep_until,
        },
    };
    let by = actor.display_name.clone();
    let now = change.now;
    if !store::step(&mut change, actor.org, id, report.status, &stored, &by, now).await? {
        return Err(AppError::conflict(
            "stale",
            format!(
                "Someone else moved {} on meanwhile. Reload it to see where it stands.",
                report.reference
            ),
        ));
    }
    change
        .record(Event::new(
            RecordType::GoldenThread,
            building,
            AuditAction::StatusChange,
            match next {
                Next::Notice { .. } => format!(
                    "{what} {} at {} to the Building Safety Regulator (their reference {step})",
                    report.reference, b.name
                ),
                Next::Report { .. } => format!(
                    "{what} {} at {} to the Building Safety Regulator",
                    report.reference, b.name
                ),
                Next::Dismiss { .. } => format!("{} at {}: {what}", report.reference, b.name),
            },
            json!({ "occurrence": id, "from": report.status.code(), "to": to.code() }),
        ))
        .await?;
    change.commit().await?;
    Ok(())
}

/// A building and its reports, newest first. The Building Safety Regulator sees only those
/// it was notified of: never a draft, nor one dismissed and why.
pub async fn list(
    app: &App,
    actor: &Actor,
    building: BuildingId,
) -> AppResult<(Building, Vec<OccurrenceReport>)> {
    let mut conn = app.db.read().await?;
    let b = hrb(&mut conn, actor, building, Action::Read, PART).await?;
    let reports = store::of_building(&mut conn, actor.org, building)
        .await?
        .into_iter()
        .filter(|r| may_see(actor, r))
        .collect();
    Ok((b, reports))
}

fn may_see(actor: &Actor, report: &OccurrenceReport) -> bool {
    !matches!(actor.principal, Principal::Regulator { .. }) || occurrence_notified(report.status)
}

/// One report.
pub async fn one(
    app: &App,
    actor: &Actor,
    building: BuildingId,
    id: &str,
) -> AppResult<(Building, OccurrenceReport)> {
    let mut conn = app.db.read().await?;
    let b = hrb(&mut conn, actor, building, Action::Read, PART).await?;
    let report = store::one(&mut conn, actor.org, building, id)
        .await?
        .filter(|r| may_see(actor, r))
        .ok_or(AppError::NotFound)?;
    Ok((b, report))
}
