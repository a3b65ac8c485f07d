//! Documents: the list, uploading one to the organisation, a site or a building with its
//! audience, and each document's page with every version it has had. A new version replaces
//! the file people open; the old ones stay, for staff.

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use proplink_shared::authz::Audience;
use proplink_shared::london::format_date_time;
use proplink_shared::records::RecordType;
use proplink_shared::{Action, DocumentId, Domain, Resource, authorize};

use super::Staff;
use super::forms::{Done, Draft, Filler, answer, sent_back};
use super::notices::{parse_place, place_choices};
use super::view::{ListParams, TrailParams, text_filter, trail};
use crate::app::App;
use crate::doors::extract::{Path, Query};
use crate::doors::pages::{
    Actions, Cell, Choice, Field, Form, Input, ListPage, RecordPage, Section, Table, headers,
    respond,
};
use crate::doors::web::CsrfMultipart;
use crate::error::{AppError, AppResult};
use crate::services::documents::{self, DocumentPlace};
use crate::store::notices::NoticePlace;

/// The largest document kept, and a byte over it so a larger file is refused by the rule.
const DOCUMENT_MAX: usize = 25 * 1024 * 1024;
const UPLOAD_MAX: usize = DOCUMENT_MAX + 1;

pub fn router() -> Router<App> {
    Router::new()
        .route("/documents", get(list))
        .route(
            "/documents",
            post(upload).layer(DefaultBodyLimit::max(UPLOAD_MAX + 64 * 1024)),
        )
        .route("/documents/new", get(new_form))
        .route("/documents/{id}", get(document))
        .route(
            "/documents/{id}/versions",
            post(new_version).layer(DefaultBodyLimit::max(UPLOAD_MAX + 64 * 1024)),
        )
        .route("/documents/{id}/file", get(current_file))
        .route("/documents/{id}/versions/{version}", get(old_file))
}

pub(crate) fn size(bytes: i64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} KB", (bytes + 1023) / 1024)
    }
}

fn may_upload(staff: &Staff) -> bool {
    let actor = staff.actor();
    authorize(
        actor,
        Action::Create,
        &Resource::org_wide(actor.org, Domain::Documents).with_audience(Audience::StaffOnly),
    )
    .is_ok()
}

async fn list(
    State(app): State<App>,
    staff: Staff,
    Query(params): Query<ListParams>,
) -> AppResult<Response> {
    let page = documents::page(&app, staff.actor(), params.text(), &params.at(3)?).await?;
    let pager = params.pager("/documents", &page);
    let rows = page
        .items
        .iter()
        .map(|d| {
            vec![
                Cell::link(&d.title, format!("/documents/{}", d.id)),
                Cell::text(&d.folder),
                Cell::text(d.audience.label()),
                Cell::text(format!("{}", d.version)).numeric(),
                Cell::text(size(d.size_bytes)).numeric(),
            ]
        })
        .collect();
    let mut h = headers(&["Title", "Folder", "Who can open it", "Version", "Size"]);
    h[3].numeric = true;
    h[4].numeric = true;
    let links = if may_upload(&staff) {
        vec![("Upload a document".to_owned(), "/documents/new".to_owned())]
    } else {
        Vec::new()
    };
    Ok(respond(&ListPage {
        chrome: staff.chrome("/documents"),
        title: "Documents".into(),
        intro: None,
        links,
        filters: vec![text_filter(
            "Title, folder or file name",
            params.q.as_deref(),
        )],
        action: "/documents",
        table: Table {
            caption: "Documents, by folder".into(),
            headers: h,
            rows,
            empty: "No documents match.".into(),
        },
        pager,
    }))
}

fn audience_choices(chosen: &str) -> Vec<Choice> {
    [
        Audience::StaffOnly,
        Audience::Residents,
        Audience::Regulator,
    ]
    .iter()
    .map(|a| Choice {
        value: a.code().to_owned(),
        label: a.label().to_owned(),
        selected: a.code() == chosen,
    })
    .collect()
}

/// What the upload form starts with, when a page links to it for a place: the golden
/// thread's "Upload a document", filed on the building for the Regulator.
#[derive(serde::Deserialize, Default)]
struct NewDefaults {
    #[serde(default)]
    place: String,
    #[serde(default)]
    audience: String,
    #[serde(default)]
    folder: String,
}

async fn new_page(
    app: &App,
    staff: &Staff,
    draft: Option<Draft>,
    defaults: &NewDefaults,
) -> AppResult<RecordPage> {
    if !may_upload(staff) {
        return Err(AppError::Forbidden);
    }
    let fill = Filler {
        draft: draft.as_ref(),
    };
    let form = "new";
    Ok(RecordPage {
        chrome: staff.chrome("/documents"),
        title: "Upload a document".into(),
        caption: Some("Documents".into()),
        cards: Vec::new(),
        summary: Vec::new(),
        sections: Vec::new(),
        actions: Actions {
            notice: None,
            problems: draft.as_ref().map(Draft::problems).unwrap_or_default(),
            forms: vec![Form {
                id: form,
                heading: "The document",
                action: "/documents".into(),
                hidden: Vec::new(),
                fields: vec![
                    Field {
                        name: "title",
                        label: "Title",
                        hint: None,
                        input: Input::Text(fill.value(form, "title", "")),
                        error: fill.error(form, "title"),
                    },
                    Field {
                        name: "folder",
                        label: "Folder",
                        hint: Some(FOLDER_HINT.as_str()),
                        input: Input::Text(fill.value(form, "folder", &defaults.folder)),
                        error: fill.error(form, "folder"),
                    },
                    Field {
                        name: "place",
                        label: "Filed on",
                        hint: None,
                        input: Input::Select(
                            place_choices(
                                app,
                                staff,
                                &fill.value(form, "place", &defaults.place),
                                true,
                            )
                            .await?,
                        ),
                        error: fill.error(form, "place"),
                    },
                    Field {
                        name: "audience",
                        label: "Who can open it",
                        hint: None,
                        input: Input::Select(audience_choices(&fill.value(
                            form,
                            "audience",
                            if defaults.audience.is_empty() {
                                Audience::StaffOnly.code()
                            } else {
                                &defaults.audience
                            },
                        ))),
                        error: fill.error(form, "audience"),
                    },
                    Field {
                        name: "file",
                        label: "File",
                        hint: Some("A PDF, or a JPEG, PNG or WebP image, up to 25 MB."),
                        input: Input::File("application/pdf,image/jpeg,image/png,image/webp"),
                        error: fill.error(form, "file"),
                    },
                ],
                submit: "Upload document",
                warning: false,
            }],
        },
        audit: None,
    })
}

async fn new_form(
    State(app): State<App>,
    staff: Staff,
    Query(defaults): Query<NewDefaults>,
) -> AppResult<Response> {
    Ok(respond(&new_page(&app, &staff, None, &defaults).await?))
}

/// The folder field's hint: the usual folders, and the golden thread's for a higher-risk
/// building.
static FOLDER_HINT: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "Like Insurance, Meetings or Year-end packs. For a higher-risk building's golden thread: {}.",
        proplink_shared::records::GOLDEN_THREAD_FOLDERS.join(", ")
    )
});

/// An upload that was too large, said by the file's field.
fn too_large() -> AppError {
    AppError::invalid("file", "The file must be smaller than 25 MB")
}

async fn upload(
    State(app): State<App>,
    staff: Staff,
    form: Result<CsrfMultipart<UPLOAD_MAX>, AppError>,
) -> AppResult<Response> {
    let form = match form {
        Ok(form) => form,
        Err(AppError::PayloadTooLarge(_)) => {
            let draft = sent_back("new", Err(too_large()), Vec::new())?;
            let Some((_, draft)) = draft else {
                return Err(too_large());
            };
            let page = new_page(&app, &staff, Some(draft), &NewDefaults::default()).await?;
            return Ok((StatusCode::PAYLOAD_TOO_LARGE, respond(&page)).into_response());
        }
        Err(e) => return Err(e),
    };
    let typed: Vec<(&'static str, String)> = ["title", "folder", "place", "audience"]
        .iter()
        .map(|k| (*k, form.field(k)))
        .collect();
    let outcome = async {
        let place = parse_place(&form.field("place"))?;
        let audience = Audience::from_code(&form.field("audience"))
            .ok_or_else(|| AppError::invalid("audience", "Choose who can open it"))?;
        let Some((filename, bytes)) = form.file_named("file") else {
            return Err(AppError::invalid("file", "Choose the file to upload"));
        };
        let (record_type, record_id) = match place {
            NoticePlace::Organisation => (RecordType::Organisation, staff.org.id.to_string()),
            NoticePlace::Site(site) => (RecordType::Site, site.to_string()),
            NoticePlace::Building(_, building) => (RecordType::Building, building.to_string()),
        };
        let folder = form.field("folder");
        documents::add(
            &app,
            staff.actor(),
            DocumentPlace {
                site: place.site(),
                record_type,
                record_id,
                folder: &folder,
                audience,
            },
            &form.field("title"),
            filename,
            bytes,
        )
        .await
    }
    .await;
    match outcome {
        Ok(id) => Ok(Redirect::to(&format!("/documents/{id}?done=uploaded")).into_response()),
        Err(e) => match sent_back("new", Err(e), typed)? {
            Some((status, draft)) => Ok((
                status,
                respond(&new_page(&app, &staff, Some(draft), &NewDefaults::default()).await?),
            )
                .into_response()),
            None => Ok(Redirect::to("/documents").into_response()),
        },
    }
}

fn message(form: &str) -> Option<String> {
    Some(
        match form {
            "uploaded" => "The document was uploaded.",
            "version" => "The new version was uploaded. It is the one people open now; the old one is kept below.",
            _ => return None,
        }
        .to_owned(),
    )
}

async fn document(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<DocumentId>,
    Query(at): Query<TrailParams>,
    Query(done): Query<Done>,
) -> AppResult<Response> {
    let notice = done.done.as_deref().and_then(message);
    Ok(respond(
        &document_page(&app, &staff, id, &at, notice, None).await?,
    ))
}

async fn document_page(
    app: &App,
    staff: &Staff,
    id: DocumentId,
    at: &TrailParams,
    notice: Option<String>,
    draft: Option<Draft>,
) -> AppResult<RecordPage> {
    let actor = staff.actor();
    let (d, versions) = documents::document(app, actor, id).await?;
    let summary = vec![
        ("Folder".into(), Cell::text(&d.folder)),
        ("Who can open it".into(), Cell::text(d.audience.label())),
        ("Current version".into(), Cell::text(d.version.to_string())),
        (
            "File".into(),
            Cell::link(
                format!("{} ({})", d.filename, size(d.size_bytes)),
                format!("/documents/{id}/file"),
            ),
        ),
    ];
    let rows = versions
        .iter()
        .map(|v| {
            vec![
                Cell::link(
                    format!("Version {}", v.version),
                    if v.version == d.version {
                        format!("/documents/{id}/file")
                    } else {
                        format!("/documents/{id}/versions/{}", v.version)
                    },
                ),
                Cell::text(&v.filename),
                Cell::text(size(v.size_bytes)).numeric(),
                Cell::text(if v.uploaded_by.is_empty() {
                    "—"
                } else {
                    &v.uploaded_by
                }),
                Cell::text(format_date_time(v.created_at)),
                if v.version == d.version {
                    Cell::tag("Current", "green")
                } else {
                    Cell::tag("Replaced", "grey")
                },
            ]
        })
        .collect();
    let mut h = headers(&[
        "Version",
        "File name",
        "Size",
        "Uploaded by",
        "When",
        "Status",
    ]);
    h[2].numeric = true;
    let mut res = Resource::org_wide(actor.org, Domain::Documents).with_audience(d.audience);
    res.site = d.site_id;
    if d.record_type == RecordType::Building {
        res.building = d.record_id.parse().ok();
    }
    let fill = Filler {
        draft: draft.as_ref(),
    };
    let mut forms = Vec::new();
    if authorize(actor, Action::Update, &res).is_ok() {
        forms.push(Form {
            id: "version",
            heading: "Upload a new version",
            action: format!("/documents/{id}/versions"),
            hidden: vec![("version", fill.value("version", "version", &d.version.to_string()))],
            fields: vec![Field {
                name: "file",
                label: "File",
                hint: Some("It replaces the current file for everyone who can open it. The old one is kept."),
                input: Input::File("application/pdf,image/jpeg,image/png,image/webp"),
                error: fill.error("version", "file"),
            }],
            submit: "Upload new version",
            warning: false,
        });
    }
    let audit = trail(app, staff, RecordType::Document, &id.to_string(), at).await?;
    Ok(RecordPage {
        chrome: staff.chrome("/documents"),
        title: d.title.clone(),
        caption: Some("Document".into()),
        cards: Vec::new(),
        summary,
        sections: vec![Section {
            heading: format!("Versions ({})", versions.len()),
            table: Some(Table {
                caption: "Every version, newest first".into(),
                headers: h,
                rows,
                empty: String::new(),
            }),
            ..Section::default()
        }],
        actions: Actions::answering(notice, draft.as_ref(), forms),
        audit: Some(audit),
    })
}

async fn new_version(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<DocumentId>,
    form: Result<CsrfMultipart<UPLOAD_MAX>, AppError>,
) -> AppResult<Response> {
    let (outcome, typed) = match form {
        Ok(form) => {
            let version = form.field("version");
            let outcome = match (version.parse::<i64>(), form.file_named("file")) {
                (Ok(v), Some((filename, bytes))) => {
                    documents::new_version(&app, staff.actor(), id, v, filename, bytes)
                        .await
                        .map(drop)
                }
                (Err(_), _) => Err(AppError::bad_request(
                    "bad_form",
                    "The form is missing its version. Reload the page.",
                )),
                (_, None) => Err(AppError::invalid("file", "Choose the file to upload")),
            };
            (outcome, vec![("version", version)])
        }
        Err(AppError::PayloadTooLarge(_)) => (Err(too_large()), Vec::new()),
        Err(e) => return Err(e),
    };
    let large = matches!(&outcome, Err(AppError::Invalid(e)) if e.0.iter().any(|f| f.message.contains("25 MB")));
    let done = format!("/documents/{id}?done=version");
    let first = TrailParams::default();
    let mut response = answer("version", outcome, typed, done, |draft| {
        document_page(&app, &staff, id, &first, None, Some(draft))
    })
    .await?;
    if large {
        *response.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
    }
    Ok(response)
}

/// A file of a record handed over: a photo shown in place, anything else (a PDF) saved,
/// never rendered from our address.
pub(crate) fn hand_over(file: crate::services::work_orders::Download) -> Response {
    if file.inline() {
        (
            [
                (header::CONTENT_TYPE, file.content_type),
                (
                    header::CONTENT_DISPOSITION,
                    format!("inline; filename=\"{}\"", file.filename),
                ),
                (header::CACHE_CONTROL, "private, no-store".to_owned()),
            ],
            file.bytes,
        )
            .into_response()
    } else {
        download(&file.content_type, &file.filename, file.bytes)
    }
}

/// A file for download: its own type, never sniffed, named as it was uploaded.
pub(crate) fn download(content_type: &str, filename: &str, bytes: Vec<u8>) -> Response {
    let safe: String = filename
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ' ') {
                c
            } else {
                '_'
            }
        })
        .collect();
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{safe}\""),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        bytes,
    )
        .into_response()
}

async fn current_file(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<DocumentId>,
) -> AppResult<Response> {
    let (content_type, filename, bytes) = documents::file(&app, staff.actor(), id, None).await?;
    Ok(download(&content_type, &filename, bytes))
}

async fn old_file(
    State(app): State<App>,
    staff: Staff,
    Path((id, version)): Path<(DocumentId, i64)>,
) -> AppResult<Response> {
    let (content_type, filename, bytes) =
        documents::file(&app, staff.actor(), id, Some(version)).await?;
    Ok(download(&content_type, &filename, bytes))
}
