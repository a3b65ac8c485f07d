//! Device tokens of the Facility Report app: they end when left unused and at an absolute
//! limit, can be traded for fresh ones, and belong to one person.

use facility_report_core::{Client, CoreError, sync};
use proplink_tests::{fixtures, spawn_app};
use time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_token_ends_after_thirty_idle_days_and_ninety_days_in_all() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let busy = t.phone("acme", &org.site_manager_email).await;
    let idle = t.phone("acme", &org.manager_email).await;
    // Used every twenty days, a token lasts until ninety days after the code was entered.
    for _ in 0..4 {
        t.app.clock.advance(Duration::days(20));
        sync::sync(&busy.store)
            .await
            .unwrap_or_else(|e| panic!("still signed in: {e}"));
    }
    assert!(matches!(
        sync::sync(&idle.store).await,
        Err(CoreError::NotSignedIn)
    ));
    t.app.clock.advance(Duration::days(11));
    assert!(matches!(
        sync::sync(&busy.store).await,
        Err(CoreError::NotSignedIn)
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refreshed_token_takes_over_after_a_short_grace_and_keeps_the_limit() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let phone = t.phone("acme", &org.site_manager_email).await;
    let client = Client::new(&t.api_url()).unwrap_or_else(|e| panic!("{e}"));
    let old = phone.token();
    let first = client.refresh(&old).await.unwrap_or_else(|e| panic!("{e}"));
    assert_ne!(first.token, old);
    // A reply lost on the way must not sign the phone out: the old token lasts two minutes.
    assert!(client.pull(&old, 0).await.is_ok());
    t.app.clock.advance(Duration::minutes(3));
    assert!(matches!(
        client.pull(&old, 0).await,
        Err(CoreError::NotSignedIn)
    ));
    assert!(client.pull(&first.token, 0).await.is_ok());
    // Refreshing never stretches the ninety days since the code was entered.
    let second = client
        .refresh(&first.token)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(second.expires_at, first.expires_at);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_phone_trades_its_token_for_a_fresh_one_each_day() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let phone = t.phone("acme", &org.site_manager_email).await;
    let old = phone.token();
    sync::sync(&phone.store)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(phone.token(), old, "a token a few seconds old is kept");
    // A day later (as the phone's clock tells it), the next sync rotates the token first.
    let yesterday = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_micros() - 25 * 3_600_000_000)
        .unwrap_or_default();
    phone
        .store
        .write(|tx| {
            tx.execute(
                "UPDATE meta SET value = ?1 WHERE key = 'token_issued_at'",
                [yesterday.to_string()],
            )?;
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
    sync::sync(&phone.store)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_ne!(phone.token(), old);
    t.app.clock.advance(Duration::minutes(3));
    sync::sync(&phone.store)
        .await
        .unwrap_or_else(|e| panic!("the fresh token works: {e}"));
    let client = Client::new(&t.api_url()).unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(
        client.pull(&old, 0).await,
        Err(CoreError::NotSignedIn)
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_colleague_signing_in_with_the_same_device_id_leaves_the_others_token_alone() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let phone = t.phone("acme", &org.site_manager_email).await;
    let client = Client::new(&t.api_url()).unwrap_or_else(|e| panic!("{e}"));
    client
        .request_code("acme", &org.manager_email)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let code = t.smtp.code(&org.manager_email, 1).await;
    let colleague = client
        .token(
            "acme",
            &org.manager_email,
            &code,
            phone.device_id(),
            "Borrowed id",
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(client.pull(&colleague.token, 0).await.is_ok());
    sync::sync(&phone.store)
        .await
        .unwrap_or_else(|e| panic!("Sid is still signed in: {e}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_phone_that_changes_hands_never_sends_one_persons_changes_as_anothers() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let phone = t.phone("acme", &org.site_manager_email).await;
    let input = facility_report_core::actions::IssueInput {
        site_id: org.site_a,
        building_id: None,
        ticket_id: None,
        title: "Made by Sid",
        description: "",
        location: "Lobby",
        category: "other",
        priority: "low",
        photos: &[],
    };
    facility_report_core::actions::log_issue(&phone.store, &input)
        .unwrap_or_else(|e| panic!("{e}"));
    // Offline, Sid's change waits; Mina may not sign in on this phone until it is sent.
    let err = sync::sign_in(
        &phone.store,
        &t.api_url(),
        "acme",
        &org.manager_email,
        "000000",
        "Phone",
    )
    .await;
    assert!(
        matches!(&err, Err(CoreError::Server { code, message }) if code == "outbox_not_empty" && message.contains(&org.site_manager_email)),
        "{:?}",
        err.err()
    );
    sync::sync(&phone.store)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    // Sent: now Mina signs in, and her changes are numbered as the server counts hers.
    let before = t.smtp.to(&org.manager_email).len();
    sync::request_code(&t.api_url(), "acme", &org.manager_email)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let code = t.smtp.code(&org.manager_email, before + 1).await;
    sync::sign_in(
        &phone.store,
        &t.api_url(),
        "acme",
        &org.manager_email,
        &code,
        "Phone",
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(phone.next_seq(), 1);
    sync::sync(&phone.store)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    facility_report_core::actions::log_issue(
        &phone.store,
        &facility_report_core::actions::IssueInput {
            title: "Made by Mina",
            ..input
        },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let report = sync::sync(&phone.store)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report.applied, 1);
    let events = t.audit_events(org.id).await;
    assert!(
        events
            .iter()
            .any(|(_, _, s)| s.starts_with("Sid Site logged issue \"Made by Sid\""))
    );
    assert!(
        events
            .iter()
            .any(|(_, _, s)| s.starts_with("Mina Manager logged issue \"Made by Mina\""))
    );
}
