//! Birchwood Residential: a small second organisation, to show that nothing crosses from one
//! organisation to another.

use proplink_shared::Role;
use proplink_shared::audit::Channel;
use proplink_shared::records::*;
use proplink_shared::states::InvoiceStatus;
use time::{Duration, OffsetDateTime};

use super::{R, resident, staff_actor};
use crate::app::App;
use crate::error::AppError;
use crate::services::tickets::TicketOrigin;
use crate::services::{ledger, orgs, people, places, tickets, work_orders};
use crate::store::orgs::OrgDetails;
use crate::store::work_orders::WorkOrderPlace;

pub async fn build(app: &App, now: OffsetDateTime) -> R<String> {
    let org = orgs::create(
        app,
        &NewOrganisation::validate("Birchwood Residential", "birchwood")?,
        OrgDetails {
            legal_name: "Birchwood Residential RMC Ltd".into(),
            address: "Oak Lodge, 3 Birch Lane, Bristol BS8 1AA".into(),
            brand_colour: "#2e6b30".into(),
            ..OrgDetails::default()
        },
        "ben.birch@birchwood.example",
        "Ben Birch",
    )
    .await?;
    let row = orgs::staff_by_email(
        app,
        &orgs::system_actor(org.id),
        "ben.birch@birchwood.example",
    )
    .await?;
    let owner = staff_actor(
        org.id,
        row.id,
        "Ben Birch",
        Role::OrganisationOwner,
        None,
        Channel::Admin,
    );
    let site = places::add_site(
        app,
        &owner,
        &NewSite::validate(
            "BW01",
            "Oak Lodge",
            "Oak Lodge, 3 Birch Lane, Bristol BS8 1AA",
        )?,
    )
    .await?;
    let building = places::add_building(
        app,
        &owner,
        site,
        &NewBuilding::validate("Oak Lodge", Some(120), Some(4), false, "")?,
    )
    .await?;
    let mut first = None;
    for n in 1..=6usize {
        let unit = places::add_unit(
            app,
            &owner,
            building,
            &NewUnit::validate(&format!("Apartment {n}"), "")?,
        )
        .await?;
        let contact = people::add_contact(
            app,
            &owner,
            &NewContact::validate(
                ContactKind::Leaseholder,
                "Ms",
                super::data::FIRST[n],
                "Birchall",
                &format!("owner{n}@birchwood-residents.example"),
                "",
            )?,
        )
        .await?;
        let since = app.clock.now().date() - Duration::days(100);
        people::link_to_unit(
            app,
            &owner,
            contact,
            unit,
            UnitRole::Leaseholder,
            true,
            since,
        )
        .await?;
        first.get_or_insert((unit, contact));
    }
    let (unit, contact) = first.ok_or(AppError::NotFound)?;
    app.clock.set(now - Duration::days(20));
    let line = InvoiceLine::validate("Service charge", "520.00", VatRate::Exempt)?;
    let inv = ledger::raise_invoice(
        app,
        &owner,
        unit,
        &ledger::Charge {
            category: proplink_shared::records::InvoiceCategory::ServiceCharge,
            description: "Service charge",
            lines: &[line],
            issue_date: now.date() - Duration::days(20),
            due_date: now.date() - Duration::days(6),
        },
    )
    .await?;
    for to in [
        InvoiceStatus::PendingApproval,
        InvoiceStatus::Approved,
        InvoiceStatus::Sent,
    ] {
        ledger::move_invoice(app, &owner, inv, to).await?;
    }
    app.clock.advance(Duration::days(2));
    let me = resident(app, org.id, contact).await?;
    let origin = TicketOrigin {
        site,
        unit: Some(unit),
        reporter: None,
        assignee: None,
    };
    let gate = NewTicket::validate(
        "Gate code not working",
        "The pedestrian gate keypad does not accept the code.",
        "maintenance",
        "medium",
    )?;
    tickets::raise(app, &me, origin, &gate).await?;
    let place = WorkOrderPlace {
        site,
        building: Some(building),
        unit: None,
        ticket: None,
    };
    let new = NewWorkOrder::validate(
        "Gate keypad repair",
        "Replace the keypad on the pedestrian gate.",
        "electrical",
        "medium",
        None,
        now.date(),
    )?;
    work_orders::create(app, &owner, place, &[], &new).await?;
    Ok("birchwood: created Birchwood Residential — 1 site, 6 units, an invoice, a request and a work order".into())
}
