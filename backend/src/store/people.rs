//! Contacts and their links to units.

use proplink_shared::records::{ContactKind, NewContact, UnitRole};
use proplink_shared::{ContactId, OrgId, Scope, SiteId, UnitId};
use time::{Date, OffsetDateTime};

use super::query::{Key, Keyed, ListQuery, Order, Page, PageAt, ScopeColumns};
use super::{Conn, DbResult};
use crate::{params, read_model};

/// The site of a contact's first unit: it decides which staff may see them.
macro_rules! contact_site {
    () => {
        "(SELECT u.site_id FROM unit_contacts uc JOIN units u ON u.organisation_id = uc.organisation_id AND u.id = uc.unit_id \
         WHERE uc.organisation_id = c.organisation_id AND uc.contact_id = c.id ORDER BY uc.start_date, uc.id LIMIT 1)"
    };
}

read_model! {
    pub struct Contact {
        pub id: ContactId = "c.id",
        pub kind: ContactKind = "c.kind",
        pub title: String = "c.title",
        pub first_name: String = "c.first_name",
        pub last_name: String = "c.last_name",
        pub email: Option<String> = "c.email",
        pub phone: String = "c.phone",
        pub version: i64 = "c.version",
        /// When they were last invited to ResidencePort.
        pub invited_at: Option<OffsetDateTime> = "c.invited_at",
        /// The site of their first unit, which decides who on the staff may see them.
        pub site_id: Option<SiteId> = contact_site!(),
    }
}

impl Contact {
    /// "Mr Patel", as letters and the audit trail address them.
    #[must_use]
    pub fn display_name(&self) -> String {
        NewContact::display_name(&self.title, &self.first_name, &self.last_name)
    }

    #[must_use]
    pub fn full_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }
}

impl Keyed for Contact {
    fn key(&self) -> Vec<Key> {
        vec![
            Key::Text(self.last_name.clone()),
            Key::Text(self.first_name.clone()),
            Key::Text(self.id.to_string()),
        ]
    }
}

pub const CONTACT_SCOPE: ScopeColumns = ScopeColumns {
    site: Some(contact_site!()),
    unit: None,
    contact: Some("c.id"),
    work_order: None,
    building: None,
    audience: None,
    followed_by: None,
};

/// What a contacts list is narrowed to.
#[derive(Clone, Debug, Default)]
pub struct ContactFilter {
    pub kind: Option<ContactKind>,
    /// Part of a name or an email address.
    pub text: Option<String>,
}

pub async fn contacts(
    conn: &mut Conn,
    scope: &Scope,
    filter: &ContactFilter,
    at: &PageAt,
    size: i64,
) -> DbResult<Page<Contact>> {
    let mut q = ListQuery::new(
        "FROM contacts c".into(),
        scope,
        "c.organisation_id",
        &CONTACT_SCOPE,
    );
    q.equals("c.kind", filter.kind);
    q.search(
        &["c.first_name || ' ' || c.last_name", "c.email"],
        filter.text.as_deref(),
    );
    q.page(
        conn,
        Contact::COLUMNS,
        &Order {
            columns: &["c.last_name", "c.first_name", "c.id"],
            descending: false,
        },
        at,
        size,
    )
    .await
}

pub async fn contact(conn: &mut Conn, org: OrgId, id: ContactId) -> DbResult<Option<Contact>> {
    conn.query_opt(
        &format!(
            "SELECT {} FROM contacts c WHERE c.organisation_id = $1 AND c.id = $2",
            Contact::COLUMNS
        ),
        params![org, id],
    )
    .await
}

pub async fn insert_contact(
    conn: &mut Conn,
    org: OrgId,
    id: ContactId,
    new: &NewContact,
    now: OffsetDateTime,
) -> DbResult<()> {
    conn.execute(
        "INSERT INTO contacts (organisation_id, id, kind, title, first_name, last_name, email, phone, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        params![org, id, new.kind, new.title, new.first_name, new.last_name, new.email, new.phone, now],
    )
    .await?;
    Ok(())
}

read_model! {
    /// A contact's link to a unit, with both names for listing.
    pub struct Occupancy {
        pub unit_id: UnitId = "uc.unit_id",
        pub unit_name: String = "u.name",
        pub contact_id: ContactId = "uc.contact_id",
        pub contact_name: String = "c.first_name || ' ' || c.last_name",
        pub role: UnitRole = "uc.role",
        pub billable: bool = "uc.billable",
        pub start_date: Date = "uc.start_date",
        pub end_date: Option<Date> = "uc.end_date",
    }
}

const OCCUPANCY_FROM: &str = "FROM unit_contacts uc \
    JOIN units u ON u.organisation_id = uc.organisation_id AND u.id = uc.unit_id \
    JOIN contacts c ON c.organisation_id = uc.organisation_id AND c.id = uc.contact_id";

pub async fn occupancy_of_unit(
    conn: &mut Conn,
    org: OrgId,
    unit: UnitId,
) -> DbResult<Vec<Occupancy>> {
    conn.query(
        &format!(
            "SELECT {} {OCCUPANCY_FROM} WHERE uc.organisation_id = $1 AND uc.unit_id = $2 ORDER BY uc.start_date, uc.id",
            Occupancy::COLUMNS
        ),
        params![org, unit],
    )
    .await
}

pub async fn occupancy_of_contact(
    conn: &mut Conn,
    org: OrgId,
    contact: ContactId,
) -> DbResult<Vec<Occupancy>> {
    conn.query(
        &format!(
            "SELECT {} {OCCUPANCY_FROM} WHERE uc.organisation_id = $1 AND uc.contact_id = $2 ORDER BY uc.start_date, uc.id",
            Occupancy::COLUMNS
        ),
        params![org, contact],
    )
    .await
}

/// Who is billed for a unit now.
pub async fn billable_contact(
    conn: &mut Conn,
    org: OrgId,
    unit: UnitId,
) -> DbResult<Option<ContactId>> {
    let rows: Vec<(ContactId,)> = conn
        .query(
            "SELECT contact_id FROM unit_contacts WHERE organisation_id = $1 AND unit_id = $2 AND billable AND end_date IS NULL \
             ORDER BY start_date DESC, id DESC LIMIT 1",
            params![org, unit],
        )
        .await?;
    Ok(rows.into_iter().next().map(|r| r.0))
}

/// A contact's new link to a unit.
pub struct NewOccupancy {
    pub unit: UnitId,
    pub contact: ContactId,
    pub role: UnitRole,
    pub billable: bool,
    pub start_date: Date,
}

pub async fn insert_occupancy(conn: &mut Conn, org: OrgId, o: &NewOccupancy) -> DbResult<()> {
    conn.execute(
        "INSERT INTO unit_contacts (organisation_id, id, unit_id, contact_id, role, billable, start_date) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        params![org, uuid::Uuid::now_v7(), o.unit, o.contact, o.role, o.billable, o.start_date],
    )
    .await?;
    Ok(())
}

/// Saves a contact's details if they are still at `version`; false if someone else changed them.
pub async fn update_contact(
    conn: &mut Conn,
    org: OrgId,
    id: ContactId,
    version: i64,
    c: &NewContact,
) -> DbResult<bool> {
    let changed = conn
        .execute(
            "UPDATE contacts SET kind = $4, title = $5, first_name = $6, last_name = $7, email = $8, phone = $9, \
             version = version + 1 WHERE organisation_id = $1 AND id = $2 AND version = $3",
            params![org, id, version, c.kind, c.title, c.first_name, c.last_name, c.email, c.phone],
        )
        .await?;
    Ok(changed == 1)
}

/// The contact with this email address, if the organisation knows one.
pub async fn contact_by_email(
    conn: &mut Conn,
    org: OrgId,
    email: &str,
) -> DbResult<Option<Contact>> {
    conn.query_opt(
        &format!(
            "SELECT {} FROM contacts c WHERE c.organisation_id = $1 AND c.email = $2 ORDER BY c.created_at LIMIT 1",
            Contact::COLUMNS
        ),
        params![org, email],
    )
    .await
}

/// Ends a contact's current link to a unit on `end`; false if there was none.
pub async fn end_occupancy(
    conn: &mut Conn,
    org: OrgId,
    unit: UnitId,
    contact: ContactId,
    end: Date,
) -> DbResult<bool> {
    let changed = conn
        .execute(
            "UPDATE unit_contacts SET end_date = $4 WHERE organisation_id = $1 AND unit_id = $2 AND contact_id = $3 \
             AND end_date IS NULL AND start_date <= $4",
            params![org, unit, contact, end],
        )
        .await?;
    Ok(changed > 0)
}

pub async fn set_invited(
    conn: &mut Conn,
    org: OrgId,
    id: ContactId,
    at: OffsetDateTime,
) -> DbResult<()> {
    conn.execute(
        "UPDATE contacts SET invited_at = $3 WHERE organisation_id = $1 AND id = $2",
        params![org, id, at],
    )
    .await?;
    Ok(())
}
