//! A staff member's own page: who they are to PropLink, and where they get notifications —
//! turned on here for this browser, off for any of theirs.

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::Staff;
use super::forms::Draft;
use crate::app::App;
use crate::doors::extract::Query;
use crate::doors::pages::{Actions, Cell, RecordPage, respond};
use crate::doors::push::{PreferencesForm, SubscribeForm, UnsubscribeForm, device_of};
use crate::doors::web::CsrfForm;
use crate::error::AppResult;
use crate::services::auth::Client;
use crate::services::push;
use crate::services::push::PushKind;

pub fn router() -> Router<App> {
    Router::new()
        .route("/profile", get(profile))
        .route("/push/subscriptions", post(subscribe))
        .route("/push/subscriptions/delete", post(unsubscribe))
        .route("/push/preferences", post(save_preferences))
}

async fn profile_page(app: &App, staff: &Staff, draft: Option<&Draft>) -> AppResult<RecordPage> {
    let devices = push::subscriptions(app, staff.actor()).await?;
    let me = &staff.session.staff;
    let chrome = staff.chrome("/profile");
    Ok(RecordPage {
        chrome,
        title: "Your profile".into(),
        caption: None,
        cards: Vec::new(),
        summary: vec![
            ("Name".into(), Cell::text(&me.name)),
            ("Email".into(), Cell::text(&me.email)),
            (
                "Role".into(),
                Cell::text(me.role.map_or("No role", |r| r.label())),
            ),
            (
                "Sites".into(),
                Cell::text(match &staff.actor().principal {
                    proplink_shared::Principal::Staff {
                        scope: Some(proplink_shared::SiteScope::Selected(sites)),
                        ..
                    } => match sites.len() {
                        1 => "One site".to_owned(),
                        n => format!("{n} sites"),
                    },
                    _ => "Every site".to_owned(),
                }),
            ),
        ],
        sections: vec![crate::doors::push::section(&devices)],
        actions: Actions {
            notice: None,
            problems: draft.map(Draft::problems).unwrap_or_default(),
            forms: crate::doors::push::forms(
                app,
                staff.actor(),
                PushKind::FOR_STAFF,
                &devices,
                draft,
            )
            .await?,
        },
        audit: None,
    })
}

#[derive(Deserialize, Default)]
struct Done {
    #[serde(default)]
    push: String,
}

async fn profile(
    State(app): State<App>,
    staff: Staff,
    Query(done): Query<Done>,
) -> AppResult<Response> {
    let mut page = profile_page(&app, &staff, None).await?;
    page.actions.notice = match done.push.as_str() {
        "on" => Some("Notifications are on for this device.".into()),
        "off" => Some("Notifications are off for that device.".into()),
        "saved" => Some("Your notification settings were saved.".into()),
        _ => None,
    };
    Ok(respond(&page).into_response())
}

async fn subscribe(
    State(app): State<App>,
    staff: Staff,
    client: Client,
    CsrfForm(form): CsrfForm<SubscribeForm>,
) -> AppResult<Response> {
    let outcome = match form.subscription() {
        Ok(subscription) => push::subscribe(
            &app,
            staff.actor(),
            "admin",
            &device_of(&client),
            &subscription,
        )
        .await
        .map(|_| ()),
        Err(e) => Err(e),
    };
    answer(
        &app,
        &staff,
        "push",
        outcome,
        Vec::new(),
        "/profile?push=on",
    )
    .await
}

async fn unsubscribe(
    State(app): State<App>,
    staff: Staff,
    CsrfForm(form): CsrfForm<UnsubscribeForm>,
) -> AppResult<Response> {
    let outcome = push::unsubscribe(&app, staff.actor(), &form.subscription).await;
    let typed = vec![("subscription", form.subscription)];
    answer(
        &app,
        &staff,
        "push-off",
        outcome,
        typed,
        "/profile?push=off",
    )
    .await
}

async fn save_preferences(
    State(app): State<App>,
    staff: Staff,
    CsrfForm(sent): CsrfForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    let form = PreferencesForm::from_pairs(sent);
    let outcome = form.save(&app, staff.actor(), PushKind::FOR_STAFF).await;
    answer(
        &app,
        &staff,
        "push-prefs",
        outcome,
        form.typed(),
        "/profile?push=saved",
    )
    .await
}

/// On to the profile, or the profile again with what was wrong: the doors' one way to answer
/// a form.
async fn answer(
    app: &App,
    staff: &Staff,
    form: &'static str,
    outcome: AppResult<()>,
    typed: Vec<(&'static str, String)>,
    done: &str,
) -> AppResult<Response> {
    crate::doors::admin::forms::answer(form, outcome, typed, done.to_owned(), |draft| async move {
        profile_page(app, staff, Some(&draft)).await
    })
    .await
}
