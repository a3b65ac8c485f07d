//! Corrections to sites, buildings and units: each saved only if nobody else changed the
//! record since the form was opened, and audited with what it was before.

use proplink_shared::audit::AuditAction;
use proplink_shared::records::{NewBuilding, NewSite, NewUnit, RecordType};
use proplink_shared::{Action, Actor, BuildingId, SiteId, UnitId};
use serde_json::json;

use super::{building_resource, site_resource, unit_resource};
use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::services::change::{Change, Event};
use crate::services::check;
use crate::store::places as store;

fn stale(what: &str) -> AppError {
    AppError::conflict(
        "stale",
        format!(
            "Someone else changed {what} since you opened this page. Reload it to see their change, then make yours again."
        ),
    )
}

pub async fn update_site(
    app: &App,
    actor: &Actor,
    id: SiteId,
    version: i64,
    new: &NewSite,
) -> AppResult<()> {
    let mut change = Change::begin(app, actor).await?;
    let s = store::site(&mut change, actor.org, id)
        .await?
        .ok_or(AppError::NotFound)?;
    check(actor, Action::Update, &site_resource(actor, id))?;
    match store::update_site(&mut change, actor.org, id, version, new).await {
        Ok(true) => {}
        Ok(false) => return Err(stale(&s.name)),
        Err(e) if e.is_unique_violation() => {
            return Err(AppError::invalid(
                "reference",
                "Another site already has that reference",
            ));
        }
        Err(e) => return Err(e.into()),
    }
    change
        .record(Event::new(
            RecordType::Site,
            id,
            AuditAction::Update,
            format!("changed the details of site {}", new.name),
            json!({ "reference": new.reference, "name": new.name, "address": new.address, "was": { "reference": s.reference, "name": s.name, "address": s.address } }),
        ))
        .await?;
    change.commit().await
}

pub async fn update_building(
    app: &App,
    actor: &Actor,
    id: BuildingId,
    version: i64,
    new: &NewBuilding,
) -> AppResult<()> {
    let mut change = Change::begin(app, actor).await?;
    let b = store::building(&mut change, actor.org, id)
        .await?
        .ok_or(AppError::NotFound)?;
    check(actor, Action::Update, &building_resource(actor, &b))?;
    if !store::update_building(&mut change, actor.org, id, version, new).await? {
        return Err(stale(&b.name));
    }
    change
        .record(Event::new(
            RecordType::Building,
            id,
            AuditAction::Update,
            format!(
                "changed the details of building {}{}",
                new.name,
                match (b.is_hrb, new.is_hrb) {
                    (false, true) => ", marking it a higher-risk building",
                    (true, false) => ", no longer a higher-risk building",
                    _ => "",
                }
            ),
            json!({ "name": new.name, "height_decimetres": new.height_decimetres, "storeys": new.storeys, "is_hrb": new.is_hrb, "bsr_registration": new.bsr_registration, "was": { "name": b.name, "height_decimetres": b.height_decimetres, "storeys": b.storeys, "is_hrb": b.is_hrb, "bsr_registration": b.bsr_registration } }),
        ))
        .await?;
    change.commit().await
}

pub async fn update_unit(
    app: &App,
    actor: &Actor,
    id: UnitId,
    version: i64,
    new: &NewUnit,
) -> AppResult<()> {
    let mut change = Change::begin(app, actor).await?;
    let u = store::unit(&mut change, actor.org, id)
        .await?
        .ok_or(AppError::NotFound)?;
    check(actor, Action::Update, &unit_resource(actor, &u))?;
    if !store::update_unit(&mut change, actor.org, id, version, new).await? {
        return Err(stale(&u.name));
    }
    change
        .record(Event::new(
            RecordType::Unit,
            id,
            AuditAction::Update,
            format!("changed the details of {} in {}", new.name, u.building_name),
            json!({ "name": new.name, "floor": new.floor, "was": { "name": u.name, "floor": u.floor } }),
        ))
        .await?;
    change.commit().await
}
