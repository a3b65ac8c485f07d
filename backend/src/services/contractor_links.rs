//! ContractorPort's links: a contractor has no account and no password; a link is their whole
//! key to one work order of one organisation.
//!
//! A link's token is 256 random bits, kept only as its SHA-256 hash. Inviting the contractor
//! again replaces their link; revoking it, or closing or cancelling the work order, ends it;
//! it expires after a configurable number of days. The first open trades it for a session
//! bound to the same work order, so the token leaves the address bar; opened again, it says so.
//! Wrong tokens are counted per client and refused once there are too many.

use proplink_shared::audit::{AuditAction, Channel};
use proplink_shared::records::RecordType;
use proplink_shared::states::WorkOrderStatus;
use proplink_shared::{Actor, OrgId, Principal, StaffUserId, VendorId, WorkOrderId};
use serde_json::json;
use time::Duration;

use super::auth::{Client, token_hash};
use super::change::{Change, Event, Who};
use super::mail::{self, Outgoing};
use crate::app::{App, random_token};
use crate::error::{AppError, AppResult};
use crate::store::contractor_links::{self as store, Link, NewLink, NewSession};
use crate::store::{auth as limits, orgs, vendors, work_orders};

/// A contractor's session lasts a working day; a fresh link starts another.
const SESSION_LIFETIME: Duration = Duration::hours(12);
/// Wrong links one client (an IPv4 address, an IPv6 /64) may try in [`GUESS_WINDOW`] before
/// it is refused: enough for a few offices behind one address to mistype, far too few to
/// guess a 256-bit token.
pub const WRONG_LINKS_PER_WINDOW: i64 = 20;
const GUESS_WINDOW: Duration = Duration::minutes(15);

/// Issues a contractor's link to a work order inside the caller's change, replacing any they
/// had; returns the address to send them and its token (a secret: the mail that carries it is
/// logged with the token blanked out, and sealed until sent).
pub(crate) async fn issue_in(
    change: &mut Change<'_>,
    org: OrgId,
    work_order: WorkOrderId,
    vendor: VendorId,
    invited_by: Option<StaffUserId>,
) -> AppResult<(String, String)> {
    let now = change.now;
    store::end_links(change, org, work_order, Some(vendor), "replaced", now).await?;
    mint_in(change, org, work_order, vendor, invited_by).await
}

/// A new link, in the caller's change; returns its address and token.
async fn mint_in(
    change: &mut Change<'_>,
    org: OrgId,
    work_order: WorkOrderId,
    vendor: VendorId,
    invited_by: Option<StaffUserId>,
) -> AppResult<(String, String)> {
    let app = change.app();
    let now = change.now;
    let token = random_token();
    let days = i64::from(app.config.contractor_link_days);
    store::insert_link(
        change,
        &NewLink {
            token_hash: &token_hash(&token),
            org,
            work_order,
            vendor,
            expires_at: now + Duration::days(days),
            invited_by,
        },
        now,
    )
    .await?;
    Ok((format!("{}/{token}", app.config.contractor_url()), token))
}

/// Ends a contractor's link to a work order: it opens no more, and its sessions end.
pub async fn revoke(
    app: &App,
    actor: &Actor,
    work_order: WorkOrderId,
    vendor: VendorId,
) -> AppResult<()> {
    let mut change = Change::begin(app, actor).await?;
    let w = super::work_orders::load_for(
        &mut change,
        actor,
        work_order,
        proplink_shared::Action::Update,
    )
    .await?;
    let v = vendors::vendor(&mut change, actor.org, vendor)
        .await?
        .ok_or(AppError::NotFound)?;
    let now = change.now;
    if store::end_links(
        &mut change,
        actor.org,
        work_order,
        Some(vendor),
        "revoked",
        now,
    )
    .await?
        == 0
    {
        return Err(AppError::conflict(
            "no_link",
            format!("{} has no live link to {}.", v.name, w.reference),
        ));
    }
    change
        .record(Event::new(
            RecordType::WorkOrder,
            work_order,
            AuditAction::Update,
            format!(
                "withdrew {}'s ContractorPort link to {}",
                v.name, w.reference
            ),
            json!({ "vendor": vendor.to_string() }),
        ))
        .await?;
    change.commit().await
}

/// A contractor's live link to a work order, as the office sees it.
pub struct LiveLink {
    pub vendor: VendorId,
    pub vendor_name: String,
    pub expires_at: time::OffsetDateTime,
    pub opened_at: Option<time::OffsetDateTime>,
}

/// The live links to a work order, for those who may update it.
pub async fn live(app: &App, actor: &Actor, work_order: WorkOrderId) -> AppResult<Vec<LiveLink>> {
    let mut conn = app.db.read().await?;
    let w = work_orders::work_order(&mut conn, actor.org, work_order)
        .await?
        .ok_or(AppError::NotFound)?;
    super::check(
        actor,
        proplink_shared::Action::Update,
        &super::work_orders::resource(actor, &w),
    )?;
    Ok(
        store::live_links(&mut conn, actor.org, work_order, app.clock.now())
            .await?
            .into_iter()
            .map(|(vendor, vendor_name, expires_at, opened_at)| LiveLink {
                vendor,
                vendor_name,
                expires_at,
                opened_at,
            })
            .collect(),
    )
}

/// Why a link did not open, as the contractor is told.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Never issued, mistyped or cut short — or another organisation's: all alike.
    NotRecognised,
    /// Too many wrong links from this client lately.
    TooMany,
    /// The organisation it is from, and why it no longer opens.
    Ended {
        organisation: String,
        contact: String,
        why: Why,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Why {
    Expired,
    Replaced,
    Revoked,
    Closed,
    AwardedElsewhere,
    AlreadyOpened,
}

impl Why {
    #[must_use]
    pub fn explain(self) -> &'static str {
        match self {
            Why::Expired => "This link has expired.",
            Why::Replaced => {
                "A newer link to this work order was sent to you: use the link in the latest email."
            }
            Why::Revoked => "This link was withdrawn by the office.",
            Why::Closed => "This work order is closed, so its link no longer opens.",
            Why::AwardedElsewhere => {
                "The work on this order went to another contractor, so its link no longer opens. Thank you for quoting."
            }
            Why::AlreadyOpened => {
                "This link has already been opened, on another browser or device. Each link opens once."
            }
        }
    }
}

/// A link traded for a session: the session's secret (never stored) for the cookie.
pub struct Opened {
    pub session_token: String,
}

/// A live link's record, or the refusal to give for its token. Wrong tokens count against
/// the client: too many and even a right one is refused for a while.
async fn find(app: &App, token: &str, client: &Client) -> AppResult<Result<Link, Refusal>> {
    let now = app.clock.now();
    let well_formed = token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit());
    if !well_formed {
        // Not a guess at a token (a favicon, robots.txt, a link cut short): nothing to count.
        return Ok(Err(Refusal::NotRecognised));
    }
    let bucket = format!("contractor:wrong:{}", network_of(&client.ip));
    {
        let mut conn = app.db.read().await?;
        if limits::count(&mut conn, &bucket, now - GUESS_WINDOW).await? >= WRONG_LINKS_PER_WINDOW {
            return Ok(Err(Refusal::TooMany));
        }
    }
    let link = {
        let mut conn = app.db.read().await?;
        store::link(&mut conn, &token_hash(&token.to_ascii_lowercase())).await?
    };
    match link {
        Some(link) => Ok(Ok(link)),
        None => {
            let mut tx = app.db.begin().await?;
            limits::hit(&mut tx, &bucket, now, now - GUESS_WINDOW).await?;
            tx.commit().await?;
            Ok(Err(Refusal::NotRecognised))
        }
    }
}

/// The network a client is counted by: its IPv4 address, or its IPv6 /64 (one household or
/// phone has a whole /64 to pick addresses from).
fn network_of(ip: &str) -> String {
    match ip.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(v6)) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        _ => ip.to_owned(),
    }
}

/// Why a link no longer opens its work order, if it does not.
fn why_ended(link: &Link, status: WorkOrderStatus, now: time::OffsetDateTime) -> Option<Why> {
    match link.ended.as_deref() {
        _ if status.is_terminal() => Some(Why::Closed),
        Some("revoked") => Some(Why::Revoked),
        Some("closed") => Some(Why::Closed),
        Some("awarded_elsewhere") => Some(Why::AwardedElsewhere),
        Some(_) => Some(Why::Replaced),
        None if now >= link.expires_at => Some(Why::Expired),
        None if link.used_at.is_some() => Some(Why::AlreadyOpened),
        None => None,
    }
}

/// The refusal for a link that ended: why, and whom at its organisation to ask.
async fn ended(app: &App, link: &Link, why: Why) -> AppResult<Refusal> {
    let mut conn = app.db.read().await?;
    let org = orgs::by_id(&mut conn, link.org)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Refusal::Ended {
        organisation: org.name,
        contact: [org.contact_email, org.contact_phone]
            .into_iter()
            .filter(|c| !c.is_empty())
            .collect::<Vec<_>>()
            .join(", "),
        why,
    })
}

/// What a link would open, without opening it: a mail scanner or a link preview that fetches
/// it leaves it for the contractor. The organisation it is from if it would open, or why not.
pub async fn preview(
    app: &App,
    token: &str,
    client: &Client,
) -> AppResult<Result<String, Refusal>> {
    let link = match find(app, token, client).await? {
        Ok(link) => link,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let mut conn = app.db.read().await?;
    let w = work_orders::work_order(&mut conn, link.org, link.work_order_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let org = orgs::by_id(&mut conn, link.org)
        .await?
        .ok_or(AppError::NotFound)?;
    drop(conn);
    match why_ended(&link, w.status, app.clock.now()) {
        Some(why) => Ok(Err(ended(app, &link, why).await?)),
        None => Ok(Ok(org.name)),
    }
}

/// Opens a link: the first time, trades it for a session bound to its work order.
pub async fn open(app: &App, token: &str, client: &Client) -> AppResult<Result<Opened, Refusal>> {
    let link = match find(app, token, client).await? {
        Ok(link) => link,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let now = app.clock.now();
    let mut change = Change::begin_as(app, link.org, who(app, &link).await?).await?;
    let w = work_orders::work_order(&mut change, link.org, link.work_order_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let why = match why_ended(&link, w.status, now) {
        Some(why) => Some(why),
        None if !store::use_link(&mut change, &link.token_hash, now).await? => {
            Some(Why::AlreadyOpened)
        }
        None => None,
    };
    if let Some(why) = why {
        drop(change);
        return Ok(Err(ended(app, &link, why).await?));
    }
    let session_token = random_token();
    store::insert_session(
        &mut change,
        &NewSession {
            id_hash: &token_hash(&session_token),
            link: &link,
            csrf_token: &random_token(),
            expires_at: now + SESSION_LIFETIME,
        },
        now,
    )
    .await?;
    change
        .record(Event::new(
            RecordType::WorkOrder,
            link.work_order_id,
            AuditAction::SignIn,
            format!("opened their ContractorPort link to {}", w.reference),
            json!({ "ip": client.ip, "device": client.user_agent }),
        ))
        .await?;
    change.commit().await?;
    Ok(Ok(Opened { session_token }))
}

/// Whether a link that no longer opens may ask for a fresh one: one opened before (on another
/// device, or its session has ended), while it is in date and its work order open. A
/// withdrawn, replaced or expired link may not: the office meant it, a newer one is in the
/// mail, or its time is up and the office decides whether to invite again.
#[must_use]
pub fn may_renew(why: Why) -> bool {
    why == Why::AlreadyOpened
}

/// What asking for a fresh link came to.
#[derive(Debug, PartialEq, Eq)]
pub enum Fresh {
    /// A fresh link went to the contractor's address on file, shown here partly hidden.
    Sent {
        to: String,
    },
    /// The link still opens: there is nothing to renew.
    StillOpens,
    Refused(Refusal),
}

/// Sends a fresh link, in place of this one, to the address the organisation holds for the
/// contractor — never one the asker gives, so a link seen by someone else gets them nothing.
/// The old link is replaced at once: asking twice sends one.
pub async fn send_fresh(app: &App, token: &str, client: &Client) -> AppResult<Fresh> {
    let link = match find(app, token, client).await? {
        Ok(link) => link,
        Err(refusal) => return Ok(Fresh::Refused(refusal)),
    };
    let now = app.clock.now();
    let mut change = Change::begin_as(app, link.org, who(app, &link).await?).await?;
    let w = work_orders::work_order(&mut change, link.org, link.work_order_id)
        .await?
        .ok_or(AppError::NotFound)?;
    match why_ended(&link, w.status, now) {
        None => return Ok(Fresh::StillOpens),
        Some(why) if !may_renew(why) => {
            drop(change);
            return Ok(Fresh::Refused(ended(app, &link, why).await?));
        }
        Some(_) => {}
    }
    // Renewed, not replaced: a session the link opened on another device goes on.
    if !store::end_link(&mut change, &link.token_hash, "renewed", now).await? {
        drop(change);
        return Ok(Fresh::Refused(ended(app, &link, Why::Replaced).await?));
    }
    let v = vendors::vendor(&mut change, link.org, link.vendor_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (url, secret) = mint_in(&mut change, link.org, w.id, v.id, link.invited_by).await?;
    let body = format!(
        "Hello {},\n\nHere is a fresh link to work order {}: {}, as you asked. It replaces your earlier link.\n\n{url}\n\n\
         The link is for you alone. It opens once, on the device you open it with, and expires in {} days.\n",
        v.name, w.reference, w.title, app.config.contractor_link_days
    );
    mail::queue(
        &mut change,
        Some(link.org),
        Outgoing {
            to: &v.email,
            subject: &format!("Your fresh link to {}", w.reference),
            body: &body,
            about: Some((RecordType::WorkOrder, w.id.to_string())),
            secret: Some(&secret),
        },
    )
    .await?;
    change
        .record(Event::new(
            RecordType::WorkOrder,
            w.id,
            AuditAction::Send,
            format!("asked for a fresh ContractorPort link to {}", w.reference),
            json!({ "ip": client.ip, "device": client.user_agent, "email": v.email, "asked_by": "whoever held the opened link" }),
        ))
        .await?;
    change.commit().await?;
    Ok(Fresh::Sent {
        to: partly_hidden(&v.email),
    })
}

/// An email address with most of its local part hidden: enough for its owner to recognise.
fn partly_hidden(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}…@{domain}")
        }
        None => "your email address".into(),
    }
}

/// The contractor a link is for, as the audit trail names them.
async fn who(app: &App, link: &Link) -> AppResult<Who> {
    let mut conn = app.db.read().await?;
    let v = vendors::vendor(&mut conn, link.org, link.vendor_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Who {
        kind: "contractor",
        id: Some(v.id.to_string()),
        name: v.name,
        channel: Channel::ContractorPort,
    })
}

/// A live contractor session: the actor it makes them, bound to one work order.
pub struct ContractorSession {
    pub actor: Actor,
    pub csrf_token: String,
    /// The organisation the work is for, as its pages name it.
    pub organisation: String,
}

/// The session behind a cookie, while it and the link it came from are live.
pub async fn session(app: &App, token: &str) -> AppResult<Option<ContractorSession>> {
    let now = app.clock.now();
    let mut conn = app.db.read().await?;
    let Some(s) = store::session(&mut conn, &token_hash(token)).await? else {
        return Ok(None);
    };
    // A link renewed from elsewhere leaves its session be; any other end ends it.
    let link_ended = s.link_ended.as_deref().is_some_and(|why| why != "renewed");
    if now >= s.expires_at || now >= s.link_expires_at || link_ended {
        return Ok(None);
    }
    let Some(v) = vendors::vendor(&mut conn, s.org, s.vendor_id).await? else {
        return Ok(None);
    };
    let Some(org) = orgs::by_id(&mut conn, s.org).await? else {
        return Ok(None);
    };
    Ok(Some(ContractorSession {
        actor: Actor {
            org: s.org,
            principal: Principal::Contractor {
                vendor: s.vendor_id,
                work_order: s.work_order_id,
            },
            channel: Channel::ContractorPort,
            display_name: v.name,
        },
        csrf_token: s.csrf_token,
        organisation: org.name,
    }))
}
