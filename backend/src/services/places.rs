//! Sites, buildings and units.

use proplink_shared::audit::AuditAction;
use proplink_shared::records::{NewBuilding, NewSite, NewUnit};
use proplink_shared::{Action, Actor, BuildingId, Domain, Resource, SiteId, UnitId};
use serde_json::json;

use super::audit::{self, Event, Who};
use super::{check, readable};
use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::store::is_unique_violation;
use crate::store::places::{self as store, BuildingRow, SiteRow, UnitRow};

pub async fn add_site(app: &App, actor: &Actor, new: &NewSite) -> AppResult<SiteId> {
    check(
        actor,
        Action::Create,
        &Resource::org_wide(actor.org, Domain::Portfolio),
    )?;
    let now = app.clock.now();
    let row = SiteRow {
        id: SiteId::new(),
        reference: new.reference.clone(),
        name: new.name.clone(),
        address: new.address.clone(),
    };
    let mut tx = app.db.write().await?;
    if let Err(e) = store::insert_site(&mut tx, actor.org, &row, crate::clock::to_micros(now)).await
    {
        return Err(if is_unique_violation(&e) {
            AppError::Invalid(proplink_shared::records::ValidationErrors::single(
                "reference",
                "Another site already has that reference",
            ))
        } else {
            e.into()
        });
    }
    let event = Event {
        record_type: "site",
        record_id: row.id.to_string(),
        action: AuditAction::Create,
        what: format!("created site {} {}", row.reference, row.name),
        detail: json!({ "reference": row.reference, "name": row.name, "address": row.address }),
    };
    audit::record(&mut tx, actor.org, &Who::of(actor), event, now).await?;
    tx.commit().await?;
    Ok(row.id)
}

pub async fn add_building(
    app: &App,
    actor: &Actor,
    site: SiteId,
    new: &NewBuilding,
) -> AppResult<BuildingId> {
    check(
        actor,
        Action::Create,
        &Resource::on_site(actor.org, Domain::Portfolio, site),
    )?;
    let now = app.clock.now();
    let mut tx = app.db.write().await?;
    store::site(&mut tx, actor.org, site)
        .await?
        .ok_or(AppError::NotFound)?;
    let row = BuildingRow {
        id: BuildingId::new(),
        site_id: site,
        name: new.name.clone(),
        height_decimetres: new.height_decimetres,
        storeys: new.storeys,
        is_hrb: i64::from(new.is_hrb),
        bsr_registration: new.bsr_registration.clone(),
    };
    store::insert_building(&mut tx, actor.org, &row, crate::clock::to_micros(now)).await?;
    let event = Event {
        record_type: "building",
        record_id: row.id.to_string(),
        action: AuditAction::Create,
        what: format!(
            "added building {}{}",
            row.name,
            if new.is_hrb {
                " (higher-risk building)"
            } else {
                ""
            }
        ),
        detail: json!({ "name": row.name, "height_decimetres": row.height_decimetres, "storeys": row.storeys, "is_hrb": new.is_hrb, "bsr_registration": row.bsr_registration }),
    };
    audit::record(&mut tx, actor.org, &Who::of(actor), event, now).await?;
    tx.commit().await?;
    Ok(row.id)
}

pub async fn add_unit(
    app: &App,
    actor: &Actor,
    building: BuildingId,
    new: &NewUnit,
) -> AppResult<UnitId> {
    let now = app.clock.now();
    let mut tx = app.db.write().await?;
    let b = store::building(&mut tx, actor.org, building)
        .await?
        .ok_or(AppError::NotFound)?;
    check(
        actor,
        Action::Create,
        &Resource::on_site(actor.org, Domain::Portfolio, b.site_id).with_building(building),
    )?;
    let row = UnitRow {
        id: UnitId::new(),
        site_id: b.site_id,
        building_id: building,
        name: new.name.clone(),
        floor: new.floor.clone(),
        building_name: b.name.clone(),
    };
    store::insert_unit(&mut tx, actor.org, &row, crate::clock::to_micros(now)).await?;
    let event = Event {
        record_type: "unit",
        record_id: row.id.to_string(),
        action: AuditAction::Create,
        what: format!("added {} to {}", row.name, b.name),
        detail: json!({ "name": row.name, "floor": row.floor, "building": b.name }),
    };
    audit::record(&mut tx, actor.org, &Who::of(actor), event, now).await?;
    tx.commit().await?;
    Ok(row.id)
}

pub async fn sites(app: &App, actor: &Actor) -> AppResult<Vec<SiteRow>> {
    let mut conn = app.db.read().await?;
    let rows = store::sites(&mut conn, actor.org).await?;
    Ok(readable(actor, rows, |s| {
        Resource::on_site(actor.org, Domain::Portfolio, s.id)
    }))
}

pub async fn site(app: &App, actor: &Actor, id: SiteId) -> AppResult<(SiteRow, Vec<BuildingRow>)> {
    check(
        actor,
        Action::Read,
        &Resource::on_site(actor.org, Domain::Portfolio, id),
    )?;
    let mut conn = app.db.read().await?;
    let site = store::site(&mut conn, actor.org, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let buildings = store::buildings(&mut conn, actor.org, Some(id)).await?;
    Ok((site, buildings))
}

pub async fn building(
    app: &App,
    actor: &Actor,
    id: BuildingId,
) -> AppResult<(BuildingRow, Vec<UnitRow>)> {
    let mut conn = app.db.read().await?;
    let b = store::building(&mut conn, actor.org, id)
        .await?
        .ok_or(AppError::NotFound)?;
    check(
        actor,
        Action::Read,
        &Resource::on_site(actor.org, Domain::Portfolio, b.site_id).with_building(id),
    )?;
    let units = store::units(&mut conn, actor.org, Some(id)).await?;
    Ok((b, units))
}

pub async fn unit(app: &App, actor: &Actor, id: UnitId) -> AppResult<UnitRow> {
    let mut conn = app.db.read().await?;
    let u = store::unit(&mut conn, actor.org, id)
        .await?
        .ok_or(AppError::NotFound)?;
    check(
        actor,
        Action::Read,
        &Resource::on_site(actor.org, Domain::Portfolio, u.site_id).with_unit(id),
    )?;
    Ok(u)
}

pub async fn buildings(app: &App, actor: &Actor) -> AppResult<Vec<BuildingRow>> {
    let mut conn = app.db.read().await?;
    let rows = store::buildings(&mut conn, actor.org, None).await?;
    Ok(readable(actor, rows, |b| {
        Resource::on_site(actor.org, Domain::Portfolio, b.site_id).with_building(b.id)
    }))
}
