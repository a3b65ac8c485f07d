//! Work orders: the list with its filters, and each order with its quotes, certificates,
//! notes and photos.

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use proplink_shared::london::{format_date, format_date_time};
use proplink_shared::records::{
    CoverStatus, NewWorkOrder, Priority, RecordType, ServiceCategory, contractor_cover,
};
use proplink_shared::states::WorkOrderStatus;
use proplink_shared::{Action, VendorId, WorkOrderId, authorize};
use serde::Deserialize;

use super::Staff;
use super::forms::{Done, Draft, Empty, Filler, answer, none_choice, options};
use super::view::{
    ListParams, TrailParams, age_filter, codes, select, site_filter, status_tone, text_filter,
    trail,
};
use crate::app::App;
use crate::doors::extract::{Path, Query};
use crate::doors::pages::{
    Actions, Cell, Choice, Entry, Field, Form, Input, RecordPage, Section, Table, headers, respond,
};
use crate::doors::web::CsrfForm;
use crate::error::{AppError, AppResult};
use crate::services::work_orders::WorkOrderView;
use crate::services::{places, vendors, work_orders};
use crate::store::requests::Openness;
use crate::store::work_orders::WorkOrderFilter;

pub fn router() -> Router<App> {
    Router::new()
        .route("/work-orders", get(list))
        .route("/work-orders/{id}", get(work_order))
        .route("/work-orders/{id}/invite", post(invite))
        .route("/work-orders/{id}/withdraw", post(withdraw))
        .route("/work-orders/{id}/close", post(close))
        .route("/work-orders/{id}/cancel", post(cancel))
        .route("/work-orders/{id}/photos/{sha}", get(photo))
}

async fn list(
    State(app): State<App>,
    staff: Staff,
    Query(params): Query<ListParams>,
) -> AppResult<Response> {
    let (status, openness, awaiting_decision) = match params.status.as_deref() {
        Some("open") => (None, Openness::Open, false),
        Some("decision") => (None, Openness::Any, true),
        _ => (
            params.coded(&params.status, "status", WorkOrderStatus::from_code)?,
            Openness::Any,
            false,
        ),
    };
    let filter = WorkOrderFilter {
        site: params.site()?,
        status,
        openness,
        priority: params.coded(&params.priority, "priority", Priority::from_code)?,
        created_before: params.older_than(app.clock.now())?,
        awaiting_decision,
        text: params.text(),
    };
    let page = work_orders::work_orders(&app, staff.actor(), &filter, &params.at(2)?).await?;
    let pager = params.pager("/work-orders", &page);
    let rows = page
        .items
        .iter()
        .map(|w| {
            vec![
                Cell::link(&w.reference, format!("/work-orders/{}", w.id)),
                Cell::text(&w.title),
                Cell::text(&w.site_name),
                Cell::text(w.vendor_name.clone().unwrap_or_else(|| "—".into())),
                Cell::text(w.priority.label()),
                Cell::tag(w.status.label(), status_tone(w.status.is_terminal())),
            ]
        })
        .collect();
    let table = Table {
        caption: "Work orders, newest first".into(),
        headers: headers(&[
            "Reference",
            "Title",
            "Site",
            "Contractor",
            "Priority",
            "Status",
        ]),
        rows,
        empty: "No work orders match.".into(),
    };
    let sites = places::site_choices(&app, staff.actor()).await?;
    let mut statuses = vec![
        ("open".to_owned(), "Not closed or cancelled".to_owned()),
        ("decision".to_owned(), "Waiting for a decision".to_owned()),
    ];
    statuses.extend(codes(
        WorkOrderStatus::ALL,
        WorkOrderStatus::code,
        WorkOrderStatus::label,
    ));
    let filters = vec![
        site_filter(&sites, params.site.as_deref()),
        select("status", "Status", statuses, params.status.as_deref()),
        select(
            "priority",
            "Priority",
            codes(Priority::ALL, Priority::code, Priority::label),
            params.priority.as_deref(),
        ),
        age_filter(params.age.as_deref()),
        text_filter("Title or reference", params.q.as_deref()),
    ];
    let links =
        if super::view::may_create_somewhere(&app, &staff, proplink_shared::Domain::WorkOrders)
            .await?
        {
            vec![("New work order".to_owned(), "/work-orders/new".to_owned())]
        } else {
            Vec::new()
        };
    Ok(respond(&crate::doors::pages::ListPage {
        chrome: staff.chrome("/work-orders"),
        title: "Work orders".into(),
        intro: None,
        links,
        filters,
        action: "/work-orders",
        table,
        pager,
    }))
}

async fn work_order(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<WorkOrderId>,
    Query(at): Query<TrailParams>,
    Query(done): Query<Done>,
) -> AppResult<Response> {
    let notice = done.done.as_deref().and_then(notice);
    Ok(respond(
        &work_order_page(&app, &staff, id, &at, notice, None).await?,
    ))
}

/// What the page says after a form went through.
fn notice(form: &str) -> Option<String> {
    Some(
        match form {
            "created" => "The work order was created. Invite contractors to quote next.",
            "invite" => "The invitation was sent by email, with a ContractorPort link.",
            "invite-new" => {
                "The contractor was added with their insurance, and the invitation sent by email, with a ContractorPort link."
            }
            "withdraw" => "The link was withdrawn: it no longer opens.",
            "award" => "The work was awarded. The contractor can start.",
            "reject" => "The quote was turned down and the contractor told why.",
            "note" => "It was added to the work order.",
            "access" => "Saved. The contractor sees it on their link.",
            "share" => "Shared: the contractor sees the photos on their link.",
            "close" => "The work order was closed, with its issues and request resolved.",
            "assign" => "Who sees the work order through was changed.",
            "cancel" => "The work order was cancelled.",
            _ => return None,
        }
        .to_owned(),
    )
}

/// The form that creates a work order from a request or an issue: `defaults` are its title,
/// scope and priority.
pub(super) fn new_work_order_form(
    action: String,
    fill: Filler<'_>,
    hint: &'static str,
    defaults: (&str, &str, Priority),
) -> Form {
    let (title, scope, priority) = defaults;
    let form = "work-order";
    Form {
        id: form,
        heading: "Work order",
        action,
        hidden: Vec::new(),
        fields: vec![
            Field {
                name: "title",
                label: "Title",
                hint: Some(hint),
                input: Input::Text(fill.value(form, "title", title)),
                error: fill.error(form, "title"),
            },
            Field {
                name: "scope",
                label: "Scope of works",
                hint: Some("What the contractor is asked to do. Contractors see this."),
                input: Input::TextArea(fill.value(form, "scope", scope)),
                error: fill.error(form, "scope"),
            },
            Field {
                name: "service_category",
                label: "Trade",
                hint: None,
                input: Input::Select(options(
                    ServiceCategory::ALL,
                    ServiceCategory::code,
                    ServiceCategory::label,
                    &fill.value(form, "service_category", ServiceCategory::General.code()),
                )),
                error: fill.error(form, "service_category"),
            },
            Field {
                name: "priority",
                label: "Priority",
                hint: None,
                input: Input::Select(options(
                    Priority::ALL,
                    Priority::code,
                    Priority::label,
                    &fill.value(form, "priority", priority.code()),
                )),
                error: fill.error(form, "priority"),
            },
        ],
        submit: "Create work order",
        warning: false,
    }
}

/// What the new-work-order form sends.
#[derive(Deserialize)]
pub(super) struct NewWorkOrderForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    service_category: String,
    #[serde(default)]
    priority: String,
}

impl NewWorkOrderForm {
    /// The form's fields from a form read as pairs (one with other fields besides).
    pub(super) fn from_fields(value: &dyn Fn(&str) -> String) -> Self {
        NewWorkOrderForm {
            title: value("title"),
            scope: value("scope"),
            service_category: value("service_category"),
            priority: value("priority"),
        }
    }

    pub(super) fn validate(&self, app: &App) -> AppResult<NewWorkOrder> {
        NewWorkOrder::validate(
            &self.title,
            &self.scope,
            &self.service_category,
            &self.priority,
            None,
            crate::services::today(app),
        )
        .map_err(AppError::Invalid)
    }

    /// What was typed, to fill the form again.
    pub(super) fn typed(self) -> Vec<(&'static str, String)> {
        vec![
            ("title", self.title),
            ("scope", self.scope),
            ("service_category", self.service_category),
            ("priority", self.priority),
        ]
    }
}

/// The forms the actor may use on the work order as it stands.
async fn forms(
    app: &App,
    staff: &Staff,
    view: &WorkOrderView,
    unshared: &[String],
    draft: Option<&Draft>,
) -> AppResult<Vec<Form>> {
    let actor = staff.actor();
    let w = &view.work_order;
    let res = work_orders::resource(actor, w);
    let may = |action| authorize(actor, action, &res).is_ok();
    let fill = Filler { draft };
    let action = |what: &str| format!("/work-orders/{}/{what}", w.id);
    let mut forms = Vec::new();
    if may(Action::Update) && w.status.takes_invitations() {
        let today = crate::services::today(app);
        let chosen = fill.value("invite", "vendor", "");
        let mut choices = vec![none_choice("Choose a contractor", chosen.is_empty())];
        choices.extend(vendors::choices(app, actor).await?.into_iter().map(|v| {
            let lapsed = contractor_cover(v.has_liability_cover, v.earliest_expiry, today)
                == CoverStatus::Lapsed;
            Choice {
                selected: v.id.to_string() == chosen,
                value: v.id.to_string(),
                label: if lapsed {
                    format!(
                        "{} ({}, insurance lapsed)",
                        v.name,
                        v.service_category.label()
                    )
                } else {
                    format!("{} ({})", v.name, v.service_category.label())
                },
            }
        }));
        forms.push(Form {
            id: "invite",
            heading: "Invite to quote",
            action: action("invite"),
            hidden: Vec::new(),
            fields: vec![Field {
                name: "vendor",
                label: "Contractor",
                hint: Some("They are emailed the scope of works. A contractor whose insurance has lapsed cannot be invited."),
                input: Input::Select(choices),
                error: fill.error("invite", "vendor"),
            }],
            submit: "Send invitation",
            warning: false,
        });
        if authorize(
            actor,
            Action::Create,
            &proplink_shared::Resource::org_wide(actor.org, proplink_shared::Domain::Vendors),
        )
        .is_ok()
        {
            forms.push(super::work_order_contractor::invite_new_form(w, fill));
        }
    }
    if may(Action::Update) {
        let live = crate::services::contractor_links::live(app, actor, w.id).await?;
        if !live.is_empty() {
            let chosen = fill.value("withdraw", "vendor", "");
            forms.push(Form {
                id: "withdraw",
                heading: "Withdraw a ContractorPort link",
                action: action("withdraw"),
                hidden: Vec::new(),
                fields: vec![Field {
                    name: "vendor",
                    label: "Contractor",
                    hint: Some("Their link stops opening at once, and they are signed out. Inviting them again sends a fresh link."),
                    input: Input::Select(
                        live.iter()
                            .map(|l| Choice {
                                selected: l.vendor.to_string() == chosen,
                                value: l.vendor.to_string(),
                                label: format!(
                                    "{} (link until {}{})",
                                    l.vendor_name,
                                    proplink_shared::london::format_date(
                                        proplink_shared::london::local(l.expires_at).date()
                                    ),
                                    if l.opened_at.is_some() { ", opened" } else { ", not opened yet" }
                                ),
                            })
                            .collect(),
                    ),
                    error: fill.error("withdraw", "vendor"),
                }],
                submit: "Withdraw the link",
                warning: true,
            });
        }
    }
    if may(Action::Approve) {
        forms.extend(super::work_order_quotes::forms(view, fill));
    }
    forms.extend(super::work_order_contractor::forms(
        staff, view, unshared, fill,
    ));
    if may(Action::Update) && !w.status.is_terminal() {
        forms.push(super::work_order_assign::form(app, staff, w, fill).await?);
    }
    if may(Action::Update) && w.status.next_states().contains(&WorkOrderStatus::Closed) {
        forms.push(Form {
            id: "close",
            heading: "Close",
            action: action("close"),
            hidden: Vec::new(),
            fields: Vec::new(),
            submit: "Close work order",
            warning: false,
        });
    }
    if may(Action::Update) && w.status.next_states().contains(&WorkOrderStatus::Cancelled) {
        forms.push(Form {
            id: "cancel",
            heading: "Cancel",
            action: action("cancel"),
            hidden: Vec::new(),
            fields: Vec::new(),
            submit: "Cancel work order",
            warning: true,
        });
    }
    Ok(forms)
}

async fn work_order_page(
    app: &App,
    staff: &Staff,
    id: WorkOrderId,
    at: &TrailParams,
    notice: Option<String>,
    draft: Option<Draft>,
) -> AppResult<RecordPage> {
    let view = work_orders::work_order(app, staff.actor(), id).await?;
    let w = &view.work_order;
    let mut summary = vec![
        (
            "Status".into(),
            Cell::tag(w.status.label(), status_tone(w.status.is_terminal())),
        ),
        (
            "Site".into(),
            Cell::link(&w.site_name, format!("/sites/{}", w.site_id)),
        ),
        ("Service".into(), Cell::text(w.service_category.label())),
        ("Priority".into(), Cell::text(w.priority.label())),
        (
            "Deadline".into(),
            Cell::text(w.deadline.map_or_else(|| "—".into(), format_date)),
        ),
        (
            "Contractor".into(),
            match (w.vendor_id, &w.vendor_name) {
                (Some(v), Some(name)) => Cell::link(name, format!("/contractors/{v}")),
                _ => Cell::text("Not awarded yet"),
            },
        ),
        (
            "Assigned to".into(),
            Cell::text(w.assignee_name.as_deref().unwrap_or("Nobody")),
        ),
        (
            "Approved cost".into(),
            Cell::text(
                w.approved_cost
                    .map_or_else(|| "—".into(), |c| format!("{c} including VAT")),
            ),
        ),
    ];
    if let Some(t) = w.ticket_id {
        summary.push((
            "Ticket".into(),
            Cell::link("View ticket", format!("/tickets/{t}")),
        ));
    }
    let quotes = super::work_order_quotes::comparison(&view);
    let cert_rows = view
        .certificates
        .iter()
        .map(|c| {
            vec![
                Cell::text(c.kind.label()),
                Cell::text(&c.body),
                Cell::text(&c.registration_number),
                Cell::date(c.issued_on),
                Cell::text(c.expires_on.map_or_else(|| "—".into(), format_date)),
                match &c.file_sha256 {
                    Some(_) => Cell::link(
                        "Open",
                        format!("/work-orders/{}/certificates/{}/file", w.id, c.id),
                    ),
                    None => Cell::text("Paper copy"),
                },
            ]
        })
        .collect();
    let notes = view
        .notes
        .iter()
        .map(|n| Entry {
            meta: format!(
                "{} · {} via {}",
                n.author_name,
                format_date_time(n.created_at),
                n.channel.label()
            ),
            body: n.body.clone(),
            internal: false,
        })
        .collect();
    let mut sections = vec![
        Section {
            heading: "Notes from the site".into(),
            entries: notes,
            paragraphs: if view.notes.is_empty() {
                vec!["No notes yet.".into()]
            } else {
                Vec::new()
            },
            ..Section::default()
        },
        super::photos::section(&format!("/work-orders/{id}"), &view.photos),
        Section {
            heading: "Scope of works".into(),
            paragraphs: vec![w.scope.clone()],
            ..Section::default()
        },
        Section {
            heading: format!("Quotes ({})", view.quotes.len()),
            table: Some(quotes),
            ..Section::default()
        },
        Section {
            heading: "Certificates".into(),
            table: Some(Table {
                caption: "Certificates filed".into(),
                headers: headers(&[
                    "Type",
                    "Issued by",
                    "Registration",
                    "Issued",
                    "Expires",
                    "File",
                ]),
                rows: cert_rows,
                empty: "No certificates yet.".into(),
            }),
            ..Section::default()
        },
    ];
    sections.push(super::work_order_contractor::access_section(&view));
    // Read once, for the gallery and the form that shares them.
    let unshared = work_orders::unshared_request_photos(app, staff.actor(), id).await?;
    sections.extend(super::work_order_contractor::request_photos_section(
        &view, &unshared,
    ));
    let audit = trail(app, staff, RecordType::WorkOrder, &id.to_string(), at).await?;
    let mut forms = forms(app, staff, &view, &unshared, draft.as_ref()).await?;
    forms.extend(super::work_order_forms::note_form(
        staff,
        &view,
        draft.as_ref(),
    ));
    Ok(RecordPage {
        chrome: staff.chrome("/work-orders"),
        title: format!("{}: {}", w.reference, w.title),
        caption: Some("Work order".into()),
        cards: Vec::new(),
        summary,
        sections,
        actions: Actions::answering(notice, draft.as_ref(), forms),
        audit: Some(audit),
    })
}

/// After a form: on to the work order's page, or back to the form with what was wrong.
pub(super) async fn after(
    app: &App,
    staff: &Staff,
    id: WorkOrderId,
    form: &'static str,
    outcome: AppResult<()>,
    typed: Vec<(&'static str, String)>,
) -> AppResult<Response> {
    let done = format!("/work-orders/{id}?done={form}");
    let first = TrailParams::default();
    answer(form, outcome, typed, done, |draft| {
        work_order_page(app, staff, id, &first, None, Some(draft))
    })
    .await
}

#[derive(Deserialize)]
struct InviteForm {
    #[serde(default)]
    vendor: String,
}

async fn invite(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<WorkOrderId>,
    CsrfForm(form): CsrfForm<InviteForm>,
) -> AppResult<Response> {
    let outcome = match form.vendor.parse::<VendorId>() {
        Ok(vendor) => work_orders::invite(&app, staff.actor(), id, vendor)
            .await
            .map(|_link| ()),
        Err(_) => Err(AppError::invalid("vendor", "Choose a contractor to invite")),
    };
    after(
        &app,
        &staff,
        id,
        "invite",
        outcome,
        vec![("vendor", form.vendor)],
    )
    .await
}

async fn withdraw(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<WorkOrderId>,
    CsrfForm(form): CsrfForm<InviteForm>,
) -> AppResult<Response> {
    let outcome = match form.vendor.parse::<VendorId>() {
        Ok(vendor) => {
            crate::services::contractor_links::revoke(&app, staff.actor(), id, vendor).await
        }
        Err(_) => Err(AppError::invalid("vendor", "Choose whose link to withdraw")),
    };
    after(
        &app,
        &staff,
        id,
        "withdraw",
        outcome,
        vec![("vendor", form.vendor)],
    )
    .await
}

async fn close(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<WorkOrderId>,
    CsrfForm(Empty {}): CsrfForm<Empty>,
) -> AppResult<Response> {
    let outcome = work_orders::close(&app, staff.actor(), id, false).await;
    after(&app, &staff, id, "close", outcome, Vec::new()).await
}

async fn cancel(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<WorkOrderId>,
    CsrfForm(Empty {}): CsrfForm<Empty>,
) -> AppResult<Response> {
    let outcome = work_orders::close(&app, staff.actor(), id, true).await;
    after(&app, &staff, id, "cancel", outcome, Vec::new()).await
}

async fn photo(
    State(app): State<App>,
    staff: Staff,
    Path((id, sha)): Path<(WorkOrderId, String)>,
) -> AppResult<Response> {
    let view = work_orders::work_order(&app, staff.actor(), id).await?;
    super::photos::response(&app, staff.actor(), &view.photos, &sha).await
}
