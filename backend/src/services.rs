//! Services: one module per resource. Each takes an [`Actor`] and typed input, checks
//! [`authorize`], and makes its change through a [`change::Change`], which writes the change's
//! audit event (and any mail) in the same transaction.
//!
//! Lists ask the store for the actor's [`Scope`](proplink_shared::Scope): the database returns
//! only what the actor may see, a page at a time.
//!
//! What pages read is remembered until the organisation next changes ([`remember`]); a single
//! record is judged by `authorize` after it is read, remembered or not.

pub mod audit;
pub mod auth;
pub mod change;
pub mod contractor_links;
pub mod dashboard;
pub mod documents;
pub mod files;
pub mod golden_thread;
pub mod issues;
pub mod ledger;
pub mod mail;
pub mod maintenance;
pub mod notices;
pub mod orgs;
pub mod payments;
pub mod people;
pub mod places;
pub mod push;
pub mod quotes;
pub mod requests;
pub mod residents;
pub mod settings;
pub mod staff;
pub mod sync;
pub mod tickets;
pub mod vendors;
pub mod work_orders;

use std::future::Future;

use proplink_shared::{Action, Actor, OrgId, Resource, Scope, authorize};

use crate::app::App;
use crate::error::{AppError, AppResult};

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

/// A list or count read for `scope`, remembered until the organisation next changes (see
/// [`crate::read_cache`]). `what` names the read and every value it depends on but the scope.
pub(crate) async fn remember<T, F, Fut>(
    app: &App,
    scope: &Scope,
    what: String,
    load: F,
) -> AppResult<T>
where
    T: Clone + Send + Sync + 'static,
    F: FnOnce() -> Fut,
    Fut: Future<Output = AppResult<T>>,
{
    remember_in(app, scope.org, format!("{what} {:?}", scope.filter), load).await
}

/// A record of `org` and what belongs to it, remembered until the organisation next changes.
/// Not yet judged: the caller asks `authorize` about what it got.
pub(crate) async fn remember_in<T, F, Fut>(
    app: &App,
    org: OrgId,
    what: String,
    load: F,
) -> AppResult<T>
where
    T: Clone + Send + Sync + 'static,
    F: FnOnce() -> Fut,
    Fut: Future<Output = AppResult<T>>,
{
    app.reads.remember(org, what, load).await
}
