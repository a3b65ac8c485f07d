//! Files: photos and documents, stored once per organisation under their SHA-256, uploaded
//! resumably, and read only by someone who may read a record they are attached to.
//!
//! An upload belongs to its uploader: the client asks how much *it* has sent (`offset`), then
//! sends the rest. Holding the bytes is the proof of having them, so a file another person
//! uploaded is never acknowledged to someone who only knows its hash, and attaching a photo
//! needs either having uploaded it or being able to read a record that shows it. A finished
//! upload is checked (its bytes hash to its name and are a photo), cleaned of personal
//! metadata, and stored; the name stays the hash of the bytes as the phone sent them.
//!
//! Bytes are written and flushed before the database records them as received, so a crash can
//! only make the server ask for bytes again, never believe it holds bytes it lacks.

pub mod photos;

use std::io::{Seek, SeekFrom, Write};
use std::path::PathBuf;

use proplink_shared::records::RecordType;
use proplink_shared::sync::{MAX_CHUNK_BYTES, MAX_PHOTO_BYTES};
use proplink_shared::{Action, Actor, OrgId};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::change::Change;
use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::store::files::{self as store, StoredFile};
use crate::store::{Conn, requests, work_orders};

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
        Err(AppError::bad_request(
            "bad_hash",
            "A photo is named by the SHA-256 of its bytes, as 64 lower-case hex characters",
        ))
    }
}

/// Who an upload belongs to, as the store keys it.
fn uploader(actor: &Actor) -> String {
    let who = super::change::Who::of(actor);
    format!("{}:{}", who.kind, who.id.unwrap_or_default())
}

fn part_path(app: &App, org: OrgId, uploader: &str, sha: &str) -> PathBuf {
    // The uploader key names a folder only through its hash: no path of anyone's choosing.
    let folder = hex::encode(&Sha256::digest(uploader.as_bytes())[..12]);
    app.config
        .data_dir
        .join("uploads")
        .join(org.to_string())
        .join(folder)
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

/// What `actor` has uploaded of `sha`; `None` if nothing yet.
pub async fn state(app: &App, actor: &Actor, sha: &str) -> AppResult<Option<UploadState>> {
    valid_sha256(sha)?;
    let mut conn = app.db.read().await?;
    Ok(store::upload(&mut conn, actor.org, &uploader(actor), sha)
        .await?
        .map(|u| UploadState {
            offset: u64::try_from(u.received_bytes).unwrap_or(0),
            length: u64::try_from(u.size_bytes).unwrap_or(0),
            complete: u.completed_at.is_some(),
        }))
}

/// Appends `chunk` at `offset` of `actor`'s upload of `sha`, `length` bytes in all.
pub async fn append(
    app: &App,
    actor: &Actor,
    sha: &str,
    offset: u64,
    length: u64,
    chunk: &[u8],
) -> AppResult<UploadState> {
    valid_sha256(sha)?;
    if length == 0 || length > MAX_PHOTO_BYTES {
        return Err(AppError::invalid(
            "Upload-Length",
            format!(
                "A photo must be between 1 byte and {} MB",
                MAX_PHOTO_BYTES / 1024 / 1024
            ),
        ));
    }
    if chunk.is_empty() {
        return Err(AppError::bad_request(
            "empty_body",
            "Send the next bytes of the photo in the request body",
        ));
    }
    if chunk.len() as u64 > MAX_CHUNK_BYTES {
        return Err(AppError::PayloadTooLarge(format!(
            "Send a photo in pieces of at most {} MB",
            MAX_CHUNK_BYTES / 1024 / 1024
        )));
    }
    let end = offset
        .checked_add(chunk.len() as u64)
        .filter(|end| *end <= length)
        .ok_or_else(|| {
            AppError::conflict(
                "upload_too_long",
                "The upload is longer than its Upload-Length",
            )
        })?;
    let org = actor.org;
    let who = uploader(actor);
    let now = app.clock.now();
    let mut tx = app.db.begin().await?;
    let received = match store::upload(&mut tx, org, &who, sha).await? {
        Some(u) if u.completed_at.is_some() => {
            return Ok(UploadState {
                offset: length,
                length,
                complete: true,
            });
        }
        Some(u) if u64::try_from(u.size_bytes).unwrap_or(0) != length => {
            return Err(AppError::conflict(
                "upload_length",
                "Upload-Length differs from the upload already started",
            ));
        }
        Some(u) => {
            // The bytes on disk are the truth: a part file lost (or cut short) since the
            // database recorded it means asking for those bytes again.
            let recorded = u64::try_from(u.received_bytes).unwrap_or(0);
            let on_disk = tokio::fs::metadata(part_path(app, org, &who, sha))
                .await
                .map_or(0, |m| m.len());
            if on_disk < recorded {
                store::set_received(
                    &mut tx,
                    org,
                    &who,
                    sha,
                    i64::try_from(on_disk).unwrap_or(0),
                    now,
                )
                .await?;
                tx.commit().await?;
                return Err(upload_offset(on_disk));
            }
            recorded
        }
        None => {
            store::start_upload(
                &mut tx,
                org,
                &who,
                sha,
                i64::try_from(length).unwrap_or(i64::MAX),
                now,
            )
            .await?;
            0
        }
    };
    if offset != received {
        return Err(upload_offset(received));
    }
    let part = part_path(app, org, &who, sha);
    write_chunk(part.clone(), offset, chunk.to_vec()).await?;
    if end < length {
        store::set_received(
            &mut tx,
            org,
            &who,
            sha,
            i64::try_from(end).unwrap_or(i64::MAX),
            now,
        )
        .await?;
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
    // Err(None): the bytes do not hash to their name; Err(Some): they are not a photo.
    let checked = blocking(
        move || -> std::io::Result<Result<(String, u64), Option<String>>> {
            let bytes = std::fs::read(&part)?;
            if hex::encode(Sha256::digest(&bytes)) != expected {
                std::fs::remove_file(&part)?;
                return Ok(Err(None));
            }
            let (kind, cleaned) = match photos::clean(&bytes) {
                Ok(c) => c,
                Err(e) => {
                    std::fs::remove_file(&part)?;
                    return Ok(Err(Some(e.to_string())));
                }
            };
            write_file(&target, &cleaned)?;
            Ok(Ok((kind.content_type().to_owned(), cleaned.len() as u64)))
        },
    )
    .await?;
    match checked {
        Ok((content_type, size)) => {
            record_stored(
                &mut tx,
                org,
                sha,
                &content_type,
                i64::try_from(size).unwrap_or(i64::MAX),
                now,
            )
            .await?;
            store::complete_upload(&mut tx, org, &who, sha, now).await?;
            tx.commit().await?;
            let _ = tokio::fs::remove_file(part_path(app, org, &who, sha)).await;
            Ok(UploadState {
                offset: length,
                length,
                complete: true,
            })
        }
        Err(problem) => {
            store::forget_upload(&mut tx, org, &who, sha).await?;
            tx.commit().await?;
            Err(match problem {
                None => AppError::conflict(
                    "photo_mismatch",
                    "The photo did not arrive intact: its bytes do not match its name. Send it again.",
                ),
                Some(message) => AppError::invalid("photo", message),
            })
        }
    }
}

fn upload_offset(received: u64) -> AppError {
    AppError::conflict(
        "upload_offset",
        format!("The server has {received} bytes of this photo; send from there"),
    )
}

/// Keeps `bytes` as one of the organisation's stored files, written in full before the change
/// that refers to it commits; returns their hash.
pub(crate) async fn keep(
    app: &App,
    conn: &mut Conn,
    org: OrgId,
    content_type: &str,
    bytes: Vec<u8>,
    now: OffsetDateTime,
) -> AppResult<String> {
    let sha = hex::encode(Sha256::digest(&bytes));
    let size = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
    let target = file_path(app, org, &sha);
    blocking(move || write_file(&target, &bytes)).await?;
    record_stored(conn, org, &sha, content_type, size, now).await?;
    Ok(sha)
}

/// Records a stored file's row, once per organisation and hash.
pub(crate) async fn record_stored(
    conn: &mut Conn,
    org: OrgId,
    sha: &str,
    content_type: &str,
    size: i64,
    now: OffsetDateTime,
) -> AppResult<()> {
    Ok(store::insert_file(conn, org, sha, content_type, size, now).await?)
}

async fn write_chunk(path: PathBuf, offset: u64, data: Vec<u8>) -> AppResult<()> {
    blocking(move || -> std::io::Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(false)
            .open(&path)?;
        file.set_len(offset)?;
        file.seek(SeekFrom::Start(offset))?;
        file.write_all(&data)?;
        file.sync_data()
    })
    .await
}

/// Writes a whole file durably under its final name: a reader never sees half of it.
fn write_file(target: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = target.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let temporary = target.with_extension(format!("tmp-{}", uuid::Uuid::now_v7().simple()));
    let mut file = std::fs::File::create(&temporary)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(&temporary, target)
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> std::io::Result<T> + Send + 'static,
) -> AppResult<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .map_err(|e| AppError::Internal(e.into()))
}

/// Whether `actor` uploaded `sha` completely themselves.
async fn uploaded_by(conn: &mut Conn, actor: &Actor, sha: &str) -> AppResult<bool> {
    Ok(store::upload(conn, actor.org, &uploader(actor), sha)
        .await?
        .is_some_and(|u| u.completed_at.is_some()))
}

/// Whether `actor` may read one of the records `sha` is attached to.
async fn attached_to_readable(conn: &mut Conn, actor: &Actor, sha: &str) -> AppResult<bool> {
    for (record_type, record_id) in store::attached_to(conn, actor.org, sha).await? {
        let readable = match record_type {
            RecordType::Issue => match record_id.parse() {
                Ok(id) => requests::issue(conn, actor.org, id)
                    .await?
                    .is_some_and(|i| {
                        super::check(actor, Action::Read, &super::issues::resource(actor, &i))
                            .is_ok()
                    }),
                Err(_) => false,
            },
            RecordType::Ticket => match record_id.parse() {
                Ok(id) => match requests::ticket(conn, actor.org, id).await? {
                    Some(t) => {
                        let judged = super::tickets::judged(conn, actor, &t).await?;
                        super::check(actor, Action::Read, &judged).is_ok()
                    }
                    None => false,
                },
                Err(_) => false,
            },
            RecordType::WorkOrder => match record_id.parse() {
                Ok(id) => work_orders::work_order(conn, actor.org, id)
                    .await?
                    .is_some_and(|w| {
                        super::check(
                            actor,
                            Action::Read,
                            &super::work_orders::resource(actor, &w),
                        )
                        .is_ok()
                    }),
                Err(_) => false,
            },
            _ => false,
        };
        if readable {
            return Ok(true);
        }
    }
    Ok(false)
}

/// A stored photo's type and bytes, if `actor` may read a record it is attached to — whoever
/// took it: a device moved off a site no longer reads that site's photos. Anything else
/// answers as missing.
pub async fn read(app: &App, actor: &Actor, sha: &str) -> AppResult<(String, Vec<u8>)> {
    valid_sha256(sha).map_err(|_| AppError::NotFound)?;
    let file = {
        let mut conn = app.db.read().await?;
        let file = store::file(&mut conn, actor.org, sha)
            .await?
            .ok_or(AppError::NotFound)?;
        if !attached_to_readable(&mut conn, actor, sha).await? {
            return Err(AppError::NotFound);
        }
        file
    };
    let bytes = tokio::fs::read(file_path(app, actor.org, sha))
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok((file.content_type, bytes))
}

/// The photos of `shas` that `actor` may not attach yet: not stored, or neither uploaded by
/// them nor readable to them. The app uploads those (which proves it holds them) and retries.
pub async fn missing(app: &App, actor: &Actor, shas: &[String]) -> AppResult<Vec<String>> {
    let mut conn = app.db.read().await?;
    let mut out = Vec::new();
    for sha in shas {
        if !may_attach(&mut conn, actor, sha).await? {
            out.push(sha.clone());
        }
    }
    Ok(out)
}

async fn may_attach(conn: &mut Conn, actor: &Actor, sha: &str) -> AppResult<bool> {
    Ok(valid_sha256(sha).is_ok()
        && store::file(conn, actor.org, sha).await?.is_some()
        && (uploaded_by(conn, actor, sha).await? || attached_to_readable(conn, actor, sha).await?))
}

/// Attaches photos to a record inside a change, each one the actor may attach.
pub(crate) async fn attach_in(
    change: &mut Change<'_>,
    actor: &Actor,
    record_type: RecordType,
    record_id: &str,
    shas: &[String],
) -> AppResult<()> {
    for sha in shas {
        if !may_attach(change, actor, sha).await? {
            return Err(AppError::invalid(
                "photos",
                "A photo has not been uploaded yet",
            ));
        }
        let now = change.now;
        store::attach(change, actor.org, record_type, record_id, sha, now).await?;
    }
    Ok(())
}

/// Keeps photos already cleaned and attaches them to a record inside a change; returns their
/// hashes.
pub(crate) async fn keep_photos_on(
    change: &mut Change<'_>,
    record_type: RecordType,
    record_id: &str,
    cleaned: Vec<photos::CleanPhoto>,
) -> AppResult<Vec<String>> {
    let (app, org, now) = (change.app(), change.org(), change.now);
    let mut shas = Vec::with_capacity(cleaned.len());
    for (kind, bytes) in cleaned {
        let sha = keep(app, change, org, kind.content_type(), bytes, now).await?;
        store::attach(change, org, record_type, record_id, &sha, now).await?;
        shas.push(sha);
    }
    Ok(shas)
}

/// The largest document (a quote, a certificate, a lease) anyone uploads.
pub const MAX_DOCUMENT_BYTES: usize = 25 * 1024 * 1024;

/// Whether `content` is a whole PDF as far as its bytes say: the header first and the
/// end-of-file marker in its last kilobyte, where readers look for it (a file cut short on the
/// way has none). Its name and the type the browser claimed count for nothing.
#[must_use]
pub fn is_pdf(content: &[u8]) -> bool {
    let tail = &content[content.len().saturating_sub(1024)..];
    content.starts_with(b"%PDF-") && tail.windows(5).any(|w| w == b"%%EOF")
}

/// Stores a PDF and records it in the change; refused, with the reason on `field`, if it is
/// not one or is too large.
pub(crate) async fn keep_pdf(
    change: &mut Change<'_>,
    field: &'static str,
    content: &[u8],
) -> AppResult<String> {
    if content.len() > MAX_DOCUMENT_BYTES {
        return Err(AppError::invalid(
            field,
            format!(
                "The file must be smaller than {} MB",
                MAX_DOCUMENT_BYTES / 1024 / 1024
            ),
        ));
    }
    if !is_pdf(content) {
        return Err(AppError::invalid(
            field,
            "The file is not a PDF, or only part of one arrived. Choose a PDF file.",
        ));
    }
    let (app, org, now) = (change.app(), change.org(), change.now);
    keep(app, change, org, "application/pdf", content.to_vec(), now).await
}

/// Stores a document's bytes: a PDF, or a photo (cleaned like any other).
pub(crate) async fn store_document(app: &App, org: OrgId, content: &[u8]) -> AppResult<StoredFile> {
    if content.len() > MAX_DOCUMENT_BYTES {
        return Err(AppError::invalid(
            "file",
            "The file must be smaller than 25 MB",
        ));
    }
    let (content_type, bytes) = if is_pdf(content) {
        ("application/pdf", content.to_vec())
    } else {
        match photos::clean(content) {
            Ok((kind, cleaned)) => (kind.content_type(), cleaned),
            Err(photos::PhotoError::NotAPhoto) => {
                return Err(AppError::invalid(
                    "file",
                    "Only PDF files and JPEG, PNG or WebP images can be uploaded",
                ));
            }
            Err(e) => return Err(AppError::invalid("file", e.to_string())),
        }
    };
    let sha = hex::encode(Sha256::digest(&bytes));
    let target = file_path(app, org, &sha);
    let size = bytes.len();
    blocking(move || write_file(&target, &bytes)).await?;
    Ok(StoredFile {
        sha256: sha,
        content_type: content_type.to_owned(),
        size_bytes: i64::try_from(size).unwrap_or(i64::MAX),
    })
}

/// A stored file's type and bytes, for a caller that has already judged who may read it (a
/// quote's or a certificate's own file).
pub(crate) async fn stored(app: &App, org: OrgId, sha: &str) -> AppResult<(String, Vec<u8>)> {
    valid_sha256(sha).map_err(|_| AppError::NotFound)?;
    let file = {
        let mut conn = app.db.read().await?;
        store::file(&mut conn, org, sha)
            .await?
            .ok_or(AppError::NotFound)?
    };
    let bytes = tokio::fs::read(file_path(app, org, sha))
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok((file.content_type, bytes))
}

/// Forgets uploads left unfinished for a day, and their partial bytes.
pub async fn prune_stale_uploads(app: &App) -> AppResult<usize> {
    let before = app.clock.now() - time::Duration::days(1);
    let stale = {
        let mut conn = app.db.read().await?;
        store::stale_uploads(&mut conn, before).await?
    };
    for (org, who, sha) in &stale {
        let mut tx = app.db.begin().await?;
        store::forget_upload(&mut tx, *org, who, sha).await?;
        tx.commit().await?;
        let _ = tokio::fs::remove_file(part_path(app, *org, who, sha)).await;
    }
    Ok(stale.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pdf_is_known_by_its_header_and_its_end() {
        assert!(is_pdf(b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"));
        assert!(!is_pdf(b"%PDF-1.7\n1 0 obj\n<<>>\nendobj"), "cut short");
        assert!(!is_pdf(b"<html>%PDF-1.7 %%EOF"), "not its header");
        let mut padded = b"%PDF-1.4\n%%EOF".to_vec();
        padded.extend(std::iter::repeat_n(b' ', 2000));
        assert!(!is_pdf(&padded), "the marker must be near the end");
    }

    #[test]
    fn hashes_name_files_safely() {
        assert!(valid_sha256(&"a".repeat(64)).is_ok());
        assert!(valid_sha256("../../etc/passwd").is_err());
        assert!(valid_sha256(&"A".repeat(64)).is_err());
    }
}
