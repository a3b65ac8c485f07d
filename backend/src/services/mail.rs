//! Outgoing mail. Services queue a message inside their change; the sender delivers it over
//! SMTP after the commit, retrying with backoff, and every message stays in the
//! communications log with its status.
//!
//! A message that carries a secret (a sign-in code) is queued sealed with a key outside the
//! database and logged redacted: the log never holds the secret, and the sealed copy is
//! dropped once sent.

use std::time::Duration;

use anyhow::Context;
use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use proplink_shared::OrgId;
use proplink_shared::records::RecordType;

use super::change::Change;
use crate::app::{App, MailMode};
use crate::error::{AppError, AppResult};
use crate::store::mail::{self as store, Mail, NewMail};

/// A message to send.
pub struct Outgoing<'a> {
    pub to: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    /// The record it is about, for the communications log.
    pub about: Option<(RecordType, String)>,
    /// A secret in the body (a sign-in code): the log shows the body with it blanked out.
    pub secret: Option<&'a str>,
}

/// Queues `mail` inside `change`; it goes out once the change commits.
pub async fn queue(
    change: &mut Change<'_>,
    org: Option<OrgId>,
    mail: Outgoing<'_>,
) -> AppResult<()> {
    let app = change.app();
    let now = change.now;
    queue_in(change, app, org, mail, now).await?;
    change.mail_queued();
    Ok(())
}

/// Queues `mail` in a transaction that is not a record's change (a sign-in code); the caller
/// wakes the sender after committing.
pub async fn queue_in(
    conn: &mut crate::store::Conn,
    app: &App,
    org: Option<OrgId>,
    mail: Outgoing<'_>,
    now: time::OffsetDateTime,
) -> AppResult<()> {
    let (logged, sealed) = match (mail.secret, app.mail_mode) {
        // Development mode without a mail server: the mailbox page shows the message whole.
        (_, MailMode::Hold) | (None, MailMode::Send) => (mail.body.to_owned(), None),
        (Some(secret), MailMode::Send) => (
            mail.body
                .replace(secret, &"•".repeat(secret.chars().count())),
            Some(app.secrets.seal(mail.body)),
        ),
    };
    store::enqueue(
        conn,
        &NewMail {
            org,
            recipient: mail.to,
            subject: mail.subject,
            body: &logged,
            sealed_body: sealed.as_deref(),
            record: mail.about,
            status: match app.mail_mode {
                MailMode::Send => "queued",
                MailMode::Hold => "held",
            },
        },
        now,
    )
    .await?;
    Ok(())
}

/// What the development mailbox shows: an organisation's latest mail, newest first. It exists
/// only in development mode.
/// The communications log: every email the organisation sent or tried to, to whom, about
/// what, and whether it went. For those who may read the organisation's audit log.
pub async fn log(
    app: &App,
    actor: &proplink_shared::Actor,
    filter: &crate::store::mail::MailFilter,
    at: &crate::store::query::PageAt,
) -> AppResult<crate::store::query::Page<Mail>> {
    super::check(
        actor,
        proplink_shared::Action::Read,
        &proplink_shared::Resource::org_wide(actor.org, proplink_shared::Domain::Audit),
    )?;
    super::remember_in(
        app,
        actor.org,
        format!("mail log {filter:?} {at:?}"),
        || async {
            let mut conn = app.db.read().await?;
            Ok(store::log(&mut conn, actor.org, filter, at, super::PAGE_SIZE).await?)
        },
    )
    .await
}

pub async fn mailbox(app: &App, org: OrgId, limit: i64) -> AppResult<Vec<Mail>> {
    if !app.config.dev {
        return Err(AppError::NotFound);
    }
    let mut conn = app.db.read().await?;
    Ok(store::of_org(&mut conn, org, limit).await?)
}

const MAX_ATTEMPTS: i64 = 6;
/// A claim this old belongs to a sender that stopped mid-send.
const CLAIM_LEASE: time::Duration = time::Duration::minutes(5);

/// Delivers queued mail until the process stops.
pub async fn run_sender(app: App) {
    let Some(url) = app.config.smtp_url.clone() else {
        return;
    };
    let transport = match AsyncSmtpTransport::<Tokio1Executor>::from_url(&url) {
        Ok(builder) => builder.timeout(Some(Duration::from_secs(20))).build(),
        Err(e) => {
            tracing::error!(error = %e, "the SMTP URL is not valid; mail will stay queued");
            return;
        }
    };
    loop {
        match send_next(&app, &transport).await {
            Ok(true) => continue,
            Ok(false) => {}
            Err(e) => tracing::warn!(error = ?e, "mail sender"),
        }
        tokio::select! {
            () = app.mail_wakeup.notified() => {}
            () = tokio::time::sleep(Duration::from_secs(5)) => {}
        }
    }
}

/// Sends one message if one is due; true if it did something.
async fn send_next(
    app: &App,
    transport: &AsyncSmtpTransport<Tokio1Executor>,
) -> anyhow::Result<bool> {
    let now = app.clock.now();
    let mut tx = app.db.begin().await?;
    let Some(mail) = store::claim_next(&mut tx, now, now - CLAIM_LEASE).await? else {
        return Ok(false);
    };
    tx.commit().await?;
    let outcome = deliver(app, transport, &mail).await;
    let mut tx = app.db.begin().await?;
    match outcome {
        Ok(()) => store::mark_sent(&mut tx, &mail.id, app.clock.now()).await?,
        Err(e) if mail.attempts >= MAX_ATTEMPTS => {
            tracing::warn!(to = %mail.recipient, error = %e, "giving up on a message");
            store::mark_failed(&mut tx, &mail.id, &e.to_string(), None).await?;
        }
        Err(e) => {
            // Back off: 2, 4, 8… seconds before the next try.
            let delay =
                time::Duration::seconds(2i64.pow(u32::try_from(mail.attempts).unwrap_or(1)));
            store::mark_failed(
                &mut tx,
                &mail.id,
                &e.to_string(),
                Some(app.clock.now() + delay),
            )
            .await?;
        }
    }
    // What the communications log shows of the organisation changed: say so, as a change does.
    if let Some(org) = mail.organisation_id {
        tx.announce_change(&app.process, org).await?;
    }
    tx.commit().await?;
    if let Some(org) = mail.organisation_id {
        app.reads.changed(org);
    }
    Ok(true)
}

async fn deliver(
    app: &App,
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    mail: &Mail,
) -> anyhow::Result<()> {
    let body = match &mail.sealed_body {
        Some(sealed) => app
            .secrets
            .open(sealed)
            .context("the message was sealed with another key and cannot be sent")?,
        None => mail.body.clone(),
    };
    let message = Message::builder()
        .from(
            app.config
                .mail_from
                .parse()
                .context("PROPLINK_MAIL_FROM is not a valid address")?,
        )
        .to(mail.recipient.parse().context("recipient address")?)
        .subject(&mail.subject)
        .header(ContentType::TEXT_PLAIN)
        .body(body)?;
    transport.send(message).await?;
    Ok(())
}
