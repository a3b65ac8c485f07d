//! Photos and files, stored by their SHA-256 under the data directory and uploaded resumably:
//! the client asks how much the server has (`offset`), then sends the rest from there. A file
//! the organisation already holds is acknowledged without sending it again.
//!
//! Bytes are written and flushed before the database records them as received, so a crash can
//! only ever make the server ask for bytes again, never believe it has bytes it lacks.

use std::io::{Seek, SeekFrom, Write};
use std::path::PathBuf;

use proplink_shared::OrgId;
use proplink_shared::sync::MAX_PHOTO_BYTES;
use sha2::{Digest, Sha256};

use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::store::sync as store;

/// How far an upload has got.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UploadState {
    pub offset: u64,
    pub length: u64,
    pub complete: bool,
}

/// Checks a hash is 64 lower-case hex characters (it becomes a file name).
pub fn valid_sha256(sha: &str) -> AppResult<()> {
    if sha.len() == 64
        && sha
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        Ok(())
    } else {
        Err(AppError::BadRequest(
            "A photo is named by the SHA-256 of its bytes, as 64 lower-case hex characters".into(),
        ))
    }
}

fn part_path(app: &App, org: OrgId, sha: &str) -> PathBuf {
    app.config
        .data_dir
        .join("uploads")
        .join(org.to_string())
        .join(format!("{sha}.part"))
}

/// Where a stored file's bytes are. Each organisation keeps its own copy, so knowing a hash
/// never opens another organisation's file.
#[must_use]
pub fn file_path(app: &App, org: OrgId, sha: &str) -> PathBuf {
    app.config
        .data_dir
        .join("files")
        .join(org.to_string())
        .join(sha)
}

/// What the server holds of `sha` for this organisation; `None` if nothing yet.
pub async fn state(app: &App, org: OrgId, sha: &str) -> AppResult<Option<UploadState>> {
    valid_sha256(sha)?;
    let mut conn = app.db.read().await?;
    Ok(store::upload(&mut conn, org, sha)
        .await?
        .map(|u| UploadState {
            offset: u64::try_from(u.received_bytes).unwrap_or(0),
            length: u64::try_from(u.size_bytes).unwrap_or(0),
            complete: u.completed_at.is_some(),
        }))
}

/// A complete photo of this organisation: its content type (found from its bytes) and bytes.
/// Callers check first that the person may see the record it belongs to.
pub async fn read(app: &App, org: OrgId, sha: &str) -> AppResult<(String, Vec<u8>)> {
    valid_sha256(sha).map_err(|_| AppError::NotFound)?;
    let upload = {
        let mut conn = app.db.read().await?;
        store::upload(&mut conn, org, sha).await?
    };
    let content_type = upload
        .filter(|u| u.completed_at.is_some())
        .ok_or(AppError::NotFound)?
        .content_type;
    let bytes = tokio::fs::read(file_path(app, org, sha))
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok((
        content_type.unwrap_or_else(|| "application/octet-stream".into()),
        bytes,
    ))
}

/// Whether every one of `shas` is completely uploaded for this organisation; returns those
/// that are not.
pub async fn missing(app: &App, org: OrgId, shas: &[String]) -> AppResult<Vec<String>> {
    let mut conn = app.db.read().await?;
    let mut out = Vec::new();
    for sha in shas {
        let complete = valid_sha256(sha).is_ok()
            && store::upload(&mut conn, org, sha)
                .await?
                .is_some_and(|u| u.completed_at.is_some());
        if !complete {
            out.push(sha.clone());
        }
    }
    Ok(out)
}

/// Appends `chunk` at `offset` of the upload of `sha`, `length` bytes in all.
pub async fn append(
    app: &App,
    org: OrgId,
    sha: &str,
    offset: u64,
    length: u64,
    chunk: &[u8],
) -> AppResult<UploadState> {
    valid_sha256(sha)?;
    if length == 0 || length > MAX_PHOTO_BYTES {
        return Err(AppError::BadRequest(format!(
            "A photo must be between 1 byte and {} MB",
            MAX_PHOTO_BYTES / 1024 / 1024
        )));
    }
    let end = offset
        .checked_add(chunk.len() as u64)
        .ok_or_else(|| AppError::BadRequest("Upload-Offset is too large".into()))?;
    if end > length {
        return Err(AppError::BadRequest(
            "The upload is longer than its Upload-Length".into(),
        ));
    }
    let now = app.now_micros();
    let mut tx = app.db.write().await?;
    let current = store::upload(&mut tx, org, sha).await?;
    let received = match &current {
        Some(u) if u.completed_at.is_some() => {
            return Ok(UploadState {
                offset: length,
                length,
                complete: true,
            });
        }
        Some(u) if u64::try_from(u.size_bytes).unwrap_or(0) != length => {
            return Err(AppError::Conflict(
                "Upload-Length differs from the upload already started".into(),
            ));
        }
        Some(u) => u64::try_from(u.received_bytes).unwrap_or(0),
        None => {
            store::start_upload(
                &mut tx,
                org,
                sha,
                i64::try_from(length).unwrap_or(i64::MAX),
                now,
            )
            .await?;
            0
        }
    };
    // A completion interrupted after the file was moved into place: the file was verified
    // before the move, so the upload is complete.
    if file_path(app, org, sha).exists() {
        let content_type = stored_type(app, org, sha).await?;
        store::complete_upload(&mut tx, org, sha, &content_type, now).await?;
        tx.commit().await?;
        return Ok(UploadState {
            offset: length,
            length,
            complete: true,
        });
    }
    if offset != received {
        return Err(AppError::Conflict(format!(
            "The server has {received} bytes of this photo; send from there"
        )));
    }
    let path = part_path(app, org, sha);
    let data = chunk.to_vec();
    let write_path = path.clone();
    tokio::task::spawn_blocking(move || -> std::io::Result<()> {
        if let Some(dir) = write_path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(false)
            .open(&write_path)?;
        file.set_len(offset)?;
        file.seek(SeekFrom::Start(offset))?;
        file.write_all(&data)?;
        file.sync_data()
    })
    .await
    .map_err(|e| AppError::Internal(e.into()))?
    .map_err(|e| AppError::Internal(e.into()))?;
    if end < length {
        store::set_received(&mut tx, org, sha, i64::try_from(end).unwrap_or(i64::MAX)).await?;
        tx.commit().await?;
        return Ok(UploadState {
            offset: end,
            length,
            complete: false,
        });
    }
    // Complete: the bytes must hash to their name and be a photo, whatever the client says.
    let target = file_path(app, org, sha);
    let expected = sha.to_owned();
    let checked = tokio::task::spawn_blocking(
        move || -> std::io::Result<Result<&'static str, &'static str>> {
            let bytes = std::fs::read(&path)?;
            if hex::encode(Sha256::digest(&bytes)) != expected {
                std::fs::remove_file(&path)?;
                return Ok(Err("The photo did not arrive intact. Send it again."));
            }
            let Some(kind) = photo_type(&bytes) else {
                std::fs::remove_file(&path)?;
                return Ok(Err("Only JPEG, PNG, HEIC and WebP photos can be uploaded."));
            };
            if let Some(dir) = target.parent() {
                std::fs::create_dir_all(dir)?;
            }
            std::fs::rename(&path, &target)?;
            Ok(Ok(kind))
        },
    )
    .await
    .map_err(|e| AppError::Internal(e.into()))?
    .map_err(|e| AppError::Internal(e.into()))?;
    match checked {
        Ok(content_type) => {
            store::complete_upload(&mut tx, org, sha, content_type, now).await?;
            tx.commit().await?;
            Ok(UploadState {
                offset: length,
                length,
                complete: true,
            })
        }
        Err(message) => {
            store::reset_upload(&mut tx, org, sha).await?;
            tx.commit().await?;
            Err(AppError::Invalid(
                proplink_shared::records::ValidationErrors::single("photo", message),
            ))
        }
    }
}

async fn stored_type(app: &App, org: OrgId, sha: &str) -> AppResult<String> {
    let path = file_path(app, org, sha);
    let head = tokio::task::spawn_blocking(move || -> std::io::Result<Vec<u8>> {
        use std::io::Read;
        let mut head = Vec::with_capacity(16);
        std::fs::File::open(path)?.take(16).read_to_end(&mut head)?;
        Ok(head)
    })
    .await
    .map_err(|e| AppError::Internal(e.into()))?
    .map_err(|e| AppError::Internal(e.into()))?;
    Ok(photo_type(&head)
        .unwrap_or("application/octet-stream")
        .to_owned())
}

/// The type of a photo, read from its first bytes rather than trusted from its name.
#[must_use]
pub fn photo_type(bytes: &[u8]) -> Option<&'static str> {
    match bytes {
        [0xFF, 0xD8, 0xFF, ..] => Some("image/jpeg"),
        [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, ..] => Some("image/png"),
        [
            b'R',
            b'I',
            b'F',
            b'F',
            _,
            _,
            _,
            _,
            b'W',
            b'E',
            b'B',
            b'P',
            ..,
        ] => Some("image/webp"),
        [
            _,
            _,
            _,
            _,
            b'f',
            b't',
            b'y',
            b'p',
            b'h',
            b'e',
            b'i',
            b'c' | b'x',
            ..,
        ] => Some("image/heic"),
        [
            _,
            _,
            _,
            _,
            b'f',
            b't',
            b'y',
            b'p',
            b'm',
            b'i',
            b'f',
            b'1',
            ..,
        ] => Some("image/heic"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn photo_types_come_from_content() {
        assert_eq!(
            photo_type(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]),
            Some("image/jpeg")
        );
        assert_eq!(photo_type(b"\x89PNG\r\n\x1a\nrest"), Some("image/png"));
        assert_eq!(photo_type(b"RIFF\0\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(photo_type(b"\0\0\0\x18ftypheic"), Some("image/heic"));
        assert_eq!(photo_type(b"<script>alert(1)</script>"), None);
        assert_eq!(photo_type(b""), None);
    }

    #[test]
    fn hashes_name_files_safely() {
        assert!(valid_sha256(&"a".repeat(64)).is_ok());
        assert!(valid_sha256("../../etc/passwd").is_err());
        assert!(valid_sha256(&"A".repeat(64)).is_err());
    }
}
