//! The last weeks at Acme: [`STORY`] played act by act, and a few documents.

use proplink_shared::authz::Audience;
use proplink_shared::records::*;
use proplink_shared::{Actor, IssueId, TicketId, WorkOrderId};
use time::{Date, Duration};

use crate::demo::data::{VENDORS, Who};
use crate::demo::story::{Act, STORY};
use crate::demo::{R, resident};
use crate::error::AppError;
use crate::services::documents::DocumentPlace;
use crate::services::tickets::TicketOrigin;
use crate::services::work_orders::WorkReport;
use crate::services::{documents, issues, notices, quotes, tickets, work_orders};
use crate::store::notices::NoticePlace;
use crate::store::requests::IssuePlace;
use crate::store::work_orders::WorkOrderPlace;

use super::{Acme, Flat};

impl Acme<'_> {
    pub(super) async fn who(&self, g: usize, who: Who) -> R<Actor> {
        let group = &self.groups[g];
        Ok(match who {
            Who::Mark => self.mark.clone(),
            Who::Sam => group.site_managers[0].clone(),
            Who::Hannah => group.site_managers[1].clone(),
            Who::Resident(site, n) => {
                let f = self.story_flat(g, site, n)?;
                resident(self.app, self.org(), f.leaseholder).await?
            }
        })
    }

    pub(super) fn story_flat(&self, g: usize, site: usize, n: i64) -> R<&Flat> {
        let group = &self.groups[g];
        group
            .flats
            .iter()
            .find(|f| f.site == group.sites[site] && f.number == n)
            .ok_or(AppError::NotFound)
    }

    pub(super) fn key(g: usize, key: &str) -> String {
        format!("{g}:{key}")
    }

    pub(super) fn ticket(&self, g: usize, key: &str) -> R<TicketId> {
        self.tickets
            .get(&Self::key(g, key))
            .copied()
            .ok_or(AppError::NotFound)
    }

    pub(super) fn work_order(&self, g: usize, key: &str) -> R<WorkOrderId> {
        self.work_orders
            .get(&Self::key(g, key))
            .copied()
            .ok_or(AppError::NotFound)
    }

    /// Plays [`STORY`] for copy `g` of the portfolio.
    pub(super) async fn story(&mut self, g: usize, today: Date) -> R<()> {
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
                        Some(a) => match self.who(g, *a).await?.principal {
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
                        &self.who(g, *by).await?,
                        origin,
                        &NewTicket::validate(subject, body, category, priority)?,
                    )
                    .await?;
                    self.tickets.insert(Self::key(g, key), id);
                }
                Act::Reply { key, by, text } => {
                    tickets::add_entry(
                        app,
                        &self.who(g, *by).await?,
                        self.ticket(g, key)?,
                        text,
                        false,
                    )
                    .await?
                }
                Act::Note { key, by, text } => {
                    tickets::add_entry(
                        app,
                        &self.who(g, *by).await?,
                        self.ticket(g, key)?,
                        text,
                        true,
                    )
                    .await?
                }
                Act::Move { key, by, to } => {
                    tickets::set_status(
                        app,
                        &self.who(g, *by).await?,
                        self.ticket(g, key)?,
                        *to,
                        None,
                    )
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
                        &self.who(g, *by).await?,
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
                    issues::set_status(app, &self.who(g, *by).await?, id, *to, *reason).await?;
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
                    self.invite(self.work_order(g, key)?, self.vendors[*vendor])
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
                    let them = self.contractor(wo, self.vendors[*vendor]).await?;
                    let quote = quotes::submit(
                        app,
                        &them,
                        wo,
                        self.vendors[*vendor],
                        &NewQuote::validate(*kind, net, VatRate::Standard, notes)?,
                        None,
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
                    let them = self.contractor(wo, self.vendors[*vendor]).await?;
                    let report = WorkReport { note, photos: &[] };
                    work_orders::report_progress(app, &them, wo, &report).await?;
                }
                Act::Certificate {
                    key,
                    vendor,
                    kind,
                    registration,
                } => {
                    let wo = self.work_order(g, key)?;
                    let them = self.contractor(wo, self.vendors[*vendor]).await?;
                    let cert = NewCertificate::validate(
                        *kind,
                        VENDORS[*vendor].name,
                        registration,
                        app.clock.now().date(),
                        None,
                    )?;
                    let pdf = crate::demo::certificate_pdf(&cert, VENDORS[*vendor].name);
                    quotes::add_certificate(app, &them, wo, &cert, Some(&pdf)).await?;
                }
                Act::Complete { key, vendor } => {
                    let wo = self.work_order(g, key)?;
                    let them = self.contractor(wo, self.vendors[*vendor]).await?;
                    let report = WorkReport {
                        note: "Work finished and tested; the area is left clean.",
                        photos: &[],
                    };
                    work_orders::mark_complete(app, &them, wo, &report).await?;
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
                    let place = site.map_or(NoticePlace::Organisation, |s| {
                        NoticePlace::Site(self.groups[g].sites[s])
                    });
                    notices::publish(
                        app,
                        &self.mark,
                        place,
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
    pub(super) async fn documents(&self, org: proplink_shared::OrgId) -> R<()> {
        let app = self.app;
        let g = &self.groups[0];
        let pdf = |text: &str| format!("%PDF-1.4\n% {text}\n%%EOF\n").into_bytes();
        let docs = [
            (
                Some(g.sites[2]),
                RecordType::Building,
                g.buildings[2].to_string(),
                "Fire risk assessments",
                Audience::Regulator,
                "Fire risk assessment 2026",
                "fire-risk-assessment-2026.pdf",
                "Fire risk assessment for Harbour Point Tower. Overall risk: tolerable.",
            ),
            (
                Some(g.sites[2]),
                RecordType::Building,
                g.buildings[2].to_string(),
                "Fire strategy",
                Audience::Regulator,
                "Fire strategy report",
                "fire-strategy-report.pdf",
                "Fire strategy for Harbour Point Tower: stay put, one protected stair, automatic opening vents.",
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
