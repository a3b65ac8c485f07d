//! The day's start for the office: requests breaching their SLA, what waits on us, decisions
//! to make, cover and certificates running out, and two trends over the last twelve months —
//! arrears at each month end and the share of requests closed within their SLA.

use proplink_shared::london;
use proplink_shared::london::midnight;
use proplink_shared::money::Money;
use proplink_shared::records::CertificateKind;
use proplink_shared::{Actor, Domain, Scope, SiteId, VendorId, WorkOrderId};
use time::{Date, Duration, Month, OffsetDateTime};

use super::{remember, today};
use crate::app::App;
use crate::error::AppResult;
use crate::store::dashboard as store;
use crate::store::requests::{self as tickets, Openness, Ticket, TicketFilter};

/// Open requests whose resolution target has passed or falls within the week.
#[derive(Clone, Default)]
pub struct SlaWatch {
    /// Past their target, most overdue first.
    pub breached: Vec<(Ticket, OffsetDateTime)>,
    /// Due before midnight tonight.
    pub today: Vec<(Ticket, OffsetDateTime)>,
    /// Due in the next seven days, after today.
    pub this_week: Vec<(Ticket, OffsetDateTime)>,
}

/// How many open requests the watch looks through; beyond this the queue is the place.
const WATCHED: i64 = 2000;

pub async fn sla_watch(app: &App, actor: &Actor) -> AppResult<SlaWatch> {
    let scope = Scope::of(actor, Domain::Tickets);
    let now = app.clock.now();
    let day = today(app);
    let open = remember(app, &scope, "sla watch".into(), || async {
        let mut conn = app.db.read().await?;
        let filter = TicketFilter {
            openness: Openness::Open,
            ..TicketFilter::default()
        };
        Ok(tickets::first_tickets(&mut conn, &scope, &filter, WATCHED).await?)
    })
    .await?;
    let tonight = midnight(day + Duration::days(1));
    let week = midnight(day + Duration::days(8));
    let mut watch = SlaWatch::default();
    for t in open {
        let (_, resolution) = t.priority.sla();
        let due = resolution.due(t.sla_from);
        let list = if due <= now {
            &mut watch.breached
        } else if due < tonight {
            &mut watch.today
        } else if due < week {
            &mut watch.this_week
        } else {
            continue;
        };
        list.push((t, due));
    }
    for list in [&mut watch.breached, &mut watch.today, &mut watch.this_week] {
        list.sort_by_key(|(t, due)| (*due, t.reference.clone()));
    }
    Ok(watch)
}

/// The first day of the month `back` months before `day`'s.
fn month_start(day: Date, back: i32) -> Date {
    let months = day.year() * 12 + i32::from(u8::from(day.month())) - 1 - back;
    let month = Month::try_from(u8::try_from(months.rem_euclid(12) + 1).unwrap_or(1))
        .unwrap_or(Month::January);
    Date::from_calendar_date(months.div_euclid(12), month, 1).unwrap_or(day)
}

/// One month of a trend: its first day and its figure.
pub type MonthFigure<T> = (Date, T);

/// Arrears at the end of each of the last twelve months (this month: today).
pub async fn arrears_by_month(app: &App, actor: &Actor) -> AppResult<Vec<MonthFigure<Money>>> {
    let scope = Scope::of(actor, Domain::Finance);
    let day = today(app);
    remember(app, &scope, format!("arrears by month {day}"), || async {
        let mut conn = app.db.read().await?;
        let mut points = Vec::new();
        for back in (0..12).rev() {
            let start = month_start(day, back);
            let end = if back == 0 {
                day
            } else {
                month_start(day, back - 1) - Duration::days(1)
            };
            points.push((start, store::arrears_at(&mut conn, &scope, end).await?));
        }
        Ok(points)
    })
    .await
}

/// Of the requests closed in each of the last twelve months: how many, and how many within
/// their resolution target.
pub async fn sla_by_month(app: &App, actor: &Actor) -> AppResult<Vec<MonthFigure<(u32, u32)>>> {
    let scope = Scope::of(actor, Domain::Tickets);
    let day = today(app);
    let from = month_start(day, 11);
    let closed = remember(app, &scope, format!("closed since {from}"), || async {
        let mut conn = app.db.read().await?;
        Ok(store::closed_between(&mut conn, &scope, midnight(from), app.clock.now()).await?)
    })
    .await?;
    let mut months: Vec<MonthFigure<(u32, u32)>> = (0..12)
        .rev()
        .map(|back| (month_start(day, back), (0, 0)))
        .collect();
    for (priority, sla_from, closed_at) in closed {
        let closed_on = london::local(closed_at).date();
        let Some((_, (all, within))) = months
            .iter_mut()
            .rev()
            .find(|(start, _)| *start <= closed_on)
        else {
            continue;
        };
        *all += 1;
        if closed_at <= priority.sla().1.due(sla_from) {
            *within += 1;
        }
    }
    Ok(months)
}

/// Something with an expiry date running out: a contractor's cover or a site's certificate.
#[derive(Clone)]
pub struct Expiring {
    pub kind: CertificateKind,
    /// The contractor or the site.
    pub whose: String,
    pub expires_on: Date,
    pub href: String,
}

/// Cover and certificates expiring within 60 days, or expired in the last 30, soonest first.
pub async fn expiring(app: &App, actor: &Actor) -> AppResult<Vec<Expiring>> {
    let day = today(app);
    let (from, to) = (day - Duration::days(30), day + Duration::days(60));
    let vendors = Scope::of(actor, Domain::Vendors);
    let sites = Scope::of(actor, Domain::WorkOrders);
    let cover = remember(app, &vendors, format!("cover expiring {day}"), || async {
        let mut conn = app.db.read().await?;
        Ok(store::cover_expiring(&mut conn, &vendors, from, to, 20).await?)
    })
    .await?;
    let certificates = remember(
        app,
        &sites,
        format!("certificates expiring {day}"),
        || async {
            let mut conn = app.db.read().await?;
            Ok(store::certificates_expiring(&mut conn, &sites, from, to, 20).await?)
        },
    )
    .await?;
    let mut all: Vec<Expiring> = cover
        .into_iter()
        .map(
            |(vendor, name, kind, expires_on): (VendorId, String, CertificateKind, Date)| {
                Expiring {
                    kind,
                    whose: name,
                    expires_on,
                    href: format!("/contractors/{vendor}"),
                }
            },
        )
        .chain(certificates.into_iter().map(
            |(_, kind, site, site_name, work_order, expires_on): (
                _,
                CertificateKind,
                SiteId,
                String,
                Option<WorkOrderId>,
                Date,
            )| {
                Expiring {
                    kind,
                    whose: site_name,
                    expires_on,
                    href: work_order
                        .map_or_else(|| format!("/sites/{site}"), |w| format!("/work-orders/{w}")),
                }
            },
        ))
        .collect();
    all.sort_by_key(|e| e.expires_on);
    all.truncate(20);
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn months_go_back_across_years() {
        assert_eq!(month_start(date!(2026 - 12 - 02), 0), date!(2026 - 12 - 01));
        assert_eq!(
            month_start(date!(2026 - 12 - 02), 11),
            date!(2026 - 01 - 01)
        );
        assert_eq!(month_start(date!(2026 - 03 - 31), 3), date!(2025 - 12 - 01));
    }

    #[test]
    fn london_midnight_follows_summer_time() {
        assert_eq!(midnight(date!(2026 - 07 - 01)).offset().whole_hours(), 1);
        assert_eq!(midnight(date!(2026 - 12 - 01)).offset().whole_hours(), 0);
    }
}
