//! Stripe as the payment provider. Stripe's API cannot be reached from where the tests run, so
//! a local HTTP server stands in for it: it records what PropLink sends and answers as Stripe
//! documents. Webhook deliveries are signed to Stripe's documented scheme.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use proplink_backend::params;
use proplink_backend::services::payments::signature;
use proplink_tests::{
    Browser, Options, Page, STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET, TestApp, fixtures,
    spawn_app_with,
};

#[derive(Default)]
struct StandIn {
    /// Each create request: its headers of note and its form.
    created: Vec<(HeaderMap, Vec<(String, String)>)>,
    /// Sessions paid, by id.
    paid: Vec<String>,
    /// Answer the next create with a server error.
    fail_next: bool,
}

type Shared = Arc<Mutex<StandIn>>;

async fn create(State(s): State<Shared>, headers: HeaderMap, body: String) -> impl IntoResponse {
    let mut s = s.lock().unwrap_or_else(|e| e.into_inner());
    if std::mem::take(&mut s.fail_next) {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            axum::Json(serde_json::json!({ "error": { "message": "An unknown error occurred" } })),
        );
    }
    let form: Vec<(String, String)> = serde_urlencoded::from_str(&body).unwrap_or_default();
    let id = format!("cs_test_{}", s.created.len() + 1);
    s.created.push((headers, form));
    (
        StatusCode::OK,
        axum::Json(serde_json::json!({
            "id": id,
            "object": "checkout.session",
            "url": format!("https://checkout.stripe.test/c/pay/{id}"),
            "payment_status": "unpaid",
            "status": "open",
        })),
    )
}

async fn retrieve(State(s): State<Shared>, uri: Uri) -> impl IntoResponse {
    let id = uri.path().rsplit('/').next().unwrap_or("").to_owned();
    let s = s.lock().unwrap_or_else(|e| e.into_inner());
    let paid = s.paid.contains(&id);
    axum::Json(serde_json::json!({
        "id": id,
        "object": "checkout.session",
        "payment_status": if paid { "paid" } else { "unpaid" },
        "status": if paid { "complete" } else { "open" },
        "amount_total": 45_000,
    }))
}

async fn stand_in() -> (String, Shared) {
    let shared: Shared = Arc::default();
    let app = Router::new()
        .route("/v1/checkout/sessions", post(create))
        .route("/v1/checkout/sessions/{id}", get(retrieve))
        .with_state(shared.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}"), shared)
}

fn field<'a>(form: &'a [(String, String)], name: &str) -> &'a str {
    form.iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

async fn pay_form(b: &Browser, host: &str, invoice: &str) -> (String, String) {
    let page = b.get(host, &format!("/invoices/{invoice}")).await;
    let marker = "name=\"attempt\" value=\"";
    let start = page
        .body
        .find(marker)
        .map(|i| i + marker.len())
        .unwrap_or(0);
    let attempt = page.body[start..]
        .split('"')
        .next()
        .unwrap_or("")
        .to_owned();
    (page.csrf(), attempt)
}

async fn deliver(t: &TestApp, b: &Browser, host: &str, secret: &str, body: &str, age: i64) -> Page {
    let header = signature::sign(
        secret.as_bytes(),
        t.app.clock.now().unix_timestamp() - age,
        body.as_bytes(),
    );
    b.request(
        "POST",
        host,
        "/payments/webhooks/stripe",
        &[
            ("stripe-signature", &header),
            ("content-type", "application/json"),
        ],
        body.as_bytes().to_vec(),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stripe_checkout_is_created_as_stripe_documents_and_paid_once_by_a_verified_webhook() {
    let (api, stripe) = stand_in().await;
    let t = spawn_app_with(Options {
        stripe_api_base: Some(api),
        ..Options::default()
    })
    .await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let (b, host) = t.resident("acme", "ravi@acme.example").await;
    let invoice = org.invoice.to_string();

    // Stripe does not answer: nothing is started, the resident is told, and can try again.
    stripe.lock().unwrap_or_else(|e| e.into_inner()).fail_next = true;
    let (csrf, attempt) = pay_form(&b, &host, &invoice).await;
    let down = b
        .post(
            &host,
            &format!("/invoices/{invoice}/pay"),
            &[("csrf", &csrf), ("attempt", &attempt), ("amount", "450.00")],
        )
        .await;
    assert_eq!(down.status, 503, "{}", down.body);
    assert!(down.body.contains("not answering"));

    // A double click: one Checkout Session, and the resident is sent to Stripe's page.
    let (csrf, attempt) = pay_form(&b, &host, &invoice).await;
    let mut locations = Vec::new();
    for _ in 0..2 {
        let sent = b
            .post(
                &host,
                &format!("/invoices/{invoice}/pay"),
                &[("csrf", &csrf), ("attempt", &attempt), ("amount", "450.00")],
            )
            .await;
        assert_eq!(sent.status, 303, "{}", sent.body);
        locations.push(sent.location().unwrap_or("").to_owned());
    }
    assert_eq!(locations[0], "https://checkout.stripe.test/c/pay/cs_test_1");
    assert_eq!(locations[0], locations[1]);
    let checkout: String = t
        .scalar(
            "SELECT id FROM checkouts WHERE provider_ref = 'cs_test_1'",
            &[],
        )
        .await;
    {
        let s = stripe.lock().unwrap_or_else(|e| e.into_inner());
        assert_eq!(s.created.len(), 1, "one session for one attempt");
        let (headers, form) = &s.created[0];
        assert_eq!(
            headers["authorization"],
            format!("Bearer {STRIPE_SECRET_KEY}").as_str()
        );
        assert_eq!(headers["idempotency-key"], checkout.as_str());
        assert!(headers.contains_key("stripe-version"));
        assert_eq!(field(form, "mode"), "payment");
        assert_eq!(field(form, "client_reference_id"), checkout);
        assert_eq!(field(form, "line_items[0][price_data][currency]"), "gbp");
        assert_eq!(
            field(form, "line_items[0][price_data][unit_amount]"),
            "45000"
        );
        assert_eq!(field(form, "line_items[0][quantity]"), "1");
        assert_eq!(field(form, "customer_email"), "ravi@acme.example");
        assert!(field(form, "success_url").ends_with(&format!("/payments/{checkout}")));
        assert!(field(form, "cancel_url").ends_with(&format!("/invoices/{invoice}")));
    }

    // Back before paying: nothing recorded, and the page says so.
    let early = b.get(&host, &format!("/payments/{checkout}")).await;
    assert!(early.body.contains("Not paid yet"), "{}", early.body);

    let event = serde_json::json!({
        "id": "evt_1",
        "object": "event",
        "type": "checkout.session.completed",
        "data": { "object": { "id": "cs_test_1", "object": "checkout.session", "payment_status": "paid", "amount_total": 45_000, "client_reference_id": checkout } },
    })
    .to_string();
    let payments = || {
        t.scalar::<i64>(
            "SELECT COUNT(*) FROM payments WHERE reference = 'Card cs_test_1'",
            &[],
        )
    };

    // Signed with another secret, too old, or not signed: refused, nothing recorded.
    let forged = deliver(&t, &b, &host, "whsec_someone_else", &event, 0).await;
    assert_eq!(forged.status, 400, "{}", forged.body);
    let stale = deliver(&t, &b, &host, STRIPE_WEBHOOK_SECRET, &event, 600).await;
    assert_eq!(stale.status, 400);
    assert!(stale.body.contains("too old"));
    let unsigned = b
        .request(
            "POST",
            &host,
            "/payments/webhooks/stripe",
            &[("content-type", "application/json")],
            event.clone().into_bytes(),
        )
        .await;
    assert_eq!(unsigned.status, 400);
    // The sandbox's webhook does not exist where Stripe takes payments.
    let sandbox = b
        .request(
            "POST",
            &host,
            "/payments/webhooks/sandbox",
            &[],
            event.clone().into_bytes(),
        )
        .await;
    assert_eq!(sandbox.status, 404);
    assert_eq!(payments().await, 0);

    // Stripe takes the money and delivers the event, then delivers it again; the resident
    // comes back meanwhile: one payment.
    stripe
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .paid
        .push("cs_test_1".into());
    let first = deliver(&t, &b, &host, STRIPE_WEBHOOK_SECRET, &event, 0).await;
    assert_eq!(first.status, 200, "{}", first.body);
    let replay = deliver(&t, &b, &host, STRIPE_WEBHOOK_SECRET, &event, 5).await;
    assert_eq!(replay.status, 200);
    let back = b.get(&host, &format!("/payments/{checkout}")).await;
    assert!(back.body.contains("Payment received"), "{}", back.body);
    assert_eq!(payments().await, 1);
    let paid: i64 = t
        .scalar(
            "SELECT paid FROM invoices WHERE id = $1",
            params![org.invoice],
        )
        .await;
    assert_eq!(paid, 45_000);

    // An event of another kind is read and left alone.
    let other = serde_json::json!({ "id": "evt_2", "type": "payment_intent.created", "data": { "object": { "id": "pi_1" } } }).to_string();
    let ignored = deliver(&t, &b, &host, STRIPE_WEBHOOK_SECRET, &other, 0).await;
    assert_eq!(ignored.status, 200);
    assert!(ignored.body.contains("\"settled\":false"));
}
