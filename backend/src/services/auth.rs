//! Email + one-time-passcode sign-in and server-side sessions, for every door that signs
//! people in (the admin app now; ResidencePort, BuildingThread and the app next).
//!
//! The rules: 6 digits, valid 10 minutes, single use, stored only as an HMAC, at most 5 tries
//! per code, limited sends per address and per client, and the same answer whether or not the
//! address has an account — an unknown address gets a code stored too, that is never sent.

use std::collections::BTreeSet;

use hmac::{Hmac, Mac};
use proplink_shared::audit::{AuditAction, Channel};
use proplink_shared::records::validate_email;
use proplink_shared::{Actor, OrgId, Principal, SiteScope, StaffUserId};
use rand::Rng;
use serde_json::json;
use sha2::{Digest, Sha256};
use time::Duration;

use super::audit::{self, Event, Who};
use crate::app::{App, random_token};
use crate::error::{AppError, AppResult};
use crate::store::auth::{self as store, SessionRow};
use crate::store::orgs::{self, OrgRow, StaffRow};

const CODE_LIFETIME: Duration = Duration::minutes(10);
const MAX_TRIES: i64 = 5;
const SEND_WINDOW: Duration = Duration::minutes(15);

/// The doors people sign in to. Each has its own sessions and codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Door {
    Admin,
    /// The site managers' app, through the JSON API.
    FacilityReport,
}

impl Door {
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Door::Admin => "admin",
            Door::FacilityReport => "facility_report",
        }
    }

    #[must_use]
    pub fn channel(self) -> Channel {
        match self {
            Door::Admin => Channel::Admin,
            Door::FacilityReport => Channel::FacilityReport,
        }
    }

    fn product(self) -> &'static str {
        match self {
            Door::Admin => "PropLink",
            Door::FacilityReport => "Facility Report",
        }
    }
}

/// Where a request came from, for rate limits and the audit trail.
#[derive(Clone, Debug, Default)]
pub struct Client {
    pub ip: String,
    pub user_agent: String,
}

/// Sends a sign-in code if `email` belongs to someone who may use `door`. Answers the same
/// either way; returns the normalised address.
pub async fn request_code(
    app: &App,
    org: &OrgRow,
    door: Door,
    email: &str,
    client: &Client,
) -> AppResult<String> {
    let email = validate_email(email)?;
    let now = app.clock.now();
    let now_us = crate::clock::to_micros(now);
    let since = crate::clock::to_micros(now - SEND_WINDOW);
    let mut tx = app.db.write().await?;
    let per_address = store::hit(
        &mut tx,
        &format!("otp:address:{}:{}:{email}", org.id, door.code()),
        now_us,
        since,
    )
    .await?;
    let per_client =
        store::hit(&mut tx, &format!("otp:client:{}", client.ip), now_us, since).await?;
    if per_address > i64::from(app.config.otp_sends_per_address)
        || per_client > i64::from(app.config.otp_sends_per_client)
    {
        // Commit so the refused attempts count too: a flood cannot wait out its own window.
        tx.commit().await?;
        return Err(AppError::TooManyRequests(
            "Too many codes have been requested. Wait 15 minutes, then request a new code.".into(),
        ));
    }
    let code = format!("{:06}", rand::rngs::OsRng.gen_range(0..1_000_000u32));
    let hash = code_hash(app, org.id, door, &email, &code);
    store::replace_code(
        &mut tx,
        org.id,
        door.code(),
        &email,
        &hash,
        now_us,
        crate::clock::to_micros(now + CODE_LIFETIME),
    )
    .await?;
    if let Some(person) = account(&mut tx, org.id, door, &email).await? {
        let subject = format!("Your {} sign-in code for {}", door.product(), org.name);
        let body = format!(
            "Hello {name},\n\nYour sign-in code is {code}\n\nIt works once, for the next 10 minutes. \
             If you did not ask to sign in to {org}, you can ignore this email: nobody can sign in without the code.\n\n{product}\n",
            name = person.name,
            org = org.name,
            product = door.product(),
        );
        super::mail::queue(
            &mut tx,
            app,
            Some(org.id),
            &email,
            &subject,
            &body,
            Some(("staff_user", person.id.to_string())),
        )
        .await?;
    }
    tx.commit().await?;
    app.mail_wakeup.notify_one();
    Ok(email)
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
}

/// Checks a code and, if right, starts a session (replacing `old_session`, if any).
pub async fn verify_code(
    app: &App,
    org: &OrgRow,
    door: Door,
    email: &str,
    code: &str,
    client: &Client,
    grant: Grant<'_>,
) -> AppResult<SignedIn> {
    let email = validate_email(email)?;
    let code = code.trim().replace(' ', "");
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AppError::Invalid(
            proplink_shared::records::ValidationErrors::single(
                "code",
                "Enter the 6-digit code from the email",
            ),
        ));
    }
    let now = app.clock.now();
    let now_us = crate::clock::to_micros(now);
    let mut tx = app.db.write().await?;
    let stored = store::latest_code(&mut tx, org.id, door.code(), &email).await?;
    let Some(stored) = stored.filter(|c| c.used_at.is_none() && c.expires_at > now_us) else {
        return Err(AppError::Invalid(
            proplink_shared::records::ValidationErrors::single(
                "code",
                "That code has expired or has already been used. Request a new code.",
            ),
        ));
    };
    if stored.attempts >= MAX_TRIES {
        return Err(AppError::TooManyRequests(
            "Too many wrong codes have been entered. Request a new code.".into(),
        ));
    }
    store::count_attempt(&mut tx, &stored.id).await?;
    let person = account(&mut tx, org.id, door, &email).await?;
    let right = verify_hash(app, org.id, door, &email, &code, &stored.code_hash);
    let who_name = person.as_ref().map_or(email.as_str(), |p| p.name.as_str());
    let detail = json!({ "email": email, "ip": client.ip, "device": client.user_agent });
    let (Some(person), true) = (person.as_ref(), right) else {
        let left = MAX_TRIES - stored.attempts - 1;
        let who = Who {
            kind: "anonymous",
            id: None,
            name: who_name,
            channel: door.channel(),
        };
        let event = Event {
            record_type: "organisation",
            record_id: org.id.to_string(),
            action: AuditAction::SignInFailed,
            what: "entered a wrong sign-in code".into(),
            detail,
        };
        audit::record(&mut tx, org.id, &who, event, now).await?;
        tx.commit().await?;
        let message = if left > 0 {
            format!(
                "That code is not right. Check the email and try again ({left} {} left).",
                if left == 1 { "try" } else { "tries" }
            )
        } else {
            "That code is not right, and it cannot be used again. Request a new code.".into()
        };
        return Err(AppError::Invalid(
            proplink_shared::records::ValidationErrors::single("code", message),
        ));
    };
    if !store::use_code(&mut tx, &stored.id, now_us).await? {
        return Err(AppError::Invalid(
            proplink_shared::records::ValidationErrors::single(
                "code",
                "That code has expired or has already been used. Request a new code.",
            ),
        ));
    }
    let signed_in = match grant {
        Grant::Session { replacing } => {
            if let Some(old) = replacing {
                store::delete_session(&mut tx, &session_hash(old)).await?;
            }
            let signed_in = SignedIn {
                token: random_token(),
                csrf: random_token(),
            };
            let max = Duration::try_from(app.config.session_max).unwrap_or(Duration::hours(12));
            store::insert_session(
                &mut tx,
                &SessionRow {
                    id_hash: session_hash(&signed_in.token),
                    organisation_id: org.id,
                    door: door.code().into(),
                    subject_id: person.id.to_string(),
                    csrf_token: signed_in.csrf.clone(),
                    created_at: now_us,
                    last_seen_at: now_us,
                    expires_at: crate::clock::to_micros(now + max),
                },
            )
            .await?;
            signed_in
        }
        Grant::Device {
            device_id,
            device_name,
        } => {
            let token = random_token();
            crate::store::sync::insert_token(
                &mut tx,
                &session_hash(&token),
                org.id,
                person.id,
                device_id,
                device_name,
                now_us,
            )
            .await?;
            SignedIn {
                token,
                csrf: String::new(),
            }
        }
    };
    let who = Who {
        kind: "staff",
        id: Some(person.id.to_string()),
        name: &person.name,
        channel: door.channel(),
    };
    let event = Event {
        record_type: "staff_user",
        record_id: person.id.to_string(),
        action: AuditAction::SignIn,
        what: "signed in".into(),
        detail,
    };
    audit::record(&mut tx, org.id, &who, event, now).await?;
    tx.commit().await?;
    Ok(signed_in)
}

/// A live session and the actor behind it.
pub struct Session {
    pub row: SessionRow,
    pub actor: Actor,
    pub staff: StaffRow,
}

/// The session behind a cookie on this organisation and door, if it is still live.
pub async fn session(
    app: &App,
    org: &OrgRow,
    door: Door,
    token: &str,
) -> AppResult<Option<Session>> {
    let now = app.now_micros();
    let id_hash = session_hash(token);
    let mut conn = app.db.read().await?;
    let Some(row) = store::session(&mut conn, org.id, door.code(), &id_hash).await? else {
        return Ok(None);
    };
    let idle = i64::try_from(app.config.session_idle.as_micros()).unwrap_or(i64::MAX);
    if now >= row.expires_at || now - row.last_seen_at >= idle {
        drop(conn);
        let mut tx = app.db.write().await?;
        store::delete_session(&mut tx, &id_hash).await?;
        tx.commit().await?;
        return Ok(None);
    }
    let Some(staff_id) = row.subject_id.parse::<StaffUserId>().ok() else {
        return Ok(None);
    };
    let Some(staff) = orgs::staff_by_id(&mut conn, org.id, staff_id)
        .await?
        .filter(|s| s.active == 1)
    else {
        return Ok(None);
    };
    let actor = staff_actor(&mut conn, org.id, &staff, door.channel()).await?;
    drop(conn);
    // Idle time is measured to the minute; writing on every request would serialise reads.
    if now - row.last_seen_at > 60_000_000 {
        let mut tx = app.db.write().await?;
        store::touch_session(&mut tx, &id_hash, now).await?;
        tx.commit().await?;
    }
    Ok(Some(Session { row, actor, staff }))
}

/// Ends a session.
pub async fn sign_out(app: &App, org: &OrgRow, session: &Session) -> AppResult<()> {
    let mut tx = app.db.write().await?;
    store::delete_session(&mut tx, &session.row.id_hash).await?;
    let event = Event {
        record_type: "staff_user",
        record_id: session.staff.id.to_string(),
        action: AuditAction::SignOut,
        what: "signed out".into(),
        detail: json!({}),
    };
    audit::record(
        &mut tx,
        org.id,
        &Who::of(&session.actor),
        event,
        app.clock.now(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The actor a staff user acts as: their role and their site scope.
pub async fn staff_actor(
    conn: &mut sqlx::AnyConnection,
    org: OrgId,
    staff: &StaffRow,
    channel: Channel,
) -> Result<Actor, sqlx::Error> {
    let scope = if staff.all_sites == 1 {
        Some(SiteScope::AllSites)
    } else {
        let sites: BTreeSet<_> = orgs::staff_sites(conn, org, staff.id)
            .await?
            .into_iter()
            .collect();
        (!sites.is_empty()).then_some(SiteScope::Selected(sites))
    };
    Ok(Actor {
        org,
        principal: Principal::Staff {
            user: staff.id,
            role: staff.role,
            scope,
        },
        channel,
        display_name: staff.name.clone(),
    })
}

async fn account(
    conn: &mut sqlx::AnyConnection,
    org: OrgId,
    door: Door,
    email: &str,
) -> Result<Option<StaffRow>, sqlx::Error> {
    match door {
        // Staff sign in to the admin app and the app alike; their role and scope decide the rest.
        Door::Admin | Door::FacilityReport => Ok(orgs::staff_by_email(conn, org, email)
            .await?
            .filter(|s| s.active == 1 && s.role.is_some())),
    }
}

fn code_mac(app: &App, org: OrgId, door: Door, email: &str, code: &str) -> Hmac<Sha256> {
    // An HMAC key is accepted at any length, so this cannot fail.
    let mut mac = Hmac::<Sha256>::new_from_slice(&app.otp_key).unwrap_or_else(|_| unreachable!());
    for part in [org.to_string().as_str(), door.code(), email, code] {
        mac.update(&(part.len() as u64).to_be_bytes());
        mac.update(part.as_bytes());
    }
    mac
}

fn code_hash(app: &App, org: OrgId, door: Door, email: &str, code: &str) -> String {
    hex::encode(
        code_mac(app, org, door, email, code)
            .finalize()
            .into_bytes(),
    )
}

fn verify_hash(app: &App, org: OrgId, door: Door, email: &str, code: &str, stored: &str) -> bool {
    let Ok(stored) = hex::decode(stored) else {
        return false;
    };
    code_mac(app, org, door, email, code)
        .verify_slice(&stored)
        .is_ok()
}

/// Sessions are stored by the SHA-256 of their cookie value, so a database leak yields no
/// usable cookie.
#[must_use]
pub fn session_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}
