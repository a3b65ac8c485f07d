//! Acme Estates, played from the tables of [`super::data`]: the portfolio and its people, two
//! years of charges, payments, requests, issues and repairs in date order, then the story of
//! the last weeks.

use std::collections::HashMap;

use proplink_shared::audit::Channel;
use proplink_shared::authz::Audience;
use proplink_shared::records::*;
use proplink_shared::states::{CloseReason, InvoiceStatus, IssueStatus, TicketStatus};
use proplink_shared::{
    Actor, BuildingId, ContactId, IssueId, Money, Role, SiteId, TicketId, UnitId, VendorId,
    WorkOrderId,
};
use time::{Date, Duration, OffsetDateTime};

use super::data::{self, Act, SITES, STORY, VENDORS, Who};
use super::{R, at, contractor, quarter_days, resident, staff_actor};
use crate::app::App;
use crate::error::AppError;
use crate::services::documents::DocumentPlace;
use crate::services::ledger::Receipt;
use crate::services::tickets::TicketOrigin;
use crate::services::{
    documents, issues, ledger, notices, orgs, people, places, quotes, tickets, vendors, work_orders,
};
use crate::store::orgs::OrgDetails;
use crate::store::requests::IssuePlace;
use crate::store::vendors::Cover;
use crate::store::work_orders::WorkOrderPlace;

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
    };
    for g in 0..scale {
        acme.portfolio(usize::try_from(g).unwrap_or(0)).await?;
    }
    acme.contractors(now.date()).await?;
    let (invoices, payments) = acme.history(now).await?;
    app.clock.set(at(now.date() - Duration::days(21), 9, 0));
    for g in 0..acme.groups.len() {
        acme.story(g, now.date()).await?;
    }
    acme.documents(org.id).await?;
    let flats: usize = acme.groups.iter().map(|g| g.flats.len()).sum();
    Ok(format!(
        "acme: created Acme Estates — {} sites, {flats} flats with their leaseholders and tenants, {invoices} invoices, {payments} payments, \
         two years of requests, issues and repairs, and the last weeks' story",
        acme.groups.len() * SITES.len()
    ))
}

impl Acme<'_> {
    fn org(&self) -> proplink_shared::OrgId {
        self.owner.org
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
                let email = format!(
                    "{}.{}{name_i}@residents.example",
                    first.to_lowercase(),
                    last.to_lowercase()
                );
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
                    let (tf, tl) = (
                        data::FIRST[(name_i * 3) % data::FIRST.len()],
                        data::LAST[(name_i * 5) % data::LAST.len()],
                    );
                    let tenant = people::add_contact(
                        app,
                        &self.owner,
                        &NewContact::validate(
                            ContactKind::Tenant,
                            "",
                            tf,
                            tl,
                            &format!(
                                "{}.{}{name_i}@tenants.example",
                                tf.to_lowercase(),
                                tl.to_lowercase()
                            ),
                            "",
                        )?,
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

    /// Two years in date order: each quarter's charges and the payments against them, and the
    /// requests, issues and repairs that fell in it.
    async fn history(&mut self, now: OffsetDateTime) -> R<(usize, usize)> {
        let quarters = quarter_days(now, 8);
        let story_starts = now.date() - Duration::days(21);
        let (mut invoices, mut payments) = (0, 0);
        for (qi, quarter_day) in quarters.iter().enumerate() {
            let recent = qi + 3 >= quarters.len();
            invoices += self.charge(*quarter_day).await?;
            // What happens in the weeks after the quarter day, sorted into time order.
            let mut events: Vec<(OffsetDateTime, Happening)> = Vec::new();
            for (i, flat) in self.flats() {
                let offset = i64::try_from((i * 37 + qi * 11) % 21).unwrap_or(0);
                let paid_on = *quarter_day + Duration::days(offset);
                let when = at(
                    paid_on,
                    10 + u8::try_from(offset % 8).unwrap_or(0),
                    u8::try_from((i * 7) % 60).unwrap_or(0),
                );
                if !(i % 9 == 0 && recent) {
                    let amount = if i % 7 == 0 && qi + 1 == quarters.len() {
                        Money::from_pence(flat.quarterly.pence() / 2)
                    } else if i % 13 == 0 && qi == 2 {
                        Money::from_pence(flat.quarterly.pence() + 5_000)
                    } else {
                        flat.quarterly
                    };
                    events.push((
                        when,
                        Happening::Payment {
                            flat: i,
                            amount,
                            on: paid_on,
                        },
                    ));
                }
                // Each flat asks for something about every four quarters, a site walk finds
                // something by it as often, and every eighth quarter brings it a repair.
                let day = |k: usize| {
                    *quarter_day
                        + Duration::days(i64::try_from((i * k + qi * 5) % 70).unwrap_or(0) + 1)
                };
                let within = |d: Date| d < story_starts;
                if (i + qi) % 4 == 0 && within(day(13)) {
                    events.push((
                        at(day(13), 9, 30),
                        Happening::Request {
                            flat: i,
                            spec: (i + qi) % data::PAST_REQUESTS.len(),
                        },
                    ));
                }
                if (i + qi) % 4 == 2 && within(day(17)) {
                    events.push((
                        at(day(17), 11, 15),
                        Happening::Issue {
                            flat: i,
                            spec: (i + qi) % data::PAST_ISSUES.len(),
                        },
                    ));
                }
                if (i + qi) % 8 == 5 && within(day(23)) {
                    events.push((
                        at(day(23), 14, 0),
                        Happening::Repair {
                            flat: i,
                            spec: (i + qi) % data::PAST_REPAIRS.len(),
                        },
                    ));
                }
            }
            events.sort_by_key(|(when, _)| *when);
            for (when, happening) in events {
                self.app.clock.set(when);
                if matches!(happening, Happening::Payment { .. }) {
                    payments += 1;
                }
                self.happen(happening).await?;
            }
        }
        Ok((invoices, payments))
    }

    /// Raises, approves and sends a quarter's service charge to every flat.
    async fn charge(&self, quarter_day: Date) -> R<usize> {
        let app = self.app;
        app.clock.set(at(quarter_day - Duration::days(14), 9, 0));
        let mut raised = Vec::new();
        for (_, flat) in self.flats() {
            let line = InvoiceLine::validate(
                "Service charge",
                &flat.quarterly.to_string(),
                VatRate::Exempt,
            )?;
            let description = format!(
                "Service charge, quarter from {}",
                proplink_shared::london::format_date(quarter_day)
            );
            let inv = ledger::raise_invoice(
                app,
                &self.anna,
                flat.id,
                &description,
                &[line],
                quarter_day - Duration::days(14),
                quarter_day,
            )
            .await?;
            raised.push(inv);
            app.clock.advance(Duration::seconds(20));
        }
        for (step, who) in [
            (InvoiceStatus::PendingApproval, &self.anna),
            (InvoiceStatus::Approved, &self.owner),
            (InvoiceStatus::Sent, &self.anna),
        ] {
            app.clock.advance(Duration::hours(2));
            for inv in &raised {
                ledger::move_invoice(app, who, *inv, step).await?;
            }
        }
        Ok(raised.len())
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

    async fn happen(&self, happening: Happening) -> R<()> {
        let app = self.app;
        match happening {
            Happening::Payment { flat, amount, on } => {
                let f = self.flat(flat);
                if flat % 5 == 0 || f.name == "Mr Patel" {
                    let me = resident(self.org(), f.leaseholder, &f.name, f.id, f.site);
                    let receipt = Receipt {
                        amount,
                        method: PaymentMethod::Card,
                        received_on: on,
                        reference: "Card payment",
                    };
                    ledger::record_payment(app, &me, f.id, &receipt).await?;
                } else {
                    let method = if flat % 3 == 0 {
                        PaymentMethod::DirectDebit
                    } else {
                        PaymentMethod::Bacs
                    };
                    let reference = format!("{} {}", f.name.to_uppercase(), on.year());
                    let receipt = Receipt {
                        amount,
                        method,
                        received_on: on,
                        reference: &reference,
                    };
                    ledger::record_payment(app, &self.anna, f.id, &receipt).await?;
                }
            }
            Happening::Request { flat, spec } => {
                let f = self.flat(flat);
                let (subject, body, category, priority) = data::PAST_REQUESTS[spec];
                let me = resident(self.org(), f.leaseholder, &f.name, f.id, f.site);
                let origin = TicketOrigin {
                    site: f.site,
                    unit: Some(f.id),
                    reporter: None,
                    assignee: None,
                };
                let id = tickets::raise(
                    app,
                    &me,
                    origin,
                    &NewTicket::validate(subject, body, category, priority)?,
                )
                .await?;
                app.clock.advance(Duration::hours(3));
                tickets::add_entry(app, &self.mark, id, "Thank you for letting us know. This is now sorted: please tell us if anything else is wrong.", false).await?;
                app.clock.advance(Duration::hours(1));
                tickets::set_status(
                    app,
                    &self.mark,
                    id,
                    TicketStatus::Closed,
                    Some(CloseReason::Resolved),
                )
                .await?;
            }
            Happening::Issue { flat, spec } => {
                let f = self.flat(flat);
                let (title, location, category, priority) = data::PAST_ISSUES[spec];
                let who = self.site_manager(flat);
                let place = IssuePlace {
                    site: f.site,
                    building: self.building_of(f.site),
                    ticket: None,
                };
                let id = issues::log(
                    app,
                    who,
                    place,
                    &NewIssue::validate(title, "", location, category, priority)?,
                )
                .await?;
                app.clock.advance(Duration::days(2));
                issues::set_status(app, &self.mark, id, IssueStatus::Resolved, None).await?;
            }
            Happening::Repair { flat, spec } => {
                let f = self.flat(flat);
                let (title, category, vendor, net) = data::PAST_REPAIRS[spec];
                let today = app.clock.now().date();
                let new = NewWorkOrder::validate(
                    title,
                    &format!("{title} at {}.", f.number),
                    category,
                    "medium",
                    Some(today + Duration::days(14)),
                    today,
                )?;
                let place = WorkOrderPlace {
                    site: f.site,
                    building: self.building_of(f.site),
                    unit: None,
                    ticket: None,
                };
                let wo = work_orders::create(app, &self.mark, place, &[], &new).await?;
                self.contract(wo, vendor, QuoteKind::FixedPrice, net, "")
                    .await?;
                app.clock.advance(Duration::days(3));
                let them = contractor(self.org(), self.vendors[vendor], wo, VENDORS[vendor].name);
                work_orders::report_progress(app, &them, wo, "Started.").await?;
                app.clock.advance(Duration::hours(5));
                work_orders::mark_complete(app, &them, wo).await?;
                app.clock.advance(Duration::days(1));
                work_orders::close(app, &self.mark, wo, false).await?;
            }
        }
        Ok(())
    }

    /// Invites `vendor`, takes their quote and awards it.
    async fn contract(
        &self,
        wo: WorkOrderId,
        vendor: usize,
        kind: QuoteKind,
        net: &str,
        notes: &str,
    ) -> R<()> {
        let app = self.app;
        work_orders::invite(app, &self.mark, wo, self.vendors[vendor]).await?;
        app.clock.advance(Duration::hours(6));
        let them = contractor(self.org(), self.vendors[vendor], wo, VENDORS[vendor].name);
        let quote = quotes::submit(
            app,
            &them,
            wo,
            self.vendors[vendor],
            &NewQuote::validate(kind, net, VatRate::Standard, notes)?,
        )
        .await?;
        app.clock.advance(Duration::hours(4));
        work_orders::award(app, &self.mark, wo, quote).await
    }

    fn who(&self, g: usize, who: Who) -> R<Actor> {
        let group = &self.groups[g];
        Ok(match who {
            Who::Mark => self.mark.clone(),
            Who::Sam => group.site_managers[0].clone(),
            Who::Hannah => group.site_managers[1].clone(),
            Who::Resident(site, n) => {
                let f = self.story_flat(g, site, n)?;
                resident(self.org(), f.leaseholder, &f.name, f.id, f.site)
            }
        })
    }

    fn story_flat(&self, g: usize, site: usize, n: i64) -> R<&Flat> {
        let group = &self.groups[g];
        group
            .flats
            .iter()
            .find(|f| f.site == group.sites[site] && f.number == n)
            .ok_or(AppError::NotFound)
    }

    fn key(g: usize, key: &str) -> String {
        format!("{g}:{key}")
    }

    fn ticket(&self, g: usize, key: &str) -> R<TicketId> {
        self.tickets
            .get(&Self::key(g, key))
            .copied()
            .ok_or(AppError::NotFound)
    }

    fn work_order(&self, g: usize, key: &str) -> R<WorkOrderId> {
        self.work_orders
            .get(&Self::key(g, key))
            .copied()
            .ok_or(AppError::NotFound)
    }

    /// Plays [`STORY`] for copy `g` of the portfolio.
    async fn story(&mut self, g: usize, today: Date) -> R<()> {
        let app = self.app;
        for act in STORY {
            match act {
                Act::Wait(hours) => app.clock.advance(Duration::hours(*hours)),
                Act::Raise {
                    key,
                    site,
                    flat,
                    by,
                    assignee,
                    subject,
                    body,
                    category,
                    priority,
                } => {
                    let unit = flat
                        .map(|n| self.story_flat(g, *site, n).map(|f| f.id))
                        .transpose()?;
                    let assignee = match assignee {
                        Some(a) => match self.who(g, *a)?.principal {
                            proplink_shared::Principal::Staff { user, .. } => Some(user),
                            _ => None,
                        },
                        None => None,
                    };
                    let origin = TicketOrigin {
                        site: self.groups[g].sites[*site],
                        unit,
                        reporter: None,
                        assignee,
                    };
                    let id = tickets::raise(
                        app,
                        &self.who(g, *by)?,
                        origin,
                        &NewTicket::validate(subject, body, category, priority)?,
                    )
                    .await?;
                    self.tickets.insert(Self::key(g, key), id);
                }
                Act::Reply { key, by, text } => {
                    tickets::add_entry(app, &self.who(g, *by)?, self.ticket(g, key)?, text, false)
                        .await?
                }
                Act::Note { key, by, text } => {
                    tickets::add_entry(app, &self.who(g, *by)?, self.ticket(g, key)?, text, true)
                        .await?
                }
                Act::Move { key, by, to } => {
                    tickets::set_status(app, &self.who(g, *by)?, self.ticket(g, key)?, *to, None)
                        .await?
                }
                Act::LogIssue {
                    key,
                    site,
                    by,
                    ticket,
                    title,
                    description,
                    location,
                    category,
                    priority,
                } => {
                    let site = self.groups[g].sites[*site];
                    let ticket = ticket.map(|t| self.ticket(g, t)).transpose()?;
                    let place = IssuePlace {
                        site,
                        building: self.building_of(site),
                        ticket,
                    };
                    let id = issues::log(
                        app,
                        &self.who(g, *by)?,
                        place,
                        &NewIssue::validate(title, description, location, category, priority)?,
                    )
                    .await?;
                    self.issues.insert(Self::key(g, key), id);
                }
                Act::MoveIssue {
                    key,
                    by,
                    to,
                    reason,
                } => {
                    let id = *self
                        .issues
                        .get(&Self::key(g, key))
                        .ok_or(AppError::NotFound)?;
                    issues::set_status(app, &self.who(g, *by)?, id, *to, *reason).await?;
                }
                Act::WorkOrder {
                    key,
                    site,
                    ticket,
                    issues: linked,
                    flat,
                    title,
                    scope,
                    category,
                    priority,
                    deadline_days,
                } => {
                    let site_id = self.groups[g].sites[*site];
                    let place = WorkOrderPlace {
                        site: site_id,
                        building: self.building_of(site_id),
                        unit: flat
                            .map(|n| self.story_flat(g, *site, n).map(|f| f.id))
                            .transpose()?,
                        ticket: ticket.map(|t| self.ticket(g, t)).transpose()?,
                    };
                    let linked: Vec<IssueId> = linked
                        .iter()
                        .map(|k| {
                            self.issues
                                .get(&Self::key(g, k))
                                .copied()
                                .ok_or(AppError::NotFound)
                        })
                        .collect::<R<_>>()?;
                    let new = NewWorkOrder::validate(
                        title,
                        scope,
                        category,
                        priority,
                        Some(today + Duration::days(*deadline_days)),
                        today,
                    )?;
                    let id = work_orders::create(app, &self.mark, place, &linked, &new).await?;
                    self.work_orders.insert(Self::key(g, key), id);
                }
                Act::Invite { key, vendor } => {
                    work_orders::invite(
                        app,
                        &self.mark,
                        self.work_order(g, key)?,
                        self.vendors[*vendor],
                    )
                    .await?
                }
                Act::Quote {
                    key,
                    vendor,
                    kind,
                    net,
                    notes,
                } => {
                    let wo = self.work_order(g, key)?;
                    let them =
                        contractor(self.org(), self.vendors[*vendor], wo, VENDORS[*vendor].name);
                    let quote = quotes::submit(
                        app,
                        &them,
                        wo,
                        self.vendors[*vendor],
                        &NewQuote::validate(*kind, net, VatRate::Standard, notes)?,
                    )
                    .await?;
                    self.quotes.insert((Self::key(g, key), *vendor), quote);
                }
                Act::Award { key, vendor } => {
                    let quote = *self
                        .quotes
                        .get(&(Self::key(g, key), *vendor))
                        .ok_or(AppError::NotFound)?;
                    work_orders::award(app, &self.mark, self.work_order(g, key)?, quote).await?;
                }
                Act::Progress { key, vendor, note } => {
                    let wo = self.work_order(g, key)?;
                    work_orders::report_progress(
                        app,
                        &contractor(self.org(), self.vendors[*vendor], wo, VENDORS[*vendor].name),
                        wo,
                        note,
                    )
                    .await?;
                }
                Act::Certificate {
                    key,
                    vendor,
                    kind,
                    registration,
                } => {
                    let wo = self.work_order(g, key)?;
                    let them =
                        contractor(self.org(), self.vendors[*vendor], wo, VENDORS[*vendor].name);
                    let cert = NewCertificate::validate(
                        *kind,
                        VENDORS[*vendor].name,
                        registration,
                        app.clock.now().date(),
                        None,
                    )?;
                    quotes::add_certificate(app, &them, wo, &cert).await?;
                }
                Act::Complete { key, vendor } => {
                    let wo = self.work_order(g, key)?;
                    work_orders::mark_complete(
                        app,
                        &contractor(self.org(), self.vendors[*vendor], wo, VENDORS[*vendor].name),
                        wo,
                    )
                    .await?;
                }
                Act::Close { key } => {
                    work_orders::close(app, &self.mark, self.work_order(g, key)?, false).await?
                }
                Act::Cancel { key } => {
                    work_orders::close(app, &self.mark, self.work_order(g, key)?, true).await?
                }
                Act::Notice {
                    site,
                    title,
                    body,
                    days,
                    urgent,
                } => {
                    let site = site.map(|s| self.groups[g].sites[s]);
                    notices::publish(
                        app,
                        &self.mark,
                        site,
                        &NewNotice::validate(
                            title,
                            body,
                            today,
                            Some(today + Duration::days(*days)),
                            *urgent,
                        )?,
                    )
                    .await?;
                }
            }
        }
        Ok(())
    }

    /// A few documents on the first copy's records.
    async fn documents(&self, org: proplink_shared::OrgId) -> R<()> {
        let app = self.app;
        let g = &self.groups[0];
        let pdf = |text: &str| format!("%PDF-1.4\n% {text}\n%%EOF\n").into_bytes();
        let docs = [
            (
                Some(g.sites[2]),
                RecordType::Building,
                g.buildings[2].to_string(),
                "Compliance",
                Audience::Regulator,
                "Fire risk assessment 2026",
                "fire-risk-assessment-2026.pdf",
                "Fire risk assessment for Harbour Point Tower. Overall risk: tolerable.",
            ),
            (
                Some(g.sites[0]),
                RecordType::Site,
                g.sites[0].to_string(),
                "Year-end packs",
                Audience::Residents,
                "Service charge accounts 2025",
                "service-charge-accounts-2025.pdf",
                "Riverside Court service charge accounts for the year ended 31 March 2025.",
            ),
            (
                Some(g.sites[1]),
                RecordType::Site,
                g.sites[1].to_string(),
                "Insurance",
                Audience::Residents,
                "Buildings insurance certificate",
                "buildings-insurance.pdf",
                "Buildings insurance: Maple House, sum insured 6,400,000 pounds.",
            ),
            (
                None,
                RecordType::Organisation,
                org.to_string(),
                "Meetings",
                Audience::StaffOnly,
                "Board minutes, October",
                "board-minutes-october.pdf",
                "Minutes of the October board meeting.",
            ),
        ];
        for (site, record_type, record_id, folder, audience, title, filename, text) in docs {
            let place = DocumentPlace {
                site,
                record_type,
                record_id,
                folder,
                audience,
            };
            documents::add(app, &self.mark, place, title, filename, &pdf(text)).await?;
        }
        Ok(())
    }
}

/// Something in the history, at its time.
enum Happening {
    Payment {
        flat: usize,
        amount: Money,
        on: Date,
    },
    Request {
        flat: usize,
        spec: usize,
    },
    Issue {
        flat: usize,
        spec: usize,
    },
    Repair {
        flat: usize,
        spec: usize,
    },
}
