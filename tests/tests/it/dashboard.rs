//! The dashboard's figures against what was done: requests past their SLA, arrears at month
//! ends, SLA compliance by month, cover running out — and the charts drawn with their tables.

use proplink_backend::services::{dashboard, ledger, tickets, vendors};
use proplink_backend::store::vendors::Cover;
use proplink_shared::Money;
use proplink_shared::records::{
    CertificateKind, InvoiceCategory, InvoiceLine, PaymentMethod, VatRate,
};
use proplink_shared::states::{CloseReason, InvoiceStatus, TicketStatus};
use proplink_tests::{fixtures, spawn_app};
use time::Duration;

fn ok<T, E: std::fmt::Debug>(r: Result<T, E>) -> T {
    r.unwrap_or_else(|e| panic!("{e:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_past_its_target_heads_the_dashboard_and_closing_one_counts_towards_compliance() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    // Ticket B (medium: ten working days) is closed at once: within its SLA this month.
    ok(tickets::move_ticket(
        &t.app,
        &org.manager,
        org.ticket_b,
        None,
        TicketStatus::Closed,
        Some(CloseReason::Resolved),
    )
    .await);
    let months = ok(dashboard::sla_by_month(&t.app, &org.manager).await);
    assert_eq!(months.len(), 12);
    assert_eq!(
        months[11].1,
        (1, 1),
        "{:?}",
        months.iter().map(|m| m.1).collect::<Vec<_>>()
    );
    assert!(months[..11].iter().all(|m| m.1 == (0, 0)));
    // A week on, ticket A (high: three working days) is past its target.
    t.app.clock.advance(Duration::days(7));
    let watch = ok(dashboard::sla_watch(&t.app, &org.manager).await);
    assert_eq!(watch.breached.len(), 1);
    assert_eq!(watch.breached_total, 1);
    assert_eq!(watch.breached[0].0.id, org.ticket_a);
    let b = t.browser();
    let host = t.admin_host("acme");
    t.sign_in(&b, &host, &org.manager_email).await;
    let page = b.get(&host, "/dashboard").await;
    assert_eq!(page.status, 200);
    let breaching = page.body.split("Due this week").next().unwrap_or_default();
    assert!(
        breaching.contains(&watch.breached[0].0.reference),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("<svg viewBox"),
        "the charts are drawn on the server"
    );
    assert!(
        page.body.contains("Requests closed each month"),
        "with their figures in a table"
    );
    assert!(page.body.contains("Arrears at each month end"));
    // A Site Manager sees the requests of their site, and no money.
    let site = t.browser();
    t.sign_in(&site, &host, &org.site_manager_email).await;
    let page = site.get(&host, "/dashboard").await;
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("Arrears at each month end"));
    assert!(!page.body.contains("overdue (arrears)"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn arrears_at_each_month_end_follow_what_fell_due_and_what_was_paid() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let today = proplink_shared::london::local(t.app.clock.now()).date();
    let lines = [ok(InvoiceLine::validate(
        "Ground rent",
        "100.00",
        VatRate::OutsideScope,
    ))];
    let late = ok(ledger::raise_invoice(
        &t.app,
        &org.accountant,
        org.unit,
        &ledger::Charge {
            category: InvoiceCategory::GroundRent,
            description: "Ground rent",
            lines: &lines,
            issue_date: today - Duration::days(100),
            due_date: today - Duration::days(70),
        },
    )
    .await);
    for to in [InvoiceStatus::PendingApproval, InvoiceStatus::Approved] {
        ok(ledger::move_invoice(&t.app, &org.accountant, late, to).await);
    }
    let points = ok(dashboard::arrears_by_month(&t.app, &org.accountant).await);
    assert_eq!(points.len(), 12);
    assert_eq!(
        points[11].1,
        Money::from_pence(10_000),
        "owed today; the fixture's £450 is not yet due"
    );
    assert_eq!(points[0].1, Money::ZERO, "a year ago nothing was due");
    // Paid today: nothing in arrears now, but the months behind still show it.
    ok(ledger::record_payment(
        &t.app,
        &org.accountant,
        org.unit,
        &ledger::Receipt {
            amount: Money::from_pence(10_000),
            method: PaymentMethod::Bacs,
            received_on: today,
            reference: "",
        },
    )
    .await);
    let points = ok(dashboard::arrears_by_month(&t.app, &org.accountant).await);
    assert_eq!(points[11].1, Money::ZERO);
    assert_eq!(
        points[10].1,
        Money::from_pence(10_000),
        "at last month's end it was owed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cover_running_out_is_listed_soonest_first() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let today = proplink_shared::london::local(t.app.clock.now()).date();
    for (kind, days) in [
        (CertificateKind::EmployersLiability, 200),
        (CertificateKind::PublicLiability, 20),
    ] {
        ok(vendors::add_cover(
            &t.app,
            &org.owner,
            org.vendor,
            &Cover {
                kind,
                provider: "Aviva".into(),
                policy_number: "P-1".into(),
                sum_insured: None,
                expires_on: today + Duration::days(days),
            },
        )
        .await);
    }
    let list = ok(dashboard::expiring(&t.app, &org.manager).await);
    assert_eq!(list.len(), 1, "only what runs out within 60 days");
    assert_eq!(list[0].kind, CertificateKind::PublicLiability);
    assert_eq!(list[0].whose, "Fixit Ltd");
}
