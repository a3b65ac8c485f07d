//! What a site manager does on the phone, offline or not: each action checks the same rules
//! the server will, then writes its change to the read model and its outbox entry in one
//! transaction. Photos are copied into the app's storage and hashed first, so the camera's
//! temporary file may vanish.

use std::collections::BTreeSet;

use proplink_shared::audit::Channel;
use proplink_shared::records::{NewIssue, NewTicket, validate_message};
use proplink_shared::states::WorkOrderStatus;
use proplink_shared::sync::*;
use proplink_shared::{
    Action, Actor, Domain, IssueId, OrgId, Principal, Resource, Role, SiteId, SiteScope,
    StaffUserId, TicketId, WorkOrderId, authorize,
};
use rusqlite::{OptionalExtension, Transaction, params};
use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::error::{CoreError, CoreResult};
use crate::store::{Store, get_meta, set_meta};

pub(crate) fn now_micros() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
}

/// The signed-in user as the rules see them: their role, and the sites the last pull gave.
fn actor(tx: &rusqlite::Connection) -> CoreResult<Actor> {
    let role = get_meta(tx, "role")?
        .and_then(|r| Role::from_code(&r))
        .ok_or(CoreError::NotSignedIn)?;
    let mut stmt = tx.prepare("SELECT id FROM sites")?;
    let sites: BTreeSet<SiteId> = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .filter_map(|r| r.ok()?.parse().ok())
        .collect();
    Ok(Actor {
        org: OrgId(Uuid::nil()),
        principal: Principal::Staff {
            user: StaffUserId(Uuid::nil()),
            role: Some(role),
            scope: (!sites.is_empty()).then_some(SiteScope::Selected(sites)),
        },
        channel: Channel::FacilityReport,
        display_name: get_meta(tx, "user_name")?.unwrap_or_default(),
    })
}

fn allowed(
    tx: &rusqlite::Connection,
    action: Action,
    domain: Domain,
    site: SiteId,
) -> CoreResult<()> {
    let actor = actor(tx)?;
    authorize(&actor, action, &Resource::on_site(actor.org, domain, site)).map_err(|_| {
        CoreError::NotAllowed(
            "You are not assigned to this site, or your role does not allow this.".into(),
        )
    })
}

/// Copies photos into the app's storage under their hash and records them for upload.
fn keep_photos(
    store: &Store,
    tx: &Transaction<'_>,
    photos: &[std::path::PathBuf],
) -> CoreResult<Vec<String>> {
    let mut hashes = Vec::with_capacity(photos.len());
    for path in photos {
        let bytes = std::fs::read(path).map_err(|e| {
            CoreError::Storage(format!(
                "the photo {} could not be read: {e}",
                path.display()
            ))
        })?;
        if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > MAX_PHOTO_BYTES {
            return Err(CoreError::Invalid(
                proplink_shared::records::ValidationErrors::single(
                    "photos",
                    "Each photo must be smaller than 25 MB",
                ),
            ));
        }
        let sha = hex::encode(Sha256::digest(&bytes));
        let target = store.photo_path(&sha);
        if !target.exists() {
            let partial = target.with_extension("part");
            std::fs::write(&partial, &bytes)?;
            std::fs::File::open(&partial)?.sync_all()?;
            std::fs::rename(&partial, &target)?;
        }
        tx.execute("INSERT INTO attachments (sha256, size, created_at) VALUES (?1, ?2, ?3) ON CONFLICT (sha256) DO NOTHING", params![sha, bytes.len() as i64, now_micros()])?;
        hashes.push(sha);
    }
    Ok(hashes)
}

/// Appends a change to the outbox with the next `seq`.
fn enqueue(tx: &Transaction<'_>, change: &Change, summary: &str) -> CoreResult<i64> {
    let seq: i64 = get_meta(tx, "next_seq")?
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    set_meta(tx, "next_seq", &(seq + 1).to_string())?;
    tx.execute(
        "INSERT INTO outbox (seq, mutation_id, kind, summary, body, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![seq, Uuid::now_v7().to_string(), change.kind(), summary, serde_json::to_string(change)?, now_micros()],
    )?;
    Ok(seq)
}

/// An issue logged on a site walk.
pub struct IssueInput<'a> {
    pub site_id: SiteId,
    pub building_id: Option<proplink_shared::BuildingId>,
    pub ticket_id: Option<TicketId>,
    pub title: &'a str,
    pub description: &'a str,
    pub location: &'a str,
    pub category: &'a str,
    pub priority: &'a str,
    pub photos: &'a [std::path::PathBuf],
}

pub fn log_issue(store: &Store, input: &IssueInput<'_>) -> CoreResult<IssueId> {
    let new = NewIssue::validate(
        input.title,
        input.description,
        input.location,
        input.category,
        input.priority,
    )?;
    store.write(|tx| {
        allowed(tx, Action::Create, Domain::Issues, input.site_id)?;
        let photos = keep_photos(store, tx, input.photos)?;
        check_place(tx, input.site_id, input.building_id, input.ticket_id)?;
        let id = IssueId::new();
        let me = get_meta(tx, "user_name")?.unwrap_or_default();
        let now = now_micros();
        let history = serde_json::to_string(&[HistoryView { at: now, who: me.clone(), what: "Logged on this phone".into() }])?;
        tx.execute(
            "INSERT INTO issues (id, site_id, building_id, ticket_id, title, description, reported_by, location, category, priority, status, created_at, photos, history, local) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'open', ?11, ?12, ?13, 1)",
            params![
                id.to_string(),
                input.site_id.to_string(),
                input.building_id.map(|b| b.to_string()),
                input.ticket_id.map(|t| t.to_string()),
                new.title,
                new.description,
                me,
                new.location,
                new.category.code(),
                new.priority.code(),
                now,
                serde_json::to_string(&photos)?,
                history
            ],
        )?;
        let change = Change::LogIssue(LogIssue {
            issue_id: id,
            site_id: input.site_id,
            building_id: input.building_id,
            ticket_id: input.ticket_id,
            title: new.title.clone(),
            description: new.description,
            location: new.location,
            category: new.category,
            priority: new.priority,
            photos,
        });
        enqueue(tx, &change, &format!("Issue: {}", new.title))?;
        Ok(id)
    })
}

/// The building must be one of the site's, and the ticket one the phone holds for that site.
fn check_place(
    tx: &rusqlite::Connection,
    site: SiteId,
    building: Option<proplink_shared::BuildingId>,
    ticket: Option<TicketId>,
) -> CoreResult<()> {
    let invalid = |field: &'static str, message: &'static str| {
        CoreError::Invalid(proplink_shared::records::ValidationErrors::single(
            field, message,
        ))
    };
    if let Some(b) = building {
        let buildings: String = tx
            .query_row(
                "SELECT buildings FROM sites WHERE id = ?1",
                [site.to_string()],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or_default();
        let buildings: Vec<BuildingView> = serde_json::from_str(&buildings).unwrap_or_default();
        if !buildings.iter().any(|v| v.id == b) {
            return Err(invalid("building", "Choose one of this site's buildings"));
        }
    }
    if let Some(t) = ticket {
        let on_site: Option<String> = tx
            .query_row(
                "SELECT site_id FROM tickets WHERE id = ?1",
                [t.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        if on_site.as_deref() != Some(site.to_string().as_str()) {
            return Err(invalid("ticket", "Choose one of this site's open tickets"));
        }
    }
    Ok(())
}

/// An issue as the phone holds it, with where it belongs.
struct LinkedIssue {
    site: String,
    title: String,
    history: String,
    building: Option<String>,
    ticket: Option<String>,
}

/// Ties an issue to the building it is in and the ticket it answers, offline like any change.
pub fn link_issue(
    store: &Store,
    id: IssueId,
    building: Option<proplink_shared::BuildingId>,
    ticket: Option<TicketId>,
) -> CoreResult<()> {
    store.write(|tx| {
        let row = tx
            .query_row(
                "SELECT site_id, title, history, building_id, ticket_id FROM issues WHERE id = ?1",
                [id.to_string()],
                |r| {
                    Ok(LinkedIssue {
                        site: r.get(0)?,
                        title: r.get(1)?,
                        history: r.get(2)?,
                        building: r.get(3)?,
                        ticket: r.get(4)?,
                    })
                },
            )
            .optional()?;
        let Some(LinkedIssue {
            site,
            title,
            history,
            building: was_building,
            ticket: was_ticket,
        }) = row
        else {
            return Err(CoreError::NotFound);
        };
        let site: SiteId = site
            .parse()
            .map_err(|_| CoreError::Storage("an issue's site is not an id".into()))?;
        allowed(tx, Action::Update, Domain::Issues, site)?;
        if was_building == building.map(|b| b.to_string())
            && was_ticket == ticket.map(|t| t.to_string())
        {
            return Ok(());
        }
        check_place(tx, site, building, ticket)?;
        let reference: Option<String> = match ticket {
            Some(t) => tx
                .query_row(
                    "SELECT reference FROM tickets WHERE id = ?1",
                    [t.to_string()],
                    |r| r.get(0),
                )
                .optional()?,
            None => None,
        };
        let what = reference.as_ref().map_or_else(
            || "Where it belongs changed on this phone".to_owned(),
            |r| format!("Linked to ticket {r} on this phone"),
        );
        let mut history: Vec<HistoryView> = serde_json::from_str(&history).unwrap_or_default();
        history.push(HistoryView {
            at: now_micros(),
            who: get_meta(tx, "user_name")?.unwrap_or_default(),
            what,
        });
        tx.execute(
            "UPDATE issues SET building_id = ?2, ticket_id = ?3, history = ?4 WHERE id = ?1",
            params![
                id.to_string(),
                building.map(|b| b.to_string()),
                ticket.map(|t| t.to_string()),
                serde_json::to_string(&history)?
            ],
        )?;
        let change = Change::LinkIssue(LinkIssue {
            issue_id: id,
            building_id: building,
            ticket_id: ticket,
            seen: Some(IssueLinks {
                building_id: was_building.as_deref().and_then(|b| b.parse().ok()),
                ticket_id: was_ticket.as_deref().and_then(|t| t.parse().ok()),
            }),
        });
        enqueue(tx, &change, &format!("Issue linked: {title}"))?;
        Ok(())
    })
}

/// A ticket raised from the field.
pub struct TicketInput<'a> {
    pub site_id: SiteId,
    pub subject: &'a str,
    pub body: &'a str,
    pub category: &'a str,
    pub priority: &'a str,
    pub photos: &'a [std::path::PathBuf],
}

pub fn raise_ticket(store: &Store, input: &TicketInput<'_>) -> CoreResult<TicketId> {
    let new = NewTicket::validate(input.subject, input.body, input.category, input.priority)?;
    store.write(|tx| {
        allowed(tx, Action::Create, Domain::Tickets, input.site_id)?;
        let photos = keep_photos(store, tx, input.photos)?;
        let id = TicketId::new();
        let me = get_meta(tx, "user_name")?.unwrap_or_default();
        let messages = serde_json::to_string(&[MessageView { author: me, body: new.body.clone(), internal: false, created_at: now_micros() }])?;
        tx.execute(
            "INSERT INTO tickets (id, site_id, reference, subject, category, priority, status, reporter, created_at, messages, local) VALUES (?1, ?2, 'New', ?3, ?4, ?5, 'open', NULL, ?6, ?7, 1)",
            params![id.to_string(), input.site_id.to_string(), new.subject, new.category.code(), new.priority.code(), now_micros(), messages],
        )?;
        let change = Change::RaiseTicket(RaiseTicket {
            ticket_id: id,
            site_id: input.site_id,
            unit_id: None,
            subject: new.subject.clone(),
            body: new.body,
            category: new.category,
            priority: new.priority,
            photos,
        });
        enqueue(tx, &change, &format!("Ticket: {}", new.subject))?;
        Ok(id)
    })
}

/// Moves a work order along its life cycle, adds a note, adds photos — any of the three.
pub fn update_work_order(
    store: &Store,
    id: WorkOrderId,
    to: Option<WorkOrderStatus>,
    note: Option<&str>,
    photos: &[std::path::PathBuf],
) -> CoreResult<()> {
    let note = note.map(str::trim).filter(|n| !n.is_empty());
    if to.is_none() && note.is_none() && photos.is_empty() {
        return Err(CoreError::Invalid(
            proplink_shared::records::ValidationErrors::single(
                "note",
                "Choose a new status, write a note or add a photo",
            ),
        ));
    }
    store.write(|tx| {
        let row: Option<(String, String, String)> = tx
            .query_row(
                "SELECT site_id, status, reference FROM work_orders WHERE id = ?1",
                [id.to_string()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let (site, status, reference) = row.ok_or(CoreError::NotFound)?;
        let site: SiteId = site.parse().map_err(|_| CoreError::NotFound)?;
        allowed(tx, Action::Update, Domain::WorkOrders, site)?;
        let current: WorkOrderStatus = status.parse().map_err(|_| CoreError::NotFound)?;
        if let Some(to) = to {
            current.transition(to).map_err(|e| {
                CoreError::Invalid(proplink_shared::records::ValidationErrors::single(
                    "status",
                    e.to_string(),
                ))
            })?;
            tx.execute(
                "UPDATE work_orders SET status = ?2, local = 1 WHERE id = ?1",
                params![id.to_string(), to.code()],
            )?;
        }
        let photos = keep_photos(store, tx, photos)?;
        let change = Change::UpdateWorkOrder(UpdateWorkOrder {
            work_order_id: id,
            expected_status: current,
            to_status: to,
            note: note.map(str::to_owned),
            photos,
        });
        let summary = match to {
            Some(to) => format!("{reference}: {}", to.label()),
            None => format!("{reference}: note"),
        };
        enqueue(tx, &change, &summary)?;
        Ok(())
    })
}

/// A message to the ticket's reporter, or an internal note.
pub fn reply_ticket(store: &Store, id: TicketId, body: &str, internal: bool) -> CoreResult<()> {
    let body = validate_message(body)?;
    store.write(|tx| {
        let row: Option<(String, String, String)> = tx
            .query_row(
                "SELECT site_id, messages, reference FROM tickets WHERE id = ?1",
                [id.to_string()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let (site, messages, reference) = row.ok_or(CoreError::NotFound)?;
        let site: SiteId = site.parse().map_err(|_| CoreError::NotFound)?;
        allowed(
            tx,
            if internal {
                Action::AddInternalNote
            } else {
                Action::Reply
            },
            Domain::Tickets,
            site,
        )?;
        let mut messages: Vec<MessageView> = serde_json::from_str(&messages).unwrap_or_default();
        messages.push(MessageView {
            author: get_meta(tx, "user_name")?.unwrap_or_default(),
            body: body.clone(),
            internal,
            created_at: now_micros(),
        });
        tx.execute(
            "UPDATE tickets SET messages = ?2 WHERE id = ?1",
            params![id.to_string(), serde_json::to_string(&messages)?],
        )?;
        let change = Change::ReplyTicket(ReplyTicket {
            ticket_id: id,
            body,
            internal,
        });
        enqueue(
            tx,
            &change,
            &format!(
                "{reference}: {}",
                if internal { "internal note" } else { "reply" }
            ),
        )?;
        Ok(())
    })
}

/// One outbox entry, as the outbox screen shows it.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct OutboxItem {
    pub seq: i64,
    pub kind: String,
    pub summary: String,
    /// `pending` or `rejected`.
    pub state: String,
    pub reason: Option<String>,
    pub created_at: i64,
}

pub fn outbox(store: &Store) -> CoreResult<Vec<OutboxItem>> {
    store.read(|c| {
        let mut stmt = c.prepare(
            "SELECT seq, kind, summary, state, reason, created_at FROM outbox ORDER BY seq",
        )?;
        let items = stmt
            .query_map([], |r| {
                Ok(OutboxItem {
                    seq: r.get(0)?,
                    kind: r.get(1)?,
                    summary: r.get(2)?,
                    state: r.get(3)?,
                    reason: r.get(4)?,
                    created_at: r.get(5)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(items)
    })
}

/// Sends a rejected change again, as a new change at the end of the queue (the server has
/// settled its old number).
pub fn retry(store: &Store, seq: i64) -> CoreResult<()> {
    store.write(|tx| {
        let row: Option<(String, String)> = tx
            .query_row(
                "SELECT body, summary FROM outbox WHERE seq = ?1 AND state = 'rejected'",
                [seq],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let (body, summary) = row.ok_or(CoreError::NotFound)?;
        let change: Change = serde_json::from_str(&body)?;
        tx.execute("DELETE FROM outbox WHERE seq = ?1", [seq])?;
        enqueue(tx, &change, &summary)?;
        Ok(())
    })
}

/// Gives up a rejected change, and the optimistic record it made on the phone.
pub fn discard(store: &Store, seq: i64) -> CoreResult<()> {
    store.write(|tx| {
        let body: Option<String> = tx
            .query_row(
                "SELECT body FROM outbox WHERE seq = ?1 AND state = 'rejected'",
                [seq],
                |r| r.get(0),
            )
            .optional()?;
        let change: Change = serde_json::from_str(&body.ok_or(CoreError::NotFound)?)?;
        match &change {
            Change::LogIssue(c) => {
                tx.execute(
                    "DELETE FROM issues WHERE id = ?1 AND local = 1",
                    [c.issue_id.to_string()],
                )?;
            }
            Change::RaiseTicket(c) => {
                tx.execute(
                    "DELETE FROM tickets WHERE id = ?1 AND local = 1",
                    [c.ticket_id.to_string()],
                )?;
            }
            _ => {}
        }
        tx.execute("DELETE FROM outbox WHERE seq = ?1", [seq])?;
        Ok(())
    })
}

/// How many changes are waiting to reach the server.
pub fn pending_count(store: &Store) -> CoreResult<i64> {
    store.read(|c| {
        Ok(c.query_row(
            "SELECT COUNT(*) FROM outbox WHERE state = 'pending'",
            [],
            |r| r.get(0),
        )?)
    })
}
