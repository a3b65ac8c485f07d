//! Who outside the organisation reads a higher-risk building's golden thread, kept by those
//! who keep the thread: the Building Safety Regulator's inspectors, given access until a date
//! and revocable; the fire-safety information issued to every resident, with who has opened
//! it; and the handover pack to download.

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use proplink_shared::BuildingId;
use proplink_shared::london::{format_date, format_date_time};
use proplink_shared::records::{GoldenThreadCategory, fire_safety_reissue_on};
use serde::Deserialize;

use super::Staff;
use super::forms::{Done, Draft, Empty, Filler, answer};
use super::golden_thread::{back_to_thread, thread_href};
use crate::app::App;
use crate::doors::extract::{Path, Query};
use crate::doors::pages::{
    Actions, Cell, Choice, Field, Form, Input, RecordPage, Section, Table, headers, respond,
};
use crate::doors::web::CsrfForm;
use crate::error::AppResult;
use crate::services::golden_thread::fire_safety::{self, Standing};
use crate::services::golden_thread::handover::Format;
use crate::services::golden_thread::regulators::{self, NewAccess, last_day};

pub fn router() -> Router<App> {
    Router::new()
        .route(
            "/buildings/{id}/golden-thread/access",
            get(access).post(give),
        )
        .route("/buildings/{id}/golden-thread/access/revoke", post(revoke))
        .route(
            "/buildings/{id}/golden-thread/fire-safety-information",
            get(deliveries).post(issue),
        )
        .route("/buildings/{id}/golden-thread/handover.pdf", get(pack_pdf))
        .route(
            "/buildings/{id}/golden-thread/handover.json",
            get(pack_json),
        )
}

async fn access(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<BuildingId>,
    Query(done): Query<Done>,
) -> AppResult<Response> {
    let notice = match done.done.as_deref() {
        Some("given") => {
            Some("Access given. The inspector has been emailed where to sign in.".to_owned())
        }
        Some("revoked") => Some(
            "Access revoked. The inspector can no longer open this building's thread.".to_owned(),
        ),
        _ => None,
    };
    Ok(respond(&access_page(&app, &staff, id, notice, None).await?))
}

async fn access_page(
    app: &App,
    staff: &Staff,
    id: BuildingId,
    notice: Option<String>,
    draft: Option<Draft>,
) -> AppResult<RecordPage> {
    let actor = staff.actor();
    let (b, grants) = regulators::grants(app, actor, id).await?;
    let now = app.clock.now();
    let rows = grants
        .iter()
        .map(|g| {
            vec![
                Cell::text(&g.inspector_name),
                Cell::text(&g.inspector_email),
                Cell::text(format!(
                    "{} by {}",
                    format_date_time(g.granted_at),
                    g.granted_by_name
                )),
                Cell::date(last_day(g)),
                match (&g.revoked_at, &g.revoked_by_name) {
                    (Some(at), by) => Cell::tag(
                        format!(
                            "Revoked {} by {}",
                            format_date(proplink_shared::london::local(*at).date()),
                            by.as_deref().unwrap_or("someone")
                        ),
                        "grey",
                    ),
                    (None, _) if g.live_at(now) => Cell::tag("Open", "green"),
                    (None, _) => Cell::tag("Ended", "grey"),
                },
            ]
        })
        .collect();
    let fill = Filler {
        draft: draft.as_ref(),
    };
    let default_until =
        (proplink_shared::london::local(now).date() + time::Duration::days(90)).to_string();
    let mut forms = vec![Form {
        id: "give",
        heading: "Give an inspector access",
        action: format!("{}/access", thread_href(id)),
        hidden: Vec::new(),
        fields: vec![
            Field {
                name: "name",
                label: "Inspector's name",
                hint: None,
                input: Input::Text(fill.value("give", "name", "")),
                error: fill.error("give", "name"),
            },
            Field {
                name: "email",
                label: "Their email address",
                hint: Some(
                    "They sign in to BuildingThread with it; a code is sent to it each time.",
                ),
                input: Input::Email(fill.value("give", "email", "")),
                error: fill.error("give", "email"),
            },
            Field {
                name: "until",
                label: "Last day of access",
                hint: Some("A year at most. Access ends at midnight that day."),
                input: Input::Date(fill.value("give", "until", &default_until)),
                error: fill.error("give", "until"),
            },
        ],
        submit: "Give access",
        warning: false,
    }];
    let live: Vec<_> = grants.iter().filter(|g| g.live_at(now)).collect();
    if !live.is_empty() {
        let chosen = fill.value("revoke", "grant", "");
        forms.push(Form {
            id: "revoke",
            heading: "Revoke access",
            action: format!("{}/access/revoke", thread_href(id)),
            hidden: Vec::new(),
            fields: vec![Field {
                name: "grant",
                label: "Whose access ends now",
                hint: None,
                input: Input::Select(
                    live.iter()
                        .map(|g| Choice {
                            selected: g.id == chosen,
                            value: g.id.clone(),
                            label: format!(
                                "{} ({}), until {}",
                                g.inspector_name,
                                g.inspector_email,
                                format_date(last_day(g))
                            ),
                        })
                        .collect(),
                ),
                error: fill.error("revoke", "grant"),
            }],
            submit: "Revoke access",
            warning: true,
        });
    }
    Ok(RecordPage {
        chrome: staff.chrome("/sites"),
        title: format!("Access for the Regulator: {}", b.name),
        caption: Some("Golden thread".into()),
        cards: Vec::new(),
        summary: vec![back_to_thread(&b)],
        sections: vec![Section {
            heading: "Inspectors of the Building Safety Regulator".into(),
            paragraphs: vec![
                "An inspector given access reads the whole golden thread of this building on BuildingThread, every earlier version, and can download it as a handover pack. Each page they read and each pack they take is in the building's trail.".into(),
            ],
            table: Some(Table {
                caption: format!("Access to the golden thread of {}", b.name),
                headers: headers(&["Inspector", "Email", "Given", "Last day", "Now"]),
                rows,
                empty: "Nobody from the Regulator has been given access.".into(),
            }),
            ..Section::default()
        }],
        actions: Actions::answering(notice, draft.as_ref(), forms),
        audit: None,
    })
}

#[derive(Deserialize)]
struct GiveForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    until: String,
}

async fn give(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<BuildingId>,
    CsrfForm(form): CsrfForm<GiveForm>,
) -> AppResult<Response> {
    let outcome = regulators::grant(
        &app,
        staff.actor(),
        id,
        &NewAccess {
            name: &form.name,
            email: &form.email,
            until: &form.until,
        },
    )
    .await
    .map(|_| ());
    let typed = vec![
        ("name", form.name.clone()),
        ("email", form.email.clone()),
        ("until", form.until.clone()),
    ];
    answer(
        "give",
        outcome,
        typed,
        format!("{}/access?done=given", thread_href(id)),
        |draft| access_page(&app, &staff, id, None, Some(draft)),
    )
    .await
}

#[derive(Deserialize)]
struct RevokeForm {
    #[serde(default)]
    grant: String,
}

async fn revoke(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<BuildingId>,
    CsrfForm(form): CsrfForm<RevokeForm>,
) -> AppResult<Response> {
    let outcome = regulators::revoke(&app, staff.actor(), id, &form.grant).await;
    answer(
        "revoke",
        outcome,
        vec![("grant", form.grant.clone())],
        format!("{}/access?done=revoked", thread_href(id)),
        |draft| access_page(&app, &staff, id, None, Some(draft)),
    )
    .await
}

#[derive(Deserialize, Default)]
struct Issued {
    issued: Option<usize>,
}

async fn deliveries(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<BuildingId>,
    Query(issued): Query<Issued>,
) -> AppResult<Response> {
    let notice = issued.issued.map(|n| {
        format!(
            "Issued to {n} {}. Each has been emailed the way to read it.",
            if n == 1 { "resident" } else { "residents" }
        )
    });
    Ok(respond(
        &deliveries_page(&app, &staff, id, notice, None).await?,
    ))
}

async fn deliveries_page(
    app: &App,
    staff: &Staff,
    id: BuildingId,
    notice: Option<String>,
    draft: Option<Draft>,
) -> AppResult<RecordPage> {
    let actor = staff.actor();
    let (b, current, copies) = fire_safety::copies(app, actor, id).await?;
    let not_opened = copies
        .iter()
        .filter(|c| !matches!(c.standing, Standing::Opened(_)))
        .count();
    let due = copies.iter().filter(|c| c.due).count();
    let rows = copies
        .iter()
        .map(|c| {
            vec![
                Cell::link(&c.name, format!("/contacts/{}", c.contact)),
                c.latest.as_ref().map_or_else(
                    || Cell::text("Never"),
                    |d| {
                        Cell::text(format!(
                            "{} (version {}) by {}",
                            format_date_time(d.issued_at),
                            d.version,
                            d.issued_by_name
                        ))
                    },
                ),
                match &c.standing {
                    Standing::Opened(at) => Cell::text(format!("Opened {}", format_date_time(*at))),
                    Standing::NotOpened => Cell::tag("Not opened", "amber"),
                    Standing::NeverIssued => Cell::tag("Not issued", "red"),
                },
                match (&c.latest, c.due) {
                    (_, true) => Cell::tag("Due now", "amber"),
                    (Some(d), false) => Cell::text(format!(
                        "By {}",
                        format_date(fire_safety_reissue_on(
                            proplink_shared::london::local(d.issued_at).date()
                        ))
                    )),
                    (None, false) => Cell::text("When it is recorded"),
                },
            ]
        })
        .collect();
    let forms = if current.is_some() && due > 0 {
        vec![Form {
            id: "issue",
            heading: "Issue the fire safety information",
            action: format!("{}/fire-safety-information", thread_href(id)),
            hidden: Vec::new(),
            fields: Vec::new(),
            submit: "Issue to residents who are due",
            warning: false,
        }]
    } else {
        Vec::new()
    };
    Ok(RecordPage {
        chrome: staff.chrome("/sites"),
        title: format!("Fire safety information: {}", b.name),
        caption: Some("Golden thread".into()),
        cards: Vec::new(),
        summary: vec![
            back_to_thread(&b),
            (
                "Current information".into(),
                current.map_or_else(
                    || Cell::tag("Not recorded yet", "amber"),
                    |v| {
                        Cell::link(
                            format!("Version {v}"),
                            format!(
                                "{}/{}",
                                thread_href(id),
                                GoldenThreadCategory::FireSafetyInformation.code()
                            ),
                        )
                    },
                ),
            ),
            ("Residents".into(), Cell::text(copies.len().to_string())),
            ("Not opened".into(), Cell::text(not_opened.to_string())),
            ("Due an issue".into(), Cell::text(due.to_string())),
        ],
        sections: vec![Section {
            heading: "Who has it".into(),
            paragraphs: vec![
                "Every resident is given the fire safety information when they move in and every 12 months, and again when it changes. It counts as delivered when they open it on BuildingThread.".into(),
            ],
            table: Some(Table {
                caption: format!("Fire safety information given to residents of {}", b.name),
                headers: headers(&["Resident", "Last issued", "Delivery", "Next issue"]),
                rows,
                empty: "No resident of this building has an email address to issue it to.".into(),
            }),
            ..Section::default()
        }],
        actions: Actions::answering(notice, draft.as_ref(), forms),
        audit: None,
    })
}

async fn issue(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<BuildingId>,
    CsrfForm(_): CsrfForm<Empty>,
) -> AppResult<Response> {
    let outcome = fire_safety::issue(&app, staff.actor(), id).await;
    let done = match &outcome {
        Ok(n) => format!("{}/fire-safety-information?issued={n}", thread_href(id)),
        Err(_) => String::new(),
    };
    answer("issue", outcome.map(|_| ()), Vec::new(), done, |draft| {
        deliveries_page(&app, &staff, id, None, Some(draft))
    })
    .await
}

async fn pack_pdf(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<BuildingId>,
) -> AppResult<Response> {
    crate::doors::golden_thread::download(&app, staff.actor(), id, Format::Pdf).await
}

async fn pack_json(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<BuildingId>,
) -> AppResult<Response> {
    crate::doors::golden_thread::download(&app, staff.actor(), id, Format::Json).await
}
