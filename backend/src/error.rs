//! One error type for services and doors. Each error has a stable machine code and a message
//! a person understands; validation errors carry the failing fields. The web doors render it
//! as a page in the GOV.UK error pattern, the API as JSON `{code, message, fields}`. A 500 is
//! logged with its detail and shown without it.

use std::time::Duration;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use proplink_shared::authz::Denied;
use proplink_shared::records::ValidationErrors;
use proplink_shared::states::InvalidTransition;

use crate::store::DbError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Missing, or outside the actor's organisation or scope: the two answer alike.
    #[error("Page not found")]
    NotFound,
    /// Something the request names by a public name does not exist; the message says what.
    #[error("{0}")]
    NoSuch(String),
    #[error("You do not have permission to do that")]
    Forbidden,
    /// What was entered is wrong; each message belongs to a field.
    #[error("{0}")]
    Invalid(ValidationErrors),
    /// The record moved on meanwhile, or the request clashes with what is stored.
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    #[error("{message}")]
    TooManyRequests {
        message: String,
        retry_after: Option<Duration>,
    },
    /// The request itself is malformed: a bad id, query string or body.
    #[error("{message}")]
    BadRequest { code: &'static str, message: String },
    #[error("{0}")]
    PayloadTooLarge(String),
    /// The form's CSRF token was missing or wrong.
    #[error("This form has expired. Go back, reload the page and try again.")]
    CsrfRejected,
    #[error("Sign in to continue")]
    SignInRequired,
    /// Credentials that were offered but are wrong: a sign-in code, for a token.
    #[error("{0}")]
    Unauthorized(String),
    /// A service we depend on (a payment provider) did not answer as it should; nothing was
    /// done, and trying again may work.
    #[error("{0}")]
    Unavailable(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn conflict(code: &'static str, message: impl Into<String>) -> AppError {
        AppError::Conflict {
            code,
            message: message.into(),
        }
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> AppError {
        AppError::BadRequest {
            code,
            message: message.into(),
        }
    }

    /// One field is wrong.
    pub fn invalid(field: &'static str, message: impl Into<String>) -> AppError {
        AppError::Invalid(ValidationErrors::single(field, message))
    }

    pub fn too_many(message: impl Into<String>, retry_after: Option<Duration>) -> AppError {
        AppError::TooManyRequests {
            message: message.into(),
            retry_after,
        }
    }

    /// The stable machine code: what a client or a test matches on.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            AppError::NotFound | AppError::NoSuch(_) => "not_found",
            AppError::Forbidden => "forbidden",
            AppError::Invalid(_) => "invalid",
            AppError::Conflict { code, .. } | AppError::BadRequest { code, .. } => code,
            AppError::TooManyRequests { .. } => "too_many_requests",
            AppError::PayloadTooLarge(_) => "payload_too_large",
            AppError::CsrfRejected => "csrf_rejected",
            AppError::SignInRequired => "unauthenticated",
            AppError::Unauthorized(_) => "wrong_credentials",
            AppError::Unavailable(_) => "unavailable",
            AppError::Internal(_) => "internal",
        }
    }

    #[must_use]
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound | AppError::NoSuch(_) => StatusCode::NOT_FOUND,
            AppError::Forbidden | AppError::CsrfRejected => StatusCode::FORBIDDEN,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Conflict { .. } => StatusCode::CONFLICT,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            AppError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::SignInRequired | AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// What the person is told.
    #[must_use]
    pub fn public_message(&self) -> String {
        match self {
            AppError::Internal(_) => {
                "Sorry, something went wrong on our side. Try again in a moment.".into()
            }
            AppError::NotFound => "If you typed the address, check it is correct.".into(),
            AppError::Invalid(v) => v.summary(),
            other => other.to_string(),
        }
    }

    /// The heading of an error page.
    #[must_use]
    pub fn title(&self) -> &'static str {
        match self {
            AppError::NotFound | AppError::NoSuch(_) => "Page not found",
            AppError::Forbidden => "You do not have permission to do that",
            AppError::Invalid(_) | AppError::BadRequest { .. } => "There is a problem",
            AppError::Conflict { .. } => "That could not be done",
            AppError::TooManyRequests { .. } => "Too many attempts",
            AppError::PayloadTooLarge(_) => "That is too large",
            AppError::CsrfRejected => "This form has expired",
            AppError::SignInRequired | AppError::Unauthorized(_) => "Sign in to continue",
            AppError::Unavailable(_) => "Please try again",
            AppError::Internal(_) => "Sorry, there is a problem with the service",
        }
    }

    /// Logs an internal error with its detail; the answer never carries it.
    pub fn log(&self) {
        if let AppError::Internal(e) = self {
            tracing::error!(error = ?e, "request failed");
        }
    }

    /// The `Retry-After` header of a refusal that will lift.
    #[must_use]
    pub fn retry_after(&self) -> Option<HeaderValue> {
        match self {
            AppError::TooManyRequests {
                retry_after: Some(d),
                ..
            } => Some(HeaderValue::from(d.as_secs().max(1))),
            _ => None,
        }
    }
}

impl From<DbError> for AppError {
    fn from(e: DbError) -> Self {
        AppError::Internal(e.into())
    }
}

impl From<Denied> for AppError {
    fn from(d: Denied) -> Self {
        match d {
            Denied::NotFound => AppError::NotFound,
            Denied::Forbidden => AppError::Forbidden,
        }
    }
}

impl From<ValidationErrors> for AppError {
    fn from(e: ValidationErrors) -> Self {
        AppError::Invalid(e)
    }
}

impl From<InvalidTransition> for AppError {
    fn from(e: InvalidTransition) -> Self {
        AppError::conflict("stale", e.to_string())
    }
}

/// The web doors' rendering: a signed-out visitor goes to the sign-in page, everything else is
/// an error page.
impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::SignInRequired = self {
            return (StatusCode::SEE_OTHER, [(header::LOCATION, "/sign-in")]).into_response();
        }
        self.log();
        let status = self.status();
        let retry = self.retry_after();
        let page = crate::doors::pages::ErrorPage {
            code: self.code(),
            title: self.title(),
            message: self.public_message(),
            fields: match &self {
                AppError::Invalid(v) => v.0.clone(),
                _ => Vec::new(),
            },
        };
        let mut response = (status, crate::doors::pages::render(&page)).into_response();
        if let Some(retry) = retry {
            response.headers_mut().insert(header::RETRY_AFTER, retry);
        }
        response
    }
}
