//! Reading the audit trail, and proving it whole.
//!
//! Every event is chained to the one before it in its organisation: its hash covers its own
//! fields and the previous hash, so changing or deleting a row breaks every hash after it. The
//! chain alone cannot show a trail cut short, or one edited and then re-hashed from the edit
//! on: someone who can write the database can do both. So the heads are signed, with a key
//! outside the database, into checkpoints appended to a file outside it ([`checkpoints`]);
//! [`verify`] holds the trail to every checkpoint.

pub mod checkpoints;

use proplink_shared::records::RecordType;
use proplink_shared::{Action, Actor, Domain, OrgId, Principal, Resource, Scope};

use super::check;
use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::store::audit::{self as store, AuditEvent, AuditFilter};
use crate::store::query::{Page, PageAt};
use crate::store::{Db, orgs};

pub use super::change::chain_hash;

/// A record's trail, newest first. Callers load (and so authorise) the record first.
pub async fn trail(
    app: &App,
    org: OrgId,
    record_type: RecordType,
    record_id: &str,
    at: &PageAt,
) -> AppResult<Page<AuditEvent>> {
    let what = format!("trail {} {record_id} {at:?}", record_type.code());
    super::remember_in(app, org, what, || async {
        let mut conn = app.db.read().await?;
        Ok(store::of_record(&mut conn, org, record_type, record_id, at, 50).await?)
    })
    .await
}

/// The organisation's log, for those who may read all of it.
pub async fn log(
    app: &App,
    actor: &Actor,
    filter: &AuditFilter,
    at: &PageAt,
) -> AppResult<Page<AuditEvent>> {
    check(
        actor,
        Action::Read,
        &Resource::org_wide(actor.org, Domain::Audit),
    )?;
    let scope = Scope::of(actor, Domain::Audit);
    super::remember(
        app,
        &scope,
        format!("audit log {filter:?} {at:?}"),
        || async {
            let mut conn = app.db.read().await?;
            Ok(store::log(&mut conn, &scope, filter, at, 50).await?)
        },
    )
    .await
}

/// The organisation's latest `n` events, for those who may read all of the log.
pub async fn latest(app: &App, actor: &Actor, n: i64) -> AppResult<Vec<AuditEvent>> {
    check(
        actor,
        Action::Read,
        &Resource::org_wide(actor.org, Domain::Audit),
    )?;
    let scope = Scope::of(actor, Domain::Audit);
    super::remember(app, &scope, format!("audit latest {n}"), || async {
        let mut conn = app.db.read().await?;
        let everything = AuditFilter::default();
        let page = store::log(&mut conn, &scope, &everything, &PageAt::First, n).await?;
        Ok(page.items)
    })
    .await
}

/// What checking one organisation's trail found.
#[derive(Debug)]
pub struct ChainReport {
    pub slug: String,
    pub events: i64,
    /// The last checkpoint the trail was held to: (seq, when it was signed).
    pub checkpoint: Option<(i64, time::OffsetDateTime)>,
    pub problems: Vec<String>,
}

/// Re-computes every organisation's chain from the first event and holds it to the signed
/// checkpoints in `checkpoints`.
pub async fn verify(
    db: &Db,
    checkpoints: &checkpoints::Checkpoints,
) -> anyhow::Result<Vec<ChainReport>> {
    let mut conn = db.read().await?;
    let mut reports = Vec::new();
    for org in orgs::all(&mut conn).await? {
        reports.push(verify_org(&mut conn, &org, &checkpoints.of(org.id)).await?);
    }
    Ok(reports)
}

/// One organisation's chain, re-computed from its first event and held to its checkpoints.
async fn verify_org(
    conn: &mut crate::store::Conn,
    org: &crate::store::orgs::Organisation,
    signed: &[&checkpoints::Signed],
) -> anyhow::Result<ChainReport> {
    let mut problems = Vec::new();
    let mut expected_prev = store::GENESIS.to_owned();
    let mut expected_seq = 1;
    loop {
        let page = store::chain_page(conn, org.id, expected_seq - 1, 1000).await?;
        if page.is_empty() {
            break;
        }
        for event in page {
            if event.seq != expected_seq {
                problems.push(format!(
                    "event {expected_seq} is missing (found {} next)",
                    event.seq
                ));
            }
            if event.prev_hash != expected_prev {
                problems.push(format!(
                    "event {} does not follow the event before it",
                    event.seq
                ));
            }
            if chain_hash(&event) != event.hash {
                problems.push(format!(
                    "event {} was changed after it was written: {}",
                    event.seq, event.sentence
                ));
            }
            for c in signed
                .iter()
                .filter(|c| c.seq == event.seq && c.hash != event.hash)
            {
                problems.push(format!(
                    "event {} is not the event signed in the checkpoint of {}: the trail was rewritten from there on",
                    event.seq,
                    proplink_shared::london::format_date_time(c.at)
                ));
            }
            expected_prev = event.hash.clone();
            expected_seq = event.seq + 1;
        }
    }
    let events = expected_seq - 1;
    match store::head(conn, org.id).await? {
        Some((last_seq, last_hash)) if last_seq != events || last_hash != expected_prev => {
            problems.push(format!(
                "the trail ends at event {events} but its head says {last_seq} were written"
            ));
        }
        None if events > 0 => problems.push("the trail has events but no head".into()),
        _ => {}
    }
    let last = signed.iter().max_by_key(|c| c.seq);
    if let Some(c) = last.filter(|c| c.seq > events) {
        problems.push(format!(
            "the trail was cut short: it ends at event {events}, but event {} was signed on {}",
            c.seq,
            proplink_shared::london::format_date_time(c.at)
        ));
    }
    Ok(ChainReport {
        slug: org.slug.clone(),
        events,
        checkpoint: last.map(|c| (c.seq, c.at)),
        problems,
    })
}

/// `proplink audit verify` for the actor's own organisation, for its owners and
/// administrators: the chain re-computed and held to the server's signed checkpoints.
pub async fn verify_mine(app: &App, actor: &Actor) -> AppResult<ChainReport> {
    check(
        actor,
        Action::Read,
        &Resource::org_wide(actor.org, Domain::Audit),
    )?;
    if !matches!(actor.principal, Principal::Staff { role: Some(r), .. } if r.administers()) {
        return Err(AppError::Forbidden);
    }
    let path = app.config.audit_checkpoint_file.clone();
    let key = app.secrets.audit_public_key();
    let signed = tokio::task::spawn_blocking(move || checkpoints::Checkpoints::read(&path, &key))
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?
        .map_err(AppError::Internal)?;
    let mut conn = app.db.read().await?;
    let org = orgs::by_id(&mut conn, actor.org)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut report = verify_org(&mut conn, &org, &signed.of(actor.org))
        .await
        .map_err(AppError::Internal)?;
    report.problems.extend(signed.problems);
    Ok(report)
}
