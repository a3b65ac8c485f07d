//! The work order's part of the golden path in the admin app: created from a request, a
//! contractor invited (never one whose insurance has lapsed), a quote awarded once, the order
//! closed — each through its form, audited with the admin channel.

use proplink_backend::params;
use proplink_backend::services::{orgs, quotes, vendors, work_orders};
use proplink_shared::records::{NewQuote, QuoteKind, VatRate};
use proplink_shared::{Actor, Principal, Role, WorkOrderId};
use proplink_tests::{Browser, Page, TestApp, fixtures, spawn_app};

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

async fn insured(t: &TestApp, org: &fixtures::Org) {
    fixtures::insure(&t.app, org).await;
}

async fn count(t: &TestApp, sql: &str, id: WorkOrderId) -> i64 {
    t.scalar(sql, params![id.to_string()]).await
}

#[tokio::test]
async fn a_work_order_is_created_from_a_request_and_a_form_sent_back_keeps_what_was_typed() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let (b, host) = signed_in(&t, &org.manager_email).await;
    let ticket = format!("/tickets/{}", org.ticket_a);
    let action = format!("{ticket}/work-order");
    let before: i64 = t
        .scalar("SELECT COUNT(*) FROM work_orders", params![])
        .await;
    let page = send(
        &b,
        &host,
        &ticket,
        &action,
        &[
            ("title", "Fix the hallway leak"),
            ("scope", " "),
            ("service_category", "plumbing"),
            ("priority", "high"),
        ],
    )
    .await;
    assert_eq!(page.status, 422, "{}", page.body);
    assert!(page.body.contains("href=\"#work-order-scope\""));
    assert!(
        page.body.contains("value=\"Fix the hallway leak\""),
        "the title typed is kept"
    );
    assert!(page.body.contains("<option value=\"plumbing\" selected>"));
    let after: i64 = t
        .scalar("SELECT COUNT(*) FROM work_orders", params![])
        .await;
    assert_eq!(before, after, "nothing written");

    let page = send(
        &b,
        &host,
        &ticket,
        &action,
        &[
            ("title", "Fix the hallway leak"),
            (
                "scope",
                "Trace and repair the leak above the hallway ceiling.",
            ),
            ("service_category", "plumbing"),
            ("priority", "high"),
        ],
    )
    .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let location = page.location().unwrap_or_default().to_owned();
    assert!(
        location.starts_with("/work-orders/") && location.ends_with("?done=created"),
        "{location}"
    );
    let shown = b.get(&host, &location).await;
    assert!(shown.body.contains("The work order was created"));
    assert!(shown.body.contains("Fix the hallway leak"));
    assert!(
        shown
            .body
            .contains(&format!("href=\"/tickets/{}\"", org.ticket_a))
    );
    let (sentence, channel): (String, String) = (
        t.scalar("SELECT sentence FROM audit_events WHERE record_type = 'work_order' ORDER BY occurred_at DESC, seq DESC LIMIT 1", params![]).await,
        t.scalar("SELECT channel FROM audit_events WHERE record_type = 'work_order' ORDER BY occurred_at DESC, seq DESC LIMIT 1", params![]).await,
    );
    assert!(sentence.contains("created work order WO-"), "{sentence}");
    assert_eq!(channel, "admin");
}

#[tokio::test]
async fn a_contractor_whose_insurance_has_lapsed_is_refused_with_the_reason_and_nothing_is_sent() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let (b, host) = signed_in(&t, &org.manager_email).await;
    let path = format!("/work-orders/{}", org.work_order);
    let page = b.get(&host, &path).await;
    assert!(
        page.body
            .contains("Fixit Ltd (General building, insurance lapsed)"),
        "{}",
        page.body
    );
    let events = count(
        &t,
        "SELECT COUNT(*) FROM audit_events WHERE record_id = $1",
        org.work_order,
    )
    .await;
    let vendor = org.vendor.to_string();
    let page = send(
        &b,
        &host,
        &path,
        &format!("{path}/invite"),
        &[("vendor", &vendor)],
    )
    .await;
    assert_eq!(page.status, 409, "{}", page.body);
    assert!(page.body.contains("insurance has lapsed"));
    assert_eq!(
        events,
        count(
            &t,
            "SELECT COUNT(*) FROM audit_events WHERE record_id = $1",
            org.work_order
        )
        .await
    );
    assert!(
        t.smtp.to("fixit@acme.example").is_empty(),
        "no invitation sent"
    );

    // Insured, the same contractor is invited and emailed.
    insured(&t, &org).await;
    let page = send(
        &b,
        &host,
        &path,
        &format!("{path}/invite"),
        &[("vendor", &vendor)],
    )
    .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while t.smtp.to("fixit@acme.example").is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "the invitation never arrived"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let status: String = t
        .scalar(
            "SELECT status FROM work_orders WHERE id = $1",
            params![org.work_order],
        )
        .await;
    assert_eq!(status, "sent_for_quote");
}

#[tokio::test]
async fn a_quote_is_awarded_once_and_the_order_closed() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    insured(&t, &org).await;
    work_orders::invite(&t.app, &org.manager, org.work_order, org.vendor)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    let contractor = Actor {
        org: org.id,
        principal: Principal::Contractor {
            vendor: org.vendor,
            work_order: org.work_order,
        },
        channel: proplink_shared::audit::Channel::ContractorPort,
        display_name: "Fixit Ltd".into(),
    };
    let quote = NewQuote::validate(QuoteKind::FixedPrice, "180", VatRate::Standard, "")
        .unwrap_or_else(|e| panic!("{e}"));
    let q = quotes::submit(
        &t.app,
        &contractor,
        org.work_order,
        org.vendor,
        &quote,
        None,
    )
    .await
    .unwrap_or_else(|e| panic!("{e:?}"))
    .to_string();
    let (b, host) = signed_in(&t, &org.manager_email).await;
    let path = format!("/work-orders/{}", org.work_order);
    let page = b.get(&host, &path).await;
    assert!(
        page.body.contains("Fixit Ltd: £180.00 + £36.00 VAT"),
        "{}",
        page.body
    );
    let csrf = page.csrf();
    // Two tabs, the same award sent from both: one approval.
    let first = b
        .post(
            &host,
            &format!("{path}/award"),
            &[("csrf", &csrf), ("quote", &q)],
        )
        .await;
    assert_eq!(first.status, 303, "{}", first.body);
    let second = b
        .post(
            &host,
            &format!("{path}/award"),
            &[("csrf", &csrf), ("quote", &q)],
        )
        .await;
    assert_eq!(second.status, 409, "{}", second.body);
    let approvals = count(
        &t,
        "SELECT COUNT(*) FROM audit_events WHERE record_id = $1 AND action = 'approve'",
        org.work_order,
    )
    .await;
    assert_eq!(approvals, 1);
    assert!(
        b.get(&host, &path)
            .await
            .body
            .contains("£216.00 including VAT")
    );

    // Closing needs the work done first; cancelling does not.
    let page = b.get(&host, &path).await;
    assert!(!page.body.contains("Close work order"));
    let page = send(&b, &host, &path, &format!("{path}/cancel"), &[]).await;
    assert_eq!(page.status, 303, "{}", page.body);
    let status: String = t
        .scalar(
            "SELECT status FROM work_orders WHERE id = $1",
            params![org.work_order],
        )
        .await;
    assert_eq!(status, "cancelled");
}

#[tokio::test]
async fn those_who_may_not_are_refused_and_nothing_is_written() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    fixtures::org(&t.app, "birchwood", "Birchwood Residential").await;
    insured(&t, &org).await;
    let events = count(
        &t,
        "SELECT COUNT(*) FROM audit_events WHERE record_id = $1",
        org.work_order,
    )
    .await;
    // An accountant, whose role does not reach work orders, and another organisation's manager.
    orgs::add_staff(
        &t.app,
        &org.owner,
        "ada@acme.example",
        "Ada Accountant",
        Role::Accountant,
        None,
    )
    .await
    .unwrap_or_else(|e| panic!("{e:?}"));
    let (accountant, host) = signed_in(&t, "ada@acme.example").await;
    let csrf = accountant.get(&host, "/dashboard").await.csrf();
    let vendor = org.vendor.to_string();
    let page = accountant
        .post(
            &host,
            &format!("/work-orders/{}/invite", org.work_order),
            &[("csrf", &csrf), ("vendor", &vendor)],
        )
        .await;
    assert!(
        page.status == 403 || page.status == 404,
        "{} {}",
        page.status,
        page.body
    );
    let stranger = t.browser();
    let birchwood = t.admin_host("birchwood");
    t.sign_in(&stranger, &birchwood, "manager@birchwood.example")
        .await;
    let csrf = stranger.get(&birchwood, "/dashboard").await.csrf();
    for what in ["invite", "cancel"] {
        let page = stranger
            .post(
                &birchwood,
                &format!("/work-orders/{}/{what}", org.work_order),
                &[("csrf", &csrf), ("vendor", &vendor)],
            )
            .await;
        assert_eq!(page.status, 404, "{what}");
    }
    let page = stranger
        .post(
            &birchwood,
            &format!("/tickets/{}/work-order", org.ticket_a),
            &[
                ("csrf", &csrf),
                ("title", "x"),
                ("scope", "y"),
                ("service_category", "general"),
                ("priority", "low"),
            ],
        )
        .await;
    assert_eq!(page.status, 404);
    assert_eq!(
        events,
        count(
            &t,
            "SELECT COUNT(*) FROM audit_events WHERE record_id = $1",
            org.work_order
        )
        .await
    );
}

#[tokio::test]
async fn a_site_issue_is_moved_on_or_turned_into_a_work_order_from_its_page() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let (b, host) = signed_in(&t, &org.manager_email).await;
    let path = format!("/issues/{}", org.issue);
    let status = || {
        let (t, id) = (&t, org.issue);
        async move {
            t.scalar::<String>("SELECT status FROM issues WHERE id = $1", params![id])
                .await
        }
    };
    let from = status().await;
    // Dismissing needs a reason; a form filled in before the issue moved changes nothing.
    let page = send(
        &b,
        &host,
        &path,
        &format!("{path}/status"),
        &[("from", &from), ("status", "dismissed"), ("reason", "")],
    )
    .await;
    assert_eq!(page.status, 422, "{}", page.body);
    assert!(page.body.contains("Say why the issue is being dismissed"));
    let page = send(
        &b,
        &host,
        &path,
        &format!("{path}/status"),
        &[("from", "triaged"), ("status", "resolved"), ("reason", "")],
    )
    .await;
    assert_eq!(page.status, 409, "{}", page.body);
    assert_eq!(status().await, from);
    // A reason typed for another move is not kept as a dismissal's.
    let page = send(
        &b,
        &host,
        &path,
        &format!("{path}/status"),
        &[
            ("from", &from),
            ("status", "assigned"),
            ("reason", "typed by mistake"),
        ],
    )
    .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let reason: Option<String> = t
        .scalar(
            "SELECT dismiss_reason FROM issues WHERE id = $1",
            params![org.issue],
        )
        .await;
    assert_eq!(reason, None);

    // A work order from the issue takes it in; the issue cannot join a second one.
    let fields = [
        ("title", "Replace the stairwell light"),
        (
            "scope",
            "Replace the failed fitting on the second-floor landing.",
        ),
        ("service_category", "electrical"),
        ("priority", "low"),
    ];
    let page = send(&b, &host, &path, &format!("{path}/work-order"), &fields).await;
    assert_eq!(page.status, 303, "{}", page.body);
    let work_order: String = t
        .scalar(
            "SELECT work_order_id FROM issues WHERE id = $1",
            params![org.issue],
        )
        .await;
    assert!(page.location().unwrap_or_default().contains(&work_order));
    assert_eq!(status().await, "assigned");
    let again = send(&b, &host, &path, &format!("{path}/work-order"), &fields).await;
    assert_eq!(again.status, 409, "{}", again.body);
    assert!(again.body.contains("already in a work order"));
    let orders: i64 = t
        .scalar(
            "SELECT COUNT(*) FROM work_orders WHERE title = $1",
            params!["Replace the stairwell light"],
        )
        .await;
    assert_eq!(orders, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quotes_are_compared_side_by_side_and_one_is_turned_down_with_the_reason() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    insured(&t, &org).await;
    let rival = vendors::add_vendor(
        &t.app,
        &org.owner,
        "Brightspark Electrical",
        "jobs@brightspark.example",
        "",
        proplink_shared::records::ServiceCategory::Electrical,
    )
    .await
    .unwrap_or_else(|e| panic!("{e:?}"));
    let mut quote_ids = Vec::new();
    for (vendor, name, net) in [
        (org.vendor, "Fixit Ltd", "180"),
        (rival, "Brightspark Electrical", "150"),
    ] {
        let contractor = Actor {
            org: org.id,
            principal: Principal::Contractor {
                vendor,
                work_order: org.work_order,
            },
            channel: proplink_shared::audit::Channel::ContractorPort,
            display_name: name.into(),
        };
        let quote = NewQuote::validate(QuoteKind::FixedPrice, net, VatRate::Standard, "Two days")
            .unwrap_or_else(|e| panic!("{e}"));
        if quote_ids.is_empty() {
            work_orders::invite(&t.app, &org.manager, org.work_order, vendor)
                .await
                .unwrap_or_else(|e| panic!("{e:?}"));
        }
        quote_ids.push(
            quotes::submit(&t.app, &contractor, org.work_order, vendor, &quote, None)
                .await
                .unwrap_or_else(|e| panic!("{e:?}"))
                .to_string(),
        );
    }
    let (b, host) = signed_in(&t, &org.manager_email).await;
    let path = format!("/work-orders/{}", org.work_order);
    let page = b.get(&host, &path).await;
    assert!(
        page.body.contains("Quotes received, side by side"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("£180.00 (lowest)"),
        "Brightspark's £150 + VAT is the lowest total"
    );
    // Turned down without a reason: sent back, nothing changed.
    let page = send(
        &b,
        &host,
        &path,
        &format!("{path}/reject"),
        &[("quote", &quote_ids[0]), ("reason", " ")],
    )
    .await;
    assert_eq!(page.status, 422, "{}", page.body);
    assert!(page.body.contains("href=\"#reject-reason\""));
    let page = send(
        &b,
        &host,
        &path,
        &format!("{path}/reject"),
        &[
            ("quote", &quote_ids[0]),
            ("reason", "Brightspark can start sooner"),
        ],
    )
    .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let mail = t
        .smtp
        .wait_for(&format!("fixit@{}.example", org.slug), 2)
        .await;
    assert!(
        mail.subject().contains("Your quote for WO-"),
        "{}",
        mail.subject()
    );
    let shown = b.get(&host, page.location().unwrap_or_default()).await;
    assert!(
        shown
            .body
            .contains("Turned down: Brightspark can start sooner")
    );
    // A quote turned down cannot be awarded, nor turned down twice.
    let page = send(
        &b,
        &host,
        &path,
        &format!("{path}/award"),
        &[("quote", &quote_ids[0])],
    )
    .await;
    assert!(page.status == 422 || page.status == 409, "{}", page.body);
    let page = send(
        &b,
        &host,
        &path,
        &format!("{path}/reject"),
        &[("quote", &quote_ids[0]), ("reason", "again")],
    )
    .await;
    assert_eq!(page.status, 409, "{}", page.body);
    let page = send(
        &b,
        &host,
        &path,
        &format!("{path}/award"),
        &[("quote", &quote_ids[1])],
    )
    .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let events = t.audit_events(org.id).await;
    assert!(
        events.iter().any(|(a, c, s)| a == "reject"
            && c == "admin"
            && s.contains("turned down Fixit Ltd's quote")),
        "{events:#?}"
    );
}

#[tokio::test]
async fn a_work_order_is_given_to_someone_on_its_site_through_its_form_and_they_hear_of_it() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let (b, host) = signed_in(&t, &org.manager_email).await;
    let page_path = format!("/work-orders/{}", org.work_order);
    let page = b.get(&host, &page_path).await;
    assert!(page.body.contains("Seen through by"), "{}", page.body);
    assert!(
        page.body.contains("Sid Site"),
        "the site manager of its site is offered"
    );
    assert!(
        !page.body.contains(">Ada Accounts<"),
        "an accountant, who may not update work orders, is not offered"
    );
    let sid: String = t
        .scalar(
            "SELECT id FROM staff_users WHERE email = $1",
            params![org.site_manager_email.clone()],
        )
        .await;
    let ada: String = t
        .scalar(
            "SELECT id FROM staff_users WHERE email = $1",
            params![org.accountant_email.clone()],
        )
        .await;
    let action = format!("{page_path}/assign");

    // Someone who may not work on it is refused by the field, and nothing changes.
    let refused = send(
        &b,
        &host,
        &page_path,
        &action,
        &[("was", ""), ("assignee", &ada)],
    )
    .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused
            .body
            .contains("Choose a member of staff who works on this work order")
    );
    let sent = send(
        &b,
        &host,
        &page_path,
        &action,
        &[("was", ""), ("assignee", &sid)],
    )
    .await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    assert_eq!(
        count(
            &t,
            "SELECT COUNT(*) FROM work_orders WHERE id = $1 AND assignee_id IS NOT NULL",
            org.work_order
        )
        .await,
        1
    );
    let page = b.get(&host, &format!("{page_path}?done=assign")).await;
    assert!(
        page.body
            .contains("Who sees the work order through was changed.")
    );
    assert!(
        page.body.contains("assigned WO-"),
        "the trail says so: {}",
        page.body
    );
    // A form drawn before that change is refused rather than undoing it.
    let stale = send(
        &b,
        &host,
        &page_path,
        &action,
        &[("was", ""), ("assignee", "")],
    )
    .await;
    assert_eq!(stale.status, 409, "{}", stale.body);
    assert!(stale.body.contains("Someone else changed work order"));
    assert_eq!(
        count(&t, "SELECT COUNT(*) FROM push_outbox WHERE event_key LIKE 'work-order-assigned:' || $1 || ':%'", org.work_order).await,
        0,
        "Sid has no device with notifications on: nothing is queued"
    );
}
