//! A contractor's work through their link: a quote with their PDF, the award, a certificate,
//! updates, the work marked complete with photos and then read-only; the office emailed at
//! each step; files handed back only to those who may read them; a used link renewed to the
//! contractor's own address.

use proplink_backend::params;
use proplink_backend::services::contractor_links;
use proplink_backend::services::{quotes, vendors, work_orders};
use proplink_shared::records::{NewQuote, QuoteKind, ServiceCategory, VatRate};
use proplink_tests::{Browser, TestApp, camera_jpeg, fixtures, spawn_app};

use super::contractorport::{HOST, invite, open};

/// A small PDF, whole: its header and its end-of-file marker.
fn pdf(text: &str) -> Vec<u8> {
    format!("%PDF-1.4\n% {text}\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n").into_bytes()
}

async fn count(t: &TestApp, sql: &str) -> i64 {
    t.scalar(sql, &[]).await
}

/// Sends a form of the work order's page with the session's token (a read-only page has no
/// form to read it from, so it is kept from the first page).
async fn send(
    b: &(&Browser, String),
    action: &str,
    fields: &[(&str, &str)],
    files: &[(&str, &str, &[u8])],
) -> proplink_tests::Page {
    let (b, csrf) = b;
    let mut all = vec![("csrf", csrf.as_str())];
    all.extend_from_slice(fields);
    b.multipart(HOST, action, &all, files).await
}

fn header(page: &proplink_tests::Page, name: &str) -> String {
    page.headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// How many mails to `address` have a subject holding `what`, once at least one has come.
async fn mails_about(t: &TestApp, address: &str, what: &str) -> usize {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let n = t
            .smtp
            .to(address)
            .iter()
            .filter(|m| m.subject().contains(what))
            .count();
        if n > 0 || std::time::Instant::now() > deadline {
            return n;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_contractor_quotes_with_a_pdf_files_a_certificate_and_completes_with_photos() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    // The office says how to get in before inviting.
    work_orders::set_access(
        &t.app,
        &org.manager,
        org.work_order,
        "Key safe by the bin store, code 4471.",
        "Concierge, 020 7946 0000",
    )
    .await
    .unwrap_or_else(|e| panic!("{e:?}"));
    let token = invite(&t, &org).await;
    let b = t.browser();
    assert_eq!(open(&b, &token).await.status, 303);
    let page = b.get(HOST, "/work-order").await;
    let bc = (&b, page.csrf());
    assert!(page.body.contains("Key safe by the bin store, code 4471."));
    assert!(page.body.contains("Concierge, 020 7946 0000"));
    assert!(page.body.contains("send your quote below"), "{}", page.body);
    assert!(
        !page.body.contains("Upload a certificate"),
        "not awarded yet"
    );

    // A file that is not a PDF, and one cut short: refused on the field, nothing kept.
    let files_before = count(&t, "SELECT COUNT(*) FROM files").await;
    let fields = [
        ("kind", "fixed_price"),
        ("net", "180.00"),
        ("vat_rate", "standard"),
        ("notes", "Two days."),
    ];
    for bad in [
        b"<html>hello</html>".to_vec(),
        b"%PDF-1.4\n1 0 obj".to_vec(),
    ] {
        let refused = send(
            &bc,
            "/work-order/quote",
            &fields,
            &[("pdf", "quote.pdf", &bad)],
        )
        .await;
        assert_eq!(refused.status, 422, "{}", refused.body);
        assert!(refused.body.contains("is not a PDF"), "{}", refused.body);
        assert!(refused.body.contains("Two days."), "what was typed is kept");
    }
    assert_eq!(count(&t, "SELECT COUNT(*) FROM quotes").await, 0);
    assert_eq!(count(&t, "SELECT COUNT(*) FROM files").await, files_before);
    // Too large to read at all: 413, said on the page.
    let huge = vec![b'%'; 25 * 1024 * 1024 + 10];
    let too_large = send(
        &bc,
        "/work-order/quote",
        &fields,
        &[("pdf", "big.pdf", &huge)],
    )
    .await;
    assert_eq!(too_large.status, 413);
    assert!(
        too_large.body.contains("larger than 25 MB"),
        "{}",
        too_large.body
    );

    // The quote with its PDF: the office is emailed.
    let manager = org.manager_email.clone();
    let before = t.smtp.to(&manager).len();
    let quotation = pdf("Fixit quotation 180");
    let sent = send(
        &bc,
        "/work-order/quote",
        &fields,
        &[("pdf", "quote.pdf", &quotation)],
    )
    .await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    let mail = t.smtp.wait_for(&manager, before + 1).await;
    assert!(
        mail.subject().contains("Fixit Ltd sent a quote"),
        "{}",
        mail.subject()
    );
    assert!(mail.text().contains("£180.00"));
    assert!(
        mail.text()
            .contains(&format!("/work-orders/{}", org.work_order))
    );
    let page = b.get(HOST, "/work-order").await;
    let quote_id: String = t.scalar("SELECT id FROM quotes", &[]).await;
    let link = format!("/work-order/quotes/{quote_id}/file");
    assert!(page.body.contains(&link), "{}", page.body);
    let file = b.get(HOST, &link).await;
    assert_eq!(file.status, 200);
    assert!(file.bytes == quotation);
    assert_eq!(file.headers["content-type"], "application/pdf");
    assert!(header(&file, "content-disposition").starts_with("attachment"));
    assert_eq!(file.headers["x-content-type-options"], "nosniff");
    // Staff open it from the work order's page.
    let (admin, host) = (t.browser(), t.admin_host("acme"));
    t.sign_in(&admin, &host, &org.manager_email).await;
    let wo_path = format!("/work-orders/{}", org.work_order);
    let office = admin.get(&host, &wo_path).await;
    let staff_link = format!("{wo_path}/quotes/{quote_id}/file");
    assert!(office.body.contains(&staff_link), "{}", office.body);
    let staff_file = admin.get(&host, &staff_link).await;
    assert_eq!(staff_file.status, 200);
    assert!(staff_file.bytes == quotation);
    assert!(header(&staff_file, "content-disposition").starts_with("attachment"));

    // A rival quotes on the same order: they never read Fixit's PDF, and cannot do the work.
    let rival = vendors::add_vendor(
        &t.app,
        &org.owner,
        "Brightspark Electrical",
        "jobs@brightspark.example",
        "",
        ServiceCategory::Electrical,
    )
    .await
    .unwrap_or_else(|e| panic!("{e:?}"));
    let cover = proplink_backend::store::vendors::Cover {
        kind: proplink_shared::records::CertificateKind::PublicLiability,
        provider: "Aviva".into(),
        policy_number: "PL-2".into(),
        sum_insured: None,
        expires_on: time::macros::date!(2099 - 01 - 01),
    };
    vendors::add_cover(&t.app, &org.owner, rival, &cover)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    let rival_link = work_orders::invite(&t.app, &org.manager, org.work_order, rival)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    let rb = t.browser();
    let rival_token = rival_link.rsplit('/').next().unwrap_or_default();
    assert_eq!(open(&rb, rival_token).await.status, 303);
    assert_eq!(
        rb.get(HOST, &link).await.status,
        404,
        "another contractor's PDF"
    );
    let rival_page = rb.get(HOST, "/work-order").await;
    let rbc = (&rb, rival_page.csrf());
    assert!(!rival_page.body.contains("£180.00"), "nor their price");

    // The manager awards the work to Fixit.
    let awarded = admin
        .post(
            &host,
            &format!("{wo_path}/award"),
            &[("csrf", &office.csrf()), ("quote", &quote_id)],
        )
        .await;
    assert_eq!(awarded.status, 303, "{}", awarded.body);
    let page = b.get(HOST, "/work-order").await;
    assert!(page.body.contains("Accepted"));
    assert!(page.body.contains("Upload a certificate"));
    assert!(page.body.contains("Mark the work complete"));
    // The rival's link ends with the award: the access notes, photos and work are the
    // winner's business now; the link says why.
    assert_eq!(rb.get(HOST, "/work-order").await.status, 401);
    let rival_try = send(&rbc, "/work-order/complete", &[("note", "Done")], &[]).await;
    assert_eq!(rival_try.status, 401, "{}", rival_try.body);
    let rival_again = t.browser().get(HOST, &format!("/{rival_token}")).await;
    assert_eq!(rival_again.status, 410);
    assert!(rival_again.body.contains("went to another contractor"));
    assert!(!rival_again.body.contains("Email me a fresh link"));
    // A contractor who is not the one awarded cannot do the work, whatever the door.
    let rival_actor = proplink_shared::Actor {
        org: org.id,
        principal: proplink_shared::Principal::Contractor {
            vendor: rival,
            work_order: org.work_order,
        },
        channel: proplink_shared::audit::Channel::ContractorPort,
        display_name: "Brightspark Electrical".into(),
    };
    let refused = work_orders::mark_complete(
        &t.app,
        &rival_actor,
        org.work_order,
        &work_orders::WorkReport {
            note: "Done",
            photos: &[],
        },
    )
    .await;
    assert!(
        matches!(&refused, Err(proplink_backend::error::AppError::Conflict { message, .. }) if message.contains("has not been awarded to you")),
        "{refused:?}"
    );

    // A certificate: the file must be a PDF or a photo, read from its bytes.
    let cert_fields = [
        ("kind", "eicr"),
        ("body", "Fixit Ltd"),
        ("registration", "NICEIC 12345"),
        ("issued_on", "2026-11-30"),
        ("expires_on", "2031-11-30"),
    ];
    let no_file = send(&bc, "/work-order/certificate", &cert_fields, &[]).await;
    assert_eq!(no_file.status, 422);
    assert!(no_file.body.contains("Choose the certificate"));
    let wrong = send(
        &bc,
        "/work-order/certificate",
        &cert_fields,
        &[("file", "cert.pdf", b"MZ\x90\x00 not a pdf")],
    )
    .await;
    assert_eq!(wrong.status, 422);
    assert!(wrong.body.contains("Only PDF files"), "{}", wrong.body);
    let bad_dates = send(
        &bc,
        "/work-order/certificate",
        &[
            ("kind", "eicr"),
            ("body", "Fixit Ltd"),
            ("issued_on", "2026-11-30"),
            ("expires_on", "2020-01-01"),
        ],
        &[("file", "cert.pdf", &pdf("EICR"))],
    )
    .await;
    assert_eq!(bad_dates.status, 422);
    assert!(bad_dates.body.contains("must expire after it was issued"));
    assert_eq!(count(&t, "SELECT COUNT(*) FROM certificates").await, 0);
    let certificate = pdf("EICR for Alpha Court");
    let filed = send(
        &bc,
        "/work-order/certificate",
        &cert_fields,
        &[("file", "eicr.pdf", &certificate)],
    )
    .await;
    assert_eq!(filed.status, 303, "{}", filed.body);
    let cert_id: String = t.scalar("SELECT id FROM certificates", &[]).await;
    let cert_file = b
        .get(HOST, &format!("/work-order/certificates/{cert_id}/file"))
        .await;
    assert_eq!(cert_file.status, 200);
    assert!(cert_file.bytes == certificate);
    assert!(
        header(&cert_file, "content-disposition")
            .contains("Electrical-installation-condition-report.pdf")
    );
    assert_eq!(
        rb.get(HOST, &format!("/work-order/certificates/{cert_id}/file"))
            .await
            .status,
        401,
        "the rival's link ended with the award"
    );

    // An update, then the work complete with a photo straight from a phone's camera.
    let update = send(
        &bc,
        "/work-order/progress",
        &[("note", "Started today.")],
        &[],
    )
    .await;
    assert_eq!(update.status, 303, "{}", update.body);
    let empty = send(&bc, "/work-order/complete", &[("note", " ")], &[]).await;
    assert_eq!(empty.status, 422);
    assert!(empty.body.contains("Say what was done"));
    let not_photo = send(
        &bc,
        "/work-order/complete",
        &[("note", "All done.")],
        &[("photos", "notes.txt", b"hello")],
    )
    .await;
    assert_eq!(not_photo.status, 422);
    assert!(not_photo.body.contains("notes.txt is not a photo"));
    assert_eq!(
        count(
            &t,
            "SELECT COUNT(*) FROM work_orders WHERE status = 'completed'"
        )
        .await,
        0
    );
    let photo = camera_jpeg(7, 20_000);
    let done = send(
        &bc,
        "/work-order/complete",
        &[("note", "New fitting installed and tested.")],
        &[("photos", "after.jpg", &photo)],
    )
    .await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(
        mails_about(&t, &manager, "marked the work complete").await,
        1
    );
    assert_eq!(mails_about(&t, &manager, "uploaded a certificate").await, 1);
    assert_eq!(mails_about(&t, &manager, "reported progress").await, 1);
    let page = b.get(HOST, "/work-order?done=complete").await;
    assert!(page.body.contains("now read-only"), "{}", page.body);
    for form in [
        "Mark the work complete",
        "Upload a certificate",
        "Send an update",
    ] {
        assert!(!page.body.contains(form), "{form} is gone");
    }
    let late = send(
        &bc,
        "/work-order/progress",
        &[("note", "One more thing")],
        &[],
    )
    .await;
    assert_eq!(late.status, 409);
    assert!(late.body.contains("can no longer be changed here"));
    // The photo is on the work order, without its GPS position or camera.
    let (sha,): (String,) = {
        let mut conn = t.app.db.read().await.unwrap_or_else(|e| panic!("{e}"));
        conn.query_one(
            "SELECT sha256 FROM record_files WHERE record_type = 'work_order'",
            &[],
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"))
    };
    let stored = std::fs::read(proplink_backend::services::files::file_path(
        &t.app, org.id, &sha,
    ))
    .unwrap_or_else(|e| panic!("{e}"));
    if let Ok(exif) = exif::Reader::new().read_from_container(&mut std::io::Cursor::new(&stored)) {
        assert!(
            exif.fields()
                .all(|f| f.tag != exif::Tag::GPSLatitude && f.tag != exif::Tag::Make)
        );
    }
    let shown = b.get(HOST, &format!("/work-order/photos/{sha}")).await;
    assert_eq!(shown.status, 200);
    assert_eq!(shown.headers["content-type"], "image/jpeg");

    // The office sees all of it, each step through ContractorPort as the contractor.
    let office = admin.get(&host, &wo_path).await;
    assert!(office.body.contains("New fitting installed and tested."));
    assert!(
        office
            .body
            .contains(&format!("{wo_path}/certificates/{cert_id}/file"))
    );
    assert!(office.body.contains(&format!("{wo_path}/photos/{sha}")));
    let events = t.audit_events(org.id).await;
    for sentence in [
        "Fixit Ltd quoted £180.00 + VAT",
        "Fixit Ltd uploaded a certificate to WO-",
        "Fixit Ltd reported progress on WO-",
        "Fixit Ltd marked WO-",
    ] {
        assert!(
            events
                .iter()
                .any(|(_, channel, s)| channel == "contractorport" && s.starts_with(sentence)),
            "{sentence}: {events:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_request_photos_the_office_shares_are_all_a_contractor_sees_of_it() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    // A work order from a resident's request with two photos.
    let (rb, rhost) = t.resident("acme", "ravi@acme.example").await;
    let place = format!("home:{}", org.unit);
    let csrf = rb
        .get(
            &rhost,
            &format!("/requests/new/details?place={place}&area="),
        )
        .await
        .csrf();
    let raised = rb
        .multipart(
            &rhost,
            "/requests",
            &[
                ("csrf", &csrf),
                ("place", &place),
                ("area", ""),
                ("category", "maintenance"),
                ("subject", "Kitchen light flickers"),
                ("body", "Since Monday."),
                ("emergency", "no"),
            ],
            &[
                ("photos", "one.jpg", &camera_jpeg(1, 5_000)),
                ("photos", "two.jpg", &camera_jpeg(2, 5_000)),
            ],
        )
        .await;
    assert_eq!(raised.status, 303, "{}", raised.body);
    let ticket: proplink_shared::TicketId = t
        .scalar(
            "SELECT id FROM tickets WHERE subject = 'Kitchen light flickers'",
            &[],
        )
        .await;
    let new = proplink_shared::records::NewWorkOrder::validate(
        "Kitchen light",
        "Find the fault.",
        "electrical",
        "medium",
        None,
        time::OffsetDateTime::now_utc().date(),
    )
    .unwrap_or_else(|e| panic!("{e:?}"));
    let wo = work_orders::create_from_ticket(&t.app, &org.manager, ticket, &new)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    let (admin, host) = (t.browser(), t.admin_host("acme"));
    t.sign_in(&admin, &host, &org.manager_email).await;
    let path = format!("/work-orders/{wo}");
    let page = admin.get(&host, &path).await;
    assert!(page.body.contains("Share the request"), "{}", page.body);
    let shas: Vec<(String,)> = {
        let mut conn = t.app.db.read().await.unwrap_or_else(|e| panic!("{e}"));
        conn.query(
            "SELECT sha256 FROM record_files WHERE record_type = 'ticket' ORDER BY created_at",
            &[],
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"))
    };
    assert_eq!(shas.len(), 2);
    // Something that is not one of the request's photos is refused.
    let forged = admin
        .post(
            &host,
            &format!("{path}/share-photos"),
            &[("csrf", &page.csrf()), ("photos", &"a".repeat(64))],
        )
        .await;
    assert_eq!(forged.status, 422);
    let shared = admin
        .post(
            &host,
            &format!("{path}/share-photos"),
            &[("csrf", &page.csrf()), ("photos", &shas[0].0)],
        )
        .await;
    assert_eq!(shared.status, 303, "{}", shared.body);
    fixtures::insure(&t.app, &org).await;
    let link = work_orders::invite(&t.app, &org.manager, wo, org.vendor)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    let b = t.browser();
    assert_eq!(
        open(&b, link.rsplit('/').next().unwrap_or_default())
            .await
            .status,
        303
    );
    let page = b.get(HOST, "/work-order").await;
    assert!(
        page.body
            .contains(&format!("/work-order/photos/{}", shas[0].0))
    );
    assert!(!page.body.contains(&shas[1].0), "the photo not shared");
    assert!(!page.body.contains("Patel"), "nor who reported it");
    assert!(!page.body.contains("Since Monday."), "nor what they wrote");
    assert_eq!(
        b.get(HOST, &format!("/work-order/photos/{}", shas[0].0))
            .await
            .status,
        200
    );
    assert_eq!(
        b.get(HOST, &format!("/work-order/photos/{}", shas[1].0))
            .await
            .status,
        404
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_used_link_sends_a_fresh_one_to_the_contractors_own_address_once() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let token = invite(&t, &org).await;
    let first = t.browser();
    assert_eq!(open(&first, &token).await.status, 303);
    assert_eq!(first.get(HOST, "/work-order").await.status, 200);
    // On another phone the link was opened before: it offers a fresh one.
    let other = t.browser();
    let again = open(&other, &token).await;
    assert_eq!(again.status, 410);
    assert!(again.body.contains("Email me a fresh link"));
    let address = format!("fixit@{}.example", org.slug);
    let before = t.smtp.to(&address).len();
    let sent = other.post(HOST, &format!("/{token}/fresh"), &[]).await;
    assert_eq!(sent.status, 200, "{}", sent.body);
    assert!(sent.body.contains("f…@acme.example"), "{}", sent.body);
    let mail = t.smtp.wait_for(&address, before + 1).await;
    assert!(mail.subject().contains("Your fresh link"));
    let fresh = super::contractorport::token_in(&mail.text());
    // Asking again with the old link sends nothing more: it was replaced.
    let twice = other.post(HOST, &format!("/{token}/fresh"), &[]).await;
    assert_eq!(twice.status, 410);
    assert!(twice.body.contains("newer link"));
    assert_eq!(t.smtp.to(&address).len(), before + 1);
    // The fresh link opens; the first phone's session goes on (whoever asked cannot sign
    // the contractor out).
    assert_eq!(open(&other, &fresh).await.status, 303);
    assert_eq!(other.get(HOST, "/work-order").await.status, 200);
    assert_eq!(first.get(HOST, "/work-order").await.status, 200);
    // A link never issued asks for nothing, and counts as a guess.
    let unknown = other
        .post(HOST, &format!("/{}/fresh", "b".repeat(64)), &[])
        .await;
    assert_eq!(unknown.status, 404);
    // A withdrawn link offers no fresh one: the office meant it. Withdrawing ends every
    // session of the contractor's links, the renewed one's too.
    contractor_links::revoke(&t.app, &org.manager, org.work_order, org.vendor)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(first.get(HOST, "/work-order").await.status, 401);
    assert_eq!(other.get(HOST, "/work-order").await.status, 401);
    let withdrawn = open(&t.browser(), &fresh).await;
    assert!(!withdrawn.body.contains("Email me a fresh link"));
    let refused = t
        .browser()
        .post(HOST, &format!("/{fresh}/fresh"), &[])
        .await;
    assert_eq!(refused.status, 410);
    assert_eq!(t.smtp.to(&address).len(), before + 1);
    let events = t.audit_events(org.id).await;
    assert!(
        events
            .iter()
            .any(|(_, channel, s)| channel == "contractorport"
                && s.starts_with("Fixit Ltd asked for a fresh ContractorPort link to WO-"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quote_on_a_cancelled_order_is_refused_and_nothing_is_stored() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let token = invite(&t, &org).await;
    let b = t.browser();
    let opened = open(&b, &token).await;
    assert_eq!(opened.status, 303);
    let cookie = b
        .cookie(HOST, "proplink_session")
        .or_else(|| b.cookie(HOST, "__Host-proplink_session"))
        .unwrap_or_else(|| panic!("no session cookie"));
    let me = contractor_links::session(&t.app, &cookie)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"))
        .unwrap_or_else(|| panic!("no session"));
    work_orders::close(&t.app, &org.manager, org.work_order, true)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    let files_before = count(&t, "SELECT COUNT(*) FROM files").await;
    let quote = NewQuote::validate(QuoteKind::FixedPrice, "180", VatRate::Standard, "")
        .unwrap_or_else(|e| panic!("{e}"));
    let refused = quotes::submit(
        &t.app,
        &me.actor,
        org.work_order,
        org.vendor,
        &quote,
        Some(&pdf("late")),
    )
    .await;
    assert!(
        matches!(&refused, Err(proplink_backend::error::AppError::Conflict { message, .. }) if message.contains("no longer takes quotes")),
        "{refused:?}"
    );
    assert_eq!(count(&t, "SELECT COUNT(*) FROM quotes").await, 0);
    assert_eq!(count(&t, "SELECT COUNT(*) FROM files").await, files_before);
    let stored: i64 = t
        .scalar(
            "SELECT COUNT(*) FROM audit_events WHERE record_id = $1 AND action = 'create'",
            params![org.work_order],
        )
        .await;
    assert_eq!(stored, 1, "only the work order's creation");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_contractor_not_on_the_list_is_added_with_their_cover_and_invited_all_or_nothing() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let (admin, host) = (t.browser(), t.admin_host("acme"));
    t.sign_in(&admin, &host, &org.manager_email).await;
    let path = format!("/work-orders/{}", org.work_order);
    let page = admin.get(&host, &path).await;
    assert!(page.body.contains("Invite a contractor not on the list"));
    let vendors_before = count(&t, "SELECT COUNT(*) FROM vendors").await;
    let send = |fields: Vec<(&'static str, String)>| {
        let (admin, host, path, csrf) = (&admin, &host, &path, page.csrf());
        async move {
            let mut all: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
            all.extend(fields.iter().map(|(k, v)| (*k, v.as_str())));
            admin.post(host, &format!("{path}/invite-new"), &all).await
        }
    };
    let good = |expires: &str| {
        vec![
            ("name", "Volt Electrical Ltd".to_owned()),
            ("email", "jobs@volt.example".to_owned()),
            ("phone", "".to_owned()),
            ("category", "electrical".to_owned()),
            ("provider", "Hiscox".to_owned()),
            ("policy_number", "HX-778".to_owned()),
            ("expires_on", expires.to_owned()),
        ]
    };
    // Every problem at once, what was typed kept; nothing created, nobody mailed.
    let mut bad = good("2099-01-01");
    bad[1].1 = "not an address".into();
    bad[4].1 = String::new();
    let refused = send(bad).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("value=\"Volt Electrical Ltd\""));
    assert!(refused.body.contains("insurer"), "{}", refused.body);
    // Cover already lapsed: the contractor is not added either.
    let last_month =
        (time::OffsetDateTime::now_utc().date() - time::Duration::days(30)).to_string();
    let lapsed = send(good(&last_month)).await;
    assert_eq!(lapsed.status, 409, "{}", lapsed.body);
    assert!(lapsed.body.contains("insurance has lapsed"));
    assert_eq!(
        count(&t, "SELECT COUNT(*) FROM vendors").await,
        vendors_before
    );
    assert!(t.smtp.to("jobs@volt.example").is_empty());
    // Then as it should be: added, insured, invited with a link.
    let sent = send(good("2099-01-01")).await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    assert_eq!(
        count(&t, "SELECT COUNT(*) FROM vendors").await,
        vendors_before + 1
    );
    let mail = t.smtp.wait_for("jobs@volt.example", 1).await;
    assert!(mail.subject().contains("Invitation to quote"));
    let token = super::contractorport::token_in(&mail.text());
    assert_eq!(open(&t.browser(), &token).await.status, 303);
    // A read-only role is offered no such form.
    let (reader, _) = (t.browser(), ());
    t.sign_in(&reader, &host, &org.accountant_email).await;
    let page = reader.get(&host, &path).await;
    assert!(!page.body.contains("Invite a contractor not on the list"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_one_contractor_sends_to_one_work_order_is_bounded() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let token = invite(&t, &org).await;
    let b = t.browser();
    assert_eq!(open(&b, &token).await.status, 303);
    let cookie = b
        .cookie(HOST, "proplink_session")
        .or_else(|| b.cookie(HOST, "__Host-proplink_session"))
        .unwrap_or_else(|| panic!("no session cookie"));
    let me = contractor_links::session(&t.app, &cookie)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"))
        .unwrap_or_else(|| panic!("no session"));
    let quote = NewQuote::validate(QuoteKind::FixedPrice, "180", VatRate::Standard, "")
        .unwrap_or_else(|e| panic!("{e}"));
    for _ in 0..proplink_shared::records::MAX_QUOTES_PER_CONTRACTOR {
        quotes::submit(&t.app, &me.actor, org.work_order, org.vendor, &quote, None)
            .await
            .unwrap_or_else(|e| panic!("{e:?}"));
    }
    let one_more =
        quotes::submit(&t.app, &me.actor, org.work_order, org.vendor, &quote, None).await;
    assert!(
        matches!(&one_more, Err(proplink_backend::error::AppError::Conflict { message, .. }) if message.contains("call the office")),
        "{one_more:?}"
    );
    assert_eq!(
        count(&t, "SELECT COUNT(*) FROM quotes").await,
        i64::try_from(proplink_shared::records::MAX_QUOTES_PER_CONTRACTOR).unwrap_or(0)
    );
    // Staff entering quotes for them are not the contractor's link: no such bound.
    quotes::submit(
        &t.app,
        &org.manager,
        org.work_order,
        org.vendor,
        &quote,
        None,
    )
    .await
    .unwrap_or_else(|e| panic!("{e:?}"));
}
