//! What the admin app and BuildingThread show alike of a higher-risk building's golden thread:
//! a part's fields as written, who saved a version, the thread's documents, and the handover
//! pack as a download.

use axum::response::Response;
use proplink_shared::london::format_date_time;
use proplink_shared::records::GoldenThreadCategory as Part;
use proplink_shared::{Actor, BuildingId, DocumentId};

use crate::app::App;
use crate::doors::admin::documents::{download as attachment, size};
use crate::doors::pages::{Cell, Entry, Section, Table, headers};
use crate::error::{AppError, AppResult};
use crate::services::golden_thread::PartVersion;
use crate::services::golden_thread::handover::{self, Format, shown};

/// A version's fields as people read them, in the part's order.
pub fn entries(part: Part, v: &PartVersion) -> Vec<Entry> {
    part.fields()
        .iter()
        .map(|f| Entry {
            meta: f.label.into(),
            body: v
                .body
                .get(f.name)
                .filter(|s| !s.is_empty())
                .map_or_else(|| "Not recorded".into(), |s| shown(f.kind, s)),
            internal: false,
        })
        .collect()
}

/// Who saved a version, when and through which door.
pub fn said_by(v: &PartVersion) -> String {
    format!(
        "Version {}, saved {} by {} via {}.",
        v.version,
        format_date_time(v.at),
        v.author,
        v.channel.label()
    )
}

/// The pack for anyone who may read the whole thread, noted in its trail.
pub async fn download(
    app: &App,
    actor: &Actor,
    id: BuildingId,
    format: Format,
) -> AppResult<Response> {
    let pack = handover::export(app, actor, id, format).await?;
    let stem: String = pack
        .building
        .name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let date = proplink_shared::london::local(pack.exported_at).date();
    let (body, kind, ext) = match format {
        // Laying out a long thread is CPU work: kept off the threads that serve requests.
        Format::Pdf => (
            tokio::task::spawn_blocking(move || crate::doors::pdf::handover(&pack))
                .await
                .map_err(|e| AppError::Internal(e.into()))?,
            "application/pdf",
            "pdf",
        ),
        Format::Json => (
            serde_json::to_vec_pretty(&handover::json(&pack))
                .map_err(|e| AppError::Internal(e.into()))?,
            "application/json",
            "json",
        ),
    };
    Ok(attachment(
        kind,
        &format!("golden-thread-{stem}-{date}.{ext}"),
        body,
    ))
}

/// The golden thread's documents by folder, each title opening `href` of its id.
pub fn documents_section(
    docs: &[crate::store::notices::Document],
    href: impl Fn(DocumentId) -> String,
) -> Section {
    Section {
        heading: "Documents".into(),
        table: Some(Table {
            caption: "Documents in the golden thread, by folder".into(),
            headers: headers(&["Folder", "Document", "Version", "Size"]),
            rows: docs
                .iter()
                .map(|d| {
                    vec![
                        Cell::text(&d.folder),
                        Cell::link(&d.title, href(d.id)),
                        Cell::text(d.version.to_string()),
                        Cell::text(size(d.size_bytes)),
                    ]
                })
                .collect(),
            empty: "No document has been filed in the golden thread yet.".into(),
        }),
        ..Section::default()
    }
}
