//! Staff and roles: the list with the invitation form, and each member's page where their
//! role and sites change, or they are deactivated.

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use proplink_shared::records::RecordType;
use proplink_shared::{Action, Domain, Resource, Role, SiteId, StaffUserId, authorize};

use super::Staff;
use super::forms::{Done, Draft, Empty, Filler, answer, sent_back};
use super::view::{ListParams, TrailParams, status_tone, trail};
use crate::app::App;
use crate::doors::extract::{Path, Query};
use crate::doors::pages::{
    Actions, Cell, Choice, Field, Form, Input, RecordPage, Section, Table, headers, respond,
};
use crate::doors::web::CsrfForm;
use crate::error::{AppError, AppResult};
use crate::services::{places, staff};
use crate::store::orgs::StaffUser;

pub fn router() -> Router<App> {
    Router::new()
        .route("/staff", get(list).post(invite))
        .route("/staff/{id}", get(member))
        .route("/staff/{id}/role", post(change_role))
        .route("/staff/{id}/deactivate", post(deactivate))
        .route("/staff/{id}/reactivate", post(reactivate))
}

/// A form's fields as sent, repeated names (the sites ticked) included.
struct Sent(Vec<(String, String)>);

impl Sent {
    fn value(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map_or_else(String::new, |(_, v)| v.trim().to_owned())
    }

    fn sites(&self) -> AppResult<Vec<SiteId>> {
        self.0
            .iter()
            .filter(|(k, _)| k == "sites")
            .map(|(_, v)| {
                v.parse::<SiteId>()
                    .map_err(|_| AppError::invalid("sites", "Choose sites from the list"))
            })
            .collect()
    }

    fn role(&self) -> AppResult<Role> {
        Role::from_code(&self.value("role"))
            .ok_or_else(|| AppError::invalid("role", "Choose a role"))
    }
}

fn role_choices(selected: &str, may_grant: impl Fn(Role) -> bool) -> Vec<Choice> {
    Role::ALL
        .iter()
        .copied()
        .filter(|r| may_grant(*r))
        .map(|r| Choice {
            value: r.code().to_owned(),
            label: r.label().to_owned(),
            selected: r.code() == selected,
        })
        .collect()
}

/// The actor's role, to offer only the roles they may give.
fn granter(staff: &Staff) -> impl Fn(Role) -> bool + '_ {
    move |role| match staff.actor().principal {
        proplink_shared::Principal::Staff {
            role: Some(mine), ..
        } => mine.may_grant(role),
        _ => false,
    }
}

async fn site_boxes(
    app: &App,
    staff: &Staff,
    fill: Filler<'_>,
    form: &str,
    current: &[SiteId],
) -> AppResult<Vec<Choice>> {
    let typed: Vec<String> = fill
        .draft
        .filter(|d| d.form == form)
        .map(|d| {
            d.typed
                .iter()
                .filter(|(k, _)| *k == "sites")
                .map(|(_, v)| v.clone())
                .collect()
        })
        .unwrap_or_else(|| current.iter().map(ToString::to_string).collect());
    Ok(places::site_choices(app, staff.actor())
        .await?
        .into_iter()
        .map(|(id, name)| Choice {
            selected: typed.contains(&id.to_string()),
            value: id.to_string(),
            label: name,
        })
        .collect())
}

const SITES_HINT: &str = "Only for Site Managers and Maintenance Coordinators, who work on the sites ticked. Every other role covers all sites.";

async fn list_page(
    app: &App,
    staff: &Staff,
    params: &ListParams,
    notice: Option<String>,
    draft: Option<Draft>,
) -> AppResult<RecordPage> {
    let actor = staff.actor();
    let page = staff::staff(app, actor, &params.at(2)?).await?;
    let pager = params.pager("/staff", &page);
    let rows = page
        .items
        .iter()
        .map(|u| {
            vec![
                Cell::link(&u.name, format!("/staff/{}", u.id)),
                Cell::text(&u.email),
                Cell::text(u.role.map_or("No role", Role::label)),
                Cell::text(if u.all_sites {
                    "All sites"
                } else {
                    "Selected sites"
                }),
                status(u),
            ]
        })
        .collect();
    let fill = Filler {
        draft: draft.as_ref(),
    };
    let mut forms = Vec::new();
    if authorize(
        actor,
        Action::Create,
        &Resource::org_wide(actor.org, Domain::Users),
    )
    .is_ok()
    {
        let form = "invite";
        forms.push(Form {
            id: form,
            heading: "Invite a member of staff",
            action: "/staff".into(),
            hidden: Vec::new(),
            fields: vec![
                Field {
                    name: "name",
                    label: "Full name",
                    hint: None,
                    input: Input::Text(fill.value(form, "name", "")),
                    error: fill.error(form, "name"),
                },
                Field {
                    name: "email",
                    label: "Email address",
                    hint: Some("They sign in with a code sent here; we email them how."),
                    input: Input::Email(fill.value(form, "email", "")),
                    error: fill.error(form, "email"),
                },
                Field {
                    name: "role",
                    label: "Role",
                    hint: None,
                    input: Input::Select(role_choices(
                        &fill.value(form, "role", Role::Manager.code()),
                        granter(staff),
                    )),
                    error: fill.error(form, "role"),
                },
                Field {
                    name: "sites",
                    label: "Sites",
                    hint: Some(SITES_HINT),
                    input: Input::Checkboxes(site_boxes(app, staff, fill, form, &[]).await?),
                    error: fill.error(form, "sites"),
                },
            ],
            submit: "Send invitation",
            warning: false,
        });
    }
    Ok(RecordPage {
        chrome: staff.chrome("/staff"),
        title: "Staff".into(),
        caption: None,
        cards: Vec::new(),
        summary: Vec::new(),
        sections: vec![Section {
            heading: "Members of staff".into(),
            table: Some(Table {
                caption: "Staff, by name".into(),
                headers: headers(&["Name", "Email", "Role", "Covers", "Status"]),
                rows,
                empty: "Nobody yet.".into(),
            }),
            pager,
            ..Section::default()
        }],
        actions: Actions::answering(notice, draft.as_ref(), forms),
        audit: None,
    })
}

fn status(u: &StaffUser) -> Cell {
    if u.active {
        Cell::tag("Active", "green")
    } else {
        Cell::tag("Deactivated", status_tone(true))
    }
}

async fn list(
    State(app): State<App>,
    staff: Staff,
    Query(params): Query<ListParams>,
    Query(done): Query<Done>,
) -> AppResult<Response> {
    let notice = (done.done.as_deref() == Some("invite")).then(|| {
        "The invitation was sent. They can sign in now with their email address.".to_owned()
    });
    Ok(respond(
        &list_page(&app, &staff, &params, notice, None).await?,
    ))
}

async fn invite(
    State(app): State<App>,
    staff: Staff,
    CsrfForm(sent): CsrfForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    let sent = Sent(sent);
    let outcome = match (sent.role(), sent.sites()) {
        (Ok(role), Ok(sites)) => staff::invite(
            &app,
            staff.actor(),
            &sent.value("email"),
            &sent.value("name"),
            role,
            &sites,
        )
        .await
        .map(drop),
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    let mut typed: Vec<(&'static str, String)> = vec![
        ("name", sent.value("name")),
        ("email", sent.value("email")),
        ("role", sent.value("role")),
    ];
    typed.extend(
        sent.0
            .iter()
            .filter(|(k, _)| k == "sites")
            .map(|(_, v)| ("sites", v.clone())),
    );
    match sent_back("invite", outcome, typed)? {
        None => Ok(Redirect::to("/staff?done=invite").into_response()),
        Some((code, draft)) => {
            let page = list_page(&app, &staff, &ListParams::default(), None, Some(draft)).await?;
            Ok((code, respond(&page)).into_response())
        }
    }
}

fn notice(form: &str) -> Option<String> {
    Some(
        match form {
            "role" => "The role was changed. Their sessions and devices were signed out, so they sign in again with it.",
            "deactivate" => "They were deactivated: signed out everywhere, and they can no longer sign in.",
            "reactivate" => "They were reactivated and can sign in again.",
            _ => return None,
        }
        .to_owned(),
    )
}

async fn member(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<StaffUserId>,
    Query(at): Query<TrailParams>,
    Query(done): Query<Done>,
) -> AppResult<Response> {
    let notice = done.done.as_deref().and_then(notice);
    Ok(respond(
        &member_page(&app, &staff, id, &at, notice, None).await?,
    ))
}

async fn member_page(
    app: &App,
    staff: &Staff,
    id: StaffUserId,
    at: &TrailParams,
    notice: Option<String>,
    draft: Option<Draft>,
) -> AppResult<RecordPage> {
    let actor = staff.actor();
    let (u, sites) = staff::member(app, actor, id).await?;
    let names = places::site_choices(app, actor).await?;
    let covers = if u.all_sites {
        "All sites".to_owned()
    } else {
        let mine: Vec<&str> = names
            .iter()
            .filter(|(s, _)| sites.contains(s))
            .map(|(_, n)| n.as_str())
            .collect();
        if mine.is_empty() {
            "No sites".to_owned()
        } else {
            mine.join(", ")
        }
    };
    let summary = vec![
        ("Status".into(), status(&u)),
        ("Email".into(), Cell::text(&u.email)),
        (
            "Role".into(),
            Cell::text(u.role.map_or("No role", Role::label)),
        ),
        ("Covers".into(), Cell::text(covers)),
    ];
    let fill = Filler {
        draft: draft.as_ref(),
    };
    let users = Resource::org_wide(actor.org, Domain::Users);
    let may = |action| authorize(actor, action, &users).is_ok();
    let grants = granter(staff);
    let may_touch = u.role.is_none_or(&grants);
    let action = |what: &str| format!("/staff/{id}/{what}");
    let mut forms = Vec::new();
    if may(Action::Update) && may_touch && u.active {
        let form = "role";
        forms.push(Form {
            id: form,
            heading: "Role and sites",
            action: action("role"),
            hidden: Vec::new(),
            fields: vec![
                Field {
                    name: "role",
                    label: "Role",
                    hint: None,
                    input: Input::Select(role_choices(
                        &fill.value(form, "role", u.role.map_or("", Role::code)),
                        &grants,
                    )),
                    error: fill.error(form, "role"),
                },
                Field {
                    name: "sites",
                    label: "Sites",
                    hint: Some(SITES_HINT),
                    input: Input::Checkboxes(site_boxes(app, staff, fill, form, &sites).await?),
                    error: fill.error(form, "sites"),
                },
            ],
            submit: "Save role",
            warning: false,
        });
    }
    let is_me =
        matches!(actor.principal, proplink_shared::Principal::Staff { user, .. } if user == id);
    if may(Action::Archive) && may_touch && u.active && !is_me {
        forms.push(Form {
            id: "deactivate",
            heading: "Deactivate",
            action: action("deactivate"),
            hidden: Vec::new(),
            fields: Vec::new(),
            submit: "Deactivate and sign out everywhere",
            warning: true,
        });
    }
    if may(Action::Update) && may_touch && !u.active {
        forms.push(Form {
            id: "reactivate",
            heading: "Reactivate",
            action: action("reactivate"),
            hidden: Vec::new(),
            fields: Vec::new(),
            submit: "Reactivate",
            warning: false,
        });
    }
    let audit = trail(app, staff, RecordType::StaffUser, &id.to_string(), at).await?;
    Ok(RecordPage {
        chrome: staff.chrome("/staff"),
        title: u.name.clone(),
        caption: Some("Member of staff".into()),
        cards: Vec::new(),
        summary,
        sections: Vec::new(),
        actions: Actions::answering(notice, draft.as_ref(), forms),
        audit: Some(audit),
    })
}

async fn after(
    app: &App,
    staff: &Staff,
    id: StaffUserId,
    form: &'static str,
    outcome: AppResult<()>,
    typed: Vec<(&'static str, String)>,
) -> AppResult<Response> {
    let done = format!("/staff/{id}?done={form}");
    let first = TrailParams::default();
    answer(form, outcome, typed, done, |draft| {
        member_page(app, staff, id, &first, None, Some(draft))
    })
    .await
}

async fn change_role(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<StaffUserId>,
    CsrfForm(sent): CsrfForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    let sent = Sent(sent);
    let outcome = match (sent.role(), sent.sites()) {
        (Ok(role), Ok(sites)) => staff::change_role(&app, staff.actor(), id, role, &sites).await,
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    let mut typed: Vec<(&'static str, String)> = vec![("role", sent.value("role"))];
    typed.extend(
        sent.0
            .iter()
            .filter(|(k, _)| k == "sites")
            .map(|(_, v)| ("sites", v.clone())),
    );
    after(&app, &staff, id, "role", outcome, typed).await
}

async fn deactivate(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<StaffUserId>,
    CsrfForm(Empty {}): CsrfForm<Empty>,
) -> AppResult<Response> {
    let outcome = staff::deactivate(&app, staff.actor(), id).await;
    after(&app, &staff, id, "deactivate", outcome, Vec::new()).await
}

async fn reactivate(
    State(app): State<App>,
    staff: Staff,
    Path(id): Path<StaffUserId>,
    CsrfForm(Empty {}): CsrfForm<Empty>,
) -> AppResult<Response> {
    let outcome = staff::reactivate(&app, staff.actor(), id).await;
    after(&app, &staff, id, "reactivate", outcome, Vec::new()).await
}
