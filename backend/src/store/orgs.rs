//! Organisations and their staff.

use proplink_shared::records::NewOrganisation;
use proplink_shared::{OrgId, Role, SiteId, StaffUserId};

use super::query::{Key, Keyed, ListQuery, Order, Page, PageAt};
use super::{Conn, DbResult};
use crate::{params, read_model};

read_model! {
    /// An organisation: the tenant, and what its doors show of it.
    pub struct Organisation {
        pub id: OrgId = "id",
        pub slug: String = "slug",
        pub name: String = "name",
        pub legal_name: String = "legal_name",
        pub company_number: String = "company_number",
        pub vat_number: String = "vat_number",
        pub address: String = "address",
        pub brand_colour: String = "brand_colour",
        pub welcome_text: String = "welcome_text",
        pub contact_email: String = "contact_email",
        pub contact_phone: String = "contact_phone",
        /// The stored logo (a PNG), by the hash of its bytes.
        pub logo_sha: Option<String> = "logo_sha",
        pub thread_welcome_text: String = "thread_welcome_text",
        /// Whether tenants read the account of the home they rent on ResidencePort.
        pub tenants_see_account: bool = "tenants_see_account",
        /// Moves with each change of the settings.
        pub version: i64 = "version",
    }
}

impl Organisation {
    /// The settings as they stand, to fill the settings form.
    #[must_use]
    pub fn settings(&self) -> proplink_shared::records::OrgSettings {
        proplink_shared::records::OrgSettings {
            name: self.name.clone(),
            legal_name: self.legal_name.clone(),
            company_number: self.company_number.clone(),
            vat_number: self.vat_number.clone(),
            address: self.address.clone(),
            contact_email: self.contact_email.clone(),
            contact_phone: self.contact_phone.clone(),
            brand_colour: self.brand_colour.clone(),
            welcome_text: self.welcome_text.clone(),
            thread_welcome_text: self.thread_welcome_text.clone(),
        }
    }
}

/// Saves the settings if the organisation is still at `version`; false if someone else changed
/// them meanwhile.
pub async fn update_settings(
    conn: &mut Conn,
    org: OrgId,
    version: i64,
    s: &proplink_shared::records::OrgSettings,
) -> DbResult<bool> {
    let changed = conn
        .execute(
            "UPDATE organisations SET name = $3, legal_name = $4, company_number = $5, vat_number = $6, address = $7, \
             contact_email = $8, contact_phone = $9, brand_colour = $10, welcome_text = $11, thread_welcome_text = $12, \
             version = version + 1 WHERE id = $1 AND version = $2",
            params![
                org,
                version,
                s.name,
                s.legal_name,
                s.company_number,
                s.vat_number,
                s.address,
                s.contact_email,
                s.contact_phone,
                s.brand_colour,
                s.welcome_text,
                s.thread_welcome_text
            ],
        )
        .await?;
    Ok(changed == 1)
}

/// Sets (or with `None`, removes) the logo.
pub async fn set_tenants_see_account(conn: &mut Conn, org: OrgId, share: bool) -> DbResult<()> {
    conn.execute(
        "UPDATE organisations SET tenants_see_account = $2 WHERE id = $1",
        params![org, share],
    )
    .await?;
    Ok(())
}

pub async fn set_logo(conn: &mut Conn, org: OrgId, sha: Option<&str>) -> DbResult<()> {
    conn.execute(
        "UPDATE organisations SET logo_sha = $2, version = version + 1 WHERE id = $1",
        params![org, sha],
    )
    .await?;
    Ok(())
}

/// Company details printed on statements and letters, and the portals' branding.
#[derive(Clone, Debug, Default)]
pub struct OrgDetails {
    pub legal_name: String,
    pub company_number: String,
    pub vat_number: String,
    pub address: String,
    pub brand_colour: String,
    pub welcome_text: String,
}

pub async fn by_slug(conn: &mut Conn, slug: &str) -> DbResult<Option<Organisation>> {
    conn.query_opt(
        &format!(
            "SELECT {} FROM organisations WHERE slug = $1",
            Organisation::COLUMNS
        ),
        params![slug],
    )
    .await
}

pub async fn by_id(conn: &mut Conn, id: OrgId) -> DbResult<Option<Organisation>> {
    conn.query_opt(
        &format!(
            "SELECT {} FROM organisations WHERE id = $1",
            Organisation::COLUMNS
        ),
        params![id],
    )
    .await
}

pub async fn all(conn: &mut Conn) -> DbResult<Vec<Organisation>> {
    conn.query(
        &format!(
            "SELECT {} FROM organisations ORDER BY slug",
            Organisation::COLUMNS
        ),
        params![],
    )
    .await
}

pub async fn insert(
    conn: &mut Conn,
    id: OrgId,
    new: &NewOrganisation,
    details: &OrgDetails,
    now: time::OffsetDateTime,
) -> DbResult<()> {
    conn.execute(
        "INSERT INTO organisations (id, slug, name, legal_name, company_number, vat_number, address, brand_colour, welcome_text, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        params![
            id,
            new.slug,
            new.name,
            details.legal_name,
            details.company_number,
            details.vat_number,
            details.address,
            details.brand_colour,
            details.welcome_text,
            now
        ],
    )
    .await?;
    Ok(())
}

read_model! {
    /// A member of staff of one organisation.
    pub struct StaffUser {
        pub id: StaffUserId = "id",
        pub email: String = "email",
        pub name: String = "name",
        /// No role grants nothing.
        pub role: Option<Role> = "role",
        /// Every site, rather than those in `staff_site_scopes`.
        pub all_sites: bool = "all_sites",
        pub active: bool = "active",
    }
}

pub async fn staff_by_email(
    conn: &mut Conn,
    org: OrgId,
    email: &str,
) -> DbResult<Option<StaffUser>> {
    conn.query_opt(
        &format!(
            "SELECT {} FROM staff_users WHERE organisation_id = $1 AND email = $2",
            StaffUser::COLUMNS
        ),
        params![org, email],
    )
    .await
}

pub async fn staff_by_id(
    conn: &mut Conn,
    org: OrgId,
    id: StaffUserId,
) -> DbResult<Option<StaffUser>> {
    conn.query_opt(
        &format!(
            "SELECT {} FROM staff_users WHERE organisation_id = $1 AND id = $2",
            StaffUser::COLUMNS
        ),
        params![org, id],
    )
    .await
}

pub async fn staff_list(conn: &mut Conn, org: OrgId) -> DbResult<Vec<StaffUser>> {
    conn.query(
        &format!(
            "SELECT {} FROM staff_users WHERE organisation_id = $1 ORDER BY name, id",
            StaffUser::COLUMNS
        ),
        params![org],
    )
    .await
}

pub async fn staff_sites(conn: &mut Conn, org: OrgId, user: StaffUserId) -> DbResult<Vec<SiteId>> {
    let rows: Vec<(SiteId,)> = conn
        .query(
            "SELECT site_id FROM staff_site_scopes WHERE organisation_id = $1 AND staff_user_id = $2",
            params![org, user],
        )
        .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// A new member of staff, with their role and whether they cover every site.
pub struct NewStaff<'a> {
    pub id: StaffUserId,
    pub email: &'a str,
    pub name: &'a str,
    pub role: Role,
    pub all_sites: bool,
}

pub async fn insert_staff(
    conn: &mut Conn,
    org: OrgId,
    staff: &NewStaff<'_>,
    now: time::OffsetDateTime,
) -> DbResult<()> {
    conn.execute(
        "INSERT INTO staff_users (organisation_id, id, email, name, role, all_sites, active, created_at) VALUES ($1, $2, $3, $4, $5, $6, TRUE, $7)",
        params![org, staff.id, staff.email, staff.name, staff.role, staff.all_sites, now],
    )
    .await?;
    Ok(())
}

pub async fn add_staff_site(
    conn: &mut Conn,
    org: OrgId,
    user: StaffUserId,
    site: SiteId,
) -> DbResult<()> {
    conn.execute(
        "INSERT INTO staff_site_scopes (organisation_id, staff_user_id, site_id) VALUES ($1, $2, $3)",
        params![org, user, site],
    )
    .await?;
    Ok(())
}

/// Replaces a user's scope: all sites, or exactly `sites`.
pub async fn set_scope(
    conn: &mut Conn,
    org: OrgId,
    user: StaffUserId,
    sites: Option<&[SiteId]>,
) -> DbResult<()> {
    conn.execute(
        "DELETE FROM staff_site_scopes WHERE organisation_id = $1 AND staff_user_id = $2",
        params![org, user],
    )
    .await?;
    conn.execute(
        "UPDATE staff_users SET all_sites = $3 WHERE organisation_id = $1 AND id = $2",
        params![org, user, sites.is_none()],
    )
    .await?;
    for site in sites.unwrap_or_default() {
        add_staff_site(conn, org, user, *site).await?;
    }
    Ok(())
}

/// Every (member of staff, site) pair of the organisation's site scopes.
pub async fn all_staff_sites(conn: &mut Conn, org: OrgId) -> DbResult<Vec<(StaffUserId, SiteId)>> {
    conn.query(
        "SELECT staff_user_id, site_id FROM staff_site_scopes WHERE organisation_id = $1",
        params![org],
    )
    .await
}

/// Serialises changes to an organisation's staff: taken first, so the last-owner rule is
/// judged on what every earlier change left (SQLite's single writer gives this already).
pub async fn lock_staff(conn: &mut Conn, org: OrgId) -> DbResult<()> {
    conn.execute(
        "UPDATE organisations SET name = name WHERE id = $1",
        params![org],
    )
    .await?;
    Ok(())
}

/// Active Organisation Owners.
pub async fn active_owners(conn: &mut Conn, org: OrgId) -> DbResult<i64> {
    conn.scalar(
        "SELECT COUNT(*) FROM staff_users WHERE organisation_id = $1 AND role = 'organisation_owner' AND active",
        params![org],
    )
    .await
}

pub async fn set_role(conn: &mut Conn, org: OrgId, user: StaffUserId, role: Role) -> DbResult<()> {
    conn.execute(
        "UPDATE staff_users SET role = $3 WHERE organisation_id = $1 AND id = $2",
        params![org, user, role],
    )
    .await?;
    Ok(())
}

pub async fn set_active(
    conn: &mut Conn,
    org: OrgId,
    user: StaffUserId,
    active: bool,
) -> DbResult<()> {
    conn.execute(
        "UPDATE staff_users SET active = $3 WHERE organisation_id = $1 AND id = $2",
        params![org, user, active],
    )
    .await?;
    Ok(())
}

impl Keyed for StaffUser {
    fn key(&self) -> Vec<Key> {
        vec![Key::Text(self.name.clone()), Key::Text(self.id.to_string())]
    }
}

/// A page of the organisation's staff, by name.
pub async fn staff_page(
    conn: &mut Conn,
    org: OrgId,
    at: &PageAt,
    size: i64,
) -> DbResult<Page<StaffUser>> {
    ListQuery::in_org("FROM staff_users".into(), org, "organisation_id")
        .page(
            conn,
            StaffUser::COLUMNS,
            &Order {
                columns: &["name", "id"],
                descending: false,
            },
            at,
            size,
        )
        .await
}
