//! The JSON API at `<api_domain>/v1/…`, for Facility Report (and integrations to come):
//! device sign-in, sync push and pull, resumable photo uploads. Every error, a malformed request
//! included, is JSON `{"code": "<stable code>", "message": "<for people>", "fields": […]}`.
//! Described at `/v1/openapi.json` (OpenAPI 3.1), which says exactly what is accepted.

mod openapi;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, delete, get, post};
use proplink_shared::sync::*;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::extract::{self, Json};
use crate::app::App;
use crate::error::AppError;
use crate::services::auth::{self, Client, Door, Grant};
use crate::services::files::{self, UploadState};
use crate::services::sync::{self, Device, PushError};

/// Bodies of the sign-in calls are a few fields.
const SMALL_BODY: usize = 16 * 1024;
/// A push of up to [`MAX_MUTATIONS_PER_PUSH`] changes, each with its text.
const PUSH_BODY: usize = 4 * 1024 * 1024;

pub fn router() -> Router<App> {
    Router::new()
        .route("/v1/openapi.json", get(openapi::document))
        .route("/v1/auth/code", limited(post(request_code), SMALL_BODY))
        .route("/v1/auth/token", limited(post(token), SMALL_BODY))
        .route("/v1/auth/refresh", limited(post(refresh), SMALL_BODY))
        .route("/v1/auth/sign-out", limited(post(sign_out), SMALL_BODY))
        .route("/v1/sync/push", limited(post(push), PUSH_BODY))
        .route("/v1/sync/pull", get(pull))
        .route(
            "/v1/photos/{sha256}",
            limited(
                get(photo).head(photo_state).patch(photo_append),
                usize::try_from(MAX_CHUNK_BYTES).unwrap_or(usize::MAX),
            ),
        )
        .route("/v1/push/key", get(push_key))
        .route(
            "/v1/push/subscriptions",
            limited(post(push_subscribe), SMALL_BODY),
        )
        .route(
            "/v1/push/subscriptions/{id}",
            limited(delete(push_unsubscribe), SMALL_BODY),
        )
        .method_not_allowed_fallback(|| async {
            ApiErr(AppError::bad_request(
                "method_not_allowed",
                "This address does not take that method",
            ))
            .with_status(StatusCode::METHOD_NOT_ALLOWED)
        })
        .fallback(|| async { ApiErr(AppError::NotFound) })
}

/// A route that takes at most `limit` bytes of body: one declared longer is refused before any
/// of it is read, and one that grows longer as it streams is refused when it passes the limit;
/// both in the API's JSON.
fn limited(route: MethodRouter<App>, limit: usize) -> MethodRouter<App> {
    route
        .layer(DefaultBodyLimit::max(limit))
        .layer(middleware::from_fn(
            move |req: Request, next: Next| async move {
                let declared = req
                    .headers()
                    .get(header::CONTENT_LENGTH)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok());
                if declared.is_some_and(|n| n > limit as u64) {
                    return ApiErr(AppError::PayloadTooLarge(format!(
                        "This request may carry at most {}",
                        size_text(limit)
                    )))
                    .into_response();
                }
                next.run(req).await
            },
        ))
}

/// `4 MB`, `16 KB`.
fn size_text(bytes: usize) -> String {
    if bytes >= 1024 * 1024 {
        format!("{} MB", bytes / 1024 / 1024)
    } else {
        format!("{} KB", bytes / 1024)
    }
}

/// An error as the API answers it.
pub struct ApiErr(pub AppError);

impl From<AppError> for ApiErr {
    fn from(e: AppError) -> Self {
        ApiErr(e)
    }
}

impl ApiErr {
    fn with_status(self, status: StatusCode) -> Response {
        let mut r = self.into_response();
        *r.status_mut() = status;
        r
    }
}

impl IntoResponse for ApiErr {
    fn into_response(self) -> Response {
        let e = self.0;
        e.log();
        let message = match &e {
            AppError::SignInRequired => {
                "Sign in again: this device's sign-in has ended or was not given.".into()
            }
            other => other.public_message(),
        };
        let body = ApiError {
            code: e.code().into(),
            message,
            fields: match &e {
                AppError::Invalid(v) => v.0.clone(),
                _ => Vec::new(),
            },
            expected_seq: None,
        };
        let mut response = (e.status(), Json(body)).into_response();
        if let Some(retry) = e.retry_after() {
            response.headers_mut().insert(header::RETRY_AFTER, retry);
        }
        if matches!(e, AppError::SignInRequired) {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// A JSON body; anything else is our error.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiErr;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiErr> {
        extract::Json::<T>::from_request(req, state)
            .await
            .map(|j| ApiJson(j.0))
            .map_err(ApiErr)
    }
}

/// A query string; anything malformed is our error.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiErr;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiErr> {
        extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| ApiQuery(q.0))
            .map_err(ApiErr)
    }
}

/// A photo's name from the path, checked before anything else.
pub struct PhotoHash(pub String);

impl<S: Send + Sync> FromRequestParts<S> for PhotoHash {
    type Rejection = ApiErr;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiErr> {
        let extract::Path(sha) = extract::Path::<String>::from_request_parts(parts, state).await?;
        files::valid_sha256(&sha)?;
        Ok(PhotoHash(sha))
    }
}

/// A body of bytes, within the route's limit.
pub struct ApiBytes(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for ApiBytes {
    type Rejection = ApiErr;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiErr> {
        Bytes::from_request(req, state)
            .await
            .map(ApiBytes)
            .map_err(|e| {
                ApiErr(if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    AppError::PayloadTooLarge(format!(
                        "Send a photo in pieces of at most {} MB",
                        MAX_CHUNK_BYTES / 1024 / 1024
                    ))
                } else {
                    AppError::bad_request("bad_body", "The request body could not be read")
                })
            })
    }
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// The device a bearer token names.
pub struct Authed(pub Device);

impl FromRequestParts<App> for Authed {
    type Rejection = ApiErr;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, ApiErr> {
        let token = bearer(&parts.headers).ok_or(ApiErr(AppError::SignInRequired))?;
        sync::device(app, token)
            .await?
            .map(Authed)
            .ok_or(ApiErr(AppError::SignInRequired))
    }
}

async fn organisation(app: &App, slug: &str) -> Result<crate::store::orgs::Organisation, ApiErr> {
    crate::services::orgs::by_slug(app, slug)
        .await?
        .ok_or_else(|| {
            ApiErr(AppError::NoSuch(
                "There is no organisation by that name on this server. Check the name your manager gave you.".into(),
            ))
        })
}

/// Sends a sign-in code if the address belongs to a user of the organisation; answers the
/// same either way.
async fn request_code(
    State(app): State<App>,
    client: Client,
    ApiJson(req): ApiJson<CodeRequest>,
) -> Result<Response, ApiErr> {
    let org = organisation(&app, &req.org).await?;
    let requested =
        auth::request_code(&app, &org, Door::FacilityReport, &req.email, &client).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(CodeSent {
            status: requested.status,
            message: requested.status.message().into(),
        }),
    )
        .into_response())
}

/// A device's name as given, trimmed; refused if longer than the API allows.
fn device_name(given: &str) -> Result<&str, ApiErr> {
    let name = given.trim();
    if name.chars().count() > MAX_DEVICE_NAME {
        return Err(AppError::invalid(
            "device_name",
            format!("The device name must be {MAX_DEVICE_NAME} characters or fewer"),
        )
        .into());
    }
    Ok(name)
}

/// Trades the emailed code for a bearer token bound to this device.
async fn token(
    State(app): State<App>,
    client: Client,
    ApiJson(req): ApiJson<TokenRequest>,
) -> Result<Json<TokenResponse>, ApiErr> {
    let name = device_name(&req.device_name)?;
    let org = organisation(&app, &req.org).await?;
    let name = if name.is_empty() { "Phone" } else { name };
    let device_id = req.device_id.to_string();
    let grant = Grant::Device {
        device_id: &device_id,
        device_name: name,
    };
    // A wrong or spent code is a refusal of credentials.
    let signed_in = auth::verify_code(
        &app,
        &org,
        Door::FacilityReport,
        &req.email,
        &req.code,
        &client,
        grant,
    )
    .await
    .map_err(|e| match e {
        AppError::Invalid(v) if v.for_field("code").is_some() => {
            ApiErr(AppError::Unauthorized(v.summary()))
        }
        other => ApiErr(other),
    })?;
    let auth::Account::Staff(staff) = signed_in.account else {
        return Err(ApiErr(AppError::SignInRequired));
    };
    let role = staff.role.ok_or(ApiErr(AppError::SignInRequired))?;
    let next_seq = sync::next_seq(&app, org.id, staff.id, &device_id).await?;
    Ok(Json(TokenResponse {
        token: signed_in.token,
        org_slug: org.slug,
        org_name: org.name,
        user_name: staff.name,
        role,
        next_seq,
        expires_at: crate::clock::to_micros(signed_in.expires_at),
    }))
}

/// A fresh token for this device; the one it replaces stops working two minutes later.
async fn refresh(
    State(app): State<App>,
    headers: HeaderMap,
    Authed(device): Authed,
) -> Result<Json<RefreshResponse>, ApiErr> {
    let token = bearer(&headers).unwrap_or("");
    let fresh = sync::refresh(&app, &device, token).await?;
    Ok(Json(RefreshResponse {
        token: fresh,
        expires_at: crate::clock::to_micros(device.expires_at),
    }))
}

/// Ends this device's sign-in.
async fn sign_out(
    State(app): State<App>,
    headers: HeaderMap,
    Authed(device): Authed,
) -> Result<Response, ApiErr> {
    let token = bearer(&headers).unwrap_or("");
    sync::sign_out(&app, &device, token).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Applies the device's outbox, in order, exactly once per (person, device, seq).
async fn push(
    State(app): State<App>,
    Authed(device): Authed,
    ApiJson(req): ApiJson<PushRequest>,
) -> Result<Json<PushResponse>, Response> {
    match sync::push(&app, &device, &req).await {
        Ok(r) => Ok(Json(r)),
        Err(PushError::Gap { expected }) => Err((
            StatusCode::CONFLICT,
            Json(ApiError {
                code: "seq_gap".into(),
                message: format!(
                    "The server expects change number {expected} next; nothing was applied."
                ),
                fields: Vec::new(),
                expected_seq: Some(expected),
            }),
        )
            .into_response()),
        Err(PushError::Other(e)) => Err(ApiErr(e).into_response()),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PullQuery {
    #[serde(default)]
    cursor: Option<i64>,
}

/// What changed in the user's sites since the cursor.
async fn pull(
    State(app): State<App>,
    Authed(device): Authed,
    ApiQuery(q): ApiQuery<PullQuery>,
) -> Result<Json<PullResponse>, ApiErr> {
    let cursor = q.cursor.unwrap_or(0);
    if cursor < 0 {
        return Err(AppError::bad_request("bad_query", "The cursor is a number from 0").into());
    }
    Ok(Json(sync::pull(&app, &device, cursor).await?))
}

/// The key Web Push messages to the app are signed with.
async fn push_key(
    State(app): State<App>,
    Authed(_device): Authed,
) -> Result<Json<PushKey>, ApiErr> {
    Ok(Json(PushKey {
        public_key: crate::services::push::public_key(&app).await?,
    }))
}

/// Turns the device's notifications on: a UnifiedPush endpoint (Android) or an APNs token
/// (iPhone). Registering the same endpoint or token again replaces it.
async fn push_subscribe(
    State(app): State<App>,
    Authed(device): Authed,
    ApiJson(req): ApiJson<PushRegistration>,
) -> Result<(StatusCode, Json<PushRegistered>), ApiErr> {
    use crate::services::push;
    let given = device_name(&req.device_name)?;
    let name = if given.is_empty() {
        "Facility Report".to_owned()
    } else {
        format!("Facility Report on {given}")
    };
    let id = match &req.target {
        PushTarget::WebPush {
            endpoint,
            p256dh,
            auth,
        } => {
            let form = push::SubscriptionForm {
                endpoint: endpoint.clone(),
                keys: push::SubscriptionKeys {
                    p256dh: p256dh.clone(),
                    auth: auth.clone(),
                },
                server_key: String::new(),
            };
            push::subscribe(&app, &device.actor, "facility_report", &name, &form).await?
        }
        PushTarget::Apns { device_token } => {
            push::subscribe_iphone(&app, &device.actor, &name, device_token).await?
        }
    };
    Ok((StatusCode::CREATED, Json(PushRegistered { id })))
}

/// Turns one of the person's devices' notifications off.
async fn push_unsubscribe(
    State(app): State<App>,
    Authed(device): Authed,
    extract::Path(id): extract::Path<String>,
) -> Result<StatusCode, ApiErr> {
    crate::services::push::unsubscribe(&app, &device.actor, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

fn upload_headers(state: UploadState) -> [(HeaderName, HeaderValue); 3] {
    [
        (
            HeaderName::from_static("upload-offset"),
            HeaderValue::from(state.offset),
        ),
        (
            HeaderName::from_static("upload-length"),
            HeaderValue::from(state.length),
        ),
        (
            HeaderName::from_static("upload-complete"),
            HeaderValue::from_static(if state.complete { "?1" } else { "?0" }),
        ),
    ]
}

/// How much of a photo this device's user has sent, and whether it is complete.
async fn photo_state(
    State(app): State<App>,
    Authed(device): Authed,
    PhotoHash(sha): PhotoHash,
) -> Result<Response, ApiErr> {
    match files::state(&app, &device.actor, &sha).await? {
        Some(state) => Ok((StatusCode::OK, upload_headers(state)).into_response()),
        None => Ok(StatusCode::NOT_FOUND.into_response()),
    }
}

fn header_u64(headers: &HeaderMap, name: &'static str) -> Result<u64, ApiErr> {
    let value = headers.get(name).ok_or_else(|| {
        ApiErr(AppError::bad_request(
            "missing_header",
            format!("The {name} header is required"),
        ))
    })?;
    value
        .to_str()
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| {
            ApiErr(AppError::bad_request(
                "bad_header",
                format!("The {name} header must be a whole number"),
            ))
        })
}

/// Appends bytes from `Upload-Offset`; the photo is complete when `Upload-Length` bytes have
/// arrived and they hash to its name.
async fn photo_append(
    State(app): State<App>,
    Authed(device): Authed,
    PhotoHash(sha): PhotoHash,
    headers: HeaderMap,
    ApiBytes(body): ApiBytes,
) -> Result<Response, ApiErr> {
    let offset = header_u64(&headers, "upload-offset")?;
    let length = header_u64(&headers, "upload-length")?;
    match files::append(&app, &device.actor, &sha, offset, length, &body).await {
        Ok(state) => Ok((StatusCode::NO_CONTENT, upload_headers(state)).into_response()),
        Err(e @ AppError::Conflict { .. }) => {
            let mut response = ApiErr(e).into_response();
            if let Ok(Some(state)) = files::state(&app, &device.actor, &sha).await {
                response.headers_mut().extend(upload_headers(state));
            }
            Ok(response)
        }
        Err(e) => Err(e.into()),
    }
}

/// A photo the user uploaded, or one of a record they may read.
async fn photo(
    State(app): State<App>,
    Authed(device): Authed,
    PhotoHash(sha): PhotoHash,
) -> Result<Response, ApiErr> {
    let (content_type, bytes) = files::read(&app, &device.actor, &sha).await?;
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{sha}\""),
            ),
            (header::CACHE_CONTROL, "private, no-store".into()),
        ],
        bytes,
    )
        .into_response())
}
