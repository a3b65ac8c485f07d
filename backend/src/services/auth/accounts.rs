//! The doors people sign in to, and whose account an address is on each: staff on the admin
//! app and Facility Report, residents on ResidencePort, residents of higher-risk buildings and
//! the Regulator's inspectors on BuildingThread.

use proplink_shared::OrgId;
use proplink_shared::audit::Channel;
use proplink_shared::records::RecordType;

use super::INSPECTOR_SESSIONS;
use crate::error::AppResult;
use crate::store::orgs::{self, StaffUser};
use crate::store::people::Contact;
use crate::store::regulators::Inspector;

/// The doors people sign in to. Each has its own sessions and codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Door {
    Admin,
    /// The site managers' app, through the JSON API.
    FacilityReport,
    /// Leaseholders and tenants.
    ResidencePort,
    /// Residents of higher-risk buildings, reading their building's golden thread, and the
    /// Building Safety Regulator's inspectors, reading the whole of it for the buildings the
    /// organisation granted them.
    BuildingThread,
}

impl Door {
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Door::Admin => "admin",
            Door::FacilityReport => "facility_report",
            Door::ResidencePort => "residenceport",
            Door::BuildingThread => "buildingthread",
        }
    }

    #[must_use]
    pub fn channel(self) -> Channel {
        match self {
            Door::Admin => Channel::Admin,
            Door::FacilityReport => Channel::FacilityReport,
            Door::ResidencePort => Channel::ResidencePort,
            Door::BuildingThread => Channel::BuildingThread,
        }
    }

    /// The product's name, as its pages and emails say it.
    #[must_use]
    pub fn product(self) -> &'static str {
        match self {
            Door::Admin => "PropLink",
            Door::FacilityReport => "Facility Report",
            Door::ResidencePort => "ResidencePort",
            Door::BuildingThread => "BuildingThread",
        }
    }

    /// Where a person lands once signed in.
    #[must_use]
    pub fn home(self) -> &'static str {
        match self {
            Door::Admin | Door::FacilityReport => "/dashboard",
            Door::ResidencePort | Door::BuildingThread => "/",
        }
    }
}

/// Who a sign-in code is for: a member of staff, a resident, or an inspector of the Building
/// Safety Regulator.
#[derive(Clone, Debug)]
pub enum Account {
    Staff(StaffUser),
    Resident(Contact),
    Inspector(Inspector),
}

impl Account {
    pub(super) fn id(&self) -> String {
        match self {
            Account::Staff(s) => s.id.to_string(),
            Account::Resident(c) => c.id.to_string(),
            Account::Inspector(i) => i.id.to_string(),
        }
    }

    #[must_use]
    pub fn name(&self) -> String {
        match self {
            Account::Staff(s) => s.name.clone(),
            Account::Resident(c) => c.display_name(),
            Account::Inspector(i) => i.name.clone(),
        }
    }

    pub(super) fn record(&self) -> RecordType {
        match self {
            Account::Staff(_) => RecordType::StaffUser,
            Account::Resident(_) => RecordType::Contact,
            Account::Inspector(_) => RecordType::Regulator,
        }
    }

    pub(super) fn kind(&self) -> &'static str {
        match self {
            Account::Staff(_) => "staff",
            Account::Resident(_) => "contact",
            Account::Inspector(_) => "regulator",
        }
    }

    /// The sessions its sign-in makes: an inspector's are kept apart from residents' on
    /// the same door, so neither can be taken for the other.
    pub(super) fn session_door(&self, door: Door) -> &'static str {
        match self {
            Account::Inspector(_) => INSPECTOR_SESSIONS,
            _ => door.code(),
        }
    }
}

pub(super) async fn account(
    conn: &mut crate::store::Conn,
    org: OrgId,
    door: Door,
    email: &str,
    now: time::OffsetDateTime,
) -> AppResult<Option<Account>> {
    match door {
        // Staff sign in to the admin app and the app alike; their role and scope decide the rest.
        Door::Admin | Door::FacilityReport => Ok(orgs::staff_by_email(conn, org, email)
            .await?
            .filter(|s| s.active && s.role.is_some())
            .map(Account::Staff)),
        // Residents linked to a unit today; a former occupant is not asked for a code.
        Door::ResidencePort => {
            let today = proplink_shared::london::local(now).date();
            Ok(
                crate::store::residents::resident_by_email(conn, org, email, today)
                    .await?
                    .map(Account::Resident),
            )
        }
        // Only residents of a higher-risk building, and inspectors holding a live grant, have a
        // golden thread to read; anyone else is answered the same, and sent nothing.
        Door::BuildingThread => {
            if let Some(inspector) =
                crate::store::regulators::inspector_by_email(conn, org, email).await?
                && crate::store::regulators::has_live_grant(conn, org, inspector.id, now).await?
            {
                return Ok(Some(Account::Inspector(inspector)));
            }
            let today = proplink_shared::london::local(now).date();
            let Some(contact) =
                crate::store::residents::resident_by_email(conn, org, email, today).await?
            else {
                return Ok(None);
            };
            let homes = crate::store::residents::homes(conn, org, contact.id, today).await?;
            Ok(homes
                .iter()
                .any(|h| h.in_higher_risk_building)
                .then_some(Account::Resident(contact)))
        }
    }
}
