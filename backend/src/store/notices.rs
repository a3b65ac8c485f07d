//! Notices (announcements) to residents and staff, and documents filed on records.

use proplink_shared::authz::Audience;
use proplink_shared::records::{NewNotice, RecordType};
use proplink_shared::{BuildingId, DocumentId, NoticeId, OrgId, Scope, SiteId};
use time::{Date, OffsetDateTime};

use super::query::{Key, Keyed, ListQuery, Order, Page, PageAt, ScopeColumns};
use super::{Conn, DbResult};
use crate::{params, read_model};

read_model! {
    pub struct Notice {
        pub id: NoticeId = "n.id",
        /// `None`: for the whole organisation.
        pub site_id: Option<SiteId> = "n.site_id",
        /// Set when the notice is for one building of the site.
        pub building_id: Option<BuildingId> = "n.building_id",
        /// Where it shows: the organisation, the site's or the building's name.
        pub place: String = "COALESCE((SELECT b.name FROM buildings b WHERE b.organisation_id = n.organisation_id AND b.id = n.building_id), \
            (SELECT s.name FROM sites s WHERE s.organisation_id = n.organisation_id AND s.id = n.site_id), 'Whole organisation')",
        pub title: String = "n.title",
        pub body: String = "n.body",
        pub publish_on: Date = "n.publish_on",
        pub expires_on: Option<Date> = "n.expires_on",
        pub urgent: bool = "n.urgent",
        pub version: i64 = "n.version",
    }
}

impl Keyed for Notice {
    fn key(&self) -> Vec<Key> {
        vec![
            Key::Text(super::date_text(self.publish_on)),
            Key::Text(self.id.to_string()),
        ]
    }
}

pub const NOTICE_SCOPE: ScopeColumns = ScopeColumns {
    site: Some("n.site_id"),
    unit: None,
    contact: None,
    work_order: None,
    building: Some("n.building_id"),
    audience: None,
    followed_by: None,
};

/// What a notice list is narrowed to.
#[derive(Clone, Debug, Default)]
pub struct NoticeFilter {
    pub site: Option<SiteId>,
    /// Only notices published and not expired on this day.
    pub current_on: Option<Date>,
    pub text: Option<String>,
}

pub async fn notices(
    conn: &mut Conn,
    scope: &Scope,
    filter: &NoticeFilter,
    at: &PageAt,
    size: i64,
) -> DbResult<Page<Notice>> {
    let mut q = ListQuery::new(
        "FROM notices n".into(),
        scope,
        "n.organisation_id",
        &NOTICE_SCOPE,
    );
    q.equals("n.site_id", filter.site);
    if let Some(day) = filter.current_on {
        q.condition("n.publish_on <= ?", &day)
            .condition("(n.expires_on IS NULL OR n.expires_on > ?)", &day);
    }
    q.search(&["n.title"], filter.text.as_deref());
    q.page(
        conn,
        Notice::COLUMNS,
        &Order {
            columns: &["n.publish_on", "n.id"],
            descending: true,
        },
        at,
        size,
    )
    .await
}

/// Where a notice shows: the whole organisation, one site, or one building of a site.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoticePlace {
    Organisation,
    Site(SiteId),
    Building(SiteId, BuildingId),
}

impl NoticePlace {
    #[must_use]
    pub fn site(self) -> Option<SiteId> {
        match self {
            NoticePlace::Organisation => None,
            NoticePlace::Site(s) | NoticePlace::Building(s, _) => Some(s),
        }
    }

    #[must_use]
    pub fn building(self) -> Option<BuildingId> {
        match self {
            NoticePlace::Building(_, b) => Some(b),
            _ => None,
        }
    }
}

pub async fn insert_notice(
    conn: &mut Conn,
    org: OrgId,
    id: NoticeId,
    place: NoticePlace,
    new: &NewNotice,
    now: OffsetDateTime,
) -> DbResult<()> {
    conn.execute(
        "INSERT INTO notices (organisation_id, id, site_id, building_id, title, body, publish_on, expires_on, urgent, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        params![org, id, place.site(), place.building(), new.title, new.body, new.publish_on, new.expires_on, new.urgent, now],
    )
    .await?;
    Ok(())
}

pub async fn notice(conn: &mut Conn, org: OrgId, id: NoticeId) -> DbResult<Option<Notice>> {
    conn.query_opt(
        &format!(
            "SELECT {} FROM notices n WHERE n.organisation_id = $1 AND n.id = $2",
            Notice::COLUMNS
        ),
        params![org, id],
    )
    .await
}

/// Saves a notice's text and dates if it is still at `version`; false if someone else changed
/// it meanwhile.
pub async fn update_notice(
    conn: &mut Conn,
    org: OrgId,
    id: NoticeId,
    version: i64,
    new: &NewNotice,
) -> DbResult<bool> {
    let changed = conn
        .execute(
            "UPDATE notices SET title = $4, body = $5, publish_on = $6, expires_on = $7, urgent = $8, version = version + 1 \
             WHERE organisation_id = $1 AND id = $2 AND version = $3",
            params![org, id, version, new.title, new.body, new.publish_on, new.expires_on, new.urgent],
        )
        .await?;
    Ok(changed == 1)
}

read_model! {
    pub struct Document {
        pub id: DocumentId = "d.id",
        pub site_id: Option<SiteId> = "d.site_id",
        pub record_type: RecordType = "d.record_type",
        pub record_id: String = "d.record_id",
        pub folder: String = "d.folder",
        pub audience: Audience = "d.audience",
        pub title: String = "d.title",
        pub filename: String = "d.filename",
        pub content_type: String = "d.content_type",
        pub size_bytes: i64 = "d.size_bytes",
        pub sha256: String = "d.sha256",
        /// The current version: 1 for a first upload.
        pub version: i64 = "d.version",
    }
}

impl Keyed for Document {
    fn key(&self) -> Vec<Key> {
        vec![
            Key::Text(self.folder.clone()),
            Key::Text(self.title.clone()),
            Key::Text(self.id.to_string()),
        ]
    }
}

/// A document on a work order is that work order's; one on a building is that building's.
pub const DOCUMENT_SCOPE: ScopeColumns = ScopeColumns {
    site: Some("d.site_id"),
    unit: None,
    contact: None,
    work_order: Some("(CASE WHEN d.record_type = 'work_order' THEN d.record_id END)"),
    building: Some("(CASE WHEN d.record_type = 'building' THEN d.record_id END)"),
    audience: Some("d.audience"),
    followed_by: None,
};

/// The documents in scope, filed on one record or (with `None`) on any.
pub async fn documents(
    conn: &mut Conn,
    scope: &Scope,
    record: Option<(RecordType, &str)>,
) -> DbResult<Vec<Document>> {
    let mut q = ListQuery::new(
        "FROM documents d".into(),
        scope,
        "d.organisation_id",
        &DOCUMENT_SCOPE,
    );
    if let Some((record_type, record_id)) = record {
        q.equals("d.record_type", Some(record_type))
            .equals("d.record_id", Some(record_id));
    }
    q.all(conn, Document::COLUMNS, "d.folder, d.title, d.id")
        .await
}

/// A page of the documents in scope, by folder and title.
pub async fn documents_page(
    conn: &mut Conn,
    scope: &Scope,
    text: Option<&str>,
    at: &PageAt,
    size: i64,
) -> DbResult<Page<Document>> {
    let mut q = ListQuery::new(
        "FROM documents d".into(),
        scope,
        "d.organisation_id",
        &DOCUMENT_SCOPE,
    );
    q.search(&["d.title", "d.folder", "d.filename"], text);
    q.page(
        conn,
        Document::COLUMNS,
        &Order {
            columns: &["d.folder", "d.title", "d.id"],
            descending: false,
        },
        at,
        size,
    )
    .await
}

pub async fn document(conn: &mut Conn, org: OrgId, id: DocumentId) -> DbResult<Option<Document>> {
    conn.query_opt(
        &format!(
            "SELECT {} FROM documents d WHERE d.organisation_id = $1 AND d.id = $2",
            Document::COLUMNS
        ),
        params![org, id],
    )
    .await
}

read_model! {
    /// One version of a document's file.
    pub struct DocumentVersion {
        pub version: i64 = "version",
        pub filename: String = "filename",
        pub content_type: String = "content_type",
        pub size_bytes: i64 = "size_bytes",
        pub sha256: String = "sha256",
        pub uploaded_by: String = "uploaded_by",
        pub created_at: OffsetDateTime = "created_at",
    }
}

/// Every version of a document's file, newest first.
pub async fn document_versions(
    conn: &mut Conn,
    org: OrgId,
    id: DocumentId,
) -> DbResult<Vec<DocumentVersion>> {
    conn.query(
        &format!(
            "SELECT {} FROM document_versions WHERE organisation_id = $1 AND document_id = $2 ORDER BY version DESC",
            DocumentVersion::COLUMNS
        ),
        params![org, id],
    )
    .await
}

/// Keeps a version of a document's file.
pub async fn insert_document_version(
    conn: &mut Conn,
    org: OrgId,
    id: DocumentId,
    v: &DocumentVersion,
) -> DbResult<()> {
    conn.execute(
        "INSERT INTO document_versions (organisation_id, document_id, version, filename, content_type, size_bytes, sha256, uploaded_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        params![org, id, v.version, v.filename, v.content_type, v.size_bytes, v.sha256, v.uploaded_by, v.created_at],
    )
    .await?;
    Ok(())
}

/// Makes `v` the document's current file, if the document is still at the version before it;
/// false if someone else uploaded a version meanwhile.
pub async fn set_current_version(
    conn: &mut Conn,
    org: OrgId,
    id: DocumentId,
    v: &DocumentVersion,
) -> DbResult<bool> {
    let changed = conn
        .execute(
            "UPDATE documents SET version = $3, filename = $4, content_type = $5, size_bytes = $6, sha256 = $7 \
             WHERE organisation_id = $1 AND id = $2 AND version = $3 - 1",
            params![org, id, v.version, v.filename, v.content_type, v.size_bytes, v.sha256],
        )
        .await?;
    Ok(changed == 1)
}

pub async fn insert_document(
    conn: &mut Conn,
    org: OrgId,
    d: &Document,
    now: OffsetDateTime,
) -> DbResult<()> {
    conn.execute(
        "INSERT INTO documents (organisation_id, id, site_id, record_type, record_id, folder, audience, title, filename, content_type, size_bytes, sha256, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        params![
            org,
            d.id,
            d.site_id,
            d.record_type,
            d.record_id,
            d.folder,
            d.audience,
            d.title,
            d.filename,
            d.content_type,
            d.size_bytes,
            d.sha256,
            now
        ],
    )
    .await?;
    Ok(())
}
