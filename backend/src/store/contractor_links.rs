//! ContractorPort's links and the sessions they are traded for.

use proplink_shared::{OrgId, StaffUserId, VendorId, WorkOrderId};
use time::OffsetDateTime;

use super::{Conn, DbResult};
use crate::{params, read_model};

read_model! {
    /// A link, found by the hash of its token.
    pub struct Link {
        pub token_hash: String = "l.token_hash",
        pub org: OrgId = "l.organisation_id",
        pub work_order_id: WorkOrderId = "l.work_order_id",
        pub vendor_id: VendorId = "l.vendor_id",
        pub expires_at: OffsetDateTime = "l.expires_at",
        /// `replaced` or `revoked` once it no longer opens.
        pub ended: Option<String> = "l.ended",
        pub used_at: Option<OffsetDateTime> = "l.used_at",
        /// The staff member who sent it: told of what the contractor does.
        pub invited_by: Option<StaffUserId> = "l.invited_by",
    }
}

pub struct NewLink<'a> {
    pub token_hash: &'a str,
    pub org: OrgId,
    pub work_order: WorkOrderId,
    pub vendor: VendorId,
    pub expires_at: OffsetDateTime,
    pub invited_by: Option<StaffUserId>,
}

/// Ends the live links of a contractor on a work order (`vendor` `None`: every contractor's),
/// saying why, and with them the sessions of links renewed since; returns how many.
pub async fn end_links(
    conn: &mut Conn,
    org: OrgId,
    work_order: WorkOrderId,
    vendor: Option<VendorId>,
    why: &str,
    now: OffsetDateTime,
) -> DbResult<u64> {
    conn.execute(
        "UPDATE contractor_links SET ended = $4, ended_at = $5 WHERE organisation_id = $1 AND work_order_id = $2 \
         AND (CAST($3 AS TEXT) IS NULL OR vendor_id = $3) AND (ended IS NULL OR ended = 'renewed')",
        params![org, work_order, vendor, why, now],
    )
    .await
}

/// Ends every contractor's live links to a work order but `keep`'s, saying why.
pub async fn end_links_but(
    conn: &mut Conn,
    org: OrgId,
    work_order: WorkOrderId,
    keep: VendorId,
    why: &str,
    now: OffsetDateTime,
) -> DbResult<u64> {
    conn.execute(
        "UPDATE contractor_links SET ended = $4, ended_at = $5 WHERE organisation_id = $1 AND work_order_id = $2 \
         AND vendor_id <> $3 AND (ended IS NULL OR ended = 'renewed')",
        params![org, work_order, keep, why, now],
    )
    .await
}

pub async fn insert_link(conn: &mut Conn, l: &NewLink<'_>, now: OffsetDateTime) -> DbResult<()> {
    conn.execute(
        "INSERT INTO contractor_links (token_hash, organisation_id, work_order_id, vendor_id, created_at, expires_at, invited_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        params![l.token_hash, l.org, l.work_order, l.vendor, now, l.expires_at, l.invited_by],
    )
    .await?;
    Ok(())
}

/// The link with this token hash, in whichever organisation: the token is the key.
pub async fn link(conn: &mut Conn, token_hash: &str) -> DbResult<Option<Link>> {
    conn.query_opt(
        &format!(
            "SELECT {} FROM contractor_links l WHERE l.token_hash = $1",
            Link::COLUMNS
        ),
        params![token_hash],
    )
    .await
}

/// Ends one link, if it is still live: false if something ended it first. `renewed` leaves
/// the session it opened be, until the office ends the links of the work order.
pub async fn end_link(
    conn: &mut Conn,
    token_hash: &str,
    why: &str,
    now: OffsetDateTime,
) -> DbResult<bool> {
    let changed = conn
        .execute(
            "UPDATE contractor_links SET ended = $2, ended_at = $3 WHERE token_hash = $1 AND ended IS NULL",
            params![token_hash, why, now],
        )
        .await?;
    Ok(changed == 1)
}

/// Who sent a contractor their latest link to a work order.
pub async fn inviter(
    conn: &mut Conn,
    org: OrgId,
    work_order: WorkOrderId,
    vendor: VendorId,
) -> DbResult<Option<StaffUserId>> {
    let row: Option<(Option<StaffUserId>,)> = conn
        .query_opt(
            "SELECT invited_by FROM contractor_links WHERE organisation_id = $1 AND work_order_id = $2 AND vendor_id = $3 \
             ORDER BY created_at DESC LIMIT 1",
            params![org, work_order, vendor],
        )
        .await?;
    Ok(row.and_then(|(who,)| who))
}

/// Marks a link opened, once: false if it was opened before.
pub async fn use_link(conn: &mut Conn, token_hash: &str, now: OffsetDateTime) -> DbResult<bool> {
    let changed = conn
        .execute(
            "UPDATE contractor_links SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL",
            params![token_hash, now],
        )
        .await?;
    Ok(changed == 1)
}

pub struct NewSession<'a> {
    pub id_hash: &'a str,
    pub link: &'a Link,
    pub csrf_token: &'a str,
    pub expires_at: OffsetDateTime,
}

pub async fn insert_session(
    conn: &mut Conn,
    s: &NewSession<'_>,
    now: OffsetDateTime,
) -> DbResult<()> {
    conn.execute(
        "INSERT INTO contractor_sessions (id_hash, organisation_id, work_order_id, vendor_id, link_hash, csrf_token, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        params![s.id_hash, s.link.org, s.link.work_order_id, s.link.vendor_id, s.link.token_hash, s.csrf_token, now, s.expires_at],
    )
    .await?;
    Ok(())
}

read_model! {
    /// A session and the link it came from, which must still be live.
    pub struct Session {
        pub id_hash: String = "s.id_hash",
        pub csrf_token: String = "s.csrf_token",
        pub expires_at: OffsetDateTime = "s.expires_at",
        pub link_ended: Option<String> = "l.ended",
        pub link_expires_at: OffsetDateTime = "l.expires_at",
        pub org: OrgId = "l.organisation_id",
        pub work_order_id: WorkOrderId = "l.work_order_id",
        pub vendor_id: VendorId = "l.vendor_id",
    }
}

pub async fn session(conn: &mut Conn, id_hash: &str) -> DbResult<Option<Session>> {
    conn.query_opt(
        &format!(
            "SELECT {} FROM contractor_sessions s JOIN contractor_links l ON l.token_hash = s.link_hash WHERE s.id_hash = $1",
            Session::COLUMNS
        ),
        params![id_hash],
    )
    .await
}

/// The contractors with a live link to a work order: who, and until when.
pub async fn live_links(
    conn: &mut Conn,
    org: OrgId,
    work_order: WorkOrderId,
    now: OffsetDateTime,
) -> DbResult<Vec<(VendorId, String, OffsetDateTime, Option<OffsetDateTime>)>> {
    conn.query(
        "SELECT l.vendor_id, v.name, l.expires_at, l.used_at FROM contractor_links l \
         JOIN vendors v ON v.organisation_id = l.organisation_id AND v.id = l.vendor_id \
         WHERE l.organisation_id = $1 AND l.work_order_id = $2 AND l.ended IS NULL AND l.expires_at > $3 \
         ORDER BY v.name",
        params![org, work_order, now],
    )
    .await
}
