//! A list shows exactly the records `authorize` lets the actor read: the scope and the single
//! record check agree on every actor and record the generators make.

use proptest::prelude::*;

use super::*;
use crate::authz::tests::{arb_actor, arb_resource};
use crate::{Action, authorize};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(20_000))]

    #[test]
    fn scope_admits_exactly_what_authorize_lets_the_actor_read(actor in arb_actor(), resource in arb_resource()) {
        let scope = Scope::of(&actor, resource.domain);
        prop_assert_eq!(
            scope.admits(&resource),
            authorize(&actor, Action::Read, &resource).is_ok(),
            "scope {:?} and authorize disagree on {:?}", scope, resource
        );
    }
}

#[test]
fn a_site_manager_sees_their_sites_and_organisation_wide_records() {
    let org = OrgId::new();
    let site = SiteId::new();
    let actor = Actor {
        org,
        principal: Principal::Staff {
            user: crate::StaffUserId::new(),
            role: Some(Role::SiteManager),
            scope: Some(SiteScope::Selected(BTreeSet::from([site]))),
        },
        channel: crate::audit::Channel::Admin,
        display_name: "Sam".into(),
    };
    let tickets = Scope::of(&actor, Domain::Tickets);
    assert!(tickets.admits(&Resource::on_site(org, Domain::Tickets, site)));
    assert!(!tickets.admits(&Resource::on_site(org, Domain::Tickets, SiteId::new())));
    assert!(!tickets.admits(&Resource::on_site(OrgId::new(), Domain::Tickets, site)));
    assert_eq!(Scope::of(&actor, Domain::Finance).filter, Filter::Nothing);
}
