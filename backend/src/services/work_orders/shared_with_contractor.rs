//! What the office shares with a work order's contractor — how to get in, whom to ask, the
//! request's photos — and the files on a work order (a quote's document, a certificate)
//! handed back only to those who may read them: staff who read the work order, and the
//! contractor who sent them.

use proplink_shared::audit::AuditAction;
use proplink_shared::records::RecordType;
use proplink_shared::{Action, Actor, CertificateId, Principal, QuoteId, WorkOrderId};
use serde_json::json;

use super::load_for;
use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::services::change::{Change, Event};
use crate::store::{files, requests, work_orders as store};

const ACCESS_NOTES_MAX: usize = 2_000;
const ACCESS_CONTACT_MAX: usize = 200;

/// Sets what the contractor is told about getting in, and the person (if any) they may call
/// to be let in. Nothing else of the residents is ever shown to a contractor.
pub async fn set_access(
    app: &App,
    actor: &Actor,
    id: WorkOrderId,
    notes: &str,
    contact: &str,
) -> AppResult<()> {
    let (notes, contact) = (notes.trim(), contact.trim());
    let mut errors = proplink_shared::records::ValidationErrors::default();
    if notes.chars().count() > ACCESS_NOTES_MAX {
        errors.add(
            "access_notes",
            format!("Access notes must be {ACCESS_NOTES_MAX} characters or fewer"),
        );
    }
    if contact.chars().count() > ACCESS_CONTACT_MAX {
        errors.add(
            "access_contact",
            format!("The access contact must be {ACCESS_CONTACT_MAX} characters or fewer"),
        );
    }
    errors.into_result(()).map_err(AppError::Invalid)?;
    let mut change = Change::begin(app, actor).await?;
    let w = load_for(&mut change, actor, id, Action::Update).await?;
    store::set_access(&mut change, actor.org, id, notes, contact).await?;
    change
        .record(Event::new(
            RecordType::WorkOrder,
            id,
            AuditAction::Update,
            format!(
                "changed what the contractor is told about access to {}",
                w.reference
            ),
            json!({
                "before": { "access_notes": w.access_notes, "access_contact": w.access_contact },
                "after": { "access_notes": notes, "access_contact": contact },
            }),
        ))
        .await?;
    change.commit().await
}

/// The request's photos not yet on the work order, for the office to choose from.
pub async fn unshared_request_photos(
    app: &App,
    actor: &Actor,
    id: WorkOrderId,
) -> AppResult<Vec<String>> {
    let view = super::work_order(app, actor, id).await?;
    let Some(ticket) = view.work_order.ticket_id else {
        return Ok(Vec::new());
    };
    let mut conn = app.db.read().await?;
    let Some(t) = requests::ticket(&mut conn, actor.org, ticket).await? else {
        return Ok(Vec::new());
    };
    drop(conn);
    Ok(crate::services::requests::photos_of(app, actor, &t)
        .await?
        .into_iter()
        .filter(|sha| !view.photos.contains(sha))
        .collect())
}

/// Puts some of the request's photos on the work order, where its contractor sees them.
pub async fn share_request_photos(
    app: &App,
    actor: &Actor,
    id: WorkOrderId,
    chosen: &[String],
) -> AppResult<()> {
    if chosen.is_empty() {
        return Err(AppError::invalid(
            "photos",
            "Choose the photos to share with the contractor",
        ));
    }
    let offered = unshared_request_photos(app, actor, id).await?;
    if chosen.iter().any(|sha| !offered.contains(sha)) {
        return Err(AppError::invalid(
            "photos",
            "Those photos are not the request's, or are already shared. Reload the page.",
        ));
    }
    let mut change = Change::begin(app, actor).await?;
    let w = load_for(&mut change, actor, id, Action::Update).await?;
    let now = change.now;
    for sha in chosen {
        files::attach(
            &mut change,
            actor.org,
            RecordType::WorkOrder,
            &id.to_string(),
            sha,
            now,
        )
        .await?;
    }
    let n = chosen.len();
    change
        .record(Event::new(
            RecordType::WorkOrder,
            id,
            AuditAction::Update,
            format!(
                "shared {n} of the request's photo{} with the contractor on {}",
                if n == 1 { "" } else { "s" },
                w.reference
            ),
            json!({ "photos": chosen }),
        ))
        .await?;
    change.commit().await
}

/// A file to hand over: its type, its bytes, and the name to save it under.
pub struct Download {
    pub content_type: String,
    pub bytes: Vec<u8>,
    pub filename: String,
}

impl Download {
    /// Whether a browser may show it in place: only the photo types PropLink keeps. Anything
    /// else is saved, never rendered from our address.
    #[must_use]
    pub fn inline(&self) -> bool {
        matches!(
            self.content_type.as_str(),
            "image/jpeg" | "image/png" | "image/webp"
        )
    }
}

/// The contractor a reader is, if they are one: they read only what they sent.
fn contractor_of(actor: &Actor) -> Option<proplink_shared::VendorId> {
    match actor.principal {
        Principal::Contractor { vendor, .. } => Some(vendor),
        _ => None,
    }
}

/// A quote's own document.
pub async fn quote_file(
    app: &App,
    actor: &Actor,
    id: WorkOrderId,
    quote: QuoteId,
) -> AppResult<Download> {
    let view = super::work_order(app, actor, id).await?;
    let q = view
        .quotes
        .iter()
        .find(|q| q.id == quote)
        .filter(|q| contractor_of(actor).is_none_or(|mine| q.vendor_id == mine))
        .ok_or(AppError::NotFound)?;
    let sha = q.file_sha256.as_deref().ok_or(AppError::NotFound)?;
    download(
        app,
        actor,
        sha,
        &format!("{} quote", view.work_order.reference),
    )
    .await
}

/// A certificate's file.
pub async fn certificate_file(
    app: &App,
    actor: &Actor,
    id: WorkOrderId,
    certificate: CertificateId,
) -> AppResult<Download> {
    let view = super::work_order(app, actor, id).await?;
    let c = view
        .certificates
        .iter()
        .find(|c| c.id == certificate)
        .filter(|c| contractor_of(actor).is_none_or(|mine| c.vendor_id == Some(mine)))
        .ok_or(AppError::NotFound)?;
    let sha = c.file_sha256.as_deref().ok_or(AppError::NotFound)?;
    let name = format!("{} {}", view.work_order.reference, c.kind.label());
    download(app, actor, sha, &name).await
}

async fn download(app: &App, actor: &Actor, sha: &str, name: &str) -> AppResult<Download> {
    let (content_type, bytes) = crate::services::files::stored(app, actor.org, sha).await?;
    let extension = match content_type.as_str() {
        "application/pdf" => "pdf",
        "image/jpeg" => "jpg",
        "image/png" => "png",
        "image/webp" => "webp",
        _ => "bin",
    };
    // Only letters, digits and dashes reach the header: nothing to escape, nothing to inject.
    let stem: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    Ok(Download {
        content_type,
        bytes,
        filename: format!("{}.{extension}", stem.trim_matches('-')),
    })
}
