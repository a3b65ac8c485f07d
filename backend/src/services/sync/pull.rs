//! `pull`: what changed in the user's sites since the device's cursor, and what they can no
//! longer see.

use std::collections::{BTreeSet, HashMap};

use proplink_shared::audit::AuditAction;
use proplink_shared::records::RecordType;
use proplink_shared::sync::*;
use proplink_shared::{Domain, IssueId, Scope, TicketId, WorkOrderId};
use uuid::Uuid;

use super::Device;
use crate::app::App;
use crate::error::AppResult;
use crate::store::requests::{Openness, TicketFilter};
use crate::store::{
    audit as audit_store, files as file_store, places, requests, work_orders as wo_store,
};

/// The record types a pull follows.
const PULLED: &[RecordType] = &[
    RecordType::Ticket,
    RecordType::Issue,
    RecordType::WorkOrder,
    RecordType::StaffUser,
    RecordType::Site,
    RecordType::Building,
];

fn ids_of<T: std::str::FromStr>(
    changed: &BTreeSet<(RecordType, String)>,
    record_type: RecordType,
) -> Vec<T> {
    changed
        .iter()
        .filter(|(t, _)| *t == record_type)
        .filter_map(|(_, id)| id.parse().ok())
        .collect()
}

/// How much of an issue's history the phone keeps.
const HISTORY_STEPS: usize = 30;

/// The photos attached to each of `ids`, by record id.
async fn photos_of(
    conn: &mut crate::store::Conn,
    org: proplink_shared::OrgId,
    record_type: RecordType,
    ids: impl Iterator<Item = String>,
) -> AppResult<HashMap<String, Vec<String>>> {
    let keys: Vec<String> = ids.collect();
    let mut photos: HashMap<String, Vec<String>> = HashMap::new();
    for (record, sha) in file_store::files_of_records(conn, org, record_type, &keys).await? {
        photos.entry(record).or_default().push(sha);
    }
    Ok(photos)
}

/// What changed for this device since `cursor`.
pub async fn pull(app: &App, device: &Device, cursor: i64) -> AppResult<PullResponse> {
    let org = device.org.id;
    let actor = &device.actor;
    let mut conn = app.db.read().await?;
    let head = audit_store::head(&mut conn, org).await?.map_or(0, |h| h.0);
    let scope_changed = cursor > 0
        && audit_store::happened_since(
            &mut conn,
            org,
            cursor,
            RecordType::StaffUser,
            &device.staff.id.to_string(),
            AuditAction::Update,
        )
        .await?;
    let reset = cursor <= 0 || cursor > head || scope_changed;
    let changed: Option<BTreeSet<(RecordType, String)>> = if reset {
        None
    } else {
        Some(
            audit_store::changed_since(&mut conn, org, cursor, PULLED)
                .await?
                .into_iter()
                .collect(),
        )
    };
    let mut response = PullResponse {
        cursor: head,
        reset,
        ..PullResponse::default()
    };

    let buildings = places::buildings(&mut conn, &Scope::of(actor, Domain::Portfolio)).await?;
    let sites = places::site_choices(&mut conn, &Scope::of(actor, Domain::Portfolio)).await?;
    for (id, _) in &sites {
        if let Some(s) = places::site(&mut conn, org, *id).await? {
            response.sites.push(SiteView {
                buildings: buildings
                    .iter()
                    .filter(|b| b.site_id == s.id)
                    .map(|b| BuildingView {
                        id: b.id,
                        name: b.name.clone(),
                    })
                    .collect(),
                id: s.id,
                reference: s.reference,
                name: s.name,
                address: s.address,
            });
        }
    }

    let ticket_scope = Scope::of(actor, Domain::Tickets);
    let tickets = match &changed {
        None => {
            let open = TicketFilter {
                openness: Openness::Open,
                ..TicketFilter::default()
            };
            requests::first_tickets(&mut conn, &ticket_scope, &open, 5_000).await?
        }
        Some(c) => {
            requests::tickets_among(
                &mut conn,
                &ticket_scope,
                &ids_of::<TicketId>(c, RecordType::Ticket),
            )
            .await?
        }
    };
    let open_ids: Vec<TicketId> = tickets
        .iter()
        .filter(|t| !t.status.is_terminal())
        .map(|t| t.id)
        .collect();
    let mut conversations: HashMap<TicketId, Vec<MessageView>> = HashMap::new();
    // Facility Report is for staff, who see internal notes too.
    for e in requests::entries_of(&mut conn, org, &open_ids).await? {
        conversations
            .entry(e.ticket_id)
            .or_default()
            .push(MessageView {
                author: e.author_name,
                body: e.body,
                internal: e.kind == proplink_shared::records::EntryKind::InternalNote,
                created_at: crate::clock::to_micros(e.created_at),
            });
    }
    let mut photos = photos_of(
        &mut conn,
        org,
        RecordType::Ticket,
        tickets.iter().map(|t| t.id.to_string()),
    )
    .await?;
    let mut seen: BTreeSet<Uuid> = BTreeSet::new();
    for t in &tickets {
        seen.insert(t.id.0);
        if t.status.is_terminal() {
            response.removed.push(Removed {
                record_type: "ticket".into(),
                id: t.id.0,
            });
            continue;
        }
        response.tickets.push(TicketView {
            id: t.id,
            site_id: t.site_id,
            reference: t.reference.clone(),
            subject: t.subject.clone(),
            category: t.category,
            priority: t.priority,
            status: t.status,
            reporter: t.reporter_name.clone(),
            created_at: crate::clock::to_micros(t.created_at),
            messages: conversations.remove(&t.id).unwrap_or_default(),
            photos: photos.remove(&t.id.to_string()).unwrap_or_default(),
        });
    }

    let issue_ids = changed
        .as_ref()
        .map(|c| ids_of::<IssueId>(c, RecordType::Issue));
    let issues = requests::issues_among(
        &mut conn,
        &Scope::of(actor, Domain::Issues),
        issue_ids.as_deref(),
    )
    .await?;
    let mut photos = photos_of(
        &mut conn,
        org,
        RecordType::Issue,
        issues.iter().map(|i| i.id.to_string()),
    )
    .await?;
    let open_issues: Vec<String> = issues
        .iter()
        .filter(|i| !i.status.is_terminal())
        .map(|i| i.id.to_string())
        .collect();
    let mut histories: HashMap<String, Vec<HistoryView>> = HashMap::new();
    for e in audit_store::trails_of(
        &mut conn,
        org,
        RecordType::Issue,
        &open_issues,
        HISTORY_STEPS,
    )
    .await?
    {
        histories.entry(e.record_id).or_default().push(HistoryView {
            at: crate::clock::to_micros(e.occurred_at),
            who: e.actor_name,
            what: e.sentence,
        });
    }
    for i in &issues {
        seen.insert(i.id.0);
        if i.status.is_terminal() {
            response.removed.push(Removed {
                record_type: "issue".into(),
                id: i.id.0,
            });
            continue;
        }
        response.issues.push(IssueView {
            id: i.id,
            site_id: i.site_id,
            building_id: i.building_id,
            ticket_id: i.ticket_id,
            work_order_id: i.work_order_id,
            title: i.title.clone(),
            description: i.description.clone(),
            reported_by: i.reported_by.clone(),
            location: i.location.clone(),
            category: i.category,
            priority: i.priority,
            status: i.status,
            created_at: crate::clock::to_micros(i.created_at),
            photos: photos.remove(&i.id.to_string()).unwrap_or_default(),
            history: histories.remove(&i.id.to_string()).unwrap_or_default(),
        });
    }

    let wo_ids = changed
        .as_ref()
        .map(|c| ids_of::<WorkOrderId>(c, RecordType::WorkOrder));
    let work_orders = wo_store::work_orders_among(
        &mut conn,
        &Scope::of(actor, Domain::WorkOrders),
        wo_ids.as_deref(),
    )
    .await?;
    let mut photos = photos_of(
        &mut conn,
        org,
        RecordType::WorkOrder,
        work_orders.iter().map(|w| w.id.to_string()),
    )
    .await?;
    for w in work_orders {
        seen.insert(w.id.0);
        if w.status.is_terminal() {
            response.removed.push(Removed {
                record_type: "work_order".into(),
                id: w.id.0,
            });
            continue;
        }
        response.work_orders.push(WorkOrderView {
            id: w.id,
            site_id: w.site_id,
            reference: w.reference,
            title: w.title,
            scope: w.scope,
            priority: w.priority,
            status: w.status,
            contractor: w.vendor_name,
            deadline: w.deadline.map(crate::store::date_text),
            photos: photos.remove(&w.id.to_string()).unwrap_or_default(),
        });
    }
    // Changed records the user can no longer see at all (moved out of scope) are removed too.
    if let Some(changed) = &changed {
        for (record_type, id) in changed {
            let name = match record_type {
                RecordType::Ticket => "ticket",
                RecordType::Issue => "issue",
                RecordType::WorkOrder => "work_order",
                _ => continue,
            };
            if let Ok(id) = id.parse::<Uuid>() {
                if !seen.contains(&id) {
                    response.removed.push(Removed {
                        record_type: name.into(),
                        id,
                    });
                }
            }
        }
    }
    Ok(response)
}
