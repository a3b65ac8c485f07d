//! Contractors and their cover, work orders with quotes and certificates, notices and
//! documents.

use proplink_shared::audit::AuditAction;
use proplink_shared::authz::Audience;
use proplink_shared::money::Money;
use proplink_shared::records::{
    CertificateKind, CoverStatus, NewNotice, NewWorkOrder, QuoteKind, ServiceCategory, VatRate,
    cover_status, reference, validate_document, validate_email,
};
use proplink_shared::states::{CloseReason, IssueStatus, TicketStatus, WorkOrderStatus};
use proplink_shared::{
    Action, Actor, BuildingId, CertificateId, DocumentId, Domain, IssueId, NoticeId, QuoteId,
    Resource, SiteId, TicketId, UnitId, VendorId, WorkOrderId,
};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::audit::{self, Event, Who};
use super::{check, date_text, parse_date, readable, today};
use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::store::requests;
use crate::store::works::{
    self as store, CertificateRow, CoverRow, DocumentRow, NoticeRow, QuoteRow, VendorRow,
    WorkOrderRow,
};

pub(crate) fn resource(actor: &Actor, w: &WorkOrderRow) -> Resource {
    let mut r = Resource::on_site(actor.org, Domain::WorkOrders, w.site_id).with_work_order(w.id);
    r.building = w.building_id;
    r.unit = w.unit_id;
    r
}

pub async fn add_vendor(
    app: &App,
    actor: &Actor,
    name: &str,
    email: &str,
    phone: &str,
    category: ServiceCategory,
) -> AppResult<VendorId> {
    check(
        actor,
        Action::Create,
        &Resource::org_wide(actor.org, Domain::Vendors),
    )?;
    let email = validate_email(email)?;
    let mut errors = proplink_shared::records::ValidationErrors::default();
    let name = proplink_shared::records::required_text(
        &mut errors,
        "name",
        "the contractor's name",
        name,
        120,
    );
    errors.into_result(())?;
    let now = app.clock.now();
    let row = VendorRow {
        id: VendorId::new(),
        name,
        email,
        phone: phone.trim().to_owned(),
        service_category: category,
    };
    let mut tx = app.db.write().await?;
    store::insert_vendor(&mut tx, actor.org, &row, crate::clock::to_micros(now)).await?;
    let event = Event {
        record_type: "vendor",
        record_id: row.id.to_string(),
        action: AuditAction::Create,
        what: format!("added contractor {} ({})", row.name, category.label()),
        detail: json!({ "name": row.name, "email": row.email, "phone": row.phone, "service_category": category.code() }),
    };
    audit::record(&mut tx, actor.org, &Who::of(actor), event, now).await?;
    tx.commit().await?;
    Ok(row.id)
}

/// Files a contractor's insurance or trade certificate.
pub async fn add_cover(
    app: &App,
    actor: &Actor,
    vendor: VendorId,
    cover: &CoverRow,
) -> AppResult<()> {
    check(
        actor,
        Action::Update,
        &Resource::org_wide(actor.org, Domain::Vendors),
    )?;
    if parse_date(&cover.expires_on).is_none() {
        return Err(AppError::Invalid(
            proplink_shared::records::ValidationErrors::single(
                "expires_on",
                "Enter the expiry date",
            ),
        ));
    }
    let now = app.clock.now();
    let mut tx = app.db.write().await?;
    let v = store::vendor(&mut tx, actor.org, vendor)
        .await?
        .ok_or(AppError::NotFound)?;
    store::insert_cover(&mut tx, actor.org, vendor, cover).await?;
    let event = Event {
        record_type: "vendor",
        record_id: vendor.to_string(),
        action: AuditAction::Upload,
        what: format!(
            "filed {} for {} (expires {})",
            cover.kind.label(),
            v.name,
            cover.expires_on
        ),
        detail: json!({ "kind": cover.kind.code(), "provider": cover.provider, "policy_number": cover.policy_number, "sum_insured": cover.sum_insured.map(Money::pence), "expires_on": cover.expires_on }),
    };
    audit::record(&mut tx, actor.org, &Who::of(actor), event, now).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn vendors(app: &App, actor: &Actor) -> AppResult<Vec<(VendorRow, CoverStatus)>> {
    check(
        actor,
        Action::Read,
        &Resource::org_wide(actor.org, Domain::Vendors),
    )?;
    let mut conn = app.db.read().await?;
    let today = today(app);
    let mut out = Vec::new();
    for v in store::vendors(&mut conn, actor.org).await? {
        let cover = store::cover(&mut conn, actor.org, v.id).await?;
        out.push((v, worst_cover(&cover, today)));
    }
    Ok(out)
}

pub async fn vendor(
    app: &App,
    actor: &Actor,
    id: VendorId,
) -> AppResult<(VendorRow, Vec<CoverRow>)> {
    check(
        actor,
        Action::Read,
        &Resource::org_wide(actor.org, Domain::Vendors),
    )?;
    let mut conn = app.db.read().await?;
    let v = store::vendor(&mut conn, actor.org, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let cover = store::cover(&mut conn, actor.org, id).await?;
    Ok((v, cover))
}

/// The worst state of a contractor's cover: lapsed public liability blocks dispatch.
#[must_use]
pub fn worst_cover(cover: &[CoverRow], today: time::Date) -> CoverStatus {
    let liability: Vec<_> = cover
        .iter()
        .filter(|c| c.kind == CertificateKind::PublicLiability)
        .collect();
    if liability.is_empty() {
        return CoverStatus::Lapsed;
    }
    let statuses: Vec<_> = cover
        .iter()
        .filter_map(|c| parse_date(&c.expires_on))
        .map(|d| cover_status(d, today))
        .collect();
    if statuses.contains(&CoverStatus::Lapsed) {
        CoverStatus::Lapsed
    } else if statuses.contains(&CoverStatus::ExpiringSoon) {
        CoverStatus::ExpiringSoon
    } else {
        CoverStatus::Valid
    }
}

/// Where a work order is, and what it came from.
pub struct WorkOrderOrigin {
    pub site: SiteId,
    pub building: Option<BuildingId>,
    pub unit: Option<UnitId>,
    pub ticket: Option<TicketId>,
    pub issues: Vec<IssueId>,
}

pub async fn create_work_order(
    app: &App,
    actor: &Actor,
    origin: WorkOrderOrigin,
    new: &NewWorkOrder,
) -> AppResult<WorkOrderId> {
    let mut res = Resource::on_site(actor.org, Domain::WorkOrders, origin.site);
    res.building = origin.building;
    check(actor, Action::Create, &res)?;
    let now = app.clock.now();
    let mut tx = app.db.write().await?;
    let site = crate::store::places::site(&mut tx, actor.org, origin.site)
        .await?
        .ok_or(AppError::NotFound)?;
    let year = proplink_shared::london::local(now).year();
    let row = WorkOrderRow {
        id: WorkOrderId::new(),
        reference: reference(
            "WO",
            year,
            crate::store::next_number(&mut tx, actor.org, "WO", year).await?,
        ),
        site_id: origin.site,
        site_name: site.name,
        building_id: origin.building,
        unit_id: origin.unit,
        ticket_id: origin.ticket,
        title: new.title.clone(),
        scope: new.scope.clone(),
        service_category: new.service_category,
        priority: new.priority,
        deadline: new.deadline.map(date_text),
        status: WorkOrderStatus::Draft,
        vendor_id: None,
        vendor_name: None,
        approved_cost: None,
        created_at: crate::clock::to_micros(now),
    };
    store::insert_work_order(&mut tx, actor.org, &row).await?;
    for issue in &origin.issues {
        let i = requests::issue(&mut tx, actor.org, *issue)
            .await?
            .ok_or(AppError::NotFound)?;
        if i.site_id != origin.site {
            return Err(AppError::BadRequest(
                "An issue from another site cannot join this work order".into(),
            ));
        }
        requests::link_issue_to_work_order(&mut tx, actor.org, *issue, row.id).await?;
        if i.status.transition(IssueStatus::Assigned).is_ok() {
            requests::set_issue_status(
                &mut tx,
                actor.org,
                *issue,
                i.status,
                IssueStatus::Assigned,
                None,
            )
            .await?;
        }
        let event = Event {
            record_type: "issue",
            record_id: issue.to_string(),
            action: AuditAction::StatusChange,
            what: format!(
                "converted issue \"{}\" into work order {}",
                i.title, row.reference
            ),
            detail: json!({ "work_order": row.id.to_string() }),
        };
        audit::record(&mut tx, actor.org, &Who::of(actor), event, now).await?;
    }
    let event = Event {
        record_type: "work_order",
        record_id: row.id.to_string(),
        action: AuditAction::Create,
        what: format!("created work order {} \"{}\"", row.reference, row.title),
        detail: json!({ "reference": row.reference, "title": row.title, "scope": row.scope, "service_category": row.service_category.code(), "priority": row.priority.code(), "deadline": row.deadline, "ticket": origin.ticket.map(|t| t.to_string()) }),
    };
    audit::record(&mut tx, actor.org, &Who::of(actor), event, now).await?;
    tx.commit().await?;
    Ok(row.id)
}

pub(crate) async fn load_for_change(
    tx: &mut sqlx::AnyConnection,
    actor: &Actor,
    id: WorkOrderId,
    action: Action,
) -> AppResult<WorkOrderRow> {
    let w = store::work_order(tx, actor.org, id)
        .await?
        .ok_or(AppError::NotFound)?;
    check(actor, action, &resource(actor, &w))?;
    Ok(w)
}

pub(crate) async fn move_to(
    tx: &mut sqlx::AnyConnection,
    actor: &Actor,
    w: &WorkOrderRow,
    to: WorkOrderStatus,
) -> AppResult<()> {
    w.status.transition(to).map_err(|e| {
        AppError::Conflict(format!(
            "{e}. It is now {}.",
            w.status.label().to_lowercase()
        ))
    })?;
    if !store::set_work_order_status(tx, actor.org, w.id, w.status, to).await? {
        return Err(AppError::Conflict(format!(
            "Work order {} was changed by someone else. Reload the page to see it.",
            w.reference
        )));
    }
    Ok(())
}

/// Invites a contractor to quote. Lapsed cover blocks the invitation.
pub async fn invite(app: &App, actor: &Actor, id: WorkOrderId, vendor: VendorId) -> AppResult<()> {
    let now = app.clock.now();
    let mut tx = app.db.write().await?;
    let w = load_for_change(&mut tx, actor, id, Action::Update).await?;
    let v = store::vendor(&mut tx, actor.org, vendor)
        .await?
        .ok_or(AppError::NotFound)?;
    let cover = store::cover(&mut tx, actor.org, vendor).await?;
    if worst_cover(&cover, today(app)) == CoverStatus::Lapsed {
        return Err(AppError::Conflict(format!(
            "{}'s insurance has lapsed. Ask them for current cover before inviting them.",
            v.name
        )));
    }
    if w.status == WorkOrderStatus::Draft {
        move_to(&mut tx, actor, &w, WorkOrderStatus::SentForQuote).await?;
    } else if w.status != WorkOrderStatus::SentForQuote && w.status != WorkOrderStatus::Quoted {
        return Err(AppError::Conflict(format!(
            "Work order {} is {} and cannot take new quotes.",
            w.reference,
            w.status.label().to_lowercase()
        )));
    }
    let body = format!(
        "Hello {},\n\n{} invites you to quote for work order {}: {}.\n\n{}\n",
        v.name, actor.display_name, w.reference, w.title, w.scope
    );
    super::mail::queue(
        &mut tx,
        app,
        Some(actor.org),
        &v.email,
        &format!("Invitation to quote: {}", w.reference),
        &body,
        Some(("work_order", id.to_string())),
    )
    .await?;
    let event = Event {
        record_type: "work_order",
        record_id: id.to_string(),
        action: AuditAction::Send,
        what: format!("invited {} to quote for {}", v.name, w.reference),
        detail: json!({ "vendor": vendor.to_string(), "email": v.email }),
    };
    audit::record(&mut tx, actor.org, &Who::of(actor), event, now).await?;
    tx.commit().await?;
    app.mail_wakeup.notify_one();
    Ok(())
}

/// A contractor's quotation: fixed price or day-rate estimate, before VAT.
pub struct NewQuote<'a> {
    pub vendor: VendorId,
    pub kind: QuoteKind,
    pub net: Money,
    pub vat_rate: VatRate,
    pub notes: &'a str,
}

pub async fn submit_quote(
    app: &App,
    actor: &Actor,
    id: WorkOrderId,
    quote: &NewQuote<'_>,
) -> AppResult<QuoteId> {
    let NewQuote {
        vendor,
        kind,
        net,
        vat_rate,
        notes,
    } = *quote;
    if net.pence() <= 0 {
        return Err(AppError::Invalid(
            proplink_shared::records::ValidationErrors::single(
                "net",
                "The quote must be more than £0.00",
            ),
        ));
    }
    let vat = net
        .vat_at(vat_rate.basis_points())
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    let now = app.clock.now();
    let mut tx = app.db.write().await?;
    let w = load_for_change(&mut tx, actor, id, Action::SubmitQuote).await?;
    let v = store::vendor(&mut tx, actor.org, vendor)
        .await?
        .ok_or(AppError::NotFound)?;
    match w.status {
        WorkOrderStatus::SentForQuote => {
            move_to(&mut tx, actor, &w, WorkOrderStatus::Quoted).await?
        }
        WorkOrderStatus::Quoted => {}
        other => {
            return Err(AppError::Conflict(format!(
                "Work order {} is {} and no longer takes quotes.",
                w.reference,
                other.label().to_lowercase()
            )));
        }
    }
    let q = QuoteRow {
        id: QuoteId::new(),
        vendor_id: vendor,
        vendor_name: v.name.clone(),
        kind,
        net,
        vat,
        notes: notes.trim().to_owned(),
        awarded: 0,
        submitted_at: crate::clock::to_micros(now),
    };
    store::insert_quote(&mut tx, actor.org, id, &q, actor.channel.code()).await?;
    let event = Event {
        record_type: "work_order",
        record_id: id.to_string(),
        action: AuditAction::Create,
        what: format!(
            "quoted {net} + VAT ({}) for {}",
            kind.label().to_lowercase(),
            w.reference
        ),
        detail: json!({ "quote": q.id.to_string(), "vendor": vendor.to_string(), "kind": kind.code(), "net": net.pence(), "vat": vat.pence(), "notes": q.notes }),
    };
    audit::record(&mut tx, actor.org, &Who::of(actor), event, now).await?;
    tx.commit().await?;
    Ok(q.id)
}

/// Awards the work to one quote.
pub async fn award(app: &App, actor: &Actor, id: WorkOrderId, quote: QuoteId) -> AppResult<()> {
    let now = app.clock.now();
    let mut tx = app.db.write().await?;
    let w = load_for_change(&mut tx, actor, id, Action::Approve).await?;
    let q = store::quotes(&mut tx, actor.org, id)
        .await?
        .into_iter()
        .find(|q| q.id == quote)
        .ok_or(AppError::NotFound)?;
    move_to(&mut tx, actor, &w, WorkOrderStatus::Approved).await?;
    let cost = q
        .net
        .checked_add(q.vat)
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    store::mark_quote_awarded(&mut tx, actor.org, quote).await?;
    store::set_work_order_vendor(&mut tx, actor.org, id, q.vendor_id, Some(cost)).await?;
    let event = Event {
        record_type: "work_order",
        record_id: id.to_string(),
        action: AuditAction::Approve,
        what: format!("awarded {} to {} for {}", w.reference, q.vendor_name, cost),
        detail: json!({ "quote": quote.to_string(), "vendor": q.vendor_id.to_string(), "cost": cost.pence() }),
    };
    audit::record(&mut tx, actor.org, &Who::of(actor), event, now).await?;
    tx.commit().await?;
    Ok(())
}

fn is_contractor(actor: &Actor) -> bool {
    matches!(
        actor.principal,
        proplink_shared::Principal::Contractor { .. }
    )
}

/// Contractors report progress; staff update the work order.
fn progress_action(actor: &Actor) -> Action {
    if is_contractor(actor) {
        Action::ReportProgress
    } else {
        Action::Update
    }
}

/// Progress from the contractor or the site: starting the work, or a note on the way.
pub async fn report_progress(
    app: &App,
    actor: &Actor,
    id: WorkOrderId,
    note: &str,
) -> AppResult<()> {
    let now = app.clock.now();
    let mut tx = app.db.write().await?;
    let w = load_for_change(&mut tx, actor, id, progress_action(actor)).await?;
    if w.status == WorkOrderStatus::Approved {
        move_to(&mut tx, actor, &w, WorkOrderStatus::InProgress).await?;
    } else if w.status != WorkOrderStatus::InProgress {
        return Err(AppError::Conflict(format!(
            "Work order {} is {}; progress can be reported once it is approved.",
            w.reference,
            w.status.label().to_lowercase()
        )));
    }
    let event = Event {
        record_type: "work_order",
        record_id: id.to_string(),
        action: AuditAction::StatusChange,
        what: format!("reported progress on {}: {}", w.reference, note.trim()),
        detail: json!({ "note": note.trim() }),
    };
    audit::record(&mut tx, actor.org, &Who::of(actor), event, now).await?;
    tx.commit().await?;
    Ok(())
}

/// The contractor marks the work complete; the manager reviews it next.
pub async fn mark_complete(app: &App, actor: &Actor, id: WorkOrderId) -> AppResult<()> {
    let now = app.clock.now();
    let mut tx = app.db.write().await?;
    let w = load_for_change(
        &mut tx,
        actor,
        id,
        if is_contractor(actor) {
            Action::MarkComplete
        } else {
            Action::Update
        },
    )
    .await?;
    move_to(&mut tx, actor, &w, WorkOrderStatus::Completed).await?;
    let event = Event {
        record_type: "work_order",
        record_id: id.to_string(),
        action: AuditAction::StatusChange,
        what: format!("marked {} complete", w.reference),
        detail: json!({ "from": w.status.code(), "to": "completed" }),
    };
    audit::record(&mut tx, actor.org, &Who::of(actor), event, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Closes a completed work order (or cancels an open one). Closing resolves its issues and
/// its request.
pub async fn close(app: &App, actor: &Actor, id: WorkOrderId, cancel: bool) -> AppResult<()> {
    let now = app.clock.now();
    let mut tx = app.db.write().await?;
    let w = load_for_change(&mut tx, actor, id, Action::Update).await?;
    let to = if cancel {
        WorkOrderStatus::Cancelled
    } else {
        WorkOrderStatus::Closed
    };
    move_to(&mut tx, actor, &w, to).await?;
    let who = Who::of(actor);
    if !cancel {
        for i in requests::issues_of_work_order(&mut tx, actor.org, id).await? {
            if i.status.transition(IssueStatus::Resolved).is_ok() {
                requests::set_issue_status(
                    &mut tx,
                    actor.org,
                    i.id,
                    i.status,
                    IssueStatus::Resolved,
                    None,
                )
                .await?;
                let event = Event {
                    record_type: "issue",
                    record_id: i.id.to_string(),
                    action: AuditAction::StatusChange,
                    what: format!("resolved issue \"{}\" by closing {}", i.title, w.reference),
                    detail: json!({ "work_order": id.to_string() }),
                };
                audit::record(&mut tx, actor.org, &who, event, now).await?;
            }
        }
        if let Some(ticket) = w.ticket_id {
            let t = requests::ticket(&mut tx, actor.org, ticket)
                .await?
                .ok_or(AppError::NotFound)?;
            if t.status.transition(TicketStatus::Closed).is_ok() {
                requests::set_ticket_status(
                    &mut tx,
                    actor.org,
                    ticket,
                    t.status,
                    TicketStatus::Closed,
                    Some((crate::clock::to_micros(now), CloseReason::Resolved)),
                )
                .await?;
                let event = Event {
                    record_type: "ticket",
                    record_id: ticket.to_string(),
                    action: AuditAction::StatusChange,
                    what: format!("resolved {} by closing {}", t.reference, w.reference),
                    detail: json!({ "work_order": id.to_string() }),
                };
                audit::record(&mut tx, actor.org, &who, event, now).await?;
            }
        }
    }
    let event = Event {
        record_type: "work_order",
        record_id: id.to_string(),
        action: AuditAction::StatusChange,
        what: format!(
            "{} {}",
            if cancel { "cancelled" } else { "closed" },
            w.reference
        ),
        detail: json!({ "from": w.status.code(), "to": to.code() }),
    };
    audit::record(&mut tx, actor.org, &who, event, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Files a certificate against a work order (and so its site).
/// A certificate filed against a work order.
pub struct NewCertificate<'a> {
    pub kind: CertificateKind,
    /// Who issued it: the contractor, or a certification body.
    pub body: &'a str,
    pub registration: &'a str,
    pub issued_on: time::Date,
    pub expires_on: Option<time::Date>,
}

pub async fn add_certificate(
    app: &App,
    actor: &Actor,
    id: WorkOrderId,
    cert: &NewCertificate<'_>,
) -> AppResult<CertificateId> {
    let NewCertificate {
        kind,
        body,
        registration,
        issued_on,
        expires_on,
    } = *cert;
    let now = app.clock.now();
    let mut tx = app.db.write().await?;
    let w = load_for_change(
        &mut tx,
        actor,
        id,
        if is_contractor(actor) {
            Action::UploadCertificate
        } else {
            Action::Update
        },
    )
    .await?;
    if expires_on.is_some_and(|e| e <= issued_on) {
        return Err(AppError::Invalid(
            proplink_shared::records::ValidationErrors::single(
                "expires_on",
                "The certificate must expire after it was issued",
            ),
        ));
    }
    let vendor = match &actor.principal {
        proplink_shared::Principal::Contractor { vendor, .. } => Some(*vendor),
        _ => w.vendor_id,
    };
    let c = CertificateRow {
        id: CertificateId::new(),
        work_order_id: Some(id),
        site_id: w.site_id,
        vendor_id: vendor,
        kind,
        body: body.trim().to_owned(),
        registration_number: registration.trim().to_owned(),
        issued_on: date_text(issued_on),
        expires_on: expires_on.map(date_text),
    };
    store::insert_certificate(&mut tx, actor.org, &c, crate::clock::to_micros(now)).await?;
    let event = Event {
        record_type: "work_order",
        record_id: id.to_string(),
        action: AuditAction::Upload,
        what: format!("uploaded a {} certificate to {}", kind.label(), w.reference),
        detail: json!({ "certificate": c.id.to_string(), "kind": kind.code(), "body": c.body, "registration_number": c.registration_number, "issued_on": c.issued_on, "expires_on": c.expires_on }),
    };
    audit::record(&mut tx, actor.org, &Who::of(actor), event, now).await?;
    tx.commit().await?;
    Ok(c.id)
}

pub async fn work_orders(app: &App, actor: &Actor, limit: i64) -> AppResult<Vec<WorkOrderRow>> {
    let mut conn = app.db.read().await?;
    let rows = store::work_orders(&mut conn, actor.org, limit).await?;
    Ok(readable(actor, rows, |w| resource(actor, w)))
}

pub struct WorkOrderView {
    pub work_order: WorkOrderRow,
    pub quotes: Vec<QuoteRow>,
    pub certificates: Vec<CertificateRow>,
    /// Notes from the field, oldest first.
    pub notes: Vec<crate::store::sync::NoteRow>,
    /// Photos by SHA-256.
    pub photos: Vec<String>,
}

pub async fn work_order(app: &App, actor: &Actor, id: WorkOrderId) -> AppResult<WorkOrderView> {
    let mut conn = app.db.read().await?;
    let w = store::work_order(&mut conn, actor.org, id)
        .await?
        .ok_or(AppError::NotFound)?;
    check(actor, Action::Read, &resource(actor, &w))?;
    let quotes = store::quotes(&mut conn, actor.org, id).await?;
    let certificates = store::certificates(&mut conn, actor.org, id).await?;
    let notes = crate::store::sync::work_order_notes(&mut conn, actor.org, id).await?;
    let photos =
        crate::store::sync::files_of(&mut conn, actor.org, "work_order", &id.to_string()).await?;
    Ok(WorkOrderView {
        work_order: w,
        quotes,
        certificates,
        notes,
        photos,
    })
}

pub async fn publish_notice(
    app: &App,
    actor: &Actor,
    site: Option<SiteId>,
    new: &NewNotice,
) -> AppResult<NoticeId> {
    let mut res = Resource::org_wide(actor.org, Domain::Notices);
    res.site = site;
    check(actor, Action::Create, &res)?;
    let now = app.clock.now();
    let row = NoticeRow {
        id: NoticeId::new(),
        site_id: site,
        title: new.title.clone(),
        body: new.body.clone(),
        publish_on: date_text(new.publish_on),
        expires_on: new.expires_on.map(date_text),
        urgent: i64::from(new.urgent),
    };
    let mut tx = app.db.write().await?;
    store::insert_notice(&mut tx, actor.org, &row, crate::clock::to_micros(now)).await?;
    let event = Event {
        record_type: "notice",
        record_id: row.id.to_string(),
        action: AuditAction::Create,
        what: format!(
            "published {}notice \"{}\"",
            if new.urgent { "urgent " } else { "" },
            row.title
        ),
        detail: json!({ "title": row.title, "body": row.body, "publish_on": row.publish_on, "expires_on": row.expires_on, "urgent": new.urgent, "site": site.map(|s| s.to_string()) }),
    };
    audit::record(&mut tx, actor.org, &Who::of(actor), event, now).await?;
    tx.commit().await?;
    Ok(row.id)
}

pub async fn notices(app: &App, actor: &Actor) -> AppResult<Vec<NoticeRow>> {
    let mut conn = app.db.read().await?;
    let rows = store::notices(&mut conn, actor.org).await?;
    Ok(readable(actor, rows, |n| {
        let mut r = Resource::org_wide(actor.org, Domain::Notices);
        r.site = n.site_id;
        r
    }))
}

/// What a new document is attached to and who may open it.
pub struct DocumentPlace<'a> {
    pub site: Option<SiteId>,
    pub record_type: &'a str,
    pub record_id: String,
    pub folder: &'a str,
    pub audience: Audience,
}

/// Stores a file (content-addressed) and files it on its record.
pub async fn add_document(
    app: &App,
    actor: &Actor,
    place: DocumentPlace<'_>,
    title: &str,
    filename: &str,
    content_type: &str,
    content: &[u8],
) -> AppResult<DocumentId> {
    const MAX_BYTES: usize = 25 * 1024 * 1024;
    let mut res = Resource::org_wide(actor.org, Domain::Documents).with_audience(place.audience);
    res.site = place.site;
    check(actor, Action::Create, &res)?;
    let (title, filename) = validate_document(title, filename)?;
    if content.len() > MAX_BYTES {
        return Err(AppError::Invalid(
            proplink_shared::records::ValidationErrors::single(
                "file",
                "The file must be smaller than 25 MB",
            ),
        ));
    }
    let now = app.clock.now();
    let sha256 = hex::encode(Sha256::digest(content));
    let row = DocumentRow {
        id: DocumentId::new(),
        site_id: place.site,
        record_type: place.record_type.to_owned(),
        record_id: place.record_id,
        folder: place.folder.to_owned(),
        audience: place.audience,
        title,
        filename,
        content_type: content_type.to_owned(),
        size_bytes: i64::try_from(content.len()).unwrap_or(i64::MAX),
        sha256: sha256.clone(),
    };
    let mut tx = app.db.write().await?;
    store::put_blob(&mut tx, &sha256, content).await?;
    store::insert_document(&mut tx, actor.org, &row, crate::clock::to_micros(now)).await?;
    let event = Event {
        record_type: "document",
        record_id: row.id.to_string(),
        action: AuditAction::Upload,
        what: format!("uploaded \"{}\" to {}", row.title, row.folder),
        detail: json!({ "title": row.title, "filename": row.filename, "folder": row.folder, "audience": row.audience.code(), "sha256": sha256, "size": row.size_bytes, "record_type": row.record_type, "record_id": row.record_id }),
    };
    audit::record(&mut tx, actor.org, &Who::of(actor), event, now).await?;
    tx.commit().await?;
    Ok(row.id)
}

pub async fn documents(
    app: &App,
    actor: &Actor,
    record: Option<(&str, &str)>,
) -> AppResult<Vec<DocumentRow>> {
    let mut conn = app.db.read().await?;
    let rows = store::documents(&mut conn, actor.org, record).await?;
    Ok(readable(actor, rows, |d| {
        let mut r = Resource::org_wide(actor.org, Domain::Documents).with_audience(d.audience);
        r.site = d.site_id;
        r
    }))
}
