//! The ledger's rules through the services, on both databases.

use proplink_backend::error::AppError;
use proplink_backend::services::{ledger, tickets, work_orders};
use proplink_backend::store::query::PageAt;
use proplink_backend::store::requests::TicketFilter;
use proplink_shared::Money;
use proplink_shared::records::{InvoiceLine, NewTicket, PaymentMethod, VatRate};
use proplink_shared::states::{InvoiceStatus, TicketStatus};
use proplink_tests::{fixtures, spawn_app};

fn pounds(p: i64) -> Money {
    Money::from_pence(p * 100)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn payments_settle_the_oldest_invoices_first_and_keep_the_rest_as_credit() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let today = proplink_shared::london::local(t.app.clock.now()).date();
    // A second, later invoice for £300 on top of the fixture's £450.
    let line = InvoiceLine::validate("Reserve fund", "300", VatRate::Exempt)
        .unwrap_or_else(|e| panic!("{e}"));
    let second = ledger::raise_invoice(
        &t.app,
        &org.owner,
        org.unit,
        &ledger::Charge {
            category: proplink_shared::records::InvoiceCategory::ServiceCharge,
            description: "Reserve fund",
            lines: &[line],
            issue_date: today,
            due_date: today + time::Duration::days(30),
        },
    )
    .await
    .unwrap_or_else(|e| panic!("{e:?}"));
    for to in [InvoiceStatus::PendingApproval, InvoiceStatus::Approved] {
        ledger::move_invoice(&t.app, &org.owner, second, to)
            .await
            .unwrap_or_else(|e| panic!("{e:?}"));
    }
    // £500 pays the £450 invoice in full and £50 of the second.
    ledger::record_payment(
        &t.app,
        &org.owner,
        org.unit,
        &ledger::Receipt {
            amount: pounds(500),
            method: PaymentMethod::Bacs,
            received_on: today,
            reference: "REF1",
        },
    )
    .await
    .unwrap_or_else(|e| panic!("{e:?}"));
    let first = ledger::invoice(&t.app, &org.owner, org.invoice)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(first.invoice.status, InvoiceStatus::Paid);
    let second_view = ledger::invoice(&t.app, &org.owner, second)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(second_view.invoice.paid, pounds(50));
    assert_eq!(second_view.invoice.status, InvoiceStatus::Approved);
    // Mr Patel pays £400 through ResidencePort: £250 settles the rest, £150 stays as credit.
    let patel = proplink_backend::services::residents::actor(&t.app, org.id, org.leaseholder)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    ledger::record_payment(
        &t.app,
        &patel,
        org.unit,
        &ledger::Receipt {
            amount: pounds(400),
            method: PaymentMethod::Card,
            received_on: today,
            reference: "card",
        },
    )
    .await
    .unwrap_or_else(|e| panic!("{e:?}"));
    let statement = ledger::statement(&t.app, &org.owner, org.unit, None)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(
        statement.balance,
        pounds(-150),
        "overpayment is credit on the unit"
    );
    assert_eq!(statement.lines.len(), 4);
    assert_eq!(
        statement.lines.last().map(|l| l.balance),
        Some(pounds(-150))
    );
    let events = t.audit_events(org.id).await;
    assert!(
        events.iter().any(|(a, c, s)| a == "payment"
            && c == "residenceport"
            && s.starts_with("Mr Patel paid £400.00 by Card for Flat 1 via ResidencePort on ")),
        "{events:#?}"
    );
    assert!(events.iter().any(
        |(_, _, s)| s.starts_with("Mr Patel paid £250.00 towards INV-")
            && s.contains(", settling it via ResidencePort")
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_amounts_and_stale_moves_are_refused_and_change_nothing() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let today = proplink_shared::london::local(t.app.clock.now()).date();
    let before = t.audit_events(org.id).await.len();
    let err = ledger::record_payment(
        &t.app,
        &org.owner,
        org.unit,
        &ledger::Receipt {
            amount: Money::ZERO,
            method: PaymentMethod::Bacs,
            received_on: today,
            reference: "",
        },
    )
    .await;
    assert!(matches!(err, Err(AppError::Invalid(_))));
    // A sent invoice cannot go back to draft.
    let err = ledger::move_invoice(&t.app, &org.owner, org.invoice, InvoiceStatus::Draft).await;
    assert!(
        matches!(&err, Err(AppError::Conflict { message: m, .. }) if m.contains("This invoice is sent and cannot be moved to draft")),
        "{err:?}"
    );
    // A closed work order cannot start again.
    work_orders::close(&t.app, &org.manager, org.work_order, true)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    let err = work_orders::report_progress(
        &t.app,
        &org.manager,
        org.work_order,
        &work_orders::WorkReport {
            note: "started",
            photos: &[],
        },
    )
    .await;
    assert!(
        matches!(&err, Err(AppError::Conflict { message: m, .. }) if m.contains("cancelled")),
        "{err:?}"
    );
    // A request cannot close without a reason.
    let err = tickets::set_status(
        &t.app,
        &org.manager,
        org.ticket_a,
        TicketStatus::Closed,
        None,
    )
    .await;
    assert!(matches!(err, Err(AppError::Invalid(_))));
    let after = t.audit_events(org.id).await;
    assert_eq!(
        after.len(),
        before + 1,
        "only the cancellation was recorded"
    );
    // An accountant may not reply to a request; a Manager may not approve an invoice.
    let err = ledger::move_invoice(&t.app, &org.manager, org.invoice, InvoiceStatus::Voided).await;
    assert!(matches!(err, Err(AppError::Forbidden)), "{err:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resident_sees_only_their_own_requests_and_never_internal_notes() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let me = proplink_backend::services::residents::actor(&t.app, org.id, org.leaseholder)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    let new = NewTicket::validate("Leak", "Water", "maintenance", "high")
        .unwrap_or_else(|e| panic!("{e}"));
    let mine = tickets::raise(
        &t.app,
        &me,
        tickets::TicketOrigin {
            site: org.site_a,
            unit: Some(org.unit),
            reporter: None,
            assignee: None,
        },
        &new,
    )
    .await
    .unwrap_or_else(|e| panic!("{e:?}"));
    tickets::add_entry(&t.app, &org.manager, mine, "Looks like the riser", true)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    tickets::add_entry(&t.app, &org.manager, mine, "We are on our way", false)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    let (_, entries) = tickets::ticket(&t.app, &me, mine)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(
        entries.iter().map(|e| e.body.as_str()).collect::<Vec<_>>(),
        ["Water", "We are on our way"]
    );
    // Theirs: the one they raised and the one staff logged for them; not the other site's.
    let visible: Vec<_> = tickets::tickets(&t.app, &me, &TicketFilter::default(), &PageAt::First)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"))
        .items
        .into_iter()
        .map(|t| t.id)
        .collect();
    assert_eq!(visible, [mine, org.ticket_a]);
    // Another resident's request is not found, not forbidden.
    assert!(matches!(
        tickets::ticket(&t.app, &me, org.ticket_b).await,
        Err(AppError::NotFound)
    ));
    // Replying on someone else's request is refused the same way.
    assert!(matches!(
        tickets::add_entry(&t.app, &me, org.ticket_b, "hello", false).await,
        Err(AppError::NotFound)
    ));
    // A resident cannot add an internal note to their own request.
    assert!(matches!(
        tickets::add_entry(&t.app, &me, mine, "note", true).await,
        Err(AppError::Forbidden)
    ));
}
