//! Organisations and their staff.

use proplink_shared::{OrgId, Role, SiteId, StaffUserId};
use sqlx::AnyConnection;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct OrgRow {
    pub id: OrgId,
    pub slug: String,
    pub name: String,
    pub legal_name: String,
    pub company_number: String,
    pub vat_number: String,
    pub address: String,
    pub brand_colour: String,
    pub welcome_text: String,
}

const ORG_COLUMNS: &str =
    "id, slug, name, legal_name, company_number, vat_number, address, brand_colour, welcome_text";

pub async fn by_slug(conn: &mut AnyConnection, slug: &str) -> Result<Option<OrgRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {ORG_COLUMNS} FROM organisations WHERE slug = $1"
    ))
    .bind(slug)
    .fetch_optional(conn)
    .await
}

pub async fn by_id(conn: &mut AnyConnection, id: OrgId) -> Result<Option<OrgRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {ORG_COLUMNS} FROM organisations WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await
}

pub async fn all(conn: &mut AnyConnection) -> Result<Vec<OrgRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {ORG_COLUMNS} FROM organisations ORDER BY slug"
    ))
    .fetch_all(conn)
    .await
}

pub async fn insert(conn: &mut AnyConnection, org: &OrgRow, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO organisations (id, slug, name, legal_name, company_number, vat_number, address, brand_colour, welcome_text, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(org.id)
    .bind(&org.slug)
    .bind(&org.name)
    .bind(&org.legal_name)
    .bind(&org.company_number)
    .bind(&org.vat_number)
    .bind(&org.address)
    .bind(&org.brand_colour)
    .bind(&org.welcome_text)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct StaffRow {
    pub id: StaffUserId,
    pub organisation_id: OrgId,
    pub email: String,
    pub name: String,
    pub role: Option<Role>,
    pub all_sites: i64,
    pub active: i64,
}

const STAFF_COLUMNS: &str = "id, organisation_id, email, name, role, all_sites, active";

pub async fn staff_by_email(
    conn: &mut AnyConnection,
    org: OrgId,
    email: &str,
) -> Result<Option<StaffRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {STAFF_COLUMNS} FROM staff_users WHERE organisation_id = $1 AND email = $2"
    ))
    .bind(org)
    .bind(email)
    .fetch_optional(conn)
    .await
}

pub async fn staff_by_id(
    conn: &mut AnyConnection,
    org: OrgId,
    id: StaffUserId,
) -> Result<Option<StaffRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {STAFF_COLUMNS} FROM staff_users WHERE organisation_id = $1 AND id = $2"
    ))
    .bind(org)
    .bind(id)
    .fetch_optional(conn)
    .await
}

pub async fn staff_list(
    conn: &mut AnyConnection,
    org: OrgId,
) -> Result<Vec<StaffRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {STAFF_COLUMNS} FROM staff_users WHERE organisation_id = $1 ORDER BY name"
    ))
    .bind(org)
    .fetch_all(conn)
    .await
}

pub async fn staff_sites(
    conn: &mut AnyConnection,
    org: OrgId,
    user: StaffUserId,
) -> Result<Vec<SiteId>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT site_id FROM staff_site_scopes WHERE organisation_id = $1 AND staff_user_id = $2",
    )
    .bind(org)
    .bind(user)
    .fetch_all(conn)
    .await
}

pub async fn insert_staff(
    conn: &mut AnyConnection,
    row: &StaffRow,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO staff_users (id, organisation_id, email, name, role, all_sites, active, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(row.id)
    .bind(row.organisation_id)
    .bind(&row.email)
    .bind(&row.name)
    .bind(row.role)
    .bind(row.all_sites)
    .bind(row.active)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn add_staff_site(
    conn: &mut AnyConnection,
    org: OrgId,
    user: StaffUserId,
    site: SiteId,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO staff_site_scopes (organisation_id, staff_user_id, site_id) VALUES ($1, $2, $3)")
        .bind(org)
        .bind(user)
        .bind(site)
        .execute(conn)
        .await?;
    Ok(())
}

/// Replaces a user's scope: all sites, or exactly `sites`.
pub async fn set_scope(
    conn: &mut AnyConnection,
    org: OrgId,
    user: StaffUserId,
    sites: Option<&[SiteId]>,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM staff_site_scopes WHERE organisation_id = $1 AND staff_user_id = $2")
        .bind(org)
        .bind(user)
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE staff_users SET all_sites = $3 WHERE organisation_id = $1 AND id = $2")
        .bind(org)
        .bind(user)
        .bind(i64::from(sites.is_none()))
        .execute(&mut *conn)
        .await?;
    for site in sites.unwrap_or_default() {
        add_staff_site(conn, org, user, *site).await?;
    }
    Ok(())
}
