//! The PropLink server: one binary hosting the admin app, the portals and the JSON API.
//!
//! Layers, top to bottom: [`doors`] (HTTP handlers and templates), [`services`] (rules,
//! permissions, transactions with their audit events) and [`store`] (the only SQL).

pub mod app;
pub mod clock;
pub mod config;
pub mod demo;
pub mod doors;
pub mod error;
pub mod read_cache;
pub mod secrets;
pub mod services;
pub mod store;

pub use app::App;
