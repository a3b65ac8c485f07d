//! What the database and the unit of work guarantee whatever the code above them does: no
//! link across organisations, no change without its audit event.

use proplink_backend::params;
use proplink_backend::services::change::{Change, Event};
use proplink_shared::audit::AuditAction;
use proplink_shared::records::RecordType;
use proplink_tests::{fixtures, spawn_app};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_database_itself_refuses_a_link_across_organisations() {
    let t = spawn_app().await;
    let acme = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let birch = fixtures::org(&t.app, "birchwood", "Birchwood Residential").await;
    let attempts = [
        (
            "an Acme request moved to a Birchwood site",
            "UPDATE tickets SET site_id = $1 WHERE organisation_id = $2 AND id = $3",
            params![birch.site_a, acme.id, acme.ticket_a],
        ),
        (
            "an Acme issue linked to a Birchwood request",
            "UPDATE issues SET ticket_id = $1 WHERE organisation_id = $2 AND id = $3",
            params![birch.ticket_a, acme.id, acme.issue],
        ),
        (
            "an Acme work order given to a Birchwood contractor",
            "UPDATE work_orders SET vendor_id = $1 WHERE organisation_id = $2 AND id = $3",
            params![birch.vendor, acme.id, acme.work_order],
        ),
        (
            "an Acme invoice billed to a Birchwood flat",
            "UPDATE invoices SET unit_id = $1 WHERE organisation_id = $2 AND id = $3",
            params![birch.unit, acme.id, acme.invoice],
        ),
    ];
    for (what, sql, values) in attempts {
        let mut tx = t.app.db.begin().await.unwrap_or_else(|e| panic!("{e}"));
        let refused = tx.execute(sql, values).await;
        assert!(
            refused
                .as_ref()
                .is_err_and(|e| e.is_foreign_key_violation()),
            "{what}: {refused:?}"
        );
    }
    // The same links within one organisation are fine: the refusals were about organisations.
    let mut tx = t.app.db.begin().await.unwrap_or_else(|e| panic!("{e}"));
    let moved = tx
        .execute(
            "UPDATE tickets SET site_id = $1 WHERE organisation_id = $2 AND id = $3",
            params![acme.site_b, acme.id, acme.ticket_a],
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(moved, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_without_its_audit_event_is_refused_and_leaves_nothing() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let subject = || async {
        t.scalar::<String>(
            "SELECT subject FROM tickets WHERE id = $1",
            params![org.ticket_a],
        )
        .await
    };
    let mut change = Change::begin(&t.app, &org.manager)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    change
        .execute(
            "UPDATE tickets SET subject = 'Quietly changed' WHERE organisation_id = $1 AND id = $2",
            params![org.id, org.ticket_a],
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(change.commit().await.is_err(), "no audit event, no commit");
    assert_eq!(subject().await, "Leak in hallway");
    // With its event, the same change is made and the trail says so.
    let mut change = Change::begin(&t.app, &org.manager)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    change
        .execute(
            "UPDATE tickets SET subject = 'Openly changed' WHERE organisation_id = $1 AND id = $2",
            params![org.id, org.ticket_a],
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    change
        .record(Event::new(
            RecordType::Ticket,
            org.ticket_a,
            AuditAction::Update,
            "renamed a request",
            serde_json::json!({}),
        ))
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    change.commit().await.unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(subject().await, "Openly changed");
}
