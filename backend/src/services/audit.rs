//! Writing and verifying the audit trail.
//!
//! Every event is chained to the one before it in its organisation: its hash covers its own
//! fields and the previous hash, so changing or deleting any row breaks every hash after it.

use proplink_shared::audit::{AuditAction, Channel, sentence};
use proplink_shared::{Actor, OrgId, Principal};
use serde_json::Value;
use sha2::{Digest, Sha256};
use sqlx::AnyConnection;
use time::OffsetDateTime;

use crate::clock::to_micros;
use crate::store::audit::{self as store, AuditRow};
use crate::store::{Db, orgs};

/// What happened to which record.
pub struct Event {
    pub record_type: &'static str,
    pub record_id: String,
    pub action: AuditAction,
    /// The verb phrase of the sentence: "paid £450.00 towards INV-2026-0007".
    pub what: String,
    /// Structured detail: the new body on create, before/after on update.
    pub detail: Value,
}

/// Who did it, as the trail names them.
pub struct Who<'a> {
    pub kind: &'a str,
    pub id: Option<String>,
    pub name: &'a str,
    pub channel: Channel,
}

impl<'a> Who<'a> {
    #[must_use]
    pub fn of(actor: &'a Actor) -> Who<'a> {
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
            name: &actor.display_name,
            channel: actor.channel,
        }
    }
}

/// Appends `event` inside the caller's transaction.
pub async fn record(
    conn: &mut AnyConnection,
    org: OrgId,
    who: &Who<'_>,
    event: Event,
    at: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    let (seq, prev_hash) = store::claim_next(conn, org).await?;
    let mut row = AuditRow {
        id: uuid::Uuid::now_v7().to_string(),
        organisation_id: org,
        seq,
        record_type: event.record_type.to_owned(),
        record_id: event.record_id,
        actor_kind: who.kind.to_owned(),
        actor_id: who.id.clone(),
        actor_name: who.name.to_owned(),
        channel: who.channel,
        action: event.action,
        detail: event.detail.to_string(),
        sentence: sentence(who.name, &event.what, who.channel, at),
        occurred_at: to_micros(at),
        prev_hash,
        hash: String::new(),
    };
    row.hash = chain_hash(&row);
    store::append(conn, &row).await
}

/// The hash of a row: SHA-256 over the previous hash and every field, length-prefixed so no
/// two different rows can serialise alike.
#[must_use]
pub fn chain_hash(row: &AuditRow) -> String {
    let mut h = Sha256::new();
    let fields: [&str; 13] = [
        &row.prev_hash,
        &row.id,
        &row.organisation_id.to_string(),
        &row.seq.to_string(),
        &row.record_type,
        &row.record_id,
        &row.actor_kind,
        row.actor_id.as_deref().unwrap_or(""),
        &row.actor_name,
        row.channel.code(),
        row.action.code(),
        &row.detail,
        &row.sentence,
    ];
    for field in fields {
        h.update((field.len() as u64).to_be_bytes());
        h.update(field.as_bytes());
    }
    h.update(row.occurred_at.to_be_bytes());
    hex::encode(h.finalize())
}

/// The result of checking one organisation's chain.
#[derive(Debug)]
pub struct ChainReport {
    pub slug: String,
    pub events: i64,
    pub problems: Vec<String>,
}

/// Re-computes every organisation's chain from the first event.
pub async fn verify(db: &Db) -> anyhow::Result<Vec<ChainReport>> {
    let mut conn = db.read().await?;
    let mut reports = Vec::new();
    for org in orgs::all(&mut conn).await? {
        let mut problems = Vec::new();
        let mut expected_prev = store::GENESIS.to_owned();
        let mut expected_seq = 1;
        loop {
            let page = store::chain_page(&mut conn, org.id, expected_seq - 1, 1000).await?;
            if page.is_empty() {
                break;
            }
            for row in page {
                if row.seq != expected_seq {
                    problems.push(format!(
                        "event {} is missing (found {} next)",
                        expected_seq, row.seq
                    ));
                }
                if row.prev_hash != expected_prev {
                    problems.push(format!(
                        "event {} does not follow the event before it",
                        row.seq
                    ));
                }
                if chain_hash(&row) != row.hash {
                    problems.push(format!(
                        "event {} was changed after it was written: {}",
                        row.seq, row.sentence
                    ));
                }
                expected_prev = row.hash.clone();
                expected_seq = row.seq + 1;
            }
        }
        let events = expected_seq - 1;
        match store::head(&mut conn, org.id).await? {
            Some((last_seq, last_hash)) if last_seq != events || last_hash != expected_prev => {
                problems.push(format!(
                    "the trail ends at event {events} but {last_seq} were written"
                ));
            }
            None if events > 0 => problems.push("the trail has events but no head".into()),
            _ => {}
        }
        reports.push(ChainReport {
            slug: org.slug,
            events,
            problems,
        });
    }
    Ok(reports)
}

/// A record's trail, newest first. Callers load (and so authorise) the record first.
pub async fn trail(
    db: &Db,
    org: OrgId,
    record_type: &str,
    record_id: &str,
) -> Result<Vec<AuditRow>, sqlx::Error> {
    let mut conn = db.read().await?;
    store::of_record(&mut conn, org, record_type, record_id).await
}

/// The organisation's latest events, for those who may read the whole log.
pub async fn latest(
    db: &Db,
    actor: &Actor,
    limit: i64,
) -> Result<Vec<AuditRow>, crate::error::AppError> {
    super::check(
        actor,
        proplink_shared::Action::Read,
        &proplink_shared::Resource::org_wide(actor.org, proplink_shared::Domain::Audit),
    )?;
    let mut conn = db.read().await?;
    Ok(store::latest(&mut conn, actor.org, limit).await?)
}
