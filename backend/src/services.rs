//! Services: one module per aggregate. Each takes an [`Actor`] and typed input, checks
//! [`authorize`], and writes through the store in one transaction together with its audit
//! event (and any mail, queued in the same transaction).

pub mod audit;
pub mod auth;
pub mod files;
pub mod issues;
pub mod ledger;
pub mod mail;
pub mod orgs;
pub mod people;
pub mod places;
pub mod requests;
pub mod site_work;
pub mod sync;
pub mod works;

use proplink_shared::{Action, Actor, Resource, authorize};

use crate::error::AppError;

/// The permission check every service makes, as an error the doors render.
pub(crate) fn check(actor: &Actor, action: Action, resource: &Resource) -> Result<(), AppError> {
    authorize(actor, action, resource).map_err(AppError::from)
}

/// Keeps only the rows `actor` may read. Lists are filtered by the same rule as single records.
pub(crate) fn readable<T>(
    actor: &Actor,
    rows: Vec<T>,
    resource: impl Fn(&T) -> Resource,
) -> Vec<T> {
    rows.into_iter()
        .filter(|row| authorize(actor, Action::Read, &resource(row)).is_ok())
        .collect()
}

/// Today's date in London, as stored ('YYYY-MM-DD').
pub(crate) fn today(app: &crate::app::App) -> time::Date {
    proplink_shared::london::local(app.clock.now()).date()
}

pub(crate) fn date_text(d: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

pub(crate) fn parse_date(text: &str) -> Option<time::Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(text, &format).ok()
}
