//! The dashboard: where the day starts. Requests breaching their SLA today and this week, what
//! waits on the office, decisions to make, cover and certificates running out, and two charts
//! — arrears at each month end and the share of requests closed within their SLA — each with
//! a table of its figures beside it. Every figure is a count or a sum in the database, however
//! large the organisation, remembered until the organisation next changes.

use axum::extract::State;
use axum::response::Response;
use proplink_shared::london::{format_date, format_date_time};
use proplink_shared::states::TicketStatus;
use proplink_shared::{Money, Role};
use time::OffsetDateTime;

use super::Staff;
use super::tickets::sla_cell;
use crate::app::App;
use crate::doors::chart::{self, Bar};
use crate::doors::pages::{
    Actions, Card, Cell, RecordPage, Section, Table, Trail, headers, respond, trail_item,
};
use crate::error::{AppError, AppResult};
use crate::services::dashboard::{self, Expiring, SlaWatch};
use crate::services::{audit, ledger, tickets, work_orders};
use crate::store::requests::{Openness, Ticket, TicketFilter};
use crate::store::work_orders::WorkOrderFilter;

/// Rows of a list on the dashboard; the lists behind the links have the rest.
const ROWS: usize = 8;

/// A month in a chart's axis: `Jan`.
fn month_initials(start: time::Date) -> String {
    start
        .format(time::macros::format_description!("[month repr:short]"))
        .unwrap_or_default()
}

/// A month in a table: `Jan 26`.
fn month_label(start: time::Date) -> String {
    start
        .format(time::macros::format_description!(
            "[month repr:short] [year repr:last_two]"
        ))
        .unwrap_or_default()
}

fn sla_table(
    caption: &str,
    list: &[(Ticket, OffsetDateTime)],
    total: usize,
    now: OffsetDateTime,
    empty: &str,
) -> Table {
    let rows = list
        .iter()
        .take(ROWS)
        .map(|(t, due)| {
            vec![
                Cell::link(&t.reference, format!("/tickets/{}", t.id)),
                Cell::text(&t.subject),
                Cell::text(&t.site_name),
                Cell::text(t.priority.label()),
                Cell::text(format_date_time(*due)),
                sla_cell(t, now),
            ]
        })
        .collect();
    Table {
        caption: if total > ROWS {
            format!("{caption} (the first {ROWS} of {total})")
        } else {
            caption.to_owned()
        },
        headers: headers(&["Reference", "Subject", "Site", "Priority", "Due", "SLA"]),
        rows,
        empty: empty.into(),
    }
}

fn sla_section(watch: &SlaWatch, now: OffsetDateTime) -> Section {
    let mut urgent: Vec<(Ticket, OffsetDateTime)> = watch.breached.clone();
    urgent.extend(watch.today.iter().cloned());
    let total = watch.breached_total + watch.today_total;
    Section {
        heading: "Breaching their SLA today".into(),
        paragraphs: vec![format!(
            "{} already past their resolution target, {} due before midnight.",
            plural(watch.breached_total, "request"),
            watch.today_total
        )],
        table: Some(sla_table(
            "Requests past or reaching their resolution target today",
            &urgent,
            total,
            now,
            "Nothing breaches its SLA today.",
        )),
        links: vec![("All open requests".into(), "/tickets?status=open".into())],
        ..Section::default()
    }
}

fn plural(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

fn expiring_section(list: &[Expiring], today: time::Date) -> Section {
    let rows = list
        .iter()
        .take(ROWS)
        .map(|e| {
            vec![
                Cell::link(&e.whose, &e.href),
                Cell::text(e.kind.label()),
                Cell::date(e.expires_on),
                if e.expires_on < today {
                    Cell::tag("Expired", "red")
                } else if e.expires_on <= today + time::Duration::days(30) {
                    Cell::tag("Within 30 days", "amber")
                } else {
                    Cell::tag("Within 60 days", "green")
                },
            ]
        })
        .collect();
    Section {
        heading: "Insurance and certificates running out".into(),
        table: Some(Table {
            caption: "Expiring within 60 days, or expired in the last 30".into(),
            headers: headers(&["Contractor or site", "What", "Expires", "When"]),
            rows,
            empty: "Nothing runs out in the next 60 days.".into(),
        }),
        links: vec![("Contractors".into(), "/contractors".into())],
        ..Section::default()
    }
}

fn arrears_chart(points: &[(time::Date, Money)]) -> Section {
    let bars: Vec<Bar> = points
        .iter()
        .map(|(start, owed)| Bar {
            label: month_initials(*start),
            value: owed.pence(),
            figure: owed.to_string(),
        })
        .collect();
    let svg = chart::bars(
        "Arrears at each month end over the last 12 months, as a bar chart; the table beside it has the figures",
        &bars,
        None,
        |pence| {
            let pounds = pence / 100;
            match (pounds >= 1000, pounds % 1000 == 0) {
                (true, true) => format!("£{}k", pounds / 1000),
                (true, false) => format!("£{}.{}k", pounds / 1000, pounds % 1000 / 100),
                _ => format!("£{pounds}"),
            }
        },
    );
    let rows = points
        .iter()
        .map(|(start, owed)| vec![Cell::text(month_label(*start)), Cell::money(*owed)])
        .collect();
    let mut h = headers(&["Month end", "In arrears"]);
    h[1].numeric = true;
    Section {
        heading: "Arrears over the last 12 months".into(),
        chart: Some(svg),
        table: Some(Table {
            caption: "Arrears at each month end (this month: today)".into(),
            headers: h,
            rows,
            empty: String::new(),
        }),
        links: vec![("Arrears by age".into(), "/arrears".into())],
        ..Section::default()
    }
}

fn sla_chart(months: &[(time::Date, (u32, u32))]) -> Section {
    let percent =
        |(all, within): (u32, u32)| (all > 0).then(|| i64::from(within) * 100 / i64::from(all));
    let bars: Vec<Bar> = months
        .iter()
        .map(|(start, counts)| Bar {
            label: month_initials(*start),
            value: percent(*counts).unwrap_or(0),
            figure: percent(*counts).map_or_else(|| "none closed".into(), |p| format!("{p}%")),
        })
        .collect();
    let svg = chart::bars(
        "Share of requests closed within their SLA, month by month over the last 12 months; the table beside it has the figures",
        &bars,
        Some(100),
        |p| format!("{p}%"),
    );
    let rows = months
        .iter()
        .map(|(start, (all, within))| {
            vec![
                Cell::text(month_label(*start)),
                Cell::text(all.to_string()).numeric(),
                Cell::text(within.to_string()).numeric(),
                Cell::text(
                    percent((*all, *within)).map_or_else(|| "—".into(), |p| format!("{p}%")),
                )
                .numeric(),
            ]
        })
        .collect();
    let mut h = headers(&["Month", "Closed", "Within SLA", "Share"]);
    for col in &mut h[1..] {
        col.numeric = true;
    }
    Section {
        heading: "SLA compliance by month".into(),
        chart: Some(svg),
        table: Some(Table {
            caption: "Requests closed each month, and how many within their resolution target"
                .into(),
            headers: h,
            rows,
            empty: String::new(),
        }),
        ..Section::default()
    }
}

pub async fn page(State(app): State<App>, staff: Staff) -> AppResult<Response> {
    let actor = staff.actor();
    let now = app.clock.now();
    let today = crate::services::today(&app);
    let watch = dashboard::sla_watch(&app, actor).await?;
    let waiting = |status| TicketFilter {
        status: Some(status),
        openness: Openness::Open,
        ..TicketFilter::default()
    };
    let open = TicketFilter {
        openness: Openness::Open,
        ..TicketFilter::default()
    };
    let (open_requests, _) = tickets::summary(&app, actor, &open, 0).await?;
    let (new_requests, _) = tickets::summary(&app, actor, &waiting(TicketStatus::Open), 0).await?;
    let (in_hand, _) = tickets::summary(&app, actor, &waiting(TicketStatus::InProgress), 0).await?;
    let decisions = work_orders::count(
        &app,
        actor,
        &WorkOrderFilter {
            awaiting_decision: true,
            ..WorkOrderFilter::default()
        },
    )
    .await?;
    let expiring = dashboard::expiring(&app, actor).await?;
    let mut cards = vec![
        Card {
            figure: open_requests.to_string(),
            label: "open requests".into(),
            href: Some("/tickets?status=open".into()),
        },
        Card {
            figure: watch.breached_total.to_string(),
            label: "past their SLA".into(),
            href: Some("#section-1".into()),
        },
        Card {
            figure: (watch.today_total + watch.this_week_total).to_string(),
            label: "due this week".into(),
            href: Some("#section-2".into()),
        },
        Card {
            figure: (new_requests + in_hand).to_string(),
            label: "waiting on us".into(),
            href: Some("/tickets?status=open".into()),
        },
        Card {
            figure: decisions.to_string(),
            label: "work orders to decide".into(),
            href: Some("/work-orders?status=decision".into()),
        },
    ];
    let mut sections = vec![sla_section(&watch, now)];
    sections.push(Section {
        heading: "Due this week".into(),
        table: Some(sla_table(
            "Requests reaching their resolution target in the next seven days",
            &watch.this_week,
            watch.this_week_total,
            now,
            "Nothing else falls due this week.",
        )),
        ..Section::default()
    });
    sections.push(expiring_section(&expiring, today));
    // Only roles that may read the accounts see the money.
    match ledger::arrears(&app, actor).await {
        Ok((_, owed)) => {
            cards.push(Card {
                figure: owed.to_string(),
                label: "overdue (arrears)".into(),
                href: Some("/arrears".into()),
            });
            sections.push(arrears_chart(
                &dashboard::arrears_by_month(&app, actor).await?,
            ));
        }
        Err(AppError::NotFound | AppError::Forbidden) => {}
        Err(e) => return Err(e),
    }
    sections.push(sla_chart(&dashboard::sla_by_month(&app, actor).await?));
    let activity = match audit::latest(&app, actor, 10).await {
        Ok(events) => Some(Trail {
            heading: "Latest activity",
            items: events.iter().map(trail_item).collect(),
            pager: Default::default(),
        }),
        Err(AppError::NotFound | AppError::Forbidden) => None,
        Err(e) => return Err(e),
    };
    Ok(respond(&RecordPage {
        chrome: staff.chrome("/dashboard"),
        title: "Dashboard".into(),
        caption: Some(format!(
            "{}, {} · {}",
            staff.session.staff.name,
            staff.session.staff.role.map_or("no role", Role::label),
            format_date(today)
        )),
        cards,
        summary: Vec::new(),
        actions: Actions::default(),
        sections,
        audit: activity,
    }))
}
