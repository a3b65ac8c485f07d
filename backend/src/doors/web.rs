//! What every web door shares: cookies, the client's address, CSRF-checked forms.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use serde::de::DeserializeOwned;

use crate::app::App;
use crate::error::AppError;
use crate::services::auth::Client;

pub const SESSION_COOKIE: &str = "proplink_session";
/// Holds the CSRF token of a visitor who is not signed in yet (double-submit).
pub const CSRF_COOKIE: &str = "proplink_csrf";
/// Remembers which address a code was sent to, between the two sign-in steps.
pub const SIGN_IN_EMAIL_COOKIE: &str = "proplink_sign_in";

/// The value of cookie `name`.
#[must_use]
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// A `Set-Cookie` value: host-only, HttpOnly, SameSite=Lax; `max_age` 0 deletes it.
#[must_use]
pub fn set_cookie(app: &App, name: &str, value: &str, max_age_seconds: Option<u64>) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if app.config.cookie_secure {
        c.push_str("; Secure");
    }
    if let Some(age) = max_age_seconds {
        c.push_str(&format!("; Max-Age={age}"));
    }
    HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static("invalid=1; Max-Age=0"))
}

/// Compares two secrets in time independent of where they differ.
#[must_use]
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

impl FromRequestParts<App> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let forwarded = app
            .config
            .trust_forwarded_for
            .then(|| {
                parts
                    .headers
                    .get("x-forwarded-for")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.split(',').next())
                    .map(|v| v.trim().to_owned())
            })
            .flatten();
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip().to_string());
        let user_agent = parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .chars()
            .take(200)
            .collect();
        Ok(Client {
            ip: forwarded.or(peer).unwrap_or_else(|| "unknown".into()),
            user_agent,
        })
    }
}

/// A submitted form whose `csrf` field matched the token `expected` yields for this request.
pub struct CsrfForm<T>(pub T);

#[derive(serde::Deserialize)]
struct CsrfField {
    #[serde(default)]
    csrf: String,
}

/// Where a door finds the token a form must carry.
pub trait CsrfSource {
    fn expected(
        parts: &Parts,
        app: &App,
    ) -> impl std::future::Future<Output = Option<String>> + Send;
}

/// Reads a form body and checks its CSRF token against `S`.
pub async fn read_form<T: DeserializeOwned, S: CsrfSource>(
    req: Request,
    app: &App,
) -> Result<T, AppError> {
    let (parts, body) = req.into_parts();
    let expected = S::expected(&parts, app).await;
    let bytes = axum::body::to_bytes(body, 1024 * 1024)
        .await
        .map_err(|_| AppError::BadRequest("The form is too large".into()))?;
    let field: CsrfField =
        serde_urlencoded::from_bytes(&bytes).map_err(|_| AppError::CsrfRejected)?;
    match expected {
        Some(expected) if !field.csrf.is_empty() && same_secret(&field.csrf, &expected) => {}
        _ => return Err(AppError::CsrfRejected),
    }
    serde_urlencoded::from_bytes(&bytes)
        .map_err(|e| AppError::BadRequest(format!("The form could not be read: {e}")))
}

impl<T: DeserializeOwned> FromRequest<App> for CsrfForm<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, app: &App) -> Result<Self, Self::Rejection> {
        read_form::<T, super::admin::AdminCsrf>(req, app)
            .await
            .map(CsrfForm)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cookies() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; proplink_session=abc; b=2"),
        );
        assert_eq!(cookie(&h, "proplink_session").as_deref(), Some("abc"));
        assert_eq!(cookie(&h, "missing"), None);
    }

    #[test]
    fn secrets_compare() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "abcd"));
    }
}
