//! Email + one-time-code sign-in and server-side sessions, for every door that signs people
//! in (the admin app and Facility Report now; the portals next).
//!
//! The rules: 6 digits, valid 10 minutes, single use, stored only as a keyed hash, at most 5
//! tries per code, and the same answer whether or not the address has an account (a code is
//! stored for an unknown address too, and never sent).
//!
//! Guesses are bounded per email address across every door, code and organisation: after 10
//! wrong codes in an hour the address cools down until the oldest of them is an hour old, and
//! the person is told until when. Sends are limited per address and client, per client, and
//! per address in all; a code already sent stays usable when another is requested, so a
//! stranger flooding requests for someone's address cannot stop them signing in with the code
//! in their inbox, and once the flood's own client is refused it cannot go on for long.

use std::collections::BTreeSet;

use hmac::{Hmac, Mac};
use proplink_shared::audit::{AuditAction, Channel};
use proplink_shared::records::{RecordType, ValidationErrors, validate_email};
use proplink_shared::sync::CodeStatus;
use proplink_shared::{Actor, OrgId, Principal, SiteScope};
use rand::Rng;
use serde_json::json;
use sha2::{Digest, Sha256};
use time::Duration;

use super::change::{Change, Event, Who};
use super::mail::{self, Outgoing};
use crate::app::{App, random_token};
use crate::error::{AppError, AppResult};
use crate::store::auth::{self as store, CodeFor, NewSession, StaffSession};
use crate::store::orgs::{Organisation, StaffUser};
use crate::store::sync as tokens;

mod accounts;
mod inspector;
mod resident;
mod thread;

use accounts::account;
pub use accounts::{Account, Door};
pub use inspector::{INSPECTOR_SESSIONS, InspectorSession, inspector_session, sign_out_inspector};
pub use resident::{ResidentSession, resident_session, sign_out_resident};
pub use thread::{ThreadSession, sign_out_thread, thread_session};

const CODE_LIFETIME: Duration = Duration::minutes(10);
const MAX_TRIES_PER_CODE: i64 = 5;
/// Wrong codes one address may have entered in [`GUESS_WINDOW`], everywhere.
pub const WRONG_CODES_PER_HOUR: i64 = 10;
const GUESS_WINDOW: Duration = Duration::hours(1);
const SEND_WINDOW: Duration = Duration::minutes(15);
const ADDRESS_WINDOW: Duration = Duration::hours(1);
/// The newest live codes a guess is checked against.
const LIVE_CODES: i64 = 5;
/// A device stays signed in this long after its owner last proved who they are…
pub const DEVICE_ABSOLUTE: Duration = Duration::days(90);
/// …and this long after it was last used.
pub const DEVICE_IDLE: Duration = Duration::days(30);

/// Where a request came from, for rate limits and the audit trail.
#[derive(Clone, Debug, Default)]
pub struct Client {
    pub ip: String,
    pub user_agent: String,
}

fn bucket(kind: &str, parts: &[&str]) -> String {
    let mut b = format!("otp:{kind}");
    for p in parts {
        b.push(':');
        b.push_str(p);
    }
    b
}

/// Sends a sign-in code if `email` belongs to someone who may use `door`. Answers the same
/// either way: the normalised address, and whether a code went out or enough had already.
pub async fn request_code(
    app: &App,
    org: &Organisation,
    door: Door,
    email: &str,
    client: &Client,
) -> AppResult<CodeRequested> {
    let email = validate_email(email)?;
    let now = app.clock.now();
    let mut tx = app.db.begin().await?;
    // Every request counts against its client, refused or not: a flood only shuts itself out.
    let from_client = store::hit(
        &mut tx,
        &bucket("client", &[&client.ip]),
        now,
        now - SEND_WINDOW,
    )
    .await?;
    let pair = bucket("pair", &[&email, &client.ip]);
    let address = bucket("address", &[&email]);
    if from_client > i64::from(app.config.otp_sends_per_client) {
        tx.commit().await?;
        return Err(AppError::too_many(
            "Too many codes have been requested from this network. Wait 15 minutes, then try again.",
            Some(std::time::Duration::from_secs(15 * 60)),
        ));
    }
    // Enough codes went to this address lately: none is sent, and those sent still work, so
    // a flood from elsewhere never keeps the person from signing in with their inbox.
    let enough = store::count(&mut tx, &pair, now - SEND_WINDOW).await?
        >= i64::from(app.config.otp_sends_per_address)
        || store::count(&mut tx, &address, now - ADDRESS_WINDOW).await?
            >= i64::from(app.config.otp_sends_per_address_hourly);
    if enough {
        tx.commit().await?;
        return Ok(CodeRequested {
            email,
            status: CodeStatus::AlreadySent,
        });
    }
    store::hit(&mut tx, &pair, now, now - SEND_WINDOW).await?;
    store::hit(&mut tx, &address, now, now - ADDRESS_WINDOW).await?;
    let code = format!("{:06}", rand::rngs::OsRng.gen_range(0..1_000_000u32));
    let to = CodeFor {
        org: org.id,
        door: door.code(),
        email: &email,
    };
    store::insert_code(
        &mut tx,
        &to,
        &code_hash(app, &to, &code),
        now,
        now + CODE_LIFETIME,
    )
    .await?;
    let person = account(&mut tx, org.id, door, &email, now).await?;
    if let Some(person) = &person {
        let subject = format!("Your {} sign-in code for {}", door.product(), org.name);
        let about = (person.record(), person.id());
        let body = format!(
            "Hello {name},\n\nYour sign-in code is {code}\n\nIt works once, for the next 10 minutes. \
             If you did not ask to sign in to {org}, you can ignore this email: nobody can sign in without the code.\n\n{product}\n",
            name = person.name(),
            org = org.name,
            product = door.product(),
        );
        mail::queue_in(
            &mut tx,
            app,
            Some(org.id),
            Outgoing {
                to: &email,
                subject: &subject,
                body: &body,
                about: Some(about),
                secret: Some(&code),
            },
            now,
        )
        .await?;
    }
    tx.commit().await?;
    if person.is_some() {
        app.mail_wakeup.notify_one();
    }
    Ok(CodeRequested {
        email,
        status: CodeStatus::Sent,
    })
}

/// The address a code was asked for (normalised), and whether one was sent.
pub struct CodeRequested {
    pub email: String,
    pub status: CodeStatus,
}

/// What a right code buys.
pub enum Grant<'a> {
    /// A browser session, replacing the one the browser may already hold.
    Session { replacing: Option<&'a str> },
    /// A bearer token for one device of the app.
    Device {
        device_id: &'a str,
        device_name: &'a str,
    },
}

/// A new session or device token: the secret (never stored) and, for sessions, the CSRF token.
pub struct SignedIn {
    pub token: String,
    pub csrf: String,
    pub account: Account,
    /// When the session or device token ends at the latest.
    pub expires_at: time::OffsetDateTime,
}

fn invalid_code(message: impl Into<String>) -> AppError {
    AppError::Invalid(ValidationErrors::single("code", message))
}

/// Checks a code and, if right, starts a session or a device's sign-in.
pub async fn verify_code(
    app: &App,
    org: &Organisation,
    door: Door,
    email: &str,
    code: &str,
    client: &Client,
    grant: Grant<'_>,
) -> AppResult<SignedIn> {
    let email = validate_email(email)?;
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid_code("Enter the 6-digit code from the email"));
    }
    let now = app.clock.now();
    let wrong = bucket("wrong", &[&email]);
    let mut change = Change::begin_as(app, org.id, Who::anonymous(&email, door.channel())).await?;
    let guesses = store::count(&mut change, &wrong, now - GUESS_WINDOW).await?;
    if guesses >= WRONG_CODES_PER_HOUR {
        let until = store::nth_newest(&mut change, &wrong, WRONG_CODES_PER_HOUR)
            .await?
            .map_or(now + GUESS_WINDOW, |at| at + GUESS_WINDOW);
        return Err(AppError::too_many(
            format!(
                "Too many wrong codes have been entered for this address. To keep the account safe, signing in is paused until {}. \
                 Then request a new code.",
                proplink_shared::london::format_time(until)
            ),
            Some(std::time::Duration::try_from(until - now).unwrap_or_default()),
        ));
    }
    let to = CodeFor {
        org: org.id,
        door: door.code(),
        email: &email,
    };
    let live = store::live_codes(&mut change, &to, now, MAX_TRIES_PER_CODE, LIVE_CODES).await?;
    if live.is_empty() {
        return Err(invalid_code(
            "That code has expired or has already been used. Request a new code.",
        ));
    }
    // A resident's sign-in buys a browser session, never a device token of the staff app.
    let person = account(&mut change, org.id, door, &email, now)
        .await?
        .filter(|p| matches!(p, Account::Staff(_)) || matches!(grant, Grant::Session { .. }));
    let matched = live
        .iter()
        .find(|c| verify_hash(app, &to, &code, &c.code_hash));
    let detail = json!({ "email": email, "ip": client.ip, "device": client.user_agent });
    let (Some(person), Some(matched)) = (person, matched) else {
        let ids: Vec<String> = live.iter().map(|c| c.id.clone()).collect();
        store::count_attempt(&mut change, &ids).await?;
        store::hit(&mut change, &wrong, now, now - GUESS_WINDOW).await?;
        change
            .record(Event::new(
                RecordType::Organisation,
                org.id,
                AuditAction::SignInFailed,
                "entered a wrong sign-in code",
                detail,
            ))
            .await?;
        change.commit().await?;
        let code_tries = live
            .iter()
            .map(|c| MAX_TRIES_PER_CODE - c.attempts - 1)
            .max()
            .unwrap_or(0);
        let left = code_tries.min(WRONG_CODES_PER_HOUR - guesses - 1);
        return Err(invalid_code(if left > 0 {
            format!(
                "That code is not right. Check the email and try again ({left} {} left).",
                if left == 1 { "try" } else { "tries" }
            )
        } else {
            "That code is not right, and it cannot be used again. Request a new code.".into()
        }));
    };
    if !store::use_code(&mut change, &matched.id, now).await? {
        return Err(invalid_code(
            "That code has expired or has already been used. Request a new code.",
        ));
    }
    let token = random_token();
    let expires_at = match grant {
        Grant::Session { .. } => {
            now + Duration::try_from(app.config.session_max).unwrap_or(Duration::hours(12))
        }
        Grant::Device { .. } => now + DEVICE_ABSOLUTE,
    };
    let csrf = match grant {
        Grant::Session { replacing } => {
            if let Some(old) = replacing {
                store::delete_session(&mut change, org.id, &token_hash(old)).await?;
            }
            let csrf = random_token();
            store::insert_session(
                &mut change,
                &NewSession {
                    id_hash: &token_hash(&token),
                    org: org.id,
                    door: person.session_door(door),
                    subject_id: person.id(),
                    csrf_token: &csrf,
                    expires_at,
                },
                now,
            )
            .await?;
            csrf
        }
        Grant::Device {
            device_id,
            device_name,
        } => {
            let Account::Staff(person) = &person else {
                return Err(AppError::NotFound);
            };
            // A sign-in retires only this person's earlier tokens on this device.
            tokens::revoke_device_tokens(&mut change, org.id, person.id, device_id, now).await?;
            tokens::insert_token(
                &mut change,
                &tokens::NewToken {
                    token_hash: &token_hash(&token),
                    org: org.id,
                    user: person.id,
                    device_id,
                    device_name,
                    signed_in_at: now,
                    expires_at,
                },
                now,
            )
            .await?;
            String::new()
        }
    };
    change.act_as(Who {
        kind: person.kind(),
        id: Some(person.id()),
        name: person.name(),
        channel: door.channel(),
    });
    change
        .record(Event::new(
            person.record(),
            person.id(),
            AuditAction::SignIn,
            "signed in",
            detail,
        ))
        .await?;
    change.commit().await?;
    if let Grant::Session {
        replacing: Some(old),
    } = grant
    {
        forget_session(app, &token_hash(old));
    }
    Ok(SignedIn {
        token,
        csrf,
        account: person,
        expires_at,
    })
}

/// A live session and the actor behind it.
#[derive(Clone, Debug)]
pub struct Session {
    pub id_hash: String,
    pub csrf_token: String,
    pub actor: Actor,
    pub staff: StaffUser,
}

/// The session behind a cookie on this organisation and door, if it is still live.
pub async fn session(
    app: &App,
    org: &Organisation,
    door: Door,
    token: &str,
) -> AppResult<Option<Session>> {
    let now = app.clock.now();
    let id_hash = token_hash(token);
    // The cache key names the organisation and door too: a session is only ever found where
    // it was made.
    let key = format!("{}:{}:{id_hash}", org.id, door.code());
    let found = match app.sessions.get(&key) {
        Some(found) => Some(found),
        None => {
            let mut conn = app.db.read().await?;
            store::staff_session(&mut conn, org.id, door.code(), &id_hash).await?
        }
    };
    let Some(mut found) = found else {
        return Ok(None);
    };
    if !keep_alive(
        app,
        org.id,
        &id_hash,
        found.last_seen_at,
        found.expires_at,
        found.staff.active,
    )
    .await?
    {
        app.sessions.forget(&key);
        return Ok(None);
    }
    if now - found.last_seen_at > Duration::minutes(1) {
        found.last_seen_at = now;
    }
    app.sessions.put(key, found.clone());
    let actor = staff_actor(org.id, &found.staff, &found.sites, door.channel());
    let StaffSession {
        id_hash,
        csrf_token,
        staff,
        ..
    } = found;
    Ok(Some(Session {
        id_hash,
        csrf_token,
        actor,
        staff,
    }))
}

/// Whether a session is still live (`valid`, not past its end, not idle too long), deleting
/// it if not; notes the time it was seen, to the minute.
async fn keep_alive(
    app: &App,
    org: OrgId,
    id_hash: &str,
    last_seen_at: time::OffsetDateTime,
    expires_at: time::OffsetDateTime,
    valid: bool,
) -> AppResult<bool> {
    let now = app.clock.now();
    let idle = Duration::try_from(app.config.session_idle).unwrap_or(Duration::minutes(30));
    if now >= expires_at || now - last_seen_at >= idle || !valid {
        let mut tx = app.db.begin().await?;
        store::delete_session(&mut tx, org, id_hash).await?;
        tx.commit().await?;
        return Ok(false);
    }
    // Idle time is measured to the minute; writing on every request would serialise reads.
    if now - last_seen_at > Duration::minutes(1) {
        let mut tx = app.db.begin().await?;
        store::touch_session(&mut tx, id_hash, now).await?;
        tx.commit().await?;
    }
    Ok(true)
}

/// The CSRF token of the session behind a cookie on `door`, if it is live.
pub async fn session_csrf(
    app: &App,
    org: &Organisation,
    door: Door,
    token: &str,
) -> AppResult<Option<String>> {
    Ok(match door {
        Door::ResidencePort => resident_session(app, org, token)
            .await?
            .map(|s| s.csrf_token),
        Door::BuildingThread => match thread_session(app, org, token).await? {
            Some(s) => Some(s.csrf_token),
            None => inspector_session(app, org, token)
                .await?
                .map(|s| s.csrf_token),
        },
        Door::Admin | Door::FacilityReport => {
            session(app, org, door, token).await?.map(|s| s.csrf_token)
        }
    })
}

/// Forgets a session this process may hold in memory.
fn forget_session(app: &App, id_hash: &str) {
    app.sessions.forget_where(|s| s.id_hash == id_hash);
}

/// Ends a member of staff's session.
pub async fn sign_out(app: &App, session: &Session) -> AppResult<()> {
    end_session(
        app,
        &session.actor,
        &session.id_hash,
        (RecordType::StaffUser, session.staff.id.to_string()),
    )
    .await
}

async fn end_session(
    app: &App,
    actor: &Actor,
    id_hash: &str,
    (record_type, record_id): (RecordType, String),
) -> AppResult<()> {
    let mut change = Change::begin(app, actor).await?;
    store::delete_session(&mut change, actor.org, id_hash).await?;
    change
        .record(Event::new(
            record_type,
            record_id,
            AuditAction::SignOut,
            "signed out",
            json!({}),
        ))
        .await?;
    change.commit().await?;
    // After the commit: a request in between would otherwise cache the row again.
    forget_session(app, id_hash);
    Ok(())
}

/// The actor a staff user acts as: their role and their site scope.
#[must_use]
pub fn staff_actor(
    org: OrgId,
    staff: &StaffUser,
    sites: &[proplink_shared::SiteId],
    channel: Channel,
) -> Actor {
    let scope = if staff.all_sites {
        Some(SiteScope::AllSites)
    } else {
        let sites: BTreeSet<_> = sites.iter().copied().collect();
        (!sites.is_empty()).then_some(SiteScope::Selected(sites))
    };
    Actor {
        org,
        principal: Principal::Staff {
            user: staff.id,
            role: staff.role,
            scope,
        },
        channel,
        display_name: staff.name.clone(),
    }
}

fn code_mac(app: &App, to: &CodeFor<'_>, code: &str) -> Hmac<Sha256> {
    // An HMAC key is accepted at any length, so this cannot fail.
    let mut mac =
        Hmac::<Sha256>::new_from_slice(&app.secrets.otp).unwrap_or_else(|_| unreachable!());
    for part in [to.org.to_string().as_str(), to.door, to.email, code] {
        mac.update(&(part.len() as u64).to_be_bytes());
        mac.update(part.as_bytes());
    }
    mac
}

fn code_hash(app: &App, to: &CodeFor<'_>, code: &str) -> String {
    hex::encode(code_mac(app, to, code).finalize().into_bytes())
}

fn verify_hash(app: &App, to: &CodeFor<'_>, code: &str, stored: &str) -> bool {
    let Ok(stored) = hex::decode(stored) else {
        return false;
    };
    code_mac(app, to, code).verify_slice(&stored).is_ok()
}

/// Sessions and device tokens are stored by the SHA-256 of their secret, so a database copy
/// yields none that works.
#[must_use]
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}
