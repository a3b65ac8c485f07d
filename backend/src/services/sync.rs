//! Facility Report's sync: device sign-in, `push` (the outbox, exactly once and in order) and
//! `pull` (what changed in the user's sites since the device's cursor).
//!
//! The rules, from the Replicache pattern: the server keeps per device the last `seq` it has
//! settled and advances it in the same transaction as the mutation's effects and audit event.
//! `seq <= last` is a duplicate (the stored outcome is returned again); `last + 1` is applied;
//! a gap is refused with nothing applied. A mutation that can never succeed is rejected with a
//! reason and still advances the counter. The answer is sent only after the commit.

use std::collections::{BTreeSet, HashMap};

use proplink_shared::records::{NewIssue, NewTicket};
use proplink_shared::sync::*;
use proplink_shared::{Actor, OrgId, Principal, SiteId, SiteScope, TicketId};
use sqlx::AnyConnection;
use uuid::Uuid;

use super::auth::{self, Door, session_hash};
use super::{issues, requests, site_work};
use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::store::orgs::{self, OrgRow, StaffRow};
use crate::store::{self, places, sync as sync_store};

/// A device signed in with a bearer token.
pub struct Device {
    pub org: OrgRow,
    pub staff: StaffRow,
    pub actor: Actor,
    pub device_id: String,
}

/// The device behind a bearer token, if the token is live and its user still active.
pub async fn device(app: &App, token: &str) -> AppResult<Option<Device>> {
    let hash = session_hash(token);
    let mut conn = app.db.read().await?;
    let Some(row) = sync_store::token(&mut conn, &hash).await? else {
        return Ok(None);
    };
    let Some(org) = orgs::by_id(&mut conn, row.organisation_id).await? else {
        return Ok(None);
    };
    let Some(staff) = orgs::staff_by_id(&mut conn, org.id, row.staff_user_id)
        .await?
        .filter(|s| s.active == 1)
    else {
        return Ok(None);
    };
    let actor =
        auth::staff_actor(&mut conn, org.id, &staff, Door::FacilityReport.channel()).await?;
    drop(conn);
    let now = app.now_micros();
    if now - row.last_seen_at > 60_000_000 {
        let mut tx = app.db.write().await?;
        sync_store::touch_token(&mut tx, &hash, now).await?;
        tx.commit().await?;
    }
    Ok(Some(Device {
        org,
        staff,
        actor,
        device_id: row.device_id,
    }))
}

/// Ends a device's sign-in: its token stops working at once.
pub async fn sign_out(app: &App, device: &Device, token: &str) -> AppResult<()> {
    let mut tx = app.db.write().await?;
    sync_store::revoke_token(&mut tx, &session_hash(token), app.now_micros()).await?;
    let event = super::audit::Event {
        record_type: "device",
        record_id: device.device_id.clone(),
        action: proplink_shared::audit::AuditAction::SignOut,
        what: "signed out of the app".into(),
        detail: serde_json::json!({}),
    };
    super::audit::record(
        &mut tx,
        device.org.id,
        &super::audit::Who::of(&device.actor),
        event,
        app.clock.now(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Why a push was refused as a whole.
#[derive(Debug)]
pub enum PushError {
    /// The batch does not continue from the server's counter: nothing was applied.
    Gap {
        expected: i64,
    },
    Other(AppError),
}

impl From<AppError> for PushError {
    fn from(e: AppError) -> Self {
        PushError::Other(e)
    }
}

impl From<sqlx::Error> for PushError {
    fn from(e: sqlx::Error) -> Self {
        PushError::Other(e.into())
    }
}

pub async fn push(
    app: &App,
    device: &Device,
    request: &PushRequest,
) -> Result<PushResponse, PushError> {
    let device_id = request.device_id.to_string();
    if device_id != device.device_id {
        return Err(AppError::Forbidden.into());
    }
    for pair in request.mutations.windows(2) {
        if pair[1].seq != pair[0].seq + 1 {
            return Err(AppError::BadRequest(
                "The mutations of a batch must have consecutive seq numbers".into(),
            )
            .into());
        }
    }
    let mut results = Vec::with_capacity(request.mutations.len());
    let mut last_seq = current_last(app, device).await?;
    if let Some(first) = request.mutations.first() {
        if first.seq > last_seq + 1 {
            return Err(PushError::Gap {
                expected: last_seq + 1,
            });
        }
    }
    for mutation in &request.mutations {
        if mutation.seq <= last_seq {
            results.push(duplicate(app, device, mutation).await?);
            continue;
        }
        let missing = super::files::missing(app, device.org.id, mutation.change.photos()).await?;
        if !missing.is_empty() {
            // Not a rejection: the photos are on their way. Stop here; the app uploads and retries.
            return Ok(PushResponse {
                results,
                last_seq,
                missing_photos: missing,
            });
        }
        results.push(apply(app, device, mutation).await?);
        last_seq = mutation.seq;
    }
    Ok(PushResponse {
        results,
        last_seq,
        missing_photos: Vec::new(),
    })
}

async fn current_last(app: &App, device: &Device) -> Result<i64, PushError> {
    let mut tx = app.db.write().await?;
    let (owner, last) =
        sync_store::claim_device(&mut tx, device.org.id, &device.device_id, device.staff.id)
            .await?;
    if owner != device.staff.id {
        // The device belongs to someone else's account.
        return Err(AppError::Forbidden.into());
    }
    tx.commit().await?;
    Ok(last)
}

async fn duplicate(
    app: &App,
    device: &Device,
    mutation: &Mutation,
) -> Result<MutationResult, PushError> {
    let mut conn = app.db.read().await?;
    let stored =
        sync_store::outcome(&mut conn, device.org.id, &device.device_id, mutation.seq).await?;
    let Some(stored) = stored.filter(|s| s.mutation_id == mutation.mutation_id.to_string()) else {
        return Err(AppError::Conflict(format!(
            "seq {} was already used by a different change",
            mutation.seq
        ))
        .into());
    };
    Ok(MutationResult {
        mutation_id: mutation.mutation_id,
        seq: mutation.seq,
        outcome: Outcome::Duplicate,
        original: Some(if stored.outcome == "applied" {
            Outcome::Applied
        } else {
            Outcome::Rejected
        }),
        reason: stored.reason,
        code: stored.code,
    })
}

/// Applies one mutation and advances the counter in one transaction; if the change cannot be
/// made, records the rejection and advances the counter in another.
async fn apply(
    app: &App,
    device: &Device,
    mutation: &Mutation,
) -> Result<MutationResult, PushError> {
    let org = device.org.id;
    let now = app.now_micros();
    let mut tx = app.db.write().await?;
    let (_, last) =
        sync_store::claim_device(&mut tx, org, &device.device_id, device.staff.id).await?;
    if mutation.seq != last + 1 {
        // Another push from this device got there first.
        return Err(PushError::Gap { expected: last + 1 });
    }
    let failure = match change(&mut tx, app, &device.actor, &mutation.change).await {
        Ok(()) => {
            settle(&mut tx, org, device, mutation, "applied", None, now).await?;
            tx.commit().await?;
            return Ok(MutationResult {
                mutation_id: mutation.mutation_id,
                seq: mutation.seq,
                outcome: Outcome::Applied,
                original: None,
                reason: None,
                code: None,
            });
        }
        Err(AppError::Internal(e)) => return Err(AppError::Internal(e).into()),
        Err(e) => e,
    };
    drop(tx);
    let (code, reason) = explain(app, &device.actor, &mutation.change, &failure).await?;
    let mut tx = app.db.write().await?;
    let (_, last) =
        sync_store::claim_device(&mut tx, org, &device.device_id, device.staff.id).await?;
    if mutation.seq != last + 1 {
        return Err(PushError::Gap { expected: last + 1 });
    }
    settle(
        &mut tx,
        org,
        device,
        mutation,
        "rejected",
        Some((&code, &reason)),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(MutationResult {
        mutation_id: mutation.mutation_id,
        seq: mutation.seq,
        outcome: Outcome::Rejected,
        original: None,
        reason: Some(reason),
        code: Some(code),
    })
}

async fn settle(
    tx: &mut AnyConnection,
    org: OrgId,
    device: &Device,
    mutation: &Mutation,
    outcome: &str,
    why: Option<(&str, &str)>,
    now: i64,
) -> Result<(), sqlx::Error> {
    sync_store::set_last_seq(&mut *tx, org, &device.device_id, mutation.seq).await?;
    let row = sync_store::OutcomeRow {
        seq: mutation.seq,
        mutation_id: mutation.mutation_id.to_string(),
        outcome: outcome.into(),
        reason: why.map(|w| w.1.to_owned()),
        code: why.map(|w| w.0.to_owned()),
    };
    sync_store::record_outcome(
        tx,
        org,
        &device.device_id,
        &row,
        mutation.change.kind(),
        now,
    )
    .await
}

/// Makes the change through the same services as every other door.
async fn change(
    tx: &mut AnyConnection,
    app: &App,
    actor: &Actor,
    change: &Change,
) -> AppResult<()> {
    let now = app.now_micros();
    match change {
        Change::LogIssue(c) => {
            let new = NewIssue::validate(
                &c.title,
                &c.description,
                &c.location,
                &c.category,
                &c.priority,
            )?;
            let place = issues::IssuePlace {
                site: c.site_id,
                building: c.building_id,
                ticket: c.ticket_id,
            };
            issues::log_in(&mut *tx, app, actor, c.issue_id, place, &new)
                .await
                .map_err(already_recorded)?;
            attach(
                tx,
                actor.org,
                "issue",
                &c.issue_id.to_string(),
                &c.photos,
                now,
            )
            .await
        }
        Change::RaiseTicket(c) => {
            let new = NewTicket::validate(&c.subject, &c.body, &c.category, &c.priority)?;
            let origin = requests::TicketOrigin {
                site: c.site_id,
                unit: c.unit_id,
                reporter: None,
                assignee: None,
            };
            requests::raise_in(&mut *tx, app, actor, c.ticket_id, origin, &new)
                .await
                .map_err(already_recorded)?;
            attach(
                tx,
                actor.org,
                "ticket",
                &c.ticket_id.to_string(),
                &c.photos,
                now,
            )
            .await
        }
        Change::UpdateWorkOrder(c) => {
            let update = site_work::FieldUpdate {
                expected: c.expected_status,
                to: c.to_status,
                note: c.note.as_deref(),
                photos: &c.photos,
            };
            site_work::update_in(tx, app, actor, c.work_order_id, &update).await
        }
        Change::ReplyTicket(c) => {
            requests::add_entry_in(tx, app, actor, c.ticket_id, &c.body, c.internal).await
        }
    }
}

async fn attach(
    tx: &mut AnyConnection,
    org: OrgId,
    record_type: &str,
    record_id: &str,
    photos: &[String],
    now: i64,
) -> AppResult<()> {
    for sha in photos {
        sync_store::attach_file(&mut *tx, org, record_type, record_id, sha, now).await?;
    }
    Ok(())
}

/// A record id the device chose that already exists is a clash, not a server fault.
fn already_recorded(e: AppError) -> AppError {
    match e {
        AppError::Internal(inner)
            if inner
                .downcast_ref::<sqlx::Error>()
                .is_some_and(store::is_unique_violation) =>
        {
            AppError::Conflict("A record with this id already exists".into())
        }
        other => other,
    }
}

/// A stable code and a sentence for the person holding the phone.
async fn explain(
    app: &App,
    actor: &Actor,
    change: &Change,
    e: &AppError,
) -> AppResult<(String, String)> {
    let site = match change {
        Change::LogIssue(c) => Some(c.site_id),
        Change::RaiseTicket(c) => Some(c.site_id),
        _ => None,
    };
    if let (AppError::NotFound, Some(site)) = (e, site) {
        if !covers(actor, site) {
            let mut conn = app.db.read().await?;
            if let Some(s) = places::site(&mut conn, actor.org, site).await? {
                return Ok((
                    "forbidden".into(),
                    format!(
                        "You are no longer assigned to {}, so this could not be saved there.",
                        s.name
                    ),
                ));
            }
        }
    }
    Ok(match e {
        AppError::NotFound => (
            "not_found".into(),
            "The record is no longer there, or you no longer have access to it.".into(),
        ),
        AppError::Forbidden => (
            "forbidden".into(),
            "You do not have permission to do that from the app.".into(),
        ),
        AppError::Conflict(m) => ("stale".into(), m.clone()),
        AppError::Invalid(v) => ("invalid".into(), v.summary()),
        other => ("invalid".into(), other.public_message()),
    })
}

fn covers(actor: &Actor, site: SiteId) -> bool {
    match &actor.principal {
        Principal::Staff {
            scope: Some(SiteScope::AllSites),
            ..
        } => true,
        Principal::Staff {
            scope: Some(SiteScope::Selected(sites)),
            ..
        } => sites.contains(&site),
        _ => false,
    }
}

/// What changed for this device since `cursor`.
pub async fn pull(app: &App, device: &Device, cursor: i64) -> AppResult<PullResponse> {
    let org = device.org.id;
    let mut conn = app.db.read().await?;
    let head = crate::store::audit::head(&mut conn, org)
        .await?
        .map_or(0, |h| h.0);
    let scope_changed = cursor > 0
        && sync_store::scope_changed_since(&mut conn, org, device.staff.id, cursor).await?;
    let reset = cursor <= 0 || cursor > head || scope_changed;
    let changed: Option<BTreeSet<(String, String)>> = if reset {
        None
    } else {
        Some(
            sync_store::changed_since(&mut conn, org, cursor)
                .await?
                .into_iter()
                .collect(),
        )
    };
    drop(conn);
    let wanted = |record_type: &str, id: &str| {
        changed
            .as_ref()
            .is_none_or(|c| c.contains(&(record_type.to_owned(), id.to_owned())))
    };
    let actor = &device.actor;
    let mut response = PullResponse {
        cursor: head,
        reset,
        ..PullResponse::default()
    };
    response.sites = site_views(app, actor).await?;

    let tickets = requests::tickets(app, actor, 5_000).await?;
    // One query each for every conversation and photo, rather than one per record.
    let (mut conversations, mut issue_photos) = {
        let mut conn = app.db.read().await?;
        let mut conversations: HashMap<TicketId, Vec<MessageView>> = HashMap::new();
        for (ticket, e) in crate::store::requests::entries_of_open_tickets(&mut conn, org).await? {
            conversations.entry(ticket).or_default().push(MessageView {
                author: e.author_name,
                body: e.body,
                internal: e.kind == "internal_note",
                created_at: e.created_at,
            });
        }
        let mut issue_photos: HashMap<String, Vec<String>> = HashMap::new();
        for (record, sha) in sync_store::files_of_type(&mut conn, org, "issue").await? {
            issue_photos.entry(record).or_default().push(sha);
        }
        (conversations, issue_photos)
    };
    for t in tickets
        .iter()
        .filter(|t| wanted("ticket", &t.id.to_string()))
    {
        if t.status.is_terminal() {
            response.removed.push(Removed {
                record_type: "ticket".into(),
                id: t.id.0,
            });
            continue;
        }
        response.tickets.push(TicketView {
            id: t.id,
            site_id: t.site_id,
            reference: t.reference.clone(),
            subject: t.subject.clone(),
            category: t.category.code().into(),
            priority: t.priority.code().into(),
            status: t.status.code().into(),
            reporter: t.reporter_name.clone(),
            created_at: t.created_at,
            // Facility Report is for staff, who see internal notes too.
            messages: conversations.remove(&t.id).unwrap_or_default(),
        });
    }
    let issue_rows = issues::issues(app, actor, 5_000).await?;
    for i in issue_rows
        .iter()
        .filter(|i| wanted("issue", &i.id.to_string()))
    {
        if i.status.is_terminal() {
            response.removed.push(Removed {
                record_type: "issue".into(),
                id: i.id.0,
            });
            continue;
        }
        let photos = issue_photos.remove(&i.id.to_string()).unwrap_or_default();
        response.issues.push(IssueView {
            id: i.id,
            site_id: i.site_id,
            title: i.title.clone(),
            location: i.location.clone(),
            category: i.category.code().into(),
            priority: i.priority.code().into(),
            status: i.status.code().into(),
            created_at: i.created_at,
            photos,
        });
    }
    for w in super::works::work_orders(app, actor, 5_000)
        .await?
        .iter()
        .filter(|w| wanted("work_order", &w.id.to_string()))
    {
        if w.status.is_terminal() {
            response.removed.push(Removed {
                record_type: "work_order".into(),
                id: w.id.0,
            });
            continue;
        }
        response.work_orders.push(WorkOrderView {
            id: w.id,
            site_id: w.site_id,
            reference: w.reference.clone(),
            title: w.title.clone(),
            scope: w.scope.clone(),
            priority: w.priority.code().into(),
            status: w.status,
            contractor: w.vendor_name.clone(),
            deadline: w.deadline.clone(),
        });
    }
    // Changed records the user can no longer see at all (moved out of scope) are removed too.
    if let Some(changed) = &changed {
        let seen: BTreeSet<Uuid> = tickets
            .iter()
            .map(|t| t.id.0)
            .chain(issue_rows.iter().map(|i| i.id.0))
            .collect();
        for (record_type, id) in changed {
            if matches!(record_type.as_str(), "ticket" | "issue" | "work_order") {
                if let Ok(id) = id.parse::<Uuid>() {
                    let listed = seen.contains(&id)
                        || response.work_orders.iter().any(|w| w.id.0 == id)
                        || response.removed.iter().any(|r| r.id == id);
                    if !listed {
                        response.removed.push(Removed {
                            record_type: record_type.clone(),
                            id,
                        });
                    }
                }
            }
        }
    }
    Ok(response)
}

async fn site_views(app: &App, actor: &Actor) -> AppResult<Vec<SiteView>> {
    let buildings = super::places::buildings(app, actor).await?;
    Ok(super::places::sites(app, actor)
        .await?
        .into_iter()
        .map(|s| SiteView {
            buildings: buildings
                .iter()
                .filter(|b| b.site_id == s.id)
                .map(|b| BuildingView {
                    id: b.id,
                    name: b.name.clone(),
                })
                .collect(),
            id: s.id,
            reference: s.reference,
            name: s.name,
            address: s.address,
        })
        .collect())
}
