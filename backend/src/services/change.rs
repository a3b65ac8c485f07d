//! The one way a record changes: a [`Change`] carries who acts, the time and the transaction,
//! and cannot commit without the audit event that says what happened.
//!
//! ```text
//! let mut change = Change::begin(app, actor).await?;
//! store::tickets::insert_ticket(&mut change, …).await?;
//! change.record(Event { … }).await?;
//! change.commit().await?;
//! ```
//!
//! Dropping a change without committing it rolls everything back. Mail queued in it is sent
//! only once it has committed.

use proplink_shared::Actor;
use proplink_shared::audit::{AuditAction, Channel, sentence};
use proplink_shared::records::RecordType;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::store::audit::{self as store, AuditEvent};
use crate::store::{Conn, Tx};

/// What happened to which record.
pub struct Event {
    pub record_type: RecordType,
    pub record_id: String,
    pub action: AuditAction,
    /// The verb phrase of the sentence: "paid £450.00 towards INV-2026-0007".
    pub what: String,
    /// Structured detail: the new body on create, before/after on update.
    pub detail: serde_json::Value,
}

impl Event {
    pub fn new(
        record_type: RecordType,
        record_id: impl ToString,
        action: AuditAction,
        what: impl Into<String>,
        detail: serde_json::Value,
    ) -> Event {
        Event {
            record_type,
            record_id: record_id.to_string(),
            action,
            what: what.into(),
            detail,
        }
    }
}

/// Who did it, as the trail names them.
#[derive(Clone, Debug)]
pub struct Who {
    pub kind: &'static str,
    pub id: Option<String>,
    pub name: String,
    pub channel: Channel,
}

impl Who {
    #[must_use]
    pub fn of(actor: &Actor) -> Who {
        use proplink_shared::Principal;
        let (kind, id) = match &actor.principal {
            Principal::Staff { user, .. } => ("staff", Some(user.to_string())),
            Principal::Resident { contact, .. } | Principal::HrbResident { contact, .. } => {
                ("contact", Some(contact.to_string()))
            }
            Principal::Contractor { vendor, .. } => ("contractor", Some(vendor.to_string())),
            Principal::Regulator { account, .. } => ("regulator", Some(account.to_string())),
            Principal::System => ("system", None),
        };
        Who {
            kind,
            id,
            name: actor.display_name.clone(),
            channel: actor.channel,
        }
    }

    /// Someone not signed in, known only by what they typed.
    #[must_use]
    pub fn anonymous(name: &str, channel: Channel) -> Who {
        Who {
            kind: "anonymous",
            id: None,
            name: name.to_owned(),
            channel,
        }
    }
}

/// A change in progress.
pub struct Change<'a> {
    tx: Tx,
    app: &'a App,
    org: proplink_shared::OrgId,
    who: Who,
    /// The time of the change, the same for every row and event it writes.
    pub now: OffsetDateTime,
    events: usize,
    mail: bool,
    push: bool,
}

impl<'a> Change<'a> {
    /// Starts a change by `actor` in their organisation.
    pub async fn begin(app: &'a App, actor: &Actor) -> AppResult<Change<'a>> {
        Change::begin_as(app, actor.org, Who::of(actor)).await
    }

    /// Starts a change by someone who is not (yet) an actor: a failed sign-in.
    pub async fn begin_as(
        app: &'a App,
        org: proplink_shared::OrgId,
        who: Who,
    ) -> AppResult<Change<'a>> {
        Ok(Change {
            tx: app.db.begin().await?,
            app,
            org,
            who,
            now: app.clock.now(),
            events: 0,
            mail: false,
            push: false,
        })
    }

    /// Names who acts from here on: a sign-in knows who it is only once the code is right.
    pub fn act_as(&mut self, who: Who) {
        self.who = who;
    }

    /// How the trail names who makes the change.
    #[must_use]
    pub fn who_name(&self) -> String {
        self.who.name.clone()
    }

    /// The organisation the change is in.
    #[must_use]
    pub fn org(&self) -> proplink_shared::OrgId {
        self.org
    }

    #[must_use]
    pub fn app(&self) -> &'a App {
        self.app
    }

    /// Appends the audit event of this change, chained to the organisation's trail.
    pub async fn record(&mut self, event: Event) -> AppResult<()> {
        let (seq, prev_hash) = store::claim_next(&mut self.tx, self.org).await?;
        let mut row = AuditEvent {
            id: uuid::Uuid::now_v7().to_string(),
            organisation_id: self.org,
            seq,
            record_type: event.record_type,
            record_id: event.record_id,
            actor_kind: self.who.kind.to_owned(),
            actor_id: self.who.id.clone(),
            actor_name: self.who.name.clone(),
            channel: self.who.channel,
            action: event.action,
            detail: event.detail.to_string(),
            sentence: sentence(&self.who.name, &event.what, self.who.channel, self.now),
            occurred_at: self.now,
            prev_hash,
            hash: String::new(),
        };
        row.hash = chain_hash(&row);
        store::append(&mut self.tx, &row).await?;
        self.events += 1;
        Ok(())
    }

    /// Notes that mail was queued, so the sender is woken after the commit.
    pub(crate) fn mail_queued(&mut self) {
        self.mail = true;
    }

    /// Notes that the change queued pushes: the sender is woken once it commits.
    pub(crate) fn push_queued(&mut self) {
        self.push = true;
    }

    /// Makes the change. A change that recorded no audit event is refused and undone.
    pub async fn commit(self) -> AppResult<()> {
        if self.events == 0 {
            return Err(AppError::Internal(anyhow::anyhow!(
                "a change was about to be committed without its audit event, so nothing was saved"
            )));
        }
        let (wake, push) = (self.mail, self.push);
        let app = self.app;
        let org = self.org;
        let mut tx = self.tx;
        tx.announce_change(&app.process, org).await?;
        tx.commit().await?;
        app.reads.changed(org);
        if wake {
            app.mail_wakeup.notify_one();
        }
        if push {
            app.push_wakeup.notify_one();
        }
        Ok(())
    }

    /// Marks a point inside the change that [`Change::undo_to`] can return to.
    pub async fn savepoint(&mut self, name: &'static str) -> AppResult<Savepoint> {
        self.tx.savepoint(name).await?;
        Ok(Savepoint {
            name,
            events: self.events,
        })
    }

    /// Undoes everything since `point`, its audit events included.
    pub async fn undo_to(&mut self, point: Savepoint) -> AppResult<()> {
        self.tx.rollback_to(point.name).await?;
        self.events = point.events;
        Ok(())
    }

    /// Keeps what was done since `point`.
    pub async fn keep(&mut self, point: Savepoint) -> AppResult<()> {
        Ok(self.tx.release(point.name).await?)
    }
}

/// A point inside a change to come back to.
#[must_use = "a savepoint is undone to or kept"]
pub struct Savepoint {
    name: &'static str,
    events: usize,
}

impl std::ops::Deref for Change<'_> {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        &self.tx
    }
}

impl std::ops::DerefMut for Change<'_> {
    fn deref_mut(&mut self) -> &mut Conn {
        &mut self.tx
    }
}

/// The hash of an event: SHA-256 over the previous hash and every field, length-prefixed so no
/// two different events can serialise alike.
#[must_use]
pub fn chain_hash(e: &AuditEvent) -> String {
    let mut h = Sha256::new();
    let org = e.organisation_id.to_string();
    let seq = e.seq.to_string();
    let fields: [&str; 13] = [
        &e.prev_hash,
        &e.id,
        &org,
        &seq,
        e.record_type.code(),
        &e.record_id,
        &e.actor_kind,
        e.actor_id.as_deref().unwrap_or(""),
        &e.actor_name,
        e.channel.code(),
        e.action.code(),
        &e.detail,
        &e.sentence,
    ];
    for field in fields {
        h.update((field.len() as u64).to_be_bytes());
        h.update(field.as_bytes());
    }
    h.update(crate::clock::to_micros(e.occurred_at).to_be_bytes());
    hex::encode(h.finalize())
}
