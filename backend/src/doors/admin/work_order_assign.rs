//! Who sees a work order through for the office: the Assign form on its page, refused for
//! anyone who may not work on it and for a form drawn before someone else's change.

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::post;
use proplink_shared::{StaffUserId, WorkOrderId};
use serde::Deserialize;

use super::Staff;
use super::forms::{Filler, staff_choices};
use super::work_orders::after;
use crate::app::App;
use crate::doors::extract::Path;
use crate::doors::pages::{Field, Form, Input};
use crate::doors::web::CsrfForm;
use crate::error::{AppError, AppResult};
use crate::services::work_orders;
use crate::store::work_orders::WorkOrder;

pub fn router() -> Router<App> {
    Router::new().route("/work-orders/{id}/assign", post(assign))
}

/// The form, offering the staff who may work on it; it carries who had it when drawn.
pub(super) async fn form(
    app: &App,
    staff: &Staff,
    w: &WorkOrder,
    fill: Filler<'_>,
) -> AppResult<Form> {
    let current = w.assignee_id.map(|a| a.to_string()).unwrap_or_default();
    let chosen = fill.value("assign", "assignee", &current);
    let people = work_orders::assignable(app, staff.actor(), w).await?;
    Ok(Form {
        id: "assign",
        heading: "Assign",
        action: format!("/work-orders/{}/assign", w.id),
        hidden: vec![("was", current)],
        fields: vec![Field {
            name: "assignee",
            label: "Seen through by",
            hint: Some(
                "Only staff who work on this site are listed. They are told on their devices.",
            ),
            input: Input::Select(staff_choices(people, &chosen)),
            error: fill.error("assign", "assignee"),
        }],
        submit: "Assign",
        warning: false,
    })
}

#[derive(Deserialize)]
struct AssignForm {
    /// Who it was assigned to when the form was drawn.
    #[serde(default)]
    was: String,
    #[serde(default)]
    assignee: String,
}

async fn assign(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<WorkOrderId>,
    CsrfForm(form): CsrfForm<AssignForm>,
) -> AppResult<Response> {
    let person = |text: &str| -> AppResult<Option<StaffUserId>> {
        match text {
            "" => Ok(None),
            text => text.parse().map(Some).map_err(|_| {
                AppError::invalid("assignee", "Choose who sees the work order through")
            }),
        }
    };
    let outcome = match (person(&form.was), person(&form.assignee)) {
        (Ok(was), Ok(to)) => work_orders::assign(&app, staff.actor(), id, was, to).await,
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    after(
        &app,
        &staff,
        id,
        "assign",
        outcome,
        vec![("assignee", form.assignee)],
    )
    .await
}
