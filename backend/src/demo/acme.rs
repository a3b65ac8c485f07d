//! Acme Estates, played from the tables of [`super::data`]: the portfolio and its people, two
//! years of charges, payments, requests, issues and repairs in date order, then the story of
//! the last weeks.

use std::collections::HashMap;

use proplink_shared::audit::Channel;
use proplink_shared::records::*;
use proplink_shared::{
    Actor, BuildingId, ContactId, IssueId, Money, Role, SiteId, TicketId, UnitId, VendorId,
    WorkOrderId,
};
use time::{Date, Duration, OffsetDateTime};

mod golden_thread;
pub use golden_thread::INSPECTOR;
mod history;
mod story;

use super::data::{self, SITES, VENDORS};
use super::{R, at, staff_actor};
use crate::app::App;
use crate::error::AppError;
use crate::services::{orgs, people, places, vendors};
use crate::store::orgs::OrgDetails;
use crate::store::vendors::Cover;

struct Flat {
    id: UnitId,
    site: SiteId,
    number: i64,
    leaseholder: ContactId,
    name: String,
    quarterly: Money,
}

/// One copy of the portfolio: with `--scale N` there are N.
struct Group {
    sites: Vec<SiteId>,
    buildings: Vec<BuildingId>,
    flats: Vec<Flat>,
    /// The site managers of this copy's sites: the first two sites, and the third.
    site_managers: [Actor; 2],
}

struct Acme<'a> {
    app: &'a App,
    owner: Actor,
    mark: Actor,
    anna: Actor,
    groups: Vec<Group>,
    vendors: Vec<VendorId>,
    /// The cleaners and contractors the story's records are known by, per group.
    tickets: HashMap<String, TicketId>,
    issues: HashMap<String, IssueId>,
    work_orders: HashMap<String, WorkOrderId>,
    quotes: HashMap<(String, usize), proplink_shared::QuoteId>,
    /// Each contractor's latest emailed link, until they open it.
    links: std::sync::Mutex<HashMap<(WorkOrderId, VendorId), String>>,
    /// Contractors signed in through their link, as ContractorPort made them.
    contractors: std::sync::Mutex<HashMap<(WorkOrderId, VendorId), Actor>>,
}

pub async fn build(app: &App, now: OffsetDateTime, scale: u32) -> R<String> {
    let org = orgs::create(
        app,
        &NewOrganisation::validate("Acme Estates", "acme")?,
        OrgDetails {
            legal_name: "Acme Estates Management Ltd".into(),
            company_number: "09876543".into(),
            vat_number: "GB 123 4567 89".into(),
            address: "14 Chancery Lane, London WC2A 1PL".into(),
            brand_colour: "#1d4f91".into(),
            welcome_text: "Welcome to Acme Estates. Your home, managed with care.".into(),
        },
        "olivia.owner@acme.example",
        "Olivia Owner",
    )
    .await?;
    let system = orgs::system_actor(org.id);
    let owner_row = orgs::staff_by_email(app, &system, "olivia.owner@acme.example").await?;
    let owner = staff_actor(
        org.id,
        owner_row.id,
        "Olivia Owner",
        Role::OrganisationOwner,
        None,
        Channel::Admin,
    );
    app.clock.advance(Duration::hours(1));
    let add = |email: &'static str, name: &'static str, role: Role| {
        let owner = owner.clone();
        async move {
            let id = orgs::add_staff(app, &owner, email, name, role, None).await?;
            Ok::<_, AppError>(staff_actor(org.id, id, name, role, None, Channel::Admin))
        }
    };
    let mark = add("mark.manager@acme.example", "Mark Manager", Role::Manager).await?;
    let anna = add(
        "anna.accounts@acme.example",
        "Anna Accounts",
        Role::Accountant,
    )
    .await?;
    add(
        "rita.readonly@acme.example",
        "Rita Reed (auditor)",
        Role::ReadOnly,
    )
    .await?;
    let mut acme = Acme {
        app,
        owner,
        mark,
        anna,
        groups: Vec::new(),
        vendors: Vec::new(),
        tickets: HashMap::new(),
        issues: HashMap::new(),
        work_orders: HashMap::new(),
        quotes: HashMap::new(),
        links: std::sync::Mutex::default(),
        contractors: std::sync::Mutex::default(),
    };
    for g in 0..scale {
        acme.portfolio(usize::try_from(g).unwrap_or(0)).await?;
    }
    acme.contractors(now.date()).await?;
    let (invoices, payments) = acme.history(now).await?;
    acme.golden_thread(now.date()).await?;
    app.clock.set(at(now.date() - Duration::days(21), 9, 0));
    for g in 0..acme.groups.len() {
        acme.story(g, now.date()).await?;
    }
    acme.documents(org.id).await?;
    let flats: usize = acme.groups.iter().map(|g| g.flats.len()).sum();
    let lift = acme.work_order(0, "lift-wo")?;
    let try_link = acme
        .links
        .lock()
        .map_err(|_| AppError::NotFound)?
        .get(&(lift, acme.vendors[1]))
        .cloned()
        .ok_or(AppError::NotFound)?;
    Ok(format!(
        "acme: created Acme Estates — {} sites, {flats} flats with their leaseholders and tenants, {invoices} invoices, {payments} payments, \
         two years of requests, issues and repairs, and the last weeks' story\n\
         ContractorPort: {}'s invitation to quote for the lift repair, to open once: {try_link}",
        acme.groups.len() * SITES.len(),
        data::VENDORS[1].name
    ))
}

impl Acme<'_> {
    fn org(&self) -> proplink_shared::OrgId {
        self.owner.org
    }

    /// The office invites a contractor to quote; the emailed link waits for them to open it.
    async fn invite(&self, wo: WorkOrderId, vendor: VendorId) -> R<()> {
        let link = crate::services::work_orders::invite(self.app, &self.mark, wo, vendor).await?;
        self.links
            .lock()
            .map_err(|_| AppError::NotFound)?
            .insert((wo, vendor), link);
        Ok(())
    }

    /// The contractor on a work order as ContractorPort knows them: the first time, they open
    /// their emailed link, which is traded for a session like any other.
    async fn contractor(&self, wo: WorkOrderId, vendor: VendorId) -> R<Actor> {
        let signed_in = self
            .contractors
            .lock()
            .map_err(|_| AppError::NotFound)?
            .get(&(wo, vendor))
            .cloned();
        if let Some(actor) = signed_in {
            return Ok(actor);
        }
        let link = self
            .links
            .lock()
            .map_err(|_| AppError::NotFound)?
            .remove(&(wo, vendor))
            .ok_or(AppError::NotFound)?;
        let actor = crate::demo::contractor_opens(self.app, &link).await?;
        self.contractors
            .lock()
            .map_err(|_| AppError::NotFound)?
            .insert((wo, vendor), actor.clone());
        Ok(actor)
    }

    /// Copy `g` of the sites, their buildings and flats, the leaseholders and tenants, and the
    /// site managers who look after them.
    async fn portfolio(&mut self, g: usize) -> R<()> {
        let app = self.app;
        let suffix = if g == 0 {
            String::new()
        } else {
            format!(" {}", g + 1)
        };
        let mut group = Group {
            sites: Vec::new(),
            buildings: Vec::new(),
            flats: Vec::new(),
            site_managers: [self.owner.clone(), self.owner.clone()],
        };
        let mut name_i = g * 97;
        for (s, spec) in SITES.iter().enumerate() {
            let reference = if g == 0 {
                spec.reference.to_owned()
            } else {
                format!("{}-{}", spec.reference, g + 1)
            };
            let site = places::add_site(
                app,
                &self.owner,
                &NewSite::validate(&reference, &format!("{}{suffix}", spec.name), spec.address)?,
            )
            .await?;
            let hrb = qualifies_as_hrb(spec.height_decimetres, spec.storeys, spec.flats);
            let building = places::add_building(
                app,
                &self.owner,
                site,
                &NewBuilding::validate(
                    &format!("{}{suffix}", spec.building),
                    spec.height_decimetres,
                    spec.storeys,
                    hrb,
                    spec.bsr,
                )?,
            )
            .await?;
            group.sites.push(site);
            group.buildings.push(building);
            for n in 1..=spec.flats {
                let floor = if n <= 3 {
                    "Ground".to_owned()
                } else {
                    format!("Floor {}", (n - 1) / 3)
                };
                let unit = places::add_unit(
                    app,
                    &self.owner,
                    building,
                    &NewUnit::validate(&format!("Flat {n}"), &floor)?,
                )
                .await?;
                let named = data::NAMED_RESIDENTS
                    .iter()
                    .find(|r| g == 0 && r.0 == s && r.1 == n);
                let (title, first, last) = match named {
                    Some((_, _, title, first, last)) => (*title, *first, *last),
                    None => {
                        name_i += 1;
                        (
                            data::TITLES[name_i % data::TITLES.len()],
                            data::FIRST[name_i % data::FIRST.len()],
                            data::LAST[(name_i * 7) % data::LAST.len()],
                        )
                    }
                };
                // The residents the printout names have addresses to type.
                let email = match named {
                    Some(_) => format!(
                        "{}.{}@residents.example",
                        first.to_lowercase(),
                        last.to_lowercase()
                    ),
                    None => format!(
                        "{}.{}{name_i}@residents.example",
                        first.to_lowercase(),
                        last.to_lowercase()
                    ),
                };
                let leaseholder = people::add_contact(
                    app,
                    &self.owner,
                    &NewContact::validate(
                        ContactKind::Leaseholder,
                        title,
                        first,
                        last,
                        &email,
                        "07700 900",
                    )?,
                )
                .await?;
                let since = app.clock.now().date() - Duration::days(400 + n * 30);
                people::link_to_unit(
                    app,
                    &self.owner,
                    leaseholder,
                    unit,
                    UnitRole::Leaseholder,
                    true,
                    since,
                )
                .await?;
                if n % 4 == 0 {
                    name_i += 1;
                    let (ts, tn, named_first, named_last) = data::NAMED_TENANT;
                    let named_tenant = g == 0 && ts == s && tn == n;
                    let (tf, tl) = if named_tenant {
                        (named_first, named_last)
                    } else {
                        (
                            data::FIRST[(name_i * 3) % data::FIRST.len()],
                            data::LAST[(name_i * 5) % data::LAST.len()],
                        )
                    };
                    let tenant_email = if named_tenant {
                        format!(
                            "{}.{}@tenants.example",
                            tf.to_lowercase(),
                            tl.to_lowercase()
                        )
                    } else {
                        format!(
                            "{}.{}{name_i}@tenants.example",
                            tf.to_lowercase(),
                            tl.to_lowercase()
                        )
                    };
                    let tenant = people::add_contact(
                        app,
                        &self.owner,
                        &NewContact::validate(ContactKind::Tenant, "", tf, tl, &tenant_email, "")?,
                    )
                    .await?;
                    let since = app.clock.now().date() - Duration::days(200);
                    people::link_to_unit(
                        app,
                        &self.owner,
                        tenant,
                        unit,
                        UnitRole::Tenant,
                        false,
                        since,
                    )
                    .await?;
                }
                group.flats.push(Flat {
                    id: unit,
                    site,
                    number: n,
                    leaseholder,
                    name: NewContact::display_name(title, first, last),
                    quarterly: Money::from_pence(spec.quarterly),
                });
            }
        }
        let (first_two, third) = ([group.sites[0], group.sites[1]], [group.sites[2]]);
        let managers: [(String, String, &[SiteId]); 2] = if g == 0 {
            [
                (
                    "sam.singh@acme.example".into(),
                    "Sam Singh".into(),
                    &first_two,
                ),
                (
                    "hannah.hughes@acme.example".into(),
                    "Hannah Hughes".into(),
                    &third,
                ),
            ]
        } else {
            [
                (
                    format!("site.manager{}a@acme.example", g + 1),
                    format!("Site Manager {}A", g + 1),
                    &first_two,
                ),
                (
                    format!("site.manager{}b@acme.example", g + 1),
                    format!("Site Manager {}B", g + 1),
                    &third,
                ),
            ]
        };
        for (i, (email, name, sites)) in managers.iter().enumerate() {
            let id = orgs::add_staff(
                app,
                &self.owner,
                email,
                name,
                Role::SiteManager,
                Some(sites),
            )
            .await?;
            group.site_managers[i] = staff_actor(
                self.org(),
                id,
                name,
                Role::SiteManager,
                Some(sites),
                Channel::FacilityReport,
            );
        }
        self.groups.push(group);
        Ok(())
    }

    /// The contractors and their cover; Greenleaf's public liability has lapsed.
    async fn contractors(&mut self, today: Date) -> R<()> {
        for (i, v) in VENDORS.iter().enumerate() {
            let id = vendors::add_vendor(
                self.app,
                &self.mark,
                v.name,
                v.email,
                "0161 496 0000",
                v.category,
            )
            .await?;
            let cover = Cover {
                kind: CertificateKind::PublicLiability,
                provider: ["Aviva", "Hiscox", "AXA", "Zurich"][i % 4].into(),
                policy_number: format!("PL-{:06}", 480_000 + i * 137),
                sum_insured: Some(Money::from_pence(500_000_000)),
                expires_on: today + Duration::days(v.cover_days),
            };
            vendors::add_cover(self.app, &self.mark, id, &cover).await?;
            self.vendors.push(id);
        }
        let trade = Cover {
            kind: CertificateKind::Niceic,
            provider: "NICEIC".into(),
            policy_number: "NICEIC-604512".into(),
            sum_insured: None,
            expires_on: today + Duration::days(500),
        };
        vendors::add_cover(self.app, &self.mark, self.vendors[2], &trade).await
    }

    fn flats(&self) -> impl Iterator<Item = (usize, &Flat)> {
        self.groups.iter().flat_map(|g| g.flats.iter()).enumerate()
    }

    fn flat(&self, i: usize) -> &Flat {
        let mut i = i;
        for g in &self.groups {
            if i < g.flats.len() {
                return &g.flats[i];
            }
            i -= g.flats.len();
        }
        &self.groups[0].flats[0]
    }

    fn group_of(&self, flat: usize) -> usize {
        let mut i = flat;
        for (g, group) in self.groups.iter().enumerate() {
            if i < group.flats.len() {
                return g;
            }
            i -= group.flats.len();
        }
        0
    }

    fn site_manager(&self, flat: usize) -> &Actor {
        let g = self.group_of(flat);
        let site = self.flat(flat).site;
        let second = self.groups[g].sites.get(2) == Some(&site);
        &self.groups[g].site_managers[usize::from(second)]
    }

    fn building_of(&self, site: SiteId) -> Option<BuildingId> {
        self.groups.iter().find_map(|g| {
            g.sites
                .iter()
                .position(|s| *s == site)
                .map(|i| g.buildings[i])
        })
    }
}
