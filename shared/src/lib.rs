//! PropLink's domain, shared by the server and the Facility Report app: typed ids, money,
//! records and their validation, state machines, permission rules and audit wording.
//!
//! Nothing here does I/O, reads the clock or is async, so the phone and the server run
//! exactly the same rules.

pub mod apportion;
pub mod audit;
pub mod authz;
pub mod colour;
pub mod ids;
pub mod london;
pub mod mentions;
pub mod money;
pub mod notifications;
pub mod records;
pub mod scope;
pub mod states;
pub mod sync;
pub mod working_days;

pub use authz::{
    Action, Actor, Denied, Domain, Principal, Resource, Role, SiteScope, WorkStep, authorize,
};
pub use ids::*;
pub use money::Money;
pub use scope::{Filter, Scope};
