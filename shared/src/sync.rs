//! The Facility Report sync protocol: what the app sends and what the server answers, the same
//! types on both sides of the wire.
//!
//! The app keeps an outbox of mutations, each with a `mutation_id` and a per-device `seq`
//! (1, 2, 3…). The server applies `seq = last + 1` exactly once, answers `duplicate` with the
//! stored outcome for anything at or below `last`, and refuses a gap. A mutation that can
//! never succeed is `rejected` with a reason and still advances `last`, so one bad item never
//! blocks the queue.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ids::{BuildingId, IssueId, SiteId, TicketId, UnitId, WorkOrderId};
use crate::records::{FieldError, IssueCategory, Priority, TicketCategory};
use crate::states::{IssueStatus, TicketStatus, WorkOrderStatus};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// Ask for a sign-in code by email (the same rules as the web: 6 digits, 10 minutes).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CodeRequest {
    /// The organisation's subdomain, e.g. `acme`.
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = r"^[a-z0-9][a-z0-9-]{0,38}[a-z0-9]$")
    )]
    pub org: String,
    #[cfg_attr(feature = "openapi", schema(format = Email, max_length = 254))]
    pub email: String,
}

/// Trade an emailed code for a bearer token bound to this device.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TokenRequest {
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = r"^[a-z0-9][a-z0-9-]{0,38}[a-z0-9]$")
    )]
    pub org: String,
    #[cfg_attr(feature = "openapi", schema(format = Email, max_length = 254))]
    pub email: String,
    /// The six digits from the email.
    #[cfg_attr(feature = "openapi", schema(pattern = r"^[0-9]{6}$"))]
    pub code: String,
    /// Chosen by the app at install, kept for its life.
    pub device_id: Uuid,
    /// How the device is listed to its owner, at most 80 characters.
    #[cfg_attr(feature = "openapi", schema(max_length = 80))]
    pub device_name: String,
}

/// The answer to a code request: the same whether or not the address has an account.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CodeSent {
    /// `sent`, or `already_sent` when enough codes went to this address lately that no new one
    /// was sent: the newest one in the inbox still works.
    pub status: CodeStatus,
    /// What to tell the person.
    pub message: String,
}

/// Whether a code request sent a new code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CodeStatus {
    Sent,
    AlreadySent,
}

impl CodeStatus {
    /// What the person is told.
    #[must_use]
    pub fn message(self) -> &'static str {
        match self {
            CodeStatus::Sent => {
                "If the address has an account, a 6-digit code is on its way. It works once, for 10 minutes."
            }
            CodeStatus::AlreadySent => {
                "Several codes have been sent to this address recently, so no new one was sent. Use the newest code in your inbox: each works for 10 minutes."
            }
        }
    }
}

/// A whole number, also when written with a zero fraction (`3.0`): JSON Schema counts that as
/// an integer, so a client that follows the published schema may send it.
fn whole_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Number {
        Whole(i64),
        Real(f64),
    }
    match Number::deserialize(d)? {
        Number::Whole(n) => Ok(n),
        // 2^53: every whole number up to here is exact as a float.
        Number::Real(f) if f.fract() == 0.0 && f.abs() <= 9_007_199_254_740_992.0 =>
        {
            #[allow(clippy::cast_possible_truncation)]
            Ok(f as i64)
        }
        Number::Real(_) => Err(serde::de::Error::custom("expected a whole number")),
    }
}

/// A photo's name in the API's description: the SHA-256 of its bytes as sent, lower-case hex.
#[cfg(feature = "openapi")]
pub struct PhotoName;

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for PhotoName {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some(r"^[0-9a-f]{64}$"))
            .description(Some(
                "The SHA-256 of the photo's bytes as the phone sent them, lower-case hex",
            ))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl ToSchema for PhotoName {}

/// The longest name a device may give itself.
pub const MAX_DEVICE_NAME: usize = 80;

#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TokenResponse {
    pub token: String,
    pub org_slug: String,
    pub org_name: String,
    pub user_name: String,
    /// The user's role, so the app offers only what the server will accept.
    pub role: crate::authz::Role,
    /// The `seq` the server expects next from this person on this device.
    pub next_seq: i64,
    /// When the device must sign in with a code again, in microseconds since the epoch.
    pub expires_at: i64,
}

/// One change made on the device.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Mutation {
    pub mutation_id: Uuid,
    /// This change's number from this person on this device: 1, 2, 3…
    #[serde(deserialize_with = "whole_number")]
    #[cfg_attr(
        feature = "openapi",
        schema(minimum = 1, maximum = 9_007_199_254_740_991_i64)
    )]
    pub seq: i64,
    #[serde(flatten)]
    pub change: Change,
}

/// What a mutation does.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(tag = "kind", content = "payload", rename_all = "snake_case")]
pub enum Change {
    LogIssue(LogIssue),
    RaiseTicket(RaiseTicket),
    UpdateWorkOrder(UpdateWorkOrder),
    ReplyTicket(ReplyTicket),
    LinkIssue(LinkIssue),
}

impl Change {
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            Change::LogIssue(_) => "log_issue",
            Change::RaiseTicket(_) => "raise_ticket",
            Change::UpdateWorkOrder(_) => "update_work_order",
            Change::ReplyTicket(_) => "reply_ticket",
            Change::LinkIssue(_) => "link_issue",
        }
    }

    /// The photos (by SHA-256) the server must hold before it can apply this change.
    #[must_use]
    pub fn photos(&self) -> &[String] {
        match self {
            Change::LogIssue(c) => &c.photos,
            Change::RaiseTicket(c) => &c.photos,
            Change::UpdateWorkOrder(c) => &c.photos,
            Change::ReplyTicket(_) | Change::LinkIssue(_) => &[],
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LogIssue {
    pub issue_id: IssueId,
    pub site_id: SiteId,
    pub building_id: Option<BuildingId>,
    pub ticket_id: Option<TicketId>,
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub location: String,
    pub category: IssueCategory,
    pub priority: Priority,
    /// The photos' SHA-256 names, lower-case hex.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<PhotoName>))]
    pub photos: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RaiseTicket {
    pub ticket_id: TicketId,
    pub site_id: SiteId,
    pub unit_id: Option<UnitId>,
    pub subject: String,
    pub body: String,
    pub category: TicketCategory,
    pub priority: Priority,
    /// The photos' SHA-256 names, lower-case hex.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<PhotoName>))]
    pub photos: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct UpdateWorkOrder {
    pub work_order_id: WorkOrderId,
    /// The status the device saw; if the server's differs, the change is stale.
    pub expected_status: WorkOrderStatus,
    pub to_status: Option<WorkOrderStatus>,
    pub note: Option<String>,
    /// The photos' SHA-256 names, lower-case hex.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<PhotoName>))]
    pub photos: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ReplyTicket {
    pub ticket_id: TicketId,
    pub body: String,
    /// An internal note only staff see, rather than a message to the reporter.
    #[serde(default)]
    pub internal: bool,
}

/// Ties an issue to the building it is in and the request it answers. Each is replaced as
/// given: `None` unlinks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LinkIssue {
    pub issue_id: IssueId,
    pub building_id: Option<BuildingId>,
    pub ticket_id: Option<TicketId>,
    /// Where the issue belonged as the device saw it: if the server's differs, someone changed
    /// it meanwhile and the change is stale rather than undoing theirs.
    #[serde(default)]
    pub seen: Option<IssueLinks>,
}

/// An issue's building and ticket.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct IssueLinks {
    pub building_id: Option<BuildingId>,
    pub ticket_id: Option<TicketId>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PushRequest {
    pub device_id: Uuid,
    pub mutations: Vec<Mutation>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Applied,
    /// Seen before: the stored outcome is in `original`.
    Duplicate,
    /// Can never succeed; `reason` says why, in words for the person holding the phone.
    Rejected,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct MutationResult {
    pub mutation_id: Uuid,
    pub seq: i64,
    pub outcome: Outcome,
    /// For a duplicate: what happened the first time.
    pub original: Option<Outcome>,
    pub reason: Option<String>,
    /// A stable code for the app: `not_found`, `forbidden`, `stale`, `invalid`.
    pub code: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PushResponse {
    pub results: Vec<MutationResult>,
    /// The last `seq` the server has applied or rejected for this device.
    pub last_seq: i64,
    /// Photos the server does not hold yet: upload them, then push the rest again.
    #[serde(default)]
    pub missing_photos: Vec<String>,
}

/// The server's answer to a pull: what changed since the device's cursor.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PullResponse {
    pub cursor: i64,
    /// The device must drop every row it holds from the server and keep only these.
    pub reset: bool,
    pub sites: Vec<SiteView>,
    pub tickets: Vec<TicketView>,
    pub issues: Vec<IssueView>,
    pub work_orders: Vec<WorkOrderView>,
    /// Records the device must forget (closed, or no longer in scope).
    pub removed: Vec<Removed>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Removed {
    pub record_type: String,
    pub id: Uuid,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SiteView {
    pub id: SiteId,
    pub reference: String,
    pub name: String,
    pub address: String,
    pub buildings: Vec<BuildingView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct BuildingView {
    pub id: BuildingId,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TicketView {
    pub id: TicketId,
    pub site_id: SiteId,
    pub reference: String,
    pub subject: String,
    pub category: TicketCategory,
    pub priority: Priority,
    pub status: TicketStatus,
    pub reporter: Option<String>,
    pub created_at: i64,
    pub messages: Vec<MessageView>,
    /// The photos' SHA-256 names, for `GET /v1/photos/{sha256}`.
    #[serde(default)]
    pub photos: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct MessageView {
    pub author: String,
    pub body: String,
    pub internal: bool,
    pub created_at: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct IssueView {
    pub id: IssueId,
    pub site_id: SiteId,
    #[serde(default)]
    pub building_id: Option<BuildingId>,
    /// The request it answers.
    #[serde(default)]
    pub ticket_id: Option<TicketId>,
    /// The work order raised from it.
    #[serde(default)]
    pub work_order_id: Option<WorkOrderId>,
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub reported_by: String,
    pub location: String,
    pub category: IssueCategory,
    pub priority: Priority,
    pub status: IssueStatus,
    pub created_at: i64,
    pub photos: Vec<String>,
    /// What happened to it, oldest first.
    #[serde(default)]
    pub history: Vec<HistoryView>,
}

/// One step in a record's history, as the audit trail tells it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct HistoryView {
    pub at: i64,
    pub who: String,
    pub what: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct WorkOrderView {
    pub id: WorkOrderId,
    pub site_id: SiteId,
    pub reference: String,
    pub title: String,
    pub scope: String,
    pub priority: Priority,
    pub status: WorkOrderStatus,
    pub contractor: Option<String>,
    pub deadline: Option<String>,
    /// The photos' SHA-256 names, for `GET /v1/photos/{sha256}`.
    #[serde(default)]
    pub photos: Vec<String>,
}

/// The JSON error body of every API error: a stable code, a sentence for people, and for a
/// validation error the fields at fault.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ApiError {
    /// A stable machine code: `invalid`, `unauthenticated`, `not_found`, `seq_gap`…
    pub code: String,
    pub message: String,
    /// For `invalid`: what is wrong with which field.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
    /// For `seq_gap`: the `seq` the server expects next.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_seq: Option<i64>,
}

/// A fresh token for this device, with the same limits as the one it replaces.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RefreshResponse {
    pub token: String,
    /// When the device must sign in with a code again, in microseconds since the epoch.
    pub expires_at: i64,
}

/// Where the server sends this device's notifications.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PushTarget {
    /// An RFC 8030 endpoint with the device's RFC 8291 keys: on Android, the one a UnifiedPush
    /// distributor gave; the messages are encrypted for the device and decrypted there.
    WebPush {
        /// The push service's address for this device: https, on the internet.
        #[cfg_attr(feature = "openapi", schema(max_length = 2048, pattern = r"^https://"))]
        endpoint: String,
        /// The device's P-256 public key, uncompressed, base64url.
        #[cfg_attr(feature = "openapi", schema(pattern = r"^[A-Za-z0-9_-]{87}$"))]
        p256dh: String,
        /// The device's 16-byte authentication secret, base64url.
        #[cfg_attr(feature = "openapi", schema(pattern = r"^[A-Za-z0-9_-]{22}$"))]
        auth: String,
    },
    /// On an iPhone, the device token APNs gave the app, hex.
    Apns {
        #[cfg_attr(feature = "openapi", schema(pattern = r"^([0-9a-fA-F]{2}){32,100}$"))]
        device_token: String,
    },
}

/// Turns this device's notifications on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PushRegistration {
    #[serde(flatten)]
    pub target: PushTarget,
    /// The device as its owner would recognise it in their settings.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 80))]
    pub device_name: String,
}

/// A device's notifications, turned on: the id to turn them off with.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PushRegistered {
    pub id: String,
}

/// The key the server signs its Web Push messages with (RFC 8292), base64url: a UnifiedPush
/// distributor may ask for it.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PushKey {
    pub public_key: String,
}

/// Photos larger than this are refused while they stream in.
pub const MAX_PHOTO_BYTES: u64 = 25 * 1024 * 1024;

/// The largest piece of a photo one request may carry.
pub const MAX_CHUNK_BYTES: u64 = 8 * 1024 * 1024;

/// The most changes one push may carry; the app sends longer outboxes in several pushes.
pub const MAX_MUTATIONS_PER_PUSH: usize = 100;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mutation_travels_as_kind_and_payload() {
        let m = Mutation {
            mutation_id: Uuid::nil(),
            seq: 3,
            change: Change::ReplyTicket(ReplyTicket {
                ticket_id: TicketId(Uuid::nil()),
                body: "On my way".into(),
                internal: false,
            }),
        };
        let json = serde_json::to_value(&m).unwrap();
        assert_eq!(json["kind"], "reply_ticket");
        assert_eq!(json["payload"]["body"], "On my way");
        assert_eq!(json["seq"], 3);
        let back: Mutation = serde_json::from_value(json).unwrap();
        assert_eq!(back, m);
    }

    #[test]
    fn an_unknown_kind_is_an_error_not_a_guess() {
        let json = serde_json::json!({"mutation_id": Uuid::nil(), "seq": 1, "kind": "delete_everything", "payload": {}});
        assert!(serde_json::from_value::<Mutation>(json).is_err());
    }
}
