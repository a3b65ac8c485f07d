//! Signing in to the admin app with an emailed code, and signing out.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::{Staff, public_chrome};
use crate::app::{App, random_token};
use crate::doors::OrgContext;
use crate::doors::pages::{SignInCodePage, SignInPage, render};
use crate::doors::web::{
    CSRF_COOKIE, CsrfForm, SESSION_COOKIE, SIGN_IN_EMAIL_COOKIE, cookie, set_cookie,
};
use crate::error::{AppError, AppResult};
use crate::services::auth::{self, Client, Door};

type Org = axum::Extension<OrgContext>;

/// The pre-sign-in CSRF token, issuing one if the visitor has none.
fn csrf_token(app: &App, headers: &HeaderMap) -> (String, Option<header::HeaderValue>) {
    match cookie(headers, CSRF_COOKIE).filter(|t| t.len() == 64) {
        Some(t) => (t, None),
        None => {
            let t = random_token();
            let c = set_cookie(app, CSRF_COOKIE, &t, None);
            (t, Some(c))
        }
    }
}

fn page(
    status: StatusCode,
    set: Option<header::HeaderValue>,
    html: axum::response::Html<String>,
) -> Response {
    let mut response = (status, html).into_response();
    if let Some(c) = set {
        response.headers_mut().append(header::SET_COOKIE, c);
    }
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    response
}

pub async fn form(
    State(app): State<App>,
    axum::Extension(OrgContext(org)): Org,
    headers: HeaderMap,
) -> Response {
    let (csrf, set) = csrf_token(&app, &headers);
    page(
        StatusCode::OK,
        set,
        render(&SignInPage {
            chrome: public_chrome(&org, "PropLink"),
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
        Ok(email) => {
            let mut response = Redirect::to("/sign-in/code").into_response();
            response.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(
                    &app,
                    SIGN_IN_EMAIL_COOKIE,
                    &urlencode(&email),
                    Some(15 * 60),
                ),
            );
            response
        }
        Err(e @ (AppError::Invalid(_) | AppError::TooManyRequests(_))) => {
            let (status, message) = (e.status(), form_message(&e));
            let (csrf, set) = csrf_token(&app, &headers);
            page(
                status,
                set,
                render(&SignInPage {
                    chrome: public_chrome(&org, "PropLink"),
                    csrf,
                    email: form.email,
                    error: Some(message),
                }),
            )
        }
        Err(e) => e.into_response(),
    }
}

pub async fn code_form(
    State(app): State<App>,
    axum::Extension(OrgContext(org)): Org,
    headers: HeaderMap,
) -> Response {
    let Some(email) = cookie(&headers, SIGN_IN_EMAIL_COOKIE).map(|e| urldecode(&e)) else {
        return Redirect::to("/sign-in").into_response();
    };
    let (csrf, set) = csrf_token(&app, &headers);
    page(
        StatusCode::OK,
        set,
        render(&SignInCodePage {
            chrome: public_chrome(&org, "PropLink"),
            csrf,
            email,
            error: None,
            dev_mailbox: app.config.dev_mailbox(),
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
    let Some(email) = cookie(&headers, SIGN_IN_EMAIL_COOKIE).map(|e| urldecode(&e)) else {
        return Redirect::to("/sign-in").into_response();
    };
    let old = cookie(&headers, SESSION_COOKIE);
    match auth::verify_code(
        &app,
        &org,
        Door::Admin,
        &email,
        &form.code,
        &client,
        auth::Grant::Session {
            replacing: old.as_deref(),
        },
    )
    .await
    {
        Ok(signed_in) => {
            let mut response = Redirect::to("/dashboard").into_response();
            let max_age = app.config.session_max.as_secs();
            let h = response.headers_mut();
            h.append(
                header::SET_COOKIE,
                set_cookie(&app, SESSION_COOKIE, &signed_in.token, Some(max_age)),
            );
            h.append(
                header::SET_COOKIE,
                set_cookie(&app, SIGN_IN_EMAIL_COOKIE, "", Some(0)),
            );
            h.append(
                header::SET_COOKIE,
                set_cookie(&app, CSRF_COOKIE, "", Some(0)),
            );
            response
        }
        Err(e @ (AppError::Invalid(_) | AppError::TooManyRequests(_))) => {
            let (status, message) = (e.status(), form_message(&e));
            let (csrf, set) = csrf_token(&app, &headers);
            page(
                status,
                set,
                render(&SignInCodePage {
                    chrome: public_chrome(&org, "PropLink"),
                    csrf,
                    email,
                    error: Some(message),
                    dev_mailbox: app.config.dev_mailbox(),
                }),
            )
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
    auth::sign_out(&app, &staff.org, &staff.session).await?;
    let mut response = Redirect::to("/sign-in").into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&app, SESSION_COOKIE, "", Some(0)),
    );
    Ok(response)
}

/// What a sign-in form says about a refused step, next to the field.
fn form_message(e: &AppError) -> String {
    match e {
        AppError::Invalid(v) => v.summary(),
        other => other.to_string(),
    }
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
