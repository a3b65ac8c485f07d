//! The demo: realistic, complete, written through the services, and safe to run again.

use proplink_backend::demo;
use proplink_backend::services::audit::{checkpoints::Checkpoints, verify};
use proplink_tests::spawn_app;

async fn count(t: &proplink_tests::TestApp, sql: &str) -> i64 {
    t.scalar(sql, &[]).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_is_realistic_audited_and_idempotent() {
    let t = spawn_app().await;
    let report = demo::create(&t.app, 1)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(report.len(), 2, "{report:?}");
    let acme = "(SELECT id FROM organisations WHERE slug = 'acme')";
    assert!(
        count(
            &t,
            &format!("SELECT COUNT(*) FROM buildings WHERE organisation_id = {acme}")
        )
        .await
            >= 3
    );
    assert_eq!(
        count(
            &t,
            &format!("SELECT COUNT(*) FROM buildings WHERE organisation_id = {acme} AND is_hrb")
        )
        .await,
        1
    );
    assert!(
        count(
            &t,
            &format!("SELECT COUNT(*) FROM units WHERE organisation_id = {acme}")
        )
        .await
            >= 60
    );
    assert!(count(&t, &format!("SELECT COUNT(*) FROM unit_contacts WHERE organisation_id = {acme} AND role = 'tenant'")).await > 0);
    // Two years of quarterly invoices, with arrears.
    assert_eq!(
        count(
            &t,
            &format!(
                "SELECT COUNT(DISTINCT issue_date) FROM invoices WHERE organisation_id = {acme}"
            )
        )
        .await,
        8
    );
    assert!(count(&t, &format!("SELECT COUNT(*) FROM invoices WHERE organisation_id = {acme} AND status = 'sent' AND paid < total AND due_date < '2026-11-01'")).await > 5);
    assert!(
        count(
            &t,
            &format!(
                "SELECT COUNT(*) FROM payments WHERE organisation_id = {acme} AND unallocated > 0"
            )
        )
        .await
            > 0,
        "an overpayment kept as credit"
    );
    // Requests open and closed, with conversations and internal notes.
    assert!(
        count(
            &t,
            &format!(
                "SELECT COUNT(*) FROM tickets WHERE organisation_id = {acme} AND status = 'closed'"
            )
        )
        .await
            >= 2
    );
    assert!(
        count(
            &t,
            &format!(
                "SELECT COUNT(*) FROM tickets WHERE organisation_id = {acme} AND status <> 'closed'"
            )
        )
        .await
            >= 3
    );
    assert!(count(&t, &format!("SELECT COUNT(*) FROM ticket_entries WHERE organisation_id = {acme} AND kind = 'internal_note'")).await >= 2);
    assert!(
        count(
            &t,
            &format!("SELECT COUNT(*) FROM issues WHERE organisation_id = {acme}")
        )
        .await
            >= 3
    );
    // Work orders in several states, with quotes and certificates.
    assert!(
        count(
            &t,
            &format!(
                "SELECT COUNT(DISTINCT status) FROM work_orders WHERE organisation_id = {acme}"
            )
        )
        .await
            >= 6
    );
    assert!(
        count(
            &t,
            &format!("SELECT COUNT(*) FROM quotes WHERE organisation_id = {acme}")
        )
        .await
            >= 4
    );
    assert!(
        count(
            &t,
            &format!("SELECT COUNT(*) FROM certificates WHERE organisation_id = {acme}")
        )
        .await
            >= 1
    );
    // One contractor's cover has lapsed.
    assert_eq!(count(&t, &format!("SELECT COUNT(*) FROM vendor_cover WHERE organisation_id = {acme} AND expires_on < '{}'", proplink_shared::london::local(t.app.clock.now()).date())).await, 1);
    assert!(
        count(
            &t,
            &format!("SELECT COUNT(*) FROM notices WHERE organisation_id = {acme}")
        )
        .await
            >= 2
    );
    assert!(
        count(
            &t,
            &format!("SELECT COUNT(*) FROM documents WHERE organisation_id = {acme}")
        )
        .await
            >= 3
    );
    // Two site managers, each with assigned sites.
    assert_eq!(count(&t, &format!("SELECT COUNT(DISTINCT s.staff_user_id) FROM staff_site_scopes s JOIN staff_users u ON u.organisation_id = s.organisation_id AND u.id = s.staff_user_id WHERE u.role = 'site_manager' AND u.organisation_id = {acme}")).await, 2);

    // Every record the demo wrote has its audit trail.
    for (table, record_type) in [
        ("sites", "site"),
        ("buildings", "building"),
        ("units", "unit"),
        ("contacts", "contact"),
        ("staff_users", "staff_user"),
        ("invoices", "invoice"),
        ("tickets", "ticket"),
        ("issues", "issue"),
        ("work_orders", "work_order"),
        ("vendors", "vendor"),
        ("notices", "notice"),
        ("documents", "document"),
    ] {
        let untracked = count(&t, &format!("SELECT COUNT(*) FROM {table} r WHERE NOT EXISTS (SELECT 1 FROM audit_events a WHERE a.organisation_id = r.organisation_id AND a.record_type = '{record_type}' AND a.record_id = r.id)")).await;
        assert_eq!(untracked, 0, "{table} rows without an audit event");
    }
    let payments = count(&t, "SELECT COUNT(*) FROM payments").await;
    let payment_events = count(
        &t,
        "SELECT COUNT(*) FROM audit_events WHERE action = 'payment' AND record_type = 'unit'",
    )
    .await;
    assert_eq!(payments, payment_events);
    // Each door left its mark, in words a manager reads.
    for channel in [
        "admin",
        "residenceport",
        "contractorport",
        "facility_report",
        "system",
    ] {
        assert!(
            count(
                &t,
                &format!("SELECT COUNT(*) FROM audit_events WHERE channel = '{channel}'")
            )
            .await
                > 0,
            "no events via {channel}"
        );
    }
    assert!(count(&t, "SELECT COUNT(*) FROM audit_events WHERE sentence LIKE 'Mrs Khan raised request TKT-%\"Water leaking from ceiling\" at Harbour Point via ResidencePort on %'").await == 1);
    assert!(count(&t, "SELECT COUNT(*) FROM audit_events WHERE sentence LIKE 'Mr Patel paid £450.00 by Card for Flat 5 via ResidencePort on %'").await > 0);
    assert!(count(&t, "SELECT COUNT(*) FROM audit_events WHERE sentence LIKE 'Pipeworks Plumbing Ltd quoted £180.00 + VAT%via ContractorPort on %'").await == 1);
    assert!(count(&t, "SELECT COUNT(*) FROM audit_events WHERE sentence LIKE 'Hannah Hughes logged issue \"Leak through bathroom ceiling, Flat 12\"%via Facility Report on %'").await == 1);
    assert!(
        verify(&t.app.db, &Checkpoints::default())
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .iter()
            .all(|r| r.problems.is_empty())
    );

    // Running it again changes nothing.
    let events = count(&t, "SELECT COUNT(*) FROM audit_events").await;
    let again = demo::create(&t.app, 1)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert!(
        again.iter().all(|l| l.contains("already exists")),
        "{again:?}"
    );
    assert_eq!(count(&t, "SELECT COUNT(*) FROM audit_events").await, events);
    // Nothing demo-made was mailed out.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(t.smtp.all().is_empty());
}
