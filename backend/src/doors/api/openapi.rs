//! The API's description, `/v1/openapi.json` (OpenAPI 3.1): the schemas come from the very
//! types the server and the app exchange, and each operation lists every answer it can give.
//! The test command validates it and runs schemathesis against it.

use std::sync::LazyLock;

use axum::http::header;
use axum::response::{IntoResponse, Response};
use proplink_shared::records::{FieldError, IssueCategory, Priority, TicketCategory};
use proplink_shared::states::{IssueStatus, TicketStatus, WorkOrderStatus};
use proplink_shared::sync::*;
use utoipa::OpenApi;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "PropLink API",
        description = "Facility Report's sign-in, sync and photo upload. Every error is JSON: a stable `code`, a `message` for people and, for invalid input, the `fields` at fault.",
        version = "1"
    ),
    paths(request_code, token, refresh, sign_out, push, pull, photo_state, photo_append, photo, push_key, push_subscribe, push_unsubscribe),
    components(schemas(
        CodeRequest, CodeSent, TokenRequest, TokenResponse, RefreshResponse, PushRequest, PushResponse, Mutation,
        Change, LogIssue, RaiseTicket, UpdateWorkOrder, ReplyTicket, LinkIssue, IssueLinks, MutationResult, Outcome, PullResponse,
        SiteView, BuildingView, TicketView, MessageView, IssueView, HistoryView, WorkOrderView, Removed, ApiError, FieldError,
        IssueCategory, TicketCategory, Priority, TicketStatus, IssueStatus, WorkOrderStatus,
        PhotoName, CodeStatus, PushTarget, PushRegistration, PushRegistered, PushKey
    )),
    modifiers(&DeviceToken)
)]
struct ApiDoc;

struct DeviceToken;

impl utoipa::Modify for DeviceToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(components) = openapi.components.as_mut() {
            components.add_security_scheme(
                "device_token",
                SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
            );
        }
    }
}

static DOCUMENT: LazyLock<String> =
    LazyLock::new(|| ApiDoc::openapi().to_json().unwrap_or_default());

pub async fn document() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        DOCUMENT.as_str(),
    )
        .into_response()
}

/// The document, for tests and tools.
#[cfg(test)]
fn json() -> &'static str {
    &DOCUMENT
}

/// Sends a sign-in code to the address if it has an account with the organisation. The answer
/// is the same either way.
#[utoipa::path(post, path = "/v1/auth/code", request_body = CodeRequest, tag = "sign-in",
    responses(
        (status = 202, description = "If the address has an account, a code is on its way", body = CodeSent),
        (status = 400, description = "The body is not valid JSON for this request", body = ApiError),
        (status = 404, description = "There is no organisation with that name", body = ApiError),
        (status = 422, description = "The email address is not valid", body = ApiError),
        (status = 429, description = "Too many codes were asked for; `Retry-After` says when to try again", body = ApiError,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ))]
#[allow(dead_code)]
fn request_code() {}

/// Trades the emailed code for a bearer token bound to this device. Signing in again on the
/// same device retires that person's earlier tokens on it.
#[utoipa::path(post, path = "/v1/auth/token", request_body = TokenRequest, tag = "sign-in",
    responses(
        (status = 200, description = "Signed in", body = TokenResponse),
        (status = 400, description = "The body is not valid JSON for this request", body = ApiError),
        (status = 401, description = "The code is wrong, expired or already used", body = ApiError),
        (status = 404, description = "There is no organisation with that name", body = ApiError),
        (status = 422, description = "The email address or device name is not valid", body = ApiError),
        (status = 429, description = "Too many wrong codes for this address; `Retry-After` says when to try again", body = ApiError,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ))]
#[allow(dead_code)]
fn token() {}

/// Trades a live token for a new one with the same limits; the old one keeps working for two
/// minutes, so an answer lost on the way can be asked for again.
#[utoipa::path(post, path = "/v1/auth/refresh", tag = "sign-in", security(("device_token" = [])),
    responses(
        (status = 200, description = "A new token", body = RefreshResponse),
        (status = 401, description = "The token is missing, expired or revoked", body = ApiError),
    ))]
#[allow(dead_code)]
fn refresh() {}

/// Ends this device's sign-in: its token stops working at once.
#[utoipa::path(post, path = "/v1/auth/sign-out", tag = "sign-in", security(("device_token" = [])),
    responses(
        (status = 204, description = "Signed out"),
        (status = 401, description = "The token is missing, expired or revoked", body = ApiError),
    ))]
#[allow(dead_code)]
fn sign_out() {}

/// Applies the device's outbox in order, exactly once per (person, device, seq). A change
/// that can never succeed is answered `rejected` with a reason, and the counter still moves
/// on; a fault of the server applies nothing of the push.
#[utoipa::path(post, path = "/v1/sync/push", request_body = PushRequest, tag = "sync", security(("device_token" = [])),
    responses(
        (status = 200, description = "Each change applied, a duplicate, or rejected with a reason", body = PushResponse),
        (status = 400, description = "The body is not valid JSON for this request", body = ApiError),
        (status = 401, description = "The token is missing, expired or revoked", body = ApiError),
        (status = 403, description = "The push names another device than the token's", body = ApiError),
        (status = 409, description = "The changes do not continue from the server's counter, or are not numbered one after another: nothing was applied", body = ApiError),
        (status = 413, description = "The push is larger than 4 MB", body = ApiError),
        (status = 422, description = "More than 100 changes, a change numbered below 1, or a photo name that is not a SHA-256", body = ApiError),
    ))]
#[allow(dead_code)]
fn push() {}

/// The public key the server signs Web Push messages with (RFC 8292), for a UnifiedPush
/// distributor that asks for it.
#[utoipa::path(get, path = "/v1/push/key", tag = "notifications", security(("device_token" = [])),
    responses(
        (status = 200, description = "The key, base64url", body = PushKey),
        (status = 401, description = "The token is missing, expired or revoked", body = ApiError),
    ))]
#[allow(dead_code)]
fn push_key() {}

/// Turns this device's notifications on: a UnifiedPush (RFC 8030) endpoint with the device's
/// keys on Android, or the APNs device token on an iPhone. The same endpoint or token again
/// replaces its subscription. The person turns notifications off per device in their profile
/// too, and chooses what they hear about there.
#[utoipa::path(post, path = "/v1/push/subscriptions", request_body = PushRegistration, tag = "notifications", security(("device_token" = [])),
    responses(
        (status = 201, description = "Notifications are on for this device", body = PushRegistered),
        (status = 400, description = "The endpoint is not an https push service on the internet, the keys are not P-256 and 16 bytes, or the token is not an APNs token", body = ApiError),
        (status = 401, description = "The token is missing, expired or revoked", body = ApiError),
        (status = 409, description = "Ten devices already, the endpoint belongs to another organisation, or this server does not send to iPhones", body = ApiError),
    ))]
#[allow(dead_code)]
fn push_subscribe() {}

/// Turns one of the person's devices' notifications off.
#[utoipa::path(delete, path = "/v1/push/subscriptions/{id}", tag = "notifications", security(("device_token" = [])),
    params(("id" = String, Path, description = "The id the registration answered")),
    responses(
        (status = 204, description = "Off"),
        (status = 401, description = "The token is missing, expired or revoked", body = ApiError),
        (status = 404, description = "No such subscription of this person", body = ApiError),
    ))]
#[allow(dead_code)]
fn push_unsubscribe() {}

/// What changed in the user's sites since the cursor of the last pull (0, or none, for
/// everything).
#[utoipa::path(get, path = "/v1/sync/pull", tag = "sync", security(("device_token" = [])),
    params(("cursor" = Option<i64>, Query, minimum = 0, description = "The cursor from the previous pull; 0 or none for everything")),
    responses(
        (status = 200, description = "The changes, and the next cursor", body = PullResponse),
        (status = 400, description = "The cursor is not a whole number from 0", body = ApiError),
        (status = 401, description = "The token is missing, expired or revoked", body = ApiError),
    ))]
#[allow(dead_code)]
fn pull() {}

/// How much of a photo this person has sent (`Upload-Offset`), and whether it is complete.
#[utoipa::path(head, path = "/v1/photos/{sha256}", tag = "photos", security(("device_token" = [])),
    params(("sha256" = String, Path, pattern = r"^[0-9a-f]{64}$", description = "SHA-256 of the photo as sent, lower-case hex")),
    responses(
        (status = 200, description = "Part or all of it has arrived",
            headers(
                ("Upload-Offset" = u64, description = "Bytes received"),
                ("Upload-Length" = u64, description = "Bytes in all"),
                ("Upload-Complete" = String, description = "`?1` once complete, else `?0`"),
            )),
        (status = 400, description = "The name is not a SHA-256"),
        (status = 401, description = "The token is missing, expired or revoked"),
        (status = 404, description = "Nothing of it has arrived from this person"),
    ))]
#[allow(dead_code)]
fn photo_state() {}

/// Appends bytes from `Upload-Offset`. The photo is complete when `Upload-Length` bytes have
/// arrived and they hash to its name; it is then stored without its location and other
/// personal metadata.
#[utoipa::path(patch, path = "/v1/photos/{sha256}", tag = "photos", security(("device_token" = [])),
    params(
        ("sha256" = String, Path, pattern = r"^[0-9a-f]{64}$", description = "SHA-256 of the photo as sent, lower-case hex"),
        ("Upload-Offset" = u64, Header, minimum = 0, description = "Where these bytes start"),
        ("Upload-Length" = u64, Header, minimum = 1, maximum = 26214400, description = "The photo's size in bytes, at most 25 MB"),
    ),
    request_body(content = PhotoBytes, content_type = "application/octet-stream", description = "The next piece of the photo, at most 8 MB"),
    responses(
        (status = 204, description = "Accepted",
            headers(
                ("Upload-Offset" = u64, description = "Bytes received"),
                ("Upload-Length" = u64, description = "Bytes in all"),
                ("Upload-Complete" = String, description = "`?1` once complete, else `?0`"),
            )),
        (status = 400, description = "A header is missing or not a whole number, the body is empty, or the name is not a SHA-256", body = ApiError),
        (status = 401, description = "The token is missing, expired or revoked", body = ApiError),
        (status = 409, description = "The offset is not where the upload stands, the length differs from the upload begun, or the bytes do not hash to the name", body = ApiError),
        (status = 413, description = "The piece is larger than 8 MB", body = ApiError),
        (status = 422, description = "The length is out of range, or the bytes are not a JPEG, PNG or WebP photo", body = ApiError),
    ))]
#[allow(dead_code)]
fn photo_append() {}

/// A photo attached to a record this person may read.
#[utoipa::path(get, path = "/v1/photos/{sha256}", tag = "photos", security(("device_token" = [])),
    params(("sha256" = String, Path, pattern = r"^[0-9a-f]{64}$", description = "SHA-256 of the photo as sent, lower-case hex")),
    responses(
        (status = 200, description = "The photo",
            content(
                (PhotoBytes = "image/jpeg"),
                (PhotoBytes = "image/png"),
                (PhotoBytes = "image/webp"),
            )),
        (status = 400, description = "The name is not a SHA-256", body = ApiError),
        (status = 401, description = "The token is missing, expired or revoked", body = ApiError),
        (status = 404, description = "No such photo that this person may see", body = ApiError),
    ))]
#[allow(dead_code)]
fn photo() {}

/// A file's bytes: at least one.
struct PhotoBytes;

impl utoipa::PartialSchema for PhotoBytes {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                utoipa::openapi::KnownFormat::Binary,
            )))
            .min_length(Some(1))
            .into()
    }
}

impl utoipa::ToSchema for PhotoBytes {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_is_json_and_names_every_operation() {
        let doc: serde_json::Value = serde_json::from_str(json()).unwrap();
        assert_eq!(doc["openapi"], "3.1.0");
        let paths = doc["paths"].as_object().unwrap();
        for p in [
            "/v1/auth/code",
            "/v1/auth/token",
            "/v1/auth/refresh",
            "/v1/sync/push",
            "/v1/sync/pull",
            "/v1/photos/{sha256}",
        ] {
            assert!(paths.contains_key(p), "{p} is not described");
        }
        let cursor = &doc["paths"]["/v1/sync/pull"]["get"]["parameters"][0];
        assert_eq!(cursor["in"], "query");
        assert_eq!(cursor["schema"]["minimum"], 0);
    }

    #[test]
    fn uploads_are_binary_with_their_headers_and_names_declared() {
        let doc: serde_json::Value = serde_json::from_str(json()).unwrap();
        let patch = &doc["paths"]["/v1/photos/{sha256}"]["patch"];
        let body = &patch["requestBody"]["content"]["application/octet-stream"]["schema"];
        let body = if body["$ref"].is_string() {
            &doc["components"]["schemas"]["PhotoBytes"]
        } else {
            body
        };
        assert_eq!(body["type"], "string");
        assert_eq!(body["format"], "binary");
        let params: Vec<(&str, &str)> = patch["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p["name"].as_str().unwrap(), p["in"].as_str().unwrap()))
            .collect();
        assert!(params.contains(&("Upload-Offset", "header")));
        assert!(params.contains(&("Upload-Length", "header")));
        assert_eq!(
            patch["parameters"][0]["schema"]["pattern"],
            r"^[0-9a-f]{64}$"
        );
        assert_eq!(
            doc["components"]["schemas"]["PhotoName"]["pattern"],
            r"^[0-9a-f]{64}$"
        );
    }

    #[test]
    fn every_operation_states_its_refusals_and_every_choice_its_values() {
        let doc: serde_json::Value = serde_json::from_str(json()).unwrap();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, operation) in item.as_object().unwrap() {
                let answers = operation["responses"].as_object().unwrap();
                let secured = operation["security"].is_array();
                let takes_input =
                    operation["requestBody"].is_object() || operation["parameters"].is_array();
                assert!(
                    !secured || answers.contains_key("401"),
                    "{method} {path} does not say it answers 401"
                );
                // An id in the path that names nothing (or nothing of theirs) is not found.
                let only_an_id = !operation["requestBody"].is_object()
                    && operation["parameters"]
                        .as_array()
                        .is_some_and(|p| p.iter().all(|p| p["in"] == "path"));
                assert!(
                    !takes_input
                        || answers.contains_key("400")
                        || answers.contains_key("422")
                        || only_an_id && answers.contains_key("404"),
                    "{method} {path} does not say how bad input is refused"
                );
            }
        }
        let schemas = &doc["components"]["schemas"];
        assert!(schemas["IssueCategory"]["enum"].as_array().unwrap().len() > 3);
        assert_eq!(
            schemas["Priority"]["enum"],
            serde_json::json!(["urgent", "high", "medium", "low"])
        );
        assert_eq!(
            schemas["CodeRequest"]["properties"]["email"]["format"],
            "email"
        );
        assert_eq!(
            schemas["CodeRequest"]["properties"]["email"]["maxLength"],
            254
        );
        assert_eq!(
            schemas["TokenRequest"]["properties"]["device_name"]["maxLength"],
            80
        );
    }
}
