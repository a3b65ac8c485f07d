//! The admin app: managers, accountants and administrators at `<org>.<admin_domain>`.

mod audit_log;
mod buildings;
mod contractors;
mod dashboard;
mod demand;
pub(crate) mod documents;
pub(crate) mod forms;
mod golden_thread;
mod golden_thread_access;
mod golden_thread_occurrences;
mod invoices;
mod issue_forms;
mod issues;
mod notices;
mod occupancy;
mod people;
pub(crate) mod photos;
mod places;
mod profile;
mod settings;
mod staff;
mod statements;
mod tickets;
mod units;
pub(crate) mod view;
mod work_order_assign;
mod work_order_contractor;
mod work_order_forms;
mod work_order_quotes;
mod work_orders;

use axum::Router;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::response::{Redirect, Response};
use axum::routing::get;

use super::OrgContext;
use super::pages::{Chrome, MailView, MailboxPage, NavItem, respond};
use super::web::{CookieName, cookie};
use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::services::auth::{self, Door, Session};
use crate::store::orgs::Organisation;

pub fn router() -> Router<App> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/dashboard") }))
        .merge(super::sign_in::router())
        .route("/dev/mailbox", get(mailbox))
        .route("/brand/logo/{sha}", get(logo))
        .route("/dashboard", get(dashboard::page))
        .merge(places::router())
        .merge(buildings::router())
        .merge(golden_thread_access::router())
        .merge(golden_thread_occurrences::router())
        .merge(golden_thread::router())
        .merge(people::router())
        .merge(tickets::router())
        .merge(issue_forms::router())
        .merge(issues::router())
        .merge(work_order_forms::router())
        .merge(work_order_assign::router())
        .merge(work_order_contractor::router())
        .merge(work_order_quotes::router())
        .merge(work_orders::router())
        .merge(invoices::router())
        .merge(units::router())
        .merge(occupancy::router())
        .merge(demand::router())
        .merge(statements::router())
        .merge(contractors::router())
        .merge(notices::router())
        .merge(documents::router())
        .merge(audit_log::router())
        .merge(staff::router())
        .merge(settings::router())
        .merge(profile::router())
        .fallback(|| async { AppError::NotFound })
}

/// A signed-in staff member of the organisation the host names.
pub struct Staff {
    pub org: Organisation,
    pub session: Session,
    dev_mode: bool,
}

impl Staff {
    #[must_use]
    pub fn actor(&self) -> &proplink_shared::Actor {
        &self.session.actor
    }
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
        let token =
            cookie(&parts.headers, app, CookieName::Session).ok_or(AppError::SignInRequired)?;
        let session = auth::session(app, &org, Door::Admin, &token)
            .await?
            .ok_or(AppError::SignInRequired)?;
        Ok(Staff {
            org,
            session,
            dev_mode: app.config.dev,
        })
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
    ("Arrears", "/arrears"),
    ("Contractors", "/contractors"),
    ("Notices", "/notices"),
    ("Documents", "/documents"),
    ("Staff", "/staff"),
    ("Settings", "/settings"),
    ("Audit log", "/audit"),
];

impl Staff {
    /// The page chrome for this user, with `current` marked in the navigation.
    #[must_use]
    pub fn chrome(&self, current: &str) -> Chrome {
        let mut chrome = Chrome::new(
            &self.org.name,
            "PropLink",
            &self.org.brand_colour,
            self.dev_mode,
        );
        chrome.user_name = Some(self.session.staff.name.clone());
        chrome.logo = logo_src(&self.org);
        chrome.csrf = self.session.csrf_token.clone();
        // Signing out turns this browser's notifications off too.
        chrome.script = Some(crate::doors::assets::push_script_src());
        chrome.nav = NAV
            .iter()
            .map(|(label, href)| NavItem {
                label,
                href,
                current: *href == current,
            })
            .collect();
        chrome
    }
}

/// The chrome of a signed-out page of an organisation's door.
#[must_use]
pub fn public_chrome(app: &App, org: &Organisation, product: &'static str) -> Chrome {
    let mut chrome = Chrome::new(&org.name, product, &org.brand_colour, app.config.dev);
    chrome.logo = logo_src(org);
    chrome
}

/// Where an organisation's logo is served, on each of its doors.
pub fn logo_src(org: &Organisation) -> Option<String> {
    org.logo_sha
        .as_ref()
        .map(|sha| format!("/brand/logo/{sha}"))
}

/// The organisation's current logo, for everyone who reaches its doors: named by its hash, so
/// it can be kept for a year.
pub async fn logo(
    State(app): State<App>,
    axum::Extension(OrgContext(org)): axum::Extension<OrgContext>,
    super::extract::Path(sha): super::extract::Path<String>,
) -> AppResult<Response> {
    use axum::http::header;
    use axum::response::IntoResponse;
    let bytes = crate::services::settings::logo(&app, &org, &sha).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "image/png"),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        bytes,
    )
        .into_response())
}

/// Mail this organisation sent or would have sent, on each door people sign in to:
/// development mode only.
pub async fn mailbox(
    State(app): State<App>,
    axum::Extension(OrgContext(org)): axum::Extension<OrgContext>,
    axum::Extension(door): axum::Extension<Door>,
) -> AppResult<Response> {
    let mails = crate::services::mail::mailbox(&app, org.id, 50)
        .await?
        .into_iter()
        .map(|m| MailView {
            to: m.recipient,
            subject: m.subject,
            body: m.body,
            when: proplink_shared::london::format_date_time(m.created_at),
        })
        .collect();
    Ok(respond(&MailboxPage {
        chrome: public_chrome(&app, &org, door.product()),
        mails,
    }))
}
