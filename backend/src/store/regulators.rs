//! Inspectors of the Building Safety Regulator and the buildings they have been granted.

use proplink_shared::{BuildingId, OrgId, RegulatorId};
use time::OffsetDateTime;

use super::{Conn, DbResult};
use crate::{params, read_model};

read_model! {
    pub struct Inspector {
        pub id: RegulatorId = "r.id",
        pub email: String = "r.email",
        pub name: String = "r.name",
    }
}

read_model! {
    /// A grant of one building's golden thread to one inspector.
    pub struct RegulatorGrant {
        pub id: String = "g.id",
        pub account_id: RegulatorId = "g.account_id",
        pub inspector_name: String = "r.name",
        pub inspector_email: String = "r.email",
        pub building_id: BuildingId = "g.building_id",
        pub building_name: String = "b.name",
        pub granted_by_name: String = "g.granted_by_name",
        pub granted_at: OffsetDateTime = "g.granted_at",
        pub expires_at: OffsetDateTime = "g.expires_at",
        pub revoked_at: Option<OffsetDateTime> = "g.revoked_at",
        pub revoked_by_name: Option<String> = "g.revoked_by_name",
    }
}

impl RegulatorGrant {
    /// Whether the grant lets its inspector in at `now`.
    #[must_use]
    pub fn live_at(&self, now: OffsetDateTime) -> bool {
        self.revoked_at.is_none() && now < self.expires_at
    }
}

const GRANTS: &str = "FROM regulator_grants g \
    JOIN regulator_accounts r ON r.organisation_id = g.organisation_id AND r.id = g.account_id \
    JOIN buildings b ON b.organisation_id = g.organisation_id AND b.id = g.building_id";

pub async fn inspector_by_email(
    conn: &mut Conn,
    org: OrgId,
    email: &str,
) -> DbResult<Option<Inspector>> {
    conn.query_opt(
        &format!(
            "SELECT {} FROM regulator_accounts r WHERE r.organisation_id = $1 AND r.email = $2",
            Inspector::COLUMNS
        ),
        params![org, email],
    )
    .await
}

pub async fn inspector(
    conn: &mut Conn,
    org: OrgId,
    id: RegulatorId,
) -> DbResult<Option<Inspector>> {
    conn.query_opt(
        &format!(
            "SELECT {} FROM regulator_accounts r WHERE r.organisation_id = $1 AND r.id = $2",
            Inspector::COLUMNS
        ),
        params![org, id],
    )
    .await
}

pub async fn insert_inspector(
    conn: &mut Conn,
    org: OrgId,
    inspector: &Inspector,
    now: OffsetDateTime,
) -> DbResult<()> {
    conn.execute(
        "INSERT INTO regulator_accounts (id, organisation_id, email, name, created_at) VALUES ($1, $2, $3, $4, $5)",
        params![inspector.id, org, inspector.email, inspector.name, now],
    )
    .await?;
    Ok(())
}

/// An inspector's name as the organisation last gave it.
pub async fn rename_inspector(
    conn: &mut Conn,
    org: OrgId,
    id: RegulatorId,
    name: &str,
) -> DbResult<()> {
    conn.execute(
        "UPDATE regulator_accounts SET name = $3 WHERE organisation_id = $1 AND id = $2",
        params![org, id, name],
    )
    .await?;
    Ok(())
}

/// A grant to write.
pub struct NewGrant<'a> {
    pub id: &'a str,
    pub org: OrgId,
    pub account: RegulatorId,
    pub building: BuildingId,
    pub granted_by: &'a str,
    pub expires_at: OffsetDateTime,
}

pub async fn insert_grant(conn: &mut Conn, g: &NewGrant<'_>, now: OffsetDateTime) -> DbResult<()> {
    conn.execute(
        "INSERT INTO regulator_grants (id, organisation_id, account_id, building_id, granted_by_name, granted_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        params![g.id, g.org, g.account, g.building, g.granted_by, now, g.expires_at],
    )
    .await?;
    Ok(())
}

/// Ends a live grant now; false if it was not live (revoked or over already).
pub async fn revoke_grant(
    conn: &mut Conn,
    org: OrgId,
    building: BuildingId,
    id: &str,
    by: &str,
    now: OffsetDateTime,
) -> DbResult<bool> {
    Ok(conn
        .execute(
            "UPDATE regulator_grants SET revoked_at = $4, revoked_by_name = $5 \
             WHERE organisation_id = $1 AND building_id = $2 AND id = $3 AND revoked_at IS NULL AND expires_at > $4",
            params![org, building, id, now, by],
        )
        .await?
        == 1)
}

/// Every grant of a building, newest first.
pub async fn grants_of_building(
    conn: &mut Conn,
    org: OrgId,
    building: BuildingId,
) -> DbResult<Vec<RegulatorGrant>> {
    conn.query(
        &format!(
            "SELECT {} {GRANTS} WHERE g.organisation_id = $1 AND g.building_id = $2 ORDER BY g.granted_at DESC, g.id DESC",
            RegulatorGrant::COLUMNS
        ),
        params![org, building],
    )
    .await
}

/// Every grant an inspector holds or held, newest first.
pub async fn grants_of_inspector(
    conn: &mut Conn,
    org: OrgId,
    account: RegulatorId,
) -> DbResult<Vec<RegulatorGrant>> {
    conn.query(
        &format!(
            "SELECT {} {GRANTS} WHERE g.organisation_id = $1 AND g.account_id = $2 ORDER BY g.granted_at DESC, g.id DESC",
            RegulatorGrant::COLUMNS
        ),
        params![org, account],
    )
    .await
}

/// Whether the inspector with this address holds a grant live at `now`.
pub async fn has_live_grant(
    conn: &mut Conn,
    org: OrgId,
    account: RegulatorId,
    now: OffsetDateTime,
) -> DbResult<bool> {
    let n: i64 = conn
        .scalar(
            "SELECT COUNT(*) FROM regulator_grants WHERE organisation_id = $1 AND account_id = $2 \
             AND revoked_at IS NULL AND expires_at > $3",
            params![org, account, now],
        )
        .await?;
    Ok(n > 0)
}

read_model! {
    /// An inspector's session and whose it is.
    pub struct InspectorSessionRow {
        pub csrf_token: String = "s.csrf_token",
        pub last_seen_at: OffsetDateTime = "s.last_seen_at",
        pub expires_at: OffsetDateTime = "s.expires_at",
        pub account_id: RegulatorId = "s.subject_id",
    }
}

/// The session behind a cookie, only on the organisation it was made for and among the
/// inspectors' sessions.
pub async fn session(
    conn: &mut Conn,
    org: OrgId,
    door: &str,
    id_hash: &str,
) -> DbResult<Option<InspectorSessionRow>> {
    conn.query_opt(
        &format!(
            "SELECT {} FROM sessions s WHERE s.id_hash = $1 AND s.organisation_id = $2 AND s.door = $3",
            InspectorSessionRow::COLUMNS
        ),
        params![id_hash, org, door],
    )
    .await
}
