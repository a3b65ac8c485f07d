//! The day's start for the office: requests breaching their SLA, what waits on us, decisions
//! to make, cover and certificates running out, and two trends over the last twelve months —
//! arrears at each month end and the share of requests closed within their SLA.

use proplink_shared::london;
use proplink_shared::london::midnight;
use proplink_shared::money::Money;
use proplink_shared::records::CertificateKind;
use std::collections::HashMap;

use proplink_shared::{Actor, Domain, InvoiceId, Scope, SiteId, VendorId, WorkOrderId};
use time::{Date, Duration, Month, OffsetDateTime};

use super::{remember, today};
use crate::app::App;
use crate::error::AppResult;
use crate::store::dashboard as store;
use crate::store::requests::{self as tickets, Openness, Ticket, TicketFilter};

/// Open requests whose resolution target has passed or falls within the week: the first few of
/// each, soonest due first, and how many there are in all.
#[derive(Clone, Default)]
pub struct SlaWatch {
    /// Past their target, most overdue first.
    pub breached: Vec<(Ticket, OffsetDateTime)>,
    pub breached_total: usize,
    /// Due before midnight tonight.
    pub today: Vec<(Ticket, OffsetDateTime)>,
    pub today_total: usize,
    /// Due in the next seven days, after today.
    pub this_week: Vec<(Ticket, OffsetDateTime)>,
    pub this_week_total: usize,
}

/// How many open requests the watch looks through; beyond this the queue is the place.
const WATCHED: i64 = 2000;

/// How many of each list the watch keeps: the dashboard shows the first few.
const KEPT: usize = 10;

/// The watch as of this minute: worked out from the open requests once a minute (or when the
/// organisation changes), not on every view of the dashboard.
pub async fn sla_watch(app: &App, actor: &Actor) -> AppResult<SlaWatch> {
    let scope = Scope::of(actor, Domain::Tickets);
    let now = app.clock.now();
    let minute = now.unix_timestamp().div_euclid(60);
    let day = today(app);
    remember(app, &scope, format!("sla watch {minute}"), || async {
        let mut conn = app.db.read().await?;
        let filter = TicketFilter {
            openness: Openness::Open,
            ..TicketFilter::default()
        };
        let open = tickets::first_tickets(&mut conn, &scope, &filter, WATCHED).await?;
        let tonight = midnight(day + Duration::days(1));
        let week = midnight(day + Duration::days(8));
        let (mut breached, mut due_today, mut this_week) = (Vec::new(), Vec::new(), Vec::new());
        for t in open {
            let (_, resolution) = t.priority.sla();
            let due = resolution.due(t.sla_from);
            let list = if due <= now {
                &mut breached
            } else if due < tonight {
                &mut due_today
            } else if due < week {
                &mut this_week
            } else {
                continue;
            };
            list.push((t, due));
        }
        let kept = |mut list: Vec<(Ticket, OffsetDateTime)>| {
            list.sort_by(|(a, x), (b, y)| x.cmp(y).then_with(|| a.reference.cmp(&b.reference)));
            let total = list.len();
            list.truncate(KEPT);
            (list, total)
        };
        let (breached, breached_total) = kept(breached);
        let (today, today_total) = kept(due_today);
        let (this_week, this_week_total) = kept(this_week);
        Ok(SlaWatch {
            breached,
            breached_total,
            today,
            today_total,
            this_week,
            this_week_total,
        })
    })
    .await
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

/// Arrears at the end of each of the last twelve months (this month: today): at each month
/// end, what posted invoices due before it still owed after what had been paid (by the day the
/// payment was received) or credited by then. Read in two queries and worked out here, once a
/// day or when the organisation changes.
pub async fn arrears_by_month(app: &App, actor: &Actor) -> AppResult<Vec<MonthFigure<Money>>> {
    let scope = Scope::of(actor, Domain::Finance);
    let day = today(app);
    remember(app, &scope, format!("arrears by month {day}"), || async {
        let mut conn = app.db.read().await?;
        let invoices = store::posted_invoices(&mut conn, &scope).await?;
        let mut settled: HashMap<InvoiceId, Vec<(Date, Money)>> = HashMap::new();
        for (invoice, on, amount) in store::settlements(&mut conn, &scope).await? {
            settled.entry(invoice).or_default().push((on, amount));
        }
        let owed_at = |end: Date| -> i64 {
            invoices
                .iter()
                .filter(|(_, issued, due, _)| *issued <= end && *due < end)
                .map(|(id, _, _, total)| {
                    let paid: i64 = settled
                        .get(id)
                        .map(|s| {
                            s.iter()
                                .filter(|(on, _)| *on <= end)
                                .map(|(_, m)| m.pence())
                                .sum()
                        })
                        .unwrap_or(0);
                    (total.pence() - paid).max(0)
                })
                .sum()
        };
        Ok((0..12)
            .rev()
            .map(|back| {
                let start = month_start(day, back);
                let end = if back == 0 {
                    day
                } else {
                    month_start(day, back - 1) - Duration::days(1)
                };
                (start, Money::from_pence(owed_at(end)))
            })
            .collect())
    })
    .await
}

/// Of the requests closed in each of the last twelve months: how many, and how many within
/// their resolution target.
pub async fn sla_by_month(app: &App, actor: &Actor) -> AppResult<Vec<MonthFigure<(u32, u32)>>> {
    let scope = Scope::of(actor, Domain::Tickets);
    let day = today(app);
    let from = month_start(day, 11);
    remember(app, &scope, format!("sla by month {day}"), || async {
        let mut conn = app.db.read().await?;
        let closed =
            store::closed_between(&mut conn, &scope, midnight(from), app.clock.now()).await?;
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
    })
    .await
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
