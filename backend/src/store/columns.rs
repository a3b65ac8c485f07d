//! How the domain's values are kept: ids, codes and statuses as text, money as integer pence,
//! calendar dates as `YYYY-MM-DD` text, instants as microseconds since the Unix epoch.

use std::borrow::Cow;

use proplink_shared::audit::{AuditAction, Channel};
use proplink_shared::authz::{Audience, Role};
use proplink_shared::ids::*;
use proplink_shared::money::Money;
use proplink_shared::records::*;
use proplink_shared::states::*;
use time::{Date, OffsetDateTime};

use super::sql::{Cell, DecodeError, FromCell, ToValue, Value, from_text};
use crate::clock::{from_micros, to_micros};

macro_rules! id_columns {
    ($($t:ty),* $(,)?) => {$(
        impl ToValue for $t {
            fn to_value(&self) -> Value<'_> {
                Value::Text(Cow::Owned(self.to_string()))
            }
        }

        impl FromCell for $t {
            fn from_cell(cell: Cell<'_>) -> Result<Self, DecodeError> {
                from_text(cell, stringify!($t), |t| t.parse().ok())
            }
        }
    )*};
}

macro_rules! coded_columns {
    ($($t:ty),* $(,)?) => {$(
        impl ToValue for $t {
            fn to_value(&self) -> Value<'_> {
                Value::Text(Cow::Borrowed(self.code()))
            }
        }

        impl FromCell for $t {
            fn from_cell(cell: Cell<'_>) -> Result<Self, DecodeError> {
                from_text(cell, stringify!($t), |t| <$t>::ALL.iter().copied().find(|v| v.code() == t))
            }
        }
    )*};
}

id_columns!(
    OrgId,
    StaffUserId,
    SiteId,
    BuildingId,
    UnitId,
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
    RegulatorId,
    uuid::Uuid,
);

coded_columns!(
    TicketStatus,
    OccurrenceStatus,
    IssueStatus,
    WorkOrderStatus,
    InvoiceStatus,
    CloseReason,
    Role,
    Channel,
    AuditAction,
    ContactKind,
    UnitRole,
    TicketCategory,
    Priority,
    IssueCategory,
    VatRate,
    PaymentMethod,
    InvoiceCategory,
    QuoteKind,
    ServiceCategory,
    CertificateKind,
    Audience,
    RecordType,
    EntryKind,
    CommunalArea,
);

impl ToValue for Money {
    fn to_value(&self) -> Value<'_> {
        Value::Int(self.pence())
    }
}

impl FromCell for Money {
    fn from_cell(cell: Cell<'_>) -> Result<Self, DecodeError> {
        i64::from_cell(cell).map(Money::from_pence)
    }
}

/// Calendar dates sort and compare as text in this form on both databases.
const DATE_FORMAT: &[time::format_description::BorrowedFormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");

impl ToValue for Date {
    fn to_value(&self) -> Value<'_> {
        Value::Text(Cow::Owned(date_text(*self)))
    }
}

impl FromCell for Date {
    fn from_cell(cell: Cell<'_>) -> Result<Self, DecodeError> {
        from_text(cell, "date", |t| Date::parse(t, DATE_FORMAT).ok())
    }
}

/// A date as the store keeps it.
#[must_use]
pub fn date_text(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

impl ToValue for OffsetDateTime {
    fn to_value(&self) -> Value<'_> {
        Value::Int(to_micros(*self))
    }
}

impl FromCell for OffsetDateTime {
    fn from_cell(cell: Cell<'_>) -> Result<Self, DecodeError> {
        i64::from_cell(cell).map(from_micros)
    }
}
