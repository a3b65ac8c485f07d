//! A work order started on its own (not from a request or an issue), and the office's notes
//! and photos on one.

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use proplink_shared::records::Priority;
use proplink_shared::{Action, Domain, WorkOrderId, authorize};

use super::Staff;
use super::forms::{Draft, Filler, sent_back};
use super::notices::{parse_place, place_choices};
use super::view::may_create_somewhere;
use super::work_orders::{NewWorkOrderForm, after, new_work_order_form};
use crate::app::App;
use crate::doors::extract::Path;
use crate::doors::pages::{Actions, Field, Form, Input, RecordPage, respond};
use crate::doors::web::{CsrfForm, CsrfMultipart};
use crate::error::{AppError, AppResult};
use crate::services::work_orders::{self, WorkOrderView};
use crate::store::notices::NoticePlace;
use crate::store::work_orders::WorkOrderPlace;

/// A photo up to 25 MB, and a byte over so a larger one is refused by the rule.
const PHOTO_FORM_MAX: usize = 25 * 1024 * 1024 + 1;

pub fn router() -> Router<App> {
    Router::new()
        .route("/work-orders/new", get(new_form))
        .route("/work-orders", post(create))
        .route(
            "/work-orders/{id}/notes",
            post(add_note).layer(DefaultBodyLimit::max(PHOTO_FORM_MAX + 64 * 1024)),
        )
}

async fn new_page(app: &App, staff: &Staff, draft: Option<Draft>) -> AppResult<RecordPage> {
    if !may_create_somewhere(app, staff, Domain::WorkOrders).await? {
        return Err(AppError::Forbidden);
    }
    let fill = Filler {
        draft: draft.as_ref(),
    };
    let mut form = new_work_order_form(
        "/work-orders".into(),
        fill,
        "What the contractor sees first.",
        ("", "", Priority::Medium),
    );
    form.fields.insert(
        0,
        Field {
            name: "place",
            label: "Where",
            hint: None,
            input: Input::Select(
                place_choices(app, staff, &fill.value("work-order", "place", ""), false).await?,
            ),
            error: fill.error("work-order", "place"),
        },
    );
    Ok(RecordPage {
        chrome: staff.chrome("/work-orders"),
        title: "New work order".into(),
        caption: Some("Work orders".into()),
        cards: Vec::new(),
        summary: Vec::new(),
        sections: Vec::new(),
        actions: Actions::answering(None, draft.as_ref(), vec![form]),
        audit: None,
    })
}

async fn new_form(State(app): State<App>, staff: Staff) -> AppResult<Response> {
    Ok(respond(&new_page(&app, &staff, None).await?))
}

async fn create(
    State(app): State<App>,
    staff: Staff,
    CsrfForm(sent): CsrfForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    let value = |k: &str| {
        sent.iter()
            .find(|(name, _)| name == k)
            .map_or_else(String::new, |(_, v)| v.clone())
    };
    let form = NewWorkOrderForm::from_fields(&value);
    let place = match parse_place(&value("place")) {
        Ok(NoticePlace::Site(site)) => Ok(WorkOrderPlace {
            site,
            building: None,
            unit: None,
            ticket: None,
        }),
        Ok(NoticePlace::Building(site, building)) => Ok(WorkOrderPlace {
            site,
            building: Some(building),
            unit: None,
            ticket: None,
        }),
        _ => Err(AppError::invalid(
            "place",
            "Choose the site or building the work is at",
        )),
    };
    let outcome = match (place, form.validate(&app)) {
        (Ok(place), Ok(new)) => work_orders::create(&app, staff.actor(), place, &[], &new).await,
        (Err(AppError::Invalid(mut a)), Err(AppError::Invalid(b))) => {
            a.0.extend(b.0);
            Err(AppError::Invalid(a))
        }
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    match outcome {
        Ok(id) => Ok(Redirect::to(&format!("/work-orders/{id}?done=created")).into_response()),
        Err(e) => {
            let mut typed = form.typed();
            typed.push(("place", value("place")));
            match sent_back("work-order", Err(e), typed)? {
                Some((status, draft)) => Ok((
                    status,
                    respond(&new_page(&app, &staff, Some(draft)).await?),
                )
                    .into_response()),
                None => Ok(Redirect::to("/work-orders").into_response()),
            }
        }
    }
}

/// The office's note-and-photo form, for those who may update the work order.
pub(super) fn note_form(
    staff: &Staff,
    view: &WorkOrderView,
    draft: Option<&Draft>,
) -> Option<Form> {
    let actor = staff.actor();
    let w = &view.work_order;
    if w.status.is_terminal()
        || authorize(actor, Action::Update, &work_orders::resource(actor, w)).is_err()
    {
        return None;
    }
    let fill = Filler { draft };
    Some(Form {
        id: "note",
        heading: "Add a note or photo",
        action: format!("/work-orders/{}/notes", w.id),
        hidden: Vec::new(),
        fields: vec![
            Field {
                name: "note",
                label: "Note",
                hint: Some("Staff and the contractor see notes on the work order."),
                input: Input::TextArea(fill.value("note", "note", "")),
                error: fill.error("note", "note"),
            },
            Field {
                name: "photo",
                label: "Photo (optional)",
                hint: Some(
                    "A JPEG, PNG or WebP up to 25 MB. Its location and camera details are removed.",
                ),
                input: Input::File("image/jpeg,image/png,image/webp"),
                error: fill.error("note", "photo"),
            },
        ],
        submit: "Add to the work order",
        warning: false,
    })
}

async fn add_note(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<WorkOrderId>,
    form: Result<CsrfMultipart<PHOTO_FORM_MAX>, AppError>,
) -> AppResult<Response> {
    let (outcome, typed) = match form {
        Ok(form) => {
            let note = form.field("note");
            let outcome =
                work_orders::office_note(&app, staff.actor(), id, &note, form.file("photo")).await;
            (outcome, vec![("note", note)])
        }
        Err(AppError::PayloadTooLarge(_)) => (
            Err(AppError::invalid(
                "photo",
                "The photo must be smaller than 25 MB",
            )),
            Vec::new(),
        ),
        Err(e) => return Err(e),
    };
    let large = matches!(&outcome, Err(AppError::Invalid(e)) if e.0.iter().any(|f| f.message.contains("25 MB")));
    let mut response = after(&app, &staff, id, "note", outcome, typed).await?;
    if large {
        *response.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
    }
    Ok(response)
}
