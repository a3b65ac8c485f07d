//! The portals that have not opened yet answer with their own signed-out landing page:
//! ResidencePort and BuildingThread branded per organisation, ContractorPort unbranded.

use axum::Router;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::OrgContext;
use super::admin::{brand_css, public_chrome};
use super::pages::{Chrome, LandingPage, render};
use crate::app::App;
use crate::error::AppError;

type Org = axum::Extension<OrgContext>;

pub fn residence_router() -> Router<App> {
    Router::new()
        .route("/", get(|axum::Extension(OrgContext(org)): Org| async move {
            landing(public_chrome(&org, "ResidencePort"), format!("{} ResidencePort", org.name), vec![
                "Your statement, invoices, requests, notices and documents, in one place.".into(),
                "Signing in to ResidencePort opens soon. Until then, contact your managing agent.".into(),
            ])
        }))
        .route("/assets/brand.css", get(brand_css))
        .fallback(|| async { AppError::NotFound })
}

pub fn thread_router() -> Router<App> {
    Router::new()
        .route("/", get(|axum::Extension(OrgContext(org)): Org| async move {
            landing(public_chrome(&org, "BuildingThread"), format!("{} BuildingThread", org.name), vec![
                "The golden thread of building-safety information for residents of higher-risk buildings and the Building Safety Regulator.".into(),
                "Signing in to BuildingThread opens soon.".into(),
            ])
        }))
        .route("/assets/brand.css", get(brand_css))
        .fallback(|| async { AppError::NotFound })
}

pub fn contractor_router() -> Router<App> {
    let chrome = || Chrome {
        org_name: "ContractorPort".into(),
        product: "PropLink",
        user_name: None,
        csrf: String::new(),
        nav: Vec::new(),
    };
    Router::new()
        .route("/", get(move || async move {
            landing(chrome(), "ContractorPort".into(), vec!["Open the link in your invitation email to see your work order. There is nothing to browse here.".into()])
        }))
        .route("/assets/brand.css", get(|| async { ([(axum::http::header::CONTENT_TYPE, "text/css")], ":root { --brand: #0b0c0c; }\n") }))
        .fallback(|| async { AppError::NotFound })
}

fn landing(chrome: Chrome, heading: String, paragraphs: Vec<String>) -> Response {
    render(&LandingPage {
        chrome,
        heading,
        paragraphs,
    })
    .into_response()
}
