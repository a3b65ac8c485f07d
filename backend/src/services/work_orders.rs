//! Work orders: created from a request or issues, sent to contractors, awarded, worked and
//! closed; and what site staff do to them from the field.

use proplink_shared::audit::AuditAction;
use proplink_shared::records::{
    CoverStatus, NewWorkOrder, RecordType, contractor_cover, reference,
};
use proplink_shared::states::{CloseReason, IssueStatus, TicketStatus, WorkOrderStatus};
use proplink_shared::{
    Action, Actor, Domain, IssueId, Principal, QuoteId, Resource, Scope, VendorId, WorkOrderId,
    WorkStep,
};
use serde_json::json;

use super::change::{Change, Event};
use super::files::photos::{self, CleanPhoto, SentPhoto};
use super::mail::{self, Outgoing};
use super::{PAGE_SIZE, check, today};
use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::store::query::{Page, PageAt};
use crate::store::work_orders::{
    self as store, Certificate, Note, Quote, WorkOrder, WorkOrderFilter, WorkOrderPlace,
};
use crate::store::{files, requests, vendors};

mod field;
pub(crate) mod office;
mod shared_with_contractor;

pub use field::{FieldUpdate, field_update_in, office_note};
pub use shared_with_contractor::{
    Download, certificate_file, quote_file, set_access, share_request_photos,
    unshared_request_photos,
};

/// Where the record sits, as `authorize` judges it: the one answer the lists and the pages share.
pub fn resource(actor: &Actor, w: &WorkOrder) -> Resource {
    let mut r = Resource::on_site(actor.org, Domain::WorkOrders, w.site_id).with_work_order(w.id);
    r.building = w.building_id;
    r.unit = w.unit_id;
    r
}

/// Creates a draft work order, converting `issues` into it.
pub async fn create(
    app: &App,
    actor: &Actor,
    place: WorkOrderPlace,
    issues: &[IssueId],
    new: &NewWorkOrder,
) -> AppResult<WorkOrderId> {
    let mut res = Resource::on_site(actor.org, Domain::WorkOrders, place.site);
    res.building = place.building;
    check(actor, Action::Create, &res)?;
    let id = WorkOrderId::new();
    let mut change = Change::begin(app, actor).await?;
    crate::store::places::site(&mut change, actor.org, place.site)
        .await?
        .ok_or(AppError::NotFound)?;
    if let Some(b) = place.building {
        super::places::building_on_site(&mut change, actor.org, place.site, b).await?;
    }
    if let Some(t) = place.ticket {
        let ticket = requests::ticket(&mut change, actor.org, t)
            .await?
            .ok_or(AppError::NotFound)?;
        check(
            actor,
            Action::Read,
            &super::tickets::resource(actor, &ticket),
        )?;
    }
    let now = change.now;
    let year = proplink_shared::london::local(now).year();
    let reference = reference(
        "WO",
        year,
        crate::store::next_number(&mut change, actor.org, "WO", year).await?,
    );
    if let Err(e) =
        store::insert_work_order(&mut change, actor.org, id, &reference, &place, new, now).await
    {
        return Err(if e.is_foreign_key_violation() {
            AppError::NotFound
        } else {
            e.into()
        });
    }
    for issue in issues {
        let i = requests::issue(&mut change, actor.org, *issue)
            .await?
            .ok_or(AppError::NotFound)?;
        check(actor, Action::Update, &super::issues::resource(actor, &i))?;
        if i.site_id != place.site {
            return Err(AppError::invalid(
                "issues",
                "An issue from another site cannot join this work order",
            ));
        }
        requests::link_issue_to_work_order(&mut change, actor.org, *issue, id).await?;
        if i.status.transition(IssueStatus::Assigned).is_ok() {
            requests::set_issue_status(
                &mut change,
                actor.org,
                *issue,
                i.status,
                IssueStatus::Assigned,
                None,
            )
            .await?;
        }
        change
            .record(Event::new(
                RecordType::Issue,
                issue,
                AuditAction::StatusChange,
                format!(
                    "converted issue \"{}\" into work order {reference}",
                    i.title
                ),
                json!({ "work_order": id.to_string() }),
            ))
            .await?;
    }
    change
        .record(Event::new(
            RecordType::WorkOrder,
            id,
            AuditAction::Create,
            format!("created work order {reference} \"{}\"", new.title),
            json!({ "reference": reference, "title": new.title, "scope": new.scope, "service_category": new.service_category.code(), "priority": new.priority.code(), "deadline": new.deadline.map(crate::store::date_text), "ticket": place.ticket.map(|t| t.to_string()) }),
        ))
        .await?;
    change.commit().await?;
    Ok(id)
}

/// Creates a work order from a request, taking in the issues logged against it that no work
/// order has taken yet and the actor may change.
pub async fn create_from_ticket(
    app: &App,
    actor: &Actor,
    ticket: proplink_shared::TicketId,
    new: &NewWorkOrder,
) -> AppResult<WorkOrderId> {
    let (t, _) = super::tickets::ticket(app, actor, ticket).await?;
    let issues: Vec<IssueId> = {
        let mut conn = app.db.read().await?;
        requests::unworked_issues_of_ticket(&mut conn, actor.org, ticket)
            .await?
            .into_iter()
            .filter(|i| i.site_id == t.site_id && !i.status.is_terminal())
            .filter(|i| {
                proplink_shared::authorize(
                    actor,
                    Action::Update,
                    &super::issues::resource(actor, i),
                )
                .is_ok()
            })
            .map(|i| i.id)
            .collect()
    };
    let place = WorkOrderPlace {
        site: t.site_id,
        building: None,
        unit: t.unit_id,
        ticket: Some(ticket),
    };
    create(app, actor, place, &issues, new).await
}

/// Creates a work order for one site issue.
pub async fn create_from_issue(
    app: &App,
    actor: &Actor,
    issue: IssueId,
    new: &NewWorkOrder,
) -> AppResult<WorkOrderId> {
    let (i, _) = super::issues::issue(app, actor, issue).await?;
    if i.work_order_id.is_some() || i.status.is_terminal() {
        return Err(AppError::conflict(
            "stale",
            format!(
                "Issue \"{}\" is {} and cannot join a new work order.",
                i.title,
                if i.work_order_id.is_some() {
                    "already in a work order"
                } else {
                    "closed"
                }
            ),
        ));
    }
    let place = WorkOrderPlace {
        site: i.site_id,
        building: i.building_id,
        unit: None,
        ticket: i.ticket_id,
    };
    create(app, actor, place, &[issue], new).await
}

/// The work order, checked for `action` by `actor`, inside a change.
pub(crate) async fn load_for(
    change: &mut Change<'_>,
    actor: &Actor,
    id: WorkOrderId,
    action: Action,
) -> AppResult<WorkOrder> {
    let w = store::work_order(change, actor.org, id)
        .await?
        .ok_or(AppError::NotFound)?;
    check(actor, action, &resource(actor, &w))?;
    Ok(w)
}

/// Loads a work order for a step a contractor takes, or staff take for them: a contractor
/// quotes while quotes are taken, and works only on work awarded to them while it is under
/// way (once complete, it is read-only to them).
pub(crate) async fn load_for_step(
    change: &mut Change<'_>,
    actor: &Actor,
    id: WorkOrderId,
    step: WorkStep,
) -> AppResult<WorkOrder> {
    let w = load_for(change, actor, id, actor.action_for(step)).await?;
    let Principal::Contractor { vendor, .. } = actor.principal else {
        return Ok(w);
    };
    if step.open_to(vendor, w.vendor_id, w.status) {
        return Ok(w);
    }
    let status = w.status.label().to_lowercase();
    Err(AppError::conflict(
        "stale",
        match step {
            WorkStep::Quote => format!(
                "Work order {} is {status} and no longer takes quotes.",
                w.reference
            ),
            _ if w.vendor_id != Some(vendor) => format!(
                "Work order {} has not been awarded to you, so there is nothing to report on it yet.",
                w.reference
            ),
            _ => format!(
                "Work order {} is {status}, so it can no longer be changed here. If more is needed, the office will send it back to you.",
                w.reference
            ),
        },
    ))
}

/// Moves a work order along its life cycle, refusing a move its state does not allow.
pub(crate) async fn move_to(
    change: &mut Change<'_>,
    actor: &Actor,
    w: &WorkOrder,
    to: WorkOrderStatus,
) -> AppResult<()> {
    w.status.transition(to).map_err(|e| {
        AppError::conflict(
            "stale",
            format!("{e}. It is now {}.", w.status.label().to_lowercase()),
        )
    })?;
    if !store::set_work_order_status(change, actor.org, w.id, w.status, to).await? {
        return Err(AppError::conflict(
            "stale",
            format!(
                "Work order {} was changed by someone else. Reload the page to see it.",
                w.reference
            ),
        ));
    }
    Ok(())
}

/// Invites a contractor to quote: emails them a ContractorPort link, and returns it (the demo
/// prints one to try; the admin app never shows it). Lapsed cover blocks the invitation.
pub async fn invite(
    app: &App,
    actor: &Actor,
    id: WorkOrderId,
    vendor: VendorId,
) -> AppResult<String> {
    let mut change = Change::begin(app, actor).await?;
    let link = invite_in(&mut change, actor, id, vendor).await?;
    change.commit().await?;
    Ok(link)
}

/// A contractor not on the list yet, as the office enters them to invite: their details and
/// the public liability cover nobody is invited without.
pub struct NewContractor<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub phone: &'a str,
    pub category: proplink_shared::records::ServiceCategory,
    pub cover: crate::store::vendors::Cover,
}

/// Adds a contractor with their cover and invites them, all or nothing.
pub async fn invite_new(
    app: &App,
    actor: &Actor,
    id: WorkOrderId,
    new: &NewContractor<'_>,
) -> AppResult<(VendorId, String)> {
    super::vendors::check_cover(&new.cover, today(app))?;
    let mut change = Change::begin(app, actor).await?;
    let vendor = super::vendors::add_vendor_in(
        &mut change,
        actor,
        new.name,
        new.email,
        new.phone,
        new.category,
    )
    .await?;
    super::vendors::add_cover_in(&mut change, actor, vendor, &new.cover).await?;
    let link = invite_in(&mut change, actor, id, vendor).await?;
    change.commit().await?;
    Ok((vendor, link))
}

async fn invite_in(
    change: &mut Change<'_>,
    actor: &Actor,
    id: WorkOrderId,
    vendor: VendorId,
) -> AppResult<String> {
    let app = change.app();
    let w = load_for(change, actor, id, Action::Update).await?;
    let v = vendors::vendor(change, actor.org, vendor)
        .await?
        .ok_or(AppError::NotFound)?;
    if contractor_cover(v.has_liability_cover, v.earliest_expiry, today(app)) == CoverStatus::Lapsed
    {
        return Err(AppError::conflict(
            "cover_lapsed",
            format!(
                "{}'s insurance has lapsed. Ask them for current cover before inviting them.",
                v.name
            ),
        ));
    }
    if !w.status.takes_invitations() {
        return Err(AppError::conflict(
            "stale",
            format!(
                "Work order {} is {} and cannot take new quotes.",
                w.reference,
                w.status.label().to_lowercase()
            ),
        ));
    }
    if w.status == WorkOrderStatus::Draft {
        move_to(change, actor, &w, WorkOrderStatus::SentForQuote).await?;
    }
    let invited_by = match actor.principal {
        Principal::Staff { user, .. } => Some(user),
        _ => None,
    };
    let (link, token) =
        super::contractor_links::issue_in(change, actor.org, id, vendor, invited_by).await?;
    let body = format!(
        "Hello {},\n\n{} invites you to quote for work order {}: {}.\n\n{}\n\n\
         See the work order and send your quote here, with no account or password:\n{link}\n\n\
         The link is for you alone. It opens once, on the device you open it with, and expires in {} days.\n",
        v.name, actor.display_name, w.reference, w.title, w.scope, app.config.contractor_link_days
    );
    mail::queue(
        change,
        Some(actor.org),
        Outgoing {
            to: &v.email,
            subject: &format!("Invitation to quote: {}", w.reference),
            body: &body,
            about: Some((RecordType::WorkOrder, id.to_string())),
            secret: Some(&token),
        },
    )
    .await?;
    change
        .record(Event::new(
            RecordType::WorkOrder,
            id,
            AuditAction::Send,
            format!("invited {} to quote for {}", v.name, w.reference),
            json!({ "vendor": vendor.to_string(), "email": v.email }),
        ))
        .await?;
    Ok(link)
}

/// Where a work order is, as its contractor needs it: the building and the site's address.
pub async fn contractor_address(app: &App, actor: &Actor, w: &WorkOrder) -> AppResult<String> {
    check(actor, Action::Read, &resource(actor, w))?;
    let mut conn = app.db.read().await?;
    let site = crate::store::places::site(&mut conn, actor.org, w.site_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let building = match w.building_id {
        Some(b) => crate::store::places::building(&mut conn, actor.org, b)
            .await?
            .map(|b| b.name),
        None => None,
    };
    Ok(place_line(building.as_deref(), &site.name, &site.address))
}

/// A building, its site and the site's address as one line, each name left out where the
/// address already says it ("Maple House, 2 Maple Gardens, Reading" needs no "Maple House").
fn place_line(building: Option<&str>, site: &str, address: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for name in building.into_iter().chain([site]) {
        if !address.contains(name) && !parts.contains(&name) {
            parts.push(name);
        }
    }
    parts.push(address);
    parts.join(", ")
}

/// Awards the work to one quote.
pub async fn award(app: &App, actor: &Actor, id: WorkOrderId, quote: QuoteId) -> AppResult<()> {
    let mut change = Change::begin(app, actor).await?;
    let w = load_for(&mut change, actor, id, Action::Approve).await?;
    let q = store::quotes(&mut change, actor.org, id)
        .await?
        .into_iter()
        .find(|q| q.id == quote)
        .ok_or(AppError::NotFound)?;
    if q.rejected {
        return Err(AppError::invalid(
            "quote",
            format!("{}'s quote was turned down; choose another", q.vendor_name),
        ));
    }
    move_to(&mut change, actor, &w, WorkOrderStatus::Approved).await?;
    let cost = q
        .net
        .checked_add(q.vat)
        .map_err(|e| AppError::invalid("quote", e.to_string()))?;
    store::mark_quote_awarded(&mut change, actor.org, quote).await?;
    store::set_work_order_vendor(&mut change, actor.org, id, q.vendor_id, Some(cost)).await?;
    // The other contractors' links end: the access notes, the photos and the work itself are
    // the winner's business now.
    let now = change.now;
    crate::store::contractor_links::end_links_but(
        &mut change,
        actor.org,
        id,
        q.vendor_id,
        "awarded_elsewhere",
        now,
    )
    .await?;
    change
        .record(Event::new(
            RecordType::WorkOrder,
            id,
            AuditAction::Approve,
            format!("awarded {} to {} for {cost}", w.reference, q.vendor_name),
            json!({ "quote": quote.to_string(), "vendor": q.vendor_id.to_string(), "cost": cost.pence() }),
        ))
        .await?;
    change.commit().await
}

/// What a contractor (or the office for them) says of the work: a note, and photos of it.
pub struct WorkReport<'a> {
    pub note: &'a str,
    pub photos: &'a [SentPhoto<'a>],
}

impl WorkReport<'_> {
    /// The note trimmed and the photos cleaned, or what is wrong with them.
    fn checked(&self, note_required: &str) -> AppResult<(String, Vec<CleanPhoto>)> {
        let note = self.note.trim();
        let mut errors = proplink_shared::records::ValidationErrors::default();
        if note.is_empty() {
            errors.add("note", note_required);
        } else if note.chars().count() > 10_000 {
            errors.add("note", "The note must be 10,000 characters or fewer");
        }
        let cleaned = photos::clean_all(self.photos).unwrap_or_else(|message| {
            errors.add("photos", message);
            Vec::new()
        });
        errors
            .into_result((note.to_owned(), cleaned))
            .map_err(AppError::Invalid)
    }
}

/// Progress from the contractor or the site: starting the work, or a note on the way, with
/// photos. The office is told.
pub async fn report_progress(
    app: &App,
    actor: &Actor,
    id: WorkOrderId,
    report: &WorkReport<'_>,
) -> AppResult<()> {
    let (note, cleaned) = report.checked("Say how the work is going")?;
    let mut change = Change::begin(app, actor).await?;
    let w = load_for_step(&mut change, actor, id, WorkStep::Progress).await?;
    if matches!(actor.principal, Principal::Contractor { .. }) {
        let sent = store::notes(&mut change, actor.org, id)
            .await?
            .iter()
            .filter(|n| {
                n.channel == proplink_shared::audit::Channel::ContractorPort
                    && n.author_name == actor.display_name
            })
            .count();
        if sent >= proplink_shared::records::MAX_UPDATES_PER_CONTRACTOR {
            return Err(AppError::conflict(
                "too_many",
                format!(
                    "You have sent {sent} updates on {}: call the office, or mark the work complete.",
                    w.reference
                ),
            ));
        }
    }
    match w.status {
        WorkOrderStatus::Approved => {
            move_to(&mut change, actor, &w, WorkOrderStatus::InProgress).await?
        }
        WorkOrderStatus::InProgress => {}
        other => {
            return Err(AppError::conflict(
                "stale",
                format!(
                    "Work order {} is {}; progress can be reported once it is approved.",
                    w.reference,
                    other.label().to_lowercase()
                ),
            ));
        }
    }
    let shas = note_with_photos(&mut change, actor, &w, &note, cleaned).await?;
    change
        .record(Event::new(
            RecordType::WorkOrder,
            id,
            AuditAction::StatusChange,
            format!("reported progress on {}: {note}", w.reference),
            json!({ "note": note, "photos": shas }),
        ))
        .await?;
    office::tell_office(&mut change, actor, &w, "reported progress", &note).await?;
    change.commit().await
}

/// The work is done, said with a note and photos; the manager reviews it next. Work not yet
/// started is started and finished in one step: a small job is often both.
pub async fn mark_complete(
    app: &App,
    actor: &Actor,
    id: WorkOrderId,
    report: &WorkReport<'_>,
) -> AppResult<()> {
    let (note, cleaned) = report.checked("Say what was done")?;
    let mut change = Change::begin(app, actor).await?;
    let mut w = load_for_step(&mut change, actor, id, WorkStep::Complete).await?;
    let from = w.status;
    if w.status == WorkOrderStatus::Approved {
        move_to(&mut change, actor, &w, WorkOrderStatus::InProgress).await?;
        w.status = WorkOrderStatus::InProgress;
    }
    move_to(&mut change, actor, &w, WorkOrderStatus::Completed).await?;
    let shas = note_with_photos(&mut change, actor, &w, &note, cleaned).await?;
    change
        .record(Event::new(
            RecordType::WorkOrder,
            id,
            AuditAction::StatusChange,
            format!("marked {} complete: {note}", w.reference),
            json!({ "from": from.code(), "to": WorkOrderStatus::Completed.code(), "note": note, "photos": shas }),
        ))
        .await?;
    office::tell_office(
        &mut change,
        actor,
        &w,
        "marked the work complete",
        &format!("{note}\n\nReview the work and close the work order, or send it back."),
    )
    .await?;
    change.commit().await
}

/// Adds a note and photos to a work order inside a change; returns the photos' hashes.
async fn note_with_photos(
    change: &mut Change<'_>,
    actor: &Actor,
    w: &WorkOrder,
    note: &str,
    cleaned: Vec<CleanPhoto>,
) -> AppResult<Vec<String>> {
    let now = change.now;
    store::insert_note(
        change,
        actor.org,
        w.id,
        &actor.display_name,
        actor.channel,
        note,
        now,
    )
    .await?;
    crate::services::files::keep_photos_on(
        change,
        RecordType::WorkOrder,
        &w.id.to_string(),
        cleaned,
    )
    .await
}

/// Closes a completed work order (or cancels an open one). Closing resolves its issues and
/// its request.
pub async fn close(app: &App, actor: &Actor, id: WorkOrderId, cancel: bool) -> AppResult<()> {
    let mut change = Change::begin(app, actor).await?;
    let w = load_for(&mut change, actor, id, Action::Update).await?;
    let to = if cancel {
        WorkOrderStatus::Cancelled
    } else {
        WorkOrderStatus::Closed
    };
    move_to(&mut change, actor, &w, to).await?;
    // Its contractors' links open no more.
    let now = change.now;
    crate::store::contractor_links::end_links(&mut change, actor.org, id, None, "closed", now)
        .await?;
    if !cancel {
        for i in requests::issues_of_work_order(&mut change, actor.org, id).await? {
            if i.status.transition(IssueStatus::Resolved).is_ok() {
                requests::set_issue_status(
                    &mut change,
                    actor.org,
                    i.id,
                    i.status,
                    IssueStatus::Resolved,
                    None,
                )
                .await?;
                change
                    .record(Event::new(
                        RecordType::Issue,
                        i.id,
                        AuditAction::StatusChange,
                        format!("resolved issue \"{}\" by closing {}", i.title, w.reference),
                        json!({ "work_order": id.to_string() }),
                    ))
                    .await?;
            }
        }
        if let Some(ticket) = w.ticket_id {
            let t = requests::ticket(&mut change, actor.org, ticket)
                .await?
                .ok_or(AppError::NotFound)?;
            if t.status.transition(TicketStatus::Closed).is_ok() {
                let now = change.now;
                requests::set_ticket_status(
                    &mut change,
                    actor.org,
                    ticket,
                    t.version,
                    TicketStatus::Closed,
                    Some((now, CloseReason::Resolved)),
                )
                .await?;
                change
                    .record(Event::new(
                        RecordType::Ticket,
                        ticket,
                        AuditAction::StatusChange,
                        format!("resolved {} by closing {}", t.reference, w.reference),
                        json!({ "work_order": id.to_string() }),
                    ))
                    .await?;
            }
        }
    }
    change
        .record(Event::new(
            RecordType::WorkOrder,
            id,
            AuditAction::StatusChange,
            format!(
                "{} {}",
                if cancel { "cancelled" } else { "closed" },
                w.reference
            ),
            json!({ "from": w.status.code(), "to": to.code() }),
        ))
        .await?;
    change.commit().await
}

pub async fn work_orders(
    app: &App,
    actor: &Actor,
    filter: &WorkOrderFilter,
    at: &PageAt,
) -> AppResult<Page<WorkOrder>> {
    let scope = Scope::of(actor, Domain::WorkOrders);
    super::remember(
        app,
        &scope,
        format!("work orders {filter:?} {at:?}"),
        || async {
            let mut conn = app.db.read().await?;
            Ok(store::work_orders(&mut conn, &scope, filter, at, PAGE_SIZE).await?)
        },
    )
    .await
}

/// How many work orders match a filter.
pub async fn count(app: &App, actor: &Actor, filter: &WorkOrderFilter) -> AppResult<i64> {
    let scope = Scope::of(actor, Domain::WorkOrders);
    super::remember(
        app,
        &scope,
        format!("work order count {filter:?}"),
        || async {
            let mut conn = app.db.read().await?;
            Ok(store::count_work_orders(&mut conn, &scope, filter).await?)
        },
    )
    .await
}

#[derive(Clone)]
pub struct WorkOrderView {
    pub work_order: WorkOrder,
    pub quotes: Vec<Quote>,
    pub certificates: Vec<Certificate>,
    /// Notes from the field, oldest first.
    pub notes: Vec<Note>,
    /// Photos by SHA-256.
    pub photos: Vec<String>,
}

pub async fn work_order(app: &App, actor: &Actor, id: WorkOrderId) -> AppResult<WorkOrderView> {
    let view = super::remember_in(app, actor.org, format!("work order {id}"), || async {
        let mut conn = app.db.read().await?;
        let Some(w) = store::work_order(&mut conn, actor.org, id).await? else {
            return Ok(None);
        };
        let quotes = store::quotes(&mut conn, actor.org, id).await?;
        let certificates = store::certificates(&mut conn, actor.org, id).await?;
        let notes = store::notes(&mut conn, actor.org, id).await?;
        let photos =
            files::files_of(&mut conn, actor.org, RecordType::WorkOrder, &id.to_string()).await?;
        Ok(Some(WorkOrderView {
            work_order: w,
            quotes,
            certificates,
            notes,
            photos,
        }))
    })
    .await?
    .ok_or(AppError::NotFound)?;
    check(actor, Action::Read, &resource(actor, &view.work_order))?;
    Ok(view)
}

#[cfg(test)]
mod tests {
    use super::place_line;

    #[test]
    fn a_place_names_each_thing_once() {
        assert_eq!(
            place_line(
                Some("Maple House"),
                "Maple Gardens",
                "Maple House, 2 Maple Gardens, Reading RG1 3BE"
            ),
            "Maple House, 2 Maple Gardens, Reading RG1 3BE"
        );
        assert_eq!(
            place_line(Some("Alpha Court"), "Alpha", "1 High Street, London"),
            "Alpha Court, Alpha, 1 High Street, London"
        );
        assert_eq!(
            place_line(None, "Harbour Point", "1 Quay Road, Bristol"),
            "Harbour Point, 1 Quay Road, Bristol"
        );
    }
}
