//! Outgoing mail. Services queue a message in their own transaction; the sender delivers it
//! over SMTP after the commit, retrying with backoff, and every message stays in the
//! communications log with its status.

use std::time::Duration;

use anyhow::Context;
use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use proplink_shared::OrgId;
use sqlx::AnyConnection;

use crate::app::{App, MailMode};
use crate::store::mail::{self as store, MailRow};

/// The record a message is about, for the communications log.
pub type Linked<'a> = Option<(&'a str, String)>;

/// Queues a message inside the caller's transaction.
pub async fn queue(
    conn: &mut AnyConnection,
    app: &App,
    org: Option<OrgId>,
    to: &str,
    subject: &str,
    body: &str,
    linked: Linked<'_>,
) -> Result<(), sqlx::Error> {
    let (record_type, record_id) = linked.map(|(t, id)| (t.to_owned(), id)).unzip();
    let row = MailRow {
        id: uuid::Uuid::now_v7().to_string(),
        organisation_id: org,
        recipient: to.to_owned(),
        subject: subject.to_owned(),
        body: body.to_owned(),
        record_type,
        record_id,
        status: match app.mail_mode {
            MailMode::Send => "queued".into(),
            MailMode::Hold => "held".into(),
        },
        attempts: 0,
        last_error: None,
        created_at: app.now_micros(),
        sent_at: None,
    };
    store::enqueue(conn, &row).await
}

/// What the dev mailbox shows: an organisation's latest mail, newest first. Only while mail is
/// held rather than sent; a server that sends mail has no mailbox page.
pub async fn held(app: &App, org: OrgId, limit: i64) -> crate::error::AppResult<Vec<MailRow>> {
    if app.mail_mode != MailMode::Hold {
        return Err(crate::error::AppError::NotFound);
    }
    let mut conn = app.db.read().await?;
    Ok(store::of_org(&mut conn, org, limit).await?)
}

const MAX_ATTEMPTS: i64 = 6;

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
    if let Ok(mut conn) = app.db.write().await {
        if let Err(e) = store::requeue_stuck(&mut conn).await {
            tracing::warn!(error = %e, "could not requeue interrupted mail");
        }
        let _ = conn.commit().await;
    }
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
    let now = app.now_micros();
    let mut tx = app.db.write().await?;
    let Some(mail) = store::claim_next(&mut tx, app.db.dialect(), now).await? else {
        return Ok(false);
    };
    tx.commit().await?;
    let outcome = deliver(app, transport, &mail).await;
    let mut tx = app.db.write().await?;
    match outcome {
        Ok(()) => store::mark(&mut tx, &mail.id, "sent", None, app.now_micros()).await?,
        Err(e) if mail.attempts >= MAX_ATTEMPTS => {
            tracing::warn!(to = %mail.recipient, error = %e, "giving up on a message");
            store::mark(
                &mut tx,
                &mail.id,
                "failed",
                Some(&e.to_string()),
                app.now_micros(),
            )
            .await?;
        }
        Err(e) => {
            // Back off: 2, 4, 8… seconds before the next try.
            let delay = 2i64.pow(u32::try_from(mail.attempts).unwrap_or(1)) * 1_000_000;
            store::mark(
                &mut tx,
                &mail.id,
                "queued",
                Some(&e.to_string()),
                app.now_micros() + delay,
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(true)
}

async fn deliver(
    app: &App,
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    mail: &MailRow,
) -> anyhow::Result<()> {
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
        .body(mail.body.clone())?;
    transport.send(message).await?;
    Ok(())
}
