//! Typed ids: a `UnitId` can never be passed where a `SiteId` is expected.
//!
//! Ids are UUIDv7 (time-ordered), stored as their hyphenated text form so both databases
//! sort and compare them the same way.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! typed_id {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, format = Uuid))]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A fresh id; `now_v7` keeps ids roughly in creation order.
            #[must_use]
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl From<Uuid> for $name {
            fn from(u: Uuid) -> Self {
                Self(u)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    )*};
}

typed_id!(
    /// An organisation: the tenant boundary.
    OrgId,
    /// A staff user of one organisation.
    StaffUserId,
    SiteId,
    BuildingId,
    UnitId,
    /// A person known to an organisation: leaseholder, tenant, vendor contact…
    ContactId,
    VendorId,
    InvoiceId,
    PaymentId,
    CreditNoteId,
    TicketId,
    IssueId,
    WorkOrderId,
    QuoteId,
    CertificateId,
    NoticeId,
    DocumentId,
    AuditEventId,
    /// An account of the Building Safety Regulator, granted per building.
    RegulatorId,
);
