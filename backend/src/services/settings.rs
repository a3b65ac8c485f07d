//! The organisation's settings and branding: names and numbers, contact details, the brand
//! colour (checked for contrast), the portals' welcome texts and the logo.
//!
//! Logos are PNG only. An SVG can carry scripts and links that run wherever it is opened, and
//! cleaning one safely is a parser's job we would rather not own; PNGs are checked to be real
//! images of a sensible size and stripped of their metadata before they are kept.

use proplink_shared::audit::AuditAction;
use proplink_shared::records::{OrgSettings, RecordType};
use proplink_shared::{Action, Actor, Domain, Resource};
use serde_json::json;

use super::change::{Change, Event};
use super::check;
use super::files::photos::{self, PhotoType};
use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::store::orgs::{self as store, Organisation};

/// The largest logo kept.
pub const LOGO_MAX_BYTES: usize = 512 * 1024;
/// The largest side of a logo, in pixels.
const LOGO_MAX_SIDE: u32 = 2048;

fn settings(actor: &Actor) -> Resource {
    Resource::org_wide(actor.org, Domain::Settings)
}

/// The organisation as its settings page shows it.
pub async fn organisation(app: &App, actor: &Actor) -> AppResult<Organisation> {
    check(actor, Action::Read, &settings(actor))?;
    let mut conn = app.db.read().await?;
    store::by_id(&mut conn, actor.org)
        .await?
        .ok_or(AppError::NotFound)
}

/// The names of the settings that differ, for the audit sentence.
fn changed(before: &OrgSettings, after: &OrgSettings) -> Vec<&'static str> {
    let pairs: [(&'static str, &String, &String); 10] = [
        ("name", &before.name, &after.name),
        ("legal name", &before.legal_name, &after.legal_name),
        (
            "company number",
            &before.company_number,
            &after.company_number,
        ),
        ("VAT number", &before.vat_number, &after.vat_number),
        ("address", &before.address, &after.address),
        ("contact email", &before.contact_email, &after.contact_email),
        ("contact phone", &before.contact_phone, &after.contact_phone),
        ("brand colour", &before.brand_colour, &after.brand_colour),
        (
            "ResidencePort welcome",
            &before.welcome_text,
            &after.welcome_text,
        ),
        (
            "BuildingThread welcome",
            &before.thread_welcome_text,
            &after.thread_welcome_text,
        ),
    ];
    pairs
        .into_iter()
        .filter(|(_, a, b)| a != b)
        .map(|(name, _, _)| name)
        .collect()
}

/// Saves the settings typed on a form that showed `version`. Refused with every problem at
/// once (the brand colour with its contrast ratio), or as a conflict if someone else saved
/// the settings since the form was opened.
pub async fn update(app: &App, actor: &Actor, version: i64, typed: &OrgSettings) -> AppResult<()> {
    check(actor, Action::Update, &settings(actor))?;
    let valid = OrgSettings::validate(typed).map_err(AppError::Invalid)?;
    let mut change = Change::begin(app, actor).await?;
    let org = store::by_id(&mut change, actor.org)
        .await?
        .ok_or(AppError::NotFound)?;
    let before = org.settings();
    if !store::update_settings(&mut change, actor.org, version, &valid).await? {
        return Err(AppError::conflict(
            "stale",
            "Someone else changed the settings since you opened this page. Reload it to see theirs, then make your change again.",
        ));
    }
    let what = changed(&before, &valid);
    if what.is_empty() {
        return change.commit().await;
    }
    change
        .record(Event::new(
            RecordType::Organisation,
            actor.org,
            AuditAction::Update,
            format!("changed the organisation's {}", what.join(", ")),
            json!({ "changed": what, "brand_colour": { "from": before.brand_colour, "to": valid.brand_colour } }),
        ))
        .await?;
    change.commit().await?;
    app.orgs.forget_where(|o| o.id == actor.org);
    Ok(())
}

/// A PNG's width and height, from its header.
fn png_size(bytes: &[u8]) -> Option<(u32, u32)> {
    let header = bytes.get(12..24)?;
    if &header[..4] != b"IHDR" {
        return None;
    }
    let width = u32::from_be_bytes(header[4..8].try_into().ok()?);
    let height = u32::from_be_bytes(header[8..12].try_into().ok()?);
    Some((width, height))
}

/// Why a file is not a logo we keep, or the cleaned PNG.
pub fn check_logo(bytes: &[u8]) -> AppResult<Vec<u8>> {
    let refuse = |message: &str| Err(AppError::invalid("logo", message));
    if bytes.is_empty() {
        return refuse("Choose a PNG file for the logo");
    }
    if bytes.len() > LOGO_MAX_BYTES {
        return refuse("The logo must be 512 KB or smaller");
    }
    let start = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]).to_ascii_lowercase();
    if start.contains("<svg") || start.trim_start().starts_with("<?xml") {
        return refuse(
            "SVG logos are not accepted, because an SVG can carry scripts. Upload the logo as a PNG",
        );
    }
    if PhotoType::of(bytes) != Some(PhotoType::Png) {
        return refuse("The logo must be a PNG image");
    }
    match png_size(bytes) {
        Some((w, h)) if (16..=LOGO_MAX_SIDE).contains(&w) && (16..=LOGO_MAX_SIDE).contains(&h) => {}
        Some(_) => return refuse("The logo must be between 16 and 2048 pixels wide and high"),
        None => return refuse("The PNG is damaged and cannot be read"),
    }
    match photos::clean(bytes) {
        Ok((_, cleaned)) => Ok(cleaned),
        Err(_) => refuse("The PNG is damaged and cannot be read"),
    }
}

/// Replaces the logo with an uploaded PNG.
pub async fn set_logo(app: &App, actor: &Actor, bytes: &[u8]) -> AppResult<()> {
    check(actor, Action::Update, &settings(actor))?;
    let cleaned = check_logo(bytes)?;
    let mut change = Change::begin(app, actor).await?;
    let now = change.now;
    let sha = super::files::keep(app, &mut change, actor.org, "image/png", cleaned, now).await?;
    store::set_logo(&mut change, actor.org, Some(&sha)).await?;
    change
        .record(Event::new(
            RecordType::Organisation,
            actor.org,
            AuditAction::Upload,
            "uploaded a new logo".to_owned(),
            json!({ "sha256": sha }),
        ))
        .await?;
    change.commit().await?;
    app.orgs.forget_where(|o| o.id == actor.org);
    Ok(())
}

/// Takes the logo away: the portals show the organisation's name alone.
pub async fn remove_logo(app: &App, actor: &Actor) -> AppResult<()> {
    check(actor, Action::Update, &settings(actor))?;
    let mut change = Change::begin(app, actor).await?;
    store::set_logo(&mut change, actor.org, None).await?;
    change
        .record(Event::new(
            RecordType::Organisation,
            actor.org,
            AuditAction::Update,
            "removed the logo".to_owned(),
            json!({}),
        ))
        .await?;
    change.commit().await?;
    app.orgs.forget_where(|o| o.id == actor.org);
    Ok(())
}

/// Whether tenants read the account of the home they rent on ResidencePort (its statement and
/// the leaseholder's invoices). Off unless the organisation chooses it.
pub async fn share_accounts_with_tenants(app: &App, actor: &Actor, share: bool) -> AppResult<()> {
    check(actor, Action::Update, &settings(actor))?;
    let mut change = Change::begin(app, actor).await?;
    store::set_tenants_see_account(&mut change, actor.org, share).await?;
    change
        .record(Event::new(
            RecordType::Organisation,
            actor.org,
            AuditAction::Update,
            if share {
                "let tenants see the account of the home they rent on ResidencePort"
            } else {
                "stopped tenants seeing the account of the home they rent on ResidencePort"
            },
            json!({ "tenants_see_account": share }),
        ))
        .await?;
    change.commit().await?;
    app.orgs.forget_where(|o| o.id == actor.org);
    Ok(())
}

/// The logo's bytes, for anyone who reaches the organisation's doors: only the current
/// logo's hash is served, never another of the organisation's files.
pub async fn logo(app: &App, org: &Organisation, sha: &str) -> AppResult<Vec<u8>> {
    if org.logo_sha.as_deref() != Some(sha) {
        return Err(AppError::NotFound);
    }
    let path = super::files::file_path(app, org.id, sha);
    tokio::fs::read(path).await.map_err(|_| AppError::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn svg_and_other_files_are_refused_with_a_reason() {
        let svg = br#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#;
        let err = check_logo(svg).unwrap_err();
        assert!(
            format!("{err:?}").contains("SVG logos are not accepted"),
            "{err:?}"
        );
        let err = check_logo(b"GIF89a....").unwrap_err();
        assert!(format!("{err:?}").contains("must be a PNG"), "{err:?}");
        let err = check_logo(&vec![0u8; LOGO_MAX_BYTES + 1]).unwrap_err();
        assert!(format!("{err:?}").contains("512 KB"), "{err:?}");
    }
}
