//! The app's errors, each with a stable code the UI translates and a sentence for people.

use proplink_shared::records::ValidationErrors;
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error("Sign in to continue")]
    NotSignedIn,
    #[error("{0}")]
    Invalid(ValidationErrors),
    /// The user's role or sites do not allow this; the server would refuse it too.
    #[error("{0}")]
    NotAllowed(String),
    #[error(
        "That is not on this phone any more: it may have been closed since. Sync to see what is open."
    )]
    NotFound,
    /// No connection, or the server did not answer: nothing is lost, it will be retried.
    #[error("No connection to PropLink: {0}")]
    Offline(String),
    /// The server answered with an error.
    #[error("{message}")]
    Server { code: String, message: String },
    #[error("The phone's storage failed: {0}")]
    Storage(String),
}

pub type CoreResult<T> = Result<T, CoreError>;

impl CoreError {
    #[must_use]
    pub fn code(&self) -> &str {
        match self {
            CoreError::NotSignedIn => "not_signed_in",
            CoreError::Invalid(_) => "invalid",
            CoreError::NotAllowed(_) => "not_allowed",
            CoreError::NotFound => "not_found",
            CoreError::Offline(_) => "offline",
            CoreError::Server { code, .. } => code,
            CoreError::Storage(_) => "storage",
        }
    }
}

impl From<rusqlite::Error> for CoreError {
    fn from(e: rusqlite::Error) -> Self {
        CoreError::Storage(e.to_string())
    }
}

impl From<std::io::Error> for CoreError {
    fn from(e: std::io::Error) -> Self {
        CoreError::Storage(e.to_string())
    }
}

impl From<serde_json::Error> for CoreError {
    fn from(e: serde_json::Error) -> Self {
        CoreError::Storage(e.to_string())
    }
}

impl From<ValidationErrors> for CoreError {
    fn from(e: ValidationErrors) -> Self {
        CoreError::Invalid(e)
    }
}

/// How an error crosses to the UI: `{"code": "...", "message": "...", "fields": {...}}`.
#[derive(Serialize)]
pub struct ErrorBody {
    pub code: String,
    pub message: String,
    pub fields: Vec<proplink_shared::records::FieldError>,
}

impl From<&CoreError> for ErrorBody {
    fn from(e: &CoreError) -> Self {
        ErrorBody {
            code: e.code().to_owned(),
            message: e.to_string(),
            fields: match e {
                CoreError::Invalid(v) => v.0.clone(),
                _ => Vec::new(),
            },
        }
    }
}

impl Serialize for CoreError {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        ErrorBody::from(self).serialize(s)
    }
}
