//! Residents as ResidencePort knows them: who may sign in, the homes they hold or live in
//! today, their sessions and their preferences.

use proplink_shared::records::UnitRole;
use proplink_shared::{BuildingId, ContactId, OrgId, SiteId, UnitId};
use time::{Date, OffsetDateTime};

use super::people::Contact;
use super::{Conn, DbResult};
use crate::{params, read_model};

read_model! {
    /// A unit a contact is linked to today, with where it is.
    pub struct Home {
        pub unit_id: UnitId = "u.id",
        pub unit_name: String = "u.name",
        pub building_id: BuildingId = "b.id",
        pub building_name: String = "b.name",
        pub in_higher_risk_building: bool = "b.is_hrb",
        pub site_id: SiteId = "u.site_id",
        pub role: UnitRole = "uc.role",
        pub billable: bool = "uc.billable",
        /// Who the unit is billed to now: whose account it is.
        pub account_holder: Option<ContactId> = "(SELECT h.contact_id FROM unit_contacts h WHERE h.organisation_id = uc.organisation_id \
            AND h.unit_id = uc.unit_id AND h.billable AND h.end_date IS NULL ORDER BY h.start_date DESC, h.id DESC LIMIT 1)",
    }
}

/// A link is live from its start date until the day it ends: on the end date access ends.
const LIVE: &str = "uc.start_date <= $3 AND (uc.end_date IS NULL OR uc.end_date > $3)";

/// The units `contact` is linked to on `today`, by building and unit name.
pub async fn homes(
    conn: &mut Conn,
    org: OrgId,
    contact: ContactId,
    today: Date,
) -> DbResult<Vec<Home>> {
    conn.query(
        &format!(
            "SELECT {} FROM unit_contacts uc \
             JOIN units u ON u.organisation_id = uc.organisation_id AND u.id = uc.unit_id \
             JOIN buildings b ON b.organisation_id = u.organisation_id AND b.id = u.building_id \
             WHERE uc.organisation_id = $1 AND uc.contact_id = $2 AND {LIVE} \
             ORDER BY b.name, u.name, uc.role",
            Home::COLUMNS
        ),
        params![org, contact, today],
    )
    .await
}

/// The contact with this address who may use ResidencePort on `today`: a leaseholder, tenant
/// or resident linked to a unit now.
pub async fn resident_by_email(
    conn: &mut Conn,
    org: OrgId,
    email: &str,
    today: Date,
) -> DbResult<Option<Contact>> {
    conn.query_opt(
        &format!(
            "SELECT {} FROM contacts c WHERE c.organisation_id = $1 AND c.email = $2 \
             AND c.kind IN ('leaseholder', 'tenant', 'resident') \
             AND EXISTS (SELECT 1 FROM unit_contacts uc WHERE uc.organisation_id = c.organisation_id \
                         AND uc.contact_id = c.id AND {LIVE}) \
             ORDER BY c.created_at LIMIT 1",
            Contact::COLUMNS
        ),
        params![org, email, today],
    )
    .await
}

read_model! {
    /// A live-looking ResidencePort session and whose it is.
    pub struct ResidentSessionRow {
        pub id_hash: String = "s.id_hash",
        pub csrf_token: String = "s.csrf_token",
        pub last_seen_at: OffsetDateTime = "s.last_seen_at",
        pub expires_at: OffsetDateTime = "s.expires_at",
        pub contact_id: ContactId = "s.subject_id",
    }
}

/// The session behind a cookie, only on the organisation and door it was made for.
pub async fn session(
    conn: &mut Conn,
    org: OrgId,
    door: &str,
    id_hash: &str,
) -> DbResult<Option<ResidentSessionRow>> {
    conn.query_opt(
        &format!(
            "SELECT {} FROM sessions s WHERE s.id_hash = $1 AND s.organisation_id = $2 AND s.door = $3",
            ResidentSessionRow::COLUMNS
        ),
        params![id_hash, org, door],
    )
    .await
}

/// What a resident wants to hear about by email.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Preferences {
    pub requests: bool,
    pub notices: bool,
}

pub async fn preferences(conn: &mut Conn, org: OrgId, contact: ContactId) -> DbResult<Preferences> {
    let row: Option<(bool, bool)> = conn
        .query_opt(
            "SELECT notify_requests, notify_notices FROM contacts WHERE organisation_id = $1 AND id = $2",
            params![org, contact],
        )
        .await?;
    let (requests, notices) = row.unwrap_or((true, true));
    Ok(Preferences { requests, notices })
}

/// Saves a resident's own details: the phone number and what they hear about.
pub async fn update_own_details(
    conn: &mut Conn,
    org: OrgId,
    contact: ContactId,
    phone: &str,
    prefs: Preferences,
) -> DbResult<()> {
    conn.execute(
        "UPDATE contacts SET phone = $3, notify_requests = $4, notify_notices = $5, version = version + 1 \
         WHERE organisation_id = $1 AND id = $2",
        params![org, contact, phone, prefs.requests, prefs.notices],
    )
    .await?;
    Ok(())
}

/// A resident to tell of something by email: their address and how letters address them.
pub struct Recipient {
    pub contact: ContactId,
    pub email: String,
    pub title: String,
    pub first_name: String,
    pub last_name: String,
}

/// The residents linked today to a unit of the organisation (of `site`, of `building`, when
/// given) who have an email address and want notices by email; all of them when `urgent`.
pub async fn notice_recipients(
    conn: &mut Conn,
    org: OrgId,
    site: Option<SiteId>,
    building: Option<BuildingId>,
    today: Date,
    urgent: bool,
) -> DbResult<Vec<Recipient>> {
    let rows: Vec<(ContactId, String, String, String, String)> = conn
        .query(
            &format!(
                "SELECT DISTINCT c.id, c.email, c.title, c.first_name, c.last_name FROM contacts c \
                 JOIN unit_contacts uc ON uc.organisation_id = c.organisation_id AND uc.contact_id = c.id \
                 JOIN units u ON u.organisation_id = uc.organisation_id AND u.id = uc.unit_id \
                 WHERE c.organisation_id = $1 AND {LIVE} AND c.email IS NOT NULL \
                 AND c.kind IN ('leaseholder', 'tenant', 'resident') \
                 AND (CAST($2 AS TEXT) IS NULL OR u.site_id = $2) AND (CAST($4 AS TEXT) IS NULL OR u.building_id = $4) \
                 AND (c.notify_notices OR $5) ORDER BY c.id"
            ),
            params![org, site, today, building, urgent],
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(|(contact, email, title, first_name, last_name)| Recipient {
            contact,
            email,
            title,
            first_name,
            last_name,
        })
        .collect())
}
