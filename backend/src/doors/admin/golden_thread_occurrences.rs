//! A higher-risk building's mandatory occurrence reports in the admin app: the list with what
//! is due and overdue, one recorded by hand, and each moved on by its notice to the Regulator,
//! its full report, or its dismissal with the reason.

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use proplink_shared::BuildingId;
use proplink_shared::london::{format_date, format_date_time};
use proplink_shared::records::{Occurrence, occurrence_overdue};
use proplink_shared::states::OccurrenceStatus;

use super::Staff;
use super::forms::{Done, Draft, Filler, answer};
use super::golden_thread::back_to_thread;
use crate::app::App;
use crate::doors::extract::{Path, Query};
use crate::doors::pages::{
    Actions, Cell, Choice, Entry, Field, Form, Input, RecordPage, Section, Table, headers, respond,
};
use crate::doors::web::{CsrfForm, sent};
use crate::error::AppResult;
use crate::services::golden_thread::occurrences::{self, NewOccurrence, Next};
use crate::store::occurrences::OccurrenceReport;

pub fn router() -> Router<App> {
    Router::new()
        .route(
            "/buildings/{id}/golden-thread/occurrences",
            get(list).post(record),
        )
        .route(
            "/buildings/{id}/golden-thread/occurrences/{occurrence}",
            get(one),
        )
        .route(
            "/buildings/{id}/golden-thread/occurrences/{occurrence}/{step}",
            post(advance),
        )
}

fn list_href(id: BuildingId) -> String {
    format!("/buildings/{id}/golden-thread/occurrences")
}

fn status_cell(r: &OccurrenceReport, today: time::Date) -> Cell {
    if occurrence_overdue(r.status, r.due_on, today) {
        return Cell::tag(format!("{} · overdue", r.status.label()), "red");
    }
    Cell::tag(
        r.status.label(),
        match r.status {
            OccurrenceStatus::Draft => "amber",
            OccurrenceStatus::Notified => "blue",
            OccurrenceStatus::Reported => "green",
            OccurrenceStatus::Dismissed => "grey",
        },
    )
}

fn signs_of(r: &OccurrenceReport) -> String {
    let signs: Vec<&str> = [
        r.fire_or_smoke_spread
            .then_some("fire or smoke could spread"),
        r.structural_failure.then_some("a structural failure"),
        r.significant_harm.then_some("could cause significant harm"),
    ]
    .into_iter()
    .flatten()
    .collect();
    if signs.is_empty() {
        "None recorded".into()
    } else {
        signs.join("; ")
    }
}

async fn list(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<BuildingId>,
) -> AppResult<Response> {
    Ok(respond(&list_page(&app, &staff, id, None).await?))
}

async fn list_page(
    app: &App,
    staff: &Staff,
    id: BuildingId,
    draft: Option<Draft>,
) -> AppResult<RecordPage> {
    let actor = staff.actor();
    let (b, reports) = occurrences::list(app, actor, id).await?;
    let today = crate::services::today(app);
    let rows = reports
        .iter()
        .map(|r| {
            vec![
                Cell::link(&r.reference, format!("{}/{}", list_href(id), r.id)),
                status_cell(r, today),
                Cell::date(r.aware_on),
                Cell::date(r.due_on),
                r.ticket_id.map_or_else(
                    || Cell::text("Recorded by staff"),
                    |t| Cell::link("From a resident's concern", format!("/tickets/{t}")),
                ),
                Cell::date(r.keep_until),
            ]
        })
        .collect();
    let fill = Filler {
        draft: draft.as_ref(),
    };
    let ticked = |name: &str| fill.value("record", name, "") == "yes";
    let form = Form {
        id: "record",
        heading: "Record a possible mandatory occurrence",
        action: list_href(id),
        hidden: Vec::new(),
        fields: vec![
            Field {
                name: "what_happened",
                label: "What happened",
                hint: Some("Where, what failed or spread, who was at risk, what was done."),
                input: Input::TextArea(fill.value("record", "what_happened", "")),
                error: fill.error("record", "what_happened"),
            },
            Field {
                name: "aware_on",
                label: "When someone became aware of it",
                hint: Some("The report is due 10 working days after this day."),
                input: Input::Date(fill.value("record", "aware_on", &today.to_string())),
                error: fill.error("record", "aware_on"),
            },
            Field {
                name: "signs",
                label: "What it involves",
                hint: None,
                input: Input::Checkboxes(vec![
                    Choice {
                        selected: ticked("fire"),
                        value: "fire".into(),
                        label: "Fire or smoke spread, or could have".into(),
                    },
                    Choice {
                        selected: ticked("structure"),
                        value: "structure".into(),
                        label: "A structural failure, or the risk of one".into(),
                    },
                    Choice {
                        selected: ticked("harm"),
                        value: "harm".into(),
                        label: "It could cause death or serious injury to a number of people"
                            .into(),
                    },
                ]),
                error: None,
            },
        ],
        submit: "Record it as a draft",
        warning: false,
    };
    let open = reports
        .iter()
        .filter(|r| {
            matches!(
                r.status,
                OccurrenceStatus::Draft | OccurrenceStatus::Notified
            )
        })
        .count();
    let late = reports
        .iter()
        .filter(|r| occurrence_overdue(r.status, r.due_on, today))
        .count();
    Ok(RecordPage {
        chrome: staff.chrome("/sites"),
        title: format!("Mandatory occurrence reports: {}", b.name),
        caption: Some("Golden thread".into()),
        cards: Vec::new(),
        summary: vec![
            back_to_thread(&b),
            ("Open".into(), Cell::text(open.to_string())),
            (
                "Overdue".into(),
                if late > 0 {
                    Cell::tag(late.to_string(), "red")
                } else {
                    Cell::text("0")
                },
            ),
        ],
        sections: vec![Section {
            heading: "Reports".into(),
            paragraphs: vec![
                "A structural failure, or fire or smoke spreading, that could cause significant harm is reported to the Building Safety Regulator: the notice first, then the full report, within 10 working days of becoming aware. Reports are kept at least 15 years.".into(),
            ],
            table: Some(Table {
                caption: format!("Mandatory occurrence reports for {}", b.name),
                headers: headers(&["Report", "Where it stands", "Aware", "Due", "Raised", "Kept until"]),
                rows,
                empty: "No occurrence has been recorded for this building.".into(),
            }),
            ..Section::default()
        }],
        actions: Actions::answering(
            None,
            draft.as_ref(),
            if crate::services::golden_thread::may_keep(actor, &b) {
                vec![form]
            } else {
                Vec::new()
            },
        ),
        audit: None,
    })
}

async fn record(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<BuildingId>,
    CsrfForm(form): CsrfForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    let value = |name: &str| sent(&form, name).to_owned();
    let ticked = |sign: &str| crate::doors::web::ticked(&form, "signs", sign);
    let outcome = occurrences::record(
        &app,
        staff.actor(),
        id,
        &NewOccurrence {
            what_happened: &value("what_happened"),
            aware_on: &value("aware_on"),
            signs: Occurrence {
                fire_or_smoke_spread: ticked("fire"),
                structural_failure: ticked("structure"),
                significant_harm: ticked("harm"),
            },
        },
    )
    .await;
    let done = match &outcome {
        Ok(occurrence) => format!("{}/{occurrence}", list_href(id)),
        Err(_) => String::new(),
    };
    let yes = |b: bool| if b { "yes".to_owned() } else { String::new() };
    let typed = vec![
        ("what_happened", value("what_happened")),
        ("aware_on", value("aware_on")),
        ("fire", yes(ticked("fire"))),
        ("structure", yes(ticked("structure"))),
        ("harm", yes(ticked("harm"))),
    ];
    answer("record", outcome.map(|_| ()), typed, done, |draft| {
        list_page(&app, &staff, id, Some(draft))
    })
    .await
}

async fn one(
    State(app): State<App>,
    staff: Staff,
    Path((id, occurrence)): Path<(BuildingId, String)>,
    Query(done): Query<Done>,
) -> AppResult<Response> {
    let notice = done
        .done
        .map(|_| "Saved. It is in the building's trail.".to_owned());
    Ok(respond(
        &report_page(&app, &staff, id, &occurrence, notice, None).await?,
    ))
}

fn by(name: Option<&String>, at: Option<time::OffsetDateTime>) -> String {
    match (name, at) {
        (Some(name), Some(at)) => format!("{name}, {}", format_date_time(at)),
        _ => String::new(),
    }
}

async fn report_page(
    app: &App,
    staff: &Staff,
    id: BuildingId,
    occurrence: &str,
    notice: Option<String>,
    draft: Option<Draft>,
) -> AppResult<RecordPage> {
    let actor = staff.actor();
    let (b, r) = occurrences::one(app, actor, id, occurrence).await?;
    let today = crate::services::today(app);
    let mut entries = vec![Entry {
        meta: format!(
            "What happened · drafted by {}, {}",
            r.created_by_name,
            format_date_time(r.created_at)
        ),
        body: r.what_happened.clone(),
        internal: false,
    }];
    if let Some(reference) = &r.notice_reference {
        entries.push(Entry {
            meta: format!(
                "Notice sent to the Regulator · {}",
                by(r.notified_by_name.as_ref(), r.notified_at)
            ),
            body: format!("The Regulator's reference: {reference}"),
            internal: false,
        });
    }
    if let Some(report) = &r.report {
        entries.push(Entry {
            meta: format!(
                "Report sent to the Regulator · {}",
                by(r.reported_by_name.as_ref(), r.reported_at)
            ),
            body: report.clone(),
            internal: false,
        });
    }
    if let Some(reason) = &r.dismissed_reason {
        entries.push(Entry {
            meta: format!(
                "Not a mandatory occurrence · {}",
                by(r.dismissed_by_name.as_ref(), r.dismissed_at)
            ),
            body: reason.clone(),
            internal: false,
        });
    }
    let fill = Filler {
        draft: draft.as_ref(),
    };
    let href = format!("{}/{}", list_href(id), r.id);
    let mut forms = Vec::new();
    let keeps = crate::services::golden_thread::may_keep(actor, &b);
    if keeps && r.status.next_states().contains(&OccurrenceStatus::Notified) {
        forms.push(Form {
            id: "notice",
            heading: "Notice sent to the Regulator",
            action: format!("{href}/notice"),
            hidden: Vec::new(),
            fields: vec![Field {
                name: "reference",
                label: "The Regulator's reference for the notice",
                hint: Some("As the Regulator's portal gave it when the notice was sent."),
                input: Input::Text(fill.value("notice", "reference", "")),
                error: fill.error("notice", "reference"),
            }],
            submit: "Record the notice as sent",
            warning: false,
        });
    }
    if keeps && r.status.next_states().contains(&OccurrenceStatus::Reported) {
        forms.push(Form {
            id: "report",
            heading: "Report sent to the Regulator",
            action: format!("{href}/report"),
            hidden: Vec::new(),
            fields: vec![Field {
                name: "report",
                label: "The full report as sent",
                hint: Some(
                    "What happened, why, what was done, and what will stop it happening again.",
                ),
                input: Input::TextArea(fill.value("report", "report", "")),
                error: fill.error("report", "report"),
            }],
            submit: "Record the report as sent",
            warning: false,
        });
    }
    if keeps
        && r.status
            .next_states()
            .contains(&OccurrenceStatus::Dismissed)
    {
        forms.push(Form {
            id: "dismiss",
            heading: "Not a mandatory occurrence",
            action: format!("{href}/dismiss"),
            hidden: Vec::new(),
            fields: vec![Field {
                name: "reason",
                label: "Why it does not meet the test",
                hint: Some("Kept with the report for 15 years."),
                input: Input::TextArea(fill.value("dismiss", "reason", "")),
                error: fill.error("dismiss", "reason"),
            }],
            submit: "Dismiss it",
            warning: true,
        });
    }
    let mut summary = vec![
        ("Where it stands".into(), status_cell(&r, today)),
        ("Aware".into(), Cell::date(r.aware_on)),
        ("Report due".into(), Cell::text(format_date(r.due_on))),
        ("What it involves".into(), Cell::text(signs_of(&r))),
        ("Kept until at least".into(), Cell::date(r.keep_until)),
    ];
    if let Some(t) = r.ticket_id {
        summary.push((
            "Raised".into(),
            Cell::link("From a resident's concern", format!("/tickets/{t}")),
        ));
    }
    summary.push((
        "All reports".into(),
        Cell::link("Mandatory occurrence reports", list_href(id)),
    ));
    Ok(RecordPage {
        chrome: staff.chrome("/sites"),
        title: format!("Occurrence report {}", r.reference),
        caption: Some("Golden thread".into()),
        cards: Vec::new(),
        summary,
        sections: vec![Section {
            heading: "The record".into(),
            entries,
            ..Section::default()
        }],
        actions: Actions::answering(notice, draft.as_ref(), forms),
        audit: None,
    })
}

async fn advance(
    State(app): State<App>,
    staff: Staff,
    Path((id, occurrence, step)): Path<(BuildingId, String, String)>,
    CsrfForm(form): CsrfForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    let value = |name: &str| sent(&form, name).to_owned();
    let (form_id, field, text) = match step.as_str() {
        "notice" => ("notice", "reference", value("reference")),
        "report" => ("report", "report", value("report")),
        "dismiss" => ("dismiss", "reason", value("reason")),
        _ => return Err(crate::error::AppError::NotFound),
    };
    let next = match form_id {
        "notice" => Next::Notice { reference: &text },
        "report" => Next::Report { report: &text },
        _ => Next::Dismiss { reason: &text },
    };
    let outcome = occurrences::advance(&app, staff.actor(), id, &occurrence, &next).await;
    let done = format!("{}/{occurrence}?done={form_id}", list_href(id));
    answer(
        form_id,
        outcome,
        vec![(field, text.clone())],
        done,
        |draft| report_page(&app, &staff, id, &occurrence, None, Some(draft)),
    )
    .await
}
