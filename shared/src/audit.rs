//! What the audit trail says: which door an action came through, and the sentence a manager
//! reads ("Mr Patel paid £450.00 via ResidencePort on 10 May 2026").

use std::fmt;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::london;

/// The front door an action came through. Every audit event carries one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Admin,
    ResidencePort,
    ContractorPort,
    BuildingThread,
    FacilityReport,
    Api,
    System,
}

impl Channel {
    pub const ALL: &'static [Channel] = &[
        Channel::Admin,
        Channel::ResidencePort,
        Channel::ContractorPort,
        Channel::BuildingThread,
        Channel::FacilityReport,
        Channel::Api,
        Channel::System,
    ];

    /// The stored form.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Channel::Admin => "admin",
            Channel::ResidencePort => "residenceport",
            Channel::ContractorPort => "contractorport",
            Channel::BuildingThread => "buildingthread",
            Channel::FacilityReport => "facility_report",
            Channel::Api => "api",
            Channel::System => "system",
        }
    }

    /// The door's name as a person says it.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Channel::Admin => "the admin app",
            Channel::ResidencePort => "ResidencePort",
            Channel::ContractorPort => "ContractorPort",
            Channel::BuildingThread => "BuildingThread",
            Channel::FacilityReport => "Facility Report",
            Channel::Api => "the API",
            Channel::System => "PropLink",
        }
    }

    #[must_use]
    pub fn from_code(code: &str) -> Option<Channel> {
        Channel::ALL.iter().copied().find(|c| c.code() == code)
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// The kinds of event the trail records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    Create,
    Update,
    StatusChange,
    Archive,
    Restore,
    Approve,
    Reject,
    Send,
    Payment,
    Message,
    InternalNote,
    Upload,
    Download,
    /// Someone outside the organisation read a record: the Regulator's views are kept.
    View,
    SignIn,
    SignInFailed,
    SignOut,
    PermissionRefused,
}

impl AuditAction {
    pub const ALL: &'static [AuditAction] = &[
        AuditAction::Create,
        AuditAction::Update,
        AuditAction::StatusChange,
        AuditAction::Archive,
        AuditAction::Restore,
        AuditAction::Approve,
        AuditAction::Reject,
        AuditAction::Send,
        AuditAction::Payment,
        AuditAction::Message,
        AuditAction::InternalNote,
        AuditAction::Upload,
        AuditAction::Download,
        AuditAction::View,
        AuditAction::SignIn,
        AuditAction::SignInFailed,
        AuditAction::SignOut,
        AuditAction::PermissionRefused,
    ];

    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            AuditAction::Create => "create",
            AuditAction::Update => "update",
            AuditAction::StatusChange => "status_change",
            AuditAction::Archive => "archive",
            AuditAction::Restore => "restore",
            AuditAction::Approve => "approve",
            AuditAction::Reject => "reject",
            AuditAction::Send => "send",
            AuditAction::Payment => "payment",
            AuditAction::Message => "message",
            AuditAction::InternalNote => "internal_note",
            AuditAction::Upload => "upload",
            AuditAction::Download => "download",
            AuditAction::View => "view",
            AuditAction::SignIn => "sign_in",
            AuditAction::SignInFailed => "sign_in_failed",
            AuditAction::SignOut => "sign_out",
            AuditAction::PermissionRefused => "permission_refused",
        }
    }

    #[must_use]
    pub fn from_code(code: &str) -> Option<AuditAction> {
        AuditAction::ALL.iter().copied().find(|a| a.code() == code)
    }
}

/// The sentence shown in every trail: who did what, through which door, when (London date).
///
/// `what` is the verb phrase the service words for its record, e.g. "paid £450.00 towards
/// INV-2026-0007". Actions PropLink takes itself are not "via" anything.
#[must_use]
pub fn sentence(actor: &str, what: &str, channel: Channel, at: OffsetDateTime) -> String {
    let date = london::format_date(london::local(at).date());
    match channel {
        Channel::System => format!("{actor} {what} on {date}"),
        door => format!("{actor} {what} via {door} on {date}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn the_sentence_a_manager_reads() {
        let at = datetime!(2026-05-10 09:30 UTC);
        assert_eq!(
            sentence("Mr Patel", "paid £450.00", Channel::ResidencePort, at),
            "Mr Patel paid £450.00 via ResidencePort on 10 May 2026"
        );
        assert_eq!(
            sentence(
                "Sam Site",
                "logged issue \"Leak in plant room\"",
                Channel::FacilityReport,
                at
            ),
            "Sam Site logged issue \"Leak in plant room\" via Facility Report on 10 May 2026"
        );
        assert_eq!(
            sentence("PropLink", "sent a reminder", Channel::System, at),
            "PropLink sent a reminder on 10 May 2026"
        );
    }

    #[test]
    fn codes_round_trip() {
        for c in Channel::ALL {
            assert_eq!(Channel::from_code(c.code()), Some(*c));
        }
        for a in AuditAction::ALL {
            assert_eq!(AuditAction::from_code(a.code()), Some(*a));
        }
    }
}
