//! The front doors. The Host header picks the door and the organisation; an unknown host or
//! organisation answers 404 and says nothing about what exists.

pub mod admin;
pub mod api;
pub mod landing;
pub mod pages;
pub mod web;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower::ServiceExt;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::app::App;
use crate::config::Config;
use crate::error::AppError;
use crate::store::orgs::OrgRow;

/// Which door a host names.
#[derive(Debug, PartialEq, Eq)]
pub enum Door {
    Admin(String),
    ResidencePort(String),
    BuildingThread(String),
    ContractorPort,
    Api,
    Unknown,
}

/// Classifies a Host header value (port ignored, case-insensitive).
#[must_use]
pub fn classify(host: &str, config: &Config) -> Door {
    let host = host.trim().to_ascii_lowercase();
    let host = host
        .rsplit_once(':')
        .filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit()))
        .map_or(host.as_str(), |(h, _)| h);
    let host = host.trim_end_matches('.');
    if host == config.contractor_domain {
        return Door::ContractorPort;
    }
    if host == config.api_domain {
        return Door::Api;
    }
    let org_of = |domain: &str| {
        host.strip_suffix(domain)
            .and_then(|rest| rest.strip_suffix('.'))
            .filter(|slug| !slug.is_empty() && !slug.contains('.'))
            .filter(|slug| !proplink_shared::records::RESERVED_SLUGS.contains(slug))
            .map(str::to_owned)
    };
    if let Some(slug) = org_of(&config.admin_domain) {
        Door::Admin(slug)
    } else if let Some(slug) = org_of(&config.residence_domain) {
        Door::ResidencePort(slug)
    } else if let Some(slug) = org_of(&config.thread_domain) {
        Door::BuildingThread(slug)
    } else {
        Door::Unknown
    }
}

/// The organisation a request is for, resolved from its host before any door sees it.
#[derive(Clone)]
pub struct OrgContext(pub OrgRow);

#[derive(Clone)]
struct Doors {
    app: App,
    admin: Router,
    residence: Router,
    thread: Router,
    contractor: Router,
    api: Router,
}

/// The whole HTTP surface.
pub fn router(app: App) -> Router {
    // Web forms are small; the API takes photo chunks and sets its own limit.
    let form_limit = || RequestBodyLimitLayer::new(2 * 1024 * 1024);
    let doors = Doors {
        admin: admin::router().layer(form_limit()).with_state(app.clone()),
        residence: landing::residence_router()
            .layer(form_limit())
            .with_state(app.clone()),
        thread: landing::thread_router()
            .layer(form_limit())
            .with_state(app.clone()),
        contractor: landing::contractor_router()
            .layer(form_limit())
            .with_state(app.clone()),
        api: api::router().with_state(app.clone()),
        app: app.clone(),
    };
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ready))
        .route("/assets/app.css", get(stylesheet))
        .fallback(dispatch)
        .with_state(doors)
        .layer(security_header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(security_header(header::REFERRER_POLICY, "no-referrer"))
        .layer(security_header(header::X_FRAME_OPTIONS, "DENY"))
        .layer(security_header(
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ))
        .layer(tower_http::trace::TraceLayer::new_for_http())
}

fn security_header(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
}

async fn ready(State(doors): State<Doors>) -> Response {
    match doors.app.db.read().await {
        Ok(_) => "ready".into_response(),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response(),
    }
}

async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        include_str!("../assets/app.css"),
    )
        .into_response()
}

async fn dispatch(State(doors): State<Doors>, mut req: Request) -> Response {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_owned)
        .or_else(|| req.uri().authority().map(|a| a.as_str().to_owned()))
        .unwrap_or_default();
    let (door, slug) = match classify(&host, &doors.app.config) {
        Door::Admin(slug) => (&doors.admin, slug),
        Door::ResidencePort(slug) => (&doors.residence, slug),
        Door::BuildingThread(slug) => (&doors.thread, slug),
        Door::ContractorPort => return run(&doors.contractor, req).await,
        Door::Api => return run(&doors.api, req).await,
        Door::Unknown => return not_found(),
    };
    let org = crate::services::orgs::by_slug(&doors.app, &slug).await;
    match org {
        Ok(Some(org)) => {
            req.extensions_mut().insert(OrgContext(org));
            run(door, req).await
        }
        Ok(None) => not_found(),
        Err(e) => e.into_response(),
    }
}

async fn run(router: &Router, req: Request) -> Response {
    match router.clone().oneshot(req).await {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

fn not_found() -> Response {
    AppError::NotFound.into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Settings;

    fn config() -> Config {
        Settings::default()
            .resolve()
            .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn hosts_pick_door_and_organisation() {
        let c = config();
        assert_eq!(
            classify("acme.proplink.localhost:8080", &c),
            Door::Admin("acme".into())
        );
        assert_eq!(
            classify("ACME.residenceport.localhost", &c),
            Door::ResidencePort("acme".into())
        );
        assert_eq!(
            classify("acme.buildingthread.localhost.", &c),
            Door::BuildingThread("acme".into())
        );
        assert_eq!(
            classify("contractorport.localhost:8080", &c),
            Door::ContractorPort
        );
        assert_eq!(classify("api.proplink.localhost", &c), Door::Api);
        assert_eq!(classify("proplink.localhost", &c), Door::Unknown);
        assert_eq!(classify("a.b.proplink.localhost", &c), Door::Unknown);
        assert_eq!(classify("www.proplink.localhost", &c), Door::Unknown);
        assert_eq!(classify("evil.example", &c), Door::Unknown);
        assert_eq!(classify("acmeproplink.localhost", &c), Door::Unknown);
    }
}
