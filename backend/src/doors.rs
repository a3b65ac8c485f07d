//! The front doors. The Host header picks the door and the organisation; an unknown host or
//! organisation answers 404 and says nothing about what exists. A request with more than one
//! Host, or one that is not a host name, is refused before any door sees it.

pub mod admin;
pub mod api;
pub mod assets;
pub mod chart;
pub mod contractor;
pub mod extract;
pub mod golden_thread;

pub mod pages;
pub mod pdf;
pub mod push;
pub mod residence;
pub mod sign_in;
pub mod thread;
pub mod web;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower::ServiceExt;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::app::App;
use crate::config::Config;
use crate::error::AppError;
use crate::store::orgs::Organisation;

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

/// Whether `value` is a host name with an optional port, and nothing else.
fn well_formed_host(value: &str) -> bool {
    let (name, port) = match value.rsplit_once(':') {
        Some((name, port)) => (name, Some(port)),
        None => (value, None),
    };
    let port_ok =
        port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()));
    let name = name.strip_suffix('.').unwrap_or(name);
    port_ok
        && !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// The host a request is for: its one Host header (or, for HTTP/2, its authority), which must
/// agree with an absolute-form request target.
fn request_host(req: &Request) -> Result<String, AppError> {
    let mut hosts = req.headers().get_all(header::HOST).iter();
    let header = hosts.next();
    if hosts.next().is_some() {
        return Err(AppError::bad_request(
            "bad_host",
            "The request has more than one Host header",
        ));
    }
    let header = header
        .map(|h| h.to_str().map(str::to_owned))
        .transpose()
        .map_err(|_| AppError::bad_request("bad_host", "The Host header is not valid"))?;
    let authority = req.uri().authority().map(|a| a.as_str().to_owned());
    let host = match (header, authority) {
        (Some(h), Some(a)) if !h.eq_ignore_ascii_case(&a) => {
            return Err(AppError::bad_request(
                "bad_host",
                "The Host header does not match the address requested",
            ));
        }
        (Some(h), _) | (None, Some(h)) => h,
        (None, None) => {
            return Err(AppError::bad_request(
                "bad_host",
                "The request has no Host header",
            ));
        }
    };
    if !well_formed_host(&host) {
        return Err(AppError::bad_request(
            "bad_host",
            "The Host header is not a host name",
        ));
    }
    Ok(host)
}

/// The organisation a request is for, resolved from its host before any door sees it.
#[derive(Clone)]
pub struct OrgContext(pub Organisation);

#[derive(Clone)]
struct Doors {
    app: App,
    admin: Router,
    residence: Router,
    thread: Router,
    contractor: Router,
    api: Router,
}

/// Web forms are small; the API sets its own limits per route.
const FORM_LIMIT: usize = 2 * 1024 * 1024;

/// The whole HTTP surface.
pub fn router(app: App) -> Router {
    let web = |r: Router<App>| {
        r.layer(DefaultBodyLimit::max(FORM_LIMIT))
            .layer(middleware::from_fn(private_by_default))
            .with_state(app.clone())
    };
    let doors = Doors {
        admin: web(admin::router()),
        residence: web(residence::router()),
        thread: web(thread::router()),
        contractor: web(contractor::router()),
        api: api::router().with_state(app.clone()),
        app: app.clone(),
    };
    let mut router = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ready))
        .merge(assets::router())
        .fallback(dispatch)
        .with_state(doors)
        .layer(security_header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(security_header(header::REFERRER_POLICY, "no-referrer"))
        .layer(security_header(header::X_FRAME_OPTIONS, "DENY"))
        .layer(security_header(
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ));
    if app.config.public_scheme == "https" {
        router = router.layer(security_header(
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=63072000; includeSubDomains",
        ));
    }
    // Pages and JSON go out compressed for clients that accept it; brotli's fast levels
    // shrink a page about as well as gzip's best at a fraction of the time.
    let compression = tower_http::compression::CompressionLayer::new()
        .quality(tower_http::CompressionLevel::Precise(4));
    router
        .layer(compression)
        .layer(tower_http::trace::TraceLayer::new_for_http())
}

fn security_header(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
}

/// Pages of the doors are about someone: no cache keeps them unless a handler says otherwise.
async fn private_by_default(req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    response
        .headers_mut()
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    response
}

async fn ready(State(doors): State<Doors>) -> Response {
    match doors.app.db.read().await {
        Ok(_) => "ready".into_response(),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response(),
    }
}

async fn dispatch(State(doors): State<Doors>, mut req: Request) -> Response {
    let host = match request_host(&req) {
        Ok(h) => h,
        Err(e) => return e.into_response(),
    };
    use crate::services::auth::Door as SignIn;
    let (door, slug) = match classify(&host, &doors.app.config) {
        Door::Admin(slug) => {
            req.extensions_mut().insert(SignIn::Admin);
            (&doors.admin, slug)
        }
        Door::ResidencePort(slug) => {
            req.extensions_mut().insert(SignIn::ResidencePort);
            (&doors.residence, slug)
        }
        Door::BuildingThread(slug) => {
            req.extensions_mut().insert(SignIn::BuildingThread);
            (&doors.thread, slug)
        }
        Door::ContractorPort => return run(&doors.contractor, req).await,
        Door::Api => return run(&doors.api, req).await,
        Door::Unknown => return AppError::NotFound.into_response(),
    };
    match crate::services::orgs::by_slug(&doors.app, &slug).await {
        Ok(Some(org)) => {
            req.extensions_mut().insert(OrgContext(org));
            run(door, req).await
        }
        Ok(None) => AppError::NotFound.into_response(),
        Err(e) => e.into_response(),
    }
}

async fn run(router: &Router, req: Request) -> Response {
    match router.clone().oneshot(req).await {
        Ok(response) => response,
        Err(never) => match never {},
    }
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

    #[test]
    fn only_host_names_are_hosts() {
        assert!(well_formed_host("acme.proplink.localhost:8080"));
        assert!(well_formed_host("localhost"));
        assert!(!well_formed_host("acme.proplink.localhost:80a"));
        assert!(!well_formed_host("acme proplink"));
        assert!(!well_formed_host("acme..proplink.localhost"));
        assert!(!well_formed_host("user@acme.proplink.localhost"));
        assert!(!well_formed_host(""));
        assert!(!well_formed_host("-acme.proplink.localhost"));
    }
}
