//! The audit log searched by person and date range, the trail checked from the admin app by
//! its administrators, and the communications log of every email sent.

use proplink_backend::params;
use proplink_backend::services::staff;
use proplink_shared::Role;
use proplink_tests::{Browser, TestApp, fixtures, spawn_app};

async fn signed_in(t: &TestApp, email: &str) -> (Browser, String) {
    let b = t.browser();
    let host = t.admin_host("acme");
    t.sign_in(&b, &host, email).await;
    (b, host)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_log_is_searched_by_person_and_dates() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let (b, host) = signed_in(&t, &org.owner_email()).await;
    let mina = b.get(&host, "/audit?person=mina").await;
    assert_eq!(mina.status, 200);
    assert!(mina.body.contains("Mina Manager raised"), "{}", mina.body);
    assert!(!mina.body.contains("Owner Person added"), "only Mina's");
    let today = proplink_shared::london::local(t.app.clock.now()).date();
    let day = proplink_backend::store::date_text;
    let page = b
        .get(
            &host,
            &format!("/audit?from={}&to={}", day(today), day(today)),
        )
        .await;
    assert!(page.body.contains("Owner Person added"), "today's events");
    let future = b
        .get(
            &host,
            &format!("/audit?from={}", day(today + time::Duration::days(2))),
        )
        .await;
    assert!(
        future.body.contains("Nothing recorded matches."),
        "{}",
        future.body
    );
    assert!(
        future.body.contains(&format!(
            "value=\"{}\"",
            day(today + time::Duration::days(2))
        )),
        "the date typed is kept"
    );
    assert_eq!(b.get(&host, "/audit?from=yesterday").await.status, 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn administrators_check_the_trail_and_see_it_broken_when_it_was_changed() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let (b, host) = signed_in(&t, &org.owner_email()).await;
    let page = b.get(&host, "/audit/verify").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Intact"), "{}", page.body);
    t.tamper(
        "UPDATE audit_events SET sentence = 'nothing happened' WHERE organisation_id = $1 AND seq = 2",
        params![org.id.to_string()],
    )
    .await;
    let page = b.get(&host, "/audit/verify").await;
    assert!(page.body.contains("Broken"), "{}", page.body);
    assert!(
        page.body
            .contains("event 2 was changed after it was written"),
        "{}",
        page.body
    );
    // A Manager reads the log but the check is for administrators.
    let (mb, _) = signed_in(&t, &org.manager_email).await;
    assert_eq!(mb.get(&host, "/audit").await.status, 200);
    assert_eq!(mb.get(&host, "/audit/verify").await.status, 403);
    assert!(!mb.get(&host, "/audit").await.body.contains("/audit/verify"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_email_is_in_the_communications_log_with_its_delivery() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    staff::invite(
        &t.app,
        &org.owner,
        "new.person@acme.example",
        "New Person",
        Role::ReadOnly,
        &[],
    )
    .await
    .unwrap_or_else(|e| panic!("{e:?}"));
    t.smtp.wait_for("new.person@acme.example", 1).await;
    let (b, host) = signed_in(&t, &org.owner_email()).await;
    // The sender marks it delivered just after the server accepted it.
    let mut page = b.get(&host, "/communications?q=new.person").await;
    for _ in 0..50 {
        if page.body.contains("Delivered") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        page = b.get(&host, "/communications?q=new.person").await;
    }
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("new.person@acme.example"),
        "{}",
        page.body
    );
    assert!(page.body.contains("You have been added to Acme Estates"));
    assert!(page.body.contains("Delivered"), "{}", page.body);
    let sign_in = b
        .get(&host, &format!("/communications?q={}", org.owner_email()))
        .await;
    assert!(sign_in.body.contains("sign-in code"), "{}", sign_in.body);
    let codes: Vec<String> = t
        .smtp
        .to(&org.owner_email())
        .iter()
        .filter_map(proplink_tests::smtp::Mail::code)
        .collect();
    assert!(
        codes.iter().all(|c| !sign_in.body.contains(c.as_str())),
        "codes are never shown"
    );
    assert_eq!(
        b.get(&host, "/communications?status=lost").await.status,
        400
    );
    // Another organisation's mail is not here; a Site Manager does not see the log.
    let other = fixtures::org(&t.app, "birch", "Birchwood").await;
    assert!(
        !b.get(&host, "/communications")
            .await
            .body
            .contains(&other.owner_email())
    );
    let (sb, _) = signed_in(&t, &org.site_manager_email).await;
    assert_eq!(sb.get(&host, "/communications").await.status, 404);
}
