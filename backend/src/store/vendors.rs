//! Contractors (vendors) and their insurance and trade cover.

use proplink_shared::records::{CertificateKind, ServiceCategory};
use proplink_shared::{Money, OrgId, Scope, VendorId};
use time::{Date, OffsetDateTime};

use super::query::{Key, Keyed, ListQuery, Order, Page, PageAt, ScopeColumns};
use super::{Conn, DbResult};
use crate::{params, read_model};

read_model! {
    pub struct Vendor {
        pub id: VendorId = "v.id",
        pub name: String = "v.name",
        pub email: String = "v.email",
        pub phone: String = "v.phone",
        pub service_category: ServiceCategory = "v.service_category",
        /// Whether public liability cover is on file: without it nothing may be dispatched.
        pub has_liability_cover: bool = "EXISTS (SELECT 1 FROM vendor_cover vc WHERE vc.organisation_id = v.organisation_id \
            AND vc.vendor_id = v.id AND vc.kind = 'public_liability')",
        /// When the first of their cover runs out.
        pub earliest_expiry: Option<Date> = "(SELECT MIN(vc.expires_on) FROM vendor_cover vc WHERE vc.organisation_id = v.organisation_id \
            AND vc.vendor_id = v.id)",
        /// Moves with each edit.
        pub version: i64 = "v.version",
    }
}

impl Keyed for Vendor {
    fn key(&self) -> Vec<Key> {
        vec![Key::Text(self.name.clone()), Key::Text(self.id.to_string())]
    }
}

/// Contractors are organisation-wide: no site.
const VENDOR_SCOPE: ScopeColumns = ScopeColumns {
    site: None,
    unit: None,
    contact: None,
    work_order: None,
    building: None,
    audience: None,
    followed_by: None,
};

/// Which contractors' cover a list shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CoverFilter {
    /// Something on file runs out between the two days.
    ExpiringBetween(Date, Date),
    /// No public liability cover on file, or something already expired before the day.
    LapsedOn(Date),
}

/// What a contractor list is narrowed to.
#[derive(Clone, Debug, Default)]
pub struct VendorFilter {
    pub category: Option<ServiceCategory>,
    pub cover: Option<CoverFilter>,
    pub text: Option<String>,
}

pub async fn vendors(
    conn: &mut Conn,
    scope: &Scope,
    filter: &VendorFilter,
    at: &PageAt,
    size: i64,
) -> DbResult<Page<Vendor>> {
    let mut q = ListQuery::new(
        "FROM vendors v".into(),
        scope,
        "v.organisation_id",
        &VENDOR_SCOPE,
    );
    q.equals("v.service_category", filter.category);
    match filter.cover {
        Some(CoverFilter::ExpiringBetween(from, until)) => {
            let from = q.params.push(&from);
            let until = q.params.push(&until);
            q.raw(&format!(
                "EXISTS (SELECT 1 FROM vendor_cover vc WHERE vc.organisation_id = v.organisation_id AND vc.vendor_id = v.id \
                 AND vc.expires_on >= {from} AND vc.expires_on <= {until})"
            ));
        }
        Some(CoverFilter::LapsedOn(day)) => {
            q.condition(
                "(NOT EXISTS (SELECT 1 FROM vendor_cover vc WHERE vc.organisation_id = v.organisation_id AND vc.vendor_id = v.id AND vc.kind = 'public_liability') \
                 OR EXISTS (SELECT 1 FROM vendor_cover vc WHERE vc.organisation_id = v.organisation_id AND vc.vendor_id = v.id AND vc.expires_on < ?))",
                &day,
            );
        }
        None => {}
    }
    q.search(&["v.name", "v.email"], filter.text.as_deref());
    q.page(
        conn,
        Vendor::COLUMNS,
        &Order {
            columns: &["v.name", "v.id"],
            descending: false,
        },
        at,
        size,
    )
    .await
}

pub async fn vendor(conn: &mut Conn, org: OrgId, id: VendorId) -> DbResult<Option<Vendor>> {
    conn.query_opt(
        &format!(
            "SELECT {} FROM vendors v WHERE v.organisation_id = $1 AND v.id = $2",
            Vendor::COLUMNS
        ),
        params![org, id],
    )
    .await
}

/// A contractor new to the organisation.
pub struct NewVendor<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub phone: &'a str,
    pub category: ServiceCategory,
}

pub async fn insert_vendor(
    conn: &mut Conn,
    org: OrgId,
    id: VendorId,
    v: &NewVendor<'_>,
    now: OffsetDateTime,
) -> DbResult<()> {
    conn.execute(
        "INSERT INTO vendors (organisation_id, id, name, email, phone, service_category, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        params![org, id, v.name, v.email, v.phone, v.category, now],
    )
    .await?;
    Ok(())
}

/// Saves a contractor's details if they are still at `version`; false if someone else changed
/// them meanwhile.
pub async fn update_vendor(
    conn: &mut Conn,
    org: OrgId,
    id: VendorId,
    version: i64,
    v: &NewVendor<'_>,
) -> DbResult<bool> {
    let changed = conn
        .execute(
            "UPDATE vendors SET name = $4, email = $5, phone = $6, service_category = $7, version = version + 1 \
             WHERE organisation_id = $1 AND id = $2 AND version = $3",
            params![org, id, version, v.name, v.email, v.phone, v.category],
        )
        .await?;
    Ok(changed == 1)
}

read_model! {
    /// An insurance policy or trade certificate a contractor holds.
    pub struct Cover {
        pub kind: CertificateKind = "kind",
        pub provider: String = "provider",
        pub policy_number: String = "policy_number",
        pub sum_insured: Option<Money> = "sum_insured",
        pub expires_on: Date = "expires_on",
    }
}

pub async fn cover(conn: &mut Conn, org: OrgId, vendor: VendorId) -> DbResult<Vec<Cover>> {
    conn.query(
        &format!(
            "SELECT {} FROM vendor_cover WHERE organisation_id = $1 AND vendor_id = $2 ORDER BY expires_on, id",
            Cover::COLUMNS
        ),
        params![org, vendor],
    )
    .await
}

pub async fn insert_cover(
    conn: &mut Conn,
    org: OrgId,
    vendor: VendorId,
    c: &Cover,
) -> DbResult<()> {
    conn.execute(
        "INSERT INTO vendor_cover (organisation_id, id, vendor_id, kind, provider, policy_number, sum_insured, expires_on) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        params![org, uuid::Uuid::now_v7(), vendor, c.kind, c.provider, c.policy_number, c.sum_insured, c.expires_on],
    )
    .await?;
    Ok(())
}

/// Every contractor of the organisation, by name: to choose one from.
pub async fn all_vendors(conn: &mut Conn, org: OrgId) -> DbResult<Vec<Vendor>> {
    conn.query(
        &format!(
            "SELECT {} FROM vendors v WHERE v.organisation_id = $1 ORDER BY v.name, v.id",
            Vendor::COLUMNS
        ),
        params![org],
    )
    .await
}
