//! The documents of a higher-risk building's golden thread: those filed on the building for
//! the Regulator (the fire strategy, the assessments, the certificates), by folder. The
//! Regulator reads and downloads them on BuildingThread, and each download is in the trail.

use proplink_shared::audit::AuditAction;
use proplink_shared::authz::Audience;
use proplink_shared::records::{GOLDEN_THREAD_FOLDERS, RecordType};
use proplink_shared::{Action, Actor, BuildingId, DocumentId, Principal};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::hrb;
use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::services::change::{Change, Event};
use crate::services::documents;
use crate::store::notices::Document;

/// Where a folder sorts: the golden thread's own folders in their order, then any other.
fn folder_rank(folder: &str) -> usize {
    GOLDEN_THREAD_FOLDERS
        .iter()
        .position(|f| f.eq_ignore_ascii_case(folder))
        .unwrap_or(GOLDEN_THREAD_FOLDERS.len())
}

/// Whether a document belongs to the building's golden thread.
fn in_thread(d: &Document, building: BuildingId) -> bool {
    d.record_type == RecordType::Building
        && d.record_id == building.to_string()
        && d.audience == Audience::Regulator
}

/// The building's golden-thread documents that `actor` may open, by folder then title.
pub async fn of_building(
    app: &App,
    actor: &Actor,
    building: BuildingId,
) -> AppResult<Vec<Document>> {
    {
        let mut conn = app.db.read().await?;
        hrb(&mut conn, actor, building, Action::Read, None).await?;
    }
    let id = building.to_string();
    let mut docs: Vec<Document> =
        documents::documents(app, actor, Some((RecordType::Building, id.as_str())))
            .await?
            .into_iter()
            .filter(|d| in_thread(d, building))
            .collect();
    docs.sort_by(|a, b| {
        (folder_rank(&a.folder), &a.folder, &a.title).cmp(&(
            folder_rank(&b.folder),
            &b.folder,
            &b.title,
        ))
    });
    Ok(docs)
}

/// The current file of one of the building's golden-thread documents: its type, name and
/// bytes. The Regulator's download is kept in the building's trail.
pub async fn download(
    app: &App,
    actor: &Actor,
    building: BuildingId,
    id: DocumentId,
) -> AppResult<(String, String, Vec<u8>)> {
    let b = {
        let mut conn = app.db.read().await?;
        hrb(&mut conn, actor, building, Action::Read, None).await?
    };
    let (d, _) = documents::document(app, actor, id).await?;
    if !in_thread(&d, building) {
        return Err(AppError::NotFound);
    }
    let file = documents::file(app, actor, id, None).await?;
    if matches!(actor.principal, Principal::Regulator { .. }) {
        let mut change = Change::begin(app, actor).await?;
        change
            .record(Event::new(
                RecordType::GoldenThread,
                building,
                AuditAction::Download,
                format!(
                    "downloaded \"{}\" ({}) from the golden thread of {}",
                    d.title, d.folder, b.name
                ),
                // The digest of the bytes served, whatever was uploaded meanwhile.
                json!({ "document": id, "sha256": hex::encode(Sha256::digest(&file.2)) }),
            ))
            .await?;
        change.commit().await?;
    }
    Ok(file)
}
