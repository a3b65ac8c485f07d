//! Statements and arrears: a unit's statement on screen and as a PDF, and the organisation's
//! arrears by age.

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use proplink_shared::UnitId;
use proplink_shared::london::format_date;
use serde::Deserialize;
use time::Duration;

use super::Staff;
use super::view::ListParams;
use crate::app::App;
use crate::doors::extract::{Path, Query};
use crate::doors::pages::{
    Actions, Card, Cell, Pager, RecordPage, Section, Table, headers, respond,
};
use crate::error::{AppError, AppResult};
use crate::services::ledger;
use crate::services::places;
use crate::store::arrears::BUCKETS;

pub fn router() -> Router<App> {
    Router::new()
        .route("/units/{id}/statement", get(statement))
        .route("/units/{id}/statement.pdf", get(statement_pdf))
        .route("/arrears", get(arrears))
}

#[derive(Deserialize)]
struct Period {
    /// `YYYY-MM-DD`: the first day shown.
    from: Option<String>,
}

impl Period {
    fn from(&self) -> AppResult<Option<time::Date>> {
        let Some(text) = self
            .from
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        else {
            return Ok(None);
        };
        time::Date::parse(
            text,
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .map(Some)
        .map_err(|_| {
            AppError::bad_request(
                "bad_date",
                "The start date of the statement must be a real date, like 2026-04-01.",
            )
        })
    }
}

async fn statement(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<UnitId>,
    Query(period): Query<Period>,
) -> AppResult<Response> {
    let from = period.from()?;
    let s = ledger::statement(&app, staff.actor(), id, from).await?;
    let u = places::unit(&app, staff.actor(), id).await?;
    let year_ago = crate::store::date_text(s.as_at - Duration::days(365));
    let pdf = match from {
        Some(f) => format!(
            "/units/{id}/statement.pdf?from={}",
            crate::store::date_text(f)
        ),
        None => format!("/units/{id}/statement.pdf"),
    };
    let cards = vec![
        Card {
            figure: s.opening.as_balance(),
            label: match s.from {
                Some(f) => format!("Opening balance on {}", format_date(f)),
                None => "Opening balance".into(),
            },
            href: None,
        },
        Card {
            figure: s.balance.as_balance(),
            label: "Balance".into(),
            href: None,
        },
        Card {
            figure: s.arrears.to_string(),
            label: "In arrears (past due)".into(),
            href: Some("/arrears".into()),
        },
    ];
    let summary = vec![
        ("Unit".into(), Cell::link(&u.name, format!("/units/{id}"))),
        ("Building".into(), Cell::text(&u.building_name)),
        (
            "Account holder".into(),
            match &s.contact {
                Some((c, name)) => Cell::link(name, format!("/contacts/{c}")),
                None => Cell::text("Nobody is billed"),
            },
        ),
        ("As at".into(), Cell::text(format_date(s.as_at))),
    ];
    let sections = vec![Section {
        heading: "Movements".into(),
        links: vec![
            ("Download as PDF".into(), pdf),
            (
                "Last 12 months".into(),
                format!("/units/{id}/statement?from={year_ago}"),
            ),
            ("Whole history".into(), format!("/units/{id}/statement")),
        ],
        table: Some(crate::doors::pdf::statement_table(&s)),
        ..Section::default()
    }];
    Ok(respond(&RecordPage {
        chrome: staff.chrome("/invoices"),
        title: format!("Statement: {}", u.name),
        caption: Some(u.building_name.clone()),
        cards,
        summary,
        sections,
        actions: Actions::default(),
        audit: None,
    }))
}

async fn statement_pdf(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<UnitId>,
    Query(period): Query<Period>,
) -> AppResult<Response> {
    let s = ledger::statement(&app, staff.actor(), id, period.from()?).await?;
    Ok(crate::doors::pdf::statement_download(&staff.org.name, &s))
}

async fn arrears(
    State(app): State<App>,
    staff: Staff,
    Query(params): Query<ListParams>,
) -> AppResult<Response> {
    let list = ledger::arrears_list(&app, staff.actor(), params.site()?, &params.at(3)?).await?;
    let pager: Pager = params.pager("/arrears", &list.page);
    let rows = list
        .page
        .items
        .iter()
        .map(|a| {
            let mut row = vec![
                Cell::link(&a.unit_name, format!("/units/{}/statement", a.unit_id)),
                Cell::link(&a.contact_name, format!("/contacts/{}", a.contact_id)),
                Cell::date(a.oldest_due),
            ];
            row.extend(a.buckets().into_iter().map(Cell::money));
            row.push(Cell::money(a.total));
            row
        })
        .collect();
    let mut labels = vec!["Unit", "Leaseholder", "Oldest due"];
    labels.extend(BUCKETS);
    labels.push("Total");
    let mut h = headers(&labels);
    for col in &mut h[3..] {
        col.numeric = true;
    }
    let mut cards: Vec<Card> = BUCKETS
        .iter()
        .zip(list.buckets)
        .map(|(label, m)| Card {
            figure: m.to_string(),
            label: format!("{label} overdue"),
            href: None,
        })
        .collect();
    cards.push(Card {
        figure: list.total.to_string(),
        label: format!(
            "In arrears across {} account{}",
            list.accounts,
            if list.accounts == 1 { "" } else { "s" }
        ),
        href: None,
    });
    let sections = vec![Section {
        heading: "Accounts in arrears".into(),
        paragraphs: vec![format!(
            "Invoices approved or sent and past their due date, as at {}, by how long they are overdue. Largest first.",
            format_date(list.as_at)
        )],
        table: Some(Table {
            caption: "Arrears by leaseholder and unit".into(),
            headers: h,
            rows,
            empty: "Nobody is in arrears.".into(),
        }),
        pager,
        ..Section::default()
    }];
    Ok(respond(&RecordPage {
        chrome: staff.chrome("/arrears"),
        title: "Arrears".into(),
        caption: None,
        cards,
        summary: Vec::new(),
        sections,
        actions: Actions::default(),
        audit: None,
    }))
}
