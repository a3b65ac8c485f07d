//! A small organisation with one record of every kind, written through the services.

use proplink_backend::App;
use proplink_backend::services::{
    issues, ledger, orgs, people, places, tickets, vendors, work_orders,
};
use proplink_backend::store::orgs::OrgDetails;
use proplink_backend::store::requests::IssuePlace;
use proplink_backend::store::work_orders::WorkOrderPlace;
use proplink_shared::audit::Channel;
use proplink_shared::records::*;
use proplink_shared::states::InvoiceStatus;
use proplink_shared::{
    Actor, BuildingId, ContactId, InvoiceId, IssueId, Money, OrgId, Principal, Role, SiteId,
    SiteScope, TicketId, UnitId, VendorId, WorkOrderId,
};

pub struct Org {
    pub id: OrgId,
    pub slug: String,
    pub owner: Actor,
    /// A Manager over all sites: `manager@<slug>.example`.
    pub manager_email: String,
    pub manager: Actor,
    /// A Site Manager of `site_a` only: `site@<slug>.example`.
    pub site_manager_email: String,
    /// An Accountant over all sites: `accounts@<slug>.example`.
    pub accountant_email: String,
    pub accountant: Actor,
    pub site_a: SiteId,
    pub site_b: SiteId,
    pub building: BuildingId,
    /// Beta House, on `site_b`.
    pub building_b: BuildingId,
    pub unit: UnitId,
    /// A unit of `site_b`, billed to another leaseholder.
    pub unit_b: UnitId,
    pub leaseholder: ContactId,
    /// The leaseholder of `unit_b`: `bea@<slug>.example`.
    pub other_leaseholder: ContactId,
    pub ticket_a: TicketId,
    pub ticket_b: TicketId,
    pub issue: IssueId,
    pub work_order: WorkOrderId,
    pub invoice: InvoiceId,
    pub vendor: VendorId,
}

impl Org {
    /// The Organisation Owner's address: `owner@<slug>.example`.
    #[must_use]
    pub fn owner_email(&self) -> String {
        format!("owner@{}.example", self.slug)
    }
}

fn ok<T, E: std::fmt::Debug>(r: Result<T, E>) -> T {
    r.unwrap_or_else(|e| panic!("fixture: {e:?}"))
}

fn staff_actor(
    org: OrgId,
    user: proplink_shared::StaffUserId,
    name: &str,
    role: Role,
    scope: SiteScope,
) -> Actor {
    Actor {
        org,
        principal: Principal::Staff {
            user,
            role: Some(role),
            scope: Some(scope),
        },
        channel: Channel::Admin,
        display_name: name.into(),
    }
}

pub async fn org(app: &App, slug: &str, name: &str) -> Org {
    let created = ok(orgs::create(
        app,
        &ok(NewOrganisation::validate(name, slug)),
        OrgDetails::default(),
        &format!("owner@{slug}.example"),
        "Owner Person",
    )
    .await);
    let owner_id = ok(orgs::staff_by_email(
        app,
        &orgs::system_actor(created.id),
        &format!("owner@{slug}.example"),
    )
    .await)
    .id;
    let owner = staff_actor(
        created.id,
        owner_id,
        "Owner Person",
        Role::OrganisationOwner,
        SiteScope::AllSites,
    );
    let site_a = ok(places::add_site(
        app,
        &owner,
        &ok(NewSite::validate("A1", "Alpha Court", "1 Alpha Road")),
    )
    .await);
    let site_b = ok(places::add_site(
        app,
        &owner,
        &ok(NewSite::validate("B1", "Beta House", "2 Beta Road")),
    )
    .await);
    let building = ok(places::add_building(
        app,
        &owner,
        site_a,
        &ok(NewBuilding::validate(
            "Alpha Court",
            None,
            Some(4),
            false,
            "",
        )),
    )
    .await);
    let building_b = ok(places::add_building(
        app,
        &owner,
        site_b,
        &ok(NewBuilding::validate(
            "Beta House",
            None,
            Some(3),
            false,
            "",
        )),
    )
    .await);
    let unit = ok(places::add_unit(
        app,
        &owner,
        building,
        &ok(NewUnit::validate("Flat 1", "Ground")),
    )
    .await);
    let unit_b = ok(places::add_unit(
        app,
        &owner,
        building_b,
        &ok(NewUnit::validate("Flat 9", "First")),
    )
    .await);
    let leaseholder = ok(people::add_contact(
        app,
        &owner,
        &ok(NewContact::validate(
            ContactKind::Leaseholder,
            "Mr",
            "Ravi",
            "Patel",
            &format!("ravi@{slug}.example"),
            "",
        )),
    )
    .await);
    let other = ok(people::add_contact(
        app,
        &owner,
        &ok(NewContact::validate(
            ContactKind::Leaseholder,
            "Ms",
            "Bea",
            "Jones",
            &format!("bea@{slug}.example"),
            "",
        )),
    )
    .await);
    let today = proplink_shared::london::local(app.clock.now()).date();
    ok(people::link_to_unit(
        app,
        &owner,
        leaseholder,
        unit,
        UnitRole::Leaseholder,
        true,
        today,
    )
    .await);
    ok(people::link_to_unit(
        app,
        &owner,
        other,
        unit_b,
        UnitRole::Leaseholder,
        true,
        today,
    )
    .await);
    let manager_email = format!("manager@{slug}.example");
    let manager_id = ok(orgs::add_staff(
        app,
        &owner,
        &manager_email,
        "Mina Manager",
        Role::Manager,
        None,
    )
    .await);
    let manager = staff_actor(
        created.id,
        manager_id,
        "Mina Manager",
        Role::Manager,
        SiteScope::AllSites,
    );
    let accountant_email = format!("accounts@{slug}.example");
    let accountant_id = ok(orgs::add_staff(
        app,
        &owner,
        &accountant_email,
        "Ada Accounts",
        Role::Accountant,
        None,
    )
    .await);
    let accountant = staff_actor(
        created.id,
        accountant_id,
        "Ada Accounts",
        Role::Accountant,
        SiteScope::AllSites,
    );
    let site_manager_email = format!("site@{slug}.example");
    ok(orgs::add_staff(
        app,
        &owner,
        &site_manager_email,
        "Sid Site",
        Role::SiteManager,
        Some(&[site_a]),
    )
    .await);
    let ticket_a = ok(tickets::raise(
        app,
        &manager,
        tickets::TicketOrigin {
            site: site_a,
            unit: Some(unit),
            reporter: Some(leaseholder),
            assignee: None,
        },
        &ok(NewTicket::validate(
            "Leak in hallway",
            "Water on the floor",
            "maintenance",
            "high",
        )),
    )
    .await);
    let ticket_b = ok(tickets::raise(
        app,
        &manager,
        tickets::TicketOrigin {
            site: site_b,
            unit: None,
            reporter: None,
            assignee: None,
        },
        &ok(NewTicket::validate(
            "Broken gate",
            "The gate will not close",
            "maintenance",
            "medium",
        )),
    )
    .await);
    let issue = ok(issues::log(
        app,
        &manager,
        IssuePlace {
            site: site_a,
            building: Some(building),
            ticket: None,
        },
        &ok(NewIssue::validate(
            "Light out",
            "",
            "Stairwell",
            "lighting_fault",
            "low",
        )),
    )
    .await);
    let vendor = ok(vendors::add_vendor(
        app,
        &owner,
        "Fixit Ltd",
        &format!("fixit@{slug}.example"),
        "",
        ServiceCategory::General,
    )
    .await);
    let work_order = ok(work_orders::create(
        app,
        &manager,
        WorkOrderPlace {
            site: site_a,
            building: Some(building),
            unit: None,
            ticket: None,
        },
        &[],
        &ok(NewWorkOrder::validate(
            "Fix the light",
            "Replace the fitting",
            "electrical",
            "low",
            None,
            today,
        )),
    )
    .await);
    let invoice = ok(ledger::raise_invoice(
        app,
        &owner,
        unit,
        &ledger::Charge {
            category: proplink_shared::records::InvoiceCategory::ServiceCharge,
            description: "Service charge",
            lines: &[ok(InvoiceLine::validate(
                "Service charge",
                "450.00",
                VatRate::Exempt,
            ))],
            issue_date: today,
            due_date: today,
        },
    )
    .await);
    for to in [
        InvoiceStatus::PendingApproval,
        InvoiceStatus::Approved,
        InvoiceStatus::Sent,
    ] {
        ok(ledger::move_invoice(app, &owner, invoice, to).await);
    }
    let _ = Money::ZERO;
    Org {
        id: created.id,
        slug: slug.to_owned(),
        owner,
        manager_email,
        manager,
        site_manager_email,
        accountant_email,
        accountant,
        site_a,
        site_b,
        building,
        building_b,
        unit,
        unit_b,
        leaseholder,
        other_leaseholder: other,
        ticket_a,
        ticket_b,
        issue,
        work_order,
        invoice,
        vendor,
    }
}

/// Gives the fixture's contractor public liability cover until 2099, so they may be invited.
pub async fn insure(app: &App, org: &Org) {
    let cover = proplink_backend::store::vendors::Cover {
        kind: CertificateKind::PublicLiability,
        provider: "Aviva".into(),
        policy_number: "PL-1".into(),
        sum_insured: None,
        expires_on: time::macros::date!(2099 - 01 - 01),
    };
    ok(vendors::add_cover(app, &org.owner, org.vendor, &cover).await);
}
