//! What pages read is remembered until the organisation changes, and never shown after it: a
//! change made here shows on the next page, and one made by another process on the same
//! database (a PostgreSQL replica, or the command line on a SQLite file) within seconds.

use std::time::Duration;

use proplink_backend::App;
use proplink_backend::clock::Clock;
use proplink_backend::services::tickets::{self, TicketOrigin};
use proplink_shared::records::NewTicket;
use proplink_tests::{Browser, TestApp, fixtures, spawn_app};

async fn raise(app: &App, org: &fixtures::Org, subject: &str) {
    let new = NewTicket::validate(subject, "Reported by a resident", "maintenance", "high")
        .unwrap_or_else(|e| panic!("{e}"));
    let origin = TicketOrigin {
        site: org.site_a,
        unit: None,
        reporter: None,
        assignee: None,
    };
    tickets::raise(app, &org.manager, origin, &new)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
}

async fn signed_in(t: &TestApp, org: &fixtures::Org) -> (Browser, String) {
    let b = t.browser();
    let host = t.admin_host(&org.slug);
    t.sign_in(&b, &host, &org.manager_email).await;
    (b, host)
}

/// The page's body once it has been read twice, so the second answer came from memory.
async fn remembered(b: &Browser, host: &str, path: &str) -> String {
    let first = b.get(host, path).await;
    assert_eq!(first.status, 200, "{path}: {}", first.body);
    let again = b.get(host, path).await;
    assert_eq!(again.status, 200);
    again.body
}

#[tokio::test]
async fn a_change_shows_on_the_very_next_page() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let (b, host) = signed_in(&t, &org).await;
    for path in ["/tickets", "/dashboard"] {
        assert!(!remembered(&b, &host, path).await.contains("Lift stuck"));
    }
    let ticket = format!("/tickets/{}", org.ticket_a);
    assert!(
        remembered(&b, &host, &ticket)
            .await
            .contains("Leak in hallway")
    );

    raise(&t.app, &org, "Lift stuck between floors").await;
    for path in ["/tickets", "/dashboard"] {
        let page = b.get(&host, path).await;
        assert!(page.body.contains("Lift stuck between floors"), "{path}");
    }
    // The raise changed the organisation, so the ticket page is read afresh too: its trail
    // is the record's own and unchanged, and it is served as before.
    assert!(b.get(&host, &ticket).await.body.contains("Leak in hallway"));
}

#[tokio::test]
async fn a_change_made_by_another_process_shows_within_seconds() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let (b, host) = signed_in(&t, &org).await;
    assert!(!remembered(&b, &host, "/tickets").await.contains("Boiler"));
    // Written behind the server's back, as no change of PropLink's is: the page is remembered.
    t.tamper(
        "UPDATE tickets SET subject = 'Leak by the lift' WHERE organisation_id = $1 AND id = $2",
        proplink_backend::params![org.id, org.ticket_a],
    )
    .await;
    let page = b.get(&host, "/tickets").await.body;
    assert!(page.contains("Leak in hallway") && !page.contains("Leak by the lift"));

    // A second server on the same database, as another replica or the command line would be.
    let other = App::start((*t.app.config).clone(), Clock::system())
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    raise(&other, &org, "Boiler out in the plant room").await;

    // Remembered answers last a minute; this must be the announcement, heard in seconds.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let page = b.get(&host, "/tickets").await;
        if page.body.contains("Boiler out in the plant room") {
            assert!(page.body.contains("Leak by the lift"), "read afresh");
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "another process's change was not heard"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
