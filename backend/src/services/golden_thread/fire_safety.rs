//! The fire-safety information every resident of a higher-risk building must be given when
//! they move in and every 12 months after: issued from the golden thread's current version,
//! emailed with the way to read it, and marked as delivered the first time the resident opens
//! it on BuildingThread. Staff see who has it, who has not opened it, and who is due, and issue
//! it; from then on PropLink issues it by itself every hour to new residents and a year on.

use proplink_shared::audit::AuditAction;
use proplink_shared::london::format_date;
use proplink_shared::records::{GoldenThreadCategory, RecordType, fire_safety_due};
use proplink_shared::{Action, Actor, BuildingId, ContactId};
use std::collections::HashMap;

use serde_json::json;
use time::OffsetDateTime;

use super::hrb;
use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::services::change::{Change, Event};
use crate::services::mail::{self, Outgoing};
use crate::store::places::Building;
use crate::store::residents::{Recipient, notice_recipients};
use crate::store::thread::{self as store, Delivery, NewDelivery};

/// Where one resident stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Standing {
    /// Never given it: a new resident, or none was issued yet.
    NeverIssued,
    /// Given it, not opened yet.
    NotOpened,
    /// Opened what they were given.
    Opened(OffsetDateTime),
}

/// A resident of the building and their latest copy.
#[derive(Clone, Debug)]
pub struct ResidentCopy {
    pub contact: ContactId,
    pub name: String,
    pub email: String,
    pub latest: Option<Delivery>,
    pub standing: Standing,
    /// Whether an issue is due: never given, given 12 months ago or more, or an older version.
    pub due: bool,
}

/// The building, the current version of the information, and every resident of the building
/// with where they stand, those who have not opened it first.
pub async fn copies(
    app: &App,
    actor: &Actor,
    building: BuildingId,
) -> AppResult<(Building, Option<i64>, Vec<ResidentCopy>)> {
    let mut conn = app.db.read().await?;
    let b = hrb(&mut conn, actor, building, Action::Update, None).await?;
    let today = proplink_shared::london::local(app.clock.now()).date();
    let current = current_version(&mut conn, actor, building).await?;
    let mut copies = residents(&mut conn, actor, building, current, today, true).await?;
    copies.sort_by(|a, b| {
        let opened = |c: &ResidentCopy| matches!(c.standing, Standing::Opened(_));
        (opened(a), &a.name).cmp(&(opened(b), &b.name))
    });
    Ok((b, current, copies))
}

async fn current_version(
    conn: &mut crate::store::Conn,
    actor: &Actor,
    building: BuildingId,
) -> AppResult<Option<i64>> {
    Ok(store::latest_version(
        conn,
        actor.org,
        building,
        GoldenThreadCategory::FireSafetyInformation.code(),
    )
    .await?)
}

/// Every resident of the building with their latest copy; `changes_count` says whether a
/// newer version makes an issue due.
async fn residents(
    conn: &mut crate::store::Conn,
    actor: &Actor,
    building: BuildingId,
    current: Option<i64>,
    today: time::Date,
    changes_count: bool,
) -> AppResult<Vec<ResidentCopy>> {
    let residents = notice_recipients(conn, actor.org, None, Some(building), today, true).await?;
    // Newest first: the first seen of each resident is their latest.
    let mut latest: HashMap<ContactId, Delivery> = HashMap::new();
    for d in store::deliveries(conn, actor.org, building).await? {
        latest.entry(d.contact_id).or_insert(d);
    }
    Ok(residents
        .into_iter()
        .map(|r| {
            let delivery = latest.get(&r.contact).cloned();
            standing_of(r, delivery, current, today, changes_count)
        })
        .collect())
}

fn standing_of(
    r: Recipient,
    latest: Option<Delivery>,
    current: Option<i64>,
    today: time::Date,
    changes_count: bool,
) -> ResidentCopy {
    let standing = match &latest {
        None => Standing::NeverIssued,
        Some(d) => match d.opened_at {
            Some(at) => Standing::Opened(at),
            None => Standing::NotOpened,
        },
    };
    let due = current.is_some_and(|current| {
        fire_safety_due(
            latest.as_ref().map(|d| {
                (
                    proplink_shared::london::local(d.issued_at).date(),
                    d.version,
                )
            }),
            current,
            today,
            changes_count,
        )
    });
    let name = [
        r.title.as_str(),
        r.first_name.as_str(),
        r.last_name.as_str(),
    ]
    .iter()
    .filter(|p| !p.is_empty())
    .copied()
    .collect::<Vec<_>>()
    .join(" ");
    ResidentCopy {
        contact: r.contact,
        name,
        email: r.email,
        latest,
        standing,
        due,
    }
}

/// Issues the current fire-safety information to every resident it is due to, by email with
/// the way to read it on BuildingThread — staff also to those given an older version. Returns
/// how many it went to.
pub async fn issue(app: &App, actor: &Actor, building: BuildingId) -> AppResult<usize> {
    // PropLink on its own issues at move-in and yearly; a new version waits for staff.
    let changes_count = !matches!(actor.principal, proplink_shared::Principal::System);
    // Who is due is worked out on a reader, so that an hour when nobody is (the usual case)
    // never waits for the writer. Two issues at once still send once: a delivery is unique
    // per resident, version and day.
    let today = proplink_shared::london::local(app.clock.now()).date();
    let (version, due) = {
        let mut conn = app.db.read().await?;
        hrb(&mut conn, actor, building, Action::Update, None).await?;
        let Some(version) = current_version(&mut conn, actor, building).await? else {
            return Err(AppError::conflict(
                "nothing_to_issue",
                "There is no fire safety information to issue yet: record it in the golden thread first.",
            ));
        };
        let residents = residents(
            &mut conn,
            actor,
            building,
            Some(version),
            today,
            changes_count,
        )
        .await?;
        let due: Vec<ResidentCopy> = residents.into_iter().filter(|c| c.due).collect();
        (version, due)
    };
    if due.is_empty() {
        return Err(nobody_due());
    }
    let mut change = Change::begin(app, actor).await?;
    let b = hrb(&mut change, actor, building, Action::Update, None).await?;
    let now = change.now;
    let org = crate::store::orgs::by_id(&mut change, actor.org)
        .await?
        .ok_or(AppError::NotFound)?;
    let url = format!("{}/buildings/{building}", app.config.thread_url(&org.slug));
    let mut sent = Vec::new();
    for copy in &due {
        let fresh = store::insert_delivery(
            &mut change,
            &NewDelivery {
                org: actor.org,
                building,
                contact: copy.contact,
                version,
                issued_by: &actor.display_name,
            },
            today,
            now,
        )
        .await?;
        if !fresh {
            continue;
        }
        sent.push(copy.contact);
        let body = format!(
            "Dear {name},\n\nThis is the fire safety information for {building}, which {org_name} gives every resident \
             when they move in and every year: what to do if there is a fire, how the fire doors protect you, and how to \
             report a problem.\n\nRead it on BuildingThread: {url}\n\nSign in with this email address; a code is sent to it.\n\n{org_name}\n",
            name = copy.name,
            building = b.name,
            org_name = org.name,
        );
        mail::queue(
            &mut change,
            Some(actor.org),
            Outgoing {
                to: &copy.email,
                subject: &format!("Fire safety information for {}", b.name),
                body: &body,
                about: Some((RecordType::Contact, copy.contact.to_string())),
                secret: None,
            },
        )
        .await?;
    }
    if sent.is_empty() {
        return Err(nobody_due());
    }
    change
        .record(Event::new(
            RecordType::GoldenThread,
            building,
            AuditAction::Send,
            format!(
                "issued the fire safety information (version {version}) to {} {} of {} on {}",
                sent.len(),
                if sent.len() == 1 {
                    "resident"
                } else {
                    "residents"
                },
                b.name,
                format_date(today)
            ),
            json!({ "version": version, "contacts": sent }),
        ))
        .await?;
    change.commit().await?;
    Ok(sent.len())
}

fn nobody_due() -> AppError {
    AppError::conflict(
        "nobody_due",
        "Every resident has this year's fire safety information already: nothing was sent.",
    )
}

/// Records that the resident opened the fire-safety information issued to them: the proof of
/// delivery. Nothing happens when there is nothing unopened.
pub async fn opened(app: &App, actor: &Actor, building: BuildingId) -> AppResult<()> {
    let proplink_shared::Principal::HrbResident { contact, .. } = actor.principal else {
        return Ok(());
    };
    {
        let mut conn = app.db.read().await?;
        if !store::unopened(&mut conn, actor.org, building, contact).await? {
            return Ok(());
        }
    }
    let mut change = Change::begin(app, actor).await?;
    let b = hrb(
        &mut change,
        actor,
        building,
        Action::Read,
        Some(GoldenThreadCategory::FireSafetyInformation),
    )
    .await?;
    let now = change.now;
    if store::mark_opened(&mut change, actor.org, building, contact, now).await? == 0 {
        return Ok(());
    }
    change
        .record(Event::new(
            RecordType::Contact,
            contact,
            AuditAction::View,
            format!("opened the fire safety information for {}", b.name),
            json!({ "building": building }),
        ))
        .await?;
    change.commit().await
}

/// Issues the fire-safety information wherever staff have issued it through PropLink before,
/// as PropLink: to residents who moved in since, and to those given it 12 months ago. A new
/// version goes out when staff issue it. Returns how many residents it went to.
pub async fn issue_due(app: &App) -> AppResult<usize> {
    let buildings = {
        let mut conn = app.db.read().await?;
        store::buildings_issuing(&mut conn).await?
    };
    let mut sent = 0;
    for (org, building) in buildings {
        match issue(app, &crate::services::orgs::system_actor(org), building).await {
            Ok(n) => sent += n,
            // Nobody due there.
            Err(AppError::Conflict { .. }) => {}
            Err(e) => {
                tracing::warn!(error = ?e, %building, "issuing the fire-safety information");
            }
        }
    }
    Ok(sent)
}

/// Issues what is due every hour until the process stops.
pub async fn run(app: App) {
    loop {
        if let Err(e) = issue_due(&app).await {
            tracing::warn!(error = ?e, "issuing the fire-safety information");
        }
        tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
    }
}
