//! Pushes to Facility Report: on Android through a UnifiedPush endpoint (Web Push, sealed for
//! the keys the connector made and decrypted by it), on a desktop build through its own
//! endpoint and keys, on iPhones through APNs (a stand-in on loopback that checks what APNs
//! checks). Whatever the way, the app opens the same payload to the same record.

use facility_report_core::push::{self, Keys};
use proplink_backend::services::push::sender;
use proplink_backend::services::requests::{RequestForm, RequestPlace};
use proplink_backend::services::{requests, residents};
use proplink_shared::sync::{PushRegistration, PushTarget};
use proplink_tests::apns_service::{self, ApnsService};
use proplink_tests::push_service::{BrowserKeys, PushService};
use proplink_tests::{Options, TestApp, fixtures, spawn_app_with};

/// An iPhone's token as APNs gives it: 32 bytes, hex.
const IPHONE: &str = "5f1c3e8a9b0d4c7e2a6f8b1d3e5c7a9b0c2e4f6a8b1d3c5e7f9a0b2c4d6e8f0a";
const OLD_IPHONE: &str = "a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1";

async fn count(t: &TestApp, sql: &str) -> i64 {
    t.scalar(sql, &[]).await
}

/// How many devices have Facility Report's notifications on.
async fn app_subscriptions(t: &TestApp) -> i64 {
    count(
        t,
        "SELECT COUNT(*) FROM push_subscriptions WHERE door = 'facility_report'",
    )
    .await
}

/// The keys a UnifiedPush connector made, as the app registers them.
fn keys_of(connector: &BrowserKeys) -> Keys {
    Keys {
        p256dh: connector.p256dh.clone(),
        auth: connector.auth.clone(),
    }
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

/// An emergency in Mr Patel's home on site A: an urgent request its site manager hears of.
async fn emergency(t: &TestApp, org: &fixtures::Org) -> proplink_shared::TicketId {
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
    .unwrap_or_else(|e| panic!("{e:?}"))
}

/// A client that finds the API on loopback, as the app's does.
fn api(t: &TestApp) -> reqwest::Client {
    reqwest::Client::builder()
        .resolve(&t.app.config.api_domain, t.addr)
        .build()
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Registers a push target through the API as the app does; the answer's status and body.
async fn register(t: &TestApp, token: &str, target: PushTarget) -> (u16, serde_json::Value) {
    let r = api(t)
        .post(format!("{}/v1/push/subscriptions", t.api_url()))
        .bearer_auth(token)
        .json(&PushRegistration {
            target,
            device_name: "Sid's iPhone".into(),
        })
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or_default())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_android_phone_registers_the_connectors_keys_and_opens_what_it_decrypted() {
    let t = spawn_app_with(Options {
        push_insecure_endpoints: true,
        ..Options::default()
    })
    .await;
    let service = PushService::start().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let phone = t.phone("acme", &org.site_manager_email).await;
    // The distributor may want to know who will push: the server's VAPID key, as the connector
    // takes it (87 characters of base64url).
    let vapid = push::server_key(&phone.store)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        Some(vapid.clone()),
        proplink_backend::services::push::public_key(&t.app)
            .await
            .ok()
    );
    assert!(
        vapid.len() == 87
            && vapid
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
        "{vapid}"
    );
    // The connector makes the keys and decrypts; the app registers them with the endpoint.
    let connector = BrowserKeys::new();
    let keys = keys_of(&connector);
    push::register_endpoint(
        &phone.store,
        &service.endpoint("pixel"),
        Some(keys.clone()),
        "Pixel 8",
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let ticket = emergency(&t, &org).await;
    assert_eq!(drain(&t).await, vec![sender::Outcome::Delivered]);
    let got = service.received("pixel");
    assert_eq!(got.len(), 1);
    let plain = connector
        .open(&got[0], &service.origin())
        .unwrap_or_else(|e| panic!("{e}"));
    let shown = push::open(plain.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    assert!(shown.title.starts_with("Urgent request at"), "{shown:?}");
    assert_eq!(
        shown.record,
        format!("ticket/{ticket}"),
        "a tap opens the request"
    );
    assert!(!plain.contains("Patel"), "{plain}");
    // Not sealed for the app's own keys: only the connector opens it.
    push::keys(&phone.store).unwrap_or_else(|e| panic!("{e}"));
    assert!(push::receive(&phone.store, &got[0].body).is_err());

    // The person changes distributor: the new endpoint and keys replace the old.
    let next = BrowserKeys::new();
    push::register_endpoint(
        &phone.store,
        &service.endpoint("pixel-ntfy"),
        Some(keys_of(&next)),
        "Pixel 8",
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(app_subscriptions(&t).await, 1);
    emergency(&t, &org).await;
    assert_eq!(drain(&t).await, vec![sender::Outcome::Delivered]);
    let moved = service.received("pixel-ntfy");
    assert_eq!((service.received("pixel").len(), moved.len()), (1, 1));
    assert!(next.open(&moved[0], &service.origin()).is_ok());
    assert!(connector.open(&moved[0], &service.origin()).is_err());
    // Keys that are not keys are refused, and nothing changes.
    let refused = push::register_endpoint(
        &phone.store,
        &service.endpoint("pixel-bad"),
        Some(Keys {
            p256dh: "not-a-key".into(),
            auth: keys.auth,
        }),
        "Pixel 8",
    )
    .await;
    assert!(refused.is_err(), "{refused:?}");
    assert_eq!(
        count(
            &t,
            "SELECT COUNT(*) FROM push_subscriptions WHERE endpoint LIKE '%pixel-ntfy'"
        )
        .await,
        1
    );
}

/// A desktop build takes pushes on its own endpoint, with keys it makes and keeps, and
/// decrypts them itself.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_app_with_its_own_keys_decrypts_its_notification_and_a_tap_opens_the_request() {
    let t = spawn_app_with(Options {
        push_insecure_endpoints: true,
        ..Options::default()
    })
    .await;
    let service = PushService::start().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let phone = t.phone("acme", &org.site_manager_email).await;
    // The keys are the phone's own, kept: asked again, the same.
    let keys = push::keys(&phone.store).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(push::keys(&phone.store).ok(), Some(keys.clone()));
    push::register_endpoint(&phone.store, &service.endpoint("pixel"), None, "Pixel 8")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        count(&t, "SELECT COUNT(*) FROM push_subscriptions WHERE door = 'facility_report' AND device = 'Facility Report on Pixel 8' AND subject LIKE 'staff:%'").await,
        1
    );

    let ticket = emergency(&t, &org).await;
    assert_eq!(drain(&t).await, vec![sender::Outcome::Delivered]);
    let got = service.received("pixel");
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].headers["urgency"], "high");
    let shown = push::receive(&phone.store, &got[0].body).unwrap_or_else(|e| panic!("{e}"));
    assert!(shown.title.starts_with("Urgent request at"), "{shown:?}");
    assert_eq!(shown.record, format!("ticket/{ticket}"));
    assert!(!shown.body.contains("Patel"), "{shown:?}");
    // Another phone's keys do not open it.
    let other = t.phone("acme", &org.manager_email).await;
    push::keys(&other.store).unwrap_or_else(|e| panic!("{e}"));
    assert!(push::receive(&other.store, &got[0].body).is_err());
    assert!(push::receive(&phone.store, b"not a push").is_err());

    // Signing out turns the phone's notifications off.
    push::unregister(&phone.store)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(app_subscriptions(&t).await, 0);
    emergency(&t, &org).await;
    assert!(
        drain(&t).await.is_empty(),
        "nothing is sent to a phone that turned them off"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_iphone_hears_through_apns_with_a_provider_token_apns_accepts() {
    let apns = ApnsService::start().await;
    let t = spawn_app_with(Options {
        apns: Some((apns.url(), apns.key_file.clone())),
        ..Options::default()
    })
    .await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let phone = t.phone("acme", &org.site_manager_email).await;
    // What is not an APNs token is refused with a reason.
    let (status, body) = register(
        &t,
        &phone.token(),
        PushTarget::Apns {
            device_token: "1234".into(),
        },
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("bad_subscription")),
        "{body}"
    );
    // The app registers the token the phone was given, as the plugin hands it over.
    push::register_token(&phone.store, &IPHONE.to_uppercase(), "Sid's iPhone")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let (status, _) = register(
        &t,
        &phone.token(),
        PushTarget::Apns {
            device_token: OLD_IPHONE.into(),
        },
    )
    .await;
    assert_eq!(status, 201);
    // Without a token, nothing.
    let r = api(&t)
        .post(format!("{}/v1/push/subscriptions", t.api_url()))
        .json(&serde_json::json!({ "kind": "apns", "device_token": IPHONE }))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status().as_u16(), 401);

    // The old phone is gone: APNs says so, and it is forgotten at once.
    apns.script(OLD_IPHONE, &[(410, "Unregistered")]);
    let ticket = emergency(&t, &org).await;
    let mut outcomes = drain(&t).await;
    outcomes.sort_by_key(|o| format!("{o:?}"));
    assert_eq!(
        outcomes,
        vec![sender::Outcome::Delivered, sender::Outcome::Gone]
    );
    let delivered = apns.delivered();
    assert_eq!(delivered.len(), 1);
    let d = &delivered[0];
    assert_eq!(
        d.device_token, IPHONE,
        "the token is sent as APNs gave it, lower-case hex"
    );
    assert_eq!(d.headers["apns-topic"], apns_service::TOPIC);
    assert_eq!(d.headers["apns-push-type"], "alert");
    assert_eq!(
        d.headers["apns-priority"], "10",
        "an urgent request is sent at once"
    );
    assert!(d.headers["apns-collapse-id"].len() <= 64);
    assert!(
        d.payload["aps"]["alert"]["title"]
            .as_str()
            .unwrap_or_default()
            .starts_with("Urgent request at"),
        "{}",
        d.payload
    );
    assert!(
        d.payload["url"]
            .as_str()
            .unwrap_or_default()
            .ends_with(&format!("/tickets/{ticket}"))
    );
    assert!(!d.payload.to_string().contains("Patel"));
    // Tapped, what APNs delivered opens the request in the app.
    let tapped = push::open(d.payload.to_string().as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(tapped.record, format!("ticket/{ticket}"));
    assert!(tapped.title.starts_with("Urgent request at"), "{tapped:?}");
    assert_eq!(
        count(
            &t,
            &format!(
                "SELECT COUNT(*) FROM push_subscriptions WHERE endpoint = 'apns:{OLD_IPHONE}'"
            )
        )
        .await,
        0
    );
    assert_eq!(
        count(&t, "SELECT COUNT(*) FROM push_outbox WHERE status = 'sent'").await,
        1
    );

    // APNs busy: tried again later, not lost and not sent twice.
    apns.script(IPHONE, &[(503, "ServiceUnavailable")]);
    emergency(&t, &org).await;
    assert_eq!(drain(&t).await, vec![sender::Outcome::Retrying]);
    assert_eq!(apns.delivered().len(), 1);
    assert_eq!(
        count(&t, "SELECT COUNT(*) FROM push_outbox WHERE status = 'queued' AND attempts = 1 AND last_error LIKE 'APNs answered 503%'").await,
        1
    );
    // A token APNs no longer takes ends the device too.
    t.tamper(
        "UPDATE push_outbox SET due_at = created_at WHERE status = 'queued'",
        &[],
    )
    .await;
    apns.script(IPHONE, &[(400, "BadDeviceToken")]);
    assert_eq!(drain(&t).await, vec![sender::Outcome::Gone]);
    assert_eq!(
        count(
            &t,
            "SELECT COUNT(*) FROM push_subscriptions WHERE endpoint LIKE 'apns:%'"
        )
        .await,
        0
    );
    // Every answer APNs gave was to a request it accepted as well formed and signed.
    assert!(
        apns.answers()
            .iter()
            .all(|(_, status, reason)| !matches!(*status, 403) && reason != "HTTP/2 required"),
        "{:?}",
        apns.answers()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_without_apns_says_so_to_an_iphone() {
    let t = spawn_app_with(Options::default()).await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let phone = t.phone("acme", &org.site_manager_email).await;
    let (status, body) = register(
        &t,
        &phone.token(),
        PushTarget::Apns {
            device_token: IPHONE.into(),
        },
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("apns_off")),
        "{body}"
    );
    assert!(
        body["message"]
            .as_str()
            .unwrap_or_default()
            .contains("iPhones")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_apns_stand_in_refuses_what_apns_refuses() {
    let apns = ApnsService::start().await;
    let url = format!("{}/3/device/{IPHONE}", apns.url());
    let body = r#"{"aps":{"alert":{"title":"t","body":"b"}}}"#;
    let h2 = reqwest::Client::builder()
        .http2_prior_knowledge()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    // A token signed by some other key.
    let forged = "eyJhbGciOiJFUzI1NiIsImtpZCI6IktFWTQ1Njc4OTAifQ.eyJpc3MiOiJQUk9QTE5LMTIzIiwiaWF0IjoxNzAwMDAwMDAwfQ.c2lnbmF0dXJl";
    let r = h2
        .post(&url)
        .header("authorization", format!("bearer {forged}"))
        .header("apns-topic", apns_service::TOPIC)
        .header("apns-push-type", "alert")
        .body(body)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status().as_u16(), 403);
    // HTTP/1.1 is not spoken.
    let r = reqwest::Client::new()
        .post(&url)
        .body(body)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status().as_u16(), 400);
    assert!(apns.delivered().is_empty());
    assert_eq!(
        apns.answers()
            .iter()
            .map(|(_, s, r)| (*s, r.as_str()))
            .collect::<Vec<_>>(),
        vec![(403, "InvalidProviderToken"), (400, "HTTP/2 required")]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_organisation_cannot_take_over_a_devices_registration() {
    let apns = ApnsService::start().await;
    let t = spawn_app_with(Options {
        apns: Some((apns.url(), apns.key_file.clone())),
        ..Options::default()
    })
    .await;
    let acme = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let birch = fixtures::org(&t.app, "birchwood", "Birchwood Lettings").await;
    let ours = t.phone("acme", &acme.site_manager_email).await;
    let theirs = t.phone("birchwood", &birch.site_manager_email).await;
    let (status, _) = register(
        &t,
        &ours.token(),
        PushTarget::Apns {
            device_token: IPHONE.into(),
        },
    )
    .await;
    assert_eq!(status, 201);
    let (status, body) = register(
        &t,
        &theirs.token(),
        PushTarget::Apns {
            device_token: IPHONE.into(),
        },
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("taken")),
        "{body}"
    );
    assert_eq!(
        count(&t, &format!("SELECT COUNT(*) FROM push_subscriptions WHERE endpoint = 'apns:{IPHONE}' AND organisation_id = '{}'", acme.id)).await,
        1,
        "the first organisation keeps its device"
    );
}
