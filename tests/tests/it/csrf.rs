//! Every state-changing form carries a token tied to the visitor; without it, nothing happens.

use proplink_tests::{fixtures, spawn_app};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forms_without_the_token_are_refused() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let host = t.admin_host("acme");
    let b = t.browser();

    // Signed out: the sign-in form without its token sends no code.
    b.get(&host, "/sign-in").await;
    let page = b
        .post(&host, "/sign-in", &[("email", &org.manager_email)])
        .await;
    assert_eq!(page.status, 403);
    assert!(page.body.contains("This form has expired"));
    let page = b
        .post(
            &host,
            "/sign-in",
            &[("email", &org.manager_email), ("csrf", "forged")],
        )
        .await;
    assert_eq!(page.status, 403);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(t.smtp.to(&org.manager_email).is_empty());

    // Signed in: sign-out without the session's token leaves the session alone.
    t.sign_in(&b, &host, &org.manager_email).await;
    assert_eq!(b.post(&host, "/sign-out", &[]).await.status, 403);
    let pre_sign_in_token = "0".repeat(64);
    assert_eq!(
        b.post(&host, "/sign-out", &[("csrf", &pre_sign_in_token)])
            .await
            .status,
        403
    );
    assert_eq!(
        b.get(&host, "/dashboard").await.status,
        200,
        "still signed in"
    );

    // Another visitor's token is no good either.
    let other = t.browser();
    t.sign_in(&other, &host, &org.manager_email).await;
    let others_token = other.get(&host, "/dashboard").await.csrf();
    assert_eq!(
        b.post(&host, "/sign-out", &[("csrf", &others_token)])
            .await
            .status,
        403
    );
    let own = b.get(&host, "/dashboard").await.csrf();
    assert_eq!(
        b.post(&host, "/sign-out", &[("csrf", &own)]).await.status,
        303
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_carry_security_headers() {
    let t = spawn_app().await;
    fixtures::org(&t.app, "acme", "Acme Estates").await;
    let page = t.browser().get(&t.admin_host("acme"), "/sign-in").await;
    let header = |name: &str| {
        page.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert_eq!(header("referrer-policy"), "no-referrer");
    assert!(header("content-security-policy").contains("frame-ancestors 'none'"));
    assert_eq!(header("cache-control"), "no-store");
}
