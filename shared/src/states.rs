//! The life cycles of tickets, issues, work orders and invoices.
//!
//! Each state machine answers one question — may this record move from here to there? — so
//! the admin app, the portals and the offline app refuse the same stale or impossible moves.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A move the state machine does not allow, worded for the person who tried it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("This {record} is {from} and cannot be moved to {to}")]
pub struct InvalidTransition {
    pub record: &'static str,
    pub from: &'static str,
    pub to: &'static str,
}

/// A stored status text that names no state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {record} status {value:?}")]
pub struct UnknownStatus {
    pub record: &'static str,
    pub value: String,
}

macro_rules! state_machine {
    (
        $(#[$doc:meta])*
        $name:ident, $record:literal {
            $($variant:ident => $code:literal, $label:tt;)*
        }
        transitions { $($from:ident -> [$($to:ident),*];)* }
        terminal [$($terminal:ident),*]
    ) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The stored form, e.g. `in_progress`.
            #[must_use]
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),* }
            }

            /// What a person reads, e.g. "In progress".
            #[must_use]
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),* }
            }

            /// The states reachable in one step from `self`.
            #[must_use]
            pub fn next_states(self) -> &'static [$name] {
                match self {
                    $($name::$from => &[$($name::$to),*],)*
                    #[allow(unreachable_patterns)]
                    _ => &[],
                }
            }

            /// The state a stored code names.
            #[must_use]
            pub fn from_code(code: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|s| s.code() == code)
            }

            /// A state no work leaves (it may still be reopened where `next_states` says so).
            #[must_use]
            pub fn is_terminal(self) -> bool {
                matches!(self, $($name::$terminal)|*)
            }

            /// Checks the move `self → to`.
            pub fn transition(self, to: $name) -> Result<$name, InvalidTransition> {
                if self.next_states().contains(&to) {
                    Ok(to)
                } else {
                    Err(InvalidTransition {
                        record: $record,
                        from: self.label_lower(),
                        to: to.label_lower(),
                    })
                }
            }

            fn label_lower(self) -> &'static str {
                // Sentences read "is in progress", not "is In progress".
                match self { $($name::$variant => lower!($label)),* }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.label())
            }
        }

        impl FromStr for $name {
            type Err = UnknownStatus;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($code => Ok($name::$variant),)*
                    other => Err(UnknownStatus { record: $record, value: other.to_owned() }),
                }
            }
        }
    };
}

/// Lower-case labels are spelt out once here so they stay `&'static str`.
macro_rules! lower {
    ("Open") => {
        "open"
    };
    ("In progress") => {
        "in progress"
    };
    ("Waiting on customer") => {
        "waiting on the customer"
    };
    ("Closed") => {
        "closed"
    };
    ("Triaged") => {
        "triaged"
    };
    ("Assigned") => {
        "assigned"
    };
    ("Resolved") => {
        "resolved"
    };
    ("Dismissed") => {
        "dismissed"
    };
    ("Draft") => {
        "draft"
    };
    ("Sent for quote") => {
        "sent for quote"
    };
    ("Quoted") => {
        "quoted"
    };
    ("Approved") => {
        "approved"
    };
    ("Completed") => {
        "completed"
    };
    ("Pending review") => {
        "pending review"
    };
    ("Cancelled") => {
        "cancelled"
    };
    ("Pending approval") => {
        "pending approval"
    };
    ("Sent") => {
        "sent"
    };
    ("Paid") => {
        "paid"
    };
    ("Voided") => {
        "voided"
    };
    ("Notice sent to the Regulator") => {
        "notified to the Regulator"
    };
    ("Report sent to the Regulator") => {
        "reported to the Regulator"
    };
    ("Not a mandatory occurrence") => {
        "dismissed as not a mandatory occurrence"
    };
}

state_machine! {
    /// A ticket (a "request" on ResidencePort). Closing needs a [`CloseReason`]; a closed
    /// ticket may be reopened.
    TicketStatus, "request" {
        Open => "open", "Open";
        InProgress => "in_progress", "In progress";
        WaitingOnCustomer => "waiting_on_customer", "Waiting on customer";
        Closed => "closed", "Closed";
    }
    transitions {
        Open -> [InProgress, WaitingOnCustomer, Closed];
        InProgress -> [WaitingOnCustomer, Closed, Open];
        WaitingOnCustomer -> [InProgress, Closed, Open];
        Closed -> [Open];
    }
    terminal [Closed]
}

state_machine! {
    /// A mandatory occurrence report to the Building Safety Regulator: drafted (from a
    /// resident's concern, an issue or by hand), its notice sent, then the full report; or
    /// dismissed with a reason when it does not meet the test. Nothing is ever deleted.
    OccurrenceStatus, "occurrence report" {
        Draft => "draft", "Draft";
        Notified => "notified", "Notice sent to the Regulator";
        Reported => "reported", "Report sent to the Regulator";
        Dismissed => "dismissed", "Not a mandatory occurrence";
    }
    transitions {
        Draft -> [Notified, Dismissed];
        Notified -> [Reported];
    }
    terminal [Reported, Dismissed]
}

state_machine! {
    /// An on-site finding. Dismissing needs a reason.
    IssueStatus, "issue" {
        Open => "open", "Open";
        Triaged => "triaged", "Triaged";
        Assigned => "assigned", "Assigned";
        Resolved => "resolved", "Resolved";
        Dismissed => "dismissed", "Dismissed";
    }
    transitions {
        Open -> [Triaged, Assigned, Resolved, Dismissed];
        Triaged -> [Assigned, Resolved, Dismissed];
        Assigned -> [Resolved, Dismissed];
    }
    terminal [Resolved, Dismissed]
}

state_machine! {
    /// Costed work for a contractor. A draft is inert until a contractor is invited.
    WorkOrderStatus, "work order" {
        Draft => "draft", "Draft";
        SentForQuote => "sent_for_quote", "Sent for quote";
        Quoted => "quoted", "Quoted";
        Approved => "approved", "Approved";
        InProgress => "in_progress", "In progress";
        Completed => "completed", "Completed";
        PendingReview => "pending_review", "Pending review";
        Closed => "closed", "Closed";
        Cancelled => "cancelled", "Cancelled";
    }
    transitions {
        Draft -> [SentForQuote, Cancelled];
        SentForQuote -> [Quoted, Cancelled];
        Quoted -> [Approved, SentForQuote, Cancelled];
        Approved -> [InProgress, Cancelled];
        InProgress -> [Completed, Cancelled];
        Completed -> [PendingReview, Closed];
        PendingReview -> [Closed, InProgress];
    }
    terminal [Closed, Cancelled]
}

state_machine! {
    /// A debtor invoice. Once sent it is never edited: it is credited instead.
    InvoiceStatus, "invoice" {
        Draft => "draft", "Draft";
        PendingApproval => "pending_approval", "Pending approval";
        Approved => "approved", "Approved";
        Sent => "sent", "Sent";
        Paid => "paid", "Paid";
        Voided => "voided", "Voided";
    }
    transitions {
        Draft -> [PendingApproval, Voided];
        PendingApproval -> [Approved, Draft, Voided];
        Approved -> [Sent, Paid, Voided];
        Sent -> [Paid, Voided];
    }
    terminal [Paid, Voided]
}

impl InvoiceStatus {
    /// Only a draft can be edited; everything after is corrected with a credit note.
    #[must_use]
    pub fn is_editable(self) -> bool {
        self == InvoiceStatus::Draft
    }

    /// Whether an invoice due on `due` is in arrears on `today`: posted, not settled, past due.
    #[must_use]
    pub fn is_overdue(self, due: time::Date, today: time::Date) -> bool {
        self.is_posted() && !self.is_terminal() && due < today
    }

    /// Whether the invoice counts towards the unit's balance (it has been posted).
    #[must_use]
    pub fn is_posted(self) -> bool {
        matches!(
            self,
            InvoiceStatus::Approved | InvoiceStatus::Sent | InvoiceStatus::Paid
        )
    }
}

impl WorkOrderStatus {
    /// Where works stand, as residents are told on BuildingThread.
    #[must_use]
    pub fn as_residents_see_it(self) -> &'static str {
        match self {
            WorkOrderStatus::Completed | WorkOrderStatus::Closed => "Done",
            WorkOrderStatus::PendingReview => "Being checked",
            WorkOrderStatus::Approved | WorkOrderStatus::InProgress => "Under way",
            WorkOrderStatus::Cancelled => "Cancelled",
            WorkOrderStatus::Draft | WorkOrderStatus::SentForQuote | WorkOrderStatus::Quoted => {
                "Being arranged"
            }
        }
    }

    /// The moves site staff may make from the field; awarding, closing and cancelling stay
    /// with the office.
    #[must_use]
    pub fn is_field_move(self) -> bool {
        matches!(
            self,
            WorkOrderStatus::InProgress
                | WorkOrderStatus::Completed
                | WorkOrderStatus::PendingReview
        )
    }

    /// Whether a contractor may still be invited to quote.
    #[must_use]
    pub fn takes_invitations(self) -> bool {
        matches!(
            self,
            WorkOrderStatus::Draft | WorkOrderStatus::SentForQuote | WorkOrderStatus::Quoted
        )
    }

    /// Whether the contractor awarded the work is doing it: reporting progress, filing
    /// certificates, marking it complete. Once it is complete it is read-only to them, unless
    /// the office sends it back.
    #[must_use]
    pub fn under_way(self) -> bool {
        matches!(
            self,
            WorkOrderStatus::Approved | WorkOrderStatus::InProgress
        )
    }

    /// Whether a quote may still be submitted.
    #[must_use]
    pub fn takes_quotes(self) -> bool {
        matches!(
            self,
            WorkOrderStatus::SentForQuote | WorkOrderStatus::Quoted
        )
    }

    /// Whether a contractor's link still opens the work order.
    #[must_use]
    pub fn is_open_to_contractor(self) -> bool {
        !self.is_terminal() && self != WorkOrderStatus::Draft
    }
}

/// Why a ticket was closed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CloseReason {
    Resolved,
    NoResponse,
    Duplicate,
    OutOfScope,
}

impl CloseReason {
    pub const ALL: &'static [CloseReason] = &[
        CloseReason::Resolved,
        CloseReason::NoResponse,
        CloseReason::Duplicate,
        CloseReason::OutOfScope,
    ];

    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            CloseReason::Resolved => "resolved",
            CloseReason::NoResponse => "no_response",
            CloseReason::Duplicate => "duplicate",
            CloseReason::OutOfScope => "out_of_scope",
        }
    }

    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            CloseReason::Resolved => "Resolved",
            CloseReason::NoResponse => "No response",
            CloseReason::Duplicate => "Duplicate",
            CloseReason::OutOfScope => "Out of scope",
        }
    }

    #[must_use]
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|r| r.code() == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_field_moves_invitations_and_quotes_follow_the_life_cycle() {
        use WorkOrderStatus::*;
        // From the field: starting, finishing and handing over; never awarding or closing.
        let field: Vec<_> = WorkOrderStatus::ALL
            .iter()
            .copied()
            .filter(|s| s.is_field_move())
            .collect();
        assert_eq!(field, [InProgress, Completed, PendingReview]);
        // Invitations until a quote is accepted; quotes only once someone was invited.
        for s in WorkOrderStatus::ALL {
            assert_eq!(
                s.takes_invitations(),
                matches!(s, Draft | SentForQuote | Quoted),
                "{s:?}"
            );
            assert_eq!(
                s.takes_quotes(),
                matches!(s, SentForQuote | Quoted),
                "{s:?}"
            );
            assert!(!(s.is_terminal() && s.is_open_to_contractor()), "{s:?}");
        }
        // Every field move is reachable by one transition from a state before it.
        for to in field {
            assert!(
                WorkOrderStatus::ALL
                    .iter()
                    .any(|from| from.next_states().contains(&to)),
                "{to:?} is reached by no transition"
            );
        }
    }

    #[test]
    fn codes_round_trip_for_every_state() {
        for s in TicketStatus::ALL {
            assert_eq!(s.code().parse::<TicketStatus>(), Ok(*s));
        }
        for s in IssueStatus::ALL {
            assert_eq!(s.code().parse::<IssueStatus>(), Ok(*s));
        }
        for s in WorkOrderStatus::ALL {
            assert_eq!(s.code().parse::<WorkOrderStatus>(), Ok(*s));
        }
        for s in InvoiceStatus::ALL {
            assert_eq!(s.code().parse::<InvoiceStatus>(), Ok(*s));
        }
        assert!("nonsense".parse::<InvoiceStatus>().is_err());
    }

    #[test]
    fn work_order_follows_its_life_cycle() {
        use WorkOrderStatus::*;
        let path = [
            Draft,
            SentForQuote,
            Quoted,
            Approved,
            InProgress,
            Completed,
            PendingReview,
            Closed,
        ];
        for pair in path.windows(2) {
            assert_eq!(pair[0].transition(pair[1]), Ok(pair[1]));
        }
        let err = Closed.transition(InProgress).unwrap_err();
        assert_eq!(
            err.to_string(),
            "This work order is closed and cannot be moved to in progress"
        );
        assert!(Draft.transition(Approved).is_err());
        assert!(Cancelled.next_states().is_empty());
    }

    #[test]
    fn terminal_states_have_no_way_out_except_reopening_tickets() {
        for s in WorkOrderStatus::ALL.iter().filter(|s| s.is_terminal()) {
            assert!(s.next_states().is_empty(), "{s:?}");
        }
        for s in InvoiceStatus::ALL.iter().filter(|s| s.is_terminal()) {
            assert!(s.next_states().is_empty(), "{s:?}");
        }
        for s in IssueStatus::ALL.iter().filter(|s| s.is_terminal()) {
            assert!(s.next_states().is_empty(), "{s:?}");
        }
        assert_eq!(TicketStatus::Closed.next_states(), &[TicketStatus::Open]);
    }

    #[test]
    fn only_posted_unsettled_invoices_past_due_are_overdue() {
        use time::macros::date;
        let (due, today) = (date!(2026 - 05 - 01), date!(2026 - 05 - 02));
        assert!(InvoiceStatus::Sent.is_overdue(due, today));
        assert!(!InvoiceStatus::Sent.is_overdue(today, today));
        assert!(!InvoiceStatus::Draft.is_overdue(due, today));
        assert!(!InvoiceStatus::Paid.is_overdue(due, today));
    }

    #[test]
    fn sent_invoices_are_never_edited() {
        assert!(InvoiceStatus::Draft.is_editable());
        for s in InvoiceStatus::ALL
            .iter()
            .filter(|s| **s != InvoiceStatus::Draft)
        {
            assert!(!s.is_editable());
        }
        assert!(
            InvoiceStatus::Sent
                .transition(InvoiceStatus::Draft)
                .is_err()
        );
    }

    #[test]
    fn no_state_moves_to_itself() {
        for s in WorkOrderStatus::ALL {
            assert!(s.transition(*s).is_err());
        }
    }
}
