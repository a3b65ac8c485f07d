//! Push notifications end to end against a push service on loopback: a resident turns them on
//! from their profile, a staff reply queues a push in the reply's own transaction, the sender
//! delivers it with a VAPID token and an encrypted body that an independent implementation
//! (Python's http_ece) checks and opens; 404 and 410 end a subscription at once; 429 and 5xx
//! are tried again with backoff and given up on after a bound; two senders never send one
//! push twice.

use proplink_backend::services::push::{self, sender};
use proplink_backend::services::requests::{RequestForm, RequestPlace};
use proplink_backend::services::{requests, residents, tickets};
use proplink_tests::push_service::{BrowserKeys, PushService};
use proplink_tests::{Browser, Options, TestApp, fixtures, spawn_app_with};

async fn app() -> TestApp {
    spawn_app_with(Options {
        push_insecure_endpoints: true,
        ..Options::default()
    })
    .await
}

async fn count(t: &TestApp, sql: &str) -> i64 {
    t.scalar(sql, &[]).await
}

/// Turns notifications on from the resident's profile page, as the page's script does once
/// the browser has subscribed.
async fn turn_on(
    b: &Browser,
    host: &str,
    endpoint: &str,
    keys: &BrowserKeys,
) -> proplink_tests::Page {
    let profile = b.get(host, "/profile").await;
    assert!(
        profile.body.contains("Turn on notifications"),
        "{}",
        profile.body
    );
    b.post(
        host,
        "/push/subscriptions",
        &[
            ("csrf", &profile.csrf()),
            ("endpoint", endpoint),
            ("p256dh", &keys.p256dh),
            ("auth", &keys.auth),
        ],
    )
    .await
}

/// Mr Patel's request, and the manager's reply to it.
async fn reply_to_a_request(t: &TestApp, org: &fixtures::Org, text: &str) {
    let me = residents::actor(&t.app, org.id, org.leaseholder)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    let ticket = requests::raise(
        &t.app,
        &me,
        RequestPlace::Home(org.unit),
        &RequestForm {
            category: "maintenance",
            subject: "Water leaking from ceiling",
            body: "Dripping onto the kitchen floor.",
            emergency: false,
        },
        &[],
    )
    .await
    .unwrap_or_else(|e| panic!("{e:?}"));
    tickets::add_entry(&t.app, &org.manager, ticket, text, false)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
}

/// Delivers everything due, as the background sender does.
async fn drain(t: &TestApp) -> Vec<sender::Outcome> {
    let client = sender::client(&t.app);
    let mut outcomes = Vec::new();
    while let Some(o) = sender::deliver_next(&t.app, &client)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"))
    {
        outcomes.push(o);
    }
    outcomes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_reaches_the_residents_phone_signed_and_encrypted() {
    let t = app().await;
    let service = PushService::start().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let (b, host) = t.resident("acme", "ravi@acme.example").await;
    let keys = BrowserKeys::new();
    let on = turn_on(&b, &host, &service.endpoint("ravi"), &keys).await;
    assert_eq!(on.status, 303, "{}", on.body);
    let profile = b.get(&host, "/profile?push=on").await;
    assert!(
        profile
            .body
            .contains("Notifications are on for this device.")
    );
    assert!(profile.body.contains("Turn off notifications"));
    assert!(
        profile.body.contains("/assets/push."),
        "the page offers the script"
    );

    reply_to_a_request(&t, &org, "A plumber will call you today, Mr Patel.").await;
    assert_eq!(
        count(
            &t,
            "SELECT COUNT(*) FROM push_outbox WHERE status = 'queued'"
        )
        .await,
        1
    );
    assert_eq!(drain(&t).await, vec![sender::Outcome::Delivered]);
    let received = service.received("ravi");
    assert_eq!(received.len(), 1);
    let push = &received[0];
    assert_eq!(push.headers["content-encoding"], "aes128gcm");
    assert_eq!(push.headers["ttl"], "172800");
    assert_eq!(push.headers["urgency"], "normal");
    assert_eq!(push.headers["topic"].len(), 32);
    let plain = keys
        .open(push, &service.origin())
        .unwrap_or_else(|e| panic!("the push does not open: {e}"));
    let message: serde_json::Value =
        serde_json::from_str(&plain).unwrap_or_else(|e| panic!("{e}: {plain}"));
    assert_eq!(message["title"], "New reply on your request");
    assert!(
        message["body"]
            .as_str()
            .unwrap_or_default()
            .contains("TKT-")
    );
    assert!(
        message["url"]
            .as_str()
            .unwrap_or_default()
            .contains("/requests/")
    );
    // What a locked screen shows: never the reply's words or the resident's name.
    assert!(
        !plain.contains("plumber") && !plain.contains("Patel"),
        "{plain}"
    );
    // Another key opens nothing, and a token checked against another origin fails.
    assert!(BrowserKeys::new().open(push, &service.origin()).is_err());
    assert!(keys.open(push, "http://push.example.net").is_err());
    // In the communications log, sent.
    assert_eq!(
        count(&t, "SELECT COUNT(*) FROM push_outbox WHERE status = 'sent'").await,
        1
    );
    let admin = t.browser();
    let admin_host = t.admin_host("acme");
    t.sign_in(&admin, &admin_host, &org.owner_email()).await;
    let log = admin.get(&admin_host, "/communications/push").await;
    assert!(
        log.body.contains("New reply on your request"),
        "{}",
        log.body
    );

    // Turned off, no more.
    let profile = b.get(&host, "/profile").await;
    let id: String = t.scalar("SELECT id FROM push_subscriptions", &[]).await;
    let off = b
        .post(
            &host,
            "/push/subscriptions/delete",
            &[("csrf", &profile.csrf()), ("subscription", &id)],
        )
        .await;
    assert_eq!(off.status, 303, "{}", off.body);
    assert_eq!(
        count(&t, "SELECT COUNT(*) FROM push_subscriptions").await,
        0
    );
    reply_to_a_request(&t, &org, "And again.").await;
    assert!(drain(&t).await.is_empty());
    let events = t.audit_events(org.id).await;
    assert!(
        events
            .iter()
            .any(|(_, channel, s)| channel == "residenceport"
                && s.starts_with("Mr Patel turned on notifications on"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscription_the_push_service_says_is_gone_is_forgotten_at_once() {
    let t = app().await;
    let service = PushService::start().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let (b, host) = t.resident("acme", "ravi@acme.example").await;
    for (name, status) in [("old-phone", 404), ("old-laptop", 410)] {
        service.script(name, &[status]);
        let on = turn_on(&b, &host, &service.endpoint(name), &BrowserKeys::new()).await;
        assert_eq!(on.status, 303, "{}", on.body);
    }
    reply_to_a_request(&t, &org, "On its way.").await;
    let mut outcomes = drain(&t).await;
    outcomes.sort_by_key(|o| format!("{o:?}"));
    assert_eq!(outcomes, vec![sender::Outcome::Gone, sender::Outcome::Gone]);
    assert_eq!(service.all().len(), 2, "one answer each was enough");
    assert_eq!(
        count(&t, "SELECT COUNT(*) FROM push_subscriptions").await,
        0
    );
    assert_eq!(
        count(&t, "SELECT COUNT(*) FROM push_outbox WHERE status = 'gone'").await,
        2
    );
    reply_to_a_request(&t, &org, "Again.").await;
    assert!(
        drain(&t).await.is_empty(),
        "nothing more is queued for them"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn busy_and_broken_push_services_are_tried_again_with_backoff_then_given_up_on() {
    let t = app().await;
    let service = PushService::start().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let (b, host) = t.resident("acme", "ravi@acme.example").await;
    service.script("flaky", &[429, 503]);
    service.script("down", &[500; 10]);
    for name in ["flaky", "down"] {
        turn_on(&b, &host, &service.endpoint(name), &BrowserKeys::new()).await;
    }
    reply_to_a_request(&t, &org, "Soon.").await;
    let make_due = || {
        t.tamper(
            "UPDATE push_outbox SET due_at = created_at WHERE status = 'queued'",
            &[],
        )
    };
    let mut rounds = 0;
    loop {
        let outcomes = drain(&t).await;
        if outcomes.is_empty() {
            break;
        }
        rounds += 1;
        assert!(rounds <= 10, "the sender never stops");
        // Each retry waits: nothing is due again until its backoff passes.
        let waiting: i64 = count(
            &t,
            "SELECT COUNT(*) FROM push_outbox WHERE status = 'queued' AND due_at > created_at",
        )
        .await;
        let queued: i64 = count(
            &t,
            "SELECT COUNT(*) FROM push_outbox WHERE status = 'queued'",
        )
        .await;
        assert_eq!(waiting, queued);
        make_due().await;
    }
    assert_eq!(
        service.received("flaky").len(),
        3,
        "429, 503, then delivered"
    );
    assert_eq!(
        service.received("down").len(),
        usize::try_from(sender::MAX_ATTEMPTS).unwrap_or(0),
        "given up after the bound"
    );
    assert_eq!(
        count(&t, "SELECT COUNT(*) FROM push_outbox WHERE status = 'sent'").await,
        1
    );
    let failed: String = t
        .scalar(
            "SELECT last_error FROM push_outbox WHERE status = 'failed'",
            &[],
        )
        .await;
    assert!(
        failed.contains("answered 500") && failed.contains("gave up"),
        "{failed}"
    );
    assert_eq!(
        count(&t, "SELECT COUNT(*) FROM push_subscriptions").await,
        2,
        "kept: it may come back"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_senders_send_each_push_once_and_an_event_queues_once() {
    let t = app().await;
    let service = PushService::start().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let (b, host) = t.resident("acme", "ravi@acme.example").await;
    let devices = ["phone", "tablet", "laptop"];
    for name in devices {
        turn_on(&b, &host, &service.endpoint(name), &BrowserKeys::new()).await;
    }
    for i in 0..5 {
        reply_to_a_request(&t, &org, &format!("Reply {i}.")).await;
    }
    assert_eq!(count(&t, "SELECT COUNT(*) FROM push_outbox").await, 15);
    let (one, two) = tokio::join!(drain(&t), drain(&t));
    assert_eq!(one.len() + two.len(), 15);
    for name in devices {
        assert_eq!(service.received(name).len(), 5, "{name}");
    }
    // Queueing the same event again adds nothing.
    let mut change = proplink_backend::services::change::Change::begin(&t.app, &org.manager)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    let notice = push::Notice {
        kind: push::PushKind::Notices,
        event: "same-event".into(),
        topic: push::topic("same-event"),
        title: "Hello",
        body: "Once",
        url: "/".into(),
        urgency: push::Urgency::Low,
        ttl: time::Duration::hours(1),
    };
    let subject = push::contact_subject(org.leaseholder);
    for _ in 0..2 {
        push::queue_in(&mut change, std::slice::from_ref(&subject), &notice)
            .await
            .unwrap_or_else(|e| panic!("{e:?}"));
    }
    change
        .record(proplink_backend::services::change::Event::new(
            proplink_shared::records::RecordType::Organisation,
            org.id,
            proplink_shared::audit::AuditAction::Update,
            "tested pushes",
            serde_json::json!({}),
        ))
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    change.commit().await.unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(
        count(
            &t,
            "SELECT COUNT(*) FROM push_outbox WHERE event_key = 'same-event'"
        )
        .await,
        3,
        "one per device"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscriptions_are_checked_and_belong_to_their_person() {
    // A server as deployed: push services on the internet, over https, only.
    let t = proplink_tests::spawn_app().await;
    fixtures::org(&t.app, "acme", "Acme Estates").await;
    let (b, host) = t.resident("acme", "ravi@acme.example").await;
    let keys = BrowserKeys::new();
    for (endpoint, why) in [
        ("http://push.example.net/x", "https"),
        ("https://127.0.0.1/x", "internet"),
        ("https://169.254.169.254/latest/meta-data", "internet"),
        ("https://acme.proplink.localhost/x", "internet"),
        ("not a url", "web address"),
    ] {
        let refused = turn_on(&b, &host, endpoint, &keys).await;
        assert_eq!(refused.status, 400, "{endpoint}");
        assert!(refused.body.contains(why), "{endpoint}: {}", refused.body);
    }
    let bad_keys = BrowserKeys {
        p256dh: "AAAA".into(),
        ..keys.clone()
    };
    let refused = turn_on(&b, &host, "https://push.example.net/x", &bad_keys).await;
    assert_eq!(refused.status, 400);
    // A form sent without a subscription (no script): said on the page.
    let profile = b.get(&host, "/profile").await;
    let empty = b
        .post(
            &host,
            "/push/subscriptions",
            &[("csrf", &profile.csrf()), ("endpoint", "")],
        )
        .await;
    assert_eq!(empty.status, 409);
    assert!(empty.body.contains("needs JavaScript"));
    assert_eq!(
        count(&t, "SELECT COUNT(*) FROM push_subscriptions").await,
        0
    );
    // Subscribed with a key the server no longer signs with (the page was opened before a
    // rotation): refused, so no push is ever signed with the wrong key.
    let stale = b
        .post(
            &host,
            "/push/subscriptions",
            &[
                ("csrf", &profile.csrf()),
                ("endpoint", "https://push.example.net/old"),
                ("p256dh", &keys.p256dh),
                ("auth", &keys.auth),
                ("key", "BOldKeyFromBeforeTheRotation"),
            ],
        )
        .await;
    assert_eq!(stale.status, 409, "{}", stale.body);
    assert!(stale.body.contains("reload the page"));
    // Another resident cannot turn off Mr Patel's.
    let ok = turn_on(&b, &host, "https://push.example.net/ravi", &keys).await;
    assert_eq!(ok.status, 303, "{}", ok.body);
    let id: String = t.scalar("SELECT id FROM push_subscriptions", &[]).await;
    let (other, other_host) = t.resident("acme", "bea@acme.example").await;
    let page = other.get(&other_host, "/profile").await;
    let refused = other
        .post(
            &other_host,
            "/push/subscriptions/delete",
            &[("csrf", &page.csrf()), ("subscription", &id)],
        )
        .await;
    assert_eq!(refused.status, 404);
    assert_eq!(
        count(&t, "SELECT COUNT(*) FROM push_subscriptions").await,
        1
    );
    // Without the form's token, nothing.
    let forged = b
        .post(
            &host,
            "/push/subscriptions",
            &[("endpoint", "https://push.example.net/y")],
        )
        .await;
    assert_eq!(forged.status, 403);
    // The service worker is served to take the whole door.
    let sw = b.get(&host, "/sw.js").await;
    assert_eq!(sw.status, 200);
    assert_eq!(sw.headers["service-worker-allowed"], "/");
    assert!(sw.body.contains("showNotification"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_manager_who_invited_a_contractor_hears_of_their_quote_on_their_browser() {
    let t = app().await;
    let service = PushService::start().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let (admin, host) = (t.browser(), t.admin_host("acme"));
    t.sign_in(&admin, &host, &org.manager_email).await;
    let profile = admin.get(&host, "/profile").await;
    assert_eq!(profile.status, 200);
    assert!(profile.body.contains("Turn on notifications"));
    let keys = BrowserKeys::new();
    let on = admin
        .post(
            &host,
            "/push/subscriptions",
            &[
                ("csrf", &profile.csrf()),
                ("endpoint", &service.endpoint("mark")),
                ("p256dh", &keys.p256dh),
                ("auth", &keys.auth),
            ],
        )
        .await;
    assert_eq!(on.status, 303, "{}", on.body);
    fixtures::insure(&t.app, &org).await;
    proplink_backend::services::work_orders::invite(
        &t.app,
        &org.manager,
        org.work_order,
        org.vendor,
    )
    .await
    .unwrap_or_else(|e| panic!("{e:?}"));
    let contractor = proplink_shared::Actor {
        org: org.id,
        principal: proplink_shared::Principal::Contractor {
            vendor: org.vendor,
            work_order: org.work_order,
        },
        channel: proplink_shared::audit::Channel::ContractorPort,
        display_name: "Fixit Ltd".into(),
    };
    let quote = proplink_shared::records::NewQuote::validate(
        proplink_shared::records::QuoteKind::FixedPrice,
        "180",
        proplink_shared::records::VatRate::Standard,
        "",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    proplink_backend::services::quotes::submit(
        &t.app,
        &contractor,
        org.work_order,
        org.vendor,
        &quote,
        None,
    )
    .await
    .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(drain(&t).await, vec![sender::Outcome::Delivered]);
    let received = service.received("mark");
    let plain = keys
        .open(&received[0], &service.origin())
        .unwrap_or_else(|e| panic!("{e}"));
    let message: serde_json::Value = serde_json::from_str(&plain).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(message["title"], "Contractor update");
    assert!(
        message["body"]
            .as_str()
            .unwrap_or_default()
            .starts_with("Fixit Ltd sent a quote on WO-")
    );
    assert!(
        message["url"]
            .as_str()
            .unwrap_or_default()
            .contains(&format!("/work-orders/{}", org.work_order))
    );
    // Staff see and turn off their own, from their profile.
    let profile = admin.get(&host, "/profile").await;
    assert!(profile.body.contains("Turn off notifications"));
}

/// Turns notifications on in the admin app for the staff member at `email`.
async fn staff_turns_on(t: &TestApp, email: &str, endpoint: &str, keys: &BrowserKeys) {
    let (admin, host) = (t.browser(), t.admin_host("acme"));
    t.sign_in(&admin, &host, email).await;
    let profile = admin.get(&host, "/profile").await;
    let on = admin
        .post(
            &host,
            "/push/subscriptions",
            &[
                ("csrf", &profile.csrf()),
                ("endpoint", endpoint),
                ("p256dh", &keys.p256dh),
                ("auth", &keys.auth),
            ],
        )
        .await;
    assert_eq!(on.status, 303, "{}", on.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_site_manager_hears_of_a_high_priority_request_on_their_site_and_residents_of_an_urgent_notice()
 {
    let t = app().await;
    let service = PushService::start().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let site_manager = BrowserKeys::new();
    staff_turns_on(
        &t,
        &org.site_manager_email,
        &service.endpoint("sam"),
        &site_manager,
    )
    .await;
    staff_turns_on(
        &t,
        &org.accountant_email,
        &service.endpoint("anna"),
        &BrowserKeys::new(),
    )
    .await;
    let (b, host) = t.resident("acme", "ravi@acme.example").await;
    let resident = BrowserKeys::new();
    turn_on(&b, &host, &service.endpoint("ravi"), &resident).await;
    // An emergency in Mr Patel's home (site A): urgent.
    let me = residents::actor(&t.app, org.id, org.leaseholder)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    requests::raise(
        &t.app,
        &me,
        RequestPlace::Home(org.unit),
        &RequestForm {
            category: "maintenance",
            subject: "Burst pipe in Flat 1, Mr Patel",
            body: "Water everywhere.",
            emergency: true,
        },
        &[],
    )
    .await
    .unwrap_or_else(|e| panic!("{e:?}"));
    // A query is not high priority: nobody is woken.
    requests::raise(
        &t.app,
        &me,
        RequestPlace::Home(org.unit),
        &RequestForm {
            category: "query",
            subject: "Bin day?",
            body: "Which day?",
            emergency: false,
        },
        &[],
    )
    .await
    .unwrap_or_else(|e| panic!("{e:?}"));
    drain(&t).await;
    let to_sam = service.received("sam");
    assert_eq!(to_sam.len(), 1, "the site manager of site A, once");
    assert!(
        service.received("anna").is_empty(),
        "an accountant is not told"
    );
    assert_eq!(to_sam[0].headers["urgency"], "high");
    let plain = site_manager
        .open(&to_sam[0], &service.origin())
        .unwrap_or_else(|e| panic!("{e}"));
    let message: serde_json::Value = serde_json::from_str(&plain).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        message["title"]
            .as_str()
            .unwrap_or_default()
            .starts_with("Urgent request at")
    );
    assert!(
        !plain.contains("Patel") && !plain.contains("Burst"),
        "{plain}"
    );
    // An urgent notice for the organisation reaches the resident.
    let notice = proplink_shared::records::NewNotice::validate(
        "Water off on Tuesday",
        "The water will be off from 9 to 12 for repairs.",
        time::OffsetDateTime::now_utc().date(),
        None,
        true,
    )
    .unwrap_or_else(|e| panic!("{e:?}"));
    proplink_backend::services::notices::publish(
        &t.app,
        &org.manager,
        proplink_backend::store::notices::NoticePlace::Organisation,
        &notice,
    )
    .await
    .unwrap_or_else(|e| panic!("{e:?}"));
    drain(&t).await;
    let to_ravi = service.received("ravi");
    assert_eq!(to_ravi.len(), 1);
    let plain = resident
        .open(&to_ravi[0], &service.origin())
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        plain.contains("Urgent notice") && plain.contains("Water off on Tuesday"),
        "{plain}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn people_choose_what_they_hear_and_quiet_hours_hold_all_but_urgent_ones() {
    let t = app().await;
    let service = PushService::start().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let (b, host) = t.resident("acme", "ravi@acme.example").await;
    turn_on(&b, &host, &service.endpoint("ravi"), &BrowserKeys::new()).await;
    let save = |fields: Vec<(&'static str, &'static str)>| {
        let (b, host) = (&b, &host);
        async move {
            let csrf = b.get(host, "/profile").await.csrf();
            let mut all = vec![("csrf", csrf.as_str())];
            all.extend(fields);
            b.post(host, "/push/preferences", &all).await
        }
    };
    // Quiet hours that are not times: refused on the field, what was typed kept.
    let refused = save(vec![
        ("kinds", "notices"),
        ("quiet_from", "late"),
        ("quiet_until", "07:00"),
    ])
    .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("like 22:00"), "{}", refused.body);
    assert!(refused.body.contains("value=\"late\""));
    // Replies off; notices on; quiet all day long.
    let saved = save(vec![
        ("kinds", "notices"),
        ("quiet_from", "00:00"),
        ("quiet_until", "23:59"),
    ])
    .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    reply_to_a_request(&t, &org, "Turned off, so not sent.").await;
    assert_eq!(
        count(&t, "SELECT COUNT(*) FROM push_outbox").await,
        0,
        "replies are off"
    );
    let publish = |title: &'static str, urgent: bool| {
        let t = &t;
        let org = &org;
        async move {
            let notice = proplink_shared::records::NewNotice::validate(
                title,
                "Details on the notice board.",
                time::OffsetDateTime::now_utc().date(),
                None,
                urgent,
            )
            .unwrap_or_else(|e| panic!("{e:?}"));
            proplink_backend::services::notices::publish(
                &t.app,
                &org.manager,
                proplink_backend::store::notices::NoticePlace::Organisation,
                &notice,
            )
            .await
            .unwrap_or_else(|e| panic!("{e:?}"));
        }
    };
    publish("Window cleaning on Friday", false).await;
    assert!(
        drain(&t).await.is_empty(),
        "held for the end of quiet hours"
    );
    assert_eq!(
        count(
            &t,
            "SELECT COUNT(*) FROM push_outbox WHERE status = 'queued' AND due_at > created_at"
        )
        .await,
        1
    );
    publish("Gas leak: leave the building", true).await;
    assert_eq!(
        drain(&t).await,
        vec![sender::Outcome::Delivered],
        "urgent ones come at once"
    );
    assert_eq!(service.received("ravi").len(), 1);
    let profile = b.get(&host, "/profile").await;
    assert!(profile.body.contains("value=\"00:00\""));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_hear_of_requests_and_work_orders_given_to_them_and_of_a_colleague_mentioning_them() {
    let t = app().await;
    let service = PushService::start().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let sid = BrowserKeys::new();
    staff_turns_on(&t, &org.site_manager_email, &service.endpoint("sid"), &sid).await;
    staff_turns_on(
        &t,
        &org.accountant_email,
        &service.endpoint("ada"),
        &BrowserKeys::new(),
    )
    .await;
    let sid_id = {
        let mut conn = t.app.db.read().await.unwrap_or_else(|e| panic!("{e}"));
        proplink_backend::store::orgs::staff_by_email(&mut conn, org.id, &org.site_manager_email)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .map(|s| s.id)
            .unwrap_or_else(|| panic!("Sid is staff"))
    };
    let (ticket, _) = tickets::ticket(&t.app, &org.manager, org.ticket_a)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));

    // The manager gives Sid the request: Sid hears of it, once.
    tickets::assign(
        &t.app,
        &org.manager,
        org.ticket_a,
        ticket.version,
        Some(sid_id),
    )
    .await
    .unwrap_or_else(|e| panic!("{e:?}"));
    drain(&t).await;
    let to_sid = service.received("sid");
    assert_eq!(to_sid.len(), 1);
    let message: serde_json::Value = serde_json::from_str(
        &sid.open(&to_sid[0], &service.origin())
            .unwrap_or_else(|e| panic!("{e}")),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        message["title"],
        format!("{} assigned to you", ticket.reference)
    );
    assert!(
        message["url"]
            .as_str()
            .unwrap_or_default()
            .ends_with(&format!("/tickets/{}", org.ticket_a))
    );
    assert!(
        !message.to_string().contains("Leak"),
        "no words of the resident's: {message}"
    );

    // A note naming Sid (and an address that is not a mention) reaches Sid, not the writer,
    // and not the accountant whom nobody named.
    tickets::add_entry(
        &t.app,
        &org.manager,
        org.ticket_a,
        "@sid site can you check the hallway? Copy to accounts@acme.example",
        true,
    )
    .await
    .unwrap_or_else(|e| panic!("{e:?}"));
    drain(&t).await;
    let to_sid = service.received("sid");
    assert_eq!(to_sid.len(), 2);
    let message: serde_json::Value = serde_json::from_str(
        &sid.open(&to_sid[1], &service.origin())
            .unwrap_or_else(|e| panic!("{e}")),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(message["title"], "You were mentioned");
    assert_eq!(
        message["body"],
        format!("A colleague mentioned you on {}", ticket.reference)
    );
    assert!(
        !message.to_string().contains(&org.manager.display_name),
        "no names on a lock screen"
    );
    assert!(service.received("ada").is_empty());

    // Sid turns mentions off: the next one waits for nobody.
    let (admin, host) = (t.browser(), t.admin_host("acme"));
    t.sign_in(&admin, &host, &org.site_manager_email).await;
    let profile = admin.get(&host, "/profile").await;
    assert!(
        profile.body.contains("When someone mentions me"),
        "{}",
        profile.body
    );
    let saved = admin
        .post(
            &host,
            "/push/preferences",
            &[
                ("csrf", &profile.csrf()),
                ("kinds", "requests"),
                ("kinds", "assigned"),
                ("kinds", "contractors"),
                ("quiet_from", ""),
                ("quiet_until", ""),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    tickets::add_entry(&t.app, &org.manager, org.ticket_a, "@Sid Site again", true)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    drain(&t).await;
    assert_eq!(service.received("sid").len(), 2, "a muted kind is not sent");

    // A work order given to Sid: told, with the work and never who asked for it.
    proplink_backend::services::work_orders::assign(
        &t.app,
        &org.manager,
        org.work_order,
        None,
        Some(sid_id),
    )
    .await
    .unwrap_or_else(|e| panic!("{e:?}"));
    drain(&t).await;
    let to_sid = service.received("sid");
    assert_eq!(to_sid.len(), 3);
    let message: serde_json::Value = serde_json::from_str(
        &sid.open(&to_sid[2], &service.origin())
            .unwrap_or_else(|e| panic!("{e}")),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        message["title"]
            .as_str()
            .unwrap_or_default()
            .ends_with("assigned to you"),
        "{message}"
    );
    assert!(
        message["url"]
            .as_str()
            .unwrap_or_default()
            .ends_with(&format!("/work-orders/{}", org.work_order))
    );
}
