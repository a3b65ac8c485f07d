//! Who may do what to which record: one pure function, [`authorize`], used by every service on
//! the server and by the offline app to decide what to offer.
//!
//! Two rules hold before any role is considered: a record of another organisation is
//! [`Denied::NotFound`] (it answers exactly like a record that does not exist), and a role
//! without a scope, or a scope without a role, grants nothing.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::audit::Channel;
use crate::ids::{
    BuildingId, ContactId, OrgId, RegulatorId, SiteId, StaffUserId, UnitId, VendorId, WorkOrderId,
};

/// The seven built-in staff roles.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    OrganisationOwner,
    Administrator,
    Manager,
    Accountant,
    SiteManager,
    MaintenanceCoordinator,
    ReadOnly,
}

impl Role {
    pub const ALL: &'static [Role] = &[
        Role::OrganisationOwner,
        Role::Administrator,
        Role::Manager,
        Role::Accountant,
        Role::SiteManager,
        Role::MaintenanceCoordinator,
        Role::ReadOnly,
    ];

    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Role::OrganisationOwner => "organisation_owner",
            Role::Administrator => "administrator",
            Role::Manager => "manager",
            Role::Accountant => "accountant",
            Role::SiteManager => "site_manager",
            Role::MaintenanceCoordinator => "maintenance_coordinator",
            Role::ReadOnly => "read_only",
        }
    }

    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Role::OrganisationOwner => "Organisation Owner",
            Role::Administrator => "Administrator",
            Role::Manager => "Manager",
            Role::Accountant => "Accountant",
            Role::SiteManager => "Site Manager",
            Role::MaintenanceCoordinator => "Maintenance Coordinator",
            Role::ReadOnly => "Read Only",
        }
    }

    #[must_use]
    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.iter().copied().find(|r| r.code() == code)
    }

    /// Whether someone with this role may give `role` to a member of staff, or take it away:
    /// only an owner makes or unmakes an owner; owners and administrators manage the rest.
    #[must_use]
    pub fn may_grant(self, role: Role) -> bool {
        match self {
            Role::OrganisationOwner => true,
            Role::Administrator => role != Role::OrganisationOwner,
            _ => false,
        }
    }

    /// Owners and administrators: who manage the organisation itself (its staff, its
    /// settings, the proof of its audit trail).
    #[must_use]
    pub fn administers(self) -> bool {
        matches!(self, Role::OrganisationOwner | Role::Administrator)
    }

    /// Whether the role works on chosen sites (and so needs at least one to grant anything),
    /// rather than across the organisation.
    #[must_use]
    pub fn is_site_based(self) -> bool {
        matches!(self, Role::SiteManager | Role::MaintenanceCoordinator)
    }
}

/// Which sites a staff user's role applies to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SiteScope {
    /// Every site of the organisation, and its organisation-wide records.
    AllSites,
    /// Only these sites. An empty set grants nothing.
    Selected(BTreeSet<SiteId>),
}

impl SiteScope {
    fn covers(&self, site: Option<SiteId>) -> bool {
        match (self, site) {
            (SiteScope::AllSites, _) => true,
            (SiteScope::Selected(sites), Some(site)) => sites.contains(&site),
            // Organisation-wide records (a vendor, an org-wide notice) are visible to a
            // selected-sites user only for reading; see `authorize`.
            (SiteScope::Selected(sites), None) => !sites.is_empty(),
        }
    }
}

/// The person (or process) acting, with everything that bounds what they can reach.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Principal {
    Staff {
        user: StaffUserId,
        role: Option<Role>,
        scope: Option<SiteScope>,
    },
    /// A leaseholder or tenant signed in to ResidencePort: the units they live in or hold
    /// now, those units' buildings and sites, and the accounts they may read besides their
    /// own, as (unit, account holder): a joint leaseholder's, or the leaseholder's of a home
    /// a tenant rents where the organisation shares it. A previous holder's account on the same
    /// unit is never among them.
    Resident {
        contact: ContactId,
        kind: ResidentKind,
        units: BTreeSet<UnitId>,
        buildings: BTreeSet<BuildingId>,
        sites: BTreeSet<SiteId>,
        accounts: BTreeSet<(UnitId, ContactId)>,
    },
    /// A contractor holding a link to exactly one work order.
    Contractor {
        vendor: VendorId,
        work_order: WorkOrderId,
    },
    /// A resident of a higher-risk building on BuildingThread.
    HrbResident {
        contact: ContactId,
        building: BuildingId,
    },
    /// The Building Safety Regulator, granted buildings one by one.
    Regulator {
        account: RegulatorId,
        buildings: BTreeSet<BuildingId>,
    },
    /// PropLink itself: demo data, scheduled jobs. Still confined to one organisation.
    System,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResidentKind {
    Leaseholder,
    Tenant,
}

/// An acting principal within one organisation, arriving through one door.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub org: OrgId,
    pub principal: Principal,
    pub channel: Channel,
    /// How the audit trail names them: "Mr Patel", "Mark Manager", "PropLink".
    pub display_name: String,
}

/// The areas permissions are granted over.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Domain {
    /// Organisation settings, branding, portal settings.
    Settings,
    /// The organisation's PropLink subscription.
    Billing,
    /// Staff users, roles and scopes.
    Users,
    /// Sites, buildings, units.
    Portfolio,
    Contacts,
    /// Invoices, payments, credit notes, statements.
    Finance,
    Tickets,
    Issues,
    WorkOrders,
    Vendors,
    Notices,
    Documents,
    GoldenThread,
    Audit,
}

impl Domain {
    pub const ALL: &'static [Domain] = &[
        Domain::Settings,
        Domain::Billing,
        Domain::Users,
        Domain::Portfolio,
        Domain::Contacts,
        Domain::Finance,
        Domain::Tickets,
        Domain::Issues,
        Domain::WorkOrders,
        Domain::Vendors,
        Domain::Notices,
        Domain::Documents,
        Domain::GoldenThread,
        Domain::Audit,
    ];

    fn is_operational(self) -> bool {
        matches!(
            self,
            Domain::Portfolio
                | Domain::Contacts
                | Domain::Tickets
                | Domain::Issues
                | Domain::WorkOrders
                | Domain::Vendors
                | Domain::Notices
                | Domain::Documents
        )
    }
}

/// What the actor wants to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Read,
    Create,
    Update,
    Approve,
    Archive,
    Restore,
    /// A message the reporter sees.
    Reply,
    /// A note only staff see.
    AddInternalNote,
    /// Pay an invoice (ResidencePort).
    Pay,
    SubmitQuote,
    UploadCertificate,
    ReportProgress,
    MarkComplete,
}

impl Action {
    pub const ALL: &'static [Action] = &[
        Action::Read,
        Action::Create,
        Action::Update,
        Action::Approve,
        Action::Archive,
        Action::Restore,
        Action::Reply,
        Action::AddInternalNote,
        Action::Pay,
        Action::SubmitQuote,
        Action::UploadCertificate,
        Action::ReportProgress,
        Action::MarkComplete,
    ];

    fn is_staff_write(self) -> bool {
        !matches!(
            self,
            Action::Read
                | Action::Pay
                | Action::SubmitQuote
                | Action::UploadCertificate
                | Action::ReportProgress
                | Action::MarkComplete
        )
    }
}

/// Who may open a document, by its folder's audience.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    StaffOnly,
    Residents,
    Contractor,
    Regulator,
}

impl Audience {
    pub const ALL: &'static [Audience] = &[
        Audience::StaffOnly,
        Audience::Residents,
        Audience::Contractor,
        Audience::Regulator,
    ];

    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Audience::StaffOnly => "staff_only",
            Audience::Residents => "residents",
            Audience::Contractor => "contractor",
            Audience::Regulator => "regulator",
        }
    }

    #[must_use]
    pub fn from_code(code: &str) -> Option<Audience> {
        Audience::ALL.iter().copied().find(|a| a.code() == code)
    }

    /// Who it reaches, as a person choosing it reads it.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Audience::StaffOnly => "Staff only",
            Audience::Residents => "Staff and residents (ResidencePort)",
            Audience::Contractor => "Staff and the contractor on the work order",
            Audience::Regulator => "Staff and the Building Safety Regulator (BuildingThread)",
        }
    }
}

/// A record as the rules see it: whose it is and where it sits.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resource {
    pub org: OrgId,
    pub domain: Domain,
    /// The site it belongs to; `None` for organisation-wide records.
    pub site: Option<SiteId>,
    pub building: Option<BuildingId>,
    pub unit: Option<UnitId>,
    pub work_order: Option<WorkOrderId>,
    /// The contact it is about: a ticket's reporter, an invoice's billable contact.
    pub contact: Option<ContactId>,
    /// For documents: the folder's audience.
    pub audience: Option<Audience>,
    /// Others it is also about: the residents who added themselves to a request.
    #[serde(default)]
    pub followers: BTreeSet<ContactId>,
}

impl Resource {
    /// An organisation-wide record of `domain`.
    #[must_use]
    pub fn org_wide(org: OrgId, domain: Domain) -> Self {
        Resource {
            org,
            domain,
            site: None,
            building: None,
            unit: None,
            work_order: None,
            contact: None,
            audience: None,
            followers: BTreeSet::new(),
        }
    }

    #[must_use]
    pub fn on_site(org: OrgId, domain: Domain, site: SiteId) -> Self {
        Resource {
            site: Some(site),
            ..Resource::org_wide(org, domain)
        }
    }

    #[must_use]
    pub fn with_building(mut self, building: BuildingId) -> Self {
        self.building = Some(building);
        self
    }

    #[must_use]
    pub fn with_unit(mut self, unit: UnitId) -> Self {
        self.unit = Some(unit);
        self
    }

    #[must_use]
    pub fn with_work_order(mut self, work_order: WorkOrderId) -> Self {
        self.work_order = Some(work_order);
        self
    }

    #[must_use]
    pub fn with_contact(mut self, contact: ContactId) -> Self {
        self.contact = Some(contact);
        self
    }

    #[must_use]
    pub fn with_audience(mut self, audience: Audience) -> Self {
        self.audience = Some(audience);
        self
    }
}

/// Why an action was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    /// The record is outside the actor's organisation or scope: answer as if it did not exist.
    #[error("not found")]
    NotFound,
    /// The actor can see the record but may not do this to it.
    #[error("you do not have permission to do that")]
    Forbidden,
}

/// The one permission check. Pure: same inputs, same answer, on the server and on the phone.
#[must_use = "a permission check that is not acted on protects nothing"]
pub fn authorize(actor: &Actor, action: Action, resource: &Resource) -> Result<(), Denied> {
    if actor.org != resource.org {
        return Err(Denied::NotFound);
    }
    match &actor.principal {
        Principal::System => Ok(()),
        Principal::Staff {
            role: Some(role),
            scope: Some(scope),
            ..
        } => staff(*role, scope, action, resource),
        Principal::Staff { .. } => Err(Denied::NotFound),
        Principal::Resident { contact, .. } => {
            resident(*contact, &actor.principal, action, resource)
        }
        Principal::Contractor { work_order, .. } => contractor(*work_order, action, resource),
        Principal::HrbResident { building, .. } => hrb_resident(*building, action, resource),
        Principal::Regulator { buildings, .. } => regulator(buildings, action, resource),
    }
}

/// A step in a work order's life that a contractor takes through their link, and staff take
/// for them (a quote received by email, a certificate handed over on site).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WorkStep {
    Quote,
    Certificate,
    Progress,
    Complete,
}

impl WorkStep {
    /// Whether `vendor` may take this step on a work order in `status` whose work is awarded to
    /// `awarded`: every invited contractor quotes while quotes are taken; only the one awarded
    /// the work reports on it, files its certificates and completes it, while it is under way.
    #[must_use]
    pub fn open_to(
        self,
        vendor: VendorId,
        awarded: Option<VendorId>,
        status: crate::states::WorkOrderStatus,
    ) -> bool {
        match self {
            WorkStep::Quote => status.takes_quotes() && awarded.is_none(),
            WorkStep::Certificate | WorkStep::Progress | WorkStep::Complete => {
                awarded == Some(vendor) && status.under_way()
            }
        }
    }
}

impl Actor {
    /// The permission a work-order step needs from this actor: the contractor's own action
    /// for a contractor, an update of the work order for staff.
    #[must_use]
    pub fn action_for(&self, step: WorkStep) -> Action {
        match (&self.principal, step) {
            (Principal::Contractor { .. }, WorkStep::Quote) => Action::SubmitQuote,
            (Principal::Contractor { .. }, WorkStep::Certificate) => Action::UploadCertificate,
            (Principal::Contractor { .. }, WorkStep::Progress) => Action::ReportProgress,
            (Principal::Contractor { .. }, WorkStep::Complete) => Action::MarkComplete,
            _ => Action::Update,
        }
    }

    /// Whether this actor reads a ticket's internal notes: staff and PropLink itself do; the
    /// reporter, a contractor, a resident never do.
    #[must_use]
    pub fn sees_internal_notes(&self) -> bool {
        matches!(self.principal, Principal::Staff { .. } | Principal::System)
    }

    /// Whether this actor is staff: their replies count as the organisation's first response.
    #[must_use]
    pub fn is_staff(&self) -> bool {
        matches!(self.principal, Principal::Staff { .. })
    }

    /// The member of staff acting, if it is one.
    #[must_use]
    pub fn staff_id(&self) -> Option<StaffUserId> {
        match &self.principal {
            Principal::Staff { user, .. } => Some(*user),
            _ => None,
        }
    }
}

fn staff(role: Role, scope: &SiteScope, action: Action, resource: &Resource) -> Result<(), Denied> {
    if !scope.covers(resource.site) {
        return Err(Denied::NotFound);
    }
    // The organisation-wide audit log would show other sites' activity.
    if resource.domain == Domain::Audit
        && resource.site.is_none()
        && matches!(scope, SiteScope::Selected(_))
    {
        return Err(Denied::NotFound);
    }
    // Selected-sites users read organisation-wide records but change only their sites'.
    let org_wide_write = resource.site.is_none()
        && matches!(scope, SiteScope::Selected(_))
        && action != Action::Read;
    let domain = resource.domain;
    let may_read = match role {
        Role::OrganisationOwner
        | Role::Administrator
        | Role::Manager
        | Role::Accountant
        | Role::ReadOnly => true,
        // Site staff work on buildings, not accounts: residents' balances stay private.
        Role::SiteManager | Role::MaintenanceCoordinator => !matches!(
            domain,
            Domain::Settings | Domain::Billing | Domain::Users | Domain::Finance
        ),
    };
    if action == Action::Read {
        // What a role may not read, it does not see: the record answers as missing.
        return if may_read {
            Ok(())
        } else {
            Err(Denied::NotFound)
        };
    }
    if !may_read {
        return Err(Denied::NotFound);
    }
    if !action.is_staff_write() || org_wide_write {
        return Err(Denied::Forbidden);
    }
    let may_write = match role {
        Role::OrganisationOwner => domain != Domain::Audit,
        Role::Administrator => !matches!(domain, Domain::Billing | Domain::Audit),
        Role::Manager => domain.is_operational() || domain == Domain::GoldenThread,
        Role::Accountant => domain == Domain::Finance,
        Role::SiteManager => matches!(
            domain,
            Domain::Tickets
                | Domain::Issues
                | Domain::WorkOrders
                | Domain::Notices
                | Domain::Documents
        ),
        Role::MaintenanceCoordinator => matches!(
            domain,
            Domain::Tickets | Domain::Issues | Domain::WorkOrders
        ),
        Role::ReadOnly => false,
    };
    // The audit trail is read-only for everyone, owners included.
    if may_write {
        Ok(())
    } else {
        Err(Denied::Forbidden)
    }
}

mod portals;
use portals::{contractor, hrb_resident, regulator, resident};

#[cfg(test)]
pub(crate) mod tests;
