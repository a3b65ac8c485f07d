//! Signing in with an emailed code, on every door of an organisation that people sign in to:
//! the door (from the host) decides whose code it is and where they land.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::admin::public_chrome;
use crate::app::App;
use crate::doors::OrgContext;
use crate::doors::extract::Query;
use crate::doors::pages::{SignInCodePage, SignInPage, respond};
use crate::doors::web::{CookieName, CsrfForm, cookie, set_cookie, visitor_token};
use crate::error::AppError;
use crate::services::auth::{self, Client, Door};
use crate::services::push;
use proplink_shared::sync::CodeStatus;

type Org = axum::Extension<OrgContext>;
type ThisDoor = axum::Extension<Door>;

/// A sign-in page: never cached, with the visitor's CSRF cookie if it is new.
fn page(status: StatusCode, set: Option<HeaderValue>, mut response: Response) -> Response {
    *response.status_mut() = status;
    if let Some(c) = set {
        response.headers_mut().append(header::SET_COOKIE, c);
    }
    response
}

/// Someone already signed in has nothing to do on the sign-in pages.
async fn signed_in(app: &App, org: &OrgContext, door: Door, headers: &HeaderMap) -> bool {
    match cookie(headers, app, CookieName::Session) {
        Some(token) => matches!(
            auth::session_csrf(app, &org.0, door, &token).await,
            Ok(Some(_))
        ),
        None => false,
    }
}

/// What the sign-in page says above the form: the organisation's welcome on a portal.
fn intro(door: Door, org: &crate::store::orgs::Organisation) -> Vec<String> {
    match door {
        Door::ResidencePort => {
            let mut paragraphs = super::pages::paragraphs(&org.welcome_text);
            if paragraphs.is_empty() {
                paragraphs.push(
                    "Your statement, invoices, requests, notices and documents, in one place."
                        .into(),
                );
            }
            paragraphs
        }
        Door::BuildingThread => {
            let mut paragraphs = super::pages::paragraphs(&org.thread_welcome_text);
            if paragraphs.is_empty() {
                paragraphs.push(
                    "What keeps your building safe, what to do in a fire, and who is accountable for it."
                        .into(),
                );
            }
            paragraphs.push(
                "Inspectors of the Building Safety Regulator sign in here too, with the email address the organisation gave access to."
                    .into(),
            );
            paragraphs
        }
        Door::Admin | Door::FacilityReport => Vec::new(),
    }
}

pub async fn form(
    State(app): State<App>,
    axum::Extension(org): Org,
    axum::Extension(door): ThisDoor,
    headers: HeaderMap,
) -> Response {
    if signed_in(&app, &org, door, &headers).await {
        return Redirect::to(door.home()).into_response();
    }
    let (csrf, set) = visitor_token(&app, &headers);
    page(
        StatusCode::OK,
        set,
        respond(&SignInPage {
            chrome: public_chrome(&app, &org.0, door.product()),
            intro: intro(door, &org.0),
            csrf,
            email: String::new(),
            error: None,
        }),
    )
}

#[derive(Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    email: String,
}

pub async fn send_code(
    State(app): State<App>,
    axum::Extension(OrgContext(org)): Org,
    axum::Extension(door): ThisDoor,
    headers: HeaderMap,
    client: Client,
    CsrfForm(form): CsrfForm<EmailForm>,
) -> Response {
    match auth::request_code(&app, &org, door, &form.email, &client).await {
        Ok(requested) => {
            let next = match requested.status {
                CodeStatus::Sent => "/sign-in/code",
                CodeStatus::AlreadySent => "/sign-in/code?already_sent=true",
            };
            let mut response = Redirect::to(next).into_response();
            response.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(
                    &app,
                    CookieName::SignIn,
                    &urlencode(&requested.email),
                    Some(15 * 60),
                ),
            );
            response
        }
        Err(e @ (AppError::Invalid(_) | AppError::TooManyRequests { .. })) => {
            let (csrf, set) = visitor_token(&app, &headers);
            page(
                e.status(),
                set,
                respond(&SignInPage {
                    chrome: public_chrome(&app, &org, door.product()),
                    intro: intro(door, &org),
                    csrf,
                    email: form.email,
                    error: Some(e.public_message()),
                }),
            )
        }
        Err(e) => e.into_response(),
    }
}

#[derive(Deserialize, Default)]
pub struct CodeFormQuery {
    #[serde(default)]
    already_sent: bool,
}

pub async fn code_form(
    State(app): State<App>,
    axum::Extension(org): Org,
    axum::Extension(door): ThisDoor,
    headers: HeaderMap,
    Query(query): Query<CodeFormQuery>,
) -> Response {
    if signed_in(&app, &org, door, &headers).await {
        return Redirect::to(door.home()).into_response();
    }
    let Some(email) = cookie(&headers, &app, CookieName::SignIn).map(|e| urldecode(&e)) else {
        return Redirect::to("/sign-in").into_response();
    };
    let (csrf, set) = visitor_token(&app, &headers);
    page(
        StatusCode::OK,
        set,
        respond(&SignInCodePage {
            chrome: public_chrome(&app, &org.0, door.product()),
            csrf,
            email,
            error: None,
            already_sent: query.already_sent,
        }),
    )
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

pub async fn check_code(
    State(app): State<App>,
    axum::Extension(OrgContext(org)): Org,
    axum::Extension(door): ThisDoor,
    headers: HeaderMap,
    client: Client,
    CsrfForm(form): CsrfForm<CodeForm>,
) -> Response {
    let Some(email) = cookie(&headers, &app, CookieName::SignIn).map(|e| urldecode(&e)) else {
        return Redirect::to("/sign-in").into_response();
    };
    let old = cookie(&headers, &app, CookieName::Session);
    let grant = auth::Grant::Session {
        replacing: old.as_deref(),
    };
    match auth::verify_code(&app, &org, door, &email, &form.code, &client, grant).await {
        Ok(signed_in) => {
            let mut response = Redirect::to(door.home()).into_response();
            let max_age = app.config.session_max.as_secs();
            let h = response.headers_mut();
            h.append(
                header::SET_COOKIE,
                set_cookie(&app, CookieName::Session, &signed_in.token, Some(max_age)),
            );
            h.append(
                header::SET_COOKIE,
                set_cookie(&app, CookieName::SignIn, "", Some(0)),
            );
            h.append(
                header::SET_COOKIE,
                set_cookie(&app, CookieName::Csrf, "", Some(0)),
            );
            response
        }
        Err(e @ (AppError::Invalid(_) | AppError::TooManyRequests { .. })) => {
            let (csrf, set) = visitor_token(&app, &headers);
            let mut response = page(
                e.status(),
                set,
                respond(&SignInCodePage {
                    chrome: public_chrome(&app, &org, door.product()),
                    csrf,
                    email,
                    error: Some(e.public_message()),
                    already_sent: false,
                }),
            );
            if let Some(retry) = e.retry_after() {
                response.headers_mut().insert(header::RETRY_AFTER, retry);
            }
            response
        }
        Err(e) => e.into_response(),
    }
}

/// The sign-out form: the browser's push endpoint when the script found one, so that
/// signing out turns this browser's notifications off too.
#[derive(Deserialize)]
pub struct SignOutForm {
    #[serde(default)]
    push_endpoint: String,
}

/// Stops pushes to the browser signing out, whose endpoint the page sent. A push service or
/// database that fails here does not keep anyone signed in: the subscription then ends at
/// the push service's next 404 or 410.
async fn forget_browser(app: &App, actor: &proplink_shared::Actor, endpoint: &str) {
    if endpoint.is_empty() {
        return;
    }
    if let Err(e) = push::unsubscribe_endpoint(app, actor, endpoint).await {
        tracing::warn!(error = ?e, "forgetting a browser's push subscription at sign-out");
    }
}

/// Signs out of this door: the session ends and its cookie is cleared.
pub async fn sign_out(
    State(app): State<App>,
    axum::Extension(OrgContext(org)): Org,
    axum::Extension(door): ThisDoor,
    headers: HeaderMap,
    CsrfForm(form): CsrfForm<SignOutForm>,
) -> Result<Response, AppError> {
    let endpoint = form.push_endpoint.trim();
    if let Some(token) = cookie(&headers, &app, CookieName::Session) {
        match door {
            Door::ResidencePort => {
                if let Some(session) = auth::resident_session(&app, &org, &token).await? {
                    forget_browser(&app, &session.actor, endpoint).await;
                    auth::sign_out_resident(&app, &session).await?;
                }
            }
            Door::BuildingThread => {
                if let Some(session) = auth::thread_session(&app, &org, &token).await? {
                    auth::sign_out_thread(&app, &session).await?;
                } else if let Some(session) = auth::inspector_session(&app, &org, &token).await? {
                    auth::sign_out_inspector(&app, &session).await?;
                }
            }
            Door::Admin | Door::FacilityReport => {
                if let Some(session) = auth::session(&app, &org, door, &token).await? {
                    forget_browser(&app, &session.actor, endpoint).await;
                    auth::sign_out(&app, &session).await?;
                }
            }
        }
    }
    let mut response = Redirect::to("/sign-in").into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&app, CookieName::Session, "", Some(0)),
    );
    Ok(response)
}

fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("v", s)])
        .map(|e| e.trim_start_matches("v=").to_owned())
        .unwrap_or_default()
}

fn urldecode(s: &str) -> String {
    serde_urlencoded::from_str::<Vec<(String, String)>>(&format!("v={s}"))
        .ok()
        .and_then(|v| v.into_iter().next())
        .map(|(_, v)| v)
        .unwrap_or_default()
}

/// The sign-in and sign-out routes of a door.
pub fn router() -> axum::Router<App> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/sign-in", get(form).post(send_code))
        .route("/sign-in/code", get(code_form).post(check_code))
        .route("/sign-out", post(sign_out))
}
