//! Mandatory occurrence reports: written once as a draft, then moved on by their notice, their
//! report or their dismissal. No row is ever deleted.

use proplink_shared::states::OccurrenceStatus;
use proplink_shared::{BuildingId, OrgId, TicketId};
use time::{Date, OffsetDateTime};

use super::{Conn, DbResult};
use crate::{params, read_model};

read_model! {
    pub struct OccurrenceReport {
        pub id: String = "o.id",
        pub building_id: BuildingId = "o.building_id",
        pub reference: String = "o.reference",
        pub ticket_id: Option<TicketId> = "o.ticket_id",
        pub status: OccurrenceStatus = "o.status",
        pub what_happened: String = "o.what_happened",
        pub fire_or_smoke_spread: bool = "o.fire_or_smoke_spread",
        pub structural_failure: bool = "o.structural_failure",
        pub significant_harm: bool = "o.significant_harm",
        pub aware_on: Date = "o.aware_on",
        pub due_on: Date = "o.due_on",
        pub notice_reference: Option<String> = "o.notice_reference",
        pub notified_at: Option<OffsetDateTime> = "o.notified_at",
        pub notified_by_name: Option<String> = "o.notified_by_name",
        pub report: Option<String> = "o.report",
        pub reported_at: Option<OffsetDateTime> = "o.reported_at",
        pub reported_by_name: Option<String> = "o.reported_by_name",
        pub dismissed_reason: Option<String> = "o.dismissed_reason",
        pub dismissed_at: Option<OffsetDateTime> = "o.dismissed_at",
        pub dismissed_by_name: Option<String> = "o.dismissed_by_name",
        pub keep_until: Date = "o.keep_until",
        pub created_by_name: String = "o.created_by_name",
        pub created_at: OffsetDateTime = "o.created_at",
    }
}

/// A draft to write.
pub struct NewReport<'a> {
    pub id: &'a str,
    pub org: OrgId,
    pub building: BuildingId,
    pub reference: &'a str,
    pub ticket: Option<TicketId>,
    pub what_happened: &'a str,
    pub signs: proplink_shared::records::Occurrence,
    pub aware_on: Date,
    pub due_on: Date,
    pub keep_until: Date,
    pub created_by: &'a str,
}

pub async fn insert(conn: &mut Conn, r: &NewReport<'_>, now: OffsetDateTime) -> DbResult<()> {
    conn.execute(
        "INSERT INTO occurrence_reports (id, organisation_id, building_id, reference, ticket_id, status, what_happened, \
         fire_or_smoke_spread, structural_failure, significant_harm, aware_on, due_on, keep_until, created_by_name, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        params![
            r.id, r.org, r.building, r.reference, r.ticket, OccurrenceStatus::Draft, r.what_happened,
            r.signs.fire_or_smoke_spread, r.signs.structural_failure, r.signs.significant_harm,
            r.aware_on, r.due_on, r.keep_until, r.created_by, now
        ],
    )
    .await?;
    Ok(())
}

/// A building's reports, newest first.
pub async fn of_building(
    conn: &mut Conn,
    org: OrgId,
    building: BuildingId,
) -> DbResult<Vec<OccurrenceReport>> {
    conn.query(
        &format!(
            "SELECT {} FROM occurrence_reports o WHERE o.organisation_id = $1 AND o.building_id = $2 \
             ORDER BY o.created_at DESC, o.id DESC",
            OccurrenceReport::COLUMNS
        ),
        params![org, building],
    )
    .await
}

pub async fn one(
    conn: &mut Conn,
    org: OrgId,
    building: BuildingId,
    id: &str,
) -> DbResult<Option<OccurrenceReport>> {
    conn.query_opt(
        &format!(
            "SELECT {} FROM occurrence_reports o WHERE o.organisation_id = $1 AND o.building_id = $2 AND o.id = $3",
            OccurrenceReport::COLUMNS
        ),
        params![org, building, id],
    )
    .await
}

/// How a report moves on: what it becomes and what is kept with that.
pub enum Step<'a> {
    Notified { reference: &'a str },
    Reported { report: &'a str, keep_until: Date },
    Dismissed { reason: &'a str, keep_until: Date },
}

/// Moves a report on from `from`; false if it was no longer in that state (someone else moved
/// it first).
pub async fn step(
    conn: &mut Conn,
    org: OrgId,
    id: &str,
    from: OccurrenceStatus,
    step: &Step<'_>,
    by: &str,
    now: OffsetDateTime,
) -> DbResult<bool> {
    let changed = match step {
        Step::Notified { reference } => {
            conn.execute(
                "UPDATE occurrence_reports SET status = $4, notice_reference = $5, notified_at = $6, notified_by_name = $7 \
                 WHERE organisation_id = $1 AND id = $2 AND status = $3",
                params![org, id, from, OccurrenceStatus::Notified, *reference, now, by],
            )
            .await?
        }
        Step::Reported { report, keep_until } => {
            conn.execute(
                "UPDATE occurrence_reports SET status = $4, report = $5, reported_at = $6, reported_by_name = $7, keep_until = $8 \
                 WHERE organisation_id = $1 AND id = $2 AND status = $3",
                params![org, id, from, OccurrenceStatus::Reported, *report, now, by, *keep_until],
            )
            .await?
        }
        Step::Dismissed { reason, keep_until } => {
            conn.execute(
                "UPDATE occurrence_reports SET status = $4, dismissed_reason = $5, dismissed_at = $6, dismissed_by_name = $7, keep_until = $8 \
                 WHERE organisation_id = $1 AND id = $2 AND status = $3",
                params![org, id, from, OccurrenceStatus::Dismissed, *reason, now, by, *keep_until],
            )
            .await?
        }
    };
    Ok(changed == 1)
}
