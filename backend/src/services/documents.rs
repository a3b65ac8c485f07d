//! Documents filed on records, each in a folder whose audience decides who may open it.

use proplink_shared::audit::AuditAction;
use proplink_shared::authz::Audience;
use proplink_shared::records::{RecordType, validate_document};
use proplink_shared::{Action, Actor, DocumentId, Domain, Resource, Scope, SiteId};
use serde_json::json;

use super::change::{Change, Event};
use super::check;
use crate::app::App;
use crate::error::AppResult;
use crate::store::notices::{self as store, Document};

/// What a new document is filed on and who may open it.
pub struct DocumentPlace<'a> {
    pub site: Option<SiteId>,
    pub record_type: RecordType,
    pub record_id: String,
    pub folder: &'a str,
    pub audience: Audience,
}

fn resource(actor: &Actor, place: &DocumentPlace<'_>) -> Resource {
    let mut r = Resource::org_wide(actor.org, Domain::Documents).with_audience(place.audience);
    r.site = place.site;
    if place.record_type == RecordType::WorkOrder {
        r.work_order = place.record_id.parse().ok();
    }
    if place.record_type == RecordType::Building {
        r.building = place.record_id.parse().ok();
    }
    r
}

/// Stores a file and files it on its record.
pub async fn add(
    app: &App,
    actor: &Actor,
    place: DocumentPlace<'_>,
    title: &str,
    filename: &str,
    content: &[u8],
) -> AppResult<DocumentId> {
    check(actor, Action::Create, &resource(actor, &place))?;
    let (title, filename) = validate_document(title, filename)?;
    let stored = super::files::store_document(app, actor.org, content).await?;
    let id = DocumentId::new();
    let doc = Document {
        id,
        site_id: place.site,
        record_type: place.record_type,
        record_id: place.record_id,
        folder: place.folder.to_owned(),
        audience: place.audience,
        title,
        filename,
        content_type: stored.content_type,
        size_bytes: stored.size_bytes,
        sha256: stored.sha256,
    };
    let mut change = Change::begin(app, actor).await?;
    let now = change.now;
    super::files::record_stored(
        &mut change,
        actor.org,
        &doc.sha256,
        &doc.content_type,
        doc.size_bytes,
        now,
    )
    .await?;
    store::insert_document(&mut change, actor.org, &doc, now).await?;
    change
        .record(Event::new(
            RecordType::Document,
            id,
            AuditAction::Upload,
            format!("uploaded \"{}\" to {}", doc.title, doc.folder),
            json!({ "title": doc.title, "filename": doc.filename, "folder": doc.folder, "audience": doc.audience.code(), "sha256": doc.sha256, "size": doc.size_bytes, "record_type": doc.record_type.code(), "record_id": doc.record_id }),
        ))
        .await?;
    change.commit().await?;
    Ok(id)
}

/// The documents the actor may open, on one record or on any.
pub async fn documents(
    app: &App,
    actor: &Actor,
    record: Option<(RecordType, &str)>,
) -> AppResult<Vec<Document>> {
    let mut conn = app.db.read().await?;
    Ok(store::documents(&mut conn, &Scope::of(actor, Domain::Documents), record).await?)
}
