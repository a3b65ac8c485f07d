//! Sites, buildings and units.

mod edit;

pub use edit::{update_building, update_site, update_unit};

use proplink_shared::audit::AuditAction;
use proplink_shared::records::{NewBuilding, NewSite, NewUnit, RecordType};
use proplink_shared::{Action, Actor, BuildingId, Domain, Resource, Scope, SiteId, UnitId};
use serde_json::json;

use super::change::{Change, Event};
use super::{PAGE_SIZE, check};
use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::store::places::{self as store, Building, Site, Unit};
use crate::store::query::{Page, PageAt};

/// Refuses a building that is not one of `site`'s (or not the organisation's at all): a
/// record filed on a site names only that site's buildings.
pub(crate) async fn building_on_site(
    conn: &mut crate::store::Conn,
    org: proplink_shared::OrgId,
    site: SiteId,
    building: BuildingId,
) -> AppResult<()> {
    match store::building(conn, org, building).await? {
        Some(b) if b.site_id == site => Ok(()),
        Some(_) => Err(AppError::invalid(
            "building",
            "That building is not on that site",
        )),
        None => Err(AppError::NotFound),
    }
}

pub(crate) fn site_resource(actor: &Actor, site: SiteId) -> Resource {
    Resource::on_site(actor.org, Domain::Portfolio, site)
}

pub(crate) fn building_resource(actor: &Actor, b: &Building) -> Resource {
    site_resource(actor, b.site_id).with_building(b.id)
}

pub(crate) fn unit_resource(actor: &Actor, u: &Unit) -> Resource {
    site_resource(actor, u.site_id).with_unit(u.id)
}

pub async fn add_site(app: &App, actor: &Actor, new: &NewSite) -> AppResult<SiteId> {
    check(
        actor,
        Action::Create,
        &Resource::org_wide(actor.org, Domain::Portfolio),
    )?;
    let id = SiteId::new();
    let mut change = Change::begin(app, actor).await?;
    let now = change.now;
    if let Err(e) = store::insert_site(&mut change, actor.org, id, new, now).await {
        return Err(if e.is_unique_violation() {
            AppError::invalid("reference", "Another site already has that reference")
        } else {
            e.into()
        });
    }
    change
        .record(Event::new(
            RecordType::Site,
            id,
            AuditAction::Create,
            format!("added site {} ({})", new.name, new.reference),
            json!({ "reference": new.reference, "name": new.name, "address": new.address }),
        ))
        .await?;
    change.commit().await?;
    Ok(id)
}

pub async fn add_building(
    app: &App,
    actor: &Actor,
    site: SiteId,
    new: &NewBuilding,
) -> AppResult<BuildingId> {
    check(actor, Action::Create, &site_resource(actor, site))?;
    let id = BuildingId::new();
    let mut change = Change::begin(app, actor).await?;
    let s = store::site(&mut change, actor.org, site)
        .await?
        .ok_or(AppError::NotFound)?;
    let now = change.now;
    store::insert_building(&mut change, actor.org, id, site, new, now).await?;
    change
        .record(Event::new(
            RecordType::Building,
            id,
            AuditAction::Create,
            format!(
                "added building {} at {}{}",
                new.name,
                s.name,
                if new.is_hrb { " (higher-risk building)" } else { "" }
            ),
            json!({ "site": site.to_string(), "name": new.name, "height_decimetres": new.height_decimetres, "storeys": new.storeys, "is_hrb": new.is_hrb, "bsr_registration": new.bsr_registration }),
        ))
        .await?;
    change.commit().await?;
    Ok(id)
}

pub async fn add_unit(
    app: &App,
    actor: &Actor,
    building: BuildingId,
    new: &NewUnit,
) -> AppResult<UnitId> {
    let id = UnitId::new();
    let mut change = Change::begin(app, actor).await?;
    let b = store::building(&mut change, actor.org, building)
        .await?
        .ok_or(AppError::NotFound)?;
    check(actor, Action::Create, &building_resource(actor, &b))?;
    let now = change.now;
    store::insert_unit(&mut change, actor.org, id, &b, new, now).await?;
    change
        .record(Event::new(
            RecordType::Unit,
            id,
            AuditAction::Create,
            format!("added {} in {}", new.name, b.name),
            json!({ "building": building.to_string(), "name": new.name, "floor": new.floor }),
        ))
        .await?;
    change.commit().await?;
    Ok(id)
}

pub async fn sites(app: &App, actor: &Actor, at: &PageAt) -> AppResult<Page<Site>> {
    let scope = Scope::of(actor, Domain::Portfolio);
    super::remember(app, &scope, format!("sites {at:?}"), || async {
        let mut conn = app.db.read().await?;
        Ok(store::sites(&mut conn, &scope, at, PAGE_SIZE).await?)
    })
    .await
}

/// The sites the actor may see, by name, to choose from. Every list offers them, so the
/// organisation's names are remembered and narrowed to the actor's scope here.
pub async fn site_choices(app: &App, actor: &Actor) -> AppResult<Vec<(SiteId, String)>> {
    let everything = Scope::everything(actor.org);
    let all = super::remember(app, &everything, "site names".into(), || async {
        let mut conn = app.db.read().await?;
        Ok(store::site_choices(&mut conn, &everything).await?)
    })
    .await?;
    let scope = Scope::of(actor, Domain::Portfolio);
    Ok(all
        .into_iter()
        .filter(|(id, _)| scope.admits(&site_resource(actor, *id)))
        .collect())
}

/// A site and its buildings.
pub async fn site(app: &App, actor: &Actor, id: SiteId) -> AppResult<(Site, Vec<Building>)> {
    check(actor, Action::Read, &site_resource(actor, id))?;
    super::remember_in(app, actor.org, format!("site {id}"), || async {
        let mut conn = app.db.read().await?;
        let Some(site) = store::site(&mut conn, actor.org, id).await? else {
            return Ok(None);
        };
        let buildings = store::buildings_of_site(&mut conn, actor.org, id).await?;
        Ok(Some((site, buildings)))
    })
    .await?
    .ok_or(AppError::NotFound)
}

/// A building and a page of its units.
pub async fn building(
    app: &App,
    actor: &Actor,
    id: BuildingId,
    at: &PageAt,
) -> AppResult<(Building, Page<Unit>)> {
    let (b, units) =
        super::remember_in(app, actor.org, format!("building {id} {at:?}"), || async {
            let mut conn = app.db.read().await?;
            let Some(b) = store::building(&mut conn, actor.org, id).await? else {
                return Ok(None);
            };
            let units = store::units_of_building(&mut conn, actor.org, id, at, 50).await?;
            Ok(Some((b, units)))
        })
        .await?
        .ok_or(AppError::NotFound)?;
    check(actor, Action::Read, &building_resource(actor, &b))?;
    Ok((b, units))
}

pub async fn unit(app: &App, actor: &Actor, id: UnitId) -> AppResult<Unit> {
    let u = super::remember_in(app, actor.org, format!("unit {id}"), || async {
        let mut conn = app.db.read().await?;
        Ok(store::unit(&mut conn, actor.org, id).await?)
    })
    .await?
    .ok_or(AppError::NotFound)?;
    check(actor, Action::Read, &unit_resource(actor, &u))?;
    Ok(u)
}

/// Every building the actor may see, for the app's site picker.
/// A building with every one of its units (for a demand, which covers them all).
pub async fn building_units(
    app: &App,
    actor: &Actor,
    id: BuildingId,
) -> AppResult<(Building, Vec<Unit>)> {
    let (b, units) = super::remember_in(app, actor.org, format!("building units {id}"), || async {
        let mut conn = app.db.read().await?;
        let Some(b) = store::building(&mut conn, actor.org, id).await? else {
            return Ok(None);
        };
        let units = store::all_units_of_building(&mut conn, actor.org, id).await?;
        Ok(Some((b, units)))
    })
    .await?
    .ok_or(AppError::NotFound)?;
    check(actor, Action::Read, &building_resource(actor, &b))?;
    Ok((b, units))
}

/// The buildings the actor may see, by site and name (to choose one from).
pub async fn buildings(app: &App, actor: &Actor) -> AppResult<Vec<Building>> {
    let scope = Scope::of(actor, Domain::Portfolio);
    super::remember(app, &scope, "buildings".into(), || async {
        let mut conn = app.db.read().await?;
        Ok(store::buildings(&mut conn, &scope).await?)
    })
    .await
}
