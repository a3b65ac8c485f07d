//! `proplink demo`: two realistic organisations to explore, written through the services so
//! every record has its real audit trail. The clock walks through two years of history —
//! quarterly service charges, payments (some late, some through ResidencePort), then the
//! last weeks' requests, site issues and work orders — so the trail reads as it happened.
//!
//! Safe to run again: an organisation that already exists is left as it is.

use std::collections::BTreeSet;

use proplink_shared::audit::Channel;
use proplink_shared::authz::{Audience, ResidentKind};
use proplink_shared::records::*;
use proplink_shared::states::{CloseReason, InvoiceStatus, IssueStatus, TicketStatus};
use proplink_shared::{
    Actor, BuildingId, ContactId, Money, OrgId, Principal, Role, SiteId, SiteScope, StaffUserId,
    UnitId, VendorId, WorkOrderId,
};
use time::{Date, Duration, Month, OffsetDateTime, Time};

use crate::app::{App, MailMode};
use crate::clock::Clock;
use crate::error::AppError;
use crate::services::{issues, ledger, orgs, people, places, requests, works};
use crate::store;

/// Creates the demo organisations that do not exist yet; returns what it did, line by line.
pub async fn create(app: &App) -> anyhow::Result<Vec<String>> {
    let mut report = Vec::new();
    let now = app.clock.now();
    for (slug, build) in [("acme", true), ("birchwood", false)] {
        let exists = {
            let mut conn = app.db.read().await?;
            store::orgs::by_slug(&mut conn, slug).await?.is_some()
        };
        if exists {
            report.push(format!("{slug}: already exists, left as it is"));
            continue;
        }
        // Demo mail is kept for the dev mailbox, never sent to the made-up addresses.
        let demo_app = App {
            clock: Clock::manual(now - Duration::days(800)),
            mail_mode: MailMode::Hold,
            ..app.clone()
        };
        let line = if build {
            acme(&demo_app, now).await
        } else {
            birchwood(&demo_app, now).await
        }
        .map_err(|e| anyhow::anyhow!("{slug}: {e:?}"))?;
        report.push(line);
    }
    Ok(report)
}

type R<T> = Result<T, AppError>;

fn at(date: Date, hour: u8, minute: u8) -> OffsetDateTime {
    date.with_time(Time::from_hms(hour, minute, 0).unwrap_or(Time::MIDNIGHT))
        .assume_utc()
}

struct Staff {
    id: StaffUserId,
    actor: Actor,
}

fn staff(
    org: OrgId,
    id: StaffUserId,
    name: &str,
    role: Role,
    sites: Option<&[SiteId]>,
    channel: Channel,
) -> Staff {
    let scope = match sites {
        None => SiteScope::AllSites,
        Some(s) => SiteScope::Selected(s.iter().copied().collect()),
    };
    Staff {
        id,
        actor: Actor {
            org,
            principal: Principal::Staff {
                user: id,
                role: Some(role),
                scope: Some(scope),
            },
            channel,
            display_name: name.into(),
        },
    }
}

fn on(actor: &Actor, channel: Channel) -> Actor {
    Actor {
        channel,
        ..actor.clone()
    }
}

fn resident(org: OrgId, contact: ContactId, name: &str, unit: UnitId, site: SiteId) -> Actor {
    Actor {
        org,
        principal: Principal::Resident {
            contact,
            kind: ResidentKind::Leaseholder,
            units: BTreeSet::from([unit]),
            sites: BTreeSet::from([site]),
        },
        channel: Channel::ResidencePort,
        display_name: name.into(),
    }
}

fn contractor(org: OrgId, vendor: VendorId, work_order: WorkOrderId, name: &str) -> Actor {
    Actor {
        org,
        principal: Principal::Contractor { vendor, work_order },
        channel: Channel::ContractorPort,
        display_name: name.into(),
    }
}

struct UnitInfo {
    id: UnitId,
    site: SiteId,
    leaseholder: ContactId,
    leaseholder_name: String,
    quarterly: Money,
}

const FIRST: &[&str] = &[
    "Amelia", "Oliver", "Isla", "George", "Ava", "Noah", "Mia", "Arthur", "Grace", "Leo", "Sophia",
    "Harry", "Lily", "Oscar", "Freya", "Jack", "Ella", "Charlie", "Ivy", "Thomas", "Zara", "Rohan",
    "Aisha", "Kwame", "Mei", "Tomasz", "Niamh", "Callum",
];
const LAST: &[&str] = &[
    "Patel", "Smith", "Jones", "Williams", "Brown", "Taylor", "Davies", "Evans", "Wilson",
    "Thomas", "Johnson", "Roberts", "Walker", "Wright", "Robinson", "Thompson", "White", "Hughes",
    "Edwards", "Green", "Hall", "Wood", "Harris", "Lewis", "Martin", "Jackson", "Clarke", "Okafor",
    "Nowak", "Chen", "Murphy", "Begum",
];
const TITLES: &[&str] = &["Mr", "Mrs", "Ms", "Dr", "Mx"];

/// The UK quarter days on which service charges fall due, newest last.
fn quarter_days(now: OffsetDateTime, count: usize) -> Vec<Date> {
    let latest = now.date() - Duration::days(35);
    let mut days: Vec<Date> = (latest.year() - 3..=latest.year())
        .flat_map(|y| {
            [
                (Month::March, 25),
                (Month::June, 24),
                (Month::September, 29),
                (Month::December, 25),
            ]
            .map(|(m, day)| Date::from_calendar_date(y, m, day).unwrap_or(Date::MIN))
        })
        .filter(|q| *q <= latest)
        .collect();
    days.sort();
    days.split_off(days.len().saturating_sub(count))
}

async fn acme(app: &App, now: OffsetDateTime) -> R<String> {
    let new = NewOrganisation::validate("Acme Estates", "acme")?;
    let details = orgs::OrgDetails {
        legal_name: "Acme Estates Management Ltd".into(),
        company_number: "09876543".into(),
        vat_number: "GB 123 4567 89".into(),
        address: "14 Chancery Lane, London WC2A 1PL".into(),
        brand_colour: "#1d4f91".into(),
        welcome_text: "Welcome to Acme Estates. Your home, managed with care.".into(),
    };
    let org = orgs::create(
        app,
        &new,
        details,
        "olivia.owner@acme.example",
        "Olivia Owner",
    )
    .await?;
    let owner = {
        let mut conn = app.db.read().await?;
        let row = store::orgs::staff_by_email(&mut conn, org.id, "olivia.owner@acme.example")
            .await?
            .ok_or(AppError::NotFound)?;
        staff(
            org.id,
            row.id,
            "Olivia Owner",
            Role::OrganisationOwner,
            None,
            Channel::Admin,
        )
    };
    app.clock.advance(Duration::hours(1));

    let site_specs = [
        (
            "ACM01",
            "Riverside Court",
            "1–24 Riverside Court, Wandsworth, London SW18 1TQ",
            "Riverside Court",
            None,
            Some(4),
            24,
            45_000,
        ),
        (
            "ACM02",
            "Maple Gardens",
            "Maple House, 2 Maple Gardens, Reading RG1 3BE",
            "Maple House",
            None,
            Some(5),
            16,
            38_000,
        ),
        (
            "ACM03",
            "Harbour Point",
            "Harbour Point Tower, 9 Quay Street, Manchester M3 3JE",
            "Harbour Point Tower",
            Some(214),
            Some(8),
            24,
            62_000,
        ),
    ];
    let mut sites = Vec::new();
    let mut buildings: Vec<BuildingId> = Vec::new();
    let mut units: Vec<UnitInfo> = Vec::new();
    let mut name_i = 0usize;
    let mut all_contacts = Vec::new();
    for (reference, name, address, building, height, storeys, unit_count, quarterly) in site_specs {
        let site = places::add_site(
            app,
            &owner.actor,
            &NewSite::validate(reference, name, address)?,
        )
        .await?;
        let hrb = qualifies_as_hrb(height, storeys, unit_count);
        let bsr = if hrb { "HRB-2023-118842" } else { "" };
        let b = places::add_building(
            app,
            &owner.actor,
            site,
            &NewBuilding::validate(building, height, storeys, hrb, bsr)?,
        )
        .await?;
        sites.push(site);
        buildings.push(b);
        for n in 1..=unit_count {
            let floor = if n <= 3 {
                "Ground".to_owned()
            } else {
                format!("Floor {}", (n - 1) / 3)
            };
            let unit = places::add_unit(
                app,
                &owner.actor,
                b,
                &NewUnit::validate(&format!("Flat {n}"), &floor)?,
            )
            .await?;
            // Mrs Khan of Harbour Point, Flat 12, is the resident of the golden path.
            let (title, first, last) = if name == "Harbour Point" && n == 12 {
                ("Mrs", "Sana", "Khan")
            } else if name == "Riverside Court" && n == 5 {
                ("Mr", "Ravi", "Patel")
            } else {
                name_i += 1;
                (
                    TITLES[name_i % TITLES.len()],
                    FIRST[name_i % FIRST.len()],
                    LAST[(name_i * 7) % LAST.len()],
                )
            };
            let email = format!(
                "{}.{}{}@residents.example",
                first.to_lowercase(),
                last.to_lowercase(),
                name_i
            );
            let leaseholder = people::add_contact(
                app,
                &owner.actor,
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
            people::link_to_unit(
                app,
                &owner.actor,
                leaseholder,
                unit,
                UnitRole::Leaseholder,
                true,
                app.clock.now().date() - Duration::days(400 + n * 30),
            )
            .await?;
            all_contacts.push(leaseholder);
            if n % 4 == 0 {
                name_i += 1;
                let (tf, tl) = (
                    FIRST[(name_i * 3) % FIRST.len()],
                    LAST[(name_i * 5) % LAST.len()],
                );
                let tenant = people::add_contact(
                    app,
                    &owner.actor,
                    &NewContact::validate(
                        ContactKind::Tenant,
                        "",
                        tf,
                        tl,
                        &format!(
                            "{}.{}{}@tenants.example",
                            tf.to_lowercase(),
                            tl.to_lowercase(),
                            name_i
                        ),
                        "",
                    )?,
                )
                .await?;
                people::link_to_unit(
                    app,
                    &owner.actor,
                    tenant,
                    unit,
                    UnitRole::Tenant,
                    false,
                    app.clock.now().date() - Duration::days(200),
                )
                .await?;
            }
            let display = NewContact::display_name(title, first, last);
            units.push(UnitInfo {
                id: unit,
                site,
                leaseholder,
                leaseholder_name: display,
                quarterly: Money::from_pence(quarterly),
            });
        }
    }
    let (riverside, maple, harbour) = (sites[0], sites[1], sites[2]);

    // Staff: a manager and an accountant for everything, two site managers for their sites.
    let mark_id = orgs::add_staff(
        app,
        &owner.actor,
        "mark.manager@acme.example",
        "Mark Manager",
        Role::Manager,
        None,
    )
    .await?;
    let mark = staff(
        org.id,
        mark_id,
        "Mark Manager",
        Role::Manager,
        None,
        Channel::Admin,
    );
    let anna_id = orgs::add_staff(
        app,
        &owner.actor,
        "anna.accounts@acme.example",
        "Anna Accounts",
        Role::Accountant,
        None,
    )
    .await?;
    let anna = staff(
        org.id,
        anna_id,
        "Anna Accounts",
        Role::Accountant,
        None,
        Channel::Admin,
    );
    let sam_sites = [riverside, maple];
    let sam_id = orgs::add_staff(
        app,
        &owner.actor,
        "sam.singh@acme.example",
        "Sam Singh",
        Role::SiteManager,
        Some(&sam_sites),
    )
    .await?;
    let sam = staff(
        org.id,
        sam_id,
        "Sam Singh",
        Role::SiteManager,
        Some(&sam_sites),
        Channel::FacilityReport,
    );
    let hannah_id = orgs::add_staff(
        app,
        &owner.actor,
        "hannah.hughes@acme.example",
        "Hannah Hughes",
        Role::SiteManager,
        Some(&[harbour]),
    )
    .await?;
    let hannah = staff(
        org.id,
        hannah_id,
        "Hannah Hughes",
        Role::SiteManager,
        Some(&[harbour]),
        Channel::FacilityReport,
    );
    orgs::add_staff(
        app,
        &owner.actor,
        "rita.readonly@acme.example",
        "Rita Reed (auditor)",
        Role::ReadOnly,
        None,
    )
    .await?;
    let _ = (sam.id, hannah.id, anna.id);

    // Contractors and their cover; Greenleaf's public liability has lapsed.
    let today = now.date();
    let vendor_specs: [(&str, &str, ServiceCategory, i64); 7] = [
        (
            "Pipeworks Plumbing Ltd",
            "jobs@pipeworks.example",
            ServiceCategory::Plumbing,
            300,
        ),
        (
            "Skyline Lifts Ltd",
            "service@skylinelifts.example",
            ServiceCategory::Lifts,
            40,
        ),
        (
            "Spark Electrical Services",
            "office@sparkelectrical.example",
            ServiceCategory::Electrical,
            250,
        ),
        (
            "Firewatch Safety Systems",
            "bookings@firewatch.example",
            ServiceCategory::FireSafety,
            200,
        ),
        (
            "Greenleaf Grounds",
            "hello@greenleaf.example",
            ServiceCategory::Grounds,
            -20,
        ),
        (
            "Brightside Decorators",
            "quotes@brightside.example",
            ServiceCategory::General,
            365,
        ),
        (
            "Topline Roofing",
            "info@toplineroofing.example",
            ServiceCategory::Roofing,
            180,
        ),
    ];
    let mut vendors = Vec::new();
    for (i, (name, email, category, expires_in)) in vendor_specs.iter().enumerate() {
        let v =
            works::add_vendor(app, &mark.actor, name, email, "0161 496 0000", *category).await?;
        let cover = store::works::CoverRow {
            kind: CertificateKind::PublicLiability,
            provider: ["Aviva", "Hiscox", "AXA", "Zurich"][i % 4].into(),
            policy_number: format!("PL-{:06}", 480_000 + i * 137),
            sum_insured: Some(Money::from_pence(500_000_000)),
            expires_on: crate::services::date_text(today + Duration::days(*expires_in)),
        };
        works::add_cover(app, &mark.actor, v, &cover).await?;
        vendors.push(v);
    }
    let trade = store::works::CoverRow {
        kind: CertificateKind::Niceic,
        provider: "NICEIC".into(),
        policy_number: "NICEIC-604512".into(),
        sum_insured: None,
        expires_on: crate::services::date_text(today + Duration::days(500)),
    };
    works::add_cover(app, &mark.actor, vendors[2], &trade).await?;

    // Two years of quarterly service charges and the payments against them.
    let quarters = quarter_days(now, 8);
    let mut invoices_raised = 0usize;
    let mut payments = 0usize;
    for (qi, quarter_day) in quarters.iter().enumerate() {
        let is_recent = qi + 3 >= quarters.len();
        app.clock.set(at(*quarter_day - Duration::days(14), 9, 0));
        let mut raised = Vec::new();
        for u in &units {
            let line =
                InvoiceLine::validate("Service charge", &u.quarterly.to_string(), VatRate::Exempt)?;
            let description = format!(
                "Service charge, quarter from {}",
                proplink_shared::london::format_date(*quarter_day)
            );
            let inv = ledger::raise_invoice(
                app,
                &anna.actor,
                u.id,
                &description,
                &[line],
                *quarter_day - Duration::days(14),
                *quarter_day,
            )
            .await?;
            raised.push(inv);
            app.clock.advance(Duration::seconds(20));
        }
        app.clock.advance(Duration::hours(2));
        for inv in &raised {
            ledger::move_invoice(app, &anna.actor, *inv, InvoiceStatus::PendingApproval).await?;
        }
        app.clock.advance(Duration::hours(3));
        for inv in &raised {
            ledger::move_invoice(app, &owner.actor, *inv, InvoiceStatus::Approved).await?;
        }
        app.clock.advance(Duration::hours(1));
        for inv in &raised {
            ledger::move_invoice(app, &anna.actor, *inv, InvoiceStatus::Sent).await?;
        }
        invoices_raised += raised.len();
        // Payments arrive over the three weeks after the quarter day, in date order.
        let mut due: Vec<(i64, usize)> = (0..units.len())
            .map(|i| (i64::try_from((i * 37 + qi * 11) % 21).unwrap_or(0), i))
            .collect();
        due.sort();
        for (offset, i) in due {
            let u = &units[i];
            let in_arrears = i % 9 == 0 && is_recent;
            if in_arrears {
                continue;
            }
            let amount = if i % 7 == 0 && qi + 1 == quarters.len() {
                Money::from_pence(u.quarterly.pence() / 2)
            } else if i % 13 == 0 && qi == 2 {
                Money::from_pence(u.quarterly.pence() + 5_000)
            } else {
                u.quarterly
            };
            let paid_on = *quarter_day + Duration::days(offset);
            app.clock.set(at(
                paid_on,
                10 + u8::try_from(offset % 8).unwrap_or(0),
                u8::try_from((i * 7) % 60).unwrap_or(0),
            ));
            if i % 5 == 0 || u.leaseholder_name == "Mr Patel" {
                let me = resident(org.id, u.leaseholder, &u.leaseholder_name, u.id, u.site);
                ledger::record_payment(
                    app,
                    &me,
                    u.id,
                    amount,
                    PaymentMethod::Card,
                    paid_on,
                    "Card payment",
                )
                .await?;
            } else {
                let method = if i % 3 == 0 {
                    PaymentMethod::DirectDebit
                } else {
                    PaymentMethod::Bacs
                };
                ledger::record_payment(
                    app,
                    &anna.actor,
                    u.id,
                    amount,
                    method,
                    paid_on,
                    &format!(
                        "{} {}",
                        u.leaseholder_name.to_uppercase(),
                        quarter_day.year()
                    ),
                )
                .await?;
            }
            payments += 1;
        }
    }

    // The last weeks: requests, issues, work orders, notices and documents.
    let last_payment = quarters.last().copied().unwrap_or(today) + Duration::days(22);
    let start = at(last_payment, 9, 0).max(at((now - Duration::days(21)).date(), 9, 0));
    app.clock.set(start);
    let step = |hours: i64| app.clock.advance(Duration::hours(hours));

    let khan = units
        .iter()
        .find(|u| u.leaseholder_name == "Mrs Khan")
        .ok_or(AppError::NotFound)?;
    let patel = units
        .iter()
        .find(|u| u.leaseholder_name == "Mr Patel")
        .ok_or(AppError::NotFound)?;
    let khan_actor = resident(org.id, khan.leaseholder, "Mrs Khan", khan.id, khan.site);
    let patel_actor = resident(org.id, patel.leaseholder, "Mr Patel", patel.id, patel.site);

    // A request that was dealt with end to end.
    let leak = requests::raise(
        app,
        &khan_actor,
        requests::TicketOrigin { site: harbour, unit: Some(khan.id), reporter: None, assignee: Some(hannah_id) },
        &NewTicket::validate("Water leaking from ceiling", "Water is coming through the bathroom ceiling from the flat above. It started this morning and is getting worse.", "maintenance", "high")?,
    )
    .await?;
    step(1);
    requests::add_entry(
        app,
        &hannah.actor,
        leak,
        "Thank you Mrs Khan. I am on site this afternoon and will come up to look at it.",
        false,
    )
    .await?;
    step(2);
    let leak_issue = issues::log(
        app,
        &hannah.actor,
        harbour,
        Some(buildings[2]),
        Some(leak),
        &NewIssue::validate(
            "Leak through bathroom ceiling, Flat 12",
            "Failed waste pipe joint in the riser between floors 4 and 5.",
            "Floor 4, riser cupboard outside Flat 12",
            "water_leak",
            "high",
        )?,
    )
    .await?;
    requests::add_entry(
        app,
        &hannah.actor,
        leak,
        "Riser isolated; needs a plumber to replace the joint.",
        true,
    )
    .await?;
    step(1);
    let wo = works::create_work_order(
        app,
        &mark.actor,
        works::WorkOrderOrigin { site: harbour, building: Some(buildings[2]), unit: Some(khan.id), ticket: Some(leak), issues: vec![leak_issue] },
        &NewWorkOrder::validate("Replace failed waste pipe joint in riser", "Replace the failed joint on the soil stack in the riser outside Flat 12, test, and make good the ceiling access panel.", "plumbing", "high", Some(today + Duration::days(7)), today)?,
    )
    .await?;
    works::invite(app, &mark.actor, wo, vendors[0]).await?;
    step(3);
    let plumber = contractor(org.id, vendors[0], wo, "Pipeworks Plumbing Ltd");
    let quote = works::submit_quote(
        app,
        &plumber,
        wo,
        &works::NewQuote {
            vendor: vendors[0],
            kind: QuoteKind::FixedPrice,
            net: Money::from_pence(18_000),
            vat_rate: VatRate::Standard,
            notes: "Includes parts. Access via riser cupboard.",
        },
    )
    .await?;
    step(1);
    works::award(app, &mark.actor, wo, quote).await?;
    step(16);
    works::report_progress(app, &plumber, wo, "Started: on site, riser isolated.").await?;
    step(3);
    works::add_certificate(
        app,
        &plumber,
        wo,
        &works::NewCertificate {
            kind: CertificateKind::Completion,
            body: "Pipeworks Plumbing Ltd",
            registration: "PW-2026-3341",
            issued_on: app.clock.now().date(),
            expires_on: None,
        },
    )
    .await?;
    works::mark_complete(app, &plumber, wo).await?;
    step(1);
    requests::add_entry(app, &khan_actor, leak, "Thank you, all dry now.", false).await?;
    step(2);
    works::close(app, &mark.actor, wo, false).await?;

    // Open requests in different states.
    step(20);
    let lift = requests::raise(
        app,
        &on(&mark.actor, Channel::Admin),
        requests::TicketOrigin {
            site: maple,
            unit: None,
            reporter: None,
            assignee: Some(sam_id),
        },
        &NewTicket::validate(
            "Lift out of service",
            "Residents report the lift is stuck on floor 2 with the doors open.",
            "maintenance",
            "urgent",
        )?,
    )
    .await?;
    requests::add_entry(
        app,
        &sam.actor,
        lift,
        "Lift isolated and signage up. Engineer requested.",
        true,
    )
    .await?;
    step(5);
    let noise = requests::raise(
        app,
        &patel_actor,
        requests::TicketOrigin {
            site: riverside,
            unit: Some(patel.id),
            reporter: None,
            assignee: Some(mark_id),
        },
        &NewTicket::validate(
            "Loud music late at night",
            "The flat below plays loud music after midnight most weekends.",
            "antisocial_behaviour",
            "medium",
        )?,
    )
    .await?;
    step(2);
    requests::set_status(app, &mark.actor, noise, TicketStatus::InProgress, None).await?;
    requests::add_entry(
        app,
        &mark.actor,
        noise,
        "Thank you Mr Patel. We have written to the occupier and will follow up.",
        false,
    )
    .await?;
    step(6);
    let query = requests::raise(
        app,
        &resident(
            org.id,
            units[30].leaseholder,
            &units[30].leaseholder_name,
            units[30].id,
            units[30].site,
        ),
        requests::TicketOrigin {
            site: units[30].site,
            unit: Some(units[30].id),
            reporter: None,
            assignee: None,
        },
        &NewTicket::validate(
            "Question about my service charge",
            "Why did my quarterly charge go up this year?",
            "account",
            "low",
        )?,
    )
    .await?;
    step(3);
    requests::add_entry(app, &mark.actor, query, "The increase follows the budget approved at the AGM. Could you confirm which quarter you mean?", false).await?;
    requests::set_status(
        app,
        &mark.actor,
        query,
        TicketStatus::WaitingOnCustomer,
        None,
    )
    .await?;
    step(4);
    let bins = requests::raise(
        app,
        &resident(
            org.id,
            units[3].leaseholder,
            &units[3].leaseholder_name,
            units[3].id,
            units[3].site,
        ),
        requests::TicketOrigin {
            site: units[3].site,
            unit: Some(units[3].id),
            reporter: None,
            assignee: Some(sam_id),
        },
        &NewTicket::validate(
            "Bin store door does not close",
            "The bin store door is broken and foxes are getting in.",
            "maintenance",
            "medium",
        )?,
    )
    .await?;
    step(2);
    requests::add_entry(
        app,
        &sam.actor,
        bins,
        "Hinge replaced this morning; the door closes properly now.",
        false,
    )
    .await?;
    requests::set_status(
        app,
        &sam.actor,
        bins,
        TicketStatus::Closed,
        Some(CloseReason::Resolved),
    )
    .await?;
    step(3);
    let parking = requests::raise(
        app,
        &on(&mark.actor, Channel::Admin),
        requests::TicketOrigin {
            site: riverside,
            unit: Some(units[8].id),
            reporter: Some(units[8].leaseholder),
            assignee: None,
        },
        &NewTicket::validate(
            "Visitor parking permit",
            "Caller asked about visitor permits by phone.",
            "query",
            "low",
        )?,
    )
    .await?;
    requests::add_entry(
        app,
        &mark.actor,
        parking,
        "Permits are available from the concierge. Let us know if you need more.",
        false,
    )
    .await?;
    step(2);
    requests::set_status(
        app,
        &mark.actor,
        parking,
        TicketStatus::Closed,
        Some(CloseReason::NoResponse),
    )
    .await?;

    // Issues from site walks.
    step(5);
    issues::log(
        app,
        &sam.actor,
        riverside,
        Some(buildings[0]),
        None,
        &NewIssue::validate(
            "Corridor light out",
            "Two bulkhead fittings not working.",
            "Floor 3 corridor, east end",
            "lighting_fault",
            "medium",
        )?,
    )
    .await?;
    step(1);
    let fire_door = issues::log(
        app,
        &hannah.actor,
        harbour,
        Some(buildings[2]),
        None,
        &NewIssue::validate(
            "Fire door wedged open",
            "Fire door on the stair core held open with a wedge.",
            "Floor 6, stair core B",
            "fire_safety",
            "high",
        )?,
    )
    .await?;
    issues::set_status(app, &mark.actor, fire_door, IssueStatus::Triaged, None).await?;
    step(2);
    let graffiti = issues::log(
        app,
        &sam.actor,
        maple,
        Some(buildings[1]),
        None,
        &NewIssue::validate(
            "Graffiti in bin store",
            "",
            "Bin store, rear of Maple House",
            "cleanliness",
            "low",
        )?,
    )
    .await?;
    issues::set_status(
        app,
        &mark.actor,
        graffiti,
        IssueStatus::Dismissed,
        Some("Removed by the cleaners on their weekly visit."),
    )
    .await?;

    // Work orders in every state.
    step(3);
    let wo_spec = |title: &str, scope: &str, cat: &str, prio: &str| {
        NewWorkOrder::validate(
            title,
            scope,
            cat,
            prio,
            Some(today + Duration::days(30)),
            today,
        )
    };
    let origin = |site: SiteId, building: BuildingId| works::WorkOrderOrigin {
        site,
        building: Some(building),
        unit: None,
        ticket: None,
        issues: Vec::new(),
    };
    works::create_work_order(
        app,
        &mark.actor,
        origin(harbour, buildings[2]),
        &wo_spec(
            "Annual fire alarm service",
            "Service and test the fire alarm system (BS 5839-1) and issue a certificate.",
            "fire_safety",
            "medium",
        )?,
    )
    .await?;
    let lift_wo = works::create_work_order(
        app,
        &mark.actor,
        works::WorkOrderOrigin {
            ticket: Some(lift),
            ..origin(maple, buildings[1])
        },
        &wo_spec(
            "Lift repair",
            "Attend to the lift stuck on floor 2; diagnose and repair.",
            "lifts",
            "urgent",
        )?,
    )
    .await?;
    works::invite(app, &mark.actor, lift_wo, vendors[1]).await?;
    step(2);
    let gutters = works::create_work_order(
        app,
        &mark.actor,
        origin(riverside, buildings[0]),
        &wo_spec(
            "Gutter clearance",
            "Clear all gutters and downpipes; report defects with photos.",
            "roofing",
            "low",
        )?,
    )
    .await?;
    works::invite(app, &mark.actor, gutters, vendors[6]).await?;
    works::invite(app, &mark.actor, gutters, vendors[5]).await?;
    step(20);
    works::submit_quote(
        app,
        &contractor(org.id, vendors[6], gutters, "Topline Roofing"),
        gutters,
        &works::NewQuote {
            vendor: vendors[6],
            kind: QuoteKind::FixedPrice,
            net: Money::from_pence(64_000),
            vat_rate: VatRate::Standard,
            notes: "Cherry picker included.",
        },
    )
    .await?;
    step(3);
    works::submit_quote(
        app,
        &contractor(org.id, vendors[5], gutters, "Brightside Decorators"),
        gutters,
        &works::NewQuote {
            vendor: vendors[5],
            kind: QuoteKind::DayRate,
            net: Money::from_pence(42_000),
            vat_rate: VatRate::Standard,
            notes: "Two days at £210.",
        },
    )
    .await?;
    step(2);
    let redecoration = works::create_work_order(
        app,
        &mark.actor,
        origin(maple, buildings[1]),
        &wo_spec(
            "Communal redecoration",
            "Redecorate the entrance hall and stairwell.",
            "general",
            "low",
        )?,
    )
    .await?;
    works::invite(app, &mark.actor, redecoration, vendors[5]).await?;
    let q = works::submit_quote(
        app,
        &contractor(org.id, vendors[5], redecoration, "Brightside Decorators"),
        redecoration,
        &works::NewQuote {
            vendor: vendors[5],
            kind: QuoteKind::FixedPrice,
            net: Money::from_pence(285_000),
            vat_rate: VatRate::Standard,
            notes: "",
        },
    )
    .await?;
    step(4);
    works::award(app, &mark.actor, redecoration, q).await?;
    step(2);
    let door_entry = works::create_work_order(
        app,
        &mark.actor,
        origin(riverside, buildings[0]),
        &wo_spec(
            "Door entry system repair",
            "Handset in Flat 9 not releasing the main door; check the panel.",
            "electrical",
            "medium",
        )?,
    )
    .await?;
    works::invite(app, &mark.actor, door_entry, vendors[2]).await?;
    let spark = contractor(org.id, vendors[2], door_entry, "Spark Electrical Services");
    let q = works::submit_quote(
        app,
        &spark,
        door_entry,
        &works::NewQuote {
            vendor: vendors[2],
            kind: QuoteKind::FixedPrice,
            net: Money::from_pence(24_500),
            vat_rate: VatRate::Standard,
            notes: "",
        },
    )
    .await?;
    step(3);
    works::award(app, &mark.actor, door_entry, q).await?;
    step(18);
    works::report_progress(
        app,
        &spark,
        door_entry,
        "Materials ordered: replacement door release relay.",
    )
    .await?;
    step(2);
    let eicr = works::create_work_order(
        app,
        &mark.actor,
        origin(harbour, buildings[2]),
        &wo_spec(
            "Landlord's supply EICR",
            "Five-yearly electrical installation condition report for the landlord's supply.",
            "electrical",
            "low",
        )?,
    )
    .await?;
    works::close(app, &mark.actor, eicr, true).await?;

    // Notices and documents.
    step(2);
    works::publish_notice(app, &mark.actor, None, &NewNotice::validate("Office closed over Christmas", "Our office is closed from 24 December to 2 January. For emergencies call 0161 496 0999.", today, Some(today + Duration::days(45)), false)?).await?;
    works::publish_notice(app, &mark.actor, Some(maple), &NewNotice::validate("Lift out of service", "The lift is out of service while an engineer repairs it. We are sorry for the inconvenience.", today, Some(today + Duration::days(14)), true)?).await?;
    works::publish_notice(app, &mark.actor, Some(harbour), &NewNotice::validate("Fire door inspections", "Our fire safety contractor will inspect flat entrance doors next week. Please allow access.", today, Some(today + Duration::days(21)), false)?).await?;
    step(1);
    let doc = |site: Option<SiteId>,
               record_type: &'static str,
               record_id: String,
               folder: &'static str,
               audience: Audience| works::DocumentPlace {
        site,
        record_type,
        record_id,
        folder,
        audience,
    };
    works::add_document(app, &mark.actor, doc(Some(harbour), "building", buildings[2].to_string(), "Compliance", Audience::Regulator), "Fire risk assessment 2026", "fire-risk-assessment-2026.txt", "text/plain", b"Fire risk assessment for Harbour Point Tower (Type 1, common parts). Overall risk: tolerable. Actions: 3.").await?;
    works::add_document(
        app,
        &mark.actor,
        doc(
            Some(riverside),
            "site",
            riverside.to_string(),
            "Year-end packs",
            Audience::Residents,
        ),
        "Service charge accounts 2025",
        "service-charge-accounts-2025.txt",
        "text/plain",
        b"Riverside Court service charge accounts for the year ended 31 March 2025.",
    )
    .await?;
    works::add_document(
        app,
        &mark.actor,
        doc(
            Some(maple),
            "site",
            maple.to_string(),
            "Insurance",
            Audience::Residents,
        ),
        "Buildings insurance certificate",
        "buildings-insurance.txt",
        "text/plain",
        "Buildings insurance: Maple House, sum insured £6,400,000.".as_bytes(),
    )
    .await?;
    works::add_document(
        app,
        &mark.actor,
        doc(
            None,
            "organisation",
            org.id.to_string(),
            "Meetings",
            Audience::StaffOnly,
        ),
        "Board minutes, October",
        "board-minutes-october.txt",
        "text/plain",
        b"Minutes of the October board meeting.",
    )
    .await?;

    Ok(format!(
        "acme: created Acme Estates — 3 sites, {} units, {} leaseholders (and their tenants), {invoices_raised} invoices, {payments} payments, tickets, issues and work orders",
        units.len(),
        all_contacts.len()
    ))
}

async fn birchwood(app: &App, now: OffsetDateTime) -> R<String> {
    let new = NewOrganisation::validate("Birchwood Residential", "birchwood")?;
    let details = orgs::OrgDetails {
        legal_name: "Birchwood Residential RMC Ltd".into(),
        address: "Oak Lodge, 3 Birch Lane, Bristol BS8 1AA".into(),
        brand_colour: "#2e6b30".into(),
        ..Default::default()
    };
    let org = orgs::create(
        app,
        &new,
        details,
        "ben.birch@birchwood.example",
        "Ben Birch",
    )
    .await?;
    let owner_id = {
        let mut conn = app.db.read().await?;
        store::orgs::staff_by_email(&mut conn, org.id, "ben.birch@birchwood.example")
            .await?
            .ok_or(AppError::NotFound)?
            .id
    };
    let owner = staff(
        org.id,
        owner_id,
        "Ben Birch",
        Role::OrganisationOwner,
        None,
        Channel::Admin,
    );
    let site = places::add_site(
        app,
        &owner.actor,
        &NewSite::validate(
            "BW01",
            "Oak Lodge",
            "Oak Lodge, 3 Birch Lane, Bristol BS8 1AA",
        )?,
    )
    .await?;
    let building = places::add_building(
        app,
        &owner.actor,
        site,
        &NewBuilding::validate("Oak Lodge", Some(120), Some(4), false, "")?,
    )
    .await?;
    let mut first_unit = None;
    for n in 1..=6 {
        let unit = places::add_unit(
            app,
            &owner.actor,
            building,
            &NewUnit::validate(&format!("Apartment {n}"), "")?,
        )
        .await?;
        let c = people::add_contact(
            app,
            &owner.actor,
            &NewContact::validate(
                ContactKind::Leaseholder,
                "Ms",
                FIRST[n as usize],
                "Birchall",
                &format!("owner{n}@birchwood-residents.example"),
                "",
            )?,
        )
        .await?;
        people::link_to_unit(
            app,
            &owner.actor,
            c,
            unit,
            UnitRole::Leaseholder,
            true,
            app.clock.now().date() - Duration::days(100),
        )
        .await?;
        first_unit.get_or_insert((unit, c));
    }
    let (unit, contact) = first_unit.ok_or(AppError::NotFound)?;
    app.clock.set(now - Duration::days(20));
    let inv = ledger::raise_invoice(
        app,
        &owner.actor,
        unit,
        "Service charge",
        &[InvoiceLine::validate(
            "Service charge",
            "520.00",
            VatRate::Exempt,
        )?],
        now.date() - Duration::days(20),
        now.date() - Duration::days(6),
    )
    .await?;
    for to in [
        InvoiceStatus::PendingApproval,
        InvoiceStatus::Approved,
        InvoiceStatus::Sent,
    ] {
        ledger::move_invoice(app, &owner.actor, inv, to).await?;
    }
    app.clock.advance(Duration::days(2));
    let me = resident(org.id, contact, "Ms Birchall", unit, site);
    requests::raise(
        app,
        &me,
        requests::TicketOrigin {
            site,
            unit: Some(unit),
            reporter: None,
            assignee: None,
        },
        &NewTicket::validate(
            "Gate code not working",
            "The pedestrian gate keypad does not accept the code.",
            "maintenance",
            "medium",
        )?,
    )
    .await?;
    works::create_work_order(
        app,
        &owner.actor,
        works::WorkOrderOrigin {
            site,
            building: Some(building),
            unit: None,
            ticket: None,
            issues: Vec::new(),
        },
        &NewWorkOrder::validate(
            "Gate keypad repair",
            "Replace the keypad on the pedestrian gate.",
            "electrical",
            "medium",
            None,
            now.date(),
        )?,
    )
    .await?;
    Ok("birchwood: created Birchwood Residential — 1 site, 6 units, an invoice, a request and a work order".into())
}
