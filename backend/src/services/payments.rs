//! Residents paying an invoice by card, through a [`PaymentProvider`]'s hosted checkout:
//! PropLink never sees a card number.
//!
//! ```text
//! start (form's attempt key) → provider's page → card taken → webhook ─┐
//!                                                    └→ return page ───┴→ settle: once
//! ```
//!
//! A payment is recorded exactly once however often, and in whatever order, the provider's
//! webhook and the resident's return tell us: [`settle`] marks the checkout paid with a
//! conditional update in the same transaction as the payment, so of two racing only one
//! records anything. A double click of the pay button sends the same attempt key and finds the
//! same checkout.

pub mod sandbox;
pub mod signature;
pub mod stripe;

use proplink_shared::audit::{AuditAction, Channel};
use proplink_shared::money::Money;
use proplink_shared::records::{PaymentMethod, RecordType};
use proplink_shared::states::InvoiceStatus;
use proplink_shared::{Action, Actor, Domain, InvoiceId, OrgId, PaymentId, Principal, Resource};
use serde::Deserialize;
use serde_json::json;

use super::change::{Change, Event, Who};
use super::ledger::Receipt;
use super::mail::{self, Outgoing};
use crate::app::App;
use crate::config::PaymentSettings;
use crate::error::{AppError, AppResult};
use crate::store::finance::{self, Invoice};
use crate::store::orgs::Organisation;
use crate::store::payments::{self as store, Checkout, NewCheckout};
use crate::store::people;

/// What a provider is asked to take.
pub struct CheckoutRequest<'a> {
    pub checkout: &'a Checkout,
    pub org: OrgId,
    pub description: &'a str,
    pub customer_email: Option<&'a str>,
    /// The organisation's ResidencePort, where the sandbox serves its page.
    pub portal_url: &'a str,
    /// Where the provider sends the resident once paid, and if they give up.
    pub success_url: &'a str,
    pub cancel_url: &'a str,
}

/// Where the provider takes the card.
pub struct Hosted {
    pub provider_ref: String,
    pub url: String,
}

/// What the provider says of a checkout.
pub struct ProviderStatus {
    pub paid: bool,
    pub amount: Money,
}

/// A payment provider with a hosted checkout (Stripe Checkout, or the built-in sandbox).
pub trait PaymentProvider {
    /// Its name in the checkouts table and the webhook's address.
    fn name(&self) -> &'static str;
    /// Opens a hosted checkout; asked again for the same checkout, answers the same.
    fn create(
        &self,
        app: &App,
        request: &CheckoutRequest<'_>,
    ) -> impl Future<Output = AppResult<Hosted>> + Send;
    /// Asks whether a checkout was paid.
    fn status(
        &self,
        app: &App,
        provider_ref: &str,
    ) -> impl Future<Output = AppResult<ProviderStatus>> + Send;
    /// Closes a checkout a newer one replaced, so no card is taken on it.
    fn expire(&self, app: &App, provider_ref: &str) -> impl Future<Output = AppResult<()>> + Send;
    /// The secret its webhook deliveries are signed with, and the header that carries it.
    fn webhook_secret(&self, app: &App) -> Vec<u8>;
    fn signature_header(&self) -> &'static str;
}

/// The provider this installation is configured with.
pub enum Provider {
    Sandbox(sandbox::Sandbox),
    Stripe(stripe::Stripe),
}

impl Provider {
    /// The provider this installation takes card payments with, if it takes any.
    #[must_use]
    pub fn configured(app: &App) -> Option<Provider> {
        match &app.config.payments {
            PaymentSettings::Off => None,
            PaymentSettings::Sandbox => Some(Provider::Sandbox(sandbox::Sandbox)),
            PaymentSettings::Stripe {
                secret_key,
                webhook_secret,
                api_base,
            } => Some(Provider::Stripe(stripe::Stripe::new(
                api_base,
                secret_key,
                webhook_secret,
            ))),
        }
    }
}

/// Whether residents may pay by card here.
#[must_use]
pub fn enabled(app: &App) -> bool {
    !matches!(app.config.payments, PaymentSettings::Off)
}

fn not_set_up() -> AppError {
    AppError::conflict(
        "payments_off",
        "Card payments are not set up. Pay by bank transfer, quoting the invoice number, or contact the office.",
    )
}

impl PaymentProvider for Provider {
    fn name(&self) -> &'static str {
        match self {
            Provider::Sandbox(p) => p.name(),
            Provider::Stripe(p) => p.name(),
        }
    }

    async fn create(&self, app: &App, request: &CheckoutRequest<'_>) -> AppResult<Hosted> {
        match self {
            Provider::Sandbox(p) => p.create(app, request).await,
            Provider::Stripe(p) => p.create(app, request).await,
        }
    }

    async fn status(&self, app: &App, provider_ref: &str) -> AppResult<ProviderStatus> {
        match self {
            Provider::Sandbox(p) => p.status(app, provider_ref).await,
            Provider::Stripe(p) => p.status(app, provider_ref).await,
        }
    }

    async fn expire(&self, app: &App, provider_ref: &str) -> AppResult<()> {
        match self {
            Provider::Sandbox(p) => p.expire(app, provider_ref).await,
            Provider::Stripe(p) => p.expire(app, provider_ref).await,
        }
    }

    fn webhook_secret(&self, app: &App) -> Vec<u8> {
        match self {
            Provider::Sandbox(p) => p.webhook_secret(app),
            Provider::Stripe(p) => p.webhook_secret(app),
        }
    }

    fn signature_header(&self) -> &'static str {
        match self {
            Provider::Sandbox(p) => p.signature_header(),
            Provider::Stripe(p) => p.signature_header(),
        }
    }
}

/// The Finance resource of an invoice, as `authorize` judges a payment of it.
fn invoice_resource(actor: &Actor, inv: &Invoice) -> Resource {
    Resource::on_site(actor.org, Domain::Finance, inv.site_id)
        .with_unit(inv.unit_id)
        .with_contact(inv.contact_id)
}

/// The smallest card payment (Stripe's minimum for pounds).
const MIN_CARD_PENCE: i64 = 30;

/// Checks what a resident asks to pay: pounds and pence, more than nothing, no more than is
/// owed.
pub fn parse_amount(typed: &str, outstanding: Money) -> AppResult<Money> {
    use proplink_shared::money::{MoneyError, Sign};
    let amount = Money::parse(typed, Sign::Positive).map_err(|e| {
        AppError::invalid(
            "amount",
            match e {
                MoneyError::Empty => "Enter how much you want to pay",
                MoneyError::Zero | MoneyError::Negative => "Enter an amount more than £0.00",
                _ => "Enter the amount in pounds and pence, like 450.00",
            },
        )
    })?;
    if amount.pence() < MIN_CARD_PENCE {
        return Err(AppError::invalid(
            "amount",
            "A card payment must be at least £0.30",
        ));
    }
    if amount.pence() > outstanding.pence() {
        return Err(AppError::invalid(
            "amount",
            format!("Enter {outstanding} or less: that is all that is owed on this invoice"),
        ));
    }
    Ok(amount)
}

/// Starts paying `amount` of an invoice for the resident `actor`, or finds the checkout this
/// attempt already started; returns where the provider takes the card (or, if this attempt
/// was already paid, the checkout to show the receipt of). Earlier checkouts of the invoice
/// not paid yet are closed first, so two attempts never both take the whole amount.
pub async fn start(
    app: &App,
    org: &Organisation,
    actor: &Actor,
    invoice: InvoiceId,
    typed_amount: &str,
    attempt_key: &str,
) -> AppResult<Checkout> {
    let Principal::Resident { contact, .. } = &actor.principal else {
        return Err(AppError::NotFound);
    };
    if attempt_key.len() != 64 || !attempt_key.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::CsrfRejected);
    }
    let inv = {
        let mut conn = app.db.read().await?;
        let inv = finance::invoice(&mut conn, actor.org, invoice)
            .await?
            .ok_or(AppError::NotFound)?;
        super::check(actor, Action::Read, &invoice_resource(actor, &inv))?;
        if !inv.status.is_posted() {
            return Err(AppError::NotFound);
        }
        if let Some(k) =
            store::by_attempt(&mut conn, actor.org, attempt_key, *contact, invoice).await?
        {
            // The same form sent again: the same checkout, whatever it says now.
            return Ok(k);
        }
        inv
    };
    super::check(actor, Action::Pay, &invoice_resource(actor, &inv))?;
    let provider = Provider::configured(app).ok_or_else(not_set_up)?;
    replace_earlier(app, &provider, actor.org, invoice).await?;
    let checkout = {
        let mut change = Change::begin(app, actor).await?;
        // Read again: a replaced checkout may have turned out paid.
        let inv = finance::invoice(&mut change, actor.org, invoice)
            .await?
            .ok_or(AppError::NotFound)?;
        if !matches!(inv.status, InvoiceStatus::Approved | InvoiceStatus::Sent) {
            return Err(AppError::conflict(
                "not_payable",
                format!(
                    "Invoice {} is {} and cannot be paid.",
                    inv.number,
                    inv.status.label().to_lowercase()
                ),
            ));
        }
        let amount = parse_amount(typed_amount, inv.outstanding())?;
        let now = change.now;
        let k = store::start(
            &mut change,
            actor.org,
            &NewCheckout {
                id: uuid::Uuid::now_v7(),
                invoice,
                unit: inv.unit_id,
                contact: *contact,
                amount,
                provider: provider.name(),
                attempt_key,
            },
            now,
        )
        .await?;
        change
            .record(Event::new(
                RecordType::Invoice,
                invoice,
                AuditAction::Update,
                format!("started paying {amount} of {} by card", inv.number),
                json!({ "checkout": k.id.to_string(), "amount": amount.pence(), "provider": provider.name() }),
            ))
            .await?;
        change.commit().await?;
        k
    };
    let base = app.config.residence_url(&org.slug);
    let success = format!("{base}/payments/{}", checkout.id);
    let cancel = format!("{base}/invoices/{}", inv.id);
    let email = {
        let mut conn = app.db.read().await?;
        people::contact(&mut conn, actor.org, *contact)
            .await?
            .and_then(|c| c.email)
    };
    let description = format!("{} invoice {}", org.name, inv.number);
    let hosted = provider
        .create(
            app,
            &CheckoutRequest {
                checkout: &checkout,
                org: actor.org,
                description: &description,
                customer_email: email.as_deref(),
                portal_url: &base,
                success_url: &success,
                cancel_url: &cancel,
            },
        )
        .await?;
    let mut tx = app.db.begin().await?;
    store::set_hosted(
        &mut tx,
        actor.org,
        checkout.id,
        &hosted.provider_ref,
        &hosted.url,
    )
    .await?;
    tx.commit().await?;
    Ok(Checkout {
        provider_ref: Some(hosted.provider_ref),
        checkout_url: Some(hosted.url),
        ..checkout
    })
}

/// Settles the earlier checkouts of an invoice that were paid after all, and closes the rest
/// at their provider.
async fn replace_earlier(
    app: &App,
    provider: &Provider,
    org: OrgId,
    invoice: InvoiceId,
) -> AppResult<()> {
    let earlier = {
        let mut conn = app.db.read().await?;
        store::open_of_invoice(&mut conn, org, invoice).await?
    };
    for k in earlier {
        if let Some(reference) = k
            .provider_ref
            .as_deref()
            .filter(|_| k.provider == provider.name())
        {
            let status = provider.status(app, reference).await?;
            if status.paid {
                settle(app, provider.name(), reference, status.amount).await?;
                continue;
            }
            provider.expire(app, reference).await?;
        }
        let mut tx = app.db.begin().await?;
        store::mark_expired(&mut tx, org, k.id).await?;
        tx.commit().await?;
    }
    Ok(())
}

/// A checkout of the resident's, with the invoice it pays.
pub async fn checkout(app: &App, actor: &Actor, id: uuid::Uuid) -> AppResult<(Checkout, Invoice)> {
    let Principal::Resident { contact, .. } = &actor.principal else {
        return Err(AppError::NotFound);
    };
    let mut conn = app.db.read().await?;
    let k = store::checkout(&mut conn, actor.org, id)
        .await?
        .filter(|k| k.contact_id == *contact)
        .ok_or(AppError::NotFound)?;
    let inv = finance::invoice(&mut conn, actor.org, k.invoice_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((k, inv))
}

/// The resident is back from the provider: asks the provider whether they paid, and records
/// the payment if so (once, however often they come back or the webhook beat them to it).
pub async fn confirm(app: &App, actor: &Actor, id: uuid::Uuid) -> AppResult<(Checkout, Invoice)> {
    let (k, _) = checkout(app, actor, id).await?;
    if let (Some(reference), Some(provider), "open" | "expired") = (
        &k.provider_ref,
        Provider::configured(app),
        k.status.as_str(),
    ) {
        if provider.name() == k.provider {
            let status = provider.status(app, reference).await?;
            if status.paid {
                settle(app, provider.name(), reference, status.amount).await?;
            }
        }
    }
    checkout(app, actor, id).await
}

/// A provider's event, in the shape Stripe sends and the sandbox copies.
#[derive(Deserialize)]
struct WebhookEvent {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    data: WebhookData,
}

#[derive(Deserialize)]
struct WebhookData {
    object: SessionObject,
}

#[derive(Deserialize)]
struct SessionObject {
    id: String,
    #[serde(default)]
    payment_status: String,
    #[serde(default)]
    amount_total: Option<i64>,
    #[serde(default)]
    currency: Option<String>,
}

/// What became of a webhook delivery.
#[derive(Debug, PartialEq, Eq)]
pub enum Delivery {
    /// A payment was recorded, or had been already.
    Settled,
    /// Signed and read, but nothing to act on (another event type, an unpaid session).
    Ignored,
}

/// A webhook delivery from `provider_name`: believed only with a valid signature of the raw
/// body, acted on once however often it is delivered. The checkout it names says which
/// organisation it is for, so one endpoint serves every organisation; a checkout unknown here
/// is acknowledged and left alone, so the provider does not retry it for ever.
pub async fn receive_webhook(
    app: &App,
    provider_name: &str,
    signature: Option<&str>,
    body: &[u8],
) -> AppResult<Delivery> {
    let provider = Provider::configured(app)
        .filter(|p| p.name() == provider_name)
        .ok_or(AppError::NotFound)?;
    let now = app.clock.now().unix_timestamp();
    signature::verify(
        &provider.webhook_secret(app),
        signature.unwrap_or(""),
        body,
        now,
    )
    .map_err(|e| AppError::bad_request("bad_signature", format!("The webhook was refused: {e}")))?;
    let event: WebhookEvent = serde_json::from_slice(body)
        .map_err(|_| AppError::bad_request("bad_event", "The webhook's body is not an event"))?;
    let paid = matches!(
        event.kind.as_str(),
        "checkout.session.completed" | "checkout.session.async_payment_succeeded"
    ) && event.data.object.payment_status == "paid";
    let in_pounds = event
        .data
        .object
        .currency
        .as_deref()
        .is_none_or(|c| c.eq_ignore_ascii_case("gbp"));
    if !paid || !in_pounds {
        return Ok(Delivery::Ignored);
    }
    let amount = Money::from_pence(event.data.object.amount_total.unwrap_or(0));
    let first = {
        let mut tx = app.db.begin().await?;
        let first = store::note_event(&mut tx, provider.name(), &event.id, app.clock.now()).await?;
        tx.commit().await?;
        first
    };
    if !first {
        tracing::info!(event = %event.id, "webhook delivered again");
    }
    match settle(app, provider.name(), &event.data.object.id, amount).await {
        Ok(_) => Ok(Delivery::Settled),
        Err(AppError::NotFound) => {
            tracing::warn!(event = %event.id, "a paid checkout this installation does not know");
            Ok(Delivery::Ignored)
        }
        Err(e) => Err(e),
    }
}

/// Records the payment of a checkout the provider says was paid, once: returns the payment,
/// recorded now or before. Money taken is never refused: the permission to pay was checked
/// when the checkout started, and whatever changed since (the payer moved, the account stopped
/// being shared) does not undo the payment. The audit trail names the resident who paid.
pub async fn settle(
    app: &App,
    provider: &str,
    provider_ref: &str,
    amount: Money,
) -> AppResult<PaymentId> {
    let k = {
        let mut conn = app.db.read().await?;
        store::by_reference(&mut conn, provider, provider_ref)
            .await?
            .ok_or(AppError::NotFound)?
    };
    if let Some(done) = k.payment_id {
        return Ok(done);
    }
    let org = k.org;
    let payer = {
        let mut conn = app.db.read().await?;
        people::contact(&mut conn, org, k.contact_id)
            .await?
            .ok_or(AppError::NotFound)?
    };
    if amount.pence() > 0 && amount != k.amount {
        tracing::warn!(checkout = %k.id, asked = %k.amount, taken = %amount, "the provider took another amount than was asked");
    }
    let amount = if amount.pence() > 0 { amount } else { k.amount };
    let who = Who {
        kind: "contact",
        id: Some(payer.id.to_string()),
        name: payer.display_name(),
        channel: Channel::ResidencePort,
    };
    // Recorded on the resident's behalf by PropLink, which has already judged the payment.
    let recorder = Actor {
        org,
        principal: Principal::System,
        channel: Channel::ResidencePort,
        display_name: payer.display_name(),
    };
    let mut change = Change::begin_as(app, org, who).await?;
    let payment = PaymentId::new();
    let now = change.now;
    // The gate first: of two tellings at once, the second waits here and then finds it paid.
    if !store::mark_paid(&mut change, org, k.id, payment, now).await? {
        drop(change);
        let mut conn = app.db.read().await?;
        return store::checkout(&mut conn, org, k.id)
            .await?
            .and_then(|k| k.payment_id)
            .ok_or(AppError::NotFound);
    }
    let reference = format!("Card {provider_ref}");
    // Towards the invoice paid; if it was paid meanwhile, what it no longer needs stays on
    // the unit as credit.
    super::ledger::record_payment_in(
        &mut change,
        &recorder,
        k.unit_id,
        &Receipt {
            amount,
            method: PaymentMethod::Card,
            received_on: proplink_shared::london::local(now).date(),
            reference: &reference,
        },
        Some(super::ledger::Toward {
            payment,
            invoice: k.invoice_id,
            payer: k.contact_id,
        }),
    )
    .await?;
    send_receipt(&mut change, org, &k, amount, &reference).await?;
    change.commit().await?;
    Ok(payment)
}

/// Asks the provider about checkouts not settled yet, in case a webhook never came (the
/// resident closed the page and the delivery failed): settles those paid, and closes at the
/// provider those left for a day. Returns how many it settled.
pub async fn reconcile(app: &App) -> AppResult<usize> {
    let Some(provider) = Provider::configured(app) else {
        return Ok(0);
    };
    let now = app.clock.now();
    let open = {
        let mut conn = app.db.read().await?;
        store::open_since(&mut conn, now - time::Duration::days(3), 200).await?
    };
    let mut settled = 0;
    for k in open.into_iter().filter(|k| k.provider == provider.name()) {
        let Some(reference) = k.provider_ref.as_deref() else {
            continue;
        };
        match provider.status(app, reference).await {
            Ok(status) if status.paid => {
                settle(app, provider.name(), reference, status.amount).await?;
                settled += 1;
            }
            Ok(_) if now - k.created_at > time::Duration::days(1) => {
                provider.expire(app, reference).await?;
                let mut tx = app.db.begin().await?;
                store::mark_expired(&mut tx, k.org, k.id).await?;
                tx.commit().await?;
            }
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(error = %e, checkout = %k.id, "could not ask the provider about a checkout")
            }
        }
    }
    Ok(settled)
}

/// Runs [`reconcile`] every five minutes.
pub async fn run_reconciler(app: App) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(300));
    loop {
        every.tick().await;
        if let Err(e) = reconcile(&app).await {
            tracing::warn!(error = %e, "reconciling card payments failed");
        }
    }
}

async fn send_receipt(
    change: &mut Change<'_>,
    org: OrgId,
    k: &Checkout,
    amount: Money,
    reference: &str,
) -> AppResult<()> {
    let Some(c) = people::contact(change, org, k.contact_id).await? else {
        return Ok(());
    };
    let Some(o) = crate::store::orgs::by_id(change, org).await? else {
        return Ok(());
    };
    let number = finance::invoice(change, org, k.invoice_id)
        .await?
        .map(|i| i.number)
        .unwrap_or_default();
    let receipt_url = format!(
        "{}/payments/{}",
        change.app().config.residence_url(&o.slug),
        k.id
    );
    super::push::queue_in(
        change,
        &[super::push::contact_subject(k.contact_id)],
        &super::push::Notice {
            kind: super::push::PushKind::Payments,
            event: format!("payment:{}", k.id),
            topic: super::push::topic(&format!("payment:{}", k.id)),
            title: "Payment received",
            body: &format!("Your card payment towards {number} was received."),
            url: receipt_url,
            urgency: super::push::Urgency::Normal,
            ttl: time::Duration::days(2),
        },
    )
    .await?;
    let Some(email) = c.email.as_deref() else {
        return Ok(());
    };
    let when = proplink_shared::london::format_date_time(change.now);
    let subject = format!("Receipt: {amount} paid to {}", o.name);
    let body = format!(
        "Dear {name},\n\nThank you: we have received your card payment.\n\n\
         Amount: {amount}\nFor: invoice {number}\nPaid: {when}\nReference: {reference}\n\n\
         Your statement on ResidencePort shows it now: {url}/payments/{id}\n\n{org}\n{address}\n",
        name = c.display_name(),
        url = change.app().config.residence_url(&o.slug),
        id = k.id,
        org = if o.legal_name.is_empty() {
            &o.name
        } else {
            &o.legal_name
        },
        address = o.address,
    );
    mail::queue(
        change,
        Some(org),
        Outgoing {
            to: email,
            subject: &subject,
            body: &body,
            about: Some((RecordType::Invoice, k.invoice_id.to_string())),
            secret: None,
        },
    )
    .await
}
