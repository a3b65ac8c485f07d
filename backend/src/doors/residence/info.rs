//! What the organisation shares with a resident: notices for their buildings (current ones),
//! documents shared with residents, and their own details and email preferences.

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use proplink_shared::london::format_date;
use proplink_shared::{DocumentId, NoticeId};
use serde::Deserialize;

use super::Resident;
use crate::app::App;
use crate::doors::admin::forms::{Draft, Filler, sent_back};
use crate::doors::admin::view::ListParams;
use crate::doors::extract::{Path, Query};
use crate::doors::pages::{
    Actions, Cell, Choice, Field, Form, Input, ListPage, RecordPage, Section, Table, headers,
    respond,
};
use crate::doors::web::CsrfForm;
use crate::error::{AppError, AppResult};
use crate::services::{documents, notices, residents};
use crate::store::notices::NoticeFilter;
use crate::store::residents::Preferences;

pub fn router() -> Router<App> {
    Router::new()
        .route("/notices", get(notice_list))
        .route("/notices/{id}", get(notice))
        .route("/documents", get(document_list))
        .route("/documents/{id}/file", get(document_file))
        .route("/profile", get(profile).post(save_profile))
}

async fn notice_list(
    State(app): State<App>,
    me: Resident,
    Query(params): Query<ListParams>,
) -> AppResult<Response> {
    let today = proplink_shared::london::local(app.clock.now()).date();
    let page = notices::notices(
        &app,
        me.actor(),
        &NoticeFilter {
            current_on: Some(today),
            ..NoticeFilter::default()
        },
        &params.at(2)?,
    )
    .await?;
    Ok(respond(&ListPage {
        chrome: me.chrome("/notices"),
        title: "Notices".into(),
        intro: Some(format!(
            "Current notices from {} for your building.",
            me.org.name
        )),
        links: Vec::new(),
        filters: Vec::new(),
        action: "/notices",
        table: Table {
            caption: "Current notices, newest first".into(),
            headers: headers(&["Notice", "For", "Published", ""]),
            rows: page
                .items
                .iter()
                .map(|n| {
                    vec![
                        Cell::link(&n.title, format!("/notices/{}", n.id)),
                        Cell::text(&n.place),
                        Cell::date(n.publish_on),
                        if n.urgent {
                            Cell::tag("Urgent", "red")
                        } else {
                            Cell::text("")
                        },
                    ]
                })
                .collect(),
            empty: "There are no notices at the moment.".into(),
        },
        pager: params.pager("/notices", &page),
    })
    .into_response())
}

async fn notice(
    State(app): State<App>,
    me: Resident,
    Path(id): Path<NoticeId>,
) -> AppResult<Response> {
    let n = notices::notice(&app, me.actor(), id).await?;
    let today = proplink_shared::london::local(app.clock.now()).date();
    // Expired and not yet published notices are not shown to residents.
    if n.publish_on > today || n.expires_on.is_some_and(|e| e <= today) {
        return Err(AppError::NotFound);
    }
    Ok(respond(&RecordPage {
        chrome: me.chrome("/notices"),
        title: n.title.clone(),
        caption: Some(n.place.clone()),
        cards: Vec::new(),
        summary: {
            let mut s = vec![("Published".into(), Cell::date(n.publish_on))];
            if n.urgent {
                s.push(("Urgent".into(), Cell::tag("Urgent", "red")));
            }
            if let Some(e) = n.expires_on {
                s.push(("Shown until".into(), Cell::text(format_date(e))));
            }
            s
        },
        sections: vec![Section {
            heading: "Notice".into(),
            paragraphs: crate::doors::pages::paragraphs(&n.body),
            ..Section::default()
        }],
        actions: Actions::default(),
        audit: None,
    })
    .into_response())
}

async fn document_list(
    State(app): State<App>,
    me: Resident,
    Query(params): Query<ListParams>,
) -> AppResult<Response> {
    let page = documents::page(&app, me.actor(), None, &params.at(3)?).await?;
    Ok(respond(&ListPage {
        chrome: me.chrome("/documents"),
        title: "Documents".into(),
        intro: Some(format!(
            "Documents {} shares with the residents of your building.",
            me.org.name
        )),
        links: Vec::new(),
        filters: Vec::new(),
        action: "/documents",
        table: Table {
            caption: "Shared documents by folder".into(),
            headers: headers(&["Document", "Folder", "File", "Size"]),
            rows: page
                .items
                .iter()
                .map(|d| {
                    vec![
                        Cell::link(&d.title, format!("/documents/{}/file", d.id)),
                        Cell::text(&d.folder),
                        Cell::text(&d.filename),
                        Cell::text(size(d.size_bytes)).numeric(),
                    ]
                })
                .collect(),
            empty: "Nothing has been shared with residents yet.".into(),
        },
        pager: params.pager("/documents", &page),
    })
    .into_response())
}

fn size(bytes: i64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} KB", (bytes + 1023) / 1024)
    }
}

async fn document_file(
    State(app): State<App>,
    me: Resident,
    Path(id): Path<DocumentId>,
) -> AppResult<Response> {
    let (content_type, filename, bytes) = documents::file(&app, me.actor(), id, None).await?;
    Ok(crate::doors::admin::documents::download(
        &content_type,
        &filename,
        bytes,
    ))
}

pub(super) async fn profile_page(
    app: &App,
    me: &Resident,
    draft: Option<&Draft>,
) -> AppResult<RecordPage> {
    let prefs = residents::preferences(app, me.actor()).await?;
    let c = &me.session.contact;
    let fill = Filler { draft };
    let yes_no = |name: &str, current: bool| {
        let chosen = fill.value("profile", name, if current { "yes" } else { "no" });
        vec![
            Choice {
                value: "yes".into(),
                label: "Yes, email me".into(),
                selected: chosen == "yes",
            },
            Choice {
                value: "no".into(),
                label: "No, I will look on ResidencePort".into(),
                selected: chosen != "yes",
            },
        ]
    };
    let homes = Section {
        heading: "Your homes".into(),
        table: Some(Table {
            caption: "The homes you are linked to".into(),
            headers: headers(&["Home", "Building", "As"]),
            rows: me
                .session
                .homes
                .iter()
                .map(|h| {
                    vec![
                        Cell::text(&h.unit_name),
                        Cell::text(&h.building_name),
                        Cell::text(h.role.label()),
                    ]
                })
                .collect(),
            empty: String::new(),
        }),
        paragraphs: vec![format!(
            "To change your name or the email address you sign in with, contact {}{}.",
            me.org.name,
            if me.org.contact_email.is_empty() {
                String::new()
            } else {
                format!(" at {}", me.org.contact_email)
            }
        )],
        ..Section::default()
    };
    let devices = crate::services::push::subscriptions(app, me.actor()).await?;
    let chrome = me.chrome("/profile");
    let mut forms = vec![Form {
        id: "profile",
        heading: "Contact details and emails",
        action: "/profile".into(),
        hidden: Vec::new(),
        fields: vec![
            Field {
                name: "phone",
                label: "Phone number",
                hint: Some("So staff or a contractor can arrange a visit"),
                input: Input::Text(fill.value("profile", "phone", &c.phone)),
                error: fill.error("profile", "phone"),
            },
            Field {
                name: "requests",
                label: "Email me when staff reply to my requests",
                hint: None,
                input: Input::Select(yes_no("requests", prefs.requests)),
                error: None,
            },
            Field {
                name: "notices",
                label: "Email me notices for my building",
                hint: Some("Urgent notices are always emailed."),
                input: Input::Select(yes_no("notices", prefs.notices)),
                error: None,
            },
        ],
        submit: "Save",
        warning: false,
    }];
    forms.extend(
        crate::doors::push::forms(
            app,
            me.actor(),
            crate::services::push::PushKind::FOR_RESIDENTS,
            &devices,
            draft,
        )
        .await?,
    );
    Ok(RecordPage {
        chrome,
        title: "Your profile".into(),
        caption: None,
        cards: Vec::new(),
        summary: vec![
            ("Name".into(), Cell::text(c.full_name())),
            (
                "Email".into(),
                Cell::text(c.email.clone().unwrap_or_default()),
            ),
            ("Phone".into(), Cell::text(&c.phone)),
        ],
        sections: vec![homes, crate::doors::push::section(&devices)],
        actions: Actions {
            notice: None,
            problems: draft.map(Draft::problems).unwrap_or_default(),
            forms,
        },
        audit: None,
    })
}

#[derive(Deserialize, Default)]
struct Saved {
    #[serde(default)]
    saved: bool,
    #[serde(default)]
    push: String,
}

async fn profile(
    State(app): State<App>,
    me: Resident,
    Query(saved): Query<Saved>,
) -> AppResult<Response> {
    let mut page = profile_page(&app, &me, None).await?;
    if saved.saved {
        page.actions.notice = Some("Your details were saved.".into());
    }
    page.actions.notice = match saved.push.as_str() {
        "on" => Some("Notifications are on for this device.".into()),
        "off" => Some("Notifications are off for that device.".into()),
        "saved" => Some("Your notification settings were saved.".into()),
        _ => page.actions.notice,
    };
    Ok(respond(&page).into_response())
}

#[derive(Deserialize)]
struct ProfileForm {
    #[serde(default)]
    phone: String,
    #[serde(default)]
    requests: String,
    #[serde(default)]
    notices: String,
}

async fn save_profile(
    State(app): State<App>,
    me: Resident,
    CsrfForm(form): CsrfForm<ProfileForm>,
) -> AppResult<Response> {
    let prefs = Preferences {
        requests: form.requests == "yes",
        notices: form.notices == "yes",
    };
    let outcome = residents::update_own_details(&app, me.actor(), &form.phone, prefs).await;
    let typed = vec![
        ("phone", form.phone),
        ("requests", form.requests),
        ("notices", form.notices),
    ];
    match sent_back("profile", outcome, typed)? {
        None => Ok(Redirect::to("/profile?saved=true").into_response()),
        Some((status, draft)) => Ok((
            status,
            respond(&profile_page(&app, &me, Some(&draft)).await?),
        )
            .into_response()),
    }
}
