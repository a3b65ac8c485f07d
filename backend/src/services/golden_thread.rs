//! The golden thread of a higher-risk building: each part's versions, written by those who may
//! keep the thread (managers and above), read by those who may read it, compared version with
//! version. A building that is not higher-risk has no thread: it is not found.

use proplink_shared::audit::AuditAction;
use proplink_shared::records::RecordType;
use proplink_shared::records::{
    FieldChange, GoldenThreadCategory, NewThreadVersion, ThreadBody, diff,
};
use proplink_shared::{Action, Actor, BuildingId, Domain, Principal, Resource};
use serde_json::json;
use time::OffsetDateTime;

pub mod concerns;
pub mod documents;
pub mod fire_safety;
pub mod handover;
pub mod occurrences;
pub mod regulators;

use super::change::{Change, Event, Who};
use super::check;
use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::store::places::{self, Building};
use crate::store::thread::{self as store, NewVersion, ThreadVersion};
use crate::store::work_orders::SafetyWork;
use proplink_shared::records::ServiceCategory;

/// One version of one part, read.
#[derive(Clone, Debug)]
pub struct PartVersion {
    pub section: GoldenThreadCategory,
    pub version: i64,
    pub body: ThreadBody,
    pub change_note: String,
    pub author: String,
    pub channel: proplink_shared::audit::Channel,
    pub at: OffsetDateTime,
}

fn read(row: ThreadVersion) -> Option<PartVersion> {
    Some(PartVersion {
        section: GoldenThreadCategory::from_code(&row.section)?,
        version: row.version,
        body: serde_json::from_str(&row.body).ok()?,
        change_note: row.change_note,
        author: row.author_name,
        channel: row.channel,
        at: row.created_at,
    })
}

/// Where the thread sits, as `authorize` judges it.
fn resource(actor: &Actor, b: &Building, section: Option<GoldenThreadCategory>) -> Resource {
    let mut r = Resource::on_site(actor.org, Domain::GoldenThread, b.site_id);
    r.building = Some(b.id);
    // The thread as a whole, and the parts meant for residents, are theirs to read too.
    r.audience = Some(
        if section.is_none_or(GoldenThreadCategory::shown_to_residents) {
            proplink_shared::authz::Audience::Residents
        } else {
            proplink_shared::authz::Audience::Regulator
        },
    );
    r
}

/// Whether `actor` may read this part of the building's thread.
fn readable(actor: &Actor, b: &Building, section: GoldenThreadCategory) -> bool {
    check(actor, Action::Read, &resource(actor, b, Some(section))).is_ok()
}

/// Whether `actor` may keep the building's thread: save versions, give the Regulator access,
/// issue the fire-safety information, record occurrences.
#[must_use]
pub fn may_keep(actor: &Actor, b: &Building) -> bool {
    check(actor, Action::Update, &resource(actor, b, None)).is_ok()
}

/// Keeps, in the building's trail, that the Regulator read its thread: every view of theirs
/// is on record, as the organisation must be able to show.
async fn note_view(app: &App, actor: &Actor, b: &Building, what: String) -> AppResult<()> {
    if !matches!(actor.principal, Principal::Regulator { .. }) {
        return Ok(());
    }
    let mut change = Change::begin(app, actor).await?;
    change
        .record(Event::new(
            RecordType::GoldenThread,
            b.id,
            AuditAction::View,
            what,
            json!({}),
        ))
        .await?;
    change.commit().await
}

/// The building, if it is a higher-risk one `actor` may `action` the thread of.
async fn hrb(
    conn: &mut crate::store::Conn,
    actor: &Actor,
    id: BuildingId,
    action: Action,
    section: Option<GoldenThreadCategory>,
) -> AppResult<Building> {
    let b = places::building(conn, actor.org, id)
        .await?
        .filter(|b| b.is_hrb)
        .ok_or(AppError::NotFound)?;
    check(actor, action, &resource(actor, &b, section))?;
    Ok(b)
}

/// Saves a new version of one part, made from version `based_on` (0 for the first); refused
/// if someone saved another version since. Returns the new version's number.
pub async fn save(
    app: &App,
    actor: &Actor,
    building: BuildingId,
    based_on: i64,
    new: &NewThreadVersion,
) -> AppResult<i64> {
    // Occurrence reports go notice then report, never as a free edit of the thread.
    if new.category == GoldenThreadCategory::MandatoryOccurrence {
        return Err(AppError::NotFound);
    }
    let mut change = Change::begin(app, actor).await?;
    let b = hrb(
        &mut change,
        actor,
        building,
        Action::Update,
        Some(new.category),
    )
    .await?;
    let section = new.category.code();
    let latest = store::history(&mut change, actor.org, building, section)
        .await?
        .into_iter()
        .next();
    let stale = || {
        AppError::conflict(
            "stale",
            format!(
                "Someone saved a newer version of \"{}\" since you opened it. Reload it to see their change, then make yours again.",
                new.category.label()
            ),
        )
    };
    if latest.as_ref().map_or(0, |l| l.version) != based_on {
        return Err(stale());
    }
    let before: ThreadBody = latest.and_then(read).map(|v| v.body).unwrap_or_default();
    let changes = diff(new.category, &before, &new.body);
    if based_on > 0 && changes.is_empty() {
        return Err(AppError::invalid(
            "change_note",
            "Nothing in it changed: a new version needs a change",
        ));
    }
    let version = based_on + 1;
    let who = Who::of(actor);
    let body = serde_json::to_string(&new.body).map_err(|e| AppError::Internal(e.into()))?;
    let now = change.now;
    let written = store::insert(
        &mut change,
        &NewVersion {
            org: actor.org,
            building,
            section,
            version,
            body: &body,
            change_note: &new.change_note,
            author_kind: who.kind,
            author_id: who.id.as_deref(),
            author_name: &who.name,
            channel: actor.channel,
        },
        now,
    )
    .await;
    if let Err(e) = written {
        return Err(if e.is_unique_violation() {
            stale()
        } else {
            e.into()
        });
    }
    change
        .record(Event::new(
            RecordType::GoldenThread,
            building,
            AuditAction::Update,
            format!(
                "updated \"{}\" in the golden thread of {} (version {version})",
                new.category.label(),
                b.name
            ),
            json!({
                "section": section,
                "version": version,
                "note": new.change_note,
                "changes": changes.iter().map(|c| json!({ "field": c.label, "before": c.before, "after": c.after })).collect::<Vec<_>>(),
            }),
        ))
        .await?;
    change.commit().await?;
    Ok(version)
}

/// Each part of the thread as it stands, that `actor` may read, in the parts' order.
pub async fn current(
    app: &App,
    actor: &Actor,
    building: BuildingId,
) -> AppResult<(Building, Vec<PartVersion>)> {
    let mut conn = app.db.read().await?;
    let b = hrb(&mut conn, actor, building, Action::Read, None).await?;
    let mut parts: Vec<PartVersion> = store::current(&mut conn, actor.org, building)
        .await?
        .into_iter()
        .filter_map(read)
        .filter(|p| readable(actor, &b, p.section))
        .collect();
    parts.sort_by_key(|p| {
        GoldenThreadCategory::ALL
            .iter()
            .position(|c| *c == p.section)
    });
    drop(conn);
    note_view(
        app,
        actor,
        &b,
        format!("viewed the golden thread of {}", b.name),
    )
    .await?;
    Ok((b, parts))
}

/// Safety works on the building's shared parts over the last year, newest first: what its
/// residents are told has been done or is under way.
pub async fn safety_works(
    app: &App,
    actor: &Actor,
    building: BuildingId,
) -> AppResult<Vec<SafetyWork>> {
    let mut conn = app.db.read().await?;
    hrb(
        &mut conn,
        actor,
        building,
        Action::Read,
        Some(GoldenThreadCategory::ResidentSummary),
    )
    .await?;
    let since = app.clock.now() - time::Duration::days(365);
    Ok(crate::store::work_orders::safety_works(
        &mut conn,
        actor.org,
        building,
        ServiceCategory::SAFETY,
        since,
    )
    .await?)
}

/// Every version of one part, newest first.
pub async fn history(
    app: &App,
    actor: &Actor,
    building: BuildingId,
    section: GoldenThreadCategory,
) -> AppResult<(Building, Vec<PartVersion>)> {
    let mut conn = app.db.read().await?;
    let b = hrb(&mut conn, actor, building, Action::Read, Some(section)).await?;
    let versions = store::history(&mut conn, actor.org, building, section.code())
        .await?
        .into_iter()
        .filter_map(read)
        .collect();
    drop(conn);
    note_view(
        app,
        actor,
        &b,
        format!(
            "viewed every version of \"{}\" in the golden thread of {}",
            section.label(),
            b.name
        ),
    )
    .await?;
    Ok((b, versions))
}

/// What changed between two versions of a part: the fields, and who made the later one when.
#[derive(Clone, Debug)]
pub struct VersionDiff {
    pub from: PartVersion,
    pub to: PartVersion,
    pub changes: Vec<FieldChange>,
}

pub async fn compare(
    app: &App,
    actor: &Actor,
    building: BuildingId,
    section: GoldenThreadCategory,
    from: i64,
    to: i64,
) -> AppResult<VersionDiff> {
    let mut conn = app.db.read().await?;
    let b = hrb(&mut conn, actor, building, Action::Read, Some(section)).await?;
    let from = store::version(&mut conn, actor.org, building, section.code(), from)
        .await?
        .and_then(read)
        .ok_or(AppError::NotFound)?;
    let to = store::version(&mut conn, actor.org, building, section.code(), to)
        .await?
        .and_then(read)
        .ok_or(AppError::NotFound)?;
    let changes = diff(section, &from.body, &to.body);
    drop(conn);
    note_view(
        app,
        actor,
        &b,
        format!(
            "compared versions {} and {} of \"{}\" in the golden thread of {}",
            from.version,
            to.version,
            section.label(),
            b.name
        ),
    )
    .await?;
    Ok(VersionDiff { from, to, changes })
}
