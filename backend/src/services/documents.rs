//! Documents filed on records, each in a folder whose audience decides who may open it. A new
//! version replaces the file people open; every old version is kept, for staff to open.

use proplink_shared::audit::AuditAction;
use proplink_shared::authz::Audience;
use proplink_shared::records::{RecordType, validate_document};
use proplink_shared::{Action, Actor, DocumentId, Domain, Resource, Scope, SiteId};
use serde_json::json;

use super::change::{Change, Event};
use super::{PAGE_SIZE, check};
use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::store::notices::{self as store, Document, DocumentVersion};
use crate::store::query::{Page, PageAt};

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

/// Where a stored document sits, as `authorize` judges it.
fn document_resource(actor: &Actor, d: &Document) -> Resource {
    resource(
        actor,
        &DocumentPlace {
            site: d.site_id,
            record_type: d.record_type,
            record_id: d.record_id.clone(),
            folder: &d.folder,
            audience: d.audience,
        },
    )
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
    let folder = place.folder.trim();
    if folder.is_empty() || folder.chars().count() > 80 {
        return Err(AppError::invalid(
            "folder",
            "Enter a folder of 80 characters or fewer, like Insurance",
        ));
    }
    let stored = super::files::store_document(app, actor.org, content).await?;
    let id = DocumentId::new();
    let doc = Document {
        id,
        site_id: place.site,
        record_type: place.record_type,
        record_id: place.record_id,
        folder: folder.to_owned(),
        audience: place.audience,
        title,
        filename,
        content_type: stored.content_type,
        size_bytes: stored.size_bytes,
        sha256: stored.sha256,
        version: 1,
    };
    let mut change = Change::begin(app, actor).await?;
    if doc.record_type == RecordType::Building {
        let (Some(site), Ok(building)) = (doc.site_id, doc.record_id.parse()) else {
            return Err(AppError::NotFound);
        };
        super::places::building_on_site(&mut change, actor.org, site, building).await?;
    }
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
    store::insert_document_version(
        &mut change,
        actor.org,
        id,
        &DocumentVersion {
            version: 1,
            filename: doc.filename.clone(),
            content_type: doc.content_type.clone(),
            size_bytes: doc.size_bytes,
            sha256: doc.sha256.clone(),
            uploaded_by: actor.display_name.clone(),
            created_at: now,
        },
    )
    .await?;
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

/// Uploads a new version of a document that was at `version`: it becomes the file people open,
/// and the old one is kept. Refused as a conflict if someone else uploaded one meanwhile.
pub async fn new_version(
    app: &App,
    actor: &Actor,
    id: DocumentId,
    version: i64,
    filename: &str,
    content: &[u8],
) -> AppResult<i64> {
    let (_, filename) = validate_document("version", filename)?;
    let d = {
        let mut conn = app.db.read().await?;
        store::document(&mut conn, actor.org, id)
            .await?
            .ok_or(AppError::NotFound)?
    };
    check(actor, Action::Update, &document_resource(actor, &d))?;
    let stored = super::files::store_document(app, actor.org, content).await?;
    let mut change = Change::begin(app, actor).await?;
    let now = change.now;
    super::files::record_stored(
        &mut change,
        actor.org,
        &stored.sha256,
        &stored.content_type,
        stored.size_bytes,
        now,
    )
    .await?;
    let next = DocumentVersion {
        version: version + 1,
        filename: if filename.is_empty() {
            d.filename.clone()
        } else {
            filename
        },
        content_type: stored.content_type,
        size_bytes: stored.size_bytes,
        sha256: stored.sha256,
        uploaded_by: actor.display_name.clone(),
        created_at: now,
    };
    if !store::set_current_version(&mut change, actor.org, id, &next).await? {
        return Err(AppError::conflict(
            "stale",
            format!(
                "Someone else uploaded a new version of \"{}\" since you opened this page. Reload it to see theirs.",
                d.title
            ),
        ));
    }
    store::insert_document_version(&mut change, actor.org, id, &next).await?;
    change
        .record(Event::new(
            RecordType::Document,
            id,
            AuditAction::Upload,
            format!("uploaded version {} of \"{}\"", next.version, d.title),
            json!({ "version": next.version, "filename": next.filename, "sha256": next.sha256, "size": next.size_bytes }),
        ))
        .await?;
    change.commit().await?;
    Ok(next.version)
}

/// A document and all its versions, newest first, for those who may open it.
pub async fn document(
    app: &App,
    actor: &Actor,
    id: DocumentId,
) -> AppResult<(Document, Vec<DocumentVersion>)> {
    let (d, versions) = super::remember_in(app, actor.org, format!("document {id}"), || async {
        let mut conn = app.db.read().await?;
        let Some(d) = store::document(&mut conn, actor.org, id).await? else {
            return Ok(None);
        };
        let versions = store::document_versions(&mut conn, actor.org, id).await?;
        Ok(Some((d, versions)))
    })
    .await?
    .ok_or(AppError::NotFound)?;
    check(actor, Action::Read, &document_resource(actor, &d))?;
    Ok((d, versions))
}

/// The bytes of one version of a document (the current one with `None`), with its type and
/// name. Old versions are for staff only.
pub async fn file(
    app: &App,
    actor: &Actor,
    id: DocumentId,
    version: Option<i64>,
) -> AppResult<(String, String, Vec<u8>)> {
    let (d, versions) = document(app, actor, id).await?;
    let v = match version {
        None => versions.iter().find(|v| v.version == d.version),
        Some(n) if actor.is_staff() => versions.iter().find(|v| v.version == n),
        Some(_) => None,
    }
    .ok_or(AppError::NotFound)?;
    let path = super::files::file_path(app, actor.org, &v.sha256);
    let bytes = tokio::fs::read(path)
        .await
        .map_err(|_| AppError::NotFound)?;
    Ok((v.content_type.clone(), v.filename.clone(), bytes))
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

/// A page of the documents the actor may open, by folder and title.
pub async fn page(
    app: &App,
    actor: &Actor,
    text: Option<String>,
    at: &PageAt,
) -> AppResult<Page<Document>> {
    let scope = Scope::of(actor, Domain::Documents);
    super::remember(
        app,
        &scope,
        format!("documents {text:?} {at:?}"),
        || async {
            let mut conn = app.db.read().await?;
            Ok(store::documents_page(&mut conn, &scope, text.as_deref(), at, PAGE_SIZE).await?)
        },
    )
    .await
}
