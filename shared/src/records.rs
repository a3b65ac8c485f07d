//! The records every door reads and writes, as the values a person enters, with their
//! validation. A record that passes here is one the store may keep.

mod devices;
mod occurrences;
mod people;
mod places;
mod requests;
mod safety;
mod thread_access;
mod works;

pub use devices::*;
pub use occurrences::*;
pub use people::*;
pub use places::*;
pub use requests::*;
pub use safety::*;
pub use thread_access::*;
pub use works::*;

use serde::Serialize;

/// One thing wrong with what was entered, tied to the field it belongs to so a form can show
/// the message next to it (the GOV.UK error summary pattern).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    pub field: std::borrow::Cow<'static, str>,
    pub message: String,
}

/// Everything wrong with one submission, so a person fixes it all in one go.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{}", self.summary())]
pub struct ValidationErrors(pub Vec<FieldError>);

impl ValidationErrors {
    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.push(FieldError {
            field: std::borrow::Cow::Borrowed(field),
            message: message.into(),
        });
    }

    #[must_use]
    pub fn single(field: &'static str, message: impl Into<String>) -> Self {
        let mut e = Self::default();
        e.add(field, message);
        e
    }

    /// `Ok(value)` when nothing was added.
    pub fn into_result<T>(self, value: T) -> Result<T, ValidationErrors> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }

    #[must_use]
    pub fn summary(&self) -> String {
        self.0
            .iter()
            .map(|e| e.message.as_str())
            .collect::<Vec<_>>()
            .join("; ")
    }

    #[must_use]
    pub fn for_field(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

/// Trims `value` and checks it is present and not longer than `max` characters.
pub fn required_text(
    errors: &mut ValidationErrors,
    field: &'static str,
    label: &str,
    value: &str,
    max: usize,
) -> String {
    let value = value.trim();
    if value.is_empty() {
        errors.add(field, format!("Enter {label}"));
    } else if value.chars().count() > max {
        errors.add(
            field,
            format!("{} must be {max} characters or fewer", capitalise(label)),
        );
    }
    value.to_owned()
}

/// A date as a date field sends it (`YYYY-MM-DD`), or the message for its field.
pub fn date_field(
    errors: &mut ValidationErrors,
    field: &'static str,
    what: &str,
    text: &str,
) -> Option<time::Date> {
    let text = text.trim();
    if text.is_empty() {
        errors.add(field, format!("Enter the {what}"));
        return None;
    }
    let parsed = time::Date::parse(
        text,
        time::macros::format_description!("[year]-[month]-[day]"),
    );
    if parsed.is_err() {
        errors.add(field, format!("The {what} must be a real date"));
    }
    parsed.ok()
}

/// Like [`required_text`] but empty is allowed.
pub fn optional_text(
    errors: &mut ValidationErrors,
    field: &'static str,
    label: &str,
    value: &str,
    max: usize,
) -> String {
    let value = value.trim();
    if value.chars().count() > max {
        errors.add(
            field,
            format!("{} must be {max} characters or fewer", capitalise(label)),
        );
    }
    value.to_owned()
}

fn capitalise(label: &str) -> String {
    let label = label
        .strip_prefix("a ")
        .or_else(|| label.strip_prefix("an "))
        .or_else(|| label.strip_prefix("the "))
        .unwrap_or(label);
    let mut chars = label.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

coded_enum! {
    /// The kinds of record the audit trail and attached files refer to.
    RecordType {
        Organisation => "organisation", "Organisation";
        StaffUser => "staff_user", "Member of staff";
        Site => "site", "Site";
        Building => "building", "Building";
        Unit => "unit", "Unit";
        Contact => "contact", "Contact";
        Invoice => "invoice", "Invoice";
        Payment => "payment", "Payment";
        Ticket => "ticket", "Request";
        Issue => "issue", "Issue";
        WorkOrder => "work_order", "Work order";
        Vendor => "vendor", "Contractor";
        Notice => "notice", "Notice";
        Document => "document", "Document";
        Device => "device", "Device";
        GoldenThread => "golden_thread", "Golden thread";
        Regulator => "regulator", "Regulator's inspector";
    }
}

/// References people quote on the phone: `TKT-2026-0042`, `WO-2026-0007`, `INV-2026-0118`.
#[must_use]
pub fn reference(prefix: &str, year: i32, number: i64) -> String {
    format!("{prefix}-{year}-{number:04}")
}

macro_rules! coded_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $code:literal, $label:literal;)* }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            #[must_use]
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),* }
            }

            #[must_use]
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),* }
            }

            #[must_use]
            pub fn from_code(code: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|v| v.code() == code)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.label())
            }
        }
    };
}
pub(crate) use coded_enum;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_zero_padded() {
        assert_eq!(reference("TKT", 2026, 42), "TKT-2026-0042");
        assert_eq!(reference("WO", 2026, 12345), "WO-2026-12345");
    }

    #[test]
    fn text_rules() {
        let mut e = ValidationErrors::default();
        assert_eq!(
            required_text(&mut e, "title", "a title", "  Leak ", 10),
            "Leak"
        );
        assert!(e.0.is_empty());
        required_text(&mut e, "title", "a title", "   ", 10);
        required_text(&mut e, "body", "a description", "x".repeat(11).as_str(), 10);
        assert_eq!(e.for_field("title"), Some("Enter a title"));
        assert_eq!(
            e.for_field("body"),
            Some("Description must be 10 characters or fewer")
        );
    }
}
