//! Notices and documents in the admin app: a notice published to one building and corrected
//! (a stale edit refused), and a document uploaded with its audience, replaced by a new version
//! with the old one kept — wrong types and oversized files refused with nothing stored.

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_notice_goes_to_one_building_and_a_stale_correction_is_refused() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let (b, host) = signed_in(&t, &org.manager_email).await;
    let place = format!("building:{}:{}", org.site_a, org.building);
    let before: i64 = t.scalar("SELECT COUNT(*) FROM notices", params![]).await;
    let page = send(
        &b,
        &host,
        "/notices/new",
        "/notices",
        &[
            ("place", &place),
            ("title", "Water off on Tuesday"),
            ("body", "From 9 until 12."),
            ("publish_on", "2026-12-02"),
            ("expires_on", "2026-12-01"),
            ("urgent", "yes"),
        ],
    )
    .await;
    assert_eq!(page.status, 422, "{}", page.body);
    assert!(
        page.body
            .contains("The notice must expire after it is published")
    );
    assert!(page.body.contains("value=\"Water off on Tuesday\""));
    assert_eq!(
        before,
        t.scalar::<i64>("SELECT COUNT(*) FROM notices", params![])
            .await
    );
    let page = send(
        &b,
        &host,
        "/notices/new",
        "/notices",
        &[
            ("place", &place),
            ("title", "Water off on Tuesday"),
            ("body", "From 9 until 12."),
            ("publish_on", "2026-12-02"),
            ("expires_on", "2026-12-09"),
            ("urgent", "yes"),
        ],
    )
    .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let path = page
        .location()
        .unwrap_or_default()
        .trim_end_matches("?done=published")
        .to_owned();
    let shown = b.get(&host, &path).await;
    assert!(shown.body.contains("Alpha Court"), "{}", shown.body);
    assert!(shown.body.contains("Urgent"));
    let building: Option<String> = t
        .scalar(
            "SELECT building_id FROM notices WHERE title = 'Water off on Tuesday'",
            params![],
        )
        .await;
    assert_eq!(building, Some(org.building.to_string()));
    // Two corrections from the same page: the second is refused.
    let csrf = shown.csrf();
    let edit = |title: &'static str| {
        vec![
            ("csrf", csrf.as_str()),
            ("version", "1"),
            ("title", title),
            ("body", "From 9 until 1."),
            ("publish_on", "2026-12-02"),
            ("expires_on", "2026-12-09"),
            ("urgent", "yes"),
        ]
    };
    assert_eq!(
        b.post(
            &host,
            &format!("{path}/edit"),
            &edit("Water off on Tuesday morning")
        )
        .await
        .status,
        303
    );
    let stale = b
        .post(&host, &format!("{path}/edit"), &edit("Water off Tuesday"))
        .await;
    assert_eq!(stale.status, 409, "{}", stale.body);
    let title: String = t
        .scalar(
            "SELECT title FROM notices WHERE building_id IS NOT NULL",
            params![],
        )
        .await;
    assert_eq!(title, "Water off on Tuesday morning");
    // A Site Manager of site A cannot publish to site B; an Accountant publishes nowhere.
    let (sb, _) = signed_in(&t, &org.site_manager_email).await;
    let page = send(
        &sb,
        &host,
        "/notices/new",
        "/notices",
        &[
            ("place", &format!("site:{}", org.site_b)),
            ("title", "Hello"),
            ("body", "Hi"),
            ("publish_on", "2026-12-02"),
            ("urgent", "no"),
        ],
    )
    .await;
    assert_eq!(
        page.status, 404,
        "site B is not theirs to see: {}",
        page.body
    );
    assert_eq!(
        0,
        t.scalar::<i64>(
            "SELECT COUNT(*) FROM notices WHERE title = 'Hello'",
            params![]
        )
        .await
    );
    let (ab, _) = signed_in(&t, &org.accountant_email).await;
    assert_eq!(ab.get(&host, "/notices/new").await.status, 403);
}

/// A multipart upload of one file with the page's token and `fields`.
async fn upload(
    b: &Browser,
    host: &str,
    page_path: &str,
    action: &str,
    fields: &[(&str, &str)],
    file_name: &str,
    bytes: &[u8],
) -> Page {
    let csrf = b.get(host, page_path).await.csrf();
    let boundary = "----proplinkdocs";
    let mut body = Vec::new();
    for (k, v) in [("csrf", csrf.as_str())].iter().chain(fields) {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    b.request(
        "POST",
        host,
        action,
        &[(
            "content-type",
            &format!("multipart/form-data; boundary={boundary}"),
        )],
        body,
    )
    .await
}

fn pdf(text: &str) -> Vec<u8> {
    format!("%PDF-1.4\n% {text}\n%%EOF\n").into_bytes()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_is_replaced_by_a_new_version_and_the_old_one_kept() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let (b, host) = signed_in(&t, &org.manager_email).await;
    let place = format!("building:{}:{}", org.site_a, org.building);
    let fields = [
        ("title", "Fire risk assessment"),
        ("folder", "Compliance"),
        ("place", place.as_str()),
        ("audience", "residents"),
    ];
    let files: i64 = t.scalar("SELECT COUNT(*) FROM files", params![]).await;
    // Not a PDF or an image: refused, nothing stored.
    let page = upload(
        &b,
        &host,
        "/documents/new",
        "/documents",
        &fields,
        "fra.exe",
        b"MZ\x90\x00 not a document",
    )
    .await;
    assert_eq!(page.status, 422, "{}", page.body);
    assert!(page.body.contains("Only PDF files"), "{}", page.body);
    assert!(page.body.contains("value=\"Fire risk assessment\""));
    // Over 25 MB: refused, nothing stored.
    let big = vec![b'%'; 25 * 1024 * 1024 + 10];
    let page = upload(
        &b,
        &host,
        "/documents/new",
        "/documents",
        &fields,
        "big.pdf",
        &big,
    )
    .await;
    assert_eq!(
        page.status,
        413,
        "{}",
        &page.body[..page.body.len().min(500)]
    );
    assert!(page.body.contains("smaller than 25 MB"));
    assert_eq!(
        files,
        t.scalar::<i64>("SELECT COUNT(*) FROM files", params![])
            .await,
        "nothing stored"
    );
    assert_eq!(
        0,
        t.scalar::<i64>("SELECT COUNT(*) FROM documents", params![])
            .await
    );
    let page = upload(
        &b,
        &host,
        "/documents/new",
        "/documents",
        &fields,
        "fra-2026.pdf",
        &pdf("first"),
    )
    .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let path = page
        .location()
        .unwrap_or_default()
        .trim_end_matches("?done=uploaded")
        .to_owned();
    let shown = b.get(&host, &path).await;
    assert!(
        shown.body.contains("Version 1") && shown.body.contains("fra-2026.pdf"),
        "{}",
        shown.body
    );
    // A new version replaces it; the old one is kept and still opens for staff.
    let page = upload(
        &b,
        &host,
        &path,
        &format!("{path}/versions"),
        &[("version", "1")],
        "fra-2026-rev.pdf",
        &pdf("second"),
    )
    .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let current = b.get(&host, &format!("{path}/file")).await;
    assert_eq!(current.status, 200);
    assert!(current.body.contains("second"));
    assert_eq!(
        current
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/pdf")
    );
    let old = b.get(&host, &format!("{path}/versions/1")).await;
    assert!(old.body.contains("first"), "the old version is kept");
    // The same page's form sent again is stale.
    let page = upload(
        &b,
        &host,
        &path,
        &format!("{path}/versions"),
        &[("version", "1")],
        "again.pdf",
        &pdf("third"),
    )
    .await;
    assert_eq!(page.status, 409, "{}", page.body);
    let version: i64 = t.scalar("SELECT version FROM documents", params![]).await;
    assert_eq!(version, 2);
    let versions: i64 = t
        .scalar("SELECT COUNT(*) FROM document_versions", params![])
        .await;
    assert_eq!(versions, 2);
    let events = t.audit_events(org.id).await;
    assert!(
        events.iter().any(|(a, c, s)| a == "upload"
            && c == "admin"
            && s.contains("uploaded version 2 of \"Fire risk assessment\"")),
        "{events:#?}"
    );
    // Another organisation sees none of it.
    let other = fixtures::org(&t.app, "birch", "Birchwood").await;
    let ob = t.browser();
    let bhost = t.admin_host("birch");
    t.sign_in(&ob, &bhost, &other.manager_email).await;
    assert_eq!(ob.get(&bhost, &path).await.status, 404);
    assert_eq!(ob.get(&bhost, &format!("{path}/file")).await.status, 404);
}
