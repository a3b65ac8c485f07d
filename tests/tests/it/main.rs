//! PropLink's cross-crate tests, one binary. Each test starts its own server over a fresh
//! database: SQLite by default, PostgreSQL when `PROPLINK_TEST_DATABASE` names a server.

mod audit;
mod crash;
mod csrf;
mod demo;
mod doors;
mod ledger;
mod sign_in;
mod sync;
mod tenancy;
