//! The JSON API at `<api_domain>/v1/…`, for Facility Report (and integrations to come):
//! device sign-in, sync push and pull, resumable photo uploads. Errors are JSON
//! `{"error": "<code>", "message": "<for people>"}`. Published at `/v1/openapi.json`.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use proplink_shared::sync::*;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use tower_http::limit::RequestBodyLimitLayer;
use utoipa::OpenApi;

use crate::app::App;
use crate::error::AppError;
use crate::services::auth::{self, Client, Door, Grant};
use crate::services::files::{self, UploadState};
use crate::services::sync::{self, Device, PushError};
use crate::store::orgs;

pub fn router() -> Router<App> {
    let chunk_limit = usize::try_from(MAX_PHOTO_BYTES).unwrap_or(usize::MAX) + 64 * 1024;
    Router::new()
        .route("/v1/openapi.json", get(openapi))
        .route("/v1/auth/code", post(request_code))
        .route("/v1/auth/token", post(token))
        .route("/v1/auth/sign-out", post(sign_out))
        .route("/v1/sync/push", post(push))
        .route("/v1/sync/pull", get(pull))
        .route(
            "/v1/photos/{sha256}",
            get(photo).head(photo_state).patch(photo_append),
        )
        .fallback(|| async { ApiErr(AppError::NotFound) })
        .layer(RequestBodyLimitLayer::new(chunk_limit))
}

#[derive(OpenApi)]
#[openapi(
    info(title = "PropLink API", description = "Facility Report's sign-in, sync and photo upload."),
    paths(request_code, token, sign_out, push, pull, photo_state, photo_append, photo),
    components(schemas(
        CodeRequest, TokenRequest, TokenResponse, PushRequest, PushResponse, Mutation, Change, LogIssue, RaiseTicket,
        UpdateWorkOrder, ReplyTicket, MutationResult, Outcome, PullResponse, SiteView, BuildingView, TicketView,
        MessageView, IssueView, WorkOrderView, Removed, ApiError
    )),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
        if let Some(components) = openapi.components.as_mut() {
            components.add_security_scheme(
                "device_token",
                SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
            );
        }
    }
}

async fn openapi() -> Response {
    match ApiDoc::openapi().to_json() {
        Ok(json) => ([(header::CONTENT_TYPE, "application/json")], json).into_response(),
        Err(e) => ApiErr(AppError::Internal(e.into())).into_response(),
    }
}

/// An error as the API answers it.
pub struct ApiErr(pub AppError);

impl From<AppError> for ApiErr {
    fn from(e: AppError) -> Self {
        ApiErr(e)
    }
}

impl IntoResponse for ApiErr {
    fn into_response(self) -> Response {
        let e = self.0;
        let (status, code) = match &e {
            AppError::SignInRequired => (StatusCode::UNAUTHORIZED, "unauthenticated"),
            AppError::NotFound => (StatusCode::NOT_FOUND, "not_found"),
            AppError::Forbidden => (StatusCode::FORBIDDEN, "forbidden"),
            AppError::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
            AppError::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
            AppError::TooManyRequests(_) => (StatusCode::TOO_MANY_REQUESTS, "too_many_requests"),
            AppError::BadRequest(_) | AppError::CsrfRejected => {
                (StatusCode::BAD_REQUEST, "bad_request")
            }
            AppError::Internal(inner) => {
                tracing::error!(error = ?inner, "API request failed");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal")
            }
        };
        let message = match &e {
            AppError::Invalid(v) => v.summary(),
            AppError::SignInRequired => "Sign in again: this device's sign-in has ended.".into(),
            other => other.public_message(),
        };
        (
            status,
            axum::Json(ApiError {
                error: code.into(),
                message,
                expected_seq: None,
            }),
        )
            .into_response()
    }
}

/// A JSON body whose rejection is an API error, not axum's plain text.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiErr;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(JsonBody(v)),
            Err(rejection) => Err(ApiErr(AppError::BadRequest(format!(
                "The request body is not valid: {}",
                rejection.body_text()
            )))),
        }
    }
}

/// The device a bearer token names.
pub struct Authed(pub Device);

impl FromRequestParts<App> for Authed {
    type Rejection = ApiErr;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or(ApiErr(AppError::SignInRequired))?;
        sync::device(app, token.trim())
            .await?
            .map(Authed)
            .ok_or(ApiErr(AppError::SignInRequired))
    }
}

async fn org_by_slug(app: &App, slug: &str) -> Result<orgs::OrgRow, ApiErr> {
    crate::services::orgs::by_slug(app, slug)
        .await?
        .ok_or_else(|| {
            ApiErr(AppError::Invalid(
                proplink_shared::records::ValidationErrors::single(
                    "org",
                    "There is no organisation with that name",
                ),
            ))
        })
}

/// Sends a sign-in code if the address belongs to a user of the organisation; answers the same either way.
#[utoipa::path(post, path = "/v1/auth/code", request_body = CodeRequest,
    responses((status = 202, description = "If the address has an account, a code is on its way"), (status = 429, body = ApiError), (status = 422, body = ApiError)))]
async fn request_code(
    State(app): State<App>,
    client: Client,
    JsonBody(req): JsonBody<CodeRequest>,
) -> Result<Response, ApiErr> {
    let org = org_by_slug(&app, &req.org).await?;
    auth::request_code(&app, &org, Door::FacilityReport, &req.email, &client).await?;
    Ok((
        StatusCode::ACCEPTED,
        axum::Json(serde_json::json!({ "status": "sent" })),
    )
        .into_response())
}

/// Trades the emailed code for a bearer token bound to this device.
#[utoipa::path(post, path = "/v1/auth/token", request_body = TokenRequest,
    responses((status = 200, body = TokenResponse), (status = 422, body = ApiError), (status = 429, body = ApiError)))]
async fn token(
    State(app): State<App>,
    client: Client,
    JsonBody(req): JsonBody<TokenRequest>,
) -> Result<axum::Json<TokenResponse>, ApiErr> {
    let org = org_by_slug(&app, &req.org).await?;
    let name = req.device_name.trim();
    let name: String = if name.is_empty() {
        "Phone".into()
    } else {
        name.chars().take(80).collect()
    };
    let device_id = req.device_id.to_string();
    let signed_in = auth::verify_code(
        &app,
        &org,
        Door::FacilityReport,
        &req.email,
        &req.code,
        &client,
        Grant::Device {
            device_id: &device_id,
            device_name: &name,
        },
    )
    .await?;
    let device = sync::device(&app, &signed_in.token)
        .await?
        .ok_or(ApiErr(AppError::SignInRequired))?;
    let role = device.staff.role.ok_or(ApiErr(AppError::SignInRequired))?;
    Ok(axum::Json(TokenResponse {
        token: signed_in.token,
        org_slug: org.slug,
        org_name: org.name,
        user_name: device.staff.name,
        role,
    }))
}

/// Ends this device's sign-in.
#[utoipa::path(post, path = "/v1/auth/sign-out", security(("device_token" = [])), responses((status = 204)))]
async fn sign_out(
    State(app): State<App>,
    headers: HeaderMap,
    Authed(device): Authed,
) -> Result<Response, ApiErr> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    sync::sign_out(&app, &device, token.trim()).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Applies the device's outbox, in order, exactly once per (device, seq).
#[utoipa::path(post, path = "/v1/sync/push", request_body = PushRequest, security(("device_token" = [])),
    responses((status = 200, body = PushResponse), (status = 409, description = "A seq gap: nothing applied", body = ApiError), (status = 401, body = ApiError)))]
async fn push(
    State(app): State<App>,
    Authed(device): Authed,
    JsonBody(req): JsonBody<PushRequest>,
) -> Result<axum::Json<PushResponse>, Response> {
    match sync::push(&app, &device, &req).await {
        Ok(r) => Ok(axum::Json(r)),
        Err(PushError::Gap { expected }) => Err((
            StatusCode::CONFLICT,
            axum::Json(ApiError {
                error: "seq_gap".into(),
                message: format!(
                    "The server expects change number {expected} next; nothing was applied."
                ),
                expected_seq: Some(expected),
            }),
        )
            .into_response()),
        Err(PushError::Other(e)) => Err(ApiErr(e).into_response()),
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
struct PullQuery {
    /// The cursor from the previous pull; 0 (or none) for everything.
    #[serde(default)]
    cursor: i64,
}

/// What changed in the user's sites since the cursor.
#[utoipa::path(get, path = "/v1/sync/pull", params(PullQuery), security(("device_token" = [])), responses((status = 200, body = PullResponse)))]
async fn pull(
    State(app): State<App>,
    Authed(device): Authed,
    Query(q): Query<PullQuery>,
) -> Result<axum::Json<PullResponse>, ApiErr> {
    Ok(axum::Json(sync::pull(&app, &device, q.cursor).await?))
}

fn upload_headers(state: UploadState) -> [(header::HeaderName, HeaderValue); 4] {
    [
        (
            header::HeaderName::from_static("upload-offset"),
            HeaderValue::from(state.offset),
        ),
        (
            header::HeaderName::from_static("upload-length"),
            HeaderValue::from(state.length),
        ),
        (
            header::HeaderName::from_static("upload-complete"),
            HeaderValue::from_static(if state.complete { "?1" } else { "?0" }),
        ),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
    ]
}

/// How much of a photo the server holds (`Upload-Offset`), and whether it is complete.
#[utoipa::path(head, path = "/v1/photos/{sha256}", security(("device_token" = [])),
    params(("sha256" = String, Path, description = "SHA-256 of the photo, lower-case hex")),
    responses((status = 200, description = "Upload-Offset, Upload-Length and Upload-Complete headers"), (status = 404, description = "Nothing received yet")))]
async fn photo_state(
    State(app): State<App>,
    Authed(device): Authed,
    Path(sha): Path<String>,
) -> Result<Response, ApiErr> {
    match files::state(&app, device.org.id, &sha).await? {
        Some(state) => Ok((StatusCode::OK, upload_headers(state)).into_response()),
        None => Ok(StatusCode::NOT_FOUND.into_response()),
    }
}

fn header_u64(headers: &HeaderMap, name: &str) -> Result<u64, ApiErr> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| {
            ApiErr(AppError::BadRequest(format!(
                "The {name} header is required"
            )))
        })
}

/// Appends bytes from `Upload-Offset`; the photo is complete when `Upload-Length` bytes have
/// arrived and they hash to its name.
#[utoipa::path(patch, path = "/v1/photos/{sha256}", security(("device_token" = [])),
    params(("sha256" = String, Path, description = "SHA-256 of the photo, lower-case hex")),
    request_body(content = Vec<u8>, content_type = "application/offset+octet-stream"),
    responses((status = 204, description = "Accepted; Upload-Offset says how far"), (status = 409, description = "Wrong offset: Upload-Offset says where to resume"), (status = 422, body = ApiError)))]
async fn photo_append(
    State(app): State<App>,
    Authed(device): Authed,
    Path(sha): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiErr> {
    let offset = header_u64(&headers, "upload-offset")?;
    let length = header_u64(&headers, "upload-length")?;
    match files::append(&app, device.org.id, &sha, offset, length, &body).await {
        Ok(state) => Ok((StatusCode::NO_CONTENT, upload_headers(state)).into_response()),
        Err(AppError::Conflict(message)) => {
            let mut response = ApiErr(AppError::Conflict(message)).into_response();
            if let Ok(Some(state)) = files::state(&app, device.org.id, &sha).await {
                response.headers_mut().extend(upload_headers(state));
            }
            Ok(response)
        }
        Err(e) => Err(e.into()),
    }
}

/// A photo the organisation holds.
#[utoipa::path(get, path = "/v1/photos/{sha256}", security(("device_token" = [])),
    params(("sha256" = String, Path, description = "SHA-256 of the photo, lower-case hex")),
    responses((status = 200, description = "The photo's bytes"), (status = 404, body = ApiError)))]
async fn photo(
    State(app): State<App>,
    Authed(device): Authed,
    Path(sha): Path<String>,
) -> Result<Response, ApiErr> {
    let (content_type, bytes) = files::read(&app, device.org.id, &sha).await?;
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{sha}\""),
            ),
            (
                header::CACHE_CONTROL,
                "private, max-age=31536000, immutable".into(),
            ),
        ],
        bytes,
    )
        .into_response())
}
