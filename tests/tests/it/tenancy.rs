//! Nothing crosses organisations or scopes: another organisation's record answers exactly
//! like a record that does not exist.

use proplink_tests::{SESSION_COOKIE, fixtures, spawn_app};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_of_one_organisation_is_refused_on_another() {
    let t = spawn_app().await;
    let acme = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let _birchwood = fixtures::org(&t.app, "birchwood", "Birchwood Residential").await;
    let b = t.browser();
    t.sign_in(&b, &t.admin_host("acme"), &acme.manager_email)
        .await;
    let session = b
        .cookie(&t.admin_host("acme"), SESSION_COOKIE)
        .unwrap_or_default();
    // The same cookie presented on Birchwood's host is no session at all there.
    b.set_cookie(&t.admin_host("birchwood"), SESSION_COOKIE, &session);
    let page = b.get(&t.admin_host("birchwood"), "/dashboard").await;
    assert_eq!((page.status, page.location()), (303, Some("/sign-in")));
    // And Acme's manager cannot sign in to Birchwood: the address is unknown there.
    let other = t.browser();
    assert_eq!(
        t.ask_for_code(&other, &t.admin_host("birchwood"), &acme.manager_email)
            .await
            .status,
        303
    );
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(
        t.smtp.to(&acme.manager_email).len(),
        1,
        "only the Acme sign-in mail was sent"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_admin_route_answers_404_for_another_organisations_records() {
    let t = spawn_app().await;
    let acme = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let birch = fixtures::org(&t.app, "birchwood", "Birchwood Residential").await;
    let host = t.admin_host("acme");
    let b = t.browser();
    t.sign_in(&b, &host, &acme.manager_email).await;
    let routes = |o: &fixtures::Org| {
        vec![
            format!("/sites/{}", o.site_a),
            format!("/buildings/{}", o.building),
            format!("/units/{}", o.unit),
            format!("/contacts/{}", o.leaseholder),
            format!("/tickets/{}", o.ticket_a),
            format!("/issues/{}", o.issue),
            format!("/work-orders/{}", o.work_order),
            format!("/invoices/{}", o.invoice),
            format!("/contractors/{}", o.vendor),
        ]
    };
    // Acme's own records open…
    for path in routes(&acme) {
        let page = b.get(&host, &path).await;
        assert_eq!(page.status, 200, "{path}: {}", page.body);
        assert!(
            page.body.contains("Audit trail"),
            "{path} shows its audit trail"
        );
    }
    // …Birchwood's answer exactly like a page that does not exist.
    let missing = b
        .get(&host, &format!("/tickets/{}", uuid::Uuid::now_v7()))
        .await;
    assert_eq!(missing.status, 404);
    for path in routes(&birch) {
        let page = b.get(&host, &path).await;
        assert_eq!(page.status, 404, "{path}");
        assert_eq!(
            page.body, missing.body,
            "{path} must not differ from a missing page"
        );
    }
    // Lists never show Birchwood's records either.
    for list in [
        "/sites",
        "/contacts",
        "/tickets",
        "/issues",
        "/work-orders",
        "/invoices",
        "/contractors",
    ] {
        let page = b.get(&host, list).await;
        assert_eq!(page.status, 200, "{list}");
        for id in routes(&birch)
            .iter()
            .map(|p| p.rsplit('/').next().unwrap_or_default().to_owned())
        {
            assert!(!page.body.contains(&id), "{list} leaks {id}");
        }
    }
    // Malformed ids are simply not found.
    assert_eq!(b.get(&host, "/tickets/not-an-id").await.status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_site_manager_sees_only_assigned_sites() {
    let t = spawn_app().await;
    let acme = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let host = t.admin_host("acme");
    let b = t.browser();
    t.sign_in(&b, &host, &acme.site_manager_email).await;
    assert_eq!(
        b.get(&host, &format!("/tickets/{}", acme.ticket_a))
            .await
            .status,
        200
    );
    assert_eq!(
        b.get(&host, &format!("/tickets/{}", acme.ticket_b))
            .await
            .status,
        404
    );
    assert_eq!(
        b.get(&host, &format!("/sites/{}", acme.site_b))
            .await
            .status,
        404
    );
    let list = b.get(&host, "/tickets").await;
    assert!(list.body.contains(&acme.ticket_a.to_string()));
    assert!(!list.body.contains(&acme.ticket_b.to_string()));
    // The site filter offers their site alone.
    assert!(
        list.body
            .contains(&format!("<option value=\"{}\"", acme.site_a))
    );
    assert!(
        !list
            .body
            .contains(&format!("<option value=\"{}\"", acme.site_b))
    );
    // Finance is not theirs: the invoice list is refused, and the unit page has no statement.
    assert_eq!(
        b.get(&host, &format!("/invoices/{}", acme.invoice))
            .await
            .status,
        404
    );
    let unit = b.get(&host, &format!("/units/{}", acme.unit)).await;
    assert_eq!(unit.status, 200);
    assert!(!unit.body.contains("Statement for"));
    // The organisation-wide audit log is for all-sites users.
    assert_eq!(b.get(&host, "/audit").await.status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_of_sites_takes_effect_on_the_next_page() {
    let t = spawn_app().await;
    let acme = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let host = t.admin_host("acme");
    let b = t.browser();
    t.sign_in(&b, &host, &acme.site_manager_email).await;
    let ticket_a = format!("/tickets/{}", acme.ticket_a);
    assert_eq!(b.get(&host, &ticket_a).await.status, 200);
    let sid = proplink_backend::services::orgs::staff_by_email(
        &t.app,
        &acme.owner,
        &acme.site_manager_email,
    )
    .await
    .unwrap_or_else(|e| panic!("{e:?}"))
    .id;
    proplink_backend::services::orgs::set_scope(&t.app, &acme.owner, sid, Some(&[acme.site_b]))
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    // The session remembered in memory is forgotten with the change, not seconds later.
    assert_eq!(b.get(&host, &ticket_a).await.status, 404);
    assert_eq!(
        b.get(&host, &format!("/tickets/{}", acme.ticket_b))
            .await
            .status,
        200
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_hosts_and_organisations_reveal_nothing() {
    let t = spawn_app().await;
    fixtures::org(&t.app, "acme", "Acme Estates").await;
    let b = t.browser();
    let nowhere = b.get("nowhere.proplink.localhost", "/sign-in").await;
    assert_eq!(nowhere.status, 404);
    assert!(!nowhere.body.contains("nowhere"));
    for host in [
        "evil.example",
        "proplink.localhost",
        "www.proplink.localhost",
        "a.b.proplink.localhost",
        "nowhere.residenceport.localhost",
    ] {
        let page = b.get(host, "/").await;
        assert_eq!(page.status, 404, "{host}");
        assert_eq!(page.body, nowhere.body, "{host}");
    }
    // The API host answers in JSON, and only on its own paths.
    let api = b.get("api.proplink.localhost", "/").await;
    assert_eq!(api.status, 404);
    assert!(api.body.contains("\"code\":\"not_found\""), "{}", api.body);
    // Health checks answer on any host, for load balancers.
    assert_eq!(b.get("10.0.0.1", "/healthz").await.status, 200);
}
