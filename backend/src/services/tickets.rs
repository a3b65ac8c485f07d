//! Tickets (a "request" on ResidencePort): a conversation with a reporter, its SLA, its
//! messages and internal notes.

use proplink_shared::audit::AuditAction;
use proplink_shared::records::{
    CommunalArea, EntryKind, NewTicket, Priority, RecordType, TicketCategory, reference,
    validate_message,
};
use proplink_shared::states::{CloseReason, TicketStatus};
use proplink_shared::{
    Action, Actor, BuildingId, ContactId, Domain, Principal, Resource, Scope, SiteId, StaffUserId,
    TicketId, UnitId,
};
use serde_json::json;

use super::change::{Change, Event};
use super::{PAGE_SIZE, check};
use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::store::places;
use crate::store::query::{Page, PageAt};
use crate::store::requests::{self as store, Entry, Ticket, TicketFilter, TicketPlace};

/// Where the record sits, as `authorize` judges it: the one answer the lists and the pages share.
pub fn resource(actor: &Actor, t: &Ticket) -> Resource {
    let mut r = Resource::on_site(actor.org, Domain::Tickets, t.site_id);
    r.unit = t.unit_id;
    r.building = t.building_id;
    r.contact = t.reporter_contact_id;
    r
}

/// [`resource`] with the residents who added themselves to the ticket, who may read it too.
pub fn resource_with(actor: &Actor, t: &Ticket, followers: &[ContactId]) -> Resource {
    let mut r = resource(actor, t);
    r.followers = followers.iter().copied().collect();
    r
}

/// The ticket's place for a permission check that a follower may pass: its followers are read
/// only when the actor is a resident (staff are judged by the site).
pub(crate) async fn judged(
    conn: &mut crate::store::Conn,
    actor: &Actor,
    t: &Ticket,
) -> AppResult<Resource> {
    let followers = match actor.principal {
        Principal::Resident { .. } => store::followers(conn, actor.org, t.id).await?,
        _ => Vec::new(),
    };
    Ok(resource_with(actor, t, &followers))
}

/// Where a new ticket is about, and who reported it.
pub struct TicketOrigin {
    pub site: SiteId,
    pub unit: Option<UnitId>,
    pub reporter: Option<ContactId>,
    pub assignee: Option<StaffUserId>,
}

/// Raises a ticket with its first message.
pub async fn raise(
    app: &App,
    actor: &Actor,
    origin: TicketOrigin,
    new: &NewTicket,
) -> AppResult<TicketId> {
    let id = TicketId::new();
    let mut change = Change::begin(app, actor).await?;
    raise_in(&mut change, actor, id, origin, new).await?;
    change.commit().await?;
    Ok(id)
}

/// Raises a ticket with a caller-chosen id inside the caller's change (the offline app names
/// its records before they reach the server).
pub async fn raise_in(
    change: &mut Change<'_>,
    actor: &Actor,
    id: TicketId,
    origin: TicketOrigin,
    new: &NewTicket,
) -> AppResult<()> {
    raise_at(change, actor, id, origin, None, new).await
}

/// [`raise_in`], about a shared area of a building when `area` says so.
pub(crate) async fn raise_at(
    change: &mut Change<'_>,
    actor: &Actor,
    id: TicketId,
    origin: TicketOrigin,
    area: Option<(BuildingId, CommunalArea)>,
    new: &NewTicket,
) -> AppResult<()> {
    let mut res = Resource::on_site(actor.org, Domain::Tickets, origin.site);
    res.unit = origin.unit;
    // A resident always reports for themselves.
    res.contact = match &actor.principal {
        Principal::Resident { contact, .. } => Some(*contact),
        _ => origin.reporter,
    };
    check(actor, Action::Create, &res)?;
    let site = places::site(change, actor.org, origin.site)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut building = area.map(|(b, _)| b);
    if let Some(unit) = origin.unit {
        let u = places::unit(change, actor.org, unit)
            .await?
            .ok_or(AppError::NotFound)?;
        if u.site_id != origin.site {
            return Err(AppError::invalid("unit", "That unit is not on that site"));
        }
        building = Some(u.building_id);
    }
    if let Some((b, _)) = area {
        let b = places::building(change, actor.org, b)
            .await?
            .ok_or(AppError::NotFound)?;
        if b.site_id != origin.site {
            return Err(AppError::invalid(
                "place",
                "That building is not on that site",
            ));
        }
    }
    let now = change.now;
    let year = proplink_shared::london::local(now).year();
    let reference = reference(
        "TKT",
        year,
        crate::store::next_number(change, actor.org, "TKT", year).await?,
    );
    let place = TicketPlace {
        site: origin.site,
        unit: origin.unit,
        building,
        area: area.map(|(_, a)| a),
        reporter: res.contact,
        assignee: origin.assignee,
        source: actor.channel,
    };
    if let Err(e) = store::insert_ticket(change, actor.org, id, &reference, &place, new, now).await
    {
        return Err(if e.is_unique_violation() {
            AppError::conflict("already_exists", "A request with this id already exists")
        } else if e.is_foreign_key_violation() {
            AppError::NotFound
        } else {
            e.into()
        });
    }
    store::insert_entry(
        change,
        actor.org,
        id,
        EntryKind::Message,
        &author(actor),
        &new.body,
        now,
    )
    .await?;
    change
        .record(Event::new(
            RecordType::Ticket,
            id,
            AuditAction::Create,
            format!("raised request {reference} \"{}\" at {}", new.subject, site.name),
            json!({ "reference": reference, "subject": new.subject, "body": new.body, "category": new.category.code(), "priority": new.priority.code(), "site": origin.site.to_string(), "unit": origin.unit.map(|u| u.to_string()) }),
        ))
        .await?;
    tell_site_managers(change, actor, id, &reference, &site.name, origin.site, new).await
}

/// A new high-priority request: the site managers of its site hear of it on their devices —
/// where and how urgent, never who or what they wrote.
async fn tell_site_managers(
    change: &mut Change<'_>,
    actor: &Actor,
    id: TicketId,
    reference: &str,
    site_name: &str,
    site: proplink_shared::SiteId,
    new: &NewTicket,
) -> AppResult<()> {
    use proplink_shared::records::Priority;
    if !matches!(new.priority, Priority::High | Priority::Urgent) {
        return Ok(());
    }
    let managers = super::push::site_managers(change, site).await?;
    if managers.is_empty() {
        return Ok(());
    }
    let Some(org) = crate::store::orgs::by_id(change, actor.org).await? else {
        return Ok(());
    };
    super::push::queue_in(
        change,
        &managers,
        &super::push::Notice {
            kind: super::push::PushKind::Requests,
            event: format!("ticket-raised:{id}"),
            topic: super::push::topic(&format!("ticket:{id}")),
            title: &format!("{} request at {site_name}", new.priority.label()),
            body: &format!("{reference}: {}", new.category.label()),
            url: format!("{}/tickets/{id}", change.app().config.admin_url(&org.slug)),
            urgency: if new.priority == Priority::Urgent {
                super::push::Urgency::High
            } else {
                super::push::Urgency::Normal
            },
            ttl: time::Duration::days(1),
        },
    )
    .await
}

/// The names of the residents who added themselves to a ticket, for staff who may read it.
pub async fn followers(app: &App, actor: &Actor, t: &Ticket) -> AppResult<Vec<String>> {
    check(actor, Action::Read, &resource(actor, t))?;
    let mut conn = app.db.read().await?;
    let mut names = Vec::new();
    for c in store::followers(&mut conn, actor.org, t.id).await? {
        if let Some(c) = crate::store::people::contact(&mut conn, actor.org, c).await? {
            names.push(c.display_name());
        }
    }
    Ok(names)
}

/// Who writes an entry: a resident is known by their contact too.
fn author(actor: &Actor) -> store::Author<'_> {
    store::Author {
        name: &actor.display_name,
        channel: actor.channel,
        contact: match &actor.principal {
            Principal::Resident { contact, .. } => Some(*contact),
            _ => None,
        },
    }
}

/// Adds a message the reporter sees (`internal` false) or a note only staff see.
pub async fn add_entry(
    app: &App,
    actor: &Actor,
    id: TicketId,
    body: &str,
    internal: bool,
) -> AppResult<()> {
    let mut change = Change::begin(app, actor).await?;
    add_entry_in(&mut change, actor, id, body, internal).await?;
    change.commit().await
}

/// [`add_entry`] inside the caller's change.
pub async fn add_entry_in(
    change: &mut Change<'_>,
    actor: &Actor,
    id: TicketId,
    body: &str,
    internal: bool,
) -> AppResult<()> {
    let body = validate_message(body)?;
    let t = store::ticket(change, actor.org, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let action = if internal {
        Action::AddInternalNote
    } else {
        Action::Reply
    };
    let judged = judged(change, actor, &t).await?;
    check(actor, action, &judged)?;
    if t.status == TicketStatus::Closed && !internal {
        return Err(AppError::conflict(
            "closed",
            format!("Request {} is closed. Reopen it to reply.", t.reference),
        ));
    }
    let kind = if internal {
        EntryKind::InternalNote
    } else {
        EntryKind::Message
    };
    let now = change.now;
    store::insert_entry(change, actor.org, id, kind, &author(actor), &body, now).await?;
    let entry = format!("{id}:{}", crate::clock::to_micros(now));
    tell_mentioned(change, actor, &t, &body, &entry).await?;
    if actor.is_staff() && !internal {
        store::mark_first_response(change, actor.org, id, now).await?;
        super::requests::tell_residents(change, &t, &body).await?;
    }
    change
        .record(Event::new(
            RecordType::Ticket,
            id,
            if internal {
                AuditAction::InternalNote
            } else {
                AuditAction::Message
            },
            if internal {
                format!("added an internal note to {}", t.reference)
            } else {
                format!("replied on {}", t.reference)
            },
            json!({ "body": body }),
        ))
        .await
}

/// Moves a ticket to `to`; closing needs a reason.
pub async fn set_status(
    app: &App,
    actor: &Actor,
    id: TicketId,
    to: TicketStatus,
    reason: Option<CloseReason>,
) -> AppResult<()> {
    move_ticket(app, actor, id, None, to, reason).await
}

/// [`set_status`] from a form filled in against `version`: refused if the ticket changed since.
pub async fn move_ticket(
    app: &App,
    actor: &Actor,
    id: TicketId,
    version: Option<i64>,
    to: TicketStatus,
    reason: Option<CloseReason>,
) -> AppResult<()> {
    let mut change = Change::begin(app, actor).await?;
    let t = store::ticket(&mut change, actor.org, id)
        .await?
        .ok_or(AppError::NotFound)?;
    check(actor, Action::Update, &resource(actor, &t))?;
    if version.is_some_and(|v| v != t.version) {
        return Err(changed_since(&t));
    }
    t.status.transition(to)?;
    let now = change.now;
    let closed = match (to, reason) {
        (TicketStatus::Closed, Some(r)) => Some((now, r)),
        (TicketStatus::Closed, None) => {
            return Err(AppError::invalid(
                "reason",
                "Choose why the request is being closed",
            ));
        }
        _ => None,
    };
    if !store::set_ticket_status(&mut change, actor.org, id, t.version, to, closed).await? {
        return Err(changed_since(&t));
    }
    let what = match closed {
        Some((_, r)) => format!("closed {} as {}", t.reference, r.label().to_lowercase()),
        None => format!("moved {} to {}", t.reference, to.label().to_lowercase()),
    };
    change
        .record(Event::new(
            RecordType::Ticket,
            id,
            AuditAction::StatusChange,
            what,
            json!({ "from": t.status.code(), "to": to.code(), "reason": reason.map(CloseReason::code) }),
        ))
        .await?;
    change.commit().await
}

/// The refusal when a form was filled in against an older version of the ticket.
fn changed_since(t: &Ticket) -> AppError {
    AppError::conflict(
        "stale",
        format!(
            "Request {} was changed by someone else while you were looking at it. Nothing was saved: check the request as it is now and try again.",
            t.reference
        ),
    )
}

/// Sets a ticket's category and priority, from a form filled in against `version`. The SLA
/// targets restart from now, for the priority as set.
pub async fn triage(
    app: &App,
    actor: &Actor,
    id: TicketId,
    version: i64,
    category: TicketCategory,
    priority: Priority,
) -> AppResult<()> {
    let mut change = Change::begin(app, actor).await?;
    let t = store::ticket(&mut change, actor.org, id)
        .await?
        .ok_or(AppError::NotFound)?;
    check(actor, Action::Update, &resource(actor, &t))?;
    if t.status.is_terminal() {
        return Err(AppError::conflict(
            "closed",
            format!("Request {} is closed. Reopen it to triage it.", t.reference),
        ));
    }
    let now = change.now;
    if !store::triage_ticket(&mut change, actor.org, id, version, category, priority, now).await? {
        return Err(changed_since(&t));
    }
    change
        .record(Event::new(
            RecordType::Ticket,
            id,
            AuditAction::Update,
            format!(
                "triaged {} as {}, {} priority",
                t.reference,
                category.label().to_lowercase(),
                priority.label().to_lowercase()
            ),
            json!({
                "category": { "from": t.category.code(), "to": category.code() },
                "priority": { "from": t.priority.code(), "to": priority.code() },
            }),
        ))
        .await?;
    change.commit().await
}

/// Who may be given a ticket: active staff who may work on it.
pub async fn assignable(
    app: &App,
    actor: &Actor,
    t: &Ticket,
) -> AppResult<Vec<(StaffUserId, String)>> {
    let staff = super::staff::who_may(app, actor.org, actor.channel, |them| {
        proplink_shared::authorize(them, Action::Update, &resource(them, t)).is_ok()
    })
    .await?;
    Ok(staff.into_iter().map(|s| (s.id, s.name)).collect())
}

/// Gives a ticket to a member of staff who may work on it, or to nobody, from a form filled in
/// against `version`.
pub async fn assign(
    app: &App,
    actor: &Actor,
    id: TicketId,
    version: i64,
    assignee: Option<StaffUserId>,
) -> AppResult<()> {
    let (t, _) = ticket(app, actor, id).await?;
    check(actor, Action::Update, &resource(actor, &t))?;
    let name = match assignee {
        None => None,
        Some(user) => Some(
            assignable(app, actor, &t)
                .await?
                .into_iter()
                .find(|(id, _)| *id == user)
                .map(|(_, name)| name)
                .ok_or_else(|| {
                    AppError::invalid(
                        "assignee",
                        "Choose a member of staff who works on this request's site",
                    )
                })?,
        ),
    };
    let mut change = Change::begin(app, actor).await?;
    if !store::assign_ticket(&mut change, actor.org, id, version, assignee).await? {
        return Err(changed_since(&t));
    }
    let what = match &name {
        Some(name) => format!("assigned {} to {name}", t.reference),
        None => format!("unassigned {}", t.reference),
    };
    change
        .record(Event::new(
            RecordType::Ticket,
            id,
            AuditAction::Update,
            what,
            json!({ "assignee": { "from": t.assignee_id.map(|a| a.to_string()), "to": assignee.map(|a| a.to_string()) } }),
        ))
        .await?;
    let at = crate::clock::to_micros(change.now);
    if let Some(user) =
        assignee.filter(|u| Some(*u) != actor.staff_id() && t.assignee_id != Some(*u))
    {
        tell_staff(
            &mut change,
            &[super::push::staff_subject(user)],
            StaffNews {
                kind: super::push::PushKind::Assigned,
                event: format!("ticket-assigned:{id}:{user}:{at}"),
                ticket: &t,
                title: &format!("{} assigned to you", t.reference),
                body: &format!("{} · {} priority", t.category.label(), t.priority.label()),
            },
        )
        .await?;
    }
    change.commit().await
}

/// What a member of staff is told about a request on their devices: its reference and kind,
/// never what the resident wrote.
struct StaffNews<'a> {
    kind: super::push::PushKind,
    event: String,
    ticket: &'a Ticket,
    title: &'a str,
    body: &'a str,
}

async fn tell_staff(
    change: &mut Change<'_>,
    subjects: &[String],
    news: StaffNews<'_>,
) -> AppResult<()> {
    let org = change.org();
    let Some(org) = crate::store::orgs::by_id(change, org).await? else {
        return Ok(());
    };
    let id = news.ticket.id;
    super::push::queue_in(
        change,
        subjects,
        &super::push::Notice {
            kind: news.kind,
            event: news.event,
            topic: super::push::topic(&format!("ticket:{id}")),
            title: news.title,
            body: news.body,
            url: format!("{}/tickets/{id}", change.app().config.admin_url(&org.slug)),
            urgency: if news.ticket.priority == proplink_shared::records::Priority::Urgent {
                super::push::Urgency::High
            } else {
                super::push::Urgency::Normal
            },
            ttl: time::Duration::days(1),
        },
    )
    .await
}

/// Colleagues `@`-mentioned in a message or note by a member of staff hear of it — those who
/// may read the request, never the writer themselves.
async fn tell_mentioned(
    change: &mut Change<'_>,
    actor: &Actor,
    t: &Ticket,
    body: &str,
    entry: &str,
) -> AppResult<()> {
    if !actor.is_staff() || !body.contains('@') {
        return Ok(());
    }
    let readers = super::staff::who_may_in(change, actor.org, actor.channel, |them| {
        them.staff_id() != actor.staff_id()
            && proplink_shared::authorize(them, Action::Read, &resource(them, t)).is_ok()
    })
    .await?;
    let people: Vec<proplink_shared::mentions::Mentionable<'_, StaffUserId>> = readers
        .iter()
        .map(|s| proplink_shared::mentions::Mentionable {
            id: s.id,
            name: &s.name,
            email: &s.email,
        })
        .collect();
    let subjects: Vec<String> = proplink_shared::mentions::mentioned(body, &people)
        .into_iter()
        .map(super::push::staff_subject)
        .collect();
    if subjects.is_empty() {
        return Ok(());
    }
    tell_staff(
        change,
        &subjects,
        StaffNews {
            kind: super::push::PushKind::Mentions,
            event: format!("mention:{entry}"),
            ticket: t,
            title: "You were mentioned",
            body: &format!("A colleague mentioned you on {}", t.reference),
        },
    )
    .await
}

pub async fn tickets(
    app: &App,
    actor: &Actor,
    filter: &TicketFilter,
    at: &PageAt,
) -> AppResult<Page<Ticket>> {
    let scope = Scope::of(actor, Domain::Tickets);
    super::remember(
        app,
        &scope,
        format!("tickets {filter:?} {at:?}"),
        || async {
            let mut conn = app.db.read().await?;
            Ok(store::tickets(&mut conn, &scope, filter, at, PAGE_SIZE).await?)
        },
    )
    .await
}

/// How many tickets match, and the first `limit` of them: a dashboard panel.
pub async fn summary(
    app: &App,
    actor: &Actor,
    filter: &TicketFilter,
    limit: i64,
) -> AppResult<(i64, Vec<Ticket>)> {
    let scope = Scope::of(actor, Domain::Tickets);
    super::remember(
        app,
        &scope,
        format!("ticket summary {filter:?} {limit}"),
        || async {
            let mut conn = app.db.read().await?;
            let count = store::count_tickets(&mut conn, &scope, filter).await?;
            let first = store::first_tickets(&mut conn, &scope, filter, limit).await?;
            Ok((count, first))
        },
    )
    .await
}

/// A ticket and the entries the actor may see: residents never see internal notes.
pub async fn ticket(app: &App, actor: &Actor, id: TicketId) -> AppResult<(Ticket, Vec<Entry>)> {
    let internal = actor.sees_internal_notes();
    let (t, entries, followers) = super::remember_in(
        app,
        actor.org,
        format!("ticket {id} internal notes {internal}"),
        || async {
            let mut conn = app.db.read().await?;
            let Some(t) = store::ticket(&mut conn, actor.org, id).await? else {
                return Ok(None);
            };
            let entries = store::entries(&mut conn, actor.org, id, internal).await?;
            let followers = store::followers(&mut conn, actor.org, id).await?;
            Ok(Some((t, entries, followers)))
        },
    )
    .await?
    .ok_or(AppError::NotFound)?;
    check(actor, Action::Read, &resource_with(actor, &t, &followers))?;
    Ok((t, entries))
}
