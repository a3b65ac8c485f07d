//! Signing in, and syncing: photos up (resumably), the outbox pushed (in order, exactly once),
//! changes pulled into the read model. Each step commits locally only what the server has
//! confirmed, so a sync killed at any point resumes where it was and repeats nothing.

use std::io::{Read, Seek, SeekFrom};

use proplink_shared::records::Priority;
use proplink_shared::sync::*;
use rusqlite::params;
use serde::Serialize;
use uuid::Uuid;

use crate::actions::now_micros;
use crate::client::{Client, Pushed};
use crate::error::{CoreError, CoreResult};
use crate::store::{Store, delete_meta, get_meta, set_meta};

/// Photos go up in pieces of this size; an interrupted upload resumes after the last piece the
/// server stored.
pub const CHUNK: usize = 1024 * 1024;
const BATCH: usize = 100;

/// Asks for a sign-in code for `email` at organisation `org` on `server`; says whether a new
/// one was sent.
pub async fn request_code(server: &str, org: &str, email: &str) -> CoreResult<CodeSent> {
    Client::new(server)?.request_code(org, email).await
}

/// Signs this device in with the emailed code; the token is kept in the store.
pub async fn sign_in(
    store: &Store,
    server: &str,
    org: &str,
    email: &str,
    code: &str,
    device_name: &str,
) -> CoreResult<TokenResponse> {
    refuse_other_account_with_changes_waiting(store, org, email)?;
    let device_id = match store.meta("device_id")? {
        Some(id) => id
            .parse()
            .map_err(|_| CoreError::Storage("the device id is damaged".into()))?,
        None => {
            let id = Uuid::now_v7();
            store.write(|tx| Ok(set_meta(tx, "device_id", &id.to_string())?))?;
            id
        }
    };
    let response = Client::new(server)?
        .token(org, email, code, device_id, device_name)
        .await?;
    store.write(|tx| {
        // Another account on this phone: a clean read model, and changes numbered as the
        // server counts them for this person on this device.
        if !same_account(tx, &response.org_slug, email)? {
            for table in ["sites", "tickets", "issues", "work_orders"] {
                tx.execute(&format!("DELETE FROM {table}"), [])?;
            }
            set_meta(tx, "cursor", "0")?;
            set_meta(tx, "next_seq", &response.next_seq.to_string())?;
        }
        set_meta(tx, "server", server)?;
        set_meta(tx, "org", &response.org_slug)?;
        set_meta(tx, "org_name", &response.org_name)?;
        set_meta(tx, "email", email)?;
        set_meta(tx, "user_name", &response.user_name)?;
        set_meta(tx, "role", response.role.code())?;
        set_meta(tx, "token", &response.token)?;
        set_meta(tx, "token_issued_at", &now_micros().to_string())?;
        set_meta(tx, "token_expires_at", &response.expires_at.to_string())?;
        Ok(())
    })?;
    Ok(response)
}

fn same_account(c: &rusqlite::Connection, org: &str, email: &str) -> rusqlite::Result<bool> {
    Ok(
        get_meta(c, "org")?.is_some_and(|o| o.eq_ignore_ascii_case(org))
            && get_meta(c, "email")?.is_some_and(|e| e.eq_ignore_ascii_case(email)),
    )
}

/// Changes waiting in the outbox were made by the account signed in when they were made; they
/// are never sent under someone else's name.
fn refuse_other_account_with_changes_waiting(
    store: &Store,
    org: &str,
    email: &str,
) -> CoreResult<()> {
    store.read(|c| {
        let waiting: i64 = c.query_row("SELECT COUNT(*) FROM outbox", [], |r| r.get(0))?;
        if waiting == 0 || get_meta(c, "email")?.is_none() || same_account(c, org, email)? {
            return Ok(());
        }
        let owner = get_meta(c, "email")?.unwrap_or_default();
        Err(CoreError::Server {
            code: "outbox_not_empty".into(),
            message: format!(
                "{waiting} {} made as {owner} {} not been sent. Sign in as {owner} to send {}, or discard {} first.",
                if waiting == 1 { "change" } else { "changes" },
                if waiting == 1 { "has" } else { "have" },
                if waiting == 1 { "it" } else { "them" },
                if waiting == 1 { "it" } else { "them" },
            ),
        })
    })
}

/// How long a device token is used before the phone trades it for a fresh one: a copy of an
/// old token stops working soon after.
const TOKEN_ROTATION_MICROS: i64 = 24 * 60 * 60 * 1_000_000;

async fn rotate_token(store: &Store, session: &mut Session) -> CoreResult<()> {
    let issued: i64 = store
        .meta("token_issued_at")?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    if now_micros() - issued < TOKEN_ROTATION_MICROS {
        return Ok(());
    }
    let fresh = session.client.refresh(&session.token).await?;
    store.write(|tx| {
        set_meta(tx, "token", &fresh.token)?;
        set_meta(tx, "token_issued_at", &now_micros().to_string())?;
        set_meta(tx, "token_expires_at", &fresh.expires_at.to_string())?;
        Ok(())
    })?;
    session.token = fresh.token;
    Ok(())
}

pub fn sign_out(store: &Store) -> CoreResult<()> {
    store.write(|tx| Ok(delete_meta(tx, "token")?))
}

/// What one sync did.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct Report {
    pub photos_uploaded: usize,
    pub bytes_uploaded: u64,
    pub photos_downloaded: usize,
    pub applied: usize,
    pub duplicates: usize,
    pub rejected: usize,
    pub pulled: usize,
    pub notifications: Vec<Notification>,
}

/// Something a sync brought that deserves a system notification.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Notification {
    pub title: String,
    pub body: String,
    /// The record a tap opens: `ticket/<id>`, `issue/<id>` or `work_order/<id>`.
    pub record: String,
}

struct Session {
    client: Client,
    token: String,
    device_id: Uuid,
}

fn session(store: &Store) -> CoreResult<Session> {
    store.read(|c| {
        let token = get_meta(c, "token")?.ok_or(CoreError::NotSignedIn)?;
        let server = get_meta(c, "server")?.ok_or(CoreError::NotSignedIn)?;
        let device_id = get_meta(c, "device_id")?
            .and_then(|d| d.parse().ok())
            .ok_or(CoreError::NotSignedIn)?;
        Ok(Session {
            client: Client::new(&server)?,
            token,
            device_id,
        })
    })
}

/// The steps of a sync, for progress display (and for tests that interrupt it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Upload,
    Push,
    Pull,
    Photos,
}

/// One full sync: photos, outbox, pull.
pub async fn sync(store: &Store) -> CoreResult<Report> {
    sync_with(store, |_| {}).await
}

/// [`sync`], telling `on_phase` as each step starts.
pub async fn sync_with(store: &Store, on_phase: impl Fn(Phase)) -> CoreResult<Report> {
    let mut session = session(store)?;
    rotate_token(store, &mut session).await?;
    let mut report = Report::default();
    // A push can ask for photos it lacks (say the server lost them); upload and push again.
    for _ in 0..3 {
        on_phase(Phase::Upload);
        upload_photos(store, &session, &mut report).await?;
        on_phase(Phase::Push);
        let missing = push(store, &session, &mut report).await?;
        if missing.is_empty() {
            break;
        }
        store.write(|tx| {
            for sha in &missing {
                tx.execute(
                    "UPDATE attachments SET uploaded = 0 WHERE sha256 = ?1",
                    [sha],
                )?;
            }
            Ok(())
        })?;
    }
    on_phase(Phase::Pull);
    pull(store, &session, &mut report).await?;
    on_phase(Phase::Photos);
    download_photos(store, &session, &mut report).await?;
    store.write(|tx| Ok(set_meta(tx, "last_synced_at", &now_micros().to_string())?))?;
    Ok(report)
}

/// The most photos one sync fetches; the rest come with the next.
const PHOTOS_PER_SYNC: usize = 100;

/// Photos on the phone's records that it does not hold yet, so they can be seen offline.
fn photos_to_download(store: &Store) -> CoreResult<Vec<String>> {
    let named: Vec<String> = store.read(|c| {
        let mut shas = Vec::new();
        for table in ["tickets", "issues", "work_orders"] {
            let mut stmt =
                c.prepare(&format!("SELECT photos FROM {table} WHERE photos <> '[]'"))?;
            for list in stmt.query_map([], |r| r.get::<_, String>(0))? {
                shas.extend(serde_json::from_str::<Vec<String>>(&list?).unwrap_or_default());
            }
        }
        Ok(shas)
    })?;
    let mut wanted: Vec<String> = named
        .into_iter()
        .filter(|sha| crate::store::is_photo_name(sha) && !store.photo_path(sha).exists())
        .collect();
    wanted.sort();
    wanted.dedup();
    wanted.truncate(PHOTOS_PER_SYNC);
    Ok(wanted)
}

async fn download_photos(store: &Store, session: &Session, report: &mut Report) -> CoreResult<()> {
    for sha in photos_to_download(store)? {
        // One photo the server cannot give now is tried at the next sync; it does not stop
        // this one. No signal, or a sign-in that ended, does.
        let bytes = match session.client.photo(&session.token, &sha).await {
            Ok(Some(bytes)) => bytes,
            Ok(None) => continue,
            Err(e @ (CoreError::Offline(_) | CoreError::NotSignedIn)) => return Err(e),
            Err(_) => continue,
        };
        // The name is the hash of the photo as taken; the server keeps it without its
        // metadata (where it was taken), so the bytes need not hash to it.
        if bytes.is_empty() || u64::try_from(bytes.len()).unwrap_or(u64::MAX) > MAX_PHOTO_BYTES {
            continue;
        }
        let target = store.photo_path(&sha);
        let partial = target.with_extension("part");
        std::fs::write(&partial, &bytes)?;
        std::fs::File::open(&partial)?.sync_all()?;
        std::fs::rename(&partial, &target)?;
        report.photos_downloaded += 1;
    }
    Ok(())
}

/// Photos the pending outbox cites that the server does not hold yet.
fn photos_to_upload(store: &Store) -> CoreResult<Vec<(String, u64)>> {
    store.read(|c| {
        let mut stmt = c.prepare("SELECT body FROM outbox WHERE state = 'pending' ORDER BY seq")?;
        let bodies: Vec<String> = stmt
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let mut out: Vec<(String, u64)> = Vec::new();
        for body in bodies {
            let change: Change = serde_json::from_str(&body)?;
            for sha in change.photos() {
                let row: Option<(i64, i64)> = c
                    .query_row(
                        "SELECT size, uploaded FROM attachments WHERE sha256 = ?1",
                        [sha],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .ok();
                if let Some((size, 0)) = row {
                    if !out.iter().any(|(s, _)| s == sha) {
                        out.push((sha.clone(), u64::try_from(size).unwrap_or(0)));
                    }
                }
            }
        }
        Ok(out)
    })
}

async fn upload_photos(store: &Store, session: &Session, report: &mut Report) -> CoreResult<()> {
    for (sha, size) in photos_to_upload(store)? {
        let mut held = session
            .client
            .photo_held(&session.token, &sha)
            .await?
            .unwrap_or(crate::client::Held {
                offset: 0,
                complete: false,
            });
        let path = store.photo_path(&sha);
        while !held.complete {
            let mut file = std::fs::File::open(&path).map_err(|e| {
                CoreError::Storage(format!("photo {sha} is missing from the phone: {e}"))
            })?;
            file.seek(SeekFrom::Start(held.offset))?;
            let mut chunk = Vec::with_capacity(CHUNK);
            file.take(CHUNK as u64).read_to_end(&mut chunk)?;
            let sent = chunk.len() as u64;
            let before = held.offset;
            held = session
                .client
                .photo_append(&session.token, &sha, held.offset, size, chunk)
                .await?;
            if held.offset > before {
                report.bytes_uploaded += held.offset - before;
            } else if sent == 0 && !held.complete {
                return Err(CoreError::Storage(format!(
                    "photo {sha} is shorter on the phone than recorded"
                )));
            }
        }
        store.write(|tx| {
            Ok(tx
                .execute(
                    "UPDATE attachments SET uploaded = 1 WHERE sha256 = ?1",
                    [&sha],
                )
                .map(drop)?)
        })?;
        report.photos_uploaded += 1;
    }
    Ok(())
}

/// Pushes the pending outbox; returns photos the server asked for.
async fn push(store: &Store, session: &Session, report: &mut Report) -> CoreResult<Vec<String>> {
    loop {
        let batch: Vec<Mutation> = store.read(|c| {
            let mut stmt = c.prepare("SELECT seq, mutation_id, body FROM outbox WHERE state = 'pending' ORDER BY seq LIMIT ?1")?;
            let rows = stmt
                .query_map([BATCH as i64], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))?
                .collect::<Result<Vec<_>, _>>()?;
            rows.into_iter()
                .map(|(seq, id, body)| {
                    Ok(Mutation { seq, mutation_id: id.parse().map_err(|_| CoreError::Storage("a change id is damaged".into()))?, change: serde_json::from_str(&body)? })
                })
                .collect()
        })?;
        // Rejected entries keep their numbers; only consecutive pending ones go in one batch.
        let batch: Vec<Mutation> = batch
            .iter()
            .enumerate()
            .take_while(|(i, m)| m.seq == batch[0].seq + *i as i64)
            .map(|(_, m)| m.clone())
            .collect();
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        let request = PushRequest {
            device_id: session.device_id,
            mutations: batch,
        };
        let response = match session.client.push(&session.token, &request).await? {
            Pushed::Done(r) => r,
            Pushed::Gap { expected } => {
                return Err(CoreError::Server {
                    code: "seq_gap".into(),
                    message: format!(
                        "The server expected change {expected} from this phone next; sync stopped so nothing is applied out of order."
                    ),
                });
            }
        };
        store.write(|tx| {
            for r in &response.results {
                match r.outcome {
                    Outcome::Applied | Outcome::Duplicate if r.original != Some(Outcome::Rejected) => {
                        tx.execute("DELETE FROM outbox WHERE seq = ?1", [r.seq])?;
                    }
                    _ => {
                        tx.execute("UPDATE outbox SET state = 'rejected', reason = ?2, code = ?3 WHERE seq = ?1", params![r.seq, r.reason, r.code])?;
                    }
                }
            }
            Ok(())
        })?;
        for r in &response.results {
            match (r.outcome, r.original) {
                (Outcome::Applied, _) => report.applied += 1,
                (Outcome::Duplicate, Some(Outcome::Rejected)) | (Outcome::Rejected, _) => {
                    report.rejected += 1
                }
                (Outcome::Duplicate, _) => report.duplicates += 1,
            }
        }
        if !response.missing_photos.is_empty() {
            return Ok(response.missing_photos);
        }
        if response.results.len() < request.mutations.len() {
            return Ok(Vec::new());
        }
    }
}

async fn pull(store: &Store, session: &Session, report: &mut Report) -> CoreResult<()> {
    let cursor: i64 = store
        .meta("cursor")?
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let pulled = session.client.pull(&session.token, cursor).await?;
    report.pulled = pulled.tickets.len() + pulled.issues.len() + pulled.work_orders.len();
    let notifications = store.write(|tx| apply_pull(tx, &pulled))?;
    report.notifications = notifications;
    Ok(())
}

fn apply_pull(tx: &rusqlite::Transaction<'_>, p: &PullResponse) -> CoreResult<Vec<Notification>> {
    let mut notes = Vec::new();
    let known = |table: &str, id: &str| -> rusqlite::Result<Option<String>> {
        tx.query_row(
            &format!("SELECT status FROM {table} WHERE id = ?1"),
            [id],
            |r| r.get(0),
        )
        .or_else(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => Ok(None),
            other => Err(other),
        })
    };
    let first_pull = get_meta(tx, "cursor")?.is_none_or(|c| c == "0");
    // Rows still waiting in the outbox keep their optimistic state until the server settles them.
    let pending: Vec<String> = {
        let mut stmt = tx.prepare("SELECT body FROM outbox WHERE state = 'pending'")?;
        let bodies: Vec<String> = stmt
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        bodies
            .iter()
            .filter_map(|b| serde_json::from_str::<Change>(b).ok())
            .filter_map(|c| match c {
                Change::UpdateWorkOrder(u) => Some(u.work_order_id.to_string()),
                Change::LinkIssue(l) => Some(l.issue_id.to_string()),
                _ => None,
            })
            .collect()
    };
    tx.execute("DELETE FROM sites", [])?;
    for s in &p.sites {
        tx.execute(
            "INSERT INTO sites (id, reference, name, address, buildings) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![s.id.to_string(), s.reference, s.name, s.address, serde_json::to_string(&s.buildings)?],
        )?;
    }
    if p.reset {
        // Everything from the server is replaced; what the user made here and has not synced stays.
        for table in ["tickets", "issues", "work_orders"] {
            tx.execute(&format!("DELETE FROM {table} WHERE local = 0"), [])?;
        }
    }
    for t in &p.tickets {
        let id = t.id.to_string();
        if !first_pull
            && known("tickets", &id)?.is_none()
            && matches!(t.priority, Priority::High | Priority::Urgent)
            && !t.status.is_terminal()
        {
            notes.push(Notification {
                title: format!("New {}-priority ticket", t.priority.code()),
                body: format!("{}: {}", t.reference, t.subject),
                record: format!("ticket/{id}"),
            });
        }
        tx.execute(
            "INSERT INTO tickets (id, site_id, reference, subject, category, priority, status, reporter, created_at, messages, photos, local) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 0) ON CONFLICT (id) DO UPDATE SET site_id = excluded.site_id, reference = excluded.reference, \
             subject = excluded.subject, category = excluded.category, priority = excluded.priority, status = excluded.status, reporter = excluded.reporter, \
             messages = excluded.messages, photos = excluded.photos, local = 0",
            params![id, t.site_id.to_string(), t.reference, t.subject, t.category.code(), t.priority.code(), t.status.code(), t.reporter, t.created_at, serde_json::to_string(&t.messages)?, serde_json::to_string(&t.photos)?],
        )?;
    }
    for i in &p.issues {
        let id = i.id.to_string();
        if pending.contains(&id) {
            continue;
        }
        tx.execute(
            "INSERT INTO issues (id, site_id, building_id, ticket_id, work_order_id, title, description, reported_by, location, category, priority, status, created_at, photos, history, local) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, 0) \
             ON CONFLICT (id) DO UPDATE SET building_id = excluded.building_id, ticket_id = excluded.ticket_id, work_order_id = excluded.work_order_id, \
             title = excluded.title, description = excluded.description, reported_by = excluded.reported_by, location = excluded.location, category = excluded.category, \
             priority = excluded.priority, status = excluded.status, photos = excluded.photos, history = excluded.history, local = 0",
            params![
                id,
                i.site_id.to_string(),
                i.building_id.map(|b| b.to_string()),
                i.ticket_id.map(|t| t.to_string()),
                i.work_order_id.map(|w| w.to_string()),
                i.title,
                i.description,
                i.reported_by,
                i.location,
                i.category.code(),
                i.priority.code(),
                i.status.code(),
                i.created_at,
                serde_json::to_string(&i.photos)?,
                serde_json::to_string(&i.history)?
            ],
        )?;
    }
    for w in &p.work_orders {
        let id = w.id.to_string();
        if pending.contains(&id) {
            continue;
        }
        let before = known("work_orders", &id)?;
        if !first_pull {
            match before.as_deref() {
                None => notes.push(Notification {
                    title: "Work order on your site".into(),
                    body: format!("{}: {}", w.reference, w.title),
                    record: format!("work_order/{id}"),
                }),
                Some(old)
                    if old != w.status.code()
                        && w.status == proplink_shared::states::WorkOrderStatus::Quoted =>
                {
                    notes.push(Notification {
                        title: "Quote received".into(),
                        body: format!("{}: {}", w.reference, w.title),
                        record: format!("work_order/{id}"),
                    });
                }
                Some(old)
                    if old != w.status.code()
                        && w.status == proplink_shared::states::WorkOrderStatus::Completed =>
                {
                    notes.push(Notification {
                        title: "Work complete".into(),
                        body: format!(
                            "{} was marked complete by {}",
                            w.reference,
                            w.contractor.as_deref().unwrap_or("the contractor")
                        ),
                        record: format!("work_order/{id}"),
                    });
                }
                _ => {}
            }
        }
        tx.execute(
            "INSERT INTO work_orders (id, site_id, reference, title, scope, priority, status, contractor, deadline, photos, local) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 0) \
             ON CONFLICT (id) DO UPDATE SET site_id = excluded.site_id, title = excluded.title, scope = excluded.scope, priority = excluded.priority, \
             status = excluded.status, contractor = excluded.contractor, deadline = excluded.deadline, photos = excluded.photos, local = 0",
            params![id, w.site_id.to_string(), w.reference, w.title, w.scope, w.priority.code(), w.status.code(), w.contractor, w.deadline, serde_json::to_string(&w.photos)?],
        )?;
    }
    for r in &p.removed {
        let table = match r.record_type.as_str() {
            "ticket" => "tickets",
            "issue" => "issues",
            "work_order" => "work_orders",
            _ => continue,
        };
        if !pending.contains(&r.id.to_string()) {
            tx.execute(
                &format!("DELETE FROM {table} WHERE id = ?1"),
                [r.id.to_string()],
            )?;
        }
    }
    set_meta(tx, "cursor", &p.cursor.to_string())?;
    Ok(notes)
}
