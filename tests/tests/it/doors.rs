//! Host routing for the doors that have not opened yet, and shared assets.

use proplink_tests::{fixtures, spawn_app};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_doors_answer_with_their_landing_pages() {
    let t = spawn_app().await;
    fixtures::org(&t.app, "acme", "Acme Estates").await;
    let b = t.browser();
    let rp = b.get("acme.residenceport.localhost", "/").await;
    assert_eq!(rp.status, 200);
    assert!(rp.body.contains("Acme Estates ResidencePort"));
    let bt = b.get("acme.buildingthread.localhost:8080", "/").await;
    assert_eq!(bt.status, 200);
    assert!(bt.body.contains("Acme Estates BuildingThread"));
    let cp = b.get("contractorport.localhost", "/").await;
    assert_eq!(cp.status, 200);
    assert!(cp.body.contains("ContractorPort"));
    assert!(
        !cp.body.contains("Acme"),
        "ContractorPort carries no organisation's branding"
    );
    assert_eq!(
        b.get("contractorport.localhost", "/anything").await.status,
        404
    );
    assert_eq!(
        b.get("nowhere.buildingthread.localhost", "/").await.status,
        404
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn branding_comes_from_the_organisation_and_only_as_a_colour() {
    let t = spawn_app().await;
    fixtures::org(&t.app, "acme", "Acme Estates").await;
    let mut tx = t.app.db.write().await.unwrap_or_else(|e| panic!("{e}"));
    sqlx::query("UPDATE organisations SET brand_colour = '#123abc' WHERE slug = 'acme'")
        .execute(&mut *tx)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    tx.commit().await.unwrap_or_else(|e| panic!("{e}"));
    let b = t.browser();
    let css = b
        .get("acme.residenceport.localhost", "/assets/brand.css")
        .await;
    assert!(css.body.contains("--brand: #123abc"));
    let mut tx = t.app.db.write().await.unwrap_or_else(|e| panic!("{e}"));
    sqlx::query(
        "UPDATE organisations SET brand_colour = 'red;} body{display:none' WHERE slug = 'acme'",
    )
    .execute(&mut *tx)
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    tx.commit().await.unwrap_or_else(|e| panic!("{e}"));
    let css = b.get(&t.admin_host("acme"), "/assets/brand.css").await;
    assert!(!css.body.contains("display:none"));
    assert!(
        b.get(&t.admin_host("acme"), "/assets/app.css")
            .await
            .body
            .contains("--brand")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn text_from_people_is_escaped() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let new = proplink_shared::records::NewTicket::validate(
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "query",
        "low",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let id = proplink_backend::services::requests::raise(
        &t.app,
        &org.manager,
        proplink_backend::services::requests::TicketOrigin {
            site: org.site_a,
            unit: None,
            reporter: None,
            assignee: None,
        },
        &new,
    )
    .await
    .unwrap_or_else(|e| panic!("{e:?}"));
    let b = t.browser();
    t.sign_in(&b, &t.admin_host("acme"), &org.manager_email)
        .await;
    let page = b
        .get(&t.admin_host("acme"), &format!("/tickets/{id}"))
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(!page.body.contains("<script>alert(1)</script>"));
    assert!(!page.body.contains("<img src=x"));
    assert!(page.body.contains("&#60;script&#62;"), "{}", page.body);
}
