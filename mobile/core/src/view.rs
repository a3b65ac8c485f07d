//! The read model as the screens want it: the user's sites, and a site's open work.

use proplink_shared::sync::{BuildingView, HistoryView, MessageView};
use rusqlite::params;
use serde::Serialize;

use crate::error::CoreResult;
use crate::store::{Store, get_meta};

#[derive(Clone, Debug, Serialize)]
pub struct Account {
    pub signed_in: bool,
    /// The organisation's name in addresses (`acme`), offered again at the next sign-in.
    pub org: Option<String>,
    pub org_name: Option<String>,
    pub user_name: Option<String>,
    pub email: Option<String>,
    pub server: Option<String>,
    pub pending: i64,
    pub rejected: i64,
    /// When the last sync finished, in microseconds since the epoch.
    pub last_synced_at: Option<i64>,
}

pub fn account(store: &Store) -> CoreResult<Account> {
    store.read(|c| {
        let count = |state: &str| -> rusqlite::Result<i64> {
            c.query_row(
                "SELECT COUNT(*) FROM outbox WHERE state = ?1",
                [state],
                |r| r.get(0),
            )
        };
        Ok(Account {
            signed_in: get_meta(c, "token")?.is_some(),
            org: get_meta(c, "org")?,
            org_name: get_meta(c, "org_name")?,
            user_name: get_meta(c, "user_name")?,
            email: get_meta(c, "email")?,
            server: get_meta(c, "server")?,
            pending: count("pending")?,
            rejected: count("rejected")?,
            last_synced_at: get_meta(c, "last_synced_at")?.and_then(|t| t.parse().ok()),
        })
    })
}

#[derive(Clone, Debug, Serialize)]
pub struct Site {
    pub id: String,
    pub reference: String,
    pub name: String,
    pub address: String,
    pub buildings: Vec<BuildingView>,
    pub open_tickets: i64,
    pub open_issues: i64,
    pub open_work_orders: i64,
}

pub fn sites(store: &Store) -> CoreResult<Vec<Site>> {
    store.read(|c| {
        let mut stmt = c.prepare(
            "SELECT s.id, s.reference, s.name, s.address, s.buildings, \
             (SELECT COUNT(*) FROM tickets t WHERE t.site_id = s.id), (SELECT COUNT(*) FROM issues i WHERE i.site_id = s.id), \
             (SELECT COUNT(*) FROM work_orders w WHERE w.site_id = s.id) FROM sites s ORDER BY s.reference",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok(Site {
                    id: r.get(0)?,
                    reference: r.get(1)?,
                    name: r.get(2)?,
                    address: r.get(3)?,
                    buildings: serde_json::from_str(&r.get::<_, String>(4)?).unwrap_or_default(),
                    open_tickets: r.get(5)?,
                    open_issues: r.get(6)?,
                    open_work_orders: r.get(7)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    })
}

#[derive(Clone, Debug, Serialize)]
pub struct Ticket {
    pub id: String,
    pub reference: String,
    pub subject: String,
    pub category: String,
    pub priority: String,
    pub status: String,
    pub reporter: Option<String>,
    pub created_at: i64,
    pub messages: Vec<MessageView>,
    pub photos: Vec<String>,
    /// Made on this phone and not yet synced.
    pub pending: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct Issue {
    pub id: String,
    pub title: String,
    pub description: String,
    pub location: String,
    pub category: String,
    pub priority: String,
    pub status: String,
    pub building_id: Option<String>,
    pub ticket_id: Option<String>,
    pub work_order_id: Option<String>,
    pub reported_by: String,
    pub created_at: i64,
    pub photos: Vec<String>,
    pub history: Vec<HistoryView>,
    pub pending: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct WorkOrder {
    pub id: String,
    pub reference: String,
    pub title: String,
    pub scope: String,
    pub priority: String,
    pub status: String,
    pub contractor: Option<String>,
    pub deadline: Option<String>,
    pub photos: Vec<String>,
    pub pending: bool,
    /// The states it may move to from the field, by the shared state machine.
    pub next: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct SiteWork {
    pub tickets: Vec<Ticket>,
    pub issues: Vec<Issue>,
    pub work_orders: Vec<WorkOrder>,
}

pub fn site_work(store: &Store, site_id: &str) -> CoreResult<SiteWork> {
    use proplink_shared::states::WorkOrderStatus;
    store.read(|c| {
        let mut stmt = c.prepare("SELECT id, reference, subject, category, priority, status, reporter, messages, local, created_at, photos FROM tickets WHERE site_id = ?1 ORDER BY created_at DESC")?;
        let tickets = stmt
            .query_map(params![site_id], |r| {
                Ok(Ticket {
                    id: r.get(0)?,
                    reference: r.get(1)?,
                    subject: r.get(2)?,
                    category: r.get(3)?,
                    priority: r.get(4)?,
                    status: r.get(5)?,
                    reporter: r.get(6)?,
                    messages: serde_json::from_str(&r.get::<_, String>(7)?).unwrap_or_default(),
                    pending: r.get::<_, i64>(8)? == 1,
                    created_at: r.get(9)?,
                    photos: json_list(&r.get::<_, String>(10)?),
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let mut stmt = c.prepare("SELECT id, title, location, category, priority, status, photos, local, description, building_id, ticket_id, work_order_id, reported_by, created_at, history FROM issues WHERE site_id = ?1 ORDER BY created_at DESC")?;
        let issues = stmt
            .query_map(params![site_id], |r| {
                Ok(Issue {
                    id: r.get(0)?,
                    title: r.get(1)?,
                    location: r.get(2)?,
                    category: r.get(3)?,
                    priority: r.get(4)?,
                    status: r.get(5)?,
                    photos: json_list(&r.get::<_, String>(6)?),
                    pending: r.get::<_, i64>(7)? == 1,
                    description: r.get(8)?,
                    building_id: r.get(9)?,
                    ticket_id: r.get(10)?,
                    work_order_id: r.get(11)?,
                    reported_by: r.get(12)?,
                    created_at: r.get(13)?,
                    history: serde_json::from_str(&r.get::<_, String>(14)?).unwrap_or_default(),
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let mut stmt = c.prepare("SELECT id, reference, title, scope, priority, status, contractor, deadline, local, photos FROM work_orders WHERE site_id = ?1 ORDER BY reference DESC")?;
        let work_orders = stmt
            .query_map(params![site_id], |r| {
                let status: String = r.get(5)?;
                let next = status
                    .parse::<WorkOrderStatus>()
                    .map(|s| s.next_states().iter().filter(|n| matches!(n, WorkOrderStatus::InProgress | WorkOrderStatus::Completed | WorkOrderStatus::PendingReview)).map(|n| n.code().to_owned()).collect())
                    .unwrap_or_default();
                Ok(WorkOrder {
                    id: r.get(0)?,
                    reference: r.get(1)?,
                    title: r.get(2)?,
                    scope: r.get(3)?,
                    priority: r.get(4)?,
                    status,
                    contractor: r.get(6)?,
                    deadline: r.get(7)?,
                    pending: r.get::<_, i64>(8)? == 1,
                    photos: json_list(&r.get::<_, String>(9)?),
                    next,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(SiteWork { tickets, issues, work_orders })
    })
}

fn json_list(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}

/// Where issues on a site were logged lately, most recent first: offered when logging another.
pub fn recent_locations(store: &Store, site_id: &str) -> CoreResult<Vec<String>> {
    store.read(|c| {
        let mut stmt = c.prepare(
            "SELECT location FROM issues WHERE site_id = ?1 AND location <> '' \
             GROUP BY location ORDER BY MAX(created_at) DESC LIMIT 6",
        )?;
        let rows = stmt
            .query_map(params![site_id], |r| r.get(0))?
            .collect::<Result<Vec<String>, _>>()?;
        Ok(rows)
    })
}

/// A record that matches a search, as a list shows it.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Found {
    /// `ticket`, `issue` or `work_order`.
    pub kind: &'static str,
    pub id: String,
    pub site_id: String,
    pub title: String,
    pub detail: String,
    pub priority: String,
    pub status: String,
}

/// The most a search lists.
const FOUND_LIMIT: i64 = 50;

/// Searches every site's records on the phone, offline: words may match a reference, a title,
/// a location or what was said; every word must match somewhere.
pub fn search(store: &Store, query: &str) -> CoreResult<Vec<Found>> {
    let words: Vec<String> = query
        .split_whitespace()
        .take(6)
        .map(|w| {
            format!(
                "%{}%",
                w.replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_")
            )
        })
        .collect();
    if words.is_empty() {
        return Ok(Vec::new());
    }
    let sources: [(&'static str, &str, &str, &str); 3] = [
        (
            "work_order",
            "SELECT id, site_id, reference || ': ' || title, scope, priority, status FROM work_orders",
            "reference || ' ' || title || ' ' || scope || ' ' || COALESCE(contractor, '')",
            "reference DESC",
        ),
        (
            "ticket",
            "SELECT id, site_id, reference || ': ' || subject, category, priority, status FROM tickets",
            // What was said and who said it, not the JSON the conversation is kept in.
            "reference || ' ' || subject || ' ' || COALESCE((SELECT group_concat(json_extract(m.value, '$.author') \
             || ' ' || json_extract(m.value, '$.body'), ' ') FROM json_each(CASE WHEN json_valid(messages) \
             THEN messages ELSE '[]' END) m), '')",
            "created_at DESC",
        ),
        (
            "issue",
            "SELECT id, site_id, title, location, priority, status FROM issues",
            "title || ' ' || location || ' ' || description",
            "created_at DESC",
        ),
    ];
    store.read(|c| {
        let mut found = Vec::new();
        for (kind, select, haystack, order) in sources {
            let filter: Vec<String> = (1..=words.len())
                .map(|i| format!("({haystack}) LIKE ?{i} ESCAPE '\\'"))
                .collect();
            let sql = format!(
                "{select} WHERE {} ORDER BY {order} LIMIT {FOUND_LIMIT}",
                filter.join(" AND ")
            );
            let mut stmt = c.prepare(&sql)?;
            let rows = stmt.query_map(rusqlite::params_from_iter(words.iter()), |r| {
                Ok(Found {
                    kind,
                    id: r.get(0)?,
                    site_id: r.get(1)?,
                    title: r.get(2)?,
                    detail: r.get(3)?,
                    priority: r.get(4)?,
                    status: r.get(5)?,
                })
            })?;
            for row in rows {
                found.push(row?);
            }
        }
        Ok(found)
    })
}

/// A photo's bytes from the phone's store, if it holds them.
pub fn photo(store: &Store, sha256: &str) -> CoreResult<Option<Vec<u8>>> {
    if !crate::store::is_photo_name(sha256) {
        return Ok(None);
    }
    match std::fs::read(store.photo_path(sha256)) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e.into()),
    }
}
