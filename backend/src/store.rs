//! The store: the only code that speaks SQL.
//!
//! One code path serves SQLite and PostgreSQL: portable SQL with `$n` placeholders, each
//! database with its own migrations of the same version. Every query on tenant data takes an
//! [`OrgId`] and filters by it; lists take a [`Scope`](proplink_shared::scope::Scope) and put it
//! in their `WHERE` clause.
//!
//! What leaves the store is typed: read models with real dates, instants, booleans and the
//! enums of `shared`; the rows themselves never do.

pub mod arrears;
pub mod audit;
pub mod auth;
mod columns;
pub mod contractor_links;
pub mod dashboard;
mod db;
pub mod files;
pub mod finance;
pub mod mail;
pub mod notices;
pub mod occurrences;
pub mod orgs;
pub mod payments;
pub mod people;
pub mod places;
pub mod push;
pub mod query;
pub mod regulators;
pub mod requests;
pub mod residents;
mod sql;
pub mod sync;
pub mod thread;
pub mod vendors;
pub mod work_orders;

pub use columns::date_text;
pub use db::{Conn, Db, DbError, DbResult, Dialect, Heard, Tx, redact};
pub use proplink_shared::OrgId;
pub use sql::{Cell, DecodeError, FromCell, FromRow, Row, ToValue, Value};

use crate::params;

/// The next number in an organisation's series (`TKT` 2026 → 42), taken inside the caller's
/// transaction so two writers never get the same one.
pub async fn next_number(conn: &mut Conn, org: OrgId, prefix: &str, year: i32) -> DbResult<i64> {
    conn.scalar(
        "INSERT INTO record_counters (organisation_id, prefix, year, last_number) VALUES ($1, $2, $3, 1) \
         ON CONFLICT (organisation_id, prefix, year) DO UPDATE SET last_number = record_counters.last_number + 1 \
         RETURNING last_number",
        params![org, prefix, year],
    )
    .await
}
