//! Host routing to each door, branding, and shared assets.

use proplink_tests::{fixtures, spawn_app};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_doors_answer_with_their_landing_pages() {
    let t = spawn_app().await;
    fixtures::org(&t.app, "acme", "Acme Estates").await;
    let b = t.browser();
    // ResidencePort is open: a visitor is asked to sign in, on the organisation's own page.
    let rp = b.get("acme.residenceport.localhost", "/").await;
    assert_eq!(rp.status, 303);
    assert_eq!(rp.location(), Some("/sign-in"));
    let rp = b.get("acme.residenceport.localhost", "/sign-in").await;
    assert_eq!(rp.status, 200);
    assert!(rp.body.contains("Sign in to Acme Estates ResidencePort"));
    // BuildingThread too, on its own branded page.
    let bt = b.get("acme.buildingthread.localhost:8080", "/").await;
    assert_eq!(bt.status, 303);
    assert_eq!(bt.location(), Some("/sign-in"));
    let bt = b
        .get("acme.buildingthread.localhost:8080", "/sign-in")
        .await;
    assert_eq!(bt.status, 200);
    assert!(
        bt.body.contains("Sign in to Acme Estates BuildingThread"),
        "{}",
        bt.body
    );
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
    fixtures::org(&t.app, "birchwood", "Birchwood Homes").await;
    t.tamper(
        "UPDATE organisations SET brand_colour = '#123abc' WHERE slug = 'acme'",
        &[],
    )
    .await;
    // Whatever reaches the database, only a colour reaches a page.
    t.tamper(
        "UPDATE organisations SET brand_colour = 'red;} body{display:none' WHERE slug = 'birchwood'",
        &[],
    )
    .await;
    let b = t.browser();
    let page = b.get("acme.residenceport.localhost", "/sign-in").await;
    assert!(
        page.body.contains("<style>:root{--brand:#123abc}</style>"),
        "{}",
        page.body
    );
    let (_, source) = proplink_backend::doors::assets::brand_style("#123abc");
    let csp = page.headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains(&format!("style-src 'self' {source}")),
        "the inline brand colour is allowed by its hash and nothing else: {csp}"
    );
    let page = b.get(&t.admin_host("birchwood"), "/sign-in").await;
    assert!(!page.body.contains("display:none"));
    assert!(page.body.contains("<style>:root{--brand:#1d4f91}</style>"));
    // The stylesheet is served under its content hash, cached for good.
    let href = proplink_backend::doors::assets::stylesheet_href();
    assert!(page.body.contains(href));
    let css = b.get(&t.admin_host("birchwood"), href).await;
    assert_eq!(css.status, 200);
    assert!(css.body.contains("--brand"));
    assert!(
        css.headers["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    assert_eq!(
        b.get(&t.admin_host("birchwood"), "/assets/brand.css")
            .await
            .status,
        404
    );
    let icon = b.get(&t.admin_host("birchwood"), "/favicon.ico").await;
    assert_eq!(icon.status, 200, "a favicon, not a 404 on every page");
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
    let id = proplink_backend::services::tickets::raise(
        &t.app,
        &org.manager,
        proplink_backend::services::tickets::TicketOrigin {
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
