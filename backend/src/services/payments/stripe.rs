//! Stripe as the payment provider: a Checkout Session per payment (created with our checkout's
//! id as the idempotency key, so asking twice makes one session), the session read back when
//! the resident returns, and webhook deliveries verified against the endpoint's signing secret.
//!
//! Stripe's API cannot be reached from every machine the tests run on; the tests stand a local
//! HTTP server in for it and check what this client sends.

use serde::Deserialize;

use super::{CheckoutRequest, Hosted, PaymentProvider, ProviderStatus};
use crate::app::App;
use crate::error::{AppError, AppResult};
use proplink_shared::money::Money;

/// The API version the requests are written to.
pub const API_VERSION: &str = "2024-06-20";

pub struct Stripe {
    api_base: String,
    secret_key: String,
    webhook_secret: String,
    client: reqwest::Client,
}

impl Stripe {
    #[must_use]
    pub fn new(api_base: &str, secret_key: &str, webhook_secret: &str) -> Stripe {
        Stripe {
            api_base: api_base.trim_end_matches('/').to_owned(),
            secret_key: secret_key.to_owned(),
            webhook_secret: webhook_secret.to_owned(),
            client: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(20))
                .build()
                .unwrap_or_default(),
        }
    }

    async fn answer<T: for<'de> Deserialize<'de>>(
        response: Result<reqwest::Response, reqwest::Error>,
    ) -> AppResult<T> {
        let unavailable = |detail: String| {
            tracing::warn!(%detail, "Stripe did not answer as expected");
            AppError::Unavailable(
                "The card payment service is not answering just now. Nothing was taken: try again in a few minutes."
                    .into(),
            )
        };
        let response = response.map_err(|e| unavailable(e.to_string()))?;
        let status = response.status();
        let body = response
            .text()
            .await
            .map_err(|e| unavailable(e.to_string()))?;
        if !status.is_success() {
            return Err(unavailable(format!("{status}: {body}")));
        }
        serde_json::from_str(&body).map_err(|e| unavailable(format!("{e}: {body}")))
    }
}

#[derive(Deserialize)]
struct Session {
    id: String,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    payment_status: String,
    #[serde(default)]
    amount_total: Option<i64>,
}

impl PaymentProvider for Stripe {
    fn name(&self) -> &'static str {
        "stripe"
    }

    async fn create(&self, _app: &App, request: &CheckoutRequest<'_>) -> AppResult<Hosted> {
        let k = request.checkout;
        let id = k.id.to_string();
        let pence = k.amount.pence().to_string();
        let mut form: Vec<(&str, &str)> = vec![
            ("mode", "payment"),
            ("client_reference_id", &id),
            ("success_url", request.success_url),
            ("cancel_url", request.cancel_url),
            ("line_items[0][quantity]", "1"),
            ("line_items[0][price_data][currency]", "gbp"),
            ("line_items[0][price_data][unit_amount]", &pence),
            (
                "line_items[0][price_data][product_data][name]",
                request.description,
            ),
            ("metadata[checkout_id]", &id),
            ("payment_intent_data[metadata][checkout_id]", &id),
        ];
        if let Some(email) = request.customer_email {
            form.push(("customer_email", email));
        }
        let response = self
            .client
            .post(format!("{}/v1/checkout/sessions", self.api_base))
            .bearer_auth(&self.secret_key)
            .header("Idempotency-Key", &id)
            .header("Stripe-Version", API_VERSION)
            .form(&form)
            .send()
            .await;
        let session: Session = Self::answer(response).await?;
        let url = session.url.ok_or_else(|| {
            AppError::Unavailable(
                "The card payment service did not give a page to pay on. Nothing was taken: try again."
                    .into(),
            )
        })?;
        Ok(Hosted {
            provider_ref: session.id,
            url,
        })
    }

    async fn status(&self, _app: &App, provider_ref: &str) -> AppResult<ProviderStatus> {
        // A session id is Stripe's: letters, digits and underscores only, so it is safe in a path.
        if !provider_ref
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            return Err(AppError::NotFound);
        }
        let response = self
            .client
            .get(format!(
                "{}/v1/checkout/sessions/{provider_ref}",
                self.api_base
            ))
            .bearer_auth(&self.secret_key)
            .header("Stripe-Version", API_VERSION)
            .send()
            .await;
        let session: Session = Self::answer(response).await?;
        Ok(ProviderStatus {
            paid: session.payment_status == "paid" && session.id == provider_ref,
            amount: Money::from_pence(session.amount_total.unwrap_or(0)),
        })
    }

    async fn expire(&self, _app: &App, provider_ref: &str) -> AppResult<()> {
        if !provider_ref
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            return Err(AppError::NotFound);
        }
        let response = self
            .client
            .post(format!(
                "{}/v1/checkout/sessions/{provider_ref}/expire",
                self.api_base
            ))
            .bearer_auth(&self.secret_key)
            .header("Stripe-Version", API_VERSION)
            .send()
            .await;
        // A session already completed or expired cannot be expired: what it became is read
        // from its status, not from this answer.
        if let Err(e) = Self::answer::<serde_json::Value>(response).await {
            tracing::info!(error = %e, session = provider_ref, "Stripe did not expire a session");
        }
        Ok(())
    }

    fn webhook_secret(&self, _app: &App) -> Vec<u8> {
        self.webhook_secret.as_bytes().to_vec()
    }

    fn signature_header(&self) -> &'static str {
        "stripe-signature"
    }
}
