//! How domain values are stored: ids, codes and statuses as text, money as integer pence.
//! Only with the `sqlx` feature; the phone's store has its own encodings.

use sqlx::any::{Any, AnyTypeInfo, AnyValueRef};
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::{Decode, Encode, Type};

use crate::audit::{AuditAction, Channel};
use crate::authz::{Audience, Role};
use crate::ids::*;
use crate::money::Money;
use crate::records::*;
use crate::states::*;

/// A value kept in a text column.
pub trait TextColumn: Sized {
    fn from_text(text: &str) -> Option<Self>;
    fn to_text(&self) -> String;
}

macro_rules! text_columns {
    ($($t:ty),* $(,)?) => {$(
        impl Type<Any> for $t {
            fn type_info() -> AnyTypeInfo {
                <String as Type<Any>>::type_info()
            }
            fn compatible(ty: &AnyTypeInfo) -> bool {
                <String as Type<Any>>::compatible(ty)
            }
        }

        impl<'r> Decode<'r, Any> for $t {
            fn decode(value: AnyValueRef<'r>) -> Result<Self, BoxDynError> {
                let text = <&str as Decode<Any>>::decode(value)?;
                <$t as TextColumn>::from_text(text)
                    .ok_or_else(|| format!("{text:?} is not a valid {}", stringify!($t)).into())
            }
        }

        impl<'q> Encode<'q, Any> for $t {
            fn encode_by_ref(&self, buf: &mut <Any as sqlx::Database>::ArgumentBuffer<'q>) -> Result<IsNull, BoxDynError> {
                <String as Encode<'q, Any>>::encode(self.to_text(), buf)
            }
        }
    )*};
}

macro_rules! id_columns {
    ($($t:ty),* $(,)?) => {$(
        impl TextColumn for $t {
            fn from_text(text: &str) -> Option<Self> {
                text.parse().ok()
            }
            fn to_text(&self) -> String {
                self.to_string()
            }
        }
        text_columns!($t);
    )*};
}

macro_rules! coded_columns {
    ($($t:ty),* $(,)?) => {$(
        impl TextColumn for $t {
            fn from_text(text: &str) -> Option<Self> {
                <$t>::ALL.iter().copied().find(|v| v.code() == text)
            }
            fn to_text(&self) -> String {
                self.code().to_owned()
            }
        }
        text_columns!($t);
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
    TicketId,
    IssueId,
    WorkOrderId,
    QuoteId,
    CertificateId,
    NoticeId,
    DocumentId,
    AuditEventId,
    RegulatorId,
);

coded_columns!(
    TicketStatus,
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
    QuoteKind,
    ServiceCategory,
    CertificateKind,
);

impl TextColumn for Audience {
    fn from_text(text: &str) -> Option<Self> {
        Audience::from_code(text)
    }
    fn to_text(&self) -> String {
        self.code().to_owned()
    }
}
text_columns!(Audience);

impl Type<Any> for Money {
    fn type_info() -> AnyTypeInfo {
        <i64 as Type<Any>>::type_info()
    }
    fn compatible(ty: &AnyTypeInfo) -> bool {
        <i64 as Type<Any>>::compatible(ty)
    }
}

impl<'r> Decode<'r, Any> for Money {
    fn decode(value: AnyValueRef<'r>) -> Result<Self, BoxDynError> {
        <i64 as Decode<Any>>::decode(value).map(Money::from_pence)
    }
}

impl<'q> Encode<'q, Any> for Money {
    fn encode_by_ref(
        &self,
        buf: &mut <Any as sqlx::Database>::ArgumentBuffer<'q>,
    ) -> Result<IsNull, BoxDynError> {
        <i64 as Encode<'q, Any>>::encode(self.pence(), buf)
    }
}
