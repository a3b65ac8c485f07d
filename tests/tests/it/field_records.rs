//! Site issues and work orders from the office: an issue raised and corrected (a stale edit
//! refused, a closed one kept as it was), a work order started on its own, and a note with a
//! photo added to one — the photo cleaned, a file that is not a photo refused.

use proplink_backend::params;
use proplink_shared::states::IssueStatus;
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

fn location(page: &Page) -> String {
    page.location()
        .unwrap_or_default()
        .split('?')
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_issue_is_raised_from_the_office_and_corrected_while_open() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let (b, host) = signed_in(&t, &org.manager_email).await;
    let place = format!("building:{}:{}", org.site_a, org.building);
    let page = send(
        &b,
        &host,
        "/issues/new",
        "/issues",
        &[
            ("place", ""),
            ("title", "Lift stuck"),
            ("location", ""),
            ("category", "other"),
            ("priority", "high"),
        ],
    )
    .await;
    assert_eq!(page.status, 422, "{}", page.body);
    assert!(
        page.body.contains("href=\"#new-place\"") && page.body.contains("href=\"#new-location\""),
        "{}",
        page.body
    );
    assert!(page.body.contains("value=\"Lift stuck\""));
    let page = send(
        &b,
        &host,
        "/issues/new",
        "/issues",
        &[
            ("place", &place),
            ("title", "Lift stuck"),
            ("location", "Ground floor lobby"),
            ("category", "other"),
            ("priority", "high"),
        ],
    )
    .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let issue = location(&page);
    let shown = b.get(&host, page.location().unwrap_or_default()).await;
    assert!(shown.body.contains("The issue was raised."));
    let csrf = shown.csrf();
    let edit = |title: &'static str| {
        vec![
            ("csrf", csrf.as_str()),
            ("version", "1"),
            ("title", title),
            ("location", "Ground floor lobby"),
            ("description", ""),
            ("category", "other"),
            ("priority", "urgent"),
        ]
    };
    assert_eq!(
        b.post(
            &host,
            &format!("{issue}/edit"),
            &edit("Lift stuck between floors")
        )
        .await
        .status,
        303
    );
    let stale = b
        .post(&host, &format!("{issue}/edit"), &edit("Lift fine"))
        .await;
    assert_eq!(stale.status, 409, "{}", stale.body);
    let title: String = t
        .scalar(
            "SELECT title FROM issues WHERE location = 'Ground floor lobby'",
            params![],
        )
        .await;
    assert_eq!(title, "Lift stuck between floors");
    // Resolved, it is kept as it was.
    let id: String = t
        .scalar(
            "SELECT id FROM issues WHERE location = 'Ground floor lobby'",
            params![],
        )
        .await;
    proplink_backend::services::issues::set_status(
        &t.app,
        &org.manager,
        id.parse().unwrap_or_else(|e| panic!("{e:?}")),
        IssueStatus::Resolved,
        None,
    )
    .await
    .unwrap_or_else(|e| panic!("{e:?}"));
    let page = send(
        &b,
        &host,
        &issue,
        &format!("{issue}/edit"),
        &[
            ("version", "2"),
            ("title", "Changed"),
            ("location", "x"),
            ("category", "other"),
            ("priority", "low"),
        ],
    )
    .await;
    assert_eq!(page.status, 409, "{}", page.body);
    // An Accountant raises no issues.
    let (ab, _) = signed_in(&t, &org.accountant_email).await;
    assert_eq!(ab.get(&host, "/issues/new").await.status, 403);
}

/// A multipart form with the token, a note and a photo.
async fn note(
    b: &Browser,
    host: &str,
    path: &str,
    text: &str,
    photo: Option<(&str, &[u8])>,
) -> Page {
    let csrf = b.get(host, path).await.csrf();
    let boundary = "----proplinknote";
    let mut body = Vec::new();
    for (k, v) in [("csrf", csrf.as_str()), ("note", text)] {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    if let Some((name, bytes)) = photo {
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"{name}\"\r\nContent-Type: image/jpeg\r\n\r\n").as_bytes());
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    b.request(
        "POST",
        host,
        &format!("{path}/notes"),
        &[(
            "content-type",
            &format!("multipart/form-data; boundary={boundary}"),
        )],
        body,
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_work_order_is_started_on_its_own_and_the_office_adds_a_note_and_a_photo() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let (b, host) = signed_in(&t, &org.manager_email).await;
    let place = format!("site:{}", org.site_b);
    let page = send(
        &b,
        &host,
        "/work-orders/new",
        "/work-orders",
        &[
            ("place", &place),
            ("title", "Annual gutter clearance"),
            ("scope", ""),
            ("service_category", "roofing"),
            ("priority", "low"),
        ],
    )
    .await;
    assert_eq!(page.status, 422, "{}", page.body);
    assert!(page.body.contains("value=\"Annual gutter clearance\""));
    let page = send(
        &b,
        &host,
        "/work-orders/new",
        "/work-orders",
        &[
            ("place", &place),
            ("title", "Annual gutter clearance"),
            (
                "scope",
                "Clear all gutters and downpipes; photograph before and after.",
            ),
            ("service_category", "roofing"),
            ("priority", "low"),
        ],
    )
    .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let path = location(&page);
    // Neither a note nor a photo; then something that is not a photo: refused, nothing kept.
    let files: i64 = t.scalar("SELECT COUNT(*) FROM files", params![]).await;
    let page = note(&b, &host, &path, " ", None).await;
    assert_eq!(page.status, 422, "{}", page.body);
    let page = note(
        &b,
        &host,
        &path,
        "Resident's photo",
        Some(("notes.txt", b"just some text, not a picture")),
    )
    .await;
    assert_eq!(page.status, 422, "{}", page.body);
    assert!(
        page.body.contains("Only JPEG, PNG and WebP"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("Resident&#39;s photo") || page.body.contains("Resident's photo"),
        "the note typed is kept"
    );
    assert_eq!(
        files,
        t.scalar::<i64>("SELECT COUNT(*) FROM files", params![])
            .await
    );
    let jpeg = proplink_tests::camera_jpeg(7, 40_000);
    let page = note(
        &b,
        &host,
        &path,
        "Access via the side gate; code 4512.",
        Some(("IMG_0001.jpg", &jpeg)),
    )
    .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let shown = b.get(&host, &path).await;
    assert!(
        shown.body.contains("Access via the side gate"),
        "{}",
        shown.body
    );
    assert!(shown.body.contains("Photos (1)"), "{}", shown.body);
    let sha: String = t
        .scalar(
            "SELECT sha256 FROM record_files WHERE record_type = 'work_order'",
            params![],
        )
        .await;
    let photo = b.get(&host, &format!("{path}/photos/{sha}")).await;
    assert_eq!(photo.status, 200);
    assert_eq!(
        photo.bytes,
        proplink_tests::cleaned(&jpeg),
        "kept without its camera metadata"
    );
    let events = t.audit_events(org.id).await;
    assert!(
        events
            .iter()
            .any(|(a, c, s)| a == "upload" && c == "admin" && s.contains("added 1 photo to WO-")),
        "{events:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_leads_to_a_site_issue_linked_back_to_it() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let (b, host) = signed_in(&t, &org.manager_email).await;
    let ticket = format!("/tickets/{}", org.ticket_a);
    let page = send(
        &b,
        &host,
        &ticket,
        &format!("{ticket}/issue"),
        &[
            ("title", ""),
            ("location", "Hallway"),
            ("category", "water_leak"),
            ("priority", "high"),
        ],
    )
    .await;
    assert_eq!(page.status, 422, "{}", page.body);
    assert!(page.body.contains("href=\"#issue-title\""));
    let page = send(
        &b,
        &host,
        &ticket,
        &format!("{ticket}/issue"),
        &[
            ("title", "Leak above the hallway"),
            ("location", "Hallway"),
            ("category", "water_leak"),
            ("priority", "high"),
        ],
    )
    .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let shown = b.get(&host, page.location().unwrap_or_default()).await;
    assert!(
        shown
            .body
            .contains(&format!("href=\"/tickets/{}\"", org.ticket_a)),
        "{}",
        shown.body
    );
    let linked: Option<String> = t
        .scalar(
            "SELECT ticket_id FROM issues WHERE title = 'Leak above the hallway'",
            params![],
        )
        .await;
    assert_eq!(linked, Some(org.ticket_a.to_string()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_names_only_its_own_sites_buildings_whichever_form_files_it() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let other = fixtures::org(&t.app, "birch", "Birchwood").await;
    let (b, host) = signed_in(&t, &org.manager_email).await;
    // Alpha Court's building claimed for Beta House, and another organisation's building.
    for (place, status) in [
        (format!("building:{}:{}", org.site_b, org.building), 422),
        (format!("building:{}:{}", org.site_a, other.building), 404),
    ] {
        let page = send(
            &b,
            &host,
            "/work-orders/new",
            "/work-orders",
            &[
                ("place", &place),
                ("title", "Gutters"),
                ("scope", "Clear the gutters."),
                ("service_category", "roofing"),
                ("priority", "low"),
            ],
        )
        .await;
        assert_eq!(page.status, status, "work order, {place}: {}", page.body);
        let page = send(
            &b,
            &host,
            "/issues/new",
            "/issues",
            &[
                ("place", &place),
                ("title", "Gutters"),
                ("location", "Roof"),
                ("category", "other"),
                ("priority", "low"),
            ],
        )
        .await;
        assert_eq!(page.status, status, "issue, {place}: {}", page.body);
        let page = send(
            &b,
            &host,
            "/notices/new",
            "/notices",
            &[
                ("place", &place),
                ("title", "Gutters"),
                ("body", "Clearing."),
                ("publish_on", "2026-12-02"),
                ("urgent", "no"),
            ],
        )
        .await;
        assert_eq!(page.status, status, "notice, {place}: {}", page.body);
    }
    for table in [
        "work_orders WHERE title = 'Gutters'",
        "issues WHERE title = 'Gutters'",
        "notices WHERE title = 'Gutters'",
    ] {
        let n: i64 = t
            .scalar(&format!("SELECT COUNT(*) FROM {table}"), params![])
            .await;
        assert_eq!(n, 0, "nothing written: {table}");
    }
}
