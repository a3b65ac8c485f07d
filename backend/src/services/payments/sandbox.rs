//! The built-in sandbox provider: a hosted checkout page served by PropLink itself that
//! behaves as a card provider does — test cards that succeed, decline, or fail for a moment
//! and work when tried again — and tells PropLink of a payment as Stripe does, by a signed
//! webhook event. No money moves.

use proplink_shared::OrgId;
use serde_json::json;

use super::{CheckoutRequest, Hosted, PaymentProvider, ProviderStatus, signature};
use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::store::payments::{self as store, SandboxSession};

pub struct Sandbox;

/// The header the sandbox signs its webhook deliveries in.
pub const SIGNATURE_HEADER: &str = "sandbox-signature";

/// The test cards, as the checkout page lists them.
pub const TEST_CARDS: &[(&str, &str)] = &[
    ("4242 4242 4242 4242", "succeeds"),
    ("4000 0000 0000 0002", "is declined"),
    ("4000 0000 0000 9995", "is declined for insufficient funds"),
    (
        "4000 0000 0000 0119",
        "fails for a moment the first time, then succeeds when tried again",
    ),
];

impl PaymentProvider for Sandbox {
    fn name(&self) -> &'static str {
        "sandbox"
    }

    async fn create(&self, app: &App, request: &CheckoutRequest<'_>) -> AppResult<Hosted> {
        let provider_ref = format!("sbx_{}", request.checkout.id.simple());
        let mut tx = app.db.begin().await?;
        store::sandbox_open(
            &mut tx,
            &SandboxSession {
                provider_ref: provider_ref.clone(),
                organisation_id: request.org,
                checkout_id: request.checkout.id,
                amount: request.checkout.amount,
                description: request.description.to_owned(),
                card_last4: None,
                paid_at: None,
                expired: false,
            },
            app.clock.now(),
        )
        .await?;
        tx.commit().await?;
        Ok(Hosted {
            url: format!("{}/sandbox-checkout/{provider_ref}", request.portal_url),
            provider_ref,
        })
    }

    async fn status(&self, app: &App, provider_ref: &str) -> AppResult<ProviderStatus> {
        let mut conn = app.db.read().await?;
        let s = store::sandbox_session(&mut conn, provider_ref)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(ProviderStatus {
            paid: s.paid_at.is_some(),
            amount: s.amount,
        })
    }

    async fn expire(&self, app: &App, provider_ref: &str) -> AppResult<()> {
        let mut tx = app.db.begin().await?;
        store::sandbox_expire(&mut tx, provider_ref).await?;
        tx.commit().await?;
        Ok(())
    }

    fn webhook_secret(&self, app: &App) -> Vec<u8> {
        app.secrets.sandbox_webhook.to_vec()
    }

    fn signature_header(&self) -> &'static str {
        SIGNATURE_HEADER
    }
}

/// A sandbox checkout of `org`'s, for its hosted page.
pub async fn session(app: &App, org: OrgId, provider_ref: &str) -> AppResult<SandboxSession> {
    let mut conn = app.db.read().await?;
    store::sandbox_session(&mut conn, provider_ref)
        .await?
        .filter(|s| s.organisation_id == org)
        .ok_or(AppError::NotFound)
}

/// A card as typed on the sandbox page.
pub struct Card<'a> {
    pub number: &'a str,
    pub expiry: &'a str,
    pub cvc: &'a str,
}

/// Tries a card on a sandbox checkout. Once it succeeds the money is taken (once: the page sent
/// again finds it taken) and PropLink is told by a signed webhook, as Stripe would tell it;
/// a decline or a failure takes nothing.
pub async fn pay(app: &App, org: OrgId, provider_ref: &str, card: &Card<'_>) -> AppResult<()> {
    let s = session(app, org, provider_ref).await?;
    if s.paid_at.is_some() {
        return Ok(());
    }
    if s.expired {
        return Err(AppError::conflict(
            "expired",
            "This payment page has closed because a newer payment of the invoice was started. Nothing was taken: go back to the invoice.",
        ));
    }
    let number = check_card(card, app.clock.now())?;
    match number.as_str() {
        "4242424242424242" => {}
        "4000000000000119" => {
            let fail_now = {
                let mut tx = app.db.begin().await?;
                let fail = store::sandbox_fail_once(&mut tx, provider_ref).await?;
                tx.commit().await?;
                fail
            };
            if fail_now {
                return Err(AppError::Unavailable(
                    "We could not reach your card's bank just now. Nothing was taken: try again in a moment."
                        .into(),
                ));
            }
        }
        "4000000000009995" => {
            return Err(AppError::invalid(
                "card",
                "Your card was declined: there are not enough funds. Nothing was taken. Try another card.",
            ));
        }
        "4000000000000002" => {
            return Err(AppError::invalid(
                "card",
                "Your card was declined. Nothing was taken. Try another card, or contact your bank.",
            ));
        }
        _ => {
            return Err(AppError::invalid(
                "card",
                "This is a test checkout: use one of the test cards listed on this page.",
            ));
        }
    }
    let now = app.clock.now();
    let taken = {
        let mut tx = app.db.begin().await?;
        let taken = store::sandbox_capture(&mut tx, provider_ref, &number[12..], now).await?;
        tx.commit().await?;
        taken
    };
    if taken {
        deliver_webhook(app, &s).await;
    }
    Ok(())
}

/// Tells PropLink of the payment as Stripe would: a signed `checkout.session.completed`
/// event through the same verification a real delivery passes. If it cannot be delivered now,
/// the resident's return to the portal records the payment instead.
async fn deliver_webhook(app: &App, s: &SandboxSession) {
    let body = json!({
        "id": format!("evt_{}", s.provider_ref),
        "type": "checkout.session.completed",
        "data": { "object": {
            "id": s.provider_ref,
            "payment_status": "paid",
            "amount_total": s.amount.pence(),
            "currency": "gbp",
            "client_reference_id": s.checkout_id.to_string(),
        } },
    })
    .to_string();
    let header = signature::sign(
        &app.secrets.sandbox_webhook,
        app.clock.now().unix_timestamp(),
        body.as_bytes(),
    );
    if let Err(e) = super::receive_webhook(app, "sandbox", Some(&header), body.as_bytes()).await {
        tracing::warn!(error = %e, "the sandbox webhook was not taken; the return page will settle it");
    }
}

/// The card number's digits, if the card could be charged: a real card number (Luhn), an
/// expiry date not past, a 3- or 4-digit security code.
fn check_card(card: &Card<'_>, now: time::OffsetDateTime) -> AppResult<String> {
    let mut errors = proplink_shared::records::ValidationErrors::default();
    let number: String = card
        .number
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    if number.is_empty() {
        errors.add("card", "Enter the card number");
    } else if number.len() != 16 || !number.bytes().all(|b| b.is_ascii_digit()) || !luhn(&number) {
        errors.add("card", "Enter the 16-digit number on the front of the card");
    }
    match expiry(card.expiry) {
        None => errors.add("expiry", "Enter the expiry date as MM/YY, like 04/29"),
        Some((month, year)) => {
            let today = proplink_shared::london::local(now).date();
            if (year, month) < (today.year(), u8::from(today.month())) {
                errors.add("expiry", "The card has expired: use another card");
            }
        }
    }
    let cvc = card.cvc.trim();
    if !(3..=4).contains(&cvc.len()) || !cvc.bytes().all(|b| b.is_ascii_digit()) {
        errors.add(
            "cvc",
            "Enter the 3-digit security code from the back of the card",
        );
    }
    errors.into_result(number).map_err(AppError::Invalid)
}

fn expiry(typed: &str) -> Option<(u8, i32)> {
    let (m, y) = typed.trim().split_once('/')?;
    let month: u8 = m.trim().parse().ok().filter(|m| (1..=12).contains(m))?;
    let year: i32 = y.trim().parse().ok()?;
    let year = if year < 100 { 2000 + year } else { year };
    Some((month, year))
}

fn luhn(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let dd = d * 2;
                if dd > 9 { dd - 9 } else { dd }
            } else {
                d
            }
        })
        .sum();
    sum % 10 == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_test_cards_are_card_numbers() {
        for (number, _) in TEST_CARDS {
            assert!(luhn(&number.replace(' ', "")), "{number}");
        }
        assert!(!luhn("4242424242424241"));
    }

    #[test]
    fn a_card_is_checked_before_anything_is_tried() {
        let now = time::macros::datetime!(2026-12-02 10:00 UTC);
        let good = Card {
            number: "4242 4242 4242 4242",
            expiry: "12/26",
            cvc: "123",
        };
        assert_eq!(
            check_card(&good, now).ok().as_deref(),
            Some("4242424242424242")
        );
        let expired = Card {
            expiry: "11/26",
            ..good
        };
        assert!(check_card(&expired, now).is_err());
        let wrong = Card {
            number: "1234",
            expiry: "13/30",
            cvc: "1",
        };
        let Err(AppError::Invalid(errors)) = check_card(&wrong, now) else {
            panic!("a wrong card was accepted");
        };
        assert_eq!(errors.0.len(), 3);
    }
}
