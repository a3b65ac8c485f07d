//! One-time codes, rate events and server-side sessions.

use proplink_shared::{OrgId, Role, SiteId, StaffUserId};
use time::OffsetDateTime;

use super::orgs::StaffUser;
use super::{Conn, DbResult};
use crate::{params, read_model};

read_model! {
    /// A sign-in code that may still be used.
    pub struct Code {
        pub id: String = "id",
        pub code_hash: String = "code_hash",
        pub attempts: i64 = "attempts",
    }
}

/// Where and for whom a code was issued.
pub struct CodeFor<'a> {
    pub org: OrgId,
    pub door: &'a str,
    pub email: &'a str,
}

pub async fn insert_code(
    conn: &mut Conn,
    to: &CodeFor<'_>,
    code_hash: &str,
    now: OffsetDateTime,
    expires_at: OffsetDateTime,
) -> DbResult<()> {
    conn.execute(
        "INSERT INTO otp_codes (id, organisation_id, door, email, code_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        params![uuid::Uuid::now_v7(), to.org, to.door, to.email, code_hash, now, expires_at],
    )
    .await?;
    Ok(())
}

/// The newest codes of an address that are unused, unexpired and not tried too often.
pub async fn live_codes(
    conn: &mut Conn,
    to: &CodeFor<'_>,
    now: OffsetDateTime,
    max_tries: i64,
    limit: i64,
) -> DbResult<Vec<Code>> {
    conn.query(
        &format!(
            "SELECT {} FROM otp_codes WHERE organisation_id = $1 AND door = $2 AND email = $3 \
             AND used_at IS NULL AND expires_at > $4 AND attempts < $5 ORDER BY created_at DESC, id DESC LIMIT $6",
            Code::COLUMNS
        ),
        params![to.org, to.door, to.email, now, max_tries, limit],
    )
    .await
}

/// Whether the address has any code at all that has not expired, used or not.
pub async fn any_recent_code(
    conn: &mut Conn,
    to: &CodeFor<'_>,
    now: OffsetDateTime,
) -> DbResult<bool> {
    let n: i64 = conn
        .scalar(
            "SELECT COUNT(*) FROM otp_codes WHERE organisation_id = $1 AND door = $2 AND email = $3 AND expires_at > $4",
            params![to.org, to.door, to.email, now],
        )
        .await?;
    Ok(n > 0)
}

/// Counts a wrong try against each of `ids`.
pub async fn count_attempt(conn: &mut Conn, ids: &[String]) -> DbResult<()> {
    for id in ids {
        conn.execute(
            "UPDATE otp_codes SET attempts = attempts + 1 WHERE id = $1",
            params![id],
        )
        .await?;
    }
    Ok(())
}

/// Marks a code used; false if another request used it first.
pub async fn use_code(conn: &mut Conn, id: &str, now: OffsetDateTime) -> DbResult<bool> {
    let changed = conn
        .execute(
            "UPDATE otp_codes SET used_at = $2 WHERE id = $1 AND used_at IS NULL",
            params![id, now],
        )
        .await?;
    Ok(changed == 1)
}

/// Records one event in `bucket` and says how many fell in it since `since`, this one included.
pub async fn hit(
    conn: &mut Conn,
    bucket: &str,
    now: OffsetDateTime,
    since: OffsetDateTime,
) -> DbResult<i64> {
    conn.execute(
        "INSERT INTO rate_events (bucket, at) VALUES ($1, $2)",
        params![bucket, now],
    )
    .await?;
    count(conn, bucket, since).await
}

/// How many events fell in `bucket` since `since`.
pub async fn count(conn: &mut Conn, bucket: &str, since: OffsetDateTime) -> DbResult<i64> {
    conn.scalar(
        "SELECT COUNT(*) FROM rate_events WHERE bucket = $1 AND at >= $2",
        params![bucket, since],
    )
    .await
}

/// The `n`th newest event of `bucket` (from 1), if there are that many.
pub async fn nth_newest(conn: &mut Conn, bucket: &str, n: i64) -> DbResult<Option<OffsetDateTime>> {
    let rows: Vec<(OffsetDateTime,)> = conn
        .query(
            "SELECT at FROM rate_events WHERE bucket = $1 ORDER BY at DESC LIMIT 1 OFFSET $2",
            params![bucket, n - 1],
        )
        .await?;
    Ok(rows.into_iter().next().map(|r| r.0))
}

/// Forgets rate events, codes and sessions that can no longer matter.
pub async fn prune(
    conn: &mut Conn,
    now: OffsetDateTime,
    events_before: OffsetDateTime,
) -> DbResult<u64> {
    let mut n = conn
        .execute(
            "DELETE FROM rate_events WHERE at < $1",
            params![events_before],
        )
        .await?;
    n += conn
        .execute(
            "DELETE FROM otp_codes WHERE expires_at < $1",
            params![events_before],
        )
        .await?;
    n += conn
        .execute("DELETE FROM sessions WHERE expires_at < $1", params![now])
        .await?;
    Ok(n)
}

/// A new browser session.
pub struct NewSession<'a> {
    pub id_hash: &'a str,
    pub org: OrgId,
    pub door: &'a str,
    pub subject_id: String,
    pub csrf_token: &'a str,
    pub expires_at: OffsetDateTime,
}

pub async fn insert_session(
    conn: &mut Conn,
    s: &NewSession<'_>,
    now: OffsetDateTime,
) -> DbResult<()> {
    conn.execute(
        "INSERT INTO sessions (id_hash, organisation_id, door, subject_id, csrf_token, created_at, last_seen_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6, $7)",
        params![s.id_hash, s.org, s.door, s.subject_id, s.csrf_token, now, s.expires_at],
    )
    .await?;
    Ok(())
}

/// A live-looking session of a member of staff, with who they are and the sites they cover.
#[derive(Clone, Debug)]
pub struct StaffSession {
    pub id_hash: String,
    pub csrf_token: String,
    pub last_seen_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub staff: StaffUser,
    pub sites: Vec<SiteId>,
}

read_model! {
    struct SessionRow {
        pub id_hash: String = "s.id_hash",
        pub csrf_token: String = "s.csrf_token",
        pub last_seen_at: OffsetDateTime = "s.last_seen_at",
        pub expires_at: OffsetDateTime = "s.expires_at",
        pub staff_id: StaffUserId = "u.id",
        pub email: String = "u.email",
        pub name: String = "u.name",
        pub role: Option<Role> = "u.role",
        pub all_sites: bool = "u.all_sites",
        pub active: bool = "u.active",
        pub site: Option<SiteId> = "sc.site_id",
    }
}

/// The session behind a cookie, only on the organisation and door it was made for; one query
/// for the session, the person and their sites.
pub async fn staff_session(
    conn: &mut Conn,
    org: OrgId,
    door: &str,
    id_hash: &str,
) -> DbResult<Option<StaffSession>> {
    let rows: Vec<SessionRow> = conn
        .query(
            &format!(
                "SELECT {} FROM sessions s \
                 JOIN staff_users u ON u.organisation_id = s.organisation_id AND u.id = s.subject_id \
                 LEFT JOIN staff_site_scopes sc ON sc.organisation_id = u.organisation_id AND sc.staff_user_id = u.id \
                 WHERE s.id_hash = $1 AND s.organisation_id = $2 AND s.door = $3",
                SessionRow::COLUMNS
            ),
            params![id_hash, org, door],
        )
        .await?;
    let sites = rows.iter().filter_map(|r| r.site).collect();
    Ok(rows.into_iter().next().map(|r| StaffSession {
        id_hash: r.id_hash,
        csrf_token: r.csrf_token,
        last_seen_at: r.last_seen_at,
        expires_at: r.expires_at,
        staff: StaffUser {
            id: r.staff_id,
            email: r.email,
            name: r.name,
            role: r.role,
            all_sites: r.all_sites,
            active: r.active,
        },
        sites,
    }))
}

pub async fn touch_session(conn: &mut Conn, id_hash: &str, now: OffsetDateTime) -> DbResult<()> {
    conn.execute(
        "UPDATE sessions SET last_seen_at = $2 WHERE id_hash = $1",
        params![id_hash, now],
    )
    .await?;
    Ok(())
}

pub async fn delete_session(conn: &mut Conn, org: OrgId, id_hash: &str) -> DbResult<()> {
    conn.execute(
        "DELETE FROM sessions WHERE organisation_id = $1 AND id_hash = $2",
        params![org, id_hash],
    )
    .await?;
    Ok(())
}

/// Ends every session of one person at once: deactivated, or their role changed.
pub async fn delete_sessions_of(conn: &mut Conn, org: OrgId, subject: &str) -> DbResult<u64> {
    conn.execute(
        "DELETE FROM sessions WHERE organisation_id = $1 AND subject_id = $2",
        params![org, subject],
    )
    .await
}
