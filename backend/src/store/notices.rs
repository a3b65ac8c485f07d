//! Notices (announcements) to residents and staff, and documents filed on records.

use proplink_shared::authz::Audience;
use proplink_shared::records::{NewNotice, RecordType};
use proplink_shared::{DocumentId, NoticeId, OrgId, Scope, SiteId};
use time::{Date, OffsetDateTime};

use super::query::{Key, Keyed, ListQuery, Order, Page, PageAt, ScopeColumns};
use super::{Conn, DbResult};
use crate::{params, read_model};

read_model! {
    pub struct Notice {
        pub id: NoticeId = "n.id",
        /// `None`: for the whole organisation.
        pub site_id: Option<SiteId> = "n.site_id",
        pub title: String = "n.title",
        pub body: String = "n.body",
        pub publish_on: Date = "n.publish_on",
        pub expires_on: Option<Date> = "n.expires_on",
        pub urgent: bool = "n.urgent",
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
    building: None,
    audience: None,
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

pub async fn insert_notice(
    conn: &mut Conn,
    org: OrgId,
    id: NoticeId,
    site: Option<SiteId>,
    new: &NewNotice,
    now: OffsetDateTime,
) -> DbResult<()> {
    conn.execute(
        "INSERT INTO notices (organisation_id, id, site_id, title, body, publish_on, expires_on, urgent, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        params![org, id, site, new.title, new.body, new.publish_on, new.expires_on, new.urgent, now],
    )
    .await?;
    Ok(())
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
