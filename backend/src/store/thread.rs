//! The golden thread's versions: written once, read whole.

use proplink_shared::audit::Channel;
use proplink_shared::{BuildingId, ContactId, OrgId};
use time::OffsetDateTime;

use super::{Conn, DbResult};
use crate::{params, read_model};

read_model! {
    pub struct ThreadVersion {
        pub section: String = "t.section",
        pub version: i64 = "t.version",
        /// The fields, a JSON object.
        pub body: String = "t.body",
        pub change_note: String = "t.change_note",
        pub author_name: String = "t.author_name",
        pub channel: Channel = "t.channel",
        pub created_at: OffsetDateTime = "t.created_at",
    }
}

/// A version to write.
pub struct NewVersion<'a> {
    pub org: OrgId,
    pub building: BuildingId,
    pub section: &'a str,
    pub version: i64,
    pub body: &'a str,
    pub change_note: &'a str,
    pub author_kind: &'a str,
    pub author_id: Option<&'a str>,
    pub author_name: &'a str,
    pub channel: Channel,
}

/// Writes a version; a version of that number already there is a unique violation (someone
/// saved first).
pub async fn insert(conn: &mut Conn, v: &NewVersion<'_>, now: OffsetDateTime) -> DbResult<()> {
    conn.execute(
        "INSERT INTO thread_versions (organisation_id, building_id, section, version, body, change_note, author_kind, author_id, author_name, channel, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        params![v.org, v.building, v.section, v.version, v.body, v.change_note, v.author_kind, v.author_id, v.author_name, v.channel, now],
    )
    .await?;
    Ok(())
}

/// Each part of a building's thread as it stands: its highest version.
pub async fn current(
    conn: &mut Conn,
    org: OrgId,
    building: BuildingId,
) -> DbResult<Vec<ThreadVersion>> {
    conn.query(
        &format!(
            "SELECT {} FROM thread_versions t WHERE t.organisation_id = $1 AND t.building_id = $2 \
             AND t.version = (SELECT MAX(x.version) FROM thread_versions x WHERE x.organisation_id = t.organisation_id \
             AND x.building_id = t.building_id AND x.section = t.section) ORDER BY t.section",
            ThreadVersion::COLUMNS
        ),
        params![org, building],
    )
    .await
}

/// Every version of one part, newest first.
pub async fn history(
    conn: &mut Conn,
    org: OrgId,
    building: BuildingId,
    section: &str,
) -> DbResult<Vec<ThreadVersion>> {
    conn.query(
        &format!(
            "SELECT {} FROM thread_versions t WHERE t.organisation_id = $1 AND t.building_id = $2 AND t.section = $3 \
             ORDER BY t.version DESC",
            ThreadVersion::COLUMNS
        ),
        params![org, building, section],
    )
    .await
}

/// The newest version of one part, if there is any.
pub async fn latest_version(
    conn: &mut Conn,
    org: OrgId,
    building: BuildingId,
    section: &str,
) -> DbResult<Option<i64>> {
    conn.scalar(
        "SELECT MAX(version) FROM thread_versions WHERE organisation_id = $1 AND building_id = $2 AND section = $3",
        params![org, building, section],
    )
    .await
}

pub async fn version(
    conn: &mut Conn,
    org: OrgId,
    building: BuildingId,
    section: &str,
    version: i64,
) -> DbResult<Option<ThreadVersion>> {
    conn.query_opt(
        &format!(
            "SELECT {} FROM thread_versions t WHERE t.organisation_id = $1 AND t.building_id = $2 AND t.section = $3 \
             AND t.version = $4",
            ThreadVersion::COLUMNS
        ),
        params![org, building, section, version],
    )
    .await
}

read_model! {
    /// The fire-safety information issued to one resident, and when they opened it.
    pub struct Delivery {
        pub contact_id: ContactId = "d.contact_id",
        pub version: i64 = "d.version",
        pub issued_at: OffsetDateTime = "d.issued_at",
        pub issued_by_name: String = "d.issued_by_name",
        pub opened_at: Option<OffsetDateTime> = "d.opened_at",
    }
}

/// A resident's copy of the fire-safety information to record as issued.
pub struct NewDelivery<'a> {
    pub org: OrgId,
    pub building: BuildingId,
    pub contact: ContactId,
    pub version: i64,
    pub issued_by: &'a str,
}

/// Records an issue; false if this version was already issued to them today (another
/// process, or staff, got there first).
pub async fn insert_delivery(
    conn: &mut Conn,
    d: &NewDelivery<'_>,
    today: time::Date,
    now: OffsetDateTime,
) -> DbResult<bool> {
    Ok(conn
        .execute(
            "INSERT INTO fire_safety_deliveries (id, organisation_id, building_id, contact_id, version, issued_at, issued_by_name, issued_on) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (organisation_id, building_id, contact_id, version, issued_on) DO NOTHING",
            params![uuid::Uuid::now_v7().to_string(), d.org, d.building, d.contact, d.version, now, d.issued_by, today],
        )
        .await?
        == 1)
}

/// Every issue of a building's fire-safety information, newest first.
pub async fn deliveries(
    conn: &mut Conn,
    org: OrgId,
    building: BuildingId,
) -> DbResult<Vec<Delivery>> {
    conn.query(
        &format!(
            "SELECT {} FROM fire_safety_deliveries d WHERE d.organisation_id = $1 AND d.building_id = $2 \
             ORDER BY d.issued_at DESC, d.id DESC",
            Delivery::COLUMNS
        ),
        params![org, building],
    )
    .await
}

/// Records that a resident opened what was issued to them: returns how many issues that was
/// the first opening of.
pub async fn mark_opened(
    conn: &mut Conn,
    org: OrgId,
    building: BuildingId,
    contact: ContactId,
    now: OffsetDateTime,
) -> DbResult<u64> {
    conn.execute(
        "UPDATE fire_safety_deliveries SET opened_at = $4 WHERE organisation_id = $1 AND building_id = $2 \
         AND contact_id = $3 AND opened_at IS NULL",
        params![org, building, contact, now],
    )
    .await
}

/// Whether a resident has an issue of the building's fire-safety information not yet opened.
pub async fn unopened(
    conn: &mut Conn,
    org: OrgId,
    building: BuildingId,
    contact: ContactId,
) -> DbResult<bool> {
    let n: i64 = conn
        .scalar(
            "SELECT COUNT(*) FROM fire_safety_deliveries WHERE organisation_id = $1 AND building_id = $2 \
             AND contact_id = $3 AND opened_at IS NULL",
            params![org, building, contact],
        )
        .await?;
    Ok(n > 0)
}

/// Every version of every part of a building's thread: by part, newest version first.
pub async fn all_versions(
    conn: &mut Conn,
    org: OrgId,
    building: BuildingId,
) -> DbResult<Vec<ThreadVersion>> {
    conn.query(
        &format!(
            "SELECT {} FROM thread_versions t WHERE t.organisation_id = $1 AND t.building_id = $2 \
             ORDER BY t.section, t.version DESC",
            ThreadVersion::COLUMNS
        ),
        params![org, building],
    )
    .await
}

/// Every higher-risk building, of every organisation, whose fire-safety information staff
/// have issued through PropLink at least once: those PropLink keeps issued.
pub async fn buildings_issuing(conn: &mut Conn) -> DbResult<Vec<(OrgId, BuildingId)>> {
    conn.query(
        "SELECT DISTINCT d.organisation_id, d.building_id FROM fire_safety_deliveries d \
         JOIN buildings b ON b.organisation_id = d.organisation_id AND b.id = d.building_id \
         WHERE b.is_hrb ORDER BY d.organisation_id, d.building_id",
        params![],
    )
    .await
}
