//! Facility Report's core: the on-device store (SQLite, WAL), the read model of the user's
//! sites, the outbox of changes made offline, photo attachments, and the sync client.
//!
//! Everything a site manager does is written locally first — the change to the read model
//! and its outbox entry in one transaction — and reaches the server when signal returns,
//! exactly once and in order, even if the app is killed mid-sync. The rules come from
//! `proplink-shared`, so what the app allows offline is what the server accepts.

pub mod actions;
pub mod client;
pub mod error;
pub mod push;
pub mod store;
pub mod sync;
pub mod view;

pub use client::Client;
pub use error::CoreError;
pub use store::Store;
