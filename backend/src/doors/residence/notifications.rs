//! Turning notifications on and off for a resident's browsers, from their profile page.

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::post;

use super::Resident;
use super::info::profile_page;
use crate::app::App;
use crate::doors::push::{PreferencesForm, SubscribeForm, UnsubscribeForm, device_of};
use crate::doors::web::CsrfForm;
use crate::error::AppResult;
use crate::services::auth::Client;
use crate::services::push;
use crate::services::push::PushKind;

pub fn router() -> Router<App> {
    Router::new()
        .route("/push/subscriptions", post(subscribe))
        .route("/push/subscriptions/delete", post(unsubscribe))
        .route("/push/preferences", post(save_preferences))
}

async fn subscribe(
    State(app): State<App>,
    me: Resident,
    client: Client,
    CsrfForm(form): CsrfForm<SubscribeForm>,
) -> AppResult<Response> {
    let outcome = match form.subscription() {
        Ok(subscription) => push::subscribe(
            &app,
            me.actor(),
            "residenceport",
            &device_of(&client),
            &subscription,
        )
        .await
        .map(|_| ()),
        Err(e) => Err(e),
    };
    answer(&app, &me, "push", outcome, Vec::new(), "/profile?push=on").await
}

async fn unsubscribe(
    State(app): State<App>,
    me: Resident,
    CsrfForm(form): CsrfForm<UnsubscribeForm>,
) -> AppResult<Response> {
    let outcome = push::unsubscribe(&app, me.actor(), &form.subscription).await;
    let typed = vec![("subscription", form.subscription)];
    answer(&app, &me, "push-off", outcome, typed, "/profile?push=off").await
}

async fn save_preferences(
    State(app): State<App>,
    me: Resident,
    CsrfForm(sent): CsrfForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    let form = PreferencesForm::from_pairs(sent);
    let outcome = form.save(&app, me.actor(), PushKind::FOR_RESIDENTS).await;
    answer(
        &app,
        &me,
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
    me: &Resident,
    form: &'static str,
    outcome: AppResult<()>,
    typed: Vec<(&'static str, String)>,
    done: &str,
) -> AppResult<Response> {
    crate::doors::admin::forms::answer(form, outcome, typed, done.to_owned(), |draft| async move {
        profile_page(app, me, Some(&draft)).await
    })
    .await
}
