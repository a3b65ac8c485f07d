//! ResidencePort through its door: a resident's own homes and nothing else, paying an invoice
//! exactly once, requests with photos kept without their metadata, and problems in shared
//! areas joined instead of reported twice.

use proplink_backend::params;
use proplink_backend::services::payments::signature;
use proplink_backend::services::people;
use proplink_shared::records::{ContactKind, NewContact, UnitRole};
use proplink_tests::{Browser, Page, TestApp, camera_jpeg, fixtures, spawn_app};

/// A multipart form: the page's token, `fields`, and `files` under `photos`.
async fn multipart(
    b: &Browser,
    host: &str,
    page_path: &str,
    action: &str,
    fields: &[(&str, &str)],
    files: &[(&str, &[u8])],
) -> Page {
    let csrf = b.get(host, page_path).await.csrf();
    let boundary = "----proplinkrequest";
    let mut body = Vec::new();
    for (k, v) in [("csrf", csrf.as_str())].iter().chain(fields) {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    for (name, bytes) in files {
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"photos\"; filename=\"{name}\"\r\nContent-Type: image/jpeg\r\n\r\n").as_bytes());
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
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

/// The value of hidden field `name` on a page.
fn hidden(page: &Page, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page
        .body
        .find(&marker)
        .map(|i| i + marker.len())
        .unwrap_or_else(|| panic!("no {name} field in:\n{}", page.body));
    page.body[start..]
        .split('"')
        .next()
        .unwrap_or("")
        .to_owned()
}

/// The path of an absolute or relative `Location`.
fn path_of(location: &str) -> String {
    match location.strip_prefix("http://") {
        Some(rest) => rest.find('/').map_or("/".into(), |i| rest[i..].to_owned()),
        None => location.to_owned(),
    }
}

async fn count(t: &TestApp, sql: &str, params: &[proplink_backend::store::Value<'_>]) -> i64 {
    t.scalar::<i64>(sql, params).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resident_sees_their_own_home_and_everything_else_answers_as_missing() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let other_org = fixtures::org(&t.app, "birchwood", "Birchwood").await;
    let (b, host) = t.resident("acme", "ravi@acme.example").await;

    let home = b.get(&host, "/").await;
    assert_eq!(home.status, 200, "{}", home.body);
    assert!(home.body.contains("Welcome, Mr Patel"));
    assert!(home.body.contains("£450.00"), "the balance is shown");
    let own = b.get(&host, &format!("/account/{}", org.unit)).await;
    assert_eq!(own.status, 200);
    assert!(own.body.contains("Service charge"));
    let pdf = b
        .get(&host, &format!("/account/{}/statement.pdf", org.unit))
        .await;
    assert_eq!(pdf.status, 200);
    assert!(pdf.bytes.starts_with(b"%PDF"));
    assert_eq!(
        b.get(&host, &format!("/invoices/{}", org.invoice))
            .await
            .status,
        200
    );

    // Another home's statement, another resident's request, a staff-only document, another
    // organisation's invoice: each answers as if it did not exist.
    for path in [
        format!("/account/{}", org.unit_b),
        format!("/account/{}/statement.pdf", org.unit_b),
        format!("/requests/{}", org.ticket_b),
        format!("/invoices/{}", other_org.invoice),
        format!("/requests/{}", other_org.ticket_a),
    ] {
        let page = b.get(&host, &path).await;
        assert_eq!(page.status, 404, "{path} answered {}", page.status);
    }
    let staff_only = add_document(&t, &org, "staff_only", "Budget workings").await;
    let shared = add_document(&t, &org, "residents", "House rules").await;
    assert_eq!(
        b.get(&host, &format!("/documents/{staff_only}/file"))
            .await
            .status,
        404
    );
    let listed = b.get(&host, "/documents").await;
    assert!(listed.body.contains("House rules"));
    assert!(!listed.body.contains("Budget workings"));
    let file = b.get(&host, &format!("/documents/{shared}/file")).await;
    assert_eq!(file.status, 200);
    assert!(
        file.headers["content-disposition"]
            .to_str()
            .unwrap_or("")
            .starts_with("attachment")
    );

    // The same session means nothing on another organisation's portal or the admin app.
    let elsewhere = b.get(&t.residence_host("birchwood"), "/").await;
    assert_eq!(elsewhere.status, 303);
    let admin = b.get(&t.admin_host("acme"), "/dashboard").await;
    assert_eq!(admin.status, 303);
}

async fn add_document(
    t: &TestApp,
    org: &fixtures::Org,
    audience: &str,
    title: &str,
) -> proplink_shared::DocumentId {
    use proplink_backend::services::documents::{self, DocumentPlace};
    use proplink_shared::authz::Audience;
    documents::add(
        &t.app,
        &org.owner,
        DocumentPlace {
            site: Some(org.site_a),
            record_type: proplink_shared::records::RecordType::Site,
            record_id: org.site_a.to_string(),
            folder: "General",
            audience: Audience::from_code(audience).unwrap_or(Audience::StaffOnly),
        },
        title,
        "file.pdf",
        b"%PDF-1.4\n% test\n%%EOF\n",
    )
    .await
    .unwrap_or_else(|e| panic!("{e:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_former_occupant_loses_access_on_the_day_their_link_ends() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let (b, host) = t.resident("acme", "ravi@acme.example").await;
    assert_eq!(b.get(&host, "/").await.status, 200);
    let today = proplink_shared::london::local(t.app.clock.now()).date();
    people::end_occupancy(&t.app, &org.owner, org.unit, org.leaseholder, today)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    let after = b.get(&host, "/").await;
    assert_eq!(after.status, 303, "the session ended with the link");
    assert_eq!(after.location(), Some("/sign-in"));
    // No code goes to them any more, and the answer is the same as for anyone.
    let before = t.smtp.to("ravi@acme.example").len();
    let asked = t
        .ask_for_code(&t.browser(), &host, "ravi@acme.example")
        .await;
    assert_eq!(asked.status, 303);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(t.smtp.to("ravi@acme.example").len(), before);
    // Staff have no ResidencePort account either.
    let before = t.smtp.to(&org.manager_email).len();
    t.ask_for_code(&t.browser(), &host, &org.manager_email)
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(t.smtp.to(&org.manager_email).len(), before);
}

/// Starts paying `amount` of the fixture's invoice: the invoice page's form, sent `times`
/// times with the same attempt key. Returns the locations answered.
async fn start_paying(
    b: &Browser,
    host: &str,
    invoice: &str,
    amount: &str,
    times: usize,
) -> Vec<String> {
    let page = b.get(host, &format!("/invoices/{invoice}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let (csrf, attempt) = (page.csrf(), hidden(&page, "attempt"));
    send_pay_form(b, host, invoice, amount, times, &csrf, &attempt).await
}

/// The pay form as it was drawn, sent `times` times: a double click, or the back button.
async fn send_pay_form(
    b: &Browser,
    host: &str,
    invoice: &str,
    amount: &str,
    times: usize,
    csrf: &str,
    attempt: &str,
) -> Vec<String> {
    let mut locations = Vec::new();
    for _ in 0..times {
        let sent = b
            .post(
                host,
                &format!("/invoices/{invoice}/pay"),
                &[("csrf", csrf), ("attempt", attempt), ("amount", amount)],
            )
            .await;
        assert_eq!(sent.status, 303, "{}", sent.body);
        locations.push(path_of(sent.location().unwrap_or("")));
    }
    locations
}

async fn card(b: &Browser, host: &str, checkout_page: &str, number: &str) -> Page {
    let page = b.get(host, checkout_page).await;
    assert_eq!(page.status, 200, "{}", page.body);
    b.post(
        host,
        checkout_page,
        &[
            ("csrf", &page.csrf()),
            ("card", number),
            ("expiry", "12/39"),
            ("cvc", "123"),
        ],
    )
    .await
}

async fn card_payments(t: &TestApp) -> i64 {
    count(
        t,
        "SELECT COUNT(*) FROM payments WHERE method = 'card' AND reference LIKE 'Card %'",
        &[],
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payment_is_recorded_once_however_often_and_in_whatever_order_it_is_told() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let (b, host) = t.resident("acme", "ravi@acme.example").await;
    let invoice = org.invoice.to_string();

    // A double click sends the same form twice: one checkout, one page to pay on.
    let form = b.get(&host, &format!("/invoices/{invoice}")).await;
    let (csrf, attempt) = (form.csrf(), hidden(&form, "attempt"));
    let locations = send_pay_form(&b, &host, &invoice, "450.00", 2, &csrf, &attempt).await;
    assert_eq!(locations[0], locations[1]);
    assert!(
        locations[0].starts_with("/sandbox-checkout/"),
        "{locations:?}"
    );
    assert_eq!(count(&t, "SELECT COUNT(*) FROM checkouts", &[]).await, 1);

    // The card is taken; the provider tells us by webhook, and the resident comes back.
    let paid = card(&b, &host, &locations[0], "4242 4242 4242 4242").await;
    assert_eq!(paid.status, 303, "{}", paid.body);
    let receipt_path = path_of(paid.location().unwrap_or(""));
    let receipt = b.get(&host, &receipt_path).await;
    assert!(
        receipt.body.contains("Payment received"),
        "{}",
        receipt.body
    );
    assert_eq!(card_payments(&t).await, 1);

    // The back button and the pay button again; the card page sent again; the return page
    // reloaded; the same webhook delivered again: still one payment.
    let again = send_pay_form(&b, &host, &invoice, "450.00", 1, &csrf, &attempt).await;
    assert_eq!(
        again[0], receipt_path,
        "the form sent again shows the receipt"
    );
    let resent = card(&b, &host, &locations[0], "4242 4242 4242 4242").await;
    assert_eq!(resent.status, 303);
    b.get(&host, &receipt_path).await;
    let reference = locations[0]
        .trim_start_matches("/sandbox-checkout/")
        .to_owned();
    let body = event(&reference, 45_000);
    for _ in 0..2 {
        let delivered = webhook(
            &t,
            &b,
            &host,
            "sandbox",
            &t.app.secrets.sandbox_webhook,
            &body,
            0,
        )
        .await;
        assert_eq!(delivered.status, 200, "{}", delivered.body);
    }
    assert_eq!(card_payments(&t).await, 1);
    let paid_total: i64 = count(
        &t,
        "SELECT paid FROM invoices WHERE id = $1",
        params![org.invoice],
    )
    .await;
    assert_eq!(paid_total, 45_000);
    // The invoice is settled and says so; nothing is left to pay.
    let page = b.get(&host, &format!("/invoices/{invoice}")).await;
    assert!(!page.body.contains("Continue to payment"));

    // The trail says who paid, how much, through which door.
    let events = t.audit_events(org.id).await;
    assert!(
        events
            .iter()
            .any(|(action, channel, sentence)| action == "payment"
                && channel == "residenceport"
                && sentence.starts_with("Mr Patel paid £450.00 towards")
                && sentence.contains("via ResidencePort on")),
        "{events:?}"
    );
    // And one receipt went to them.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while !t
        .smtp
        .to("ravi@acme.example")
        .iter()
        .any(|m| m.subject().starts_with("Receipt"))
    {
        assert!(
            std::time::Instant::now() < deadline,
            "no receipt was emailed"
        );
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    let receipts = t
        .smtp
        .to("ravi@acme.example")
        .iter()
        .filter(|m| m.subject().starts_with("Receipt"))
        .count();
    assert_eq!(receipts, 1);
}

fn event(reference: &str, pence: i64) -> String {
    serde_json::json!({
        "id": format!("evt_{reference}"),
        "type": "checkout.session.completed",
        "data": { "object": { "id": reference, "payment_status": "paid", "amount_total": pence } },
    })
    .to_string()
}

/// Delivers `body` to the webhook of `provider`, signed with `secret` `age` seconds ago.
async fn webhook(
    t: &TestApp,
    b: &Browser,
    host: &str,
    provider: &str,
    secret: &[u8],
    body: &str,
    age: i64,
) -> Page {
    let header = signature::sign(
        secret,
        t.app.clock.now().unix_timestamp() - age,
        body.as_bytes(),
    );
    let name = if provider == "stripe" {
        "stripe-signature"
    } else {
        "sandbox-signature"
    };
    b.request(
        "POST",
        host,
        &format!("/payments/webhooks/{provider}"),
        &[(name, &header), ("content-type", "application/json")],
        body.as_bytes().to_vec(),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_webhook_racing_the_return_page_records_one_payment() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let (b, host) = t.resident("acme", "ravi@acme.example").await;
    let locations = start_paying(&b, &host, &org.invoice.to_string(), "200.00", 1).await;
    let reference = locations[0]
        .trim_start_matches("/sandbox-checkout/")
        .to_owned();
    let checkout: String = t
        .scalar(
            "SELECT id FROM checkouts WHERE provider_ref = $1",
            params![reference],
        )
        .await;
    // The provider has taken the money but told nobody yet.
    t.tamper(
        "UPDATE sandbox_sessions SET paid_at = created_at, card_last4 = '4242' WHERE provider_ref = $1",
        params![reference],
    )
    .await;
    let body = event(&reference, 20_000);
    let secret = t.app.secrets.sandbox_webhook;
    let receipt = format!("/payments/{checkout}");
    let mut racers = Vec::new();
    for i in 0..6 {
        let (t, b, host, body, receipt) = (&t, &b, &host, &body, &receipt);
        racers.push(async move {
            if i % 2 == 0 {
                webhook(t, b, host, "sandbox", &secret, body, 0)
                    .await
                    .status
            } else {
                b.get(host, receipt).await.status
            }
        });
    }
    let statuses = futures_util::future::join_all(racers).await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    assert_eq!(card_payments(&t).await, 1);
    let paid: i64 = count(
        &t,
        "SELECT paid FROM invoices WHERE id = $1",
        params![org.invoice],
    )
    .await;
    assert_eq!(paid, 20_000, "a part payment, counted once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_declined_card_records_nothing_and_the_invoice_stays_payable() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let (b, host) = t.resident("acme", "ravi@acme.example").await;
    let invoice = org.invoice.to_string();
    let locations = start_paying(&b, &host, &invoice, "450.00", 1).await;
    let declined = card(&b, &host, &locations[0], "4000 0000 0000 0002").await;
    assert_eq!(declined.status, 422);
    assert!(
        declined.body.contains("Your card was declined"),
        "{}",
        declined.body
    );
    let short = card(&b, &host, &locations[0], "4000 0000 0000 9995").await;
    assert!(short.body.contains("not enough funds"));
    let wrong = card(&b, &host, &locations[0], "1234 5678").await;
    assert_eq!(wrong.status, 422);
    assert!(wrong.body.contains("16-digit number"));
    // A failure for a moment takes nothing either; tried again, it goes through.
    let blip = card(&b, &host, &locations[0], "4000 0000 0000 0119").await;
    assert_eq!(blip.status, 503);
    assert!(blip.body.contains("Nothing was taken"));
    assert_eq!(card_payments(&t).await, 0);
    let page = b.get(&host, &format!("/invoices/{invoice}")).await;
    assert!(page.body.contains("Continue to payment"), "still payable");
    let receipt = b
        .get(
            &host,
            &format!(
                "/payments/{}",
                t.scalar::<String>("SELECT id FROM checkouts", &[]).await
            ),
        )
        .await;
    assert!(receipt.body.contains("Nothing has been taken"));
    let retried = card(&b, &host, &locations[0], "4000 0000 0000 0119").await;
    assert_eq!(retried.status, 303);
    assert_eq!(card_payments(&t).await, 1);

    // More than is owed, nothing, or words: refused on the form, with what was typed kept.
    let page = b.get(&host, &format!("/invoices/{invoice}")).await;
    assert!(!page.body.contains("Continue to payment"), "paid in full");
    let other = fixtures::org(&t.app, "birchwood", "Birchwood").await;
    let (ob, ohost) = t.resident("birchwood", "ravi@birchwood.example").await;
    let page = ob
        .get(&ohost, &format!("/invoices/{}", other.invoice))
        .await;
    for (typed, message) in [
        ("9999", "that is all that is owed"),
        ("0", "more than £0.00"),
        ("lots", "pounds and pence"),
    ] {
        let sent = ob
            .post(
                &ohost,
                &format!("/invoices/{}/pay", other.invoice),
                &[
                    ("csrf", &page.csrf()),
                    ("attempt", &hidden(&page, "attempt")),
                    ("amount", typed),
                ],
            )
            .await;
        assert_eq!(sent.status, 422, "{typed}");
        assert!(sent.body.contains(message), "{typed}: {}", sent.body);
        assert!(sent.body.contains(&format!("value=\"{typed}\"")));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_is_raised_with_photos_kept_without_their_metadata() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let (b, host) = t.resident("acme", "ravi@acme.example").await;
    let place = format!("home:{}", org.unit);
    let details = format!("/requests/new/details?place={place}&area=");
    let fields = [
        ("place", place.as_str()),
        ("area", ""),
        ("category", "maintenance"),
        ("subject", "Water leaking from ceiling"),
        (
            "body",
            "Dripping onto the kitchen floor since this morning.",
        ),
        ("emergency", "no"),
    ];
    let tickets_before = count(&t, "SELECT COUNT(*) FROM tickets", &[]).await;
    let files_before = count(&t, "SELECT COUNT(*) FROM files", &[]).await;

    // Not a photo, too large, too many: refused with a clear message, nothing kept, and what
    // was typed is still there.
    let not_photo = multipart(
        &b,
        &host,
        &details,
        "/requests",
        &fields,
        &[("notes.txt", b"just some text")],
    )
    .await;
    assert_eq!(not_photo.status, 422);
    assert!(
        not_photo.body.contains("notes.txt is not a photo"),
        "{}",
        not_photo.body
    );
    assert!(not_photo.body.contains("Water leaking from ceiling"));
    let mut huge = camera_jpeg(1, 64 * 1024);
    huge.resize(10 * 1024 * 1024 + 1, 0);
    let too_large = multipart(
        &b,
        &host,
        &details,
        "/requests",
        &fields,
        &[("big.jpg", &huge)],
    )
    .await;
    assert_eq!(too_large.status, 422);
    assert!(
        too_large.body.contains("larger than 10 MB"),
        "{}",
        too_large.body
    );
    let small = camera_jpeg(2, 4096);
    let six: Vec<(&str, &[u8])> = (0..6).map(|_| ("p.jpg", small.as_slice())).collect();
    let too_many = multipart(&b, &host, &details, "/requests", &fields, &six).await;
    assert_eq!(too_many.status, 422);
    assert!(too_many.body.contains("up to 5 photos"));
    assert_eq!(
        count(&t, "SELECT COUNT(*) FROM tickets", &[]).await,
        tickets_before
    );
    assert_eq!(
        count(&t, "SELECT COUNT(*) FROM files", &[]).await,
        files_before
    );

    // Two photos straight from a phone's camera, with its GPS position.
    let (one, two) = (camera_jpeg(3, 20_000), camera_jpeg(4, 30_000));
    assert!(
        exif::Reader::new().read_raw(exif_of(&one)).is_ok(),
        "the test photo has EXIF"
    );
    let raised = multipart(
        &b,
        &host,
        &details,
        "/requests",
        &fields,
        &[("one.jpg", &one), ("two.jpg", &two)],
    )
    .await;
    assert_eq!(raised.status, 303, "{}", raised.body);
    let location = path_of(raised.location().unwrap_or(""));
    let page = b.get(&host, &location).await;
    assert!(page.body.contains("Your request TKT-"), "{}", page.body);
    let path = location.split('?').next().unwrap_or("").to_owned();
    assert!(page.body.contains("Photo 2"));
    assert!(page.body.contains("Our promise"));
    assert!(page.body.contains("within 1 working day"));
    let shas: Vec<(String,)> = {
        let mut conn = t.app.db.read().await.unwrap_or_else(|e| panic!("{e}"));
        conn.query(
            "SELECT sha256 FROM record_files WHERE record_type = 'ticket'",
            &[],
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"))
    };
    assert_eq!(shas.len(), 2);
    for (sha,) in &shas {
        let stored = std::fs::read(proplink_backend::services::files::file_path(
            &t.app, org.id, sha,
        ))
        .unwrap_or_else(|e| panic!("{e}"));
        let exif = exif::Reader::new().read_from_container(&mut std::io::Cursor::new(&stored));
        match exif {
            Err(_) => {}
            Ok(e) => {
                assert!(
                    e.fields()
                        .all(|f| f.tag != exif::Tag::GPSLatitude && f.tag != exif::Tag::Make),
                    "the stored photo kept its GPS or camera"
                );
            }
        }
        // The resident opens their photo; someone else's request answers as missing.
        let photo = b.get(&host, &format!("{path}/photos/{sha}")).await;
        assert_eq!(photo.status, 200);
        assert!(photo.bytes == stored, "the photo served is the one stored");
    }
    // Staff see it in the admin app, raised through ResidencePort.
    let events = t.audit_events(org.id).await;
    assert!(
        events
            .iter()
            .any(|(_, channel, sentence)| channel == "residenceport"
                && sentence.starts_with("Mr Patel raised request TKT-"))
    );
}

/// The EXIF segment's TIFF bytes of a camera JPEG, to show the test photo carries some.
fn exif_of(jpeg: &[u8]) -> Vec<u8> {
    let start = jpeg
        .windows(6)
        .position(|w| w == b"Exif\0\0")
        .unwrap_or_else(|| panic!("no EXIF"));
    let length = usize::from(u16::from_be_bytes([jpeg[start - 2], jpeg[start - 1]]));
    jpeg[start + 6..start - 2 + length].to_vec()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shared_area_problem_already_reported_is_joined_not_reported_again() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    // A neighbour in the same building.
    let flat2 = proplink_backend::services::places::add_unit(
        &t.app,
        &org.owner,
        org.building,
        &proplink_shared::records::NewUnit::validate("Flat 2", "Ground")
            .unwrap_or_else(|e| panic!("{e:?}")),
    )
    .await
    .unwrap_or_else(|e| panic!("{e:?}"));
    let neighbour = people::add_contact(
        &t.app,
        &org.owner,
        &NewContact::validate(
            ContactKind::Tenant,
            "Ms",
            "Nia",
            "Okoro",
            "nia@acme.example",
            "",
        )
        .unwrap_or_else(|e| panic!("{e:?}")),
    )
    .await
    .unwrap_or_else(|e| panic!("{e:?}"));
    let today = proplink_shared::london::local(t.app.clock.now()).date();
    people::link_to_unit(
        &t.app,
        &org.owner,
        neighbour,
        flat2,
        UnitRole::Tenant,
        false,
        today,
    )
    .await
    .unwrap_or_else(|e| panic!("{e:?}"));

    let (b, host) = t.resident("acme", "ravi@acme.example").await;
    let place = format!("shared:{}", org.building);
    let chosen = b
        .post(
            &host,
            "/requests/new",
            &[
                ("csrf", &b.get(&host, "/requests/new").await.csrf()),
                ("place", &place),
                ("area", "lifts"),
            ],
        )
        .await;
    assert_eq!(chosen.status, 303);
    let details = chosen.location().unwrap_or("").to_owned();
    let first = b.get(&host, &details).await;
    assert!(
        first.body.contains("What is the problem?"),
        "nothing reported yet"
    );
    let raised = multipart(
        &b,
        &host,
        &details,
        "/requests",
        &[
            ("place", &place),
            ("area", "lifts"),
            ("category", "maintenance"),
            ("subject", "Lift stuck on floor 2"),
            ("body", "Doors open, lift not moving."),
            ("emergency", "no"),
        ],
        &[],
    )
    .await;
    assert_eq!(raised.status, 303, "{}", raised.body);
    let ticket_path = path_of(raised.location().unwrap_or(""));
    let ticket_id = ticket_path
        .trim_start_matches("/requests/")
        .split('?')
        .next()
        .unwrap_or("")
        .to_owned();

    // The neighbour, about to report the lift, is shown it first; no names.
    let (nb, _) = t.resident("acme", "nia@acme.example").await;
    let shown = nb.get(&host, &details).await;
    assert!(shown.body.contains("Already reported"), "{}", shown.body);
    assert!(shown.body.contains("Lift stuck on floor 2"));
    assert!(!shown.body.contains("Patel"));
    assert_eq!(
        nb.get(&host, &ticket_path).await.status,
        404,
        "not theirs until they join"
    );
    let joined = nb
        .post(
            &host,
            "/requests/join",
            &[("csrf", &shown.csrf()), ("request", &ticket_id)],
        )
        .await;
    assert_eq!(joined.status, 303, "{}", joined.body);
    let theirs = nb.get(&host, &ticket_path).await;
    assert_eq!(theirs.status, 200);
    assert!(
        theirs.body.contains("Another resident"),
        "the reporter stays anonymous"
    );
    assert!(!theirs.body.contains("Patel"));
    let listed = nb.get(&host, "/requests").await;
    assert!(listed.body.contains("Lift stuck on floor 2"));
    // A different problem can still be reported.
    let different = nb.get(&host, &format!("{details}&different=true")).await;
    assert!(different.body.contains("What is the problem?"));

    // The office replies: both hear of it by email, and see it on the request.
    let ticket: proplink_shared::TicketId = ticket_id.parse().unwrap_or_else(|e| panic!("{e:?}"));
    let (ravi_before, nia_before) = (
        t.smtp.to("ravi@acme.example").len(),
        t.smtp.to("nia@acme.example").len(),
    );
    proplink_backend::services::tickets::add_entry(
        &t.app,
        &org.manager,
        ticket,
        "An engineer is on the way.",
        false,
    )
    .await
    .unwrap_or_else(|e| panic!("{e:?}"));
    proplink_backend::services::tickets::add_entry(
        &t.app,
        &org.manager,
        ticket,
        "Internal: call Skyline.",
        true,
    )
    .await
    .unwrap_or_else(|e| panic!("{e:?}"));
    let mail = t.smtp.wait_for("nia@acme.example", nia_before + 1).await;
    assert!(mail.data.contains("An engineer is on the way."));
    t.smtp.wait_for("ravi@acme.example", ravi_before + 1).await;
    let page = nb.get(&host, &ticket_path).await;
    assert!(page.body.contains("An engineer is on the way."));
    assert!(
        !page.body.contains("Internal: call Skyline."),
        "internal notes never show"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tenant_reads_the_leaseholders_account_only_where_the_organisation_shares_it() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let tenant = people::add_contact(
        &t.app,
        &org.owner,
        &NewContact::validate(
            ContactKind::Tenant,
            "",
            "Tom",
            "Reed",
            "tom@acme.example",
            "",
        )
        .unwrap_or_else(|e| panic!("{e:?}")),
    )
    .await
    .unwrap_or_else(|e| panic!("{e:?}"));
    let today = proplink_shared::london::local(t.app.clock.now()).date();
    people::link_to_unit(
        &t.app,
        &org.owner,
        tenant,
        org.unit,
        UnitRole::Tenant,
        false,
        today,
    )
    .await
    .unwrap_or_else(|e| panic!("{e:?}"));
    let (b, host) = t.resident("acme", "tom@acme.example").await;
    let home = b.get(&host, "/").await;
    assert_eq!(home.status, 200);
    assert!(!home.body.contains("£450.00"));
    assert!(
        !home.body.contains("href=\"/account\""),
        "no Account in the navigation"
    );
    assert!(
        b.get(&host, "/account")
            .await
            .body
            .contains("does not share the account")
    );
    assert_eq!(
        b.get(&host, &format!("/account/{}", org.unit)).await.status,
        404
    );
    assert_eq!(
        b.get(&host, &format!("/invoices/{}", org.invoice))
            .await
            .status,
        404
    );
    assert_eq!(b.get(&host, "/notices").await.status, 200);
    assert_eq!(b.get(&host, "/requests/new").await.status, 200);

    // The owner shares it on the settings page.
    let (ob, admin) = (t.browser(), t.admin_host("acme"));
    t.sign_in(&ob, &admin, &org.owner_email()).await;
    let settings = ob.get(&admin, "/settings").await;
    assert!(settings.body.contains("Tenants on ResidencePort"));
    let saved = ob
        .post(
            &admin,
            "/settings/tenants",
            &[("csrf", &settings.csrf()), ("share", "yes")],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    // The manager may not change it.
    let (mb, _) = (t.browser(), ());
    t.sign_in(&mb, &admin, &org.manager_email).await;
    let page = mb.get(&admin, "/dashboard").await;
    let refused = mb
        .post(
            &admin,
            "/settings/tenants",
            &[("csrf", &page.csrf()), ("share", "no")],
        )
        .await;
    assert!(
        refused.status == 403 || refused.status == 404,
        "{}",
        refused.status
    );
    let shared = b.get(&host, &format!("/account/{}", org.unit)).await;
    assert_eq!(shared.status, 200, "{}", shared.body);
    assert!(shared.body.contains("£450.00"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notices_are_emailed_to_the_residents_who_want_them_and_urgent_ones_to_all() {
    use proplink_backend::services::notices;
    use proplink_backend::store::notices::NoticePlace;
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let (b, host) = t.resident("acme", "ravi@acme.example").await;
    // Mr Patel turns notices by email off; his phone number is refused until it is one.
    let page = b.get(&host, "/profile").await;
    let bad = b
        .post(
            &host,
            "/profile",
            &[
                ("csrf", &page.csrf()),
                ("phone", "call me maybe"),
                ("requests", "yes"),
                ("notices", "no"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("Enter a phone number"));
    let saved = b
        .post(
            &host,
            "/profile",
            &[
                ("csrf", &page.csrf()),
                ("phone", "07700 900123"),
                ("requests", "yes"),
                ("notices", "no"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert!(
        b.get(&host, "/profile?saved=true")
            .await
            .body
            .contains("07700 900123")
    );

    let today = proplink_shared::london::local(t.app.clock.now()).date();
    let notice = |title: &str, urgent: bool| {
        proplink_shared::records::NewNotice::validate(title, "Details inside.", today, None, urgent)
            .unwrap_or_else(|e| panic!("{e:?}"))
    };
    let before = t.smtp.to("ravi@acme.example").len();
    notices::publish(
        &t.app,
        &org.manager,
        NoticePlace::Building(org.site_a, org.building),
        &notice("Window cleaning on Friday", false),
    )
    .await
    .unwrap_or_else(|e| panic!("{e:?}"));
    notices::publish(
        &t.app,
        &org.manager,
        NoticePlace::Building(org.site_a, org.building),
        &notice("Water off tomorrow 9 to 12", true),
    )
    .await
    .unwrap_or_else(|e| panic!("{e:?}"));
    let mail = t.smtp.wait_for("ravi@acme.example", before + 1).await;
    assert!(
        mail.subject()
            .contains("Urgent notice from Acme Estates: Water off tomorrow"),
        "{}",
        mail.subject()
    );
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(
        !t.smtp
            .to("ravi@acme.example")
            .iter()
            .any(|m| m.subject().contains("Window cleaning")),
        "he asked not to have notices by email"
    );
    // Bea lives on another site: neither notice is hers to see or to be sent.
    assert!(
        !t.smtp
            .to("bea@acme.example")
            .iter()
            .any(|m| m.subject().contains("notice"))
    );
    let listed = b.get(&host, "/notices").await;
    assert!(listed.body.contains("Window cleaning on Friday"));
    assert!(listed.body.contains("Urgent"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_payment_page_closes_the_first_so_the_invoice_is_never_paid_twice() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let (b, host) = t.resident("acme", "ravi@acme.example").await;
    let invoice = org.invoice.to_string();
    // Two tabs, each with the invoice page open, each sent to a payment page.
    let first = start_paying(&b, &host, &invoice, "450.00", 1).await;
    let second = start_paying(&b, &host, &invoice, "450.00", 1).await;
    assert_ne!(first, second);
    let closed = card(&b, &host, &first[0], "4242 4242 4242 4242").await;
    assert_eq!(closed.status, 409, "{}", closed.body);
    assert!(closed.body.contains("payment page has closed"));
    let paid = card(&b, &host, &second[0], "4242 4242 4242 4242").await;
    assert_eq!(paid.status, 303);
    assert_eq!(card_payments(&t).await, 1);
    let paid_total: i64 = count(
        &t,
        "SELECT paid FROM invoices WHERE id = $1",
        params![org.invoice],
    )
    .await;
    assert_eq!(paid_total, 45_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn money_taken_is_recorded_even_if_the_payer_lost_access_meanwhile() {
    use proplink_backend::services::payments;
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let (b, host) = t.resident("acme", "ravi@acme.example").await;
    let locations = start_paying(&b, &host, &org.invoice.to_string(), "450.00", 1).await;
    let reference = locations[0]
        .trim_start_matches("/sandbox-checkout/")
        .to_owned();
    // The card is taken, then he moves out before anyone tells PropLink; no webhook comes.
    t.tamper(
        "UPDATE sandbox_sessions SET paid_at = created_at WHERE provider_ref = $1",
        params![reference],
    )
    .await;
    let today = proplink_shared::london::local(t.app.clock.now()).date();
    people::end_occupancy(&t.app, &org.owner, org.unit, org.leaseholder, today)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    // The job that asks the provider about checkouts finds it paid and records it as his.
    let settled = payments::reconcile(&t.app)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(settled, 1);
    assert_eq!(card_payments(&t).await, 1);
    assert_eq!(
        payments::reconcile(&t.app)
            .await
            .unwrap_or_else(|e| panic!("{e:?}")),
        0
    );
    let events = t.audit_events(org.id).await;
    assert!(
        events
            .iter()
            .any(|(_, channel, sentence)| channel == "residenceport"
                && sentence.starts_with("Mr Patel paid £450.00 towards")),
        "{events:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_leaseholder_sees_their_own_account_not_the_previous_ones() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let today = proplink_shared::london::local(t.app.clock.now()).date();
    people::end_occupancy(&t.app, &org.owner, org.unit, org.leaseholder, today)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    let buyer = people::add_contact(
        &t.app,
        &org.owner,
        &NewContact::validate(
            ContactKind::Leaseholder,
            "Ms",
            "Ada",
            "Lowe",
            "ada@acme.example",
            "",
        )
        .unwrap_or_else(|e| panic!("{e:?}")),
    )
    .await
    .unwrap_or_else(|e| panic!("{e:?}"));
    people::link_to_unit(
        &t.app,
        &org.owner,
        buyer,
        org.unit,
        UnitRole::Leaseholder,
        true,
        today,
    )
    .await
    .unwrap_or_else(|e| panic!("{e:?}"));
    let (b, host) = t.resident("acme", "ada@acme.example").await;
    let account = b.get(&host, &format!("/account/{}", org.unit)).await;
    assert_eq!(account.status, 200, "{}", account.body);
    assert!(
        !account.body.contains("INV-"),
        "the previous leaseholder's invoice is not hers"
    );
    assert!(account.body.contains("Nothing to pay"));
    assert_eq!(
        b.get(&host, &format!("/invoices/{}", org.invoice))
            .await
            .status,
        404
    );
    let pdf = b
        .get(&host, &format!("/account/{}/statement.pdf", org.unit))
        .await;
    assert!(!pdf.body.contains("INV-"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_payment_provider_residents_are_told_how_else_to_pay() {
    let t = proplink_tests::spawn_app_with(proplink_tests::Options {
        no_card_payments: true,
        ..proplink_tests::Options::default()
    })
    .await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let (b, host) = t.resident("acme", "ravi@acme.example").await;
    let page = b.get(&host, &format!("/invoices/{}", org.invoice)).await;
    assert!(page.body.contains("Pay by bank transfer"));
    assert!(!page.body.contains("Continue to payment"));
    let sent = b
        .post(
            &host,
            &format!("/invoices/{}/pay", org.invoice),
            &[
                ("csrf", &page.csrf()),
                ("attempt", &"a".repeat(64)),
                ("amount", "450.00"),
            ],
        )
        .await;
    assert_eq!(sent.status, 409);
    assert!(sent.body.contains("Card payments are not set up"));
    assert_eq!(count(&t, "SELECT COUNT(*) FROM checkouts", &[]).await, 0);
    assert_eq!(b.get(&host, "/sandbox-checkout/sbx_0").await.status, 404);
}
