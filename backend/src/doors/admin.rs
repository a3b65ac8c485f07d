//! The admin app: managers, accountants and administrators at `<org>.<admin_domain>`.

mod sign_in;
mod views;

use axum::Router;
use axum::extract::{FromRequestParts, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use super::OrgContext;
use super::pages::{Chrome, MailView, MailboxPage, NavItem, render};
use super::web::{CSRF_COOKIE, CsrfSource, SESSION_COOKIE, cookie};
use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::services::auth::{self, Door, Session};

pub fn router() -> Router<App> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/dashboard") }))
        .route("/sign-in", get(sign_in::form).post(sign_in::send_code))
        .route(
            "/sign-in/code",
            get(sign_in::code_form).post(sign_in::check_code),
        )
        .route("/sign-out", post(sign_in::sign_out))
        .route("/assets/brand.css", get(brand_css))
        .route("/dev/mailbox", get(mailbox))
        .merge(views::router())
        .fallback(|| async { AppError::NotFound })
}

/// A signed-in staff member of the organisation the host names.
pub struct Staff {
    pub org: crate::store::orgs::OrgRow,
    pub session: Session,
}

impl FromRequestParts<App> for Staff {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let org = parts
            .extensions
            .get::<OrgContext>()
            .ok_or(AppError::NotFound)?
            .0
            .clone();
        let token = cookie(&parts.headers, SESSION_COOKIE).ok_or(AppError::SignInRequired)?;
        let session = auth::session(app, &org, Door::Admin, &token)
            .await?
            .ok_or(AppError::SignInRequired)?;
        Ok(Staff { org, session })
    }
}

/// Signed in: the session's token. Not yet: the double-submit cookie's.
pub struct AdminCsrf;

impl CsrfSource for AdminCsrf {
    async fn expected(parts: &Parts, app: &App) -> Option<String> {
        let org = parts.extensions.get::<OrgContext>()?.0.clone();
        if let Some(token) = cookie(&parts.headers, SESSION_COOKIE) {
            if let Ok(Some(session)) = auth::session(app, &org, Door::Admin, &token).await {
                return Some(session.row.csrf_token);
            }
        }
        cookie(&parts.headers, CSRF_COOKIE)
    }
}

const NAV: &[(&str, &str)] = &[
    ("Dashboard", "/dashboard"),
    ("Sites", "/sites"),
    ("Contacts", "/contacts"),
    ("Tickets", "/tickets"),
    ("Issues", "/issues"),
    ("Work orders", "/work-orders"),
    ("Invoices", "/invoices"),
    ("Contractors", "/contractors"),
    ("Notices", "/notices"),
    ("Audit log", "/audit"),
];

impl Staff {
    /// The page chrome for this user, with `current` marked in the navigation.
    pub fn chrome(&self, current: &str) -> Chrome {
        Chrome {
            org_name: self.org.name.clone(),
            product: "PropLink",
            user_name: Some(self.session.staff.name.clone()),
            csrf: self.session.row.csrf_token.clone(),
            nav: NAV
                .iter()
                .map(|(label, href)| NavItem {
                    label,
                    href,
                    current: *href == current,
                })
                .collect(),
        }
    }
}

/// The chrome of a signed-out page.
pub fn public_chrome(org: &crate::store::orgs::OrgRow, product: &'static str) -> Chrome {
    Chrome {
        org_name: org.name.clone(),
        product,
        user_name: None,
        csrf: String::new(),
        nav: Vec::new(),
    }
}

/// The organisation's brand colour, validated so nothing but a colour reaches the stylesheet.
pub async fn brand_css(axum::Extension(OrgContext(org)): axum::Extension<OrgContext>) -> Response {
    let colour = &org.brand_colour;
    let valid = colour.len() == 7
        && colour.starts_with('#')
        && colour[1..].bytes().all(|b| b.is_ascii_hexdigit());
    let colour = if valid { colour.as_str() } else { "#1d4f91" };
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        format!(":root {{ --brand: {colour}; }}\n"),
    )
        .into_response()
}

/// Mail this organisation would have sent, while no SMTP server is configured.
async fn mailbox(
    State(app): State<App>,
    axum::Extension(OrgContext(org)): axum::Extension<OrgContext>,
) -> AppResult<Response> {
    let mails = crate::services::mail::held(&app, org.id, 50)
        .await?
        .into_iter()
        .map(|m| MailView {
            to: m.recipient,
            subject: m.subject,
            body: m.body,
            when: proplink_shared::london::format_date_time(crate::clock::from_micros(
                m.created_at,
            )),
        })
        .collect();
    Ok(render(&MailboxPage {
        chrome: public_chrome(&org, "PropLink"),
        mails,
    })
    .into_response())
}
