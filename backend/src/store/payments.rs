//! Card payments on their way: checkouts a resident starts, the sandbox provider's own book,
//! and the provider events already acted on.

use proplink_shared::money::Money;
use proplink_shared::{ContactId, InvoiceId, OrgId, PaymentId, UnitId};
use time::OffsetDateTime;

use super::{Conn, DbResult};
use crate::{params, read_model};

read_model! {
    pub struct Checkout {
        pub id: uuid::Uuid = "k.id",
        pub org: OrgId = "k.organisation_id",
        pub invoice_id: InvoiceId = "k.invoice_id",
        pub unit_id: UnitId = "k.unit_id",
        pub contact_id: ContactId = "k.contact_id",
        pub amount: Money = "k.amount",
        pub provider: String = "k.provider",
        pub provider_ref: Option<String> = "k.provider_ref",
        /// Where the provider takes the card.
        pub checkout_url: Option<String> = "k.checkout_url",
        /// `open` until paid; `paid` once, with the payment it made.
        pub status: String = "k.status",
        pub payment_id: Option<PaymentId> = "k.payment_id",
        pub created_at: OffsetDateTime = "k.created_at",
        pub completed_at: Option<OffsetDateTime> = "k.completed_at",
    }
}

/// A checkout about to start.
pub struct NewCheckout<'a> {
    pub id: uuid::Uuid,
    pub invoice: InvoiceId,
    pub unit: UnitId,
    pub contact: ContactId,
    pub amount: Money,
    pub provider: &'a str,
    pub attempt_key: &'a str,
}

/// Starts a checkout, or finds the one this attempt already started (a second click of the same
/// form): the attempt's key is unique in the organisation.
pub async fn start(
    conn: &mut Conn,
    org: OrgId,
    new: &NewCheckout<'_>,
    now: OffsetDateTime,
) -> DbResult<Checkout> {
    conn.execute(
        "INSERT INTO checkouts (organisation_id, id, invoice_id, unit_id, contact_id, amount, provider, attempt_key, status, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'open', $9) ON CONFLICT (organisation_id, attempt_key) DO NOTHING",
        params![org, new.id, new.invoice, new.unit, new.contact, new.amount, new.provider, new.attempt_key, now],
    )
    .await?;
    conn.query_one(
        &format!(
            "SELECT {} FROM checkouts k WHERE k.organisation_id = $1 AND k.attempt_key = $2",
            Checkout::COLUMNS
        ),
        params![org, new.attempt_key],
    )
    .await
}

/// Notes where the provider takes the card for a checkout (once: the provider answers the same
/// for the same checkout).
pub async fn set_hosted(
    conn: &mut Conn,
    org: OrgId,
    id: uuid::Uuid,
    provider_ref: &str,
    url: &str,
) -> DbResult<()> {
    conn.execute(
        "UPDATE checkouts SET provider_ref = $3, checkout_url = $4 WHERE organisation_id = $1 AND id = $2 AND provider_ref IS NULL",
        params![org, id, provider_ref, url],
    )
    .await?;
    Ok(())
}

/// The checkout an attempt of this resident's on this invoice started, if it started one.
pub async fn by_attempt(
    conn: &mut Conn,
    org: OrgId,
    attempt_key: &str,
    contact: ContactId,
    invoice: InvoiceId,
) -> DbResult<Option<Checkout>> {
    conn.query_opt(
        &format!(
            "SELECT {} FROM checkouts k WHERE k.organisation_id = $1 AND k.attempt_key = $2 \
             AND k.contact_id = $3 AND k.invoice_id = $4",
            Checkout::COLUMNS
        ),
        params![org, attempt_key, contact, invoice],
    )
    .await
}

/// An invoice's checkouts not settled yet.
pub async fn open_of_invoice(
    conn: &mut Conn,
    org: OrgId,
    invoice: InvoiceId,
) -> DbResult<Vec<Checkout>> {
    conn.query(
        &format!(
            "SELECT {} FROM checkouts k WHERE k.organisation_id = $1 AND k.invoice_id = $2 AND k.status = 'open' \
             ORDER BY k.created_at",
            Checkout::COLUMNS
        ),
        params![org, invoice],
    )
    .await
}

/// Checkouts of every organisation not settled yet, started since `since`, oldest first: for
/// the job that asks their provider.
pub async fn open_since(
    conn: &mut Conn,
    since: OffsetDateTime,
    limit: i64,
) -> DbResult<Vec<Checkout>> {
    conn.query(
        &format!(
            "SELECT {} FROM checkouts k WHERE k.status = 'open' AND k.created_at >= $1 \
             ORDER BY k.created_at LIMIT $2",
            Checkout::COLUMNS
        ),
        params![since, limit],
    )
    .await
}

/// A newer attempt replaced this checkout; it is no longer offered.
pub async fn mark_expired(conn: &mut Conn, org: OrgId, id: uuid::Uuid) -> DbResult<()> {
    conn.execute(
        "UPDATE checkouts SET status = 'expired' WHERE organisation_id = $1 AND id = $2 AND status = 'open'",
        params![org, id],
    )
    .await?;
    Ok(())
}

/// The checkout a provider's reference names, in whichever organisation it is: a provider's
/// event names its checkout, not the organisation.
pub async fn by_reference(
    conn: &mut Conn,
    provider: &str,
    provider_ref: &str,
) -> DbResult<Option<Checkout>> {
    conn.query_opt(
        &format!(
            "SELECT {} FROM checkouts k WHERE k.provider = $1 AND k.provider_ref = $2",
            Checkout::COLUMNS
        ),
        params![provider, provider_ref],
    )
    .await
}

pub async fn checkout(conn: &mut Conn, org: OrgId, id: uuid::Uuid) -> DbResult<Option<Checkout>> {
    conn.query_opt(
        &format!(
            "SELECT {} FROM checkouts k WHERE k.organisation_id = $1 AND k.id = $2",
            Checkout::COLUMNS
        ),
        params![org, id],
    )
    .await
}

/// Marks a checkout paid with `payment`, if nothing marked it first: the one gate every way a
/// payment is learned of passes, so it is recorded once. A checkout replaced by a newer one is
/// still paid if its money was taken after all.
pub async fn mark_paid(
    conn: &mut Conn,
    org: OrgId,
    id: uuid::Uuid,
    payment: PaymentId,
    now: OffsetDateTime,
) -> DbResult<bool> {
    let changed = conn
        .execute(
            "UPDATE checkouts SET status = 'paid', payment_id = $3, completed_at = $4 \
             WHERE organisation_id = $1 AND id = $2 AND status IN ('open', 'expired')",
            params![org, id, payment, now],
        )
        .await?;
    Ok(changed == 1)
}

/// Notes a provider's event; false if it was noted before (a delivery repeated).
pub async fn note_event(
    conn: &mut Conn,
    provider: &str,
    event_id: &str,
    now: OffsetDateTime,
) -> DbResult<bool> {
    let added = conn
        .execute(
            "INSERT INTO payment_events (provider, event_id, received_at) VALUES ($1, $2, $3) \
             ON CONFLICT (provider, event_id) DO NOTHING",
            params![provider, event_id, now],
        )
        .await?;
    Ok(added == 1)
}

read_model! {
    /// A hosted checkout as the sandbox provider keeps it.
    pub struct SandboxSession {
        pub provider_ref: String = "provider_ref",
        pub organisation_id: OrgId = "organisation_id",
        pub checkout_id: uuid::Uuid = "checkout_id",
        pub amount: Money = "amount",
        pub description: String = "description",
        pub card_last4: Option<String> = "card_last4",
        pub paid_at: Option<OffsetDateTime> = "paid_at",
        /// A newer payment of the invoice replaced it: no card is taken on it any more.
        pub expired: bool = "expired",
    }
}

pub async fn sandbox_open(
    conn: &mut Conn,
    s: &SandboxSession,
    now: OffsetDateTime,
) -> DbResult<()> {
    conn.execute(
        "INSERT INTO sandbox_sessions (provider_ref, organisation_id, checkout_id, amount, description, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (provider_ref) DO NOTHING",
        params![s.provider_ref, s.organisation_id, s.checkout_id, s.amount, s.description, now],
    )
    .await?;
    Ok(())
}

pub async fn sandbox_session(
    conn: &mut Conn,
    provider_ref: &str,
) -> DbResult<Option<SandboxSession>> {
    conn.query_opt(
        &format!(
            "SELECT {} FROM sandbox_sessions WHERE provider_ref = $1",
            SandboxSession::COLUMNS
        ),
        params![provider_ref],
    )
    .await
}

/// Whether the card that fails for a moment should fail now: the first time it is tried on a
/// checkout, and only then.
pub async fn sandbox_fail_once(conn: &mut Conn, provider_ref: &str) -> DbResult<bool> {
    let changed = conn
        .execute(
            "UPDATE sandbox_sessions SET failed_once = TRUE WHERE provider_ref = $1 AND NOT failed_once",
            params![provider_ref],
        )
        .await?;
    Ok(changed == 1)
}

/// Takes the money on a sandbox checkout, once: false if it was taken before.
pub async fn sandbox_capture(
    conn: &mut Conn,
    provider_ref: &str,
    last4: &str,
    now: OffsetDateTime,
) -> DbResult<bool> {
    let changed = conn
        .execute(
            "UPDATE sandbox_sessions SET paid_at = $2, card_last4 = $3 WHERE provider_ref = $1 AND paid_at IS NULL",
            params![provider_ref, now, last4],
        )
        .await?;
    Ok(changed == 1)
}

/// Closes a sandbox checkout to new cards (unless its money was already taken).
pub async fn sandbox_expire(conn: &mut Conn, provider_ref: &str) -> DbResult<()> {
    conn.execute(
        "UPDATE sandbox_sessions SET expired = TRUE WHERE provider_ref = $1 AND paid_at IS NULL",
        params![provider_ref],
    )
    .await?;
    Ok(())
}
