//! Contacts and their links to units.

use proplink_shared::records::{ContactKind, UnitRole};
use proplink_shared::{ContactId, OrgId, UnitId};
use sqlx::AnyConnection;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ContactRow {
    pub id: ContactId,
    pub kind: ContactKind,
    pub title: String,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub phone: String,
    /// The site of one of their units, which decides who on the staff may see them.
    pub site_id: Option<proplink_shared::SiteId>,
}

impl ContactRow {
    #[must_use]
    pub fn display_name(&self) -> String {
        proplink_shared::records::NewContact::display_name(
            &self.title,
            &self.first_name,
            &self.last_name,
        )
    }

    #[must_use]
    pub fn full_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }
}

/// A contact's link to a unit, with the unit's and contact's names for listing.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct OccupancyRow {
    pub unit_id: UnitId,
    pub unit_name: String,
    pub contact_id: ContactId,
    pub contact_name: String,
    pub role: UnitRole,
    pub billable: i64,
    pub start_date: String,
    pub end_date: Option<String>,
}

const CONTACT_COLUMNS: &str = "id, kind, title, first_name, last_name, email, phone, \
    (SELECT u.site_id FROM unit_contacts uc JOIN units u ON u.id = uc.unit_id AND u.organisation_id = uc.organisation_id \
     WHERE uc.organisation_id = contacts.organisation_id AND uc.contact_id = contacts.id ORDER BY uc.start_date LIMIT 1) AS site_id";

pub async fn contacts(
    conn: &mut AnyConnection,
    org: OrgId,
) -> Result<Vec<ContactRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {CONTACT_COLUMNS} FROM contacts WHERE organisation_id = $1 ORDER BY last_name, first_name"))
        .bind(org)
        .fetch_all(conn)
        .await
}

pub async fn contact(
    conn: &mut AnyConnection,
    org: OrgId,
    id: ContactId,
) -> Result<Option<ContactRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {CONTACT_COLUMNS} FROM contacts WHERE organisation_id = $1 AND id = $2"
    ))
    .bind(org)
    .bind(id)
    .fetch_optional(conn)
    .await
}

pub async fn insert_contact(
    conn: &mut AnyConnection,
    org: OrgId,
    row: &ContactRow,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO contacts (id, organisation_id, kind, title, first_name, last_name, email, phone, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(row.id)
    .bind(org)
    .bind(row.kind)
    .bind(&row.title)
    .bind(&row.first_name)
    .bind(&row.last_name)
    .bind(&row.email)
    .bind(&row.phone)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

const OCCUPANCY_SELECT: &str = "SELECT uc.unit_id, u.name AS unit_name, uc.contact_id, \
    c.first_name || ' ' || c.last_name AS contact_name, uc.role, uc.billable, uc.start_date, uc.end_date \
    FROM unit_contacts uc \
    JOIN units u ON u.id = uc.unit_id AND u.organisation_id = uc.organisation_id \
    JOIN contacts c ON c.id = uc.contact_id AND c.organisation_id = uc.organisation_id";

pub async fn occupancy_of_unit(
    conn: &mut AnyConnection,
    org: OrgId,
    unit: UnitId,
) -> Result<Vec<OccupancyRow>, sqlx::Error> {
    sqlx::query_as(&format!("{OCCUPANCY_SELECT} WHERE uc.organisation_id = $1 AND uc.unit_id = $2 ORDER BY uc.start_date"))
        .bind(org)
        .bind(unit)
        .fetch_all(conn)
        .await
}

pub async fn occupancy_of_contact(
    conn: &mut AnyConnection,
    org: OrgId,
    contact: ContactId,
) -> Result<Vec<OccupancyRow>, sqlx::Error> {
    sqlx::query_as(&format!("{OCCUPANCY_SELECT} WHERE uc.organisation_id = $1 AND uc.contact_id = $2 ORDER BY uc.start_date"))
        .bind(org)
        .bind(contact)
        .fetch_all(conn)
        .await
}

pub async fn billable_contact(
    conn: &mut AnyConnection,
    org: OrgId,
    unit: UnitId,
) -> Result<Option<ContactId>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT contact_id FROM unit_contacts WHERE organisation_id = $1 AND unit_id = $2 AND billable = 1 AND end_date IS NULL \
         ORDER BY start_date DESC LIMIT 1",
    )
    .bind(org)
    .bind(unit)
    .fetch_optional(conn)
    .await
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_occupancy(
    conn: &mut AnyConnection,
    org: OrgId,
    unit: UnitId,
    contact: ContactId,
    role: UnitRole,
    billable: bool,
    start_date: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO unit_contacts (id, organisation_id, unit_id, contact_id, role, billable, start_date) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(org)
    .bind(unit)
    .bind(contact)
    .bind(role)
    .bind(i64::from(billable))
    .bind(start_date)
    .execute(conn)
    .await?;
    Ok(())
}
