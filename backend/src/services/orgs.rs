//! Organisations and their staff.

use proplink_shared::audit::{AuditAction, Channel};
use proplink_shared::records::{NewOrganisation, validate_email};
use proplink_shared::{
    Action, Actor, Domain, OrgId, Principal, Resource, Role, SiteId, StaffUserId,
};
use serde_json::json;

use super::audit::{self, Event, Who};
use super::check;
use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::store::{
    self,
    orgs::{self, OrgRow, StaffRow},
};

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
pub async fn by_slug(app: &App, slug: &str) -> AppResult<Option<OrgRow>> {
    let mut conn = app.db.read().await?;
    Ok(orgs::by_slug(&mut conn, &slug.trim().to_ascii_lowercase()).await?)
}

/// Company details printed on statements and letters.
#[derive(Clone, Debug, Default)]
pub struct OrgDetails {
    pub legal_name: String,
    pub company_number: String,
    pub vat_number: String,
    pub address: String,
    pub brand_colour: String,
    pub welcome_text: String,
}

/// Creates an organisation and its first user, the Organisation Owner.
pub async fn create(
    app: &App,
    new: &NewOrganisation,
    details: OrgDetails,
    owner_email: &str,
    owner_name: &str,
) -> AppResult<OrgRow> {
    let owner_email = validate_email(owner_email)?;
    let now = app.clock.now();
    let org = OrgRow {
        id: OrgId::new(),
        slug: new.slug.clone(),
        name: new.name.clone(),
        legal_name: details.legal_name,
        company_number: details.company_number,
        vat_number: details.vat_number,
        address: details.address,
        brand_colour: if details.brand_colour.is_empty() {
            "#1d4f91".into()
        } else {
            details.brand_colour
        },
        welcome_text: details.welcome_text,
    };
    let mut tx = app.db.write().await?;
    if let Err(e) = orgs::insert(&mut tx, &org, crate::clock::to_micros(now)).await {
        return Err(if store::is_unique_violation(&e) {
            AppError::Invalid(proplink_shared::records::ValidationErrors::single(
                "slug",
                "That subdomain is already taken",
            ))
        } else {
            e.into()
        });
    }
    let system = system_actor(org.id);
    let event = Event {
        record_type: "organisation",
        record_id: org.id.to_string(),
        action: AuditAction::Create,
        what: format!("created the organisation {} ({})", org.name, org.slug),
        detail: json!({ "name": org.name, "slug": org.slug }),
    };
    audit::record(&mut tx, org.id, &Who::of(&system), event, now).await?;
    insert_staff(
        &mut tx,
        app,
        &system,
        &owner_email,
        owner_name,
        Role::OrganisationOwner,
        None,
    )
    .await?;
    tx.commit().await?;
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
    let mut tx = app.db.write().await?;
    let id = insert_staff(&mut tx, app, actor, &email, name, role, sites).await?;
    tx.commit().await?;
    Ok(id)
}

async fn insert_staff(
    conn: &mut sqlx::AnyConnection,
    app: &App,
    actor: &Actor,
    email: &str,
    name: &str,
    role: Role,
    sites: Option<&[SiteId]>,
) -> AppResult<StaffUserId> {
    let now = app.clock.now();
    let row = StaffRow {
        id: StaffUserId::new(),
        organisation_id: actor.org,
        email: email.to_owned(),
        name: name.trim().to_owned(),
        role: Some(role),
        all_sites: i64::from(sites.is_none()),
        active: 1,
    };
    if let Err(e) = orgs::insert_staff(conn, &row, crate::clock::to_micros(now)).await {
        return Err(if store::is_unique_violation(&e) {
            AppError::Invalid(proplink_shared::records::ValidationErrors::single(
                "email",
                "There is already a user with that email address",
            ))
        } else {
            e.into()
        });
    }
    for site in sites.unwrap_or_default() {
        orgs::add_staff_site(conn, actor.org, row.id, *site).await?;
    }
    let scope = match sites {
        None => "all sites".to_owned(),
        Some(s) => format!(
            "{} selected site{}",
            s.len(),
            if s.len() == 1 { "" } else { "s" }
        ),
    };
    let event = Event {
        record_type: "staff_user",
        record_id: row.id.to_string(),
        action: AuditAction::Create,
        what: format!("added {} as {} for {scope}", row.name, role.label()),
        detail: json!({ "email": email, "name": row.name, "role": role.code(), "sites": sites.map(|s| s.iter().map(ToString::to_string).collect::<Vec<_>>()) }),
    };
    audit::record(conn, actor.org, &Who::of(actor), event, now).await?;
    Ok(row.id)
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
    let now = app.clock.now();
    let mut tx = app.db.write().await?;
    let staff = orgs::staff_by_id(&mut tx, actor.org, user)
        .await?
        .ok_or(AppError::NotFound)?;
    orgs::set_scope(&mut tx, actor.org, user, sites).await?;
    let scope = match sites {
        None => "all sites".to_owned(),
        Some(s) => format!(
            "{} selected site{}",
            s.len(),
            if s.len() == 1 { "" } else { "s" }
        ),
    };
    let event = Event {
        record_type: "staff_user",
        record_id: user.to_string(),
        action: AuditAction::Update,
        what: format!("changed {}'s sites to {scope}", staff.name),
        detail: json!({ "sites": sites.map(|s| s.iter().map(ToString::to_string).collect::<Vec<_>>()) }),
    };
    audit::record(&mut tx, actor.org, &Who::of(actor), event, now).await?;
    tx.commit().await?;
    Ok(())
}
