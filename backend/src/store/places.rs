//! Sites, buildings and units.

use proplink_shared::{BuildingId, OrgId, SiteId, UnitId};
use sqlx::AnyConnection;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct SiteRow {
    pub id: SiteId,
    pub reference: String,
    pub name: String,
    pub address: String,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct BuildingRow {
    pub id: BuildingId,
    pub site_id: SiteId,
    pub name: String,
    pub height_decimetres: Option<i64>,
    pub storeys: Option<i64>,
    pub is_hrb: i64,
    pub bsr_registration: String,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct UnitRow {
    pub id: UnitId,
    pub site_id: SiteId,
    pub building_id: BuildingId,
    pub name: String,
    pub floor: String,
    pub building_name: String,
}

pub async fn sites(conn: &mut AnyConnection, org: OrgId) -> Result<Vec<SiteRow>, sqlx::Error> {
    sqlx::query_as("SELECT id, reference, name, address FROM sites WHERE organisation_id = $1 ORDER BY reference")
        .bind(org)
        .fetch_all(conn)
        .await
}

pub async fn site(
    conn: &mut AnyConnection,
    org: OrgId,
    id: SiteId,
) -> Result<Option<SiteRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, reference, name, address FROM sites WHERE organisation_id = $1 AND id = $2",
    )
    .bind(org)
    .bind(id)
    .fetch_optional(conn)
    .await
}

pub async fn insert_site(
    conn: &mut AnyConnection,
    org: OrgId,
    row: &SiteRow,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO sites (id, organisation_id, reference, name, address, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(row.id)
        .bind(org)
        .bind(&row.reference)
        .bind(&row.name)
        .bind(&row.address)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}

const BUILDING_COLUMNS: &str =
    "id, site_id, name, height_decimetres, storeys, is_hrb, bsr_registration";

pub async fn buildings(
    conn: &mut AnyConnection,
    org: OrgId,
    site: Option<SiteId>,
) -> Result<Vec<BuildingRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {BUILDING_COLUMNS} FROM buildings WHERE organisation_id = $1 AND ($2 IS NULL OR site_id = $2) ORDER BY name"
    ))
    .bind(org)
    .bind(site)
    .fetch_all(conn)
    .await
}

pub async fn building(
    conn: &mut AnyConnection,
    org: OrgId,
    id: BuildingId,
) -> Result<Option<BuildingRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {BUILDING_COLUMNS} FROM buildings WHERE organisation_id = $1 AND id = $2"
    ))
    .bind(org)
    .bind(id)
    .fetch_optional(conn)
    .await
}

pub async fn insert_building(
    conn: &mut AnyConnection,
    org: OrgId,
    row: &BuildingRow,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO buildings (id, organisation_id, site_id, name, height_decimetres, storeys, is_hrb, bsr_registration, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(row.id)
    .bind(org)
    .bind(row.site_id)
    .bind(&row.name)
    .bind(row.height_decimetres)
    .bind(row.storeys)
    .bind(row.is_hrb)
    .bind(&row.bsr_registration)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

const UNIT_SELECT: &str = "SELECT u.id, u.site_id, u.building_id, u.name, u.floor, b.name AS building_name \
    FROM units u JOIN buildings b ON b.id = u.building_id AND b.organisation_id = u.organisation_id";

pub async fn units(
    conn: &mut AnyConnection,
    org: OrgId,
    building: Option<BuildingId>,
) -> Result<Vec<UnitRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{UNIT_SELECT} WHERE u.organisation_id = $1 AND ($2 IS NULL OR u.building_id = $2) ORDER BY b.name, u.created_at"
    ))
    .bind(org)
    .bind(building)
    .fetch_all(conn)
    .await
}

pub async fn unit(
    conn: &mut AnyConnection,
    org: OrgId,
    id: UnitId,
) -> Result<Option<UnitRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{UNIT_SELECT} WHERE u.organisation_id = $1 AND u.id = $2"
    ))
    .bind(org)
    .bind(id)
    .fetch_optional(conn)
    .await
}

pub async fn insert_unit(
    conn: &mut AnyConnection,
    org: OrgId,
    row: &UnitRow,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO units (id, organisation_id, site_id, building_id, name, floor, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(row.id)
        .bind(org)
        .bind(row.site_id)
        .bind(row.building_id)
        .bind(&row.name)
        .bind(&row.floor)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}
