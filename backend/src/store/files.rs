//! Stored files, uploads in progress, and the files attached to records.

use proplink_shared::OrgId;
use proplink_shared::records::RecordType;
use time::OffsetDateTime;

use super::{Conn, DbResult};
use crate::{params, read_model};

read_model! {
    /// A file the organisation holds.
    pub struct StoredFile {
        pub sha256: String = "sha256",
        pub content_type: String = "content_type",
        pub size_bytes: i64 = "size_bytes",
    }
}

pub async fn file(conn: &mut Conn, org: OrgId, sha256: &str) -> DbResult<Option<StoredFile>> {
    conn.query_opt(
        &format!(
            "SELECT {} FROM files WHERE organisation_id = $1 AND sha256 = $2",
            StoredFile::COLUMNS
        ),
        params![org, sha256],
    )
    .await
}

pub async fn insert_file(
    conn: &mut Conn,
    org: OrgId,
    sha256: &str,
    content_type: &str,
    size: i64,
    now: OffsetDateTime,
) -> DbResult<()> {
    conn.execute(
        "INSERT INTO files (organisation_id, sha256, content_type, size_bytes, created_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (organisation_id, sha256) DO NOTHING",
        params![org, sha256, content_type, size, now],
    )
    .await?;
    Ok(())
}

read_model! {
    /// How far one person's upload of a file has got.
    pub struct Upload {
        pub size_bytes: i64 = "size_bytes",
        pub received_bytes: i64 = "received_bytes",
        pub completed_at: Option<OffsetDateTime> = "completed_at",
    }
}

pub async fn upload(
    conn: &mut Conn,
    org: OrgId,
    uploader: &str,
    sha256: &str,
) -> DbResult<Option<Upload>> {
    conn.query_opt(
        &format!(
            "SELECT {} FROM uploads WHERE organisation_id = $1 AND uploader = $2 AND sha256 = $3",
            Upload::COLUMNS
        ),
        params![org, uploader, sha256],
    )
    .await
}

pub async fn start_upload(
    conn: &mut Conn,
    org: OrgId,
    uploader: &str,
    sha256: &str,
    size: i64,
    now: OffsetDateTime,
) -> DbResult<()> {
    conn.execute(
        "INSERT INTO uploads (organisation_id, uploader, sha256, size_bytes, received_bytes, created_at, updated_at) VALUES ($1, $2, $3, $4, 0, $5, $5) \
         ON CONFLICT (organisation_id, uploader, sha256) DO NOTHING",
        params![org, uploader, sha256, size, now],
    )
    .await?;
    Ok(())
}

pub async fn set_received(
    conn: &mut Conn,
    org: OrgId,
    uploader: &str,
    sha256: &str,
    received: i64,
    now: OffsetDateTime,
) -> DbResult<()> {
    conn.execute(
        "UPDATE uploads SET received_bytes = $4, updated_at = $5 WHERE organisation_id = $1 AND uploader = $2 AND sha256 = $3",
        params![org, uploader, sha256, received, now],
    )
    .await?;
    Ok(())
}

pub async fn complete_upload(
    conn: &mut Conn,
    org: OrgId,
    uploader: &str,
    sha256: &str,
    now: OffsetDateTime,
) -> DbResult<()> {
    conn.execute(
        "UPDATE uploads SET completed_at = $4, updated_at = $4, received_bytes = size_bytes WHERE organisation_id = $1 AND uploader = $2 AND sha256 = $3",
        params![org, uploader, sha256, now],
    )
    .await?;
    Ok(())
}

pub async fn forget_upload(
    conn: &mut Conn,
    org: OrgId,
    uploader: &str,
    sha256: &str,
) -> DbResult<()> {
    conn.execute(
        "DELETE FROM uploads WHERE organisation_id = $1 AND uploader = $2 AND sha256 = $3",
        params![org, uploader, sha256],
    )
    .await?;
    Ok(())
}

/// Uploads left unfinished since `before`, as (organisation, uploader, sha256).
pub async fn stale_uploads(
    conn: &mut Conn,
    before: OffsetDateTime,
) -> DbResult<Vec<(OrgId, String, String)>> {
    conn.query(
        "SELECT organisation_id, uploader, sha256 FROM uploads WHERE completed_at IS NULL AND updated_at < $1",
        params![before],
    )
    .await
}

pub async fn attach(
    conn: &mut Conn,
    org: OrgId,
    record_type: RecordType,
    record_id: &str,
    sha256: &str,
    now: OffsetDateTime,
) -> DbResult<()> {
    conn.execute(
        "INSERT INTO record_files (organisation_id, id, record_type, record_id, sha256, kind, created_at) VALUES ($1, $2, $3, $4, $5, 'photo', $6)",
        params![org, uuid::Uuid::now_v7(), record_type, record_id, sha256, now],
    )
    .await?;
    Ok(())
}

/// The files attached to a record, in the order they were added.
pub async fn files_of(
    conn: &mut Conn,
    org: OrgId,
    record_type: RecordType,
    record_id: &str,
) -> DbResult<Vec<String>> {
    let rows: Vec<(String,)> = conn
        .query(
            "SELECT sha256 FROM record_files WHERE organisation_id = $1 AND record_type = $2 AND record_id = $3 ORDER BY created_at, id",
            params![org, record_type, record_id],
        )
        .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// The records a file is attached to, as (record type, record id).
pub async fn attached_to(
    conn: &mut Conn,
    org: OrgId,
    sha256: &str,
) -> DbResult<Vec<(RecordType, String)>> {
    conn.query(
        "SELECT record_type, record_id FROM record_files WHERE organisation_id = $1 AND sha256 = $2 ORDER BY created_at, id",
        params![org, sha256],
    )
    .await
}

/// The files of several records of one type, as (record id, sha256), in order.
pub async fn files_of_records(
    conn: &mut Conn,
    org: OrgId,
    record_type: RecordType,
    record_ids: &[String],
) -> DbResult<Vec<(String, String)>> {
    if record_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = super::query::ListQuery::in_org("FROM record_files".into(), org, "organisation_id");
    q.equals("record_type", Some(record_type));
    let list: Vec<String> = record_ids.iter().map(|id| q.params.push(id)).collect();
    q.raw(&format!("record_id IN ({})", list.join(", ")));
    q.all(conn, "record_id, sha256", "created_at, id").await
}
