//! The permission matrix, checked by example and by property: whatever the role, action and
//! record, nobody reaches another organisation's record or a record outside their scope.

use std::collections::BTreeSet;

use proptest::prelude::*;
use uuid::Uuid;

use super::*;

fn id<T: From<Uuid>>(n: u8) -> T {
    T::from(Uuid::from_u128(u128::from(n) + 1))
}

// Small pools, so that generated actors and records often share ids.
const POOL: u8 = 3;

fn arb_set<T: Ord + From<Uuid> + std::fmt::Debug>() -> impl Strategy<Value = BTreeSet<T>> {
    proptest::collection::btree_set((0..POOL).prop_map(id::<T>), 0..=POOL as usize)
}

fn arb_role() -> impl Strategy<Value = Role> {
    proptest::sample::select(Role::ALL)
}

fn arb_scope() -> impl Strategy<Value = SiteScope> {
    prop_oneof![
        Just(SiteScope::AllSites),
        arb_set::<SiteId>().prop_map(SiteScope::Selected)
    ]
}

fn arb_principal() -> impl Strategy<Value = Principal> {
    prop_oneof![
        (
            proptest::option::weighted(0.9, arb_role()),
            proptest::option::weighted(0.9, arb_scope())
        )
            .prop_map(|(role, scope)| Principal::Staff {
                user: id(0),
                role,
                scope
            }),
        (
            (0..POOL),
            any::<bool>(),
            arb_set::<UnitId>(),
            arb_set::<BuildingId>(),
            arb_set::<SiteId>(),
            arb_set::<UnitId>(),
            arb_set::<ContactId>(),
        )
            .prop_map(
                |(c, tenant, units, buildings, sites, account_units, holders)| {
                    let accounts = account_units.into_iter().zip(holders).collect();
                    Principal::Resident {
                        contact: id(c),
                        kind: if tenant {
                            ResidentKind::Tenant
                        } else {
                            ResidentKind::Leaseholder
                        },
                        units,
                        buildings,
                        sites,
                        accounts,
                    }
                }
            ),
        (0..POOL).prop_map(|w| Principal::Contractor {
            vendor: id(0),
            work_order: id(w)
        }),
        ((0..POOL), (0..POOL)).prop_map(|(c, b)| Principal::HrbResident {
            contact: id(c),
            building: id(b)
        }),
        arb_set::<BuildingId>().prop_map(|buildings| Principal::Regulator {
            account: id(0),
            buildings
        }),
    ]
}

pub(crate) fn arb_actor() -> impl Strategy<Value = Actor> {
    ((0..2u8), arb_principal()).prop_map(|(org, principal)| Actor {
        org: id(org),
        principal,
        channel: Channel::Admin,
        display_name: "Someone".into(),
    })
}

fn arb_audience() -> impl Strategy<Value = Audience> {
    proptest::sample::select(vec![
        Audience::StaffOnly,
        Audience::Residents,
        Audience::Contractor,
        Audience::Regulator,
    ])
}

pub(crate) fn arb_resource() -> impl Strategy<Value = Resource> {
    (
        (0..2u8),
        proptest::sample::select(Domain::ALL),
        proptest::option::of(0..POOL),
        proptest::option::of(0..POOL),
        proptest::option::of(0..POOL),
        proptest::option::of(0..POOL),
        proptest::option::of(0..POOL),
        proptest::option::of(arb_audience()),
        arb_set::<ContactId>(),
    )
        .prop_map(
            |(org, domain, site, building, unit, wo, contact, audience, followers)| Resource {
                org: id(org),
                domain,
                site: site.map(id),
                building: building.map(id),
                unit: unit.map(id),
                work_order: wo.map(id),
                contact: contact.map(id),
                audience,
                followers,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 20_000, ..ProptestConfig::default() })]

    #[test]
    fn nobody_reaches_another_organisation(actor in arb_actor(), action in proptest::sample::select(Action::ALL), resource in arb_resource()) {
        if actor.org != resource.org {
            prop_assert_eq!(authorize(&actor, action, &resource), Err(Denied::NotFound));
        }
    }

    #[test]
    fn nobody_reaches_outside_their_scope(actor in arb_actor(), action in proptest::sample::select(Action::ALL), resource in arb_resource()) {
        if authorize(&actor, action, &resource).is_err() {
            return Ok(());
        }
        prop_assert_eq!(actor.org, resource.org);
        match &actor.principal {
            Principal::System => {}
            Principal::Staff { role, scope, .. } => {
                prop_assert!(role.is_some() && scope.is_some(), "role or scope alone granted something");
                if let Some(SiteScope::Selected(sites)) = scope {
                    match resource.site {
                        Some(site) => prop_assert!(sites.contains(&site)),
                        None => prop_assert!(action == Action::Read && !sites.is_empty()),
                    }
                }
                prop_assert!(resource.domain != Domain::Audit || action == Action::Read, "the audit trail was written to");
                if *role == Some(Role::Accountant) {
                    prop_assert!(resource.domain != Domain::GoldenThread || action == Action::Read);
                }
                if *role == Some(Role::ReadOnly) {
                    prop_assert_eq!(action, Action::Read);
                }
                if resource.domain == Domain::Billing && action != Action::Read {
                    prop_assert_eq!(*role, Some(Role::OrganisationOwner));
                }
            }
            Principal::Resident { contact, units, buildings, sites, accounts, .. } => {
                let in_units = resource.unit.is_some_and(|u| units.contains(&u));
                let in_sites = resource.site.is_some_and(|s| sites.contains(&s));
                prop_assert!(in_units || in_sites || (resource.site.is_none() && resource.domain == Domain::Notices) || resource.contact == Some(*contact));
                if let (Some(_), Some(b), Domain::Notices | Domain::Documents) = (resource.site, resource.building, resource.domain) {
                    prop_assert!(buildings.contains(&b), "saw another building's notice or document");
                }
                match resource.domain {
                    Domain::Finance => prop_assert!(in_units && (resource.contact == Some(*contact) || resource.unit.zip(resource.contact).is_some_and(|held| accounts.contains(&held))), "saw someone else's account"),
                    Domain::Tickets => prop_assert!(resource.contact == Some(*contact) || resource.followers.contains(contact), "saw someone else's request"),
                    Domain::Contacts => prop_assert_eq!(resource.contact, Some(*contact), "saw someone else's details"),
                    _ => {}
                }
                if resource.domain == Domain::Documents {
                    prop_assert_eq!(resource.audience, Some(Audience::Residents));
                }
                prop_assert!(matches!(resource.domain, Domain::Portfolio | Domain::Finance | Domain::Tickets | Domain::Contacts | Domain::Notices | Domain::Documents));
            }
            Principal::Contractor { work_order, .. } => {
                prop_assert_eq!(resource.work_order, Some(*work_order));
                prop_assert!(matches!(resource.domain, Domain::WorkOrders | Domain::Documents));
            }
            Principal::HrbResident { building, .. } => {
                prop_assert_eq!(resource.building, Some(*building));
                prop_assert_eq!(action, Action::Read);
            }
            Principal::Regulator { buildings, .. } => {
                prop_assert!(resource.building.is_some_and(|b| buildings.contains(&b)));
                prop_assert_eq!(action, Action::Read);
            }
        }
    }
}

fn staff(role: Role, scope: SiteScope) -> Actor {
    Actor {
        org: id(0),
        principal: Principal::Staff {
            user: id(0),
            role: Some(role),
            scope: Some(scope),
        },
        channel: Channel::Admin,
        display_name: "S".into(),
    }
}

#[test]
fn site_manager_works_only_on_assigned_sites() {
    let sm = staff(Role::SiteManager, SiteScope::Selected([id(1)].into()));
    let mine = Resource::on_site(id(0), Domain::WorkOrders, id(1));
    let other = Resource::on_site(id(0), Domain::WorkOrders, id(2));
    assert_eq!(authorize(&sm, Action::Update, &mine), Ok(()));
    assert_eq!(authorize(&sm, Action::Read, &other), Err(Denied::NotFound));
    assert_eq!(
        authorize(
            &sm,
            Action::Update,
            &Resource::on_site(id(0), Domain::Finance, id(1))
        ),
        Err(Denied::NotFound),
        "residents' accounts are not site staff's to see"
    );
    assert_eq!(
        authorize(
            &sm,
            Action::Read,
            &Resource::org_wide(id(0), Domain::Vendors)
        ),
        Ok(())
    );
    assert_eq!(
        authorize(
            &sm,
            Action::Update,
            &Resource::org_wide(id(0), Domain::Vendors)
        ),
        Err(Denied::Forbidden)
    );
}

#[test]
fn accountant_reads_operations_but_writes_only_finance() {
    let acc = staff(Role::Accountant, SiteScope::AllSites);
    let site: SiteId = id(1);
    assert_eq!(
        authorize(
            &acc,
            Action::Approve,
            &Resource::on_site(id(0), Domain::Finance, site)
        ),
        Ok(())
    );
    assert_eq!(
        authorize(
            &acc,
            Action::Read,
            &Resource::on_site(id(0), Domain::Tickets, site)
        ),
        Ok(())
    );
    assert_eq!(
        authorize(
            &acc,
            Action::Reply,
            &Resource::on_site(id(0), Domain::Tickets, site)
        ),
        Err(Denied::Forbidden)
    );
    assert_eq!(
        authorize(
            &acc,
            Action::Update,
            &Resource::on_site(id(0), Domain::GoldenThread, site)
        ),
        Err(Denied::Forbidden)
    );
}

#[test]
fn owners_cannot_rewrite_the_audit_trail() {
    let owner = staff(Role::OrganisationOwner, SiteScope::AllSites);
    for action in Action::ALL.iter().filter(|a| **a != Action::Read) {
        assert!(authorize(&owner, *action, &Resource::org_wide(id(0), Domain::Audit)).is_err());
    }
}

#[test]
fn a_tenant_never_sees_the_leaseholders_invoice() {
    let tenant = Actor {
        org: id(0),
        principal: Principal::Resident {
            contact: id(2),
            kind: ResidentKind::Tenant,
            units: [id(1)].into(),
            buildings: [id(1)].into(),
            sites: [id(1)].into(),
            accounts: BTreeSet::new(),
        },
        channel: Channel::ResidencePort,
        display_name: "T".into(),
    };
    let leaseholders = Resource::on_site(id(0), Domain::Finance, id(1))
        .with_unit(id(1))
        .with_contact(id(1));
    assert_eq!(
        authorize(&tenant, Action::Read, &leaseholders),
        Err(Denied::NotFound)
    );
    let own = Resource::on_site(id(0), Domain::Finance, id(1))
        .with_unit(id(1))
        .with_contact(id(2));
    assert_eq!(authorize(&tenant, Action::Pay, &own), Ok(()));
    // Where the organisation shares the account of the home with its tenant, they read it.
    let mut sharing = tenant.clone();
    if let Principal::Resident { accounts, .. } = &mut sharing.principal {
        accounts.insert((id(1), id(1)));
    }
    assert_eq!(authorize(&sharing, Action::Read, &leaseholders), Ok(()));
    // A previous leaseholder's invoices on the same home stay theirs.
    let previous = Resource::on_site(id(0), Domain::Finance, id(1))
        .with_unit(id(1))
        .with_contact(id(7));
    assert_eq!(
        authorize(&sharing, Action::Read, &previous),
        Err(Denied::NotFound)
    );
}

#[test]
fn a_resident_reads_only_their_own_buildings_notices_and_requests_they_joined() {
    let resident = Actor {
        org: id(0),
        principal: Principal::Resident {
            contact: id(2),
            kind: ResidentKind::Leaseholder,
            units: [id(1)].into(),
            buildings: [id(1)].into(),
            sites: [id(1)].into(),
            accounts: BTreeSet::new(),
        },
        channel: Channel::ResidencePort,
        display_name: "R".into(),
    };
    let notice = |building| {
        let mut r = Resource::on_site(id(0), Domain::Notices, id(1));
        r.building = building;
        r
    };
    assert_eq!(authorize(&resident, Action::Read, &notice(None)), Ok(()));
    assert_eq!(
        authorize(&resident, Action::Read, &notice(Some(id(1)))),
        Ok(())
    );
    assert_eq!(
        authorize(&resident, Action::Read, &notice(Some(id(2)))),
        Err(Denied::NotFound)
    );
    let mut neighbours = Resource::on_site(id(0), Domain::Tickets, id(1)).with_contact(id(3));
    assert_eq!(
        authorize(&resident, Action::Read, &neighbours),
        Err(Denied::NotFound)
    );
    neighbours.followers.insert(id(2));
    assert_eq!(authorize(&resident, Action::Reply, &neighbours), Ok(()));
}

#[test]
fn a_contractor_link_never_unlocks_another_work_order() {
    let c = Actor {
        org: id(0),
        principal: Principal::Contractor {
            vendor: id(0),
            work_order: id(1),
        },
        channel: Channel::ContractorPort,
        display_name: "C".into(),
    };
    let wo = |n| Resource::on_site(id(0), Domain::WorkOrders, id(0)).with_work_order(id(n));
    assert_eq!(authorize(&c, Action::SubmitQuote, &wo(1)), Ok(()));
    assert_eq!(authorize(&c, Action::Read, &wo(2)), Err(Denied::NotFound));
    assert_eq!(
        authorize(&c, Action::Approve, &wo(1)),
        Err(Denied::Forbidden)
    );
}

#[test]
fn role_without_scope_grants_nothing() {
    let a = Actor {
        org: id(0),
        principal: Principal::Staff {
            user: id(0),
            role: Some(Role::OrganisationOwner),
            scope: None,
        },
        channel: Channel::Admin,
        display_name: "A".into(),
    };
    assert_eq!(
        authorize(
            &a,
            Action::Read,
            &Resource::org_wide(id(0), Domain::Portfolio)
        ),
        Err(Denied::NotFound)
    );
    let b = Actor {
        principal: Principal::Staff {
            user: id(0),
            role: None,
            scope: Some(SiteScope::AllSites),
        },
        ..a
    };
    assert_eq!(
        authorize(
            &b,
            Action::Read,
            &Resource::org_wide(id(0), Domain::Portfolio)
        ),
        Err(Denied::NotFound)
    );
}

#[test]
fn a_contractor_acts_on_their_work_order_by_their_own_actions_and_staff_by_update() {
    let org = id(0);
    let contractor = Actor {
        org,
        principal: Principal::Contractor {
            vendor: id(1),
            work_order: id(2),
        },
        channel: Channel::ContractorPort,
        display_name: "Fixit".into(),
    };
    assert_eq!(contractor.action_for(WorkStep::Quote), Action::SubmitQuote);
    assert_eq!(
        contractor.action_for(WorkStep::Certificate),
        Action::UploadCertificate
    );
    assert_eq!(
        contractor.action_for(WorkStep::Progress),
        Action::ReportProgress
    );
    assert_eq!(
        contractor.action_for(WorkStep::Complete),
        Action::MarkComplete
    );
    let manager = Actor {
        org,
        principal: Principal::Staff {
            user: id(3),
            role: Some(Role::Manager),
            scope: Some(SiteScope::AllSites),
        },
        channel: Channel::Admin,
        display_name: "Mina".into(),
    };
    for step in [
        WorkStep::Quote,
        WorkStep::Certificate,
        WorkStep::Progress,
        WorkStep::Complete,
    ] {
        assert_eq!(manager.action_for(step), Action::Update);
    }
}

#[test]
fn only_staff_and_the_system_read_internal_notes() {
    let org = id(0);
    let with = |principal| Actor {
        org,
        principal,
        channel: Channel::Admin,
        display_name: "Someone".into(),
    };
    assert!(
        with(Principal::Staff {
            user: id(1),
            role: Some(Role::ReadOnly),
            scope: Some(SiteScope::AllSites)
        })
        .sees_internal_notes()
    );
    assert!(with(Principal::System).sees_internal_notes());
    assert!(
        !with(Principal::Resident {
            contact: id(2),
            kind: ResidentKind::Leaseholder,
            units: BTreeSet::new(),
            buildings: BTreeSet::new(),
            sites: BTreeSet::new(),
            accounts: BTreeSet::new(),
        })
        .sees_internal_notes()
    );
    assert!(
        !with(Principal::Contractor {
            vendor: id(3),
            work_order: id(4)
        })
        .sees_internal_notes()
    );
    assert!(
        !with(Principal::HrbResident {
            contact: id(5),
            building: id(6)
        })
        .sees_internal_notes()
    );
}

#[test]
fn only_an_owner_makes_or_unmakes_an_owner() {
    for role in Role::ALL.iter().copied() {
        assert!(Role::OrganisationOwner.may_grant(role));
        assert_eq!(
            Role::Administrator.may_grant(role),
            role != Role::OrganisationOwner
        );
        for other in [
            Role::Manager,
            Role::Accountant,
            Role::SiteManager,
            Role::MaintenanceCoordinator,
            Role::ReadOnly,
        ] {
            assert!(!other.may_grant(role), "{other:?} granting {role:?}");
        }
    }
}
