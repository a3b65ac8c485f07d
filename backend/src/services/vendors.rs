//! Contractors (vendors) and their insurance and trade cover.

use proplink_shared::audit::AuditAction;
use proplink_shared::records::{
    RecordType, ServiceCategory, ValidationErrors, required_text, validate_email,
};
use proplink_shared::{Action, Actor, Domain, Resource, Scope, VendorId};
use serde_json::json;

use super::change::{Change, Event};
use super::{PAGE_SIZE, check};
use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::store::query::{Page, PageAt};
use crate::store::vendors::{self as store, Cover, NewVendor, Vendor, VendorFilter};

fn resource(actor: &Actor) -> Resource {
    Resource::org_wide(actor.org, Domain::Vendors)
}

pub async fn add_vendor(
    app: &App,
    actor: &Actor,
    name: &str,
    email: &str,
    phone: &str,
    category: ServiceCategory,
) -> AppResult<VendorId> {
    check(actor, Action::Create, &resource(actor))?;
    let mut errors = ValidationErrors::default();
    let name = required_text(&mut errors, "name", "the contractor's name", name, 120);
    let email = validate_email(email).map_err(|e| errors.0.extend(e.0)).ok();
    errors.into_result(())?;
    let email = email.unwrap_or_default();
    let id = VendorId::new();
    let mut change = Change::begin(app, actor).await?;
    let now = change.now;
    store::insert_vendor(
        &mut change,
        actor.org,
        id,
        &NewVendor {
            name: &name,
            email: &email,
            phone: phone.trim(),
            category,
        },
        now,
    )
    .await?;
    change
        .record(Event::new(
            RecordType::Vendor,
            id,
            AuditAction::Create,
            format!("added contractor {name} ({})", category.label()),
            json!({ "name": name, "email": email, "phone": phone.trim(), "service_category": category.code() }),
        ))
        .await?;
    change.commit().await?;
    Ok(id)
}

/// Files a contractor's insurance or trade certificate.
pub async fn add_cover(app: &App, actor: &Actor, vendor: VendorId, cover: &Cover) -> AppResult<()> {
    check(actor, Action::Update, &resource(actor))?;
    let mut change = Change::begin(app, actor).await?;
    let v = store::vendor(&mut change, actor.org, vendor)
        .await?
        .ok_or(AppError::NotFound)?;
    store::insert_cover(&mut change, actor.org, vendor, cover).await?;
    change
        .record(Event::new(
            RecordType::Vendor,
            vendor,
            AuditAction::Upload,
            format!(
                "filed {} for {} (expires {})",
                cover.kind.label(),
                v.name,
                proplink_shared::london::format_date(cover.expires_on)
            ),
            json!({ "kind": cover.kind.code(), "provider": cover.provider, "policy_number": cover.policy_number, "sum_insured": cover.sum_insured.map(proplink_shared::Money::pence), "expires_on": crate::store::date_text(cover.expires_on) }),
        ))
        .await?;
    change.commit().await
}

pub async fn vendors(
    app: &App,
    actor: &Actor,
    filter: &VendorFilter,
    at: &PageAt,
) -> AppResult<Page<Vendor>> {
    check(actor, Action::Read, &resource(actor))?;
    let scope = Scope::of(actor, Domain::Vendors);
    super::remember(
        app,
        &scope,
        format!("vendors {filter:?} {at:?}"),
        || async {
            let mut conn = app.db.read().await?;
            Ok(store::vendors(&mut conn, &scope, filter, at, PAGE_SIZE).await?)
        },
    )
    .await
}

/// Every contractor, by name, to choose one from.
pub async fn choices(app: &App, actor: &Actor) -> AppResult<Vec<Vendor>> {
    check(actor, Action::Read, &resource(actor))?;
    super::remember_in(app, actor.org, "contractors by name".into(), || async {
        let mut conn = app.db.read().await?;
        Ok(store::all_vendors(&mut conn, actor.org).await?)
    })
    .await
}

/// A contractor and their cover.
pub async fn vendor(app: &App, actor: &Actor, id: VendorId) -> AppResult<(Vendor, Vec<Cover>)> {
    check(actor, Action::Read, &resource(actor))?;
    super::remember_in(app, actor.org, format!("vendor {id}"), || async {
        let mut conn = app.db.read().await?;
        let Some(v) = store::vendor(&mut conn, actor.org, id).await? else {
            return Ok(None);
        };
        let cover = store::cover(&mut conn, actor.org, id).await?;
        Ok(Some((v, cover)))
    })
    .await?
    .ok_or(AppError::NotFound)
}
