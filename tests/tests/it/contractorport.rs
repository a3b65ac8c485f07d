//! ContractorPort's links: emailed with the invitation, opened once and traded for a session
//! bound to one work order; replaced, withdrawn, expired, closed, mangled or guessed links
//! refused with a page that says what happened.

use proplink_backend::params;
use proplink_backend::services::{contractor_links, work_orders};
use proplink_tests::{Browser, Page, TestApp, fixtures, spawn_app};

pub(crate) const HOST: &str = "contractorport.localhost";

/// Invites the fixture's contractor to its work order and returns the token of the link in
/// the email that arrives.
pub(crate) async fn invite(t: &TestApp, org: &fixtures::Org) -> String {
    let address = format!("fixit@{}.example", org.slug);
    let before = t.smtp.to(&address).len();
    fixtures::insure(&t.app, org).await;
    work_orders::invite(&t.app, &org.manager, org.work_order, org.vendor)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    token_in(&t.smtp.wait_for(&address, before + 1).await.text())
}

/// The token of the ContractorPort link in a mail.
pub(crate) fn token_in(mail: &str) -> String {
    let start = mail
        .find("contractorport.localhost")
        .unwrap_or_else(|| panic!("no link in {mail}"));
    let link = &mail[start..];
    let token: String = link
        .split('/')
        .nth(1)
        .unwrap_or("")
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect();
    assert_eq!(token.len(), 64, "a 256-bit token: {link}");
    token
}

/// Opens a link as the contractor does: the email's click shows a button, and the button
/// opens it. A link that does not open answers the click already.
pub(crate) async fn open(b: &Browser, token: &str) -> Page {
    let shown = b.get(HOST, &format!("/{token}")).await;
    if shown.status != 200 {
        return shown;
    }
    assert!(shown.body.contains("Open the work order"), "{}", shown.body);
    b.post(HOST, &format!("/{token}"), &[]).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_opens_once_and_becomes_a_session_for_its_one_work_order() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let token = invite(&t, &org).await;
    let stored: i64 = t
        .scalar(
            "SELECT COUNT(*) FROM contractor_links WHERE token_hash = $1",
            params![token.clone()],
        )
        .await;
    assert_eq!(stored, 0, "the token itself is never stored");
    let logged: i64 = t
        .scalar(
            "SELECT COUNT(*) FROM outbound_mail WHERE body LIKE $1",
            params![format!("%{token}%")],
        )
        .await;
    assert_eq!(
        logged, 0,
        "the communications log shows the link blanked out"
    );

    let b = t.browser();
    let opened = open(&b, &token).await;
    assert_eq!(opened.status, 303, "{}", opened.body);
    assert_eq!(
        opened.location(),
        Some("/work-order"),
        "the token leaves the address bar"
    );
    let page = b.get(HOST, "/work-order").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Fix the light"));
    assert!(page.body.contains("Replace the fitting"));
    assert!(page.body.contains("Alpha Court"));
    assert!(!page.body.contains("Patel"), "nothing of the residents");
    assert_eq!(page.headers["x-robots-tag"], "noindex, nofollow");
    assert_eq!(page.headers["referrer-policy"], "no-referrer");
    // Nothing else answers: no other work order, whatever the address says.
    for path in [
        format!("/work-order/{}", org.work_order),
        format!("/work-orders/{}", org.work_order),
        "/dashboard".to_owned(),
    ] {
        assert_eq!(b.get(HOST, &path).await.status, 404, "{path}");
    }
    // A quote: refused with the reason and what was typed kept, then sent; then revised.
    assert!(page.body.contains("Send your quote"));
    let quote = |net: &'static str, notes: &'static str, csrf: String| {
        let b = &b;
        async move {
            b.multipart(
                HOST,
                "/work-order/quote",
                &[
                    ("csrf", &csrf),
                    ("kind", "fixed_price"),
                    ("net", net),
                    ("vat_rate", "standard"),
                    ("notes", notes),
                ],
                &[],
            )
            .await
        }
    };
    let forged = b
        .multipart(
            HOST,
            "/work-order/quote",
            &[
                ("csrf", "nope"),
                ("kind", "fixed_price"),
                ("net", "180.00"),
                ("vat_rate", "standard"),
            ],
            &[],
        )
        .await;
    assert_eq!(forged.status, 403);
    let wrong = quote("lots", "Two days, parts included.", page.csrf()).await;
    assert_eq!(wrong.status, 422, "{}", wrong.body);
    assert!(wrong.body.contains("Two days, parts included."));
    let sent = quote("180.00", "Two days, parts included.", page.csrf()).await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    let page = b.get(HOST, "/work-order?done=quote").await;
    assert!(page.body.contains("Your quote was sent"));
    assert!(
        page.body.contains("£180.00") && page.body.contains("£36.00"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Waiting for a decision"));
    assert!(page.body.contains("Send a revised quote"));
    let events = t.audit_events(org.id).await;
    assert!(
        events
            .iter()
            .any(|(_, channel, sentence)| channel == "contractorport"
                && sentence.starts_with("Fixit Ltd quoted £180.00 + VAT")),
        "{events:?}"
    );
    // Opened again, anywhere, the link says it was opened; the session goes on.
    let again = open(&t.browser(), &token).await;
    assert_eq!(again.status, 410);
    assert!(again.body.contains("already been opened"));
    assert!(again.body.contains("Acme Estates"));
    assert_eq!(b.get(HOST, "/work-order").await.status, 200);
    // Without the session, nothing but the way back: the link in the email.
    let signed_out = t.browser().get(HOST, "/work-order").await;
    assert_eq!(signed_out.status, 401);
    assert!(signed_out.body.contains("Open the link from your email"));
    assert!(!signed_out.body.contains("Fix the light"));
    let events = t.audit_events(org.id).await;
    assert!(
        events
            .iter()
            .any(|(_, channel, sentence)| channel == "contractorport"
                && sentence.starts_with("Fixit Ltd opened their ContractorPort link to WO-"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replaced_withdrawn_expired_and_closed_links_say_so_and_their_sessions_end() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let first = invite(&t, &org).await;
    let b = t.browser();
    assert_eq!(open(&b, &first).await.status, 303);
    // Invited again: the old link and its session end; the new one opens.
    let second = invite(&t, &org).await;
    assert_eq!(b.get(HOST, "/work-order").await.status, 401);
    let replaced = open(&t.browser(), &first).await;
    assert_eq!(replaced.status, 410);
    assert!(replaced.body.contains("newer link"));
    // Withdrawn by the office, on the work order's page.
    let (admin, host) = (t.browser(), t.admin_host("acme"));
    t.sign_in(&admin, &host, &org.manager_email).await;
    let page = admin
        .get(&host, &format!("/work-orders/{}", org.work_order))
        .await;
    assert!(
        page.body.contains("Withdraw a ContractorPort link"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Fixit Ltd (link until"));
    let sent = admin
        .post(
            &host,
            &format!("/work-orders/{}/withdraw", org.work_order),
            &[("csrf", &page.csrf()), ("vendor", &org.vendor.to_string())],
        )
        .await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    assert!(
        contractor_links::revoke(&t.app, &org.manager, org.work_order, org.vendor)
            .await
            .is_err(),
        "nothing left to withdraw"
    );
    let withdrawn = open(&t.browser(), &second).await;
    assert_eq!(withdrawn.status, 410);
    assert!(withdrawn.body.contains("withdrawn"));
    // Expired.
    let third = invite(&t, &org).await;
    t.tamper(
        "UPDATE contractor_links SET expires_at = created_at WHERE ended IS NULL",
        &[],
    )
    .await;
    let expired = open(&t.browser(), &third).await;
    assert_eq!(expired.status, 410);
    assert!(expired.body.contains("expired"));
    // The work order closed: its links and sessions end.
    let fourth = invite(&t, &org).await;
    let c = t.browser();
    assert_eq!(open(&c, &fourth).await.status, 303);
    let page = c.get(HOST, "/work-order").await;
    work_orders::close(&t.app, &org.manager, org.work_order, true)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(c.get(HOST, "/work-order").await.status, 401);
    // A quote on the cancelled order is refused and nothing is stored.
    let refused = c
        .multipart(
            HOST,
            "/work-order/quote",
            &[
                ("csrf", &page.csrf()),
                ("kind", "fixed_price"),
                ("net", "180.00"),
                ("vat_rate", "standard"),
            ],
            &[("pdf", "quote.pdf", b"%PDF-1.4\n%%EOF\n")],
        )
        .await;
    assert_eq!(refused.status, 401, "{}", refused.body);
    let quotes: i64 = t.scalar("SELECT COUNT(*) FROM quotes", &[]).await;
    assert_eq!(quotes, 0);
    let closed = open(&t.browser(), &fourth).await;
    assert_eq!(closed.status, 410);
    assert!(closed.body.contains("closed"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mangled_and_guessed_links_look_alike_and_guessing_is_stopped() {
    let t = proplink_tests::spawn_app_with(proplink_tests::Options {
        trust_forwarded_for: true,
        ..proplink_tests::Options::default()
    })
    .await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let token = invite(&t, &org).await;
    let flipped: String = token
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if i == 10 {
                if c == 'a' { 'b' } else { 'a' }
            } else {
                c
            }
        })
        .collect();
    let b = t.browser();
    let tampered = from(&b, &format!("/{flipped}"), "203.0.113.1").await;
    let truncated = from(&b, &format!("/{}", &token[..40]), "203.0.113.1").await;
    let random = from(&b, &format!("/{}", "0".repeat(64)), "203.0.113.1").await;
    for page in [&tampered, &truncated, &random] {
        assert_eq!(page.status, 404);
        assert!(page.body.contains("This link does not open a work order"));
        assert!(
            !page.body.contains("Acme"),
            "a wrong link says nothing of anyone"
        );
    }
    assert_eq!(tampered.body, random.body, "indistinguishable");
    // What a phone fetches by itself is no guess: it never counts.
    for path in ["/robots.txt", "/apple-touch-icon.png", "/favicon.ico"] {
        for _ in 0..25 {
            from(&b, path, "203.0.113.1").await;
        }
    }
    assert_eq!(
        from(&b, &format!("/{token}"), "203.0.113.1").await.status,
        200
    );
    // Guessing from one network is stopped, even before a right link; others are not. An
    // IPv6 client is one network with its whole /64.
    for i in 0..18 {
        from(&b, &format!("/{:064x}", i + 1), "203.0.113.1").await;
    }
    let stopped = from(&b, &format!("/{token}"), "203.0.113.1").await;
    assert_eq!(stopped.status, 429);
    for i in 0..20 {
        from(
            &b,
            &format!("/{:064x}", i + 100),
            &format!("2001:db8:1:2::{i:x}"),
        )
        .await;
    }
    assert_eq!(
        from(&b, &format!("/{token}"), "2001:db8:1:2:ffff::1")
            .await
            .status,
        429
    );
    let elsewhere = from(&b, &format!("/{token}"), "198.51.100.7").await;
    assert_eq!(elsewhere.status, 200, "{}", elsewhere.body);
    assert!(elsewhere.body.contains("Open the work order"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fetching_a_link_uses_nothing_up_and_only_our_own_page_opens_it() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let token = invite(&t, &org).await;
    // A mail scanner, a chat's preview, a HEAD: the link is still unopened after all of them.
    let scanner = t.browser();
    for _ in 0..3 {
        let page = scanner.get(HOST, &format!("/{token}")).await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("A work order from Acme Estates"));
        assert!(
            !page.body.contains("Fix the light"),
            "nothing of the work before opening"
        );
    }
    let head = scanner
        .request("HEAD", HOST, &format!("/{token}"), &[], Vec::new())
        .await;
    assert_eq!(head.status, 200);
    assert_eq!(scanner.get(HOST, "/work-order").await.status, 401);
    let used: i64 = t
        .scalar(
            "SELECT COUNT(*) FROM contractor_links WHERE used_at IS NOT NULL",
            &[],
        )
        .await;
    assert_eq!(used, 0);
    // Another site's page cannot open it into someone's browser.
    let forged = scanner
        .request(
            "POST",
            HOST,
            &format!("/{token}"),
            &[("origin", "https://evil.example")],
            Vec::new(),
        )
        .await;
    assert_eq!(forged.status, 403);
    let fresh_forged = scanner
        .request(
            "POST",
            HOST,
            &format!("/{token}/fresh"),
            &[("origin", "https://evil.example")],
            Vec::new(),
        )
        .await;
    assert_eq!(fresh_forged.status, 403);
    let cross_site = scanner
        .request(
            "POST",
            HOST,
            &format!("/{token}"),
            &[("sec-fetch-site", "cross-site"), ("origin", "null")],
            Vec::new(),
        )
        .await;
    assert_eq!(cross_site.status, 403);
    // The contractor's own click on our page opens it.
    let b = t.browser();
    let opened = b
        .request(
            "POST",
            HOST,
            &format!("/{token}"),
            &[("sec-fetch-site", "same-origin"), ("origin", "null")],
            Vec::new(),
        )
        .await;
    assert_eq!(opened.status, 303, "{}", opened.body);
    assert_eq!(b.get(HOST, "/work-order").await.status, 200);
}

/// A request from the client at `ip`, as the proxy in front reports it.
async fn from(b: &Browser, path: &str, ip: &str) -> Page {
    b.request("GET", HOST, path, &[("x-forwarded-for", ip)], Vec::new())
        .await
}
