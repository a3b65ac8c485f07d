//! Organisations and their staff.

use proplink_shared::audit::{AuditAction, Channel};
use proplink_shared::records::{NewOrganisation, RecordType, ValidationErrors, validate_email};
use proplink_shared::{
    Action, Actor, Domain, OrgId, Principal, Resource, Role, SiteId, StaffUserId,
};
use serde_json::json;

use super::change::{Change, Event, Who};
use super::check;
use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::store::orgs::{self as store, NewStaff, OrgDetails, Organisation, StaffUser};

/// PropLink acting for an organisation: set-up, demo data, scheduled work.
#[must_use]
pub fn system_actor(org: OrgId) -> Actor {
    Actor {
        org,
        principal: Principal::System,
        channel: Channel::System,
        display_name: "PropLink".into(),
    }
}

/// The organisation a subdomain names, if any.
pub async fn by_slug(app: &App, slug: &str) -> AppResult<Option<Organisation>> {
    let slug = slug.trim().to_ascii_lowercase();
    if let Some(org) = app.orgs.get(&slug) {
        return Ok(Some(org));
    }
    let mut conn = app.db.read().await?;
    let org = store::by_slug(&mut conn, &slug).await?;
    if let Some(org) = &org {
        app.orgs.put(org.slug.clone(), org.clone());
    }
    Ok(org)
}

/// Every organisation, for the operator's commands.
pub async fn all(app: &App) -> AppResult<Vec<Organisation>> {
    let mut conn = app.db.read().await?;
    Ok(store::all(&mut conn).await?)
}

/// Creates an organisation and its first user, the Organisation Owner.
pub async fn create(
    app: &App,
    new: &NewOrganisation,
    mut details: OrgDetails,
    owner_email: &str,
    owner_name: &str,
) -> AppResult<Organisation> {
    let owner_email = validate_email(owner_email)?;
    if details.brand_colour.is_empty() {
        details.brand_colour = "#1d4f91".into();
    }
    let id = OrgId::new();
    let system = system_actor(id);
    let mut change = Change::begin_as(app, id, Who::of(&system)).await?;
    let now = change.now;
    if let Err(e) = store::insert(&mut change, id, new, &details, now).await {
        return Err(if e.is_unique_violation() {
            AppError::invalid("slug", "That subdomain is already taken")
        } else {
            e.into()
        });
    }
    change
        .record(Event::new(
            RecordType::Organisation,
            id,
            AuditAction::Create,
            format!("created the organisation {} ({})", new.name, new.slug),
            json!({ "name": new.name, "slug": new.slug }),
        ))
        .await?;
    insert_staff(
        &mut change,
        &system,
        &owner_email,
        owner_name,
        Role::OrganisationOwner,
        None,
    )
    .await?;
    let org = store::by_id(&mut change, id)
        .await?
        .ok_or(AppError::NotFound)?;
    change.commit().await?;
    Ok(org)
}

/// Adds a staff user with a role and a scope: `None` for all sites, or the sites they cover.
pub async fn add_staff(
    app: &App,
    actor: &Actor,
    email: &str,
    name: &str,
    role: Role,
    sites: Option<&[SiteId]>,
) -> AppResult<StaffUserId> {
    check(
        actor,
        Action::Create,
        &Resource::org_wide(actor.org, Domain::Users),
    )?;
    let email = validate_email(email)?;
    let mut change = Change::begin(app, actor).await?;
    let id = insert_staff(&mut change, actor, &email, name, role, sites).await?;
    change.commit().await?;
    Ok(id)
}

pub(super) fn scope_words(sites: Option<&[SiteId]>) -> String {
    match sites {
        None => "all sites".to_owned(),
        Some(s) => format!(
            "{} selected site{}",
            s.len(),
            if s.len() == 1 { "" } else { "s" }
        ),
    }
}

pub(super) async fn insert_staff(
    change: &mut Change<'_>,
    actor: &Actor,
    email: &str,
    name: &str,
    role: Role,
    sites: Option<&[SiteId]>,
) -> AppResult<StaffUserId> {
    let mut errors = ValidationErrors::default();
    let name =
        proplink_shared::records::required_text(&mut errors, "name", "their name", name, 120);
    errors.into_result(())?;
    let staff = NewStaff {
        id: StaffUserId::new(),
        email,
        name: &name,
        role,
        all_sites: sites.is_none(),
    };
    let now = change.now;
    if let Err(e) = store::insert_staff(change, actor.org, &staff, now).await {
        return Err(if e.is_unique_violation() {
            AppError::invalid("email", "There is already a user with that email address")
        } else {
            e.into()
        });
    }
    for site in sites.unwrap_or_default() {
        if let Err(e) = store::add_staff_site(change, actor.org, staff.id, *site).await {
            return Err(if e.is_foreign_key_violation() {
                AppError::NotFound
            } else {
                e.into()
            });
        }
    }
    change
        .record(Event::new(
            RecordType::StaffUser,
            staff.id,
            AuditAction::Create,
            format!("added {name} as {} for {}", role.label(), scope_words(sites)),
            json!({ "email": email, "name": name, "role": role.code(), "sites": sites.map(|s| s.iter().map(ToString::to_string).collect::<Vec<_>>()) }),
        ))
        .await?;
    Ok(staff.id)
}

/// Changes which sites a staff user covers: `None` for all sites. Their open sessions and
/// devices see the change at once (a device drops what it may no longer see at its next pull).
pub async fn set_scope(
    app: &App,
    actor: &Actor,
    user: StaffUserId,
    sites: Option<&[SiteId]>,
) -> AppResult<()> {
    check(
        actor,
        Action::Update,
        &Resource::org_wide(actor.org, Domain::Users),
    )?;
    let mut change = Change::begin(app, actor).await?;
    let staff = store::staff_by_id(&mut change, actor.org, user)
        .await?
        .ok_or(AppError::NotFound)?;
    if let Err(e) = store::set_scope(&mut change, actor.org, user, sites).await {
        return Err(if e.is_foreign_key_violation() {
            AppError::NotFound
        } else {
            e.into()
        });
    }
    change
        .record(Event::new(
            RecordType::StaffUser,
            user,
            AuditAction::Update,
            format!("changed {}'s sites to {}", staff.name, scope_words(sites)),
            json!({ "sites": sites.map(|s| s.iter().map(ToString::to_string).collect::<Vec<_>>()) }),
        ))
        .await?;
    change.commit().await?;
    app.sessions.forget_where(|s| s.staff.id == user);
    Ok(())
}

/// A member of staff of the actor's organisation.
pub async fn staff_by_email(app: &App, actor: &Actor, email: &str) -> AppResult<StaffUser> {
    check(
        actor,
        Action::Read,
        &Resource::org_wide(actor.org, Domain::Users),
    )?;
    let mut conn = app.db.read().await?;
    store::staff_by_email(&mut conn, actor.org, &email.trim().to_ascii_lowercase())
        .await?
        .ok_or(AppError::NotFound)
}
