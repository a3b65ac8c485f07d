//! `proplink demo`: two realistic organisations to explore, written through the services so
//! every record has its real audit trail. The clock walks through two years of history —
//! quarterly service charges and payments, requests, site issues and repairs — then the last
//! weeks' story, so the trail reads as it happened. The content is data ([`data`]); this
//! module and its children only play it.
//!
//! `--scale N` makes Acme N times larger: N copies of its sites, with their flats, people,
//! charges, requests, issues and work orders.
//!
//! Safe to run again: an organisation that already exists is left as it is.

mod acme;
mod birchwood;
mod data;
mod story;

use proplink_shared::audit::Channel;
use proplink_shared::{Actor, ContactId, OrgId, Principal, Role, SiteId, SiteScope, StaffUserId};
use time::{Date, Duration, OffsetDateTime, Time};

use crate::app::{App, MailMode};
use crate::clock::Clock;
use crate::config::Config;
use crate::error::AppError;

/// Creates the demo organisations that do not exist yet; returns what it did, line by line.
pub async fn create(app: &App, scale: u32) -> anyhow::Result<Vec<String>> {
    let mut report = Vec::new();
    let now = app.clock.now();
    for slug in ["acme", "birchwood"] {
        if crate::services::orgs::by_slug(app, slug)
            .await
            .map_err(|e| anyhow::anyhow!("{e:?}"))?
            .is_some()
        {
            report.push(format!("{slug}: already exists, left as it is"));
            continue;
        }
        // Demo mail is kept in the log, never sent to the made-up addresses.
        // Residents pay by card through ResidencePort's sandbox provider, whatever provider
        // the installation uses for real payments.
        let demo_app = App {
            clock: Clock::manual(now - Duration::days(800)),
            mail_mode: MailMode::Hold,
            config: std::sync::Arc::new(Config {
                payments: crate::config::PaymentSettings::Sandbox,
                ..(*app.config).clone()
            }),
            ..app.clone()
        };
        let line = match slug {
            "acme" => acme::build(&demo_app, now, scale).await,
            _ => birchwood::build(&demo_app, now).await,
        }
        .map_err(|e| anyhow::anyhow!("{slug}: {e:?}"))?;
        report.push(line);
    }
    app.db
        .refresh_statistics()
        .await
        .map_err(|e| anyhow::anyhow!("refreshing the planner's statistics: {e}"))?;
    Ok(report)
}

/// Where to sign in to the demo, and as whom.
#[must_use]
pub fn sign_in_hints(config: &Config) -> Vec<String> {
    let acme = config.admin_url("acme");
    vec![
        format!("{acme}/ as olivia.owner@acme.example (Organisation Owner)"),
        format!(
            "{acme}/ as mark.manager@acme.example (Manager) or anna.accounts@acme.example (Accountant)"
        ),
        format!(
            "{acme}/ as sam.singh@acme.example (Site Manager of two sites; also on the Facility Report app)"
        ),
        format!(
            "{}/ as ben.birch@birchwood.example (a second organisation)",
            config.admin_url("birchwood")
        ),
        format!(
            "{}/ (ResidencePort) as sana.khan@residents.example (Mrs Khan, leaseholder of Flat 12) \
             or tomasz.nowak@tenants.example (a tenant); pay with the test card 4242 4242 4242 4242",
            config.residence_url("acme")
        ),
        format!(
            "{}/ (BuildingThread) as sana.khan@residents.example (Mrs Khan lives in Harbour Point Tower, \
             a higher-risk building: its golden thread, which managers keep from the building's page)",
            config.thread_url("acme")
        ),
        format!(
            "{}/ (BuildingThread) as {} ({}, an inspector of the Building Safety Regulator given Harbour Point Tower's \
             whole golden thread for 60 days: every version, and the handover pack)",
            config.thread_url("acme"),
            acme::INSPECTOR.0,
            acme::INSPECTOR.1,
        ),
        format!("The sign-in codes arrive in the development mailbox: {acme}/dev/mailbox"),
    ]
}

type R<T> = Result<T, AppError>;

/// A resident pays `amount` of their home's open invoices by card as they would on
/// ResidencePort: oldest invoice first, each through a checkout of the sandbox provider with
/// its test card that succeeds, then back to the receipt.
async fn pay_by_card(
    app: &App,
    me: &Actor,
    unit: proplink_shared::UnitId,
    amount: proplink_shared::Money,
) -> R<()> {
    use crate::services::payments::{self, sandbox};
    let org = crate::store::orgs::by_id(&mut app.db.read().await?, me.org)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut left = amount.pence();
    for inv in crate::services::ledger::open_invoices(app, me, unit).await? {
        if left <= 0 {
            break;
        }
        let share = left.min(inv.outstanding().pence());
        left -= share;
        let typed = format!("{}.{:02}", share / 100, share % 100);
        let k = payments::start(app, &org, me, inv.id, &typed, &crate::app::random_token()).await?;
        let reference = k.provider_ref.clone().ok_or(AppError::NotFound)?;
        let card = sandbox::Card {
            number: "4242 4242 4242 4242",
            expiry: "12/39",
            cvc: "123",
        };
        sandbox::pay(app, org.id, &reference, &card).await?;
        payments::confirm(app, me, k.id).await?;
    }
    Ok(())
}

fn at(date: Date, hour: u8, minute: u8) -> OffsetDateTime {
    date.with_time(Time::from_hms(hour, minute, 0).unwrap_or(Time::MIDNIGHT))
        .assume_utc()
}

fn staff_actor(
    org: OrgId,
    id: StaffUserId,
    name: &str,
    role: Role,
    sites: Option<&[SiteId]>,
    channel: Channel,
) -> Actor {
    let scope = match sites {
        None => SiteScope::AllSites,
        Some(s) => SiteScope::Selected(s.iter().copied().collect()),
    };
    Actor {
        org,
        principal: Principal::Staff {
            user: id,
            role: Some(role),
            scope: Some(scope),
        },
        channel,
        display_name: name.into(),
    }
}

/// A resident as ResidencePort signs them in: the actor their homes today make them.
async fn resident(app: &App, org: OrgId, contact: ContactId) -> R<Actor> {
    crate::services::residents::actor(app, org, contact).await
}

/// A contractor as ContractorPort signs them in: their emailed link opened, once, on their
/// phone, and traded for a session bound to its work order.
async fn contractor_opens(app: &App, link: &str) -> R<Actor> {
    use crate::services::contractor_links;
    let token = link.rsplit('/').next().unwrap_or_default();
    let phone = crate::services::auth::Client {
        ip: "192.0.2.80".into(),
        user_agent: "Mozilla/5.0 (Linux; Android 14; Pixel 8) Mobile Safari/537.36".into(),
    };
    let opened = contractor_links::open(app, token, &phone)
        .await?
        .map_err(|_| AppError::NotFound)?;
    contractor_links::session(app, &opened.session_token)
        .await?
        .map(|s| s.actor)
        .ok_or(AppError::NotFound)
}

/// The certificate a contractor hands over, as a PDF of their own.
fn certificate_pdf(cert: &proplink_shared::records::NewCertificate, issuer: &str) -> Vec<u8> {
    crate::doors::pdf::one_page(
        issuer,
        cert.kind.label(),
        &[
            ("Issued by", cert.body.clone()),
            ("Registration", cert.registration.clone()),
            (
                "Issued on",
                proplink_shared::london::format_date(cert.issued_on),
            ),
        ],
    )
}

/// The UK quarter days on which service charges fall due, the last `count` before a month ago.
fn quarter_days(now: OffsetDateTime, count: usize) -> Vec<Date> {
    let latest = now.date() - Duration::days(35);
    let mut days: Vec<Date> = (latest.year() - 3..=latest.year())
        .flat_map(|y| {
            [
                (time::Month::March, 25),
                (time::Month::June, 24),
                (time::Month::September, 29),
                (time::Month::December, 25),
            ]
            .map(|(m, day)| Date::from_calendar_date(y, m, day).unwrap_or(Date::MIN))
        })
        .filter(|q| *q <= latest)
        .collect();
    days.sort();
    days.split_off(days.len().saturating_sub(count))
}
