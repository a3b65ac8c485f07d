//! What a person hears about on their devices, and when: the kinds of push notification they
//! may turn off, and quiet hours (London time) during which all but urgent ones wait.

use time::{Duration, OffsetDateTime, Time};

use crate::london;
use crate::records::ValidationErrors;

/// The kinds of push notification a person can turn off.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PushKind {
    /// A reply on a resident's request.
    Replies,
    /// A resident's payment received.
    Payments,
    /// A notice for the resident's building.
    Notices,
    /// A new high-priority request on a site manager's site.
    Requests,
    /// A contractor's step on a work order the staff member sent.
    Contractors,
    /// A request or work order given to the staff member.
    Assigned,
    /// A colleague mentioning the staff member in a request's conversation.
    Mentions,
}

impl PushKind {
    pub const FOR_RESIDENTS: &'static [PushKind] =
        &[PushKind::Replies, PushKind::Payments, PushKind::Notices];
    pub const FOR_STAFF: &'static [PushKind] = &[
        PushKind::Requests,
        PushKind::Assigned,
        PushKind::Mentions,
        PushKind::Contractors,
    ];

    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            PushKind::Replies => "replies",
            PushKind::Payments => "payments",
            PushKind::Notices => "notices",
            PushKind::Requests => "requests",
            PushKind::Contractors => "contractors",
            PushKind::Assigned => "assigned",
            PushKind::Mentions => "mentions",
        }
    }

    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            PushKind::Replies => "Replies to my requests",
            PushKind::Payments => "Receipts for my payments",
            PushKind::Notices => "Notices for my building",
            PushKind::Requests => "New high-priority requests on my sites",
            PushKind::Contractors => "Contractors' quotes and work on my work orders",
            PushKind::Assigned => "Requests and work orders assigned to me",
            PushKind::Mentions => "When someone mentions me",
        }
    }

    #[must_use]
    pub fn from_code(code: &str) -> Option<PushKind> {
        [
            PushKind::Replies,
            PushKind::Payments,
            PushKind::Notices,
            PushKind::Requests,
            PushKind::Contractors,
            PushKind::Assigned,
            PushKind::Mentions,
        ]
        .into_iter()
        .find(|k| k.code() == code)
    }
}

/// Hours of the day, London time, when only urgent notifications are delivered at once; the
/// rest wait for the end. `from` after `until` spans midnight (22:00 to 07:00).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QuietHours {
    pub from: Time,
    pub until: Time,
}

impl QuietHours {
    /// Quiet hours from two `HH:MM` texts, both empty for none.
    pub fn parse(from: &str, until: &str) -> Result<Option<QuietHours>, ValidationErrors> {
        let (from, until) = (from.trim(), until.trim());
        let mut errors = ValidationErrors::default();
        if from.is_empty() && until.is_empty() {
            return Ok(None);
        }
        let format = time::macros::format_description!("[hour]:[minute]");
        let mut time = |field: &'static str, what: &str, text: &str| {
            Time::parse(text, format)
                .map_err(|_| {
                    errors.add(
                        field,
                        format!("Enter {what} as hours and minutes, like 22:00"),
                    )
                })
                .ok()
        };
        let parsed = (
            time("quiet_from", "when quiet hours start", from),
            time("quiet_until", "when quiet hours end", until),
        );
        if let (Some(f), Some(u)) = parsed
            && f == u
        {
            errors.add(
                "quiet_until",
                "Quiet hours must end at another time than they start",
            );
        }
        match parsed {
            (Some(from), Some(until)) => errors.into_result(Some(QuietHours { from, until })),
            _ => Err(errors),
        }
    }

    /// Whether `at` (London time) falls within quiet hours.
    #[must_use]
    pub fn contains(self, at: Time) -> bool {
        if self.from < self.until {
            self.from <= at && at < self.until
        } else {
            at >= self.from || at < self.until
        }
    }

    /// When a notification held at `now` may be delivered: now outside quiet hours, else at
    /// their end (London time).
    #[must_use]
    pub fn release(self, now: OffsetDateTime) -> OffsetDateTime {
        let local = london::local(now);
        if !self.contains(local.time()) {
            return now;
        }
        let mut end = local.replace_time(self.until);
        if end <= local {
            end += Duration::days(1);
        }
        // The clocks change at 01:00 UTC, never inside an hour that matters here by more than
        // an hour: read the end again in the offset in force then.
        end.replace_offset(london::offset_at(end))
            .to_offset(time::UtcOffset::UTC)
    }

    #[must_use]
    pub fn text(self) -> (String, String) {
        let format = time::macros::format_description!("[hour]:[minute]");
        (
            self.from.format(format).unwrap_or_default(),
            self.until.format(format).unwrap_or_default(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{datetime, time};

    #[test]
    fn quiet_hours_span_midnight_and_release_at_their_end() {
        let q = QuietHours::parse("22:00", "07:00")
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_else(|| panic!("none"));
        assert!(q.contains(time!(23:30)));
        assert!(q.contains(time!(03:00)));
        assert!(!q.contains(time!(07:00)));
        assert!(!q.contains(time!(12:00)));
        // 23:30 UTC in December is 23:30 in London: released at 07:00 the next morning.
        assert_eq!(
            q.release(datetime!(2026-12-01 23:30 UTC)),
            datetime!(2026-12-02 07:00 UTC)
        );
        // In summer London is an hour ahead: 05:30 BST is 04:30 UTC; released at 07:00 BST.
        assert_eq!(
            q.release(datetime!(2026-07-01 04:30 UTC)),
            datetime!(2026-07-01 06:00 UTC)
        );
        // Outside: now.
        assert_eq!(
            q.release(datetime!(2026-12-01 12:00 UTC)),
            datetime!(2026-12-01 12:00 UTC)
        );
        let day = QuietHours::parse("09:00", "17:00")
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_else(|| panic!("none"));
        assert!(day.contains(time!(12:00)) && !day.contains(time!(18:00)));
    }

    #[test]
    fn quiet_hours_are_both_times_or_none() {
        assert_eq!(QuietHours::parse("", ""), Ok(None));
        assert!(QuietHours::parse("22:00", "").is_err());
        assert!(QuietHours::parse("25:00", "07:00").is_err());
        assert!(QuietHours::parse("07:00", "07:00").is_err());
    }

    #[test]
    fn kinds_read_back_from_their_codes() {
        for k in PushKind::FOR_RESIDENTS.iter().chain(PushKind::FOR_STAFF) {
            assert_eq!(PushKind::from_code(k.code()), Some(*k));
        }
        assert_eq!(PushKind::from_code("spam"), None);
    }
}
