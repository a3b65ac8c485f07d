//! Quotes and certificates on a work order: the contractor's side of it, through their link
//! or entered by staff for them.

use proplink_shared::audit::AuditAction;
use proplink_shared::records::{
    MAX_CERTIFICATES_PER_CONTRACTOR, MAX_QUOTES_PER_CONTRACTOR, NewCertificate, NewQuote,
    RecordType,
};
use proplink_shared::states::WorkOrderStatus;
use proplink_shared::{
    Action, Actor, CertificateId, Principal, QuoteId, VendorId, WorkOrderId, WorkStep,
};
use serde_json::json;

use super::change::{Change, Event};
use super::files;
use super::mail::{self, Outgoing};
use super::work_orders::office::tell_office;
use super::work_orders::{load_for, load_for_step, move_to};
use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::store::vendors;
use crate::store::work_orders::{self as store, Certificate, StoredQuote};

/// Submits `vendor`'s quotation for a work order that takes quotes, with their own quotation
/// document if they have one (a PDF). A contractor's quote is emailed to the office.
pub async fn submit(
    app: &App,
    actor: &Actor,
    id: WorkOrderId,
    vendor: VendorId,
    quote: &NewQuote,
    pdf: Option<&[u8]>,
) -> AppResult<QuoteId> {
    let mut change = Change::begin(app, actor).await?;
    let w = load_for_step(&mut change, actor, id, WorkStep::Quote).await?;
    // A contractor quotes only as themselves.
    if matches!(actor.principal, Principal::Contractor { vendor: mine, .. } if mine != vendor) {
        return Err(AppError::Forbidden);
    }
    let v = vendors::vendor(&mut change, actor.org, vendor)
        .await?
        .ok_or(AppError::NotFound)?;
    if !w.status.takes_quotes() {
        return Err(AppError::conflict(
            "stale",
            format!(
                "Work order {} is {} and no longer takes quotes.",
                w.reference,
                w.status.label().to_lowercase()
            ),
        ));
    }
    if w.status == WorkOrderStatus::SentForQuote {
        move_to(&mut change, actor, &w, WorkOrderStatus::Quoted).await?;
    }
    if matches!(actor.principal, Principal::Contractor { .. }) {
        let sent = store::quotes(&mut change, actor.org, id)
            .await?
            .iter()
            .filter(|q| q.vendor_id == vendor)
            .count();
        if sent >= MAX_QUOTES_PER_CONTRACTOR {
            return Err(AppError::conflict(
                "too_many",
                format!(
                    "You have sent {sent} quotes for {}: call the office to talk it through.",
                    w.reference
                ),
            ));
        }
    }
    let file = match pdf {
        Some(bytes) => Some(files::keep_pdf(&mut change, "pdf", bytes).await?),
        None => None,
    };
    let quote_id = QuoteId::new();
    let now = change.now;
    store::insert_quote(
        &mut change,
        actor.org,
        id,
        &StoredQuote {
            id: quote_id,
            vendor,
            kind: quote.kind,
            net: quote.net,
            vat: quote.vat,
            notes: &quote.notes,
            file_sha256: file.as_deref(),
        },
        actor.channel,
        now,
    )
    .await?;
    change
        .record(Event::new(
            RecordType::WorkOrder,
            id,
            AuditAction::Create,
            format!("quoted {} + VAT ({}) for {}", quote.net, quote.kind.label().to_lowercase(), w.reference),
            json!({ "quote": quote_id.to_string(), "vendor": vendor.to_string(), "vendor_name": v.name, "kind": quote.kind.code(), "net": quote.net.pence(), "vat": quote.vat.pence(), "notes": quote.notes, "pdf": file }),
        ))
        .await?;
    let mut details = format!("{}: {} + VAT {}.", quote.kind.label(), quote.net, quote.vat);
    if !quote.notes.is_empty() {
        details.push_str(&format!("\n\n{}", quote.notes));
    }
    if file.is_some() {
        details.push_str("\n\nTheir quotation document is attached to the work order.");
    }
    tell_office(&mut change, actor, &w, "sent a quote", &details).await?;
    change.commit().await?;
    Ok(quote_id)
}

/// Files a certificate against a work order (and so its site), with the certificate itself:
/// a PDF or a photo of it, read from its content. A contractor must send the file, and the
/// office is told; staff may record one they hold on paper.
pub async fn add_certificate(
    app: &App,
    actor: &Actor,
    id: WorkOrderId,
    cert: &NewCertificate,
    file: Option<&[u8]>,
) -> AppResult<CertificateId> {
    if file.is_none() && matches!(actor.principal, Principal::Contractor { .. }) {
        return Err(AppError::invalid(
            "file",
            "Choose the certificate: a PDF, or a photo of it",
        ));
    }
    let mut change = Change::begin(app, actor).await?;
    let w = load_for_step(&mut change, actor, id, WorkStep::Certificate).await?;
    if let Principal::Contractor { vendor, .. } = actor.principal {
        let filed = store::certificates(&mut change, actor.org, id)
            .await?
            .iter()
            .filter(|c| c.vendor_id == Some(vendor))
            .count();
        if filed >= MAX_CERTIFICATES_PER_CONTRACTOR {
            return Err(AppError::conflict(
                "too_many",
                format!(
                    "You have filed {filed} certificates for {}: send any more to the office by email.",
                    w.reference
                ),
            ));
        }
    }
    let stored = match file {
        Some(bytes) => {
            let f = files::store_document(app, actor.org, bytes).await?;
            let now = change.now;
            files::record_stored(
                &mut change,
                actor.org,
                &f.sha256,
                &f.content_type,
                f.size_bytes,
                now,
            )
            .await?;
            Some(f)
        }
        None => None,
    };
    let vendor = match &actor.principal {
        Principal::Contractor { vendor, .. } => Some(*vendor),
        _ => w.vendor_id,
    };
    let c = Certificate {
        id: CertificateId::new(),
        work_order_id: Some(id),
        site_id: w.site_id,
        vendor_id: vendor,
        kind: cert.kind,
        body: cert.body.clone(),
        registration_number: cert.registration.clone(),
        issued_on: cert.issued_on,
        expires_on: cert.expires_on,
        file_sha256: stored.as_ref().map(|f| f.sha256.clone()),
    };
    let now = change.now;
    store::insert_certificate(&mut change, actor.org, &c, now).await?;
    change
        .record(Event::new(
            RecordType::WorkOrder,
            id,
            AuditAction::Upload,
            format!("uploaded a certificate to {}: {}", w.reference, cert.kind.label()),
            json!({ "certificate": c.id.to_string(), "kind": cert.kind.code(), "body": c.body, "registration_number": c.registration_number, "issued_on": crate::store::date_text(c.issued_on), "expires_on": c.expires_on.map(crate::store::date_text), "file": c.file_sha256 }),
        ))
        .await?;
    let details = format!(
        "{}, issued {}{}.",
        cert.kind.label(),
        proplink_shared::london::format_date(cert.issued_on),
        cert.expires_on
            .map(|e| format!(", expires {}", proplink_shared::london::format_date(e)))
            .unwrap_or_default()
    );
    tell_office(&mut change, actor, &w, "uploaded a certificate", &details).await?;
    change.commit().await?;
    Ok(c.id)
}

/// Turns a quote down, with the reason: the contractor is told by email, and the quote can no
/// longer be awarded. Whoever may award the work may turn a quote down.
pub async fn reject(
    app: &App,
    actor: &Actor,
    id: WorkOrderId,
    quote: QuoteId,
    reason: &str,
) -> AppResult<()> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(AppError::invalid(
            "reason",
            "Say why the quote is turned down: the contractor is told",
        ));
    }
    if reason.chars().count() > 500 {
        return Err(AppError::invalid(
            "reason",
            "The reason must be 500 characters or fewer",
        ));
    }
    let mut change = Change::begin(app, actor).await?;
    let w = load_for(&mut change, actor, id, Action::Approve).await?;
    let q = store::quotes(&mut change, actor.org, id)
        .await?
        .into_iter()
        .find(|q| q.id == quote)
        .ok_or(AppError::NotFound)?;
    if !store::mark_quote_rejected(&mut change, actor.org, quote, reason).await? {
        return Err(AppError::conflict(
            "stale",
            format!(
                "{}'s quote was already {}. Reload the page to see it.",
                q.vendor_name,
                if q.awarded { "awarded" } else { "turned down" }
            ),
        ));
    }
    if let Some(v) = vendors::vendor(&mut change, actor.org, q.vendor_id).await? {
        let body = format!(
            "Hello {},\n\nThank you for your quote of {} + VAT for work order {}: {}. It has not been accepted.\n\nThe reason given: {reason}\n",
            v.name, q.net, w.reference, w.title
        );
        mail::queue(
            &mut change,
            Some(actor.org),
            Outgoing {
                to: &v.email,
                subject: &format!("Your quote for {}", w.reference),
                body: &body,
                about: Some((RecordType::WorkOrder, id.to_string())),
                secret: None,
            },
        )
        .await?;
    }
    change
        .record(Event::new(
            RecordType::WorkOrder,
            id,
            AuditAction::Reject,
            format!("turned down {}'s quote for {}: {reason}", q.vendor_name, w.reference),
            json!({ "quote": quote.to_string(), "vendor": q.vendor_id.to_string(), "reason": reason }),
        ))
        .await?;
    change.commit().await
}
