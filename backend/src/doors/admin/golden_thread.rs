//! The golden thread of a higher-risk building in the admin app: its parts as they stand, each
//! part's versions and what changed between any two, and a new version saved from a form by
//! those who keep the thread.

use crate::doors::web::sent;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use proplink_shared::BuildingId;
use proplink_shared::london::format_date_time;
use proplink_shared::records::{FieldKind, GoldenThreadCategory, NewThreadVersion, RecordType};
use serde::Deserialize;

use super::Staff;
use super::forms::{Draft, Filler, answer};
use super::view::{TrailParams, trail};
use crate::app::App;
use crate::doors::extract::{Path, Query};
use crate::doors::pages::{
    Actions, Cell, Choice, Field, Form, Input, RecordPage, Section, Table, headers, respond,
};
use crate::doors::web::CsrfForm;
use crate::error::{AppError, AppResult};
use crate::services::golden_thread;

pub fn router() -> Router<App> {
    Router::new()
        .route("/buildings/{id}/golden-thread", get(thread))
        .route("/buildings/{id}/golden-thread/{part}", get(part).post(save))
}

pub(super) fn thread_href(id: BuildingId) -> String {
    format!("/buildings/{id}/golden-thread")
}

/// The summary row every page under a building's thread starts with: back to all its parts.
pub(super) fn back_to_thread(b: &crate::store::places::Building) -> (String, Cell) {
    (
        "Golden thread".into(),
        Cell::link(format!("All parts for {}", b.name), thread_href(b.id)),
    )
}

fn part_of(code: &str) -> AppResult<GoldenThreadCategory> {
    GoldenThreadCategory::from_code(code).ok_or(AppError::NotFound)
}

async fn thread(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<BuildingId>,
) -> AppResult<Response> {
    let actor = staff.actor();
    let (b, parts) = golden_thread::current(&app, actor, id).await?;
    let keeps = golden_thread::may_keep(actor, &b);
    let href = thread_href(id);
    // What only those who keep the thread may do is offered only to them.
    let mut links = Vec::new();
    if keeps {
        links.push((
            "Access for the Building Safety Regulator".into(),
            format!("{href}/access"),
        ));
    }
    links.push((
        "Mandatory occurrence reports".into(),
        format!("{href}/occurrences"),
    ));
    if keeps {
        links.push((
            "Fire safety information: who has it".into(),
            format!("{href}/fire-safety-information"),
        ));
    }
    links.extend([
        (
            "Download the handover pack (PDF)".into(),
            format!("{href}/handover.pdf"),
        ),
        (
            "Download the handover pack (JSON)".into(),
            format!("{href}/handover.json"),
        ),
    ]);
    let mut docs = crate::doors::golden_thread::documents_section(
        &golden_thread::documents::of_building(&app, actor, id).await?,
        |d| format!("/documents/{d}"),
    );
    if keeps {
        docs.links = vec![(
            "Upload a golden-thread document".into(),
            format!(
                "/documents/new?place=building:{}:{id}&audience=regulator",
                b.site_id
            ),
        )];
    }
    let rows = GoldenThreadCategory::ALL
        .iter()
        .filter(|c| **c != GoldenThreadCategory::MandatoryOccurrence)
        .map(|c| {
            let latest = parts.iter().find(|p| p.section == *c);
            vec![
                Cell::link(c.label(), format!("{}/{}", thread_href(id), c.code())),
                match latest {
                    Some(p) => Cell::text(format!("Version {}", p.version)),
                    None => Cell::tag("Not recorded yet", "amber"),
                },
                Cell::text(latest.map_or_else(
                    || "—".into(),
                    |p| format!("{} by {}", format_date_time(p.at), p.author),
                )),
                Cell::text(if c.shown_to_residents() {
                    "Residents and the Regulator"
                } else {
                    "The Regulator"
                }),
            ]
        })
        .collect();
    let recorded = parts.len();
    let page = RecordPage {
        chrome: staff.chrome("/sites"),
        title: format!("Golden thread: {}", b.name),
        caption: Some("Building safety".into()),
        cards: Vec::new(),
        summary: vec![
            (
                "Building".into(),
                Cell::link(&b.name, format!("/buildings/{id}")),
            ),
            (
                "BSR registration".into(),
                Cell::text(if b.bsr_registration.is_empty() {
                    "Not registered".to_owned()
                } else {
                    b.bsr_registration.clone()
                }),
            ),
            (
                "Parts recorded".into(),
                Cell::text(format!(
                    "{recorded} of {}",
                    GoldenThreadCategory::ALL.len() - 1
                )),
            ),
        ],
        sections: vec![
            Section {
                heading: "Parts of the golden thread".into(),
                paragraphs: vec![
                    "Every change is kept as a new version: earlier versions stay readable, and any two can be compared.".into(),
                ],
                table: Some(Table {
                    caption: format!("The golden thread of {}", b.name),
                    headers: headers(&["Part", "Version", "Last changed", "Shown to"]),
                    rows,
                    empty: String::new(),
                }),
                links,
                ..Section::default()
            },
            docs,
        ],
        actions: Actions::default(),
        audit: Some(
            trail(
                &app,
                &staff,
                RecordType::GoldenThread,
                &id.to_string(),
                &TrailParams::default(),
            )
            .await?,
        ),
    };
    Ok(respond(&page))
}

/// Which two versions to compare, and what the page says after a save.
#[derive(Deserialize, Default)]
struct PartParams {
    from: Option<i64>,
    to: Option<i64>,
    done: Option<String>,
}

async fn part(
    State(app): State<App>,
    staff: Staff,
    Path((id, code)): Path<(BuildingId, String)>,
    Query(params): Query<PartParams>,
) -> AppResult<Response> {
    let section = part_of(&code)?;
    let notice = (params.done.as_deref() == Some("saved"))
        .then(|| "The new version was saved. The earlier ones are kept.".to_owned());
    Ok(respond(
        &part_page(&app, &staff, id, section, &params, notice, None).await?,
    ))
}

async fn part_page(
    app: &App,
    staff: &Staff,
    id: BuildingId,
    section: GoldenThreadCategory,
    params: &PartParams,
    notice: Option<String>,
    draft: Option<Draft>,
) -> AppResult<RecordPage> {
    let actor = staff.actor();
    let (b, versions) = golden_thread::history(app, actor, id, section).await?;
    let latest = versions.first();
    let mut sections = Vec::new();
    sections.push(Section {
        heading: "As it stands".into(),
        paragraphs: if latest.is_none() {
            vec!["Nothing is recorded for this part yet.".into()]
        } else {
            Vec::new()
        },
        entries: latest
            .map(|v| crate::doors::golden_thread::entries(section, v))
            .unwrap_or_default(),
        ..Section::default()
    });
    if let (Some(from), Some(to)) = (params.from, params.to) {
        let compared = golden_thread::compare(app, actor, id, section, from, to).await?;
        sections.push(Section {
            heading: format!("What changed from version {from} to version {to}"),
            paragraphs: vec![format!(
                "Version {to} was saved by {} on {} through {}: “{}”.",
                compared.to.author,
                format_date_time(compared.to.at),
                compared.to.channel.label(),
                compared.to.change_note
            )],
            table: Some(Table {
                caption: format!("Changes from version {from} to version {to}"),
                headers: headers(&["Field", "Before", "After"]),
                rows: compared
                    .changes
                    .iter()
                    .map(|c| {
                        vec![
                            Cell::text(c.label),
                            Cell::text(if c.before.is_empty() {
                                "—"
                            } else {
                                &c.before
                            }),
                            Cell::text(if c.after.is_empty() { "—" } else { &c.after }),
                        ]
                    })
                    .collect(),
                empty: "Nothing changed between these versions.".into(),
            }),
            ..Section::default()
        });
    }
    let href = format!("{}/{}", thread_href(id), section.code());
    sections.push(Section {
        heading: format!("Versions ({})", versions.len()),
        table: Some(Table {
            caption: format!("Every version of {}", section.label()),
            headers: headers(&["Version", "Saved", "By", "Door", "Why", "Compare"]),
            rows: versions
                .iter()
                .map(|v| {
                    vec![
                        Cell::text(v.version.to_string()),
                        Cell::text(format_date_time(v.at)),
                        Cell::text(&v.author),
                        Cell::text(v.channel.label()),
                        Cell::text(&v.change_note),
                        if v.version > 1 {
                            Cell::link(
                                format!("With version {}", v.version - 1),
                                format!("{href}?from={}&to={}", v.version - 1, v.version),
                            )
                        } else {
                            Cell::text("The first")
                        },
                    ]
                })
                .collect(),
            empty: "No versions yet.".into(),
        }),
        ..Section::default()
    });
    let mut forms = Vec::new();
    if golden_thread::may_keep(actor, &b) && section != GoldenThreadCategory::MandatoryOccurrence {
        let fill = Filler {
            draft: draft.as_ref(),
        };
        let based_on = latest.map_or(0, |v| v.version).to_string();
        let mut fields: Vec<Field> = section
            .fields()
            .iter()
            .map(|f| {
                let current = latest
                    .and_then(|v| v.body.get(f.name))
                    .cloned()
                    .unwrap_or_default();
                let value = fill.value("part", f.name, &current);
                Field {
                    name: f.name,
                    label: f.label,
                    hint: (!f.required).then_some("Optional."),
                    input: match f.kind {
                        FieldKind::Line => Input::Text(value),
                        FieldKind::Text => Input::TextArea(value),
                        FieldKind::Choice(choices) => Input::Select(
                            choices
                                .iter()
                                .map(|(code, label)| Choice {
                                    selected: *code == value,
                                    value: (*code).to_owned(),
                                    label: (*label).to_owned(),
                                })
                                .collect(),
                        ),
                    },
                    error: fill.error("part", f.name),
                }
            })
            .collect();
        fields.push(Field {
            name: "change_note",
            label: "What changed and why",
            hint: Some(
                "Kept with the version, for the Regulator and whoever keeps the thread next.",
            ),
            input: Input::TextArea(fill.value("part", "change_note", "")),
            error: fill.error("part", "change_note"),
        });
        forms.push(Form {
            id: "part",
            heading: if latest.is_some() {
                "Save a new version"
            } else {
                "Record this part"
            },
            action: href.clone(),
            hidden: vec![("based_on", fill.value("part", "based_on", &based_on))],
            fields,
            submit: "Save as a new version",
            warning: false,
        });
    }
    let mut summary = vec![back_to_thread(&b)];
    if let Some(v) = latest {
        summary.push((
            "Current".into(),
            Cell::text(crate::doors::golden_thread::said_by(v)),
        ));
    }
    Ok(RecordPage {
        chrome: staff.chrome("/sites"),
        title: format!("{}: {}", section.label(), b.name),
        caption: Some("Golden thread".into()),
        cards: Vec::new(),
        summary,
        sections,
        actions: Actions::answering(notice, draft.as_ref(), forms),
        audit: None,
    })
}

async fn save(
    State(app): State<App>,
    staff: Staff,
    Path((id, code)): Path<(BuildingId, String)>,
    CsrfForm(form): CsrfForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    let section = part_of(&code)?;
    let value = |name: &str| sent(&form, name);
    let given: Vec<(&str, &str)> = section
        .fields()
        .iter()
        .map(|f| (f.name, value(f.name)))
        .collect();
    let outcome = match (
        NewThreadVersion::validate(section.code(), &given, value("change_note")),
        value("based_on").parse::<i64>(),
    ) {
        (Ok(new), Ok(based_on)) => golden_thread::save(&app, staff.actor(), id, based_on, &new)
            .await
            .map(|_| ()),
        (Err(e), _) => Err(AppError::Invalid(e)),
        (_, Err(_)) => Err(AppError::bad_request(
            "bad_form",
            "The form is missing the version it was made from. Reload the page.",
        )),
    };
    let mut typed: Vec<(&'static str, String)> = section
        .fields()
        .iter()
        .map(|f| (f.name, value(f.name).to_owned()))
        .collect();
    typed.push(("change_note", value("change_note").to_owned()));
    typed.push(("based_on", value("based_on").to_owned()));
    let done = format!("{}/{}?done=saved", thread_href(id), section.code());
    let params = PartParams::default();
    answer("part", outcome, typed, done, |draft| {
        part_page(&app, &staff, id, section, &params, None, Some(draft))
    })
    .await
}
