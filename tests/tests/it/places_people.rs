//! Places and people in the admin app: a site, a building (a higher-risk one) and a unit
//! added through their forms; a leaseholder linked (a known email reused, not duplicated),
//! their link ended, their details corrected (a stale edit refused) and an invitation to
//! ResidencePort sent.

use proplink_backend::params;
use proplink_tests::{Browser, Page, TestApp, fixtures, spawn_app};

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

async fn count(t: &TestApp, table: &str) -> i64 {
    t.scalar(&format!("SELECT COUNT(*) FROM {table}"), params![])
        .await
}

fn location(page: &Page) -> String {
    page.location()
        .unwrap_or_default()
        .split('?')
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_site_building_and_unit_are_added_and_a_leaseholder_linked_and_invited() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let (b, host) = signed_in(&t, &org.manager_email).await;
    let sites = count(&t, "sites").await;
    let page = send(
        &b,
        &host,
        "/sites/new",
        "/sites",
        &[
            ("reference", "A1"),
            ("name", "Canal Wharf"),
            ("address", "3 Canal Street"),
        ],
    )
    .await;
    assert_eq!(page.status, 422, "a reference already taken: {}", page.body);
    assert!(
        page.body
            .contains("Another site already has that reference")
    );
    assert!(page.body.contains("value=\"Canal Wharf\""));
    assert_eq!(count(&t, "sites").await, sites);
    let page = send(
        &b,
        &host,
        "/sites/new",
        "/sites",
        &[
            ("reference", "CW"),
            ("name", "Canal Wharf"),
            ("address", "3 Canal Street"),
        ],
    )
    .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let site = location(&page);
    let page = send(
        &b,
        &host,
        &site,
        &format!("{site}/buildings"),
        &[
            ("name", "Wharf Tower"),
            ("storeys", "twelve"),
            ("height", "38.55"),
            ("hrb", "yes"),
        ],
    )
    .await;
    assert_eq!(page.status, 422, "{}", page.body);
    assert!(
        page.body.contains("href=\"#building-storeys\"")
            && page.body.contains("href=\"#building-height\"")
    );
    let page = send(
        &b,
        &host,
        &site,
        &format!("{site}/buildings"),
        &[
            ("name", "Wharf Tower"),
            ("storeys", "12"),
            ("height", "38.5"),
            ("hrb", "yes"),
            ("bsr_registration", "HRB-0042"),
        ],
    )
    .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let building = location(&page);
    let shown = b.get(&host, &building).await;
    assert!(
        shown.body.contains("38.5 m") && shown.body.contains("HRB-0042"),
        "{}",
        shown.body
    );
    let page = send(
        &b,
        &host,
        &building,
        &format!("{building}/units"),
        &[("name", "Flat 1201"), ("floor", "12")],
    )
    .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let unit = location(&page);
    // A new leaseholder, then the same address on another unit: linked, not added twice.
    let contacts = count(&t, "contacts").await;
    let join = |email: &'static str| {
        vec![
            ("role", "leaseholder"),
            ("title", "Ms"),
            ("first_name", "Ada"),
            ("last_name", "Lovelace"),
            ("email", email),
            ("phone", ""),
            ("billable", "yes"),
            ("start_date", "2026-11-01"),
        ]
    };
    let page = send(&b, &host, &unit, &format!("{unit}/people"), &join("")).await;
    assert_eq!(page.status, 422, "an email is needed: {}", page.body);
    let page = send(
        &b,
        &host,
        &unit,
        &format!("{unit}/people"),
        &join("ada@example.org"),
    )
    .await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert_eq!(count(&t, "contacts").await, contacts + 1);
    let other_unit = format!("/units/{}", org.unit);
    let page = send(
        &b,
        &host,
        &other_unit,
        &format!("{other_unit}/people"),
        &join("ADA@example.org"),
    )
    .await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert_eq!(
        count(&t, "contacts").await,
        contacts + 1,
        "the known contact is linked"
    );
    let ada: String = t
        .scalar(
            "SELECT id FROM contacts WHERE email = 'ada@example.org'",
            params![],
        )
        .await;
    // She leaves the fixture's unit; an end before her start is refused.
    let page = send(
        &b,
        &host,
        &other_unit,
        &format!("{other_unit}/people/end"),
        &[("contact", &ada), ("end_date", "2026-10-01")],
    )
    .await;
    assert_eq!(page.status, 422, "{}", page.body);
    let page = send(
        &b,
        &host,
        &other_unit,
        &format!("{other_unit}/people/end"),
        &[("contact", &ada), ("end_date", "2026-11-30")],
    )
    .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let ended: Option<String> = t
        .scalar(
            "SELECT end_date FROM unit_contacts WHERE contact_id = $1 AND unit_id = $2",
            params![ada.as_str(), org.unit.to_string()],
        )
        .await;
    assert_eq!(ended.as_deref(), Some("2026-11-30"));
    // Invited to ResidencePort by email.
    let contact = format!("/contacts/{ada}");
    let page = send(&b, &host, &contact, &format!("{contact}/invite"), &[]).await;
    assert_eq!(page.status, 303, "{}", page.body);
    let mail = t.smtp.wait_for("ada@example.org", 1).await;
    assert!(
        mail.subject().contains("ResidencePort"),
        "{}",
        mail.subject()
    );
    assert!(b.get(&host, &contact).await.body.contains("Invited"));
    // Two corrections from one page: the second is refused.
    let page = b.get(&host, &contact).await;
    let csrf = page.csrf();
    let edit = |last: &'static str| {
        vec![
            ("csrf", csrf.as_str()),
            ("version", "1"),
            ("kind", "leaseholder"),
            ("title", "Dr"),
            ("first_name", "Ada"),
            ("last_name", last),
            ("email", "ada@example.org"),
            ("phone", ""),
        ]
    };
    assert_eq!(
        b.post(&host, &format!("{contact}/edit"), &edit("King"))
            .await
            .status,
        303
    );
    let stale = b
        .post(&host, &format!("{contact}/edit"), &edit("Byron"))
        .await;
    assert_eq!(stale.status, 409, "{}", stale.body);
    let last: String = t
        .scalar(
            "SELECT last_name FROM contacts WHERE email = 'ada@example.org'",
            params![],
        )
        .await;
    assert_eq!(last, "King");
    let events = t.audit_events(org.id).await;
    for expected in [
        "added site Canal Wharf",
        "added building Wharf Tower at Canal Wharf (higher-risk building)",
        "added Flat 1201 in Wharf Tower",
        "linked Ada Lovelace to Flat 1201 as leaseholder",
        "ended Ada Lovelace's link to Flat 1",
        "invited Ada Lovelace to ResidencePort",
    ] {
        assert!(
            events
                .iter()
                .any(|(_, c, s)| c == "admin" && s.contains(expected)),
            "{expected}: {events:#?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn site_staff_cannot_add_sites_or_touch_another_site() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let (b, host) = signed_in(&t, &org.site_manager_email).await;
    assert_eq!(b.get(&host, "/sites/new").await.status, 403);
    let sites = count(&t, "sites").await;
    let page = send(
        &b,
        &host,
        "/sites",
        "/sites",
        &[("reference", "ZZ"), ("name", "Z"), ("address", "Z")],
    )
    .await;
    assert_eq!(page.status, 403, "{}", page.body);
    assert_eq!(count(&t, "sites").await, sites);
    let theirs = format!("/sites/{}", org.site_b);
    let page = send(
        &b,
        &host,
        "/sites",
        &format!("{theirs}/edit"),
        &[
            ("version", "1"),
            ("reference", "B1"),
            ("name", "Mine now"),
            ("address", "x"),
        ],
    )
    .await;
    assert_eq!(page.status, 404, "{}", page.body);
    let name: String = t
        .scalar(
            "SELECT name FROM sites WHERE id = $1",
            params![org.site_b.to_string()],
        )
        .await;
    assert_eq!(name, "Beta House");
}
