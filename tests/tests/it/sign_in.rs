//! Email + OTP sign-in over HTTP, with codes read from a real SMTP server.

use proplink_tests::{
    Options, SESSION_COOKIE, SIGN_IN_COOKIE, fixtures, spawn_app, spawn_app_with,
};
use time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signs_in_with_the_emailed_code_and_out_again() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let host = t.admin_host("acme");
    let b = t.browser();

    // Signed out, every page leads to the sign-in form.
    let page = b.get(&host, "/dashboard").await;
    assert_eq!((page.status, page.location()), (303, Some("/sign-in")));

    // A session cookie planted before sign-in is replaced, not adopted.
    b.set_cookie(&host, SESSION_COOKIE, "planted-by-an-attacker");
    t.sign_in(&b, &host, &org.manager_email).await;
    let session = b.cookie(&host, SESSION_COOKIE).unwrap_or_default();
    assert_ne!(session, "planted-by-an-attacker");
    assert_eq!(session.len(), 64);

    let mail = t.smtp.wait_for(&org.manager_email, 1).await;
    assert!(
        mail.subject().contains("sign-in code"),
        "{}",
        mail.subject()
    );

    let dashboard = b.get(&host, "/dashboard").await;
    assert_eq!(dashboard.status, 200);
    assert!(dashboard.body.contains("<h1>Dashboard</h1>"));
    assert!(dashboard.body.contains("Mina Manager"));

    let sign_out = b
        .post(&host, "/sign-out", &[("csrf", &dashboard.csrf())])
        .await;
    assert_eq!(
        (sign_out.status, sign_out.location()),
        (303, Some("/sign-in"))
    );
    let after = b.get(&host, "/dashboard").await;
    assert_eq!((after.status, after.location()), (303, Some("/sign-in")));

    // The old cookie value is dead on the server too, not just forgotten by the browser.
    let replay = t.browser();
    replay.set_cookie(&host, SESSION_COOKIE, &session);
    assert_eq!(replay.get(&host, "/dashboard").await.status, 303);

    let events = t.audit_events(org.id).await;
    assert!(events.iter().any(|(a, c, s)| a == "sign_in"
        && c == "admin"
        && s.starts_with("Mina Manager signed in via the admin app on ")));
    assert!(events.iter().any(|(a, c, s)| a == "sign_out"
        && c == "admin"
        && s.starts_with("Mina Manager signed out via the admin app")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_cookie_is_secure_httponly_and_host_only() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let host = t.admin_host("acme");
    let b = t.browser();
    let code = t.request_code(&b, &host, &org.manager_email).await;
    let page = t.submit_code(&b, &host, &code).await;
    let cookie = page
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with(&format!("{SESSION_COOKIE}=")))
        .unwrap_or_default();
    for attribute in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/"] {
        assert!(
            cookie.contains(attribute),
            "{attribute} missing from {cookie}"
        );
    }
    assert!(
        !cookie.to_ascii_lowercase().contains("domain="),
        "the session must not be shared with other subdomains: {cookie}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_code_is_refused_and_recorded() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let host = t.admin_host("acme");
    let b = t.browser();
    let code = t.request_code(&b, &host, &org.manager_email).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let page = t.submit_code(&b, &host, wrong).await;
    assert_eq!(page.status, 422);
    assert!(
        page.body.contains("That code is not right"),
        "{}",
        page.body
    );
    assert!(page.body.contains("4 tries left"));
    assert!(b.cookie(&host, SESSION_COOKIE).is_none());
    // Letters are not a try at all.
    let page = t.submit_code(&b, &host, "abcdef").await;
    assert!(page.body.contains("Enter the 6-digit code"));
    // The right code still works after a wrong one.
    assert_eq!(t.submit_code(&b, &host, &code).await.status, 303);
    let events = t.audit_events(org.id).await;
    assert!(events.iter().any(|(a, _, s)| a == "sign_in_failed"
        && s.contains("entered a wrong sign-in code via the admin app")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_code_is_refused() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let host = t.admin_host("acme");
    let b = t.browser();
    let code = t.request_code(&b, &host, &org.manager_email).await;
    t.app
        .clock
        .advance(Duration::minutes(10) + Duration::seconds(1));
    let page = t.submit_code(&b, &host, &code).await;
    assert_eq!(page.status, 422);
    assert!(
        page.body
            .contains("That code has expired or has already been used"),
        "{}",
        page.body
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_code_works_once() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let host = t.admin_host("acme");
    let b = t.browser();
    let code = t.request_code(&b, &host, &org.manager_email).await;
    assert_eq!(t.submit_code(&b, &host, &code).await.status, 303);
    let other = t.browser();
    // The second browser went through the first step too, so only the code is reused.
    other.set_cookie(
        &host,
        SIGN_IN_COOKIE,
        &org.manager_email.replace('@', "%40"),
    );
    let page = t.submit_code(&other, &host, &code).await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("already been used"), "{}", page.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_code_guessed_at_five_times_is_spent_even_for_the_right_code() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let host = t.admin_host("acme");
    let b = t.browser();
    let code = t.request_code(&b, &host, &org.manager_email).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..5 {
        assert_eq!(t.submit_code(&b, &host, wrong).await.status, 422);
    }
    let page = t.submit_code(&b, &host, &code).await;
    assert_eq!(page.status, 422, "{}", page.body);
    assert!(page.body.contains("Request a new code"), "{}", page.body);
    assert!(b.cookie(&host, SESSION_COOKIE).is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn floods_of_code_requests_are_limited_per_address_and_per_client() {
    let t = spawn_app_with(Options {
        otp_sends_per_address: Some(3),
        otp_sends_per_client: Some(8),
        ..Options::default()
    })
    .await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let host = t.admin_host("acme");
    let b = t.browser();
    for _ in 0..3 {
        assert_eq!(
            t.ask_for_code(&b, &host, &org.manager_email).await.status,
            303
        );
    }
    // The fourth goes to the code page with a notice; no fourth mail is sent.
    let page = t.ask_for_code(&b, &host, &org.manager_email).await;
    assert_eq!(page.status, 303);
    assert_eq!(page.location(), Some("/sign-in/code?already_sent=true"));
    let notice = b.get(&host, "/sign-in/code?already_sent=true").await;
    assert!(
        notice.body.contains("so no new one was sent"),
        "{}",
        notice.body
    );
    // Three mails went out; the fourth request sent nothing.
    t.smtp.wait_for(&org.manager_email, 3).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(t.smtp.to(&org.manager_email).len(), 3);
    // The same client trying many addresses hits the per-client limit.
    let mut statuses = Vec::new();
    for i in 0..6 {
        statuses.push(
            t.ask_for_code(&b, &host, &format!("someone{i}@elsewhere.example"))
                .await
                .status,
        );
    }
    assert_eq!(statuses, vec![303, 303, 303, 303, 429, 429]);
    // After the window the address may ask again.
    t.app.clock.advance(Duration::minutes(16));
    assert_eq!(
        t.ask_for_code(&b, &host, &org.manager_email).await.status,
        303
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_address_gets_the_same_answer_and_no_mail() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let host = t.admin_host("acme");
    let known = t.browser();
    let unknown = t.browser();
    let a = t.ask_for_code(&known, &host, &org.manager_email).await;
    let b = t.ask_for_code(&unknown, &host, "nobody@acme.example").await;
    assert_eq!((a.status, a.location()), (b.status, b.location()));
    let a = known.get(&host, "/sign-in/code").await;
    let b = unknown.get(&host, "/sign-in/code").await;
    assert_eq!(a.status, b.status);
    let strip =
        |body: &str, email: &str, csrf: &str| body.replace(email, "EMAIL").replace(csrf, "CSRF");
    assert_eq!(
        strip(&a.body, &org.manager_email, &a.csrf()),
        strip(&b.body, "nobody@acme.example", &b.csrf())
    );
    // A wrong code for either reads the same, tries and all.
    let a = t.submit_code(&known, &host, "123456").await;
    let b = t.submit_code(&unknown, &host, "123456").await;
    assert_eq!(a.status, b.status);
    assert_eq!(
        strip(&a.body, &org.manager_email, &a.csrf()),
        strip(&b.body, "nobody@acme.example", &b.csrf())
    );
    t.smtp.wait_for(&org.manager_email, 1).await;
    assert!(t.smtp.to("nobody@acme.example").is_empty());
    // A malformed address is a clear error on the form, not a silent success.
    let page = t.ask_for_code(&t.browser(), &host, "not-an-email").await;
    assert_eq!(page.status, 422);
    assert!(
        page.body
            .contains("Enter an email address in the correct format")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_end_after_idle_time_and_after_the_absolute_limit() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let host = t.admin_host("acme");

    let idle = t.browser();
    t.sign_in(&idle, &host, &org.manager_email).await;
    t.app.clock.advance(Duration::minutes(29));
    assert_eq!(
        idle.get(&host, "/dashboard").await.status,
        200,
        "29 minutes idle is still signed in"
    );
    t.app.clock.advance(Duration::minutes(31));
    let page = idle.get(&host, "/dashboard").await;
    assert_eq!((page.status, page.location()), (303, Some("/sign-in")));

    let busy = t.browser();
    t.sign_in(&busy, &host, &org.manager_email).await;
    for _ in 0..(12 * 3 - 1) {
        t.app.clock.advance(Duration::minutes(20));
        assert_eq!(busy.get(&host, "/dashboard").await.status, 200);
    }
    t.app.clock.advance(Duration::minutes(21));
    let page = busy.get(&host, "/dashboard").await;
    assert_eq!(
        (page.status, page.location()),
        (303, Some("/sign-in")),
        "a session lasts 12 hours however active"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_smtp_the_code_is_in_the_dev_mailbox() {
    let t = spawn_app_with(Options {
        no_smtp: true,
        ..Options::default()
    })
    .await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let host = t.admin_host("acme");
    let b = t.browser();
    assert_eq!(
        t.ask_for_code(&b, &host, &org.manager_email).await.status,
        303
    );
    let code_page = b.get(&host, "/sign-in/code").await;
    assert!(code_page.body.contains("/dev/mailbox"));
    let mailbox = b.get(&host, "/dev/mailbox").await;
    assert_eq!(mailbox.status, 200);
    let marker = "Your sign-in code is ";
    let at = mailbox
        .body
        .find(marker)
        .unwrap_or_else(|| panic!("no code in the mailbox: {}", mailbox.body))
        + marker.len();
    let code = &mailbox.body[at..at + 6];
    assert_eq!(t.submit_code(&b, &host, code).await.status, 303);
    assert!(t.smtp.all().is_empty());
}

/// Asks for a code from the machine at `ip` (the server trusts `X-Forwarded-For` here).
async fn ask_for_code_from(
    t: &proplink_tests::TestApp,
    host: &str,
    email: &str,
    ip: &str,
) -> proplink_tests::Page {
    let b = t.browser();
    let form = b.get(host, "/sign-in").await;
    let body = format!("csrf={}&email={}", form.csrf(), email.replace('@', "%40"));
    b.request(
        "POST",
        host,
        "/sign-in",
        &[
            ("content-type", "application/x-www-form-urlencoded"),
            ("x-forwarded-for", ip),
        ],
        body.into_bytes(),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_codes_are_bounded_per_address_across_both_doors_and_every_code() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let host = t.admin_host("acme");
    let email = org.site_manager_email.as_str();
    let b = t.browser();
    let client = facility_report_core::Client::new(&t.api_url()).unwrap_or_else(|e| panic!("{e}"));
    let admin_code = t.request_code(&b, &host, email).await;
    client
        .request_code("acme", email)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let app_code = t.smtp.code(email, 2).await;
    let wrong = (0..)
        .map(|n| format!("{n:06}"))
        .find(|c| *c != admin_code && *c != app_code)
        .unwrap_or_default();
    let device = uuid::Uuid::now_v7();
    // Ten wrong codes, five through each door.
    for _ in 0..5 {
        assert_eq!(t.submit_code(&b, &host, &wrong).await.status, 422);
        let refused = client.token("acme", email, &wrong, device, "Phone").await;
        assert!(
            matches!(&refused, Err(facility_report_core::CoreError::Server { code, .. }) if code == "wrong_credentials"),
            "{:?}",
            refused.err()
        );
    }
    // Then even a fresh, right code is refused, and the person is told until when.
    let fresh = t.request_code(&b, &host, email).await;
    let page = t.submit_code(&b, &host, &fresh).await;
    assert_eq!(page.status, 429, "{}", page.body);
    assert!(
        page.body.contains("signing in is paused until"),
        "{}",
        page.body
    );
    assert!(page.headers.contains_key("retry-after"));
    assert!(b.cookie(&host, SESSION_COOKIE).is_none());
    let refused = client
        .token("acme", email, &app_code, device, "Phone")
        .await;
    assert!(
        matches!(&refused, Err(facility_report_core::CoreError::Server { code, .. }) if code == "too_many_requests"),
        "{:?}",
        refused.err()
    );
    // An hour on, a new code works.
    t.app.clock.advance(Duration::minutes(61));
    t.sign_in(&b, &host, email).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_code_requests_from_elsewhere_never_keeps_the_person_out() {
    let t = spawn_app_with(Options {
        trust_forwarded_for: true,
        ..Options::default()
    })
    .await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let host = t.admin_host("acme");
    let email = org.manager_email.as_str();
    // Six machines ask for Mina's codes, five times each.
    for machine in 1..=6 {
        for _ in 0..5 {
            let page = ask_for_code_from(&t, &host, email, &format!("203.0.113.{machine}")).await;
            assert_eq!(page.status, 303);
        }
    }
    // No more than twenty codes an hour reach her inbox.
    t.smtp.wait_for(email, 20).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(t.smtp.to(email).len(), 20);
    // From her own machine she reaches the code page, told to use the newest code, and it works.
    let b = t.browser();
    let form = b.get(&host, "/sign-in").await;
    let page = b
        .request(
            "POST",
            &host,
            "/sign-in",
            &[
                ("content-type", "application/x-www-form-urlencoded"),
                ("x-forwarded-for", "198.51.100.7"),
            ],
            format!("csrf={}&email={}", form.csrf(), email.replace('@', "%40")).into_bytes(),
        )
        .await;
    assert_eq!(page.location(), Some("/sign-in/code?already_sent=true"));
    let newest = t.smtp.code(email, 20).await;
    let page = t.submit_code(&b, &host, &newest).await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert_eq!(page.location(), Some("/dashboard"));
}
