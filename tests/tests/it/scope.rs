//! The lists' scope in SQL and `authorize` agree on generated data: for any actor, paging
//! through a list yields exactly the records `authorize` lets that actor read, on SQLite and
//! on PostgreSQL.

use std::collections::BTreeSet;

use proplink_backend::services::{issues, ledger, orgs, tickets, work_orders};
use proplink_backend::store::finance::InvoiceFilter;
use proplink_backend::store::query::{Page, PageAt, decode_cursor};
use proplink_backend::store::requests::{IssueFilter, IssuePlace, TicketFilter};
use proplink_backend::store::work_orders::{WorkOrderFilter, WorkOrderPlace};
use proplink_shared::audit::Channel;
use proplink_shared::authz::{ResidentKind, Role, SiteScope};
use proplink_shared::records::{InvoiceLine, NewIssue, NewSite, NewTicket, NewWorkOrder, VatRate};
use proplink_shared::{
    Action, Actor, ContactId, OrgId, Principal, SiteId, StaffUserId, UnitId, VendorId, WorkOrderId,
    authorize,
};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use rand::{Rng, SeedableRng};

/// The records one generated organisation holds, and the ids actors are drawn from.
struct World {
    org: OrgId,
    sites: Vec<SiteId>,
    units: Vec<UnitId>,
    contacts: Vec<ContactId>,
    work_orders: Vec<WorkOrderId>,
    vendor: VendorId,
}

fn ok<T, E: std::fmt::Debug>(r: Result<T, E>) -> T {
    r.unwrap_or_else(|e| panic!("{e:?}"))
}

/// Random records on random sites, units and reporters, from `seed`.
async fn populate(t: &proplink_tests::TestApp, seed: u64) -> World {
    let f = proplink_tests::fixtures::org(&t.app, "acme", "Acme Estates").await;
    let third = ok(proplink_backend::services::places::add_site(
        &t.app,
        &f.owner,
        &ok(NewSite::validate("C1", "Gamma Yard", "3 Gamma Lane")),
    )
    .await);
    let sites = vec![f.site_a, f.site_b, third];
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let today = proplink_shared::london::local(t.app.clock.now()).date();
    for i in 0..32 {
        let site = sites[rng.gen_range(0..sites.len())];
        let (unit, reporter) = match rng.gen_range(0..3) {
            0 if site == f.site_a => (Some(f.unit), Some(f.leaseholder)),
            1 => (None, Some(f.leaseholder)),
            _ => (None, None),
        };
        let new = ok(NewTicket::validate(
            &format!("Ticket {i}"),
            "Body",
            "maintenance",
            "low",
        ));
        let origin = tickets::TicketOrigin {
            site,
            unit,
            reporter,
            assignee: None,
        };
        ok(tickets::raise(&t.app, &f.manager, origin, &new).await);
    }
    for i in 0..28 {
        let site = sites[rng.gen_range(0..sites.len())];
        let place = IssuePlace {
            site,
            building: None,
            ticket: None,
        };
        let new = ok(NewIssue::validate(
            &format!("Issue {i}"),
            "",
            "Yard",
            "other",
            "low",
        ));
        ok(issues::log(&t.app, &f.manager, place, &new).await);
    }
    let mut work_orders_made = vec![f.work_order];
    for i in 0..6 {
        let site = sites[rng.gen_range(0..sites.len())];
        let place = WorkOrderPlace {
            site,
            building: None,
            unit: None,
            ticket: None,
        };
        let new = ok(NewWorkOrder::validate(
            &format!("Work {i}"),
            "Tidy the yard",
            "general",
            "low",
            None,
            today,
        ));
        work_orders_made.push(ok(work_orders::create(
            &t.app,
            &f.manager,
            place,
            &[],
            &new,
        )
        .await));
    }
    for i in 0..4 {
        let line = ok(InvoiceLine::validate("Ground rent", "50", VatRate::Exempt));
        ok(ledger::raise_invoice(
            &t.app,
            &f.owner,
            f.unit,
            &ledger::Charge {
                category: proplink_shared::records::InvoiceCategory::ServiceCharge,
                description: &format!("Charge {i}"),
                lines: &[line],
                issue_date: today,
                due_date: today + time::Duration::days(30),
            },
        )
        .await);
    }
    World {
        org: f.id,
        sites,
        units: vec![f.unit],
        contacts: vec![f.leaseholder],
        work_orders: work_orders_made,
        vendor: f.vendor,
    }
}

/// Any actor: staff of any role and site scope, residents, a contractor, the system, and
/// now and then someone of another organisation.
fn arb_actor(w: &World) -> BoxedStrategy<Actor> {
    let sites = w.sites.clone();
    let some_sites = proptest::sample::subsequence(
        {
            let mut s = sites.clone();
            s.push(SiteId::new());
            s
        },
        0..=3,
    )
    .prop_map(|s| s.into_iter().collect::<BTreeSet<_>>());
    let staff = (
        proptest::sample::select(Role::ALL.to_vec()),
        prop_oneof![
            Just(Some(SiteScope::AllSites)),
            some_sites
                .clone()
                .prop_map(|s| Some(SiteScope::Selected(s))),
            Just(None),
        ],
    )
        .prop_map(|(role, scope)| Principal::Staff {
            user: StaffUserId::new(),
            role: Some(role),
            scope,
        });
    let contacts = {
        let mut c = w.contacts.clone();
        c.push(ContactId::new());
        c
    };
    let units = {
        let mut u = w.units.clone();
        u.push(UnitId::new());
        u
    };
    let contacts_again = contacts.clone();
    let resident = (
        proptest::sample::select(contacts),
        proptest::sample::subsequence(units.clone(), 0..=units.len()),
        some_sites,
    )
        .prop_map(move |(contact, units, sites)| Principal::Resident {
            contact,
            kind: ResidentKind::Leaseholder,
            accounts: units
                .iter()
                .copied()
                .step_by(2)
                .zip(contacts_again.iter().copied())
                .collect(),
            units: units.into_iter().collect(),
            buildings: BTreeSet::new(),
            sites,
        });
    let vendor = w.vendor;
    let contractor = proptest::sample::select(w.work_orders.clone())
        .prop_map(move |work_order| Principal::Contractor { vendor, work_order });
    let org = w.org;
    (
        prop_oneof![4 => staff, 2 => resident, 1 => contractor, 1 => Just(Principal::System)],
        prop_oneof![9 => Just(org), 1 => Just(OrgId::new())],
    )
        .prop_map(|(principal, org)| Actor {
            org,
            principal,
            channel: Channel::Admin,
            display_name: "Someone".into(),
        })
        .boxed()
}

/// Every item of a list, page after page.
async fn every<T, F, Fut>(mut page: F) -> Vec<T>
where
    F: FnMut(PageAt) -> Fut,
    Fut: std::future::Future<Output = Page<T>>,
{
    let mut all = Vec::new();
    let mut at = PageAt::First;
    loop {
        let p = page(at).await;
        all.extend(p.items);
        match p.next.as_deref().and_then(|c| decode_cursor(c, 2)) {
            Some(key) => at = PageAt::After(key),
            None => return all,
        }
    }
}

/// What `actor` may read of `all`, judged one record at a time.
fn judged<T, K: Ord>(
    actor: &Actor,
    all: &[T],
    resource: impl Fn(&T) -> proplink_shared::Resource,
    key: impl Fn(&T) -> K,
) -> BTreeSet<K> {
    all.iter()
        .filter(|r| authorize(actor, Action::Read, &resource(r)).is_ok())
        .map(key)
        .collect()
}

#[test]
fn every_list_shows_exactly_what_authorize_lets_the_actor_read() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let seed = rand::random::<u64>();
    println!("data seed {seed}");
    let (t, world) = runtime.block_on(async {
        let t = proplink_tests::spawn_app().await;
        let world = populate(&t, seed).await;
        (t, world)
    });
    let app = &t.app;
    let system = &orgs::system_actor(world.org);
    // Everything there is, read as the system.
    let (all_tickets, all_issues, all_orders, all_invoices) = runtime.block_on(async {
        (
            every(|at| async move {
                ok(tickets::tickets(app, system, &TicketFilter::default(), &at).await)
            })
            .await,
            every(|at| async move {
                ok(issues::issues(app, system, &IssueFilter::default(), &at).await)
            })
            .await,
            every(|at| async move {
                ok(work_orders::work_orders(app, system, &WorkOrderFilter::default(), &at).await)
            })
            .await,
            every(|at| async move {
                ok(ledger::invoices(app, system, &InvoiceFilter::default(), &at).await)
            })
            .await,
        )
    });
    assert!(all_tickets.len() > 25, "more than a page");
    let mut runner = TestRunner::new(Config {
        cases: 200,
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&arb_actor(&world), |actor| {
        runtime.block_on(async {
            let actor = &actor;
            let listed: BTreeSet<_> = every(|at| async move {
                ok(tickets::tickets(app, actor, &TicketFilter::default(), &at).await)
            })
            .await
            .into_iter()
            .map(|t| t.id)
            .collect();
            prop_assert_eq!(
                listed,
                judged(
                    actor,
                    &all_tickets,
                    |t| tickets::resource(system, t),
                    |t| t.id
                )
            );
            let listed: BTreeSet<_> = every(|at| async move {
                ok(issues::issues(app, actor, &IssueFilter::default(), &at).await)
            })
            .await
            .into_iter()
            .map(|i| i.id)
            .collect();
            prop_assert_eq!(
                listed,
                judged(
                    actor,
                    &all_issues,
                    |i| issues::resource(system, i),
                    |i| i.id
                )
            );
            let listed: BTreeSet<_> = every(|at| async move {
                ok(work_orders::work_orders(app, actor, &WorkOrderFilter::default(), &at).await)
            })
            .await
            .into_iter()
            .map(|w| w.id)
            .collect();
            prop_assert_eq!(
                listed,
                judged(
                    actor,
                    &all_orders,
                    |w| work_orders::resource(system, w),
                    |w| w.id
                )
            );
            let listed: BTreeSet<_> =
                match ledger::invoices(app, actor, &InvoiceFilter::default(), &PageAt::First).await
                {
                    Ok(_) => every(|at| async move {
                        ok(ledger::invoices(app, actor, &InvoiceFilter::default(), &at).await)
                    })
                    .await
                    .into_iter()
                    .map(|i| i.id)
                    .collect(),
                    Err(_) => BTreeSet::new(),
                };
            prop_assert_eq!(
                listed,
                judged(
                    actor,
                    &all_invoices,
                    |i| ledger::resource(system, i),
                    |i| i.id
                )
            );
            Ok(())
        })
    });
    if let Err(e) = result {
        panic!("data seed {seed}: {e}");
    }
}
