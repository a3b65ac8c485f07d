//! The ledger in the admin app: invoices raised and moved through their forms, payments
//! recorded and credit allocated (never over-allocated), credit notes, a service-charge demand
//! shared to the penny, the statement on screen and as a PDF, and arrears by age.

use proplink_backend::error::AppError;
use proplink_backend::params;
use proplink_backend::services::{ledger, people, places};
use proplink_shared::apportion::Share;
use proplink_shared::records::{
    ContactKind, InvoiceCategory, InvoiceLine, NewContact, NewUnit, PaymentMethod, UnitRole,
    VatRate,
};
use proplink_shared::states::InvoiceStatus;
use proplink_shared::{InvoiceId, Money, UnitId};
use proplink_tests::{Browser, Page, TestApp, fixtures, pdftotext, spawn_app};
use time::Duration;

fn pounds(p: i64) -> Money {
    Money::from_pence(p * 100)
}

fn ok<T, E: std::fmt::Debug>(r: Result<T, E>) -> T {
    r.unwrap_or_else(|e| panic!("{e:?}"))
}

async fn signed_in(t: &TestApp, email: &str) -> (Browser, String) {
    let b = t.browser();
    let host = t.admin_host("acme");
    t.sign_in(&b, &host, email).await;
    (b, host)
}

/// Sends a form on `page_path` to `action`, with the page's token.
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

/// An approved invoice on `unit` for `amount`, issued and due on the days given.
async fn posted(
    t: &TestApp,
    org: &fixtures::Org,
    unit: UnitId,
    amount: &str,
    issued: time::Date,
    due: time::Date,
) -> InvoiceId {
    let lines = [ok(InvoiceLine::validate(
        "Service charge",
        amount,
        VatRate::Exempt,
    ))];
    let id = ok(ledger::raise_invoice(
        &t.app,
        &org.accountant,
        unit,
        &ledger::Charge {
            category: InvoiceCategory::ServiceCharge,
            description: "Service charge",
            lines: &lines,
            issue_date: issued,
            due_date: due,
        },
    )
    .await);
    for to in [InvoiceStatus::PendingApproval, InvoiceStatus::Approved] {
        ok(ledger::move_invoice(&t.app, &org.accountant, id, to).await);
    }
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invoice_is_raised_approved_paid_and_shown_on_the_statement_and_its_pdf() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let (b, host) = signed_in(&t, &org.accountant_email).await;
    let unit = format!("/units/{}", org.unit);
    let invoices_before = count(&t, "invoices").await;
    // A bad amount and a due date before the issue date: sent back with what was typed.
    let page = send(
        &b,
        &host,
        &unit,
        &format!("{unit}/invoices"),
        &[
            ("category", "major_works"),
            ("description", "Roof repairs"),
            ("line1_description", "Roof repairs"),
            ("line1_amount", "12.345"),
            ("line1_vat", "standard"),
            ("issue_date", "2026-12-02"),
            ("due_date", "2026-11-01"),
        ],
    )
    .await;
    assert_eq!(page.status, 422, "{}", page.body);
    assert!(
        page.body.contains("href=\"#invoice-line1_amount\""),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("Amounts can only have two decimal places")
    );
    assert!(page.body.contains("value=\"Roof repairs\""));
    assert!(
        page.body
            .contains("<option value=\"major_works\" selected>")
    );
    assert_eq!(
        count(&t, "invoices").await,
        invoices_before,
        "nothing written"
    );
    let page = send(
        &b,
        &host,
        &unit,
        &format!("{unit}/invoices"),
        &[
            ("category", "major_works"),
            ("description", "Roof repairs"),
            ("line1_description", "Roof repairs"),
            ("line1_amount", "1,000.00"),
            ("line1_vat", "standard"),
            ("line2_description", "Surveyor's fee"),
            ("line2_amount", "150"),
            ("line2_vat", "exempt"),
            ("issue_date", "2026-11-02"),
            ("due_date", "2026-11-30"),
        ],
    )
    .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let location = page.location().unwrap_or_default().to_owned();
    assert!(location.ends_with("?done=created"), "{location}");
    let invoice = b.get(&host, &location).await;
    assert!(invoice.body.contains("£1,350.00"), "net £1,150 + VAT £200");
    assert!(invoice.body.contains("Major works"));
    let path = location.trim_end_matches("?done=created").to_owned();
    for (to, notice) in [
        ("pending_approval", "submitted for approval"),
        ("approved", "approved and posted"),
    ] {
        let page = send(&b, &host, &path, &format!("{path}/status"), &[("to", to)]).await;
        assert_eq!(page.status, 303, "{}", page.body);
        let shown = b.get(&host, page.location().unwrap_or_default()).await;
        assert!(shown.body.contains(notice), "{}", shown.body);
    }
    // Approving again (a form from before) is refused with the reason, not done twice.
    let page = send(
        &b,
        &host,
        &path,
        &format!("{path}/status"),
        &[("to", "approved")],
    )
    .await;
    assert_eq!(page.status, 409, "{}", page.body);
    // £450 (the fixture's invoice) + £1,350 owed; £500 by BACS settles the older first.
    let page = send(
        &b,
        &host,
        &unit,
        &format!("{unit}/payments"),
        &[
            ("amount", "500"),
            ("method", "bacs"),
            ("received_on", &ledger_date(t.today())),
            ("reference", "PATEL ROOF"),
        ],
    )
    .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let statement = b.get(&host, &format!("{unit}/statement")).await;
    assert_eq!(statement.status, 200);
    assert!(
        statement.body.contains("£1,300.00"),
        "the balance: {}",
        statement.body
    );
    assert!(statement.body.contains("Payment received (BACS)"));
    let pdf = b.get(&host, &format!("{unit}/statement.pdf")).await;
    assert_eq!(pdf.status, 200);
    assert_eq!(
        pdf.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/pdf")
    );
    let text = pdftotext(&pdf.bytes);
    assert!(text.contains("Statement of account"), "{text}");
    assert!(text.contains("Flat 1"), "{text}");
    assert!(text.contains("Mr Patel"), "{text}");
    assert!(text.contains("Closing balance"), "{text}");
    assert!(
        text.contains("£1,300.00"),
        "the balance the screen shows: {text}"
    );
    assert!(text.contains("PATEL ROOF"), "{text}");
    let events = t.audit_events(org.id).await;
    assert!(
        events.iter().any(|(a, c, s)| a == "payment"
            && c == "admin"
            && s.starts_with("Ada Accounts paid £500.00 by BACS for Flat 1 via the admin app")),
        "{events:#?}"
    );
}

fn ledger_date(d: time::Date) -> String {
    proplink_backend::store::date_text(d)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credit_is_never_over_allocated_and_credit_notes_never_exceed_what_is_owed() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let today = t.today();
    // £600 against the £450 invoice: £150 is left as credit.
    ok(ledger::record_payment(
        &t.app,
        &org.accountant,
        org.unit,
        &ledger::Receipt {
            amount: pounds(600),
            method: PaymentMethod::Cheque,
            received_on: today,
            reference: "",
        },
    )
    .await);
    assert_eq!(
        ok(ledger::unit_credit(&t.app, &org.accountant, org.unit).await),
        pounds(150)
    );
    let next = posted(
        &t,
        &org,
        org.unit,
        "100.00",
        today,
        today + Duration::days(14),
    )
    .await;
    let allocations = count(&t, "allocations").await;
    // More than the invoice has left to pay (£100), though the unit has £150.
    let err = ledger::allocate_credit(&t.app, &org.accountant, next, pounds(120)).await;
    assert!(
        matches!(&err, Err(AppError::Invalid(e)) if e.0[0].message.contains("£100.00 left to pay")),
        "{err:?}"
    );
    // More than the unit's credit.
    let big = posted(
        &t,
        &org,
        org.unit,
        "500.00",
        today,
        today + Duration::days(14),
    )
    .await;
    let err = ledger::allocate_credit(&t.app, &org.accountant, big, pounds(200)).await;
    assert!(
        matches!(&err, Err(AppError::Invalid(e)) if e.0[0].message.contains("£150.00 of credit")),
        "{err:?}"
    );
    assert_eq!(
        count(&t, "allocations").await,
        allocations,
        "nothing written"
    );
    // £100 settles the invoice; £50 is left.
    ok(ledger::allocate_credit(&t.app, &org.accountant, next, pounds(100)).await);
    let view = ok(ledger::invoice(&t.app, &org.accountant, next).await);
    assert_eq!(view.invoice.status, InvoiceStatus::Paid);
    assert_eq!(
        ok(ledger::unit_credit(&t.app, &org.accountant, org.unit).await),
        pounds(50)
    );
    // A paid invoice takes no more.
    let err = ledger::allocate_credit(&t.app, &org.accountant, next, pounds(1)).await;
    assert!(matches!(err, Err(AppError::Invalid(_))), "{err:?}");
    // A credit note for more than is owed is refused; one for £20 takes £20 off.
    let err = ledger::credit_note(
        &t.app,
        &org.accountant,
        big,
        pounds(501),
        "Charged twice",
        today,
    )
    .await;
    assert!(matches!(err, Err(AppError::Invalid(_))), "{err:?}");
    assert_eq!(count(&t, "credit_notes").await, 0);
    let err = ledger::credit_note(&t.app, &org.accountant, big, pounds(20), " ", today).await;
    assert!(
        matches!(err, Err(AppError::Invalid(_))),
        "a reason is needed: {err:?}"
    );
    ok(ledger::credit_note(
        &t.app,
        &org.accountant,
        big,
        pounds(20),
        "Charged twice",
        today,
    )
    .await);
    let view = ok(ledger::invoice(&t.app, &org.accountant, big).await);
    assert_eq!(view.invoice.outstanding(), pounds(480));
    assert_eq!(view.credit_notes.len(), 1);
    assert!(view.credit_notes[0].number.starts_with("CN-"));
    let statement = ok(ledger::statement(&t.app, &org.accountant, org.unit, None).await);
    assert!(
        statement
            .lines
            .iter()
            .any(|l| l.description == "Credit note: Charged twice" && l.credit == Some(pounds(20)))
    );
    // 450 + 100 + 500 − 600 − 20 = 430 owed.
    assert_eq!(statement.balance, pounds(430));
    // A voided invoice with money against it is refused: credit it instead.
    let err = ledger::move_invoice(&t.app, &org.accountant, big, InvoiceStatus::Voided).await;
    assert!(
        matches!(&err, Err(AppError::Conflict { message, .. }) if message.contains("credit note")),
        "{err:?}"
    );
}

/// Adds `n` units to the fixture's building, each with its own billable leaseholder.
async fn more_units(t: &TestApp, org: &fixtures::Org, n: usize) -> Vec<UnitId> {
    let mut units = Vec::new();
    for i in 0..n {
        let unit = ok(places::add_unit(
            &t.app,
            &org.owner,
            org.building,
            &ok(NewUnit::validate(&format!("Flat {}", i + 2), "First")),
        )
        .await);
        let contact = ok(people::add_contact(
            &t.app,
            &org.owner,
            &ok(NewContact::validate(
                ContactKind::Leaseholder,
                "Ms",
                &format!("Lee{i}"),
                "Holder",
                &format!("lee{i}@acme.example"),
                "",
            )),
        )
        .await);
        ok(people::link_to_unit(
            &t.app,
            &org.owner,
            contact,
            unit,
            UnitRole::Leaseholder,
            true,
            t.today(),
        )
        .await);
        units.push(unit);
    }
    units
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_demand_shares_the_total_to_the_penny_or_is_refused_whole() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let mut units = vec![org.unit];
    units.extend(more_units(&t, &org, 2).await);
    let today = t.today();
    let demand = |shares: &'static [Share], units: &[UnitId]| {
        let shares: Vec<(UnitId, Share)> =
            units.iter().copied().zip(shares.iter().copied()).collect();
        shares
    };
    let before = count(&t, "invoices").await;
    let audit_before = t.audit_events(org.id).await.len();
    // 33.333 × 3 = 99.999%: refused, nothing written.
    let shares = demand(&[33_333, 33_333, 33_333], &units);
    let err = ledger::raise_demand(
        &t.app,
        &org.accountant,
        org.building,
        &ledger::Demand {
            category: InvoiceCategory::ServiceCharge,
            description: "Service charge 2027",
            total: Money::from_pence(100_001),
            vat_rate: VatRate::Exempt,
            issue_date: today,
            due_date: today + Duration::days(30),
            shares: &shares,
            send: false,
        },
    )
    .await;
    assert!(
        matches!(&err, Err(AppError::Invalid(e)) if e.0[0].message == "The percentages add up to 99.999%, not 100%"),
        "{err:?}"
    );
    assert_eq!(count(&t, "invoices").await, before);
    assert_eq!(t.audit_events(org.id).await.len(), audit_before);
    // 33.334 + 33.333 + 33.333 of £1,000.01: the parts add up exactly.
    let shares = demand(&[33_334, 33_333, 33_333], &units);
    let raised = ok(ledger::raise_demand(
        &t.app,
        &org.accountant,
        org.building,
        &ledger::Demand {
            category: InvoiceCategory::ServiceCharge,
            description: "Service charge 2027",
            total: Money::from_pence(100_001),
            vat_rate: VatRate::Exempt,
            issue_date: today,
            due_date: today + Duration::days(30),
            shares: &shares,
            send: true,
        },
    )
    .await);
    assert_eq!(raised.len(), 3);
    let mut sum = 0;
    let mut totals = Vec::new();
    for id in &raised {
        let view = ok(ledger::invoice(&t.app, &org.accountant, *id).await);
        assert_eq!(view.invoice.status, InvoiceStatus::Sent);
        sum += view.invoice.total.pence();
        totals.push(view.invoice.total.pence());
    }
    assert_eq!(sum, 100_001, "the parts make the whole");
    assert_eq!(totals, vec![33_335, 33_333, 33_333]);
    // A demand that leaves out one of the building's units is refused.
    let shares = vec![(units[0], 50_000), (units[1], 50_000)];
    let err = ledger::raise_demand(
        &t.app,
        &org.accountant,
        org.building,
        &ledger::Demand {
            category: InvoiceCategory::ServiceCharge,
            description: "Service charge 2027",
            total: pounds(10),
            vat_rate: VatRate::Exempt,
            issue_date: today,
            due_date: today,
            shares: &shares,
            send: false,
        },
    )
    .await;
    assert!(matches!(err, Err(AppError::Conflict { .. })), "{err:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demand_form_keeps_the_shares_typed_and_says_what_they_add_up_to() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let units = more_units(&t, &org, 1).await;
    let (b, host) = signed_in(&t, &org.accountant_email).await;
    let path = format!("/buildings/{}/demand", org.building);
    let form = b.get(&host, &path).await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(
        form.body.contains("value=\"50\""),
        "equal shares prefilled: {}",
        form.body
    );
    let share_a = format!("share_{}", org.unit);
    let share_b = format!("share_{}", units[0]);
    let before = count(&t, "invoices").await;
    let mut fields = vec![
        ("category", "service_charge"),
        ("description", "Service charge 2027"),
        ("total", "2,000"),
        ("vat_rate", "exempt"),
        ("issue_date", "2026-12-02"),
        ("due_date", "2027-01-01"),
        ("send", "approve"),
        (share_a.as_str(), "60"),
        (share_b.as_str(), "30"),
    ];
    let page = send(&b, &host, &path, &path, &fields).await;
    assert_eq!(page.status, 422, "{}", page.body);
    assert!(
        page.body
            .contains("The percentages add up to 90%, not 100%")
    );
    assert!(
        page.body.contains("value=\"60\"") && page.body.contains("value=\"30\""),
        "the shares typed are kept"
    );
    assert!(page.body.contains("value=\"2,000\""));
    assert_eq!(count(&t, "invoices").await, before);
    fields[8].1 = "40";
    let page = send(&b, &host, &path, &path, &fields).await;
    assert_eq!(page.status, 303, "{}", page.body);
    let shown = b.get(&host, page.location().unwrap_or_default()).await;
    assert!(
        shown.body.contains("The demand was raised: 2 invoices"),
        "{}",
        shown.body
    );
    assert_eq!(count(&t, "invoices").await, before + 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn arrears_fall_into_their_age_buckets_with_totals() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let today = t.today();
    // The fixture's £450 is due today: not yet in arrears.
    for (days, amount) in [
        (10, "10.00"),
        (45, "20.00"),
        (75, "30.00"),
        (120, "40.00"),
        (400, "50.00"),
    ] {
        let due = today - Duration::days(days);
        posted(&t, &org, org.unit, amount, due - Duration::days(14), due).await;
    }
    posted(
        &t,
        &org,
        org.unit_b,
        "5.00",
        today - Duration::days(40),
        today - Duration::days(30),
    )
    .await;
    let list = ok(ledger::arrears_list(&t.app, &org.accountant, None, &Default::default()).await);
    assert_eq!(list.accounts, 2);
    assert_eq!(
        list.buckets,
        [pounds(15), pounds(20), pounds(30), pounds(40), pounds(50)]
    );
    assert_eq!(list.total, pounds(155));
    let first = &list.page.items[0];
    assert_eq!(first.unit_id, org.unit, "largest first");
    assert_eq!(
        first.buckets(),
        [pounds(10), pounds(20), pounds(30), pounds(40), pounds(50)]
    );
    // Through the door, and not for a Site Manager, who does not see the accounts.
    let (b, host) = signed_in(&t, &org.accountant_email).await;
    let page = b.get(&host, "/arrears").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("£155.00") && page.body.contains("91–180 days"),
        "{}",
        page.body
    );
    let (b, host) = signed_in(&t, &org.site_manager_email).await;
    assert_eq!(b.get(&host, "/arrears").await.status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manager_reads_the_ledger_but_cannot_write_it_and_other_organisations_ids_are_missing() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let other = fixtures::org(&t.app, "birch", "Birchwood").await;
    let (b, host) = signed_in(&t, &org.manager_email).await;
    let unit = format!("/units/{}", org.unit);
    let page = b.get(&host, &unit).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("Latest movements"),
        "a manager reads the account"
    );
    assert!(
        !page.body.contains("Record a payment"),
        "but is offered no money forms"
    );
    let payments = count(&t, "payments").await;
    let invoices = count(&t, "invoices").await;
    let events = t.audit_events(org.id).await.len();
    let page = send(
        &b,
        &host,
        &unit,
        &format!("{unit}/payments"),
        &[
            ("amount", "10"),
            ("method", "bacs"),
            ("received_on", &ledger_date(t.today())),
            ("reference", ""),
        ],
    )
    .await;
    assert_eq!(page.status, 403, "{}", page.body);
    let path = format!("/invoices/{}", org.invoice);
    let page = send(
        &b,
        &host,
        &path,
        &format!("{path}/credit-notes"),
        &[
            ("amount", "10"),
            ("reason", "x"),
            ("issue_date", "2026-12-02"),
        ],
    )
    .await;
    assert_eq!(page.status, 403, "{}", page.body);
    assert_eq!(count(&t, "payments").await, payments, "nothing written");
    assert_eq!(count(&t, "invoices").await, invoices);
    let refusals = t.audit_events(org.id).await.len() - events;
    assert!(refusals <= 2, "at most the refusals are recorded");
    // Another organisation's unit and invoice answer as missing.
    let (b, host) = signed_in(&t, &org.accountant_email).await;
    for (page_path, action) in [
        (unit.clone(), format!("/units/{}/payments", other.unit)),
        (path.clone(), format!("/invoices/{}/status", other.invoice)),
    ] {
        let page = send(
            &b,
            &host,
            &page_path,
            &action,
            &[
                ("amount", "10"),
                ("method", "bacs"),
                ("received_on", "2026-12-01"),
                ("to", "voided"),
            ],
        )
        .await;
        assert_eq!(page.status, 404, "{action}: {}", page.body);
    }
    for path in [
        format!("/units/{}/statement", other.unit),
        format!("/units/{}/statement.pdf", other.unit),
        format!("/buildings/{}/demand", other.building),
    ] {
        assert_eq!(b.get(&host, &path).await.status, 404, "{path}");
    }
    assert_eq!(count(&t, "payments").await, payments);
}
