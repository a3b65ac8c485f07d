//! axum's extractors, wrapped so that a malformed request gets PropLink's error — a stable code
//! and a sentence — never axum's plain text. The raw extractors are forbidden elsewhere
//! (clippy's `disallowed-types`); web doors take these, the API its own JSON-answering twins.

#![allow(clippy::disallowed_types)]

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::AppError;

/// A path parameter that does not parse is a page that does not exist.
pub struct Path<T>(pub T);

impl<T, S> FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| Path(p.0))
            .map_err(path_error)
    }
}

/// Query string parameters, refused with our error when they do not read.
pub struct Query<T>(pub T);

impl<T, S> FromRequestParts<S> for Query<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| Query(q.0))
            .map_err(query_error)
    }
}

/// A JSON body, refused with our error when it does not read; and a JSON answer.
pub struct Json<T>(pub T);

impl<T: serde::Serialize> axum::response::IntoResponse for Json<T> {
    fn into_response(self) -> axum::response::Response {
        axum::Json(self.0).into_response()
    }
}

impl<T, S> FromRequest<S> for Json<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        axum::Json::<T>::from_request(req, state)
            .await
            .map(|j| Json(j.0))
            .map_err(json_error)
    }
}

/// Any path parameter that does not parse names nothing.
pub fn path_error(_: PathRejection) -> AppError {
    AppError::NotFound
}

pub fn query_error(e: QueryRejection) -> AppError {
    AppError::bad_request(
        "bad_query",
        format!(
            "The address's query string is not valid: {}",
            plain(&e.body_text())
        ),
    )
}

pub fn json_error(e: JsonRejection) -> AppError {
    match e {
        JsonRejection::MissingJsonContentType(_) => AppError::bad_request(
            "bad_content_type",
            "Send the body as JSON, with Content-Type: application/json",
        ),
        JsonRejection::BytesRejection(b)
            if b.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE =>
        {
            AppError::PayloadTooLarge("The request body is too large".into())
        }
        other => AppError::bad_request(
            "bad_body",
            format!(
                "The request body is not valid: {}",
                plain(&other.body_text())
            ),
        ),
    }
}

/// axum's messages name Rust types; keep the part a person can act on.
fn plain(text: &str) -> String {
    let text = text
        .trim_start_matches("Failed to deserialize query string: ")
        .trim_start_matches("Failed to deserialize the JSON body into the target type: ")
        .trim_start_matches("Failed to parse the request body as JSON: ");
    text.chars().take(300).collect()
}
