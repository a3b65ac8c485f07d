//! The read model as the screens want it: the user's sites, and a site's open work.

use proplink_shared::sync::{BuildingView, MessageView};
use rusqlite::params;
use serde::Serialize;

use crate::error::CoreResult;
use crate::store::{Store, get_meta};

#[derive(Clone, Debug, Serialize)]
pub struct Account {
    pub signed_in: bool,
    pub org_name: Option<String>,
    pub user_name: Option<String>,
    pub email: Option<String>,
    pub server: Option<String>,
    pub pending: i64,
    pub rejected: i64,
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
            org_name: get_meta(c, "org_name")?,
            user_name: get_meta(c, "user_name")?,
            email: get_meta(c, "email")?,
            server: get_meta(c, "server")?,
            pending: count("pending")?,
            rejected: count("rejected")?,
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
    pub messages: Vec<MessageView>,
    /// Made on this phone and not yet synced.
    pub pending: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct Issue {
    pub id: String,
    pub title: String,
    pub location: String,
    pub category: String,
    pub priority: String,
    pub status: String,
    pub photos: Vec<String>,
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
        let mut stmt = c.prepare("SELECT id, reference, subject, category, priority, status, reporter, messages, local FROM tickets WHERE site_id = ?1 ORDER BY created_at DESC")?;
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
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let mut stmt = c.prepare("SELECT id, title, location, category, priority, status, photos, local FROM issues WHERE site_id = ?1 ORDER BY created_at DESC")?;
        let issues = stmt
            .query_map(params![site_id], |r| {
                Ok(Issue {
                    id: r.get(0)?,
                    title: r.get(1)?,
                    location: r.get(2)?,
                    category: r.get(3)?,
                    priority: r.get(4)?,
                    status: r.get(5)?,
                    photos: serde_json::from_str(&r.get::<_, String>(6)?).unwrap_or_default(),
                    pending: r.get::<_, i64>(7)? == 1,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let mut stmt = c.prepare("SELECT id, reference, title, scope, priority, status, contractor, deadline, local FROM work_orders WHERE site_id = ?1 ORDER BY reference DESC")?;
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
                    next,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(SiteWork { tickets, issues, work_orders })
    })
}
