//! ContractorPort at `<contractor_domain>`: nothing to browse. `/<token>` opens a contractor's
//! link once and trades it for a session bound to its work order, then sends them to
//! `/work-order`, so the token leaves the address bar. No page is indexable, and no page sends
//! a referrer.

use axum::Router;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use proplink_shared::Principal;
use proplink_shared::london::format_date;
use proplink_shared::records::{NewQuote, QuoteKind, VatRate};

use super::admin::forms::{Draft, Filler, options, sent_back};
use super::extract::Path;
use super::pages::{
    Actions, Cell, Chrome, Field, Form, Input, LandingPage, RecordPage, Section, Table, headers,
    respond,
};
use super::web::{CookieName, CsrfForm, cookie, set_cookie};
use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::services::auth::Client;
use crate::services::contractor_links::{self, ContractorSession, Refusal, WRONG_LINKS_PER_WINDOW};
use crate::services::work_orders;

pub fn router() -> Router<App> {
    Router::new()
        .route("/", get(landing))
        .route("/work-order", get(work_order))
        .route("/work-order/quote", axum::routing::post(quote))
        .route("/{token}", get(open))
        .fallback(|| async { AppError::NotFound })
        .layer(tower_http::set_header::SetResponseHeaderLayer::overriding(
            header::HeaderName::from_static("x-robots-tag"),
            HeaderValue::from_static("noindex, nofollow"),
        ))
}

fn chrome(app: &App) -> Chrome {
    Chrome::new("ContractorPort", "PropLink", "#0b0c0c", app.config.dev)
}

async fn landing(State(app): State<App>) -> Response {
    respond(&LandingPage {
        chrome: chrome(&app),
        heading: "ContractorPort".into(),
        paragraphs: vec![
            "Open the link in your invitation email to see your work order. There is nothing to browse here.".into(),
        ],
    })
}

/// A contractor signed in through their link.
pub struct Contractor(ContractorSession);

impl FromRequestParts<App> for Contractor {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let token = cookie(&parts.headers, app, CookieName::Session).ok_or(AppError::NotFound)?;
        contractor_links::session(app, &token)
            .await?
            .map(Contractor)
            .ok_or(AppError::NotFound)
    }
}

async fn open(
    State(app): State<App>,
    Path(token): Path<String>,
    client: Client,
) -> AppResult<Response> {
    match contractor_links::open(&app, &token, &client).await? {
        Ok(opened) => {
            let mut response = Redirect::to("/work-order").into_response();
            response.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(
                    &app,
                    CookieName::Session,
                    &opened.session_token,
                    Some(12 * 3600),
                ),
            );
            Ok(response)
        }
        Err(refusal) => Ok(refused(&app, &refusal)),
    }
}

/// The page a link that does not open answers with: what happened and whom to ask.
fn refused(app: &App, refusal: &Refusal) -> Response {
    let (status, heading, paragraphs) = match refusal {
        Refusal::NotRecognised => (
            StatusCode::NOT_FOUND,
            "This link does not open a work order",
            vec![
                "Check that you copied the whole link from the email. If it still does not open, ask the property manager who invited you to send it again.".to_owned(),
            ],
        ),
        Refusal::TooMany => (
            StatusCode::TOO_MANY_REQUESTS,
            "Too many links that do not open",
            vec![format!(
                "More than {WRONG_LINKS_PER_WINDOW} links from this network did not open in the last 15 minutes. Wait a quarter of an hour, then open the link from your latest email."
            )],
        ),
        Refusal::Ended {
            organisation,
            contact,
            why,
        } => (
            StatusCode::GONE,
            "This link no longer opens",
            vec![
                why.explain().to_owned(),
                if contact.is_empty() {
                    format!("Ask {organisation} to send you a fresh link.")
                } else {
                    format!("Ask {organisation} to send you a fresh link: {contact}.")
                },
            ],
        ),
    };
    let mut response = respond(&LandingPage {
        chrome: chrome(app),
        heading: heading.into(),
        paragraphs,
    });
    *response.status_mut() = status;
    response
}

#[derive(serde::Deserialize, Default)]
struct Done {
    #[serde(default)]
    done: String,
}

/// The one work order the contractor's link opened: where, what, by when, and its state;
/// their own quotes and the form to send one. Nothing else of the organisation: no residents,
/// no other records, no other contractor's prices.
async fn work_order(
    State(app): State<App>,
    Contractor(me): Contractor,
    super::extract::Query(done): super::extract::Query<Done>,
) -> AppResult<Response> {
    let mut page = work_order_page(&app, &me, None).await?;
    if done.done == "quoted" {
        page.actions.notice =
            Some("Your quote was sent. The office is told, and you will hear from them.".into());
    }
    Ok(respond(&page).into_response())
}

async fn work_order_page(
    app: &App,
    me: &ContractorSession,
    draft: Option<&Draft>,
) -> AppResult<RecordPage> {
    let Principal::Contractor { work_order, vendor } = &me.actor.principal else {
        return Err(AppError::NotFound);
    };
    let view = work_orders::work_order(app, &me.actor, *work_order).await?;
    let w = &view.work_order;
    let place = work_orders::contractor_address(app, &me.actor, w).await?;
    let mut summary = vec![
        ("Status".into(), Cell::tag(w.status.label(), "green")),
        ("Where".into(), Cell::text(place)),
        ("Trade".into(), Cell::text(w.service_category.label())),
        ("Priority".into(), Cell::text(w.priority.label())),
    ];
    if let Some(deadline) = w.deadline {
        summary.push(("Needed by".into(), Cell::text(format_date(deadline))));
    }
    let mine: Vec<_> = view
        .quotes
        .iter()
        .filter(|q| q.vendor_id == *vendor)
        .collect();
    let mut sections = vec![Section {
        heading: "Scope of works".into(),
        paragraphs: crate::doors::pages::paragraphs(&w.scope),
        ..Section::default()
    }];
    sections.push(Section {
        heading: "Your quotes".into(),
        table: Some(Table {
            caption: "The quotes you sent for this work order".into(),
            headers: headers(&["Sent", "Kind", "Price", "VAT", "Decision"]),
            rows: mine
                .iter()
                .map(|q| {
                    vec![
                        Cell::text(proplink_shared::london::format_date_time(q.submitted_at)),
                        Cell::text(q.kind.label()),
                        Cell::money(q.net),
                        Cell::money(q.vat),
                        match (q.awarded, q.rejected) {
                            (true, _) => Cell::tag("Accepted", "green"),
                            (_, true) => {
                                Cell::tag(format!("Turned down: {}", q.rejection_reason), "red")
                            }
                            _ => Cell::tag("Waiting for a decision", "amber"),
                        },
                    ]
                })
                .collect(),
            empty: "You have not sent a quote yet.".into(),
        }),
        ..Section::default()
    });
    let fill = Filler { draft };
    let mut actions = Actions {
        problems: draft.map(Draft::problems).unwrap_or_default(),
        ..Actions::default()
    };
    let decided = mine.iter().any(|q| q.awarded);
    if w.status.takes_quotes() && !decided {
        actions.forms.push(Form {
            id: "quote",
            heading: if mine.is_empty() {
                "Send your quote"
            } else {
                "Send a revised quote"
            },
            action: "/work-order/quote".into(),
            hidden: Vec::new(),
            fields: vec![
                Field {
                    name: "kind",
                    label: "Kind of quote",
                    hint: None,
                    input: Input::Select(options(
                        QuoteKind::ALL,
                        QuoteKind::code,
                        QuoteKind::label,
                        &fill.value("quote", "kind", "fixed_price"),
                    )),
                    error: fill.error("quote", "kind"),
                },
                Field {
                    name: "net",
                    label: "Price before VAT",
                    hint: Some("For a day-rate estimate, the total for the days you expect."),
                    input: Input::Amount(fill.value("quote", "net", "")),
                    error: fill.error("quote", "net"),
                },
                Field {
                    name: "vat_rate",
                    label: "VAT",
                    hint: None,
                    input: Input::Select(options(
                        VatRate::ALL,
                        VatRate::code,
                        VatRate::label,
                        &fill.value("quote", "vat_rate", "standard"),
                    )),
                    error: fill.error("quote", "vat_rate"),
                },
                Field {
                    name: "notes",
                    label: "Notes (optional)",
                    hint: Some("What is included, how long it takes, when you could start."),
                    input: Input::TextArea(fill.value("quote", "notes", "")),
                    error: fill.error("quote", "notes"),
                },
            ],
            submit: "Send quote",
            warning: false,
        });
    }
    let mut c = chrome(app);
    c.csrf = me.csrf_token.clone();
    Ok(RecordPage {
        chrome: c,
        title: format!("{}: {}", w.reference, w.title),
        caption: Some(format!("Work order for {}", me.actor.display_name)),
        cards: Vec::new(),
        summary,
        sections,
        actions,
        audit: None,
    })
}

#[derive(serde::Deserialize)]
struct QuoteForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    net: String,
    #[serde(default)]
    vat_rate: String,
    #[serde(default)]
    notes: String,
}

/// A quote sent through the link, as the contractor: refused once the order no longer takes
/// quotes, with what was typed kept.
async fn quote(
    State(app): State<App>,
    Contractor(me): Contractor,
    CsrfForm(form): CsrfForm<QuoteForm>,
) -> AppResult<Response> {
    let Principal::Contractor { work_order, vendor } = &me.actor.principal else {
        return Err(AppError::NotFound);
    };
    let outcome = match (
        QuoteKind::from_code(&form.kind),
        VatRate::from_code(&form.vat_rate),
    ) {
        (Some(kind), Some(rate)) => match NewQuote::validate(kind, &form.net, rate, &form.notes) {
            Ok(q) => crate::services::quotes::submit(&app, &me.actor, *work_order, *vendor, &q)
                .await
                .map(|_| ()),
            Err(e) => Err(AppError::Invalid(e)),
        },
        (None, _) => Err(AppError::invalid("kind", "Choose the kind of quote")),
        (_, None) => Err(AppError::invalid("vat_rate", "Choose the VAT rate")),
    };
    let typed = vec![
        ("kind", form.kind),
        ("net", form.net),
        ("vat_rate", form.vat_rate),
        ("notes", form.notes),
    ];
    match sent_back("quote", outcome, typed)? {
        None => Ok(Redirect::to("/work-order?done=quoted").into_response()),
        Some((status, draft)) => Ok((
            status,
            respond(&work_order_page(&app, &me, Some(&draft)).await?),
        )
            .into_response()),
    }
}
