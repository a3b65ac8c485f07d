//! The golden thread's versions: written once, read whole.

use proplink_shared::audit::Channel;
use proplink_shared::{BuildingId, OrgId};
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
