//! Contractors and their insurance and trade cover.

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use proplink_shared::VendorId;
use proplink_shared::london::format_date;
use proplink_shared::records::{
    CoverStatus, RecordType, ServiceCategory, contractor_cover, cover_status,
};

use super::Staff;
use super::view::{
    ListParams, TrailParams, codes, list_page, record_page, select, text_filter, trail,
};
use crate::app::App;
use crate::doors::extract::{Path, Query};
use crate::doors::pages::{Cell, Section, Table, headers};
use crate::error::AppResult;
use crate::services::{self, vendors};
use crate::store::vendors::VendorFilter;

pub fn router() -> Router<App> {
    Router::new()
        .route("/contractors", get(list))
        .route("/contractors/{id}", get(contractor))
}

fn cover_cell(status: CoverStatus) -> Cell {
    match status {
        CoverStatus::Valid => Cell::tag("Valid", "green"),
        CoverStatus::ExpiringSoon => Cell::tag("Expiring soon", "amber"),
        CoverStatus::Lapsed => Cell::tag("Lapsed – cannot be dispatched", "red"),
    }
}

async fn list(
    State(app): State<App>,
    staff: Staff,
    Query(params): Query<ListParams>,
) -> AppResult<Response> {
    let today = services::today(&app);
    let filter = VendorFilter {
        category: params.coded(&params.kind, "service", ServiceCategory::from_code)?,
        text: params.text(),
    };
    let page = vendors::vendors(&app, staff.actor(), &filter, &params.at(2)?).await?;
    let pager = params.pager("/contractors", &page);
    let rows = page
        .items
        .iter()
        .map(|v| {
            vec![
                Cell::link(&v.name, format!("/contractors/{}", v.id)),
                Cell::text(v.service_category.label()),
                Cell::text(&v.email),
                cover_cell(contractor_cover(
                    v.has_liability_cover,
                    v.earliest_expiry,
                    today,
                )),
            ]
        })
        .collect();
    let table = Table {
        caption: "Contractors, by name".into(),
        headers: headers(&["Name", "Service", "Email", "Insurance"]),
        rows,
        empty: "No contractors match.".into(),
    };
    let filters = vec![
        select(
            "kind",
            "Service",
            codes(
                ServiceCategory::ALL,
                ServiceCategory::code,
                ServiceCategory::label,
            ),
            params.kind.as_deref(),
        ),
        text_filter("Name or email", params.q.as_deref()),
    ];
    Ok(list_page(
        &staff,
        "/contractors",
        "Contractors",
        filters,
        table,
        pager,
    ))
}

async fn contractor(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<VendorId>,
    Query(at): Query<TrailParams>,
) -> AppResult<Response> {
    let (v, cover) = vendors::vendor(&app, staff.actor(), id).await?;
    let today = services::today(&app);
    let rows = cover
        .iter()
        .map(|c| {
            vec![
                Cell::text(c.kind.label()),
                Cell::text(&c.provider),
                Cell::text(&c.policy_number),
                Cell::text(c.sum_insured.map_or_else(|| "—".into(), |m| m.to_string())),
                Cell::text(format_date(c.expires_on)),
                cover_cell(cover_status(c.expires_on, today)),
            ]
        })
        .collect();
    let summary = vec![
        ("Service".into(), Cell::text(v.service_category.label())),
        ("Email".into(), Cell::text(&v.email)),
        ("Phone".into(), Cell::text(&v.phone)),
        (
            "Insurance".into(),
            cover_cell(contractor_cover(
                v.has_liability_cover,
                v.earliest_expiry,
                today,
            )),
        ),
    ];
    let table = Table {
        caption: "Insurance and certificates".into(),
        headers: headers(&[
            "Type",
            "Provider",
            "Policy / registration",
            "Cover",
            "Expires",
            "Status",
        ]),
        rows,
        empty: "Nothing on file.".into(),
    };
    let audit = trail(&app, &staff, RecordType::Vendor, &id.to_string(), &at).await?;
    Ok(record_page(
        &staff,
        "/contractors",
        v.name.clone(),
        "Contractor",
        summary,
        vec![Section {
            heading: "Cover".into(),
            table: Some(table),
            ..Section::default()
        }],
        audit,
    ))
}
