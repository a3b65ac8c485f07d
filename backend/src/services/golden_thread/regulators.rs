//! The Building Safety Regulator's access to a building's golden thread: an account per
//! inspector, given one building at a time by those who keep the thread, until a date and
//! revocable before it. Every grant and revocation is in the building's trail, and the
//! inspector is told by email where to sign in.

use proplink_shared::audit::AuditAction;
use proplink_shared::london::{format_date, midnight};
use proplink_shared::records::{NewRegulatorAccess, RecordType, ValidationErrors};
use proplink_shared::{Action, Actor, BuildingId, RegulatorId};
use serde_json::json;
use time::{Date, Duration};

use super::hrb;
use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::services::change::{Change, Event};
use crate::services::mail::{self, Outgoing};
use crate::store::places::Building;
use crate::store::regulators::{self as store, Inspector, NewGrant, RegulatorGrant};

/// What the organisation fills in to give an inspector access, as typed.
pub struct NewAccess<'a> {
    pub name: &'a str,
    pub email: &'a str,
    /// The last day of access, `YYYY-MM-DD`.
    pub until: &'a str,
}

/// Gives an inspector access to a building's golden thread until the end of a day, making
/// their account if this is their first building with the organisation.
pub async fn grant(
    app: &App,
    actor: &Actor,
    building: BuildingId,
    new: &NewAccess<'_>,
) -> AppResult<RegulatorId> {
    let mut change = Change::begin(app, actor).await?;
    let b = hrb(&mut change, actor, building, Action::Update, None).await?;
    let today = proplink_shared::london::local(change.now).date();
    let NewRegulatorAccess { name, email, until } =
        NewRegulatorAccess::validate(new.name, new.email, new.until, today)?;
    let org = actor.org;
    crate::store::places::lock_building(&mut change, org, building).await?;
    let mut renamed_from = None;
    let inspector = match store::inspector_by_email(&mut change, org, &email).await? {
        Some(found) => {
            // The name shows on every building's list of grants: the trail says it changed.
            if found.name != name {
                store::rename_inspector(&mut change, org, found.id, &name).await?;
                renamed_from = Some(found.name.clone());
            }
            found
        }
        None => {
            let made = Inspector {
                id: RegulatorId::new(),
                email: email.clone(),
                name: name.clone(),
            };
            let now = change.now;
            if let Err(e) = store::insert_inspector(&mut change, org, &made, now).await {
                // Someone gave the same new inspector access at the same moment.
                return Err(if e.is_unique_violation() {
                    AppError::conflict(
                        "stale",
                        "Someone else gave this inspector access just now. Reload the page to see it.",
                    )
                } else {
                    e.into()
                });
            }
            made
        }
    };
    let now = change.now;
    if let Some(live) = store::grants_of_building(&mut change, org, building)
        .await?
        .into_iter()
        .find(|g| g.account_id == inspector.id && g.live_at(now))
    {
        return Err(AppError::Invalid(ValidationErrors::single(
            "email",
            format!(
                "{} already has access to {} until {}. Revoke it first to give different dates.",
                live.inspector_name,
                b.name,
                format_date(last_day(&live))
            ),
        )));
    }
    let id = uuid::Uuid::now_v7().to_string();
    store::insert_grant(
        &mut change,
        &NewGrant {
            id: &id,
            org,
            account: inspector.id,
            building,
            granted_by: &actor.display_name,
            expires_at: midnight(until + Duration::days(1)),
        },
        now,
    )
    .await?;
    change
        .record(Event::new(
            RecordType::GoldenThread,
            building,
            AuditAction::Create,
            format!(
                "gave {name} of the Building Safety Regulator access to the golden thread of {} until {}{}",
                b.name,
                format_date(until),
                renamed_from
                    .as_ref()
                    .map(|old| format!(" (listed until now as {old})"))
                    .unwrap_or_default()
            ),
            json!({
                "grant": id,
                "inspector": inspector.id,
                "email": email,
                "until": until.to_string(),
                "renamed_from": renamed_from,
            }),
        ))
        .await?;
    let Some(o) = crate::store::orgs::by_id(&mut change, org).await? else {
        return Err(AppError::NotFound);
    };
    let body = format!(
        "Hello {name},\n\n{org_name} has given you access to the golden thread of {building} until {until}: \
         every part of it, every earlier version, and a handover pack to download.\n\n\
         Sign in with this email address at {url}/sign-in — a code is sent to it each time.\n\n\
         BuildingThread\n",
        org_name = o.name,
        building = b.name,
        until = format_date(until),
        url = app.config.thread_url(&o.slug),
    );
    mail::queue(
        &mut change,
        Some(org),
        Outgoing {
            to: &email,
            subject: &format!("Golden thread of {}: access for the Regulator", b.name),
            body: &body,
            about: Some((RecordType::Regulator, inspector.id.to_string())),
            secret: None,
        },
    )
    .await?;
    change.commit().await?;
    Ok(inspector.id)
}

/// The last day a grant lets its inspector in.
#[must_use]
pub fn last_day(g: &RegulatorGrant) -> Date {
    proplink_shared::london::local(g.expires_at).date() - Duration::days(1)
}

/// Ends an inspector's access to a building now. Their next request is refused.
pub async fn revoke(app: &App, actor: &Actor, building: BuildingId, grant: &str) -> AppResult<()> {
    let mut change = Change::begin(app, actor).await?;
    let b = hrb(&mut change, actor, building, Action::Update, None).await?;
    let org = actor.org;
    let Some(g) = store::grants_of_building(&mut change, org, building)
        .await?
        .into_iter()
        .find(|g| g.id == grant)
    else {
        return Err(AppError::NotFound);
    };
    let now = change.now;
    if !store::revoke_grant(&mut change, org, building, grant, &actor.display_name, now).await? {
        return Err(AppError::conflict(
            "not_live",
            format!(
                "{}'s access has already ended: there is nothing to revoke.",
                g.inspector_name
            ),
        ));
    }
    change
        .record(Event::new(
            RecordType::GoldenThread,
            building,
            AuditAction::Update,
            format!(
                "revoked {}'s access (Building Safety Regulator) to the golden thread of {}",
                g.inspector_name, b.name
            ),
            json!({ "grant": g.id, "inspector": g.account_id }),
        ))
        .await?;
    change.commit().await?;
    Ok(())
}

/// A building and every grant of it, live or not, for those who may give them.
pub async fn grants(
    app: &App,
    actor: &Actor,
    building: BuildingId,
) -> AppResult<(Building, Vec<RegulatorGrant>)> {
    let mut conn = app.db.read().await?;
    let b = hrb(&mut conn, actor, building, Action::Update, None).await?;
    Ok((
        b,
        store::grants_of_building(&mut conn, actor.org, building).await?,
    ))
}
