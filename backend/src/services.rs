//! Services: one module per resource. Each takes an [`Actor`] and typed input, checks
//! [`authorize`], and makes its change through a [`change::Change`], which writes the change's
//! audit event (and any mail) in the same transaction.
//!
//! Lists ask the store for the actor's [`Scope`](proplink_shared::Scope): the database returns
//! only what the actor may see, a page at a time.

pub mod audit;
pub mod auth;
pub mod change;
pub mod documents;
pub mod files;
pub mod issues;
pub mod ledger;
pub mod mail;
pub mod maintenance;
pub mod notices;
pub mod orgs;
pub mod people;
pub mod places;
pub mod quotes;
pub mod sync;
pub mod tickets;
pub mod vendors;
pub mod work_orders;

use proplink_shared::{Action, Actor, Resource, authorize};

use crate::error::AppError;

/// Rows per page of a list.
pub const PAGE_SIZE: i64 = 25;

/// The permission check every service makes, as an error the doors render.
pub(crate) fn check(actor: &Actor, action: Action, resource: &Resource) -> Result<(), AppError> {
    authorize(actor, action, resource).map_err(AppError::from)
}

/// Today's date in London.
pub(crate) fn today(app: &crate::app::App) -> time::Date {
    proplink_shared::london::local(app.clock.now()).date()
}
