//! Signing in to the admin app with an emailed code, and signing out.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::{Staff, public_chrome};
use crate::app::App;
use crate::doors::OrgContext;
use crate::doors::extract::Query;
use crate::doors::pages::{SignInCodePage, SignInPage, respond};
use crate::doors::web::{CookieName, CsrfForm, cookie, set_cookie, visitor_token};
use crate::error::{AppError, AppResult};
use crate::services::auth::{self, Client, Door};
use proplink_shared::sync::CodeStatus;

type Org = axum::Extension<OrgContext>;

/// A sign-in page: never cached, with the visitor's CSRF cookie if it is new.
fn page(status: StatusCode, set: Option<HeaderValue>, mut response: Response) -> Response {
    *response.status_mut() = status;
    if let Some(c) = set {
        response.headers_mut().append(header::SET_COOKIE, c);
    }
    response
}

/// Someone already signed in has nothing to do on the sign-in pages.
async fn signed_in(app: &App, org: &OrgContext, headers: &HeaderMap) -> bool {
    match cookie(headers, app, CookieName::Session) {
        Some(token) => matches!(
            auth::session(app, &org.0, Door::Admin, &token).await,
            Ok(Some(_))
        ),
        None => false,
    }
}

pub async fn form(
    State(app): State<App>,
    axum::Extension(org): Org,
    headers: HeaderMap,
) -> Response {
    if signed_in(&app, &org, &headers).await {
        return Redirect::to("/dashboard").into_response();
    }
    let (csrf, set) = visitor_token(&app, &headers);
    page(
        StatusCode::OK,
        set,
        respond(&SignInPage {
            chrome: public_chrome(&app, &org.0, "PropLink"),
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
    headers: HeaderMap,
    client: Client,
    CsrfForm(form): CsrfForm<EmailForm>,
) -> Response {
    match auth::request_code(&app, &org, Door::Admin, &form.email, &client).await {
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
                    chrome: public_chrome(&app, &org, "PropLink"),
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
    headers: HeaderMap,
    Query(query): Query<CodeFormQuery>,
) -> Response {
    if signed_in(&app, &org, &headers).await {
        return Redirect::to("/dashboard").into_response();
    }
    let Some(email) = cookie(&headers, &app, CookieName::SignIn).map(|e| urldecode(&e)) else {
        return Redirect::to("/sign-in").into_response();
    };
    let (csrf, set) = visitor_token(&app, &headers);
    page(
        StatusCode::OK,
        set,
        respond(&SignInCodePage {
            chrome: public_chrome(&app, &org.0, "PropLink"),
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
    match auth::verify_code(&app, &org, Door::Admin, &email, &form.code, &client, grant).await {
        Ok(signed_in) => {
            let mut response = Redirect::to("/dashboard").into_response();
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
                    chrome: public_chrome(&app, &org, "PropLink"),
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

#[derive(Deserialize)]
pub struct Empty {}

pub async fn sign_out(
    State(app): State<App>,
    staff: Staff,
    CsrfForm(_): CsrfForm<Empty>,
) -> AppResult<Response> {
    auth::sign_out(&app, &staff.session).await?;
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
