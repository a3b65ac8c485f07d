//! One error type for services and doors, rendered as a page a person understands.
//! A 500 is logged with its detail and shown without it.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use proplink_shared::authz::Denied;
use proplink_shared::records::ValidationErrors;
use proplink_shared::states::InvalidTransition;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Missing, or outside the actor's organisation or scope: the two answer alike.
    #[error("Page not found")]
    NotFound,
    #[error("You do not have permission to do that")]
    Forbidden,
    #[error("{0}")]
    Invalid(ValidationErrors),
    /// The record moved on meanwhile, or the request clashes with what is stored.
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    TooManyRequests(String),
    #[error("{0}")]
    BadRequest(String),
    /// The form's CSRF token was missing or wrong.
    #[error("This form has expired. Go back, reload the page and try again.")]
    CsrfRejected,
    #[error("Sign in to continue")]
    SignInRequired,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

pub type AppResult<T> = Result<T, AppError>;

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
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
        AppError::Conflict(e.to_string())
    }
}

impl AppError {
    #[must_use]
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Forbidden | AppError::CsrfRejected => StatusCode::FORBIDDEN,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::SignInRequired => StatusCode::SEE_OTHER,
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
            other => other.to_string(),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::SignInRequired = self {
            return (StatusCode::SEE_OTHER, [(header::LOCATION, "/sign-in")]).into_response();
        }
        if let AppError::Internal(e) = &self {
            tracing::error!(error = ?e, "request failed");
        }
        let status = self.status();
        let title = match &self {
            AppError::NotFound => "Page not found",
            AppError::Forbidden => "You do not have permission to do that",
            AppError::Invalid(_) => "There is a problem",
            AppError::Conflict(_) => "That could not be done",
            AppError::TooManyRequests(_) => "Too many attempts",
            AppError::CsrfRejected => "This form has expired",
            AppError::Internal(_) => "Sorry, there is a problem with the service",
            _ => "There is a problem",
        };
        let page = crate::doors::pages::ErrorPage {
            title,
            message: self.public_message(),
        };
        (status, crate::doors::pages::render(&page)).into_response()
    }
}
