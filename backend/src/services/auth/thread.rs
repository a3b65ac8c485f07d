//! BuildingThread sessions for residents: checked against their homes on every request, and
//! good only for the higher-risk buildings they live in today.

use proplink_shared::records::RecordType;
use proplink_shared::{Actor, BuildingId, Principal};

use super::{Door, end_session, keep_alive, token_hash};
use crate::app::App;
use crate::error::AppResult;
use crate::store::orgs::Organisation;
use crate::store::people::Contact;
use crate::store::residents;

/// A live BuildingThread session: the resident and their homes in higher-risk buildings.
#[derive(Clone, Debug)]
pub struct ThreadSession {
    pub id_hash: String,
    pub csrf_token: String,
    pub contact: Contact,
    pub homes: Vec<residents::Home>,
    org: proplink_shared::OrgId,
}

impl ThreadSession {
    /// The resident as they read one building's thread: none if they do not live there.
    #[must_use]
    pub fn actor_for(&self, building: BuildingId) -> Option<Actor> {
        self.homes
            .iter()
            .any(|h| h.building_id == building)
            .then(|| Actor {
                org: self.org,
                principal: Principal::HrbResident {
                    contact: self.contact.id,
                    building,
                },
                channel: proplink_shared::audit::Channel::BuildingThread,
                display_name: self.contact.display_name(),
            })
    }

    /// The resident with their rights as a resident (their homes there), acting through
    /// BuildingThread: how they raise a concern, as they would a request on ResidencePort.
    #[must_use]
    pub fn resident(&self, org: &crate::store::orgs::Organisation) -> Option<Actor> {
        let mut actor = crate::services::residents::actor_of(org, &self.contact, &self.homes)?;
        actor.channel = proplink_shared::audit::Channel::BuildingThread;
        Some(actor)
    }

    /// The higher-risk buildings they live in, each once.
    #[must_use]
    pub fn buildings(&self) -> Vec<(BuildingId, String)> {
        let mut seen: Vec<(BuildingId, String)> = Vec::new();
        for h in &self.homes {
            if !seen.iter().any(|(b, _)| *b == h.building_id) {
                seen.push((h.building_id, h.building_name.clone()));
            }
        }
        seen
    }
}

/// The BuildingThread session behind a cookie, if it is live and its resident still lives in
/// a higher-risk building of the organisation: moving out ends it.
pub async fn thread_session(
    app: &App,
    org: &Organisation,
    token: &str,
) -> AppResult<Option<ThreadSession>> {
    let id_hash = token_hash(token);
    let Some((row, contact, homes)) =
        super::resident::resident_behind(app, org, Door::BuildingThread, &id_hash).await?
    else {
        return Ok(None);
    };
    let homes: Vec<residents::Home> = homes
        .into_iter()
        .filter(|h| h.in_higher_risk_building)
        .collect();
    let live = keep_alive(
        app,
        org.id,
        &id_hash,
        row.last_seen_at,
        row.expires_at,
        contact.is_some() && !homes.is_empty(),
    )
    .await?;
    Ok(match (live, contact) {
        (true, Some(contact)) => Some(ThreadSession {
            id_hash,
            csrf_token: row.csrf_token,
            contact,
            homes,
            org: org.id,
        }),
        _ => None,
    })
}

/// Ends a resident's BuildingThread session.
pub async fn sign_out_thread(app: &App, session: &ThreadSession) -> AppResult<()> {
    let Some(actor) = session
        .buildings()
        .first()
        .and_then(|(b, _)| session.actor_for(*b))
    else {
        return Ok(());
    };
    end_session(
        app,
        &actor,
        &session.id_hash,
        (RecordType::Contact, session.contact.id.to_string()),
    )
    .await
}
