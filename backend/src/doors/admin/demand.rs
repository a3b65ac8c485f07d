//! The service-charge demand on a building: one form for the whole building, its shares
//! typed per unit.

use crate::doors::web::sent as web_sent;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use proplink_shared::apportion::{equal_shares, format_share, parse_share};
use proplink_shared::records::{InvoiceCategory, ValidationErrors, VatRate};
use proplink_shared::{BuildingId, UnitId};
use time::Duration;

use super::Staff;
use super::forms::{Draft, Filler, amount_field, date_field, options, sent_back};
use crate::app::App;
use crate::doors::extract::Path;
use crate::doors::pages::{Choice, Chrome, Field, Form, Input, Problem, respond};
use crate::doors::web::CsrfForm;
use crate::error::{AppError, AppResult};
use crate::services::{self, ledger, people, places};

pub fn router() -> Router<App> {
    Router::new().route("/buildings/{id}/demand", get(form).post(raise))
}

pub struct ShareRow {
    pub id: UnitId,
    pub unit: String,
    pub billed: String,
    pub value: String,
}

#[derive(Template)]
#[template(path = "demand.html")]
pub struct DemandPage {
    pub chrome: Chrome,
    pub title: String,
    pub caption: String,
    pub problems: Vec<Problem>,
    pub form: Form,
    pub shares: Vec<ShareRow>,
    pub shares_error: Option<String>,
}

crate::doors::pages::with_chrome!(DemandPage);

const FORM: &str = "demand";

async fn page(
    app: &App,
    staff: &Staff,
    id: BuildingId,
    draft: Option<&Draft>,
    typed_shares: &[(String, String)],
) -> AppResult<DemandPage> {
    let actor = staff.actor();
    let (b, units) = places::building_units(app, actor, id).await?;
    let fill = Filler { draft };
    let today = services::today(app);
    let date = crate::store::date_text;
    let field =
        |name: &'static str, label: &'static str, hint: Option<&'static str>, input: Input| Field {
            name,
            label,
            hint,
            input,
            error: fill.error(FORM, name),
        };
    let sends = [
        ("approve", "Approve them; send later"),
        ("send", "Approve and email each account holder now"),
    ];
    let chosen_send = fill.value(FORM, "send", "approve");
    let form = Form {
        id: FORM,
        heading: "The demand",
        action: format!("/buildings/{id}/demand"),
        hidden: Vec::new(),
        fields: vec![
            field(
                "category",
                "Charge",
                None,
                Input::Select(options(
                    InvoiceCategory::ALL,
                    InvoiceCategory::code,
                    InvoiceCategory::label,
                    &fill.value(FORM, "category", InvoiceCategory::ServiceCharge.code()),
                )),
            ),
            field(
                "description",
                "Description",
                Some("On every invoice: \"Service charge, half-year from 1 April 2027\"."),
                Input::Text(fill.value(FORM, "description", "")),
            ),
            field(
                "total",
                "Total to demand, before VAT",
                None,
                Input::Amount(fill.value(FORM, "total", "")),
            ),
            field(
                "vat_rate",
                "VAT",
                Some("Residential service charges are usually exempt."),
                Input::Select(options(
                    VatRate::ALL,
                    VatRate::code,
                    VatRate::label,
                    &fill.value(FORM, "vat_rate", VatRate::Exempt.code()),
                )),
            ),
            field(
                "issue_date",
                "Issue date",
                None,
                Input::Date(fill.value(FORM, "issue_date", &date(today))),
            ),
            field(
                "due_date",
                "Due date",
                None,
                Input::Date(fill.value(FORM, "due_date", &date(today + Duration::days(30)))),
            ),
            field(
                "send",
                "Then",
                None,
                Input::Select(
                    sends
                        .iter()
                        .map(|(value, label)| Choice {
                            value: (*value).to_owned(),
                            label: (*label).to_owned(),
                            selected: *value == chosen_send,
                        })
                        .collect(),
                ),
            ),
        ],
        submit: "Raise the demand",
        warning: false,
    };
    let equal = equal_shares(units.len());
    let mut shares = Vec::new();
    for (u, share) in units.iter().zip(equal) {
        let billed = match u.billable_contact_id {
            Some(c) => people::contact(app, actor, c)
                .await
                .map_or_else(|_| "—".to_owned(), |(c, _)| c.display_name()),
            None => "Nobody".to_owned(),
        };
        let key = format!("share_{}", u.id);
        let value = typed_shares
            .iter()
            .find(|(k, _)| *k == key)
            .map_or_else(|| format_share(u64::from(share)), |(_, v)| v.clone());
        shares.push(ShareRow {
            id: u.id,
            unit: u.name.clone(),
            billed,
            value,
        });
    }
    let shares_error = fill.error(FORM, "shares");
    Ok(DemandPage {
        chrome: staff.chrome("/sites"),
        title: format!("Service-charge demand: {}", b.name),
        caption: b.name.clone(),
        problems: draft.map(Draft::problems).unwrap_or_default(),
        form,
        shares,
        shares_error,
    })
}

async fn form(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<BuildingId>,
) -> AppResult<Response> {
    Ok(respond(&page(&app, &staff, id, None, &[]).await?))
}

/// The fields of the form besides the shares.
const FIELDS: [&str; 7] = [
    "category",
    "description",
    "total",
    "vat_rate",
    "issue_date",
    "due_date",
    "send",
];

async fn raise(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<BuildingId>,
    CsrfForm(sent): CsrfForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    let value = |name: &str| web_sent(&sent, name);
    let mut errors = ValidationErrors::default();
    let category = InvoiceCategory::from_code(value("category"));
    if category.is_none() {
        errors.add("category", "Choose what the demand charges for");
    }
    let vat_rate = VatRate::from_code(value("vat_rate"));
    if vat_rate.is_none() {
        errors.add("vat_rate", "Choose a VAT rate");
    }
    let total = amount_field(&mut errors, "total", value("total"));
    let issue = date_field(&mut errors, "issue_date", "issue date", value("issue_date"));
    let due = date_field(&mut errors, "due_date", "due date", value("due_date"));
    let mut shares = Vec::new();
    let mut unreadable = Vec::new();
    for (key, text) in &sent {
        let Some(unit) = key.strip_prefix("share_") else {
            continue;
        };
        let Ok(unit) = unit.parse::<UnitId>() else {
            return Err(AppError::bad_request(
                "bad_form",
                "The form names a unit that does not exist.",
            ));
        };
        match parse_share(text) {
            Ok(share) => shares.push((unit, share)),
            Err(e) => unreadable.push(format!("{text:?}: {e}")),
        }
    }
    if let Some(first) = unreadable.first() {
        errors.add("shares", format!("A share could not be read ({first})"));
    }
    let outcome = match (
        errors.into_result(()),
        category,
        vat_rate,
        total,
        issue,
        due,
    ) {
        (Ok(()), Some(category), Some(vat_rate), Some(total), Some(issue_date), Some(due_date)) => {
            ledger::raise_demand(
                &app,
                staff.actor(),
                id,
                &ledger::Demand {
                    category,
                    description: value("description"),
                    total,
                    vat_rate,
                    issue_date,
                    due_date,
                    shares: &shares,
                    send: value("send") == "send",
                },
            )
            .await
        }
        (Err(e), ..) => Err(AppError::Invalid(e)),
        _ => Err(AppError::invalid("total", "Check the demand")),
    };
    let raised = match &outcome {
        Ok(ids) => ids.len(),
        Err(_) => 0,
    };
    let typed: Vec<(&'static str, String)> =
        FIELDS.iter().map(|f| (*f, value(f).to_owned())).collect();
    match sent_back(FORM, outcome.map(drop), typed)? {
        None => Ok(
            Redirect::to(&format!("/buildings/{id}?done=demand&raised={raised}")).into_response(),
        ),
        Some((status, draft)) => {
            let typed_shares: Vec<(String, String)> = sent
                .iter()
                .filter(|(k, _)| k.starts_with("share_"))
                .cloned()
                .collect();
            let page = page(&app, &staff, id, Some(&draft), &typed_shares).await?;
            Ok((status, respond(&page)).into_response())
        }
    }
}
