//! What every web door shares: cookies, the client's address, CSRF-checked forms.
//!
//! Cookies are host-only, `HttpOnly`, `SameSite=Lax`, and — when secure — named with the
//! `__Host-` prefix, which a browser accepts only from this host over a secure connection, so
//! no neighbouring subdomain can plant one. A visitor who has not signed in carries a random
//! nonce in a cookie; their forms carry a token the server derives from that nonce and this
//! host with a key outside the database, so an attacker who can set an equal cookie and field
//! pair still cannot make one that passes.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use hmac::{Hmac, Mac};
use serde::de::DeserializeOwned;
use sha2::Sha256;

use crate::app::{App, random_token};
use crate::error::AppError;
use crate::services::auth::Client;

/// The cookies the web doors set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CookieName {
    Session,
    /// The nonce a visitor who has not signed in carries for CSRF.
    Csrf,
    /// Which address a code was sent to, between the two sign-in steps.
    SignIn,
}

impl CookieName {
    /// The name on the wire: `__Host-` prefixed when cookies are secure.
    #[must_use]
    pub fn name(self, app: &App) -> &'static str {
        match (self, app.config.cookie_secure) {
            (CookieName::Session, true) => "__Host-proplink_session",
            (CookieName::Session, false) => "proplink_session",
            (CookieName::Csrf, true) => "__Host-proplink_csrf",
            (CookieName::Csrf, false) => "proplink_csrf",
            (CookieName::SignIn, true) => "__Host-proplink_sign_in",
            (CookieName::SignIn, false) => "proplink_sign_in",
        }
    }
}

/// The value of cookie `name`.
#[must_use]
pub fn cookie(headers: &HeaderMap, app: &App, name: CookieName) -> Option<String> {
    let name = name.name(app);
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
pub fn set_cookie(
    app: &App,
    name: CookieName,
    value: &str,
    max_age_seconds: Option<u64>,
) -> HeaderValue {
    let mut c = format!("{}={value}; Path=/; HttpOnly; SameSite=Lax", name.name(app));
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

/// The form token for a visitor's CSRF nonce on `host`.
#[must_use]
pub fn pre_sign_in_token(app: &App, host: &str, nonce: &str) -> String {
    // An HMAC key is accepted at any length, so this cannot fail.
    let mut mac =
        Hmac::<Sha256>::new_from_slice(&app.secrets.csrf).unwrap_or_else(|_| unreachable!());
    for part in [host.to_ascii_lowercase().as_str(), nonce] {
        mac.update(&(part.len() as u64).to_be_bytes());
        mac.update(part.as_bytes());
    }
    hex::encode(mac.finalize().into_bytes())
}

/// The host a request names (validated before any door sees it).
#[must_use]
pub fn host(headers: &HeaderMap) -> &str {
    headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("")
}

/// The CSRF token for the forms of a visitor not signed in, setting their nonce cookie if
/// they have none.
pub fn visitor_token(app: &App, headers: &HeaderMap) -> (String, Option<HeaderValue>) {
    let host = host(headers);
    match cookie(headers, app, CookieName::Csrf).filter(|n| n.len() == 64) {
        Some(nonce) => (pre_sign_in_token(app, host, &nonce), None),
        None => {
            let nonce = random_token();
            let set = set_cookie(app, CookieName::Csrf, &nonce, None);
            (pre_sign_in_token(app, host, &nonce), Some(set))
        }
    }
}

impl FromRequestParts<App> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        // The proxy appends the address it saw: the last entry is the one it vouches for;
        // anything before it came from the client and may be made up.
        let forwarded = app
            .config
            .trust_forwarded_for
            .then(|| {
                parts
                    .headers
                    .get_all("x-forwarded-for")
                    .iter()
                    .next_back()
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.rsplit(',').next())
                    .and_then(|v| v.trim().parse::<std::net::IpAddr>().ok())
                    .map(|ip| ip.to_string())
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

/// What a form sent as `name` (the first, if sent twice), or nothing.
#[must_use]
pub fn sent<'a>(form: &'a [(String, String)], name: &str) -> &'a str {
    form.iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

/// Whether a form's boxes named `name` include the one valued `value`.
#[must_use]
pub fn ticked(form: &[(String, String)], name: &str, value: &str) -> bool {
    form.iter().any(|(k, v)| k == name && v == value)
}

/// A submitted form whose `csrf` field matched the token the door expects for this request.
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
    let bytes = axum::body::to_bytes(body, super::FORM_LIMIT)
        .await
        .map_err(|_| AppError::PayloadTooLarge("The form is too large".into()))?;
    let field: CsrfField =
        serde_urlencoded::from_bytes(&bytes).map_err(|_| AppError::CsrfRejected)?;
    match expected {
        Some(expected) if !field.csrf.is_empty() && same_secret(&field.csrf, &expected) => {}
        _ => return Err(AppError::CsrfRejected),
    }
    serde_urlencoded::from_bytes(&bytes)
        .map_err(|e| AppError::bad_request("bad_form", format!("The form could not be read: {e}")))
}

/// The token a form of this door must carry. Signed in: the session's. Not yet: the one derived
/// from the visitor's nonce.
pub struct DoorCsrf;

impl CsrfSource for DoorCsrf {
    async fn expected(parts: &Parts, app: &App) -> Option<String> {
        let Some(org) = parts.extensions.get::<super::OrgContext>() else {
            // ContractorPort has no organisation in its address: its forms carry the token of
            // the contractor's session.
            let token = cookie(&parts.headers, app, CookieName::Session)?;
            return crate::services::contractor_links::session(app, &token)
                .await
                .ok()
                .flatten()
                .map(|s| s.csrf_token);
        };
        let org = org.0.clone();
        let door = parts
            .extensions
            .get::<crate::services::auth::Door>()
            .copied()
            .unwrap_or(crate::services::auth::Door::Admin);
        if let Some(token) = cookie(&parts.headers, app, CookieName::Session) {
            if let Ok(Some(csrf)) =
                crate::services::auth::session_csrf(app, &org, door, &token).await
            {
                return Some(csrf);
            }
        }
        let nonce = cookie(&parts.headers, app, CookieName::Csrf)?;
        Some(pre_sign_in_token(app, host(&parts.headers), &nonce))
    }
}

impl<T: DeserializeOwned> FromRequest<App> for CsrfForm<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, app: &App) -> Result<Self, Self::Rejection> {
        read_form::<T, DoorCsrf>(req, app).await.map(CsrfForm)
    }
}

/// A submitted `multipart/form-data` form (one with a file) whose `csrf` field matched: its
/// text fields and its files, each file at most `MAX` bytes (more is refused as too large,
/// without reading the rest). The door's extractor of who is signed in runs first.
pub struct CsrfMultipart<const MAX: usize> {
    pub fields: Vec<(String, String)>,
    /// `(field name, file name, bytes)`; a file input left empty sends nothing.
    pub files: Vec<(String, String, Vec<u8>)>,
}

impl<const MAX: usize> CsrfMultipart<MAX> {
    #[must_use]
    pub fn field(&self, name: &str) -> String {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map_or_else(String::new, |(_, v)| v.clone())
    }

    #[must_use]
    pub fn file(&self, name: &str) -> Option<&[u8]> {
        self.file_named(name).map(|(_, bytes)| bytes)
    }

    /// A file with the name the person's computer gave it.
    #[must_use]
    pub fn file_named(&self, name: &str) -> Option<(&str, &[u8])> {
        self.files
            .iter()
            .find(|(k, _, _)| k == name)
            .map(|(_, file, bytes)| (file.as_str(), bytes.as_slice()))
    }
}

/// A text field of a multipart form is a line or a paragraph, never a file's worth.
const MULTIPART_TEXT_LIMIT: usize = 64 * 1024;

impl<const MAX: usize> FromRequest<App> for CsrfMultipart<MAX> {
    type Rejection = AppError;

    async fn from_request(req: Request, app: &App) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        let expected = DoorCsrf::expected(&parts, app).await;
        let req = Request::from_parts(parts, body);
        let mut multipart = axum::extract::Multipart::from_request(req, app)
            .await
            .map_err(|_| AppError::bad_request("bad_form", "The form could not be read"))?;
        let too_large =
            || AppError::PayloadTooLarge(format!("A file can be at most {} KB", MAX / 1024));
        let mut form = CsrfMultipart {
            fields: Vec::new(),
            files: Vec::new(),
        };
        while let Some(mut field) = multipart
            .next_field()
            .await
            .map_err(|_| AppError::PayloadTooLarge("The form is too large".into()))?
        {
            let name = field.name().unwrap_or_default().to_owned();
            let file_name = field.file_name().map(str::to_owned);
            let is_file = file_name.is_some();
            let limit = if is_file { MAX } else { MULTIPART_TEXT_LIMIT };
            let mut bytes = Vec::new();
            while let Some(chunk) = field
                .chunk()
                .await
                .map_err(|_| AppError::PayloadTooLarge("The form is too large".into()))?
            {
                if bytes.len() + chunk.len() > limit {
                    return Err(too_large());
                }
                bytes.extend_from_slice(&chunk);
            }
            if let Some(file_name) = file_name {
                if !bytes.is_empty() {
                    form.files.push((name, file_name, bytes));
                }
            } else {
                let text = String::from_utf8(bytes)
                    .map_err(|_| AppError::bad_request("bad_form", "The form could not be read"))?;
                form.fields.push((name, text));
            }
        }
        match expected {
            Some(expected)
                if !form.field("csrf").is_empty()
                    && same_secret(&form.field("csrf"), &expected) =>
            {
                Ok(form)
            }
            _ => Err(AppError::CsrfRejected),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_compare() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "abcd"));
    }
}
