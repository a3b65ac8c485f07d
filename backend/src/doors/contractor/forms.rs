//! What a contractor sends through their link: a quote (with their PDF), an update, a
//! certificate, the work marked complete (with photos). Each goes through the same services
//! as the admin app, as the contractor; a refusal shows the page again with what was typed.

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use proplink_shared::records::{
    CertificateKind, FieldError, NewCertificate, NewQuote, QuoteKind, ValidationErrors, VatRate,
};

use super::Contractor;
use super::page::{mine, work_order_page};
use crate::app::App;
use crate::doors::admin::forms::{Draft, date_field};
use crate::doors::pages::respond;
use crate::doors::web::CsrfMultipart;
use crate::error::{AppError, AppResult};
use crate::services::contractor_links::ContractorSession;
use crate::services::files::MAX_DOCUMENT_BYTES;
use crate::services::files::photos::{MAX_PHOTO_BYTES, MAX_PHOTOS, SentPhoto};
use crate::services::quotes;
use crate::services::work_orders::{self, WorkReport};

/// A document up to its limit, and a byte over so a larger one is refused by the rule.
const DOCUMENT_MAX: usize = MAX_DOCUMENT_BYTES + 1;
const PHOTO_MAX: usize = MAX_PHOTO_BYTES + 1;
/// Room for the text fields besides the files.
const TEXT_ROOM: usize = 256 * 1024;

pub fn router() -> Router<App> {
    let document = DefaultBodyLimit::max(DOCUMENT_MAX + TEXT_ROOM);
    let photos = DefaultBodyLimit::max(MAX_PHOTOS * PHOTO_MAX + TEXT_ROOM);
    Router::new()
        .route("/work-order/quote", post(quote).layer(document))
        .route("/work-order/certificate", post(certificate).layer(document))
        .route("/work-order/progress", post(progress).layer(photos))
        .route("/work-order/complete", post(complete).layer(photos))
}

/// A form too large to read: nothing was kept; the page says so on the file's field.
fn too_large(form: &'static str, field: &'static str, message: String) -> Draft {
    Draft {
        form,
        typed: Vec::new(),
        errors: vec![FieldError {
            field: field.into(),
            message,
        }],
        problem: None,
    }
}

/// After a form: back to the work order with what was done, or the page again with the
/// problem and what was typed.
async fn answer(
    app: &App,
    me: &ContractorSession,
    form: &'static str,
    outcome: AppResult<()>,
    typed: Vec<(&'static str, String)>,
) -> AppResult<Response> {
    let done = format!("/work-order?done={form}");
    crate::doors::admin::forms::answer(form, outcome, typed, done, |draft| async move {
        work_order_page(app, me, Some(&draft)).await
    })
    .await
}

async fn refused_as_too_large(
    app: &App,
    me: &ContractorSession,
    draft: Draft,
) -> AppResult<Response> {
    Ok((
        StatusCode::PAYLOAD_TOO_LARGE,
        respond(&work_order_page(app, me, Some(&draft)).await?),
    )
        .into_response())
}

async fn quote(
    State(app): State<App>,
    Contractor(me): Contractor,
    form: Result<CsrfMultipart<DOCUMENT_MAX>, AppError>,
) -> AppResult<Response> {
    let (id, vendor) = mine(&me)?;
    let form = match form {
        Ok(form) => form,
        Err(AppError::PayloadTooLarge(_)) => {
            let message = format!(
                "The PDF is larger than {} MB, so nothing was sent. Choose a smaller file.",
                MAX_DOCUMENT_BYTES / 1024 / 1024
            );
            return refused_as_too_large(&app, &me, too_large("quote", "pdf", message)).await;
        }
        Err(e) => return Err(e),
    };
    let typed: Vec<(&'static str, String)> = ["kind", "net", "vat_rate", "notes"]
        .into_iter()
        .map(|f| (f, form.field(f)))
        .collect();
    let outcome = match (
        QuoteKind::from_code(&form.field("kind")),
        VatRate::from_code(&form.field("vat_rate")),
    ) {
        (Some(kind), Some(rate)) => {
            match NewQuote::validate(kind, &form.field("net"), rate, &form.field("notes")) {
                Ok(q) => quotes::submit(&app, &me.actor, id, vendor, &q, form.file("pdf"))
                    .await
                    .map(|_| ()),
                Err(e) => Err(AppError::Invalid(e)),
            }
        }
        (None, _) => Err(AppError::invalid("kind", "Choose the kind of quote")),
        (_, None) => Err(AppError::invalid("vat_rate", "Choose the VAT rate")),
    };
    answer(&app, &me, "quote", outcome, typed).await
}

async fn certificate(
    State(app): State<App>,
    Contractor(me): Contractor,
    form: Result<CsrfMultipart<DOCUMENT_MAX>, AppError>,
) -> AppResult<Response> {
    let (id, _) = mine(&me)?;
    let form = match form {
        Ok(form) => form,
        Err(AppError::PayloadTooLarge(_)) => {
            let message = format!(
                "The file is larger than {} MB, so nothing was sent. Choose a smaller file, or a photo of the certificate.",
                MAX_DOCUMENT_BYTES / 1024 / 1024
            );
            return refused_as_too_large(&app, &me, too_large("certificate", "file", message))
                .await;
        }
        Err(e) => return Err(e),
    };
    let typed: Vec<(&'static str, String)> =
        ["kind", "body", "registration", "issued_on", "expires_on"]
            .into_iter()
            .map(|f| (f, form.field(f)))
            .collect();
    let mut errors = ValidationErrors::default();
    let kind = CertificateKind::from_code(&form.field("kind"))
        .filter(|k| CertificateKind::FOR_WORK.contains(k));
    if kind.is_none() {
        errors.add("kind", "Choose the type of certificate");
    }
    let issued_on = date_field(
        &mut errors,
        "issued_on",
        "date issued",
        &form.field("issued_on"),
    );
    let expires_on = if form.field("expires_on").trim().is_empty() {
        None
    } else {
        date_field(
            &mut errors,
            "expires_on",
            "expiry date",
            &form.field("expires_on"),
        )
    };
    if form.file("file").is_none() {
        errors.add("file", "Choose the certificate: a PDF, or a photo of it");
    }
    let outcome = match (errors.into_result(()), kind, issued_on) {
        (Ok(()), Some(kind), Some(issued_on)) => match NewCertificate::validate(
            kind,
            &form.field("body"),
            &form.field("registration"),
            issued_on,
            expires_on,
        ) {
            Ok(cert) => quotes::add_certificate(&app, &me.actor, id, &cert, form.file("file"))
                .await
                .map(|_| ()),
            Err(e) => Err(AppError::Invalid(e)),
        },
        (Err(e), ..) => Err(AppError::Invalid(e)),
        _ => Err(AppError::invalid("kind", "Check the certificate")),
    };
    answer(&app, &me, "certificate", outcome, typed).await
}

/// An update or the finished work: a note and photos.
async fn report(
    app: &App,
    me: &ContractorSession,
    form_id: &'static str,
    form: Result<CsrfMultipart<PHOTO_MAX>, AppError>,
) -> AppResult<Response> {
    let (id, _) = mine(me)?;
    let form = match form {
        Ok(form) => form,
        Err(AppError::PayloadTooLarge(_)) => {
            let message = format!(
                "A photo is larger than {} MB, so nothing was sent. Choose smaller photos and send it again.",
                MAX_PHOTO_BYTES / 1024 / 1024
            );
            return refused_as_too_large(app, me, too_large(form_id, "photos", message)).await;
        }
        Err(e) => return Err(e),
    };
    let note = form.field("note");
    let photos: Vec<SentPhoto<'_>> = form
        .files
        .iter()
        .filter(|(name, _, _)| name == "photos")
        .map(|(_, file, bytes)| SentPhoto { name: file, bytes })
        .collect();
    let report = WorkReport {
        note: &note,
        photos: &photos,
    };
    let outcome = if form_id == "complete" {
        work_orders::mark_complete(app, &me.actor, id, &report).await
    } else {
        work_orders::report_progress(app, &me.actor, id, &report).await
    };
    answer(app, me, form_id, outcome, vec![("note", note.clone())]).await
}

async fn progress(
    State(app): State<App>,
    Contractor(me): Contractor,
    form: Result<CsrfMultipart<PHOTO_MAX>, AppError>,
) -> AppResult<Response> {
    report(&app, &me, "progress", form).await
}

async fn complete(
    State(app): State<App>,
    Contractor(me): Contractor,
    form: Result<CsrfMultipart<PHOTO_MAX>, AppError>,
) -> AppResult<Response> {
    report(&app, &me, "complete", form).await
}
