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

use super::extract::Path;
use super::pages::{Actions, Cell, Chrome, LandingPage, RecordPage, Section, respond};
use super::web::{CookieName, cookie, set_cookie};
use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::services::auth::Client;
use crate::services::contractor_links::{self, ContractorSession, Refusal, WRONG_LINKS_PER_WINDOW};
use crate::services::work_orders;

pub fn router() -> Router<App> {
    Router::new()
        .route("/", get(landing))
        .route("/work-order", get(work_order))
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

/// The one work order the contractor's link opened: where, what, by when, and its state.
/// Nothing else of the organisation: no residents, no other records.
async fn work_order(State(app): State<App>, Contractor(me): Contractor) -> AppResult<Response> {
    let Principal::Contractor { work_order, .. } = &me.actor.principal else {
        return Err(AppError::NotFound);
    };
    let view = work_orders::work_order(&app, &me.actor, *work_order).await?;
    let w = &view.work_order;
    let place = work_orders::contractor_address(&app, &me.actor, w).await?;
    let mut summary = vec![
        ("Status".into(), Cell::tag(w.status.label(), "green")),
        ("Where".into(), Cell::text(place)),
        ("Trade".into(), Cell::text(w.service_category.label())),
        ("Priority".into(), Cell::text(w.priority.label())),
    ];
    if let Some(deadline) = w.deadline {
        summary.push(("Needed by".into(), Cell::text(format_date(deadline))));
    }
    let mut c = chrome(&app);
    c.csrf = me.csrf_token.clone();
    Ok(respond(&RecordPage {
        chrome: c,
        title: format!("{}: {}", w.reference, w.title),
        caption: Some(format!("Work order for {}", me.actor.display_name)),
        cards: Vec::new(),
        summary,
        sections: vec![Section {
            heading: "Scope of works".into(),
            paragraphs: crate::doors::pages::paragraphs(&w.scope),
            ..Section::default()
        }],
        actions: Actions::default(),
        audit: None,
    })
    .into_response())
}
