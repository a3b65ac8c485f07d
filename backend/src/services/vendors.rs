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
    let mut change = Change::begin(app, actor).await?;
    let id = add_vendor_in(&mut change, actor, name, email, phone, category).await?;
    change.commit().await?;
    Ok(id)
}

/// Adds a contractor inside the caller's change.
pub(crate) async fn add_vendor_in(
    change: &mut Change<'_>,
    actor: &Actor,
    name: &str,
    email: &str,
    phone: &str,
    category: ServiceCategory,
) -> AppResult<VendorId> {
    check(actor, Action::Create, &resource(actor))?;
    let (name, email, phone) = checked_details(name, email, phone)?;
    let phone = phone.as_str();
    let id = VendorId::new();
    let now = change.now;
    store::insert_vendor(
        change,
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
    Ok(id)
}

/// A contractor's details, checked: every problem at once.
fn checked_details(name: &str, email: &str, phone: &str) -> AppResult<(String, String, String)> {
    let mut errors = ValidationErrors::default();
    let name = required_text(&mut errors, "name", "the contractor's name", name, 120);
    let email = validate_email(email).map_err(|e| errors.0.extend(e.0)).ok();
    let phone = proplink_shared::records::optional_text(
        &mut errors,
        "phone",
        "the phone number",
        phone,
        30,
    );
    errors.into_result(())?;
    Ok((name, email.unwrap_or_default(), phone))
}

/// Changes a contractor's details, if nobody else changed them since `version` was read.
pub async fn update_vendor(
    app: &App,
    actor: &Actor,
    id: VendorId,
    version: i64,
    details: (&str, &str, &str, ServiceCategory),
) -> AppResult<()> {
    check(actor, Action::Update, &resource(actor))?;
    let (name, email, phone, category) = details;
    let (name, email, phone) = checked_details(name, email, phone)?;
    let mut change = Change::begin(app, actor).await?;
    let before = store::vendor(&mut change, actor.org, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let saved = store::update_vendor(
        &mut change,
        actor.org,
        id,
        version,
        &NewVendor {
            name: &name,
            email: &email,
            phone: &phone,
            category,
        },
    )
    .await?;
    if !saved {
        return Err(AppError::conflict(
            "stale",
            format!(
                "Someone else changed {}'s details since you opened this page. Reload it to see theirs, then make your change again.",
                before.name
            ),
        ));
    }
    change
        .record(Event::new(
            RecordType::Vendor,
            id,
            AuditAction::Update,
            format!("changed the details of contractor {name}"),
            json!({ "name": name, "email": email, "phone": phone, "service_category": category.code(), "was": { "name": before.name, "email": before.email, "phone": before.phone, "service_category": before.service_category.code() } }),
        ))
        .await?;
    change.commit().await
}

/// Checks a certificate or policy before it is filed.
pub fn check_cover(cover: &Cover, today: time::Date) -> AppResult<()> {
    let mut errors = ValidationErrors::default();
    required_text(
        &mut errors,
        "provider",
        "the insurer or issuing body",
        &cover.provider,
        120,
    );
    required_text(
        &mut errors,
        "policy_number",
        "the policy or registration number",
        &cover.policy_number,
        60,
    );
    if cover.expires_on < today - time::Duration::days(365 * 5) {
        errors.add(
            "expires_on",
            "The expiry date is more than five years ago: check it",
        );
    }
    if cover.sum_insured.is_some_and(|m| m.pence() <= 0) {
        errors.add("sum_insured", "The sum insured must be more than £0.00");
    }
    Ok(errors.into_result(())?)
}

/// Files a contractor's insurance or trade certificate.
pub async fn add_cover(app: &App, actor: &Actor, vendor: VendorId, cover: &Cover) -> AppResult<()> {
    check_cover(cover, super::today(app))?;
    let mut change = Change::begin(app, actor).await?;
    add_cover_in(&mut change, actor, vendor, cover).await?;
    change.commit().await
}

/// Files a contractor's cover inside the caller's change; the caller has checked it.
pub(crate) async fn add_cover_in(
    change: &mut Change<'_>,
    actor: &Actor,
    vendor: VendorId,
    cover: &Cover,
) -> AppResult<()> {
    check(actor, Action::Update, &resource(actor))?;
    let v = store::vendor(change, actor.org, vendor)
        .await?
        .ok_or(AppError::NotFound)?;
    store::insert_cover(change, actor.org, vendor, cover).await?;
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
    Ok(())
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
