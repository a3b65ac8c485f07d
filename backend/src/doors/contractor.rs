//! ContractorPort at `<contractor_domain>`: nothing to browse. `/<token>` shows a button that
//! opens a contractor's link once (fetching it uses nothing up, so mail scanners and link
//! previews leave it be) and trades it for a session bound to its work order, then sends them
//! to `/work-order`, so the token leaves the address bar. A link that no longer opens says why
//! and whom to ask, and one opened before (or expired) offers to email a fresh one. No page is
//! indexable, and no page sends a referrer.

mod forms;
mod page;

use axum::Router;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use super::extract::Path;
use super::pages::{Actions, Chrome, Form, LandingPage, RecordPage, Section, respond};
use super::web::{CookieName, cookie, set_cookie};
use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::services::auth::Client;
use crate::services::contractor_links::{
    self, ContractorSession, Fresh, Refusal, WRONG_LINKS_PER_WINDOW,
};

pub fn router() -> Router<App> {
    Router::new()
        .route("/", get(landing))
        .merge(page::router())
        .merge(forms::router())
        .route("/{token}", get(preview).post(open))
        .route("/{token}/fresh", post(fresh))
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
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let session = match cookie(&parts.headers, app, CookieName::Session) {
            Some(token) => contractor_links::session(app, &token)
                .await
                .map_err(IntoResponse::into_response)?,
            None => None,
        };
        session.map(Contractor).ok_or_else(|| signed_out(app))
    }
}

/// What a browser without a live session sees: no work order, and how to get back to it.
fn signed_out(app: &App) -> Response {
    let mut response = respond(&LandingPage {
        chrome: chrome(app),
        heading: "Open the link from your email".into(),
        paragraphs: vec![
            "This browser is not signed in to a work order: the session lasts a working day, and ends when the office withdraws the link or closes the work order.".into(),
            "Open the link from your invitation email again. If it says it has already been opened, it offers to email you a fresh one.".into(),
        ],
    });
    *response.status_mut() = StatusCode::UNAUTHORIZED;
    response
}

/// Whether a form was sent from another site's page. Without a session there is no CSRF
/// token to check: this stops another site signing someone's browser in with its own link.
/// Browsers say where a request comes from in `Sec-Fetch-Site`; older ones name the page's
/// origin (as `null` under our `no-referrer` policy, which proves nothing either way).
fn from_elsewhere(app: &App, headers: &HeaderMap) -> bool {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    match text("sec-fetch-site") {
        Some(site) => !matches!(site, "same-origin" | "none"),
        None => text(header::ORIGIN.as_str())
            .is_some_and(|origin| origin != "null" && origin != app.config.contractor_url()),
    }
}

/// The link as the email's click (or a mail scanner, or a chat's preview) fetches it: nothing
/// is used up; a button opens it.
async fn preview(
    State(app): State<App>,
    Path(token): Path<String>,
    client: Client,
) -> AppResult<Response> {
    Ok(match contractor_links::preview(&app, &token, &client).await? {
        Ok(organisation) => respond(&RecordPage {
            chrome: chrome(&app),
            title: format!("A work order from {organisation}"),
            caption: None,
            cards: Vec::new(),
            summary: Vec::new(),
            sections: vec![Section {
                heading: "Before you open it".into(),
                paragraphs: vec![
                    "Open it on the phone or computer you will use for the job: the link opens once, and that browser stays signed in to the work order for the working day.".into(),
                    "No account or password is needed.".into(),
                ],
                ..Section::default()
            }],
            actions: Actions {
                forms: vec![Form {
                    id: "open",
                    heading: "Your work order",
                    action: format!("/{token}"),
                    hidden: Vec::new(),
                    fields: Vec::new(),
                    submit: "Open the work order",
                    warning: false,
                }],
                ..Actions::default()
            },
            audit: None,
        }),
        Err(refusal) => refused(&app, &token, &refusal),
    })
}

async fn open(
    State(app): State<App>,
    Path(token): Path<String>,
    client: Client,
    headers: HeaderMap,
) -> AppResult<Response> {
    if from_elsewhere(&app, &headers) {
        return Err(AppError::CsrfRejected);
    }
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
        Err(refusal) => Ok(refused(&app, &token, &refusal)),
    }
}

/// The page a link that does not open answers with: what happened and whom to ask — and,
/// for a link opened before or expired, a button that emails a fresh one.
fn refused(app: &App, token: &str, refusal: &Refusal) -> Response {
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
                match (contractor_links::may_renew(*why), contact.is_empty()) {
                    (true, true) => format!(
                        "Have a fresh link emailed to the address {organisation} holds for you, or ask {organisation} for one."
                    ),
                    (true, false) => format!(
                        "Have a fresh link emailed to the address {organisation} holds for you, or ask {organisation} for one: {contact}."
                    ),
                    (false, true) => format!("Ask {organisation} to send you a fresh link."),
                    (false, false) => {
                        format!("Ask {organisation} to send you a fresh link: {contact}.")
                    }
                },
            ],
        ),
    };
    let renewable =
        matches!(refusal, Refusal::Ended { why, .. } if contractor_links::may_renew(*why));
    let mut response = if renewable {
        respond(&RecordPage {
            chrome: chrome(app),
            title: heading.into(),
            caption: None,
            cards: Vec::new(),
            summary: Vec::new(),
            sections: vec![Section {
                heading: "What you can do".into(),
                paragraphs,
                ..Section::default()
            }],
            actions: Actions {
                forms: vec![Form {
                    id: "fresh",
                    heading: "Get a fresh link",
                    action: format!("/{token}/fresh"),
                    hidden: Vec::new(),
                    fields: Vec::new(),
                    submit: "Email me a fresh link",
                    warning: false,
                }],
                ..Actions::default()
            },
            audit: None,
        })
    } else {
        respond(&LandingPage {
            chrome: chrome(app),
            heading: heading.into(),
            paragraphs,
        })
    };
    *response.status_mut() = status;
    response
}

/// Emails a fresh link to the address the office holds for the contractor, and leaves any
/// session the old link opened be. No session to protect yet, so no CSRF token: a form from
/// another site is refused by its origin, and a request from elsewhere can only send the
/// contractor their own link, once.
async fn fresh(
    State(app): State<App>,
    Path(token): Path<String>,
    client: Client,
    headers: HeaderMap,
) -> AppResult<Response> {
    if from_elsewhere(&app, &headers) {
        return Err(AppError::CsrfRejected);
    }
    Ok(
        match contractor_links::send_fresh(&app, &token, &client).await? {
            Fresh::Sent { to } => respond(&LandingPage {
                chrome: chrome(&app),
                heading: "Check your email".into(),
                paragraphs: vec![
                    format!(
                        "A fresh link to your work order is on its way to {to}. It replaces this one."
                    ),
                    "Open it on the phone or computer you will use for the job.".into(),
                ],
            }),
            Fresh::StillOpens => Redirect::to(&format!("/{token}")).into_response(),
            Fresh::Refused(refusal) => refused(&app, &token, &refusal),
        },
    )
}
