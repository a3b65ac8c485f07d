//! ResidencePort sessions: checked against the resident's links on every request.

use super::{Door, end_session, keep_alive, token_hash};
use crate::app::App;
use crate::error::AppResult;
use crate::store::orgs::Organisation;
use crate::store::people::Contact;
use crate::store::residents;
use proplink_shared::Actor;
use proplink_shared::records::RecordType;

/// A live ResidencePort session: the resident, the homes they hold or live in today, and the
/// actor those make them.
#[derive(Clone, Debug)]
pub struct ResidentSession {
    pub id_hash: String,
    pub csrf_token: String,
    pub actor: Actor,
    pub contact: Contact,
    pub homes: Vec<residents::Home>,
}

/// The ResidencePort session behind a cookie, if it is live and its resident still lives or
/// holds a lease in one of the organisation's units: a former occupant's session ends on the
/// day their link ends.
pub async fn resident_session(
    app: &App,
    org: &Organisation,
    token: &str,
) -> AppResult<Option<ResidentSession>> {
    let id_hash = token_hash(token);
    let Some((row, contact, homes)) =
        resident_behind(app, org, Door::ResidencePort, &id_hash).await?
    else {
        return Ok(None);
    };
    let actor = contact
        .as_ref()
        .and_then(|c| crate::services::residents::actor_of(org, c, &homes));
    let live = keep_alive(
        app,
        org.id,
        &id_hash,
        row.last_seen_at,
        row.expires_at,
        actor.is_some(),
    )
    .await?;
    Ok(match (live, actor, contact) {
        (true, Some(actor), Some(contact)) => Some(ResidentSession {
            id_hash,
            csrf_token: row.csrf_token,
            actor,
            contact,
            homes,
        }),
        _ => None,
    })
}

/// A resident's session on `door` by its hash: the row, the resident, and their homes today.
pub(super) async fn resident_behind(
    app: &App,
    org: &Organisation,
    door: Door,
    id_hash: &str,
) -> AppResult<
    Option<(
        residents::ResidentSessionRow,
        Option<Contact>,
        Vec<residents::Home>,
    )>,
> {
    let mut conn = app.db.read().await?;
    let Some(row) = residents::session(&mut conn, org.id, door.code(), id_hash).await? else {
        return Ok(None);
    };
    let contact = crate::store::people::contact(&mut conn, org.id, row.contact_id).await?;
    let today = proplink_shared::london::local(app.clock.now()).date();
    let homes = residents::homes(&mut conn, org.id, row.contact_id, today).await?;
    Ok(Some((row, contact, homes)))
}

/// Ends a resident's session.
pub async fn sign_out_resident(app: &App, session: &ResidentSession) -> AppResult<()> {
    end_session(
        app,
        &session.actor,
        &session.id_hash,
        (RecordType::Contact, session.contact.id.to_string()),
    )
    .await
}
