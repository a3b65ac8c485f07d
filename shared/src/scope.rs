//! Which records of a domain an actor may see, as a filter a list query can carry.
//!
//! [`authorize`](crate::authorize) judges one record; a list cannot ask it row by row after a
//! `LIMIT` without losing pages. [`Scope::of`] states the same rule as a [`Filter`] over a
//! record's site, unit, contact, work order, building and audience, which the store renders
//! into its `WHERE` clause and [`Scope::admits`] evaluates in memory. A property test holds the
//! two to the same answers for every actor and record.

use std::collections::BTreeSet;

use crate::Actor;
use crate::authz::{Audience, Domain, Principal, Resource, Role, SiteScope};
use crate::ids::{BuildingId, ContactId, OrgId, SiteId, UnitId, WorkOrderId};

/// What one actor may read of one domain of one organisation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scope {
    pub org: OrgId,
    pub filter: Filter,
}

/// A condition on a record's place and parties. Conditions on a field the record does not have
/// are false, except the `No…` ones, which are true.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Filter {
    Everything,
    Nothing,
    SiteIn(BTreeSet<SiteId>),
    /// An organisation-wide record: no site.
    NoSite,
    UnitIn(BTreeSet<UnitId>),
    NoUnit,
    ContactIs(ContactId),
    /// The contact added themselves to the record (a request others reported).
    FollowedBy(ContactId),
    /// A record for a whole site: no building.
    NoBuilding,
    WorkOrderIs(WorkOrderId),
    BuildingIn(BTreeSet<BuildingId>),
    AudienceIs(Audience),
    All(Vec<Filter>),
    Any(Vec<Filter>),
}

impl Filter {
    /// Whether a record that sits where `r` says passes.
    #[must_use]
    pub fn admits(&self, r: &Resource) -> bool {
        match self {
            Filter::Everything => true,
            Filter::Nothing => false,
            Filter::SiteIn(sites) => r.site.is_some_and(|s| sites.contains(&s)),
            Filter::NoSite => r.site.is_none(),
            Filter::UnitIn(units) => r.unit.is_some_and(|u| units.contains(&u)),
            Filter::NoUnit => r.unit.is_none(),
            Filter::ContactIs(c) => r.contact == Some(*c),
            Filter::FollowedBy(c) => r.followers.contains(c),
            Filter::NoBuilding => r.building.is_none(),
            Filter::WorkOrderIs(w) => r.work_order == Some(*w),
            Filter::BuildingIn(b) => r.building.is_some_and(|x| b.contains(&x)),
            Filter::AudienceIs(a) => r.audience == Some(*a),
            Filter::All(all) => all.iter().all(|f| f.admits(r)),
            Filter::Any(any) => any.iter().any(|f| f.admits(r)),
        }
    }
}

impl Scope {
    /// Every record of an organisation: for what PropLink itself reads before narrowing it.
    #[must_use]
    pub fn everything(org: OrgId) -> Scope {
        Scope {
            org,
            filter: Filter::Everything,
        }
    }

    /// The records of `domain` that `actor` may read.
    #[must_use]
    pub fn of(actor: &Actor, domain: Domain) -> Scope {
        let filter = match &actor.principal {
            Principal::System => Filter::Everything,
            Principal::Staff {
                role: Some(role),
                scope: Some(scope),
                ..
            } => staff(*role, scope, domain),
            Principal::Staff { .. } => Filter::Nothing,
            Principal::Resident {
                contact,
                units,
                buildings,
                sites,
                accounts,
                ..
            } => resident(*contact, units, buildings, sites, accounts, domain),
            Principal::Contractor { work_order, .. } => {
                let visible = match domain {
                    Domain::WorkOrders => Filter::Everything,
                    Domain::Documents => Filter::AudienceIs(Audience::Contractor),
                    _ => Filter::Nothing,
                };
                Filter::All(vec![Filter::WorkOrderIs(*work_order), visible])
            }
            Principal::HrbResident { building, .. } => {
                building_filter(BTreeSet::from([*building]), Audience::Residents, domain)
            }
            Principal::Regulator { buildings, .. } => {
                building_filter(buildings.clone(), Audience::Regulator, domain)
            }
        };
        Scope {
            org: actor.org,
            filter,
        }
    }

    /// Whether the record `r` is in this scope.
    #[must_use]
    pub fn admits(&self, r: &Resource) -> bool {
        r.org == self.org && self.filter.admits(r)
    }
}

fn staff(role: Role, scope: &SiteScope, domain: Domain) -> Filter {
    let may_read = match role {
        Role::SiteManager | Role::MaintenanceCoordinator => !matches!(
            domain,
            Domain::Settings | Domain::Billing | Domain::Users | Domain::Finance
        ),
        _ => true,
    };
    match scope {
        _ if !may_read => Filter::Nothing,
        SiteScope::AllSites => Filter::Everything,
        SiteScope::Selected(sites) if sites.is_empty() => Filter::Nothing,
        // The organisation-wide audit log would show other sites' activity.
        SiteScope::Selected(sites) if domain == Domain::Audit => Filter::SiteIn(sites.clone()),
        SiteScope::Selected(sites) => {
            Filter::Any(vec![Filter::SiteIn(sites.clone()), Filter::NoSite])
        }
    }
}

fn resident(
    me: ContactId,
    units: &BTreeSet<UnitId>,
    buildings: &BTreeSet<BuildingId>,
    sites: &BTreeSet<SiteId>,
    accounts: &BTreeSet<(UnitId, ContactId)>,
    domain: Domain,
) -> Filter {
    let my_sites = || Filter::SiteIn(sites.clone());
    let my_units = || Filter::UnitIn(units.clone());
    let near_me = || {
        Filter::All(vec![
            my_sites(),
            Filter::Any(vec![
                Filter::NoBuilding,
                Filter::BuildingIn(buildings.clone()),
            ]),
        ])
    };
    match domain {
        Domain::Portfolio => Filter::Any(vec![
            my_units(),
            Filter::All(vec![Filter::NoUnit, near_me()]),
        ]),
        Domain::Finance => {
            let mut theirs = vec![Filter::ContactIs(me)];
            theirs.extend(accounts.iter().map(|(unit, holder)| {
                Filter::All(vec![
                    Filter::UnitIn(BTreeSet::from([*unit])),
                    Filter::ContactIs(*holder),
                ])
            }));
            Filter::All(vec![my_units(), Filter::Any(theirs)])
        }
        Domain::Tickets => Filter::All(vec![
            Filter::Any(vec![Filter::ContactIs(me), Filter::FollowedBy(me)]),
            my_sites(),
        ]),
        Domain::Contacts => Filter::ContactIs(me),
        Domain::Notices => Filter::Any(vec![near_me(), Filter::NoSite]),
        Domain::Documents => Filter::All(vec![Filter::AudienceIs(Audience::Residents), near_me()]),
        _ => Filter::Nothing,
    }
}

fn building_filter(buildings: BTreeSet<BuildingId>, audience: Audience, domain: Domain) -> Filter {
    let visible = match domain {
        // Residents read the parts of the thread meant for them; the Regulator reads it all.
        Domain::GoldenThread if audience == Audience::Residents => {
            Filter::AudienceIs(Audience::Residents)
        }
        Domain::GoldenThread => Filter::Everything,
        Domain::Documents => Filter::AudienceIs(audience),
        _ => Filter::Nothing,
    };
    Filter::All(vec![Filter::BuildingIn(buildings), visible])
}

#[cfg(test)]
mod tests;
