//! Facility Report's sync: device sign-in, `push` (the outbox, exactly once and in order) and
//! `pull` (what changed in the user's sites since the device's cursor).
//!
//! The rules, from the Replicache pattern: the server keeps per person and device the last
//! `seq` it has settled, and advances it in the same transaction as the mutation's effects and
//! audit event. `seq <= last` is a duplicate (the stored outcome is returned again); `last + 1`
//! is applied; a gap is refused with nothing applied. A mutation that can never succeed is
//! rejected with a reason and still advances the counter. A whole push is one transaction,
//! each mutation inside a savepoint: a rejected one is undone alone, and a fault of the server
//! undoes the whole push, so the answer never hides a half-applied batch.

use proplink_shared::audit::AuditAction;
use proplink_shared::records::{NewIssue, NewTicket, RecordType};
use proplink_shared::sync::*;
use proplink_shared::{Actor, Principal, SiteScope};
use serde_json::json;

mod pull;

pub use pull::pull;

use super::auth::{self, DEVICE_IDLE, Door, token_hash};
use super::change::{Change, Event};
use super::work_orders::FieldUpdate;
use super::{files, issues, tickets, work_orders};
use crate::app::{App, random_token};
use crate::error::{AppError, AppResult};
use crate::store::orgs::{self, Organisation, StaffUser};
use crate::store::places;
use crate::store::requests::IssuePlace;
use crate::store::sync::{self as store, DeviceKey, NewToken, Outcome as StoredOutcome};

/// How long a replaced token keeps working, so an answer lost on the way can be asked again.
const REFRESH_GRACE: time::Duration = time::Duration::minutes(2);

/// A device signed in with a bearer token.
pub struct Device {
    pub org: Organisation,
    pub staff: StaffUser,
    pub actor: Actor,
    pub device_id: String,
    pub signed_in_at: time::OffsetDateTime,
    pub expires_at: time::OffsetDateTime,
}

impl Device {
    fn key(&self) -> DeviceKey<'_> {
        DeviceKey {
            org: self.org.id,
            user: self.staff.id,
            device_id: &self.device_id,
        }
    }
}

/// The device behind a bearer token, if the token is live — not revoked, not past its absolute
/// limit, used within its idle limit — and its user still active.
pub async fn device(app: &App, token: &str) -> AppResult<Option<Device>> {
    let hash = token_hash(token);
    let now = app.clock.now();
    let mut conn = app.db.read().await?;
    let Some(row) = store::token(&mut conn, &hash).await? else {
        return Ok(None);
    };
    if row.revoked_at.is_some_and(|at| at <= now)
        || now >= row.expires_at
        || now - row.last_seen_at >= DEVICE_IDLE
    {
        return Ok(None);
    }
    let Some(org) = orgs::by_id(&mut conn, row.organisation_id).await? else {
        return Ok(None);
    };
    let Some(staff) = orgs::staff_by_id(&mut conn, org.id, row.staff_user_id)
        .await?
        .filter(|s| s.active && s.role.is_some())
    else {
        return Ok(None);
    };
    let sites = orgs::staff_sites(&mut conn, org.id, staff.id).await?;
    drop(conn);
    let actor = auth::staff_actor(org.id, &staff, &sites, Door::FacilityReport.channel());
    if now - row.last_seen_at > time::Duration::minutes(1) {
        let mut tx = app.db.begin().await?;
        store::touch_token(&mut tx, &hash, now).await?;
        tx.commit().await?;
    }
    Ok(Some(Device {
        org,
        staff,
        actor,
        device_id: row.device_id,
        signed_in_at: row.signed_in_at,
        expires_at: row.expires_at,
    }))
}

/// The `seq` the server expects next from `user` on `device_id`: a phone that changes hands
/// numbers the new person's changes from here.
pub async fn next_seq(
    app: &App,
    org: proplink_shared::OrgId,
    user: proplink_shared::StaffUserId,
    device_id: &str,
) -> AppResult<i64> {
    let mut conn = app.db.read().await?;
    Ok(store::last_seq(&mut conn, org, user, device_id).await? + 1)
}

/// Trades a live token for a new one with the same limits; the old one stops working shortly.
pub async fn refresh(app: &App, device: &Device, token: &str) -> AppResult<String> {
    let now = app.clock.now();
    let fresh = random_token();
    let mut tx = app.db.begin().await?;
    store::revoke_token(&mut tx, &token_hash(token), now + REFRESH_GRACE).await?;
    store::insert_token(
        &mut tx,
        &NewToken {
            token_hash: &token_hash(&fresh),
            org: device.org.id,
            user: device.staff.id,
            device_id: &device.device_id,
            device_name: "",
            signed_in_at: device.signed_in_at,
            expires_at: device.expires_at,
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(fresh)
}

/// Ends a device's sign-in: its token stops working at once.
pub async fn sign_out(app: &App, device: &Device, token: &str) -> AppResult<()> {
    let mut change = Change::begin(app, &device.actor).await?;
    let now = change.now;
    store::revoke_token(&mut change, &token_hash(token), now).await?;
    change
        .record(Event::new(
            RecordType::Device,
            &device.device_id,
            AuditAction::SignOut,
            "signed out of the app",
            json!({}),
        ))
        .await?;
    change.commit().await
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

impl From<crate::store::DbError> for PushError {
    fn from(e: crate::store::DbError) -> Self {
        PushError::Other(e.into())
    }
}

pub async fn push(
    app: &App,
    device: &Device,
    request: &PushRequest,
) -> Result<PushResponse, PushError> {
    if request.device_id.to_string() != device.device_id {
        return Err(AppError::Forbidden.into());
    }
    if request.mutations.len() > MAX_MUTATIONS_PER_PUSH {
        return Err(AppError::invalid(
            "mutations",
            format!("A push can carry at most {MAX_MUTATIONS_PER_PUSH} changes; send the rest in another push."),
        )
        .into());
    }
    if request
        .mutations
        .iter()
        .flat_map(|m| m.change.photos())
        .any(|sha| files::valid_sha256(sha).is_err())
    {
        return Err(AppError::invalid(
            "mutations",
            "A photo is named by the SHA-256 of its bytes, as 64 lower-case hex characters",
        )
        .into());
    }
    if request.mutations.iter().any(|m| m.seq < 1) {
        return Err(
            AppError::invalid("mutations", "Changes from a phone are numbered from 1").into(),
        );
    }
    for pair in request.mutations.windows(2) {
        if pair[1].seq != pair[0].seq + 1 {
            return Err(AppError::invalid(
                "mutations",
                "The changes of a push must have consecutive seq numbers",
            )
            .into());
        }
    }
    let key = device.key();
    let mut change = Change::begin(app, &device.actor).await?;
    let mut last = store::claim_device(&mut change, key.org, key.user, key.device_id).await?;
    if let Some(first) = request.mutations.first() {
        if first.seq > last + 1 {
            return Err(PushError::Gap { expected: last + 1 });
        }
    }
    let mut results = Vec::with_capacity(request.mutations.len());
    let mut missing_photos = Vec::new();
    let mut settled = false;
    for mutation in &request.mutations {
        if mutation.seq <= last {
            results.push(duplicate(&mut change, &key, mutation).await?);
            continue;
        }
        let now = change.now;
        // The same change under a new number: acknowledge it as the one already applied.
        if let Some(first) =
            store::outcome_of_mutation(&mut change, &key, mutation.mutation_id).await?
        {
            let result = MutationResult {
                mutation_id: mutation.mutation_id,
                seq: mutation.seq,
                outcome: Outcome::Duplicate,
                original: Some(stored_outcome(&first.outcome)),
                reason: first.reason.clone(),
                code: first.code.clone(),
            };
            let reason = format!("This change was already received as change {}.", first.seq);
            settle(
                &mut change,
                &key,
                mutation,
                "duplicate",
                Some(("duplicate", &reason)),
                now,
            )
            .await?;
            change
                .record(Event::new(
                    RecordType::Device,
                    &device.device_id,
                    AuditAction::PermissionRefused,
                    format!("sent a change the server already had (change {} again as {})", first.seq, mutation.seq),
                    json!({ "seq": mutation.seq, "mutation_id": mutation.mutation_id, "first_seq": first.seq }),
                ))
                .await?;
            results.push(result);
            last = mutation.seq;
            settled = true;
            continue;
        }
        let missing = files::missing(app, &device.actor, mutation.change.photos()).await?;
        if !missing.is_empty() {
            // Not a rejection: the photos are on their way. Stop here; the app uploads and retries.
            missing_photos = missing;
            break;
        }
        let point = change.savepoint("mutation").await?;
        let outcome = apply(&mut change, &device.actor, &mutation.change).await;
        let result = match outcome {
            Ok(()) => {
                change.keep(point).await?;
                settle(&mut change, &key, mutation, "applied", None, now).await?;
                MutationResult {
                    mutation_id: mutation.mutation_id,
                    seq: mutation.seq,
                    outcome: Outcome::Applied,
                    original: None,
                    reason: None,
                    code: None,
                }
            }
            // The server's own fault: nothing of this push is kept, and the app retries it.
            Err(e @ AppError::Internal(_)) => return Err(e.into()),
            Err(e) => {
                change.undo_to(point).await?;
                let (code, reason) =
                    explain(&mut change, &device.actor, &mutation.change, &e).await?;
                settle(
                    &mut change,
                    &key,
                    mutation,
                    "rejected",
                    Some((&code, &reason)),
                    now,
                )
                .await?;
                change
                    .record(Event::new(
                        RecordType::Device,
                        &device.device_id,
                        AuditAction::PermissionRefused,
                        format!("could not apply a change from the app ({}): {reason}", mutation.change.kind().replace('_', " ")),
                        json!({ "seq": mutation.seq, "mutation_id": mutation.mutation_id, "code": code }),
                    ))
                    .await?;
                MutationResult {
                    mutation_id: mutation.mutation_id,
                    seq: mutation.seq,
                    outcome: Outcome::Rejected,
                    original: None,
                    reason: Some(reason),
                    code: Some(code),
                }
            }
        };
        results.push(result);
        last = mutation.seq;
        settled = true;
    }
    if settled {
        store::set_last_seq(&mut change, key.org, key.user, key.device_id, last).await?;
        change.commit().await?;
    }
    Ok(PushResponse {
        results,
        last_seq: last,
        missing_photos,
    })
}

fn stored_outcome(text: &str) -> Outcome {
    match text {
        "applied" => Outcome::Applied,
        "duplicate" => Outcome::Duplicate,
        _ => Outcome::Rejected,
    }
}

async fn duplicate(
    change: &mut Change<'_>,
    key: &DeviceKey<'_>,
    mutation: &Mutation,
) -> AppResult<MutationResult> {
    let stored = store::outcome(change, key, mutation.seq).await?;
    Ok(match stored {
        Some(s) if s.mutation_id == mutation.mutation_id => MutationResult {
            mutation_id: mutation.mutation_id,
            seq: mutation.seq,
            outcome: Outcome::Duplicate,
            original: Some(stored_outcome(&s.outcome)),
            reason: s.reason,
            code: s.code,
        },
        // The number was used by another change: this one can never be applied under it.
        _ => MutationResult {
            mutation_id: mutation.mutation_id,
            seq: mutation.seq,
            outcome: Outcome::Rejected,
            original: None,
            reason: Some(format!(
                "Change number {} from this phone was already used by another change, so this one was not applied.",
                mutation.seq
            )),
            code: Some("seq_reused".into()),
        },
    })
}

async fn settle(
    change: &mut Change<'_>,
    key: &DeviceKey<'_>,
    mutation: &Mutation,
    outcome: &str,
    why: Option<(&str, &str)>,
    now: time::OffsetDateTime,
) -> AppResult<()> {
    store::record_outcome(
        change,
        key,
        &StoredOutcome {
            seq: mutation.seq,
            mutation_id: mutation.mutation_id,
            outcome: outcome.into(),
            reason: why.map(|w| w.1.to_owned()),
            code: why.map(|w| w.0.to_owned()),
        },
        mutation.change.kind(),
        now,
    )
    .await?;
    Ok(())
}

/// Makes the change through the same services as every other door.
async fn apply(change: &mut Change<'_>, actor: &Actor, c: &Change_) -> AppResult<()> {
    match c {
        Change_::LogIssue(c) => {
            let new = NewIssue::validate(
                &c.title,
                &c.description,
                &c.location,
                c.category.code(),
                c.priority.code(),
            )?;
            let place = IssuePlace {
                site: c.site_id,
                building: c.building_id,
                ticket: c.ticket_id,
            };
            issues::log_in(change, actor, c.issue_id, &place, &new).await?;
            files::attach_in(
                change,
                actor,
                RecordType::Issue,
                &c.issue_id.to_string(),
                &c.photos,
            )
            .await
        }
        Change_::RaiseTicket(c) => {
            let new =
                NewTicket::validate(&c.subject, &c.body, c.category.code(), c.priority.code())?;
            let origin = tickets::TicketOrigin {
                site: c.site_id,
                unit: c.unit_id,
                reporter: None,
                assignee: None,
            };
            tickets::raise_in(change, actor, c.ticket_id, origin, &new).await?;
            files::attach_in(
                change,
                actor,
                RecordType::Ticket,
                &c.ticket_id.to_string(),
                &c.photos,
            )
            .await
        }
        Change_::UpdateWorkOrder(c) => {
            let update = FieldUpdate {
                expected: c.expected_status,
                to: c.to_status,
                note: c.note.as_deref(),
                photos: &c.photos,
            };
            work_orders::field_update_in(change, actor, c.work_order_id, &update).await
        }
        Change_::ReplyTicket(c) => {
            tickets::add_entry_in(change, actor, c.ticket_id, &c.body, c.internal).await
        }
        Change_::LinkIssue(c) => {
            let seen = c.seen.map(|s| (s.building_id, s.ticket_id));
            issues::link_in(change, actor, c.issue_id, c.building_id, c.ticket_id, seen).await
        }
    }
}

use proplink_shared::sync::Change as Change_;

/// A stable code and a sentence for the person holding the phone.
async fn explain(
    change: &mut Change<'_>,
    actor: &Actor,
    c: &Change_,
    e: &AppError,
) -> AppResult<(String, String)> {
    let site = match c {
        Change_::LogIssue(c) => Some(c.site_id),
        Change_::RaiseTicket(c) => Some(c.site_id),
        _ => None,
    };
    if let (AppError::NotFound, Some(site)) = (e, site) {
        if !covers(actor, site) {
            if let Some(s) = places::site(change, actor.org, site).await? {
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
        AppError::Conflict {
            code: "already_exists",
            message,
        } => ("already_exists".into(), message.clone()),
        AppError::Conflict { message, .. } => ("stale".into(), message.clone()),
        AppError::Invalid(v) => ("invalid".into(), v.summary()),
        other => ("invalid".into(), other.public_message()),
    })
}

fn covers(actor: &Actor, site: proplink_shared::SiteId) -> bool {
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
