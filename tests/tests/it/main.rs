//! PropLink's cross-crate tests, one binary. Each test starts its own server over a fresh
//! database: SQLite by default, PostgreSQL when `PROPLINK_TEST_DATABASE` names a server.

mod audit;
mod audit_search;
mod contractorport;
mod contractorport_work;
mod contractors;
mod crash;
mod csrf;
mod dashboard;
mod demo;
mod devices;
mod doors;
mod field_records;
mod hardening;
mod integrity;
mod ledger;
mod ledger_actions;
mod lists;
mod malformed;
mod notices_documents;
mod photos;
mod places_people;
mod push;
mod read_cache;
mod residenceport;
mod scope;
mod secrets;
mod settings;
mod sign_in;
mod staff;
mod stripe;
mod sync;
mod sync_input;
mod tenancy;
mod ticket_actions;
mod work_order_actions;
