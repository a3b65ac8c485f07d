//! Sites, buildings and units.

use proplink_shared::records::{NewBuilding, NewSite, NewUnit};
use proplink_shared::{BuildingId, ContactId, OrgId, Scope, SiteId, UnitId};
use time::OffsetDateTime;

use super::query::{Key, Keyed, ListQuery, Order, Page, PageAt, ScopeColumns};
use super::{Conn, DbResult};
use crate::{params, read_model};

read_model! {
    pub struct Site {
        pub id: SiteId = "s.id",
        pub reference: String = "s.reference",
        pub name: String = "s.name",
        pub address: String = "s.address",
        pub version: i64 = "s.version",
        /// How many buildings it has.
        pub buildings: i64 = "(SELECT COUNT(*) FROM buildings b WHERE b.organisation_id = s.organisation_id AND b.site_id = s.id)",
    }
}

impl Keyed for Site {
    fn key(&self) -> Vec<Key> {
        vec![
            Key::Text(self.reference.clone()),
            Key::Text(self.id.to_string()),
        ]
    }
}

/// How a site list is limited by scope: a site is its own site.
pub const SITE_SCOPE: ScopeColumns = ScopeColumns {
    site: Some("s.id"),
    unit: None,
    contact: None,
    work_order: None,
    building: None,
    audience: None,
    followed_by: None,
};

const SITE_ORDER: Order = Order {
    columns: &["s.reference", "s.id"],
    descending: false,
};

pub async fn sites(conn: &mut Conn, scope: &Scope, at: &PageAt, size: i64) -> DbResult<Page<Site>> {
    ListQuery::new(
        "FROM sites s".into(),
        scope,
        "s.organisation_id",
        &SITE_SCOPE,
    )
    .page(conn, Site::COLUMNS, &SITE_ORDER, at, size)
    .await
}

/// Every site in scope, for choosing one: a few dozen at most per organisation.
pub async fn site_choices(conn: &mut Conn, scope: &Scope) -> DbResult<Vec<(SiteId, String)>> {
    ListQuery::new(
        "FROM sites s".into(),
        scope,
        "s.organisation_id",
        &SITE_SCOPE,
    )
    .all(conn, "s.id, s.name", "s.name, s.id")
    .await
}

pub async fn site(conn: &mut Conn, org: OrgId, id: SiteId) -> DbResult<Option<Site>> {
    conn.query_opt(
        &format!(
            "SELECT {} FROM sites s WHERE s.organisation_id = $1 AND s.id = $2",
            Site::COLUMNS
        ),
        params![org, id],
    )
    .await
}

pub async fn insert_site(
    conn: &mut Conn,
    org: OrgId,
    id: SiteId,
    new: &NewSite,
    now: OffsetDateTime,
) -> DbResult<()> {
    conn.execute(
        "INSERT INTO sites (organisation_id, id, reference, name, address, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        params![org, id, new.reference, new.name, new.address, now],
    )
    .await?;
    Ok(())
}

read_model! {
    pub struct Building {
        pub id: BuildingId = "b.id",
        pub site_id: SiteId = "b.site_id",
        pub name: String = "b.name",
        /// In tenths of a metre.
        pub height_decimetres: Option<i64> = "b.height_decimetres",
        pub storeys: Option<i64> = "b.storeys",
        pub is_hrb: bool = "b.is_hrb",
        pub bsr_registration: String = "b.bsr_registration",
        pub version: i64 = "b.version",
        /// How many units it has.
        pub units: i64 = "(SELECT COUNT(*) FROM units u WHERE u.organisation_id = b.organisation_id AND u.building_id = b.id)",
    }
}

const BUILDING_SCOPE: ScopeColumns = ScopeColumns {
    site: Some("b.site_id"),
    unit: None,
    contact: None,
    work_order: None,
    building: Some("b.id"),
    audience: None,
    followed_by: None,
};

/// The buildings in scope, by site, for lists of sites and the app's site picker.
pub async fn buildings(conn: &mut Conn, scope: &Scope) -> DbResult<Vec<Building>> {
    ListQuery::new(
        "FROM buildings b".into(),
        scope,
        "b.organisation_id",
        &BUILDING_SCOPE,
    )
    .all(conn, Building::COLUMNS, "b.site_id, b.name, b.id")
    .await
}

pub async fn buildings_of_site(
    conn: &mut Conn,
    org: OrgId,
    site: SiteId,
) -> DbResult<Vec<Building>> {
    conn.query(
        &format!(
            "SELECT {} FROM buildings b WHERE b.organisation_id = $1 AND b.site_id = $2 ORDER BY b.name, b.id",
            Building::COLUMNS
        ),
        params![org, site],
    )
    .await
}

pub async fn building(conn: &mut Conn, org: OrgId, id: BuildingId) -> DbResult<Option<Building>> {
    conn.query_opt(
        &format!(
            "SELECT {} FROM buildings b WHERE b.organisation_id = $1 AND b.id = $2",
            Building::COLUMNS
        ),
        params![org, id],
    )
    .await
}

pub async fn insert_building(
    conn: &mut Conn,
    org: OrgId,
    id: BuildingId,
    site: SiteId,
    new: &NewBuilding,
    now: OffsetDateTime,
) -> DbResult<()> {
    conn.execute(
        "INSERT INTO buildings (organisation_id, id, site_id, name, height_decimetres, storeys, is_hrb, bsr_registration, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        params![
            org,
            id,
            site,
            new.name,
            new.height_decimetres,
            new.storeys,
            new.is_hrb,
            new.bsr_registration,
            now
        ],
    )
    .await?;
    Ok(())
}

read_model! {
    pub struct Unit {
        pub id: UnitId = "u.id",
        pub site_id: SiteId = "u.site_id",
        pub building_id: BuildingId = "u.building_id",
        pub name: String = "u.name",
        pub floor: String = "u.floor",
        pub building_name: String = "b.name",
        pub created_at: OffsetDateTime = "u.created_at",
        pub version: i64 = "u.version",
        /// Who is billed for it now.
        pub billable_contact_id: Option<ContactId> = "(SELECT uc.contact_id FROM unit_contacts uc WHERE uc.organisation_id = u.organisation_id \
            AND uc.unit_id = u.id AND uc.billable AND uc.end_date IS NULL ORDER BY uc.start_date DESC, uc.id DESC LIMIT 1)",
    }
}

impl Keyed for Unit {
    fn key(&self) -> Vec<Key> {
        vec![
            Key::Int(crate::clock::to_micros(self.created_at)),
            Key::Text(self.id.to_string()),
        ]
    }
}

const UNIT_FROM: &str = "FROM units u JOIN buildings b ON b.organisation_id = u.organisation_id AND b.id = u.building_id";

pub async fn units_of_building(
    conn: &mut Conn,
    org: OrgId,
    building: BuildingId,
    at: &PageAt,
    size: i64,
) -> DbResult<Page<Unit>> {
    let mut q = ListQuery::in_org(UNIT_FROM.into(), org, "u.organisation_id");
    q.equals("u.building_id", Some(building));
    q.page(
        conn,
        Unit::COLUMNS,
        &Order {
            columns: &["u.created_at", "u.id"],
            descending: false,
        },
        at,
        size,
    )
    .await
}

/// Every unit of a building, in the order they were added (for a demand, which covers all).
pub async fn all_units_of_building(
    conn: &mut Conn,
    org: OrgId,
    building: BuildingId,
) -> DbResult<Vec<Unit>> {
    let mut q = ListQuery::in_org(UNIT_FROM.into(), org, "u.organisation_id");
    q.equals("u.building_id", Some(building));
    q.all(conn, Unit::COLUMNS, "u.created_at, u.id").await
}

pub async fn unit(conn: &mut Conn, org: OrgId, id: UnitId) -> DbResult<Option<Unit>> {
    conn.query_opt(
        &format!(
            "SELECT {} {UNIT_FROM} WHERE u.organisation_id = $1 AND u.id = $2",
            Unit::COLUMNS
        ),
        params![org, id],
    )
    .await
}

pub async fn insert_unit(
    conn: &mut Conn,
    org: OrgId,
    id: UnitId,
    building: &Building,
    new: &NewUnit,
    now: OffsetDateTime,
) -> DbResult<()> {
    conn.execute(
        "INSERT INTO units (organisation_id, id, site_id, building_id, name, floor, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        params![org, id, building.site_id, building.id, new.name, new.floor, now],
    )
    .await?;
    Ok(())
}

/// Saves a site's details if it is still at `version`; false if someone else changed it.
pub async fn update_site(
    conn: &mut Conn,
    org: OrgId,
    id: SiteId,
    version: i64,
    s: &NewSite,
) -> DbResult<bool> {
    let changed = conn
        .execute(
            "UPDATE sites SET reference = $4, name = $5, address = $6, version = version + 1 \
             WHERE organisation_id = $1 AND id = $2 AND version = $3",
            params![org, id, version, s.reference, s.name, s.address],
        )
        .await?;
    Ok(changed == 1)
}

/// Saves a building's details if it is still at `version`; false if someone else changed it.
pub async fn update_building(
    conn: &mut Conn,
    org: OrgId,
    id: BuildingId,
    version: i64,
    b: &NewBuilding,
) -> DbResult<bool> {
    let changed = conn
        .execute(
            "UPDATE buildings SET name = $4, height_decimetres = $5, storeys = $6, is_hrb = $7, bsr_registration = $8, \
             version = version + 1 WHERE organisation_id = $1 AND id = $2 AND version = $3",
            params![org, id, version, b.name, b.height_decimetres, b.storeys, b.is_hrb, b.bsr_registration],
        )
        .await?;
    Ok(changed == 1)
}

/// Saves a unit's details if it is still at `version`; false if someone else changed it.
pub async fn update_unit(
    conn: &mut Conn,
    org: OrgId,
    id: UnitId,
    version: i64,
    u: &NewUnit,
) -> DbResult<bool> {
    let changed = conn
        .execute(
            "UPDATE units SET name = $4, floor = $5, version = version + 1 \
             WHERE organisation_id = $1 AND id = $2 AND version = $3",
            params![org, id, version, u.name, u.floor],
        )
        .await?;
    Ok(changed == 1)
}

/// Serialises changes that judge what a building already has (a live grant, an identical
/// draft): taken before the check, so two at once cannot both pass it. SQLite's single
/// writer gives this already.
pub async fn lock_building(conn: &mut Conn, org: OrgId, building: BuildingId) -> DbResult<()> {
    conn.execute(
        "UPDATE buildings SET name = name WHERE organisation_id = $1 AND id = $2",
        params![org, building],
    )
    .await?;
    Ok(())
}
