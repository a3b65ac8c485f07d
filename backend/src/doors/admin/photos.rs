//! A record's photos: listed on its page, and opened one by one by those who may read it.

use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::app::App;
use crate::doors::pages::Section;
use crate::error::{AppError, AppResult};

/// The photos of a record, shown small, each opening full size.
pub fn section(base: &str, photos: &[String]) -> Section {
    Section {
        heading: format!("Photos ({})", photos.len()),
        gallery: photos
            .iter()
            .enumerate()
            .map(|(i, sha)| (format!("{base}/photos/{sha}"), format!("Photo {}", i + 1)))
            .collect(),
        paragraphs: if photos.is_empty() {
            vec!["No photos.".into()]
        } else {
            Vec::new()
        },
        ..Section::default()
    }
}

/// A photo of a record the user may read, if it is one of that record's.
pub async fn response(
    app: &App,
    actor: &proplink_shared::Actor,
    photos: &[String],
    sha: &str,
) -> AppResult<Response> {
    if !photos.iter().any(|p| p == sha) {
        return Err(AppError::NotFound);
    }
    let (content_type, bytes) = crate::services::files::read(app, actor, sha).await?;
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"photo-{}\"", &sha[..12]),
            ),
            (header::CACHE_CONTROL, "private, no-store".into()),
        ],
        bytes,
    )
        .into_response())
}
