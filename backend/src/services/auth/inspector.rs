//! BuildingThread sessions for inspectors of the Building Safety Regulator: checked against
//! their grants on every request, so a grant that ends or is revoked shuts them out at once.

use std::collections::BTreeSet;

use proplink_shared::audit::Channel;
use proplink_shared::records::RecordType;
use proplink_shared::{Actor, BuildingId, OrgId, Principal};
use time::OffsetDateTime;

use super::{end_session, keep_alive, token_hash};
use crate::app::App;
use crate::error::AppResult;
use crate::store::orgs::Organisation;
use crate::store::regulators::{self as store, Inspector, RegulatorGrant};

/// The door code an inspector's sessions are stored under.
pub const INSPECTOR_SESSIONS: &str = "buildingthread_regulator";

/// A live inspector's session: who, and every grant they hold or held.
#[derive(Clone, Debug)]
pub struct InspectorSession {
    pub id_hash: String,
    pub csrf_token: String,
    pub inspector: Inspector,
    /// Newest first, ended ones too: they say why a building is no longer open to them.
    pub grants: Vec<RegulatorGrant>,
    org: OrgId,
    now: OffsetDateTime,
}

impl InspectorSession {
    /// The buildings open to them now.
    #[must_use]
    pub fn buildings(&self) -> BTreeSet<BuildingId> {
        self.grants
            .iter()
            .filter(|g| g.live_at(self.now))
            .map(|g| g.building_id)
            .collect()
    }

    /// The inspector as they act through BuildingThread.
    #[must_use]
    pub fn actor(&self) -> Actor {
        Actor {
            org: self.org,
            principal: Principal::Regulator {
                account: self.inspector.id,
                buildings: self.buildings(),
            },
            channel: Channel::BuildingThread,
            display_name: format!("{} (Building Safety Regulator)", self.inspector.name),
        }
    }

    /// The grant that let them into `building` most recently, if it has ended.
    #[must_use]
    pub fn ended(&self, building: BuildingId) -> Option<&RegulatorGrant> {
        if self.buildings().contains(&building) {
            return None;
        }
        self.grants.iter().find(|g| g.building_id == building)
    }
}

/// The inspector's session behind a cookie, if it is live and they still hold a live grant
/// with the organisation: when the last ends, so does the session.
pub async fn inspector_session(
    app: &App,
    org: &Organisation,
    token: &str,
) -> AppResult<Option<InspectorSession>> {
    let id_hash = token_hash(token);
    let now = app.clock.now();
    let (row, inspector, grants) = {
        let mut conn = app.db.read().await?;
        let Some(row) = store::session(&mut conn, org.id, INSPECTOR_SESSIONS, &id_hash).await?
        else {
            return Ok(None);
        };
        let inspector = store::inspector(&mut conn, org.id, row.account_id).await?;
        let grants = store::grants_of_inspector(&mut conn, org.id, row.account_id).await?;
        (row, inspector, grants)
    };
    let live = keep_alive(
        app,
        org.id,
        &id_hash,
        row.last_seen_at,
        row.expires_at,
        inspector.is_some() && grants.iter().any(|g| g.live_at(now)),
    )
    .await?;
    Ok(match (live, inspector) {
        (true, Some(inspector)) => Some(InspectorSession {
            id_hash,
            csrf_token: row.csrf_token,
            inspector,
            grants,
            org: org.id,
            now,
        }),
        _ => None,
    })
}

/// Ends an inspector's session.
pub async fn sign_out_inspector(app: &App, session: &InspectorSession) -> AppResult<()> {
    end_session(
        app,
        &session.actor(),
        &session.id_hash,
        (RecordType::Regulator, session.inspector.id.to_string()),
    )
    .await
}
