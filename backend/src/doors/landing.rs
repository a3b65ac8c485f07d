//! BuildingThread, not open yet, answers with its own signed-out landing page, branded per
//! organisation.

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;

use super::OrgContext;
use super::admin::public_chrome;
use super::pages::{Chrome, LandingPage, respond};
use crate::app::App;
use crate::error::AppError;

type Org = axum::Extension<OrgContext>;

/// The organisation's own welcome, paragraph by paragraph, or ours when it has none; then
/// what the portal offers now.
fn welcome(theirs: &str, ours: &str, then: &str) -> Vec<String> {
    let mut paragraphs = super::pages::paragraphs(theirs);
    if paragraphs.is_empty() {
        paragraphs.push(ours.to_owned());
    }
    paragraphs.push(then.to_owned());
    paragraphs
}

pub fn thread_router() -> Router<App> {
    Router::new()
        .route(
            "/",
            get(|State(app): State<App>, axum::Extension(OrgContext(org)): Org| async move {
                landing(
                    public_chrome(&app, &org, "BuildingThread"),
                    format!("{} BuildingThread", org.name),
                    welcome(
                        &org.thread_welcome_text,
                        "The golden thread of building-safety information for residents of higher-risk buildings and the Building Safety Regulator.",
                        "Signing in to BuildingThread opens soon.",
                    ),
                )
            }),
        )
        .route("/brand/logo/{sha}", get(super::admin::logo))
        .fallback(|| async { AppError::NotFound })
}

fn landing(chrome: Chrome, heading: String, paragraphs: Vec<String>) -> Response {
    respond(&LandingPage {
        chrome,
        heading,
        paragraphs,
    })
}
