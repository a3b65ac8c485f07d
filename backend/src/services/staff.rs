//! Managing the staff: invitations, roles, the sites a site-based role covers, deactivation.
//! Owners and administrators only; only an owner makes or unmakes an owner; the organisation
//! always keeps one active owner.

use proplink_shared::audit::AuditAction;
use proplink_shared::records::{RecordType, ValidationErrors, validate_email};
use proplink_shared::{Action, Actor, Domain, Principal, Resource, Role, SiteId, StaffUserId};
use serde_json::json;

use super::change::{Change, Event};
use super::mail::{self, Outgoing};
use super::{PAGE_SIZE, check};
use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::store::orgs::{self as store, StaffUser};
use crate::store::query::{Page, PageAt};

fn users(actor: &Actor) -> Resource {
    Resource::org_wide(actor.org, Domain::Users)
}

/// The actor's own role, when they are staff.
fn role_of(actor: &Actor) -> Option<Role> {
    match actor.principal {
        Principal::Staff { role, .. } => role,
        _ => None,
    }
}

/// Refuses unless the actor may give (or take away) `role`.
fn may_grant(actor: &Actor, role: Role) -> AppResult<()> {
    if role_of(actor).is_some_and(|mine| mine.may_grant(role)) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// The sites a role is given: site-based roles need at least one.
fn sites_for(role: Role, sites: &[SiteId]) -> AppResult<Option<Vec<SiteId>>> {
    if role.is_site_based() {
        if sites.is_empty() {
            return Err(AppError::invalid(
                "sites",
                format!("Choose the sites a {} looks after", role.label()),
            ));
        }
        Ok(Some(sites.to_vec()))
    } else {
        Ok(None)
    }
}

/// Adds a member of staff and emails them how to sign in.
pub async fn invite(
    app: &App,
    actor: &Actor,
    email: &str,
    name: &str,
    role: Role,
    sites: &[SiteId],
) -> AppResult<StaffUserId> {
    check(actor, Action::Create, &users(actor))?;
    may_grant(actor, role)?;
    let mut errors = ValidationErrors::default();
    let email = validate_email(email).map_err(|e| {
        for err in e.0 {
            errors.add("email", err.message);
        }
    });
    if name.trim().is_empty() {
        errors.add("name", "Enter their name");
    }
    let sites = match sites_for(role, sites) {
        Ok(sites) => sites,
        Err(AppError::Invalid(e)) => {
            errors.0.extend(e.0);
            None
        }
        Err(e) => return Err(e),
    };
    errors.into_result(()).map_err(AppError::Invalid)?;
    let email = email.unwrap_or_default();
    let mut change = Change::begin(app, actor).await?;
    let id =
        super::orgs::insert_staff(&mut change, actor, &email, name, role, sites.as_deref()).await?;
    let org = store::by_id(&mut change, actor.org)
        .await?
        .ok_or(AppError::NotFound)?;
    let url = app.config.admin_url(&org.slug);
    let body = format!(
        "Hello {},\n\n{} has added you to {} on PropLink as {}.\n\nSign in at {url}/sign-in with this email address: we email you a six-digit code each time, so there is no password to remember.\n",
        name.trim(),
        actor.display_name,
        org.name,
        role.label()
    );
    mail::queue(
        &mut change,
        Some(actor.org),
        Outgoing {
            to: &email,
            subject: &format!("You have been added to {} on PropLink", org.name),
            body: &body,
            about: Some((RecordType::StaffUser, id.to_string())),
            secret: None,
        },
    )
    .await?;
    change.commit().await?;
    Ok(id)
}

/// Loads a member of staff for a change to them, after taking the organisation's staff lock.
async fn load_locked(
    change: &mut Change<'_>,
    actor: &Actor,
    user: StaffUserId,
) -> AppResult<StaffUser> {
    store::lock_staff(change, actor.org).await?;
    store::staff_by_id(change, actor.org, user)
        .await?
        .ok_or(AppError::NotFound)
}

/// Refuses a change that would leave the organisation without an active owner.
async fn keeps_an_owner(
    change: &mut Change<'_>,
    actor: &Actor,
    staff: &StaffUser,
) -> AppResult<()> {
    if staff.role == Some(Role::OrganisationOwner)
        && staff.active
        && store::active_owners(change, actor.org).await? <= 1
    {
        return Err(AppError::conflict(
            "last_owner",
            format!(
                "{} is the only Organisation Owner. Make someone else an owner first, so the organisation always has one.",
                staff.name
            ),
        ));
    }
    Ok(())
}

/// Ends a person's sessions and device tokens at once: they sign in again with what they now
/// may do, or not at all.
async fn end_sessions(change: &mut Change<'_>, actor: &Actor, user: StaffUserId) -> AppResult<()> {
    crate::store::auth::delete_sessions_of(change, actor.org, &user.to_string()).await?;
    let now = change.now;
    crate::store::sync::revoke_user_tokens(change, actor.org, user, now).await?;
    Ok(())
}

/// Gives a member of staff another role (and, for a site-based role, its sites).
pub async fn change_role(
    app: &App,
    actor: &Actor,
    user: StaffUserId,
    role: Role,
    sites: &[SiteId],
) -> AppResult<()> {
    check(actor, Action::Update, &users(actor))?;
    may_grant(actor, role)?;
    let sites = sites_for(role, sites)?;
    let mut change = Change::begin(app, actor).await?;
    let staff = load_locked(&mut change, actor, user).await?;
    if let Some(old) = staff.role {
        may_grant(actor, old)?;
    }
    if role != Role::OrganisationOwner {
        keeps_an_owner(&mut change, actor, &staff).await?;
    }
    store::set_role(&mut change, actor.org, user, role).await?;
    if let Err(e) = store::set_scope(&mut change, actor.org, user, sites.as_deref()).await {
        return Err(if e.is_foreign_key_violation() {
            AppError::invalid("sites", "Choose sites of this organisation")
        } else {
            e.into()
        });
    }
    end_sessions(&mut change, actor, user).await?;
    let from = staff.role.map_or("no role", Role::label);
    change
        .record(Event::new(
            RecordType::StaffUser,
            user,
            AuditAction::Update,
            format!(
                "changed {}'s role from {from} to {} for {}",
                staff.name,
                role.label(),
                super::orgs::scope_words(sites.as_deref())
            ),
            json!({ "from": staff.role.map(Role::code), "to": role.code(), "sites": sites.map(|s| s.iter().map(ToString::to_string).collect::<Vec<_>>()) }),
        ))
        .await?;
    change.commit().await?;
    app.sessions.forget_where(|s| s.staff.id == user);
    Ok(())
}

/// Deactivates a member of staff: their sessions and devices end at once and they can no
/// longer sign in. Nobody deactivates themselves or the last owner.
pub async fn deactivate(app: &App, actor: &Actor, user: StaffUserId) -> AppResult<()> {
    check(actor, Action::Archive, &users(actor))?;
    if matches!(actor.principal, Principal::Staff { user: me, .. } if me == user) {
        return Err(AppError::conflict(
            "self",
            "You cannot deactivate yourself. Ask another owner or administrator.",
        ));
    }
    let mut change = Change::begin(app, actor).await?;
    let staff = load_locked(&mut change, actor, user).await?;
    if let Some(role) = staff.role {
        may_grant(actor, role)?;
    }
    if !staff.active {
        return Err(AppError::conflict(
            "stale",
            format!("{} is already deactivated.", staff.name),
        ));
    }
    keeps_an_owner(&mut change, actor, &staff).await?;
    store::set_active(&mut change, actor.org, user, false).await?;
    end_sessions(&mut change, actor, user).await?;
    change
        .record(Event::new(
            RecordType::StaffUser,
            user,
            AuditAction::Archive,
            format!("deactivated {}", staff.name),
            json!({ "active": false }),
        ))
        .await?;
    change.commit().await?;
    app.sessions.forget_where(|s| s.staff.id == user);
    Ok(())
}

/// Lets a deactivated member of staff sign in again, with the role they had.
pub async fn reactivate(app: &App, actor: &Actor, user: StaffUserId) -> AppResult<()> {
    check(actor, Action::Update, &users(actor))?;
    let mut change = Change::begin(app, actor).await?;
    let staff = load_locked(&mut change, actor, user).await?;
    if let Some(role) = staff.role {
        may_grant(actor, role)?;
    }
    if staff.active {
        return Err(AppError::conflict(
            "stale",
            format!("{} is already active.", staff.name),
        ));
    }
    store::set_active(&mut change, actor.org, user, true).await?;
    change
        .record(Event::new(
            RecordType::StaffUser,
            user,
            AuditAction::Restore,
            format!("reactivated {}", staff.name),
            json!({ "active": true }),
        ))
        .await?;
    change.commit().await
}

/// A page of the staff, by name; those who may not see the staff get `NotFound`.
pub async fn staff(app: &App, actor: &Actor, at: &PageAt) -> AppResult<Page<StaffUser>> {
    check(actor, Action::Read, &users(actor))?;
    super::remember_in(app, actor.org, format!("staff {at:?}"), || async {
        let mut conn = app.db.read().await?;
        Ok(store::staff_page(&mut conn, actor.org, at, PAGE_SIZE).await?)
    })
    .await
}

/// A member of staff and the sites a site-based role covers.
pub async fn member(
    app: &App,
    actor: &Actor,
    user: StaffUserId,
) -> AppResult<(StaffUser, Vec<SiteId>)> {
    check(actor, Action::Read, &users(actor))?;
    super::remember_in(app, actor.org, format!("staff member {user}"), || async {
        let mut conn = app.db.read().await?;
        let Some(staff) = store::staff_by_id(&mut conn, actor.org, user).await? else {
            return Ok(None);
        };
        let sites = store::staff_sites(&mut conn, actor.org, user).await?;
        Ok(Some((staff, sites)))
    })
    .await?
    .ok_or(AppError::NotFound)
}

/// The active members of staff for whom `may` holds, judged as each of them (their role and
/// their sites), by name: who a request or work order can be given to. Read once per change
/// of the organisation, and remembered.
pub(crate) async fn who_may(
    app: &App,
    org: proplink_shared::OrgId,
    channel: proplink_shared::audit::Channel,
    may: impl Fn(&Actor) -> bool,
) -> AppResult<Vec<StaffUser>> {
    let (staff, scopes) = super::remember_in(app, org, "staff and their sites".into(), || async {
        let mut conn = app.db.read().await?;
        let staff = store::staff_list(&mut conn, org).await?;
        let scopes = store::all_staff_sites(&mut conn, org).await?;
        Ok((staff, scopes))
    })
    .await?;
    Ok(judged(org, channel, staff, &scopes, may))
}

/// [`who_may`] read through `conn`: inside a change, which holds its own connection and must
/// not wait for a second.
pub(crate) async fn who_may_in(
    conn: &mut crate::store::Conn,
    org: proplink_shared::OrgId,
    channel: proplink_shared::audit::Channel,
    may: impl Fn(&Actor) -> bool,
) -> AppResult<Vec<StaffUser>> {
    let staff = store::staff_list(conn, org).await?;
    let scopes = store::all_staff_sites(conn, org).await?;
    Ok(judged(org, channel, staff, &scopes, may))
}

fn judged(
    org: proplink_shared::OrgId,
    channel: proplink_shared::audit::Channel,
    staff: Vec<StaffUser>,
    scopes: &[(StaffUserId, SiteId)],
    may: impl Fn(&Actor) -> bool,
) -> Vec<StaffUser> {
    staff
        .into_iter()
        .filter(|s| s.active)
        .filter(|s| {
            let sites: Vec<SiteId> = scopes
                .iter()
                .filter(|(user, _)| *user == s.id)
                .map(|(_, site)| *site)
                .collect();
            may(&super::auth::staff_actor(org, s, &sites, channel))
        })
        .collect()
}
