//! ResidencePort: leaseholders and tenants at `<org>.<residence_domain>`. They sign in with an
//! emailed code and see only their own homes: the account of each, their requests, their
//! buildings' notices and the documents shared with them. Every page works without JavaScript.

mod account;
mod home;
mod info;
mod notifications;
mod payments;
mod report;
mod requests;

use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::routing::get;
use proplink_shared::Principal;

use super::OrgContext;
use super::admin::{logo, logo_src};
use super::pages::{Chrome, NavItem};
use super::web::{CookieName, cookie};
use crate::app::App;
use crate::error::AppError;
use crate::services::auth::{self, ResidentSession};
use crate::store::orgs::Organisation;

pub fn router() -> Router<App> {
    Router::new()
        .route("/", get(home::page))
        .merge(super::sign_in::router())
        .route("/dev/mailbox", get(super::admin::mailbox))
        .route("/brand/logo/{sha}", get(logo))
        .merge(account::router())
        .merge(payments::router())
        .merge(requests::router())
        .merge(info::router())
        .merge(notifications::router())
        .fallback(|| async { AppError::NotFound })
}

/// A signed-in resident of the organisation the host names.
pub struct Resident {
    pub org: Organisation,
    pub session: ResidentSession,
    dev_mode: bool,
}

impl Resident {
    #[must_use]
    pub fn actor(&self) -> &proplink_shared::Actor {
        &self.session.actor
    }

    /// Whether they read the account of any home (a tenant may not).
    #[must_use]
    pub fn has_accounts(&self) -> bool {
        matches!(&self.session.actor.principal, Principal::Resident { accounts, .. } if !accounts.is_empty())
    }

    /// The page chrome, with `current` marked in the navigation.
    #[must_use]
    pub fn chrome(&self, current: &str) -> Chrome {
        let mut chrome = Chrome::new(
            &self.org.name,
            "ResidencePort",
            &self.org.brand_colour,
            self.dev_mode,
        );
        chrome.user_name = Some(self.session.contact.display_name());
        chrome.logo = logo_src(&self.org);
        chrome.csrf = self.session.csrf_token.clone();
        // Signing out turns this browser's notifications off too.
        chrome.script = Some(crate::doors::assets::push_script_src());
        chrome.nav = NAV
            .iter()
            .filter(|(_, href)| *href != "/account" || self.has_accounts())
            .map(|(label, href)| NavItem {
                label,
                href,
                current: *href == current,
            })
            .collect();
        chrome
    }
}

const NAV: &[(&str, &str)] = &[
    ("Home", "/"),
    ("Account", "/account"),
    ("Requests", "/requests"),
    ("Notices", "/notices"),
    ("Documents", "/documents"),
    ("Profile", "/profile"),
];

/// The organisation a portal's host names, and the session cookie its visitor carries; a
/// visitor without one is asked to sign in.
pub(super) fn signed_in_to(parts: &Parts, app: &App) -> Result<(Organisation, String), AppError> {
    let org = parts
        .extensions
        .get::<OrgContext>()
        .ok_or(AppError::NotFound)?
        .0
        .clone();
    let token = cookie(&parts.headers, app, CookieName::Session).ok_or(AppError::SignInRequired)?;
    Ok((org, token))
}

impl FromRequestParts<App> for Resident {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let (org, token) = signed_in_to(parts, app)?;
        let session = auth::resident_session(app, &org, &token)
            .await?
            .ok_or(AppError::SignInRequired)?;
        Ok(Resident {
            org,
            session,
            dev_mode: app.config.dev,
        })
    }
}
