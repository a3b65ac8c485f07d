//! Tickets (ResidencePort "requests") and on-site issues, with SLAs.

use time::{Duration, OffsetDateTime, Weekday};

use super::{ValidationErrors, coded_enum, optional_text, required_text};

coded_enum! {
    TicketCategory {
        Maintenance => "maintenance", "Maintenance";
        Complaint => "complaint", "Complaint";
        Query => "query", "Query";
        AntisocialBehaviour => "antisocial_behaviour", "Antisocial behaviour";
        Compliance => "compliance", "Compliance";
        Insurance => "insurance", "Insurance";
        Account => "account", "Account";
        Other => "other", "Other";
    }
}

impl TicketCategory {
    /// The priority a request of this category starts with when a resident raises it; staff
    /// change it at triage. An emergency is urgent whatever its category.
    #[must_use]
    pub fn resident_priority(self, emergency: bool) -> Priority {
        match self {
            _ if emergency => Priority::Urgent,
            TicketCategory::AntisocialBehaviour | TicketCategory::Compliance => Priority::High,
            TicketCategory::Maintenance | TicketCategory::Complaint | TicketCategory::Insurance => {
                Priority::Medium
            }
            TicketCategory::Query | TicketCategory::Account | TicketCategory::Other => {
                Priority::Low
            }
        }
    }
}

coded_enum! {
    /// A shared part of a building, where residents report problems that are nobody's home.
    CommunalArea {
        Entrance => "entrance", "Entrance and lobby";
        Stairs => "stairs", "Stairs and corridors";
        Lifts => "lifts", "Lifts";
        CarPark => "car_park", "Car park and garages";
        Bins => "bins", "Bin store";
        Grounds => "grounds", "Gardens and grounds";
        Roof => "roof", "Roof and gutters";
        Outside => "outside", "Outside walls, windows and doors";
        Other => "other", "Another shared area";
    }
}

coded_enum! {
    /// Priority of a ticket, issue or work order.
    Priority {
        Urgent => "urgent", "Urgent";
        High => "high", "High";
        Medium => "medium", "Medium";
        Low => "low", "Low";
    }
}

coded_enum! {
    IssueCategory {
        WaterLeak => "water_leak", "Water leak";
        LightingFault => "lighting_fault", "Lighting fault";
        FireSafety => "fire_safety", "Fire safety";
        Security => "security", "Security";
        Cleanliness => "cleanliness", "Cleanliness";
        Other => "other", "Other";
    }
}

coded_enum! {
    /// An entry in a ticket's thread: a message the reporter sees, or a note only staff see.
    EntryKind {
        Message => "message", "Message";
        InternalNote => "internal_note", "Internal note";
    }
}

/// A service-level target: in clock hours or in working days (Monday to Friday).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SlaTarget {
    Hours(i64),
    WorkingDays(i64),
}

impl SlaTarget {
    /// When the target falls due for something that started at `start`.
    #[must_use]
    pub fn due(self, start: OffsetDateTime) -> OffsetDateTime {
        match self {
            SlaTarget::Hours(h) => start + Duration::hours(h),
            SlaTarget::WorkingDays(days) => {
                let mut due = start;
                let mut left = days;
                while left > 0 {
                    due += Duration::days(1);
                    if !matches!(due.weekday(), Weekday::Saturday | Weekday::Sunday) {
                        left -= 1;
                    }
                }
                due
            }
        }
    }
}

impl Priority {
    /// (first response, resolution) targets.
    #[must_use]
    pub fn sla(self) -> (SlaTarget, SlaTarget) {
        match self {
            Priority::Urgent => (SlaTarget::Hours(1), SlaTarget::Hours(24)),
            Priority::High => (SlaTarget::Hours(4), SlaTarget::WorkingDays(3)),
            Priority::Medium => (SlaTarget::WorkingDays(1), SlaTarget::WorkingDays(10)),
            Priority::Low => (SlaTarget::WorkingDays(3), SlaTarget::WorkingDays(30)),
        }
    }
}

coded_enum! {
    /// Green: on track; amber: within 25% of breach; red: breached.
    SlaBadge {
        Green => "green", "On track";
        Amber => "amber", "Due soon";
        Red => "red", "Overdue";
    }
}

/// The badge for a target that runs from `start` to `due`, seen at `now`.
#[must_use]
pub fn sla_badge(start: OffsetDateTime, due: OffsetDateTime, now: OffsetDateTime) -> SlaBadge {
    if now >= due {
        return SlaBadge::Red;
    }
    let total = (due - start).whole_seconds().max(1);
    let left = (due - now).whole_seconds();
    if left * 4 <= total {
        SlaBadge::Amber
    } else {
        SlaBadge::Green
    }
}

/// Where a request stands against one of its targets, as its reporter is told.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SlaState {
    /// Done by the target.
    Met,
    /// Done, but after the target.
    Missed,
    /// Not done yet, with the badge for the time left.
    Running(SlaBadge),
}

impl SlaState {
    /// The target running from `start` to `due`, done at `done` if it has been, seen at `now`.
    #[must_use]
    pub fn of(
        start: OffsetDateTime,
        due: OffsetDateTime,
        done: Option<OffsetDateTime>,
        now: OffsetDateTime,
    ) -> SlaState {
        match done {
            Some(at) if at <= due => SlaState::Met,
            Some(_) => SlaState::Missed,
            None => SlaState::Running(sla_badge(start, due, now)),
        }
    }

    /// In the reporter's words, with a tone for its tag.
    #[must_use]
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            SlaState::Met => ("Met", "green"),
            SlaState::Missed => ("Missed", "red"),
            SlaState::Running(SlaBadge::Green) => ("On track", "green"),
            SlaState::Running(SlaBadge::Amber) => ("Due soon", "amber"),
            SlaState::Running(SlaBadge::Red) => ("Overdue", "red"),
        }
    }
}

/// A new ticket, from any door.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewTicket {
    pub subject: String,
    pub body: String,
    pub category: TicketCategory,
    pub priority: Priority,
}

impl NewTicket {
    pub fn validate(
        subject: &str,
        body: &str,
        category: &str,
        priority: &str,
    ) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let subject = required_text(&mut errors, "subject", "a short summary", subject, 150);
        let body = required_text(
            &mut errors,
            "body",
            "a description of the problem",
            body,
            10_000,
        );
        let category = TicketCategory::from_code(category);
        if category.is_none() {
            errors.add("category", "Choose a category");
        }
        let priority = Priority::from_code(priority);
        if priority.is_none() {
            errors.add("priority", "Choose a priority");
        }
        match (category, priority) {
            (Some(category), Some(priority)) => errors.into_result(NewTicket {
                subject,
                body,
                category,
                priority,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod sla_tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn a_target_is_met_missed_or_running() {
        let start = datetime!(2026-05-04 09:00 UTC);
        let due = datetime!(2026-05-05 09:00 UTC);
        let early = Some(datetime!(2026-05-04 12:00 UTC));
        let late = Some(datetime!(2026-05-05 10:00 UTC));
        let now = datetime!(2026-05-06 09:00 UTC);
        assert_eq!(SlaState::of(start, due, early, now), SlaState::Met);
        assert_eq!(SlaState::of(start, due, late, now), SlaState::Missed);
        assert_eq!(
            SlaState::of(start, due, None, now),
            SlaState::Running(SlaBadge::Red)
        );
        assert_eq!(
            SlaState::of(start, due, None, datetime!(2026-05-04 10:00 UTC)),
            SlaState::Running(SlaBadge::Green)
        );
        assert_eq!(
            SlaState::of(start, due, None, datetime!(2026-05-05 04:00 UTC)).label(),
            ("Due soon", "amber")
        );
    }
}

/// A message or internal note on a ticket.
pub fn validate_message(body: &str) -> Result<String, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let body = required_text(&mut errors, "body", "a message", body, 10_000);
    errors.into_result(body)
}

/// A new on-site issue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewIssue {
    pub title: String,
    pub description: String,
    /// Where in the building: "Basement plant room", "Floor 3, east stairwell".
    pub location: String,
    pub category: IssueCategory,
    pub priority: Priority,
}

impl NewIssue {
    pub fn validate(
        title: &str,
        description: &str,
        location: &str,
        category: &str,
        priority: &str,
    ) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let title = required_text(&mut errors, "title", "a title", title, 150);
        let description = optional_text(
            &mut errors,
            "description",
            "the description",
            description,
            10_000,
        );
        let location = required_text(
            &mut errors,
            "location",
            "where in the building it is",
            location,
            200,
        );
        let category = IssueCategory::from_code(category);
        if category.is_none() {
            errors.add("category", "Choose a category");
        }
        let priority = Priority::from_code(priority);
        if priority.is_none() {
            errors.add("priority", "Choose a priority");
        }
        match (category, priority) {
            (Some(category), Some(priority)) => errors.into_result(NewIssue {
                title,
                description,
                location,
                category,
                priority,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn working_days_skip_weekends() {
        // Friday 10:00 + 1 working day = Monday 10:00.
        let friday = datetime!(2026-05-08 10:00 UTC);
        assert_eq!(
            SlaTarget::WorkingDays(1).due(friday),
            datetime!(2026-05-11 10:00 UTC)
        );
        assert_eq!(
            SlaTarget::WorkingDays(3).due(friday),
            datetime!(2026-05-13 10:00 UTC)
        );
        assert_eq!(
            SlaTarget::Hours(4).due(friday),
            datetime!(2026-05-08 14:00 UTC)
        );
    }

    #[test]
    fn badge_turns_amber_in_the_last_quarter_and_red_at_breach() {
        let start = datetime!(2026-05-08 10:00 UTC);
        let due = start + Duration::hours(4);
        assert_eq!(
            sla_badge(start, due, start + Duration::hours(2)),
            SlaBadge::Green
        );
        assert_eq!(
            sla_badge(start, due, start + Duration::hours(3)),
            SlaBadge::Amber
        );
        assert_eq!(sla_badge(start, due, due), SlaBadge::Red);
    }

    #[test]
    fn new_ticket_validation_reports_every_field() {
        let e = NewTicket::validate("", "", "plumbing", "").unwrap_err();
        assert_eq!(e.0.len(), 4);
        assert!(NewTicket::validate("Leak", "Water from ceiling", "maintenance", "high").is_ok());
    }
}
