//! Paying an invoice: the pay form sends the resident to the provider's hosted page; they come
//! back to a receipt. The built-in sandbox's hosted page is served here too, and providers'
//! webhooks arrive here, signed.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::Resident;
use super::account::invoice_page;
use crate::app::App;
use crate::doors::extract::Path;
use crate::doors::pages::{
    Actions, Card, Cell, Field, Form, Input, Problem, RecordPage, Section, respond,
};
use crate::doors::web::CsrfForm;
use crate::error::{AppError, AppResult};
use crate::services::payments::{self, PaymentProvider, Provider, sandbox};

pub fn router() -> Router<App> {
    Router::new()
        .route("/invoices/{id}/pay", post(pay))
        .route("/payments/{id}", get(receipt))
        .route(
            "/sandbox-checkout/{reference}",
            get(sandbox_page).post(sandbox_pay),
        )
        .route(
            "/payments/webhooks/{provider}",
            post(webhook).layer(DefaultBodyLimit::max(64 * 1024)),
        )
}

#[derive(Deserialize)]
struct PayForm {
    #[serde(default)]
    amount: String,
    #[serde(default)]
    attempt: String,
}

async fn pay(
    State(app): State<App>,
    me: Resident,
    Path(id): Path<proplink_shared::InvoiceId>,
    CsrfForm(form): CsrfForm<PayForm>,
) -> AppResult<Response> {
    match payments::start(&app, &me.org, me.actor(), id, &form.amount, &form.attempt).await {
        Ok(k) if k.status == "paid" => {
            Ok(Redirect::to(&format!("/payments/{}", k.id)).into_response())
        }
        Ok(k) => match k.checkout_url {
            Some(url) => Ok(Redirect::to(&url).into_response()),
            // Started by the same form a moment ago and still being opened: its receipt page
            // says where it stands.
            None => Ok(Redirect::to(&format!("/payments/{}", k.id)).into_response()),
        },
        Err(e @ (AppError::Invalid(_) | AppError::Conflict { .. } | AppError::Unavailable(_))) => {
            let status = e.status();
            let message = match &e {
                AppError::Invalid(v) => v.summary(),
                other => other.public_message(),
            };
            let page = invoice_page(&app, &me, id, Some((form.amount, message))).await?;
            Ok((status, respond(&page)).into_response())
        }
        Err(e) => Err(e),
    }
}

/// Back from the provider: the payment as recorded, or where it stands.
async fn receipt(
    State(app): State<App>,
    me: Resident,
    Path(id): Path<uuid::Uuid>,
) -> AppResult<Response> {
    let (k, inv) = payments::confirm(&app, me.actor(), id).await?;
    let paid = k.status == "paid";
    let when = k
        .completed_at
        .map(proplink_shared::london::format_date_time)
        .unwrap_or_default();
    let mut sections = vec![Section {
        heading: if paid {
            "Payment received".into()
        } else {
            "Not paid yet".into()
        },
        paragraphs: if paid {
            vec![
                format!(
                    "Thank you. {} was paid towards invoice {} on {when}. A receipt is on its way to your email.",
                    k.amount, inv.number
                ),
                "Your statement shows the payment now.".into(),
            ]
        } else {
            vec![
                "We have not received this payment. Nothing has been taken from your card.".into(),
                "If you closed the payment page, you can try again.".into(),
            ]
        },
        ..Section::default()
    }];
    let mut links = vec![(
        "See your statement".to_owned(),
        format!("/account/{}", inv.unit_id),
    )];
    if !paid {
        if let Some(url) = &k.checkout_url {
            links.insert(0, ("Go back to the payment page".into(), url.clone()));
        }
        links.push((
            "Back to the invoice".into(),
            format!("/invoices/{}", inv.id),
        ));
    }
    sections[0].links = links;
    Ok(respond(&RecordPage {
        chrome: me.chrome("/account"),
        title: if paid {
            format!("Paid {}", k.amount)
        } else {
            format!("Payment of {} not received", k.amount)
        },
        caption: Some(format!("Invoice {}", inv.number)),
        cards: Vec::new(),
        summary: vec![
            (
                "Status".into(),
                if paid {
                    Cell::tag("Paid", "green")
                } else {
                    Cell::tag("Not paid", "amber")
                },
            ),
            ("Amount".into(), Cell::text(k.amount.to_string())),
            (
                "Invoice".into(),
                Cell::link(&inv.number, format!("/invoices/{}", inv.id)),
            ),
            (
                "Reference".into(),
                Cell::text(k.provider_ref.clone().unwrap_or_default()),
            ),
        ],
        sections,
        actions: Actions::default(),
        audit: None,
    })
    .into_response())
}

/// The sandbox's hosted page, for the resident whose checkout it is.
async fn sandbox_checkout_page(
    app: &App,
    me: &Resident,
    reference: &str,
    typed: Option<(&SandboxForm, String)>,
) -> AppResult<RecordPage> {
    let s = sandbox::session(app, me.org.id, reference).await?;
    let (k, inv) = payments::checkout(app, me.actor(), s.checkout_id).await?;
    let mut actions = Actions::default();
    let (number, expiry, error) = match &typed {
        Some((form, message)) => (
            form.card.clone(),
            form.expiry.clone(),
            Some(message.clone()),
        ),
        None => (String::new(), String::new(), None),
    };
    if let Some(message) = &error {
        actions.problems.push(Problem {
            href: "#card-card".into(),
            message: message.clone(),
        });
    }
    let paid = s.paid_at.is_some();
    if !paid && !s.expired {
        actions.forms.push(Form {
            id: "card",
            heading: "Card details",
            action: format!("/sandbox-checkout/{reference}"),
            hidden: Vec::new(),
            fields: vec![
                Field {
                    name: "card",
                    label: "Card number",
                    hint: Some("Test cards: 4242 4242 4242 4242 succeeds; 4000 0000 0000 0002 is declined; 4000 0000 0000 9995 is declined for insufficient funds; 4000 0000 0000 0119 fails for a moment, then works when tried again."),
                    input: Input::Text(number),
                    error: error.clone(),
                },
                Field {
                    name: "expiry",
                    label: "Expiry date (MM/YY)",
                    hint: None,
                    input: Input::Text(expiry),
                    error: None,
                },
                Field {
                    name: "cvc",
                    label: "Security code",
                    hint: Some("The 3 digits on the back of the card"),
                    input: Input::Text(String::new()),
                    error: None,
                },
            ],
            submit: "Pay",
            warning: false,
        });
    }
    Ok(RecordPage {
        chrome: me.chrome("/account"),
        title: format!("Pay {}", s.amount),
        caption: Some("PropLink sandbox checkout: no real money moves".into()),
        cards: vec![Card {
            figure: s.amount.to_string(),
            label: s.description.clone(),
            href: None,
        }],
        summary: vec![
            ("To".into(), Cell::text(&me.org.name)),
            ("For".into(), Cell::text(format!("Invoice {}", inv.number))),
        ],
        sections: vec![Section {
            heading: if paid {
                "Already paid".into()
            } else {
                "About this page".into()
            },
            paragraphs: vec![if paid {
                "This payment has been made. Nothing more will be taken.".into()
            } else {
                "This is the built-in test payment provider. With Stripe configured, residents pay on Stripe's own page instead.".into()
            }],
            links: vec![if paid {
                ("See the receipt".into(), format!("/payments/{}", k.id))
            } else {
                ("Cancel and go back".into(), format!("/invoices/{}", inv.id))
            }],
            ..Section::default()
        }],
        actions,
        audit: None,
    })
}

async fn sandbox_page(
    State(app): State<App>,
    me: Resident,
    Path(reference): Path<String>,
) -> AppResult<Response> {
    ensure_sandbox(&app)?;
    Ok(respond(&sandbox_checkout_page(&app, &me, &reference, None).await?).into_response())
}

#[derive(Deserialize)]
struct SandboxForm {
    #[serde(default)]
    card: String,
    #[serde(default)]
    expiry: String,
    #[serde(default)]
    cvc: String,
}

async fn sandbox_pay(
    State(app): State<App>,
    me: Resident,
    Path(reference): Path<String>,
    CsrfForm(form): CsrfForm<SandboxForm>,
) -> AppResult<Response> {
    ensure_sandbox(&app)?;
    let s = sandbox::session(&app, me.org.id, &reference).await?;
    // Only the resident whose checkout it is reaches its page.
    payments::checkout(&app, me.actor(), s.checkout_id).await?;
    let card = sandbox::Card {
        number: &form.card,
        expiry: &form.expiry,
        cvc: &form.cvc,
    };
    match sandbox::pay(&app, me.org.id, &reference, &card).await {
        Ok(()) => Ok(Redirect::to(&format!("/payments/{}", s.checkout_id)).into_response()),
        Err(e @ (AppError::Invalid(_) | AppError::Unavailable(_) | AppError::Conflict { .. })) => {
            let status = e.status();
            let message = match &e {
                AppError::Invalid(v) => v.summary(),
                other => other.public_message(),
            };
            let page = sandbox_checkout_page(&app, &me, &reference, Some((&form, message))).await?;
            Ok((status, respond(&page)).into_response())
        }
        Err(e) => Err(e),
    }
}

/// The sandbox's page exists only where the sandbox takes the payments.
fn ensure_sandbox(app: &App) -> AppResult<()> {
    match Provider::configured(app) {
        Some(Provider::Sandbox(_)) => Ok(()),
        _ => Err(AppError::NotFound),
    }
}

/// A provider tells of a payment. Believed only with a valid signature of the raw body; the
/// payment it names says which organisation it is for, so any organisation's address serves.
async fn webhook(
    State(app): State<App>,
    Path(provider): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let signature = Provider::configured(&app)
        .and_then(|p| headers.get(p.signature_header()))
        .and_then(|v| v.to_str().ok());
    match payments::receive_webhook(&app, &provider, signature, &body).await {
        Ok(delivery) => (
            StatusCode::OK,
            axum::Json(serde_json::json!({ "received": true, "settled": delivery == payments::Delivery::Settled })),
        )
            .into_response(),
        Err(e) => (
            e.status(),
            axum::Json(serde_json::json!({ "code": e.code(), "message": e.public_message() })),
        )
            .into_response(),
    }
}
