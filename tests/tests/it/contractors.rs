//! Contractors in the admin app: added and edited through their forms (a stale edit refused),
//! insurance filed, and the lists of cover expiring within 60 days or lapsed.

use proplink_backend::params;
use proplink_tests::{Browser, Page, TestApp, fixtures, spawn_app};
use time::Duration;

async fn signed_in(t: &TestApp, email: &str) -> (Browser, String) {
    let b = t.browser();
    let host = t.admin_host("acme");
    t.sign_in(&b, &host, email).await;
    (b, host)
}

async fn send(
    b: &Browser,
    host: &str,
    page_path: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> Page {
    let csrf = b.get(host, page_path).await.csrf();
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    b.post(host, action, &form).await
}

async fn vendors(t: &TestApp) -> i64 {
    t.scalar("SELECT COUNT(*) FROM vendors", params![]).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_contractor_is_added_insured_and_found_in_the_expiring_list() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let (b, host) = signed_in(&t, &org.manager_email).await;
    let before = vendors(&t).await;
    let page = send(
        &b,
        &host,
        "/contractors/new",
        "/contractors",
        &[
            ("name", "Lift Co"),
            ("email", "lifts@"),
            ("phone", ""),
            ("service", "lifts"),
        ],
    )
    .await;
    assert_eq!(page.status, 422, "{}", page.body);
    assert!(page.body.contains("href=\"#new-email\""));
    assert!(page.body.contains("value=\"Lift Co\""));
    assert!(page.body.contains("<option value=\"lifts\" selected>"));
    assert_eq!(vendors(&t).await, before, "nothing written");
    let page = send(
        &b,
        &host,
        "/contractors/new",
        "/contractors",
        &[
            ("name", "Lift Co"),
            ("email", "lifts@liftco.example"),
            ("phone", "020 7946 0101"),
            ("service", "lifts"),
        ],
    )
    .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let path = page
        .location()
        .unwrap_or_default()
        .trim_end_matches("?done=created")
        .to_owned();
    // Without cover they are lapsed.
    let lapsed = b.get(&host, "/contractors?status=lapsed").await;
    assert!(lapsed.body.contains("Lift Co"), "{}", lapsed.body);
    // A certificate without its insurer is sent back; a complete one is filed.
    let today = proplink_shared::london::local(t.app.clock.now()).date();
    let soon = proplink_backend::store::date_text(today + Duration::days(45));
    let page = send(
        &b,
        &host,
        &path,
        &format!("{path}/cover"),
        &[
            ("kind", "public_liability"),
            ("provider", ""),
            ("policy_number", "PL-77"),
            ("sum_insured", "5,000,000"),
            ("expires_on", &soon),
        ],
    )
    .await;
    assert_eq!(page.status, 422, "{}", page.body);
    assert!(page.body.contains("href=\"#cover-provider\""));
    assert!(page.body.contains("value=\"PL-77\""));
    let page = send(
        &b,
        &host,
        &path,
        &format!("{path}/cover"),
        &[
            ("kind", "public_liability"),
            ("provider", "Aviva"),
            ("policy_number", "PL-77"),
            ("sum_insured", "5,000,000"),
            ("expires_on", &soon),
        ],
    )
    .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let shown = b.get(&host, page.location().unwrap_or_default()).await;
    assert!(
        shown.body.contains("£5,000,000.00") && shown.body.contains("Expiring soon"),
        "{}",
        shown.body
    );
    let expiring = b.get(&host, "/contractors?status=expiring").await;
    assert!(expiring.body.contains("Lift Co"), "{}", expiring.body);
    assert!(
        !expiring.body.contains("Fixit Ltd"),
        "the fixture's contractor has no cover at all"
    );
    assert!(
        !b.get(&host, "/contractors?status=lapsed")
            .await
            .body
            .contains("Lift Co")
    );
    let events = t.audit_events(org.id).await;
    assert!(
        events.iter().any(|(a, c, s)| a == "upload"
            && c == "admin"
            && s.contains("filed Public liability insurance for Lift Co")),
        "{events:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_edit_is_refused_and_those_who_may_not_write_nothing() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let (b, host) = signed_in(&t, &org.manager_email).await;
    let path = format!("/contractors/{}", org.vendor);
    let page = b.get(&host, &path).await;
    let csrf = page.csrf();
    let edit = |name: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("version", "1".to_owned()),
            ("name", name.to_owned()),
            ("email", "fixit@acme.example".to_owned()),
            ("phone", "".to_owned()),
            ("service", "general".to_owned()),
        ]
    };
    let form = |v: Vec<(&'static str, String)>| v;
    let first = form(edit("Fixit Limited"));
    let first: Vec<(&str, &str)> = first.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let page = b.post(&host, &format!("{path}/details"), &first).await;
    assert_eq!(page.status, 303, "{}", page.body);
    let second = form(edit("Fix-it Ltd"));
    let second: Vec<(&str, &str)> = second.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let page = b.post(&host, &format!("{path}/details"), &second).await;
    assert_eq!(page.status, 409, "{}", page.body);
    assert!(
        page.body.contains("Someone else changed Fixit Limited"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("value=\"Fix-it Ltd\""),
        "what was typed is kept"
    );
    let name: String = t
        .scalar(
            "SELECT name FROM vendors WHERE id = $1",
            params![org.vendor],
        )
        .await;
    assert_eq!(name, "Fixit Limited", "the first change stands");
    // An Accountant reads contractors but neither adds nor edits them.
    let (b, host) = signed_in(&t, &org.accountant_email).await;
    let before: i64 = t.scalar("SELECT COUNT(*) FROM vendors", params![]).await;
    let page = send(
        &b,
        &host,
        "/contractors",
        "/contractors",
        &[
            ("name", "X"),
            ("email", "x@x.example"),
            ("service", "general"),
        ],
    )
    .await;
    assert_eq!(page.status, 403, "{}", page.body);
    assert_eq!(b.get(&host, "/contractors/new").await.status, 403);
    let after: i64 = t.scalar("SELECT COUNT(*) FROM vendors", params![]).await;
    assert_eq!(before, after);
    // Another organisation's contractor is missing here.
    let other = fixtures::org(&t.app, "birch", "Birchwood").await;
    let page = send(
        &b,
        &host,
        "/contractors",
        &format!("/contractors/{}/cover", other.vendor),
        &[("kind", "public_liability")],
    )
    .await;
    assert_eq!(page.status, 404, "{}", page.body);
}
